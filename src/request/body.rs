//! The request body as sent: params validated, `stream` set as the method says.

use serde_json::Value;

use super::checks::{describe, expect_type, Ty};
use super::validate::validate;
use crate::error::Error;

/// Parses `params_json` (a JSON object), validates it, sets `stream`, and serialises the body.
///
/// `stream == true` (for `stream()`): `"stream": true` is set. `stream == false` (for
/// `create()`): a `stream` the caller gave is set to `false` (the caller wants JSON back);
/// an absent one stays absent (the server's default is false). `stream_options` is judged
/// against this effective value. The text is kept byte for byte when nothing needs changing,
/// and `"stream":true` is spliced in at the front when it was absent; only when an existing
/// `stream` value must change is its value replaced in the text (every top-level `stream`
/// member's). Params are read as `JSON.parse` reads them: a lone surrogate escape (`"\ud800"`,
/// which `JSON.stringify` writes for a lone surrogate) or a number beyond f64's range is valid
/// and, like everything else in the text, sent as written.
pub fn prepare_body(params_json: &str, stream: bool) -> Result<String, Error> {
    prepare(params_json, stream).map(|(body, _)| body)
}

/// [`prepare_body`], also telling whether the params ask for `background: true`.
pub fn prepare(params_json: &str, stream: bool) -> Result<(String, bool), Error> {
    prepare_full(params_json, stream).map(|p| (p.body, p.background))
}

/// A request body and what the params ask for besides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The body ([`prepare_body`]).
    pub body: String,
    /// `background: true`.
    pub background: bool,
    /// A structured output: `text.format.type` is `"json_schema"` ([`crate::structured`]).
    pub json_schema: bool,
}

/// [`prepare_body`], with what else the params ask for.
pub fn prepare_full(params_json: &str, stream: bool) -> Result<Prepared, Error> {
    let mut v: Value = crate::event::lenient::parse_value(params_json).map_err(|e| {
        Error::validation(
            "params",
            format!(
                "params must be a JSON object; the text is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Value::Object(obj) = &mut v else {
        return Err(Error::validation("params", format!("params must be an object; got {}", describe(&v))));
    };
    // The caller's own `stream` must still have the right type.
    expect_type("stream", obj.get("stream").filter(|s| !s.is_null()), Ty::Bool)?;
    let had_key = obj.contains_key("stream");
    let given = obj.get("stream").and_then(Value::as_bool);
    let wanted = if stream { Some(true) } else { given.map(|_| false) };
    if let Some(w) = wanted {
        obj.insert("stream".to_owned(), Value::Bool(w));
    }
    validate(&v)?;
    let background = obj_background(&v);
    let json_schema = crate::structured::is_json_schema(&v);
    let prepared = |body| Prepared { body, background, json_schema };

    if wanted.is_none() || given == wanted {
        return Ok(prepared(params_json.to_owned()));
    }
    if !had_key {
        // Absent before: splice it in at the front (the object is not empty: `model` exists).
        if let Some(rest) = params_json.trim_start().strip_prefix('{') {
            return Ok(prepared(format!("{{\"stream\":true,{rest}")));
        }
    }
    let value = if wanted == Some(true) { "true" } else { "false" };
    match set_members(params_json, "stream", value) {
        Some(body) => Ok(prepared(body)),
        None => serde_json::to_string(&v).map(prepared).map_err(|e| Error::validation("params", e.to_string())),
    }
}

/// `text`, a JSON object, with the value of every top-level member named `key` replaced by
/// `value` (JSON text), the rest as written; `None` when `text` is not an object.
fn set_members(text: &str, key: &str, value: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut out = String::with_capacity(text.len() + value.len());
    let mut copied = 0;
    loop {
        i = skip_ws(b, i);
        match b.get(i)? {
            b'}' => break,
            b',' => {
                i += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let name_end = string_end(b, i + 1)?;
        let name = text.get(i..name_end)?;
        let named = name.get(1..name.len().saturating_sub(1)) == Some(key)
            || (name.contains('\\') && crate::event::lenient::parse_value(name).is_ok_and(|n| n.as_str() == Some(key)));
        i = skip_ws(b, name_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = value_end(b, start)?;
        if named {
            out.push_str(text.get(copied..start)?);
            out.push_str(value);
            copied = end;
        }
        i = end;
    }
    out.push_str(text.get(copied..)?);
    Some(out)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index after the closing quote of the string whose content starts at `i`.
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The index after the JSON value that starts at `i` (the text is valid JSON).
fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = string_end(b, i + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            while !matches!(b.get(i), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                i += 1;
            }
            Some(i)
        }
    }
}

pub(super) fn obj_background(v: &Value) -> bool {
    v.get("background") == Some(&Value::Bool(true))
}
