#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
//! Native tests of the SSE parser (`src/sse/`): one test per rule of the WHATWG "event stream
//! interpretation", chunking independence (every 2-way split, 1-byte drip, random chunkings), a
//! property test against a naive reference implementation, the size cap, and fixtures.

use std::collections::HashMap;
use std::path::Path;

use cometapi_responses::sse::{parse_all, Event, Parser, SseError, DEFAULT_MAX_EVENT_SIZE};
use proptest::prelude::*;

#[path = "common/recordings.rs"]
mod recordings;

// --- Helpers

/// What a stream produces: the events, and the parser's state at the end of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Event>,
    retry: Option<u64>,
    last_event_id: String,
}

fn ev(event: &str, data: &str, last_event_id: &str) -> Event {
    Event { event: event.into(), data: data.into(), last_event_id: last_event_id.into() }
}

fn msg(data: &str) -> Event {
    ev("message", data, "")
}

/// Feeds `chunks` in order to a fresh parser, then finishes the stream.
fn run<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let (mut parser, mut events) = (Parser::new(), Vec::new());
    for chunk in chunks {
        parser.feed(chunk, &mut events).expect("no size error expected");
    }
    let (retry, last_event_id) = (parser.retry(), parser.last_event_id().to_owned());
    parser.finish();
    // finish() keeps the event-source state.
    assert_eq!((parser.retry(), parser.last_event_id()), (retry, last_event_id.as_str()));
    Outcome { events, retry, last_event_id }
}

/// Splits `bytes` at random (unsorted, possibly repeated) positions.
fn split_at_points<'a>(bytes: &'a [u8], points: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = points.iter().map(|i| i.index(bytes.len() + 1)).chain([0, bytes.len()]).collect();
    points.sort_unstable();
    points.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// `read` of `bytes` all at once, at every 2-way split point and 1 byte at a time: all the same.
fn any_split<T: PartialEq + std::fmt::Debug>(bytes: &[u8], read: impl Fn(&[&[u8]]) -> T) -> T {
    let whole = read(&[bytes]);
    for i in 0..=bytes.len() {
        let (a, b) = bytes.split_at(i);
        assert_eq!(read(&[a, b]), whole, "split at {i} of {:?}", String::from_utf8_lossy(bytes));
    }
    assert_eq!(read(&bytes.chunks(1).collect::<Vec<_>>()), whole, "1-byte chunks");
    whole
}

/// `any_split` of `run`; empty chunks in between and `parse_all` agree too.
fn check(bytes: &[u8]) -> Outcome {
    let whole = any_split(bytes, |chunks| run(chunks.iter().copied()));
    let with_empty: Vec<&[u8]> = bytes.chunks(3).flat_map(|c| [&b""[..], c]).collect();
    assert_eq!(run(with_empty), whole, "with empty chunks");
    assert_eq!(parse_all(bytes).as_ref(), Ok(&whole.events));
    whole
}

fn events(bytes: &[u8]) -> Vec<Event> {
    check(bytes).events
}

/// The events a limited parser pushed (including by the failing feed), and its error if any.
type Limited = (Vec<Event>, Result<(), SseError>);

fn run_limited<'a>(limit: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> Limited {
    let (mut parser, mut events) = (Parser::with_max_event_size(limit), Vec::new());
    for chunk in chunks {
        if let Err(e) = parser.feed(chunk, &mut events) {
            // A failed parser keeps failing, without panicking.
            assert_eq!(parser.feed(b"data: x\n\n", &mut events), Err(e.clone()));
            return (events, Err(e));
        }
    }
    parser.finish();
    (events, Ok(()))
}

fn check_limited(limit: usize, bytes: &[u8]) -> Limited {
    any_split(bytes, |chunks| run_limited(limit, chunks.iter().copied()))
}

// --- One test per rule

