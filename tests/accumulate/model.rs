//! Reference model for the differential tests: folds every event straight into a `serde_json::Value`
//! by the accumulator's rules; the patches applied by a mirror must give exactly its snapshot.
#![allow(dead_code, clippy::all)]

use std::mem;

use serde_json::{json, Map, Value};

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
    /// Positions of the items an `output_item.done` set (an `added` with their id is another item).
    done: Vec<usize>,
    version: u64,
}

/// `v[key]` when a string.
fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)?.as_str()
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
        return json!({});
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
        K::FunctionCallArgumentsDelta | K::FunctionCallArgumentsDone => Target::Item { field: "arguments" },
        K::McpCallArgumentsDelta | K::McpCallArgumentsDone => Target::Item { field: "arguments" },
        K::CustomToolCallInputDelta | K::CustomToolCallInputDone => Target::Item { field: "input" },
        K::CodeInterpreterCallCodeDelta | K::CodeInterpreterCallCodeDone => Target::Item { field: "code" },
        _ => return None,
    })
}

/// The part index an event names: `summary_index` for the summary, else `content_index`.
fn given_part(ev: &ResponseEvent, summary: bool) -> Option<u64> {
    [ev.content_index(), ev.summary_index()][usize::from(summary)]
}

/// Sets `arr[i]`, appending when `i` is its length.
fn put(arr: &mut Vec<Value>, i: usize, v: Value) {
    if i == arr.len() {
        arr.push(v);
    } else if let Some(slot) = arr.get_mut(i) {
        *slot = v;
    }
}

impl Model {
    /// The Response so far (with `output_text`); `None` before the first lifecycle event.
    pub fn snapshot(&self) -> Option<&Value> {
        self.snapshot.as_ref()
    }

    /// The concatenated text of all `output_text` parts of all `message` items so far.
    pub fn output_text(&self) -> &str {
        self.snapshot.as_ref().and_then(|s| str_at(s, "output_text")).unwrap_or_default()
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
        // `output_text`: the texts of the `output_text` parts of the `message` items, in order.
        let messages = self.output().into_iter().flatten().filter(|it| str_at(it, "type") == Some("message"));
        let parts = messages.flat_map(|it| it.get("content").and_then(Value::as_array).into_iter().flatten());
        let text: String =
            parts.filter(|p| str_at(p, "type") == Some("output_text")).filter_map(|p| str_at(p, "text")).collect();
        if let Some(Value::Object(o)) = &mut self.snapshot {
            o.insert("output_text".to_owned(), Value::String(text));
        }
    }

    fn push_inner(&mut self, ev: &ResponseEvent) {
        use EventKind as K;
        let kind = ev.kind();
        if kind.is_lifecycle() {
            if let Some(Value::Object(resp)) = ev.payload() {
                self.replace_snapshot(resp, kind.is_terminal());
            }
            return;
        }
        let structure = [K::OutputItemAdded, K::OutputItemDone, K::ContentPartAdded, K::ContentPartDone];
        let summary = [K::ReasoningSummaryPartAdded, K::ReasoningSummaryPartDone, K::OutputTextAnnotationAdded];
        let other = target(kind).is_some() || kind.tool_status().is_some();
        if self.snapshot.is_none() {
            if !(structure.contains(&kind) || summary.contains(&kind) || other) {
                return;
            }
            // No lifecycle event yet: an in-progress Response with an empty output.
            self.snapshot = Some(json!({"object": "response", "status": "in_progress", "output": []}));
            self.servers.clear();
            self.live.clear();
            self.done.clear();
            self.version += 1;
        }
        let _ = match kind {
            K::OutputItemAdded | K::OutputItemDone => self.item_event(ev),
            K::ContentPartAdded | K::ContentPartDone => self.part_event(ev, "content", false),
            K::ReasoningSummaryPartAdded | K::ReasoningSummaryPartDone => self.part_event(ev, "summary", true),
            K::OutputTextAnnotationAdded => self.annotation_event(ev),
            // keepalive, audio, unknown: nothing to do.
            _ => match (target(kind), kind.tool_status()) {
                (Some(t), _) => self.text_event(ev, t),
                (None, Some(status)) => self.status_event(ev, status),
                (None, None) => None,
            },
        };
    }

