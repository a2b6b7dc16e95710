//! The `#[wasm_bindgen]` classes behind the npm package's client (js/client.js, js/stream.js and
//! js/io.js wrap them): `RawClient` builds calls (`client`), `RawCall` is one `Call` machine
//! whose I/O js/io.js runs (`call`), `options` reads the option objects. Option objects cross
//! as one JSON text (serde-wasm-bindgen would link core's float formatting: +14.4 KiB gzip,
//! docs/architecture.md), wire data as JSON text (parsed once, by `JSON.parse`), errors as
//! descriptors (`error.rs`).

mod call;
mod client;
mod options;
mod redact;
mod socket;
