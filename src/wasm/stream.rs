//! [`EventStream`]: a Responses stream as a Rust [`Stream`] of events, driving the fetch, the
//! body reader and the core [`StreamState`]. The JS `ResponseStream` uses the same object in
//! JS-driven mode: pkg/api.js reads the body itself ([`EventStream::poll_open`] gives it the
//! reader) and feeds each chunk synchronously ([`EventStream::feed_batch`],
//! [`EventStream::end_batch`]); the events come out as JSON batches and are folded into the
//! snapshot one by one as the consumer takes them ([`EventStream::apply_next`]).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_core::Stream;

use wasm_bindgen::JsValue;

use super::sys::ReadableStreamDefaultReader;
use super::transport::{Body, Cancel};
use crate::error::Error;
use crate::event::ResponseEvent;
use crate::redact::Redactor;
use crate::stream::StreamState;

type Start = Pin<Box<dyn Future<Output = Result<Body, Error>>>>;

enum Phase {
    /// Waiting for the response headers (retries happen here).
    Starting(Start),
    /// Reading the body.
    Reading(Body),
    /// The body ended, failed, or is no longer needed (dropped: cancelled and aborted).
    Ended,
}

/// A stream of Responses events: `Stream<Item = Result<ResponseEvent, Error>>`.
///
/// Ends (`None`) after `response.completed` or `response.incomplete`; yields one `Err` and then
/// ends for `response.failed`, an `error` event, a truncated or malformed body, a timeout or an
/// abort. Dropping it aborts the request. [`snapshot_json`](Self::snapshot_json) is the
/// Response built from the events yielded so far.
pub struct EventStream {
    state: StreamState,
    phase: Phase,
    cancel: Rc<Cancel>,
    failed: bool,
    /// JS-driven mode: an error met after the events of the batch just handed out.
    stash: Option<Error>,
    /// JS-driven mode: events handed out and not applied yet.
    taken: VecDeque<ResponseEvent>,
    /// Scrubs the API key from every error this stream reports.
    redactor: Option<Rc<Redactor>>,
}

impl EventStream {
    pub(crate) fn starting(start: Start, cancel: Rc<Cancel>) -> EventStream {
        EventStream::new(Phase::Starting(start), cancel)
    }

    /// The stream resumes a response mid-way (`starting_after`): see [`StreamState::resumed`].
    pub(crate) fn resumed(mut self) -> EventStream {
        self.state = StreamState::resumed();
        self
    }

    pub(crate) fn reading(body: Body, cancel: Rc<Cancel>) -> EventStream {
        EventStream::new(Phase::Reading(body), cancel)
    }

    pub(crate) fn failed(err: Error) -> EventStream {
        let mut s = EventStream::new(Phase::Ended, Cancel::new(None));
        s.stash = Some(err);
        s
    }

    fn new(phase: Phase, cancel: Rc<Cancel>) -> EventStream {
        EventStream {
            state: StreamState::new(),
            phase,
            cancel,
            failed: false,
            stash: None,
            taken: VecDeque::new(),
            redactor: None,
        }
    }

    /// Every error of this stream is redacted with `redactor` (the client's API key).
    pub(crate) fn with_redactor(mut self, redactor: Option<Rc<Redactor>>) -> EventStream {
        self.redactor = redactor;
        self
    }

    /// Aborts the request; the next poll gives `Err(Error::Abort)` unless the stream already
    /// finished.
    pub fn abort(&self) {
        self.cancel.abort();
    }

    /// The shared cancellation handle (to abort from elsewhere while the stream is borrowed).
    pub(crate) fn cancel_handle(&self) -> Rc<Cancel> {
        self.cancel.clone()
    }

    /// The Response so far as JSON text (with `output_text`), or `None` before the first
    /// lifecycle event.
    pub fn snapshot_json(&self) -> Option<String> {
        self.state.accumulator().response_json()
    }

    /// Changes whenever the snapshot changes.
    pub fn version(&self) -> u64 {
        self.state.accumulator().version()
    }

    /// The completed (or incomplete) Response as JSON text, once the stream ended normally.
    pub fn final_response_json(&self) -> Option<String> {
        self.state.final_response_json()
    }

