//! PLACEHOLDER — being written (issue 2). Public API below is the contract.

/// Default cap on one event's size (data buffer plus the pending line), in bytes.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The event type; `"message"` when the stream gave none.
    pub event: String,
    /// The data buffer (lines joined by LF, final LF removed).
    pub data: String,
    /// The last event ID string at dispatch time (`""` if never set).
    pub last_event_id: String,
}

/// Errors the parser can report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseError {
    /// One event (or one line) grew past the configured limit.
    EventTooLarge { limit: usize },
}

/// Incremental parser: bytes in (any chunking), events out.
#[derive(Debug, Default)]
pub struct Parser {}

impl Parser {
    pub fn new() -> Self { Self::default() }
    pub fn with_max_event_size(_limit: usize) -> Self { Self::default() }
    /// Feed one chunk; every event it completes is pushed onto `out`, in order.
    pub fn feed(&mut self, _chunk: &[u8], _out: &mut Vec<Event>) -> Result<(), SseError> { Ok(()) }
    /// End of stream: an unfinished event is discarded (spec). Resets the parser for reuse.
    pub fn finish(&mut self) {}
    /// The last valid `retry:` value, in milliseconds.
    pub fn retry(&self) -> Option<u64> { None }
    /// The last event ID string (persists across events).
    pub fn last_event_id(&self) -> &str { "" }
}
