//! One logical request, every attempt of it, as a sans-IO state machine.
//!
//! The shell asks [`Call::action`] what to do, does it, and reports back; the call decides
//! everything else: what to send, what an answer means, whether and when to retry, how much of a
//! body to read, when a stream is over, when a broken background stream is resumed, and every
//! deadline.
//!
//! ```text
//!             ┌──────────── retry (Sleep) ◀──────────┐
//!             ▼                                      │
//!  Send ─▶ (waiting) ─▶ status < 400 ─▶ Read body ─▶ Done
//!             │                │  (JSON, or the stream)   ▲
//!             │                └─▶ status ≥ 400 ─▶ Read error body (≤ 64 KiB) ─┘
//!             └─▶ fetch failed or timed out ──────────────────┘
//! ```
//!
//! | the shell does | and reports |
//! |---|---|
//! | [`Action::Send`]: `fetch` [`Call::request`] | [`Call::on_headers`] / [`Call::on_fetch_error`] |
//! | [`Action::Read`]: read one chunk of the body | [`Call::on_chunk`] / [`Call::on_body_end`] / [`Call::on_read_error`] |
//! | what the platform gave is unusable: not a response, no reader, a chunk that is not bytes | [`Call::on_fault`] |
//! | [`Action::Sleep`]: nothing but its timer | — |
//! | [`Action::Done`]: take the result ([`Call::take_json`], [`Call::error`], the stream) | — |
//! | the user aborts (at any time) | [`Call::abort`] |
//!
//! Time is the call's, as in quinn-proto: the shell reports [`Call::start`] (its clock, `now`)
//! when it sends a request or starts a sleep, keeps one timer set to [`Call::poll_timeout`], and
//! reports [`Call::handle_timeout`] (with the start of its pending wait) when it fires; a read
//! is reported by its chunk alone. The call decides the deadlines: the attempt's `timeout_ms`
//! until the headers, then the same as an idle timeout for each read it asked for (a consumer
//! that reads slowly never times out), and a retry's wake time. While the action stays
//! [`Action::Read`] no deadline moves earlier, so the shell sets its timer again only when it
//! fires or after a `start`. A timeout moves the call on (to a retry, a resume or its error) and
//! ends the shell's pending wait.
//!
//! When the call stops reading a body that did not end, [`Call::release`] says how to let it go
//! (the shell does so whenever the action is not [`Action::Read`]): cancel the reader only (the
//! stream reached its outcome: the request completed), or also abort the request (an error body
//! past its limit, a JSON body past its limit, an abort, a timeout, a lost connection).
//!
//! A stream is never retried after its first byte; a `background: true` stream whose body breaks
//! (ends with no terminal event, the connection drops, a read times out) is resumed with
//! `GET /responses/{id}?stream=true&starting_after=<last sequence_number>`, up to `max_retries`
//! times in a row without progress, with the usual backoff.

use std::rc::Rc;

use crate::endpoint::{Answer, Config, HttpRequest};
use crate::error::Error;
use crate::redact::Redactor;
use crate::retry::RetryHeaders;
use crate::stream::StreamState;

/// The response headers [`Call::on_headers`] asks for (a shell reads these and no others).
pub use crate::answer::WANTED_HEADERS;

mod inputs;
mod outcome;

/// JSON answers are read up to this size; past it the call fails (the body is cancelled).
pub const MAX_JSON_BODY: usize = 256 * 1024 * 1024;

/// What the shell does next.
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send [`Call::request`] (a new attempt), then report the headers or the failure (the
    /// action stays `Send` until then).
    Send,
    /// Read the next chunk of the body.
    Read,
    /// Wait for the timer: the retry's wake time is [`Call::poll_timeout`].
    Sleep,
    /// The call is over.
    Done,
}

/// Why a read of the body failed ([`Call::on_read_error`] decides it from the error's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IoFailure {
    /// The network, the runtime or the body's source (the message says what).
    Network,
    /// The body was aborted (an `AbortError`: the fetch it came from was aborted).
    Abort,
}

