//! The WebSocket mode machine (src/socket/): frames sent, lanes, routing through the stream
//! machine, drops, aborts, steering, reconnecting before the age limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use cometapi_responses::call::{Action as CallAction, Call};
use cometapi_responses::endpoint::Config;
use cometapi_responses::error::Error;
use cometapi_responses::socket::{connect_timeout_ms, Action, Routed, Socket, SteerOutcome, MAX_AGE_MS};
use cometapi_responses::stream::StreamState;
use serde_json::{json, Value};

const KEY: &str = "sk-test-0123456789abcdef";

/// The socket with what a shell does for each response (js/socket.js): its frames fed to its own
/// call as they arrive (a reader that keeps up), the call let go of once it has its outcome, and
/// ended as the socket says once the socket is done with it.
struct Shell {
    socket: Socket,
    calls: HashMap<u32, Call>,
}

impl Deref for Shell {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.socket
    }
}

impl DerefMut for Shell {
    fn deref_mut(&mut self) -> &mut Socket {
        &mut self.socket
    }
}

impl Shell {
    fn on_frame(&mut self, text: String) -> Routed {
        let routed = self.socket.on_frame(&text);
        if let Routed::Response(id) | Routed::Successor(id) = routed {
            let socket = &self.socket;
            let call = self.calls.entry(id).or_insert_with(|| socket.call_for(id).unwrap());
            call.on_event(text);
            if call.action() == CallAction::Done {
                self.socket.abort(id);
            }
        }
        routed
    }

    /// The response's call, ended as the socket says once it is done with the response.
    fn call(&mut self, id: u32) -> &mut Call {
        let socket = &self.socket;
        let call = self.calls.entry(id).or_insert_with(|| socket.call_for(id).unwrap());
        if socket.is_done(id) {
            socket.end_call(id, call);
        }
        call
    }

    /// The consumer aborts (as `RawCall.abort`): its call, and the response on the socket.
    fn abort(&mut self, id: u32) {
        self.call(id).abort();
        self.socket.abort(id);
    }
}

fn socket(base: &str, key: Option<&str>) -> Shell {
    let socket = Socket::new(&Config::new(Some(base), key, vec![], None, None).unwrap()).unwrap();
    Shell { socket, calls: HashMap::new() }
}

fn open(s: &mut Socket) {
    assert_eq!(s.action(0.0), Action::Connect);
    s.connecting(0.0, None);
    s.connected(0.0);
}

fn frames(s: &mut Socket) -> Vec<Value> {
    std::iter::from_fn(|| s.take_frame()).map(|f| serde_json::from_str(&f).unwrap()).collect()
}

/// An event of type `ty` on `lane` with the members of `v` (keys sorted: serde_json's `Map`).
fn ev(ty: &str, lane: Option<&str>, mut v: Value) -> String {
    v["type"] = json!(ty);
    if let Some(l) = lane {
        v["stream_id"] = json!(l);
    }
    v.to_string()
}

/// A request of the default params with this input, on `lane`, streamed.
fn add(s: &mut Socket, input: &str, lane: Option<&str>) -> u32 {
    s.create(&json!({"model": "m", "input": input}).to_string(), lane.map(str::to_owned), true).unwrap()
}

/// A shell on https://h/v1 with a request per `(input, lane)`, connected: its ids and the frames sent.
fn opened<const N: usize>(key: Option<&str>, requests: [(&str, Option<&str>); N]) -> (Shell, [u32; N], Vec<Value>) {
    let mut s = socket("https://h/v1", key);
    let ids = requests.map(|(input, lane)| add(&mut s, input, lane));
    open(&mut s);
    let sent = frames(&mut s);
    (s, ids, sent)
}

/// The frames a fresh shell sends once connected, for one request of `params`.
fn sent(params: &str, lane: Option<&str>, generate: bool) -> Vec<String> {
    let mut s = socket("https://h/v1", None);
    s.create(params, lane.map(str::to_owned), generate).unwrap();
    open(&mut s);
    assert_eq!(s.action(0.0), Action::Send);
    std::iter::from_fn(|| s.take_frame()).collect()
}

