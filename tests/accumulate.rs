#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the accumulator: recorded, bridge and synthetic streams agree with their terminal
//! response (before it on what was streamed, with and without `*.done` events; after it exactly),
//! and the rules one by one (chunking: the accumulator sees decoded events, which the SSE parser
//! gives the same under any chunking, `tests/sse.rs`; the stream machine over every file in
//! chunks of 1 to 301 bytes, `tests/stream.rs`). Patches against a reference model: `accumulate/patches.rs`.
//! Recorded streams are read from `../shared/fixtures/recorded` (absent: SKIPPED, a failure under `CI=true`).

use recordings::{events as load, name, shared, sse_files, BRIDGES, RECORDED, SYNTHETIC};

use cometapi_responses::accumulate::{compute_output_text, with_output_text, Accumulator, Ending, Mirror, Patch};
use cometapi_responses::error::Error;
use cometapi_responses::event::{EventKind, ResponseEvent};
use cometapi_responses::test_support::{accumulator_has_response, accumulator_version};
use proptest::prelude::*;
use serde_json::{json, Value};

/// `ev(json!(…))`, kept on one line by rustfmt.
macro_rules! ev {
    ($($j:tt)+) => { ev(json!($($j)+)) };
}

/// `acc.push(&ev!(e))` for each event `e` in order, kept on one line by rustfmt.
macro_rules! push {
    ($acc:expr $(, $e:tt)+) => { $( $acc.push(&ev!($e)); )+ };
}

/// `expect_skipped(&mut acc, json!([e, …]))`, kept on few lines by rustfmt.
macro_rules! skipped {
    ($acc:expr $(, $e:tt)+ $(,)?) => { expect_skipped(&mut $acc, json!([$($e),+])) };
}

/// The snapshot of `acc` has each value of `json!(want)` at its JSON pointer.
macro_rules! at {
    ($acc:expr, $($want:tt)+) => { pointers(&$acc, &json!($($want)+), "") };
}

#[path = "accumulate/json_applier.rs"]
mod json_applier;
#[path = "accumulate/model.rs"]
mod model;
#[path = "accumulate/patches.rs"]
mod patches;
#[path = "common/recordings.rs"]
mod recordings;

// --- Helpers

