#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the tool loop's state machine (`src/tool_loop/`): a recorded `store: false` loop
//! (`openai_reasoning_encrypted_step1..4.sse`, SKIPPED when absent) end to end, synthetic responses,
//! and hostile or large ones: tens of thousands of calls in one response (time grows with n, not
//! n²), repeated call_ids and results, responses cut off (`status: "incomplete"`, calls still
//! `in_progress`), and the `concurrency` option's rule.

use cometapi_responses::accumulate::{Accumulator, Ending};
use cometapi_responses::error::Error;
use std::time::{Duration, Instant};

use cometapi_responses::tool_loop::{
    self, Step, StopReason, ToolCall, ToolLoop, DEFAULT_CONCURRENCY, DEFAULT_MAX_STEPS, ENCRYPTED_REASONING,
};
use serde_json::{json, Value};

#[path = "common/recordings.rs"]
mod recordings;

/// The final response of a recorded stream, accumulated; `None` (SKIPPED) when absent, unless `CI=true`.
fn recorded_response(name: &str) -> Option<Value> {
    let mut acc = Accumulator::new();
    recordings::events(&recordings::recorded(name)?).iter().for_each(|ev| acc.push(ev));
    assert_eq!(acc.ending(), &Ending::Completed, "{name}");
    Some(acc.snapshot().expect("a snapshot").clone())
}

/// A loop over `params` whose tools `tools` have code (`None`: the default max_steps).
fn new_loop(params: &Value, tools: &[&str], max_steps: Option<usize>) -> ToolLoop {
    ToolLoop::new(params.clone(), tools.iter().map(|s| s.to_string()).collect(), max_steps).unwrap()
}

/// A loop over `{"model": "m", "input": "x"}`, at the default max_steps.
fn plain(tools: &[&str]) -> ToolLoop {
    new_loop(&json!({"model": "m", "input": "x"}), tools, None)
}

/// A tool's result for `call_id`: `Ok(output)` or `Err(error)`.
type ToolResult = (String, Result<String, String>);

fn ok(call_id: &str, output: &str) -> ToolResult {
    (call_id.to_owned(), Ok(output.to_owned()))
}

fn run_tools(step: Step) -> Vec<ToolCall> {
    let Step::RunTools(calls) = step else { panic!("expected RunTools, got {step:?}") };
    calls
}

/// The next request after `r`'s calls ran, each giving `output`.
fn after(run: &mut ToolLoop, r: &Value, output: Result<&str, &str>) -> Value {
    let calls = run_tools(run.on_response(r));
    let results = calls.iter().map(|c| (c.call_id.clone(), output.map(str::to_owned).map_err(str::to_owned)));
    run.on_tool_results(results.collect());
    run.next_request().unwrap()
}

/// The outputs of `(call_id, output)`, as the next request's input carries them.
fn outputs(list: &[(&str, &str)]) -> Value {
    list.iter().map(|(id, out)| json!({"type": "function_call_output", "call_id": id, "output": out})).collect()
}

fn calculator(args: &Value) -> String {
    let (a, b) = (args["a"].as_f64().unwrap(), args["b"].as_f64().unwrap());
    let r = match args["op"].as_str().unwrap() {
        "add" => a + b,
        "subtract" => a - b,
        "multiply" => a * b,
        _ => a / b,
    };
    r.to_string()
}

// --- store: false, recorded end to end

