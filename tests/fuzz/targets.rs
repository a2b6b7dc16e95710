//! The fuzz targets (`tool_loop`: `tool_loop.rs`). Each takes one input (bytes, libFuzzer style: a short control header,
//! then the body) and asserts its properties; a failed assertion is a finding like any panic.
//!
//! 1. `sse`: the parser gives the same events, error, `retry` and last event ID for one-shot
//!    parsing and a random chunking (with the default and with a tiny size limit), and again after
//!    `finish()` on the same parser; no event name holds CR/LF, no data a CR.
//! 2. `decode`: `decode` and `decode_owned` agree; what the fast path decodes, the general path
//!    decodes to an equal event; an object `JSON.parse` accepts (nesting under serde_json's 128
//!    levels) is never rejected, and text that is not JSON never accepted (except keepalives);
//!    a decoded event keeps its text byte for byte; error messages stay short and give the line
//!    and column serde_json gives.
//! 3. `accumulate`: the decoded events of a stream folded into an `Accumulator` (its results are
//!    ignored); the snapshot, when there is one, serialises to JSON that parses.
//! 4. `stream`: `StreamState` (feed / next_entry / end_of_body / outcome) hands out the same events,
//!    errors, outcome and final response for one-shot and random chunkings.
//! 5. `bridge`: streams as bridge servers send them (no `response.created`, no announcements, no
//!    sequence numbers, a new `item_id` per delta, reused output indices): after every event
//!    before the terminal one there is a snapshot, no item it showed disappears, `output_text`
//!    is the recount; `StreamState` in a random chunking gives the same snapshot after every
//!    entry.

use cometapi_responses::accumulate::Mirror;
use cometapi_responses::accumulate::{with_output_text, Accumulator};
use cometapi_responses::error::Error;
use cometapi_responses::event::{self, EventKind};
use cometapi_responses::sse::{self, Event, Parser, SseError, DEFAULT_MAX_EVENT_SIZE};
use cometapi_responses::stream::{Entry, Show, StreamState};
use cometapi_responses::test_support::{accumulator_version, event_paths as paths};
use serde::de::IgnoredAny;

use crate::rng::Rng;

/// What the inputs reached (printed at the end of a run: the harness explores what it should).
pub mod reached {
    use std::sync::atomic::{AtomicU64, Ordering};