/// What a shell found wrong in what the platform gave it ([`Call::on_fault`]).
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `fetch` resolved with something that is not a response (the attempt failed, as when
    /// `fetch` rejects).
    NoResponse,
    /// The shell has no reader of the response's body (a failed read).
    NoReader,
    /// The body yielded a chunk that is not bytes (the call fails).
    BadChunk,
    /// The platform refuses a header of the request (`detail`: its name): no platform sends it,
    /// so the call fails with a validation error, never retried.
    BadHeader,
}

/// How the shell lets go of a body the call stopped reading.
#[cfg_attr(all(target_arch = "wasm32", feature = "npm"), wasm_bindgen::prelude::wasm_bindgen)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// Nothing to do: the body ended (or there is none).
    Nothing,
    /// Cancel the body's reader; the request completed (do not abort it).
    Cancel,
    /// Cancel the reader and abort the request (the connection is closed).
    Abort,
}

#[derive(Debug)]
enum State {
    Send,
    Waiting,
    ReadJson,
    ReadError { status: u16, headers: SavedHeaders },
    ReadStream,
    Sleep,
    Done,
}

#[derive(Debug, Default, Clone)]
struct SavedHeaders {
    retry_after_ms: Option<String>,
    retry_after: Option<String>,
    should_retry: Option<String>,
}

impl SavedHeaders {
    fn retry_headers(&self) -> RetryHeaders<'_> {
        RetryHeaders {
            retry_after_ms: self.retry_after_ms.as_deref(),
            retry_after: self.retry_after.as_deref(),
            should_retry: self.should_retry.as_deref(),
        }
    }
}

/// One logical request (see the module docs).
pub struct Call {
    request: HttpRequest,
    timeout_ms: u64,
    max_retries: u32,
    /// Retries done since the last progress (the stream's events reset it).
    retries: u32,
    attempts: u32,
    /// Attempts (and reads) that timed out: [`Error::Timeout`]'s `attempts`.
    timeouts: u32,
    state: State,
    body: Vec<u8>,
    stream: Option<StreamState>,
    /// A resumable (`background: true`) stream: the base URL to resume it from.
    resume_base: Option<Rc<Config>>,
    result: Option<Result<String, Error>>,
    release: Release,
    /// A Response answer's `output_text` to set on it, a JSON string literal (`None`: keep the server's).
    output_text: Option<String>,
    /// A `parse()` answer: the parts whose text, joined, `output_parsed` is the value of (none:
    /// `null`); see [`crate::structured`].
    output_parsed: Option<Vec<(usize, usize)>>,
    /// A `parse()` answer whose output text is not JSON (the call's error): the answer, for the
    /// error's `response` ([`take_json`](Self::take_json)).
    unparsed: Option<String>,
    /// What the shell takes: with [`Output::Values`] a JSON answer's text is kept unread until
    /// [`take_value`](Self::take_value).
    out: Output,
    /// The wait before the next attempt ([`State::Sleep`]).
    sleep: Option<SleepPlan>,
    /// When the shell's pending wait times out (the clock of [`start`](Self::start)).
    deadline: Option<f64>,
    redactor: Option<Rc<Redactor>>,
    /// An [`answered`](Self::answered) call: its error body may be a proxy's ([`crate::relay`]).
    answered: bool,
    /// The last answer's `x-request-id`: the `requestId` of the errors its body carries.
    request_id: Option<String>,
}

/// The call's state, without what it read (an error body being read may echo the key before
/// it is redacted) and without the key (its request's Debug leaves it out).
impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("retries", &self.retries)
            .field("body_len", &self.body.len())
            .field("stream", &self.stream)
            .field("release", &self.release)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// What a call hands its shell ([`Call::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Rust values (the Rust API): a stream's [`crate::stream::Entry`]s, a JSON answer parsed
    /// into a value ([`Call::take_value`]).
    Values,
    /// JSON text a JS shell parses once (the npm package): a stream's batches, a JSON answer as
    /// received ([`Call::take_json`]) with its `output_text` literal.
    JsonText,
}

