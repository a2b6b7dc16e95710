//! Keeping the API key out of every text the client builds (error messages, error bodies, causes
//! and snapshots attached to errors) and out of what a proxy passes on (the package's
//! `createRedactor`, used by the dev server and the example Worker).
//!
//! A server (or a proxy, or a custom `fetch`) may echo the key back: whole (`Incorrect API key
//! provided: sk-…`), without its prefix, or cut. [`Redactor::redact`] replaces every run of text
//! covered by substrings of the key at least [`MIN_FRAGMENT`] bytes long (the whole key, the key
//! without its prefix, a cut of it; adjacent and overlapping ones as one run) with `[redacted]`.
//! [`RedactStream`] does the same for a text that arrives in chunks, a fragment split across them
//! included. The client's redactor ([`Redactor::new`]) leaves keys shorter than [`MIN_FRAGMENT`]
//! bytes alone (their fragments would match ordinary text); a proxy's ([`Redactor::any`]) redacts
//! such a key whole.

use std::borrow::Cow;
use std::fmt;

/// The shortest run of the key's bytes that counts as a fragment of it.
pub const MIN_FRAGMENT: usize = 10;

/// What replaces the key or a fragment of it.
pub const MASK: &str = "[redacted]";

/// `text` with everything shaped like an API key replaced by [`MASK`]: `sk-` at the start of a word
/// and 4 or more of `A-Z a-z 0-9 * . _ -` (the masked echo `sk-proj-****abcd` too). A proxy applies
/// it to error messages, which may name a key other than its own. Borrowed when nothing matches.
pub fn redact_key_shapes(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let key = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'*' | b'.' | b'_' | b'-');
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    while let Some(rest) = b.get(at..) {
        let word_before = at > 0 && b.get(at - 1).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_');
        let run = if rest.starts_with(b"sk-") && !word_before {
            rest.iter().skip(3).take_while(|c| key(c)).count()
        } else {
            0
        };
        if run < 4 {
            at += 1;
            continue;
        }
        // `at` is at an ASCII `s`, `copied` after an ASCII run: both are character boundaries.
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(MASK);
        copied = at + 3 + run;
        at = copied;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// Stands for a secret in `Debug` output: `{:?}` of a configuration, a request or a socket (a
/// log line, `dbg!`) never prints the key, nor a header's value (any may be a token).
pub(crate) struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// `text` with the key redacted by `redactor`, if there is one (borrowed when there is none or
/// nothing matches): what `Debug` output shows of a URL.
pub(crate) fn redact_with<'t>(redactor: Option<&Redactor>, text: &'t str) -> Cow<'t, str> {
    redactor.map_or(Cow::Borrowed(text), |r| r.redact(text))
}

/// Headers in `Debug` output: their names, each value [`Hidden`].
pub(crate) struct HeaderNames<'a>(pub &'a [(String, String)]);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(name, _)| (name, Hidden))).finish()
    }
}

/// Redacts one secret from texts. A plain scan, a table of the secret's byte pairs to skip
/// positions that cannot start a fragment.
#[derive(Clone)]
pub struct Redactor {
    secret: Vec<u8>,
    /// The shortest run that is redacted: [`MIN_FRAGMENT`], or the whole of a shorter secret.
    min: usize,
    /// Bit `pair(a, b)`: bytes `a`, `b` occur one after the other in the secret (or another pair
    /// with the same bit does): a window whose first two bytes are no such pair is no fragment,
    /// and the secret is not searched for it.
    pairs: [bool; 4096],
}

/// The bit of the byte pair `a`, `b` in [`Redactor`]'s `pairs`.
fn pair(a: u8, b: u8) -> usize {
    (usize::from(a) << 5 ^ usize::from(b)) & 4095
}

