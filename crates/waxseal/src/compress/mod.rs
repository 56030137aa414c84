//! zlib compression that is byte-identical to Python's `zlib.compress(data)` (zlib 1.2.13,
//! level 6), plus a size-capped `zlib.decompress`.
//!
//! Decompression of inputs up to [`OWN_INFLATE_MAX_LEN`] bytes (every cookie) runs this module's
//! own inflater (`inflate.rs`), which gives exactly the system zlib's results, errors and error
//! messages included; `tests/inflate_differential.rs` and the `inflate` fuzz target compare the
//! two. Larger inputs go to the system zlib.
//!
//! itsdangerous' URL-safe serializers compress every payload and keep the result when it is
//! shorter, so the bytes zlib picks end up inside the token. To mint the same tokens we must pick
//! the same bytes. Linking real zlib would do that, but every `deflateInit` clears a 64 KiB hash
//! table, which costs more than signing a whole token. For inputs up to [`OWN_IMPL_MAX_LEN`] this
//! module therefore runs its own port of zlib's level-6 pipeline (`deflate_slow` lazy matching,
//! `longest_match`, and `trees.c` block construction), reusing a per-thread hash table of which it
//! only clears the entries it touched. Larger inputs go to the system zlib through `flate2`.
//!
//! The port reproduces zlib's observable choices, not just valid DEFLATE: the same hash function
//! and chain limits (so the same matches), the same Huffman heap tie-breaks and length-limiting
//! fix-up (so the same code lengths), the same run-length coding of the code lengths, and the same
//! stored/fixed/dynamic block decision. The tests in `tests/zlib_exact.rs` compare it byte for byte
//! with zlib itself and with Python.

mod deflate;
mod inflate;

use std::fmt;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use deflate::compress_small;

// RFC 1951 tables both directions share (zlib's names, as in `trees.c`).

/// Extra bits of the length codes (symbols 257..=285).
const EXTRA_LBITS: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Extra bits of the distance codes (symbols 0..=29).
const EXTRA_DBITS: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which a dynamic block sends the code-length code's lengths (RFC 1951 §3.2.7).
const BL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Largest input that [`zlib_compress`] handles with its own deflate port; longer inputs are
/// compressed by the system zlib.
///
/// Within this size the whole input fits in zlib's first window fill (64 KiB) and never reaches
/// the sliding point, so zlib's state is fully described by the input itself. The input may still
/// need a second block when it produces 16383 symbols (zlib's symbol buffer is full); the port
/// implements that flush exactly as zlib does.
pub const OWN_IMPL_MAX_LEN: usize = 16 * 1024;

/// Compresses with the system zlib (level 6, zlib header), exactly like Python's
/// `zlib.compress`.
fn compress_with_zlib(input: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(6), true);
    // zlib's compressBound: enough for one deflate call in the common case.
    let bound = input.len() + (input.len() >> 12) + (input.len() >> 14) + (input.len() >> 25) + 13;
    let mut out = Vec::with_capacity(bound);
    loop {
        let consumed = usize::try_from(c.total_in())
            .unwrap_or(input.len())
            .min(input.len());
        // deflate with Z_FINISH only fails on a misused stream (Z_STREAM_ERROR), never on data.
        let status = c
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Finish)
            .expect("deflate(Z_FINISH) on a fresh stream cannot fail");
        if status == Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
}

/// Compresses `input` exactly as Python's `zlib.compress(input)` does (zlib 1.2.13, level 6).
///
/// Inputs up to [`OWN_IMPL_MAX_LEN`] bytes use this module's allocation-light port of zlib's
/// deflate; longer ones use the system zlib. Either way the bytes are identical to Python's.
///
/// ```
/// use waxseal::compress::zlib_compress;
/// // Python: zlib.compress(b"") == b"x\x9c\x03\x00\x00\x00\x00\x01"
/// assert_eq!(zlib_compress(b""), b"x\x9c\x03\x00\x00\x00\x00\x01");
/// // Python: zlib.compress(b"aaaaaaaaaa") == b"x\x9cKL\x84\x01\x00\x14\xe1\x03\xcb"
/// assert_eq!(zlib_compress(b"aaaaaaaaaa"), b"x\x9cKL\x84\x01\x00\x14\xe1\x03\xcb");
/// ```
pub fn zlib_compress(input: &[u8]) -> Vec<u8> {
    if input.len() <= OWN_IMPL_MAX_LEN {
        compress_small(input)
    } else {
        compress_with_zlib(input)
    }
}

