#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the accumulator (`src/accumulate.rs`).
//!
//! Recorded streams (`../shared/fixtures/recorded`, third-party data, read in place, never
//! copied): every event but the terminal one is pushed, then the snapshot's `output` must equal
//! the terminal event's `response.output` item by item, field by field, with two documented
//! exceptions that are the servers' doing, not ours:
//! - `encrypted_content` of reasoning items: OpenAI re-encrypts the opaque blob for the final
//!   response, so `output_item.done` and `response.completed` carry different ciphertexts;
//! - item `id`s that are temporary on both sides (`*_tmp_*`): OpenRouter regenerates them in
//!   `response.completed`.
//!
//! A second pass drops every `*.done`, `content_part.done`, `reasoning_summary_part.done` and
//! `output_item.done` event, so the snapshot is built from `added` + deltas alone, and compares
//! the texts (content text/refusal, summaries, arguments, input, code) with the final response.
//!
//! Synthetic streams of our own live in `tests/fixtures/responses/*.sse`, each with a
//! `.expected.json` (outcome, output_text, JSON-pointer checks).

use std::path::{Path, PathBuf};

use cometapi_responses::accumulate::{compute_output_text, with_output_text, Accumulator, Outcome};
use cometapi_responses::error::Error;
use cometapi_responses::event::{decode, EventKind, ResponseEvent};
use cometapi_responses::sse::{self, Parser};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers

const RECORDED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/recorded");
const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");

fn sse_files(dir: &str) -> Option<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|s| s.to_str()) == Some("sse"))
        .collect();
    files.sort();
    Some(files)
}

fn recorded_files() -> Option<Vec<PathBuf>> {
    let files = sse_files(RECORDED);
    if files.as_ref().map_or(true, Vec::is_empty) {
        eprintln!("SKIPPED: no recorded fixtures at {RECORDED} (the shared third-party recordings are not part of this repository)");
        return None;
    }
    files
}

fn name(p: &Path) -> String {
    p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn decode_bytes(bytes: &[u8]) -> Vec<ResponseEvent> {
    sse::parse_all(bytes).expect("SSE parses").iter().filter_map(|e| decode(e).expect("event decodes")).collect()
}

fn load(p: &Path) -> Vec<ResponseEvent> {
    decode_bytes(&std::fs::read(p).expect("fixture readable"))
}

fn ev(v: Value) -> ResponseEvent {
    ResponseEvent::from_json(&v.to_string()).expect("valid event")
}

/// Index of the last terminal lifecycle event (completed/incomplete/failed).
fn terminal_index(evs: &[ResponseEvent]) -> Option<usize> {
    evs.iter().rposition(|e| e.kind().is_terminal() && e.kind().is_lifecycle())
}

fn is_tmp_id(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| s.contains("_tmp_"))
}

/// Field-by-field comparison of output items with the documented exceptions.
fn assert_output_eq(file: &str, got: &Value, want: &Value) {
    let (Some(got), Some(want)) = (got.as_array(), want.as_array()) else {
        panic!("{file}: output is not an array: {got} / {want}");
    };
    assert_eq!(got.len(), want.len(), "{file}: number of output items");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let (Some(go), Some(wo)) = (g.as_object(), w.as_object()) else {
            panic!("{file}: item {i} is not an object");
        };
        let keys: std::collections::BTreeSet<&String> = go.keys().chain(wo.keys()).collect();
        for k in keys {
            if k == "encrypted_content" && w["type"] == "reasoning" {
                assert_eq!(go.contains_key(k), wo.contains_key(k), "{file}: item {i}.{k} presence");
                continue;
            }
            if k == "id" && is_tmp_id(go.get(k)) && is_tmp_id(wo.get(k)) {
                continue;
            }
            assert_eq!(go.get(k), wo.get(k), "{file}: output item {i}, field `{k}`");
        }
    }
}

/// The texts of an output item: what deltas build.
fn essence(item: &Value) -> Value {
    let texts = |arr: &Value| -> Vec<Value> {
        arr.as_array()
            .map(|a| {
                a.iter()
                    .map(|p| json!({"type": p["type"], "text": p.get("text"), "refusal": p.get("refusal")}))
                    .collect()
            })
            .unwrap_or_default()
    };
    json!({
        "type": item["type"],
        "content": texts(&item["content"]),
        "summary": texts(&item["summary"]),
        "arguments": item.get("arguments"),
        "input": item.get("input"),
        "code": item.get("code"),
    })
}

