//! Numbers and `true` / `false` / `null`: read byte by byte, set once complete.

use serde_json::Value;

use super::{is_ws, Machine, State};

/// Inside a number: the last part read (RFC 8259 `number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Num {
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
    pub(super) fn is_terminal(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::Exp)
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lit {
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
impl Machine {
    pub(super) fn number(&mut self, text: &str, i: usize, b: u8, n: Num) -> usize {
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

    pub(super) fn emit_number(&mut self) {
        self.new_slot();
        // Every spelling the grammar lets through parses, but one beyond f64's range.
        let v = crate::event::lenient::number(&self.num);
        if self.op_begin('s') {
            self.ops.push_str(&self.num);
            self.ops.push(']');
        }
        self.mirror_set(v);
        self.end_value();
    }

    pub(super) fn literal(&mut self, text: &str, i: usize, b: u8, lit: Lit, read: u8) -> usize {
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
}
