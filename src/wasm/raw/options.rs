//! The option objects of the JS API, read from their JSON text (one `JSON.stringify` in JS):
//! `ResponsesClient` options, per-request options and list queries. A wrong type is a
//! `TypeError` naming the option.

use std::collections::BTreeMap;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::endpoint::{FileListQuery, ListQuery};

/// `new ResponsesClient(options)` without `fetch` (which stays in JS).
#[derive(Default)]
pub(super) struct ClientOptions {
    pub(super) api_key: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) headers: Option<BTreeMap<String, Value>>,
    pub(super) max_retries: Option<u32>,
    pub(super) timeout: Option<f64>,
}

/// The per-request options the core reads (`signal` stays in JS).
#[derive(Default)]
pub(super) struct RequestOptions {
    pub(super) timeout: Option<f64>,
    pub(super) max_retries: Option<u32>,
    pub(super) headers: Option<BTreeMap<String, Value>>,
}

/// `inputItems` / `conversations.items.list` options.
#[derive(Default)]
struct ListOptions {
    purpose: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
    order: Option<String>,
    include: Option<Vec<String>>,
}

fn type_error(what: &str, e: impl std::fmt::Display) -> JsValue {
    js_sys::TypeError::new(&format!("{what}: {e}")).into()
}

/// Reads an option object given as JSON text (`undefined`: all defaults). A wrong type is a
/// `TypeError` naming the option.
pub(super) fn read<T: FromValue + Default>(json: Option<String>, what: &str) -> Result<T, JsValue> {
    let Some(json) = json else { return Ok(T::default()) };
    // As JSON.parse reads it: a lone surrogate (a URL's `after`, a header) is U+FFFD, as in a
    // URL; a header value that is not a ByteString is fetch's to refuse.
    let v: Value = crate::event::lenient::parse_value(&json).map_err(|_| type_error(what, "must be an object"))?;
    if v.is_null() {
        return Ok(T::default());
    }
    if !v.is_object() {
        return Err(type_error(what, "must be an object"));
    }
    T::from_value(&v).map_err(|e| type_error(what, e))
}

/// An option object read from its JSON value.
pub(super) trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

fn string(v: &Value, k: &str) -> Result<Option<String>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{k}` must be a string")),
    }
}

fn integer(v: &Value, k: &str) -> Result<Option<u32>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => match x.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => Err(format!("`{k}` must be a non-negative integer")),
        },
    }
}

fn number(v: &Value, k: &str) -> Result<Option<f64>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(x) => {
            x.as_f64().filter(|t| *t >= 0.0).map(Some).ok_or_else(|| format!("`{k}` must be a non-negative number"))
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
        Some(_) => Err(format!("`{k}` must be an object of strings")),
    }
}

impl FromValue for ClientOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        Ok(ClientOptions {
            api_key: string(v, "apiKey")?,
            base_url: string(v, "baseURL")?,
            headers: header_map(v, "headers")?,
            max_retries: integer(v, "maxRetries")?,
            timeout: number(v, "timeout")?,
        })
    }
}

impl FromValue for RequestOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        Ok(RequestOptions {
            timeout: number(v, "timeout")?,
            max_retries: integer(v, "maxRetries")?,
            headers: header_map(v, "headers")?,
        })
    }
}

impl FromValue for ListOptions {
    fn from_value(v: &Value) -> Result<Self, String> {
        let include = match v.get("include") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()),
            Some(_) => return Err("`include` must be an array of strings".into()),
        };
        Ok(ListOptions {
            purpose: string(v, "purpose")?,
            after: string(v, "after")?,
            limit: integer(v, "limit")?,
            order: string(v, "order")?,
            include,
        })
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
            _ => return Err(type_error(what, format_args!("header {} must be a string", Value::from(k)))),
        }
    }
    Ok(out)
}

pub(super) fn timeout_ms(t: Option<f64>, what: &str) -> Result<Option<u64>, JsValue> {
    match t {
        None => Ok(None),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(t as u64)),
        Some(_) => Err(type_error(what, "must be a non-negative number")),
    }
}

pub(super) fn list_query(query: Option<String>) -> Result<ListQuery, JsValue> {
    let q: ListOptions = read(query, "options")?;
    Ok(ListQuery { after: q.after, limit: q.limit, order: q.order, include: q.include.unwrap_or_default() })
}

/// `files.list` options: `{ purpose, limit, after, order }`.
pub(super) fn file_list_query(query: Option<String>) -> Result<FileListQuery, JsValue> {
    let q: ListOptions = read(query, "options")?;
    Ok(FileListQuery { purpose: q.purpose, limit: q.limit, after: q.after, order: q.order })
}
