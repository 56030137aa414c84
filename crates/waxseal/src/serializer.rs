//! The serializer layers: JSON payloads signed by a [`Signer`] or [`TimestampSigner`](crate::TimestampSigner), and the
//! URL-safe variants that compress and base64-encode the JSON first (itsdangerous's
//! `Serializer`, `TimedSerializer`, `URLSafeSerializer`, `URLSafeTimedSerializer`).
//!
//! Payloads are parsed with `serde_json` into the caller's type. Python's `json` also accepts
//! `NaN`/`Infinity` and integers wider than 64 bits; for such payloads use the `loads_raw*`
//! methods, which return the exact signed text (or `crate::flask::json::parse`, which reads
//! Python's grammar).
//!
//! Order of operations when loading, which is what makes hostile tokens harmless: the signature
//! is verified first; only a token signed with one of our keys is base64-decoded, decompressed
//! (with a size cap, so a validly signed zlib bomb is refused without allocating it) and parsed.

use crate::error::{ConfigError, Error, PayloadError};
use crate::signer::{Signer, SignerBuilder, SignerSettings};
use crate::timed::{sign_timed_into, unix_now, unsign_timed};
use crate::{compress, encoding, pyjson};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Default cap on a decompressed payload: 1 MiB. Flask cookies are at most 4 KiB compressed, so
/// anything near this is an attack.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 1 << 20;

/// A payload that was verified and decoded, with everything known about the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<T> {
    /// The decoded value.
    pub value: T,
    /// The exact signed JSON text (after base64 decoding and decompression).
    pub raw: String,
    /// The signing time for timed formats.
    pub timestamp: Option<u64>,
    /// 0 if the current key matched, `n` if the `n`-th fallback key did.
    pub key_index: usize,
    /// 0 if the main signer matched, `n` if the `n`-th fallback signer did.
    pub signer_index: usize,
    /// Whether the payload was zlib-compressed.
    pub compressed: bool,
}

impl<T> Loaded<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Loaded<U> {
        Loaded {
            value: f(self.value),
            raw: self.raw,
            timestamp: self.timestamp,
            key_index: self.key_index,
            signer_index: self.signer_index,
            compressed: self.compressed,
        }
    }
}

/// How the JSON is carried inside the signed part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    /// `json.dumps(obj)` text as is (", " and ": " separators, ASCII-only).
    PlainJson,
    /// Compact UTF-8 JSON, zlib-compressed when that saves at least two bytes (then prefixed
    /// with `.`), base64url-encoded.
    UrlSafe,
}

/// A signed part that verified, before its payload is decoded.
struct Verified<'a> {
    payload: &'a [u8],
    timestamp: Option<u64>,
    key_index: usize,
    signer_index: usize,
}

/// The shared engine behind the four public serializers.
#[derive(Debug, Clone)]
struct Engine {
    /// Signs, and verifies first.
    signer: Signer,
    /// Only verify, in order, after `signer` (itsdangerous's `fallback_signers`).
    fallback_signers: Vec<Signer>,
    envelope: Envelope,
    timed: bool,
    max_decompressed: usize,
}

impl Engine {
    fn dump_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<Vec<u8>, PayloadError> {
        let style = match self.envelope {
            Envelope::PlainJson => pyjson::JsonStyle::PYTHON_DEFAULT,
            Envelope::UrlSafe => pyjson::JsonStyle::COMPACT,
        };
        let mut out = Vec::with_capacity(128);
        pyjson::to_writer(&mut out, value, style).map_err(PayloadError::from)?;
        Ok(out)
    }

