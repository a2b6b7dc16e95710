//! The line machine of [`Parser`]: line ends, the BOM, fields and dispatch (spec §9.2.6).

use super::bytes::{find_line_end, parse_retry, push_lossy, reserve, shrink};
use super::{Event, Parser, SseError, BOM, RETAIN_CAPACITY};

impl Parser {
    pub(super) fn too_large(&self) -> SseError {
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

    pub(super) fn feed_inner(&mut self, chunk: &[u8], each: &mut dyn FnMut(&mut Event)) -> Result<(), SseError> {
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
            // (`pos` is in bounds: checked, not `split_at`, which panics with a location.)
            let Some((line, tail)) = rest.split_at_checked(pos) else { break };
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
                self.process_line(line, each)?;
            } else {
                self.check_size(self.line.len().saturating_add(line.len()))?;
                // On an error the buffer is dropped: `feed` releases the buffers of a failed parser.
                let mut buf = std::mem::take(&mut self.line);
                reserve(&mut buf, line.len())?;
                buf.extend_from_slice(line);
                self.process_line(&buf, each)?;
                buf.clear();
                self.line = buf;
                shrink(&mut self.line);
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
    fn process_line(&mut self, line: &[u8], each: &mut dyn FnMut(&mut Event)) -> Result<(), SseError> {
        // spec: "If the line is empty (a blank line) — Dispatch the event, as defined below."
        if line.is_empty() {
            self.dispatch(each);
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
                let Some((field, value)) = line.split_at_checked(colon) else { return Ok(()) };
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
    fn dispatch(&mut self, each: &mut dyn FnMut(&mut Event)) {
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
            if self.event_type.capacity() > RETAIN_CAPACITY {
                self.event_type = String::new();
            }
            return;
        }
        // spec 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character,
        // then remove the last character from the data buffer."
        // (`pop`, not `truncate`, whose char-boundary check panics with a location.)
        if self.data.as_bytes().last() == Some(&b'\n') {
            self.data.pop();
        }
        // spec 5: "Initialize event's type attribute to "message", its data attribute to data,
        // […] and its lastEventId attribute to the last event ID string of the event source."
        // spec 6: "If the event type buffer has a value other than the empty string, change the
        // type of the newly created event to equal the value of the event type buffer."
        let spare = std::mem::take(&mut self.spare_type);
        let event = if self.event_type.is_empty() {
            let mut name = spare;
            name.push_str("message");
            name
        } else {
            std::mem::replace(&mut self.event_type, spare)
        };
        // spec 7: "Set the data buffer and the event type buffer to the empty string." The
        // buffers are handed over as they are (no copy); the next event's lines go into the
        // strings the consumer leaves in this one.
        let data = std::mem::replace(&mut self.data, std::mem::take(&mut self.spare_data));
        let mut ev = Event { event, data, last_event_id: self.last_event_id.clone() };
        each(&mut ev);
        // Kept unless large (a buffer over 64 KiB is dropped).
        ev.event.clear();
        ev.data.clear();
        if ev.event.capacity() <= RETAIN_CAPACITY {
            self.spare_type = ev.event;
        }
        if ev.data.capacity() <= RETAIN_CAPACITY {
            self.spare_data = ev.data;
        }
    }
}
