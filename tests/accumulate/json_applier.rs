//! The patch applier as the npm package runs it, written from the encoding's spec alone (not
//! from `Mirror`): it reads the ops from their JSON text and the event's fields from the
//! event's own JSON object (`event[key]`), as JS does after `JSON.parse`.

use serde_json::Value;

/// Applies one push's ops (the parsed JSON array) to `snap`, reading fields from `event`.
pub fn apply(snap: &mut Option<Value>, ops: &Value, event: &Value) {
    for op in ops.as_array().expect("ops are an array") {
        let op = op.as_array().expect("an op is an array");
        let code = op[0].as_str().expect("op code");
        match code {
            "r" => {
                let mut new = event["response"].clone();
                assert!(new.is_object(), "root from a response object");
                if op[1] == 1 {
                    let old = snap.take().expect("keep_output needs a snapshot");
                    for key in ["output", "output_text"] {
                        if let Some(v) = old.get(key) {
                            new[key] = v.clone();
                        }
                    }
                } else {
                    assert_eq!(op[1], 0, "keep_output is 0 or 1");
                }
                *snap = Some(new);
            }
            "s" => set(snap, &op[1], op[2].clone()),
            "t" => {
                let key = op[2].as_str().expect("key");
                if let Some(v) = event.get(key) {
                    set(snap, &op[1], v.clone());
                }
            }
            "a" => {
                let key = op[2].as_str().expect("key");
                let text = event[key].as_str().expect("appended field is a string").to_owned();
                cat(snap, &op[1], &text);
            }
            "c" => cat(snap, &op[1], op[2].as_str().expect("text")),
            "p" => {
                // Partial-JSON ops whose paths start at op[1].
                let base = op[1].as_array().expect("a path is an array");
                for sub in op[2].as_array().expect("nested ops are an array") {
                    let sub = sub.as_array().expect("a nested op is an array");
                    let mut path = base.clone();
                    path.extend(sub[1].as_array().expect("a nested path").iter().cloned());
                    let path = Value::Array(path);
                    match sub[0].as_str().expect("nested op code") {
                        "s" => set(snap, &path, sub[2].clone()),
                        "c" => cat(snap, &path, sub[2].as_str().expect("text")),
                        other => panic!("unknown nested op code {other:?}"),
                    }
                }
            }
            "j" => {
                let mut text = String::new();
                for p in op[2].as_array().expect("paths") {
                    if let Some(Value::String(s)) = get(snap.as_mut(), p) {
                        text.push_str(s);
                    }
                }
                set(snap, &op[1], Value::String(text));
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
