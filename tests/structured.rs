//! Structured outputs in the core (src/structured.rs): which requests ask for one, what
//! `output_parsed` is for a Response (its output text's value, `null` on a refusal, an error for
//! invalid JSON, the typed Rust value), and a `json_schema` stream's partial JSON ops (every
//! chunking, replaced text, a root number, refusals, invalid text, the plain stream untouched).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]

use cometapi_responses::accumulate::compute_output_text;
use cometapi_responses::call::Call;
use cometapi_responses::endpoint::{Answer, Config, Operation, Query};
use cometapi_responses::error::Error;
use cometapi_responses::partial_json::{self, apply_ops_json};
use cometapi_responses::request::prepare_full;
use cometapi_responses::stream::StreamState;
use cometapi_responses::structured::{
    answer_output_parsed, check_json, has_output_text, is_json_schema, OutputParsed, OutputParser, OutputState,
};
use serde_json::{json, Value};

fn message(parts: Value) -> Value {
    json!({"id": "resp_1", "object": "response", "status": "completed",
        "output": [{"type": "reasoning", "summary": []},
                   {"type": "message", "role": "assistant", "content": parts}]})
}

fn text_response(text: &str) -> Value {
    message(json!([{"type": "output_text", "text": text, "annotations": []}]))
}

fn refusal() -> Value {
    message(json!([{"type": "refusal", "refusal": "I can't help with that."}]))
}

