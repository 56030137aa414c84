//! The multi-threaded search: candidates in list order, every token tested per derived key.

use crate::crypto::{Check, Deriver};
use crate::scheme::Scheme;
use crate::token::Target;
use crate::CrackError;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A batch of candidates stored contiguously (one buffer, no allocation per candidate).
///
/// ```
/// use waxseal_crack::CandidateChunk;
/// let mut chunk = CandidateChunk::new();
/// chunk.push(b"secret");
/// chunk.push(b"");
/// assert_eq!(chunk.len(), 2);
/// assert_eq!(chunk.get(0), Some(&b"secret"[..]));
/// assert_eq!(chunk.iter().collect::<Vec<_>>(), vec![&b"secret"[..], &b""[..]]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CandidateChunk {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl CandidateChunk {
    /// An empty chunk.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes every candidate, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Appends one candidate.
    pub fn push(&mut self, candidate: &[u8]) {
        self.bytes.extend_from_slice(candidate);
        self.ends.push(self.bytes.len());
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the chunk holds no candidate.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `index`-th candidate.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        self.bytes.get(start..end)
    }

    /// The candidates in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.bytes[s..e])
    }
}

/// Where candidates come from, in list order (a wordlist file, stdin, a vector, the built-in list,
/// a mask, rules over a list).
///
/// ```
/// use waxseal_crack::{CandidateChunk, CandidateSource, IterSource};
/// let mut source = IterSource::new(vec!["a", "b", "c"]);
/// let mut chunk = CandidateChunk::new();
/// assert_eq!(source.fill(&mut chunk, 2).unwrap(), 2);
/// chunk.clear();
/// assert_eq!(source.fill(&mut chunk, 2).unwrap(), 1);
/// assert_eq!(source.fill(&mut chunk, 2).unwrap(), 0); // exhausted
/// ```
pub trait CandidateSource: Send {
    /// Appends up to `max` candidates to `chunk` and returns how many were appended; `0` means
    /// the source is exhausted.
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError>;

    /// What [`crack`] calls (under its shared lock): like [`CandidateSource::fill`], but the
    /// entries may be left undecoded (a Python-format line, a word before its rules, nothing at
    /// all for a mask), with an [`EntryDecoder`] that the workers then run in parallel outside
    /// the lock. [`Filled::slots`] is how many list positions the chunk covers (each counts as
    /// one attempt even if decoding skips it); `0` means the source is exhausted. `max` is a
    /// budget in slots. The default is [`CandidateSource::fill`] with no decoder.
    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        let n = self.fill(chunk, max)?;
        Ok(Filled::verbatim(n))
    }

    /// How many candidates the source will give in total, when known without reading it (a
    /// mask's keyspace, a list in memory); for progress bars and the thorough plan's report.
    fn size_hint(&self) -> Option<u64> {
        None
    }
}

/// What [`CandidateSource::fill_entries`] produced.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    /// List positions covered by the chunk; `0` when the source is exhausted.
    pub slots: u64,
    /// How the workers turn the chunk's entries into candidates; `None`: the entries are the
    /// candidates, one per slot.
    pub decoder: Option<Arc<dyn EntryDecoder>>,
}

impl Filled {
    /// `n` entries that are candidates as they are.
    pub fn verbatim(n: usize) -> Filled {
        Filled {
            slots: n as u64,
            decoder: None,
        }
    }
}

