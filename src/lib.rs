//! cometapi-responses: a Responses API client for the browser and the edge.
//!
//! The crate has two layers (see DESIGN.md §1):
//! - a plain-Rust **core** ([`sse`], [`event`], [`accumulate`], [`request`], [`retry`],
//!   [`error`]) with no wasm imports, tested natively with `cargo test`;
//! - a thin **wasm shell** (`wasm` module, only on `wasm32`) that binds `fetch`, streams the
//!   body, and exports the JS classes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accumulate;
pub mod answer;
pub mod call;
pub mod endpoint;
pub mod error;
pub mod event;
pub mod partial_json;
pub mod redact;
pub mod request;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod tool_loop;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{ApiError, Error};
