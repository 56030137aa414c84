//! Flask's session JSON: the reader and writer, tagged ([`dumps`]/[`loads`]) and plain
//! ([`write`](fn@write)/[`parse`]).
//!
//! # Writer
//!
//! Flask serialises the session inside an app context, so `TaggedJSONSerializer.dumps` calls
//! `app.json.dumps(tagged, separators=(",", ":"))`, i.e. Python's
//! `json.dumps(tagged, separators=(",", ":"), ensure_ascii=True, sort_keys=True)`: compact,
//! keys sorted by code point, lowercase `\uXXXX` escapes (astral characters as surrogate pairs),
//! floats as `float.__repr__`, `NaN`/`Infinity`/`-Infinity`, integers exact at any size.
//!
//! # Reader
//!
//! Python's `json.loads` grammar: any JSON value at top level, whitespace ` \t\n\r`, `NaN`,
//! `Infinity`, `-Infinity`, integers of any size (up to Python's 4300-digit limit), floats
//! correctly rounded (`1e400` → `Infinity`), `-0` is the integer `0`. Where Python and this
//! reader differ, the reader *rejects* with an error (never guesses):
//!
//! * lone surrogate escapes (`"\ud800"`) are rejected ([`FlaskJsonError::LoneSurrogate`]):
//!   Python accepts them, but a Rust `String` cannot hold one.
//! * nesting deeper than [`MAX_DEPTH`] is rejected ([`FlaskJsonError::TooDeep`]) instead of
//!   risking the stack; Python's own limit is its recursion limit (~1000).
//!
//! Duplicate keys behave as in Python: the last value wins, at the position of the first key.
//!
//! # Canonical form
//!
//! `dumps(&loads(s)?)? == s` for every `s` Flask wrote, with two exceptions that Flask shares or
//! that we reject: a datetime before year 100 (Flask writes `0005`, and reads it back as 2005),
//! and strings holding lone surrogates (rejected, see above). Input that Flask would not write
//! (whitespace, unsorted keys, `1E5`, `-0`, `\/` escapes, uppercase hex escapes, duplicate keys,
//! non-canonical tag payloads) is accepted where Python accepts it and re-serialises in Flask's
//! canonical form, exactly as Flask would re-save such a session.
//!
//! ```
//! use waxseal::flask::json;
//! let v = json::loads(r#"{ "b": 1E5, "a": {" t": [1, -0]} }"#)?;
//! assert_eq!(json::dumps(&v)?, r#"{"a":{" t":[1,0]},"b":100000.0}"#);
//! # Ok::<(), waxseal::flask::FlaskJsonError>(())
//! ```

use super::tag;
use super::value::{Dict, DictHasher, Int, Value};
use crate::hex::{self, uuid_hyphenated};
use crate::pyjson::{write_f64, write_str};

pub use super::error::{FlaskJsonError, MAX_DEPTH};

/// `TaggedJSONSerializer.dumps`: tags `value` and writes it as Flask's session JSON.
///
/// Fails only for values nested deeper than [`MAX_DEPTH`] (Python raises `RecursionError`
/// somewhat later).
///
/// ```
/// use waxseal::flask::{json, Value};
/// let v: Value = [("b", Value::Bytes(b"\x00\xff".to_vec())), ("a", ("x", 1).into())].into_iter().collect();
/// assert_eq!(json::dumps(&v)?, r#"{"a":{" t":["x",1]},"b":{" b":"AP8="}}"#);
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn dumps(value: &Value) -> Result<String, FlaskJsonError> {
    let mut out = String::with_capacity(128);
    write_tagged(&mut out, value, 0)?;
    Ok(out)
}

/// [`dumps`] for a dict, without wrapping it in a [`Value`] (a session is always a dict).
///
/// ```
/// use waxseal::flask::{json, Dict, Value};
/// let d: Dict = [("b".to_string(), Value::from(1)), ("a".to_string(), Value::Tuple(vec![]))].into_iter().collect();
/// assert_eq!(json::dumps_dict(&d).unwrap(), r#"{"a":{" t":[]},"b":1}"#);
/// ```
pub fn dumps_dict(dict: &Dict) -> Result<String, FlaskJsonError> {
    let mut out = String::with_capacity(128);
    check_depth(0)?;
    write_tagged_dict(&mut out, dict, 0)?;
    Ok(out)
}

