//! The bottom layer: URL-safe base64 and itsdangerous's integer encoding for timestamps.
//!
//! Strictness, chosen deliberately: itsdangerous's decoder (`base64.urlsafe_b64decode` without
//! validation) silently *drops* characters outside the base64 alphabet and ignores non-zero
//! trailing bits. waxseal accepts everything itsdangerous itself can produce plus the two
//! leniencies that real clients rely on — the standard alphabet's `+` and `/`, non-zero trailing
//! bits, and `=` padding — but rejects any other character instead of dropping it, because a token
//! with stray characters was not made by itsdangerous and dropping input hides tampering.
//!
//! Starlette's session cookie carries its payload in *standard* base64 with padding
//! (`base64.b64encode`), read with `base64.b64decode`: [`standard_base64_encode`] writes exactly
//! that, and [`standard_base64_decode`] reads it with the same strictness — the standard alphabet
//! only (`-` and `_` are not read as `+` and `/`: Python's decoder would drop them, so reading
//! them would give another payload than Starlette's), padding required as Python requires it,
//! non-zero trailing bits ignored as Python ignores them, anything else rejected.

use crate::error::Error;
use base64::Engine as _;

const INVALID: u8 = 0xff;

/// Maps an input byte to its 6-bit value; both the URL-safe (`-`, `_`) and the standard
/// (`+`, `/`) alphabets are accepted, as Python's decoder does.
const DECODE_TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t[b'+' as usize] = 62;
    t[b'/' as usize] = 63;
    t
};

/// Encodes bytes as URL-safe base64 without padding, as itsdangerous's `base64_encode` does.
///
/// ```
/// assert_eq!(waxseal::encoding::base64_encode(b"\xff\xfe"), "__4");
/// ```
pub fn base64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Appends the URL-safe, unpadded base64 encoding of `data` to `out`.
///
/// ```
/// let mut out = b"x.".to_vec();
/// waxseal::encoding::base64_encode_into(b"hi", &mut out);
/// assert_eq!(out, b"x.aGk");
/// ```
pub fn base64_encode_into(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(
        start + base64::encoded_len(data.len(), false).unwrap_or(0),
        0,
    );
    let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode_slice(data, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
}

/// Standard base64 with padding, lenient only about trailing bits (see the module docs).
const STANDARD_PADDED: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::general_purpose::PAD.with_decode_allow_trailing_bits(true),
);

/// Encodes bytes as standard base64 with padding, as Python's `base64.b64encode` does.
///
/// ```
/// assert_eq!(waxseal::encoding::standard_base64_encode(b"\xff\xfe"), "//4=");
/// ```
pub fn standard_base64_encode(data: &[u8]) -> String {
    STANDARD_PADDED.encode(data)
}

/// Decodes standard base64 with padding, as Python's `base64.b64decode` reads what
/// `b64encode` wrote (see the module docs for what is refused).
///
/// ```
/// use waxseal::encoding::standard_base64_decode;
/// assert_eq!(standard_base64_decode(b"//4=").unwrap(), b"\xff\xfe");
/// assert!(standard_base64_decode(b"//4").is_err()); // padding missing
/// assert!(standard_base64_decode(b"__4=").is_err()); // URL-safe alphabet
/// ```
pub fn standard_base64_decode(data: &[u8]) -> Result<Vec<u8>, Error> {
    STANDARD_PADDED
        .decode(data)
        .map_err(|_| Error::InvalidBase64)
}

/// Decodes URL-safe base64 with or without padding (see the module docs for what is accepted).
///
/// ```
/// use waxseal::encoding::base64_decode;
/// assert_eq!(base64_decode(b"__4").unwrap(), b"\xff\xfe");
/// assert_eq!(base64_decode(b"//4=").unwrap(), b"\xff\xfe"); // standard alphabet, padded
/// assert!(base64_decode(b"a").is_err()); // one character cannot encode a byte
/// ```
pub fn base64_decode(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(data.len() * 3 / 4 + 1);
    base64_decode_into(data, &mut out)?;
    Ok(out)
}

