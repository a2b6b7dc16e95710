//! [`EventStream`]: a Responses stream as a Rust [`Stream`] of events, with the Response snapshot
//! kept as they are handed out (the core's patches applied to a `serde_json::Value`).

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::stream::{self, LocalBoxStream, Stream, StreamExt, TryStreamExt};
use serde_json::Value;

use super::transport::Io;
use crate::accumulate::Mirror;
use crate::call::{Action, Call};
use crate::error::Error;
use crate::event::ResponseEvent;
use crate::partial_json;
use crate::stream::{Show, StreamState};

struct Inner {
    call: RefCell<Call>,
    io: RefCell<Io>,
    mirror: RefCell<Mirror>,
    /// A `json_schema` stream: the partial value of its output text (the entries' ops applied).
    parsed: RefCell<Option<Value>>,
    /// How the iteration ended, once it has: `Ok` at its normal end, else the error it yielded.
    end: RefCell<Option<Result<(), Error>>>,
}

impl Inner {
    /// The call ended without an error and every event was handed out: the stream finished
    /// (its next poll ends it, whatever the user does now).
    fn finished(&self) -> bool {
        let call = self.call.borrow();
        call.action() == Action::Done && call.error().is_none() && !call.stream().is_some_and(StreamState::has_entries)
    }
}

/// A stream of Responses events: `Stream<Item = Result<ResponseEvent, Error>>`.
///
/// Ends (`None`) after `response.completed` or `response.incomplete`; yields one `Err` and then
/// ends for `response.failed`, an `error` event, a truncated or malformed body, a timeout or an
/// abort. A `background: true` stream whose body breaks is resumed. Dropping it aborts the
/// request. [`snapshot_json`](Self::snapshot_json) is the Response built from the events yielded
/// so far.
pub struct EventStream {
    inner: Rc<Inner>,
    /// The events: [`next`] until it ends (then `None` for good).
    events: LocalBoxStream<'static, Result<ResponseEvent, Error>>,
}

impl EventStream {
    pub(crate) fn new((call, io): (Call, Io)) -> EventStream {
        let inner = Inner {
            call: RefCell::new(call),
            io: RefCell::new(io),
            mirror: RefCell::new(Mirror::new()),
            parsed: RefCell::new(None),
            end: RefCell::new(None),
        };
        let inner = Rc::new(inner);
        let events = stream::unfold(inner.clone(), |i| async move { next(&i).await.map(|item| (item, i)) });
        EventStream { inner, events: events.fuse().boxed_local() }
    }

    pub(crate) fn failed(err: Error) -> EventStream {
        EventStream::new((Call::failed(err), Io::new(None, None)))
    }

    /// Aborts the request; the next poll gives `Err(Error::Abort)` unless the stream already
    /// finished.
    pub fn abort(&self) {
        if let Ok(io) = self.inner.io.try_borrow() {
            io.abort.abort();
        }
        if let Ok(mut c) = self.inner.call.try_borrow_mut() {
            c.abort();
        }
    }

    /// A `json_schema` stream (the params' `text.format.type`): the best-effort value of the
    /// output text so far, reflecting every event yielded so far (strings as their received
    /// prefix, keys and literals once complete; see [`crate::partial_json`]). `None` before any
    /// text, and for other streams. The final value is the response's
    /// [`output_parsed`](crate::structured::OutputParsed).
    pub fn partial_parsed(&self) -> Option<Value> {
        self.inner.parsed.borrow().clone()
    }

    /// The Response so far (with `output_text`), or `None` before the first lifecycle event.
    pub fn snapshot(&self) -> Option<Value> {
        self.inner.mirror.borrow().value().cloned()
    }

    /// The Response so far as a JS object (for a page the app hands it to), read with
    /// serde-wasm-bindgen; `null` before the first lifecycle event.
    pub fn snapshot_js(&self) -> wasm_bindgen::JsValue {
        use serde::Serialize;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value = self.inner.mirror.borrow().value().and_then(|v| v.serialize(&serializer).ok());
        value.unwrap_or(wasm_bindgen::JsValue::NULL)
    }

