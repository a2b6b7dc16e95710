//! The request body of `POST /responses`: a typed [`CreateResponseParams`] for Rust callers, and
//! [`validate`] / [`prepare_body`] over plain JSON for the JS shell.
//!
//! Validation checks the documented rules only and fails with [`Error::Validation`](crate::error::Error::Validation) naming the
//! parameter, what was given and what is allowed. `null` for an optional field counts as absent.
//! Fields this crate does not know pass through untouched (providers add their own), and so do
//! values of enumerations it does not know (the API adds values; the server decides).
//!
//! - `params`: the typed [`CreateResponseParams`] (and its enums) for Rust callers;
//! - `validate`: every documented rule over plain JSON ([`validate`]);
//! - `body`: the request body as sent ([`prepare_body`], [`prepare_full`]);
//! - `checks`: the type and range checks the rules are made of, and their messages.

mod body;
mod checks;
mod params;
mod validate;

pub(crate) use body::members_except;
pub use body::{prepare_body, prepare_full, Prepared};
pub use params::{CreateResponseParams, Input, PromptCacheRetention, ServiceTier, Truncation};
pub use validate::validate;
