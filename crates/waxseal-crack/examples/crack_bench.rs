//! Throughput benchmark for `bench/crack`: a realistic Flask session cookie against a generated
//! list of candidates that does not contain its key (full scan).
//!
//! Usage: `crack_bench [CANDIDATES] [THREADS...]` (defaults: 4000000, 1 2). Prints one line per
//! thread count: `threads=N candidates=C seconds=S rate=R cpu_seconds=T cpu_rate=Q`.
//!
//! `rate` is candidates per wall-clock second. `cpu_rate` is candidates per CPU second of this
//! process (Linux `/proc/self/stat`, clock ticks per second from env `CLK_TCK`, default 100): on a
//! machine shared with other work it is the figure comparable with `openssl speed`, which also
//! reports per CPU second.

use std::time::Instant;
use waxseal_crack::{
    crack, encode_signature, sign, CrackOptions, IterSource, Progress, Scheme, Target,
};

/// Each generated candidate is this many bytes ("bench-" + 10 digits), a typical weak-key length.
const CANDIDATE_LEN: usize = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(4_000_000);
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

    let mut flat = Vec::with_capacity(count * CANDIDATE_LEN);
    for i in 0..count {
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
        let report = crack(
            std::slice::from_ref(&target),
            IterSource::new(flat.chunks_exact(CANDIDATE_LEN)),
            &options,
            &Progress::new(),
        )?;
        let seconds = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu_start).map(|(end, begin)| end - begin);
        assert_eq!(report.attempts(), count as u64, "the key must not be found");
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