/// The events of one recording; `None` (SKIPPED) when it is absent (a failure under `CI=true`).
fn recorded(file: &str) -> Option<Vec<ResponseEvent>> {
    recordings::recorded(file).map(|p| load(&p))
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

/// Same type, and same id unless one side has none or both are temporary.
fn same_item(got: &Value, want: &Value) -> bool {
    let (g, w) = (got.get("id"), want.get("id"));
    got.get("type") == want.get("type") && (g == w || g.is_none() || w.is_none() || (is_tmp_id(g) && is_tmp_id(w)))
}

/// The snapshot before the terminal event agrees with the terminal response on what was streamed.
fn assert_streamed_agrees(file: &str, acc: &Accumulator, resp: &Value) {
    let snap = acc.snapshot().unwrap_or_else(|| panic!("{file}: a snapshot before the terminal event"));
    let got = snap["output"].as_array().unwrap_or_else(|| panic!("{file}: snapshot output is not an array"));
    let want = resp["output"].as_array().unwrap_or_else(|| panic!("{file}: terminal output is not an array"));
    let (mut matched, mut k) = (Vec::new(), 0);
    for (i, g) in got.iter().enumerate() {
        while k < want.len() && !same_item(g, &want[k]) {
            k += 1;
        }
        let w = want.get(k).unwrap_or_else(|| {
            panic!("{file}: streamed item {i} ({} {}) is not in the terminal output, in order", g["type"], g["id"])
        });
        assert_eq!(essence(g), essence(w), "{file}: the texts of streamed item {i}");
        if let (Some("function_call"), Some(Value::String(args))) = (w["type"].as_str(), w.get("arguments")) {
            // Best effort while streaming, exact once done: either way, the value of the whole text.
            let parsed = g.get("parsed_arguments");
            assert_eq!(parsed, Some(&model::done_args(args)), "{file}: parsed_arguments of streamed item {i}");
        }
        matched.push(w.clone());
        k += 1;
    }
    let streamed = json!({ "output": matched });
    assert_eq!(acc.output_text(), compute_output_text(&streamed), "{file}: output_text of the streamed items");
}

/// The snapshot after a terminal event: its response, `output_text`, `parsed_arguments` on function calls.
fn final_snapshot(resp: &Value) -> Value {
    let mut want = resp.clone();
    want["output_text"] = Value::String(compute_output_text(resp));
    for item in want["output"].as_array_mut().into_iter().flatten() {
        if let (Some("function_call"), Some(Value::String(args))) = (item["type"].as_str(), item.get("arguments")) {
            item["parsed_arguments"] = model::done_args(args);
        }
    }
    want
}

/// The texts of an output item: what deltas build.
fn essence(item: &Value) -> Value {
    let text = |p: &Value| json!({"type": p["type"], "text": p.get("text"), "refusal": p.get("refusal")});
    let texts = |arr: &Value| arr.as_array().into_iter().flatten().map(text).collect::<Vec<_>>();
    json!({"type": item["type"], "content": texts(&item["content"]), "summary": texts(&item["summary"]),
        "arguments": item.get("arguments"), "input": item.get("input"), "code": item.get("code")})
}

/// `evs` without the `*.done` events of items, parts and texts.
fn deltas_only(evs: &[ResponseEvent]) -> Vec<ResponseEvent> {
    evs.iter().filter(|e| !is_done_event(e.kind())).cloned().collect()
}

/// The `*.done` events of items, parts and texts.
fn is_done_event(k: EventKind) -> bool {
    let done = "output_item content_part reasoning_summary_part output_text refusal function_call_arguments \
        reasoning_summary_text reasoning_text custom_tool_call_input code_interpreter_call_code mcp_call_arguments";
    done.split_whitespace().any(|t| k.as_str() == Some(&format!("response.{t}.done")))
}

/// "pending", "completed", "incomplete", "failed" or "error".
fn outcome(e: &Ending) -> String {
    format!("{e:?}").split('(').next().unwrap_or_default().to_lowercase()
}

/// A new accumulator after `evs` (`push_all`).
fn pushed(evs: &[ResponseEvent]) -> Accumulator {
    let mut acc = Accumulator::new();
    push_all(&mut acc, evs);
    acc
}

fn push_all(acc: &mut Accumulator, evs: &[ResponseEvent]) {
    for e in evs {
        acc.push(e);
        let recount = acc.snapshot().map(compute_output_text).unwrap_or_default();
        assert_eq!(acc.output_text(), recount, "output_text out of sync after `{}`", e.event_type());
    }
}

/// The distinct `output_index`es of the `output_item.*` events: how many items were streamed.
fn streamed_items(evs: &[ResponseEvent]) -> usize {
    let items = evs.iter().filter(|e| matches!(e.kind(), EventKind::OutputItemAdded | EventKind::OutputItemDone));
    items.filter_map(ResponseEvent::output_index).collect::<std::collections::BTreeSet<_>>().len()
}

/// Checks shared by recorded and synthetic streams; returns the accumulator before the terminal event
/// and after all events. `strict`: the stream keeps the protocol (the snapshot before the end agrees).
fn check_stream(file: &str, evs: &[ResponseEvent], strict: bool) -> (Accumulator, Accumulator) {
    let t = terminal_index(evs);
    let (before, rest) = evs.split_at(t.unwrap_or(evs.len()));
    let mut acc = pushed(before);
    let pre = acc.clone();
    // Without a terminal event, `before` is every event.
    let Some(resp) = t.map(|t| evs[t].payload().expect("terminal response")) else { return (pre, acc) };
    if strict {
        assert_streamed_agrees(file, &acc, resp);
        let n = acc.snapshot().and_then(|s| s["output"].as_array()).map_or(0, Vec::len);
        assert_eq!(n, streamed_items(before), "{file}: every streamed item is in the snapshot");
        if let Some(server) = resp.get("output_text").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            assert_eq!(acc.output_text(), server, "{file}: server's output_text");
        }
        // Deltas only: no `.done` event at all.
        assert_streamed_agrees(&format!("{file} (deltas only)"), &pushed(&deltas_only(before)), resp);
    }
    // The terminal event: the snapshot becomes its response (plus output_text).
    let v0 = accumulator_version(&acc);
    push_all(&mut acc, rest);
    assert!(accumulator_version(&acc) > v0);
    let want = final_snapshot(resp);
    assert_eq!(acc.snapshot(), Some(&want), "{file}: final snapshot");
    let parsed: Value = serde_json::from_str(&acc.response_json().expect("json")).expect("valid JSON");
    assert_eq!(parsed, want, "{file}: response_json");
    (pre, acc)
}

// --- Recorded streams

#[test]
fn recorded_streams_accumulate_to_the_terminal_response() {
    let Some(files) = shared(RECORDED) else { return };
    for p in &files {
        let file = name(p);
        let evs = load(p);
        assert!(!evs.is_empty(), "{file}: no events");
        let (_, acc) = check_stream(&file, &evs, true);
        let want = match evs.iter().find(|e| e.is_terminal()).map(ResponseEvent::kind) {
            Some(EventKind::Completed) => "completed",
            Some(EventKind::Error) => "error",
            other => panic!("{file}: unexpected first terminal event {other:?}"),
        };
        assert_eq!(outcome(acc.ending()), want, "{file}: outcome");
    }
}

