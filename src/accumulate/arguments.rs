//! `parsed_arguments` on `function_call` items (openai-node's name): the value of the arguments
//! text, best effort while it streams, exact once the call is done.
//!
//! - While the arguments stream (after `output_item.added`, or a non-terminal lifecycle event
//!   that carries the item), each delta goes to the item's [`PartialJsonParser`] and its ops
//!   become one [`Patch::Nested`] at `output[i].parsed_arguments`: the value grows as the
//!   parser's does (strings as their received prefix, a key once its value has started,
//!   numbers and literals once complete; absent until a value starts).
//! - Once the call is done (`function_call_arguments.done`, `output_item.done`, or a terminal
//!   lifecycle event's output), the final text is parsed from the start: the exact `JSON.parse`
//!   value; `{}` for an empty text (or whitespace: servers send that for tools without
//!   parameters, and the tool loop reads it so); `null` when the text is not valid JSON. Later
//!   deltas of that item change nothing.
//!
//! A parser keeps no text (ops only), so the accumulator's memory does not grow with the
//! arguments; a call that is done has no parser.

use serde_json::Value;

use super::patch::{Key, Patch, Path};
use super::skeleton::Skeleton;
use crate::partial_json::{self, PartialJsonParser};

fn patch(i: usize, ops: String, out: &mut Vec<Patch>) {
    if let Some(p) = Patch::nested(Path::item_field(i, Key::ParsedArguments), ops) {
        out.push(p);
    }
}

fn stop(skeleton: &mut Skeleton, i: usize) {
    skeleton.args.retain(|(at, _)| *at != i);
}

/// A live parser for item `i`, fed `text` (its ops pushed).
fn start(skeleton: &mut Skeleton, i: usize, text: &str, out: &mut Vec<Patch>) {
    let mut parser = PartialJsonParser::ops_only();
    let mut ops = String::new();
    parser.push_with_ops(text, &mut ops);
    patch(i, ops, out);
    skeleton.args.push((i, parser));
}

/// The ops that set the value of a done call's arguments (module docs).
pub(crate) fn done_ops(text: &str) -> String {
    if partial_json::is_blank(text) {
        return r#"[["s",[],{}]]"#.to_owned();
    }
    let mut parser = PartialJsonParser::ops_only();
    let mut ops = String::new();
    parser.push_with_ops(text, &mut ops);
    parser.finish_onto(&mut ops);
    if !parser.is_complete() {
        return r#"[["s",[],null]]"#.to_owned();
    }
    ops
}

/// Item `i` was set whole from `item` (an `output_item.*` event, or a lifecycle event's
/// output); `done`: the call is complete (`output_item.done`, a terminal lifecycle event).
pub(super) fn item_set(skeleton: &mut Skeleton, i: usize, item: &Value, done: bool, out: &mut Vec<Patch>) {
    stop(skeleton, i);
    if !skeleton.items.get(i).is_some_and(|it| it.function_call) {
        return;
    }
    let Some(Value::String(text)) = item.get("arguments") else { return };
    if done {
        patch(i, done_ops(text), out);
    } else {
        start(skeleton, i, text, out);
    }
}

/// A text event wrote item `i`'s `arguments`: `text` was appended to them (a delta onto a
/// string), or replaced them (a delta onto a missing field; `done`: the `.done` event).
pub(super) fn written(skeleton: &mut Skeleton, i: usize, text: &str, appended: bool, done: bool, out: &mut Vec<Patch>) {
    if !skeleton.items.get(i).is_some_and(|it| it.function_call) {
        return;
    }
    if done {
        stop(skeleton, i);
        patch(i, done_ops(text), out);
    } else if !appended {
        stop(skeleton, i);
        start(skeleton, i, text, out);
    } else if let Some((_, parser)) = skeleton.args.iter_mut().find(|(at, _)| *at == i) {
        let mut ops = String::new();
        parser.push_with_ops(text, &mut ops);
        patch(i, ops, out);
    }
}
