//! Patch operations: the changes one event makes to the snapshot, as data.
//!
//! The accumulator decides every change; an applier only executes them (it knows nothing about
//! event types). [`Mirror`](super::Mirror) applies them to a `serde_json::Value`; the npm
//! package applies the same operations, from their JSON form ([`write_json`]), to a JS object.
//!
//! A [`Path`] leads from the snapshot's root through object keys and array indices. Setting at
//! an index equal to the array's length pushes. Every value an operation sets is a copy (never
//! shared with the event it came from).
//!
//! | op | JSON | meaning |
//! |---|---|---|
//! | [`Patch::Root`] | `["r", 0 \| 1]` | snapshot := copy of the event's `response`; with `1` (`keep_output`) the previous snapshot's `output` and `output_text` are moved into it in place of the event's |
//! | [`Patch::Set`] | `["s", path, value]` | set `value` (a JSON literal) at `path` |
//! | [`Patch::Take`] | `["t", path, key]` | set a copy of the event's top-level field `key` at `path` |
//! | [`Patch::Append`] | `["a", path, key]` | append the event's string field `key` to the string at `path` |
//! | [`Patch::Cat`] | `["c", path, text]` | append the literal `text` to the string at `path` |
//! | [`Patch::Join`] | `["j", path, [path, …]]` | the string at `path` := the concatenation of the strings at the listed paths |
//! | [`Patch::Nested`] | `["p", path, ops]` | apply partial-JSON `ops` ([`crate::partial_json`]: `["s", sub, v]`, `["c", sub, text]`) at `path`: their paths start there (`[]` is `path` itself) |
//!
//! One event's operations are a JSON array of these, applied in order. Append and Cat onto
//! something that is not a string set the string instead (the accumulator emits them only onto
//! strings); in Join a path that does not lead to a string contributes nothing; an operation
//! whose path does not lead anywhere (a missing parent, an index past the end) does nothing.

use std::fmt::{self, Write};

use serde_json::Value;

/// The object keys patches name: keys of the snapshot and fields of the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// `output`
    Output,
    /// `output_text`
    OutputText,
    /// `content`
    Content,
    /// `summary`
    Summary,
    /// `annotations`
    Annotations,
    /// `status`
    Status,
    /// `text`
    Text,
    /// `refusal`
    Refusal,
    /// `arguments`
    Arguments,
    /// `input`
    Input,
    /// `code`
    Code,
    /// `parsed_arguments` (kept by the accumulator on `function_call` items)
    ParsedArguments,
    /// `delta` (an event field)
    Delta,
    /// `response` (an event field)
    Response,
    /// `item` (an event field)
    Item,
    /// `part` (an event field)
    Part,
    /// `annotation` (an event field)
    Annotation,
}

/// Every [`Key`] as a JSON string (quoted; no key needs escapes), in the order of the variants.
#[rustfmt::skip]
const QUOTED: [&str; 17] = [
    "\"output\"", "\"output_text\"", "\"content\"", "\"summary\"", "\"annotations\"", "\"status\"", "\"text\"",
    "\"refusal\"", "\"arguments\"", "\"input\"", "\"code\"", "\"parsed_arguments\"", "\"delta\"", "\"response\"",
    "\"item\"", "\"part\"", "\"annotation\"",
];

impl Key {
    /// The key as a JSON string (quoted).
    #[inline]
    pub fn json(self) -> &'static str {
        QUOTED.get(self as usize).copied().unwrap_or("\"\"")
    }

    /// The key as written in JSON.
    #[inline]
    pub fn as_str(self) -> &'static str {
        let q = self.json();
        q.get(1..q.len() - 1).unwrap_or_default()
    }
}

/// One step of a [`Path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// An object key.
    Key(Key),
    /// An array index (the array's length: push).
    Index(u32),
}

/// The longest array the accumulator addresses: it appends no element at a position past
/// `u32::MAX - 1`, so every position it names fits a [`Seg::Index`].
pub(crate) const MAX_LEN: usize = u32::MAX as usize;