/// What a call takes from its caller beyond the request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// The attempt timeout, instead of the client's.
    pub timeout_ms: Option<u64>,
    /// The retries after the first attempt, instead of the client's.
    pub max_retries: Option<u32>,
    /// A stream's events through this sequence number are folded, not yielded (a stream
    /// retrieved `starting_after` it).
    pub hide_through: Option<u64>,
}

/// A retry to come: which one, and the headers that may set its delay.
#[derive(Debug, Clone)]
struct SleepPlan {
    retry: u32,
    headers: SavedHeaders,
}

impl Call {
    /// The call of a request [`Config::request`] built on `config` (`json_schema`: its second
    /// answer): the client's timeout and retries unless `o` overrides them; a background stream
    /// resumes from `config` after a cut; a structured output's stream follows its partial JSON.
    /// `out`: what the shell takes (see [`Output`]).
    pub fn of(
        config: &Rc<Config>,
        (request, json_schema): (HttpRequest, bool),
        o: Overrides,
        out: Output,
        redactor: Option<Rc<Redactor>>,
    ) -> Call {
        let background = matches!(request.answer, Answer::Stream { background: true });
        let timeout = o.timeout_ms.unwrap_or(config.timeout_ms);
        let mut call = Call::new(request, timeout, o.max_retries.unwrap_or(config.max_retries), redactor);
        if background {
            call.resume_base = Some(config.clone());
        }
        call.out = out;
        if let Some(s) = &mut call.stream {
            #[cfg(entries)]
            if out == Output::Values {
                *s = StreamState::entries(None);
            }
            if let Some(limit) = config.max_event_size {
                s.limit_events(limit);
            }
            if json_schema {
                s.parse_output();
            }
            if let Some(n) = o.hide_through {
                s.hide_through(n);
            }
        }
        call
    }

    /// A call of `request`, with the attempt timeout and retries it may use.
    pub fn new(request: HttpRequest, timeout_ms: u64, max_retries: u32, redactor: Option<Rc<Redactor>>) -> Call {
        let stream = matches!(request.answer, Answer::Stream { .. }).then(|| StreamState::batches(None));
        Call {
            request,
            timeout_ms,
            max_retries,
            retries: 0,
            attempts: 0,
            timeouts: 0,
            state: State::Send,
            body: Vec::new(),
            stream,
            resume_base: None,
            result: None,
            release: Release::Nothing,
            output_text: None,
            output_parsed: None,
            unparsed: None,
            out: Output::JsonText,
            sleep: None,
            deadline: None,
            redactor,
            answered: false,
            request_id: None,
        }
    }

    /// A call that failed before anything was sent (e.g. invalid params, when the shell wants a
    /// call object anyway).
    pub fn failed(error: Error) -> Call {
        let mut c = Call::new(
            HttpRequest {
                method: crate::endpoint::Method::Get,
                url: String::new(),
                headers: Vec::new(),
                body: None,
                answer: Answer::Json { output_text: false },
            },
            0,
            0,
            None,
        );
        c.finish(Err(error));
        c
    }

    /// A call with no request: the shell already has a body (a `ReadableStream` of SSE bytes)
    /// and reads it into `stream`.
    pub fn reading(stream: StreamState) -> Call {
        let mut c = Call::failed(Error::Abort);
        c.result = None;
        c.stream = Some(stream);
        c.request.answer = Answer::Stream { background: false };
        c.state = State::ReadStream;
        c
    }

    /// A call with no request whose answer the shell already has (a `Response` from its own
    /// `fetch`, e.g. of a proxy): the shell reports its headers ([`on_headers`](Self::on_headers))
    /// and body; an error status is read as the API's error (no retry), a success as `stream`.
    pub fn answered(stream: StreamState) -> Call {
        let mut c = Call::reading(stream);
        c.state = State::Waiting;
        c.answered = true;
        c
    }

    /// Errors of this call have `redactor`'s key replaced (a call made with [`reading`](Self::reading)
    /// has none of its own).
    pub fn with_redactor(mut self, redactor: Option<Rc<Redactor>>) -> Call {
        self.redactor = redactor;
        self
    }

