//! Structured outputs: the output text of a response to a `json_schema` request, parsed.
//!
//! A request asks for a structured output when its `text.format.type` is `"json_schema"`
//! ([`is_json_schema`]). The model then writes one JSON document as its output text, and
//! `output_parsed` is its value:
//!
//! - the value of the output text (the concatenation of every `output_text` part of every
//!   message, as `output_text`, without the messages a `phase` other than `"final_answer"` sets
//!   aside: the `"commentary"` preambles newer models write before tool calls), parsed as
//!   `JSON.parse` would;
//! - `null` when the output has no text to parse: no `output_text` part at all (the model
//!   refused: its message holds a `refusal` part instead; it answered with tool calls only; it
//!   was cut off before writing anything), or only empty ones (servers and bridges add an empty
//!   text part beside tool calls or a generated image);
//! - an [`Error::OutputParse`] when there is text and it is not valid JSON (a response cut
//!   off by `max_output_tokens`, a model that ignored the format).
//!
//! For the npm package, a `parse()` call says what a Response's `output_parsed` is (as
//! [`answer_output_parsed`] does; the shell then `JSON.parse`s the output text: exactly its
//! value, key order and all), and
//! [`OutputParser`] follows the output text of a stream: its partial JSON ops let the JS side
//! keep `partialParsed`, and its [`state`](OutputParser::state) at the end says what
//! `output_parsed` is. For Rust, [`OutputParsed::output_parsed`] deserializes the text
//! into any `T: DeserializeOwned`.
//!
//! ```
//! use cometapi_responses::structured::OutputParsed;
//! use serde_json::json;
//!
//! #[derive(serde::Deserialize, Debug, PartialEq)]
//! struct Person { name: String, age: u32 }
//!
//! let response = json!({ "output": [{ "type": "message", "role": "assistant",
//!     "content": [{ "type": "output_text", "text": "{\"name\":\"Ada\",\"age\":36}" }] }] });
//! let person: Option<Person> = response.output_parsed()?;
//! assert_eq!(person, Some(Person { name: "Ada".into(), age: 36 }));
//! # Ok::<(), cometapi_responses::Error>(())
//! ```

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::accumulate::output_texts;
use crate::error::Error;
use crate::partial_json::PartialJsonParser;

/// The params ask for a structured output: `text.format.type` is `"json_schema"`.
pub fn is_json_schema(params: &Value) -> bool {
    params.get("text").and_then(|t| t.get("format")).and_then(|t| t.get("type")).and_then(Value::as_str)
        == Some("json_schema")
}

/// The output has an `output_text` part in a message no `phase` sets aside (else `output_parsed`
/// is `null`).
pub fn has_output_text(response: &Value) -> bool {
    let mut any = false;
    output_texts(response, true, &mut |_, _, _| any = true);
    any
}

/// The text `output_parsed` is the value of (module docs), and where its parts are: `(item, part)`
/// positions of the parts with text.
pub(crate) fn parsed_text(response: &Value) -> (String, Vec<(usize, usize)>) {
    let (mut text, mut at) = (String::new(), Vec::new());
    output_texts(response, true, &mut |i, j, t| {
        if !t.is_empty() {
            text.push_str(t);
            at.push((i, j));
        }
    });
    (text, at)
}

fn not_json(why: impl std::fmt::Display, text: &str) -> Error {
    Error::OutputParse { message: format!("the output text is not valid JSON: {why}"), text: text.to_owned() }
}

/// Checks that `text` is one JSON document by `JSON.parse`'s grammar (RFC 8259).
pub fn check_json(text: &str) -> Result<(), Error> {
    let mut p = PartialJsonParser::ops_only();
    p.push(text);
    p.finish();
    verdict(&p, text)
}

/// Whether a finished parser read one JSON document (`text`: the text it was fed, for the error).
fn verdict(p: &PartialJsonParser, text: &str) -> Result<(), Error> {
    match p.error() {
        Some(e) => Err(not_json(e, text)),
        None if !p.is_complete() => Err(not_json("it ends before the JSON value does", text)),
        None => Ok(()),
    }
}

/// What a `parse()` answer's `output_parsed` is, from its JSON text (the call decides it so
/// while it reads the answer): the value of its output text (`Ok(true)`: the text
/// is valid JSON, and the shell parses it as `JSON.parse` would) or `null` (`Ok(false)`: not a
/// `json_schema` request, or no output text); [`Error::OutputParse`] when there is text
/// and it is not valid JSON (module docs).
pub fn answer_output_parsed(response_json: &str, json_schema: bool) -> Result<bool, Error> {
    if !json_schema {
        return Ok(false);
    }
    let Ok(response) = crate::event::lenient::parse_value(response_json) else {
        return Err(Error::stream("the response is not JSON"));
    };
    let (text, _) = parsed_text(&response);
    if text.is_empty() {
        return Ok(false);
    }
    check_json(&text).map(|()| true)
}

