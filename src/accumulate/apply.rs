//! One event → its patches: the dispatch by event kind, and the events that carry whole
//! objects (lifecycle responses, items, parts, annotations) or set a status. Text events are in
//! [`text`](super::text). Each function decides from the skeleton alone, pushes its patches
//! and updates the skeleton to match; an event that does not fit pushes nothing.

use serde_json::{Map, Value};

use super::arguments;
use super::output_text;
use super::patch::{Key, Patch, Path, MAX_LEN};

/// An index the patches cannot carry (paths hold `u32` indices; `MAX_LEN` itself is kept free).
fn too_long(n: usize) -> bool {
    u32::try_from(n).map_or(true, |n| n as usize == MAX_LEN)
}
use super::skeleton::{type_of, Item, Part, Skeleton, Slot};
use super::text;
use crate::event::{EventKind, ResponseEvent};

/// Pushes to `out` the patches `ev` makes (none when it changes nothing).
pub(super) fn apply(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    use EventKind as K;
    let kind = ev.kind();
    skeleton.touched = None;
    if kind.is_lifecycle() {
        return lifecycle(skeleton, ev, out);
    }
    if !skeleton.started {
        if !touches_output(ev) {
            return; // keepalive, error, audio, unknown: no Response to put anything in
        }
        start(skeleton, out);
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

/// Events that write into the output: items, parts, and every event of an item type (texts,
/// summary parts, annotations, tool statuses).
fn touches_output(ev: &ResponseEvent) -> bool {
    use EventKind as K;
    matches!(ev.kind(), K::OutputItemAdded | K::OutputItemDone | K::ContentPartAdded | K::ContentPartDone)
        || item_type(ev).is_some()
}

/// An output event before any lifecycle event (bridges that never send `response.created`):
/// the snapshot starts as an in-progress Response with an empty output.
fn start(skeleton: &mut Skeleton, out: &mut Vec<Patch>) {
    let r = object(&[("object", "response"), ("status", "in_progress"), ("output_text", "")], &[Key::Output]);
    out.push(Patch::Set { path: Path::ROOT, value: Value::Object(r) });
    skeleton.reset(&[]);
    skeleton.last_text = None;
}

/// An object of these string fields and empty arrays (a Response, an item or a part the
/// accumulator creates).
pub(super) fn object(strings: &[(&str, &str)], arrays: &[Key]) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in strings {
        m.insert((*k).to_owned(), Value::from(*v));
    }
    for k in arrays {
        m.insert(k.as_str().to_owned(), Value::Array(Vec::new()));
    }
    m
}

/// The `type` of the item an event belongs to, when its kind says: what an item it creates
/// is, and what an item it continues by `output_index` must be.
pub(super) fn item_type(ev: &ResponseEvent) -> Option<&'static str> {
    use EventKind as K;
    Some(match ev.kind() {
        K::OutputTextDelta | K::OutputTextDone | K::RefusalDelta | K::RefusalDone | K::OutputTextAnnotationAdded => {
            "message"
        }
        K::ReasoningTextDelta
        | K::ReasoningTextDone
        | K::ReasoningSummaryTextDelta
        | K::ReasoningSummaryTextDone
        | K::ReasoningSummaryPartAdded
        | K::ReasoningSummaryPartDone => "reasoning",
        K::FunctionCallArgumentsDelta | K::FunctionCallArgumentsDone => "function_call",
        K::McpCallArgumentsDelta
        | K::McpCallArgumentsDone
        | K::McpCallInProgress
        | K::McpCallCompleted
        | K::McpCallFailed => "mcp_call",
        K::CustomToolCallInputDelta | K::CustomToolCallInputDone => "custom_tool_call",
        K::CodeInterpreterCallCodeDelta
        | K::CodeInterpreterCallCodeDone
        | K::CodeInterpreterCallInProgress
        | K::CodeInterpreterCallInterpreting
        | K::CodeInterpreterCallCompleted
        | K::CodeInterpreterCallFailed => "code_interpreter_call",
        K::WebSearchCallInProgress | K::WebSearchCallSearching | K::WebSearchCallCompleted | K::WebSearchCallFailed => {
            "web_search_call"
        }
        K::FileSearchCallInProgress
        | K::FileSearchCallSearching
        | K::FileSearchCallCompleted
        | K::FileSearchCallFailed => "file_search_call",
        K::ImageGenerationCallInProgress
        | K::ImageGenerationCallGenerating
        | K::ImageGenerationCallPartialImage
        | K::ImageGenerationCallCompleted
        | K::ImageGenerationCallFailed => "image_generation_call",
        K::McpListToolsInProgress | K::McpListToolsCompleted | K::McpListToolsFailed => "mcp_list_tools",
        K::ContentPartAdded | K::ContentPartDone => match ev.payload().and_then(type_of) {
            Some("output_text" | "refusal") => "message",
            Some("reasoning_text") => "reasoning",
            _ => return None,
        },
        _ => return None,
    })
}

