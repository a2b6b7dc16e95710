//! Fixture folders shared by the Rust test crates (`#[path = "common/recordings.rs"] mod recordings;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Third-party recordings, read in place (never copied into this repository).
pub const RECORDED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/recorded");
pub const BRIDGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/bridges");
/// Synthetic Responses streams of our own, each with a `.expected.json`.
pub const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");

/// The `.sse` files of `dir`, sorted.
pub fn sse_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let dir = dir.as_ref();
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> =
        rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|ext| ext == "sse")).collect();
    files.sort();
    files
}

/// The `.sse` files of a shared folder (`RECORDED`, `BRIDGES`); `None` (the test prints SKIPPED)
/// when it is absent, which fails under `CI=true`.
pub fn shared(dir: &str) -> Option<Vec<PathBuf>> {
    if !Path::new(dir).is_dir() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true, but there are no fixtures at {dir}");
        eprintln!("SKIPPED: no fixtures at {dir} (shared third-party recordings, not part of this repository)");
        return None;
    }
    let files = sse_files(dir);
    assert!(!files.is_empty(), "no .sse files in {dir}");
    Some(files)
}

/// The recording `file` of `RECORDED`; `None` (SKIPPED) when it is absent, which fails under `CI=true`.
pub fn recorded(file: &str) -> Option<PathBuf> {
    let found = shared(RECORDED)?.into_iter().find(|p| name(p) == file);
    if found.is_none() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true, but {file} is missing");
        eprintln!("SKIPPED: {file} not found (the shared third-party recordings are not part of this repository)");
    }
    found
}

/// The decoded events of the stream at `p` (`[DONE]` left out).
pub fn events(p: &Path) -> Vec<cometapi_responses::event::ResponseEvent> {
    let events = cometapi_responses::sse::parse_all(&std::fs::read(p).expect("fixture readable")).expect("SSE parses");
    events.iter().filter_map(|e| cometapi_responses::event::decode(e).expect("event decodes")).collect()
}

/// The file name of `p`.
pub fn name(p: &Path) -> String {
    p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}
