//! A token's payload decoded the way its format's loader reads it, for display and for JSON.
//!
//! Flask's session JSON tags Python types that JSON lacks (`{" t": [...]}` is a tuple,
//! `{" b": "..."}` bytes...). In [`Payload::Json`] the value is untagged and each non-JSON type
//! becomes a one-member object whose key starts with `$`, so that any JSON consumer can read it
//! and still tell a tuple from a list:
//!
//! | Python type        | JSON                                               |
//! |--------------------|----------------------------------------------------|
//! | `tuple`            | `{"$tuple": [...]}`                                |
//! | `bytes`            | `{"$bytes": "<hex>"}`                              |
//! | `uuid.UUID`        | `{"$uuid": "12345678-1234-..."}`                   |
//! | `datetime`         | `{"$datetime": "2015-10-21T07:28:00Z"}`            |
//! | `Markup`           | `{"$markup": "<b>hi</b>"}`                         |
//! | int beyond 64 bits | `{"$int": "123456789012345678901234"}`             |
//! | `nan`, `inf`       | `{"$float": "NaN"}` / `"Infinity"` / `"-Infinity"` |
//!
//! Everything else is plain JSON. The exact text the token holds is kept beside it
//! (`Inspection::payload_raw`), and the typed value (`Inspection::value`) for renderings that
//! name the Python types.
//!
//! That JSON is usually the token's own text already: Flask writes compact JSON, and a tuple of a
//! list (how `flash()` stores a message) or Markup of a string differs only in its tag key's name.
//! The parser notes when this holds ([`CompactJson`]), so renderers copy the text instead of
//! serialising the value: a measured 2-3% of a batch `waxseal verify --json` run, which needed it
//! to reach 10 times Python's own `loads` loop (README, batch verification).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::flask::json::{self as fjson, RenamedTags};
use crate::flask::{DateTime, Value};

use super::FormatKind;

/// A payload decoded according to its format.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A JSON value: Flask's tagged JSON untagged (see the module documentation), or an
    /// itsdangerous serializer's JSON. Serialises (`serde`) to the `$`-tagged JSON directly.
    Json(JsonPayload),
    /// A signer's payload that is UTF-8 text.
    Text(String),
    /// A signer's payload that is not UTF-8.
    Bytes(Vec<u8>),
}

/// A JSON payload: the typed value (Flask's Python types kept), which serialises with `serde` to
/// the `$`-tagged JSON of the module documentation without building a second tree.
///
/// ```
/// use waxseal::flask::json;
/// use waxseal::inspect::JsonPayload;
/// let p = JsonPayload::new(json::loads(r#"{"t":{" t":[1,2]}}"#).unwrap());
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"t":{"$tuple":[1,2]}}"#);
/// assert_eq!(p.to_json(), serde_json::json!({"t": {"$tuple": [1, 2]}}));
/// ```
#[derive(Debug, Clone)]
pub struct JsonPayload {
    value: Value,
    /// When the text it was decoded from is its `$`-tagged JSON once these tag keys (byte
    /// offsets) are renamed: see [`CompactJson`].
    renamed_tags: Option<RenamedTags>,
}

/// Payloads are equal when their values are: how the text was written is not part of it.
impl PartialEq for JsonPayload {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl JsonPayload {
    /// Wraps a value.
    ///
    /// ```
    /// use waxseal::inspect::JsonPayload;
    /// let p = JsonPayload::new(waxseal::flask::json::loads(r#"{"a":1}"#).unwrap());
    /// assert_eq!(p.to_json(), serde_json::json!({"a": 1}));
    /// ```
    pub fn new(value: Value) -> JsonPayload {
        JsonPayload {
            value,
            renamed_tags: None,
        }
    }

    /// The typed value.
    ///
    /// ```
    /// use waxseal::flask::{json, Value};
    /// use waxseal::inspect::JsonPayload;
    /// let p = JsonPayload::new(json::loads(r#"{" b":"aGk="}"#).unwrap());
    /// assert_eq!(p.value(), &Value::Bytes(b"hi".to_vec()));
    /// ```
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The `$`-tagged JSON as a `serde_json` tree.
    ///
    /// ```
    /// use waxseal::inspect::JsonPayload;
    /// let p = JsonPayload::new(waxseal::flask::json::loads(r#"{" u":"0123456789abcdef0123456789abcdef"}"#).unwrap());
    /// assert_eq!(p.to_json(), serde_json::json!({"$uuid": "01234567-89ab-cdef-0123-456789abcdef"}));
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        to_json(&self.value)
    }
}

