//! `waxseal crack`: audit tokens for a weak secret key by trying candidate keys.
//!
//! Batch behaviour (shared with `verify` and `decode`): every token gets exactly one answer, in
//! input order; a token that cannot be parsed is answered `malformed` and the others are still
//! cracked; empty stdin prints nothing and exits 0; the exit code is 1 when any token was
//! malformed or its key was not found.
//!
//! Attacks run as phases of one plan ([`waxseal_crack::run_plan`]): the words (built-in known
//! keys or `--wordlist`s, with `--rules`), then each `--mask`, then `--combinator`; `--thorough`
//! replaces them with the documented escalation plan ([`thorough_phases`]). Attempt counts are per
//! phase and exact.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::json;
use waxseal::inspect::{detect_token, extract_token, FormatKind};
use waxseal::{Digest, KeyDerivation};
use waxseal_crack::{
    best_rules, builtin_candidates, builtin_source, detect, expand_custom_charsets,
    guessed_salt_schemes, parse_rules, run_plan, CandidateChunk, CandidateSource, Combinator,
    CrackError, CrackOptions, DetectOptions, IndexedSource, Keyspace, Mask, Phase, PhaseReport,
    PhaseStatus, Progress, Rule, RuleSource, Scheme, Sequence, SignedToken, Target, TokenKind,
    WordlistFormat, WordlistReader,
};

use crate::batch::{self, OwnedInput};
use crate::options::WordlistFormatName;
use crate::output::{self, hex, paint, secret_display, CliError, BAD, GOOD, WARN};
use crate::render::{extracted_note, prepare_with, COOKIE_NAME};

/// Token formats `crack` knows (`auto`: from the token's shape).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrackFormat {
    /// Recognise the format from the token's shape and try every scheme it allows.
    #[default]
    Auto,
    /// Flask's session cookie.
    Flask,
    /// itsdangerous URLSafeTimedSerializer.
    UrlSafeTimed,
    /// itsdangerous URLSafeSerializer.
    UrlSafe,
    /// itsdangerous TimedSerializer (plain JSON).
    TimedSerializer,
    /// itsdangerous Serializer (plain JSON).
    Serializer,
    /// Starlette/FastAPI SessionMiddleware cookie.
    Starlette,
    /// itsdangerous TimestampSigner.
    TimestampSigner,
    /// itsdangerous Signer.
    Signer,
}

impl CrackFormat {
    /// The format whose rules find the token in pasted text (`None`: recognised from the text).
    /// Only the cookie formats take anything but whitespace away; the JSON and signer formats
    /// are trimmed only, which the core's `Serializer` and `Signer` rules do.
    fn shape(self) -> Option<FormatKind> {
        Some(match self {
            CrackFormat::Auto => return None,
            CrackFormat::Flask => FormatKind::Flask,
            CrackFormat::UrlSafeTimed => FormatKind::UrlSafeTimed,
            CrackFormat::UrlSafe => FormatKind::UrlSafe,
            CrackFormat::TimedSerializer | CrackFormat::Serializer => FormatKind::Serializer,
            CrackFormat::Starlette => FormatKind::Starlette,
            CrackFormat::TimestampSigner => FormatKind::TimestampSigner,
            CrackFormat::Signer => FormatKind::Signer,
        })
    }

    fn kind(self) -> Option<TokenKind> {
        Some(match self {
            CrackFormat::Auto => return None,
            CrackFormat::Flask => TokenKind::Flask,
            CrackFormat::UrlSafeTimed => TokenKind::UrlSafeTimed,
            CrackFormat::UrlSafe => TokenKind::UrlSafe,
            CrackFormat::TimedSerializer => TokenKind::TimedSerializer,
            CrackFormat::Serializer => TokenKind::Serializer,
            CrackFormat::Starlette => TokenKind::Starlette,
            CrackFormat::TimestampSigner => TokenKind::TimestampSigner,
            CrackFormat::Signer => TokenKind::Signer,
        })
    }
}

fn parse_digest(s: &str) -> Result<Digest, String> {
    Digest::from_name(s)
        .ok_or_else(|| format!("unknown digest {s:?} (sha1, sha224, sha256, sha384, sha512, md5)"))
}

fn parse_derivation(s: &str) -> Result<KeyDerivation, String> {
    KeyDerivation::from_name(s)
        .ok_or_else(|| format!("unknown key derivation {s:?} (hmac, concat, django-concat, none)"))
}

