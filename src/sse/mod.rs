//! Incremental Server-Sent Events parser: bytes in (any chunking), events out.
//!
//! This follows the WHATWG HTML Living Standard, §9.2.5 "Parsing an event stream" and §9.2.6
//! "Interpreting an event stream", exactly. The spec's own words are quoted next to the code
//! that implements them (as `spec: "…"`).
//!
//! Properties:
//! - Results never depend on how the bytes are chunked.
//! - Time and memory are linear in the stream length for any chunking: every byte is scanned for
//!   a line end exactly once, complete lines inside a chunk are processed straight from the chunk,
//!   and only the unterminated tail of a chunk is copied (appended) to a line buffer.
//! - An event is delivered by the [`Parser::feed`] call whose chunk completes it.
//! - One event may not grow past [`Parser::max_event_size`] bytes ([`SseError::EventTooLarge`]).
//! - No input can make it panic.
//!
//! ```
//! use cometapi_responses::sse::{Event, Parser};
//!
//! let mut parser = Parser::new();
//! let mut events = Vec::new();
//! parser.feed(b"event: greeting\ndata: hel", &mut events).unwrap();
//! assert!(events.is_empty()); // the event is not complete yet
//! parser.feed(b"lo\n\n", &mut events).unwrap();
//! assert_eq!(
//!     events,
//!     [Event { event: "greeting".into(), data: "hello".into(), last_event_id: String::new() }]
//! );
//! parser.finish();
//! ```
//!
//! The files: this one (the parser's state and its API), `lines` (the line machine: line ends,
//! the BOM, fields, dispatch), `bytes` (the line-end search, lossy UTF-8, `retry` values).

use std::fmt;

use bytes::shrink;

mod bytes;
pub(crate) use bytes::{body_text, push_lossy};
mod lines;

/// Default cap on one event's size (data buffer plus the pending line), in bytes.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// Buffers whose capacity grew beyond this are not kept for reuse after the event or line that
/// needed them, so one huge event does not pin its memory for the rest of a long stream.
const RETAIN_CAPACITY: usize = 64 * 1024;

/// The UTF-8 encoding of U+FEFF BYTE ORDER MARK.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

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
    EventTooLarge {
        /// The configured limit, in bytes (see [`Parser::max_event_size`]).
        limit: usize,
    },
    /// The memory for a line or an event's data could not be allocated (wasm memory is
    /// exhausted): an error instead of an abort that would poison the instance.
    OutOfMemory {
        /// The size of the allocation that failed.
        bytes: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "server-sent event larger than the {limit}-byte limit")
            }
            SseError::OutOfMemory { bytes } => write!(f, "out of memory: cannot hold {bytes} more bytes of an event"),
        }
    }
}

impl std::error::Error for SseError {}

/// Incremental parser: bytes in (any chunking), events out.
///
/// State kept between chunks is small: the unterminated tail of the current line (which is known
/// to contain no CR or LF, so it is never scanned again), whether the previous chunk ended in CR,
/// how much of a leading BOM has been seen, and the spec's buffers.
///
/// # Size limit
///
/// The size of the current event is the length in bytes of its data buffer plus the length of the
/// line being read (without its line end). When it would exceed [`Parser::max_event_size`],
/// [`Parser::feed`] returns [`SseError::EventTooLarge`]. Since the data buffer and the line prefix
/// seen so far do not depend on chunking, neither does the error: it is reported by the first
/// `feed` whose bytes push the event over the limit, after every event completed before that point
/// (in the same chunk too) has been pushed onto `out`.
///
/// After an error the parser is *failed*: the pending line, data buffer and event type buffer are
/// dropped (freeing their memory), and every later `feed` returns the same error without reading
/// its chunk, until [`Parser::finish`] or [`Parser::reset`] makes it usable again. `retry()` and
/// `last_event_id()` keep their values.
#[derive(Debug)]
pub struct Parser {
    max_event_size: usize,
    /// Bytes of a line that started in an earlier chunk and is not terminated yet. Never holds a
    /// CR or LF, so new bytes are the only ones ever scanned for a line end.
    line: Vec<u8>,
    /// spec: "a data buffer, an event type buffer, and a last event ID buffer must be associated
    /// with it. They must be initialized to the empty string."
    data: String,
    event_type: String,
    id_buffer: String,
    /// The last event ID buffer may differ from the last event ID string (an `id` field was
    /// processed, or a new stream began with an empty buffer) since the last dispatch.
    id_changed: bool,
    /// The event source's "last event ID string" (set from the buffer on dispatch).
    last_event_id: String,
    /// The event stream's "reconnection time", in milliseconds, if the stream set one.
    retry: Option<u64>,
    /// How many bytes of a leading BOM have been seen: 0..=2 while undecided, 3 once decided
    /// (BOM stripped, or the stream started with something else).
    bom_seen: u8,
    /// The last byte fed was a CR that ended a line: an LF at the start of the next chunk is the
    /// second half of that CRLF, not a line end of its own.
    after_cr: bool,
    /// A size error happened; see the type docs.
    failed: bool,
    /// The strings of the last event handed out ([`feed_each`](Parser::feed_each)), emptied: the
    /// next event's type and data are written into them, not into new allocations.
    spare_type: String,
    spare_data: String,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A parser with the default event size limit ([`DEFAULT_MAX_EVENT_SIZE`], 16 MiB).
    pub fn new() -> Self {
        Self::with_max_event_size(DEFAULT_MAX_EVENT_SIZE)
    }

