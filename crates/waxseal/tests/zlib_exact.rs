//! `zlib_compress` must be byte-identical to stock zlib at level 6 (what Python's
//! `zlib.compress` and therefore itsdangerous produce), and `zlib_decompress_capped` must refuse
//! oversized, truncated and corrupt streams without panicking.
//!
//! The reference is the pinned zlib (`libz-sys` built from its bundled source, statically linked;
//! `linked_zlib_is_the_pinned_release` checks the release) and, through `zlib_oracle.py`, the
//! zlib the interop Python links (`compression_matches_python_zlib` checks that the claim covers
//! its release).

use flate2::{Compress, Compression, FlushCompress, Status};
use proptest::prelude::*;
use waxseal::compress::PINNED_ZLIB_VERSION;
use waxseal::compress::{
    compress_if_smaller, zlib_compress, zlib_decompress_capped, DecompressError, OWN_IMPL_MAX_LEN,
};
use waxseal_interop::{hex, json, oracle, XorShift};

/// The pinned zlib at level 6, windowBits 15, memLevel 8, default strategy, Z_FINISH.
fn reference(input: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(6), true);
    let mut out = Vec::with_capacity(input.len() + input.len() / 100 + 64);
    loop {
        let consumed = c.total_in() as usize;
        match c
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Finish)
            .expect("deflate")
        {
            Status::StreamEnd => return out,
            _ => out.reserve(out.capacity()),
        }
    }
}

fn assert_same(input: &[u8]) {
    let ours = zlib_compress(input);
    let theirs = reference(input);
    if ours != theirs {
        let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        panic!(
            "mismatch for input of {} bytes (first difference at {first:?}, ours {} vs zlib {} \
             bytes); input starts {:02x?}",
            input.len(),
            ours.len(),
            theirs.len(),
            &input[..input.len().min(64)]
        );
    }
}

/// `len` bytes whose symbol frequencies follow the Fibonacci sequence over `symbols` letters:
/// the optimal Huffman tree is a "vine" deeper than 15 levels, forcing zlib's length fix-up.
fn fibonacci_text(symbols: usize, len: usize, seed: u64) -> Vec<u8> {
    let mut weights = vec![1u64, 1];
    while weights.len() < symbols {
        let n = weights.len();
        weights.push(weights[n - 1] + weights[n - 2]);
    }
    let total: u64 = weights.iter().sum();
    let mut rng = XorShift::new(seed);
    (0..len)
        .map(|_| {
            let mut r = rng.below(total);
            let mut sym = 0;
            while r >= weights[sym] {
                r -= weights[sym];
                sym += 1;
            }
            // Spread symbols over the byte range so both 8- and 9-bit fixed codes occur.
            (sym * 7 % 256) as u8
        })
        .collect()
}

/// The zlib the tests compare against and the large-input path calls must be the one the claim
/// names: `libz-sys` builds it from its bundled source and links it statically, so a machine's
/// own zlib (or a zlib-ng in compat mode) cannot slip in. A different release fails here, loudly.
#[test]
#[allow(unsafe_code)]
fn linked_zlib_is_the_pinned_release() {
    // SAFETY: zlibVersion() takes no arguments and returns a pointer to a static NUL-terminated
    // string inside the library (zlib.h: `const char *zlibVersion(void)`).
    let linked = unsafe { std::ffi::CStr::from_ptr(libz_sys::zlibVersion()) };
    assert_eq!(
        linked.to_str().expect("ASCII version"),
        PINNED_ZLIB_VERSION,
        "the linked zlib is not the pinned release; is LIBZ_SYS_STATIC=0 set, or did libz-sys \
         change its bundled zlib? Update PINNED_ZLIB_VERSION only after the Python comparison \
         (compression_matches_python_zlib) passes with the new release"
    );
}

#[test]
fn empty_and_single_byte_inputs_match_zlib() {
    assert_same(b"");
    for b in 0..=255u8 {
        assert_same(&[b]);
        assert_same(&[b, b]);
        assert_same(&[b, b, b]);
        assert_same(&[b; 4]);
    }
}

