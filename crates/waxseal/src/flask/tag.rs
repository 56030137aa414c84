//! Flask's `TaggedJSONSerializer` tags (`flask/json/tag.py`, Flask 3.1.3).
//!
//! A tagged value is a JSON object with exactly one member whose key is a tag:
//!
//! | key    | Python type          | payload                                             |
//! |--------|----------------------|-----------------------------------------------------|
//! | `" di"`| one-key dict whose key is itself a tag | `{"<key>__": tagged value}`      |
//! | `" t"` | `tuple`              | array of tagged items                               |
//! | `" b"` | `bytes`              | `base64.b64encode` (standard alphabet, padded)      |
//! | `" m"` | `markupsafe.Markup`  | the `__html__()` text                               |
//! | `" u"` | `uuid.UUID`          | `.hex` (32 lowercase hex digits)                    |
//! | `" d"` | `datetime.datetime`  | `werkzeug.http.http_date` (`Wed, 21 Oct 2015 07:28:00 GMT`) |
//!
//! Tagging happens in Flask's order — dict-of-one-tag-key, dict, tuple, list, bytes, Markup,
//! UUID, datetime — and is fused into [`crate::flask::json::dumps`]. Untagging is applied
//! bottom-up by [`crate::flask::json::loads`] to every object of exactly one member whose key
//! is a tag, after its children were untagged, as `_untag_scan` does.
//!
//! Payloads Flask never writes are decoded the way Python would decode them where that is
//! cheap to reproduce (a `" t"` of a string is a tuple of its characters, `" b"` ignores
//! non-alphabet characters like `b64decode`, `" d"` that `parse_date` cannot read becomes
//! `None`, `" di"` keeps only the first key with its last two characters cut). Where Python
//! would raise, or would build something out of scope (the `repr` of a list inside `Markup`),
//! [`untag`] returns [`FlaskJsonError::BadTag`].
//!
//! The tag set is fixed to Flask's defaults: tags an application adds with
//! `TaggedJSONSerializer.register` are not supported, and their objects (`{" f": …}`) load as
//! ordinary one-member dicts.
//!
//! ```
//! use waxseal::flask::{json, tag, Value};
//! assert!(tag::is_tag_key(" t"));
//! let v = json::loads(r#"{" di":{" t__":[1]}}"#)?;
//! let inner: Value = [(" t", Value::List(vec![1.into()]))].into_iter().collect();
//! assert_eq!(v, inner);
//! # Ok::<(), waxseal::flask::FlaskJsonError>(())
//! ```

use super::error::FlaskJsonError;
use super::value::{DateTime, Value};
use crate::hex::{self, uuid_hyphenated};

/// `TagDict` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::DICT, " di");
/// ```
pub const DICT: &str = " di";
/// `TagTuple` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::TUPLE, " t");
/// ```
pub const TUPLE: &str = " t";
/// `TagBytes` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::BYTES, " b");
/// ```
pub const BYTES: &str = " b";
/// `TagMarkup` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::MARKUP, " m");
/// ```
pub const MARKUP: &str = " m";
/// `TagUUID` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::UUID, " u");
/// ```
pub const UUID: &str = " u";
/// `TagDateTime` key.
///
/// ```
/// assert_eq!(waxseal::flask::tag::DATETIME, " d");
/// ```
pub const DATETIME: &str = " d";

/// Whether `key` is one of Flask's default tag keys (`serializer.tags`).
///
/// ```
/// assert!(waxseal::flask::tag::is_tag_key(" di"));
/// assert!(!waxseal::flask::tag::is_tag_key("t"));
/// ```
pub fn is_tag_key(key: &str) -> bool {
    matches!(key, " di" | " t" | " b" | " m" | " u" | " d")
}

fn bad(tag: &'static str, reason: impl Into<String>) -> FlaskJsonError {
    FlaskJsonError::BadTag {
        tag,
        reason: reason.into(),
    }
}

