//! HMAC-SHA1 computed directly on SHA-1 compression states, for Flask's digest.
//!
//! A keyed HMAC is fully described by two 20-byte states: SHA-1 after the `key ^ ipad` block and
//! after the `key ^ opad` block. Keeping just those (instead of cloning a generic `Hmac<Sha1>`
//! with its block buffers for every message) leaves only the unavoidable work per signature: the
//! message blocks, the padding block and one outer block. `sha1::compress` uses the SHA-NI
//! instructions when the CPU has them. The states are key material and are zeroed on drop.

use sha1::digest::generic_array::GenericArray;
use zeroize::{Zeroize, Zeroizing};

const BLOCK_LEN: usize = 64;
/// Length of an HMAC-SHA1 tag.
pub(crate) const TAG_LEN: usize = 20;
const IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

#[inline]
fn compress(state: &mut [u32; 5], block: &[u8; BLOCK_LEN]) {
    sha1::compress(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

/// SHA-1 of a long key, through blocks that are zeroed afterwards (a library hasher would keep the
/// key's last block in its buffer when dropped).
fn sha1_of_key(key: &[u8]) -> Zeroizing<[u8; TAG_LEN]> {
    let mut state = Zeroizing::new(IV);
    let mut block = Zeroizing::new([0u8; BLOCK_LEN]);
    let mut chunks = key.chunks_exact(BLOCK_LEN);
    for chunk in &mut chunks {
        block.copy_from_slice(chunk);
        compress(&mut state, &block);
    }
    let tail = chunks.remainder();
    block.fill(0);
    block[..tail.len()].copy_from_slice(tail);
    block[tail.len()] = 0x80;
    if tail.len() + 1 > BLOCK_LEN - 8 {
        compress(&mut state, &block);
        block.fill(0);
    }
    block[BLOCK_LEN - 8..].copy_from_slice(&(key.len() as u64).wrapping_mul(8).to_be_bytes());
    compress(&mut state, &block);
    let mut digest = Zeroizing::new([0u8; TAG_LEN]);
    for (dst, word) in digest.chunks_exact_mut(4).zip(state.iter()) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// One key's inner and outer HMAC-SHA1 states (RFC 2104).
#[derive(Clone)]
pub(crate) struct HmacSha1 {
    inner: [u32; 5],
    outer: [u32; 5],
}

impl HmacSha1 {
    /// Prepares the states for `key`; keys longer than a block are hashed first, as RFC 2104
    /// (and Python's `hmac`) require.
    pub(crate) fn new(key: &[u8]) -> HmacSha1 {
        let mut padded = Zeroizing::new([0u8; BLOCK_LEN]);
        if key.len() > BLOCK_LEN {
            padded[..TAG_LEN].copy_from_slice(&*sha1_of_key(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let mut block = Zeroizing::new([0u8; BLOCK_LEN]);
        let mut keyed = |pad: u8| {
            for (b, k) in block.iter_mut().zip(padded.iter()) {
                *b = k ^ pad;
            }
            let mut state = IV;
            compress(&mut state, &block);
            state
        };
        HmacSha1 {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    /// The HMAC-SHA1 tag of `message`.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; TAG_LEN] {
        let mut state = self.inner;
        let mut blocks = message.chunks_exact(BLOCK_LEN);
        for chunk in &mut blocks {
            let mut block = [0u8; BLOCK_LEN];
            block.copy_from_slice(chunk);
            compress(&mut state, &block);
        }
        // Padding: 0x80, zeros, then the bit length of ipad block + message, big-endian.
        let tail = blocks.remainder();
        let bits = ((BLOCK_LEN + message.len()) as u64).wrapping_mul(8);
        let mut block = [0u8; BLOCK_LEN];
        block[..tail.len()].copy_from_slice(tail);
        block[tail.len()] = 0x80;
        if tail.len() + 1 > BLOCK_LEN - 8 {
            compress(&mut state, &block);
            block = [0u8; BLOCK_LEN];
        }
        block[BLOCK_LEN - 8..].copy_from_slice(&bits.to_be_bytes());
        compress(&mut state, &block);

        // Outer hash: the opad state, then the 20-byte inner digest in one padded block.
        let mut block = [0u8; BLOCK_LEN];
        for (dst, word) in block.chunks_exact_mut(4).zip(state) {
            dst.copy_from_slice(&word.to_be_bytes());
        }
        block[TAG_LEN] = 0x80;
        block[BLOCK_LEN - 8..].copy_from_slice(&(((BLOCK_LEN + TAG_LEN) * 8) as u64).to_be_bytes());
        let mut state = self.outer;
        compress(&mut state, &block);
        let mut tag = [0u8; TAG_LEN];
        for (dst, word) in tag.chunks_exact_mut(4).zip(state) {
            dst.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }
}

impl Drop for HmacSha1 {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn reference(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(key).expect("any key length");
        m.update(message);
        m.finalize().into_bytes().to_vec()
    }

    #[test]
    fn matches_the_hmac_crate_for_every_padding_boundary_and_key_length() {
        // Message lengths around 55/56/64 bytes decide whether padding needs a second block;
        // key lengths around 64 decide whether the key is hashed first (and 119/120/128 cross
        // the padding boundaries of that hash).
        let message: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for key_len in [0, 1, 20, 63, 64, 65, 100, 119, 120, 128, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 13 + 1) as u8).collect();
            let mac = HmacSha1::new(&key);
            for len in 0..message.len() {
                assert_eq!(
                    mac.tag(&message[..len]).to_vec(),
                    reference(&key, &message[..len]),
                    "key {key_len} bytes, message {len} bytes"
                );
            }
        }
    }

    #[test]
    fn rfc_2202_test_case_2() {
        // RFC 2202, HMAC-SHA-1 test case 2.
        let tag = HmacSha1::new(b"Jefe").tag(b"what do ya want for nothing?");
        assert_eq!(
            crate::hex::encode(&tag),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
