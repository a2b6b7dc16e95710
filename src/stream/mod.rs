//! The one stream state machine: body bytes → SSE events → Responses events → snapshot patches
//! and the stream's outcome. Plain Rust; the JS `ResponseStream` and the Rust [`EventStream`]
//! (`crate::wasm`) both run on it, so every outcome rule lives here once:
//!
//! | what arrives | outcome |
//! |---|---|
//! | `response.completed` / `response.incomplete` | the stream ends normally |
//! | `response.failed`, an `error` event | `Error::Api` at that position (the event is folded, not handed out) |
//! | body ends with no terminal event | `Error::Stream` (truncated) |
//! | `data: [DONE]`, comments, `keepalive`, unknown types | nothing / handed out, never fatal |
//! | malformed JSON, an event over the size limit, out of memory | `Error::Stream` at that position |
//! | anything after the first terminal event | nothing (whatever the chunking) |
//!
//! Every event is decoded and folded into the [`Accumulator`] as soon as its chunk arrives; what
//! it changed is recorded as patches next to it. A consumer applies the patches of an event when
//! it takes the event, so its snapshot is always exactly "everything handed out so far" (the JS
//! wrapper mirrors them onto a JS object; the Rust [`EventStream`] onto a `serde_json::Value`).
//!
//! Events are [`Show::Yield`]ed, [`Show::Hide`]den (folded but not handed out: the replayed part
//! of `retrieveStream({ startingAfter })`), or the [`Show::Fail`]ing terminal event (folded,
//! then the error is reported).
//!
//! Sequence numbers. A valid one is a JSON integer in `0..=u64::MAX`; anything else (absent,
//! `-1`, `3.5`, `"3"`, `1e20`) is no number. The first body hands out every event, numbered or
//! not (older servers and bridges number nothing). After [`StreamState::restart`] (a resumed
//! background body, requested with `starting_after=<the highest number folded>`) an event is
//! taken only when its number is above the highest folded so far, or when it ends the stream;
//! everything else is dropped, neither folded nor handed out: an event the client cannot place
//! after what it handed out may be a repeat. Progress ([`StreamState::progress`]), which resets
//! the resume budget, is an event numbered above the highest before it, and nothing else.
//!
//! [`EventStream`]: https://docs.rs/cometapi-responses/latest/cometapi_responses/wasm/struct.EventStream.html

mod sinks;

use std::rc::Rc;

pub(crate) use sinks::write_frame;
use sinks::{feed_output_parser, Batch};

use crate::accumulate::{Accumulator, Ending, Patch};
use crate::error::Error;
use crate::event::{self, ResponseEvent};
use crate::redact::Redactor;
use crate::sse;
use crate::structured::{OutputParser, OutputState};

/// What the consumer does with an event. In the npm batch it is the number JS compares with the
/// enum the glue exports.
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Hand it out (after applying its patches).
    Yield = 0,
    /// Apply its patches only.
    Hide = 1,
    /// Apply its patches, then report the stream's error.
    Fail = 2,
}

/// What may stand in place of a batch entry's patches array (see the batch's format in
/// `sinks.rs`). In the npm batch it is the number JS compares with the enum the glue exports.
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchesMark {
    /// The previous entry's patches (all appends) again, applied to this entry's event.
    Same = 1,
}

/// One decoded event, its patches, and what to do with it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The event.
    pub event: ResponseEvent,
    /// The changes it makes to the snapshot.
    pub patches: Vec<Patch>,
    /// Hand it out, or not.
    pub show: Show,
    /// The SSE `event:` field it came with (`"message"` when it had none): for re-encoding.
    pub sse_name: String,
    /// A `json_schema` stream ([`StreamState::parse_output`]): the partial JSON ops that take
    /// the value of the output text to what it is after this event.
    pub output_ops: Option<String>,
}

/// The Rust API's queue of entries.
#[cfg(entries)]
type Queue = std::collections::VecDeque<Entry>;
/// A wasm build without the Rust API (the npm package's) takes no entries: none of their code
/// is shipped.
#[cfg(not(entries))]
type Queue = NoQueue;

/// No entries (see [`Queue`]).
#[cfg(not(entries))]
#[derive(Debug)]
enum NoQueue {}

#[cfg(not(entries))]
impl NoQueue {
    fn push_back(&mut self, _: Entry) {
        match *self {}
    }
    fn pop_front(&mut self) -> Option<Entry> {
        match *self {}
    }
    fn drain(&mut self, _: std::ops::RangeFull) -> std::iter::Empty<Entry> {
        match *self {}
    }
    fn clear(&mut self) {
        match *self {}
    }
    fn is_empty(&self) -> bool {
        match *self {}
    }
}

