//! Every request the client sends, built in one place: method, URL (ids percent-encoded as one
//! path segment, query strings), headers (authorization, accept, content type, the caller's) and
//! body. The shells send what [`HttpRequest`] says and nothing else.
//!
//! Operations and what their answer is ([`Answer`]):
//!
//! | operation | request | answer |
//! |---|---|---|
//! | create | `POST /responses` (validated params, `stream` absent or false) | a Response |
//! | stream | `POST /responses` (validated params, `stream: true`) | an event stream |
//! | retrieve | `GET /responses/{id}` | a Response |
//! | retrieve stream | `GET /responses/{id}?stream=true` | an event stream |
//! | cancel | `POST /responses/{id}/cancel` | a Response |
//! | delete | `DELETE /responses/{id}` | JSON |
//! | input items | `GET /responses/{id}/input_items?after&limit&order&include[]` | JSON |
//! | compact | `POST /responses/compact` (params as given) | JSON |
//! | count input tokens | `POST /responses/input_tokens` (params as given) | JSON |
//! | conversations | `POST /conversations`, `GET/POST/DELETE /conversations/{id}` | JSON |
//! | conversation items | `POST/GET /conversations/{id}/items`, `GET/DELETE …/items/{item_id}` | JSON |

use serde_json::Value;

use crate::error::Error;
use crate::request;

/// The default base URL (CometAPI).
pub const DEFAULT_BASE_URL: &str = "https://api.cometapi.com/v1";
/// Retries after the first attempt, unless configured.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Per-attempt timeout in ms (10 minutes), unless configured.
pub const DEFAULT_TIMEOUT_MS: u64 = 600_000;

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
    /// A Response for `parse()`: JSON with `output_text` and `output_parsed`
    /// ([`crate::structured::with_output_parsed`]).
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
}

/// One request, ready to send: the shells copy these fields into `fetch` and add nothing.
#[derive(Debug, Clone, PartialEq)]
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

/// The client's configuration (none of it is sent as is; the key becomes a header).
#[derive(Debug, Clone, PartialEq)]
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
}

impl Config {
    /// A configuration from the user's options; the base URL must be an absolute `http(s)` URL.
    pub fn new(
        base_url: Option<&str>,
        api_key: Option<&str>,
        headers: Vec<(String, String)>,
        max_retries: Option<u32>,
        timeout_ms: Option<u64>,
    ) -> Result<Config, Error> {
        let base_url = base_url.unwrap_or(DEFAULT_BASE_URL);
        check_base_url(base_url)?;
        Ok(Config {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.filter(|k| !k.is_empty()).map(str::to_owned),
            headers: lower_names(headers),
            max_retries: max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
        })
    }

    /// `POST /responses` without streaming (params validated; `stream: true` in them is an error
    /// of the caller's choice of method, so it is set to `false`).
    pub fn create(&self, params_json: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let body = request::prepare_body(params_json, false)?;
        Ok(self.build(Method::Post, self.url(&["responses"]), Some(body), Answer::Json { output_text: true }, extra))
    }

    /// `POST /responses` with `stream: true` (params validated).
    pub fn stream(&self, params_json: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        self.stream_structured(params_json, extra).map(|(request, _)| request)
    }

    /// [`stream`](Self::stream), also telling whether the params ask for a structured output
    /// (a `json_schema` format: the stream follows its partial JSON, see [`crate::structured`]).
    pub fn stream_structured(
        &self,
        params_json: &str,
        extra: &[(String, String)],
    ) -> Result<(HttpRequest, bool), Error> {
        let p = request::prepare_full(params_json, true)?;
        let answer = Answer::Stream { background: p.background };
        Ok((self.build(Method::Post, self.url(&["responses"]), Some(p.body), answer, extra), p.json_schema))
    }

    /// `POST /responses` for `parse()`: as [`create`](Self::create), and the answer gets
    /// `output_parsed` ([`Answer::Parsed`]).
    pub fn parse(&self, params_json: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let p = request::prepare_full(params_json, false)?;
        let answer = Answer::Parsed { json_schema: p.json_schema };
        Ok(self.build(Method::Post, self.url(&["responses"]), Some(p.body), answer, extra))
    }

