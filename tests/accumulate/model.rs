//! Reference model for the differential tests: folds every event straight into a `serde_json::Value`
//! by the accumulator's rules; the patches applied by a mirror must give exactly its snapshot.
#![allow(dead_code, clippy::all)]

use std::mem;

use serde_json::{Map, Value};

use cometapi_responses::event::{EventKind, ResponseEvent};
use cometapi_responses::partial_json::{self, PartialJsonParser};

/// Accumulates events into a Response snapshot.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// When `Some`: an object whose `output` is an array and whose `output_text` is the recount
    /// of its output (`recount`).
    snapshot: Option<Value>,
    /// The server's `output_index` of each output position (`None`: an item that came without
    /// one). Lookups go through it, so a server that skips an index keeps its mapping.
    servers: Vec<Option<u64>>,
    /// Positions of the `function_call` items whose arguments are streaming (their
    /// `parsed_arguments` follows the text; once done it is final).
    live: Vec<usize>,
    version: u64,
}

/// `parsed_arguments` while the text streams: the partial parser's value of the whole text so
/// far, parsed in one piece (the accumulator feeds it delta by delta).
fn partial_args(text: &str) -> Option<Value> {
    let mut p = PartialJsonParser::new();
    p.push(text);
    p.value().cloned()
}

/// `parsed_arguments` of a done call: `{}` for an empty text, the value of valid JSON, else `null`.
pub fn done_args(text: &str) -> Value {
    if text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).is_empty() {
        return Value::Object(Map::new());
    }
    partial_json::parse(text).unwrap_or(Value::Null)
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

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    /// The Response so far (with `output_text`); `None` before the first lifecycle event.
    pub fn snapshot(&self) -> Option<&Value> {
        self.snapshot.as_ref()
    }

    /// The concatenated text of all `output_text` parts of all `message` items so far.
    pub fn output_text(&self) -> &str {
        self.snapshot.as_ref().and_then(|s| s.get("output_text")?.as_str()).unwrap_or_default()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Applies one event. Never fails: what does not fit the snapshot is skipped (see the
    /// module docs); the stream's end is decided by the lifecycle and `error` events.
    pub fn push(&mut self, ev: &ResponseEvent) {
        let v0 = self.version;
        self.push_inner(ev);
        // One push is one change, however many steps it took.
        self.version = self.version.min(v0 + 1);
        self.recount();
    }

    /// `output_text`: the texts of the `output_text` parts of the `message` items, in order.
    fn recount(&mut self) {
        let mut text = String::new();
        for item in self.output().into_iter().flatten() {
            if item.get("type").and_then(Value::as_str) != Some("message") {
                continue;
            }
            for part in item.get("content").and_then(Value::as_array).into_iter().flatten() {
                if part.get("type").and_then(Value::as_str) == Some("output_text") {
                    text.push_str(part.get("text").and_then(Value::as_str).unwrap_or_default());
                }
            }
        }
        if let Some(Value::Object(o)) = &mut self.snapshot {
            o.insert("output_text".to_owned(), Value::String(text));
        }
    }

    fn push_inner(&mut self, ev: &ResponseEvent) {
        use EventKind as K;
        let kind = ev.kind();
        if kind.is_lifecycle() {
            return self.lifecycle(ev);
        }
        let structure = [K::OutputItemAdded, K::OutputItemDone, K::ContentPartAdded, K::ContentPartDone];
        let summary = [K::ReasoningSummaryPartAdded, K::ReasoningSummaryPartDone, K::OutputTextAnnotationAdded];
        let writes = structure.contains(&kind)
            || summary.contains(&kind)
            || target(kind).is_some()
            || kind.tool_status().is_some();
        if self.snapshot.is_none() {
            if !writes {
                return;
            }
            // No lifecycle event yet: an in-progress Response with an empty output.
            let mut r = Map::new();
            r.insert("object".into(), "response".into());
            r.insert("status".into(), "in_progress".into());
            r.insert("output".into(), Value::Array(Vec::new()));
            self.snapshot = Some(Value::Object(r));
            self.servers.clear();
            self.live.clear();
            self.version += 1;
        }
        match kind {
            K::OutputItemAdded | K::OutputItemDone => self.item_event(ev),
            K::ContentPartAdded | K::ContentPartDone => self.part_event(ev, "content", false),
            K::ReasoningSummaryPartAdded | K::ReasoningSummaryPartDone => self.part_event(ev, "summary", true),
            K::OutputTextAnnotationAdded => self.annotation_event(ev),
            _ => {
                if let Some(t) = target(kind) {
                    self.text_event(ev, t)
                } else if let Some(status) = kind.tool_status() {
                    self.status_event(ev, status)
                }
                // keepalive, audio, unknown: nothing to do.
            }
        }
    }

    fn lifecycle(&mut self, ev: &ResponseEvent) {
        let terminal = ev.kind().is_terminal();
        if let Some(Value::Object(resp)) = ev.payload() {
            self.replace_snapshot(resp, terminal);
        }
    }

    fn replace_snapshot(&mut self, resp: &Map<String, Value>, terminal: bool) {
        let mut new = resp.clone();
        let incoming = new.get("output").and_then(Value::as_array);
        let ids = |a: &[Value]| a.iter().filter_map(|v| v.get("id")?.as_str()).map(str::to_owned).collect::<Vec<_>>();
        // The output so far stays unless the event brings one that covers it (every item, by id)
        // or ends the stream.
        let keep_old = match (self.output().filter(|o| !o.is_empty()), incoming) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(old), Some(inc)) => {
                let new_ids = ids(inc);
                !terminal && !(inc.len() >= old.len() && ids(old).iter().all(|id| new_ids.contains(id)))
            }
        };
        let incoming = incoming.map(Vec::len);
        if keep_old {
            let old = self.output_mut().map(mem::take).unwrap_or_default();
            new.insert("output".to_owned(), Value::Array(old));
            self.snapshot = Some(Value::Object(new));
        } else {
            if incoming.is_none() {
                new.insert("output".to_owned(), Value::Array(Vec::new()));
            }
            self.snapshot = Some(Value::Object(new));
            // The server's output: its positions are its indices.
            self.servers = (0..incoming.unwrap_or(0) as u64).map(Some).collect();
            self.live.clear();
            for i in 0..incoming.unwrap_or(0) {
                self.item_parsed(i, terminal);
            }
        }
        self.version += 1;
    }

    fn item_event(&mut self, ev: &ResponseEvent) {
        let Some(item @ Value::Object(_)) = ev.payload() else { return };
        let Some(len) = self.output().map(Vec::len) else { return };
        let id = item.get("id").and_then(Value::as_str).or(ev.item_id());
        let ty = item.get("type").and_then(Value::as_str);
        let at_index = ev.output_index().and_then(|idx| self.position_of(idx));
        let mut found = None;
        if let Some(id) = id {
            found = at_index.filter(|&p| self.item_id(p) == Some(id)).or_else(|| self.position_of_id(id));
        }
        if found.is_none() {
            if let Some(p) = at_index {
                let (oid, oty) = (self.item_id(p), self.item_type(p));
                let same_id = oid.is_none() || id.is_none() || oid == id;
                let same_ty = oty.is_none() || ty.is_none() || oty == ty;
                if same_id && same_ty {
                    found = Some(p);
                }
            }
        }
        let i = found.unwrap_or(len);
        if let Some(output) = self.output_mut() {
            if i == output.len() {
                output.push(item.clone());
            } else if let Some(slot) = output.get_mut(i) {
                *slot = item.clone();
            }
        }
        if i == self.servers.len() {
            self.take_index(ev.output_index());
            self.servers.push(ev.output_index());
        }
        self.item_parsed(i, ev.kind() == EventKind::OutputItemDone);
        self.version += 1;
    }

    /// A new item takes output index `idx`: earlier items announced there no longer answer to it.
    fn take_index(&mut self, idx: Option<u64>) {
        if let Some(idx) = idx {
            for s in &mut self.servers {
                if *s == Some(idx) {
                    *s = None;
                }
            }
        }
    }

    fn item_id(&self, i: usize) -> Option<&str> {
        self.output()?.get(i)?.get("id")?.as_str()
    }

    fn item_type(&self, i: usize) -> Option<&str> {
        self.output()?.get(i)?.get("type")?.as_str()
    }

    /// A `function_call` item set whole: `parsed_arguments` from its `arguments`; it streams
    /// on unless `done`.
    fn item_parsed(&mut self, i: usize, done: bool) {
        self.live.retain(|&p| p != i);
        let Some(Value::Object(item)) = self.item_mut(i) else { return };
        if item.get("type").and_then(Value::as_str) != Some("function_call") {
            return;
        }
        let Some(Value::String(text)) = item.get("arguments").cloned() else { return };
        if done {
            item.insert("parsed_arguments".to_owned(), done_args(&text));
            return;
        }
        if let Some(v) = partial_args(&text) {
            item.insert("parsed_arguments".to_owned(), v);
        }
        self.live.push(i);
    }

    /// A text event wrote a `function_call` item's `arguments`.
    fn arguments_written(&mut self, i: usize, value: &str, was_string: bool, is_delta: bool) {
        let live = self.live.contains(&i);
        let Some(Value::Object(item)) = self.item_mut(i) else { return };
        if item.get("type").and_then(Value::as_str) != Some("function_call") {
            return;
        }
        let text = item.get("arguments").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !is_delta {
            item.insert("parsed_arguments".to_owned(), done_args(value));
            self.live.retain(|&p| p != i);
        } else if !was_string || live {
            if let Some(v) = partial_args(&text) {
                item.insert("parsed_arguments".to_owned(), v);
            }
            if !live {
                self.live.push(i);
            }
        }
    }

    fn part_event(&mut self, ev: &ResponseEvent, array: &'static str, summary: bool) {
        let Some(part @ Value::Object(_)) = ev.payload() else { return };
        let first = matches!(if summary { ev.summary_index() } else { ev.content_index() }, None | Some(0));
        let Some(i) = self.item_index(ev, first) else { return };
        let Some(j) = self.part_index(ev, i, array, summary, part.get("type").and_then(Value::as_str)) else { return };
        let Some((j, append)) = self.check_part(i, array, j) else { return };
        if let Some(arr) = self.item_mut(i).and_then(|it| child_array(it, array)) {
            if append {
                arr.push(part.clone());
            } else if let Some(slot) = arr.get_mut(j) {
                *slot = part.clone();
            }
        }
        self.version += 1;
    }

    fn text_event(&mut self, ev: &ResponseEvent, t: Target) {
        let is_delta = ev.kind().is_delta();
        let Some(value) = ev.text() else {
            // A delta without text, or a `.done` without its final value: keep what we have.
            return;
        };
        // Everything is validated before anything changes.
        let first = match t {
            Target::Part { summary, .. } => {
                matches!(if summary { ev.summary_index() } else { ev.content_index() }, None | Some(0))
            }
            Target::Item { .. } => true,
        };
        let Some(i) = self.item_index(ev, first) else { return };
        let j = match t {
            Target::Part { array, summary, part_type, .. } => {
                match self.part_index(ev, i, array, summary, Some(part_type)) {
                    Some(j) => Some(j),
                    None => return,
                }
            }
            Target::Item { .. } => None,
        };
        let was_string = match t {
            Target::Item { field } => {
                self.output().and_then(|o| o.get(i)).and_then(|it| it.get(field)).is_some_and(Value::is_string)
            }
            Target::Part { .. } => false,
        };
        let Some(output) = self.output_mut() else { return };
        if write_text(output, i, t, j, value, is_delta).is_none() {
            return;
        }
        self.version += 1;
        if let Target::Item { field: "arguments" } = t {
            self.arguments_written(i, value, was_string, is_delta);
        }
    }

    fn annotation_event(&mut self, ev: &ResponseEvent) {
        let Some(annotation) = ev.payload() else { return };
        let Some(i) = self.item_index(ev, false) else { return };
        let Some(j) = self.part_index(ev, i, "content", false, Some("output_text")) else { return };
        let Some((j, false)) = self.check_part(i, "content", j) else { return };
        let anns = self
            .output()
            .and_then(|o| o.get(i))
            .and_then(|it| it.get("content"))
            .and_then(|c| c.get(j))
            .map(|p| array_len(p, "annotations"));
        let Some(Some(len)) = anns else { return };
        // An index past the end appends (nothing later refers to an annotation).
        let a = ev.annotation_index().and_then(|a| usize::try_from(a).ok()).filter(|&a| a < len).unwrap_or(len);
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
    }

    fn status_event(&mut self, ev: &ResponseEvent, status: &'static str) {
        let Some(i) = self.item_index(ev, true) else { return };
        if let Some(Value::Object(o)) = self.item_mut(i) {
            o.insert("status".to_owned(), Value::String(status.to_owned()));
            self.version += 1;
        }
    }

    fn output(&self) -> Option<&Vec<Value>> {
        self.snapshot.as_ref()?.get("output")?.as_array()
    }

    fn output_mut(&mut self) -> Option<&mut Vec<Value>> {
        self.snapshot.as_mut()?.get_mut("output")?.as_array_mut()
    }

    fn item_mut(&mut self, i: usize) -> Option<&mut Value> {
        self.output_mut().and_then(|o| o.get_mut(i))
    }

    /// The position of the item the server calls `output_index` `idx`.
    fn position_of(&self, idx: u64) -> Option<usize> {
        self.servers.iter().position(|s| *s == Some(idx))
    }

    /// The position of the item whose `id` is `id`.
    fn position_of_id(&self, id: &str) -> Option<usize> {
        self.output()?.iter().position(|it| it.get("id").and_then(Value::as_str) == Some(id))
    }

    /// The item an event names (see the accumulator's `target_item`): by `item_id`, else the
    /// item at `output_index` when of the event's item type (with neither: the last item), else
    /// (`create`) a new item of that type, appended.
    fn item_index(&mut self, ev: &ResponseEvent, create: bool) -> Option<usize> {
        let len = self.output()?.len();
        let ty = event_item_type(ev);
        let at_index = ev.output_index().and_then(|i| self.position_of(i));
        if let Some(id) = ev.item_id() {
            let hit = at_index.filter(|&p| self.item_id(p) == Some(id)).or_else(|| self.position_of_id(id));
            if let Some(p) = hit {
                return self.output()?.get(p).filter(|v| v.is_object()).map(|_| p);
            }
        }
        let candidate = if at_index.is_some() {
            at_index
        } else if ev.output_index().is_none() && ev.item_id().is_none() && len > 0 {
            Some(len - 1)
        } else {
            None
        };
        if let Some(p) = candidate {
            let v = self.output()?.get(p)?;
            let vty = v.get("type").and_then(Value::as_str);
            if v.is_object() && (ty.is_none() || vty.is_none() || vty == ty) {
                return Some(p);
            }
            if !create && at_index.is_some() {
                return None;
            }
        }
        if !create {
            return None;
        }
        let ty = ty?;
        let mut item = Map::new();
        item.insert("type".into(), ty.into());
        if let Some(id) = ev.item_id() {
            item.insert("id".into(), id.into());
        }
        if ty == "message" {
            item.insert("role".into(), "assistant".into());
            item.insert("status".into(), "in_progress".into());
            item.insert("content".into(), Value::Array(Vec::new()));
        } else if ty == "reasoning" {
            item.insert("summary".into(), Value::Array(Vec::new()));
        } else {
            item.insert("status".into(), "in_progress".into());
        }
        self.output_mut()?.push(Value::Object(item));
        self.take_index(ev.output_index());
        self.servers.push(ev.output_index());
        self.version += 1;
        Some(len)
    }

    /// Part `j` of item `i`'s `array` exists and is an object (`(j, false)`), or `j` is the
    /// array's length (`(j, true)`: append). A missing or `null` array counts as empty.
    fn check_part(&self, i: usize, array: &str, j: u64) -> Option<(usize, bool)> {
        let item = self.output().and_then(|o| o.get(i)).filter(|it| it.is_object())?;
        let len = array_len(item, array)?;
        let j = usize::try_from(j).ok().filter(|&j| j <= len)?;
        if j == len {
            return Some((j, true));
        }
        match item.get(array).and_then(|a| a.get(j)) {
            Some(Value::Object(_)) => Some((j, false)),
            _ => None,
        }
    }
}