fn lifecycle(ty: &str, id: &str, status: &str, lane: Option<&str>) -> String {
    ev(ty, lane, json!({ "response": { "id": id, "object": "response", "status": status, "output": [] } }))
}

fn created(id: &str, lane: Option<&str>) -> String {
    lifecycle("response.created", id, "in_progress", lane)
}

fn completed(id: &str, lane: Option<&str>) -> String {
    lifecycle("response.completed", id, "completed", lane)
}

fn delta(text: &str, lane: Option<&str>) -> String {
    ev("response.output_text.delta", lane, json!({"output_index":0,"content_index":0,"item_id":"m","delta":text}))
}

fn item_added(lane: Option<&str>) -> String {
    let item = json!({"id": "m", "type": "message", "role": "assistant", "content": []});
    ev("response.output_item.added", lane, json!({"output_index": 0, "item": item}))
}

fn part_added(lane: Option<&str>) -> String {
    let part = json!({"type": "output_text", "text": ""});
    ev("response.content_part.added", lane, json!({"output_index":0,"content_index":0,"item_id":"m","part":part}))
}

/// The events of a response's batches so far.
fn events_of(s: &mut Shell, id: u32) -> Vec<Value> {
    let batches = std::iter::from_fn(|| s.call(id).stream_mut().unwrap().take_batch());
    batches.flat_map(|b| serde_json::from_str::<Vec<Value>>(&b).unwrap().into_iter().step_by(3)).collect()
}

#[test]
fn url_and_upgrade_headers() {
    let s = socket("https://api.example.com/v1/", Some(KEY));
    assert_eq!(s.url(), "wss://api.example.com/v1/responses");
    assert_eq!(s.headers(), vec![("authorization".to_owned(), format!("Bearer {KEY}"))]);
    let s = socket("http://127.0.0.1:8080/v1", None);
    assert_eq!(s.url(), "ws://127.0.0.1:8080/v1/responses");
    assert!(s.headers().is_empty());
}

