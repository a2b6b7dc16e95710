//! The skeleton: what the accumulator remembers of the snapshot to decide the next patches.
//!
//! It is the snapshot's shape without its text: per output position the server's
//! `output_index`, the item's id and whether it is a `message`, which of its text fields are
//! strings, and the same for its `content` and `summary` parts, their annotation counts and the
//! length of each `output_text` part's text. Its size grows with the number of items and
//! parts, never with the text.

use serde_json::Value;

use super::patch::Key;
use crate::event::lenient::same_bytes;
use crate::partial_json::PartialJsonParser;

/// Which of the fields text events write (`text`, `refusal`, `arguments`, `input`, `code`)
/// hold a string.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Strings(u8);

/// The fields [`Strings`] tracks.
const FIELDS: [Key; 5] = [Key::Text, Key::Refusal, Key::Arguments, Key::Input, Key::Code];

impl Strings {
    #[inline(always)]
    const fn bit(key: Key) -> u8 {
        match key {
            Key::Text => 1,
            Key::Refusal => 2,
            Key::Arguments => 4,
            Key::Input => 8,
            Key::Code => 16,
            _ => 0,
        }
    }

    /// The tracked fields of `obj` that are strings.
    fn of(obj: &serde_json::Map<String, Value>) -> Strings {
        let mut bits = 0;
        for f in FIELDS {
            if matches!(obj.get(f.as_str()), Some(Value::String(_))) {
                bits |= Self::bit(f);
            }
        }
        Strings(bits)
    }

    /// `key` holds a string.
    #[inline(always)]
    pub(super) fn has(self, key: Key) -> bool {
        self.0 & Self::bit(key) != 0
    }

    /// `key` now holds a string.
    #[inline(always)]
    pub(super) fn insert(&mut self, key: Key) {
        self.0 |= Self::bit(key);
    }
}

/// A field of the snapshot that events index into.
#[derive(Debug, Clone)]
pub(super) enum Slot<T> {
    /// Missing or `null`: created (as `[]`) by the first event that needs it.
    Absent,
    /// Something that is not an array: events that need one are skipped.
    Other,
    /// An array.
    Array(T),
}

impl<T: Default> Slot<T> {
    fn of(v: Option<&Value>, array: impl FnOnce(&[Value]) -> T) -> Slot<T> {
        match v {
            None | Some(Value::Null) => Slot::Absent,
            Some(Value::Array(a)) => Slot::Array(array(a)),
            Some(_) => Slot::Other,
        }
    }
}

/// An output item.
#[derive(Debug, Clone)]
pub(super) struct Item {
    /// The server's `output_index` for this position (`None`: it came without one).
    pub server: Option<u64>,
    pub id: Option<Box<str>>,
    /// Its `type`, when a string.
    pub ty: Option<Box<str>>,
    /// An object (anything else: events naming it are skipped).
    pub object: bool,
    /// `type` is `"message"`: its `output_text` parts make the snapshot's `output_text`.
    pub message: bool,
    /// `type` is `"function_call"`: it gets `parsed_arguments` (see `arguments`).
    pub function_call: bool,
    /// A message set aside by its `phase` ([`set_aside`]).
    pub aside: bool,
    /// Set by an `output_item.done`: an `added` naming its id again announces another item.
    pub done: bool,
    pub strings: Strings,
    pub content: Slot<Vec<Part>>,
    pub summary: Slot<Vec<Part>>,
}

/// A content or summary part.
#[derive(Debug, Clone)]
pub(super) struct Part {
    pub object: bool,
    /// Its `type`, when a string.
    pub ty: Option<Box<str>>,
    /// `type` is `"output_text"`.
    pub output_text: bool,
    pub strings: Strings,
    /// The length of `text` when it is a string.
    pub text_len: usize,
    /// The number of annotations.
    pub annotations: Slot<usize>,
}

/// A message of a `phase` other than the final answer (`"commentary"`: a preamble before tool
/// calls): its text is in `output_text`, not in the text `output_parsed` reads.
pub(crate) fn set_aside(message: &Value) -> bool {
    string(message, "phase").is_some_and(|p| p != "final_answer")
}

/// `v["type"]` when it is a string.
pub(super) fn type_of(v: &Value) -> Option<&str> {
    string(v, "type")
}

/// `v[key]` when it is a string.
#[inline(never)]
fn string<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

impl Item {
    /// Whether an event for an item of type `ty` fits this one: an object whose type is `ty`
    /// (or unknown on either side).
    pub(super) fn fits(&self, ty: Option<&str>) -> bool {
        self.object && (ty.is_none() || self.ty.is_none() || self.ty.as_deref() == ty)
    }

    pub(super) fn of(v: &Value, server: Option<u64>) -> Item {
        let parts = |name| {
            Slot::of(v.get(name), |a| {
                let mut parts = Vec::new();
                for p in a {
                    parts.push(Part::of(p));
                }
                parts
            })
        };
        let ty = type_of(v);
        Item {
            server,
            id: v.get("id").and_then(Value::as_str).map(Box::from),
            ty: ty.map(Box::from),
            object: v.is_object(),
            message: ty == Some("message"),
            function_call: ty == Some("function_call"),
            aside: ty == Some("message") && set_aside(v),
            done: false,
            strings: v.as_object().map(Strings::of).unwrap_or_default(),
            content: parts(Key::Content.as_str()),
            summary: parts(Key::Summary.as_str()),
        }
    }

