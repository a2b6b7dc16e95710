//! The tool loop's state machine, sans-IO: it decides every step of a run of function tools
//! (which request comes next, whether to run tools, what goes back to the model, when to stop);
//! the caller only sends the requests and runs the tools (concurrently), and feeds the results
//! back. No I/O, no async, no JS.
//!
//! ```text
//! let mut run = ToolLoop::new(params, executable_tool_names, None)?;
//! while let Some(request) = run.next_request() {
//!     let response = send(request);                 // the caller: one Responses request
//!     match run.on_response(&response) {
//!         Step::Done(_) => break,                   // `response` is the final one
//!         Step::RunTools(calls) => {                // the caller: run them, concurrently
//!             run.on_tool_results(run_all(calls));  // (call_id, Ok(output) | Err(message))
//!         }
//!     }
//! }
//! ```
//!
//! # Semantics
//!
//! - The first request is the user's params. A later one chains with `previous_response_id`
//!   (the last response's `id`) and sends as `input` only the new `function_call_output` items;
//!   with a `conversation` it sends them without `previous_response_id` (the conversation
//!   carries the history). With `store: false` (stateless servers, privacy) there is nothing to
//!   chain to: every later request resends the run's whole history as `input` (and keeps the
//!   user's own `previous_response_id`, the stored response the run continues) — the original input
//!   (a string input becomes a user message item), every output item of every earlier response
//!   as it came (reasoning items with their `encrypted_content` included; without the
//!   `parsed_arguments` a client snapshot adds to function calls) and every output —
//!   and every request of the loop, the first included, has `reasoning.encrypted_content`
//!   merged into `include`. All other params are sent unchanged on every request.
//! - A response decides the next step ([`ToolLoop::on_response`]), in this order: no call to
//!   answer → [`StopReason::NoToolCalls`]; `max_steps` responses received →
//!   [`StopReason::MaxSteps`]; a call the loop cannot answer → [`StopReason::PendingCalls`]
//!   (human in the loop: the calls are in the final response). Calls the loop cannot answer: a
//!   `function_call` to a tool that has no `execute` (or is unknown), one without a `call_id` or
//!   `name`, and the calls other tools make of the client (`custom_tool_call`, `computer_call`,
//!   `local_shell_call`, `shell_call`, `apply_patch_call`, `mcp_approval_request`). A response
//!   without an `id` when the next request would chain to it → [`StopReason::NoResponseId`].
//!   Else [`Step::RunTools`] with every `function_call`, in output order (a `call_id` that
//!   appears twice in one response is one call: the first).
//! - A cut-off response never runs a call: when a response with calls has `status:
//!   "incomplete"` (`response.incomplete`: `max_output_tokens`, a content filter), or one of its
//!   `function_call` items has `status` `in_progress` or `incomplete` (its arguments may be
//!   partial, and JSON that parses is no proof they are whole), the loop stops with
//!   [`StopReason::Incomplete`] before the other checks (a response without any call is the
//!   answer, [`StopReason::NoToolCalls`], whatever its status). It is the caller's to decide
//!   (ask again with a higher `max_output_tokens`, run the calls itself).
//! - When the loop stops, [`ToolLoop::pending_calls`] holds the function calls of the final
//!   response, none of which ran (those that could be read: a `call_id` and a `name`).
//! - Time grows as n log n with the number n of calls of a response (a hostile response may
//!   hold tens of thousands): repeated `call_id`s and the results are matched through a sorted
//!   map of the call_ids (no hashing to flood), never by comparing each call with every other.
//! - Arguments: a string is parsed as `JSON.parse` would (empty or only whitespace counts as
//!   `{}`: servers send that for tools without parameters); a value that is not a string (some
//!   servers send an object) is taken as it is, its JSON text as `arguments`. Arguments that
//!   are not valid JSON are not run: their `parsed` is `Err("arguments are not valid JSON:
//!   <where and why>")` and that message is the call's error.
//! - Results ([`ToolLoop::on_tool_results`]): one `function_call_output` per call, in the calls'
//!   order whatever the order of the results: `{"type":"function_call_output","call_id":…,
//!   "output":…}`. The output of `Ok(text)` is `text` (the caller passes a string as it is and
//!   JSON-encodes any other value); the output of an error is the text `Error: <message>`, so
//!   the model can read it and recover (a call without a result is the error `the tool gave no
//!   result`).