/// Turns a chunk of entries into candidates inside [`crack`]'s workers (in parallel, outside the
/// source's lock): Python-literal lines, rules applied to words, mask ranges.
///
/// ```
/// use std::sync::Arc;
/// use waxseal_crack::{CandidateChunk, EntryDecoder};
/// /// Every entry twice: as is and upper-cased.
/// #[derive(Debug)]
/// struct Twice;
/// impl EntryDecoder for Twice {
///     fn decode(&self, entries: &CandidateChunk, out: &mut CandidateChunk, positions: &mut Vec<u64>) {
///         for (i, e) in entries.iter().enumerate() {
///             out.push(e);
///             positions.push(2 * i as u64);
///             out.push(&e.to_ascii_uppercase());
///             positions.push(2 * i as u64 + 1);
///         }
///     }
/// }
/// let mut entries = CandidateChunk::new();
/// entries.push(b"dev");
/// let (mut out, mut positions) = (CandidateChunk::new(), Vec::new());
/// Twice.decode(&entries, &mut out, &mut positions);
/// assert_eq!(out.iter().collect::<Vec<_>>(), vec![&b"dev"[..], b"DEV"]);
/// ```
pub trait EntryDecoder: Send + Sync + fmt::Debug {
    /// Appends the candidates of `entries` to `out` (both given cleared) and, for each, its slot
    /// offset within the chunk to `positions` (non-decreasing, below [`Filled::slots`]).
    fn decode(&self, entries: &CandidateChunk, out: &mut CandidateChunk, positions: &mut Vec<u64>);
}

/// A [`CandidateSource`] over any iterator of byte strings (`Vec<Vec<u8>>`, `&[&str]`, ...).
///
/// ```
/// use waxseal_crack::IterSource;
/// let _from_vec = IterSource::new(vec![b"dev".to_vec(), b"secret".to_vec()]);
/// let _from_strs = IterSource::new(["dev", "secret"]);
/// ```
#[derive(Debug, Clone)]
pub struct IterSource<I>(I);

impl<I> IterSource<I>
where
    I: Iterator,
    I::Item: AsRef<[u8]>,
{
    /// Wraps an iterable of candidates.
    pub fn new<T: IntoIterator<IntoIter = I>>(candidates: T) -> Self {
        IterSource(candidates.into_iter())
    }
}

impl<I> CandidateSource for IterSource<I>
where
    I: Iterator + Send,
    I::Item: AsRef<[u8]>,
{
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        let mut added = 0;
        while added < max {
            match self.0.next() {
                Some(candidate) => chunk.push(candidate.as_ref()),
                None => break,
            }
            added += 1;
        }
        Ok(added)
    }
}

/// Two sources one after the other (e.g. the built-in list, then a wordlist).
///
/// ```
/// use waxseal_crack::{builtin_source, crack, CrackOptions, Chained, IterSource, Progress, Target};
/// let source = Chained::new(builtin_source(), IterSource::new(["my-wordlist-entry"]));
/// # let _ = source;
/// ```
#[derive(Debug, Clone)]
pub struct Chained<A, B> {
    first: A,
    second: B,
    first_done: bool,
}

impl<A: CandidateSource, B: CandidateSource> Chained<A, B> {
    /// `first`, then `second`.
    pub fn new(first: A, second: B) -> Self {
        Chained {
            first,
            second,
            first_done: false,
        }
    }
}

impl<A: CandidateSource, B: CandidateSource> CandidateSource for Chained<A, B> {
    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        // One source per call, so a chunk never mixes two decodings.
        if !self.first_done {
            let filled = self.first.fill_entries(chunk, max)?;
            if filled.slots > 0 {
                return Ok(filled);
            }
            self.first_done = true;
        }
        self.second.fill_entries(chunk, max)
    }

    fn size_hint(&self) -> Option<u64> {
        self.first
            .size_hint()?
            .checked_add(self.second.size_hint()?)
    }

    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        let mut added = 0;
        if !self.first_done {
            added = self.first.fill(chunk, max)?;
            if added == 0 {
                self.first_done = true;
            }
        }
        if added < max && self.first_done {
            added += self.second.fill(chunk, max - added)?;
        }
        Ok(added)
    }
}

/// The built-in list of publicly known Flask keys as a source.
///
/// ```
/// use waxseal_crack::{builtin_candidates, builtin_source, CandidateChunk, CandidateSource};
/// let mut chunk = CandidateChunk::new();
/// let n = builtin_source().fill(&mut chunk, usize::MAX).unwrap();
/// assert_eq!(n, builtin_candidates().len());
/// ```
pub fn builtin_source() -> IterSource<std::vec::IntoIter<&'static [u8]>> {
    IterSource::new(crate::known_keys::builtin_candidates())
}

