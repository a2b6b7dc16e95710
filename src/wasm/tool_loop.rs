//! `RawToolLoop`: the core's [`ToolLoop`] for js/tool-loop.js, which runs each step's stream and
//! the tools, and reports back. Data crosses as JSON text with every lone surrogate of the JS
//! strings kept: parsed with [`parse_keeping_surrogates`], written back with
//! [`restore_surrogates`], so what comes back to JS is what `JSON.stringify` gave.

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::error::js_err as js_error;
use crate::error::Error;
use crate::event::lenient::{parse_keeping_surrogates, restore_surrogates};
use crate::relay::push_quoted;
use crate::tool_loop::{self, ToolLoop};

/// What the text of a tool result is (the middle element of each row of
/// [`RawToolLoop::on_tool_results`]).
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum ToolResult {
    /// The message of the error the tool threw (or of a call that was not run).
    Error = 0,
    /// The tool's output.
    Output = 1,
}

/// One tool loop (see [`ToolLoop`]).
#[wasm_bindgen]
pub struct RawToolLoop {
    run: ToolLoop,
    concurrency: usize,
}

#[wasm_bindgen]
impl RawToolLoop {
    /// `params`: the request params as sent (JSON, tools without `execute`); `executable`: the
    /// names of the function tools that have an `execute` (a JSON array); `max_steps`: default
    /// 10; `concurrency`: the caller's option as it is (NaN for a value that is not a number),
    /// checked here (see [`concurrency`](Self::concurrency)).
    #[wasm_bindgen(constructor)]
    pub fn new(
        params: &str,
        executable: &str,
        max_steps: Option<u32>,
        concurrency: Option<f64>,
    ) -> Result<RawToolLoop, JsValue> {
        let concurrency = tool_loop::concurrency(concurrency).map_err(js_error)?;
        let params = parse_keeping_surrogates(params)
            .map_err(|_| js_error(Error::validation("params", "the request params must be a JSON object")))?;
        let mut names = Vec::new();
        if let Ok(Value::Array(given)) = parse_keeping_surrogates(executable) {
            // By reference: a by-value loop links the drop of a `Vec<Value>` iterator.
            for n in &given {
                if let Value::String(s) = n {
                    names.push(s.clone());
                }
            }
        }
        let max_steps = max_steps.map(|n| n as usize);
        ToolLoop::new(params, names, max_steps).map(|run| RawToolLoop { run, concurrency }).map_err(js_error)
    }

    /// The loop runs over a WebSocket: each later request chains to the last response, held in
    /// the connection's memory (with `store: false` too), and sends only the new items.
    pub fn over_socket(&mut self) {
        self.run.over_socket();
    }

    /// How many tools may run at once (the option, or its default).
    pub fn concurrency(&self) -> f64 {
        self.concurrency as f64
    }

    /// The next request as changes to the params the caller gave (JSON `[[key, value], …]`:
    /// set, or remove for a `null` value), so that it keeps their key order; `undefined` when
    /// the loop waits or is over.
    pub fn next_request(&self) -> Option<String> {
        let mut out = String::from("[");
        for (n, (key, value)) in self.run.request_changes()?.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str("[\"");
            out.push_str(key);
            out.push_str("\",");
            out.push_str(
                &value.as_ref().map_or_else(|| "null".to_owned(), |v| serde_json::to_string(v).unwrap_or_default()),
            );
            out.push(']');
        }
        out.push(']');
        Some(restore_surrogates(out))
    }

    /// The response to the last request (JSON: its `id`, `status` and `output` are read, the
    /// rest may be left out); what comes next, as JSON: `{"calls": [{call_id,
    /// name, arguments, args}]}` to run — `args` the arguments' JSON text spliced in as written
    /// (exact for `JSON.parse`), or `error` instead when they are not valid JSON (such a call is
    /// not run) — or `{"stop": reason, "calls": […]}` with the calls left unrun.
    pub fn on_response(&mut self, response: &str) -> Result<String, JsValue> {
        let response =
            parse_keeping_surrogates(response).map_err(|_| js_error(Error::stream("a response is not JSON")))?;
        let mut out = String::from("{");
        if let Some(reason) = self.run.advance(&response) {
            out.push_str("\"stop\":\"");
            out.push_str(reason.as_str());
            out.push_str("\",");
        }
        out.push_str("\"calls\":[");
        // The calls of the step: those to run, or those left unrun once the loop is over.
        for (n, c) in self.run.pending_calls().iter().enumerate() {
            out.push_str(if n > 0 { ",{\"call_id\":" } else { "{\"call_id\":" });
            push_quoted(&mut out, Some(&c.call_id));
            out.push_str(",\"name\":");
            push_quoted(&mut out, Some(&c.name));
            out.push_str(",\"arguments\":");
            push_quoted(&mut out, Some(&c.arguments));
            match (c.arguments_json(), &c.parsed) {
                (Some(args), _) => {
                    out.push_str(",\"args\":");
                    out.push_str(args);
                }
                (None, Err(why)) => {
                    out.push_str(",\"error\":");
                    push_quoted(&mut out, Some(why));
                }
                (None, Ok(_)) => {}
            }
            out.push('}');
        }
        out.push_str("]}");
        Ok(restore_surrogates(out))
    }

    /// The results of the calls (JSON `[[call_id, kind, text], …]`: `kind` a [`ToolResult`]);
    /// returns, for each call of the step in the calls' order, `[output,
    /// error]`: the `output` that goes back to the model, and the error message when the call
    /// failed (else `null`).
    pub fn on_tool_results(&mut self, results: &str) -> String {
        let rows = match parse_keeping_surrogates(results) {
            Ok(Value::Array(rows)) => rows,
            _ => Vec::new(),
        };
        let mut results = Vec::with_capacity(rows.len());
        for row in &rows {
            let field = |k: usize| row.get(k).and_then(Value::as_str).map(str::to_owned);
            if let (Some(id), Some(text)) = (field(0), field(2)) {
                let output = row.get(1).and_then(Value::as_u64) == Some(ToolResult::Output as u64);
                results.push((id, if output { Ok(text) } else { Err(text) }));
            }
        }
        self.run.on_tool_results(results);
        let records = self.run.steps().last().map(|s| s.tool_calls.as_slice()).unwrap_or_default();
        let mut out = String::from("[");
        for (n, r) in records.iter().enumerate() {
            out.push_str(if n > 0 { ",[" } else { "[" });
            push_quoted(&mut out, Some(&r.output));
            out.push(',');
            push_quoted(&mut out, r.error.as_deref());
            out.push(']');
        }
        out.push(']');
        restore_surrogates(out)
    }
}
