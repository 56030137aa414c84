//! HMAC-SHA1 computed directly on SHA-1 compression states, for Flask's digest.
//!
//! A keyed HMAC is fully described by two 20-byte states: SHA-1 after the `key ^ ipad` block and
//! after the `key ^ opad` block. Keeping just those (instead of cloning a generic `Hmac<Sha1>`
//! with its block buffers for every message) leaves only the unavoidable work per signature: the
//! message blocks, the padding block and one outer block. `sha1::compress` uses the SHA-NI
//! instructions when the CPU has them. The states are key material and are zeroed on drop.
//!
//! The primitives ([`KeyStates`], [`padded_tail_blocks`], [`sha1_continue`], [`finish_outer`])
//! are public because `waxseal-crack` builds its per-candidate fast path on them: one copy of
//! HMAC-SHA1 on compression states for the signer and the cracker.

use sha1::digest::consts::U64;
use sha1::digest::generic_array::GenericArray;
use zeroize::{Zeroize, Zeroizing};

/// One SHA-1 block as `sha1::compress` takes it.
pub type Block = GenericArray<u8, U64>;

/// SHA-1's block length.
pub const BLOCK_LEN: usize = 64;
/// Length of an HMAC-SHA1 tag (and of a SHA-1 digest).
pub const TAG_LEN: usize = 20;
/// SHA-1's initial state.
pub const IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;