/// [`find_item`], remembered as the item the event wrote into ([`Skeleton::touched`]).
pub(super) fn target_item(
    skeleton: &mut Skeleton,
    ev: &ResponseEvent,
    create: bool,
    out: &mut Vec<Patch>,
) -> Option<usize> {
    let i = find_item(skeleton, ev, create, out);
    skeleton.touched = i;
    i
}

/// The item an event (not an `output_item.*` one) writes into, by these rules in order:
/// 1. the item whose `id` is the event's `item_id`;
/// 2. the item the server announced at the event's `output_index`, when it is of the event's
///    item type (bridges send a new `item_id` with every delta of one item);
/// 3. with neither `item_id` nor `output_index`: the last item, when of the event's type;
/// 4. else, when `create`, a new item of the event's type is appended (a server that never
///    announced it): `{"type", "id": item_id, …}` with what that type's events write into
///    (`content: []` and `role` for a message, `summary: []` for reasoning, `status`), and it
///    takes over the `output_index`.
///
/// `None`: no such item, or it is not an object (nothing is written).
fn find_item(skeleton: &mut Skeleton, ev: &ResponseEvent, create: bool, out: &mut Vec<Patch>) -> Option<usize> {
    let ty = item_type(ev);
    let by_index = ev.output_index().and_then(|i| skeleton.position_of(i));
    if let Some(p) = ev.item_id().and_then(|id| skeleton.position_of_id(id, by_index, |_| false)) {
        return skeleton.items.get(p).filter(|it| it.object).map(|_| p);
    }
    let unnamed = ev.output_index().is_none() && ev.item_id().is_none();
    let candidate = by_index.or_else(|| skeleton.items.len().checked_sub(1).filter(|_| unnamed));
    if let Some(p) = candidate {
        if skeleton.items.get(p).is_some_and(|it| it.fits(ty)) {
            return Some(p);
        }
        if !create && by_index.is_some() {
            return None;
        }
    }
    let ty = ty.filter(|_| create)?;
    let i = skeleton.items.len();
    if too_long(i) {
        return None;
    }
    let mut item = match ty {
        "message" => object(&[("type", ty), ("role", "assistant"), ("status", "in_progress")], &[Key::Content]),
        "reasoning" => object(&[("type", ty)], &[Key::Summary]),
        _ => object(&[("type", ty), ("status", "in_progress")], &[]),
    };
    if let Some(id) = ev.item_id() {
        item.insert("id".to_owned(), Value::from(id));
    }
    let item = Value::Object(item);
    skeleton.items.push(Item::of(&item, ev.output_index()));
    skeleton.claim(ev.output_index(), i);
    out.push(Patch::Set { path: Path::item(i), value: item });
    Some(i)
}

