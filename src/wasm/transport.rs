//! The fetch transport: one logical request = one [`Cancel`], each attempt an [`Attempt`]
//! (its own `AbortController`, aborted on drop, and its timeout), retries decided by the core's
//! [`retry`](crate::retry) policy, and the body read as a `ReadableStream` by [`Body`].
//!
//! Timeout semantics: `timeout` bounds how long we wait for the server without hearing from
//! it — until the response headers, then between two chunks of the body. Only time spent
//! waiting counts: a consumer that pauses between events (no read pending) never times out.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::sys::{self, AbortController, AbortSignal, FetchResponse, ReadableStream, ReadableStreamDefaultReader};
use crate::error::Error;
use crate::http;
use crate::redact::Redactor;
use crate::retry::{self, Decision, Failure, RetryHeaders};

/// Everything a request needs from the client's configuration.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// A user-supplied `fetch`; `None` means `globalThis.fetch`.
    pub fetch: Option<Function>,
    /// Headers sent with every request (Authorization included when an API key was given).
    pub headers: Vec<(String, String)>,
    /// Scrubs the API key (and fragments of it) from every error of this endpoint.
    pub redactor: Option<Rc<Redactor>>,
}

/// One HTTP request, before it is sent.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// `GET`, `POST`, `DELETE`.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// Extra headers for this request (they win over the client's).
    pub headers: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<String>,
    /// Per-attempt timeout, ms.
    pub timeout_ms: u64,
    /// Retries allowed after the first attempt.
    pub max_retries: u32,
    /// `text/event-stream` is expected.
    pub stream: bool,
}

// ------------------------------------------------------------------------------------ Cancel

/// The `abort` listener on the user's signal (removed when the scope is dropped).
type AbortListener = (AbortSignal, Closure<dyn FnMut()>);

/// The cancellation state of one logical request (all its attempts and its body): the user's
/// `AbortSignal`, `abort()`, and dropping the stream all end here.
pub struct Cancel {
    aborted: Cell<bool>,
    /// The current attempt's controller.
    attempt: RefCell<Option<AbortController>>,
    /// The current attempt's timeout watch (a `setInterval` id), stopped on abort so an
    /// aborted request holds no timer (it would keep Node's event loop alive).
    watch_timer: RefCell<Option<JsValue>>,
    /// The pending retry sleep's `reject`.
    sleeper: RefCell<Option<Function>>,
    /// The body reader, cancelled on abort (wakes a pending read on any stream).
    reader: RefCell<Option<ReadableStreamDefaultReader>>,
    listener: RefCell<Option<AbortListener>>,
    /// The task waiting for the response headers: woken on abort, since a custom `fetch` may
    /// ignore the signal and never settle.
    waker: RefCell<Option<Waker>>,
}

impl Cancel {
    /// A cancellation scope following `signal` (if any).
    pub fn new(signal: Option<AbortSignal>) -> Rc<Cancel> {
        let cancel = Rc::new(Cancel {
            aborted: Cell::new(false),
            attempt: RefCell::new(None),
            watch_timer: RefCell::new(None),
            sleeper: RefCell::new(None),
            reader: RefCell::new(None),
            listener: RefCell::new(None),
            waker: RefCell::new(None),
        });
        if let Some(signal) = signal {
            if signal.aborted() {
                cancel.aborted.set(true);
            } else {
                let weak: Weak<Cancel> = Rc::downgrade(&cancel);
                let closure = Closure::<dyn FnMut()>::new(move || {
                    if let Some(c) = weak.upgrade() {
                        c.abort();
                    }
                });
                if signal.add_event_listener("abort", closure.as_ref().unchecked_ref()).is_ok() {
                    *cancel.listener.borrow_mut() = Some((signal, closure));
                }
            }
        }
        cancel
    }

