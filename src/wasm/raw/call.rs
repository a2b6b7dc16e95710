//! `RawCall`: one [`Call`] machine whose I/O js/io.js runs (docs/architecture.md, "The call
//! machine"): an HTTP call's, or a response's on a socket ([`RawSocket::lane`](super::socket::RawSocket::lane)),
//! whose body is the frames the socket routed to it and whose stream hands out the same batches.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::call::WANTED_HEADERS;
use crate::call::{Action, Call, Fault, Release};
use crate::redact::Redactor;
use crate::socket::Socket;
use crate::stream::StreamState;
use crate::structured::OutputState;
use crate::wasm::chunk::{copy_chunk, release};
use crate::wasm::error::to_js;

use super::redact::RawRedactor;

/// One call: js/io.js asks `action`, does it, and reports back (see [`Call`]).
#[wasm_bindgen]
pub struct RawCall {
    call: Call,
    /// A response on a socket: the socket and the response's id.
    lane: Option<(Rc<RefCell<Socket>>, u32)>,
    chunk: Vec<u8>,
}

impl RawCall {
    /// A call (`lane`: the socket and id of the response it stands in for; its frames are its
    /// body, the socket feeds them).
    pub(super) fn new(call: Call, lane: Option<(Rc<RefCell<Socket>>, u32)>) -> RawCall {
        RawCall { call, lane, chunk: Vec::new() }
    }

    /// `mode(stream, the call's redactor)`: the modes that write frames redact a forwarded error.
    fn with_redactor(&mut self, mode: impl FnOnce(&mut StreamState, Option<Rc<Redactor>>)) {
        let redactor = self.call.redactor();
        if let Some(s) = self.call.stream_mut() {
            mode(s, redactor);
        }
    }

    /// The stream's batch (or frames) of new events. While held ([`StreamState::hold`]): `""`
    /// once an event to hand out is kept, else nothing.
    fn output(&mut self) -> Option<String> {
        let stream = self.call.stream_mut()?;
        if let Some(yields) = stream.held() {
            return yields.then(String::new);
        }
        stream.take_batch().or_else(|| stream.take_frames())
    }
}

/// A response on a socket lets go of it there: its memory goes once nothing more can arrive.
impl Drop for RawCall {
    fn drop(&mut self) {
        if let Some((s, id)) = &self.lane {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.release(*id);
            }
        }
    }
}

#[wasm_bindgen]
impl RawCall {
    /// A call without a request: it reads a body JS already has (`ResponseStream.fromReadableStream`);
    /// `max_event_size`: the option's bytes (js/shared.js `eventLimit` checked it).
    pub fn from_body(max_event_size: Option<u32>) -> RawCall {
        RawCall::new(Call::reading(StreamState::batches(max_event_size.map(|n| n as usize))), None)
    }

    /// A call without a request whose `Response` JS already has (`ResponseStream.fromResponse`):
    /// JS reports its headers, then its body (an error status becomes the API's error).
    pub fn from_response(max_event_size: Option<u32>) -> RawCall {
        RawCall::new(Call::answered(StreamState::batches(max_event_size.map(|n| n as usize))), None)
    }

    /// What js/io.js does next.
    #[wasm_bindgen(getter)]
    pub fn action(&self) -> Action {
        self.call.action()
    }

    /// js/io.js sends the request or starts the sleep at `now` (`Date.now()`); `random` is a
    /// sleep's jitter.
    pub fn start(&mut self, now: f64, random: f64) {
        self.call.start(now, random);
    }

    /// When the pending wait times out (`Date.now()` time; `Infinity`: it does not).
    #[wasm_bindgen(getter)]
    pub fn poll_timeout(&self) -> f64 {
        self.call.poll_timeout().unwrap_or(f64::INFINITY)
    }

    /// The timer fired at `now` during a wait begun at `since`: whether the wait is over (the
    /// call moved on).
    pub fn handle_timeout(&mut self, now: f64, since: f64) -> bool {
        self.call.handle_timeout(now, since)
    }