    /// `GET /responses/{id}`.
    pub fn retrieve(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["responses"], id, &[])?;
        Ok(self.build(Method::Get, url, None, Answer::Json { output_text: true }, extra))
    }

    /// `GET /responses/{id}?stream=true[&starting_after=N]`: a background response's events (all of
    /// them, or those after sequence number N).
    pub fn retrieve_stream(
        &self,
        id: &str,
        starting_after: Option<u64>,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let mut url = self.url_with_id(&["responses"], id, &[])?;
        let mut query = vec![("stream", "true".to_owned())];
        if let Some(n) = starting_after {
            query.push(("starting_after", n.to_string()));
        }
        push_query(&mut url, &query);
        Ok(self.build(Method::Get, url, None, Answer::Stream { background: true }, extra))
    }

    /// `POST /responses/{id}/cancel`.
    pub fn cancel(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["responses"], id, &["cancel"])?;
        Ok(self.build(Method::Post, url, None, Answer::Json { output_text: true }, extra))
    }

    /// `DELETE /responses/{id}`.
    pub fn delete(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["responses"], id, &[])?;
        Ok(self.build(Method::Delete, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `GET /responses/{id}/input_items?…`.
    pub fn input_items(&self, id: &str, query: &ListQuery, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let mut url = self.url_with_id(&["responses"], id, &["input_items"])?;
        push_query(&mut url, &query.pairs()?);
        Ok(self.build(Method::Get, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `POST /responses/compact`: params sent as given (a JSON object).
    pub fn compact(&self, params_json: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let body = json_object("params", params_json)?;
        Ok(self.build(
            Method::Post,
            self.url(&["responses", "compact"]),
            Some(body),
            Answer::Json { output_text: false },
            extra,
        ))
    }

    /// `POST /responses/input_tokens`: params sent as given (a JSON object).
    pub fn count_input_tokens(&self, params_json: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let body = json_object("params", params_json)?;
        let url = self.url(&["responses", "input_tokens"]);
        Ok(self.build(Method::Post, url, Some(body), Answer::Json { output_text: false }, extra))
    }

    /// `POST /conversations` (`{ items?, metadata? }`; no params sends `{}`).
    pub fn conversation_create(
        &self,
        params_json: Option<&str>,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let body = json_object("params", params_json.unwrap_or("{}"))?;
        Ok(self.build(
            Method::Post,
            self.url(&["conversations"]),
            Some(body),
            Answer::Json { output_text: false },
            extra,
        ))
    }

    /// `GET /conversations/{id}`.
    pub fn conversation_retrieve(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["conversations"], id, &[])?;
        Ok(self.build(Method::Get, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `POST /conversations/{id}` (`{ metadata }`).
    pub fn conversation_update(
        &self,
        id: &str,
        params_json: &str,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["conversations"], id, &[])?;
        let body = json_object("params", params_json)?;
        Ok(self.build(Method::Post, url, Some(body), Answer::Json { output_text: false }, extra))
    }

    /// `DELETE /conversations/{id}`.
    pub fn conversation_delete(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["conversations"], id, &[])?;
        Ok(self.build(Method::Delete, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `POST /conversations/{id}/items?include[]=…` (`{ items }`).
    pub fn conversation_items_create(
        &self,
        id: &str,
        params_json: &str,
        include: &[String],
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let mut url = self.url_with_id(&["conversations"], id, &["items"])?;
        let pairs: Vec<(&str, String)> = include.iter().map(|i| ("include[]", i.clone())).collect();
        push_query(&mut url, &pairs);
        let body = json_object("params", params_json)?;
        Ok(self.build(Method::Post, url, Some(body), Answer::Json { output_text: false }, extra))
    }

    /// `GET /conversations/{id}/items?…`.
    pub fn conversation_items_list(
        &self,
        id: &str,
        query: &ListQuery,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let mut url = self.url_with_id(&["conversations"], id, &["items"])?;
        push_query(&mut url, &query.pairs()?);
        Ok(self.build(Method::Get, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `GET /conversations/{id}/items/{item_id}?include[]=…`.
    pub fn conversation_item_retrieve(
        &self,
        id: &str,
        item_id: &str,
        include: &[String],
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let mut url = self.url_with_ids(&["conversations"], id, "items", item_id)?;
        let pairs: Vec<(&str, String)> = include.iter().map(|i| ("include[]", i.clone())).collect();
        push_query(&mut url, &pairs);
        Ok(self.build(Method::Get, url, None, Answer::Json { output_text: false }, extra))
    }

    /// `DELETE /conversations/{id}/items/{item_id}`.
    pub fn conversation_item_delete(
        &self,
        id: &str,
        item_id: &str,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let url = self.url_with_ids(&["conversations"], id, "items", item_id)?;
        Ok(self.build(Method::Delete, url, None, Answer::Json { output_text: false }, extra))
    }

    fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base_url.clone();
        for s in segments {
            url.push('/');
            url.push_str(s);
        }
        url
    }

    fn url_with_id(&self, before: &[&str], id: &str, after: &[&str]) -> Result<String, Error> {
        check_id("id", id)?;
        let mut url = self.url(before);
        url.push('/');
        push_encoded(&mut url, id);
        for s in after {
            url.push('/');
            url.push_str(s);
        }
        Ok(url)
    }

    fn url_with_ids(&self, before: &[&str], id: &str, middle: &str, item_id: &str) -> Result<String, Error> {
        let mut url = self.url_with_id(before, id, &[middle])?;
        check_id("item_id", item_id)?;
        url.push('/');
        push_encoded(&mut url, item_id);
        Ok(url)
    }

    /// The request with its headers: `accept`, `content-type` (with a body), `authorization` (with
    /// a key), then the client's headers, then the request's own (later ones win).
    fn build(
        &self,
        method: Method,
        url: String,
        body: Option<String>,
        answer: Answer,
        extra: &[(String, String)],
    ) -> HttpRequest {
        let mut headers = Vec::with_capacity(3 + self.headers.len() + extra.len());
        let accept = if matches!(answer, Answer::Stream { .. }) { "text/event-stream" } else { "application/json" };
        headers.push(("accept".to_owned(), accept.to_owned()));
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        if let Some(key) = &self.api_key {
            headers.push(("authorization".to_owned(), format!("Bearer {key}")));
        }
        headers.extend(self.headers.iter().cloned());
        headers.extend(extra.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())));
        HttpRequest { method, url, headers, body, answer }
    }
}

/// The query of a list endpoint (`input_items`, conversation items).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Items after this item id.
    pub after: Option<String>,
    /// Page size, 1–100.
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Extra fields to include.
    pub include: Vec<String>,
}

impl ListQuery {
    fn pairs(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let mut pairs = Vec::new();
        if let Some(a) = &self.after {
            pairs.push(("after", a.clone()));
        }
        if let Some(l) = self.limit {
            if !(1..=100).contains(&l) {
                return Err(Error::validation("limit", format!("limit must be an integer from 1 to 100, got {l}")));
            }
            pairs.push(("limit", l.to_string()));
        }
        if let Some(o) = &self.order {
            if o != "asc" && o != "desc" {
                let got = Value::from(o.as_str());
                return Err(Error::validation("order", format!("order must be \"asc\" or \"desc\", got {got}")));
            }
            pairs.push(("order", o.clone()));
        }
        for inc in &self.include {
            pairs.push(("include[]", inc.clone()));
        }
        Ok(pairs)
    }
}

/// An id that goes into a URL path: `""`, `.` and `..` would name another resource
/// (`GET {base}/responses/..` is `GET {base}/`), so they are an [`Error::Validation`] before any
/// request is sent. Every other id is sent percent-encoded as one path segment.
pub fn check_id(param: &str, id: &str) -> Result<(), Error> {
    match id {
        "" => Err(Error::validation(param, format!("`{param}` is required (e.g. \"resp_…\"), got an empty string"))),
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
                Value::from(url)
            ),
        ))
    };
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        r
    } else {
        return bad("it does not start with http:// or https://");
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return bad("it has no host");
    }
    if url.bytes().any(|b| b <= b' ' || b == b'\\' || b >= 0x7f) {
        return bad("it holds spaces, control characters, backslashes or non-ASCII characters");
    }
    if url.contains('?') || url.contains('#') {
        return bad("it has a query or a fragment");
    }
    Ok(())
}

fn json_object(param: &str, text: &str) -> Result<String, Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => Ok(text.to_owned()),
        Ok(_) => Err(Error::validation(param, format!("`{param}` must be an object"))),
        Err(_) => Err(Error::validation(param, format!("`{param}` must be a JSON object"))),
    }
}

