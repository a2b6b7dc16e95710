//! [`Mirror`]: applies [`Patch`]es to a `serde_json::Value` with the crate's one applier
//! ([`crate::partial_json`]'s set / append at a path), the Rust twin of the npm package's JS applier. It
//! knows nothing about event types: an operation names a path and, for `Take` and `Append`, a
//! field of the event, which it reads from the [`ResponseEvent`].

use std::mem;

use serde_json::Value;

use super::patch::{Key, Patch, Path, Seg, MAX_DEPTH};
use crate::event::ResponseEvent;
use crate::partial_json;
use crate::partial_json::ops::{self, Step};

/// A snapshot kept by applying patches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mirror {
    value: Option<Value>,
}

/// `response`, `item`, `part` and `annotation` are the event's [payload](ResponseEvent::payload);
/// any other key (`delta`, a `.done` event's value) is its [text](ResponseEvent::text).
fn is_payload(key: Key) -> bool {
    matches!(key, Key::Response | Key::Item | Key::Part | Key::Annotation)
}

impl Mirror {
    /// Nothing yet (no lifecycle event applied).
    pub fn new() -> Self {
        Self::default()
    }

    /// The snapshot; `None` before the first [`Root`](Patch::Root).
    pub fn value(&self) -> Option<&Value> {
        self.value.as_ref()
    }

    /// Applies one event's patches in order.
    pub fn apply_all(&mut self, patches: &[Patch], ev: &ResponseEvent) {
        for p in patches {
            self.apply_one(p, ev);
        }
    }

    fn apply_one(&mut self, patch: &Patch, ev: &ResponseEvent) {
        match patch {
            Patch::Root { keep_output } => self.root(*keep_output, ev.payload()),
            Patch::Set { path, value } => self.set(path, value.clone()),
            Patch::Take { path, key } => {
                let v = if is_payload(*key) { ev.payload().cloned() } else { ev.text().map(Value::from) };
                if let Some(v) = v {
                    self.set(path, v);
                }
            }
            Patch::Append { path, key } => {
                if let Some(s) = if is_payload(*key) { ev.payload().and_then(Value::as_str) } else { ev.text() } {
                    self.cat(path, s);
                }
            }
            Patch::Cat { path, text } => self.cat(path, text),
            Patch::Nested { path, ops } => self.nested(path, ops),
            Patch::Join { path, from } => {
                let mut text = String::new();
                for f in from {
                    if let Some(Value::String(s)) = self.get_mut(f) {
                        text.push_str(s);
                    }
                }
                self.set(path, Value::String(text));
            }
        }
    }

    /// Partial-JSON ops whose paths start at `base` (read as [`crate::partial_json`] reads
    /// them; an op that does not fit does nothing, the ones after it still apply).
    fn nested(&mut self, base: &Path, ops: &str) {
        let Ok(ops) = partial_json::parse_ops(ops) else { return };
        let (base, n) = steps(base);
        for op in ops {
            let _ = ops::apply_under(&mut self.value, base.get(..n).unwrap_or_default(), op);
        }
    }

    fn root(&mut self, keep_output: bool, payload: Option<&Value>) {
        let Some(resp @ Value::Object(_)) = payload else { return };
        let mut new = resp.clone();
        if keep_output {
            if let (Some(Value::Object(old)), Value::Object(n)) = (self.value.as_mut(), &mut new) {
                for key in [Key::Output.as_str(), Key::OutputText.as_str()] {
                    if let Some(v) = old.get_mut(key) {
                        n.insert(key.to_owned(), mem::take(v));
                    }
                }
            }
        }
        self.value = Some(new);
    }

    fn get_mut(&mut self, path: &Path) -> Option<&mut Value> {
        let (steps, n) = steps(path);
        ops::walk(&mut self.value, steps.get(..n).unwrap_or_default()).ok()
    }

    fn set(&mut self, path: &Path, value: Value) {
        let (steps, n) = steps(path);
        let _ = ops::set(&mut self.value, steps.get(..n).unwrap_or_default(), value);
    }

    fn cat(&mut self, path: &Path, text: &str) {
        if let Some(Value::String(s)) = self.get_mut(path) {
            s.push_str(text);
        } else {
            self.set(path, Value::String(text.to_owned()));
        }
    }
}

fn step(seg: &Seg) -> Step<'static> {
    match *seg {
        Seg::Key(k) => Step::Key(k.as_str()),
        Seg::Index(i) => Step::Index(usize::try_from(i).unwrap_or(usize::MAX)),
    }
}

/// A [`Path`] as the applier's steps, without allocating: the steps and how many there are.
fn steps(path: &Path) -> ([Step<'static>; MAX_DEPTH], usize) {
    let mut out = [Step::Index(0); MAX_DEPTH];
    for (slot, s) in out.iter_mut().zip(path.segs()) {
        *slot = step(s);
    }
    (out, path.segs().len())
}