#[test]
fn short_repeats_and_long_runs_match_zlib() {
    for n in 0..=1100 {
        assert_same(&vec![b'a'; n]);
        assert_same(&b"abc".repeat(n / 3 + 1)[..n]);
        assert_same(&vec![0u8; n]);
    }
    for n in [
        255, 256, 257, 258, 259, 260, 261, 262, 263, 515, 516, 517, 4095, 4096, 4097, 4099, 8191,
        16381, 16382, 16383, 16384, 16385, 20000,
    ] {
        assert_same(&vec![b'z'; n]);
        assert_same(&b"0123456789".repeat(n / 10 + 1)[..n]);
    }
}

#[test]
fn block_type_choices_match_zlib() {
    // Stored: incompressible bytes. Fixed: short text. Dynamic: long skewed text.
    let mut rng = XorShift::new(42);
    for n in [1, 2, 5, 10, 20, 50, 64, 100, 200, 500, 1000, 5000, 16384] {
        let random: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        assert_same(&random);
        let texty: Vec<u8> = (0..n)
            .map(|_| b"etaoin shrdlu"[rng.below(13) as usize])
            .collect();
        assert_same(&texty);
        // Mostly random with a few repeats: sits near the stored/fixed/dynamic thresholds.
        let mut mixed = random.clone();
        for i in (16..n).step_by(37) {
            mixed[i] = mixed[i - 16];
        }
        assert_same(&mixed);
    }
}

#[test]
fn huffman_length_limit_fixup_matches_zlib() {
    for symbols in [17, 20, 23, 25] {
        for len in [2000, 5000, 8000, 16384] {
            assert_same(&fibonacci_text(
                symbols,
                len,
                symbols as u64 * 7919 + len as u64,
            ));
        }
    }
    // Deep distance tree: Fibonacci-distributed distances between repeated 3-byte chunks.
    let mut rng = XorShift::new(7);
    let mut data = Vec::new();
    while data.len() < 12000 {
        let k = fibonacci_text(22, 1, rng.next_u64())[0] as usize;
        data.extend_from_slice(&[
            rng.next_u64() as u8,
            rng.next_u64() as u8,
            rng.next_u64() as u8,
        ]);
        if data.len() > k + 8 {
            let start = data.len() - k - 4;
            let chunk = data[start..start + 4].to_vec();
            data.extend_from_slice(&chunk);
        }
    }
    assert_same(&data);
}

#[test]
fn symbol_buffer_flush_near_own_impl_limit_matches_zlib() {
    // 16383 symbols fill zlib's sym_buf and force a second block; random bytes are all literals.
    let mut rng = XorShift::new(99);
    for n in (OWN_IMPL_MAX_LEN - 4)..=(OWN_IMPL_MAX_LEN + 4) {
        let random: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        assert_same(&random);
        let mut mostly_random = random.clone();
        let len = mostly_random.len();
        mostly_random[len - 3..].copy_from_slice(b"xyz");
        mostly_random[100..103].copy_from_slice(b"xyz");
        assert_same(&mostly_random);
        let lowalpha: Vec<u8> = (0..n).map(|_| b'a' + rng.below(4) as u8).collect();
        assert_same(&lowalpha);
    }
}

#[test]
fn many_json_like_inputs_match_zlib() {
    let mut rng = XorShift::new(2024);
    let words: [&[u8]; 12] = [
        b"{\"",
        b"\":",
        b"\"user_id\"",
        b"42",
        b",",
        b"}",
        b"[",
        b"]",
        b"\"_fresh\"",
        b"true",
        b"\"csrf_token\"",
        b"\"a3f9c2\"",
    ];
    for _ in 0..3000 {
        let target = rng.below(700) as usize;
        let mut s = Vec::new();
        while s.len() < target {
            if rng.below(4) == 0 {
                s.push(b' ' + rng.below(90) as u8);
            } else {
                s.extend_from_slice(words[rng.below(words.len() as u64) as usize]);
            }
        }
        assert_same(&s);
    }
}

fn json_like() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(b"{}[]\":,abc0123 ".to_vec()), 0..2000)
}

fn runs() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((any::<u8>(), 1usize..600), 0..40).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(b, n)| std::iter::repeat(b).take(n))
            .collect()
    })
}

