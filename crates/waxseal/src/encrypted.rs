//! Encrypted cookies: an AEAD-sealed variant of a session cookie whose contents the client cannot
//! read, bound to the cookie name and carrying an authenticated issue time.
//!
//! Signing (Flask's default session) stops clients from *changing* a cookie but lets them read
//! it: the payload is only base64. This module also hides it. The byte layout, key derivation and
//! threat model are in `docs/encrypted-cookies.md`, precise enough to reimplement; in short:
//!
//! ```text
//! token = base64url_nopad( 0x01 || nonce[24] || XChaCha20-Poly1305(key, nonce, AD,
//!                                                   issued_at_be[8] || plaintext) )
//! key   = HKDF-SHA256(ikm = secret key, salt = HKDF_SALT, info = HKDF_INFO, L = 32)
//! AD    = 0x01 || u32_be(len(cookie_name)) || cookie_name
//! ```
//!
//! ```
//! use waxseal::encrypted::EncryptedCookieCodec;
//! use waxseal::secret::Keyring;
//!
//! let ring = Keyring::generate().unwrap();
//! let codec = EncryptedCookieCodec::new(&ring);
//! let token = codec.seal_at("session", br#"{"user_id":42}"#, 1_700_000_000).unwrap();
//! let opened = codec.open_at("session", &token, Some(3600), 1_700_000_100).unwrap();
//! assert_eq!(opened.plaintext, br#"{"user_id":42}"#);
//! assert_eq!(opened.issued_at, 1_700_000_000);
//! assert_eq!(opened.key_index, 0);
//! ```

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::secret::Keyring;
use crate::timed::unix_now;

/// The version byte at the front of every token (XChaCha20-Poly1305, the layout above).
///
/// ```
/// use waxseal::encrypted::{EncryptedCookieCodec, VERSION};
/// let codec = EncryptedCookieCodec::new(&waxseal::secret::Keyring::generate().unwrap());
/// let token = codec.seal_at("s", b"", 0).unwrap();
/// use base64::Engine as _;
/// let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).unwrap();
/// assert_eq!(raw[0], VERSION);
/// ```
pub const VERSION: u8 = 1;
/// Nonce length in bytes (XChaCha20's 192-bit nonce, random per token).
///
/// ```
/// assert_eq!(waxseal::encrypted::NONCE_LEN, 24);
/// ```
pub const NONCE_LEN: usize = 24;
/// Poly1305 tag length in bytes.
///
/// ```
/// assert_eq!(waxseal::encrypted::TAG_LEN, 16);
/// ```
pub const TAG_LEN: usize = 16;
/// Length of the big-endian issue time at the front of the encrypted payload.
///
/// ```
/// assert_eq!(waxseal::encrypted::TIMESTAMP_LEN, 8);
/// ```
pub const TIMESTAMP_LEN: usize = 8;
/// Shortest possible decoded token: version, nonce, timestamp and tag around an empty plaintext.
///
/// ```
/// assert_eq!(waxseal::encrypted::MIN_RAW_LEN, 49);
/// ```
pub const MIN_RAW_LEN: usize = 1 + NONCE_LEN + TIMESTAMP_LEN + TAG_LEN;
/// Longest token text accepted by [`EncryptedCookieCodec::open`] (and produced by `seal`),
/// checked before decoding. Browsers keep at most about 4 KiB per cookie anyway.
///
/// ```
/// assert_eq!(waxseal::encrypted::MAX_TOKEN_LEN, 8192);
/// ```
pub const MAX_TOKEN_LEN: usize = 8192;
/// Longest plaintext whose token fits in [`MAX_TOKEN_LEN`].
///
/// ```
/// assert_eq!(waxseal::encrypted::MAX_PLAINTEXT_LEN, 6095);
/// ```
pub const MAX_PLAINTEXT_LEN: usize = MAX_TOKEN_LEN / 4 * 3 - MIN_RAW_LEN;
/// HKDF-SHA256 salt: a fixed, public, application-specific value (RFC 5869 §3.1 allows that).
///
/// ```
/// assert_eq!(waxseal::encrypted::HKDF_SALT, b"waxseal/encrypted-cookie/salt");
/// ```
pub const HKDF_SALT: &[u8] = b"waxseal/encrypted-cookie/salt";
/// HKDF-SHA256 info: names the purpose and version, so this key differs from any other key
/// derived from the same `SECRET_KEY` (e.g. for signing).
///
/// ```
/// assert_eq!(waxseal::encrypted::HKDF_INFO, b"waxseal encrypted-cookie v1");
/// ```
pub const HKDF_INFO: &[u8] = b"waxseal encrypted-cookie v1";