/// Compresses one block onto `state` (SHA-NI when the CPU has it).
#[inline(always)]
pub fn compress(state: &mut [u32; 5], block: &[u8; BLOCK_LEN]) {
    sha1::compress(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

/// The padded blocks of a message whose first `already_hashed` bytes (a multiple of 64) were
/// compressed before and whose remaining bytes are `tail`: precomputed once by a caller that
/// hashes the same message under many keys (`waxseal-crack`).
pub fn padded_tail_blocks(already_hashed: u64, tail: &[u8]) -> Vec<Block> {
    let total_bits = (already_hashed + tail.len() as u64).wrapping_mul(8);
    let mut bytes = tail.to_vec();
    bytes.push(0x80);
    while bytes.len() % BLOCK_LEN != BLOCK_LEN - 8 {
        bytes.push(0);
    }
    bytes.extend_from_slice(&total_bits.to_be_bytes());
    bytes
        .chunks_exact(BLOCK_LEN)
        .map(Block::clone_from_slice)
        .collect()
}

/// SHA-1 of `parts` concatenated, continuing from `state` after `already_hashed` bytes (a
/// multiple of 64), through one stack block (no allocation; the block is not zeroed, so this is
/// for data that is not key material, or for candidates being tried).
pub fn sha1_continue(mut state: [u32; 5], already_hashed: u64, parts: &[&[u8]]) -> [u32; 5] {
    let mut block = [0u8; BLOCK_LEN];
    let mut filled = 0usize;
    let mut total = already_hashed;
    for part in parts {
        total += part.len() as u64;
        let mut rest = *part;
        while !rest.is_empty() {
            let take = rest.len().min(BLOCK_LEN - filled);
            block[filled..filled + take].copy_from_slice(&rest[..take]);
            filled += take;
            rest = &rest[take..];
            if filled == BLOCK_LEN {
                compress(&mut state, &block);
                filled = 0;
            }
        }
    }
    block[filled] = 0x80;
    block[filled + 1..].fill(0);
    if filled + 1 > BLOCK_LEN - 8 {
        compress(&mut state, &block);
        block = [0u8; BLOCK_LEN];
    }
    block[BLOCK_LEN - 8..].copy_from_slice(&total.wrapping_mul(8).to_be_bytes());
    compress(&mut state, &block);
    state
}

/// The last block of an outer HMAC hash: 20 bytes of inner hash, then padding for 84 bytes.
const fn outer_final_template() -> [u8; BLOCK_LEN] {
    let mut block = [0u8; BLOCK_LEN];
    block[TAG_LEN] = 0x80;
    let be = (((BLOCK_LEN + TAG_LEN) * 8) as u64).to_be_bytes();
    let mut i = 0;
    while i < 8 {
        block[BLOCK_LEN - 8 + i] = be[i];
        i += 1;
    }
    block
}
const OUTER_FINAL_TEMPLATE: [u8; BLOCK_LEN] = outer_final_template();

/// Finishes an HMAC: compresses the 20-byte inner hash (with its padding) onto the outer state.
#[inline(always)]
pub fn finish_outer(inner_hash: &[u32; 5], outer: &[u32; 5]) -> [u32; 5] {
    let mut block = OUTER_FINAL_TEMPLATE;
    for (dst, word) in block.chunks_exact_mut(4).zip(inner_hash) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    let mut state = *outer;
    compress(&mut state, &block);
    state
}

/// A SHA-1 state as the 20 digest bytes.
#[inline]
pub fn state_bytes(state: &[u32; 5]) -> [u8; TAG_LEN] {
    let mut out = [0u8; TAG_LEN];
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    out
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
    Zeroizing::new(state_bytes(&state))
}

/// One key's inner and outer HMAC-SHA1 states (RFC 2104): SHA-1 after the `key ^ ipad` block and
/// after the `key ^ opad` block. Plain data (`Copy`, not zeroed): [`HmacSha1`] wraps it for real
/// keys; `waxseal-crack` makes one per candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyStates {
    /// State after the `key ^ ipad` block.
    pub inner: [u32; 5],
    /// State after the `key ^ opad` block.
    pub outer: [u32; 5],
}

impl KeyStates {
    /// States for a key of at most 64 bytes, zero-padded to a block in `padded`; `scratch` holds
    /// the padded key XOR the pads in turn (the caller decides whether to zero it).
    #[inline(always)]
    pub fn from_padded_key(padded: &[u8; BLOCK_LEN], scratch: &mut [u8; BLOCK_LEN]) -> KeyStates {
        let mut keyed = |pad: u8| {
            for (b, k) in scratch.iter_mut().zip(padded.iter()) {
                *b = k ^ pad;
            }
            let mut state = IV;
            compress(&mut state, scratch);
            state
        };
        KeyStates {
            inner: keyed(IPAD),
            outer: keyed(OPAD),
        }
    }

    /// States for any key (longer than a block: hashed first, as RFC 2104 requires), with
    /// unzeroed temporaries: for candidate keys being tried, not for real ones ([`HmacSha1`]).
    #[inline]
    pub fn from_key(key: &[u8]) -> KeyStates {
        if key.len() > BLOCK_LEN {
            return KeyStates::from_digest(&sha1_continue(IV, 0, &[key]));
        }
        let mut padded = [0u8; BLOCK_LEN];
        padded[..key.len()].copy_from_slice(key);
        KeyStates::from_padded_key(&padded, &mut [0u8; BLOCK_LEN])
    }

    /// States for a 20-byte key given as a SHA-1 state (a derived key).
    #[inline(always)]
    pub fn from_digest(digest: &[u32; 5]) -> KeyStates {
        let mut padded = [0u8; BLOCK_LEN];
        padded[..TAG_LEN].copy_from_slice(&state_bytes(digest));
        KeyStates::from_padded_key(&padded, &mut [0u8; BLOCK_LEN])
    }

    /// The HMAC of a message given as its padded blocks ([`padded_tail_blocks`] with
    /// `already_hashed` = 64, the key block), as a SHA-1 state.
    #[inline(always)]
    pub fn mac_blocks(&self, padded_message: &[Block]) -> [u32; 5] {
        let mut state = self.inner;
        sha1::compress(&mut state, padded_message);
        finish_outer(&state, &self.outer)
    }

    /// The HMAC of `message`, streamed, as a SHA-1 state. The message and its padding go to
    /// SHA-1 up to [`MAC_BATCH`] blocks per call, copied into a stack buffer: a call has a fixed
    /// cost (checking the CPU, loading and storing the state) that the copy undercuts.
    #[inline]
    pub fn mac(&self, message: &[u8]) -> [u32; 5] {
        let mut state = self.inner;
        let bits = ((BLOCK_LEN + message.len()) as u64).wrapping_mul(8);
        let mut batch = [Block::default(); MAC_BATCH];
        let mut rest = message;
        let mut k = 0;
        while rest.len() >= BLOCK_LEN {
            if k == MAC_BATCH {
                sha1::compress(&mut state, &batch);
                k = 0;
            }
            let (block, after) = rest.split_at(BLOCK_LEN);
            batch[k].copy_from_slice(block);
            rest = after;
            k += 1;
        }
        // Padding: 0x80, zeros, then the bit length of ipad block + message, big-endian; a
        // second block when the tail leaves no room for the length.
        let pad_blocks = if rest.len() + 1 > BLOCK_LEN - 8 { 2 } else { 1 };
        if k + pad_blocks > MAC_BATCH {
            sha1::compress(&mut state, &batch[..k]);
            k = 0;
        }
        let mut tail = [0u8; 2 * BLOCK_LEN];
        tail[..rest.len()].copy_from_slice(rest);
        tail[rest.len()] = 0x80;
        let end = pad_blocks * BLOCK_LEN;
        tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
        for (dst, src) in batch[k..k + pad_blocks]
            .iter_mut()
            .zip(tail.chunks_exact(BLOCK_LEN))
        {
            dst.copy_from_slice(src);
        }
        sha1::compress(&mut state, &batch[..k + pad_blocks]);
        finish_outer(&state, &self.outer)
    }
}

/// Blocks per `sha1::compress` call in [`KeyStates::mac`]: a session cookie is 2-4 blocks. At
/// least 2, the most the padding takes.
const MAC_BATCH: usize = 4;
const _: () = assert!(MAC_BATCH >= 2);

/// One real key's HMAC-SHA1 states, zeroed on drop; every temporary holding key material is
/// zeroed too.
#[derive(Clone)]
pub(crate) struct HmacSha1 {
    states: KeyStates,
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
        let mut scratch = Zeroizing::new([0u8; BLOCK_LEN]);
        HmacSha1 {
            states: KeyStates::from_padded_key(&padded, &mut scratch),
        }
    }

    /// The HMAC-SHA1 tag of `message`.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; TAG_LEN] {
        state_bytes(&self.states.mac(message))
    }
}

impl Drop for HmacSha1 {
    fn drop(&mut self) {
        self.states.inner.zeroize();
        self.states.outer.zeroize();
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
        // Message lengths around 55/56/64 bytes decide whether padding needs a second block,
        // and every length up to 600 crosses the batches of `MAC_BATCH` blocks at each offset;
        // key lengths around 64 decide whether the key is hashed first (and 119/120/128 cross
        // the padding boundaries of that hash).
        let message: Vec<u8> = (0..600u32).map(|i| (i * 31 + 7) as u8).collect();
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