    fn sign_json(&self, json: &[u8], timestamp: u64) -> String {
        let mut payload = Vec::with_capacity(json.len() * 4 / 3 + 64);
        match self.envelope {
            Envelope::PlainJson => payload.extend_from_slice(json),
            Envelope::UrlSafe => match compress::compress_if_smaller(json) {
                Some(z) => {
                    payload.push(b'.');
                    encoding::base64_encode_into(&z, &mut payload);
                }
                None => encoding::base64_encode_into(json, &mut payload),
            },
        }
        let signer = &self.signer;
        let mut token = Vec::with_capacity(payload.len() + 48);
        if self.timed {
            sign_timed_into(signer, &payload, timestamp, &mut token);
        } else {
            signer.sign_into(&payload, &mut token);
        }
        // Everything written above is ASCII or the JSON text itself, which is UTF-8.
        String::from_utf8(token).unwrap_or_default()
    }

    /// Verifies with each signer in turn, as itsdangerous's `iter_unsigners` does; an expired
    /// token stops the search, a bad signature moves on to the next signer, and the last
    /// signer's error is the answer.
    fn unsign<'a>(
        &self,
        token: &'a [u8],
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Verified<'a>, Error> {
        let mut result = self.unsign_with(&self.signer, 0, token, max_age, now);
        for (i, signer) in self.fallback_signers.iter().enumerate() {
            if matches!(result, Ok(_) | Err(Error::Expired { .. })) {
                break;
            }
            result = self.unsign_with(signer, i + 1, token, max_age, now);
        }
        result
    }

    fn unsign_with<'a>(
        &self,
        signer: &Signer,
        signer_index: usize,
        token: &'a [u8],
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Verified<'a>, Error> {
        if self.timed {
            unsign_timed(signer, token, max_age, now).map(|u| Verified {
                payload: u.value,
                timestamp: Some(u.timestamp),
                key_index: u.key_index,
                signer_index,
            })
        } else {
            signer.unsign(token).map(|u| Verified {
                payload: u.value,
                timestamp: None,
                key_index: u.key_index,
                signer_index,
            })
        }
    }

    /// Turns the verified signed part back into JSON text.
    fn open_payload(&self, payload: &[u8]) -> Result<(String, bool), PayloadError> {
        let (bytes, compressed) = match self.envelope {
            Envelope::PlainJson => (payload.to_vec(), false),
            Envelope::UrlSafe => {
                let (data, compressed) = match payload.strip_prefix(b".") {
                    Some(rest) => (rest, true),
                    None => (payload, false),
                };
                let decoded = encoding::base64_decode(data).map_err(|_| PayloadError::Base64)?;
                if compressed {
                    (
                        compress::zlib_decompress_capped(&decoded, self.max_decompressed)
                            .map_err(PayloadError::from)?,
                        true,
                    )
                } else {
                    (decoded, false)
                }
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| PayloadError::Utf8)?;
        Ok((text, compressed))
    }

    fn loads_raw(&self, token: &[u8], max_age: Option<u64>, now: u64) -> Result<Loaded<()>, Error> {
        let Verified {
            payload,
            timestamp,
            key_index,
            signer_index,
        } = self.unsign(token, max_age, now)?;
        let (raw, compressed) = self.open_payload(payload)?;
        Ok(Loaded {
            value: (),
            raw,
            timestamp,
            key_index,
            signer_index,
            compressed,
        })
    }

    fn loads<T: DeserializeOwned>(
        &self,
        token: &[u8],
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Loaded<T>, Error> {
        let loaded = self.loads_raw(token, max_age, now)?;
        let value = serde_json::from_str(&loaded.raw).map_err(PayloadError::from)?;
        Ok(loaded.map(|()| value))
    }

    fn loads_unsafe<T: DeserializeOwned>(
        &self,
        token: &[u8],
        max_age: Option<u64>,
        now: u64,
    ) -> UnsafeLoad<T> {
        match self.loads::<T>(token, max_age, now) {
            Ok(l) => UnsafeLoad::Verified(l.value),
            Err(error) => {
                let untrusted = error.payload().and_then(|payload| {
                    let (raw, _) = self.open_payload(payload).ok()?;
                    serde_json::from_str(&raw).ok()
                });
                UnsafeLoad::Failed { error, untrusted }
            }
        }
    }
}

/// Configures any of the four serializers. The defaults are itsdangerous's: salt
/// `itsdangerous`, `django-concat`, SHA-1, `.`.
///
/// ```
/// use waxseal::{Digest, SerializerBuilder};
/// let s = SerializerBuilder::new("secret-key")
///     .salt("activate")
///     .fallback_signer(|b| b.digest(Digest::Sha256))
///     .build_url_safe_timed()
///     .unwrap();
/// let token = s.dumps_at(&vec![1, 2, 3], 1_700_000_000).unwrap();
/// let v: Vec<u8> = s.loads_at(&token, None, 1_700_000_000).unwrap();
/// assert_eq!(v, [1, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct SerializerBuilder {
    main: SignerBuilder,
    fallbacks: Vec<SignerBuilder>,
    max_decompressed: usize,
}