    fn replace_snapshot(&mut self, resp: &Map<String, Value>, terminal: bool) {
        let mut new = resp.clone();
        let incoming = new.get("output").and_then(Value::as_array);
        let ids = |a: &[Value]| a.iter().filter_map(|v| str_at(v, "id")).map(str::to_owned).collect::<Vec<_>>();
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
        if keep_old || incoming.is_none() {
            let old = if keep_old { self.output_mut().map(mem::take).unwrap_or_default() } else { Vec::new() };
            new.insert("output".to_owned(), Value::Array(old));
        }
        self.snapshot = Some(Value::Object(new));
        if !keep_old {
            // The server's output: its positions are its indices.
            self.servers = (0..incoming.unwrap_or(0) as u64).map(Some).collect();
            self.live.clear();
            self.done.clear();
            for i in 0..incoming.unwrap_or(0) {
                self.item_parsed(i, terminal);
            }
        }
        self.version += 1;
    }

    fn item_event(&mut self, ev: &ResponseEvent) -> Option<()> {
        let Some(item @ Value::Object(_)) = ev.payload() else { return None };
        let len = self.output()?.len();
        let (id, ty) = (str_at(item, "id").or(ev.item_id()), str_at(item, "type"));
        let at_index = ev.output_index().and_then(|idx| self.position_of(idx));
        // The item with the id, unless an `added` puts it at another index or it is done
        // (another item).
        let added = ev.kind() == EventKind::OutputItemAdded;
        let again = |p: usize| {
            let oty = self.item_str(p, "type");
            self.done.contains(&p) && (oty == Some("function_call") || oty != ty)
        };
        let other = |p: usize| {
            added
                && (again(p)
                    || matches!((self.servers.get(p).copied().flatten(), ev.output_index()), (Some(a), Some(b)) if a != b))
        };
        let with_id = |p: usize, id| self.item_str(p, "id") == Some(id) && !other(p);
        let mut found =
            id.and_then(|id| at_index.filter(|&p| with_id(p, id)).or_else(|| (0..len).find(|&p| with_id(p, id))));
        if let (None, Some(p)) = (found, at_index) {
            let (oid, oty) = (self.item_str(p, "id"), self.item_str(p, "type"));
            if (oid.is_none() || id.is_none() || oid == id) && (oty.is_none() || ty.is_none() || oty == ty) && !other(p)
            {
                found = Some(p);
            }
        }
        let i = found.unwrap_or(len);
        put(self.output_mut()?, i, item.clone());
        if i == self.servers.len() {
            self.announce(ev.output_index());
        }
        self.done.retain(|&p| p != i);
        if !added {
            self.done.push(i);
        }
        self.item_parsed(i, !added);
        self.version += 1;
        Some(())
    }

    /// A new item takes output index `idx`: earlier items announced there no longer answer to it.
    fn announce(&mut self, idx: Option<u64>) {
        for s in self.servers.iter_mut().filter(|s| idx.is_some() && **s == idx) {
            *s = None;
        }
        self.servers.push(idx);
    }

    /// `key` of item `i`, when a string.
    fn item_str(&self, i: usize, key: &str) -> Option<&str> {
        str_at(self.output()?.get(i)?, key)
    }

    /// A `function_call` item set whole: `parsed_arguments` from its `arguments`; it streams
    /// on unless `done`.
    fn item_parsed(&mut self, i: usize, done: bool) {
        self.live.retain(|&p| p != i);
        let Some(item) = self.call_mut(i) else { return };
        let Some(Value::String(text)) = item.get("arguments").cloned() else { return };
        if let Some(v) = if done { Some(done_args(&text)) } else { partial_args(&text) } {
            item.insert("parsed_arguments".to_owned(), v);
        }
        if !done {
            self.live.push(i);
        }
    }

