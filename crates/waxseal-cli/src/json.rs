//! The CLI's one JSON writer: a `serde` serializer that writes compact JSON (the same text as
//! `serde_json::to_string`) with extra escapes that keep every line harmless on a terminal.
//!
//! Written by hand for a measured reason: `serde_json` escapes strings one byte at a time and its
//! `Formatter` cannot replace that loop. A batch `verify --json` answer is ~20 strings, ~300
//! bytes (the raw payload, full of quotes, the payload, the message, the keys); here a string of
//! up to 16 bytes is checked in two loads, a longer one 8 bytes per step, quotes and backslashes
//! are found in a step's mask and escaped without reloading the word (a quote every few bytes
//! would otherwise make each wait on a load: 1.5% of the whole batch's time), whole words are
//! stored into scratch space, an object key is written with its comma and colon in one step, and
//! a struct's field writes are inlined so that each field name is a constant there (its check
//! and copy fold away). Measured on 5,000 Flask
//! cookies (`valgrind --tool=callgrind`, see the README's batch verification section): writing
//! one answer went from 8,300 instructions (`serde_json`) to 3,400, and the whole process from
//! 29,700 to 24,700 per cookie; timed (20 alternating runs over 50,000 cookies), the first
//! version of this writer (5,800 instructions an answer) took 0.90–0.93 of the `serde_json`
//! build's time. Strings are the only hand-written part: integers are `itoa`'s and floats
//! `zmij`'s, as in `serde_json`, and the output is tested against `serde_json`'s, byte for byte,
//! for arbitrary values.
//!
//! Beyond the escapes JSON requires (`"`, `\`, U+0000–U+001F, with `serde_json`'s short forms),
//! DEL, the C1 controls (U+0080–U+009F, which some terminals obey as escape sequences) and
//! U+2028/U+2029 are written as `\u` escapes: the line stays valid JSON *and* cannot drive a
//! terminal, without any terminal-escaping pass over the finished line.

use serde::ser::{self, Serialize};
use waxseal::inspect::CompactJson;

/// Why a value could not be written (a map key that is not a string, number, bool or char, or a
/// `Serialize` impl's own error).
#[derive(Debug)]
pub struct Error(Box<str>);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string().into())
    }
}

/// Appends `value` as compact JSON to `out`. On error `out` may hold part of the value: the
/// caller truncates it.
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    let pos = out.len();
    let mut w = Writer {
        out: Out { buf: out, pos },
    };
    let result = value.serialize(&mut w);
    let end = w.out.pos;
    out.truncate(end);
    result
}

/// The name under which a [`RawJson`] reaches the writer: besides the value, a newtype struct's
/// name is all a `Serializer` is told.
const RAW_JSON: &str = "$waxseal::json::RawJson";

/// JSON given as text, which [`write`] copies as is: a payload's `$`-tagged JSON given by the
/// token's own text ([`waxseal::inspect::CompactJson`]: compact, printable ASCII, so no escape is
/// due), which saves serialising the value, about 1,400 instructions of a batch `verify --json`
/// answer. Other serializers (`serde_json`) write it as an array of its pieces.
pub struct RawJson<'a>(CompactJson<'a>);

