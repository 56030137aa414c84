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
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The token has no separator, so it cannot carry a signature at all.
    MissingSeparator {
        /// The separator that was looked for.
        separator: u8,
    },
    /// The signature does not match the value under any key (tampered, or signed with a key
    /// or settings we do not have).
    BadSignature {
        /// The signed value (for timed tokens: without the timestamp). Untrusted.
        payload: Vec<u8>,
        /// The signing time the token claims, if it has a readable one. Untrusted.
        timestamp: Option<u64>,
    },
    /// The signature is valid but the value has no timestamp part.
    MissingTimestamp {
        /// The signed value.
        payload: Vec<u8>,
    },
    /// The timestamp part is not a base64-encoded integer of at most 64 bits.
    MalformedTimestamp {
        /// The signed value without the timestamp.
        payload: Vec<u8>,
    },
    /// The signature is valid but older than the maximum age, or dated in the future.
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
    BadPayload(PayloadError),
    /// Input that should be base64 is not.
    InvalidBase64,
}

/// Why a validly signed payload could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadError {
    /// The payload is not valid base64.
    Base64,
    /// The payload is marked compressed but is not a valid zlib stream.
    Decompress(String),
    /// Decompressing would exceed the configured cap; nothing beyond the cap was allocated.
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The payload is not UTF-8 text.
    Utf8,
    /// The payload is not JSON, or not the JSON the caller's type expects.
    Json(String),
}

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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingSeparator { separator } => write!(
                f,
                "no {:?} separator found: this is not a signed token",
                char::from(*separator)
            ),
            Error::BadSignature { .. } => f.write_str(
                "signature does not match: the token was altered, or signed with a different \
                 secret key, salt or digest",
            ),
            Error::MissingTimestamp { .. } => {
                f.write_str("signature is valid but the token has no timestamp")
            }
            Error::MalformedTimestamp { .. } => {
                f.write_str("malformed timestamp: not a base64-encoded 64-bit integer")
            }
            Error::Expired { age, max_age, .. } if *age < 0 => write!(
                f,
                "signature expired: signed {} seconds in the future (max age {max_age} s)",
                age.unsigned_abs()
            ),
            Error::Expired { age, max_age, .. } => {
                write!(f, "signature expired: age {age} s > max age {max_age} s")
            }
            Error::BadPayload(e) => write!(f, "signature is valid but the payload is bad: {e}"),
            Error::InvalidBase64 => f.write_str("invalid base64-encoded data"),
        }
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

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::Base64 => f.write_str("it is not valid base64"),
            PayloadError::Decompress(e) => {
                write!(f, "it is marked compressed but is not zlib ({e})")
            }
            PayloadError::TooLarge { limit } => {
                write!(f, "it decompresses to more than the {limit}-byte limit")
            }
            PayloadError::Utf8 => f.write_str("it is not UTF-8 text"),
            PayloadError::Json(e) => write!(f, "it is not the expected JSON ({e})"),
        }
    }
}

impl std::error::Error for Error {}
impl std::error::Error for PayloadError {}

impl From<PayloadError> for Error {
    fn from(e: PayloadError) -> Self {
        Error::BadPayload(e)
    }
}

/// A signer or serializer was configured in a way itsdangerous would refuse, or that waxseal
/// refuses for safety.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The separator could appear inside a base64 signature (`A-Z a-z 0-9 - _ =`), or is not
    /// ASCII.
    BadSeparator(u8),
    /// MD5 was chosen without [`crate::SignerBuilder::allow_legacy_md5`].
    Md5NotAllowed,
    /// No secret key was given.
    NoKey,
    /// A secret key is empty: anyone could sign with it. itsdangerous 2.2 accepts an empty key;
    /// Flask 3.1 refuses an empty `SECRET_KEY` (the session is unavailable); waxseal refuses it
    /// everywhere, fallback keys included.
    EmptyKey {
        /// 0 for the current key, `n` for the `n`-th fallback key.
        index: usize,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::BadSeparator(b) => write!(
                f,
                "separator {:?} cannot be used: it may occur inside the signature itself \
                 (ASCII letters, digits and '-_=' are not allowed, nor non-ASCII bytes)",
                char::from(*b)
            ),
            ConfigError::Md5NotAllowed => f.write_str(
                "MD5 is broken and only accepted for verifying legacy tokens, not for signing new \
                 ones; choose another digest (library users verifying old tokens: \
                 SignerBuilder::allow_legacy_md5)",
            ),
            ConfigError::NoKey => f.write_str("no secret key given"),
            ConfigError::EmptyKey { index: 0 } => f.write_str("the secret key is empty"),
            ConfigError::EmptyKey { index } => write!(f, "fallback key {index} is empty"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<crate::compress::DecompressError> for PayloadError {
    fn from(e: crate::compress::DecompressError) -> Self {
        match e {
            crate::compress::DecompressError::TooLarge { limit } => {
                PayloadError::TooLarge { limit }
            }
            other => PayloadError::Decompress(other.to_string()),
        }
    }
}