#[test]
fn recorded_error_stream_ends_in_error_then_failed() {
    let Some(evs) = recorded("openai_error_nested_then_failed.sse") else { return };
    // Up to and including the `error` event.
    let e = evs.iter().position(|e| e.kind() == EventKind::Error).expect("an error event");
    let mut acc = pushed(&evs[..=e]);
    let Ending::Error(err) = acc.ending().clone() else { panic!("outcome {:?}", acc.ending()) };
    let quota = Some("insufficient_quota");
    assert_eq!((err.code.as_deref(), err.error_type.as_deref()), (quota, quota));
    assert_eq!((err.param, err.status, err.body.as_deref()), (None, None, Some(evs[e].json())));
    assert!(err.message.starts_with("You exceeded your current quota"));
    let partial: Value = serde_json::from_str(err.response.as_deref().expect("partial snapshot")).unwrap();
    assert_eq!(partial["id"], "resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424");
    assert_eq!(partial["status"], "in_progress");
    // response.failed follows: the snapshot follows it, the outcome stays the first terminal's.
    push_all(&mut acc, &evs[e + 1..]);
    assert!(matches!(acc.ending(), Ending::Error(_)));
    assert_eq!(acc.snapshot().unwrap()["status"], "failed");
    // response.failed alone: the failed outcome.
    let evs: Vec<_> = evs.into_iter().filter(|e| e.kind() != EventKind::Error).collect();
    let acc = pushed(&evs);
    let Ending::Failed(err) = acc.ending() else { panic!("outcome {:?}", acc.ending()) };
    assert_eq!(err.code.as_deref(), Some("insufficient_quota"));
    assert!(err.message.starts_with("You exceeded your current quota"));
    let resp: Value = serde_json::from_str(err.response.as_deref().unwrap()).unwrap();
    assert_eq!((&resp["status"], &resp["output_text"]), (&json!("failed"), &json!("")));
}

/// A resume from `response.queued` accumulates like a full stream; one that starts at a delta too.
#[test]
fn recorded_background_resume() {
    let Some(evs) = recorded("openai_background_resume_starting_after0.sse") else { return };
    assert_eq!((evs[0].kind(), evs[0].sequence_number()), (EventKind::Queued, Some(1)));
    let (_, acc) = check_stream("resume", &evs, true);
    assert_eq!((acc.output_text(), acc.ending()), ("2 + 2 equals 4.", &Ending::Completed));
    // As if resumed with starting_after=4: the first event is a delta.
    let late: Vec<_> = evs.iter().filter(|e| e.sequence_number() > Some(4)).cloned().collect();
    assert_eq!(late[0].kind(), EventKind::OutputTextDelta);
    let (last, body) = late.split_last().expect("events");
    let mut acc = pushed(body);
    // The deltas alone build an in-progress snapshot of what they carry.
    let deltas: String =
        body.iter().filter(|e| e.kind() == EventKind::OutputTextDelta).filter_map(|e| e.text()).collect();
    assert!(!deltas.is_empty());
    assert_eq!((acc.output_text(), acc.ending()), (deltas.as_str(), &Ending::Pending));
    assert_eq!(acc.snapshot().unwrap()["status"], "in_progress");
    acc.push(last);
    assert_eq!((acc.output_text(), acc.ending()), ("2 + 2 equals 4.", &Ending::Completed));
}

// --- Streams from bridge servers

#[test]
fn bridge_streams_give_the_right_snapshot_after_every_event() {
    // Bridge recordings: after every event a snapshot whose `output_text` is the deltas so far, no item lost.
    let Some(files) = shared(BRIDGES) else { return };
    assert!(files.len() >= 3, "only {} bridge recordings", files.len());
    for p in &files {
        let file = name(p);
        let evs = load(p);
        let t = terminal_index(&evs).unwrap_or_else(|| panic!("{file}: no terminal event"));
        let (mut acc, mut deltas, mut shown) = (Accumulator::new(), String::new(), Vec::new());
        for (n, e) in evs[..t].iter().enumerate() {
            acc.push(e);
            if e.kind() == EventKind::OutputTextDelta {
                deltas.push_str(e.text().unwrap());
            }
            let at = format!("{file}: after event {n} `{}`", e.event_type());
            let snap = acc.snapshot().unwrap_or_else(|| panic!("{at}: no snapshot"));
            assert_eq!(acc.output_text(), deltas, "{at}: output_text");
            assert_eq!(compute_output_text(snap), deltas, "{at}: output_text of the output");
            let now = items(&acc);
            assert!(now.len() >= shown.len(), "{at}: an item disappeared");
            assert!(shown.iter().all(|id| now.contains(id)), "{at}: an item of {shown:?} disappeared: {now:?}");
            shown = now;
        }
        let resp = evs[t].payload().unwrap();
        // Every item streamed is in the terminal output (bridges may order it differently).
        let want: Vec<Value> = resp["output"].as_array().unwrap().iter().map(|it| it["id"].clone()).collect();
        assert!(shown.iter().all(|id| want.contains(id)), "{file}: {shown:?} not all in the terminal output");
        acc.push(&evs[t]);
        assert_eq!(acc.snapshot(), Some(&final_snapshot(resp)), "{file}: final snapshot");
        assert_eq!(*acc.ending(), Ending::Completed, "{file}");
    }
    let by_name = |n: &str| load(files.iter().find(|p| name(p) == n).unwrap_or_else(|| panic!("{n} missing")));
    // LiteLLM: no response.created, a new item_id per delta: one message from the first event on.
    let evs = by_name("litellm_text.sse");
    let acc = pushed(&evs[..1]);
    assert_eq!(output_len(&acc), 1);
    at!(acc, {"/status": "in_progress", "/output/0/type": "message", "/output/0/id": evs[0].item_id()});
    assert_eq!(acc.output_text(), evs[0].text().unwrap());
    // transformers serve: a function_call, then a message at the same output_index: both shown.
    let evs = by_name("transformers_tool.sse");
    let t = terminal_index(&evs).unwrap();
    let acc = pushed(&evs[..t]);
    assert_eq!(output_len(&acc), 2);
    at!(acc, {"/output/0/type": "function_call", "/output/1/type": "message",
        "/output/0/parsed_arguments": {"city":"Lisbon"}});
    // open-responses-server: deltas without content_index for a part never announced.
    let evs = by_name("ors_text.sse");
    let t = terminal_index(&evs).unwrap();
    let acc = pushed(&evs[..t]);
    assert_eq!(acc.snapshot().unwrap()["output"][0]["content"].as_array().unwrap().len(), 1);
    assert_eq!(acc.output_text(), compute_output_text(evs[t].payload().unwrap()));
}

