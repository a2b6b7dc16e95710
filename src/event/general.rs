//! The general path: any event object, parsed once as a `serde_json::Value` the way `JSON.parse`
//! accepts it ([`lenient`](super::lenient)), its fields read from that.
//!
//! Every field is lenient: a value of an unexpected JSON type reads as absent instead of failing
//! the whole event (unknown events must never be fatal). A key given twice counts once, the last
//! value winning, as in `JSON.parse`. Only the objects an event carries for the accumulator
//! (`response`, `item`, `part`, `annotation`) are kept as `Value`s, moved out of the parsed
//! object, not copied.

use serde_json::Value;

use super::lenient;
use super::malformed::{malformed, not_an_object, printable_prefix};
use super::response_event::{ResponseEvent, StrRef};
use super::{EventKind, LEAN_RESPONSE_FIELDS};
use crate::error::{ApiError, Error};

/// Decodes any event object (after the checks of [`super::decode_data`]); `lean`: a lifecycle
/// event's response keeps only the fields the core reads (`id`, `error`, `output`).
pub(super) fn decode_general(data: String, sse_name: &str, lean: bool) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    // As `JSON.parse` accepts it: a number beyond f64's range reads as `null`, a lone surrogate
    // escape as U+FFFD (in the `Value` only: `data` stays the event's text).
    let mut obj = match lenient::parse_value(&data) {
        Ok(Value::Object(obj)) => obj,
        // A keepalive's data does not matter.
        _ if sse_keepalive => return Ok(Some(ResponseEvent::keepalive())),
        Ok(_) => return Err(not_an_object(&data, sse_name)),
        Err(e) => return Err(malformed(&data, sse_name, &e)),
    };
    let uint = |key: &str| obj.get(key).and_then(Value::as_u64);
    let (sequence_number, output_index, content_index, summary_index, annotation_index) = (
        uint("sequence_number"),
        uint("output_index"),
        uint("content_index"),
        uint("summary_index"),
        uint("annotation_index"),
    );
    // Fields are taken (leaving `null`), not removed: no map removal code in the wasm.
    let mut take = |key: &str| obj.get_mut(key).map(Value::take);
    let mut string = |key: &str| match take(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let ty = string("type");
    let type_name = ty.as_deref().unwrap_or(sse_name);
    let kind = EventKind::from_type(type_name);
    let other_type = match kind {
        EventKind::Other if type_name != "message" => Some(Box::from(type_name)),
        _ => None,
    };
    let item_id = string("item_id");
    let text = kind.text_field().and_then(&mut string);
    let mut payload = kind.payload_field().and_then(&mut take);
    if let (true, true, Some(Value::Object(r))) = (lean, kind.is_lifecycle(), &mut payload) {
        let mut kept = serde_json::Map::new();
        for k in LEAN_RESPONSE_FIELDS {
            if let Some(v) = r.get_mut(k) {
                kept.insert(k.to_owned(), v.take());
            }
        }
        *r = kept;
    }
    let error = (kind == EventKind::Error).then(|| Box::new(normalise_error(&obj, &data)));
    let owned = |s: Option<String>| s.map(StrRef::Owned);
    Ok(Some(ResponseEvent {
        kind,
        other_type,
        sequence_number,
        output_index,
        content_index,
        summary_index,
        annotation_index,
        item_id: owned(item_id),
        text: owned(text),
        // `null` is no payload (as before: an absent or null field).
        payload: payload.filter(|v| !v.is_null()),
        error,
        json: data,
    }))
}

/// The error of an `error` event, from the nested form (`error: {code, message, type, param}`,
/// or `error: "message"`) or the flat one (`code`, `message`, `param` beside `type`). A nested
/// `status` and `request_id` (written by a proxy, see [`crate::relay`]) are read too.
fn normalise_error(obj: &serde_json::Map<String, Value>, json: &str) -> ApiError {
    let mut e = ApiError { body: Some(json.to_owned()), ..ApiError::default() };
    let text = |o: &serde_json::Map<String, Value>, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    match obj.get("error") {
        Some(Value::Object(nested)) => {
            e.code = nested.get("code").and_then(scalar_string);
            e.error_type = nested.get("type").and_then(scalar_string);
            e.param = nested.get("param").and_then(scalar_string);
            e.message = nested.get("message").and_then(scalar_string).unwrap_or_default();
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

/// A string, or a number/bool written as text (some servers send numeric codes).
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
