#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
#![cfg(not(target_arch = "wasm32"))]
//! The retry policy (src/retry/): pure functions, no clocks, no sleeping; `decide` puts
//! together what the call machine asks of it after a failed attempt.

use cometapi_responses::test_support::retry::{
    backoff_ms, delay_ms, parse_http_date, should_retry, Failure, RetryHeaders,
};

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Retry { delay_ms: u64 },
    GiveUp,
}

/// As the call machine decides: `attempt` retries done, at most `max_retries`.
fn decide(failure: Failure, h: &RetryHeaders<'_>, attempt: u32, max_retries: u32, now: f64, random01: f64) -> Decision {
    if attempt >= max_retries || !should_retry(failure, h) {
        return Decision::GiveUp;
    }
    Decision::Retry { delay_ms: delay_ms(h, attempt, now, random01) as u64 }
}

const NOW: f64 = 1_700_000_000_000.0; // 2023-11-14T22:13:20Z

fn none() -> RetryHeaders<'static> {
    RetryHeaders::default()
}

fn delay(d: Decision) -> u64 {
    match d {
        Decision::Retry { delay_ms } => delay_ms,
        Decision::GiveUp => panic!("expected a retry"),
    }
}

/// No jitter (random01 = 0): the plain backoff.
fn plain(failure: Failure, h: &RetryHeaders<'_>, attempt: u32) -> Decision {
    decide(failure, h, attempt, 10, NOW, 0.0)
}

#[test]
fn retryable_statuses() {
    for s in [408, 409, 429, 500, 502, 503, 504, 520, 599] {
        assert_eq!(delay(plain(Failure::Status(s), &none(), 0)), 500, "{s}");
    }
}

#[test]
fn non_retryable_statuses() {
    for s in [0, 200, 301, 400, 401, 403, 404, 405, 410, 413, 415, 422, 499] {
        assert_eq!(plain(Failure::Status(s), &none(), 0), Decision::GiveUp, "{s}");
    }
}

#[test]
fn connection_errors_and_timeouts_retry() {
    assert_eq!(delay(plain(Failure::Connection, &none(), 0)), 500);
    assert_eq!(delay(plain(Failure::Timeout, &none(), 1)), 1000);
}

#[test]
fn x_should_retry_overrides_both_ways() {
    let yes = RetryHeaders { should_retry: Some("true"), ..none() };
    let no = RetryHeaders { should_retry: Some("false"), ..none() };
    assert_eq!(delay(plain(Failure::Status(400), &yes, 0)), 500);
    assert_eq!(delay(plain(Failure::Status(404), &yes, 0)), 500);
    assert_eq!(plain(Failure::Status(500), &no, 0), Decision::GiveUp);
    assert_eq!(plain(Failure::Status(429), &no, 0), Decision::GiveUp);
    // Case and whitespace do not matter; anything else is ignored.
    let yes = RetryHeaders { should_retry: Some(" TRUE "), ..none() };
    assert!(should_retry(Failure::Status(400), &yes));
    let junk = RetryHeaders { should_retry: Some("maybe"), ..none() };
    assert!(!should_retry(Failure::Status(400), &junk));
    assert!(should_retry(Failure::Status(503), &junk));
    // It does not lift the retry cap.
    let yes = RetryHeaders { should_retry: Some("true"), ..none() };
    assert_eq!(decide(Failure::Status(400), &yes, 2, 2, NOW, 0.0), Decision::GiveUp);
}

#[test]
fn attempts_are_capped() {
    assert_eq!(decide(Failure::Status(500), &none(), 0, 0, NOW, 0.0), Decision::GiveUp);
    assert!(matches!(decide(Failure::Status(500), &none(), 1, 2, NOW, 0.0), Decision::Retry { .. }));
    assert_eq!(decide(Failure::Status(500), &none(), 2, 2, NOW, 0.0), Decision::GiveUp);
    assert_eq!(decide(Failure::Connection, &none(), 3, 2, NOW, 0.0), Decision::GiveUp);
    assert_eq!(decide(Failure::Connection, &none(), u32::MAX, u32::MAX, NOW, 0.0), Decision::GiveUp);
}