impl<S: CandidateSource + ?Sized> CandidateSource for &mut S {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        (**self).fill(chunk, max)
    }

    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        (**self).fill_entries(chunk, max)
    }

    fn size_hint(&self) -> Option<u64> {
        (**self).size_hint()
    }
}

impl CandidateSource for Box<dyn CandidateSource + '_> {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        (**self).fill(chunk, max)
    }

    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        (**self).fill_entries(chunk, max)
    }

    fn size_hint(&self) -> Option<u64> {
        (**self).size_hint()
    }
}

/// Any number of sources one after the other, numbered continuously (the CLI's several
/// wordlists). Each keeps its own parallel decoding.
///
/// ```
/// use waxseal_crack::{CandidateChunk, CandidateSource, IterSource, Sequence};
/// let mut all = Sequence::new(vec![Box::new(IterSource::new(["a"])) as Box<dyn CandidateSource>,
///                                  Box::new(IterSource::new(["b", "c"]))]);
/// let mut chunk = CandidateChunk::new();
/// while all.fill(&mut chunk, 10).unwrap() > 0 {}
/// assert_eq!(chunk.len(), 3);
/// ```
#[derive(Default)]
pub struct Sequence {
    sources: std::collections::VecDeque<Box<dyn CandidateSource>>,
}

impl Sequence {
    /// The sources, in order.
    pub fn new(sources: Vec<Box<dyn CandidateSource>>) -> Self {
        Sequence {
            sources: sources.into(),
        }
    }
}

impl fmt::Debug for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sequence({} sources left)", self.sources.len())
    }
}

impl CandidateSource for Sequence {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        while let Some(first) = self.sources.front_mut() {
            let n = first.fill(chunk, max)?;
            if n > 0 {
                return Ok(n);
            }
            self.sources.pop_front();
        }
        Ok(0)
    }

    fn fill_entries(
        &mut self,
        chunk: &mut CandidateChunk,
        max: usize,
    ) -> Result<Filled, CrackError> {
        while let Some(first) = self.sources.front_mut() {
            let filled = first.fill_entries(chunk, max)?;
            if filled.slots > 0 {
                return Ok(filled);
            }
            self.sources.pop_front();
        }
        Ok(Filled::default())
    }

    fn size_hint(&self) -> Option<u64> {
        self.sources
            .iter()
            .try_fold(0u64, |sum, s| sum.checked_add(s.size_hint()?))
    }
}

/// Tuning for [`crack`].
///
/// ```
/// let options = waxseal_crack::CrackOptions { threads: 2, ..Default::default() };
/// assert_eq!(options.threads, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrackOptions {
    /// Worker threads; `0` means the machine's available parallelism (the default).
    pub threads: usize,
    /// Candidates handed to a worker at a time (default 4096).
    pub chunk_size: usize,
}

impl Default for CrackOptions {
    fn default() -> Self {
        CrackOptions {
            threads: 0,
            chunk_size: 4096,
        }
    }
}

impl CrackOptions {
    /// The number of threads actually used.
    ///
    /// ```
    /// assert!(waxseal_crack::CrackOptions::default().effective_threads() >= 1);
    /// ```
    pub fn effective_threads(&self) -> usize {
        if self.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.threads
        }
    }
}

/// Live counters a CLI can poll from another thread (progress bar, rate, ETA) and a cancel switch.
///
/// ```
/// use waxseal_crack::Progress;
/// let progress = Progress::new();
/// assert_eq!(progress.candidates_tried(), 0);
/// progress.cancel();
/// assert!(progress.is_cancelled());
/// ```
#[derive(Debug, Default)]
pub struct Progress {
    tried: AtomicU64,
    found: AtomicUsize,
    cancelled: AtomicBool,
}