/// How many of a body's first bytes a stream keeps until an event comes.
const HEAD: usize = 160;

/// Where the decoded events go.
#[derive(Debug)]
enum Sink {
    /// Kept as [`Entry`]s, taken with [`StreamState::next_entry`] (the Rust API).
    #[cfg_attr(not(entries), allow(dead_code))]
    Entries(Queue),
    /// Written as one JSON batch per chunk (the JS wrapper): see [`StreamState::take_batch`].
    Batch(Batch),
    /// Re-encoded as `text/event-stream` bytes for a proxy: see [`StreamState::take_frames`].
    Frames(String),
}

/// The stream state machine (see the module docs).
pub struct StreamState {
    parser: sse::Parser,
    acc: Accumulator,
    sink: Sink,
    /// `Some` once the stream's end is decided: by a terminal event, an error, or the body's end.
    outcome: Option<Result<(), Error>>,
    /// Events with a `sequence_number` up to this are folded but not handed out.
    hide_through: Option<u64>,
    /// The highest `sequence_number` folded so far (what a resume starts after).
    last_seq: Option<u64>,
    /// The Response's `id`, from the lifecycle events (for resuming).
    response_id: Option<String>,
    /// Events since the last [`restart`](Self::restart) whose sequence number went above
    /// `last_seq` (progress, for resuming).
    progress_since_restart: u64,
    /// The terminal event of a stream in frames mode, kept as a batch for the snapshot.
    terminal_batch: Option<String>,
    /// The body was replaced by a resumed one ([`restart`](Self::restart)).
    restarted: bool,
    /// Frames mode: redacts a forwarded error event.
    redactor: Option<Rc<Redactor>>,
    /// Frames mode: the event that failed the stream was forwarded as a frame.
    failure_forwarded: bool,
    /// A `json_schema` stream: the partial JSON of its output text.
    output: Option<Box<OutputParser>>,
    /// Held ([`hold`](StreamState::hold)): the frames of the events batched since, in case the
    /// consumer takes them as frames.
    held: Option<String>,
    /// Held: an event to hand out was decoded.
    held_yield: bool,
    /// Teed ([`tee`](StreamState::tee)): `held` is never let go, it takes the frames of every batch.
    teed: bool,
    /// The body's first bytes until an event comes: what a body that is no event stream (a JSON
    /// answer, an HTML page) begins with, for the error.
    head: Option<Vec<u8>>,
}

/// The stream's progress, without the bytes and events it holds and with its outcome's kind
/// only: an error event, or malformed data, may echo the key, and the stream's own copy of the
/// error is redacted only where it leaves the call.
impl std::fmt::Debug for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamState")
            .field("outcome", &self.outcome.as_ref().map(|o| o.as_ref().map_err(Error::class_name)))
            .field("last_seq", &self.last_seq)
            .field("response_id", &self.response_id)
            .field("restarted", &self.restarted)
            .finish_non_exhaustive()
    }
}

impl StreamState {
    /// A stream whose events are taken one by one with [`next_entry`](Self::next_entry).
    #[cfg(entries)]
    pub fn entries(max_event_size: Option<usize>) -> StreamState {
        StreamState::with_sink(Sink::Entries(Queue::new()), max_event_size)
    }

    /// A stream whose events are written as JSON batches ([`take_batch`](Self::take_batch)).
    pub fn batches(max_event_size: Option<usize>) -> StreamState {
        StreamState::with_sink(Sink::Batch(Batch::default()), max_event_size)
    }

    /// The largest event it takes is `limit` bytes (before anything is fed).
    pub fn limit_events(&mut self, limit: usize) {
        self.parser.set_max_event_size(limit);
    }

    fn with_sink(sink: Sink, max_event_size: Option<usize>) -> StreamState {
        StreamState {
            parser: max_event_size.map_or_else(sse::Parser::new, sse::Parser::with_max_event_size),
            acc: Accumulator::without_snapshot(),
            sink,
            outcome: None,
            hide_through: None,
            last_seq: None,
            response_id: None,
            progress_since_restart: 0,
            terminal_batch: None,
            restarted: false,
            redactor: None,
            failure_forwarded: false,
            output: None,
            held: None,
            held_yield: false,
            teed: false,
            head: Some(Vec::new()),
        }
    }

