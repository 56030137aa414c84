//! Throughput benchmark for `bench/crack`: a realistic Flask session cookie against a generated
//! list of candidates that does not contain its key (full scan).
//!
//! Usage: `crack_bench [CANDIDATES] [THREADS...]` (defaults: 4000000, 1 2). Prints one line per
//! thread count: `threads=N candidates=C seconds=S rate=R`.

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
        let start = Instant::now();
        let report = crack(
            std::slice::from_ref(&target),
            IterSource::new(flat.chunks_exact(CANDIDATE_LEN)),
            &options,
            &Progress::new(),
        )?;
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(report.attempts(), count as u64, "the key must not be found");
        println!(
            "threads={threads} candidates={count} seconds={seconds:.3} rate={:.0}",
            count as f64 / seconds
        );
    }
    Ok(())
}
