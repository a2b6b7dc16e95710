//! Every request the client sends, built in one place from one table of operations
//! (`operations.rs`): method, URL (ids percent-encoded as one path segment, query strings),
//! headers (authorization, accept, content type, the caller's) and body. The shells send what
//! [`HttpRequest`] says and nothing else. An endpoint is one row of [`Operation`] (and its
//! types in js/index.d.ts, which tests/js/operations.test.mjs checks against the table).
//!
//! | operation | request | query | body | answer ([`Answer`]) |
//! |---|---|---|---|---|
//! | `create` | `POST /responses` | | validated params (`stream` absent or false) | a Response |
//! | `stream` | `POST /responses` | | validated params (`stream: true`) | an event stream |
//! | `parse` | `POST /responses` | | validated params | a Response with `output_parsed` |
//! | `retrieve` | `GET /responses/{id}` | | | a Response |
//! | `retrieveStream` | `GET /responses/{id}` | `stream=true`, `starting_after` (on a resume) | | an event stream |
//! | `cancel` | `POST /responses/{id}/cancel` | | | a Response |
//! | `delete` | `DELETE /responses/{id}` | | | JSON |
//! | `inputItems` | `GET /responses/{id}/input_items` | `after`, `limit` (≤ 100), `order`, `include[]` | | JSON |
//! | `compact` | `POST /responses/compact` | | params as given | JSON |
//! | `countInputTokens` | `POST /responses/input_tokens` | | params as given | JSON |
//! | `conversations.create` | `POST /conversations` | | params as given, or `{}` | JSON |
//! | `conversations.retrieve` / `update` / `delete` | `GET` / `POST` / `DELETE /conversations/{id}` | | `update`: params as given | JSON |
//! | `conversations.items.create` / `list` | `POST` / `GET /conversations/{id}/items` | `include[]` / as `inputItems` | `create`: params as given | JSON |
//! | `conversations.items.retrieve` / `delete` | `GET` / `DELETE /conversations/{id}/items/{item_id}` | `retrieve`: `include[]` | | JSON |
//! | `files.create` | `POST /files` | | the shell's multipart form (`purpose` checked) | JSON |
//! | `files.list` | `GET /files` | `purpose`, `limit` (≤ 10000), `after`, `order` | | JSON |
//! | `files.retrieve` / `delete` | `GET` / `DELETE /files/{id}` | | | JSON |
//! | `files.content` | `GET /files/{id}/content` | | | the HTTP response itself |

use std::fmt;
use std::rc::Rc;

use crate::error::Error;
use crate::redact::{redact_with, HeaderNames, Hidden, Redactor};

mod operations;
mod url;

pub use operations::{Body, Field, FileListQuery, ListQuery, Operation, Query, Row};
pub(crate) use url::check_base_url;

/// The default base URL (CometAPI).
pub const DEFAULT_BASE_URL: &str = "https://api.cometapi.com/v1";
/// Retries after the first attempt, unless configured.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Per-attempt timeout in ms (10 minutes), unless configured.
pub const DEFAULT_TIMEOUT_MS: u64 = 600_000;

/// A request timeout given as a number (a JS number, as both shells take it): whole ms, fractions
/// cut; `None` when it is not a finite non-negative number, which each shell reports as its
/// API reports a wrong option.
pub fn timeout_ms(t: f64) -> Option<u64> {
    (t.is_finite() && t >= 0.0).then_some(t as u64)
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// What the answer to a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A JSON body; `output_text: true` when it is a Response (then `output_text` is set).
    Json {
        /// The body is a Response: compute its `output_text`.
        output_text: bool,
    },
    /// A Response for `parse()`: as `Json { output_text: true }`, and what its `output_parsed`
    /// is (see [`crate::structured`]; an output text that is not valid JSON
    /// fails the call with [`Error::OutputParse`]).
    Parsed {
        /// The request asked for a `json_schema` format (else `output_parsed` is `null`).
        json_schema: bool,
    },
    /// A `text/event-stream` body of Responses events.
    Stream {
        /// The response runs in the background (`background: true`): a broken stream can be
        /// resumed by id.
        background: bool,
    },
    /// Any body (a file's content): a success is done at its headers, and the shell hands the
    /// HTTP response, body unread, to the caller; an error status is read as any other.
    Raw,
}

