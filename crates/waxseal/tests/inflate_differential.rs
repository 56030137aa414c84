//! The own inflater (`zlib_decompress_capped_own`) must give exactly what the pinned-zlib path
//! (`zlib_decompress_capped_system`, flate2 over the statically linked zlib the `compress` module
//! pins) gives, for every input and limit: the same bytes, or the same error variant, and for
//! corrupt streams the same `Corruption` reason.
//!
//! Streams come from flate2 (levels 0-9, window sizes 9-15, flushes that make multi-block streams,
//! preset dictionaries), from Python's zlib with the strategies flate2 does
//! not expose (filtered, Huffman-only, RLE, fixed; memLevel 1-9), and from a random DEFLATE
//! encoder below that writes shapes zlib's encoder rarely or never does (15-bit codes, one-symbol
//! and empty distance codes, repeat codes spanning the literal/distance boundary, long stored
//! blocks, length 258 as symbol 284 plus 31). Each valid stream is then truncated, corrupted, bit
//! flipped and given trailing bytes, and decoded with limits at, below and far below its size.

use flate2::{Compress, Compression, FlushCompress, Status};
use proptest::prelude::*;
use std::collections::BTreeMap;
use waxseal::compress::{
    zlib_compress, zlib_decompress_capped, zlib_decompress_capped_own,
    zlib_decompress_capped_system, Corruption, DecompressError, OWN_INFLATE_MAX_LEN,
};
use waxseal_interop::{hex, json, oracle, XorShift};

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/// Decodes with both inflaters, panics (with a reproducer) if they differ, returns the result.
fn same(input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    let system = zlib_decompress_capped_system(input, limit);
    let own = zlib_decompress_capped_own(input, limit);
    if own != system {
        let shown = &input[..input.len().min(256)];
        panic!(
            "own inflater differs from zlib for limit {limit}, input of {} bytes {}{}:\n  own:  {:?}\n  zlib: {:?}",
            input.len(),
            hex(shown),
            if shown.len() < input.len() { "..." } else { "" },
            own.as_ref().map(Vec::len),
            system.as_ref().map(Vec::len),
        );
    }
    system
}

/// Counts outcomes by kind, so tests can show they reached the paths they claim to.
#[derive(Default, Debug)]
struct Seen(BTreeMap<String, usize>);

