//! The requests of the Files API: upload, list, retrieve, delete, content.
//!
//! An upload is `multipart/form-data` (`file`, `purpose`, and `filename` on the file part). The
//! core builds its method, URL and headers but not its body: the shells send the platform's
//! multipart form (`FormData` in JS, `web_sys::FormData` in the Rust API), which sets the
//! `content-type` with its boundary and streams a Blob's bytes without copying them into wasm
//! memory; so the request has no `content-type` of its own ([`Config::file_create`]).

use serde_json::Value;

use super::url::push_query;
use super::{Answer, Config, HttpRequest, Method};
use crate::error::Error;

/// The query of `GET /files`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileListQuery {
    /// Only files of this purpose.
    pub purpose: Option<String>,
    /// Page size, 1–10000.
    pub limit: Option<u32>,
    /// Files after this file id.
    pub after: Option<String>,
    /// `asc` or `desc` (by creation time).
    pub order: Option<String>,
}

impl FileListQuery {
    fn pairs(&self) -> Result<Vec<(&'static str, String)>, Error> {
        let mut pairs = Vec::new();
        if let Some(p) = &self.purpose {
            pairs.push(("purpose", p.clone()));
        }
        if let Some(l) = self.limit {
            if !(1..=10_000).contains(&l) {
                return Err(Error::validation("limit", format!("limit must be an integer from 1 to 10000, got {l}")));
            }
            pairs.push(("limit", l.to_string()));
        }
        if let Some(a) = &self.after {
            pairs.push(("after", a.clone()));
        }
        if let Some(o) = &self.order {
            if o != "asc" && o != "desc" {
                let got = Value::from(o.as_str());
                return Err(Error::validation("order", format!("order must be \"asc\" or \"desc\", got {got}")));
            }
            pairs.push(("order", o.clone()));
        }
        Ok(pairs)
    }
}

const JSON: Answer = Answer::Json { output_text: false };

impl Config {
    /// `POST /files`: the shell sends the multipart form as the body (see the module's docs);
    /// `purpose` must be a non-empty string.
    pub fn file_create(&self, purpose: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        if purpose.is_empty() {
            return Err(Error::validation("purpose", "purpose must be a non-empty string"));
        }
        Ok(self.build(Method::Post, self.url(&["files"]), None, JSON, extra))
    }

    /// `GET /files?purpose&limit&after&order`.
    pub fn file_list(&self, query: &FileListQuery, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let mut url = self.url(&["files"]);
        push_query(&mut url, &query.pairs()?);
        Ok(self.build(Method::Get, url, None, JSON, extra))
    }

    /// `GET /files/{id}`.
    pub fn file_retrieve(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["files"], id, &[])?;
        Ok(self.build(Method::Get, url, None, JSON, extra))
    }

    /// `DELETE /files/{id}`.
    pub fn file_delete(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["files"], id, &[])?;
        Ok(self.build(Method::Delete, url, None, JSON, extra))
    }

    /// `GET /files/{id}/content`: the answer is the HTTP response itself ([`Answer::Raw`]).
    pub fn file_content(&self, id: &str, extra: &[(String, String)]) -> Result<HttpRequest, Error> {
        let url = self.url_with_id(&["files"], id, &["content"])?;
        let mut request = self.build(Method::Get, url, None, Answer::Raw, extra);
        if let Some((_, accept)) = request.headers.iter_mut().find(|(k, _)| k == "accept") {
            "*/*".clone_into(accept);
        }
        Ok(request)
    }
}
