//! The `#[wasm_bindgen]` classes behind the JS API (js/*.js wraps them): `RawClient` builds
//! calls, `RawCall` is one [`Call`] machine whose I/O js/io.js runs, `RawAccumulator` folds
//! events given by JS. Option objects cross as one JSON text (serde-wasm-bindgen would link
//! core's float formatting: +14.4 KiB gzip, docs/architecture.md), wire data as JSON text
//! (parsed once, by `JSON.parse`), errors as descriptors (`error.rs`).

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::parser::{copy_chunk, release};
use crate::accumulate::Accumulator;
use crate::answer::WANTED_HEADERS;
use crate::call::{Action, Call, IoFailure, Release};
use crate::endpoint::{Answer, Config, HttpRequest, ListQuery};
use crate::error::Error;
use crate::event::ResponseEvent;
use crate::redact::Redactor;
use crate::stream::StreamState;
use crate::structured::OutputState;

/// `new ResponsesClient(options)` without `fetch` (which stays in JS).
#[derive(Default)]
struct ClientOptions {
    api_key: Option<String>,
    base_url: Option<String>,
    headers: Option<BTreeMap<String, Value>>,
    max_retries: Option<u32>,
    timeout: Option<f64>,
}

/// The per-request options the core reads (`signal` stays in JS).
#[derive(Default)]
struct RequestOptions {
    timeout: Option<f64>,
    max_retries: Option<u32>,
    headers: Option<BTreeMap<String, Value>>,
}

/// `inputItems` / `conversations.items.list` options.
#[derive(Default)]
struct ListOptions {
    after: Option<String>,
    limit: Option<u32>,
    order: Option<String>,
    include: Option<Vec<String>>,
}

fn type_error(what: &str, e: impl std::fmt::Display) -> JsValue {
    js_sys::TypeError::new(&format!("{what}: {e}")).into()
}

/// Reads an option object given as JSON text (`undefined`: all defaults). A wrong type is a
/// `TypeError` naming the option.
fn read<T: FromValue + Default>(json: Option<String>, what: &str) -> Result<T, JsValue> {
    let Some(json) = json else { return Ok(T::default()) };
    let v: Value = serde_json::from_str(&json).map_err(|_| type_error(what, "must be an object"))?;
    if v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() {
        return Err(type_error(what, "must be an object"));
    }
    T::from_value(&v).map_err(|e| type_error(what, e))
}

/// An option object read from its JSON value.
trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