// --- Synthetic streams

#[test]
fn synthetic_streams_match_their_expectations() {
    let files = sse_files(SYNTHETIC);
    assert!(!files.is_empty(), "no synthetic streams");
    for p in &files {
        let file = name(p);
        let expected = std::fs::read_to_string(p.with_extension("expected.json")).expect("expected.json");
        let expected: Value = serde_json::from_str(&expected).expect("expected.json parses");
        let evs = load(p);
        let strict = expected["lenient"] != Value::Bool(true);
        let (pre, acc) = check_stream(&file, &evs, strict);

        assert_eq!(outcome(acc.ending()), expected["outcome"], "{file}: outcome");
        assert_eq!(acc.output_text(), expected["output_text"], "{file}: output_text");
        if let Ending::Failed(e) | Ending::Error(e) = acc.ending() {
            assert_eq!(e.code.as_deref(), expected["error_code"].as_str(), "{file}: code");
            assert_eq!(e.message, expected["error_message"], "{file}: message");
            assert_eq!(e.status, None);
        }
        if let Some(text) = expected.get("pre_output_text") {
            assert_eq!(pre.output_text(), text, "{file}: output_text before the terminal event");
        }
        pointers(&pre, &expected["checks"], &format!("{file}: "));
        pointers(&acc, &expected["final_checks"], &format!("{file}: final "));
        if expected["delta_only_checks"].is_object() {
            let t = terminal_index(&evs).unwrap_or(evs.len());
            let lean = pushed(&deltas_only(&evs[..t]));
            pointers(&lean, &expected["delta_only_checks"], &format!("{file}: deltas only "));
        }
        for (ty, n) in expected["counts"].as_object().into_iter().flatten() {
            let got = evs.iter().filter(|e| e.event_type() == ty).count() as u64;
            assert_eq!(Some(got), n.as_u64(), "{file}: number of `{ty}` events");
        }
    }
}

// --- Rules, one by one

fn created() -> ResponseEvent {
    ev!({"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}})
}

fn with_message(text: &str) -> Accumulator {
    pushed(&[
        created(),
        ev!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}}),
        ev!({"type":"response.content_part.added","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        ev!({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":text}),
    ])
}

/// Each event fits nowhere: it changes neither the snapshot nor the version nor the outcome.
fn expect_skipped(acc: &mut Accumulator, events: Value) {
    for e in events.as_array().unwrap() {
        let before = acc.clone();
        acc.push(&ev(e.clone()));
        assert_eq!(acc.snapshot(), before.snapshot(), "{e} changed the snapshot");
        assert_eq!(accumulator_version(acc), accumulator_version(&before), "{e} bumped the version");
        assert_eq!(acc.ending(), before.ending(), "{e} changed the outcome");
    }
}

/// The snapshot has each value of `want` (when an object) at its JSON pointer.
fn pointers(acc: &Accumulator, want: &Value, ctx: &str) {
    let snap = acc.snapshot().expect("a snapshot");
    for (ptr, v) in want.as_object().into_iter().flatten() {
        assert_eq!(snap.pointer(ptr), Some(v), "{ctx}{ptr}");
    }
}

fn output_len(acc: &Accumulator) -> usize {
    acc.snapshot().unwrap()["output"].as_array().unwrap().len()
}

/// The outcome's error, and the snapshot it carries (parsed).
fn failure(acc: &Accumulator) -> (&cometapi_responses::error::ApiError, Option<Value>) {
    let (Ending::Failed(e) | Ending::Error(e)) = acc.ending() else { panic!("{:?}", acc.ending()) };
    (e, e.response.as_deref().map(|r| serde_json::from_str(r).unwrap()))
}