/// `TaggedJSONSerializer.loads`: parses Flask's session JSON and untags it.
///
/// ```
/// use waxseal::flask::{json, Value};
/// let v = json::loads(r#"{" u":"a4b0c1d2e3f405060708090a0b0c0d0e"}"#)?;
/// assert!(matches!(v, Value::Uuid(_)));
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn loads(s: &str) -> Result<Value, FlaskJsonError> {
    Parser::new(s, true).parse_document()
}

/// Python's `json.loads` alone, without untagging: objects stay [`Value::Dict`], arrays
/// [`Value::List`].
///
/// ```
/// use waxseal::flask::{json, Value};
/// let v = json::parse(r#"{" t":[1]}"#)?;
/// assert!(matches!(v, Value::Dict(_)));
/// assert!(matches!(json::parse("NaN")?, Value::Float(f) if f.is_nan()));
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn parse(s: &str) -> Result<Value, FlaskJsonError> {
    Parser::new(s, false).parse_document()
}

/// [`loads`] (`untag`) or [`parse`], and whether `s` is *compact*: exactly the text that
/// `serde_json::to_string` writes for the value's `$`-tagged JSON (`crate::inspect::JsonPayload`)
/// once the returned tag keys are renamed (the byte offsets of `" t"` and `" m"`, which become
/// `"$tuple"` and `"$markup"`), so that a renderer may copy `s` instead of serialising the value.
/// That holds when `s` has no whitespace outside strings, no escapes, no character outside
/// printable ASCII, no float, no `-0` or integer beyond 64 bits, no repeated key and (with
/// `untag`) no tag other than a tuple of a list or Markup of a string; Flask's own session JSON
/// usually qualifies (flashed messages are tuples) unless it holds bytes, a date or a UUID.
pub(crate) fn parse_noting_compact(
    s: &str,
    untag: bool,
) -> Result<(Value, Option<RenamedTags>), FlaskJsonError> {
    let mut parser = Parser::new(s, untag);
    let value = parser.document()?;
    if !(parser.compact && printable_ascii(s.as_bytes())) {
        return Ok((value, None));
    }
    // Inner tags are untagged before the tags around them.
    let n = usize::from(parser.renamed.len);
    parser.renamed.at[..n].sort_unstable();
    Ok((value, Some(parser.renamed)))
}

/// The byte offsets of renamed tag keys (see [`parse_noting_compact`]), held inline rather than
/// allocated: a session's flashed messages are a handful, and a text with more is simply not
/// taken as compact.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RenamedTags {
    len: u8,
    at: [u32; 8],
}

impl RenamedTags {
    /// Adds an offset; false when there is no room for it.
    fn push(&mut self, at: usize) -> bool {
        match (self.at.get_mut(usize::from(self.len)), u32::try_from(at)) {
            (Some(slot), Ok(at)) => {
                *slot = at;
                self.len += 1;
                true
            }
            _ => false,
        }
    }

    /// The offsets, ascending.
    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.at[..usize::from(self.len)]
    }
}

/// Whether every byte is below 0x7f. Together with the parser's checks (controls are refused
/// inside strings, whitespace outside them clears `compact`), that leaves printable ASCII only,
/// which JSON writers copy unchanged inside strings.
fn printable_ascii(bytes: &[u8]) -> bool {
    // 0x7f gains its high bit from the +1, and 0x80 and up have it: a byte-wide OR, without an
    // early exit, is what vectorises.
    bytes
        .iter()
        .fold(0u8, |high, &b| high | b | b.wrapping_add(1))
        < 0x80
}

