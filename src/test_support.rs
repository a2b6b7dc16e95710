//! Not part of the API: internals that the repository's own tests (tests/*.rs and the fuzz targets
//! in tests/fuzz/) check directly because no public item shows them. Hidden from the docs; any
//! release may change or remove them.

use crate::accumulate::Accumulator;
use crate::call::Call;
use crate::error::Error;
use crate::event::ResponseEvent;

/// The accumulator's change counter: it bumps on every push that changed the snapshot (0 before
/// any), which the tests hold to the patches it emits.
pub fn accumulator_version(acc: &Accumulator) -> u64 {
    acc.version()
}

/// The accumulator has a snapshot: a lifecycle event gave it its Response, or an output event
/// started one.
pub fn accumulator_has_response(acc: &Accumulator) -> bool {
    acc.has_response()
}

/// The attempts a call started so far (the retry and resume budgets are counted in them).
pub fn call_attempts(call: &Call) -> u32 {
    call.attempts()
}

/// The two event decoding paths on their own, for differential tests and fuzzing: whatever
/// [`fast`](event_paths::fast) decodes, [`general`](event_paths::general) must decode to an equal
/// event.
pub mod event_paths {
    use super::{Error, ResponseEvent};
    use crate::event::{fast, general};

    /// The one-pass path for events of the usual shape; `None` when it leaves the text to the
    /// general path.
    pub fn fast(data: &str) -> Option<ResponseEvent> {
        fast::decode(data.to_owned(), false).ok()
    }

    /// The general path (serde_json), for a text that starts with `{`.
    pub fn general(data: &str, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
        general::decode_general(data.to_owned(), sse_name, false)
    }

    /// `fast` and `general` as the npm package's stream decodes (a lifecycle event's
    /// `response` keeps only what the core reads).
    pub fn lean(data: &str, sse_name: &str) -> (Option<ResponseEvent>, Result<Option<ResponseEvent>, Error>) {
        (fast::decode(data.to_owned(), true).ok(), general::decode_general(data.to_owned(), sse_name, true))
    }
}
