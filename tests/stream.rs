//! The stream state machine (src/stream/): every row of the outcomes table (docs/architecture.md),
//! natively, in any chunking; replays that hide their start, resumed bodies, SSE re-encoding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]

use cometapi_responses::accumulate::Mirror;
use cometapi_responses::error::Error;
use cometapi_responses::stream::{Entry, Show, StreamState};
use std::path::PathBuf;

#[path = "common/recordings.rs"]
mod recordings;

/// What a consumer sees: the event types it got, then how the stream ended.
#[derive(Debug, PartialEq)]
struct Seen {
    types: Vec<String>,
    end: Result<(), String>,
    final_text: Option<String>,
}

fn class(e: &Error, has_response: bool) -> String {
    match e {
        Error::Api(a) => format!("ApiError code={:?} status={:?} has_response={has_response}", a.code, a.status),
        Error::Stream { .. } => format!("StreamError has_response={has_response}"),
        other => other.class_name().to_owned(),
    }
}

/// Drives the state machine as both shells do: feed chunks, apply every entry to a mirror, hand out
/// the `Yield` ones, until the outcome is decided (`end_of_body` at the end).
fn drive(s: StreamState, bytes: &[u8], chunk: usize) -> Seen {
    drive_with(s, bytes, chunk, StreamState::end_of_body, |_, _| {})
}

/// `drive`, with `end` for the end of the chunks and `each` seeing every entry and the mirror after it.
fn drive_with(
    mut s: StreamState,
    bytes: &[u8],
    chunk: usize,
    end: fn(&mut StreamState),
    mut each: impl FnMut(&Entry, &Mirror),
) -> Seen {
    let mut mirror = Mirror::new();
    let mut types = Vec::new();
    let mut chunks = bytes.chunks(chunk.max(1));
    loop {
        while let Some(e) = s.next_entry() {
            mirror.apply_all(&e.patches, &e.event);
            each(&e, &mirror);
            if e.show == Show::Yield {
                types.push(e.event.event_type().to_owned());
            }
        }
        if s.outcome().is_some() {
            break;
        }
        match chunks.next() {
            Some(c) => s.feed(c),
            None => end(&mut s),
        }
    }
    let has_response = mirror.value().is_some();
    let end = match s.outcome() {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(class(e, has_response)),
        None => Err("no outcome".into()),
    };
    let final_text = match end {
        Ok(()) => mirror.value().and_then(|v| v["output_text"].as_str()).map(str::to_owned),
        Err(_) => None,
    };
    Seen { types, end, final_text }
}

fn all_chunkings(bytes: &[u8]) -> Seen {
    let run = |bytes, size| drive(StreamState::entries(None), bytes, size);
    let whole = run(bytes, bytes.len());
    for size in [1, 2, 3, 7, 64, 301] {
        assert_eq!(run(bytes, size), whole, "chunk size {size}");
    }
    whole
}

fn ev(ty: &str, body: &str) -> String {
    format!("event: {ty}\ndata: {{\"type\":\"{ty}\"{body}}}\n\n")
}

