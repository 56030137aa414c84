//! One error type for every way a token can fail, mirroring itsdangerous's exceptions.
//!
//! | itsdangerous            | waxseal                                              |
//! |-------------------------|------------------------------------------------------|
//! | `BadSignature`          | [`Error::MissingSeparator`], [`Error::BadSignature`] |
//! | `BadTimeSignature`      | [`Error::MissingTimestamp`], [`Error::MalformedTimestamp`], [`Error::BadSignature`] with a timestamp |
//! | `SignatureExpired`      | [`Error::Expired`]                                   |
//! | `BadPayload`            | [`Error::BadPayload`]                                |
//! | `BadData` (base64)      | [`Error::InvalidBase64`]                             |

use std::fmt;

/// What went wrong with a token. Payload-carrying variants hold the *unverified* payload, as
/// itsdangerous's exceptions do, for inspection only: never trust it.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token has no separator, so it cannot carry a signature at all.
    #[error("no {:?} separator found: this is not a signed token", char::from(*separator))]
    MissingSeparator {
        /// The separator that was looked for.
        separator: u8,
    },
    /// The signature does not match the value under any key (tampered, or signed with a key
    /// or settings we do not have).
    #[error(
        "signature does not match: the token was altered, or signed with a different secret \
         key, salt or digest"
    )]
    BadSignature {
        /// The signed value (for timed tokens: without the timestamp). Untrusted.
        payload: Vec<u8>,
        /// The signing time the token claims, if it has a readable one. Untrusted.
        timestamp: Option<u64>,
    },
    /// The signature is valid but the value has no timestamp part.
    #[error("signature is valid but the token has no timestamp")]
    MissingTimestamp {
        /// The signed value.
        payload: Vec<u8>,
    },
    /// The timestamp part is not a base64-encoded integer of at most 64 bits.
    #[error("malformed timestamp: not a base64-encoded 64-bit integer")]
    MalformedTimestamp {
        /// The signed value without the timestamp.
        payload: Vec<u8>,
    },
    /// The signature is valid but older than the maximum age, or dated in the future.
    #[error("signature expired: {}", expiry_text(*age, *max_age))]
    Expired {
        /// The signed value without the timestamp (verified, but expired).
        payload: Vec<u8>,
        /// When it was signed (Unix seconds).
        timestamp: u64,
        /// `now - timestamp` in seconds; negative for a timestamp in the future.
        age: i64,
        /// The maximum age that was applied.
        max_age: u64,
    },
    /// The signature is valid, but the payload cannot be decoded (base64, zlib, size cap, UTF-8,
    /// JSON, or the target type).
    #[error("signature is valid but the payload is bad: {0}")]
    BadPayload(#[source] PayloadError),
    /// Input that should be base64 is not.
    #[error("invalid base64-encoded data")]
    InvalidBase64,
}