    /// Drives the request and the body until the state has an item, or the stream is over.
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<ResponseEvent, Error>>> {
        if let Some(e) = self.stash.take() {
            return Poll::Ready(Some(Err(self.fail(e))));
        }
        loop {
            if self.failed || self.state.is_finished() {
                self.phase = Phase::Ended;
                return Poll::Ready(None);
            }
            if self.cancel.is_aborted() {
                return Poll::Ready(Some(Err(self.fail(Error::Abort))));
            }
            if let Some(item) = self.state.pop() {
                // A decoding error ends the stream: release the body (and the request) now.
                return Poll::Ready(Some(item.map_err(|e| self.fail(e))));
            }
            match &mut self.phase {
                Phase::Starting(_) => match self.poll_start(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                },
                Phase::Reading(body) => match body.poll_chunk(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(Some(chunk))) => self.state.feed(chunk),
                    Poll::Ready(Ok(None)) => {
                        self.state.end_of_body();
                        self.phase = Phase::Ended;
                    }
                    Poll::Ready(Err(e)) => {
                        // After the first byte a lost connection is a truncated stream.
                        let e = match e {
                            Error::Connection { message } => Error::Stream {
                                message: format!("the connection was lost mid-stream: {message}"),
                                response: self.snapshot_json(),
                            },
                            other => other,
                        };
                        return Poll::Ready(Some(Err(self.fail(e))));
                    }
                },
                Phase::Ended => {
                    return Poll::Ready(match self.state.end() {
                        Ok(()) => None,
                        Err(e) => Some(Err(self.fail(e))),
                    });
                }
            }
        }
    }

    /// Drives the request (retries included) until the response headers: `Ok` once the body
    /// is there (phase `Reading`), `Err` when the request failed (the stream with it). While
    /// pending, an abort also wakes the task: a custom `fetch` may ignore the signal.
    fn poll_start(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let Phase::Starting(start) = &mut self.phase else { return Poll::Ready(Ok(())) };
        match start.as_mut().poll(cx) {
            Poll::Pending => {
                self.cancel.wake_on_abort(cx.waker());
                // Aborted during this very poll (e.g. from inside a custom `fetch`): nobody
                // would wake us.
                if self.cancel.is_aborted() {
                    return Poll::Ready(Err(self.fail(Error::Abort)));
                }
                Poll::Pending
            }
            Poll::Ready(Ok(body)) => {
                self.phase = Phase::Reading(body);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(self.fail(e))),
        }
    }

    /// Every error of the stream ends here: the stream is over, the error redacted.
    fn fail(&mut self, mut e: Error) -> Error {
        self.failed = true;
        self.phase = Phase::Ended;
        if let Some(r) = &self.redactor {
            e.redact(r);
        }
        e
    }

    /// JS-driven mode (pkg/api.js reads the body: one `await reader.read()` per chunk in JS
    /// instead of a `JsFuture` and two closures per chunk here): resolves once the response
    /// headers arrived (retries happen before) with the body's reader, or `None` when there is
    /// nothing to read (the stream already ended).
    pub fn poll_open(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<ReadableStreamDefaultReader>, Error>> {
        if let Some(e) = self.stash.take() {
            return Poll::Ready(Err(self.fail(e)));
        }
        loop {
            if self.failed {
                return Poll::Ready(Ok(None));
            }
            if self.cancel.is_aborted() {
                return Poll::Ready(Err(self.fail(Error::Abort)));
            }
            match &mut self.phase {
                Phase::Starting(_) => match self.poll_start(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                },
                Phase::Reading(body) => return Poll::Ready(Ok(body.reader())),
                Phase::Ended => return Poll::Ready(Ok(None)),
            }
        }
    }

    /// JS-driven mode: true once the consumer needs nothing more from the body (terminal event
    /// applied, or an error handed out); the caller then stops reading and calls `close`.
    pub fn is_finished(&self) -> bool {
        self.failed || self.state.is_finished()
    }

    /// JS-driven mode: a read of the body starts (the idle timeout runs while it is pending).
    pub fn wait_read(&self) {
        if let Phase::Reading(body) = &self.phase {
            body.wait();
        }
    }

    /// JS-driven mode: no more reads (drops the body: cancels it if unfinished and releases
    /// its lock). After the stream's outcome (terminal event applied, error handed out) the
    /// request is not aborted: it completed, and Node builds a DOMException per abort.
    pub fn close(&mut self) {
        if let Phase::Reading(body) = &mut self.phase {
            if self.state.is_finished() && !self.cancel.is_aborted() {
                body.settle();
            }
        }
        self.phase = Phase::Ended;
    }

    /// JS-driven mode: the stream ends with `e` (e.g. out of memory taking a chunk).
    pub fn fail_with(&mut self, e: Error) -> Result<Option<String>, Error> {
        self.before_batch()?;
        let e = match e {
            Error::Stream { message, response: None } => Error::Stream { message, response: self.snapshot_json() },
            other => other,
        };
        Err(self.fail(e))
    }

    /// JS-driven mode: the body yielded something that is not a `Uint8Array`.
    pub fn bad_chunk(&mut self) -> Result<Option<String>, Error> {
        self.before_batch()?;
        let e = Error::Stream {
            message: "the body yielded a chunk that is not a Uint8Array".into(),
            response: self.snapshot_json(),
        };
        Err(self.fail(e))
    }

    /// JS-driven mode: one chunk in, synchronously; out, the JSON array of the events it
    /// completed (`None`: none yet). Each event must be applied with
    /// [`apply_next`](Self::apply_next) as the consumer takes it.
    pub fn feed_batch(&mut self, chunk: &[u8]) -> Result<Option<String>, Error> {
        self.before_batch()?;
        if let Phase::Reading(body) = &self.phase {
            body.touch();
        }
        self.state.feed(chunk);
        Ok(self.drain_batch())
    }

    /// JS-driven mode: the body ended (`error: None`) or a read was rejected (`Some(reason)`).
    /// `Ok(None)`: the stream ended normally; else the error (truncated stream, abort, timeout,
    /// connection lost mid-stream).
    pub fn end_batch(&mut self, error: Option<JsValue>) -> Result<Option<String>, Error> {
        self.before_batch()?;
        if let Some(err) = error {
            let e = match &mut self.phase {
                Phase::Reading(body) => body.read_error(&err),
                _ => Error::Connection { message: super::transport::js_message(&err) },
            };
            let e = match e {
                Error::Connection { message } => Error::Stream {
                    message: format!("the connection was lost mid-stream: {message}"),
                    response: self.snapshot_json(),
                },
                other => other,
            };
            return Err(self.fail(e));
        }
        if let Phase::Reading(body) = &mut self.phase {
            if let Some(e) = body.timed_out() {
                return Err(self.fail(e));
            }
            body.finished();
        }
        self.phase = Phase::Ended;
        self.state.end_of_body();
        if let Some(batch) = self.drain_batch() {
            return Ok(Some(batch));
        }
        match self.state.end() {
            Ok(()) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Applies what the consumer took and did not apply; reports a pending error or abort.
    fn before_batch(&mut self) -> Result<(), Error> {
        while !self.taken.is_empty() {
            self.apply_next()?;
        }
        if let Some(e) = self.stash.take() {
            return Err(self.fail(e));
        }
        if self.cancel.is_aborted() && !self.state.is_finished() {
            return Err(self.fail(Error::Abort));
        }
        Ok(())
    }

    /// Every event decoded so far as one JSON array (an error met after them is stashed for
    /// the next call).
    fn drain_batch(&mut self) -> Option<String> {
        let mut json: Option<String> = None;
        while let Some(item) = self.state.pop() {
            match item {
                Ok(ev) => {
                    let s = json.get_or_insert_with(|| String::with_capacity(ev.json().len() + 2));
                    s.push(if s.is_empty() { '[' } else { ',' });
                    s.push_str(ev.json());
                    self.taken.push_back(ev);
                }
                Err(e) => {
                    self.stash = Some(e);
                    break;
                }
            }
        }
        if let Some(s) = &mut json {
            s.push(']');
        }
        json
    }

    /// JS-driven mode: folds the next handed-out event into the snapshot; `Err` when that event
    /// ends the stream with an error (`response.failed`, `error`) or breaks the protocol.
    pub fn apply_next(&mut self) -> Result<(), Error> {
        let Some(ev) = self.taken.pop_front() else { return Ok(()) };
        self.state.apply(&ev).map_err(|e| {
            self.taken.clear();
            self.fail(e)
        })
    }
}

impl Stream for EventStream {
    type Item = Result<ResponseEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.poll_item(cx) {
            Poll::Ready(Some(Ok(ev))) => Poll::Ready(Some(match this.state.apply(&ev) {
                Ok(()) => Ok(ev),
                Err(e) => Err(this.fail(e)),
            })),
            other => other,
        }
    }
}

impl EventStream {
    /// The next event (`None` at the end): `StreamExt::next` without the extra crate.
    pub async fn next_event(&mut self) -> Option<Result<ResponseEvent, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Reads the stream to its end and returns the final Response (JSON value).
    pub async fn final_response(&mut self) -> Result<serde_json::Value, Error> {
        while let Some(item) = self.next_event().await {
            item?;
        }
        let json = self.final_response_json().ok_or_else(|| Error::stream("the stream has no final response"))?;
        serde_json::from_str(&json).map_err(|e| Error::stream(e.to_string()))
    }
}