/// Find the secret key of tokens signed with a weak key: publicly known keys, wordlists with
/// hashcat rules, hashcat masks, word pairs, or all of them cheapest first (--thorough).
///
/// Without --format the format is recognised from the token (Flask with any digest, compressed or
/// not; itsdangerous serializers and signers; Starlette/FastAPI sessions) and every scheme it
/// allows is tried; the hit names the format. Several tokens are attacked in one pass; each
/// distinct scheme is derived once per candidate for all of them.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal crack 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'            # built-in known keys\n  \
    waxseal crack --wordlist rockyou.txt --rules best COOKIE\n  \
    waxseal crack --mask '?u?l?l?l' --mask '?h?h?h?h' --mask '?l?l?l?l?l?l' --increment COOKIE\n  \
    waxseal crack -1 '?l?d' --mask '?1?1?1?1?1' COOKIE\n  \
    waxseal crack --thorough --time-limit 600 --wordlist words.txt COOKIE\n  \
    waxseal crack --hashcat COOKIE            # the hashcat -m 29100 line, for a GPU rig\n\n\
    --json prints one object per token, in input order: token, found, error (null | malformed |\n\
    not_found), message, secret (text, or a Python bytes literal when not printable UTF-8; null if\n\
    not found), secret_hex, format, scheme, phase, attempts (within the phase), elapsed_s, rate\n\
    (candidate x token checks per second), phases (what each phase tried), extracted (what was\n\
    removed around a pasted cookie, or null).\n\n\
    Exit codes: 0 every token's key found; 1 a token malformed or its key not found; 2 usage\n\
    error; 3 I/O error."
)]
pub struct CrackArgs {
    /// Tokens to attack; `-` reads them from stdin, one per line.
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    /// Candidate list (repeatable, read in order; `-` for stdin). Without it and without
    /// --mask/--combinator, the built-in list of publicly known keys.
    #[arg(long, value_name = "FILE")]
    pub wordlist: Vec<PathBuf>,
    /// How the wordlists are written.
    #[arg(long, value_enum, default_value_t = WordlistFormatName::Auto)]
    pub wordlist_format: WordlistFormatName,
    /// hashcat rules applied to every word: `best` (the built-in set for secret keys) or a rule
    /// file (one rule per line).
    #[arg(long, value_name = "best|FILE")]
    pub rules: Option<String>,
    /// A hashcat mask (repeatable): ?l ?u ?d ?h ?H ?s ?a ?b, ?1-?4, ?? for '?'.
    #[arg(long, value_name = "MASK")]
    pub mask: Vec<String>,
    /// Custom charset ?1 (hashcat -1).
    #[arg(short = '1', long = "custom-charset1", value_name = "CHARS")]
    pub charset1: Option<String>,
    /// Custom charset ?2.
    #[arg(short = '2', long = "custom-charset2", value_name = "CHARS")]
    pub charset2: Option<String>,
    /// Custom charset ?3.
    #[arg(short = '3', long = "custom-charset3", value_name = "CHARS")]
    pub charset3: Option<String>,
    /// Custom charset ?4.
    #[arg(short = '4', long = "custom-charset4", value_name = "CHARS")]
    pub charset4: Option<String>,
    /// Try each mask's prefixes too, shortest first (hashcat --increment).
    #[arg(long)]
    pub increment: bool,
    /// Shortest prefix with --increment.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "increment")]
    pub increment_min: usize,
    /// Longest prefix with --increment.
    #[arg(long, value_name = "N", requires = "increment")]
    pub increment_max: Option<usize>,
    /// Pairs of words (the wordlists', first 100,000 distinct, or the known keys) joined by each
    /// --separator.
    #[arg(long)]
    pub combinator: bool,
    /// Separators for --combinator (repeatable; default: none, space, '-', '_').
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub separator: Vec<String>,
    /// The escalation plan: known keys, wordlists, wordlists with rules, masks of growing cost,
    /// word pairs; cheapest first, until a hit or --time-limit.
    #[arg(long)]
    pub thorough: bool,
    /// Stop after this many seconds (any attack), and say what remained untried.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// Print the hashcat command line for each token instead of cracking (mode 29100 for Flask
    /// SHA-1 cookies within hashcat's limits), or say why hashcat cannot take it.
    #[arg(long)]
    pub hashcat: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Token format (default: recognised from the token).
    #[arg(long, value_enum, default_value_t = CrackFormat::Auto, help_heading = "Format options")]
    pub format: CrackFormat,
    /// Salt instead of the format's default.
    #[arg(long, value_name = "TEXT", help_heading = "Format options")]
    pub salt: Option<String>,
    /// Also try a short built-in list of common salts (email-confirm, password-reset, ...), with
    /// both django-concat and hmac: about 54 more key derivations per candidate.
    #[arg(long, help_heading = "Format options")]
    pub guess_salts: bool,
    /// Try every format's scheme, whatever the token looks like.
    #[arg(long, help_heading = "Format options")]
    pub all_formats: bool,
    /// Digest (default: from the signature's length).
    #[arg(long, value_parser = parse_digest, help_heading = "Format options")]
    pub digest: Option<Digest>,
    /// Key derivation instead of the format's default.
    #[arg(long, value_parser = parse_derivation, value_name = "KIND", help_heading = "Format options")]
    pub key_derivation: Option<KeyDerivation>,
    /// Separator character (default ".").
    #[arg(long, value_name = "C", help_heading = "Format options")]
    pub sep: Option<char>,
}

/// One input made ready: the token in it, or why it holds none to attack.
struct Prepared {
    /// The token (taken out of pasted text), or the `malformed` message.
    token: Result<String, String>,
    /// What was removed around the token (`session=`, a `Cookie:` header, quotes), if anything.
    extracted: Option<&'static str>,
}

