//! `waxseal crack`: audit tokens for a weak secret key by trying candidate keys.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::json;
use waxseal_crack::{
    builtin_candidates, crack, CandidateChunk, CandidateSource, CrackError, CrackOptions, Progress,
    Scheme, SignedToken, Target, WordlistFormat, WordlistReader,
};

use crate::options::{FormatArgs, TokenStream};
use crate::output::{self, hex, paint, secret_display, CliError, BAD, GOOD, WARN};

/// Wordlist formats.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordlistFormatName {
    /// Detect from the first lines (Python literals like flask-unsign's list, else plain).
    Auto,
    /// One candidate per line, as raw bytes.
    Plain,
    /// One Python str/bytes literal per line (flask-unsign-wordlist).
    Python,
}

impl WordlistFormatName {
    /// The engine's format.
    pub fn format(self) -> WordlistFormat {
        match self {
            WordlistFormatName::Auto => WordlistFormat::Auto,
            WordlistFormatName::Plain => WordlistFormat::Plain,
            WordlistFormatName::Python => WordlistFormat::Python,
        }
    }
}

/// Find the secret key of tokens signed with a weak key (a wordlist, or the built-in list of
/// publicly known keys).
///
/// Works for every format: the signature's length tells the digest (unless --digest), and the
/// salt and key derivation come from --format and its overrides. Several tokens are attacked in
/// one pass; the search stops once every token's key is found. Attempt counts are exact.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal crack 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'            # built-in known keys\n  \
    waxseal crack --wordlist rockyou.txt --wordlist more.txt COOKIE1 COOKIE2\n  \
    python -c 'import flask_unsign_wordlist as w; print(w.get(\"all\"))' | xargs -I{} waxseal crack --wordlist {} COOKIE\n\n\
    --json prints one object per token, in input order: token, found, secret (text, or a Python\n\
    bytes literal when not printable UTF-8; null if not found), secret_hex, attempts, elapsed_s,\n\
    rate (candidates per second over the whole run), scheme.\n\n\
    Exit codes: 0 every token's key found; 1 some not found; 2 usage error; 3 I/O error."
)]
pub struct CrackArgs {
    /// Tokens to attack; `-` reads them from stdin, one per line.
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    /// Candidate list (repeatable, read in order; `-` for stdin). Without it, the built-in list
    /// of publicly known keys.
    #[arg(long, value_name = "FILE")]
    pub wordlist: Vec<PathBuf>,
    /// How the wordlists are written.
    #[arg(long, value_enum, default_value_t = WordlistFormatName::Auto)]
    pub wordlist_format: WordlistFormatName,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Several sources one after the other.
struct Sources(Vec<Box<dyn CandidateSource>>);

impl CandidateSource for Sources {
    fn fill(&mut self, chunk: &mut CandidateChunk, max: usize) -> Result<usize, CrackError> {
        while let Some(first) = self.0.first_mut() {
            let n = first.fill(chunk, max)?;
            if n > 0 {
                return Ok(n);
            }
            self.0.remove(0);
        }
        Ok(0)
    }
}

fn crack_err(e: CrackError) -> CliError {
    match e {
        CrackError::Io(m) => CliError::io(format!("reading candidates failed: {m}")),
        e => CliError::usage(e.to_string()),
    }
}

fn target(args: &FormatArgs, token: &str, n: usize) -> Result<Target, CliError> {
    let format = args.token_format()?;
    let s = &format.settings;
    let context = |e: CrackError| {
        CliError::usage(format!("token {n}: {e}"))
            .hint("check that it is a complete token and that --format/--sep match it")
    };
    let parsed = SignedToken::parse(token, s.separator).map_err(context)?;
    let derivation = s.key_derivation;
    let digests = match args.digest {
        Some(d) => vec![d.digest()],
        None => {
            let len = parsed.signature().len();
            let found = waxseal_crack::digests_for_signature_len(len);
            if found.is_empty() {
                return Err(context(CrackError::UnknownSignatureLength(len)));
            }
            found
        }
    };
    let schemes = digests
        .into_iter()
        .map(|d| Scheme::new(s.salt.clone(), derivation, d))
        .collect();
    Target::new(parsed, schemes).map_err(context)
}

/// Counts lines of the wordlist files (for the progress bar's ETA); `None` if one is stdin.
fn count_lines(paths: &[PathBuf]) -> Option<u64> {
    let mut total = 0u64;
    for p in paths {
        if p.as_os_str() == "-" {
            return None;
        }
        let mut f = File::open(p).ok()?;
        let mut buf = vec![0u8; 1 << 16];
        let mut last = b'\n';
        loop {
            let n = f.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            total += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            last = buf[n - 1];
        }
        if last != b'\n' {
            total += 1;
        }
    }
    Some(total)
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
                "{spinner} [{elapsed_precise}] {human_pos} candidates  {per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar
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
    let mut tokens = Vec::new();
    for t in TokenStream::new(args.tokens.clone()) {
        tokens.push(t?);
    }
    if tokens.is_empty() {
        return Err(CliError::usage("no token given")
            .hint("pass tokens as arguments, or `-` with one per line on stdin"));
    }
    let targets = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| target(&args.format, t, i + 1))
        .collect::<Result<Vec<_>, _>>()?;