impl Seen {
    fn note(&mut self, r: &Result<Vec<u8>, DecompressError>) {
        let key = match r {
            Ok(_) => "ok".to_owned(),
            Err(DecompressError::TooLarge { .. }) => "too large".to_owned(),
            Err(DecompressError::Truncated) => "truncated".to_owned(),
            Err(DecompressError::Corrupt(c)) => c.to_string(),
        };
        *self.0.entry(key).or_default() += 1;
    }
    fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

fn limits(n: usize, rng: &mut XorShift) -> Vec<usize> {
    let mut v = vec![
        n,
        n.saturating_sub(1),
        n + 1,
        0,
        1,
        n / 2,
        rng.upto(n),
        usize::MAX,
    ];
    v.sort_unstable();
    v.dedup();
    v
}

/// The full treatment for a valid stream `packed` of `data`: every limit, truncations (all of
/// them when `all_cuts`, else a sample), byte corruptions, bit flips and trailing bytes.
fn torture(packed: &[u8], data: &[u8], rng: &mut XorShift, all_cuts: bool, seen: &mut Seen) {
    for limit in limits(data.len(), rng) {
        let r = same(packed, limit);
        if limit >= data.len() {
            assert_eq!(r.as_deref(), Ok(data), "valid stream must round-trip");
        }
        seen.note(&r);
    }
    let big = data.len() + 1;
    let cuts: Vec<usize> = if all_cuts {
        (0..packed.len()).collect()
    } else {
        (0..24)
            .map(|_| rng.below(packed.len() as u64) as usize)
            .collect()
    };
    for cut in cuts {
        seen.note(&same(&packed[..cut], big));
        seen.note(&same(&packed[..cut], rng.upto(data.len())));
    }
    for _ in 0..24 {
        let mut bad = packed.to_vec();
        let at = rng.below(bad.len() as u64) as usize;
        if rng.coin() {
            bad[at] = rng.next_u64() as u8;
        } else {
            bad[at] ^= 1 << rng.below(8);
        }
        seen.note(&same(&bad, big));
        seen.note(&same(&bad, rng.upto(data.len())));
        // A corruption near the end of a truncated copy.
        let cut = rng.upto(bad.len());
        seen.note(&same(&bad[..cut], big));
    }
    let mut trailing = packed.to_vec();
    trailing.extend((0..rng.upto(16)).map(|_| rng.next_u64() as u8));
    let r = same(&trailing, big);
    assert_eq!(r.as_deref(), Ok(data), "trailing bytes are ignored");
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Random data of several textures: JSON-like, uniform bytes, small alphabets, long runs.
fn sample_data(rng: &mut XorShift, len: usize) -> Vec<u8> {
    match rng.below(5) {
        0 => (0..len).map(|_| rng.next_u64() as u8).collect(),
        1 => (0..len)
            .map(|_| b"{}\":,ab1 _tTrue"[rng.below(15) as usize])
            .collect(),
        2 => {
            let mut v = Vec::with_capacity(len);
            while v.len() < len {
                let b = rng.next_u64() as u8;
                let run = rng.upto(300);
                v.extend(std::iter::repeat(b).take(run.min(len - v.len())));
            }
            v
        }
        3 => {
            let alphabet = 1 + rng.below(6) as u8;
            (0..len)
                .map(|_| b'a' + rng.below(u64::from(alphabet)) as u8)
                .collect()
        }
        _ => json_like(rng, len),
    }
}

/// Text shaped like a Flask session: keys, quoted strings, numbers and booleans.
fn json_like(rng: &mut XorShift, len: usize) -> Vec<u8> {
    const KEYS: [&str; 8] = [
        "_fresh",
        "_user_id",
        "csrf_token",
        "_flashes",
        " t",
        "message",
        "cart",
        "_permanent",
    ];
    let mut s = String::from("{");
    while s.len() < len {
        let key = KEYS[rng.below(KEYS.len() as u64) as usize];
        s.push_str(&format!("\"{key}\":"));
        match rng.below(4) {
            0 => s.push_str(if rng.coin() { "true" } else { "false" }),
            1 => s.push_str(&rng.below(100_000).to_string()),
            2 => s.push_str(&format!("\"{:016x}\"", rng.next_u64())),
            _ => s.push_str(&format!("[\"{key}\",{}]", rng.below(10))),
        }
        s.push(',');
    }
    s.truncate(len);
    s.into_bytes()
}

/// flate2 (the pinned zlib) with the given level and window size, in `chunks` pieces separated by
/// the given flush (Sync adds empty stored blocks, Partial empty fixed ones, Full also forgets
/// the window).
fn flate2_stream(
    data: &[u8],
    level: u32,
    window_bits: u8,
    chunks: usize,
    flush: FlushCompress,
) -> Vec<u8> {
    let mut c = Compress::new_with_window_bits(Compression::new(level), true, window_bits);
    let mut out = Vec::with_capacity(data.len() / 2 + 256);
    let step = (data.len() / chunks.max(1)).max(1);
    let pieces: Vec<&[u8]> = if data.is_empty() {
        vec![data]
    } else {
        data.chunks(step).collect()
    };
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let mode = if last { FlushCompress::Finish } else { flush };
        let mut pos = 0;
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity().max(256));
            }
            let before = c.total_in();
            let status = c
                .compress_vec(&piece[pos..], &mut out, mode)
                .expect("deflate");
            pos += (c.total_in() - before) as usize;
            // deflate is done with a flush when it leaves output space unused.
            let done = if last {
                status == Status::StreamEnd
            } else {
                pos == piece.len() && out.len() < out.capacity()
            };
            if done {
                break;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A random DEFLATE encoder, for stream shapes zlib does not produce
// ---------------------------------------------------------------------------------------------

/// LSB-first bit writer.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn bits(&mut self, v: u32, n: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += n;
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, which DEFLATE sends most significant bit first.
    fn code(&mut self, code: u32, len: u8) {
        if len > 0 {
            let rev = (code as u16).reverse_bits() >> (16 - u32::from(len));
            self.bits(u32::from(rev), u32::from(len));
        }
    }
    fn align(&mut self) {
        if self.n > 0 {
            self.bits(0, 8 - self.n);
        }
    }
    fn finish(mut self) -> Vec<u8> {
        self.align();
        self.bytes
    }
}

/// Canonical codes for `lens` (RFC 1951 3.2.2).
fn canonical(lens: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lens {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for len in 1..16 {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                0
            } else {
                let c = next[usize::from(l)];
                next[usize::from(l)] += 1;
                c
            }
        })
        .collect()
}

