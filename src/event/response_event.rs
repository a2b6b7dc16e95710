//! [`ResponseEvent`]: one decoded event — its kind, its text exactly as received, and the fields
//! the accumulator reads, each parsed once.

use serde_json::Value;

use super::lenient::StrRef;
use super::EventKind;
use crate::error::{ApiError, Error};

/// One decoded event of a Responses stream.
#[derive(Debug, Clone)]
pub struct ResponseEvent {
    pub(super) json: String,
    pub(super) kind: EventKind,
    /// The type string when it is not a known kind's (`Other`), e.g. a new server event.
    pub(super) other_type: Option<Box<str>>,
    pub(super) sequence_number: Option<u64>,
    pub(super) output_index: Option<u64>,
    pub(super) content_index: Option<u64>,
    pub(super) summary_index: Option<u64>,
    pub(super) annotation_index: Option<u64>,
    pub(super) item_id: Option<StrRef>,
    /// `delta` for delta events; the final value (`text`, `refusal`, `arguments`, `input`,
    /// `code`) for the matching `*.done` events.
    pub(super) text: Option<StrRef>,
    /// `response` (lifecycle), `item` (output_item.*), `part` (content_part.*,
    /// reasoning_summary_part.*) or `annotation` (annotation.added).
    pub(super) payload: Option<Value>,
    /// The normalised error of an `error` event.
    pub(super) error: Option<Box<ApiError>>,
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
        match super::decode_text(text.to_owned(), "message", false) {
            Ok(Some(ev)) => Ok(ev),
            Ok(None) => {
                Err(Error::stream("expected a Responses stream event object, got no event ([DONE] or empty data)"))
            }
            Err(e) => Err(e),
        }
    }

    /// For `error` events: the error, normalised from the nested form
    /// `{"type":"error","error":{type,code,message,param}}` or the flat form
    /// `{"type":"error",code,message,param}`. `status` and `request_id` are `None` unless a proxy
    /// wrote them into the nested object ([`crate::relay`]); `body` is the event JSON.
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
        self.item_id.as_ref().map(|s| s.get(&self.json))
    }

    /// The text the event carries for the accumulator: `delta` for the `*.delta` events of
    /// [`EventKind::is_delta`]; the final value for their `*.done` counterparts (`text`,
    /// `refusal`, `arguments`, `input` or `code`). `None` for other events or when missing.
    pub fn text(&self) -> Option<&str> {
        self.text.as_ref().map(|s| s.get(&self.json))
    }

    /// `response` of a lifecycle event, `item` of `output_item.*`, `part` of `content_part.*`
    /// and `reasoning_summary_part.*`, `annotation` of `output_text.annotation.added`.
    pub fn payload(&self) -> Option<&Value> {
        self.payload.as_ref()
    }

    /// A keepalive whose data is not a JSON object (empty, `ping`, …): its JSON becomes
    /// `{"type":"keepalive"}` so every event's [`json`](Self::json) parses as an object.
    pub(super) fn keepalive() -> ResponseEvent {
        ResponseEvent {
            json: r#"{"type":"keepalive"}"#.to_owned(),
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
