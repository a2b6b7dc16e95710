//! `SseParser` for JS: the core SSE parser behind a JSON batch interface.
//!
//! Each `feed` crosses the boundary once each way: bytes in, one JSON string out
//! (`[{"event":…,"data":…,"lastEventId":…},…]`), which pkg/api.js hands to `JSON.parse`.

use crate::error::Error;
use crate::sse::{Event, Parser, SseError};
use wasm_bindgen::prelude::*;

/// The raw parser export; pkg/api.js wraps it as the public `SseParser`.
#[wasm_bindgen(js_name = RawSseParser)]
pub struct RawSseParser {
    parser: Parser,
    events: Vec<Event>,
    json: String,
}

#[wasm_bindgen(js_class = RawSseParser)]
impl RawSseParser {
    /// `maxEventSize` in bytes; 0 or absent means the default (16 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(max_event_size: Option<f64>) -> RawSseParser {
        let parser = match max_event_size {
            Some(n) if n >= 1.0 => Parser::with_max_event_size(n as usize),
            _ => Parser::new(),
        };
        RawSseParser { parser, events: Vec::new(), json: String::new() }
    }

    /// Feeds one chunk; returns the completed events as a JSON array.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<String, JsValue> {
        self.events.clear();
        self.parser.feed(chunk, &mut self.events).map_err(sse_error)?;
        Ok(self.events_json())
    }

    /// End of stream: an unfinished event is discarded (the spec); returns `"[]"`.
    pub fn finish(&mut self) -> String {
        self.parser.finish();
        "[]".to_owned()
    }

    /// The last valid `retry:` value, in milliseconds.
    #[wasm_bindgen(getter)]
    pub fn retry(&self) -> Option<f64> {
        self.parser.retry().map(|r| r as f64)
    }
}

impl RawSseParser {
    fn events_json(&mut self) -> String {
        let out = &mut self.json;
        out.clear();
        out.push('[');
        for (i, ev) in self.events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"event\":");
            push_json_str(out, &ev.event);
            out.push_str(",\"data\":");
            push_json_str(out, &ev.data);
            out.push_str(",\"lastEventId\":");
            push_json_str(out, &ev.last_event_id);
            out.push('}');
        }
        out.push(']');
        std::mem::take(out)
    }
}

fn sse_error(e: SseError) -> JsValue {
    let SseError::EventTooLarge { limit } = e;
    super::error::js_err(Error::stream(format!(
        "an SSE event exceeded the size limit of {limit} bytes"
    )))
}

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str(&format!("\\u{:04x}", b));
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}
