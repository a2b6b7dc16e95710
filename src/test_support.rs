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

/// The event decoder and an independent reading of the same fields, for differential tests and
/// fuzzing: whatever [`fast`](event_paths::fast) decodes, [`general`](event_paths::general) must
/// decode to an equal event.
pub mod event_paths {
    use super::{Error, ResponseEvent};
    use crate::event::lenient::{parse_keeping_surrogates, parse_value};
    use crate::event::{decode_text, reference};

    /// The decoder, on the events a strict JSON reader decodes alike (a type in the JSON, no lone
    /// surrogate escape to repair); `None` for the others.
    fn strict(data: &str) -> Option<ResponseEvent> {
        let ev = decode_text(data.to_owned(), "message", false).ok().flatten()?;
        (ev.event_type() != "message" && parse_value(data) == parse_keeping_surrogates(data)).then_some(ev)
    }

    /// The decoder, for an event of the usual shape; `None` otherwise.
    pub fn fast(data: &str) -> Option<ResponseEvent> {
        strict(data)
    }

    /// The reference reading (the whole text parsed first, then each field picked), for a text
    /// that starts with `{`.
    pub fn general(data: &str, sse_name: &str) -> Result<Option<ResponseEvent>, Error> {
        reference::decode(data.to_owned(), sse_name, false)
    }

    /// The decoder and the reference reading as the npm package's stream decodes (a lifecycle
    /// event's `response` keeps only what the core reads).
    pub fn lean(data: &str, sse_name: &str) -> Decoded2 {
        (decode_text(data.to_owned(), sse_name, true), reference::decode(data.to_owned(), sse_name, true))
    }

    /// Two decodings of one text.
    pub type Decoded2 = (Result<Option<ResponseEvent>, Error>, Result<Option<ResponseEvent>, Error>);
}

/// The retry policy (src/retry/), whose module is private: the call machine is its only user.
/// Native only: re-exported, its functions would stay whole in the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub mod retry {
    pub use crate::retry::{backoff_ms, delay_ms, parse_http_date, should_retry, Failure, RetryHeaders};
}
