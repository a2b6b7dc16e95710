//! One event's fields, read in one pass over its JSON text with the [`lenient`] reader (no
//! serde): `type`, `item_id`, the indices, `sequence_number`, the event's text (`delta`, or a
//! `*.done` event's final value) and the object it carries for the accumulator (`response`,
//! `item`, `part`, `annotation`, built as a `Value`; a lean `response` keeps only `id`, `error`
//! and `output`, the fields the core reads). Every other member is checked without being built;
//! strings without escapes are byte ranges into the text (no copy).
//!
//! The fields read as `JSON.parse` reads them: a key given twice counts once, the last value
//! winning; a value of an unexpected JSON type reads as absent, never failing the event; an
//! integer field is a non-negative integer within `u64` or absent.

use serde_json::Value;

use super::errors::normalise_error;
use super::lenient::{self, JsonError, Read, Reader, StrRef, What};
use super::response_event::ResponseEvent;
use super::EventKind;

/// Where the fields read start in the order of [`place`]: the strings (`type`, `item_id`, the
/// texts), the integers, the payloads.
const INTS: usize = 8;
const PAYLOADS: usize = 13;

#[derive(Default)]
struct Fields {
    /// `type`, `item_id`, then every field that is some kind's text.
    strings: [Option<At>; INTS],
    ints: [Option<u64>; PAYLOADS - INTS],
    payloads: [Option<Value>; 4],
    /// The strings with escapes, decoded (rare), kept apart so that the slots above are plain
    /// data with nothing to drop.
    decoded: Vec<String>,
}

/// Where a string field is: a range of the text, or its place in [`Fields::decoded`].
#[derive(Clone, Copy)]
enum At {
    Text(usize, usize),
    Decoded(usize),
}

impl Fields {
    /// The string field at place `k`.
    fn string(&mut self, k: usize) -> Option<StrRef> {
        Some(match (*self.strings.get(k)?)? {
            At::Text(start, end) => StrRef::Range(start..end),
            At::Decoded(d) => StrRef::Owned(std::mem::take(self.decoded.get_mut(d)?)),
        })
    }
}

/// The place of a field read (see [`INTS`]): the key's length picks the fields it could be, its
/// [`sig`] which (a match on the key's bytes compares them one at a time).
fn place(key: &[u8]) -> Option<usize> {
    let s = sig(key);
    Some(match key.len() {
        4 if s == const { sig(b"type") } => 0,
        4 if s == const { sig(b"text") } => 3,
        4 if s == const { sig(b"code") } => 7,
        4 if s == const { sig(b"item") } => 14,
        4 if s == const { sig(b"part") } => 15,
        5 if s == const { sig(b"delta") } => 2,
        5 if s == const { sig(b"input") } => 6,
        7 if s == const { sig(b"item_id") } => 1,
        7 if s == const { sig(b"refusal") } => 4,
        8 if s == const { sig(b"response") } => 13,
        9 if s == const { sig(b"arguments") } => 5,
        10 if s == const { sig(b"annotation") } => 16,
        12 if s == const { sig(b"output_index") } => 9,
        13 if s == const { sig(b"content_index") } => 10,
        13 if s == const { sig(b"summary_index") } => 11,
        15 if s == const { sig(b"sequence_number") } => 8,
        16 if s == const { sig(b"annotation_index") } => 12,
        _ => return None,
    })
}

/// A key's first and last eight bytes (four, for a key of four to seven bytes) as one integer:
/// for keys of one length from 4 to 16 bytes, all of their bytes (0 under four bytes).
#[inline(always)]
const fn sig(key: &[u8]) -> u128 {
    let (a, b) = match (key, key) {
        ([a0, a1, a2, a3, a4, a5, a6, a7, ..], [.., b0, b1, b2, b3, b4, b5, b6, b7]) => (
            u64::from_le_bytes([*a0, *a1, *a2, *a3, *a4, *a5, *a6, *a7]),
            u64::from_le_bytes([*b0, *b1, *b2, *b3, *b4, *b5, *b6, *b7]),
        ),
        ([a0, a1, a2, a3, ..], [.., b0, b1, b2, b3]) => {
            (u32::from_le_bytes([*a0, *a1, *a2, *a3]) as u64, u32::from_le_bytes([*b0, *b1, *b2, *b3]) as u64)
        }
        _ => (0, 0),
    };
    (a as u128) << 64 | b as u128
}

/// The event of a text whose first byte that is not whitespace is `{` (else, and for text that is
/// not JSON, the reader's error, with the text back). `sse_name`: the type when the JSON gives
/// none; `lean`: a lifecycle event's `response` keeps only what the core reads.
pub(super) fn decode(data: String, sse_name: &str, lean: bool) -> Result<ResponseEvent, (String, JsonError)> {
    let mut f = Fields::default();
    let rd = Reader::new(&data);
    if let Err(e) = members(&rd, lean, &mut f) {
        let e = rd.error(e);
        return Err((data, e));
    }
    let ty = f.string(0);
    // Data with neither a `type` nor an `event:` name that carries an `error` is an error event
    // (LiteLLM's proxy ends a failed stream with `data: {"error": {…}}`).
    let untyped_error = ty.is_none()
        && sse_name == "message"
        && lenient::parse_value(&data).is_ok_and(|v| v.get("error").is_some_and(|e| !e.is_null()));
    let type_name = if untyped_error { "error" } else { ty.as_ref().map_or(sse_name, |t| t.get(&data)) };
    let kind = EventKind::from_type(type_name);
    let other_type = (kind == EventKind::Other && type_name != "message").then(|| Box::from(type_name));
    let item_id = f.string(1);
    // The kind's own text and payload fields: the others were read only in case they were.
    let place = |field: Option<&str>| place(field?.as_bytes());
    let text = place(kind.text_field()).and_then(|k| f.string(k));
    let payload = place(kind.payload_field()).and_then(|k| f.payloads.get_mut(k.checked_sub(PAYLOADS)?)?.take());
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
        payload: payload.filter(|v| !v.is_null()),
        error,
    })
}

/// The event object's members into `f`, each checked as JSON (as [`lenient::parse_value`]
/// checks it: the same errors at the same places).
fn members(rd: &Reader, lean: bool, f: &mut Fields) -> Read<()> {
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
            Ok(if k < INTS {
                let (s, n) = match b.get(j) {
                    Some(b'"') => match rd.string(j, true)? {
                        (StrRef::Range(r), n) => (Some(At::Text(r.start, r.end)), n),
                        (StrRef::Owned(o), n) => {
                            f.decoded.push(o);
                            (Some(At::Decoded(f.decoded.len() - 1)), n)
                        }
                    },
                    _ => (None, rd.skip(j, 1)?),
                };
                if let Some(slot) = f.strings.get_mut(k) {
                    *slot = s;
                }
                n
            } else if k < PAYLOADS {
                let (v, n) = match uint(b, j) {
                    Some((v, n)) => (Some(v), n),
                    None => (None, rd.skip(j, 1)?),
                };
                if let Some(slot) = f.ints.get_mut(k - INTS) {
                    *slot = v;
                }
                n
            } else {
                let (v, n) = match b.get(j) {
                    Some(b'{') if lean && k == PAYLOADS => rd.lean_response(j, 1)?,
                    _ => rd.value(j, 1, true)?,
                };
                if let Some(slot) = f.payloads.get_mut(k - PAYLOADS) {
                    *slot = Some(v);
                }
                n
            })
        },
    )?;
    match rd.ws(end) {
        n if n == b.len() => Ok(()),
        n => rd.fail(n, What::Syntax),
    }
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
