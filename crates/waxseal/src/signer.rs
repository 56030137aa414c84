//! The signer layer: `value SEP base64(HMAC(derive(secret, salt), value))`, with key rotation.
//!
//! This mirrors itsdangerous's `Signer`: a salt that separates signing contexts, a key
//! derivation, a digest and a separator, with the same defaults (`itsdangerous.Signer`,
//! `django-concat`, SHA-1, `.`). A signer holds a keyring: one current key that signs, and
//! fallback keys that are only accepted, tried in order after the current one.
//!
//! Keys are derived, and the keyed HMAC states computed, once when the signer is built; signing
//! and verifying then only clone a prepared state.

use crate::encoding::{base64_decode_to_slice, base64_encode_into};
use crate::error::{ConfigError, Error};
use crate::hmac_sha1::{HmacSha1, TAG_LEN};
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The hash function inside the HMAC (and inside the key derivation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digest {
    /// SHA-1: itsdangerous's and Flask's default. Still sound inside HMAC.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// MD5: only for verifying legacy tokens; requires [`SignerBuilder::allow_legacy_md5`].
    Md5,
}

impl Digest {
    /// Every digest, in the order of their output sizes.
    pub const ALL: [Digest; 6] = [
        Digest::Md5,
        Digest::Sha1,
        Digest::Sha224,
        Digest::Sha256,
        Digest::Sha384,
        Digest::Sha512,
    ];

    /// The output size in bytes (also the decoded length of a signature).
    ///
    /// ```
    /// assert_eq!(waxseal::Digest::Sha1.output_len(), 20);
    /// ```
    pub fn output_len(self) -> usize {
        match self {
            Digest::Md5 => 16,
            Digest::Sha1 => 20,
            Digest::Sha224 => 28,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            Digest::Sha512 => 64,
        }
    }

    /// The digest whose output is `len` bytes, if any: what a signature's length implies.
    ///
    /// ```
    /// assert_eq!(waxseal::Digest::from_output_len(32), Some(waxseal::Digest::Sha256));
    /// ```
    pub fn from_output_len(len: usize) -> Option<Digest> {
        Digest::ALL.into_iter().find(|d| d.output_len() == len)
    }

    /// The lowercase name (`sha1`, `sha256`, `md5`, …), as hashlib spells it.
    ///
    /// ```
    /// assert_eq!(waxseal::Digest::Sha256.name(), "sha256");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Digest::Md5 => "md5",
            Digest::Sha1 => "sha1",
            Digest::Sha224 => "sha224",
            Digest::Sha256 => "sha256",
            Digest::Sha384 => "sha384",
            Digest::Sha512 => "sha512",
        }
    }

    /// Parses a hashlib name (`sha1`, `SHA-256`, …).
    ///
    /// ```
    /// assert_eq!(waxseal::Digest::from_name("SHA-512"), Some(waxseal::Digest::Sha512));
    /// ```
    pub fn from_name(name: &str) -> Option<Digest> {
        let n = name.to_ascii_lowercase().replace('-', "");
        Digest::ALL.into_iter().find(|d| d.name() == n)
    }

    fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: digest::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Digest::Md5 => run::<md5::Md5>(parts),
            Digest::Sha1 => run::<sha1::Sha1>(parts),
            Digest::Sha224 => run::<sha2::Sha224>(parts),
            Digest::Sha256 => run::<sha2::Sha256>(parts),
            Digest::Sha384 => run::<sha2::Sha384>(parts),
            Digest::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// How the signing key is derived from the secret key and the salt (itsdangerous's
/// `key_derivation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyDerivation {
    /// `H(salt + secret)`.
    Concat,
    /// `H(salt + b"signer" + secret)`: itsdangerous's default.
    #[default]
    DjangoConcat,
    /// `HMAC(secret, salt)`: what Flask's session interface uses.
    Hmac,
    /// The secret itself; the salt is ignored.
    None,
}

impl KeyDerivation {
    /// Every key derivation.
    pub const ALL: [KeyDerivation; 4] = [Self::Concat, Self::DjangoConcat, Self::Hmac, Self::None];

