//! The table of operations: every endpoint is one row (name, method, path, query, body, answer),
//! and [`Config::request`] builds the request of any row. The shells run any row through one
//! entry each (`RawClient::call` for js/client.js, `Client`'s `run` for the Rust API).

use serde_json::Value;

use super::url::{check_id, json_object, push_encoded, push_query};
use super::{Answer, Config, HttpRequest, Method};
use crate::error::Error;
use crate::request;

/// What an operation sends as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// None.
    None,
    /// Responses params, validated ([`request::prepare_full`]); `stream` is set to `true` for a
    /// stream and to `false` otherwise (when given).
    Params,
    /// The params as given (a JSON object).
    Object,
    /// The params as given (a JSON object); none sends `{}`.
    OptionalObject,
    /// `multipart/form-data`, which the shell builds and sends (`FormData` sets the content type
    /// with its boundary and streams a Blob without copying it into wasm memory): the core checks
    /// its fields, given as a JSON object (`purpose`, a non-empty string), and sends no body.
    Form,
}

/// A query parameter an operation takes; a row lists them in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `stream=true`.
    Stream,
    /// `starting_after` ([`Query::starting_after`]).
    StartingAfter,
    /// `purpose`.
    Purpose,
    /// `after`.
    After,
    /// `limit`, from 1 to this maximum.
    Limit(u32),
    /// `order`: `asc` or `desc`.
    Order,
    /// `include[]`, once per value.
    Include,
}

/// The query options of a call; each operation sends those its row takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Items (files) after this id.
    pub after: Option<String>,
    /// Page size: 1–100 (files: 1–10000).
    pub limit: Option<u32>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Extra fields to include.
    pub include: Vec<String>,
    /// Only files of this purpose.
    pub purpose: Option<String>,
    /// Only the events after this sequence number (how the core resumes a background stream).
    pub starting_after: Option<u64>,
}

/// The query of the list endpoints (`input_items`, conversation items).
pub type ListQuery = Query;
/// The query of `GET /files`.
pub type FileListQuery = Query;

impl Query {
    /// No query options.
    pub const NONE: Query =
        Query { after: None, limit: None, order: None, include: Vec::new(), purpose: None, starting_after: None };

    fn pairs(&self, fields: &[Field]) -> Result<Vec<(&'static str, String)>, Error> {
        let mut pairs = Vec::new();
        for field in fields {
            let (name, value) = match *field {
                Field::Stream => ("stream", Some("true".to_owned())),
                Field::StartingAfter => {
                    ("starting_after", self.starting_after.map(|n| crate::error::dec(n).to_string()))
                }
                Field::Purpose => ("purpose", self.purpose.clone()),
                Field::After => ("after", self.after.clone()),
                Field::Limit(max) => match self.limit {
                    Some(l) if !(1..=max).contains(&l) => {
                        let message = format!("limit must be an integer from 1 to {max}, got {l}");
                        return Err(Error::validation("limit", message));
                    }
                    l => ("limit", l.map(|l| crate::error::dec(u64::from(l)).to_string())),
                },
                Field::Order => match &self.order {
                    Some(o) if o != "asc" && o != "desc" => {
                        let got = serde_json::to_string(o).unwrap_or_default();
                        let message = format!("order must be \"asc\" or \"desc\", got {got}");
                        return Err(Error::validation("order", message));
                    }
                    o => ("order", o.clone()),
                },
                Field::Include => {
                    for i in &self.include {
                        pairs.push(("include[]", i.clone()));
                    }
                    continue;
                }
            };
            if let Some(v) = value {
                pairs.push((name, v));
            }
        }
        Ok(pairs)
    }
}

/// One operation: what [`Config::request`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Its name in the JS API (`"conversations.items.list"` is `client.conversations.items.list`).
    pub name: &'static str,
    /// The method.
    pub method: Method,
    /// The path after the base URL; `{id}` and `{item_id}` take the ids, in order.
    pub path: &'static str,
    /// The query parameters it takes.
    pub query: &'static [Field],
    /// Its body.
    pub body: Body,
    /// Its answer (for a stream and `parse()`, what the params ask for decides the flag).
    pub answer: Answer,
}

const RESPONSE: Answer = Answer::Json { output_text: true };
const JSON: Answer = Answer::Json { output_text: false };
const STREAM: Answer = Answer::Stream { background: false };
const LIST: &[Field] = &[Field::After, Field::Limit(100), Field::Order, Field::Include];
const INCLUDE: &[Field] = &[Field::Include];
const NONE: &[Field] = &[];