/// Random lengths for a complete prefix code (or a single 1-bit code) over `used` symbols out
/// of `total`, at most `max_len` bits; `deep` grows a vine, giving the longest codes allowed.
fn random_lengths(
    rng: &mut XorShift,
    total: usize,
    used: &[usize],
    max_len: u8,
    deep: bool,
) -> Vec<u8> {
    let mut lens = vec![0u8; total];
    if used.len() == 1 {
        lens[used[0]] = 1;
        return lens;
    }
    let mut depths = vec![0u8];
    while depths.len() < used.len() {
        let eligible: Vec<usize> = (0..depths.len()).filter(|&i| depths[i] < max_len).collect();
        let pick = if deep {
            *eligible.iter().max_by_key(|&&i| depths[i]).expect("room")
        } else {
            eligible[rng.below(eligible.len() as u64) as usize]
        };
        depths[pick] += 1;
        depths.push(depths[pick]);
    }
    // Shuffle which symbol gets which depth.
    for i in (1..depths.len()).rev() {
        depths.swap(i, rng.upto(i));
    }
    for (&sym, &d) in used.iter().zip(&depths) {
        lens[sym] = d;
    }
    lens
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const CLEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// One decoded symbol: a literal, or a copy.
#[derive(Clone, Copy)]
enum Op {
    Lit(u8),
    Copy { len: u16, dist: u16, alt258: bool },
}

/// (symbol, extra bits value, extra bit count) for a length.
fn len_symbol(len: u16, alt258: bool) -> (usize, u32, u32) {
    if len == 258 && alt258 {
        return (284, 31, 5);
    }
    let i = LEN_BASE.iter().rposition(|&b| b <= len).expect("len >= 3");
    (
        257 + i,
        u32::from(len - LEN_BASE[i]),
        u32::from(LEN_EXTRA[i]),
    )
}

/// (symbol, extra bits value, extra bit count) for a distance.
fn dist_symbol(dist: u16) -> (usize, u32, u32) {
    let i = DIST_BASE
        .iter()
        .rposition(|&b| b <= dist)
        .expect("dist >= 1");
    (i, u32::from(dist - DIST_BASE[i]), u32::from(DIST_EXTRA[i]))
}

/// Writes `ops` then end-of-block with the given code lengths.
fn write_symbols(w: &mut BitWriter, ops: &[Op], lit_lens: &[u8], dist_lens: &[u8]) {
    let lit_codes = canonical(lit_lens);
    let dist_codes = canonical(dist_lens);
    for &op in ops {
        match op {
            Op::Lit(b) => w.code(lit_codes[usize::from(b)], lit_lens[usize::from(b)]),
            Op::Copy { len, dist, alt258 } => {
                let (s, v, n) = len_symbol(len, alt258);
                w.code(lit_codes[s], lit_lens[s]);
                w.bits(v, n);
                let (s, v, n) = dist_symbol(dist);
                w.code(dist_codes[s], dist_lens[s]);
                w.bits(v, n);
            }
        }
    }
    w.code(lit_codes[256], lit_lens[256]);
}

fn fixed_lit_lens() -> Vec<u8> {
    (0..288)
        .map(|i| match i {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        })
        .collect()
}

/// Writes a dynamic block header for the given lengths, run-length coding them at random.
fn write_dynamic_header(w: &mut BitWriter, rng: &mut XorShift, lit_lens: &[u8], dist_lens: &[u8]) {
    let all: Vec<u8> = lit_lens.iter().chain(dist_lens).copied().collect();
    // (symbol, extra value, extra bits)
    let mut seq: Vec<(usize, u32, u32)> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let run_of = |v: u8, from: usize| all[from..].iter().take_while(|&&x| x == v).count();
        if i > 0 && all[i] == all[i - 1] && run_of(all[i], i) >= 3 && rng.coin() {
            let n = 3 + rng.upto(run_of(all[i], i).min(6) - 3);
            seq.push((16, (n - 3) as u32, 2));
            i += n;
        } else if all[i] == 0 && run_of(0, i) >= 3 && rng.coin() {
            let run = run_of(0, i);
            if run >= 11 && rng.coin() {
                let n = 11 + rng.upto(run.min(138) - 11);
                seq.push((18, (n - 11) as u32, 7));
                i += n;
            } else {
                let n = 3 + rng.upto(run.min(10) - 3);
                seq.push((17, (n - 3) as u32, 3));
                i += n;
            }
        } else {
            seq.push((usize::from(all[i]), 0, 0));
            i += 1;
        }
    }
    let mut used: Vec<usize> = seq.iter().map(|s| s.0).collect();
    used.sort_unstable();
    used.dedup();
    if used.len() == 1 {
        // The code-length code may not be incomplete: give it a second (unused) symbol.
        used.push(if used[0] == 0 { 1 } else { 0 });
    }
    let deep = rng.below(4) == 0;
    let clens = random_lengths(rng, 19, &used, 7, deep);
    let codes = canonical(&clens);
    let mut ncode = 19;
    while ncode > 4 && clens[CLEN_ORDER[ncode - 1]] == 0 {
        ncode -= 1;
    }
    ncode += rng.upto(19 - ncode);
    w.bits((lit_lens.len() - 257) as u32, 5);
    w.bits((dist_lens.len() - 1) as u32, 5);
    w.bits((ncode - 4) as u32, 4);
    for &sym in &CLEN_ORDER[..ncode] {
        w.bits(u32::from(clens[sym]), 3);
    }
    for (sym, v, n) in seq {
        w.code(codes[sym], clens[sym]);
        w.bits(v, n);
    }
}