/// itsdangerous' rule for URL-safe payloads: the zlib-compressed `json` if it is shorter than
/// `json.len() - 1`, otherwise `None` (send `json` uncompressed).
///
/// The `- 1` pays for the `.` that marks a compressed payload. An empty input is never
/// compressed (Python compares against `-1`).
///
/// ```
/// use waxseal::compress::compress_if_smaller;
/// assert_eq!(compress_if_smaller(br#"{"a":1}"#), None);
/// let json = br#"{"items":["spam","spam","spam","spam","spam","spam","spam"]}"#;
/// let packed = compress_if_smaller(json).expect("repetitive JSON compresses");
/// assert!(packed.len() < json.len() - 1);
/// ```
pub fn compress_if_smaller(json: &[u8]) -> Option<Vec<u8>> {
    // The smallest zlib stream is 8 bytes, so nothing under 10 bytes can qualify.
    if json.len() < 10 {
        return None;
    }
    let compressed = zlib_compress(json);
    (compressed.len() + 1 < json.len()).then_some(compressed)
}

/// Why [`zlib_decompress_capped`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecompressError {
    /// The stream would inflate to more than `limit` bytes.
    TooLarge {
        /// The cap that was exceeded.
        limit: usize,
    },
    /// The input ends before the zlib stream does (Python: "incomplete or truncated stream").
    Truncated,
    /// The input is not a valid zlib stream (bad header, bad data, bad checksum, or it needs a
    /// preset dictionary); the text is zlib's explanation.
    Corrupt(String),
}

impl fmt::Display for DecompressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecompressError::TooLarge { limit } => write!(
                f,
                "compressed data expands to more than the allowed {limit} bytes"
            ),
            DecompressError::Truncated => f.write_str("compressed data is incomplete or truncated"),
            DecompressError::Corrupt(why) => write!(f, "compressed data is invalid: {why}"),
        }
    }
}

impl std::error::Error for DecompressError {}

/// Largest compressed input that [`zlib_decompress_capped`] inflates with this module's own
/// decoder (`inflate.rs`); longer inputs go to the system zlib.
///
/// Below this size the own decoder is what makes cookie loads fast: for a typical 100-byte
/// session cookie it takes about half of zlib's time, because zlib's per-call costs (resetting
/// its state, building 2^9-entry tables per dynamic block, copying output into its window)
/// dominate at that size. From a few KiB up to ~100 KiB both decode ordinary streams at about
/// the same speed, so there is nothing to gain there; and the own decoder's one weak spot is
/// adversarial streams made only of codes longer than its 10-bit root table (decoded bit by
/// bit, 2-3 times zlib's time per symbol). 16 KiB is far above any browser cookie (4 KiB with
/// its base64) and keeps that worst case to about 0.15 ms per call.
pub const OWN_INFLATE_MAX_LEN: usize = 16 * 1024;

/// Inflates a zlib stream like Python's `zlib.decompress(input)`, but refuses to produce more
/// than `limit` bytes.
///
/// Memory use stays within `limit + 1` bytes of output however large the stream claims to be, so
/// a small "zlib bomb" cannot exhaust memory. Like Python, bytes after the end of the zlib stream
/// are ignored, and a stream that stops early is an error ([`DecompressError::Truncated`]).
///
/// Inputs up to [`OWN_INFLATE_MAX_LEN`] bytes use this module's own inflater, longer ones the
/// system zlib; both give the same result (bytes, or error variant and zlib's message) for every
/// input and limit.
///
/// ```
/// use waxseal::compress::{zlib_compress, zlib_decompress_capped, DecompressError};
/// let packed = zlib_compress(&[b'a'; 1000]);
/// assert_eq!(zlib_decompress_capped(&packed, 1000).unwrap(), vec![b'a'; 1000]);
/// assert_eq!(
///     zlib_decompress_capped(&packed, 999),
///     Err(DecompressError::TooLarge { limit: 999 })
/// );
/// assert_eq!(zlib_decompress_capped(&packed[..5], 1000), Err(DecompressError::Truncated));
/// ```
pub fn zlib_decompress_capped(input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    if input.len() <= OWN_INFLATE_MAX_LEN {
        inflate::zlib_decompress_capped_own(input, limit)
    } else {
        zlib_decompress_capped_system(input, limit)
    }
}

