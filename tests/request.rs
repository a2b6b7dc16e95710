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
    match validate(p) {
        Err(Error::Validation { param: got, message }) => {
            assert_eq!(got, param, "wrong param for {p}: {message}");
            for n in needles {
                assert!(message.contains(n), "message {message:?} lacks {n:?}");
            }
        }
        other => panic!("expected a validation error for {p}, got {other:?}"),
    }
}

/// The param a validation error names.
fn param_of<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match r {
        Err(Error::Validation { param, .. }) => param,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn chars(n: usize) -> String {
    // Multi-byte characters: limits count characters, not bytes.
    "é".repeat(n)
}

// --- Shape and required fields

#[test]
fn params_must_be_an_object() {
    for p in [json!(null), json!([]), json!("x"), json!(1), json!(true)] {
        rejected(&p, "params", &["object"]);
    }
}

#[test]
fn model_is_a_required_non_empty_string() {
    ok(&base());
    rejected(&json!({"input": "x"}), "model", &["required"]);
    rejected(&with("model", json!(null)), "model", &["required"]);
    rejected(&with("model", json!("")), "model", &["non-empty string", "\"\""]);
    rejected(&with("model", json!("   ")), "model", &["non-empty string"]);
    rejected(&with("model", json!(5)), "model", &["non-empty string", "5"]);
}

#[test]
fn input_is_required_string_or_array() {
    ok(&with("input", json!("")));
    ok(&with("input", json!([])));
    ok(&with("input", json!([{"role": "user", "content": "hi"}])));
    rejected(&json!({"model": "m"}), "input", &["required"]);
    rejected(&with("input", json!(null)), "input", &["required"]);
    rejected(&with("input", json!({"role": "user"})), "input", &["string or an array", "an object"]);
    rejected(&with("input", json!(3)), "input", &["string or an array", "3"]);
}

// --- Numbers

#[test]
fn temperature_bounds() {
    for v in [json!(0), json!(0.0), json!(1), json!(2), json!(2.0), json!(1.9999)] {
        ok(&with("temperature", v));
    }
    rejected(&with("temperature", json!(2.0001)), "temperature", &["0 to 2", "2.0001"]);
    rejected(&with("temperature", json!(-0.0001)), "temperature", &["0 to 2", "-0.0001"]);
    rejected(&with("temperature", json!(3)), "temperature", &["0 to 2"]);
    rejected(&with("temperature", json!("1")), "temperature", &["number", "the string \"1\""]);
    ok(&with("temperature", json!(null)));
}

#[test]
fn top_p_bounds() {
    for v in [json!(0), json!(1), json!(0.5), json!(1.0)] {
        ok(&with("top_p", v));
    }
    rejected(&with("top_p", json!(1.0001)), "top_p", &["0 to 1", "1.0001"]);
    rejected(&with("top_p", json!(-0.0001)), "top_p", &["0 to 1"]);
    rejected(&with("top_p", json!(true)), "top_p", &["number", "true"]);
}

#[test]
fn top_logprobs_bounds() {
    for v in [json!(0), json!(1), json!(20), json!(20.0)] {
        ok(&with("top_logprobs", v));
    }
    rejected(&with("top_logprobs", json!(21)), "top_logprobs", &["integer from 0 to 20", "21"]);
    rejected(&with("top_logprobs", json!(-1)), "top_logprobs", &["0 to 20", "-1"]);
    rejected(&with("top_logprobs", json!(1.5)), "top_logprobs", &["integer", "1.5"]);
    rejected(&with("top_logprobs", json!("5")), "top_logprobs", &["integer"]);
}

#[test]
fn max_output_tokens_and_max_tool_calls_are_non_negative_integers() {
    for k in ["max_output_tokens", "max_tool_calls"] {
        ok(&with(k, json!(1)));
        ok(&with(k, json!(128000)));
        ok(&with(k, json!(u64::MAX)));
        ok(&with(k, json!(null)));
        // No minimum is documented: 0 is the server's to judge (e.g. no built-in tool calls).
        ok(&with(k, json!(0)));
        rejected(&with(k, json!(-5)), k, &["non-negative integer", "-5"]);
        rejected(&with(k, json!(1.5)), k, &["non-negative integer", "1.5"]);
        rejected(&with(k, json!("100")), k, &["non-negative integer", "the string \"100\""]);
    }
}

// --- Metadata and strings with limits

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
fn metadata_pairs() {
    ok(&with("metadata", json!({})));
    ok(&with("metadata", metadata(16, 4, 4)));
    rejected(&with("metadata", metadata(17, 4, 4)), "metadata", &["at most 16", "17"]);
}

#[test]
fn metadata_key_length_counts_characters() {
    ok(&with("metadata", metadata(1, 64, 1)));
    rejected(&with("metadata", metadata(1, 65, 1)), "metadata", &["64 characters", "65"]);
}

#[test]
fn metadata_value_length_counts_characters() {
    ok(&with("metadata", metadata(1, 4, 512)));
    let long = metadata(1, 4, 513);
    let key = format!("metadata.{}", long.as_object().unwrap().keys().next().unwrap());
    rejected(&with("metadata", long), &key, &["512 characters", "513"]);
}

#[test]
fn metadata_types() {
    ok(&with("metadata", json!(null)));
    rejected(&with("metadata", json!([])), "metadata", &["object"]);
    rejected(&with("metadata", json!("k=v")), "metadata", &["object"]);
    // The API names the nested field: `metadata.<key>`, `include[n]`, `tools[n]`.
    rejected(&with("metadata", json!({"n": 1})), "metadata.n", &["strings", "\"n\""]);
    rejected(&with("metadata", json!({"n": null})), "metadata.n", &["strings"]);
}

#[test]
fn safety_identifier_length() {
    ok(&with("safety_identifier", json!(chars(64))));
    ok(&with("safety_identifier", json!("")));
    rejected(&with("safety_identifier", json!(chars(65))), "safety_identifier", &["64 characters", "65"]);
    rejected(&with("safety_identifier", json!(7)), "safety_identifier", &["string"]);
}

#[test]
fn long_values_are_not_echoed_whole() {
    let long = "x".repeat(100_000);
    let Err(Error::Validation { message, .. }) = validate(&with("model", json!({"a": long.clone()}))) else { panic!() };
    assert!(message.len() < 200);
    let Err(Error::Validation { message, .. }) = validate(&with("metadata", json!({"k": long}))) else { panic!() };
    assert!(message.len() < 300, "{} bytes", message.len());
}

// --- Enumerations are open: any string passes, other JSON types do not

/// `field` takes every documented value, the values the API has added since, and any other
/// string; a value that is not a string is refused, naming the field.
fn open_enum(field: &str, known: &[&str]) {
    for v in known.iter().chain(&["Auto", "a-value-from-tomorrow", ""]) {
        ok(&with(field, json!(v)));
    }
    for v in [json!(1), json!(true), json!(["auto"]), json!({"tier": "auto"})] {
        rejected(&with(field, v), field, &["must be a string"]);
    }
}

#[test]
fn service_tier_truncation_and_prompt_cache_retention_are_open() {
    open_enum("service_tier", &["auto", "default", "flex", "priority", "scale"]);
    open_enum("truncation", &["auto", "disabled"]);
    open_enum("prompt_cache_retention", &["in_memory", "in-memory", "24h", "12h", "48h"]);
}

#[test]
fn tool_choice_is_any_string_or_an_object() {
    for v in
        [json!("auto"), json!("none"), json!("required"), json!("always"), json!({"type": "function", "name": "f"})]
    {
        ok(&with("tool_choice", v));
    }
    rejected(&with("tool_choice", json!(["auto"])), "tool_choice", &["a string", "or an object", "an array"]);
    rejected(&with("tool_choice", json!(1)), "tool_choice", &["a string", "1"]);
}

// --- Types of the other documented fields

#[test]
fn include_is_an_array_of_strings_unknown_values_accepted() {
    ok(&with("include", json!([])));
    ok(&with("include", json!(["reasoning.encrypted_content", "message.output_text.logprobs"])));
    ok(&with("include", json!(["some.future.value"])));
    rejected(&with("include", json!("reasoning.encrypted_content")), "include", &["array of strings"]);
    rejected(&with("include", json!(["ok", 3])), "include[1]", &["array of strings", "item 1"]);
}

#[test]
fn documented_field_types_are_checked() {
    let cases: &[(&str, Value, &str)] = &[
        ("store", json!("yes"), "boolean"),
        ("background", json!(1), "boolean"),
        ("parallel_tool_calls", json!("true"), "boolean"),
        ("stream", json!("true"), "boolean"),
        ("instructions", json!(["a"]), "string"),
        ("previous_response_id", json!(12), "string"),
        ("prompt_cache_key", json!({}), "string"),
        ("user", json!(1), "string"),
        ("prompt", json!("p"), "object"),
        ("reasoning", json!("high"), "object"),
        ("text", json!("json"), "object"),
        ("stream_options", json!(true), "object"),
        ("tools", json!({"type": "function"}), "array"),
        ("context_management", json!({}), "array"),
        ("conversation", json!(5), "string) or an object"),
    ];
    for (k, v, needle) in cases {
        rejected(&with(k, v.clone()), k, &[needle]);
    }
    // An item of the wrong type: the API names the item.
    rejected(&with("tools", json!(["web_search"])), "tools[0]", &["array of objects"]);
    let good: &[(&str, Value)] = &[
        ("store", json!(false)),
        ("background", json!(true)),
        ("parallel_tool_calls", json!(false)),
        ("instructions", json!("Be brief.")),
        ("prompt", json!({"id": "pmpt_1", "variables": {}})),
        ("reasoning", json!({"effort": "low", "summary": "auto"})),
        ("text", json!({"format": {"type": "json_object"}})),
        ("tools", json!([{"type": "web_search_preview"}])),
        ("context_management", json!([{"type": "compaction"}])),
        ("conversation", json!("conv_1")),
        ("conversation", json!({"id": "conv_1"})),
        ("user", json!("u")),
    ];
    for (k, v) in good {
        ok(&with(k, v.clone()));
    }
}

#[test]
fn null_counts_as_absent() {
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

// --- Combinations

#[test]
fn previous_response_id_and_conversation_not_together() {
    ok(&with("previous_response_id", json!("resp_1")));
    ok(&with("conversation", json!("conv_1")));
    let mut p = with("previous_response_id", json!("resp_1"));
    p["conversation"] = json!("conv_1");
    rejected(&p, "conversation", &["previous_response_id"]);
    p["conversation"] = json!(null);
    ok(&p);
}

#[test]
fn stream_options_only_with_stream_true() {
    let mut p = with("stream_options", json!({"include_obfuscation": false}));
    rejected(&p, "stream_options", &["stream: true"]);
    p["stream"] = json!(false);
    rejected(&p, "stream_options", &["stream: true"]);
    p["stream"] = json!(true);
    ok(&p);
}

// --- prepare_body

#[test]
fn prepare_body_for_stream_sets_stream_true() {
    let src = r#"{"model":"m","input":"hi","temperature":0.7}"#;
    let body = prepare_body(src, true).unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["stream"], true);
    assert_eq!(v["temperature"], 0.7);
    // Absent before: spliced in, the rest is byte for byte the caller's text.
    assert_eq!(body, r#"{"stream":true,"model":"m","input":"hi","temperature":0.7}"#);
    // Already true: unchanged.
    let src = r#"{ "model": "m", "input": "hi", "stream": true }"#;
    assert_eq!(prepare_body(src, true).unwrap(), src);
    // false or null: set to true.
    for s in ["false", "null"] {
        let src = format!(r#"{{"model":"m","input":"hi","stream":{s}}}"#);
        let v: Value = serde_json::from_str(&prepare_body(&src, true).unwrap()).unwrap();
        assert_eq!(v["stream"], true, "{s}");
        assert_eq!(v.as_object().unwrap().len(), 3);
    }
}

#[test]
fn prepare_body_for_create_leaves_or_clears_stream() {
    let src = r#"{"model":"m","input":"hi"}"#;
    assert_eq!(prepare_body(src, false).unwrap(), src);
    let src = r#"{"model":"m","input":"hi","stream":false}"#;
    assert_eq!(prepare_body(src, false).unwrap(), src);
    let src = r#"{"model":"m","input":"hi","stream":true}"#;
    let v: Value = serde_json::from_str(&prepare_body(src, false).unwrap()).unwrap();
    assert_eq!(v["stream"], false);
}

#[test]
fn prepare_body_judges_stream_options_by_the_effective_stream() {
    let src = r#"{"model":"m","input":"hi","stream_options":{"include_obfuscation":false}}"#;
    assert!(prepare_body(src, true).is_ok());
    assert_eq!(param_of(prepare_body(src, false)), "stream_options");
    // The caller asked for stream: true but called create(): still not streaming.
    let src = r#"{"model":"m","input":"hi","stream":true,"stream_options":{}}"#;
    assert!(matches!(prepare_body(src, false), Err(Error::Validation { .. })));
}

#[test]
fn prepare_body_checks_the_callers_stream_type_and_everything_else() {
    assert_eq!(param_of(prepare_body(r#"{"model":"m","input":"hi","stream":"yes"}"#, true)), "stream");
    assert_eq!(param_of(prepare_body(r#"{"model":"m","input":"hi","temperature":9}"#, true)), "temperature");
    for bad in ["", "{", "[1]", "\"m\"", "null"] {
        match prepare_body(bad, true) {
            Err(Error::Validation { param, .. }) => assert_eq!(param, "params", "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
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
    let v: Value = serde_json::from_str(&prepare_body(src, true).unwrap()).unwrap();
    assert_eq!(v["provider"], json!({"order": ["a"]}));
    assert_eq!(v["top_k"], 40);
}

#[test]
fn params_with_lone_surrogates_are_valid_and_sent_as_written() {
    // What JSON.stringify writes for a lone surrogate: a `\uXXXX` escape, which JSON.parse (and
    // the API) accepts. The body keeps it byte for byte, never U+FFFD.
    let src = r#"{"model":"m","input":"Great news \ud83d","metadata":{"k":"\udc00"}}"#;
    assert_eq!(prepare_body(src, false).unwrap(), src);
    assert_eq!(prepare_body(src, true).unwrap(), format!("{{\"stream\":true,{}", &src[1..]));
    // A `stream` value that must change: the object re-serialised, the escapes kept.
    let src = r#"{"model":"m","input":[{"role":"user","content":"\ud800 \ud83d\ude00"}],"stream":false}"#;
    let want = r#"{"input":[{"content":"\ud800 😀","role":"user"}],"model":"m","stream":true}"#;
    assert_eq!(prepare_body(src, true).unwrap(), want);
    let src = r#"{"stream":true,"model":"m","input":"\udfff\ufdd0"}"#;
    assert_eq!(prepare_body(src, false).unwrap(), r#"{"input":"\udfff\ufdd0","model":"m","stream":false}"#);
    // Validation reads them as JSON.parse does: a lone surrogate is one character.
    let long = format!(r#"{{"model":"m","input":"x","metadata":{{"k":"{}"}}}}"#, r"\ud800".repeat(512));
    assert!(prepare_body(&long, false).is_ok());
    let too_long = format!(r#"{{"model":"m","input":"x","metadata":{{"k":"{}"}}}}"#, r"\ud800".repeat(513));
    assert!(matches!(prepare_body(&too_long, false), Err(Error::Validation { .. })));
    // Still invalid: a lone surrogate escape outside a string, a broken escape.
    for bad in [r#"{"model":"m","input":\ud800}"#, r#"{"model":"m","input":"\ud80"}"#] {
        assert!(matches!(prepare_body(bad, true), Err(Error::Validation { .. })), "{bad}");
    }
}

// --- The typed struct

#[test]
fn typed_params_round_trip_with_extra_fields() {
    let mut p = CreateResponseParams::new("gpt-5.4", "Hello");
    p.temperature = Some(0.5);
    p.service_tier = Some(ServiceTier::Flex);
    p.truncation = Some(Truncation::Auto);
    p.prompt_cache_retention = Some(PromptCacheRetention::InMemory);
    p.metadata = Some([("k".to_owned(), "v".to_owned())].into_iter().collect());
    p.extra.insert("provider".to_owned(), json!({"sort": "price"}));
    p.validate().unwrap();
    let v = p.to_value().unwrap();
    assert_eq!(v["service_tier"], "flex");
    assert_eq!(v["truncation"], "auto");
    assert_eq!(v["prompt_cache_retention"], "in_memory", "the API's spelling");
    assert_eq!(v["provider"], json!({"sort": "price"}));
    assert!(v.get("top_p").is_none(), "None fields are omitted");
    let body: Value = serde_json::from_str(&p.to_body(true).unwrap()).unwrap();
    assert_eq!(body["stream"], true);

    // From wire JSON, unknown fields land in `extra`.
    let back: CreateResponseParams = serde_json::from_value(json!({
        "model": "m", "input": [{"role": "user", "content": "hi"}], "top_k": 3,
        "prompt_cache_retention": "24h"
    }))
    .unwrap();
    assert!(matches!(back.input, Input::Items(ref v) if v.len() == 1));
    assert_eq!(back.prompt_cache_retention, Some(PromptCacheRetention::Hours24));
    assert_eq!(back.extra.get("top_k"), Some(&json!(3)));
}

#[test]
fn typed_enums_carry_values_they_do_not_know_both_ways() {
    let back: CreateResponseParams = serde_json::from_value(json!({
        "model": "m", "input": "hi", "service_tier": "a-new-tier", "truncation": "smart",
        "prompt_cache_retention": "in-memory"
    }))
    .unwrap();
    assert_eq!(back.service_tier, Some(ServiceTier::Other("a-new-tier".into())));
    assert_eq!(back.truncation, Some(Truncation::Other("smart".into())));
    assert_eq!(back.prompt_cache_retention, Some(PromptCacheRetention::Other("in-memory".into())));
    back.validate().unwrap();
    let v = back.to_value().unwrap();
    assert_eq!(
        (&v["service_tier"], &v["truncation"], &v["prompt_cache_retention"]),
        (&json!("a-new-tier"), &json!("smart"), &json!("in-memory")),
        "sent as received"
    );
    let mut p = CreateResponseParams::new("m", "hi");
    p.service_tier = Some(ServiceTier::Scale);
    p.prompt_cache_retention = Some(PromptCacheRetention::Other("12h".into()));
    let v = p.to_value().unwrap();
    assert_eq!((&v["service_tier"], &v["prompt_cache_retention"]), (&json!("scale"), &json!("12h")));
    let known: CreateResponseParams = serde_json::from_value(
        json!({"model": "m", "input": "hi", "service_tier": "flex", "prompt_cache_retention": "in_memory"}),
    )
    .unwrap();
    assert_eq!(known.service_tier, Some(ServiceTier::Flex));
    assert_eq!(known.prompt_cache_retention, Some(PromptCacheRetention::InMemory));
}

#[test]
fn typed_params_are_validated_too() {
    let mut p = CreateResponseParams::new("m", "hi");
    p.top_logprobs = Some(21);
    assert!(matches!(p.validate(), Err(Error::Validation { ref param, .. }) if param == "top_logprobs"));
    let mut p = CreateResponseParams::new("", "hi");
    p.stream = Some(true);
    assert!(matches!(p.validate(), Err(Error::Validation { ref param, .. }) if param == "model"));
}