impl Prepared {
    /// The token as printed: empty when there is none.
    fn shown(&self) -> &str {
        self.token.as_deref().unwrap_or("")
    }
}

/// The token in `input`, found the way `verify` and `decode` find it: a pasted cookie is taken
/// out of its `session=`, `Cookie:` header or quotes for the cookie formats (recognised from the
/// text when no --format is given); an empty or over-long line holds none.
fn prepare(args: &CrackArgs, input: &OwnedInput) -> Prepared {
    let extract = |text| match args.format.shape() {
        None => detect_token(text, COOKIE_NAME).extracted,
        Some(kind) => extract_token(text, kind, COOKIE_NAME),
    };
    match prepare_with(input.as_input(), extract) {
        Err(record) => Prepared {
            token: Err(record.message),
            extracted: None,
        },
        Ok(p) => Prepared {
            token: std::str::from_utf8(p.token)
                .map(str::to_owned)
                .map_err(|_| {
                    "The line is not UTF-8 text: no token crack reads holds such bytes.".to_owned()
                }),
            extracted: p.extracted,
        },
    }
}

/// `1 attempt`, `2 attempts`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn crack_err(e: CrackError) -> CliError {
    match e {
        CrackError::Io(m) => CliError::io(format!("reading candidates failed: {m}")),
        e => CliError::usage(e.to_string()),
    }
}

/// The schemes to try on one token, or why it cannot be attacked (`malformed`).
fn target(args: &CrackArgs, token: &str) -> Result<Target, String> {
    let sep = match args.sep {
        None => b'.',
        Some(c) => u8::try_from(c)
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| format!("--sep {c:?}: the separator must be one ASCII character"))?,
    };
    let overrides = args.salt.is_some() || args.key_derivation.is_some() || sep != b'.';
    if args.format == CrackFormat::Auto && !overrides {
        let options = DetectOptions {
            all_formats: args.all_formats,
            guess_salts: args.guess_salts,
            digest: args.digest,
        };
        return detect(token, &options).map_err(|e| e.to_string());
    }
    let parsed = SignedToken::parse(token, sep).map_err(|e| e.to_string())?;
    let digest = match args.digest {
        Some(d) => d,
        None => {
            let len = parsed.signature().len();
            Digest::from_output_len(len)
                .ok_or_else(|| CrackError::UnknownSignatureLength(len).to_string())?
        }
    };
    let kinds: Vec<TokenKind> = match args.format.kind() {
        Some(kind) => vec![kind],
        None if sep == b'.' => {
            let mut kinds = waxseal_crack::detect_kinds(token);
            if args.all_formats {
                kinds.extend(TokenKind::ALL);
            }
            kinds
        }
        // Another separator: the shape cannot be read the usual way; try every family.
        None => TokenKind::ALL.to_vec(),
    };
    let mut schemes: Vec<(Scheme, Option<TokenKind>)> = Vec::new();
    for &kind in &kinds {
        let salt = args
            .salt
            .as_ref()
            .map_or(kind.salt().to_vec(), |s| s.as_bytes().to_vec());
        let derivation = args.key_derivation.unwrap_or(kind.derivation());
        let scheme = Scheme::new(salt, derivation, digest);
        if !schemes.iter().any(|(s, _)| *s == scheme) {
            schemes.push((scheme, Some(kind)));
        }
    }
    if args.guess_salts {
        for (scheme, kind) in guessed_salt_schemes(&kinds, digest) {
            if !schemes.iter().any(|(s, _)| *s == scheme) {
                schemes.push((scheme, kind));
            }
        }
    }
    Target::labelled(parsed, schemes).map_err(|e| e.to_string())
}

/// Opens one wordlist as a reader (stdin for `-`).
fn open_wordlist(
    path: &PathBuf,
    format: WordlistFormat,
    bytes: &Arc<AtomicU64>,
    skipped: &Arc<AtomicU64>,
) -> Result<Box<dyn CandidateSource>, CrackError> {
    let reader: Box<dyn BufRead + Send> = if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let f = File::open(path).map_err(|e| {
            CrackError::Io(format!("cannot open the wordlist {}: {e}", path.display()))
        })?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    Ok(Box::new(
        WordlistReader::new(reader, format)
            .counting_bytes_into(Arc::clone(bytes))
            .counting_skipped_into(Arc::clone(skipped)),
    ))
}

/// Where the words come from: the given wordlists, or the built-in known keys.
#[derive(Clone)]
struct Words {
    paths: Vec<PathBuf>,
    format: WordlistFormat,
    /// Bytes read from the wordlist files so far (all phases), for the progress display.
    bytes: Arc<AtomicU64>,
    /// Lines skipped as undecodable (all phases).
    skipped: Arc<AtomicU64>,
}

impl Words {
    fn builtin(&self) -> bool {
        self.paths.is_empty()
    }

