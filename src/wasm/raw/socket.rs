//! `RawSocket`: the WebSocket mode machine ([`Socket`]) whose connection js/socket.js runs
//! (docs/websocket.md). JS opens the connection, sends the frames handed out and reports every
//! frame received; each response's events come out as the same batches as an HTTP stream's.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::call::RawCall;
use crate::call::Call;
use crate::error::Error;
use crate::socket::{Action, Routed, Socket, SteerOutcome};
use crate::wasm::error::to_js;

/// Where a received frame went ([`Routed`]): `on_frame` answers it, `routed_id` its id.
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
    /// Shared with the `RawCall` of each response (`lane`).
    socket: Rc<RefCell<Socket>>,
    /// The id of the response or steer the last frame went to.
    routed_id: u32,
}

impl RawSocket {
    /// The machine (not inlined: one copy of the borrow for every method).
    #[inline(never)]
    fn socket(&self) -> std::cell::RefMut<'_, Socket> {
        // Never borrowed already (the machine calls nothing back). An abort, the trap a panic
        // ends in here (`panic = "abort"`), without `borrow_mut`'s message and location.
        self.socket.try_borrow_mut().unwrap_or_else(|_| std::process::abort())
    }

    pub(super) fn new(socket: Socket) -> RawSocket {
        RawSocket { socket: Rc::new(RefCell::new(socket)), routed_id: 0 }
    }
}

#[wasm_bindgen]
impl RawSocket {
    /// The URL to open.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.socket().url().to_owned()
    }

    /// The longest frame `on_frame` takes whole ([`Socket::max_frame`]): js/socket.js hands over
    /// the first `max_frame + 1` characters of a longer one.
    #[wasm_bindgen(getter)]
    pub fn max_frame(&self) -> f64 {
        self.socket().max_frame() as f64
    }

    /// The upgrade request's headers, flat: `[name, value, …]` (empty without a key).
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Array {
        let out = Array::new();
        for (k, v) in &self.socket().headers() {
            out.push(&JsValue::from_str(k));
            out.push(&JsValue::from_str(v));
        }
        out
    }

    /// What js/socket.js does next (`now_ms`: `Date.now()`).
    pub fn action(&self, now_ms: f64) -> Action {
        self.socket().action(now_ms)
    }

    /// The connection is being opened at `now` (`Date.now()`) with a connect timeout of
    /// `timeout` ms (`undefined`: none); answers when to give up (`Infinity`: never).
    pub fn connecting(&mut self, now: f64, timeout: Option<f64>) -> f64 {
        self.socket().connecting(now, timeout.map(crate::socket::connect_timeout_ms));
        self.socket().poll_timeout().unwrap_or(f64::INFINITY)
    }

    /// The timer fired at `now`: why opening the connection failed (`undefined`: not yet, or
    /// no longer opening).
    pub fn handle_timeout(&mut self, now: f64) -> Option<String> {
        self.socket().handle_timeout(now)
    }

    /// The connection is open.
    pub fn connected(&mut self, now_ms: f64) {
        self.socket().connected(now_ms);
    }

    /// The connection could not be opened (`message`: the runtime's reason): what the waiting
    /// requests' error says, redacted.
    pub fn connect_failed(&mut self, message: &str) -> String {
        self.socket().connect_failed(message)
    }

    /// The connection was lost or closed.
    pub fn dropped(&mut self, message: &str) {
        self.socket().dropped(message);
    }

    /// The user closes the socket.
    pub fn close(&mut self) {
        self.socket().close();
    }

    /// The next frame to send.
    pub fn take_frame(&mut self) -> Option<String> {
        self.socket().take_frame()
    }

    /// A response: its id (a ValidationError for invalid params).
    pub fn create(&mut self, params: &str, stream_id: Option<String>, generate: bool) -> Result<u32, JsValue> {
        self.socket().create(params, stream_id, generate).map_err(|e| to_js(&e))
    }

    /// A steer of the lane's running response: its id.
    pub fn steer(&mut self, input: &str, stream_id: Option<String>) -> Result<u32, JsValue> {
        self.socket().steer(input, stream_id).map_err(|e| to_js(&e))
    }

    /// A steer's outcome: `'accepted'`, `'pending'` (`undefined`: not yet); throws the error of
    /// a failed one. A settled one is forgotten.
    pub fn steer_outcome(&mut self, id: u32) -> Result<Option<String>, JsValue> {
        let out = match self.socket().steer_outcome(id) {
            None => return Ok(None),
            Some(SteerOutcome::Accepted) => Ok(Some("accepted".to_owned())),
            Some(SteerOutcome::Pending) => Ok(Some("pending".to_owned())),
            Some(SteerOutcome::Failed(e)) => Err(to_js(e)),
        };
        self.socket().forget_steer(id);
        out
    }

    /// A text frame arrived: where it went (the response's or steer's id: `routed_id`).
    pub fn on_frame(&mut self, text: &str) -> Route {
        let (id, route) = match self.socket().on_frame(text) {
            Routed::Dropped => (0, Route::Dropped),
            Routed::Response(id) => (id, Route::Response),
            Routed::Successor(id) => (id, Route::Successor),
            Routed::Steer(id) => (id, Route::Steer),
        };
        self.routed_id = id;
        route
    }

    /// The id of the response or steer the last frame went to ([`on_frame`](Self::on_frame)).
    #[wasm_bindgen(getter)]
    pub fn routed_id(&self) -> u32 {
        self.routed_id
    }

    /// The response `id`, as a `RawCall` whose body is the frames routed to it (js/io.js runs it
    /// as an HTTP call's; freeing it lets go of the response).
    pub fn lane(&self, id: u32) -> RawCall {
        let call = self.socket().call_for(id).unwrap_or_else(|| Call::failed(Error::Abort));
        RawCall::new(call, Some((self.socket.clone(), id)))
    }

    /// Whether nothing more is routed to the response `id`: its body ends after what it has.
    pub fn is_done(&self, id: u32) -> bool {
        self.socket().is_done(id)
    }

    /// `text` with the API key redacted; `undefined` when it holds none.
    pub fn redact(&self, text: &str) -> Option<String> {
        self.socket().redactor()?.redact_changed(text)
    }
}
