//! Incremental partial JSON: the best-effort value of a JSON document while its text arrives.
//!
//! [`PartialJsonParser::push`] takes the text in pieces of any size; after each push,
//! [`PartialJsonParser::value`] is the best-effort value of everything pushed so far:
//!
//! - containers appear as soon as they open (`{"a": [` is `{"a": []}`);
//! - a string appears as soon as its opening quote arrives, as the prefix received so far; an
//!   escape appears once complete (a partial `\u00` waits), and a high surrogate escape waits for
//!   the escape after it (it may be the first half of a pair);
//! - an object key appears with its value: an incomplete key, or a key whose value has not
//!   started or is an incomplete literal, is left out;
//! - a number appears once a byte that cannot continue it arrives (`[12` is `[]`, `[12,` is
//!   `[12]`), or at [`finish`](PartialJsonParser::finish) when it is the whole document; `true`,
//!   `false` and `null` appear once their last letter arrives;
//! - once the document is complete the value is exactly what `JSON.parse` gives: duplicate keys,
//!   the last one wins; `__proto__` is an ordinary key; numbers keep their meaning (see below).
//!
//! Time and memory are linear in the total length whatever the chunking: the parser is an
//! explicit stack machine over the bytes, each byte is looked at once, and the value is updated
//! in place (a push costs its length plus one walk from the root per value started, and one per
//! string in progress: O(depth) each; nesting is limited to [`MAX_DEPTH`]).
//!
//! Invalid JSON (by the grammar of RFC 8259, which is `JSON.parse`'s) puts the parser in an error
//! state: the value stays as it was just before the offending byte, [`error`](PartialJsonParser::error)
//! says where and why, and later pushes are ignored. Whitespace after a complete value is fine;
//! anything else after it is an error.
//!
//! # Patch ops
//!
//! Each push can also describe how the previous value became the new one, as *ops* (see
//! [`PartialJsonParser::push_with_ops`]), so that a mirror elsewhere (the JS side) follows along
//! without receiving the whole value each time. The vocabulary is the project's (shared with the
//! snapshot accumulator): a path is an array of object keys (strings) and array indices
//! (integers) from the root; an index equal to the array's length appends.
//!
//! - `["s", path, value]` sets `value` at `path` (`[]` = the root). The parser only sets
//!   scalars, `{}` and `[]`: containers are filled by later ops. A duplicate key sets again.
//! - `["c", path, "text"]` appends `text` to the string at `path`.
//!
//! A push's ops are one JSON array of these, e.g. `[["s",[],{}],["s",["a"],"he"]]` and then
//! `[["c",["a"],"llo"]]`; `[]` when nothing changed. Values are written so that `JSON.parse` of
//! the op text gives, at that place, exactly what `JSON.parse` of the document gives: numbers
//! keep their original spelling (`1e400` is `Infinity` in JS, `-0` is `-0`), and strings keep
//! their escapes as UTF-16 code units (a lone surrogate is written `\ud800`, so JS gets the same
//! code unit). [`apply_ops_json`] and [`apply_op`] apply ops to a [`serde_json::Value`].
//!
//! A mirror in JS must create keys as own data properties (`Object.defineProperty`, or objects
//! without a prototype), never with `obj[key] = value`: for `JSON.parse`, `__proto__` is an
//! ordinary key, for an assignment it is the prototype.
//!
//! # The Rust value
//!
//! [`PartialJsonParser::value`] is a [`serde_json::Value`], which cannot hold everything
//! `JSON.parse` can. The op text is exact; the Rust value differs in three documented ways:
//! - a number is what serde_json makes of its spelling (`u64`/`i64` when it is an integer that
//!   fits, else `f64`); a number beyond the range of `f64` (`1e400`, `-1e400`, where `JSON.parse`
//!   gives `±Infinity`) becomes `null`, as serde_json writes non-finite floats;
//! - a lone surrogate escape (`"\ud800"`, valid for `JSON.parse`) becomes U+FFFD;
//! - objects are serde_json maps: their iteration order is serde_json's (sorted by key, unless
//!   its `preserve_order` feature is on), not `JSON.parse`'s.

mod machine;
pub(crate) mod ops;

use std::fmt::{self, Write as _};

use serde_json::Value;

pub use ops::{apply_op, apply_ops_json, parse_ops, Op, OpsError, PathSeg};

/// The deepest nesting of arrays and objects accepted (deeper is an error): it bounds the cost
/// of a walk from the root and keeps dropping the value from overflowing the stack. serde_json
/// accepts 127 levels.
pub const MAX_DEPTH: usize = 128;

/// Why and where the text stopped being JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialJsonError {
    offset: usize,
    reason: &'static str,
    found: Option<char>,
}