    /// The itsdangerous name: `concat`, `django-concat`, `hmac` or `none`.
    ///
    /// ```
    /// assert_eq!(waxseal::KeyDerivation::DjangoConcat.name(), "django-concat");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            KeyDerivation::Concat => "concat",
            KeyDerivation::DjangoConcat => "django-concat",
            KeyDerivation::Hmac => "hmac",
            KeyDerivation::None => "none",
        }
    }

    /// Parses an itsdangerous name.
    ///
    /// ```
    /// assert_eq!(waxseal::KeyDerivation::from_name("hmac"), Some(waxseal::KeyDerivation::Hmac));
    /// ```
    pub fn from_name(name: &str) -> Option<KeyDerivation> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A digest or key-derivation name that is not one of the known ones.
///
/// ```
/// let err = "sha3".parse::<waxseal::Digest>().unwrap_err();
/// assert_eq!(err.to_string(), r#"unknown digest "sha3"; expected one of: md5, sha1, sha224, sha256, sha384, sha512"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {name:?}; expected one of: {}", known_names(what))]
pub struct UnknownName {
    /// What was being named: `digest` or `key derivation`.
    pub what: &'static str,
    /// The name given.
    pub name: String,
}

fn known_names(what: &str) -> String {
    let known: Vec<&str> = match what {
        "digest" => Digest::ALL.iter().map(|d| d.name()).collect(),
        _ => KeyDerivation::ALL.iter().map(|k| k.name()).collect(),
    };
    known.join(", ")
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Digest {
    type Err = UnknownName;

    /// Parses a hashlib name, ignoring case and dashes (`sha256`, `SHA-256`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::from_name(s).ok_or_else(|| UnknownName {
            what: "digest",
            name: s.to_owned(),
        })
    }
}

impl std::fmt::Display for KeyDerivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for KeyDerivation {
    type Err = UnknownName;

    /// Parses an itsdangerous name (`hmac`, `django-concat`, `concat`, `none`), ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyDerivation::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownName {
                what: "key derivation",
                name: s.to_owned(),
            })
    }
}

/// Derives the signing key from a secret key, as itsdangerous's `Signer.derive_key` does.
///
/// Flask's session key is `derive_key(Hmac, Sha1, b"cookie-session", secret)`:
///
/// ```
/// use waxseal::signer::derive_key;
/// use waxseal::{Digest, KeyDerivation};
/// let key = derive_key(KeyDerivation::Hmac, Digest::Sha1, b"cookie-session", b"secret");
/// assert_eq!(key.len(), 20);
/// ```
pub fn derive_key(
    derivation: KeyDerivation,
    digest: Digest,
    salt: &[u8],
    secret: &[u8],
) -> Vec<u8> {
    match derivation {
        KeyDerivation::Concat => digest.hash(&[salt, secret]),
        KeyDerivation::DjangoConcat => digest.hash(&[salt, b"signer", secret]),
        KeyDerivation::Hmac => {
            let mac = MacState::new(digest, secret);
            mac.compute(salt).as_slice().to_vec()
        }
        KeyDerivation::None => secret.to_vec(),
    }
}

/// A signature: at most 64 bytes (SHA-512), kept on the stack.
#[derive(Clone, Copy)]
pub struct SignatureBytes {
    bytes: [u8; 64],
    len: usize,
}

impl SignatureBytes {
    /// The signature bytes.
    ///
    /// ```
    /// let sig = waxseal::Signer::new("k")?.signature(b"v");
    /// assert_eq!(sig.as_slice().len(), 20); // SHA-1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Debug for SignatureBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignatureBytes({} bytes)", self.len)
    }
}

/// A keyed HMAC state, prepared once per key so each signature costs only the message blocks.
#[derive(Clone)]
enum MacState {
    Md5(Hmac<md5::Md5>),
    /// Flask's digest: raw compression states (see [`crate::hmac_sha1`]), the hot path.
    Sha1(HmacSha1),
    Sha224(Hmac<sha2::Sha224>),
    Sha256(Hmac<sha2::Sha256>),
    Sha384(Hmac<sha2::Sha384>),
    Sha512(Hmac<sha2::Sha512>),
}