/// The typed `output_parsed` of a Response (module docs): `Ok(None)` when the output has no
/// text (a refusal, tool calls only), the output text deserialized into `T`, or
/// [`Error::OutputParse`] when it does not deserialize.
pub fn output_parsed<T: DeserializeOwned>(response: &Value) -> Result<Option<T>, Error> {
    let (text, _) = parsed_text(response);
    if text.is_empty() {
        return Ok(None);
    }
    crate::event::lenient::from_str(&text).map(Some).map_err(|e| Error::OutputParse {
        message: format!("the output text does not parse as the type asked for: {e}"),
        text,
    })
}

/// `response.output_parsed::<T>()` on a Response (`serde_json::Value`), as [`output_parsed`].
pub trait OutputParsed {
    /// The output text deserialized into `T`; `Ok(None)` when the model refused.
    fn output_parsed<T: DeserializeOwned>(&self) -> Result<Option<T>, Error>;
}

impl OutputParsed for Value {
    fn output_parsed<T: DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        output_parsed(self)
    }
}

/// What `output_parsed` is once a stream ended.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputState {
    /// The output text is valid JSON: its value.
    Parse,
    /// No output text (no `output_text` part, or only empty ones): `null`.
    Null,
    /// The text is not valid JSON.
    Invalid(Error),
}

/// Follows the output text of a `json_schema` stream with a partial JSON parser (ops only: the
/// value is mirrored elsewhere), without keeping the text: each byte is fed once, and only the
/// text's length and a 64-bit FNV-1a hash are kept, to tell whether a new whole text
/// ([`replace`](Self::replace): a `.done` event or a lifecycle event restating it) is the text
/// so far, an extension of it (only the rest is fed), or another text (parsed from the start:
/// its first op sets the root, `null` when it holds no value yet).
///
/// When the stream changes its text and the event does not carry the whole new text (an
/// output with several texts whose middle one changes), the parser cannot follow: the partial
/// value stays as it was and appends are ignored until an event carries the whole text again
/// (the terminal response does).
#[derive(Debug, Clone, Default)]
pub struct OutputParser {
    parser: PartialJsonParser,
    /// The length and hash of the text fed so far.
    fed_len: usize,
    fed_hash: u64,
    /// The text changed in a way this parser could not see: appends are ignored until a
    /// [`replace`](Self::replace) with the whole text.
    lost: bool,
    ops: String,
    state: Option<OutputState>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

impl OutputParser {
    /// A parser that has seen no text.
    pub fn new() -> OutputParser {
        OutputParser { parser: PartialJsonParser::ops_only(), fed_hash: FNV_OFFSET, ..OutputParser::default() }
    }

    fn feed(&mut self, text: &str) {
        self.parser.push_with_ops(text, &mut self.ops);
        self.fed_len = self.fed_len.saturating_add(text.len());
        self.fed_hash = fnv(self.fed_hash, text.as_bytes());
    }

    /// `text` was appended to the output text. [`ops`](Self::ops) are the changes.
    pub fn append(&mut self, text: &str) {
        self.ops.clear();
        if !self.lost {
            self.feed(text);
        }
    }

    /// The output text is now `text` (`None`: it changed, but the event did not carry the whole
    /// new text). [`ops`](Self::ops) are the changes.
    pub fn replace(&mut self, text: Option<&str>) {
        self.ops.clear();
        let Some(text) = text else {
            self.lost = true;
            return;
        };
        let head = if self.lost { None } else { text.get(..self.fed_len) };
        if head.is_some_and(|head| fnv(FNV_OFFSET, head.as_bytes()) == self.fed_hash) {
            self.feed(text.get(self.fed_len..).unwrap_or_default());
            return;
        }
        self.lost = false;
        self.parser = PartialJsonParser::ops_only();
        self.fed_len = 0;
        self.fed_hash = FNV_OFFSET;
        self.feed(text);
        if self.ops.len() <= 2 {
            self.ops.clear();
            self.ops.push_str(r#"[["s",[],null]]"#);
        }
    }

    /// Nothing changed the text: no ops.
    pub fn unchanged(&mut self) {
        self.ops.clear();
        self.ops.push_str("[]");
    }

    /// The stream ended; `has_output_text`: the response has an `output_text` part (else, or
    /// when its text is empty, `output_parsed` is `null`); `text`: the whole output text when the
    /// terminal event carried it (for an error's `text`). The last ops (a number that is the
    /// whole document completes) are added to [`ops`](Self::ops), and the
    /// [`state`](Self::state) is decided.
    pub fn finish(&mut self, has_output_text: bool, text: Option<&str>) {
        self.parser.finish_onto(&mut self.ops);
        let text = text.unwrap_or_default();
        let state = if !has_output_text || (!self.lost && self.fed_len == 0) {
            OutputState::Null
        } else if self.lost {
            OutputState::Invalid(not_json("the stream changed its text in a way that could not be followed", text))
        } else {
            verdict(&self.parser, text).map_or_else(OutputState::Invalid, |()| OutputState::Parse)
        };
        self.state = Some(state);
    }

    /// The ops of the last change, as one JSON array (`[]`: none).
    pub fn ops(&self) -> &str {
        if self.ops.is_empty() {
            "[]"
        } else {
            &self.ops
        }
    }

    /// What `output_parsed` is, once [`finish`](Self::finish)ed.
    pub fn state(&self) -> Option<&OutputState> {
        self.state.as_ref()
    }
}