impl Answer {
    /// The answer is a Response (`output_text` computed; a body that is not one fails).
    pub(crate) fn is_response(self) -> bool {
        matches!(self, Answer::Json { output_text: true } | Answer::Parsed { .. })
    }
}

/// One request, ready to send: the shells copy these fields into `fetch` and add nothing.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Every header, lower-case names, in order (later ones win over earlier ones of the same name).
    pub headers: Vec<(String, String)>,
    /// The JSON body, if any.
    pub body: Option<String>,
    /// What the answer is.
    pub answer: Answer,
}

/// Without the headers' values (the key's among them); the URL with the key (from its
/// `authorization` header) redacted, for a base URL that holds it.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key =
            self.headers.iter().find(|(name, _)| name == "authorization").and_then(|(_, v)| v.strip_prefix("Bearer "));
        let redactor = key.and_then(Redactor::new);
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_with(redactor.as_ref(), &self.url))
            .field("headers", &HeaderNames(&self.headers))
            .field("body", &self.body)
            .field("answer", &self.answer)
            .finish()
    }
}

/// The client's configuration (none of it is sent as is; the key becomes a header).
#[derive(Clone)]
pub struct Config {
    /// The base URL, without trailing slashes.
    pub base_url: String,
    /// The API key, if any (sent as `Authorization: Bearer …`).
    pub api_key: Option<String>,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Per-attempt timeout in ms: until the headers, then between two chunks of the body.
    pub timeout_ms: u64,
    /// The largest event a stream takes, in bytes (`None`: [`crate::sse::DEFAULT_MAX_EVENT_SIZE`]);
    /// a larger one ends the stream with a `StreamError`.
    pub max_event_size: Option<usize>,
    /// The redactor of the key (none without one, or for a key shorter than a fragment): every
    /// error of the client's calls, sockets and requests passes through it.
    pub(crate) redactor: Option<Rc<Redactor>>,
}

/// Without the key and the headers' values; the base URL with the key redacted.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &redact_with(self.redactor.as_deref(), &self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| Hidden))
            .field("headers", &HeaderNames(&self.headers))
            .field("max_retries", &self.max_retries)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_event_size", &self.max_event_size)
            .finish_non_exhaustive()
    }
}

/// Equal settings (the redactor follows from the key).
impl PartialEq for Config {
    fn eq(&self, other: &Config) -> bool {
        (&self.base_url, &self.api_key, &self.headers, self.max_retries, self.timeout_ms, self.max_event_size)
            == (
                &other.base_url,
                &other.api_key,
                &other.headers,
                other.max_retries,
                other.timeout_ms,
                other.max_event_size,
            )
    }
}

/// The `authorization` header of `key`, as the requests and the socket's upgrade send it (one
/// copy of the text, not a `format!` at each).
#[inline(never)]
pub(crate) fn authorization(key: &str) -> (String, String) {
    let mut value = String::from("Bearer ");
    value.push_str(key);
    ("authorization".to_owned(), value)
}

impl Config {
    /// A configuration from the user's options; the base URL must be an absolute `http(s)` URL.
    pub fn new(
        base_url: Option<&str>,
        api_key: Option<&str>,
        mut headers: Vec<(String, String)>,
        max_retries: Option<u32>,
        timeout_ms: Option<u64>,
    ) -> Result<Config, Error> {
        let base_url = base_url.unwrap_or(DEFAULT_BASE_URL);
        let api_key = api_key.filter(|k| !k.is_empty());
        let redactor = api_key.and_then(Redactor::new);
        // The refused URL is quoted: a key written into it (a query, user:key@) is not.
        check_base_url(base_url).map_err(|e| e.redacted(redactor.as_ref()))?;
        for (k, _) in &mut headers {
            k.make_ascii_lowercase();
        }
        // Trailing slashes dropped, by bytes (a char pattern links a reverse char searcher).
        let mut end = base_url.len();
        while end > 0 && base_url.as_bytes().get(end - 1) == Some(&b'/') {
            end -= 1;
        }
        Ok(Config {
            base_url: base_url.get(..end).unwrap_or_default().to_owned(),
            redactor: redactor.map(Rc::new),
            api_key: api_key.map(str::to_owned),
            headers,
            max_retries: max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
            max_event_size: None,
        })
    }
}