impl SerializerBuilder {
    /// Starts with the current (signing) key.
    ///
    /// ```
    /// let s = waxseal::SerializerBuilder::new("k").build_url_safe()?;
    /// assert_eq!(s.loads::<u8>(&s.dumps(&1)?)?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> SerializerBuilder {
        SerializerBuilder {
            main: Signer::builder(secret_key).salt("itsdangerous"),
            fallbacks: Vec::new(),
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }

    /// Adds a fallback key, accepted after the current key (and earlier fallbacks).
    ///
    /// ```
    /// use waxseal::{SerializerBuilder, UrlSafeSerializer};
    /// let old = UrlSafeSerializer::new("old")?.dumps(&1)?;
    /// let s = SerializerBuilder::new("new").fallback_key("old").build_url_safe()?;
    /// assert_eq!(s.loads_details::<u8>(&old)?.key_index, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fallback_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.main = self.main.fallback_key(key);
        self
    }

    /// Sets the salt.
    ///
    /// ```
    /// use waxseal::SerializerBuilder;
    /// let a = SerializerBuilder::new("k").salt("activate").build_url_safe()?;
    /// let b = SerializerBuilder::new("k").salt("reset").build_url_safe()?;
    /// assert!(b.loads::<u8>(&a.dumps(&1)?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn salt(mut self, salt: impl AsRef<[u8]>) -> Self {
        self.main = self.main.salt(salt);
        self
    }

    /// Adjusts the main signer's settings (digest, key derivation, separator).
    ///
    /// ```
    /// use waxseal::{Digest, SerializerBuilder};
    /// let s = SerializerBuilder::new("k").signer(|b| b.digest(Digest::Sha256)).build_serializer()?;
    /// assert!(s.dumps(&1)?.len() > "1.".len() + 40);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signer(mut self, configure: impl FnOnce(SignerBuilder) -> SignerBuilder) -> Self {
        self.main = configure(self.main);
        self
    }

    /// Uses these settings for the main signer (the salt included).
    ///
    /// ```
    /// use waxseal::{signer::SignerSettings, SerializerBuilder};
    /// let s = SerializerBuilder::new("k").settings(SignerSettings::flask()).build_url_safe_timed()?;
    /// assert_eq!(s.loads::<u8>(&s.dumps(&1)?, Some(60))?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settings(mut self, settings: SignerSettings) -> Self {
        self.main = self.main.settings(settings);
        self
    }

    /// Adds a fallback signer: same keys and salt, settings adjusted by `configure`. Tokens it
    /// verifies are accepted; it never signs (itsdangerous's `fallback_signers`).
    ///
    /// ```
    /// use waxseal::{Digest, SerializerBuilder};
    /// let sha256 = SerializerBuilder::new("k").signer(|b| b.digest(Digest::Sha256)).build_url_safe()?;
    /// let s = SerializerBuilder::new("k").fallback_signer(|b| b.digest(Digest::Sha256)).build_url_safe()?;
    /// assert_eq!(s.loads_details::<u8>(&sha256.dumps(&1)?)?.signer_index, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fallback_signer(
        mut self,
        configure: impl FnOnce(SignerBuilder) -> SignerBuilder,
    ) -> Self {
        self.fallbacks.push(configure(self.main.clone()));
        self
    }

    /// Caps the decompressed payload size (default [`DEFAULT_MAX_DECOMPRESSED`]).
    ///
    /// ```
    /// use waxseal::SerializerBuilder;
    /// let big = SerializerBuilder::new("k").build_url_safe()?.dumps(&"a".repeat(1000))?;
    /// let capped = SerializerBuilder::new("k").max_decompressed_size(100).build_url_safe()?;
    /// assert!(capped.loads::<String>(&big).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_decompressed_size(mut self, bytes: usize) -> Self {
        self.max_decompressed = bytes;
        self
    }

    /// Permits MD5 in the main and fallback signers (legacy verification only).
    ///
    /// ```
    /// use waxseal::{Digest, SerializerBuilder};
    /// let md5 = |b: SerializerBuilder| b.signer(|s| s.digest(Digest::Md5));
    /// assert!(md5(SerializerBuilder::new("k")).build_serializer().is_err());
    /// assert!(md5(SerializerBuilder::new("k")).allow_legacy_md5().build_serializer().is_ok());
    /// ```
    pub fn allow_legacy_md5(mut self) -> Self {
        self.main = self.main.allow_legacy_md5();
        self.fallbacks = self
            .fallbacks
            .into_iter()
            .map(SignerBuilder::allow_legacy_md5)
            .collect();
        self
    }

    fn engine(self, envelope: Envelope, timed: bool) -> Result<Engine, ConfigError> {
        let signer = self.main.build()?;
        let fallback_signers = self
            .fallbacks
            .into_iter()
            .map(SignerBuilder::build)
            .collect::<Result<_, _>>()?;
        Ok(Engine {
            signer,
            fallback_signers,
            envelope,
            timed,
            max_decompressed: self.max_decompressed,
        })
    }

    /// Builds a [`Serializer`].
    ///
    /// ```
    /// let s = waxseal::SerializerBuilder::new("k").build_serializer()?;
    /// assert!(s.dumps(&[1])?.starts_with("[1]."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_serializer(self) -> Result<Serializer, ConfigError> {
        self.engine(Envelope::PlainJson, false)
            .map(|engine| Serializer { engine })
    }

    /// Builds a [`TimedSerializer`].
    ///
    /// ```
    /// let s = waxseal::SerializerBuilder::new("k").build_timed()?;
    /// assert_eq!(s.loads_at::<Vec<u8>>(&s.dumps_at(&[1], 5)?, None, 5)?, [1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_timed(self) -> Result<TimedSerializer, ConfigError> {
        self.engine(Envelope::PlainJson, true)
            .map(|engine| TimedSerializer { engine })
    }

    /// Builds a [`UrlSafeSerializer`].
    ///
    /// ```
    /// let s = waxseal::SerializerBuilder::new("k").build_url_safe()?;
    /// assert!(s.dumps(&[1])?.starts_with("WzFd.")); // base64url of [1]
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_url_safe(self) -> Result<UrlSafeSerializer, ConfigError> {
        self.engine(Envelope::UrlSafe, false)
            .map(|engine| UrlSafeSerializer { engine })
    }

    /// Builds a [`UrlSafeTimedSerializer`].
    ///
    /// ```
    /// let s = waxseal::SerializerBuilder::new("k").build_url_safe_timed()?;
    /// assert!(s.dumps(&[1])?.starts_with("WzFd."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_url_safe_timed(self) -> Result<UrlSafeTimedSerializer, ConfigError> {
        self.engine(Envelope::UrlSafe, true)
            .map(|engine| UrlSafeTimedSerializer { engine })
    }
}