/// `serializer.tags[key].to_python(value)`: turns a tag payload (already untagged itself)
/// back into its Python type.
///
/// ```
/// use waxseal::flask::{tag, Value};
/// assert_eq!(tag::untag(" b", Value::Str("aGk=".into()))?, Value::Bytes(b"hi".to_vec()));
/// assert!(tag::untag(" u", Value::Int(1.into())).is_err());
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn untag(key: &str, value: Value) -> Result<Value, FlaskJsonError> {
    match key {
        TUPLE => untag_tuple(value),
        BYTES => match value {
            Value::Str(s) | Value::Markup(s) => {
                if !s.is_ascii() {
                    return Err(bad(
                        BYTES,
                        "string argument should contain only ASCII characters",
                    ));
                }
                b64decode_lenient(s.as_bytes())
                    .map(Value::Bytes)
                    .map_err(|r| bad(BYTES, r))
            }
            Value::Bytes(b) => b64decode_lenient(&b)
                .map(Value::Bytes)
                .map_err(|r| bad(BYTES, r)),
            other => Err(bad(
                BYTES,
                format!("cannot base64-decode {}", type_name(&other)),
            )),
        },
        MARKUP => markup_text(value).map(Value::Markup),
        UUID => match value {
            Value::Str(s) | Value::Markup(s) => parse_uuid(&s)
                .map(Value::Uuid)
                .ok_or_else(|| bad(UUID, "badly formed hexadecimal UUID string")),
            other => Err(bad(
                UUID,
                format!("UUID() needs a string, not {}", type_name(&other)),
            )),
        },
        DATETIME => untag_datetime(value),
        DICT => match value {
            Value::Dict(mut d) if !d.is_empty() => {
                // to_python takes the first key only and cuts its last two characters
                // (the "__" TagDict appended), by code point.
                let (k, v) = d
                    .swap_remove_index(0)
                    .ok_or_else(|| bad(DICT, "empty dict"))?;
                let cut = k.char_indices().rev().nth(1).map_or(0, |(i, _)| i);
                Ok(Value::Dict(
                    std::iter::once((k[..cut].to_owned(), v)).collect(),
                ))
            }
            other => Err(bad(
                DICT,
                format!("expected a non-empty dict, found {}", type_name(&other)),
            )),
        },
        _ => Err(FlaskJsonError::BadTag {
            tag: "?",
            reason: format!("{key:?} is not a tag"),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "None",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Bytes(_) => "bytes",
        Value::Uuid(_) => "UUID",
        Value::DateTime(_) => "datetime",
        Value::Markup(_) => "Markup",
        Value::Dict(_) => "dict",
    }
}

/// `tuple(value)`: iterates whatever it is given.
fn untag_tuple(value: Value) -> Result<Value, FlaskJsonError> {
    Ok(Value::Tuple(match value {
        Value::List(items) | Value::Tuple(items) => items,
        Value::Str(s) | Value::Markup(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
        Value::Dict(d) => d.into_keys().map(Value::Str).collect(),
        Value::Bytes(b) => b.into_iter().map(Value::from).collect(),
        other => return Err(bad(TUPLE, format!("{} is not iterable", type_name(&other)))),
    }))
}

/// `Markup(value)`: `str(value)` for the scalars whose `str` is easy to reproduce.
fn markup_text(value: Value) -> Result<String, FlaskJsonError> {
    Ok(match value {
        Value::Str(s) | Value::Markup(s) => s,
        Value::Null => "None".to_owned(),
        Value::Bool(b) => if b { "True" } else { "False" }.to_owned(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                "nan".to_owned()
            } else if f.is_infinite() {
                if f > 0.0 { "inf" } else { "-inf" }.to_owned()
            } else {
                let mut s = String::new();
                crate::pyjson::write_float_repr(&mut s, f);
                s
            }
        }
        Value::Uuid(u) => uuid_hyphenated(&u),
        other => {
            return Err(bad(
                MARKUP,
                format!("Markup of a {} is not supported", type_name(&other)),
            ))
        }
    })
}

/// `uuid.UUID(hex)`: drops `urn:` / `uuid:`, surrounding braces and hyphens, then needs 32 hex
/// digits. (Python's `int()` would also accept `+`, `_` and surrounding whitespace there; those
/// forms are rejected.)
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let s = s.replace("urn:", "").replace("uuid:", "");
    let s = s.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    let b = s.as_bytes();
    if b.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = hex::digit_value(pair[0])? * 16 + hex::digit_value(pair[1])?;
    }
    Some(out)
}

