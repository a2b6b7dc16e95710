//! wasm-bindgen tests in Node (`make test-wasm`): the core inside a real wasm instance, the
//! transport against the mock backend on loopback, and the Rust API against custom `fetch`
//! functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(target_arch = "wasm32")]

use cometapi_responses::sse::{Event, Parser};
use wasm_bindgen_test::*;

#[path = "wasm/transport.rs"]
mod transport;

#[path = "wasm/sdk.rs"]
mod sdk;

#[path = "wasm/edges.rs"]
mod edges;

#[wasm_bindgen_test]
fn sse_parser_runs_in_wasm() {
    let mut p = Parser::new();
    let mut out = Vec::new();
    p.feed("id: 1\ndata: é".as_bytes(), &mut out).unwrap();
    p.feed("😀\n\n".as_bytes(), &mut out).unwrap();
    assert_eq!(out, vec![Event { event: "message".into(), data: "é😀".into(), last_event_id: "1".into() }]);
}
