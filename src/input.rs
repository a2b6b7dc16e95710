//! Attachments: what an image or a file given as bytes is, and the content parts that carry it
//! (`input_image`, `input_file`).
//!
//! The rules of the Rust API ([`image_part`], [`file_part`]); js/input.js (`inputImage` /
//! `inputFile`) follows the same ones, and tests/fixtures/attachments.json holds both to them:
//!
//! - the MIME type is the declared one (a `Blob`'s `type`, else the caller's `mimeType`), else
//!   sniffed from the first bytes ([`sniff`]: PNG, JPEG, GIF, WebP, PDF); an empty or
//!   `application/octet-stream` declaration says nothing and is sniffed past;
//! - an image must be `image/*`: a declared non-image type, or bytes that sniff as no image, is a
//!   [`Error::Validation`] naming `image`; any `image/*` type passes (the server judges it);
//! - a file's name is the declared one (a `File`'s `name`, else the caller's `filename`), else
//!   `file.<ext>` from its MIME type ([`extension`]); a file whose type is neither declared nor
//!   sniffed is `application/octet-stream`;
//! - more bytes than `max_bytes` ([`DEFAULT_MAX_BYTES`], 50 MiB) is a [`Error::Validation`],
//!   decided from the size alone, before anything is read.
//!
//! The payload itself is encoded where it lives: the npm package builds the `data:` URL in JS
//! (`Uint8Array.prototype.toBase64`, `Buffer`, or chunked `btoa`), so a 20 MB file never crosses
//! into wasm memory; [`base64`] serves the Rust API.

use serde_json::{Map, Value};

use crate::error::Error;

/// The default limit of an attachment's size in bytes (50 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 16;

/// The MIME type the first bytes of a file announce: PNG, JPEG, GIF, WebP or PDF; `None` otherwise.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 5] = [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
    ];
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP".as_slice()) {
        return Some("image/webp");
    }
    MAGIC.iter().find(|(magic, _)| head.starts_with(magic)).map(|&(_, mime)| mime)
}

/// The file name extension for a MIME type (`bin` for one this crate does not know).
pub fn extension(mime: &str) -> &'static str {
    let essence = mime.split(';').next().unwrap_or("").trim_ascii().to_ascii_lowercase();
    match essence.as_str() {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/markdown" => "md",
        "application/json" => "json",
        _ => "bin",
    }
}

/// Whether an attachment is an image (`input_image`) or a file (`input_file`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `input_image`: its MIME type must be `image/*`.
    Image,
    /// `input_file`: any MIME type; it has a filename.
    File,
}

impl Kind {
    /// The parameter a [`Error::Validation`] about this attachment names.
    pub fn param(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::File => "file",
        }
    }
}

/// What a caller knows about an attachment before its bytes are read.
#[derive(Debug, Clone, Default)]
pub struct Declared<'a> {
    /// The MIME type the source carries (a `Blob`'s `type`), if any.
    pub source_type: Option<&'a str>,
    /// The caller's `mimeType` option.
    pub mime_type: Option<&'a str>,
    /// The name the source carries (a `File`'s `name`), if any.
    pub source_name: Option<&'a str>,
    /// The caller's `filename` option.
    pub filename: Option<&'a str>,
}

/// The MIME type and (for files) the filename of an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The MIME type of the `data:` URL.
    pub mime: String,
    /// The filename (`None` for images).
    pub filename: Option<String>,
}

fn said(v: Option<&str>) -> Option<&str> {
    v.map(str::trim_ascii).filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("application/octet-stream"))
}

/// The MIME type and filename of an attachment of `size` bytes whose first bytes are `head`
/// (at least [`SNIFF_BYTES`] of them when it has that many), by the rules of this module.
pub fn attachment(
    kind: Kind,
    size: u64,
    max_bytes: u64,
    declared: &Declared,
    head: &[u8],
) -> Result<Attachment, Error> {
    if size > max_bytes {
        let what = kind.param();
        return Err(Error::validation(
            what,
            format!(
                "the {what} is {} bytes, more than maxBytes ({})",
                crate::error::dec(size),
                crate::error::dec(max_bytes)
            ),
        ));
    }
    let declared_mime = said(declared.source_type).or(said(declared.mime_type));
    let mime = match (kind, declared_mime) {
        (Kind::Image, Some(m)) if !m.to_ascii_lowercase().starts_with("image/") => {
            return Err(Error::validation("image", format!("'{m}' is not an image type")));
        }
        (_, Some(m)) => m.to_owned(),
        (Kind::Image, None) => match sniff(head) {
            Some(m) if m.starts_with("image/") => m.to_owned(),
            _ => {
                return Err(Error::validation(
                    "image",
                    "the bytes are not a PNG, JPEG, GIF or WebP image (give `mimeType` for another image type)",
                ))
            }
        },
        (Kind::File, None) => sniff(head).unwrap_or("application/octet-stream").to_owned(),
    };
    let filename = match kind {
        Kind::Image => None,
        Kind::File => {
            let name = [declared.source_name, declared.filename].into_iter().flatten().find(|n| !n.is_empty());
            Some(name.map_or_else(|| format!("file.{}", extension(&mime)), str::to_owned))
        }
    };
    Ok(Attachment { mime, filename })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4), in one pass.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let sym = |v: u32| char::from(ALPHABET.get((v & 63) as usize).copied().unwrap_or(b'A'));
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

/// An object of string fields, e.g. an input item. Built by insertion: `json!` with values
/// links serde_json's error `Debug` (its `unwrap`), `collect` a stable sort.
pub(crate) fn object(fields: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        m.insert((*k).to_owned(), Value::from(*v));
    }
    Value::Object(m)
}

/// The `data:` URL of bytes of a MIME type.
fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64(bytes))
}

/// An `input_image` content part of image bytes: `{ type, image_url: "data:…", detail }`
/// (`detail` defaults to `auto`; `mime_type` as the caller's `mimeType`).
pub fn image_part(bytes: &[u8], mime_type: Option<&str>, detail: Option<&str>) -> Result<Value, Error> {
    let declared = Declared { mime_type, ..Declared::default() };
    let a = attachment(Kind::Image, bytes.len() as u64, DEFAULT_MAX_BYTES, &declared, bytes)?;
    Ok(object(&[
        ("type", "input_image"),
        ("image_url", &data_url(&a.mime, bytes)),
        ("detail", detail.unwrap_or("auto")),
    ]))
}

/// An `input_file` content part of file bytes: `{ type, filename, file_data: "data:…" }`.
pub fn file_part(bytes: &[u8], mime_type: Option<&str>, filename: Option<&str>) -> Result<Value, Error> {
    let declared = Declared { mime_type, filename, ..Declared::default() };
    let a = attachment(Kind::File, bytes.len() as u64, DEFAULT_MAX_BYTES, &declared, bytes)?;
    let filename = a.filename.unwrap_or_default();
    Ok(object(&[("type", "input_file"), ("filename", &filename), ("file_data", &data_url(&a.mime, bytes))]))
}
