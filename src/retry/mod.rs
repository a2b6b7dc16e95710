//! The retry policy as a pure function of the failure, the response headers, the attempt
//! number, the clock and a random number (docs/architecture.md, "The call machine").
//!
//! - **Whether:** `x-should-retry: true|false` decides when present (case-insensitive); else
//!   HTTP 408, 409, 429 and ≥ 500 retry, other statuses do not; connection errors and
//!   timeouts retry (like openai-node, which retries its timeout errors: a timeout is usually a
//!   transient stall, and the per-attempt timeout bounds the total). Never more than
//!   `max_retries` retries.
//! - **How long:** `retry-after-ms` (milliseconds), else `retry-after` (seconds, possibly
//!   fractional, or an IMF-fixdate HTTP date relative to `now_unix_ms`). A server-given delay is
//!   honoured when it is within `0 ..= 60 s`; a negative one (a date in the past), a longer one
//!   or an unparsable header falls back to the backoff, so a bad header can neither stall the
//!   client for hours nor hammer the server. The first header that yields a valid delay wins.
//! - **Backoff:** `min(0.5 s · 2^attempt, 8 s)`, minus up to 25 % jitter
//!   (`delay · (1 − 0.25 · random01)`), the scheme openai-node uses. No jitter on server delays.

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with this HTTP status.
    Status(u16),
    /// `fetch` rejected (DNS, refused, reset).
    Connection,
    /// The attempt exceeded its timeout.
    Timeout,
}

/// The response headers that steer retries (raw values; `None` when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryHeaders<'a> {
    /// `retry-after-ms`: milliseconds.
    pub retry_after_ms: Option<&'a str>,
    /// `retry-after`: seconds, or an HTTP date.
    pub retry_after: Option<&'a str>,
    /// `x-should-retry`: `true` or `false`.
    pub should_retry: Option<&'a str>,
}

/// First backoff delay (ms).
pub const INITIAL_DELAY_MS: f64 = 500.0;
/// Backoff cap (ms).
pub const MAX_DELAY_MS: f64 = 8_000.0;
/// Longest server-given delay honoured (ms); longer ones fall back to the backoff.
pub const MAX_SERVER_DELAY_MS: f64 = 60_000.0;
/// Largest fraction the jitter removes from a backoff delay.
pub const JITTER: f64 = 0.25;

/// The wait before retry number `attempt + 1`, in whole ms (rounded up, never early): the
/// server's delay when valid, else the backoff.
pub fn delay_ms(headers: &RetryHeaders<'_>, attempt: u32, now_unix_ms: f64, random01: f64) -> f64 {
    server_delay_ms(headers, now_unix_ms).unwrap_or_else(|| backoff_ms(attempt, random01)).ceil()
}

/// Whether the failure is worth retrying (ignoring the attempt count).
pub fn should_retry(failure: Failure, headers: &RetryHeaders<'_>) -> bool {
    match (headers.should_retry.map(str::trim), failure) {
        (Some(v), _) if v.eq_ignore_ascii_case("true") => true,
        (Some(v), _) if v.eq_ignore_ascii_case("false") => false,
        (_, Failure::Status(s)) => s == 408 || s == 409 || s == 429 || s >= 500,
        (_, Failure::Connection | Failure::Timeout) => true,
    }
}

/// The delay the server asked for, if valid and within `0 ..= 60 s` (see the module docs).
pub fn server_delay_ms(headers: &RetryHeaders<'_>, now_unix_ms: f64) -> Option<f64> {
    let in_range = |d: f64| d.is_finite() && (0.0..=MAX_SERVER_DELAY_MS).contains(&d);
    if let Some(ms) = headers.retry_after_ms.and_then(parse_decimal).filter(|&ms| in_range(ms)) {
        return Some(ms);
    }
    let ra = headers.retry_after?;
    let delay = match parse_decimal(ra) {
        Some(secs) => secs * 1000.0,
        None => parse_http_date(ra)? as f64 - now_unix_ms,
    };
    in_range(delay).then_some(delay)
}

/// The backoff delay before retry number `attempt + 1`: `min(500 · 2^attempt, 8000)` ms,
/// minus `25 % · random01` of it.
pub fn backoff_ms(attempt: u32, random01: f64) -> f64 {
    let base = (INITIAL_DELAY_MS * 2f64.powi(attempt.min(64) as i32)).min(MAX_DELAY_MS);
    let r = if random01.is_nan() { 0.0 } else { random01.clamp(0.0, 1.0) };
    base * (1.0 - JITTER * r)
}

/// A plain decimal number (`"2"`, `"1.5"`, `"-3"`, `"1e3"`); not `inf`/`NaN`, no trailing junk.
fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    for b in s.bytes() {
        if !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return None;
        }
    }
    // Not `str::parse::<f64>`: core's float parser brings ~4 KB of code and a ~10 KB table of
    // powers of five into the wasm. Nor `from_str::<f64>`: typed deserialization links serde's
    // type-error messages and through them core's f64 formatting (~14 KB). The JSON reader's
    // number parser is linked anyway. (JSON grammar: "+1", "1." and ".5" are
    // not accepted.) JSON forbids leading zeros, HTTP does not: "007" is 7.
    let digits = s.strip_prefix('-').unwrap_or(s);
    let negative = digits.len() < s.len();
    if !digits.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let zeros = digits.bytes().take_while(|&b| b == b'0').count();
    let keep =
        if digits.as_bytes().get(zeros).is_some_and(u8::is_ascii_digit) { zeros } else { zeros.saturating_sub(1) };
    let digits = digits.get(keep..)?;
    let value = crate::event::lenient::parse_value(digits).ok()?.as_f64()?;
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// Parses an IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, into Unix
/// milliseconds. The obsolete RFC 850 and asctime forms are not accepted (`None`).
pub fn parse_http_date(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    // "Sun, 06 Nov 1994 08:49:37 GMT" is exactly 29 bytes.
    if b.len() != 29 {
        return None;
    }
    const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let weekday = b.get(0..3)?;
    if !DAYS.contains(&weekday) || b.get(3..5)? != b", " {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r).filter(|d| d.iter().all(u8::is_ascii_digit))?;
        Some(d.iter().fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0')))
    };
    let day = num(5..7)?;
    let month = MONTHS.iter().position(|m| Some(*m) == b.get(8..11))? as i64 + 1;
    let year = num(12..16)?;
    let (hour, min, sec) = (num(17..19)?, num(20..22)?, num(23..25)?);
    let seps = [(7, b' '), (11, b' '), (16, b' '), (19, b':'), (22, b':'), (25, b' ')];
    if seps.iter().any(|&(i, c)| b.get(i) != Some(&c)) || b.get(26..29)? != b"GMT" {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + min) * 60_000 + sec * 1000)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