    /// The stream answers a `json_schema` request: its output text is followed by a partial
    /// JSON parser ([`crate::structured::OutputParser`]), whose ops go with each event (the
    /// fourth element of each batch entry, [`Entry::output_ops`]), and at the end
    /// [`output_state`](Self::output_state) says what `output_parsed` is. Call it before the
    /// first chunk. The parser sees each byte of the text once and keeps none of it.
    pub fn parse_output(&mut self) {
        self.output = Some(Box::new(OutputParser::new()));
    }

    /// [`parse_output`](Self::parse_output) was called.
    pub fn is_parsing_output(&self) -> bool {
        self.output.is_some()
    }

    /// A `json_schema` stream that ended normally: what `output_parsed` is.
    pub fn output_state(&self) -> Option<&OutputState> {
        self.output.as_ref().and_then(|o| o.state())
    }

    /// The `(item, part)` positions of the `output_text` parts whose text, joined,
    /// `output_parsed` is the value of (the messages a `phase` sets aside left out).
    pub fn parsed_parts(&self) -> Vec<(usize, usize)> {
        self.acc.parsed_parts()
    }

    /// Events with a `sequence_number` up to `n` are folded, not handed out (a replay from the
    /// start that resumes a consumer after event `n`).
    pub fn hide_through(&mut self, n: u64) {
        self.hide_through = Some(n);
    }

    /// From now on, events are re-encoded as SSE bytes for a proxy instead of batched
    /// ([`take_frames`](Self::take_frames)); what was decoded and not taken yet is re-encoded too.
    /// A forwarded error event (`error`, `response.failed`) has the API key redacted.
    pub fn frames_mode(&mut self, redactor: Option<Rc<Redactor>>) {
        self.redactor = redactor;
        if matches!(self.sink, Sink::Frames(_)) {
            return;
        }
        let mut frames = self.held.take().unwrap_or_default();
        if let Sink::Entries(q) = &mut self.sink {
            for e in q.drain(..) {
                if e.show != Show::Hide {
                    write_frame(&mut frames, &e.sse_name, e.event.json());
                }
            }
        }
        self.sink = Sink::Frames(frames);
    }

    /// Batches mode, before anything was taken: until [`unhold`](Self::unhold) or
    /// [`frames_mode`](Self::frames_mode), the events are also written as frames (with
    /// `redactor`, as in frames mode), and the consumer takes nothing, so that it can still choose
    /// batches (the batch written meanwhile) or frames (the frames written meanwhile). A consumer
    /// that waits for the first event before choosing (`ResponseStream.ready()`) uses it.
    pub fn hold(&mut self, redactor: Option<Rc<Redactor>>) {
        if matches!(&self.sink, Sink::Batch(b) if b.is_empty()) {
            self.redactor = redactor;
            self.held = Some(String::new());
        }
    }

    /// Held: the consumer takes batches (the one written meanwhile first).
    pub fn unhold(&mut self) {
        if !self.teed {
            self.held = None;
        }
    }

    /// `None` unless held; `Some(true)` once an event to hand out (not only to fold) was decoded.
    pub fn held(&self) -> Option<bool> {
        self.held.as_ref().filter(|_| !self.teed).map(|_| self.held_yield)
    }

    /// Batches mode, before anything was taken but what was held: from now on every batch's events
    /// are also written as frames (as in [`frames_mode`](Self::frames_mode), with `redactor`),
    /// taken with [`take_frames`](Self::take_frames). For a proxy whose consumer also follows the
    /// events (handlers, the snapshot).
    pub fn tee(&mut self, redactor: Option<Rc<Redactor>>) {
        if matches!(self.sink, Sink::Batch(_)) {
            self.redactor = redactor;
            self.held.get_or_insert_with(String::new);
            self.teed = true;
        }
    }