impl Progress {
    /// Fresh counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Candidates fully tested so far (updated once per chunk; may run past the final attempt
    /// count because other workers finish their chunks).
    pub fn candidates_tried(&self) -> u64 {
        self.tried.load(Ordering::Relaxed)
    }

    /// Targets with a hit so far.
    pub fn targets_found(&self) -> usize {
        self.found.load(Ordering::Relaxed)
    }

    /// Asks the workers to stop after their current chunk; [`crack`] then returns with
    /// [`CrackReport::cancelled`] set.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// A recovered secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The secret, as bytes.
    pub secret: Vec<u8>,
    /// Its 0-based position in the candidate list (the first matching position). For a
    /// Python-format wordlist read by [`crack`] this is the line's position: a line skipped as
    /// unencodable still takes its place.
    pub index: u64,
    /// Candidates tried in list order up to and including the hit: `index + 1`.
    pub attempts: u64,
    /// The scheme that matched (the first in the target's order when several do).
    pub scheme: Scheme,
    /// The format that scheme stands for, when the target's schemes are labelled.
    pub kind: Option<crate::TokenKind>,
}

/// What happened to one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetOutcome {
    /// The secret was found.
    Found(Found),
    /// No candidate matched; `attempts` is the whole list's length (or, when cancelled, the
    /// number of candidates handed out before the cancel).
    NotFound {
        /// Candidates tried.
        attempts: u64,
    },
}

impl TargetOutcome {
    /// The hit, if any.
    pub fn found(&self) -> Option<&Found> {
        match self {
            TargetOutcome::Found(found) => Some(found),
            TargetOutcome::NotFound { .. } => None,
        }
    }

    /// Candidates tried for this target (see [`Found::attempts`] and [`TargetOutcome::NotFound`]).
    pub fn attempts(&self) -> u64 {
        match self {
            TargetOutcome::Found(found) => found.attempts,
            TargetOutcome::NotFound { attempts } => *attempts,
        }
    }
}

/// The result of [`crack`].
///
/// Attempt counts are exact and independent of the thread count: a target's hit is the smallest
/// list index whose candidate verifies, and its attempts are `index + 1`. [`CrackReport::attempts`]
/// is the largest per-target count (all found: last hit + 1; otherwise the list length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrackReport {
    /// One outcome per target, in the order the targets were given.
    pub outcomes: Vec<TargetOutcome>,
    /// Whether the search was cancelled through [`Progress::cancel`].
    pub cancelled: bool,
}

impl CrackReport {
    /// Candidates tried in list order until the search ended (see the type's documentation).
    pub fn attempts(&self) -> u64 {
        self.outcomes
            .iter()
            .map(TargetOutcome::attempts)
            .max()
            .unwrap_or(0)
    }

    /// Whether every target was cracked.
    pub fn all_found(&self) -> bool {
        self.outcomes.iter().all(|o| o.found().is_some())
    }
}

/// Key derivation shared by every (target, scheme) that uses the same scheme.
struct KeyGroup {
    deriver: Deriver,
    checks: Vec<GroupCheck>,
}

struct GroupCheck {
    target: usize,
    scheme: usize,
    check: Check,
}

/// A recorded hit: list index, position of the scheme in the target, the secret.
type Hit = (u64, usize, Vec<u8>);

/// Best hit per target: `(index, scheme position)`, smallest wins.
struct Hits {
    best_index: Vec<AtomicU64>,
    found: Mutex<Vec<Option<Hit>>>,
}

const NOT_FOUND: u64 = u64::MAX;

impl Hits {
    fn record(&self, target: usize, index: u64, scheme: usize, secret: &[u8], progress: &Progress) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let better = match &found[target] {
            None => {
                progress.found.fetch_add(1, Ordering::Relaxed);
                true
            }
            Some((i, s, _)) => (index, scheme) < (*i, *s),
        };
        if better {
            found[target] = Some((index, scheme, secret.to_vec()));
            self.best_index[target].store(index, Ordering::Relaxed);
        }
    }

    /// Whether every target has a hit before `index` (so nothing from `index` on can matter).
    fn all_found_before(&self, index: u64) -> bool {
        self.best_index
            .iter()
            .all(|b| b.load(Ordering::Relaxed) < index)
    }
}