    #[rustfmt::skip]
    pub const NAMES: [&str; 9] = [
        "decode: fast path", "decode: general path ok", "decode: rejected", "decode: beyond f64 or lone surrogate",
        "sse: size error", "stream: completed/incomplete", "stream: api error", "stream: stream error",
        "accumulate: snapshot",
    ];
    pub static COUNTS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];

    pub fn count(i: usize) {
        COUNTS[i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn summary() -> String {
        let counts = NAMES.iter().zip(&COUNTS).map(|(n, c)| format!("{n}: {}", c.load(Ordering::Relaxed)));
        counts.collect::<Vec<_>>().join(", ")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    Sse,
    Decode,
    Accumulate,
    Stream,
    Bridge,
    ToolLoop,
}

impl Target {
    pub const ALL: [Target; 6] =
        [Target::Sse, Target::Decode, Target::Accumulate, Target::Stream, Target::Bridge, Target::ToolLoop];

    pub fn name(self) -> &'static str {
        ["sse", "decode", "accumulate", "stream", "bridge", "tool_loop"][self as usize]
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// How often each target runs, out of 22.
    pub fn pick(rng: &mut Rng) -> Target {
        match rng.below(22) {
            0..=3 => Target::Sse,
            4..=12 => Target::Decode,
            13..=14 => Target::Accumulate,
            15 => Target::Bridge,
            20 | 21 => Target::ToolLoop,
            _ => Target::Stream,
        }
    }

    pub fn run(self, input: &[u8]) {
        match self {
            Target::Sse => sse_target(input),
            Target::Decode => decode_target(input),
            Target::Accumulate => accumulate_target(input),
            Target::Stream => stream_target(input),
            Target::Bridge => bridge_target(input),
            Target::ToolLoop => crate::tool_loop::target(input),
        }
    }
}

/// The first 8 bytes as a seed (for chunkings and options), and the rest.
pub fn control(input: &[u8]) -> (Rng, &[u8]) {
    let n = input.len().min(8);
    let mut seed = [0u8; 8];
    seed[..n].copy_from_slice(&input[..n]);
    (Rng::new(u64::from_le_bytes(seed)), &input[n..])
}

/// A random chunking of `body`: single bytes, small pieces, or a few cuts.
fn chunks<'a>(rng: &mut Rng, body: &'a [u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    // (Single bytes only for short bodies: per-input work stays small.)
    let mode = if body.len() > 1024 { rng.range(1, 3) } else { rng.below(4) };
    while !rest.is_empty() {
        let n = match mode {
            0 => 1,
            1 => rng.range(1, 8),
            2 => rng.range(1, 64),
            _ => rng.range(1, rest.len().max(1)),
        }
        .min(rest.len());
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
        if rng.one_in(16) {
            out.push(&[]); // empty chunks change nothing
        }
    }
    out
}

// 1. SSE parser

#[derive(Debug, PartialEq)]
struct SseRun {
    events: Vec<Event>,
    error: Option<SseError>,
    retry: Option<u64>,
    last_event_id: String,
}

fn parse(parser: &mut Parser, chunks: &[&[u8]]) -> SseRun {
    let mut events = Vec::new();
    let mut error = None;
    for c in chunks {
        if let Err(e) = parser.feed(c, &mut events) {
            error = Some(e);
            break;
        }
    }
    let run = SseRun { events, error, retry: parser.retry(), last_event_id: parser.last_event_id().to_owned() };
    parser.finish();
    run
}

fn sse_target(input: &[u8]) {
    let (mut rng, body) = control(input);
    let limit = if rng.one_in(4) { rng.below(300) } else { DEFAULT_MAX_EVENT_SIZE };
    let mut parser = Parser::with_max_event_size(limit);
    let one = parse(&mut parser, &[body]);
    for e in &one.events {
        assert!(!e.event.contains(['\r', '\n']) && !e.data.contains('\r'), "{e:?}");
    }
    if one.error.is_some() {
        reached::count(4);
    }
    let pieces = chunks(&mut rng, body);
    let many = parse(&mut Parser::with_max_event_size(limit), &pieces);
    assert_eq!(one, many, "one-shot and chunked parsing differ");
    // (One time in 4) the same parser after finish(): the same events (retry and last event ID
    // carry over), and `parse_all` agrees.
    if rng.one_in(4) {
        let again = parse(&mut parser, &[body]);
        assert_eq!((&one.events, &one.error), (&again.events, &again.error), "a parser reused after finish() differs");
        if limit == DEFAULT_MAX_EVENT_SIZE {
            assert_eq!(sse::parse_all(body).ok(), Some(one.events));
        }
    }
}

// 2. Event decoder

const SSE_NAMES: [&str; 6] = ["message", "message", "message", "keepalive", "error", "response.output_text.delta"];

fn decode_target(input: &[u8]) {
    let (name, data) = match input.split_first() {
        Some((&n, rest)) => (SSE_NAMES[usize::from(n) % SSE_NAMES.len()], String::from_utf8_lossy(rest).into_owned()),
        None => ("message", String::new()),
    };
    let ev = Event { event: name.to_owned(), data: data.clone(), last_event_id: String::new() };
    // (One time in 8: `decode` of a borrowed event agrees; it is `decode_owned` of a copy.)
    if input.len() % 8 == 0 {
        assert_eq!(event::decode(&ev), event::decode_owned(ev.clone()), "decode and decode_owned differ");
    }
    let decoded = event::decode_owned(ev);
    match &decoded {
        Ok(Some(e)) => {
            if !(e.kind() == EventKind::Keepalive && e.json() == r#"{"type":"keepalive"}"#) {
                assert_eq!(e.json(), data, "the event's text is not the data");
            }
            // Every accessor, for panics.
            let _ = (e.event_type(), e.sequence_number(), e.item_id(), e.text(), e.payload(), e.error());
            let _ = (e.output_index(), e.content_index(), e.summary_index(), e.annotation_index(), e.is_terminal());
        }
        Ok(None) => assert!(matches!(data.trim(), "" | "[DONE]"), "no event for {data:?}"),
        Err(e) => assert!(e.to_string().len() < 400, "a long error message: {e}"),
    }
    if !data.trim_start().starts_with('{') || matches!(data.trim(), "" | "[DONE]") {
        return;
    }
    // The decoder against the reference reading (the whole text parsed, then each field picked),
    // errors included, in both modes (the npm build decodes lean).
    let general = paths::general(&data, name);
    if paths::fast(&data).is_some() {
        reached::count(0);
    }
    assert_eq!(decoded, general, "the decoder and the reference reading differ");
    let (lean, lean_reference) = paths::lean(&data, name);
    assert_eq!(lean, lean_reference, "the lean decoder and the lean reference reading differ");
    // What JSON.parse accepts is accepted; what it rejects is rejected.
    let valid = serde_json::from_str::<IgnoredAny>(&data).is_ok();
    reached::count(if general.is_ok() { 1 } else { 2 });
    if general.is_ok() && serde_json::from_str::<serde_json::Value>(&data).is_err() && name != "keepalive" {
        reached::count(3);
    }
    if valid && nesting(&data) < 128 {
        assert!(general.is_ok(), "valid JSON rejected: {general:?}");
    }
    if name != "keepalive" && general.is_ok() {
        assert!(valid, "invalid JSON accepted");
    }
    // A text rejected says where, as serde_json's reading of a `Value` says (and `JSON.parse`:
    // its reading of an `IgnoredAny` puts a control character in a string one column early),
    // unless serde_json stops earlier, at what `JSON.parse` reads (a number beyond f64, a lone
    // surrogate).
    let theirs = serde_json::from_str::<serde_json::Value>(&data).err().filter(|e| {
        let lenient = ["number out of range", "surrogate", "hex escape", "unicode code point"];
        !lenient.iter().any(|l| e.to_string().contains(l))
    });
    if let (Err(e), Some(theirs)) = (&general, theirs) {
        if let Some(at) = line_column(&e.to_string()) {
            assert_eq!(at, (theirs.line(), theirs.column()), "not where serde_json puts it ({theirs}): {e}");
        }
    }
}

/// The line and column a malformed event's message gives.
fn line_column(message: &str) -> Option<(usize, usize)> {
    let (_, rest) = message.split_once("(line ")?;
    let (line, rest) = rest.split_once(", column ")?;
    let (column, _) = rest.split_once(')')?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

/// The deepest nesting of arrays and objects in a JSON text (outside strings).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &c in text.as_bytes() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

// 3. Accumulator

fn accumulate_target(input: &[u8]) {
    let mut parser = Parser::new();
    let mut events = Vec::new();
    let _ = parser.feed(input, &mut events);
    parser.finish();
    let mut acc = Accumulator::new();
    for e in events {
        let Ok(Some(ev)) = event::decode_owned(e) else { continue };
        acc.push(&ev);
        let _ = (acc.snapshot(), acc.output_text(), acc.ending(), accumulator_version(&acc));
        // (One input in 4: `with_output_text` of the Response a lifecycle event carries.)
        if let Some(payload) = ev.payload().filter(|_| ev.kind().is_lifecycle() && input.len() % 4 == 0) {
            let _ = with_output_text(&payload.to_string());
        }
    }
    if let Some(json) = acc.response_json() {
        reached::count(8);
        // (IgnoredAny: JSON.parse has no nesting limit of 128, and the snapshot nests deeper
        // than the events it was folded from.)
        assert!(serde_json::from_str::<IgnoredAny>(&json).is_ok(), "the snapshot is not JSON");
    }
}

// 4. Stream state machine

#[derive(Debug, PartialEq)]
enum Step {
    Event(String, Show),
    End(Result<(), Error>),
}

/// Feeds the chunks, taking every entry (its patches applied to a mirror, then `each` sees the
/// entry's number, the entry and the mirror) until the outcome is decided; the steps seen and the
/// mirror's final snapshot.
fn drive(
    mut s: StreamState,
    chunks: &[&[u8]],
    mut each: impl FnMut(usize, &Entry, &Mirror),
) -> (Vec<Step>, Option<serde_json::Value>) {
    let mut steps = Vec::new();
    let mut mirror = Mirror::new();
    let mut take = |s: &mut StreamState, steps: &mut Vec<Step>| {
        while let Some(e) = s.next_entry() {
            mirror.apply_all(&e.patches, &e.event);
            each(steps.len(), &e, &mirror);
            steps.push(Step::Event(e.event.json().to_owned(), e.show));
        }
    };
    for c in chunks {
        s.feed(c);
        take(&mut s, &mut steps);
        if s.outcome().is_some() {
            break;
        }
    }
    if s.outcome().is_none() {
        s.end_of_body();
    }
    take(&mut s, &mut steps);
    steps.push(Step::End(s.outcome().cloned().unwrap_or(Ok(()))));
    (steps, mirror.value().cloned())
}

fn stream_target(input: &[u8]) {
    let (mut rng, body) = control(input);
    let (hide, limit) = (rng.one_in(4).then(|| rng.range(0, 20) as u64), rng.one_in(8).then(|| rng.range(1, 2000)));
    let state = || {
        let mut s = StreamState::entries(limit);
        if let Some(n) = hide {
            s.hide_through(n);
        }
        s
    };
    let one = drive(state(), &[body], |_, _, _| {});
    match one.0.last() {
        Some(Step::End(Ok(()))) => reached::count(5),
        Some(Step::End(Err(Error::Api(_)))) => reached::count(6),
        Some(Step::End(Err(_))) => reached::count(7),
        _ => {}
    }
    let pieces = chunks(&mut rng, body);
    let many = drive(state(), &pieces, |_, _, _| {});
    assert_eq!(one, many, "one-shot and chunked streams differ");
}

// 5. Bridge-style streams

/// The ids of the snapshot's items (`null` for an item without one).
fn item_ids(snapshot: Option<&serde_json::Value>) -> Vec<serde_json::Value> {
    let output = snapshot.and_then(|s| s.get("output")).and_then(serde_json::Value::as_array);
    output.map(|o| o.iter().map(|it| it.get("id").cloned().unwrap_or_default()).collect()).unwrap_or_default()
}

fn bridge_target(input: &[u8]) {
    use cometapi_responses::accumulate::compute_output_text;
    let (mut rng, body) = control(input);
    // One-shot: the snapshot after every event.
    let Ok(sse_events) = sse::parse_all(body) else { return };
    let mut acc = Accumulator::new();
    let mut snapshots = Vec::new();
    let mut shown: Vec<serde_json::Value> = Vec::new();
    for e in &sse_events {
        let ev = match event::decode(e) {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            Err(_) => break,
        };
        let terminal = acc.ending().is_terminal();
        acc.push(&ev);
        snapshots.push(acc.snapshot().cloned());
        if terminal || ev.kind().is_terminal() {
            continue;
        }
        let snap = acc.snapshot();
        let k = ev.kind();
        use EventKind as K;
        let silent = [K::Keepalive, K::Other, K::Error, K::AudioDelta, K::AudioDone, K::AudioTranscriptDelta];
        let writes = !k.is_lifecycle() && !silent.contains(&k) && k != K::AudioTranscriptDone;
        if writes {
            assert!(snap.is_some(), "no snapshot after `{}`", ev.event_type());
        }
        if let Some(snap) = snap {
            assert_eq!(acc.output_text(), compute_output_text(snap), "output_text after `{}`", ev.event_type());
            assert_eq!(snap.get("output_text").and_then(serde_json::Value::as_str), Some(acc.output_text()));
        }
        let now = item_ids(snap);
        assert!(now.len() >= shown.len(), "an item disappeared after `{}`", ev.event_type());
        // An item event without an `id` replaces the item at its index (the same item, updated).
        let by_index = matches!(k, EventKind::OutputItemAdded | EventKind::OutputItemDone)
            && ev.payload().and_then(|p| p.get("id")).and_then(serde_json::Value::as_str).is_none();
        for id in shown.iter().filter(|id| !id.is_null() && !by_index) {
            assert!(now.contains(id), "item {id} disappeared after `{}`", ev.event_type());
        }
        shown = now;
    }
    // The stream machine in a random chunking: the mirror after each entry is the same snapshot.
    drive(StreamState::entries(None), &chunks(&mut rng, body), |n, e, mirror| {
        if let Some(want) = snapshots.get(n) {
            assert_eq!(mirror.value(), want.as_ref(), "entry {n} (`{}`)", e.event.event_type());
        }
    });
}
