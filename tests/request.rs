#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Native tests of request validation and body preparation (`src/request.rs`): every rule,
//! both sides of every bound.

use cometapi_responses::error::Error;
use cometapi_responses::request::{
    prepare_body, validate, CreateResponseParams, Input, PromptCacheRetention, ServiceTier, Truncation,
};
use serde_json::{json, Map, Value};

fn base() -> Value {
    json!({"model": "gpt-5.4", "input": "Hello"})
}

fn with(field: &str, v: Value) -> Value {
    let mut p = base();
    p[field] = v;
    p
}

fn ok(p: &Value) {
    if let Err(e) = validate(p) {
        panic!("expected {p} to be valid, got {e}");
    }
}

/// Asserts the error names `param` and its message contains every `needle`.
fn rejected(p: &Value, param: &str, needles: &[&str]) {
    let r = validate(p);
    let Err(Error::Validation { param: got, message }) = r else {
        panic!("expected a validation error for {p}: {r:?}")
    };
    assert_eq!(got, param, "wrong param for {p}: {message}");
    for n in needles {
        assert!(message.contains(n), "message {message:?} lacks {n:?}");
    }
}

/// Rows `[field, [values it takes], [[a value it refuses, needles of the message…]…]]`; a refusal
/// names the field.
fn fields(table: Value) {
    for row in table.as_array().unwrap() {
        let field = row[0].as_str().unwrap();
        for v in row[1].as_array().unwrap() {
            ok(&with(field, v.clone()));
        }
        for bad in row[2].as_array().unwrap() {
            let needles: Vec<&str> = bad.as_array().unwrap()[1..].iter().map(|n| n.as_str().unwrap()).collect();
            rejected(&with(field, bad[0].clone()), field, &needles);
        }
    }
}

/// The param a validation error names.
fn param_of<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    let Err(Error::Validation { param, .. }) = r else { panic!("expected a validation error, got {r:?}") };
    param
}

/// Multi-byte characters: limits count characters, not bytes.
fn chars(n: usize) -> String {
    "é".repeat(n)
}

#[test]
fn shape_and_required_fields() {
    for p in [json!(null), json!([]), json!("x"), json!(1), json!(true)] {
        rejected(&p, "params", &["object"]);
    }
    ok(&base());
    rejected(&json!({"input": "x"}), "model", &["required"]);
    rejected(&json!({"model": "m"}), "input", &["required"]);
    // A stored prompt may carry the model and the input; their types are still checked.
    let prompt = json!({"id": "pmpt_1", "variables": {"city": "Lisbon"}});
    ok(&json!({"prompt": prompt}));
    ok(&json!({"model": "m", "prompt": prompt}));
    ok(&json!({"input": "x", "prompt": prompt}));
    rejected(&json!({"model": "", "prompt": prompt}), "model", &["non-empty string"]);
    rejected(&json!({"input": 3, "prompt": prompt}), "input", &["string or an array"]);
    rejected(&json!({"input": "x", "prompt": null}), "model", &["required"]);
    fields(json!([
        ["model", [], [[null, "required"], ["", "non-empty string", "\"\""], ["   ", "non-empty string"],
            [5, "non-empty string", "5"]]],
        ["input", ["", [], [{"role": "user", "content": "hi"}]], [[null, "required"],
            [{"role": "user"}, "string or an array", "an object"], [3, "string or an array", "3"]]],
    ]));
}

#[test]
fn number_bounds() {
    // max_output_tokens, max_tool_calls: no minimum is documented, 0 is the server's to judge
    // (e.g. no built-in tool calls).
    #[rustfmt::skip]
    let count = |field: &str| json!([field, [1, 128000, u64::MAX, null, 0],
        [[-5, "non-negative integer", "-5"], [1.5, "non-negative integer", "1.5"],
            ["100", "non-negative integer", "the string \"100\""]]]);
    #[rustfmt::skip]
    let table = json!([
        ["temperature", [0, 0.0, 1, 2, 2.0, 1.9999, null], [[2.0001, "0 to 2", "2.0001"],
            [-0.0001, "0 to 2", "-0.0001"], [3, "0 to 2"], ["1", "number", "the string \"1\""]]],
        ["top_p", [0, 1, 0.5, 1.0], [[1.0001, "0 to 1", "1.0001"], [-0.0001, "0 to 1"], [true, "number", "true"]]],
        ["top_logprobs", [0, 1, 20, 20.0], [[21, "integer from 0 to 20", "21"], [-1, "0 to 20", "-1"],
            [1.5, "integer", "1.5"], ["5", "integer"]]],
        count("max_output_tokens"),
        count("max_tool_calls"),
    ]);
    fields(table);
}

