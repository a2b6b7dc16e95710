//! One event → its patches: the dispatch by event kind, and the events that carry whole
//! objects (lifecycle responses, items, parts, annotations) or set a status. Text events are in
//! [`text`](super::text). Each function decides from the skeleton alone, pushes its patches
//! and updates the skeleton to match; an event that does not fit pushes nothing.

use serde_json::Value;

use super::arguments;
use super::output_text;
use super::patch::{Key, Patch, Path, MAX_LEN};

/// An index the patches cannot carry (paths hold `u32` indices; `MAX_LEN` itself is kept free).
fn too_long(n: usize) -> bool {
    u32::try_from(n).map_or(true, |n| n as usize == MAX_LEN)
}
use super::skeleton::{Item, Part, Skeleton, Slot};
use super::text;
use crate::event::{EventKind, ResponseEvent};

/// Pushes to `out` the patches `ev` makes (none when it changes nothing).
pub(super) fn apply(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    use EventKind as K;
    let kind = ev.kind();
    if kind.is_lifecycle() {
        return lifecycle(skeleton, ev, out);
    }
    if !skeleton.started {
        return; // no Response to put anything in
    }
    match kind {
        K::OutputItemAdded | K::OutputItemDone => item_event(skeleton, ev, out),
        K::ContentPartAdded | K::ContentPartDone => part_event(skeleton, ev, false, out),
        K::ReasoningSummaryPartAdded | K::ReasoningSummaryPartDone => part_event(skeleton, ev, true, out),
        K::OutputTextAnnotationAdded => annotation_event(skeleton, ev, out),
        _ => {
            if let Some(t) = text::target(kind) {
                text::text_event(skeleton, ev, t, out);
            } else if let Some(status) = kind.tool_status() {
                status_event(skeleton, ev, status, out);
            }
            // `error`, keepalive, audio, unknown: no change to the snapshot.
        }
    }
}

/// `content_index`, or `summary_index` for summary events, as a position.
pub(super) fn part_index(ev: &ResponseEvent, summary: bool) -> Option<usize> {
    let j = if summary { ev.summary_index() } else { ev.content_index() };
    j.and_then(|j| usize::try_from(j).ok())
}

/// `summary` or `content`.
pub(super) fn parts_key(summary: bool) -> Key {
    if summary {
        Key::Summary
    } else {
        Key::Content
    }
}

/// The parts of item `i` (`summary` or `content`) ready to take part `j`: the array exists (a
/// [`Set`](Patch::Set) of `[]` is pushed when it was missing) and `j` is an object part or the
/// array's length. `None` (nothing pushed): it cannot.
pub(super) fn parts_for<'s>(
    skeleton: &'s mut Skeleton,
    i: usize,
    summary: bool,
    j: usize,
    out: &mut Vec<Patch>,
) -> Option<(bool, &'s mut Vec<Part>)> {
    let item = skeleton.items.get_mut(i)?;
    let message = item.message && !summary;
    let slot = item.parts_mut(summary);
    let (len, fits) = match slot {
        Slot::Absent => (0, true),
        Slot::Other => return None,
        Slot::Array(parts) => (parts.len(), parts.get(j).map_or(true, |p| p.object)),
    };
    if j > len || !fits || too_long(j) {
        return None;
    }
    if let Slot::Absent = slot {
        out.push(Patch::Set { path: Path::item_field(i, parts_key(summary)), value: Value::Array(Vec::new()) });
        *slot = Slot::Array(Vec::new());
    }
    match slot {
        Slot::Array(parts) => Some((message, parts)),
        _ => None,
    }
}

/// `response.created/queued/in_progress/completed/incomplete/failed`: the event's response
/// becomes the snapshot. A non-terminal one with an empty or missing `output` keeps the output
/// so far; a terminal one keeps it only when it has no `output` array at all.
fn lifecycle(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    let Some(Value::Object(resp)) = ev.payload() else { return };
    let incoming = match resp.get("output") {
        Some(Value::Array(a)) => Some(a.as_slice()),
        _ => None,
    };
    let keep_output = !skeleton.items.is_empty()
        && match incoming {
            None => true,
            Some(a) => a.is_empty() && !ev.kind().is_terminal(),
        };
    out.push(Patch::Root { keep_output });
    if keep_output {
        return;
    }
    match incoming {
        Some(output) => skeleton.reset(output),
        None => {
            out.push(Patch::Set { path: Path::output(), value: Value::Array(Vec::new()) });
            skeleton.reset(&[]);
        }
    }
    skeleton.recompute_last_text();
    out.push(output_text::join(skeleton));
    let done = ev.kind().is_terminal();
    for (i, item) in incoming.unwrap_or_default().iter().enumerate() {
        arguments::item_set(skeleton, i, item, done, out);
    }
}

