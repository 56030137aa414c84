//! SHA-1 fast path working directly on compression states.
//!
//! HMAC-SHA1 of a message `m` under a key `K` (≤ 64 bytes) is
//! `SHA1((K ^ opad) || SHA1((K ^ ipad) || m))`. Both `K ^ ipad` and `K ^ opad` are exactly one
//! block, so a key is fully described by the two states after compressing those blocks
//! ([`KeyStates`]). Everything that does not depend on the candidate (salt blocks with padding,
//! message blocks with padding, the final "20-byte hash + padding" block layout) is built once.
//!
//! Per candidate for Flask (`hmac` derivation, salt ≤ 55 bytes, signed part ≤ 119 bytes):
//! derived key = ipad block, salt block, opad block, final block (4 compressions); signature =
//! derived-key ipad, 2 message blocks, derived-key opad, final block (5 compressions).
//!
//! `sha1::compress` uses the SHA-NI instructions when the CPU has them (runtime detection), so
//! this module needs no `unsafe`. The compression-state primitives ([`KeyStates`], padding,
//! streaming) are the core's (`waxseal::hmac_sha1`), shared with its signer; only the
//! per-scheme derivation and the per-token check live here.

pub(crate) use waxseal::hmac_sha1::KeyStates;
use waxseal::hmac_sha1::{padded_tail_blocks, sha1_continue, Block, BLOCK_LEN, IV, TAG_LEN};

const DIGEST_LEN: usize = TAG_LEN;

/// Per-scheme key derivation on the fast path: secret → derived-key states.
#[derive(Debug, Clone)]
pub(crate) enum Sha1Deriver {
    /// `HMAC-SHA1(secret, salt)`; the salt is kept as padded blocks.
    Hmac { padded_salt: Vec<Block> },
    /// `SHA1(prefix + secret)` with the prefix's full blocks already compressed.
    Concat {
        prefix_state: [u32; 5],
        prefix_hashed: u64,
        prefix_tail: Vec<u8>,
    },
    /// The secret is the key.
    None,
}

impl Sha1Deriver {
    /// Deriver for `HMAC(secret, salt)`.
    pub(crate) fn hmac(salt: &[u8]) -> Self {
        Sha1Deriver::Hmac {
            padded_salt: padded_tail_blocks(BLOCK_LEN as u64, salt),
        }
    }

    /// Deriver for `SHA1(prefix + secret)` (`concat`: prefix = salt, `django-concat`:
    /// prefix = salt + b"signer").
    pub(crate) fn concat(prefix: &[u8]) -> Self {
        let full = prefix.len() / BLOCK_LEN * BLOCK_LEN;
        let mut prefix_state = IV;
        for block in prefix[..full].chunks_exact(BLOCK_LEN) {
            sha1::compress(&mut prefix_state, &[Block::clone_from_slice(block)]);
        }
        Sha1Deriver::Concat {
            prefix_state,
            prefix_hashed: full as u64,
            prefix_tail: prefix[full..].to_vec(),
        }
    }

    /// The HMAC states of the key derived from `secret`.
    #[inline]
    pub(crate) fn derive(&self, secret: &[u8]) -> KeyStates {
        match self {
            Sha1Deriver::Hmac { padded_salt } => {
                let secret_states = KeyStates::from_key(secret);
                KeyStates::from_digest(&secret_states.mac_blocks(padded_salt))
            }
            Sha1Deriver::Concat {
                prefix_state,
                prefix_hashed,
                prefix_tail,
            } => KeyStates::from_digest(&sha1_continue(
                *prefix_state,
                *prefix_hashed,
                &[prefix_tail, secret],
            )),
            Sha1Deriver::None => KeyStates::from_key(secret),
        }
    }
}

/// One token's check on the fast path: its padded message blocks and expected signature.
#[derive(Debug, Clone)]
pub(crate) struct Sha1Check {
    padded_message: Vec<Block>,
    expected: [u32; 5],
}

impl Sha1Check {
    /// `signature` must be 20 bytes; `None` otherwise.
    pub(crate) fn new(message: &[u8], signature: &[u8]) -> Option<Self> {
        let sig: &[u8; DIGEST_LEN] = signature.try_into().ok()?;
        let mut expected = [0u32; 5];
        for (i, word) in expected.iter_mut().enumerate() {
            *word =
                u32::from_be_bytes([sig[i * 4], sig[i * 4 + 1], sig[i * 4 + 2], sig[i * 4 + 3]]);
        }
        Some(Sha1Check {
            padded_message: padded_tail_blocks(BLOCK_LEN as u64, message),
            expected,
        })
    }

    /// Whether the key's HMAC of the message equals the full expected signature.
    #[inline(always)]
    pub(crate) fn matches(&self, key: &KeyStates) -> bool {
        key.mac_blocks(&self.padded_message) == self.expected
    }
}

/// HMAC-SHA1 via the fast path, as bytes (used to cross-check against the `hmac` crate).
#[cfg(test)]
pub(crate) fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; DIGEST_LEN] {
    let words = KeyStates::from_key(key).mac_blocks(&padded_tail_blocks(BLOCK_LEN as u64, message));
    let mut out = [0u8; DIGEST_LEN];
    for (i, w) in words.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;
    use sha1::{Digest as _, Sha1};

    fn reference_hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha1> as hmac::digest::KeyInit>::new_from_slice(key).expect("any key");
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }

    fn state_bytes(words: &[u32; 5]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_be_bytes()).collect()
    }

    #[test]
    fn message_lengths_around_block_boundaries_match_hmac_crate() {
        for len in [
            0, 1, 54, 55, 56, 63, 64, 65, 118, 119, 120, 127, 128, 200, 1000,
        ] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(
                hmac_sha1(b"k", &msg).to_vec(),
                reference_hmac(b"k", &msg),
                "len {len}"
            );
        }
    }

    #[test]
    fn key_longer_than_a_block_is_hashed_first() {
        for len in [63, 64, 65, 130] {
            let key = vec![7u8; len];
            assert_eq!(
                hmac_sha1(&key, b"m").to_vec(),
                reference_hmac(&key, b"m"),
                "len {len}"
            );
        }
    }

    proptest! {
        #[test]
        fn fast_hmac_sha1_equals_hmac_crate(key in proptest::collection::vec(any::<u8>(), 0..150),
                                           msg in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(hmac_sha1(&key, &msg).to_vec(), reference_hmac(&key, &msg));
        }

        #[test]
        fn fast_derivations_equal_reference(secret in proptest::collection::vec(any::<u8>(), 0..150),
                                            salt in proptest::collection::vec(any::<u8>(), 0..140)) {
            // hmac derivation
            let derived = Sha1Deriver::hmac(&salt).derive(&secret);
            prop_assert_eq!(derived, KeyStates::from_key(&reference_hmac(&secret, &salt)));
            // concat derivation (prefix crosses block boundaries for long salts)
            let derived = Sha1Deriver::concat(&salt).derive(&secret);
            let mut h = Sha1::new();
            h.update(&salt);
            h.update(&secret);
            prop_assert_eq!(derived, KeyStates::from_key(&h.finalize()));
            // sha1_continue of nothing more than the prefix is plain SHA-1
            prop_assert_eq!(state_bytes(&sha1_continue(IV, 0, &[&salt])), Sha1::digest(&salt).to_vec());
        }
    }
}
