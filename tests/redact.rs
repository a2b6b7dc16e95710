#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Redaction (src/redact.rs): the key whole, without its prefix and cut; short keys; a stream
//! cut anywhere; key shapes; every text field of an error.

use std::borrow::Cow;

use cometapi_responses::error::{ApiError, Error};
use cometapi_responses::redact::{redact_key_shapes, RedactStream, Redactor};

const KEY: &str = "sk-proj-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0Ya";

#[test]
fn whole_key_prefixless_and_cut_fragments() {
    let r = Redactor::new(KEY).unwrap();
    assert_eq!(r.redact(&format!("Incorrect API key provided: {KEY}.")), "Incorrect API key provided: [redacted].");
    assert_eq!(r.redact(&format!("key={}", &KEY[3..])), "key=[redacted]");
    assert_eq!(r.redact(&format!("a {} b {} c", &KEY[..14], &KEY[20..32])), "a [redacted] b [redacted] c");
    assert_eq!(r.redact(&format!("{KEY}{KEY}")), "[redacted]", "adjacent runs are one");
    assert!(r.matches(&KEY[5..16]));
    assert!(!r.matches("nothing to see here, nothing at all"));
}

#[test]
fn short_runs_and_short_keys_are_left_alone() {
    let r = Redactor::new(KEY).unwrap();
    let t = format!("{} and {}", &KEY[..9], &KEY[10..19]);
    assert_eq!(r.redact(&t), t);
    assert!(matches!(r.redact("plain"), Cow::Borrowed(_)));
    assert!(Redactor::new("sk-short").is_none());
    let short = Redactor::any("sk-short").unwrap();
    assert_eq!(short.redact("a sk-short b sk-shor"), "a [redacted] b sk-shor");
    assert!(Redactor::any("").is_none());
}

/// `text` cut at `a` and `b`, streamed with `hold`.
fn streamed(r: &Redactor, text: &[u8], a: usize, b: usize, hold: usize) -> Vec<u8> {
    let mut s = RedactStream::new(hold);
    let mut out = s.push(r, &text[..a]);
    out.extend(s.push(r, &text[a..b]));
    out.extend(s.push(r, &text[b..]));
    out.extend(s.finish(r));
    out
}

#[test]
fn a_stream_gives_the_same_text_for_every_cut() {
    let r = Redactor::new(KEY).unwrap();
    for text in [
        format!("a {KEY} b"),
        format!("{KEY}{KEY}"),
        format!("x{}🙂{}y", &KEY[..20], &KEY[20..]),
        format!("{}{}", &KEY[5..], &KEY[..5]),
    ] {
        let whole = r.redact(&text).into_owned();
        for a in 0..=text.len() {
            for b in [a, (a + 1).min(text.len()), (a + 13).min(text.len())] {
                assert_eq!(
                    String::from_utf8(streamed(&r, text.as_bytes(), a, b, 1)).unwrap(),
                    whole,
                    "{text} cut at {a}, {b}"
                );
            }
        }
    }
    let mut s = RedactStream::new(1);
    assert_eq!(s.push(&r, format!("x {}", &KEY[..12]).as_bytes()), b"x [redacted]");
    assert_eq!(s.push(&r, &KEY.as_bytes()[12..20]), b"");
    assert_eq!(s.push(&r, b"\n"), b"\n");
}

#[test]
fn a_stream_holding_four_bytes_passes_text_on_and_three_bytes_of_the_key_at_most() {
    let r = Redactor::new(KEY).unwrap();
    let mut s = RedactStream::new(4);
    assert_eq!(s.push(&r, b"the stream"), b"the stream");
    let out: Vec<u8> = KEY.as_bytes().chunks(2).flat_map(|c| s.push(&r, c)).collect();
    assert_eq!(out, b"sk[redacted]");
}

#[test]
fn key_shapes_are_masked_at_the_start_of_a_word_only() {
    assert_eq!(redact_key_shapes("token sk-abcd1234 quoted"), "token [redacted] quoted");
    assert_eq!(redact_key_shapes("sk-proj-****wxyz, (sk-a.b_c)"), "[redacted], ([redacted])");
    assert_eq!(redact_key_shapes("über sk-abcd"), "über [redacted]");
    for plain in ["task-abcd1234", "sk-abc", "sk-", "disk-sk-ab", "nothing here"] {
        assert!(matches!(redact_key_shapes(plain), Cow::Borrowed(_)), "{plain}");
    }
}

#[test]
fn multibyte_text_around_the_key_survives() {
    let r = Redactor::new(KEY).unwrap();
    assert_eq!(r.redact(&format!("日本語{KEY}🙂")), "日本語[redacted]🙂");
}

#[test]
fn redact_scrubs_every_text_field() {
    let key = KEY;
    let r = Redactor::new(key).unwrap();
    let mut e = ApiError {
        status: Some(401),
        message: format!("Incorrect API key provided: {key}."),
        body: Some(format!(r#"{{"error":{{"message":"Incorrect API key provided: {key}."}}}}"#)),
        param: Some(key[3..].to_owned()),
        code: Some(format!("bad_{}", &key[10..22])),
        error_type: Some(key[20..30].to_owned()),
        request_id: Some(format!("req_{key}")),
        response: Some(format!("{{\"instructions\":\"{key}\"}}")),
    };
    e.redact(&r);
    assert_eq!(e.request_id.as_deref(), Some("req_[redacted]"));
    assert_eq!(e.code.as_deref(), Some("bad_[redacted]"));
    assert_eq!(e.error_type.as_deref(), Some("[redacted]"));
    assert_eq!(e.response.as_deref(), Some("{\"instructions\":\"[redacted]\"}"));
    assert_eq!(e.message, "Incorrect API key provided: [redacted].");
    assert_eq!(e.body.as_deref(), Some(r#"{"error":{"message":"Incorrect API key provided: [redacted]."}}"#));
    assert_eq!(e.param.as_deref(), Some("[redacted]"));
    let mut c = Error::Connection { message: format!("fetch failed: authorization: Bearer {key}") };
    c.redact(&r);
    assert_eq!(c.to_string(), "connection error: fetch failed: authorization: Bearer [redacted]");
    let mut s = Error::Stream { message: format!("not JSON: {key}"), response: Some(format!("{{\"k\":\"{key}\"}}")) };
    s.redact(&r);
    assert_eq!(
        s,
        Error::Stream { message: "not JSON: [redacted]".into(), response: Some("{\"k\":\"[redacted]\"}".into()) }
    );
}
