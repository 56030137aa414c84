//! Python's `json` module dialect for serde.
//!
//! [`PythonFormatter`] is a [`serde_json::ser::Formatter`] that makes serde_json write exactly
//! the bytes CPython's `json.dumps` writes: its separators, its string escaping (lowercase
//! `\uXXXX`, surrogate pairs for astral characters when `ensure_ascii`), and its float
//! formatting (`float.__repr__`: shortest round-trip digits, `1e+16`, `1e-05`, `100.0`).
//!
//! Three [`JsonStyle`]s cover what the Flask stack uses:
//!
//! | style                     | Python equivalent                                                  |
//! |---------------------------|--------------------------------------------------------------------|
//! | [`JsonStyle::PYTHON_DEFAULT`] | `json.dumps(obj)` (itsdangerous' plain `Serializer`)           |
//! | [`JsonStyle::COMPACT`]    | `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)` (`_CompactJSON`) |
//! | [`JsonStyle::FLASK`]      | `json.dumps(obj, separators=(",", ":"), sort_keys=True)` (Flask's provider) |
//!
//! # Limitations for arbitrary serde types
//!
//! * serde_json's serializer replaces non-finite floats with `null` *before* the formatter sees
//!   them, so `f64::NAN` is written as `null` where Python writes `NaN`. Use
//!   [`crate::flask::Value`] (whose writer handles `NaN`/`Infinity`) when that matters, or
//!   [`write_f64`] directly.
//! * `f32` values are widened to `f64` and printed as Python would print that double
//!   (`0.1f32` → `0.10000000149011612`): Python has no single-precision float.
//! * [`JsonStyle::FLASK`] (any style with `sort_keys`) goes through a `serde_json::Value`, so it
//!   is slower than the streaming styles, and integers outside `i64`/`u64` fail there (the
//!   streaming styles write `i128`/`u128` fine). Byte strings become arrays of integers in every
//!   style, as serde_json writes them.
//!
//! ```
//! use waxseal::pyjson::{to_string, JsonStyle};
//! let v = serde_json::json!({"b": [1, 2.5, 1e16], "a": "é"});
//! assert_eq!(to_string(&v, JsonStyle::PYTHON_DEFAULT)?, r#"{"b": [1, 2.5, 1e+16], "a": "\u00e9"}"#);
//! assert_eq!(to_string(&v, JsonStyle::COMPACT)?, r#"{"b":[1,2.5,1e+16],"a":"é"}"#);
//! assert_eq!(to_string(&v, JsonStyle::FLASK)?, r#"{"a":"\u00e9","b":[1,2.5,1e+16]}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

/// Which of Python's `json.dumps` options to reproduce.
///
/// ```
/// use waxseal::pyjson::JsonStyle;
/// let style = JsonStyle { sort_keys: true, ..JsonStyle::PYTHON_DEFAULT };
/// assert_eq!(waxseal::pyjson::to_string(&[1, 2], style)?, "[1, 2]");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStyle {
    /// `separators=(",", ":")` instead of Python's default `(", ", ": ")`.
    pub compact: bool,
    /// `ensure_ascii`: escape every character outside printable ASCII (0x20..=0x7e).
    pub ensure_ascii: bool,
    /// `sort_keys`: write object members ordered by key (by code point, like Python's `str` order).
    pub sort_keys: bool,
}

impl JsonStyle {
    /// `json.dumps(obj)`: `", "`/`": "` separators, `ensure_ascii=True`, insertion order.
    ///
    /// ```
    /// use waxseal::pyjson::{to_string, JsonStyle};
    /// assert_eq!(to_string(&("x", 1), JsonStyle::PYTHON_DEFAULT)?, r#"["x", 1]"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub const PYTHON_DEFAULT: JsonStyle = JsonStyle {
        compact: false,
        ensure_ascii: true,
        sort_keys: false,
    };
    /// itsdangerous' `_CompactJSON`: `separators=(",", ":")`, `ensure_ascii=False`.
    ///
    /// ```
    /// use waxseal::pyjson::{to_string, JsonStyle};
    /// assert_eq!(to_string(&("ü", 1), JsonStyle::COMPACT)?, r#"["ü",1]"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub const COMPACT: JsonStyle = JsonStyle {
        compact: true,
        ensure_ascii: false,
        sort_keys: false,
    };
    /// Flask's session JSON: compact separators, `ensure_ascii=True`, `sort_keys=True`.
    ///
    /// ```
    /// use waxseal::pyjson::{to_string, JsonStyle};
    /// let v = serde_json::json!({"z": 1, "a": "ü"});
    /// assert_eq!(to_string(&v, JsonStyle::FLASK)?, r#"{"a":"\u00fc","z":1}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub const FLASK: JsonStyle = JsonStyle {
        compact: true,
        ensure_ascii: true,
        sort_keys: true,
    };

    fn item_separator(self) -> &'static [u8] {
        if self.compact {
            b","
        } else {
            b", "
        }
    }

    fn key_separator(self) -> &'static [u8] {
        if self.compact {
            b":"
        } else {
            b": "
        }
    }
}

