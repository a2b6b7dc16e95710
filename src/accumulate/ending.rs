//! How a stream ended: [`Ending`], decided by the first terminal event.

use serde_json::Value;

use crate::error::ApiError;
use crate::event::{scalar_string, EventKind, ResponseEvent};

/// How the stream ended, so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Ending {
    /// No terminal event yet.
    #[default]
    Pending,
    /// `response.completed`.
    Completed,
    /// `response.incomplete` (see the snapshot's `incomplete_details`).
    Incomplete,
    /// `response.failed`: code/message from `response.error`, `response` = the snapshot JSON
    /// (when the accumulator keeps a snapshot).
    Failed(ApiError),
    /// An `error` event: normalised, `response` = the partial snapshot JSON (when there is one
    /// and the accumulator keeps it).
    Error(ApiError),
}

impl Ending {
    /// Anything but `Pending`.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Ending::Pending)
    }

    /// The ending `ev` decides, if it is a terminal event (the first one decides: the caller
    /// asks only while [`Pending`](Ending::Pending)). `snapshot` gives the snapshot JSON after
    /// the event was applied.
    pub(super) fn of(ev: &ResponseEvent, snapshot: impl FnOnce() -> Option<String>) -> Option<Ending> {
        Some(match ev.kind() {
            EventKind::Completed => Ending::Completed,
            EventKind::Incomplete => Ending::Incomplete,
            EventKind::Failed => Ending::Failed(failed_error(ev.payload(), ev.json(), snapshot())),
            EventKind::Error => {
                let mut e = ev.error().unwrap_or_default();
                e.response = snapshot();
                Ending::Error(e)
            }
            _ => return None,
        })
    }
}

/// The error of a `response.failed` event, from its `response.error`.
fn failed_error(resp: Option<&Value>, body: &str, response: Option<String>) -> ApiError {
    let err = resp.and_then(|r| r.get("error"));
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
