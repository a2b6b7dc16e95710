//! The call machine (src/call.rs), natively: a shell's inputs scripted, every decision checked —
//! what to send, retries and their waits, how much of a body to read and how to let go of it,
//! stream outcomes, resuming a background stream, redaction, attempt counts — and the requests the
//! table of operations (src/endpoint/) builds: URLs, methods, headers, bodies, refused ids and
//! queries, operation names, base URLs.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use std::rc::Rc;

use cometapi_responses::call::{Action, Call, Fault, Output, Overrides, Release, MAX_JSON_BODY};
use cometapi_responses::endpoint::{Config, HttpRequest, Method, Operation, Query};
use cometapi_responses::error::Error;
use cometapi_responses::redact::Redactor;
use cometapi_responses::test_support::call_attempts;

const KEY: &str = "sk-proj-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0YaQe2Tu4Io6Pl8Mk0N";

const CREATE: Option<&str> = Some(r#"{"model":"m","input":"hi"}"#);

/// A Response answer whose output text is "Hi".
const HI: &str =
    r#"{"id":"r","object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}]}"#;

fn config() -> Rc<Config> {
    let headers = vec![("x-app".into(), "1".into())];
    Rc::new(Config::new(Some("http://h/v1"), Some(KEY), headers, Some(2), Some(1000)).unwrap())
}

/// The request for `op` (no query) with the caller's `extra` headers.
fn request(op: Operation, ids: &[&str], body: Option<&str>, extra: &[(String, String)]) -> HttpRequest {
    config().request(op, ids, &Query::NONE, body, extra).unwrap().0
}

fn call_of(req: HttpRequest, output: Output) -> Call {
    Call::of(&config(), (req, false), Overrides::default(), output, Redactor::new(KEY).map(Rc::new))
}

fn create() -> Call {
    call_of(request(Operation::Create, &[], CREATE, &[]), Output::JsonText)
}

/// A call of `op` on response "r" that takes values.
fn values(op: Operation) -> Call {
    call_of(request(op, &["r"], None, &[]), Output::Values)
}

fn stream(background: bool) -> Call {
    let params = format!(r#"{{"model":"m","input":"hi","background":{background}}}"#);
    // a background stream resumes after a cut: Call::of decides it from the request
    call_of(request(Operation::Stream, &[], Some(&params), &[("x-fault".into(), "f".into())]), Output::JsonText)
}

fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
}

const NONE: &[(&str, &str)] = &[];

/// The sleep's delay (ms) with this jitter, as the call computes it when the shell starts it.
fn sleep_ms(c: &mut Call, random01: f64) -> f64 {
    c.start(0.0, random01);
    c.poll_timeout().unwrap()
}

/// The sleep starts, and its timer fires at its wake time: the next attempt is to send.
fn wake(c: &mut Call) {
    let at = sleep_ms(c, 0.0);
    assert!(c.handle_timeout(at, 0.0));
}

/// One attempt: sent, answered with `status` and `hdrs`, then `body` (when not empty) and its end.
fn reply(c: Call, status: u16, hdrs: &[(&str, &str)], body: impl AsRef<[u8]>) -> Call {
    let mut c = head(c, 0.0, status, hdrs);
    if !body.as_ref().is_empty() {
        c.on_chunk(body.as_ref());
    }
    c.on_body_end();
    c
}

/// Sent at `now` and answered with `status` and `hdrs`: the body is still to read.
fn head(mut c: Call, now: f64, status: u16, hdrs: &[(&str, &str)]) -> Call {
    c.start(now, 0.0);
    c.on_headers(status, headers(hdrs));
    c
}

/// A stream call (see `stream`) answered 200 with `body`.
fn streamed(background: bool, body: &str) -> Call {
    let mut c = head(stream(background), 0.0, 200, NONE);
    c.on_chunk(body.as_bytes());
    c
}

/// A create call whose three attempts each end with `fail` (a fetch error or a timeout).
fn failing(fail: impl Fn(&mut Call)) -> Call {
    let mut c = create();
    for _ in 0..3 {
        c.start(0.0, 0.0);
        fail(&mut c);
        if c.action() == Action::Sleep {
            wake(&mut c);
        }
    }
    c
}

fn frame(json: &str) -> String {
    let ty = json.split("\"type\":\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("message");
    format!("event: {ty}\ndata: {json}\n\n")
}

/// Events 0 to n - 1 of a stream of response `id`: created, a message added, text deltas.
fn events(n: u64, id: &str) -> Vec<String> {
    let created = format!(
        r#"{{"type":"response.created","sequence_number":0,"response":{{"id":"{id}","object":"response","status":"in_progress","output":[]}}}}"#
    );
    let added = r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"m","type":"message","role":"assistant","content":[]}}"#;
    let deltas = (2..n).map(|i| {
        format!(
            r#"{{"type":"response.output_text.delta","sequence_number":{i},"item_id":"m","output_index":0,"content_index":0,"delta":"w{i} "}}"#
        )
    });
    [created, added.to_owned()].into_iter().chain(deltas).map(|json| frame(&json)).collect()
}

fn completed(seq: u64, id: &str) -> String {
    frame(&format!(
        r#"{{"type":"response.completed","sequence_number":{seq},"response":{{"id":"{id}","object":"response","status":"completed","output":[]}}}}"#
    ))
}

