//! Wordlists: plain lines or flask-unsign's Python-literal lines, read in a streaming fashion.
//!
//! flask-unsign (1.2.1, `flask_unsign.helpers.parse`) reads each line as bytes, decodes it as
//! UTF-8, strips whitespace and runs `ast.literal_eval`; when decoding or evaluation fails
//! (`SyntaxError`/`ValueError`) it uses the stripped line itself as the secret. This module mirrors
//! that for string literals without running Python:
//!
//! * a line that is one or more (implicitly concatenated, optionally parenthesised) `str` or
//!   `bytes` literals gives the literal's value (`str` encoded as UTF-8);
//! * anything else (invalid escapes such as a truncated `\x4`, unterminated quotes, names, numbers,
//!   f-strings, NUL bytes, non-UTF-8 bytes) falls back to the stripped line, like flask-unsign
//!   (which for numbers and other non-string literals aborts with an error instead);
//! * a `str` literal containing a lone surrogate (`'\ud800'`) cannot be encoded; flask-unsign
//!   crashes on it, waxseal skips the line and counts it.
//!
//! `\N{...}` escapes are not supported: such lines fall back to the stripped text. The literals
//! are evaluated by the core's one Python-literal parser, [`waxseal::secret::python_literal`],
//! the same that reads a `SECRET_KEY = b'...'` key.

use crate::engine::{CandidateChunk, CandidateSource, EntryDecoder, Filled};
use crate::CrackError;
use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use waxseal::secret::python_literal::{self, LiteralError};

/// How a wordlist's lines are turned into candidates.
///
/// ```
/// use waxseal_crack::WordlistFormat;
/// assert_eq!("python".parse::<WordlistFormat>().unwrap(), WordlistFormat::Python);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WordlistFormat {
    /// [`WordlistFormat::Python`] when the first non-empty lines are all quoted literals,
    /// [`WordlistFormat::Plain`] otherwise.
    #[default]
    Auto,
    /// One candidate per line: the line's bytes without the trailing `\n` and one `\r`.
    /// Empty lines are candidates too (the empty key), so a candidate's index is its line number - 1.
    Plain,
    /// flask-unsign's format: each line is a Python string literal (see the module docs).
    Python,
    /// Each line is UTF-8 text whose characters are the key's bytes, as Python's
    /// `str.encode("latin-1")` makes them (lists of Python 2 byte strings saved as text). Lines
    /// that are not UTF-8 or hold a character above U+00FF are skipped and counted.
    Latin1,
}

impl std::str::FromStr for WordlistFormat {
    type Err = CrackError;

    /// Parses `auto`, `plain` (or `raw`), `python` or `latin-1` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(WordlistFormat::Auto),
            "plain" => Ok(WordlistFormat::Plain),
            "python" => Ok(WordlistFormat::Python),
            "raw" => Ok(WordlistFormat::Plain),
            "latin-1" | "latin1" => Ok(WordlistFormat::Latin1),
            _ => Err(CrackError::UnknownWordlistFormat(s.to_owned())),
        }
    }
}

/// The meaning of one Python-format line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonLine {
    /// The line is a string literal with this value (a `str` encoded as UTF-8, or raw `bytes`).
    Literal(Vec<u8>),
    /// The line is not a valid string literal: the stripped line is used as is (flask-unsign's
    /// fallback).
    Fallback(Vec<u8>),
    /// A `str` literal with a lone surrogate, which cannot be encoded as UTF-8: skipped.
    Unencodable,
}