/// Seals and opens encrypted cookies with the keys of a [`Keyring`].
///
/// AEAD keys are derived once, in [`EncryptedCookieCodec::new`]; derived keys are wiped when the
/// codec is dropped. Sealing always uses the current key; opening tries the current key, then the
/// fallbacks newest first.
///
/// ```
/// use waxseal::encrypted::EncryptedCookieCodec;
/// use waxseal::secret::Keyring;
/// let mut ring = Keyring::generate().unwrap();
/// let token = EncryptedCookieCodec::new(&ring).seal_at("s", b"hi", 100).unwrap();
/// ring.rotate(1).unwrap();
/// let opened = EncryptedCookieCodec::new(&ring).open_at("s", &token, None, 100).unwrap();
/// assert_eq!(opened.key_index, 1);
/// ```
#[derive(Clone)]
pub struct EncryptedCookieCodec {
    ciphers: Vec<XChaCha20Poly1305>,
    clock_skew: u64,
}

impl fmt::Debug for EncryptedCookieCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedCookieCodec")
            .field("keys", &self.ciphers.len())
            .field("clock_skew", &self.clock_skew)
            .finish()
    }
}

/// A successfully opened token.
///
/// ```
/// use waxseal::encrypted::EncryptedCookieCodec;
/// use waxseal::secret::Keyring;
/// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
/// let t = codec.seal_at("c", b"x", 5).unwrap();
/// let o = codec.open_at("c", &t, None, 5).unwrap();
/// assert_eq!((o.plaintext.as_slice(), o.issued_at, o.key_index), (&b"x"[..], 5, 0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The decrypted payload.
    pub plaintext: Vec<u8>,
    /// When the token was sealed (Unix seconds), authenticated.
    pub issued_at: u64,
    /// Which key opened it: 0 = current, n = n-th fallback.
    pub key_index: usize,
}

/// Why a token is not well-formed (checked before any decryption).
///
/// ```
/// use waxseal::encrypted::{EncryptedCookieCodec, EncryptedCookieError, Malformed};
/// use waxseal::secret::Keyring;
/// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
/// let err = codec.open_at("c", "not base64!", None, 0).unwrap_err();
/// assert_eq!(err, EncryptedCookieError::Malformed(Malformed::NotBase64));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// Longer than [`MAX_TOKEN_LEN`] characters (not decoded at all).
    #[error("{len} characters, more than {MAX_TOKEN_LEN}")]
    TooLong {
        /// Token length in characters.
        len: usize,
    },
    /// Not unpadded URL-safe base64.
    #[error("not unpadded URL-safe base64")]
    NotBase64,
    /// Decodes to fewer than [`MIN_RAW_LEN`] bytes.
    #[error("{len} bytes, fewer than {MIN_RAW_LEN}")]
    TooShort {
        /// Decoded length.
        len: usize,
    },
    /// The version byte is not one this build reads.
    #[error("unknown version {0}")]
    UnknownVersion(u8),
}

/// Why sealing or opening failed.
///
/// [`EncryptedCookieError::DecryptionFailed`] deliberately does not say whether the key, the
/// cookie name or the bytes were wrong: the AEAD cannot tell them apart, and saying more would
/// only help an attacker.
///
/// ```
/// use waxseal::encrypted::{EncryptedCookieCodec, EncryptedCookieError};
/// use waxseal::secret::Keyring;
/// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
/// let t = codec.seal_at("session", b"x", 0).unwrap();
/// assert_eq!(codec.open_at("other", &t, None, 0), Err(EncryptedCookieError::DecryptionFailed));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptedCookieError {
    /// The token is not well-formed.
    #[error("malformed encrypted cookie: {0}")]
    Malformed(#[source] Malformed),
    /// No key authenticated the token: wrong key, wrong cookie name, or tampered bytes.
    #[error("encrypted cookie did not decrypt: wrong key, wrong cookie name, or tampered")]
    DecryptionFailed,
    /// Authentic, but older than `max_age`.
    #[error("encrypted cookie expired: issued at {issued_at}, {age} s old, max age {max_age} s")]
    Expired {
        /// When it was sealed.
        issued_at: u64,
        /// `now - issued_at`.
        age: u64,
        /// The limit given.
        max_age: u64,
    },
    /// Authentic, but sealed after `now` (beyond the allowed clock skew). itsdangerous reports this
    /// as expired too; it is kept separate here because it points at a clock problem.
    #[error("encrypted cookie issued in the future: issued at {issued_at}, now {now}")]
    IssuedInFuture {
        /// When it claims to have been sealed.
        issued_at: u64,
        /// The `now` given.
        now: u64,
    },
    /// The plaintext is too large for a token of at most [`MAX_TOKEN_LEN`] characters.
    #[error(
        "plaintext of {len} bytes is too large for an encrypted cookie (max {MAX_PLAINTEXT_LEN})"
    )]
    PlaintextTooLarge {
        /// Plaintext length.
        len: usize,
    },
    /// The OS random source failed while making a nonce.
    #[error("the OS random source failed: {0}")]
    Random(String),
}

