#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! The table of operations (src/endpoint/): URLs, headers and bodies, ids that would name another
//! path, operation names, base URLs and list queries.

use cometapi_responses::endpoint::{Answer, Config, HttpRequest, Method, Operation, Query};
use cometapi_responses::error::Error;

fn config() -> Config {
    Config::new(Some("https://x/v1/"), Some("sk-1"), vec![("X-A".into(), "1".into())], None, None).unwrap()
}

fn request(c: &Config, op: Operation, ids: &[&str], query: &Query, body: Option<&str>) -> Result<HttpRequest, Error> {
    c.request(op, ids, query, body, &[]).map(|(r, _)| r)
}

#[test]
fn urls_headers_and_bodies() {
    let c = config();
    let r = request(&c, Operation::Retrieve, &["resp_1/../a b"], &Query::NONE, None).unwrap();
    assert_eq!(r.url, "https://x/v1/responses/resp_1%2F..%2Fa%20b");
    assert_eq!(r.method, Method::Get);
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["accept", "authorization", "x-a"]);
    let s = c.retrieve_stream("r", Some(3), &[("X-B".into(), "2".into())]).unwrap();
    assert_eq!(s.url, "https://x/v1/responses/r?stream=true&starting_after=3");
    assert_eq!(s.headers.last(), Some(&("x-b".to_owned(), "2".to_owned())));
    assert_eq!(s.answer, Answer::Stream { background: true });
    let q = Query {
        after: Some("m 1".into()),
        limit: Some(5),
        order: Some("asc".into()),
        include: vec!["a.b".into()],
        ..Query::NONE
    };
    let l = request(&c, Operation::ConversationItemsList, &["conv_1"], &q, None).unwrap();
    assert_eq!(l.url, "https://x/v1/conversations/conv_1/items?after=m%201&limit=5&order=asc&include%5B%5D=a.b");
    let d = request(&c, Operation::ConversationItemDelete, &["conv_1", "msg/1"], &Query::NONE, None).unwrap();
    assert_eq!((d.method, d.url.as_str()), (Method::Delete, "https://x/v1/conversations/conv_1/items/msg%2F1"));
    let p = request(&c, Operation::Compact, &[], &Query::NONE, Some(r#"{"model":"m","input":"x"}"#)).unwrap();
    assert_eq!(p.body.as_deref(), Some(r#"{"model":"m","input":"x"}"#));
    assert_eq!(p.url, "https://x/v1/responses/compact");
}

#[test]
fn ids_that_name_another_path_are_refused() {
    let c = config();
    let none = &Query::NONE;
    for id in ["", ".", ".."] {
        assert!(
            matches!(request(&c, Operation::Retrieve, &[id], none, None), Err(Error::Validation { ref param, .. }) if param == "id")
        );
        assert!(
            matches!(request(&c, Operation::ConversationItemDelete, &["c", id], none, None), Err(Error::Validation { ref param, .. }) if param == "item_id")
        );
    }
    assert!(request(&c, Operation::Retrieve, &["..."], none, None).is_ok());
}

#[test]
fn every_operation_has_a_unique_name() {
    for op in Operation::ALL {
        assert_eq!(Operation::named(op.row().name), Some(*op));
    }
    assert_eq!(Operation::named("nope"), None);
}

#[test]
fn base_urls() {
    for ok in ["https://api.cometapi.com/v1", "http://127.0.0.1:8080/v1/", "https://h"] {
        assert!(Config::new(Some(ok), None, vec![], None, None).is_ok(), "{ok}");
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
            matches!(Config::new(Some(bad), None, vec![], None, None), Err(Error::Validation { ref param, .. }) if param == "baseURL"),
            "{bad}"
        );
    }
}

#[test]
fn list_query_rules() {
    let c = config();
    let bad = Query { limit: Some(0), ..Query::NONE };
    assert!(
        matches!(request(&c, Operation::InputItems, &["r"], &bad, None), Err(Error::Validation { ref param, .. }) if param == "limit")
    );
    let bad = Query { order: Some("up".into()), ..Query::NONE };
    assert!(
        matches!(request(&c, Operation::InputItems, &["r"], &bad, None), Err(Error::Validation { ref param, .. }) if param == "order")
    );
}
