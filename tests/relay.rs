//! A failure across a proxy (src/relay.rs): the `error` frame or error body a proxy writes, read
//! back by the stream machine (or the call machine) as the same error with the same fields; any
//! error body read as the API's shape, else described by its status; the API key in none of them;
//! held events taken later as the same batch or frames.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use cometapi_responses::call::{Action, Call};
use cometapi_responses::error::{ApiError, Error};
use cometapi_responses::redact::Redactor;
use cometapi_responses::relay::{error_frame, error_response};
use cometapi_responses::stream::StreamState;

const KEY: &str = "sk-relay-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0Ya";

/// What a reader of `bytes` (fed in chunks of `chunk` bytes) ends with.
fn read_back(bytes: &str, chunk: usize) -> Error {
    let mut s = StreamState::batches(None);
    for c in bytes.as_bytes().chunks(chunk) {
        s.feed(c);
    }
    s.end_of_body();
    s.outcome().cloned().unwrap().unwrap_err()
}

/// The code, type and message of `upstream_429`.
fn assert_429(e: &ApiError) {
    assert_eq!((e.code.as_deref(), e.error_type.as_deref()), (Some("rate_limit_exceeded"), Some("rate_limit_error")));
    assert_eq!(e.message, "Rate limit reached \"quoted\"\nline two");
}

/// An ApiError of `status` and `message`, with `[type, param, code]` and `[x-request-id, body]`.
fn api_error(status: u16, message: &str, [t, p, c]: [Option<&str>; 3], [id, body]: [Option<&str>; 2]) -> ApiError {
    let s = |v: Option<&str>| v.map(str::to_owned);
    let (error_type, param, code) = (s(t), s(p), s(c));
    let (request_id, body, message) = (s(id), s(body), message.into());
    ApiError { status: Some(status), message, error_type, param, code, request_id, body, response: None }
}

fn upstream_429() -> Error {
    let fields = [Some("rate_limit_error"), Some("model"), Some("rate_limit_exceeded")];
    let message = "Rate limit reached \"quoted\"\nline two";
    Error::Api(Box::new(api_error(429, message, fields, [Some("req_429"), Some("{}")])))
}

#[test]
fn an_error_survives_as_its_class_with_its_fields() {
    let frame = error_frame(&upstream_429(), None).unwrap();
    assert!(frame.starts_with("event: error\ndata: {\"type\":\"error\",\"error\":{"), "{frame}");
    for chunk in [1, 5, frame.len()] {
        let Error::Api(e) = read_back(&frame, chunk) else { panic!("not an ApiError") };
        let fields = (e.status, e.param.as_deref(), e.request_id.as_deref());
        assert_eq!(fields, (Some(429), Some("model"), Some("req_429")));
        assert_429(&e);
    }
    let cases = [
        Error::Connection { message: "could not reach http://127.0.0.1:9: ECONNREFUSED".into() },
        Error::Timeout { timeout_ms: 1500, attempts: 3 },
        Error::stream("the connection was lost mid-stream: reset"),
    ];
    for err in cases {
        let frame = error_frame(&err, None).unwrap();
        let back = read_back(&frame, 3);
        assert_eq!(back, err, "{frame}");
        assert_eq!(back.to_string(), err.to_string());
    }
    assert_eq!(error_frame(&Error::Abort, None), None);
    let events =
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"output\":[]}}\n\n";
    let frame = error_frame(&Error::stream("truncated"), None).unwrap();
    let mut s = StreamState::entries(None);
    s.feed(format!("{events}{frame}").as_bytes());
    assert_eq!(s.next_entry().unwrap().event.event_type(), "response.created");
    assert_eq!(s.outcome().cloned(), Some(Err(Error::stream("truncated"))));
}

