//! The option objects of the JS API, read from their JSON text (one `JSON.stringify` in JS):
//! `ResponsesClient` options and a call's options (the request's, and the query options its
//! operation takes). A wrong type is a `TypeError` naming the option.

use std::collections::BTreeMap;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::endpoint::{Field, Query};

/// `new ResponsesClient(options)` without `fetch` (which stays in JS).
pub(super) struct ClientOptions {
    pub(super) api_key: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) headers: Option<BTreeMap<String, Value>>,
    pub(super) max_retries: Option<u32>,
    pub(super) timeout: Option<f64>,
}

/// A call's options (`signal` stays in JS): the request's, and the query options its operation
/// takes.
pub(super) struct CallOptions {
    pub(super) timeout: Option<f64>,
    pub(super) max_retries: Option<u32>,
    pub(super) headers: Option<BTreeMap<String, Value>>,
    pub(super) query: Query,
    /// `retrieveStream`'s `startingAfter`: the events through it are hidden, not skipped (the
    /// request asks for every event so that the snapshot is the whole response).
    pub(super) hide_through: Option<u64>,
}

fn type_error(what: &str, e: impl std::fmt::Display) -> JsValue {
    js_sys::TypeError::new(&format!("{what}: {e}")).into()
}

/// Reads an option object given as JSON text with `f` (`undefined` and `null`: every option
/// absent). A wrong type is a `TypeError` naming the option.
pub(super) fn read<T>(json: Option<String>, f: impl FnOnce(&Value) -> Result<T, String>) -> Result<T, JsValue> {
    // As JSON.parse reads it: a lone surrogate (a URL's `after`, a header) is U+FFFD, as in a
    // URL; a header value that is not a ByteString is fetch's to refuse.
    let v = match json {
        None => Value::Null,
        Some(json) => {
            crate::event::lenient::parse_value(&json).map_err(|_| type_error("options", "must be an object"))?
        }
    };
    if !v.is_null() && !v.is_object() {
        return Err(type_error("options", "must be an object"));
    }
    f(&v).map_err(|e| js_sys::TypeError::new(&e).into())
}

fn string(v: &Value, k: &str) -> Result<Option<String>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{k} must be a string")),
    }
}

fn integer<T: TryFrom<u64>>(v: &Value, k: &str) -> Result<Option<T>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_u64().and_then(|n| T::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            // A number is shown; another value is named by its type only (it may be a secret
            // passed in the wrong place).
            None if x.is_number() => {
                Err(format!("{k} must be a non-negative integer, got {}", serde_json::to_string(x).unwrap_or_default()))
            }
            None => Err(format!("{k} must be a non-negative integer, got {}", type_name(x))),
        },
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn number(v: &Value, k: &str) -> Result<Option<f64>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => {
            x.as_f64().filter(|t| *t >= 0.0).map(Some).ok_or_else(|| format!("{k} must be a non-negative number"))
        }
    }
}

fn header_map(v: &Value, k: &str) -> Result<Option<BTreeMap<String, Value>>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            // inserted one by one: `collect` into a BTreeMap would link a stable sort
            let mut out = BTreeMap::new();
            for (a, b) in m {
                out.insert(a.clone(), b.clone());
            }
            Ok(Some(out))
        }
        Some(_) => Err(format!("{k} must be an object of strings")),
    }
}

impl ClientOptions {
    pub(super) fn from_value(v: &Value) -> Result<Self, String> {
        Ok(ClientOptions {
            api_key: string(v, "apiKey")?,
            base_url: string(v, "baseURL")?,
            headers: header_map(v, "headers")?,
            max_retries: integer(v, "maxRetries")?,
            timeout: number(v, "timeout")?,
        })
    }
}

impl CallOptions {
    /// The options of a call whose operation takes the query parameters `fields`; the others
    /// are not read.
    pub(super) fn from_value(v: &Value, fields: &[Field]) -> Result<Self, String> {
        let mut o = CallOptions {
            timeout: number(v, "timeout")?,
            max_retries: integer(v, "maxRetries")?,
            headers: header_map(v, "headers")?,
            query: Query::default(),
            hide_through: None,
        };
        let q = &mut o.query;
        for field in fields {
            match field {
                Field::Stream => {}
                Field::StartingAfter => o.hide_through = integer(v, "startingAfter")?,
                Field::Purpose => q.purpose = string(v, "purpose")?,
                Field::After => q.after = string(v, "after")?,
                Field::Limit(_) => q.limit = integer(v, "limit")?,
                Field::Order => q.order = string(v, "order")?,
                Field::Include => {
                    q.include = match v.get("include") {
                        None | Some(Value::Null) => Vec::new(),
                        Some(Value::Array(a)) => a
                            .iter()
                            .map(|x| x.as_str().map(str::to_owned))
                            .collect::<Option<_>>()
                            .ok_or("include must be an array of strings")?,
                        Some(_) => return Err("include must be an array of strings".into()),
                    }
                }
            }
        }
        Ok(o)
    }
}

pub(super) fn headers(map: Option<BTreeMap<String, Value>>, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    for (k, v) in map.unwrap_or_default() {
        match v {
            Value::String(s) => out.push((k, s)),
            Value::Number(n) => out.push((k, n.to_string())),
            Value::Bool(b) => out.push((k, b.to_string())),
            Value::Null => {}
            _ => {
                return Err(type_error(
                    what,
                    format_args!("header {} must be a string", serde_json::to_string(&k).unwrap_or_default()),
                ))
            }
        }
    }
    Ok(out)
}

pub(super) fn timeout_ms(t: Option<f64>, what: &str) -> Result<Option<u64>, JsValue> {
    match t.map(crate::endpoint::timeout_ms) {
        Some(None) => Err(type_error(what, "must be a non-negative number")),
        t => Ok(t.flatten()),
    }
}