/// Chunks copied from earlier in the buffer at random distances: exercises chains and lazy
/// matching at every length and distance.
fn copies() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(any::<u8>(), 1..64),
        prop::collection::vec((1usize..5000, 1usize..300, any::<u8>()), 0..80),
    )
        .prop_map(|(seed, ops)| {
            let mut v = seed;
            for (back, len, lit) in ops {
                let start = v.len().saturating_sub(back);
                for i in 0..len {
                    let b = v[start + i % (v.len() - start)];
                    v.push(b);
                }
                v.push(lit);
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_match_zlib(data in prop::collection::vec(any::<u8>(), 0..3000)) {
        prop_assert_eq!(zlib_compress(&data), reference(&data));
    }

    #[test]
    fn small_alphabet_json_like_text_matches_zlib(data in json_like()) {
        prop_assert_eq!(zlib_compress(&data), reference(&data));
    }

    #[test]
    fn long_runs_match_zlib(data in runs()) {
        prop_assert_eq!(zlib_compress(&data), reference(&data));
    }

    #[test]
    fn back_references_match_zlib(data in copies()) {
        prop_assert_eq!(zlib_compress(&data), reference(&data));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn lengths_across_the_fallback_boundary_match_zlib(
        len in 0usize..=20000,
        alphabet in 2u8..=255,
        seed in any::<u64>(),
    ) {
        let mut rng = XorShift::new(seed | 1);
        let data: Vec<u8> = (0..len).map(|_| rng.below(u64::from(alphabet)) as u8).collect();
        prop_assert_eq!(zlib_compress(&data), reference(&data));
    }

    #[test]
    fn compressed_output_round_trips(data in json_like()) {
        let packed = zlib_compress(&data);
        prop_assert_eq!(zlib_decompress_capped(&packed, data.len()).unwrap(), data);
    }

    #[test]
    fn decompressing_arbitrary_bytes_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = zlib_decompress_capped(&data, 1 << 16);
        let mut with_header = vec![0x78, 0x9c];
        with_header.extend_from_slice(&data);
        let _ = zlib_decompress_capped(&with_header, 1 << 16);
    }
}

#[test]
fn compression_matches_python_zlib() {
    let mut rng = XorShift::new(5);
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"a".to_vec(),
        br#"{"user_id":42,"_fresh":true,"csrf_token":"0f2c9a"}"#.to_vec(),
        vec![b'x'; 300],
        vec![0; OWN_IMPL_MAX_LEN + 1],
        fibonacci_text(23, 6000, 3),
    ];
    for n in [10, 100, 1000, 16383, 16384, 16385, 20000] {
        inputs.push((0..n).map(|_| rng.next_u64() as u8).collect());
        inputs.push(
            (0..n)
                .map(|_| b"{}\":,ab1"[rng.below(8) as usize])
                .collect(),
        );
    }
    let requests: Vec<_> = inputs
        .iter()
        .map(|d| json!({ "data_hex": hex(d) }))
        .collect();
    let Some(answers) = oracle("zlib_oracle.py", &requests) else {
        return;
    };
    for (data, answer) in inputs.iter().zip(answers) {
        let python_zlib = answer["zlib"].as_str().expect("zlib version");
        assert!(
            claim_covers(python_zlib),
            "Python links zlib {python_zlib}, which the byte-identity claim does not cover"
        );
        let want = answer["compressed_hex"].as_str().expect("compressed_hex");
        assert_eq!(
            hex(&zlib_compress(data)),
            want,
            "input of {} bytes",
            data.len()
        );
    }
}

/// The claim in `compress/mod.rs`: stock zlib 1.2.12 to 1.3.x (not zlib-ng, whose version
/// strings carry a `zlib-ng` suffix and whose deflate picks different matches).
fn claim_covers(version: &str) -> bool {
    let stock = version.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let parts: Vec<u32> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    stock && matches!(parts.as_slice(), [1, 2, 12..=13, ..] | [1, 3, ..])
}

#[test]
fn the_claim_covers_exactly_stock_1_2_12_to_1_3_x() {
    for v in ["1.2.12", "1.2.13", "1.3", "1.3.1", "1.3.2"] {
        assert!(claim_covers(v), "{v}");
    }
    for v in ["1.2.11", "1.2.8", "1.4.0", "1.3.0.zlib-ng", "2.1.6"] {
        assert!(!claim_covers(v), "{v}");
    }
}

#[test]
fn compress_if_smaller_matches_itsdangerous_rule() {
    assert_eq!(compress_if_smaller(b""), None);
    let json = br#"{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
    let packed = compress_if_smaller(json).expect("compressible");
    assert_eq!(packed, reference(json));
}

#[test]
fn zlib_bomb_is_refused_without_inflating_it() {
    let bomb = reference(&vec![0u8; 100_000_000]);
    let start = std::time::Instant::now();
    let limit = 1 << 20;
    assert_eq!(
        zlib_decompress_capped(&bomb, limit),
        Err(DecompressError::TooLarge { limit })
    );
    assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
}

#[test]
fn output_of_exactly_the_limit_is_accepted() {
    let data = vec![7u8; 4096];
    let packed = zlib_compress(&data);
    assert_eq!(zlib_decompress_capped(&packed, 4096).unwrap(), data);
    assert_eq!(
        zlib_decompress_capped(&packed, 4095),
        Err(DecompressError::TooLarge { limit: 4095 })
    );
    assert_eq!(
        zlib_decompress_capped(&zlib_compress(b""), 0).unwrap(),
        Vec::<u8>::new()
    );
}

#[test]
fn truncated_streams_are_reported_as_truncated() {
    let packed = zlib_compress(b"hello world hello world hello world");
    for cut in 0..packed.len() {
        assert_eq!(
            zlib_decompress_capped(&packed[..cut], 1000),
            Err(DecompressError::Truncated),
            "cut at {cut}"
        );
    }
}

#[test]
fn trailing_bytes_after_the_stream_are_ignored_like_python() {
    // Python: zlib.decompress(zlib.compress(b"hello world") + b"xyz") == b"hello world"
    let mut packed = zlib_compress(b"hello world");
    packed.extend_from_slice(b"xyz");
    assert_eq!(
        zlib_decompress_capped(&packed, 100).unwrap(),
        b"hello world"
    );
}

#[test]
fn bad_header_and_bad_checksum_are_corrupt() {
    let packed = zlib_compress(b"hello world");
    let mut bad_header = packed.clone();
    bad_header[1] ^= 1;
    let err = zlib_decompress_capped(&bad_header, 100).unwrap_err();
    assert!(matches!(err, DecompressError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("header"), "{err}");

    let mut bad_sum = packed.clone();
    let last = bad_sum.len() - 1;
    bad_sum[last] ^= 1;
    let err = zlib_decompress_capped(&bad_sum, 100).unwrap_err();
    assert!(matches!(err, DecompressError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("check"), "{err}");

    // Raw deflate without the zlib header is not accepted (Python's default wbits=15 agrees).
    let err = zlib_decompress_capped(&packed[2..], 100).unwrap_err();
    assert!(matches!(err, DecompressError::Corrupt(_)), "{err:?}");
}

#[test]
fn random_bytes_never_panic_the_decompressor() {
    let mut rng = XorShift::new(1234);
    for _ in 0..20000 {
        let n = rng.below(64) as usize;
        let mut data: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        if rng.below(2) == 0 && n >= 2 {
            data[0] = 0x78;
            data[1] = 0x9c;
        }
        let _ = zlib_decompress_capped(&data, rng.below(300) as usize);
    }
}

/// itsdangerous's rule applied to real zlib output: compressed iff it saves at least 2 bytes.
fn reference_if_smaller(input: &[u8]) -> Option<Vec<u8>> {
    let z = reference(input);
    (z.len() + 1 < input.len()).then_some(z)
}

#[test]
fn compress_if_smaller_decides_exactly_like_zlib_at_the_break_even_point() {
    // Inputs whose compressed size lands within a few bytes of `len - 1`, both sides of it:
    // a unique prefix (incompressible) followed by a growing repeated tail.
    let mut decided = [0usize; 2];
    let mut rng = XorShift::new(0x2545_f491_4f6c_dd1d);
    for unique in [8usize, 20, 40, 60, 90, 150, 300] {
        for tail in 0..80usize {
            let mut x = rng.bytes(unique);
            x.extend(std::iter::repeat(b"ab\"c".as_slice()).take(tail).flatten());
            let ours = compress_if_smaller(&x);
            assert_eq!(
                ours,
                reference_if_smaller(&x),
                "unique={unique} tail={tail}"
            );
            decided[usize::from(ours.is_some())] += 1;
        }
    }
    assert!(
        decided[0] > 30 && decided[1] > 30,
        "both outcomes exercised: {decided:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn compress_if_smaller_agrees_with_zlib_on_json_like_input(x in json_like()) {
        prop_assert_eq!(compress_if_smaller(&x), reference_if_smaller(&x));
    }

    #[test]
    fn compress_if_smaller_agrees_with_zlib_on_random_bytes(x in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert_eq!(compress_if_smaller(&x), reference_if_smaller(&x));
    }
}
