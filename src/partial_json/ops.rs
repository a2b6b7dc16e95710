//! Patch ops (the project's vocabulary, module docs of [`partial_json`](super)) as Rust values,
//! and the one applier of the crate: it sets and appends at a path in a [`serde_json::Value`],
//! for these ops and for the snapshot's patches ([`Mirror`](crate::accumulate::Mirror)).

use std::fmt;

use serde_json::Value;

use super::{parse, PartialJsonError};

/// One step of a path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSeg {
    /// An object key.
    Key(String),
    /// An array index (equal to the array's length: append).
    Index(usize),
}

/// One patch op.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `["s", path, value]`: sets `value` at `path` (empty: the root).
    Set {
        /// Where.
        path: Vec<PathSeg>,
        /// What.
        value: Value,
    },
    /// `["c", path, "text"]`: appends `text` to the string at `path`.
    Cat {
        /// Where.
        path: Vec<PathSeg>,
        /// What.
        text: String,
    },
}

/// Why ops could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpsError {
    /// The op text is not JSON.
    Json(PartialJsonError),
    /// The op text is JSON but not a list of ops.
    Malformed(&'static str),
    /// An op's path does not fit the value it is applied to.
    Path(&'static str),
}

impl fmt::Display for OpsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpsError::Json(e) => write!(f, "patch ops: {e}"),
            OpsError::Malformed(why) | OpsError::Path(why) => write!(f, "patch ops: {why}"),
        }
    }
}

impl std::error::Error for OpsError {}

/// Reads the op text (`[["s",path,value],["c",path,"text"],…]`). It is read by this module's
/// parser, so numbers beyond `f64` and lone surrogates follow the Rust value's conventions
/// (module docs of [`partial_json`](super)) instead of failing.
pub fn parse_ops(json: &str) -> Result<Vec<Op>, OpsError> {
    let Value::Array(items) = parse(json).map_err(OpsError::Json)? else {
        return Err(OpsError::Malformed("the ops are not an array"));
    };
    // Plain loops (no `collect::<Result<…>>`): smaller in wasm.
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        ops.push(op_from_value(item)?);
    }
    Ok(ops)
}

fn op_from_value(item: Value) -> Result<Op, OpsError> {
    let Value::Array(parts) = item else { return Err(OpsError::Malformed("an op is not an array")) };
    let mut parts = parts.into_iter();
    let (Some(code), Some(path), Some(value), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(OpsError::Malformed("an op is not [code, path, value]"));
    };
    let Value::Array(segs) = path else { return Err(OpsError::Malformed("an op's path is not an array")) };
    let mut path = Vec::with_capacity(segs.len());
    for seg in segs {
        path.push(match seg {
            Value::String(k) => PathSeg::Key(k),
            Value::Number(n) => match n.as_u64().and_then(|i| usize::try_from(i).ok()) {
                Some(i) => PathSeg::Index(i),
                None => return Err(OpsError::Malformed("a path index is not a non-negative integer")),
            },
            _ => return Err(OpsError::Malformed("a path element is neither a key nor an index")),
        });
    }
    match (code.as_str(), value) {
        (Some("s"), value) => Ok(Op::Set { path, value }),
        (Some("c"), Value::String(text)) => Ok(Op::Cat { path, text }),
        (Some("c"), _) => Err(OpsError::Malformed("a \"c\" op's text is not a string")),
        _ => Err(OpsError::Malformed("an op's code is neither \"s\" nor \"c\"")),
    }
}

/// One step of a path, borrowed: what an op's path and the snapshot's
/// [`Path`](crate::accumulate::Path) both lead through, so that one walker serves both.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> From<&'a PathSeg> for Step<'a> {
    fn from(seg: &'a PathSeg) -> Self {
        match seg {
            PathSeg::Key(k) => Step::Key(k),
            PathSeg::Index(i) => Step::Index(*i),
        }
    }
}

/// The value `path` leads to from `target`.
pub(crate) fn walk<'v>(target: &'v mut Option<Value>, path: &[Step<'_>]) -> Result<&'v mut Value, OpsError> {
    let mut cur = target.as_mut().ok_or(OpsError::Path("no value yet at the root"))?;
    for step in path {
        cur = match (cur, *step) {
            (Value::Object(m), Step::Key(k)) => m.get_mut(k),
            (Value::Array(a), Step::Index(i)) => a.get_mut(i),
            _ => None,
        }
        .ok_or(OpsError::Path("the path leads nowhere"))?;
    }
    Ok(cur)
}

/// Sets `value` at `path` (`[]`: the root; an index equal to the array's length pushes).
pub(crate) fn set(target: &mut Option<Value>, path: &[Step<'_>], value: Value) -> Result<(), OpsError> {
    let Some((last, parent)) = path.split_last() else {
        *target = Some(value);
        return Ok(());
    };
    match (walk(target, parent)?, *last) {
        (Value::Object(m), Step::Key(k)) => {
            m.insert(k.to_owned(), value);
        }
        (Value::Array(a), Step::Index(i)) if i == a.len() => a.push(value),
        (Value::Array(a), Step::Index(i)) => {
            *a.get_mut(i).ok_or(OpsError::Path("an index past the end of the array"))? = value;
        }
        _ => return Err(OpsError::Path("the path's last step does not fit its container")),
    }
    Ok(())
}

/// Appends `text` to the string at `path`.
pub(crate) fn cat(target: &mut Option<Value>, path: &[Step<'_>], text: &str) -> Result<(), OpsError> {
    match walk(target, path)? {
        Value::String(s) => s.push_str(text),
        _ => return Err(OpsError::Path("a \"c\" op's path is not a string")),
    }
    Ok(())
}

/// Applies one op to `target` (`None`: no value yet; a set at the root creates it).
pub fn apply_op(target: &mut Option<Value>, op: Op) -> Result<(), OpsError> {
    apply_under(target, &[], op)
}

/// Applies one op whose path starts at `base`.
pub(crate) fn apply_under(target: &mut Option<Value>, base: &[Step<'_>], op: Op) -> Result<(), OpsError> {
    match op {
        Op::Set { path, value } => set(target, &under(base, &path), value),
        Op::Cat { path, text } => cat(target, &under(base, &path), &text),
    }
}

/// `base`, then `path`.
fn under<'a>(base: &[Step<'a>], path: &'a [PathSeg]) -> Vec<Step<'a>> {
    base.iter().copied().chain(path.iter().map(Step::from)).collect()
}

/// Reads the op text and applies its ops in order; stops at the first error (the ops before it
/// stay applied).
pub fn apply_ops_json(target: &mut Option<Value>, json: &str) -> Result<(), OpsError> {
    for op in parse_ops(json)? {
        apply_op(target, op)?;
    }
    Ok(())
}
