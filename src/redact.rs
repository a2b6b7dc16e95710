//! Keeping the API key out of every text the client builds: error messages, error bodies, causes
//! and snapshots attached to errors.
//!
//! A server (or a proxy, or a custom `fetch`) may echo the key back: whole (`Incorrect API key
//! provided: sk-…`), without its prefix, or cut. [`Redactor::redact`] replaces the key and every
//! run of at least [`MIN_FRAGMENT`] bytes that is also a substring of the key with `[redacted]`. Keys
//! shorter than [`MIN_FRAGMENT`] bytes are not redacted: they would match ordinary text.

use std::borrow::Cow;

/// The shortest run of the key's bytes that counts as a fragment of it.
pub const MIN_FRAGMENT: usize = 10;

/// What replaces the key or a fragment of it.
pub const MASK: &str = "[redacted]";

/// Redacts one secret from texts. Only error texts pass through it (rare; the JS side hands a
/// snapshot one string at a time, a long string in pieces of at most 1 Mi units): a plain scan,
/// a byte table to skip positions that cannot start a fragment, no hashing.
#[derive(Debug, Clone)]
pub struct Redactor {
    secret: Vec<u8>,
    /// `in_key[b]`: byte `b` occurs in the secret.
    in_key: [bool; 256],
}

impl Redactor {
    /// A redactor of `secret`; `None` when the secret is too short to be told from ordinary text.
    pub fn new(secret: &str) -> Option<Redactor> {
        let secret = secret.as_bytes().to_vec();
        if secret.len() < MIN_FRAGMENT {
            return None;
        }
        let mut in_key = [false; 256];
        for &b in &secret {
            if let Some(slot) = in_key.get_mut(usize::from(b)) {
                *slot = true;
            }
        }
        Some(Redactor { secret, in_key })
    }

    /// True when `text` holds the key or a fragment of it.
    pub fn matches(&self, text: &str) -> bool {
        text.as_bytes().windows(MIN_FRAGMENT).any(|w| self.is_fragment(w))
    }

    /// `text` with the key and every fragment of it replaced by [`MASK`] (borrowed when there
    /// is nothing to replace).
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let bytes = text.as_bytes();
        let mut out: Option<Vec<u8>> = None;
        let mut copied = 0; // bytes of `text` already handled
        let mut i = 0;
        while let Some(window) = bytes.get(i..i + MIN_FRAGMENT) {
            if !self.is_fragment(window) {
                i += 1;
                continue;
            }
            // Extend the run while it is still a substring of the key.
            let mut end = i + MIN_FRAGMENT;
            while end < bytes.len() && bytes.get(i..=end).is_some_and(|run| self.contains(run)) {
                end += 1;
            }
            let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
            o.extend_from_slice(bytes.get(copied..i).unwrap_or_default());
            o.extend_from_slice(MASK.as_bytes());
            copied = end;
            i = end;
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut o) => {
                o.extend_from_slice(bytes.get(copied..).unwrap_or_default());
                // Runs are cut at byte positions: a multibyte character of the text may have been
                // split by a run boundary only if the key itself holds non-ASCII bytes.
                Cow::Owned(String::from_utf8(o).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
        }
    }

    /// [`redact`](Self::redact) in place.
    pub fn redact_string(&self, s: &mut String) {
        if let Cow::Owned(r) = self.redact(s) {
            *s = r;
        }
    }

    /// `window` (of [`MIN_FRAGMENT`] bytes) occurs in the secret.
    fn is_fragment(&self, window: &[u8]) -> bool {
        window.first().is_some_and(|&b| self.in_key.get(usize::from(b)) == Some(&true)) && self.contains(window)
    }

    fn contains(&self, run: &[u8]) -> bool {
        self.secret.windows(run.len()).any(|w| w == run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-Xq7Lm2Vn9Rt4Wb8Kc1Pz6Hd3Jf5Gs0Ya";

    #[test]
    fn whole_key_prefixless_and_cut_fragments() {
        let r = Redactor::new(KEY).unwrap();
        assert_eq!(r.redact(&format!("Incorrect API key provided: {KEY}.")), "Incorrect API key provided: [redacted].");
        assert_eq!(r.redact(&format!("key={}", &KEY[3..])), "key=[redacted]");
        assert_eq!(r.redact(&format!("a {} b {} c", &KEY[..14], &KEY[20..32])), "a [redacted] b [redacted] c");
        assert_eq!(r.redact(&format!("{KEY}{KEY}")), "[redacted][redacted]");
        assert!(r.matches(&KEY[5..16]));
        assert!(!r.matches("nothing to see here, nothing at all"));
    }

    #[test]
    fn short_runs_and_short_keys_are_left_alone() {
        let r = Redactor::new(KEY).unwrap();
        let t = format!("{} and {}", &KEY[..9], &KEY[10..19]);
        assert_eq!(r.redact(&t), t);
        assert!(matches!(r.redact("plain"), Cow::Borrowed(_)));
        assert!(Redactor::new("sk-short").is_none());
    }

    #[test]
    fn multibyte_text_around_the_key_survives() {
        let r = Redactor::new(KEY).unwrap();
        assert_eq!(r.redact(&format!("日本語{KEY}🙂")), "日本語[redacted]🙂");
    }
}
