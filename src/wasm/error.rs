//! Core [`Error`] → a plain JS descriptor object that pkg/api.js turns into the exported class.
//!
//! The descriptor carries `name` (the class name) and the class's fields; it never holds
//! the API key, because no core error does.

use crate::error::Error;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Reflect.set on a fresh plain object cannot fail; ignore the Result rather than unwrap.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn opt_str(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// Builds the descriptor thrown to pkg/api.js (which wraps it in the right Error subclass).
pub fn to_js(err: &Error) -> JsValue {
    let obj = Object::new();
    set(&obj, "__cometapi", JsValue::TRUE);
    set(&obj, "name", JsValue::from_str(err.class_name()));
    set(&obj, "message", JsValue::from_str(&err.to_string()));
    if err.belongs_to_snapshot() {
        set(&obj, "ofSnapshot", JsValue::TRUE);
    }
    match err {
        Error::Api(e) => {
            set(&obj, "message", JsValue::from_str(&e.message));
            set(&obj, "status", e.status.map_or(JsValue::UNDEFINED, JsValue::from));
            set(&obj, "code", opt_str(&e.code));
            set(&obj, "type", opt_str(&e.error_type));
            set(&obj, "param", opt_str(&e.param));
            set(&obj, "requestId", opt_str(&e.request_id));
            set(&obj, "body", opt_str(&e.body));
            set(&obj, "response", opt_str(&e.response));
        }
        Error::Stream { response, .. } => set(&obj, "response", opt_str(response)),
        Error::Validation { param, message } => {
            set(&obj, "message", JsValue::from_str(message));
            set(&obj, "param", JsValue::from_str(param));
        }
        Error::OutputParse { text, .. } => set(&obj, "text", JsValue::from_str(text)),
        Error::Connection { .. } | Error::Timeout { .. } | Error::Abort => {}
    }
    obj.into()
}

/// `Result<T, Error>` → `Result<T, JsValue>` for `#[wasm_bindgen]` returns.
pub fn js_err(err: Error) -> JsValue {
    to_js(&err)
}
