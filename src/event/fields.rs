//! One event's fields, read in one pass over its JSON text with the [`lenient`] reader (no
//! serde): `type`, `item_id`, the indices, `sequence_number`, the event's text (`delta`, or a
//! `*.done` event's final value) and the object it carries for the accumulator (`response`,
//! `item`, `part`, `annotation`, built as a `Value`; a lean `response` keeps only `id`, `error`
//! and `output`, the fields the core reads). Only the kind's own text and object are built, the
//! kind known from `type` (nearly always the first member; a `type` that changes the kind after a
//! text or object member was passed has the text read again). Every other member is checked
//! without being built; strings without escapes are byte ranges into the text (no copy).
//!
//! The fields read as `JSON.parse` reads them: a key given twice counts once, the last value
//! winning; a value of an unexpected JSON type reads as absent, never failing the event; an
//! integer field is a non-negative integer within `u64` or absent.

use serde_json::{Map, Value};

use super::errors::normalise_error;
use super::lenient::{self, JsonError, Read, Reader, StrRef, What};
use super::response_event::ResponseEvent;
use super::{EventKind, LEAN_RESPONSE_FIELDS};

/// Where the fields read start in the order of [`place`]: the strings (`type`, `item_id`, the
/// texts), the integers, the payloads.
const INTS: usize = 8;
const PAYLOADS: usize = 13;

/// The fields read so far.
#[derive(Default)]
struct Fields {
    /// `type`, `item_id` and the text the kind reads.
    strings: [Option<StrRef>; 3],
    ints: [Option<u64>; PAYLOADS - INTS],
    /// The payload the kind reads.
    payload: Option<Value>,
    /// The kind of the last `type` read (of the SSE name when none is, or when it is not a
    /// string): its text and payload are built, the other texts and payloads only checked.
    kind: Option<EventKind>,
    /// `kind` is the event's: a `type` read does not change it (the second reading of a text
    /// whose `type` came after a member it concerns).
    fixed: bool,
    /// A text or payload member was read (or skipped).
    met: bool,
    /// A `type` changed the kind after such a member: the text is read again, `fixed`.
    stale: bool,
}

impl Fields {
    /// `kind` (of the last `type`) is what the event reads from now on.
    fn set_kind(&mut self, kind: EventKind) {
        if !self.fixed {
            self.stale |= self.met && self.kind != Some(kind);
            self.kind = Some(kind);
        }
    }
}

/// The place of a field read (see [`INTS`]).
fn place(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"type" => 0,
        b"item_id" => 1,
        b"delta" => 2,
        b"text" => 3,
        b"refusal" => 4,
        b"arguments" => 5,
        b"input" => 6,
        b"code" => 7,
        b"sequence_number" => 8,
        b"output_index" => 9,
        b"content_index" => 10,
        b"summary_index" => 11,
        b"annotation_index" => 12,
        b"response" => 13,
        b"item" => 14,
        b"part" => 15,
        b"annotation" => 16,
        _ => return None,
    })
}

/// The event of a text whose first byte that is not whitespace is `{` (else, and for text that is
/// not JSON, the reader's error, with the text back). `sse_name`: the type when the JSON gives
/// none; `lean`: a lifecycle event's `response` keeps only what the core reads.
pub(super) fn decode(data: String, sse_name: &str, lean: bool) -> Result<ResponseEvent, (String, JsonError)> {
    let rd = Reader::new(&data);
    let mut f = Fields::default();
    let read = loop {
        match members(&rd, sse_name, lean, &mut f) {
            Ok(()) if f.stale => f = Fields { kind: f.kind, fixed: true, ..Fields::default() },
            read => break read,
        }
    };
    if let Err(e) = read {
        let e = rd.error(e);
        return Err((data, e));
    }
    let [ty, item_id, text] = f.strings;
    let type_name = ty.as_ref().map_or(sse_name, |t| t.get(&data));
    let kind = f.kind.unwrap_or_else(|| EventKind::from_type(sse_name));
    let other_type = (kind == EventKind::Other && type_name != "message").then(|| Box::from(type_name));
    let error = (kind == EventKind::Error)
        .then(|| Box::new(normalise_error(&lenient::parse_value(&data).unwrap_or_default(), &data)));
    let [sequence_number, output_index, content_index, summary_index, annotation_index] = f.ints;
    Ok(ResponseEvent {
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
        // `null` is no payload.
        payload: f.payload.filter(|v| !v.is_null()),
        error,
    })
}