/// The part an event names in item `i`'s `summary` or `content`: its `summary_index` /
/// `content_index`; without one, the last part when it is a `part_type` part, else a new one
/// (the array's length).
pub(super) fn part_index(
    skeleton: &Skeleton,
    i: usize,
    ev: &ResponseEvent,
    summary: bool,
    part_type: Option<&str>,
) -> Option<usize> {
    let item = skeleton.items.get(i)?;
    let (parts, j) = if summary { (&item.summary, ev.summary_index()) } else { (&item.content, ev.content_index()) };
    if let Some(j) = j {
        return usize::try_from(j).ok();
    }
    match parts {
        Slot::Absent => Some(0),
        Slot::Other => None,
        Slot::Array(parts) => {
            let last = parts.last().filter(|p| p.object && part_type.is_some() && p.ty.as_deref() == part_type);
            Some(if last.is_some() { parts.len() - 1 } else { parts.len() })
        }
    }
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
/// becomes the snapshot. A non-terminal one keeps the output so far unless its own output has
/// at least as many items and every id shown (the snapshot never loses an item it showed); a
/// terminal one keeps it only when it has no `output` array at all.
fn lifecycle(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    let Some(Value::Object(resp)) = ev.payload() else { return };
    let incoming = resp.get("output").and_then(Value::as_array).map(Vec::as_slice);
    let keep_output = !skeleton.items.is_empty()
        && match incoming {
            None => true,
            Some(a) => !ev.kind().is_terminal() && !shows_all(skeleton, a),
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
    out.push(output_text::join(skeleton));
    let done = ev.kind().is_terminal();
    for (i, item) in incoming.unwrap_or_default().iter().enumerate() {
        arguments::item_set(skeleton, i, item, done, out);
    }
}

/// `output` has at least the snapshot's items, and every `id` the snapshot shows.
fn shows_all(skeleton: &Skeleton, output: &[Value]) -> bool {
    output.len() >= skeleton.items.len()
        && skeleton
            .items
            .iter()
            .filter_map(|it| it.id.as_deref())
            .all(|id| output.iter().any(|v| v.get("id").and_then(Value::as_str) == Some(id)))
}

/// `output_item.added/done`: the item whose `id` is the item's (or the event's `item_id`) is
/// replaced; else the item the server announced at `output_index`, unless that one is another
/// item (a different `id` or `type`: a server that reuses an index for a second item); else the
/// item is appended (and takes over the index). For `added`, an item announced at another
/// `output_index` is another item whatever its id, and so is a function call already done or
/// an item done of another type (a bridge that gives every item one placeholder id, and its
/// parallel calls one index); a `.done` finds its item by id.
fn item_event(skeleton: &mut Skeleton, ev: &ResponseEvent, out: &mut Vec<Patch>) {
    let Some(item @ Value::Object(_)) = ev.payload() else { return };
    let id = item.get("id").and_then(Value::as_str).or(ev.item_id());
    let ty = type_of(item);
    let by_index = ev.output_index().and_then(|idx| skeleton.position_of(idx));
    let added = ev.kind() == EventKind::OutputItemAdded;
    let again = |it: &Item| it.done && (it.function_call || it.ty.as_deref() != ty);
    let other =
        |it: &Item| added && (again(it) || matches!((it.server, ev.output_index()), (Some(a), Some(b)) if a != b));
    let found = id.and_then(|id| skeleton.position_of_id(id, by_index, other)).or_else(|| {
        by_index.filter(|&p| {
            skeleton.items.get(p).is_some_and(|it| {
                (it.id.is_none() || id.is_none() || it.id.as_deref() == id)
                    && (it.ty.is_none() || ty.is_none() || it.ty.as_deref() == ty)
                    && !other(it)
            })
        })
    });
    let i = found.unwrap_or(skeleton.items.len());
    if too_long(i) {
        return;
    }
    skeleton.touched = Some(i);
    let mut new = Item::of(item, skeleton.items.get(i).map_or(ev.output_index(), |old| old.server));
    new.done = !added;
    // A message whose phase changed moved in or out of the text `output_parsed` reads.
    if skeleton.items.get(i).is_some_and(|old| old.aside != new.aside) {
        skeleton.touched = None;
    }
    let (had_text, has_text) = (skeleton.items.get(i).is_some_and(Item::has_text), new.has_text());
    out.push(Patch::Take { path: Path::item(i), key: Key::Item });
    match skeleton.items.get_mut(i) {
        Some(slot) => *slot = new,
        None => {
            skeleton.items.push(new);
            skeleton.claim(ev.output_index(), i);
        }
    }
    output_text::reshaped(skeleton, had_text, has_text, out);
    arguments::item_set(skeleton, i, item, ev.kind() == EventKind::OutputItemDone, out);
}

/// `content_part.added/done`, `reasoning_summary_part.added/done`: the part replaces the one
/// at its index, or appends at the array's length.
fn part_event(skeleton: &mut Skeleton, ev: &ResponseEvent, summary: bool, out: &mut Vec<Patch>) {
    let Some(part @ Value::Object(_)) = ev.payload() else { return };
    let first = matches!(if summary { ev.summary_index() } else { ev.content_index() }, None | Some(0));
    let Some(i) = target_item(skeleton, ev, first, out) else { return };
    let Some(j) = part_index(skeleton, i, ev, summary, type_of(part)) else { return };
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
    let Some(i) = target_item(skeleton, ev, false, out) else { return };
    let Some(j) = part_index(skeleton, i, ev, false, Some("output_text")) else { return };
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
    let Some(i) = target_item(skeleton, ev, true, out) else { return };
    out.push(Patch::Set { path: Path::item_field(i, Key::Status), value: Value::String(status.to_owned()) });
}