    /// A text event wrote a `function_call` item's `arguments`.
    fn arguments_written(&mut self, i: usize, value: &str, was_string: bool, is_delta: bool) {
        let live = self.live.contains(&i);
        let Some(item) = self.call_mut(i) else { return };
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

    fn part_event(&mut self, ev: &ResponseEvent, array: &'static str, summary: bool) -> Option<()> {
        let Some(part @ Value::Object(_)) = ev.payload() else { return None };
        let i = self.item_index(ev, matches!(given_part(ev, summary), None | Some(0)))?;
        let j = self.part_index(ev, i, array, summary, str_at(part, "type"))?;
        let (j, _) = self.check_part(i, array, j)?;
        if let Some(arr) = self.item_mut(i).and_then(|it| child_array(it, array)) {
            put(arr, j, part.clone());
        }
        self.version += 1;
        Some(())
    }

    fn text_event(&mut self, ev: &ResponseEvent, t: Target) -> Option<()> {
        let is_delta = ev.kind().is_delta();
        // A delta without text, or a `.done` without its final value: keep what we have.
        let value = ev.text()?;
        // Everything is validated before anything changes.
        let first = match t {
            Target::Part { summary, .. } => matches!(given_part(ev, summary), None | Some(0)),
            Target::Item { .. } => true,
        };
        let i = self.item_index(ev, first)?;
        let (j, was_string) = match t {
            Target::Part { array, summary, part_type, .. } => {
                (Some(self.part_index(ev, i, array, summary, Some(part_type))?), false)
            }
            Target::Item { field } => {
                (None, self.output()?.get(i).and_then(|it| it.get(field)).is_some_and(Value::is_string))
            }
        };
        write_text(self.output_mut()?, i, t, j, value, is_delta)?;
        self.version += 1;
        if let Target::Item { field: "arguments" } = t {
            self.arguments_written(i, value, was_string, is_delta);
        }
        Some(())
    }

    fn annotation_event(&mut self, ev: &ResponseEvent) -> Option<()> {
        let annotation = ev.payload()?;
        let i = self.item_index(ev, false)?;
        let j = self.part_index(ev, i, "content", false, Some("output_text"))?;
        let Some((j, false)) = self.check_part(i, "content", j) else { return None };
        let len = array_len(self.output()?.get(i)?.get("content")?.get(j)?, "annotations")?;
        // An index past the end appends (nothing later refers to an annotation).
        let a = ev.annotation_index().and_then(|a| usize::try_from(a).ok()).filter(|&a| a < len).unwrap_or(len);
        let part = child_array(self.item_mut(i)?, "content")?.get_mut(j)?;
        put(child_array(part, "annotations")?, a, annotation.clone());
        self.version += 1;
        Some(())
    }

    fn status_event(&mut self, ev: &ResponseEvent, status: &'static str) -> Option<()> {
        let i = self.item_index(ev, true)?;
        let Value::Object(o) = self.item_mut(i)? else { return None };
        o.insert("status".to_owned(), Value::String(status.to_owned()));
        self.version += 1;
        Some(())
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

    /// Item `i` when a `function_call` object.
    fn call_mut(&mut self, i: usize) -> Option<&mut Map<String, Value>> {
        self.item_mut(i).filter(|it| str_at(it, "type") == Some("function_call"))?.as_object_mut()
    }

    /// The position of the item the server calls `output_index` `idx`.
    fn position_of(&self, idx: u64) -> Option<usize> {
        self.servers.iter().position(|s| *s == Some(idx))
    }

    /// The item `id` names: the one at `at_index` when it has that id, else the first with it.
    fn by_id(&self, at_index: Option<usize>, id: &str) -> Option<usize> {
        let first = || self.output()?.iter().position(|it| str_at(it, "id") == Some(id));
        at_index.filter(|&p| self.item_str(p, "id") == Some(id)).or_else(first)
    }

    /// The item an event names (see the accumulator's `target_item`): by `item_id`, else the
    /// item at `output_index` when of the event's item type (with neither: the last item), else
    /// (`create`) a new item of that type, appended.
    fn item_index(&mut self, ev: &ResponseEvent, create: bool) -> Option<usize> {
        let len = self.output()?.len();
        let ty = event_item_type(ev);
        let at_index = ev.output_index().and_then(|i| self.position_of(i));
        if let Some(p) = ev.item_id().and_then(|id| self.by_id(at_index, id)) {
            return self.output()?.get(p).filter(|v| v.is_object()).map(|_| p);
        }
        let last = ev.output_index().is_none() && ev.item_id().is_none() && len > 0;
        if let Some(p) = at_index.or(last.then(|| len - 1)) {
            let v = self.output()?.get(p)?;
            let vty = str_at(v, "type");
            if v.is_object() && (ty.is_none() || vty.is_none() || vty == ty) {
                return Some(p);
            }
        }
        let ty = ty.filter(|_| create)?;
        let mut item = match ty {
            "message" => json!({"type": ty, "role": "assistant", "status": "in_progress", "content": []}),
            "reasoning" => json!({"type": ty, "summary": []}),
            _ => json!({"type": ty, "status": "in_progress"}),
        };
        if let Some(id) = ev.item_id() {
            item["id"] = id.into();
        }
        self.output_mut()?.push(item);
        self.announce(ev.output_index());
        self.version += 1;
        Some(len)
    }

    /// Part `j` of item `i`'s `array` exists and is an object (`(j, false)`), or `j` is the
    /// array's length (`(j, true)`: append). A missing or `null` array counts as empty.
    fn check_part(&self, i: usize, array: &str, j: u64) -> Option<(usize, bool)> {
        let item = self.output()?.get(i).filter(|it| it.is_object())?;
        let len = array_len(item, array)?;
        let j = usize::try_from(j).ok().filter(|&j| j <= len)?;
        match item.get(array).and_then(|a| a.get(j)) {
            _ if j == len => Some((j, true)),
            Some(Value::Object(_)) => Some((j, false)),
            _ => None,
        }
    }

    /// `content_index` (or `summary_index`); without one: the last part of item `i`'s `array`
    /// when of type `part_type`, else the array's length.
    fn part_index(&self, ev: &ResponseEvent, i: usize, array: &str, summary: bool, ty: Option<&str>) -> Option<u64> {
        if let Some(given) = given_part(ev, summary) {
            return Some(given);
        }
        match self.output()?.get(i)?.get(array) {
            None | Some(Value::Null) => Some(0),
            Some(Value::Array(a)) => {
                let last_fits = a.last().is_some_and(|p| p.is_object() && ty.is_some() && str_at(p, "type") == ty);
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
        return match ev.payload().and_then(|p| str_at(p, "type")) {
            Some("output_text") | Some("refusal") => Some("message"),
            Some("reasoning_text") => Some("reasoning"),
            _ => None,
        };
    }
    let rest = t.strip_prefix("response.").filter(|_| ev.kind().as_str().is_some())?;
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
    let item = output.get_mut(i).filter(|it| it.is_object())?;
    let (obj, field) = match t {
        Target::Item { field } => (item.as_object_mut()?, field),
        Target::Part { array, field, part_type, .. } => {
            let j = usize::try_from(j?).ok()?;
            let (parts_len, is_object) = match item.get(array) {
                None | Some(Value::Null) => (0, false),
                Some(Value::Array(a)) => (a.len(), matches!(a.get(j), Some(Value::Object(_)))),
                Some(_) => return None,
            };
            if j > parts_len || (j < parts_len && !is_object) {
                return None;
            }
            // Validated: from here on, changes.
            let parts = child_array(item, array)?;
            if j == parts_len {
                let mut part = json!({"type": part_type});
                part[field] = "".into();
                if part_type == "output_text" {
                    part["annotations"] = json!([]);
                }
                parts.push(part);
            }
            let Some(Value::Object(p)) = parts.get_mut(j) else { return None };
            (p, field)
        }
    };
    match obj.get_mut(field) {
        Some(Value::String(s)) if is_delta => s.push_str(value),
        // A `.done`, or a delta onto `null`/missing (a code interpreter call's `code`).
        _ => drop(obj.insert(field.to_owned(), Value::String(value.to_owned()))),
    }
    Some(())
}

/// `value[name]` as an array, created (or replacing `null`) when missing; `None` when `value`
/// is not an object or `value[name]` is something else.
fn child_array<'v>(value: &'v mut Value, name: &str) -> Option<&'v mut Vec<Value>> {
    let v = value.as_object_mut()?.entry(name).or_insert(Value::Null);
    if v.is_null() {
        *v = json!([]);
    }
    v.as_array_mut()
}

/// Length of `value[name]`: 0 when missing or `null`; `None` when it is not an array.
fn array_len(value: &Value, name: &str) -> Option<usize> {
    match value.get(name) {
        None | Some(Value::Null) => Some(0),
        v => Some(v?.as_array()?.len()),
    }
}
