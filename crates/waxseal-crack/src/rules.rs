//! Word-mangling rules in hashcat's syntax (the common subset of hashcat 6's rule engine,
//! <https://hashcat.net/wiki/doku.php?id=rule_based_attack>), applied by the engine's workers.
//!
//! Supported functions (N, M are positions `0-9`, `A-Z` = 10-35; X, Y are characters):
//!
//! | rule | effect |
//! |---|---|
//! | `:` | nothing |
//! | `l` `u` `c` `C` `t` `TN` | lower, upper, capitalise, invert-capitalise, toggle all, toggle at N |
//! | `E` `eX` | title case (after spaces / after X) |
//! | `r` `d` `pN` `f` `q` | reverse, duplicate, append N copies, reflect, duplicate every character |
//! | `{` `}` `k` `K` `*NM` | rotate left / right, swap first two / last two / N and M |
//! | `$X` `^X` `[` `]` | append, prepend, delete first, delete last |
//! | `DN` `xNM` `ONM` `iNX` `oNX` `'N` | delete at N, extract M from N, omit M from N, insert, overwrite, truncate |
//! | `sXY` `@X` | replace every X by Y, purge every X |
//! | `zN` `ZN` `yN` `YN` | prepend first char N times, append last char N times, prepend first N, append last N chars |
//! | `LN` `RN` `+N` `-N` `.N` `,N` | shift left / right, increment, decrement, copy next / previous char into N |
//! | `<N` `>N` `_N` `!X` `/X` `(X` `)X` `=NX` `%NX` | rejections: keep only words of length ≤ N, ≥ N, = N, without X, with X, starting / ending with X, with X at N, with N or more X |
//!
//! As in hashcat, a function whose position lies outside the word leaves the word unchanged, and
//! so does one that would make it 256 bytes or longer. Spaces between functions are ignored; in a
//! rule file, empty lines and lines starting with `#` are skipped. Memory functions (`M 4 6 X Q`)
//! are not supported; a rule using one is reported as invalid.

use crate::engine::{CandidateChunk, CandidateSource, EntryDecoder, Filled};
use crate::CrackError;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// hashcat's rule-engine buffer: results this long or longer leave the word unchanged.
const MAX_LEN: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Noop,
    Lower,
    Upper,
    Capitalize,
    InvertCapitalize,
    ToggleAll,
    Toggle(usize),
    Title(u8),
    Reverse,
    Duplicate,
    DuplicateN(usize),
    Reflect,
    DuplicateEach,
    RotateLeft,
    RotateRight,
    SwapFront,
    SwapBack,
    Swap(usize, usize),
    Append(u8),
    Prepend(u8),
    DeleteFirst,
    DeleteLast,
    DeleteAt(usize),
    Extract(usize, usize),
    Omit(usize, usize),
    Insert(usize, u8),
    Overwrite(usize, u8),
    Truncate(usize),
    Replace(u8, u8),
    Purge(u8),
    DupFirst(usize),
    DupLast(usize),
    DupFirstBlock(usize),
    DupLastBlock(usize),
    ShiftLeft(usize),
    ShiftRight(usize),
    Increment(usize),
    Decrement(usize),
    NextChar(usize),
    PrevChar(usize),
    RejectLonger(usize),
    RejectShorter(usize),
    RejectUnlessLen(usize),
    RejectContains(u8),
    RejectMissing(u8),
    RejectFirstNot(u8),
    RejectLastNot(u8),
    RejectAtNot(usize, u8),
    RejectFewer(usize, u8),
}

/// One rule: a sequence of functions.
///
/// ```
/// use waxseal_crack::Rule;
/// let rule = Rule::parse("c $1 $2 $3").unwrap();
/// assert_eq!(rule.apply(b"secret").as_deref(), Some(&b"Secret123"[..]));
/// assert_eq!(Rule::parse(">8").unwrap().apply(b"short"), None); // rejected
/// assert!(Rule::parse("Q").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Rule {
    text: String,
    ops: Vec<Op>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rule({:?})", self.text)
    }
}

fn position(c: u8) -> Option<usize> {
    match c {
        b'0'..=b'9' => Some(usize::from(c - b'0')),
        b'A'..=b'Z' => Some(usize::from(c - b'A') + 10),
        _ => None,
    }
}

