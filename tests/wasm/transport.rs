//! The transport and the Rust `Client` against the mock backend on loopback (its URL comes
//! from MOCK_URL at build time: `node scripts/with-mock.mjs cargo test …`). Shared by the
//! Node and the browser test binaries.

use cometapi_responses::event::ResponseEvent;
use cometapi_responses::wasm::{Client, ClientOptions, RequestOptions};
use cometapi_responses::Error;
use serde_json::json;
use wasm_bindgen_test::*;

/// The mock's base URL: these tests fail (they never skip) when it was not given at build time.
pub fn base_url() -> String {
    match option_env!("MOCK_URL") {
        Some(u) => format!("{u}/v1"),
        None => panic!("MOCK_URL was not set at build time: run these tests through scripts/with-mock.mjs"),
    }
}

pub fn client(max_retries: u32, timeout_ms: Option<u64>) -> Client {
    Client::new(ClientOptions {
        api_key: Some("sk-wasm-test".into()),
        base_url: Some(base_url()),
        max_retries: Some(max_retries),
        timeout_ms,
        ..Default::default()
    })
}

fn fault(f: &str) -> RequestOptions {
    RequestOptions { headers: vec![("x-mock-fault".into(), f.into())], ..Default::default() }
}

/// A fault the mock applies to the first requests with this key only (`fail-first`): a new key per run.
fn fault_once(f: &str, key: &str) -> RequestOptions {
    let key = format!("{key}-{}", js_sys::Math::random());
    RequestOptions {
        headers: vec![("x-mock-fault".into(), f.into()), ("x-mock-fault-key".into(), key)],
        ..Default::default()
    }
}

/// The text of a `response.output_text.delta` event.
fn delta_text(ev: &ResponseEvent) -> Option<String> {
    if ev.event_type() != "response.output_text.delta" {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(ev.json()).unwrap();
    Some(v["delta"].as_str().unwrap().to_owned())
}

async fn stream_text(client: &Client, opts: RequestOptions) -> Result<(usize, String, serde_json::Value), Error> {
    let mut s = client.stream(&json!({ "model": "mock", "input": "wasm test 日本 😀" }), opts)?;
    let (mut n, mut text) = (0, String::new());
    while let Some(ev) = s.next_event().await {
        n += 1;
        text.extend(delta_text(&ev?));
    }
    Ok((n, text, s.final_response().await?))
}

#[wasm_bindgen_test]
async fn create_returns_the_response_with_output_text() {
    let c = client(0, None);
    let r = c.create(&json!({ "model": "mock", "input": "hello wasm" }), RequestOptions::default()).await.unwrap();
    assert_eq!(r["status"], "completed");
    assert!(r["output_text"].as_str().unwrap().contains("hello wasm"));
}

#[wasm_bindgen_test]
async fn stream_yields_events_in_order_and_the_final_text_equals_the_deltas() {
    let c = client(0, None);
    let (n, text, fin) = stream_text(&c, RequestOptions::default()).await.unwrap();
    assert!(n > 10, "{n} events");
    assert_eq!(fin["output_text"].as_str().unwrap(), text);
    assert!(text.contains("日本 😀"));
}

#[wasm_bindgen_test]
async fn bytes_split_everywhere_give_the_same_text() {
    let c = client(0, None);
    let (_, plain, _) = stream_text(&c, RequestOptions::default()).await.unwrap();
    for f in ["split=1,multibyte", "split=random,eol=crlf", "eol=cr,data-only,keepalive"] {
        let (_, text, fin) = stream_text(&c, fault(f)).await.unwrap();
        assert_eq!(fin["output_text"].as_str().unwrap(), text, "{f}");
        if !f.contains("multibyte") {
            assert_eq!(text, plain, "{f}");
        }
    }
}

#[wasm_bindgen_test]
async fn http_errors_become_api_errors_with_their_fields() {
    let c = client(0, None);
    let err = c.retrieve("resp_does_not_exist", RequestOptions::default()).await.unwrap_err();
    let Error::Api(e) = err else { panic!("expected ApiError, got {err:?}") };
    assert_eq!(e.status, Some(404));
    assert!(e.request_id.is_some());
}

#[wasm_bindgen_test]
async fn failed_and_truncated_streams() {
    let c = client(0, None);
    let err = stream_text(&c, fault("failed")).await.unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status.is_none() && e.response.is_some()), "{err:?}");
    let err = stream_text(&c, fault("no-terminal")).await.unwrap_err();
    assert!(matches!(err, Error::Stream { response: Some(_), .. }), "{err:?}");
    let err = stream_text(&c, fault("disconnect-after=4")).await.unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
}

#[wasm_bindgen_test]
async fn retries_then_succeeds() {
    let c = client(2, None);
    let opts = fault_once("status=503,retry-after-ms=10,fail-first=2", "wasm-retry");
    let (_, text, _) = stream_text(&c, opts).await.unwrap();
    assert!(!text.is_empty());
}