/// Evaluates one Python-format wordlist line (without its trailing newline) like flask-unsign.
///
/// ```
/// use waxseal_crack::{parse_python_line, PythonLine};
/// assert_eq!(parse_python_line(br#"  "a\x41\101\u00e9"  "#), PythonLine::Literal("aAA\u{e9}".into()));
/// assert_eq!(parse_python_line(br"b'\xff' b'\777'"), PythonLine::Literal(vec![0xff, 0xff]));
/// assert_eq!(parse_python_line(br"'\d'"), PythonLine::Literal(br"\d".to_vec())); // unknown escape kept
/// assert_eq!(parse_python_line(b"plain text "), PythonLine::Fallback(b"plain text".to_vec()));
/// assert_eq!(parse_python_line(br"'\x4'"), PythonLine::Fallback(br"'\x4'".to_vec()));
/// assert_eq!(parse_python_line(br"'\ud800'"), PythonLine::Unencodable);
/// ```
pub fn parse_python_line(line: &[u8]) -> PythonLine {
    let mut value = Vec::new();
    match evaluate_line(line, &mut value) {
        LineValue::Literal => PythonLine::Literal(value),
        LineValue::Fallback(text) => PythonLine::Fallback(text.to_vec()),
        LineValue::Unencodable => PythonLine::Unencodable,
    }
}

/// What one line gives: a literal (its value appended to the buffer), the stripped line, or
/// nothing.
enum LineValue<'a> {
    Literal,
    Fallback(&'a [u8]),
    Unencodable,
}

/// flask-unsign's reading of a line through the core's Python-literal parser
/// ([`waxseal::secret::python_literal`]); a literal's value is appended to `value`.
fn evaluate_line<'a>(line: &'a [u8], value: &mut Vec<u8>) -> LineValue<'a> {
    let Ok(text) = std::str::from_utf8(line) else {
        return LineValue::Fallback(line.trim_ascii());
    };
    let stripped = text.trim_matches(python_isspace);
    match python_literal::evaluate_into(stripped, value) {
        Ok(_) => LineValue::Literal,
        Err(LiteralError::LoneSurrogate) => LineValue::Unencodable,
        Err(_) => LineValue::Fallback(stripped.as_bytes()),
    }
}

/// Python's `str.isspace` (Unicode White_Space plus the ASCII separators U+001C..U+001F).
fn python_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Line statistics of a [`WordlistReader`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordlistStats {
    /// Lines read.
    pub lines: u64,
    /// Python format: lines that were string literals.
    pub literal_lines: u64,
    /// Python format: lines that were not string literals and were used as stripped text.
    pub fallback_lines: u64,
    /// Lines skipped because they cannot be decoded: Python format, a lone surrogate; Latin-1,
    /// not UTF-8 or a character above U+00FF.
    pub skipped_lines: u64,
}

#[derive(Debug, Default)]
struct PythonLineCounters {
    literal: AtomicU64,
    fallback: AtomicU64,
    skipped: Arc<AtomicU64>,
}

/// Decodes Python-format lines into candidates and counts them into its [`WordlistReader`]'s
/// statistics; [`crate::crack`]'s workers use it in parallel (it is the reader's [`EntryDecoder`]).
///
/// ```
/// use waxseal_crack::{CandidateChunk, PythonLineDecoder};
/// let mut lines = CandidateChunk::new();
/// lines.push(br"'a\x41'");
/// lines.push(br"'\ud800'");
/// lines.push(b"bare");
/// let (mut out, mut positions) = (CandidateChunk::new(), Vec::new());
/// PythonLineDecoder::default().decode_chunk(&lines, &mut out, &mut positions);
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![&b"aA"[..], b"bare"]);
/// assert_eq!(positions, vec![0, 2]); // line 1 was skipped
/// ```
#[derive(Debug, Clone, Default)]
pub struct PythonLineDecoder {
    counters: Arc<PythonLineCounters>,
}

impl EntryDecoder for PythonLineDecoder {
    fn decode(&self, lines: &CandidateChunk, out: &mut CandidateChunk, positions: &mut Vec<u64>) {
        self.decode_chunk(lines, out, positions);
    }
}