/// `output_item.added/done`: the item at the position the server's `output_index` maps to is
/// replaced; a new index appends. Without an index: the item with the same `id`, else append.
fn item_event(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    let Some(item @ Value::Object(_)) = ev.payload() else { return };
    let found = match ev.output_index() {
        Some(idx) => skeleton.position_of(idx),
        None => {
            let id = item.get("id").and_then(Value::as_str).or(ev.item_id());
            id.and_then(|id| skeleton.position_of_id(id))
        }
    };
    let i = found.unwrap_or(skeleton.items.len());
    if too_long(i) {
        return;
    }
    let new = Item::of(item, skeleton.items.get(i).map_or(ev.output_index(), |old| old.server));
    let (had_text, has_text) = (skeleton.items.get(i).is_some_and(Item::has_text), new.has_text());
    out.push(Patch::Take { path: Path::item(i), key: Key::Item });
    match skeleton.items.get_mut(i) {
        Some(slot) => *slot = new,
        None => skeleton.items.push(new),
    }
    output_text::reshaped(skeleton, had_text, has_text, out);
    arguments::item_set(skeleton, i, item, ev.kind() == EventKind::OutputItemDone, out);
}

/// `content_part.added/done`, `reasoning_summary_part.added/done`: the part replaces the one
/// at its index, or appends at the array's length.
fn part_event(skeleton: &mut Skeleton, ev: &ResponseEvent, summary: bool, out: &mut Vec<Patch>) {
    let Some(part @ Value::Object(_)) = ev.payload() else { return };
    let Some(i) = skeleton.locate(ev) else { return };
    let Some(j) = part_index(ev, summary) else { return };
    let Some((message, parts)) = parts_for(skeleton, i, summary, j, out) else { return };
    let new = Part::of(part);
    let had_text = message && parts.get(j).is_some_and(|p| p.is_text() && p.text_len > 0);
    let has_text = message && new.is_text() && new.text_len > 0;
    out.push(Patch::Take { path: Path::part(i, parts_key(summary), j), key: Key::Part });
    match parts.get_mut(j) {
        Some(slot) => *slot = new,
        None => parts.push(new),
    }
    output_text::reshaped(skeleton, had_text, has_text, out);
}

/// `output_text.annotation.added`: sets `annotations[annotation_index]` of an existing content
/// part; an index past the end (or none) appends.
fn annotation_event(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    if ev.payload().is_none() {
        return;
    }
    let Some(i) = skeleton.locate(ev) else { return };
    let Some(j) = part_index(ev, false) else { return };
    let part = match skeleton.items.get_mut(i).map(|it| &mut it.content) {
        Some(Slot::Array(parts)) => parts.get_mut(j).filter(|p| p.object),
        _ => None,
    };
    let Some(part) = part else { return };
    let n = match part.annotations {
        Slot::Absent => 0,
        Slot::Other => return,
        Slot::Array(n) => n,
    };
    let k = ev.annotation_index().and_then(|k| usize::try_from(k).ok()).filter(|&k| k < n).unwrap_or(n);
    if too_long(k) {
        return;
    }
    if let Slot::Absent = part.annotations {
        let path = Path::part_field(i, Key::Content, j, Key::Annotations);
        out.push(Patch::Set { path, value: Value::Array(Vec::new()) });
    }
    out.push(Patch::Take { path: Path::annotation(i, j, k), key: Key::Annotation });
    part.annotations = Slot::Array(n.max(k + 1));
}

/// Tool status events (`web_search_call.searching`, …): the item's `status`.
fn status_event(skeleton: &mut Skeleton, ev: &ResponseEvent, status: &'static str, out: &mut Vec<Patch>) {
    let Some(i) = skeleton.locate(ev) else { return };
    out.push(Patch::Set { path: Path::item_field(i, Key::Status), value: Value::String(status.to_owned()) });
}