/// The table: `Operation = "name", method, "path", query, body, answer;` — one row per endpoint.
macro_rules! operations {
    ($($op:ident = $name:literal, $method:ident, $path:literal, $query:expr, $body:ident, $answer:expr;)*) => {
        /// An operation of the API: one row of the table ([`Operation::row`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation {
            $(#[doc = concat!("`", stringify!($method), " /", $path, "` (`", $name, "`)")] $op,)*
        }

        impl Operation {
            /// Every operation, in the table's order.
            pub const ALL: &'static [Operation] = &[$(Operation::$op),*];

            /// Its row of the table.
            pub const fn row(self) -> Row {
                // the rows as data, not as a match building each one: the index is the
                // variant's, in bounds by construction
                const ROWS: &[Row] = &[$(Row {
                    name: $name,
                    method: Method::$method,
                    path: $path,
                    query: $query,
                    body: Body::$body,
                    answer: $answer,
                },)*];
                #[allow(clippy::indexing_slicing)]
                ROWS[self as usize]
            }
        }
    };
}

operations! {
    Create = "create", Post, "responses", NONE, Params, RESPONSE;
    Stream = "stream", Post, "responses", NONE, Params, STREAM;
    Parse = "parse", Post, "responses", NONE, Params, Answer::Parsed { json_schema: false };
    Retrieve = "retrieve", Get, "responses/{id}", INCLUDE, None, RESPONSE;
    RetrieveStream = "retrieveStream", Get, "responses/{id}", &[Field::Stream, Field::StartingAfter, Field::Include],
        None, Answer::Stream { background: true };
    Cancel = "cancel", Post, "responses/{id}/cancel", NONE, None, RESPONSE;
    Delete = "delete", Delete, "responses/{id}", NONE, None, JSON;
    InputItems = "inputItems", Get, "responses/{id}/input_items", LIST, None, JSON;
    Compact = "compact", Post, "responses/compact", NONE, Object, JSON;
    CountInputTokens = "countInputTokens", Post, "responses/input_tokens", NONE, Object, JSON;
    ConversationCreate = "conversations.create", Post, "conversations", NONE, OptionalObject, JSON;
    ConversationRetrieve = "conversations.retrieve", Get, "conversations/{id}", NONE, None, JSON;
    ConversationUpdate = "conversations.update", Post, "conversations/{id}", NONE, Object, JSON;
    ConversationDelete = "conversations.delete", Delete, "conversations/{id}", NONE, None, JSON;
    ConversationItemsCreate = "conversations.items.create", Post, "conversations/{id}/items", INCLUDE, Object, JSON;
    ConversationItemsList = "conversations.items.list", Get, "conversations/{id}/items", LIST, None, JSON;
    ConversationItemRetrieve = "conversations.items.retrieve", Get, "conversations/{id}/items/{item_id}", INCLUDE,
        None, JSON;
    ConversationItemDelete = "conversations.items.delete", Delete, "conversations/{id}/items/{item_id}", NONE, None,
        JSON;
    FileCreate = "files.create", Post, "files", NONE, Form, JSON;
    FileList = "files.list", Get, "files", &[Field::Purpose, Field::Limit(10_000), Field::After, Field::Order], None,
        JSON;
    FileRetrieve = "files.retrieve", Get, "files/{id}", NONE, None, JSON;
    FileDelete = "files.delete", Delete, "files/{id}", NONE, None, JSON;
    FileContent = "files.content", Get, "files/{id}/content", NONE, None, Answer::Raw;
}

impl Row {
    /// Whether the JS method throws a wrong option type (a `TypeError`) when called rather than
    /// rejecting its Promise: the list and conversation-item methods (those that take `include[]`
    /// and answer plain JSON) check their options at once.
    pub fn throws_type_errors(&self) -> bool {
        self.query.contains(&Field::Include) && self.answer == JSON
    }
}

impl Operation {
    /// The operation of this name ([`Row::name`]).
    pub fn named(name: &str) -> Option<Operation> {
        Operation::ALL.iter().find(|op| op.row().name == name).copied()
    }
}

