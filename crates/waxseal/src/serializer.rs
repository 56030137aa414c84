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
    signers: Vec<Signer>,
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
        pyjson::to_writer(&mut out, value, style).map_err(|e| PayloadError::Json(e.to_string()))?;
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
        let signer = &self.signers[0];
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
    /// token stops the search, a bad signature moves on to the next signer.
    fn unsign<'a>(
        &self,
        token: &'a [u8],
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Verified<'a>, Error> {
        let mut last = None;
        for (signer_index, signer) in self.signers.iter().enumerate() {
            let result = if self.timed {
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
            };
            match result {
                Ok(r) => return Ok(r),
                Err(e @ Error::Expired { .. }) => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(Error::InvalidBase64))
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
        let value =
            serde_json::from_str(&loaded.raw).map_err(|e| PayloadError::Json(e.to_string()))?;
        Ok(loaded.map(|()| value))
    }

    fn loads_unsafe<T: DeserializeOwned>(
        &self,
        token: &[u8],
        max_age: Option<u64>,
        now: u64,
    ) -> (bool, Option<T>) {
        match self.loads::<T>(token, max_age, now) {
            Ok(l) => (true, Some(l.value)),
            Err(e) => {
                let Some(payload) = e.payload() else {
                    return (false, None);
                };
                let value = self
                    .open_payload(payload)
                    .ok()
                    .and_then(|(raw, _)| serde_json::from_str(&raw).ok());
                (false, value)
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
/// let v: Vec<u8> = s.loads_at(&token, None, 1_700_000_000).unwrap().value;
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
    pub fn new(secret_key: impl AsRef<[u8]>) -> SerializerBuilder {
        SerializerBuilder {
            main: Signer::builder(secret_key).salt("itsdangerous"),
            fallbacks: Vec::new(),
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }

    /// Adds a fallback key, accepted after the current key (and earlier fallbacks).
    pub fn fallback_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.main = self.main.fallback_key(key);
        self
    }

    /// Sets the salt.
    pub fn salt(mut self, salt: impl AsRef<[u8]>) -> Self {
        self.main = self.main.salt(salt);
        self
    }

    /// Adjusts the main signer's settings (digest, key derivation, separator).
    pub fn signer(mut self, configure: impl FnOnce(SignerBuilder) -> SignerBuilder) -> Self {
        self.main = configure(self.main);
        self
    }

    /// Uses these settings for the main signer (the salt included).
    pub fn settings(mut self, settings: SignerSettings) -> Self {
        self.main = self.main.settings(settings);
        self
    }

    /// Adds a fallback signer: same keys and salt, settings adjusted by `configure`. Tokens it
    /// verifies are accepted; it never signs (itsdangerous's `fallback_signers`).
    pub fn fallback_signer(
        mut self,
        configure: impl FnOnce(SignerBuilder) -> SignerBuilder,
    ) -> Self {
        self.fallbacks.push(configure(self.main.clone()));
        self
    }

    /// Caps the decompressed payload size (default [`DEFAULT_MAX_DECOMPRESSED`]).
    pub fn max_decompressed_size(mut self, bytes: usize) -> Self {
        self.max_decompressed = bytes;
        self
    }

    /// Permits MD5 in the main and fallback signers (legacy verification only).
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
        let mut signers = vec![self.main.build()?];
        for f in self.fallbacks {
            signers.push(f.build()?);
        }
        Ok(Engine {
            signers,
            envelope,
            timed,
            max_decompressed: self.max_decompressed,
        })
    }

    /// Builds a [`Serializer`].
    pub fn build_serializer(self) -> Result<Serializer, ConfigError> {
        self.engine(Envelope::PlainJson, false)
            .map(|engine| Serializer { engine })
    }

    /// Builds a [`TimedSerializer`].
    pub fn build_timed(self) -> Result<TimedSerializer, ConfigError> {
        self.engine(Envelope::PlainJson, true)
            .map(|engine| TimedSerializer { engine })
    }

    /// Builds a [`URLSafeSerializer`].
    pub fn build_url_safe(self) -> Result<URLSafeSerializer, ConfigError> {
        self.engine(Envelope::UrlSafe, false)
            .map(|engine| URLSafeSerializer { engine })
    }

    /// Builds a [`URLSafeTimedSerializer`].
    pub fn build_url_safe_timed(self) -> Result<URLSafeTimedSerializer, ConfigError> {
        self.engine(Envelope::UrlSafe, true)
            .map(|engine| URLSafeTimedSerializer { engine })
    }
}

macro_rules! untimed_api {
    () => {
        /// Serializes `value` to JSON and signs it.
        pub fn dumps<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
            let json = self.engine.dump_json(value)?;
            Ok(self.engine.sign_json(&json, 0))
        }

        /// Signs JSON text exactly as given (no re-serialization).
        pub fn dumps_raw(&self, json: &str) -> String {
            self.engine.sign_json(json.as_bytes(), 0)
        }

        /// Verifies and deserializes.
        pub fn loads<T: DeserializeOwned>(&self, token: &str) -> Result<T, Error> {
            self.engine
                .loads(token.as_bytes(), None, 0)
                .map(|l| l.value)
        }

        /// Verifies and deserializes, returning the raw JSON and which key matched too.
        pub fn loads_details<T: DeserializeOwned>(&self, token: &str) -> Result<Loaded<T>, Error> {
            self.engine.loads(token.as_bytes(), None, 0)
        }

        /// Verifies and returns the exact signed JSON text without parsing it.
        pub fn loads_raw(&self, token: &str) -> Result<Loaded<()>, Error> {
            self.engine.loads_raw(token.as_bytes(), None, 0)
        }

        /// Returns `(signature_valid, payload)` without requiring a valid signature, as
        /// itsdangerous's `loads_unsafe`. The payload of an invalid token is attacker-chosen:
        /// for debugging only.
        pub fn loads_unsafe<T: DeserializeOwned>(&self, token: &str) -> (bool, Option<T>) {
            self.engine.loads_unsafe(token.as_bytes(), None, 0)
        }
    };
}

