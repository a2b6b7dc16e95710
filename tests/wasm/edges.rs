//! The Rust API against what a custom `fetch` or the caller hands it (no server): headers that
//! fetch refuses, locked bodies, an abort while events are queued or a tool runs, and what a
//! stream reports once it ended. Shared by the Node and the browser binaries.

use cometapi_responses::wasm::{
    stream_from_readable_stream, Client, ClientOptions, RequestOptions, RunToolsOptions, Tools,
};
use cometapi_responses::Error;
use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const KEY: &str = "sk-edge-0123456789abcdef-SECRET";

/// A client whose `fetch` runs the JS `body` (`req`: the Request), counting its calls in
/// `globalThis.__edgeCalls`.
fn client_with(body: &str, api_key: &str, headers: Vec<(String, String)>) -> Client {
    let src = format!("globalThis.__edgeCalls = (globalThis.__edgeCalls || 0) + 1; {body}");
    Client::new(ClientOptions {
        api_key: Some(api_key.into()),
        base_url: Some("http://127.0.0.1:9/v1".into()),
        fetch: Some(js_sys::Function::new_with_args("req", &src)),
        headers,
        max_retries: Some(0),
        ..Default::default()
    })
}

fn fetch_calls() -> f64 {
    js_sys::eval("globalThis.__edgeCalls || 0").unwrap().as_f64().unwrap()
}

/// `f`'s output, or a panic when it takes longer than `ms` (a hang fails the test instead of the run).
async fn within<F: std::future::Future + Unpin>(ms: u32, what: &str, f: F) -> F::Output {
    match select(f, TimeoutFuture::new(ms)).await {
        Either::Left((out, _)) => out,
        Either::Right(_) => panic!("{what}: still pending after {ms} ms"),
    }
}

/// A fetch that answers `sse` in one chunk: the whole body arrives before the first event is taken.
fn one_chunk(sse: &str) -> String {
    let body = serde_json::to_string(sse).unwrap();
    format!("return Promise.resolve(new Response({body}, {{ headers: {{ 'content-type': 'text/event-stream' }} }}));")
}

fn event(v: Value) -> String {
    format!("data: {v}\n\n")
}

fn created() -> String {
    event(json!({"type": "response.created", "sequence_number": 0,
        "response": {"id": "resp_1", "object": "response", "status": "in_progress", "output": []}}))
}

fn delta(seq: u64) -> String {
    event(json!({"type": "response.output_text.delta", "sequence_number": seq, "item_id": "msg_1",
        "output_index": 0, "content_index": 0, "delta": "Hi"}))
}

fn completed(seq: u64, output: Value) -> String {
    event(json!({"type": "response.completed", "sequence_number": seq,
        "response": {"id": "resp_1", "object": "response", "status": "completed", "output": output}}))
}