    fn describe(&self) -> String {
        if self.builtin() {
            format!("known keys ({})", builtin_candidates().len())
        } else {
            let names: Vec<String> = self
                .paths
                .iter()
                .map(|p| {
                    p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    )
                })
                .collect();
            format!("wordlist {}", names.join(", "))
        }
    }

    fn source(&self) -> Result<Box<dyn CandidateSource>, CrackError> {
        if self.builtin() {
            return Ok(Box::new(builtin_source()));
        }
        let mut sources = Vec::new();
        for p in &self.paths {
            sources.push(open_wordlist(p, self.format, &self.bytes, &self.skipped)?);
        }
        Ok(Box::new(Sequence::new(sources)))
    }

    fn size(&self) -> Option<u64> {
        self.builtin().then(|| builtin_candidates().len() as u64)
    }

    /// Every word, decoded, in list order without repeats (for the combinator).
    fn load(
        &self,
        keep: impl Fn(&[u8]) -> bool,
        max_words: usize,
    ) -> Result<Vec<Vec<u8>>, CrackError> {
        let mut source = self.source()?;
        let mut words = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut chunk = CandidateChunk::new();
        while words.len() < max_words {
            chunk.clear();
            if source.fill(&mut chunk, 4096)? == 0 {
                break;
            }
            for w in chunk.iter() {
                if keep(w) && words.len() < max_words && seen.insert(w.to_vec()) {
                    words.push(w.to_vec());
                }
            }
        }
        Ok(words)
    }
}

fn rules_from(spec: &str) -> Result<(String, Vec<Rule>), CliError> {
    if spec == "best" {
        let rules = best_rules();
        return Ok((format!("rules best ({})", rules.len()), rules));
    }
    let text = std::fs::read_to_string(spec)
        .map_err(|e| CliError::io(format!("cannot read the rule file {spec}: {e}")))?;
    let (rules, bad) = parse_rules(&text);
    for (line, e) in &bad {
        output::warn(format!("{spec}:{line}: skipped: {e}"));
    }
    if rules.is_empty() {
        return Err(CliError::usage(format!("{spec}: no usable rule")));
    }
    Ok((format!("rules {spec} ({})", rules.len()), rules))
}

fn with_rules(words: &Words, name: &str, rules: &[Rule]) -> Phase {
    let size = words.size().map(|n| n * rules.len() as u64);
    let (words, rules) = (words.clone(), rules.to_vec());
    Phase::new(
        format!("{} with {name}", words.describe()),
        size,
        move || Ok(Box::new(RuleSource::new(words.source()?, rules)) as Box<dyn CandidateSource>),
    )
}

fn keyspace_phase(name: String, parts: Vec<Arc<dyn Keyspace>>) -> Phase {
    Phase::from_source(name, IndexedSource::from_parts(parts))
}

fn mask_phase(mask: &Mask, increment: Option<(usize, Option<usize>)>) -> Phase {
    match increment {
        Some((min, max)) => {
            let parts = mask.increments(min, max);
            let (lo, hi) = (
                parts.first().map_or(0, Mask::len),
                parts.last().map_or(0, Mask::len),
            );
            let parts = parts
                .into_iter()
                .map(|m| Arc::new(m) as Arc<dyn Keyspace>)
                .collect();
            let lengths = if lo == hi {
                format!("length {lo}")
            } else {
                format!("lengths {lo}-{hi}")
            };
            keyspace_phase(format!("{} ({lengths})", mask.describe()), parts)
        }
        None => keyspace_phase(mask.describe(), vec![Arc::new(mask.clone())]),
    }
}

fn combinator_phase(
    words: &Words,
    separators: &[Vec<u8>],
    keep: impl Fn(&[u8]) -> bool,
    max_words: usize,
) -> Result<Phase, CliError> {
    let list = words.load(keep, max_words).map_err(crack_err)?;
    let combinator = Combinator::new(list, separators.to_vec());
    Ok(keyspace_phase(
        format!("{} from {}", combinator.describe(), words.describe()),
        vec![Arc::new(combinator)],
    ))
}

/// Words `--combinator` pairs: the first this many distinct ones (100,000 words already make
/// 4 * 10^10 pairs with the four default separators).
const PAIR_WORDS: usize = 100_000;
/// Words the thorough plan pairs: the first 3,000 distinct [`dictionary_word`]s (36M pairs).
const THOROUGH_PAIR_WORDS: usize = 3000;

/// What the thorough plan pairs: words of 3 to 8 ASCII letters (`peanut`, `Butter`), the shape of
/// two-word phrases people pick; keys, numbers and symbols are left to the other phases.
fn dictionary_word(w: &[u8]) -> bool {
    (3..=8).contains(&w.len()) && w.iter().all(u8::is_ascii_alphabetic)
}

/// The masks of `--thorough`, cheapest first: 1-2 raw bytes, hex up to 4, a capitalised
/// 4-letter word, digits up to 6, three letters and three digits, printable ASCII up to 4,
/// digits 7-8, lowercase up to 6, hex 5-8.
pub const THOROUGH_MASKS: &[(&str, usize, usize)] = &[
    ("?b?b", 1, 2),
    ("?h?h?h?h", 1, 4),
    ("?u?l?l?l", 4, 4),
    ("?d?d?d?d?d?d", 1, 6),
    ("?l?l?l?d?d?d", 6, 6),
    ("?a?a?a?a", 1, 4),
    ("?d?d?d?d?d?d?d?d", 7, 8),
    ("?l?l?l?l?l?l", 1, 6),
    ("?h?h?h?h?h?h?h?h", 5, 8),
];

