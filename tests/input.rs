#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! The attachment rules (`src/input.rs`): the shared table of tests/fixtures/attachments.json
//! (js/input.js is tested against the same table), base64 against known vectors and a decoder,
//! and the content parts of the Rust API.

use cometapi_responses::error::Error;
use cometapi_responses::input::{attachment, base64, file_part, image_part, sniff, Declared, Kind, DEFAULT_MAX_BYTES};
use serde_json::{json, Value};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn the_shared_table() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attachments.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let head = hex(case["head"].as_str().unwrap());
        let kind = if case["kind"] == "image" { Kind::Image } else { Kind::File };
        let declared = Declared {
            source_type: case["sourceType"].as_str(),
            mime_type: case["mimeType"].as_str(),
            source_name: case["sourceName"].as_str(),
            filename: case["filename"].as_str(),
        };
        let max = case["maxBytes"].as_u64().unwrap_or(DEFAULT_MAX_BYTES);
        let got = attachment(kind, head.len() as u64, max, &declared, &head);
        let expect = &case["expect"];
        match (got, expect["error"].as_str()) {
            (Err(Error::Validation { param, .. }), Some(p)) => assert_eq!(param, p, "{case}"),
            (Ok(a), None) => {
                assert_eq!(a.mime, expect["mime"].as_str().unwrap(), "{case}");
                assert_eq!(a.filename.as_deref(), expect["filename"].as_str(), "{case}");
            }
            (other, _) => panic!("{case}: {other:?}"),
        }
    }
}

#[test]
fn the_size_is_checked_before_the_bytes() {
    // 60 MiB declared, no bytes read: refused from the size alone.
    let r = attachment(Kind::File, 60 << 20, DEFAULT_MAX_BYTES, &Declared::default(), &[]);
    assert!(matches!(r, Err(Error::Validation { ref param, .. }) if param == "file"));
    assert!(attachment(Kind::File, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES, &Declared::default(), &[]).is_ok());
}

fn decode(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let val = |c: &u8| alphabet.iter().position(|a| a == c).unwrap_or_else(|| panic!("not base64: {c}")) as u32;
    let mut out = Vec::new();
    for q in s.as_bytes().chunks(4) {
        let pad = q.iter().filter(|c| **c == b'=').count();
        let n = q.iter().take(4 - pad).enumerate().fold(0u32, |n, (i, c)| n | (val(c) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    out
}

#[test]
fn base64_is_exact() {
    for (input, expect) in
        [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
    {
        assert_eq!(base64(input.as_bytes()), expect);
    }
    let all: Vec<u8> = (0..=255u8).cycle().take(100_003).collect();
    for n in [0, 1, 2, 3, 255, 256, 257, 100_003] {
        assert_eq!(decode(&base64(&all[..n])), &all[..n], "{n} bytes");
    }
}

#[test]
fn content_parts() {
    let png = hex("89504e470d0a1a0a0000000d49484452");
    let part = image_part(&png, None, None).unwrap();
    assert_eq!(part["type"], "input_image");
    assert_eq!(part["detail"], "auto");
    let url = part["image_url"].as_str().unwrap();
    assert_eq!(decode(url.strip_prefix("data:image/png;base64,").unwrap()), png);
    assert_eq!(image_part(&png, None, Some("low")).unwrap()["detail"], "low");
    assert!(matches!(image_part(b"hello", None, None), Err(Error::Validation { ref param, .. }) if param == "image"));
    let pdf = b"%PDF-1.7\n".to_vec();
    let want =
        json!({"type": "input_file", "filename": "file.pdf", "file_data": "data:application/pdf;base64,JVBERi0xLjcK"});
    assert_eq!(file_part(&pdf, None, None).unwrap(), want);
    assert_eq!(file_part(&pdf, None, Some("a.pdf")).unwrap()["filename"], "a.pdf");
    assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
}
