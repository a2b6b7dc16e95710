//! `output_text`: the concatenation, in output order, of the `text` of every `output_text` part
//! of every `message` item (`""` when there are none).
//!
//! In a snapshot it is kept by patches, without the accumulator holding any text: a delta at
//! the end of the text (no part after it has text) is an [`Append`](Patch::Append) of the
//! event's own string; any other change of a text part, of a message or of the whole output is a
//! [`Join`](Patch::Join) of the parts that have text, which the applier concatenates.

use serde_json::Value;

use super::patch::{Key, Patch, Path};
use super::skeleton::{set_aside, type_of, Skeleton};
use crate::error::Error;
use crate::event::{printable_prefix, ResponseEvent};

/// `output_text` of a Response (see the module docs).
pub fn compute_output_text(response: &Value) -> String {
    let mut text = String::new();
    output_texts(response, false, &mut |_, _, t| text.push_str(t));
    text
}

/// Calls `f` with the position (`output[i].content[j]`) and the `text` of every `output_text`
/// part (whose `text` is a string) of every `message` item of a Response, in output order;
/// `parsed`: only those of the text `output_parsed` reads (not of a message set aside by its
/// `phase`).
pub(crate) fn output_texts(response: &Value, parsed: bool, f: &mut dyn FnMut(usize, usize, &str)) {
    let Some(Value::Array(output)) = response.get("output") else { return };
    for (i, item) in output.iter().enumerate() {
        if type_of(item) != Some("message") || (parsed && set_aside(item)) {
            continue;
        }
        let Some(Value::Array(content)) = item.get("content") else { continue };
        for (j, part) in content.iter().enumerate() {
            if let (Some("output_text"), Some(t)) = (type_of(part), text_of(part)) {
                f(i, j, t);
            }
        }
    }
}

/// A Response answer's JSON text parsed as `JSON.parse` reads it (every lone surrogate kept,
/// encoded, when `keep`: see [`crate::event::lenient`]), and the `output_text` to set on it as
/// [`with_output_text`] sets it (`None`: the server's string is kept).
pub(crate) fn parse_response(response_json: &str, keep: bool) -> Result<(Value, Option<String>), Error> {
    use crate::event::lenient::{parse_keeping_surrogates, parse_value};
    let parsed = if keep { parse_keeping_surrogates(response_json) } else { parse_value(response_json) };
    let v = parsed.map_err(|e| {
        Error::stream(format!("malformed Response JSON: {e}; body begins: {}", printable_prefix(response_json, 60)))
    })?;
    if !v.is_object() {
        return Err(Error::stream(format!(
            "expected a Response object; body begins: {}",
            printable_prefix(response_json, 60)
        )));
    }
    let text = match v.get("output") {
        Some(Value::Array(_)) => Some(compute_output_text(&v)),
        _ if matches!(v.get("output_text"), Some(Value::String(_))) => None,
        _ => Some(String::new()),
    };
    Ok((v, text))
}

/// A Response answer's JSON text as a value with `output_text` set (see [`with_output_text`]).
pub(crate) fn response_value(response_json: &str) -> Result<Value, Error> {
    let (mut v, text) = parse_response(response_json, false)?;
    if let (Value::Object(obj), Some(t)) = (&mut v, text) {
        obj.insert("output_text".to_owned(), Value::String(t));
    }
    Ok(v)
}

/// A Response's JSON with `output_text` set, as `create()` answers it.
///
/// When the response has an `output` array, `output_text` is computed from it and
/// *overwrites* any value the server sent: servers are known to send a wrong one (OpenRouter
/// sends `"output_text": ""` next to a non-empty message), and the official SDKs compute it
/// from `output` too. Without an `output` array the server's string is kept, or `""` is set.
/// Not a JSON object → [`Error::Stream`].
pub fn with_output_text(response_json: &str) -> Result<String, Error> {
    serde_json::to_string(&response_value(response_json)?).map_err(|e| Error::stream(format!("cannot serialise: {e}")))
}