impl MacState {
    fn new(digest: Digest, key: &[u8]) -> MacState {
        // HMAC accepts keys of any length, so new_from_slice cannot fail; the fallback only
        // satisfies the type system without a panic path.
        macro_rules! keyed {
            ($v:ident, $t:ty) => {
                MacState::$v(
                    <Hmac<$t> as Mac>::new_from_slice(key)
                        .unwrap_or_else(|_| <Hmac<$t> as Mac>::new(&Default::default())),
                )
            };
        }
        match digest {
            Digest::Md5 => keyed!(Md5, md5::Md5),
            Digest::Sha1 => MacState::Sha1(HmacSha1::new(key)),
            Digest::Sha224 => keyed!(Sha224, sha2::Sha224),
            Digest::Sha256 => keyed!(Sha256, sha2::Sha256),
            Digest::Sha384 => keyed!(Sha384, sha2::Sha384),
            Digest::Sha512 => keyed!(Sha512, sha2::Sha512),
        }
    }

    fn compute(&self, value: &[u8]) -> SignatureBytes {
        let mut out = SignatureBytes {
            bytes: [0; 64],
            len: 0,
        };
        macro_rules! run {
            ($m:expr) => {{
                let mut m = $m.clone();
                m.update(value);
                let tag = m.finalize().into_bytes();
                out.bytes[..tag.len()].copy_from_slice(&tag);
                out.len = tag.len();
            }};
        }
        match self {
            MacState::Md5(m) => run!(m),
            MacState::Sha1(m) => {
                out.bytes[..TAG_LEN].copy_from_slice(&m.tag(value));
                out.len = TAG_LEN;
            }
            MacState::Sha224(m) => run!(m),
            MacState::Sha256(m) => run!(m),
            MacState::Sha384(m) => run!(m),
            MacState::Sha512(m) => run!(m),
        }
        out
    }
}

/// The settings that, with the keys, determine a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerSettings {
    /// Separates signing contexts; part of the derived key.
    pub salt: Vec<u8>,
    /// The byte between value and signature (and timestamp).
    pub separator: u8,
    /// How the signing key is derived from the secret and the salt.
    pub key_derivation: KeyDerivation,
    /// The hash inside the HMAC and the key derivation.
    pub digest: Digest,
}

impl Default for SignerSettings {
    /// itsdangerous's `Signer` defaults: salt `itsdangerous.Signer`, separator `.`,
    /// `django-concat`, SHA-1.
    fn default() -> Self {
        SignerSettings {
            salt: b"itsdangerous.Signer".to_vec(),
            separator: b'.',
            key_derivation: KeyDerivation::DjangoConcat,
            digest: Digest::Sha1,
        }
    }
}

impl SignerSettings {
    /// Flask's session settings: salt `cookie-session`, `hmac` derivation, SHA-1.
    ///
    /// ```
    /// let s = waxseal::signer::SignerSettings::flask();
    /// assert_eq!(s.salt, b"cookie-session");
    /// ```
    pub fn flask() -> Self {
        SignerSettings {
            salt: b"cookie-session".to_vec(),
            key_derivation: KeyDerivation::Hmac,
            ..SignerSettings::default()
        }
    }
}

/// Builds a [`Signer`]; start with [`Signer::builder`].
#[derive(Clone)]
pub struct SignerBuilder {
    settings: SignerSettings,
    /// Copies of the secret keys until `build`; zeroed when the builder is dropped.
    keys: Vec<Zeroizing<Vec<u8>>>,
    allow_md5: bool,
}

impl std::fmt::Debug for SignerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerBuilder")
            .field("settings", &self.settings)
            .field("keys", &format_args!("[{} keys hidden]", self.keys.len()))
            .finish()
    }
}

