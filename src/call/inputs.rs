//! What the shell reports to a [`Call`]: a request sent, headers, chunks, the end of a body,
//! failures, the end of a wait, an abort.

use super::{Call, IoFailure, Release, SavedHeaders, State, MAX_JSON_BODY};
use crate::answer;
use crate::endpoint::Answer;
use crate::error::Error;
use crate::retry::Failure;
use crate::structured;

impl Call {
    /// The request is on its way.
    pub fn on_sent(&mut self) {
        if matches!(self.state, State::Send) {
            self.attempts += 1;
            self.state = State::Waiting;
            self.release = Release::Nothing;
        }
    }

    /// The response headers arrived. `header(name)` gives the value of a header the call asks
    /// for (the names are in [`answer::WANTED_HEADERS`]).
    pub fn on_headers(&mut self, status: u16, header: impl Fn(&str) -> Option<String>) {
        if !matches!(self.state, State::Waiting) {
            return;
        }
        self.body.clear();
        if status >= 400 {
            let headers = SavedHeaders {
                request_id: header("x-request-id"),
                retry_after_ms: header("retry-after-ms"),
                retry_after: header("retry-after"),
                should_retry: header("x-should-retry"),
            };
            self.state = State::ReadError { status, headers };
            return;
        }
        self.state = match self.request.answer {
            Answer::Json { .. } | Answer::Parsed { .. } => State::ReadJson,
            Answer::Stream { .. } => State::ReadStream,
            // The shell keeps the body for the caller: nothing to read or let go of.
            Answer::Raw => {
                self.release = Release::Nothing;
                return self.finish(Ok(String::new()));
            }
        };
    }

    /// The response had no body at all (`response.body` was null).
    pub fn on_no_body(&mut self) {
        if matches!(self.state, State::ReadJson | State::ReadError { .. } | State::ReadStream) {
            self.on_body_end();
        }
    }

    /// `fetch` failed (before any headers).
    pub fn on_fetch_error(&mut self, failure: IoFailure, message: &str) {
        if !matches!(self.state, State::Waiting | State::Send) {
            return;
        }
        let (failure, err) = match failure {
            IoFailure::Abort => return self.finish(Err(Error::Abort)),
            IoFailure::Timeout => {
                (Failure::Timeout, Error::Timeout { timeout_ms: self.timeout_ms, attempts: self.attempts })
            }
            IoFailure::Network => (Failure::Connection, Error::Connection { message: message.to_owned() }),
        };
        self.retry_or_fail(failure, &SavedHeaders::default(), err);
    }

    /// One chunk of the body. The clock and a random number steer a retry that may follow.
    pub fn on_chunk(&mut self, chunk: &[u8]) {
        match &mut self.state {
            State::ReadError { .. } => {
                let room = answer::MAX_ERROR_BODY.saturating_sub(self.body.len());
                self.body.extend_from_slice(chunk.get(..chunk.len().min(room)).unwrap_or_default());
                if self.body.len() >= answer::MAX_ERROR_BODY {
                    // Enough of it: the rest is not read (the connection is closed).
                    self.release = Release::Abort;
                    self.error_body_done();
                }
            }
            State::ReadJson => {
                if self.body.len().saturating_add(chunk.len()) > MAX_JSON_BODY {
                    self.release = Release::Abort;
                    let msg = format!("the response body exceeds the limit of {MAX_JSON_BODY} bytes");
                    return self.finish(Err(Error::stream(msg)));
                }
                if self.body.try_reserve(chunk.len()).is_err() {
                    self.release = Release::Abort;
                    return self.finish(Err(Error::stream("out of memory while reading the response body")));
                }
                self.body.extend_from_slice(chunk);
            }
            State::ReadStream => {
                if let Some(s) = &mut self.stream {
                    s.feed(chunk);
                    if s.progress() > 0 {
                        self.retries = 0;
                    }
                    if s.outcome().is_some() {
                        // The stream has what it needs: let the body go, the request completed.
                        self.release = Release::Cancel;
                        self.stream_over();
                    }
                }
            }
            _ => {}
        }
    }

    /// One whole event's data (a WebSocket text frame): fed to the stream machine as
    /// [`on_chunk`](Self::on_chunk) feeds SSE bytes.
    pub fn on_event(&mut self, data: String) {
        if let (State::ReadStream, Some(s)) = (&self.state, &mut self.stream) {
            s.feed_event(data);
            if s.outcome().is_some() {
                self.release = Release::Nothing;
                self.stream_over();
            }
        }
    }

    /// The body ended.
    pub fn on_body_end(&mut self) {
        self.release = Release::Nothing;
        match &mut self.state {
            State::ReadError { .. } => self.error_body_done(),
            State::ReadJson => {
                let body = std::mem::take(&mut self.body);
                let parsed = match self.request.answer {
                    Answer::Parsed { json_schema } => Some(json_schema),
                    _ => None,
                };
                match answer::json_body(&body, self.request.answer) {
                    Ok((text, output_text)) => match parsed.map(|j| structured::answer_output_parsed(&text, j)) {
                        Some(Err(e)) => self.finish(Err(e)),
                        parsed => {
                            self.output_text = output_text;
                            self.output_parsed = parsed.and_then(Result::ok);
                            self.finish(Ok(text));
                        }
                    },
                    Err(e) => self.finish(Err(e)),
                }
            }
            State::ReadStream => {
                if let Some(s) = &mut self.stream {
                    s.end_of_body();
                }
                self.stream_over();
            }
            _ => {}
        }
    }

    /// A read of the body failed.
    pub fn on_read_error(&mut self, failure: IoFailure, message: &str) {
        self.release = Release::Abort;
        if failure == IoFailure::Abort {
            if !matches!(self.state, State::Done | State::Send | State::Sleep) {
                self.finish(Err(Error::Abort));
            }
            return;
        }
        match &mut self.state {
            State::ReadError { .. } => self.error_body_done(),
            State::ReadJson => {
                let e = match failure {
                    IoFailure::Timeout => Error::Timeout { timeout_ms: self.timeout_ms, attempts: self.attempts },
                    _ => Error::stream(format!("the connection was lost while reading the response: {message}")),
                };
                self.finish(Err(e));
            }
            State::ReadStream => {
                if let Some(s) = &mut self.stream {
                    match failure {
                        IoFailure::Timeout if self.resume_base.is_none() => {
                            return self
                                .finish(Err(Error::Timeout { timeout_ms: self.timeout_ms, attempts: self.attempts }));
                        }
                        IoFailure::Timeout => s.lost(&format!("no data for {} ms", self.timeout_ms)),
                        _ => s.lost(message),
                    }
                }
                self.stream_over();
            }
            _ => {}
        }
    }

    /// The sleep is over.
    pub fn on_wake(&mut self) {
        if matches!(self.state, State::Sleep) {
            self.state = State::Send;
        }
    }

    /// The user aborted: the call ends with [`Error::Abort`] (unless it already ended).
    pub fn abort(&mut self) {
        if !matches!(self.state, State::Done) {
            if matches!(self.state, State::Waiting | State::ReadJson | State::ReadError { .. } | State::ReadStream) {
                self.release = Release::Abort;
            }
            self.finish(Err(Error::Abort));
        }
    }
}