    let mut sources: Vec<Box<dyn CandidateSource>> = Vec::new();
    let format = args.wordlist_format.format();
    for p in &args.wordlist {
        let reader: Box<dyn BufRead + Send> = if p.as_os_str() == "-" {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            let f = File::open(p).map_err(|e| {
                CliError::io(format!("cannot open the wordlist {}: {e}", p.display()))
            })?;
            Box::new(BufReader::with_capacity(1 << 16, f))
        };
        sources.push(Box::new(WordlistReader::new(reader, format)));
    }
    let builtin = args.wordlist.is_empty();
    let total = if builtin {
        sources.push(Box::new(waxseal_crack::builtin_source()));
        Some(builtin_candidates().len() as u64)
    } else if std::io::stderr().is_terminal() && !json {
        count_lines(&args.wordlist)
    } else {
        None
    };

    let progress = Progress::new();
    let options = CrackOptions {
        threads: args.threads,
        ..CrackOptions::default()
    };
    let show_bar = std::io::stderr().is_terminal() && !json;
    let start = Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        if show_bar {
            let (progress, done) = (&progress, &done);
            scope.spawn(move || {
                let bar = progress_bar(total);
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    bar.set_position(progress.candidates_tried());
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            });
        }
        let r = crack(&targets, Sources(sources), &options, &progress);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        r
    })
    .map_err(crack_err)?;
    let elapsed = start.elapsed().as_secs_f64();
    let attempts = report.attempts();
    let rate = if elapsed > 0.0 {
        attempts as f64 / elapsed
    } else {
        0.0
    };
    let mut all = true;
    for (i, outcome) in report.outcomes.iter().enumerate() {
        let found = outcome.found();
        all &= found.is_some();
        if json {
            output::json_line(&json!({
                "token": tokens.get(i),
                "found": found.is_some(),
                "secret": found.map(|f| secret_display(&f.secret)),
                "secret_hex": found.map(|f| hex(&f.secret)),
                "attempts": outcome.attempts(),
                "elapsed_s": elapsed,
                "rate": rate,
                "scheme": found.map(|f| json!({"salt": String::from_utf8_lossy(&f.scheme.salt),
                    "key_derivation": f.scheme.derivation.name(), "digest": f.scheme.digest.name()})),
            }))?;
        } else {
            let label = if report.outcomes.len() > 1 {
                format!("token {}: ", i + 1)
            } else {
                String::new()
            };
            match found {
                Some(f) => output::line(format!(
                    "{label}{} {}   (after {} attempts; {})",
                    paint(GOOD, "FOUND secret key:"),
                    secret_display(&f.secret),
                    f.attempts,
                    f.scheme
                ))?,
                None => output::line(format!(
                    "{label}{} after {} candidates",
                    paint(BAD, "not found"),
                    outcome.attempts()
                ))?,
            }
        }
    }
    if !json {
        output::line(format!(
            "{attempts} candidates in {elapsed:.2} s ({:.0} per second, {} thread(s))",
            rate,
            options.effective_threads()
        ))?;
        if all {
            output::line(paint(
                WARN,
                "Anyone with this key can forge these tokens: replace it now (`waxseal key new --print`).",
            ))?;
        }
    }
    Ok(if all {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
