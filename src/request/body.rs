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
/// `stream` value must change is the object re-serialised (lone surrogates kept as escapes).
/// Params are read as `JSON.parse` reads them: a lone surrogate escape (`"\ud800"`, which
/// `JSON.stringify` writes for a lone surrogate) or a number beyond f64's range is valid.
pub fn prepare_body(params_json: &str, stream: bool) -> Result<String, Error> {
    prepare_full(params_json, stream).map(|p| p.body)
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
    // Re-serialised from the text read again keeping its lone surrogates, so that they are sent
    // as written (escaped), never as U+FFFD.
    use crate::event::lenient::{parse_keeping_surrogates, restore_surrogates};
    let mut kept = parse_keeping_surrogates(params_json).unwrap_or(v);
    if let (Value::Object(obj), Some(w)) = (&mut kept, wanted) {
        obj.insert("stream".to_owned(), Value::Bool(w));
    }
    // A `Value` always serialises.
    Ok(prepared(restore_surrogates(serde_json::to_string(&kept).unwrap_or_default())))
}

pub(super) fn obj_background(v: &Value) -> bool {
    matches!(v.get("background"), Some(Value::Bool(true)))
}