#[test]
fn rules_on_whole_events() {
    // (the rule, the stream, its events), in every chunking (`check`)
    let cases: &[(&str, &[u8], &[Event])] = &[
        // Invalid byte, overlong encoding (two errors), surrogate, truncated sequence before LF.
        (
            "utf8_decoded_with_replacement",
            b"data: caf\xC3\xA9 \xFF \xC0\x80 \xED\xA0\x80 \xE6\x97\n\n",
            &[msg("café \u{FFFD} \u{FFFD}\u{FFFD} \u{FFFD}\u{FFFD}\u{FFFD} \u{FFFD}")],
        ),
        // A truncated sequence just before CR / CRLF: one U+FFFD, the line end still counts.
        ("utf8_decoded_with_replacement", b"data: \xF0\x9F\x98\rdata: \xE6\r\n\r\n", &[msg("\u{FFFD}\n\u{FFFD}")]),
        ("leading_bom_stripped", b"\xEF\xBB\xBFdata: a\n\n", &[msg("a")]),
        ("leading_bom_stripped", b"\xEF\xBB\xBF\n", &[]),
        // The second BOM is U+FEFF, so the field name is "\u{FEFF}data": an unknown field.
        ("second_bom_kept_as_data", b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n", &[msg("b")]),
        // Inside a value it is kept.
        ("second_bom_kept_as_data", b"\xEF\xBB\xBFdata: \xEF\xBB\xBFa\n\n", &[msg("\u{FEFF}a")]),
        // A BOM later in the stream (not at the very start) is never stripped.
        ("second_bom_kept_as_data", b"data: a\n\n\xEF\xBB\xBFdata: b\n\n", &[msg("a")]),
        ("second_bom_kept_as_data", b"\n\xEF\xBB\xBFdata: b\n\n", &[]),
        // EF BB followed by something else: the held bytes start the first line (one U+FFFD).
        ("partial_bom_is_data", b"\xEF\xBBdata: a\n\ndata: b\n\n", &[msg("b")]),
        ("partial_bom_is_data", b"\xEF\xBB: comment\ndata: b\n\n", &[msg("b")]),
        ("partial_bom_is_data", b"\xEF\n\ndata: c\n\n", &[msg("c")]),
        ("partial_bom_is_data", b"\xEF\xBB\xBEevent: x\ndata: c\n\n", &[msg("c")]),
        ("line_ends_cr_lf_crlf", b"data: a\rdata: b\ndata: c\r\n\r\n", &[msg("a\nb\nc")]),
        ("line_ends_cr_lf_crlf", b"data: a\r\rdata: b\n\ndata: c\r\n\r\n", &[msg("a"), msg("b"), msg("c")]),
        // LF then CR is two line ends (the second one ends an empty line).
        ("line_ends_cr_lf_crlf", b"data: a\n\rdata: b\r\n\n", &[msg("a"), msg("b")]),
        ("empty_line_dispatches", b"data: a\n\ndata: b\n\n", &[msg("a"), msg("b")]),
        ("empty_line_dispatches", b"\n\n\ndata: a\n\n\n\n", &[msg("a")]),
        ("comment_lines_ignored", b": hello\ndata: a\n:\n: data: b\n:data: c\n\n", &[msg("a")]),
        ("comment_lines_ignored", b": only a comment\n\n:\n\n", &[]),
        ("field_value_split_at_first_colon", b"data: a: b:c\n\n", &[msg("a: b:c")]),
        ("field_value_split_at_first_colon", b"event:x:y\ndata::\n\n", &[ev("x:y", ":", "")]),
        ("one_leading_space_removed", b"data:a\n\n", &[msg("a")]),
        ("one_leading_space_removed", b"data: a\n\n", &[msg("a")]),
        ("one_leading_space_removed", b"data:  a \n\n", &[msg(" a ")]),
        ("one_leading_space_removed", b"data:\ta\n\n", &[msg("\ta")]),
        ("one_leading_space_removed", b"data: \n\n", &[msg("")]),
        ("one_leading_space_removed", b"event:  x\ndata: 1\n\n", &[ev(" x", "1", "")]),
        ("event_field_sets_type", b"event: add\ndata: 73857293\n\n", &[ev("add", "73857293", "")]),
        ("event_field_sets_type", b"event: a\nevent: b\ndata: 1\n\n", &[ev("b", "1", "")]),
        // The type buffer is reset after each dispatch.
        ("event_field_sets_type", b"event: a\ndata: 1\n\ndata: 2\n\n", &[ev("a", "1", ""), msg("2")]),
        ("data_lines_joined_with_lf", b"data: a\ndata: b\ndata: c\n\n", &[msg("a\nb\nc")]),
        // Only ONE trailing LF is removed.
        ("data_lines_joined_with_lf", b"data: a\ndata\n\n", &[msg("a\n")]),
        ("data_lines_joined_with_lf", b"data\ndata\n\n", &[msg("\n")]),
        // Field names are compared literally: no case folding, no trimming.
        ("other_fields_ignored", b"foo: bar\nData: x\nDATA: y\ndata : z\n data: w\n\n", &[]),
        ("other_fields_ignored", b"foo: bar\ndata: ok\nEvent: t\nID: 9\n\n", &[msg("ok")]),
        ("empty_data_buffer_not_dispatched_and_type_reset", b"event: a\n\ndata: b\n\n", &[msg("b")]),
        ("empty_data_buffer_not_dispatched_and_type_reset", b"event: a\nid: 1\nretry: 5\n\n", &[]),
        ("type_defaults_to_message", b"data: x\n\n", &[ev("message", "x", "")]),
        ("type_defaults_to_message", b"event:\ndata: x\n\n", &[ev("message", "x", "")]),
        ("end_of_stream_discards_unfinished_event", b"data: a\n\ndata: b\n", &[msg("a")]),
        ("end_of_stream_discards_unfinished_event", b"event: t\ndata: b\n", &[]),
    ];
    for (rule, bytes, want) in cases {
        assert_eq!(events(bytes), *want, "{rule}");
    }
}

#[test]
fn chunk_boundaries_and_lines_without_a_colon() {
    let stream = "data: é日本😀\n\n".as_bytes();
    // check() splits at every byte, i.e. inside every multi-byte character.
    assert_eq!(events(stream), [msg("é日本😀")]);
    assert_eq!(run([&b"data: \xF0\x9F"[..], b"\x98", b"\x80\n", b"\n"]).events, [msg("😀")]);
    assert_eq!(check(b"event: a\xFFb\nid: \xC3\ndata: x\n\n").events, [ev("a\u{FFFD}b", "x", "\u{FFFD}")]);
    // An invalid byte in a field name makes it an unknown field.
    assert_eq!(events(b"dat\xE1: x\n\n"), []);
    assert_eq!(run([&b"\xEF"[..], b"\xBB", b"\xBFdata: a\n", b"\n"]).events, [msg("a")]);
    assert_eq!(run([&b""[..], b"\xEF\xBB", b"", b"\xBF", b"data: b\n\n"]).events, [msg("b")]);
    // If CR and LF were two line ends here, "a" would be dispatched on its own.
    assert_eq!(run([&b"data: a\r"[..], b"\ndata: b\r", b"\n\r", b"\n"]).events, [msg("a\nb")]);
    // The same with an empty chunk between the CR and the LF.
    assert_eq!(run([&b"data: a\r"[..], b"", b"\ndata: b\r\n\r", b"", b"\n"]).events, [msg("a\nb")]);
    // (a chunk, how many events are out after it); a blank line ended by CR dispatches at once:
    // no waiting for a possible LF.
    let (mut parser, mut out) = (Parser::new(), Vec::new());
    for (chunk, n) in [(&b"data: a\n"[..], 0), (b"\n", 1), (b"data: b\r\r", 2), (b"\ndata: c\n\n", 3)] {
        parser.feed(chunk, &mut out).unwrap();
        assert_eq!(out, [msg("a"), msg("b"), msg("c")][..n], "after {chunk:?}");
    }
    assert_eq!(events(b"data\n\n"), [msg("")]);
    assert_eq!(events(b"data\ndata\ndata: x\n\n"), [msg("\n\nx")]);
    // "event" alone sets the type buffer to "", so the type is "message".
    assert_eq!(events(b"event: a\nevent\ndata: x\n\n"), [msg("x")]);
    // "id" alone sets the last event ID buffer to "".
    assert_eq!(events(b"id: 1\ndata: a\n\nid\ndata: b\n\n"), [ev("message", "a", "1"), msg("b")]);
    // "retry" alone has no digits: ignored.
    assert_eq!(check(b"retry: 5\nretry\n").retry, Some(5));
    assert_eq!(events(b"data: a\n\ndata: b"), [msg("a")]);
    // A data line without the blank line that would end its event: nothing is dispatched.
    assert_eq!(events(b"data: a\n"), []);
    assert_eq!(check(b"retry: 7\nretry: 8").retry, Some(7));
    assert_eq!(check(b"data: a\n\nid: 9").last_event_id, "");
    // The web-platform-tests `eventsource/format-*` cases, as streams.
    assert_eq!(check(b"retry:1000\ndata:test1\n\nid:test\ndata:test2").events, [msg("test1")]);
    assert_eq!(events(b"data:\xEF\xBB\xBF\xE2\x80\x8Bx\n\n"), [msg("\u{FEFF}\u{200B}x")]);
    assert_eq!(events(b"data:1\r:\0\n:\r\ndata:2\n:\xFF\r\xFF\n\0\n\n"), [msg("1\n2")]);
    assert_eq!(
        events(b"data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n"),
        [msg("\0\n 2\n1\n3\n\n4")]
    );
}

#[test]
fn id_rules() {
    let id = |data: &str, id: &str| ev("message", data, id);
    // (the rule, the stream, its events, the last event ID string after it)
    let cases: &[(&str, &[u8], &[Event], &str)] = &[
        ("id sets it", b"id: 1\ndata: a\n\ndata: b\n\n", &[id("a", "1"), id("b", "1")], "1"),
        ("the last id counts", b"id: 1\nid: 2\ndata: a\n\n", &[id("a", "2")], "2"),
        ("kept as written", b"id:  spaced \ndata: a\n\n", &[id("a", " spaced ")], " spaced "),
        ("an id with NUL is ignored", b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", &[id("a", "1"), id("b", "1")], "1"),
        ("an id with NUL is ignored", b"id: \0\n\n", &[], ""),
        // Dispatch step 1 runs before the "empty data buffer" check of step 2.
        ("set without data", b"id: 7\n\n", &[], "7"),
        ("set without data", b"id: 7\n\ndata: x\n\n", &[id("x", "7")], "7"),
        ("not reset by dispatch", b"id: 7\ndata: x\n\ndata: y\n\n", &[id("x", "7"), id("y", "7")], "7"),
        ("applied only on dispatch", b"id: 1\ndata: a\n\nid: 2\ndata: b\n", &[id("a", "1")], "1"),
    ];
    for (rule, bytes, events, last) in cases {
        let outcome = check(bytes);
        assert_eq!((&outcome.events[..], outcome.last_event_id.as_str()), (*events, *last), "{rule}");
    }
}

#[test]
fn retry_rules() {
    // (the rule, the stream, the reconnection time after it)
    let cases: &[(&str, &[u8], Option<u64>)] = &[
        ("digits", b"retry: 1500\n", Some(1500)),
        ("digits", b"retry:0\n", Some(0)),
        ("the last one", b"retry: 10\nretry: 20\n", Some(20)),
        ("digits only", b"retry: 15x\n", None),
        ("digits only", b"retry: -1\n", None),
        ("digits only", b"retry: +1\n", None),
        ("digits only", b"retry:  5\n", None),
        ("digits only", b"retry: 1.5\n", None),
        ("digits only", b"retry: 5 \n", None),
        ("digits only", b"retry: \xD9\xA1\n", None),
        ("an invalid value leaves the previous one in place", b"retry: 10\nretry: x\n", Some(10)),
        ("not held back until a dispatch", b"retry: 10\ndata: a\n", Some(10)),
        ("empty ignored", b"retry: 3\nretry:\nretry: \n", Some(3)),
        ("u64::MAX", b"retry: 18446744073709551615\n", Some(u64::MAX)),
        ("overflow ignored", b"retry: 3\nretry: 18446744073709551616\n", Some(3)),
        ("overflow ignored", b"retry: 99999999999999999999999999\n", None),
    ];
    for (rule, bytes, want) in cases {
        assert_eq!(check(bytes).retry, *want, "{rule}: {:?}", String::from_utf8_lossy(bytes));
    }
    // retry never dispatches.
    assert_eq!(check(b"retry: 10\n\n").events, []);
}

#[test]
fn parser_state_finish_reset_defaults_and_errors() {
    let (mut parser, mut out) = (Parser::new(), Vec::new());
    parser.feed(b"\xEF\xBB\xBFretry: 10\nid: 1\ndata: a\n\nid: 2\nevent: t\ndata: unfinished\r", &mut out).unwrap();
    assert_eq!(out, [ev("message", "a", "1")]);
    parser.finish();
    // retry and the last event ID string survive; the pending event, the pending id and the
    // CR state do not, and a new leading BOM is stripped again.
    assert_eq!((parser.retry(), parser.last_event_id()), (Some(10), "1"));
    out.clear();
    parser.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut out).unwrap();
    // The new stream's last event ID buffer starts empty (spec), so dispatch sets "" here.
    assert_eq!((&out[..], parser.last_event_id()), (&[msg("b")][..], ""));
    parser.reset();
    assert_eq!((parser.retry(), parser.last_event_id(), parser.max_event_size()), (None, "", DEFAULT_MAX_EVENT_SIZE));
    // A failed parser rejects until finish.
    let parser = Parser::default();
    assert_eq!((parser.max_event_size(), parser.retry(), parser.last_event_id()), (DEFAULT_MAX_EVENT_SIZE, None, ""));
    assert_eq!(Parser::with_max_event_size(5).max_event_size(), 5);
    assert_eq!(parse_all(b""), Ok(vec![]));
    let (mut p, mut out) = (Parser::with_max_event_size(4), Vec::new());
    assert_eq!(p.feed(b"data: 12345", &mut out), Err(SseError::EventTooLarge { limit: 4 }));
    assert_eq!(p.feed(b"\n\n", &mut out), Err(SseError::EventTooLarge { limit: 4 }));
    p.finish();
    p.feed(b"data\n\n", &mut out).unwrap();
    assert_eq!(out, [Event { event: "message".into(), data: String::new(), ..Event::default() }]);
    let err: Box<dyn std::error::Error> = Box::new(SseError::EventTooLarge { limit: 4 });
    assert_eq!(err.to_string(), "server-sent event larger than the 4-byte limit");
}

// --- Size cap

#[test]
fn size_cap_rules() {
    let ok = |events: &[Event]| (events.to_vec(), Ok(()));
    let over = |limit: usize, events: &[Event]| (events.to_vec(), Err(SseError::EventTooLarge { limit }));
    // (the rule, the limit, the stream, its events and result)
    let cases: &[(&str, usize, &[u8], Limited)] = &[
        // The line "data: 0123456789" is 16 bytes.
        ("exactly at the limit", 16, b"data: 0123456789\n\n", ok(&[msg("0123456789")])),
        // Data buffer "0123\n" (5 bytes) + the pending line "data: 01234" (11 bytes) = 16.
        ("exactly at the limit", 16, b"data: 0123\ndata: 01234\n\n", ok(&[msg("0123\n01234")])),
        ("over the limit", 16, b"data: 01234567890\n\n", over(16, &[])),
        ("over the limit", 16, b"data: 0123\ndata: 012345\n\n", over(16, &[])),
        ("the pending line alone, unterminated", 16, b"data: 01234567890", over(16, &[])),
        ("a comment line as the pending line", 16, b": 0123456789abcdef\n", over(16, &[])),
        // Events completed before the offending bytes are delivered, by the same feed too.
        ("events before it", 16, b"data: a\n\ndata: 0123456789abcdef\n\ndata: b\n\n", over(16, &[msg("a")])),
        // 4 invalid bytes (line of 10 bytes) decode to 4 × U+FFFD = 12 bytes, plus LF = 13.
        ("decoded data counts", 12, b"data: \xFF\xFF\xFF\xFF\n\n", over(12, &[])),
        ("decoded data counts", 13, b"data: \xFF\xFF\xFF\xFF\n\n", ok(&[msg("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")])),
        ("zero", 0, b"\n\n\r\n", ok(&[])),
        ("zero", 0, b"\nd", over(0, &[])),
    ];
    for (rule, limit, bytes, want) in cases {
        assert_eq!(&check_limited(*limit, bytes), want, "{rule}");
    }
    // The cap resets between events.
    let (events, result) = check_limited(16, &b"data: 0123456789\n\ndata: 0123456789\n\n".repeat(3));
    assert_eq!((events.len(), result), (6, Ok(())));
    // A 1 MiB limit and a 2 MiB line fed one byte per call: the error comes exactly when the
    // pending line reaches limit + 1 bytes. (Quadratic rescanning or concatenation would make
    // this test take hours; it is not timed.)
    let limit = 1 << 20;
    let (mut parser, mut out) = (Parser::with_max_event_size(limit), Vec::new());
    let mut bytes = b"data: ".iter().chain(std::iter::repeat(&b'x').take(2 << 20)).enumerate();
    // (how many bytes were fed, the error)
    let error = bytes.find_map(|(n, byte)| parser.feed(std::slice::from_ref(byte), &mut out).err().map(|e| (n + 1, e)));
    assert_eq!((error, out.len()), (Some((limit + 1, SseError::EventTooLarge { limit })), 0));
    // finish() makes the parser usable again.
    parser.finish();
    parser.feed(b"data: ok\n\n", &mut out).unwrap();
    assert_eq!(out, [msg("ok")]);
    // 3 MiB of data over 3 lines, dripped 1 byte at a time, then delivered whole.
    let line = format!("data: {}\n", "y".repeat(1 << 20));
    let stream = format!("{line}{line}{line}\n");
    let out = run(stream.as_bytes().chunks(1)).events;
    assert_eq!((out.len(), out[0].data.len()), (1, 3 * (1 << 20) + 2));
    // The same stream in one chunk.
    assert_eq!(parse_all(stream.as_bytes()).unwrap(), out);
}

// --- Property tests: random streams, random chunkings, a naive reference implementation

/// The spec, applied naively: decode the whole stream, strip one BOM, split into lines, apply
/// the rules line by line.
fn reference(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    // CRLF, then a lone CR, is a line end; the last piece (an unterminated line) is discarded.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    lines.pop();
    let (mut data, mut event_type, mut id_buffer) = (String::new(), String::new(), String::new());
    let (mut last_event_id, mut retry, mut events) = (String::new(), None, Vec::new());
    for line in lines {
        if line.is_empty() {
            last_event_id = id_buffer.clone();
            // An empty data buffer dispatches nothing; both buffers are reset either way.
            let ty = std::mem::take(&mut event_type);
            if let Some(data) = std::mem::take(&mut data).strip_suffix('\n') {
                let event = if ty.is_empty() { "message".to_owned() } else { ty };
                events.push(Event { event, data: data.to_owned(), last_event_id: last_event_id.clone() });
            }
            continue;
        }
        // A comment line has the field name "", which matches nothing.
        let (field, value) =
            line.split_once(':').map_or((&line[..], ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
        match field {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Too large for u64: ignored.
                if let Ok(ms) = value.parse::<u64>() {
                    retry = Some(ms);
                }
            }
            _ => {}
        }
    }
    Outcome { events, retry, last_event_id }
}

const VALUE_CHARS: &[&str] =
    &["a", "b", "Z", "0", "7", " ", ":", "é", "日", "本", "😀", "\u{FEFF}", "\t", "\0", "{", "\"", "}"];

fn value_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VALUE_CHARS), 0..10).prop_map(|v| v.concat())
}

