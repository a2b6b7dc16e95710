//! `RawClient`: builds every call of the API from the client's config and the request's
//! options (js/client.js wraps it as `ResponsesClient`).

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::call::RawCall;
use super::options::{file_list_query, headers, list_query, read, timeout_ms, ClientOptions, RequestOptions};
use super::socket::RawSocket;
use crate::answer::WANTED_HEADERS;
use crate::call::Call;
use crate::endpoint::{Answer, Config, HttpRequest};
use crate::error::Error;
use crate::redact::Redactor;
use crate::socket::Socket;
use crate::stream::StreamState;
use crate::wasm::error::to_js;

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

    /// A WebSocket mode socket on `/responses` (js/socket.js runs its connection).
    pub fn socket(&self) -> Result<RawSocket, JsValue> {
        Socket::new(&self.config).map(RawSocket::new).map_err(|e| to_js(&e))
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

    /// `POST /files`: js/client.js sends its `FormData` as the body (the core sets no content type).
    pub fn file_create(&self, purpose: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.file_create(&purpose, h))
    }

    /// `GET /files`.
    pub fn file_list(&self, query: Option<String>, opts: Option<String>) -> Result<RawCall, JsValue> {
        let q = file_list_query(query)?;
        self.call(opts, |c, h| c.file_list(&q, h))
    }

    /// `GET /files/{id}`.
    pub fn file_retrieve(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.file_retrieve(&id, h))
    }

    /// `DELETE /files/{id}`.
    pub fn file_delete(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.file_delete(&id, h))
    }

    /// `GET /files/{id}/content`: done at the headers of a success; js/io.js keeps the Response.
    pub fn file_content(&self, id: String, opts: Option<String>) -> Result<RawCall, JsValue> {
        self.call(opts, |c, h| c.file_content(&id, h))
    }
}

/// The response headers the core reads, in the order `RawCall.headers()` takes their values.
#[wasm_bindgen(js_name = wantedHeaders)]
pub fn wanted_headers() -> Vec<String> {
    WANTED_HEADERS.iter().map(|h| (*h).to_owned()).collect()
}
