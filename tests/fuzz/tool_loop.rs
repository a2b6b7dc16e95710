//! The `tool_loop` target: hostile response sequences through the tool loop's state machine
//! (`ToolLoop`): many calls, repeated call_ids, missing or mistyped fields, odd statuses, random
//! results (any order, missing, repeated, unknown ids). It asserts no panic and the loop's
//! invariants: the calls to run have distinct, non-empty call_ids and names and come from
//! `function_call` items of the response; a cut-off response runs nothing; the next request
//! carries one output per call, in the calls' order; the loop stops within `max_steps`; once
//! over it stays over.
//!
//! Input: 8 control bytes (options, the results' seed), then a JSON array of responses
//! (structure-aware from `input`, sometimes mutated; text that is not JSON is one response).

use cometapi_responses::tool_loop::{Step, StopReason, ToolCall, ToolLoop};
use serde_json::{json, Value};

use crate::corpus::Corpus;
use crate::gen::mutate_json;
use crate::rng::Rng;

const NAMES: &[&str] = &["f", "g", "human", "", "f\u{0}"];
const STATUSES: &[&str] = &["completed", "in_progress", "incomplete", "failed", "searching", ""];
const ARGS: &[&str] = &["{}", "", " ", "{\"a\":1}", "{\"a\":", "[1,2]", "\"\\ud800\"", "null", "1e400", "{\"a\":1}}"];

/// One input: control bytes and a JSON array of 1–4 responses.
pub fn input(rng: &mut Rng, corpus: &Corpus) -> Vec<u8> {
    let mut out = rng.next_u64().to_le_bytes().to_vec();
    let responses: Vec<Value> = (0..rng.range(1, 5)).map(|_| response(rng)).collect();
    let mut text = Value::Array(responses).to_string();
    for _ in 0..rng.small(3) {
        mutate_json(rng, corpus, &mut text);
    }
    out.extend(text.into_bytes());
    out
}

fn response(rng: &mut Rng) -> Value {
    let n = if rng.one_in(1000) { rng.range(500, 3000) } else { rng.small(8) };
    let ids = rng.range(1, n.max(1) + 1); // fewer distinct ids than calls: repeats
    let output: Vec<Value> = (0..n)
        .map(|i| match rng.below(12) {
            0 => json!({"type": "message", "role": "assistant", "content": []}),
            1 => json!({"type": *rng.pick(&["custom_tool_call", "computer_call", "reasoning", "x"]), "call_id": format!("c{i}")}),
            2 => json!({"type": "function_call"}),
            3 => json!({"type": "function_call", "call_id": 5, "name": ["f"], "arguments": {"a": 1}}),
            _ => {
                let mut call = json!({"type": "function_call", "call_id": format!("call_{}", rng.below(ids)),
                    "name": *rng.pick(NAMES), "arguments": *rng.pick(ARGS)});
                if !rng.one_in(4) {
                    call["status"] = json!(*rng.pick(STATUSES));
                }
                call
            }
        })
        .collect();
    let mut r = json!({"output": output});
    if !rng.one_in(8) {
        r["id"] = json!(format!("resp_{}", rng.below(100)));
    }
    if !rng.one_in(4) {
        r["status"] = json!(*rng.pick(STATUSES));
    }
    r
}

/// No two calls with one call_id.
fn distinct(calls: &[ToolCall]) -> bool {
    let ids: std::collections::HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    ids.len() == calls.len()
}

pub fn target(input: &[u8]) {
    let (mut rng, body) = crate::targets::control(input);
    let responses = match serde_json::from_slice(body) {
        Ok(Value::Array(list)) => list,
        Ok(other) => vec![other],
        Err(_) => vec![Value::String(String::from_utf8_lossy(body).into_owned())],
    };
    let mut params = json!({"model": "m", "input": "x"});
    match rng.below(4) {
        0 => params["store"] = json!(false),
        1 => params["conversation"] = json!("conv_1"),
        _ => {}
    }
    let max_steps = rng.one_in(3).then(|| rng.range(1, 4));
    let mut run = ToolLoop::new(params, vec!["f".into(), "g".into(), String::new()], max_steps).unwrap();
    for (k, r) in responses.iter().enumerate() {
        assert!(run.next_request().is_some(), "the loop waits for a response");
        let step = run.on_response(r);
        assert_eq!(run.steps().len(), k + 1);
        assert!(run.steps().len() <= max_steps.unwrap_or(10));
        let items = r.get("output").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        let is_call = |c: &str| {
            items.iter().any(|i| {
                i.get("type").and_then(Value::as_str) == Some("function_call")
                    && i.get("call_id").and_then(Value::as_str) == Some(c)
            })
        };
        let calls = match step {
            Step::Done(reason) => {
                assert_eq!(run.stop_reason(), Some(reason));
                assert_eq!(run.next_request(), None);
                assert_eq!(run.on_response(r), Step::Done(reason), "over is over");
                let pending = run.pending_calls();
                if reason == StopReason::NoToolCalls {
                    assert!(pending.is_empty());
                }
                assert!(distinct(pending), "pending call_ids are distinct");
                assert!(pending.iter().all(|c| is_call(&c.call_id)));
                return;
            }
            Step::RunTools(calls) => calls,
        };
        // nothing of a cut-off response runs
        assert_ne!(r.get("status").and_then(Value::as_str), Some("incomplete"));
        assert!(items.iter().all(|i| i.get("type").and_then(Value::as_str) != Some("function_call")
            || !matches!(i.get("status").and_then(Value::as_str), Some("in_progress" | "incomplete"))));
        assert!(!calls.is_empty());
        assert!(distinct(&calls), "call_ids are distinct");
        assert!(calls.iter().all(|c| !c.name.is_empty() && is_call(&c.call_id)));
        assert_eq!(run.pending_calls(), &calls[..]);
        assert_eq!(run.next_request(), None, "no request while the tools run");
        // results: any order, some missing, some repeated, some unknown
        let mut results: Vec<(String, Result<String, String>)> = Vec::new();
        for c in &calls {
            for _ in 0..[1, 1, 1, 0, 2][rng.below(5)] {
                let text = format!("r{}", rng.below(1000));
                results.push((c.call_id.clone(), if rng.one_in(3) { Err(text) } else { Ok(text) }));
            }
        }
        if rng.one_in(4) {
            results.push(("unknown".into(), Ok("x".into())));
        }
        for i in (1..results.len()).rev() {
            results.swap(i, rng.below(i + 1));
        }
        run.on_tool_results(results);
        let req = run.next_request().expect("a request after the results");
        let records = &run.steps()[k].tool_calls;
        assert_eq!(
            records.iter().map(|t| t.call_id.as_str()).collect::<Vec<_>>(),
            calls.iter().map(|c| c.call_id.as_str()).collect::<Vec<_>>()
        );
        for t in records {
            if let Some(e) = &t.error {
                assert_eq!(t.output, format!("Error: {e}"));
            }
        }
        let input = req["input"].as_array().expect("input is an array");
        let outputs: Vec<&Value> = input.iter().rev().take(calls.len()).rev().collect();
        for (o, c) in outputs.iter().zip(&calls) {
            assert_eq!(o["type"], "function_call_output");
            assert_eq!(o["call_id"], c.call_id.as_str());
        }
    }
}