/// A [`serde_json::ser::Formatter`] that writes Python's `json.dumps` dialect.
///
/// It ignores [`JsonStyle::sort_keys`]: a streaming formatter cannot reorder members. Use
/// [`to_string`]/[`to_writer`], which handle sorting.
///
/// ```
/// use serde::Serialize;
/// use waxseal::pyjson::{JsonStyle, PythonFormatter};
/// let mut out = Vec::new();
/// let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter::new(JsonStyle::PYTHON_DEFAULT));
/// vec![0.1, 1e-7].serialize(&mut ser)?;
/// assert_eq!(out, b"[0.1, 1e-07]");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PythonFormatter {
    style: JsonStyle,
}

impl PythonFormatter {
    /// A formatter for `style`.
    ///
    /// ```
    /// let f = waxseal::pyjson::PythonFormatter::new(waxseal::pyjson::JsonStyle::COMPACT);
    /// # let _ = f;
    /// ```
    pub fn new(style: JsonStyle) -> Self {
        PythonFormatter { style }
    }
}

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(self.style.item_separator())
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(self.style.item_separator())
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(self.style.key_separator())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(w, f64::from(value))
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        let mut s = String::new();
        write_f64(&mut s, value);
        w.write_all(s.as_bytes())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has already split out `"`, `\` and control characters; what remains needs
        // escaping only for 0x7f and non-ASCII under ensure_ascii.
        if !self.style.ensure_ascii || fragment.bytes().all(|b| b < 0x7f) {
            return w.write_all(fragment.as_bytes());
        }
        let mut s = String::with_capacity(fragment.len() + 16);
        write_str_body(&mut s, fragment, true);
        w.write_all(s.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            // Python never escapes '/', but serde_json never asks for it either.
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(b) => {
                let mut s = String::with_capacity(6);
                push_u_escape(&mut s, u32::from(b));
                return w.write_all(s.as_bytes());
            }
        };
        w.write_all(s)
    }
}

/// Serialises `value` as Python's `json.dumps` would with `style`.
///
/// See the [module documentation](self) for the limitations (non-finite floats become `null`).
///
/// ```
/// use waxseal::pyjson::{to_string, JsonStyle};
/// assert_eq!(to_string(&vec![1e100, -0.0, 100.0], JsonStyle::COMPACT)?, "[1e+100,-0.0,100.0]");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn to_string<T: Serialize + ?Sized>(
    value: &T,
    style: JsonStyle,
) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(128);
    to_writer(&mut out, value, style)?;
    // Every byte written is either from a &str or ASCII, so this cannot fail; map rather than
    // unwrap to keep the no-panic rule mechanical.
    String::from_utf8(out).map_err(<serde_json::Error as serde::ser::Error>::custom)
}

/// Serialises `value` into `writer` as Python's `json.dumps` would with `style`.
///
/// ```
/// use waxseal::pyjson::{to_writer, JsonStyle};
/// let mut out = Vec::new();
/// to_writer(&mut out, &serde_json::json!({"b": 1, "a": 2}), JsonStyle::FLASK)?;
/// assert_eq!(out, br#"{"a":2,"b":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn to_writer<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
    style: JsonStyle,
) -> Result<(), serde_json::Error> {
    if style.sort_keys {
        let v = serde_json::to_value(value)?;
        let mut s = String::with_capacity(128);
        write_sorted(&mut s, &v, style);
        let mut writer = writer;
        return writer
            .write_all(s.as_bytes())
            .map_err(serde_json::Error::io);
    }
    let mut ser = serde_json::Serializer::with_formatter(writer, PythonFormatter::new(style));
    value.serialize(&mut ser)
}

