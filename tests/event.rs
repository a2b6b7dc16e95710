#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
//! Native tests of the event decoder (`src/event/`): types, fields, errors, what JSON.parse accepts,
//! and the fast path against the general path.

use cometapi_responses::error::{ApiError, Error};
use cometapi_responses::event::{decode, decode_owned, EventKind, ResponseEvent};
use cometapi_responses::sse::{self, Event};
use cometapi_responses::test_support::event_paths as paths;
use serde_json::{json, Value};

#[path = "common/recordings.rs"]
mod recordings;

fn sse_event(name: &str, data: &str) -> Event {
    Event { event: name.to_owned(), data: data.to_owned(), last_event_id: String::new() }
}

fn dec(name: &str, data: &str) -> Option<ResponseEvent> {
    let e = sse_event(name, data);
    let a = decode(&e).expect("decodes");
    assert_eq!(decode_owned(e).expect("decodes owned"), a, "decode and decode_owned agree");
    a
}

fn dec_json(v: Value) -> ResponseEvent {
    dec("message", &v.to_string()).expect("an event")
}

fn stream_error(name: &str, data: &str) -> String {
    match decode(&sse_event(name, data)) {
        Err(Error::Stream { message, response: None }) => message,
        other => panic!("expected Error::Stream, got {other:?}"),
    }
}

/// The excerpt after "data begins: ".
fn excerpt_of(message: &str) -> &str {
    message.split("data begins: ").nth(1).expect("message has an excerpt")
}

// --- Types

/// The text events: `response.{name}.delta` and `response.{name}.done`, the latter's field with
/// the final value given as `name:field`.
const TEXTS: &str = "output_text:text refusal:refusal function_call_arguments:arguments \
    reasoning_summary_text:text reasoning_text:text custom_tool_call_input:input \
    code_interpreter_call_code:code mcp_call_arguments:arguments";

/// Every event type of the Responses streaming protocol (with `TEXTS`), spelled out (not derived
/// from the enum).
const DOCUMENTED: &str =
    "response.created response.queued response.in_progress response.completed response.incomplete response.failed \
    error keepalive response.output_item.added response.output_item.done response.content_part.added \
    response.content_part.done response.output_text.annotation.added response.reasoning_summary_part.added \
    response.reasoning_summary_part.done response.web_search_call.in_progress \
    response.web_search_call.searching response.web_search_call.completed response.file_search_call.in_progress \
    response.file_search_call.searching response.file_search_call.completed \
    response.code_interpreter_call.in_progress response.code_interpreter_call.interpreting \
    response.code_interpreter_call.completed response.image_generation_call.in_progress \
    response.image_generation_call.generating response.image_generation_call.partial_image \
    response.image_generation_call.completed response.mcp_call.in_progress response.mcp_call.completed \
    response.mcp_call.failed response.mcp_list_tools.in_progress response.mcp_list_tools.completed \
    response.mcp_list_tools.failed response.audio.delta response.audio.done response.audio.transcript.delta \
    response.audio.transcript.done";

/// The text events of `TEXTS`: (type, the field with the text).
fn text_events() -> impl Iterator<Item = (String, &'static str)> {
    TEXTS.split_whitespace().map(|t| t.split_once(':').unwrap()).flat_map(|(name, field)| {
        [(format!("response.{name}.delta"), "delta"), (format!("response.{name}.done"), field)]
    })
}