fn string(v: &Value, k: &str) -> Result<Option<String>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{k}` must be a string")),
    }
}

fn integer(v: &Value, k: &str) -> Result<Option<u32>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => Err(format!("`{k}` must be a non-negative integer")),
        },
    }
}

fn number(v: &Value, k: &str) -> Result<Option<f64>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => {
            x.as_f64().filter(|t| *t >= 0.0).map(Some).ok_or_else(|| format!("`{k}` must be a non-negative number"))
        }
    }
}

fn header_map(v: &Value, k: &str) -> Result<Option<BTreeMap<String, Value>>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.iter().map(|(a, b)| (a.clone(), b.clone())).collect())),
        Some(_) => Err(format!("`{k}` must be an object of strings")),
    }
}

impl FromValue for ClientOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        Ok(ClientOptions {
            api_key: string(v, "apiKey")?,
            base_url: string(v, "baseURL")?,
            headers: header_map(v, "headers")?,
            max_retries: integer(v, "maxRetries")?,
            timeout: number(v, "timeout")?,
        })
    }
}

impl FromValue for RequestOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        Ok(RequestOptions {
            timeout: number(v, "timeout")?,
            max_retries: integer(v, "maxRetries")?,
            headers: header_map(v, "headers")?,
        })
    }
}

impl FromValue for ListOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        let include = match v.get("include") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()),
            Some(_) => return Err("`include` must be an array of strings".into()),
        };
        Ok(ListOptions { after: string(v, "after")?, limit: integer(v, "limit")?, order: string(v, "order")?, include })
    }
}

fn headers(map: Option<BTreeMap<String, Value>>, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    for (k, v) in map.unwrap_or_default() {
        match v {
            Value::String(s) => out.push((k, s)),
            Value::Number(n) => out.push((k, n.to_string())),
            Value::Bool(b) => out.push((k, b.to_string())),
            Value::Null => {}
            _ => return Err(type_error(what, format_args!("header {} must be a string", Value::from(k)))),
        }
    }
    Ok(out)
}

fn timeout_ms(t: Option<f64>, what: &str) -> Result<Option<u64>, JsValue> {
    match t {
        None => Ok(None),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(t as u64)),
        Some(_) => Err(type_error(what, "must be a non-negative number")),
    }
}

/// The raw client; js/client.js wraps it as `ResponsesClient`.
#[wasm_bindgen]
pub struct RawClient {
    config: Rc<Config>,
    redactor: Option<Rc<Redactor>>,
}

/// One request's options, resolved against the client's.
struct Resolved {
    timeout_ms: u64,
    max_retries: u32,
    headers: Vec<(String, String)>,
}

impl RawClient {
    fn resolve(&self, opts: Option<String>) -> Result<Resolved, JsValue> {
        let o: RequestOptions = read(opts, "options")?;
        Ok(Resolved {
            timeout_ms: timeout_ms(o.timeout, "options.timeout")?.unwrap_or(self.config.timeout_ms),
            max_retries: o.max_retries.unwrap_or(self.config.max_retries),
            headers: headers(o.headers, "options.headers")?,
        })
    }

    fn build(
        &self,
        opts: Option<String>,
        f: impl FnOnce(&Config, &[(String, String)]) -> Result<HttpRequest, Error>,
    ) -> Result<Call, JsValue> {
        let o = self.resolve(opts)?;
        let request = f(&self.config, &o.headers).map_err(|e| to_js(&e))?;
        Ok(Call::new(request, o.timeout_ms, o.max_retries, self.redactor.clone()))
    }

    fn call(
        &self,
        opts: Option<String>,
        f: impl FnOnce(&Config, &[(String, String)]) -> Result<HttpRequest, Error>,
    ) -> Result<RawCall, JsValue> {
        self.build(opts, f).map(RawCall::new)
    }
}

#[wasm_bindgen]
impl RawClient {
    /// `options`: the JSON of `{ apiKey, baseURL, headers, maxRetries, timeout }` (a TypeError for
    /// wrong types, a ValidationError for a base URL that is not an absolute http(s) URL).
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<String>) -> Result<RawClient, JsValue> {
        let o: ClientOptions = read(options, "options")?;
        let headers = headers(o.headers, "headers")?;
        let timeout = timeout_ms(o.timeout, "timeout")?;
        let config = Config::new(o.base_url.as_deref(), o.api_key.as_deref(), headers, o.max_retries, timeout)
            .map_err(|e| to_js(&e))?;
        let redactor = config.api_key.as_deref().and_then(Redactor::new).map(Rc::new);
        Ok(RawClient { config: Rc::new(config), redactor })
    }

    /// `POST /responses`.
    pub fn create(&self, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.create(&params, h))
    }

    /// `POST /responses` with `stream: true` (a `background: true` stream resumes when its body
    /// breaks; a `json_schema` one follows its output's partial JSON: 4 elements per entry).
    pub fn stream(&self, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        let mut json_schema = false;
        let call = self.build(opts, |c, h| {
            c.stream_structured(&params, h).map(|(request, j)| {
                json_schema = j;
                request
            })
        })?;
        let background = matches!(call.request().answer, Answer::Stream { background: true });
        let mut call = if background { call.resumable(self.config.clone()) } else { call };
        if json_schema {
            if let Some(s) = call.stream_mut() {
                s.parse_output();
            }
        }
        Ok(RawCall::new(call))
    }

    /// `POST /responses` for `parse()`: the answer has `output_parsed`.
    pub fn parse(&self, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.parse(&params, h))
    }

    /// `GET /responses/{id}`.
    pub fn retrieve(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.retrieve(&id, h))
    }

    /// `GET /responses/{id}?stream=true`: every event is folded; with `starting_after`, only the
    /// events after it are handed out. It resumes when its body breaks.
    pub fn retrieve_stream(
        &self,
        id: String,
        starting_after: Option<f64>,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        let o = self.resolve(opts)?;
        // An invalid id fails the stream (its iteration and finalResponse()), as before any request.
        let call = match self.config.retrieve_stream(&id, None, &o.headers) {
            Ok(request) => Call::new(request, o.timeout_ms, o.max_retries, self.redactor.clone()),
            Err(e) => return Ok(RawCall::new(Call::failed(e))),
        };
        let mut stream = StreamState::batches(None);
        if let Some(n) = starting_after.filter(|n| *n >= 0.0) {
            stream.hide_through(n as u64);
        }
        Ok(RawCall::new(call.with_stream(stream).resumable(self.config.clone())))
    }

    /// `POST /responses/{id}/cancel`.
    pub fn cancel(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.cancel(&id, h))
    }

    /// `DELETE /responses/{id}`.
    pub fn delete(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.delete(&id, h))
    }

    /// `GET /responses/{id}/input_items`.
    pub fn input_items(&self, id: String, query: Option<String>, opts: Option<String>) -> Result<RawCall, JsValue> {
        let q = list_query(query)?;
        self.call(opts, |c, h| c.input_items(&id, &q, h))
    }

    /// `POST /responses/compact`.
    pub fn compact(&self, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.compact(&params, h))
    }

    /// `POST /responses/input_tokens`.
    pub fn count_input_tokens(&self, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.count_input_tokens(&params, h))
    }

    /// `POST /conversations`.
    pub fn conversation_create(&self, params: Option<String>, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.conversation_create(params.as_deref(), h))
    }

    /// `GET /conversations/{id}`.
    pub fn conversation_retrieve(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.conversation_retrieve(&id, h))
    }

    /// `POST /conversations/{id}`.
    pub fn conversation_update(&self, id: String, params: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.conversation_update(&id, &params, h))
    }

    /// `DELETE /conversations/{id}`.
    pub fn conversation_delete(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.conversation_delete(&id, h))
    }

    /// `POST /conversations/{id}/items`.
    pub fn conversation_items_create(
        &self,
        id: String,
        params: String,
        include: Option<Vec<String>>,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        let include = include.unwrap_or_default();
        self.call(opts, |c, h| c.conversation_items_create(&id, &params, &include, h))
    }

    /// `GET /conversations/{id}/items`.
    pub fn conversation_items_list(
        &self,
        id: String,
        query: Option<String>,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        let q = list_query(query)?;
        self.call(opts, |c, h| c.conversation_items_list(&id, &q, h))
    }

    /// `GET /conversations/{id}/items/{item_id}`.
    pub fn conversation_item_retrieve(
        &self,
        id: String,
        item_id: String,
        include: Option<Vec<String>>,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        let include = include.unwrap_or_default();
        self.call(opts, |c, h| c.conversation_item_retrieve(&id, &item_id, &include, h))
    }

    /// `DELETE /conversations/{id}/items/{item_id}`.
    pub fn conversation_item_delete(
        &self,
        id: String,
        item_id: String,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.conversation_item_delete(&id, &item_id, h))
    }
}

fn list_query(query: Option<String>) -> Result<ListQuery, JsValue> {
    let q: ListOptions = read(query, "options")?;
    Ok(ListQuery { after: q.after, limit: q.limit, order: q.order, include: q.include.unwrap_or_default() })
}

/// The response headers the core reads, in the order `RawCall.headers()` takes their values.
#[wasm_bindgen(js_name = wantedHeaders)]
pub fn wanted_headers() -> Vec<String> {
    WANTED_HEADERS.iter().map(|h| (*h).to_owned()).collect()
}

/// One call: js/io.js asks `action`, does it, and reports back (see [`Call`]).
#[wasm_bindgen]
pub struct RawCall {
    call: Call,
    chunk: Vec<u8>,
}

impl RawCall {
    fn new(call: Call) -> RawCall {
        RawCall { call, chunk: Vec::new() }
    }

    /// What the consumer gets after an input: the stream's batch (or frames) of new events.
    fn output(&mut self) -> Option<String> {
        let stream = self.call.stream_mut()?;
        stream.take_batch().or_else(|| stream.take_frames())
    }
}

fn failure(kind: u8) -> IoFailure {
    match kind {
        1 => IoFailure::Timeout,
        2 => IoFailure::Abort,
        _ => IoFailure::Network,
    }
}

#[wasm_bindgen]
impl RawCall {
    /// A call without a request: it reads a body JS already has (`ResponseStream.fromReadableStream`).
    pub fn from_body() -> RawCall {
        RawCall::new(Call::reading(StreamState::batches(None)))
    }

    /// 0 send, 1 wait, 2 read, 3 sleep, 4 done.
    #[wasm_bindgen(getter)]
    pub fn action(&self) -> u8 {
        match self.call.action() {
            Action::Send => 0,
            Action::Wait => 1,
            Action::Read => 2,
            Action::Sleep => 3,
            Action::Done => 4,
        }
    }

    /// The request's method.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.call.request().method.as_str().to_owned()
    }

    /// The request's URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.call.request().url.clone()
    }

    /// The request's headers, flat: `[name, value, name, value, …]`.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Array {
        let out = Array::new();
        for (k, v) in &self.call.request().headers {
            out.push(&JsValue::from_str(k));
            out.push(&JsValue::from_str(v));
        }
        out
    }

    /// The request's body (JSON text), if any.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Option<String> {
        self.call.request().body.clone()
    }

    /// The attempt's timeout in ms.
    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> f64 {
        self.call.timeout_ms() as f64
    }

    /// How to let go of an open body: 0 nothing, 1 cancel the reader, 2 cancel and abort.
    #[wasm_bindgen(getter)]
    pub fn release(&self) -> u8 {
        match self.call.release() {
            Release::Nothing => 0,
            Release::Cancel => 1,
            Release::Abort => 2,
        }
    }

    /// The request is on its way.
    pub fn sent(&mut self) {
        self.call.on_sent();
    }

    /// The response headers: the status and the values of `wantedHeaders()`, in order.
    #[wasm_bindgen(js_name = headers_arrived)]
    pub fn headers_arrived(
        &mut self,
        status: u16,
        h0: Option<String>,
        h1: Option<String>,
        h2: Option<String>,
        h3: Option<String>,
    ) {
        let values = [h0, h1, h2, h3];
        self.call.on_headers(status, |name| {
            let i = WANTED_HEADERS.iter().position(|w| *w == name)?;
            values.get(i).cloned().flatten()
        });
    }

    /// The response has no body.
    pub fn no_body(&mut self) -> Option<String> {
        self.call.on_no_body();
        self.output()
    }

    /// `fetch` failed: kind 0 network, 1 timeout, 2 abort.
    pub fn fetch_failed(&mut self, kind: u8, message: &str) {
        self.call.on_fetch_error(failure(kind), message);
    }

    /// One chunk of the body (copied into wasm memory fallibly); the new events' batch, if any.
    pub fn feed(&mut self, chunk: &Uint8Array) -> Option<String> {
        match copy_chunk(chunk, &mut self.chunk) {
            Ok(bytes) => self.call.on_chunk(bytes),
            Err(e) => self.call.fail(e),
        }
        release(&mut self.chunk);
        self.output()
    }

    /// The body ended; the last events' batch, if any.
    pub fn end(&mut self) -> Option<String> {
        self.call.on_body_end();
        self.output()
    }

    /// A read of the body failed (kind as in `fetch_failed`).
    pub fn read_failed(&mut self, kind: u8, message: &str) -> Option<String> {
        self.call.on_read_error(failure(kind), message);
        self.output()
    }

    /// The body yielded something that is not a `Uint8Array`.
    pub fn bad_chunk(&mut self) -> Option<String> {
        self.call.fail(Error::stream("the body yielded a chunk that is not a Uint8Array"));
        self.output()
    }

    /// How long to sleep before the next attempt, in ms.
    pub fn delay(&self, now_unix_ms: f64, random01: f64) -> f64 {
        self.call.delay_ms(now_unix_ms, random01)
    }

    /// The sleep is over.
    pub fn wake(&mut self) {
        self.call.on_wake();
    }

    /// The user aborted.
    pub fn abort(&mut self) {
        self.call.abort();
    }

    /// A Response answer's `output_text` to set on the parsed answer (`undefined`: keep it).
    #[wasm_bindgen(getter)]
    pub fn output_text(&self) -> Option<String> {
        self.call.output_text().map(str::to_owned)
    }

    /// A JSON answer's text as received, once done.
    pub fn take_json(&mut self) -> Option<String> {
        self.call.take_json()
    }

    /// The error the call ended with, as a descriptor (`undefined` when none).
    pub fn error(&self) -> JsValue {
        self.call.error().map_or(JsValue::UNDEFINED, to_js)
    }

    /// `text` with the API key redacted; `undefined` when it holds none.
    pub fn redact(&self, text: &str) -> Option<String> {
        self.call.redact(text)
    }

    /// From now on the stream's events come out as SSE bytes (for `toReadableStream`).
    pub fn frames_mode(&mut self) {
        let redactor = self.call.redactor();
        if let Some(s) = self.call.stream_mut() {
            s.frames_mode(redactor);
        }
    }

    /// Frames mode: the stream's failure went out as a frame (end the proxied body normally).
    #[wasm_bindgen(getter)]
    pub fn failure_forwarded(&self) -> bool {
        self.call.stream().is_some_and(StreamState::failure_forwarded)
    }

    /// Frames mode: the terminal event as a batch, once the stream ended with one.
    pub fn terminal_batch(&mut self) -> Option<String> {
        self.call.stream_mut().and_then(StreamState::take_terminal_batch)
    }

    /// The stream follows its output's partial JSON (a `json_schema` request): each batch
    /// entry has a fourth element, the partial JSON ops of the output text.
    #[wasm_bindgen(getter)]
    pub fn structured(&self) -> bool {
        self.call.stream().is_some_and(StreamState::is_parsing_output)
    }

    /// What `output_parsed` is, for a `parse()` answer or a `json_schema` stream that ended
    /// normally: 1 the value of the output text, 2 `null` (0: not decided, or neither); throws
    /// the `OutputParseError` of a stream's output text that is not valid JSON (a `parse()`
    /// answer's is the call's error).
    pub fn output_parsed(&self) -> Result<u8, JsValue> {
        if let Some(parse) = self.call.output_parsed() {
            return Ok(if parse { 1 } else { 2 });
        }
        match self.call.stream().and_then(StreamState::output_state) {
            None => Ok(0),
            Some(OutputState::Parse) => Ok(1),
            Some(OutputState::Null) => Ok(2),
            Some(OutputState::Invalid(e)) => {
                let mut e = e.clone();
                if let Some(r) = self.call.redactor() {
                    e.redact(&r);
                }
                Err(to_js(&e))
            }
        }
    }
}

/// The raw accumulator; js/parsers.js wraps it as `ResponseAccumulator`.
#[wasm_bindgen]
pub struct RawAccumulator {
    acc: Accumulator,
}

#[wasm_bindgen]
impl RawAccumulator {
    /// A fresh accumulator (patches only: JS mirrors the snapshot).
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawAccumulator {
        RawAccumulator { acc: Accumulator::without_snapshot() }
    }

    /// Folds one event (its JSON text); returns its patches as JSON.
    pub fn push(&mut self, event_json: &str) -> Result<String, JsValue> {
        let ev = ResponseEvent::from_json(event_json).map_err(|e| to_js(&e))?;
        self.acc.push(&ev);
        let mut out = String::new();
        self.acc.write_patches_json(&mut out);
        Ok(out)
    }
}

impl Default for RawAccumulator {
    fn default() -> Self {
        Self::new()
    }
}
