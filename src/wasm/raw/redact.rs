//! `RawRedactor`: the core's redactor for the package's `createRedactor` (js/redact.js): one key,
//! whole texts and one stream of chunks.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::redact::{redact_key_shapes, RedactStream, Redactor, MASK, MIN_FRAGMENT};

/// A redactor of one key (a key shorter than a fragment is redacted whole) with the state of one
/// stream.
#[wasm_bindgen]
pub struct RawRedactor {
    redactor: Rc<Redactor>,
    stream: RedactStream,
}

impl RawRedactor {
    /// A call's redactor, for what outlives the call (a structured output's validation errors).
    pub(crate) fn of(redactor: Rc<Redactor>) -> RawRedactor {
        RawRedactor { redactor, stream: RedactStream::new(1) }
    }
}

#[wasm_bindgen]
impl RawRedactor {
    /// `undefined` for an empty key. `hold`: see [`RedactStream::new`].
    pub fn create(key: &str, hold: usize) -> Option<RawRedactor> {
        Some(RawRedactor { redactor: Rc::new(Redactor::any(key)?), stream: RedactStream::new(hold) })
    }

    /// [`MASK`], what replaces the key.
    pub fn mask() -> String {
        MASK.into()
    }

    /// [`MIN_FRAGMENT`], the shortest fragment of the key, in bytes.
    pub fn min_fragment() -> usize {
        MIN_FRAGMENT
    }

    /// `text` with everything shaped like an API key masked ([`redact_key_shapes`]); `undefined`
    /// when it holds none.
    pub fn key_shapes(text: &str) -> Option<String> {
        match redact_key_shapes(text) {
            std::borrow::Cow::Owned(s) => Some(s),
            std::borrow::Cow::Borrowed(_) => None,
        }
    }

    /// `text` redacted; `undefined` when it holds nothing to redact.
    pub fn redact(&self, text: &str) -> Option<String> {
        self.redactor.redact_changed(text)
    }

    /// The next chunk of the stream, redacted (`end`: the last one; the held-back rest follows it).
    pub fn push(&mut self, chunk: &[u8], end: bool) -> Vec<u8> {
        let mut out = self.stream.push(&self.redactor, chunk);
        if end {
            out.extend(self.stream.finish(&self.redactor));
        }
        out
    }
}
