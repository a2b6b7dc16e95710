//! The raw `#[wasm_bindgen]` classes behind the public JS API (pkg/api.js wraps them):
//! `RawClient` (over [`Client`]), `RawStream` (over [`EventStream`], in JS-driven mode) and
//! `RawAccumulator`. Strings cross as JSON text; errors cross as descriptors (see `error.rs`).

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::Poll;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::client::{Client, ClientOptions, InputItemsQuery, RequestOptions};
use super::error::to_js;
use super::stream::EventStream;
use super::sys::{AbortSignal, ReadableStream};
use super::transport::Cancel;
use crate::accumulate::Accumulator;
use crate::error::Error;
use crate::event::ResponseEvent;

fn headers_from_json(json: Option<String>) -> Result<Vec<(String, String)>, Error> {
    let Some(json) = json else { return Ok(Vec::new()) };
    // Parsed as a Value, not as a typed map: typed deserialization links serde's type-error
    // messages, and through them core's f64 formatting (~14 KB of wasm).
    let map = match serde_json::from_str(&json) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(Error::validation("headers", "headers must be an object of strings")),
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        match v {
            serde_json::Value::String(s) => out.push((k, s)),
            serde_json::Value::Number(n) => out.push((k, n.to_string())),
            serde_json::Value::Bool(b) => out.push((k, b.to_string())),
            serde_json::Value::Null => {}
            _ => {
                return Err(Error::validation(
                    "headers",
                    format!("header {} must be a string", serde_json::Value::from(k)),
                ))
            }
        }
    }
    Ok(out)
}

fn request_options(
    signal: Option<AbortSignal>,
    timeout: Option<f64>,
    max_retries: Option<u32>,
    headers: Option<String>,
) -> Result<RequestOptions, Error> {
    Ok(RequestOptions {
        signal,
        timeout_ms: timeout.map(|t| t.max(0.0) as u64),
        max_retries,
        headers: headers_from_json(headers)?,
    })
}

fn spawn<F>(fut: F) -> Promise
where
    F: Future<Output = Result<String, Error>> + 'static,
{
    future_to_promise(async move { fut.await.map(JsValue::from).map_err(|e| to_js(&e)) })
}

/// The raw client; pkg/api.js wraps it as `ResponsesClient`.
#[wasm_bindgen]
pub struct RawClient {
    client: Client,
}

#[wasm_bindgen]
impl RawClient {
    /// Options are checked by pkg/api.js; `headers` is a JSON object.
    #[wasm_bindgen(constructor)]
    pub fn new(
        api_key: Option<String>,
        base_url: Option<String>,
        fetch: Option<Function>,
        headers: Option<String>,
        max_retries: Option<u32>,
        timeout: Option<f64>,
    ) -> Result<RawClient, JsValue> {
        let headers = headers_from_json(headers).map_err(|e| to_js(&e))?;
        let options = ClientOptions {
            api_key,
            base_url,
            fetch,
            headers,
            max_retries,
            timeout_ms: timeout.map(|t| t.max(0.0) as u64),
        };
        Ok(RawClient { client: Client::new(options) })
    }