    /// Aborts: the current attempt, a retry sleep, a pending body read. Idempotent.
    pub fn abort(&self) {
        if self.aborted.replace(true) {
            return;
        }
        if let Ok(mut a) = self.attempt.try_borrow_mut() {
            if let Some(c) = a.take() {
                c.abort();
            }
        }
        if let Ok(mut t) = self.watch_timer.try_borrow_mut() {
            if let Some(timer) = t.take() {
                sys::clear_interval(&timer);
            }
        }
        if let Ok(mut s) = self.sleeper.try_borrow_mut() {
            if let Some(reject) = s.take() {
                let _ = reject.call0(&JsValue::UNDEFINED);
            }
        }
        self.cancel_reader();
        let waker = self.waker.try_borrow_mut().ok().and_then(|mut w| w.take());
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes `waker`'s task on abort (the latest registration wins).
    pub(crate) fn wake_on_abort(&self, waker: &Waker) {
        if let Ok(mut w) = self.waker.try_borrow_mut() {
            match &*w {
                Some(old) if old.will_wake(waker) => {}
                _ => *w = Some(waker.clone()),
            }
        }
    }

    /// Cancels the body reader, which settles a pending read (`done: true`). Aborting the fetch
    /// alone is not enough: Node's fetch leaves a read pending forever when the request is
    /// aborted while body data is queued (nodejs/node#56917).
    fn cancel_reader(&self) {
        if let Ok(mut r) = self.reader.try_borrow_mut() {
            if let Some(reader) = r.take() {
                ignore_rejection(&reader.cancel());
            }
        }
    }

    /// True once aborted.
    pub fn is_aborted(&self) -> bool {
        self.aborted.get()
    }

    /// Sleeps `ms` (a retry wait); `Err(Abort)` when aborted meanwhile.
    pub async fn sleep(&self, ms: u64) -> Result<(), Error> {
        if self.is_aborted() {
            return Err(Error::Abort);
        }
        let mut timer = JsValue::UNDEFINED;
        let promise = Promise::new(&mut |resolve, reject| {
            timer = sys::set_timeout(&resolve, ms as f64);
            *self.sleeper.borrow_mut() = Some(reject);
        });
        let result = JsFuture::from(promise).await;
        sys::clear_timeout(&timer);
        self.sleeper.borrow_mut().take();
        match result {
            Ok(_) if !self.is_aborted() => Ok(()),
            _ => Err(Error::Abort),
        }
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        if let Some((signal, closure)) = self.listener.get_mut().take() {
            let _ = signal.remove_event_listener("abort", closure.as_ref().unchecked_ref());
        }
    }
}

// ------------------------------------------------------------------------------------ Attempt

struct Watch {
    last_activity: Cell<f64>,
    /// A fetch or a body read is pending: we are waiting for the server.
    waiting: Cell<bool>,
    timed_out: Cell<bool>,
}

/// One attempt: its `AbortController` (aborted when the attempt is dropped — cancellation
/// follows ownership) and its timeout watch.
pub struct Attempt {
    controller: AbortController,
    watch: Rc<Watch>,
    timeout_ms: u64,
    interval: JsValue,
    _tick: Closure<dyn FnMut()>,
    /// The body was read to its end: nothing to abort on drop (Node builds a DOMException
    /// for every abort(), a measurable cost per request).
    finished: Cell<bool>,
}

impl Attempt {
    fn start(cancel: &Rc<Cancel>, timeout_ms: u64) -> Attempt {
        let controller = AbortController::new();
        *cancel.attempt.borrow_mut() = Some(controller.clone_ref());
        let watch = Rc::new(Watch {
            last_activity: Cell::new(sys::date_now()),
            waiting: Cell::new(true),
            timed_out: Cell::new(false),
        });
        let (w, c, weak) = (watch.clone(), controller.clone_ref(), Rc::downgrade(cancel));
        let limit = timeout_ms as f64;
        let tick = Closure::<dyn FnMut()>::new(move || {
            if w.waiting.get() && !w.timed_out.get() && sys::date_now() - w.last_activity.get() >= limit {
                w.timed_out.set(true);
                c.abort();
                if let Some(cancel) = weak.upgrade() {
                    cancel.cancel_reader();
                }
            }
        });
        // Checked 8 times per period: a stall is detected within 1.125 × timeout.
        let period = (limit / 8.0).clamp(5.0, 60_000.0);
        let interval = sys::set_interval(tick.as_ref().unchecked_ref(), period);
        *cancel.watch_timer.borrow_mut() = Some(interval.clone());
        Attempt { controller, watch, timeout_ms, interval, _tick: tick, finished: Cell::new(false) }
    }

    /// The server was heard from: nothing is awaited until the next [`wait`](Self::wait).
    pub fn touch(&self) {
        self.watch.last_activity.set(sys::date_now());
        self.watch.waiting.set(false);
    }

