//! SSE event → [`ResponseEvent`]: the event type, its `sequence_number`, the raw JSON text, and
//! the few fields the [`crate::accumulate::Accumulator`] needs, parsed once.
//!
//! Decoding is lenient: the type comes from the JSON `type` field and falls back to the SSE
//! `event:` name; `sequence_number` is optional; unknown event types pass through as
//! [`EventKind::Other`]; `data: [DONE]` is not an event; `keepalive` is an event that changes
//! nothing. Only data that is not a JSON object is an error ([`Error::Stream`], with a short
//! printable prefix of the data, never the whole payload).
//!
//! What counts as JSON is what `JSON.parse` accepts (the JS side parses the same text): a
//! number beyond `f64`'s range (`1e400`, a 5000-digit integer) or a `\u` escape of a lone
//! surrogate does not fail the event. The event's [`json`](ResponseEvent::json) keeps the text
//! byte for byte; in the Rust `Value`s (the payload, the error) such a number is `null` (what
//! `JSON.stringify` writes for `Infinity`) and such an escape U+FFFD, and an integer field
//! holding one (`output_index: 1e400`) reads as absent, as any non-integer does.
//!
//! Performance: each event's JSON is read exactly once, in one pass without serde (string
//! fields without escapes are byte ranges into the JSON text instead of copies; only the object
//! an event carries for the accumulator — `response`, `item`, `part`, `annotation` — is built as
//! a `Value`).
//!
//! The files: `kind` (the event types), `response_event` (the decoded event), this one (the
//! entry points), `fields` (an event's fields), `lenient` (the JSON reader, as `JSON.parse`
//! reads JSON), `errors` (the errors for data that is not an event, and an `error` event's).

use crate::error::Error;
use crate::sse;
use errors::{malformed, not_an_object};

mod errors;
mod fields;
mod kind;
pub(crate) mod lenient;
pub(crate) mod reference;
mod response_event;

pub use kind::EventKind;
pub use response_event::ResponseEvent;

pub(crate) use errors::scalar_string;

/// The fields of a lifecycle event's `response` the core reads: what a lean decode keeps (the
/// npm package mirrors the snapshot from the event's own text).
const LEAN_RESPONSE_FIELDS: [&str; 3] = ["id", "error", "output"];
/// A string's first characters, printable (`accumulate` and `request` quote them in messages).
pub(crate) use errors::printable_prefix;

/// Decodes one SSE event (copies its data; see [`decode_owned`] to avoid the copy).
///
/// `Ok(None)` for `data: [DONE]` and for data that is only whitespace; `keepalive` events
/// are `Some` (type `"keepalive"`, whatever their data; non-JSON data reads as
/// `{"type":"keepalive"}`). Data that is not a JSON object is
/// [`Error::Stream`] with a short excerpt.
pub fn decode(ev: &sse::Event) -> Result<Option<ResponseEvent>, Error> {
    if is_skipped(&ev.data) && ev.event != "keepalive" {
        return Ok(None);
    }
    decode_text(ev.data.clone(), &ev.event, false)
}

/// Like [`decode`], taking the event by value so its data string becomes the event's JSON
/// without a copy.
pub fn decode_owned(ev: sse::Event) -> Result<Option<ResponseEvent>, Error> {
    decode_text(ev.data, &ev.event, false)
}

/// `[DONE]` or only whitespace: not an event.
fn is_skipped(data: &str) -> bool {
    let t = data.trim();
    t.is_empty() || t == "[DONE]"
}

/// [`decode_owned`] of an event's data and `event:` name (`sse_name`); `lean`, for a consumer
/// that mirrors the snapshot from the event's JSON text: the [payload](ResponseEvent::payload)
/// of a lifecycle event holds only the response's `id`, `error` and `output` (what the core
/// reads).
pub(crate) fn decode_text(data: String, sse_name: &str, lean: bool) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    // Data that starts with `{` (every usual event) needs neither check.
    if !matches!(data.as_bytes().first(), Some(b'{')) {
        if is_skipped(&data) {
            return Ok(if sse_keepalive { Some(ResponseEvent::keepalive()) } else { None });
        }
        // Only objects are events.
        if !data.trim_start().starts_with('{') {
            if sse_keepalive {
                return Ok(Some(ResponseEvent::keepalive()));
            }
            return Err(not_an_object(&data, sse_name));
        }
    }
    match fields::decode(data, sse_name, lean) {
        Ok(ev) => Ok(Some(ev)),
        // A keepalive's data does not matter.
        Err(_) if sse_keepalive => Ok(Some(ResponseEvent::keepalive())),
        Err((data, e)) => Err(malformed(&data, sse_name, &e)),
    }
}