/// Hands out chunks in list order.
struct Feeder<'s, S> {
    source: &'s mut S,
    next_index: u64,
    exhausted: bool,
    error: Option<CrackError>,
}

/// Tries every candidate from `source` against every target and returns the first hit per target.
///
/// Work is split into chunks of [`CrackOptions::chunk_size`] candidates handed to
/// [`CrackOptions::threads`] workers in list order; the search stops once every target has a hit
/// and every earlier chunk is done, so results and attempt counts never depend on the thread count.
/// Each candidate's derived key is computed once per distinct scheme and tested against all
/// tokens using that scheme.
///
/// ```
/// use waxseal_crack::{crack, sign, CrackOptions, IterSource, Progress, Scheme, Target};
/// // A Flask session cookie signed with the key "dev".
/// let message = b"eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA";
/// let sig = sign(&Scheme::flask_session(), b"dev", message);
/// let cookie = format!("{}.{}", std::str::from_utf8(message).unwrap(),
///     waxseal_crack::encode_signature(&sig));
/// let target = Target::flask_session(&cookie).unwrap();
///
/// let words = ["secret", "changeme", "dev", "admin"];
/// let report = crack(&[target], IterSource::new(words), &CrackOptions::default(), &Progress::new()).unwrap();
/// let found = report.outcomes[0].found().unwrap();
/// assert_eq!(found.secret, b"dev");
/// assert_eq!(found.attempts, 3);
/// ```
pub fn crack<S: CandidateSource>(
    targets: &[Target],
    mut source: S,
    options: &CrackOptions,
    progress: &Progress,
) -> Result<CrackReport, CrackError> {
    if targets.is_empty() {
        return Err(CrackError::NoTarget);
    }
    let groups = build_groups(targets);
    let hits = Hits {
        best_index: (0..targets.len())
            .map(|_| AtomicU64::new(NOT_FOUND))
            .collect(),
        found: Mutex::new(vec![None; targets.len()]),
    };
    let chunk_size = options.chunk_size.max(1);
    let feeder = Mutex::new(Feeder {
        source: &mut source,
        next_index: 0,
        exhausted: false,
        error: None,
    });
    let threads = options.effective_threads();
    let work = || worker(&groups, &hits, &feeder, chunk_size, progress);
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(work);
            }
        });
    }
    let feeder = feeder.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(error) = feeder.error {
        return Err(error);
    }
    let total = feeder.next_index;
    let found = hits.found.into_inner().unwrap_or_else(|e| e.into_inner());
    let outcomes = found
        .into_iter()
        .enumerate()
        .map(|(target, hit)| match hit {
            Some((index, scheme, secret)) => TargetOutcome::Found(Found {
                secret,
                index,
                attempts: index + 1,
                scheme: targets[target].schemes()[scheme].clone(),
                kind: targets[target].kinds().get(scheme).copied().flatten(),
            }),
            None => TargetOutcome::NotFound { attempts: total },
        })
        .collect();
    Ok(CrackReport {
        outcomes,
        cancelled: progress.is_cancelled(),
    })
}

/// Convenience wrapper: cracks with an in-memory list.
///
/// ```
/// use waxseal_crack::{crack_list, CrackOptions, Target};
/// let target = Target::flask_session("eyJhIjoxfQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
/// let report = crack_list(&[target], &["a", "b"], &CrackOptions::default()).unwrap();
/// assert!(report.outcomes[0].found().is_none());
/// assert_eq!(report.attempts(), 2);
/// ```
pub fn crack_list<T: AsRef<[u8]> + Sync>(
    targets: &[Target],
    candidates: &[T],
    options: &CrackOptions,
) -> Result<CrackReport, CrackError> {
    crack(
        targets,
        IterSource::new(candidates.iter()),
        options,
        &Progress::new(),
    )
}