/// What [`Serializer::loads_unsafe`] and its siblings found: itsdangerous's
/// `(signature_valid, payload)` tuple as a Rust enum.
///
/// itsdangerous's `loads_unsafe` returns `(True, value)` for a verified token, `(False, value)`
/// when the signature (or age) fails but the payload still decodes, and `(False, None)` when it
/// does not; [`UnsafeLoad::into_tuple`] gives exactly that tuple. One difference: a validly
/// signed token whose payload cannot be decoded is [`UnsafeLoad::Failed`] with an
/// [`Error::BadPayload`] here, where itsdangerous raises `BadPayload`.
///
/// ```
/// use waxseal::{UnsafeLoad, UrlSafeSerializer};
/// let s = UrlSafeSerializer::new("secret-key")?;
/// let token = s.dumps(&5)?;
/// assert_eq!(s.loads_unsafe::<u8>(&token), UnsafeLoad::Verified(5));
/// let forged = UrlSafeSerializer::new("other-key")?.dumps(&6)?;
/// let found = s.loads_unsafe::<u8>(&forged);
/// assert_eq!(found.error().map(|e| e.kind()), Some(waxseal::ErrorKind::BadSignature));
/// assert_eq!(found.into_tuple(), (false, Some(6))); // 6 is attacker-chosen
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum UnsafeLoad<T> {
    /// The signature (and, for timed serializers, the age) verified: the value is authentic.
    Verified(T),
    /// The token did not load. `error` says why; `untrusted` is the payload decoded without a
    /// valid signature, when it decodes: attacker-chosen, for debugging only.
    Failed {
        /// Why the token did not load.
        error: Error,
        /// The payload decoded anyway, if it could be. Never trust it.
        untrusted: Option<T>,
    },
}