impl Serialize for JsonPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tagged(&self.value).serialize(s)
    }
}

/// A JSON payload's `$`-tagged JSON, given by the token's own payload text: that text, with each
/// tag key of a tuple (`" t"`) or of Markup (`" m"`) renamed (`"$tuple"`, `"$markup"`), when that
/// is exactly what `serde_json::to_string` writes for the payload, and the text is printable
/// ASCII (so writers that escape more than JSON requires write it unchanged too). Renderers copy
/// it instead of serialising the value. Given for Flask session JSON without whitespace, escapes,
/// non-ASCII characters, floats, repeated keys, or tags other than tuples of lists (flashed
/// messages) and Markup of strings; see [`crate::inspect::Inspection::payload_compact_json`].
///
/// ```
/// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
/// let format = TokenFormat::new(FormatKind::Flask);
/// let v = Verifier::decode_only(&format);
/// for (text, json) in [
///     (r#"{"user":"ada","n":[1,2]}"#, Some(r#"{"user":"ada","n":[1,2]}"#)),
///     (r#"{"_flashes":[{" t":["message","Hi"]}]}"#, Some(r#"{"_flashes":[{"$tuple":["message","Hi"]}]}"#)),
///     (r#"{"b":{" b":"aGk="}}"#, None),
///     (r#"{"user": "ada"}"#, None),
/// ] {
///     let token = format.sign_at(&[b"key"], text.as_bytes(), 1_700_000_000).unwrap();
///     let r = v.inspect(token.as_bytes(), Detail::Verify);
///     assert_eq!(r.payload_compact_json().map(|c| c.to_string()).as_deref(), json);
///     let payload = r.payload.as_ref().unwrap();
///     if let Some(json) = json {
///         assert_eq!(serde_json::to_string(payload).unwrap(), json);
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CompactJson<'a> {
    text: &'a str,
    renamed_tags: &'a [u32],
}

impl<'a> CompactJson<'a> {
    /// `payload`'s compact JSON given by `text`, the payload text it was decoded from.
    pub(crate) fn of(payload: &'a JsonPayload, text: &'a str) -> Option<CompactJson<'a>> {
        payload.renamed_tags.as_ref().map(|tags| CompactJson {
            text,
            renamed_tags: tags.as_slice(),
        })
    }

    /// The JSON in pieces, to be written one after another: runs of the text, and the renamed
    /// tag keys between them.
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
    /// let format = TokenFormat::new(FormatKind::Flask);
    /// let token = format.sign_at(&[b"key"], br#"{"t":{" t":[1]}}"#, 0).unwrap();
    /// let r = Verifier::decode_only(&format).inspect(token.as_bytes(), Detail::Verify);
    /// let pieces: Vec<&str> = r.payload_compact_json().unwrap().pieces().collect();
    /// assert_eq!(pieces, [r#"{"t":{"#, r#""$tuple""#, ":[1]}}"]);
    /// ```
    pub fn pieces(&self) -> impl Iterator<Item = &'a str> {
        let (text, renamed) = (self.text, self.renamed_tags);
        // Each renamed key replaces the 4 bytes of `" t"` or `" m"`.
        let mut at = 0;
        renamed
            .iter()
            .flat_map(move |&key| {
                let key = key as usize;
                let before = text.get(at..key).unwrap_or_default();
                at = key + 4;
                let name = match text.as_bytes().get(key + 2) {
                    Some(b't') => "\"$tuple\"",
                    _ => "\"$markup\"",
                };
                [before, name]
            })
            .chain(std::iter::once(
                text.get(renamed.last().map_or(0, |&key| key as usize + 4)..)
                    .unwrap_or_default(),
            ))
            .filter(|piece| !piece.is_empty())
    }
}

/// The JSON text, all pieces together.
impl std::fmt::Display for CompactJson<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces().try_for_each(|piece| f.write_str(piece))
    }
}

/// A value serialised with `$` tags for the types JSON lacks.
struct Tagged<'a>(&'a Value);

fn tagged<S: Serializer, T: Serialize + ?Sized>(s: S, tag: &str, v: &T) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(tag, v)?;
    m.end()
}