/// Why a validly signed payload could not be loaded. Causes are kept as
/// [`std::error::Error::source`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The payload is not valid base64.
    #[error("it is not valid base64")]
    Base64,
    /// The payload is marked compressed but is not a valid zlib stream.
    #[error("it is marked compressed but is not zlib ({0})")]
    Decompress(#[source] DecompressError),
    /// Decompressing would exceed the configured cap; nothing beyond the cap was allocated.
    #[error("it decompresses to more than the {limit}-byte limit")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The payload is not UTF-8 text.
    #[error("it is not UTF-8 text")]
    Utf8,
    /// The payload is not JSON, or not the JSON the caller's type expects.
    #[error("it is not the expected JSON ({0})")]
    Json(#[source] JsonError),
    /// The payload is JSON, but not an object where one is required (a Flask session).
    #[error("it is not the expected JSON (the session is not a JSON object)")]
    NotAnObject,
}

/// Why JSON could not be read or written: the cause inside [`PayloadError::Json`].
///
/// ```
/// use waxseal::error::{JsonError, PayloadError};
/// let e = PayloadError::from(serde_json::from_str::<u8>("x").unwrap_err());
/// assert!(matches!(e, PayloadError::Json(JsonError::Serde(_))));
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// From `serde_json`: not JSON, or not the shape of the caller's type. Shared so the error
    /// stays `Clone`; two are equal when they report the same category, place and message.
    #[error(transparent)]
    Serde(std::sync::Arc<serde_json::Error>),
    /// From Flask's tagged JSON ([`crate::flask::json`]).
    #[error(transparent)]
    Flask(#[from] crate::flask::FlaskJsonError),
}

impl PartialEq for JsonError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (JsonError::Serde(a), JsonError::Serde(b)) => {
                (a.classify(), a.line(), a.column()) == (b.classify(), b.line(), b.column())
                    && a.to_string() == b.to_string()
            }
            (JsonError::Flask(a), JsonError::Flask(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for JsonError {}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        JsonError::Serde(std::sync::Arc::new(e))
    }
}

impl From<serde_json::Error> for PayloadError {
    fn from(e: serde_json::Error) -> Self {
        PayloadError::Json(e.into())
    }
}

impl From<crate::flask::FlaskJsonError> for PayloadError {
    fn from(e: crate::flask::FlaskJsonError) -> Self {
        PayloadError::Json(e.into())
    }
}

pub use crate::compress::{Corruption, DecompressError};

/// An I/O error kept as the cause of a key or keyring error. Shared, so the errors carrying it
/// stay `Clone`; two are equal when their kind and message are.
///
/// ```
/// let e = waxseal::error::IoError::from(std::io::Error::from(std::io::ErrorKind::NotFound));
/// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct IoError(std::sync::Arc<std::io::Error>);

impl IoError {
    /// The kind of the underlying I/O error.
    ///
    /// ```
    /// let e = waxseal::error::IoError::from(std::io::Error::other("disk on fire"));
    /// assert_eq!((e.kind(), e.to_string()), (std::io::ErrorKind::Other, "disk on fire".into()));
    /// ```
    pub fn kind(&self) -> std::io::ErrorKind {
        self.0.kind()
    }

    /// The underlying I/O error.
    ///
    /// ```
    /// let e = waxseal::error::IoError::from(std::io::Error::other("disk on fire"));
    /// assert!(e.get_ref().get_ref().is_some());
    /// ```
    pub fn get_ref(&self) -> &std::io::Error {
        &self.0
    }
}

impl From<std::io::Error> for IoError {
    fn from(e: std::io::Error) -> Self {
        IoError(std::sync::Arc::new(e))
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoError {}

/// The broad class of an [`Error`], as scripts and the CLI's `--json` output report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The signature did not verify.
    BadSignature,
    /// The signature verified but the token is too old (or dated in the future).
    Expired,
    /// The token's structure is wrong (no separator, no or unreadable timestamp, bad base64).
    Malformed,
    /// The signature verified but the payload could not be decoded.
    BadPayload,
}

impl ErrorKind {
    /// The snake_case name used in JSON output: `bad_signature`, `expired`, `malformed`,
    /// `bad_payload`.
    ///
    /// ```
    /// assert_eq!(waxseal::ErrorKind::BadSignature.as_str(), "bad_signature");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::Expired => "expired",
            ErrorKind::Malformed => "malformed",
            ErrorKind::BadPayload => "bad_payload",
        }
    }
}