fn build_groups(targets: &[Target]) -> Vec<KeyGroup> {
    let mut groups: Vec<KeyGroup> = Vec::new();
    let mut by_scheme: HashMap<&Scheme, usize> = HashMap::new();
    for (t, target) in targets.iter().enumerate() {
        for (s, scheme) in target.schemes().iter().enumerate() {
            let g = *by_scheme.entry(scheme).or_insert_with(|| {
                groups.push(KeyGroup {
                    deriver: Deriver::new(scheme),
                    checks: Vec::new(),
                });
                groups.len() - 1
            });
            groups[g].checks.push(GroupCheck {
                target: t,
                scheme: s,
                check: Check::new(
                    scheme.digest,
                    target.token().signed_part(),
                    target.token().signature(),
                ),
            });
        }
    }
    groups
}

fn worker<S: CandidateSource>(
    groups: &[KeyGroup],
    hits: &Hits,
    feeder: &Mutex<Feeder<'_, S>>,
    chunk_size: usize,
    progress: &Progress,
) {
    let mut entries = CandidateChunk::new();
    let mut decoded = CandidateChunk::new();
    let mut decoded_positions: Vec<u64> = Vec::new();
    let mut best = vec![NOT_FOUND; hits.best_index.len()];
    loop {
        let (base, filled) = {
            let mut feeder = feeder.lock().unwrap_or_else(|e| e.into_inner());
            if feeder.exhausted
                || feeder.error.is_some()
                || progress.is_cancelled()
                || hits.all_found_before(feeder.next_index)
            {
                return;
            }
            entries.clear();
            match feeder.source.fill_entries(&mut entries, chunk_size) {
                Ok(filled) if filled.slots == 0 => {
                    feeder.exhausted = true;
                    return;
                }
                Ok(filled) => {
                    let base = feeder.next_index;
                    feeder.next_index += filled.slots;
                    (base, filled)
                }
                Err(error) => {
                    feeder.error = Some(error);
                    return;
                }
            }
        };
        // Decoding happens here, in parallel, outside the lock.
        let (chunk, positions) = match &filled.decoder {
            None => (&entries, None),
            Some(decoder) => {
                decoded.clear();
                decoded_positions.clear();
                decoder.decode(&entries, &mut decoded, &mut decoded_positions);
                (&decoded, Some(decoded_positions.as_slice()))
            }
        };
        for (b, shared) in best.iter_mut().zip(&hits.best_index) {
            *b = shared.load(Ordering::Relaxed);
        }
        for (k, candidate) in chunk.iter().enumerate() {
            let offset = positions.map_or(k as u64, |p| p[k]);
            let index = base + offset;
            for group in groups {
                if group.checks.iter().all(|c| best[c.target] < index) {
                    continue;
                }
                match &group.deriver {
                    // Fast path: no KeyedMac enum, just the two SHA-1 states.
                    Deriver::Sha1(fast) => {
                        let states = fast.derive(candidate);
                        for c in &group.checks {
                            // `>=`: at the hit's own index a lower-numbered scheme may still win.
                            if best[c.target] >= index && c.check.matches_sha1(&states) {
                                hits.record(c.target, index, c.scheme, candidate, progress);
                                best[c.target] = hits.best_index[c.target].load(Ordering::Relaxed);
                            }
                        }
                    }
                    Deriver::Generic(_) => {
                        let keyed = group.deriver.derive(candidate);
                        for c in &group.checks {
                            if best[c.target] >= index && c.check.matches(&keyed) {
                                hits.record(c.target, index, c.scheme, candidate, progress);
                                best[c.target] = hits.best_index[c.target].load(Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
        }
        progress.tried.fetch_add(filled.slots, Ordering::Relaxed);
    }
}
