//! wasm-bindgen tests in headless Chromium (`make test-wasm`): the transport against the mock
//! backend on loopback, from a page on another origin (CORS), with the browser's own fetch; and
//! the Rust API against custom `fetch` functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/transport.rs"]
mod transport;

#[path = "wasm/sdk.rs"]
mod sdk;

#[path = "wasm/edges.rs"]
mod edges;
