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
//! Performance: each event's JSON is parsed exactly once. An event of the usual shape takes the
//! fast path (no serde; string fields without escapes are byte ranges into the JSON text
//! instead of copies; only the object an event carries for the accumulator — `response`,
//! `item`, `part`, `annotation` — is built as a `Value`); anything else the general path.
//!
//! The files: `kind` (the event types), `response_event` (the decoded event), this one (the
//! entry points), `fast` (the fast path), `general` (the general path), `lenient` (JSON as
//! `JSON.parse` reads it), `malformed` (the errors for data that is not an event).

use crate::error::Error;
use crate::sse;
use malformed::not_an_object;

pub(crate) mod fast;
pub(crate) mod general;
mod kind;
pub(crate) mod lenient;
mod malformed;
mod response_event;

pub use kind::EventKind;
pub use response_event::ResponseEvent;

pub(crate) use general::scalar_string;

/// The fields of a lifecycle event's `response` the core reads: what a lean decode keeps (the
/// npm package mirrors the snapshot from the event's own text).
const LEAN_RESPONSE_FIELDS: [&str; 3] = ["id", "error", "output"];
/// A string's first characters, printable (`accumulate` and `request` quote them in messages).
pub(crate) use malformed::printable_prefix;

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
    decode_data(ev.data.clone(), &ev.event, false)
}

/// Like [`decode`], taking the event by value so its data string becomes the event's JSON
/// without a copy.
pub fn decode_owned(ev: sse::Event) -> Result<Option<ResponseEvent>, Error> {
    decode_data(ev.data, &ev.event, false)
}

/// [`decode_owned`] of an event's data and `event:` name; `lean`, for a consumer that mirrors the
/// snapshot from the event's JSON text: the [payload](ResponseEvent::payload) of a lifecycle
/// event holds only the response's `id`, `error` and `output` (what the core reads).
pub(crate) fn decode_text(data: String, sse_name: &str, lean: bool) -> Result<Option<ResponseEvent>, Error> {
    decode_data(data, sse_name, lean)
}

/// `[DONE]` or only whitespace: not an event.
fn is_skipped(data: &str) -> bool {
    let t = data.trim();
    t.is_empty() || t == "[DONE]"
}

/// Decodes one event's data (`sse_name`: its SSE `event:` name).
fn decode_data(data: String, sse_name: &str, lean: bool) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    // Data that starts with `{` (every usual event) needs neither check.
    if data.as_bytes().first() != Some(&b'{') {
        if is_skipped(&data) {
            return Ok(if sse_keepalive { Some(ResponseEvent::keepalive()) } else { None });
        }
        // A derived struct would also accept a JSON array (as a tuple): only objects are events.
        if !data.trim_start().starts_with('{') {
            if sse_keepalive {
                return Ok(Some(ResponseEvent::keepalive()));
            }
            return Err(not_an_object(&data, sse_name));
        }
    }
    // The hot path: an event of the usual shape is read in one pass, without serde (several
    // times less work per event in wasm). Anything unusual goes on to the general path, so
    // results are the same either way.
    match fast::decode(data, lean) {
        Ok(ev) => Ok(Some(ev)),
        Err(data) => general::decode_general(data, sse_name, lean),
    }
}
