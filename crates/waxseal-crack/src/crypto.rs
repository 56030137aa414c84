//! Digest dispatch: the SHA-1 fast path and the generic `hmac`-crate path for other digests.

use crate::scheme::{Digest, KeyDerivation, Scheme};
use crate::sha1_fast::{KeyStates, Sha1Check, Sha1Deriver};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// The `django-concat` marker inserted between salt and secret.
const DJANGO_CONCAT_MARKER: &[u8] = b"signer";

/// Computes the itsdangerous signature of `message` under `secret` with `scheme`, using the
/// plain `hmac` crate (the reference the fast path is checked against).
///
/// ```
/// use waxseal_crack::{sign, Scheme};
/// let sig = sign(&Scheme::flask_session(), b"secret", b"eyJhIjoxfQ.ZKhJkA");
/// assert_eq!(sig.len(), 20);
/// ```
pub fn sign(scheme: &Scheme, secret: &[u8], message: &[u8]) -> Vec<u8> {
    macro_rules! with_digest {
        ($d:ty) => {{
            let key = generic_derive(scheme, secret);
            let mut mac = <Hmac<$d> as KeyInit>::new_from_slice(&key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }};
    }
    match scheme.digest {
        Digest::Sha1 => with_digest!(Sha1),
        Digest::Sha224 => with_digest!(Sha224),
        Digest::Sha256 => with_digest!(Sha256),
        Digest::Sha384 => with_digest!(Sha384),
        Digest::Sha512 => with_digest!(Sha512),
        Digest::Md5 => with_digest!(Md5),
    }
}

/// The core's key derivation ([`waxseal::signer::derive_key`]), so the engine's generic path and
/// the signer agree by construction.
fn generic_derive(scheme: &Scheme, secret: &[u8]) -> Vec<u8> {
    waxseal::signer::derive_key(scheme.derivation, scheme.digest, &scheme.salt, secret)
}

/// Precomputed key derivation for one scheme (shared by every token using that scheme).
#[derive(Debug, Clone)]
pub(crate) enum Deriver {
    Sha1(Sha1Deriver),
    Generic(Scheme),
}

/// A candidate's derived key, ready to verify signatures.
pub(crate) enum KeyedMac {
    Sha1(KeyStates),
    Sha224(Hmac<Sha224>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
    Md5(Hmac<Md5>),
}

impl Deriver {
    pub(crate) fn new(scheme: &Scheme) -> Deriver {
        if scheme.digest != Digest::Sha1 {
            return Deriver::Generic(scheme.clone());
        }
        Deriver::Sha1(match scheme.derivation {
            KeyDerivation::Hmac => Sha1Deriver::hmac(&scheme.salt),
            KeyDerivation::DjangoConcat => {
                Sha1Deriver::concat(&[scheme.salt.as_slice(), DJANGO_CONCAT_MARKER].concat())
            }
            KeyDerivation::Concat => Sha1Deriver::concat(&scheme.salt),
            KeyDerivation::None => Sha1Deriver::None,
        })
    }

    #[inline]
    pub(crate) fn derive(&self, secret: &[u8]) -> KeyedMac {
        macro_rules! keyed {
            ($scheme:expr, $d:ty, $variant:ident) => {{
                let key = generic_derive($scheme, secret);
                KeyedMac::$variant(
                    <Hmac<$d> as KeyInit>::new_from_slice(&key)
                        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length")),
                )
            }};
        }
        match self {
            Deriver::Sha1(fast) => KeyedMac::Sha1(fast.derive(secret)),
            Deriver::Generic(scheme) => match scheme.digest {
                Digest::Sha1 => {
                    KeyedMac::Sha1(KeyStates::from_key(&generic_derive(scheme, secret)))
                }
                Digest::Sha224 => keyed!(scheme, Sha224, Sha224),
                Digest::Sha256 => keyed!(scheme, Sha256, Sha256),
                Digest::Sha384 => keyed!(scheme, Sha384, Sha384),
                Digest::Sha512 => keyed!(scheme, Sha512, Sha512),
                Digest::Md5 => keyed!(scheme, Md5, Md5),
            },
        }
    }
}

/// One token's signature check under one scheme.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    Sha1(Sha1Check),
    Generic {
        message: Vec<u8>,
        signature: Vec<u8>,
    },
}

impl Check {
    pub(crate) fn new(digest: Digest, message: &[u8], signature: &[u8]) -> Check {
        if digest == Digest::Sha1 {
            if let Some(fast) = Sha1Check::new(message, signature) {
                return Check::Sha1(fast);
            }
        }
        Check::Generic {
            message: message.to_vec(),
            signature: signature.to_vec(),
        }
    }

    /// Fast-path check: whether the SHA-1 key states reproduce the full signature.
    #[inline(always)]
    pub(crate) fn matches_sha1(&self, states: &KeyStates) -> bool {
        match self {
            Check::Sha1(check) => check.matches(states),
            Check::Generic { .. } => false,
        }
    }

    /// Whether the keyed MAC reproduces the full signature.
    #[inline]
    pub(crate) fn matches(&self, keyed: &KeyedMac) -> bool {
        macro_rules! generic {
            ($mac:expr, $message:expr, $signature:expr) => {
                $mac.clone()
                    .chain_update($message)
                    .finalize()
                    .into_bytes()
                    .as_slice()
                    == $signature.as_slice()
            };
        }
        match (self, keyed) {
            (Check::Sha1(check), KeyedMac::Sha1(states)) => check.matches(states),
            (Check::Generic { message, signature }, keyed) => match keyed {
                KeyedMac::Sha1(_) => false,
                KeyedMac::Sha224(m) => generic!(m, message, signature),
                KeyedMac::Sha256(m) => generic!(m, message, signature),
                KeyedMac::Sha384(m) => generic!(m, message, signature),
                KeyedMac::Sha512(m) => generic!(m, message, signature),
                KeyedMac::Md5(m) => generic!(m, message, signature),
            },
            (Check::Sha1(_), _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scheme_strategy() -> impl Strategy<Value = Scheme> {
        (
            proptest::collection::vec(any::<u8>(), 0..80),
            proptest::sample::select(KeyDerivation::ALL.to_vec()),
            proptest::sample::select(Digest::ALL.to_vec()),
        )
            .prop_map(|(salt, derivation, digest)| Scheme::new(salt, derivation, digest))
    }

    proptest! {
        /// The engine's path (fast SHA-1 or generic) accepts exactly the reference signature.
        #[test]
        fn engine_path_accepts_reference_signature_and_rejects_others(
            scheme in scheme_strategy(),
            secret in proptest::collection::vec(any::<u8>(), 0..150),
            message in proptest::collection::vec(any::<u8>(), 0..250),
            flip in any::<usize>(),
        ) {
            let signature = sign(&scheme, &secret, &message);
            let keyed = Deriver::new(&scheme).derive(&secret);
            prop_assert!(Check::new(scheme.digest, &message, &signature).matches(&keyed));
            let mut wrong = signature.clone();
            let at = flip % wrong.len();
            wrong[at] ^= 1;
            prop_assert!(!Check::new(scheme.digest, &message, &wrong).matches(&keyed));
        }
    }
}