/// The escalation plan (documented in the README's crack section): built-in known keys; the
/// wordlists; known keys and wordlists with the rules (`--rules`, default `best`); then the
/// generated attacks sorted by size, cheapest first: [`THOROUGH_MASKS`], any `--mask`, and word
/// pairs from the known keys and wordlists (words of 3 to 8 letters).
fn thorough_phases(
    words: &Words,
    rules: &(String, Vec<Rule>),
    extra_masks: Vec<Phase>,
    separators: &[Vec<u8>],
) -> Result<Vec<Phase>, CliError> {
    let builtin = Words {
        paths: Vec::new(),
        ..words.clone()
    };
    let mut phases = vec![Phase::new(builtin.describe(), builtin.size(), {
        let b = builtin.clone();
        move || b.source()
    })];
    if !words.builtin() {
        let w = words.clone();
        phases.push(Phase::new(w.describe(), None, move || w.source()));
    }
    phases.push(with_rules(&builtin, &rules.0, &rules.1));
    if !words.builtin() {
        phases.push(with_rules(words, &rules.0, &rules.1));
    }
    let mut generated = extra_masks;
    for (text, min, max) in THOROUGH_MASKS {
        let mask = Mask::parse(text, &[]).map_err(crack_err)?;
        generated.push(mask_phase(&mask, Some((*min, Some(*max)))));
    }
    generated.push(combinator_phase(
        &builtin,
        separators,
        dictionary_word,
        THOROUGH_PAIR_WORDS,
    )?);
    if !words.builtin() {
        generated.push(combinator_phase(
            words,
            separators,
            dictionary_word,
            THOROUGH_PAIR_WORDS,
        )?);
    }
    generated.sort_by_key(|p| p.size.unwrap_or(u64::MAX));
    phases.extend(generated);
    Ok(phases)
}

/// Builds the phases of a normal (not thorough) run.
fn phases(args: &CrackArgs, words: &Words) -> Result<Vec<Phase>, CliError> {
    let custom: Vec<&str> = [
        &args.charset1,
        &args.charset2,
        &args.charset3,
        &args.charset4,
    ]
    .iter()
    .map(|c| c.as_deref().unwrap_or(""))
    .collect();
    let last = custom
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |i| i + 1);
    if custom[..last].iter().any(|c| c.is_empty()) {
        return Err(CliError::usage(
            "custom charsets must be defined in order (-1 before -2 ...)",
        ));
    }
    let charsets = expand_custom_charsets(&custom[..last]).map_err(crack_err)?;
    let increment = args
        .increment
        .then_some((args.increment_min, args.increment_max));
    let mut masks = Vec::new();
    for text in &args.mask {
        let mask = Mask::parse(text, &charsets).map_err(|e| {
            crack_err(e).hint("mask placeholders: ?l ?u ?d ?h ?H ?s ?a ?b ?1-?4, ?? for '?'")
        })?;
        masks.push(mask_phase(&mask, increment));
    }
    let separators: Vec<Vec<u8>> = if args.separator.is_empty() {
        ["", " ", "-", "_"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect()
    } else {
        args.separator
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect()
    };
    let rules = args.rules.as_deref().map(rules_from).transpose()?;
    if args.thorough {
        let rules = match rules {
            Some(r) => r,
            None => rules_from("best")?,
        };
        return thorough_phases(words, &rules, masks, &separators);
    }
    let mut phases = Vec::new();
    let want_words =
        !words.builtin() || rules.is_some() || (args.mask.is_empty() && !args.combinator);
    if want_words {
        phases.push(match &rules {
            Some((name, rules)) => with_rules(words, name, rules),
            None => {
                let w = words.clone();
                Phase::new(w.describe(), w.size(), move || w.source())
            }
        });
    }
    phases.extend(masks);
    if args.combinator {
        phases.push(combinator_phase(words, &separators, |_| true, PAIR_WORDS)?);
    }
    Ok(phases)
}

/// The answer for one token.
enum Answer {
    Malformed(String),
    Target(usize),
}

fn status_name(status: PhaseStatus) -> &'static str {
    match status {
        PhaseStatus::Complete => "complete",
        PhaseStatus::Stopped => "stopped by the time limit",
        PhaseStatus::NotStarted => "not started (time limit)",
        PhaseStatus::NotNeeded => "not needed",
    }
}

fn phase_json(p: &PhaseReport) -> serde_json::Value {
    json!({
        "name": p.name,
        "size": p.size,
        "tried": p.tried,
        "status": match p.status {
            PhaseStatus::Complete => "complete",
            PhaseStatus::Stopped => "stopped",
            PhaseStatus::NotStarted => "not_started",
            PhaseStatus::NotNeeded => "not_needed",
        },
        "seconds": p.seconds,
    })
}