/// Decodes into `out` (appending); on error `out` keeps only what it held before.
///
/// ```
/// let mut out = b"x".to_vec();
/// waxseal::encoding::base64_decode_into(b"__4", &mut out).unwrap();
/// assert_eq!(out, b"x\xff\xfe");
/// assert!(waxseal::encoding::base64_decode_into(b"a", &mut out).is_err());
/// assert_eq!(out, b"x\xff\xfe"); // unchanged on error
/// ```
pub fn base64_decode_into(data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    let result = decode_append(data, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Decodes into a fixed buffer and returns the number of bytes written, or `None` if the input
/// is invalid or does not fit. Used for signatures, which are at most 64 bytes.
pub(crate) fn base64_decode_to_slice(data: &[u8], buf: &mut [u8]) -> Option<usize> {
    let data = strip_padding(data).ok()?;
    let len = decoded_len(data.len())?;
    let out = buf.get_mut(..len)?;
    decode_exact(data, out).then_some(len)
}

fn strip_padding(data: &[u8]) -> Result<&[u8], Error> {
    let unpadded = data
        .strip_suffix(b"==")
        .or_else(|| data.strip_suffix(b"="))
        .unwrap_or(data);
    // Padding is only meaningful when it completes a 4-character group.
    if unpadded.len() != data.len() && data.len() % 4 != 0 {
        return Err(Error::InvalidBase64);
    }
    Ok(unpadded)
}

fn decode_append(data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let data = strip_padding(data)?;
    let start = out.len();
    let Some(len) = decoded_len(data.len()) else {
        return Err(Error::InvalidBase64);
    };
    out.resize(start + len, 0);
    if decode_exact(data, &mut out[start..]) {
        Ok(())
    } else {
        Err(Error::InvalidBase64)
    }
}

/// Bytes that `len` unpadded base64 characters decode to, or `None` for the impossible length
/// `4k + 1` (one character cannot carry a byte).
fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        rem => Some(len / 4 * 3 + rem.saturating_sub(1)),
    }
}

/// Decodes unpadded `data` into `out`, which must be exactly [`decoded_len`] long. Returns
/// `false` if any character is outside both alphabets.
///
/// Every table value is ORed into one accumulator and checked once at the end: `INVALID` has the
/// high bit set and valid values never do, so a token is not decoded branch by branch.
fn decode_exact(data: &[u8], out: &mut [u8]) -> bool {
    let mut seen = 0u8;
    let mut chunks = data.chunks_exact(4);
    let mut dst = out.chunks_exact_mut(3);
    for (src, dst) in (&mut chunks).zip(&mut dst) {
        let [a, b, c, d] = [src[0], src[1], src[2], src[3]].map(|x| DECODE_TABLE[usize::from(x)]);
        seen |= a | b | c | d;
        let acc = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        dst.copy_from_slice(&acc.to_be_bytes()[1..]);
    }
    let rest = chunks.remainder();
    let tail = dst.into_remainder();
    let mut acc: u32 = 0;
    for &c in rest {
        let v = DECODE_TABLE[usize::from(c)];
        seen |= v;
        acc = (acc << 6) | u32::from(v & 0x3f);
    }
    // Trailing bits that do not make a whole byte are ignored, as Python does.
    match (rest.len(), tail) {
        (2, [x]) => *x = (acc >> 4) as u8,
        (3, [x, y]) => {
            *x = (acc >> 10) as u8;
            *y = (acc >> 2) as u8;
        }
        _ => {}
    }
    seen & 0x80 == 0
}

/// Encodes an integer big-endian with leading zero bytes stripped (`0` encodes as no bytes).
///
/// ```
/// assert_eq!(waxseal::encoding::int_to_bytes(0x0102), vec![1, 2]);
/// assert!(waxseal::encoding::int_to_bytes(0).is_empty());
/// ```
pub fn int_to_bytes(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes[skip..].to_vec()
}

