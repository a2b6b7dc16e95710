//! What the tool loop hands out and records: the calls to run ([`ToolCall`], read from
//! `function_call` items), the next [`Step`], why it stopped ([`StopReason`]), and the record of
//! each step ([`StepRecord`], [`ToolCallRecord`]).

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};

use crate::partial_json::is_blank;

/// A function call to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The call's `call_id` (its result goes back under it).
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as the model wrote them (JSON text).
    pub arguments: String,
    /// The arguments parsed, or why they are not valid JSON (then the call must not run: the
    /// loop sends this message back as its error).
    pub parsed: Result<Value, String>,
}

impl ToolCall {
    /// The JSON text of the parsed arguments, exactly as the model wrote it (`{}` for empty
    /// arguments): `JSON.parse` of it gives the arguments with `JSON.parse`'s exactness (the
    /// `parsed` value follows serde_json's conventions). `None` when they are not valid JSON.
    pub fn arguments_json(&self) -> Option<&str> {
        match &self.parsed {
            Ok(_) if is_blank(&self.arguments) => Some("{}"),
            Ok(_) => Some(&self.arguments),
            Err(_) => None,
        }
    }
}

/// As JSON (for a JS caller): `{ call_id, name, arguments, parsed }`, or `{ call_id, name,
/// arguments, error }` when the arguments are not valid JSON.
impl Serialize for ToolCall {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ToolCall", 4)?;
        st.serialize_field("call_id", &self.call_id)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("arguments", &self.arguments)?;
        match &self.parsed {
            Ok(v) => st.serialize_field("parsed", v)?,
            Err(e) => st.serialize_field("error", e)?,
        }
        st.end()
    }
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The last response has no call to answer: it is the answer.
    NoToolCalls,
    /// `max_steps` responses were received.
    MaxSteps,
    /// The last response has calls the loop cannot answer (a tool without `execute`, an unknown
    /// tool, a call of another kind): they are left to the caller, in the final response.
    PendingCalls,
    /// The last response has no `id`, so the next request could not chain to it.
    NoResponseId,
    /// The last response was cut off (its `status` is `incomplete`, or a function call of it is
    /// still `in_progress` or `incomplete`): none of its calls ran; they are in the final response.
    Incomplete,
}

impl StopReason {
    /// `"no_tool_calls"`, `"max_steps"`, `"pending_calls"`, `"no_response_id"` or `"incomplete"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::NoToolCalls => "no_tool_calls",
            StopReason::MaxSteps => "max_steps",
            StopReason::PendingCalls => "pending_calls",
            StopReason::NoResponseId => "no_response_id",
            StopReason::Incomplete => "incomplete",
        }
    }
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Run these calls (those whose `parsed` is `Ok`), then [`super::ToolLoop::on_tool_results`].
    RunTools(Vec<ToolCall>),
    /// The loop is over; the response just given is the final one.
    Done(StopReason),
}

/// One response of the run and the calls answered after it. Serialises to the JS `run.steps`
/// entry: `{ response, toolCalls: [{ call_id, name, arguments, output, error? }] }`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepRecord {
    /// The response.
    pub response: Value,
    /// The calls of this response that were answered (empty for the last response).
    #[serde(rename = "toolCalls")]
    pub tool_calls: Vec<ToolCallRecord>,
}

/// One answered call.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ToolCallRecord {
    /// The call's `call_id`.
    pub call_id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as the model wrote them.
    pub arguments: String,
    /// The `output` sent back (`Error: <message>` for an error).
    pub output: String,
    /// The error message, when the tool failed or its arguments were not valid JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A `function_call` item as a call; `None` when it has no `call_id` or `name` to answer.
pub(super) fn read_call(item: &Value) -> Option<ToolCall> {
    let text = |key| item.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let (call_id, name) = (text("call_id")?, text("name")?);
    let (arguments, parsed) = match item.get("arguments") {
        Some(Value::String(raw)) => (raw.clone(), parse_arguments(raw)),
        None | Some(Value::Null) => (String::new(), Ok(Value::Object(Map::new()))),
        Some(v) => (serde_json::to_string(v).unwrap_or_default(), Ok(v.clone())),
    };
    Some(ToolCall { call_id, name, arguments, parsed })
}

fn parse_arguments(raw: &str) -> Result<Value, String> {
    if is_blank(raw) {
        return Ok(Value::Object(Map::new()));
    }
    crate::partial_json::parse(raw).map_err(|e| format!("arguments are not valid JSON: {e}"))
}
