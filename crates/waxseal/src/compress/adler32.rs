//! Adler-32 (RFC 1950 section 8), the zlib stream trailer both directions compute.

/// Adler-32 of `data` (RFC 1950 section 8).
///
/// Eight bytes per step, without a byte-serial dependency chain: for bytes `x0..x7`, `a` gains
/// their sum and `b` gains `8a + 8x0 + 7x1 + ... + 1x7`. Both sums are dot products of the bytes
/// (spread into 16-bit lanes) with constant weights, which one 64-bit multiply computes in its top
/// lane: with `v = v0 + v1·2^16 + v2·2^32 + v3·2^48` and `c` likewise, bits 48.. of `v·c` hold
/// `v0·c3 + v1·c2 + v2·c1 + v3·c0` (lanes stay below 2^16, so nothing carries between them).
pub(super) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    const LANES: u64 = 0x00ff_00ff_00ff_00ff;
    const ONES: u64 = 0x0001_0001_0001_0001;
    // Weights of the even bytes x0, x2, x4, x6 (8, 6, 4, 2), lane order reversed.
    const EVEN: u64 = 0x0008_0006_0004_0002;
    // Weights of the odd bytes x1, x3, x5, x7 (7, 5, 3, 1), lane order reversed.
    const ODD: u64 = 0x0007_0005_0003_0001;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the most bytes whose sums cannot overflow u32 before reducing (zlib's NMAX); the
    // stepwise update computes exactly the bytewise sums at every step, so the same bound holds.
    for block in data.chunks(5552) {
        let mut steps = block.chunks_exact(8);
        for step in &mut steps {
            let Some(word) = step.first_chunk::<8>() else {
                continue;
            };
            let w = u64::from_le_bytes(*word);
            let (even, odd) = (w & LANES, (w >> 8) & LANES);
            let sum = ((even + odd).wrapping_mul(ONES) >> 48) as u32;
            let weighted = ((even.wrapping_mul(EVEN) >> 48) + (odd.wrapping_mul(ODD) >> 48)) as u32;
            b += 8 * a + weighted;
            a += sum;
        }
        for &x in steps.remainder() {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_known_values() {
        assert_eq!(adler32(b""), 1);
        // RFC 1950 example-style check value: zlib's adler32("Wikipedia").
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let big = vec![0xffu8; 100_000];
        // Computed the slow way, reducing every byte.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(&big), ((b << 16) | a) as u32);
        // Every length and alignment of the 8-byte steps, against the bytewise definition.
        let data: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in (0..64).chain([5551, 5552, 5553, 11_104, 11_105, 20_000]) {
            let (mut a, mut b) = (1u32, 0u32);
            for &x in &data[..len] {
                a = (a + u32::from(x)) % 65521;
                b = (b + a) % 65521;
            }
            assert_eq!(adler32(&data[..len]), (b << 16) | a, "len {len}");
        }
    }
}