#[test]
fn a_json_call_sends_what_the_core_built_and_gets_its_answer() {
    let mut c = create();
    assert_eq!(c.action(), Action::Send);
    let req = c.request();
    assert_eq!((req.method, req.url.as_str()), (Method::Post, "http://h/v1/responses"));
    let names: Vec<&str> = req.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["accept", "content-type", "authorization", "x-app"]);
    c.start(0.0, 0.0);
    assert_eq!(c.action(), Action::Send, "sent, not answered yet");
    c.on_headers(200, headers(NONE));
    assert_eq!(c.action(), Action::Read);
    c.on_chunk(HI.as_bytes());
    c.on_body_end();
    assert_eq!((c.action(), c.release()), (Action::Done, Release::Nothing));
    assert_eq!(c.output_text_json(), Some("\"Hi\""), "the output_text to set on the answer");
    assert!(c.take_json().unwrap().starts_with(r#"{"id":"r""#), "the answer as received");
}

#[test]
fn a_call_that_takes_values_parses_its_answer_once_into_a_value() {
    let answer = |op: Operation, body: &str| {
        let mut c = reply(values(op), 200, NONE, body);
        assert!(c.error().is_none(), "{:?}", c.error());
        c.take_value().unwrap()
    };
    let body = r#"{"id":"r","output_text":"","x":1e400,"output":[{"type":"message","content":[{"type":"output_text","text":"a\ud83d"}]}]}"#;
    let v = answer(Operation::Retrieve, body).unwrap();
    assert_eq!((&v["output_text"], &v["x"]), (&serde_json::json!("a\u{fffd}"), &serde_json::Value::Null));
    let v = answer(Operation::Delete, r#"{"id":"r","deleted":true}"#).unwrap();
    assert_eq!(v.get("output_text"), None, "not a Response");
    // No body (a 204): null, except where a Response is due.
    assert_eq!(answer(Operation::Delete, " \n").unwrap(), serde_json::Value::Null);
    let Err(Error::Stream { message, .. }) = answer(Operation::Retrieve, "") else { panic!() };
    assert_eq!(message, "the response has no body");
    let Err(Error::Stream { message, .. }) = answer(Operation::Retrieve, &format!("<p>{KEY}</p>")) else { panic!() };
    assert_eq!(message, "the response is not JSON: <p>[redacted]</p>");
    let Err(Error::Stream { message, .. }) = answer(Operation::Retrieve, "[1]") else { panic!() };
    assert!(message.starts_with("expected a Response object"), "{message}");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let Err(Error::Stream { message, .. }) = answer(Operation::Delete, &deep) else { panic!() };
    let want = "the response is not JSON: JSON nested deeper than 128 arrays and objects (line 1, column 128)";
    assert_eq!(message, want);
}

#[test]
fn a_responses_answer_is_kept_as_received_and_its_output_text_written_as_json_stringify_writes_it() {
    // Lone surrogates: JSON.parse of the output text is the concatenation JS makes of the parts
    // (here a pair, then a lone one). Numbers beyond f64: JSON.parse gives Infinity and the big number.
    let surrogates = r#"{"id":"r","object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"a\ud83d"},{"type":"output_text","text":"\ude00b \udfff"}]}]}"#;
    let big = format!(
        r#"{{"id":"r","object":"response","x":1e400,"n":{},"output":[{{"type":"message","content":[{{"type":"output_text","text":"ok"}}]}}]}}"#,
        "9".repeat(5000)
    );
    for (body, text) in [(surrogates, r#""a\ud83d\ude00b \udfff""#), (big.as_str(), "\"ok\"")] {
        let mut c = reply(create(), 200, NONE, body);
        assert!(c.error().is_none(), "{:?}", c.error());
        assert_eq!(c.output_text_json(), Some(text));
        assert_eq!(c.take_json().unwrap(), body, "byte for byte");
    }
}

#[test]
fn a_leading_bom_is_dropped_from_answers_as_fetchs_text_and_json_drop_it() {
    const BOM: &str = "\u{FEFF}";
    let mut c = reply(create(), 200, NONE, format!("{BOM}{HI}"));
    assert!(c.error().is_none(), "{:?}", c.error());
    assert_eq!(c.output_text_json(), Some("\"Hi\""));
    assert_eq!(c.take_json().unwrap(), HI);
    let mut c = reply(values(Operation::Retrieve), 200, NONE, format!("{BOM}{HI}"));
    assert_eq!(c.take_value().unwrap().unwrap()["output_text"], "Hi");
    // an error body: its code and message are read; only one BOM goes
    let c = reply(create(), 400, NONE, format!(r#"{BOM}{{"error":{{"message":"bad","code":"c"}}}}"#));
    assert!(matches!(c.error(), Some(Error::Api(e)) if e.message == "bad" && e.code.as_deref() == Some("c")));
    let c = reply(create(), 200, NONE, format!("{BOM}{BOM}{HI}"));
    assert!(matches!(c.error(), Some(Error::Stream { .. })), "{:?}", c.error());
}

#[test]
fn retries_wait_as_the_server_says_else_back_off_and_count_attempts() {
    let body = br#"{"error":{"message":"slow down","type":"rate_limit","code":"rate_limit_exceeded"}}"#;
    let mut c = reply(create(), 429, &[("retry-after-ms", "50"), ("x-request-id", "req_1")], body);
    assert_eq!(c.action(), Action::Sleep);
    assert_eq!(sleep_ms(&mut c, 0.9), 50.0);
    wake(&mut c);
    assert_eq!(c.action(), Action::Send);
    c = reply(c, 503, NONE, b"");
    assert_eq!(c.action(), Action::Sleep);
    assert_eq!(sleep_ms(&mut c, 0.0), 1000.0, "the second backoff: 0.5 s · 2, no jitter at random 0");
    assert!(sleep_ms(&mut c, 0.99) < 1000.0 && sleep_ms(&mut c, 0.99) >= 750.0, "jitter takes up to 25 %");
    wake(&mut c);
    c = reply(c, 500, &[("x-request-id", "req_3")], b"");
    assert_eq!(c.action(), Action::Done, "maxRetries 2: three attempts");
    assert_eq!(call_attempts(&c), 3);
    let Some(Error::Api(e)) = c.error() else { panic!("{:?}", c.error()) };
    assert_eq!((e.status, e.request_id.as_deref()), (Some(500), Some("req_3")));
}

#[test]
fn x_should_retry_overrides_and_4xx_are_not_retried() {
    // (status, x-should-retry, what comes next)
    for (status, should_retry, want) in
        [(400, Some("true"), Action::Sleep), (500, Some("false"), Action::Done), (404, None, Action::Done)]
    {
        let hdrs: Vec<_> = should_retry.map(|v| ("x-should-retry", v)).into_iter().collect();
        assert_eq!(reply(create(), status, &hdrs, b"").action(), want, "{status} {should_retry:?}");
    }
}

#[test]
fn a_body_past_its_limit_is_cut_and_its_request_aborted() {
    // An error body is read up to 1 MiB, a JSON answer up to MAX_JSON_BODY: (status, a block,
    // how many are read, the chunk that reaches past the limit, the error)
    let (error_body, json) = (vec![b'x'; 16 * 1024], vec![b' '; 64 * 1024 * 1024]);
    let api_401: fn(&Error) -> bool = |e| matches!(e, Error::Api(e) if e.status == Some(401));
    let limit: fn(&Error) -> bool = |e| matches!(e, Error::Stream { message, .. } if message.contains("limit"));
    for (status, block, reads, past, error) in
        [(401, &error_body, 63, &error_body[..], api_401), (200, &json, MAX_JSON_BODY / json.len(), b" ", limit)]
    {
        let mut c = head(create(), 0.0, status, NONE);
        for _ in 0..reads {
            c.on_chunk(block);
            assert_eq!(c.action(), Action::Read, "{status}");
        }
        c.on_chunk(past);
        assert_eq!((c.action(), c.release()), (Action::Done, Release::Abort), "{status}: the rest is not read");
        assert!(error(c.error().unwrap()), "{status}: {:?}", c.error());
    }
}

#[test]
fn an_error_quoting_a_long_input_keeps_its_code_type_and_param() {
    let body = serde_json::json!({ "error": {
        "message": format!("Invalid input: {}", "x".repeat(100_000)),
        "type": "invalid_request_error", "param": "input", "code": "context_length_exceeded",
    } });
    let c = reply(create(), 400, NONE, body.to_string());
    let Some(Error::Api(e)) = c.error() else { panic!("{:?}", c.error()) };
    let fields = (e.code.as_deref(), e.error_type.as_deref(), e.param.as_deref());
    assert_eq!(fields, (Some("context_length_exceeded"), Some("invalid_request_error"), Some("input")));
    assert!(e.message.starts_with("Invalid input: xxx") && e.message.len() > 100_000, "the whole message");
}

#[test]
fn an_answer_nested_deeper_than_the_reader_reads_says_so() {
    let deep =
        format!(r#"{{"id":"r","object":"response","output":[],"tools":{}{}}}"#, "[".repeat(130), "]".repeat(130));
    let c = reply(create(), 200, NONE, deep);
    let Some(Error::Stream { message, .. }) = c.error() else { panic!("{:?}", c.error()) };
    let want = "malformed Response JSON: JSON nested deeper than 128 arrays and objects (line 1, column 177)";
    assert!(message.starts_with(want), "{message}");
}

#[test]
fn a_status_outside_2xx_is_an_api_error_a_redirect_fetch_did_not_follow_included() {
    for status in [300, 301, 304, 399, 199] {
        let c = reply(create(), status, NONE, HI);
        let Some(Error::Api(e)) = c.error() else { panic!("{status}: {:?}", c.error()) };
        assert_eq!((e.status, c.action()), (Some(status), Action::Done), "not retried");
        assert!(e.message.starts_with(&format!("HTTP {status}")), "{}", e.message);
    }
}

#[test]
fn network_errors_and_timeouts_are_retried_then_say_how_many_attempts() {
    let refused = failing(|c| c.on_fetch_error("fetch failed: connect ECONNREFUSED"));
    let connection = "could not reach http://h after 3 attempts: fetch failed: connect ECONNREFUSED";
    assert_eq!(refused.error(), Some(&Error::Connection { message: connection.into() }));
    let timed_out = failing(|c| assert!(c.handle_timeout(1000.0, 0.0)));
    assert_eq!(timed_out.error(), Some(&Error::Timeout { timeout_ms: 1000, attempts: 3 }));
    let message = "request timed out after 1000 ms (each of 3 attempts)";
    assert_eq!(timed_out.error().unwrap().to_string(), message);
    // A timeout counts the attempts that timed out, not those a status answered.
    let mut c = reply(create(), 503, NONE, b"{}");
    wake(&mut c);
    c.start(0.0, 0.0);
    assert!(c.handle_timeout(1000.0, 0.0));
    assert_eq!(c.error(), None);
    wake(&mut c);
    c = head(c, 0.0, 200, NONE);
    assert!(c.handle_timeout(1000.0, 0.0));
    assert_eq!(c.error(), Some(&Error::Timeout { timeout_ms: 1000, attempts: 2 }));
}

#[test]
fn an_abort_ends_the_call_at_any_point_and_lets_the_body_go() {
    // (the call: not sent yet, at its headers, asleep before its next attempt; what it lets go of)
    for (mut c, before, release) in [
        (create(), Action::Send, Release::Nothing),
        (head(create(), 0.0, 200, NONE), Action::Read, Release::Abort),
        (reply(create(), 500, NONE, b""), Action::Sleep, Release::Nothing),
    ] {
        assert_eq!(c.action(), before);
        c.abort();
        let got = (c.action(), c.error(), c.release());
        assert_eq!(got, (Action::Done, Some(&Error::Abort), release), "{before:?}: no further attempt");
    }
}

#[test]
fn a_stream_outcome_lets_the_body_go_without_aborting_the_request() {
    let mut c = streamed(false, &(events(5, "r").concat() + &completed(5, "r") + "data: [DONE]\n\n"));
    assert_eq!(c.action(), Action::Done);
    assert_eq!(c.release(), Release::Cancel, "the request completed: cancel the reader only");
    assert!(c.error().is_none());
    let batch = c.stream_mut().unwrap().take_batch().unwrap();
    let v: serde_json::Value = serde_json::from_str(&batch).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3 * 6, "six entries of [event, patches, show]");
}

#[test]
fn a_foreground_stream_is_never_retried_after_its_first_byte() {
    let mut c = streamed(false, &events(4, "r").concat());
    c.on_read_error(None, "reset");
    assert_eq!(c.action(), Action::Done);
    assert!(matches!(c.error(), Some(Error::Stream { message, .. }) if message.contains("lost mid-stream: reset")));
    // A read that throws an `AbortError` is an abort, even of a background stream (never resumed).
    let mut c = streamed(true, &events(4, "r").concat());
    c.on_read_error(Some("AbortError"), "This operation was aborted");
    assert_eq!((c.action(), c.error(), c.release()), (Action::Done, Some(&Error::Abort), Release::Abort));
}

#[test]
fn a_background_stream_resumes_after_its_last_event_and_goes_on() {
    let mut c = streamed(true, &events(6, "resp_7").concat());
    c.on_body_end(); // ends early, no terminal event
    assert_eq!(c.action(), Action::Sleep);
    wake(&mut c);
    assert_eq!(c.action(), Action::Send);
    let req = c.request();
    let resume = (Method::Get, "http://h/v1/responses/resp_7?stream=true&starting_after=5");
    assert_eq!((req.method, req.url.as_str()), resume);
    assert!(req.headers.contains(&("x-fault".to_owned(), "f".to_owned())), "the caller's headers go along");
    assert!(req.headers.contains(&("authorization".to_owned(), format!("Bearer {KEY}"))));
    c = head(c, 0.0, 200, NONE);
    // The new body repeats events 4 and 5, then goes on.
    c.on_chunk((events(8, "resp_7")[4..].concat() + &completed(8, "resp_7")).as_bytes());
    assert_eq!(c.action(), Action::Done);
    assert!(c.error().is_none(), "{:?}", c.error());
}

#[test]
fn a_resumed_stream_sends_the_callers_headers_whatever_their_names_resume_after_resume() {
    // The client sends its own `Accept`; the call adds an `Authorization` of its own and a trace.
    for key in [Some(KEY), None] {
        let client = vec![("Accept".to_owned(), "text/plain".to_owned()), ("x-app".into(), "1".into())];
        let config = Rc::new(Config::new(Some("http://h/v1"), key, client, Some(2), Some(1000)).unwrap());
        let extra = [("Authorization".to_owned(), "Bearer other".to_owned()), ("X-Trace".into(), "t".into())];
        let params = Some(r#"{"model":"m","input":"hi","background":true}"#);
        let req = config.request(Operation::Stream, &[], &Query::NONE, params, &extra).unwrap().0;
        let call = Call::of(&config, (req, false), Overrides::default(), Output::JsonText, None);
        let mut c = head(call, 0.0, 200, NONE);
        let mut want: Vec<(String, String)> = vec![("accept".into(), "text/event-stream".into())];
        want.extend(key.map(|k| ("authorization".to_owned(), format!("Bearer {k}"))));
        want.extend(
            [("accept", "text/plain"), ("x-app", "1"), ("authorization", "Bearer other"), ("x-trace", "t")]
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        for seq in [1, 3] {
            c.on_chunk(events(seq + 1, "resp_9").concat().as_bytes());
            c.on_body_end();
            wake(&mut c);
            assert_eq!(c.request().url, format!("http://h/v1/responses/resp_9?stream=true&starting_after={seq}"));
            assert_eq!(c.request().headers, want, "key {}, after {seq}", key.is_some());
            c = head(c, 0.0, 200, NONE);
        }
    }
}

#[test]
fn a_resume_without_progress_counts_against_max_retries() {
    let mut c = streamed(true, &events(4, "resp_8").concat());
    c.on_read_error(None, "reset");
    for _ in 0..2 {
        assert_eq!(c.action(), Action::Sleep);
        wake(&mut c);
        c = reply(c, 200, NONE, b""); // nothing new
    }
    assert_eq!(c.action(), Action::Done);
    assert!(matches!(c.error(), Some(Error::Stream { .. })));
}

/// The ways a resumed body can carry an event with no valid integer `sequence_number`.
const NOT_A_SEQUENCE_NUMBER: [&str; 7] = [
    r#""#,
    r#""sequence_number":-1,"#,
    r#""sequence_number":3.5,"#,
    r#""sequence_number":"3","#,
    r#""sequence_number":1e20,"#,
    r#""sequence_number":100000000000000000000,"#,
    r#""sequence_number":null,"#,
];

/// A text delta, replayed by a resumed body, with `seq` spliced in (no number at all when empty).
fn replayed_delta(seq: &str) -> String {
    frame(&format!(
        r#"{{{seq}"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"DUP "}}"#
    ))
}

/// The texts of the deltas handed out so far (batches mode: `[event, patches, show, …]`).
fn handed_out_text(c: &mut Call) -> String {
    let mut text = String::new();
    while let Some(batch) = c.stream_mut().unwrap().take_batch() {
        let v: serde_json::Value = serde_json::from_str(&batch).unwrap();
        for entry in v.as_array().unwrap().chunks(3) {
            if entry[2] == 0 && entry[0]["type"] == "response.output_text.delta" {
                text.push_str(entry[0]["delta"].as_str().unwrap());
            }
        }
    }
    text
}

#[test]
fn a_resumed_event_without_a_valid_sequence_number_is_no_progress_and_is_not_handed_out() {
    for seq in NOT_A_SEQUENCE_NUMBER.into_iter().chain([r#""sequence_number":5,"#, r#""sequence_number":2,"#]) {
        let mut c = streamed(true, &events(6, "resp_9").concat());
        c.on_read_error(None, "reset");
        assert_eq!(handed_out_text(&mut c), "w2 w3 w4 w5 ");
        // Every resumed body replays one event that is not after event 5, then drops.
        let mut resumes = 0;
        while c.action() == Action::Sleep && resumes < 20 {
            wake(&mut c);
            assert!(c.request().url.ends_with("starting_after=5"), "{seq}: {}", c.request().url);
            c = head(c, 0.0, 200, NONE);
            c.on_chunk(replayed_delta(seq).as_bytes());
            c.on_read_error(None, "reset");
            resumes += 1;
        }
        assert_eq!((resumes, call_attempts(&c)), (2, 3), "{seq}: max_retries resumes, then the call ends");
        assert!(matches!(c.error(), Some(Error::Stream { .. })), "{seq}: {:?}", c.error());
        assert_eq!(handed_out_text(&mut c), "", "{seq}: nothing handed out again");
    }
}

#[test]
fn a_resumed_body_goes_on_past_events_it_cannot_place_and_ends_with_an_unnumbered_terminal_event() {
    for seq in NOT_A_SEQUENCE_NUMBER {
        let mut c = streamed(true, &events(6, "resp_9").concat());
        c.on_body_end();
        let mut text = handed_out_text(&mut c);
        wake(&mut c);
        c = head(c, 0.0, 200, NONE);
        // The bad replay, then new events, another bad one among them, then a terminal event with
        // no number (it ends the stream: nothing was handed out after it, it cannot be a repeat).
        let rest = events(9, "resp_9");
        let body = replayed_delta(seq) + &rest[6] + &replayed_delta(seq) + &rest[7] + &rest[8];
        c.on_chunk(body.as_bytes());
        text.push_str(&handed_out_text(&mut c));
        assert_eq!(c.action(), Action::Read, "{seq}");
        let done = r#"{"type":"response.completed","response":{"id":"resp_9","object":"response","status":"completed","output":[]}}"#;
        c.on_chunk(frame(done).as_bytes());
        assert_eq!(c.action(), Action::Done, "{seq}");
        assert!(c.error().is_none(), "{seq}: {:?}", c.error());
        assert_eq!(text, "w2 w3 w4 w5 w6 w7 w8 ", "{seq}: every delta once, in order");
    }
}

#[test]
fn progress_in_a_resumed_body_resets_the_budget_and_only_progress_does() {
    let mut c = streamed(true, &events(6, "resp_10").concat());
    c.on_body_end();
    // Two resumes: the first makes no progress, the second gives event 6 (progress); then, the
    // budget whole again, two more resumes without progress, then the end.
    let no_progress = replayed_delta(r#""sequence_number":6,"#);
    for (n, body) in
        [replayed_delta(""), events(7, "resp_10")[6].clone(), no_progress.clone(), no_progress].into_iter().enumerate()
    {
        assert_eq!(c.action(), Action::Sleep);
        wake(&mut c);
        if n >= 2 {
            assert!(c.request().url.ends_with("starting_after=6"), "{}", c.request().url);
        }
        c = reply(c, 200, NONE, body);
    }
    assert_eq!((c.action(), call_attempts(&c)), (Action::Done, 5));
}

#[test]
fn every_error_is_redacted() {
    let body = format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}","code":"{}"}}}}"#, &KEY[3..]);
    let text = format!("{:?}", reply(create(), 401, NONE, body).error());
    assert!(!text.contains(&KEY[3..13]), "{text}");
    assert!(text.contains("[redacted]"));
    let c = failing(|c| c.on_fetch_error(&format!("failed with authorization: Bearer {KEY}")));
    assert!(!format!("{:?}", c.error()).contains(&KEY[8..18]));
    assert_eq!(c.redact(&format!("x {KEY} y")).as_deref(), Some("x [redacted] y"));
    assert_eq!(c.redact("nothing here"), None);
}

/// (config, operation, ids, query, body, the method and URL, or the param a validation error names)
type RequestRow<'a> =
    (&'a Config, Operation, &'a [&'a str], &'a Query, Option<&'a str>, Result<(Method, &'a str), &'a str>);

#[test]
fn requests_as_the_table_of_operations_builds_them() {
    use cometapi_responses::endpoint::Answer;
    use Method::{Delete, Get, Post};
    use Operation::*;
    // A base URL ending in a slash, a header name to lower-case.
    let x = Config::new(Some("https://x/v1/"), Some("sk-1"), vec![("X-A".into(), "1".into())], None, None).unwrap();
    let h = &*config();
    let none = &Query::NONE;
    let (after, order) = (Some("m 1".to_owned()), Some("asc".to_owned()));
    let list = Query { after, limit: Some(5), order, include: vec!["a.b".into()], ..Query::NONE };
    let (purpose, after, order) = (Some("a b".to_owned()), Some("file-1".to_owned()), Some("asc".to_owned()));
    let files = Query { purpose, limit: Some(10_000), after, order, ..Query::NONE };
    let limit = |n| Query { limit: Some(n), ..Query::NONE };
    let up = Query { order: Some("up".into()), ..Query::NONE };
    let compact = Some(r#"{"model":"m","input":"x"}"#);
    let file = Some(r#"{"purpose":"user_data"}"#);
    #[rustfmt::skip]
    let rows: [RequestRow; 21] = [
        (&x, Retrieve, &["resp_1/../a b"], none, None, Ok((Get, "https://x/v1/responses/resp_1%2F..%2Fa%20b"))),
        (&x, Retrieve, &["..."], none, None, Ok((Get, "https://x/v1/responses/..."))),
        (&x, ConversationItemsList, &["conv_1"], &list, None, Ok((Get, "https://x/v1/conversations/conv_1/items?after=m%201&limit=5&order=asc&include%5B%5D=a.b"))),
        (&x, ConversationItemDelete, &["conv_1", "msg/1"], none, None, Ok((Delete, "https://x/v1/conversations/conv_1/items/msg%2F1"))),
        (&x, Compact, &[], none, compact, Ok((Post, "https://x/v1/responses/compact"))),
        // Ids that would name another path.
        (&x, Retrieve, &[""], none, None, Err("id")),
        (&x, Retrieve, &["."], none, None, Err("id")),
        (&x, Retrieve, &[".."], none, None, Err("id")),
        (&x, ConversationItemDelete, &["c", ""], none, None, Err("item_id")),
        (&x, ConversationItemDelete, &["c", "."], none, None, Err("item_id")),
        (&x, ConversationItemDelete, &["c", ".."], none, None, Err("item_id")),
        (h, FileRetrieve, &[".."], none, None, Err("id")),
        // List queries.
        (&x, InputItems, &["r"], &limit(0), None, Err("limit")),
        (&x, InputItems, &["r"], &up, None, Err("order")),
        (h, FileList, &[], &files, None, Ok((Get, "http://h/v1/files?purpose=a%20b&limit=10000&after=file-1&order=asc"))),
        (h, FileList, &[], &limit(0), None, Err("limit")),
        (h, FileList, &[], &limit(10_001), None, Err("limit")),
        // Files: the upload's body is the shell's multipart form.
        (h, FileCreate, &[], none, file, Ok((Post, "http://h/v1/files"))),
        (h, FileCreate, &[], none, Some(r#"{"purpose":""}"#), Err("purpose")),
        (h, FileDelete, &["file/1"], none, None, Ok((Delete, "http://h/v1/files/file%2F1"))),
        (h, FileContent, &["file-1"], none, None, Ok((Get, "http://h/v1/files/file-1/content"))),
    ];
    for (c, op, ids, query, body, want) in rows {
        let got = match c.request(op, ids, query, body, &[]) {
            Ok((r, _)) => Ok((r.method, r.url)),
            Err(Error::Validation { param, .. }) => Err(param),
            Err(e) => panic!("{op:?} {ids:?}: {e:?}"),
        };
        assert_eq!(got, want.map(|(m, url)| (m, url.to_owned())).map_err(str::to_owned), "{op:?} {ids:?}");
    }
    let names = |r: &HttpRequest| r.headers.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let r = x.request(Retrieve, &["resp_1/../a b"], none, None, &[]).unwrap().0;
    assert_eq!(names(&r), ["accept", "authorization", "x-a"]);
    let p = x.request(Compact, &[], none, compact, &[]).unwrap().0;
    assert_eq!(p.body.as_deref(), compact);
    let up = request(FileCreate, &[], file, &[]);
    let form = (up.body.as_deref(), names(&up).contains(&"content-type".into()));
    assert_eq!(form, (None, false), "the form sets it, with its boundary");
    // Not even one the client or the call gives: it would replace the form's.
    let content_type = |v: &str| vec![("Content-Type".to_owned(), v.to_owned())];
    let typed = Config::new(Some("http://h/v1"), None, content_type("application/json"), None, None).unwrap();
    let up = typed.request(FileCreate, &[], none, file, &content_type("text/plain")).unwrap().0;
    assert!(!names(&up).contains(&"content-type".into()), "{:?}", names(&up));
    let content = request(FileContent, &["file-1"], None, &[]);
    assert_eq!(content.answer, Answer::Raw);
    assert_eq!(content.headers.iter().find(|(k, _)| k == "accept").map(|(_, v)| v.as_str()), Some("*/*"));
    let s = x.retrieve_stream("r", Some(3), &[("X-B".into(), "2".into())]).unwrap();
    assert_eq!(s.url, "https://x/v1/responses/r?stream=true&starting_after=3");
    assert_eq!(s.headers.last(), Some(&("x-b".to_owned(), "2".to_owned())));
    assert_eq!(s.answer, Answer::Stream { background: true });
}

#[test]
fn every_operation_has_a_unique_name_and_a_base_url_is_checked() {
    for op in Operation::ALL {
        assert_eq!(Operation::named(op.row().name), Some(*op));
    }
    assert_eq!(Operation::named("nope"), None);
    for ok in ["https://api.cometapi.com/v1", "http://127.0.0.1:8080/v1/", "https://h"] {
        assert!(Config::new(Some(ok), None, vec![], None, None).is_ok(), "{ok}");
    }
    for bad in [
        "not a url",
        "/v1",
        "ftp://h/v1",
        "https://",
        "http:///v1",
        "https://h/v1?x=1",
        "https://h/v 1",
        "https://u@h/",
    ] {
        let r = Config::new(Some(bad), None, vec![], None, None);
        assert!(matches!(r, Err(Error::Validation { ref param, .. }) if param == "baseURL"), "{bad}");
    }
    // The refused URL is quoted, never the key written into it.
    for key in ["sk-live-0123456789abcdef", "sk-0123456789"] {
        for bad in
            [format!("https://h/v1?api-key={key}"), format!("https://user:{key}@h/v1"), format!("https://h/{key}/v1 ")]
        {
            let Err(Error::Validation { message, .. }) = Config::new(Some(&bad), Some(key), vec![], None, None) else {
                panic!("{bad} passed");
            };
            assert!(!message.contains(key) && message.contains("[redacted]"), "{message}");
        }
    }
    let Err(e) = Config::new(Some("https://u:p@h/"), None, vec![], None, None) else { panic!() };
    assert!(e.to_string().contains("credentials"), "{e}");
}

#[test]
fn a_header_the_platform_refuses_fails_the_call_at_once_naming_it() {
    let bad_header = |name: &str| {
        let mut c = create();
        c.start(0.0, 0.0);
        c.on_fault(Fault::BadHeader, Some(name));
        c
    };
    let c = bad_header("x-user");
    assert_eq!(c.action(), Action::Done, "no retry");
    let Some(Error::Validation { param, message }) = c.error() else { panic!("{:?}", c.error()) };
    assert_eq!(param, "headers");
    assert!(message.contains("`x-user`"), "{message}");
    assert_eq!(call_attempts(&c), 1);
    // a name that is the key is redacted, as every error of a call
    assert!(!format!("{:?}", bad_header(KEY).error()).contains(&KEY[8..]));
}

#[test]
fn a_raw_answer_is_done_at_its_headers_and_an_error_status_is_read_and_retried() {
    let content = request(Operation::FileContent, &["file-1"], None, &[]);
    // Success: done at the headers, the body left to the caller (nothing to cancel or abort).
    let call = head(call_of(content.clone(), Output::JsonText), 0.0, 200, NONE);
    assert_eq!((call.action(), call.release(), call.error()), (Action::Done, Release::Nothing, None));
    // An error status is read and retried as any other.
    let mut call = head(call_of(content, Output::JsonText), 0.0, 503, NONE);
    assert_eq!(call.action(), Action::Read);
    call.on_chunk(br#"{"error":{"message":"busy","type":"server_error"}}"#);
    call.on_body_end();
    assert_eq!(call.action(), Action::Sleep);
    wake(&mut call);
    let body = br#"{"error":{"message":"No such File object: file-1","type":"invalid_request_error"}}"#;
    let call = reply(call, 404, NONE, body);
    let Some(Error::Api(e)) = call.error() else { panic!("{:?}", call.error()) };
    assert_eq!((e.status, e.message.as_str()), (Some(404), "No such File object: file-1"));
}

/// A clock far from 0: deadlines are the shell's `Date.now()` plus the call's delays.
const T: f64 = 1_700_000_000_000.0;

#[test]
fn the_attempt_timeout_runs_until_the_headers_then_retries_after_letting_the_request_go() {
    let mut c = create();
    assert_eq!(c.poll_timeout(), None, "no deadline before the request goes");
    c.start(T, 0.0);
    assert_eq!(c.poll_timeout(), Some(T + 1000.0), "timeout_ms after the send");
    assert!(!c.handle_timeout(T + 999.0, T), "a timer that fires early changes nothing");
    assert_eq!((c.action(), c.poll_timeout()), (Action::Send, Some(T + 1000.0)));
    assert!(c.handle_timeout(T + 1000.0, T));
    assert_eq!(c.action(), Action::Sleep, "a timeout is retried");
    assert_eq!(c.release(), Release::Abort, "the timed-out request is aborted before the sleep");
    assert_eq!(c.poll_timeout(), None, "the sleep's wake time is set when the sleep starts");
    c.start(T + 1001.0, 0.0);
    assert_eq!(c.poll_timeout(), Some(T + 1501.0), "the first backoff: 0.5 s");
    assert!(!c.handle_timeout(T + 1500.0, T + 1001.0));
    assert_eq!(c.action(), Action::Sleep);
    assert!(c.handle_timeout(T + 1501.0, T + 1001.0));
    assert_eq!(c.action(), Action::Send);
    // Headers in time: no deadline until the shell starts reading.
    c = head(c, T + 2000.0, 200, NONE);
    assert_eq!((c.action(), c.poll_timeout()), (Action::Read, None));
    assert!(!c.handle_timeout(T + 1e9, T + 1e9), "a stale timer changes nothing");
}

#[test]
fn the_idle_timeout_runs_while_a_read_waits_and_each_chunk_resets_it() {
    let mut c = head(stream(false), T, 200, NONE);
    let mut now = T + 10.0;
    for chunk in &events(6, "r") {
        // The shell reports no read; the timer, firing as one begins, gives its start.
        assert!(!c.handle_timeout(now, now));
        assert_eq!(c.poll_timeout(), Some(now + 1000.0), "the read's deadline");
        assert!(!c.handle_timeout(now + 999.0, now));
        now += 999.0;
        c.on_chunk(chunk.as_bytes());
        assert_eq!(c.poll_timeout(), None, "no read pending: a slow consumer never times out");
        // The consumer held the events that long: the next read begins when it asks again.
        assert!(!c.handle_timeout(now + 1e6, now + 1e6));
        now += 1e6;
    }
    assert_eq!(c.action(), Action::Read, "{} ms of stream, never 1000 ms without data", now - T);
    assert!(c.handle_timeout(now + 1000.0, now));
    assert_eq!(c.action(), Action::Done);
    assert_eq!(c.release(), Release::Abort, "a timeout lets the body go with its request");
    assert_eq!(c.error(), Some(&Error::Timeout { timeout_ms: 1000, attempts: 1 }));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn a_json_read_times_out_and_an_error_body_cut_by_a_timeout_is_the_api_error() {
    let mut c = head(create(), T, 200, NONE);
    c.on_chunk(b"{\"id\":");
    assert!(c.handle_timeout(T + 1500.0, T + 500.0));
    assert_eq!((c.action(), c.release()), (Action::Done, Release::Abort));
    assert!(matches!(c.error(), Some(Error::Timeout { .. })));
    let mut c = head(create(), T, 400, NONE);
    c.on_chunk(br#"{"error":{"message":"bad","type":"invalid_request_error"}}"#);
    assert!(c.handle_timeout(T + 1000.0, T));
    assert_eq!(c.release(), Release::Abort);
    assert!(matches!(c.error(), Some(Error::Api(e)) if e.status == Some(400) && e.message == "bad"));
}

#[test]
fn a_background_streams_idle_timeout_resumes_it() {
    let mut c = head(stream(true), T, 200, NONE);
    c.on_chunk(events(6, "resp_t").concat().as_bytes());
    assert!(c.handle_timeout(T + 1005.0, T + 5.0));
    assert_eq!((c.action(), c.release()), (Action::Sleep, Release::Abort), "let go of, then resumed");
    wake(&mut c);
    assert!(c.request().url.ends_with("starting_after=5"), "{}", c.request().url);
    // once no retry is left, a stall is a TimeoutError (not a lost connection)
    for _ in 0..2 {
        c.start(T, 0.0);
        c.on_headers(200, headers(NONE));
        assert!(c.handle_timeout(T + 1005.0, T + 5.0));
        if c.action() == Action::Sleep {
            wake(&mut c);
        }
    }
    assert!(matches!(c.error(), Some(Error::Timeout { timeout_ms: 1000, .. })), "{:?}", c.error());
}

#[test]
fn a_sleep_wakes_at_the_servers_retry_after_date_read_against_the_shells_clock() {
    // T is 2023-11-14T22:13:20Z; the server asks for 22:13:23.
    let mut c = head(create(), T, 503, &[("retry-after", "Tue, 14 Nov 2023 22:13:23 GMT")]);
    c.on_body_end();
    c.start(T, 0.7);
    assert_eq!(c.poll_timeout(), Some(T + 3000.0), "no jitter on a server's delay");
    c.abort();
    assert_eq!((c.action(), c.poll_timeout()), (Action::Done, None), "an abort ends the sleep");
}

#[test]
fn a_body_the_shell_already_had_is_not_timed() {
    let mut c = Call::reading(cometapi_responses::stream::StreamState::batches(None));
    assert_eq!(c.action(), Action::Read);
    c.start(T, 0.0);
    assert_eq!(c.poll_timeout(), None);
    assert!(!c.handle_timeout(T + 1e12, T));
}

#[test]
fn an_abort_drops_the_events_decoded_but_not_handed_out() {
    let mut c = Call::reading(cometapi_responses::stream::StreamState::entries(None));
    c.on_chunk(events(4, "resp_1").concat().as_bytes());
    let s = c.stream_mut().unwrap();
    assert_eq!(s.next_entry().map(|e| e.event.event_type().to_owned()).as_deref(), Some("response.created"));
    assert!(s.has_entries());
    c.abort();
    assert!(c.stream_mut().unwrap().next_entry().is_none(), "nothing after the abort");
    assert!(matches!(c.error(), Some(Error::Abort)));
}

#[test]
fn a_calls_own_timeout_and_retries_override_the_clients() {
    let req = (request(Operation::Create, &[], CREATE, &[]), false);
    let own = Overrides { timeout_ms: Some(5), ..Overrides::default() };
    let mut own = Call::of(&config(), req, own, Output::JsonText, None);
    own.start(T, 0.0);
    assert_eq!(own.poll_timeout(), Some(T + 5.0));
}