fn created() -> String {
    ev("response.created", r#","response":{"id":"r","object":"response","status":"in_progress","output":[]}"#)
}

/// Where the text of `text_events` goes.
const AT: &str = r#","item_id":"m","output_index":0,"content_index":0"#;

/// A message item, its part and one delta per word of `text`.
fn text_events(text: &str) -> String {
    let item = r#"{"id":"m","type":"message","role":"assistant","status":"in_progress","content":[]}"#;
    let mut s = ev("response.output_item.added", &format!(r#","output_index":0,"item":{item}"#));
    s += &ev(
        "response.content_part.added",
        &format!(r#"{AT},"part":{{"type":"output_text","text":"","annotations":[]}}"#),
    );
    for word in text.split_inclusive(' ') {
        s += &ev("response.output_text.delta", &format!(r#"{AT},"delta":{}"#, serde_json::to_string(word).unwrap()));
    }
    s
}

fn completed(text: &str, status: &str) -> String {
    let part = format!(r#"{{"type":"output_text","text":{},"annotations":[]}}"#, serde_json::to_string(text).unwrap());
    let item = format!(r#"{{"id":"m","type":"message","role":"assistant","status":"completed","content":[{part}]}}"#);
    let response = format!(r#"{{"id":"r","object":"response","status":"{status}","output":[{item}]}}"#);
    ev(&format!("response.{status}"), &format!(r#","response":{response}"#))
}

/// A whole answer of `text`, completed.
fn answer(text: &str) -> String {
    created() + &text_events(text) + &completed(text, "completed")
}

const STREAM_ERROR: &str = "StreamError has_response=true";

#[test]
fn how_a_stream_ends() {
    // completed and incomplete end normally, with the final response
    for (status, text) in [("completed", "Hello there world"), ("incomplete", "Cut ")] {
        let seen = all_chunkings((created() + &text_events(text) + &completed(text, status)).as_bytes());
        assert_eq!((seen.end, seen.final_text.as_deref()), (Ok(()), Some(text)), "{status}");
        assert_eq!(seen.types.first().map(String::as_str), Some("response.created"), "{status}");
        assert_eq!(seen.types.last(), Some(&format!("response.{status}")), "{status}");
    }
    // failed: an ApiError at its position, with the response
    let failed = r#","response":{"id":"r","object":"response","status":"failed","output":[],"error":{"code":"server_error","message":"boom"}}"#;
    let s = created() + &text_events("partial ") + &ev("response.failed", failed) + &text_events("never seen");
    let seen = all_chunkings(s.as_bytes());
    assert_eq!(seen.end, Err("ApiError code=Some(\"server_error\") status=None has_response=true".into()));
    assert!(!seen.types.contains(&"response.failed".to_owned()));
    assert_eq!(seen.types.iter().filter(|t| t.ends_with(".delta")).count(), 1);
    // error events, nested and flat: ApiErrors
    let nested = r#","error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota","param":null}"#;
    let flat = r#","code":"rate_limit_exceeded","message":"slow down","param":null"#;
    for (e, code) in [(nested, "insufficient_quota"), (flat, "rate_limit_exceeded")] {
        let seen = all_chunkings((created() + &ev("error", e)).as_bytes());
        let end = seen.end.as_ref().unwrap_err();
        assert!(end.starts_with(&format!("ApiError code=Some(\"{code}\") status=None")), "{:?}", seen.end);
    }
    // a body without a terminal event: a StreamError, with the partial snapshot
    let seen = all_chunkings((created() + &text_events("half of it")).as_bytes());
    assert_eq!(seen.end, Err(STREAM_ERROR.into()));
    assert!(seen.types.len() > 3);
    assert_eq!(all_chunkings(b"").end, Err("StreamError has_response=false".into()));
    // [DONE], keepalives, comments and unknown events are not fatal
    let s = created() + ": ping\n\n" + &ev("keepalive", "") + &ev("response.something_new", r#","x":1"#);
    let seen = all_chunkings((s + &text_events("ok") + &completed("ok", "completed") + "data: [DONE]\n\n").as_bytes());
    assert_eq!(seen.end, Ok(()));
    assert!(seen.types.contains(&"keepalive".to_owned()));
    assert!(seen.types.contains(&"response.something_new".to_owned()));
    // malformed JSON: a StreamError after the events before it
    let bad = "event: response.output_text.delta\ndata: {\"type\": oops\n\n";
    let seen = all_chunkings((created() + &text_events("a b ") + bad + &completed("a b ", "completed")).as_bytes());
    assert_eq!(seen.end, Err(STREAM_ERROR.into()));
    assert_eq!(seen.types.iter().filter(|t| t.ends_with(".delta")).count(), 2);
    // an event over the size limit: a StreamError after the events before the oversized one
    let big = ev("response.output_text.delta", &format!(r#"{AT},"delta":"{}""#, "x".repeat(5000)));
    let s = created() + &text_events("a ") + &big;
    let seen = drive(StreamState::entries(Some(1024)), s.as_bytes(), s.len());
    assert_eq!(seen.end, Err(STREAM_ERROR.into()));
    assert_eq!(seen.types.len(), 4, "the events before the oversized one are handed out");
    // whatever follows the terminal event is ignored
    let late = "data: {not json\n\n".to_owned() + &ev("error", r#","message":"late""#);
    let seen = all_chunkings((answer("done") + &late).as_bytes());
    assert_eq!(seen.end, Ok(()));
}

/// The recordings in ../shared/fixtures/recorded (at least 9); `None` when absent (SKIPPED).
fn recorded() -> Option<Vec<PathBuf>> {
    let files = recordings::shared(recordings::RECORDED)?;
    assert!(files.len() >= 9, "only {} recordings found", files.len());
    Some(files)
}

/// Bridge recordings cut off before the terminal event, in chunks of 1..=64 bytes: a `StreamError`,
/// and after each entry the mirror's `output_text` is the deltas so far.
#[test]
fn bridge_streams_cut_off_keep_the_text_delivered() {
    let Some(files) = recordings::shared(recordings::BRIDGES) else { return };
    assert!(files.len() >= 3);
    for path in &files {
        let name = recordings::name(path);
        let text = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let cut = text
            .find(r#""type":"response.completed""#)
            .or_else(|| text.find(r#""type": "response.completed""#))
            .unwrap();
        let body = &text.as_bytes()[..text[..cut].rfind("data:").unwrap()];
        for chunk in 1..=64 {
            let mut deltas = String::new();
            let lost = |s: &mut StreamState| s.lost("reset");
            let seen = drive_with(StreamState::entries(None), body, chunk, lost, |e, mirror| {
                if e.event.event_type() == "response.output_text.delta" {
                    deltas.push_str(e.event.text().unwrap());
                }
                let snap = mirror.value().unwrap_or_else(|| panic!("{name}: no snapshot after an event"));
                assert_eq!(snap["output_text"], deltas.as_str(), "{name} chunk {chunk}");
            });
            assert!(seen.end.unwrap_err().starts_with("StreamError"), "{name}");
            if name.starts_with("litellm") || name.starts_with("ors") {
                assert!(!deltas.is_empty(), "{name}: text was delivered");
            }
        }
    }
}

#[test]
fn recorded_and_synthetic_streams_end_as_their_terminal_event_says() {
    for path in recordings::sse_files(recordings::SYNTHETIC) {
        let name = recordings::name(&path);
        let seen = all_chunkings(&std::fs::read(&path).unwrap());
        if matches!(name.as_str(), "failed.sse" | "flat_error.sse") {
            assert!(seen.end.as_ref().unwrap_err().starts_with("ApiError"), "{name}: {:?}", seen.end);
        } else {
            assert_eq!(seen.end, Ok(()), "{name}");
        }
    }
    for path in recorded().unwrap_or_default() {
        let seen = all_chunkings(&std::fs::read(&path).unwrap());
        let name = recordings::name(&path);
        if name.contains("error") {
            let want = "ApiError code=Some(\"insufficient_quota\") status=None has_response=true";
            assert_eq!(seen.end, Err(want.into()), "{name}");
        } else {
            assert_eq!(seen.end, Ok(()), "{name}");
            assert!(seen.final_text.is_some(), "{name}");
        }
    }
}

/// The frames of `body`, each event numbered by its position (`sequence_number`).
fn numbered_frames(body: &str) -> Vec<String> {
    let frames = body.split("\n\n").filter(|f| !f.is_empty()).enumerate();
    frames.map(|(i, f)| f.replacen("{\"type\":", &format!("{{\"sequence_number\":{i},\"type\":"), 1) + "\n\n").collect()
}

#[test]
fn hidden_events_are_folded_but_not_handed_out() {
    let body = answer("one two three");
    let numbered = numbered_frames(&body).concat();
    let mut st = StreamState::entries(None);
    st.hide_through(3);
    let seen = drive(st, numbered.as_bytes(), 7);
    assert_eq!((seen.end, seen.final_text.as_deref()), (Ok(()), Some("one two three")));
    // created (0), output_item.added (1), content_part.added (2), the first delta (3) are hidden.
    assert_eq!((seen.types.first().map(String::as_str), seen.types.len()), (Some("response.output_text.delta"), 3));
}

#[test]
fn a_restarted_body_drops_what_it_repeats_and_goes_on() {
    let frames = numbered_frames(&answer("a b c d"));
    let mut st = StreamState::entries(None);
    let mut mirror = Mirror::new();
    let mut types = Vec::new();
    let mut take = |st: &mut StreamState| {
        while let Some(e) = st.next_entry() {
            mirror.apply_all(&e.patches, &e.event);
            types.push(e.event.sequence_number());
        }
    };
    // The first body breaks after event 4 (a partial frame follows).
    st.feed(frames[..5].concat().as_bytes());
    st.feed(b"event: response.output_text.delta\ndata: {\"seq");
    st.lost("reset");
    take(&mut st);
    assert!(matches!(st.outcome(), Some(Err(Error::Stream { .. }))));
    assert_eq!((st.last_sequence_number(), st.response_id()), (Some(4), Some("r")));
    // The resumed body repeats events 3 and 4, then goes on.
    st.restart();
    assert!(st.outcome().is_none());
    st.feed(frames[3..].concat().as_bytes());
    take(&mut st);
    assert_eq!(st.outcome(), Some(&Ok(())));
    let want: Vec<Option<u64>> = (0..frames.len() as u64).map(Some).collect();
    assert_eq!(types, want, "every event once, in order");
    assert_eq!(mirror.value().unwrap()["output_text"], "a b c d");
}

#[test]
fn frames_reencode_each_event_as_received() {
    let data_only = "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[],\"n\":1.50}}\n\n";
    let body =
        format!("{data_only}: comment\n\n{}{}data: [DONE]\n\n", text_events("x y"), completed("x y", "completed"));
    let mut st = StreamState::batches(None);
    st.frames_mode(None);
    let mut out = String::new();
    for c in body.as_bytes().chunks(5) {
        st.feed(c);
        out.push_str(&st.take_frames().unwrap_or_default());
    }
    // The data-only event stays data-only, the number keeps its spelling; comments and [DONE]
    // are not events; every other event keeps its `event:` line.
    assert_eq!(out, format!("{data_only}{}{}", text_events("x y"), completed("x y", "completed")));
    assert!(st.take_terminal_batch().is_some_and(|b| b.ends_with(",1]")));
}

#[test]
fn teed_batches_carry_their_frames_beside() {
    let body = format!("{}{}{}", created(), text_events("x y"), completed("x y", "completed"));
    let (mut plain, mut frames_only, mut teed) =
        (StreamState::batches(None), StreamState::batches(None), StreamState::batches(None));
    frames_only.frames_mode(None);
    teed.tee(None);
    let (mut batches, mut frames, mut teed_batches, mut teed_frames) = (vec![], String::new(), vec![], String::new());
    for c in body.as_bytes().chunks(7) {
        for st in [&mut plain, &mut frames_only, &mut teed] {
            st.feed(c);
        }
        batches.extend(plain.take_batch());
        frames.push_str(&frames_only.take_frames().unwrap_or_default());
        teed_batches.extend(teed.take_batch());
        teed_frames.push_str(&teed.take_frames().unwrap_or_default());
        assert_eq!(teed.held(), None, "a teed stream is not held");
    }
    assert_eq!((teed_batches, teed_frames), (batches, frames.clone()));
    assert_eq!(frames, body);
    assert_eq!(teed.outcome(), Some(&Ok(())));
}

/// Batches mode read as js/stream.js reads it: entries `(event, patches, show)` (a `1` repeats the
/// previous entry's patches), and how many `1`s there were.
fn batch_entries(bytes: &[u8], chunk: usize) -> (Vec<(serde_json::Value, serde_json::Value, u64)>, usize) {
    let mut s = StreamState::batches(None);
    let (mut out, mut repeats) = (Vec::new(), 0);
    let mut take = |s: &mut StreamState| {
        if let Some(text) = s.take_batch() {
            let batch: serde_json::Value = serde_json::from_str(&text).unwrap();
            let mut prev: Option<serde_json::Value> = None;
            for e in batch.as_array().unwrap().chunks(3) {
                let ops = if e[1] == 1 {
                    repeats += 1;
                    let p = prev.clone().expect("a repeat is never the first entry of a batch");
                    assert!(p.as_array().unwrap().iter().all(|op| op[0] == "a"), "only appends repeat: {p}");
                    p
                } else {
                    e[1].clone()
                };
                prev = Some(ops.clone());
                out.push((e[0].clone(), ops, e[2].as_u64().unwrap()));
            }
        }
    };
    for c in bytes.chunks(chunk.max(1)) {
        s.feed(c);
        take(&mut s);
    }
    s.end_of_body();
    take(&mut s);
    (out, repeats)
}

/// Entries mode as `(event, patches, show)` (the Rust consumer's view), whole body at once.
fn entries_of(bytes: &[u8]) -> Vec<(serde_json::Value, serde_json::Value, u64)> {
    let mut s = StreamState::entries(None);
    s.feed(bytes);
    s.end_of_body();
    let mut out = Vec::new();
    while let Some(e) = s.next_entry() {
        let mut ops = String::new();
        cometapi_responses::accumulate::patch::write_json(&e.patches, &mut ops);
        let show = [Show::Yield, Show::Hide, Show::Fail].iter().position(|s| *s == e.show).unwrap() as u64;
        out.push((serde_json::from_str(e.event.json()).unwrap(), serde_json::from_str(&ops).unwrap(), show));
    }
    out
}

/// Batches say exactly what entries say, in any chunking, with the same outcome.
fn batches_agree_with_entries(bytes: &[u8], what: &str) {
    let expected = entries_of(bytes);
    assert_eq!(batch_entries(bytes, bytes.len()).0, expected, "{what}");
    let outcome = |mut s: StreamState| {
        s.feed(bytes);
        s.end_of_body();
        format!("{:?}", s.outcome())
    };
    assert_eq!(outcome(StreamState::batches(None)), outcome(StreamState::entries(None)), "{what}: the same outcome");
    for chunk in [1, 7, 64, 301] {
        assert_eq!(batch_entries(bytes, chunk).0, expected, "{what}, chunk size {chunk}");
    }
}

#[test]
fn batches_repeat_a_run_of_appends_as_1_and_mean_the_same_as_entries() {
    let body = answer("one two three four five six");
    batches_agree_with_entries(body.as_bytes(), "text");
    let repeats = batch_entries(body.as_bytes(), body.len()).1;
    assert_eq!(repeats, 5, "six deltas: the first writes its appends, five repeat them");
    let files = recordings::sse_files(recordings::SYNTHETIC);
    assert!(files.len() >= 5, "only {} synthetic fixtures", files.len());
    for path in files.iter().chain(&recorded().unwrap_or_default()) {
        batches_agree_with_entries(&std::fs::read(path).unwrap(), &path.display().to_string());
    }
}

#[test]
fn a_body_with_no_event_says_how_it_begins() {
    let ended = |chunks: &[&[u8]]| {
        let mut st = StreamState::entries(None);
        for c in chunks {
            st.feed(c);
        }
        st.end_of_body();
        match st.outcome() {
            Some(Err(Error::Stream { message, .. })) => message.clone(),
            other => panic!("{other:?}"),
        }
    };
    let json = br#"{"error":{"message":"Insufficient quota","type":"insufficient_quota"}}"#;
    let m = ended(&[&json[..20], &json[20..]]);
    assert!(m.ends_with(&format!("; no event came, the body begins: {}", std::str::from_utf8(json).unwrap())), "{m}");
    let page = format!("<html><body>{}</body></html>", "x".repeat(500));
    let m = ended(&[page.as_bytes()]);
    assert!(m.ends_with(&format!("the body begins: <html><body>{}…", "x".repeat(108))), "{m}");
    // an empty body, and one whose events came, say nothing of it
    let plain =
        "the stream ended before a terminal event (response.completed, response.incomplete, response.failed or error)";
    assert_eq!(ended(&[]), plain);
    assert_eq!(ended(&[format!("{}hello", created()).as_bytes()]), plain);
}
