//! [`Client`]: the Responses API from Rust/wasm code (Leptos, Yew, workers-rs …). The JS
//! `ResponsesClient` is a thin layer over it.
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

use std::rc::Rc;

use js_sys::Function;
use serde::Serialize;
use serde_json::Value;

use super::stream::EventStream;
use super::sys::AbortSignal;
use super::transport::{self, Body, BodyLimit, Cancel, Endpoint, HttpRequest};
use crate::accumulate;
use crate::error::Error;
use crate::http;
use crate::redact::Redactor;
use crate::request;

/// Default retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default per-attempt timeout (10 minutes).
pub const DEFAULT_TIMEOUT_MS: u64 = 600_000;
/// JSON bodies (non-streaming answers) are read up to this size.
const MAX_JSON_BODY: usize = 256 * 1024 * 1024;

/// Options of a [`Client`] (none is sent to the server as is).
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Sent as `Authorization: Bearer …`; omit behind a proxy that adds it.
    pub api_key: Option<String>,
    /// Default `https://api.cometapi.com/v1`.
    pub base_url: Option<String>,
    /// A `fetch` to use instead of `globalThis.fetch`.
    pub fetch: Option<Function>,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Retries after the first attempt (default 2).
    pub max_retries: Option<u32>,
    /// Per-attempt timeout in ms (default 600 000): until the headers, then between chunks.
    pub timeout_ms: Option<u64>,
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

/// Query of [`Client::input_items`].
#[derive(Clone, Debug, Default)]
pub struct InputItemsQuery {
    /// List items after this item id.
    pub after: Option<String>,
    /// Page size (1–100).
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Extra fields to include.
    pub include: Vec<String>,
}

struct Config {
    endpoint: Endpoint,
    base_url: String,
    max_retries: u32,
    timeout_ms: u64,
}

/// A Responses API client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    config: Rc<Config>,
}

impl Client {
    /// A client with these options.
    pub fn new(options: ClientOptions) -> Client {
        let mut headers = Vec::new();
        let secret = options.api_key.filter(|k| !k.is_empty());
        let redactor = secret.as_deref().and_then(Redactor::new).map(Rc::new);
        if let Some(key) = &secret {
            headers.push(("authorization".to_owned(), format!("Bearer {key}")));
        }
        headers.extend(options.headers);
        Client {
            config: Rc::new(Config {
                endpoint: Endpoint { fetch: options.fetch, headers, redactor },
                base_url: options.base_url.unwrap_or_else(|| http::DEFAULT_BASE_URL.to_owned()),
                max_retries: options.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
                timeout_ms: options.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
            }),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    fn request(
        &self,
        method: &'static str,
        url: String,
        body: Option<String>,
        stream: bool,
        opts: &RequestOptions,
    ) -> HttpRequest {
        HttpRequest {
            method,
            url,
            headers: opts.headers.clone(),
            body,
            timeout_ms: opts.timeout_ms.unwrap_or(self.config.timeout_ms),
            max_retries: opts.max_retries.unwrap_or(self.config.max_retries),
            stream,
        }
    }

    /// Sends a request and reads its whole body as text.
    async fn call_text(&self, req: HttpRequest, opts: RequestOptions) -> Result<String, Error> {
        let cancel = Cancel::new(opts.signal);
        let (resp, attempt) = transport::send(&self.config.endpoint, &req, &cancel).await?;
        let Some(stream) = resp.body() else { return Ok(String::new()) };
        let mut body = Body::new(stream, Some(attempt), cancel)?;
        body.read_to_string(MAX_JSON_BODY, BodyLimit::Fail).await.map_err(|e| match e {
            Error::Connection { message } => Error::Stream {
                message: format!("the connection was lost while reading the response: {message}"),
                response: None,
            },
            other => other,
        })
    }

    /// Sends a request and reads its JSON answer (with `output_text` set when `output_text`).
    /// Every error is redacted: no text of it holds the API key.
    async fn call_json(&self, req: HttpRequest, opts: RequestOptions, output_text: bool) -> Result<String, Error> {
        let result = async {
            let text = self.call_text(req, opts).await?;
            if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
                return Err(Error::stream(format!("the response is not JSON: {}", http::excerpt(&text, 120))));
            }
            if output_text {
                accumulate::with_output_text(&text)
            } else {
                Ok(text)
            }
        }
        .await;
        result.map_err(|mut e| {
            if let Some(r) = &self.config.endpoint.redactor {
                e.redact(r);
            }
            e
        })
    }

    fn start_stream(&self, req: HttpRequest, opts: RequestOptions) -> EventStream {
        let cancel = Cancel::new(opts.signal);
        let (config, c) = (self.config.clone(), cancel.clone());
        let start = Box::pin(async move {
            let (resp, attempt) = transport::send(&config.endpoint, &req, &c).await?;
            match resp.body() {
                Some(stream) => Body::new(stream, Some(attempt), c),
                None => Err(Error::stream("the response has no body")),
            }
        });
        EventStream::starting(start, cancel).with_redactor(self.config.endpoint.redactor.clone())
    }

    /// `POST /responses` (non-streaming), params as JSON text; the Response as JSON text with
    /// `output_text` set. Params are validated before anything is sent.
    pub async fn create_json(&self, params_json: &str, opts: RequestOptions) -> Result<String, Error> {
        let body = request::prepare_body(params_json, false)?;
        let req = self.request("POST", http::responses_url(&self.config.base_url), Some(body), false, &opts);
        self.call_json(req, opts, true).await
    }

    /// `POST /responses` (non-streaming): the Response, with `output_text`.
    pub async fn create(&self, params: &impl Serialize, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.create_json(&to_json(params)?, opts).await?)
    }

