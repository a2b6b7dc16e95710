//! The stream state machine: body bytes → SSE events → Responses events → snapshot → outcome.
//!
//! Plain Rust, shared by the JS `ResponseStream` and the Rust `wasm::EventStream` so the
//! outcome rules of DESIGN.md §2 ("Outcomes of a stream") live in one place and are tested
//! natively:
//!
//! | what arrives | result |
//! |---|---|
//! | `response.completed` / `response.incomplete` | the stream ends normally |
//! | `response.failed`, an `error` event | `Error::Api` at that position |
//! | body ends with no terminal event | `Error::Stream` with the partial snapshot |
//! | `data: [DONE]`, comments | nothing |
//! | malformed JSON, an event over the size limit | `Error::Stream` at that position |
//!
//! Decoding and accumulating are two steps on purpose: [`StreamState::pop`] hands out decoded
//! events, [`StreamState::apply`] folds one into the snapshot when its consumer takes it, so the
//! snapshot is always exactly "everything the consumer has seen".

use std::collections::VecDeque;

use crate::accumulate::{Accumulator, Outcome};
use crate::error::Error;
use crate::event::{self, EventKind, ResponseEvent};
use crate::sse;

/// Where a stream is.
#[derive(Debug, Default)]
pub struct StreamState {
    parser: sse::Parser,
    sse_events: Vec<sse::Event>,
    decoded: VecDeque<ResponseEvent>,
    /// An error met while decoding, delivered after the events decoded before it.
    deferred: Option<Error>,
    acc: Accumulator,
    body_ended: bool,
    /// The stream's result was delivered (terminal event applied, or an error handed out).
    finished: bool,
    /// The stream starts mid-response (see [`resumed`](Self::resumed)).
    resumed: bool,
    /// A terminal event (`response.completed/incomplete/failed`, `error`) was handed out:
    /// nothing after it is (the first terminal event decides, whatever the chunking).
    terminal_out: bool,
}

impl StreamState {
    /// A fresh state with the default per-event size limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// A fresh state with a per-event size limit in bytes.
    pub fn with_max_event_size(limit: usize) -> Self {
        StreamState { parser: sse::Parser::with_max_event_size(limit), ..Self::default() }
    }

    /// A fresh state for a stream resumed mid-response (`GET /responses/{id}?stream=true&starting_after=N`):
    /// the events before the first lifecycle event are handed out but not folded (there is no
    /// snapshot to fold them into); the next lifecycle event (usually the terminal one) sets the
    /// snapshot. An `error` event still ends the stream.
    pub fn resumed() -> Self {
        StreamState { resumed: true, ..Self::default() }
    }

