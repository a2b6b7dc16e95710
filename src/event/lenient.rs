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
//! Nothing else is loosened: text serde_json rejects for any other reason (a syntax error,
//! nesting deeper than 128 levels) is still rejected, with serde_json's error.
//!
//! Cost: none for text serde_json accepts, which is parsed once as before. Only after a syntax
//! error is the text scanned once more; when it holds such a number or escape, a copy of it, with
//! each of them replaced by text of the same length (`null` and spaces, `\ufffd`), is parsed
//! instead. The caller keeps the original text (an event's `json()` is byte-for-byte what the
//! server sent), and error positions in the copy are those of the original.
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

use serde_json::error::Category;
use serde_json::Value;

use super::fast::hex4;

/// Parses `text` as a JSON value the way `JSON.parse` would accept it (see the module docs for
/// what an out-of-range number and a lone surrogate escape become).
pub fn parse_value(text: &str) -> Result<Value, serde_json::Error> {
    parse(text, Lone::Replace)
}

/// Deserializes `text` into `T`, reading it as [`parse_value`] does (a lone surrogate escape is
/// U+FFFD, a number beyond f64's range `null`).
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    match serde_json::from_str(text) {
        Err(e) if e.classify() == Category::Syntax => match tolerant_copy(text, Lone::Replace) {
            Some(copy) => serde_json::from_str(&copy),
            None => Err(e),
        },
        other => other,
    }
}

/// Parses `text` as [`parse_value`] does, but keeps every lone surrogate, encoded (module docs).
/// The text is scanned once before it is parsed; error positions may differ from the original's.
pub fn parse_keeping_surrogates(text: &str) -> Result<Value, serde_json::Error> {
    parse(text, Lone::Keep)
}

/// Precedes an encoded lone surrogate in a string (module docs).
const SURROGATE_MARK: char = '\u{FDD0}';