impl Rule {
    /// Parses one rule line.
    pub fn parse(text: &str) -> Result<Rule, CrackError> {
        let bytes = text.as_bytes();
        let bad = |why: &str| CrackError::InvalidRule(format!("{text:?}: {why}"));
        let mut ops = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let f = bytes[i];
            i += 1;
            if f == b' ' || f == b'\t' {
                continue;
            }
            let mut arg = |what: &str| -> Result<u8, CrackError> {
                let b = *bytes
                    .get(i)
                    .ok_or_else(|| bad(&format!("'{}' needs {what}", f as char)))?;
                i += 1;
                Ok(b)
            };
            macro_rules! pos {
                () => {{
                    let c = arg("a position")?;
                    position(c).ok_or_else(|| {
                        bad(&format!("{:?} is not a position (0-9, A-Z)", c as char))
                    })?
                }};
            }
            let op = match f {
                b':' => Op::Noop,
                b'l' => Op::Lower,
                b'u' => Op::Upper,
                b'c' => Op::Capitalize,
                b'C' => Op::InvertCapitalize,
                b't' => Op::ToggleAll,
                b'T' => Op::Toggle(pos!()),
                b'E' => Op::Title(b' '),
                b'e' => Op::Title(arg("a separator")?),
                b'r' => Op::Reverse,
                b'd' => Op::Duplicate,
                b'p' => Op::DuplicateN(pos!()),
                b'f' => Op::Reflect,
                b'q' => Op::DuplicateEach,
                b'{' => Op::RotateLeft,
                b'}' => Op::RotateRight,
                b'k' => Op::SwapFront,
                b'K' => Op::SwapBack,
                b'*' => Op::Swap(pos!(), pos!()),
                b'$' => Op::Append(arg("a character")?),
                b'^' => Op::Prepend(arg("a character")?),
                b'[' => Op::DeleteFirst,
                b']' => Op::DeleteLast,
                b'D' => Op::DeleteAt(pos!()),
                b'x' => Op::Extract(pos!(), pos!()),
                b'O' => Op::Omit(pos!(), pos!()),
                b'i' => {
                    let n = pos!();
                    Op::Insert(n, arg("a character")?)
                }
                b'o' => {
                    let n = pos!();
                    Op::Overwrite(n, arg("a character")?)
                }
                b'\'' => Op::Truncate(pos!()),
                b's' => {
                    let x = arg("two characters")?;
                    Op::Replace(x, arg("two characters")?)
                }
                b'@' => Op::Purge(arg("a character")?),
                b'z' => Op::DupFirst(pos!()),
                b'Z' => Op::DupLast(pos!()),
                b'y' => Op::DupFirstBlock(pos!()),
                b'Y' => Op::DupLastBlock(pos!()),
                b'L' => Op::ShiftLeft(pos!()),
                b'R' => Op::ShiftRight(pos!()),
                b'+' => Op::Increment(pos!()),
                b'-' => Op::Decrement(pos!()),
                b'.' => Op::NextChar(pos!()),
                b',' => Op::PrevChar(pos!()),
                b'<' => Op::RejectLonger(pos!()),
                b'>' => Op::RejectShorter(pos!()),
                b'_' => Op::RejectUnlessLen(pos!()),
                b'!' => Op::RejectContains(arg("a character")?),
                b'/' => Op::RejectMissing(arg("a character")?),
                b'(' => Op::RejectFirstNot(arg("a character")?),
                b')' => Op::RejectLastNot(arg("a character")?),
                b'=' => {
                    let n = pos!();
                    Op::RejectAtNot(n, arg("a character")?)
                }
                b'%' => {
                    let n = pos!();
                    Op::RejectFewer(n, arg("a character")?)
                }
                other => {
                    return Err(bad(&format!(
                        "unsupported function {:?}",
                        char::from(other)
                    )))
                }
            };
            ops.push(op);
        }
        if ops.is_empty() {
            return Err(bad("empty rule"));
        }
        Ok(Rule {
            text: text.to_owned(),
            ops,
        })
    }

    /// The rule as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The mangled word, or `None` when a rejection function rejects it.
    pub fn apply(&self, word: &[u8]) -> Option<Vec<u8>> {
        let mut w = word.to_vec();
        self.apply_in_place(&mut w).then_some(w)
    }

    /// Applies the rule to `w`; `false` when rejected.
    fn apply_in_place(&self, w: &mut Vec<u8>) -> bool {
        for op in &self.ops {
            if !apply_op(*op, w) {
                return false;
            }
        }
        true
    }
}

fn toggle(b: &mut u8) {
    if b.is_ascii_lowercase() {
        b.make_ascii_uppercase();
    } else if b.is_ascii_uppercase() {
        b.make_ascii_lowercase();
    }
}

