#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the incremental partial JSON parser (`src/partial_json/`): random documents at every
//! cut and chunking against serde_json and a non-incremental reference (value, ops mirror),
//! exact op text, invalid input never panics (serde_json's verdict), and linearity.

use std::time::Instant;

use cometapi_responses::partial_json::{
    apply_op, apply_ops_json, parse, parse_ops, Op, OpsError, PartialJsonParser, PathSeg, MAX_DEPTH,
};
use serde_json::{json, Map, Value};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

// --- Random documents

#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "0", "-0", "7", "-12", "1234567890", "9007199254740993", "18446744073709551615", "18446744073709551616",
    "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0.5", "-0.0", "10.000",
    "3.141592653589793238462643383279", "1e5", "1E+2", "2.5e-3", "0e0", "-0.0e-0", "1.7976931348623157e308",
    "5e-324", "1e-400", "2.2250738585072014E-308", "6.02214076e+23",
];

#[rustfmt::skip]
const STRING_PIECES: &[&str] = &[
    "a", "hello", " ", "é", "中文", "😀", "𝄞", "\u{2028}", "\u{7f}", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
    "\\t", "\\u0041", "\\u00e9", "\\u00E9", "\\u4E2d", "\\u0000", "\\u001f", "\\uD83D\\uDE00", "\\ud834\\udd1e",
    "\\uFFFF", "\\ufeff", "{[,:]}", "true", "1e3",
];

const KEYS: &[&str] =
    &["a", "b", "name", "__proto__", "constructor", "0", "10", "k\\u00e9y", "\\ud83d\\ude00", "", "a b"];

struct Gen<'r> {
    rng: &'r mut Rng,
    dup: bool,
}

impl Gen<'_> {
    fn ws(&mut self, out: &mut String) {
        while self.rng.chance(25) {
            out.push(*self.rng.pick(&[' ', '\t', '\n', '\r']));
        }
    }

    fn string(&mut self, out: &mut String) {
        out.push('"');
        for _ in 0..self.rng.below(8) {
            out.push_str(self.rng.pick::<&str>(STRING_PIECES));
        }
        out.push('"');
    }

    fn value(&mut self, out: &mut String, depth: usize) {
        let container = depth < 5 && self.rng.chance([90, 55, 55, 25, 25][depth]);
        let kind = if container { 4 + self.rng.below(2) } else { self.rng.below(4) };
        match kind {
            0 | 3 => self.string(out),
            1 => out.push_str(self.rng.pick::<&str>(NUMBERS)),
            2 => out.push_str(self.rng.pick::<&str>(&["true", "false", "null"])),
            _ => {
                let object = kind == 5;
                out.push(if object { '{' } else { '[' });
                let n = if depth == 0 { 2 + self.rng.below(5) } else { self.rng.below(5) };
                let mut seen: Vec<String> = Vec::new();
                for i in 0..n {
                    out.push_str(if i > 0 { "," } else { "" });
                    self.ws(out);
                    if object {
                        let key = if self.rng.chance(10) && !seen.is_empty() {
                            seen[self.rng.below(seen.len())].clone()
                        } else if self.rng.chance(50) {
                            format!("{}{}", self.rng.pick(KEYS), self.rng.below(100))
                        } else {
                            self.rng.pick(KEYS).to_string()
                        };
                        self.dup |= seen.contains(&key);
                        out.push_str(&format!("\"{key}\""));
                        seen.push(key);
                        self.ws(out);
                        out.push(':');
                        self.ws(out);
                    }
                    self.value(out, depth + 1);
                    self.ws(out);
                }
                if n == 0 {
                    self.ws(out);
                }
                out.push(if object { '}' } else { ']' });
            }
        }
    }
}

/// A random document and whether it has a duplicate key somewhere.
fn document(rng: &mut Rng) -> (String, bool) {
    let (mut g, mut out) = (Gen { rng, dup: false }, String::new());
    g.ws(&mut out);
    g.value(&mut out, 0);
    g.ws(&mut out);
    (out, g.dup)
}

// --- The reference: the best-effort rules, written as a plain recursive descent over the text so
// far (not incremental, no shared code with the parser). Only for prefixes of valid documents.

struct Ref<'a> {
    s: &'a [u8],
    i: usize,
}