/// The event object's members into `f`, each checked as JSON (as [`lenient::parse_value`]
/// checks it: the same errors at the same places).
fn members(rd: &Reader, sse_name: &str, lean: bool, f: &mut Fields) -> Read<()> {
    let b = rd.text.as_bytes();
    let i = rd.ws(0);
    if !matches!(b.get(i), Some(b'{')) {
        rd.value(i, 0, false)?;
        return rd.fail(i, What::Syntax);
    }
    // Inlined: a call per member costs more than the rest of a member's work.
    let end = rd.object(
        i,
        #[inline(always)]
        |key, j| {
            let Some(k) = place(key) else { return rd.skip(j, 1) };
            // Each field as the last of its key gives it; absent when of another JSON type.
            if (INTS..PAYLOADS).contains(&k) {
                let (v, n) = match uint(b, j) {
                    Some((v, n)) => (Some(v), n),
                    None => (None, rd.skip(j, 1)?),
                };
                if let Some(slot) = f.ints.get_mut(k - INTS) {
                    *slot = v;
                }
                return Ok(n);
            }
            if k >= 2 {
                // A text or a payload: read when the kind reads it.
                let kind = *f.kind.get_or_insert_with(|| EventKind::from_type(sse_name));
                f.met = true;
                let is = |field: Option<&str>| field.is_some_and(|f| f.as_bytes() == key);
                if is(kind.payload_field()) {
                    let (v, n) = match b.get(j) {
                        Some(b'{') if lean && k == PAYLOADS => lean_response(rd, j)?,
                        _ => rd.value(j, 1, true)?,
                    };
                    f.payload = Some(v);
                    return Ok(n);
                }
                if !is(kind.text_field()) {
                    return rd.skip(j, 1);
                }
            }
            let (s, n) = match b.get(j) {
                Some(b'"') => rd.string(j, true).map(|(s, n)| (Some(s), n))?,
                _ => (None, rd.skip(j, 1)?),
            };
            if k == 0 {
                f.set_kind(EventKind::from_type(s.as_ref().map_or(sse_name, |s| s.get(rd.text))));
            }
            if let Some(slot) = f.strings.get_mut(k.min(2)) {
                *slot = s;
            }
            Ok(n)
        },
    )?;
    match rd.ws(end) {
        n if n == b.len() => Ok(()),
        n => rd.fail(n, What::Syntax),
    }
}

/// A lifecycle event's `response` object at `i` with only the fields the core reads (the others
/// checked, not built).
fn lean_response(rd: &Reader, i: usize) -> Read<(Value, usize)> {
    let mut kept = Map::new();
    let n = rd.object(
        i,
        #[inline(always)]
        |key, j| {
            if !LEAN_RESPONSE_FIELDS.iter().any(|f| f.as_bytes() == key) {
                return rd.skip(j, 2);
            }
            let (v, n) = rd.value(j, 2, true)?;
            kept.insert(String::from_utf8_lossy(key).into_owned(), v);
            Ok(n)
        },
    )?;
    Ok((Value::Object(kept), n))
}

/// A non-negative integer that fits u64 (what an integer field holds): digits with no sign,
/// fraction or exponent; the index after it.
#[inline(always)]
fn uint(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let mut n: u64 = 0;
    let mut j = i;
    while let Some(&d @ b'0'..=b'9') = b.get(j) {
        let d = u64::from(d - b'0');
        // Nineteen digits always fit (no overflow check: in the wasm, a checked u64 product
        // is a 128-bit multiplication call).
        n = if j - i < 19 { n * 10 + d } else { n.checked_mul(10)?.checked_add(d)? };
        j += 1;
        if n == 0 && j == i + 1 {
            break; // a leading 0 is the whole integer part
        }
    }
    (j > i && !matches!(b.get(j), Some(b'.' | b'e' | b'E'))).then_some((n, j))
}
