//! The option objects of the JS API, read from their JSON text (one `JSON.stringify` in JS):
//! `ResponsesClient` options and a call's options (the request's, and the query options its
//! operation takes). A wrong type is a `TypeError` naming the option.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::endpoint::{Field, Query};

fn type_error(e: std::fmt::Arguments<'_>) -> JsValue {
    js_sys::TypeError::new(&e.to_string()).into()
}

/// An option object given as JSON text (`undefined` and `null`: every option absent).
pub(super) fn read(json: Option<String>) -> Result<Value, JsValue> {
    // As JSON.parse reads it: a lone surrogate (a URL's `after`, a header) is U+FFFD, as in a
    // URL; a header value that is not a ByteString is fetch's to refuse.
    let v = match json {
        None => Value::Null,
        Some(json) => crate::event::lenient::parse_value(&json)
            .map_err(|_| type_error(format_args!("options: must be an object")))?,
    };
    if !v.is_null() && !v.is_object() {
        return Err(type_error(format_args!("options: must be an object")));
    }
    Ok(v)
}

pub(super) fn string(v: &Value, k: &str) -> Result<Option<String>, JsValue> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(type_error(format_args!("{k} must be a string"))),
    }
}

pub(super) fn integer<T: TryFrom<u64>>(v: &Value, k: &str) -> Result<Option<T>, JsValue> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_u64().and_then(|n| T::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            // A number is shown; another value is named by its type only (it may be a secret
            // passed in the wrong place).
            None => Err(type_error(format_args!(
                "{k} must be a non-negative integer, got {}",
                match x {
                    Value::Number(_) => serde_json::to_string(x).unwrap_or_default(),
                    Value::Bool(_) => "a boolean".into(),
                    Value::String(_) => "a string".into(),
                    Value::Array(_) => "an array".into(),
                    _ => "an object".into(),
                }
            ))),
        },
    }
}

/// The `maxEventSize` of an options object: bytes (js/shared.js `eventLimit` checked it; 0
/// is the default, [`crate::sse::DEFAULT_MAX_EVENT_SIZE`]).
pub(super) fn max_event_size(v: &Value) -> Result<Option<usize>, JsValue> {
    Ok(integer::<u32>(v, "maxEventSize")?.filter(|&n| n > 0).map(|n| n as usize))
}

/// A timeout in whole ms (JSON has no non-finite number).
pub(super) fn timeout(v: &Value, k: &str) -> Result<Option<u64>, JsValue> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => x
            .as_f64()
            .and_then(crate::endpoint::timeout_ms)
            .map(Some)
            .ok_or_else(|| type_error(format_args!("{k} must be a non-negative number"))),
    }
}

/// The headers object `k` (its values are read by [`headers`]).
pub(super) fn object<'a>(v: &'a Value, k: &str) -> Result<Option<&'a Map<String, Value>>, JsValue> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(type_error(format_args!("{k} must be an object of strings"))),
    }
}

/// A headers object's pairs, in name order (numbers and booleans as text, `null` left out).
pub(super) fn headers(map: Option<&Map<String, Value>>, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    let Some(map) = map else { return Ok(out) };
    for (k, v) in map {
        match v {
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Number(n) => out.push((k.clone(), n.to_string())),
            Value::Bool(b) => out.push((k.clone(), (if *b { "true" } else { "false" }).to_owned())),
            Value::Null => {}
            // Its name is not quoted: it may be a secret passed in the wrong place.
            _ => return Err(type_error(format_args!("{what}: a header's value must be a string"))),
        }
    }
    Ok(out)
}

/// The query options of a call whose operation takes the query parameters `fields` (the others
/// are not read), and `retrieveStream`'s `startingAfter`: the events through it are hidden, not
/// skipped (the request asks for every event so that the snapshot is the whole response).
pub(super) fn query(v: &Value, fields: &[Field]) -> Result<(Query, Option<u64>), JsValue> {
    let mut q = Query::default();
    let mut hide_through = None;
    for field in fields {
        match field {
            Field::Stream => {}
            Field::StartingAfter => hide_through = integer(v, "startingAfter")?,
            Field::Purpose => q.purpose = string(v, "purpose")?,
            Field::After => q.after = string(v, "after")?,
            Field::Limit(_) => q.limit = integer(v, "limit")?,
            Field::Order => q.order = string(v, "order")?,
            Field::Include => {
                let items = match v.get("include") {
                    None | Some(Value::Null) => &[][..],
                    Some(Value::Array(a)) => a,
                    Some(_) => return Err(type_error(format_args!("include must be an array of strings"))),
                };
                for x in items {
                    let Value::String(s) = x else {
                        return Err(type_error(format_args!("include must be an array of strings")));
                    };
                    q.include.push(s.clone());
                }
            }
        }
    }
    Ok((q, hide_through))
}