impl PartialJsonError {
    /// Byte offset (in UTF-8) of the offending character in the whole text pushed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was expected, e.g. `"expected ',' or ']' after an array element"`.
    pub fn reason(&self) -> &str {
        self.reason
    }

    /// The offending character (`None` at the end of the input).
    pub fn found(&self) -> Option<char> {
        self.found
    }
}

impl fmt::Display for PartialJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written without char and hex formatting, which would add to the wasm size.
        write!(f, "invalid JSON at byte {}: {}", self.offset, self.reason)?;
        let Some(c) = self.found else { return Ok(()) };
        let code = c as u32;
        if code < 0x20 {
            let digit = |d| char::from_digit(d, 16).unwrap_or('0').to_ascii_uppercase();
            f.write_str(" (found U+00")?;
            f.write_char(digit(code >> 4))?;
            f.write_char(digit(code & 0xF))?;
            f.write_str(")")
        } else {
            f.write_str(" (found '")?;
            f.write_char(c)?;
            f.write_str("')")
        }
    }
}

impl std::error::Error for PartialJsonError {}

/// The incremental parser (see the [module docs](self)).
#[derive(Debug, Clone, Default)]
pub struct PartialJsonParser {
    m: machine::Machine,
}

impl PartialJsonParser {
    /// A parser that has seen nothing (`value()` is `None`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser that keeps no value of its own, for a mirror elsewhere that applies the ops of
    /// [`push_with_ops`](Self::push_with_ops): [`value`](Self::value) stays `None`, and its
    /// memory is O(nesting depth + the key or number in progress), whatever the length of the
    /// text. [`is_complete`](Self::is_complete) and [`error`](Self::error) work as usual.
    pub fn ops_only() -> Self {
        let mut p = Self::default();
        p.m.ops_only = true;
        p
    }

    /// Takes the next piece of text; the value reflects it when this returns. Ignored after an
    /// error or after [`finish`](Self::finish).
    pub fn push(&mut self, text: &str) {
        self.m.push(text, None);
    }

    /// [`push`](Self::push), and writes the ops that turned the previous value into the new one
    /// into `ops` (cleared first; its capacity is reused), as one JSON array (module docs).
    /// A mirror that applies every push's ops, from the first push on, equals [`value`](Self::value).
    pub fn push_with_ops(&mut self, text: &str, ops: &mut String) {
        ops.clear();
        self.m.push(text, Some(ops));
    }

    /// The end of the input: a number that is the whole document completes (`12` is complete
    /// only now: `123` might have followed). An unfinished document stays as it is (best
    /// effort) and [`is_complete`](Self::is_complete) stays false. Later pushes are ignored.
    pub fn finish(&mut self) {
        self.m.finish(None);
    }

    /// [`finish`](Self::finish), writing its ops (`[]` or the completed root number) into `ops`.
    pub fn finish_with_ops(&mut self, ops: &mut String) {
        ops.clear();
        self.m.finish(Some(ops));
    }

    /// [`finish_with_ops`](Self::finish_with_ops), its ops appended to the op array `ops` (`""`
    /// is `[]`).
    pub(crate) fn finish_onto(&mut self, ops: &mut String) {
        self.m.finish(Some(ops));
    }

    /// The best-effort value so far; `None` before the first value starts (or for a document
    /// whose only value is an incomplete number or literal).
    pub fn value(&self) -> Option<&Value> {
        self.m.value.as_ref()
    }

    /// The document is one complete JSON value (trailing whitespace allowed) and no error
    /// has occurred: [`value`](Self::value) is final.
    pub fn is_complete(&self) -> bool {
        self.m.complete && self.m.error.is_none()
    }

    /// Where and why the text stopped being JSON, if it did.
    pub fn error(&self) -> Option<&PartialJsonError> {
        self.m.error.as_ref()
    }
}

/// Only JSON whitespace, or nothing: function arguments that mean `{}` (servers send them for
/// tools without parameters).
pub(crate) fn is_blank(text: &str) -> bool {
    for b in text.bytes() {
        if !machine::is_ws(b) {
            return false;
        }
    }
    true
}

/// Parses one whole document as `JSON.parse` would (the Rust value's conventions of the module
/// docs apply): an incomplete document is an error at its end.
pub fn parse(text: &str) -> Result<Value, PartialJsonError> {
    let mut p = PartialJsonParser::new();
    p.push(text);
    p.finish();
    if let Some(e) = p.m.error.take() {
        return Err(e);
    }
    match p.m.value.take() {
        Some(v) if p.m.complete => Ok(v),
        _ => Err(PartialJsonError { offset: text.len(), reason: "unexpected end of the input", found: None }),
    }
}