fn metadata(pairs: usize, key_len: usize, value_len: usize) -> Value {
    let mut m = Map::new();
    for i in 0..pairs {
        let mut k = format!("{i:02}");
        k.push_str(&chars(key_len.saturating_sub(2)));
        m.insert(k, Value::String(chars(value_len)));
    }
    Value::Object(m)
}

#[test]
fn metadata_and_strings_with_limits() {
    // The API names the nested field: `metadata.<key>`, `include[n]`, `tools[n]`.
    #[rustfmt::skip]
    let table = json!([
        ["metadata", [{}, metadata(16, 4, 4), metadata(1, 64, 1), metadata(1, 4, 512), null],
            [[metadata(17, 4, 4), "at most 16", "17"], [metadata(1, 65, 1), "64 characters", "65"],
            [[], "object"], ["k=v", "object"]]],
        ["safety_identifier", [chars(64), ""], [[chars(65), "64 characters", "65"], [7, "string"]]],
    ]);
    fields(table);
    let long = metadata(1, 4, 513);
    let key = format!("metadata.{}", long.as_object().unwrap().keys().next().unwrap());
    rejected(&with("metadata", long), &key, &["512 characters", "513"]);
    rejected(&with("metadata", json!({"n": 1})), "metadata.n", &["strings", "\"n\""]);
    rejected(&with("metadata", json!({"n": null})), "metadata.n", &["strings"]);
    // Long values are not echoed whole.
    let long = "x".repeat(100_000);
    let Err(Error::Validation { message, .. }) = validate(&with("model", json!({"a": long.clone()}))) else { panic!() };
    assert!(message.len() < 200);
    let Err(Error::Validation { message, .. }) = validate(&with("metadata", json!({"k": long}))) else { panic!() };
    assert!(message.len() < 300, "{} bytes", message.len());
}

#[test]
fn enumerations_are_open_and_other_types_are_checked() {
    // An open enumeration takes every documented value, the values the API has added since and
    // any other string; a value that is not a string is refused, naming the field.
    let tail = json!(["Auto", "a-value-from-tomorrow", ""]);
    let not_string = json!([[1, "must be a string"], [true, "must be a string"], [["auto"], "must be a string"],
        [{"tier": "auto"}, "must be a string"]]);
    let open = |field: &str, known: Value| {
        let mut good = known.as_array().unwrap().clone();
        good.extend(tail.as_array().unwrap().iter().cloned());
        json!([field, good, not_string])
    };
    fields(json!([
        open("service_tier", json!(["auto", "default", "flex", "priority", "scale"])),
        open("truncation", json!(["auto", "disabled"])),
        open("prompt_cache_retention", json!(["in_memory", "in-memory", "24h", "12h", "48h"])),
        ["tool_choice", ["auto", "none", "required", "always", {"type": "function", "name": "f"}],
            [[["auto"], "a string", "or an object", "an array"], [1, "a string", "1"]]],
        ["include", [[], ["reasoning.encrypted_content", "message.output_text.logprobs"], ["some.future.value"]],
            [["reasoning.encrypted_content", "array of strings"]]],
        ["store", [false], [["yes", "boolean"]]],
        ["background", [true], [[1, "boolean"]]],
        ["parallel_tool_calls", [false], [["true", "boolean"]]],
        ["stream", [], [["true", "boolean"]]],
        ["instructions", ["Be brief."], [[["a"], "string"]]],
        ["previous_response_id", [], [[12, "string"]]],
        ["prompt_cache_key", [], [[{}, "string"]]],
        ["user", ["u"], [[1, "string"]]],
        ["prompt", [{"id": "pmpt_1", "variables": {}}], [["p", "object"]]],
        ["reasoning", [{"effort": "low", "summary": "auto"}], [["high", "object"]]],
        ["text", [{"format": {"type": "json_object"}}], [["json", "object"]]],
        ["stream_options", [], [[true, "object"]]],
        ["tools", [[{"type": "web_search_preview"}]], [[{"type": "function"}, "array"]]],
        ["context_management", [[{"type": "compaction"}]], [[{}, "array"]]],
        ["conversation", ["conv_1", {"id": "conv_1"}], [[5, "string) or an object"]]],
    ]));
    // An item of the wrong type: the API names the item.
    rejected(&with("include", json!(["ok", 3])), "include[1]", &["array of strings", "item 1"]);
    rejected(&with("tools", json!(["web_search"])), "tools[0]", &["array of objects"]);
    // null counts as absent
    let mut p = base();
    let nullable = "instructions background context_management conversation include max_output_tokens max_tool_calls \
        metadata parallel_tool_calls previous_response_id prompt prompt_cache_key prompt_cache_retention reasoning \
        safety_identifier service_tier store stream stream_options temperature text tool_choice tools top_logprobs \
        top_p truncation user";
    for k in nullable.split_whitespace() {
        p[k] = Value::Null;
    }
    ok(&p);
}

