//! An event object parsed for the core alone: as [`lenient::parse_value`] reads it, but the
//! `response` of a lifecycle event keeps only `id`, `error` and `output`, the fields the core
//! reads (a consumer that mirrors the snapshot takes the rest from the event's JSON text). The
//! other fields of the response are still parsed (the same syntax errors, the same nesting
//! limit, the same lenient numbers and escapes) but build nothing.
//!
//! The visitor takes every JSON type: one that refuses a type links serde's `invalid_type`
//! message, and with it float formatting, into the wasm.
//!
//! [`lenient::parse_value`]: super::lenient::parse_value

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The event, its `response` pruned.
pub(super) struct LeanEvent(pub(super) Value);

impl<'de> Deserialize<'de> for LeanEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Lean::Event).map(LeanEvent)
    }
}

/// What is being read: the event (every field kept, its `response` pruned), a response (its
/// kept fields only), or a value parsed and dropped (`null`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lean {
    Event,
    Response,
    Skip,
}

impl<'de> DeserializeSeed<'de> for Lean {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Lean {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Kept(key)) = map.next_key_seed(KeyVisitor(self))? {
            let Some(key) = key else {
                map.next_value_seed(Lean::Skip)?;
                continue;
            };
            let value = if self == Lean::Event && key == "response" {
                map.next_value_seed(Lean::Response)?
            } else {
                map.next_value::<Value>()?
            };
            out.insert(key, value);
        }
        Ok(if self == Lean::Skip { Value::Null } else { Value::Object(out) })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self == Lean::Skip {
            while seq.next_element_seed(Lean::Skip)?.is_some() {}
            return Ok(Value::Null);
        }
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(if self == Lean::Skip { Value::Null } else { Value::String(v.to_owned()) })
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// A key: `Some` when its value is kept (every key of the event; `id`, `error` and `output` of
/// a response; none of a skipped value), copied only then.
struct Kept(Option<String>);

/// Reads a key of a [`Lean`] object.
struct KeyVisitor(Lean);

impl<'de> DeserializeSeed<'de> for KeyVisitor {
    type Value = Kept;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kept, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Kept;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Kept, E> {
        let kept = match self.0 {
            Lean::Event => true,
            Lean::Response => matches!(v, "id" | "error" | "output"),
            Lean::Skip => false,
        };
        Ok(Kept(kept.then(|| v.to_owned())))
    }
}