/// Derives the 32-byte XChaCha20-Poly1305 key for one secret key (HKDF-SHA256, see module docs).
fn derive_key(secret: &[u8]) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), secret);
    let mut okm = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail; the fallback
    // keeps the "never panic" promise without an unwrap.
    if hk.expand(HKDF_INFO, okm.as_mut()).is_err() {
        okm.fill(0);
    }
    okm
}

/// The associated data: version byte, then the cookie name length-prefixed so no two
/// (version, name) pairs share an encoding.
fn associated_data(cookie_name: &str) -> Vec<u8> {
    let name = cookie_name.as_bytes();
    let mut ad = Vec::with_capacity(5 + name.len());
    ad.push(VERSION);
    // Names longer than u32::MAX cannot occur in practice; saturate rather than truncate silently.
    ad.extend_from_slice(&u32::try_from(name.len()).unwrap_or(u32::MAX).to_be_bytes());
    ad.extend_from_slice(name);
    ad
}

impl EncryptedCookieCodec {
    /// Derives one AEAD key per keyring key (current first, then fallbacks newest first).
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// assert!(format!("{codec:?}").contains("keys: 1"));
    /// ```
    pub fn new(keyring: &Keyring) -> Self {
        let ciphers = keyring
            .keys()
            .map(|k| XChaCha20Poly1305::new(&(*derive_key(k.as_bytes())).into()))
            .collect();
        EncryptedCookieCodec {
            ciphers,
            clock_skew: 0,
        }
    }

