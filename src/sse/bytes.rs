//! Byte-level helpers of the parser: the line-end search, lossy UTF-8 decoding, `retry`
//! values, and fallible buffer growth.

use super::{SseError, RETAIN_CAPACITY};

/// Room for `more` bytes in `buf`, allocated fallibly.
pub(super) fn reserve(buf: &mut Vec<u8>, more: usize) -> Result<(), SseError> {
    buf.try_reserve(more).map_err(|_| SseError::OutOfMemory { bytes: more })
}

/// Drops a line buffer that grew past [`RETAIN_CAPACITY`] (called when it is empty).
#[inline]
pub(super) fn shrink(buf: &mut Vec<u8>) {
    if buf.capacity() > RETAIN_CAPACITY {
        *buf = Vec::new();
    }
}

/// Appends `bytes` decoded as UTF-8 with replacement: each maximal invalid subpart becomes one
/// U+FFFD, as the WHATWG UTF-8 decoder does (`String::from_utf8_lossy`). Valid UTF-8, the usual
/// case, is checked by `from_utf8` (word at a time) and copied with no intermediate allocation.
/// (std's `String::from_utf8_lossy` links its own decoder, ~1 KB of wasm; `from_utf8`'s
/// `error_len` gives the same maximal subparts.)
#[inline]
pub(crate) fn push_lossy(dst: &mut String, mut bytes: &[u8]) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => return dst.push_str(s),
            Err(e) => {
                // (`valid_up_to` is in bounds: checked, not `split_at`, which panics with a location.)
                let (valid, rest) = bytes.split_at_checked(e.valid_up_to()).unwrap_or((bytes, &[]));
                dst.push_str(std::str::from_utf8(valid).unwrap_or_default());
                dst.push('\u{FFFD}');
                bytes = rest.get(e.error_len().map_or(rest.len(), usize::from)..).unwrap_or_default();
            }
        }
    }
}

/// A body's text as fetch's `text()` and `json()` read it: one leading BOM dropped, the rest
/// decoded as [`push_lossy`] decodes it.
pub(crate) fn body_text(bytes: &[u8]) -> String {
    let mut s = String::new();
    push_lossy(&mut s, bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    s
}

/// A `retry` value: one or more ASCII digits, base ten, that fits in a `u64`.
pub(super) fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Index of the first CR or LF in `hay`.
///
/// Word-at-a-time (SWAR) search, eight bytes per step, with no dependency and no `unsafe`. For
/// each word `w`, `x = w ^ repeat(c)` has a zero byte where `w` has byte `c`, and
/// `(x - 0x01…01) & !x & 0x80…80` is non-zero iff `x` has a zero byte; its lowest set bit is in
/// the lowest such byte (borrows only run upwards from a zero byte), which is all we need with a
/// little-endian load.
#[inline]
pub(super) fn find_line_end(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const CR: u64 = LO * b'\r' as u64;
    const LF: u64 = LO * b'\n' as u64;
    #[inline(always)]
    fn zero_byte_mask(x: u64) -> u64 {
        x.wrapping_sub(LO) & !x & HI
    }

    let mut words = hay.chunks_exact(8);
    let mut offset = 0usize;
    for word in &mut words {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let mask = zero_byte_mask(w ^ CR) | zero_byte_mask(w ^ LF);
        if mask != 0 {
            return Some(offset + (mask.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words.remainder().iter().position(|&b| b == b'\r' || b == b'\n').map(|p| offset + p)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn find_line_end_matches_naive_search() {
        let naive = |h: &[u8]| h.iter().position(|&b| b == b'\r' || b == b'\n');
        // Every position and neighbour byte that could confuse the borrow trick.
        for len in 0..40 {
            for pos in 0..=len {
                for &eol in b"\r\n" {
                    for &fill in &[b'a', 0x0B, 0x0C, 0x0E, 0x09, 0x00, 0x01, 0x8D, 0x8A, 0xFF] {
                        let mut hay = vec![fill; len];
                        if let Some(b) = hay.get_mut(pos) {
                            *b = eol;
                        }
                        assert_eq!(find_line_end(&hay), naive(&hay), "{hay:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn find_line_end_finds_first_of_several() {
        let hay = b"0123456789ab\ncd\r\nef";
        assert_eq!(find_line_end(hay), Some(12));
        assert_eq!(find_line_end(b"\x0b\x0c\x0d\x0a"), Some(2));
        assert_eq!(find_line_end(b"abcdefg\x0b\x0c\x0a"), Some(9));
    }

    #[test]
    fn push_lossy_matches_std() {
        let cases: &[&[u8]] = &[
            b"plain",
            "é日本😀".as_bytes(),
            b"\xEF\xBB",
            b"a\xF0\x9F\x98b",
            b"\xC0\x80\xED\xA0\x80\xFF\xF4\x90\x80\x80",
            b"\xE2\x82",
        ];
        for bytes in cases {
            let mut s = String::from("x");
            push_lossy(&mut s, bytes);
            assert_eq!(s, format!("x{}", String::from_utf8_lossy(bytes)));
        }
        // Every sequence of up to 4 bytes from the boundaries of the UTF-8 ranges.
        let edges = [
            0x00u8, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4,
            0xF5, 0xFF,
        ];
        let mut seqs: Vec<Vec<u8>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> =
                seqs.iter().flat_map(|s| edges.iter().map(move |&b| [s.as_slice(), &[b]].concat())).collect();
            for bytes in &longer {
                let mut s = String::new();
                push_lossy(&mut s, bytes);
                assert_eq!(s, String::from_utf8_lossy(bytes), "{bytes:x?}");
            }
            seqs = longer;
        }
        // A body's text: one leading BOM dropped, as fetch drops it; a second one kept.
        assert_eq!(body_text(b"\xEF\xBB\xBF\xEF\xBB\xBFa\xFF"), "\u{FEFF}a\u{FFFD}");
    }

    #[test]
    fn parse_retry_rules() {
        assert_eq!(parse_retry(b"0"), Some(0));
        assert_eq!(parse_retry(b"0042"), Some(42));
        assert_eq!(parse_retry(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_retry(b"18446744073709551616"), None);
        assert_eq!(parse_retry(b""), None);
        assert_eq!(parse_retry(b" 1"), None);
        assert_eq!(parse_retry(b"1.5"), None);
        assert_eq!(parse_retry(b"-1"), None);
        assert_eq!(parse_retry("١".as_bytes()), None); // not ASCII
    }
}