#[test]
fn event_types_from_the_json_then_the_sse_name() {
    let texts = text_events().map(|(ty, _)| ty);
    for ty in DOCUMENTED.split_whitespace().map(str::to_owned).chain(texts) {
        let ty = ty.as_str();
        let kind = EventKind::from_type(ty);
        assert_ne!(kind, EventKind::Other, "{ty} not recognised");
        assert_eq!(kind.as_str(), Some(ty));
        let data = json!({"type": ty, "sequence_number": 7}).to_string();
        let e = dec("message", &data).unwrap();
        assert_eq!((e.kind(), e.event_type(), e.sequence_number(), e.json()), (kind, ty, Some(7), &*data), "{ty}");
    }
    for kind in EventKind::ALL {
        assert_eq!(EventKind::from_type(kind.as_str().unwrap()), *kind);
    }
    let data =
        r#"{"type":"response.something_new.delta","delta":{"not":"a string"},"output_index":"x","sequence_number":3}"#;
    let e = dec("response.something_new.delta", data).unwrap();
    let read = (e.kind(), e.event_type(), e.sequence_number(), e.json(), e.output_index(), e.is_terminal());
    assert_eq!(read, (EventKind::Other, "response.something_new.delta", Some(3), data, None, false));
    assert_eq!(e.error(), None);
    let kind = |name: &str, data: &str| dec(name, data).unwrap().kind();
    // JSON type wins over the SSE name.
    let delta = kind("response.created", r#"{"type":"response.output_text.delta","delta":"x"}"#);
    assert_eq!(delta, EventKind::OutputTextDelta);
    // No JSON type: the SSE name.
    let e = dec("response.output_text.delta", r#"{"delta":"x","output_index":0,"content_index":0}"#).unwrap();
    let read = (e.kind(), e.event_type(), e.text());
    assert_eq!(read, (EventKind::OutputTextDelta, "response.output_text.delta", Some("x")));
    // A non-string JSON type counts as absent.
    assert_eq!(kind("response.completed", r#"{"type":5,"response":{"output":[]}}"#), EventKind::Completed);
    // Neither: "message", an unknown event.
    let e = dec("message", r#"{"hello":"world"}"#).unwrap();
    assert_eq!((e.kind(), e.event_type()), (EventKind::Other, "message"));
    assert_eq!(dec("custom", r#"{"hello":"world"}"#).unwrap().event_type(), "custom");
}

#[test]
fn sequence_numbers_done_keepalives_terminals_and_the_text_as_received() {
    // sequence_number: optional, and lenient
    assert_eq!(dec_json(json!({"type":"response.created"})).sequence_number(), None);
    assert_eq!(dec_json(json!({"type":"keepalive","sequence_number":0})).sequence_number(), Some(0));
    assert_eq!(dec_json(json!({"type":"keepalive","sequence_number":u64::MAX})).sequence_number(), Some(u64::MAX));
    for bad in [json!(-1), json!(1.5), json!("3"), json!(null), json!([1]), json!({"n":1})] {
        assert_eq!(dec_json(json!({"type":"keepalive","sequence_number":bad})).sequence_number(), None, "{bad}");
    }
    for data in ["[DONE]", " [DONE] ", "", "  \n "] {
        assert!(dec("message", data).is_none(), "{data:?}");
    }
    // keepalive: empty data, JSON data, even junk data.
    for data in ["", "{\"type\":\"keepalive\",\"sequence_number\":4}", "ping", "[DONE]"] {
        let e = dec("keepalive", data).expect("keepalive is an event");
        assert_eq!((e.kind(), e.event_type(), e.is_terminal()), (EventKind::Keepalive, "keepalive", false), "{data:?}");
        // Not JSON: the shell must still be able to JSON.parse it.
        let json = if data.starts_with('{') { data } else { r#"{"type":"keepalive"}"# };
        assert_eq!(e.json(), json);
    }
    assert_eq!(dec("keepalive", "{\"type\":\"keepalive\",\"sequence_number\":4}").unwrap().sequence_number(), Some(4));
    // A keepalive announced only in the JSON.
    assert_eq!(dec_json(json!({"type":"keepalive"})).kind(), EventKind::Keepalive);
    // The JSON is kept exactly as received.
    let data = "{ \"type\" : \"response.output_text.delta\",\n \"delta\":\"a\\u00e9\\n\" , \"x\": 1.50 }";
    let e = dec("message", data).unwrap();
    assert_eq!((e.json(), e.text()), (data, Some("aé\n")));
    assert_eq!(e.clone().into_json(), data);
    let terminal = ["response.completed", "response.incomplete", "response.failed", "error"];
    let other =
        ["response.created", "response.in_progress", "response.queued", "response.output_item.done", "keepalive"];
    for (ty, terminal) in terminal.map(|t| (t, true)).into_iter().chain(other.map(|t| (t, false))) {
        assert_eq!(dec_json(json!({"type": ty})).is_terminal(), terminal, "{ty}");
    }
}

// --- Fields

#[test]
fn text_is_the_delta_or_the_final_value() {
    for (ty, field) in text_events() {
        let mut v = json!({"type": ty, "output_index": 1, "content_index": 2, "summary_index": 3,
            "item_id": "it", "delta": "D", "text": "T", "refusal": "R", "arguments": "A",
            "input": "I", "code": "C"});
        let want = v[field].as_str().unwrap().to_owned();
        let e = dec_json(v.clone());
        assert_eq!(e.text(), Some(want.as_str()), "{ty}");
        let at = (e.output_index(), e.content_index(), e.summary_index(), e.item_id());
        assert_eq!(at, (Some(1), Some(2), Some(3), Some("it")));
        // The wrong JSON type reads as absent.
        v[field] = json!(42);
        assert_eq!(dec_json(v).text(), None, "{ty}");
    }
    // Other events carry no text.
    assert_eq!(dec_json(json!({"type":"response.audio.delta","delta":"AAA"})).text(), None);
}

#[test]
fn payloads_and_indices() {
    // [event, its payload]
    let cases = json!([
        [{"type":"response.created","response":{"id":"r","output":[]}}, {"id":"r","output":[]}],
        [{"type":"response.output_item.added","output_index":0,"item":{"type":"message"}}, {"type":"message"}],
        [{"type":"response.content_part.done","part":{"type":"output_text"}}, {"type":"output_text"}],
        [{"type":"response.reasoning_summary_part.added","part":{"type":"summary_text"}}, {"type":"summary_text"}],
        [{"type":"response.output_text.annotation.added","annotation_index":2,"annotation":{"type":"url_citation"}},
            {"type":"url_citation"}],
        [{"type":"response.output_text.delta","delta":"x","item":{"a":1}}, null],
    ]);
    for case in cases.as_array().unwrap() {
        let want = Some(&case[1]).filter(|w| !w.is_null());
        assert_eq!(dec_json(case[0].clone()).payload(), want, "{}", case[0]);
    }
    assert_eq!(dec_json(cases[4][0].clone()).annotation_index(), Some(2));
    // Negative and fractional indices read as absent.
    let e =
        dec("message", r#"{"type":"response.output_text.delta","output_index":-1,"content_index":2.0,"delta":"x"}"#);
    assert_eq!(e.map(|e| (e.output_index(), e.content_index())), Some((None, None)));
}

// --- The fast path (delta events) against the general path

const SAMPLE: &str = r#"{"type":"response.output_text.delta","content_index":0,"delta":"Mount \"Columbia\"\n","item_id":"msg_0a4b","logprobs":[],"obfuscation":"OnqWc7u","output_index":2,"sequence_number":15}"#;

/// `decode_owned` (the fast path when it takes the text) and the general path agree.
fn same(data: &str) {
    let a = decode_owned(sse_event("message", data));
    let b = paths::general(data, "message");
    // decode_owned also rejects non-objects before either path; compare what both see.
    if data.trim_start().starts_with('{') {
        assert_eq!(a, b, "fast and general paths differ on {data:?}");
    }
}

#[test]
fn fast_path_agrees_with_the_general_path() {
    // A delta event of the given `"delta":` value and further members.
    let d = |rest: &str| format!(r#"{{"type":"response.output_text.delta","delta":{rest}}}"#);
    #[rustfmt::skip]
    let cases: Vec<String> = vec![
        SAMPLE.into(), d(r#""""#),
        r#" {"type" : "response.refusal.delta" , "delta" : "x" , "output_index" : 0 } "#.into(),
        d(r#""a","delta":"b""#), d(r#""\u00e9""#), d(r#""\x""#), d(r#"5"#), d(r#""a","output_index":-1"#),
        d(r#""a","output_index":1.0"#), d(r#""a","output_index":1e2"#), d(r#""a","output_index":18446744073709551616"#),
        d(r#""a","output_index":01"#), d(r#""a","output_index":"1""#),
        d(r#""a","x":[1,{"y":[true,false,null,-0.5e-3]}]"#), d(r#""a","x":[1,]"#), d(r#""a","x":{"a":1,}"#),
        r#"{"type":"response.output_text.delta","delta":"a"} x"#.into(),
        r#"{"type":"response.output_text.delta","delta":"a""#.into(), d(r#""a","text":"b""#), d(r#""a","response":{}"#),
        r#"{"type":"response.output_text.done","text":"a"}"#.into(), r#"{"type":"something.new","delta":"a"}"#.into(),
        r#"{"type":5,"delta":"a"}"#.into(), r#"{"delta":"a"}"#.into(), r#"{}"#.into(),
        "{\"type\":\"response.output_text.delta\",\"delta\":\"a\u{1}\"}".into(),
        "{\"type\":\"response.output_text.delta\",\"delta\":\"日本語 🚀\"}".into(),
        // Numbers at the edge of f64's range (both paths take the overflowing ones).
        d(r#""a","x":1e400"#), d(r#""a","x":-1e400"#), d(r#""a","x":[1E+999]"#), d(r#""a","x":1.7e308"#),
        d(r#""a","x":1e-400"#), d(r#""a","x":0.5e299"#), d(r#""a","x":1e99999999999999999999999"#),
    ];
    cases.iter().for_each(|d| same(d));
    let nines = format!(r#"{{"type":"response.output_text.delta","delta":"a","x":{}}}"#, "9".repeat(400));
    same(&nines);
    let ev = paths::fast(ESCAPED).expect("an escaped delta is a plain delta");
    assert_eq!(ev.text(), Some("café 🚀 日/\t"));
    assert_eq!(ev.item_id(), Some("m1"));
    #[rustfmt::skip]
    let cases: Vec<String> = vec![
        d(r#""\u00E9\u00e9""#), d(r#""\ud83d""#), d(r#""\ude80""#), d(r#""\ud83d\u0041""#), d(r#""\ud83dx""#),
        d(r#""\u00g9""#), d(r#""\u00e""#), d(r#""a","x":"\ud800""#), d(r#""\u0000""#),
    ];
    cases.iter().for_each(|d| same(d));
    // A lone surrogate is left to the general path (which reads it as U+FFFD).
    assert!(paths::fast(r#"{"type":"response.output_text.delta","delta":"\ud83d"}"#).is_none());
    let ev = dec("message", r#"{"type":"response.output_text.done","text":"a","text":"b"}"#).unwrap();
    assert_eq!(ev.text(), Some("b"));
    let ev = dec("message", r#"{"type":"response.output_text.delta","delta":"a","delta":"b"}"#).unwrap();
    assert_eq!(ev.text(), Some("b"));
    for sample in [SAMPLE, ESCAPED] {
        mutations(sample);
    }
    // A `type` after the members it decides (the decoder reads from the SSE name, then again).
    #[rustfmt::skip]
    let late = [
        r#"{"delta":"a","type":"response.output_text.delta"}"#, r#"{"item":{"id":"i"},"type":"response.output_item.added"}"#,
        r#"{"type":"response.output_text.delta","delta":"a","type":"response.output_text.done","text":"b"}"#,
        r#"{"text":"b","type":"response.output_text.done","delta":"a","type":"response.refusal.delta"}"#,
        r#"{"type":"response.created","response":{"id":"r"},"type":5}"#, r#"{"part":null,"part":{},"type":"x","type":"response.content_part.added"}"#,
    ];
    for (data, name) in late
        .iter()
        .flat_map(|d| ["message", "response.output_text.delta", "response.output_item.added"].map(|n| (d, n)))
    {
        assert_eq!(decode_owned(sse_event(name, data)), paths::general(data, name), "{name}: {data}");
        let (lean, reference) = paths::lean(data, name);
        assert_eq!(lean, reference, "{name}: {data}");
    }
}

/// A delta as servers that escape non-ASCII send it (Python's `ensure_ascii`).
const ESCAPED: &str = r#"{"type":"response.output_text.delta","delta":"caf\u00e9 \ud83d\ude80 \u65e5\/\t","item_id":"m\u0031","output_index":0}"#;

fn mutations(sample: &str) {
    let b = sample.as_bytes();
    for n in 0..=b.len() {
        if let Ok(s) = std::str::from_utf8(&b[..n]) {
            same(s);
        }
    }
    for i in 0..b.len() {
        for &c in b"\"\\,:{}[]0- xe.ud8c" {
            let mut m = b.to_vec();
            m[i] = c;
            if let Ok(s) = std::str::from_utf8(&m) {
                same(s);
            }
        }
    }
}

// --- What JSON.parse accepts and serde_json does not: numbers beyond f64, lone surrogate escapes

/// Numbers JSON.parse reads as ±Infinity and serde_json's `Value` refuses.
fn out_of_range_numbers() -> Vec<String> {
    let long = ["9".repeat(5000), format!("-{}", "1".repeat(400)), format!("{}.5e10", "7".repeat(320))];
    ["1e400", "-1e400", "1E+999", "2e308", "-9.9e99999999999999999999"]
        .map(String::from)
        .into_iter()
        .chain(long)
        .collect()
}

/// Events of every shape the accumulator reads; `N` marks a number it does not read.
const SHAPES: &[&str] = &[
    r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[{"p":N}],"x":N}"#,
    r#"{"type":"response.reasoning_summary_text.delta","summary_index":1,"output_index":2,"item_id":"r","delta":"d","obfuscation":N}"#,
    r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","object":"response","status":"in_progress","temperature":N,"output":[],"metadata":{"n":[N,N]}}}"#,
    r#"{"type":"response.completed","sequence_number":9,"response":{"id":"r","status":"completed","output":[{"type":"message","content":[]}],"usage":{"input_tokens":N}}}"#,
    r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"m1","type":"message","content":[],"score":N}}"#,
    r#"{"type":"response.content_part.added","output_index":0,"content_index":0,"item_id":"m1","part":{"type":"output_text","text":"","weight":N}}"#,
    r#"{"type":"response.output_text.annotation.added","output_index":0,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation","start_index":N}}"#,
    r#"{"type":"response.output_text.done","output_index":0,"content_index":0,"item_id":"m1","text":"Hi","x":N}"#,
    r#"{"type":"response.function_call_arguments.done","output_index":1,"item_id":"fc","arguments":"{}","x":N}"#,
    r#"{"type":"error","sequence_number":3,"error":{"type":"server_error","code":"c","message":"m","param":null,"n":N}}"#,
    r#"{"type":"response.something_new","sequence_number":5,"value":N}"#,
];

/// The fields the accumulator reads, as comparable values.
fn fields(e: &ResponseEvent) -> impl PartialEq + std::fmt::Debug {
    (
        (e.kind(), e.event_type().to_owned(), e.sequence_number()),
        (e.output_index(), e.content_index(), e.summary_index(), e.annotation_index()),
        (e.item_id().map(str::to_owned), e.text().map(str::to_owned), e.payload().cloned()),
        // the body is the event's own text
        e.error().map(|err| ApiError { body: None, ..err }),
    )
}

#[test]
fn numbers_beyond_f64_and_lone_surrogate_escapes() {
    // A number beyond f64's range decodes, keeps its text, and reads as the same event with `null` there.
    for shape in SHAPES {
        let with_null = dec("message", &shape.replace('N', "null")).expect("an event");
        for n in out_of_range_numbers() {
            let data = shape.replace('N', &n);
            let e = dec("message", &data).unwrap_or_else(|| panic!("{data}"));
            assert_eq!(e.json(), data, "the text is kept as received");
            assert_eq!(fields(&e), fields(&with_null), "{data}");
            // Also through from_json (ResponseAccumulator.push of a JSON text).
            assert_eq!(fields(&ResponseEvent::from_json(&data).expect("decodes")), fields(&with_null));
        }
    }
    // In a field the accumulator reads as an integer: absent, as any non-integer is.
    let data = r#"{"type":"response.output_text.delta","output_index":1e400,"sequence_number":-1e400,"delta":"x"}"#;
    let e = dec("message", data).unwrap();
    assert_eq!((e.output_index(), e.sequence_number(), e.text()), (None, None, Some("x")));
    // A number that merely underflows was always fine: it is 0.
    let tiny = dec("message", r#"{"type":"response.created","response":{"output":[],"t":1e-400}}"#).unwrap();
    assert_eq!(tiny.payload().and_then(|p| p.get("t")), Some(&json!(0.0)));
    // The fast path (delta events) and the general path decode such numbers to equal events.
    for n in out_of_range_numbers() {
        for shape in &SHAPES[..2] {
            let data = shape.replace('N', &n);
            let fast = paths::fast(&data).unwrap_or_else(|| panic!("the fast path takes {data}"));
            let general = paths::general(&data, "message").expect("decodes").expect("an event");
            assert_eq!(fast, general, "{data}");
        }
    }
    // A lone surrogate escape (kept by `JSON.parse`) reads as U+FFFD in the decoded fields; the text is kept.
    let data = r#"{"type":"response.output_text.delta","item_id":"m\udc00","delta":"a\ud83db","obfuscation":"\ud800"}"#;
    let e = dec("message", data).unwrap();
    assert_eq!((e.text(), e.item_id(), e.json()), (Some("a\u{fffd}b"), Some("m\u{fffd}"), data));
    assert_eq!(paths::general(data, "message").unwrap().as_ref(), Some(&e));
    let data =
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"\ud800\ud83d\ude80"}}"#;
    assert_eq!(dec("message", data).unwrap().payload(), Some(&json!({"type":"message","id":"\u{fffd}🚀"})));
    // Invalid JSON stays invalid.
    for bad in [r#"{"type":"x","a":1e400,}"#, r#"{"type":"x","a":"\ud800\u12"}"#, r#"{"type":"x","a":01e400}"#] {
        assert!(stream_error("message", bad).contains("invalid JSON"), "{bad}");
    }
}

// --- Errors

#[test]
fn error_events_are_normalised() {
    let nested = r#"{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota.","param":null}}"#;
    let e = dec("error", nested).unwrap();
    assert_eq!((e.kind(), e.is_terminal()), (EventKind::Error, true));
    let err = e.error().expect("an error");
    assert_eq!((err.status, err.param, err.response), (None, None, None));
    let quota = Some("insufficient_quota");
    assert_eq!((err.code.as_deref(), err.error_type.as_deref()), (quota, quota));
    assert_eq!((err.message.as_str(), err.body.as_deref()), ("You exceeded your current quota.", Some(nested)));
    let flat =
        r#"{"type":"error","code":"invalid_prompt","message":"Bad prompt.","param":"input","sequence_number":1}"#;
    let err = dec("message", flat).unwrap().error().unwrap();
    assert_eq!((err.code.as_deref(), err.param.as_deref()), (Some("invalid_prompt"), Some("input")));
    assert_eq!((err.message.as_str(), err.error_type, err.status), ("Bad prompt.", None, None));
    assert_eq!(err.body.as_deref(), Some(flat));
    // Odd shapes still give a message.
    assert_eq!(dec_json(json!({"type":"error","error":"plain string"})).error().unwrap().message, "plain string");
    let err = dec_json(json!({"type":"error","error":{"code":429}})).error().unwrap();
    assert_eq!(err.code.as_deref(), Some("429"));
    assert!(err.message.contains("429"));
    assert!(!dec_json(json!({"type":"error"})).error().unwrap().message.is_empty());
    // SSE name "error" without a JSON type.
    assert_eq!(dec("error", r#"{"message":"from the name"}"#).unwrap().error().unwrap().message, "from the name");
    // Neither a type nor an `event:` name, an `error` member: an error (LiteLLM's proxy).
    let litellm =
        r#"{"error":{"message":"quota exceeded for gpt-5","type":"rate_limit_error","param":null,"code":"429"}}"#;
    let e = dec("message", litellm).unwrap();
    assert_eq!((e.kind(), e.is_terminal()), (EventKind::Error, true));
    let err = e.error().unwrap();
    assert_eq!((err.message.as_str(), err.code.as_deref()), ("quota exceeded for gpt-5", Some("429")));
    // With a type of its own, or a null error, it is what its type says.
    assert_eq!(dec("message", r#"{"type":"x.y","error":{"message":"m"}}"#).unwrap().kind(), EventKind::Other);
    assert_eq!(dec("message", r#"{"error":null}"#).unwrap().kind(), EventKind::Other);
    // Not an error event: no error.
    assert_eq!(dec_json(json!({"type":"response.failed","response":{}})).error(), None);
}

// --- Malformed data

#[test]
fn malformed_data_gives_a_short_message_with_a_safe_excerpt() {
    // 1 MiB of two-byte characters
    let data = format!("{{\"type\":\"response.output_text.delta\",\"delta\":\"{}\",,}}", "é".repeat(512 * 1024));
    let msg = stream_error("response.output_text.delta", &data);
    assert!(msg.len() < 300, "message is {} bytes", msg.len());
    let ex = excerpt_of(&msg);
    assert!(ex.chars().count() <= 80, "excerpt has {} chars", ex.chars().count());
    assert!(data.starts_with(ex.trim_end_matches('…')));
    assert!(msg.contains("response.output_text.delta"));
    assert!(msg.contains("invalid JSON"), "{msg}");
    // Nesting past serde_json's limit is still an error, but not called invalid JSON.
    let deep = |d: usize| format!(r#"{{"type":"response.created","response":{}1{}}}"#, "[".repeat(d), "]".repeat(d));
    assert!(dec("message", &deep(126)).is_some());
    let msg = stream_error("message", &deep(127));
    assert!(msg.contains("JSON nested deeper than 128 arrays and objects (line 1, column"), "{msg}");
    let msg = stream_error("message", r#"{"type":"response.created","response":{"id""#);
    assert!(msg.contains("truncated"), "{msg}");
    for data in ["[1,2,3]", "42", "true", "null"] {
        let msg = stream_error("message", data);
        assert!(msg.contains("not an event object"), "{msg}");
    }
    // serde's own message would quote a whole string, the SSE name is cut: ours stay short.
    for (name, data) in [("message", format!("\"{}\"", "x".repeat(1 << 20))), (&*"n".repeat(100_000), "{bad".into())] {
        let msg = stream_error(name, &data);
        assert!(msg.len() < 300, "message is {} bytes", msg.len());
    }
    // The excerpt never splits a character and hides control characters.
    for pad in 0..4 {
        let msg = stream_error("message", &format!("{}{}", "a".repeat(pad), "🌍".repeat(100)));
        let ex = excerpt_of(&msg);
        assert!(ex.chars().count() <= 80 && ex.ends_with('…'), "{ex}");
    }
    let msg = stream_error("message", "{\n\t\"type\": oops}");
    assert!(!excerpt_of(&msg).contains(['\n', '\t']), "{msg}");
}

#[test]
fn from_json() {
    let e = ResponseEvent::from_json(
        r#"{"type":"response.output_text.delta","delta":"hi","output_index":0,"content_index":0}"#,
    );
    assert_eq!(e.map(|e| (e.kind(), e.text().map(str::to_owned))), Ok((EventKind::OutputTextDelta, Some("hi".into()))));
    for bad in ["[DONE]", "", "{"] {
        assert!(matches!(ResponseEvent::from_json(bad), Err(Error::Stream { .. })), "{bad:?}");
    }
    // No type at all: an unknown event named "message".
    assert_eq!(ResponseEvent::from_json("{}").unwrap().event_type(), "message");
}

/// Every recorded event decodes: known types to their kind, unknown ones to `Other`, never an error.
#[test]
fn decodes_every_recorded_event() {
    let Some(files) = recordings::shared(recordings::RECORDED) else { return };
    let mut total = 0;
    for p in files {
        for e in &sse::parse_all(&std::fs::read(&p).unwrap()).unwrap() {
            let Some(ev) = decode(e).unwrap() else {
                assert_eq!(e.data, "[DONE]");
                continue;
            };
            total += 1;
            let json_type: Value = serde_json::from_str::<Value>(&e.data).unwrap()["type"].clone();
            assert_eq!(Some(ev.event_type()), json_type.as_str(), "{}", p.display());
            if ev.kind() == EventKind::Other {
                assert_eq!(EventKind::ALL.iter().find(|k| k.as_str() == Some(ev.event_type())), None);
            }
            if e.event != "message" {
                assert_eq!(ev.event_type(), e.event);
            }
            if ev.kind().is_delta() {
                assert!(ev.text().is_some());
                assert!(ev.output_index().is_some());
            }
        }
    }
    assert!(total > 800, "{total} events");
}
