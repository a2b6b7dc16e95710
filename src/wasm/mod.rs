//! The wasm shell: it runs the I/O the core asks for and gives JS its classes. No protocol rule
//! lives here (docs/architecture.md).
//!
//! - `raw` / `parser` / `partial_json` / `tool_loop` (feature `npm`): the `#[wasm_bindgen]` classes behind the npm package (js/*.js runs their
//!   I/O: `fetch`, the body's reader, timers).
//! - [`Client`] / [`EventStream`] (feature `client`): the same API for Rust/wasm apps, whose I/O is run here with
//!   gloo-net, web-sys and gloo-timers (`transport`); [`Client::run_tools`] the tool loop over
//!   async closures ([`Tools`]).
//! - `error`: core errors → JS error descriptors; `chunk`: a body's chunk into wasm memory (both
//!   shells).

// the Rust API (feature `client`)
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod stream;
#[cfg(feature = "client")]
mod tools;
#[cfg(feature = "client")]
mod transport;

// a JS chunk into wasm memory (both)
#[cfg(any(feature = "client", feature = "npm"))]
mod chunk;

// the npm package's classes (feature `npm`): exported to JS by #[wasm_bindgen], not to Rust
#[cfg(feature = "npm")]
mod error;
#[cfg(feature = "npm")]
mod parser;
#[cfg(feature = "npm")]
mod partial_json;
#[cfg(feature = "npm")]
mod raw;
#[cfg(feature = "npm")]
mod tool_loop;

#[cfg(feature = "client")]
pub use crate::endpoint::FileListQuery;
#[cfg(feature = "client")]
pub use client::{
    stream_from_readable_stream, Client, ClientOptions, InputItemsQuery, RequestOptions, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_MS,
};
#[cfg(feature = "client")]
pub use stream::EventStream;
#[cfg(feature = "client")]
pub use tools::{RunToolsOptions, ToolContext, ToolRunOutput, Tools};

/// The npm build's allocator: talc is as fast as std's dlmalloc on the request and stream
/// paths and about 2.6 KiB gzip smaller.
#[cfg(feature = "npm")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
