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
use super::transport::Io;
use crate::call::{Call, Output, Overrides};
use crate::endpoint::{Config, FileListQuery, ListQuery, Operation, Query};
use crate::error::Error;
use crate::redact::{HeaderNames, Hidden};
use crate::stream::StreamState;

pub use crate::endpoint::{DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS};

/// Options of a [`Client`] (none is sent to the server as is).
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// Sent as `Authorization: Bearer …`; omit behind a proxy that adds it.
    pub api_key: Option<String>,
    /// Default `https://api.cometapi.com/v1`; must be an absolute http(s) URL.
    pub base_url: Option<String>,
    /// A `fetch` to use instead of `globalThis.fetch` (called with a `Request`).
    pub fetch: Option<Function>,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Retries after the first attempt (default 2): 408, 409, 429, 5xx, timeouts and connection
    /// errors, before a stream's first byte.
    pub max_retries: Option<u32>,
    /// Per-attempt timeout in ms (default 600 000): until the headers, then between chunks.
    pub timeout_ms: Option<u64>,
    /// The largest event a stream takes, in bytes (default, and for 0: 16 MiB); a larger one
    /// ends the stream with [`Error::Stream`].
    pub max_event_size: Option<usize>,
}

/// Without the key and the headers' values (any may be a token).
impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &self.api_key.as_ref().map(|_| Hidden))
            .field("base_url", &self.base_url)
            .field("fetch", &self.fetch)
            .field("headers", &HeaderNames(&self.headers))
            .field("max_retries", &self.max_retries)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_event_size", &self.max_event_size)
            .finish()
    }
}

