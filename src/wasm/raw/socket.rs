//! `RawSocket`: the WebSocket mode machine ([`Socket`]) whose connection js/socket.js runs
//! (docs/websocket.md). JS opens the connection, sends the frames handed out and reports every
//! frame received; each response's events come out as the same batches as an HTTP stream's.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::call::stream_ops;
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

/// What [`RawSocket::lane`] asks of one response: the per-response methods of a `RawCall`
/// (js/socket.js gives a ResponseStream the same face), and the socket's own `is_done`,
/// `abort` and `release`.
#[wasm_bindgen]
pub enum Lane {
    Output,
    IsDone,
    Abort,
    Release,
    Hold,
    TakePending,
    Held,
    ErrorFrame,
    ErrorResponse,
    Error,
    Structured,
    OutputParsed,
    FramesMode,
    FailureForwarded,
    TerminalBatch,
}

/// The socket machine; js/socket.js wraps it as `ResponsesSocket`.
#[wasm_bindgen]
pub struct RawSocket {
    socket: Socket,
    /// The id of the response or steer the last frame went to.
    routed_id: u32,
}

impl RawSocket {
    pub(super) fn new(socket: Socket) -> RawSocket {
        RawSocket { socket, routed_id: 0 }
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

    /// The connection is being opened at `now` (`Date.now()`) with a connect timeout of
    /// `timeout` ms (`undefined`: none); answers when to give up (`Infinity`: never).
    pub fn connecting(&mut self, now: f64, timeout: Option<f64>) -> f64 {
        self.socket.connecting(now, timeout.map(crate::socket::connect_timeout_ms));
        self.socket.poll_timeout().unwrap_or(f64::INFINITY)
    }

    /// The timer fired at `now`: why opening the connection failed (`undefined`: not yet, or
    /// no longer opening).
    pub fn handle_timeout(&mut self, now: f64) -> Option<String> {
        self.socket.handle_timeout(now)
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

    /// A text frame arrived: where it went (the response's or steer's id: `routed_id`).
    pub fn on_frame(&mut self, text: String) -> Route {
        let (id, route) = match self.socket.on_frame(text) {
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

    /// What a response's `op` gives ([`Lane`]): what the `RawCall` method of the same name does
    /// for a call, for the response `id` (`undefined` for one the socket no longer holds).
    pub fn lane(&mut self, id: u32, op: Lane) -> Result<JsValue, JsValue> {
        let text = |t: Option<String>| t.map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t));
        match op {
            Lane::IsDone => return Ok(self.socket.is_done(id).into()),
            Lane::Abort => self.socket.abort(id),
            Lane::Release => self.socket.release(id),
            _ => {}
        }
        let Some(c) = self.socket.call_mut(id) else { return Ok(JsValue::UNDEFINED) };
        Ok(match op {
            Lane::Output => text(stream_ops::output(c)),
            Lane::Hold => {
                stream_ops::hold(c);
                JsValue::UNDEFINED
            }
            Lane::TakePending => text(stream_ops::take_pending(c)),
            Lane::Held => stream_ops::held(c).map_or(JsValue::UNDEFINED, JsValue::from),
            Lane::ErrorFrame => text(stream_ops::error_frame(c)),
            Lane::ErrorResponse => stream_ops::error_response(c).map_or(JsValue::UNDEFINED, JsValue::from),
            Lane::Error => stream_ops::error(c),
            Lane::Structured => stream_ops::structured(c).into(),
            Lane::OutputParsed => stream_ops::output_parsed(c)?.into(),
            Lane::FramesMode => {
                stream_ops::frames_mode(c);
                JsValue::UNDEFINED
            }
            Lane::FailureForwarded => stream_ops::failure_forwarded(c).into(),
            Lane::TerminalBatch => text(stream_ops::terminal_batch(c)),
            Lane::IsDone | Lane::Abort | Lane::Release => JsValue::UNDEFINED,
        })
    }

    /// `text` with the API key redacted; `undefined` when it holds none.
    pub fn redact(&self, text: &str) -> Option<String> {
        let r = self.socket.redactor()?;
        r.matches(text).then(|| r.redact(text).into_owned())
    }
}
