//! [`Value`]: everything Flask's session serializer can store, without losing a distinction.

use indexmap::IndexMap;

pub use super::datetime::DateTime;
pub use super::int::Int;
pub use super::serde_bridge::{from_value, to_value};

/// An insertion-ordered dict with string keys (Python's `dict` as JSON sees it).
///
/// Keys are always strings: Python's `json` turns `int`/`float`/`bool`/`None` keys into strings
/// anyway, so after one trip through a Flask session a Python dict has only string keys.
///
/// ```
/// let mut d = waxseal::flask::Dict::default();
/// d.insert("user".to_string(), waxseal::flask::Value::from(1));
/// assert_eq!(d.len(), 1);
/// ```
pub type Dict = IndexMap<String, Value, DictHasher>;

/// The hasher of [`Dict`]: foldhash, randomly seeded per map.
///
/// Much faster than the standard library's SipHash on the short keys sessions use (a measurable
/// part of loading a session), and its per-map random seed keeps keys from being chosen to
/// collide. Dicts are parsed from verified tokens, or from tokens the caller chose to inspect,
/// whose size the decompression cap already bounds.
pub type DictHasher = foldhash::fast::RandomState;

/// A Python value as Flask's `TaggedJSONSerializer` stores it.
///
/// Equality is structural; `Float(NaN) != Float(NaN)` as in Python. Compare serialised bytes
/// ([`crate::flask::json::dumps`]) when NaN matters.
///
/// Dropping (or serialising) a value nested deeper than the parser's depth limit is the
/// caller's responsibility: [`crate::flask::json::dumps`] rejects such values with an error,
/// like Python's `RecursionError`.
///
/// ```
/// use waxseal::flask::Value;
/// let flashes = Value::List(vec![("message", "Hello").into(), ("error", "x").into()]);
/// assert_eq!(waxseal::flask::json::dumps(&flashes)?,
///            r#"[{" t":["message","Hello"]},{" t":["error","x"]}]"#);
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
/// `Display` writes Flask-JSON-like text and `Debug` shows UUIDs, datetimes and bytes readably
/// (see their implementations).
#[derive(Clone, PartialEq)]
pub enum Value {
    /// `None`.
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// `int`, of any size (see [`Int`]).
    Int(Int),
    /// `float`, including `NaN` and `±Infinity` (which Python's `json` reads and writes).
    Float(f64),
    /// `str`.
    Str(String),
    /// `list`.
    List(Vec<Value>),
    /// `tuple` (tag `" t"`).
    Tuple(Vec<Value>),
    /// `bytes` (tag `" b"`, standard base64).
    Bytes(Vec<u8>),
    /// `uuid.UUID` (tag `" u"`, 32 lowercase hex digits), as its 16 big-endian bytes.
    Uuid([u8; 16]),
    /// An aware UTC `datetime.datetime` with whole seconds (tag `" d"`, an HTTP date).
    DateTime(DateTime),
    /// `markupsafe.Markup` (tag `" m"`), holding the `__html__()` text.
    Markup(String),
    /// `dict` with string keys, in insertion order (written sorted by key).
    Dict(Dict),
}

impl Value {
    /// Python's `bool(value)`: false for `None`, `False`, zero, empty strings, bytes and
    /// containers; true otherwise (NaN, UUIDs and datetimes included).
    ///
    /// ```
    /// use waxseal::flask::Value;
    /// assert!(!Value::Null.is_truthy() && !Value::from(0).is_truthy() && !Value::from("").is_truthy());
    /// assert!(Value::from(f64::NAN).is_truthy() && Value::from("no").is_truthy());
    /// ```
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => i.as_i64() != Some(0),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) | Value::Markup(s) => !s.is_empty(),
            Value::List(v) | Value::Tuple(v) => !v.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Uuid(_) | Value::DateTime(_) => true,
        }
    }

    /// The member `key` when this is a [`Value::Dict`].
    ///
    /// ```
    /// let v = waxseal::flask::json::loads(r#"{"a":1}"#)?;
    /// assert_eq!(v.get("a"), Some(&1.into()));
    /// assert_eq!(v.get("b"), None);
    /// # Ok::<(), waxseal::flask::FlaskJsonError>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(d) => d.get(key),
            _ => None,
        }
    }

    /// The text of a [`Value::Str`] or [`Value::Markup`].
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Value::from("hi").as_str(), Some("hi"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Markup(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, when it is an [`Value::Int`] that fits an `i64`.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Value::from(7).as_i64(), Some(7));
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => i.as_i64(),
            _ => None,
        }
    }

    /// The boolean of a [`Value::Bool`].
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Value::from(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<f32> for Value {
    fn from(f: f32) -> Value {
        Value::Float(f64::from(f))
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
/// Python `bytes`.
impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }
}
/// Python `bytes`, without copying.
///
/// ```
/// use waxseal::flask::Value;
/// assert_eq!(Value::from(b"ab".to_vec()), Value::Bytes(vec![b'a', b'b']));
/// ```
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}
impl From<Int> for Value {
    fn from(i: Int) -> Value {
        Value::Int(i)
    }
}
impl From<DateTime> for Value {
    fn from(d: DateTime) -> Value {
        Value::DateTime(d)
    }
}
impl From<Dict> for Value {
    fn from(d: Dict) -> Value {
        Value::Dict(d)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::List(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map_or(Value::Null, Into::into)
    }
}
/// A Rust pair becomes a Python tuple (as Flask's flashed messages are).
impl<A: Into<Value>, B: Into<Value>> From<(A, B)> for Value {
    fn from((a, b): (A, B)) -> Value {
        Value::Tuple(vec![a.into(), b.into()])
    }
}
impl<A: Into<Value>, B: Into<Value>, C: Into<Value>> From<(A, B, C)> for Value {
    fn from((a, b, c): (A, B, C)) -> Value {
        Value::Tuple(vec![a.into(), b.into(), c.into()])
    }
}
impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Value {
        Value::Dict(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}
