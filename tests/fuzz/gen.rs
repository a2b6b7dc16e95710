//! Input generators: windows of recorded streams re-serialised as SSE (random line ends, ids,
//! comments, BOM), with event-level mutations (duplicate, drop, reorder, splice between files,
//! swap types), JSON-aware mutations of the data (numbers beyond f64, escapes and lone
//! surrogates, out-of-range indices, deep nesting, members removed/duplicated/renamed) and
//! byte-level mutations (flips, insertions, deletions, duplications, splices, truncation), plus
//! plain random bytes. Every input is a pure function of the PRNG state.

use crate::corpus::Corpus;
use crate::json_spans::{self, Kind};
use crate::rng::Rng;
use crate::targets::Target;

/// Data texts longer than this are used only rarely (per-input work stays small).
const BIG_DATA: usize = 4096;

#[derive(Clone)]
struct Ev {
    name: String,
    data: String,
}

/// One input for `target` (its control header included).
pub fn input(rng: &mut Rng, corpus: &Corpus, target: Target) -> Vec<u8> {
    let (mut out, mutate) = match target {
        Target::Accumulate => return stream_bytes(rng, corpus),
        Target::ToolLoop => return crate::tool_loop::input(rng, corpus),
        Target::Sse | Target::Stream => {
            ([&rng.next_u64().to_le_bytes()[..], &stream_bytes(rng, corpus)].concat(), false)
        }
        Target::Bridge => ([&rng.next_u64().to_le_bytes()[..], &bridge_stream(rng)].concat(), true),
        Target::Decode => ([&[rng.next_u64() as u8][..], data_text(rng, corpus).as_bytes()].concat(), true),
    };
    if mutate && rng.one_in(8) {
        mutate_bytes(rng, corpus, &mut out, 1);
    }
    out
}

fn stream_bytes(rng: &mut Rng, corpus: &Corpus) -> Vec<u8> {
    if rng.one_in(20) {
        return random_bytes(rng);
    }
    let mut evs = window(rng, corpus);
    for _ in 0..rng.small(4) {
        mutate_events(rng, corpus, &mut evs);
    }
    let mut bytes = serialise(rng, &evs);
    if rng.one_in(3) {
        let n = rng.range(1, 3);
        mutate_bytes(rng, corpus, &mut bytes, n);
    }
    bytes
}

/// One event's data: a recorded one (mostly a delta: the fast path) with JSON-aware mutations.
fn data_text(rng: &mut Rng, corpus: &Corpus) -> String {
    if rng.one_in(30) {
        return String::from_utf8_lossy(&random_bytes(rng)).into_owned();
    }
    let mut data = pick_event(rng, corpus).data;
    for _ in 0..rng.small(4) {
        mutate_json(rng, corpus, &mut data);
    }
    data
}