impl Serialize for Tagged<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let seq = |s: S, items: &[Value]| {
            let mut q = s.serialize_seq(Some(items.len()))?;
            for i in items {
                q.serialize_element(&Tagged(i))?;
            }
            q.end()
        };
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => match (i.as_i64(), i.as_u64()) {
                (Some(n), _) => s.serialize_i64(n),
                (None, Some(n)) => s.serialize_u64(n),
                _ => tagged(s, "$int", &i.to_string()),
            },
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => tagged(s, "$float", &float_text(*f)),
            Value::Str(t) => s.serialize_str(t),
            Value::List(items) => seq(s, items),
            Value::Tuple(items) => {
                struct Items<'a>(&'a [Value]);
                impl Serialize for Items<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut q = s.serialize_seq(Some(self.0.len()))?;
                        for i in self.0 {
                            q.serialize_element(&Tagged(i))?;
                        }
                        q.end()
                    }
                }
                tagged(s, "$tuple", &Items(items))
            }
            Value::Bytes(b) => tagged(s, "$bytes", &crate::hex::encode(b)),
            Value::Uuid(u) => tagged(s, "$uuid", &uuid_text(u)),
            Value::DateTime(d) => tagged(s, "$datetime", &datetime_text(d)),
            Value::Markup(m) => tagged(s, "$markup", m),
            Value::Dict(d) => {
                let mut m = s.serialize_map(Some(d.len()))?;
                for (k, v) in d {
                    m.serialize_entry(k, &Tagged(v))?;
                }
                m.end()
            }
        }
    }
}

/// A decoded payload: its text and the payload.
pub(crate) type DecodedPayload = (String, Payload);
/// Why a payload did not decode: its text when it was UTF-8, and the reason.
pub(crate) type PayloadFailure = (Option<String>, String);

/// Decodes the opened payload bytes for `kind`: Flask's tagged JSON
/// (`TaggedJSONSerializer.loads`), Python's `json.loads` for the itsdangerous serializers, text
/// or bytes for the signers. Returns the payload and, for JSON formats, the typed value.
pub(crate) fn decode(kind: FormatKind, bytes: Vec<u8>) -> Result<DecodedPayload, PayloadFailure> {
    if !kind.is_json() {
        return Ok(match String::from_utf8(bytes) {
            Ok(text) => (text.clone(), Payload::Text(text)),
            Err(e) => {
                let bytes = e.into_bytes();
                (
                    String::from_utf8_lossy(&bytes).into_owned(),
                    Payload::Bytes(bytes),
                )
            }
        });
    }
    let raw = String::from_utf8(bytes).map_err(|_| (None, "it is not UTF-8 text".to_owned()))?;
    let flask = kind == FormatKind::Flask;
    let parsed = fjson::parse_noting_compact(&raw, flask).map_err(|e| {
        if flask {
            format!("it is not Flask session JSON: {e}")
        } else {
            format!("it is not JSON: {e}")
        }
    });
    match parsed {
        Ok((value, renamed_tags)) => Ok((
            raw,
            Payload::Json(JsonPayload {
                value,
                renamed_tags,
            }),
        )),
        Err(e) => Err((Some(raw), e)),
    }
}

/// A UUID as `12345678-1234-1234-1234-123456789abc` (the one copy is [`crate::flask::uuid_text`]).
///
/// ```
/// let u = [0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc];
/// assert_eq!(waxseal::inspect::uuid_text(&u), "12345678-1234-1234-1234-123456789abc");
/// ```
pub fn uuid_text(u: &[u8; 16]) -> String {
    crate::flask::uuid_text(u)
}

/// A datetime as `2015-10-21T07:28:00Z`.
///
/// ```
/// let d = waxseal::flask::DateTime::from_unix_seconds(1_445_412_480).unwrap();
/// assert_eq!(waxseal::inspect::datetime_text(&d), "2015-10-21T07:28:00Z");
/// ```
pub fn datetime_text(d: &DateTime) -> String {
    d.iso8601()
}

/// A Unix time as `2015-10-21T07:28:00Z`, or `None` when out of the calendar's range.
///
/// ```
/// assert_eq!(waxseal::inspect::utc(1_445_412_480).as_deref(), Some("2015-10-21T07:28:00Z"));
/// assert_eq!(waxseal::inspect::utc(u64::MAX), None);
/// ```
pub fn utc(secs: u64) -> Option<String> {
    let secs = i64::try_from(secs).ok()?;
    DateTime::from_unix_seconds(secs).map(|d| datetime_text(&d))
}

