//! What the shell reports to a [`Call`]: an action started, a timer fired, headers, chunks, the
//! end of a body, failures, an abort.

use super::{Call, Fault, IoFailure, Output, Release, SavedHeaders, State, MAX_JSON_BODY};
use crate::answer;
use crate::endpoint::Answer;
use crate::error::Error;
use crate::retry::{self, Failure};

impl Call {
    /// The shell starts what [`action`](Self::action) asks at `now_ms` (Unix ms): sends the
    /// request, starts the sleep (`random01`, in `[0, 1)`, is its jitter) or a read. The wait's
    /// deadline is then [`poll_timeout`](Self::poll_timeout): the attempt's timeout for a request
    /// and for a read of the body it answered, the wake time for a sleep. A read needs no `start`
    /// while the shell's timer runs: its start comes with [`handle_timeout`](Self::handle_timeout).
    pub fn start(&mut self, now_ms: f64, random01: f64) {
        let timeout = now_ms + self.timeout_ms as f64;
        self.deadline = match self.state {
            State::Send => {
                self.attempts += 1;
                self.state = State::Waiting;
                self.release = Release::Nothing;
                Some(timeout)
            }
            // A body the call did not ask for (one the shell already had) is not timed.
            _ if self.is_reading() && self.attempts > 0 => Some(timeout),
            State::Sleep => {
                let plan = self.sleep.as_ref();
                plan.map(|p| now_ms + retry::delay_ms(&p.headers.retry_headers(), p.retry, now_ms, random01))
            }
            _ => None,
        };
    }

    /// The shell's timer fired at `now_ms` while a wait that began at `since_ms` is pending (a
    /// fire while none is pending is reported when the next wait begins). Each read is timed
    /// from its own start, so a consumer that holds its events never times out, and a shell
    /// reads on without reporting each read. Past the deadline, the call moves on (the request
    /// or the read timed out: a retry, a resume or [`Error::Timeout`], and the body is let go of
    /// with [`Release::Abort`]; a sleep is over) and the shell ends its pending wait (`true`).
    /// `false`: not yet (set the timer again to [`poll_timeout`](Self::poll_timeout)).
    pub fn handle_timeout(&mut self, now_ms: f64, since_ms: f64) -> bool {
        if self.is_reading() && self.attempts > 0 {
            self.deadline = Some(since_ms + self.timeout_ms as f64);
        }
        if self.deadline.map_or(true, |d| now_ms < d) {
            return false;
        }
        self.deadline = None;
        self.timeouts += u32::from(!matches!(self.state, State::Sleep));
        match self.state {
            State::Sleep => self.state = State::Send,
            State::Waiting => {
                self.release = Release::Abort;
                let err = Error::Timeout { timeout_ms: self.timeout_ms, attempts: self.timeouts };
                self.retry_or_fail(Failure::Timeout, &SavedHeaders::default(), err);
            }
            _ => self.read_failed(None, ""),
        }
        true
    }

    /// The response headers arrived. `header(name)` gives the value of a header the call asks
    /// for (the names are in [`WANTED_HEADERS`](super::WANTED_HEADERS)).
    pub fn on_headers(&mut self, status: u16, header: impl Fn(&str) -> Option<String>) {
        if !matches!(self.state, State::Waiting) {
            return;
        }
        self.deadline = None;
        self.body.clear();
        self.request_id = header("x-request-id");
        // Anything but a success is an error: a redirect fetch did not follow (no `Location`, a
        // 300, a 304 of a cache) is not the answer.
        if !(200..300).contains(&status) {
            let headers = SavedHeaders {
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
        if self.is_reading() {
            self.on_body_end();
        }
    }

    /// `fetch` failed (before any headers): the network, the runtime or a custom `fetch`.
    pub fn on_fetch_error(&mut self, message: &str) {
        if matches!(self.state, State::Waiting | State::Send) {
            self.deadline = None;
            let err = Error::Connection { message: message.to_owned() };
            self.retry_or_fail(Failure::Connection, &SavedHeaders::default(), err);
        }
    }

    /// One chunk of the body (the read is over: no deadline until the next [`start`](Self::start)).
    pub fn on_chunk(&mut self, chunk: &[u8]) {
        self.deadline = None;
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
                // The stream has what it needs: the shell lets go of the rest of its frames.
                self.release = Release::Cancel;
                self.stream_over();
            }
        }
    }

