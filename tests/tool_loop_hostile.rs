#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! The tool loop's state machine (`src/tool_loop/`) under hostile or large responses: tens of
//! thousands of calls in one response (time grows with n, not n²), repeated call_ids and
//! results, responses cut off (`status: "incomplete"`, calls still `in_progress`), and the
//! `concurrency` option's rule.

use std::time::{Duration, Instant};

use cometapi_responses::error::Error;
use cometapi_responses::tool_loop::{self, Step, StopReason, ToolCall, ToolLoop, DEFAULT_CONCURRENCY};
use serde_json::{json, Value};

fn call(call_id: &str, status: &str) -> Value {
    json!({"type": "function_call", "id": format!("fc_{call_id}"), "call_id": call_id, "name": "f", "arguments": "{}", "status": status})
}

fn response(status: &str, output: Vec<Value>) -> Value {
    json!({"id": "resp_1", "object": "response", "status": status, "output": output})
}

fn new_loop(max_steps: Option<usize>) -> ToolLoop {
    ToolLoop::new(json!({"model": "m", "input": "x"}), vec!["f".into()], max_steps).unwrap()
}

fn ids(calls: &[ToolCall]) -> Vec<&str> {
    calls.iter().map(|c| c.call_id.as_str()).collect()
}

/// One response of `n` calls through the loop, the results handed back in reverse order.
fn many_calls(n: usize) -> Duration {
    let output: Vec<Value> = (0..n).map(|i| call(&format!("call_{i}"), "completed")).collect();
    let r = response("completed", output);
    let start = Instant::now();
    let mut run = new_loop(None);
    let Step::RunTools(calls) = run.on_response(&r) else { panic!("expected calls") };
    assert_eq!(calls.len(), n);
    let results = calls.iter().rev().map(|c| (c.call_id.clone(), Ok(format!("out {}", c.call_id)))).collect();
    run.on_tool_results(results);
    let took = start.elapsed();
    let req = run.next_request().unwrap();
    let input = req["input"].as_array().unwrap();
    assert_eq!(input.len(), n);
    for (i, item) in input.iter().enumerate().step_by(997) {
        assert_eq!(item["call_id"], format!("call_{i}"));
        assert_eq!(item["output"], format!("out call_{i}"));
    }
    took
}

#[test]
fn eighty_thousand_calls_in_one_response() {
    many_calls(80_000);
}

/// Four times the calls take well under sixteen times as long (n log n gives about 4.5; a
/// comparison of each call with every other, 16). The best of three runs of each size.
#[test]
fn time_grows_with_the_number_of_calls_not_its_square() {
    let best = |n| (0..3).map(|_| many_calls(n)).min().unwrap();
    let (small, large) = (best(10_000), best(40_000));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    assert!(ratio < 10.0, "10k calls: {small:?}, 40k calls: {large:?} (x{ratio:.1})");
}

#[test]
fn repeated_call_ids_and_results_the_first_counts() {
    let mut run = new_loop(None);
    let mut second = call("a", "completed");
    second["arguments"] = json!(r#"{"second":true}"#);
    let r = response(
        "completed",
        vec![call("b", "completed"), call("a", "completed"), second, call("b", "completed"), call("c", "completed")],
    );
    let Step::RunTools(calls) = run.on_response(&r) else { panic!() };
    assert_eq!(ids(&calls), ["b", "a", "c"]);
    assert_eq!(calls[1].arguments, "{}", "the first of two calls with one call_id");
    run.on_tool_results(vec![
        ("c".into(), Ok("c1".into())),
        ("zzz".into(), Ok("unknown".into())),
        ("a".into(), Err("a1".into())),
        ("c".into(), Ok("c2".into())),
        ("a".into(), Ok("a2".into())),
    ]);
    let outputs: Vec<(&str, &str)> =
        run.steps()[0].tool_calls.iter().map(|c| (c.call_id.as_str(), c.output.as_str())).collect();
    assert_eq!(outputs, [("b", "Error: the tool gave no result"), ("a", "Error: a1"), ("c", "c1")]);
}

#[test]
fn a_cut_off_response_runs_no_call_and_the_calls_left_are_pending() {
    use StopReason::{Incomplete, MaxSteps, NoToolCalls, PendingCalls};
    let (c1, c2) = (call("c1", "completed"), call("c2", "completed"));
    let human = json!({"type": "function_call", "call_id": "c2", "name": "human", "arguments": "{}"});
    let no_execute = json!({"type": "function_call", "call_id": "x", "name": "no_execute", "arguments": "{}"});
    let text = json!({"type": "message", "role": "assistant", "content": []});
    let cases = [
        // response.incomplete (max_output_tokens): every call of it is left to the caller
        (None, "incomplete", vec![c1.clone(), c2], Incomplete, vec!["c1", "c2"]),
        // a call still in_progress or incomplete in a completed response: its arguments may be partial
        (None, "completed", vec![c1.clone(), call("c2", "in_progress")], Incomplete, vec!["c1", "c2"]),
        (None, "completed", vec![c1.clone(), call("c2", "incomplete")], Incomplete, vec!["c1", "c2"]),
        // before max_steps and before calls the loop cannot answer
        (Some(1), "incomplete", vec![c1.clone()], Incomplete, vec!["c1"]),
        (None, "incomplete", vec![no_execute], Incomplete, vec!["x"]),
        // an incomplete response without calls is the answer
        (None, "incomplete", vec![text], NoToolCalls, vec![]),
        // the calls left when the loop stops at max_steps, or at a call it has no code for
        (Some(1), "completed", vec![c1.clone()], MaxSteps, vec!["c1"]),
        (None, "completed", vec![c1, human], PendingCalls, vec!["c1", "c2"]),
    ];
    for (max_steps, status, output, reason, pending) in cases {
        let mut run = new_loop(max_steps);
        let r = response(status, output);
        assert_eq!(run.on_response(&r), Step::Done(reason), "{r}");
        assert_eq!(run.stop_reason(), Some(reason), "{r}");
        assert_eq!(ids(run.pending_calls()), pending, "{r}");
        assert_eq!(run.next_request(), None, "{r}");
        assert!(run.steps()[0].tool_calls.is_empty(), "{r}");
    }
    // unknown statuses are not a cut
    let mut run = new_loop(None);
    let r = response("some_new_status", vec![call("c1", "searching")]);
    assert!(matches!(run.on_response(&r), Step::RunTools(_)));
    assert_eq!(StopReason::Incomplete.as_str(), "incomplete");
    assert_eq!(serde_json::to_value(StopReason::Incomplete).unwrap(), "incomplete");
}

#[test]
fn concurrency_is_a_positive_integer_default_eight() {
    assert_eq!(DEFAULT_CONCURRENCY, 8);
    for (given, want) in [(None, 8), (Some(1.0), 1), (Some(50.0), 50), (Some(1e300), usize::MAX)] {
        assert_eq!(tool_loop::concurrency(given).unwrap(), want, "{given:?}");
    }
    for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0] {
        let got = tool_loop::concurrency(Some(bad));
        let Err(Error::Validation { param, message }) = got else { panic!("{bad}: {got:?}") };
        assert_eq!((param.as_str(), message.as_str()), ("concurrency", "must be a positive integer"));
    }
}
