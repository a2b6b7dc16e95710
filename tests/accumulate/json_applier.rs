//! The patch applier as the npm package runs it, written from the encoding's spec alone (not
//! from `Mirror`): it reads the ops from their JSON text and the event's fields from the
//! event's own JSON object (`event[key]`), as JS does after `JSON.parse`.

use serde_json::Value;

/// `v` as an array; `what` names it in the panic.
fn arr<'v>(v: &'v Value, what: &str) -> &'v Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("{what} is not an array: {v}"))
}

/// `v` as a string.
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_owned()
}

/// Applies one push's ops (the parsed JSON array) to `snap`, reading fields from `event`.
pub fn apply(snap: &mut Option<Value>, ops: &Value, event: &Value) {
    for op in arr(ops, "the ops") {
        let op = arr(op, "an op");
        match op[0].as_str().expect("op code") {
            "r" => {
                let mut new = event["response"].clone();
                assert!(new.is_object(), "root from a response object");
                assert!(op[1] == 0 || op[1] == 1, "keep_output is 0 or 1");
                if op[1] == 1 {
                    let old = snap.take().expect("keep_output needs a snapshot");
                    for key in ["output", "output_text"].into_iter().filter(|k| old.get(k).is_some()) {
                        new[key] = old[key].clone();
                    }
                }
                *snap = Some(new);
            }
            "s" => set(snap, &op[1], op[2].clone()),
            // The event's field, when it has it.
            "t" => {
                if let Some(v) = event.get(text(&op[2])) {
                    set(snap, &op[1], v.clone());
                }
            }
            // The event's field (a string), appended.
            "a" => cat(snap, &op[1], &text(&event[text(&op[2])])),
            "c" => cat(snap, &op[1], &text(&op[2])),
            "p" => {
                // Partial-JSON ops whose paths start at op[1].
                for sub in arr(&op[2], "nested ops") {
                    let sub = arr(sub, "a nested op");
                    let path =
                        Value::Array([arr(&op[1], "a path").clone(), arr(&sub[1], "a nested path").clone()].concat());
                    match sub[0].as_str().expect("nested op code") {
                        "s" => set(snap, &path, sub[2].clone()),
                        "c" => cat(snap, &path, &text(&sub[2])),
                        other => panic!("unknown nested op code {other:?}"),
                    }
                }
            }
            // The strings at the paths, joined.
            "j" => {
                let paths = arr(&op[2], "paths").iter();
                let joined: String = paths.filter_map(|p| Some(get(snap.as_mut(), p)?.as_str()?.to_owned())).collect();
                set(snap, &op[1], Value::String(joined));
            }
            other => panic!("unknown op code {other:?}"),
        }
    }
}

fn get<'v>(snap: Option<&'v mut Value>, path: &Value) -> Option<&'v mut Value> {
    let mut v = snap?;
    for seg in path.as_array().expect("a path is an array") {
        v = match seg {
            Value::String(k) => v.as_object_mut()?.get_mut(k)?,
            Value::Number(n) => v.as_array_mut()?.get_mut(n.as_u64().expect("index") as usize)?,
            other => panic!("path step {other}"),
        };
    }
    Some(v)
}

fn set(snap: &mut Option<Value>, path: &Value, value: Value) {
    let segs = path.as_array().expect("a path is an array");
    let Some((last, parent)) = segs.split_last() else {
        *snap = Some(value);
        return;
    };
    let parent = get(snap.as_mut(), &Value::Array(parent.to_vec())).expect("the parent exists");
    match (last, parent) {
        (Value::String(k), Value::Object(o)) => {
            o.insert(k.clone(), value);
        }
        (Value::Number(n), Value::Array(a)) => {
            let i = n.as_u64().expect("index") as usize;
            assert!(i <= a.len(), "index {i} past the end ({})", a.len());
            if i == a.len() {
                a.push(value);
            } else {
                a[i] = value;
            }
        }
        (seg, parent) => panic!("cannot set {seg} in {parent}"),
    }
}

fn cat(snap: &mut Option<Value>, path: &Value, text: &str) {
    match get(snap.as_mut(), path) {
        Some(Value::String(s)) => s.push_str(text),
        other => panic!("append onto a non-string: {other:?}"),
    }
}
