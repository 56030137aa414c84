//! The library's load rate over a file of Flask session cookies (one per line):
//! `FlaskSessionCodec::load_at` on each, after one untimed pass that counts the valid ones (and
//! warms code, allocator and caches), the file repeated until the given seconds have passed (at
//! least once; `0` is exactly one timed pass) on the given number of threads (default 1). Prints
//! one JSON object whose `loads_per_s` counts all threads over the timed run: the anchor of
//! `bench/verify-batch`'s per-thread figures.
//! Usage: `load_cookies <cookies file> <secret text> <now> <seconds> [threads]`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};

/// Loads every cookie, pass after pass, until `secs` have passed (at least one pass); returns
/// the number of loads.
fn run(codec: &FlaskSessionCodec, cookies: &[&str], now: u64, secs: f64) -> usize {
    let start = Instant::now();
    let mut loads = 0usize;
    loop {
        for c in cookies {
            black_box(codec.load_at(black_box(c), now).ok());
        }
        loads += cookies.len();
        if start.elapsed().as_secs_f64() >= secs {
            return loads;
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(5..=6).contains(&args.len()) {
        eprintln!("usage: load_cookies <cookies file> <secret text> <now> <seconds> [threads]");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| panic!("{}: {e}", args[1]));
    let cookies: Vec<&str> = text.lines().collect();
    let keyring = Keyring::new(SecretKey::from_text(&args[2]), vec![], KeyPolicy::AllowWeak)
        .unwrap_or_else(|e| panic!("{e}"));
    let now: u64 = args[3].parse().unwrap_or_else(|e| panic!("now: {e}"));
    let secs: f64 = args[4].parse().unwrap_or_else(|e| panic!("seconds: {e}"));
    let threads: usize = args
        .get(5)
        .map_or(Ok(1), |t| t.parse())
        .unwrap_or_else(|e| panic!("threads: {e}"));
    let codec = FlaskSessionCodec::new(&keyring);
    let valid = cookies
        .iter()
        .filter(|c| codec.load_at(c, now).is_ok())
        .count();
    let start = Instant::now();
    let loads: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| s.spawn(|| run(&codec, &cookies, now, secs)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a load thread panicked"))
            })
            .sum()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let out = serde_json::json!({
        "cookies": cookies.len(), "valid": valid, "threads": threads.max(1),
        "loads_per_s": loads as f64 / elapsed,
    });
    println!("{out}");
}
