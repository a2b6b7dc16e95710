//! Builds the Response snapshot from stream events, as a stream of small changes.
//!
//! Every [`Accumulator::push`] decides the changes an event makes and records them as
//! [`Patch`]es; an applier mirrors them — [`Mirror`] on a `serde_json::Value` (what
//! [`Accumulator::new`] keeps for Rust users), the npm package's applier on a JS object (from
//! [`Accumulator::write_patches_json`]; the accumulator then keeps no snapshot:
//! [`Accumulator::without_snapshot`]). The accumulator itself keeps only the snapshot's shape
//! (the skeleton), so its memory does not grow with the text.
//!
//! # The rules
//!
//! The accumulator never fails a stream: what does not fit the snapshot is skipped, and the
//! lifecycle events' `response` is authoritative. (A stream fails for broken bytes or JSON, an
//! oversized event, a truncated body, or the protocol's own `error` / `response.failed` events;
//! the decoder and the stream state machine decide those.)
//!
//! - Lifecycle events (`response.created/queued/in_progress/completed/incomplete/failed`)
//!   replace the snapshot. A *non-terminal* one keeps the output accumulated so far unless its
//!   own has at least as many items and every `id` shown (a server that re-sends `in_progress`
//!   mid-stream with `output: []` or fewer items must not erase what was shown); the terminal
//!   ones carry the
//!   final output and win (unless they have no `output` array at all). One without a
//!   `response` object changes nothing, but a terminal one still decides the ending.
//! - Before any lifecycle event, the first event that writes into the output (an item, part,
//!   text, annotation or tool status event) starts the snapshot as
//!   `{"object": "response", "status": "in_progress", "output": [], "output_text": ""}`
//!   (bridges that never send `response.created`).
//! - Output items keep the server's `output_index` → position mapping. `output_item.*`
//!   replaces the item with the same `id`, else the item announced at its `output_index` unless
//!   that is another item (a different `id` or `type`: a server that reuses an index); else it
//!   appends, and the new item takes over the index (the earlier one keeps its place and id).
//!   An `added` under the id of an item announced at another index, of a function call already
//!   done, or of a done item of another type is another item (a bridge with one placeholder id).
//!   The output of a lifecycle event maps each index to itself.
//! - Other events name their item by `item_id` first, else by `output_index` when the item
//!   there is of the event's item type (bridges send a new `item_id` with every delta of one
//!   item), else (neither given) the last item when it fits. An event for an item never
//!   announced creates it (appended, keyed by its `item_id`): a `message` for text, refusal and
//!   content part events, `reasoning` for reasoning text and summaries, the tool call's type for
//!   arguments, input, code and status events. Annotations create nothing; a text for a part
//!   past the first creates no item.
//! - `content_part.*` and `reasoning_summary_part.*` replace or append in the item's `content`
//!   / `summary` (the array is created when the item has none: OpenRouter's reasoning items
//!   arrive without `content`).
//! - `*.delta` appends to the matching field, `*.done` overwrites it; a text event for the part
//!   right after the last one (index == length) creates that part; one without
//!   `content_index` / `summary_index` writes to the last part when it is of its type, else
//!   creates one.
//! - `output_text.annotation.added` sets `annotations[annotation_index]`; an index past the end
//!   (or none) appends.
//! - Tool status events set the item's `status`.
//! - `function_call` items get `parsed_arguments`: the value of their `arguments`, best effort
//!   while they stream, exact once done (the partial JSON parser's ops under a nested patch; see
//!   `arguments.rs`). It is a field of the snapshot only, never of the API.
//! - Skipped: events naming a part that does not exist (a part index past the end), an
//!   annotation for an item that does not exist, events missing the field they apply, targets
//!   that are not objects or arrays where one is needed; `keepalive`, `response.audio.*` and
//!   unknown events change nothing.
//!
//! The snapshot always carries `output_text` (see [`compute_output_text`]), kept incrementally:
//! a delta at the end of the text costs O(delta).
//!
//! Ending: the first terminal event decides it and later events do not change it (OpenAI sends
//! `error` and then `response.failed`; the stream is over at the first).

mod apply;
mod arguments;
mod ending;
mod mirror;
mod output_text;
pub mod patch;
mod skeleton;
mod text;

use serde_json::Value;

pub use ending::Ending;
pub use mirror::Mirror;
pub use output_text::{compute_output_text, with_output_text};
pub(crate) use output_text::{output_texts, parse_response, response_value};
pub(crate) use patch::RepeatedAppends;
pub use patch::{Key, Patch, Path, Seg};

use crate::event::ResponseEvent;
use skeleton::Skeleton;