/// Random operations that extend `out` by about `n` bytes; copies reach back at most 32 KiB.
fn random_ops(rng: &mut XorShift, out: &mut Vec<u8>, n: usize, alphabet: u8) -> Vec<Op> {
    let mut ops = Vec::new();
    let target = out.len() + n;
    while out.len() < target {
        if !out.is_empty() && rng.below(3) == 0 {
            let max_dist = out.len().min(32768);
            let dist = if rng.coin() {
                1 + rng.below(max_dist.min(64) as u64) as usize
            } else {
                1 + rng.below(max_dist as u64) as usize
            };
            let len = if rng.below(8) == 0 {
                258
            } else {
                3 + rng.upto(40)
            };
            for _ in 0..len {
                out.push(out[out.len() - dist]);
            }
            ops.push(Op::Copy {
                len: len as u16,
                dist: dist as u16,
                alt258: rng.coin(),
            });
        } else {
            let b = rng.below(u64::from(alphabet)) as u8;
            out.push(b);
            ops.push(Op::Lit(b));
        }
    }
    ops
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A valid zlib header with window size `cinfo` (0..=7) and a random level field.
fn zlib_header(w: &mut BitWriter, rng: &mut XorShift, cinfo: u32) {
    let cmf = (cinfo << 4) | 8;
    let flevel = rng.below(4) as u32;
    let mut flg = flevel << 6;
    flg += 31 - ((cmf << 8) | flg) % 31;
    w.bits(cmf, 8);
    w.bits(flg, 8);
}

/// A random valid zlib stream of stored, fixed and dynamic blocks; returns it and its output.
fn random_stream(rng: &mut XorShift, max_block: usize) -> (Vec<u8>, Vec<u8>) {
    let mut w = BitWriter::default();
    let cinfo = rng.below(8) as u32;
    zlib_header(&mut w, rng, cinfo);
    let mut out = Vec::new();
    let blocks = 1 + rng.upto(5);
    let alphabet = [2u8, 16, 60, 255][rng.below(4) as usize];
    for b in 0..blocks {
        let last = b + 1 == blocks;
        w.bits(u32::from(last), 1);
        let n = rng.upto(max_block);
        match rng.below(3) {
            0 => {
                w.bits(0, 2);
                w.align();
                let n = n.min(65535);
                w.bits(n as u32, 16);
                w.bits(!n as u32 & 0xffff, 16);
                for _ in 0..n {
                    let byte = rng.next_u64() as u8;
                    out.push(byte);
                    w.bits(u32::from(byte), 8);
                }
            }
            1 => {
                w.bits(1, 2);
                let ops = random_ops(rng, &mut out, n, alphabet);
                write_symbols(&mut w, &ops, &fixed_lit_lens(), &[5; 30]);
            }
            _ => {
                w.bits(2, 2);
                let ops = random_ops(rng, &mut out, n, alphabet);
                let mut lit_used = vec![256];
                let mut dist_used = Vec::new();
                for &op in &ops {
                    match op {
                        Op::Lit(b) => lit_used.push(usize::from(b)),
                        Op::Copy { len, dist, alt258 } => {
                            lit_used.push(len_symbol(len, alt258).0);
                            dist_used.push(dist_symbol(dist).0);
                        }
                    }
                }
                // Sometimes code symbols that never occur too.
                for _ in 0..rng.upto(8) {
                    lit_used.push(rng.below(286) as usize);
                }
                lit_used.sort_unstable();
                lit_used.dedup();
                dist_used.sort_unstable();
                dist_used.dedup();
                let nlen = (lit_used.last().copied().unwrap_or(256) + 1).max(257);
                let nlen = nlen + rng.upto(286 - nlen);
                let deep = rng.below(3) == 0;
                let lit_lens = random_lengths(rng, nlen, &lit_used, 15, deep);
                let dist_lens = if dist_used.is_empty() {
                    // No copies: an empty distance code, or a one-symbol one.
                    let mut v = vec![0u8; 1 + rng.upto(29)];
                    if rng.coin() {
                        v[0] = 1;
                    }
                    v
                } else {
                    let ndist = dist_used.last().copied().unwrap_or(0) + 1;
                    let ndist = ndist + rng.upto(30 - ndist);
                    let deep = deep || rng.coin();
                    random_lengths(rng, ndist, &dist_used, 15, deep)
                };
                write_dynamic_header(&mut w, rng, &lit_lens, &dist_lens);
                write_symbols(&mut w, &ops, &lit_lens, &dist_lens);
            }
        }
    }
    w.align();
    w.bits(adler32(&out).swap_bytes(), 32);
    (w.finish(), out)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn flate2_streams_at_every_level_and_window_size_round_trip_like_zlib() {
    let mut rng = XorShift::new(0x9e37_79b9_7f4a_7c15);
    let mut seen = Seen::default();
    for level in 0..=9 {
        for &len in &[0usize, 1, 2, 57, 110, 300, 1000, 4000, 20000] {
            let data = sample_data(&mut rng, len);
            let window_bits = 9 + rng.below(7) as u8;
            let packed = flate2_stream(&data, level, window_bits, 1, FlushCompress::None);
            torture(&packed, &data, &mut rng, packed.len() <= 400, &mut seen);
        }
    }
    assert!(seen.has("ok") && seen.has("truncated") && seen.has("too large"));
    assert!(seen.has("incorrect data check"), "{seen:?}");
}

#[test]
fn multi_block_streams_from_flushes_match_zlib() {
    let mut rng = XorShift::new(77);
    let mut seen = Seen::default();
    let flushes = [
        FlushCompress::Sync,
        FlushCompress::Full,
        FlushCompress::Partial,
        FlushCompress::None,
    ];
    for round in 0..120 {
        let len = rng.upto(if round % 4 == 0 { 20000 } else { 3000 });
        let data = sample_data(&mut rng, len);
        let level = rng.below(10) as u32;
        let flush = flushes[round % flushes.len()];
        let chunks = 2 + rng.upto(6);
        let packed = flate2_stream(&data, level, 15, chunks, flush);
        torture(&packed, &data, &mut rng, packed.len() <= 200, &mut seen);
    }
    assert!(seen.has("ok") && seen.has("truncated"), "{seen:?}");
}

#[test]
fn waxseal_compressed_json_round_trips_like_zlib() {
    let mut rng = XorShift::new(4242);
    let mut seen = Seen::default();
    for _ in 0..200 {
        let len = rng.upto(3000);
        let data = json_like(&mut rng, len);
        let packed = zlib_compress(&data);
        torture(&packed, &data, &mut rng, packed.len() <= 300, &mut seen);
    }
}

#[test]
fn python_strategy_streams_match_zlib() {
    let mut rng = XorShift::new(31337);
    let strategies = [
        "Z_DEFAULT_STRATEGY",
        "Z_FILTERED",
        "Z_HUFFMAN_ONLY",
        "Z_RLE",
        "Z_FIXED",
    ];
    let mut inputs = Vec::new();
    let mut requests = Vec::new();
    for (i, strategy) in strategies.iter().cycle().take(60).enumerate() {
        let len = if i % 6 == 0 {
            rng.upto(20000)
        } else {
            rng.upto(2000)
        };
        let data = sample_data(&mut rng, len);
        requests.push(json!({
            "data_hex": hex(&data),
            "level": rng.below(10),
            "wbits": 9 + rng.below(7),
            "mem_level": 1 + rng.below(9),
            "strategy": strategy,
        }));
        inputs.push(data);
    }
    let Some(answers) = oracle("zlib_strategy_oracle.py", &requests) else {
        return;
    };
    let mut seen = Seen::default();
    for (data, answer) in inputs.iter().zip(answers) {
        let packed_hex = answer["compressed_hex"].as_str().expect("compressed_hex");
        let packed: Vec<u8> = (0..packed_hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&packed_hex[i..i + 2], 16).expect("hex"))
            .collect();
        torture(&packed, data, &mut rng, packed.len() <= 200, &mut seen);
    }
}

#[test]
fn random_encoder_streams_with_long_incomplete_and_repeat_codes_match_zlib() {
    let mut rng = XorShift::new(0xdead_beef);
    let mut seen = Seen::default();
    for round in 0..3000 {
        let max_block = if round % 50 == 0 { 20000 } else { 400 };
        let (packed, data) = random_stream(&mut rng, max_block);
        torture(&packed, &data, &mut rng, packed.len() <= 120, &mut seen);
    }
    // The mutations must have reached the decoder's error paths, not just the header checks.
    for msg in [
        "invalid block type",
        "invalid stored block lengths",
        "invalid code lengths set",
        "invalid bit length repeat",
        "invalid literal/lengths set",
        "invalid distances set",
        "invalid literal/length code",
        "invalid distance code",
        "invalid distance too far back",
        "incorrect data check",
        "incorrect header check",
        "too large",
        "truncated",
    ] {
        assert!(seen.has(msg), "never saw {msg:?}: {seen:?}");
    }
}

#[test]
fn every_prefix_of_streams_up_to_2_kib_matches_zlib() {
    let mut rng = XorShift::new(99);
    for level in [0, 1, 6, 9] {
        let data = sample_data(&mut rng, 1500);
        let packed = flate2_stream(&data, level, 15, 1, FlushCompress::None);
        assert!(packed.len() <= 2048);
        for cut in 0..=packed.len() {
            let r = same(&packed[..cut], usize::MAX);
            assert_eq!(r.is_ok(), cut == packed.len(), "cut {cut}");
        }
    }
    let (packed, _) = random_stream(&mut XorShift::new(5), 600);
    for cut in 0..packed.len() {
        assert_eq!(
            same(&packed[..cut], usize::MAX),
            Err(DecompressError::Truncated)
        );
    }
}

#[test]
fn random_garbage_with_and_without_a_zlib_header_matches_zlib() {
    let mut rng = XorShift::new(2024);
    let mut seen = Seen::default();
    for i in 0..200_000 {
        let n = rng.upto(if i % 10 == 0 { 2000 } else { 80 });
        let mut data: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        if rng.below(4) != 0 && n >= 2 {
            let header = [[0x78, 0x9c], [0x78, 0x01], [0x78, 0xda], [0x08, 0x1d]];
            data[..2].copy_from_slice(&header[rng.below(4) as usize]);
        }
        let limit = if rng.coin() { rng.upto(300) } else { 1 << 20 };
        seen.note(&same(&data, limit));
    }
    for msg in [
        "incorrect header check",
        "unknown compression method",
        "invalid window size",
        "needs a preset dictionary",
        "invalid block type",
        "invalid stored block lengths",
        "too many length or distance symbols",
        "invalid code lengths set",
        "invalid distance too far back",
        "truncated",
    ] {
        assert!(seen.has(msg), "never saw {msg:?}: {seen:?}");
    }
}

#[test]
fn trailing_bytes_after_the_stream_are_ignored_like_zlib() {
    let mut rng = XorShift::new(8);
    for len in [0, 1, 10, 100, 1000] {
        let data = sample_data(&mut rng, len);
        for level in [0, 1, 6] {
            let mut packed = flate2_stream(&data, level, 15, 1, FlushCompress::None);
            for extra in [&b""[..], b"\0", b"xyz", &[0xff; 40]] {
                let mut with = packed.clone();
                with.extend_from_slice(extra);
                assert_eq!(same(&with, len).as_deref(), Ok(&data[..]));
            }
            // A second zlib stream after the first is ignored too.
            packed.extend_from_slice(&zlib_compress(b"second"));
            assert_eq!(same(&packed, len).as_deref(), Ok(&data[..]));
        }
    }
}

#[test]
fn limits_exactly_at_one_below_and_far_below_the_output_size_match_zlib() {
    let mut rng = XorShift::new(12);
    for len in [1usize, 2, 3, 200, 257, 258, 259, 1000, 4096, 40000, 70000] {
        for level in [0, 1, 6, 9] {
            let data = sample_data(&mut rng, len);
            let packed = flate2_stream(&data, level, 15, 1, FlushCompress::None);
            assert_eq!(same(&packed, len).as_deref(), Ok(&data[..]));
            assert_eq!(
                same(&packed, len - 1),
                Err(DecompressError::TooLarge { limit: len - 1 })
            );
            for limit in [0, 1, len / 3, len.saturating_sub(300)] {
                if limit < len {
                    assert_eq!(
                        same(&packed, limit),
                        Err(DecompressError::TooLarge { limit })
                    );
                }
            }
        }
    }
}

#[test]
fn output_of_limit_plus_one_then_a_bad_checksum_is_corrupt_like_zlib() {
    // zlib fills its limit+1 buffer and keeps decoding until it needs more room: if the stream
    // ends there, it still checks the checksum, so a bad one wins over "too large".
    let data = b"hello hello hello hello";
    let mut packed = zlib_compress(data);
    let last = packed.len() - 1;
    packed[last] ^= 0x40;
    let limit = data.len() - 1;
    assert_eq!(
        same(&packed, limit),
        Err(DecompressError::Corrupt(Corruption::DataCheck))
    );
    assert_eq!(
        same(&packed, limit - 1),
        Err(DecompressError::TooLarge { limit: limit - 1 })
    );
}

/// A stream of a zlib header, `body` bits (value, count) and nothing else.
fn crafted(body: &[(u32, u32)]) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(0x78, 8);
    w.bits(0x9c, 8);
    for &(v, n) in body {
        w.bits(v, n);
    }
    w.finish()
}

