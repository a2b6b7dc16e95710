//! `RawSocket`: the WebSocket mode machine ([`Socket`]) whose connection js/socket.js runs
//! (docs/websocket.md). JS opens the connection, sends the frames handed out and reports every
//! frame received; each response's events come out as the same batches as an HTTP stream's.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::call::stream_ops;
use crate::socket::{Action, Routed, Socket, SteerOutcome};
use crate::wasm::error::to_js;

/// Where a received frame went ([`Routed`]): `on_frame` answers `id * 4 + route`.
#[wasm_bindgen]
pub enum Route {
    /// To nothing.
    Dropped,
    /// To the response `id`: it has new output.
    Response,
    /// To a new response `id` the server started (a steered response's successor).
    Successor,
    /// It settled the steer `id`.
    Steer,
}

/// The socket machine; js/socket.js wraps it as `ResponsesSocket`.
#[wasm_bindgen]
pub struct RawSocket {
    socket: Socket,
}

impl RawSocket {
    pub(super) fn new(socket: Socket) -> RawSocket {
        RawSocket { socket }
    }
}

#[wasm_bindgen]
impl RawSocket {
    /// The URL to open.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.socket.url().to_owned()
    }

    /// The upgrade request's headers, flat: `[name, value, …]` (empty without a key).
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Array {
        let out = Array::new();
        for (k, v) in self.socket.headers() {
            out.push(&JsValue::from_str(&k));
            out.push(&JsValue::from_str(&v));
        }
        out
    }

    /// What js/socket.js does next (`now_ms`: `Date.now()`).
    pub fn action(&self, now_ms: f64) -> Action {
        self.socket.action(now_ms)
    }

    /// The connection is being opened.
    pub fn connecting(&mut self) {
        self.socket.connecting();
    }

    /// The connection is open.
    pub fn connected(&mut self, now_ms: f64) {
        self.socket.connected(now_ms);
    }

    /// The connection could not be opened.
    pub fn connect_failed(&mut self, message: &str) {
        self.socket.connect_failed(message);
    }

    /// The connection was lost or closed.
    pub fn dropped(&mut self, message: &str) {
        self.socket.dropped(message);
    }

    /// The user closes the socket.
    pub fn close(&mut self) {
        self.socket.close();
    }

    /// The next frame to send.
    pub fn take_frame(&mut self) -> Option<String> {
        self.socket.take_frame()
    }

    /// A response: its id (a ValidationError for invalid params).
    pub fn create(&mut self, params: &str, stream_id: Option<String>, generate: bool) -> Result<u32, JsValue> {
        self.socket.create(params, stream_id, generate).map_err(|e| to_js(&e))
    }

    /// A steer of the lane's running response: its id.
    pub fn steer(&mut self, input: &str, stream_id: Option<String>) -> Result<u32, JsValue> {
        self.socket.steer(input, stream_id).map_err(|e| to_js(&e))
    }

    /// A steer's outcome: `'accepted'`, `'pending'` (`undefined`: not yet); throws the error of
    /// a failed one. A settled one is forgotten.
    pub fn steer_outcome(&mut self, id: u32) -> Result<Option<String>, JsValue> {
        let out = match self.socket.steer_outcome(id) {
            None => return Ok(None),
            Some(SteerOutcome::Accepted) => Ok(Some("accepted".to_owned())),
            Some(SteerOutcome::Pending) => Ok(Some("pending".to_owned())),
            Some(SteerOutcome::Failed(e)) => Err(to_js(e)),
        };
        self.socket.forget_steer(id);
        out
    }

    /// A text frame arrived: where it went, as `id * 4 + route` ([`Route`]).
    pub fn on_frame(&mut self, text: String) -> f64 {
        let (id, route) = match self.socket.on_frame(text) {
            Routed::Dropped => (0, Route::Dropped),
            Routed::Response(id) => (id, Route::Response),
            Routed::Successor(id) => (id, Route::Successor),
            Routed::Steer(id) => (id, Route::Steer),
        };
        f64::from(id) * 4.0 + f64::from(route as u8)
    }

    /// A response's new output: its batch (or SSE frames in frames mode), if any; while held
    /// (`hold`), `""` once an event to hand out was kept.
    pub fn output(&mut self, id: u32) -> Option<String> {
        self.socket.call_mut(id).and_then(stream_ops::output)
    }

    /// Keeps the response's decoded events until the consumer takes them (`ready()`).
    pub fn hold(&mut self, id: u32) {
        if let Some(c) = self.socket.call_mut(id) {
            stream_ops::hold(c);
        }
    }

    /// What was decoded and not taken yet (a batch, or frames in frames mode); not held from now on.
    pub fn take_pending(&mut self, id: u32) -> Option<String> {
        self.socket.call_mut(id).and_then(stream_ops::take_pending)
    }

    /// Held: whether an event to hand out was kept (`undefined`: not held).
    pub fn held(&self, id: u32) -> Option<bool> {
        self.socket.call(id).and_then(stream_ops::held)
    }

    /// The `event: error` frame a proxy writes for the response's error (redacted; `undefined`
    /// for an abort or no error).
    pub fn error_frame(&self, id: u32) -> Option<String> {
        self.socket.call(id).and_then(stream_ops::error_frame)
    }

    /// `[status, body]`: the HTTP answer a proxy gives for the response's error (redacted;
    /// `undefined` for an abort or no error).
    pub fn error_response(&self, id: u32) -> Option<Array> {
        self.socket.call(id).and_then(stream_ops::error_response)
    }

    /// Nothing more comes for the response.
    pub fn is_done(&self, id: u32) -> bool {
        self.socket.is_done(id)
    }

    /// The response's error, as a descriptor (`undefined` when none).
    pub fn error(&self, id: u32) -> JsValue {
        self.socket.call(id).map_or(JsValue::UNDEFINED, stream_ops::error)
    }

    /// The consumer gives up the response.
    pub fn abort(&mut self, id: u32) {
        self.socket.abort(id);
    }

    /// The consumer let go of the response.
    pub fn release(&mut self, id: u32) {
        self.socket.release(id);
    }

    /// `text` with the API key redacted; `undefined` when it holds none.
    pub fn redact(&self, text: &str) -> Option<String> {
        let r = self.socket.redactor()?;
        r.matches(text).then(|| r.redact(text).into_owned())
    }

    /// The response follows its output's partial JSON (4 elements per batch entry).
    pub fn structured(&self, id: u32) -> bool {
        self.socket.call(id).is_some_and(stream_ops::structured)
    }

    /// As `RawCall.output_parsed`.
    pub fn output_parsed(&self, id: u32) -> Result<bool, JsValue> {
        self.socket.call(id).map_or(Ok(false), stream_ops::output_parsed)
    }

    /// From now on the response's events come out as SSE bytes.
    pub fn frames_mode(&mut self, id: u32) {
        if let Some(c) = self.socket.call_mut(id) {
            stream_ops::frames_mode(c);
        }
    }

    /// Frames mode: the failure went out as a frame.
    pub fn failure_forwarded(&self, id: u32) -> bool {
        self.socket.call(id).is_some_and(stream_ops::failure_forwarded)
    }

    /// Frames mode: the terminal event as a batch.
    pub fn terminal_batch(&mut self, id: u32) -> Option<String> {
        self.socket.call_mut(id).and_then(stream_ops::terminal_batch)
    }
}