fn phase_line(index: usize, count: usize, p: &PhaseReport) -> String {
    let size = match p.size {
        Some(size) if p.status == PhaseStatus::Stopped => {
            format!(
                "{} of {size} candidates ({:.1}%)",
                p.tried,
                100.0 * p.tried as f64 / size.max(1) as f64
            )
        }
        Some(size) if p.status == PhaseStatus::NotStarted => format!("{size} candidates"),
        _ => format!("{} candidates", p.tried),
    };
    let found = if p.found.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = p.found.iter().map(|t| (t + 1).to_string()).collect();
        format!(" — found token {}", list.join(", "))
    };
    let time = if p.status == PhaseStatus::NotStarted {
        String::new()
    } else {
        format!(" in {:.2} s", p.seconds)
    };
    format!(
        "phase {}/{count} {}: {}, {size}{time}{found}",
        index + 1,
        p.name,
        status_name(p.status),
    )
}

fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t).with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} candidates  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {human_pos} candidates  {per_sec}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar
}

/// The wordlist files' total size, for showing how much of them has been read.
fn wordlist_bytes(paths: &[PathBuf]) -> Option<u64> {
    paths.iter().try_fold(0u64, |sum, p| {
        if p.as_os_str() == "-" {
            return None;
        }
        Some(sum + std::fs::metadata(p).ok()?.len())
    })
}

