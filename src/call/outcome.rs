//! How a [`Call`] ends or goes on: an error body becomes an `ApiError` (retried or not), a broken
//! background stream is resumed, every error is redacted and says how many attempts it took.

use super::{Call, SavedHeaders, SleepPlan, State};
use crate::answer;
use crate::error::Error;
use crate::retry::{self, Failure};

impl Call {
    pub(super) fn error_body_done(&mut self) {
        let State::ReadError { status, headers } = std::mem::replace(&mut self.state, State::Waiting) else {
            return;
        };
        let body = crate::sse::body_text(&self.body);
        self.body = Vec::new();
        let api = answer::api_error_from_http(status, &body, self.request_id.clone());
        if self.answered {
            // A proxy's error body: the error it stands for, as it is (no request, no retry).
            return self.finish(Err(crate::relay::from_relayed(api)));
        }
        self.retry_or_fail(Failure::Status(status), &headers, Error::from(api));
    }

    pub(super) fn stream_over(&mut self) {
        let Some(s) = &self.stream else { return };
        match s.outcome() {
            None => {}
            Some(Ok(())) => self.finish(Ok(String::new())),
            Some(Err(e)) => {
                let e = e.clone();
                if let (Error::Stream { .. }, Some(config)) = (&e, self.resume_base.clone()) {
                    if let (Some(id), Some(seq)) = (s.response_id(), s.last_sequence_number()) {
                        if self.retries < self.max_retries {
                            if let Ok(req) = config.retrieve_stream(id, Some(seq), config.caller_headers(&self.request))
                            {
                                self.request = req;
                                self.sleep = Some(SleepPlan { retry: self.retries, headers: SavedHeaders::default() });
                                self.retries += 1;
                                if let Some(s) = &mut self.stream {
                                    s.restart();
                                }
                                self.state = State::Sleep;
                                return;
                            }
                        }
                    }
                }
                self.finish(Err(e));
            }
        }
    }

    pub(super) fn retry_or_fail(&mut self, failure: Failure, headers: &SavedHeaders, err: Error) {
        let hdrs = headers.retry_headers();
        if self.retries >= self.max_retries || !retry::should_retry(failure, &hdrs) {
            return self.finish(Err(with_attempts(err, self.attempts, &self.request.url)));
        }
        self.sleep = Some(SleepPlan { retry: self.retries, headers: headers.clone() });
        self.retries += 1;
        self.state = State::Sleep;
    }

    pub(super) fn finish(&mut self, result: Result<String, Error>) {
        self.state = State::Done;
        self.deadline = None;
        self.body = Vec::new();
        self.result = Some(result.map_err(|mut e| {
            // An `error` event or `response.failed` says nothing of the request: its answer's id.
            if let Error::Api(api) = &mut e {
                api.request_id = api.request_id.take().or_else(|| self.request_id.clone());
            }
            if let Some(r) = &self.redactor {
                e.redact(r);
            }
            e
        }));
    }
}

/// A network error says where it could not connect and after how many attempts (a timeout
/// counts the attempts that timed out itself).
fn with_attempts(err: Error, attempts: u32, url: &str) -> Error {
    let tries = if attempts > 1 { format!(" after {attempts} attempts") } else { String::new() };
    match err {
        Error::Connection { message } => {
            Error::Connection { message: format!("could not reach {}{tries}: {message}", origin(url)) }
        }
        other => other,
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.as_bytes().windows(3).position(|w| w == b"://").map_or(0, |i| i + 3);
    let end = url
        .get(after_scheme..)
        .and_then(|rest| rest.bytes().position(|b| b == b'/'))
        .map_or(url.len(), |i| after_scheme + i);
    url.get(..end).unwrap_or(url)
}
