//! What the stream machine writes: the JSON batch the JS wrapper reads, SSE frames for a proxy,
//! and the output text's partial JSON for a `json_schema` stream.
//!
//! # The batch
//!
//! What [`StreamState::take_batch`](super::StreamState::take_batch) returns:
//! `[event, patches, show, (output ops,) event, patches, show, …]`, one per chunk, parsed with
//! one `JSON.parse`.
//!
//! `show` is a [`Show`] and `output ops` is there only for a stream that follows its output text
//! as partial JSON (so an entry is 3 or 4 elements long for the whole stream).
//!
//! One shortcut: an event whose patches are only appends ([`Patch::Append`]) and are exactly
//! those of the previous event written in the same batch has [`PatchesMark::Same`] in place of
//! its patches array ("the same operations again"). In a run of text deltas every event has the
//! same two appends; writing them once per batch keeps `JSON.parse` from building two arrays of
//! paths per delta (docs/performance.md has the measurement). The rule is
//! [`RepeatedAppends`](crate::accumulate::RepeatedAppends), which `ResponseAccumulator` follows too.

use super::{PatchesMark, Show};
use crate::accumulate::{Accumulator, Patch, Path, RepeatedAppends};
use crate::event::ResponseEvent;
use crate::structured::OutputParser;

/// A batch being written.
#[derive(Debug, Default)]
pub(super) struct Batch {
    text: String,
    /// The patches last written in this batch, for the "same operations again" mark.
    sent: RepeatedAppends,
}

impl Batch {
    /// Appends one entry.
    pub(super) fn push(&mut self, json: &str, acc: &Accumulator, show: Show, output_ops: Option<&str>) {
        let b = &mut self.text;
        b.push(if b.is_empty() { '[' } else { ',' });
        b.push_str(json);
        // The codes written as text, each in one piece: `PatchesMark::Same` and the show code.
        const _: () = assert!(PatchesMark::Same as u8 == 1);
        const _: () = assert!(Show::Yield as u8 == 0 && Show::Hide as u8 == 1 && Show::Fail as u8 == 2);
        if self.sent.same_again(acc.patches()) {
            b.push_str(match show {
                Show::Yield => ",1,0",
                Show::Hide => ",1,1",
                Show::Fail => ",1,2",
            });
        } else {
            b.push(',');
            acc.write_patches_json(b);
            b.push_str(match show {
                Show::Yield => ",0",
                Show::Hide => ",1",
                Show::Fail => ",2",
            });
        }
        if let Some(ops) = output_ops {
            b.push(',');
            b.push_str(ops);
        }
    }

    /// Nothing written since the last [`take`](Self::take).
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The batch written since the last call (`None`: nothing).
    pub(super) fn take(&mut self) -> Option<String> {
        if self.text.is_empty() {
            return None;
        }
        self.sent.forget();
        self.text.push(']');
        Some(std::mem::take(&mut self.text))
    }
}

/// After an event was folded: the output text's parser follows the text `output_parsed` reads
/// (`output_text` without the messages a `phase` sets aside) — an append to it feeds the event's
/// own text; a re-join gives it the whole new text when the event carries it; a change only in
/// messages set aside changes nothing — and finishes at the stream's end.
pub(super) fn feed_output_parser(o: &mut OutputParser, acc: &Accumulator, ev: &ResponseEvent, terminal: bool) {
    let mut written = None;
    for p in acc.patches() {
        match p {
            Patch::Append { path, .. } if *path == Path::output_text() => written = Some(written.unwrap_or(true)),
            Patch::Join { path, .. } if *path == Path::output_text() => written = Some(false),
            _ => {}
        }
    }
    if written.is_some() && acc.aside_only() {
        written = None;
    }
    let whole = if written == Some(false) { acc.parsed_text_from_event(ev) } else { None };
    match written {
        Some(true) => o.append(ev.text().unwrap_or_default()),
        Some(false) => o.replace(whole.as_deref()),
        None => o.unchanged(),
    }
    if terminal {
        o.finish(!acc.parsed_parts().is_empty(), whole.as_deref());
    }
}

/// One SSE frame: the `event:` line when the event had one, the data (one `data:` line per line
/// of it), and the blank line.
pub(crate) fn write_frame(out: &mut String, sse_name: &str, data: &str) {
    if !sse_name.is_empty() && sse_name != "message" {
        out.push_str("event: ");
        out.push_str(sse_name);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}
