//! Generated candidates: hashcat masks and the combinator attack, both numbered so that the
//! engine's workers can generate their own ranges in parallel ([`Keyspace`], [`IndexedSource`]).
//!
//! Mask syntax follows hashcat 6 (`hashcat --help`, "Built-in Charsets" and "Custom charsets"):
//!
//! | placeholder | characters |
//! |---|---|
//! | `?l` | `abcdefghijklmnopqrstuvwxyz` |
//! | `?u` | `ABCDEFGHIJKLMNOPQRSTUVWXYZ` |
//! | `?d` | `0123456789` |
//! | `?h` | `0123456789abcdef` |
//! | `?H` | `0123456789ABCDEF` |
//! | `?s` | `` !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`` (starting with the space) |
//! | `?a` | `?l?u?d?s` |
//! | `?b` | the 256 byte values `0x00 - 0xff` |
//! | `?1`..`?4` | the custom charsets `-1`..`-4` (themselves written with placeholders and literals) |
//! | `??` | a literal `?` |
//!
//! Any other character is itself (its UTF-8 bytes). As in hashcat, a custom charset lists each
//! byte once even if written twice, and `--increment` tries the mask's prefixes from
//! `--increment-min` (default 1) to `--increment-max` (default: the whole mask) positions, shortest
//! first. Within one length the last position varies fastest (`aa`, `ab`, ..., `ba`): hashcat's
//! own order is an implementation detail of its GPU kernels; the set of candidates is the same.

use crate::engine::{CandidateChunk, CandidateSource, EntryDecoder, Filled};
use crate::CrackError;
use std::fmt;
use std::sync::Arc;

/// `?l`.
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
/// `?u`.
pub const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// `?d`.
pub const DIGITS: &[u8] = b"0123456789";
/// `?h`.
pub const HEX_LOWER: &[u8] = b"0123456789abcdef";
/// `?H`.
pub const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
/// `?s`: the ASCII punctuation characters and the space, in code-point order.
pub const SPECIAL: &[u8] = b" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// The longest mask accepted (positions), far above any key a mask can exhaust.
const MAX_MASK_POSITIONS: usize = 64;

/// A numbered family of candidates: the engine's workers generate any range of it themselves.
pub trait Keyspace: Send + Sync + fmt::Debug {
    /// Number of candidates.
    fn size(&self) -> u64;
    /// Appends candidates `start .. start + count` (all below [`Keyspace::size`]) to `out`.
    fn generate(&self, start: u64, count: u64, out: &mut CandidateChunk);
    /// A short description for reports (`?l?l?l?d`, `combinator 120 words x 4 separators`).
    fn describe(&self) -> String;
}

/// A parsed mask: one charset per position.
///
/// ```
/// use waxseal_crack::{Keyspace, Mask};
/// let mask = Mask::parse("?u?l?d!", &[]).unwrap();
/// assert_eq!(mask.size(), 26 * 26 * 10);
/// let mut out = waxseal_crack::CandidateChunk::new();
/// mask.generate(0, 2, &mut out);
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![&b"Aa0!"[..], b"Aa1!"]);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Mask {
    text: String,
    positions: Vec<Vec<u8>>,
}

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mask({:?})", self.text)
    }
}

fn builtin_charset(c: char) -> Option<Vec<u8>> {
    Some(match c {
        'l' => LOWER.to_vec(),
        'u' => UPPER.to_vec(),
        'd' => DIGITS.to_vec(),
        'h' => HEX_LOWER.to_vec(),
        'H' => HEX_UPPER.to_vec(),
        's' => SPECIAL.to_vec(),
        'a' => [LOWER, UPPER, DIGITS, SPECIAL].concat(),
        'b' => (0..=255u8).collect(),
        _ => return None,
    })
}

