//! [`Client`]: the Responses API for Rust/wasm apps (Leptos, Yew, workers-rs …), on the same core
//! as the npm package: the core builds every request and decides every answer; this module runs
//! the I/O (see `transport.rs`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), cometapi_responses::Error> {
//! use cometapi_responses::wasm::{Client, ClientOptions, RequestOptions};
//! use serde_json::json;
//!
//! let client = Client::new(ClientOptions { api_key: Some("sk-…".into()), ..Default::default() });
//! let mut stream = client.stream(&json!({ "model": "gpt-5.4", "input": "Hi!" }), RequestOptions::default())?;
//! while let Some(event) = stream.next_event().await {
//!     let event = event?;
//!     if event.event_type() == "response.output_text.delta" {
//!         // event.json() is the event exactly as the server sent it
//!     }
//! }
//! let response = stream.final_response().await?; // serde_json::Value, with output_text
//! # let _ = response; Ok(()) }
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use super::stream::EventStream;
use super::transport::{AbortState, Io};
use crate::call::Call;
use crate::endpoint::{Answer, Config, FileListQuery, HttpRequest, ListQuery};
use crate::error::Error;
use crate::redact::Redactor;
use crate::stream::StreamState;

pub use crate::endpoint::{DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS};

/// Options of a [`Client`] (none is sent to the server as is).
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Sent as `Authorization: Bearer …`; omit behind a proxy that adds it.
    pub api_key: Option<String>,
    /// Default `https://api.cometapi.com/v1`; must be an absolute http(s) URL.
    pub base_url: Option<String>,
    /// A `fetch` to use instead of `globalThis.fetch` (called with a `Request`).
    pub fetch: Option<Function>,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Retries after the first attempt (default 2).
    pub max_retries: Option<u32>,
    /// Per-attempt timeout in ms (default 600 000): until the headers, then between chunks.
    pub timeout_ms: Option<u64>,
}

impl ClientOptions {
    /// Options from a JS object `{ apiKey, baseURL, headers, maxRetries, timeout, fetch }` (what
    /// a Rust/wasm app receives from its page), read with serde-wasm-bindgen.
    pub fn from_js(options: &JsValue) -> Result<ClientOptions, Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Js {
            api_key: Option<String>,
            #[serde(rename = "baseURL")]
            base_url: Option<String>,
            #[serde(default)]
            headers: std::collections::BTreeMap<String, String>,
            max_retries: Option<u32>,
            timeout: Option<f64>,
            #[serde(default, with = "serde_wasm_bindgen::preserve")]
            fetch: JsValue,
        }
        let o: Js =
            serde_wasm_bindgen::from_value(options.clone()).map_err(|e| Error::validation("options", e.to_string()))?;
        let fetch = o.fetch.dyn_into::<Function>().ok();
        let timeout_ms = match o.timeout {
            Some(t) if t.is_finite() && t >= 0.0 => Some(t as u64),
            Some(_) => return Err(Error::validation("timeout", "timeout must be a non-negative number of ms")),
            None => None,
        };
        Ok(ClientOptions {
            api_key: o.api_key,
            base_url: o.base_url,
            fetch,
            headers: o.headers.into_iter().collect(),
            max_retries: o.max_retries,
            timeout_ms,
        })
    }
}

/// Per-request options.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Aborts the request (and its stream).
    pub signal: Option<AbortSignal>,
    /// Overrides the client's timeout.
    pub timeout_ms: Option<u64>,
    /// Overrides the client's retries.
    pub max_retries: Option<u32>,
    /// Extra headers (they win over the client's).
    pub headers: Vec<(String, String)>,
}

/// Query of [`Client::input_items`] and [`Client::conversation_items_list`].
pub type InputItemsQuery = ListQuery;

struct Shared {
    config: Result<Rc<Config>, Error>,
    fetch: Option<Function>,
    redactor: Option<Rc<Redactor>>,
}

/// A Responses API client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    shared: Rc<Shared>,
}

