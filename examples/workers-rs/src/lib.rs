//! A Cloudflare Worker written in Rust (workers-rs): `GET /?q=…` asks the model, streaming the
//! answer with `cometapi_responses::wasm::Client` inside the Worker, and answers with the text,
//! the number of events and the final status as JSON. The API key is a Worker secret
//! (`COMETAPI_KEY`) and never leaves the Worker; `UPSTREAM_BASE_URL` (a var) picks the server.

use cometapi_responses::wasm::{Client, ClientOptions, RequestOptions};
use serde_json::{json, Value};
use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let client = Client::new(ClientOptions {
        api_key: Some(env.secret("COMETAPI_KEY")?.to_string()),
        base_url: env.var("UPSTREAM_BASE_URL").ok().map(|v| v.to_string()),
        ..Default::default()
    });
    let url = req.url()?;
    let question = url
        .query_pairs()
        .find(|(name, _)| name == "q")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| "Say hello from a Rust Worker.".to_owned());

    let params = json!({ "model": "gpt-5.4-mini", "input": question });
    let answer = match ask(&client, &params).await {
        Ok(answer) => answer,
        // the client's errors never contain the key
        Err(e) => return Response::from_json(&json!({ "error": e.to_string() })).map(|r| r.with_status(502)),
    };
    Response::from_json(&answer)
}

async fn ask(client: &Client, params: &Value) -> std::result::Result<Value, cometapi_responses::Error> {
    let mut stream = client.stream(params, RequestOptions::default())?;
    let mut text = String::new();
    let mut events = 0u32;
    while let Some(event) = stream.next_event().await {
        let event = event?;
        events += 1;
        if event.event_type() == "response.output_text.delta" {
            // event.json() is the event exactly as the server sent it
            if let Ok(value) = serde_json::from_str::<Value>(event.json()) {
                text.push_str(value.get("delta").and_then(Value::as_str).unwrap_or_default());
            }
        }
    }
    let response = stream.final_response().await?;
    Ok(json!({
        "text": text,
        "events": events,
        "status": response.get("status"),
        "output_text": response.get("output_text"),
        "total_tokens": response.pointer("/usage/total_tokens"),
    }))
}
