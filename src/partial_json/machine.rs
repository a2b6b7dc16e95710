//! The stack machine behind [`PartialJsonParser`](super::PartialJsonParser): one state per place
//! in the grammar, a stack of open containers, and the value (the Rust mirror) updated in place.
//!
//! Every change to the value goes through two functions, [`Machine::mirror_set`] and
//! [`Machine::mirror_cat`], each paired with the op it writes (when ops are recorded), so the
//! ops and the value cannot drift apart. A value string is buffered during a push (decoded in
//! `dec`, its JSON spelling in `raw`) and reaches the value once per push, or when it closes.

use std::fmt::Write as _;
use std::mem;

use serde_json::{Map, Value};

use super::{PartialJsonError, MAX_DEPTH};

mod scalar;
mod text;

use scalar::{Lit, Num};
use text::Esc;

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
    /// Keep no Rust value (a mirror elsewhere applies the ops): memory stays O(depth).
    pub(super) ops_only: bool,
    ops: String,
}

pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
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

    /// Runs `f` with the ops added to the JSON array `out` (`""`: a new one) when it is given.
    fn recorded(&mut self, out: Option<&mut String>, f: impl FnOnce(&mut Self)) {
        let Some(out) = out else { return f(self) };
        mem::swap(&mut self.ops, out);
        if self.ops.pop().is_none() {
            self.ops.push('[');
        }
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
        if self.ops_only {
            return;
        }
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
        if self.ops_only {
            return;
        }
        if let Some(Value::String(s)) = walk(&mut self.value, &self.frames) {
            s.push_str(&self.dec);
        }
    }
}
