//! [`Value`]: everything Flask's session serializer can store, without losing a distinction.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, IntoDeserializer};
use serde::ser::{self, Serialize};

use super::json::FlaskJsonError;

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
#[derive(Debug, Clone, PartialEq)]
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

/// Python's `int`: exact at any size up to Python's 4300-digit conversion limit.
///
/// Values that fit an `i64` are stored inline; larger ones as their canonical decimal digits
/// (no leading zeros, no `-0`), so equality and hashing are by value.
///
/// ```
/// use waxseal::flask::Int;
/// let big: Int = "-18446744073709551616".parse()?;
/// assert_eq!(big.to_string(), "-18446744073709551616");
/// assert_eq!(big.as_i64(), None);
/// assert_eq!(Int::from(5).as_i64(), Some(5));
/// assert_eq!("-0".parse::<Int>()?, Int::from(0));
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Int(IntRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum IntRepr {
    Small(i64),
    /// Canonical decimal of a value outside `i64`: optional `-`, no leading zeros.
    Big(Box<str>),
}

impl Int {
    /// Python refuses to convert integers with more decimal digits than this
    /// (`sys.get_int_max_str_digits()` default), in `json.loads` and `json.dumps` alike.
    ///
    /// ```
    /// assert!("1".repeat(waxseal::flask::Int::MAX_DIGITS + 1).parse::<waxseal::flask::Int>().is_err());
    /// ```
    pub const MAX_DIGITS: usize = 4300;

    /// The value as an `i64`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            IntRepr::Small(i) => Some(*i),
            IntRepr::Big(_) => None,
        }
    }

    /// The value as an `i128`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_i128(), Some(u64::MAX as i128));
    /// ```
    pub fn as_i128(&self) -> Option<i128> {
        match &self.0 {
            IntRepr::Small(i) => Some(i128::from(*i)),
            IntRepr::Big(s) => s.parse().ok(),
        }
    }

    /// The value as a `u64`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_u64(), Some(u64::MAX));
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|i| u64::try_from(i).ok())
    }

    /// The value as a `u128`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u128::MAX).as_u128(), Some(u128::MAX));
    /// ```
    pub fn as_u128(&self) -> Option<u128> {
        match &self.0 {
            IntRepr::Small(i) => u128::try_from(*i).ok(),
            IntRepr::Big(s) => s.parse().ok(),
        }
    }

    /// Parses JSON's integer grammar `-?(0|[1-9][0-9]*)` (already validated by the caller).
    pub(crate) fn from_json_digits(s: &str) -> Result<Int, FlaskJsonError> {
        if s.len() <= 18 {
            // At most 18 digits (or 17 and a sign) always fit an i64.
            return s
                .parse()
                .map(|i| Int(IntRepr::Small(i)))
                .map_err(|_| FlaskJsonError::InvalidInt);
        }
        s.parse()
    }
}

impl std::str::FromStr for Int {
    type Err = FlaskJsonError;

    /// Parses an optional sign and ASCII decimal digits (leading zeros allowed).
    fn from_str(s: &str) -> Result<Int, FlaskJsonError> {
        let (neg, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FlaskJsonError::InvalidInt);
        }
        if digits.len() > Int::MAX_DIGITS {
            return Err(FlaskJsonError::IntTooLarge {
                digits: digits.len(),
            });
        }
        if let Ok(i) = s.parse::<i64>() {
            return Ok(Int(IntRepr::Small(i)));
        }
        let trimmed = digits.trim_start_matches('0');
        // Anything that did not fit i64 has at least 19 significant digits, so it is non-zero.
        let mut canon = String::with_capacity(trimmed.len() + 1);
        if neg {
            canon.push('-');
        }
        canon.push_str(trimmed);
        match canon.parse::<i64>() {
            Ok(i) => Ok(Int(IntRepr::Small(i))),
            Err(_) => Ok(Int(IntRepr::Big(canon.into_boxed_str()))),
        }
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            IntRepr::Small(i) => fmt::Display::fmt(i, f),
            IntRepr::Big(s) => f.write_str(s),
        }
    }
}

