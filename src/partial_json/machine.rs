//! The stack machine behind [`PartialJsonParser`](super::PartialJsonParser): one state per place
//! in the grammar, a stack of open containers, and the value (the Rust mirror) updated in place.
//!
//! Every change to the value goes through two functions, [`Machine::mirror_set`] and
//! [`Machine::mirror_cat`], each paired with the op it writes (when ops are recorded), so the
//! ops and the value cannot drift apart. A value string is buffered during a push (decoded in
//! `dec`, its JSON spelling in `raw`) and reaches the value once per push, or when it closes.

use std::fmt::Write as _;
use std::mem;

use serde_json::{Map, Number, Value};

use super::{PartialJsonError, MAX_DEPTH};

/// Where the machine is in the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Before the root value.
    #[default]
    Start,
    /// After `:` or after `,` in an array: a value.
    Value,
    /// After `[`: a value or `]`.
    ArrayFirst,
    /// After `{`: a key or `}`.
    ObjectFirst,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value in a container: `,` or the closing bracket.
    After,
    /// After the root value: whitespace only.
    Done,
    /// In a string (a key when `in_key`).
    Str(Esc),
    /// In a number.
    Num(Num),
    /// In `true`, `false` or `null`, this many letters read.
    Lit(Lit, u8),
    /// Invalid JSON seen: everything is ignored.
    Error,
}

/// Inside a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Esc {
    /// Ordinary characters.
    None,
    /// After `\`.
    Backslash,
    /// After `\u` and this many hex digits (their value so far).
    Hex(u8, u16),
}

/// Inside a number: the last part read (RFC 8259 `number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    ExpMark,
    ExpSign,
    Exp,
}

impl Num {
    /// A number may end here.
    fn is_terminal(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::Exp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lit {
    True,
    False,
    Null,
}

impl Lit {
    fn word(self) -> &'static str {
        match self {
            Lit::True => "true",
            Lit::False => "false",
            Lit::Null => "null",
        }
    }

    fn value(self) -> Value {
        match self {
            Lit::True => Value::Bool(true),
            Lit::False => Value::Bool(false),
            Lit::Null => Value::Null,
        }
    }
}

/// An open array or object.
#[derive(Debug, Clone, Default)]
struct Frame {
    array: bool,
    /// Arrays: elements started (the last one is the current child).
    len: usize,
    /// Objects: the current key, decoded (the current child is its value).
    key: String,
    /// Objects: the current key as written in the document, without the quotes (valid JSON
    /// string content: the op text writes paths with it, lone surrogates and all).
    key_raw: String,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Machine {
    pub(super) value: Option<Value>,
    pub(super) complete: bool,
    pub(super) error: Option<PartialJsonError>,
    frames: Vec<Frame>,
    state: State,
    /// The string in progress is a key.
    in_key: bool,
    /// The value string in progress has not reached the value yet (its op is a set).
    str_new: bool,
    /// A high surrogate escape waiting for the escape after it.
    high: Option<u16>,
    /// The string in progress, decoded, not yet in the value (or the key so far).
    dec: String,
    /// `dec` as written in the document (kept for keys, and for values when recording ops).
    raw: String,
    /// The number in progress.
    num: String,
    /// Bytes pushed before the current push.
    consumed: usize,
    finished: bool,
    recording: bool,
    ops: String,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn push_u_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12u16, 8, 4, 0] {
        let digit = (unit >> shift) & 0xF;
        out.push(char::from_digit(u32::from(digit), 16).unwrap_or('0'));
    }
}

/// The container at the end of `frames`' current children, from the root.
fn walk<'a>(root: &'a mut Option<Value>, frames: &[Frame]) -> Option<&'a mut Value> {
    let mut cur = root.as_mut()?;
    for f in frames {
        cur = match cur {
            Value::Array(a) => a.last_mut()?,
            Value::Object(m) => m.get_mut(&f.key)?,
            _ => return None,
        };
    }
    Some(cur)
}

impl Machine {
    pub(super) fn push(&mut self, text: &str, ops: Option<&mut String>) {
        self.recorded(ops, |m| {
            if m.live() {
                m.run(text);
            }
        });
    }

    pub(super) fn finish(&mut self, ops: Option<&mut String>) {
        self.recorded(ops, |m| {
            if !m.live() {
                return;
            }
            m.finished = true;
            if let State::Num(n) = m.state {
                if m.frames.is_empty() && n.is_terminal() {
                    m.emit_number();
                }
            }
        });
    }

    fn live(&self) -> bool {
        self.error.is_none() && !self.finished
    }

