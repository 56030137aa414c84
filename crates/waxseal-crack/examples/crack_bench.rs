//! Throughput benchmark for `bench/crack`: a realistic Flask session cookie against a generated
//! list of candidates that does not contain its key (full scan).
//!
//! Usage: `crack_bench [--mask MASK | --rules | --file WORDLIST] [CANDIDATES] [THREADS...]`
//! (defaults: a generated list of 4000000, threads 1 2). `--file` streams a wordlist through
//! `WordlistReader` (format detected); `--mask` runs a hashcat mask (its whole keyspace; CANDIDATES
//! is ignored) with generation in the workers; `--rules` applies the built-in `best` rules to
//! CANDIDATES / rules generated words. Prints one line per thread count:
//! `threads=N candidates=C seconds=S rate=R cpu_seconds=T cpu_rate=Q`.
//!
//! `rate` is candidates per wall-clock second. `cpu_rate` is candidates per CPU second of this
//! process (Linux `/proc/self/stat`, clock ticks per second from env `CLK_TCK`, default 100): on a
//! machine shared with other work it is the figure comparable with `openssl speed`, which also
//! reports per CPU second.

use std::time::Instant;
use waxseal_crack::{
    best_rules, crack, encode_signature, sign, CandidateSource, CrackOptions, IndexedSource,
    IterSource, Keyspace, Mask, Progress, RuleSource, Scheme, Target, WordlistFormat,
    WordlistReader,
};

/// Each generated candidate is this many bytes ("bench-" + 10 digits), a typical weak-key length.
const CANDIDATE_LEN: usize = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let wordlist = if args.peek().map(String::as_str) == Some("--file") {
        args.next();
        Some(args.next().ok_or("--file needs a path")?)
    } else {
        None
    };
    let mask = if args.peek().map(String::as_str) == Some("--mask") {
        args.next();
        Some(Mask::parse(
            &args.next().ok_or("--mask needs a mask")?,
            &[],
        )?)
    } else {
        None
    };
    let rules = if args.peek().map(String::as_str) == Some("--rules") {
        args.next();
        Some(best_rules())
    } else {
        None
    };
    let count: usize = if wordlist.is_some() {
        0
    } else if let Some(mask) = &mask {
        args.next();
        mask.size() as usize
    } else {
        args.next()
            .map(|a| a.parse())
            .transpose()?
            .unwrap_or(4_000_000)
    };
    let mut thread_counts: Vec<usize> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    if thread_counts.is_empty() {
        thread_counts = vec![1, 2];
    }

    // A Flask-Login style session: {"_fresh":true,"_id":"...","_user_id":"1","csrf_token":"..."}
    // is compressed by Flask; this is a typical uncompressed-size signed part (~100 bytes).
    let payload =
        "eyJfZnJlc2giOnRydWUsIl91c2VyX2lkIjoiMSIsImNzcmZfdG9rZW4iOiI0ZjJhYTEwYjU2In0.ZxV2sA";
    let signature = sign(
        &Scheme::flask_session(),
        b"not-in-the-list",
        payload.as_bytes(),
    );
    let cookie = format!("{payload}.{}", encode_signature(&signature));
    let target = Target::flask_session(&cookie)?;

    // With rules, the words are fewer: each gives about rules.len() candidates.
    let words = rules.as_ref().map_or(count, |r| count / r.len());
    let mut flat = Vec::with_capacity(words * CANDIDATE_LEN);
    for i in 0..words {
        flat.extend_from_slice(format!("bench-{i:010}").as_bytes());
    }
    eprintln!(
        "signed part: {} bytes; {count} candidates of {CANDIDATE_LEN} bytes",
        payload.len()
    );

    for threads in thread_counts {
        let options = CrackOptions {
            threads,
            ..CrackOptions::default()
        };
        let cpu_start = cpu_seconds();
        let start = Instant::now();
        let report = match &wordlist {
            Some(path) => {
                let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
                let reader = WordlistReader::new(file, WordlistFormat::Auto);
                crack(
                    std::slice::from_ref(&target),
                    reader,
                    &options,
                    &Progress::new(),
                )?
            }
            None => {
                let source: Box<dyn CandidateSource + '_> = match (&mask, &rules) {
                    (Some(mask), _) => Box::new(IndexedSource::new(vec![mask.clone()])),
                    (None, Some(rules)) => Box::new(RuleSource::new(
                        IterSource::new(flat.chunks_exact(CANDIDATE_LEN)),
                        rules.clone(),
                    )),
                    (None, None) => Box::new(IterSource::new(flat.chunks_exact(CANDIDATE_LEN))),
                };
                crack(
                    std::slice::from_ref(&target),
                    source,
                    &options,
                    &Progress::new(),
                )?
            }
        };
        let seconds = start.elapsed().as_secs_f64();
        // Exact number of list positions tried (rules: words x rules, duplicates included).
        let count = report.attempts() as usize;
        let cpu = cpu_seconds().zip(cpu_start).map(|(end, begin)| end - begin);
        assert!(
            report.outcomes[0].found().is_none(),
            "the key must not be found"
        );
        let (cpu_seconds, cpu_rate) = match cpu {
            Some(cpu) if cpu > 0.0 => (format!("{cpu:.3}"), format!("{:.0}", count as f64 / cpu)),
            _ => ("unknown".to_owned(), "unknown".to_owned()),
        };
        println!(
            "threads={threads} candidates={count} seconds={seconds:.3} rate={:.0} cpu_seconds={cpu_seconds} cpu_rate={cpu_rate}",
            count as f64 / seconds
        );
    }
    Ok(())
}

/// User + system CPU time of this process (all threads, including finished ones), if readable.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the full line, i.e. 12 and 13 here.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let ticks: f64 = std::env::var("CLK_TCK")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(100.0);
    Some((utime + stime) / ticks)
}