impl Ref<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| b" \t\n\r".contains(c)) {
            self.i += 1;
        }
    }

    /// Skips whitespace, then `c` when it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }

    /// (the value so far, whether it is complete)
    fn value(&mut self) -> (Option<Value>, bool) {
        self.ws();
        let Some(&c) = self.s.get(self.i) else { return (None, false) };
        match c {
            b'{' | b'[' => {
                self.i += 1;
                let (mut m, mut a) = (Map::new(), Vec::new());
                let complete = loop {
                    if self.eat(if c == b'{' { b'}' } else { b']' }) {
                        break true;
                    }
                    self.eat(b',');
                    self.ws();
                    if self.i == self.s.len() {
                        break false;
                    }
                    let mut key = None;
                    if c == b'{' {
                        let (k, done) = self.string();
                        if !done || !self.eat(b':') {
                            break false;
                        }
                        key = Some(k);
                    }
                    let (v, done) = self.value();
                    match (v, key) {
                        (Some(v), Some(k)) => drop(m.insert(k, v)),
                        (Some(v), None) => a.push(v),
                        (None, _) => {}
                    }
                    if !done {
                        break false;
                    }
                };
                (Some(if c == b'{' { Value::Object(m) } else { Value::Array(a) }), complete)
            }
            b'"' => {
                let (s, done) = self.string();
                (Some(Value::String(s)), done)
            }
            // true, false, null: a value once whole
            b't' | b'f' | b'n' => {
                let end = (self.i + if c == b'f' { 5 } else { 4 }).min(self.s.len());
                let word: Option<Value> = serde_json::from_slice(&self.s[self.i..end]).ok();
                self.i = end;
                (word.clone(), word.is_some())
            }
            // a number: a value once delimited
            _ => {
                let len = self.s[self.i..].iter().position(|c| !b"+-0123456789.eE".contains(c));
                let Some(len) = len else {
                    self.i = self.s.len();
                    return (None, false);
                };
                self.i += len;
                (Some(serde_json::from_slice(&self.s[self.i - len..self.i]).unwrap()), true)
            }
        }
    }

    /// The string at `i` (on its quote): its decoded prefix, and whether it closed. An escape cut
    /// short is not decoded yet, nor a trailing high surrogate (it waits for its pair).
    fn string(&mut self) -> (String, bool) {
        let start = self.i + 1;
        let (mut j, mut closed, mut last_u) = (start, false, None);
        while j < self.s.len() {
            let step = match self.s[j] {
                b'"' => {
                    closed = true;
                    break;
                }
                b'\\' if self.s.get(j + 1) == Some(&b'u') => 6,
                b'\\' => 2,
                _ => 1,
            };
            if j + step > self.s.len() {
                break;
            }
            last_u = (step == 6).then_some(j).or(last_u);
            j += step;
        }
        self.i = if closed { j + 1 } else { self.s.len() };
        let hex =
            |at: usize| std::str::from_utf8(&self.s[at + 2..at + 6]).ok().and_then(|h| u16::from_str_radix(h, 16).ok());
        let high = last_u.filter(|&u| !closed && u + 6 == j && hex(u).is_some_and(|h| (0xD800..0xDC00).contains(&h)));
        let raw = &self.s[start..high.unwrap_or(j)];
        (serde_json::from_slice(&[b"\"", raw, b"\""].concat()).unwrap(), closed)
    }
}

fn reference(prefix: &str) -> Option<Value> {
    Ref { s: prefix.as_bytes(), i: 0 }.value().0
}

// --- Checks

fn char_chunks<'a>(rng: &mut Rng, text: &'a str, max: usize) -> Vec<&'a str> {
    let (mut out, mut rest) = (Vec::new(), text);
    while !rest.is_empty() {
        let n = 1 + rng.below(max);
        let end = rest.char_indices().nth(n).map_or(rest.len(), |(i, _)| i);
        let (a, b) = rest.split_at(end);
        out.push(a);
        rest = b;
    }
    out
}

/// Applies `ops` to `mirror`, a value that follows the parser through its ops only. The op text
/// is standard JSON (these documents have no lone surrogate and no number beyond f64) and the
/// crate's reader agrees with serde_json on it.
fn follow(mirror: &mut Option<Value>, ops: &str, parser: &PartialJsonParser, ctx: &str) {
    let std: Value = serde_json::from_str(ops).unwrap_or_else(|e| panic!("{ctx}: op text is not JSON ({e}): {ops}"));
    assert_eq!(parse(ops).as_ref(), Ok(&std), "{ctx}: {ops}");
    apply_ops_json(mirror, ops).unwrap_or_else(|e| panic!("{ctx}: {e}: {ops}"));
    assert_eq!(mirror.as_ref(), parser.value(), "{ctx}: mirror after {ops}");
}

