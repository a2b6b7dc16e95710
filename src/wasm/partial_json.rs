//! `RawPartialJson`: the core's partial JSON parser for js/partial-json.js, which wraps it as
//! `PartialJsonParser` (the core parses, JS mirrors the value from the ops).

use wasm_bindgen::prelude::*;

use crate::partial_json::PartialJsonParser;

/// Incremental partial JSON, ops only (js/partial-json.js keeps the value).
#[wasm_bindgen]
pub struct RawPartialJson {
    parser: PartialJsonParser,
    ops: String,
}

#[wasm_bindgen]
impl RawPartialJson {
    /// A parser that has seen nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawPartialJson {
        RawPartialJson { parser: PartialJsonParser::ops_only(), ops: String::new() }
    }

    /// The next piece of text; the ops that bring the value up to date (JSON, `[]`: none).
    pub fn push(&mut self, text: &str) -> String {
        self.parser.push_with_ops(text, &mut self.ops);
        self.take_ops()
    }

    /// The end of the text (a number that is the whole document completes); its ops.
    pub fn finish(&mut self) -> String {
        self.parser.finish_with_ops(&mut self.ops);
        self.take_ops()
    }

    fn take_ops(&mut self) -> String {
        let ops = std::mem::take(&mut self.ops);
        if self.ops.capacity() == 0 && ops.len() <= 64 {
            self.ops.reserve(64);
        }
        ops
    }
}

impl Default for RawPartialJson {
    fn default() -> Self {
        Self::new()
    }
}
