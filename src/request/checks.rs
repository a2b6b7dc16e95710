//! The type and range checks the rules are made of, and the messages they give (what was given,
//! what is allowed).

use serde_json::Value;

use crate::error::Error;
use crate::event::printable_prefix;

#[derive(Clone, Copy)]
pub(super) enum Ty {
    String,
    Bool,
    Object,
}

pub(super) fn expect_type(param: &str, v: Option<&Value>, ty: Ty) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    let (ok, what) = match ty {
        Ty::String => (v.is_string(), "a string"),
        Ty::Bool => (v.is_boolean(), "a boolean (true or false)"),
        Ty::Object => (v.is_object(), "an object"),
    };
    if ok {
        Ok(())
    } else {
        Err(type_error(param, what, v))
    }
}

pub(super) fn type_error(param: &str, what: &str, v: &Value) -> Error {
    Error::validation(param, format!("`{param}` must be {what}; got {}", describe(v)))
}

/// `v`, when given, is a number from 0 to `max`.
pub(super) fn expect_range(param: &str, v: Option<&Value>, max: u8) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    match v.as_f64() {
        Some(x) if v.is_number() && x >= 0.0 && x <= f64::from(max) => Ok(()),
        _ => Err(Error::validation(
            param,
            format!("`{param}` must be a number from 0 to {} inclusive; got {}", u32::from(max), describe(v)),
        )),
    }
}

/// The value as an integer (as f64), accepting integral floats such as `5.0`.
pub(super) fn as_integer(v: &Value) -> Option<f64> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return Some(u as f64);
    }
    n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0)
}

/// A short description of a value for error messages (never the whole of a long string).
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => (if *b { "true" } else { "false" }).to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string \"{}\"", printable_prefix(s, 40)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}
