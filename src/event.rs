//! SSE event → [`ResponseEvent`]: the event type, its `sequence_number`, the raw JSON text, and
//! the few fields the [`crate::accumulate::Accumulator`] needs, parsed once.
//!
//! Decoding is lenient (DESIGN.md §3): the type comes from the JSON `type` field and falls back
//! to the SSE `event:` name; `sequence_number` is optional; unknown event types pass through as
//! [`EventKind::Other`]; `data: [DONE]` is not an event; `keepalive` is an event that changes
//! nothing. Only data that is not a JSON object is an error ([`Error::Stream`], with a short
//! excerpt of the data, never the whole payload).
//!
//! What counts as JSON is what `JSON.parse` accepts (the JS side parses the same text): a
//! number beyond `f64`'s range (`1e400`, a 5000-digit integer) or a `\u` escape of a lone
//! surrogate does not fail the event. The event's [`json`](ResponseEvent::json) keeps the text
//! byte for byte; in the Rust `Value`s (the payload, the error) such a number is `null` (what
//! `JSON.stringify` writes for `Infinity`) and such an escape U+FFFD, and an integer field
//! holding one (`output_index: 1e400`) reads as absent, as any non-integer does.
//!
//! Performance: each event's JSON is parsed exactly once, into a small borrowed struct (no
//! `serde_json::Value` for delta events); string fields without escapes are stored as byte ranges
//! into the JSON text instead of copies. Only the objects an event carries for the accumulator
//! (`response`, `item`, `part`, `annotation`) become `Value`s.

use std::fmt;
use std::ops::Range;

use serde_json::Value;

use crate::error::{ApiError, Error};
use crate::sse;

pub(crate) mod lenient;

macro_rules! event_kinds {
    ($($(#[$doc:meta])* $name:ident => $wire:literal,)*) => {
        /// Every event type of the Responses streaming protocol this crate knows by name.
        ///
        /// Unknown types are [`EventKind::Other`]: passed through, never fatal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $($(#[$doc])* #[doc = concat!("`", $wire, "`")] $name,)*
            /// Any other type (kept as the event's own type string).
            Other,
        }

        impl EventKind {
            /// The kind for a wire type string (`Other` when unknown).
            pub fn from_type(ty: &str) -> EventKind {
                match ty {
                    $($wire => EventKind::$name,)*
                    _ => EventKind::Other,
                }
            }

            /// The wire type string, `None` for [`EventKind::Other`].
            pub fn as_str(self) -> Option<&'static str> {
                match self {
                    $(EventKind::$name => Some($wire),)*
                    EventKind::Other => None,
                }
            }

            /// Every named kind (not `Other`), in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$name,)*];
        }
    };
}

event_kinds! {
    Created => "response.created",
    Queued => "response.queued",
    InProgress => "response.in_progress",
    Completed => "response.completed",
    Incomplete => "response.incomplete",
    Failed => "response.failed",
    Error => "error",
    Keepalive => "keepalive",
    OutputItemAdded => "response.output_item.added",
    OutputItemDone => "response.output_item.done",
    ContentPartAdded => "response.content_part.added",
    ContentPartDone => "response.content_part.done",
    OutputTextDelta => "response.output_text.delta",
    OutputTextDone => "response.output_text.done",
    OutputTextAnnotationAdded => "response.output_text.annotation.added",
    RefusalDelta => "response.refusal.delta",
    RefusalDone => "response.refusal.done",
    FunctionCallArgumentsDelta => "response.function_call_arguments.delta",
    FunctionCallArgumentsDone => "response.function_call_arguments.done",
    ReasoningSummaryPartAdded => "response.reasoning_summary_part.added",
    ReasoningSummaryPartDone => "response.reasoning_summary_part.done",
    ReasoningSummaryTextDelta => "response.reasoning_summary_text.delta",
    ReasoningSummaryTextDone => "response.reasoning_summary_text.done",
    ReasoningTextDelta => "response.reasoning_text.delta",
    ReasoningTextDone => "response.reasoning_text.done",
    CustomToolCallInputDelta => "response.custom_tool_call_input.delta",
    CustomToolCallInputDone => "response.custom_tool_call_input.done",
    CodeInterpreterCallCodeDelta => "response.code_interpreter_call_code.delta",
    CodeInterpreterCallCodeDone => "response.code_interpreter_call_code.done",
    McpCallArgumentsDelta => "response.mcp_call_arguments.delta",
    McpCallArgumentsDone => "response.mcp_call_arguments.done",
    WebSearchCallInProgress => "response.web_search_call.in_progress",
    WebSearchCallSearching => "response.web_search_call.searching",
    WebSearchCallCompleted => "response.web_search_call.completed",
    WebSearchCallFailed => "response.web_search_call.failed",
    FileSearchCallInProgress => "response.file_search_call.in_progress",
    FileSearchCallSearching => "response.file_search_call.searching",
    FileSearchCallCompleted => "response.file_search_call.completed",
    FileSearchCallFailed => "response.file_search_call.failed",
    CodeInterpreterCallInProgress => "response.code_interpreter_call.in_progress",
    CodeInterpreterCallInterpreting => "response.code_interpreter_call.interpreting",
    CodeInterpreterCallCompleted => "response.code_interpreter_call.completed",
    CodeInterpreterCallFailed => "response.code_interpreter_call.failed",
    ImageGenerationCallInProgress => "response.image_generation_call.in_progress",
    ImageGenerationCallGenerating => "response.image_generation_call.generating",
    ImageGenerationCallPartialImage => "response.image_generation_call.partial_image",
    ImageGenerationCallCompleted => "response.image_generation_call.completed",
    ImageGenerationCallFailed => "response.image_generation_call.failed",
    McpCallInProgress => "response.mcp_call.in_progress",
    McpCallCompleted => "response.mcp_call.completed",
    McpCallFailed => "response.mcp_call.failed",
    McpListToolsInProgress => "response.mcp_list_tools.in_progress",
    McpListToolsCompleted => "response.mcp_list_tools.completed",
    McpListToolsFailed => "response.mcp_list_tools.failed",
    AudioDelta => "response.audio.delta",
    AudioDone => "response.audio.done",
    AudioTranscriptDelta => "response.audio.transcript.delta",
    AudioTranscriptDone => "response.audio.transcript.done",
}

