//! Batches: tokens from the command line and, for `-`, from stdin one per line, each answered
//! exactly once and in order.
//!
//! * Every input line gets one answer, whatever it holds: an empty line, a line that is not
//!   UTF-8, or a line longer than [`MAX_TOKEN_LINE`] (answered as malformed, its bytes skipped
//!   without being kept) all get one, and the batch goes on.
//! * Answers are buffered and flushed whenever the input has nothing more ready, i.e. just
//!   before a read that may block: a pipe of 50,000 cookies is written in large blocks, while
//!   someone typing (or a program waiting for each answer) still gets each answer at once.
//! * With `--threads N` (N > 1) lines are answered by N worker threads in blocks; blocks are
//!   written back in input order, so the output is identical to a single-threaded run.
//! * Empty stdin gives no answer and exit 0 (nothing was asked, so nothing was invalid); the
//!   same for `verify -`, `decode -` and `explain -`, and for `crack -`, which reads every input
//!   first ([`collect`]) with the same reader.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::output::{self, CliError};

/// The longest stdin line taken as a token: far above any cookie (browsers stop near 4 KiB) and
/// any itsdangerous token in a URL, and small enough that a stream without newlines cannot make
/// the CLI allocate without bound.
pub const MAX_TOKEN_LINE: usize = 1 << 20;

/// Lines per block handed to a worker thread: large enough that handing blocks over (a wake-up
/// each way) costs little next to answering them. A block also ends when the input has nothing
/// more ready, so an interactive reader still gets each answer at once.
const BLOCK_LINES: usize = 1024;

/// One input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// A command-line argument or a stdin line (without its line ending).
    Token(&'a [u8]),
    /// A stdin line longer than [`MAX_TOKEN_LINE`], of this many bytes.
    TooLong(usize),
}

/// Answers one input.
pub trait Answer: Sync {
    /// Appends the answer to input number `number` (1-based, over all inputs) to `out`; returns
    /// whether it counts as success for the exit code.
    fn answer(&self, number: usize, input: Input<'_>, out: &mut Vec<u8>) -> bool;

    /// Text written before the answer to input `number` when it is not the first (a separator
    /// between multi-line answers).
    fn separator(&self) -> &[u8] {
        b""
    }
}

/// Bytes of answers gathered before a write: a write to a file costs the kernel per call as well
/// as per byte, so a long batch is written in few large calls (an interactive reader is not
/// kept waiting: answers are also written whenever the input has nothing more ready).
const SINK_BLOCK: usize = 1 << 20;

/// Where answers go: stdout, or (for human output) stdout with colours stripped unless allowed.
struct Sink {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
}

impl Sink {
    fn new(human: bool) -> Sink {
        let out: Box<dyn Write + Send> = if human {
            Box::new(anstream::stdout())
        } else {
            Box::new(std::io::stdout())
        };
        Sink {
            out,
            buf: Vec::with_capacity(SINK_BLOCK),
        }
    }

    fn maybe_write(&mut self) -> Result<(), CliError> {
        if self.buf.len() >= SINK_BLOCK {
            self.flush()?;
        }
        Ok(())
    }

    /// Adds a block of answers: written at once, without a copy, when nothing is buffered and
    /// the block is large (a worker's block of answers is).
    fn add_block(&mut self, block: &[u8]) -> Result<(), CliError> {
        if self.buf.is_empty() && block.len() >= 1 << 16 {
            return self.out.write_all(block).map_err(output::write_error);
        }
        self.buf.extend_from_slice(block);
        self.maybe_write()
    }

    fn flush(&mut self) -> Result<(), CliError> {
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf).map_err(output::write_error)?;
            self.buf.clear();
        }
        self.out.flush().map_err(output::write_error)
    }
}

/// What the line reader found.
enum Event<'a> {
    Line(Input<'a>),
    /// The buffer holds no complete line: the next call reads, and may block.
    WillRead,
    Eof,
}

/// Splits a byte stream into lines with a bounded buffer.
struct LineReader<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes of an over-long line skipped so far.
    skipping: Option<usize>,
    announced: bool,
}

enum Found {
    Line(usize, usize),
    TooLong(usize),
    WillRead,
    Eof,
}

impl<R: Read> LineReader<R> {
    fn new(src: R) -> Self {
        LineReader {
            src,
            buf: vec![0; 1 << 16],
            start: 0,
            end: 0,
            eof: false,
            skipping: None,
            announced: false,
        }
    }

