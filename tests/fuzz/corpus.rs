//! The seed corpus: the recorded streams of real servers (`../shared/fixtures/recorded`, read
//! from there, never copied) and the repository's own SSE fixtures, as bytes and as events.

use cometapi_responses::event::EventKind;
use cometapi_responses::sse::{self, Event};

use crate::recordings;

pub struct Stream {
    pub bytes: Vec<u8>,
    pub events: Vec<Event>,
}

pub struct Corpus {
    pub streams: Vec<Stream>,
    /// Every event type string seen, plus every named kind.
    pub types: Vec<String>,
}

impl Corpus {
    pub fn load() -> Corpus {
        let mut files = recordings::shared(recordings::RECORDED).unwrap_or_default();
        files.extend(recordings::sse_files(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sse")));
        files.extend(recordings::sse_files(recordings::SYNTHETIC));
        assert!(!files.is_empty(), "no SSE fixtures found");
        let mut streams = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let events = sse::parse_all(&bytes).unwrap_or_default();
            streams.push(Stream { bytes, events });
        }
        let mut types: Vec<String> = EventKind::ALL.iter().filter_map(|k| k.as_str()).map(String::from).collect();
        for s in &streams {
            for e in &s.events {
                if let Some(t) = type_of(&e.data) {
                    if !types.iter().any(|x| x == t) {
                        types.push(t.to_owned());
                    }
                }
            }
        }
        Corpus { streams, types }
    }
}

/// The value of the first `"type":"…"` in a data text (no escapes), if any.
pub fn type_of(data: &str) -> Option<&str> {
    let start = data.find("\"type\":\"")? + 8;
    let len = data.get(start..)?.find('"')?;
    data.get(start..start + len)
}