impl EventKind {
    /// `response.created/queued/in_progress/completed/incomplete/failed`: events that carry
    /// the whole Response.
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            EventKind::Created
                | EventKind::Queued
                | EventKind::InProgress
                | EventKind::Completed
                | EventKind::Incomplete
                | EventKind::Failed
        )
    }

    /// `response.completed/incomplete/failed` and `error`: nothing follows them.
    pub fn is_terminal(self) -> bool {
        matches!(self, EventKind::Completed | EventKind::Incomplete | EventKind::Failed | EventKind::Error)
    }

    /// The `*.delta` events the accumulator appends (audio deltas are not part of a Response).
    pub fn is_delta(self) -> bool {
        matches!(
            self,
            EventKind::OutputTextDelta
                | EventKind::RefusalDelta
                | EventKind::FunctionCallArgumentsDelta
                | EventKind::ReasoningSummaryTextDelta
                | EventKind::ReasoningTextDelta
                | EventKind::CustomToolCallInputDelta
                | EventKind::CodeInterpreterCallCodeDelta
                | EventKind::McpCallArgumentsDelta
        )
    }

    /// For tool status events: the `status` they give the output item
    /// (`partial_image` counts as `generating`).
    pub fn tool_status(self) -> Option<&'static str> {
        use EventKind::*;
        Some(match self {
            WebSearchCallInProgress
            | FileSearchCallInProgress
            | CodeInterpreterCallInProgress
            | ImageGenerationCallInProgress
            | McpCallInProgress
            | McpListToolsInProgress => "in_progress",
            WebSearchCallSearching | FileSearchCallSearching => "searching",
            CodeInterpreterCallInterpreting => "interpreting",
            ImageGenerationCallGenerating | ImageGenerationCallPartialImage => "generating",
            WebSearchCallCompleted
            | FileSearchCallCompleted
            | CodeInterpreterCallCompleted
            | ImageGenerationCallCompleted
            | McpCallCompleted
            | McpListToolsCompleted => "completed",
            WebSearchCallFailed
            | FileSearchCallFailed
            | CodeInterpreterCallFailed
            | ImageGenerationCallFailed
            | McpCallFailed
            | McpListToolsFailed => "failed",
            _ => return None,
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str().unwrap_or("(other)"))
    }
}

/// A string field of the event: a byte range into the JSON text when the wire form had no
/// escapes (no copy), else the unescaped copy.
#[derive(Debug, Clone, PartialEq)]
enum StrRef {
    Range(Range<usize>),
    Owned(Box<str>),
}

