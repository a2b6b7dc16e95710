#![doc = include_str!("guide.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accumulate;
mod answer;
pub mod call;
pub mod endpoint;
pub mod error;
pub mod event;
pub mod input;
pub mod partial_json;
pub mod redact;
pub mod relay;
pub mod request;
mod retry;
pub mod socket;
pub mod sse;
pub mod stream;
pub mod structured;
pub mod tool_loop;

#[doc(hidden)]
pub mod test_support;

#[cfg(all(target_arch = "wasm32", any(feature = "client", feature = "npm")))]
pub mod wasm;

pub use error::{ApiError, Error};