/// One function; `false` rejects the word.
fn apply_op(op: Op, w: &mut Vec<u8>) -> bool {
    let len = w.len();
    match op {
        Op::Noop => {}
        Op::Lower => w.make_ascii_lowercase(),
        Op::Upper => w.make_ascii_uppercase(),
        Op::Capitalize => {
            w.make_ascii_lowercase();
            if let Some(b) = w.first_mut() {
                b.make_ascii_uppercase();
            }
        }
        Op::InvertCapitalize => {
            w.make_ascii_uppercase();
            if let Some(b) = w.first_mut() {
                b.make_ascii_lowercase();
            }
        }
        Op::ToggleAll => w.iter_mut().for_each(toggle),
        Op::Toggle(n) => {
            if let Some(b) = w.get_mut(n) {
                toggle(b);
            }
        }
        Op::Title(sep) => {
            w.make_ascii_lowercase();
            let mut up = true;
            for b in w.iter_mut() {
                if up {
                    b.make_ascii_uppercase();
                }
                up = *b == sep;
            }
        }
        Op::Reverse => w.reverse(),
        Op::Duplicate => {
            if len * 2 < MAX_LEN {
                w.extend_from_within(..);
            }
        }
        Op::DuplicateN(n) => {
            if len * (n + 1) < MAX_LEN {
                for _ in 0..n {
                    w.extend_from_within(..len);
                }
            }
        }
        Op::Reflect => {
            if len * 2 < MAX_LEN {
                let rev: Vec<u8> = w.iter().rev().copied().collect();
                w.extend_from_slice(&rev);
            }
        }
        Op::DuplicateEach => {
            if len * 2 < MAX_LEN {
                *w = w.iter().flat_map(|&b| [b, b]).collect();
            }
        }
        Op::RotateLeft => {
            if len > 0 {
                w.rotate_left(1);
            }
        }
        Op::RotateRight => {
            if len > 0 {
                w.rotate_right(1);
            }
        }
        Op::SwapFront => {
            if len >= 2 {
                w.swap(0, 1);
            }
        }
        Op::SwapBack => {
            if len >= 2 {
                w.swap(len - 1, len - 2);
            }
        }
        Op::Swap(n, m) => {
            if n < len && m < len {
                w.swap(n, m);
            }
        }
        Op::Append(x) => {
            if len + 1 < MAX_LEN {
                w.push(x);
            }
        }
        Op::Prepend(x) => {
            if len + 1 < MAX_LEN {
                w.insert(0, x);
            }
        }
        Op::DeleteFirst => {
            if len > 0 {
                w.remove(0);
            }
        }
        Op::DeleteLast => {
            w.pop();
        }
        Op::DeleteAt(n) => {
            if n < len {
                w.remove(n);
            }
        }
        Op::Extract(n, m) => {
            if n < len && n + m <= len {
                w.truncate(n + m);
                w.drain(..n);
            }
        }
        Op::Omit(n, m) => {
            if n < len && n + m <= len {
                w.drain(n..n + m);
            }
        }
        Op::Insert(n, x) => {
            if n <= len && len + 1 < MAX_LEN {
                w.insert(n, x);
            }
        }
        Op::Overwrite(n, x) => {
            if let Some(b) = w.get_mut(n) {
                *b = x;
            }
        }
        Op::Truncate(n) => w.truncate(n),
        Op::Replace(x, y) => w.iter_mut().filter(|b| **b == x).for_each(|b| *b = y),
        Op::Purge(x) => w.retain(|&b| b != x),
        Op::DupFirst(n) => {
            if len > 0 && len + n < MAX_LEN {
                let first = w[0];
                w.splice(0..0, std::iter::repeat(first).take(n));
            }
        }
        Op::DupLast(n) => {
            if len > 0 && len + n < MAX_LEN {
                let last = w[len - 1];
                w.extend(std::iter::repeat(last).take(n));
            }
        }
        Op::DupFirstBlock(n) => {
            if n <= len && len + n < MAX_LEN {
                let block = w[..n].to_vec();
                w.splice(0..0, block);
            }
        }
        Op::DupLastBlock(n) => {
            if n <= len && len + n < MAX_LEN {
                w.extend_from_within(len - n..);
            }
        }
        Op::ShiftLeft(n) => {
            if let Some(b) = w.get_mut(n) {
                *b <<= 1;
            }
        }
        Op::ShiftRight(n) => {
            if let Some(b) = w.get_mut(n) {
                *b >>= 1;
            }
        }
        Op::Increment(n) => {
            if let Some(b) = w.get_mut(n) {
                *b = b.wrapping_add(1);
            }
        }
        Op::Decrement(n) => {
            if let Some(b) = w.get_mut(n) {
                *b = b.wrapping_sub(1);
            }
        }
        Op::NextChar(n) => {
            if n + 1 < len {
                w[n] = w[n + 1];
            }
        }
        Op::PrevChar(n) => {
            if n >= 1 && n < len {
                w[n] = w[n - 1];
            }
        }
        Op::RejectLonger(n) => return len <= n,
        Op::RejectShorter(n) => return len >= n,
        Op::RejectUnlessLen(n) => return len == n,
        Op::RejectContains(x) => return !w.contains(&x),
        Op::RejectMissing(x) => return w.contains(&x),
        Op::RejectFirstNot(x) => return w.first() == Some(&x),
        Op::RejectLastNot(x) => return w.last() == Some(&x),
        Op::RejectAtNot(n, x) => return w.get(n) == Some(&x),
        Op::RejectFewer(n, x) => return w.iter().filter(|&&b| b == x).count() >= n,
    }
    true
}