    fn next(&mut self) -> std::io::Result<Event<'_>> {
        let found = loop {
            let pending = &self.buf[self.start..self.end];
            let newline = memchr::memchr(b'\n', pending);
            if let Some(skipped) = self.skipping {
                match newline {
                    Some(i) => {
                        self.start += i + 1;
                        self.skipping = None;
                        break Found::TooLong(skipped + i);
                    }
                    None => {
                        self.skipping = Some(skipped + pending.len());
                        self.start = 0;
                        self.end = 0;
                        if self.eof {
                            self.skipping = None;
                            break Found::TooLong(skipped + pending.len());
                        }
                    }
                }
            } else if let Some(i) = newline {
                let (s, e) = (self.start, self.start + i);
                self.start = e + 1;
                if i > MAX_TOKEN_LINE {
                    break Found::TooLong(i);
                }
                break Found::Line(s, e);
            } else if self.eof {
                if pending.is_empty() {
                    break Found::Eof;
                }
                let (s, e) = (self.start, self.end);
                self.start = self.end;
                if e - s > MAX_TOKEN_LINE {
                    break Found::TooLong(e - s);
                }
                break Found::Line(s, e);
            } else if pending.len() > MAX_TOKEN_LINE {
                self.skipping = Some(pending.len());
                self.start = 0;
                self.end = 0;
            }
            // Nothing complete in the buffer: say so once, then read.
            if !self.announced {
                self.announced = true;
                break Found::WillRead;
            }
            self.announced = false;
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let grown = (self.buf.len() * 2).min(MAX_TOKEN_LINE + (1 << 16));
                self.buf.resize(grown.max(self.end + 1), 0);
            }
            loop {
                match self.src.read(&mut self.buf[self.end..]) {
                    Ok(0) => self.eof = true,
                    Ok(n) => self.end += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
                break;
            }
        };
        Ok(match found {
            Found::Line(s, e) => {
                let line = &self.buf[s..e];
                Event::Line(Input::Token(line.strip_suffix(b"\r").unwrap_or(line)))
            }
            Found::TooLong(n) => Event::Line(Input::TooLong(n)),
            Found::WillRead => Event::WillRead,
            Found::Eof => Event::Eof,
        })
    }
}

fn stdin_error(e: std::io::Error) -> CliError {
    CliError::io(format!("cannot read stdin: {e}"))
}

/// Answers every input in `tokens` (`-` = stdin lines) with `answer` on `threads` threads;
/// returns whether every answer counted as success.
pub fn run(
    tokens: &[String],
    threads: usize,
    human: bool,
    answer: &dyn Answer,
) -> Result<bool, CliError> {
    let mut sink = Sink::new(human);
    let mut all_ok = true;
    let mut number = 0;
    for token in tokens {
        if token == "-" {
            let ok = if threads > 1 {
                sink.flush()?;
                // Read by whichever worker holds the input side: `Stdin` (not its lock) can be.
                threaded(std::io::stdin(), threads, &mut number, &mut sink, answer)?
            } else {
                inline(std::io::stdin().lock(), &mut number, &mut sink, answer)?
            };
            all_ok &= ok;
        } else {
            number += 1;
            if number > 1 {
                sink.buf.extend_from_slice(answer.separator());
            }
            all_ok &= answer.answer(number, Input::Token(token.as_bytes()), &mut sink.buf);
            sink.maybe_write()?;
        }
    }
    sink.flush()?;
    Ok(all_ok)
}

/// One input kept whole, for a command that needs every input before it answers any (`crack`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedInput {
    /// A command-line argument or a stdin line (without its line ending).
    Token(Vec<u8>),
    /// A stdin line longer than [`MAX_TOKEN_LINE`], of this many bytes (not kept).
    TooLong(usize),
}

impl OwnedInput {
    /// The input as [`run`]'s answerers see it.
    pub fn as_input(&self) -> Input<'_> {
        match self {
            OwnedInput::Token(t) => Input::Token(t),
            OwnedInput::TooLong(n) => Input::TooLong(*n),
        }
    }
}