/// How an accumulator that keeps a snapshot applies its patches to it.
type Apply = fn(&mut Mirror, &[Patch], &ResponseEvent);

/// Accumulates events into a Response snapshot (or only into patches, see
/// [`without_snapshot`](Self::without_snapshot)).
#[derive(Debug, Clone)]
pub struct Accumulator {
    skeleton: Skeleton,
    /// The last push's patches (the buffer is reused).
    patches: Vec<Patch>,
    /// The snapshot and its applier, when this accumulator keeps one. The applier is called
    /// through a pointer only [`new`](Self::new) takes, so a build that never keeps a snapshot
    /// (the npm package: its snapshot lives in JS) links none of the [`Mirror`]'s code.
    mirror: Option<(Mirror, Apply)>,
    ending: Ending,
    version: u64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Accumulator {
    /// An empty accumulator that keeps the snapshot (none yet, ending `Pending`, version 0).
    pub fn new() -> Self {
        Accumulator { mirror: Some((Mirror::new(), Mirror::apply_all)), ..Self::without_snapshot() }
    }

    /// An accumulator that only records patches (for an applier elsewhere): no snapshot, so
    /// [`snapshot`](Self::snapshot) and [`response_json`](Self::response_json) are `None`,
    /// [`output_text`](Self::output_text) is `""`, and a `Failed` / `Error` ending carries no
    /// snapshot JSON.
    pub fn without_snapshot() -> Self {
        Accumulator {
            skeleton: Skeleton::default(),
            patches: Vec::new(),
            mirror: None,
            ending: Ending::Pending,
            version: 0,
        }
    }

    /// The Response so far (with `output_text`); `None` before the first event that writes
    /// into it (see the module docs), and
    /// always for [`without_snapshot`](Self::without_snapshot).
    pub fn snapshot(&self) -> Option<&Value> {
        self.mirror.as_ref().and_then(|(m, _)| m.value())
    }

    /// The concatenated text of all `output_text` parts of all `message` items so far.
    pub fn output_text(&self) -> &str {
        self.snapshot().and_then(|s| s.get("output_text")).and_then(Value::as_str).unwrap_or_default()
    }

    /// The snapshot serialised as JSON (it includes `output_text`); `None` when there is none.
    pub fn response_json(&self) -> Option<String> {
        self.snapshot().and_then(|v| serde_json::to_string(v).ok())
    }

    /// There is a snapshot: a lifecycle event gave the stream its Response, or an output event
    /// started one.
    pub(crate) fn has_response(&self) -> bool {
        self.skeleton.started
    }

    /// How the stream ended so far.
    pub fn ending(&self) -> &Ending {
        &self.ending
    }

    /// Bumps on every push that changed the snapshot (0 before any).
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// The patches of the last push, in order (empty: it changed nothing).
    pub fn patches(&self) -> &[Patch] {
        &self.patches
    }

    /// Appends the JSON form of the last push's patches to `out` (see [`patch`] for the
    /// encoding).
    pub fn write_patches_json(&self, out: &mut String) {
        patch::write_json(&self.patches, out);
    }

    /// After [`push`](Self::push)ing `ev`: the whole text `output_parsed` reads (that of the
    /// messages no `phase` sets aside), when `ev` carried the text of every one of its parts (a
    /// lifecycle event's output; an item, part or `.done` event when the parts it wrote are the
    /// only ones with text). `None` otherwise.
    pub(crate) fn parsed_text_from_event(&self, ev: &ResponseEvent) -> Option<String> {
        output_text::from_event(&self.skeleton, &self.patches, ev)
    }

    /// The parts of the text `output_parsed` reads, in order: `(item, part)` positions.
    pub(crate) fn parsed_parts(&self) -> Vec<(usize, usize)> {
        self.skeleton.spans(true)
    }

    /// The last push wrote into a message set aside by its `phase`: the text `output_parsed`
    /// reads did not change, whatever `output_text` did.
    pub(crate) fn aside_only(&self) -> bool {
        self.skeleton.touched.and_then(|i| self.skeleton.items.get(i)).is_some_and(|it| it.aside)
    }

    /// Applies one event. Never fails: what does not fit the snapshot is skipped (see the
    /// module docs); the stream's end is decided by the lifecycle and `error` events.
    pub fn push(&mut self, ev: &ResponseEvent) {
        self.patches.clear();
        apply::apply(&mut self.skeleton, ev, &mut self.patches);
        if !self.patches.is_empty() {
            self.version += 1;
            if let Some((m, apply)) = &mut self.mirror {
                apply(m, &self.patches, ev);
            }
        }
        if !self.ending.is_terminal() {
            if let Some(o) = Ending::of(ev, || self.response_json()) {
                self.ending = o;
            }
        }
    }
}
