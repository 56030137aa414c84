//! Differential fuzzing of the own deflate port against the pinned zlib (level 6, the stream
//! Python's `zlib.compress` writes): for any input, `zlib_compress_own` must return exactly the
//! bytes `zlib_compress_reference` returns, and the stream must inflate back to the input.
//!
//! The first byte picks how the rest is used, so the fuzzer reaches the port's hard paths, not
//! only random literals:
//! - the bytes as they are (mostly literals);
//! - the bytes mapped onto a small alphabet (long matches, lazy-match decisions, deep chains);
//! - the bytes as (length, byte) runs (long runs, distance-1 matches, length 258);
//! - the bytes repeated to fill up to `OWN_IMPL_MAX_LEN` (the symbol-buffer flush and the
//!   second block near the port's size limit).
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::compress::{
    zlib_compress_own, zlib_compress_reference, zlib_decompress_capped, OWN_IMPL_MAX_LEN,
};

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let input: Vec<u8> = match mode % 4 {
        0 => rest.to_vec(),
        1 => {
            let alphabet = b"{}[]\":,ab01 ";
            let size = usize::from(mode >> 2) % alphabet.len() + 1;
            rest.iter()
                .map(|b| alphabet[usize::from(*b) % size])
                .collect()
        }
        2 => rest
            .chunks_exact(2)
            .flat_map(|p| std::iter::repeat(p[1]).take(usize::from(p[0]) * 3 + 1))
            .collect(),
        _ if rest.is_empty() => return,
        _ => rest
            .iter()
            .copied()
            .cycle()
            .take(OWN_IMPL_MAX_LEN - usize::from(mode >> 2))
            .collect(),
    };
    let input = &input[..input.len().min(OWN_IMPL_MAX_LEN)];
    let own = zlib_compress_own(input).expect("input within OWN_IMPL_MAX_LEN");
    assert_eq!(own, zlib_compress_reference(input), "input {input:02x?}");
    assert_eq!(
        zlib_decompress_capped(&own, input.len()).as_deref(),
        Ok(input)
    );
});