/// A float as Python's `repr` writes it (`1.0`, `NaN`, `Infinity`).
///
/// ```
/// use waxseal::inspect::float_text;
/// assert_eq!(float_text(1.0), "1.0");
/// assert_eq!(float_text(f64::NAN), "NaN");
/// assert_eq!(float_text(f64::NEG_INFINITY), "-Infinity");
/// ```
pub fn float_text(f: f64) -> String {
    let mut s = String::new();
    crate::pyjson::write_f64(&mut s, f);
    s
}

fn wrap(tag: &str, value: serde_json::Value) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert(tag.to_owned(), value);
    serde_json::Value::Object(m)
}

/// The JSON rendering of a Flask value (see the module documentation).
///
/// ```
/// use waxseal::flask::json;
/// let v = json::loads(r#"{"t":{" t":[1,2]},"b":{" b":"AGFi"}}"#).unwrap();
/// assert_eq!(
///     waxseal::inspect::to_json(&v).to_string(),
///     r#"{"t":{"$tuple":[1,2]},"b":{"$bytes":"006162"}}"#
/// );
/// ```
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => match (i.as_i64(), i.as_u64()) {
            (Some(n), _) => J::from(n),
            (None, Some(n)) => J::from(n),
            _ => wrap("$int", J::String(i.to_string())),
        },
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => J::Number(n),
            None => wrap("$float", J::String(float_text(*f))),
        },
        Value::Str(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Tuple(items) => wrap("$tuple", J::Array(items.iter().map(to_json).collect())),
        Value::Bytes(b) => wrap("$bytes", J::String(crate::hex::encode(b))),
        Value::Uuid(u) => wrap("$uuid", J::String(uuid_text(u))),
        Value::DateTime(d) => wrap("$datetime", J::String(datetime_text(d))),
        Value::Markup(m) => wrap("$markup", J::String(m.clone())),
        Value::Dict(d) => J::Object(d.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

impl Serialize for Payload {
    /// The JSON form (see [`Payload::to_json`]), written without building a tree.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::Json(v) => v.serialize(s),
            Payload::Text(t) => s.serialize_str(t),
            Payload::Bytes(b) => tagged(s, "$bytes", &crate::hex::encode(b)),
        }
    }
}

impl Payload {
    /// The JSON form: the value for [`Payload::Json`], a string for [`Payload::Text`],
    /// `{"$bytes": "<hex>"}` for [`Payload::Bytes`].
    ///
    /// ```
    /// use waxseal::inspect::Payload;
    /// assert_eq!(Payload::Text("hi".into()).to_json(), serde_json::json!("hi"));
    /// assert_eq!(Payload::Bytes(vec![0xff, 0]).to_json(), serde_json::json!({"$bytes": "ff00"}));
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Payload::Json(v) => v.to_json(),
            Payload::Text(t) => serde_json::Value::String(t.clone()),
            Payload::Bytes(b) => wrap("$bytes", serde_json::Value::String(crate::hex::encode(b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_tags_become_dollar_objects() {
        let raw = r#"{"b":{" b":"AGFi"},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"t":{" t":[1,2]},"n":NaN,"i":123456789012345678901234567890}"#;
        let (text, payload) =
            decode(FormatKind::Flask, raw.as_bytes().to_vec()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(text, raw);
        let want = serde_json::json!({
                "b": {"$bytes": "006162"}, "d": {"$datetime": "2015-10-21T07:28:00Z"},
                "t": {"$tuple": [1, 2]}, "n": {"$float": "NaN"},
                "i": {"$int": "123456789012345678901234567890"}
        });
        assert_eq!(payload.to_json(), want);
        // Serialising directly gives the same JSON as the tree.
        let direct: serde_json::Value = serde_json::from_str(
            &serde_json::to_string(&payload).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(direct, want);
    }

    #[test]
    fn signer_payloads_are_text_or_bytes() {
        let (_, p) = decode(FormatKind::Signer, b"hi".to_vec()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p, Payload::Text("hi".into()));
        let (raw, p) =
            decode(FormatKind::Signer, vec![0xff, 0]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(raw, "\u{fffd}\u{0}");
        assert_eq!(p.to_json(), serde_json::json!({"$bytes": "ff00"}));
    }

    #[test]
    fn bad_json_keeps_the_raw_text() {
        let err = decode(FormatKind::Flask, br#"{"a":[1,}"#.to_vec()).unwrap_err();
        assert_eq!(err.0.as_deref(), Some(r#"{"a":[1,}"#));
        assert!(err.1.contains("Flask session JSON"), "{}", err.1);
        let err = decode(FormatKind::Serializer, vec![0xff]).unwrap_err();
        assert_eq!(err.0, None);
    }
}