#[test]
fn each_zlib_error_message_is_reproduced_only_once_zlib_has_read_its_bits() {
    let corrupt = |c: Corruption| Err(DecompressError::Corrupt(c));
    // Checks the whole stream, then every prefix: zlib reports the error only when it has read
    // every bit the check needs, and "truncated" (or "too large") before that.
    let same = |input: &[u8], limit: usize| {
        for cut in 0..input.len() {
            let _ = same(&input[..cut], limit);
        }
        same(input, limit)
    };
    // Header checks, in zlib's order.
    assert_eq!(same(&[0x78, 0x9d], 9), corrupt(Corruption::HeaderCheck));
    assert_eq!(same(&[0x77, 0x85], 9), corrupt(Corruption::UnknownMethod));
    assert_eq!(
        same(&[0x88, 0x98], 9),
        corrupt(Corruption::InvalidWindowSize)
    );
    assert_eq!(
        same(&[0x78, 0xbb, 0, 0, 0, 1], 9),
        corrupt(Corruption::NeedsDictionary)
    );
    // The dictionary id must be complete before zlib asks for the dictionary.
    assert_eq!(
        same(&[0x78, 0xbb, 0, 0, 0], 9),
        Err(DecompressError::Truncated)
    );
    // Block type 3.
    assert_eq!(
        same(&crafted(&[(1, 1), (3, 2)]), 9),
        corrupt(Corruption::InvalidBlockType)
    );
    // Stored block with NLEN != ~LEN.
    assert_eq!(
        same(&crafted(&[(1, 1), (0, 2), (0, 5), (5, 16), (5, 16)]), 9),
        corrupt(Corruption::InvalidStoredLengths)
    );
    // HLIT = 30 (287 codes).
    assert_eq!(
        same(
            &crafted(&[(1, 1), (2, 2), (30, 5), (0, 5), (0, 4), (0, 32)]),
            9
        ),
        corrupt(Corruption::TooManySymbols)
    );
    // HDIST = 31 (32 codes).
    assert_eq!(
        same(
            &crafted(&[(1, 1), (2, 2), (0, 5), (31, 5), (0, 4), (0, 32)]),
            9
        ),
        corrupt(Corruption::TooManySymbols)
    );
    // Code-length code: four lengths of 1 (over-subscribed).
    assert_eq!(
        same(
            &crafted(&[(1, 1), (2, 2), (0, 5), (0, 5), (0, 4), (0x249, 12), (0, 32)]),
            9
        ),
        corrupt(Corruption::InvalidCodeLengthsSet)
    );
    // Code-length code with a single 1-bit code (incomplete: allowed for other codes, not this).
    assert_eq!(
        same(
            &crafted(&[
                (1, 1),
                (2, 2),
                (0, 5),
                (0, 5),
                (0, 4),
                (1, 3),
                (0, 9),
                (0, 32)
            ]),
            9
        ),
        corrupt(Corruption::InvalidCodeLengthsSet)
    );
    // All code-length lengths zero: zlib decodes every length as 0 at one bit each, then finds
    // no end-of-block code (if the input lasts that long).
    let zeros = crafted(&[
        (1, 1),
        (2, 2),
        (0, 5),
        (0, 5),
        (0, 4),
        (0, 12),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
        (0, 32),
    ]);
    assert_eq!(same(&zeros, 9), corrupt(Corruption::MissingEndOfBlock));
    assert_eq!(same(&zeros[..20], 9), Err(DecompressError::Truncated));
    // Code-length code: symbols 0, 16, 17, 18 get 2-bit codes 00, 01, 10, 11 (sent as the
    // reversed values 0, 2, 1, 3); HCLEN order starts 16, 17, 18, 0.
    let header = [
        (1, 1),
        (2, 2),
        (0, 5),
        (0, 5),
        (0, 4),
        (2, 3),
        (2, 3),
        (2, 3),
        (2, 3),
    ];
    let (zero, rep16, rep17, rep18) = ((0, 2), (2, 2), (1, 2), (3, 2));
    // Repeat-previous (16) as the very first length.
    let mut body = header.to_vec();
    body.extend([rep16, (0, 2), (0, 32)]);
    assert_eq!(
        same(&crafted(&body), 9),
        corrupt(Corruption::InvalidBitLengthRepeat)
    );
    // 18 repeating 138 zeros twice overflows the 258 lengths.
    let mut body = header.to_vec();
    body.extend([rep18, (127, 7), rep18, (127, 7), (0, 32)]);
    assert_eq!(
        same(&crafted(&body), 9),
        corrupt(Corruption::InvalidBitLengthRepeat)
    );
    // 17 overflowing by one: 138 + 117 zeros, then 17 with 4.
    let mut body = header.to_vec();
    body.extend([rep18, (127, 7), rep18, (106, 7), rep17, (1, 3), (0, 32)]);
    assert_eq!(
        same(&crafted(&body), 9),
        corrupt(Corruption::InvalidBitLengthRepeat)
    );
    // 138 + 119 zeros and one more 0: all 258 lengths zero, so symbol 256 has no code.
    let mut body = header.to_vec();
    body.extend([rep18, (127, 7), rep18, (108, 7), zero, (0, 32)]);
    assert_eq!(
        same(&crafted(&body), 9),
        corrupt(Corruption::MissingEndOfBlock)
    );

    // Fixed block: literal/length symbol 286 (11000110) and distance symbol 30 (11110).
    let rev = |code: u32, len: u32| (code as u16).reverse_bits() as u32 >> (16 - len);
    assert_eq!(
        same(
            &crafted(&[(1, 1), (1, 2), (rev(0b1100_0110, 8), 8), (0, 32)]),
            9
        ),
        corrupt(Corruption::InvalidLiteralLengthCode)
    );
    // Length 3 (symbol 257, code 0000001) then distance symbol 30.
    assert_eq!(
        same(
            &crafted(&[(1, 1), (1, 2), (rev(1, 7), 7), (rev(30, 5), 5), (0, 32)]),
            9
        ),
        corrupt(Corruption::InvalidDistanceCode)
    );
    // Literal 'a' then length 3 at distance 2: too far back.
    assert_eq!(
        same(
            &crafted(&[
                (1, 1),
                (1, 2),
                (rev(0x30 + 97, 8), 8),
                (rev(1, 7), 7),
                (rev(1, 5), 5),
                (0, 32)
            ]),
            9
        ),
        corrupt(Corruption::DistanceTooFarBack)
    );
    // ... but with no room left for output, zlib never gets to check the distance.
    assert_eq!(
        same(
            &crafted(&[
                (1, 1),
                (1, 2),
                (rev(0x30 + 97, 8), 8),
                (rev(1, 7), 7),
                (rev(1, 5), 5),
                (0, 32)
            ]),
            0
        ),
        Err(DecompressError::TooLarge { limit: 0 })
    );
    // Checksum.
    let mut packed = zlib_compress(b"abc");
    let last = packed.len() - 1;
    packed[last] ^= 1;
    assert_eq!(same(&packed, 9), corrupt(Corruption::DataCheck));
}