fn pick_event(rng: &mut Rng, corpus: &Corpus) -> Ev {
    for _ in 0..8 {
        let s = rng.pick(&corpus.streams);
        if s.events.is_empty() {
            continue;
        }
        let e = rng.pick(&s.events);
        if e.data.len() <= BIG_DATA || rng.one_in(40) {
            return to_ev(e);
        }
    }
    Ev { name: "message".into(), data: r#"{"type":"response.output_text.delta","delta":"x"}"#.into() }
}

/// A few consecutive events of one recorded stream, often with its first (lifecycle) event
/// before them and its last (terminal) one after; or the stream's skeleton.
fn window(rng: &mut Rng, corpus: &Corpus) -> Vec<Ev> {
    let s = rng.pick(&corpus.streams);
    let all = &s.events;
    if all.is_empty() {
        return vec![pick_event(rng, corpus)];
    }
    if rng.one_in(6) {
        // The stream's skeleton: its lifecycle, item and part events with a few of its deltas,
        // so that the stream completes and the accumulator folds whole items.
        return all
            .iter()
            .filter(|e| e.data.len() <= BIG_DATA * 4)
            .filter(|e| !e.data.contains(".delta\"") || rng.one_in(8))
            .map(to_ev)
            .collect();
    }
    let k = rng.range(1, 10);
    let start = if rng.one_in(2) { 0 } else { rng.below(all.len()) };
    let mut evs: Vec<Ev> = Vec::new();
    if start > 0 && rng.one_in(2) {
        evs.push(to_ev(&all[0]));
    }
    evs.extend(all.iter().skip(start).take(k).filter(|e| e.data.len() <= BIG_DATA || rng.one_in(20)).map(to_ev));
    if rng.one_in(3) {
        if let Some(last) = all.last().filter(|e| e.data.len() <= BIG_DATA * 4) {
            evs.push(to_ev(last));
        }
    }
    evs
}

fn to_ev(e: &cometapi_responses::sse::Event) -> Ev {
    Ev { name: e.event.clone(), data: e.data.clone() }
}

/// SSE text for `evs`: random line ends, `event:`/`id:`/`retry:`/comment lines, a BOM.
fn serialise(rng: &mut Rng, evs: &[Ev]) -> Vec<u8> {
    let eol: &[u8] = match rng.below(10) {
        0..=6 => b"\n",
        7 | 8 => b"\r\n",
        _ => b"\r",
    };
    let mut out = Vec::new();
    if rng.one_in(20) {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let line = |out: &mut Vec<u8>, parts: &[&[u8]]| {
        parts.iter().for_each(|p| out.extend_from_slice(p));
        out.extend_from_slice(eol);
    };
    for e in evs {
        if rng.one_in(20) {
            line(&mut out, &[b": keep-alive"]);
        }
        if rng.one_in(12) {
            line(&mut out, &[format!("id: {}", rng.below(1000)).as_bytes()]);
        }
        if rng.one_in(30) {
            line(&mut out, &[format!("retry: {}", rng.below(100_000)).as_bytes()]);
        }
        if e.name != "message" || rng.one_in(10) {
            line(&mut out, &[b"event: ", e.name.as_bytes()]);
        }
        for l in e.data.split('\n') {
            line(&mut out, &[if rng.one_in(10) { b"data:" } else { b"data: " }, l.as_bytes()]);
        }
        out.extend_from_slice(eol);
    }
    out
}

fn mutate_events(rng: &mut Rng, corpus: &Corpus, evs: &mut Vec<Ev>) {
    if evs.is_empty() {
        evs.push(pick_event(rng, corpus));
        return;
    }
    let i = rng.below(evs.len());
    match rng.below(9) {
        0 => {
            let e = evs[i].clone();
            evs.insert(rng.below(evs.len() + 1), e);
        }
        1 => {
            evs.remove(i);
        }
        2 => {
            let j = rng.below(evs.len());
            evs.swap(i, j);
        }
        3 => {
            let e = pick_event(rng, corpus);
            evs.insert(i, e);
        }
        4 => {
            // Swap the types of two events.
            let j = rng.below(evs.len());
            let (ti, tj) = (type_value(&evs[i].data), type_value(&evs[j].data));
            if let (Some(ti), Some(tj)) = (ti, tj) {
                let (a, b) = (ti.to_owned(), tj.to_owned());
                evs[i].data = evs[i].data.replacen(&a, &b, 1);
                evs[j].data = evs[j].data.replacen(&b, &a, 1);
            }
        }
        5 => evs[i].name = rng.pick(&corpus.types).clone(),
        6 => evs[i].data = rng.pick(&["[DONE]", "", "ping", "{}", "null", " ", "{\"type\":\"keepalive\"}"]).to_string(),
        _ => mutate_json(rng, corpus, &mut evs[i].data),
    }
}

/// `"type":"…"` of a data text, as the quoted value.
fn type_value(data: &str) -> Option<&str> {
    let start = data.find("\"type\":\"")? + 7;
    let len = data.get(start + 1..)?.find('"')? + 2;
    data.get(start..start + len)
}

#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "0", "1", "-1", "-0", "1.5", "1e2", "1e400", "-1e400", "1E+999", "2e308", "1.7976931348623157e308",
    "1.7976931348623159e308", "1e-400", "4294967296", "9007199254740993", "18446744073709551615",
    "18446744073709551616", "-9223372036854775809", "01", "1.", "1e", "-", ".5", "1e99999999999999999999",
];

#[rustfmt::skip]
const STRINGS: &[&str] = &[
    "", "x", "\\ud800", "\\udc00", "a\\ud83d", "\\ud83d\\ude80", "\\ud83d\\u0041", "\\ud83d\\ud83d\\ude80", "\\u0000",
    "\\u00e9", "\\u00g9", "\\u12", "\\\"", "\\\\", "\\/\\b\\f\\n\\r\\t", "\\x", "\\", "\u{1}", "\t", "é日本🚀", "\u{feff}",
    "msg_0", "response.output_text.delta",
];

#[rustfmt::skip]
const INDEX_VALUES: &[&str] = &["0", "1", "2", "7", "999999999", "-1", "1.0", "1e400", "\"0\"", "null", "18446744073709551616"];

const INDEX_KEYS: &[&str] = &["output_index", "content_index", "summary_index", "annotation_index", "sequence_number"];

#[rustfmt::skip]
const KEYS: &[&str] = &[
    "type", "delta", "text", "item_id", "output_index", "content_index", "summary_index", "annotation_index",
    "sequence_number", "response", "item", "part", "annotation", "error", "code", "message", "param", "refusal",
    "arguments", "input", "output", "content", "status", "id", "__proto__",
];

const VALUES: &[&str] =
    &["null", "true", "false", "{}", "[]", "\"x\"", "0", "-1", "[1,2]", "{\"a\":1}", "\"\"", "1e400"];

/// One JSON-aware mutation of `text` (a byte-level one when it has no JSON structure).
pub fn mutate_json(rng: &mut Rng, corpus: &Corpus, text: &mut String) {
    let spans = json_spans::scan(text.as_bytes());
    if spans.values.is_empty() || rng.one_in(12) {
        let mut b = std::mem::take(text).into_bytes();
        mutate_bytes(rng, corpus, &mut b, 1);
        *text = String::from_utf8_lossy(&b).into_owned();
        return;
    }
    let pick_kind = |rng: &mut Rng, kind: Kind| {
        let of: Vec<_> = spans.values.iter().filter(|s| s.kind == kind).collect();
        (!of.is_empty()).then(|| *of[rng.below(of.len())])
    };
    let replace = |text: &mut String, start: usize, end: usize, with: &str| text.replace_range(start..end, with);
    match rng.below(10) {
        0 => {
            if let Some(s) = pick_kind(rng, Kind::Number) {
                let n = if rng.one_in(6) { "9".repeat(rng.range(300, 5000)) } else { rng.pick(NUMBERS).to_string() };
                replace(text, s.start, s.end, &n);
            }
        }
        1 => {
            if let Some(s) = pick_kind(rng, Kind::String) {
                let inner = rng.pick(STRINGS);
                let with = if rng.one_in(2) {
                    format!("\"{inner}\"")
                } else {
                    // Insert into the existing content.
                    let body = &text[s.start + 1..s.end.saturating_sub(1).max(s.start + 1)];
                    let cut = (0..=body.len())
                        .filter(|&c| body.is_char_boundary(c))
                        .nth(rng.below(body.len() + 1))
                        .unwrap_or(0);
                    format!("\"{}{inner}{}\"", &body[..cut], &body[cut..])
                };
                replace(text, s.start, s.end, &with);
            }
        }
        2 => {
            // Deep nesting around a value (at, under and over serde_json's limit of 128).
            let s = *rng.pick(&spans.values);
            let d = *rng.pick(&[1, 2, 125, 126, 127, 128, 129, 300]);
            let (open, close) = if rng.one_in(2) { ("[", "]") } else { ("{\"a\":", "}") };
            let with = format!("{}{}{}", open.repeat(d), &text[s.start..s.end], close.repeat(d));
            replace(text, s.start, s.end, &with);
        }
        3 => {
            let s = *rng.pick(&spans.values);
            let with = if rng.one_in(3) {
                let o = *rng.pick(&spans.values);
                text[o.start..o.end].to_owned()
            } else {
                rng.pick(VALUES).to_string()
            };
            replace(text, s.start, s.end, &with);
        }
        4 | 5 => {
            // An index (or the sequence number) out of range, negative, fractional, a string…
            let of: Vec<_> =
                spans.members.iter().filter(|m| INDEX_KEYS.contains(&&text[m.key.0..m.key.1])).copied().collect();
            if let Some(m) = of.get(rng.below(of.len())) {
                let v = *rng.pick(INDEX_VALUES);
                replace(text, m.value.start, m.value.end, v);
            }
        }
        6 => {
            let of: Vec<_> = spans.members.iter().filter(|m| &text[m.key.0..m.key.1] == "type").copied().collect();
            if let Some(m) = of.get(rng.below(of.len())) {
                let t = format!("\"{}\"", rng.pick(&corpus.types));
                replace(text, m.value.start, m.value.end, &t);
            }
        }
        7 => {
            if let Some(&m) = spans.members.get(rng.below(spans.members.len())) {
                if rng.one_in(2) {
                    // Remove the member (and a comma next to it).
                    let (mut start, mut end) = (m.start, m.end);
                    if text.as_bytes().get(end) == Some(&b',') {
                        end += 1;
                    } else if start > 0 && text.as_bytes().get(start - 1) == Some(&b',') {
                        start -= 1;
                    }
                    replace(text, start, end, "");
                } else {
                    // Duplicate it (JSON.parse: the last one wins).
                    let dup = format!(",{}", &text[m.start..m.end]);
                    text.insert_str(m.end, &dup);
                }
            }
        }
        8 => {
            if let Some(&m) = spans.members.get(rng.below(spans.members.len())) {
                let key = *rng.pick(KEYS);
                replace(text, m.key.0, m.key.1, key);
            }
        }
        _ => {
            // A new member at the start of an object.
            if let Some(s) = pick_kind(rng, Kind::Object) {
                let member = format!("\"{}\":{},", rng.pick(KEYS), rng.pick(VALUES));
                text.insert_str(s.start + 1, &member);
            }
        }
    }
}

#[rustfmt::skip]
const TOKENS: &[&[u8]] = &[
    b"\n", b"\r", b"\r\n", b"\n\n", b":", b": ", b"data: ", b"data:", b"event: ", b"id: ", b"id: \0", b"retry: 5\n",
    b"\xEF\xBB\xBF", b"\xEF\xBB", b"\0", b"\xFF", b"\xC3", b"{", b"}", b"\"", b"\\", b"[DONE]", b",", b"\\u",
    b"\\ud800",
];

/// `n` byte-level mutations of `b`.
pub fn mutate_bytes(rng: &mut Rng, corpus: &Corpus, b: &mut Vec<u8>, n: usize) {
    for _ in 0..n {
        let len = b.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => b[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => b[at.min(len - 1)] = rng.next_u64() as u8,
            2 => {
                let t = rng.pick(TOKENS);
                b.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + rng.small(64)).min(len);
                b.drain(at..end);
            }
            4 => {
                let end = (at + rng.small(256)).min(len);
                let dup = b[at..end].to_vec();
                let to = rng.below(len + 1);
                b.splice(to..to, dup);
            }
            5 => {
                // A splice from another stream.
                let other = &rng.pick(&corpus.streams).bytes;
                let from = rng.below(other.len() + 1);
                let end = (from + rng.small(512)).min(other.len());
                b.splice(at..at, other[from..end].iter().copied());
            }
            6 => b.truncate(at),
            _ => b.insert(at, rng.next_u64() as u8),
        }
    }
}

