//! The fast path for the events of a usual stream: one pass over the JSON text, no serde. It
//! reads `type`, the indices, `sequence_number`, `item_id`, the event's text (`delta`, or a
//! `*.done` event's final value) and builds the `serde_json::Value` of its payload (`response`,
//! `item`, `part`, `annotation`; a lean `response` keeps only `id`, `error` and `output`, the
//! fields the core reads); it validates everything else without building it, and stores
//! strings without escapes as byte ranges into the text (no copy).
//!
//! It declines (hands the text back for the general path) whenever anything is unusual: a type
//! it does not know, `error` and `keepalive` events, a field it reads with an unexpected JSON
//! type or given twice, a number it would build that is not a non-negative integer within
//! `u64` (serde_json's own float reading decides those), a lone surrogate escape, nesting
//! deeper than serde_json allows, invalid JSON. So both paths always agree; `tests/event.rs`
//! and the fuzz harness check it.

use serde_json::{Map, Value};

use super::response_event::{ResponseEvent, StrRef};
use super::{EventKind, LEAN_RESPONSE_FIELDS};

/// serde_json's default recursion limit: deeper values go to the general path.
const MAX_DEPTH: u32 = 127;

/// Where the fields read start in the order of [`key_index`]: `type`, `item_id`, the integers,
/// the texts, the payloads.
const INTS: usize = 2;
const TEXTS: usize = 7;
const PAYLOADS: usize = 13;

#[derive(Default)]
struct Fields {
    kind: Option<EventKind>,
    /// The places of the text and payload fields `kind` reads (set with it).
    reads: [Option<usize>; 2],
    item_id: Option<StrRef>,
    ints: [Option<u64>; TEXTS - INTS],
    /// The event's text and payload, each with its field's place (a field the kind does not
    /// read is only validated once the type is known; before, it is kept, and dropped after).
    text: Option<(usize, StrRef)>,
    payload: Option<(usize, Value)>,
}

/// The event, or the data back when anything about it is unusual (module docs): then the
/// general path decides. `lean`: a lifecycle event's `response` keeps only what the core reads.
pub(crate) fn decode(data: String, lean: bool) -> Result<ResponseEvent, String> {
    let mut f = Fields::default();
    let Some(kind) = scan(&data, lean, &mut f).and(f.kind) else { return Err(data) };
    let [text_place, payload_place] = f.reads;
    let text = f.text.filter(|(k, _)| Some(*k) == text_place).map(|(_, t)| t);
    let payload = f.payload.filter(|(k, _)| Some(*k) == payload_place).map(|(_, v)| v);
    let [sequence_number, output_index, content_index, summary_index, annotation_index] = f.ints;
    Ok(ResponseEvent {
        json: data,
        kind,
        other_type: None,
        sequence_number,
        output_index,
        content_index,
        summary_index,
        annotation_index,
        item_id: f.item_id,
        text,
        // `null` is no payload, as on the general path.
        payload: payload.filter(|v| !v.is_null()),
        error: None,
    })
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first byte from `i` that is not whitespace. Compact JSON has none: that
/// case is one comparison, inlined.
#[inline(always)]
fn ws(b: &[u8], i: usize) -> usize {
    if b.get(i).is_some_and(|&c| c > b' ') {
        return i;
    }
    ws_run(b, i)
}

fn ws_run(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ws(c)) {
        i += 1;
    }
    i
}

/// `i` at an opening quote: (end of the content, index after the closing quote, escaped).
/// `None` for a control character, an invalid escape, or a `\u` escape of a lone
/// surrogate (serde_json rejects those; the general path reports it).
fn string(b: &[u8], i: usize) -> Option<(usize, usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        j = special(b, j)?;
        match *b.get(j)? {
            b'"' => return Some((j, j + 1, escaped)),
            b'\\' => {
                j = match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j + 2,
                    b'u' => unicode_escape(b, j)?.1,
                    _ => return None,
                };
                escaped = true;
            }
            _ => return None, // a control character
        }
    }
}

/// The first byte from `j` that a string must look at: a `"`, a `\\` or a control character.
/// Eight bytes at a time: in each word, a flag on every such byte (and perhaps on bytes after
/// one, never before), so the lowest flag is the first.
#[inline(always)]
pub(super) fn special(b: &[u8], mut j: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & (ONES << 7);
    while let Some(w) = b.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*w);
        let m = has_zero(w ^ (ONES * 0x22))
            | has_zero(w ^ (ONES * 0x5c))
            | (w.wrapping_sub(ONES * 0x20) & !w & (ONES << 7));
        if m != 0 {
            return Some(j + (m.trailing_zeros() / 8) as usize);
        }
        j += 8;
    }
    b.get(j..)?.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| j + p)
}

/// `a == b`, eight bytes at a time: the wasm build's `memcmp` compares one byte at a time, and
/// the strings compared once per event (its type, its item's id) are 20 to 60 bytes long.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a == b;
    }
    let word = |s: &[u8], i: usize| s.get(i..).and_then(<[u8]>::first_chunk::<8>).map(|w| u64::from_le_bytes(*w));
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    // The last eight bytes (overlapping the words compared, when `n` is not a multiple of 8).
    word(a, n - 8) == word(b, n - 8)
}