impl<'a> RawJson<'a> {
    /// Wraps `json`.
    pub fn new(json: CompactJson<'a>) -> RawJson<'a> {
        RawJson(json)
    }
}

impl Serialize for RawJson<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Pieces<'a>(CompactJson<'a>);
        impl Serialize for Pieces<'_> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.pieces())
            }
        }
        s.serialize_newtype_struct(RAW_JSON, &Pieces(self.0))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that may need an escape: below 0x20, `"`, `\`, or 0x7f and
/// up. The lowest flagged byte is exact (false flags occur only above a true one, where a borrow
/// or carry spread), which is all `Out::string` uses.
#[inline]
fn flagged(x: u64) -> u64 {
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let is_quote = quote.wrapping_sub(ONES) & !quote;
    let is_backslash = backslash.wrapping_sub(ONES) & !backslash;
    ((is_quote | is_backslash) & HIGHS) | unquoted_flags(x)
}

/// [`flagged`] without quotes and backslashes: bytes below 0x20, or 0x7f and up. Nonzero exactly
/// when such a byte is in `x`.
#[inline(always)]
fn unquoted_flags(x: u64) -> u64 {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    // A byte from 0x80 has its high bit; 0x7f gets it by adding one (no carry leaves a byte
    // below 0x80, so nothing spreads unless a flagged byte is already below).
    let del_or_high = x | x.wrapping_add(ONES);
    (below_space | del_or_high) & HIGHS
}

/// The high bit of exactly the bytes of `x` that are `"` or `\` (each byte's low seven bits are
/// tested apart from its high bit, so no borrow spreads to the next byte).
#[inline(always)]
fn exact_quotes(x: u64) -> u64 {
    let zero = |y: u64| !(((y & !HIGHS).wrapping_add(!HIGHS)) | y) & HIGHS;
    zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\')))
}

/// The escape for the character starting at `bytes[i]`, if it needs one: (`\u` code point or a
/// short escape letter, bytes it spans).
#[inline]
fn escape_at(bytes: &[u8], i: usize) -> Option<(Escape, usize)> {
    let b = bytes[i];
    match b {
        b'"' => Some((Escape::Short(b'"'), 1)),
        b'\\' => Some((Escape::Short(b'\\'), 1)),
        0x08 => Some((Escape::Short(b'b'), 1)),
        0x09 => Some((Escape::Short(b't'), 1)),
        0x0a => Some((Escape::Short(b'n'), 1)),
        0x0c => Some((Escape::Short(b'f'), 1)),
        0x0d => Some((Escape::Short(b'r'), 1)),
        0x00..=0x1f | 0x7f => Some((Escape::Unicode(u32::from(b)), 1)),
        // C1 controls are 0xc2 0x80..=0x9f in UTF-8; U+2028/9 are 0xe2 0x80 0xa8/0xa9.
        0xc2 => match bytes.get(i + 1) {
            Some(&c @ 0x80..=0x9f) => Some((Escape::Unicode(u32::from(c)), 2)),
            _ => None,
        },
        0xe2 if bytes.get(i + 1) == Some(&0x80) => match bytes.get(i + 2) {
            Some(&c @ (0xa8 | 0xa9)) => Some((Escape::Unicode(0x2000 + u32::from(c) - 0x80), 3)),
            _ => None,
        },
        _ => None,
    }
}

enum Escape {
    Short(u8),
    Unicode(u32),
}

/// The output: `buf[..pos]` is written; bytes from `pos` on are scratch space, made (zeroed) in
/// large steps and cut off at the end. Writing whole words into it without a length check per
/// byte, and fixed-size stores instead of a `memcpy` call per run, is what makes the short
/// strings of an answer (keys, values) cheap.
struct Out<'a> {
    buf: &'a mut Vec<u8>,
    pos: usize,
}