macro_rules! timed_api {
    () => {
        /// Serializes `value` to JSON and signs it with the current time.
        pub fn dumps<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
            self.dumps_at(value, unix_now())
        }

        /// Serializes and signs as if at `timestamp` (Unix seconds).
        pub fn dumps_at<T: Serialize + ?Sized>(
            &self,
            value: &T,
            timestamp: u64,
        ) -> Result<String, Error> {
            let json = self.engine.dump_json(value)?;
            Ok(self.engine.sign_json(&json, timestamp))
        }

        /// Signs JSON text exactly as given, as if at `timestamp`.
        pub fn dumps_raw_at(&self, json: &str, timestamp: u64) -> String {
            self.engine.sign_json(json.as_bytes(), timestamp)
        }

        /// Verifies (and checks `max_age` against the clock) and deserializes.
        pub fn loads<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
        ) -> Result<T, Error> {
            self.engine
                .loads(token.as_bytes(), max_age, unix_now())
                .map(|l| l.value)
        }

        /// Verifies as of `now` and deserializes, with the timestamp, raw JSON and key index.
        pub fn loads_at<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> Result<Loaded<T>, Error> {
            self.engine.loads(token.as_bytes(), max_age, now)
        }

        /// Verifies as of `now` and returns the exact signed JSON text without parsing it.
        pub fn loads_raw_at(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> Result<Loaded<()>, Error> {
            self.engine.loads_raw(token.as_bytes(), max_age, now)
        }

        /// Returns `(signature_valid, payload)` without requiring a valid signature or age, as
        /// itsdangerous's `loads_unsafe`. For debugging only. A validly signed token whose
        /// payload cannot be decoded gives `(false, None)` (itsdangerous raises `BadPayload`).
        pub fn loads_unsafe<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
        ) -> (bool, Option<T>) {
            self.loads_unsafe_at(token, max_age, unix_now())
        }

        /// [`Self::loads_unsafe`] with the age checked as of `now`.
        pub fn loads_unsafe_at<T: DeserializeOwned>(
            &self,
            token: &str,
            max_age: Option<u64>,
            now: u64,
        ) -> (bool, Option<T>) {
            self.engine.loads_unsafe(token.as_bytes(), max_age, now)
        }
    };
}

