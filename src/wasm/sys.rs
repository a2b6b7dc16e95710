//! The few bindings web-sys lacks: `fetch` on the global object of any runtime (web-sys binds it
//! only on `Window` and `WorkerGlobalScope`; Node and workerd have neither), and helpers for JS
//! errors and promises.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(request)`; a synchronous throw becomes `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn global_fetch(request: &web_sys::Request) -> Result<Promise, JsValue>;
}

/// The message of a JS error value and of its `cause` (fetch's `TypeError("fetch failed")` keeps
/// the real reason there). The call redacts it before it reaches an error.
pub fn message(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        let mut msg: String = e.message().into();
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

/// The `name` of a JS error value (`AbortError`, `TypeError`, …), if it has a string one.
pub fn name(err: &JsValue) -> Option<String> {
    Reflect::get(err, &JsValue::from_str("name")).ok()?.as_string()
}

thread_local! {
    static NOOP: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// Marks a promise's rejection as handled (no "unhandled rejection" in Node).
pub fn ignore_rejection(p: &Promise) {
    NOOP.with(|f| {
        let _ = p.catch(f);
    });
}