impl Out<'_> {
    /// Makes sure `n` bytes from `pos` are there to write.
    #[inline]
    fn room(&mut self, n: usize) {
        if self.buf.len() < self.pos + n {
            self.grow(n);
        }
    }

    /// [`Out::room`]'s rare step, out of line: the callers' fast paths stay small.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        let len = (self.pos + n).max(self.buf.len() + 1024);
        self.buf.resize(len, 0);
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.room(bytes.len());
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.room(1);
        self.buf[self.pos] = b;
        self.pos += 1;
    }

    /// Writes `s` as a JSON string (quotes included) with the escapes of the module
    /// documentation.
    #[inline]
    fn string(&mut self, s: &str) {
        self.framed(None, s, None);
    }

    /// Writes an object key: the comma before it unless it is the first, the key, the colon.
    #[inline(always)]
    fn key(&mut self, first: bool, key: &str) {
        self.framed((!first).then_some(b','), key, Some(b':'));
    }

    /// `before`, then `s` as a JSON string, then `after`, with one check for room. A short
    /// string that needs no escape (most keys and values) is handled here, in a few
    /// instructions; anything else by [`Out::framed_long`].
    #[inline(always)]
    fn framed(&mut self, before: Option<u8>, s: &str, after: Option<u8>) {
        let bytes = s.as_bytes();
        let n = bytes.len();
        if n <= 16 {
            // Checked in one or two loads (for fewer than 8 bytes, padded with a byte that needs
            // no escape; the pad is never kept: the closing quote and scratch space follow).
            let (first, last) = if n >= 8 {
                (load(&bytes[..8]), load(&bytes[n - 8..]))
            } else {
                let pad = (ONES * u64::from(b'x')) & !(u64::MAX >> (8 * (8 - n)).min(63));
                let w = if n > 0 { tail_word(bytes, 0) } else { 0 } | pad;
                (w, w)
            };
            if flagged(first) | flagged(last) == 0 {
                self.room(16 + 4);
                let buf = &mut self.buf[self.pos..self.pos + 16 + 4];
                let o = open(buf, before);
                buf[o..o + 8].copy_from_slice(&first.to_le_bytes());
                if n >= 8 {
                    buf[o + n - 8..o + n].copy_from_slice(&last.to_le_bytes());
                }
                self.pos += close(buf, o + n, after);
                return;
            }
        }
        self.framed_long(before, s, after);
    }

    /// [`Out::framed`] for a string that is long or needs an escape: a word at a time.
    #[inline(never)]
    fn framed_long(&mut self, before: Option<u8>, s: &str, after: Option<u8>) {
        let bytes = s.as_bytes();
        let n = bytes.len();
        // The worst case (every byte a `\u00XX`), the quotes, the bytes around them and a word
        // of slack: each step stores a whole word.
        self.room(n * 6 + 4 + 8);
        let buf = &mut self.buf[self.pos..];
        let mut o = open(buf, before);
        // `i` is always at a character boundary: a clean word is ASCII, and a character is
        // stepped over whole.
        let mut i = 0;
        // Whole words.
        while let Some(w) = bytes.get(i..i + 8) {
            let word = load(w);
            if unquoted_flags(word) != 0 {
                // A rare escape in this word: up to it, then the escape, then on from after it.
                buf[o..o + 8].copy_from_slice(w);
                let clean = flagged(word).trailing_zeros() as usize / 8;
                (i, o) = escape(bytes, i + clean, buf, o + clean);
                continue;
            }
            // Only quotes and backslashes, if anything, to escape (a raw JSON payload has one
            // every few bytes): each is found in the word's mask, a register, and the word is
            // stored shifted past the bytes already placed, so no quote waits on a load.
            let mut marks = exact_quotes(word);
            let mut placed = 0;
            while marks != 0 {
                let at = marks.trailing_zeros() as usize / 8;
                buf[o..o + 8].copy_from_slice(&(word >> (8 * placed)).to_le_bytes());
                o += at - placed;
                buf[o] = b'\\';
                o += 1;
                placed = at;
                marks &= marks - 1;
            }
            buf[o..o + 8].copy_from_slice(&(word >> (8 * placed)).to_le_bytes());
            o += 8 - placed;
            i += 8;
        }
        // The last bytes, fewer than a word, read without a copy into memory (a word assembled
        // there from single bytes would stall its load).
        while i < n {
            let rest = n - i;
            let word = tail_word(bytes, i);
            buf[o..o + 8].copy_from_slice(&word.to_le_bytes());
            // Padded with a byte that needs no escape.
            let pad = (ONES * u64::from(b'x')) & !(u64::MAX >> (8 * (8 - rest)));
            let flags = flagged(word | pad);
            if flags == 0 {
                o += rest;
                break;
            }
            let clean = flags.trailing_zeros() as usize / 8;
            (i, o) = escape(bytes, i + clean, buf, o + clean);
        }
        self.pos += close(buf, o, after);
    }
}