#[test]
fn a_create_frame_has_its_type_no_stream_or_background_and_a_lane_or_a_warmup_says_so() {
    // A warmup sends generate: false; a lane sends stream_id.
    let parsed = |frames: Vec<String>| frames.iter().map(|f| f.parse::<Value>().unwrap()).collect::<Vec<_>>();
    let params = r#"{"model":"m","input":"hi","stream":true,"background":false,"store":false}"#;
    let want = json!({"type":"response.create","model":"m","input":"hi","store":false});
    assert_eq!(parsed(sent(params, None, true)), [want]);
    let want = json!({"type":"response.create","stream_id":"a","model":"m","input":"hi","generate":false});
    assert_eq!(parsed(sent(r#"{"model":"m","input":"hi"}"#, Some("a"), false)), [want]);
}

#[test]
fn params_are_validated_and_background_refused() {
    let mut s = socket("https://h/v1", None);
    for (params, param) in [
        (r#"{"model":"m","input":"hi","background":true}"#, "background"),
        (r#"{"model":"m","input":"hi","temperature":5}"#, "temperature"),
    ] {
        let e = s.create(params, None, true).unwrap_err();
        assert!(matches!(e, Error::Validation { param: ref p, .. } if p == param), "{e:?}");
    }
    assert_eq!(s.action(0.0), Action::Idle, "nothing to send after refused params");
    // A refused value that quotes the key: the error does not.
    let key = "sk-proj-Zx9QwErTy1234567890AbCdEfGhIjKlMn";
    let mut s = socket("https://h/v1", Some(key));
    let e = s.create(&format!(r#"{{"model":"m","input":"hi","temperature":"{key}"}}"#), None, true).unwrap_err();
    let Error::Validation { message, .. } = &e else { panic!("{e:?}") };
    assert!(message.contains("[redacted]") && !message.contains(&key[..10]), "{e:?}");
}

#[test]
fn default_lane_is_fifo_one_at_a_time() {
    let (mut s, [a, b], f) = opened(None, [("1", None), ("2", None)]);
    assert_eq!((f.len(), &f[0]["input"]), (1, &json!("1")), "the second waits for the first");
    assert_eq!(s.on_frame(created("r1", None)), Routed::Response(a));
    assert_eq!(s.action(0.0), Action::Idle);
    assert_eq!(s.on_frame(completed("r1", None)), Routed::Response(a));
    assert!(s.is_done(a));
    assert_eq!(s.call(a).action(), CallAction::Done);
    assert!(s.call(a).error().is_none());
    let f = frames(&mut s);
    assert_eq!((f.len(), &f[0]["input"]), (1, &json!("2")));
    assert_eq!(s.on_frame(created("r2", None)), Routed::Response(b));
}

#[test]
fn lanes_run_concurrently_and_events_never_mix() {
    let (mut s, [a, b], sent) = opened(None, [("a", Some("A")), ("b", Some("B"))]);
    assert_eq!(sent.len(), 2, "different lanes go out together");
    for (lane, id) in [("A", "ra"), ("B", "rb")] {
        s.on_frame(created(id, Some(lane)));
        s.on_frame(item_added(Some(lane)));
        s.on_frame(part_added(Some(lane)));
    }
    // interleaved deltas
    for i in 0..3 {
        assert_eq!(s.on_frame(delta(&format!("a{i}"), Some("A"))), Routed::Response(a));
        assert_eq!(s.on_frame(delta(&format!("b{i}"), Some("B"))), Routed::Response(b));
    }
    s.on_frame(completed("rb", Some("B")));
    s.on_frame(completed("ra", Some("A")));
    // Each response's stream holds only its own lane's deltas, in order.
    for (id, want) in [(a, "a0a1a2"), (b, "b0b1b2")] {
        let text: String = events_of(&mut s, id).iter().filter_map(|e| e["delta"].as_str()).collect();
        assert_eq!(text, want);
    }
    assert_eq!(events_of(&mut s, a).len(), 0, "all taken");
    assert!(s.is_done(a) && s.is_done(b));
}

#[test]
fn each_frame_goes_through_the_stream_machine_outcomes() {
    // An `error` event fails its response with an ApiError at its position (same as SSE).
    let mut s = socket("https://h/v1", None);
    let a = s.create(r#"{"model":"m","input":"1","previous_response_id":"gone"}"#, None, true).unwrap();
    open(&mut s);
    frames(&mut s);
    let error = json!({"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id 'gone' not found.","param":"previous_response_id"});
    s.on_frame(ev("error", None, json!({ "error": error })));
    let Some(Error::Api(e)) = s.call(a).error() else { panic!("{:?}", s.call(a).error()) };
    assert_eq!(e.code.as_deref(), Some("previous_response_not_found"));
    // Malformed data is a StreamError, like a malformed SSE data line; the rest of that
    // response is dropped and does not reach the lane's next one.
    let (b, c) = (add(&mut s, "2", None), add(&mut s, "3", None));
    frames(&mut s);
    s.on_frame(created("rb", None));
    s.on_frame("{not json".to_owned());
    assert!(matches!(s.call(b).error(), Some(Error::Stream { .. })));
    assert!(frames(&mut s).is_empty(), "the lane waits for the broken response's end");
    assert_eq!(s.on_frame(delta("late", None)), Routed::Dropped);
    assert_eq!(s.on_frame(completed("rb", None)), Routed::Dropped);
    assert_eq!(frames(&mut s).len(), 1);
    assert_eq!(s.on_frame(created("rc", None)), Routed::Response(c));
    // A terminal event spoiled after its type still ends its response: the lane goes on.
    let d = add(&mut s, "4", None);
    let spoiled = completed("rc", None);
    s.on_frame(format!("{},\"oops", &spoiled[..spoiled.len() - 1]));
    assert!(matches!(s.call(c).error(), Some(Error::Stream { .. })));
    assert_eq!(frames(&mut s).len(), 1, "the next request goes out");
    assert_eq!(s.on_frame(created("rd", None)), Routed::Response(d));
    // With another lane running, a spoiled frame could be its terminal: it ends nothing, and the
    // default lane's own events still reach only it.
    let (mut s, [a, b], _) = opened(None, [("a", None), ("b", Some("B"))]);
    s.on_frame(created("ra", None));
    s.on_frame(created("rb", Some("B")));
    let spoiled = completed("rb", Some("B"));
    s.on_frame(spoiled[..spoiled.find("stream_id").unwrap()].to_owned());
    assert!(matches!(s.call(a).error(), Some(Error::Stream { .. })));
    assert!(!s.is_done(b));
    assert_eq!(s.on_frame(completed("ra", None)), Routed::Dropped, "a's own end, dropped: a failed");
    assert!(s.is_done(a) && !s.is_done(b));
    assert_eq!(s.on_frame(delta("x", None)), Routed::Response(b), "the one response on the wire");
    // One that names its lane (a frame cut at the size limit after its `stream_id`) ends that
    // lane's response, another lane running or not.
    let (mut s, [a, b], _) = opened(None, [("a", None), ("b", Some("B"))]);
    s.on_frame(created("ra", None));
    s.on_frame(created("rb", Some("B")));
    let cut = r#"{"type":"response.completed","stream_id":"B","response":{"id":"rb","output":["xxxx"#;
    assert_eq!(s.on_frame(cut.to_owned()), Routed::Response(b));
    assert!(matches!(s.call(b).error(), Some(Error::Stream { .. })));
    assert!(s.is_done(b) && !s.is_done(a) && s.call(a).error().is_none());
    add(&mut s, "c", Some("B"));
    assert_eq!(frames(&mut s).len(), 1, "lane B's next request goes out");
    // A cut or broken `stream_id` names no lane (its prefix may be another lane's id); a whole
    // one does, wherever the frame was cut after it (in an escape, at the id's own letters) or
    // whatever follows it.
    for (frame, lane) in [
        (r#"{"type":"response.completed","stream_id":"a"#, None),
        (r#"{"type":"response.completed","stream_id":"a\"#, None),
        (r#"{"type":"response.completed","stream_id":"\u0061"#, None),
        (r#"{"type":"response.completed","stream_id":"a\q","response":{}}"#, None),
        (r#"{"type":"response.completed","stream_id":"ab","response":{"output":[{"text":"line\"#, Some(1)),
        (r#"{"type":"response.completed","stream_id": "ab","response":{"output":[{"text":"ab"#, Some(1)),
        (r#"{"type":"response.completed","stream_id":"\u0061"}x"#, Some(0)),
    ] {
        let (mut s, lanes, _) = opened(None, [("a", Some("a")), ("ab", Some("ab"))]);
        s.on_frame(created("ra", Some("a")));
        s.on_frame(created("rab", Some("ab")));
        s.on_frame(frame.to_owned());
        let ended = lanes.map(|l| s.is_done(l));
        let want = [lane == Some(0), lane == Some(1)];
        assert_eq!(ended, want, "{frame}");
    }
}

#[test]
fn feed_event_matches_sse_feed() {
    // The same events as SSE bytes and as whole frames give the same batches.
    let evs = [created("r", None), item_added(None), part_added(None), delta("hé", None), completed("r", None)];
    let (mut sse, mut whole) = (StreamState::batches(None), StreamState::batches(None));
    sse.feed(evs.iter().map(|e| format!("data: {e}\n\n")).collect::<String>().as_bytes());
    evs.into_iter().for_each(|e| whole.feed_event(e));
    assert_eq!(sse.take_batch(), whole.take_batch());
    assert_eq!(sse.outcome(), whole.outcome());
    // The size limit applies to a frame as to an SSE event.
    let mut small = StreamState::batches(Some(64));
    small.feed_event(delta(&"x".repeat(100), None));
    assert!(matches!(small.outcome(), Some(Err(Error::Stream { .. }))));
}

#[test]
fn drop_fails_in_flight_with_connection_error_and_next_call_reconnects() {
    let (mut s, [a, q], _) = opened(Some(KEY), [("1", Some("A")), ("2", Some("A"))]);
    s.on_frame(created("ra", Some("A")));
    s.on_frame(item_added(Some("A")));
    s.dropped(&format!("reset by peer {KEY}"));
    let failed = s.call(a).error();
    let Some(Error::Connection { message }) = &failed else { panic!("{failed:?}") };
    assert!(!message.contains(KEY), "redacted: {message}");
    assert!(s.call(q).error().is_none(), "a request not yet sent is not failed");
    assert_eq!(s.action(0.0), Action::Connect, "the waiting request reconnects");
    s.connecting(0.0, None);
    s.connected(10.0);
    let f = frames(&mut s);
    assert_eq!((f.len(), &f[0]["input"]), (1, &json!("2")), "the failed response is never replayed");
}

#[test]
fn a_failed_connect_fails_waiting_requests_and_a_close_keeps_a_drop_or_it_as_their_end() {
    let (mut s, [a], _) = opened(None, [("1", None)]);
    s.socket.on_frame(&created("ra", None));
    s.dropped("gone");
    s.close();
    assert!(matches!(s.call(a).error(), Some(Error::Connection { .. })));
    // A failed connect fails the waiting requests, read before or after a close.
    for close in [true, false] {
        let mut s = socket("https://h/v1", None);
        let a = add(&mut s, "1", None);
        s.connecting(0.0, None);
        s.connect_failed("401");
        if close {
            s.close();
        }
        assert!(matches!(s.call(a).error(), Some(Error::Connection { .. })), "close: {close}");
        assert_eq!(s.action(0.0), Action::Idle, "close: {close}");
    }
}

#[test]
fn connecting_is_given_up_at_the_connect_timeout() {
    let mut s = socket("https://h/v1", None);
    s.connecting(1000.0, Some(250));
    assert_eq!(s.poll_timeout(), Some(1250.0));
    assert_eq!(s.handle_timeout(1249.0), None, "not yet: the timer is set again");
    assert_eq!(s.handle_timeout(1250.0).as_deref(), Some("no answer in 250 ms"));
    assert_eq!((s.poll_timeout(), s.handle_timeout(2000.0)), (None, None), "given up once");
    s.connecting(0.0, None);
    assert_eq!((s.poll_timeout(), s.handle_timeout(f64::MAX)), (None, None), "no timeout: no deadline");
    // A number given in JS is whole ms and never negative.
    let mut s = socket("https://h/v1", None);
    for (given, deadline, message) in [
        (250.9, 1250.0, "no answer in 250 ms"),
        (-5.0, 1000.0, "no answer in 0 ms"),
        (f64::NAN, 1000.0, "no answer in 0 ms"),
    ] {
        s.connecting(1000.0, Some(connect_timeout_ms(given)));
        assert_eq!(s.poll_timeout(), Some(deadline), "{given}");
        assert_eq!(s.handle_timeout(deadline).as_deref(), Some(message), "{given}");
    }
    s.connecting(0.0, Some(connect_timeout_ms(f64::INFINITY)));
    assert_eq!(s.handle_timeout(1e15), None, "an infinite timeout does not fire in any clock's lifetime");
}

#[test]
fn abort_stops_only_that_response() {
    let (mut s, [a, _a2, b, queued], sent) =
        opened(None, [("a", Some("A")), ("a2", Some("A")), ("b", Some("B")), ("q", Some("B"))]);
    assert_eq!(sent.len(), 2);
    s.on_frame(created("ra", Some("A")));
    s.on_frame(created("rb", Some("B")));
    s.abort(a);
    s.abort(queued);
    assert!(matches!(s.call(a).error(), Some(Error::Abort)));
    assert!(s.is_done(a), "its consumer gets nothing more");
    assert!(matches!(s.call(queued).error(), Some(Error::Abort)));
    assert_eq!(s.on_frame(delta("x", Some("A"))), Routed::Dropped);
    assert_eq!(s.on_frame(created("rb-more", Some("B"))), Routed::Response(b));
    assert!(frames(&mut s).is_empty(), "lane A waits for the aborted response's end");
    s.on_frame(completed("ra", Some("A")));
    let f = frames(&mut s);
    assert_eq!((f.len(), &f[0]["input"]), (1, &json!("a2")));
    s.on_frame(completed("rb", Some("B")));
    assert!(frames(&mut s).is_empty(), "the aborted queued request is never sent");
}

#[test]
fn reconnects_before_the_age_limit_between_responses() {
    let (mut s, [a], _) = opened(None, [("1", None)]);
    s.on_frame(created("r", None));
    let b = add(&mut s, "2", None);
    let late = MAX_AGE_MS + 1.0;
    assert_eq!(s.action(late), Action::Idle, "never while a response runs");
    s.on_frame(completed("r", None));
    assert!(s.is_done(a));
    assert_eq!(s.action(late), Action::Reconnect);
    assert_eq!(s.action(MAX_AGE_MS - 1.0), Action::Send, "younger: send on the same connection");
    s.dropped("closed by the client to reconnect");
    assert_eq!(s.action(late), Action::Connect);
    s.connecting(0.0, None);
    s.connected(late);
    assert_eq!(frames(&mut s).len(), 1);
    assert!(!s.is_done(b));
}

#[test]
fn past_the_age_limit_a_steer_still_goes_out_where_its_response_runs() {
    let (mut s, [a], _) = opened(None, [("1", None)]);
    s.on_frame(created("r", None));
    let b = add(&mut s, "2", None);
    s.steer(r#""and this""#, None).unwrap();
    let late = MAX_AGE_MS + 1.0;
    assert_eq!(s.action(late), Action::Send, "the steer goes out on this connection");
    let steer = json!({"type":"response.steer","previous_response_id":"r","input":"and this"});
    assert_eq!(frames(&mut s), vec![steer], "and no response starts on it");
    assert_eq!(s.action(late), Action::Idle);
    s.on_frame(completed("r", None));
    assert!(s.is_done(a) && !s.is_done(b));
    assert_eq!(s.action(late), Action::Reconnect, "the next response waits for a new connection");
}

#[test]
fn steer_targets_the_running_response_and_settles() {
    let mut s = socket("https://h/v1", Some(KEY));
    let e = s.steer(r#""more""#, None).unwrap_err();
    assert!(matches!(e, Error::Validation { .. }), "nothing runs yet");
    let (a, _next) = (add(&mut s, "1", Some("L")), add(&mut s, "2", Some("L")));
    open(&mut s);
    frames(&mut s);
    s.on_frame(created("r1", Some("L")));
    let st = s.steer(r#""also this""#, Some("L".into())).unwrap();
    assert_eq!(s.action(0.0), Action::Send, "a steer goes out at once");
    let f = frames(&mut s);
    assert_eq!(f, vec![json!({"type":"response.steer","previous_response_id":"r1","input":"also this"})]);
    assert!(s.steer_outcome(st).is_none());
    let acc =
        json!({"type":"response.steer.accepted","stream_id":"L","steer":{"id":"st_1","previous_response_id":"r1"}});
    assert_eq!(s.on_frame(acc.to_string()), Routed::Steer(st));
    assert_eq!(s.steer_outcome(st), Some(&SteerOutcome::Accepted));
    // The steered response ends; its successor starts by itself on the lane, before `next`.
    s.on_frame(ev(
        "response.incomplete",
        Some("L"),
        json!({"response":{"id":"r1","status":"incomplete","incomplete_details":{"reason":"steered"},"output":[]}}),
    ));
    assert!(s.is_done(a));
    assert!(frames(&mut s).is_empty(), "the lane waits for the successor");
    let r = s.on_frame(created("r2", Some("L")));
    let Routed::Successor(succ) = r else { panic!("{r:?}") };
    assert_eq!(s.on_frame(completed("r2", Some("L"))), Routed::Response(succ));
    assert_eq!(frames(&mut s)[0]["input"], "2");
    // An `error` in the successor's place is a successor that fails at once: the lane goes on.
    let (mut t, [_, next], _) = opened(None, [("1", None), ("2", None)]);
    t.on_frame(created("q1", None));
    t.steer(r#""more""#, None).unwrap();
    frames(&mut t);
    t.on_frame(json!({"type":"response.steer.accepted","steer":{"id":"s","previous_response_id":"q1"}}).to_string());
    t.on_frame(lifecycle("response.incomplete", "q1", "incomplete", None));
    let r = t.on_frame(ev("error", None, json!({"error":{"code":"invalid_input","message":"bad steer input"}})));
    let Routed::Successor(failed) = r else { panic!("{r:?}") };
    assert!(matches!(t.call(failed).error(), Some(Error::Api(e)) if e.code.as_deref() == Some("invalid_input")));
    assert_eq!(frames(&mut t)[0]["input"], "2");
    assert_eq!(t.on_frame(created("q2", None)), Routed::Response(next));
    // While another lane runs, an error without a lane is not the held lane's successor: the
    // successor that comes is.
    let (mut u, [_, other], _) = opened(None, [("1", None), ("o", Some("O"))]);
    u.on_frame(created("p1", None));
    u.on_frame(created("po", Some("O")));
    u.steer(r#""more""#, None).unwrap();
    frames(&mut u);
    u.on_frame(json!({"type":"response.steer.accepted","steer":{"id":"s","previous_response_id":"p1"}}).to_string());
    u.on_frame(lifecycle("response.incomplete", "p1", "incomplete", None));
    assert_eq!(u.on_frame(ev("error", None, json!({"error":{"message":"whose?"}}))), Routed::Dropped);
    assert!(matches!(u.on_frame(created("p2", None)), Routed::Successor(_)));
    assert_eq!(u.on_frame(delta("o", Some("O"))), Routed::Response(other));
    // A failed steer is an ApiError, redacted.
    s.on_frame(created("r3", Some("L")));
    let st2 = s.steer(r#"["x"]"#, Some("L".into())).unwrap();
    frames(&mut s);
    let failed = json!({"type":"response.steer.failed","stream_id":"L","steer":{"previous_response_id":"r3","input":["x"]},
        "error":{"code":"steering_not_supported","message":format!("no {KEY}")}});
    assert_eq!(s.on_frame(failed.to_string()), Routed::Steer(st2));
    let Some(SteerOutcome::Failed(Error::Api(e))) = s.steer_outcome(st2) else { panic!("{:?}", s.steer_outcome(st2)) };
    assert_eq!(e.code.as_deref(), Some("steering_not_supported"));
    assert!(!e.message.contains(KEY) && !e.body.as_deref().unwrap().contains(KEY));
    assert!(s.steer(r#"[]"#, Some("L".into())).is_err(), "an empty input array is refused");
    // A steer the connection's loss leaves unanswered fails, the runtime's text redacted.
    s.on_frame(created("r4", Some("L")));
    let st3 = s.steer(r#""late""#, Some("L".into())).unwrap();
    frames(&mut s);
    s.dropped(&format!("reset after Bearer {KEY}"));
    let Some(SteerOutcome::Failed(Error::Connection { message })) = s.steer_outcome(st3) else { panic!() };
    assert!(message.contains("[redacted]") && !message.contains(&KEY[3..13]), "{message}");
}

#[test]
fn pending_steer_does_not_hold_the_lane() {
    let (mut s, _, _) = opened(None, [("1", None), ("2", None)]);
    s.on_frame(created("r1", None));
    let st = s.steer(r#""x""#, None).unwrap();
    frames(&mut s);
    s.on_frame(json!({"type":"response.steer.accepted","steer":{"id":"s","previous_response_id":"r1"}}).to_string());
    s.on_frame(completed("r1", None));
    assert!(frames(&mut s).is_empty());
    s.on_frame(json!({"type":"response.steer.pending","steer":{"id":"s","previous_response_id":"r1"},"reason":"waiting_for_required_input"}).to_string());
    assert_eq!(s.steer_outcome(st), Some(&SteerOutcome::Accepted), "the first answer stays");
    assert_eq!(frames(&mut s).len(), 1, "the explicit next request goes out");
}

#[test]
fn events_without_a_request_are_dropped() {
    let mut s = socket("https://h/v1", None);
    s.connecting(0.0, None);
    s.connected(0.0);
    assert_eq!(s.on_frame(created("x", None)), Routed::Dropped);
    assert_eq!(s.on_frame(delta("x", Some("nobody"))), Routed::Dropped);
}

#[test]
fn a_create_frame_keeps_the_params_numbers_key_order_and_lone_surrogates_as_written() {
    let params = r#"{"model":"m","input":"x","temperature":0.9283891276895937,"top_p":1e-307,"tools":[{"type":"function","name":"f","parameters":{"type":"number","minimum":5e-32}}]}"#;
    let frame = &sent(params, None, true)[0];
    for number in ["0.9283891276895937", "1e-307", "5e-32"] {
        assert!(frame.contains(number), "{number} in {frame}");
    }
    // A schema's `properties` order sets the order of the structured output: as over HTTP.
    let params = r#"{"model":"m","stream":false,"input":"\ud800 x","text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"string"}}}}}}"#;
    let want = r#"{"type":"response.create","stream_id":"a","model":"m","input":"\ud800 x","text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"string"}}}}}}"#;
    assert_eq!(sent(params, Some("a"), true), [want]);
    // (the frame's own members are left out however the params spell their keys)
    let params = r#"{ "model" : "m" , "typ\u0065":"response.cancel","stream_\u0069d":"z","input":"x" }"#;
    assert_eq!(sent(params, None, true), [r#"{"type":"response.create","model" : "m" ,"input":"x" }"#]);
    let input = r#"[{"role":"user","content":"\udc00","z":1,"a":2}]"#;
    let steer = cometapi_responses::socket::steer_frame(input, "resp_1").unwrap();
    let want = r#"{"type":"response.steer","previous_response_id":"resp_1","input":[{"role":"user","content":"\udc00","z":1,"a":2}]}"#;
    assert_eq!(steer, want);
}

#[test]
fn a_reader_gets_every_frame_routed_to_its_response_then_the_end_the_socket_saw() {
    // The shell keeps the frames routed to a response until its reader takes them: a reader
    // that begins after the socket is done with the response still gets all of them, then the
    // end (its terminal event; a connection lost after them).
    let (mut s, [a, b], _) = opened(None, [("a", Some("A")), ("b", Some("B"))]);
    let body = |lane| vec![created("r", lane), item_added(lane), part_added(lane), delta("x", lane)];
    let (mut body_a, body_b) = (body(Some("A")), body(Some("B")));
    body_a.push(completed("r", Some("A")));
    for (id, frames) in [(a, &body_a), (b, &body_b)] {
        for f in frames {
            assert_eq!(s.socket.on_frame(f), Routed::Response(id));
        }
    }
    s.dropped("gone");
    for (id, frames) in [(a, body_a), (b, body_b)] {
        assert!(s.is_done(id));
        let mut call = s.call_for(id).unwrap();
        let n = frames.len();
        frames.into_iter().for_each(|f| call.on_event(f));
        s.end_call(id, &mut call);
        let batch: Vec<Value> = serde_json::from_str(&call.stream_mut().unwrap().take_batch().unwrap()).unwrap();
        assert_eq!(batch.len() / 3, n);
        assert_eq!(call.action(), CallAction::Done);
        assert_eq!(matches!(call.error(), Some(Error::Connection { .. })), id == b, "{:?}", call.error());
    }
}
