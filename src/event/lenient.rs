//! JSON text → `serde_json::Value`, accepting what `JSON.parse` accepts.
//!
//! serde_json refuses two things that are valid JSON text (RFC 8259's grammar) and that
//! `JSON.parse` takes:
//!
//! - a number beyond `f64`'s range, about ±1.8e308 (`1e400`, `-1e400`, a 5000-digit integer):
//!   `JSON.parse` reads ±`Infinity`; here the number becomes **`null`** in the `Value`, which is
//!   what `JSON.stringify` writes for `Infinity`. (A number too small for `f64`, `1e-400`, is
//!   `0` in both and needs nothing.)
//! - a `\u` escape of a lone UTF-16 surrogate (`"\ud800"`): `JSON.parse` keeps the lone code
//!   unit; a Rust string cannot hold one, so the escape becomes U+FFFD REPLACEMENT CHARACTER.
//!
//! Nothing else is loosened: other text is rejected as serde_json rejects it, nesting deeper
//! than 127 arrays and objects included, with a [`JsonError`] that says where (serde_json's line
//! and column) and whether the text ended early.
//!
//! The reader is this module's own (one pass, no serde), numbers included: as serde_json reads
//! them (its significand and power of ten), but a double's shortest form (what `JSON.stringify`
//! and serde_json write) reads as that double, as `JSON.parse` reads it, so that values read and
//! written again (socket frames, tool-loop requests) keep their numbers; other spellings (more
//! digits than a double needs) may be an ulp or two off. The wasm links no serde_json parser.
//! The same [`Reader`] reads every event's members (`super::fields`): one scanner for both.
//!
//! # Keeping lone surrogates
//!
//! Where JS strings go through the core and back (the tool loop: tool outputs, responses resent
//! as history; a Response's `output_text`), U+FFFD would change them. [`parse_keeping_surrogates`]
//! encodes each lone surrogate instead, reversibly: its escape `\uXXXX` becomes
//! [`SURROGATE_MARK`] followed by the four hex digits `XXXX`, and the mark itself (U+FDD0, a
//! noncharacter), as it is or escaped, becomes the mark followed by `fdd0`. In a Rust string the
//! mark is then always followed by four hex digits, and [`restore_surrogates`] turns JSON text
//! written from such values back into JSON text that `JSON.parse` reads as the original strings
//! by writing `\u` for each mark. Strings concatenated in the core (`output_text`) concatenate as
//! in JS: a high and a low surrogate that meet become a pair. Text with neither a lone surrogate
//! escape nor the mark is parsed as by [`parse_value`], and restored as it is.

use std::fmt;

use std::ops::Range;

use serde_json::{Map, Value};

use super::LEAN_RESPONSE_FIELDS;

/// serde_json's nesting limit: 127 arrays and objects, one more is an error.
const MAX_DEPTH: usize = 127;

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    what: What,
    line: usize,
    column: usize,
}

/// What stopped the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// The text ends before the value does.
    Eof,
    /// Not JSON.
    Syntax,
    /// Nested deeper than 127 arrays and objects.
    Depth,
}

impl JsonError {
    fn at(b: &[u8], i: usize, what: What) -> Self {
        let i = b.len().min(i + 1);
        let before = b.get(..i).unwrap_or_default();
        let line_start = before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        let line = 1 + before.iter().take(line_start).filter(|&&c| c == b'\n').count();
        JsonError { what, line, column: i - line_start }
    }
}