fn is_done_event(k: EventKind) -> bool {
    use EventKind as K;
    matches!(
        k,
        K::OutputItemDone
            | K::ContentPartDone
            | K::ReasoningSummaryPartDone
            | K::OutputTextDone
            | K::RefusalDone
            | K::FunctionCallArgumentsDone
            | K::ReasoningSummaryTextDone
            | K::ReasoningTextDone
            | K::CustomToolCallInputDone
            | K::CodeInterpreterCallCodeDone
            | K::McpCallArgumentsDone
    )
}

fn push_all(acc: &mut Accumulator, evs: &[ResponseEvent]) {
    for e in evs {
        if let Err(err) = acc.push(e) {
            panic!("push `{}` failed: {err}", e.event_type());
        }
        assert_eq!(
            acc.output_text(),
            acc.snapshot().map(compute_output_text).unwrap_or_default(),
            "output_text out of sync after `{}`",
            e.event_type()
        );
    }
}

/// Checks shared by recorded and synthetic streams; returns the accumulator before the
/// terminal event and the one after all events.
fn check_stream(file: &str, evs: &[ResponseEvent]) -> (Accumulator, Accumulator) {
    let t = terminal_index(evs);
    let (before, rest) = evs.split_at(t.unwrap_or(evs.len()));
    let mut acc = Accumulator::new();
    push_all(&mut acc, before);
    let pre = acc.clone();
    if let Some(t) = t {
        let resp = evs[t].payload().expect("terminal response");
        let snap = acc.snapshot().expect("a snapshot before the terminal event");
        assert_output_eq(file, &snap["output"], &resp["output"]);
        assert_eq!(acc.output_text(), compute_output_text(resp), "{file}: output_text");
        if let Some(Value::String(server)) = resp.get("output_text") {
            if !server.is_empty() {
                assert_eq!(acc.output_text(), server, "{file}: server's output_text");
            }
        }
        // Deltas only: no `.done` event at all.
        let mut lean = Accumulator::new();
        push_all(&mut lean, before.iter().filter(|e| !is_done_event(e.kind())).cloned().collect::<Vec<_>>().as_slice());
        let lean_out = lean.snapshot().expect("snapshot")["output"].as_array().cloned().unwrap_or_default();
        let want_out = resp["output"].as_array().cloned().unwrap_or_default();
        assert_eq!(lean_out.len(), want_out.len(), "{file}: deltas only: number of items");
        for (i, (g, w)) in lean_out.iter().zip(&want_out).enumerate() {
            assert_eq!(essence(g), essence(w), "{file}: deltas only: item {i}");
        }
        assert_eq!(lean.output_text(), compute_output_text(resp), "{file}: deltas only: output_text");

        // The terminal event: the snapshot becomes its response (plus output_text).
        let v0 = acc.version();
        push_all(&mut acc, rest);
        assert!(acc.version() > v0);
        let mut want = resp.clone();
        want["output_text"] = Value::String(compute_output_text(resp));
        assert_eq!(acc.snapshot(), Some(&want), "{file}: final snapshot");
        let parsed: Value = serde_json::from_str(&acc.response_json().expect("json")).expect("valid JSON");
        assert_eq!(parsed, want, "{file}: response_json");
    } else {
        push_all(&mut acc, rest);
    }
    (pre, acc)
}

/// Feeds `bytes` in the given chunks through the incremental parser, decodes and accumulates.
fn accumulate_chunked(bytes: &[u8], cuts: &[usize]) -> Accumulator {
    let mut parser = Parser::new();
    let mut events = Vec::new();
    let mut acc = Accumulator::new();
    let mut start = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(bytes.len());
    for cut in cuts {
        parser.feed(&bytes[start..cut], &mut events).expect("feed");
        start = cut;
        for e in events.drain(..) {
            if let Some(ev) = decode(&e).expect("decode") {
                acc.push(&ev).expect("push");
            }
        }
    }
    parser.finish();
    acc
}

// ---------------------------------------------------------------------------------------------
// Recorded streams

#[test]
fn recorded_streams_accumulate_to_the_terminal_response() {
    let Some(files) = recorded_files() else {
        return;
    };
    assert!(files.len() >= 9, "expected the nine recordings, found {}", files.len());
    for p in &files {
        let file = name(p);
        let evs = load(p);
        assert!(!evs.is_empty(), "{file}: no events");
        let (_, acc) = check_stream(&file, &evs);
        let want = match evs.iter().find(|e| e.is_terminal()).map(ResponseEvent::kind) {
            Some(EventKind::Completed) => "completed",
            Some(EventKind::Error) => "error",
            other => panic!("{file}: unexpected first terminal event {other:?}"),
        };
        let got = match acc.outcome() {
            Outcome::Completed => "completed",
            Outcome::Error(_) => "error",
            o => panic!("{file}: outcome {o:?}"),
        };
        assert_eq!(got, want, "{file}: outcome");
    }
}

