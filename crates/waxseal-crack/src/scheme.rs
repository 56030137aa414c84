//! How a secret becomes a signature: digest, key derivation and salt (itsdangerous 2.2 semantics).

use std::fmt;

/// The hash function used both for key derivation and for the HMAC signature.
///
/// ```
/// use waxseal_crack::Digest;
/// assert_eq!(Digest::Sha1.output_len(), 20);
/// assert_eq!(Digest::from_signature_len(64), vec![Digest::Sha512]);
/// assert_eq!("sha256".parse::<Digest>().unwrap(), Digest::Sha256);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digest {
    /// SHA-1, Flask's and itsdangerous' default.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// MD5.
    Md5,
}

impl Digest {
    /// Every supported digest, in the order used for detection.
    pub const ALL: [Digest; 6] = [
        Digest::Sha1,
        Digest::Sha224,
        Digest::Sha256,
        Digest::Sha384,
        Digest::Sha512,
        Digest::Md5,
    ];

    /// Length in bytes of this digest's output (and so of an HMAC signature made with it).
    ///
    /// ```
    /// assert_eq!(waxseal_crack::Digest::Md5.output_len(), 16);
    /// ```
    pub fn output_len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha224 => 28,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            Digest::Sha512 => 64,
            Digest::Md5 => 16,
        }
    }

    /// The digests whose output length equals a decoded signature's length (empty if none does).
    ///
    /// ```
    /// use waxseal_crack::Digest;
    /// assert_eq!(Digest::from_signature_len(20), vec![Digest::Sha1]);
    /// assert!(Digest::from_signature_len(21).is_empty());
    /// ```
    pub fn from_signature_len(len: usize) -> Vec<Digest> {
        Digest::ALL
            .into_iter()
            .filter(|d| d.output_len() == len)
            .collect()
    }

    /// The lower-case name used by `hashlib` (`sha1`, `sha256`, `md5`, ...).
    ///
    /// ```
    /// assert_eq!(waxseal_crack::Digest::Sha384.name(), "sha384");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Digest::Sha1 => "sha1",
            Digest::Sha224 => "sha224",
            Digest::Sha256 => "sha256",
            Digest::Sha384 => "sha384",
            Digest::Sha512 => "sha512",
            Digest::Md5 => "md5",
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Digest {
    type Err = crate::CrackError;

    /// Parses a `hashlib` name, case-insensitively (`sha-256` is accepted too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_ascii_lowercase().replace('-', "");
        Digest::ALL
            .into_iter()
            .find(|d| d.name() == wanted)
            .ok_or_else(|| crate::CrackError::UnknownDigest(s.to_owned()))
    }
}

/// How itsdangerous turns `(secret, salt)` into the HMAC key (`Signer(key_derivation=...)`).
///
/// ```
/// use waxseal_crack::KeyDerivation;
/// assert_eq!("django-concat".parse::<KeyDerivation>().unwrap(), KeyDerivation::DjangoConcat);
/// assert_eq!(KeyDerivation::Hmac.name(), "hmac");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyDerivation {
    /// `HMAC(secret, salt)`; what Flask's session interface uses.
    Hmac,
    /// `H(salt + b"signer" + secret)`; itsdangerous' default.
    DjangoConcat,
    /// `H(salt + secret)`.
    Concat,
    /// The secret itself is the HMAC key (salt ignored).
    None,
}

impl KeyDerivation {
    /// Every supported derivation.
    pub const ALL: [KeyDerivation; 4] = [
        KeyDerivation::Hmac,
        KeyDerivation::DjangoConcat,
        KeyDerivation::Concat,
        KeyDerivation::None,
    ];

    /// The name itsdangerous uses for this derivation.
    ///
    /// ```
    /// assert_eq!(waxseal_crack::KeyDerivation::None.name(), "none");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            KeyDerivation::Hmac => "hmac",
            KeyDerivation::DjangoConcat => "django-concat",
            KeyDerivation::Concat => "concat",
            KeyDerivation::None => "none",
        }
    }
}

impl fmt::Display for KeyDerivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyDerivation {
    type Err = crate::CrackError;

    /// Parses an itsdangerous derivation name (`hmac`, `django-concat`, `concat`, `none`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyDerivation::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| crate::CrackError::UnknownKeyDerivation(s.to_owned()))
    }
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
