//! Accumulator throughput on a long Responses stream.
//!
//! Builds, in memory, one message of 20,000 `response.output_text.delta` events (~5 MB of SSE,
//! shaped like OpenAI's) with every lifecycle and `.done` event a real stream has, decodes it
//! once, then times `push` over all events (median of 7 runs):
//! - `snapshot`: [`Accumulator::new`], the Rust user's accumulator (keeps a `Value`);
//! - `patches only`: [`Accumulator::without_snapshot`], plus the patches' JSON written into a
//!   reused `String` after every event (what a JS applier would read);
//! - `end to end`: SSE parse + decode + `push` with a snapshot, 16 KiB chunks.
//!
//! Run: `cargo run --release --example accumulate_throughput [-- <part of a row's name>]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use cometapi_responses::accumulate::Accumulator;
use cometapi_responses::event::{decode_owned, ResponseEvent};
use cometapi_responses::sse::Parser;

const DELTAS: usize = 20_000;
const RUNS: usize = 7;

const WORDS: &[&str] = &[" The", " tallest", " mountain", " in", " Alberta", " is", " café", " 日本", " 😀", "\\n\\n"];

fn build_stream() -> (Vec<u8>, usize) {
    let item = "msg_0a4bc5e23769d65c00696d5e6bade4819d9c681da9ecb436c6";
    let response = |status: &str, output: &str| {
        format!(
            r#"{{"id":"resp_0a4bc5e2","object":"response","created_at":1768775274,"status":"{status}","error":null,"incomplete_details":null,"instructions":null,"model":"gpt-4.1-2025-04-14","output":[{output}],"parallel_tool_calls":true,"reasoning":{{"effort":null,"summary":null}},"store":true,"temperature":1.0,"text":{{"format":{{"type":"text"}}}},"tool_choice":"auto","tools":[],"top_p":1.0,"usage":null,"metadata":{{}}}}"#
        )
    };
    let mut text = String::new();
    let mut events = Vec::new();
    events.push(format!(
        r#"{{"type":"response.created","sequence_number":0,"response":{}}}"#,
        response("in_progress", "")
    ));
    events.push(format!(
        r#"{{"type":"response.in_progress","sequence_number":1,"response":{}}}"#,
        response("in_progress", "")
    ));
    events.push(format!(
        r#"{{"type":"response.output_item.added","output_index":0,"item":{{"id":"{item}","type":"message","status":"in_progress","role":"assistant","content":[]}}}}"#
    ));
    events.push(format!(
        r#"{{"type":"response.content_part.added","item_id":"{item}","output_index":0,"content_index":0,"part":{{"type":"output_text","text":"","annotations":[]}}}}"#
    ));
    for i in 0..DELTAS {
        let delta = WORDS.get(i % WORDS.len()).copied().unwrap_or(" ");
        text.push_str(delta);
        events.push(format!(
            r#"{{"type":"response.output_text.delta","content_index":0,"delta":"{delta}","item_id":"{item}","logprobs":[],"obfuscation":"a8Hd0kLs9QpZ2xVb","output_index":0,"sequence_number":{}}}"#,
            i + 2
        ));
    }
    let part = format!(r#"{{"type":"output_text","text":"{text}","annotations":[]}}"#);
    let message =
        format!(r#"{{"id":"{item}","type":"message","status":"completed","role":"assistant","content":[{part}]}}"#);
    events.push(format!(
        r#"{{"type":"response.output_text.done","item_id":"{item}","output_index":0,"content_index":0,"text":"{text}"}}"#
    ));
    events.push(format!(
        r#"{{"type":"response.content_part.done","item_id":"{item}","output_index":0,"content_index":0,"part":{part}}}"#
    ));
    events.push(format!(r#"{{"type":"response.output_item.done","output_index":0,"item":{message}}}"#));
    events.push(format!(r#"{{"type":"response.completed","response":{}}}"#, response("completed", &message)));
    let n = events.len();
    let sse: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    (sse.into_bytes(), n)
}

fn decode_all(bytes: &[u8], chunk: usize) -> Vec<ResponseEvent> {
    let mut parser = Parser::new();
    let mut raw = Vec::new();
    let mut out = Vec::new();
    for c in bytes.chunks(chunk) {
        if parser.feed(c, &mut raw).is_err() {
            break;
        }
        out.extend(raw.drain(..).filter_map(|e| decode_owned(e).ok().flatten()));
    }
    parser.finish();
    out
}

fn measure(name: &str, bytes: usize, events: usize, mut run: impl FnMut() -> usize) {
    // `cargo run --example accumulate_throughput -- <part of a name>`: only those.
    if std::env::args().nth(1).is_some_and(|only| !name.contains(&only)) {
        return;
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .collect();
    times.sort();
    let t = times.get(RUNS / 2).copied().unwrap_or_default().as_secs_f64();
    println!(
        "{name:<24} {:>8.1} MB/s {:>11.0} events/s  ({:.2} ms)",
        bytes as f64 / 1e6 / t,
        events as f64 / t,
        t * 1e3
    );
}

fn main() {
    let (bytes, n) = build_stream();
    let events = decode_all(&bytes, bytes.len());
    assert_eq!(events.len(), n, "every event decodes");
    println!("stream: {:.2} MB, {n} events (median of {RUNS} runs)", bytes.len() as f64 / 1e6);

    measure("push, snapshot", bytes.len(), n, || {
        let mut acc = Accumulator::new();
        for e in &events {
            acc.push(e);
        }
        let text = acc.snapshot().and_then(|s| s.pointer("/output/0/content/0/text")).and_then(|t| t.as_str());
        assert_eq!(Some(acc.output_text()), text);
        acc.output_text().len()
    });
    measure("push, patches only", bytes.len(), n, || {
        let mut acc = Accumulator::without_snapshot();
        let mut json = String::new();
        let mut total = 0;
        for e in &events {
            acc.push(e);
            json.clear();
            acc.write_patches_json(&mut json);
            total += json.len();
        }
        total
    });
    measure("end to end, snapshot", bytes.len(), n, || {
        let mut acc = Accumulator::new();
        for e in decode_all(&bytes, 16 * 1024) {
            acc.push(&e);
        }
        acc.output_text().len()
    });
}
