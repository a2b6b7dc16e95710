//! Every documented rule of the request body, over plain JSON: [`validate`].

use serde_json::Value;

use super::checks::{as_integer, describe, expect_range, expect_type, type_error, Ty};
use crate::error::Error;
use crate::event::printable_prefix;

/// Checks `params` against the documented rules: an object; `model` a non-empty string;
/// `input` a string or an array (both required, unless `prompt` is given: a stored prompt may
/// carry the model and the input); `temperature` 0..=2; `top_p` 0..=1; `top_logprobs` an integer
/// 0..=20; `metadata` ≤ 16 pairs, keys ≤ 64 characters, string values ≤ 512 characters;
/// `safety_identifier` ≤ 64 characters; not both `previous_response_id` and `conversation`;
/// `stream_options` only with `stream: true`; `max_output_tokens` / `max_tool_calls`
/// non-negative integers (counts); and the JSON type of every documented field. Lengths count
/// Unicode scalar values. `null` counts as absent.
///
/// Enumerations are open: `service_tier`, `truncation`, `prompt_cache_retention`, a string
/// `tool_choice` and the values of `include` must be strings, and any string passes (the API
/// adds values; the server decides).
pub fn validate(params: &Value) -> Result<(), Error> {
    let Value::Object(p) = params else {
        return Err(Error::validation("params", format!("params must be an object; got {}", describe(params))));
    };
    let get = |k: &str| p.get(k).filter(|v| !v.is_null());

    // Required, unless a stored prompt (`prompt`) gives them.
    let prompt = get("prompt").is_some();
    match get("model") {
        None if prompt => {}
        None => return Err(Error::validation("model", "`model` is required (a model id such as \"gpt-5.4\")")),
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(v) => return Err(type_error("model", "a non-empty string", v)),
    }
    match get("input") {
        None if prompt => {}
        None => return Err(Error::validation("input", "`input` is required (a string, or an array of input items)")),
        Some(Value::String(_) | Value::Array(_)) => {}
        Some(v) => return Err(type_error("input", "a string or an array of input items", v)),
    }

    // Plain types.
    for &k in &[
        "instructions",
        "previous_response_id",
        "prompt_cache_key",
        "user",
        "service_tier",
        "truncation",
        "prompt_cache_retention",
    ] {
        expect_type(k, get(k), Ty::String)?;
    }
    for &k in &["background", "parallel_tool_calls", "store", "stream"] {
        expect_type(k, get(k), Ty::Bool)?;
    }
    for &k in &["prompt", "reasoning", "text", "stream_options"] {
        expect_type(k, get(k), Ty::Object)?;
    }
    for &k in &["tools", "context_management"] {
        if let Some(v) = get(k) {
            expect_items(k, v, Value::is_object, "an array of objects")?;
        }
    }
    if let Some(v) = get("conversation") {
        if !(v.is_string() || v.is_object()) {
            return Err(type_error("conversation", "a conversation id (string) or an object", v));
        }
    }
    if let Some(v) = get("include") {
        expect_items("include", v, Value::is_string, "an array of strings")?;
    }
    if let Some(v) = get("tool_choice") {
        if !(v.is_string() || v.is_object()) {
            return Err(type_error("tool_choice", "a string (\"auto\", \"none\", \"required\", …) or an object", v));
        }
    }

    // Numbers.
    expect_range("temperature", get("temperature"), 2)?;
    expect_range("top_p", get("top_p"), 1)?;
    if let Some(v) = get("top_logprobs") {
        match as_integer(v) {
            Some(n) if (0.0..=20.0).contains(&n) => {}
            _ => return Err(type_error("top_logprobs", "an integer from 0 to 20", v)),
        }
    }
    for &k in &["max_output_tokens", "max_tool_calls"] {
        if let Some(v) = get(k) {
            match as_integer(v) {
                Some(n) if n >= 0.0 => {}
                _ => return Err(type_error(k, "a non-negative integer", v)),
            }
        }
    }

    // Strings with limits.
    if let Some(v) = get("safety_identifier") {
        let Value::String(s) = v else {
            return Err(type_error("safety_identifier", "a string", v));
        };
        let n = chars(s);
        if n > 64 {
            return Err(Error::validation(
                "safety_identifier",
                format!("`safety_identifier` must be at most 64 characters; got {n}"),
            ));
        }
    }
    if let Some(v) = get("metadata") {
        validate_metadata(v)?;
    }

    // Combinations.
    if get("previous_response_id").is_some() && get("conversation").is_some() {
        return Err(Error::validation(
            "conversation",
            "`conversation` cannot be used together with `previous_response_id`; give one of them",
        ));
    }
    if get("stream_options").is_some() && !matches!(get("stream"), Some(Value::Bool(true))) {
        return Err(Error::validation(
            "stream_options",
            "`stream_options` is only allowed when streaming (`stream: true`, i.e. with stream())",
        ));
    }
    Ok(())
}

/// `v` is an array whose items all pass `ok` (`what` the rule): the error names the first item
/// that does not.
fn expect_items(k: &str, v: &Value, ok: fn(&Value) -> bool, what: &str) -> Result<(), Error> {
    let Value::Array(items) = v else {
        return Err(type_error(k, what, v));
    };
    for (n, item) in items.iter().enumerate() {
        if !ok(item) {
            return Err(Error::validation(
                format!("{k}[{n}]"),
                format!("`{k}` must be {what}; item {n} is {}", describe(item)),
            ));
        }
    }
    Ok(())
}

fn validate_metadata(v: &Value) -> Result<(), Error> {
    let Value::Object(m) = v else {
        return Err(type_error("metadata", "an object of string values", v));
    };
    if m.len() > 16 {
        return Err(Error::validation("metadata", format!("`metadata` may have at most 16 pairs; got {}", m.len())));
    }
    for (k, val) in m {
        let n = chars(k);
        if n > 64 {
            return Err(Error::validation(
                "metadata",
                format!("`metadata` keys must be at most 64 characters; key \"{}\" has {n}", printable_prefix(k, 24)),
            ));
        }
        let Value::String(s) = val else {
            return Err(Error::validation(
                format!("metadata.{k}"),
                format!("`metadata` values must be strings; \"{}\" is {}", printable_prefix(k, 24), describe(val)),
            ));
        };
        let n = chars(s);
        if n > 512 {
            return Err(Error::validation(
                format!("metadata.{k}"),
                format!("`metadata` values must be at most 512 characters; \"{}\" has {n}", printable_prefix(k, 24)),
            ));
        }
    }
    Ok(())
}

/// The number of characters (code points) of `s`: its bytes that do not continue a character (a
/// loop of a few bytes of wasm; `chars().count()` links an unrolled counter of 0.8 KB).
fn chars(s: &str) -> usize {
    s.bytes().filter(|&b| (b as i8) >= -0x40).count()
}
