//! Raw JS bindings, and nothing else: the global `fetch`, timers, `AbortController`, and the
//! parts of `Response`, `Headers` and `ReadableStream` the transport reads.
//!
//! Every global is looked up at call time on the global object of whatever runtime we are in
//! (Window, Worker, Node, workerd) — never through `window`.

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(url, init)`; a synchronous throw becomes `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn global_fetch(url: &str, init: &JsValue) -> Result<Promise, JsValue>;

    /// `setTimeout(handler, ms)`; the id is opaque (a number in browsers, an object in Node).
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);

    /// `setInterval(handler, ms)`.
    #[wasm_bindgen(js_name = setInterval)]
    pub fn set_interval(handler: &Function, ms: f64) -> JsValue;

    /// `clearInterval(id)`.
    #[wasm_bindgen(js_name = clearInterval)]
    pub fn clear_interval(id: &JsValue);

    /// `AbortController`.
    pub type AbortController;
    /// `new AbortController()`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> AbortController;
    /// `controller.signal`.
    #[wasm_bindgen(method, getter)]
    pub fn signal(this: &AbortController) -> AbortSignal;
    /// `controller.abort()`.
    #[wasm_bindgen(method)]
    pub fn abort(this: &AbortController);

    /// `AbortSignal` (the user's, or one of ours).
    #[derive(Clone)]
    pub type AbortSignal;
    /// `signal.aborted`.
    #[wasm_bindgen(method, getter)]
    pub fn aborted(this: &AbortSignal) -> bool;
    /// `signal.addEventListener("abort", f)`.
    #[wasm_bindgen(method, catch, js_name = addEventListener)]
    pub fn add_event_listener(this: &AbortSignal, kind: &str, f: &Function) -> Result<(), JsValue>;
    /// `signal.removeEventListener("abort", f)`.
    #[wasm_bindgen(method, catch, js_name = removeEventListener)]
    pub fn remove_event_listener(this: &AbortSignal, kind: &str, f: &Function) -> Result<(), JsValue>;

    /// A fetch `Response`.
    pub type FetchResponse;
    /// `response.status`.
    #[wasm_bindgen(method, getter)]
    pub fn status(this: &FetchResponse) -> u16;
    /// `response.headers`.
    #[wasm_bindgen(method, getter)]
    pub fn headers(this: &FetchResponse) -> Headers;
    /// `response.body` (null for empty bodies).
    #[wasm_bindgen(method, getter)]
    pub fn body(this: &FetchResponse) -> Option<ReadableStream>;

    /// `Headers`.
    pub type Headers;
    /// `headers.get(name)`.
    #[wasm_bindgen(method, catch)]
    pub fn get(this: &Headers, name: &str) -> Result<Option<String>, JsValue>;

    /// `ReadableStream`.
    pub type ReadableStream;
    /// `stream.getReader()`; throws if the stream is locked.
    #[wasm_bindgen(method, catch, js_name = getReader)]
    pub fn get_reader(this: &ReadableStream) -> Result<ReadableStreamDefaultReader, JsValue>;

    /// `ReadableStreamDefaultReader`.
    pub type ReadableStreamDefaultReader;
    /// `reader.read()` → `Promise<{ done, value }>`.
    #[wasm_bindgen(method)]
    pub fn read(this: &ReadableStreamDefaultReader) -> Promise;
    /// `reader.cancel()`.
    #[wasm_bindgen(method)]
    pub fn cancel(this: &ReadableStreamDefaultReader) -> Promise;
    /// `reader.releaseLock()`.
    #[wasm_bindgen(method, catch, js_name = releaseLock)]
    pub fn release_lock(this: &ReadableStreamDefaultReader) -> Result<(), JsValue>;

    /// A `{ done, value }` read result.
    pub type ReadResult;
    /// `result.done`.
    #[wasm_bindgen(method, getter)]
    pub fn done(this: &ReadResult) -> bool;
    /// `result.value` (a `Uint8Array` for byte streams; anything for foreign streams).
    #[wasm_bindgen(method, getter)]
    pub fn value(this: &ReadResult) -> JsValue;

    /// `Date.now()`.
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn date_now() -> f64;
    /// `Math.random()`.
    #[wasm_bindgen(js_namespace = Math, js_name = random)]
    pub fn random() -> f64;
}

/// A chunk's bytes if `value` is a `Uint8Array` (or any `ArrayBufferView` of bytes).
pub fn as_bytes(value: &JsValue) -> Option<Uint8Array> {
    value.dyn_ref::<Uint8Array>().cloned()
}