    /// The request to send: `[method, url, body (JSON text) or undefined, name, value, name,
    /// value, …]` (its headers, flat).
    pub fn request(&self) -> Array {
        let r = self.call.request();
        let out = Array::new();
        out.push(&JsValue::from_str(r.method.as_str()));
        out.push(&JsValue::from_str(&r.url));
        out.push(&r.body.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str));
        for (k, v) in &r.headers {
            out.push(&JsValue::from_str(k));
            out.push(&JsValue::from_str(v));
        }
        out
    }

    /// How to let go of an open body (whenever the action is not `Read`).
    #[wasm_bindgen(getter)]
    pub fn release(&self) -> Release {
        self.call.release()
    }

    /// The response headers: the status and the values of `wantedHeaders()`, in order.
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

    /// `fetch` failed.
    pub fn fetch_failed(&mut self, message: &str) {
        self.call.on_fetch_error(message);
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

    /// A response on a socket: the next frame routed to it, one event (its batch comes from
    /// the next `feed`, of an empty chunk).
    pub fn frame(&mut self, text: String) {
        self.call.on_event(text);
    }

    /// The body ended; the last events' batch, if any. A response on a socket ends as the
    /// socket ended it ([`Socket::end_call`]).
    pub fn end(&mut self) -> Option<String> {
        match self.lane.as_ref().map(|(s, id)| (s.try_borrow(), *id)) {
            Some((Ok(s), id)) => s.end_call(id, &mut self.call),
            _ => self.call.on_body_end(),
        }
        self.output()
    }

    /// A read of the body threw an error named `name` (its `name` property, any value).
    pub fn read_failed(&mut self, name: JsValue, message: &str) -> Option<String> {
        self.call.on_read_error(name.as_string().as_deref(), message);
        self.output()
    }

    /// JS found `fault` in what the platform gave it (`detail`: what the platform said); the
    /// new events' batch, if any.
    pub fn fault(&mut self, fault: Fault, detail: Option<String>) -> Option<String> {
        self.call.on_fault(fault, detail.as_deref());
        self.output()
    }

    /// The user aborted (a response on a socket: the socket drops the rest of it).
    pub fn abort(&mut self) {
        self.call.abort();
        if let Some((Ok(mut s), id)) = self.lane.as_ref().map(|(s, id)| (s.try_borrow_mut(), *id)) {
            s.abort(id);
        }
    }

    /// A Response answer's `output_text` to set on the parsed answer, as a JSON string literal
    /// (`undefined`: keep it).
    #[wasm_bindgen(getter)]
    pub fn output_text_json(&self) -> Option<String> {
        self.call.output_text_json().map(str::to_owned)
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

    /// The call's redactor, which outlives the call (`undefined`: no key).
    pub fn redactor(&self) -> Option<RawRedactor> {
        self.call.redactor().map(RawRedactor::of)
    }

    /// From now on the stream's events come out as SSE bytes (for `toReadableStream`).
    pub fn frames_mode(&mut self) {
        self.with_redactor(StreamState::frames_mode);
    }

    /// From now on each batch's events are also written as frames, taken with
    /// [`take_frames`](Self::take_frames) (`toReadableStream()` of a stream with handlers).
    pub fn tee(&mut self) {
        self.with_redactor(StreamState::tee);
    }

    /// Teed: the frames of the batches taken since the last call.
    pub fn take_frames(&mut self) -> Option<String> {
        self.call.stream_mut()?.take_frames()
    }

    /// Keeps the decoded events until the consumer takes them (`ready()`): from now on an input
    /// returns `""` once an event to hand out is kept, and [`take_pending`](Self::take_pending)
    /// gives them (as a batch, or as frames after `frames_mode`).
    pub fn hold(&mut self) {
        self.with_redactor(StreamState::hold);
    }

    /// What was decoded and not taken yet: the held events as a batch (or frames, in frames
    /// mode); the stream goes on in that mode.
    pub fn take_pending(&mut self) -> Option<String> {
        if let Some(s) = self.call.stream_mut() {
            s.unhold();
        }
        self.output()
    }

    /// Held: whether an event to hand out was kept (`undefined`: not held).
    #[wasm_bindgen(getter)]
    pub fn held(&self) -> Option<bool> {
        self.call.stream().and_then(StreamState::held)
    }

    /// `[status, body, frame]`: how a proxy relays the call's error (redacted; `undefined` for
    /// an abort or no error): the HTTP answer before the first event, the `event: error` frame
    /// after it; a failure that is the stream's first event, its frames as the server sent them
    /// (`[200, frames, frames]`). See [`crate::relay`].
    pub fn relay(&self) -> Option<Array> {
        let call = &self.call;
        let (err, redactor) = (call.error()?, call.redactor());
        if let Some(frames) = call.stream().and_then(StreamState::failure_frames) {
            let frames = JsValue::from_str(frames);
            return Some(Array::of3(&JsValue::from(crate::relay::FORWARDED_STATUS), &frames, &frames));
        }
        let (status, body) = crate::relay::error_response(err, redactor.as_deref())?;
        let frame = crate::relay::error_frame(err, redactor.as_deref())?;
        Some(Array::of3(&JsValue::from(status), &JsValue::from_str(&body), &JsValue::from_str(&frame)))
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

    /// What `output_parsed` is, for a `parse()` answer or a stream (`undefined`: an answer
    /// without `output_parsed`): the value of the text of the parts named `[item, part, item,
    /// part, …]` (`output[item].content[part].text`), joined; none: `null`. Throws the
    /// `OutputParseError` of a stream's text that is not valid JSON (a `parse()` answer's is the
    /// call's error).
    pub fn output_parsed(&self) -> Result<Option<Array>, JsValue> {
        let call = &self.call;
        let owned;
        let parts = match (call.parsed_parts(), call.stream()) {
            (Some(at), _) => at,
            (None, None) => return Ok(None),
            (None, Some(stream)) => match stream.output_state() {
                None | Some(OutputState::Null) => &[],
                Some(OutputState::Parse) => {
                    owned = stream.parsed_parts();
                    &owned[..]
                }
                Some(OutputState::Invalid(e)) => {
                    let mut e = e.clone();
                    if let Some(r) = call.redactor() {
                        e.redact(&r);
                    }
                    return Err(to_js(&e));
                }
            },
        };
        let numbers = Array::new();
        for &(i, j) in parts {
            numbers.push(&JsValue::from(i));
            numbers.push(&JsValue::from(j));
        }
        Ok(Some(numbers))
    }
}