impl fmt::Debug for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Int {
    pub(crate) fn write(&self, out: &mut String) {
        match &self.0 {
            IntRepr::Small(i) => out.push_str(itoa::Buffer::new().format(*i)),
            IntRepr::Big(s) => out.push_str(s),
        }
    }
}

macro_rules! int_from_small {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(i: $t) -> Int {
                Int(IntRepr::Small(i64::from(i)))
            }
        }
        impl From<$t> for Value {
            fn from(i: $t) -> Value {
                Value::Int(Int::from(i))
            }
        }
    )*};
}
int_from_small!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! int_from_wide {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(i: $t) -> Int {
                match i64::try_from(i) {
                    Ok(small) => Int(IntRepr::Small(small)),
                    Err(_) => Int(IntRepr::Big(i.to_string().into_boxed_str())),
                }
            }
        }
        impl From<$t> for Value {
            fn from(i: $t) -> Value {
                Value::Int(Int::from(i))
            }
        }
    )*};
}
int_from_wide!(u64, i128, u128, isize, usize);

/// An instant with whole-second precision, as Flask's `" d"` tag stores it.
///
/// Flask writes datetimes with `werkzeug.http.http_date`, which drops sub-second digits and
/// converts to UTC, and reads them back as aware datetimes; so a session datetime is exactly
/// "UTC seconds". The range is Python's: 0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC.
///
/// Flask quirk kept on purpose: years below 100 are written as `0005` but read back by
/// `email.utils` as two-digit years (`0005` → 2005), so they do not round-trip in Flask either.
///
/// ```
/// use waxseal::flask::DateTime;
/// let d = DateTime::from_civil(2015, 10, 21, 7, 28, 0).unwrap();
/// assert_eq!(d.unix_seconds(), 1445412480);
/// assert_eq!(d.to_string(), "Wed, 21 Oct 2015 07:28:00 GMT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
}

const MIN_SECS: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl DateTime {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z, if within years 1..=9999.
    ///
    /// ```
    /// assert!(waxseal::flask::DateTime::from_unix_seconds(0).is_some());
    /// assert!(waxseal::flask::DateTime::from_unix_seconds(i64::MAX).is_none());
    /// ```
    pub fn from_unix_seconds(secs: i64) -> Option<DateTime> {
        (MIN_SECS..=MAX_SECS)
            .contains(&secs)
            .then_some(DateTime { secs })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::DateTime::from_unix_seconds(42).unwrap().unix_seconds(), 42);
    /// ```
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The UTC instant for a proleptic Gregorian date and time, if valid and in range.
    ///
    /// ```
    /// assert!(waxseal::flask::DateTime::from_civil(2024, 2, 29, 0, 0, 0).is_some());
    /// assert!(waxseal::flask::DateTime::from_civil(2023, 2, 29, 0, 0, 0).is_none());
    /// ```
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Option<DateTime> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        DateTime::from_unix_seconds(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
    }

    /// `(year, month, day, hour, minute, second)` in UTC.
    ///
    /// ```
    /// let d = waxseal::flask::DateTime::from_unix_seconds(0).unwrap();
    /// assert_eq!(d.to_civil(), (1970, 1, 1, 0, 0, 0));
    /// ```
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    /// Day of the week, 0 = Monday (Python's `weekday()`).
    fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday (3).
        (self.secs.div_euclid(86_400) + 3).rem_euclid(7) as usize
    }
}

impl fmt::Display for DateTime {
    /// `werkzeug.http.http_date` / `email.utils.format_datetime(usegmt=True)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let (y, mo, d, h, mi, s) = self.to_civil();
        let month = MONTHS.get(mo as usize - 1).copied().unwrap_or("???");
        write!(
            f,
            "{}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT",
            DAYS[self.weekday()]
        )
    }
}

pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
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

pub(crate) fn uuid_hyphenated(u: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// serde bridge

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

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        self.push(v)
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(self.finish())
    }
}
impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        self.push(v)
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(self.finish())
    }
}
impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        self.push(v)
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(self.finish())
    }
}
impl ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Value;
    type Error = FlaskJsonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), FlaskJsonError> {
        self.push(v)
    }
    fn end(self) -> Result<Value, FlaskJsonError> {
        Ok(self.finish())
    }
}

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