impl SignerBuilder {
    /// Sets the salt (default `itsdangerous.Signer`).
    ///
    /// ```
    /// let a = waxseal::Signer::builder("k").salt("a").build()?;
    /// let b = waxseal::Signer::builder("k").salt("b").build()?;
    /// assert_ne!(a.sign(b"v"), b.sign(b"v"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn salt(mut self, salt: impl AsRef<[u8]>) -> Self {
        self.settings.salt = salt.as_ref().to_vec();
        self
    }

    /// Sets the separator (default `.`). Letters, digits, `-`, `_`, `=` and non-ASCII bytes are
    /// refused by [`SignerBuilder::build`], as in itsdangerous, because they can occur inside a
    /// signature.
    ///
    /// ```
    /// let s = waxseal::Signer::builder("k").separator(b'|').build()?;
    /// assert!(s.sign(b"v").starts_with(b"v|"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn separator(mut self, separator: u8) -> Self {
        self.settings.separator = separator;
        self
    }

    /// Sets the key derivation (default `django-concat`).
    ///
    /// ```
    /// use waxseal::{KeyDerivation, Signer};
    /// let s = Signer::builder("k").key_derivation(KeyDerivation::Hmac).build()?;
    /// assert_eq!(s.settings().key_derivation, KeyDerivation::Hmac);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_derivation(mut self, derivation: KeyDerivation) -> Self {
        self.settings.key_derivation = derivation;
        self
    }

    /// Sets the digest (default SHA-1).
    ///
    /// ```
    /// use waxseal::{Digest, Signer};
    /// let s = Signer::builder("k").digest(Digest::Sha256).build()?;
    /// assert_eq!(s.signature(b"v").as_slice().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.settings.digest = digest;
        self
    }

    /// Replaces all settings at once.
    ///
    /// ```
    /// use waxseal::signer::SignerSettings;
    /// let s = waxseal::Signer::builder("k").settings(SignerSettings::flask()).build()?;
    /// assert_eq!(s.settings().salt, b"cookie-session");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settings(mut self, settings: SignerSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Adds a fallback key: accepted when verifying, never used to sign. Fallbacks are tried in
    /// the order they are added, after the current key. An empty fallback key is refused by
    /// [`SignerBuilder::build`] like an empty current key.
    ///
    /// ```
    /// let old = waxseal::Signer::new("old-key")?;
    /// let token = old.sign(b"value");
    /// let signer = waxseal::Signer::builder("new-key").fallback_key("old-key").build()?;
    /// assert_eq!(signer.unsign(&token)?.key_index, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fallback_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.keys.push(Zeroizing::new(key.as_ref().to_vec()));
        self
    }

    /// Permits [`Digest::Md5`]. MD5 is broken as a hash; it is here only so old tokens can
    /// still be verified during a migration.
    ///
    /// ```
    /// use waxseal::{Digest, Signer};
    /// assert!(Signer::builder("k").digest(Digest::Md5).build().is_err());
    /// assert!(Signer::builder("k").digest(Digest::Md5).allow_legacy_md5().build().is_ok());
    /// ```
    pub fn allow_legacy_md5(mut self) -> Self {
        self.allow_md5 = true;
        self
    }

    /// Builds the signer, deriving every key once. Refuses an empty key (current or fallback),
    /// a separator that can occur inside a signature, and MD5 unless allowed.
    ///
    /// ```
    /// use waxseal::{ConfigError, Signer};
    /// let err = Signer::builder("k").separator(b'a').build().unwrap_err();
    /// assert!(err.to_string().contains("separator"));
    /// let err = Signer::builder("k").fallback_key("").build().unwrap_err();
    /// assert_eq!(err, ConfigError::EmptyKey { index: 1 });
    /// ```
    pub fn build(self) -> Result<Signer, ConfigError> {
        let sep = self.settings.separator;
        if !sep.is_ascii() || sep.is_ascii_alphanumeric() || b"-_=".contains(&sep) {
            return Err(ConfigError::BadSeparator(sep));
        }
        if self.settings.digest == Digest::Md5 && !self.allow_md5 {
            return Err(ConfigError::Md5NotAllowed);
        }
        if self.keys.is_empty() {
            return Err(ConfigError::NoKey);
        }
        if let Some(index) = self.keys.iter().position(|k| k.is_empty()) {
            return Err(ConfigError::EmptyKey { index });
        }
        let keys: Vec<&[u8]> = self.keys.iter().map(|k| k.as_slice()).collect();
        Ok(Signer::prepare(self.settings, &keys))
    }
}

/// A verified value and which key proved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsigned<'a> {
    /// The signed value, now authenticated.
    pub value: &'a [u8],
    /// 0 if the current key matched, `n` if the `n`-th fallback key did.
    pub key_index: usize,
}