#[test]
fn recorded_store_false_loop_resends_the_whole_history() {
    let steps = (1..=4).map(|i| recorded_response(&format!("openai_reasoning_encrypted_step{i}.sse")));
    let Some(responses) = steps.collect::<Option<Vec<Value>>>() else { return };
    let tools = responses[0]["tools"].clone();
    let params = json!({
        "model": "gpt-5.1-codex-max",
        "input": "Use the calculator, one operation per step: (12 + 7) * 3 * 10.",
        "tools": tools,
        "reasoning": {"effort": "high", "summary": "detailed"},
        "store": false,
        "include": ["message.output_text.logprobs"],
    });
    let mut run = new_loop(&params, &["calculator"], None);
    let reasoning = &responses[0]["output"][0];
    assert_eq!(reasoning["type"], "reasoning");
    assert!(reasoning["encrypted_content"].as_str().unwrap().len() > 100);
    // every request: the user's params, include merged (their own entry kept), no
    // previous_response_id; after the first, the whole history as input: the user message, every
    // earlier output item as it came (the reasoning item with its encrypted content), the outputs
    let mut want = params.clone();
    want["include"] = json!(["message.output_text.logprobs", ENCRYPTED_REASONING]);
    let mut history = vec![json!({"type": "message", "role": "user", "content": params["input"]})];
    let (mut outputs, mut lens) = (Vec::new(), Vec::new());
    for (i, response) in responses.iter().enumerate() {
        let request = run.next_request().expect("a request");
        assert_eq!(request, want, "request {i}");
        let input = request["input"].as_array().map_or(&[][..], Vec::as_slice);
        assert!(input.iter().all(|it| it.get("parsed_arguments").is_none()), "request {i}");
        lens.push(history.len());
        match run.on_response(response) {
            Step::RunTools(calls) => {
                assert!(i < 3, "step {} has calls", i + 1);
                assert_eq!((calls.len(), calls[0].name.as_str()), (1, "calculator"));
                let (id, result) = (calls[0].call_id.clone(), calculator(calls[0].parsed.as_ref().unwrap()));
                // as it came: the snapshot's `parsed_arguments` (not an API field) left out
                for item in response["output"].as_array().unwrap() {
                    let mut item = item.clone();
                    if item["type"] == "function_call" {
                        assert!(item["parsed_arguments"].is_object(), "the snapshot has parsed_arguments");
                        item.as_object_mut().unwrap().remove("parsed_arguments");
                    }
                    history.push(item);
                }
                history.push(json!({"type": "function_call_output", "call_id": id, "output": result}));
                want["input"] = json!(history);
                outputs.push(result.clone());
                run.on_tool_results(vec![(id, Ok(result))]);
            }
            Step::Done(reason) => assert_eq!((i, reason), (3, StopReason::NoToolCalls)),
        }
    }
    // the model's own next calls confirm the outputs it got: 12+7=19, 19*3=57, 57*10=570
    assert_eq!(outputs, ["19", "57", "570"]);
    assert_eq!(responses[3]["output_text"], "The final result is **570**.");
    assert_eq!(run.next_request(), None);
    assert_eq!(run.stop_reason(), Some(StopReason::NoToolCalls));
    let steps = run.steps();
    assert_eq!(steps.len(), 4);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step.response, responses[i]);
        assert_eq!(step.tool_calls.len(), usize::from(i < 3));
    }
    assert_eq!(steps[1].tool_calls[0].arguments, r#"{"a":19,"b":3,"op":"multiply"}"#);
    assert_eq!(steps[2].tool_calls[0].output, "570");
    // the history grows by each response's items and its outputs
    assert_eq!(lens, [1, 4, 6, 8]);
}

// --- Synthetic responses

fn call(call_id: &str, name: &str, arguments: &str) -> Value {
    json!({"type": "function_call", "id": format!("fc_{call_id}"), "call_id": call_id, "name": name, "arguments": arguments, "status": "completed"})
}

fn response(id: &str, output: Vec<Value>) -> Value {
    json!({"id": id, "object": "response", "status": "completed", "output": output})
}

/// `v` with this `status`.
fn with_status(mut v: Value, status: &str) -> Value {
    v["status"] = json!(status);
    v
}

fn ids(calls: &[ToolCall]) -> Vec<&str> {
    calls.iter().map(|c| c.call_id.as_str()).collect()
}