/// JSON text written from values of [`parse_keeping_surrogates`], each encoded lone surrogate
/// (and mark) as its `\uXXXX` escape (module docs).
pub fn restore_surrogates(json: String) -> String {
    // By bytes and chars: a `char` pattern search links a general searcher into the wasm.
    if !json.as_bytes().windows(3).any(|w| w == "\u{FDD0}".as_bytes()) {
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
    if !s.as_bytes().windows(3).any(|w| w == "\u{FDD0}".as_bytes()) {
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
    /// U+FFFD, the text keeping its length.
    Replace,
    /// Encoded (module docs).
    Keep,
}

fn parse(text: &str, lone: Lone) -> Result<Value, serde_json::Error> {
    // A mark in the text is encoded even where serde_json accepts the text: scanned first.
    if lone == Lone::Keep {
        return match tolerant_copy(text, lone) {
            Some(copy) => strict(&copy),
            None => strict(text),
        };
    }
    match strict(text) {
        Ok(v) => Ok(v),
        Err(e) if e.classify() == Category::Syntax => match tolerant_copy(text, lone) {
            Some(copy) => strict(&copy),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// A copy of `text` where every number serde_json cannot represent is `null` padded with spaces
/// and every lone surrogate escape is `\ufffd` (or encoded, and marks doubled: [`Lone::Keep`]);
/// `None` when there is nothing to replace.
fn tolerant_copy(text: &str, lone: Lone) -> Option<String> {
    let b = text.as_bytes();
    let mut edits: Vec<(usize, usize, Edit)> = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => i = string(b, i + 1, lone, &mut edits),
            b'-' | b'0'..=b'9' => {
                let end = i + b.get(i..).map_or(0, |t| t.iter().take_while(|&&c| is_number_byte(c)).count());
                if b.get(i..end).and_then(|t| std::str::from_utf8(t).ok()).is_some_and(out_of_range) {
                    edits.push((i, end, Edit::Null));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end, edit) in edits {
        out.push_str(text.get(done..start)?);
        match edit {
            Edit::Null => {
                out.push_str("null");
                out.extend(std::iter::repeat(' ').take((end - start).saturating_sub(4)));
            }
            Edit::Replacement => out.push_str("\\ufffd"),
            Edit::Encoded => {
                out.push(SURROGATE_MARK);
                out.push_str(text.get(start + 2..end)?);
            }
            Edit::Mark => {
                out.push(SURROGATE_MARK);
                out.push_str("fdd0");
            }
        }
        done = end;
    }
    out.push_str(text.get(done..)?);
    Some(out)
}

#[derive(Clone, Copy)]
enum Edit {
    /// A number out of range: `null` and spaces to its length.
    Null,
    /// A 6-byte `\uXXXX` escape of a lone surrogate: `\ufffd`.
    Replacement,
    /// A 6-byte `\uXXXX` escape of a lone surrogate, or of the mark: the mark and `XXXX`
    /// ([`Lone::Keep`]).
    Encoded,
    /// [`SURROGATE_MARK`] as it is: the mark and `fdd0` ([`Lone::Keep`]).
    Mark,
}

fn is_number_byte(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// A valid JSON number that serde_json refuses (it is beyond `f64`'s range). The shortest such
/// number has 5 characters (`2e308`); shorter ones are not even parsed.
fn out_of_range(token: &str) -> bool {
    token.len() >= 5 && super::fast::number_end(token.as_bytes(), 0) == Some(token.len()) && strict(token).is_err()
}

/// serde_json's parse, in one place (one copy of it in the wasm).
#[inline(never)]
fn strict(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// The string whose content starts at `i` (after the opening quote): records its lone surrogate
/// escapes (and marks, for [`Lone::Keep`]), returns the index after the closing quote (or the end
/// of the text).
fn string(b: &[u8], mut i: usize, lone: Lone, edits: &mut Vec<(usize, usize, Edit)>) -> usize {
    const MARK_UTF8: &[u8] = "\u{FDD0}".as_bytes();
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => return i + 1,
            b'\\' if b.get(i + 1) == Some(&b'u') => match hex4(b, i + 2) {
                Some(0xD800..=0xDBFF) if matches!(low_surrogate_at(b, i + 6), Some(true)) => i += 12,
                Some(0xD800..=0xDFFF) => {
                    let edit = if lone == Lone::Keep { Edit::Encoded } else { Edit::Replacement };
                    edits.push((i, i + 6, edit));
                    i += 6;
                }
                Some(0xFDD0) if lone == Lone::Keep => {
                    edits.push((i, i + 6, Edit::Encoded));
                    i += 6;
                }
                Some(_) => i += 6,
                // An invalid escape: the parse of the copy reports it.
                None => i += 2,
            },
            b'\\' => i += 2,
            0xEF if lone == Lone::Keep && b.get(i..i + 3) == Some(MARK_UTF8) => {
                edits.push((i, i + 3, Edit::Mark));
                i += 3;
            }
            _ => i += 1,
        }
    }
    i
}

/// Whether a `\u` escape of a low surrogate starts at `i` (`None`: no `\u` escape there).
fn low_surrogate_at(b: &[u8], i: usize) -> Option<bool> {
    if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
        return None;
    }
    Some(matches!(hex4(b, i + 2)?, 0xDC00..=0xDFFF))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_numbers_become_null_of_the_same_length() {
        let big = "9".repeat(5000);
        for (text, copy) in [
            ("[1e400]", "[null ]"),
            ("[-1e400,1]", "[null  ,1]"),
            ("[1E+999 ]", "[null   ]"),
            ("[2e308]", "[null ]"),
            ("[1.5,1e309]", "[1.5,null ]"),
        ] {
            assert_eq!(tolerant_copy(text, Lone::Replace).as_deref(), Some(copy), "{text}");
            assert!(parse_value(text).is_ok());
        }
        let copy = tolerant_copy(&format!("{{\"a\":{big}}}"), Lone::Replace).unwrap();
        assert_eq!(copy.len(), big.len() + 6);
        assert_eq!(parse_value(&format!("{{\"a\":-{big}}}")).unwrap(), serde_json::json!({"a": null}));
    }

    #[test]
    fn numbers_in_range_and_invalid_numbers_are_left_alone() {
        for text in ["[1e308]", "[1e-400]", "[1.7976931348623157e307]", "[01]", "[1e]", "[--1]", "[1e4001e400]", "[1]"]
        {
            assert_eq!(tolerant_copy(text, Lone::Replace), None, "{text}");
        }
        assert_eq!(parse_value("[1e-400]").unwrap(), serde_json::json!([0.0]));
        assert!(parse_value("[01]").is_err());
        assert!(parse_value("[1e4001e400]").is_err());
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
    fn other_errors_are_serde_jsons_at_the_same_position() {
        for text in ["[1e400,]", "[1e400", "{\"a\":1e400 \"b\"}", "[\"\\ud800\" x]"] {
            let e = parse_value(text).unwrap_err();
            assert_ne!(e.to_string(), "", "{text}");
        }
        // The copy keeps every position: the error is where it is in the original.
        let plain = serde_json::from_str::<Value>("[null ,]").unwrap_err();
        let lenient = parse_value("[1e400,]").unwrap_err();
        assert_eq!((lenient.line(), lenient.column()), (plain.line(), plain.column()));
    }
}
