//! zlib compression that is byte-identical to Python's `zlib.compress(data)` (level 6), plus a
//! size-capped `zlib.decompress`.
//!
//! # What is claimed, and why it is enough
//!
//! [`zlib_compress`] returns the bytes stock zlib 1.2.12 through 1.3.x writes at level 6 (zlib's
//! deflate has made the same choices across those releases). Pythons built on zlib-ng, or on a
//! zlib with a different deflate, write other (equally valid) bytes. Interoperability does not
//! depend on this: verification checks the signature over the token's bytes, and any zlib inflates
//! any valid stream, so tokens from either side always load on the other. Byte identity only
//! matters for minting the very token Python would mint, which the differential tests pin.
//!
//! # Where each path runs
//!
//! - Compression of inputs up to [`OWN_IMPL_MAX_LEN`] bytes runs this module's port of zlib's
//!   level-6 pipeline (`deflate.rs`): `deflate_slow` lazy matching, `longest_match`, and `trees.c`
//!   block construction, with the same hash function and chain limits (same matches), the same
//!   Huffman heap tie-breaks and length-limiting fix-up (same code lengths), the same run-length
//!   coding of the code lengths and the same stored/fixed/dynamic block decision. It reuses a
//!   per-thread hash table and clears only the entries it touched; zlib's `deflateReset` clears
//!   the whole 64 KiB table, which is most of its cost on a cookie.
//! - Decompression of inputs up to [`OWN_INFLATE_MAX_LEN`] bytes runs the own inflater
//!   (`inflate.rs`). The output bytes are fixed by the format; the inflater exists for speed and
//!   gives the same result as zlib (bytes, or the same [`Corruption`] reason) for every input.
//! - Everything larger goes to the pinned zlib ([`PINNED_ZLIB_VERSION`], built from source by
//!   `libz-sys` and linked statically, so the machine's zlib never decides a result).
//!
//! # Why the own code stays (measured, `bench/benches/compression.rs`)
//!
//! The rule was: keep the deflate port only if it is at least twice as fast as the pinned zlib
//! with a reused stream on cookie-sized inputs, and drop the own inflater if a maintained library
//! (`libdeflater`, `zlib-rs`, the pinned zlib with a reused stream) comes within 20% of it. The
//! port measured 2.1-2.25x on Flask's 112-byte benchmark cookie and 1.95-2.1x on 256 varied
//! 70-200-byte sessions (three runs), 3.1-3.3x on a 65-byte token: it stays, at the threshold.
//! The inflater was 1.45-1.65x faster than the best of the others (`zlib-rs`) on cookies: it
//! stays. The README's performance section has the figures.
//!
//! # Tests
//!
//! `tests/zlib_exact.rs` compares the port with the pinned zlib (and asserts its version) and,
//! through `tests/interop/zlib_oracle.py`, with the zlib the reference Python links;
//! `tests/inflate_differential.rs` and the fuzz targets `deflate` and `inflate` compare the own
//! code with the pinned zlib.

mod adler32;
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
/// compressed by the pinned zlib.
///
/// Within this size the whole input fits in zlib's first window fill (64 KiB) and never reaches
/// the sliding point, so zlib's state is fully described by the input itself. The input may still
/// need a second block when it produces 16383 symbols (zlib's symbol buffer is full); the port
/// implements that flush exactly as zlib does.
pub const OWN_IMPL_MAX_LEN: usize = 16 * 1024;

/// The zlib release this crate links (built from `libz-sys`'s bundled source, statically) for
/// inputs above [`OWN_IMPL_MAX_LEN`] / [`OWN_INFLATE_MAX_LEN`], and that the tests compare the
/// own deflate and inflate against. `tests/zlib_exact.rs` asserts that the linked library reports
/// exactly this version.
pub const PINNED_ZLIB_VERSION: &str = "1.3.2";

/// Compresses with the pinned zlib (level 6, zlib header), exactly like Python's
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

/// Compresses `input` exactly as Python's `zlib.compress(input)` does on stock zlib 1.2.12-1.3.x
/// (level 6; see the module docs for the claim).
///
/// Inputs up to [`OWN_IMPL_MAX_LEN`] bytes use this module's allocation-light port of zlib's
/// deflate; longer ones use the pinned zlib. Either way the bytes are the same.
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

/// [`zlib_compress`] with the own deflate port, or `None` for inputs longer than
/// [`OWN_IMPL_MAX_LEN`] (which the port does not handle).
///
/// Public only so that the `deflate` fuzz target can compare it with
/// [`zlib_compress_reference`]; not part of the API.
pub fn zlib_compress_own(input: &[u8]) -> Option<Vec<u8>> {
    (input.len() <= OWN_IMPL_MAX_LEN).then(|| compress_small(input))
}

/// [`zlib_compress`] with the pinned zlib, whatever the input size: the reference the port
/// reproduces. Public only for the `deflate` fuzz target; not part of the API.
pub fn zlib_compress_reference(input: &[u8]) -> Vec<u8> {
    compress_with_zlib(input)
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

/// Why decompressing a payload (capped, as the serializers do) refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecompressError {
    /// The stream would inflate to more than `limit` bytes.
    #[error("compressed data expands to more than the allowed {limit} bytes")]
    TooLarge {
        /// The cap that was exceeded.
        limit: usize,
    },
    /// The input ends before the zlib stream does (Python: "incomplete or truncated stream").
    #[error("compressed data is incomplete or truncated")]
    Truncated,
    /// The input is not a valid zlib stream.
    #[error("compressed data is invalid: {0}")]
    Corrupt(Corruption),
}