/// Writes `before` and the opening quote at the start of `buf`; returns the length written.
#[inline(always)]
fn open(buf: &mut [u8], before: Option<u8>) -> usize {
    match before {
        Some(b) => {
            buf[..2].copy_from_slice(&[b, b'"']);
            2
        }
        None => {
            buf[0] = b'"';
            1
        }
    }
}

/// Writes the closing quote at `buf[o]` and `after`; returns the length written.
#[inline(always)]
fn close(buf: &mut [u8], o: usize, after: Option<u8>) -> usize {
    buf[o] = b'"';
    match after {
        Some(a) => {
            buf[o + 1] = a;
            o + 2
        }
        None => o + 1,
    }
}

/// `bytes[i..]` (1 to 7 bytes) as a little-endian word, the bytes above it zero: two loads that
/// may overlap (equal bytes, so OR keeps them).
#[inline(always)]
fn tail_word(bytes: &[u8], i: usize) -> u64 {
    let n = bytes.len();
    let rest = n - i;
    let le = |s: &[u8]| s.iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b));
    if rest >= 4 {
        le(&bytes[i..i + 4]) | (le(&bytes[n - 4..]) << (8 * (rest - 4)))
    } else if rest >= 2 {
        le(&bytes[i..i + 2]) | (le(&bytes[n - 2..]) << (8 * (rest - 2)))
    } else {
        u64::from(bytes[i])
    }
}

/// Writes the character at `bytes[i]`, which may need an escape, at `buf[o..]`; returns the
/// positions after it.
#[inline(always)]
fn escape(bytes: &[u8], i: usize, buf: &mut [u8], o: usize) -> (usize, usize) {
    // Quotes are most of the escapes (a raw JSON payload is full of them): they skip the general
    // match, and the bytes before them in the word are already stored.
    let b = bytes[i];
    if b == b'"' || b == b'\\' {
        buf[o..o + 2].copy_from_slice(&[b'\\', b]);
        return (i + 1, o + 2);
    }
    other_escape(bytes, i, buf, o)
}

/// [`escape`] for anything but a quote or backslash: rare, so kept out of the loops.
#[inline(never)]
fn other_escape(bytes: &[u8], i: usize, buf: &mut [u8], o: usize) -> (usize, usize) {
    let b = bytes[i];
    match escape_at(bytes, i) {
        Some((Escape::Short(c), len)) => {
            buf[o..o + 2].copy_from_slice(&[b'\\', c]);
            (i + len, o + 2)
        }
        Some((Escape::Unicode(code), len)) => {
            let hex = |shift: u32| HEX[(code >> shift) as usize & 0xf];
            buf[o..o + 6].copy_from_slice(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
            (i + len, o + 6)
        }
        // A character from U+0080 that needs no escape, or a false flag: the character as it is
        // (the lead byte's leading ones give its UTF-8 length).
        None => {
            let len = (b.leading_ones() as usize).max(1);
            buf[o..o + len].copy_from_slice(&bytes[i..i + len]);
            (i + len, o + len)
        }
    }
}

/// Eight bytes as a little-endian word.
#[inline]
fn load(w: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(w);
    u64::from_le_bytes(word)
}

/// A `Serializer`'s ten integer methods, each `self.int(v)`: integers are written by `itoa`,
/// as a number or (in a map key) as a string.
macro_rules! integer_methods {
    () => {
        integer_methods!(
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128
        );
    };
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.int(v)
        }
    )*};
}

struct Writer<'a> {
    out: Out<'a>,
}

impl Writer<'_> {
    fn int(&mut self, n: impl itoa::Integer) -> Result<(), Error> {
        self.out.put(itoa::Buffer::new().format(n).as_bytes());
        Ok(())
    }

    /// `serde_json`'s rule: a finite float by `zmij`, anything else as `null`.
    fn float(&mut self, f: impl zmij::Float + Into<f64> + Copy) {
        if f.into().is_finite() {
            self.out
                .put(zmij::Buffer::new().format_finite(f).as_bytes());
        } else {
            self.out.put(b"null");
        }
    }
}