/// Every input in `tokens` (`-` = stdin lines, read to the end), in order: the same inputs, split
/// by the same reader, as [`run`] answers one by one (an empty or over-long line is an input too).
pub fn collect(tokens: &[String]) -> Result<Vec<OwnedInput>, CliError> {
    let mut inputs = Vec::new();
    for token in tokens {
        if token != "-" {
            inputs.push(OwnedInput::Token(token.as_bytes().to_vec()));
            continue;
        }
        let mut reader = LineReader::new(std::io::stdin().lock());
        loop {
            match reader.next().map_err(stdin_error)? {
                Event::Line(Input::Token(t)) => inputs.push(OwnedInput::Token(t.to_vec())),
                Event::Line(Input::TooLong(n)) => inputs.push(OwnedInput::TooLong(n)),
                Event::WillRead => {}
                Event::Eof => break,
            }
        }
    }
    Ok(inputs)
}

fn inline(
    src: impl Read,
    number: &mut usize,
    sink: &mut Sink,
    answer: &dyn Answer,
) -> Result<bool, CliError> {
    let mut reader = LineReader::new(src);
    let mut all_ok = true;
    loop {
        match reader.next().map_err(stdin_error)? {
            Event::Line(input) => {
                *number += 1;
                if *number > 1 {
                    sink.buf.extend_from_slice(answer.separator());
                }
                all_ok &= answer.answer(*number, input, &mut sink.buf);
                sink.maybe_write()?;
            }
            Event::WillRead => sink.flush()?,
            Event::Eof => return Ok(all_ok),
        }
    }
}

/// A block of lines for a worker: the bytes of every line in one buffer.
#[derive(Default)]
struct Block {
    seq: usize,
    first_number: usize,
    data: Vec<u8>,
    /// Per line: a range of `data`, or an over-long line's length.
    lines: Vec<Result<(usize, usize), usize>>,
    /// The input had nothing more ready after this block: flush once it is written.
    flush_after: bool,
}

/// The input side, shared by the workers: whoever holds it reads the next block.
struct Source<R> {
    reader: LineReader<R>,
    next_seq: usize,
    /// Lines read so far (answers are numbered over all inputs).
    number: usize,
    /// End of input, or a read error (kept in `error`).
    done: bool,
    error: Option<CliError>,
}

impl<R: Read> Source<R> {
    /// Fills `block` with the next lines: up to [`BLOCK_LINES`], fewer when the input has
    /// nothing more ready (the next read may block: the answers so far are to be flushed).
    fn fill(&mut self, block: &mut Block) {
        block.data.clear();
        block.lines.clear();
        block.first_number = self.number + 1;
        block.flush_after = false;
        while !self.done && block.lines.len() < BLOCK_LINES {
            match self.reader.next() {
                Ok(Event::Line(input)) => {
                    self.number += 1;
                    match input {
                        Input::Token(t) => {
                            let s = block.data.len();
                            block.data.extend_from_slice(t);
                            block.lines.push(Ok((s, block.data.len())));
                        }
                        Input::TooLong(n) => block.lines.push(Err(n)),
                    }
                }
                Ok(Event::WillRead) if !block.lines.is_empty() => {
                    block.flush_after = true;
                    break;
                }
                Ok(Event::WillRead) => {}
                Ok(Event::Eof) => {
                    block.flush_after = true;
                    self.done = true;
                }
                Err(e) => {
                    self.error = Some(stdin_error(e));
                    self.done = true;
                }
            }
        }
        block.seq = self.next_seq;
        self.next_seq += 1;
    }
}

/// The output side: answers go out in input order, written by whichever worker finishes the
/// block that is next; a block finished early waits here.
struct Drain<'s> {
    sink: &'s mut Sink,
    next_seq: usize,
    waiting: BTreeMap<usize, (Vec<u8>, bool)>,
    /// Answer buffers of written blocks, for reuse.
    spare: Vec<Vec<u8>>,
    result: Result<(), CliError>,
}

impl Drain<'_> {
    /// Takes block `seq`'s answers; writes every block that is now next. Returns a buffer for
    /// the worker's next block.
    fn commit(&mut self, seq: usize, out: Vec<u8>, flush_after: bool) -> Vec<u8> {
        self.waiting.insert(seq, (out, flush_after));
        while let Some((mut out, flush)) = self.waiting.remove(&self.next_seq) {
            self.next_seq += 1;
            if self.result.is_ok() {
                self.result = self.sink.add_block(&out);
                if flush && self.result.is_ok() {
                    self.result = self.sink.flush();
                }
            }
            out.clear();
            self.spare.push(out);
        }
        self.spare.pop().unwrap_or_default()
    }
}

