//! A second, independent reading of an event's fields, for the differential tests and the fuzz
//! targets only ([`crate::test_support::event_paths`]): the whole text is parsed to a `Value`
//! first, then each field is picked from the map. The decoder ([`super::fields`]) reads the
//! members in one pass; the two must agree on every text that starts with `{`.

use serde_json::{Map, Value};

use super::errors::{malformed, normalise_error, not_an_object};
use super::lenient::{parse_value, StrRef};
use super::response_event::ResponseEvent;
use super::{EventKind, LEAN_RESPONSE_FIELDS};
use crate::error::Error;

/// The event of `data` (its `event:` name `sse_name`; `lean` as in [`super::decode_text`]).
pub(crate) fn decode(data: String, sse_name: &str, lean: bool) -> Result<Option<ResponseEvent>, Error> {
    let mut obj = match parse_value(&data) {
        Ok(Value::Object(obj)) => obj,
        _ if sse_name == "keepalive" => return Ok(Some(ResponseEvent::keepalive())),
        Ok(_) => return Err(not_an_object(&data, sse_name)),
        Err(e) => return Err(malformed(&data, sse_name, &e)),
    };
    let uint = |key: &str| obj.get(key).and_then(Value::as_u64);
    let ints = ["sequence_number", "output_index", "content_index", "summary_index", "annotation_index"].map(uint);
    let error = Value::Object(obj.clone());
    let untyped_error = !matches!(obj.get("type"), Some(Value::String(_)))
        && sse_name == "message"
        && obj.get("error").is_some_and(|e| !e.is_null());
    let mut take = |key: &str| obj.get_mut(key).map(Value::take);
    let mut string = |key: &str| match take(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let ty = string("type");
    let type_name = if untyped_error { "error" } else { ty.as_deref().unwrap_or(sse_name) };
    let kind = EventKind::from_type(type_name);
    let other_type = (kind == EventKind::Other && type_name != "message").then(|| Box::from(type_name));
    let item_id = string("item_id").map(StrRef::Owned);
    let text = kind.text_field().and_then(&mut string).map(StrRef::Owned);
    let mut payload = kind.payload_field().and_then(&mut take);
    if let (true, true, Some(Value::Object(r))) = (lean, kind.is_lifecycle(), &mut payload) {
        *r = LEAN_RESPONSE_FIELDS
            .iter()
            .filter_map(|&k| Some((k.to_owned(), r.get_mut(k)?.take())))
            .collect::<Map<_, _>>();
    }
    let error = (kind == EventKind::Error).then(|| Box::new(normalise_error(&error, &data)));
    let [sequence_number, output_index, content_index, summary_index, annotation_index] = ints;
    Ok(Some(ResponseEvent {
        json: data,
        kind,
        other_type,
        sequence_number,
        output_index,
        content_index,
        summary_index,
        annotation_index,
        item_id,
        text,
        payload: payload.filter(|v| !v.is_null()),
        error,
    }))
}