/// A position as a path step (a position past [`MAX_LEN`], which the accumulator never
/// names, becomes one that leads nowhere).
const fn index(i: usize) -> u32 {
    if i < MAX_LEN {
        i as u32
    } else {
        u32::MAX
    }
}

/// The deepest path the accumulator writes: `output[i].content[j].annotations[k]`.
pub const MAX_DEPTH: usize = 6;

/// A path from the snapshot's root, up to [`MAX_DEPTH`] steps, stored inline (no allocation).
#[derive(Clone, Copy, Eq)]
pub struct Path {
    segs: [Seg; MAX_DEPTH],
    len: u8,
}

/// Equal steps: the unused ones are not compared (a run of text deltas compares two paths per
/// event, one of a single step).
impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        let n = usize::from(self.len);
        self.len == other.len && self.segs.get(..n) == other.segs.get(..n)
    }
}

/// Fills the unused steps of a [`Path`].
const FILL: Seg = Seg::Index(0);

use Seg::{Index as I, Key as K};

impl Path {
    /// The snapshot itself (no step).
    pub const ROOT: Path = Path { segs: [FILL; MAX_DEPTH], len: 0 };

    /// The steps.
    #[inline]
    pub fn segs(&self) -> &[Seg] {
        self.segs.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// `["output_text"]`.
    pub(crate) const fn output_text() -> Path {
        Path { segs: [K(Key::OutputText), FILL, FILL, FILL, FILL, FILL], len: 1 }
    }

    /// `["output"]`.
    pub(crate) const fn output() -> Path {
        Path { segs: [K(Key::Output), FILL, FILL, FILL, FILL, FILL], len: 1 }
    }

    /// `["output", i]`.
    pub(crate) const fn item(i: usize) -> Path {
        Path { segs: [K(Key::Output), I(index(i)), FILL, FILL, FILL, FILL], len: 2 }
    }

    /// `["output", i, key]`.
    pub(crate) const fn item_field(i: usize, key: Key) -> Path {
        Path { segs: [K(Key::Output), I(index(i)), K(key), FILL, FILL, FILL], len: 3 }
    }

    /// `["output", i, array, j]`.
    pub(crate) const fn part(i: usize, array: Key, j: usize) -> Path {
        Path { segs: [K(Key::Output), I(index(i)), K(array), I(index(j)), FILL, FILL], len: 4 }
    }

    /// `["output", i, array, j, key]`.
    pub(crate) const fn part_field(i: usize, array: Key, j: usize, key: Key) -> Path {
        Path { segs: [K(Key::Output), I(index(i)), K(array), I(index(j)), K(key), FILL], len: 5 }
    }

    /// `["output", i, "content", j, "annotations", k]`.
    pub(crate) const fn annotation(i: usize, j: usize, k: usize) -> Path {
        Path {
            segs: [K(Key::Output), I(index(i)), K(Key::Content), I(index(j)), K(Key::Annotations), I(index(k))],
            len: 6,
        }
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.segs()).finish()
    }
}

/// When a list of patches may be sent as "the same operations again" (the npm batch's
/// `PatchesMark.Same`, `ResponseAccumulator`'s `undefined`): it is appends only, not empty, and
/// equal to the last list sent. An append names an event field, so the same list applied to the
/// next event takes that event's text; a `Set` literal would be shared between two places.
#[derive(Debug, Default)]
pub(crate) struct RepeatedAppends {
    /// The last list sent, when it was appends only: each one's path and event field.
    last: Vec<(Path, Key)>,
}

impl RepeatedAppends {
    /// Whether `patches` are the last list sent again; when not, they are the last list sent now.
    pub(crate) fn same_again(&mut self, patches: &[Patch]) -> bool {
        let same = !patches.is_empty()
            && patches.len() == self.last.len()
            && patches
                .iter()
                .zip(&self.last)
                .all(|(p, (rp, rk))| matches!(p, Patch::Append { path, key } if key == rk && path == rp));
        if !same {
            self.last.clear();
            for p in patches {
                let Patch::Append { path, key } = p else {
                    self.last.clear();
                    break;
                };
                self.last.push((*path, *key));
            }
        }
        same
    }

    /// Nothing was sent yet (the receiver holds no list).
    pub(crate) fn forget(&mut self) {
        self.last.clear();
    }
}

