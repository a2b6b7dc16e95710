//! Where the values and members of a JSON text are, for JSON-aware mutations: a tolerant
//! recursive-descent scan that records spans as it goes and stops at the first syntax error
//! (keeping what it found before it).

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Literal,
}

#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// `"key": value` inside an object.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// The key's content (without its quotes).
    pub key: (usize, usize),
    /// From the key's opening quote to the end of the value.
    pub start: usize,
    pub end: usize,
    /// The value's span.
    pub value: Span,
}

#[derive(Default)]
pub struct Spans {
    pub values: Vec<Span>,
    pub members: Vec<Member>,
}

const MAX_DEPTH: usize = 400;

pub fn scan(text: &[u8]) -> Spans {
    let mut s = Scanner { b: text, out: Spans::default() };
    let i = s.ws(0);
    let _ = s.value(i, 0);
    s.out
}

struct Scanner<'a> {
    b: &'a [u8],
    out: Spans,
}

impl Scanner<'_> {
    fn ws(&self, mut i: usize) -> usize {
        while matches!(self.b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    fn value(&mut self, i: usize, depth: usize) -> Option<Span> {
        let number = |c: &u8| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E');
        let (kind, end) = match *self.b.get(i)? {
            b'{' if depth < MAX_DEPTH => (Kind::Object, self.container(i, depth, b'}')?),
            b'[' if depth < MAX_DEPTH => (Kind::Array, self.container(i, depth, b']')?),
            b'"' => (Kind::String, self.string(i)?),
            b'-' | b'0'..=b'9' => (Kind::Number, i + self.b[i..].iter().take_while(|c| number(c)).count()),
            b't' | b'f' | b'n' => {
                (Kind::Literal, i + self.b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count())
            }
            _ => return None,
        };
        let span = Span { start: i, end, kind };
        self.out.values.push(span);
        Some(span)
    }

    fn string(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            match *self.b.get(j)? {
                b'"' => return Some(j + 1),
                b'\\' => j += 2,
                _ => j += 1,
            }
        }
    }

    /// An array (`close` `]`) or an object (`}`: members `"key": value`), up to its end.
    fn container(&mut self, i: usize, depth: usize, close: u8) -> Option<usize> {
        let mut j = self.ws(i + 1);
        if self.b.get(j) == Some(&close) {
            return Some(j + 1);
        }
        loop {
            let key = if close == b'}' {
                if self.b.get(j) != Some(&b'"') {
                    return None;
                }
                let key_end = self.string(j)?;
                let k = self.ws(key_end);
                if self.b.get(k) != Some(&b':') {
                    return None;
                }
                let key = (j, key_end);
                j = self.ws(k + 1);
                Some(key)
            } else {
                None
            };
            let v = self.value(j, depth + 1)?;
            if let Some((start, key_end)) = key {
                self.out.members.push(Member { key: (start + 1, key_end - 1), start, end: v.end, value: v });
            }
            j = self.ws(v.end);
            match *self.b.get(j)? {
                b',' => j = self.ws(j + 1),
                c if c == close => return Some(j + 1),
                _ => return None,
            }
        }
    }
}