impl Client {
    /// A client with these options. An invalid base URL makes every call fail with its
    /// [`Error::Validation`] (see [`try_new`](Self::try_new) to get it at once).
    pub fn new(options: ClientOptions) -> Client {
        let fetch = options.fetch.clone();
        let config = Config::new(
            options.base_url.as_deref(),
            options.api_key.as_deref(),
            options.headers,
            options.max_retries,
            options.timeout_ms,
        );
        let redactor = config.as_ref().ok().and_then(|c| c.api_key.as_deref()).and_then(Redactor::new).map(Rc::new);
        Client { shared: Rc::new(Shared { config: config.map(Rc::new), fetch, redactor }) }
    }

    /// A client with these options, or the [`Error::Validation`] of an invalid base URL.
    pub fn try_new(options: ClientOptions) -> Result<Client, Error> {
        let c = Client::new(options);
        c.config()?;
        Ok(c)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.shared.config.as_ref().map_or("", |c| c.base_url.as_str())
    }

    fn config(&self) -> Result<&Rc<Config>, Error> {
        self.shared.config.as_ref().map_err(Clone::clone)
    }

    fn call(
        &self,
        opts: &RequestOptions,
        build: impl FnOnce(&Config) -> Result<HttpRequest, Error>,
    ) -> Result<Call, Error> {
        let config = self.config()?;
        let request = build(config)?;
        let timeout = opts.timeout_ms.unwrap_or(config.timeout_ms);
        let retries = opts.max_retries.unwrap_or(config.max_retries);
        Ok(Call::new(request, timeout, retries, self.shared.redactor.clone()))
    }

    /// Runs a call to its end (`send_body`: sent instead of the core's body); the call and its I/O.
    async fn run(
        &self,
        opts: RequestOptions,
        build: impl FnOnce(&Config) -> Result<HttpRequest, Error>,
        send_body: Option<JsValue>,
    ) -> Result<(Call, Io), Error> {
        let call = RefCell::new(self.call(&opts, build)?);
        let mut io = Io::new(self.shared.fetch.clone(), AbortState::new(opts.signal));
        io.send_body = send_body;
        let io = RefCell::new(io);
        while call.borrow().action() != crate::call::Action::Done {
            Io::step(&call, &io).await;
        }
        let c = call.into_inner();
        match c.error() {
            Some(e) => Err(e.clone()),
            None => Ok((c, io.into_inner())),
        }
    }

    /// Runs a JSON call to its end: the answer as JSON text.
    async fn run_json(
        &self,
        opts: RequestOptions,
        build: impl FnOnce(&Config) -> Result<HttpRequest, Error>,
    ) -> Result<String, Error> {
        self.run_json_with(opts, build, None).await
    }

    async fn run_json_with(
        &self,
        opts: RequestOptions,
        build: impl FnOnce(&Config) -> Result<HttpRequest, Error>,
        send_body: Option<JsValue>,
    ) -> Result<String, Error> {
        let (mut c, _) = self.run(opts, build, send_body).await?;
        let response = matches!(c.request().answer, Answer::Json { output_text: true });
        let text = c.take_json().ok_or_else(|| Error::stream("the call ended without an answer"))?;
        if response {
            crate::accumulate::with_output_text(&text)
        } else {
            Ok(text)
        }
    }

    /// The stream of `call` (resumable when the response runs in the background).
    fn stream_of(&self, call: Call, signal: Option<AbortSignal>, stream: StreamState) -> EventStream {
        let call = match (&call.request().answer, self.config()) {
            (Answer::Stream { background: true }, Ok(config)) => call.resumable(config.clone()),
            _ => call,
        };
        EventStream::new(call.with_stream(stream), Io::new(self.shared.fetch.clone(), AbortState::new(signal)))
    }

    /// `POST /responses` (non-streaming), params as JSON text; the Response as JSON text with
    /// `output_text` set. Params are validated before anything is sent.
    pub async fn create_json(&self, params_json: &str, opts: RequestOptions) -> Result<String, Error> {
        let extra = opts.headers.clone();
        self.run_json(opts, |c| c.create(params_json, &extra)).await
    }