fn message(text: &str) -> Value {
    json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

#[test]
fn chains_with_previous_response_id_when_stored() {
    let params = json!({"model": "m", "input": [{"role": "user", "content": "weather and time in Lisbon?"}], "tools": [], "previous_response_id": "resp_0"});
    let mut run = new_loop(&params, &["get_weather", "get_time"], None);
    assert_eq!(run.next_request(), Some(params.clone()), "the first request is the user's params, unchanged");

    let reasoning = json!({"type": "reasoning", "id": "rs_1", "summary": []});
    let weather = call("call_1", "get_weather", r#"{"city":"Lisbon"}"#);
    let r1 = response("resp_1", vec![reasoning, weather, call("call_2", "get_time", "")]);
    let calls = run_tools(run.on_response(&r1));
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].parsed, Ok(json!({"city": "Lisbon"})));
    assert_eq!((calls[1].arguments.as_str(), &calls[1].parsed), ("", &Ok(json!({}))), "empty arguments are {{}}");
    assert_eq!(run.next_request(), None, "no request while the tools run");
    assert_eq!(run.pending_calls(), &calls[..]);
    // results in any order: the outputs follow the calls' order
    run.on_tool_results(vec![ok("call_2", "12:00"), ok("call_1", r#"{"temp":21}"#)]);
    let req = run.next_request().unwrap();
    let mut want = params.clone();
    want["previous_response_id"] = json!("resp_1");
    want["input"] = outputs(&[("call_1", "{\"temp\":21}"), ("call_2", "12:00")]);
    assert_eq!(req, want, "include is left alone when stored");

    let r2 = response("resp_2", vec![call("call_3", "get_weather", r#"{"city":"Porto"}"#)]);
    let req = after(&mut run, &r2, Ok("sunny"));
    assert_eq!(req["previous_response_id"], "resp_2");
    assert_eq!(req["input"], outputs(&[("call_3", "sunny")]));

    let r3 = response("resp_3", vec![message("Sunny, 21°C, noon.")]);
    assert_eq!(run.on_response(&r3), Step::Done(StopReason::NoToolCalls));
    assert_eq!(run.next_request(), None);
    let steps = serde_json::to_value(run.steps()).unwrap();
    assert_eq!(
        steps,
        json!([
            {"response": r1, "toolCalls": [
                {"call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Lisbon\"}", "output": "{\"temp\":21}"},
                {"call_id": "call_2", "name": "get_time", "arguments": "", "output": "12:00"},
            ]},
            {"response": r2, "toolCalls": [{"call_id": "call_3", "name": "get_weather", "arguments": "{\"city\":\"Porto\"}", "output": "sunny"}]},
            {"response": r3, "toolCalls": []},
        ])
    );
}

#[test]
fn a_conversation_or_a_socket_sends_only_the_new_outputs() {
    // A conversation holds the history: no previous_response_id. Over a socket, store: false
    // chains: the connection holds the history.
    let stateless = json!({"model": "m", "input": "weather?", "tools": [], "store": false});
    let cases = [
        (json!({"model": "m", "input": "hi", "conversation": "conv_1"}), false, ("c1", "f", "ok")),
        (stateless, true, ("call_1", "get_weather", "sunny")),
    ];
    for (params, socket, (id, tool, output)) in cases {
        let mut run = new_loop(&params, &[tool], None);
        if socket {
            run.over_socket();
        }
        assert_eq!(run.next_request(), Some(params.clone()), "the first request is the user's params");
        let req = after(&mut run, &response("resp_1", vec![call(id, tool, "{}")]), Ok(output));
        let mut want = params.clone();
        if socket {
            want["previous_response_id"] = json!("resp_1");
        }
        want["input"] = outputs(&[(id, output)]);
        assert_eq!(req, want, "{params}");
    }
}

#[test]
fn store_false_history_from_an_input_array_and_include_merging() {
    let input = json!([{"role": "system", "content": "be brief"}, {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "go"}]}]);
    for (include, want) in [
        (None, json!([ENCRYPTED_REASONING])),
        (Some(json!([ENCRYPTED_REASONING, "x"])), json!([ENCRYPTED_REASONING, "x"])),
        (Some(json!("odd")), json!([ENCRYPTED_REASONING])),
    ] {
        let mut params = json!({"model": "m", "input": input, "store": false, "previous_response_id": "resp_0"});
        if let Some(include) = include {
            params["include"] = include;
        }
        let mut run = new_loop(&params, &["f"], None);
        let first = run.next_request().unwrap();
        assert_eq!(first["include"], want);
        assert_eq!(first["previous_response_id"], "resp_0", "the first request is the user's");
        let reasoning = json!({"type": "reasoning", "id": "rs", "encrypted_content": "gAAA", "summary": []});
        let r1 = response("resp_1", vec![reasoning, call("c1", "f", "{}")]);
        let req = after(&mut run, &r1, Err("boom"));
        assert_eq!(req["include"], want);
        assert_eq!(req["previous_response_id"], "resp_0", "the user's own chain is kept");
        let mut history = input.as_array().unwrap().clone();
        history.extend(r1["output"].as_array().unwrap().iter().cloned());
        history.push(json!({"type": "function_call_output", "call_id": "c1", "output": "Error: boom"}));
        assert_eq!(req["input"], Value::Array(history));
    }
}

#[test]
fn max_steps_bounds_the_number_of_responses() {
    // (max_steps given, the steps it allows): the default is DEFAULT_MAX_STEPS, 10
    for (given, max) in [(Some(1), 1), (Some(2), 2), (Some(3), 3), (None, 10)] {
        let mut run = new_loop(&json!({"model": "m", "input": "x"}), &["f"], given);
        let mut n = 0;
        while let Some(_req) = run.next_request() {
            n += 1;
            assert!(n <= max, "{given:?}: more than {max} requests");
            let r = response(&format!("resp_{n}"), vec![call(&format!("c{n}"), "f", "{}")]);
            match run.on_response(&r) {
                Step::RunTools(calls) => run.on_tool_results(vec![ok(&calls[0].call_id, "again")]),
                Step::Done(reason) => assert_eq!(reason, StopReason::MaxSteps),
            }
        }
        assert_eq!(n, max, "{given:?}");
        assert_eq!(run.steps().len(), max, "{given:?}");
        assert_eq!(run.stop_reason(), Some(StopReason::MaxSteps), "{given:?}");
        // the last response's calls were not run: they are in the final response
        assert!(run.steps()[max - 1].tool_calls.is_empty());
        assert_eq!(run.steps()[max - 1].response["output"][0]["call_id"], format!("c{max}"));
    }
    assert_eq!(DEFAULT_MAX_STEPS, 10);
}

#[test]
fn a_tool_without_execute_leaves_the_calls_to_the_caller() {
    let mcp = json!({"type": "mcp_approval_request", "id": "mcpr", "name": "x", "arguments": "{}"});
    let outputs = [
        vec![call("c1", "f", "{}"), call("c2", "approve", "{}")],
        vec![call("c1", "unknown", "{}")],
        vec![call("c1", "f", "{}"), json!({"type": "computer_call", "call_id": "cc", "action": {}})],
        vec![json!({"type": "custom_tool_call", "call_id": "cu", "name": "grammar", "input": "x"})],
        vec![call("c1", "f", "{}"), mcp],
        vec![json!({"type": "function_call", "name": "f", "arguments": "{}"})],
        vec![json!({"type": "function_call", "call_id": "c1", "arguments": "{}"})],
    ];
    for output in outputs {
        let mut run = new_loop(&json!({"model": "m", "input": "x", "tools": []}), &["f"], None);
        let r = response("resp_1", output.clone());
        assert_eq!(run.on_response(&r), Step::Done(StopReason::PendingCalls), "{output:?}");
        assert_eq!(run.next_request(), None);
        assert_eq!(run.steps().len(), 1);
        assert!(run.steps()[0].tool_calls.is_empty(), "nothing ran");
        assert_eq!(run.steps()[0].response, r, "the pending calls are in the final response");
    }
    // web_search and other server-side tools are not the loop's business
    let web_search = json!({"type": "web_search_call", "id": "ws", "status": "completed"});
    let r = response("resp_1", vec![web_search, message("done")]);
    assert_eq!(plain(&[]).on_response(&r), Step::Done(StopReason::NoToolCalls));
}

#[test]
fn invalid_arguments_and_tool_errors_go_back_to_the_model() {
    let mut run = plain(&["f", "g"]);
    let (bad, fails) = (call("bad", "f", r#"{"city" "Lisbon"}"#), call("fails", "g", r#"{"n":1}"#));
    let r = response("resp_1", vec![bad, fails, call("fine", "f", r#"{"n":2}"#), call("silent", "g", "[]")]);
    let calls = run_tools(run.on_response(&r));
    let why = "arguments are not valid JSON: invalid JSON at byte 8: expected ':' after an object key (found '\"')";
    assert_eq!(calls[0].parsed, Err(why.to_owned()));
    assert_eq!(
        serde_json::to_value(&calls).unwrap(),
        json!([
            {"call_id": "bad", "name": "f", "arguments": "{\"city\" \"Lisbon\"}", "error": why},
            {"call_id": "fails", "name": "g", "arguments": "{\"n\":1}", "parsed": {"n": 1}},
            {"call_id": "fine", "name": "f", "arguments": "{\"n\":2}", "parsed": {"n": 2}},
            {"call_id": "silent", "name": "g", "arguments": "[]", "parsed": []},
        ])
    );
    // the caller runs the valid ones; a result for the invalid one is ignored; "silent" gives none
    let (failed, stray) = (("fails".into(), Err("city not found".into())), ok("nobody", "stray"));
    run.on_tool_results(vec![ok("fine", "2"), ok("bad", "ran anyway"), failed, stray]);
    let req = run.next_request().unwrap();
    let bad = format!("Error: {why}");
    let none = "Error: the tool gave no result";
    let want = [("bad", bad.as_str()), ("fails", "Error: city not found"), ("fine", "2"), ("silent", none)];
    assert_eq!(req["input"], outputs(&want));
    let records = serde_json::to_value(&run.steps()[0].tool_calls).unwrap();
    assert_eq!(records[0]["error"], why);
    assert_eq!(records[1]["error"], "city not found");
    assert_eq!(records[1]["output"], "Error: city not found");
    assert!(records[2].get("error").is_none());
    assert_eq!(records[3]["error"], "the tool gave no result");
}

#[test]
fn odd_responses_never_panic() {
    let odd = [
        json!(null),
        json!("text"),
        json!({}),
        json!({"id": "r", "output": null}),
        json!({"id": "r", "output": {"type": "function_call"}}),
        json!({"id": "r", "output": [1, null, "x", {"type": 5}, {"no": "type"}]}),
        json!({"id": 7, "output": [message("hi")]}),
    ];
    for r in &odd {
        let mut run = plain(&["f"]);
        assert_eq!(run.on_response(r), Step::Done(StopReason::NoToolCalls), "{r}");
        assert_eq!(&run.steps()[0].response, r);
    }

    // non-string arguments are taken as they are; missing arguments are {}; duplicate call_ids run once
    let output = vec![
        json!({"type": "function_call", "call_id": "obj", "name": "f", "arguments": {"city": "Lisbon", "n": 1.5}}),
        json!({"type": "function_call", "call_id": "none", "name": "f"}),
        json!({"type": "function_call", "call_id": "num", "name": "f", "arguments": 42}),
        call("obj", "f", r#"{"again":true}"#),
        call("ws", "f", " \n\t"),
        call("astral", "f", r#"{"s":"\ud83d\ude00 \ud800","big":1e400}"#),
    ];
    let calls = run_tools(plain(&["f"]).on_response(&response("resp_1", output)));
    let got: Vec<(&str, &str, Result<Value, String>)> =
        calls.iter().map(|c| (c.call_id.as_str(), c.arguments.as_str(), c.parsed.clone())).collect();
    let want = [
        ("obj", r#"{"city":"Lisbon","n":1.5}"#, Ok(json!({"city": "Lisbon", "n": 1.5}))),
        ("none", "", Ok(json!({}))),
        ("num", "42", Ok(json!(42))),
        ("ws", " \n\t", Ok(json!({}))),
        ("astral", r#"{"s":"\ud83d\ude00 \ud800","big":1e400}"#, Ok(json!({"s": "😀 \u{FFFD}", "big": null}))),
    ];
    assert_eq!(got, want);

    // a stored loop whose response has no id cannot chain: it stops before running anything
    let r = json!({"output": [call("c1", "f", "{}")]});
    assert_eq!(plain(&["f"]).on_response(&r), Step::Done(StopReason::NoResponseId));
    // … but store:false needs none
    run_tools(new_loop(&json!({"model": "m", "input": "x", "store": false}), &["f"], None).on_response(&r));
}

#[test]
fn calls_out_of_turn_change_nothing() {
    let mut run = plain(&["f"]);
    run.on_tool_results(vec![ok("c1", "early")]);
    assert!(run.steps().is_empty());
    let r1 = response("resp_1", vec![call("c1", "f", "{}")]);
    let calls = run_tools(run.on_response(&r1));
    // a second response while the tools run: the same step again, not recorded
    assert_eq!(run.on_response(&response("resp_x", vec![])), Step::RunTools(calls.clone()));
    assert_eq!(run.steps().len(), 1);
    run.on_tool_results(vec![ok("c1", "1")]);
    run.on_tool_results(vec![ok("c1", "2")]); // ignored: nothing waits
    assert_eq!(run.steps()[0].tool_calls[0].output, "1");
    assert_eq!(run.on_response(&response("resp_2", vec![message("done")])), Step::Done(StopReason::NoToolCalls));
    assert_eq!(run.on_response(&r1), Step::Done(StopReason::NoToolCalls), "over is over");
    assert_eq!(run.steps().len(), 2);
    assert_eq!(StopReason::NoToolCalls.as_str(), "no_tool_calls");
    assert_eq!(serde_json::to_value(StopReason::PendingCalls).unwrap(), "pending_calls");
}

#[test]
fn params_must_be_an_object_and_max_steps_positive() {
    let made = ToolLoop::new(json!([1]), vec![], None).err();
    let Some(Error::Validation { param, .. }) = &made else { panic!("{made:?}") };
    assert_eq!(param, "params");
    let made = ToolLoop::new(json!({}), vec![], Some(0)).err();
    let Some(Error::Validation { param, message }) = made else { panic!("{made:?}") };
    assert_eq!((param.as_str(), message.as_str()), ("maxSteps", "`maxSteps` must be at least 1; got 0"));
}

// --- Hostile or large responses

/// One response of `n` calls through the loop, the results handed back in reverse order.
fn many_calls(n: usize) -> Duration {
    let output: Vec<Value> = (0..n).map(|i| call(&format!("call_{i}"), "f", "{}")).collect();
    let r = response("resp_1", output);
    let start = Instant::now();
    let mut run = plain(&["f"]);
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
    let mut run = plain(&["f"]);
    let mut output: Vec<Value> = ["b", "a", "a", "b", "c"].iter().map(|id| call(id, "f", "{}")).collect();
    output[2]["arguments"] = json!(r#"{"second":true}"#);
    let r = response("resp_1", output);
    let Step::RunTools(calls) = run.on_response(&r) else { panic!() };
    assert_eq!(ids(&calls), ["b", "a", "c"]);
    assert_eq!(calls[1].arguments, "{}", "the first of two calls with one call_id");
    let results =
        vec![ok("c", "c1"), ok("zzz", "unknown"), ("a".into(), Err("a1".into())), ok("c", "c2"), ok("a", "a2")];
    run.on_tool_results(results);
    let outputs: Vec<(&str, &str)> =
        run.steps()[0].tool_calls.iter().map(|c| (c.call_id.as_str(), c.output.as_str())).collect();
    assert_eq!(outputs, [("b", "Error: the tool gave no result"), ("a", "Error: a1"), ("c", "c1")]);
}

#[test]
fn a_cut_off_response_runs_no_call_and_the_calls_left_are_pending() {
    use StopReason::{Incomplete, MaxSteps, NoToolCalls, PendingCalls};
    let (c1, c2) = (call("c1", "f", "{}"), call("c2", "f", "{}"));
    let human = json!({"type": "function_call", "call_id": "c2", "name": "human", "arguments": "{}"});
    let no_execute = json!({"type": "function_call", "call_id": "x", "name": "no_execute", "arguments": "{}"});
    let text = json!({"type": "message", "role": "assistant", "content": []});
    let c2_as = |status| with_status(call("c2", "f", "{}"), status);
    let cases = [
        // response.incomplete (max_output_tokens): every call of it is left to the caller
        (None, "incomplete", vec![c1.clone(), c2], Incomplete, vec!["c1", "c2"]),
        // a call still in_progress or incomplete in a completed response: its arguments may be partial
        (None, "completed", vec![c1.clone(), c2_as("in_progress")], Incomplete, vec!["c1", "c2"]),
        (None, "completed", vec![c1.clone(), c2_as("incomplete")], Incomplete, vec!["c1", "c2"]),
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
        let mut run = new_loop(&json!({"model": "m", "input": "x"}), &["f"], max_steps);
        let r = with_status(response("resp_1", output), status);
        assert_eq!(run.on_response(&r), Step::Done(reason), "{r}");
        assert_eq!(run.stop_reason(), Some(reason), "{r}");
        assert_eq!(ids(run.pending_calls()), pending, "{r}");
        assert_eq!(run.next_request(), None, "{r}");
        assert!(run.steps()[0].tool_calls.is_empty(), "{r}");
    }
    // unknown statuses are not a cut
    let mut run = plain(&["f"]);
    let r = with_status(response("resp_1", vec![with_status(call("c1", "f", "{}"), "searching")]), "some_new_status");
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
        assert_eq!((param.as_str(), message.as_str()), ("concurrency", "`concurrency` must be a positive integer"));
    }
}