/// One line of a plausible stream, without its line end.
fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let field = prop::sample::select(&["data", "data", "data", "event", "id", "retry", "foo", "Data", "dat"][..]);
    let sep = prop::sample::select(&[": ", ":", ":  ", ""][..]);
    prop_oneof![
        4 => (field, sep, value_strategy()).prop_map(|(f, s, v)| {
            if s.is_empty() { f.as_bytes().to_vec() } else { format!("{f}{s}{v}").into_bytes() }
        }),
        1 => prop::collection::vec(prop::sample::select(&["0", "1", "9", "x", " "][..]), 0..22)
            .prop_map(|d| format!("retry: {}", d.concat()).into_bytes()),
        1 => value_strategy().prop_map(|v| format!(":{v}").into_bytes()),
        3 => Just(Vec::new()),
        // Arbitrary bytes, including invalid UTF-8 and stray CR/LF.
        1 => prop::collection::vec(
            prop_oneof![any::<u8>(), Just(0xEF), Just(0xBB), Just(0xBF), Just(b':'), Just(b'\r')],
            0..8
        ),
    ]
}

fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    let ending = prop::sample::select(&["\n", "\r", "\r\n"][..]);
    (0usize..3, prop::collection::vec((line_strategy(), ending), 0..30), any::<bool>()).prop_map(
        |(boms, lines, terminated)| {
            let mut out = b"\xEF\xBB\xBF".repeat(boms);
            let count = lines.len();
            for (i, (line, end)) in lines.into_iter().enumerate() {
                out.extend_from_slice(&line);
                if terminated || i + 1 < count {
                    out.extend_from_slice(end.as_bytes());
                }
            }
            out
        },
    )
}