#[test]
fn preset_dictionary_streams_are_corrupt_like_zlib() {
    let mut c = Compress::new(Compression::new(6), true);
    c.set_dictionary(b"a shared dictionary")
        .expect("dictionary");
    let mut packed = Vec::with_capacity(256);
    c.compress_vec(
        b"a shared dictionary, used",
        &mut packed,
        FlushCompress::Finish,
    )
    .expect("deflate");
    for cut in 0..=packed.len() {
        let r = same(&packed[..cut], 100);
        if cut >= 6 {
            assert_eq!(
                r,
                Err(DecompressError::Corrupt(Corruption::NeedsDictionary))
            );
        } else {
            assert_eq!(r, Err(DecompressError::Truncated));
        }
    }
}

#[test]
fn the_public_entry_point_matches_zlib_on_both_sides_of_the_cut_over() {
    // Which inflater runs depends on the input length; trailing bytes (ignored) set it.
    let data = json_like(&mut XorShift::new(3), 500);
    let packed = zlib_compress(&data);
    for len in [
        OWN_INFLATE_MAX_LEN - 1,
        OWN_INFLATE_MAX_LEN,
        OWN_INFLATE_MAX_LEN + 1,
    ] {
        let mut input = packed.clone();
        input.resize(len, 0xa5);
        for limit in [0, 499, 500, usize::MAX] {
            assert_eq!(zlib_decompress_capped(&input, limit), same(&input, limit));
        }
        let cut = &packed[..packed.len() - 1];
        assert_eq!(
            zlib_decompress_capped(cut, 500),
            Err(DecompressError::Truncated)
        );
    }
}

