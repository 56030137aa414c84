//! Python string literals evaluated without Python: the one parser behind
//! [`SecretKey::from_python_bytes_literal`](super::SecretKey::from_python_bytes_literal) (a key
//! written as `b'\x02\x01...'`, as `repr(app.secret_key)` prints it) and behind `waxseal-crack`'s
//! reader of flask-unsign's wordlists (one literal per line).
//!
//! [`evaluate_into`] gives what CPython's `ast.literal_eval` gives for source text that is one or
//! more implicitly concatenated `str` or `bytes` literals, optionally in parentheses, with
//! Python's rules for blanks, comments, line continuations and newlines (`\r\n` and a lone `\r`
//! read as `\n`, as Python's tokenizer does):
//!
//! * prefixes `u`, `r`, `b`, `br`, `rb` in any case; single, double and triple quotes;
//! * every escape: `\\ \' \" \a \b \f \n \r \t \v`, octal (`\0`..`\777`; in `bytes` only the low
//!   8 bits are kept, as CPython 3.11+ does), `\xHH`, and in `str` `\uHHHH` and `\UHHHHHHHH`;
//!   unknown escapes (`\e`, `\d`) stay as written, backslash included;
//! * a `str` literal's value is its UTF-8 encoding; a `bytes` literal may hold only ASCII.
//!
//! Decisions, and why:
//! * `\N{NAME}` escapes are refused ([`LiteralError::NamedEscape`]): evaluating them needs the
//!   Unicode name table, and no key or wordlist line seen in the wild uses one.
//! * A `str` literal holding a lone surrogate (`'\ud800'`) is valid Python but has no UTF-8
//!   encoding: it is reported as [`LiteralError::LoneSurrogate`] once the whole text has been
//!   read (so the error means "valid, but unencodable", not a syntax error).
//! * Offsets in errors are byte offsets into the text given.

use std::fmt;

/// Which kind of literal the text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    /// `'...'`, `u'...'`, `r'...'`: text, appended as UTF-8.
    Str,
    /// `b'...'`, `rb'...'`: bytes.
    Bytes,
}

/// Why text is not a Python string literal `ast.literal_eval` would accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralError {
    /// No string literal starts at this offset (empty text, a name, a number, an f-string, a
    /// prefix without its quote).
    NotALiteral {
        /// Byte offset.
        offset: usize,
    },
    /// The literal whose opening quote is at this offset has no closing quote: it is missing,
    /// or an unescaped quote ended the literal early.
    Unterminated {
        /// Byte offset of the opening quote.
        offset: usize,
    },
    /// A non-ASCII character inside a `bytes` literal.
    NonAsciiInBytes {
        /// Byte offset.
        offset: usize,
    },
    /// An escape without enough hex digits (`\x4`), or naming no character (`\U00110000`).
    BadEscape {
        /// Byte offset of the backslash.
        offset: usize,
    },
    /// A `\N{...}` escape (not supported, see the module documentation).
    NamedEscape {
        /// Byte offset of the backslash.
        offset: usize,
    },
    /// `str` and `bytes` literals concatenated, which Python refuses.
    MixedKinds {
        /// Byte offset of the literal of the other kind.
        offset: usize,
    },
    /// Something other than blanks and comments after the literals, or unbalanced parentheses.
    TrailingText {
        /// Byte offset.
        offset: usize,
    },
    /// A NUL byte, which Python refuses in source code.
    NulByte {
        /// Byte offset.
        offset: usize,
    },
    /// A valid `str` literal holding a lone surrogate, which has no UTF-8 encoding.
    LoneSurrogate,
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LiteralError::NotALiteral { offset } => {
                write!(f, "no string literal at offset {offset}")
            }
            LiteralError::Unterminated { offset } => write!(
                f,
                "the literal whose quote opens at offset {offset} is not closed (the closing \
                 quote is missing, or an unescaped quote ends it early)"
            ),
            LiteralError::NonAsciiInBytes { offset } => write!(
                f,
                "non-ASCII character at offset {offset} (bytes literals allow only ASCII)"
            ),
            LiteralError::BadEscape { offset } => write!(
                f,
                "the escape at offset {offset} is incomplete (\\x needs two hex digits, \\u four, \
                 \\U eight naming a character)"
            ),
            LiteralError::NamedEscape { offset } => {
                write!(f, "\\N{{...}} escapes are not supported (offset {offset})")
            }
            LiteralError::MixedKinds { offset } => write!(
                f,
                "str and bytes literals are mixed (offset {offset}), which Python refuses"
            ),
            LiteralError::TrailingText { offset } => {
                write!(f, "unexpected text after the literal at offset {offset}")
            }
            LiteralError::NulByte { offset } => write!(f, "NUL byte at offset {offset}"),
            LiteralError::LoneSurrogate => f.write_str(
                "the str literal holds a lone surrogate, which cannot be encoded as UTF-8",
            ),
        }
    }
}

