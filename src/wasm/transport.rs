//! The Rust API's I/O: runs what a [`Call`] asks — builds the request with gloo-net and sends it
//! with `fetch` (the global one, or the user's function, called with the built `Request`),
//! reads the body with web-sys' `ReadableStreamDefaultReader`, keeps one gloo-timers timer at the
//! call's deadline (set again only when it fires or after a `start`) — and reports back. Every
//! wait races that timer and the user's abort, so
//! neither a silent server nor a `fetch` that ignores its signal can hang a call. The same loop
//! as js/io.js: the call decides every deadline and how to let go of a body.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use futures_util::FutureExt;
use gloo_net::http::{Headers, RequestBuilder};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader};

use super::chunk::{copy_chunk, release};
use crate::call::{Action, Call, Fault, Release};
use crate::stream::StreamState;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(request)` (web-sys binds `fetch` only on `Window` and
    /// `WorkerGlobalScope`; Node and workerd have neither); a synchronous throw becomes `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> Result<Promise, JsValue>;

    /// A body to read: `getReader()` here returns the throw of a locked body as `Err` (web-sys'
    /// `ReadableStream::get_reader` throws it into the caller).
    type Readable;
    #[wasm_bindgen(catch, method, js_name = getReader)]
    fn get_reader(this: &Readable) -> Result<JsValue, JsValue>;
}

/// Why an attempt's request was not started.
enum NotSent {
    /// The platform failed (an attempt's failure: retried as the core says).
    Failed(String),
    /// `Headers` refuses the header of this name: the core's fault.
    BadHeader(String),
}

impl From<String> for NotSent {
    fn from(message: String) -> NotSent {
        NotSent::Failed(message)
    }
}

/// A reader of `body`, or why there is none (a locked body, not a `ReadableStream`).
fn reader_of(body: &web_sys::ReadableStream) -> Result<ReadableStreamDefaultReader, String> {
    match body.unchecked_ref::<Readable>().get_reader().map(JsCast::dyn_into::<ReadableStreamDefaultReader>) {
        Ok(Ok(reader)) => Ok(reader),
        Ok(Err(_)) => Err("getReader() gave no ReadableStreamDefaultReader".to_owned()),
        Err(e) => Err(message(&e)),
    }
}

/// The message of a JS error value and of its `cause` (fetch's `TypeError("fetch failed")` keeps
/// the real reason there). The call redacts it before it reaches an error.
pub(crate) fn message(err: &JsValue) -> String {
    let Some(e) = err.dyn_ref::<js_sys::Error>() else {
        return err.as_string().unwrap_or_else(|| "network error".to_owned());
    };
    let message = String::from(e.message());
    match Reflect::get(e, &"cause".into()).map(JsCast::dyn_into::<js_sys::Error>) {
        Ok(Ok(cause)) => format!("{message}: {}", String::from(cause.message())),
        _ => message,
    }
}

/// The `abort` listener on the user's signal.
type Listener = (AbortSignal, Closure<dyn FnMut()>);

/// The wait state of one call: aborted (the user's signal, `abort()`, or dropping the stream),
/// the pending wait's waker and start, and the one timer.
#[derive(Default)]
pub struct AbortState {
    aborted: Cell<bool>,
    waker: AtomicWaker,
    since: Cell<f64>,
    timer: RefCell<Timer>,
    /// The `abort` listener on the user's signal (removed on drop).
    listener: RefCell<Option<Listener>>,
}

impl AbortState {
    /// A fresh state, aborted at once if `signal` already is, else listening to it.
    pub fn new(signal: Option<AbortSignal>) -> Rc<AbortState> {
        let state = Rc::new(AbortState::default());
        if let Some(signal) = signal {
            if signal.aborted() {
                state.aborted.set(true);
            } else {
                let weak = Rc::downgrade(&state);
                let f = Closure::<dyn FnMut()>::new(move || {
                    if let Some(s) = weak.upgrade() {
                        s.abort();
                    }
                });
                let _ = signal.add_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
                *state.listener.borrow_mut() = Some((signal, f));
            }
        }
        state
    }

    /// Aborts: the pending wait (if any) ends at once.
    pub fn abort(&self) {
        self.aborted.set(true);
        self.waker.wake();
    }

    /// The user aborted (the signal, `abort()`, or dropping the stream).
    pub fn aborted(&self) -> bool {
        self.aborted.get()
    }

