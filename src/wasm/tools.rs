//! [`Client::run_tools`]: the tool loop for Rust/wasm apps, over async closures. The core's
//! [`ToolLoop`] decides every step (the next request, when to stop, what goes back to the
//! model, the `store: false` history); this module streams each request and runs the calls of
//! each response concurrently (at most `concurrency` at once).
//!
//! ```no_run
//! # async fn demo(client: cometapi_responses::wasm::Client) -> Result<(), cometapi_responses::Error> {
//! use cometapi_responses::wasm::{RunToolsOptions, Tools};
//! use serde_json::{json, Value};
//!
//! let tools = Tools::new().tool("get_weather", |args: Value, _ctx| async move {
//!     Ok::<_, String>(json!({ "city": args["city"], "celsius": 21 }))
//! });
//! let params = json!({
//!     "model": "gpt-5.4",
//!     "input": "What is the weather in Lisbon?",
//!     "tools": [{ "type": "function", "name": "get_weather",
//!                 "parameters": { "type": "object", "properties": { "city": { "type": "string" } } } }],
//! });
//! let run = client.run_tools(&params, &tools, RunToolsOptions::default(), |event| {
//!     let _ = event.event_type(); // every step's events, in order
//! }).await?;
//! println!("{} after {} responses", run.response["output_text"], run.steps.len());
//! # Ok(()) }
//! ```

use std::fmt::Display;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;

use futures_util::future::{select, Either, FutureExt, LocalBoxFuture};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;
use web_sys::AbortSignal;

use super::client::{Client, RequestOptions};
use super::transport::AbortState;
use crate::error::Error;
use crate::event::ResponseEvent;
use crate::tool_loop::{self, Step, StepRecord, StopReason, ToolCall, ToolLoop};

/// What a tool gets besides its arguments.
#[derive(Clone, Debug)]
pub struct ToolContext {
    /// The function call's `call_id`.
    pub call_id: String,
    /// The run's signal (`RunToolsOptions::request.signal`), if it has one.
    pub signal: Option<AbortSignal>,
}

/// A tool: its arguments and context to its output, or its error's message.
type ToolFn = Rc<dyn Fn(Value, ToolContext) -> LocalBoxFuture<'static, Result<String, String>>>;

/// The code behind function tools, by name (the tools' definitions go in the params' `tools`,
/// as sent). A called function tool without code here stops the run (human in the loop).
#[derive(Clone, Default)]
pub struct Tools {
    tools: Vec<(String, ToolFn)>,
}

impl Tools {
    /// No tools.
    pub fn new() -> Tools {
        Tools::default()
    }

    /// The code of the function tool `name`: an async closure from the parsed arguments to a
    /// result — a `Value::String` goes back as it is, any other value JSON-encoded, an `Err`
    /// as its message (the loop sends `Error: <message>`, so the model can recover).
    pub fn tool<F, Fut, E>(mut self, name: impl Into<String>, f: F) -> Tools
    where
        F: Fn(Value, ToolContext) -> Fut + 'static,
        Fut: Future<Output = Result<Value, E>> + 'static,
        E: Display,
    {
        let f: ToolFn = Rc::new(move |args, ctx| {
            let text = |v| if let Value::String(s) = v { s } else { v.to_string() };
            f(args, ctx).map(move |r| r.map(text).map_err(|e| e.to_string())).boxed_local()
        });
        self.tools.push((name.into(), f));
        self
    }

    fn get(&self, name: &str) -> Option<&ToolFn> {
        self.tools.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }
}

/// Options of [`Client::run_tools`].
#[derive(Clone, Default)]
pub struct RunToolsOptions {
    /// Responses at most (default 10).
    pub max_steps: Option<usize>,
    /// Tools running at once at most (default 8, at least 1); the results keep the calls' order.
    pub concurrency: Option<usize>,
    /// Each request's options; the signal also stops the tools' wait and the run.
    pub request: RequestOptions,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct ToolRunOutput {
    /// The last Response.
    pub response: Value,
    /// One entry per response: the response and the calls answered after it.
    pub steps: Vec<StepRecord>,
    /// Why the loop stopped.
    pub stop_reason: StopReason,
    /// The function calls of the last response, none of which ran (empty when it called no
    /// tool): left to the caller — a tool without code, a cut-off response, `max_steps`.
    pub pending_calls: Vec<ToolCall>,
}

impl Client {
    /// A tool loop (see the module docs): streams each request (`on_event` gets every event of
    /// every step, in order), runs the function calls of each response concurrently with
    /// `tools`, sends the results back, until a response calls no tool, after `max_steps`
    /// responses, or at a call of a tool without code. With `store: false` each request resends
    /// the whole history (encrypted reasoning included). An aborted signal ends the run with
    /// [`Error::Abort`] at once: no further request, and the tools still running are dropped.
    pub async fn run_tools(
        &self,
        params: &impl Serialize,
        tools: &Tools,
        opts: RunToolsOptions,
        mut on_event: impl FnMut(&ResponseEvent),
    ) -> Result<ToolRunOutput, Error> {
        let params = serde_json::to_value(params).map_err(|e| Error::validation("params", e.to_string()))?;
        let names = tools.tools.iter().map(|(n, _)| n.clone()).collect();
        let mut run = ToolLoop::new(params, names, opts.max_steps)?;
        let limit = tool_loop::concurrency(opts.concurrency.map(|n| n as f64))?;
        let aborted = || opts.request.signal.as_ref().is_some_and(AbortSignal::aborted);
        loop {
            // Before every request, the first one and each after the tools ran.
            if aborted() {
                return Err(Error::Abort);
            }
            let request = run.next_request().ok_or_else(|| Error::stream("the tool loop has no next request"))?;
            let mut stream = self.stream(&request, opts.request.clone())?;
            while let Some(event) = stream.next_event().await {
                on_event(&event?);
            }
            let response = stream.final_response().await?;
            let calls = match run.on_response(&response) {
                Step::Done(stop_reason) => {
                    let pending_calls = run.pending_calls().to_vec();
                    return Ok(ToolRunOutput { response, steps: run.into_steps(), stop_reason, pending_calls });
                }
                Step::RunTools(calls) => calls,
            };
            // At most `limit` at once, the next one starting as one ends; the results in any order
            // (the loop matches them by call_id). An abort ends the wait (the tools still running
            // are dropped) and the run.
            let runnable =
                calls.into_iter().filter_map(|c| Some((tools.get(&c.name)?.clone(), c.parsed.ok()?, c.call_id)));
            let results = stream::iter(runnable)
                .map(|(f, args, call_id)| {
                    let ctx = ToolContext { call_id: call_id.clone(), signal: opts.request.signal.clone() };
                    f(args, ctx).map(|r| (call_id, r))
                })
                .buffer_unordered(limit)
                .collect();
            let abort = AbortState::new(opts.request.signal.clone());
            // the abort first: once aborted, no further tool starts
            let aborting = pin!(abort.until_aborted());
            match select(aborting, results).await {
                Either::Left(_) => return Err(Error::Abort),
                Either::Right((results, _)) => run.on_tool_results(results),
            }
        }
    }
}
