//! How a failure crosses a proxy: the `error` frame or error body a proxy writes for it, and how
//! a reader of that frame gets the same error back.
//!
//! A server route that streams a response on (`toReadableStream()`, `toResponse()`) cannot
//! forward an upstream failure that has no event of its own — an HTTP error before the first
//! byte, an unreachable upstream, a timeout, a broken body — as bytes the upstream sent. It
//! writes it in the API's error shape instead, with a few documented extension fields inside
//! the error object, which the stream machine maps back:
//!
//! ```text
//! event: error
//! data: {"type":"error","error":{"type":"rate_limit_error","code":"rate_limit_exceeded","message":"…","param":null,"status":429,"request_id":"req_123"}}
//! ```
//!
//! | field of `error` | meaning |
//! |---|---|
//! | `type`, `code`, `message`, `param` | as the API gives them (a failure without an HTTP answer: `connection_error`, `timeout_error`, `stream_error`) |
//! | `status` | the upstream's HTTP status (an `ApiError`'s `status`) |
//! | `request_id` | the upstream's `x-request-id` (an `ApiError`'s `requestId`) |
//! | `class` | `ConnectionError`, `TimeoutError` or `StreamError`: the error class the reader rebuilds (absent: `ApiError`) |
//! | `timeout_ms`, `attempts` | a `TimeoutError`'s fields |
//!
//! Everything written passes through the redactor: no frame or body holds the API key. Aborts
//! have no frame (nobody is left to read it).

use std::fmt::Write as _;

use serde_json::Value;

use crate::error::{ApiError, Error};
use crate::redact::Redactor;

/// The API's error object for `err` (see the module docs), as JSON text; `None` for an abort
/// and for errors that never end a call (validation, output parsing).
pub fn error_object(err: &Error) -> Option<String> {
    wrapped("", err, "")
}

/// `before`, the error object of `err` ([`error_object`]), then `after`: one string written in
/// place (no copy of the object into a `format!`).
fn wrapped(before: &str, err: &Error, after: &str) -> Option<String> {
    let (ty, code, message, param) = match err {
        Error::Api(e) => (e.error_type.as_deref(), e.code.as_deref(), e.message.clone(), e.param.as_deref()),
        Error::Connection { message } => (Some("connection_error"), None, message.clone(), None),
        Error::Timeout { .. } => (Some("timeout_error"), None, err.to_string(), None),
        Error::Stream { message, .. } => (Some("stream_error"), None, message.clone(), None),
        Error::Abort | Error::Validation { .. } | Error::OutputParse { .. } => return None,
    };
    let mut o = String::from(before);
    o.push('{');
    field(&mut o, "\"type\":", ty);
    field(&mut o, ",\"code\":", code);
    field(&mut o, ",\"message\":", Some(&message));
    field(&mut o, ",\"param\":", param);
    match err {
        Error::Api(e) => {
            if let Some(s) = e.status {
                let _ = write!(o, ",\"status\":{}", u32::from(s));
            }
            if let Some(id) = &e.request_id {
                field(&mut o, ",\"request_id\":", Some(id));
            }
        }
        Error::Timeout { timeout_ms, attempts } => {
            field(&mut o, ",\"class\":", Some(err.class_name()));
            let _ = write!(o, ",\"timeout_ms\":{},\"attempts\":{attempts}", crate::error::dec(*timeout_ms));
        }
        _ => field(&mut o, ",\"class\":", Some(err.class_name())),
    }
    o.push('}');
    o.push_str(after);
    Some(o)
}

/// The `event: error` SSE frame a proxy writes for `err` (redacted), or `None` (see
/// [`error_object`]).
pub fn error_frame(err: &Error, redactor: Option<&Redactor>) -> Option<String> {
    let data = wrapped("{\"type\":\"error\",\"error\":", err, "}")?;
    let mut frame = String::new();
    crate::stream::write_frame(&mut frame, "error", &data);
    Some(redacted(frame, redactor))
}

/// The HTTP answer a proxy gives for a failure before the first event: the upstream's status
/// (an `ApiError` with one), 504 for a timeout, 502 for any other failure; the body
/// `{"error":{…}}` (redacted). `None` as for [`error_object`].
pub fn error_response(err: &Error, redactor: Option<&Redactor>) -> Option<(u16, String)> {
    let body = wrapped("{\"error\":", err, "}")?;
    let status = match err {
        Error::Api(e) => e.status.filter(|s| (400..=599).contains(s)).unwrap_or(502),
        Error::Timeout { .. } => 504,
        _ => 502,
    };
    Some((status, redacted(body, redactor)))
}

/// The status a proxy answers a stream whose failure is its first event with: the frames read so
/// far (that event among them, as the server sent it, redacted:
/// [`StreamState::failure_frames`](crate::stream::StreamState::failure_frames)) go on as they
/// are, so the reader gets the same error back; another failure before the first event is
/// [`error_response`].
pub const FORWARDED_STATUS: u16 = 200;

/// The error an `error` event or an error body stands for: the class its `error.class` names
/// (written by [`error_frame`] / [`error_response`]), else the [`ApiError`] itself.
pub fn from_relayed(api: ApiError) -> Error {
    let class = api.body.as_deref().and_then(|b| crate::event::lenient::parse_value(b).ok()).and_then(|v| {
        let e = v.get("error")?;
        let class = e.get("class")?.as_str()?.to_owned();
        let num = |k: &str| e.get(k).and_then(Value::as_u64);
        Some((class, num("timeout_ms"), num("attempts")))
    });
    match class {
        Some((c, _, _)) if c == "ConnectionError" => Error::Connection { message: api.message },
        Some((c, _, _)) if c == "StreamError" => Error::stream(api.message),
        Some((c, timeout_ms, attempts)) if c == "TimeoutError" => Error::Timeout {
            timeout_ms: timeout_ms.unwrap_or(0),
            attempts: attempts.and_then(|a| u32::try_from(a).ok()).unwrap_or(1),
        },
        _ => Error::Api(Box::new(api)),
    }
}

/// `name` (its JSON key with the colon, after a comma but for the first), then `value` as a JSON
/// string or `null`.
fn field(o: &mut String, name: &str, value: Option<&str>) {
    o.push_str(name);
    push_quoted(o, value);
}

/// Appends `s` to `out` as a JSON string literal (`null` for none).
#[inline(never)]
pub(crate) fn push_quoted(out: &mut String, s: Option<&str>) {
    match s.and_then(|s| serde_json::to_string(s).ok()) {
        Some(s) => out.push_str(&s),
        None => out.push_str("null"),
    }
}

fn redacted(text: String, redactor: Option<&Redactor>) -> String {
    match redactor {
        Some(r) if r.matches(&text) => r.redact(&text).into_owned(),
        _ => text,
    }
}