    /// `POST /responses` with `stream: true`, params as JSON text. Validation errors come back
    /// at once; the request starts on the first poll.
    pub fn stream_json(&self, params_json: &str, opts: RequestOptions) -> Result<EventStream, Error> {
        let body = request::prepare_body(params_json, true)?;
        let req = self.request("POST", http::responses_url(&self.config.base_url), Some(body), true, &opts);
        Ok(self.start_stream(req, opts))
    }

    /// `POST /responses` with `stream: true`.
    pub fn stream(&self, params: &impl Serialize, opts: RequestOptions) -> Result<EventStream, Error> {
        self.stream_json(&to_json(params)?, opts)
    }

    /// `GET /responses/{id}` as JSON text (with `output_text`).
    pub async fn retrieve_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        http::check_id(id)?;
        let req = self.request("GET", http::response_url(&self.config.base_url, id, ""), None, false, &opts);
        self.call_json(req, opts, true).await
    }

    /// `GET /responses/{id}`.
    pub async fn retrieve(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.retrieve_json(id, opts).await?)
    }

    /// `GET /responses/{id}?stream=true[&starting_after=N]`: resumes a background response's
    /// events after sequence number N.
    pub fn retrieve_stream(&self, id: &str, starting_after: Option<u64>, opts: RequestOptions) -> EventStream {
        if let Err(e) = http::check_id(id) {
            return EventStream::failed(e);
        }
        let mut url = http::response_url(&self.config.base_url, id, "");
        let mut query = vec![("stream", "true".to_owned())];
        if let Some(n) = starting_after {
            query.push(("starting_after", n.to_string()));
        }
        http::push_query(&mut url, &query);
        let req = self.request("GET", url, None, true, &opts);
        let stream = self.start_stream(req, opts);
        if starting_after.is_some() {
            stream.resumed()
        } else {
            stream
        }
    }

    /// `POST /responses/{id}/cancel` (background responses) as JSON text.
    pub async fn cancel_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        http::check_id(id)?;
        let req = self.request("POST", http::response_url(&self.config.base_url, id, "/cancel"), None, false, &opts);
        self.call_json(req, opts, true).await
    }

    /// `POST /responses/{id}/cancel`.
    pub async fn cancel(&self, id: &str, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.cancel_json(id, opts).await?)
    }

    /// `DELETE /responses/{id}` as JSON text (`{ id, object, deleted }`).
    pub async fn delete_json(&self, id: &str, opts: RequestOptions) -> Result<String, Error> {
        http::check_id(id)?;
        let req = self.request("DELETE", http::response_url(&self.config.base_url, id, ""), None, false, &opts);
        self.call_json(req, opts, false).await
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
        http::check_id(id)?;
        let mut url = http::response_url(&self.config.base_url, id, "/input_items");
        let mut pairs = Vec::new();
        if let Some(a) = &query.after {
            pairs.push(("after", a.clone()));
        }
        if let Some(l) = query.limit {
            if !(1..=100).contains(&l) {
                return Err(Error::validation("limit", format!("limit must be an integer from 1 to 100, got {l}")));
            }
            pairs.push(("limit", l.to_string()));
        }
        if let Some(o) = &query.order {
            if o != "asc" && o != "desc" {
                return Err(Error::validation(
                    "order",
                    format!("order must be \"asc\" or \"desc\", got {}", serde_json::Value::from(o.as_str())),
                ));
            }
            pairs.push(("order", o.clone()));
        }
        for inc in &query.include {
            pairs.push(("include[]", inc.clone()));
        }
        http::push_query(&mut url, &pairs);
        let req = self.request("GET", url, None, false, &opts);
        self.call_json(req, opts, false).await
    }

    /// `GET /responses/{id}/input_items`.
    pub async fn input_items(&self, id: &str, query: &InputItemsQuery, opts: RequestOptions) -> Result<Value, Error> {
        parse(&self.input_items_json(id, query, opts).await?)
    }
}

/// Parses any `ReadableStream` of SSE bytes (e.g. from your own proxy) as a Responses stream.
pub fn stream_from_readable_stream(body: super::sys::ReadableStream) -> EventStream {
    let cancel = Cancel::new(None);
    match Body::new(body, None, cancel.clone()) {
        Ok(body) => EventStream::reading(body, cancel),
        Err(e) => EventStream::failed(e),
    }
}

fn to_json(params: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(params).map_err(|e| Error::validation("params", e.to_string()))
}

fn parse(text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| Error::stream(format!("the response is not JSON: {e}")))
}