    /// Feeds one chunk of the body: every event it completes is decoded, folded and queued
    /// (nothing after the stream's end).
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.outcome.is_some() {
            return;
        }
        if let Some(h) = &mut self.head {
            let room = HEAD.saturating_sub(h.len());
            h.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        }
        let mut parser = std::mem::take(&mut self.parser);
        let fed = parser.feed_each(chunk, &mut |ev| {
            if self.outcome.is_none() {
                self.take_sse(ev);
            }
        });
        self.parser = parser;
        if let (None, Err(e)) = (&self.outcome, fed) {
            self.outcome = Some(Err(Error::from(e)));
        }
    }

    /// Feeds one event's data text as received whole (a WebSocket text frame is one event): the
    /// same decoding, folding and outcomes as an SSE event with that data, and the same size
    /// limit (the parser's); nothing after the stream's end.
    pub fn feed_event(&mut self, data: String) {
        if self.outcome.is_some() {
            return;
        }
        let limit = self.parser.max_event_size();
        if data.len() > limit {
            self.outcome = Some(Err(Error::from(sse::SseError::EventTooLarge { limit })));
            return;
        }
        self.take_sse(&mut sse::Event { event: "message".to_owned(), data, last_event_id: String::new() });
    }

    /// The body ended: with no terminal event the stream is truncated.
    pub fn end_of_body(&mut self) {
        self.parser.finish();
        if self.outcome.is_none() {
            let mut m = String::from(
                "the stream ended before a terminal event (response.completed, response.incomplete, response.failed or error)",
            );
            if let Some(h) = self.head.as_deref().filter(|h| !h.is_empty()) {
                m.push_str("; no event came, the body begins: ");
                m.push_str(&event::printable_prefix(&sse::body_text(h), 120));
            }
            self.outcome = Some(Err(Error::stream(m)));
        }
    }

    /// The body broke off (the connection was lost): the stream is truncated there.
    pub fn lost(&mut self, why: &str) {
        self.parser.finish();
        if self.outcome.is_none() {
            self.outcome = Some(Err(Error::stream(format!("the connection was lost mid-stream: {why}"))));
        }
    }

    /// A truncated stream continues in a new body (a resumed background response): the SSE
    /// parser starts afresh and the snapshot goes on. From now on only events whose
    /// `sequence_number` is above every one folded so far are taken (and a terminal event,
    /// whatever its number); the rest (repeats, and events with no valid integer
    /// `sequence_number`, which cannot be placed) are dropped, neither folded nor handed out.
    pub fn restart(&mut self) {
        self.parser.finish();
        self.parser.release_buffers();
        if matches!(self.outcome, Some(Err(Error::Stream { .. }))) {
            self.outcome = None;
        }
        self.progress_since_restart = 0;
        self.restarted = true;
    }

    /// `Some` once the stream's end is decided (`Ok`: completed or incomplete).
    pub fn outcome(&self) -> Option<&Result<(), Error>> {
        self.outcome.as_ref()
    }

    /// The highest `sequence_number` folded so far.
    pub fn last_sequence_number(&self) -> Option<u64> {
        self.last_seq
    }

    /// The Response's `id`, once a lifecycle event gave it.
    pub fn response_id(&self) -> Option<&str> {
        self.response_id.as_deref()
    }

    /// Progress since the stream (re)started: events whose `sequence_number` was above every
    /// one folded before them. Events without a valid one (absent, negative, fractional, a
    /// string, beyond `u64`) and repeats are never progress.
    pub fn progress(&self) -> u64 {
        self.progress_since_restart
    }

    /// Entries mode: an entry is waiting to be taken.
    pub fn has_entries(&self) -> bool {
        matches!(&self.sink, Sink::Entries(q) if !q.is_empty())
    }

    /// Drops what was decoded but not handed out yet (the call was aborted: nothing more is
    /// delivered, as in the JS stream, which stops at the abort).
    pub fn drop_undelivered(&mut self) {
        match &mut self.sink {
            Sink::Entries(q) => q.clear(),
            Sink::Batch(b) => drop(b.take()),
            Sink::Frames(f) => f.clear(),
        }
    }

    /// The next entry (entries mode), in order.
    pub fn next_entry(&mut self) -> Option<Entry> {
        match &mut self.sink {
            Sink::Entries(q) => q.pop_front(),
            _ => None,
        }
    }

    /// Batches mode: the JSON batch of the events decoded since the last call, or `None` when
    /// there are none: `[event, patches, show, event, patches, show, …]` — each `event` the data
    /// exactly as received, `patches` as [`crate::accumulate::patch`] encodes them, or `1` for
    /// "the previous entry's patches again" (only for a run of appends, never first in a batch),
    /// `show` 0 (hand out), 1 (fold only) or 2 (fold, then the stream's error). A `json_schema`
    /// stream ([`parse_output`](Self::parse_output)) has a fourth element per entry: the partial
    /// JSON ops of its output text.
    pub fn take_batch(&mut self) -> Option<String> {
        match &mut self.sink {
            Sink::Batch(b) => b.take(),
            _ => None,
        }
    }

    /// Frames mode: the `text/event-stream` bytes of the events decoded since the last call
    /// (each event's data exactly as received, its `event:` field as received).
    pub fn take_frames(&mut self) -> Option<String> {
        let frames = match &mut self.sink {
            Sink::Frames(f) => f,
            _ if self.teed => self.held.as_mut()?,
            _ => return None,
        };
        (!frames.is_empty()).then(|| std::mem::take(frames))
    }

    /// Frames mode: the stream's failure is an event (`error`, `response.failed`) that went out as a
    /// frame: a proxy ends its body normally, the consumer reads the failure from it.
    pub fn failure_forwarded(&self) -> bool {
        self.failure_forwarded
    }

    /// Held: the frames of a stream whose failure is its first event (`error`, `response.failed`),
    /// that event among them, as the server sent it (redacted): what a proxy forwards, with
    /// [`crate::relay::FORWARDED_STATUS`].
    pub fn failure_frames(&self) -> Option<&str> {
        self.held.as_deref().filter(|_| self.failure_forwarded && !self.teed)
    }

    /// Frames mode: the terminal event as a batch (so a consumer can still build the final
    /// Response from it), once the stream ended with one.
    pub fn take_terminal_batch(&mut self) -> Option<String> {
        self.terminal_batch.take()
    }

    /// Decodes, folds and queues one event; its data string is given back in `sse_event` (for
    /// the parser's next event) unless the event is kept.
    fn take_sse(&mut self, sse_event: &mut sse::Event) {
        self.head = None;
        let (data, name) = (std::mem::take(&mut sse_event.data), &sse_event.event);
        // Only the Rust API's entries carry the whole payload (its snapshot is built from it).
        let decoded = event::decode_text(data, name, !matches!(self.sink, Sink::Entries(_)));
        let ev = match decoded {
            Ok(Some(ev)) => ev,
            Ok(None) => return,
            Err(e) => {
                self.outcome = Some(Err(e));
                return;
            }
        };
        let seq = ev.sequence_number();
        // Progress: a valid sequence number above every one folded so far. A resumed body hands
        // out nothing else, except an event that ends the stream (nothing is ever handed out
        // after one, so it cannot be a repeat).
        let fresh = match (seq, self.last_seq) {
            (Some(s), Some(last)) => s > last,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if self.restarted && !fresh && !ev.kind().is_terminal() {
            return;
        }
        self.acc.push(&ev);
        if fresh {
            self.progress_since_restart += 1;
            self.last_seq = seq;
        }
        if self.response_id.is_none() && ev.kind().is_lifecycle() {
            self.response_id = ev.payload().and_then(|r| r.get("id")).and_then(|id| id.as_str()).map(str::to_owned);
        }
        let mut show = match (seq, self.hide_through) {
            (Some(s), Some(h)) if s <= h => Show::Hide,
            _ => Show::Yield,
        };
        match self.acc.ending() {
            Ending::Pending => {}
            Ending::Completed | Ending::Incomplete => self.outcome = Some(Ok(())),
            Ending::Failed(e) => {
                self.outcome = Some(Err(Error::Api(Box::new(e.clone()))));
                show = Show::Fail;
            }
            Ending::Error(e) => {
                // A proxy's error frame may stand for another class (crate::relay).
                self.outcome = Some(Err(crate::relay::from_relayed(e.clone())));
                show = Show::Fail;
            }
        }
        let terminal = self.outcome.is_some();
        if let Some(o) = &mut self.output {
            feed_output_parser(o, &self.acc, &ev, terminal);
        }
        // Frames are written in frames mode, and while held (in case the consumer takes frames).
        let frames = match &mut self.sink {
            Sink::Entries(q) => {
                let output_ops = self.output.as_ref().map(|o| o.ops().to_owned());
                q.push_back(Entry {
                    event: ev,
                    patches: self.acc.patches().to_vec(),
                    show,
                    sse_name: name.clone(),
                    output_ops,
                });
                return;
            }
            Sink::Batch(b) => {
                b.push(ev.json(), &self.acc, show, self.output.as_ref().map(|o| o.ops()));
                self.held_yield |= self.held.is_some() && show == Show::Yield;
                self.held.as_mut()
            }
            Sink::Frames(f) => Some(f),
        };
        if let Some(f) = frames {
            match (show, &self.redactor) {
                (Show::Hide, _) => {}
                (Show::Fail, Some(r)) => write_frame(f, name, &r.redact(ev.json())),
                _ => write_frame(f, name, ev.json()),
            }
            self.failure_forwarded |= show == Show::Fail;
            if terminal {
                let mut batch = Batch::default();
                batch.push(ev.json(), &self.acc, Show::Hide, None);
                self.terminal_batch = batch.take();
            }
        }
        sse_event.data = ev.into_json();
    }
}
