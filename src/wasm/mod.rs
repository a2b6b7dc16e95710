//! The wasm shell: it runs the I/O the core asks for and gives JS its classes. No protocol rule
//! lives here (docs/architecture.md).
//!
//! - `raw` / `parser`: the `#[wasm_bindgen]` classes behind the npm package (js/*.js runs their
//!   I/O: `fetch`, the body's reader, timers).
//! - [`Client`] / [`EventStream`]: the same API for Rust/wasm apps, whose I/O is run here with
//!   gloo-net, web-sys and gloo-timers (`transport`); [`Client::run_tools`] the tool loop over
//!   async closures ([`Tools`]).
//! - `sys`: the few bindings web-sys lacks; `error`: core errors → JS error descriptors.

mod client;
mod error;
mod parser;
mod raw;
mod sdk;
mod stream;
mod sys;
mod tools;
mod transport;

pub use client::{
    stream_from_readable_stream, Client, ClientOptions, InputItemsQuery, RequestOptions, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_MS,
};
pub use stream::EventStream;
pub use tools::{RunToolsOptions, ToolContext, ToolRunOutput, Tools};