/// [`run`] for stdin on `threads` workers. Each worker in turn reads a block of lines (under a
/// lock, so blocks are numbered in input order), answers it, and hands it to the drain, which
/// writes blocks in order: no reader or writer thread to wake, and buffers are reused.
fn threaded(
    src: impl Read + Send,
    threads: usize,
    number: &mut usize,
    sink: &mut Sink,
    answer: &dyn Answer,
) -> Result<bool, CliError> {
    let source = Mutex::new(Source {
        reader: LineReader::new(src),
        next_seq: 0,
        number: *number,
        done: false,
        error: None,
    });
    let drain = Mutex::new(Drain {
        sink,
        next_seq: 0,
        waiting: BTreeMap::new(),
        spare: Vec::new(),
        result: Ok(()),
    });
    let stop = AtomicBool::new(false);
    let all_ok = AtomicBool::new(true);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut block = Block::default();
                // A JSON answer to a typical session cookie is about 600 bytes.
                let mut out = Vec::with_capacity(BLOCK_LINES * 640);
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match source.lock() {
                        Ok(mut src) if !src.done => src.fill(&mut block),
                        _ => return,
                    }
                    let mut ok = true;
                    for (i, line) in block.lines.iter().enumerate() {
                        let n = block.first_number + i;
                        if n > 1 {
                            out.extend_from_slice(answer.separator());
                        }
                        let input = match *line {
                            Ok((s, e)) => Input::Token(&block.data[s..e]),
                            Err(len) => Input::TooLong(len),
                        };
                        ok &= answer.answer(n, input, &mut out);
                    }
                    if !ok {
                        all_ok.store(false, Ordering::Relaxed);
                    }
                    let Ok(mut d) = drain.lock() else {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    };
                    out = d.commit(block.seq, std::mem::take(&mut out), block.flush_after);
                    if d.result.is_err() {
                        // stdout is closed or failing: stop reading.
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            });
        }
    });
    let source = source
        .into_inner()
        .map_err(|_| CliError::io("a worker thread failed"))?;
    *number = source.number;
    if let Some(e) = source.error {
        return Err(e);
    }
    let drain = drain
        .into_inner()
        .map_err(|_| CliError::io("a worker thread failed"))?;
    if !drain.waiting.is_empty() && drain.result.is_ok() {
        return Err(CliError::io("a worker thread failed"));
    }
    drain.result.map(|()| all_ok.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(input: &[u8], chunk: usize) -> Vec<String> {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = LineReader::new(Chunked(input, chunk));
        let mut out = Vec::new();
        loop {
            match r.next().unwrap_or_else(|e| panic!("{e}")) {
                Event::Line(Input::Token(t)) => out.push(String::from_utf8_lossy(t).into_owned()),
                Event::Line(Input::TooLong(n)) => out.push(format!("<too long: {n}>")),
                Event::WillRead => {}
                Event::Eof => return out,
            }
        }
    }

    #[test]
    fn every_line_is_one_event() {
        for chunk in [1, 3, 1 << 16] {
            assert_eq!(events(b"a\n\nb\r\nc", chunk), ["a", "", "b", "c"]);
            assert_eq!(events(b"", chunk), Vec::<String>::new());
            assert_eq!(events(b"\n", chunk), [""]);
        }
    }

    #[test]
    fn over_long_lines_are_reported_and_skipped() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_TOKEN_LINE + 10));
        input.extend_from_slice(b"\nlast\n");
        let want = [
            "first".to_owned(),
            format!("<too long: {}>", MAX_TOKEN_LINE + 10),
            "last".to_owned(),
        ];
        assert_eq!(events(&input, 1 << 16), want);
        assert_eq!(events(&input, 100_000), want);
        // Without a final newline.
        let mut input = vec![b'y'; MAX_TOKEN_LINE + 1];
        input.splice(0..0, b"a\n".iter().copied());
        assert_eq!(
            events(&input, 1 << 16),
            [
                "a".to_owned(),
                format!("<too long: {}>", MAX_TOKEN_LINE + 1)
            ]
        );
        // Exactly at the limit is still a token.
        let input = vec![b'z'; MAX_TOKEN_LINE];
        assert_eq!(events(&input, 1 << 16)[0].len(), MAX_TOKEN_LINE);
    }
}
