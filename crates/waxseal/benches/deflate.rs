//! Criterion benches for `zlib_compress` on session-sized JSON, where the zlib port in
//! `compress/deflate.rs` (not the system zlib) does the work.
//!
//! `fixed/*` compresses one payload over and over, as `throughput` does; the CPU then learns the
//! data-dependent branches (Huffman heap, matcher) by heart. `varied` cycles through 256
//! different session-like payloads, which is closer to a server signing a different session per
//! request; compare both before concluding that a change helps.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use waxseal::compress::zlib_compress;

/// itsdangerous' benchmark payload (65 bytes; zlib output is not shorter, so it is not used).
const P65: &[u8] = br#"{"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;
/// Flask's benchmark session with a flashed message (112 bytes; compresses).
const P112: &[u8] = br#"{"_flashes":[{" t":["message","Welcome back"]}],"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;

/// Deterministic xorshift, so the payloads are the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A session with a user id, a token, and sometimes flashed messages or a cart.
fn session(rng: &mut Rng) -> Vec<u8> {
    const WORDS: [&str; 8] = [
        "message",
        "Welcome back",
        "Saved",
        "Profile updated",
        "error",
        "Invalid password",
        "info",
        "See you soon",
    ];
    let mut s = String::from("{");
    if rng.next() % 2 == 0 {
        s += &format!(
            r#""_flashes":[{{" t":["{}","{}"]}}],"#,
            WORDS[(rng.next() % 8) as usize],
            WORDS[(rng.next() % 8) as usize]
        );
    }
    s += &format!(
        r#""_fresh":{},"_user_id":"{}","csrf_token":"{:016x}""#,
        rng.next() % 2 == 0,
        rng.next() % 100_000,
        rng.next()
    );
    if rng.next() % 3 == 0 {
        s += &format!(
            r#","cart":[{},{},{}]"#,
            rng.next() % 1000,
            rng.next() % 1000,
            rng.next() % 1000
        );
    }
    s.push('}');
    s.into_bytes()
}

/// About `len` bytes of a JSON list of small records (compresses well).
fn records(len: usize) -> Vec<u8> {
    let mut s = String::from(r#"{"items":["#);
    let mut i = 0u64;
    while s.len() < len {
        s += &format!(
            r#"{{"id":{},"name":"item{}","tag":"{:x}"}},"#,
            i * 7919 % 10007,
            i,
            i.wrapping_mul(2_654_435_761)
        );
        i += 1;
    }
    s.truncate(len - 2);
    s += "]}";
    s.into_bytes()
}

fn bench_deflate(c: &mut Criterion) {
    let r300 = records(300);
    let r1000 = records(1000);
    for (name, data) in [
        ("fixed/65", P65),
        ("fixed/112", P112),
        ("fixed/300", &r300[..]),
        ("fixed/1000", &r1000[..]),
    ] {
        c.bench_function(name, |b| b.iter(|| zlib_compress(black_box(data))));
    }

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let sessions: Vec<Vec<u8>> = (0..256).map(|_| session(&mut rng)).collect();
    let mut i = 0;
    c.bench_function("varied/sessions", |b| {
        b.iter(|| {
            i = (i + 1) % sessions.len();
            zlib_compress(black_box(&sessions[i]))
        })
    });
}

criterion_group!(benches, bench_deflate);
criterion_main!(benches);
