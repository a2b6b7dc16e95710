//! The crate's error type, shared by the core and the wasm shell.
//!
//! Every variant maps one-to-one onto an exported JS error class (docs/architecture.md):
//! `ApiError`, `ConnectionError`, `TimeoutError`, `AbortError`, `StreamError`, `ValidationError`,
//! `OutputParseError`.
//! `Display` never includes secrets: no variant ever holds the API key or request headers.

use core::fmt;

use crate::redact::Redactor;

/// An error from the server: an HTTP status ≥ 400, an in-stream `error` event, or `response.failed`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    /// HTTP status; `None` for errors that arrived inside a stream.
    pub status: Option<u16>,
    /// `error.code` (e.g. `"insufficient_quota"`), when given.
    pub code: Option<String>,
    /// `error.type` (e.g. `"invalid_request_error"`), when given.
    pub error_type: Option<String>,
    /// `error.param`, when given.
    pub param: Option<String>,
    /// A human-readable message (the server's, or one we made from the status).
    pub message: String,
    /// The `x-request-id` response header, when given.
    pub request_id: Option<String>,
    /// The error body as JSON text (HTTP errors), or the event's JSON (in-stream errors).
    pub body: Option<String>,
    /// The Response snapshot the error belongs to, as JSON text (`response.failed`, or the
    /// partial snapshot when an `error` event arrives mid-stream).
    pub response: Option<String>,
}

impl ApiError {
    /// Replaces the API key, and every fragment of it a server may echo, in every text field of
    /// the error (the request id, a response header, included) with `[redacted]` (see
    /// [`crate::redact`]).
    pub fn redact(&mut self, redactor: &Redactor) {
        let ApiError { status: _, code, error_type, param, message, request_id, body, response } = self;
        redactor.redact_string(message);
        // Over a slice, not the array by value (its iterator is code of its own).
        for s in [code, error_type, param, request_id, body, response].iter_mut() {
            let Some(s) = s else { continue };
            redactor.redact_string(s);
        }
    }
}

/// Every failure the client can report.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The server said no (see [`ApiError`]).
    Api(Box<ApiError>),
    /// `fetch` rejected (DNS, refused, reset) after all retries. `message` is the runtime's text.
    Connection {
        /// The runtime's description of the failure.
        message: String,
    },
    /// One attempt exceeded its timeout (milliseconds).
    Timeout {
        /// The timeout that was exceeded.
        timeout_ms: u64,
        /// How many attempts timed out (retries included).
        attempts: u32,
    },
    /// The user aborted: a signal, `abort()`, or leaving a `for await` loop early.
    Abort,
    /// The body broke the protocol: truncated, malformed JSON, an event over the size limit.
    /// `response` is the partial snapshot as JSON text, when there is one.
    Stream {
        /// What broke.
        message: String,
        /// The partial snapshot as JSON text.
        response: Option<String>,
    },
    /// A structured output (the output text of a `json_schema` response) is not valid JSON, or
    /// does not deserialize into the type asked for (see [`crate::structured`]).
    OutputParse {
        /// Where and why it does not parse.
        message: String,
        /// The output text.
        text: String,
    },
    /// The request parameters break a documented rule; nothing was sent.
    Validation {
        /// The parameter at fault (`metadata`, `temperature`, …).
        param: String,
        /// What was given and what is allowed.
        message: String,
    },
}

impl Error {
    /// A [`Error::Stream`] without a snapshot.
    pub fn stream(message: impl Into<String>) -> Self {
        Error::Stream { message: message.into(), response: None }
    }

    /// A [`Error::Validation`] naming `param`.
    pub fn validation(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation { param: param.into(), message: message.into() }
    }

    /// [`redact`](Self::redact)ed by `redactor`, if any: for the errors of a request that was never
    /// sent (a params value or an id may quote the key).
    #[must_use]
    #[inline(never)]
    pub fn redacted(mut self, redactor: Option<&Redactor>) -> Error {
        if let Some(r) = redactor {
            self.redact(r);
        }
        self
    }

    /// The error with the API key (and every fragment of it) replaced by `[redacted]` in every text it
    /// holds. Every error leaving the client passes through this.
    pub fn redact(&mut self, redactor: &Redactor) {
        match self {
            Error::Api(e) => e.redact(redactor),
            Error::Connection { message } => redactor.redact_string(message),
            Error::Validation { param, message } => {
                redactor.redact_string(param);
                redactor.redact_string(message);
            }
            Error::OutputParse { message, text } => {
                redactor.redact_string(message);
                redactor.redact_string(text);
            }
            Error::Stream { message, response } => {
                redactor.redact_string(message);
                if let Some(r) = response {
                    redactor.redact_string(r);
                }
            }
            Error::Timeout { .. } | Error::Abort => {}
        }
    }

    /// The error belongs to a stream's snapshot (a broken stream, an `error` event,
    /// `response.failed`): the snapshot so far goes with it as its `response`.
    pub fn belongs_to_snapshot(&self) -> bool {
        match self {
            Error::Stream { .. } => true,
            Error::Api(e) => e.status.is_none(),
            _ => false,
        }
    }

    /// The name of the JS class this error becomes.
    pub fn class_name(&self) -> &'static str {
        match self {
            Error::Api(_) => "ApiError",
            Error::Connection { .. } => "ConnectionError",
            Error::Timeout { .. } => "TimeoutError",
            Error::Abort => "AbortError",
            Error::Stream { .. } => "StreamError",
            Error::Validation { .. } => "ValidationError",
            Error::OutputParse { .. } => "OutputParseError",
        }
    }
}

/// `n` for a message's `{}`: the same digits as `u64`'s `Display`, written by serde_json's
/// `Number` (itoa), which the crate links anyway, so core's `u64` formatter is not linked.
pub(crate) fn dec(n: u64) -> serde_json::Number {
    n.into()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => match e.status {
                Some(s) => write!(f, "{} {}", u32::from(s), e.message),
                None => f.write_str(&e.message),
            },
            Error::Connection { message } => write!(f, "connection error: {message}"),
            Error::Timeout { timeout_ms, attempts } if *attempts > 1 => {
                write!(f, "request timed out after {} ms (each of {attempts} attempts)", dec(*timeout_ms))
            }
            Error::Timeout { timeout_ms, .. } => write!(f, "request timed out after {} ms", dec(*timeout_ms)),
            Error::Abort => f.write_str("request was aborted"),
            Error::Stream { message, .. } | Error::OutputParse { message, .. } => f.write_str(message),
            Error::Validation { param, message } => write!(f, "invalid `{param}`: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::sse::SseError> for Error {
    fn from(e: crate::sse::SseError) -> Self {
        use crate::sse::SseError;
        Error::stream(match e {
            SseError::EventTooLarge { limit } => format!("an event exceeded the size limit of {limit} bytes"),
            SseError::OutOfMemory { bytes } => format!("out of memory: cannot hold {bytes} more bytes of an event"),
        })
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}
