//! Shared timing loop for the throughput programs in `src/bin/`.
#![forbid(unsafe_code)]

pub mod payloads;

use std::time::{Duration, Instant};

/// Runs `op` repeatedly for about `budget` and returns operations per second.
///
/// Iterations are batched so reading the clock does not dominate a sub-microsecond operation.
pub fn ops_per_second(budget: Duration, mut op: impl FnMut()) -> f64 {
    // Warm up caches and the branch predictor.
    for _ in 0..1000 {
        op();
    }
    let start = Instant::now();
    let mut done: u64 = 0;
    let mut batch: u64 = 1000;
    loop {
        for _ in 0..batch {
            op();
        }
        done += batch;
        let elapsed = start.elapsed();
        if elapsed >= budget {
            return done as f64 / elapsed.as_secs_f64();
        }
        batch = (batch * 2).min(1 << 20);
    }
}