/// Parses a rule file: one rule per line; empty lines and `#` comments skipped. Returns the rules
/// and the lines that could not be parsed (hashcat skips those too), as `(line number, error)`.
///
/// ```
/// let (rules, bad) = waxseal_crack::parse_rules("# comment\n:\nc $1\n\nQ\n");
/// assert_eq!(rules.len(), 2);
/// assert_eq!(bad.len(), 1);
/// assert_eq!(bad[0].0, 5);
/// ```
pub fn parse_rules(text: &str) -> (Vec<Rule>, Vec<(usize, CrackError)>) {
    let mut rules = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match Rule::parse(line) {
            Ok(rule) => rules.push(rule),
            Err(e) => bad.push((n + 1, e)),
        }
    }
    (rules, bad)
}

/// `--rules best`: the built-in set, tuned for how people write secret keys — the word as is,
/// case changes, the common leet substitutions, digits, years and `!` appended, `key`/`secret`
/// affixes, and duplications. Every rule is worth its cost on a list of words: variants of a word
/// that people actually use as `SECRET_KEY` (from the classes in the project's issue 11).
pub const BEST_RULES: &str = "\
:
l
u
c
C
t
r
d
f
E
sa@
se3
si1
so0
ss$
ss5
sa4
sa@se3si1so0
sa4se3si1so0ss5
c sa@se3si1so0
$!
$?
$.
$@
$#
$*
c $!
c $1
c $1 $2 $3
c $1 $!
u $!
$1 $2 $3
$1 $2 $3 $4
$1 $2 $3 $4 $5 $6
$1 $2 $3 $!
$3 $2 $1
$6 $9
$4 $2
$1 $3 $3 $7
$0 $1
$0 $0 $7
$2 $0 $1 $5
$2 $0 $1 $6
$2 $0 $1 $7
$2 $0 $1 $8
$2 $0 $1 $9
$2 $0 $2 $0
$2 $0 $2 $1
$2 $0 $2 $2
$2 $0 $2 $3
$2 $0 $2 $4
$2 $0 $2 $5
$2 $0 $2 $6
$k $e $y
$_ $k $e $y
$- $k $e $y
$K $e $y
$_ $s $e $c $r $e $t
$- $s $e $c $r $e $t
$s $e $c $r $e $t
$S $e $c $r $e $t
$_ $s $e $c $r $e $t $_ $k $e $y
$- $s $e $c $r $e $t $- $k $e $y
^_ ^y ^m
^- ^y ^m
^y ^m
^_ ^r ^e ^p ^u ^s
^r ^e ^p ^u ^s
^_
$_
^-
$-
d $1
u $1 $2 $3
$0
$1
$2
$3
$4
$5
$6
$7
$8
$9
$0 $0
$0 $1
$0 $2
$0 $3
$0 $4
$0 $5
$0 $6
$0 $7
$0 $8
$0 $9
$1 $0
$1 $1
$1 $2
$1 $3
$1 $4
$1 $5
$1 $6
$1 $7
$1 $8
$1 $9
$2 $0
$2 $1
$2 $2
$2 $3
$2 $4
$2 $5
$2 $6
$2 $7
$2 $8
$2 $9
$3 $0
$3 $1
$3 $2
$3 $3
$4 $4
$5 $5
$6 $6
$7 $7
$7 $8
$8 $8
$8 $9
$9 $8
$9 $9
^1
^!
c $2 $0 $2 $4
c $2 $0 $2 $5
";