/// Signs JSON text as `json.dumps` writes it (itsdangerous's `Serializer`).
///
/// ```
/// let s = waxseal::Serializer::new("secret-key").unwrap();
/// let token = s.dumps(&[1, 2, 3]).unwrap();
/// assert!(token.starts_with("[1, 2, 3]."));
/// assert_eq!(s.loads::<Vec<i32>>(&token).unwrap(), [1, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct Serializer {
    engine: Engine,
}

impl Serializer {
    /// A serializer with itsdangerous's defaults. An empty key is refused
    /// ([`ConfigError::EmptyKey`]); [`SerializerBuilder`] sets everything else.
    ///
    /// ```
    /// use waxseal::{ConfigError, Serializer};
    /// assert!(Serializer::new("secret-key").is_ok());
    /// assert_eq!(Serializer::new("").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<Serializer, ConfigError> {
        SerializerBuilder::new(secret_key).build_serializer()
    }
    untimed_api!();
}

/// Like [`Serializer`], with a timestamp and maximum age (itsdangerous's `TimedSerializer`).
#[derive(Debug, Clone)]
pub struct TimedSerializer {
    engine: Engine,
}

impl TimedSerializer {
    /// A timed serializer with itsdangerous's defaults. An empty key is refused
    /// ([`ConfigError::EmptyKey`]); [`SerializerBuilder`] sets everything else.
    ///
    /// ```
    /// use waxseal::{ConfigError, TimedSerializer};
    /// assert!(TimedSerializer::new("secret-key").is_ok());
    /// assert_eq!(TimedSerializer::new("").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<TimedSerializer, ConfigError> {
        SerializerBuilder::new(secret_key).build_timed()
    }
    timed_api!();
}

/// Compact JSON, compressed when worthwhile, base64url: safe in URLs and cookies
/// (itsdangerous's `URLSafeSerializer`).
///
/// ```
/// let s = waxseal::URLSafeSerializer::new("secret-key").unwrap();
/// let token = s.dumps(&serde_json::json!({"id": 5})).unwrap();
/// assert_eq!(s.loads::<serde_json::Value>(&token).unwrap()["id"], 5);
/// ```
#[derive(Debug, Clone)]
pub struct URLSafeSerializer {
    engine: Engine,
}

impl URLSafeSerializer {
    /// A URL-safe serializer with itsdangerous's defaults. An empty key is refused
    /// ([`ConfigError::EmptyKey`]); [`SerializerBuilder`] sets everything else.
    ///
    /// ```
    /// use waxseal::{ConfigError, URLSafeSerializer};
    /// assert!(URLSafeSerializer::new("secret-key").is_ok());
    /// assert_eq!(URLSafeSerializer::new("").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<URLSafeSerializer, ConfigError> {
        SerializerBuilder::new(secret_key).build_url_safe()
    }
    untimed_api!();
}

/// [`URLSafeSerializer`] with a timestamp and maximum age (itsdangerous's
/// `URLSafeTimedSerializer`, the format of Flask's session cookie).
///
/// ```
/// let s = waxseal::URLSafeTimedSerializer::new("secret-key").unwrap();
/// let token = s.dumps_at(&"hello", 1_700_000_000).unwrap();
/// let loaded = s.loads_at::<String>(&token, Some(3600), 1_700_000_100).unwrap();
/// assert_eq!((loaded.value.as_str(), loaded.timestamp), ("hello", Some(1_700_000_000)));
/// ```
#[derive(Debug, Clone)]
pub struct URLSafeTimedSerializer {
    engine: Engine,
}

impl URLSafeTimedSerializer {
    /// A URL-safe timed serializer with itsdangerous's defaults. An empty key is refused
    /// ([`ConfigError::EmptyKey`]); [`SerializerBuilder`] sets everything else.
    ///
    /// ```
    /// use waxseal::{ConfigError, URLSafeTimedSerializer};
    /// assert!(URLSafeTimedSerializer::new("secret-key").is_ok());
    /// assert_eq!(URLSafeTimedSerializer::new("").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<URLSafeTimedSerializer, ConfigError> {
        SerializerBuilder::new(secret_key).build_url_safe_timed()
    }
    timed_api!();
}