#[test]
fn json_schema_requests_are_recognised() {
    let f = |format: Value| json!({"model": "m", "input": "x", "text": {"format": format}});
    let schema = schema_params();
    for (params, want) in [
        (&schema, true),
        (&f(json!({"type": "json_object"})), false),
        (&f(json!({"type": "text"})), false),
        (&json!({"model": "m", "input": "x"}), false),
    ] {
        assert_eq!(is_json_schema(params), want, "{params}");
    }
    let p = prepare_full(&schema.to_string(), true).unwrap();
    assert!(p.json_schema && !p.background);
    assert!(p.body.starts_with("{\"stream\":true,"));
    let p = prepare_full(r#"{"model":"m","input":"x","background":true}"#, false).unwrap();
    assert!(!p.json_schema && p.background);
}

#[test]
fn output_parsed_of_a_response() {
    // The answer is kept as received; true: the shell JSON.parses the output text (its key
    // order, 1e400, lone surrogates: exactly JSON.parse's value), checked valid by the core.
    let text = r#"{"z": 1, "a": [1e400, -0, "\ud800"], "__proto__": {"x": 1}}"#;
    assert_eq!(answer_output_parsed(&text_response(text).to_string(), true), Ok(true));
    // Read leniently (a number beyond f64 elsewhere in the answer is fine).
    let answer = text_response("[1,2]").to_string().replace("\"status\":\"completed\"", "\"n\":1e400");
    assert_eq!(answer_output_parsed(&answer, true), Ok(true));
    // Several text parts: their concatenation (output_text).
    let r = message(json!([{"type": "output_text", "text": "{\"a\":"}, {"type": "output_text", "text": "1}"}]));
    assert_eq!(answer_output_parsed(&r.to_string(), true), Ok(true));
    let call = json!({"type": "function_call", "name": "f", "arguments": "{}", "call_id": "c"});
    for (r, json_schema) in [
        (refusal(), true),
        (json!({"output": [call]}), true),
        (json!({"output": []}), true),
        (json!({"output_text": "{\"a\":1}"}), true),
        (text_response("{\"a\":1}"), false),
        (text_response("not JSON, but no json_schema either"), false),
    ] {
        assert!(!json_schema || !has_output_text(&r));
        assert_eq!(answer_output_parsed(&r.to_string(), json_schema), Ok(false), "{r}");
    }
    // Only empty text parts (a bridge's beside a tool call, OpenAI's beside a generated image):
    // nothing to parse either.
    let mut beside_a_call = text_response("");
    beside_a_call["output"].as_array_mut().unwrap().push(call);
    for r in [
        beside_a_call,
        text_response(""),
        message(json!([{"type": "output_text", "text": ""}, {"type": "output_text", "text": ""}])),
    ] {
        assert!(has_output_text(&r));
        assert_eq!(answer_output_parsed(&r.to_string(), true), Ok(false), "{r}");
        assert_eq!(r.output_parsed::<Value>().unwrap(), None);
    }
    for text in [" ", "{\"name\": \"Ada\"", "{\"a\":1} trailing", "not json", "{'a':1}", "{"] {
        let got = answer_output_parsed(&text_response(text).to_string(), true);
        assert_eq!(got.as_ref().map_err(Error::class_name), Err("OutputParseError"));
        let Err(Error::OutputParse { message, text: t }) = got else { panic!("{text:?}: {got:?}") };
        assert_eq!(t, text);
        assert!(message.starts_with("the output text is not valid JSON: "), "{message}");
    }
    assert!(check_json(" [1] ").is_ok() && check_json("[1").is_err());
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Person {
        name: String,
        age: u32,
    }
    let r = text_response(r#"{"name":"Ada","age":36}"#);
    assert_eq!(r.output_parsed::<Person>().unwrap(), Some(Person { name: "Ada".into(), age: 36 }));
    assert_eq!(r.output_parsed::<Value>().unwrap(), Some(json!({"name": "Ada", "age": 36})));
    assert_eq!(refusal().output_parsed::<Person>().unwrap(), None);
    let e = text_response(r#"{"name":"Ada"}"#).output_parsed::<Person>().unwrap_err();
    assert!(matches!(&e, Error::OutputParse { text, .. } if text == r#"{"name":"Ada"}"#), "{e:?}");
    assert!(text_response("{").output_parsed::<Value>().is_err());
    // Read as JSON.parse reads it: a lone surrogate escape is U+FFFD (a Rust string cannot hold
    // it), a number beyond f64 is null.
    let r = text_response(r#"{"name":"Ad\ud83d","age":36,"x":1e400}"#);
    assert_eq!(r.output_parsed::<Person>().unwrap(), Some(Person { name: "Ad\u{FFFD}".into(), age: 36 }));
    assert_eq!(r.output_parsed::<Value>().unwrap(), Some(json!({"name": "Ad\u{FFFD}", "age": 36, "x": null})));
}

// --- Streams

fn sse(events: &[Value]) -> String {
    events.iter().map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap())).collect()
}

/// A json_schema answer streamed in `deltas`; `done` is the text of the `.done` events and of
/// the final response (normally the deltas joined).
fn answer(deltas: &[&str], done: &str) -> String {
    let base = json!({"id": "resp_s", "object": "response", "status": "in_progress", "output": []});
    let item = json!({"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []});
    let part = |t: &str| json!({"type": "output_text", "text": t, "annotations": []});
    let at = |ty: &str, key: &str, v: Value| {
        let mut e = json!({"type": ty, "item_id": "msg_1", "output_index": 0, "content_index": 0});
        e[key] = v;
        e
    };
    let mut final_item = item.clone();
    (final_item["status"], final_item["content"]) = (json!("completed"), json!([part(done)]));
    let mut fin = base.clone();
    (fin["status"], fin["output"]) = (json!("completed"), json!([final_item]));
    let mut evs = vec![
        json!({"type": "response.created", "response": base}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": item}),
        at("response.content_part.added", "part", part("")),
    ];
    evs.extend(deltas.iter().map(|d| at("response.output_text.delta", "delta", json!(d))));
    evs.push(at("response.output_text.done", "text", json!(done)));
    evs.push(at("response.content_part.done", "part", part(done)));
    evs.push(json!({"type": "response.output_item.done", "output_index": 0, "item": final_item}));
    evs.push(json!({"type": "response.completed", "response": fin}));
    sse(&evs)
}

/// Feeds `body` in chunks of `chunk` bytes into a batches-mode json_schema stream, applying each
/// entry's fourth element (the partial JSON ops) to a value as the JS side does; returns the
/// value after each event and the output state.
fn partial_values(body: &str, chunk: usize) -> (Vec<Option<Value>>, Option<OutputState>) {
    let mut s = StreamState::batches(None);
    s.parse_output();
    let mut value = None;
    let mut seen = Vec::new();
    let mut take = |s: &mut StreamState, value: &mut Option<Value>| {
        if let Some(batch) = s.take_batch() {
            let batch: Value = serde_json::from_str(&batch).unwrap();
            let batch = batch.as_array().unwrap();
            assert_eq!(batch.len() % 4, 0, "four elements per entry");
            for (k, entry) in batch.chunks(4).enumerate() {
                // the patches: an array, or 1 (the previous entry's again) after the first entry
                assert!(entry[1].is_array() || (entry[1] == 1 && k > 0), "patches of entry {k}: {}", entry[1]);
                apply_ops_json(value, &entry[3].to_string()).unwrap();
                seen.push(value.clone());
            }
        }
    };
    for c in body.as_bytes().chunks(chunk) {
        s.feed(c);
        take(&mut s, &mut value);
    }
    s.end_of_body();
    take(&mut s, &mut value);
    assert!(matches!(s.outcome(), Some(Ok(()))));
    (seen, s.output_state().cloned())
}

#[test]
fn a_json_schema_stream_carries_the_partial_value_of_its_output_text() {
    let text = r#"{"name": "Ada \u00e9 😀", "tags": ["a", "bc"], "age": 36, "ok": true}"#;
    let deltas: Vec<String> = text.chars().collect::<Vec<_>>().chunks(3).map(|c| c.iter().collect()).collect();
    let deltas: Vec<&str> = deltas.iter().map(String::as_str).collect();
    let body = answer(&deltas, text);
    let want = partial_json::parse(text).unwrap();
    for chunk in [1, 7, 64, body.len()] {
        let (seen, state) = partial_values(&body, chunk);
        assert_eq!(seen.last().unwrap().as_ref(), Some(&want), "chunk {chunk}");
        assert_eq!(state, Some(OutputState::Parse));
        // After each delta: the partial parser's value of the text so far.
        let mut so_far = String::new();
        for (n, d) in deltas.iter().enumerate() {
            so_far.push_str(d);
            let mut p = partial_json::PartialJsonParser::new();
            p.push(&so_far);
            assert_eq!(seen[3 + n].as_ref(), p.value(), "after delta {n}: {so_far}");
        }
    }
    // The .done text is not the deltas joined (a server that corrects itself): the value follows.
    let (seen, state) = partial_values(&answer(&["{\"a\":", "1"], "{\"b\":2}"), 5);
    assert_eq!(seen.last().unwrap(), &Some(json!({"b": 2})));
    assert_eq!(state, Some(OutputState::Parse));
    // No text at all (an empty text part): null, as a parse() answer's.
    let (_, state) = partial_values(&answer(&[], ""), 7);
    assert_eq!(state, Some(OutputState::Null));
    // A replacement that holds no value yet: null.
    let (seen, _) = partial_values(&answer(&["[1,"], " "), 5);
    assert!(seen.contains(&Some(json!([1]))));
    assert_eq!(seen.last().unwrap(), &Some(Value::Null));
    // A document that is one number: complete only at the end.
    let (seen, state) = partial_values(&answer(&["4", "2"], "42"), 9);
    assert_eq!(seen[seen.len() - 2], None, "before the end, 42 might go on");
    assert_eq!(seen.last().unwrap(), &Some(json!(42)));
    assert_eq!(state, Some(OutputState::Parse));
    let (_, state) = partial_values(&answer(&["{\"a\":", "1"], "{\"a\":1"), 11);
    let Some(OutputState::Invalid(Error::OutputParse { text, message })) = state else { panic!("{state:?}") };
    assert_eq!(text, "{\"a\":1");
    assert!(message.contains("not valid JSON"), "{message}");
    let (_, state) = partial_values(&answer(&["{\"a\" 1}"], "{\"a\" 1}"), 11);
    assert!(matches!(state, Some(OutputState::Invalid(_))));
    // A refusal: no output_text part.
    let base = json!({"id": "r", "object": "response", "status": "in_progress", "output": []});
    let mut fin = base.clone();
    let refusal = json!([{"type": "message", "role": "assistant", "content": [{"type": "refusal", "refusal": "no"}]}]);
    (fin["status"], fin["output"]) = (json!("completed"), refusal);
    let body = sse(&[
        json!({"type": "response.created", "response": base}),
        json!({"type": "response.completed", "response": fin}),
    ]);
    assert_eq!(partial_values(&body, 3), (vec![None, None], Some(OutputState::Null)));
}

#[test]
fn entries_carry_the_ops_and_plain_streams_are_untouched() {
    let body = answer(&["{\"a\":", "[1]}"], "{\"a\":[1]}");
    let mut s = StreamState::entries(None);
    s.parse_output();
    s.feed(body.as_bytes());
    let mut value = None;
    while let Some(e) = s.next_entry() {
        apply_ops_json(&mut value, e.output_ops.as_deref().unwrap()).unwrap();
    }
    assert_eq!(value, Some(json!({"a": [1]})));
    // Without parse_output: three elements per batch entry, no ops, no state.
    let mut plain = StreamState::batches(None);
    plain.feed(body.as_bytes());
    let batch: Value = serde_json::from_str(&plain.take_batch().unwrap()).unwrap();
    assert_eq!(batch.as_array().unwrap().len(), 3 * 9);
    assert!(!plain.is_parsing_output() && plain.output_state().is_none());
    let mut plain = StreamState::entries(None);
    plain.feed(body.as_bytes());
    assert!(plain.next_entry().unwrap().output_ops.is_none());
}

#[test]
fn the_output_parser_follows_appends_and_replacements() {
    let (mut o, mut v) = (OutputParser::new(), None);
    o.append("{\"k\":\"ab");
    apply_ops_json(&mut v, o.ops()).unwrap();
    assert_eq!(v, Some(json!({"k": "ab"})));
    o.replace(Some("{\"k\":\"abcd\"")); // re-joined, but an extension: only "cd\""
    assert_eq!(o.ops(), r#"[["c",["k"],"cd"]]"#);
    apply_ops_json(&mut v, o.ops()).unwrap();
    o.replace(Some("{\"k\":\"abcd\"")); // the same text again: nothing
    assert_eq!(o.ops(), "[]");
    o.replace(Some("[true]"));
    apply_ops_json(&mut v, o.ops()).unwrap();
    assert_eq!(v, Some(json!([true])));
    // A change it cannot see: the value stays, appends are ignored until a whole text comes.
    o.replace(None);
    o.append(",false");
    assert_eq!(o.ops(), "[]");
    o.replace(Some("[1]"));
    apply_ops_json(&mut v, o.ops()).unwrap();
    assert_eq!(v, Some(json!([1])));
    o.unchanged();
    assert_eq!(o.ops(), "[]");
    o.finish(true, Some("[1]"));
    assert_eq!(o.state(), Some(&OutputState::Parse));
}

// --- parse() through the call machine

/// A `parse()` call of `params` answered 200 with `body`.
fn parse_call(params: &Value, body: &str) -> Call {
    let config = Config::new(None, Some("sk-test"), Vec::new(), Some(0), None).unwrap();
    let (req, _) = config.request(Operation::Parse, &[], &Query::NONE, Some(&params.to_string()), &[]).unwrap();
    assert_eq!(req.answer, Answer::Parsed { json_schema: is_json_schema(params) });
    assert_eq!(req.body.as_deref().map(|b| b.contains("\"stream\"")), Some(false));
    let mut c = Call::new(req, 1000, 0, None);
    c.start(0.0, 0.0);
    c.on_headers(200, |_| None);
    c.on_chunk(body.as_bytes());
    c.on_body_end();
    c
}

fn schema_params() -> Value {
    json!({"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "name": "p", "schema": {}}}})
}

#[test]
fn a_parse_call_says_what_output_parsed_is_and_its_errors_text() {
    let schema = schema_params();
    let mut c = parse_call(&schema, &text_response("{\"a\": 1}").to_string());
    assert_eq!(c.output_parsed(), Some(true));
    assert_eq!(c.output_text_json(), Some(r#""{\"a\": 1}""#));
    assert!(c.take_json().is_some());
    assert_eq!(parse_call(&schema, &refusal().to_string()).output_parsed(), Some(false));
    let plain = json!({"model": "m", "input": "x"});
    assert_eq!(parse_call(&plain, &text_response("{\"a\": 1}").to_string()).output_parsed(), Some(false));
    let bad = parse_call(&schema, &text_response("{\"a\": ").to_string());
    assert!(matches!(bad.error(), Some(Error::OutputParse { text, .. }) if text == "{\"a\": "), "{:?}", bad.error());
    assert_eq!(bad.output_parsed(), None);
    // The error's text reads lone surrogates as Rust reads JSON.
    let part = |t: &str| format!(r#"{{"type":"output_text","text":"{t}"}}"#);
    let content = [part(r#"{\"a\": \"\ud83d"#), part(r#"\ude00 \udfff \ufdd0 \uFDD0d800"#)].join(",");
    let c = parse_call(&schema_params(), &format!(r#"{{"output":[{{"type":"message","content":[{content}]}}]}}"#));
    // Each lone surrogate U+FFFD (the halves of a pair in two parts too), the mark as it is.
    let want = "{\"a\": \"\u{fffd}\u{fffd} \u{fffd} \u{fdd0} \u{fdd0}d800";
    assert!(matches!(c.error(), Some(Error::OutputParse { text, .. }) if text == want), "{:?}", c.error());
}

#[test]
fn output_parsed_reads_the_messages_no_phase_sets_aside() {
    let said = |text: &str, phase: Value| {
        json!({"type": "message", "role": "assistant", "phase": phase,
            "content": [{"type": "output_text", "text": text, "annotations": []}]})
    };
    let search = json!({"type": "web_search_call", "status": "completed"});
    let output = json!([
        said("Let me look.", json!("commentary")),
        search,
        said("{\"a\":", Value::Null),
        said("Aside.", json!("a_new_phase")),
        said("1}", json!("final_answer"))
    ]);
    let response = json!({ "output": output });
    assert_eq!(compute_output_text(&response), "Let me look.{\"a\":Aside.1}");
    assert_eq!(response.output_parsed::<Value>().unwrap(), Some(json!({"a": 1})));
    assert!(has_output_text(&response));
    let c = parse_call(&schema_params(), &response.to_string());
    assert_eq!((c.output_parsed(), c.parsed_parts()), (Some(true), Some(&[(2, 0), (4, 0)][..])));
    // only a preamble beside a call: nothing to parse
    let preamble = json!({ "output": [said("Checking.", json!("commentary")), {"type": "function_call"}] });
    assert!(!has_output_text(&preamble));
    assert_eq!(preamble.output_parsed::<Value>().unwrap(), None);
    assert_eq!(parse_call(&schema_params(), &preamble.to_string()).output_parsed(), Some(false));
    // an output that does not parse fails the call, and the answer stays for the error
    let bad = text_response("{\"a\": ").to_string();
    let mut c = parse_call(&schema_params(), &bad);
    assert!(matches!(c.error(), Some(Error::OutputParse { .. })));
    assert_eq!(c.take_json().as_deref(), Some(bad.as_str()));
}