#[test]
fn before_any_lifecycle_event() {
    let mut acc = Accumulator::new();
    assert!(acc.snapshot().is_none());
    let state = (acc.output_text(), acc.response_json(), acc.ending(), accumulator_version(&acc));
    assert_eq!(state, ("", None, &Ending::Pending, 0));
    // Events that write no output start nothing.
    skipped!(acc, {"type":"keepalive"}, {"type":"response.something_new","output_index":0});
    assert!(acc.snapshot().is_none());
    push!(acc, {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"x"});
    assert_eq!(
        acc.snapshot(),
        Some(&json!({"object":"response","status":"in_progress","output_text":"x","output":[
            {"type":"message","role":"assistant","status":"in_progress",
             "content":[{"type":"output_text","text":"x","annotations":[]}]}]}))
    );
    assert!(accumulator_has_response(&acc));
    // The first lifecycle event replaces the Response and keeps the output it has not got yet.
    acc.push(&created());
    assert_eq!((acc.snapshot().unwrap()["id"].as_str(), acc.output_text()), (Some("r"), "x"));
    // An item event alone starts it too.
    let acc = pushed(&[ev!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m"}})]);
    assert_eq!(acc.snapshot().unwrap()["output"], json!([{"type":"message","id":"m"}]));
}

#[test]
fn items_are_found_by_output_index_and_item_id() {
    let mut acc = with_message("hi");
    push!(acc, {"type":"response.output_item.added","output_index":3,"item":{"type":"function_call","id":"fc","arguments":""}},
        {"type":"response.function_call_arguments.delta","output_index":3,"delta":"{}"});
    assert_eq!(output_len(&acc), 2);
    at!(acc, {"/output/1/id": "fc", "/output/1/arguments": "{}"});
    // output_index 1 is not index 3's position: a new item, appended after it.
    push!(acc, {"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m1","content":[]}},
        {"type":"response.output_item.done","output_index":3,"item":{"type":"function_call","id":"fc","arguments":"{\"a\":1}"}});
    at!(acc, {"/output/1/arguments": "{\"a\":1}", "/output/2/id": "m1"});
    // An index no u64 beyond: the same rules.
    let max = u64::MAX;
    push!(acc, {"type":"response.output_item.added","output_index":max,"item":{"type":"custom_tool_call","id":"ct"}},
        {"type":"response.custom_tool_call_input.delta","output_index":max,"delta":"in"});
    at!(acc, {"/output/3/input": "in"});
    // Without output_index: the item whose id it carries is replaced, else it is appended.
    push!(acc, {"type":"response.output_item.done","item":{"type":"custom_tool_call","id":"ct","input":"done"}});
    at!(acc, {"/output/3/input": "done"});
    push!(acc, {"type":"response.output_item.done","item":{"type":"custom_tool_call","id":"new"}});
    at!(acc, {"/output/4/id": "new"});
    assert_eq!(acc.output_text(), "hi");

    // An event for an item never announced creates it, keyed by its item_id.
    let mut acc = with_message("hi");
    let cases = json!([
        [{"type":"response.output_text.delta","output_index":3,"content_index":0,"delta":"x"}, "message"],
        [{"type":"response.web_search_call.searching","output_index":8}, "web_search_call"],
        [{"type":"response.function_call_arguments.delta","item_id":"fc","delta":"{\"a\":"}, "function_call"],
        [{"type":"response.reasoning_summary_text.delta","item_id":"rs","summary_index":0,"delta":"think"}, "reasoning"],
        [{"type":"response.reasoning_text.delta","item_id":"rt","content_index":0,"delta":"raw"}, "reasoning"],
        [{"type":"response.code_interpreter_call_code.delta","item_id":"ci","delta":"print(1)"}, "code_interpreter_call"],
        [{"type":"response.content_part.added","item_id":"m2","content_index":0,"part":{"type":"refusal","refusal":""}},
            "message"],
    ]);
    for (n, case) in cases.as_array().unwrap().iter().enumerate() {
        let e = &case[0];
        acc.push(&ev(e.clone()));
        assert_eq!(output_len(&acc), n + 2, "{e}");
        let item = &acc.snapshot().unwrap()["output"][n + 1];
        assert_eq!(item["type"], case[1], "{e}");
        assert_eq!(item.get("id"), e.get("item_id"), "{e}: keyed by its item_id");
    }
    at!(acc, {"/output/1/content/0/text": "x", "/output/2/status": "searching", "/output/3/arguments": "{\"a\":",
        "/output/3/parsed_arguments": {}, "/output/4/summary": [{"type":"summary_text","text":"think"}],
        "/output/5/content": [{"type":"reasoning_text","text":"raw"}], "/output/6/code": "print(1)"});
    assert_eq!(acc.output_text(), "hix");
    // The next deltas continue them (by item_id, or by output_index).
    push!(acc, {"type":"response.function_call_arguments.delta","item_id":"fc","delta":"1}"},
        {"type":"response.output_text.delta","output_index":3,"content_index":0,"delta":"y"});
    at!(acc, {"/output/3/parsed_arguments": {"a":1}});
    assert_eq!(acc.output_text(), "hixy");

    // LiteLLM: no announcements, every delta with its own item_id, one output_index.
    let (mut acc, mut text) = (Accumulator::new(), String::new());
    for (n, d) in ["Echo", ": ", "hi"].into_iter().enumerate() {
        push!(acc, {"type":"response.output_text.delta","item_id":format!("chatcmpl-{n}"),"output_index":0,"content_index":0,"delta":d});
        text.push_str(d);
        assert_eq!(acc.output_text(), text);
        assert_eq!(items(&acc), [json!("chatcmpl-0")]);
    }
    // Without content_index (open-responses-server): the last output_text part.
    push!(acc, {"type":"response.output_text.delta","item_id":"x","output_index":0,"delta":"!"});
    assert_eq!(acc.output_text(), "Echo: hi!");
    assert_eq!(acc.snapshot().unwrap()["output"][0]["content"].as_array().unwrap().len(), 1);
    // An item of another type at that index is not continued: a new item.
    push!(acc, {"type":"response.function_call_arguments.delta","item_id":"f","output_index":0,"delta":"{}"});
    assert_eq!(items(&acc), [json!("chatcmpl-0"), json!("f")]);
    // Neither item_id nor output_index: the last item, when it fits.
    push!(acc, {"type":"response.function_call_arguments.delta","delta":" "});
    at!(acc, {"/output/1/arguments": "{} "});

    // transformers serve: a function_call and then a message announced at the same index.
    let mut acc = with_message("hi");
    let fc = json!({"type":"function_call","id":"fc","call_id":"c","name":"f","arguments":"{}"});
    push!(acc, {"type":"response.output_item.added","output_index":1,"item":fc}, {"type":"response.output_item.done","output_index":1,"item":fc},
        {"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m2","content":[]}});
    assert_eq!(items(&acc), [json!("m"), json!("fc"), json!("m2")]);
    // The index now names the message; the call is still reachable by its id.
    push!(acc, {"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":" there"},
        {"type":"response.function_call_arguments.done","item_id":"fc","output_index":1,"arguments":"{\"b\":2}"});
    assert_eq!(acc.output_text(), "hi there");
    at!(acc, {"/output/1/arguments": "{\"b\":2}"});
    // The same without ids: a different type is another item too.
    let mut acc = with_message("hi");
    push!(acc, {"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","arguments":""}},
        {"type":"response.output_item.added","output_index":1,"item":{"type":"message","content":[]}});
    assert_eq!(output_len(&acc), 3);
    // A mid-stream lifecycle event with fewer items does not take them away; the terminal one does.
    push!(acc, {"type":"response.in_progress","response":{"id":"r","output":[{"type":"message","content":[]}]}});
    assert_eq!(output_len(&acc), 3);
    push!(acc, {"type":"response.completed","response":{"id":"r","output":[]}});
    assert_eq!(acc.snapshot().unwrap()["output"], json!([]));

    // item_id locates the item when output_index is missing.
    let mut acc = with_message("a");
    push!(acc, {"type":"response.output_text.delta","item_id":"m","content_index":0,"delta":"b"});
    assert_eq!(acc.output_text(), "ab");
    // output_item.added at an existing index replaces it.
    let mut acc = with_message("old");
    push!(acc, {"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m","content":[]}});
    assert_eq!((acc.output_text(), output_len(&acc)), ("", 1));
}