#[wasm_bindgen_test]
async fn a_stall_before_headers_times_out() {
    let c = client(0, Some(150));
    let err = stream_text(&c, fault("stall-headers=3000")).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { timeout_ms: 150, .. }), "expected a 150 ms TimeoutError, got {err:?}");
}

#[wasm_bindgen_test]
async fn abort_ends_the_stream_with_abort() {
    let c = client(0, None);
    let mut s = c.stream(&json!({ "model": "mock", "input": "abort" }), fault("delay=20")).unwrap();
    let first = s.next_event().await.unwrap().unwrap();
    assert_eq!(first.event_type(), "response.created");
    s.abort();
    assert!(matches!(s.next_event().await, Some(Err(Error::Abort))), "expected Abort");
    assert!(s.next_event().await.is_none());
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_connection_error() {
    let c = Client::new(ClientOptions {
        base_url: Some("http://127.0.0.1:9/v1".into()),
        max_retries: Some(0),
        ..Default::default()
    });
    let err = c.create(&json!({ "model": "mock", "input": "x" }), RequestOptions::default()).await.unwrap_err();
    assert!(matches!(&err, Error::Connection { message } if !message.contains("sk-")), "{err:?}");
}

#[wasm_bindgen_test]
fn validation_fails_before_sending() {
    let c = Client::new(ClientOptions { base_url: Some("http://127.0.0.1:9/v1".into()), ..Default::default() });
    let err = c.stream(&json!({ "model": "mock", "input": "x", "top_p": 1.5 }), RequestOptions::default()).err();
    assert!(matches!(&err, Some(Error::Validation { param, .. }) if param == "top_p"), "{err:?}");
}

#[wasm_bindgen_test]
async fn a_background_stream_resumes_when_its_body_breaks() {
    // A browser drops the events of a cut body that it had not handed out yet; the mock waits
    // before its cut, but on a busy machine a resume can still make no progress now and then:
    // allow a few in a row, and space the events (20 ms) so that most arrive before the cut.
    let c = client(12, None);
    // The mock cuts the connection after 6 events, and cuts every resume 6 events later again.
    let params =
        json!({ "model": "mock", "input": "a long background answer to resume, with many words", "background": true });
    let mut s = c.stream(&params, fault("disconnect-after=6,delay=20")).unwrap();
    let (mut seqs, mut text) = (Vec::new(), String::new());
    while let Some(ev) = s.next_event().await {
        let ev = ev.unwrap();
        seqs.push(ev.sequence_number().unwrap());
        text.extend(delta_text(&ev));
    }
    assert!(seqs.len() > 12, "{} events", seqs.len());
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>(), "every event once, in order");
    let fin = s.final_response().await.unwrap();
    assert_eq!(fin["status"], "completed");
    assert_eq!(fin["output_text"].as_str().unwrap(), text);
}

#[wasm_bindgen_test]
async fn compact_count_tokens_and_conversations() {
    let c = client(0, None);
    let params = json!({ "model": "mock", "input": "count me" });
    let n = c.count_input_tokens(&params, RequestOptions::default()).await.unwrap();
    assert_eq!(n["object"], "response.input_tokens");
    let compact = c.compact(&params, RequestOptions::default()).await.unwrap();
    assert_eq!(compact["object"], "response.compaction");
    let conv =
        c.conversation_create(Some(&json!({ "metadata": { "k": "v" } })), RequestOptions::default()).await.unwrap();
    let id = conv["id"].as_str().unwrap();
    let items = json!({ "items": [{ "type": "message", "role": "user", "content": "hi" }] });
    c.conversation_items_create(id, &items, &[], RequestOptions::default()).await.unwrap();
    let list = c.conversation_items_list(id, &Default::default(), RequestOptions::default()).await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let err = c.conversation_retrieve("..", RequestOptions::default()).await.unwrap_err();
    assert!(matches!(&err, Error::Validation { param, .. } if param == "id"), "{err:?}");
    let del = c.conversation_delete(id, RequestOptions::default()).await.unwrap();
    assert_eq!(del["deleted"], true);
}

