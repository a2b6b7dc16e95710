//! The requests of the Conversations API: conversations and their items.

use super::url::{json_object, push_query, ListQuery};
use super::{Answer, Config, HttpRequest, Method};
use crate::error::Error;

impl Config {
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
}
