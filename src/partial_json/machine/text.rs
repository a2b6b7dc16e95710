//! Strings (keys and values): runs of plain characters copied at once, escapes decoded as
//! they complete, a high surrogate held until the escape after it shows whether it is paired.

use std::mem;

use serde_json::Value;

use super::{Machine, State};

/// Inside a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Esc {
    /// Ordinary characters.
    None,
    /// After `\`.
    Backslash,
    /// After `\u` and this many hex digits (their value so far).
    Hex(u8, u16),
}

/// Writes `\uXXXX` (lowercase hex): the op text keeps every code unit, lone surrogates too.
fn push_u_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    let mut shift = 16;
    while shift > 0 {
        shift -= 4;
        let digit = (unit >> shift) & 0xF;
        out.push(char::from_digit(u32::from(digit), 16).unwrap_or('0'));
    }
}

impl Machine {
    pub(super) fn start_string(&mut self) {
        self.dec.clear();
        self.raw.clear();
        self.high = None;
        self.state = State::Str(Esc::None);
    }

    fn track_raw(&self) -> bool {
        self.in_key || self.recording
    }

    pub(super) fn string(&mut self, text: &str, i: usize, esc: Esc) -> usize {
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
    pub(super) fn flush_string(&mut self) {
        let new = mem::take(&mut self.str_new);
        if (new || !self.dec.is_empty()) && self.op_begin(if new { 's' } else { 'c' }) {
            self.ops.push('"');
            self.ops.push_str(&self.raw);
            self.ops.push_str("\"]");
        }
        if new {
            let s = mem::take(&mut self.dec);
            self.mirror_set(Value::String(s));
        } else if !self.dec.is_empty() {
            self.mirror_cat();
            self.dec.clear();
        }
        self.raw.clear();
    }
}