impl<T> UnsafeLoad<T> {
    /// Whether the token verified.
    ///
    /// ```
    /// let s = waxseal::Serializer::new("k")?;
    /// assert!(s.loads_unsafe::<u8>(&s.dumps(&1)?).is_verified());
    /// assert!(!s.loads_unsafe::<u8>("1.bad").is_verified());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_verified(&self) -> bool {
        matches!(self, UnsafeLoad::Verified(_))
    }

    /// The verified value, or `None`: the untrusted payload is dropped.
    ///
    /// ```
    /// let s = waxseal::Serializer::new("k")?;
    /// assert_eq!(s.loads_unsafe::<u8>(&s.dumps(&1)?).verified(), Some(1));
    /// assert_eq!(s.loads_unsafe::<u8>("1.bad").verified(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verified(self) -> Option<T> {
        match self {
            UnsafeLoad::Verified(value) => Some(value),
            UnsafeLoad::Failed { .. } => None,
        }
    }

    /// Why the token did not load, if it did not.
    ///
    /// ```
    /// let s = waxseal::Serializer::new("k")?;
    /// assert!(s.loads_unsafe::<u8>("1").error().is_some()); // no signature at all
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn error(&self) -> Option<&Error> {
        match self {
            UnsafeLoad::Verified(_) => None,
            UnsafeLoad::Failed { error, .. } => Some(error),
        }
    }

    /// itsdangerous's `(signature_valid, payload)` tuple.
    ///
    /// ```
    /// let s = waxseal::Serializer::new("k")?;
    /// assert_eq!(s.loads_unsafe::<u8>(&s.dumps(&1)?).into_tuple(), (true, Some(1)));
    /// assert_eq!(s.loads_unsafe::<u8>("1.bad").into_tuple(), (false, Some(1)));
    /// assert_eq!(s.loads_unsafe::<u8>("x.bad").into_tuple(), (false, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_tuple(self) -> (bool, Option<T>) {
        match self {
            UnsafeLoad::Verified(value) => (true, Some(value)),
            UnsafeLoad::Failed { untrusted, .. } => (false, untrusted),
        }
    }
}