/// What Flask's `Config.from_prefixed_env` stores for a `FLASK_*` environment variable: Python's
/// `json.loads` of the text ([`parse`], the crate's one Python JSON reader), or the text itself
/// when it is not JSON.
///
/// ```
/// use waxseal::flask::{json, Value};
/// assert_eq!(json::env_value("false"), Value::Bool(false));
/// assert_eq!(json::env_value("3600"), Value::from(3600));
/// assert_eq!(json::env_value("not json"), Value::from("not json"));
/// ```
pub fn env_value(raw: &str) -> Value {
    parse(raw).unwrap_or_else(|_| Value::Str(raw.to_owned()))
}

/// Flask's `app.json.dumps(value, separators=(",", ":"))` alone, without tagging.
///
/// Tuples are written as arrays, and the non-JSON types as Flask's JSON provider's `default`
/// writes them: UUIDs as hyphenated strings, datetimes as HTTP dates, Markup as its text.
/// Bytes fail with [`FlaskJsonError::NotSerializable`], as in Python.
///
/// ```
/// use waxseal::flask::{json, Value};
/// let v: Value = [("z", Value::Tuple(vec![1.into()])), ("a", Value::Float(f64::NAN))].into_iter().collect();
/// assert_eq!(json::write(&v)?, r#"{"a":NaN,"z":[1]}"#);
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
pub fn write(value: &Value) -> Result<String, FlaskJsonError> {
    let mut out = String::with_capacity(128);
    write_plain(&mut out, value, 0)?;
    Ok(out)
}

fn write_scalar(out: &mut String, value: &Value) -> bool {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => i.write(out),
        Value::Float(f) => write_f64(out, *f),
        Value::Str(s) => write_str(out, s, true),
        _ => return false,
    }
    true
}

fn write_items(
    out: &mut String,
    items: &[Value],
    depth: usize,
    each: fn(&mut String, &Value, usize) -> Result<(), FlaskJsonError>,
) -> Result<(), FlaskJsonError> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item, depth + 1)?;
    }
    out.push(']');
    Ok(())
}

fn write_dict(
    out: &mut String,
    d: &Dict,
    depth: usize,
    each: fn(&mut String, &Value, usize) -> Result<(), FlaskJsonError>,
) -> Result<(), FlaskJsonError> {
    out.push('{');
    // Dicts read from Flask output are already sorted: skip the allocation then.
    let sorted = d.keys().zip(d.keys().skip(1)).all(|(a, b)| a < b);
    let mut write_entry = |i: usize, k: &str, v: &Value| {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k, true);
        out.push(':');
        each(out, v, depth + 1)
    };
    if sorted {
        for (i, (k, v)) in d.iter().enumerate() {
            write_entry(i, k, v)?;
        }
    } else {
        let mut entries: Vec<(&String, &Value)> = d.iter().collect();
        // str order on UTF-8 bytes equals Python's code point order (not UTF-16 order).
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (i, (k, v)) in entries.into_iter().enumerate() {
            write_entry(i, k, v)?;
        }
    }
    out.push('}');
    Ok(())
}

fn check_depth(depth: usize) -> Result<(), FlaskJsonError> {
    if depth >= MAX_DEPTH {
        Err(FlaskJsonError::TooDeepToWrite)
    } else {
        Ok(())
    }
}

fn write_plain(out: &mut String, value: &Value, depth: usize) -> Result<(), FlaskJsonError> {
    if write_scalar(out, value) {
        return Ok(());
    }
    check_depth(depth)?;
    match value {
        Value::List(items) | Value::Tuple(items) => write_items(out, items, depth, write_plain),
        Value::Dict(d) => write_dict(out, d, depth, write_plain),
        Value::Markup(s) => {
            write_str(out, s, true);
            Ok(())
        }
        Value::Uuid(u) => {
            write_str(out, &uuid_hyphenated(u), true);
            Ok(())
        }
        Value::DateTime(d) => {
            write_str(out, &d.to_string(), true);
            Ok(())
        }
        Value::Bytes(_) => Err(FlaskJsonError::NotSerializable("bytes")),
        _ => Ok(()),
    }
}

/// Writes `{"<key>":` for a one-member tag object.
fn open_tag(out: &mut String, key: &str) {
    out.push_str("{\"");
    out.push_str(key);
    out.push_str("\":");
}

