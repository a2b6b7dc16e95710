//! The request body of `POST /responses` (API-REFERENCE.md, "Request body"): a typed
//! [`CreateResponseParams`] for Rust callers, and [`validate`] / [`prepare_body`] over plain JSON
//! for the JS shell.
//!
//! Validation checks the documented rules only and fails with [`Error::Validation`] naming the
//! parameter, what was given and what is allowed. `null` for an optional field counts as absent.
//! Fields this crate does not know pass through untouched (providers add their own).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::event::excerpt;

/// `input`: a plain string, or an array of input items (messages, `function_call_output`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Input {
    /// A plain text input.
    Text(String),
    /// Input items, as on the wire.
    Items(Vec<Value>),
}

impl From<&str> for Input {
    fn from(s: &str) -> Self {
        Input::Text(s.to_owned())
    }
}

impl From<String> for Input {
    fn from(s: String) -> Self {
        Input::Text(s)
    }
}

impl From<Vec<Value>> for Input {
    fn from(items: Vec<Value>) -> Self {
        Input::Items(items)
    }
}

/// `service_tier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceTier {
    /// `auto`
    Auto,
    /// `default`
    Default,
    /// `flex`
    Flex,
    /// `priority`
    Priority,
}

/// `truncation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Truncation {
    /// `auto`: drop the oldest items to fit.
    Auto,
    /// `disabled`: answer 400 when the input is too long.
    Disabled,
}

/// `prompt_cache_retention`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromptCacheRetention {
    /// `in-memory`
    #[serde(rename = "in-memory")]
    InMemory,
    /// `24h`
    #[serde(rename = "24h")]
    Hours24,
}

/// The body of `POST /responses`. Field names and types are the wire's; every field but
/// `model` and `input` is optional and omitted when `None`. `extra` carries any other field
/// untouched (flattened into the body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateResponseParams {
    /// Model id, e.g. `"gpt-5.4"`.
    pub model: String,
    /// A plain string, or an array of input items.
    pub input: Input,
    /// System/developer message; not carried over from `previous_response_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Run in the background (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<bool>,
    /// How context is managed past the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_management: Option<Vec<Value>>,
    /// A conversation id (string) or object; not with `previous_response_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Value>,
    /// Extra output to include (e.g. `"reasoning.encrypted_content"`); unknown values accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    /// Upper bound on generated tokens, reasoning included (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Cap on built-in tool calls across the response (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tool_calls: Option<u64>,
    /// At most 16 pairs; keys ≤ 64 characters; values ≤ 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Allow parallel tool calls (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Chain a turn without resending history; not with `conversation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_response_id: Option<String>,
    /// A prompt template reference and its variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Value>,
    /// Cache key for similar requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_cache_key: Option<String>,
    /// `in-memory` or `24h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_cache_retention: Option<PromptCacheRetention>,
    /// For reasoning models: `{ effort, summary }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<Value>,
    /// A hashed user id, ≤ 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_identifier: Option<String>,
    /// `auto`, `default`, `flex` or `priority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier>,
    /// Store the response for later retrieval (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// SSE streaming (set by the client: `stream()` sends `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Streaming options; only with `stream: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<Value>,
    /// 0 ≤ x ≤ 2 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Output configuration (`text.format`: text, json_object, json_schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Value>,
    /// `"auto"`, `"none"`, `"required"`, or an object naming one tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Value>,
    /// Built-in tools, function tools, MCP tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Value>>,
    /// 0 ≤ x ≤ 20; needs `message.output_text.logprobs` in `include`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// 0 ≤ x ≤ 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// `auto` or `disabled` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation: Option<Truncation>,
    /// Deprecated: use `safety_identifier` and `prompt_cache_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Any other field, sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CreateResponseParams {
    /// Params with `model` and `input` set and nothing else.
    pub fn new(model: impl Into<String>, input: impl Into<Input>) -> Self {
        CreateResponseParams {
            model: model.into(),
            input: input.into(),
            instructions: None,
            background: None,
            context_management: None,
            conversation: None,
            include: None,
            max_output_tokens: None,
            max_tool_calls: None,
            metadata: None,
            parallel_tool_calls: None,
            previous_response_id: None,
            prompt: None,
            prompt_cache_key: None,
            prompt_cache_retention: None,
            reasoning: None,
            safety_identifier: None,
            service_tier: None,
            store: None,
            stream: None,
            stream_options: None,
            temperature: None,
            text: None,
            tool_choice: None,
            tools: None,
            top_logprobs: None,
            top_p: None,
            truncation: None,
            user: None,
            extra: Map::new(),
        }
    }

    /// The params as a JSON value (as sent on the wire).
    pub fn to_value(&self) -> Result<Value, Error> {
        serde_json::to_value(self).map_err(|e| Error::validation("params", e.to_string()))
    }

    /// Checks the documented rules (see [`validate`]).
    pub fn validate(&self) -> Result<(), Error> {
        validate(&self.to_value()?)
    }

    /// Validates and serialises the body, with `stream` set as [`prepare_body`] does.
    pub fn to_body(&self, stream: bool) -> Result<String, Error> {
        let json = serde_json::to_string(self).map_err(|e| Error::validation("params", e.to_string()))?;
        prepare_body(&json, stream)
    }
}

