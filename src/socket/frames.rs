//! The frames a client sends in WebSocket mode, and the few fields read from a received one to
//! route it.

use serde_json::Value;

use crate::error::Error;
use crate::event::lenient::parse_value;
use crate::event::EventKind;
use crate::partial_json::PartialJsonParser;
use crate::request::{members_except, prepare_full};

/// `{"type":"response.create", …params}`: params validated as for a streamed `POST /responses`
/// (the socket always streams), `stream` left out (implicit), `background` refused when true
/// (not supported over a WebSocket) and left out when false, `stream_id` set for a lane, and
/// `generate: false` for a warmup. Also says whether the params ask for a `json_schema` output.
pub fn create_frame(params_json: &str, stream_id: Option<&str>, generate: bool) -> Result<(String, bool), Error> {
    let p = prepare_full(params_json, true)?;
    if p.background {
        return Err(Error::validation("background", "background responses are not supported over a WebSocket"));
    }
    let mut frame = String::from("{\"type\":\"response.create\"");
    if let Some(sid) = stream_id {
        frame.push_str(",\"stream_id\":");
        crate::relay::push_quoted(&mut frame, Some(sid));
    }
    // The params' members as written, the four above left out.
    members_except(&mut frame, params_json, &["type", "stream_id", "stream", "background"]);
    if !generate {
        frame.push_str(",\"generate\":false");
    }
    frame.push('}');
    Ok((frame, p.json_schema))
}

/// `{"type":"response.steer","previous_response_id":…,"input":…}`: `input` a string or a
/// non-empty array (the shape `response.create` takes), sent as written.
pub fn steer_frame(input_json: &str, previous_response_id: &str) -> Result<String, Error> {
    let input = parse_value(input_json)
        .map_err(|_| Error::validation("input", "input must be a string or an array of input items"))?;
    if !input.is_string() && input.as_array().map_or(true, Vec::is_empty) {
        return Err(Error::validation("input", "input must be a string or a non-empty array of input items"));
    }
    let mut frame = String::from("{\"type\":\"response.steer\",\"previous_response_id\":");
    crate::relay::push_quoted(&mut frame, Some(previous_response_id));
    frame.push_str(",\"input\":");
    frame.push_str(input_json.trim());
    frame.push('}');
    Ok(frame)
}

/// What routing reads of a frame: its `type`, `stream_id` and `response.id` (strings; anything
/// else is none).
#[derive(Debug, Default)]
pub(super) struct Head {
    pub ty: Option<String>,
    pub stream_id: Option<String>,
    pub response_id: Option<String>,
    /// A frame that is not JSON whose beginning says a terminal event (cut, or with garbage
    /// appended, after its `type`); of its other fields only `stream_id` is read, as the
    /// partial-JSON parser reads it before the break (a frame cut at the size limit keeps it).
    pub spoiled_terminal: bool,
}

/// The first `"stream_id"` member's value in `text` (a frame that is not JSON) when its string is
/// whole and valid JSON: one cut inside may be a prefix of another lane's id.
fn whole_stream_id(text: &str) -> Option<String> {
    const KEY: &[u8] = b"\"stream_id\"";
    let b = text.as_bytes();
    let mut i = b.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    while matches!(b.get(i)?, b' ' | b'\t' | b'\n' | b'\r' | b':') {
        i += 1;
    }
    let start = i;
    if *b.get(i)? != b'"' {
        return None;
    }
    loop {
        i += 1;
        match *b.get(i)? {
            b'"' => break,
            b'\\' => i += 1,
            _ => {}
        }
    }
    match parse_value(text.get(start..=i)?) {
        Ok(Value::String(id)) => Some(id),
        _ => None,
    }
}

/// The routing fields of a frame; a frame that is not a JSON object has none (it still goes to
/// a response, whose stream machine reports it).
pub(super) fn head(text: &str) -> Head {
    let field = |v: &Value, k| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let Ok(v) = parse_value(text) else {
        // The partial-JSON parser's best effort (a string may be cut): its `type` says a terminal
        // event; the lane is the `stream_id` whose string is whole in the text.
        let mut p = PartialJsonParser::new();
        p.push(text);
        let v = p.value().unwrap_or(&Value::Null);
        let terminal = field(v, "type").is_some_and(|t| EventKind::from_type(&t).is_terminal());
        return Head { spoiled_terminal: terminal, stream_id: whole_stream_id(text), ..Head::default() };
    };
    let field = |k| field(&v, k);
    let response_id = v.get("response").and_then(|r| r.get("id")).and_then(Value::as_str).map(str::to_owned);
    Head { ty: field("type"), stream_id: field("stream_id"), response_id, spoiled_terminal: false }
}