/// What is wrong with a stream that is not valid zlib data: zlib's own list of reasons.
///
/// The own inflater and the pinned zlib report the same reason for every input (the differential
/// tests check that). `Display` gives zlib's wording for people; the variant, not the text, is
/// what callers should match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Corruption {
    /// The two header bytes fail their check (not a zlib stream).
    HeaderCheck,
    /// The header names a compression method other than deflate.
    UnknownMethod,
    /// The header asks for a window larger than 32 KiB.
    InvalidWindowSize,
    /// The stream needs a preset dictionary (Python's `zlib.decompress` cannot supply one).
    NeedsDictionary,
    /// A block header has the reserved block type 3.
    InvalidBlockType,
    /// A stored block's length and its one's complement disagree.
    InvalidStoredLengths,
    /// A dynamic block declares more than 286 literal/length or 30 distance codes.
    TooManySymbols,
    /// The code-length code of a dynamic block is not a valid prefix code.
    InvalidCodeLengthsSet,
    /// A code-length repeat has nothing to repeat or runs past the end.
    InvalidBitLengthRepeat,
    /// A dynamic block gives the end-of-block symbol no code.
    MissingEndOfBlock,
    /// The literal/length code of a dynamic block is not a valid prefix code.
    InvalidLiteralLengthsSet,
    /// The distance code of a dynamic block is not a valid prefix code.
    InvalidDistancesSet,
    /// The data uses a literal/length symbol that has no meaning (286 or 287).
    InvalidLiteralLengthCode,
    /// The data uses a distance symbol that has no meaning (30 or 31).
    InvalidDistanceCode,
    /// A match reaches back before the start of the output.
    DistanceTooFarBack,
    /// The Adler-32 trailer does not match the inflated bytes.
    DataCheck,
    /// The pinned zlib gave a reason not named above (the own inflater never does).
    Other,
}

impl Corruption {
    /// Every reason with zlib's message for it, as `inflate.c` words it.
    const MESSAGES: [(Corruption, &'static str); 16] = [
        (Corruption::HeaderCheck, "incorrect header check"),
        (Corruption::UnknownMethod, "unknown compression method"),
        (Corruption::InvalidWindowSize, "invalid window size"),
        (Corruption::NeedsDictionary, "needs a preset dictionary"),
        (Corruption::InvalidBlockType, "invalid block type"),
        (
            Corruption::InvalidStoredLengths,
            "invalid stored block lengths",
        ),
        (
            Corruption::TooManySymbols,
            "too many length or distance symbols",
        ),
        (
            Corruption::InvalidCodeLengthsSet,
            "invalid code lengths set",
        ),
        (
            Corruption::InvalidBitLengthRepeat,
            "invalid bit length repeat",
        ),
        (
            Corruption::MissingEndOfBlock,
            "invalid code -- missing end-of-block",
        ),
        (
            Corruption::InvalidLiteralLengthsSet,
            "invalid literal/lengths set",
        ),
        (Corruption::InvalidDistancesSet, "invalid distances set"),
        (
            Corruption::InvalidLiteralLengthCode,
            "invalid literal/length code",
        ),
        (Corruption::InvalidDistanceCode, "invalid distance code"),
        (
            Corruption::DistanceTooFarBack,
            "invalid distance too far back",
        ),
        (Corruption::DataCheck, "incorrect data check"),
    ];

    /// The reason zlib's message `text` names ([`Corruption::Other`] for any other text).
    fn from_zlib_message(text: &str) -> Corruption {
        Self::MESSAGES
            .iter()
            .find(|(_, m)| *m == text)
            .map_or(Corruption::Other, |(c, _)| *c)
    }
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Self::MESSAGES
            .iter()
            .find(|(c, _)| c == self)
            .map_or("invalid deflate data", |(_, m)| m);
        f.write_str(text)
    }
}

/// Largest compressed input that [`zlib_decompress_capped`] inflates with this module's own
/// decoder (`inflate.rs`); longer inputs go to the pinned zlib.
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
/// pinned zlib; both give the same result (bytes, or the same error variant) for every input and
/// limit.
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

/// [`zlib_decompress_capped`] into `out` (replacing what it held, empty on error), reusing its
/// allocation when the own inflater runs: batches inflate one cookie after another into one
/// buffer.
pub(crate) fn zlib_decompress_capped_into(
    input: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), DecompressError> {
    if input.len() <= OWN_INFLATE_MAX_LEN {
        inflate::zlib_decompress_capped_own_into(input, limit, out)
    } else {
        out.clear();
        *out = zlib_decompress_capped_system(input, limit)?;
        Ok(())
    }
}

/// [`zlib_decompress_capped`] with this module's own inflater, whatever the input size.
///
/// Public only so that differential tests and the fuzz target can compare it with
/// [`zlib_decompress_capped_system`]; not part of the API.
pub fn zlib_decompress_capped_own(input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    inflate::zlib_decompress_capped_own(input, limit)
}

/// [`zlib_decompress_capped`] with the pinned zlib (through `flate2`), whatever the input size.
///
/// This is the reference behaviour the own inflater reproduces; public only for differential
/// tests and the fuzz target, not part of the API.
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
                    Some(msg) => Corruption::from_zlib_message(msg),
                    None if e.needs_dictionary().is_some() => Corruption::NeedsDictionary,
                    None => Corruption::Other,
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