/// One decoded event of a Responses stream.
#[derive(Debug, Clone)]
pub struct ResponseEvent {
    json: String,
    kind: EventKind,
    /// The type string when it is not a known kind's (`Other`), e.g. a new server event.
    other_type: Option<Box<str>>,
    sequence_number: Option<u64>,
    output_index: Option<u64>,
    content_index: Option<u64>,
    summary_index: Option<u64>,
    annotation_index: Option<u64>,
    item_id: Option<StrRef>,
    /// `delta` for delta events; the final value (`text`, `refusal`, `arguments`, `input`,
    /// `code`) for the matching `*.done` events.
    text: Option<StrRef>,
    /// `response` (lifecycle), `item` (output_item.*), `part` (content_part.*,
    /// reasoning_summary_part.*) or `annotation` (annotation.added).
    payload: Option<Value>,
    /// The normalised error of an `error` event.
    error: Option<Box<ApiError>>,
}

/// Equal when they decode the same data to the same fields (however the strings are stored).
impl PartialEq for ResponseEvent {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
            && self.kind == other.kind
            && self.other_type == other.other_type
            && self.sequence_number == other.sequence_number
            && self.output_index == other.output_index
            && self.content_index == other.content_index
            && self.summary_index == other.summary_index
            && self.annotation_index == other.annotation_index
            && self.item_id() == other.item_id()
            && self.text() == other.text()
            && self.payload == other.payload
            && self.error == other.error
    }
}

impl ResponseEvent {
    /// The event type: the JSON `type`, else the SSE `event:` name (`"message"` when the
    /// stream gave neither).
    pub fn event_type(&self) -> &str {
        match &self.other_type {
            Some(t) => t,
            None => self.kind.as_str().unwrap_or("message"),
        }
    }

    /// The kind of event (`Other` for types this crate does not know).
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// `sequence_number`, when the server sent one (older servers do not).
    pub fn sequence_number(&self) -> Option<u64> {
        self.sequence_number
    }

    /// The data text exactly as received (for `JSON.parse`, or to forward as is). The one
    /// exception: a `keepalive` whose data is not a JSON object (e.g. empty) reads as
    /// `{"type":"keepalive"}`.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Consumes the event, returning its data text without a copy.
    pub fn into_json(self) -> String {
        self.json
    }

    /// Decodes a JSON text that is an event object (e.g. `JSON.stringify` of a plain JS
    /// object given to `ResponseAccumulator.push`). No SSE name: the type must be in the JSON.
    pub fn from_json(text: &str) -> Result<ResponseEvent, Error> {
        match decode_data(text.to_owned(), "message") {
            Ok(Some(ev)) => Ok(ev),
            Ok(None) => {
                Err(Error::stream("expected a Responses stream event object, got no event ([DONE] or empty data)"))
            }
            Err(e) => Err(e),
        }
    }

    /// For `error` events: the error, normalised from the nested form
    /// `{"type":"error","error":{type,code,message,param}}` or the flat form
    /// `{"type":"error",code,message,param}`. `status` is `None`; `body` is the event JSON.
    pub fn error(&self) -> Option<ApiError> {
        self.error.as_deref().cloned()
    }

    /// `response.completed/incomplete/failed` or `error`.
    pub fn is_terminal(&self) -> bool {
        self.kind.is_terminal()
    }

    /// `output_index`, when given as a non-negative integer.
    pub fn output_index(&self) -> Option<u64> {
        self.output_index
    }

    /// `content_index`, when given as a non-negative integer.
    pub fn content_index(&self) -> Option<u64> {
        self.content_index
    }

    /// `summary_index`, when given as a non-negative integer.
    pub fn summary_index(&self) -> Option<u64> {
        self.summary_index
    }

    /// `annotation_index`, when given as a non-negative integer.
    pub fn annotation_index(&self) -> Option<u64> {
        self.annotation_index
    }

    /// `item_id`, when given as a string.
    pub fn item_id(&self) -> Option<&str> {
        self.item_id.as_ref().and_then(|s| self.resolve(s))
    }

    /// The text the event carries for the accumulator: `delta` for the `*.delta` events of
    /// [`EventKind::is_delta`]; the final value for their `*.done` counterparts (`text`,
    /// `refusal`, `arguments`, `input` or `code`). `None` for other events or when missing.
    pub fn text(&self) -> Option<&str> {
        self.text.as_ref().and_then(|s| self.resolve(s))
    }

    /// `response` of a lifecycle event, `item` of `output_item.*`, `part` of `content_part.*`
    /// and `reasoning_summary_part.*`, `annotation` of `output_text.annotation.added`.
    pub fn payload(&self) -> Option<&Value> {
        self.payload.as_ref()
    }

    fn resolve<'s>(&'s self, s: &'s StrRef) -> Option<&'s str> {
        match s {
            StrRef::Range(r) => self.json.get(r.clone()),
            StrRef::Owned(b) => Some(b),
        }
    }

