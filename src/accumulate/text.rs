//! Text events — the hot path, one call per delta: `*.delta` appends its `delta` to the field
//! it names, `*.done` replaces the field with its final value. The cost is O(1) lookups plus
//! the patches (no allocation: paths are inline, the patch list is reused).

use serde_json::Value;

use super::apply::{object, part_index, parts_for, parts_key};
use super::arguments;
use super::output_text;
use super::patch::{Key, Patch, Path};
use super::skeleton::{Part, Skeleton};
use crate::event::{EventKind, ResponseEvent};

/// Where a text event writes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// `item[field]`.
    Item { field: Key },
    /// `item[content or summary][index][field]`; a missing part at index == length is created
    /// as a `part_type` part.
    Part { summary: bool, field: Key, part_type: &'static str },
}

/// The target of a text event kind; `None` for other kinds.
pub(super) fn target(kind: EventKind) -> Option<Target> {
    use EventKind as K;
    let part = |summary, field, part_type| Target::Part { summary, field, part_type };
    Some(match kind {
        K::OutputTextDelta | K::OutputTextDone => part(false, Key::Text, "output_text"),
        K::RefusalDelta | K::RefusalDone => part(false, Key::Refusal, "refusal"),
        K::ReasoningTextDelta | K::ReasoningTextDone => part(false, Key::Text, "reasoning_text"),
        K::ReasoningSummaryTextDelta | K::ReasoningSummaryTextDone => part(true, Key::Text, "summary_text"),
        K::FunctionCallArgumentsDelta
        | K::FunctionCallArgumentsDone
        | K::McpCallArgumentsDelta
        | K::McpCallArgumentsDone => Target::Item { field: Key::Arguments },
        K::CustomToolCallInputDelta | K::CustomToolCallInputDone => Target::Item { field: Key::Input },
        K::CodeInterpreterCallCodeDelta | K::CodeInterpreterCallCodeDone => Target::Item { field: Key::Code },
        _ => return None,
    })
}

/// A text event: appends its `delta` (when the field is a string), or sets the field to its
/// value (a `.done`, or a delta onto a missing / non-string field). Skipped: no value (a
/// `.done` without one keeps what the deltas built), no such item or part.
pub(super) fn text_event(skeleton: &mut Skeleton, ev: &ResponseEvent, t: Target, out: &mut Vec<Patch>) {
    let Some(value) = ev.text() else { return };
    // A new item has no parts: only a text for its first part creates it.
    let first = match t {
        Target::Part { summary, .. } => {
            matches!(if summary { ev.summary_index() } else { ev.content_index() }, None | Some(0))
        }
        Target::Item { .. } => true,
    };
    let Some(i) = super::apply::target_item(skeleton, ev, first, out) else { return };
    let is_delta = ev.kind().is_delta();
    match t {
        Target::Item { field } => {
            let Some(item) = skeleton.items.get_mut(i) else { return };
            let path = Path::item_field(i, field);
            let was_string = item.strings.has(field);
            out.push(write(path, field, is_delta, was_string));
            item.strings.insert(field);
            if field == Key::Arguments {
                arguments::written(skeleton, i, value, is_delta && was_string, !is_delta, out);
            }
        }
        Target::Part { summary, field, part_type } => {
            let Some(j) = part_index(skeleton, i, ev, summary, Some(part_type)) else { return };
            let Some((message, parts)) = parts_for(skeleton, i, summary, j, out) else { return };
            if j == parts.len() {
                let path = Path::part(i, parts_key(summary), j);
                let value = new_part(part_type, field);
                parts.push(Part::of(&value));
                out.push(Patch::Set { path, value });
            }
            let Some(part) = parts.get_mut(j) else { return };
            let was_text = message && part.is_text();
            let old_len = if was_text { part.text_len } else { 0 };
            let path = Path::part_field(i, parts_key(summary), j, field);
            let patch = write(path, field, is_delta, part.strings.has(field));
            let replaced = matches!(patch, Patch::Take { .. });
            out.push(patch);
            part.strings.insert(field);
            if field == Key::Text {
                part.text_len = if replaced { value.len() } else { part.text_len.saturating_add(value.len()) };
            }
            if field == Key::Text && message && part.is_text() {
                let key = if is_delta { Key::Delta } else { field };
                output_text::text_written(skeleton, (i, j), key, replaced, old_len, value.len(), out);
            }
        }
    }
}

/// Append the delta onto a string; otherwise take the event's value (a `.done` event's value
/// is in the field of the same name: `text`, `refusal`, `arguments`, `input`, `code`).
fn write(path: Path, field: Key, is_delta: bool, is_string: bool) -> Patch {
    match (is_delta, is_string) {
        (true, true) => Patch::Append { path, key: Key::Delta },
        (true, false) => Patch::Take { path, key: Key::Delta },
        (false, _) => Patch::Take { path, key: field },
    }
}

/// A part created by a text event: `{"type": part_type, field: ""}` (plus `"annotations": []`
/// for `output_text`).
fn new_part(part_type: &'static str, field: Key) -> Value {
    let annotations: &[Key] = if part_type == "output_text" { &[Key::Annotations] } else { &[] };
    Value::Object(object(&[("type", part_type), (field.as_str(), "")], annotations))
}
