//! The fast path for `*.delta` events (nearly every event of a long stream): one pass over the
//! JSON text, no serde, no `Value`. It reads `type`, `delta`, `item_id`, `sequence_number` and
//! the indices, validates everything else without building it, and stores strings without
//! escapes as byte ranges into the text (no copy).
//!
//! It declines (hands the text back for the general path) whenever anything is unusual: another
//! event type, a field it reads with an unexpected JSON type or given twice, a field only the
//! general path reads, a lone surrogate escape, nesting deeper than serde_json allows, invalid
//! JSON. So both paths always agree; `tests/event.rs` and the fuzz harness check it.

use super::response_event::{ResponseEvent, StrRef};
use super::EventKind;

/// serde_json's default recursion limit: deeper values go to the general path.
const MAX_DEPTH: u32 = 127;

/// Wire fields the general path reads that a delta event does not use: their presence
/// (rare) sends the event to the general path, which also reports duplicates of them.
const OTHER_WIRE_FIELDS: [&[u8]; 13] = [
    b"annotation_index",
    b"text",
    b"refusal",
    b"arguments",
    b"input",
    b"code",
    b"message",
    b"param",
    b"response",
    b"item",
    b"part",
    b"annotation",
    b"error",
];

#[derive(Default)]
struct Fields {
    ty: Option<(usize, usize)>,
    item_id: Option<StrRef>,
    delta: Option<StrRef>,
    sequence_number: Option<u64>,
    output_index: Option<u64>,
    content_index: Option<u64>,
    summary_index: Option<u64>,
}

/// The event, or the data back when this is not a plain delta event or anything about it
/// is unusual (another type, a field of an unexpected type, a duplicate field, a lone
/// surrogate escape, invalid JSON, …): then the general path decides.
pub(super) fn delta(data: String) -> Result<ResponseEvent, String> {
    let Some(f) = scan(&data) else { return Err(data) };
    let Some((ts, te)) = f.ty else { return Err(data) };
    let kind = EventKind::from_type(data.get(ts..te).unwrap_or_default());
    if !kind.is_delta() || f.delta.is_none() {
        return Err(data);
    }
    Ok(ResponseEvent {
        json: data,
        kind,
        other_type: None,
        sequence_number: f.sequence_number,
        output_index: f.output_index,
        content_index: f.content_index,
        summary_index: f.summary_index,
        annotation_index: None,
        item_id: f.item_id,
        text: f.delta,
        payload: None,
        error: None,
    })
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn ws(b: &[u8], mut i: usize) -> usize {
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
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
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

/// Validates and skips one JSON value starting at `i`; the index after it.
fn skip(b: &[u8], i: usize, depth: u32) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string(b, i).map(|(_, n, _)| n),
        b't' => literal(b, i, b"true"),
        b'f' => literal(b, i, b"false"),
        b'n' => literal(b, i, b"null"),
        b'[' | b'{' if depth >= MAX_DEPTH => None,
        b'[' => {
            let mut j = ws(b, i + 1);
            if matches!(b.get(j), Some(b']')) {
                return Some(j + 1);
            }
            loop {
                j = ws(b, skip(b, j, depth + 1)?);
                match *b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b']' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b'{' => {
            let mut j = ws(b, i + 1);
            if matches!(b.get(j), Some(b'}')) {
                return Some(j + 1);
            }
            loop {
                if !matches!(b.get(j), Some(b'"')) {
                    return None;
                }
                j = ws(b, string(b, j)?.1);
                if !matches!(b.get(j), Some(b':')) {
                    return None;
                }
                j = ws(b, skip(b, ws(b, j + 1), depth + 1)?);
                match *b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b'}' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => number_end(b, i),
    }
}

/// `word` at `i`: the index after it.
fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    b.get(i..)?.starts_with(word).then_some(i + word.len())
}

/// A non-negative integer that fits u64 (what the general path reads as `Some`).
fn uint(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let end = number_end(b, i)?;
    let digits = b.get(i..end)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None; // negative, fraction or exponent
    }
    let mut n: u64 = 0;
    for &d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((n, end))
}

/// A string value: a range into `s` when unescaped, else the unescaped copy.
fn str_ref(s: &str, i: usize) -> Option<(StrRef, usize)> {
    let (end, next, escaped) = string(s.as_bytes(), i)?;
    let r = if escaped { StrRef::Owned(unescape(s, i + 1, end)?.into_boxed_str()) } else { StrRef::Range(i + 1..end) };
    Some((r, next))
}

fn scan(s: &str) -> Option<Fields> {
    let b = s.as_bytes();
    let mut f = Fields::default();
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
        // Each wanted field at most once, with the type the event needs.
        macro_rules! once {
            ($slot:expr, $val:expr) => {{
                if $slot.is_some() {
                    return None;
                }
                let (v, n) = $val?;
                $slot = Some(v);
                i = n;
            }};
        }
        match key {
            b"type" => {
                if !matches!(b.get(i), Some(b'"')) {
                    return None;
                }
                let (end, n, esc) = string(b, i)?;
                if esc || f.ty.is_some() {
                    return None;
                }
                f.ty = Some((i + 1, end));
                i = n;
            }
            b"delta" if matches!(b.get(i), Some(b'"')) => once!(f.delta, str_ref(s, i)),
            b"item_id" if matches!(b.get(i), Some(b'"')) => once!(f.item_id, str_ref(s, i)),
            b"sequence_number" => once!(f.sequence_number, uint(b, i)),
            b"output_index" => once!(f.output_index, uint(b, i)),
            b"content_index" => once!(f.content_index, uint(b, i)),
            b"summary_index" => once!(f.summary_index, uint(b, i)),
            b"delta" | b"item_id" => return None,
            k if OTHER_WIRE_FIELDS.contains(&k) => return None,
            _ => i = skip(b, i, 1)?,
        }
        i = ws(b, i);
        match *b.get(i)? {
            b',' => i = ws(b, i + 1),
            b'}' => return (ws(b, i + 1) == b.len()).then_some(f),
            _ => return None,
        }
    }
}