#[test]
fn what_fits_nowhere_is_skipped() {
    // A new item has no parts: a text for its second part creates nothing; an annotation never
    // creates an item.
    let mut acc = with_message("hi");
    skipped!(acc, {"type":"response.output_text.delta","output_index":0,"content_index":2,"delta":"x"},
        {"type":"response.content_part.added","output_index":0,"content_index":9,"part":{"type":"output_text","text":""}},
        {"type":"response.output_text.annotation.added","output_index":0,"content_index":4,"annotation_index":0,"annotation":{}},
        {"type":"response.reasoning_summary_text.delta","output_index":0,"summary_index":1,"delta":"x"},
        {"type":"response.output_text.delta","output_index":5,"content_index":1,"delta":"x"},
        {"type":"response.output_text.annotation.added","output_index":7,"content_index":0,"annotation":{}},
        {"type":"response.output_text.annotation.added","item_id":"nope","content_index":0,"annotation":{}});
    assert_eq!(acc.output_text(), "hi");
    // An annotation index past the end appends.
    let mut acc = with_message("hi");
    push!(acc, {"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation_index":3,"annotation":{"n":1}},
        {"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation":{"n":2}},
        {"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation_index":0,"annotation":{"n":3}});
    at!(acc, {"/output/0/content/0/annotations": [{"n":3},{"n":2}]});
    // Malformed events.
    let mut acc = with_message("hi");
    skipped!(acc, {"type":"response.output_text.delta","output_index":0,"content_index":0},
        {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":7},
        {"type":"response.in_progress"},
        {"type":"response.in_progress","response":"x"},
        {"type":"response.output_item.added","output_index":1},
        {"type":"response.output_item.added","output_index":1,"item":"x"},
        {"type":"response.content_part.added","output_index":0,"content_index":1},
        {"type":"response.content_part.added","output_index":0,"content_index":1,"part":[1]},
        {"type":"response.output_text.annotation.added","output_index":0,"content_index":0});
    // Items and parts that are not objects, fields that are not arrays: skipped too.
    push!(acc, {"type":"response.output_item.added","output_index":1,"item":{"type":"message","content":"text"}},
        {"type":"response.output_item.added","output_index":2,"item":{"type":"message","content":[7]}});
    skipped!(acc, {"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":"x"},
        {"type":"response.content_part.added","output_index":1,"content_index":0,"part":{"type":"output_text","text":""}},
        {"type":"response.output_text.delta","output_index":2,"content_index":0,"delta":"x"},
        {"type":"response.output_text.annotation.added","output_index":2,"content_index":0,"annotation":{}});
    assert_eq!(acc.output_text(), "hi");
    // Keepalive and unknown events.
    skipped!(with_message("x"), {"type":"keepalive","sequence_number":9},
        {"type":"response.brand_new.thing","output_index":99,"delta":"zzz"}, {"type":"response.audio.delta","delta":"AAAA"},
        {"type":"response.audio.transcript.done","transcript":"t"});
    // A `.done` without its value keeps the deltas.
    let mut acc = with_message("abc");
    push!(acc, {"type":"response.output_text.done","output_index":0,"content_index":0});
    assert_eq!(acc.output_text(), "abc");
}

/// Every item's `id` in the snapshot.
fn items(acc: &Accumulator) -> Vec<Value> {
    acc.snapshot()
        .map(|s| s["output"].as_array().unwrap().iter().map(|it| it["id"].clone()).collect())
        .unwrap_or_default()
}

#[test]
fn lifecycle_events_and_outcomes() {
    // A terminal event without a response still decides the outcome.
    let mut acc = with_message("kept");
    let snap = acc.snapshot().cloned();
    push!(acc, {"type":"response.completed","response":[1]});
    assert_eq!((acc.ending(), acc.snapshot().cloned()), (&Ending::Completed, snap));
    let mut acc = with_message("kept");
    push!(acc, {"type":"response.failed"});
    let (e, partial) = failure(&acc);
    assert!(matches!(acc.ending(), Ending::Failed(_)) && !e.message.is_empty());
    assert_eq!(partial.unwrap()["output_text"], "kept");
    // An error event carries the partial snapshot.
    let mut acc = with_message("partial");
    push!(acc, {"type":"error","code":"server_error","message":"boom"});
    assert!(matches!(acc.ending(), Ending::Error(_)));
    assert_eq!(failure(&acc).1.unwrap()["output_text"], "partial");
    // A mid-stream lifecycle event with an empty output keeps the accumulated output.
    let mut acc = with_message("kept");
    let v = accumulator_version(&acc);
    push!(acc, {"type":"response.in_progress","response":{"id":"r","status":"in_progress","output":[],"usage":null}});
    assert!(accumulator_version(&acc) > v);
    assert_eq!(acc.output_text(), "kept");
    at!(acc, {"/output/0/content/0/text": "kept"});
    // Without any `output` key as well.
    push!(acc, {"type":"response.queued","response":{"id":"r","status":"queued"}});
    assert_eq!(acc.output_text(), "kept");
    at!(acc, {"/status": "queued"});
    // One that leaves out an item shown (by id) does not take it away.
    push!(acc, {"type":"response.in_progress","response":{"id":"r","output":[
        {"type":"message","id":"other","content":[{"type":"output_text","text":"server"}]}]}});
    assert_eq!(acc.output_text(), "kept");
    // One with every item shown is the server's word.
    push!(acc, {"type":"response.in_progress","response":{"id":"r","output":[
        {"type":"message","id":"m","content":[{"type":"output_text","text":"server"}]}]}});
    assert_eq!(acc.output_text(), "server");
    // A terminal event's output wins even when empty...
    let mut acc = with_message("gone");
    push!(acc, {"type":"response.completed","response":{"id":"r","status":"completed","output":[]}});
    assert_eq!((acc.output_text(), acc.ending()), ("", &Ending::Completed));
    // ... but a terminal event with no `output` key at all keeps what we have.
    let mut acc = with_message("kept");
    push!(acc, {"type":"response.incomplete","response":{"id":"r","status":"incomplete"}});
    assert_eq!((acc.output_text(), acc.ending()), ("kept", &Ending::Incomplete));
    // The server's output_text is replaced by the computed one.
    let mut acc = Accumulator::new();
    push!(acc, {"type":"response.completed","response":{"id":"r","output_text":"wrong","output":[
        {"type":"message","content":[{"type":"output_text","text":"A"},{"type":"refusal","refusal":"no"},{"type":"output_text","text":"B"}]},
        {"type":"reasoning","content":[{"type":"output_text","text":"not a message"}]},
        {"type":"message","content":[{"type":"output_text","text":"C"}]}]}});
    assert_eq!(acc.output_text(), "ABC");
    at!(acc, {"/output_text": "ABC"});
    // An error event without a snapshot; the first terminal event wins.
    let mut acc = pushed(&[ev!({"type":"error","code":"server_error","message":"boom","param":null})]);
    assert!(matches!(acc.ending(), Ending::Error(_)));
    let (e, partial) = failure(&acc);
    assert_eq!((partial, e.message.as_str()), (None, "boom"));
    push!(acc, {"type":"response.completed","response":{"output":[]}});
    assert!(matches!(acc.ending(), Ending::Error(_)));
    // Failed without error details still has a message.
    let acc =
        pushed(&[ev!({"type":"response.failed","response":{"id":"r","status":"failed","error":null,"output":[]}})]);
    let Ending::Failed(e) = acc.ending() else { panic!() };
    assert!(!e.message.is_empty());
    assert_eq!(e.code, None);
    assert!(e.response.as_deref().unwrap().contains("\"status\":\"failed\""));
}

#[test]
fn version_bumps_and_tool_statuses() {
    let mut acc = Accumulator::new();
    let mut last = accumulator_version(&acc);
    for e in [
        created(),
        ev!({"type":"response.output_item.added","output_index":0,"item":{"type":"web_search_call","id":"ws","status":"in_progress"}}),
        ev!({"type":"response.web_search_call.searching","output_index":0,"item_id":"ws"}),
        ev!({"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m","content":[]}}),
        ev!({"type":"response.content_part.added","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        ev!({"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":"a"}),
        ev!({"type":"response.output_text.annotation.added","output_index":1,"content_index":0,"annotation":{"type":"file_citation"}}),
        ev!({"type":"response.output_text.done","output_index":1,"content_index":0,"text":"ab"}),
    ] {
        acc.push(&e);
        assert!(accumulator_version(&acc) > last, "no bump after {}", e.event_type());
        last = accumulator_version(&acc);
    }
    at!(acc, {"/output/0/status": "searching", "/output/1/content/0/annotations/0/type": "file_citation"});
    assert_eq!(acc.output_text(), "ab");
    // Tool status events set the item's status: (item type, event type suffix, status).
    let cases = "web_search_call:in_progress:in_progress web_search_call:searching:searching \
        web_search_call:completed:completed file_search_call:searching:searching file_search_call:completed:completed \
        code_interpreter_call:interpreting:interpreting image_generation_call:generating:generating \
        image_generation_call:partial_image:generating image_generation_call:completed:completed mcp_call:failed:failed \
        mcp_list_tools:in_progress:in_progress";
    for case in cases.split_whitespace() {
        let [item_type, what, status] = case.split(':').collect::<Vec<_>>()[..] else { panic!() };
        let ty = format!("response.{item_type}.{what}");
        let mut acc = pushed(&[created()]);
        push!(acc, {"type":"response.output_item.added","output_index":0,"item":{"type":item_type,"id":"x"}},
            {"type":ty,"output_index":0,"item_id":"x","partial_image_b64":"AAAA","partial_image_index":0});
        assert_eq!(acc.snapshot().unwrap()["output"][0]["status"], status, "{ty}");
    }
}

#[test]
fn long_stream_of_deltas_is_exact() {
    // 20k deltas (the benchmark's shape) with multi-byte text.
    let (mut acc, mut want) = (with_message(""), String::new());
    for i in 0..20_000 {
        let d = if i % 3 == 0 { "é🌍" } else { " word" };
        want.push_str(d);
        push!(acc, {"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":d});
    }
    assert_eq!(acc.output_text(), want);
    at!(acc, {"/output/0/content/0/text": want});
}

// --- with_output_text

#[test]
fn with_output_text_computes_overwrites_and_rejects_non_objects() {
    let with = |body: &str| serde_json::from_str::<Value>(&with_output_text(body).unwrap()).unwrap();
    let v = with(
        r#"{"id":"r","output_text":"","output":[{"type":"message","content":[{"type":"output_text","text":"Four."}]}]}"#,
    );
    assert_eq!((&v["output_text"], &v["id"]), (&json!("Four."), &json!("r")));
    assert_eq!(with(r#"{"id":"r","output":[]}"#)["output_text"], "");
    // No output array: the server's string is kept, else "".
    assert_eq!(with(r#"{"output_text":"kept"}"#)["output_text"], "kept");
    assert_eq!(with(r#"{"id":"x"}"#)["output_text"], "");
    for bad in ["[1,2]", "\"text\"", "null"] {
        assert!(matches!(with_output_text(bad), Err(Error::Stream { .. })), "{bad}");
    }
    let huge = format!("{{\"output\": [{}", "x".repeat(1 << 20));
    let Err(Error::Stream { message, .. }) = with_output_text(&huge) else { panic!() };
    assert!(message.len() < 250, "{} bytes", message.len());
}

#[test]
fn an_item_announced_again_after_its_done_is_new_only_as_a_call_or_of_another_type() {
    let added = |item: Value| ev!({"type":"response.output_item.added","output_index":0,"item":item});
    let done = |item: Value| ev!({"type":"response.output_item.done","output_index":0,"item":item});
    let msg = json!({"id":"m","type":"message","role":"assistant","content":[]});
    let call = |c: &str| json!({"id":"f","type":"function_call","call_id":c,"name":"n","arguments":"{}"});
    // a message announced again: the same item, no copy
    let acc = pushed(&[created(), added(msg.clone()), done(msg.clone()), added(msg)]);
    assert_eq!(output_len(&acc), 1);
    // a function call, or an item of another type, under an id already done: another item
    let acc = pushed(&[created(), added(call("c1")), done(call("c1")), added(call("c2"))]);
    assert_eq!(output_len(&acc), 2);
    at!(acc, {"/output/0/call_id": "c1", "/output/1/call_id": "c2"});
    let reasoning = json!({"id":"f","type":"reasoning","summary":[]});
    let acc = pushed(&[created(), added(reasoning.clone()), done(reasoning), added(call("c1"))]);
    at!(acc, {"/output/0/type": "reasoning", "/output/1/type": "function_call"});
}