fn write_sorted(out: &mut String, v: &serde_json::Value, style: JsonStyle) {
    use serde_json::Value as J;
    let item_sep = if style.compact { "," } else { ", " };
    let key_sep = if style.compact { ":" } else { ": " };
    match v {
        J::Null => out.push_str("null"),
        J::Bool(true) => out.push_str("true"),
        J::Bool(false) => out.push_str("false"),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(itoa::Buffer::new().format(i));
            } else if let Some(u) = n.as_u64() {
                out.push_str(itoa::Buffer::new().format(u));
            } else if let Some(f) = n.as_f64() {
                write_f64(out, f);
            }
        }
        J::String(s) => write_str(out, s, style.ensure_ascii),
        J::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                write_sorted(out, item, style);
            }
            out.push(']');
        }
        J::Object(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            // Rust's str order is UTF-8 byte order, which equals code point order (Python's).
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                write_str(out, k, style.ensure_ascii);
                out.push_str(key_sep);
                write_sorted(out, item, style);
            }
            out.push('}');
        }
    }
}

fn push_u_escape(out: &mut String, unit: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(
            crate::hex::LOWER[((unit >> shift) & 0xf) as usize],
        ));
    }
}

/// Appends `s` as a quoted JSON string, escaped exactly as Python's `json` module does.
///
/// `"`, `\`, `\n`, `\r`, `\t`, `\b`, `\f` get short escapes, other control characters
/// `\u00XX`. With `ensure_ascii`, 0x7f and every non-ASCII character are escaped too
/// (lowercase hex, astral characters as a surrogate pair), as `json.dumps` does by default.
///
/// ```
/// let mut out = String::new();
/// waxseal::pyjson::write_str(&mut out, "é😀\u{7f}\n", true);
/// assert_eq!(out, r#""\u00e9\ud83d\ude00\u007f\n""#);
/// out.clear();
/// waxseal::pyjson::write_str(&mut out, "é\u{7f}\u{1}", false);
/// assert_eq!(out, "\"é\u{7f}\\u0001\"");
/// ```
pub fn write_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    write_str_body(out, s, ensure_ascii);
    out.push('"');
}

fn write_str_body(out: &mut String, s: &str, ensure_ascii: bool) {
    let bytes = s.as_bytes();
    let limit = if ensure_ascii { 0x7f } else { 0x80 };
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Fast path: printable ASCII that needs no escape (and any UTF-8 byte when !ensure_ascii).
        if (0x20..limit).contains(&b) && b != b'"' && b != b'\\' || (!ensure_ascii && b >= 0x80) {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            0..=0x7f => push_u_escape(out, u32::from(b)),
            _ => {
                // ensure_ascii and a non-ASCII lead byte: `i` is on a char boundary because we
                // only ever advance by whole characters past non-ASCII input.
                let c = s[i..].chars().next().unwrap_or('\u{fffd}');
                let cp = u32::from(c);
                if cp >= 0x1_0000 {
                    let v = cp - 0x1_0000;
                    push_u_escape(out, 0xd800 | (v >> 10));
                    push_u_escape(out, 0xdc00 | (v & 0x3ff));
                } else {
                    push_u_escape(out, cp);
                }
                i += c.len_utf8();
                start = i;
                continue;
            }
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
}

/// Appends `f` as Python's `json.dumps` writes a float: `float.__repr__` for finite values
/// (shortest round-trip digits; positional when the decimal exponent is in `-4..16`, else
/// `d.ddde+XX`), `NaN`, `Infinity` and `-Infinity` otherwise.
///
/// ```
/// let cases = [(1e16, "1e+16"), (1e-5, "1e-05"), (100.0, "100.0"), (0.0001, "0.0001"),
///              (-0.0, "-0.0"), (1.5e300, "1.5e+300"), (f64::NAN, "NaN"), (f64::NEG_INFINITY, "-Infinity")];
/// for (f, want) in cases {
///     let mut out = String::new();
///     waxseal::pyjson::write_f64(&mut out, f);
///     assert_eq!(out, want);
/// }
/// ```
pub fn write_f64(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        write_float_repr(out, f);
    }
}

/// `float.__repr__` for a finite `f` (shared with the `str(float)` used by Markup untagging).
pub(crate) fn write_float_repr(out: &mut String, f: f64) {
    use std::fmt::Write;
    // `{:e}` gives the shortest round-trip digits, like Python's repr; only the layout differs.
    let mut sci = String::with_capacity(32);
    let _ = write!(sci, "{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = digits.as_str();
    if f.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(itoa::Buffer::new().format(e));
    }
}