/// Splits mask text into one charset per position. `custom` holds the charsets `?1`.. already
/// expanded.
fn expand(text: &str, custom: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, CrackError> {
    let bad = |why: String| CrackError::InvalidMask(format!("{text:?}: {why}"));
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '?' {
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push(vec![b]);
            }
            continue;
        }
        let Some(p) = chars.next() else {
            return Err(bad(
                "ends with a lone '?' (write ?? for a literal '?')".into()
            ));
        };
        let set = match p {
            '?' => vec![b'?'],
            '1'..='4' => {
                let n = p as usize - '1' as usize;
                custom
                    .get(n)
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .ok_or_else(|| {
                        bad(format!(
                            "?{p} is used but custom charset {p} is not defined (-{p})"
                        ))
                    })?
            }
            other => builtin_charset(other).ok_or_else(|| {
                bad(format!(
                    "unknown placeholder ?{other} (known: ?l ?u ?d ?h ?H ?s ?a ?b ?1-?4 ??)"
                ))
            })?,
        };
        out.push(set);
    }
    Ok(out)
}

/// Expands custom charset definitions (`-1 ?l?d`, `-2 abc`): placeholders, literals, `?N` for an
/// earlier custom charset; each byte once, in first-seen order (hashcat's behaviour).
///
/// ```
/// let sets = waxseal_crack::expand_custom_charsets(&["?dab", "?1c"]).unwrap();
/// assert_eq!(sets[0], b"0123456789ab");
/// assert_eq!(sets[1], b"0123456789abc");
/// assert_eq!(waxseal_crack::expand_custom_charsets(&["aab"]).unwrap()[0], b"ab");
/// ```
pub fn expand_custom_charsets(definitions: &[&str]) -> Result<Vec<Vec<u8>>, CrackError> {
    if definitions.len() > 4 {
        return Err(CrackError::InvalidMask(
            "at most 4 custom charsets (-1..-4)".into(),
        ));
    }
    let mut sets: Vec<Vec<u8>> = Vec::new();
    for def in definitions {
        let mut seen = [false; 256];
        let mut set = Vec::new();
        for position in expand(def, &sets)? {
            for b in position {
                if !std::mem::replace(&mut seen[usize::from(b)], true) {
                    set.push(b);
                }
            }
        }
        if set.is_empty() {
            return Err(CrackError::InvalidMask(format!(
                "custom charset {def:?} is empty"
            )));
        }
        sets.push(set);
    }
    Ok(sets)
}

impl Mask {
    /// Parses `text` with the custom charsets `?1..?4` (already expanded, see
    /// [`expand_custom_charsets`]).
    ///
    /// ```
    /// use waxseal_crack::Mask;
    /// assert!(Mask::parse("?x", &[]).is_err());
    /// assert!(Mask::parse("?1", &[]).is_err());
    /// assert!(Mask::parse("abc?", &[]).is_err());
    /// ```
    pub fn parse(text: &str, custom: &[Vec<u8>]) -> Result<Mask, CrackError> {
        let positions = expand(text, custom)?;
        if positions.is_empty() {
            return Err(CrackError::InvalidMask("the mask is empty".into()));
        }
        if positions.len() > MAX_MASK_POSITIONS {
            return Err(CrackError::InvalidMask(format!(
                "{text:?} has {} positions; at most {MAX_MASK_POSITIONS}",
                positions.len()
            )));
        }
        let mask = Mask {
            text: text.to_owned(),
            positions,
        };
        if mask.checked_size().is_none() {
            return Err(CrackError::InvalidMask(format!(
                "{text:?}: more than 2^64 candidates"
            )));
        }
        Ok(mask)
    }

    /// Number of positions.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the mask has no position (never true for a parsed mask).
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The charset of each position.
    pub fn positions(&self) -> &[Vec<u8>] {
        &self.positions
    }

    fn checked_size(&self) -> Option<u64> {
        self.positions
            .iter()
            .try_fold(1u64, |n, p| n.checked_mul(p.len() as u64))
    }

