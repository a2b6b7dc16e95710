#!/usr/bin/env python3
"""Regenerates the proposed-optimisation diffs against the CURRENT src/ and js/ (the lead's
files keep moving; a diff made earlier may no longer apply).

    python3 bench/experiments/patches/make_patches.py

Writes, next to this script:
  no-core-float-parse.diff      retry.rs: serde_json's float parser instead of str::parse::<f64>
  no-abort-after-end.diff       transport.rs: no AbortController.abort() after a completed body
  all-proposals.diff            every proposal above except sse-flat-array and fast-next
  sse-flat-array.diff           SseParser.feed: a flat array of strings instead of a JSON batch
  js-driven-reader.diff         ResponseStream reads the body in JS, feeds chunks synchronously
  js-driven-reader+fast-next.diff   ... plus a next() fast path without the promise chain
  delta-fast-path.diff          event.rs: one-pass decoding of *.delta events (serde fallback)
  js-driven-reader+delta-fast-path.diff   the two combined
Each edit asserts its anchor, so a stale anchor fails loudly instead of producing a bad diff.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
HERE = os.path.dirname(os.path.abspath(__file__))


def replace(s, old, new, count=1):
    if old not in s:
        sys.exit(f'anchor not found:\n{old[:300]}')
    return s.replace(old, new, count)


def make(name, files, edit):
    tmp = tempfile.mkdtemp()
    for side in ('a', 'b'):
        for f in files:
            os.makedirs(os.path.join(tmp, side, os.path.dirname(f)), exist_ok=True)
            shutil.copy(os.path.join(ROOT, f), os.path.join(tmp, side, f))
    for f in files:
        p = os.path.join(tmp, 'b', f)
        with open(p) as fh:
            s = fh.read()
        s = edit(f, s)
        with open(p, 'w') as fh:
            fh.write(s)
    out = ''
    for f in files:
        r = subprocess.run(['diff', '-u', f'a/{f}', f'b/{f}'], cwd=tmp, capture_output=True, text=True)
        out += r.stdout
    with open(os.path.join(HERE, name), 'w') as fh:
        fh.write(out)
    shutil.rmtree(tmp)
    print(f'{name}: {out.count(chr(10))} lines')
    return out


# ------------------------------------------------------------------ sse-flat-array
PARSER_RS = '//! `SseParser` for JS: the core SSE parser behind a flat-array interface.\n//!\n//! Each `feed` crosses the boundary once each way: bytes in, and out either `undefined` (the\n//! chunk completed no event) or one flat array `[event, data, lastEventId, event, data, …]`\n//! of JS strings. `event` and `lastEventId` are `undefined` when they equal the previous\n//! event\'s (pkg/api.js keeps the last strings), so the per-event cost is one string: the data.\n//! (A JSON batch was measured 2–3× slower: every `"` of the JSON data had to be escaped in Rust\n//! and unescaped again by `JSON.parse`; see bench/experiments/sse-boundary.mjs.)\n\nuse crate::error::Error;\nuse crate::sse::{Event, Parser, SseError};\nuse js_sys::Array;\nuse wasm_bindgen::prelude::*;\n\n/// The raw parser export; pkg/api.js wraps it as the public `SseParser`.\n#[wasm_bindgen(js_name = RawSseParser)]\npub struct RawSseParser {\n    parser: Parser,\n    events: Vec<Event>,\n    /// The event type and last event ID last sent to JS (`None` before the first event).\n    sent_event: Option<String>,\n    sent_id: Option<String>,\n}\n\n#[wasm_bindgen(js_class = RawSseParser)]\nimpl RawSseParser {\n    /// `maxEventSize` in bytes; 0 or absent means the default (16 MiB).\n    #[wasm_bindgen(constructor)]\n    pub fn new(max_event_size: Option<f64>) -> RawSseParser {\n        let parser = match max_event_size {\n            Some(n) if n >= 1.0 => Parser::with_max_event_size(n as usize),\n            _ => Parser::new(),\n        };\n        RawSseParser { parser, events: Vec::new(), sent_event: None, sent_id: None }\n    }\n\n    /// Feeds one chunk; returns the completed events as a flat array (see the module docs), or\n    /// `undefined` when the chunk completed none.\n    pub fn feed(&mut self, chunk: &[u8]) -> Result<Option<Array>, JsValue> {\n        self.events.clear();\n        self.parser.feed(chunk, &mut self.events).map_err(sse_error)?;\n        if self.events.is_empty() {\n            return Ok(None);\n        }\n        let out = Array::new();\n        for ev in &self.events {\n            out.push(&changed(&mut self.sent_event, &ev.event));\n            out.push(&JsValue::from_str(&ev.data));\n            out.push(&changed(&mut self.sent_id, &ev.last_event_id));\n        }\n        Ok(Some(out))\n    }\n\n    /// End of stream: an unfinished event is discarded (the spec).\n    pub fn finish(&mut self) {\n        self.parser.finish();\n    }\n\n    /// The last valid `retry:` value, in milliseconds.\n    #[wasm_bindgen(getter)]\n    pub fn retry(&self) -> Option<f64> {\n        self.parser.retry().map(|r| r as f64)\n    }\n}\n\n/// `value` as a JS string when it differs from what was last sent (and remembers it), else\n/// `undefined`.\nfn changed(sent: &mut Option<String>, value: &str) -> JsValue {\n    if sent.as_deref() == Some(value) {\n        return JsValue::UNDEFINED;\n    }\n    *sent = Some(value.to_owned());\n    JsValue::from_str(value)\n}\n\nfn sse_error(e: SseError) -> JsValue {\n    let SseError::EventTooLarge { limit } = e;\n    super::error::js_err(Error::stream(format!(\n        "an SSE event exceeded the size limit of {limit} bytes"\n    )))\n}\n'

SSE_API_OLD = """  /** Feeds one chunk (Uint8Array); returns the events it completed: [{ event, data, lastEventId }]. */
  feed(chunk) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('feed(chunk) expects a Uint8Array');
    return JSON.parse(call(() => this.#raw.feed(chunk)));
  }
  /** Ends the stream: an unfinished event is discarded (the spec); returns []. */
  finish() {
    return JSON.parse(this.#raw.finish());
  }"""
SSE_API_NEW = """  // The event type and last event ID of the previous event: the raw feed sends them only
  // when they change.
  #event = '';
  #id = '';
  /** Feeds one chunk (Uint8Array); returns the events it completed: [{ event, data, lastEventId }]. */
  feed(chunk) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('feed(chunk) expects a Uint8Array');
    const flat = call(() => this.#raw.feed(chunk));
    if (flat === undefined) return [];
    const out = new Array(flat.length / 3);
    for (let i = 0, j = 0; i < flat.length; i += 3, j++) {
      if (flat[i] !== undefined) this.#event = flat[i];
      if (flat[i + 2] !== undefined) this.#id = flat[i + 2];
      out[j] = { event: this.#event, data: flat[i + 1], lastEventId: this.#id };
    }
    return out;
  }
  /** Ends the stream: an unfinished event is discarded (the spec); returns []. */
  finish() {
    this.#raw.finish();
    return [];
  }"""


def edit_sse(f, s):
    if f == 'src/wasm/parser.rs':
        return PARSER_RS
    return replace(s, SSE_API_OLD, SSE_API_NEW)


# ------------------------------------------------------------------ js-driven-reader
TRANSPORT_INS = '    /// JS-driven reading (pkg/api.js awaits `reader.read()` itself): the reader, while the body\n    /// is not finished. The body keeps owning it (cancelled on abort or drop).\n    pub(crate) fn reader(&self) -> Option<ReadableStreamDefaultReader> {\n        if self.done {\n            return None;\n        }\n        self.reader.as_ref().map(CloneRef::clone_ref)\n    }\n\n    /// JS-driven reading: a chunk arrived (the timeout restarts).\n    pub(crate) fn touch(&self) {\n        if let Some(a) = &self.attempt {\n            a.touch();\n        }\n    }\n\n    /// JS-driven reading: a read starts (the idle timeout runs while it is pending).\n    pub(crate) fn wait(&self) {\n        if let Some(a) = &self.attempt {\n            a.wait();\n        }\n    }\n\n    /// JS-driven reading: the timeout fired (it cancels the reader, so the pending read\n    /// resolved `done`).\n    pub(crate) fn timed_out(&self) -> Option<Error> {\n        self.attempt.as_ref().and_then(Attempt::timed_out)\n    }\n\n    /// JS-driven reading: the read resolved `done` (releases the lock, no cancel on drop).\n    pub(crate) fn finished(&mut self) {\n        self.done = true;\n        self.release();\n    }\n\n    /// JS-driven reading: what a rejected read means (our abort, our timeout, the network).\n    pub(crate) fn read_error(&mut self, err: &JsValue) -> Error {\n        self.done = true;\n        match &self.attempt {\n            Some(a) => a.classify(&self.cancel, err),\n            None if self.cancel.is_aborted() => Error::Abort,\n            None => Error::Connection { message: js_message(err) },\n        }\n    }\n\n'
STREAM_INS = '    /// JS-driven mode (pkg/api.js reads the body: one `await reader.read()` per chunk in JS\n    /// instead of a `JsFuture` and two closures per chunk here): resolves once the response\n    /// headers arrived (retries happen before) with the body\'s reader, or `None` when there is\n    /// nothing to read (the stream already ended).\n    pub fn poll_open(&mut self, cx: &mut Context<\'_>) -> Poll<Result<Option<ReadableStreamDefaultReader>, Error>> {\n        if let Some(e) = self.stash.take() {\n            self.failed = true;\n            return Poll::Ready(Err(e));\n        }\n        loop {\n            if self.failed {\n                return Poll::Ready(Ok(None));\n            }\n            if self.cancel.is_aborted() {\n                return Poll::Ready(Err(self.fail(Error::Abort)));\n            }\n            match &mut self.phase {\n                Phase::Starting(start) => match start.as_mut().poll(cx) {\n                    Poll::Pending => return Poll::Pending,\n                    Poll::Ready(Ok(body)) => self.phase = Phase::Reading(body),\n                    Poll::Ready(Err(e)) => return Poll::Ready(Err(self.fail(e))),\n                },\n                Phase::Reading(body) => return Poll::Ready(Ok(body.reader())),\n                Phase::Ended => return Poll::Ready(Ok(None)),\n            }\n        }\n    }\n\n    /// JS-driven mode: true once the consumer needs nothing more from the body (terminal event\n    /// applied, or an error handed out); the caller then stops reading and calls `close`.\n    pub fn is_finished(&self) -> bool {\n        self.failed || self.state.is_finished()\n    }\n\n    /// JS-driven mode: a read of the body starts (the idle timeout runs while it is pending).\n    pub fn wait_read(&self) {\n        if let Phase::Reading(body) = &self.phase {\n            body.wait();\n        }\n    }\n\n    /// JS-driven mode: no more reads (drops the body: cancels it if unfinished).\n    pub fn close(&mut self) {\n        self.phase = Phase::Ended;\n    }\n\n    /// JS-driven mode: one chunk in, synchronously; out, the JSON array of the events it\n    /// completed (`None`: none yet). As in batch mode, each event must be applied with\n    /// [`apply_next`](Self::apply_next) as the consumer takes it.\n    pub fn feed_batch(&mut self, chunk: &[u8]) -> Result<Option<String>, Error> {\n        self.before_batch()?;\n        if let Phase::Reading(body) = &self.phase {\n            body.touch();\n        }\n        self.state.feed(chunk);\n        Ok(self.drain_batch())\n    }\n\n    /// JS-driven mode: the body ended (`error: None`) or a read was rejected (`Some(reason)`).\n    /// `Ok(None)`: the stream ended normally; else the error (truncated stream, abort, timeout,\n    /// connection lost mid-stream).\n    pub fn end_batch(&mut self, error: Option<JsValue>) -> Result<Option<String>, Error> {\n        self.before_batch()?;\n        if let Some(err) = error {\n            let e = match &mut self.phase {\n                Phase::Reading(body) => body.read_error(&err),\n                _ => Error::Connection { message: super::transport::js_message(&err) },\n            };\n            let e = match e {\n                Error::Connection { message } => Error::Stream {\n                    message: format!("the connection was lost mid-stream: {message}"),\n                    response: self.snapshot_json(),\n                },\n                other => other,\n            };\n            return Err(self.fail(e));\n        }\n        if let Phase::Reading(body) = &mut self.phase {\n            if let Some(e) = body.timed_out() {\n                return Err(self.fail(e));\n            }\n            body.finished();\n        }\n        self.phase = Phase::Ended;\n        self.state.end_of_body();\n        if let Some(batch) = self.drain_batch() {\n            return Ok(Some(batch));\n        }\n        match self.state.end() {\n            Ok(()) => Ok(None),\n            Err(e) => Err(self.fail(e)),\n        }\n    }\n\n    /// Applies what the consumer took and did not apply; reports a pending error or abort.\n    fn before_batch(&mut self) -> Result<(), Error> {\n        while !self.taken.is_empty() {\n            self.apply_next()?;\n        }\n        if let Some(e) = self.stash.take() {\n            return Err(self.fail(e));\n        }\n        if self.cancel.is_aborted() && !self.state.is_finished() {\n            return Err(self.fail(Error::Abort));\n        }\n        Ok(())\n    }\n\n    /// Every event decoded so far as one JSON array (an error met after them is stashed for\n    /// the next call).\n    fn drain_batch(&mut self) -> Option<String> {\n        let mut json: Option<String> = None;\n        while let Some(item) = self.state.pop() {\n            match item {\n                Ok(ev) => {\n                    let s = json.get_or_insert_with(|| String::with_capacity(ev.json().len() + 2));\n                    s.push(if s.is_empty() { \'[\' } else { \',\' });\n                    s.push_str(ev.json());\n                    self.taken.push_back(ev);\n                }\n                Err(e) => {\n                    self.stash = Some(e);\n                    break;\n                }\n            }\n        }\n        if let Some(s) = &mut json {\n            s.push(\']\');\n        }\n        json\n    }\n\n'
BINDINGS_INS = '    /// JS-driven reading: Promise of the body\'s reader once the headers arrived (`undefined`\n    /// when there is nothing to read); rejects with the request\'s error.\n    pub fn open(&self) -> Promise {\n        let inner = self.inner.clone();\n        future_to_promise(async move {\n            let r = poll_fn(|cx| match inner.try_borrow_mut() {\n                Ok(mut s) => s.poll_open(cx),\n                Err(_) => Poll::Ready(Err(Error::stream("the stream is busy (re-entrant call)"))),\n            })\n            .await;\n            match r {\n                Ok(Some(reader)) => Ok(reader.into()),\n                Ok(None) => Ok(JsValue::UNDEFINED),\n                Err(e) => Err(to_js(&e)),\n            }\n        })\n    }\n\n    /// JS-driven reading: one chunk in; the JSON array of the events it completed, or\n    /// `undefined`.\n    pub fn feed(&self, chunk: &[u8]) -> Result<Option<String>, JsValue> {\n        self.with(|s| s.feed_batch(chunk))?.map_err(|e| to_js(&e))\n    }\n\n    /// JS-driven reading: the body ended (no argument) or a read failed (its reason):\n    /// `undefined` at the normal end, else throws the stream\'s error.\n    pub fn end(&self, error: Option<JsValue>) -> Result<Option<String>, JsValue> {\n        self.with(|s| s.end_batch(error))?.map_err(|e| to_js(&e))\n    }\n\n    /// JS-driven reading: a read of the body starts (the idle timeout runs while it waits).\n    pub fn wait(&self) {\n        let _ = self.with(|s| s.wait_read());\n    }\n\n    /// JS-driven reading: true when no more chunks are needed (then call `close`).\n    #[wasm_bindgen(getter)]\n    pub fn finished(&self) -> bool {\n        self.with(|s| s.is_finished()).unwrap_or(true)\n    }\n\n    /// JS-driven reading: stop reading (cancels an unfinished body).\n    pub fn close(&self) {\n        let _ = self.with(|s| s.close());\n    }\n\n'

PULL_OLD = """      let text;
      try {
        text = await this.#raw.next_batch();
      } catch (e) {
        throw this.#fail(this.#aborted ? this.#error ?? toError(e) : toError(e));
      }
      if (text === undefined) {
        this.#end('done');
        continue;
      }
      this.#batch = JSON.parse(text);
      this.#index = 0;
    }
  }"""
PULL_NEW = """      let text;
      try {
        text = await this.#read();
      } catch (e) {
        throw this.#fail(this.#aborted ? this.#error ?? toError(e) : toError(e));
      }
      if (text === null) {
        this.#end('done');
        continue;
      }
      if (text !== undefined) {
        this.#batch = JSON.parse(text);
        this.#index = 0;
      }
    }
  }

  /**
   * Reads one chunk of the body (here, in JS: one `await reader.read()`, no wasm future per
   * chunk) and feeds it to the wasm side synchronously: the JSON batch of the events it
   * completed, `undefined` for none yet, `null` at the normal end; throws the stream's error.
   */
  async #read() {
    if (this.#reader === undefined) this.#reader = (await this.#raw.open()) ?? null;
    if (this.#reader === null || this.#raw.finished) {
      this.#raw.close();
      return this.#raw.end() ?? null;
    }
    let r;
    try {
      this.#raw.wait();
      r = await this.#reader.read();
    } catch (e) {
      return this.#raw.end(e ?? new Error('read failed')) ?? null;
    }
    if (r.done) return this.#raw.end() ?? null;
    if (!(r.value instanceof Uint8Array)) {
      return this.#raw.end(new TypeError('the body yielded a chunk that is not a Uint8Array')) ?? null;
    }
    return this.#raw.feed(r.value);
  }"""
READER_FIELD = """  /** The body's reader (undefined before the headers, null when there is none). */
  #reader = undefined;