    /// Tolerates tokens whose issue time is up to `seconds` after `now` (servers whose clocks
    /// disagree). The default, 0, matches itsdangerous, which rejects any future timestamp.
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap()).with_clock_skew(5);
    /// let t = codec.seal_at("c", b"", 1005).unwrap();
    /// assert!(codec.open_at("c", &t, Some(60), 1000).is_ok());
    /// ```
    pub fn with_clock_skew(mut self, seconds: u64) -> Self {
        self.clock_skew = seconds;
        self
    }

    /// [`EncryptedCookieCodec::seal_at`] stamped with the current time.
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// let token = codec.seal("session", b"data").unwrap();
    /// assert_eq!(codec.open("session", &token, Some(60)).unwrap().plaintext, b"data");
    /// ```
    pub fn seal(
        &self,
        cookie_name: &str,
        plaintext: &[u8],
    ) -> Result<String, EncryptedCookieError> {
        self.seal_at(cookie_name, plaintext, unix_now())
    }

    /// Encrypts `plaintext` for the cookie `cookie_name` with the current key and a fresh random
    /// nonce, stamped with `now_unix` as its issue time.
    ///
    /// The plaintext is not compressed: compressing before encrypting makes the ciphertext length
    /// depend on the contents (the CRIME/BREACH leak).
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// let a = codec.seal_at("session", b"same", 0).unwrap();
    /// let b = codec.seal_at("session", b"same", 0).unwrap();
    /// assert_ne!(a, b); // fresh nonce each time
    /// assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    /// ```
    pub fn seal_at(
        &self,
        cookie_name: &str,
        plaintext: &[u8],
        now_unix: u64,
    ) -> Result<String, EncryptedCookieError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| EncryptedCookieError::Random(e.to_string()))?;
        self.seal_at_with_nonce(cookie_name, plaintext, now_unix, &nonce)
    }

    /// [`EncryptedCookieCodec::seal_at`] with a caller-chosen nonce, for byte-exact interop
    /// tests (feature `engine-internals`, unstable).
    ///
    /// Never use outside tests: a nonce used twice with one key reveals the XOR of the two
    /// plaintexts and lets an attacker forge tokens.
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// let a = codec.seal_with_nonce("s", b"x", 0, &[7; 24]).unwrap();
    /// assert_eq!(a, codec.seal_with_nonce("s", b"x", 0, &[7; 24]).unwrap());
    /// ```
    #[cfg(feature = "engine-internals")]
    pub fn seal_with_nonce(
        &self,
        cookie_name: &str,
        plaintext: &[u8],
        now_unix: u64,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, EncryptedCookieError> {
        self.seal_at_with_nonce(cookie_name, plaintext, now_unix, nonce)
    }

    fn seal_at_with_nonce(
        &self,
        cookie_name: &str,
        plaintext: &[u8],
        now_unix: u64,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, EncryptedCookieError> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(EncryptedCookieError::PlaintextTooLarge {
                len: plaintext.len(),
            });
        }
        let Some(cipher) = self.ciphers.first() else {
            // A Keyring always has a current key, so this cannot happen.
            return Err(EncryptedCookieError::DecryptionFailed);
        };
        let mut inner = Zeroizing::new(Vec::with_capacity(TIMESTAMP_LEN + plaintext.len()));
        inner.extend_from_slice(&now_unix.to_be_bytes());
        inner.extend_from_slice(plaintext);
        let ad = associated_data(cookie_name);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &inner,
                    aad: &ad,
                },
            )
            // Only fails for plaintexts beyond 256 GiB, excluded above.
            .map_err(|_| EncryptedCookieError::PlaintextTooLarge {
                len: plaintext.len(),
            })?;
        let mut raw = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        raw.push(VERSION);
        raw.extend_from_slice(nonce);
        raw.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(raw))
    }

    /// [`EncryptedCookieCodec::open_at`] against the current time.
    ///
    /// ```
    /// use waxseal::encrypted::EncryptedCookieCodec;
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// let token = codec.seal_at("session", b"old", 1_000).unwrap();
    /// assert!(codec.open("session", &token, Some(60)).is_err()); // long expired
    /// assert!(codec.open("session", &token, None).is_ok()); // no age check
    /// ```
    pub fn open(
        &self,
        cookie_name: &str,
        token: &str,
        max_age: Option<u64>,
    ) -> Result<Opened, EncryptedCookieError> {
        self.open_at(cookie_name, token, max_age, unix_now())
    }

    /// Decrypts and checks a token for the cookie `cookie_name` as of `now_unix`.
    ///
    /// Order of checks: length cap (before decoding), base64, minimum length, version, then the
    /// AEAD with each key in turn (the tag comparison is constant-time), then the issue time.
    /// With `max_age = Some(m)`, a token passes while `now_unix - issued_at <= m` (so age equal
    /// to `m` still passes, as in itsdangerous) and is refused if issued after `now_unix` plus the
    /// clock skew. With `None`, no time check is made (as itsdangerous with `max_age=None`).
    ///
    /// ```
    /// use waxseal::encrypted::{EncryptedCookieCodec, EncryptedCookieError};
    /// use waxseal::secret::Keyring;
    /// let codec = EncryptedCookieCodec::new(&Keyring::generate().unwrap());
    /// let t = codec.seal_at("session", b"data", 1000).unwrap();
    /// assert!(codec.open_at("session", &t, Some(60), 1060).is_ok());
    /// assert!(matches!(
    ///     codec.open_at("session", &t, Some(60), 1061),
    ///     Err(EncryptedCookieError::Expired { issued_at: 1000, age: 61, max_age: 60 })
    /// ));
    /// ```
    pub fn open_at(
        &self,
        cookie_name: &str,
        token: &str,
        max_age: Option<u64>,
        now_unix: u64,
    ) -> Result<Opened, EncryptedCookieError> {
        let malformed = EncryptedCookieError::Malformed;
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed(Malformed::TooLong { len: token.len() }));
        }
        let raw = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| malformed(Malformed::NotBase64))?;
        if raw.len() < MIN_RAW_LEN {
            return Err(malformed(Malformed::TooShort { len: raw.len() }));
        }
        if raw[0] != VERSION {
            return Err(malformed(Malformed::UnknownVersion(raw[0])));
        }
        let nonce = XNonce::from_slice(&raw[1..1 + NONCE_LEN]);
        let sealed = &raw[1 + NONCE_LEN..];
        let ad = associated_data(cookie_name);
        let found = self.ciphers.iter().enumerate().find_map(|(index, cipher)| {
            cipher
                .decrypt(
                    nonce,
                    Payload {
                        msg: sealed,
                        aad: &ad,
                    },
                )
                .ok()
                .map(|inner| (index, Zeroizing::new(inner)))
        });
        let Some((key_index, inner)) = found else {
            return Err(EncryptedCookieError::DecryptionFailed);
        };
        let mut ts = [0u8; TIMESTAMP_LEN];
        // The minimum length check guarantees at least TIMESTAMP_LEN decrypted bytes.
        let Some(head) = inner.get(..TIMESTAMP_LEN) else {
            return Err(malformed(Malformed::TooShort { len: raw.len() }));
        };
        ts.copy_from_slice(head);
        let issued_at = u64::from_be_bytes(ts);
        if let Some(max_age) = max_age {
            if issued_at > now_unix.saturating_add(self.clock_skew) {
                return Err(EncryptedCookieError::IssuedInFuture {
                    issued_at,
                    now: now_unix,
                });
            }
            let age = now_unix.saturating_sub(issued_at);
            if age > max_age {
                return Err(EncryptedCookieError::Expired {
                    issued_at,
                    age,
                    max_age,
                });
            }
        }
        Ok(Opened {
            plaintext: inner[TIMESTAMP_LEN..].to_vec(),
            issued_at,
            key_index,
        })
    }
}