/// The built-in rule set (see [`BEST_RULES`]).
///
/// ```
/// let rules = waxseal_crack::best_rules();
/// assert!(rules.len() > 100);
/// assert_eq!(rules[0].text(), ":");
/// ```
pub fn best_rules() -> Vec<Rule> {
    let (rules, bad) = parse_rules(BEST_RULES);
    debug_assert!(bad.is_empty(), "{bad:?}");
    rules
}

/// Rules applied to every word of another source: word-major (each word with every rule, in
/// rule order), so a candidate's position is `word index * rules + rule index`. A rule that
/// rejects the word, or gives a candidate this word already gave, is skipped but keeps its
/// position. The words are decoded (Python lines) and mangled in the workers, in parallel.
///
/// ```
/// use waxseal_crack::{best_rules, CandidateChunk, CandidateSource, IterSource, RuleSource, Rule};
/// let rules = vec![Rule::parse(":").unwrap(), Rule::parse("c $1").unwrap(), Rule::parse("l").unwrap()];
/// let mut source = RuleSource::new(IterSource::new(["Dev"]), rules);
/// let mut chunk = CandidateChunk::new();
/// while source.fill(&mut chunk, 10).unwrap() > 0 {}
/// assert_eq!(chunk.iter().collect::<Vec<_>>(), vec![&b"Dev"[..], b"Dev1", b"dev"]);
/// ```
#[derive(Debug)]
pub struct RuleSource<S> {
    words: S,
    rules: Arc<Vec<Rule>>,
}

impl<S: CandidateSource> RuleSource<S> {
    /// `rules` over every word of `words`.
    pub fn new(words: S, rules: Vec<Rule>) -> Self {
        RuleSource {
            words,
            rules: Arc::new(rules),
        }
    }
}

/// The workers' side of [`RuleSource`]: decode the words (if the inner source needs it), then
/// mangle.
#[derive(Debug)]
struct RuleDecoder {
    inner: Option<Arc<dyn EntryDecoder>>,
    rules: Arc<Vec<Rule>>,
}

impl EntryDecoder for RuleDecoder {
    fn decode(&self, entries: &CandidateChunk, out: &mut CandidateChunk, positions: &mut Vec<u64>) {
        let mut decoded = CandidateChunk::new();
        let mut word_positions = Vec::new();
        let words = match &self.inner {
            Some(inner) => {
                inner.decode(entries, &mut decoded, &mut word_positions);
                &decoded
            }
            None => {
                word_positions.extend(0..entries.len() as u64);
                entries
            }
        };
        let r = self.rules.len() as u64;
        let mut buf = Vec::with_capacity(64);
        // Candidates of the current word: (hash, index in `out`), to skip duplicates.
        let mut seen: Vec<(u64, usize)> = Vec::with_capacity(self.rules.len());
        for (word, &wpos) in words.iter().zip(&word_positions) {
            seen.clear();
            for (k, rule) in self.rules.iter().enumerate() {
                buf.clear();
                buf.extend_from_slice(word);
                if !rule.apply_in_place(&mut buf) {
                    continue;
                }
                let mut h = DefaultHasher::new();
                buf.hash(&mut h);
                let hash = h.finish();
                if seen
                    .iter()
                    .any(|&(sh, at)| sh == hash && out.get(at) == Some(&buf[..]))
                {
                    continue;
                }
                seen.push((hash, out.len()));
                out.push(&buf);
                positions.push(wpos * r + k as u64);
            }
        }
    }
}

impl<S: CandidateSource> CandidateSource for RuleSource<S> {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        // Every rule may reject a whole chunk of words: read on until a candidate or the end.
        loop {
            let mut entries = CandidateChunk::new();
            let filled = self.fill_entries(&mut entries, max)?;
            let Some(decoder) = filled.decoder.filter(|_| filled.slots > 0) else {
                return Ok(0);
            };
            let (mut out, mut positions) = (CandidateChunk::new(), Vec::new());
            decoder.decode(&entries, &mut out, &mut positions);
            for c in out.iter() {
                chunk.push(c);
            }
            if !out.is_empty() {
                return Ok(out.len());
            }
        }
    }

    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        if self.rules.is_empty() {
            return Ok(Filled::default());
        }
        let words = (max / self.rules.len()).max(1);
        let inner = self.words.fill_entries(chunk, words)?;
        if inner.slots == 0 {
            return Ok(Filled::default());
        }
        Ok(Filled {
            slots: inner.slots * self.rules.len() as u64,
            decoder: Some(Arc::new(RuleDecoder {
                inner: inner.decoder,
                rules: Arc::clone(&self.rules),
            })),
        })
    }

    fn size_hint(&self) -> Option<u64> {
        self.words.size_hint()?.checked_mul(self.rules.len() as u64)
    }
}