/// Declares one of the four serializers: the type, its `new`, and its methods (the untimed or
/// timed set; both use the same verbs, the timed ones add `max_age` and an `_at` form).
macro_rules! serializer {
    (
        $(#[$meta:meta])*
        $ty:ident, $build:ident, $what:literal, $api:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $ty {
            engine: Engine,
        }

        impl $ty {
            #[doc = concat!("A ", $what, " with itsdangerous's defaults. An empty key is refused")]
            /// ([`ConfigError::EmptyKey`]); [`SerializerBuilder`] sets everything else.
            ///
            /// ```
            #[doc = concat!("use waxseal::{ConfigError, ", stringify!($ty), "};")]
            #[doc = concat!("assert!(", stringify!($ty), "::new(\"secret-key\").is_ok());")]
            #[doc = concat!("let err = ", stringify!($ty), "::new(\"\").unwrap_err();")]
            /// assert_eq!(err, ConfigError::EmptyKey { index: 0 });
            /// ```
            pub fn new(secret_key: impl AsRef<[u8]>) -> Result<$ty, ConfigError> {
                SerializerBuilder::new(secret_key).$build()
            }

            $api!($ty, $build);
        }
    };
}

macro_rules! untimed_api {
    ($ty:ident, $build:ident) => {
        /// Serializes `value` to JSON and signs it.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads::<Vec<u8>>(&s.dumps(&[1, 2])?)?, [1, 2]);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
            let json = self.engine.dump_json(value)?;
            Ok(self.engine.sign_json(&json, 0))
        }

        /// Signs JSON text exactly as given (no re-serialization).
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_raw("{\"a\":1.0}");
        /// assert_eq!(s.loads_raw(&token)?.raw, "{\"a\":1.0}");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps_raw(&self, json: &str) -> String {
            self.engine.sign_json(json.as_bytes(), 0)
        }

        /// Verifies and deserializes.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps("hello")?;
        /// assert_eq!(s.loads::<String>(&token)?, "hello");
        /// assert!(s.loads::<String>(&format!("{token}x")).is_err()); // signature altered
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads<T: DeserializeOwned>(&self, token: &str) -> Result<T, Error> {
            self.engine
                .loads(token.as_bytes(), None, 0)
                .map(|l| l.value)
        }

        /// Verifies and deserializes, returning the raw JSON and which key matched too.
        ///
        /// ```
        #[doc = concat!("let old = waxseal::", stringify!($ty), "::new(\"old\")?;")]
        /// let s = waxseal::SerializerBuilder::new("new").fallback_key("old")
        #[doc = concat!("    .", stringify!($build), "()?;")]
        /// let loaded = s.loads_details::<u8>(&old.dumps(&7)?)?;
        /// assert_eq!((loaded.value, loaded.key_index), (7, 1));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_details<T: DeserializeOwned>(&self, token: &str) -> Result<Loaded<T>, Error> {
            self.engine.loads(token.as_bytes(), None, 0)
        }

        /// Verifies and returns the exact signed JSON text without parsing it.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads_raw(&s.dumps(&[1])?)?.raw, "[1]");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_raw(&self, token: &str) -> Result<Loaded<()>, Error> {
            self.engine.loads_raw(token.as_bytes(), None, 0)
        }

        /// Loads without requiring a valid signature, as itsdangerous's `loads_unsafe`; see
        /// [`UnsafeLoad`] for how the answer maps to itsdangerous's tuple. The payload of a token
        /// that fails is attacker-chosen: for debugging only.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert!(s.loads_unsafe::<u8>(&s.dumps(&1)?).is_verified());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_unsafe<T: DeserializeOwned>(&self, token: &str) -> UnsafeLoad<T> {
            self.engine.loads_unsafe(token.as_bytes(), None, 0)
        }
    };
}