    /// The parts that may add text to `output_text`: a message's content parts.
    fn text_parts(&self) -> &[Part] {
        match &self.content {
            Slot::Array(parts) if self.message => parts,
            _ => &[],
        }
    }

    /// Some part adds text to `output_text`.
    pub(super) fn has_text(&self) -> bool {
        self.text_parts().iter().any(Part::adds_text)
    }

    pub(super) fn parts_mut(&mut self, summary: bool) -> &mut Slot<Vec<Part>> {
        if summary {
            &mut self.summary
        } else {
            &mut self.content
        }
    }
}

impl Part {
    pub(super) fn of(v: &Value) -> Part {
        let text_len = v.get("text").and_then(Value::as_str).map_or(0, str::len);
        let ty = type_of(v);
        Part {
            object: v.is_object(),
            ty: ty.map(Box::from),
            output_text: ty == Some("output_text"),
            strings: v.as_object().map(Strings::of).unwrap_or_default(),
            text_len,
            annotations: Slot::of(v.get("annotations"), <[Value]>::len),
        }
    }

    /// An `output_text` part whose `text` is a string (in a message: it counts in
    /// `output_text`).
    #[inline(always)]
    pub(super) fn is_text(&self) -> bool {
        self.object && self.output_text && self.strings.has(Key::Text)
    }

    /// An `output_text` part with text: it adds to `output_text`.
    fn adds_text(&self) -> bool {
        self.is_text() && self.text_len > 0
    }
}

/// The snapshot's shape.
#[derive(Debug, Clone, Default)]
pub(super) struct Skeleton {
    /// A lifecycle event set the snapshot; before that, every other event is skipped.
    pub started: bool,
    /// The output, by position.
    pub items: Vec<Item>,
    /// The item the last event wrote into (`None`: a lifecycle event, or none).
    pub touched: Option<usize>,
    /// The last `output_text` part with text, as (item, part): text appended to a part at or
    /// after it is appended to `output_text` too.
    pub last_text: Option<(usize, usize)>,
    /// The `function_call` items whose arguments are streaming, by item position, with their
    /// parsers (few at a time: usually one). Each keeps no text, only its place in the grammar
    /// (O(depth)).
    pub args: Vec<(usize, PartialJsonParser)>,
}

impl Skeleton {
    /// The position of the item the server calls `output_index` `idx`.
    pub(super) fn position_of(&self, idx: u64) -> Option<usize> {
        let dense = usize::try_from(idx).ok().filter(|&i| self.items.get(i).is_some_and(|it| it.server == Some(idx)));
        dense.or_else(|| self.items.iter().position(|it| it.server == Some(idx)))
    }

    /// The position of the item whose `id` is `id` and that `other` does not rule out: `hint`
    /// when that item is one (the usual case, checked first), else the first such item.
    pub(super) fn position_of_id(&self, id: &str, hint: Option<usize>, other: impl Fn(&Item) -> bool) -> Option<usize> {
        let has = |it: &Item| it.id.as_deref().is_some_and(|x| same_bytes(x.as_bytes(), id.as_bytes())) && !other(it);
        hint.filter(|&p| self.items.get(p).is_some_and(has)).or_else(|| self.items.iter().position(has))
    }

    /// Output index `idx` now names position `at`: an earlier item the server announced at the
    /// same index keeps its place (and its id) but no longer answers to the index.
    pub(super) fn claim(&mut self, idx: Option<u64>, at: usize) {
        let Some(idx) = idx else { return };
        for (i, it) in self.items.iter_mut().enumerate() {
            if i != at && it.server == Some(idx) {
                it.server = None;
            }
        }
    }

    /// Sets the output from a lifecycle event's `output` (each index maps to itself).
    pub(super) fn reset(&mut self, output: &[Value]) {
        self.items.clear();
        self.args.clear();
        for (v, i) in output.iter().zip(0u64..) {
            self.items.push(Item::of(v, Some(i)));
        }
        self.started = true;
    }

    /// The `output_text` parts with text, in output order: `(item, part)`; `parsed`: only those
    /// of the text `output_parsed` reads (plain loops: the iterator adapters cost more code than
    /// the rare changes of shape that ask).
    pub(super) fn spans(&self, parsed: bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, it) in self.items.iter().enumerate() {
            if parsed && it.aside {
                continue;
            }
            for (j, p) in it.text_parts().iter().enumerate() {
                if p.adds_text() {
                    out.push((i, j));
                }
            }
        }
        out
    }

    /// No part after `(i, j)` has `output_text` text.
    pub(super) fn nothing_after(&self, i: usize, j: usize) -> bool {
        self.last_text.map_or(true, |last| last <= (i, j))
    }
}