#[test]
fn combinations() {
    ok(&with("previous_response_id", json!("resp_1")));
    ok(&with("conversation", json!("conv_1")));
    let mut p = with("previous_response_id", json!("resp_1"));
    p["conversation"] = json!("conv_1");
    rejected(&p, "conversation", &["previous_response_id"]);
    p["conversation"] = json!(null);
    ok(&p);
    // stream_options only with stream: true
    let mut p = with("stream_options", json!({"include_obfuscation": false}));
    rejected(&p, "stream_options", &["stream: true"]);
    p["stream"] = json!(false);
    rejected(&p, "stream_options", &["stream: true"]);
    p["stream"] = json!(true);
    ok(&p);
}

// --- prepare_body

/// The body `prepare_body` makes of `src`, parsed.
fn body_value(src: &str, stream: bool) -> Value {
    serde_json::from_str(&prepare_body(src, stream).unwrap()).unwrap()
}

#[test]
fn params_that_are_not_read_say_why() {
    let deep = format!(r#"{{"model":"m","input":"x","metadata":{}{}}}"#, "[".repeat(130), "]".repeat(130));
    for (text, why) in [
        (deep.as_str(), "JSON nested deeper than 128 arrays and objects (line 1, column 163)"),
        (r#"{"model":"m""#, "truncated JSON (line 1, column 12)"),
        (r#"{"model":m}"#, "invalid JSON (line 1, column 10)"),
    ] {
        let Err(Error::Validation { param, message }) = prepare_body(text, false) else { panic!("{text}") };
        assert_eq!(
            (param.as_str(), message),
            ("params", format!("params must be a JSON object; the text is not read: {why}"))
        );
    }
}

#[test]
fn prepare_body_sets_or_clears_stream_and_validates_the_rest() {
    // stream(): absent before, spliced in; the rest is byte for byte the caller's text.
    let src = r#"{"model":"m","input":"hi","temperature":0.7}"#;
    assert_eq!(prepare_body(src, true).unwrap(), r#"{"stream":true,"model":"m","input":"hi","temperature":0.7}"#);
    // Already true: unchanged.
    let src = r#"{ "model": "m", "input": "hi", "stream": true }"#;
    assert_eq!(prepare_body(src, true).unwrap(), src);
    // false or null: set to true.
    for s in ["false", "null"] {
        let src = format!(r#"{{"model":"m","input":"hi","stream":{s}}}"#);
        assert_eq!(prepare_body(&src, true).unwrap(), r#"{"stream":true,"model":"m","input":"hi"}"#, "{s}");
    }
    // create(): left as it is, or stream: true cleared.
    for src in [r#"{"model":"m","input":"hi"}"#, r#"{"model":"m","input":"hi","stream":false}"#] {
        assert_eq!(prepare_body(src, false).unwrap(), src);
    }
    assert_eq!(body_value(r#"{"model":"m","input":"hi","stream":true}"#, false)["stream"], false);
    // stream_options is judged by the effective stream.
    let src = r#"{"model":"m","input":"hi","stream_options":{"include_obfuscation":false}}"#;
    assert!(prepare_body(src, true).is_ok());
    assert_eq!(param_of(prepare_body(src, false)), "stream_options");
    // The caller asked for stream: true but called create(): still not streaming.
    let src = r#"{"model":"m","input":"hi","stream":true,"stream_options":{}}"#;
    assert!(matches!(prepare_body(src, false), Err(Error::Validation { .. })));
    // The caller's stream type and everything else are checked.
    assert_eq!(param_of(prepare_body(r#"{"model":"m","input":"hi","stream":"yes"}"#, true)), "stream");
    assert_eq!(param_of(prepare_body(r#"{"model":"m","input":"hi","temperature":9}"#, true)), "temperature");
    for bad in ["", "{", "[1]", "\"m\"", "null"] {
        assert_eq!(param_of(prepare_body(bad, true)), "params", "{bad:?}");
    }
}

#[test]
fn unknown_fields_pass_through_untouched() {
    let src = r#"{"model":"m","input":"hi","provider":{"order":["a","b"],"allow_fallbacks":false},"seed":12345678901234567890123,"x-custom":[1.10,"é",null]}"#;
    // stream(): only the splice at the front; everything else byte for byte.
    let body = prepare_body(src, true).unwrap();
    assert_eq!(body, format!("{{\"stream\":true,{}", &src[1..]));
    // create(): untouched.
    assert_eq!(prepare_body(src, false).unwrap(), src);
    // When re-serialised, unknown values survive (as JSON values).
    let src = r#"{"model":"m","input":"hi","stream":false,"provider":{"order":["a"]},"top_k":40}"#;
    let v = body_value(src, true);
    assert_eq!((&v["provider"], &v["top_k"]), (&json!({"order": ["a"]}), &json!(40)));
}

#[test]
fn params_with_lone_surrogates_are_valid_and_sent_as_written() {
    // What JSON.stringify writes for a lone surrogate: a `\uXXXX` escape, which JSON.parse (and
    // the API) accepts. The body keeps it byte for byte, never U+FFFD.
    let src = r#"{"model":"m","input":"Great news \ud83d","metadata":{"k":"\udc00"}}"#;
    assert_eq!(prepare_body(src, false).unwrap(), src);
    assert_eq!(prepare_body(src, true).unwrap(), format!("{{\"stream\":true,{}", &src[1..]));
    // A `stream` value that must change: set at the front, the other members as written.
    let src = r#"{"model":"m","input":[{"role":"user","content":"\ud800 \ud83d\ude00"}],"stream":false}"#;
    let want = r#"{"stream":true,"model":"m","input":[{"role":"user","content":"\ud800 \ud83d\ude00"}]}"#;
    assert_eq!(prepare_body(src, true).unwrap(), want);
    let src = r#"{"stream":true,"model":"m","input":"\udfff\ufdd0"}"#;
    assert_eq!(prepare_body(src, false).unwrap(), r#"{"stream":false,"model":"m","input":"\udfff\ufdd0"}"#);
    // The order of a schema's properties (the order of the structured output) is kept, and every
    // `stream` member goes, however its key is spelled.
    let schema =
        r#""text":{"format":{"type":"json_schema","name":"x","schema":{"properties":{"zeta":{},"alpha":{}}}}}"#;
    let src = format!(r#"{{ "model":"m", {schema}, "\u0073tream" : null, "input":"hi","stream":false }}"#);
    assert_eq!(prepare_body(&src, true).unwrap(), format!(r#"{{"stream":true,"model":"m",{schema},"input":"hi"}}"#));
    // Validation reads them as JSON.parse does: a lone surrogate is one character.
    let lone = |n| format!(r#"{{"model":"m","input":"x","metadata":{{"k":"{}"}}}}"#, r"\ud800".repeat(n));
    assert!(prepare_body(&lone(512), false).is_ok());
    assert!(matches!(prepare_body(&lone(513), false), Err(Error::Validation { .. })));
    // Still invalid: a lone surrogate escape outside a string, a broken escape.
    for bad in [r#"{"model":"m","input":\ud800}"#, r#"{"model":"m","input":"\ud80"}"#] {
        assert!(matches!(prepare_body(bad, true), Err(Error::Validation { .. })), "{bad}");
    }
}

// --- The typed struct

fn typed(v: Value) -> CreateResponseParams {
    serde_json::from_value(v).unwrap()
}

#[test]
fn typed_params_round_trip_are_validated_and_carry_unknown_values() {
    let mut p = CreateResponseParams::new("gpt-5.4", "Hello");
    p.temperature = Some(0.5);
    p.service_tier = Some(ServiceTier::Flex);
    p.truncation = Some(Truncation::Auto);
    p.prompt_cache_retention = Some(PromptCacheRetention::InMemory);
    p.metadata = Some([("k".to_owned(), "v".to_owned())].into_iter().collect());
    p.extra.insert("provider".to_owned(), json!({"sort": "price"}));
    p.validate().unwrap();
    let v = p.to_value().unwrap();
    // in_memory: the API's spelling
    let enums = (&v["service_tier"], &v["truncation"], &v["prompt_cache_retention"]);
    assert_eq!(enums, (&json!("flex"), &json!("auto"), &json!("in_memory")));
    assert_eq!(v["provider"], json!({"sort": "price"}));
    assert!(v.get("top_p").is_none(), "None fields are omitted");
    assert_eq!(body_value(&serde_json::to_string(&p).unwrap(), true)["stream"], true);
    // From wire JSON, unknown fields land in `extra`.
    let back = typed(json!({"model": "m", "input": [{"role": "user", "content": "hi"}], "top_k": 3,
        "prompt_cache_retention": "24h"}));
    assert!(matches!(back.input, Input::Items(ref v) if v.len() == 1));
    assert_eq!(back.prompt_cache_retention, Some(PromptCacheRetention::Hours24));
    assert_eq!(back.extra.get("top_k"), Some(&json!(3)));

    // Values the enums do not know, both ways: sent as received.
    let back = typed(json!({"model": "m", "input": "hi", "service_tier": "a-new-tier", "truncation": "smart",
        "prompt_cache_retention": "in-memory"}));
    assert_eq!(back.service_tier, Some(ServiceTier::Other("a-new-tier".into())));
    assert_eq!(back.truncation, Some(Truncation::Other("smart".into())));
    assert_eq!(back.prompt_cache_retention, Some(PromptCacheRetention::Other("in-memory".into())));
    back.validate().unwrap();
    let v = back.to_value().unwrap();
    let enums = (&v["service_tier"], &v["truncation"], &v["prompt_cache_retention"]);
    assert_eq!(enums, (&json!("a-new-tier"), &json!("smart"), &json!("in-memory")), "sent as received");
    let mut p = CreateResponseParams::new("m", "hi");
    p.service_tier = Some(ServiceTier::Scale);
    p.prompt_cache_retention = Some(PromptCacheRetention::Other("12h".into()));
    let v = p.to_value().unwrap();
    assert_eq!((&v["service_tier"], &v["prompt_cache_retention"]), (&json!("scale"), &json!("12h")));
    let known =
        typed(json!({"model": "m", "input": "hi", "service_tier": "flex", "prompt_cache_retention": "in_memory"}));
    assert_eq!(known.service_tier, Some(ServiceTier::Flex));
    assert_eq!(known.prompt_cache_retention, Some(PromptCacheRetention::InMemory));

    // Validated too.
    let p = CreateResponseParams { top_logprobs: Some(21), ..CreateResponseParams::new("m", "hi") };
    assert_eq!(param_of(p.validate()), "top_logprobs");
    let p = CreateResponseParams { stream: Some(true), ..CreateResponseParams::new("", "hi") };
    assert_eq!(param_of(p.validate()), "model");
}