/// Decodes a big-endian integer of at most 8 bytes, as itsdangerous's `bytes_to_int` does.
///
/// ```
/// use waxseal::encoding::bytes_to_int;
/// assert_eq!(bytes_to_int(&[1, 2]), Some(0x0102));
/// assert_eq!(bytes_to_int(&[1; 9]), None); // more than 64 bits: malformed
/// ```
pub fn bytes_to_int(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_bits_that_python_ignores_are_accepted() {
        // "_w" and "__" both decode to 0xff in Python: the low bits are dropped.
        assert_eq!(base64_decode(b"__").unwrap(), vec![0xff]);
        assert_eq!(base64_decode(b"_w").unwrap(), vec![0xff]);
    }

    #[test]
    fn characters_outside_both_alphabets_are_rejected_not_dropped() {
        assert!(base64_decode(b"ab!d").is_err());
        assert!(base64_decode(b"ab\xffd").is_err());
        assert!(base64_decode(b"a=bc").is_err());
    }

    #[test]
    fn one_bad_character_anywhere_rejects_the_whole_token() {
        // The decoder checks validity once per token; every position and every byte value must
        // still count, in full groups and in the tail.
        let good = b"eyJhIjoxfQ";
        for pos in 0..good.len() {
            for byte in 0..=255u8 {
                let mut token = good.to_vec();
                token[pos] = byte;
                let valid = byte.is_ascii_alphanumeric() || b"-_+/".contains(&byte);
                assert_eq!(
                    base64_decode(&token).is_ok(),
                    valid,
                    "byte {byte:#x} at {pos}"
                );
                let mut buf = [0u8; 64];
                assert_eq!(
                    base64_decode_to_slice(&token, &mut buf).is_some(),
                    valid,
                    "slice decoder, byte {byte:#x} at {pos}"
                );
            }
        }
    }

    #[test]
    fn decoder_agrees_with_the_base64_crate_on_every_length() {
        use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose};
        let lenient = GeneralPurpose::new(
            &base64::alphabet::URL_SAFE,
            general_purpose::NO_PAD
                .with_decode_allow_trailing_bits(true)
                .with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 89 + 3) as u8).collect();
            let enc = base64_encode(&data);
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), data);
            // Flip the last character so trailing bits become non-zero where there are any.
            let mut odd = enc.clone().into_bytes();
            if let Some(last) = odd.last_mut() {
                *last = if *last == b'A' { b'B' } else { b'A' };
            }
            assert_eq!(
                base64_decode(&odd).ok(),
                lenient.decode(&odd).ok(),
                "len {len}"
            );
        }
    }

    #[test]
    fn standard_padded_base64_round_trips_and_refuses_other_shapes() {
        for len in 0..40usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 53 + 7) as u8).collect();
            let enc = standard_base64_encode(&data);
            assert_eq!(enc.len() % 4, 0);
            assert_eq!(standard_base64_decode(enc.as_bytes()).unwrap(), data);
        }
        // Python's b64decode ignores non-zero trailing bits ("YR==" is b"a" too).
        assert_eq!(standard_base64_decode(b"YR==").unwrap(), b"a");
        for bad in [&b"YQ"[..], b"YQ=", b"YQ===", b"Y-A=", b"a.b=", b"YQ==YQ=="] {
            assert!(standard_base64_decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slice_decoder_agrees_with_vec_decoder() {
        for len in 0..70 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = base64_encode(&data);
            let mut buf = [0u8; 64];
            let n = base64_decode_to_slice(enc.as_bytes(), &mut buf);
            if len <= 64 {
                assert_eq!(&buf[..n.unwrap()], &data[..]);
            } else {
                assert!(n.is_none());
            }
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), data);
        }
    }
}
