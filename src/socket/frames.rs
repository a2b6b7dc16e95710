//! The frames a client sends in WebSocket mode, and the few fields read from a received one to
//! route it.

use serde_json::{Map, Value};

use crate::error::Error;
use crate::event::lenient::{parse_keeping_surrogates, parse_value, restore_surrogates};
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
    // A JSON object (`prepare_full` said so).
    let Ok(Value::Object(obj)) = parse_keeping_surrogates(params_json) else {
        return Err(Error::validation("params", "params must be a JSON object"));
    };
    let mut frame = Map::new();
    frame.insert("type".to_owned(), Value::from("response.create"));
    if let Some(sid) = stream_id {
        frame.insert("stream_id".to_owned(), Value::from(sid));
    }
    for (k, val) in obj {
        if !matches!(k.as_str(), "type" | "stream_id" | "stream" | "background") {
            frame.insert(k, val);
        }
    }
    if !generate {
        frame.insert("generate".to_owned(), Value::Bool(false));
    }
    // A `Value` always serialises.
    let text = serde_json::to_string(&Value::Object(frame)).unwrap_or_default();
    Ok((restore_surrogates(text), p.json_schema))
}

/// `{"type":"response.steer","previous_response_id":…,"input":…}`: `input` a string or a
/// non-empty array (the shape `response.create` takes).
pub fn steer_frame(input_json: &str, previous_response_id: &str) -> Result<String, Error> {
    let input = parse_keeping_surrogates(input_json)
        .map_err(|_| Error::validation("input", "input must be a string or an array of input items"))?;
    if !input.is_string() && input.as_array().map_or(true, Vec::is_empty) {
        return Err(Error::validation("input", "input must be a string or a non-empty array of input items"));
    }
    let mut frame = Map::new();
    frame.insert("type".to_owned(), Value::from("response.steer"));
    frame.insert("previous_response_id".to_owned(), Value::from(previous_response_id));
    frame.insert("input".to_owned(), input);
    Ok(restore_surrogates(serde_json::to_string(&Value::Object(frame)).unwrap_or_default()))
}

/// What routing reads of a frame: its `type`, `stream_id` and `response.id` (strings; anything
/// else is none).
#[derive(Debug, Default)]
pub(super) struct Head {
    pub ty: Option<String>,
    pub stream_id: Option<String>,
    pub response_id: Option<String>,
}

/// The routing fields of a frame; a frame that is not a JSON object has none (it still goes to
/// a response, whose stream machine reports it).
pub(super) fn head(text: &str) -> Head {
    let v = parse_value(text).unwrap_or_default();
    let field = |k| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let response_id = v.get("response").and_then(|r| r.get("id")).and_then(Value::as_str).map(str::to_owned);
    Head { ty: field("type"), stream_id: field("stream_id"), response_id }
}
