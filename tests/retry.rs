#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! The retry policy (src/retry/): pure functions, no clocks, no sleeping; `decide` puts
//! together what the call machine asks of it after a failed attempt.

use cometapi_responses::test_support::retry::{
    backoff_ms, delay_ms, parse_http_date, should_retry, Failure, RetryHeaders,
};
use Failure::{Connection, Status, Timeout};

/// As the call machine decides after a failed attempt, `attempt` retries done, at most
/// `max`: the delay of the next attempt, or `None` to give up.
fn decide(failure: Failure, h: &RetryHeaders<'_>, attempt: u32, max: u32, now: f64, random01: f64) -> Option<u64> {
    (attempt < max && should_retry(failure, h)).then(|| delay_ms(h, attempt, now, random01) as u64)
}

const NOW: f64 = 1_700_000_000_000.0; // 2023-11-14T22:13:20Z

/// `retry-after-ms`, `retry-after`, `x-should-retry`.
fn headers([retry_after_ms, retry_after, should_retry]: [Option<&str>; 3]) -> RetryHeaders<'_> {
    RetryHeaders { retry_after_ms, retry_after, should_retry }
}

/// No jitter (random01 = 0), retries left: the plain backoff or the server's delay.
fn plain(failure: Failure, h: [Option<&str>; 3], attempt: u32) -> Option<u64> {
    decide(failure, &headers(h), attempt, 10, NOW, 0.0)
}

#[test]
fn retryable_and_other_statuses() {
    for s in [408, 409, 429, 500, 502, 503, 504, 520, 599] {
        assert_eq!(plain(Status(s), [None; 3], 0), Some(500), "{s}");
    }
    for s in [0, 200, 301, 400, 401, 403, 404, 405, 410, 413, 415, 422, 499] {
        assert_eq!(plain(Status(s), [None; 3], 0), None, "{s}");
    }
}

const DATE_PLUS_10_S: &str = "Tue, 14 Nov 2023 22:13:30 GMT";

