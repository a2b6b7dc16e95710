//! The errors for data that is not an event, and the short printable prefix of the data they
//! quote (never the whole payload).

use super::lenient::{JsonError, What};
use crate::error::Error;

/// The error for data that is not JSON, with where and what.
pub(super) fn malformed(data: &str, sse_name: &str, e: &JsonError) -> Error {
    let what = match e.what() {
        What::Eof => "truncated JSON",
        // Valid JSON that `JSON.parse` reads, but the reader stops at 128 levels of nesting.
        What::Depth => "JSON nested deeper than 128 arrays and objects",
        What::Syntax => "invalid JSON",
    };
    let name = sse_name_part(sse_name);
    Error::stream(format!(
        "malformed event{name}: {what} (line {}, column {}); data begins: {}",
        e.line(),
        e.column(),
        printable_prefix(data, 60)
    ))
}

/// The error for JSON that is not an object (an array, a string, a number, …).
pub(super) fn not_an_object(data: &str, sse_name: &str) -> Error {
    Error::stream(format!(
        "malformed event{}: JSON that is not an event object; data begins: {}",
        sse_name_part(sse_name),
        printable_prefix(data, 60)
    ))
}

/// The SSE event name for a message (nothing for the default `message`).
fn sse_name_part(sse_name: &str) -> String {
    if sse_name == "message" {
        String::new()
    } else {
        format!(" `{}`", printable_prefix(sse_name, 40))
    }
}

/// The first `max_chars` characters of `s` (whole UTF-8 characters, control characters as
/// spaces), with `…` when cut: a prefix safe to quote in a one-line message.
pub(crate) fn printable_prefix(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars.min(s.len()) + 3);
    let mut chars = s.chars();
    for c in chars.by_ref().take(max_chars) {
        out.push(if c.is_control() { ' ' } else { c });
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn printable_prefix_cuts_whole_characters_and_blanks_control_characters() {
        assert_eq!(printable_prefix("abc", 3), "abc");
        assert_eq!(printable_prefix("abcd", 3), "abc…");
        assert_eq!(printable_prefix("日本語", 2), "日本…");
        assert_eq!(printable_prefix("a\nb\tc\u{1}", 10), "a b c ");
        assert_eq!(printable_prefix("", 5), "");
    }

    #[test]
    fn a_message_sse_name_is_not_repeated() {
        let Error::Stream { message, .. } = not_an_object("[1]", "message") else { unreachable!() };
        assert_eq!(message, "malformed event: JSON that is not an event object; data begins: [1]");
        let Error::Stream { message, .. } = not_an_object("[1]", "delta") else { unreachable!() };
        assert!(message.starts_with("malformed event `delta`: "), "{message}");
    }
}