    /// The body ended.
    pub fn on_body_end(&mut self) {
        self.deadline = None;
        self.release = Release::Nothing;
        match &mut self.state {
            State::ReadError { .. } => self.error_body_done(),
            State::ReadJson => {
                let mut body = std::mem::take(&mut self.body);
                // No body (a 204 to a delete) is `null`, as openai-node reads it; a Response must have one.
                if body.trim_ascii().is_empty() && !self.request.answer.is_response() {
                    body = b"null".to_vec();
                }
                if self.out == Output::Values {
                    return self.finish(Ok(crate::sse::body_text(&body)));
                }
                match answer::read_json(&body, self.request.answer) {
                    Ok(json) => {
                        self.output_text = json.output_text;
                        match json.output_error {
                            // the answer stays, for the error's `response`
                            Some(e) => {
                                self.unparsed = Some(json.text);
                                self.finish(Err(e));
                            }
                            None => {
                                self.output_parsed = json.output_parsed;
                                self.finish(Ok(json.text));
                            }
                        }
                    }
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

    /// The shell found `fault` in what the platform gave it (`detail`: what the platform said,
    /// if anything).
    pub fn on_fault(&mut self, fault: Fault, detail: Option<&str>) {
        match fault {
            Fault::NoResponse => self.on_fetch_error("fetch did not return a Response"),
            Fault::NoReader => {
                let message = match detail {
                    Some(d) => format!("cannot read the body: {d}"),
                    None => "cannot read the body".to_owned(),
                };
                self.read_failed(Some(IoFailure::Network), &message);
            }
            Fault::BadChunk => self.fail(Error::stream("the body yielded a chunk that is not a Uint8Array")),
            Fault::BadHeader => {
                let name = detail.unwrap_or_default();
                let why = "a bad name, or CR, LF, NUL or a character above U+00FF in its value";
                self.fail(Error::validation("headers", format!("fetch cannot send the header `{name}`: {why}")));
            }
        }
    }

    /// A read of the body failed with an error named `error_name` (a JS error's `name`):
    /// `AbortError` (the body's fetch was aborted) ends the call with [`Error::Abort`]; any
    /// other failure is the network's (a stream is lost, a background one resumes).
    pub fn on_read_error(&mut self, error_name: Option<&str>, message: &str) {
        let failure = if error_name == Some("AbortError") { IoFailure::Abort } else { IoFailure::Network };
        self.read_failed(Some(failure), message);
    }

    /// A read failed (`None`: it timed out); the body is let go of with its request.
    fn read_failed(&mut self, failure: Option<IoFailure>, message: &str) {
        self.deadline = None;
        self.release = Release::Abort;
        let timeout = Error::Timeout { timeout_ms: self.timeout_ms, attempts: self.timeouts };
        match (&mut self.state, failure) {
            (State::Done | State::Send | State::Sleep, _) => {}
            (_, Some(IoFailure::Abort)) => self.finish(Err(Error::Abort)),
            (State::ReadError { .. }, _) => self.error_body_done(),
            (State::ReadJson, None) => self.finish(Err(timeout)),
            (State::ReadJson, _) => {
                let msg = format!("the connection was lost while reading the response: {message}");
                self.finish(Err(Error::stream(msg)));
            }
            // A stall is a timeout, unless a background stream may still resume after it.
            (State::ReadStream, None) if self.resume_base.is_none() || self.retries >= self.max_retries => {
                self.finish(Err(timeout))
            }
            (State::ReadStream, _) => {
                if let Some(s) = &mut self.stream {
                    match failure {
                        None => s.lost(&format!("no data for {} ms", crate::error::dec(self.timeout_ms))),
                        Some(_) => s.lost(message),
                    }
                }
                self.stream_over();
            }
            (State::Waiting, _) => {}
        }
    }

    /// The user aborted: the call ends with [`Error::Abort`] (unless it already ended).
    pub fn abort(&mut self) {
        if !matches!(self.state, State::Done) {
            if matches!(self.state, State::Waiting) || self.is_reading() {
                self.release = Release::Abort;
            }
            if let Some(stream) = self.stream_mut() {
                stream.drop_undelivered();
            }
            self.finish(Err(Error::Abort));
        }
    }
}