use std::mem;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::input::object;

mod calls;

use calls::read_call;
pub use calls::{Step, StepRecord, StopReason, ToolCall, ToolCallRecord};

/// `maxSteps` when none is given.
pub const DEFAULT_MAX_STEPS: usize = 10;

/// How many tools run at once when the caller gives no `concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The number of tools that may run at once: `concurrency` (a positive integer; a caller from
/// JavaScript passes its number as it is) or [`DEFAULT_CONCURRENCY`]. The caller starts a call
/// when fewer than that many run, and still hands the results back in any order.
pub fn concurrency(concurrency: Option<f64>) -> Result<usize, Error> {
    match concurrency {
        None => Ok(DEFAULT_CONCURRENCY),
        // `as` saturates: an integer beyond `usize::MAX` is its maximum.
        Some(n) if n >= 1.0 && n.fract() == 0.0 => Ok(n as usize),
        Some(_) => Err(Error::validation("concurrency", "`concurrency` must be a positive integer")),
    }
}

/// Merged into `include` on every request of a `store: false` loop.
pub const ENCRYPTED_REASONING: &str = "reasoning.encrypted_content";

/// Item types that ask the client for something the loop cannot do (besides `function_call`).
const CLIENT_CALLS: &[&str] = &[
    "custom_tool_call",
    "computer_call",
    "local_shell_call",
    "shell_call",
    "apply_patch_call",
    "mcp_approval_request",
];

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Waiting for the response to [`ToolLoop::next_request`].
    Request,
    /// Waiting for the results of these calls.
    Tools(Vec<ToolCall>),
    /// Over; the function calls of the final response, none of which ran.
    Done(StopReason, Vec<ToolCall>),
}

/// The state of one run (module docs).
#[derive(Debug, Clone)]
pub struct ToolLoop {
    params: Map<String, Value>,
    executable: Vec<String>,
    max_steps: usize,
    store_false: bool,
    conversation: bool,
    /// `store: false`: every input item so far.
    history: Vec<Value>,
    /// The `function_call_output` items for the next request.
    outputs: Vec<Value>,
    last_id: Option<String>,
    steps: Vec<StepRecord>,
    phase: Phase,
}