/// The dict arm of [`write_tagged`]; callers at depth 0 (a session) use it directly.
fn write_tagged_dict(out: &mut String, d: &Dict, depth: usize) -> Result<(), FlaskJsonError> {
    if d.len() == 1 {
        if let Some((k, v)) = d.first() {
            if tag::is_tag_key(k) {
                // TagDict: {" di": {"<key>__": tag(v)}}; depth grows by two objects.
                check_depth(depth + 1)?;
                open_tag(out, tag::DICT);
                out.push('{');
                let mut key = String::with_capacity(k.len() + 2);
                key.push_str(k);
                key.push_str("__");
                write_str(out, &key, true);
                out.push(':');
                write_tagged(out, v, depth + 2)?;
                out.push_str("}}");
                return Ok(());
            }
        }
    }
    write_dict(out, d, depth, write_tagged)
}

/// `TaggedJSONSerializer.tag` fused with the writer: tags in Flask's order (dict-of-one-tag-key,
/// dict, tuple, list, bytes, Markup, UUID, datetime) without building a tagged tree.
fn write_tagged(out: &mut String, value: &Value, depth: usize) -> Result<(), FlaskJsonError> {
    if write_scalar(out, value) {
        return Ok(());
    }
    check_depth(depth)?;
    match value {
        Value::Dict(d) => write_tagged_dict(out, d, depth),
        Value::Tuple(items) => {
            check_depth(depth + 1)?;
            open_tag(out, tag::TUPLE);
            write_items(out, items, depth + 1, write_tagged)?;
            out.push('}');
            Ok(())
        }
        Value::List(items) => write_items(out, items, depth, write_tagged),
        Value::Bytes(b) => {
            use base64::Engine;
            open_tag(out, tag::BYTES);
            out.push('"');
            base64::engine::general_purpose::STANDARD.encode_string(b, out);
            out.push_str("\"}");
            Ok(())
        }
        Value::Markup(s) => {
            open_tag(out, tag::MARKUP);
            write_str(out, s, true);
            out.push('}');
            Ok(())
        }
        Value::Uuid(u) => {
            open_tag(out, tag::UUID);
            out.push('"');
            hex::push_hex(out, u);
            out.push_str("\"}");
            Ok(())
        }
        Value::DateTime(d) => {
            use std::fmt::Write;
            open_tag(out, tag::DATETIME);
            out.push('"');
            let _ = write!(out, "{d}");
            out.push_str("\"}");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The high bit of each byte of `x` (eight string bytes, little-endian) that may end a string's
/// fast path: `"`, `\\` or a control below 0x20. The lowest flagged byte is exact (a borrow can
/// only flag bytes above a true one), which is all the parser uses; bytes of multi-byte
/// characters (0x80 and up) are never flagged.
#[inline(always)]
fn string_stops(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v;
    let control = x.wrapping_sub(ONES * 0x20) & !x;
    (zero_byte(quote) | zero_byte(backslash) | control) & HIGHS
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    untag: bool,
    /// Nothing seen so far keeps the text from being the value's compact JSON (see
    /// [`parse_noting_compact`]).
    compact: bool,
    /// Byte offsets of the tag keys whose tag objects differ from their `$`-tagged JSON only by
    /// the key's name (see [`parse_noting_compact`]).
    renamed: RenamedTags,
    /// Members of the objects being parsed, innermost last: collecting them here first lets each
    /// dict be allocated once at its final size.
    scratch: Vec<(String, Value)>,
}

type Res<T> = Result<T, FlaskJsonError>;

impl<'a> Parser<'a> {
    fn new(src: &'a str, untag: bool) -> Self {
        Parser {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            depth: 0,
            untag,
            compact: true,
            renamed: RenamedTags::default(),
            scratch: Vec::new(),
        }
    }

    fn err<T>(&self, msg: &'static str) -> Res<T> {
        Err(FlaskJsonError::Syntax { pos: self.pos, msg })
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
            self.compact = false;
        }
    }

    fn parse_document(mut self) -> Res<Value> {
        self.document()
    }

    fn document(&mut self) -> Res<Value> {
        self.skip_ws();
        let v = self.parse_value()?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return self.err("extra data after the value");
        }
        Ok(v)
    }

    fn eat_literal(&mut self, lit: &'static str, v: Value) -> Res<Value> {
        if self.bytes[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            Ok(v)
        } else {
            self.err("expected a value")
        }
    }

    fn parse_value(&mut self) -> Res<Value> {
        match self.bytes.get(self.pos) {
            Some(b'"') => self.parse_string().map(Value::Str),
            Some(b'{') => self.parse_object(),
            Some(b'[') => self.parse_array(),
            Some(b'n') => self.eat_literal("null", Value::Null),
            Some(b't') => self.eat_literal("true", Value::Bool(true)),
            Some(b'f') => self.eat_literal("false", Value::Bool(false)),
            Some(b'N') => {
                self.compact = false;
                self.eat_literal("NaN", Value::Float(f64::NAN))
            }
            Some(b'I') => {
                self.compact = false;
                self.eat_literal("Infinity", Value::Float(f64::INFINITY))
            }
            Some(b'-') if self.bytes.get(self.pos + 1) == Some(&b'I') => {
                self.compact = false;
                self.eat_literal("-Infinity", Value::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.parse_number(),
            _ => self.err("expected a value"),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn parse_number(&mut self) -> Res<Value> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            // A leading 0 ends the integer part (Python then reports extra data, as we will).
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err("expected a value"),
        }
        let mut is_float = false;
        // Python's number regex only takes `.digits` / `e[+-]digits` when complete; otherwise the
        // number ends before them and the leftover is a syntax error anyway.
        if self.bytes.get(self.pos) == Some(&b'.')
            && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            let save = self.pos;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                self.pos = save;
            } else {
                is_float = true;
            }
        }
        let text = &self.src[start..self.pos];
        if is_float {
            self.compact = false;
            // Rust's parser is correctly rounded like Python's float(); overflow gives ±inf.
            text.parse::<f64>()
                .map(Value::Float)
                .map_err(|_| FlaskJsonError::Syntax {
                    pos: start,
                    msg: "invalid number",
                })
        } else {
            let int = Int::from_json_digits(text)?;
            // `-0` is written back as `0`, and an integer beyond 64 bits as a `$int` tag.
            if text == "-0" || (int.as_i64().is_none() && int.as_u64().is_none()) {
                self.compact = false;
            }
            Ok(Value::Int(int))
        }
    }

    fn parse_hex4(&mut self) -> Res<u32> {
        let Some(h) = self.bytes.get(self.pos..self.pos + 4) else {
            return self.err("invalid \\uXXXX escape");
        };
        let mut v = 0u32;
        for &b in h {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return self.err("invalid \\uXXXX escape"),
            };
            v = v * 16 + u32::from(d);
        }
        self.pos += 4;
        Ok(v)
    }

    fn parse_string(&mut self) -> Res<String> {
        self.pos += 1; // opening quote
        let start = self.pos;
        // Fast path: no escapes. Eight bytes at a time skip to the first byte that can end it.
        loop {
            if let Some(word) = self
                .bytes
                .get(self.pos..)
                .and_then(<[u8]>::first_chunk::<8>)
            {
                let stops = string_stops(u64::from_le_bytes(*word));
                if stops == 0 {
                    self.pos += 8;
                    continue;
                }
                self.pos += (stops.trailing_zeros() / 8) as usize;
            }
            let Some(&b) = self.bytes.get(self.pos) else {
                break;
            };
            match b {
                b'"' => {
                    let s = self.src[start..self.pos].to_owned();
                    self.pos += 1;
                    return Ok(s);
                }
                b'\\' => break,
                0..=0x1f => return self.err("invalid control character in string"),
                _ => self.pos += 1,
            }
        }
        // An escape: written back differently, or not at all (`\/`).
        self.compact = false;
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.src[start..self.pos]);
        let mut run = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.err("unterminated string");
            };
            match b {
                b'"' => {
                    out.push_str(&self.src[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                0..=0x1f => return self.err("invalid control character in string"),
                b'\\' => {
                    out.push_str(&self.src[run..self.pos]);
                    let esc_pos = self.pos;
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return self.err("unterminated string");
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.parse_hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi) {
                                // Python pairs a high surrogate only with an immediately following
                                // \uDC00-\uDFFF escape.
                                let lo = if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                                    let save = self.pos;
                                    self.pos += 2;
                                    let lo = self.parse_hex4()?;
                                    if (0xdc00..0xe000).contains(&lo) {
                                        Some(lo)
                                    } else {
                                        self.pos = save;
                                        None
                                    }
                                } else {
                                    None
                                };
                                match lo {
                                    Some(lo) => 0x1_0000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
                                    None => {
                                        return Err(FlaskJsonError::LoneSurrogate { pos: esc_pos })
                                    }
                                }
                            } else {
                                hi
                            };
                            match char::from_u32(cp) {
                                Some(c) => out.push(c),
                                None => return Err(FlaskJsonError::LoneSurrogate { pos: esc_pos }),
                            }
                        }
                        _ => {
                            self.pos = esc_pos;
                            return self.err("invalid escape");
                        }
                    }
                    run = self.pos;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FlaskJsonError::TooDeep { pos: self.pos });
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn parse_array(&mut self) -> Res<Value> {
        self.enter()?;
        let mut items = Vec::new();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::List(items));
        }
        loop {
            items.push(self.parse_value()?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::List(items));
                }
                _ => return self.err("expected ',' or ']'"),
            }
        }
    }

    fn parse_object(&mut self) -> Res<Value> {
        let open = self.pos;
        self.enter()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Dict(Dict::default()));
        }
        let base = self.scratch.len();
        loop {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return self.err("expected a property name in double quotes");
            }
            let key = self.parse_string()?;
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return self.err("expected ':'");
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.parse_value()?;
            self.skip_ws();
            // A tag object (`{" t": [...]}`) is untagged straight away instead of being built
            // as a dict and taken apart again. Only a first member followed by `}` qualifies: an
            // object with more members (even a repeated tag key) takes the general path below.
            if self.untag
                && self.scratch.len() == base
                && self.bytes.get(self.pos) == Some(&b'}')
                && tag::is_tag_key(&key)
            {
                self.pos += 1;
                self.depth -= 1;
                self.note_tag(&key, &v, open);
                return untag_at(&key, v, open);
            }
            self.scratch.push((key, v));
            match self.bytes.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    break;
                }
                _ => return self.err("expected ',' or '}'"),
            }
        }
        let members = self.scratch.len() - base;
        let mut map = Dict::with_capacity_and_hasher(members, DictHasher::default());
        for (k, v) in self.scratch.drain(base..) {
            // IndexMap::insert keeps the first position and takes the last value, like a dict.
            map.insert(k, v);
        }
        if map.len() != members {
            // A repeated key: only one member is written back.
            self.compact = false;
        }
        if self.untag && map.len() == 1 {
            // _untag_scan: children are already untagged (we build bottom-up); untag this dict.
            if let Some((k, _)) = map.first() {
                if tag::is_tag_key(k) {
                    if let Some((k, v)) = map.pop() {
                        self.note_tag(&k, &v, open);
                        return untag_at(&k, v, open);
                    }
                }
            }
        }
        Ok(Value::Dict(map))
    }

    /// A tag object at `open` is about to be untagged: its `$`-tagged JSON is the same text with
    /// the key renamed for a tuple of a list or Markup of a string, and different text otherwise.
    fn note_tag(&mut self, key: &str, value: &Value, open: usize) {
        match (key, value) {
            (tag::TUPLE, Value::List(_)) | (tag::MARKUP, Value::Str(_))
                if self.renamed.push(open + 1) => {}
            _ => self.compact = false,
        }
    }
}

/// [`tag::untag`], with the byte offset of the tag object added to a bad-tag message.
fn untag_at(key: &str, value: Value, open: usize) -> Res<Value> {
    tag::untag(key, value).map_err(|e| match e {
        FlaskJsonError::BadTag { tag, reason } => FlaskJsonError::BadTag {
            tag,
            reason: format!("{reason} (object at byte {open})"),
        },
        other => other,
    })
}