#[wasm_bindgen_test]
async fn files_upload_list_content_delete_and_attachments() {
    use cometapi_responses::endpoint::FileListQuery;
    use cometapi_responses::input::{file_part, image_part};
    use wasm_bindgen::JsCast;
    let c = client(2, None);
    let pdf = b"%PDF-1.4\n% from the Rust API\n";
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&pdf[..]));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/pdf");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).unwrap();
    // a retried upload sends its multipart body again
    let retried = fault_once("status=503,retry-after-ms=5,fail-first=1", "wasm-upload");
    let up = c.file_create(&blob, None, "user_data", retried).await.unwrap();
    let id = up["id"].as_str().unwrap().to_owned();
    assert_eq!((up["bytes"].as_u64(), up["filename"].as_str()), (Some(pdf.len() as u64), Some("file.pdf")));
    // A File's own name wins over `filename`; a Blob without a type is sniffed (file.pdf, not file.bin).
    let named = web_sys::File::new_with_u8_array_sequence(&parts, "named.pdf").unwrap();
    let untyped = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    for (blob, filename, want) in [(&*named, Some("ignored.pdf"), "named.pdf"), (&untyped, None, "file.pdf")] {
        let f = c.file_create(blob, filename, "user_data", RequestOptions::default()).await.unwrap();
        assert_eq!(f["filename"], want);
        let res = c.file_content(f["id"].as_str().unwrap(), RequestOptions::default()).await.unwrap();
        assert_eq!(res.headers().get("content-type").unwrap().as_deref(), Some("application/pdf"));
    }
    assert_eq!(c.file_retrieve(&id, RequestOptions::default()).await.unwrap()["id"], id.as_str());
    let q = FileListQuery { purpose: Some("user_data".into()), ..Default::default() };
    let list = c.file_list(&q, RequestOptions::default()).await.unwrap();
    assert!(list["data"].as_array().unwrap().iter().any(|f| f["id"] == id.as_str()));
    let res = c.file_content(&id, RequestOptions::default()).await.unwrap();
    let buf = wasm_bindgen_futures::JsFuture::from(res.array_buffer().unwrap()).await.unwrap();
    assert_eq!(js_sys::Uint8Array::new(buf.unchecked_ref()).to_vec(), pdf.to_vec());

    let png = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 3, 8,
        2, 0, 0, 0,
    ];
    let content = json!([{ "type": "input_text", "text": "what?" }, image_part(&png, None, None).unwrap(), file_part(pdf, None, Some("r.pdf")).unwrap()]);
    let params = json!({ "model": "mock", "input": [{ "role": "user", "content": content }] });
    let r = c.create(&params, RequestOptions::default()).await.unwrap();
    let text = r["output_text"].as_str().unwrap();
    assert!(
        text.contains(&format!("image/png, {} bytes, 2×3", png.len()))
            && text.contains(&format!("r.pdf (application/pdf, {} bytes)", pdf.len())),
        "{text}"
    );

    assert_eq!(c.file_delete(&id, RequestOptions::default()).await.unwrap()["deleted"], true);
    let err = c.file_content(&id, RequestOptions::default()).await.err();
    assert!(matches!(&err, Some(Error::Api(e)) if e.status == Some(404)), "expected a 404 ApiError, got {err:?}");
}

#[wasm_bindgen_test]
async fn options_from_a_js_object_and_the_snapshot_as_one() {
    use wasm_bindgen::JsValue;
    let opts = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&opts, &JsValue::from_str(k), &v).unwrap();
    set("apiKey", JsValue::from_str("sk-from-js-options"));
    set("baseURL", JsValue::from_str(&base_url()));
    set("maxRetries", JsValue::from_f64(0.0));
    let options = ClientOptions::from_js(&opts).unwrap();
    assert_eq!(options.api_key.as_deref(), Some("sk-from-js-options"));
    let c = Client::new(options);
    let mut s = c.stream(&json!({ "model": "mock", "input": "js options" }), RequestOptions::default()).unwrap();
    while let Some(ev) = s.next_event().await {
        ev.unwrap();
    }
    let snap = s.snapshot_js();
    let text = js_sys::Reflect::get(&snap, &JsValue::from_str("output_text")).unwrap().as_string().unwrap();
    assert!(text.contains("js options"), "{text}");
    // fetch: a function or none, as the JS client takes it
    set("fetch", JsValue::NULL);
    assert!(ClientOptions::from_js(&opts).unwrap().fetch.is_none());
    set("fetch", JsValue::from_f64(5.0));
    assert!(matches!(ClientOptions::from_js(&opts), Err(Error::Validation { param, .. }) if param == "fetch"));
    set("fetch", JsValue::UNDEFINED);
    set("timeout", JsValue::from_f64(f64::NAN));
    assert!(matches!(ClientOptions::from_js(&opts), Err(Error::Validation { .. })));
}

#[wasm_bindgen_test]
async fn a_body_whose_read_throws_an_abort_error_ends_the_stream_as_an_abort() {
    // A custom fetch whose body yields one event, then fails its next read with an AbortError.
    let fetch = js_sys::Function::new_no_args(
        r#"const event = 'data: {"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}\n\n';
        const body = new ReadableStream({
          start(c) { c.enqueue(new TextEncoder().encode(event)); },
          pull(c) { c.error(new DOMException('This operation was aborted', 'AbortError')); },
        });
        return Promise.resolve(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));"#,
    );
    let c = Client::new(ClientOptions {
        base_url: Some("http://127.0.0.1:9/v1".into()),
        fetch: Some(fetch),
        max_retries: Some(0),
        ..Default::default()
    });
    let mut s = c.stream(&json!({ "model": "mock", "input": "hi" }), RequestOptions::default()).unwrap();
    assert_eq!(s.next_event().await.unwrap().unwrap().event_type(), "response.created");
    assert!(matches!(s.next_event().await, Some(Err(Error::Abort))));
}