/// Pushes `chunks` with ops, checking every step (the value so far is the reference's), and
/// finishes.
fn run_chunks(doc: &str, chunks: &[&str], full: &Value) {
    let mut p = PartialJsonParser::new();
    // The ops-only parser (a mirror elsewhere keeps the value) writes the same ops.
    let (mut lean, mut lean_ops, mut mirror) = (PartialJsonParser::ops_only(), String::new(), None);
    let (mut ops, mut sofar) = (String::new(), 0);
    for chunk in chunks {
        p.push_with_ops(chunk, &mut ops);
        lean.push_with_ops(chunk, &mut lean_ops);
        sofar += chunk.len();
        let ctx = format!("{doc:?} after {sofar} bytes");
        assert_eq!(lean_ops, ops, "{ctx}: ops-only parser");
        assert!(lean.value().is_none() && lean.is_complete() == p.is_complete(), "{ctx}: ops-only parser");
        follow(&mut mirror, &ops, &p, &ctx);
        assert!(p.error().is_none(), "{ctx}: {:?}", p.error());
        assert_eq!(p.value(), reference(&doc[..sofar]).as_ref(), "{ctx}: value vs reference");
    }
    p.finish_with_ops(&mut ops);
    lean.finish_with_ops(&mut lean_ops);
    assert_eq!(lean_ops, ops, "{doc:?} at finish: ops-only parser");
    follow(&mut mirror, &ops, &p, &format!("{doc:?} at finish"));
    assert!(p.is_complete(), "{doc:?}: not complete at finish");
    assert_eq!(p.value(), Some(full), "{doc:?}: final value");
}

// --- Random documents: every cut, random chunkings

#[test]
fn random_documents_at_every_cut_and_chunking() {
    let mut rng = Rng::new(0x5EED_0001);
    let (mut docs, mut dups, mut bytes) = (0, 0, 0);
    while docs < 100 {
        let (doc, dup) = document(&mut rng);
        if doc.len() > 1000 {
            continue;
        }
        docs += 1;
        dups += usize::from(dup);
        bytes += doc.len();
        let full: Value = serde_json::from_str(&doc).unwrap_or_else(|e| panic!("generator: {e}: {doc}"));
        for (k, _) in doc.char_indices().chain([(doc.len(), ' ')]) {
            run_chunks(&doc, &[&doc[..k], &doc[k..]], &full);
        }
        for max in [1, 3, 8, 40] {
            let chunks = char_chunks(&mut rng, &doc, max);
            run_chunks(&doc, &chunks, &full);
        }
        assert_eq!(parse(&doc).as_ref(), Ok(&full));
    }
    assert!(dups > 20 && dups < docs - 20, "the generator makes duplicate keys ({dups} of {docs} documents)");
    eprintln!("{docs} documents, {bytes} bytes, {dups} with duplicate keys");
}