    /// Feeds one chunk of the body. Events it completes become available from [`pop`](Self::pop).
    /// Once an error is pending, further bytes are ignored.
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.deferred.is_some() || self.finished {
            return;
        }
        let mut events = std::mem::take(&mut self.sse_events);
        // Events completed before an oversized one are still delivered, in order.
        let too_large = self.parser.feed(chunk, &mut events).err();
        for ev in events.drain(..) {
            if self.deferred.is_some() {
                break;
            }
            match event::decode_owned(ev) {
                Ok(Some(ev)) => self.decoded.push_back(ev),
                Ok(None) => {}
                Err(e) => self.deferred = Some(e),
            }
        }
        if let (None, Some(e)) = (&self.deferred, too_large) {
            self.deferred = Some(Error::from(e));
        }
        self.sse_events = events;
    }

    /// The body ended (no more bytes will come).
    pub fn end_of_body(&mut self) {
        self.parser.finish();
        self.body_ended = true;
    }

    /// True once the body ended.
    pub fn body_ended(&self) -> bool {
        self.body_ended
    }

    /// The next decoded event, or the error met while decoding (after the events before it).
    /// `None` means: feed more bytes, or, if the body ended, call [`end`](Self::end).
    pub fn pop(&mut self) -> Option<Result<ResponseEvent, Error>> {
        if self.finished || self.terminal_out {
            return None;
        }
        if let Some(ev) = self.decoded.pop_front() {
            self.terminal_out = ev.is_terminal();
            return Some(Ok(ev));
        }
        let err = self.deferred.take()?;
        self.finished = true;
        Some(Err(self.with_snapshot(err)))
    }

    /// Folds an event the consumer took into the snapshot. A `response.failed` or `error` event,
    /// or an event that breaks the protocol, gives the error to report at its position.
    pub fn apply(&mut self, ev: &ResponseEvent) -> Result<(), Error> {
        let kind = ev.kind();
        if self.resumed && self.acc.snapshot().is_none() && !kind.is_lifecycle() && kind != EventKind::Error {
            return Ok(());
        }
        if let Err(e) = self.acc.push(ev) {
            self.finished = true;
            return Err(self.with_snapshot(e));
        }
        match self.acc.outcome() {
            Outcome::Failed(e) | Outcome::Error(e) => {
                self.finished = true;
                Err(Error::Api(Box::new(e.clone())))
            }
            Outcome::Completed | Outcome::Incomplete => {
                // Whatever the server sends after the terminal event is not ours to report.
                self.finished = true;
                self.decoded.clear();
                self.deferred = None;
                Ok(())
            }
            Outcome::Pending => Ok(()),
        }
    }

    /// True when the consumer needs nothing more from the body: the terminal event was applied
    /// or an error was handed out.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The stream's end once the body ended and every event was taken: `Ok` after a terminal
    /// event, else the truncation error (with the partial snapshot). Call when [`pop`](Self::pop)
    /// gives `None` and the body ended.
    pub fn end(&mut self) -> Result<(), Error> {
        match self.acc.outcome() {
            Outcome::Completed | Outcome::Incomplete => Ok(()),
            Outcome::Failed(e) | Outcome::Error(e) => Err(Error::Api(Box::new(e.clone()))),
            Outcome::Pending => {
                self.finished = true;
                Err(self.with_snapshot(Error::stream(
                    "the stream ended before a terminal event (response.completed, \
                     response.incomplete, response.failed or error)",
                )))
            }
        }
    }

    /// The accumulator (snapshot, `output_text`, outcome, version).
    pub fn accumulator(&self) -> &Accumulator {
        &self.acc
    }

    /// The final Response as JSON text (with `output_text`), once the stream completed or ended
    /// incomplete; `None` otherwise.
    pub fn final_response_json(&self) -> Option<String> {
        match self.acc.outcome() {
            Outcome::Completed | Outcome::Incomplete => self.acc.response_json(),
            _ => None,
        }
    }

    /// The last event ID the server gave (for resuming), `""` if none.
    pub fn last_event_id(&self) -> &str {
        self.parser.last_event_id()
    }

    fn with_snapshot(&self, err: Error) -> Error {
        match err {
            Error::Stream { message, response: None } => Error::Stream { message, response: self.acc.response_json() },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATED: &str = r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","object":"response","status":"in_progress","output":[]}}"#;
    const ADDED: &str = r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"m","type":"message","role":"assistant","content":[]}}"#;
    const DELTA: &str = r#"{"type":"response.output_text.delta","sequence_number":2,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi"}"#;
    const COMPLETED: &str = r#"{"type":"response.completed","sequence_number":3,"response":{"id":"r","object":"response","status":"completed","output":[{"id":"m","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[]}]}]}}"#;

    fn drive(mut s: StreamState, events: &[&str]) -> (StreamState, Result<(), Error>) {
        let body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
        s.feed(body.as_bytes());
        s.end_of_body();
        while let Some(item) = s.pop() {
            if let Err(e) = item.and_then(|ev| s.apply(&ev)) {
                return (s, Err(e));
            }
        }
        let end = s.end();
        (s, end)
    }

    #[test]
    fn nothing_after_the_first_terminal_event_is_handed_out() {
        const AFTER: &str =
            r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"AFTER"}"#;
        const ERROR: &str = r#"{"type":"error","code":"x","message":"late"}"#;
        // All in one chunk: every event is decoded before the terminal one is applied.
        let mut s = StreamState::new();
        let body: String =
            [CREATED, ADDED, DELTA, COMPLETED, AFTER, ERROR].iter().map(|e| format!("data: {e}\n\n")).collect();
        s.feed(body.as_bytes());
        let mut taken = Vec::new();
        while let Some(item) = s.pop() {
            taken.push(item.expect("decodes").event_type().to_owned());
        }
        assert_eq!(taken.last().map(String::as_str), Some("response.completed"));
        assert_eq!(taken.len(), 4);
        // Popped and applied one by one (the Rust stream): the same result.
        let (s, end) = drive(StreamState::new(), &[CREATED, ADDED, DELTA, COMPLETED, AFTER, ERROR]);
        assert_eq!(end, Ok(()));
        let fin: serde_json::Value =
            serde_json::from_str(&s.final_response_json().unwrap_or_default()).unwrap_or_default();
        assert_eq!(fin["output_text"], "Hi");
        // An `error` first: the stream ends there, a later completed changes nothing.
        let (_, end) = drive(StreamState::new(), &[CREATED, ERROR, COMPLETED]);
        assert!(matches!(end, Err(Error::Api(_))));
    }

    #[test]
    fn a_resumed_stream_may_start_mid_response() {
        let (s, end) = drive(StreamState::resumed(), &[DELTA, COMPLETED]);
        assert_eq!(end, Ok(()));
        let fin: serde_json::Value =
            serde_json::from_str(&s.final_response_json().unwrap_or_default()).unwrap_or_default();
        assert_eq!(fin["output_text"], "Hi");
        // From the start, a resumed stream folds like any other.
        let (s, end) = drive(StreamState::resumed(), &[CREATED, ADDED, DELTA, COMPLETED]);
        assert_eq!(end, Ok(()));
        assert!(s.final_response_json().is_some());
        // A fresh stream still treats a delta before any lifecycle event as a protocol violation.
        let (_, end) = drive(StreamState::new(), &[DELTA, COMPLETED]);
        assert!(matches!(end, Err(Error::Stream { .. })));
        // And a resumed stream still ends in an `error` event.
        let (_, end) = drive(StreamState::resumed(), &[r#"{"type":"error","code":"x","message":"boom"}"#]);
        assert!(matches!(end, Err(Error::Api(_))));
    }
}