/// Bytes biased towards the interesting ones.
fn noise_strategy() -> impl Strategy<Value = Vec<u8>> {
    // Weights: 3 any byte; 2 each LF, CR, ':'; 1 each space, the BOM's bytes, NUL; 2 a field name's letter.
    let special = prop::sample::select(&b"\n\n\r\r:: \xEF\xBB\xBF\0"[..]);
    let letter = prop::sample::select(&b"datevniry"[..]);
    prop::collection::vec(prop_oneof![3 => any::<u8>(), 11 => special, 2 => letter], 0..200)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_matches_one_shot_and_reference(
        stream in stream_strategy(),
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let expected = reference(&stream);
        let whole = run([&stream[..]]);
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(&run(split_at_points(&stream, &points)), &expected);
        prop_assert_eq!(&run(stream.chunks(1)), &expected);
    }

    #[test]
    fn arbitrary_bytes_match_reference(
        bytes in noise_strategy(),
        size in 1usize..17,
    ) {
        let expected = reference(&bytes);
        prop_assert_eq!(&run([&bytes[..]]), &expected);
        prop_assert_eq!(&run(bytes.chunks(size)), &expected);
    }

    #[test]
    fn size_errors_do_not_depend_on_chunking(
        stream in stream_strategy(),
        limit in 0usize..48,
        points in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let whole = run_limited(limit, [&stream[..]]);
        prop_assert_eq!(&run_limited(limit, split_at_points(&stream, &points)), &whole);
        prop_assert_eq!(&run_limited(limit, stream.chunks(1)), &whole);
        if whole.1.is_ok() {
            // Under the limit, the limit changes nothing.
            prop_assert_eq!(&whole.0, &reference(&stream).events);
        }
    }
}