impl Error {
    /// The broad class of this error.
    ///
    /// ```
    /// use waxseal::{Error, ErrorKind};
    /// assert_eq!(Error::InvalidBase64.kind(), ErrorKind::Malformed);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BadSignature { .. } => ErrorKind::BadSignature,
            Error::Expired { .. } => ErrorKind::Expired,
            Error::BadPayload(_) => ErrorKind::BadPayload,
            Error::MissingSeparator { .. }
            | Error::MissingTimestamp { .. }
            | Error::MalformedTimestamp { .. }
            | Error::InvalidBase64 => ErrorKind::Malformed,
        }
    }

    /// The unverified payload the token carried, when there is one (itsdangerous's
    /// `e.payload`). Only for inspection and debugging: it was not proven authentic.
    ///
    /// ```
    /// let s = waxseal::Signer::new("k")?;
    /// let err = s.unsign(b"claimed.forged").unwrap_err();
    /// assert_eq!(err.payload(), Some(&b"claimed"[..])); // untrusted
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn payload(&self) -> Option<&[u8]> {
        match self {
            Error::BadSignature { payload, .. }
            | Error::MissingTimestamp { payload }
            | Error::MalformedTimestamp { payload }
            | Error::Expired { payload, .. } => Some(payload),
            _ => None,
        }
    }

    /// The signing time the token carried (itsdangerous's `e.date_signed`), when readable.
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// let err = s.unsign_at(&s.sign_at(b"v", 1_000), Some(60), 2_000).unwrap_err();
    /// assert_eq!(err.timestamp(), Some(1_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timestamp(&self) -> Option<u64> {
        match self {
            Error::BadSignature { timestamp, .. } => *timestamp,
            Error::Expired { timestamp, .. } => Some(*timestamp),
            _ => None,
        }
    }
}

fn preview(bytes: &[u8]) -> String {
    const MAX: usize = 48;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]).into_owned();
    if bytes.len() > MAX {
        format!("{text:?}… ({} bytes)", bytes.len())
    } else {
        format!("{text:?}")
    }
}

fn expiry_text(age: i64, max_age: u64) -> String {
    if age < 0 {
        format!(
            "signed {} seconds in the future (max age {max_age} s)",
            age.unsigned_abs()
        )
    } else {
        format!("age {age} s > max age {max_age} s")
    }
}

// Debug shows the payload only as a short preview so logs do not fill with cookie contents.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload() {
            Some(p) => write!(f, "{:?}: {self} (payload {})", self.kind(), preview(p)),
            None => write!(f, "{:?}: {self}", self.kind()),
        }
    }
}

impl From<PayloadError> for Error {
    fn from(e: PayloadError) -> Self {
        Error::BadPayload(e)
    }
}

/// A signer or serializer was configured in a way itsdangerous would refuse, or that waxseal
/// refuses for safety.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The separator could appear inside a base64 signature (`A-Z a-z 0-9 - _ =`), or is not
    /// ASCII.
    #[error(
        "separator {:?} cannot be used: it may occur inside the signature itself \
         (ASCII letters, digits and '-_=' are not allowed, nor non-ASCII bytes)",
        char::from(*.0)
    )]
    BadSeparator(u8),
    /// MD5 was chosen without [`crate::SignerBuilder::allow_legacy_md5`].
    #[error(
        "MD5 is broken and only accepted for verifying legacy tokens, not for signing new \
         ones; choose another digest (library users verifying old tokens: \
         SignerBuilder::allow_legacy_md5)"
    )]
    Md5NotAllowed,
    /// No secret key was given.
    #[error("no secret key given")]
    NoKey,
    /// A secret key is empty: anyone could sign with it. itsdangerous 2.2 accepts an empty key;
    /// Flask 3.1 refuses an empty `SECRET_KEY` (the session is unavailable); waxseal refuses it
    /// everywhere, fallback keys included.
    #[error("{}", if *index == 0 { "the secret key is empty".to_owned() } else { format!("fallback key {index} is empty") })]
    EmptyKey {
        /// 0 for the current key, `n` for the `n`-th fallback key.
        index: usize,
    },
}

impl From<crate::compress::DecompressError> for PayloadError {
    fn from(e: crate::compress::DecompressError) -> Self {
        match e {
            crate::compress::DecompressError::TooLarge { limit } => {
                PayloadError::TooLarge { limit }
            }
            other => PayloadError::Decompress(other),
        }
    }
}