impl std::error::Error for LiteralError {}

/// Evaluates `source` like `ast.literal_eval` (see the module documentation) and appends the
/// value to `out`: a `str`'s UTF-8 encoding or a `bytes` literal's bytes. On error `out` is left
/// as it was.
///
/// ```
/// use waxseal::secret::python_literal::{evaluate_into, LiteralError, LiteralKind};
/// let mut out = Vec::new();
/// assert_eq!(evaluate_into(r"b'\x02\x01key\e'", &mut out), Ok(LiteralKind::Bytes));
/// assert_eq!(out, b"\x02\x01key\\e");
/// out.clear();
/// assert_eq!(evaluate_into(r#"("caf\u00e9" 'x')  # a comment"#, &mut out), Ok(LiteralKind::Str));
/// assert_eq!(out, "caf\u{e9}x".as_bytes());
/// assert_eq!(evaluate_into(r"'\x4'", &mut out), Err(LiteralError::BadEscape { offset: 1 }));
/// assert_eq!(evaluate_into(r"'\ud800'", &mut out), Err(LiteralError::LoneSurrogate));
/// assert_eq!(out, "caf\u{e9}x".as_bytes()); // unchanged by the failures
/// ```
pub fn evaluate_into(source: &str, out: &mut Vec<u8>) -> Result<LiteralKind, LiteralError> {
    let start = out.len();
    let result = Parser {
        s: source.as_bytes(),
        pos: 0,
        surrogate: false,
    }
    .expression(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// The length of the newline at `pos` (`\n`, `\r\n` or a lone `\r`), 0 if there is none.
fn newline_len(s: &[u8], pos: usize) -> usize {
    match (s.get(pos), s.get(pos + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\n' | b'\r'), _) => 1,
        _ => 0,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    surrogate: bool,
}

impl Parser<'_> {
    /// Skips blanks, comments and line continuations; newlines too inside parentheses.
    fn skip_blanks(&mut self, in_parens: bool) -> Result<(), LiteralError> {
        while let Some(&c) = self.s.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'\n' | b'\r' if in_parens => self.pos += newline_len(self.s, self.pos),
                b'\\' => match newline_len(self.s, self.pos + 1) {
                    0 => return Err(LiteralError::TrailingText { offset: self.pos }),
                    n => self.pos += 1 + n,
                },
                b'#' => {
                    while self
                        .s
                        .get(self.pos)
                        .is_some_and(|&c| c != b'\n' && c != b'\r')
                    {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// `(* literal+ )*` followed only by blanks, comments and newlines.
    fn expression(mut self, out: &mut Vec<u8>) -> Result<LiteralKind, LiteralError> {
        // Python refuses NUL anywhere in source code, comments included.
        if self.s.contains(&0) {
            let offset = self.s.iter().position(|&b| b == 0).unwrap_or(0);
            return Err(LiteralError::NulByte { offset });
        }
        let mut depth = 0usize;
        // Blank lines before the expression are ignored, as Python's tokenizer does.
        self.skip_blanks(true)?;
        while self.s.get(self.pos) == Some(&b'(') {
            depth += 1;
            self.pos += 1;
            self.skip_blanks(true)?;
        }
        let mut kind = None;
        loop {
            self.skip_blanks(depth > 0)?;
            match self.s.get(self.pos) {
                // A newline outside parentheses ends the expression.
                None | Some(b')' | b'\n' | b'\r') if kind.is_some() => break,
                _ => {}
            }
            let at = self.pos;
            let (this, raw) = self.prefix()?;
            if kind.is_some_and(|k| k != this) {
                return Err(LiteralError::MixedKinds { offset: at });
            }
            kind = Some(this);
            self.body(this, raw, out)?;
        }
        while depth > 0 {
            self.skip_blanks(true)?;
            if self.s.get(self.pos) != Some(&b')') {
                return Err(LiteralError::TrailingText { offset: self.pos });
            }
            self.pos += 1;
            depth -= 1;
        }
        // Only blanks, comments and newlines may follow.
        while self.pos < self.s.len() {
            self.skip_blanks(true)?;
            if self.pos < self.s.len() {
                return Err(LiteralError::TrailingText { offset: self.pos });
            }
        }
        if self.surrogate {
            return Err(LiteralError::LoneSurrogate);
        }
        kind.ok_or(LiteralError::NotALiteral { offset: self.pos })
    }

    /// Reads a literal's prefix; leaves `pos` on its opening quote.
    fn prefix(&mut self) -> Result<(LiteralKind, bool), LiteralError> {
        let start = self.pos;
        let not_literal = LiteralError::NotALiteral { offset: start };
        let mut end = start;
        while self.s.get(end).is_some_and(u8::is_ascii_alphabetic) {
            end += 1;
        }
        let lower = |i: usize| self.s[start + i].to_ascii_lowercase();
        let found = match end - start {
            0 => (LiteralKind::Str, false),
            1 => match lower(0) {
                b'u' => (LiteralKind::Str, false),
                b'r' => (LiteralKind::Str, true),
                b'b' => (LiteralKind::Bytes, false),
                _ => return Err(not_literal), // names, f-strings
            },
            2 => match (lower(0), lower(1)) {
                (b'b', b'r') | (b'r', b'b') => (LiteralKind::Bytes, true),
                _ => return Err(not_literal), // rf/fr f-strings, other names
            },
            _ => return Err(not_literal),
        };
        match self.s.get(end) {
            Some(b'\'' | b'"') => {
                self.pos = end;
                Ok(found)
            }
            _ => Err(not_literal),
        }
    }

    /// Reads one literal from its opening quote, appending its value.
    fn body(
        &mut self,
        kind: LiteralKind,
        raw: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), LiteralError> {
        let s = self.s;
        let open = self.pos;
        let quote = s[open];
        let triple = s.get(open + 1) == Some(&quote) && s.get(open + 2) == Some(&quote);
        let mut pos = open + if triple { 3 } else { 1 };
        let unterminated = LiteralError::Unterminated { offset: open };
        // A source character: any in a str literal, ASCII only in a bytes literal.
        let source = |out: &mut Vec<u8>, c: u8, at: usize| {
            if kind == LiteralKind::Bytes && !c.is_ascii() {
                return Err(LiteralError::NonAsciiInBytes { offset: at });
            }
            out.push(c);
            Ok(())
        };
        let bytes = kind == LiteralKind::Bytes;
        loop {
            // Ordinary characters in one copy: a wordlist line is mostly them.
            let run = s[pos..]
                .iter()
                .position(|&c| {
                    c == quote || c == b'\\' || c == b'\n' || c == b'\r' || (bytes && !c.is_ascii())
                })
                .unwrap_or(s.len() - pos);
            out.extend_from_slice(&s[pos..pos + run]);
            pos += run;
            let c = *s.get(pos).ok_or(unterminated)?;
            if c == quote {
                if !triple {
                    self.pos = pos + 1;
                    return Ok(());
                }
                if s.get(pos + 1) == Some(&quote) && s.get(pos + 2) == Some(&quote) {
                    self.pos = pos + 3;
                    return Ok(());
                }
            }
            match c {
                b'\n' | b'\r' if !triple => return Err(unterminated),
                b'\n' | b'\r' => {
                    out.push(b'\n');
                    pos += newline_len(s, pos);
                    continue;
                }
                b'\\' => {}
                _ => {
                    source(out, c, pos)?;
                    pos += 1;
                    continue;
                }
            }
            let backslash = pos;
            let escaped = *s.get(pos + 1).ok_or(unterminated)?;
            let newline = newline_len(s, pos + 1);
            if raw {
                // The backslash stays, and the next character cannot close the literal.
                out.push(b'\\');
                if newline > 0 {
                    out.push(b'\n');
                    pos += 1 + newline;
                } else {
                    source(out, escaped, pos + 1)?;
                    pos += 2;
                }
                continue;
            }
            if newline > 0 {
                pos += 1 + newline; // backslash-newline: continuation
                continue;
            }
            pos += 2;
            let bad = LiteralError::BadEscape { offset: backslash };
            let code: u32 = match escaped {
                b'\\' | b'\'' | b'"' => u32::from(escaped),
                b'a' => 7,
                b'b' => 8,
                b'f' => 12,
                b'n' => 10,
                b'r' => 13,
                b't' => 9,
                b'v' => 11,
                b'0'..=b'7' => {
                    let mut code = u32::from(escaped - b'0');
                    for _ in 0..2 {
                        match s.get(pos) {
                            Some(&d @ b'0'..=b'7') => {
                                code = code * 8 + u32::from(d - b'0');
                                pos += 1;
                            }
                            _ => break,
                        }
                    }
                    match kind {
                        LiteralKind::Bytes => code & 0xff,
                        LiteralKind::Str => code,
                    }
                }
                b'x' => {
                    let code = hex_digits(s, pos, 2).ok_or(bad)?;
                    pos += 2;
                    code
                }
                b'u' | b'U' if kind == LiteralKind::Str => {
                    let len = if escaped == b'u' { 4 } else { 8 };
                    let code = hex_digits(s, pos, len).ok_or(bad)?;
                    pos += len;
                    code
                }
                b'N' if kind == LiteralKind::Str => {
                    return Err(LiteralError::NamedEscape { offset: backslash })
                }
                _ => {
                    // Unknown escape: kept as written; the character after it is read normally.
                    out.push(b'\\');
                    pos -= 1;
                    continue;
                }
            };
            match kind {
                LiteralKind::Bytes => out.push(u8::try_from(code).map_err(|_| bad)?),
                LiteralKind::Str if (0xD800..=0xDFFF).contains(&code) => self.surrogate = true,
                LiteralKind::Str => {
                    let mut buf = [0u8; 4];
                    let ch = char::from_u32(code).ok_or(bad)?;
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }
}

fn hex_digits(s: &[u8], pos: usize, len: usize) -> Option<u32> {
    s.get(pos..pos + len)?.iter().try_fold(0u32, |code, &d| {
        Some(code * 16 + u32::from(crate::hex::digit_value(d)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(s: &str) -> Result<(LiteralKind, Vec<u8>), LiteralError> {
        let mut out = Vec::new();
        evaluate_into(s, &mut out).map(|k| (k, out))
    }

    #[test]
    fn newlines_read_as_python_reads_them() {
        let want = Ok((LiteralKind::Str, b"a\nb".to_vec()));
        assert_eq!(eval("'''a\r\nb'''"), want);
        assert_eq!(eval("'''a\rb'''"), want);
        assert_eq!(
            eval("('a\\\r\n'\r\n 'b')"),
            Ok((LiteralKind::Str, b"ab".to_vec()))
        );
        assert_eq!(
            eval("'a\rb'"),
            Err(LiteralError::Unterminated { offset: 0 })
        );
        assert_eq!(
            eval("'a'\n'b'"),
            Err(LiteralError::TrailingText { offset: 4 })
        );
        assert_eq!(eval("\n'a'"), Ok((LiteralKind::Str, b"a".to_vec())));
        assert_eq!(eval("'a'  # c\n"), Ok((LiteralKind::Str, b"a".to_vec())));
        assert_eq!(
            eval("r'a\\\nb'"),
            Ok((LiteralKind::Str, b"a\\\nb".to_vec()))
        );
    }

    #[test]
    fn syntax_errors_name_their_place() {
        assert_eq!(eval(""), Err(LiteralError::NotALiteral { offset: 0 }));
        assert_eq!(eval("b"), Err(LiteralError::NotALiteral { offset: 0 }));
        assert_eq!(eval("f'x'"), Err(LiteralError::NotALiteral { offset: 0 }));
        assert_eq!(
            eval("'a' b'b'"),
            Err(LiteralError::MixedKinds { offset: 4 })
        );
        assert_eq!(eval("('a'"), Err(LiteralError::TrailingText { offset: 4 }));
        assert_eq!(eval("'a')"), Err(LiteralError::TrailingText { offset: 3 }));
        assert_eq!(
            eval("b'\u{e9}'"),
            Err(LiteralError::NonAsciiInBytes { offset: 2 })
        );
        assert_eq!(eval("'a\0'"), Err(LiteralError::NulByte { offset: 2 }));
        assert_eq!(eval("'a' # \0"), Err(LiteralError::NulByte { offset: 6 }));
        assert_eq!(
            eval(r"'\N{DASH}'"),
            Err(LiteralError::NamedEscape { offset: 1 })
        );
        assert_eq!(
            eval(r"'\U00110000'"),
            Err(LiteralError::BadEscape { offset: 1 })
        );
        assert_eq!(
            eval(r"b'a'b'"),
            Err(LiteralError::Unterminated { offset: 5 })
        );
        assert!(LiteralError::Unterminated { offset: 5 }
            .to_string()
            .contains("unescaped quote"));
    }

    #[test]
    fn octal_and_hex_follow_the_literal_kind() {
        assert_eq!(
            eval(r"b'\777\x41'"),
            Ok((LiteralKind::Bytes, vec![0xff, b'A']))
        );
        assert_eq!(
            eval(r"'\777\xe9'"),
            Ok((LiteralKind::Str, "\u{1ff}\u{e9}".as_bytes().to_vec()))
        );
        assert_eq!(
            eval(r"b'\u0041'"),
            Ok((LiteralKind::Bytes, br"\u0041".to_vec()))
        );
    }
}
