//! The one deterministic random generator the tests and benchmarks share.
//!
//! Marsaglia's xorshift64 (shifts 13, 7, 17): tiny, dependency-free and the same sequence on
//! every platform, so a failing case reproduces from its seed. Not for anything secret.

/// A xorshift64 generator. The seed must not be zero (zero is a fixed point); [`XorShift::new`]
/// replaces it by a fixed odd constant.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator starting from `seed` (0 is replaced, since it would only ever yield 0).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next byte (the low 8 bits of [`XorShift::next_u64`]).
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `0..=n`.
    pub fn upto(&mut self, n: usize) -> usize {
        self.below(n as u64 + 1) as usize
    }

    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 0
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::XorShift;

    #[test]
    fn first_outputs_are_marsaglias_xorshift64() {
        // x ^= x << 13; x ^= x >> 7; x ^= x << 17 from x = 1, worked by hand:
        // 1 -> 0x2001 -> 0x2001 ^ 0x40 = 0x2041 -> 0x2041 ^ (0x2041 << 17) = 0x4082_2041.
        let mut r = XorShift::new(1);
        assert_eq!(r.next_u64(), 0x4082_2041);
        assert_ne!(r.next_u64(), 0x4082_2041);
    }

    #[test]
    fn zero_seed_does_not_get_stuck() {
        let mut r = XorShift::new(0);
        assert_ne!(r.next_u64(), 0);
        assert!(r.below(10) < 10);
        assert_eq!(r.below(0), 0);
    }
}
