//! Boundary and decoding experiments, built on the crate's own core (`sse`, `event`, `stream`).
//!
//! - `Sse*`: the same SSE parser behind different JS<->wasm return formats.
//! - `DecodeBench`: Rust-side per-event work in isolation (serde_json::Value, the crate's
//!   borrowed decoder, a minimal serde struct, a hand-written scanner, decode + accumulate).
//! - `Pipeline`: a JS-driven body reader (JS awaits reader.read() and feeds each chunk
//!   synchronously) over the crate's StreamState, instead of Rust futures per read.
use std::borrow::Cow;
use std::collections::VecDeque;

use cometapi_responses::accumulate::Accumulator;
use cometapi_responses::event::{self, ResponseEvent};
use cometapi_responses::sse::{Event, Parser};
use cometapi_responses::stream::StreamState;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

fn push_json_str(out: &mut String, s: &str) {
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

// ------------------------------------------------------------------------------- SSE formats

/// (a) Today's format: one JSON array string `[{"event","data","lastEventId"},…]`.
#[wasm_bindgen]
pub struct SseJson {
    p: Parser,
    ev: Vec<Event>,
}

#[wasm_bindgen]
impl SseJson {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseJson {
        SseJson { p: Parser::new(), ev: Vec::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> String {
        self.ev.clear();
        let _ = self.p.feed(chunk, &mut self.ev);
        let mut out = String::from("[");
        for (i, e) in self.ev.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"event\":");
            push_json_str(&mut out, &e.event);
            out.push_str(",\"data\":");
            push_json_str(&mut out, &e.data);
            out.push_str(",\"lastEventId\":");
            push_json_str(&mut out, &e.last_event_id);
            out.push('}');
        }
        out.push(']');
        out
    }
}

/// (a') Like (a) but returns `undefined` when the chunk completed no event (most 64 B chunks).
#[wasm_bindgen]
pub struct SseJsonOpt {
    inner: SseJson,
}

#[wasm_bindgen]
impl SseJsonOpt {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseJsonOpt {
        SseJsonOpt { inner: SseJson::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> Option<String> {
        let s = self.inner.feed(chunk);
        if self.inner.ev.is_empty() {
            None
        } else {
            Some(s)
        }
    }
}

/// (b) A flat js_sys::Array of strings [event, data, id, event, data, id, …]: one
/// JsValue::from_str (one TextDecoder call) per field.
#[wasm_bindgen]
pub struct SseArray {
    p: Parser,
    ev: Vec<Event>,
}

#[wasm_bindgen]
impl SseArray {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseArray {
        SseArray { p: Parser::new(), ev: Vec::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> js_sys::Array {
        self.ev.clear();
        let _ = self.p.feed(chunk, &mut self.ev);
        let a = js_sys::Array::new();
        for e in &self.ev {
            a.push(&JsValue::from_str(&e.event));
            a.push(&JsValue::from_str(&e.data));
            a.push(&JsValue::from_str(&e.last_event_id));
        }
        a
    }
}

/// (b') Like (b), but names and ids repeat: `event`/`lastEventId` are sent only when they
/// differ from the previous event's (else `undefined`, and JS reuses its last string).
#[wasm_bindgen]
pub struct SseArrayDelta {
    p: Parser,
    ev: Vec<Event>,
    last_event: String,
    last_id: String,
}

#[wasm_bindgen]
impl SseArrayDelta {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseArrayDelta {
        SseArrayDelta { p: Parser::new(), ev: Vec::new(), last_event: String::from("\u{0}"), last_id: String::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> Option<js_sys::Array> {
        self.ev.clear();
        let _ = self.p.feed(chunk, &mut self.ev);
        if self.ev.is_empty() {
            return None;
        }
        let a = js_sys::Array::new();
        for e in &self.ev {
            if e.event != self.last_event {
                a.push(&JsValue::from_str(&e.event));
                self.last_event.clone_from(&e.event);
            } else {
                a.push(&JsValue::UNDEFINED);
            }
            a.push(&JsValue::from_str(&e.data));
            if e.last_event_id != self.last_id {
                a.push(&JsValue::from_str(&e.last_event_id));
                self.last_id.clone_from(&e.last_event_id);
            } else {
                a.push(&JsValue::UNDEFINED);
            }
        }
        Some(a)
    }
}

/// (b'') Data only (an upper bound: what the Responses client needs).
#[wasm_bindgen]
pub struct SseDataOnly {
    p: Parser,
    ev: Vec<Event>,
}

#[wasm_bindgen]
impl SseDataOnly {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseDataOnly {
        SseDataOnly { p: Parser::new(), ev: Vec::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> Option<js_sys::Array> {
        self.ev.clear();
        let _ = self.p.feed(chunk, &mut self.ev);
        if self.ev.is_empty() {
            return None;
        }
        let a = js_sys::Array::new();
        for e in &self.ev {
            a.push(&JsValue::from_str(&e.data));
        }
        Some(a)
    }
}

/// (c) One string with every field concatenated + UTF-16 lengths (a Uint32Array): JS slices.
/// Returns `undefined` when the chunk completed no event.
#[wasm_bindgen]
pub struct SseOffsets {
    p: Parser,
    ev: Vec<Event>,
    lens: Vec<u32>,
}

fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.chars().map(|c| c.len_utf16() as u32).sum()
    }
}

#[wasm_bindgen]
impl SseOffsets {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseOffsets {
        SseOffsets { p: Parser::new(), ev: Vec::new(), lens: Vec::new() }
    }
    pub fn feed(&mut self, chunk: &[u8]) -> Option<String> {
        self.ev.clear();
        self.lens.clear();
        let _ = self.p.feed(chunk, &mut self.ev);
        if self.ev.is_empty() {
            return None;
        }
        let total: usize = self.ev.iter().map(|e| e.event.len() + e.data.len() + e.last_event_id.len()).sum();
        let mut out = String::with_capacity(total);
        for e in &self.ev {
            for f in [&e.event, &e.data, &e.last_event_id] {
                out.push_str(f);
                self.lens.push(utf16_len(f));
            }
        }
        Some(out)
    }
    /// The UTF-16 lengths of the fields of the last feed.
    pub fn lens(&self) -> Vec<u32> {
        self.lens.clone()
    }
}

// ------------------------------------------------------------------------------- decoding

#[derive(Deserialize)]
struct Min<'a> {
    #[serde(borrow, rename = "type")]
    ty: Cow<'a, str>,
    #[serde(borrow, default)]
    delta: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    item_id: Option<Cow<'a, str>>,
    #[serde(default)]
    output_index: Option<u64>,
    #[serde(default)]
    content_index: Option<u64>,
    #[serde(default)]
    sequence_number: Option<u64>,
}

/// A hand-written scanner for the top level of an event object: reads `type`, `delta`,
/// `item_id`, `output_index`, `content_index`, `sequence_number`, skips everything else
/// (strings with escapes, nested objects/arrays) without allocating unless a wanted string has
/// escapes. Returns (type, delta length, sum of indices) to keep the work observable.
mod scan {
    pub struct Out<'a> {
        pub ty: &'a [u8],
        pub delta_len: usize,
        pub nums: u64,
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        i
    }

    /// i at the opening quote; returns (content range end, index after the closing quote, has_escape).
    fn string(b: &[u8], i: usize) -> Option<(usize, usize, bool)> {
        let mut j = i + 1;
        let mut esc = false;
        while j < b.len() {
            match b[j] {
                b'"' => return Some((j, j + 1, esc)),
                b'\\' => {
                    esc = true;
                    j += 2;
                }
                _ => j += 1,
            }
        }
        None
    }

    fn skip_value(b: &[u8], i: usize) -> Option<usize> {
        match *b.get(i)? {
            b'"' => string(b, i).map(|(_, n, _)| n),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut j = i;
                while j < b.len() {
                    match b[j] {
                        b'"' => {
                            j = string(b, j)?.1;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                None
            }
            _ => {
                let mut j = i;
                while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    j += 1;
                }
                Some(j)
            }
        }
    }

    fn number(b: &[u8], i: usize) -> (u64, usize) {
        let mut j = i;
        let mut n = 0u64;
        while j < b.len() && b[j].is_ascii_digit() {
            n = n.wrapping_mul(10).wrapping_add((b[j] - b'0') as u64);
            j += 1;
        }
        (n, j)
    }

    pub fn event(s: &str) -> Option<Out<'_>> {
        let b = s.as_bytes();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i += 1;
        let mut out = Out { ty: b"", delta_len: 0, nums: 0 };
        loop {
            i = ws(b, i);
            match b.get(i)? {
                b'}' => return Some(out),
                b',' => {
                    i += 1;
                    continue;
                }
                b'"' => {}
                _ => return None,
            }
            let (kend, next, _) = string(b, i)?;
            let key = &b[i + 1..kend];
            i = ws(b, next);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(b, i + 1);
            match key {
                b"type" | b"delta" | b"item_id" if b.get(i) == Some(&b'"') => {
                    let (vend, next, esc) = string(b, i)?;
                    let v = &b[i + 1..vend];
                    if key == b"type" {
                        out.ty = v;
                    } else if key == b"delta" {
                        // a real implementation would unescape here when `esc`
                        out.delta_len = v.len() + esc as usize;
                    }
                    i = next;
                }
                b"output_index" | b"content_index" | b"sequence_number" if b.get(i).is_some_and(u8::is_ascii_digit) => {
                    let (n, next) = number(b, i);
                    out.nums = out.nums.wrapping_add(n);
                    i = next;
                }
                _ => i = skip_value(b, i)?,
            }
        }
    }
}

/// Rust-side per-event work in isolation, over the data of a whole stream parsed up front.
#[wasm_bindgen]
pub struct DecodeBench {
    events: Vec<Event>,
}

#[wasm_bindgen]
impl DecodeBench {
    /// Parses the whole SSE stream once.
    #[wasm_bindgen(constructor)]
    pub fn new(stream: &[u8]) -> DecodeBench {
        let mut p = Parser::new();
        let mut events = Vec::new();
        let _ = p.feed(stream, &mut events);
        p.finish();
        DecodeBench { events }
    }
    pub fn count(&self) -> u32 {
        self.events.len() as u32
    }
    /// 0: touch the data only; 1: serde_json::Value; 2: the crate's decoder (event::decode);
    /// 3: minimal borrowed serde struct; 4: hand-written scanner; 5: crate decoder + Accumulator;
    /// 6: SSE parse of the whole stream again (for scale); returns a checksum.
    pub fn run(&self, mode: u32) -> f64 {
        let mut sum = 0u64;
        match mode {
            0 => {
                for e in &self.events {
                    sum += e.data.len() as u64;
                }
            }
            1 => {
                for e in &self.events {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.data) {
                        sum += v.get("delta").and_then(|d| d.as_str()).map_or(0, |d| d.len()) as u64;
                    }
                }
            }
            2 => {
                for e in &self.events {
                    if let Ok(Some(ev)) = event::decode(e) {
                        sum += ev.text().map_or(0, str::len) as u64;
                    }
                }
            }
            3 => {
                for e in &self.events {
                    if let Ok(m) = serde_json::from_str::<Min<'_>>(&e.data) {
                        sum += m.delta.map_or(0, |d| d.len()) as u64 + m.ty.len() as u64;
                        sum += m.output_index.unwrap_or(0) + m.content_index.unwrap_or(0) + m.sequence_number.unwrap_or(0);
                        sum += m.item_id.map_or(0, |d| d.len()) as u64;
                    }
                }
            }
            4 => {
                for e in &self.events {
                    if let Some(o) = scan::event(&e.data) {
                        sum += o.delta_len as u64 + o.ty.len() as u64 + o.nums;
                    }
                }
            }
            5 => {
                let mut acc = Accumulator::new();
                for e in &self.events {
                    if let Ok(Some(ev)) = event::decode(e) {
                        let _ = acc.push(&ev);
                    }
                }
                sum = acc.output_text().len() as u64;
            }
            6 => {
                // Copies the data into owned events first (what feed() does), then decodes
                // with the owned decoder, the path StreamState takes.
                for e in &self.events {
                    if let Ok(Some(ev)) = event::decode_owned(e.clone()) {
                        sum += ev.text().map_or(0, str::len) as u64;
                    }
                }
            }
            _ => {}
        }
        sum as f64
    }
}

// ------------------------------------------------------------------------------- pipeline

/// A JS-driven stream: JS reads the body and calls `feed(chunk)` synchronously; each call
/// returns the JSON batch of the events the chunk completed (or `undefined`).
/// mode 0: apply every event to the accumulator inside feed (eager);
/// mode 1: never apply (decode only: the accumulator's share);
/// mode 2: apply when JS calls step() per event (today's per-event crossing).
#[wasm_bindgen]
pub struct Pipeline {
    state: StreamState,
    mode: u32,
    taken: VecDeque<ResponseEvent>,
    last_version: u64,
}

#[wasm_bindgen]
impl Pipeline {
    #[wasm_bindgen(constructor)]
    pub fn new(mode: u32) -> Pipeline {
        Pipeline { state: StreamState::new(), mode, taken: VecDeque::new(), last_version: 0 }
    }

    fn batch(&mut self) -> Result<Option<String>, JsValue> {
        let mut json: Option<String> = None;
        while let Some(item) = self.state.pop() {
            let ev = item.map_err(|e| JsValue::from_str(&e.to_string()))?;
            let s = json.get_or_insert_with(|| String::with_capacity(ev.json().len() + 2));
            s.push(if s.is_empty() { '[' } else { ',' });
            s.push_str(ev.json());
            match self.mode {
                0 => self.state.apply(&ev).map_err(|e| JsValue::from_str(&e.to_string()))?,
                2 => self.taken.push_back(ev),
                _ => {}
            }
        }
        if let Some(s) = &mut json {
            s.push(']');
        }
        Ok(json)
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<Option<String>, JsValue> {
        self.state.feed(chunk);
        self.batch()
    }

    pub fn end(&mut self) -> Result<Option<String>, JsValue> {
        self.state.end_of_body();
        self.batch()
    }

    pub fn step(&mut self) -> Result<(), JsValue> {
        if let Some(ev) = self.taken.pop_front() {
            self.state.apply(&ev).map_err(|e| JsValue::from_str(&e.to_string()))?;
        }
        Ok(())
    }

    /// The snapshot changed since the last call (cheap check for a lazy `response` getter).
    pub fn changed(&mut self) -> bool {
        let v = self.state.accumulator().version();
        let c = v != self.last_version;
        self.last_version = v;
        c
    }

    pub fn final_response(&self) -> Option<String> {
        self.state.final_response_json()
    }
}