fn obj_background(v: &Value) -> bool {
    v.get("background") == Some(&Value::Bool(true))
}

// ---------------------------------------------------------------------------------------------

const SERVICE_TIERS: &[&str] = &["auto", "default", "flex", "priority"];
const TRUNCATIONS: &[&str] = &["auto", "disabled"];
const CACHE_RETENTIONS: &[&str] = &["in-memory", "24h"];
const TOOL_CHOICES: &[&str] = &["auto", "none", "required"];

/// Checks `params` against the documented rules: an object; `model` a non-empty string;
/// `input` a string or an array; `temperature` 0..=2; `top_p` 0..=1; `top_logprobs` an integer
/// 0..=20; `metadata` ≤ 16 pairs, keys ≤ 64 characters, string values ≤ 512 characters;
/// `safety_identifier` ≤ 64 characters; not both `previous_response_id` and `conversation`;
/// `stream_options` only with `stream: true`; `max_output_tokens` / `max_tool_calls` positive
/// integers; `service_tier`, `truncation`, `prompt_cache_retention` and string `tool_choice`
/// from their enums; `include` an array of strings; and the JSON type of every documented
/// field. Lengths count Unicode scalar values. `null` counts as absent.
pub fn validate(params: &Value) -> Result<(), Error> {
    let Value::Object(p) = params else {
        return Err(Error::validation("params", format!("params must be an object; got {}", describe(params))));
    };
    let get = |k: &str| p.get(k).filter(|v| !v.is_null());

    // Required.
    match get("model") {
        None => return Err(Error::validation("model", "`model` is required (a model id such as \"gpt-5.4\")")),
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(v) => {
            return Err(Error::validation("model", format!("`model` must be a non-empty string; got {}", describe(v))))
        }
    }
    match get("input") {
        None => return Err(Error::validation("input", "`input` is required (a string, or an array of input items)")),
        Some(Value::String(_) | Value::Array(_)) => {}
        Some(v) => {
            return Err(Error::validation(
                "input",
                format!("`input` must be a string or an array of input items; got {}", describe(v)),
            ))
        }
    }

    // Plain types.
    for k in ["instructions", "previous_response_id", "prompt_cache_key", "user"] {
        expect_type(k, get(k), Ty::String)?;
    }
    for k in ["background", "parallel_tool_calls", "store", "stream"] {
        expect_type(k, get(k), Ty::Bool)?;
    }
    for k in ["prompt", "reasoning", "text", "stream_options"] {
        expect_type(k, get(k), Ty::Object)?;
    }
    for k in ["tools", "context_management"] {
        if let Some(v) = get(k) {
            let Value::Array(items) = v else {
                return Err(type_error(k, "an array of objects", v));
            };
            if let Some((n, bad)) = items.iter().enumerate().find(|(_, it)| !it.is_object()) {
                return Err(Error::validation(
                    k,
                    format!("`{k}` must be an array of objects; item {n} is {}", describe(bad)),
                ));
            }
        }
    }
    if let Some(v) = get("conversation") {
        if !(v.is_string() || v.is_object()) {
            return Err(type_error("conversation", "a conversation id (string) or an object", v));
        }
    }
    if let Some(v) = get("include") {
        let Value::Array(items) = v else {
            return Err(type_error("include", "an array of strings", v));
        };
        if let Some((n, bad)) = items.iter().enumerate().find(|(_, it)| !it.is_string()) {
            return Err(Error::validation(
                "include",
                format!("`include` must be an array of strings; item {n} is {}", describe(bad)),
            ));
        }
    }
    if let Some(v) = get("tool_choice") {
        match v {
            Value::Object(_) => {}
            Value::String(s) if TOOL_CHOICES.contains(&s.as_str()) => {}
            _ => {
                return Err(enum_error(
                    "tool_choice",
                    v,
                    &["\"auto\"", "\"none\"", "\"required\"", "an object naming one tool"],
                ))
            }
        }
    }

    // Enums.
    expect_enum("service_tier", get("service_tier"), SERVICE_TIERS)?;
    expect_enum("truncation", get("truncation"), TRUNCATIONS)?;
    expect_enum("prompt_cache_retention", get("prompt_cache_retention"), CACHE_RETENTIONS)?;

    // Numbers.
    expect_range("temperature", get("temperature"), 0.0, 2.0)?;
    expect_range("top_p", get("top_p"), 0.0, 1.0)?;
    if let Some(v) = get("top_logprobs") {
        match as_integer(v) {
            Some(n) if (0.0..=20.0).contains(&n) => {}
            _ => {
                return Err(Error::validation(
                    "top_logprobs",
                    format!("`top_logprobs` must be an integer from 0 to 20; got {}", describe(v)),
                ))
            }
        }
    }
    for k in ["max_output_tokens", "max_tool_calls"] {
        if let Some(v) = get(k) {
            match as_integer(v) {
                Some(n) if n >= 1.0 => {}
                _ => {
                    return Err(Error::validation(
                        k,
                        format!("`{k}` must be a positive integer (1 or more); got {}", describe(v)),
                    ))
                }
            }
        }
    }

    // Strings with limits.
    if let Some(v) = get("safety_identifier") {
        let Value::String(s) = v else {
            return Err(type_error("safety_identifier", "a string", v));
        };
        let n = s.chars().count();
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
    if get("stream_options").is_some() && get("stream") != Some(&Value::Bool(true)) {
        return Err(Error::validation(
            "stream_options",
            "`stream_options` is only allowed when streaming (`stream: true`, i.e. with stream())",
        ));
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
        let n = k.chars().count();
        if n > 64 {
            return Err(Error::validation(
                "metadata",
                format!("`metadata` keys must be at most 64 characters; key \"{}\" has {n}", excerpt(k, 24)),
            ));
        }
        let Value::String(s) = val else {
            return Err(Error::validation(
                "metadata",
                format!("`metadata` values must be strings; \"{}\" is {}", excerpt(k, 24), describe(val)),
            ));
        };
        let n = s.chars().count();
        if n > 512 {
            return Err(Error::validation(
                "metadata",
                format!("`metadata` values must be at most 512 characters; \"{}\" has {n}", excerpt(k, 24)),
            ));
        }
    }
    Ok(())
}

/// Parses `params_json` (a JSON object), validates it, sets `stream`, and serialises the body.
///
/// `stream == true` (for `stream()`): `"stream": true` is set. `stream == false` (for
/// `create()`): a `stream` the caller gave is set to `false` (the caller wants JSON back);
/// an absent one stays absent (the server's default is false). `stream_options` is judged
/// against this effective value. The text is kept byte for byte when nothing needs changing,
/// and `"stream":true` is spliced in at the front when it was absent; only when an existing
/// `stream` value must change is the object re-serialised.
pub fn prepare_body(params_json: &str, stream: bool) -> Result<String, Error> {
    prepare(params_json, stream).map(|(body, _)| body)
}

/// [`prepare_body`], also telling whether the params ask for `background: true`.
pub fn prepare(params_json: &str, stream: bool) -> Result<(String, bool), Error> {
    prepare_full(params_json, stream).map(|p| (p.body, p.background))
}

/// A request body and what the params ask for besides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The body ([`prepare_body`]).
    pub body: String,
    /// `background: true`.
    pub background: bool,
    /// A structured output: `text.format.type` is `"json_schema"` ([`crate::structured`]).
    pub json_schema: bool,
}