/// `base64.b64decode(s)` (non-validating): characters outside the alphabet are skipped, decoding
/// stops at a complete padding sequence, and leftover bits must be properly padded.
fn b64decode_lenient(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut quad_pos = 0u8;
    let mut left = 0u32;
    let mut pads = 0u8;
    let mut data_chars = 0usize;
    for &c in input {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        let v = u32::from(v);
        pads = 0;
        data_chars += 1;
        match quad_pos {
            0 => {
                left = v;
                quad_pos = 1;
            }
            1 => {
                out.push(((left << 2) | (v >> 4)) as u8);
                left = v & 0x0f;
                quad_pos = 2;
            }
            2 => {
                out.push(((left << 4) | (v >> 2)) as u8);
                left = v & 0x03;
                quad_pos = 3;
            }
            _ => {
                out.push(((left << 6) | v) as u8);
                quad_pos = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(format!(
            "Invalid base64-encoded string: number of data characters ({data_chars}) cannot be 1 more than a multiple of 4"
        )),
        _ => Err("Incorrect padding".to_owned()),
    }
}

/// `werkzeug.http.parse_date(value)`: `None` when it cannot be parsed, as Werkzeug returns.
fn untag_datetime(value: Value) -> Result<Value, FlaskJsonError> {
    let s = match value {
        Value::Str(s) | Value::Markup(s) => s,
        // `_parsedate_tz` returns None for falsy input → ValueError → parse_date gives None.
        Value::Null | Value::Bool(false) => return Ok(Value::Null),
        Value::Int(ref i) if i.as_i64() == Some(0) => return Ok(Value::Null),
        // Float patterns compare with ==, so -0.0 (also falsy in Python) matches too.
        Value::Float(0.0) => return Ok(Value::Null),
        Value::List(ref v) | Value::Tuple(ref v) if v.is_empty() => return Ok(Value::Null),
        Value::Dict(ref d) if d.is_empty() => return Ok(Value::Null),
        // bytes.split() works, then bytes.endswith(str) raises TypeError, which is caught.
        Value::Bytes(_) => return Ok(Value::Null),
        other => {
            return Err(bad(
                DATETIME,
                format!("{} has no attribute 'split'", type_name(&other)),
            ))
        }
    };
    match parse_date(&s)? {
        Some(d) => Ok(Value::DateTime(d)),
        None => Ok(Value::Null),
    }
}

fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `int(s)` for ASCII input: surrounding whitespace, a sign, digits with single `_`
/// between them. `Err(())` when Python would raise `ValueError`.
fn py_int(s: &str) -> Result<i128, ()> {
    let s = s.trim_matches(py_isspace);
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return Err(());
    }
    let mut v: i128 = 0;
    for b in body.bytes() {
        match b {
            b'_' => {}
            b'0'..=b'9' => {
                // Saturate: anything this large is out of every range checked below.
                v = v.saturating_mul(10).saturating_add(i128::from(b - b'0'));
            }
            _ => return Err(()),
        }
    }
    Ok(if neg { -v } else { v })
}

const MONTHS: [&str; 24] = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYNAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_index(s: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| *m == s)
        .map(|i| (i % 12) as u32 + 1)
}

