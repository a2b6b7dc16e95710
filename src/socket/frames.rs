//! The frames a client sends in WebSocket mode, and the few fields read from a received one to
//! route it.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::event::lenient::{from_str, parse_keeping_surrogates, restore_surrogates};
use crate::request::prepare_full;

/// `{"type":"response.create", …params}`: params validated as for a streamed `POST /responses`
/// (the socket always streams), `stream` left out (implicit), `background` refused when true
/// (not supported over a WebSocket) and left out when false, `stream_id` set for a lane, and
/// `generate: false` for a warmup. Also says whether the params ask for a `json_schema` output.
pub fn create_frame(params_json: &str, stream_id: Option<&str>, generate: bool) -> Result<(String, bool), Error> {
    let p = prepare_full(params_json, true)?;
    if p.background {
        return Err(Error::validation("background", "background responses are not supported over a WebSocket"));
    }
    let mut v = parse_keeping_surrogates(params_json)
        .map_err(|_| Error::validation("params", "params must be a JSON object"))?;
    let Value::Object(obj) = &mut v else {
        return Err(Error::validation("params", "params must be an object"));
    };
    let mut frame = Map::new();
    frame.insert("type".to_owned(), Value::from("response.create"));
    if let Some(sid) = stream_id {
        frame.insert("stream_id".to_owned(), Value::from(sid));
    }
    for (k, val) in std::mem::take(obj) {
        if !matches!(k.as_str(), "type" | "stream_id" | "stream" | "background") {
            frame.insert(k, val);
        }
    }
    if !generate {
        frame.insert("generate".to_owned(), Value::Bool(false));
    }
    let text = serde_json::to_string(&Value::Object(frame)).map_err(|e| Error::validation("params", e.to_string()))?;
    Ok((restore_surrogates(text), p.json_schema))
}

/// `{"type":"response.steer","previous_response_id":…,"input":…}`: `input` a string or a
/// non-empty array (the shape `response.create` takes).
pub fn steer_frame(input_json: &str, previous_response_id: &str) -> Result<String, Error> {
    let input = parse_keeping_surrogates(input_json)
        .map_err(|_| Error::validation("input", "input must be a string or an array of input items"))?;
    match &input {
        Value::String(_) => {}
        Value::Array(a) if !a.is_empty() => {}
        _ => return Err(Error::validation("input", "input must be a string or a non-empty array of input items")),
    }
    let mut frame = Map::new();
    frame.insert("type".to_owned(), Value::from("response.steer"));
    frame.insert("previous_response_id".to_owned(), Value::from(previous_response_id));
    frame.insert("input".to_owned(), input);
    let text = serde_json::to_string(&Value::Object(frame)).map_err(|e| Error::validation("input", e.to_string()))?;
    Ok(restore_surrogates(text))
}

/// What routing reads of a frame: its `type` and `stream_id` (strings; anything else is none).
#[derive(Debug, Default)]
pub(super) struct Head {
    pub ty: Option<String>,
    pub stream_id: Option<String>,
}

/// A hand-written visitor: every JSON shape is accepted (a field of another type reads as
/// none), so no "invalid type" error — whose message formats floats, a large part of a wasm
/// build — is ever built.
struct HeadVisitor;

impl<'de> Visitor<'de> for HeadVisitor {
    type Value = Head;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "type" => &mut head.ty,
                "stream_id" => &mut head.stream_id,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if let Value::String(v) = map.next_value::<Value>()? {
                *slot = Some(v);
            }
        }
        Ok(head)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_unit<E>(self) -> Result<Head, E> {
        Ok(Head::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Head, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Head::default())
    }
}

impl<'de> Deserialize<'de> for Head {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Head, D::Error> {
        d.deserialize_any(HeadVisitor)
    }
}

/// The routing fields of a frame; a frame that is not a JSON object has none (it still goes to
/// a response, whose stream machine reports it).
pub(super) fn head(text: &str) -> Head {
    from_str::<Head>(text).unwrap_or_default()
}
