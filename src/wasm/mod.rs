//! The wasm shell: raw bindings, the fetch transport, and the `#[wasm_bindgen]` exports.
//!
//! Nothing here knows the protocol: it moves bytes between JS and the core and turns core
//! results into JS values. The public JS classes are thin wrappers (pkg/api.js) over these
//! exports; they add what JS does best (Error subclasses, `Symbol.asyncIterator`).

mod error;
mod parser;