macro_rules! timed_api {
    ($ty:ident, $build:ident) => {
        /// Serializes `value` to JSON and signs it with the current time.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads::<Vec<u8>>(&s.dumps(&[1, 2])?, Some(60))?, [1, 2]);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
            self.dumps_at(value, unix_now())
        }

        /// Serializes and signs as if at `timestamp` (Unix seconds).
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_at(&1, 1_700_000_000)?;
        /// assert_eq!(s.loads_details_at::<u8>(&token, None, 0)?.timestamp, Some(1_700_000_000));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps_at<T: Serialize + ?Sized>(
            &self,
            value: &T,
            timestamp: u64,
        ) -> Result<String, Error> {
            let json = self.engine.dump_json(value)?;
            Ok(self.engine.sign_json(&json, timestamp))
        }

        /// Signs JSON text exactly as given, with the current time.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads_raw(&s.dumps_raw("[1.0]"), Some(60))?.raw, "[1.0]");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps_raw(&self, json: &str) -> String {
            self.dumps_raw_at(json, unix_now())
        }

        /// Signs JSON text exactly as given, as if at `timestamp`.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_raw_at("[1.0]", 1_700_000_000);
        /// assert_eq!(s.loads_raw_at(&token, Some(60), 1_700_000_060)?.raw, "[1.0]");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn dumps_raw_at(&self, json: &str, timestamp: u64) -> String {
            self.engine.sign_json(json.as_bytes(), timestamp)
        }

        /// Verifies (checking `max_age` against the clock) and deserializes.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads::<String>(&s.dumps("hi")?, Some(60))?, "hi");
        /// assert!(s.loads::<String>(&s.dumps_at("hi", 1_000)?, Some(60)).is_err()); // expired
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
        ) -> Result<T, Error> {
            self.loads_at(token, max_age, unix_now())
        }

        /// Verifies as of `now` and deserializes.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_at("hi", 1_000)?;
        /// assert_eq!(s.loads_at::<String>(&token, Some(60), 1_060)?, "hi");
        /// assert!(s.loads_at::<String>(&token, Some(60), 1_061).is_err());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_at<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> Result<T, Error> {
            self.engine
                .loads(token.as_bytes(), max_age, now)
                .map(|l| l.value)
        }

        /// Verifies (against the clock) and deserializes, with the timestamp, raw JSON and which
        /// key matched.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let loaded = s.loads_details::<u8>(&s.dumps(&3)?, Some(60))?;
        /// assert_eq!((loaded.value, loaded.key_index), (3, 0));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_details<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
        ) -> Result<Loaded<T>, Error> {
            self.loads_details_at(token, max_age, unix_now())
        }

        /// Verifies as of `now` and deserializes, with the timestamp, raw JSON and which key
        /// matched.
        ///
        /// ```
        #[doc = concat!("let old = waxseal::", stringify!($ty), "::new(\"old\")?;")]
        /// let s = waxseal::SerializerBuilder::new("new").fallback_key("old")
        #[doc = concat!("    .", stringify!($build), "()?;")]
        /// let loaded = s.loads_details_at::<u8>(&old.dumps_at(&7, 1_000)?, None, 2_000)?;
        /// assert_eq!((loaded.value, loaded.timestamp, loaded.key_index), (7, Some(1_000), 1));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_details_at<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> Result<Loaded<T>, Error> {
            self.engine.loads(token.as_bytes(), max_age, now)
        }

        /// Verifies (against the clock) and returns the exact signed JSON text without parsing
        /// it.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// assert_eq!(s.loads_raw(&s.dumps(&[1])?, None)?.raw, "[1]");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_raw(&self, token: &str, max_age: Option<u64>) -> Result<Loaded<()>, Error> {
            self.loads_raw_at(token, max_age, unix_now())
        }

        /// Verifies as of `now` and returns the exact signed JSON text without parsing it.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_at(&[1], 1_000)?;
        /// assert_eq!(s.loads_raw_at(&token, Some(0), 1_000)?.timestamp, Some(1_000));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_raw_at(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> Result<Loaded<()>, Error> {
            self.engine.loads_raw(token.as_bytes(), max_age, now)
        }

        /// Loads without requiring a valid signature or age (against the clock), as
        /// itsdangerous's `loads_unsafe`; see [`UnsafeLoad`] for how the answer maps to
        /// itsdangerous's tuple. For debugging only.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let old = s.dumps_at(&1, 1_000)?;
        /// assert_eq!(s.loads_unsafe::<u8>(&old, Some(60)).into_tuple(), (false, Some(1)));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_unsafe<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
        ) -> UnsafeLoad<T> {
            self.loads_unsafe_at(token, max_age, unix_now())
        }

        /// [`Self::loads_unsafe`] with the age checked as of `now`.
        ///
        /// ```
        #[doc = concat!("let s = waxseal::", stringify!($ty), "::new(\"k\")?;")]
        /// let token = s.dumps_at(&1, 1_000)?;
        /// assert!(s.loads_unsafe_at::<u8>(&token, Some(60), 1_060).is_verified());
        /// let expired = s.loads_unsafe_at::<u8>(&token, Some(60), 1_061);
        /// assert_eq!(expired.error().map(|e| e.kind()), Some(waxseal::ErrorKind::Expired));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn loads_unsafe_at<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> UnsafeLoad<T> {
            self.engine.loads_unsafe(token.as_bytes(), max_age, now)
        }
    };
}

