//! URLs: ids checked and percent-encoded as one path segment, query strings, the base URL's
//! rules; params sent as given.

use serde_json::Value;

use super::DEFAULT_BASE_URL;
use crate::error::Error;
use crate::redact::{redact_key_shapes, MASK};

/// An id that goes into a URL path: `""`, `.` and `..` would name another resource
/// (`GET {base}/responses/..` is `GET {base}/`), so they are an [`Error::Validation`] before any
/// request is sent. Every other id is sent percent-encoded as one path segment.
pub fn check_id(param: &str, id: &str) -> Result<(), Error> {
    match id {
        "" => Err(Error::validation(param, format!("`{param}` is required, got an empty string"))),
        "." | ".." => {
            Err(Error::validation(param, format!("\"{id}\" is not a valid `{param}`: it would name another path")))
        }
        _ => Ok(()),
    }
}

/// The base URL must be absolute, `http:` or `https:`, with a host, and without a query or fragment
/// (paths are appended to it).
pub fn check_base_url(url: &str) -> Result<(), Error> {
    let bad = |why: &str| {
        Err(Error::validation(
            "baseURL",
            format!(
                "baseURL must be an absolute http(s) URL such as \"{DEFAULT_BASE_URL}\": {why}; got {}",
                serde_json::to_string(&shown(url)).unwrap_or_default()
            ),
        ))
    };
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return bad("it does not start with http:// or https://");
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.bytes().any(|b| b == b'@') {
        return bad("it has credentials before its host (give the key as apiKey)");
    }
    if host.is_empty() || host.starts_with(':') {
        return bad("it has no host");
    }
    if url.bytes().any(|b| b <= b' ' || b == b'\\' || b >= 0x7f) {
        return bad("it holds spaces, control characters, backslashes or non-ASCII characters");
    }
    if url.bytes().any(|b| b == b'?' || b == b'#') {
        return bad("it has a query or a fragment");
    }
    Ok(())
}

/// What an error shows of a refused base URL, with what may be a secret masked: credentials (a
/// segment that ends with `@`: from the `/` before it), a query or fragment (the whole segment
/// when an `@` follows), and anything shaped like a key (the key given as the URL by mistake).
fn shown(url: &str) -> String {
    let mut s = String::new();
    // where the segment being read starts in `s` (after a `/`: a character boundary)
    let mut segment = 0;
    for (i, c) in url.char_indices() {
        match c {
            '/' => {
                s.push(c);
                segment = s.len();
            }
            '@' => {
                while s.len() > segment {
                    s.pop();
                }
                s.push_str(MASK);
                s.push(c);
            }
            '?' | '#' => {
                // an `@` after it: the segment may be credentials that hold it
                if url.as_bytes().get(i..).unwrap_or_default().contains(&b'@') {
                    while s.len() > segment {
                        s.pop();
                    }
                } else {
                    s.push(c);
                }
                s.push_str(MASK);
                break;
            }
            _ => s.push(c),
        }
    }
    redact_key_shapes(&s).into_owned()
}

/// `text` as the body when it is a JSON object, read as `JSON.parse` reads it (a lone surrogate
/// escape is valid), and sent as written.
pub(super) fn json_object(param: &str, text: &str) -> Result<String, Error> {
    match crate::event::lenient::parse_value(text) {
        Ok(Value::Object(_)) => Ok(text.to_owned()),
        Ok(_) => Err(Error::validation(param, format!("`{param}` must be an object"))),
        Err(_) => Err(Error::validation(param, format!("`{param}` must be a JSON object"))),
    }
}

/// Appends `?k=v&…` for the pairs given (values percent-encoded); nothing for no pairs.
pub(super) fn push_query(url: &mut String, pairs: &[(&str, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        url.push(if i == 0 && !url.bytes().any(|b| b == b'?') { '?' } else { '&' });
        push_encoded(url, k);
        url.push('=');
        push_encoded(url, v);
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (like `encodeURIComponent`, but
/// also encoding `!'()*`).
pub(super) fn push_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                out.push(HEX.get(usize::from(nibble)).map_or('0', |&h| char::from(h)));
            }
        }
    }
}