    /// `POST /responses` (non-streaming): the Response, with `output_text`.
    pub async fn create(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.create_json(&to_json(params)?, opts).await?)
    }

    /// `POST /responses` with `stream: true`, params as JSON text. Validation errors come back
    /// at once; the request starts on the first poll.
    pub fn stream_json(&self, params_json: &str, opts: RequestOptions) -> Result<EventStream, Error> {
        let extra = opts.headers.clone();
        let mut json_schema = false;
        let call = self.call(&opts, |c| {
            c.stream_structured(params_json, &extra).map(|(request, j)| {
                json_schema = j;
                request
            })
        })?;
        let mut stream = StreamState::entries(None);
        if json_schema {
            stream.parse_output(); // EventStream::partial_parsed
        }
        Ok(self.stream_of(call, opts.signal, stream))
    }

    /// `POST /responses` with `stream: true`.
    pub fn stream(&self, params: &impl Serialize, opts: RequestOptions) -> Result<EventStream, Error> {
        self.stream_json(&to_json(params)?, opts)
    }

    /// `GET /responses/{id}` as JSON text (with `output_text`).
    pub async fn retrieve_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        let extra = opts.headers.clone();
        self.run_json(opts, |c| c.retrieve(id, &extra)).await
    }

    /// `GET /responses/{id}`.
    pub async fn retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.retrieve_json(id, opts).await?)
    }

    /// `GET /responses/{id}?stream=true`: a background response's events. With
    /// `starting_after`, only the events after that sequence number are yielded, but the
    /// snapshot is the whole response (every event is folded).
    pub fn retrieve_stream(&self, id: &str, starting_after: Option<u64>, opts: RequestOptions) -> EventStream {
        let extra = opts.headers.clone();
        let mut stream = StreamState::entries(None);
        if let Some(n) = starting_after {
            stream.hide_through(n);
        }
        match self.call(&opts, |c| c.retrieve_stream(id, None, &extra)) {
            Ok(call) => self.stream_of(call, opts.signal, stream),
            Err(e) => EventStream::failed(e),
        }
    }

    /// `POST /responses/{id}/cancel` (background responses) as JSON text.
    pub async fn cancel_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        let extra = opts.headers.clone();
        self.run_json(opts, |c| c.cancel(id, &extra)).await
    }

    /// `POST /responses/{id}/cancel`.
    pub async fn cancel(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.cancel_json(id, opts).await?)
    }

    /// `DELETE /responses/{id}` as JSON text (`{ id, object, deleted }`).
    pub async fn delete_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        let extra = opts.headers.clone();
        self.run_json(opts, |c| c.delete(id, &extra)).await
    }

    /// `DELETE /responses/{id}`.
    pub async fn delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.delete_json(id, opts).await?)
    }

    /// `GET /responses/{id}/input_items` as JSON text (`{ data, first_id, last_id, has_more }`).
    pub async fn input_items_json(
        &self,
        id: &str,
        query: &InputItemsQuery,
        opts: RequestOptions,
    ) -> Result<String, Error> {
        let extra = opts.headers.clone();
        self.run_json(opts, |c| c.input_items(id, query, &extra)).await
    }

    /// `GET /responses/{id}/input_items`.
    pub async fn input_items(&self, id: &str, query: &InputItemsQuery, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.input_items_json(id, query, opts).await?)
    }

    /// `POST /responses/compact` (params sent as given): the compaction.
    pub async fn compact(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        let (body, extra) = (to_json(params)?, opts.headers.clone());
        parse(&self.run_json(opts, |c| c.compact(&body, &extra)).await?)
    }

    /// `POST /responses/input_tokens` (params sent as given): `{ object, input_tokens }`.
    pub async fn count_input_tokens(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        let (body, extra) = (to_json(params)?, opts.headers.clone());
        parse(&self.run_json(opts, |c| c.count_input_tokens(&body, &extra)).await?)
    }

    /// `POST /conversations` (`{ items?, metadata? }`).
    pub async fn conversation_create(&self, params: Option<&Value>, opts: RequestOptions) -> Result<Value, Error> {
        let body = params.map(to_json).transpose()?;
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_create(body.as_deref(), &extra)).await?)
    }

    /// `GET /conversations/{id}`.
    pub async fn conversation_retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_retrieve(id, &extra)).await?)
    }

    /// `POST /conversations/{id}` (`{ metadata }`).
    pub async fn conversation_update(&self, id: &str, params: &Value, opts: RequestOptions) -> Result<Value, Error> {
        let (body, extra) = (to_json(params)?, opts.headers.clone());
        parse(&self.run_json(opts, |c| c.conversation_update(id, &body, &extra)).await?)
    }

    /// `DELETE /conversations/{id}`.
    pub async fn conversation_delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_delete(id, &extra)).await?)
    }

    /// `POST /conversations/{id}/items` (`{ items }`), `include` in the query.
    pub async fn conversation_items_create(
        &self,
        id: &str,
        params: &Value,
        include: &[String],
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let (body, extra) = (to_json(params)?, opts.headers.clone());
        parse(&self.run_json(opts, |c| c.conversation_items_create(id, &body, include, &extra)).await?)
    }

    /// `GET /conversations/{id}/items`.
    pub async fn conversation_items_list(
        &self,
        id: &str,
        query: &ListQuery,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_items_list(id, query, &extra)).await?)
    }

    /// `GET /conversations/{id}/items/{item_id}`.
    pub async fn conversation_item_retrieve(
        &self,
        id: &str,
        item_id: &str,
        include: &[String],
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_item_retrieve(id, item_id, include, &extra)).await?)
    }

    /// `DELETE /conversations/{id}/items/{item_id}`.
    pub async fn conversation_item_delete(
        &self,
        id: &str,
        item_id: &str,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.conversation_item_delete(id, item_id, &extra)).await?)
    }
}