#[test]
fn recorded_error_stream_yields_the_nested_error_normalised() {
    let Some(files) = recorded_files() else {
        return;
    };
    let Some(p) = files.iter().find(|p| name(p) == "openai_error_nested_then_failed.sse") else {
        eprintln!("SKIPPED: openai_error_nested_then_failed.sse not found");
        return;
    };
    let evs = load(p);
    let mut acc = Accumulator::new();
    // Up to and including the `error` event.
    let e = evs.iter().position(|e| e.kind() == EventKind::Error).expect("an error event");
    push_all(&mut acc, &evs[..=e]);
    let Outcome::Error(err) = acc.outcome().clone() else { panic!("outcome {:?}", acc.outcome()) };
    assert_eq!(err.code.as_deref(), Some("insufficient_quota"));
    assert_eq!(err.error_type.as_deref(), Some("insufficient_quota"));
    assert_eq!(err.param, None);
    assert_eq!(err.status, None);
    assert!(err.message.starts_with("You exceeded your current quota"));
    assert_eq!(err.body.as_deref(), Some(evs[e].json()));
    let partial: Value = serde_json::from_str(err.response.as_deref().expect("partial snapshot")).unwrap();
    assert_eq!(partial["id"], "resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424");
    assert_eq!(partial["status"], "in_progress");
    // response.failed follows: the snapshot follows it, the outcome stays the first terminal's.
    push_all(&mut acc, &evs[e + 1..]);
    assert!(matches!(acc.outcome(), Outcome::Error(_)));
    assert_eq!(acc.snapshot().unwrap()["status"], "failed");
}

#[test]
fn recorded_failed_event_alone_gives_failed_outcome() {
    let Some(files) = recorded_files() else {
        return;
    };
    let Some(p) = files.iter().find(|p| name(p) == "openai_error_nested_then_failed.sse") else {
        return;
    };
    let evs: Vec<_> = load(p).into_iter().filter(|e| e.kind() != EventKind::Error).collect();
    let mut acc = Accumulator::new();
    push_all(&mut acc, &evs);
    let Outcome::Failed(err) = acc.outcome() else { panic!("outcome {:?}", acc.outcome()) };
    assert_eq!(err.code.as_deref(), Some("insufficient_quota"));
    assert!(err.message.starts_with("You exceeded your current quota"));
    let resp: Value = serde_json::from_str(err.response.as_deref().unwrap()).unwrap();
    assert_eq!(resp["status"], "failed");
    assert_eq!(resp["output_text"], "");
}