#[test]
fn the_key_is_in_no_frame_and_no_body() {
    let r = Redactor::new(KEY).unwrap();
    let mut leaky = ApiError {
        status: Some(401),
        message: format!("Incorrect API key provided: {KEY}"),
        code: Some("invalid_api_key".into()),
        request_id: Some(format!("req_{KEY}")),
        ..ApiError::default()
    };
    leaky.param = Some(KEY[4..].to_owned());
    let errs = [Error::Api(Box::new(leaky)), Error::Connection { message: format!("Bearer {KEY}") }];
    for err in &errs {
        let frame = error_frame(err, Some(&r)).unwrap();
        let (_, body) = error_response(err, Some(&r)).unwrap();
        for text in [&frame, &body] {
            assert!(!text.contains(&KEY[3..13]), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }
}

/// A call that read a proxy's error answer (`x-request-id`: the header): an error status is
/// read as the error, without retrying.
fn answered(status: u16, body: &str, request_id: Option<&str>) -> Call {
    let mut c = Call::answered(StreamState::batches(None));
    c.on_headers(status, |name| (name == "x-request-id").then(|| request_id.map(str::to_owned)).flatten());
    assert_eq!(c.action(), Action::Read);
    c.on_chunk(body.as_bytes());
    c.on_body_end();
    assert_eq!(c.action(), Action::Done);
    c
}

/// The ApiError a reader rebuilds from a proxy's error answer.
fn answer_read_back(status: u16, body: &str, request_id: Option<&str>) -> ApiError {
    let c = answered(status, body, request_id);
    let Some(Error::Api(e)) = c.error() else { panic!("{:?}", c.error()) };
    (**e).clone()
}

#[test]
fn the_error_response_keeps_the_upstream_status_and_reads_back() {
    let (status, body) = error_response(&upstream_429(), None).unwrap();
    assert_eq!(status, 429);
    let back = answer_read_back(status, &body, None);
    assert_eq!((back.status, back.request_id.as_deref()), (Some(429), Some("req_429")));
    assert_429(&back);
    // the header wins over the body
    assert_eq!(answer_read_back(status, &body, Some("req_h")).request_id.as_deref(), Some("req_h"));
    // (an error, its status, whether it reads back as it is: other classes than ApiError do)
    for (err, want, as_it_is) in [
        (Error::Connection { message: "down".into() }, 502, true),
        (Error::Timeout { timeout_ms: 9, attempts: 2 }, 504, true),
        (Error::stream("x"), 502, false),
        (Error::Api(Box::new(ApiError { message: "in-stream".into(), ..ApiError::default() })), 502, false),
    ] {
        let (status, body) = error_response(&err, None).unwrap();
        assert_eq!(status, want, "{err:?}");
        if as_it_is {
            assert_eq!(answered(status, &body, None).error(), Some(&err));
        }
    }
}

#[test]
fn an_error_body_is_read_in_the_apis_shape_else_described_by_its_status() {
    let shaped = r#"{"error":{"message":"bad temp","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}"#;
    // A lone surrogate is read as JSON.parse reads it; the body stays as received.
    let lone =
        r#"{"error":{"message":"bad input: \ud83d","type":"invalid_request_error","param":"input","code":null}}"#;
    // The excerpt is cut at a character boundary.
    let (long, cut) = ("日".repeat(70), format!("HTTP 500: {}", "日".repeat(66)));
    let invalid = Some("invalid_request_error");
    // An empty message says nothing: the status and the body do.
    let empty = r#"{"error":{"message":" ","type":"server_error","code":"upstream_error"}}"#;
    let empty_said = format!("HTTP 500: {empty}");
    // (status, body, x-request-id, message, [type, param, code])
    for (status, body, request_id, message, [error_type, param, code]) in [
        (400, shaped, Some("req_1"), "bad temp", [invalid, Some("temperature"), Some("invalid_value")]),
        (400, lone, None, "bad input: \u{FFFD}", [invalid, Some("input"), None]),
        (502, "<html>bad gateway</html>", None, "HTTP 502: <html>bad gateway</html>", [None; 3]),
        (500, "", None, "HTTP 500", [None; 3]),
        (402, "Insufficient balance", None, "HTTP 402: Insufficient balance", [None; 3]),
        (402, "", None, "HTTP 402", [None; 3]),
        (500, &long, None, &cut, [None; 3]),
        (500, empty, None, &empty_said, [Some("server_error"), None, Some("upstream_error")]),
    ] {
        let want =
            api_error(status, message, [error_type, param, code], [request_id, Some(body).filter(|b| !b.is_empty())]);
        assert_eq!(answer_read_back(status, body, request_id), want, "{status} {body}");
    }
}

const STREAM: &str = concat!(
    "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"r\",\"output\":[]}}\n\n",
    "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"m\",\"content\":[]}}\n\n",
    "event: response.content_part.added\ndata: {\"type\":\"response.content_part.added\",\"sequence_number\":2,\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\"}}\n\n",
    "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n",
    "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"output_index\":0,\"content_index\":0,\"delta\":\" there\"}\n\n",
    "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":5,\"response\":{\"id\":\"r\",\"status\":\"completed\",\"output\":[]}}\n\n",
);

/// The stream's batches (or frames) when it is held until `at` bytes were fed, then taken.
fn taken(at: usize, frames: bool) -> (String, Option<String>) {
    let mut s = StreamState::batches(None);
    let (head, tail) = STREAM.as_bytes().split_at(at);
    if at > 0 {
        s.hold(Some(Rc::new(Redactor::new(KEY).unwrap())));
    }
    s.feed(head);
    let mut out = String::new();
    if frames {
        s.frames_mode(Some(Rc::new(Redactor::new(KEY).unwrap())));
    } else {
        s.unhold();
    }
    let mut take = |s: &mut StreamState| {
        let t = if frames { s.take_frames() } else { s.take_batch() };
        out.push_str(&t.unwrap_or_default());
        out.push('|');
    };
    take(&mut s);
    s.feed(tail);
    take(&mut s);
    (out, s.take_terminal_batch())
}

#[test]
fn held_events_are_taken_later_as_the_same_batches_or_frames() {
    let mut s = StreamState::batches(None);
    s.hold(None);
    s.feed(&STREAM.as_bytes()[..10]);
    assert_eq!(s.held(), Some(false));
    s.feed(&STREAM.as_bytes()[10..]);
    assert_eq!(s.held(), Some(true));
    // Frames: the same bytes as received, whether the events were held or not.
    for at in [0, 50, 400, STREAM.len()] {
        let (frames, terminal) = taken(at, true);
        assert_eq!(frames.replace('|', ""), STREAM, "held until {at}");
        assert!(terminal.unwrap().starts_with("[{\"type\":\"response.completed\""), "held until {at}");
    }
    // Batches: every event once, in order, with its patches (the run shortcut `1` only within a batch).
    let (plain, _) = taken(0, false);
    for at in [50, 400, STREAM.len()] {
        let (held, _) = taken(at, false);
        let seqs = |t: &str| t.matches("\"sequence_number\":").count();
        assert_eq!(seqs(&held), seqs(&plain), "held until {at}: {held}");
        assert_eq!(seqs(&held), 6);
    }
    let (all_held, _) = taken(STREAM.len(), false);
    let mut whole = StreamState::batches(None);
    whole.feed(STREAM.as_bytes());
    assert_eq!(all_held, format!("{}||", whole.take_batch().unwrap()));
}