/// Signs values and verifies signed values (itsdangerous's `Signer`).
///
/// ```
/// use waxseal::Signer;
/// let signer = Signer::new("secret-key")?;
/// let token = signer.sign(b"my string");
/// assert_eq!(token, b"my string.wh6tMHxLgJqB6oY1uT73iMlyrOA");
/// assert_eq!(signer.unsign(&token)?.value, b"my string");
/// assert!(signer.unsign(b"my string.xh6tMHxLgJqB6oY1uT73iMlyrOA").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    settings: SignerSettings,
    /// One prepared HMAC state per key: index 0 is the current key.
    macs: Vec<MacState>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("settings", &self.settings)
            .field("keys", &self.macs.len())
            .finish()
    }
}

impl Signer {
    /// A signer with itsdangerous's defaults and one key; an empty key is refused
    /// ([`ConfigError::EmptyKey`]).
    ///
    /// ```
    /// use waxseal::{ConfigError, Signer};
    /// let signer = Signer::new("secret-key")?;
    /// assert_eq!(signer.key_count(), 1);
    /// assert_eq!(Signer::new("").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<Signer, ConfigError> {
        Signer::builder(secret_key).build()
    }

    /// Derives every key and prepares its HMAC state, once. The settings and keys must be valid
    /// ([`SignerBuilder::build`] checks them).
    fn prepare(settings: SignerSettings, keys: &[impl AsRef<[u8]>]) -> Signer {
        let s = &settings;
        let macs = keys
            .iter()
            .map(|k| {
                // The derived key is as sensitive as the secret: zeroed once the state is keyed.
                let derived =
                    Zeroizing::new(derive_key(s.key_derivation, s.digest, &s.salt, k.as_ref()));
                MacState::new(s.digest, &derived)
            })
            .collect();
        Signer { settings, macs }
    }

    /// Starts a builder whose current (signing) key is `secret_key`.
    ///
    /// ```
    /// let s = waxseal::Signer::builder("new").fallback_key("old").build()?;
    /// assert_eq!(s.key_count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(secret_key: impl AsRef<[u8]>) -> SignerBuilder {
        SignerBuilder {
            settings: SignerSettings::default(),
            keys: vec![Zeroizing::new(secret_key.as_ref().to_vec())],
            allow_md5: false,
        }
    }

    /// The settings this signer uses.
    ///
    /// ```
    /// assert_eq!(waxseal::Signer::new("k")?.settings().separator, b'.');
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settings(&self) -> &SignerSettings {
        &self.settings
    }

    /// How many keys it accepts (the current key plus the fallbacks).
    ///
    /// ```
    /// assert_eq!(waxseal::Signer::new("k")?.key_count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_count(&self) -> usize {
        self.macs.len()
    }

    /// The raw signature of `value` under the current key.
    ///
    /// ```
    /// let s = waxseal::Signer::new("secret-key")?;
    /// let token = s.sign(b"my string");
    /// let b64 = waxseal::encoding::base64_encode(s.signature(b"my string").as_slice());
    /// assert!(token.ends_with(b64.as_bytes()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signature(&self, value: &[u8]) -> SignatureBytes {
        self.macs[0].compute(value)
    }

    /// The raw signature of `value` under key `index` (0 = current), if it exists.
    ///
    /// ```
    /// let s = waxseal::Signer::builder("new").fallback_key("old").build()?;
    /// let old = waxseal::Signer::new("old")?;
    /// assert_eq!(s.signature_with_key(b"v", 1).map(|x| x.as_slice().to_vec()), Some(old.signature(b"v").as_slice().to_vec()));
    /// assert!(s.signature_with_key(b"v", 2).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signature_with_key(&self, value: &[u8], index: usize) -> Option<SignatureBytes> {
        self.macs.get(index).map(|m| m.compute(value))
    }

    /// Returns `value SEP signature`.
    ///
    /// ```
    /// assert_eq!(waxseal::Signer::new("secret-key")?.sign(b"my string"), b"my string.wh6tMHxLgJqB6oY1uT73iMlyrOA");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(value.len() + 90);
        self.sign_into(value, &mut out);
        out
    }

    /// Appends `value SEP signature` to `out`.
    ///
    /// ```
    /// let mut out = b"prefix:".to_vec();
    /// waxseal::Signer::new("secret-key")?.sign_into(b"my string", &mut out);
    /// assert_eq!(out, b"prefix:my string.wh6tMHxLgJqB6oY1uT73iMlyrOA");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_into(&self, value: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(value);
        out.push(self.settings.separator);
        base64_encode_into(self.signature(value).as_slice(), out);
    }

    /// Checks a base64 signature of `value` against every key, current first, and returns the
    /// index of the key that matched. The comparison is constant-time, so the time taken does
    /// not reveal how much of a forged signature was right.
    ///
    /// ```
    /// let s = waxseal::Signer::new("secret-key")?;
    /// assert_eq!(s.verify_signature(b"my string", b"wh6tMHxLgJqB6oY1uT73iMlyrOA"), Some(0));
    /// assert_eq!(s.verify_signature(b"my string", b"not-it"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_signature(&self, value: &[u8], signature_b64: &[u8]) -> Option<usize> {
        let mut buf = [0u8; 64];
        // Invalid base64 is just a signature that does not match, as in itsdangerous.
        let n = base64_decode_to_slice(signature_b64, &mut buf)?;
        self.matching_key(value, &buf[..n])
    }

    /// The index of the key whose signature of `value` is `given` (decoded bytes), current
    /// first; compared in constant time, like [`Signer::verify_signature`].
    pub(crate) fn matching_key(&self, value: &[u8], given: &[u8]) -> Option<usize> {
        self.macs
            .iter()
            .position(|m| signatures_equal(m.compute(value).as_slice(), given))
    }

    /// Verifies `signed` and returns the value, split at the last separator.
    ///
    /// ```
    /// let s = waxseal::Signer::new("secret-key")?;
    /// let ok = s.unsign(b"my string.wh6tMHxLgJqB6oY1uT73iMlyrOA")?;
    /// assert_eq!((ok.value, ok.key_index), (&b"my string"[..], 0));
    /// assert!(s.unsign(b"no separator").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unsign<'a>(&self, signed: &'a [u8]) -> Result<Unsigned<'a>, Error> {
        let sep = self.settings.separator;
        let Some(at) = signed.iter().rposition(|&b| b == sep) else {
            return Err(Error::MissingSeparator { separator: sep });
        };
        let (value, sig) = (&signed[..at], &signed[at + 1..]);
        match self.verify_signature(value, sig) {
            Some(key_index) => Ok(Unsigned { value, key_index }),
            None => Err(Error::BadSignature {
                payload: value.to_vec(),
                timestamp: None,
            }),
        }
    }

    /// Whether `signed` carries a valid signature.
    ///
    /// ```
    /// let s = waxseal::Signer::new("secret-key")?;
    /// assert!(s.validate(b"my string.wh6tMHxLgJqB6oY1uT73iMlyrOA"));
    /// assert!(!s.validate(b"my string.forged"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, signed: &[u8]) -> bool {
        self.unsign(signed).is_ok()
    }
}

