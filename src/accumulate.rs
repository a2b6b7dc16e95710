//! Builds the Response snapshot from stream events (DESIGN.md §3, "Accumulation").
//!
//! - Lifecycle events (`response.created/queued/in_progress/completed/incomplete/failed`)
//!   replace the snapshot. A *non-terminal* one whose `output` is empty or missing keeps the
//!   output accumulated so far (a server that re-sends `in_progress` mid-stream with
//!   `output: []` must not erase it); the terminal ones carry the final output and win (unless
//!   they have no `output` array at all).
//! - `output_item.added` appends at `output_index` (an index below the length replaces, so a
//!   replayed event is idempotent), `output_item.done` replaces; `content_part.*` and
//!   `reasoning_summary_part.*` likewise in the item's `content` / `summary` (the array is
//!   created when the item has none: OpenRouter's reasoning items arrive without `content`).
//! - `*.delta` appends to the matching field, `*.done` overwrites it; a delta for the part right
//!   after the last one (index == length) creates that part; anything further out of range is a
//!   protocol violation ([`Error::Stream`]), never a panic.
//! - `output_text.annotation.added` sets `annotations[annotation_index]` (appends at the end).
//! - Tool status events set the item's `status`.
//! - `keepalive`, `response.audio.*`, unknown events: no change.
//!
//! The snapshot always carries `output_text`: the concatenation, in output order, of the `text`
//! of every `output_text` part of every `message` item (the server's own value, which some
//! servers send as `""`, is replaced). It is kept incrementally: the accumulator remembers where
//! each text part sits in `output_text`, so a delta costs O(delta) (plus the text after it, in
//! the rare case it is not the last text part), and replacing an item re-splices only that
//! item's text.
//!
//! Outcome: the first terminal event decides it and later events do not change it (OpenAI sends
//! `error` and then `response.failed`; the stream is over at the first).

use std::mem;

use serde_json::{Map, Value};

use crate::error::{ApiError, Error};
use crate::event::{excerpt, scalar_string, EventKind, ResponseEvent};

/// How the stream ended, so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Outcome {
    /// No terminal event yet.
    #[default]
    Pending,
    /// `response.completed`.
    Completed,
    /// `response.incomplete` (see the snapshot's `incomplete_details`).
    Incomplete,
    /// `response.failed`: code/message from `response.error`, `response` = the snapshot JSON.
    Failed(ApiError),
    /// An `error` event: normalised, `response` = the partial snapshot JSON (if any).
    Error(ApiError),
}

impl Outcome {
    /// Anything but `Pending`.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Outcome::Pending)
    }
}

/// Where one `output_text` part's text sits in the snapshot's `output_text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    item: usize,
    part: usize,
    len: usize,
}

/// Accumulates events into a Response snapshot.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    /// When `Some`: an object whose `output` is an array and whose `output_text` is a string
    /// equal to the concatenation described in the module docs.
    snapshot: Option<Value>,
    /// The `output_text` parts in output order; their lengths sum to `output_text.len()`.
    spans: Vec<Span>,
    outcome: Outcome,
    version: u64,
}