impl PythonLineDecoder {
    /// Replaces `out` with the candidates of `lines` and `positions` with each candidate's line
    /// position in `lines` (unencodable lines are skipped).
    pub fn decode_chunk(
        &self,
        lines: &CandidateChunk,
        out: &mut CandidateChunk,
        positions: &mut Vec<u64>,
    ) {
        out.clear();
        positions.clear();
        let (mut literal, mut fallback, mut skipped) = (0, 0, 0);
        let mut value = Vec::new();
        for (position, line) in lines.iter().enumerate() {
            value.clear();
            match evaluate_line(line, &mut value) {
                LineValue::Literal => {
                    literal += 1;
                    out.push(&value);
                }
                LineValue::Fallback(text) => {
                    fallback += 1;
                    out.push(text);
                }
                LineValue::Unencodable => {
                    skipped += 1;
                    continue;
                }
            }
            positions.push(position as u64);
        }
        self.counters.literal.fetch_add(literal, Ordering::Relaxed);
        self.counters
            .fallback
            .fetch_add(fallback, Ordering::Relaxed);
        self.counters.skipped.fetch_add(skipped, Ordering::Relaxed);
    }
}

/// Decodes [`WordlistFormat::Latin1`] lines in the workers, counting the lines it must skip.
///
/// ```
/// use waxseal_crack::{CandidateChunk, EntryDecoder, Latin1LineDecoder};
/// let mut lines = CandidateChunk::new();
/// lines.push("caf\u{e9}".as_bytes());
/// lines.push("\u{20ac}uro".as_bytes()); // U+20AC is not Latin-1
/// let (mut out, mut positions) = (CandidateChunk::new(), Vec::new());
/// let decoder = Latin1LineDecoder::default();
/// decoder.decode(&lines, &mut out, &mut positions);
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![&b"caf\xe9"[..]]);
/// assert_eq!(decoder.skipped(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Latin1LineDecoder {
    skipped: Arc<AtomicU64>,
}

impl Latin1LineDecoder {
    /// Lines skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
}

impl EntryDecoder for Latin1LineDecoder {
    fn decode(&self, lines: &CandidateChunk, out: &mut CandidateChunk, positions: &mut Vec<u64>) {
        let mut skipped = 0;
        let mut buf = Vec::new();
        for (position, line) in lines.iter().enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            buf.clear();
            let ok = std::str::from_utf8(line).is_ok_and(|text| {
                text.chars()
                    .all(|c| u8::try_from(u32::from(c)).map(|b| buf.push(b)).is_ok())
            });
            if ok {
                out.push(&buf);
                positions.push(position as u64);
            } else {
                skipped += 1;
            }
        }
        self.skipped.fetch_add(skipped, Ordering::Relaxed);
    }
}

/// Number of non-empty lines [`WordlistFormat::Auto`] looks at.
const AUTO_SAMPLE_LINES: usize = 16;

/// A streaming wordlist reader (file, stdin, anything `BufRead`) that is a [`CandidateSource`].
///
/// Lines are read one at a time; the whole list is never held in memory.
///
/// ```
/// use waxseal_crack::{CandidateChunk, CandidateSource, WordlistFormat, WordlistReader};
/// let text = b"'dev'\n\"secret\\x21\"\nb'\\xff'\n";
/// let mut reader = WordlistReader::new(&text[..], WordlistFormat::Auto);
/// let mut chunk = CandidateChunk::new();
/// reader.fill(&mut chunk, 100).unwrap();
/// assert_eq!(reader.format(), WordlistFormat::Python);
/// assert_eq!(chunk.iter().collect::<Vec<_>>(), vec![&b"dev"[..], b"secret!", b"\xff"]);
/// ```
#[derive(Debug)]
pub struct WordlistReader<R> {
    reader: R,
    format: WordlistFormat,
    pending: VecDeque<Vec<u8>>,
    line: Vec<u8>,
    lines: u64,
    bytes_read: Arc<AtomicU64>,
    decoder: PythonLineDecoder,
    shared_decoder: Arc<dyn EntryDecoder>,
    latin1: Latin1LineDecoder,
    latin1_shared: Arc<dyn EntryDecoder>,
    decoded: CandidateChunk,
    positions: Vec<u64>,
}