    /// A read of the body starts: the timeout runs from now.
    fn wait(&self) {
        self.watch.last_activity.set(sys::date_now());
        self.watch.waiting.set(true);
    }

    fn timed_out(&self) -> Option<Error> {
        self.watch.timed_out.get().then_some(Error::Timeout { timeout_ms: self.timeout_ms })
    }

    /// What a rejected fetch/read means: our abort, our timeout, or the network.
    fn classify(&self, cancel: &Cancel, err: &JsValue) -> Error {
        if cancel.is_aborted() {
            Error::Abort
        } else if self.watch.timed_out.get() {
            Error::Timeout { timeout_ms: self.timeout_ms }
        } else {
            Error::Connection { message: js_message(err) }
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        sys::clear_interval(&self.interval);
        if !self.finished.get() {
            self.controller.abort();
        }
    }
}

trait CloneRef {
    fn clone_ref(&self) -> Self;
}
impl CloneRef for AbortController {
    fn clone_ref(&self) -> Self {
        JsValue::from(self).unchecked_into()
    }
}

// ------------------------------------------------------------------------------------ send

/// Sends `req`, retrying per the policy, until a response with status < 400 (returned with the
/// attempt that owns it) or a final error.
pub async fn send(
    endpoint: &Endpoint,
    req: &HttpRequest,
    cancel: &Rc<Cancel>,
) -> Result<(FetchResponse, Attempt), Error> {
    let mut retries = 0u32;
    loop {
        if cancel.is_aborted() {
            return Err(Error::Abort);
        }
        let attempt = Attempt::start(cancel, req.timeout_ms);
        let init = request_init(endpoint, req, &attempt.controller.signal());
        let called = match &endpoint.fetch {
            Some(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init),
            None => sys::global_fetch(&req.url, &init).map(JsValue::from),
        };
        let outcome = match called {
            Ok(p) => JsFuture::from(Promise::resolve(&p)).await,
            Err(e) => Err(e),
        };
        let (failure, headers, err) = match outcome {
            Ok(value) => {
                if !value.is_object() {
                    return Err(Error::Connection { message: "fetch did not return a Response".into() });
                }
                let resp: FetchResponse = value.unchecked_into();
                let status = resp.status();
                attempt.touch();
                if status < 400 {
                    return Ok((resp, attempt));
                }
                let hdrs = resp.headers();
                let get = |name: &str| hdrs.get(name).ok().flatten();
                let request_id = get("x-request-id");
                let body = match resp.body() {
                    Some(stream) => {
                        let mut body = Body::new(stream, Some(attempt), cancel.clone())?;
                        body.read_to_string(http::MAX_ERROR_BODY, BodyLimit::Truncate).await.unwrap_or_default()
                    }
                    None => String::new(),
                };
                let api = http::api_error_from_http(status, &body, request_id);
                let saved = (get("retry-after-ms"), get("retry-after"), get("x-should-retry"));
                (Failure::Status(status), saved, Error::from(api))
            }
            Err(e) => {
                let err = attempt.classify(cancel, &e);
                let failure = match err {
                    Error::Abort => return Err(Error::Abort),
                    Error::Timeout { .. } => Failure::Timeout,
                    _ => Failure::Connection,
                };
                (failure, (None, None, None), err)
            }
        };
        let hdrs = RetryHeaders {
            retry_after_ms: headers.0.as_deref(),
            retry_after: headers.1.as_deref(),
            should_retry: headers.2.as_deref(),
        };
        match retry::decide(failure, &hdrs, retries, req.max_retries, sys::date_now(), sys::random()) {
            Decision::Retry { delay_ms } => {
                cancel.sleep(delay_ms).await?;
                retries += 1;
            }
            Decision::GiveUp => return Err(err),
        }
    }
}

fn request_init(endpoint: &Endpoint, req: &HttpRequest, signal: &AbortSignal) -> JsValue {
    let headers = Object::new();
    let set = |o: &Object, k: &str, v: &JsValue| {
        let _ = Reflect::set(o, &JsValue::from_str(k), v);
    };
    set(&headers, "accept", &JsValue::from_str(if req.stream { "text/event-stream" } else { "application/json" }));
    if req.body.is_some() {
        set(&headers, "content-type", &JsValue::from_str("application/json"));
    }
    for (k, v) in endpoint.headers.iter().chain(req.headers.iter()) {
        set(&headers, &k.to_ascii_lowercase(), &JsValue::from_str(v));
    }
    let init = Object::new();
    set(&init, "method", &JsValue::from_str(req.method));
    set(&init, "headers", &headers);
    if let Some(body) = &req.body {
        set(&init, "body", &JsValue::from_str(body));
    }
    set(&init, "signal", signal);
    init.into()
}

/// The message of a JS error value (never includes request headers).
pub fn js_message(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        let mut msg: String = e.message().into();
        // fetch's TypeError("fetch failed") keeps the real reason in `cause`.
        if let Ok(cause) = Reflect::get(e, &JsValue::from_str("cause")) {
            if let Some(c) = cause.dyn_ref::<js_sys::Error>() {
                msg.push_str(": ");
                msg.push_str(&String::from(c.message()));
            }
        }
        return msg;
    }
    err.as_string().unwrap_or_else(|| "network error".to_owned())
}

thread_local! {
    static NOOP: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// Marks a promise's rejection as handled (no "unhandled rejection" in Node).
fn ignore_rejection(p: &Promise) {
    NOOP.with(|f| {
        let _ = p.catch(f);
    });
}

// ------------------------------------------------------------------------------------ Body

/// What [`Body::read_to_string`] does with a body past its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyLimit {
    /// Keep the first `limit` bytes (error bodies: the start is what matters).
    Truncate,
    /// Fail with [`Error::Stream`] (a JSON answer cut short is no answer).
    Fail,
}

/// A response body read chunk by chunk. Dropping it before the end cancels the stream,
/// releases the reader's lock, and (through its [`Attempt`]) aborts the request.
pub struct Body {
    reader: Option<ReadableStreamDefaultReader>,
    pending: Option<JsFuture>,
    attempt: Option<Attempt>,
    cancel: Rc<Cancel>,
    chunk: Vec<u8>,
    done: bool,
}

impl Body {
    /// Takes the reader of `stream` (an error if it is locked or not a stream).
    pub fn new(stream: ReadableStream, attempt: Option<Attempt>, cancel: Rc<Cancel>) -> Result<Body, Error> {
        let has_reader =
            Reflect::get(&stream, &JsValue::from_str("getReader")).map(|f| f.is_function()).unwrap_or(false);
        if !has_reader {
            return Err(Error::stream("the body is not a ReadableStream"));
        }
        let reader =
            stream.get_reader().map_err(|e| Error::stream(format!("cannot read the body: {}", js_message(&e))))?;
        *cancel.reader.borrow_mut() = Some(reader.clone_ref());
        if cancel.is_aborted() {
            ignore_rejection(&reader.cancel());
        }
        Ok(Body { reader: Some(reader), pending: None, attempt, cancel, chunk: Vec::new(), done: false })
    }