/// [`zlib_decompress_capped`] with this module's own inflater, whatever the input size.
///
/// Public only so that differential tests and the fuzz target can compare it with
/// [`zlib_decompress_capped_system`]; not part of the API.
#[doc(hidden)]
pub fn zlib_decompress_capped_own(input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    inflate::zlib_decompress_capped_own(input, limit)
}

/// [`zlib_decompress_capped`] with the system zlib (through `flate2`), whatever the input size.
///
/// This is the reference behaviour the own inflater reproduces; public only for differential
/// tests and the fuzz target, not part of the API.
#[doc(hidden)]
pub fn zlib_decompress_capped_system(
    input: &[u8],
    limit: usize,
) -> Result<Vec<u8>, DecompressError> {
    // One byte past the limit tells "exactly limit" apart from "more than limit".
    let cap = limit.saturating_add(1);
    // A per-thread inflate state, reset between calls: creating one allocates zlib's state and,
    // on first output, its 32 KiB window, which costs more than inflating a cookie.
    thread_local! {
        static INFLATE: std::cell::RefCell<Option<Decompress>> = const { std::cell::RefCell::new(None) };
    }
    let mut d = INFLATE
        .with(|cell| cell.borrow_mut().take())
        .map(|mut d| {
            d.reset(true);
            d
        })
        .unwrap_or_else(|| Decompress::new(true));
    let result = inflate_capped(&mut d, input, limit, cap);
    INFLATE.with(|cell| *cell.borrow_mut() = Some(d));
    result
}

/// Drives zlib's `inflate` into a buffer of at most `cap = limit + 1` bytes.
fn inflate_capped(
    d: &mut Decompress,
    input: &[u8],
    limit: usize,
    cap: usize,
) -> Result<Vec<u8>, DecompressError> {
    let mut out: Vec<u8> = Vec::with_capacity(cap.min(input.len().saturating_mul(4).max(256)));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= cap {
                return Err(DecompressError::TooLarge { limit });
            }
            let grow = out.capacity().max(256).min(cap - out.len());
            out.reserve_exact(grow);
        }
        let consumed = usize::try_from(d.total_in())
            .unwrap_or(input.len())
            .min(input.len());
        let (in_before, out_before) = (d.total_in(), out.len());
        let status = d
            .decompress_vec(&input[consumed..], &mut out, FlushDecompress::None)
            .map_err(|e| {
                DecompressError::Corrupt(match e.message() {
                    Some(msg) => msg.to_owned(),
                    None if e.needs_dictionary().is_some() => "needs a preset dictionary".into(),
                    None => "invalid deflate data".into(),
                })
            })?;
        if out.len() > limit {
            return Err(DecompressError::TooLarge { limit });
        }
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError => {
                let stalled = d.total_in() == in_before && out.len() == out_before;
                if stalled && out.len() < out.capacity() {
                    // Room to write and nothing consumed: the input ran out mid-stream.
                    return Err(DecompressError::Truncated);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_if_smaller_never_compresses_empty_or_tiny_input() {
        assert_eq!(compress_if_smaller(b""), None);
        assert_eq!(compress_if_smaller(b"a"), None);
        assert_eq!(compress_if_smaller(b"aaaaaaaaa"), None);
    }

    #[test]
    fn compress_if_smaller_applies_the_len_minus_one_rule() {
        for n in 0..200 {
            let json = vec![b'x'; n];
            let c = zlib_compress(&json);
            let expect = n >= 1 && c.len() < n - 1;
            assert_eq!(compress_if_smaller(&json).is_some(), expect, "n={n}");
        }
    }
}
