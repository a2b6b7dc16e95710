//! SSE parser throughput on a realistic Responses API stream.
//!
//! Builds ~5 MB in memory (20,000 `response.output_text.delta` events shaped like the recorded
//! OpenAI streams, between a `response.created` and a `response.completed`) and reports MB/s and
//! events/s for `parse_all`, for feeding in 64-byte and 16 KiB chunks, and for decoding the parsed
//! events into `ResponseEvent`s (`event::decode_owned`: the fast path for the deltas); median of 5 runs.
//!
//! Run: `cargo run --release --example sse_throughput`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a benchmark tool: panics are fine

use std::hint::black_box;
use std::time::{Duration, Instant};

use cometapi_responses::event::decode_owned;
use cometapi_responses::sse::{parse_all, Event, Parser};

const DELTAS: usize = 20_000;
const RUNS: usize = 5;

const WORDS: &[&str] = &[
    " The",
    " tallest",
    " mountain",
    " in",
    " Alberta",
    " is",
    " **Mount",
    " Columbia**",
    ",",
    " at",
    " 3,747",
    " m",
    " (12,294",
    " ft).",
    " It",
    " lies",
    " on",
    " the",
    " border",
    " with",
    " British",
    " Columbia",
    " —",
    " café",
    " 日本",
    " 😀",
    "\\n\\n",
    " \\\"quoted\\\"",
];

fn build_stream() -> Vec<u8> {
    let item = "msg_0a4bc5e23769d65c00696d5e6bade4819d9c681da9ecb436c6";
    let response = |status: &str| {
        format!(
            r#"{{"id":"resp_0a4bc5e23769d65c00696d5e6a3b0c819d8f3e0f6c1f3a2b1c","object":"response","created_at":1768775274,"status":"{status}","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{{"effort":null,"summary":null}},"store":true,"temperature":1.0,"text":{{"format":{{"type":"text"}},"verbosity":"medium"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{{}}}}"#
        )
    };
    let mut s = String::with_capacity(6 << 20);
    let mut seq = 0;
    s.push_str(&format!(
        "event: response.created\ndata: {{\"type\":\"response.created\",\"sequence_number\":{seq},\"response\":{}}}\n\n",
        response("in_progress")
    ));
    for i in 0..DELTAS {
        seq += 1;
        let delta = WORDS[i % WORDS.len()];
        // 16 characters of base-62 "obfuscation" padding, as OpenAI sends.
        let obfuscation: String = (0..16)
            .map(|k| {
                let n = (i * 31 + k * 7) % 62;
                (match n {
                    0..=9 => b'0' + n as u8,
                    10..=35 => b'a' + (n - 10) as u8,
                    _ => b'A' + (n - 36) as u8,
                }) as char
            })
            .collect();
        s.push_str(&format!(
            "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"content_index\":0,\"delta\":\"{delta}\",\"item_id\":\"{item}\",\"logprobs\":[],\"obfuscation\":\"{obfuscation}\",\"output_index\":0,\"sequence_number\":{seq}}}\n\n"
        ));
    }
    seq += 1;
    s.push_str(&format!(
        "event: response.completed\ndata: {{\"type\":\"response.completed\",\"sequence_number\":{seq},\"response\":{}}}\n\n",
        response("completed")
    ));
    s.into_bytes()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn measure(name: &str, bytes: &[u8], mut parse: impl FnMut(&[u8]) -> usize) {
    let expected = DELTAS + 2;
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let events = parse(black_box(bytes));
            let elapsed = start.elapsed();
            assert_eq!(events, expected, "{name}: wrong event count");
            elapsed
        })
        .collect();
    let t = median(times).as_secs_f64();
    println!(
        "{name:<22} {:>9.1} MB/s {:>12.0} events/s   ({:.2} ms)",
        bytes.len() as f64 / 1e6 / t,
        expected as f64 / t,
        t * 1e3
    );
}

fn feed_chunked(bytes: &[u8], size: usize) -> usize {
    let mut parser = Parser::new();
    let mut out = Vec::with_capacity(64);
    let mut count = 0;
    for chunk in bytes.chunks(size) {
        parser.feed(chunk, &mut out).expect("within the size limit");
        count += out.len();
        // A consumer would hand these on; dropping them is part of the cost.
        out.clear();
    }
    parser.finish();
    count
}

fn main() {
    let bytes = build_stream();
    println!("stream: {:.2} MB, {} events (median of {RUNS} runs)", bytes.len() as f64 / 1e6, DELTAS + 2);
    // Warm-up (allocator, caches).
    black_box(parse_all(&bytes).map(|e| e.len()).ok());

    measure("parse_all", &bytes, |b| parse_all(b).expect("within the size limit").len());
    measure("feed, 64 B chunks", &bytes, |b| feed_chunked(b, 64));
    measure("feed, 16 KiB chunks", &bytes, |b| feed_chunked(b, 16 * 1024));
    measure("parse_all + decode", &bytes, |b| {
        parse_all(b).expect("within the size limit").into_iter().filter_map(|e| decode_owned(e).ok().flatten()).count()
    });
    decode_only(&bytes);
}

/// Decoding alone: the parsed events are cloned before the clock starts (`decode_owned` takes them).
fn decode_only(bytes: &[u8]) {
    let events: Vec<Event> = parse_all(bytes).expect("within the size limit");
    let data_len: usize = events.iter().map(|e| e.data.len()).sum();
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let batch = events.clone();
            let start = Instant::now();
            let n = batch.into_iter().filter_map(|e| black_box(decode_owned(e).ok().flatten())).count();
            let elapsed = start.elapsed();
            assert_eq!(n, DELTAS + 2, "decode: wrong event count");
            elapsed
        })
        .collect();
    let t = median(times).as_secs_f64();
    println!(
        "{:<22} {:>9.1} MB/s {:>12.0} events/s   ({:.2} ms, {:.0} ns/event)",
        "decode_owned",
        data_len as f64 / 1e6 / t,
        (DELTAS + 2) as f64 / t,
        t * 1e3,
        t * 1e9 / (DELTAS + 2) as f64
    );
}
