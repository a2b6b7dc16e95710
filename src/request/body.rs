//! The request body as sent: params validated, `stream` set as the method says.

use serde_json::Value;

use super::checks::{describe, expect_type, Ty};
use super::validate::validate;
use crate::error::Error;
use crate::event::lenient::{parse_value, Reader};

/// Parses `params_json` (a JSON object), validates it, sets `stream`, and serialises the body.
///
/// `stream == true` (for `stream()`): `"stream": true` is set. `stream == false` (for
/// `create()`): a `stream` the caller gave is set to `false` (the caller wants JSON back);
/// an absent one stays absent (the server's default is false). `stream_options` is judged
/// against this effective value. The text is kept byte for byte when nothing needs changing,
/// and `"stream":true` is spliced in at the front when it was absent; when an existing `stream`
/// value must change, the new one is set at the front and the other members are kept as written
/// (their order, e.g. of a schema's `properties`, and their escapes).
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
    let mut v: Value = crate::event::lenient::parse_value(params_json)
        .map_err(|e| Error::validation("params", format!("params must be a JSON object; the text is not read: {e}")))?;
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
    let w = wanted == Some(true);
    if !had_key {
        // Absent before: spliced in at the front (the object is not empty: `model` or `prompt`).
        if let Some(rest) = params_json.trim_start().strip_prefix('{') {
            return Ok(prepared(format!("{{\"stream\":{w},{rest}")));
        }
    }
    // Set once at the front, the other members as written.
    let mut body = format!("{{\"stream\":{w}");
    members_except(&mut body, params_json, &["stream"]);
    body.push('}');
    Ok(prepared(body))
}

/// Appends to `out` the members of a JSON object's text as written, each after a comma (their
/// order, e.g. of a schema's `properties`, sets the order of a structured output; lone surrogate
/// escapes stay escapes), but those whose key, however spelled, is one of `skip`. The text was
/// read as an object.
pub(crate) fn members_except(out: &mut String, json: &str, skip: &[&str]) {
    let (rd, b) = (Reader::new(json), json.as_bytes());
    let mut at = rd.ws(rd.ws(0) + 1);
    while b.get(at) == Some(&b'"') {
        let Ok(key_end) = rd.skip(at, 1) else { break };
        let Ok(end) = rd.skip(rd.ws(key_end + 1), 1) else { break };
        let key = parse_value(json.get(at..key_end).unwrap_or_default()).unwrap_or_default();
        if !key.as_str().is_some_and(|k| skip.contains(&k)) {
            out.push(',');
            out.push_str(json.get(at..end).unwrap_or_default());
        }
        at = rd.ws(end + 1);
    }
}

pub(super) fn obj_background(v: &Value) -> bool {
    matches!(v.get("background"), Some(Value::Bool(true)))
}
