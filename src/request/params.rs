//! [`CreateResponseParams`]: the request body of `POST /responses` as a Rust type (every
//! documented field; unknown fields pass through in `extra`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::validate;
use crate::error::Error;

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

/// `service_tier`. An open enumeration: [`ServiceTier::Other`] sends any other value as is
/// (and holds a value this crate does not know when deserialising).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// `scale`
    Scale,
    /// Any other value.
    #[serde(untagged)]
    Other(String),
}

/// `truncation`. An open enumeration ([`Truncation::Other`]: any other value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Truncation {
    /// `auto`: drop the oldest items to fit.
    Auto,
    /// `disabled`: answer 400 when the input is too long.
    Disabled,
    /// Any other value.
    #[serde(untagged)]
    Other(String),
}

/// `prompt_cache_retention`. An open enumeration ([`PromptCacheRetention::Other`]: any other
/// value, e.g. the older spelling `"in-memory"` for a server that wants it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromptCacheRetention {
    /// `in_memory` (the API's spelling; CometAPI's pages write `in-memory`)
    #[serde(rename = "in_memory")]
    InMemory,
    /// `24h`
    #[serde(rename = "24h")]
    Hours24,
    /// Any other value.
    #[serde(untagged)]
    Other(String),
}

/// The body of `POST /responses`. Field names and types are the wire's; every field but
/// `model` and `input` is optional and omitted when `None`. `extra` carries any other field
/// untouched (flattened into the body). A stored prompt that carries the model and the input
/// (`{"prompt": {"id": …}}` alone) is params this struct cannot hold: send a `serde_json::Value`.
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
    /// Upper bound on generated tokens, reasoning included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Cap on built-in tool calls across the response.
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
    /// `in_memory`, `24h`, or any other value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_cache_retention: Option<PromptCacheRetention>,
    /// For reasoning models: `{ effort, summary }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<Value>,
    /// A hashed user id, ≤ 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_identifier: Option<String>,
    /// `auto`, `default`, `flex`, `priority`, `scale`, or any other value.
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
    /// `"auto"`, `"none"`, `"required"` (or any other string), or an object naming one tool.
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
    /// `auto`, `disabled` (default), or any other value.
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
}