/// Where a text event writes.
#[derive(Clone, Copy)]
enum Target {
    /// `item[field]`.
    Item { field: &'static str },
    /// `item[array][index][field]`; a missing part at index == len is created as `part_type`.
    Part { array: &'static str, summary: bool, field: &'static str, part_type: &'static str },
}

fn target(kind: EventKind) -> Option<Target> {
    use EventKind as K;
    let part = |array, summary, field, part_type| Target::Part { array, summary, field, part_type };
    Some(match kind {
        K::OutputTextDelta | K::OutputTextDone => part("content", false, "text", "output_text"),
        K::RefusalDelta | K::RefusalDone => part("content", false, "refusal", "refusal"),
        K::ReasoningTextDelta | K::ReasoningTextDone => part("content", false, "text", "reasoning_text"),
        K::ReasoningSummaryTextDelta | K::ReasoningSummaryTextDone => part("summary", true, "text", "summary_text"),
        K::FunctionCallArgumentsDelta
        | K::FunctionCallArgumentsDone
        | K::McpCallArgumentsDelta
        | K::McpCallArgumentsDone => Target::Item { field: "arguments" },
        K::CustomToolCallInputDelta | K::CustomToolCallInputDone => Target::Item { field: "input" },
        K::CodeInterpreterCallCodeDelta | K::CodeInterpreterCallCodeDone => Target::Item { field: "code" },
        _ => return None,
    })
}

impl Accumulator {
    /// An empty accumulator (no snapshot, outcome `Pending`, version 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// The Response so far (with `output_text`); `None` before the first lifecycle event.
    pub fn snapshot(&self) -> Option<&Value> {
        self.snapshot.as_ref()
    }

    /// The concatenated text of all `output_text` parts of all `message` items so far.
    pub fn output_text(&self) -> &str {
        match &self.snapshot {
            Some(Value::Object(o)) => match o.get("output_text") {
                Some(Value::String(s)) => s,
                _ => "",
            },
            _ => "",
        }
    }

    /// The snapshot serialised as JSON (it includes `output_text`); `None` before the first
    /// lifecycle event.
    pub fn response_json(&self) -> Option<String> {
        self.snapshot.as_ref().and_then(|v| serde_json::to_string(v).ok())
    }

    /// How the stream ended so far.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Bumps on every change to the snapshot (0 before any).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Applies one event. Protocol violations (an index out of range, a content event before
    /// any lifecycle event, a lifecycle event without a `response` object, …) are
    /// [`Error::Stream`] carrying the partial snapshot; the accumulator is left unchanged by
    /// a failed push.
    pub fn push(&mut self, ev: &ResponseEvent) -> Result<(), Error> {
        use EventKind as K;
        let kind = ev.kind();
        if kind.is_lifecycle() {
            return self.lifecycle(ev);
        }
        match kind {
            K::Error => {
                if !self.outcome.is_terminal() {
                    let mut e = ev.error().unwrap_or_default();
                    e.response = self.response_json();
                    self.outcome = Outcome::Error(e);
                }
                Ok(())
            }
            K::OutputItemAdded | K::OutputItemDone => self.item_event(ev),
            K::ContentPartAdded | K::ContentPartDone => self.part_event(ev, "content", false),
            K::ReasoningSummaryPartAdded | K::ReasoningSummaryPartDone => self.part_event(ev, "summary", true),
            K::OutputTextAnnotationAdded => self.annotation_event(ev),
            _ => {
                if let Some(t) = target(kind) {
                    self.text_event(ev, t)
                } else if let Some(status) = kind.tool_status() {
                    self.status_event(ev, status)
                } else {
                    // keepalive, audio, unknown: nothing to do.
                    Ok(())
                }
            }
        }
    }

    // -- events -------------------------------------------------------------------------------

    fn lifecycle(&mut self, ev: &ResponseEvent) -> Result<(), Error> {
        let Some(Value::Object(resp)) = ev.payload() else {
            return Err(self.violation(ev, "has no `response` object"));
        };
        let terminal = ev.kind().is_terminal();
        let mut new = resp.clone();
        let incoming = match new.get("output") {
            Some(Value::Array(a)) => Some(a.len()),
            _ => None,
        };
        let old_output = match self.snapshot.as_mut() {
            Some(Value::Object(o)) => match o.get_mut("output") {
                Some(Value::Array(a)) if !a.is_empty() => Some(a),
                _ => None,
            },
            _ => None,
        };
        let keep_old = match (old_output.is_some(), incoming) {
            (false, _) => false,
            (true, None) => true,
            (true, Some(n)) => n == 0 && !terminal,
        };
        if keep_old {
            let old = old_output.map(mem::take).unwrap_or_default();
            let text = self.take_text();
            new.insert("output".to_owned(), Value::Array(old));
            new.insert("output_text".to_owned(), Value::String(text));
            self.snapshot = Some(Value::Object(new));
        } else {
            if incoming.is_none() {
                new.insert("output".to_owned(), Value::Array(Vec::new()));
            }
            new.insert("output_text".to_owned(), Value::String(String::new()));
            self.snapshot = Some(Value::Object(new));
            self.rebuild_text();
        }
        self.version += 1;

        if !self.outcome.is_terminal() {
            match ev.kind() {
                EventKind::Completed => self.outcome = Outcome::Completed,
                EventKind::Incomplete => self.outcome = Outcome::Incomplete,
                EventKind::Failed => {
                    let e = failed_error(resp, ev.json(), self.response_json());
                    self.outcome = Outcome::Failed(e);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn item_event(&mut self, ev: &ResponseEvent) -> Result<(), Error> {
        let Some(item @ Value::Object(_)) = ev.payload() else {
            return Err(self.violation(ev, "has no `item` object"));
        };
        let Some(i) = ev.output_index() else {
            return Err(self.violation(ev, "has no `output_index`"));
        };
        let Some(len) = self.output().map(Vec::len) else {
            return Err(self.violation(ev, "arrived before any lifecycle event"));
        };
        let Some(i) = usize::try_from(i).ok().filter(|&i| i <= len) else {
            let msg = format!("has output_index {i} but the output has length {len}");
            return Err(self.violation(ev, &msg));
        };
        if let Some(output) = self.output_mut() {
            if i == output.len() {
                output.push(item.clone());
            } else if let Some(slot) = output.get_mut(i) {
                *slot = item.clone();
            }
        }
        self.resplice_item(i);
        self.version += 1;
        Ok(())
    }

    fn part_event(&mut self, ev: &ResponseEvent, array: &'static str, summary: bool) -> Result<(), Error> {
        let Some(part @ Value::Object(_)) = ev.payload() else {
            return Err(self.violation(ev, "has no `part` object"));
        };
        let i = self.item_index(ev)?;
        let j = self.part_index(ev, summary)?;
        let (j, append) = self.check_part(ev, i, array, j)?;
        if let Some(arr) = self.item_mut(i).and_then(|it| child_array(it, array)) {
            if append {
                arr.push(part.clone());
            } else if let Some(slot) = arr.get_mut(j) {
                *slot = part.clone();
            }
        }
        if array == "content" {
            self.resplice_item(i);
        }
        self.version += 1;
        Ok(())
    }

    fn text_event(&mut self, ev: &ResponseEvent, t: Target) -> Result<(), Error> {
        let is_delta = ev.kind().is_delta();
        let value = ev.text();
        if is_delta && value.is_none() {
            return Err(self.violation(ev, "has no string `delta`"));
        }
        // This is the hot path (one call per delta): the output is walked once, validating
        // everything before changing anything, so a failed push changes nothing.
        let i = self.item_index(ev)?;
        let j = match t {
            Target::Part { summary, .. } => Some(self.part_index(ev, summary)?),
            Target::Item { .. } => None,
        };
        let Some(output) = self.output_mut() else {
            return Ok(()); // item_index checked that there is an output
        };
        let written = match write_text(output, i, t, j, value, is_delta) {
            Ok(w) => w,
            Err(Locate::Missing(len)) => return Err(self.violation(ev, &missing_item_msg(i, len))),
            Err(Locate::Invalid(msg)) => return Err(self.violation(ev, &msg)),
        };
        let Some((j, restructured)) = written else {
            // A `.done` without its final value: keep what the deltas built.
            return Ok(());
        };
        self.version += 1;
        if let Target::Part { array: "content", field: "text", .. } = t {
            if restructured {
                self.resplice_item(i);
            } else if let Some(value) = value {
                self.append_span(i, j, value);
            }
        }
        Ok(())
    }

    fn annotation_event(&mut self, ev: &ResponseEvent) -> Result<(), Error> {
        let Some(annotation) = ev.payload() else {
            return Err(self.violation(ev, "has no `annotation`"));
        };
        let i = self.item_index(ev)?;
        let j = self.part_index(ev, false)?;
        let (j, append_part) = self.check_part(ev, i, "content", j)?;
        if append_part {
            let msg = format!("targets content part {j}, which does not exist");
            return Err(self.violation(ev, &msg));
        }
        let anns = self
            .output()
            .and_then(|o| o.get(i))
            .and_then(|it| it.get("content"))
            .and_then(|c| c.get(j))
            .map(|p| array_len(p, "annotations"));
        let len = match anns {
            Some(Some(len)) => len,
            _ => return Err(self.violation(ev, "targets a part whose `annotations` is not an array")),
        };
        let a = ev.annotation_index().unwrap_or(len as u64);
        let Some(a) = usize::try_from(a).ok().filter(|&a| a <= len) else {
            let msg = format!("has annotation_index {a} but the part's `annotations` has length {len}");
            return Err(self.violation(ev, &msg));
        };
        let part = self
            .item_mut(i)
            .and_then(|it| child_array(it, "content"))
            .and_then(|c| c.get_mut(j))
            .and_then(|p| child_array(p, "annotations"));
        if let Some(anns) = part {
            if a == anns.len() {
                anns.push(annotation.clone());
            } else if let Some(slot) = anns.get_mut(a) {
                *slot = annotation.clone();
            }
        }
        self.version += 1;
        Ok(())
    }

    fn status_event(&mut self, ev: &ResponseEvent, status: &'static str) -> Result<(), Error> {
        let i = self.item_index(ev)?;
        match self.item_mut(i) {
            Some(Value::Object(o)) => {
                o.insert("status".to_owned(), Value::String(status.to_owned()));
            }
            Some(_) => return Err(self.violation(ev, "targets an output item that is not an object")),
            None => return Err(self.missing_item(ev, i)),
        }
        self.version += 1;
        Ok(())
    }

    // -- lookups ------------------------------------------------------------------------------

    fn output(&self) -> Option<&Vec<Value>> {
        match &self.snapshot {
            Some(Value::Object(o)) => match o.get("output") {
                Some(Value::Array(a)) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    fn output_mut(&mut self) -> Option<&mut Vec<Value>> {
        match &mut self.snapshot {
            Some(Value::Object(o)) => match o.get_mut("output") {
                Some(Value::Array(a)) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    fn item_mut(&mut self, i: usize) -> Option<&mut Value> {
        self.output_mut().and_then(|o| o.get_mut(i))
    }

    /// `output_index`, or the index of the item whose `id` is `item_id`.
    fn item_index(&self, ev: &ResponseEvent) -> Result<usize, Error> {
        let Some(output) = self.output() else {
            return Err(self.violation(ev, "arrived before any lifecycle event"));
        };
        if let Some(i) = ev.output_index() {
            return Ok(usize::try_from(i).unwrap_or(usize::MAX));
        }
        if let Some(id) = ev.item_id() {
            let found = output.iter().position(|it| it.get("id").and_then(Value::as_str) == Some(id));
            return match found {
                Some(i) => Ok(i),
                None => Err(self.violation(ev, "names an item_id that is not in the output")),
            };
        }
        Err(self.violation(ev, "has neither `output_index` nor `item_id`"))
    }

    fn part_index(&self, ev: &ResponseEvent, summary: bool) -> Result<u64, Error> {
        let (idx, name) =
            if summary { (ev.summary_index(), "summary_index") } else { (ev.content_index(), "content_index") };
        idx.ok_or_else(|| self.violation(ev, &format!("has no `{name}`")))
    }

    /// Item `i` exists and is an object.
    fn check_item(&self, ev: &ResponseEvent, i: usize) -> Result<(), Error> {
        match self.output().and_then(|o| o.get(i)) {
            Some(Value::Object(_)) => Ok(()),
            Some(_) => Err(self.violation(ev, "targets an output item that is not an object")),
            None => Err(self.missing_item(ev, i)),
        }
    }

    /// Part `j` of item `i`'s `array` exists and is an object (`(j, false)`), or `j` is the
    /// array's length (`(j, true)`: append). A missing or `null` array counts as empty.
    fn check_part(&self, ev: &ResponseEvent, i: usize, array: &str, j: u64) -> Result<(usize, bool), Error> {
        self.check_item(ev, i)?;
        let item = self.output().and_then(|o| o.get(i));
        let Some(len) = item.and_then(|it| array_len(it, array)) else {
            let msg = format!("targets an item whose `{array}` is not an array");
            return Err(self.violation(ev, &msg));
        };
        let Some(j) = usize::try_from(j).ok().filter(|&j| j <= len) else {
            let msg = format!("has index {j} but the item's `{array}` has length {len}");
            return Err(self.violation(ev, &msg));
        };
        if j == len {
            return Ok((j, true));
        }
        match item.and_then(|it| it.get(array)).and_then(|a| a.get(j)) {
            Some(Value::Object(_)) => Ok((j, false)),
            _ => Err(self.violation(ev, &format!("targets `{array}[{j}]`, which is not an object"))),
        }
    }

    fn violation(&self, ev: &ResponseEvent, what: &str) -> Error {
        Error::Stream {
            message: format!("protocol violation: `{}` event {what}", excerpt(ev.event_type(), 60)),
            response: self.response_json(),
        }
    }

    fn missing_item(&self, ev: &ResponseEvent, i: usize) -> Error {
        let len = self.output().map_or(0, Vec::len);
        self.violation(ev, &missing_item_msg(i, len))
    }

    // -- output_text ----------------------------------------------------------------------------

    fn take_text(&mut self) -> String {
        match &mut self.snapshot {
            Some(Value::Object(o)) => match o.get_mut("output_text") {
                Some(Value::String(s)) => mem::take(s),
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    fn put_text(&mut self, text: String) {
        if let Some(Value::Object(o)) = &mut self.snapshot {
            match o.get_mut("output_text") {
                Some(slot) => *slot = Value::String(text),
                None => {
                    o.insert("output_text".to_owned(), Value::String(text));
                }
            }
        }
    }

    /// Recomputes `output_text` and the spans from the whole output.
    fn rebuild_text(&mut self) {
        let mut text = self.take_text();
        text.clear();
        self.spans.clear();
        if let Some(output) = self.output() {
            let mut spans = Vec::new();
            for (i, item) in output.iter().enumerate() {
                collect_segments(item, i, &mut text, &mut spans);
            }
            self.spans = spans;
        }
        self.put_text(text);
    }

    /// Re-splices item `i`'s text into `output_text` after the item changed shape.
    fn resplice_item(&mut self, i: usize) {
        let lo = self.spans.partition_point(|s| s.item < i);
        let hi = self.spans.partition_point(|s| s.item <= i);
        let (Some(before), Some(old)) = (self.spans.get(..lo), self.spans.get(lo..hi)) else {
            return self.rebuild_text();
        };
        let start: usize = before.iter().map(|s| s.len).sum();
        let old_len: usize = old.iter().map(|s| s.len).sum();
        let mut new_text = String::new();
        let mut new_spans = Vec::new();
        if let Some(item) = self.output().and_then(|o| o.get(i)) {
            collect_segments(item, i, &mut new_text, &mut new_spans);
        }
        let mut text = self.take_text();
        if text.get(start..start + old_len).is_none() {
            self.put_text(text);
            return self.rebuild_text();
        }
        text.replace_range(start..start + old_len, &new_text);
        self.spans.splice(lo..hi, new_spans);
        self.put_text(text);
    }

    /// A delta was appended to content part `j` of item `i`: mirror it in `output_text`.
    fn append_span(&mut self, i: usize, j: usize, delta: &str) {
        let Ok(k) = self.spans.binary_search_by(|s| (s.item, s.part).cmp(&(i, j))) else {
            return; // not an output_text part of a message item
        };
        let last = k + 1 == self.spans.len();
        let offset: usize = if last { usize::MAX } else { self.spans.iter().take(k + 1).map(|s| s.len).sum() };
        let text = match &mut self.snapshot {
            Some(Value::Object(o)) => match o.get_mut("output_text") {
                Some(Value::String(s)) => s,
                _ => return self.rebuild_text(),
            },
            _ => return,
        };
        if last {
            text.push_str(delta);
        } else if text.is_char_boundary(offset) {
            text.insert_str(offset, delta);
        } else {
            return self.rebuild_text();
        }
        if let Some(s) = self.spans.get_mut(k) {
            s.len += delta.len();
        }
    }
}

/// Why [`write_text`] could not find where a text event writes.
enum Locate {
    /// The item does not exist (the output's length).
    Missing(usize),
    /// Anything else, said in words.
    Invalid(String),
}

fn missing_item_msg(i: usize, len: usize) -> String {
    if i == usize::MAX {
        "has an output_index that is out of range".to_owned()
    } else {
        format!("has output_index {i} but the output has length {len}")
    }
}

/// Writes a text event's value into item `i` of `output` (`t`: where; `j`: the part index for
/// [`Target::Part`]). `Ok(None)`: nothing to write (a `.done` without a value), nothing
/// changed; `Ok(Some((j, restructured)))`: written into part `j` (0 for [`Target::Item`]),
/// `restructured` when a part was created or the field replaced rather than appended to.
/// `Err`: a protocol violation, nothing changed.
fn write_text(
    output: &mut [Value],
    i: usize,
    t: Target,
    j: Option<u64>,
    value: Option<&str>,
    is_delta: bool,
) -> Result<Option<(usize, bool)>, Locate> {
    let len = output.len();
    let item = match output.get_mut(i) {
        Some(Value::Object(o)) => o,
        Some(_) => return Err(Locate::Invalid("targets an output item that is not an object".to_owned())),
        None => return Err(Locate::Missing(len)),
    };
    let (obj, field, j, created) = match t {
        Target::Item { field } => (item, field, 0, false),
        Target::Part { array, field, part_type, .. } => {
            let j = j.unwrap_or(0);
            let ju = usize::try_from(j).ok();
            let (parts_len, is_object) = match item.get(array) {
                None | Some(Value::Null) => (0, false),
                Some(Value::Array(a)) => (a.len(), matches!(ju.and_then(|j| a.get(j)), Some(Value::Object(_)))),
                Some(_) => return Err(Locate::Invalid(format!("targets an item whose `{array}` is not an array"))),
            };
            let Some(j) = ju.filter(|&j| j <= parts_len) else {
                return Err(Locate::Invalid(format!("has index {j} but the item's `{array}` has length {parts_len}")));
            };
            let append = j == parts_len;
            if !append && !is_object {
                return Err(Locate::Invalid(format!("targets `{array}[{j}]`, which is not an object")));
            }
            // Validated: from here on, changes.
            if value.is_none() {
                return Ok(None);
            }
            let Some(parts) = child_array_in(item, array) else {
                return Ok(None);
            };
            if append {
                parts.push(new_part(part_type, field));
            }
            match parts.get_mut(j) {
                Some(Value::Object(p)) => (p, field, j, append),
                _ => return Ok(None),
            }
        }
    };
    let Some(value) = value else { return Ok(None) };
    if is_delta {
        if let Some(Value::String(s)) = obj.get_mut(field) {
            s.push_str(value);
            return Ok(Some((j, created)));
        }
    }
    // A `.done`, or a delta onto `null`/missing (a code interpreter call's `code`).
    obj.insert(field.to_owned(), Value::String(value.to_owned()));
    Ok(Some((j, true)))
}

/// The `output_text` parts of a `message` item: appends their texts to `text` and a span
/// for each to `spans`.
fn collect_segments(item: &Value, i: usize, text: &mut String, spans: &mut Vec<Span>) {
    if item.get("type").and_then(Value::as_str) != Some("message") {
        return;
    }
    let Some(Value::Array(content)) = item.get("content") else {
        return;
    };
    for (j, part) in content.iter().enumerate() {
        if part.get("type").and_then(Value::as_str) != Some("output_text") {
            continue;
        }
        if let Some(t) = part.get("text").and_then(Value::as_str) {
            text.push_str(t);
            spans.push(Span { item: i, part: j, len: t.len() });
        }
    }
}

/// `value[name]` as an array, created (or replacing `null`) when missing; `None` when `value`
/// is not an object or `value[name]` is something else.
fn child_array<'v>(value: &'v mut Value, name: &str) -> Option<&'v mut Vec<Value>> {
    let Value::Object(o) = value else { return None };
    child_array_in(o, name)
}

/// [`child_array`] of an object.
fn child_array_in<'v>(o: &'v mut Map<String, Value>, name: &str) -> Option<&'v mut Vec<Value>> {
    match o.get(name) {
        Some(Value::Array(_)) => {}
        None | Some(Value::Null) => {
            o.insert(name.to_owned(), Value::Array(Vec::new()));
        }
        Some(_) => return None,
    }
    match o.get_mut(name) {
        Some(Value::Array(a)) => Some(a),
        _ => None,
    }
}

/// Length of `value[name]`: 0 when missing or `null`; `None` when it is not an array.
fn array_len(value: &Value, name: &str) -> Option<usize> {
    match value.get(name) {
        None | Some(Value::Null) => Some(0),
        Some(Value::Array(a)) => Some(a.len()),
        Some(_) => None,
    }
}

fn new_part(part_type: &str, field: &str) -> Value {
    let mut p = Map::new();
    p.insert("type".to_owned(), Value::String(part_type.to_owned()));
    p.insert(field.to_owned(), Value::String(String::new()));
    if part_type == "output_text" {
        p.insert("annotations".to_owned(), Value::Array(Vec::new()));
    }
    Value::Object(p)
}

fn failed_error(resp: &Map<String, Value>, body: &str, response: Option<String>) -> ApiError {
    let err = resp.get("error");
    let field = |k: &str| err.and_then(|e| e.get(k)).and_then(scalar_string);
    let message = field("message")
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "the response failed (the server gave no error message)".to_owned());
    ApiError {
        status: None,
        code: field("code"),
        error_type: field("type"),
        param: field("param"),
        message,
        request_id: None,
        body: Some(body.to_owned()),
        response,
    }
}

/// `output_text` of a Response: the concatenation, in output order, of the `text` of every
/// `output_text` part of every `message` item (`""` when there are none).
pub fn compute_output_text(response: &Value) -> String {
    let mut text = String::new();
    let mut spans = Vec::new();
    if let Some(Value::Array(output)) = response.get("output") {
        for (i, item) in output.iter().enumerate() {
            collect_segments(item, i, &mut text, &mut spans);
        }
    }
    text
}

/// For non-streaming `create()`: the Response JSON with `output_text` set.
///
/// When the response has an `output` array, `output_text` is computed from it and
/// *overwrites* any value the server sent: DESIGN.md says "compute it when absent", but servers
/// are known to send a wrong one (OpenRouter sends `"output_text": ""` next to a non-empty
/// message), and the official SDKs compute it from `output` too. Without an `output` array the
/// server's string is kept, or `""` is set. Not a JSON object → [`Error::Stream`].
pub fn with_output_text(response_json: &str) -> Result<String, Error> {
    let mut v: Value = serde_json::from_str(response_json).map_err(|e| {
        Error::stream(format!(
            "malformed Response JSON (line {}, column {}); body begins: {}",
            e.line(),
            e.column(),
            excerpt(response_json, 60)
        ))
    })?;
    let text = match v.get("output") {
        Some(Value::Array(_)) => Some(compute_output_text(&v)),
        _ => None,
    };
    let Value::Object(obj) = &mut v else {
        return Err(Error::stream(format!("expected a Response object; body begins: {}", excerpt(response_json, 60))));
    };
    match text {
        Some(t) => {
            obj.insert("output_text".to_owned(), Value::String(t));
        }
        None => {
            if !matches!(obj.get("output_text"), Some(Value::String(_))) {
                obj.insert("output_text".to_owned(), Value::String(String::new()));
            }
        }
    }
    serde_json::to_string(&v).map_err(|e| Error::stream(format!("cannot serialise: {e}")))
}