/// Constant-time equality of an expected and a given signature. The lengths are public (a
/// mismatch returns at once, as `subtle`'s slice comparison does); the bytes are not: the XOR of
/// every pair is ORed into one byte with no branch, and only that byte is tested, through
/// `subtle`. Same guarantee as `subtle`'s slice `ct_eq`, which instead puts an optimisation
/// barrier on every byte (an out-of-line call): that cost about 2% of a batch `waxseal verify`.
fn signatures_equal(expected: &[u8], given: &[u8]) -> bool {
    if expected.len() != given.len() {
        return false;
    }
    let diff = expected
        .iter()
        .zip(given)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b));
    bool::from(diff.ct_eq(&0))
}

#[cfg(test)]
mod tests {
    use super::signatures_equal;

    #[test]
    fn signatures_are_equal_only_when_every_byte_is() {
        for len in [0usize, 1, 16, 20, 31, 32, 33, 64] {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert!(signatures_equal(&a, &a.clone()));
            for at in 0..len {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[at] ^= 1 << bit;
                    assert!(!signatures_equal(&a, &b), "len {len}, byte {at}, bit {bit}");
                }
            }
            assert!(!signatures_equal(&a, &a[..len.saturating_sub(1)]) || len == 0);
            assert!(!signatures_equal(&a, &[a.as_slice(), &[0]].concat()));
        }
    }
}
