//! `RawClient`: runs any operation of the core's table (`call`) with the client's config and the
//! call's options (js/client.js wraps it as `ResponsesClient`).

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::call::RawCall;
use super::options::{headers, integer, max_event_size, object, query, read, string, timeout};
use super::socket::RawSocket;
use crate::call::WANTED_HEADERS;
use crate::call::{Call, Output, Overrides};
use crate::endpoint::{Answer, Body, Config, Operation};
use crate::socket::Socket;
use crate::wasm::error::to_js;

/// The raw client; js/client.js wraps it as `ResponsesClient`.
#[wasm_bindgen]
pub struct RawClient {
    config: Rc<Config>,
}

#[wasm_bindgen]
impl RawClient {
    /// `options`: the JSON of `{ apiKey, baseURL, headers, maxRetries, timeout }` (a TypeError for
    /// wrong types, a ValidationError for a base URL that is not an absolute http(s) URL).
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<String>) -> Result<RawClient, JsValue> {
        let o = read(options)?;
        let (api_key, base_url, h) = (string(&o, "apiKey")?, string(&o, "baseURL")?, object(&o, "headers")?);
        let (max_retries, timeout) = (integer(&o, "maxRetries")?, timeout(&o, "timeout")?);
        let mut config =
            Config::new(base_url.as_deref(), api_key.as_deref(), headers(h, "headers")?, max_retries, timeout)
                .map_err(|e| to_js(&e))?;
        config.max_event_size = max_event_size(&o)?;
        Ok(RawClient { config: Rc::new(config) })
    }

    /// The call of operation `op` (its name in the table: `"conversations.items.list"`): `ids`
    /// fill its path, `body` is its params as JSON text (a form's fields for `files.create`,
    /// whose form js/client.js sends), `opts` the JSON of the request options and of the query
    /// options it takes. A stream with `background: true` resumes when its body breaks; a
    /// `json_schema` one follows its output's partial JSON (4 elements per entry).
    pub fn call(
        &self,
        op: &str,
        ids: js_sys::Array,
        body: Option<String>,
        opts: Option<String>,
    ) -> Result<RawCall, JsValue> {
        let Some(op) = Operation::named(op) else {
            let mut message = String::from("no operation ");
            message.push_str(op);
            return Err(js_sys::TypeError::new(&message).into());
        };
        let row = op.row();
        let o = read(opts)?;
        let (timeout, max_retries, h) = (timeout(&o, "timeout")?, integer(&o, "maxRetries")?, object(&o, "headers")?);
        let (query, hide_through) = query(&o, row.query)?;
        let extra = headers(h, "options.headers")?;
        // strings (js/client.js checks them)
        // plain loops: a `collect` of each links its own `from_iter`
        let mut owned = Vec::new();
        for id in ids.iter() {
            owned.push(id.as_string().unwrap_or_default());
        }
        let mut ids = Vec::with_capacity(owned.len());
        for id in &owned {
            ids.push(id.as_str());
        }
        let built = match self.config.request(op, &ids, &query, body.as_deref(), &extra) {
            Ok(built) => built,
            // An invalid id fails a stream without params (its iteration and finalResponse()),
            // as before any request.
            Err(e) if row.body == Body::None && matches!(row.answer, Answer::Stream { .. }) => {
                return Ok(RawCall::new(Call::failed(e), None))
            }
            Err(e) => return Err(to_js(&e)),
        };
        let overrides = Overrides { timeout_ms: timeout, max_retries, hide_through };
        let call = Call::of(&self.config, built, overrides, Output::JsonText, self.config.redactor.clone());
        Ok(RawCall::new(call, None))
    }

    /// `text` with the API key redacted; `undefined` when it holds none.
    pub fn redact(&self, text: &str) -> Option<String> {
        self.config.redactor.as_deref()?.redact_changed(text)
    }

    /// A WebSocket mode socket on `/responses` (js/socket.js runs its connection).
    pub fn socket(&self) -> Result<RawSocket, JsValue> {
        Socket::new(&self.config).map(RawSocket::new).map_err(|e| to_js(&e))
    }
}

/// Whether operation `op` throws a wrong option type at once
/// ([`Row::throws_type_errors`](crate::endpoint::Row::throws_type_errors)).
#[wasm_bindgen(js_name = throwsTypeErrors)]
pub fn throws_type_errors(op: &str) -> bool {
    Operation::named(op).is_some_and(|op| op.row().throws_type_errors())
}

/// The response headers the core reads, in the order `RawCall.headers()` takes their values.
#[wasm_bindgen(js_name = wantedHeaders)]
pub fn wanted_headers() -> js_sys::Array {
    strings(WANTED_HEADERS.iter().copied())
}

/// `items` as a JS array of strings (a loop rather than `collect`, which links `Extend`).
fn strings(items: impl Iterator<Item = &'static str>) -> js_sys::Array {
    let out = js_sys::Array::new();
    for s in items {
        out.push(&JsValue::from_str(s));
    }
    out
}

/// The name of every operation of the core's table (tests/js/operations.test.mjs checks that
/// js/index.d.ts declares each).
#[wasm_bindgen]
pub fn operations() -> js_sys::Array {
    strings(Operation::ALL.iter().map(|op| op.row().name))
}