/// An array or object being written: whether a comma comes before the next element.
pub struct Compound<'a, 'b> {
    w: &'b mut Writer<'a>,
    first: bool,
    /// Closing text: `]`, `}`, or `]}` / `}}` for enum variants.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.w.out.byte(b',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    // Inlined, so that a struct's field name is a constant where it is written.
    #[inline(always)]
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.w.out.key(std::mem::take(&mut self.first), key);
        value.serialize(&mut *self.w)
    }

    fn close(self) -> Result<(), Error> {
        self.w.out.put(self.close);
        Ok(())
    }
}

impl<'a, 'b> Writer<'a> {
    fn open(&'b mut self, open: &[u8], close: &'static [u8]) -> Compound<'a, 'b> {
        self.out.put(open);
        Compound {
            w: self,
            first: true,
            close,
        }
    }

    /// `{"variant":` before a variant's content.
    fn variant_key(&mut self, variant: &str) {
        self.out.byte(b'{');
        self.out.string(variant);
        self.out.byte(b':');
    }
}

impl<'a, 'b> ser::Serializer for &'b mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.put(if v { b"true" } else { b"false" });
        Ok(())
    }
    integer_methods!();
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v);
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.out.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.string(v);
        Ok(())
    }
    /// As `serde_json`: an array of numbers.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.put(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.out.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name == RAW_JSON {
            return value.serialize(RawText(&mut self.out));
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant_key(variant);
        value.serialize(&mut *self)?;
        self.out.byte(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        self.variant_key(variant);
        Ok(self.open(b"[", b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        self.variant_key(variant);
        Ok(self.open(b"{", b"}}"))
    }
}

/// The sequence-like compound traits: they differ only in their element method's name.
macro_rules! sequence_like {
    ($($name:ident::$method:ident),*) => {$(
        impl ser::$name for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // The comma and colon are written with the key (a key that is not a string is an
        // error, and the caller drops the partial output).
        key.serialize(MapKey(&mut *self.w, std::mem::take(&mut self.first)))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// The struct-like compound traits: the same fields, with or without an enum variant around.
macro_rules! struct_like {
    ($($name:ident),*) => {$(
        impl ser::$name for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            #[inline(always)]
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

/// The `Serializer` methods (and compound types) for everything but scalars and sequences, each
/// failing with `$error`: for the serializers that accept only string-like values ([`MapKey`],
/// [`RawText`]).
macro_rules! rejected_methods {
    ($error:expr) => {
        type SerializeTuple = ser::Impossible<(), Error>;
        type SerializeTupleStruct = ser::Impossible<(), Error>;
        type SerializeTupleVariant = ser::Impossible<(), Error>;
        type SerializeMap = ser::Impossible<(), Error>;
        type SerializeStruct = ser::Impossible<(), Error>;
        type SerializeStructVariant = ser::Impossible<(), Error>;

        fn serialize_f32(self, _v: f32) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_f64(self, _v: f64) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_none(self) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_unit(self) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<(), Error> {
            Err($error)
        }
        fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
            Err($error)
        }
        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err($error)
        }
        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err($error)
        }
        fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err($error)
        }
        fn serialize_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStruct, Error> {
            Err($error)
        }
        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err($error)
        }
    };
}

/// A map key: JSON keys are strings, so (as in `serde_json`) strings, chars, integers and bools
/// are written as strings and anything else is an error. The flag: whether it is the first key
/// (no comma before it).
struct MapKey<'a, 'b>(&'b mut Writer<'a>, bool);

fn key_error() -> Error {
    Error("a JSON object key must be a string".into())
}

impl MapKey<'_, '_> {
    fn quoted(self, text: &str) -> Result<(), Error> {
        self.0.out.key(self.1, text);
        Ok(())
    }

    fn int(self, n: impl itoa::Integer) -> Result<(), Error> {
        self.quoted(itoa::Buffer::new().format(n))
    }
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.quoted(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(if v { "true" } else { "false" })
    }
    integer_methods!();
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.quoted(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    rejected_methods!(key_error());
}

/// The pieces of a [`RawJson`], copied into the output; nothing else is accepted.
struct RawText<'a, 'b>(&'b mut Out<'a>);

fn raw_error() -> Error {
    Error("raw JSON must be text".into())
}

impl ser::Serializer for RawText<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.put(v.as_bytes());
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_char(self, _v: char) -> Result<(), Error> {
        Err(raw_error())
    }
    fn serialize_bool(self, _v: bool) -> Result<(), Error> {
        Err(raw_error())
    }
    integer_methods!();
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), Error> {
        Err(raw_error())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(raw_error())
    }
    rejected_methods!(raw_error());
}

impl RawText<'_, '_> {
    fn int(self, _n: impl itoa::Integer) -> Result<(), Error> {
        Err(raw_error())
    }
}

impl ser::SerializeSeq for RawText<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, piece: &T) -> Result<(), Error> {
        piece.serialize(RawText(&mut *self.0))
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: `serde_json`'s compact text with the extra escapes put in. Those characters
    /// can only stand inside strings, so replacing them in the finished text is exact.
    fn reference<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        let text = serde_json::to_string(value).ok()?;
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\u{7f}' | '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        Some(out)
    }

    fn ours<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        let mut out = Vec::new();
        write(&mut out, value).ok()?;
        String::from_utf8(out).ok()
    }

    #[test]
    fn raw_json_is_copied_and_only_text_is_raw() {
        use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
        #[derive(serde::Serialize)]
        struct Answer<'a> {
            a: u8,
            payload: Option<RawJson<'a>>,
            b: &'a str,
        }
        let format = TokenFormat::new(FormatKind::Flask);
        let text = r#"{"k":[1,"v",{}],"f":[{" t":["message","hi"]}],"m":{" m":"<b>"}}"#;
        let token = format.sign_at(&[b"key"], text.as_bytes(), 0).unwrap();
        let r = Verifier::decode_only(&format).inspect(token.as_bytes(), Detail::Verify);
        let json = r.payload_compact_json().unwrap();
        let answer = Answer {
            a: 1,
            payload: Some(RawJson::new(json)),
            b: "x",
        };
        let expected =
            r#"{"k":[1,"v",{}],"f":[{"$tuple":["message","hi"]}],"m":{"$markup":"<b>"}}"#;
        assert_eq!(
            ours(&answer),
            Some(format!(r#"{{"a":1,"payload":{expected},"b":"x"}}"#))
        );
        assert_eq!(
            serde_json::to_string(r.payload.as_ref().unwrap())
                .ok()
                .as_deref(),
            Some(expected)
        );
        // Elsewhere it is an array of its pieces, as documented.
        let pieces: Vec<&str> = json.pieces().collect();
        assert_eq!(pieces.concat(), expected);
        assert_eq!(
            serde_json::to_string(&RawJson::new(json)).ok(),
            serde_json::to_string(&pieces).ok()
        );
        // Under its name, anything but text is refused rather than written.
        struct NotText<T>(T);
        impl<T: Serialize> Serialize for NotText<T> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(RAW_JSON, &self.0)
            }
        }
        assert_eq!(ours(&NotText(7u8)), None);
        assert_eq!(ours(&NotText(("{", 1u8))), None);
        assert_eq!(ours(&NotText(["[", "1"])), None);
        assert_eq!(ours(&NotText(vec!["[", "1", "]"])).as_deref(), Some("[1]"));
    }

    #[test]
    fn escapes_json_needs_and_terminal_controls() {
        let s = "a\"b\\c\u{0}\u{8}\t\n\u{c}\r\u{1b}[31m\u{7f}\u{80}\u{9b}\u{9f}\u{a0}é\u{2028}\u{2029}\u{2027}😀/";
        assert_eq!(
            ours(s).as_deref(),
            Some(
                "\"a\\\"b\\\\c\\u0000\\b\\t\\n\\f\\r\\u001b[31m\\u007f\\u0080\\u009b\\u009f\u{a0}é\\u2028\\u2029\u{2027}😀/\""
            )
        );
        assert_eq!(ours(s), reference(s));
    }

    #[test]
    fn every_escape_at_every_offset_of_a_word() {
        // An escape at each position of the 8-byte steps, and runs longer than a word.
        let specials = [
            "\"", "\\", "\u{1}", "\u{1f}", "\u{7f}", "\u{85}", "\u{2028}", "ü", "😀",
        ];
        for special in specials {
            for before in 0..20 {
                for after in [0, 1, 7, 8, 9, 17] {
                    let s = format!("{}{special}{}", "x".repeat(before), "y".repeat(after));
                    assert_eq!(ours(&s), reference(&s), "{s:?}");
                    // As an object key, first and after another (written with comma and colon).
                    let map: std::collections::BTreeMap<&str, u8> = [(&s[..], 1), ("", 2)].into();
                    assert_eq!(ours(&map), reference(&map), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn every_mix_of_quotes_in_a_word() {
        // Each mix of quotes, backslashes, plain bytes and characters that take the rare path
        // (a non-ASCII letter, a control) over the 8 bytes of a step, at two alignments.
        let parts = ["\"", "\\", "a", "é", "\u{1}"];
        for mix in 0..parts.len().pow(8) {
            let word: String = (0..8)
                .map(|j| parts[mix / parts.len().pow(j) % parts.len()])
                .collect();
            for before in ["", "xyz"] {
                let s = format!("{before}{word}\"tail");
                assert_eq!(ours(&s), reference(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn values_match_serde_json() {
        let v = serde_json::json!({
            "null": null, "t": true, "f": false, "i": -12, "u": u64::MAX, "x": 1.5,
            "e": 1e100, "small": 5e-324, "list": [1, [], {}, "s"], "nested": {"a": {"b": [null]}},
        });
        assert_eq!(ours(&v), reference(&v));
        assert_eq!(ours(&f64::NAN).as_deref(), Some("null"));
        assert_eq!(ours(&f32::INFINITY).as_deref(), Some("null"));
        assert_eq!(ours(&0.1f32), reference(&0.1f32));
        assert_eq!(ours(&i128::MIN), reference(&i128::MIN));
        assert_eq!(ours(&'"'), reference(&'"'));
        assert_eq!(ours(&b"\x00\xff"[..]), reference(&b"\x00\xff"[..]));
        let keys: std::collections::BTreeMap<i32, bool> = [(-1, true), (7, false)].into();
        assert_eq!(ours(&keys), reference(&keys));
        let bool_keys: std::collections::BTreeMap<bool, u8> = [(true, 1)].into();
        assert_eq!(ours(&bool_keys), reference(&bool_keys));
        let bad: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(ours(&bad).is_none());
    }

    #[test]
    fn enums_and_structs_match_serde_json() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, &'static str),
            Struct { a: Option<u8>, b: () },
        }
        #[derive(serde::Serialize)]
        struct Unit;
        #[derive(serde::Serialize)]
        struct New(&'static str);
        #[derive(serde::Serialize)]
        struct Tuple(u8, u8);
        #[derive(serde::Serialize)]
        struct S {
            e: Vec<E>,
            unit: Unit,
            new: New,
            tuple: Tuple,
            pair: (bool, char),
        }
        let s = S {
            e: vec![
                E::Unit,
                E::New(1),
                E::Tuple(2, "x\n"),
                E::Struct { a: None, b: () },
                E::Struct { a: Some(3), b: () },
            ],
            unit: Unit,
            new: New("n"),
            tuple: Tuple(4, 5),
            pair: (false, '\u{85}'),
        };
        assert_eq!(ours(&s), reference(&s));
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\\\x00-\\x1f\\x7f-\\u{a0}\\u{2028}\\u{2029}a-z]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_strings_match_the_reference(s in any::<String>()) {
            prop_assert_eq!(ours(&s), reference(&s));
        }

        #[test]
        fn arbitrary_values_match_the_reference(v in json_value()) {
            prop_assert_eq!(ours(&v), reference(&v));
        }
    }
}