    /// A keepalive whose data is not a JSON object (empty, `ping`, …): its JSON becomes
    /// `{"type":"keepalive"}` so every event's [`json`](Self::json) parses as an object.
    fn keepalive() -> ResponseEvent {
        ResponseEvent {
            json: KEEPALIVE_JSON.to_owned(),
            kind: EventKind::Keepalive,
            other_type: None,
            sequence_number: None,
            output_index: None,
            content_index: None,
            summary_index: None,
            annotation_index: None,
            item_id: None,
            text: None,
            payload: None,
            error: None,
        }
    }
}

const KEEPALIVE_JSON: &str = r#"{"type":"keepalive"}"#;

/// Decodes one SSE event (copies its data; see [`decode_owned`] to avoid the copy).
///
/// `Ok(None)` for `data: [DONE]` and for data that is only whitespace; `keepalive` events
/// are `Some` (type `"keepalive"`, whatever their data; non-JSON data reads as
/// `{"type":"keepalive"}`). Data that is not a JSON object is
/// [`Error::Stream`] with a short excerpt.
pub fn decode(ev: &sse::Event) -> Result<Option<ResponseEvent>, Error> {
    if is_skipped(&ev.data) && ev.event != "keepalive" {
        return Ok(None);
    }
    decode_data(ev.data.clone(), &ev.event)
}

/// Like [`decode`], taking the event by value so its data string becomes the event's JSON
/// without a copy.
pub fn decode_owned(ev: sse::Event) -> Result<Option<ResponseEvent>, Error> {
    decode_data(ev.data, &ev.event)
}

/// The two decoding paths on their own, for differential tests and fuzzing (not a stable API):
/// whatever [`fast`](paths::fast) decodes, [`general`](paths::general) must decode to an equal
/// event.
#[doc(hidden)]
pub mod paths {
    use super::{Error, ResponseEvent};

    /// The one-pass path for `*.delta` events of the usual shape; `None` when it leaves the
    /// text to the general path.
    pub fn fast(data: &str) -> Option<ResponseEvent> {
        super::fast::delta(data.to_owned()).ok()
    }

    /// The general path (serde_json), for a text that starts with `{`.
    pub fn general(data: &str, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
        super::decode_general(data.to_owned(), sse_name)
    }
}

fn is_skipped(data: &str) -> bool {
    let t = data.trim();
    t.is_empty() || t == "[DONE]"
}

fn decode_data(data: String, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    if is_skipped(&data) {
        return Ok(if sse_keepalive { Some(ResponseEvent::keepalive()) } else { None });
    }
    // A derived struct would also accept a JSON array (as a tuple): only objects are events.
    if !data.trim_start().starts_with('{') {
        if sse_keepalive {
            return Ok(Some(ResponseEvent::keepalive()));
        }
        return Err(not_an_object(&data, sse_name));
    }
    // The hot path: a `*.delta` event of the usual shape is read in one pass, without serde
    // (about 3x less work per event in wasm; bench/experiments/decode.mjs). Anything unusual
    // goes on to the general path below, so results are the same either way.
    match fast::delta(data) {
        Ok(ev) => Ok(Some(ev)),
        Err(data) => decode_general(data, sse_name),
    }
}

/// The general path: any event object (after the checks of `decode_data`), parsed as a
/// `serde_json::Value` as `JSON.parse` accepts it ([`lenient`]). Every field is lenient: a value of an unexpected JSON type reads as
/// absent instead of failing the whole event (unknown events must never be fatal). A key given
/// twice counts once, the last value winning, as in `JSON.parse`.
fn decode_general(data: String, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
    let sse_keepalive = sse_name == "keepalive";
    // As `JSON.parse` accepts it: a number beyond f64's range reads as `null`, a lone surrogate
    // escape as U+FFFD (in the `Value` only: `data` stays the event's text).
    let mut obj = match lenient::parse_value(&data) {
        Ok(Value::Object(obj)) => obj,
        // A keepalive's data does not matter.
        _ if sse_keepalive => return Ok(Some(ResponseEvent::keepalive())),
        Ok(_) => return Err(not_an_object(&data, sse_name)),
        Err(e) => return Err(malformed(&data, sse_name, &e)),
    };
    let uint = |key: &str| obj.get(key).and_then(Value::as_u64);
    let (sequence_number, output_index, content_index, summary_index, annotation_index) = (
        uint("sequence_number"),
        uint("output_index"),
        uint("content_index"),
        uint("summary_index"),
        uint("annotation_index"),
    );
    let mut string = |key: &str| match obj.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let ty = string("type");
    let type_name = ty.as_deref().unwrap_or(sse_name);
    let kind = EventKind::from_type(type_name);
    let other_type = match kind {
        EventKind::Other if type_name != "message" => Some(Box::from(type_name)),
        _ => None,
    };
    use EventKind as K;
    let item_id = string("item_id");
    let text = match kind {
        k if k.is_delta() => string("delta"),
        K::OutputTextDone | K::ReasoningSummaryTextDone | K::ReasoningTextDone => string("text"),
        K::RefusalDone => string("refusal"),
        K::FunctionCallArgumentsDone | K::McpCallArgumentsDone => string("arguments"),
        K::CustomToolCallInputDone => string("input"),
        K::CodeInterpreterCallCodeDone => string("code"),
        _ => None,
    };
    let payload = match kind {
        k if k.is_lifecycle() => obj.remove("response"),
        K::OutputItemAdded | K::OutputItemDone => obj.remove("item"),
        K::ContentPartAdded | K::ContentPartDone | K::ReasoningSummaryPartAdded | K::ReasoningSummaryPartDone => {
            obj.remove("part")
        }
        K::OutputTextAnnotationAdded => obj.remove("annotation"),
        _ => None,
    };
    let error = (kind == K::Error).then(|| Box::new(normalise_error(&obj, &data)));
    let owned = |s: Option<String>| s.map(|s| StrRef::Owned(s.into_boxed_str()));
    Ok(Some(ResponseEvent {
        kind,
        other_type,
        sequence_number,
        output_index,
        content_index,
        summary_index,
        annotation_index,
        item_id: owned(item_id),
        text: owned(text),
        // `null` is no payload (as before: an absent or null field).
        payload: payload.filter(|v| !v.is_null()),
        error,
        json: data,
    }))
}

