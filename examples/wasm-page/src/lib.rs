//! A page written in Rust: it streams an answer from the Responses API into `#out` as it arrives,
//! using `cometapi_responses::wasm::Client`, then shows the final response's status and usage in
//! `#status`. The base URL comes from the page's `?api=` query (default `/v1` on the page's own
//! origin): point it at your own proxy, which adds the API key server-side — never put a key in a
//! page.

use cometapi_responses::wasm::{Client, ClientOptions, RequestOptions};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Runs when the module is instantiated (`await init()` in index.html).
#[wasm_bindgen(start)]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        if let Err(message) = run().await {
            show("status", &format!("error: {message}"));
        }
    });
}

async fn run() -> Result<(), String> {
    let out = element("out")?;
    let client = Client::new(ClientOptions { base_url: Some(base_url()), ..Default::default() });
    let params = json!({ "model": "gpt-5.4-mini", "input": "Say hello from a Rust page." });
    let mut stream = client.stream(&params, RequestOptions::default()).map_err(|e| e.to_string())?;
    show("status", "streaming…");
    let mut text = String::new();
    let mut events = 0;
    while let Some(event) = stream.next_event().await {
        let event = event.map_err(|e| e.to_string())?;
        events += 1;
        if event.event_type() == "response.output_text.delta" {
            // event.json() is the event exactly as the server sent it
            let value: Value = serde_json::from_str(event.json()).map_err(|e| e.to_string())?;
            if let Some(delta) = value.get("delta").and_then(Value::as_str) {
                text.push_str(delta);
                out.set_text_content(Some(&text)); // text, never HTML
            }
        }
    }
    let response = stream.final_response().await.map_err(|e| e.to_string())?;
    let status = response.get("status").and_then(Value::as_str).unwrap_or("?");
    let tokens = response.pointer("/usage/total_tokens").and_then(Value::as_u64).unwrap_or(0);
    let same = response.get("output_text").and_then(Value::as_str) == Some(text.as_str());
    show(
        "status",
        &format!(
            "done: {status}, {events} events, {tokens} tokens, output_text {}",
            if same { "matches" } else { "differs" }
        ),
    );
    Ok(())
}

/// `?api=…` of the page's URL, else `/v1` on the page's own origin (the client takes absolute
/// URLs only).
fn base_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let search = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("api="))
        .map(decode_component)
        .unwrap_or_else(|| format!("{}/v1", location.and_then(|l| l.origin().ok()).unwrap_or_default()))
}

/// Percent-decoding of a query value (`decodeURIComponent`).
fn decode_component(value: &str) -> String {
    js_sys::decode_uri_component(value).map(String::from).unwrap_or_else(|_| value.to_owned())
}

fn element(id: &str) -> Result<Element, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .ok_or_else(|| format!("no #{id} in the page"))
}

fn show(id: &str, text: &str) {
    if let Ok(el) = element(id) {
        el.set_text_content(Some(text));
    }
}