/// Runs `crack`.
pub fn run(args: CrackArgs, json: bool) -> Result<u8, CliError> {
    let stdin_tokens = args.tokens.iter().any(|t| t == "-");
    let stdin_lists = args
        .wordlist
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count();
    if stdin_lists > 1 || (stdin_lists == 1 && stdin_tokens) {
        return Err(CliError::usage("stdin can feed only one thing")
            .hint("read either the tokens or one wordlist from `-`, and name files for the rest"));
    }
    if stdin_lists == 1 && (args.thorough || args.combinator) {
        return Err(CliError::usage(
            "--thorough and --combinator read the wordlists more than once",
        )
        .hint("save the list to a file and pass its path"));
    }
    if let Some(t) = args.time_limit {
        if !(t > 0.0 && t.is_finite()) {
            return Err(CliError::usage(
                "--time-limit must be a positive number of seconds",
            ));
        }
    }

    // Every input, in order, read by the same reader as `verify`'s; one that holds no token
    // that can be attacked is answered `malformed`.
    let inputs = batch::collect(&args.tokens)?;
    if inputs.is_empty() {
        return Ok(output::EXIT_OK);
    }
    let prepared: Vec<Prepared> = inputs.iter().map(|i| prepare(&args, i)).collect();
    if args.hashcat {
        return hashcat_handoff(&prepared, &args, json);
    }
    let mut targets = Vec::new();
    let answers: Vec<Answer> = prepared
        .iter()
        .map(|p| match &p.token {
            Err(m) => Answer::Malformed(m.clone()),
            Ok(t) => match target(&args, t) {
                Ok(target) => {
                    targets.push(target);
                    Answer::Target(targets.len() - 1)
                }
                Err(m) => Answer::Malformed(m),
            },
        })
        .collect();

    let words = Words {
        paths: args.wordlist.clone(),
        format: args.wordlist_format.format(),
        bytes: Arc::default(),
        skipped: Arc::default(),
    };
    let plan = phases(&args, &words)?;
    let phase_count = plan.len();
    let total: Option<u64> = plan
        .iter()
        .try_fold(0u64, |sum, p| sum.checked_add(p.size?));
    let options = CrackOptions {
        threads: args.threads,
        ..CrackOptions::default()
    };
    let progress = Progress::new();
    let show_bar = std::io::stderr().is_terminal() && !json;
    let list_bytes = wordlist_bytes(&words.paths);
    let start = Instant::now();
    let done = AtomicBool::new(false);
    let mut phase_lines = Vec::new();
    let report = if targets.is_empty() {
        None
    } else {
        let time_limit = args.time_limit.map(Duration::from_secs_f64);
        let report = std::thread::scope(|scope| {
            if show_bar {
                let (progress, done, bytes) = (&progress, &done, &words.bytes);
                scope.spawn(move || {
                    let bar = progress_bar(total);
                    while !done.load(Ordering::Relaxed) {
                        bar.set_position(progress.candidates_tried());
                        if let Some(all) = list_bytes.filter(|&b| b > 0) {
                            let read = bytes.load(Ordering::Relaxed);
                            bar.set_message(format!(
                                "wordlists {:.0}% read",
                                100.0 * read as f64 / all as f64
                            ));
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    bar.finish_and_clear();
                });
            }
            let r = run_plan(&targets, plan, &options, time_limit, &progress, |p| {
                if !json && (args.thorough || phase_count > 1 || args.time_limit.is_some()) {
                    let line = phase_line(phase_lines.len(), phase_count, p);
                    let _ = output::line(&line);
                }
                phase_lines.push(p.clone());
            });
            done.store(true, Ordering::Relaxed);
            r
        })
        .map_err(crack_err)?;
        Some(report)
    };
    let elapsed = start.elapsed().as_secs_f64();
    let tried: u64 = report
        .as_ref()
        .map_or(0, |r| r.phases.iter().map(|p| p.tried).sum());
    // Each candidate is checked against every token: the rate counts those checks.
    let checks = tried.saturating_mul(targets.len() as u64);
    let rate = if elapsed > 0.0 {
        checks as f64 / elapsed
    } else {
        0.0
    };

    let mut all = true;
    let several = answers.len() > 1;
    for (i, answer) in answers.iter().enumerate() {
        let label = if several {
            format!("token {}: ", i + 1)
        } else {
            String::new()
        };
        let shown = prepared[i].shown();
        let extracted = prepared[i].extracted;
        if let (false, Some(how)) = (json, extracted) {
            output::line(format!("{label}{}", extracted_note(how)))?;
        }
        let hit = match answer {
            Answer::Malformed(message) => {
                all = false;
                if json {
                    output::json_line(&json!({
                        "token": shown, "found": false, "error": "malformed",
                        "message": message, "secret": null, "secret_hex": null, "format": null,
                        "scheme": null, "phase": null, "attempts": 0, "elapsed_s": elapsed,
                        "rate": rate, "phases": [], "extracted": extracted,
                    }))?;
                } else {
                    output::line(format!("{label}{} {message}", paint(BAD, "malformed:")))?;
                }
                continue;
            }
            Answer::Target(t) => report.as_ref().and_then(|r| r.found[*t].as_ref()),
        };
        all &= hit.is_some();
        let phases_json: Vec<serde_json::Value> = report
            .as_ref()
            .map(|r| r.phases.iter().map(phase_json).collect())
            .unwrap_or_default();
        if json {
            output::json_line(&json!({
                "token": shown,
                "found": hit.is_some(),
                "error": if hit.is_some() { serde_json::Value::Null } else { json!("not_found") },
                "message": if hit.is_some() { "found" } else { "no candidate matched" },
                "secret": hit.map(|(_, f)| secret_display(&f.secret)),
                "secret_hex": hit.map(|(_, f)| hex(&f.secret)),
                "format": hit.and_then(|(_, f)| f.kind).map(TokenKind::name),
                "scheme": hit.map(|(_, f)| json!({"salt": String::from_utf8_lossy(&f.scheme.salt),
                    "key_derivation": f.scheme.derivation.name(), "digest": f.scheme.digest.name()})),
                "phase": hit.and_then(|(p, _)| report.as_ref().map(|r| r.phases[*p].name.clone())),
                "attempts": hit.map_or(tried, |(_, f)| f.attempts),
                "elapsed_s": elapsed,
                "rate": rate,
                "phases": phases_json,
                "extracted": extracted,
            }))?;
        } else {
            match hit {
                Some((phase, f)) => {
                    let format = f
                        .kind
                        .map(|k| format!("{}; ", k.description()))
                        .unwrap_or_default();
                    let phase_name = report
                        .as_ref()
                        .map_or("", |r| r.phases[*phase].name.as_str());
                    output::line(format!(
                        "{label}{} {}   ({format}{}; after {} in {phase_name})",
                        paint(GOOD, "FOUND secret key:"),
                        secret_display(&f.secret),
                        f.scheme,
                        count(f.attempts, "attempt"),
                    ))?
                }
                None => output::line(format!(
                    "{label}{} after {}",
                    paint(BAD, "not found"),
                    count(tried, "candidate")
                ))?,
            }
        }
    }
    let skipped = words.skipped.load(Ordering::Relaxed);
    if skipped > 0 {
        output::warn(format!(
            "{skipped} wordlist line(s) could not be decoded as {} and were skipped",
            match words.format {
                WordlistFormat::Latin1 => "Latin-1 text (not UTF-8, or a character above U+00FF)",
                _ => "Python literals (a lone surrogate has no UTF-8 encoding)",
            }
        ));
    }
    if !json && report.is_some() {
        let checked = if targets.len() > 1 {
            format!(
                "{} × {} tokens = {} checks",
                count(tried, "candidate"),
                targets.len(),
                checks
            )
        } else {
            count(tried, "candidate")
        };
        output::line(format!(
            "{checked} in {elapsed:.2} s ({rate:.0} {} per second, {})",
            if targets.len() > 1 {
                "checks"
            } else {
                "candidates"
            },
            count(options.effective_threads() as u64, "thread")
        ))?;
        if all {
            output::line(paint(
                WARN,
                "Anyone with this key can forge these tokens: replace it now (`waxseal key new --print`).",
            ))?;
        } else if let Some(r) = &report {
            not_found_advice(r, &args, rate)?;
        }
    }
    Ok(if all {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}

/// The honest ending when a key was not found: what was covered, what was not, what next.
fn not_found_advice(
    report: &waxseal_crack::PlanReport,
    args: &CrackArgs,
    rate: f64,
) -> Result<(), CliError> {
    let untried: Vec<&str> = report
        .phases
        .iter()
        .filter(|p| matches!(p.status, PhaseStatus::Stopped | PhaseStatus::NotStarted))
        .map(|p| p.name.as_str())
        .collect();
    if !untried.is_empty() {
        // What is left, and how long it would take at this run's rate.
        let left: Option<u64> = report
            .phases
            .iter()
            .filter(|p| matches!(p.status, PhaseStatus::Stopped | PhaseStatus::NotStarted))
            .try_fold(0u64, |sum, p| {
                sum.checked_add(p.size?.saturating_sub(p.tried))
            });
        let estimate = match left {
            Some(left) if rate > 0.0 => format!(
                " ({left} candidates left: about {} at this rate)",
                output::duration((left as f64 / rate) as u64)
            ),
            _ => String::new(),
        };
        output::line(format!(
            "The time limit stopped the search; not (fully) tried: {}{estimate}.",
            untried.join("; ")
        ))?;
    }
    output::line(
        "Not found is not proof that the key is strong: only the candidates above were tried. \
         A key from os.urandom() or secrets.token_hex() cannot be found this way at all, unless \
         it leaked into a list.",
    )?;
    let mut next = Vec::new();
    if args.wordlist.is_empty() {
        next.push("a wordlist (--wordlist, e.g. flask-unsign-wordlist's all.txt)");
    }
    if !args.thorough {
        next.push("--thorough");
    }
    if args.time_limit.is_some() {
        next.push("a longer --time-limit");
    }
    next.push("hashcat on a GPU (--hashcat prints the command)");
    output::line(format!("To go further: {}.", next.join(", ")))
}

/// hashcat's Flask mode: `-m 29100`, "Flask Session Cookie ($salt.$salt.$pass)".
pub const HASHCAT_FLASK_MODE: u32 = 29100;

/// Whether hashcat's mode 29100 can take `token` (already taken out of pasted text), and why
/// not. The limits are those of hashcat's
/// parser for the mode (`src/modules/module_29100.c`): exactly three `.`-separated fields, a
/// base64url payload of at most 56 characters (so no compressed cookie, whose leading `.` makes
/// a fourth field), a timestamp of 1 to 6 characters and a 20-byte (SHA-1) signature; the salt and
/// derivation are Flask's (`cookie-session`, `hmac`).
pub fn hashcat_support(token: &str, format: CrackFormat) -> Result<(), String> {
    let token = token.trim();
    if !matches!(format, CrackFormat::Auto | CrackFormat::Flask) {
        return Err("hashcat has no mode for itsdangerous or Starlette tokens (only Flask session cookies, -m 29100)".into());
    }
    let kinds = waxseal_crack::detect_kinds(token);
    if !kinds.contains(&TokenKind::Flask) {
        return Err(
            "not a Flask session cookie; hashcat only has a mode for those (-m 29100)".into(),
        );
    }
    if token.starts_with('.') {
        return Err("compressed cookie (leading '.'): hashcat's mode 29100 cannot parse it".into());
    }
    let fields: Vec<&str> = token.split('.').collect();
    let [payload, ts, sig] = fields[..] else {
        return Err("hashcat's mode 29100 needs exactly three '.'-separated fields".into());
    };
    let signature = waxseal_crack::decode_signature(sig.as_bytes()).map_err(|e| e.to_string())?;
    if signature.len() != 20 {
        return Err(format!(
            "{}-byte signature (not SHA-1): hashcat's mode 29100 only does HMAC-SHA1",
            signature.len()
        ));
    }
    if payload.len() > 56 {
        return Err(format!(
            "payload of {} characters: hashcat's mode 29100 accepts at most 56",
            payload.len()
        ));
    }
    if ts.is_empty() || ts.len() > 6 {
        return Err("timestamp field longer than hashcat's 6 characters".into());
    }
    Ok(())
}

/// `--hashcat`: the line and mode for each token, or why hashcat cannot take it.
fn hashcat_handoff(prepared: &[Prepared], args: &CrackArgs, json: bool) -> Result<u8, CliError> {
    let mut all = true;
    let several = prepared.len() > 1;
    for (i, p) in prepared.iter().enumerate() {
        let support = match &p.token {
            Err(m) => Err(format!("malformed: {m}")),
            Ok(token) => hashcat_support(token, args.format),
        };
        all &= support.is_ok();
        let label = if several {
            format!("token {}: ", i + 1)
        } else {
            String::new()
        };
        let token = p.shown();
        if json {
            output::json_line(&json!({
                "token": token,
                "hashcat": support.is_ok(),
                "mode": support.is_ok().then_some(HASHCAT_FLASK_MODE),
                "line": support.is_ok().then_some(token),
                "reason": support.as_ref().err(),
                "extracted": p.extracted,
            }))?;
        } else {
            if let Some(how) = p.extracted {
                output::line(format!("{label}{}", extracted_note(how)))?;
            }
            match support {
                Ok(()) => output::line(format!(
                    "{label}{} -m {HASHCAT_FLASK_MODE}, hash line: {token}\n  \
                     echo '{token}' > flask.hash && hashcat -m {HASHCAT_FLASK_MODE} -a 0 flask.hash wordlist.txt -r rules/best64.rule\n  \
                     hashcat -m {HASHCAT_FLASK_MODE} -a 3 flask.hash '?a?a?a?a?a?a' --increment",
                    paint(GOOD, "hashcat can take it:")
                ))?,
                Err(reason) => output::line(format!(
                    "{label}{} {reason}; use waxseal crack (--thorough) instead",
                    paint(BAD, "hashcat cannot take it:")
                ))?,
            }
        }
    }
    Ok(if all {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