/// The error of an `error` event, from the nested form (`error: {code, message, type, param}`,
/// or `error: "message"`) or the flat one (`code`, `message`, `param` beside `type`).
fn normalise_error(obj: &serde_json::Map<String, Value>, json: &str) -> ApiError {
    let mut e = ApiError { body: Some(json.to_owned()), ..ApiError::default() };
    let text = |o: &serde_json::Map<String, Value>, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    match obj.get("error") {
        Some(Value::Object(nested)) => {
            e.code = nested.get("code").and_then(scalar_string);
            e.error_type = nested.get("type").and_then(scalar_string);
            e.param = nested.get("param").and_then(scalar_string);
            e.message = nested.get("message").and_then(scalar_string).unwrap_or_default();
        }
        Some(Value::String(s)) => e.message = s.clone(),
        _ => {
            e.code = text(obj, "code");
            e.param = text(obj, "param");
            e.message = text(obj, "message").unwrap_or_default();
        }
    }
    if e.message.is_empty() {
        e.message = match &e.code {
            Some(c) => format!("the server sent an error event ({})", excerpt(c, 60)),
            None => "the server sent an error event without a message".to_owned(),
        };
    }
    e
}

/// A string, or a number/bool written as text (some servers send numeric codes).
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn malformed(data: &str, sse_name: &str, e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    // Never use `e`'s Display: for wrong shapes it quotes the input.
    let what = match e.classify() {
        Category::Eof => "truncated JSON",
        Category::Syntax | Category::Io => "invalid JSON",
        Category::Data => "JSON that is not an event object",
    };
    let name = sse_name_part(sse_name);
    Error::stream(format!(
        "malformed event{name}: {what} (line {}, column {}); data begins: {}",
        e.line(),
        e.column(),
        excerpt(data, 60)
    ))
}

fn not_an_object(data: &str, sse_name: &str) -> Error {
    Error::stream(format!(
        "malformed event{}: JSON that is not an event object; data begins: {}",
        sse_name_part(sse_name),
        excerpt(data, 60)
    ))
}

fn sse_name_part(sse_name: &str) -> String {
    if sse_name == "message" {
        String::new()
    } else {
        format!(" `{}`", excerpt(sse_name, 40))
    }
}