/// `email.utils.parsedate_to_datetime` as Werkzeug's `parse_date` wraps it: `Ok(None)` where
/// Werkzeug returns `None`; the result converted to UTC.
fn parse_date(data: &str) -> Result<Option<DateTime>, FlaskJsonError> {
    let mut parts: Vec<String> = data
        .split(py_isspace)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    if parts[0].ends_with(',') || DAYNAMES.contains(&parts[0].to_lowercase().as_str()) {
        parts.remove(0);
    } else if let Some(i) = parts[0].rfind(',') {
        parts[0] = parts[0][i + 1..].to_owned();
    }
    if parts.len() == 3 {
        let stuff: Vec<&str> = parts[0].split('-').collect();
        if stuff.len() == 3 {
            let mut new: Vec<String> = stuff.iter().map(|s| (*s).to_owned()).collect();
            new.extend(parts.drain(1..));
            parts = new;
        }
    }
    if parts.len() == 4 {
        let s = parts[3].clone();
        let i = s.find('+').or_else(|| s.find('-'));
        match i {
            Some(i) if i > 0 => {
                parts.truncate(3);
                parts.push(s[..i].to_owned());
                parts.push(s[i..].to_owned());
            }
            _ => parts.push(String::new()),
        }
    }
    if parts.len() < 5 {
        return Ok(None);
    }
    parts.truncate(5);
    let [dd, mm, yy, tm, tz]: [String; 5] = match parts.try_into() {
        Ok(a) => a,
        Err(_) => return Ok(None),
    };
    let (mut dd, mut mm, mut yy, mut tm, mut tz) = (dd, mm, yy, tm, tz);
    if dd.is_empty() || mm.is_empty() || yy.is_empty() {
        return Ok(None);
    }
    mm = mm.to_lowercase();
    let month = match month_index(&mm) {
        Some(m) => m,
        None => {
            let swapped = dd.to_lowercase();
            dd = std::mem::replace(&mut mm, swapped);
            match month_index(&mm) {
                Some(m) => m,
                None => return Ok(None),
            }
        }
    };
    if dd.ends_with(',') {
        dd.pop();
    }
    if yy.find(':').is_some_and(|i| i > 0) {
        std::mem::swap(&mut yy, &mut tm);
    }
    if yy.ends_with(',') {
        yy.pop();
        if yy.is_empty() {
            return Ok(None);
        }
    }
    // Python's str.isdigit is Unicode-aware; non-ASCII digits then fail int() here anyway.
    if !yy.chars().next().is_some_and(|c| c.is_numeric()) {
        std::mem::swap(&mut yy, &mut tz);
    }
    if tm.ends_with(',') {
        tm.pop();
    }
    let mut t: Vec<&str> = tm.split(':').collect();
    if t.len() == 1 && tm.contains('.') {
        t = tm.split('.').collect();
        if t.len() != 2 && t.len() != 3 {
            return Ok(None);
        }
    } else if t.len() != 2 && t.len() != 3 {
        return Ok(None);
    }
    let ints = (
        py_int(&yy),
        py_int(&dd),
        py_int(t[0]),
        py_int(t[1]),
        t.get(2).map_or(Ok(0), |s| py_int(s)),
    );
    let (Ok(mut year), Ok(day), Ok(hour), Ok(minute), Ok(second)) = ints else {
        return Ok(None);
    };
    if year < 100 {
        year += if year > 68 { 1900 } else { 2000 };
    }
    let tz_upper = tz.to_uppercase();
    let named = match tz_upper.as_str() {
        "UT" | "UTC" | "GMT" | "Z" => Some(0),
        "AST" => Some(-400),
        "ADT" => Some(-300),
        "EDT" => Some(-400),
        "EST" => Some(-500),
        "CST" => Some(-600),
        "CDT" => Some(-500),
        "MST" => Some(-700),
        "MDT" => Some(-600),
        "PST" => Some(-800),
        "PDT" => Some(-700),
        _ => None,
    };
    let tzoffset: i128 = match named {
        Some(o) => o,
        // An unknown zone leaves the datetime naive, which Werkzeug then assumes is UTC.
        None => py_int(&tz_upper).unwrap_or_default(),
    };
    // py_int saturates, and anything saturated is far past every limit below, so saturating
    // arithmetic keeps Python's outcome without overflowing.
    let a = tzoffset.saturating_abs();
    let magnitude = (a / 100)
        .saturating_mul(3600)
        .saturating_add((a % 100) * 60);
    let offset_secs = if tzoffset < 0 { -magnitude } else { magnitude };
    // Python evaluates timezone(timedelta(seconds=offset)) before calling datetime(): timedelta
    // raises OverflowError beyond ±999999999 days (not caught by parse_date), and timezone()
    // raises ValueError (caught: None) for a day or more.
    if offset_secs != 0 {
        if !(-999_999_999..=999_999_999).contains(&offset_secs.div_euclid(86_400)) {
            return Err(bad(DATETIME, "timezone offset overflows timedelta"));
        }
        if offset_secs.abs() >= 86_400 {
            return Ok(None);
        }
    }
    // datetime() takes C ints: beyond them Python raises OverflowError, which parse_date does
    // not catch.
    let c_int = i128::from(i32::MIN)..=i128::from(i32::MAX);
    for v in [year, day, hour, minute, second] {
        if !c_int.contains(&v) {
            return Err(bad(DATETIME, "date field overflows a C int"));
        }
    }
    let (Ok(year), Ok(day), Ok(hour), Ok(minute), Ok(second)) = (
        i64::try_from(year),
        u32::try_from(day),
        u32::try_from(hour),
        u32::try_from(minute),
        u32::try_from(second),
    ) else {
        return Ok(None);
    };
    let Some(local) = DateTime::from_civil(year, month, day, hour, minute, second) else {
        return Ok(None);
    };
    let utc = local.unix_seconds() - offset_secs as i64;
    match DateTime::from_unix_seconds(utc) {
        Some(d) => Ok(Some(d)),
        // Python keeps the aware local datetime, but http_date would overflow re-saving it.
        None => Err(bad(DATETIME, "the date is outside years 1..9999 in UTC")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64decode_matches_python_leniency() {
        assert_eq!(b64decode_lenient(b"aGk="), Ok(b"hi".to_vec()));
        assert_eq!(b64decode_lenient(b"a G\nk=garbage"), Ok(b"hi".to_vec()));
        assert_eq!(
            b64decode_lenient(b"aGk"),
            Err("Incorrect padding".to_owned())
        );
        assert!(b64decode_lenient(b"a").is_err());
        assert_eq!(b64decode_lenient(b""), Ok(vec![]));
        assert_eq!(b64decode_lenient(b"=aGk="), Ok(b"hi".to_vec()));
    }

    #[test]
    fn parse_uuid_accepts_python_spellings() {
        let want = parse_uuid("12345678123456781234567812345678");
        assert!(want.is_some());
        assert_eq!(parse_uuid("{12345678-1234-5678-1234-567812345678}"), want);
        assert_eq!(
            parse_uuid("urn:uuid:12345678-1234-5678-1234-567812345678"),
            want
        );
        assert_eq!(parse_uuid("1234567812345678123456781234567"), None);
        assert_eq!(parse_uuid("g2345678123456781234567812345678"), None);
    }

    #[test]
    fn parse_date_follows_email_utils() {
        let d = |s: &str| parse_date(s).ok().flatten().map(|d| d.unix_seconds());
        assert_eq!(d("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1445412480));
        assert_eq!(d("21 Oct 2015 07:28:00 GMT"), Some(1445412480));
        assert_eq!(d("Wed, 21 Oct 15 07:28:00 GMT"), Some(1445412480));
        assert_eq!(d("Wed, 21 Oct 2015 07:28 GMT"), Some(1445412480));
        assert_eq!(d("Wed, 21 Oct 2015 08:28:00 +0100"), Some(1445412480));
        assert_eq!(d("Wed, 21 Oct 2015 07:28:00 -0000"), Some(1445412480));
        assert_eq!(d("Wed, 21 Oct 2015 07:28:00"), Some(1445412480));
        assert_eq!(d("Wednesday, 21-Oct-15 07:28:00 GMT"), Some(1445412480));
        assert_eq!(d("Wed Oct 21 07:28:00 2015"), Some(1445412480));
        assert_eq!(d("garbage"), None);
        assert_eq!(d("Wed, 31 Feb 2015 07:28:00 GMT"), None);
        assert_eq!(d("Wed, 21 Oct 2015 25:28:00 GMT"), None);
    }
}