impl Model {
    /// `content_index` (or `summary_index`); without one: the last part of item `i`'s `array`
    /// when of type `part_type`, else the array's length.
    fn part_index(
        &self,
        ev: &ResponseEvent,
        i: usize,
        array: &str,
        summary: bool,
        part_type: Option<&str>,
    ) -> Option<u64> {
        let given = if summary { ev.summary_index() } else { ev.content_index() };
        if given.is_some() {
            return given;
        }
        let item = self.output()?.get(i)?;
        match item.get(array) {
            None | Some(Value::Null) => Some(0),
            Some(Value::Array(a)) => {
                let last_fits = a.last().is_some_and(|p| {
                    p.is_object() && part_type.is_some() && p.get("type").and_then(Value::as_str) == part_type
                });
                Some(if last_fits { a.len() as u64 - 1 } else { a.len() as u64 })
            }
            Some(_) => None,
        }
    }
}

/// The type of item an event belongs to, by its kind (a content part's: by the part's type).
fn event_item_type(ev: &ResponseEvent) -> Option<&'static str> {
    let t = ev.event_type();
    if t == "response.content_part.added" || t == "response.content_part.done" {
        return match ev.payload().and_then(|p| p.get("type")).and_then(Value::as_str) {
            Some("output_text") | Some("refusal") => Some("message"),
            Some("reasoning_text") => Some("reasoning"),
            _ => None,
        };
    }
    let known = ev.kind().as_str().is_some();
    let rest = t.strip_prefix("response.")?;
    if !known {
        return None;
    }
    // event type prefix:item type
    let prefixes = "output_text.:message refusal.:message reasoning_text.:reasoning reasoning_summary_:reasoning \
        function_call_arguments.:function_call mcp_call_arguments.:mcp_call mcp_call.:mcp_call \
        mcp_list_tools.:mcp_list_tools custom_tool_call_input.:custom_tool_call \
        code_interpreter_call_code.:code_interpreter_call code_interpreter_call.:code_interpreter_call \
        web_search_call.:web_search_call file_search_call.:file_search_call \
        image_generation_call.:image_generation_call";
    prefixes.split_whitespace().map(|p| p.split_once(':').unwrap()).find(|(p, _)| rest.starts_with(p)).map(|(_, ty)| ty)
}