/// The first `max_chars` characters of `s` (whole UTF-8 characters, control characters as
/// spaces), with `…` when cut.
pub(crate) fn excerpt(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars.min(s.len()) + 3);
    let mut chars = s.chars();
    for c in chars.by_ref().take(max_chars) {
        out.push(if c.is_control() { ' ' } else { c });
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Fast path for `*.delta` events (nearly every event of a long stream).

mod fast {
    use super::{EventKind, ResponseEvent, StrRef};

    /// serde_json's default recursion limit: deeper values go to the general path.
    const MAX_DEPTH: u32 = 127;

    /// Wire fields the general path reads that a delta event does not use: their presence
    /// (rare) sends the event to the general path, which also reports duplicates of them.
    const OTHER_WIRE_FIELDS: [&[u8]; 13] = [
        b"annotation_index",
        b"text",
        b"refusal",
        b"arguments",
        b"input",
        b"code",
        b"message",
        b"param",
        b"response",
        b"item",
        b"part",
        b"annotation",
        b"error",
    ];

    #[derive(Default)]
    struct Fields {
        ty: Option<(usize, usize)>,
        item_id: Option<StrRef>,
        delta: Option<StrRef>,
        sequence_number: Option<u64>,
        output_index: Option<u64>,
        content_index: Option<u64>,
        summary_index: Option<u64>,
    }

    /// The event, or the data back when this is not a plain delta event or anything about it
    /// is unusual (another type, a field of an unexpected type, a duplicate field, a lone
    /// surrogate escape, invalid JSON, …): then the general path decides.
    pub(super) fn delta(data: String) -> Result<ResponseEvent, String> {
        let Some(f) = scan(&data) else { return Err(data) };
        let Some((ts, te)) = f.ty else { return Err(data) };
        let kind = EventKind::from_type(&data[ts..te]);
        if !kind.is_delta() || f.delta.is_none() {
            return Err(data);
        }
        Ok(ResponseEvent {
            json: data,
            kind,
            other_type: None,
            sequence_number: f.sequence_number,
            output_index: f.output_index,
            content_index: f.content_index,
            summary_index: f.summary_index,
            annotation_index: None,
            item_id: f.item_id,
            text: f.delta,
            payload: None,
            error: None,
        })
    }

    fn is_ws(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\n' | b'\r')
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        i
    }

    /// `i` at an opening quote: (end of the content, index after the closing quote, escaped).
    /// `None` for a control character, an invalid escape, or a `\u` escape of a lone
    /// surrogate (serde_json rejects those; the general path reports it).
    fn string(b: &[u8], i: usize) -> Option<(usize, usize, bool)> {
        let mut j = i + 1;
        let mut escaped = false;
        loop {
            match *b.get(j)? {
                b'"' => return Some((j, j + 1, escaped)),
                b'\\' => {
                    j = match *b.get(j + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j + 2,
                        b'u' => unicode_escape(b, j)?.1,
                        _ => return None,
                    };
                    escaped = true;
                }
                0..=0x1f => return None,
                _ => j += 1,
            }
        }
    }

    /// Four hex digits at `i`.
    pub(super) fn hex4(b: &[u8], i: usize) -> Option<u32> {
        let digits = b.get(i..i + 4)?;
        digits.iter().try_fold(0u32, |n, &d| Some(n * 16 + (d as char).to_digit(16)?))
    }

    /// `i` at the backslash of a `\uXXXX` escape: the character (a surrogate pair taken
    /// together) and the index after the escape(s). `None` for a lone surrogate.
    fn unicode_escape(b: &[u8], i: usize) -> Option<(char, usize)> {
        let hi = hex4(b, i + 2)?;
        match hi {
            0xD800..=0xDBFF => {
                if b.get(i + 6) != Some(&b'\\') || b.get(i + 7) != Some(&b'u') {
                    return None;
                }
                let lo = hex4(b, i + 8)?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                Some((c, i + 12))
            }
            0xDC00..=0xDFFF => None,
            _ => Some((char::from_u32(hi)?, i + 6)),
        }
    }

    /// The unescaped content of the string validated by [`string`] whose content is
    /// `s[start..end]`.
    fn unescape(s: &str, start: usize, end: usize) -> Option<String> {
        let b = s.as_bytes();
        let mut out = String::with_capacity(end - start);
        let (mut i, mut run) = (start, start);
        while i < end {
            if b[i] != b'\\' {
                i += 1;
                continue;
            }
            out.push_str(s.get(run..i)?);
            let (c, next) = match b[i + 1] {
                b'u' => unicode_escape(b, i)?,
                e => (
                    match e {
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        other => other as char, // '"', '\\', '/'
                    },
                    i + 2,
                ),
            };
            out.push(c);
            i = next;
            run = next;
        }
        out.push_str(s.get(run..end)?);
        Some(out)
    }

    /// A JSON number per RFC 8259; the index after it. Its value is not computed: one beyond
    /// `f64`'s range is as good as any other here (the general path reads it as `null`).
    pub(super) fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
        let digits = |b: &[u8], mut i: usize| {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            (i > s).then_some(i)
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match *b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(b, i)?,
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i = digits(b, i + 1)?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits(b, i)?;
        }
        Some(i)
    }

    /// Validates and skips one JSON value starting at `i`; the index after it.
    fn skip(b: &[u8], i: usize, depth: u32) -> Option<usize> {
        match *b.get(i)? {
            b'"' => string(b, i).map(|(_, n, _)| n),
            b't' => b[i..].starts_with(b"true").then_some(i + 4),
            b'f' => b[i..].starts_with(b"false").then_some(i + 5),
            b'n' => b[i..].starts_with(b"null").then_some(i + 4),
            b'[' | b'{' if depth >= MAX_DEPTH => None,
            b'[' => {
                let mut j = ws(b, i + 1);
                if b.get(j) == Some(&b']') {
                    return Some(j + 1);
                }
                loop {
                    j = ws(b, skip(b, j, depth + 1)?);
                    match *b.get(j)? {
                        b',' => j = ws(b, j + 1),
                        b']' => return Some(j + 1),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                let mut j = ws(b, i + 1);
                if b.get(j) == Some(&b'}') {
                    return Some(j + 1);
                }
                loop {
                    if b.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = ws(b, string(b, j)?.1);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = ws(b, skip(b, ws(b, j + 1), depth + 1)?);
                    match *b.get(j)? {
                        b',' => j = ws(b, j + 1),
                        b'}' => return Some(j + 1),
                        _ => return None,
                    }
                }
            }
            _ => number_end(b, i),
        }
    }

    /// A non-negative integer that fits u64 (what the general path reads as `Some`).
    fn uint(b: &[u8], i: usize) -> Option<(u64, usize)> {
        let end = number_end(b, i)?;
        let digits = &b[i..end];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None; // negative, fraction or exponent
        }
        let mut n: u64 = 0;
        for &d in digits {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        Some((n, end))
    }

    /// A string value: a range into `s` when unescaped, else the unescaped copy.
    fn str_ref(s: &str, i: usize) -> Option<(StrRef, usize)> {
        let (end, next, escaped) = string(s.as_bytes(), i)?;
        let r =
            if escaped { StrRef::Owned(unescape(s, i + 1, end)?.into_boxed_str()) } else { StrRef::Range(i + 1..end) };
        Some((r, next))
    }

    fn scan(s: &str) -> Option<Fields> {
        let b = s.as_bytes();
        let mut f = Fields::default();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(b, i + 1);
        if b.get(i) == Some(&b'}') {
            return None;
        }
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let (kend, next, kesc) = string(b, i)?;
            if kesc {
                return None;
            }
            let key = &b[i + 1..kend];
            i = ws(b, next);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(b, i + 1);
            // Each wanted field at most once, with the type the event needs.
            macro_rules! once {
                ($slot:expr, $val:expr) => {{
                    if $slot.is_some() {
                        return None;
                    }
                    let (v, n) = $val?;
                    $slot = Some(v);
                    i = n;
                }};
            }
            match key {
                b"type" => {
                    if b.get(i) != Some(&b'"') {
                        return None;
                    }
                    let (end, n, esc) = string(b, i)?;
                    if esc || f.ty.is_some() {
                        return None;
                    }
                    f.ty = Some((i + 1, end));
                    i = n;
                }
                b"delta" if b.get(i) == Some(&b'"') => once!(f.delta, str_ref(s, i)),
                b"item_id" if b.get(i) == Some(&b'"') => once!(f.item_id, str_ref(s, i)),
                b"sequence_number" => once!(f.sequence_number, uint(b, i)),
                b"output_index" => once!(f.output_index, uint(b, i)),
                b"content_index" => once!(f.content_index, uint(b, i)),
                b"summary_index" => once!(f.summary_index, uint(b, i)),
                b"delta" | b"item_id" => return None,
                k if OTHER_WIRE_FIELDS.contains(&k) => return None,
                _ => i = skip(b, i, 1)?,
            }
            i = ws(b, i);
            match *b.get(i)? {
                b',' => i = ws(b, i + 1),
                b'}' => return (ws(b, i + 1) == b.len()).then_some(f),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::{decode_data, decode_general, fast};

    const SAMPLE: &str = r#"{"type":"response.output_text.delta","content_index":0,"delta":"Mount \"Columbia\"\n","item_id":"msg_0a4b","logprobs":[],"obfuscation":"OnqWc7u","output_index":2,"sequence_number":15}"#;

    fn same(data: &str) {
        let a = decode_data(data.to_owned(), "message");
        let b = decode_general(data.to_owned(), "message");
        // decode_data also rejects non-objects before either path; compare what both see.
        if data.trim_start().starts_with('{') {
            assert_eq!(a, b, "fast and general paths differ on {data:?}");
        }
    }

    #[test]
    fn fast_path_agrees_with_serde_on_edge_cases() {
        for d in [
            SAMPLE,
            r#"{"type":"response.output_text.delta","delta":""}"#,
            r#" {"type" : "response.refusal.delta" , "delta" : "x" , "output_index" : 0 } "#,
            r#"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#,
            r#"{"type":"response.output_text.delta","delta":"\u00e9"}"#,
            r#"{"type":"response.output_text.delta","delta":"\x"}"#,
            r#"{"type":"response.output_text.delta","delta":5}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":-1}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":1.0}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":1e2}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":18446744073709551616}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":01}"#,
            r#"{"type":"response.output_text.delta","delta":"a","output_index":"1"}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":[1,{"y":[true,false,null,-0.5e-3]}]}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":[1,]}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":{"a":1,}}"#,
            r#"{"type":"response.output_text.delta","delta":"a"} x"#,
            r#"{"type":"response.output_text.delta","delta":"a""#,
            r#"{"type":"response.output_text.delta","delta":"a","text":"b"}"#,
            r#"{"type":"response.output_text.delta","delta":"a","response":{}}"#,
            r#"{"type":"response.output_text.done","text":"a"}"#,
            r#"{"type":"something.new","delta":"a"}"#,
            r#"{"type":5,"delta":"a"}"#,
            r#"{"delta":"a"}"#,
            r#"{}"#,
            "{\"type\":\"response.output_text.delta\",\"delta\":\"a\u{1}\"}",
            "{\"type\":\"response.output_text.delta\",\"delta\":\"日本語 🚀\"}",
            // Numbers at the edge of f64's range (serde_json rejects the overflowing ones).
            r#"{"type":"response.output_text.delta","delta":"a","x":1e400}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":-1e400}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":[1E+999]}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":1.7e308}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":1e-400}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":0.5e299}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":1e99999999999999999999999}"#,
        ] {
            same(d);
        }
        let nines = format!(r#"{{"type":"response.output_text.delta","delta":"a","x":{}}}"#, "9".repeat(400));
        same(&nines);
    }

    /// A delta as servers that escape non-ASCII send it (Python's `ensure_ascii`).
    const ESCAPED: &str = r#"{"type":"response.output_text.delta","delta":"caf\u00e9 \ud83d\ude80 \u65e5\/\t","item_id":"m\u0031","output_index":0}"#;

    #[test]
    fn escaped_deltas_take_the_fast_path_and_unescape_like_serde() {
        let ev = fast::delta(ESCAPED.to_owned()).expect("an escaped delta is a plain delta");
        assert_eq!(ev.text(), Some("café 🚀 日/\t"));
        assert_eq!(ev.item_id(), Some("m1"));
        same(ESCAPED);
        for d in [
            r#"{"type":"response.output_text.delta","delta":"\u00E9\u00e9"}"#,
            r#"{"type":"response.output_text.delta","delta":"\ud83d"}"#,
            r#"{"type":"response.output_text.delta","delta":"\ude80"}"#,
            r#"{"type":"response.output_text.delta","delta":"\ud83d\u0041"}"#,
            r#"{"type":"response.output_text.delta","delta":"\ud83dx"}"#,
            r#"{"type":"response.output_text.delta","delta":"\u00g9"}"#,
            r#"{"type":"response.output_text.delta","delta":"\u00e"}"#,
            r#"{"type":"response.output_text.delta","delta":"a","x":"\ud800"}"#,
            r#"{"type":"response.output_text.delta","delta":"\u0000"}"#,
        ] {
            same(d);
        }
        // A lone surrogate is left to the general path (serde_json rejects it).
        assert!(fast::delta(r#"{"type":"response.output_text.delta","delta":"\ud83d"}"#.to_owned()).is_err());
    }

    #[test]
    fn a_repeated_key_counts_once_with_the_last_value_as_in_json_parse() {
        let ev = decode_data(r#"{"type":"response.output_text.done","text":"a","text":"b"}"#.to_owned(), "message")
            .unwrap()
            .unwrap();
        assert_eq!(ev.text(), Some("b"));
        let ev = decode_data(r#"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#.to_owned(), "message")
            .unwrap()
            .unwrap();
        assert_eq!(ev.text(), Some("b"));
    }

    #[test]
    fn fast_path_agrees_with_serde_on_every_truncation_and_byte_change() {
        for sample in [SAMPLE, ESCAPED] {
            mutations(sample);
        }
    }

    fn mutations(sample: &str) {
        let b = sample.as_bytes();
        for n in 0..=b.len() {
            if let Ok(s) = std::str::from_utf8(&b[..n]) {
                same(s);
            }
        }
        for i in 0..b.len() {
            for c in [
                b'"', b'\\', b',', b':', b'{', b'}', b'[', b']', b'0', b'-', b' ', b'x', b'e', b'.', b'u', b'd', b'8',
                b'c',
            ] {
                let mut m = b.to_vec();
                m[i] = c;
                if let Ok(s) = std::str::from_utf8(&m) {
                    same(s);
                }
            }
        }
    }
}
