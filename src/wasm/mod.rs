//! The wasm shell: raw bindings ([`sys`]), the fetch transport, the Rust [`Client`] and
//! [`EventStream`], and the `#[wasm_bindgen]` exports behind the JS classes.
//!
//! Nothing here knows the protocol: it moves bytes between JS and the core and turns core
//! results into JS values. The public JS classes are thin wrappers (pkg/api.js) over the raw
//! exports; they add what JS does best (Error subclasses, `Symbol.asyncIterator`).

mod bindings;
mod client;
mod error;
mod parser;
mod stream;
pub mod sys;
mod transport;

pub use client::{stream_from_readable_stream, Client, ClientOptions, InputItemsQuery, RequestOptions};
pub use stream::EventStream;
