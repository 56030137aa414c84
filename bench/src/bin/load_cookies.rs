//! The library's single-thread load rate over a file of Flask session cookies (one per line):
//! `FlaskSessionCodec::load_at` on each, repeated for at least the given seconds. Prints one JSON
//! object. The anchor of `bench/verify-batch`'s per-thread figure.
//! Usage: `load_cookies <cookies file> <secret text> <now> <seconds>`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: load_cookies <cookies file> <secret text> <now> <seconds>");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| panic!("{}: {e}", args[1]));
    let cookies: Vec<&str> = text.lines().collect();
    let keyring = Keyring::new(SecretKey::from_text(&args[2]), vec![], KeyPolicy::AllowWeak)
        .unwrap_or_else(|e| panic!("{e}"));
    let now: u64 = args[3].parse().unwrap_or_else(|e| panic!("now: {e}"));
    let secs: f64 = args[4].parse().unwrap_or_else(|e| panic!("seconds: {e}"));
    let codec = FlaskSessionCodec::new(&keyring);
    let mut valid = 0usize;
    for c in &cookies {
        valid += usize::from(codec.load_at(c, now).is_ok());
    }
    let start = Instant::now();
    let mut loads = 0usize;
    while start.elapsed().as_secs_f64() < secs {
        for c in &cookies {
            black_box(codec.load_at(black_box(c), now).ok());
        }
        loads += cookies.len();
    }
    let rate = loads as f64 / start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"cookies": cookies.len(), "valid": valid, "loads_per_s": rate})
    );
}