/// A whole stream: created, an output message, two deltas, completed.
fn whole_stream() -> String {
    let item = json!({"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []});
    let part = json!({"type": "output_text", "text": "", "annotations": []});
    let done = json!([{"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
        "content": [{"type": "output_text", "text": "HiHi", "annotations": []}]}]);
    [
        created(),
        event(json!({"type": "response.output_item.added", "sequence_number": 1, "output_index": 0, "item": item})),
        event(json!({"type": "response.content_part.added", "sequence_number": 2, "item_id": "msg_1",
            "output_index": 0, "content_index": 0, "part": part})),
        delta(3),
        delta(4),
        completed(5, done),
    ]
    .concat()
}

fn params() -> Value {
    json!({"model": "mock", "input": "hi"})
}

#[wasm_bindgen_test]
async fn a_header_fetch_refuses_is_a_validation_error_without_the_key_and_no_attempt() {
    let ok = "return Promise.resolve(new Response('{\"object\":\"response\",\"output\":[]}'));";
    let cases = [
        (KEY.to_owned(), vec![("x-user".to_owned(), "Zoë 😀".to_owned())]),
        (KEY.to_owned(), vec![("bad name".to_owned(), "v".to_owned())]),
        (KEY.to_owned(), vec![("x-line".to_owned(), "a\r\nb".to_owned())]),
        // the key itself in the Authorization header
        ("sk-edge-0123456789abcdef\nSECRET-rest-of-the-key".to_owned(), vec![]),
    ];
    for (key, headers) in cases {
        let c = client_with(ok, &key, headers.clone());
        let before = fetch_calls();
        let err = within(2000, "a refused header", Box::pin(c.create(&params(), RequestOptions::default())))
            .await
            .unwrap_err();
        let text = format!("{err:?} {err}");
        // what fetch never sends: no attempt, no retry
        assert!(matches!(&err, Error::Validation { param, .. } if param == "headers"), "{headers:?}: {err:?}");
        assert!(!text.contains("0123456789") && !text.contains("SECRET"), "the key in {text}");
        // the header is named, its value (maybe a secret) never quoted
        assert!(
            headers.iter().all(|(k, v)| text.contains(k.as_str()) && (v.len() < 3 || !text.contains(v.as_str()))),
            "{text}"
        );
        assert_eq!(fetch_calls(), before, "{headers:?}: fetch was called");
        if !headers.is_empty() {
            // the same header as a request option, on a stream
            let opts = RequestOptions { headers, ..Default::default() };
            let mut s = client_with(ok, KEY, vec![]).stream(&params(), opts).unwrap();
            let got = within(2000, "a refused header", Box::pin(s.next_event())).await;
            assert!(matches!(&got, Some(Err(Error::Validation { param, .. })) if param == "headers"), "{got:?}");
        }
    }
    // a later call on a client with valid headers goes through
    let c = client_with(ok, KEY, vec![]);
    assert_eq!(c.create(&params(), RequestOptions::default()).await.unwrap()["object"], "response");
}

#[wasm_bindgen_test]
async fn a_locked_body_fails_the_stream_or_the_call() {
    // a ReadableStream someone else reads
    let body: web_sys::ReadableStream =
        js_sys::eval("const b = new Response('data: {}\\n\\n').body; b.getReader(); b").unwrap().unchecked_into();
    let mut s = stream_from_readable_stream(body);
    let got = within(2000, "a locked stream", Box::pin(s.next_event())).await;
    assert!(
        matches!(&got, Some(Err(Error::Stream { message, .. })) if message.contains("cannot read the body")),
        "{got:?}"
    );
    assert!(s.next_event().await.is_none());
    // a custom fetch whose Response body is locked
    let locked = "const r = new Response('{}'); r.body.getReader(); return Promise.resolve(r);";
    let c = client_with(locked, KEY, vec![]);
    let err = within(2000, "a locked body", Box::pin(c.create(&params(), RequestOptions::default()))).await;
    assert!(matches!(&err, Err(Error::Stream { message, .. }) if message.contains("cannot read the body")), "{err:?}");
    let mut s = c.stream(&params(), RequestOptions::default()).unwrap();
    let got = within(2000, "a locked body", Box::pin(s.next_event())).await;
    assert!(matches!(got, Some(Err(Error::Stream { .. }))), "{got:?}");
}

#[wasm_bindgen_test]
async fn run_tools_ends_when_the_signal_aborts_while_a_tool_runs() {
    let call = json!([{"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "slow",
        "arguments": "{}", "status": "completed"}]);
    let c = client_with(&one_chunk(&(created() + &completed(1, call))), KEY, vec![]);
    let controller = web_sys::AbortController::new().unwrap();
    let tools = Tools::new().tool("slow", |_args: Value, _ctx| async {
        std::future::pending::<()>().await;
        Ok::<Value, String>(json!(1))
    });
    let opts = RunToolsOptions {
        request: RequestOptions { signal: Some(controller.signal()), ..Default::default() },
        ..Default::default()
    };
    let params =
        json!({"model": "mock", "input": "x", "tools": [{"type": "function", "name": "slow", "parameters": {}}]});
    let aborter = controller.clone();
    wasm_bindgen_futures::spawn_local(async move {
        TimeoutFuture::new(50).await;
        aborter.abort();
    });
    let run = within(2000, "run_tools after the abort", Box::pin(c.run_tools(&params, &tools, opts, |_| {}))).await;
    assert_eq!(run.err(), Some(Error::Abort));
}

#[wasm_bindgen_test]
async fn an_abort_drops_the_events_still_queued() {
    for by_signal in [false, true] {
        let controller = web_sys::AbortController::new().unwrap();
        let opts = RequestOptions { signal: Some(controller.signal()), ..Default::default() };
        let mut s = client_with(&one_chunk(&whole_stream()), KEY, vec![]).stream(&params(), opts).unwrap();
        assert_eq!(s.next_event().await.unwrap().unwrap().event_type(), "response.created");
        if by_signal {
            controller.abort();
        } else {
            s.abort();
        }
        assert_eq!(s.next_event().await.map(|r| r.err()), Some(Some(Error::Abort)), "by signal: {by_signal}");
        assert!(s.next_event().await.is_none());
        assert_eq!(s.final_response().await.err(), Some(Error::Abort));
        assert_eq!(s.final_response_json(), None);
    }
    // after the end, an abort changes nothing
    let mut s = client_with(&one_chunk(&whole_stream()), KEY, vec![]).stream(&params(), Default::default()).unwrap();
    while let Some(ev) = s.next_event().await {
        ev.unwrap();
    }
    s.abort();
    assert!(s.next_event().await.is_none());
    assert_eq!(s.final_response().await.unwrap()["output_text"], "HiHi");
    assert!(s.final_response_json().is_some());
}

#[wasm_bindgen_test]
async fn final_response_json_waits_for_the_events_still_queued() {
    let mut s = client_with(&one_chunk(&whole_stream()), KEY, vec![]).stream(&params(), Default::default()).unwrap();
    assert_eq!(s.next_event().await.unwrap().unwrap().event_type(), "response.created");
    assert_eq!(s.final_response_json(), None, "before the events still queued");
    let mut last = String::new();
    while let Some(ev) = s.next_event().await {
        last = ev.unwrap().event_type().to_owned();
        if last == "response.completed" {
            // the terminal event is out and nothing is left: the stream has ended
            break;
        }
        assert_eq!(s.final_response_json(), None, "after {last}");
    }
    assert_eq!(last, "response.completed");
    let json: Value = serde_json::from_str(&s.final_response_json().unwrap()).unwrap();
    assert_eq!((json["status"].as_str(), json["output_text"].as_str()), (Some("completed"), Some("HiHi")));
    assert_eq!(s.final_response().await.unwrap(), json);
}

#[wasm_bindgen_test]
async fn final_response_gives_the_error_the_iteration_gave() {
    let failed = event(json!({"type": "response.failed", "sequence_number": 1, "response": {"id": "resp_1",
        "status": "failed", "error": {"code": "server_error", "message": "m"}, "output": []}}));
    for sse in [created() + &delta(1), created() + &failed] {
        let mut s = client_with(&one_chunk(&sse), KEY, vec![]).stream(&params(), Default::default()).unwrap();
        let mut err = None;
        while let Some(ev) = s.next_event().await {
            err = ev.err();
        }
        let err = err.unwrap();
        assert!(
            matches!(&err, Error::Stream { response: Some(_), .. })
                || matches!(&err, Error::Api(e) if e.response.is_some()),
            "{err:?}"
        );
        assert_eq!(s.final_response().await.err(), Some(err));
    }
}
