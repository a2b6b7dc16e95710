//! The requests of the Responses endpoints: create, stream, retrieve (and its stream), cancel,
//! delete, input items, compact, input token counts.

use super::url::{json_object, push_query, ListQuery};
use super::{Answer, Config, HttpRequest, Method};
use crate::error::Error;
use crate::request;

impl Config {
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

    /// `POST /responses` for `parse()`: as [`create`](Self::create), and the answer says what its
    /// `output_parsed` is ([`Answer::Parsed`]).
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
}
