//! The compression decision of issue 12, measured in one run (`cargo bench -p waxseal-bench
//! --bench compression`; numbers and decision in the README's performance section).
//!
//! Deflate: waxseal's `zlib_compress` against the pinned zlib (`libz-sys`, built from source)
//! driving one reused stream (`deflateReset` per call, as a server would), both producing a fresh
//! `Vec`. Inflate: waxseal's `zlib_decompress_capped` against the pinned zlib with a reused
//! stream, `libdeflater` (reused decompressor, output buffer grown under the cap) and `zlib-rs`
//! (reused stream), each returning the bytes in a fresh `Vec` and refusing more than the cap.
//!
//! Payloads: a token's JSON (65 B), Flask's benchmark cookie (112 B), 256 varied sessions
//! (cycled, so the branch predictor cannot learn one input), and 300 B / 1000 B / 4000 B JSON.
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use flate2::{Compress, Compression, Decompress, FlushCompress, Status};
use waxseal::compress::{zlib_compress, zlib_decompress_capped};
use waxseal_bench::payloads::{records, varied_sessions, COOKIE_112, TOKEN_65};

/// The cap a serializer uses by default (1 MiB).
const LIMIT: usize = 1 << 20;

/// zlib level 6 through one `z_stream` reused with `deflateReset`.
struct ReusedZlibDeflate(Compress);

impl ReusedZlibDeflate {
    fn compress(&mut self, input: &[u8]) -> Vec<u8> {
        self.0.reset();
        let bound = input.len() + (input.len() >> 12) + (input.len() >> 14) + 13;
        let mut out = Vec::with_capacity(bound);
        loop {
            let done = self.0.total_in() as usize;
            let status = self
                .0
                .compress_vec(&input[done..], &mut out, FlushCompress::Finish)
                .expect("deflate");
            if status == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity());
        }
    }
}

/// libdeflate: one-shot decoder, so the buffer grows (4x input, doubling) up to the cap.
fn libdeflate_capped(d: &mut libdeflater::Decompressor, input: &[u8]) -> Option<Vec<u8>> {
    let mut size = LIMIT.min(input.len().saturating_mul(4).max(256));
    loop {
        let mut out = vec![0u8; size];
        match d.zlib_decompress(input, &mut out) {
            Ok(n) => {
                out.truncate(n);
                return Some(out);
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) if size < LIMIT => {
                size = (size * 2).min(LIMIT);
            }
            Err(_) => return None,
        }
    }
}

/// zlib-rs with one reused stream, growing its output under the cap.
fn zlib_rs_capped(d: &mut zlib_rs::Inflate, input: &[u8]) -> Option<Vec<u8>> {
    d.reset(true);
    let mut out = vec![0u8; LIMIT.min(input.len().saturating_mul(4).max(256))];
    loop {
        let (i, o) = (d.total_in() as usize, d.total_out() as usize);
        match d.decompress(&input[i..], &mut out[o..], zlib_rs::InflateFlush::NoFlush) {
            Ok(zlib_rs::Status::StreamEnd) => {
                out.truncate(d.total_out() as usize);
                return Some(out);
            }
            Ok(_) if d.total_out() as usize == out.len() && out.len() < LIMIT => {
                let grow = out.len().min(LIMIT - out.len());
                out.resize(out.len() + grow, 0);
            }
            Ok(_) if d.total_in() as usize == i && d.total_out() as usize == o => return None,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// The pinned zlib's inflate with one reused stream (what `zlib_decompress_capped_system` does).
fn zlib_inflate_reused(_d: &mut Decompress, input: &[u8]) -> Option<Vec<u8>> {
    waxseal::compress::zlib_decompress_capped_system(input, LIMIT).ok()
}

fn inputs() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    vec![
        ("token-65", vec![TOKEN_65.to_vec()]),
        ("cookie-112", vec![COOKIE_112.to_vec()]),
        ("varied-sessions", varied_sessions()),
        ("json-300", vec![records(300)]),
        ("json-1000", vec![records(1000)]),
        ("json-4000", vec![records(4000)]),
    ]
}

/// Runs `f` over `set`, one input per iteration, cycling.
fn cycle<'a, T: 'a, F: FnMut(&'a [u8]) -> T + 'a>(
    set: &'a [Vec<u8>],
    mut f: F,
) -> impl FnMut() -> T + 'a {
    let mut i = 0;
    move || {
        i = (i + 1) % set.len();
        f(black_box(&set[i]))
    }
}

fn bench_deflate(c: &mut Criterion) {
    let mut group = c.benchmark_group("deflate");
    let mut zlib = ReusedZlibDeflate(Compress::new(Compression::new(6), true));
    for (name, set) in inputs() {
        for input in &set {
            // The comparison is only meaningful while both produce the same bytes.
            assert_eq!(zlib_compress(input), zlib.compress(input), "{name}");
        }
        group.bench_function(BenchmarkId::new("waxseal", name), |b| {
            b.iter(cycle(&set, zlib_compress))
        });
        group.bench_function(BenchmarkId::new("zlib-reused", name), |b| {
            b.iter(cycle(&set, |x| zlib.compress(x)))
        });
    }
    group.finish();
}

fn bench_inflate(c: &mut Criterion) {
    let mut group = c.benchmark_group("inflate");
    let mut zlib = Decompress::new(true);
    let mut libdeflate = libdeflater::Decompressor::new();
    let mut zrs = zlib_rs::Inflate::new(true, 15);
    for (name, set) in inputs() {
        let packed: Vec<Vec<u8>> = set.iter().map(|p| zlib_compress(p)).collect();
        for (p, z) in set.iter().zip(&packed) {
            let want = Some(p.clone());
            assert_eq!(zlib_decompress_capped(z, LIMIT).ok(), want, "{name}");
            assert_eq!(libdeflate_capped(&mut libdeflate, z), want, "{name}");
            assert_eq!(zlib_rs_capped(&mut zrs, z), want, "{name}");
            assert_eq!(zlib_inflate_reused(&mut zlib, z), want, "{name}");
        }
        group.bench_function(BenchmarkId::new("waxseal", name), |b| {
            b.iter(cycle(&packed, |z| zlib_decompress_capped(z, LIMIT)))
        });
        group.bench_function(BenchmarkId::new("zlib-reused", name), |b| {
            b.iter(cycle(&packed, |z| zlib_inflate_reused(&mut zlib, z)))
        });
        group.bench_function(BenchmarkId::new("libdeflate", name), |b| {
            b.iter(cycle(&packed, |z| libdeflate_capped(&mut libdeflate, z)))
        });
        group.bench_function(BenchmarkId::new("zlib-rs", name), |b| {
            b.iter(cycle(&packed, |z| zlib_rs_capped(&mut zrs, z)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench_deflate, bench_inflate
}
criterion_main!(benches);