/// (failure, [retry-after-ms, retry-after, x-should-retry], attempt, max_retries, now - NOW,
/// random01, the delay or `None` to give up)
type Row = (Failure, [Option<&'static str>; 3], u32, u32, f64, f64, Option<u64>);

const DECISIONS: &[Row] = &[
    (Connection, [None; 3], 0, 10, 0.0, 0.0, Some(500)),
    (Timeout, [None; 3], 1, 10, 0.0, 0.0, Some(1000)),
    // x-should-retry overrides both ways; case and whitespace do not matter; anything else is
    // ignored; it does not lift the retry cap.
    (Status(400), [None, None, Some("true")], 0, 10, 0.0, 0.0, Some(500)),
    (Status(404), [None, None, Some("true")], 0, 10, 0.0, 0.0, Some(500)),
    (Status(500), [None, None, Some("false")], 0, 10, 0.0, 0.0, None),
    (Status(429), [None, None, Some("false")], 0, 10, 0.0, 0.0, None),
    (Status(400), [None, None, Some(" TRUE ")], 0, 10, 0.0, 0.0, Some(500)),
    (Status(400), [None, None, Some("maybe")], 0, 10, 0.0, 0.0, None),
    (Status(503), [None, None, Some("maybe")], 0, 10, 0.0, 0.0, Some(500)),
    (Status(400), [None, None, Some("true")], 2, 2, 0.0, 0.0, None),
    // Attempts are capped.
    (Status(500), [None; 3], 0, 0, 0.0, 0.0, None),
    (Status(500), [None; 3], 1, 2, 0.0, 0.0, Some(1000)),
    (Status(500), [None; 3], 2, 2, 0.0, 0.0, None),
    (Connection, [None; 3], 3, 2, 0.0, 0.0, None),
    (Connection, [None; 3], u32::MAX, u32::MAX, 0.0, 0.0, None),
    // retry-after-ms: rounded up, never early; 0 is honoured; up to 60 s; it wins over
    // retry-after and needs no jitter.
    (Status(429), [Some("1500"), None, None], 0, 10, 0.0, 0.0, Some(1500)),
    (Status(429), [Some("12.2"), None, None], 0, 10, 0.0, 0.0, Some(13)),
    (Status(429), [Some("0"), None, None], 3, 10, 0.0, 0.0, Some(0)),
    (Status(429), [Some("60000"), None, None], 0, 10, 0.0, 0.0, Some(60_000)),
    (Status(429), [Some("60001"), None, None], 0, 10, 0.0, 0.0, Some(500)),
    (Status(503), [Some("250"), Some("30"), None], 0, 2, 0.0, 0.99, Some(250)),
    // retry-after in seconds, up to 60; leading zeros are fine in HTTP (not in JSON).
    (Status(503), [None, Some("2"), None], 0, 10, 0.0, 0.0, Some(2000)),
    (Status(503), [None, Some("0.25"), None], 0, 10, 0.0, 0.0, Some(250)),
    (Status(503), [None, Some(" 1.5 "), None], 0, 10, 0.0, 0.0, Some(1500)),
    (Status(503), [None, Some("60"), None], 0, 10, 0.0, 0.0, Some(60_000)),
    (Status(503), [None, Some("007"), None], 0, 10, 0.0, 0.0, Some(7000)),
    (Status(503), [None, Some("0"), None], 0, 10, 0.0, 0.0, Some(0)),
    (Status(503), [None, Some("00.5"), None], 0, 10, 0.0, 0.0, Some(500)),
    (Status(503), [None, Some("0.5"), None], 0, 10, 0.0, 0.0, Some(500)),
    (Status(503), [None, Some("01e1"), None], 0, 10, 0.0, 0.0, Some(10_000)),
    // A bad retry-after-ms falls through to a good retry-after.
    (Status(503), [Some("soon"), Some("3"), None], 0, 10, 0.0, 0.0, Some(3000)),
    // retry-after as an HTTP date, relative to now: up to 60 s ahead, not in the past.
    (Status(429), [None, Some(DATE_PLUS_10_S), None], 0, 10, 0.0, 0.0, Some(10_000)),
    (Status(429), [None, Some("Tue, 14 Nov 2023 22:14:20 GMT"), None], 0, 10, 0.0, 0.0, Some(60_000)),
    (Status(429), [None, Some("Tue, 14 Nov 2023 22:14:21 GMT"), None], 0, 10, 0.0, 0.0, Some(500)),
    (Status(429), [None, Some("Tue, 14 Nov 2023 22:13:19 GMT"), None], 0, 10, 0.0, 0.0, Some(500)),
    (Status(429), [None, Some(DATE_PLUS_10_S), None], 0, 2, 4_500.0, 0.0, Some(5_500)),
    // The backoff: capped however many attempts; the jitter rounded up to whole milliseconds.
    (Status(500), [None; 3], 1000, u32::MAX, 0.0, 0.0, Some(8000)),
    (Status(500), [None; 3], 0, 2, 0.0, 0.999_999, Some(376)),
];

#[test]
fn what_to_do_after_a_failed_attempt() {
    for &(failure, h, attempt, max, now, random01, want) in DECISIONS {
        let got = decide(failure, &headers(h), attempt, max, NOW + now, random01);
        assert_eq!(got, want, "{failure:?} {h:?} attempt {attempt}/{max} now+{now} random {random01}");
    }
    // A retry-after too long, negative or with a sign: the backoff.
    for v in ["61", "3600", "-1", "--1", "-007", "+1", "-", "0-1", ".5", "1."] {
        assert_eq!(plain(Status(503), [None, Some(v), None], 1), Some(1000), "{v}");
    }
    // Garbage in every header: the backoff.
    for v in ["", "soon", "1s", "NaN", "inf", "-inf", "1e999", "0x10", "٣", "1,5", "Sun, 06 Nov"] {
        assert_eq!(plain(Status(503), [Some(v); 3], 2), Some(2000), "{v:?}");
    }
    for (attempt, want) in [500, 1000, 2000, 4000, 8000, 8000, 8000].into_iter().enumerate() {
        assert_eq!(plain(Status(500), [None; 3], attempt as u32), Some(want), "attempt {attempt}");
    }
}

#[test]
fn imf_fixdate_parser() {
    for (date, ms) in [
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000),
        ("Tue, 14 Nov 2023 22:13:20 GMT", 1_700_000_000_000),
        ("Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000_000),
        ("Fri, 31 Dec 1999 23:59:59 GMT", 946_684_799_000),
        ("Wed, 31 Dec 1969 23:59:59 GMT", -1000),
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", 784_111_777_000),
        ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400_000), // 2000 is a leap year, 1900 is not
    ] {
        assert_eq!(parse_http_date(date), Some(ms), "{date:?}");
    }
    // RFC 850 and asctime dates are not supported; then one field wrong each.
    #[rustfmt::skip]
    let bad = [
        "", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Apr 1994 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 30 Feb 2024 08:49:37 GMT", "Thu, 29 Feb 1900 00:00:00 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 08-49-37 GMT", "Sun, 06 Nov 19a4 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTX", "Sun, 06 Nov 1994 08:49:37 GM", "Sun, 06 Nov 1994 08:49:+7 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
    ];
    for bad in bad {
        assert_eq!(parse_http_date(bad), None, "{bad:?}");
    }
}

#[test]
fn the_backoff_caps_and_its_jitter_removes_at_most_a_quarter() {
    assert_eq!((backoff_ms(1000, 0.0), backoff_ms(u32::MAX, 0.0)), (8000.0, 8000.0));
    for attempt in 0..8u32 {
        let full = backoff_ms(attempt, 0.0);
        for i in 0..=100 {
            let r = f64::from(i) / 100.0;
            let d = backoff_ms(attempt, r);
            assert!(d <= full && d >= full * 0.75, "attempt {attempt} r {r}: {d}");
        }
        assert_eq!((backoff_ms(attempt, 1.0), backoff_ms(attempt, 0.5)), (full * 0.75, full * 0.875));
    }
    // Out-of-range randomness is clamped; NaN counts as 0.
    assert_eq!([backoff_ms(0, 7.0), backoff_ms(0, -3.0), backoff_ms(0, f64::NAN)], [375.0, 500.0, 500.0]);
}