    /// The masks `--increment` tries: prefixes of `min..=max` positions (clamped to the mask's
    /// length), shortest first.
    ///
    /// ```
    /// use waxseal_crack::{Keyspace, Mask};
    /// let m = Mask::parse("?d?d?d", &[]).unwrap();
    /// let sizes: Vec<u64> = m.increments(1, None).iter().map(|m| m.size()).collect();
    /// assert_eq!(sizes, vec![10, 100, 1000]);
    /// ```
    pub fn increments(&self, min: usize, max: Option<usize>) -> Vec<Mask> {
        let max = max.unwrap_or(self.len()).min(self.len());
        (min.max(1)..=max)
            .map(|n| Mask {
                text: format!("{} (first {n})", self.text),
                positions: self.positions[..n].to_vec(),
            })
            .collect()
    }
}

impl Keyspace for Mask {
    fn size(&self) -> u64 {
        self.checked_size().unwrap_or(u64::MAX)
    }

    fn generate(&self, start: u64, count: u64, out: &mut CandidateChunk) {
        let n = self.positions.len();
        // Mixed-radix digits of `start`, last position least significant.
        let mut digits = vec![0usize; n];
        let mut rest = start;
        for i in (0..n).rev() {
            let radix = self.positions[i].len() as u64;
            digits[i] = (rest % radix) as usize;
            rest /= radix;
        }
        let mut current: Vec<u8> = (0..n).map(|i| self.positions[i][digits[i]]).collect();
        for k in 0..count {
            out.push(&current);
            if k + 1 == count {
                break;
            }
            // Odometer step.
            for i in (0..n).rev() {
                let set = &self.positions[i];
                digits[i] += 1;
                if digits[i] < set.len() {
                    current[i] = set[digits[i]];
                    break;
                }
                digits[i] = 0;
                current[i] = set[0];
            }
        }
    }

    fn describe(&self) -> String {
        format!("mask {}", self.text)
    }
}

/// The combinator attack: every ordered pair of words joined by each separator
/// (`left + separator + right`), left word slowest.
///
/// ```
/// use waxseal_crack::{CandidateChunk, Combinator, Keyspace};
/// let c = Combinator::new(vec![b"peanut".to_vec(), b"butter".to_vec()], vec![b"".to_vec(), b" ".to_vec()]);
/// assert_eq!(c.size(), 8);
/// let mut out = CandidateChunk::new();
/// c.generate(0, 8, &mut out);
/// assert_eq!(out.get(3), Some(&b"peanut butter"[..]));
/// ```
#[derive(Clone)]
pub struct Combinator {
    words: Vec<Vec<u8>>,
    separators: Vec<Vec<u8>>,
}

impl fmt::Debug for Combinator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Combinator({} words)", self.words.len())
    }
}

impl Combinator {
    /// Pairs of `words` with each of `separators` (at least the empty one is used when none is
    /// given).
    pub fn new(words: Vec<Vec<u8>>, mut separators: Vec<Vec<u8>>) -> Self {
        if separators.is_empty() {
            separators.push(Vec::new());
        }
        Combinator { words, separators }
    }
}

impl Keyspace for Combinator {
    fn size(&self) -> u64 {
        let n = self.words.len() as u64;
        n.saturating_mul(n)
            .saturating_mul(self.separators.len() as u64)
    }

    fn generate(&self, start: u64, count: u64, out: &mut CandidateChunk) {
        let n = self.words.len() as u64;
        let s = self.separators.len() as u64;
        let mut buf = Vec::new();
        for index in start..start + count {
            let right = index % n;
            let sep = (index / n) % s;
            let left = index / n / s;
            buf.clear();
            buf.extend_from_slice(&self.words[left as usize]);
            buf.extend_from_slice(&self.separators[sep as usize]);
            buf.extend_from_slice(&self.words[right as usize]);
            out.push(&buf);
        }
    }