#[test]
fn deep_documents_up_to_the_limit() {
    assert!(parse(&("[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH))).is_ok());
    let e = parse(&"[".repeat(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!((e.offset(), e.reason()), (MAX_DEPTH, "nesting deeper than 128 levels"));
    let objects = "{\"a\":".repeat(MAX_DEPTH) + "1" + &"}".repeat(MAX_DEPTH);
    assert_eq!(parse(&objects), Ok((0..MAX_DEPTH).fold(json!(1), |nested, _| json!({ "a": nested }))));
}

// --- The rules, one by one

/// A new parser after `text` was pushed.
fn pushed(text: &str) -> PartialJsonParser {
    let mut p = PartialJsonParser::new();
    p.push(text);
    p
}

#[test]
fn best_effort_values_completion_and_finish() {
    let cases: &[(&str, Option<Value>)] = &[
        ("", None),
        ("  ", None),
        ("{", Some(json!({}))),
        ("{\"a\": [", Some(json!({"a": []}))),
        ("{\"ke", Some(json!({}))),
        ("{\"key\"", Some(json!({}))),
        ("{\"key\":", Some(json!({}))),
        ("{\"key\": tr", Some(json!({}))),
        ("{\"key\": true", Some(json!({"key": true}))),
        ("{\"key\": nul", Some(json!({}))),
        ("{\"key\": \"", Some(json!({"key": ""}))),
        ("{\"key\": \"va", Some(json!({"key": "va"}))),
        ("[12", Some(json!([]))),
        ("[12,", Some(json!([12]))),
        ("[12 ", Some(json!([12]))),
        ("[-", Some(json!([]))),
        ("[1.5e", Some(json!([]))),
        ("[1.5e3", Some(json!([]))),
        ("[1.5e3 ", Some(json!([1500.0]))),
        ("\"ab\\", Some(json!("ab"))),
        ("\"ab\\u00", Some(json!("ab"))),
        ("\"ab\\u00e9", Some(json!("abé"))),
        ("\"\\ud83d", Some(json!(""))),
        ("\"\\ud83d\\", Some(json!(""))),
        ("\"\\ud83d\\ude0", Some(json!(""))),
        ("\"\\ud83d\\ude00", Some(json!("😀"))),
        ("[[[", Some(json!([[[]]]))),
        ("[{}, {\"a\": {\"b\": [1, \"x", Some(json!([{}, {"a": {"b": [1, "x"]}}]))),
    ];
    for (text, want) in cases {
        let p = pushed(text);
        assert_eq!(p.value(), want.as_ref(), "{text:?}");
        assert!(p.error().is_none(), "{text:?}");
        assert!(!p.is_complete(), "{text:?}");
    }
    // a pending high surrogate followed by something else is lone (U+FFFD in the Rust value)
    let lone = [("x", "\u{FFFD}x"), ("\\n", "\u{FFFD}\n"), ("\\ud83d\\ude00\"", "\u{FFFD}😀"), ("\"", "\u{FFFD}")];
    for (then, want) in lone {
        let mut p = pushed("\"\\ud83d");
        p.push(then);
        assert_eq!(p.value(), Some(&json!(want)), "{then:?}");
    }
    assert_eq!(pushed("\"\\ude00").value(), Some(&json!("\u{FFFD}")));
    // a root number completes only at finish (or when delimited)
    let mut p = pushed("12");
    assert_eq!((p.value(), p.is_complete()), (None, false));
    p.push("3");
    p.finish();
    assert_eq!((p.value(), p.is_complete()), (Some(&json!(123)), true));
    p.push("4"); // ignored after finish
    assert_eq!((p.value(), p.is_complete(), p.error()), (Some(&json!(123)), true, None));

    let p = pushed("-7 \n");
    assert_eq!((p.value(), p.is_complete()), (Some(&json!(-7)), true));

    // literals and containers complete at their last byte; trailing whitespace is fine
    for (doc, want) in [("true", json!(true)), ("null", Value::Null), ("{}", json!({})), ("\"x\"", json!("x"))] {
        let mut p = pushed(doc);
        assert!(p.is_complete(), "{doc}");
        p.push(" \t\r\n ");
        p.finish();
        assert_eq!((p.value(), p.is_complete(), p.error()), (Some(&want), true, None), "{doc}");
    }

    // an unfinished document stays best effort, not an error
    for doc in ["1.", "-", "{\"a\":1", "[1,", "\"abc", "tru"] {
        let mut p = pushed(doc);
        let before = p.value().cloned();
        p.finish();
        assert_eq!((p.value(), p.is_complete(), p.error()), (before.as_ref(), false, None), "{doc}");
        assert!(parse(doc).is_err(), "{doc}");
    }
    assert_eq!(parse("1.").unwrap_err().reason(), "unexpected end of the input");
}

#[test]
fn errors_say_where_and_why_and_stop_the_parser() {
    let cases: &[(&str, usize, &str, Option<char>)] = &[
        ("[1,]", 3, "expected a value", Some(']')),
        ("{\"a\":1,}", 7, "expected a key after ','", Some('}')),
        ("{1:2}", 1, "expected a key or '}'", Some('1')),
        ("{\"a\" 1}", 5, "expected ':' after an object key", Some('1')),
        ("[1 2]", 3, "expected ',' or ']' after an array element", Some('2')),
        ("{\"a\":1]", 6, "expected ',' or '}' after an object member", Some(']')),
        ("{} x", 3, "unexpected data after the JSON value", Some('x')),
        ("\"a\"\"b\"", 3, "unexpected data after the JSON value", Some('"')),
        ("[01]", 2, "a number cannot start with 0 and a digit", Some('1')),
        ("[1.]", 3, "incomplete number", Some(']')),
        ("[-x]", 2, "incomplete number", Some('x')),
        ("[1e+]", 4, "incomplete number", Some(']')),
        ("[+1]", 1, "expected a value", Some('+')),
        ("[.5]", 1, "expected a value", Some('.')),
        ("[tRue]", 2, "invalid literal (true, false or null)", Some('R')),
        ("[nul]", 4, "invalid literal (true, false or null)", Some(']')),
        ("\"a\u{1}\"", 2, "control character in a string (it must be escaped)", Some('\u{1}')),
        ("\"a\nb\"", 2, "control character in a string (it must be escaped)", Some('\n')),
        ("\"\\x\"", 2, "invalid escape in a string", Some('x')),
        ("\"\\u12g4\"", 5, "invalid \\u escape in a string (4 hex digits expected)", Some('g')),
        ("\u{feff}{}", 0, "expected a value", Some('\u{feff}')),
        ("[é]", 1, "expected a value", Some('é')),
        ("{\"é\":1 é}", 8, "expected ',' or '}' after an object member", Some('é')),
        ("NaN", 0, "expected a value", Some('N')),
        ("[Infinity]", 1, "expected a value", Some('I')),
        ("[1]]", 3, "unexpected data after the JSON value", Some(']')),
        ("]", 0, "expected a value", Some(']')),
    ];
    for &(doc, offset, reason, found) in cases {
        assert!(serde_json::from_str::<Value>(doc).is_err(), "{doc:?} is valid for serde_json");
        // whatever the chunking
        for split in doc.char_indices().map(|(i, _)| i) {
            let mut p = pushed(&doc[..split]);
            p.push(&doc[split..]);
            let e = p.error().unwrap_or_else(|| panic!("{doc:?}: no error")).clone();
            assert_eq!((e.offset(), e.reason(), e.found()), (offset, reason, found), "{doc:?} split at {split}");
            assert!(!p.is_complete());
            let at_error = p.value().cloned();
            assert_eq!(at_error, reference(&doc[..offset]), "{doc:?}: the value is that of the text before the error");
            p.push("]}\"1 ");
            p.finish();
            assert_eq!(p.value().cloned(), at_error, "{doc:?}: later pushes are ignored");
            assert_eq!(p.error(), Some(&e));
        }
    }
    for (doc, message) in [
        ("{\"a\" 1}", "invalid JSON at byte 5: expected ':' after an object key (found '1')"),
        ("\"a\u{1}\"", "invalid JSON at byte 2: control character in a string (it must be escaped) (found U+0001)"),
    ] {
        assert_eq!(parse(doc).unwrap_err().to_string(), message);
    }
    // the value keeps what was valid before the error, even in the same push
    let p = pushed("{\"a\":[1,\"xy\u{2}z\"]}");
    assert_eq!(p.value(), Some(&json!({"a": [1, "xy"]})));
}

#[test]
fn duplicate_keys_numbers_and_surrogates() {
    let doc = r#"{"a":"first","__proto__":{"x":1},"a":[2],"b":{"c":1,"c":"two"}}"#;
    let want = json!({"a": [2], "__proto__": {"x": 1}, "b": {"c": "two"}});
    assert_eq!(parse(doc), Ok(want.clone()));
    assert_eq!(serde_json::from_str::<Value>(doc).unwrap(), want);
    let (mut p, mut ops) = (PartialJsonParser::new(), String::new());
    p.push_with_ops(r#"{"a":"first","__proto__":{"x":1},"a":"#, &mut ops);
    assert_eq!(p.value(), Some(&json!({"a": "first", "__proto__": {"x": 1}})));
    p.push_with_ops(r#"[2"#, &mut ops);
    assert_eq!(ops, r#"[["s",["a"],[]]]"#, "a duplicate key sets again");
    assert_eq!(p.value(), Some(&json!({"a": [], "__proto__": {"x": 1}})));
    // the op text keeps the spelling (JSON.parse gives Infinity, -0, the lone code units) …
    let doc = r#"[1e400,-1E+400,-0,1e-400,"\ud800x\uDC00","\ud83d\ude00",{"\ud800":1}]"#;
    let (mut p, mut ops) = (PartialJsonParser::new(), String::new());
    p.push_with_ops(doc, &mut ops);
    assert_eq!(
        ops,
        r#"[["s",[],[]],["s",[0],1e400],["s",[1],-1E+400],["s",[2],-0],["s",[3],1e-400],["s",[4],"\ud800x\udc00"],["s",[5],"\ud83d\ude00"],["s",[6],{}],["s",[6,"\ud800"],1]]"#
    );
    // … the Rust value has null for ±Infinity and U+FFFD for a lone surrogate
    let want = json!([null, null, -0.0, 0.0, "\u{FFFD}x\u{FFFD}", "😀", {"\u{FFFD}": 1}]);
    assert_eq!(p.value(), Some(&want));
    assert!(p.is_complete());
    let mut mirror = None;
    apply_ops_json(&mut mirror, &ops).unwrap();
    assert_eq!(mirror.as_ref(), Some(&want));
    // -0 stays a negative zero, as serde_json reads it
    assert!(p.value().unwrap()[2].as_f64().unwrap().is_sign_negative());
}

#[test]
fn exact_op_text() {
    let (mut p, mut ops) = (PartialJsonParser::new(), String::new());
    let steps: &[(&str, &str)] = &[
        ("", "[]"),
        (" {\"a\":\"he", r#"[["s",[],{}],["s",["a"],"he"]]"#),
        ("llo\\n", r#"[["c",["a"],"llo\n"]]"#),
        ("\\u00", "[]"),
        ("e9\",\"b\":[1,", r#"[["c",["a"],"\u00e9"],["s",["b"],[]],["s",["b",0],1]]"#),
        ("2", "[]"),
        (", tru", r#"[["s",["b",1],2]]"#),
        (
            "e],\"k\\\"ey\":{\"x\":[\"\"",
            r#"[["s",["b",2],true],["s",["k\"ey"],{}],["s",["k\"ey","x"],[]],["s",["k\"ey","x",0],""]]"#,
        ),
        (",\"", r#"[["s",["k\"ey","x",1],""]]"#),
        ("😀\\ud83d", r#"[["c",["k\"ey","x",1],"😀"]]"#),
        ("\\ude00", r#"[["c",["k\"ey","x",1],"\ud83d\ude00"]]"#),
        ("\"]}}", "[]"),
        ("  ", "[]"),
    ];
    for (chunk, want) in steps {
        p.push_with_ops(chunk, &mut ops);
        assert_eq!(ops, *want, "after {chunk:?}");
    }
    assert!(p.is_complete());
    assert_eq!(p.value(), Some(&json!({"a": "hello\né", "b": [1, 2, true], "k\"ey": {"x": ["", "😀😀"]}})));
    p.finish_with_ops(&mut ops);
    assert_eq!(ops, "[]");

    // the root: a string, a number completed by finish; (pushed before, pushed with ops or None: finish, the ops)
    for (before, chunk, want) in [
        ("", Some("\"ab"), r#"[["s",[],"ab"]]"#),
        ("\"ab", Some("c"), r#"[["c",[],"c"]]"#),
        ("", Some("-12.5e3"), "[]"),
        ("-12.5e3", None, r#"[["s",[],-12.5e3]]"#),
        ("[-12.5e3", None, "[]"),
        ("[1,", Some("2]"), r#"[["s",[1],2]]"#),
    ] {
        let (mut p, mut out) = (pushed(before), String::new());
        match chunk {
            Some(chunk) => p.push_with_ops(chunk, &mut out),
            None => p.finish_with_ops(&mut out),
        }
        assert_eq!(out, want, "{before:?} then {chunk:?}");
    }
    // wherever the text is cut (pushed without ops), the ops of the rest turn the value so far
    // into the whole value
    let doc = r#"{"list":[{"id":1,"tags":["x","y\u0041"]},null,false],"s":"\ud834\udd1e!"}"#;
    for (k, _) in doc.char_indices() {
        let mut p = pushed(&doc[..k]);
        let (mut mirror, mut ops) = (p.value().cloned(), String::new());
        p.push_with_ops(&doc[k..], &mut ops);
        apply_ops_json(&mut mirror, &ops).unwrap();
        assert_eq!(mirror.as_ref(), p.value(), "cut at {k}");
        assert_eq!(mirror, Some(serde_json::from_str::<Value>(doc).unwrap()), "cut at {k}");
    }
}

#[test]
fn applier() {
    let ops =
        parse_ops(r#"[["s",[],{}],["s",["a"],[]],["s",["a",0],"x"],["c",["a",0],"yz"],["s",["a",0],5]]"#).unwrap();
    assert_eq!(ops[1], Op::Set { path: vec![PathSeg::Key("a".into())], value: json!([]) });
    assert_eq!(ops[3], Op::Cat { path: vec![PathSeg::Key("a".into()), PathSeg::Index(0)], text: "yz".into() });
    let mut v = None;
    ops.into_iter().try_for_each(|op| apply_op(&mut v, op)).unwrap();
    assert_eq!(v, Some(json!({"a": [5]})), "an index below the length replaces");

    let bad_text: &[(&str, &str)] = &[
        ("{}", "patch ops: the ops are not an array"),
        ("[1]", "patch ops: an op is not an array"),
        (r#"[["s",[]]]"#, "patch ops: an op is not [code, path, value]"),
        (r#"[["s",[],1,2]]"#, "patch ops: an op is not [code, path, value]"),
        (r#"[["x",[],1]]"#, "patch ops: an op's code is neither \"s\" nor \"c\""),
        (r#"[["c",[],1]]"#, "patch ops: a \"c\" op's text is not a string"),
        (r#"[["s","a",1]]"#, "patch ops: an op's path is not an array"),
        (r#"[["s",[-1],1]]"#, "patch ops: a path index is not a non-negative integer"),
        (r#"[["s",[1.5],1]]"#, "patch ops: a path index is not a non-negative integer"),
        (r#"[["s",[null],1]]"#, "patch ops: a path element is neither a key nor an index"),
        ("[", "patch ops: invalid JSON at byte 1: unexpected end of the input"),
    ];
    for (text, msg) in bad_text {
        assert_eq!(parse_ops(text).unwrap_err().to_string(), *msg, "{text}");
    }
    let bad_apply: &[(&str, OpsError)] = &[
        (r#"[["s",["a"],1]]"#, OpsError::Path("no value yet at the root")),
        (r#"[["s",[],[]],["s",[1],1]]"#, OpsError::Path("an index past the end of the array")),
        (r#"[["s",[],[]],["s",["a"],1]]"#, OpsError::Path("the path's last step does not fit its container")),
        (r#"[["s",[],{}],["s",["a","b"],1]]"#, OpsError::Path("the path leads nowhere")),
        (r#"[["s",[],{"a":1}],["c",["a"],"x"]]"#, OpsError::Path("a \"c\" op's path is not a string")),
    ];
    for (text, err) in bad_apply {
        assert_eq!(apply_ops_json(&mut None, text).as_ref(), Err(err), "{text}");
    }
}

// --- Invalid input: never a panic, the same verdict as serde_json

/// Pushes `doc` in random chunks (the op mirror checked at every step) and finishes: complete
/// when serde_json accepts `doc`, with the same value; otherwise never complete and an error (or
/// best effort when it is unfinished), but where the grammars differ on purpose. Returns whether
/// serde_json accepts it.
fn judge(rng: &mut Rng, doc: &str) -> bool {
    let (mut p, mut mirror, mut ops) = (PartialJsonParser::new(), None, String::new());
    for chunk in char_chunks(rng, doc, 7) {
        p.push_with_ops(chunk, &mut ops);
        apply_ops_json(&mut mirror, &ops).unwrap_or_else(|e| panic!("{doc:?}: {e}: {ops}"));
        assert_eq!(mirror.as_ref(), p.value(), "{doc:?}");
    }
    p.finish_with_ops(&mut ops);
    apply_ops_json(&mut mirror, &ops).unwrap();
    assert_eq!(mirror.as_ref(), p.value(), "{doc:?}");
    let (complete, error) = (p.is_complete(), p.error().map(|e| e.reason()));
    let msg = match serde_json::from_str::<Value>(doc) {
        Ok(want) => {
            assert!(complete, "{doc:?} is valid for serde_json");
            assert_same(parse(doc).unwrap(), want, doc);
            return true;
        }
        Err(e) => e.to_string(),
    };
    // where the grammars differ on purpose: lone surrogates (JSON.parse accepts them)
    // and numbers beyond f64 (JSON.parse gives Infinity)
    let lone = msg.contains("surrogate") || msg.contains("hex escape") || msg.contains("out of range");
    assert!(lone || !complete, "{doc:?}: complete, but serde_json says {msg}");
    if msg.contains("EOF") {
        // serde_json reads `\\u"` at the end as the end of the input, not as a bad escape
        let bad_u = error.is_some_and(|r| r.starts_with("invalid \\u escape"));
        assert!(error.is_none() || bad_u, "{doc:?}: an unfinished document is no error ({msg}, {error:?})");
    } else {
        assert!(lone || error.is_some(), "{doc:?}: serde_json says {msg}");
    }
    false
}

#[test]
fn invalid_input_never_panics_and_agrees_with_serde_json() {
    let mut rng = Rng::new(0xB17E5);
    const ALPHABET: &[u8] = b"{}[]\",:\\ \n0123456789.eE+-truefalsnu\x01\x1f\x7f";
    for round in 0..20_000 {
        let len = rng.below(40);
        // random bytes, or random picks from the alphabet
        let bytes: Vec<u8> =
            (0..len).map(|_| if round % 2 == 0 { rng.next_u64() as u8 } else { *rng.pick(ALPHABET) }).collect();
        judge(&mut rng, &String::from_utf8_lossy(&bytes));
    }
    let mut rng = Rng::new(0x0077_A7ED);
    const INSERTS: &[&str] =
        &["{", "}", "[", "]", "\"", ",", ":", "\\", "0", "-", ".", "e", "x", " ", "\u{1}", "é", "\\u"];
    // (invalid, valid)
    let mut counts = [0, 0];
    for _ in 0..3000 {
        let (doc, _) = document(&mut rng);
        let chars: Vec<char> = doc.chars().collect();
        let at = rng.below(chars.len() + 1);
        let mut m: String = chars[..at].iter().collect();
        let edit = rng.below(3); // 0: insert, 1: replace, 2: delete
        if edit < 2 {
            m.push_str(rng.pick::<&str>(INSERTS));
        }
        m.extend(chars.get(at + usize::from(edit > 0)..).unwrap_or_default());
        counts[usize::from(judge(&mut rng, &m))] += 1;
    }
    assert!(counts[1] > 100 && counts[0] > 1000, "{} valid, {} invalid", counts[1], counts[0]);
}

// --- Linearity (the real timing belongs to the benchmarks: this only catches a quadratic blow-up)

fn big_document(target: usize) -> String {
    let (mut rng, mut out, mut i) = (Rng::new(42), String::from("{\"items\":["), 0);
    while out.len() < target {
        out.push_str(if i > 0 { "," } else { "" });
        out.push_str(&document(&mut rng).0);
        i += 1;
    }
    let body = "a long string, with escapes \\n\\u00e9 and 😀 ".repeat(target / 2 / 48);
    out + "],\"text\":\"" + &body + "\"}"
}

fn time_push(doc: &str) -> f64 {
    let start = Instant::now();
    let (mut p, mut ops, mut at) = (PartialJsonParser::new(), String::new(), 0);
    while at < doc.len() {
        // 16 bytes, or up to the next character boundary
        let end = (at + 16..).map(|e| e.min(doc.len())).find(|&e| doc.is_char_boundary(e)).unwrap();
        p.push_with_ops(&doc[at..end], &mut ops);
        at = end;
    }
    p.finish();
    assert!(p.is_complete());
    start.elapsed().as_secs_f64()
}

#[test]
fn linear_in_the_total_length() {
    let one = big_document(1 << 20);
    let four = big_document(4 << 20);
    // interleaved, the best of three each: other tests share the machine
    let (mut t1, mut t4) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        t1 = t1.min(time_push(&one));
        t4 = t4.min(time_push(&four));
    }
    let ratio = t4 / t1 * one.len() as f64 / four.len() as f64;
    eprintln!("1 MB: {:.1} ms, 4 MB: {:.1} ms, per-byte ratio {ratio:.2}", t1 * 1e3, t4 * 1e3);
    assert!(ratio < 2.5, "4 MB costs {ratio:.2} times as much per byte as 1 MB");
}

/// A number's value (`partial_json` reads numbers as every whole-document parse of the core
/// does) is serde_json's, bit for bit: integer or float, and every power of ten; except where
/// the spelling is a double's shortest form, which reads as that double (serde_json, without
/// its `float_roundtrip`, is an ulp off for some).
#[test]
fn numbers_are_serde_jsons_bit_for_bit() {
    let mantissas = "0 1 7 12 0.1 0.7 1.5 123.456 9007199254740993 18446744073709551615 18446744073709551616 \
        18446744073709551619.1 184467440737095516159 99999999999999999999.5 0.000000000000000000000000000001 \
        1.7976931348623157 2.2250738585072014 4.9406564584124654 123456789012345678901234567890.123456789";
    // "-" stands for no exponent
    let exps = "- e0 e1 E+2 e-2 e22 e23 e-23 e100 e-100 e292 e308 e-308 e-320 e-330 e-400 e400 e2147483647 \
        e2147483648 e-2147483648 e-99999999999";
    let exps: Vec<&str> = exps.split_whitespace().map(|e| e.trim_start_matches('-')).collect();
    let spellings = mantissas.split_whitespace().flat_map(|m| exps.iter().map(move |e| format!("{m}{e}")));
    let mut texts: Vec<String> = spellings.flat_map(|t| [t.clone(), format!("-{t}")]).collect();
    texts.extend((0..=309).map(|n| format!("1e{n}")));
    texts.extend(["-9223372036854775808", "-9223372036854775809", "-0", "0e5", "0e99999999999"].map(String::from));
    for t in &texts {
        let ours = &parse(t).unwrap();
        if let Some(f) = shortest_form(t) {
            assert_eq!(ours.as_f64().map(f64::to_bits), Some(f.to_bits()), "{t}");
            continue;
        }
        match t.parse::<serde_json::Number>() {
            Ok(n) => assert_eq!(
                (ours.as_u64(), ours.as_i64(), ours.as_f64().map(f64::to_bits)),
                (n.as_u64(), n.as_i64(), n.as_f64().map(f64::to_bits)),
                "{t}"
            ),
            // Out of f64's range.
            Err(_) => assert_eq!(ours, &Value::Null, "{t}"),
        }
    }
}

/// The double `t` is the shortest form of (as serde_json and `JSON.stringify` write it), if any.
fn shortest_form(t: &str) -> Option<f64> {
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite() && *f != 0.0 && t.contains(['.', 'e', 'E']))?;
    (decimal(&serde_json::to_string(&f).unwrap()) == decimal(t)).then_some(f)
}

/// A spelling's significant digits and power of ten, sign ignored.
fn decimal(t: &str) -> (String, i64) {
    let t = t.trim_start_matches('-').to_ascii_lowercase();
    let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
    let (int, frac) = m.split_once('.').unwrap_or((m, ""));
    let digits = format!("{int}{frac}");
    let exp = e.parse::<i64>().unwrap() - frac.len() as i64;
    let trimmed = digits.trim_start_matches('0');
    let sig = trimmed.trim_end_matches('0');
    (sig.to_owned(), exp + (trimmed.len() - sig.len()) as i64)
}

/// Any double written in its shortest form (serde_json's and `JSON.stringify`'s spellings) reads
/// back as the same double, so params read and written again keep their numbers.
#[test]
fn a_doubles_shortest_form_reads_as_that_double() {
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    while checked < 50_000 {
        let f = f64::from_bits(rng.next_u64());
        if !f.is_finite() {
            continue;
        }
        // `JSON.stringify` writes the same digits (checked on 300k random doubles in Node),
        // with `e+` for a positive exponent.
        let written = serde_json::to_string(&f).unwrap();
        let js_style =
            if written.contains("e+") { written.clone() } else { written.replace('e', "e+").replace("e+-", "e-") };
        reads_as(&written, f);
        reads_as(&js_style, f);
        checked += 1;
    }
    for text in ["0.9283891276895937", "1e-307", "1.7976931348623157e308", "5e-324", "0.1", "-2.5e-5"] {
        reads_as(text, text.parse().unwrap());
    }
}

fn reads_as(text: &str, f: f64) {
    assert_eq!(parse(text).unwrap().as_f64().map(f64::to_bits), Some(f.to_bits()), "{text}");
}

/// `ours` is serde_json's `want`, but for floats, which may be an ulp or two nearer to the
/// spelling (serde_json without `float_roundtrip` is an ulp off for some, e.g. `5e-32`).
fn assert_same(ours: Value, want: Value, doc: &str) {
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
            }
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x.signum() == y.signum() && x.to_bits().abs_diff(y.to_bits()) <= 2
            }
            _ => a == b,
        }
    }
    assert!(same(&ours, &want), "{doc:?}: {ours:?} against {want:?}");
}
