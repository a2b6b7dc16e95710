//! HTTP-level protocol helpers shared by every transport: endpoint URLs and the error body.
//!
//! Plain Rust; the wasm transport calls these so no protocol knowledge lives in the shell.

use crate::error::{ApiError, Error};
use serde_json::Value;

/// The default base URL (CometAPI).
pub const DEFAULT_BASE_URL: &str = "https://api.cometapi.com/v1";

/// Bodies of error responses are read up to this many bytes (enough for any real error JSON).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// `{base}/responses` with the base's trailing slashes trimmed.
pub fn responses_url(base_url: &str) -> String {
    format!("{}/responses", base_url.trim_end_matches('/'))
}

/// `{base}/responses/{id}{suffix}`, the id percent-encoded as one path segment.
pub fn response_url(base_url: &str, id: &str, suffix: &str) -> String {
    let mut url = responses_url(base_url);
    url.push('/');
    push_encoded(&mut url, id);
    url.push_str(suffix);
    url
}

/// Appends `?k=v&…` for the pairs given (values percent-encoded); nothing for no pairs.
pub fn push_query(url: &mut String, pairs: &[(&str, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        url.push(if i == 0 && !url.contains('?') { '?' } else { '&' });
        push_encoded(url, k);
        url.push('=');
        push_encoded(url, v);
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (like `encodeURIComponent`,
/// but also encoding `!'()*`).
fn push_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// Checks an id that goes into a URL path: `""`, `.` and `..` would name another resource
/// (`GET {base}/responses/..` is `GET {base}/`), so they are a [`Error::Validation`] before any
/// request is sent. Every other id is sent percent-encoded as one path segment.
pub fn check_id(id: &str) -> Result<(), Error> {
    match id {
        "" => Err(Error::validation("id", "an id is required (e.g. \"resp_…\"), got an empty string")),
        "." | ".." => Err(Error::validation("id", format!("\"{id}\" is not a valid id: it would name another path"))),
        _ => Ok(()),
    }
}

/// The [`ApiError`] for an HTTP error response: `{"error":{"message","type","param","code"}}`
/// when the body has that shape (a flat `{"message",…}` too), else a message made from the
/// status and a short excerpt of the body.
pub fn api_error_from_http(status: u16, body: &str, request_id: Option<String>) -> ApiError {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let err = json.as_ref().map(|v| match v.get("error") {
        Some(e) if e.is_object() => e,
        _ => v,
    });
    let field = |name: &str| -> Option<String> {
        match err?.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let message = field("message").unwrap_or_else(|| {
        let excerpt = excerpt(body, 200);
        if excerpt.is_empty() {
            format!("HTTP {status} {}", reason(status))
        } else {
            format!("HTTP {status} {}: {excerpt}", reason(status))
        }
    });
    ApiError {
        status: Some(status),
        code: field("code"),
        error_type: field("type"),
        param: field("param"),
        message,
        request_id,
        body: if body.is_empty() { None } else { Some(excerpt(body, MAX_ERROR_BODY).to_owned()) },
        response: None,
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub fn excerpt(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s.trim();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("").trim()
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(responses_url("https://x/v1/"), "https://x/v1/responses");
        assert_eq!(
            response_url("https://x/v1", "resp_1/../a b", "/cancel"),
            "https://x/v1/responses/resp_1%2F..%2Fa%20b/cancel"
        );
        let mut u = response_url("http://h/v1", "r", "");
        push_query(&mut u, &[("stream", "true".into()), ("starting_after", "3".into())]);
        assert_eq!(u, "http://h/v1/responses/r?stream=true&starting_after=3");
    }

    #[test]
    fn nested_error_body() {
        let e = api_error_from_http(
            400,
            r#"{"error":{"message":"bad temp","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}"#,
            Some("req_1".into()),
        );
        assert_eq!(e.status, Some(400));
        assert_eq!(e.message, "bad temp");
        assert_eq!(e.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.param.as_deref(), Some("temperature"));
        assert_eq!(e.code.as_deref(), Some("invalid_value"));
        assert_eq!(e.request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn non_json_error_body() {
        let e = api_error_from_http(502, "<html>bad gateway</html>", None);
        assert_eq!(e.message, "HTTP 502 Bad Gateway: <html>bad gateway</html>");
        assert_eq!(e.code, None);
        let e = api_error_from_http(500, "", None);
        assert_eq!(e.message, "HTTP 500 Internal Server Error");
        assert_eq!(e.body, None);
    }

    #[test]
    fn excerpt_is_char_safe() {
        assert_eq!(excerpt("日本語", 4), "日");
        assert_eq!(excerpt("ab", 10), "ab");
    }
}