/// Four hex digits at `i`.
pub(super) fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let digits = b.get(i..i + 4)?;
    digits.iter().try_fold(0u32, |n, &d| Some(n * 16 + (d as char).to_digit(16)?))
}

/// `i` at the backslash of a `\uXXXX` escape: the character (a surrogate pair taken
/// together) and the index after the escape(s). `None` for a lone surrogate.
fn unicode_escape(b: &[u8], i: usize) -> Option<(char, usize)> {
    let hi = hex4(b, i + 2)?;
    match hi {
        0xD800..=0xDBFF => {
            if !matches!(b.get(i + 6), Some(b'\\')) || !matches!(b.get(i + 7), Some(b'u')) {
                return None;
            }
            let lo = hex4(b, i + 8)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return None;
            }
            let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
            Some((c, i + 12))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(hi)?, i + 6)),
    }
}

/// The unescaped content of the string validated by [`string`] whose content is
/// `s[start..end]`.
fn unescape(s: &str, start: usize, end: usize) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(end - start);
    let (mut i, mut run) = (start, start);
    while i < end {
        if !matches!(b.get(i), Some(b'\\')) {
            i += 1;
            continue;
        }
        out.push_str(s.get(run..i)?);
        let (c, next) = match *b.get(i + 1)? {
            b'u' => unicode_escape(b, i)?,
            e => (
                match e {
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    other => other as char, // '"', '\\', '/'
                },
                i + 2,
            ),
        };
        out.push(c);
        i = next;
        run = next;
    }
    out.push_str(s.get(run..end)?);
    Some(out)
}

/// A JSON number per RFC 8259; the index after it. Its value is not computed: one beyond
/// `f64`'s range is as good as any other here (the general path reads it as `null`).
pub(super) fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if matches!(b.get(i), Some(b'-')) {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if matches!(b.get(i), Some(b'.')) {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

/// Validates one JSON value starting at `i` without building it: the index after it.
fn skip(b: &[u8], i: usize, depth: u32) -> Option<usize> {
    Some(match *b.get(i)? {
        b'"' => string(b, i)?.1,
        b't' => literal(b, i, b"true")?,
        b'f' => literal(b, i, b"false")?,
        b'n' => literal(b, i, b"null")?,
        b'[' | b'{' if depth >= MAX_DEPTH => return None,
        open @ (b'[' | b'{') => {
            // `]` and `}` follow `[` and `{` by two.
            let close = open + 2;
            let mut j = ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if open == b'{' {
                    if !matches!(b.get(j), Some(b'"')) {
                        return None;
                    }
                    j = ws(b, string(b, j)?.1);
                    if !matches!(b.get(j), Some(b':')) {
                        return None;
                    }
                    j = ws(b, j + 1);
                }
                j = ws(b, skip(b, j, depth + 1)?);
                match *b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    c if c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => number_end(b, i)?,
    })
}

/// Validates one JSON value starting at `i` and builds it as serde_json does (`lean`: an
/// object keeps only [`LEAN_RESPONSE_FIELDS`], the rest validated only); the value and the
/// index after it.
fn walk(s: &str, i: usize, depth: u32, lean: bool) -> Option<(Value, usize)> {
    let b = s.as_bytes();
    Some(match *b.get(i)? {
        b'"' => {
            let (r, n) = str_ref(s, i)?;
            (Value::String(owned(s, r)?), n)
        }
        b't' => (Value::Bool(true), literal(b, i, b"true")?),
        b'f' => (Value::Bool(false), literal(b, i, b"false")?),
        b'n' => (Value::Null, literal(b, i, b"null")?),
        b'[' | b'{' if depth >= MAX_DEPTH => return None,
        b'[' => {
            let mut out = Vec::new();
            let mut j = ws(b, i + 1);
            if matches!(b.get(j), Some(b']')) {
                return Some((Value::Array(out), j + 1));
            }
            loop {
                let (v, n) = walk(s, j, depth + 1, false)?;
                out.push(v);
                j = ws(b, n);
                match *b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b']' => return Some((Value::Array(out), j + 1)),
                    _ => return None,
                }
            }
        }
        b'{' => {
            let mut out = Map::new();
            let mut j = ws(b, i + 1);
            if matches!(b.get(j), Some(b'}')) {
                return Some((Value::Object(out), j + 1));
            }
            loop {
                if !matches!(b.get(j), Some(b'"')) {
                    return None;
                }
                let (key, n) = str_ref(s, j)?;
                j = ws(b, n);
                if !matches!(b.get(j), Some(b':')) {
                    return None;
                }
                j = ws(b, j + 1);
                j = if lean && !LEAN_RESPONSE_FIELDS.contains(&resolve(s, &key)?) {
                    skip(b, j, depth + 1)?
                } else {
                    let (v, n) = walk(s, j, depth + 1, false)?;
                    out.insert(owned(s, key)?, v);
                    n
                };
                j = ws(b, j);
                match *b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b'}' => return Some((Value::Object(out), j + 1)),
                    _ => return None,
                }
            }
        }
        _ => {
            let (n, end) = uint(b, i)?;
            (Value::from(n), end)
        }
    })
}

/// The text of a [`StrRef`] into `s`.
fn resolve<'s>(s: &'s str, r: &'s StrRef) -> Option<&'s str> {
    match r {
        StrRef::Range(r) => s.get(r.clone()),
        StrRef::Owned(o) => Some(o),
    }
}

/// The string of a [`StrRef`] into `s`.
fn owned(s: &str, r: StrRef) -> Option<String> {
    Some(match r {
        StrRef::Range(r) => s.get(r)?.to_owned(),
        StrRef::Owned(o) => o,
    })
}

/// `word` at `i`: the index after it.
fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    b.get(i..)?.starts_with(word).then_some(i + word.len())
}