impl<R: BufRead> WordlistReader<R> {
    /// Reads `reader` in `format`.
    pub fn new(reader: R, format: WordlistFormat) -> Self {
        let decoder = PythonLineDecoder::default();
        let latin1 = Latin1LineDecoder::default();
        WordlistReader {
            reader,
            format,
            pending: VecDeque::new(),
            line: Vec::new(),
            lines: 0,
            bytes_read: Arc::default(),
            decoder: decoder.clone(),
            shared_decoder: Arc::new(decoder),
            latin1: latin1.clone(),
            latin1_shared: Arc::new(latin1),
            decoded: CandidateChunk::new(),
            positions: Vec::new(),
        }
    }

    /// The format in use; [`WordlistFormat::Auto`] until the first candidates were read.
    pub fn format(&self) -> WordlistFormat {
        self.format
    }

    /// A live count of the bytes read from the input, for a progress bar's ETA when the input's
    /// size is known (a file). Clone it before handing the reader to [`crate::crack`] and poll it
    /// from another thread.
    ///
    /// ```
    /// use waxseal_crack::{CandidateChunk, CandidateSource, WordlistFormat, WordlistReader};
    /// let mut reader = WordlistReader::new(&b"one\ntwo\n"[..], WordlistFormat::Plain);
    /// let bytes = reader.bytes_read_counter();
    /// reader.fill(&mut CandidateChunk::new(), 10).unwrap();
    /// assert_eq!(bytes.load(std::sync::atomic::Ordering::Relaxed), 8);
    /// ```
    pub fn bytes_read_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// Adds the lines skipped as undecodable (Python: lone surrogates; Latin-1: not UTF-8 or
    /// above U+00FF) to `counter` as well as to [`WordlistReader::stats`]: several readers, one
    /// report.
    ///
    /// ```
    /// use std::sync::{atomic::{AtomicU64, Ordering}, Arc};
    /// use waxseal_crack::{crack, CrackOptions, Progress, Target, WordlistFormat, WordlistReader};
    /// let skipped = Arc::new(AtomicU64::new(0));
    /// let reader = WordlistReader::new(&b"'a'\n'\\ud800'\n"[..], WordlistFormat::Python)
    ///     .counting_skipped_into(Arc::clone(&skipped));
    /// let target = Target::flask_session("eyJhIjoxfQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    /// crack(&[target], reader, &CrackOptions::default(), &Progress::new()).unwrap();
    /// assert_eq!(skipped.load(Ordering::Relaxed), 1);
    /// ```
    pub fn counting_skipped_into(mut self, counter: Arc<AtomicU64>) -> Self {
        self.decoder = PythonLineDecoder {
            counters: Arc::new(PythonLineCounters {
                skipped: Arc::clone(&counter),
                ..PythonLineCounters::default()
            }),
        };
        self.shared_decoder = Arc::new(self.decoder.clone());
        self.latin1 = Latin1LineDecoder { skipped: counter };
        self.latin1_shared = Arc::new(self.latin1.clone());
        self
    }

    /// Adds the bytes read to `counter` instead of a counter of its own (several readers, one
    /// progress display).
    pub fn counting_bytes_into(mut self, counter: Arc<AtomicU64>) -> Self {
        self.bytes_read = counter;
        self
    }

    /// Line counts so far.
    pub fn stats(&self) -> WordlistStats {
        let counters = &self.decoder.counters;
        WordlistStats {
            lines: self.lines,
            literal_lines: counters.literal.load(Ordering::Relaxed),
            fallback_lines: counters.fallback.load(Ordering::Relaxed),
            skipped_lines: counters.skipped.load(Ordering::Relaxed)
                + if Arc::ptr_eq(&counters.skipped, &self.latin1.skipped) {
                    0
                } else {
                    self.latin1.skipped()
                },
        }
    }