// --- Fixtures

/// Checks one Responses API stream; returns its events.
fn check_responses_stream(name: &str, bytes: &[u8]) -> Vec<Event> {
    let whole = parse_all(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    for size in [1, 7, 301] {
        assert_eq!(run(bytes.chunks(size)).events, whole, "{name}: chunks of {size}");
    }
    assert!(!whole.is_empty(), "{name}: no events");
    for (i, event) in whole.iter().enumerate().filter(|(_, e)| e.data != "[DONE]") {
        let json: serde_json::Value = serde_json::from_str(&event.data)
            .unwrap_or_else(|e| panic!("{name}: event {i}: invalid JSON ({e}): {:.200}", event.data));
        // "message" is the default type: the stream had no `event:` line for this event.
        let ty = json.get("type").and_then(|t| t.as_str());
        if event.event != "message" {
            assert_eq!(ty, Some(event.event.as_str()), "{name}: event {i}: `event:` differs from the JSON type");
        }
    }
    whole
}

#[test]
fn fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sse");
    let files = recordings::sse_files(dir);
    assert!(files.len() >= 4);
    let read = |p: &Path| check_responses_stream(&p.display().to_string(), &std::fs::read(p).unwrap());
    let own: HashMap<String, Vec<Event>> = files.iter().map(|p| (recordings::name(p), read(p))).collect();
    let events = &own["crlf_text_stream.sse"];
    let delta = "response.output_text.delta";
    assert_eq!(types(events), ["response.created", "response.output_item.added", delta, delta, "response.completed"]);
    assert!(events.iter().all(|e| !e.data.contains('\r')));
    assert!(events[3].data.contains("\"delta\":\"wörld 😀\""));
    let events = &own["data_only_done.sse"];
    assert!(events.iter().all(|e| e.event == "message"));
    assert_eq!(events.len(), 5);
    assert_eq!(events.last().map(|e| e.data.as_str()), Some("[DONE]"));
    assert!(events[1].data.contains("日本"));
    let outcome = check(&std::fs::read(format!("{dir}/comments_keepalive.sse")).unwrap());
    assert_eq!(types(&outcome.events), ["response.created", "keepalive", delta, "response.completed"]);
    assert_eq!((outcome.retry, outcome.last_event_id.as_str()), (Some(3000), "evt_2"));
    let ids: Vec<&str> = outcome.events.iter().map(|e| e.last_event_id.as_str()).collect();
    assert_eq!(ids, ["evt_0", "evt_0", "evt_2", "evt_2"]);
    // Three `data:` lines joined by LF (JSON whitespace).
    assert_eq!(outcome.events[2].data.matches('\n').count(), 2);
    assert_eq!(types(&own["bom_cr_only.sse"]), [delta, "response.output_text.done"]);
    for path in recordings::shared(recordings::RECORDED).into_iter().flatten() {
        eprintln!("{}: {} events", recordings::name(&path), read(&path).len());
    }
}

fn types(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.event.as_str()).collect()
}
