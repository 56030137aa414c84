//! Differential fuzzing of the own zlib inflater against the pinned-zlib path: for any input and
//! limit, `zlib_decompress_capped_own` must return exactly what `zlib_decompress_capped_system`
//! returns (the same bytes, or the same error variant and zlib's message), and the public
//! `zlib_decompress_capped` must agree with both.
//!
//! The first byte picks how the rest is used, so the fuzzer reaches deep into valid streams as
//! well as into garbage:
//! - raw bytes as the zlib stream;
//! - a valid zlib header followed by the bytes (random block headers and Huffman code
//!   descriptions);
//! - the bytes compressed by `zlib_compress`, then edited by a few (position, xor) pairs taken
//!   from the input and possibly truncated (valid streams with small corruptions).
//!
//! The next two bytes pick the limit: small limits, limits near the output size (where zlib's
//! "fill the buffer, then keep going until more room is needed" behaviour matters) or none.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::compress::{
    zlib_compress, zlib_decompress_capped, zlib_decompress_capped_own,
    zlib_decompress_capped_system,
};

fuzz_target!(|data: &[u8]| {
    let [mode, l0, l1, rest @ ..] = data else {
        return;
    };
    let limit_bits = usize::from(u16::from_le_bytes([*l0, *l1]));
    // For streams we made: the plain text, and whether the stream is unedited.
    let (stream, plain): (Vec<u8>, Option<(&[u8], bool)>) = match mode % 3 {
        0 => (rest.to_vec(), None),
        1 => {
            let mut s = vec![0x78, 0x9c];
            s.extend_from_slice(rest);
            (s, None)
        }
        _ => {
            // The first byte says how many trailing (position, xor) pairs edit the stream.
            let [edits, body @ ..] = rest else {
                return;
            };
            let n_edits = usize::from(edits % 4).min(body.len() / 3);
            let (plain, pairs) = body.split_at(body.len() - 3 * n_edits);
            let mut s = zlib_compress(plain);
            for pair in pairs.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([pair[0], pair[1]]));
                if !s.is_empty() {
                    let i = at % s.len();
                    s[i] ^= pair[2];
                }
            }
            let truncate = edits & 0x80 != 0 && !s.is_empty();
            if truncate {
                let cut = usize::from(edits & 0x7f) % s.len();
                s.truncate(cut);
            }
            let unedited = n_edits == 0 && !truncate;
            (s, Some((plain, unedited)))
        }
    };
    let limit = match (limit_bits >> 14, plain) {
        (0, _) => limit_bits & 0x3fff,
        // Around the expected output size, where the cap's edge cases live.
        (1, Some((p, _))) => (p.len() + (limit_bits & 7)).saturating_sub(4),
        (2, _) => limit_bits & 0xff,
        _ => usize::MAX,
    };
    let system = zlib_decompress_capped_system(&stream, limit);
    let own = zlib_decompress_capped_own(&stream, limit);
    assert_eq!(own, system, "limit {limit}, stream {stream:02x?}");
    assert_eq!(zlib_decompress_capped(&stream, limit), system);
    if let Some((p, true)) = plain {
        // An unedited stream round-trips whenever the limit allows.
        if p.len() <= limit {
            assert_eq!(system.as_deref(), Ok(p));
        }
    }
});