/// [`prepare_body`], with what else the params ask for.
pub fn prepare_full(params_json: &str, stream: bool) -> Result<Prepared, Error> {
    let mut v: Value = serde_json::from_str(params_json).map_err(|e| {
        Error::validation(
            "params",
            format!(
                "params must be a JSON object; the text is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Value::Object(obj) = &mut v else {
        return Err(Error::validation("params", format!("params must be an object; got {}", describe(&v))));
    };
    // The caller's own `stream` must still have the right type.
    expect_type("stream", obj.get("stream").filter(|s| !s.is_null()), Ty::Bool)?;
    let had_key = obj.contains_key("stream");
    let given = obj.get("stream").and_then(Value::as_bool);
    let wanted = if stream { Some(true) } else { given.map(|_| false) };
    if let Some(w) = wanted {
        obj.insert("stream".to_owned(), Value::Bool(w));
    }
    validate(&v)?;
    let background = obj_background(&v);
    let json_schema = crate::structured::is_json_schema(&v);
    let prepared = |body| Prepared { body, background, json_schema };

    if wanted.is_none() || given == wanted {
        return Ok(prepared(params_json.to_owned()));
    }
    if !had_key {
        // Absent before: splice it in at the front (the object is not empty: `model` exists).
        if let Some(rest) = params_json.trim_start().strip_prefix('{') {
            return Ok(prepared(format!("{{\"stream\":true,{rest}")));
        }
    }
    serde_json::to_string(&v).map(prepared).map_err(|e| Error::validation("params", e.to_string()))
}

// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Ty {
    String,
    Bool,
    Object,
}

fn expect_type(param: &str, v: Option<&Value>, ty: Ty) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    let (ok, what) = match ty {
        Ty::String => (v.is_string(), "a string"),
        Ty::Bool => (v.is_boolean(), "a boolean (true or false)"),
        Ty::Object => (v.is_object(), "an object"),
    };
    if ok {
        Ok(())
    } else {
        Err(type_error(param, what, v))
    }
}

fn type_error(param: &str, what: &str, v: &Value) -> Error {
    Error::validation(param, format!("`{param}` must be {what}; got {}", describe(v)))
}

fn expect_enum(param: &str, v: Option<&Value>, allowed: &[&str]) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    match v {
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(()),
        _ => {
            let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
            Err(enum_error(param, v, &quoted))
        }
    }
}

fn enum_error(param: &str, v: &Value, allowed: &[&str]) -> Error {
    Error::validation(param, format!("`{param}` must be one of {}; got {}", allowed.join(", "), describe(v)))
}

fn expect_range(param: &str, v: Option<&Value>, lo: f64, hi: f64) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    match v.as_f64() {
        Some(x) if v.is_number() && x >= lo && x <= hi => Ok(()),
        _ => Err(Error::validation(
            param,
            format!("`{param}` must be a number from {} to {} inclusive; got {}", bound(lo), bound(hi), describe(v)),
        )),
    }
}

/// A bound for a message. Integral bounds print as integers; others through serde_json's
/// float formatting (ryu), which the crate links anyway: `core`'s f64 `Display` costs ~14 KB
/// of wasm.
fn bound(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        (x as i64).to_string()
    } else {
        serde_json::Number::from_f64(x).map_or_else(String::new, |n| n.to_string())
    }
}

/// The value as an integer (as f64), accepting integral floats such as `5.0`.
fn as_integer(v: &Value) -> Option<f64> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return Some(u as f64);
    }
    n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0)
}

/// A short description of a value for error messages (never the whole of a long string).
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string \"{}\"", excerpt(s, 40)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}