    /// The next chunk (`Ok(None)` at the end). The slice is valid until the next call.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<&[u8]>, Error>> {
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            let Some(reader) = &self.reader else { return Poll::Ready(Ok(None)) };
            let attempt = &self.attempt;
            let fut = self.pending.get_or_insert_with(|| {
                if let Some(a) = attempt {
                    a.wait();
                }
                JsFuture::from(reader.read())
            });
            let result = match std::pin::Pin::new(fut).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            self.pending = None;
            let result = match result {
                Ok(r) => r,
                Err(e) => {
                    self.done = true;
                    return Poll::Ready(Err(match &self.attempt {
                        Some(a) => a.classify(&self.cancel, &e),
                        None if self.cancel.is_aborted() => Error::Abort,
                        None => Error::Connection { message: js_message(&e) },
                    }));
                }
            };
            if self.cancel.is_aborted() {
                self.done = true;
                return Poll::Ready(Err(Error::Abort));
            }
            // A timeout cancels the reader, which ends a pending read with `done: true`.
            if let Some(e) = self.attempt.as_ref().and_then(Attempt::timed_out) {
                self.done = true;
                return Poll::Ready(Err(e));
            }
            if let Some(a) = &self.attempt {
                a.touch();
            }
            let result: &sys::ReadResult = result.unchecked_ref();
            if result.done() {
                self.done = true;
                if let Some(a) = &self.attempt {
                    a.finished.set(true);
                }
                self.release();
                return Poll::Ready(Ok(None));
            }
            let Some(bytes) = sys::as_bytes(&result.value()) else {
                self.done = true;
                return Poll::Ready(Err(Error::stream("the body yielded a chunk that is not a Uint8Array")));
            };
            if bytes.length() == 0 {
                continue;
            }
            self.chunk.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut self.chunk);
            return Poll::Ready(Ok(Some(&self.chunk)));
        }
    }

    /// JS-driven reading (pkg/api.js awaits `reader.read()` itself): the reader, while the body
    /// is not finished. The body keeps owning it (cancelled on abort or drop).
    pub(crate) fn reader(&self) -> Option<ReadableStreamDefaultReader> {
        if self.done {
            return None;
        }
        self.reader.as_ref().map(CloneRef::clone_ref)
    }

    /// JS-driven reading: a chunk arrived (the timeout restarts).
    pub(crate) fn touch(&self) {
        if let Some(a) = &self.attempt {
            a.touch();
        }
    }

    /// JS-driven reading: a read starts (the idle timeout runs while it is pending).
    pub(crate) fn wait(&self) {
        if let Some(a) = &self.attempt {
            a.wait();
        }
    }

    /// JS-driven reading: the timeout fired (it cancels the reader, so the pending read
    /// resolved `done`).
    pub(crate) fn timed_out(&self) -> Option<Error> {
        self.attempt.as_ref().and_then(Attempt::timed_out)
    }

    /// JS-driven reading: the read resolved `done` (releases the lock, no cancel on drop).
    pub(crate) fn finished(&mut self) {
        self.done = true;
        if let Some(a) = &self.attempt {
            a.finished.set(true);
        }
        self.release();
    }

    /// The consumer has what it needs (the stream's outcome): dropping the body now cancels it
    /// (freeing the connection) without aborting the request, which completed.
    pub(crate) fn settle(&mut self) {
        if let Some(a) = &self.attempt {
            a.finished.set(true);
        }
    }

    /// JS-driven reading: what a rejected read means (our abort, our timeout, the network).
    pub(crate) fn read_error(&mut self, err: &JsValue) -> Error {
        self.done = true;
        match &self.attempt {
            Some(a) => a.classify(&self.cancel, err),
            None if self.cancel.is_aborted() => Error::Abort,
            None => Error::Connection { message: js_message(err) },
        }
    }

    /// Reads the rest of the body as text (lossy UTF-8), at most `limit` bytes: past it the body
    /// is cancelled (never drained), and the text cut there ([`BodyLimit::Truncate`]) or the read
    /// fails ([`BodyLimit::Fail`]).
    pub async fn read_to_string(&mut self, limit: usize, at_limit: BodyLimit) -> Result<String, Error> {
        let mut all = Vec::new();
        while all.len() <= limit {
            let chunk = std::future::poll_fn(|cx| match self.poll_chunk(cx) {
                Poll::Ready(Ok(Some(c))) => Poll::Ready(Ok(Some(c.to_vec()))),
                Poll::Ready(Ok(None)) => Poll::Ready(Ok(None)),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            })
            .await?;
            match chunk {
                Some(c) => {
                    if all.try_reserve(c.len()).is_err() {
                        return Err(Error::stream("out of memory while reading the response body"));
                    }
                    all.extend_from_slice(&c);
                }
                None => return Ok(String::from_utf8_lossy(&all).into_owned()),
            }
        }
        // Past the limit: dropping the body (by the caller) cancels it.
        self.cancel_now();
        match at_limit {
            BodyLimit::Truncate => {
                all.truncate(limit);
                Ok(String::from_utf8_lossy(&all).into_owned())
            }
            BodyLimit::Fail => Err(Error::stream(format!("the response body exceeds the limit of {limit} bytes"))),
        }
    }

    /// Cancels the body now (it is not read any further) and releases its lock.
    fn cancel_now(&mut self) {
        if !self.done {
            self.done = true;
            if let Some(reader) = &self.reader {
                ignore_rejection(&reader.cancel());
            }
        }
        self.release();
    }

    fn release(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.release_lock();
        }
        if let Ok(mut r) = self.cancel.reader.try_borrow_mut() {
            r.take();
        }
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if !self.done {
            if let Some(reader) = &self.reader {
                ignore_rejection(&reader.cancel());
            }
        }
        self.release();
        // `attempt` drops next: its controller aborts the request if it is still open.
    }
}

impl CloneRef for ReadableStreamDefaultReader {
    fn clone_ref(&self) -> Self {
        JsValue::from(self).unchecked_into()
    }
}