    /// Appends up to `max` lines as they are (Plain: without `\n` and one `\r`; Python: without
    /// `\n`, undecoded).
    fn fill_lines(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        if self.format == WordlistFormat::Auto {
            self.detect_format()?;
        }
        let mut added = 0;
        while added < max && self.read_line()? {
            self.lines += 1;
            let line = match self.format {
                WordlistFormat::Plain => self.line.strip_suffix(b"\r").unwrap_or(&self.line),
                _ => &self.line,
            };
            chunk.push(line);
            added += 1;
        }
        Ok(added)
    }

    /// Reads one line (without `\n`) into `self.line`; `false` at end of input.
    fn read_line(&mut self) -> Result<bool, CrackError> {
        self.line.clear();
        if let Some(line) = self.pending.pop_front() {
            self.line = line;
            return Ok(true);
        }
        self.read_line_from_input()
    }

    /// Reads one line (without `\n`) from the input itself, bypassing lines kept by detection.
    fn read_line_from_input(&mut self) -> Result<bool, CrackError> {
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(|e| CrackError::Io(e.to_string()))?;
        if n == 0 {
            return Ok(false);
        }
        self.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        }
        Ok(true)
    }

    fn detect_format(&mut self) -> Result<(), CrackError> {
        let mut looks_python = true;
        let mut sampled = 0;
        while sampled < AUTO_SAMPLE_LINES {
            if !self.read_line_from_input()? {
                break;
            }
            let line = std::mem::take(&mut self.line);
            if !line.trim_ascii().is_empty() {
                sampled += 1;
                looks_python &= !matches!(parse_python_line(&line), PythonLine::Fallback(_));
            }
            self.pending.push_back(line);
        }
        self.format = if looks_python && sampled > 0 {
            WordlistFormat::Python
        } else {
            WordlistFormat::Plain
        };
        Ok(())
    }
}