fn lower_names(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect()
}

/// Appends `?k=v&…` for the pairs given (values percent-encoded); nothing for no pairs.
fn push_query(url: &mut String, pairs: &[(&str, String)]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        url.push(if i == 0 && !url.contains('?') { '?' } else { '&' });
        push_encoded(url, k);
        url.push('=');
        push_encoded(url, v);
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (like `encodeURIComponent`, but
/// also encoding `!'()*`).
fn push_encoded(out: &mut String, s: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(Some("https://x/v1/"), Some("sk-1"), vec![("X-A".into(), "1".into())], None, None).unwrap()
    }

    #[test]
    fn urls_headers_and_bodies() {
        let c = config();
        let r = c.retrieve("resp_1/../a b", &[]).unwrap();
        assert_eq!(r.url, "https://x/v1/responses/resp_1%2F..%2Fa%20b");
        assert_eq!(r.method, Method::Get);
        let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["accept", "authorization", "x-a"]);
        let s = c.retrieve_stream("r", Some(3), &[("X-B".into(), "2".into())]).unwrap();
        assert_eq!(s.url, "https://x/v1/responses/r?stream=true&starting_after=3");
        assert_eq!(s.headers.last(), Some(&("x-b".to_owned(), "2".to_owned())));
        assert_eq!(s.answer, Answer::Stream { background: true });
        let q = ListQuery {
            after: Some("m 1".into()),
            limit: Some(5),
            order: Some("asc".into()),
            include: vec!["a.b".into()],
        };
        let l = c.conversation_items_list("conv_1", &q, &[]).unwrap();
        assert_eq!(l.url, "https://x/v1/conversations/conv_1/items?after=m%201&limit=5&order=asc&include%5B%5D=a.b");
        let d = c.conversation_item_delete("conv_1", "msg/1", &[]).unwrap();
        assert_eq!((d.method, d.url.as_str()), (Method::Delete, "https://x/v1/conversations/conv_1/items/msg%2F1"));
        let p = c.compact(r#"{"model":"m","input":"x"}"#, &[]).unwrap();
        assert_eq!(p.body.as_deref(), Some(r#"{"model":"m","input":"x"}"#));
        assert_eq!(p.url, "https://x/v1/responses/compact");
    }

    #[test]
    fn ids_that_name_another_path_are_refused() {
        let c = config();
        for id in ["", ".", ".."] {
            assert!(matches!(c.retrieve(id, &[]), Err(Error::Validation { ref param, .. }) if param == "id"));
            assert!(
                matches!(c.conversation_item_delete("c", id, &[]), Err(Error::Validation { ref param, .. }) if param == "item_id")
            );
        }
        assert!(c.retrieve("...", &[]).is_ok());
    }

    #[test]
    fn base_urls() {
        for ok in ["https://api.cometapi.com/v1", "http://127.0.0.1:8080/v1/", "https://h"] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "not a url",
            "/v1",
            "ftp://h/v1",
            "https://",
            "http:///v1",
            "https://h/v1?x=1",
            "https://h/v 1",
            "https://u@h/",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(Error::Validation { ref param, .. }) if param == "baseURL"),
                "{bad}"
            );
        }
    }

    #[test]
    fn list_query_rules() {
        let c = config();
        let bad = ListQuery { limit: Some(0), ..ListQuery::default() };
        assert!(matches!(c.input_items("r", &bad, &[]), Err(Error::Validation { ref param, .. }) if param == "limit"));
        let bad = ListQuery { order: Some("up".into()), ..ListQuery::default() };
        assert!(matches!(c.input_items("r", &bad, &[]), Err(Error::Validation { ref param, .. }) if param == "order"));
    }
}