    /// Runs `f` with the ops written into `out` (as one JSON array) when it is given.
    fn recorded(&mut self, out: Option<&mut String>, f: impl FnOnce(&mut Self)) {
        let Some(out) = out else { return f(self) };
        mem::swap(&mut self.ops, out);
        self.ops.clear();
        self.ops.push('[');
        self.recording = true;
        f(self);
        self.recording = false;
        self.ops.push(']');
        mem::swap(&mut self.ops, out);
    }

    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && !matches!(self.state, State::Error) {
            i = self.step(text, i);
        }
        if matches!(self.state, State::Str(_)) && !self.in_key {
            self.flush_string();
        }
        self.consumed = self.consumed.saturating_add(bytes.len());
    }

    /// Handles the input from byte `i` on (one byte, or a run of string characters); returns
    /// where to go on.
    fn step(&mut self, text: &str, i: usize) -> usize {
        let Some(&b) = text.as_bytes().get(i) else { return text.len() };
        match self.state {
            State::Str(esc) => self.string(text, i, esc),
            State::Num(n) => self.number(text, i, b, n),
            State::Lit(lit, read) => self.literal(text, i, b, lit, read),
            State::Error => text.len(),
            _ if is_ws(b) => i + 1,
            State::Start | State::Value | State::ArrayFirst => self.value_start(text, i, b),
            State::ObjectFirst | State::Key => match b {
                b'"' => {
                    self.in_key = true;
                    self.start_string();
                    i + 1
                }
                b'}' if matches!(self.state, State::ObjectFirst) => self.close(i),
                _ if matches!(self.state, State::ObjectFirst) => self.fail(text, i, "expected a key or '}'"),
                _ => self.fail(text, i, "expected a key after ','"),
            },
            State::Colon if b == b':' => {
                self.state = State::Value;
                i + 1
            }
            State::Colon => self.fail(text, i, "expected ':' after an object key"),
            State::After => {
                let array = self.frames.last().is_some_and(|f| f.array);
                match b {
                    b',' => {
                        self.state = if array { State::Value } else { State::Key };
                        i + 1
                    }
                    b']' if array => self.close(i),
                    b'}' if !array => self.close(i),
                    _ if array => self.fail(text, i, "expected ',' or ']' after an array element"),
                    _ => self.fail(text, i, "expected ',' or '}' after an object member"),
                }
            }
            State::Done => self.fail(text, i, "unexpected data after the JSON value"),
        }
    }

    fn value_start(&mut self, text: &str, i: usize, b: u8) -> usize {
        match b {
            b'{' | b'[' => {
                let array = b == b'[';
                if self.frames.len() >= MAX_DEPTH {
                    return self.fail(text, i, "nesting deeper than 128 levels");
                }
                self.new_slot();
                let (json, v) =
                    if array { ("[]", Value::Array(Vec::new())) } else { ("{}", Value::Object(Map::new())) };
                if self.op_begin('s') {
                    self.ops.push_str(json);
                    self.ops.push(']');
                }
                self.mirror_set(v);
                self.frames.push(Frame { array, ..Frame::default() });
                self.state = if array { State::ArrayFirst } else { State::ObjectFirst };
            }
            b'"' => {
                self.new_slot();
                self.in_key = false;
                self.str_new = true;
                self.start_string();
            }
            b'-' | b'0'..=b'9' => {
                self.num.clear();
                self.num.push(char::from(b));
                self.state = State::Num(match b {
                    b'-' => Num::Minus,
                    b'0' => Num::Zero,
                    _ => Num::Int,
                });
            }
            b't' => self.state = State::Lit(Lit::True, 1),
            b'f' => self.state = State::Lit(Lit::False, 1),
            b'n' => self.state = State::Lit(Lit::Null, 1),
            b']' if matches!(self.state, State::ArrayFirst) => return self.close(i),
            _ => return self.fail(text, i, "expected a value"),
        }
        i + 1
    }

    fn close(&mut self, i: usize) -> usize {
        self.frames.pop();
        self.end_value();
        i + 1
    }

    /// A value ended: what may follow it.
    fn end_value(&mut self) {
        if self.frames.is_empty() {
            self.complete = true;
            self.state = State::Done;
        } else {
            self.state = State::After;
        }
    }

    /// A value starts in the current container (counted at once in an array, so that the
    /// current child of every frame is where the next op's path points).
    fn new_slot(&mut self) {
        if let Some(top) = self.frames.last_mut() {
            if top.array {
                top.len += 1;
            }
        }
    }

    fn fail(&mut self, text: &str, i: usize, reason: &'static str) -> usize {
        if matches!(self.state, State::Str(_)) && !self.in_key {
            self.flush_string();
        }
        let found = text.get(i..).and_then(|s| s.chars().next());
        self.error = Some(PartialJsonError { offset: self.consumed.saturating_add(i), reason, found });
        self.state = State::Error;
        text.len()
    }

    // ----------------------------------------------------------------------------- literals

    fn number(&mut self, text: &str, i: usize, b: u8, n: Num) -> usize {
        let next = match (n, b) {
            (Num::Minus, b'0') => Some(Num::Zero),
            (Num::Minus | Num::Int, b'0'..=b'9') => Some(Num::Int),
            (Num::Zero | Num::Int, b'.') => Some(Num::Dot),
            (Num::Dot | Num::Frac, b'0'..=b'9') => Some(Num::Frac),
            (Num::Zero | Num::Int | Num::Frac, b'e' | b'E') => Some(Num::ExpMark),
            (Num::ExpMark, b'+' | b'-') => Some(Num::ExpSign),
            (Num::ExpMark | Num::ExpSign | Num::Exp, b'0'..=b'9') => Some(Num::Exp),
            _ => None,
        };
        match next {
            Some(n) => {
                self.num.push(char::from(b));
                self.state = State::Num(n);
                i + 1
            }
            None if n == Num::Zero && b.is_ascii_digit() => {
                self.fail(text, i, "a number cannot start with 0 and a digit")
            }
            None if n.is_terminal() => {
                // `b` ends the number and is handled next, in the state after a value; the
                // number only counts when `b` may follow it there (`[1}` leaves it out).
                let top = self.frames.last().map(|f| f.array);
                let fits = is_ws(b) || matches!((top, b), (Some(_), b',') | (Some(true), b']') | (Some(false), b'}'));
                if fits {
                    self.emit_number();
                } else {
                    self.state = if top.is_some() { State::After } else { State::Done };
                }
                i
            }
            None => self.fail(text, i, "incomplete number"),
        }
    }

    fn emit_number(&mut self) {
        self.new_slot();
        // Every spelling the grammar lets through parses, but one beyond f64's range.
        let v = self.num.parse::<Number>().map_or(Value::Null, Value::Number);
        if self.op_begin('s') {
            self.ops.push_str(&self.num);
            self.ops.push(']');
        }
        self.mirror_set(v);
        self.end_value();
    }

    fn literal(&mut self, text: &str, i: usize, b: u8, lit: Lit, read: u8) -> usize {
        let word = lit.word();
        if word.as_bytes().get(usize::from(read)) != Some(&b) {
            return self.fail(text, i, "invalid literal (true, false or null)");
        }
        let read = read + 1;
        if usize::from(read) < word.len() {
            self.state = State::Lit(lit, read);
        } else {
            self.new_slot();
            if self.op_begin('s') {
                self.ops.push_str(word);
                self.ops.push(']');
            }
            self.mirror_set(lit.value());
            self.end_value();
        }
        i + 1
    }

    // ------------------------------------------------------------------------------ strings

    fn start_string(&mut self) {
        self.dec.clear();
        self.raw.clear();
        self.high = None;
        self.state = State::Str(Esc::None);
    }

    fn track_raw(&self) -> bool {
        self.in_key || self.recording
    }

    fn string(&mut self, text: &str, i: usize, esc: Esc) -> usize {
        let bytes = text.as_bytes();
        match esc {
            Esc::None => {
                let rest = bytes.get(i..).unwrap_or_default();
                let run = rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(rest.len());
                let j = i + run;
                if run > 0 {
                    self.lone_high();
                    // The run ends at an ASCII byte or at the end: a character boundary.
                    let s = text.get(i..j).unwrap_or_default();
                    self.dec.push_str(s);
                    if self.track_raw() {
                        self.raw.push_str(s);
                    }
                }
                match bytes.get(j) {
                    None => j,
                    Some(b'"') => {
                        self.lone_high();
                        self.end_string();
                        j + 1
                    }
                    Some(b'\\') => {
                        self.state = State::Str(Esc::Backslash);
                        j + 1
                    }
                    Some(_) => self.fail(text, j, "control character in a string (it must be escaped)"),
                }
            }
            Esc::Backslash => {
                let b = bytes.get(i).copied().unwrap_or_default();
                let c = match b {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        self.state = State::Str(Esc::Hex(0, 0));
                        return i + 1;
                    }
                    _ => return self.fail(text, i, "invalid escape in a string"),
                };
                self.lone_high();
                self.dec.push(c);
                if self.track_raw() {
                    self.raw.push('\\');
                    self.raw.push(char::from(b));
                }
                self.state = State::Str(Esc::None);
                i + 1
            }
            Esc::Hex(read, acc) => {
                let digit = bytes.get(i).and_then(|&b| char::from(b).to_digit(16));
                let Some(digit) = digit.and_then(|d| u16::try_from(d).ok()) else {
                    return self.fail(text, i, "invalid \\u escape in a string (4 hex digits expected)");
                };
                let acc = (acc << 4) | digit;
                if read == 3 {
                    self.state = State::Str(Esc::None);
                    self.code_unit(acc);
                } else {
                    self.state = State::Str(Esc::Hex(read + 1, acc));
                }
                i + 1
            }
        }
    }

    /// A `\uXXXX` escape completed.
    fn code_unit(&mut self, unit: u16) {
        if let Some(high) = self.high.take() {
            if (0xDC00..=0xDFFF).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                self.dec.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                if self.track_raw() {
                    push_u_escape(&mut self.raw, high);
                    push_u_escape(&mut self.raw, unit);
                }
                return;
            }
            self.lone(high);
        }
        match unit {
            0xD800..=0xDBFF => self.high = Some(unit),
            0xDC00..=0xDFFF => self.lone(unit),
            _ => {
                self.dec.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
                if self.track_raw() {
                    push_u_escape(&mut self.raw, unit);
                }
            }
        }
    }

    /// The waiting high surrogate, if any, turned out to be alone.
    fn lone_high(&mut self) {
        if let Some(high) = self.high.take() {
            self.lone(high);
        }
    }

    /// A lone surrogate: U+FFFD in the Rust value, the escape itself in the op text.
    fn lone(&mut self, unit: u16) {
        self.dec.push('\u{FFFD}');
        if self.track_raw() {
            push_u_escape(&mut self.raw, unit);
        }
    }

    fn end_string(&mut self) {
        if self.in_key {
            if let Some(top) = self.frames.last_mut() {
                mem::swap(&mut top.key, &mut self.dec);
                mem::swap(&mut top.key_raw, &mut self.raw);
            }
            self.state = State::Colon;
        } else {
            self.flush_string();
            self.end_value();
        }
    }

    /// Moves the buffered part of the value string into the value (and the ops).
    fn flush_string(&mut self) {
        if self.str_new {
            self.str_new = false;
            if self.op_begin('s') {
                self.ops.push('"');
                self.ops.push_str(&self.raw);
                self.ops.push_str("\"]");
            }
            let s = mem::take(&mut self.dec);
            self.mirror_set(Value::String(s));
        } else if !self.dec.is_empty() {
            if self.op_begin('c') {
                self.ops.push('"');
                self.ops.push_str(&self.raw);
                self.ops.push_str("\"]");
            }
            self.mirror_cat();
            self.dec.clear();
        }
        self.raw.clear();
    }

    // ---------------------------------------------------------------------- value and ops

    /// Starts an op (`code` `s` or `c`) whose path is the current child of every open
    /// container, up to the value; the caller writes the value and `]`. False when not recording.
    fn op_begin(&mut self, code: char) -> bool {
        if !self.recording {
            return false;
        }
        if self.ops.len() > 1 {
            self.ops.push(',');
        }
        self.ops.push_str("[\"");
        self.ops.push(code);
        self.ops.push_str("\",[");
        for (k, f) in self.frames.iter().enumerate() {
            if k > 0 {
                self.ops.push(',');
            }
            if f.array {
                let _ = write!(self.ops, "{}", f.len.saturating_sub(1));
            } else {
                self.ops.push('"');
                self.ops.push_str(&f.key_raw);
                self.ops.push('"');
            }
        }
        self.ops.push_str("],");
        true
    }

    /// Puts a new value in the current slot (appended to the array, at the key of the object,
    /// or the root).
    fn mirror_set(&mut self, v: Value) {
        let Some((top, parents)) = self.frames.split_last() else {
            self.value = Some(v);
            return;
        };
        match walk(&mut self.value, parents) {
            Some(Value::Array(a)) => a.push(v),
            Some(Value::Object(m)) => {
                m.insert(top.key.clone(), v);
            }
            _ => {}
        }
    }

    /// Appends the buffered text to the string in progress.
    fn mirror_cat(&mut self) {
        if let Some(Value::String(s)) = walk(&mut self.value, &self.frames) {
            s.push_str(&self.dec);
        }
    }
}