/// Writes a text event's value into item `i` of `output` (`t`: where; `j`: the part index for
/// [`Target::Part`]). `None`: the event does not fit (nothing changed).
fn write_text(output: &mut [Value], i: usize, t: Target, j: Option<u64>, value: &str, is_delta: bool) -> Option<()> {
    let Some(Value::Object(item)) = output.get_mut(i) else { return None };
    let (obj, field) = match t {
        Target::Item { field } => (item, field),
        Target::Part { array, field, part_type, .. } => {
            let j = j.and_then(|j| usize::try_from(j).ok())?;
            let (parts_len, is_object) = match item.get(array) {
                None | Some(Value::Null) => (0, false),
                Some(Value::Array(a)) => (a.len(), matches!(a.get(j), Some(Value::Object(_)))),
                Some(_) => return None,
            };
            if j > parts_len {
                return None;
            }
            let append = j == parts_len;
            if !append && !is_object {
                return None;
            }
            // Validated: from here on, changes.
            let parts = child_array_in(item, array)?;
            if append {
                parts.push(new_part(part_type, field));
            }
            match parts.get_mut(j) {
                Some(Value::Object(p)) => (p, field),
                _ => return None,
            }
        }
    };
    if is_delta {
        if let Some(Value::String(s)) = obj.get_mut(field) {
            s.push_str(value);
            return Some(());
        }
    }
    // A `.done`, or a delta onto `null`/missing (a code interpreter call's `code`).
    obj.insert(field.to_owned(), Value::String(value.to_owned()));
    Some(())
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
