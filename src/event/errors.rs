//! The errors: for data that is not an event, with the short printable prefix of the data they
//! quote (never the whole payload), and the one an `error` event carries.

use serde_json::Value;

use super::lenient::JsonError;
use crate::error::{ApiError, Error};

/// The error for data that is not JSON, with where and what.
pub(super) fn malformed(data: &str, sse_name: &str, e: &JsonError) -> Error {
    let name = sse_name_part(sse_name);
    Error::stream(format!("malformed event{name}: {e}; data begins: {}", printable_prefix(data, 60)))
}

/// The error for JSON that is not an object (an array, a string, a number, …).
pub(super) fn not_an_object(data: &str, sse_name: &str) -> Error {
    Error::stream(format!(
        "malformed event{}: JSON that is not an event object; data begins: {}",
        sse_name_part(sse_name),
        printable_prefix(data, 60)
    ))
}

/// The SSE event name for a message (nothing for the default `message`).
fn sse_name_part(sse_name: &str) -> String {
    if sse_name == "message" {
        String::new()
    } else {
        format!(" `{}`", printable_prefix(sse_name, 40))
    }
}

/// The first `max_chars` characters of `s` (whole UTF-8 characters, control characters as
/// spaces), with `…` when cut: a prefix safe to quote in a one-line message.
pub(crate) fn printable_prefix(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars.min(s.len()) + 3);
    let mut chars = s.chars();
    for c in chars.by_ref().take(max_chars) {
        out.push(if c.is_control() { ' ' } else { c });
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// The error of an `error` event, from the nested form (`error: {code, message, type, param}`,
/// or `error: "message"`) or the flat one (`code`, `message`, `param` beside `type`). A nested
/// `status` and `request_id` (written by a proxy, see [`crate::relay`]) are read too.
pub(super) fn normalise_error(obj: &Value, json: &str) -> ApiError {
    let mut e = ApiError { body: Some(json.to_owned()), ..ApiError::default() };
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    match obj.get("error") {
        Some(nested @ Value::Object(_)) => {
            e.code = scalar_at(nested, "code");
            e.error_type = scalar_at(nested, "type");
            e.param = scalar_at(nested, "param");
            e.message = scalar_at(nested, "message").unwrap_or_default();
            // Extensions a proxy writes (crate::relay): the upstream's HTTP status and request id.
            e.status = nested.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok());
            e.request_id = nested.get("request_id").and_then(Value::as_str).map(str::to_owned);
        }
        Some(Value::String(s)) => e.message = s.clone(),
        _ => {
            e.code = text(obj, "code");
            e.param = text(obj, "param");
            e.message = text(obj, "message").unwrap_or_default();
        }
    }
    if e.message.is_empty() {
        e.message = match &e.code {
            Some(c) => format!("the server sent an error event ({})", printable_prefix(c, 60)),
            None => "the server sent an error event without a message".to_owned(),
        };
    }
    e
}

/// [`scalar_string`] of `o`'s member `k` (not inlined: one copy for the four members read).
#[inline(never)]
fn scalar_at(o: &Value, k: &str) -> Option<String> {
    o.get(k).and_then(scalar_string)
}

/// A string, or a number/bool written as text (some servers send numeric codes).
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some((if *b { "true" } else { "false" }).to_owned()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn printable_prefix_cuts_whole_characters_and_blanks_control_characters() {
        assert_eq!(printable_prefix("abc", 3), "abc");
        assert_eq!(printable_prefix("abcd", 3), "abc…");
        assert_eq!(printable_prefix("日本語", 2), "日本…");
        assert_eq!(printable_prefix("a\nb\tc\u{1}", 10), "a b c ");
        assert_eq!(printable_prefix("", 5), "");
    }

    #[test]
    fn a_message_sse_name_is_not_repeated() {
        let Error::Stream { message, .. } = not_an_object("[1]", "message") else { unreachable!() };
        assert_eq!(message, "malformed event: JSON that is not an event object; data begins: [1]");
        let Error::Stream { message, .. } = not_an_object("[1]", "delta") else { unreachable!() };
        assert!(message.starts_with("malformed event `delta`: "), "{message}");
    }
}