impl ClientOptions {
    /// Options from a JS object `{ apiKey, baseURL, headers, maxRetries, timeout, maxEventSize, fetch }` (what
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
            max_event_size: Option<usize>,
            #[serde(default, with = "serde_wasm_bindgen::preserve")]
            fetch: JsValue,
        }
        let o: Js =
            serde_wasm_bindgen::from_value(options.clone()).map_err(|e| Error::validation("options", e.to_string()))?;
        let invalid = || Error::validation("timeout", "timeout must be a non-negative number of ms");
        let timeout_ms = o.timeout.map(|t| crate::endpoint::timeout_ms(t).ok_or_else(invalid)).transpose()?;
        // `fetch`: a function, or none (undefined, null): the JS client's rule.
        let fetch = match o.fetch.dyn_into::<js_sys::Function>() {
            Ok(f) => Some(f),
            Err(v) if v.is_undefined() || v.is_null() => None,
            Err(_) => return Err(Error::validation("fetch", "fetch must be a function")),
        };
        Ok(ClientOptions {
            api_key: o.api_key,
            base_url: o.base_url,
            fetch,
            headers: o.headers.into_iter().collect(),
            max_retries: o.max_retries,
            timeout_ms,
            max_event_size: o.max_event_size,
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

/// An operation, the ids of its path, its query and its body ([`Config::request`]).
type Req<'a> = (Operation, &'a [&'a str], &'a Query, Option<&'a str>);

/// A Responses API client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    config: Result<Rc<Config>, Error>,
    fetch: Option<Function>,
}

impl Client {
    /// A client with these options. An invalid base URL makes every call fail with its
    /// [`Error::Validation`] (see [`try_new`](Self::try_new) to get it at once).
    pub fn new(options: ClientOptions) -> Client {
        let ClientOptions { api_key, base_url, fetch, headers, max_retries, timeout_ms, max_event_size } = options;
        let config = Config::new(base_url.as_deref(), api_key.as_deref(), headers, max_retries, timeout_ms);
        let config = config.map(|c| Rc::new(Config { max_event_size: max_event_size.filter(|&n| n > 0), ..c }));
        Client { config, fetch }
    }

    /// A client with these options, or the [`Error::Validation`] of an invalid base URL.
    pub fn try_new(options: ClientOptions) -> Result<Client, Error> {
        let c = Client::new(options);
        c.config.clone().map(|_| c)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.config.as_ref().map_or("", |c| c.base_url.as_str())
    }

    /// The call of `op` ([`Config::request`], [`Call::of`]) and its I/O; `hide`: a stream's
    /// events through this sequence number are folded, not yielded.
    fn start(
        &self,
        (op, ids, query, body): Req<'_>,
        opts: RequestOptions,
        hide: Option<u64>,
    ) -> Result<(Call, Io), Error> {
        let config = self.config.as_ref().map_err(Clone::clone)?;
        let built = config.request(op, ids, query, body, &opts.headers)?;
        let o = Overrides { timeout_ms: opts.timeout_ms, max_retries: opts.max_retries, hide_through: hide };
        let call = Call::of(config, built, o, Output::Values, config.redactor.clone());
        Ok((call, Io::new(self.fetch.clone(), opts.signal)))
    }

    /// Runs any operation but a stream to its end (`form`: sent as the body instead of the
    /// core's); the call and its I/O.
    async fn run(&self, req: Req<'_>, opts: RequestOptions, form: Option<JsValue>) -> Result<(Call, Io), Error> {
        let (call, mut io) = self.start(req, opts, None)?;
        io.send_body = form;
        let (call, io) = (RefCell::new(call), RefCell::new(io));
        Io::step(&call, &io).await; // to the end: no stream hands out events before it
        let c = call.into_inner();
        c.error().cloned().map_or_else(|| Ok((c, io.into_inner())), Err)
    }

    /// Runs an operation whose answer is JSON: the answer (a Response has `output_text`).
    async fn json(&self, req: Req<'_>, opts: RequestOptions) -> Result<Value, Error> {
        json_answer(self.run(req, opts, None).await?.0)
    }

    /// `POST /responses` (non-streaming): the Response, with `output_text`. Params are
    /// validated before anything is sent.
    pub async fn create(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::Create, &[], &Query::NONE, Some(&to_json(params)?)), opts).await
    }

    /// `POST /responses` with `stream: true`. Validation errors come back at once; the request
    /// starts on the first poll.
    pub fn stream(&self, params: &impl Serialize, opts: RequestOptions) -> Result<EventStream, Error> {
        self.start((Operation::Stream, &[], &Query::NONE, Some(&to_json(params)?)), opts, None).map(EventStream::new)
    }

    /// `GET /responses/{id}`: the Response, with `output_text`.
    pub async fn retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::Retrieve, &[id], &Query::NONE, None), opts).await
    }

    /// `GET /responses/{id}?stream=true`: a background response's events. With
    /// `starting_after`, only the events after that sequence number are yielded, but the
    /// snapshot is the whole response (every event is folded).
    pub fn retrieve_stream(&self, id: &str, starting_after: Option<u64>, opts: RequestOptions) -> EventStream {
        self.start((Operation::RetrieveStream, &[id], &Query::NONE, None), opts, starting_after)
            .map_or_else(EventStream::failed, EventStream::new)
    }

    /// `POST /responses/{id}/cancel` (background responses).
    pub async fn cancel(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::Cancel, &[id], &Query::NONE, None), opts).await
    }

    /// `DELETE /responses/{id}`: `{ id, object, deleted }`.
    pub async fn delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::Delete, &[id], &Query::NONE, None), opts).await
    }

    /// `GET /responses/{id}/input_items`: `{ data, first_id, last_id, has_more }`.
    pub async fn input_items(&self, id: &str, query: &InputItemsQuery, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::InputItems, &[id], query, None), opts).await
    }

    /// `POST /responses/compact` (params sent as given): the compaction.
    pub async fn compact(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::Compact, &[], &Query::NONE, Some(&to_json(params)?)), opts).await
    }

    /// `POST /responses/input_tokens` (params sent as given): `{ object, input_tokens }`.
    pub async fn count_input_tokens(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::CountInputTokens, &[], &Query::NONE, Some(&to_json(params)?)), opts).await
    }

    /// `POST /conversations` (`{ items?, metadata? }`).
    pub async fn conversation_create(&self, params: Option<&Value>, opts: RequestOptions) -> Result<Value, Error> {
        let body = params.map(to_json).transpose()?;
        self.json((Operation::ConversationCreate, &[], &Query::NONE, body.as_deref()), opts).await
    }

    /// `GET /conversations/{id}`.
    pub async fn conversation_retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::ConversationRetrieve, &[id], &Query::NONE, None), opts).await
    }

    /// `POST /conversations/{id}` (`{ metadata }`).
    pub async fn conversation_update(&self, id: &str, params: &Value, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::ConversationUpdate, &[id], &Query::NONE, Some(&to_json(params)?)), opts).await
    }

    /// `DELETE /conversations/{id}`.
    pub async fn conversation_delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::ConversationDelete, &[id], &Query::NONE, None), opts).await
    }

    /// `POST /conversations/{id}/items` (`{ items }`), `include` in the query.
    pub async fn conversation_items_create(
        &self,
        id: &str,
        params: &Value,
        include: &[String],
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let query = Query { include: include.to_vec(), ..Query::NONE };
        self.json((Operation::ConversationItemsCreate, &[id], &query, Some(&to_json(params)?)), opts).await
    }

    /// `GET /conversations/{id}/items`.
    pub async fn conversation_items_list(
        &self,
        id: &str,
        query: &ListQuery,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        self.json((Operation::ConversationItemsList, &[id], query, None), opts).await
    }

    /// `GET /conversations/{id}/items/{item_id}`.
    pub async fn conversation_item_retrieve(
        &self,
        id: &str,
        item_id: &str,
        include: &[String],
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        let query = Query { include: include.to_vec(), ..Query::NONE };
        self.json((Operation::ConversationItemRetrieve, &[id, item_id], &query, None), opts).await
    }

    /// `DELETE /conversations/{id}/items/{item_id}`.
    pub async fn conversation_item_delete(
        &self,
        id: &str,
        item_id: &str,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        self.json((Operation::ConversationItemDelete, &[id, item_id], &Query::NONE, None), opts).await
    }

    /// `POST /files`: `file` sent as multipart/form-data with `purpose`, its type and filename as
    /// the npm package's `files.create` gives them (the Blob's type, else sniffed from its first
    /// bytes; a `File`'s name, else `filename`, else `file.<ext>`). The File object.
    pub async fn file_create(
        &self,
        file: &web_sys::Blob,
        filename: Option<&str>,
        purpose: &str,
        opts: RequestOptions,
    ) -> Result<Value, Error> {
        use crate::input::{attachment, Declared, Kind, SNIFF_BYTES};
        let failed = |e| Error::Connection { message: super::transport::message(&e) };
        // The MIME type and the filename by the rules of js/input.js: the Blob's type, else
        // sniffed from its first bytes; a File's name, else `filename`, else `file.<ext>`.
        let head = file.slice_with_i32_and_i32(0, SNIFF_BYTES as i32).map(|b| b.array_buffer()).map_err(failed)?;
        let head = js_sys::Uint8Array::new(&wasm_bindgen_futures::JsFuture::from(head).await.map_err(failed)?).to_vec();
        let (source_type, source_name) = (file.type_(), file.dyn_ref::<web_sys::File>().map(web_sys::File::name));
        let declared = Declared {
            source_type: Some(&source_type),
            source_name: source_name.as_deref(),
            filename,
            ..Declared::default()
        };
        let found = attachment(Kind::File, file.size() as u64, u64::MAX, &declared, &head)?;
        let typed = if source_type.is_empty() {
            let bag = web_sys::BlobPropertyBag::new();
            bag.set_type(&found.mime);
            web_sys::Blob::new_with_blob_sequence_and_options(&js_sys::Array::of1(file), &bag).map_err(failed)?
        } else {
            file.clone()
        };
        let name = found.filename.unwrap_or_default();
        let form = web_sys::FormData::new().map_err(failed)?;
        form.append_with_str("purpose", purpose)
            .and_then(|()| form.append_with_blob_and_filename("file", &typed, &name))
            .map_err(failed)?;
        let fields = serde_json::json!({ "purpose": purpose }).to_string();
        json_answer(
            self.run((Operation::FileCreate, &[], &Query::NONE, Some(&fields)), opts, Some(form.into())).await?.0,
        )
    }

    /// `GET /files/{id}`.
    pub async fn file_retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::FileRetrieve, &[id], &Query::NONE, None), opts).await
    }

    /// `GET /files`.
    pub async fn file_list(&self, query: &FileListQuery, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::FileList, &[], query, None), opts).await
    }

    /// `DELETE /files/{id}`.
    pub async fn file_delete(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        self.json((Operation::FileDelete, &[id], &Query::NONE, None), opts).await
    }

    /// `GET /files/{id}/content`: the HTTP response, its body unread (errors are read, retried
    /// and returned as for every call).
    pub async fn file_content(&self, id: &str, opts: RequestOptions) -> Result<web_sys::Response, Error> {
        let (_, mut io) = self.run((Operation::FileContent, &[id], &Query::NONE, None), opts, None).await?;
        io.response.take().ok_or_else(|| Error::stream("the call ended without a response"))
    }
}

/// A JSON answer as a value (a Response with its `output_text`), parsed once by the call.
fn json_answer(mut call: Call) -> Result<Value, Error> {
    call.take_value().unwrap_or_else(|| Err(Error::stream("the call ended without an answer")))
}

/// Parses any `ReadableStream` of SSE bytes (e.g. from your own proxy) as a Responses stream.
pub fn stream_from_readable_stream(body: web_sys::ReadableStream) -> EventStream {
    let mut call = Call::reading(StreamState::entries(None));
    let io = Io::reading(&body, &mut call);
    EventStream::new((call, io))
}

fn to_json(params: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(params).map_err(|e| Error::validation("params", e.to_string()))
}