"""


def edit_reader(f, s):
    if f == 'src/wasm/transport.rs':
        return replace(s, "    /// Reads the rest of the body as text (lossy UTF-8), keeping at most `limit` bytes.",
                       TRANSPORT_INS + "    /// Reads the rest of the body as text (lossy UTF-8), keeping at most `limit` bytes.")
    if f == 'src/wasm/stream.rs':
        s = replace(s, "use super::transport::{Body, Cancel};",
                    "use wasm_bindgen::JsValue;\n\nuse super::sys::ReadableStreamDefaultReader;\nuse super::transport::{Body, Cancel};")
        return replace(s, "    /// Batch mode: folds the next handed-out event into the snapshot;",
                       STREAM_INS + "    /// Batch mode: folds the next handed-out event into the snapshot;")
    if f == 'src/wasm/bindings.rs':
        return replace(s, "    /// Folds the next taken event into the snapshot; throws when it ends the stream in error.",
                       BINDINGS_INS + "    /// Folds the next taken event into the snapshot; throws when it ends the stream in error.")
    if f == 'js/api.js':
        s = replace(s, PULL_OLD, PULL_NEW)
        return replace(s, "  #final = null;\n", "  #final = null;\n" + READER_FIELD)
    return s


# ------------------------------------------------------------------ fast next()
NEXT_OLD = """  /** The next event; queued behind any pending call. */
  next() {
    const p = this.#chain.then(() => this.#pull());
    this.#chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }"""
NEXT_NEW = """  /** The next event; queued behind any pending call. */
  next() {
    // Fast path: no call pending and an event already decoded: no queueing through #chain
    // (which costs three promises and an async call per event).
    if (this.#pending === 0 && this.#state === 'open' && !this.#aborted && this.#index < this.#batch.length) {
      try {
        return Promise.resolve(this.#take());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    this.#pending++;
    const p = this.#chain.then(() => this.#pull());
    const settle = () => {
      this.#pending--;
    };
    this.#chain = p.then(settle, settle);
    return p;
  }

  /** Hands out the next decoded event (folding it into the snapshot first). */
  #take() {
    const event = this.#batch[this.#index++];
    try {
      this.#raw.step();
    } catch (e) {
      throw this.#fail(toError(e));
    }
    if (this.#handlers.size !== 0) this.#emit(event);
    return { done: false, value: event };
  }"""
TAKE_OLD = """      if (this.#index < this.#batch.length) {
        const event = this.#batch[this.#index++];
        try {
          this.#raw.step();
        } catch (e) {
          throw this.#fail(toError(e));
        }
        if (this.#handlers.size !== 0) this.#emit(event);
        return { done: false, value: event };
      }"""
TAKE_NEW = """      if (this.#index < this.#batch.length) return this.#take();"""


def edit_reader_fast(f, s):
    s = edit_reader(f, s)
    if f == 'js/api.js':
        s = replace(s, NEXT_OLD, NEXT_NEW)
        s = replace(s, TAKE_OLD, TAKE_NEW)
        s = replace(s, READER_FIELD, READER_FIELD + "  /** next() calls not settled yet (the fast path needs none). */\n  #pending = 0;\n")
    return s


# ------------------------------------------------------------------ delta fast path
DECODE_OLD = """    let wire: Wire<'_> = match serde_json::from_str(&data) {"""
DECODE_NEW = """    // The hot path: a `*.delta` event of the usual shape is read in one pass, without serde
    // (about 3x less work per event in wasm; bench/experiments/decode.mjs). Anything unusual
    // goes on to the general path below, so results are the same either way.
    match fast::delta(data) {
        Ok(ev) => Ok(Some(ev)),
        Err(data) => decode_general(data, sse_name),
    }
}

/// The general path: any event object, through serde (after the checks of `decode_data`).
fn decode_general(data: String, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    let wire: Wire<'_> = match serde_json::from_str(&data) {"""
FAST_TAIL = '\n// ---------------------------------------------------------------------------------------------\n// Fast path for `*.delta` events (nearly every event of a long stream).\n\nmod fast {\n    use super::{EventKind, ResponseEvent, StrRef};\n\n    /// serde_json\'s default recursion limit: deeper values go to the general path.\n    const MAX_DEPTH: u32 = 127;\n\n    /// Wire fields the general path reads that a delta event does not use: their presence\n    /// (rare) sends the event to the general path, which also reports duplicates of them.\n    const OTHER_WIRE_FIELDS: [&[u8]; 13] = [\n        b"annotation_index", b"text", b"refusal", b"arguments", b"input", b"code", b"message",\n        b"param", b"response", b"item", b"part", b"annotation", b"error",\n    ];\n\n    #[derive(Default)]\n    struct Fields {\n        ty: Option<(usize, usize)>,\n        item_id: Option<StrRef>,\n        delta: Option<StrRef>,\n        sequence_number: Option<u64>,\n        output_index: Option<u64>,\n        content_index: Option<u64>,\n        summary_index: Option<u64>,\n    }\n\n    /// The event, or the data back when this is not a plain delta event or anything about it\n    /// is unusual (another type, a field of an unexpected type, a duplicate field, a `\\u`\n    /// escape, invalid JSON, …): then the general path decides.\n    pub(super) fn delta(data: String) -> Result<ResponseEvent, String> {\n        let Some(f) = scan(&data) else { return Err(data) };\n        let Some((ts, te)) = f.ty else { return Err(data) };\n        let kind = EventKind::from_type(&data[ts..te]);\n        if !kind.is_delta() || f.delta.is_none() {\n            return Err(data);\n        }\n        Ok(ResponseEvent {\n            json: data,\n            kind,\n            other_type: None,\n            sequence_number: f.sequence_number,\n            output_index: f.output_index,\n            content_index: f.content_index,\n            summary_index: f.summary_index,\n            annotation_index: None,\n            item_id: f.item_id,\n            text: f.delta,\n            payload: None,\n            error: None,\n        })\n    }\n\n    fn is_ws(b: u8) -> bool {\n        matches!(b, b\' \' | b\'\\t\' | b\'\\n\' | b\'\\r\')\n    }\n\n    fn ws(b: &[u8], mut i: usize) -> usize {\n        while i < b.len() && is_ws(b[i]) {\n            i += 1;\n        }\n        i\n    }\n\n    /// `i` at an opening quote: (end of the content, index after the closing quote, escaped).\n    /// `None` for a control character, an invalid escape, or any `\\u` escape (surrogate rules\n    /// are left to serde_json).\n    fn string(b: &[u8], i: usize) -> Option<(usize, usize, bool)> {\n        let mut j = i + 1;\n        let mut escaped = false;\n        loop {\n            match *b.get(j)? {\n                b\'"\' => return Some((j, j + 1, escaped)),\n                b\'\\\\\' => {\n                    match *b.get(j + 1)? {\n                        b\'"\' | b\'\\\\\' | b\'/\' | b\'b\' | b\'f\' | b\'n\' | b\'r\' | b\'t\' => {}\n                        _ => return None,\n                    }\n                    escaped = true;\n                    j += 2;\n                }\n                0..=0x1f => return None,\n                _ => j += 1,\n            }\n        }\n    }\n\n    /// A JSON number per RFC 8259; the index after it.\n    fn number(b: &[u8], mut i: usize) -> Option<usize> {\n        let digits = |b: &[u8], mut i: usize| {\n            let s = i;\n            while i < b.len() && b[i].is_ascii_digit() {\n                i += 1;\n            }\n            (i > s).then_some(i)\n        };\n        if b.get(i) == Some(&b\'-\') {\n            i += 1;\n        }\n        match *b.get(i)? {\n            b\'0\' => i += 1,\n            b\'1\'..=b\'9\' => i = digits(b, i)?,\n            _ => return None,\n        }\n        if b.get(i) == Some(&b\'.\') {\n            i = digits(b, i + 1)?;\n        }\n        if matches!(b.get(i), Some(b\'e\' | b\'E\')) {\n            i += 1;\n            if matches!(b.get(i), Some(b\'+\' | b\'-\')) {\n                i += 1;\n            }\n            i = digits(b, i)?;\n        }\n        Some(i)\n    }\n\n    /// Validates and skips one JSON value starting at `i`; the index after it.\n    fn skip(b: &[u8], i: usize, depth: u32) -> Option<usize> {\n        match *b.get(i)? {\n            b\'"\' => string(b, i).map(|(_, n, _)| n),\n            b\'t\' => b[i..].starts_with(b"true").then_some(i + 4),\n            b\'f\' => b[i..].starts_with(b"false").then_some(i + 5),\n            b\'n\' => b[i..].starts_with(b"null").then_some(i + 4),\n            b\'[\' | b\'{\' if depth >= MAX_DEPTH => None,\n            b\'[\' => {\n                let mut j = ws(b, i + 1);\n                if b.get(j) == Some(&b\']\') {\n                    return Some(j + 1);\n                }\n                loop {\n                    j = ws(b, skip(b, j, depth + 1)?);\n                    match *b.get(j)? {\n                        b\',\' => j = ws(b, j + 1),\n                        b\']\' => return Some(j + 1),\n                        _ => return None,\n                    }\n                }\n            }\n            b\'{\' => {\n                let mut j = ws(b, i + 1);\n                if b.get(j) == Some(&b\'}\') {\n                    return Some(j + 1);\n                }\n                loop {\n                    if b.get(j) != Some(&b\'"\') {\n                        return None;\n                    }\n                    j = ws(b, string(b, j)?.1);\n                    if b.get(j) != Some(&b\':\') {\n                        return None;\n                    }\n                    j = ws(b, skip(b, ws(b, j + 1), depth + 1)?);\n                    match *b.get(j)? {\n                        b\',\' => j = ws(b, j + 1),\n                        b\'}\' => return Some(j + 1),\n                        _ => return None,\n                    }\n                }\n            }\n            _ => number(b, i),\n        }\n    }\n\n    /// A non-negative integer that fits u64 (what the general path reads as `Some`).\n    fn uint(b: &[u8], i: usize) -> Option<(u64, usize)> {\n        let end = number(b, i)?;\n        let digits = &b[i..end];\n        if !digits.iter().all(u8::is_ascii_digit) {\n            return None; // negative, fraction or exponent\n        }\n        let mut n: u64 = 0;\n        for &d in digits {\n            n = n.checked_mul(10)?.checked_add(u64::from(d - b\'0\'))?;\n        }\n        Some((n, end))\n    }\n\n    /// A string value: a range into `s` when unescaped, else the unescaped copy.\n    fn str_ref(s: &str, i: usize) -> Option<(StrRef, usize)> {\n        let (end, next, escaped) = string(s.as_bytes(), i)?;\n        let r = if escaped {\n            StrRef::Owned(serde_json::from_str::<String>(s.get(i..next)?).ok()?.into_boxed_str())\n        } else {\n            StrRef::Range(i + 1..end)\n        };\n        Some((r, next))\n    }\n\n    fn scan(s: &str) -> Option<Fields> {\n        let b = s.as_bytes();\n        let mut f = Fields::default();\n        let mut i = ws(b, 0);\n        if b.get(i) != Some(&b\'{\') {\n            return None;\n        }\n        i = ws(b, i + 1);\n        if b.get(i) == Some(&b\'}\') {\n            return None;\n        }\n        loop {\n            if b.get(i) != Some(&b\'"\') {\n                return None;\n            }\n            let (kend, next, kesc) = string(b, i)?;\n            if kesc {\n                return None;\n            }\n            let key = &b[i + 1..kend];\n            i = ws(b, next);\n            if b.get(i) != Some(&b\':\') {\n                return None;\n            }\n            i = ws(b, i + 1);\n            // Each wanted field at most once, with the type the event needs.\n            macro_rules! once {\n                ($slot:expr, $val:expr) => {{\n                    if $slot.is_some() {\n                        return None;\n                    }\n                    let (v, n) = $val?;\n                    $slot = Some(v);\n                    i = n;\n                }};\n            }\n            match key {\n                b"type" => {\n                    if b.get(i) != Some(&b\'"\') {\n                        return None;\n                    }\n                    let (end, n, esc) = string(b, i)?;\n                    if esc || f.ty.is_some() {\n                        return None;\n                    }\n                    f.ty = Some((i + 1, end));\n                    i = n;\n                }\n                b"delta" if b.get(i) == Some(&b\'"\') => once!(f.delta, str_ref(s, i)),\n                b"item_id" if b.get(i) == Some(&b\'"\') => once!(f.item_id, str_ref(s, i)),\n                b"sequence_number" => once!(f.sequence_number, uint(b, i)),\n                b"output_index" => once!(f.output_index, uint(b, i)),\n                b"content_index" => once!(f.content_index, uint(b, i)),\n                b"summary_index" => once!(f.summary_index, uint(b, i)),\n                b"delta" | b"item_id" => return None,\n                k if OTHER_WIRE_FIELDS.contains(&k) => return None,\n                _ => i = skip(b, i, 1)?,\n            }\n            i = ws(b, i);\n            match *b.get(i)? {\n                b\',\' => i = ws(b, i + 1),\n                b\'}\' => return (ws(b, i + 1) == b.len()).then_some(f),\n                _ => return None,\n            }\n        }\n    }\n}\n\n#[cfg(test)]\nmod fast_path_tests {\n    use super::{decode_data, decode_general};\n\n    const SAMPLE: &str = r#"{"type":"response.output_text.delta","content_index":0,"delta":"Mount \\"Columbia\\"\\n","item_id":"msg_0a4b","logprobs":[],"obfuscation":"OnqWc7u","output_index":2,"sequence_number":15}"#;\n\n    fn same(data: &str) {\n        let a = decode_data(data.to_owned(), "message");\n        let b = decode_general(data.to_owned(), "message");\n        // decode_data also rejects non-objects before either path; compare what both see.\n        if data.trim_start().starts_with(\'{\') {\n            assert_eq!(a, b, "fast and general paths differ on {data:?}");\n        }\n    }\n\n    #[test]\n    fn fast_path_agrees_with_serde_on_edge_cases() {\n        for d in [\n            SAMPLE,\n            r#"{"type":"response.output_text.delta","delta":""}"#,\n            r#" {"type" : "response.refusal.delta" , "delta" : "x" , "output_index" : 0 } "#,\n            r#"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#,\n            r#"{"type":"response.output_text.delta","delta":"\\u00e9"}"#,\n            r#"{"type":"response.output_text.delta","delta":"\\x"}"#,\n            r#"{"type":"response.output_text.delta","delta":5}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":-1}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":1.0}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":1e2}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":18446744073709551616}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":01}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","output_index":"1"}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","x":[1,{"y":[true,false,null,-0.5e-3]}]}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","x":[1,]}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","x":{"a":1,}}"#,\n            r#"{"type":"response.output_text.delta","delta":"a"} x"#,\n            r#"{"type":"response.output_text.delta","delta":"a""#,\n            r#"{"type":"response.output_text.delta","delta":"a","text":"b"}"#,\n            r#"{"type":"response.output_text.delta","delta":"a","response":{}}"#,\n            r#"{"type":"response.output_text.done","text":"a"}"#,\n            r#"{"type":"something.new","delta":"a"}"#,\n            r#"{"type":5,"delta":"a"}"#,\n            r#"{"delta":"a"}"#,\n            r#"{}"#,\n            "{\\"type\\":\\"response.output_text.delta\\",\\"delta\\":\\"a\\u{1}\\"}",\n            "{\\"type\\":\\"response.output_text.delta\\",\\"delta\\":\\"日本語 🚀\\"}",\n        ] {\n            same(d);\n        }\n    }\n\n    #[test]\n    fn fast_path_agrees_with_serde_on_every_truncation_and_byte_change() {\n        let b = SAMPLE.as_bytes();\n        for n in 0..=b.len() {\n            if let Ok(s) = std::str::from_utf8(&b[..n]) {\n                same(s);\n            }\n        }\n        for i in 0..b.len() {\n            for c in [b\'"\', b\'\\\\\', b\',\', b\':\', b\'{\', b\'}\', b\'[\', b\']\', b\'0\', b\'-\', b\' \', b\'x\', b\'e\', b\'.\'] {\n                let mut m = b.to_vec();\n                m[i] = c;\n                if let Ok(s) = std::str::from_utf8(&m) {\n                    same(s);\n                }\n            }\n        }\n    }\n}\n'


def edit_delta(f, s):
    if f == 'src/event.rs':
        s = replace(s, DECODE_OLD, DECODE_NEW)
        return s + FAST_TAIL
    return s


if __name__ == '__main__':
    make('sse-flat-array.diff', ['src/wasm/parser.rs', 'js/api.js'], edit_sse)
    reader_files = ['src/wasm/stream.rs', 'src/wasm/transport.rs', 'src/wasm/bindings.rs', 'js/api.js']
    a = make('js-driven-reader.diff', reader_files, edit_reader)
    make('js-driven-reader+fast-next.diff', reader_files, edit_reader_fast)
    b = make('delta-fast-path.diff', ['src/event.rs'], edit_delta)
    with open(os.path.join(HERE, 'js-driven-reader+delta-fast-path.diff'), 'w') as fh:
        fh.write(a + b)


# ------------------------------------------------------------------ no core float parsing
def edit_nofloat(f, s):
    if f != 'src/retry.rs':
        return s
    return replace(s, """    s.parse::<f64>().ok().filter(|f| f.is_finite())
}""", """    // Not `str::parse::<f64>`: core's float parser brings ~4 KB of code and a ~10 KB table of
    // powers of five into the wasm (-14 KiB gzip measured). serde_json's own parser is linked
    // anyway. (JSON grammar: "+1", "1." and ".5" are no longer accepted.)
    serde_json::from_str::<f64>(s).ok().filter(|f| f.is_finite())
}""")


# ------------------------------------------------------------------ no abort after a completed body
def edit_noabort(f, s):
    if f != 'src/wasm/transport.rs':
        return s
    s = replace(s, """    interval: JsValue,
    _tick: Closure<dyn FnMut()>,
}""", """    interval: JsValue,
    _tick: Closure<dyn FnMut()>,
    /// The body was read to its end: nothing to abort on drop (Node builds a DOMException
    /// for every abort(), a measurable cost per request).
    finished: Cell<bool>,
}""")
    s = replace(s, "Attempt { controller, watch, timeout_ms, interval, _tick: tick }",
                "Attempt { controller, watch, timeout_ms, interval, _tick: tick, finished: Cell::new(false) }")
    s = replace(s, """        sys::clear_interval(&self.interval);
        self.controller.abort();""", """        sys::clear_interval(&self.interval);
        if !self.finished.get() {
            self.controller.abort();
        }""")
    s = replace(s, """            if result.done() {
                self.done = true;
                self.release();""", """            if result.done() {
                self.done = true;
                if let Some(a) = &self.attempt {
                    a.finished.set(true);
                }
                self.release();""")
    if 'pub(crate) fn finished(&mut self) {' in s:  # with the JS-driven reader
        s = replace(s, """    pub(crate) fn finished(&mut self) {
        self.done = true;""", """    pub(crate) fn finished(&mut self) {
        self.done = true;
        if let Some(a) = &self.attempt {
            a.finished.set(true);
        }""")
    return s


def edit_all(f, s):
    return edit_noabort(f, edit_nofloat(f, edit_delta(f, edit_reader(f, s))))


if __name__ == '__main__':
    make('no-core-float-parse.diff', ['src/retry.rs'], edit_nofloat)
    make('no-abort-after-end.diff', ['src/wasm/transport.rs'], edit_noabort)
    make('all-proposals.diff', ['src/wasm/stream.rs', 'src/wasm/transport.rs', 'src/wasm/bindings.rs', 'js/api.js',
                                'src/event.rs', 'src/retry.rs'], edit_all)