    /// A parser whose events (data buffer plus pending line) may not exceed `limit` bytes.
    pub fn with_max_event_size(limit: usize) -> Self {
        Parser {
            max_event_size: limit,
            line: Vec::new(),
            data: String::new(),
            event_type: String::new(),
            id_buffer: String::new(),
            id_changed: false,
            last_event_id: String::new(),
            retry: None,
            bom_seen: 0,
            after_cr: false,
            failed: false,
            spare_type: String::new(),
            spare_data: String::new(),
        }
    }

    /// Sets the event size limit (before anything is fed).
    pub(crate) fn set_max_event_size(&mut self, limit: usize) {
        self.max_event_size = limit;
    }

    /// The configured event size limit, in bytes.
    pub fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// The last valid `retry:` value (the event stream's reconnection time), in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The last event ID string (persists across events; `""` if never set).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Feed one chunk; every event it completes is pushed onto `out`, in order.
    ///
    /// On [`SseError::EventTooLarge`], the events completed before the offending bytes are still
    /// pushed onto `out`, and the parser is failed until [`Parser::finish`] (see the type docs).
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<(), SseError> {
        self.feed_each(chunk, &mut |ev| out.push(std::mem::take(ev)))
    }

    /// Like [`feed`](Self::feed), handing each event to `each` as it completes; the `event` and
    /// `data` strings `each` leaves in it hold the next event's (no allocation per event).
    pub(crate) fn feed_each(&mut self, chunk: &[u8], each: &mut dyn FnMut(&mut Event)) -> Result<(), SseError> {
        if self.failed {
            return Err(self.too_large());
        }
        let result = self.feed_inner(chunk, each);
        if result.is_err() {
            self.failed = true;
            self.release_buffers();
        }
        result
    }

    /// Gives back the memory of the parser's buffers (after [`finish`](Self::finish), or between
    /// streams); the parser stays usable.
    pub fn release_buffers(&mut self) {
        self.line = Vec::new();
        self.data = String::new();
        self.event_type = String::new();
        self.spare_type = String::new();
        self.spare_data = String::new();
    }

    /// End of stream.
    ///
    /// spec: "Once the end of the file is reached, any pending data must be discarded. (If the
    /// file ends in the middle of an event, before the final empty line, the incomplete event is
    /// not dispatched.)" An unterminated last line is discarded with it (it never was a line).
    ///
    /// Then the parser is ready for a new stream: the per-stream state (pending line, CR and BOM
    /// state, data, event type and last event ID *buffers*, a size error) is reset as if freshly
    /// created. The event-source state survives, as it does across an `EventSource`'s
    /// reconnections: [`Parser::retry`] and [`Parser::last_event_id`] keep their values (the next
    /// stream's first dispatch sets the last event ID string from its own, initially empty,
    /// buffer, as the spec says). Use [`Parser::reset`] to clear those too.
    pub fn finish(&mut self) {
        self.line.clear();
        self.data.clear();
        self.event_type.clear();
        self.id_buffer.clear();
        self.id_changed = true;
        self.bom_seen = 0;
        self.after_cr = false;
        self.failed = false;
        shrink(&mut self.line);
        if self.data.capacity() > RETAIN_CAPACITY {
            self.data = String::new();
        }
    }

    /// Back to the freshly created state (same size limit), including `retry` and
    /// `last_event_id`.
    pub fn reset(&mut self) {
        *self = Parser::with_max_event_size(self.max_event_size);
    }
}

/// Parses a whole stream: [`Parser::feed`] then [`Parser::finish`]. For tests and tools.
pub fn parse_all(bytes: &[u8]) -> Result<Vec<Event>, SseError> {
    let mut parser = Parser::new();
    let mut events = Vec::new();
    parser.feed(bytes, &mut events)?;
    parser.finish();
    Ok(events)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn line_buffer_never_holds_a_line_end() {
        let mut p = Parser::new();
        let mut out = Vec::new();
        for chunk in [&b"data: a"[..], b"b\r", b"\ndata: c", b"d", b"\n\n"] {
            p.feed(chunk, &mut out).unwrap();
            assert!(!p.line.contains(&b'\r') && !p.line.contains(&b'\n'));
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].data, "ab\ncd");
    }

    #[test]
    fn a_large_event_name_is_not_kept_for_the_next_events() {
        let mut p = Parser::new();
        let mut body = b"event: ".to_vec();
        body.extend_from_slice(&vec![b'x'; 1 << 20]);
        body.extend_from_slice(b"\ndata: a\n\nevent: ");
        body.extend_from_slice(&vec![b'y'; 1 << 20]);
        body.extend_from_slice(b"\n\n");
        let mut names = Vec::new();
        p.feed_each(&body, &mut |ev| names.push(ev.event.len())).unwrap();
        p.feed_each(b"data: b\n\ndata: c\n\n", &mut |ev| names.push(ev.event.len())).unwrap();
        assert_eq!(names, [1 << 20, 7, 7]);
        assert!(p.spare_type.capacity() <= RETAIN_CAPACITY, "{}", p.spare_type.capacity());
        assert!(p.event_type.capacity() <= RETAIN_CAPACITY, "{}", p.event_type.capacity());
    }
}