/// "truncated JSON", "invalid JSON", or "JSON nested deeper than 128 arrays and objects" (valid
/// JSON that `JSON.parse` reads: the limit is ours), then "(line L, column C)".
impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.what {
            What::Eof => "truncated JSON",
            What::Syntax => "invalid JSON",
            What::Depth => "JSON nested deeper than 128 arrays and objects",
        };
        write!(f, "{what} (line {}, column {})", self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` as a JSON value the way `JSON.parse` would accept it (see the module docs for
/// what an out-of-range number and a lone surrogate escape become).
pub fn parse_value(text: &str) -> Result<Value, JsonError> {
    Reader::new(text).read(true)
}

/// Parses `text` as [`parse_value`] does, but keeps every lone surrogate, encoded (module docs).
pub fn parse_keeping_surrogates(text: &str) -> Result<Value, JsonError> {
    Reader { lone: Lone::Keep, ..Reader::new(text) }.read(true)
}

/// The text is JSON as [`parse_value`] reads it, at any depth (checked without building a value).
pub fn is_json(text: &str) -> bool {
    Reader { max_depth: usize::MAX, ..Reader::new(text) }.read(false).is_ok()
}

/// Deserializes `text` into `T`, reading it as [`parse_value`] does (a lone surrogate escape is
/// U+FFFD, a number beyond f64's range `null`).
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    match serde_json::from_str(text) {
        Err(e) if e.classify() == serde_json::error::Category::Syntax => match parse_value(text) {
            Ok(v) => serde_json::from_value(v),
            Err(j) => Err(serde::de::Error::custom(j)),
        },
        other => other,
    }
}

/// A number's value (a valid JSON number): an integer within `u64` (`i64` when negative), else
/// an `f64` from the first 19 or 20 significant digits and a power of ten, the double nearest
/// to the spelling whenever it is a double's shortest form (what `JSON.stringify` and
/// serde_json write), so that a value read and written again keeps its text; `null` beyond
/// f64's range (`JSON.parse`'s `Infinity`).
pub(crate) fn number(s: &str) -> Value {
    let b = s.as_bytes();
    let positive = !matches!(b.first(), Some(b'-'));
    let mut i = usize::from(!positive);
    let digit = |i: usize| b.get(i).filter(|c| c.is_ascii_digit()).map(|c| c - b'0');
    let (mut sig, mut exp, mut full) = (0u64, 0i32, false);
    // Integer digits past u64 only scale it.
    while let Some(d) = digit(i) {
        match sig.checked_mul(10).and_then(|x| x.checked_add(d.into())) {
            Some(x) if !full => sig = x,
            _ => (full, exp) = (true, exp.wrapping_add(1)),
        }
        i += 1;
    }
    if !full && !matches!(b.get(i), Some(b'.' | b'e' | b'E')) {
        let neg = (sig as i64).wrapping_neg();
        // `-0` and below `i64::MIN` are floats.
        return if positive {
            Value::from(sig)
        } else if neg < 0 {
            Value::from(neg)
        } else {
            Value::from(-(sig as f64))
        };
    }
    if matches!(b.get(i), Some(b'.')) {
        // Fraction digits past u64 are dropped.
        let mut full = false;
        while let Some(d) = digit(i + 1) {
            match sig.checked_mul(10).and_then(|x| x.checked_add(d.into())) {
                Some(x) if !full => (sig, exp) = (x, exp.wrapping_sub(1)),
                _ => full = true,
            }
            i += 1;
        }
        i += 1;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let positive_exp = !matches!(b.get(i + 1), Some(b'-'));
        i += 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let mut e = 0i32;
        while let Some(d) = digit(i) {
            let Some(x) = e.checked_mul(10).and_then(|x| x.checked_add(d.into())) else {
                let zero = if sig != 0 && positive_exp { f64::INFINITY } else { 0.0 };
                return Value::from(if positive { zero } else { -zero });
            };
            e = x;
            i += 1;
        }
        exp = if positive_exp { exp.saturating_add(e) } else { exp.saturating_sub(e) };
    }
    // One rounding of an exact significand by an exact power of ten: the nearest double. (A
    // dropped fraction digit leaves `sig` far above 2^53.)
    let exact = !full && sig <= 1 << 53 && exp.unsigned_abs() <= 22;
    let mut f = sig as f64;
    loop {
        match exp.unsigned_abs() {
            n @ 0..=308 if exp >= 0 => f *= pow10(n),
            n @ 0..=308 => f /= pow10(n),
            _ if f == 0.0 => {}
            _ if exp >= 0 => f = f64::INFINITY,
            _ => {
                f /= 1e308;
                exp += 308;
                continue;
            }
        }
        if !exact {
            f = nearest(f, s);
        }
        // Beyond f64's range: `null` (`Value::from` an infinite float).
        return Value::from(if positive { f } else { -f });
    }
}

/// `f` or a neighbour: the one whose shortest form is the spelling `s` (when one is: the others
/// lie a whole last digit away). `f` is within two ulps of the value `s` spells: three
/// roundings (the significand, the power of ten, the product), each off by half an ulp at most.
fn nearest(f: f64, s: &str) -> f64 {
    let Some(want) = decimal(s).filter(|_| f.is_finite() && f != 0.0) else { return f };
    // `f` is positive: its neighbours are the next bit patterns.
    let b = f.to_bits();
    for c in [b, b - 1, b + 1, b.saturating_sub(2), b + 2].map(f64::from_bits) {
        if decimal(&serde_json::to_string(&Value::from(c)).unwrap_or_default()) == Some(want) {
            return c;
        }
    }
    f
}

/// The significand without trailing zeros and the power of ten of a number's spelling (its
/// sign ignored); `None` past 19 significant digits.
fn decimal(s: &str) -> Option<(u64, i32)> {
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    // Zeros are counted until a digit follows them: leading and trailing ones never overflow.
    let (mut sig, mut zeros, mut exp, mut dot, mut i) = (0u64, 0u32, 0i32, false, 0);
    while let Some(&c) = b.get(i) {
        match c {
            b'0' => zeros += 1,
            b'1'..=b'9' => {
                let scale = if sig == 0 { 1 } else { 10u64.checked_pow(zeros + 1)? };
                (sig, zeros) = (sig.checked_mul(scale)?.checked_add(u64::from(c - b'0'))?, 0);
            }
            b'.' => dot = true,
            _ => break,
        }
        exp -= i32::from(dot && c != b'.');
        i += 1;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let negative = matches!(b.get(i + 1), Some(b'-'));
        let mut e = 0i32;
        for &d in b.get(i + 1..).unwrap_or_default().iter().skip_while(|c| matches!(c, b'+' | b'-')) {
            e = e.checked_mul(10)?.checked_add(i32::from(d.wrapping_sub(b'0')))?;
        }
        exp = exp.checked_add(if negative { -e } else { e })?;
    }
    // A significand without trailing zeros: they count in the power of ten.
    Some(if sig == 0 { (0, 0) } else { (sig, exp.checked_add(i32::try_from(zeros).ok()?)?) })
}

/// `10^n` (`n <= 308`) rounded to the nearest `f64`, ties to even: the value of the literal
/// `1e{n}`. Computed as `m * 2^e`, `m` kept to 128 bits (each step multiplies `m` by 5/8 and
/// `2^e` by 16): its error stays far below the last bit rounded (`tests/partial_json.rs` checks
/// every `n`).
fn pow10(n: u32) -> f64 {
    let (mut m, mut e) = (1u128 << 127, -52i32);
    for _ in 0..n {
        m = (m >> 1) + (m >> 3);
        e += 4;
        if m >> 127 == 0 {
            m <<= 1;
            e -= 1;
        }
    }
    let (top, rest, half) = ((m >> 75) as u64, m & ((1 << 75) - 1), 1 << 74);
    let top = top + u64::from(rest > half || (rest == half && top & 1 == 1));
    top as f64 * f64::from_bits(((e + 1023) as u64) << 52)
}

/// Precedes an encoded lone surrogate in a string (module docs).
const SURROGATE_MARK: char = '\u{FDD0}';

/// The text holds [`SURROGATE_MARK`] (by bytes: a `char` pattern search links a general searcher
/// into the wasm).
fn has_mark(b: &[u8]) -> bool {
    b.windows(3).any(|w| w == "\u{FDD0}".as_bytes())
}

/// JSON text written from values of [`parse_keeping_surrogates`], each encoded lone surrogate
/// (and mark) as its `\uXXXX` escape (module docs).
pub fn restore_surrogates(json: String) -> String {
    if !has_mark(json.as_bytes()) {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == SURROGATE_MARK {
            out.push_str("\\u");
        } else {
            out.push(c);
        }
    }
    out
}

/// A string of a value parsed keeping surrogates, as [`parse_value`] reads it: each encoded lone
/// surrogate U+FFFD, an encoded mark the mark.
pub fn replace_kept_surrogates(s: &str) -> std::borrow::Cow<'_, str> {
    if !has_mark(s.as_bytes()) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == SURROGATE_MARK {
            let rest = chars.as_str();
            let mark = rest.get(..4).is_some_and(|hex| hex.eq_ignore_ascii_case("fdd0"));
            out.push(if mark { SURROGATE_MARK } else { char::REPLACEMENT_CHARACTER });
            chars = rest.get(4..).unwrap_or_default().chars();
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// What a lone surrogate escape becomes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lone {
    /// U+FFFD.
    Replace,
    /// Encoded (module docs).
    Keep,
}

/// A string read: a byte range of the text when it had no escape (no copy), else its decoded copy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StrRef {
    Range(Range<usize>),
    Owned(String),
}

impl StrRef {
    /// The string, read from `text`.
    pub(crate) fn get<'s>(&'s self, text: &'s str) -> &'s str {
        match self {
            StrRef::Range(r) => text.get(r.clone()).unwrap_or_default(),
            StrRef::Owned(o) => o,
        }
    }

    /// The string's bytes, read from `b` (the text's bytes).
    #[inline(always)]
    pub(crate) fn bytes<'s>(&'s self, b: &'s [u8]) -> &'s [u8] {
        match self {
            StrRef::Range(r) => b.get(r.clone()).unwrap_or_default(),
            StrRef::Owned(o) => o.as_bytes(),
        }
    }
}

/// Where the reader stopped, and why (the line and column are counted only for a [`JsonError`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fail {
    at: usize,
    what: What,
}

pub(crate) type Read<T> = Result<T, Fail>;

/// An open array, or an object with the key of the value being read.
enum Open {
    Array(Vec<Value>),
    Object(Map<String, Value>, String),
}

/// The one JSON scanner: whitespace, strings (eight bytes at a time, escapes decoded once),
/// literals, numbers, values at any depth (the open containers on a stack of their own, no
/// recursion), and where the text stops being JSON. [`parse_value`] reads a whole text with it;
/// the event decoder ([`super::fields`]) reads an event's members with it.
pub(crate) struct Reader<'a> {
    pub(crate) text: &'a str,
    b: &'a [u8],
    lone: Lone,
    /// Arrays and objects open at once beyond which the text is an error (serde_json's limit).
    max_depth: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Reader { text, b: text.as_bytes(), lone: Lone::Replace, max_depth: MAX_DEPTH }
    }

    /// A whole text's value (`build`: else only checked, its value `null`).
    fn read(&self, build: bool) -> Result<Value, JsonError> {
        let (v, n) = self.value(self.ws(0), 0, build).map_err(|f| self.error(f))?;
        if n == self.b.len() {
            Ok(v)
        } else {
            Err(self.error(Fail { at: n, what: What::Syntax }))
        }
    }

    pub(crate) fn error(&self, f: Fail) -> JsonError {
        JsonError::at(self.b, f.at, f.what)
    }

    /// Eof at the end of the text, else `what`.
    pub(crate) fn fail<T>(&self, at: usize, what: What) -> Read<T> {
        Err(Fail { at, what: if at >= self.b.len() { What::Eof } else { what } })
    }

    /// [`ws`] in the text.
    #[inline(always)]
    pub(crate) fn ws(&self, i: usize) -> usize {
        ws(self.b, i)
    }

    fn owned(&self, s: StrRef) -> String {
        match s {
            StrRef::Range(r) => self.text.get(r).unwrap_or_default().to_owned(),
            StrRef::Owned(o) => o,
        }
    }

    /// The value at `i`, inside `depth` open arrays and objects (`build`: else only checked,
    /// `null`), and the index after it and the whitespace that follows.
    pub(crate) fn value(&self, i: usize, depth: usize, build: bool) -> Read<(Value, usize)> {
        if matches!(self.b.get(i), Some(b'[' | b'{')) {
            return self.nested(i, depth, build, false);
        }
        let (v, n) = self.scalar(i, build)?;
        Ok((v, self.ws(n)))
    }

    /// [`value`](Self::value) checked, not built: the index after it and its whitespace.
    pub(crate) fn skip(&self, i: usize, depth: usize) -> Read<usize> {
        let b = self.b;
        // The usual ones without the value's machinery: a string, an empty array or object.
        let n = match b.get(i) {
            Some(b'"') => self.string(i, false)?.1,
            Some(&c @ (b'[' | b'{')) if depth < self.max_depth && b.get(ws(b, i + 1)).is_some_and(|&e| e == c + 2) => {
                ws(b, i + 1) + 1
            }
            _ => return Ok(self.value(i, depth, false)?.1),
        };
        Ok(ws(b, n))
    }

    /// A string, literal or number at `i` and the index after it.
    fn scalar(&self, i: usize, build: bool) -> Read<(Value, usize)> {
        Ok(match self.b.get(i) {
            Some(b'"') => {
                let (s, n) = self.string_apart(i, build)?;
                (if build { Value::String(self.owned(s)) } else { Value::Null }, n)
            }
            Some(b't') => (Value::Bool(true), self.literal(i, b"true")?),
            Some(b'f') => (Value::Bool(false), self.literal(i, b"false")?),
            Some(b'n') => (Value::Null, self.literal(i, b"null")?),
            _ => match number_end(self.b, i) {
                Ok(n) if build => (number(self.text.get(i..n).unwrap_or_default()), n),
                Ok(n) => (Value::Null, n),
                // Eof when the text ends in the number.
                Err(at) => return self.fail(at, What::Syntax),
            },
        })
    }

    /// [`value`](Self::value) of a lifecycle event's `response` object at `i` with only the
    /// members the core reads built ([`LEAN_RESPONSE_FIELDS`]; the others checked, not built).
    pub(crate) fn lean_response(&self, i: usize, depth: usize) -> Read<(Value, usize)> {
        self.nested(i, depth, true, true)
    }

    /// [`value`](Self::value) of an array or object; `lean`: of a [`lean_response`](Self::lean_response).
    fn nested(&self, mut i: usize, depth: usize, build: bool, lean: bool) -> Read<(Value, usize)> {
        let b = self.b;
        let mut stack: Vec<Open> = Vec::new();
        // Whether the value being read is built: `build`, but not in a member `lean` leaves out.
        let mut building = build;
        // A key comes first (at `i`: the top of the stack is an object).
        let mut at_key = false;
        loop {
            if at_key {
                let outer = stack.len() == 1;
                let (k, n) = self.key(i, build && (building || outer), true)?;
                if outer && lean {
                    let key = k.bytes(self.b);
                    building = LEAN_RESPONSE_FIELDS.iter().any(|f| f.as_bytes() == key);
                }
                if let (true, Some(Open::Object(_, key))) = (building, stack.last_mut()) {
                    *key = self.owned(k);
                }
                i = n;
            }
            // A value starts at `i`.
            let (mut v, mut n) = match b.get(i) {
                Some(&c @ (b'[' | b'{')) => {
                    if depth + stack.len() >= self.max_depth {
                        return Err(Fail { at: i, what: What::Depth });
                    }
                    i = self.ws(i + 1);
                    match (c, b.get(i)) {
                        (b'[', Some(b']')) => (Value::Array(Vec::new()), i + 1),
                        (b'{', Some(b'}')) => (Value::Object(Map::new()), i + 1),
                        (b'[', _) => {
                            stack.push(Open::Array(Vec::new()));
                            at_key = false;
                            continue;
                        }
                        _ => {
                            stack.push(Open::Object(Map::new(), String::new()));
                            at_key = true;
                            continue;
                        }
                    }
                }
                _ => self.scalar(i, building)?,
            };
            // After a value: close what it ends.
            loop {
                n = self.ws(n);
                let Some(top) = stack.last_mut() else { return Ok((v, n)) };
                let next = b.get(n);
                match top {
                    Open::Array(a) => {
                        if building {
                            a.push(v);
                        }
                        if !matches!(next, Some(b']')) {
                            at_key = false;
                            break;
                        }
                        v = Value::Array(std::mem::take(a));
                    }
                    Open::Object(m, key) => {
                        if building {
                            m.insert(std::mem::take(key), v);
                        }
                        if !matches!(next, Some(b'}')) {
                            at_key = true;
                            break;
                        }
                        v = Value::Object(std::mem::take(m));
                    }
                }
                stack.pop();
                n += 1;
            }
            // Another element or member, after its comma.
            if !matches!(b.get(n), Some(b',')) {
                return self.fail(n, What::Syntax);
            }
            i = self.ws(n + 1);
        }
    }

    /// The object at `i` (its `{`), member by member: `member` gets the key and the index of
    /// the value, and returns the index after the value. The index after the object.
    #[inline(always)]
    pub(crate) fn object(&self, i: usize, mut member: impl FnMut(&[u8], usize) -> Read<usize>) -> Read<usize> {
        let b = self.b;
        let mut j = ws(b, i + 1);
        if matches!(b.get(j), Some(b'}')) {
            return Ok(j + 1);
        }
        loop {
            let (key, v) = self.key(j, true, false)?;
            let n = ws(b, member(key.bytes(b), v)?);
            match b.get(n) {
                Some(b',') => j = ws(b, n + 1),
                Some(b'}') => return Ok(n + 1),
                _ => return self.fail(n, What::Syntax),
            }
        }
    }

    /// A key at `i`, its `:` and the whitespace after it: the key and the index of its value
    /// (`apart`: its string read by [`string_apart`](Self::string_apart)).
    #[inline(always)]
    fn key(&self, i: usize, build: bool, apart: bool) -> Read<(StrRef, usize)> {
        let b = self.b;
        if !matches!(b.get(i), Some(b'"')) {
            return self.fail(i, What::Syntax);
        }
        let (key, n) = if apart { self.string_apart(i, build)? } else { self.string(i, build)? };
        let n = ws(b, n);
        if !matches!(b.get(n), Some(b':')) {
            return self.fail(n, What::Syntax);
        }
        Ok((key, ws(b, n + 1)))
    }

    /// `word` at `i`: the index after it.
    fn literal(&self, i: usize, word: &[u8]) -> Read<usize> {
        for (k, &w) in word.iter().enumerate() {
            if !self.b.get(i + k).is_some_and(|&c| c == w) {
                return self.fail(i + k, What::Syntax);
            }
        }
        Ok(i + word.len())
    }

    /// [`string`](Self::string) not inlined: for the value builder and the key reader's `apart`
    /// (values built run once per payload, not per event member).
    #[inline(never)]
    fn string_apart(&self, i: usize, build: bool) -> Read<(StrRef, usize)> {
        self.string(i, build)
    }

    /// The string whose opening quote is at `i` (`build`: else only checked, a range whatever
    /// its content), and the index after its closing quote.
    #[inline(always)]
    pub(crate) fn string(&self, i: usize, build: bool) -> Read<(StrRef, usize)> {
        let b = self.b;
        // The usual string: nothing before its closing quote to decode (no escape, nor a mark
        // to encode when keeping surrogates).
        if let Some(j) = special(b, i + 1) {
            let plain = || self.lone == Lone::Replace || !has_mark(b.get(i + 1..j).unwrap_or_default());
            if matches!(b.get(j), Some(b'"')) && plain() {
                return Ok((StrRef::Range(i + 1..j), j + 1));
            }
        }
        self.decode(i, build)
    }

    /// [`string`](Self::string) of a string with escapes or marks: decoded (when `build`).
    #[inline(never)]
    fn decode(&self, i: usize, build: bool) -> Read<(StrRef, usize)> {
        let (b, keep) = (self.b, self.lone == Lone::Keep);
        // The content up to `run`, decoded (when building), in a buffer of the escaped length: a
        // `.done` event's whole text is decoded once, without the doubling growth's spare copy.
        let mut out = match build {
            true => String::with_capacity(self.decode(i, false)?.1 - i),
            false => String::new(),
        };
        let mut run = i + 1;
        loop {
            let Some(j) = special(b, run) else { return self.fail(b.len(), What::Eof) };
            let text = self.text.get(run..j).unwrap_or_default();
            if build && keep && has_mark(text.as_bytes()) {
                for c in text.chars() {
                    out.push(c);
                    if c == SURROGATE_MARK {
                        out.push_str("fdd0");
                    }
                }
            } else if build {
                out.push_str(text);
            }
            match b.get(j) {
                Some(b'"') => return Ok((if build { StrRef::Owned(out) } else { StrRef::Range(i + 1..j) }, j + 1)),
                Some(b'\\') => {}
                _ => return self.fail(j, What::Syntax),
            }
            let e = match b.get(j + 1) {
                Some(&e @ (b'"' | b'\\' | b'/')) => e as char,
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let Some(code) = hex4(b, j + 2) else { return self.fail(j + 5, What::Syntax) };
                    let pair = match (code, b.get(j + 6..j + 8), hex4(b, j + 8)) {
                        (0xD800..=0xDBFF, Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                            char::from_u32(0x10000 + ((code - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => None,
                    };
                    run = if pair.is_some() { j + 12 } else { j + 6 };
                    if build {
                        match pair.or(char::from_u32(code)) {
                            Some(c) if !(keep && code == 0xFDD0) => out.push(c),
                            _ if keep => {
                                out.push(SURROGATE_MARK);
                                out.push_str(self.text.get(j + 2..j + 6).unwrap_or_default());
                            }
                            _ => out.push(char::REPLACEMENT_CHARACTER),
                        }
                    }
                    continue;
                }
                _ => return self.fail(j + 1, What::Syntax),
            };
            if build {
                out.push(e);
            }
            run = j + 2;
        }
    }
}

/// The index of the first byte from `i` that is not whitespace. Compact JSON has none: that case
/// is one comparison, inlined. (The hot loops keep the text's bytes in a local and call this: in
/// the wasm, `self.b` is two loads at every use.)
#[inline(always)]
fn ws(b: &[u8], i: usize) -> usize {
    if b.get(i).is_some_and(|&c| c > b' ') {
        return i;
    }
    ws_run(b, i)
}

fn ws_run(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The first byte from `j` that a string must look at: a `"`, a `\\` or a control character.
/// Eight bytes at a time: in each word, a flag on every such byte (and perhaps on bytes after
/// one, never before), so the lowest flag is the first.
#[inline(always)]
fn special(b: &[u8], mut j: usize) -> Option<usize> {
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

/// Four hex digits at `i`.
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let digits = b.get(i..i + 4)?;
    digits.iter().try_fold(0u32, |n, &d| Some(n * 16 + (d as char).to_digit(16)?))
}

/// A JSON number per RFC 8259 at `i`: the index after it, or where the grammar breaks (the first
/// byte where a digit is missing: serde_json's error position). Its value is not computed here.
fn number_end(b: &[u8], mut i: usize) -> Result<usize, usize> {
    let digits = |i: usize| {
        let n = i + b.get(i..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
        if n > i {
            Ok(n)
        } else {
            Err(i)
        }
    };
    i += usize::from(matches!(b.get(i), Some(b'-')));
    i = if matches!(b.get(i), Some(b'0')) { i + 1 } else { digits(i)? };
    if matches!(b.get(i), Some(b'.')) {
        i = digits(i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i = digits(i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-'))))?;
    }
    Ok(i)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_numbers_become_null() {
        let big = "9".repeat(5000);
        for (text, value) in [
            ("[1e400]", serde_json::json!([null])),
            ("[-1e400,1]", serde_json::json!([null, 1])),
            ("[1E+999 ]", serde_json::json!([null])),
            ("[2e308]", serde_json::json!([null])),
            ("[1.5,1e309]", serde_json::json!([1.5, null])),
        ] {
            assert_eq!(parse_value(text).unwrap(), value, "{text}");
        }
        assert_eq!(parse_value(&format!("{{\"a\":{big}}}")).unwrap(), serde_json::json!({"a": null}));
        assert_eq!(parse_value(&format!("{{\"a\":-{big}}}")).unwrap(), serde_json::json!({"a": null}));
    }

    #[test]
    fn numbers_in_range_read_as_serde_json_reads_them_and_invalid_numbers_fail() {
        for text in [
            "[1e308]",
            "[1e-400]",
            "[1.7976931348623157e307]",
            "[1]",
            "[-0]",
            "[0,-1,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809]",
            "[1.5e3,-2.25E-2,123456789012345678901234567890]",
        ] {
            assert_eq!(parse_value(text).unwrap(), serde_json::from_str::<Value>(text).unwrap(), "{text}");
        }
        assert_eq!(parse_value("[1e-400]").unwrap(), serde_json::json!([0.0]));
        for text in ["[01]", "[1e]", "[--1]", "[1e4001e400]", "[1.]", "[.5]", "[+1]"] {
            assert!(parse_value(text).is_err(), "{text}");
        }
    }

    #[test]
    fn lone_surrogate_escapes_become_the_replacement_character() {
        for (text, s) in [
            (r#"["\ud800"]"#, "\u{fffd}"),
            (r#"["\udc00x"]"#, "\u{fffd}x"),
            (r#"["\ud83d\u0041"]"#, "\u{fffd}A"),
            (r#"["\ud83d\ud83d\ude80"]"#, "\u{fffd}🚀"),
            (r#"["\ud83d\n"]"#, "\u{fffd}\n"),
            (r#"["\\ud800"]"#, "\\ud800"),
        ] {
            assert_eq!(parse_value(text).unwrap(), serde_json::json!([s]), "{text}");
        }
        // Not in a string: nothing to replace; invalid escapes stay invalid.
        assert!(parse_value(r#"["\ud800", \ud800]"#).is_err());
        assert!(parse_value(r#"["\ud800\u12"]"#).is_err());
    }

    /// Parsed keeping surrogates and written back: what `JSON.stringify(JSON.parse(text))` writes.
    fn round_trip(text: &str) -> String {
        restore_surrogates(serde_json::to_string(&parse_keeping_surrogates(text).unwrap()).unwrap())
    }

    #[test]
    fn lone_surrogates_kept_come_back_as_they_were_written() {
        for (text, back) in [
            (r#"["Great news \ud83d"]"#, r#"["Great news \ud83d"]"#),
            // The hex digits as written (JSON.stringify writes lowercase; JSON.parse reads both).
            (r#"["\uDC00x","\ud83d\ude00",1]"#, r#"["\uDC00x","😀",1]"#),
            (r#"{"\ud800":"\ud83d\u0041"}"#, r#"{"\ud800":"\ud83dA"}"#),
            (r#"["\ud83d\ud83d\ude80"]"#, r#"["\ud83d🚀"]"#),
            // The mark itself, as it is or escaped, next to a surrogate or to hex digits.
            ("[\"\u{FDD0}\"]", r#"["\ufdd0"]"#),
            (r#"["\ufdd0\udbc0","\uFDD0"]"#, r#"["\ufdd0\udbc0","\uFDD0"]"#),
            ("[\"\u{FDD0}d800\\ud800d800\"]", r#"["\ufdd0d800\ud800d800"]"#),
            // Nothing to keep: the text as serde_json writes it.
            (r#"[1e400, "a\\ud800"]"#, r#"[null,"a\\ud800"]"#),
        ] {
            assert_eq!(round_trip(text), back, "{text}");
        }
        // Inside the core, the value holds the encoding, never U+FFFD.
        let v = parse_keeping_surrogates(r#"["\ud83d"]"#).unwrap();
        assert_eq!(v, serde_json::json!(["\u{FDD0}d83d"]));
        // Strings joined in the core join as in JS: the halves of a pair meet.
        let v = parse_keeping_surrogates(r#"["a\ud83d","\ude00b"]"#).unwrap();
        let joined: String = v.as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let literal = restore_surrogates(serde_json::to_string(&joined).unwrap());
        assert_eq!(literal, r#""a\ud83d\ude00b""#);
        // Invalid text stays invalid.
        for bad in [r#"["\ud800" x]"#, "[\u{FDD0}]", r#"["\ud800\u12"]"#] {
            assert!(parse_keeping_surrogates(bad).is_err(), "{bad}");
        }
        assert_eq!(restore_surrogates("plain".to_owned()), "plain");
    }

    #[test]
    fn kept_surrogates_replaced_read_as_parse_value_reads_them() {
        for text in [r#""a\ud83d\ude00 \udfff""#, r#""\ufdd0\udbc0\uFDD0x""#, "\"\u{FDD0}d800\"", r#""plain""#] {
            let kept = parse_keeping_surrogates(text).unwrap();
            assert_eq!(
                replace_kept_surrogates(kept.as_str().unwrap()),
                parse_value(text).unwrap().as_str().unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn other_errors_are_where_serde_json_puts_them() {
        for text in ["[1e400,]", "[1e400", "{\"a\":1e400 \"b\"}", "[\"\\ud800\" x]"] {
            let e = parse_value(text).unwrap_err();
            assert_ne!(e.to_string(), "", "{text}");
        }
        let plain = serde_json::from_str::<Value>("[null ,]").unwrap_err();
        let lenient = parse_value("[1e400,]").unwrap_err();
        assert_eq!((lenient.line, lenient.column), (plain.line(), plain.column()));
        use serde_json::error::Category;
        for text in [
            "",
            "  ",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "[1 2]",
            "[1]x",
            "[1]\n\n  x",
            "{\"a\":\n[tru]}",
            "nul",
            "[\"a\u{1}\"]",
            "[\"\\x\"]",
            "[\"\\u12x4\"]",
            "{\"a\":[1,{\"b\":",
            "\"abc",
            "[",
            "{",
            "{\"a\"",
            "-",
            "[-]",
            "[1,\n 2,\n 3x]",
            "[1.e5]",
            "{\"n\":+1}",
            "{\"n\":.5",
            "[1ee5]",
            "-e5",
            "e",
            "Error",
            "1..2",
        ] {
            let ours = parse_value(text).unwrap_err();
            let theirs = serde_json::from_str::<Value>(text).unwrap_err();
            let what = match theirs.classify() {
                Category::Eof => What::Eof,
                _ => What::Syntax,
            };
            assert_eq!((ours.what, ours.line, ours.column), (what, theirs.line(), theirs.column()), "{text:?}");
            assert!(!is_json(text), "{text:?}");
        }
        let deep = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d));
        assert!(parse_value(&deep(127)).is_ok());
        let e = parse_value(&deep(128)).unwrap_err();
        let theirs = serde_json::from_str::<Value>(&deep(128)).unwrap_err();
        assert_eq!((e.what, e.line, e.column), (What::Depth, theirs.line(), theirs.column()));
        assert_eq!(e.to_string(), "JSON nested deeper than 128 arrays and objects (line 1, column 128)");
        assert!(is_json(&deep(100_000)));
        assert!(!is_json(&format!("{}]", deep(100_000))));
    }

    #[test]
    #[allow(clippy::indexing_slicing)]
    fn same_bytes_is_equality() {
        let s = b"response.output_text.delta, then more bytes";
        let copy = s.to_vec();
        for n in 0..s.len() {
            let a = &s[..n];
            assert!(same_bytes(a, &copy[..n]));
            assert!(!same_bytes(a, &s[..n + 1]));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 0x20;
                assert!(!same_bytes(a, &b), "{n} {k}");
            }
        }
    }
}