#[test]
fn a_zlib_bomb_is_refused_quickly_by_the_own_inflater() {
    let bomb = flate2_stream(&vec![0u8; 50_000_000], 9, 15, 1, FlushCompress::None);
    let start = std::time::Instant::now();
    let limit = 1 << 20;
    assert_eq!(
        zlib_decompress_capped_own(&bomb, limit),
        Err(DecompressError::TooLarge { limit })
    );
    assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn own_inflater_agrees_with_zlib_on_mutated_streams(
        seed in any::<u64>(),
        len in 0usize..3000,
        level in 0u32..=9,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 0..4),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
        limit_choice in 0u8..4,
        limit_pick in any::<prop::sample::Index>(),
    ) {
        let mut rng = XorShift::new(seed | 1);
        let data = sample_data(&mut rng, len);
        let mut packed = flate2_stream(&data, level, 15, 1, FlushCompress::None);
        for (at, byte, flip) in edits {
            let i = at.index(packed.len());
            if flip { packed[i] ^= 1 << (byte & 7); } else { packed[i] = byte; }
        }
        if do_cut {
            packed.truncate(cut.index(packed.len() + 1));
        }
        let limit = match limit_choice {
            0 => usize::MAX,
            1 => data.len(),
            2 => data.len().saturating_sub(1),
            _ => limit_pick.index(data.len() + 1),
        };
        let _ = same(&packed, limit);
    }

    #[test]
    fn own_inflater_agrees_with_zlib_on_arbitrary_bytes(
        data in prop::collection::vec(any::<u8>(), 0..300),
        header in any::<bool>(),
        limit in 0usize..2000,
    ) {
        let mut input = if header { vec![0x78, 0x9c] } else { Vec::new() };
        input.extend_from_slice(&data);
        let _ = same(&input, limit);
    }
}