/// A non-negative integer that fits u64 (what the general path reads as `Some`): digits with
/// no sign, fraction or exponent.
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

/// A string value: a range into `s` when unescaped, else the unescaped copy.
fn str_ref(s: &str, i: usize) -> Option<(StrRef, usize)> {
    let (end, next, escaped) = string(s.as_bytes(), i)?;
    let r = if escaped { StrRef::Owned(unescape(s, i + 1, end)?) } else { StrRef::Range(i + 1..end) };
    Some((r, next))
}

/// The place of a field of [`EventKind::text_field`] or [`EventKind::payload_field`].
fn place(field: Option<&str>) -> Option<usize> {
    key_index(field?.as_bytes())
}

/// The place of a field read (see [`INTS`]).
fn key_index(key: &[u8]) -> Option<usize> {
    Some(match key {
        b"type" => 0,
        b"item_id" => 1,
        b"sequence_number" => 2,
        b"output_index" => 3,
        b"content_index" => 4,
        b"summary_index" => 5,
        b"annotation_index" => 6,
        b"delta" => 7,
        b"text" => 8,
        b"refusal" => 9,
        b"arguments" => 10,
        b"input" => 11,
        b"code" => 12,
        b"response" => 13,
        b"item" => 14,
        b"part" => 15,
        b"annotation" => 16,
        _ => return None,
    })
}

fn scan(s: &str, lean: bool, f: &mut Fields) -> Option<()> {
    let b = s.as_bytes();
    let mut i = ws(b, 0);
    if !matches!(b.get(i), Some(b'{')) {
        return None;
    }
    i = ws(b, i + 1);
    if matches!(b.get(i), Some(b'}')) {
        return None;
    }
    loop {
        if !matches!(b.get(i), Some(b'"')) {
            return None;
        }
        let (kend, next, kesc) = string(b, i)?;
        if kesc {
            return None;
        }
        let key = b.get(i + 1..kend)?;
        i = ws(b, next);
        if !matches!(b.get(i), Some(b':')) {
            return None;
        }
        i = ws(b, i + 1);
        // Each field read at most once, with the type the event needs.
        fn once<T>(slot: Option<&mut Option<T>>, (v, n): (T, usize)) -> Option<usize> {
            let slot = slot?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(v);
            Some(n)
        }
        let text = |i| if matches!(b.get(i), Some(b'"')) { str_ref(s, i) } else { None };
        // A text or payload field that the event's kind (once known) does not read.
        let read = |k| f.kind.is_none() || f.reads.contains(&Some(k));
        i = match key_index(key) {
            Some(0) => {
                let (end, n, esc) = if matches!(b.get(i), Some(b'"')) { string(b, i)? } else { return None };
                let kind = EventKind::from_type(s.get(i + 1..end)?);
                if esc || matches!(kind, EventKind::Other | EventKind::Error | EventKind::Keepalive) {
                    return None;
                }
                f.reads = [place(kind.text_field()), place(kind.payload_field())];
                once(Some(&mut f.kind), (kind, n))?
            }
            Some(1) => once(Some(&mut f.item_id), text(i)?)?,
            Some(k) if k < TEXTS => once(f.ints.get_mut(k - INTS), uint(b, i)?)?,
            Some(k) if k < PAYLOADS && read(k) => {
                let (t, n) = text(i)?;
                once(Some(&mut f.text), ((k, t), n))?
            }
            Some(k) if k >= PAYLOADS && read(k) => {
                let (v, n) = walk(s, i, 1, lean && k == PAYLOADS)?;
                once(Some(&mut f.payload), ((k, v), n))?
            }
            _ => skip(b, i, 1)?,
        };
        i = ws(b, i);
        match *b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return (ws(b, i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    #[test]
    fn same_bytes_is_equality() {
        let s = b"response.output_text.delta, then more bytes";
        let copy = s.to_vec();
        for n in 0..s.len() {
            let a = &s[..n];
            assert!(super::same_bytes(a, &copy[..n]));
            assert!(!super::same_bytes(a, &s[..n + 1]));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 0x20;
                assert!(!super::same_bytes(a, &b), "{n} {k}");
            }
        }
    }
}