/// The resume recording (`starting_after=0`) starts at `response.queued`, a lifecycle event:
/// it accumulates like a full stream. A replay that starts after every lifecycle event cannot
/// be accumulated (there is no Response to put items in): the first content event is a
/// protocol violation, reported as `Error::Stream`, and the events stay decodable.
#[test]
fn recorded_background_resume() {
    let Some(files) = recorded_files() else {
        return;
    };
    let Some(p) = files.iter().find(|p| name(p) == "openai_background_resume_starting_after0.sse") else {
        eprintln!("SKIPPED: openai_background_resume_starting_after0.sse not found");
        return;
    };
    let evs = load(p);
    assert_eq!(evs[0].kind(), EventKind::Queued);
    assert_eq!(evs[0].sequence_number(), Some(1));
    let (_, acc) = check_stream("resume", &evs);
    assert_eq!(acc.output_text(), "2 + 2 equals 4.");
    assert_eq!(*acc.outcome(), Outcome::Completed);

    // As if resumed with starting_after=4: the first event is a delta.
    let late: Vec<_> = evs.iter().filter(|e| e.sequence_number() > Some(4)).cloned().collect();
    assert_eq!(late[0].kind(), EventKind::OutputTextDelta);
    let mut acc = Accumulator::new();
    match acc.push(&late[0]) {
        Err(Error::Stream { message, response: None }) => {
            assert!(message.contains("before any lifecycle event"), "{message}")
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
    assert!(acc.snapshot().is_none());
    // The terminal event alone still gives the final response.
    acc.push(late.last().unwrap()).unwrap();
    assert_eq!(acc.output_text(), "2 + 2 equals 4.");
}

// ---------------------------------------------------------------------------------------------
// Synthetic streams

#[test]
fn synthetic_streams_match_their_expectations() {
    let files = sse_files(SYNTHETIC).expect("tests/fixtures/responses exists");
    assert!(files.len() >= 10, "found {}", files.len());
    for p in &files {
        let file = name(p);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(p.with_extension("expected.json")).expect("expected.json"))
                .expect("expected.json parses");
        let evs = load(p);
        let (pre, acc) = check_stream(&file, &evs);

        let outcome = match acc.outcome() {
            Outcome::Pending => "pending",
            Outcome::Completed => "completed",
            Outcome::Incomplete => "incomplete",
            Outcome::Failed(_) => "failed",
            Outcome::Error(_) => "error",
        };
        assert_eq!(outcome, expected["outcome"], "{file}: outcome");
        assert_eq!(acc.output_text(), expected["output_text"], "{file}: output_text");
        if let Outcome::Failed(e) | Outcome::Error(e) = acc.outcome() {
            assert_eq!(e.code.as_deref(), expected["error_code"].as_str(), "{file}: code");
            assert_eq!(e.message, expected["error_message"], "{file}: message");
            assert_eq!(e.status, None);
        }
        let pre_snap = pre.snapshot().expect("snapshot");
        for (ptr, want) in expected["checks"].as_object().into_iter().flatten() {
            assert_eq!(pre_snap.pointer(ptr), Some(want), "{file}: {ptr}");
        }
        let snap = acc.snapshot().expect("snapshot");
        for (ptr, want) in expected["final_checks"].as_object().into_iter().flatten() {
            assert_eq!(snap.pointer(ptr), Some(want), "{file}: final {ptr}");
        }
        if let Some(checks) = expected["delta_only_checks"].as_object() {
            let t = terminal_index(&evs).unwrap_or(evs.len());
            let lean: Vec<_> = evs[..t].iter().filter(|e| !is_done_event(e.kind())).cloned().collect();
            let mut acc = Accumulator::new();
            push_all(&mut acc, &lean);
            for (ptr, want) in checks {
                assert_eq!(acc.snapshot().unwrap().pointer(ptr), Some(want), "{file}: deltas only {ptr}");
            }
        }
        for (ty, n) in expected["counts"].as_object().into_iter().flatten() {
            let got = evs.iter().filter(|e| e.event_type() == ty).count() as u64;
            assert_eq!(Some(got), n.as_u64(), "{file}: number of `{ty}` events");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Chunking independence

fn chunking_inputs() -> Vec<(String, Vec<u8>)> {
    let mut files = sse_files(SYNTHETIC).unwrap_or_default();
    if let Some(rec) = sse_files(RECORDED) {
        // The small recordings (the 190 kB one makes each case slow in debug builds).
        files.extend(rec.into_iter().filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 20_000)));
    }
    files.iter().map(|p| (name(p), std::fs::read(p).unwrap())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same events under any chunking of their SSE bytes give the same snapshot, outcome
    /// and version.
    #[test]
    fn any_chunking_gives_the_same_snapshot(
        which in 0usize..64,
        cuts in proptest::collection::vec(any::<usize>(), 0..40),
    ) {
        let inputs = chunking_inputs();
        let (file, bytes) = &inputs[which % inputs.len()];
        let whole = accumulate_chunked(bytes, &[]);
        let chunked = accumulate_chunked(bytes, &cuts);
        prop_assert_eq!(whole.snapshot(), chunked.snapshot(), "{}", file);
        prop_assert_eq!(whole.outcome(), chunked.outcome(), "{}", file);
        prop_assert_eq!(whole.version(), chunked.version(), "{}", file);
        prop_assert_eq!(whole.output_text(), chunked.output_text(), "{}", file);
    }
}

#[test]
fn one_byte_drip_gives_the_same_snapshot() {
    for (file, bytes) in chunking_inputs() {
        let whole = accumulate_chunked(&bytes, &[]);
        let cuts: Vec<usize> = (1..bytes.len()).collect();
        let drip = accumulate_chunked(&bytes, &cuts);
        assert_eq!(whole.snapshot(), drip.snapshot(), "{file}");
    }
}

// ---------------------------------------------------------------------------------------------
// Incremental output_text against a recount, under random event sequences

#[derive(Debug, Clone)]
enum Op {
    AddMessage,
    AddOther,
    AddPart { item: usize, refusal: bool },
    Delta { item: usize, part: usize, text: String },
    Done { item: usize, part: usize, text: String },
    ItemDone { item: usize },
    PartDone { item: usize, part: usize, text: String },
    InProgressEmpty,
}

fn op() -> impl Strategy<Value = Op> {
    let text = "[a-zé🌍 ]{0,6}";
    prop_oneof![
        1 => Just(Op::AddMessage),
        1 => Just(Op::AddOther),
        2 => (0usize..4, any::<bool>()).prop_map(|(item, refusal)| Op::AddPart { item, refusal }),
        6 => (0usize..4, 0usize..3, text).prop_map(|(item, part, text)| Op::Delta { item, part, text }),
        1 => (0usize..4, 0usize..3, text).prop_map(|(item, part, text)| Op::Done { item, part, text }),
        1 => (0usize..4).prop_map(|item| Op::ItemDone { item }),
        1 => (0usize..4, 0usize..3, text).prop_map(|(item, part, text)| Op::PartDone { item, part, text }),
        1 => Just(Op::InProgressEmpty),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn incremental_output_text_equals_a_recount(ops in proptest::collection::vec(op(), 0..60)) {
        let mut acc = Accumulator::new();
        acc.push(&ev(json!({"type":"response.created","response":{"id":"r","output":[]}}))).unwrap();
        for op in ops {
            let n = acc.snapshot().unwrap()["output"].as_array().unwrap().len();
            let e = match op {
                Op::AddMessage => json!({"type":"response.output_item.added","output_index":n,
                    "item":{"type":"message","id":format!("m{n}"),"content":[]}}),
                Op::AddOther => json!({"type":"response.output_item.added","output_index":n,
                    "item":{"type":"function_call","id":format!("f{n}"),"arguments":""}}),
                Op::AddPart { item, refusal } => {
                    let len = acc.snapshot().unwrap().pointer(&format!("/output/{item}/content")).and_then(Value::as_array).map_or(0, Vec::len);
                    let part = if refusal { json!({"type":"refusal","refusal":""}) } else { json!({"type":"output_text","text":"","annotations":[]}) };
                    json!({"type":"response.content_part.added","output_index":item,"content_index":len,"part":part})
                }
                Op::Delta { item, part, text } => json!({"type":"response.output_text.delta","output_index":item,"content_index":part,"delta":text}),
                Op::Done { item, part, text } => json!({"type":"response.output_text.done","output_index":item,"content_index":part,"text":text}),
                Op::PartDone { item, part, text } => json!({"type":"response.content_part.done","output_index":item,"content_index":part,
                    "part":{"type":"output_text","text":text,"annotations":[]}}),
                Op::ItemDone { item } => {
                    let mut it = acc.snapshot().unwrap().pointer(&format!("/output/{item}")).cloned().unwrap_or(json!({"type":"message","content":[]}));
                    it["status"] = json!("completed");
                    json!({"type":"response.output_item.done","output_index":item,"item":it})
                }
                Op::InProgressEmpty => json!({"type":"response.in_progress","response":{"id":"r","output":[]}}),
            };
            let before = acc.clone();
            match acc.push(&ev(e)) {
                Ok(()) => {}
                Err(Error::Stream { .. }) => {
                    // A rejected event changes nothing.
                    prop_assert_eq!(acc.snapshot(), before.snapshot());
                    prop_assert_eq!(acc.version(), before.version());
                }
                Err(other) => prop_assert!(false, "unexpected error {:?}", other),
            }
            let recount = compute_output_text(acc.snapshot().unwrap());
            prop_assert_eq!(acc.output_text(), recount.as_str());
            prop_assert_eq!(acc.snapshot().unwrap()["output_text"].as_str(), Some(recount.as_str()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rules, one by one

fn created() -> ResponseEvent {
    ev(json!({"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}))
}

fn with_message(text: &str) -> Accumulator {
    let mut acc = Accumulator::new();
    push_all(
        &mut acc,
        &[
            created(),
            ev(
                json!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}),
            ),
            ev(
                json!({"type":"response.content_part.added","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
            ),
            ev(json!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":text})),
        ],
    );
    acc
}

fn expect_violation(acc: &mut Accumulator, e: Value, needle: &str) {
    let before = acc.clone();
    match acc.push(&ev(e)) {
        Err(Error::Stream { message, .. }) => {
            assert!(message.contains(needle), "message {message:?} lacks {needle:?}")
        }
        other => panic!("expected Error::Stream, got {other:?}"),
    }
    assert_eq!(acc.snapshot(), before.snapshot(), "a failed push changed the snapshot");
    assert_eq!(acc.version(), before.version());
}

#[test]
fn nothing_before_the_first_lifecycle_event() {
    let acc = Accumulator::new();
    assert!(acc.snapshot().is_none());
    assert_eq!(acc.output_text(), "");
    assert_eq!(acc.response_json(), None);
    assert_eq!(*acc.outcome(), Outcome::Pending);
    assert_eq!(acc.version(), 0);
}

#[test]
fn content_event_before_any_lifecycle_event_is_a_stream_error() {
    let mut acc = Accumulator::new();
    expect_violation(
        &mut acc,
        json!({"type":"response.output_item.added","output_index":0,"item":{"type":"message"}}),
        "before any lifecycle event",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"x"}),
        "before any lifecycle event",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.web_search_call.searching","output_index":0}),
        "before any lifecycle event",
    );
}

#[test]
fn out_of_range_indices_are_stream_errors() {
    let mut acc = with_message("hi");
    expect_violation(
        &mut acc,
        json!({"type":"response.output_item.added","output_index":5,"item":{"type":"message"}}),
        "output_index 5",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":3,"content_index":0,"delta":"x"}),
        "output_index 3",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":0,"content_index":2,"delta":"x"}),
        "index 2",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.content_part.added","output_index":0,"content_index":9,"part":{"type":"output_text","text":""}}),
        "index 9",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation_index":3,"annotation":{}}),
        "annotation_index 3",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.annotation.added","output_index":0,"content_index":4,"annotation_index":0,"annotation":{}}),
        "index 4",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_item.added","output_index":18446744073709551615u64,"item":{"type":"message"}}),
        "output_index",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.reasoning_summary_text.delta","output_index":0,"summary_index":1,"delta":"x"}),
        "index 1",
    );
    assert_eq!(acc.output_text(), "hi");
}

#[test]
fn malformed_events_are_stream_errors() {
    let mut acc = with_message("hi");
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":0,"content_index":0}),
        "delta",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":7}),
        "delta",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","output_index":0,"delta":"x"}),
        "content_index",
    );
    expect_violation(&mut acc, json!({"type":"response.output_text.delta","content_index":0,"delta":"x"}), "neither");
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.delta","item_id":"nope","content_index":0,"delta":"x"}),
        "item_id",
    );
    expect_violation(&mut acc, json!({"type":"response.in_progress"}), "response");
    expect_violation(&mut acc, json!({"type":"response.completed","response":[1]}), "response");
    expect_violation(&mut acc, json!({"type":"response.output_item.added","output_index":1}), "item");
    expect_violation(&mut acc, json!({"type":"response.output_item.added","output_index":1,"item":"x"}), "item");
    expect_violation(
        &mut acc,
        json!({"type":"response.content_part.added","output_index":0,"content_index":1}),
        "part",
    );
    expect_violation(
        &mut acc,
        json!({"type":"response.output_text.annotation.added","output_index":0,"content_index":0}),
        "annotation",
    );
}

#[test]
fn violations_carry_the_partial_snapshot() {
    let mut acc = with_message("partial");
    let e = acc.push(&ev(json!({"type":"response.output_item.added","output_index":7,"item":{}}))).unwrap_err();
    let Error::Stream { response: Some(r), .. } = e else { panic!("{e:?}") };
    let r: Value = serde_json::from_str(&r).unwrap();
    assert_eq!(r["output_text"], "partial");
}

#[test]
fn item_id_locates_the_item_when_output_index_is_missing() {
    let mut acc = with_message("a");
    acc.push(&ev(json!({"type":"response.output_text.delta","item_id":"m","content_index":0,"delta":"b"}))).unwrap();
    assert_eq!(acc.output_text(), "ab");
}

#[test]
fn mid_stream_lifecycle_with_empty_output_keeps_the_accumulated_output() {
    let mut acc = with_message("kept");
    let v = acc.version();
    acc.push(&ev(
        json!({"type":"response.in_progress","response":{"id":"r","status":"in_progress","output":[],"usage":null}}),
    ))
    .unwrap();
    assert!(acc.version() > v);
    assert_eq!(acc.output_text(), "kept");
    assert_eq!(acc.snapshot().unwrap()["output"][0]["content"][0]["text"], "kept");
    // Without any `output` key as well.
    acc.push(&ev(json!({"type":"response.queued","response":{"id":"r","status":"queued"}}))).unwrap();
    assert_eq!(acc.output_text(), "kept");
    assert_eq!(acc.snapshot().unwrap()["status"], "queued");
    // A non-empty output in a non-terminal lifecycle event is the server's word.
    acc.push(&ev(json!({"type":"response.in_progress","response":{"id":"r","output":[
        {"type":"message","content":[{"type":"output_text","text":"server"}]}]}})))
        .unwrap();
    assert_eq!(acc.output_text(), "server");
}

#[test]
fn terminal_lifecycle_output_wins_even_when_empty() {
    let mut acc = with_message("gone");
    acc.push(&ev(json!({"type":"response.completed","response":{"id":"r","status":"completed","output":[]}}))).unwrap();
    assert_eq!(acc.output_text(), "");
    assert_eq!(*acc.outcome(), Outcome::Completed);
    // ... but a terminal event with no `output` key at all keeps what we have.
    let mut acc = with_message("kept");
    acc.push(&ev(json!({"type":"response.incomplete","response":{"id":"r","status":"incomplete"}}))).unwrap();
    assert_eq!(acc.output_text(), "kept");
    assert_eq!(*acc.outcome(), Outcome::Incomplete);
}

#[test]
fn server_output_text_is_replaced_by_the_computed_one() {
    let mut acc = Accumulator::new();
    acc.push(&ev(json!({"type":"response.completed","response":{"id":"r","output_text":"wrong","output":[
        {"type":"message","content":[{"type":"output_text","text":"A"},{"type":"refusal","refusal":"no"},{"type":"output_text","text":"B"}]},
        {"type":"reasoning","content":[{"type":"output_text","text":"not a message"}]},
        {"type":"message","content":[{"type":"output_text","text":"C"}]}]}}))).unwrap();
    assert_eq!(acc.output_text(), "ABC");
    assert_eq!(acc.snapshot().unwrap()["output_text"], "ABC");
}

#[test]
fn keepalive_and_unknown_events_change_nothing() {
    let mut acc = with_message("x");
    let v = acc.version();
    let snap = acc.snapshot().cloned();
    for e in [
        json!({"type":"keepalive","sequence_number":9}),
        json!({"type":"response.brand_new.thing","output_index":99,"delta":"zzz"}),
        json!({"type":"response.audio.delta","delta":"AAAA"}),
        json!({"type":"response.audio.transcript.done","transcript":"t"}),
    ] {
        acc.push(&ev(e)).unwrap();
    }
    assert_eq!(acc.version(), v);
    assert_eq!(acc.snapshot().cloned(), snap);
}

#[test]
fn version_bumps_on_every_change() {
    let mut acc = Accumulator::new();
    let mut last = acc.version();
    for e in [
        created(),
        ev(
            json!({"type":"response.output_item.added","output_index":0,"item":{"type":"web_search_call","id":"ws","status":"in_progress"}}),
        ),
        ev(json!({"type":"response.web_search_call.searching","output_index":0,"item_id":"ws"})),
        ev(
            json!({"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m","content":[]}}),
        ),
        ev(
            json!({"type":"response.content_part.added","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        ),
        ev(json!({"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":"a"})),
        ev(
            json!({"type":"response.output_text.annotation.added","output_index":1,"content_index":0,"annotation":{"type":"file_citation"}}),
        ),
        ev(json!({"type":"response.output_text.done","output_index":1,"content_index":0,"text":"ab"})),
    ] {
        acc.push(&e).unwrap();
        assert!(acc.version() > last, "no bump after {}", e.event_type());
        last = acc.version();
    }
    let snap = acc.snapshot().unwrap();
    assert_eq!(snap["output"][0]["status"], "searching");
    assert_eq!(snap["output"][1]["content"][0]["annotations"][0]["type"], "file_citation");
    assert_eq!(acc.output_text(), "ab");
}

#[test]
fn tool_status_events_set_the_item_status() {
    let cases = [
        ("web_search_call", "response.web_search_call.in_progress", "in_progress"),
        ("web_search_call", "response.web_search_call.searching", "searching"),
        ("web_search_call", "response.web_search_call.completed", "completed"),
        ("file_search_call", "response.file_search_call.searching", "searching"),
        ("file_search_call", "response.file_search_call.completed", "completed"),
        ("code_interpreter_call", "response.code_interpreter_call.interpreting", "interpreting"),
        ("image_generation_call", "response.image_generation_call.generating", "generating"),
        ("image_generation_call", "response.image_generation_call.partial_image", "generating"),
        ("image_generation_call", "response.image_generation_call.completed", "completed"),
        ("mcp_call", "response.mcp_call.failed", "failed"),
        ("mcp_list_tools", "response.mcp_list_tools.in_progress", "in_progress"),
    ];
    for (item_type, ty, status) in cases {
        let mut acc = Accumulator::new();
        acc.push(&created()).unwrap();
        acc.push(&ev(json!({"type":"response.output_item.added","output_index":0,"item":{"type":item_type,"id":"x"}})))
            .unwrap();
        acc.push(&ev(
            json!({"type":ty,"output_index":0,"item_id":"x","partial_image_b64":"AAAA","partial_image_index":0}),
        ))
        .unwrap();
        assert_eq!(acc.snapshot().unwrap()["output"][0]["status"], status, "{ty}");
    }
}

#[test]
fn done_without_value_keeps_the_deltas() {
    let mut acc = with_message("abc");
    acc.push(&ev(json!({"type":"response.output_text.done","output_index":0,"content_index":0}))).unwrap();
    assert_eq!(acc.output_text(), "abc");
}

#[test]
fn output_item_added_at_an_existing_index_replaces_it() {
    let mut acc = with_message("old");
    acc.push(&ev(
        json!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}),
    ))
    .unwrap();
    assert_eq!(acc.output_text(), "");
    assert_eq!(acc.snapshot().unwrap()["output"].as_array().unwrap().len(), 1);
}

#[test]
fn error_event_without_snapshot_and_the_first_terminal_wins() {
    let mut acc = Accumulator::new();
    acc.push(&ev(json!({"type":"error","code":"server_error","message":"boom","param":null}))).unwrap();
    let Outcome::Error(e) = acc.outcome() else { panic!() };
    assert_eq!(e.response, None);
    assert_eq!(e.message, "boom");
    acc.push(&ev(json!({"type":"response.completed","response":{"output":[]}}))).unwrap();
    assert!(matches!(acc.outcome(), Outcome::Error(_)));
}

#[test]
fn failed_without_error_details_still_has_a_message() {
    let mut acc = Accumulator::new();
    acc.push(&ev(json!({"type":"response.failed","response":{"id":"r","status":"failed","error":null,"output":[]}})))
        .unwrap();
    let Outcome::Failed(e) = acc.outcome() else { panic!() };
    assert!(!e.message.is_empty());
    assert_eq!(e.code, None);
    assert!(e.response.as_deref().unwrap().contains("\"status\":\"failed\""));
}

#[test]
fn long_stream_of_deltas_is_exact() {
    // 20k deltas (the benchmark's shape) with multi-byte text.
    let mut acc = with_message("");
    let mut want = String::new();
    for i in 0..20_000 {
        let d = if i % 3 == 0 { "é🌍" } else { " word" };
        want.push_str(d);
        acc.push(&ev(json!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":d})))
            .unwrap();
    }
    assert_eq!(acc.output_text(), want);
    assert_eq!(acc.snapshot().unwrap()["output"][0]["content"][0]["text"], want.as_str());
}

// ---------------------------------------------------------------------------------------------
// with_output_text

#[test]
fn with_output_text_computes_and_overwrites() {
    let body = r#"{"id":"r","output_text":"","output":[{"type":"message","content":[{"type":"output_text","text":"Four."}]}]}"#;
    let v: Value = serde_json::from_str(&with_output_text(body).unwrap()).unwrap();
    assert_eq!(v["output_text"], "Four.");
    assert_eq!(v["id"], "r");

    let body = r#"{"id":"r","output":[]}"#;
    let v: Value = serde_json::from_str(&with_output_text(body).unwrap()).unwrap();
    assert_eq!(v["output_text"], "");

    // No output array: the server's string is kept, else "".
    let v: Value = serde_json::from_str(&with_output_text(r#"{"output_text":"kept"}"#).unwrap()).unwrap();
    assert_eq!(v["output_text"], "kept");
    let v: Value = serde_json::from_str(&with_output_text(r#"{"id":"x"}"#).unwrap()).unwrap();
    assert_eq!(v["output_text"], "");
}

#[test]
fn with_output_text_rejects_non_objects_with_a_short_message() {
    for bad in ["[1,2]", "\"text\"", "null"] {
        assert!(matches!(with_output_text(bad), Err(Error::Stream { .. })), "{bad}");
    }
    let huge = format!("{{\"output\": [{}", "x".repeat(1 << 20));
    let Err(Error::Stream { message, .. }) = with_output_text(&huge) else { panic!() };
    assert!(message.len() < 250, "{} bytes", message.len());
}