#[test]
fn retry_after_ms() {
    let h = RetryHeaders { retry_after_ms: Some("1500"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 1500);
    let h = RetryHeaders { retry_after_ms: Some("12.2"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 13, "rounded up, never early");
    let h = RetryHeaders { retry_after_ms: Some("0"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 3)), 0, "0 is honoured");
    // It wins over retry-after, and needs no jitter.
    let h = RetryHeaders { retry_after_ms: Some("250"), retry_after: Some("30"), ..none() };
    assert_eq!(delay(decide(Failure::Status(503), &h, 0, 2, NOW, 0.99)), 250);
    // Upper bound: 60 s is honoured, more is not.
    let h = RetryHeaders { retry_after_ms: Some("60000"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 60_000);
    let h = RetryHeaders { retry_after_ms: Some("60001"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 500);
}

#[test]
fn retry_after_seconds() {
    let h = RetryHeaders { retry_after: Some("2"), ..none() };
    assert_eq!(delay(plain(Failure::Status(503), &h, 0)), 2000);
    let h = RetryHeaders { retry_after: Some("0.25"), ..none() };
    assert_eq!(delay(plain(Failure::Status(503), &h, 0)), 250);
    let h = RetryHeaders { retry_after: Some(" 1.5 "), ..none() };
    assert_eq!(delay(plain(Failure::Status(503), &h, 0)), 1500);
    let h = RetryHeaders { retry_after: Some("60"), ..none() };
    assert_eq!(delay(plain(Failure::Status(503), &h, 0)), 60_000);
    // Leading zeros are fine in HTTP (not in JSON).
    for (v, ms) in [("007", 7000), ("0", 0), ("00.5", 500), ("0.5", 500), ("01e1", 10_000)] {
        let h = RetryHeaders { retry_after: Some(v), ..none() };
        assert_eq!(delay(plain(Failure::Status(503), &h, 0)), ms, "{v}");
    }
    // Too long, negative, signs: backoff.
    for v in ["61", "3600", "-1", "--1", "-007", "+1", "-", "0-1", ".5", "1."] {
        let h = RetryHeaders { retry_after: Some(v), ..none() };
        assert_eq!(delay(plain(Failure::Status(503), &h, 1)), 1000, "{v}");
    }
    // A bad retry-after-ms falls through to a good retry-after.
    let h = RetryHeaders { retry_after_ms: Some("soon"), retry_after: Some("3"), ..none() };
    assert_eq!(delay(plain(Failure::Status(503), &h, 0)), 3000);
}

#[test]
fn retry_after_http_date_relative_to_now() {
    // NOW + 10 s.
    let h = RetryHeaders { retry_after: Some("Tue, 14 Nov 2023 22:13:30 GMT"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 10_000);
    // NOW + 60 s is honoured; + 61 s and the past are not.
    let h = RetryHeaders { retry_after: Some("Tue, 14 Nov 2023 22:14:20 GMT"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 60_000);
    let h = RetryHeaders { retry_after: Some("Tue, 14 Nov 2023 22:14:21 GMT"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 500);
    let h = RetryHeaders { retry_after: Some("Tue, 14 Nov 2023 22:13:19 GMT"), ..none() };
    assert_eq!(delay(plain(Failure::Status(429), &h, 0)), 500);
    // The same header at another `now`.
    let h = RetryHeaders { retry_after: Some("Tue, 14 Nov 2023 22:13:30 GMT"), ..none() };
    assert_eq!(delay(decide(Failure::Status(429), &h, 0, 2, NOW + 4_500.0, 0.0)), 5_500);
}

#[test]
fn imf_fixdate_parser() {
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
    assert_eq!(parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), Some(1_700_000_000_000));
    assert_eq!(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"), Some(1_709_208_000_000));
    assert_eq!(parse_http_date("Fri, 31 Dec 1999 23:59:59 GMT"), Some(946_684_799_000));
    assert_eq!(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"), Some(-1000));
    assert_eq!(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT  "), Some(784_111_777_000));
    for bad in [
        "",
        "Sunday, 06-Nov-94 08:49:37 GMT", // RFC 850: not supported
        "Sun Nov  6 08:49:37 1994",       // asctime: not supported
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 31 Apr 1994 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT",
        "Sun, 30 Feb 2024 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 19a4 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTX",
        "Sun, 06 Nov 1994 08:49:37 GM",
        "Sun, 06 Nov 1994 08:49:+7 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad:?}");
    }
    // 2000 is a leap year, 1900 is not.
    assert!(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT").is_some());
    assert!(parse_http_date("Thu, 29 Feb 1900 00:00:00 GMT").is_none());
}

#[test]
fn garbage_headers_fall_back_to_backoff() {
    for v in ["", "soon", "1s", "NaN", "inf", "-inf", "1e999", "0x10", "٣", "1,5", "Sun, 06 Nov"] {
        let h = RetryHeaders { retry_after_ms: Some(v), retry_after: Some(v), should_retry: Some(v) };
        assert_eq!(delay(plain(Failure::Status(503), &h, 2)), 2000, "{v:?}");
    }
}

#[test]
fn backoff_grows_and_caps() {
    let want = [500, 1000, 2000, 4000, 8000, 8000, 8000];
    for (attempt, w) in want.iter().enumerate() {
        assert_eq!(delay(plain(Failure::Status(500), &none(), attempt as u32)), *w, "attempt {attempt}");
    }
    assert_eq!(backoff_ms(1000, 0.0), 8000.0);
    assert_eq!(backoff_ms(u32::MAX, 0.0), 8000.0);
    let big = decide(Failure::Status(500), &none(), 1000, u32::MAX, NOW, 0.0);
    assert_eq!(delay(big), 8000);
}

#[test]
fn jitter_removes_at_most_a_quarter() {
    for attempt in 0..8u32 {
        let full = backoff_ms(attempt, 0.0);
        for i in 0..=100 {
            let r = f64::from(i) / 100.0;
            let d = backoff_ms(attempt, r);
            assert!(d <= full && d >= full * 0.75, "attempt {attempt} r {r}: {d}");
        }
        assert_eq!(backoff_ms(attempt, 1.0), full * 0.75);
        assert_eq!(backoff_ms(attempt, 0.5), full * 0.875);
    }
    // Out-of-range randomness is clamped; NaN counts as 0.
    assert_eq!(backoff_ms(0, 7.0), 375.0);
    assert_eq!(backoff_ms(0, -3.0), 500.0);
    assert_eq!(backoff_ms(0, f64::NAN), 500.0);
    // Through `decide`: rounded up to whole milliseconds.
    assert_eq!(delay(decide(Failure::Status(500), &none(), 0, 2, NOW, 0.999_999)), 376);
}
