//! The SDK helpers of the Rust API inside a real wasm instance, against the mock
//! backend (MOCK_URL at build time): the typed `output_parsed::<T>()`, a json_schema stream's
//! `partial_parsed()`, the partial parser, `Client::run_tools` over async closures (two steps,
//! errors sent back, max_steps, an aborted signal). Shared by the Node and the browser binaries.

use std::cell::RefCell;
use std::rc::Rc;

use cometapi_responses::partial_json::PartialJsonParser;
use cometapi_responses::structured::OutputParsed;
use cometapi_responses::tool_loop::StopReason;
use cometapi_responses::wasm::{Client, RequestOptions, RunToolsOptions, Tools};
use cometapi_responses::Error;
use serde_json::{json, Value};
use wasm_bindgen_test::*;

fn client() -> Client {
    crate::transport::client(0, None)
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Person {
    name: String,
    age: i64,
    tags: Vec<String>,
}

fn person_params() -> Value {
    let schema = json!({"type": "object", "additionalProperties": false, "required": ["name", "age", "tags"],
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}});
    json!({"model": "mock", "input": "Ada Lovelace",
        "text": {"format": {"type": "json_schema", "name": "person", "schema": schema, "strict": true}}})
}

#[wasm_bindgen_test]
async fn typed_output_parsed_of_a_json_schema_response() {
    let r = client().create(&person_params(), RequestOptions::default()).await.unwrap();
    let p: Person = r.output_parsed().unwrap().expect("not a refusal");
    assert_eq!(serde_json::from_str::<Value>(r["output_text"].as_str().unwrap()).unwrap()["name"], p.name);
    assert!(!p.tags.is_empty());
    // A value that does not fit the type: an OutputParse error with the text.
    let e = r.output_parsed::<Vec<u8>>().unwrap_err();
    assert!(matches!(e, Error::OutputParse { ref text, .. } if text == r["output_text"].as_str().unwrap()), "{e:?}");
}

#[wasm_bindgen_test]
async fn a_json_schema_stream_has_partial_parsed() {
    let mut s = client().stream(&person_params(), RequestOptions::default()).unwrap();
    assert_eq!(s.partial_parsed(), None);
    let (mut text, mut grew) = (String::new(), 0);
    let mut last = None;
    while let Some(ev) = s.next_event().await {
        let ev = ev.unwrap();
        if ev.event_type() == "response.output_text.delta" {
            let v: Value = serde_json::from_str(ev.json()).unwrap();
            text.push_str(v["delta"].as_str().unwrap());
            let mut p = PartialJsonParser::new();
            p.push(&text);
            assert_eq!(s.partial_parsed().as_ref(), p.value(), "after {text:?}");
            grew += usize::from(s.partial_parsed() != last);
            last = s.partial_parsed();
        }
    }
    assert!(grew > 5, "the value grew {grew} times");
    let fin = s.final_response().await.unwrap();
    assert_eq!(s.partial_parsed(), fin.output_parsed::<Value>().unwrap());
    // a plain stream has none
    let mut plain = client().stream(&json!({"model": "mock", "input": "hi"}), RequestOptions::default()).unwrap();
    plain.final_response().await.unwrap();
    assert_eq!(plain.partial_parsed(), None);
}

fn weather_params() -> Value {
    json!({"model": "mock", "input": "What is the weather in Lisbon?",
        "tools": [{"type": "function", "name": "get_weather", "description": "The weather of a city",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]})
}

#[wasm_bindgen_test]
async fn run_tools_over_async_closures() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let tools = Tools::new().tool("get_weather", move |args: Value, ctx| {
        s.borrow_mut().push((args.clone(), ctx.call_id.clone()));
        async move { Ok::<_, String>(json!({"city": args["city"], "celsius": 21})) }
    });
    let mut events = Vec::new();
    let run = client()
        .run_tools(&weather_params(), &tools, RunToolsOptions::default(), |e| events.push(e.event_type().to_owned()))
        .await
        .unwrap();
    assert_eq!(run.stop_reason, StopReason::NoToolCalls);
    assert_eq!(run.steps.len(), 2);
    assert_eq!(events.iter().filter(|t| *t == "response.completed").count(), 2);
    assert_eq!(events.last().map(String::as_str), Some("response.completed"));
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1);
    let call = &run.steps[0].tool_calls[0];
    assert_eq!(call.call_id, seen[0].1);
    assert_eq!(serde_json::from_str::<Value>(&call.arguments).unwrap(), seen[0].0);
    assert_eq!(call.output, json!({"city": seen[0].0["city"], "celsius": 21}).to_string());
    assert!(run.response["output_text"].as_str().unwrap().contains("get_weather returned"));
}

#[wasm_bindgen_test]
async fn run_tools_sends_errors_back_and_stops_at_max_steps_or_an_abort() {
    let failing =
        Tools::new().tool("get_weather", |_args: Value, _ctx| async { Err::<Value, _>("the station is down") });
    let run = client().run_tools(&weather_params(), &failing, RunToolsOptions::default(), |_| {}).await.unwrap();
    let call = &run.steps[0].tool_calls[0];
    assert_eq!(call.output, "Error: the station is down");
    assert_eq!(call.error.as_deref(), Some("the station is down"));
    let opts = RunToolsOptions { max_steps: Some(1), ..Default::default() };
    let run = client().run_tools(&weather_params(), &failing, opts, |_| {}).await.unwrap();
    assert_eq!((run.stop_reason, run.steps.len()), (StopReason::MaxSteps, 1));
    // no code for the tool: the call is left pending in the final response
    let run = client().run_tools(&weather_params(), &Tools::new(), RunToolsOptions::default(), |_| {}).await.unwrap();
    assert_eq!(run.stop_reason, StopReason::PendingCalls);
    assert_eq!(run.response["output"][0]["type"], "function_call");
    // an aborted signal: no request, Error::Abort
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let opts = RunToolsOptions {
        request: RequestOptions { signal: Some(controller.signal()), ..Default::default() },
        ..Default::default()
    };
    let e = client().run_tools(&weather_params(), &failing, opts, |_| {}).await.unwrap_err();
    assert_eq!(e, Error::Abort);
}

/// `{:?}` of the options (a log line) shows neither the key nor a header's value.
#[wasm_bindgen_test]
fn client_options_debug_holds_no_key() {
    let options = cometapi_responses::wasm::ClientOptions {
        api_key: Some("sk-live-0123456789abcdef".into()),
        headers: vec![("x-proxy-token".into(), "tok-0123456789".into())],
        ..Default::default()
    };
    let text = format!("{options:?}");
    assert!(!text.contains("0123456789") && text.contains("x-proxy-token"), "{text}");
}