impl Config {
    /// The request of `op`: `ids` fill the path's `{…}` segments in order (each checked with
    /// `check_id` and percent-encoded as one segment), `query` gives the
    /// parameters its row takes, `body` the params as JSON text (a form's fields for
    /// [`Body::Form`]; none is `null`), `extra` the caller's headers. Also whether the params
    /// ask for a structured output (a `json_schema` format: a stream follows its partial JSON,
    /// see [`crate::structured`]). Its errors quote what was wrong: they leave with the key
    /// redacted, as every error of a call does.
    pub fn request(
        &self,
        op: Operation,
        ids: &[&str],
        query: &Query,
        body: Option<&str>,
        extra: &[(String, String)],
    ) -> Result<(HttpRequest, bool), Error> {
        self.build(op, ids, query, body, extra).map_err(|e| e.redacted(self.redactor.as_deref()))
    }

    fn build(
        &self,
        op: Operation,
        ids: &[&str],
        query: &Query,
        body: Option<&str>,
        extra: &[(String, String)],
    ) -> Result<(HttpRequest, bool), Error> {
        let row = op.row();
        let mut url = self.base_url.clone();
        let mut ids = ids.iter();
        for segment in row.path.split('/') {
            url.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix("}")) {
                Some(param) => {
                    let id = ids.next().copied().unwrap_or_default();
                    check_id(param, id)?;
                    push_encoded(&mut url, id);
                }
                None => url.push_str(segment),
            }
        }
        push_query(&mut url, &query.pairs(row.query)?);
        let (mut answer, mut json_schema) = (row.answer, false);
        let text = body.unwrap_or("null");
        let body = match row.body {
            Body::None => None,
            Body::Params => {
                let p = request::prepare_full(text, matches!(answer, Answer::Stream { .. }))?;
                json_schema = p.json_schema;
                answer = match answer {
                    Answer::Stream { .. } => Answer::Stream { background: p.background },
                    Answer::Parsed { .. } => Answer::Parsed { json_schema },
                    other => other,
                };
                Some(p.body)
            }
            Body::Object => Some(json_object("params", text)?),
            Body::OptionalObject => Some(json_object("params", body.unwrap_or("{}"))?),
            Body::Form => {
                let fields = crate::event::lenient::parse_value(text).unwrap_or_default();
                if fields.get("purpose").and_then(Value::as_str).unwrap_or_default().is_empty() {
                    return Err(Error::validation("purpose", "purpose must be a non-empty string"));
                }
                None
            }
        };
        // `accept`, `content-type` (with a body), `authorization` (with a key), then the client's
        // headers, then the call's own (later ones win; `caller_headers` reads this layout).
        let accept = match answer {
            Answer::Stream { .. } => "text/event-stream",
            Answer::Raw => "*/*",
            _ => "application/json",
        };
        let mut headers = vec![("accept".to_owned(), accept.to_owned())];
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        if let Some(key) = &self.api_key {
            headers.push(super::authorization(key));
        }
        // A multipart form's content type (with its boundary) is the platform's to set: one the
        // client or the call gives would replace it, and the server could not read the parts (a
        // form is never resumed: `caller_headers` never reads its layout).
        let form = matches!(row.body, Body::Form);
        for (k, v) in self.headers.iter().chain(extra) {
            let k = k.to_ascii_lowercase();
            if !(form && k == "content-type") {
                headers.push((k, v.clone()));
            }
        }
        Ok((HttpRequest { method: row.method, url, headers, body, answer }, json_schema))
    }

    /// The headers the caller added to `request` (one this config built), whatever their names:
    /// those after `accept`, `content-type` (with a body), `authorization` (with a key) and the
    /// client's, as [`build`](Self::build) lays them out.
    pub(crate) fn caller_headers<'r>(&self, request: &'r HttpRequest) -> &'r [(String, String)] {
        let ours = 1 + usize::from(request.body.is_some()) + usize::from(self.api_key.is_some()) + self.headers.len();
        request.headers.get(ours..).unwrap_or_default()
    }

    /// `GET /responses/{id}?stream=true[&starting_after=N]`: the request that resumes a
    /// background response's stream after sequence number N.
    pub fn retrieve_stream(
        &self,
        id: &str,
        starting_after: Option<u64>,
        extra: &[(String, String)],
    ) -> Result<HttpRequest, Error> {
        let query = Query { starting_after, ..Query::NONE };
        self.request(Operation::RetrieveStream, &[id], &query, None, extra).map(|(request, _)| request)
    }
}