    /// The Response so far as JSON text (with `output_text`), or `None` before the first
    /// lifecycle event.
    pub fn snapshot_json(&self) -> Option<String> {
        self.inner.mirror.borrow().value().and_then(|v| serde_json::to_string(v).ok())
    }

    /// The completed (or incomplete) Response as JSON text, once the stream ended normally (its
    /// terminal event was handed out); `None` before, and for a stream that failed or was aborted.
    pub fn final_response_json(&self) -> Option<String> {
        let ok = match &*self.inner.end.borrow() {
            Some(end) => end.is_ok(),
            None => self.inner.finished(),
        };
        ok.then(|| self.snapshot_json()).flatten()
    }

    /// The next event (`None` at the end): `StreamExt::next`.
    pub async fn next_event(&mut self) -> Option<Result<ResponseEvent, Error>> {
        self.events.next().await
    }

    /// Reads the stream to its end and returns the final Response (JSON value), or the error
    /// the stream ended with (the one [`next_event`](Self::next_event) gave, when it was read
    /// to its end before).
    pub async fn final_response(&mut self) -> Result<Value, Error> {
        self.events.by_ref().try_for_each(|_| std::future::ready(Ok(()))).await?;
        if let Some(Err(e)) = &*self.inner.end.borrow() {
            return Err(e.clone());
        }
        self.snapshot().ok_or_else(|| Error::stream("the stream has no final response"))
    }
}

/// The next event of the stream: takes what the core decoded (applying its patches), or runs the
/// I/O until there is something.
async fn next(inner: &Inner) -> Option<Result<ResponseEvent, Error>> {
    loop {
        if inner.end.borrow().is_some() {
            return None;
        }
        // Aborted by the user before the end: the events still queued are not handed out.
        if inner.io.borrow().abort.aborted() && !inner.finished() {
            if let Some(s) = inner.call.borrow_mut().stream_mut() {
                s.drop_undelivered();
            }
            return end(inner, Some(Error::Abort));
        }
        let entry = inner.call.borrow_mut().stream_mut().and_then(|s| s.next_entry());
        if let Some(entry) = entry {
            inner.mirror.borrow_mut().apply_all(&entry.patches, &entry.event);
            if let Some(ops) = &entry.output_ops {
                let _ = partial_json::apply_ops_json(&mut inner.parsed.borrow_mut(), ops);
            }
            if entry.show == Show::Yield {
                return Some(Ok(entry.event));
            }
            continue;
        }
        if inner.call.borrow().action() == Action::Done {
            let err = inner.call.borrow().error().cloned();
            return end(inner, err.map(|e| with_snapshot(e, inner)));
        }
        Io::step(&inner.call, &inner.io).await;
    }
}

/// Ends the iteration: normally (`None`), or with `err`, yielded now and kept for
/// [`EventStream::final_response`].
fn end(inner: &Inner, err: Option<Error>) -> Option<Result<ResponseEvent, Error>> {
    *inner.end.borrow_mut() = Some(err.clone().map_or(Ok(()), Err));
    err.map(Err)
}

/// An error that belongs to the snapshot ([`Error::belongs_to_snapshot`]) carries it (redacted)
/// as its `response`, unless it has one.
fn with_snapshot(mut err: Error, inner: &Inner) -> Error {
    let of_snapshot = err.belongs_to_snapshot();
    let slot = match &mut err {
        Error::Stream { response, .. } => response,
        Error::Api(e) => &mut e.response,
        _ => return err,
    };
    if of_snapshot && slot.is_none() {
        let text = inner.mirror.borrow().value().and_then(|v| serde_json::to_string(v).ok());
        *slot = text.map(|t| inner.call.borrow().redact(&t).unwrap_or(t));
    }
    err
}

impl Stream for EventStream {
    type Item = Result<ResponseEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_next_unpin(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // Dropped before the end: the request is aborted (the Io lets go of the body).
        self.abort();
    }
}
