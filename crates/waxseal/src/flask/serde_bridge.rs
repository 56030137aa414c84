//! The serde bridge: [`to_value`] and [`from_value`] convert between [`Value`] and any serde
//! type, and `Value` itself implements `Serialize`.

use serde::de::{self, IntoDeserializer};
use serde::ser::{self, Serialize};

use super::error::FlaskJsonError;
use super::value::{Dict, Value};
use crate::hex::uuid_hyphenated;

/// Serialises a [`Value`] as the plain data it holds: tuples as sequences, bytes as bytes,
/// UUIDs as hyphenated strings, datetimes as HTTP dates, Markup as its text, big integers as
/// `i128`/`u128` when they fit and as decimal strings otherwise.
impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => match (i.as_i64(), i.as_i128(), i.as_u128()) {
                (Some(small), _, _) => s.serialize_i64(small),
                (None, Some(wide), _) => match u64::try_from(wide) {
                    Ok(u) => s.serialize_u64(u),
                    Err(_) => s.serialize_i128(wide),
                },
                (None, None, Some(wide)) => s.serialize_u128(wide),
                (None, None, None) => s.serialize_str(&i.to_string()),
            },
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(t) | Value::Markup(t) => s.serialize_str(t),
            Value::List(items) | Value::Tuple(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Bytes(b) => s.serialize_bytes(b),
            Value::Uuid(u) => s.serialize_str(&uuid_hyphenated(u)),
            Value::DateTime(d) => s.collect_str(d),
            Value::Dict(d) => {
                let mut map = s.serialize_map(Some(d.len()))?;
                for (k, v) in d {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Converts any serde value into a [`Value`].
///
/// Mapping: integers → [`Value::Int`] (exact, `i128`/`u128` too), floats → [`Value::Float`]
/// (NaN kept; `f32` widened), strings/chars → [`Value::Str`], byte strings → [`Value::Bytes`],
/// sequences → [`Value::List`], Rust tuples and tuple structs → [`Value::Tuple`], maps and
/// structs → [`Value::Dict`], `None`/`()` → [`Value::Null`], unit enum variants → their name,
/// other enum variants → `{name: content}` (serde's externally tagged form). Map keys must be
/// strings, chars, integers, floats or bools; non-string keys become strings the way Python's
/// `json.dumps` coerces them (`1` → `"1"`, `true` → `"true"`, `1.5` → `"1.5"`).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Session { user_id: u32, flashes: Vec<(String, String)> }
/// let v = waxseal::flask::to_value(&Session { user_id: 1, flashes: vec![("message".into(), "Hi".into())] })?;
/// assert_eq!(waxseal::flask::json::dumps(&v)?, r#"{"flashes":[{" t":["message","Hi"]}],"user_id":1}"#);
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, FlaskJsonError> {
    value.serialize(ValueSerializer)
}

/// Converts a [`Value`] into any deserialisable type.
///
/// Tuples and lists both deserialise as sequences; bytes as bytes (or a sequence); UUIDs as
/// their hyphenated string; datetimes as their HTTP date string; Markup as its text; big
/// integers as `i128`/`u128` when they fit. Enums are read from a string (unit variants) or a
/// one-member dict.
///
/// ```
/// #[derive(serde::Deserialize, PartialEq, Debug)]
/// struct Session { _fresh: bool, _user_id: String }
/// let v = waxseal::flask::json::loads(r#"{"_fresh":true,"_user_id":"1"}"#)?;
/// let s: Session = waxseal::flask::from_value(v)?;
/// assert_eq!(s, Session { _fresh: true, _user_id: "1".into() });
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn from_value<T: de::DeserializeOwned>(value: Value) -> Result<T, FlaskJsonError> {
    T::deserialize(value)
}

struct ValueSerializer;

struct SeqBuilder {
    items: Vec<Value>,
    tuple: bool,
    variant: Option<&'static str>,
}

struct MapBuilder {
    map: Dict,
    key: Option<String>,
    variant: Option<&'static str>,
}

fn wrap_variant(variant: Option<&'static str>, v: Value) -> Value {
    match variant {
        Some(name) => Value::Dict(std::iter::once((name.to_owned(), v)).collect()),
        None => v,
    }
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = FlaskJsonError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = MapBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value, FlaskJsonError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_u8(self, v: u8) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_f32(self, v: f32) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_char(self, v: char) -> Result<Value, FlaskJsonError> {
        Ok(Value::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, FlaskJsonError> {
        Ok(v.into())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, FlaskJsonError> {
        Ok(Value::Bytes(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, FlaskJsonError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, FlaskJsonError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, FlaskJsonError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, FlaskJsonError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, FlaskJsonError> {
        Ok(variant.into())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Value, FlaskJsonError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, FlaskJsonError> {
        Ok(wrap_variant(Some(variant), v.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, FlaskJsonError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0).min(1024)),
            tuple: false,
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, FlaskJsonError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.min(1024)),
            tuple: true,
            variant: None,
        })
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, FlaskJsonError> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, FlaskJsonError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.min(1024)),
            tuple: true,
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapBuilder, FlaskJsonError> {
        Ok(MapBuilder {
            map: Dict::default(),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapBuilder, FlaskJsonError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<MapBuilder, FlaskJsonError> {
        Ok(MapBuilder {
            map: Dict::default(),
            key: None,
            variant: Some(variant),
        })
    }
}

impl SeqBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        self.items.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn finish(self) -> Value {
        let v = if self.tuple {
            Value::Tuple(self.items)
        } else {
            Value::List(self.items)
        };
        wrap_variant(self.variant, v)
    }
}

/// serde has one trait per sequence shape; for a [`Value`] they all push an element.
macro_rules! seq_builder_impls {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for SeqBuilder {
            type Ok = Value;
            type Error = FlaskJsonError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
                self.push(v)
            }
            fn end(self) -> Result<Value, FlaskJsonError> {
                Ok(self.finish())
            }
        }
    )*};
}
seq_builder_impls!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), FlaskJsonError> {
        self.key = Some(key_string(k.serialize(ValueSerializer)?)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| FlaskJsonError::Serde("map value without a key".into()))?;
        self.map.insert(key, v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(wrap_variant(self.variant, Value::Dict(self.map)))
    }
}
impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), FlaskJsonError> {
        self.map
            .insert(key.to_owned(), v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(wrap_variant(self.variant, Value::Dict(self.map)))
    }
}
impl ser::SerializeStructVariant for MapBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), FlaskJsonError> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        ser::SerializeStruct::end(self)
    }
}

/// Python's `json.dumps` key coercion: str stays, int → decimal, float → repr, bool →
/// `true`/`false`, `None` → `null`.
fn key_string(k: Value) -> Result<String, FlaskJsonError> {
    match k {
        Value::Str(s) => Ok(s),
        Value::Int(i) => Ok(i.to_string()),
        Value::Bool(b) => Ok(if b { "true" } else { "false" }.to_owned()),
        Value::Null => Ok("null".to_owned()),
        Value::Float(f) => {
            let mut s = String::new();
            crate::pyjson::write_f64(&mut s, f);
            Ok(s)
        }
        other => Err(FlaskJsonError::Serde(format!(
            "dict keys must be strings, numbers or bools, not {other:?}"
        ))),
    }
}

impl<'de> IntoDeserializer<'de, FlaskJsonError> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = FlaskJsonError;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, FlaskJsonError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => match (i.as_i64(), i.as_i128(), i.as_u128()) {
                (Some(small), _, _) => visitor.visit_i64(small),
                (None, Some(wide), _) => match u64::try_from(wide) {
                    Ok(u) => visitor.visit_u64(u),
                    Err(_) => visitor.visit_i128(wide),
                },
                (None, None, Some(wide)) => visitor.visit_u128(wide),
                (None, None, None) => visitor.visit_string(i.to_string()),
            },
            Value::Float(f) => visitor.visit_f64(f),
            Value::Str(s) | Value::Markup(s) => visitor.visit_string(s),
            Value::List(items) | Value::Tuple(items) => {
                let mut seq = de::value::SeqDeserializer::new(items.into_iter());
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Bytes(b) => visitor.visit_byte_buf(b),
            Value::Uuid(u) => visitor.visit_string(uuid_hyphenated(&u)),
            Value::DateTime(d) => visitor.visit_string(d.to_string()),
            Value::Dict(d) => {
                let mut map =
                    de::value::MapDeserializer::new(d.into_iter().map(|(k, v)| (MapKey(k), v)));
                let v = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(v)
            }
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, FlaskJsonError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, FlaskJsonError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FlaskJsonError> {
        match self {
            Value::Str(s) => visitor.visit_enum(s.into_deserializer()),
            Value::Dict(d) if d.len() == 1 => {
                visitor.visit_enum(de::value::MapAccessDeserializer::new(
                    de::value::MapDeserializer::new(d.into_iter()),
                ))
            }
            other => Err(de::Error::custom(format!(
                "expected an enum (string or one-member dict), found {other:?}"
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A dict key on its way into serde: a string that numeric and bool map keys are parsed from,
/// undoing the coercion [`to_value`] (and Python's `json.dumps`) applied.
struct MapKey(String);

impl<'de> IntoDeserializer<'de, FlaskJsonError> for MapKey {
    type Deserializer = MapKey;
    fn into_deserializer(self) -> MapKey {
        self
    }
}

macro_rules! parse_key {
    ($($method:ident => $visit:ident),* $(,)?) => {$(
        fn $method<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, FlaskJsonError> {
            match self.0.parse() {
                Ok(v) => visitor.$visit(v),
                Err(_) => Err(de::Error::invalid_value(de::Unexpected::Str(&self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for MapKey {
    type Error = FlaskJsonError;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, FlaskJsonError> {
        visitor.visit_string(self.0)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, FlaskJsonError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FlaskJsonError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    parse_key! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8, deserialize_i16 => visit_i16, deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64, deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8, deserialize_u16 => visit_u16, deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64, deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32, deserialize_f64 => visit_f64,
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf option unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}