/// `output_text` := the concatenation of every part that has text, from the skeleton, whose
/// [`last_text`](Skeleton::last_text) becomes the last of those parts.
pub(super) fn join(skeleton: &mut Skeleton) -> Patch {
    let spans = skeleton.spans(false);
    skeleton.last_text = spans.last().copied();
    let mut from = Vec::new();
    for (i, j) in spans {
        from.push(Path::part_field(i, Key::Content, j, Key::Text));
    }
    Patch::Join { path: Path::output_text(), from }
}

/// After a change of shape (an item or a part replaced or added): `had_text` / `has_text` say
/// whether the changed region added text to `output_text` before / after. Re-joins when it did
/// either way (which keeps [`Skeleton::last_text`] right).
pub(super) fn reshaped(skeleton: &mut Skeleton, had_text: bool, has_text: bool, out: &mut Vec<Patch>) {
    if had_text || has_text {
        out.push(join(skeleton));
    }
}

/// A text event wrote into content part `j` of item `i`, an `output_text` part of a message
/// (its skeleton already updated): the event's field `key` was appended to the part's text, or
/// (`replaced`) replaced a text of length `old_len`; `added` is its length.
pub(super) fn text_written(
    skeleton: &mut Skeleton,
    (i, j): (usize, usize),
    key: Key,
    replaced: bool,
    old_len: usize,
    added: usize,
    out: &mut Vec<Patch>,
) {
    let changed = added > 0 || (replaced && old_len > 0);
    if !changed {
        return;
    }
    if (!replaced || old_len == 0) && skeleton.nothing_after(i, j) {
        out.push(Patch::Append { path: Path::output_text(), key });
        skeleton.last_text = Some((i, j));
    } else {
        out.push(join(skeleton));
    }
}

/// `text` of a part, when a string.
fn text_of(v: &Value) -> Option<&str> {
    v.get("text").and_then(Value::as_str)
}

/// The whole text `output_parsed` reads after `ev` was folded (its `patches`), from `ev` alone:
/// every part of it with text must have been written whole by it (see
/// [`Accumulator::parsed_text_from_event`]).
///
/// [`Accumulator::parsed_text_from_event`]: super::Accumulator::parsed_text_from_event
pub(super) fn from_event(skeleton: &Skeleton, patches: &[Patch], ev: &ResponseEvent) -> Option<String> {
    let mut text = String::new();
    for (i, j) in skeleton.spans(true) {
        let piece = if ev.kind().is_lifecycle() {
            ev.payload()?.get("output")?.get(i)?.get("content")?.get(j).and_then(text_of)
        } else {
            written(patches, ev, i, j)?
        };
        text.push_str(piece?);
    }
    Some(text)
}

/// The text of part `j` of item `i` as the last of `patches` that wrote it took it from `ev`
/// (`None`: none wrote it; `Some(None)`: it has no text). A loop, not `rev().find_map`, whose
/// `try_fold` is a function of its own.
fn written<'e>(patches: &[Patch], ev: &'e ResponseEvent, i: usize, j: usize) -> Option<Option<&'e str>> {
    for p in patches.iter().rev() {
        let found = match p {
            Patch::Take { path, key: Key::Item } if *path == Path::item(i) => {
                // an item without that part: an earlier patch may have written it
                match ev.payload().and_then(|v| v.get("content")?.get(j)) {
                    Some(part) => text_of(part),
                    None => continue,
                }
            }
            Patch::Take { path, key: Key::Part } if *path == Path::part(i, Key::Content, j) => {
                ev.payload().and_then(text_of)
            }
            Patch::Take { path, key: Key::Text } if *path == Path::part_field(i, Key::Content, j, Key::Text) => {
                ev.text()
            }
            _ => continue,
        };
        return Some(found);
    }
    None
}