    fn describe(&self) -> String {
        format!(
            "combinator: {} words x {} separators",
            self.words.len(),
            self.separators.len()
        )
    }
}

/// A [`CandidateSource`] over one or more [`Keyspace`]s, in order; the workers generate each
/// chunk's range themselves, so generation runs in parallel.
///
/// ```
/// use waxseal_crack::{CandidateChunk, CandidateSource, IndexedSource, Mask};
/// let mask = Mask::parse("?d?d", &[]).unwrap();
/// let mut source = IndexedSource::new(mask.increments(1, None));
/// assert_eq!(source.size_hint(), Some(110));
/// let mut chunk = CandidateChunk::new();
/// while source.fill(&mut chunk, 64).unwrap() > 0 {}
/// assert_eq!(chunk.len(), 110);
/// ```
#[derive(Debug)]
pub struct IndexedSource {
    parts: Vec<Arc<dyn Keyspace>>,
    part: usize,
    next: u64,
}

impl IndexedSource {
    /// The keyspaces one after the other.
    pub fn new<K: Keyspace + 'static>(parts: Vec<K>) -> Self {
        IndexedSource {
            parts: parts
                .into_iter()
                .map(|k| Arc::new(k) as Arc<dyn Keyspace>)
                .collect(),
            part: 0,
            next: 0,
        }
    }

    /// From keyspaces of different types.
    pub fn from_parts(parts: Vec<Arc<dyn Keyspace>>) -> Self {
        IndexedSource {
            parts,
            part: 0,
            next: 0,
        }
    }

    /// The next range of at most `max` candidates, moving past finished keyspaces.
    fn next_range(&mut self, max: usize) -> Option<(Arc<dyn Keyspace>, u64, u64)> {
        while let Some(part) = self.parts.get(self.part) {
            let left = part.size() - self.next;
            if left == 0 {
                self.part += 1;
                self.next = 0;
                continue;
            }
            let count = left.min(max.max(1) as u64);
            let start = self.next;
            self.next += count;
            return Some((Arc::clone(part), start, count));
        }
        None
    }
}

/// One chunk's range of a keyspace, generated by the worker.
#[derive(Debug)]
struct Range {
    keyspace: Arc<dyn Keyspace>,
    start: u64,
    count: u64,
}

impl EntryDecoder for Range {
    fn decode(
        &self,
        _entries: &CandidateChunk,
        out: &mut CandidateChunk,
        positions: &mut Vec<u64>,
    ) {
        self.keyspace.generate(self.start, self.count, out);
        positions.extend(0..self.count);
    }
}

impl CandidateSource for IndexedSource {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        match self.next_range(max) {
            Some((keyspace, start, count)) => {
                keyspace.generate(start, count, chunk);
                Ok(count as usize)
            }
            None => Ok(0),
        }
    }

    fn fill_entries(
        &mut self,
        _chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        Ok(match self.next_range(max) {
            Some((keyspace, start, count)) => Filled {
                slots: count,
                decoder: Some(Arc::new(Range {
                    keyspace,
                    start,
                    count,
                })),
            },
            None => Filled::default(),
        })
    }

    fn size_hint(&self) -> Option<u64> {
        self.parts
            .iter()
            .try_fold(0u64, |sum, k| sum.checked_add(k.size()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_from_any_start_matches_a_full_walk() {
        let mask = Mask::parse("?1?d?l", &expand_custom_charsets(&["xyz"]).unwrap()).unwrap();
        let mut all = CandidateChunk::new();
        mask.generate(0, mask.size(), &mut all);
        for start in [0, 1, 9, 10, 259, 260, 779] {
            let mut part = CandidateChunk::new();
            mask.generate(start, 1, &mut part);
            assert_eq!(part.get(0), all.get(start as usize), "start {start}");
        }
        assert_eq!(all.get(779), Some(&b"z9z"[..]));
    }
}