/// One change to the snapshot (see the module docs for the exact rules).
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// The snapshot becomes a copy of the event's `response`; with `keep_output`, the previous
    /// snapshot's `output` and `output_text` replace the event's.
    Root {
        /// Keep the previous `output` and `output_text`.
        keep_output: bool,
    },
    /// A literal value at `path`.
    Set {
        /// Where.
        path: Path,
        /// What (copied).
        value: Value,
    },
    /// A copy of the event's top-level field `key` at `path`.
    Take {
        /// Where.
        path: Path,
        /// Which field of the event (`item`, `part`, `annotation`, `delta`, `text`, …).
        key: Key,
    },
    /// The string at `path` gets the event's string field `key` appended.
    Append {
        /// Where.
        path: Path,
        /// Which field of the event (`delta`, or a `.done` event's value).
        key: Key,
    },
    /// The string at `path` gets `text` appended.
    Cat {
        /// Where.
        path: Path,
        /// What.
        text: String,
    },
    /// The string at `path` becomes the concatenation of the strings at `from`.
    Join {
        /// Where.
        path: Path,
        /// The strings to concatenate, in order.
        from: Vec<Path>,
    },
    /// Partial-JSON ops applied at `path` (module docs): how a value parsed from streamed text
    /// (a function call's `parsed_arguments`) grows.
    Nested {
        /// Where the ops' paths start.
        path: Path,
        /// The ops as one JSON array, exactly as the partial JSON parser wrote them.
        ops: String,
    },
}

impl Patch {
    /// The [`Nested`](Patch::Nested) patch of partial-JSON ops written by
    /// [`PartialJsonParser::push_with_ops`](crate::partial_json::PartialJsonParser::push_with_ops);
    /// `None` when they change nothing (`[]`).
    pub fn nested(path: Path, ops: String) -> Option<Patch> {
        (ops.len() > 2).then_some(Patch::Nested { path, ops })
    }
}

/// Appends the JSON form of `patches` (one array, see the module docs) to `out`.
pub fn write_json(patches: &[Patch], out: &mut String) {
    out.push('[');
    for (n, p) in patches.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_patch(p, out);
    }
    out.push(']');
}

fn write_patch(p: &Patch, out: &mut String) {
    match p {
        Patch::Root { keep_output } => out.push_str(if *keep_output { r#"["r",1]"# } else { r#"["r",0]"# }),
        Patch::Set { path, value } => {
            out.push_str(r#"["s","#);
            write_path(path, out);
            out.push(',');
            // A Value always serialises; the fallback keeps the array well-formed.
            out.push_str(&serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()));
            out.push(']');
        }
        Patch::Take { path, key } | Patch::Append { path, key } => {
            out.push_str(if matches!(p, Patch::Take { .. }) { r#"["t","# } else { r#"["a","# });
            write_path(path, out);
            out.push(',');
            out.push_str(key.json());
            out.push(']');
        }
        Patch::Cat { path, text } => {
            out.push_str(r#"["c","#);
            write_path(path, out);
            out.push(',');
            // A string always serialises.
            out.push_str(&serde_json::to_string(text).unwrap_or_default());
            out.push(']');
        }
        Patch::Nested { path, ops } => {
            out.push_str(r#"["p","#);
            write_path(path, out);
            out.push(',');
            out.push_str(ops);
            out.push(']');
        }
        Patch::Join { path, from } => {
            out.push_str(r#"["j","#);
            write_path(path, out);
            out.push_str(",[");
            for (n, f) in from.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_path(f, out);
            }
            out.push_str("]]");
        }
    }
}

fn write_path(path: &Path, out: &mut String) {
    out.push('[');
    for (n, s) in path.segs().iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        match s {
            Seg::Key(k) => out.push_str(k.json()),
            Seg::Index(i) => write_index(*i, out),
        }
    }
    out.push(']');
}

/// An index in decimal.
fn write_index(i: u32, out: &mut String) {
    if i < 10 {
        out.push(char::from(b'0' + i as u8));
        return;
    }
    let _ = write!(out, "{i}"); // writing to a String cannot fail
}