/// Without the secret.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor").field("secret", &Hidden).finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor of `secret`; `None` when the secret is too short to be told from ordinary text.
    pub fn new(secret: &str) -> Option<Redactor> {
        Redactor::any(secret).filter(|r| r.min == MIN_FRAGMENT)
    }

    /// A redactor of `secret` that redacts a secret shorter than [`MIN_FRAGMENT`] bytes whole;
    /// `None` for an empty secret.
    pub fn any(secret: &str) -> Option<Redactor> {
        let secret = secret.as_bytes().to_vec();
        if secret.is_empty() {
            return None;
        }
        let mut pairs = [false; 4096];
        for w in secret.windows(2) {
            if let [a, b] = *w {
                if let Some(slot) = pairs.get_mut(pair(a, b)) {
                    *slot = true;
                }
            }
        }
        Some(Redactor { min: secret.len().min(MIN_FRAGMENT), secret, pairs })
    }

    /// True when `text` holds the key or a fragment of it.
    pub fn matches(&self, text: &str) -> bool {
        let mut i = 0;
        while let Some(w) = text.as_bytes().get(i..i + self.min) {
            if self.is_fragment(w) {
                return true;
            }
            i += 1;
        }
        false
    }

    /// `text` with the key and every fragment of it replaced by [`MASK`] (borrowed when there
    /// is nothing to replace).
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let out = RedactStream::default().step(self, text.as_bytes(), true);
        if out == text.as_bytes() {
            return Cow::Borrowed(text);
        }
        // Runs are cut at byte positions: a multibyte character of the text may have been split by
        // a run boundary only if the key itself holds non-ASCII bytes.
        Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| {
            let mut s = String::new();
            crate::sse::push_lossy(&mut s, e.as_bytes());
            s
        }))
    }

    /// `text` redacted, or `None` when it holds nothing to redact (what the JS side takes).
    pub fn redact_changed(&self, text: &str) -> Option<String> {
        self.matches(text).then(|| self.redact(text).into_owned())
    }

    /// [`redact`](Self::redact) in place.
    pub fn redact_string(&self, s: &mut String) {
        if let Cow::Owned(r) = self.redact(s) {
            *s = r;
        }
    }

    /// The `[start, end)` runs of `bytes` covered by fragments of the key, in order, overlapping
    /// and adjacent ones merged.
    fn spans<'a>(&'a self, bytes: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut i = 0;
        std::iter::from_fn(move || {
            while let Some(window) = bytes.get(i..i + self.min) {
                if !self.is_fragment(window) {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut end = i + self.min;
                // Every following window that is a fragment and overlaps or touches the run joins it.
                i += 1;
                while i <= end && i + self.min <= bytes.len() {
                    if bytes.get(i..i + self.min).is_some_and(|w| self.is_fragment(w)) {
                        end = i + self.min;
                    }
                    i += 1;
                }
                i = end;
                return Some((start, end));
            }
            None
        })
    }

    /// The length of the longest end of `bytes`, shorter than a fragment, that occurs in the key.
    fn key_suffix(&self, bytes: &[u8]) -> usize {
        let mut n = 0;
        while n + 1 < self.min && n < bytes.len() && self.contains(bytes.get(bytes.len() - n - 1..).unwrap_or_default())
        {
            n += 1;
        }
        n
    }

    /// `window` (of `min` bytes) occurs in the secret.
    fn is_fragment(&self, window: &[u8]) -> bool {
        let known = match *window {
            [a, b, ..] => self.pairs.get(pair(a, b)) == Some(&true),
            _ => true,
        };
        known && self.contains(window)
    }

    /// (Windows by `get`, not `windows`, whose check of a zero size panics with a location; `run`
    /// is never empty.)
    fn contains(&self, run: &[u8]) -> bool {
        let mut i = 0;
        while let Some(w) = self.secret.get(i..i + run.len()) {
            if w == run {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// A text redacted as it arrives in chunks (an HTTP body, the deltas of a text): what may begin a
/// fragment at the end of a chunk is held back until the next chunk (or [`finish`](Self::finish))
/// decides, and a fragment that goes on from one already masked stays under that mask.
#[derive(Clone, Default)]
pub struct RedactStream {
    /// A possible start of the key at the end of a chunk this long or longer is held back: 1 lets no
    /// byte of the key through; more passes text on sooner and up to `hold - 1` bytes of the key
    /// before its mask.
    hold: usize,
    /// The end of what was passed on (as it came in, a fragment's length at most): a fragment may
    /// go on from it.
    tail: Vec<u8>,
    /// What was passed on ends with a mask.
    masked: bool,
    /// Bytes held back.
    pending: Vec<u8>,
}

/// Without the bytes it holds (they may begin the key).
impl fmt::Debug for RedactStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedactStream")
            .field("hold", &self.hold)
            .field("held", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl RedactStream {
    /// A stream that holds back a possible start of the key `hold` bytes long or longer (at least 1).
    pub fn new(hold: usize) -> RedactStream {
        RedactStream { hold: hold.max(1), ..RedactStream::default() }
    }

    /// `chunk`, redacted: what can be passed on now.
    pub fn push(&mut self, r: &Redactor, chunk: &[u8]) -> Vec<u8> {
        self.step(r, chunk, false)
    }

    /// The rest held back, redacted; the stream starts over.
    pub fn finish(&mut self, r: &Redactor) -> Vec<u8> {
        let out = self.step(r, &[], true);
        *self = RedactStream::new(self.hold);
        out
    }

    fn step(&mut self, r: &Redactor, chunk: &[u8], last: bool) -> Vec<u8> {
        let base = self.tail.len();
        let mut s = std::mem::take(&mut self.tail);
        s.append(&mut self.pending);
        s.extend_from_slice(chunk);
        let spans = || r.spans(&s).filter(|&(_, end)| end > base);
        // Where the decided part ends: before a possible start of the key long enough to hold
        // back (a run that reaches the end is masked now; what goes on from it stays under the mask).
        let mut decide = s.len();
        if !last {
            let last_end = spans().last().map_or(base, |(_, end)| end);
            let run = r.key_suffix(&s);
            if last_end < s.len() && run >= self.hold {
                decide = (s.len() - run).max(last_end);
            }
        }
        let mut out = Vec::with_capacity(decide - base + MASK.len());
        let mut at = base;
        for (start, end) in spans() {
            if start > at {
                out.extend_from_slice(s.get(at..start).unwrap_or_default());
                self.masked = false;
            }
            if !(self.masked && start <= at) {
                out.extend_from_slice(MASK.as_bytes());
            }
            self.masked = true;
            at = end;
        }
        if at < decide {
            out.extend_from_slice(s.get(at..decide).unwrap_or_default());
            self.masked = false;
        }
        self.pending = s.get(decide..).unwrap_or_default().to_vec();
        s.truncate(decide);
        // A window that reaches past the tail starts in its last `min - 1` bytes; one that ends
        // where the tail does may join a run after it: `min` bytes are all a later step reads.
        // (A copy by `get`, not `split_off`, whose bounds check panics with a location.)
        self.tail = s.get(decide.saturating_sub(r.min)..).unwrap_or_default().to_vec();
        out
    }
}