    /// Resolves once aborted (a wait of its own: this state must have no other).
    pub async fn until_aborted(&self) {
        std::future::poll_fn(|cx: &mut Context<'_>| {
            self.waker.register(cx.waker());
            if self.aborted.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

impl Drop for AbortState {
    fn drop(&mut self) {
        if let Some((signal, f)) = self.listener.get_mut().take() {
            let _ = signal.remove_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
        }
    }
}

/// The one timer: when it fires, and its future (set to the call's deadline; one that fires
/// before it is set again).
type Timer = Option<(f64, TimeoutFuture)>;

/// Sets `timer` to the call's deadline, unless it already fires by then.
fn arm(timer: &mut Timer, call: &Call) {
    match call.poll_timeout() {
        Some(at) if timer.as_ref().map_or(true, |(t, _)| at < *t) => {
            let ms = (at - js_sys::Date::now()).clamp(0.0, 2e9) as u32;
            *timer = Some((at, TimeoutFuture::new(ms)));
        }
        _ => {}
    }
}

/// Waits for `fut`; `None` when the call's deadline passed first (reported: the call moved on)
/// or the user aborted (the call ends with `Error::Abort`). A fire of the timer while nothing
/// was pending is reported here, when the next wait begins.
async fn race<F: Future + Unpin>(mut fut: F, call: &RefCell<Call>, abort: &AbortState) -> Option<F::Output> {
    let settled = std::future::poll_fn(|cx: &mut Context<'_>| {
        // Registered first: an abort from here on wakes this wait.
        abort.waker.register(cx.waker());
        if abort.aborted.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(v) = fut.poll_unpin(cx) {
            return Poll::Ready(Some(v));
        }
        let timer = &mut *abort.timer.borrow_mut();
        while let Some(Poll::Ready(())) = timer.as_mut().map(|(_, t)| t.poll_unpin(cx)) {
            *timer = None;
            if call.borrow_mut().handle_timeout(js_sys::Date::now(), abort.since.get()) {
                return Poll::Ready(None);
            }
            arm(timer, &call.borrow());
        }
        Poll::Pending
    })
    .await;
    if settled.is_none() && abort.aborted.get() {
        call.borrow_mut().abort();
    }
    settled
}

/// The I/O state of one call: the attempt's controller and the body's reader.
pub struct Io {
    fetch: Option<Function>,
    pub(crate) abort: Rc<AbortState>,
    controller: Option<AbortController>,
    reader: Option<ReadableStreamDefaultReader>,
    chunk: Vec<u8>,
    /// A body sent instead of the core's (a multipart `FormData`, which sets its own content type).
    pub(crate) send_body: Option<JsValue>,
    /// The HTTP response of a call whose answer is the response itself ([`crate::endpoint::Answer::Raw`]).
    pub(crate) response: Option<web_sys::Response>,
}

impl Io {
    /// I/O with the user's `fetch` (or the global one), aborted by `signal`.
    pub fn new(fetch: Option<Function>, signal: Option<AbortSignal>) -> Io {
        let abort = AbortState::new(signal);
        Io { fetch, abort, controller: None, reader: None, chunk: Vec::new(), send_body: None, response: None }
    }

    /// I/O that reads a body the caller already has; a body without a reader (locked, or not a
    /// `ReadableStream`) is reported to `call` as [`Fault::NoReader`].
    pub fn reading(body: &web_sys::ReadableStream, call: &mut Call) -> Io {
        let mut io = Io::new(None, None);
        match reader_of(body) {
            Ok(reader) => io.reader = Some(reader),
            Err(why) => call.on_fault(Fault::NoReader, Some(&why)),
        }
        io
    }

    /// Runs `call` until it has stream events for the consumer, or is done; whenever the action
    /// is not `Read`, the body is let go of as the call's `release` says.
    pub async fn step(call: &RefCell<Call>, io: &RefCell<Io>) {
        loop {
            let abort = io.borrow().abort.clone();
            if abort.aborted.get() {
                call.borrow_mut().abort();
            }
            let action = call.borrow().action();
            if action != Action::Read {
                let release = call.borrow().release();
                io.borrow_mut().let_go(release);
            }
            if action == Action::Done || call.borrow().stream().is_some_and(StreamState::has_entries) {
                return;
            }
            let now = js_sys::Date::now();
            abort.since.set(now);
            if action != Action::Read {
                call.borrow_mut().start(now, js_sys::Math::random());
                arm(&mut abort.timer.borrow_mut(), &call.borrow());
            }
            match action {
                Action::Send => Io::send(call, io, &abort).await,
                Action::Read => Io::read(call, io, &abort).await,
                // A sleep: the timer alone ends it.
                _ => _ = race(std::future::pending::<()>(), call, &abort).await,
            }
        }
    }

    async fn send(call: &RefCell<Call>, io: &RefCell<Io>, abort: &AbortState) {
        let started = io.borrow_mut().fetch(&call.borrow());
        let promise = match started {
            Ok(p) => p,
            Err(NotSent::Failed(e)) => return call.borrow_mut().on_fetch_error(&e),
            Err(NotSent::BadHeader(name)) => return call.borrow_mut().on_fault(Fault::BadHeader, Some(&name)),
        };
        let Some(value) = race(JsFuture::from(promise), call, abort).await else { return };
        let mut c = call.borrow_mut();
        let mut i = io.borrow_mut();
        let resp = match value.map(JsCast::dyn_into::<web_sys::Response>) {
            Err(e) => return c.on_fetch_error(&message(&e)),
            Ok(Err(_)) => return c.on_fault(Fault::NoResponse, None),
            Ok(Ok(resp)) => resp,
        };
        let headers = resp.headers();
        c.on_headers(resp.status(), |name| headers.get(name).ok().flatten());
        if c.action() == Action::Done {
            // A success whose answer is the response itself: its body is the caller's to read,
            // so the request is let go of without aborting it.
            i.controller = None;
            i.response = Some(resp);
            return;
        }
        match resp.body() {
            None => c.on_no_body(),
            Some(body) => match reader_of(&body) {
                Ok(r) => i.reader = Some(r),
                Err(why) => c.on_fault(Fault::NoReader, Some(&why)),
            },
        }
    }

    /// Reads one chunk and reports it.
    async fn read(call: &RefCell<Call>, io: &RefCell<Io>, abort: &AbortState) {
        let Some(promise) = io.borrow().reader.as_ref().map(ReadableStreamDefaultReader::read) else {
            return call.borrow_mut().on_fault(Fault::NoReader, None);
        };
        let outcome = race(JsFuture::from(promise), call, abort).await;
        let mut c = call.borrow_mut();
        let mut i = io.borrow_mut();
        match outcome {
            None => {}
            Some(Err(e)) => {
                i.reader = None;
                let name = Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string());
                c.on_read_error(name.as_deref(), &message(&e));
            }
            Some(Ok(result)) if Reflect::get(&result, &"done".into()).is_ok_and(|d| d.is_truthy()) => {
                if let Some(r) = i.reader.take() {
                    r.release_lock();
                }
                c.on_body_end();
            }
            Some(Ok(result)) => match Reflect::get(&result, &"value".into()).map(JsCast::dyn_into::<Uint8Array>) {
                Ok(Ok(bytes)) => {
                    match copy_chunk(&bytes, &mut i.chunk) {
                        Ok(chunk) => c.on_chunk(chunk),
                        Err(e) => c.fail(e),
                    }
                    release(&mut i.chunk);
                }
                _ => c.on_fault(Fault::BadChunk, None),
            },
        }
    }

    /// Builds the call's request with gloo-net, on a new attempt's controller, and starts `fetch`
    /// with it. A header `Headers` refuses is no request any platform sends: the core decides
    /// ([`Fault::BadHeader`]).
    fn fetch(&mut self, call: &Call) -> Result<Promise, NotSent> {
        let signal = self.controller.insert(AbortController::new().map_err(|e| message(&e))?).signal();
        let req = call.request();
        let headers = web_sys::Headers::new().map_err(|e| message(&e))?;
        for (k, v) in &req.headers {
            headers.set(k, v).map_err(|_| NotSent::BadHeader(k.clone()))?;
        }
        let b = RequestBuilder::new(&req.url).method(req.method.as_str().parse().unwrap_or_default());
        let b = b.headers(Headers::from_raw(headers)).abort_signal(Some(&signal));
        let built = match self.send_body.clone().or_else(|| req.body.as_deref().map(JsValue::from_str)) {
            Some(body) => b.body(body),
            None => b.build(),
        }
        .map_err(|e| e.to_string())?;
        let request: web_sys::Request = built.into();
        let called = match &self.fetch {
            Some(f) => f.call1(&JsValue::UNDEFINED, &request),
            None => global_fetch(&request).map(JsValue::from),
        };
        called.map(|p| Promise::resolve(&p)).map_err(|e| NotSent::Failed(message(&e)))
    }

    /// Lets go of the current body and attempt (its timer too): cancel the reader; abort the
    /// request too for [`Release::Abort`] (or after an abort).
    pub fn let_go(&mut self, how: Release) {
        self.abort.timer.take();
        let aborted = self.abort.aborted.get();
        if let Some(reader) = self.reader.take() {
            if how != Release::Nothing || aborted {
                // awaited so that a rejection is handled (no "unhandled rejection" in Node)
                let cancelled = JsFuture::from(reader.cancel());
                wasm_bindgen_futures::spawn_local(async move { _ = cancelled.await });
            }
            reader.release_lock();
        }
        if let Some(c) = self.controller.take().filter(|_| how == Release::Abort || aborted) {
            c.abort();
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        // Dropped before its end (a stream the consumer let go of): nothing more is read.
        self.let_go(Release::Abort);
    }
}
