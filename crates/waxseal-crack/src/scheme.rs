//! How a secret becomes a signature: digest, key derivation and salt (itsdangerous 2.2 semantics).
//!
//! The digest and key-derivation types are the core crate's ([`waxseal::Digest`],
//! [`waxseal::KeyDerivation`]), so a scheme named on the command line means the same thing to
//! the signer and to the cracker.

use std::fmt;

pub use waxseal::{Digest, KeyDerivation};

/// The digests whose output length equals a decoded signature's length (empty if none does).
///
/// ```
/// use waxseal_crack::{digests_for_signature_len, Digest};
/// assert_eq!(digests_for_signature_len(20), vec![Digest::Sha1]);
/// assert!(digests_for_signature_len(21).is_empty());
/// ```
pub fn digests_for_signature_len(len: usize) -> Vec<Digest> {
    Digest::from_output_len(len).into_iter().collect()
}

/// One complete way of turning a candidate secret into a signature: salt, derivation and digest.
///
/// ```
/// use waxseal_crack::{Digest, KeyDerivation, Scheme};
/// let flask = Scheme::flask_session();
/// assert_eq!(flask.salt, b"cookie-session");
/// assert_eq!(flask.derivation, KeyDerivation::Hmac);
/// assert_eq!(flask.digest, Digest::Sha1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// The salt mixed into key derivation (ignored by [`KeyDerivation::None`]).
    pub salt: Vec<u8>,
    /// How the HMAC key is derived from the secret and salt.
    pub derivation: KeyDerivation,
    /// The hash function.
    pub digest: Digest,
}

/// Flask's session salt.
pub const FLASK_SESSION_SALT: &[u8] = b"cookie-session";
/// The default salt of itsdangerous' `Signer`/`TimestampSigner`.
pub const SIGNER_DEFAULT_SALT: &[u8] = b"itsdangerous.Signer";
/// The default salt of itsdangerous' serializers (`URLSafeSerializer`, ...).
pub const SERIALIZER_DEFAULT_SALT: &[u8] = b"itsdangerous";

impl Scheme {
    /// A scheme from its parts.
    ///
    /// ```
    /// use waxseal_crack::{Digest, KeyDerivation, Scheme};
    /// let s = Scheme::new(b"itsdangerous".to_vec(), KeyDerivation::DjangoConcat, Digest::Sha1);
    /// assert_eq!(s.to_string(), "salt=\"itsdangerous\" derivation=django-concat digest=sha1");
    /// ```
    pub fn new(salt: impl Into<Vec<u8>>, derivation: KeyDerivation, digest: Digest) -> Self {
        Scheme {
            salt: salt.into(),
            derivation,
            digest,
        }
    }

    /// Flask's session cookie scheme: salt `cookie-session`, `hmac` derivation, SHA-1.
    ///
    /// ```
    /// assert_eq!(waxseal_crack::Scheme::flask_session().digest, waxseal_crack::Digest::Sha1);
    /// ```
    pub fn flask_session() -> Self {
        Scheme::new(FLASK_SESSION_SALT, KeyDerivation::Hmac, Digest::Sha1)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "salt={:?} derivation={} digest={}",
            String::from_utf8_lossy(&self.salt),
            self.derivation,
            self.digest
        )
    }
}
