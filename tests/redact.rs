#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! Redaction (src/redact.rs): the key whole, without its prefix and cut; short keys; a stream
//! cut anywhere; key shapes; every text field of an error.

use std::borrow::Cow;

use cometapi_responses::error::{ApiError, Error};
use cometapi_responses::redact::{redact_key_shapes, RedactStream, Redactor};

const KEY: &str = "sk-proj-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0Ya";

/// (a text, what the redactor of `KEY` makes of it): the key whole, without its prefix, cut,
/// a run of it of at least 10 bytes; adjacent runs are one; shorter runs are left alone.
fn cases() -> Vec<(String, &'static str)> {
    vec![
        (format!("Incorrect API key provided: {KEY}."), "Incorrect API key provided: [redacted]."),
        (format!("key={}", &KEY[3..]), "key=[redacted]"),
        (format!("a {} b {} c", &KEY[..14], &KEY[20..32]), "a [redacted] b [redacted] c"),
        (KEY[5..16].to_owned(), "[redacted]"),
        (format!("{KEY}{KEY}"), "[redacted]"),
        (format!("x{}🙂{}y", &KEY[..20], &KEY[20..]), "x[redacted]🙂[redacted]y"),
        (format!("{}{}", &KEY[5..], &KEY[..5]), "[redacted]sk-pr"),
        (format!("日本語{KEY}🙂"), "日本語[redacted]🙂"),
        (format!("{} and {}", &KEY[..9], &KEY[10..19]), "sk-proj-X and 7Lm2Vn9Rt"),
        ("nothing to see here, nothing at all".to_owned(), "nothing to see here, nothing at all"),
    ]
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
fn a_text_whole_and_streamed_cut_anywhere() {
    let r = Redactor::new(KEY).unwrap();
    for (text, want) in cases() {
        let whole = r.redact(&text);
        assert_eq!((&*whole, matches!(whole, Cow::Borrowed(_))), (want, text == want), "{text}");
        assert_eq!(r.matches(&text), text != want, "{text}");
        for a in 0..=text.len() {
            for b in [a, (a + 1).min(text.len()), (a + 13).min(text.len())] {
                let out = String::from_utf8(streamed(&r, text.as_bytes(), a, b, 1)).unwrap();
                assert_eq!(out, want, "{text} cut at {a}, {b}");
            }
        }
    }
    // What each push passes on: text at once, a run of the key only when it is over.
    let mut s = RedactStream::new(1);
    assert_eq!(s.push(&r, format!("x {}", &KEY[..12]).as_bytes()), b"x [redacted]");
    assert_eq!(s.push(&r, &KEY.as_bytes()[12..20]), b"");
    assert_eq!(s.push(&r, b"\n"), b"\n");
    // Holding four bytes: text passes on, and three bytes of the key at most.
    let mut s = RedactStream::new(4);
    assert_eq!(s.push(&r, b"the stream"), b"the stream");
    let out: Vec<u8> = KEY.as_bytes().chunks(2).flat_map(|c| s.push(&r, c)).collect();
    assert_eq!(out, b"sk[redacted]");
}

#[test]
fn random_texts_of_key_runs_streamed_in_random_chunks_redact_as_whole() {
    let r = Redactor::new(KEY).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..2000 {
        // runs of the key (some shorter than a fragment, some adjacent) between plain text
        let mut text = Vec::new();
        for _ in 0..1 + next(6) {
            let (a, len) = (next(KEY.len()), 1 + next(KEY.len()));
            text.extend_from_slice(&KEY.as_bytes()[a..(a + len).min(KEY.len())]);
            text.extend_from_slice(&b"  xq7L-"[..next(7)]);
        }
        let want = r.redact(std::str::from_utf8(&text).unwrap()).into_owned();
        let mut s = RedactStream::new(1);
        let (mut out, mut at) = (Vec::new(), 0);
        while at < text.len() {
            let end = (at + 1 + next(12)).min(text.len());
            out.extend(s.push(&r, &text[at..end]));
            at = end;
        }
        out.extend(s.finish(&r));
        assert_eq!(String::from_utf8(out).unwrap(), want, "{}", String::from_utf8_lossy(&text));
    }
}

#[test]
fn short_keys_and_key_shapes() {
    assert!(Redactor::new("sk-short").is_none());
    let short = Redactor::any("sk-short").unwrap();
    assert_eq!(short.redact("a sk-short b sk-shor"), "a [redacted] b sk-shor");
    assert!(Redactor::any("").is_none());
    // Key shapes are masked at the start of a word only.
    for (text, want) in [
        ("token sk-abcd1234 quoted", "token [redacted] quoted"),
        ("sk-proj-****wxyz, (sk-a.b_c)", "[redacted], ([redacted])"),
        ("über sk-abcd", "über [redacted]"),
        ("task-abcd1234", "task-abcd1234"),
        ("sk-abc", "sk-abc"),
        ("sk-", "sk-"),
        ("disk-sk-ab", "disk-sk-ab"),
        ("nothing here", "nothing here"),
    ] {
        let got = redact_key_shapes(text);
        assert_eq!((&*got, matches!(got, Cow::Borrowed(_))), (want, text == want), "{text}");
    }
}

#[test]
fn redact_scrubs_every_text_field() {
    // Errors with the key or a piece of it (`k(a, b)` is KEY[a..b]) in every text they hold.
    let errors = |k: &dyn Fn(usize, usize) -> String| {
        let all = k(0, KEY.len());
        [
            Error::Api(Box::new(ApiError {
                status: Some(401),
                message: format!("Incorrect API key provided: {all}."),
                body: Some(format!(r#"{{"error":{{"message":"Incorrect API key provided: {all}."}}}}"#)),
                param: Some(k(3, KEY.len())),
                code: Some(format!("bad_{}", k(10, 22))),
                error_type: Some(k(20, 30)),
                request_id: Some(format!("req_{all}")),
                response: Some(format!("{{\"instructions\":\"{all}\"}}")),
            })),
            Error::Connection { message: format!("fetch failed: authorization: Bearer {all}") },
            Error::Stream { message: format!("not JSON: {all}"), response: Some(format!("{{\"k\":\"{all}\"}}")) },
            Error::Validation { param: k(3, 20), message: format!("bad {all}") },
            Error::OutputParse { message: format!("at {}", k(0, 12)), text: format!("[{all}]") },
        ]
    };
    let r = Redactor::new(KEY).unwrap();
    let mut leaky = errors(&|a, b| KEY[a..b].to_owned());
    leaky.iter_mut().for_each(|e| e.redact(&r));
    assert_eq!(leaky, errors(&|_, _| "[redacted]".to_owned()));
    assert_eq!(leaky[1].to_string(), "connection error: fetch failed: authorization: Bearer [redacted]");
}

/// `{:?}` (a log line, `dbg!`) of whatever holds the key prints neither it nor a header's value:
/// the configuration, a request, a call, a socket, a redactor and a redacting stream.
#[test]
fn debug_output_holds_no_key() {
    use std::rc::Rc;

    use cometapi_responses::call::{Call, Output, Overrides};
    use cometapi_responses::endpoint::{Config, Operation, Query};
    use cometapi_responses::socket::Socket;

    let headers = vec![("X-Proxy-Token".to_owned(), "tok-0123456789abcdef".to_owned())];
    let config = Config::new(Some("https://h/v1"), Some(KEY), headers.clone(), None, None).unwrap();
    let (req, json_schema) = config.request(Operation::Retrieve, &["resp_1"], &Query::NONE, None, &[]).unwrap();
    let redactor = Redactor::new(KEY).unwrap();
    // A stream that keeps the key it masked (to mask what goes on from it) and holds back a start of it.
    let mut stream = RedactStream::new(1);
    assert_eq!(stream.push(&redactor, KEY.as_bytes()), b"[redacted]");
    assert_eq!(stream.push(&redactor, format!(" {}", &KEY[..9]).as_bytes()), b" ");
    let call =
        Call::of(&Rc::new(config.clone()), (req.clone(), json_schema), Overrides::default(), Output::Values, None);
    let texts = [
        format!("{config:?}"),
        format!("{req:?}"),
        format!("{call:?}"),
        format!("{:?}", Socket::new(&config).unwrap()),
        format!("{redactor:?}"),
        format!("{stream:?}"),
    ];
    for text in texts {
        let as_bytes = format!("{:?}", &KEY.as_bytes()[3..9]);
        for secret in [&KEY[3..13], "0123456789abcdef", as_bytes.trim_matches(['[', ']'])] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // A key written into the base URL too: the configuration, a request and the socket redact it.
    let config = Config::new(Some(&format!("https://h/{KEY}/v1")), Some(KEY), headers, None, None).unwrap();
    let (req, _) = config.request(Operation::Retrieve, &["resp_1"], &Query::NONE, None, &[]).unwrap();
    for text in [format!("{config:?}"), format!("{req:?}"), format!("{:?}", Socket::new(&config).unwrap())] {
        assert!(!text.contains(&KEY[3..13]) && text.contains("://h/[redacted]/v1"), "{text}");
    }
    // A call in the middle of an error body, or of a stream's error event, that echoes the key;
    // a stream ended by such an event, or by malformed data that holds the key.
    let event = format!("data: {{\"type\":\"error\",\"error\":{{\"message\":\"Incorrect API key provided: {KEY}");
    let ended = format!("{event}\"}}}}\n\n");
    let cases = [(401, &event), (200, &event), (200, &ended), (200, &format!("data: {{bad {KEY}\n\n"))];
    for (status, chunk) in cases {
        let (req, json_schema) =
            config.request(Operation::Stream, &[], &Query::NONE, Some(r#"{"model":"m","input":"x"}"#), &[]).unwrap();
        let mut call = Call::of(
            &Rc::new(config.clone()),
            (req, json_schema),
            Overrides::default(),
            Output::Values,
            Redactor::new(KEY).map(Rc::new),
        );
        call.start(0.0, 0.0);
        call.on_headers(status, |_| None);
        call.on_chunk(chunk.as_bytes());
        let text = format!("{call:?}");
        let as_bytes = format!("{:?}", &KEY.as_bytes()[3..9]);
        assert!(!text.contains(&KEY[3..13]) && !text.contains(as_bytes.trim_matches(['[', ']'])), "{text}");
    }
    // What is not secret is still there to read.
    assert!(format!("{req:?}").contains("\"authorization\""));
    assert!(format!("{config:?}").contains("x-proxy-token"));
}

/// A refused base URL is quoted with its credentials, its query or fragment and anything shaped
/// like a key masked, whether or not the key is also given as `apiKey`.
#[test]
fn a_refused_base_url_is_quoted_without_what_may_be_a_secret() {
    use cometapi_responses::endpoint::Config;
    let secret = "sk-live-0123456789abcdefghijklmnopqrstuv";
    let plain = "c0ffee-0123456789abcdefghijklmnopq";
    for (bad, shown) in [
        (format!("https://{secret}@api.example.com/v1"), "https://[redacted]@api.example.com/v1"),
        (format!("https://user:{plain}@api.example.com/v1"), "https://[redacted]@api.example.com/v1"),
        (format!("https://api.example.com/v1?key={plain}"), "https://api.example.com/v1?[redacted]"),
        (format!("https://api.example.com/v1#{plain}"), "https://api.example.com/v1#[redacted]"),
        ("https://a@b/v1?x=@c".to_owned(), "https://[redacted]@b/[redacted]"),
        (format!("http://admin:{plain}?x@api.example.com/v1"), "http://[redacted]"),
        (format!("http://admin:{plain}#s@host/v1"), "http://[redacted]"),
        (secret.to_owned(), "[redacted]"),
        ("api.example.com/v1".to_owned(), "api.example.com/v1"),
        ("https://api.example.com/ v1".to_owned(), "https://api.example.com/ v1"),
    ] {
        for key in [None, Some(secret)] {
            let Err(Error::Validation { message, .. }) = Config::new(Some(&bad), key, vec![], None, None) else {
                panic!("{bad} passed");
            };
            assert!(message.ends_with(&format!("got {}", serde_json::to_string(shown).unwrap())), "{message}");
            assert!(!message.contains(plain) && !message.contains(&secret[3..]), "{message}");
        }
    }
}