    /// `create(paramsJson, signal, timeout, maxRetries, headersJson)` → Promise<ResponseJson>.
    pub fn create(
        &self,
        params: String,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Promise {
        let client = self.client.clone();
        spawn(async move { client.create_json(&params, request_options(signal, timeout, max_retries, headers)?).await })
    }

    /// `stream(...)` → RawStream; throws a ValidationError descriptor at once.
    pub fn stream(
        &self,
        params: String,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Result<RawStream, JsValue> {
        let opts = request_options(signal, timeout, max_retries, headers).map_err(|e| to_js(&e))?;
        let stream = self.client.stream_json(&params, opts).map_err(|e| to_js(&e))?;
        Ok(RawStream::wrap(stream))
    }

    /// `retrieve(id, ...)` → Promise<ResponseJson>.
    pub fn retrieve(
        &self,
        id: String,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Promise {
        let client = self.client.clone();
        spawn(async move { client.retrieve_json(&id, request_options(signal, timeout, max_retries, headers)?).await })
    }

    /// `retrieve_stream(id, startingAfter, ...)` → RawStream.
    pub fn retrieve_stream(
        &self,
        id: String,
        starting_after: Option<f64>,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Result<RawStream, JsValue> {
        let opts = request_options(signal, timeout, max_retries, headers).map_err(|e| to_js(&e))?;
        let after = starting_after.filter(|n| *n >= 0.0).map(|n| n as u64);
        Ok(RawStream::wrap(self.client.retrieve_stream(&id, after, opts)))
    }

    /// `cancel(id, ...)` → Promise<ResponseJson>.
    pub fn cancel(
        &self,
        id: String,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Promise {
        let client = self.client.clone();
        spawn(async move { client.cancel_json(&id, request_options(signal, timeout, max_retries, headers)?).await })
    }

    /// `delete(id, ...)` → Promise<DeletedJson>.
    pub fn delete(
        &self,
        id: String,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Promise {
        let client = self.client.clone();
        spawn(async move { client.delete_json(&id, request_options(signal, timeout, max_retries, headers)?).await })
    }

    /// `input_items(id, after, limit, order, includeJson, ...)` → Promise<ListJson>.
    #[allow(clippy::too_many_arguments)]
    pub fn input_items(
        &self,
        id: String,
        after: Option<String>,
        limit: Option<u32>,
        order: Option<String>,
        include: Vec<String>,
        signal: Option<AbortSignal>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        headers: Option<String>,
    ) -> Promise {
        let client = self.client.clone();
        spawn(async move {
            let query = InputItemsQuery { after, limit, order, include };
            client.input_items_json(&id, &query, request_options(signal, timeout, max_retries, headers)?).await
        })
    }
}

/// The raw stream; pkg/api.js wraps it as `ResponseStream`.
#[wasm_bindgen]
pub struct RawStream {
    inner: Rc<RefCell<EventStream>>,
    cancel: Rc<Cancel>,
    /// The chunk being fed, copied from JS.
    chunk: RefCell<Vec<u8>>,
}

impl RawStream {
    fn wrap(stream: EventStream) -> RawStream {
        let cancel = stream.cancel_handle();
        RawStream { inner: Rc::new(RefCell::new(stream)), cancel, chunk: RefCell::new(Vec::new()) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut EventStream) -> T) -> Result<T, JsValue> {
        match self.inner.try_borrow_mut() {
            Ok(mut s) => Ok(f(&mut s)),
            Err(_) => Err(to_js(&Error::stream("the stream is busy (re-entrant call)"))),
        }
    }
}

#[wasm_bindgen]
impl RawStream {
    /// Parses any ReadableStream of SSE bytes as a Responses stream.
    #[wasm_bindgen(js_name = fromReadableStream)]
    pub fn from_readable_stream(body: ReadableStream) -> RawStream {
        RawStream::wrap(super::client::stream_from_readable_stream(body))
    }

    /// JS-driven reading: Promise of the body's reader once the headers arrived (`undefined`
    /// when there is nothing to read); rejects with the request's error.
    pub fn open(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let r = poll_fn(|cx| match inner.try_borrow_mut() {
                Ok(mut s) => s.poll_open(cx),
                Err(_) => Poll::Ready(Err(Error::stream("the stream is busy (re-entrant call)"))),
            })
            .await;
            match r {
                Ok(Some(reader)) => Ok(reader.into()),
                Ok(None) => Ok(JsValue::UNDEFINED),
                Err(e) => Err(to_js(&e)),
            }
        })
    }

    /// JS-driven reading: one chunk in; the JSON array of the events it completed, or
    /// `undefined`.
    pub fn feed(&self, chunk: &Uint8Array) -> Result<Option<String>, JsValue> {
        let mut buf = self.chunk.borrow_mut();
        let fed = match super::parser::copy_chunk(chunk, &mut buf) {
            Ok(bytes) => self.with(|s| s.feed_batch(bytes))?,
            Err(e) => self.with(|s| s.fail_with(e))?,
        };
        super::parser::release(&mut buf);
        fed.map_err(|e| to_js(&e))
    }

    /// JS-driven reading: the body ended (no argument) or a read failed (its reason):
    /// `undefined` at the normal end, else throws the stream's error.
    pub fn end(&self, error: Option<JsValue>) -> Result<Option<String>, JsValue> {
        self.with(|s| s.end_batch(error))?.map_err(|e| to_js(&e))
    }

    /// JS-driven reading: a read of the body starts (the idle timeout runs while it waits).
    pub fn wait(&self) {
        let _ = self.with(|s| s.wait_read());
    }

    /// JS-driven reading: true when no more chunks are needed (then call `close`).
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.with(|s| s.is_finished()).unwrap_or(true)
    }

    /// JS-driven reading: stop reading (cancels an unfinished body).
    pub fn close(&self) {
        let _ = self.with(|s| s.close());
    }

    /// Folds the next taken event into the snapshot; throws when it ends the stream in error.
    pub fn step(&self) -> Result<(), JsValue> {
        self.with(|s| s.apply_next())?.map_err(|e| to_js(&e))
    }

    /// JS-driven reading: the body yielded a chunk that is not a Uint8Array (throws the
    /// StreamError).
    pub fn bad_chunk(&self) -> Result<Option<String>, JsValue> {
        self.with(|s| s.bad_chunk())?.map_err(|e| to_js(&e))
    }

    /// Aborts the request (works while a read is pending, or while waiting for the headers
    /// from a `fetch` that ignores the signal) and lets go of the body (cancelled, lock
    /// released).
    pub fn abort(&self) {
        self.cancel.abort();
        let _ = self.with(|s| s.close());
    }

    /// Changes whenever the snapshot changes.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        self.with(|s| s.version() as f64).unwrap_or(-1.0)
    }

    /// The snapshot as JSON text, or `undefined` before the first lifecycle event.
    pub fn snapshot(&self) -> Option<String> {
        self.with(|s| s.snapshot_json()).ok().flatten()
    }

    /// The final Response as JSON text once the stream ended normally.
    pub fn final_response(&self) -> Option<String> {
        self.with(|s| s.final_response_json()).ok().flatten()
    }
}

/// The raw accumulator; pkg/api.js wraps it as `ResponseAccumulator`.
#[wasm_bindgen]
pub struct RawAccumulator {
    acc: Accumulator,
}

#[wasm_bindgen]
impl RawAccumulator {
    /// A fresh accumulator.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawAccumulator {
        RawAccumulator { acc: Accumulator::new() }
    }

    /// Folds one event (its JSON text) into the snapshot.
    pub fn push(&mut self, event_json: &str) -> Result<(), JsValue> {
        let ev = ResponseEvent::from_json(event_json).map_err(|e| to_js(&e))?;
        self.acc.push(&ev);
        Ok(())
    }

    /// Changes whenever the snapshot changes.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        self.acc.version() as f64
    }

    /// The snapshot as JSON text (with `output_text`), or `undefined`.
    pub fn snapshot(&self) -> Option<String> {
        self.acc.response_json()
    }
}

impl Default for RawAccumulator {
    fn default() -> Self {
        Self::new()
    }
}