    /// The call ends with `error` (e.g. a chunk that could not be taken); an open body is
    /// dropped with its request.
    pub fn fail(&mut self, error: Error) {
        if !matches!(self.state, State::Done) {
            self.release = Release::Abort;
            self.finish(Err(error));
        }
    }

    /// The redactor of the client's API key, if it has one.
    pub fn redactor(&self) -> Option<Rc<Redactor>> {
        self.redactor.clone()
    }

    /// What the shell does next.
    pub fn action(&self) -> Action {
        match self.state {
            State::Send | State::Waiting => Action::Send,
            _ if self.is_reading() => Action::Read,
            State::Sleep => Action::Sleep,
            _ => Action::Done,
        }
    }

    fn is_reading(&self) -> bool {
        matches!(self.state, State::ReadJson | State::ReadError { .. } | State::ReadStream)
    }

    /// The request to send (valid while the action is [`Action::Send`]; the shell reports
    /// [`start`](Self::start), then sends it).
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// When the shell's pending wait times out (Unix ms, the clock of [`start`](Self::start));
    /// `None`: no deadline (no wait, or one the call does not time).
    pub fn poll_timeout(&self) -> Option<f64> {
        self.deadline
    }

    /// Attempts started so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How to let go of the current body (see [`Release`]); asked when the action is no longer
    /// [`Action::Read`] and a body is open.
    pub fn release(&self) -> Release {
        self.release
    }

    /// A Response answer's `output_text`, to set on the parsed answer, as a JSON string literal
    /// that keeps every lone surrogate as `JSON.stringify` writes it (`None`: keep the server's
    /// string, or not a Response).
    pub fn output_text_json(&self) -> Option<&str> {
        self.output_text.as_deref()
    }

    /// A `parse()` answer ([`Answer::Parsed`]): whether its `output_parsed` is the value of
    /// its output text (`true`: see [`parsed_parts`](Self::parsed_parts)) or `null` (`false`).
    pub fn output_parsed(&self) -> Option<bool> {
        self.parsed_parts().map(|at| !at.is_empty())
    }

    /// A `parse()` answer: the `(item, part)` positions of the `output_text` parts whose text,
    /// joined, `output_parsed` is the value of (the messages a `phase` sets aside left out);
    /// empty: `null`.
    pub fn parsed_parts(&self) -> Option<&[(usize, usize)]> {
        self.output_parsed.as_deref()
    }

    /// A call that takes values ([`of`](Self::of)), once done without error: the JSON answer
    /// parsed (a Response with its `output_text`), or the error of an answer that is not what it
    /// must be (redacted).
    pub fn take_value(&mut self) -> Option<Result<serde_json::Value, Error>> {
        let text = self.take_json()?;
        Some(crate::answer::value_of(&text, self.request.answer).map_err(|mut e| {
            if let Some(r) = &self.redactor {
                e.redact(r);
            }
            e
        }))
    }

    /// The JSON answer as received, once done without error, or a `parse()` answer whose output
    /// text is not JSON (see [`output_text_json`](Self::output_text_json)).
    pub fn take_json(&mut self) -> Option<String> {
        match self.result.take() {
            Some(Ok(json)) => Some(json),
            other => {
                self.result = other;
                self.unparsed.take()
            }
        }
    }

    /// The error the call ended with (redacted: no text of it holds the API key).
    pub fn error(&self) -> Option<&Error> {
        match &self.result {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    /// The stream, for streamed answers.
    pub fn stream(&self) -> Option<&StreamState> {
        self.stream.as_ref()
    }

    /// The stream, to take its events.
    pub fn stream_mut(&mut self) -> Option<&mut StreamState> {
        self.stream.as_mut()
    }

    /// Text with the API key (and fragments of it) replaced (for texts the shell builds itself,
    /// e.g. a snapshot attached to an error); `None` when there is nothing to replace.
    pub fn redact(&self, text: &str) -> Option<String> {
        self.redactor.as_ref()?.redact_changed(text)
    }
}