impl Client {
    /// `POST /files`: `file` sent as multipart/form-data with `purpose`; its filename is
    /// `filename`, else `file.<ext>` from the Blob's type. The File object.
    pub async fn file_create(
        &self,
        file: &web_sys::Blob,
        filename: Option<&str>,
        purpose: &str,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let name = filename.map_or_else(|| format!("file.{}", crate::input::extension(&file.type_())), str::to_owned);
        let form = web_sys::FormData::new().map_err(|e| Error::Connection { message: super::sys::message(&e) })?;
        form.append_with_str("purpose", purpose)
            .and_then(|()| form.append_with_blob_and_filename("file", file, &name))
            .map_err(|e| Error::Connection { message: super::sys::message(&e) })?;
        let extra = opts.headers.clone();
        parse(&self.run_json_with(opts, |c| c.file_create(purpose, &extra), Some(form.into())).await?)
    }

    /// `GET /files/{id}`.
    pub async fn file_retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.file_retrieve(id, &extra)).await?)
    }

    /// `GET /files`.
    pub async fn file_list(&self, query: &FileListQuery, opts: RequestOptions) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.file_list(query, &extra)).await?)
    }

    /// `DELETE /files/{id}`.
    pub async fn file_delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        let extra = opts.headers.clone();
        parse(&self.run_json(opts, |c| c.file_delete(id, &extra)).await?)
    }

    /// `GET /files/{id}/content`: the HTTP response, its body unread (errors are read, retried
    /// and returned as for every call).
    pub async fn file_content(&self, id: &str, opts: RequestOptions) -> Result<web_sys::Response, Error> {
        let extra = opts.headers.clone();
        let (_, mut io) = self.run(opts, |c| c.file_content(id, &extra), None).await?;
        io.response.take().ok_or_else(|| Error::stream("the call ended without a response"))
    }
}

/// Parses any `ReadableStream` of SSE bytes (e.g. from your own proxy) as a Responses stream.
pub fn stream_from_readable_stream(body: web_sys::ReadableStream) -> EventStream {
    match Io::reading(body) {
        Ok(io) => EventStream::new(Call::reading(StreamState::entries(None)), io),
        Err(e) => EventStream::failed(Error::stream(e)),
    }
}

fn to_json(params: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(params).map_err(|e| Error::validation("params", e.to_string()))
}

/// A JSON answer as `JSON.parse` reads it (a lone surrogate escape becomes U+FFFD: a Rust string
/// cannot hold it).
fn parse(text: &str) -> Result<Value, Error> {
    crate::event::lenient::parse_value(text).map_err(|e| Error::stream(format!("the response is not JSON: {e}")))
}
