//! What an answer means: the API's error body (`{"error":{"message","type","param","code"}}`)
//! as an [`ApiError`], a JSON answer read once (a Response given its `output_text`), and the
//! response headers the client reads.

use serde_json::Value;

use crate::accumulate;
use crate::endpoint::Answer;
use crate::error::{ApiError, Error};
use crate::event::lenient;
use crate::structured;

/// Bodies of error responses are read up to this many bytes (an error may quote a long input:
/// its `code`, `type` and `param` come after the message); the rest is not read.
pub const MAX_ERROR_BODY: usize = 1024 * 1024;

/// The response headers the client reads (for errors and retries); a shell passes these and no
/// others.
pub const WANTED_HEADERS: [&str; 4] = ["x-request-id", "retry-after-ms", "retry-after", "x-should-retry"];

/// What the call keeps of a JSON answer for a shell that parses it ([`read_json`]).
#[derive(Debug, Default)]
pub(crate) struct JsonAnswer {
    /// The body as received (numbers keep their spelling).
    pub text: String,
    /// A Response's `output_text` to set on the parsed text, a JSON string literal that keeps
    /// every lone surrogate as `JSON.stringify` writes it (`None`: keep the server's string).
    pub output_text: Option<String>,
    /// A `parse()` answer: the parts whose text, joined, `output_parsed` is the value of
    /// (`(item, part)` positions; none: `null`); see [`crate::structured`].
    pub output_parsed: Option<Vec<(usize, usize)>>,
    /// A `parse()` answer whose output text is not valid JSON: the call's error (the answer
    /// stays, for the error's `response`).
    pub output_error: Option<Error>,
}

/// A JSON answer's body for a shell that parses it (the npm package), read in one pass: a
/// Response is parsed keeping its lone surrogates (encoded, see [`lenient`]) for its
/// `output_text` literal and, for `parse()`, its `output_parsed`; any other answer is only
/// checked to be JSON. A Response that is not a JSON object fails; a `parse()` answer whose
/// output text is not valid JSON says why in `output_error`.
pub(crate) fn read_json(body: &[u8], answer: Answer) -> Result<JsonAnswer, Error> {
    let text = crate::sse::body_text(body);
    let json_schema = match answer {
        Answer::Json { output_text: true } => None,
        Answer::Parsed { json_schema } => Some(json_schema),
        _ if lenient::is_json(&text) => return Ok(JsonAnswer { text, ..JsonAnswer::default() }),
        _ => return Err(not_json(&text)),
    };
    let (value, output_text) = accumulate::parse_response(&text, true).map_err(|e| not_json_or(&text, e))?;
    let mut output_error = None;
    let output_parsed = match json_schema {
        Some(true) => {
            let (t, at) = structured::parsed_text(&value);
            // Checked as parse_value reads the text (each lone surrogate U+FFFD).
            if !t.is_empty() {
                output_error = structured::check_json(&lenient::replace_kept_surrogates(&t)).err();
            }
            Some(at)
        }
        Some(false) => Some(Vec::new()),
        None => None,
    };
    // A string always serialises.
    let literal = output_text.map(|t| lenient::restore_surrogates(serde_json::to_string(&t).unwrap_or_default()));
    Ok(JsonAnswer { text, output_text: literal, output_parsed, output_error })
}

/// A JSON answer's text parsed once into a value, as `JSON.parse` reads it (a lone surrogate
/// escape is U+FFFD), a Response with its `output_text` set (the Rust API).
pub(crate) fn value_of(text: &str, answer: Answer) -> Result<Value, Error> {
    if answer.is_response() {
        return accumulate::response_value(text).map_err(|e| not_json_or(text, e));
    }
    lenient::parse_value(text).map_err(|e| not_json_or(text, Error::stream(format!("the response is not JSON: {e}"))))
}

/// The error of a body that is not JSON at all (with a short excerpt).
fn not_json(text: &str) -> Error {
    match byte_prefix(text, 120) {
        "" => Error::stream("the response has no body"),
        head => Error::stream(format!("the response is not JSON: {head}")),
    }
}

/// `e` (the text is JSON, but not as the answer needs it), or [`not_json`]: the text is checked
/// only once its parse failed.
fn not_json_or(text: &str, e: Error) -> Error {
    if lenient::is_json(text) {
        e
    } else {
        not_json(text)
    }
}

/// The [`ApiError`] for an HTTP error response: `{"error":{"message","type","param","code"}}`
/// when the body has that shape (a flat `{"message",…}` too), else a message made from the
/// status and a short excerpt of the body. `request_id`: the `x-request-id` header, else the
/// body's `request_id` (a proxy's error body, see [`crate::relay`]).
pub fn api_error_from_http(status: u16, body: &str, request_id: Option<String>) -> ApiError {
    let json = crate::event::lenient::parse_value(body).ok();
    let err = json.as_ref().map(|v| match v.get("error") {
        Some(e) if e.is_object() => e,
        _ => v,
    });
    let field = |name: &str| -> Option<String> {
        match err?.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => serde_json::to_string(other).ok(),
        }
    };
    // An empty message says nothing: the status and the body do.
    let message = field("message").filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
        let head = byte_prefix(body, 200);
        let sep = if head.is_empty() { "" } else { ": " };
        format!("HTTP {}{sep}{head}", u32::from(status))
    });
    ApiError {
        status: Some(status),
        code: field("code"),
        error_type: field("type"),
        param: field("param"),
        message,
        // A proxy's error body names the upstream's request id (crate::relay).
        request_id: request_id.or_else(|| field("request_id")),
        body: if body.is_empty() { None } else { Some(byte_prefix(body, MAX_ERROR_BODY).to_owned()) },
        response: None,
    }
}

/// At most `max` bytes of `s`, cut at a character boundary, trimmed.
fn byte_prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("").trim()
}
