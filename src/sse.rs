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

use std::fmt;

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
        }
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
        if self.failed {
            return Err(self.too_large());
        }
        let result = self.feed_inner(chunk, out);
        if result.is_err() {
            self.failed = true;
            self.line = Vec::new();
            self.data = String::new();
            self.event_type = String::new();
        }
        result
    }

    /// Gives back the memory of the parser's buffers (after [`finish`](Self::finish), or between
    /// streams); the parser stays usable.
    pub fn release_buffers(&mut self) {
        self.line = Vec::new();
        self.data = String::new();
        self.event_type = String::new();
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

    fn too_large(&self) -> SseError {
        SseError::EventTooLarge { limit: self.max_event_size }
    }

    /// Errors when the data buffer plus a pending line of `line_len` bytes is over the limit.
    #[inline]
    fn check_size(&self, line_len: usize) -> Result<(), SseError> {
        if self.data.len().saturating_add(line_len) > self.max_event_size {
            Err(self.too_large())
        } else {
            Ok(())
        }
    }

    fn feed_inner(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<(), SseError> {
        let mut rest = chunk;
        if self.bom_seen < 3 {
            rest = self.skip_bom(rest)?;
        }
        if self.after_cr {
            if let Some((&first, tail)) = rest.split_first() {
                self.after_cr = false;
                // spec: a line ends with "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
                // character pair": the CR ended the previous chunk, this is its LF.
                if first == b'\n' {
                    rest = tail;
                }
            }
        }

        // spec: "The stream must then be parsed by reading everything line by line, with a
        // U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE
        // FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR) character, and a
        // single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)
        // character being the ways in which a line can end."
        while let Some(pos) = find_line_end(rest) {
            let (line, tail) = rest.split_at(pos);
            let ended_by_cr = tail.first() == Some(&b'\r');
            rest = tail.get(1..).unwrap_or_default();
            if ended_by_cr {
                match rest.split_first() {
                    Some((b'\n', after_lf)) => rest = after_lf,
                    Some(_) => {}
                    // The LF, if any, is in the next chunk.
                    None => self.after_cr = true,
                }
            }

            if self.line.is_empty() {
                // The whole line is inside this chunk: process it from the chunk, no copy.
                self.check_size(line.len())?;
                self.process_line(line, out)?;
            } else {
                self.check_size(self.line.len().saturating_add(line.len()))?;
                let mut buf = std::mem::take(&mut self.line);
                if let Err(e) = reserve(&mut buf, line.len()) {
                    self.line = buf;
                    return Err(e);
                }
                buf.extend_from_slice(line);
                let result = self.process_line(&buf, out);
                buf.clear();
                self.line = buf;
                shrink(&mut self.line);
                result?;
            }
        }

        if !rest.is_empty() {
            // The unterminated tail: keep it (it holds no CR/LF, so it is never rescanned).
            self.check_size(self.line.len().saturating_add(rest.len()))?;
            reserve(&mut self.line, rest.len())?;
            self.line.extend_from_slice(rest);
        }
        Ok(())
    }

    /// Strips one leading BOM, even when it is split across chunks.
    ///
    /// spec: "Streams must be decoded using the UTF-8 decode algorithm." — "The UTF-8 decode
    /// algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any." Only at the very start:
    /// any later BOM is decoded as U+FEFF like any other character.
    fn skip_bom<'a>(&mut self, mut rest: &'a [u8]) -> Result<&'a [u8], SseError> {
        while let Some(&expected) = BOM.get(usize::from(self.bom_seen)) {
            let Some((&byte, tail)) = rest.split_first() else {
                return Ok(rest); // undecided: wait for the next chunk
            };
            if byte == expected {
                self.bom_seen += 1;
                rest = tail;
            } else {
                // Not a BOM: the bytes held back so far (EF, or EF BB) start the first line.
                // They are not CR/LF, so they belong in the pending line; decoding that line
                // later turns them into U+FFFD exactly as decoding the whole stream would.
                let held = BOM.get(..usize::from(self.bom_seen)).unwrap_or_default();
                self.bom_seen = 3;
                self.check_size(held.len())?;
                self.line.extend_from_slice(held);
                return Ok(rest);
            }
        }
        Ok(rest)
    }

    /// Processes one complete line (without its line end).
    ///
    /// Decoding: a line is decoded on its own, with replacement (U+FFFD), when its value is used.
    /// That equals decoding the whole stream first, because CR (0x0D) and LF (0x0A) are ASCII and
    /// UTF-8 never uses bytes below 0x80 inside a multi-byte sequence: a line end never splits a
    /// character. A truncated sequence just before a line end gives one U+FFFD either way (the
    /// WHATWG decoder emits U+FFFD and reprocesses the CR/LF; `String::from_utf8_lossy`, which
    /// follows the same "maximal subpart" practice, emits one U+FFFD at the end of the line).
    /// Likewise the ASCII colon and space can be found in the raw bytes, and comparing raw field
    /// names with ASCII names equals comparing decoded ones (a U+FFFD never matches).
    #[inline]
    fn process_line(&mut self, line: &[u8], out: &mut Vec<Event>) -> Result<(), SseError> {
        // spec: "If the line is empty (a blank line) — Dispatch the event, as defined below."
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            // spec: "If the line starts with a U+003A COLON character (:) — Ignore the line."
            Some(0) => return Ok(()),
            // spec: "If the line contains a U+003A COLON character (:) — Collect the characters
            // on the line before the first U+003A COLON character (:), and let field be that
            // string. Collect the characters on the line after the first U+003A COLON character
            // (:), and let value be that string. If value starts with a U+0020 SPACE character,
            // remove it from value."
            Some(colon) => {
                let (field, value) = line.split_at(colon);
                let value = value.get(1..).unwrap_or_default();
                let value = match value.split_first() {
                    Some((b' ', after_space)) => after_space,
                    _ => value,
                };
                (field, value)
            }
            // spec: "Otherwise, the string is not empty but does not contain a U+003A COLON
            // character (:) — Process the field using the steps described below, using the whole
            // line as the field name, and the empty string as the field value."
            None => (line, &[][..]),
        };

        // spec: "The field names must be compared literally, with no case folding performed."
        // (Byte patterns rather than `b"data"` literals: they compile to a length check and a
        // few byte compares instead of a `memcmp` call.)
        match *field {
            // spec: "If the field name is "data" — Append the field value to the data buffer,
            // then append a single U+000A LINE FEED (LF) character to the data buffer."
            [b'd', b'a', b't', b'a'] => {
                if self.data.try_reserve(value.len().saturating_add(1)).is_err() {
                    return Err(SseError::OutOfMemory { bytes: value.len() });
                }
                push_lossy(&mut self.data, value);
                self.data.push('\n');
                // Replacement can make the decoded value longer than its bytes (1 invalid byte
                // becomes the 3 bytes of U+FFFD), so check the buffer itself as well.
                self.check_size(0)?;
            }
            // spec: "If the field name is "event" — Set the event type buffer to field value."
            [b'e', b'v', b'e', b'n', b't'] => {
                self.event_type.clear();
                push_lossy(&mut self.event_type, value);
            }
            // spec: "If the field name is "id" — If the field value does not contain U+0000
            // NULL, then set the last event ID buffer to the field value. Otherwise, ignore the
            // field." (U+0000 is the byte 0x00 in UTF-8, and only that byte. With a NUL the
            // guard fails and the field falls through to the "ignored" arm.)
            [b'i', b'd'] if !value.contains(&0) => {
                self.id_buffer.clear();
                push_lossy(&mut self.id_buffer, value);
                self.id_changed = true;
            }
            // spec: "If the field name is "retry" — If the field value consists of only ASCII
            // digits, then interpret the field value as an integer in base ten, and set the event
            // stream's reconnection time to that integer. Otherwise, ignore the field."
            // An empty value, or one too large for u64, is ignored too.
            [b'r', b'e', b't', b'r', b'y'] => {
                if let Some(ms) = parse_retry(value) {
                    self.retry = Some(ms);
                }
            }
            // spec: "Otherwise — The field is ignored."
            _ => {}
        }
        Ok(())
    }

    /// spec: "When the user agent is required to dispatch the event, …"
    fn dispatch(&mut self, out: &mut Vec<Event>) {
        // spec 1: "Set the last event ID string of the event source to the value of the last
        // event ID buffer. The buffer does not get reset, so the last event ID string of the
        // event source remains set to this value until the next time it is set by the server."
        if self.id_changed {
            self.id_changed = false;
            self.last_event_id.clone_from(&self.id_buffer);
        }
        // spec 2: "If the data buffer is an empty string, set the data buffer and the event type
        // buffer to the empty string and return."
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        // spec 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character,
        // then remove the last character from the data buffer."
        if self.data.ends_with('\n') {
            self.data.pop();
        }
        // spec 5: "Initialize event's type attribute to "message", its data attribute to data,
        // […] and its lastEventId attribute to the last event ID string of the event source."
        // spec 6: "If the event type buffer has a value other than the empty string, change the
        // type of the newly created event to equal the value of the event type buffer."
        let event = if self.event_type.is_empty() { String::from("message") } else { self.event_type.clone() };
        // Small data is copied out (one exact allocation) and the buffer is reused; a large
        // buffer is handed over as is (no copy) and not retained.
        let data =
            if self.data.capacity() > RETAIN_CAPACITY { std::mem::take(&mut self.data) } else { self.data.clone() };
        out.push(Event { event, data, last_event_id: self.last_event_id.clone() });
        // spec 7: "Set the data buffer and the event type buffer to the empty string."
        self.data.clear();
        self.event_type.clear();
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

/// Drops a line buffer that grew past [`RETAIN_CAPACITY`] (called when it is empty).
#[inline]
/// Room for `more` bytes in `buf`, allocated fallibly.
fn reserve(buf: &mut Vec<u8>, more: usize) -> Result<(), SseError> {
    buf.try_reserve(more).map_err(|_| SseError::OutOfMemory { bytes: more })
}

fn shrink(buf: &mut Vec<u8>) {
    if buf.capacity() > RETAIN_CAPACITY {
        *buf = Vec::new();
    }
}

/// Appends `bytes` decoded as UTF-8 with replacement: each maximal invalid subpart becomes one
/// U+FFFD, exactly as `String::from_utf8_lossy` (and the WHATWG UTF-8 decoder) does, without an
/// intermediate allocation.
#[inline]
fn push_lossy(dst: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => dst.push_str(s),
        Err(_) => {
            for piece in bytes.utf8_chunks() {
                dst.push_str(piece.valid());
                if !piece.invalid().is_empty() {
                    dst.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
    }
}

/// A `retry` value: one or more ASCII digits, base ten, that fits in a `u64`.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Index of the first CR or LF in `hay`.
///
/// Word-at-a-time (SWAR) search, eight bytes per step, with no dependency and no `unsafe`. For
/// each word `w`, `x = w ^ repeat(c)` has a zero byte where `w` has byte `c`, and
/// `(x - 0x01…01) & !x & 0x80…80` is non-zero iff `x` has a zero byte; its lowest set bit is in
/// the lowest such byte (borrows only run upwards from a zero byte), which is all we need with a
/// little-endian load.
#[inline]
fn find_line_end(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const CR: u64 = LO * b'\r' as u64;
    const LF: u64 = LO * b'\n' as u64;
    #[inline(always)]
    fn zero_byte_mask(x: u64) -> u64 {
        x.wrapping_sub(LO) & !x & HI
    }

    let mut words = hay.chunks_exact(8);
    let mut offset = 0usize;
    for word in &mut words {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let mask = zero_byte_mask(w ^ CR) | zero_byte_mask(w ^ LF);
        if mask != 0 {
            return Some(offset + (mask.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words.remainder().iter().position(|&b| b == b'\r' || b == b'\n').map(|p| offset + p)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn find_line_end_matches_naive_search() {
        let naive = |h: &[u8]| h.iter().position(|&b| b == b'\r' || b == b'\n');
        // Every position and neighbour byte that could confuse the borrow trick.
        for len in 0..40 {
            for pos in 0..=len {
                for &eol in b"\r\n" {
                    for &fill in &[b'a', 0x0B, 0x0C, 0x0E, 0x09, 0x00, 0x01, 0x8D, 0x8A, 0xFF] {
                        let mut hay = vec![fill; len];
                        if let Some(b) = hay.get_mut(pos) {
                            *b = eol;
                        }
                        assert_eq!(find_line_end(&hay), naive(&hay), "{hay:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn find_line_end_finds_first_of_several() {
        let hay = b"0123456789ab\ncd\r\nef";
        assert_eq!(find_line_end(hay), Some(12));
        assert_eq!(find_line_end(b"\x0b\x0c\x0d\x0a"), Some(2));
        assert_eq!(find_line_end(b"abcdefg\x0b\x0c\x0a"), Some(9));
    }

    #[test]
    fn push_lossy_matches_std() {
        let cases: &[&[u8]] = &[
            b"plain",
            "é日本😀".as_bytes(),
            b"\xEF\xBB",
            b"a\xF0\x9F\x98b",
            b"\xC0\x80\xED\xA0\x80\xFF\xF4\x90\x80\x80",
            b"\xE2\x82",
        ];
        for bytes in cases {
            let mut s = String::from("x");
            push_lossy(&mut s, bytes);
            assert_eq!(s, format!("x{}", String::from_utf8_lossy(bytes)));
        }
    }

    #[test]
    fn parse_retry_rules() {
        assert_eq!(parse_retry(b"0"), Some(0));
        assert_eq!(parse_retry(b"0042"), Some(42));
        assert_eq!(parse_retry(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_retry(b"18446744073709551616"), None);
        assert_eq!(parse_retry(b""), None);
        assert_eq!(parse_retry(b" 1"), None);
        assert_eq!(parse_retry(b"1.5"), None);
        assert_eq!(parse_retry(b"-1"), None);
        assert_eq!(parse_retry("١".as_bytes()), None); // not ASCII
    }

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
    fn failed_parser_rejects_until_finish() {
        let mut p = Parser::with_max_event_size(4);
        let mut out = Vec::new();
        assert_eq!(p.feed(b"data: 12345", &mut out), Err(SseError::EventTooLarge { limit: 4 }));
        assert_eq!(p.feed(b"\n\n", &mut out), Err(SseError::EventTooLarge { limit: 4 }));
        p.finish();
        p.feed(b"data\n\n", &mut out).unwrap();
        assert_eq!(out, [Event { event: "message".into(), data: String::new(), ..Event::default() }]);
        assert_eq!(SseError::EventTooLarge { limit: 4 }.to_string(), "server-sent event larger than the 4-byte limit");
    }
}