impl<R: BufRead + Send> CandidateSource for WordlistReader<R> {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        let mut added = 0;
        // Python lines skipped as unencodable give no candidate: read on until `max` or the end.
        while added < max {
            let mut lines = std::mem::take(&mut self.decoded);
            lines.clear();
            let read = self.fill_lines(&mut lines, max - added);
            let read = match read {
                Ok(read) => read,
                Err(error) => {
                    self.decoded = lines;
                    return Err(error);
                }
            };
            if read == 0 {
                self.decoded = lines;
                break;
            }
            if matches!(self.format, WordlistFormat::Python | WordlistFormat::Latin1) {
                let mut decoded = CandidateChunk::new();
                self.positions.clear();
                if self.format == WordlistFormat::Python {
                    self.decoder
                        .decode_chunk(&lines, &mut decoded, &mut self.positions);
                } else {
                    self.latin1
                        .decode(&lines, &mut decoded, &mut self.positions);
                }
                for candidate in decoded.iter() {
                    chunk.push(candidate);
                }
                added += decoded.len();
            } else {
                for candidate in lines.iter() {
                    chunk.push(candidate);
                }
                added += read;
            }
            self.decoded = lines;
        }
        Ok(added)
    }

    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        let read = self.fill_lines(chunk, max)?;
        Ok(Filled {
            slots: read as u64,
            decoder: match self.format {
                WordlistFormat::Python => Some(self.shared_decoder.clone()),
                WordlistFormat::Latin1 => Some(self.latin1_shared.clone()),
                _ => None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lit(s: &[u8]) -> PythonLine {
        PythonLine::Literal(s.to_vec())
    }

    #[test]
    fn python_cases_checked_against_cpython_311() {
        // Expected values were produced with ast.literal_eval in the pinned venv.
        assert_eq!(parse_python_line(b"b'\\777'"), lit(b"\xff"));
        assert_eq!(parse_python_line(b"'\\777'"), lit("\u{1ff}".as_bytes()));
        assert_eq!(
            parse_python_line(b"'a\x00'"),
            PythonLine::Fallback(b"'a\x00'".to_vec())
        );
        assert_eq!(parse_python_line(b"('a'\r'b')"), lit(b"ab"));
        assert_eq!(
            parse_python_line(b"'a'\r'b'"),
            PythonLine::Fallback(b"'a'\r'b'".to_vec())
        );
        assert_eq!(parse_python_line(b"'''a\rb'''"), lit(b"a\nb"));
        assert_eq!(parse_python_line(b"'a' \\\r'b'"), lit(b"ab"));
        assert_eq!(parse_python_line(b"'a\\\rb'"), lit(b"ab"));
        assert_eq!(parse_python_line(b"r'a\\\rb'"), lit(b"a\\\nb"));
        assert_eq!(parse_python_line(b"u'a' 'b'"), lit(b"ab"));
        assert_eq!(
            parse_python_line(b"b'a' 'b'"),
            PythonLine::Fallback(b"b'a' 'b'".to_vec())
        );
        assert_eq!(parse_python_line(b"'a' #c"), lit(b"a"));
        assert_eq!(parse_python_line(b"(('a'))"), lit(b"a"));
        assert_eq!(parse_python_line(b"'a'\x0c'b'"), lit(b"ab"));
        assert_eq!(parse_python_line(b"'\\400'"), lit("\u{100}".as_bytes()));
        assert_eq!(parse_python_line(b"b'\\400'"), lit(b"\x00"));
    }

    #[test]
    fn odd_lines_fall_back_instead_of_panicking() {
        for line in [
            &b""[..],
            b"'",
            b"\"",
            b"'''",
            b"'abc\\",
            b"\\",
            b"'a' \\",
            b"\xff\xfe",
            b"f'x'",
            b"123456",
            b"('a'",
            b"'a')",
            b"('a',)",
            b"'\\U00110000'",
            b"'\\N{LATIN SMALL LETTER A}'",
            b"b'\xc3\xa9'",
        ] {
            assert!(
                matches!(parse_python_line(line), PythonLine::Fallback(_)),
                "{line:?}"
            );
        }
        let long = vec![b'\''; 1 << 20];
        let _ = parse_python_line(&long);
    }

    #[test]
    fn plain_lines_strip_newline_and_one_carriage_return_only() {
        let text = b"a\r\r\n\nb \r\nlast";
        let mut reader = WordlistReader::new(&text[..], WordlistFormat::Plain);
        let mut chunk = CandidateChunk::new();
        assert_eq!(reader.fill(&mut chunk, 10).unwrap(), 4);
        assert_eq!(
            chunk.iter().collect::<Vec<_>>(),
            vec![&b"a\r"[..], b"", b"b ", b"last"]
        );
    }

    #[test]
    fn auto_picks_plain_when_a_sampled_line_is_not_a_literal() {
        let text = b"'quoted'\nplain\n";
        let mut reader = WordlistReader::new(&text[..], WordlistFormat::Auto);
        let mut chunk = CandidateChunk::new();
        reader.fill(&mut chunk, 10).unwrap();
        assert_eq!(reader.format(), WordlistFormat::Plain);
        assert_eq!(chunk.get(0), Some(&b"'quoted'"[..]));
    }

    #[test]
    fn surrogate_lines_are_skipped_and_counted() {
        let text = b"'a'\n'\\ud800'\n'b'\n";
        let mut reader = WordlistReader::new(&text[..], WordlistFormat::Python);
        let mut chunk = CandidateChunk::new();
        assert_eq!(reader.fill(&mut chunk, 10).unwrap(), 2);
        assert_eq!(reader.stats().skipped_lines, 1);
        assert_eq!(reader.stats().lines, 3);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_python_line(&line);
        }

        #[test]
        fn arbitrary_quoted_text_never_panics(body in "[\\\\'\"a-z0-9xuUN{}\r\n() #]{0,40}") {
            let _ = parse_python_line(format!("'{body}'").as_bytes());
        }
    }
}