impl ToolLoop {
    /// A loop for these request params (an object, `tools` already as sent: without
    /// `execute`), where `executable` names the function tools that have an `execute`, and
    /// `max_steps` (default [`DEFAULT_MAX_STEPS`], at least 1) bounds the number of responses.
    pub fn new(params: Value, executable: Vec<String>, max_steps: Option<usize>) -> Result<ToolLoop, Error> {
        let Value::Object(params) = params else {
            return Err(Error::validation("params", "the request params must be an object"));
        };
        let max_steps = max_steps.unwrap_or(DEFAULT_MAX_STEPS);
        if max_steps == 0 {
            return Err(Error::validation("maxSteps", "`maxSteps` must be at least 1; got 0"));
        }
        let store_false = matches!(params.get("store"), Some(Value::Bool(false)));
        let conversation = params.get("conversation").is_some_and(|c| !c.is_null());
        let history = match params.get("input").filter(|_| store_false) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(text)) => vec![object(&[("type", "message"), ("role", "user"), ("content", text)])],
            Some(Value::Array(items)) => items.clone(),
            Some(other) => vec![other.clone()],
        };
        Ok(ToolLoop {
            params,
            executable,
            max_steps,
            store_false,
            conversation,
            history,
            outputs: Vec::new(),
            last_id: None,
            steps: Vec::new(),
            phase: Phase::Request,
        })
    }

    /// The loop runs over a WebSocket (`crate::socket`): the connection keeps each response in
    /// memory, so every later request sends only the new `function_call_output` items with
    /// `previous_response_id`, even with `store: false` (nothing is resent). Call it before the
    /// first response.
    pub fn over_socket(&mut self) {
        self.store_false = false;
        self.history = Vec::new();
    }

    /// The params of the next request; `None` when the loop waits for tool results or is over.
    pub fn next_request(&self) -> Option<Value> {
        let changes = self.request_changes()?;
        // Rebuilt without the removed keys (no map removal code in the wasm).
        let mut req = serde_json::Map::new();
        for (k, v) in &self.params {
            if !changes.iter().any(|(key, value)| key == k && value.is_none()) {
                req.insert(k.clone(), v.clone());
            }
        }
        for (key, value) in changes {
            if let Some(v) = value {
                req.insert(key.to_owned(), v);
            }
        }
        Some(Value::Object(req))
    }

    /// The next request as changes to the params: each key set to a value (`Some`) or removed
    /// (`None`), every other param as given. A caller that keeps the params as it gave them
    /// (their key order, e.g. of a JSON Schema's `properties`, which sets the order of a
    /// structured output) builds the request from these. `None` as for
    /// [`next_request`](Self::next_request).
    pub fn request_changes(&self) -> Option<Vec<(&'static str, Option<Value>)>> {
        if !matches!(self.phase, Phase::Request) {
            return None;
        }
        let mut changes = Vec::new();
        if !self.steps.is_empty() {
            if self.store_false {
                // The user's own `previous_response_id` (a stored response the run continues)
                // stays: the resent history is what came after it.
                changes.push(("input", Some(Value::Array(self.history.clone()))));
            } else {
                changes.push(("input", Some(Value::Array(self.outputs.clone()))));
                let chained = match &self.last_id {
                    Some(id) if !self.conversation => Some(Value::String(id.clone())),
                    _ => None,
                };
                changes.push(("previous_response_id", chained));
            }
        }
        if self.store_false {
            let mut include = match self.params.get("include") {
                Some(Value::Array(include)) => include.clone(),
                _ => Vec::new(),
            };
            if !include.iter().any(|v| v.as_str() == Some(ENCRYPTED_REASONING)) {
                include.push(ENCRYPTED_REASONING.into());
                changes.push(("include", Some(Value::Array(include))));
            }
        }
        Some(changes)
    }

    /// Takes the response to the last request and decides the next step (module docs). When
    /// the loop is not waiting for a response, nothing changes and the current step is returned.
    pub fn on_response(&mut self, response: &Value) -> Step {
        match self.advance(response) {
            Some(reason) => Step::Done(reason),
            None => Step::RunTools(self.pending_calls().to_vec()),
        }
    }

    /// [`on_response`](Self::on_response) without a copy of the calls: why the loop stopped, or
    /// `None` when it runs [`pending_calls`](Self::pending_calls).
    pub(crate) fn advance(&mut self, response: &Value) -> Option<StopReason> {
        match &self.phase {
            Phase::Request => {}
            Phase::Tools(_) => return None,
            Phase::Done(reason, _) => return Some(*reason),
        }
        self.steps.push(StepRecord { response: response.clone(), tool_calls: Vec::new() });
        let items = response.get("output").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        if self.store_false {
            for item in items {
                self.history.push(as_input(item));
            }
        }
        self.last_id = response.get("id").and_then(Value::as_str).map(str::to_owned);

        let mut calls: Vec<ToolCall> = Vec::new();
        // A call_id seen before (in output order) is not a new call.
        let mut seen = Map::new();
        let mut pending = false;
        let mut cut = response.get("status").and_then(Value::as_str) == Some("incomplete");
        for item in items {
            match item.get("type").and_then(Value::as_str) {
                Some("function_call") => {
                    cut |= matches!(item.get("status").and_then(Value::as_str), Some("in_progress" | "incomplete"));
                    match read_call(item) {
                        Some(call) => {
                            if seen.insert(call.call_id.clone(), Value::Null).is_none() {
                                calls.push(call);
                            }
                        }
                        None => pending = true,
                    }
                }
                Some(kind) if CLIENT_CALLS.contains(&kind) => pending = true,
                _ => {}
            }
        }
        pending |= calls.iter().any(|c| !self.executable.contains(&c.name));
        let stop = if calls.is_empty() && !pending {
            Some(StopReason::NoToolCalls)
        } else if cut {
            Some(StopReason::Incomplete)
        } else if self.steps.len() >= self.max_steps {
            Some(StopReason::MaxSteps)
        } else if pending {
            Some(StopReason::PendingCalls)
        } else if !self.store_false && !self.conversation && self.last_id.is_none() {
            Some(StopReason::NoResponseId)
        } else {
            None
        };
        self.phase = match stop {
            Some(reason) => Phase::Done(reason, calls),
            None => Phase::Tools(calls),
        };
        stop
    }

    /// The results of the calls of the last [`Step::RunTools`], in any order: `(call_id,
    /// Ok(output text) | Err(error message))`. Builds the outputs for the next request (module
    /// docs); a result for an unknown `call_id`, or for a call whose arguments were not valid
    /// JSON, is ignored. Ignored unless the loop waits for tool results.
    pub fn on_tool_results(&mut self, mut given: Vec<(String, Result<String, String>)>) {
        let Phase::Tools(calls) = mem::replace(&mut self.phase, Phase::Request) else {
            return;
        };
        // The first result given for a call_id counts (the calls' call_ids are distinct): each
        // call_id's first position, inserted last.
        let mut first = Map::new();
        for (i, (id, _)) in given.iter().enumerate().rev() {
            first.insert(id.clone(), Value::from(i));
        }
        let mut outputs = Vec::with_capacity(calls.len());
        let mut records = Vec::with_capacity(calls.len());
        // By reference: a by-value loop links the drop of a `Vec<ToolCall>` iterator.
        for call in &calls {
            let at = first.get(&call.call_id).and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok());
            // Each position is taken once at most: the calls' call_ids are distinct.
            let given = at.and_then(|i| given.get_mut(i)).map(|(_, r)| mem::replace(r, Ok(String::new())));
            let result = match &call.parsed {
                Err(why) => Err(why.clone()),
                Ok(_) => given.unwrap_or_else(|| Err("the tool gave no result".to_owned())),
            };
            let (output, error) = match result {
                Ok(text) => (text, None),
                Err(message) => {
                    let mut output = String::from("Error: ");
                    output.push_str(&message);
                    (output, Some(message))
                }
            };
            outputs.push(object(&[("type", "function_call_output"), ("call_id", &call.call_id), ("output", &output)]));
            records.push(ToolCallRecord {
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
                output,
                error,
            });
        }
        if self.store_false {
            for output in &outputs {
                self.history.push(output.clone());
            }
        }
        self.outputs = outputs;
        if let Some(step) = self.steps.last_mut() {
            step.tool_calls = records;
        }
    }

    /// One entry per response received.
    pub fn steps(&self) -> &[StepRecord] {
        &self.steps
    }

    /// The steps, taken out of a loop that is over (no copy of the responses).
    pub fn into_steps(self) -> Vec<StepRecord> {
        self.steps
    }

    /// Why the loop stopped; `None` while it runs.
    pub fn stop_reason(&self) -> Option<StopReason> {
        match self.phase {
            Phase::Done(reason, _) => Some(reason),
            _ => None,
        }
    }

    /// The calls waiting for an answer: those of the last [`Step::RunTools`] until their
    /// results come; once the loop is over, the function calls of the final response, none of
    /// which ran (left to the caller: a tool without `execute`, a cut-off response, `max_steps`);
    /// else empty.
    pub fn pending_calls(&self) -> &[ToolCall] {
        match &self.phase {
            Phase::Tools(calls) | Phase::Done(_, calls) => calls,
            Phase::Request => &[],
        }
    }
}

/// An output item as it goes back in the input of a `store: false` request: as it came,
/// without the `parsed_arguments` the client adds to `function_call` items of its snapshots
/// (not a field of the API).
fn as_input(item: &Value) -> Value {
    let Value::Object(o) = item else { return item.clone() };
    // Copied without the key (no map removal code in the wasm).
    let mut copy = serde_json::Map::new();
    for (k, v) in o {
        if k != "parsed_arguments" {
            copy.insert(k.clone(), v.clone());
        }
    }
    Value::Object(copy)
}
