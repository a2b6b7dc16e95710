//! The low-level pieces for JS (js/parsers.js wraps them): `RawSseParser` (the core SSE parser
//! behind a flat-array interface) and `RawAccumulator` (events folded into patches).
//!
//! `RawSseParser`:
//! Each `feed` crosses the boundary once each way: bytes in, and out either `undefined` (the
//! chunk completed no event) or one flat array `[event, data, lastEventId, event, data, …]`
//! of JS strings. `event` and `lastEventId` are `undefined` when they equal the previous
//! event's (pkg/api.js keeps the last strings), so the per-event cost is one string: the data.
//! (A JSON batch is 2–3× slower: every `"` of the JSON data is escaped in Rust and unescaped
//! again by `JSON.parse`.)
//!
//! An event over the size limit: the events the same chunk completed before it are returned
//! first, and the error is thrown by the next `feed` or `finish` (nothing is lost).

use crate::accumulate::{Accumulator, RepeatedAppends};
use crate::error::Error;
use crate::event::ResponseEvent;
use crate::sse::{Event, Parser, SseError};
use crate::wasm::chunk::{copy_chunk, release};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

/// The raw parser export; pkg/api.js wraps it as the public `SseParser`.
#[wasm_bindgen(js_name = RawSseParser)]
pub struct RawSseParser {
    parser: Parser,
    events: Vec<Event>,
    /// The event type and last event ID last sent to JS (`None` before the first event).
    sent_event: Option<String>,
    sent_id: Option<String>,
    /// A size error met after events that were returned: thrown by the next call.
    deferred: Option<SseError>,
    /// The chunk being fed, copied from JS.
    chunk: Vec<u8>,
}

#[wasm_bindgen(js_class = RawSseParser)]
impl RawSseParser {
    /// `maxEventSize` in bytes (js/parsers.js checks it: a whole number ≥ 1); absent: the
    /// default (16 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(max_event_size: Option<f64>) -> RawSseParser {
        let parser = match max_event_size {
            Some(n) if n >= 1.0 => Parser::with_max_event_size(n as usize),
            _ => Parser::new(),
        };
        RawSseParser { parser, events: Vec::new(), sent_event: None, sent_id: None, deferred: None, chunk: Vec::new() }
    }

    /// Feeds one chunk; returns the completed events as a flat array (see the module docs), or
    /// `undefined` when the chunk completed none. The chunk is copied into wasm memory here,
    /// with a fallible allocation: out of memory is a `StreamError`, never a trap.
    pub fn feed(&mut self, chunk: &Uint8Array) -> Result<Option<Array>, JsValue> {
        if let Some(e) = self.deferred.take() {
            return Err(sse_error(e));
        }
        let chunk = copy_chunk(chunk, &mut self.chunk).map_err(super::error::js_err)?;
        self.events.clear();
        let fed = self.parser.feed(chunk, &mut self.events);
        release(&mut self.chunk);
        if let Err(e) = fed {
            if self.events.is_empty() {
                return Err(sse_error(e));
            }
            self.deferred = Some(e);
        }
        if self.events.is_empty() {
            return Ok(None);
        }
        let out = Array::new();
        for ev in &self.events {
            out.push(&changed(&mut self.sent_event, &ev.event));
            out.push(&JsValue::from_str(&ev.data));
            out.push(&changed(&mut self.sent_id, &ev.last_event_id));
        }
        // The events' data now lives in JS: keep no copy of it here.
        self.events.clear();
        if self.events.capacity() > 64 {
            self.events = Vec::new();
        }
        Ok(Some(out))
    }

    /// End of stream: an unfinished event is discarded (the spec); throws a size error the last
    /// `feed` deferred (the parser is reset either way, and holds no buffer any more).
    pub fn finish(&mut self) -> Result<(), JsValue> {
        self.parser.finish();
        self.parser.release_buffers();
        self.events = Vec::new();
        self.chunk = Vec::new();
        self.deferred.take().map_or(Ok(()), |e| Err(sse_error(e)))
    }

    /// The last valid `retry:` value, in milliseconds.
    #[wasm_bindgen(getter)]
    pub fn retry(&self) -> Option<f64> {
        self.parser.retry().map(|r| r as f64)
    }
}

/// `value` as a JS string when it differs from what was last sent (and remembers it), else
/// `undefined`.
fn changed(sent: &mut Option<String>, value: &str) -> JsValue {
    if sent.as_deref() == Some(value) {
        return JsValue::UNDEFINED;
    }
    *sent = Some(value.to_owned());
    JsValue::from_str(value)
}

fn sse_error(e: SseError) -> JsValue {
    super::error::js_err(Error::from(e))
}

/// The raw accumulator; js/parsers.js wraps it as `ResponseAccumulator`.
#[wasm_bindgen]
pub struct RawAccumulator {
    acc: Accumulator,
    /// The ops JS holds (the last sent), for `undefined` in place of the same again.
    sent: RepeatedAppends,
}

#[wasm_bindgen]
impl RawAccumulator {
    /// A fresh accumulator (patches only: JS mirrors the snapshot).
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawAccumulator {
        RawAccumulator { acc: Accumulator::without_snapshot(), sent: RepeatedAppends::default() }
    }

    /// Folds one event (its JSON text); returns its patches as JSON, or `undefined` when they are
    /// the previous push's again ([`RepeatedAppends`]: JS applies the ops it already parsed).
    pub fn push(&mut self, event_json: &str) -> Result<Option<String>, JsValue> {
        let ev = ResponseEvent::from_json(event_json).map_err(|e| super::error::to_js(&e))?;
        self.acc.push(&ev);
        if self.sent.same_again(self.acc.patches()) {
            return Ok(None);
        }
        let mut out = String::new();
        self.acc.write_patches_json(&mut out);
        Ok(Some(out))
    }
}

impl Default for RawAccumulator {
    fn default() -> Self {
        Self::new()
    }
}