serializer! {
    /// Signs JSON text as `json.dumps` writes it (itsdangerous's `Serializer`).
    ///
    /// ```
    /// let s = waxseal::Serializer::new("secret-key")?;
    /// let token = s.dumps(&[1, 2, 3])?;
    /// assert!(token.starts_with("[1, 2, 3]."));
    /// assert_eq!(s.loads::<Vec<i32>>(&token)?, [1, 2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Serializer, build_serializer, "serializer", untimed_api
}

serializer! {
    /// Like [`Serializer`], with a timestamp and maximum age (itsdangerous's `TimedSerializer`).
    ///
    /// ```
    /// let s = waxseal::TimedSerializer::new("secret-key")?;
    /// let token = s.dumps_at(&[1, 2, 3], 1_700_000_000)?;
    /// assert!(token.starts_with("[1, 2, 3]."));
    /// assert_eq!(s.loads_at::<Vec<i32>>(&token, Some(60), 1_700_000_060)?, [1, 2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    TimedSerializer, build_timed, "timed serializer", timed_api
}

serializer! {
    /// Compact JSON, compressed when worthwhile, base64url: safe in URLs and cookies
    /// (itsdangerous's `URLSafeSerializer`, also reachable under that name as
    /// [`URLSafeSerializer`]).
    ///
    /// ```
    /// let s = waxseal::UrlSafeSerializer::new("secret-key")?;
    /// let token = s.dumps(&serde_json::json!({"id": 5}))?;
    /// assert_eq!(s.loads::<serde_json::Value>(&token)?["id"], 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    UrlSafeSerializer, build_url_safe, "URL-safe serializer", untimed_api
}

serializer! {
    /// [`UrlSafeSerializer`] with a timestamp and maximum age (itsdangerous's
    /// `URLSafeTimedSerializer`, the format of Flask's session cookie; also reachable under that
    /// name as [`URLSafeTimedSerializer`]).
    ///
    /// ```
    /// let s = waxseal::UrlSafeTimedSerializer::new("secret-key")?;
    /// let token = s.dumps_at(&"hello", 1_700_000_000)?;
    /// let loaded = s.loads_details_at::<String>(&token, Some(3600), 1_700_000_100)?;
    /// assert_eq!((loaded.value.as_str(), loaded.timestamp), ("hello", Some(1_700_000_000)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    UrlSafeTimedSerializer, build_url_safe_timed, "URL-safe timed serializer", timed_api
}

/// itsdangerous's spelling of [`UrlSafeSerializer`], kept so code ported from Python reads the
/// same. waxseal's own code uses the Rust name.
///
/// ```
/// let s: waxseal::URLSafeSerializer = waxseal::UrlSafeSerializer::new("secret-key")?;
/// # Ok::<(), waxseal::ConfigError>(())
/// ```
pub type URLSafeSerializer = UrlSafeSerializer;

/// itsdangerous's spelling of [`UrlSafeTimedSerializer`], kept so code ported from Python reads
/// the same. waxseal's own code uses the Rust name.
///
/// ```
/// let s = waxseal::URLSafeTimedSerializer::new("secret-key")?;
/// let _: &waxseal::UrlSafeTimedSerializer = &s;
/// # Ok::<(), waxseal::ConfigError>(())
/// ```
pub type URLSafeTimedSerializer = UrlSafeTimedSerializer;