/// Random bytes, half of them from the SSE and JSON alphabet.
pub fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    const ALPHABET: &[u8] = b"data: event:id:retry\n\r\n{}\":,[]0123456789e-.\\u";
    let len = rng.small(512);
    (0..len).map(|_| if rng.one_in(2) { *rng.pick(ALPHABET) } else { rng.next_u64() as u8 }).collect()
}

/// A stream as bridge servers send it: no `response.created` (mostly), no announcements (often),
/// no sequence numbers (mostly), a new `item_id` per delta or none, reused output indices, parts
/// without `content_index`; data-only frames; maybe a terminal event.
fn bridge_stream(rng: &mut Rng) -> Vec<u8> {
    use serde_json::{json, Value};
    let texts = ["a", "Hé", "{\"k\":", "😀", "", " ", "[1,", "\\"];
    let types = ["message", "function_call", "reasoning", "web_search_call"];
    let mut evs: Vec<Value> = Vec::new();
    if rng.one_in(3) {
        evs.push(json!({"type": "response.created", "response": {"id": "r", "status": "in_progress", "output": []}}));
    }
    let fresh = rng.one_in(2);
    for k in 0..rng.range(1, 40) {
        let mut e = match rng.below(12) {
            0..=3 => json!({"type": "response.output_text.delta", "delta": *rng.pick(&texts)}),
            4 => json!({"type": "response.function_call_arguments.delta", "delta": *rng.pick(&texts)}),
            5 => json!({"type": "response.reasoning_summary_text.delta", "delta": *rng.pick(&texts)}),
            6 => json!({"type": "response.refusal.delta", "delta": *rng.pick(&texts)}),
            7 => {
                let ty = *rng.pick(&types);
                let kind = if rng.one_in(2) { "added" } else { "done" };
                let mut item = json!({"type": ty, "id": format!("i{}", rng.below(4))});
                if ty == "message" && rng.one_in(2) {
                    item["content"] = json!([{"type": "output_text", "text": *rng.pick(&texts), "annotations": []}]);
                }
                json!({"type": format!("response.output_item.{kind}"), "item": item})
            }
            8 => json!({"type": "response.output_text.done", "text": *rng.pick(&texts)}),
            9 => {
                json!({"type": "response.content_part.added", "part": {"type": "output_text", "text": *rng.pick(&texts)}})
            }
            10 => json!({"type": "response.web_search_call.searching"}),
            _ => {
                let n = rng.below(3);
                let output: Vec<Value> =
                    (0..n).map(|i| json!({"type": "message", "id": format!("i{i}"), "content": []})).collect();
                json!({"type": "response.in_progress", "response": {"id": "r", "status": "in_progress", "output": output}})
            }
        };
        if !rng.one_in(4) {
            e["output_index"] = json!(rng.below(3));
        }
        if rng.one_in(2) {
            let id = if fresh { format!("x{k}") } else { format!("i{}", rng.below(4)) };
            e["item_id"] = json!(id);
        }
        if rng.one_in(2) {
            e["content_index"] = json!(rng.below(2));
            e["summary_index"] = json!(rng.below(2));
        }
        if rng.one_in(10) {
            e["sequence_number"] = json!(k);
        }
        evs.push(e);
    }
    if rng.one_in(2) {
        evs.push(json!({"type": "response.completed", "response": {"id": "r", "status": "completed",
            "output": [{"type": "message", "id": "i0", "content": [{"type": "output_text", "text": "end"}]}]}}));
    }
    let mut out = String::new();
    for e in &evs {
        out.push_str("data: ");
        out.push_str(&e.to_string());
        out.push_str("\n\n");
    }
    out.into_bytes()
}
