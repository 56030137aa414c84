//! How a [`Value`] reads to people: `Display` as Flask-JSON-like text, and a `Debug` that shows
//! UUIDs, datetimes and bytes in their readable forms rather than as arrays of numbers.
//!
//! Neither is a wire format: [`crate::flask::json::dumps`] writes what Flask stores.

use std::fmt::{self, Write as _};

use super::value::Value;

/// A UUID as `12345678-1234-1234-1234-123456789abc` (Python's `str(uuid)`).
///
/// ```
/// let u = [0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc];
/// assert_eq!(waxseal::flask::uuid_text(&u), "12345678-1234-1234-1234-123456789abc");
/// ```
pub fn uuid_text(u: &[u8; 16]) -> String {
    let h = crate::hex::encode(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Python's `repr()` of a bytes object: `b'\x00ab'`, using `"` when the bytes contain `'` but
/// not `"`, exactly as Python chooses.
///
/// ```
/// assert_eq!(waxseal::flask::bytes_repr(b"\x00a'b"), r#"b"\x00a'b""#);
/// assert_eq!(waxseal::flask::bytes_repr(b"tab\there"), r"b'tab\there'");
/// ```
pub fn bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('b');
    out.push(char::from(quote));
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(char::from(quote));
    out
}

fn write_str_literal(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    // serde_json's escaping: the JSON string Flask would write, non-ASCII kept readable.
    match serde_json::to_string(s) {
        Ok(quoted) => f.write_str(&quoted),
        Err(_) => write!(f, "{s:?}"),
    }
}

fn write_items<'a>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = &'a Value>,
) -> fmt::Result {
    for (i, v) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        fmt::Display::fmt(v, f)?;
    }
    Ok(())
}

/// Flask-JSON-like text: JSON values as `json.dumps` writes them (`", "` and `": "` separators,
/// keys in insertion order, `NaN`/`Infinity`), and the types JSON lacks in Python's notation:
/// tuples `(1, 2)`, bytes `b'..'`, `UUID('..')`, datetimes in ISO 8601, `Markup('..')`.
///
/// ```
/// use waxseal::flask::{json, Value};
/// let v = json::loads(r#"{"id":{" u":"12345678123412341234123456789abc"},"t":{" t":[1,"a"]},"b":{" b":"AGE="},"at":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"n":null}"#)?;
/// assert_eq!(
///     v.to_string(),
///     r#"{"id": UUID('12345678-1234-1234-1234-123456789abc'), "t": (1, "a"), "b": b'\x00a', "at": 2015-10-21T07:28:00Z, "n": null}"#
/// );
/// assert_eq!(Value::Tuple(vec![1.into()]).to_string(), "(1,)");
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Int(i) => fmt::Display::fmt(i, f),
            Value::Float(x) => {
                let mut s = String::new();
                crate::pyjson::write_f64(&mut s, *x);
                f.write_str(&s)
            }
            Value::Str(s) => write_str_literal(f, s),
            Value::List(items) => {
                f.write_str("[")?;
                write_items(f, items.iter())?;
                f.write_str("]")
            }
            Value::Tuple(items) => {
                f.write_str("(")?;
                write_items(f, items.iter())?;
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            Value::Bytes(b) => f.write_str(&bytes_repr(b)),
            Value::Uuid(u) => write!(f, "UUID('{}')", uuid_text(u)),
            Value::DateTime(d) => f.write_str(&d.iso8601()),
            Value::Markup(s) => {
                f.write_str("Markup(")?;
                write_str_literal(f, s)?;
                f.write_str(")")
            }
            Value::Dict(d) => {
                f.write_str("{")?;
                for (i, (k, v)) in d.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_str_literal(f, k)?;
                    f.write_str(": ")?;
                    fmt::Display::fmt(v, f)?;
                }
                f.write_str("}")
            }
        }
    }
}

/// The variant and its contents, with UUIDs hyphenated, datetimes in ISO 8601 and bytes as a
/// Python bytes literal; `{:#?}` nests as usual.
///
/// ```
/// use waxseal::flask::{DateTime, Value};
/// assert_eq!(format!("{:?}", Value::Bytes(b"a\x00".to_vec())), r"Bytes(b'a\x00')");
/// assert_eq!(format!("{:?}", Value::Uuid([0xab; 16])), "Uuid(abababab-abab-abab-abab-abababababab)");
/// let d = DateTime::from_unix_seconds(1_445_412_480).unwrap();
/// assert_eq!(format!("{:?}", Value::DateTime(d)), "DateTime(2015-10-21T07:28:00Z)");
/// assert_eq!(format!("{:?}", Value::from(vec![Value::Null])), "List([Null])");
/// ```
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let readable = |f: &mut fmt::Formatter<'_>, name: &str, text: &str| {
            f.debug_tuple(name).field(&format_args!("{text}")).finish()
        };
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Value::Int(i) => f.debug_tuple("Int").field(i).finish(),
            Value::Float(x) => f.debug_tuple("Float").field(x).finish(),
            Value::Str(s) => f.debug_tuple("Str").field(s).finish(),
            Value::List(v) => f.debug_tuple("List").field(v).finish(),
            Value::Tuple(v) => f.debug_tuple("Tuple").field(v).finish(),
            Value::Bytes(b) => readable(f, "Bytes", &bytes_repr(b)),
            Value::Uuid(u) => readable(f, "Uuid", &uuid_text(u)),
            Value::DateTime(d) => readable(f, "DateTime", &d.iso8601()),
            Value::Markup(s) => f.debug_tuple("Markup").field(s).finish(),
            Value::Dict(d) => f.debug_tuple("Dict").field(d).finish(),
        }
    }
}
