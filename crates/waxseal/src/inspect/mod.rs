//! Tokens of a format chosen at run time: one verification engine ([`Verifier`]) that gives a
//! complete, typed record ([`Inspection`]) per token, for `waxseal verify`, `explain`, `decode`
//! and the inspector page alike, and signing ([`TokenFormat::sign`]).
//!
//! This is what a command-line tool or an inspector page needs: one entry point for the eight
//! token formats, each with its itsdangerous, Flask or Starlette defaults, instead of eight types.
//! Renderers only lay the record out; none of them splits, derives or decodes a token itself.
//!
//! Starlette's (and so FastAPI's) `SessionMiddleware` cookie ([`FormatKind::Starlette`]) is an
//! itsdangerous `TimestampSigner(secret_key)` token (salt `itsdangerous.Signer`, `django-concat`,
//! SHA-1, separator `.`) over `base64.b64encode(json.dumps(session))`: *standard* base64 with
//! padding of the JSON text Python's `json.dumps` writes with its defaults (`", "` and `": "`
//! separators, ASCII only, keys in insertion order). It is read back with
//! `json.loads(base64.b64decode(...))` after the signature and the age (Starlette's default
//! maximum: [`STARLETTE_MAX_AGE`], 14 days) are checked; [`crate::encoding::standard_base64_decode`]
//! says how strictly the base64 is read. [`TokenFormat::sign`] signs the JSON text as given: to get
//! Starlette's cookie byte for byte, give the text in `json.dumps`'s default style
//! ([`crate::pyjson::JsonStyle::PYTHON_DEFAULT`]).
//!
//! itsdangerous's `TimedSerializer(secret_key)` ([`FormatKind::TimedSerializer`]) is
//! `Serializer`'s token plus a timestamp: salt `itsdangerous`, `django-concat`, SHA-1, separator
//! `.`, and as payload the JSON text itself, neither base64 nor compressed. Like `Serializer`
//! (and unlike the URL-safe classes, whose serializer is compact) it writes that text with the
//! standard `json` module's defaults, so [`TokenFormat::sign`] gives its token byte for byte for
//! text in [`crate::pyjson::JsonStyle::PYTHON_DEFAULT`]'s style. No maximum age applies unless
//! one is asked for, as in itsdangerous's `loads`. The payload may hold the separator (`1.5`):
//! the signature and the timestamp are split off from the right, as itsdangerous does.

mod extract;
mod payload;
mod split;
mod verifier;

pub use extract::{
    detect_formats, detect_token, extract_token, likely_formats, Detected, Extracted,
};
pub use payload::{
    datetime_text, float_text, to_json, utc, uuid_text, CompactJson, JsonPayload, Payload,
};
pub use split::{split_token, RawParts};
pub use verifier::{AgeCheck, Detail, Inspection, KeyTrial, Parts, Verdict, Verifier};

use crate::error::ConfigError;
use crate::secret::SecretKey;
use crate::serializer::{SerializerBuilder, DEFAULT_MAX_DECOMPRESSED};
use crate::signer::{Signer, SignerBuilder, SignerSettings};
use crate::timed::TimestampSigner;

/// The token formats, each with its defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// Flask's session cookie: URL-safe timed JSON, salt `cookie-session`, `hmac`, SHA-1.
    Flask,
    /// itsdangerous `URLSafeTimedSerializer` (salt `itsdangerous`).
    UrlSafeTimed,
    /// itsdangerous `URLSafeSerializer`.
    UrlSafe,
    /// itsdangerous `Serializer` (plain JSON text).
    Serializer,
    /// itsdangerous `TimedSerializer` (salt `itsdangerous`): plain JSON text, as `Serializer`,
    /// then a `TimestampSigner` timestamp and signature (see the module docs).
    TimedSerializer,
    /// Starlette / FastAPI `SessionMiddleware` cookie: `TimestampSigner` (salt
    /// `itsdangerous.Signer`) over standard, padded base64 of JSON text (see the module docs).
    Starlette,
    /// itsdangerous `TimestampSigner` (salt `itsdangerous.Signer`).
    TimestampSigner,
    /// itsdangerous `Signer`.
    Signer,
}

impl FormatKind {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [FormatKind; 8] = [
        FormatKind::Flask,
        FormatKind::UrlSafeTimed,
        FormatKind::UrlSafe,
        FormatKind::Serializer,
        FormatKind::TimedSerializer,
        FormatKind::Starlette,
        FormatKind::TimestampSigner,
        FormatKind::Signer,
    ];

    /// The CLI name: `flask`, `url-safe-timed`, `url-safe`, `serializer`, `timed-serializer`,
    /// `starlette`, `timestamp-signer`, `signer`.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert_eq!(FormatKind::UrlSafeTimed.name(), "url-safe-timed");
    /// assert_eq!(FormatKind::from_name(FormatKind::Starlette.name()), Some(FormatKind::Starlette));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            FormatKind::Flask => "flask",
            FormatKind::UrlSafeTimed => "url-safe-timed",
            FormatKind::UrlSafe => "url-safe",
            FormatKind::Serializer => "serializer",
            FormatKind::TimedSerializer => "timed-serializer",
            FormatKind::Starlette => "starlette",
            FormatKind::TimestampSigner => "timestamp-signer",
            FormatKind::Signer => "signer",
        }
    }

    /// Parses a CLI name.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert_eq!(FormatKind::from_name("url-safe-timed"), Some(FormatKind::UrlSafeTimed));
    /// ```
    pub fn from_name(name: &str) -> Option<FormatKind> {
        FormatKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The format's default signer settings.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert_eq!(FormatKind::Flask.default_settings().salt, b"cookie-session");
    /// assert_eq!(FormatKind::UrlSafe.default_settings().salt, b"itsdangerous");
    /// assert_eq!(FormatKind::Signer.default_settings().salt, b"itsdangerous.Signer");
    /// ```
    pub fn default_settings(self) -> SignerSettings {
        match self {
            FormatKind::Flask => SignerSettings::flask(),
            FormatKind::UrlSafeTimed
            | FormatKind::UrlSafe
            | FormatKind::Serializer
            | FormatKind::TimedSerializer => SignerSettings {
                salt: b"itsdangerous".to_vec(),
                ..SignerSettings::default()
            },
            FormatKind::Starlette | FormatKind::TimestampSigner | FormatKind::Signer => {
                SignerSettings::default()
            }
        }
    }

    /// The maximum age the format's framework applies by default, in seconds: Flask's
    /// `PERMANENT_SESSION_LIFETIME` (31 days), Starlette's `SessionMiddleware` `max_age` (14
    /// days); `None` for the itsdangerous classes, which check no age unless asked.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert_eq!(FormatKind::Starlette.default_max_age(), Some(14 * 24 * 3600));
    /// assert_eq!(FormatKind::UrlSafeTimed.default_max_age(), None);
    /// ```
    pub fn default_max_age(self) -> Option<u64> {
        match self {
            FormatKind::Flask => Some(FLASK_MAX_AGE),
            FormatKind::Starlette => Some(STARLETTE_MAX_AGE),
            _ => None,
        }
    }

    /// Whether tokens carry a timestamp.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert!(FormatKind::Starlette.is_timed());
    /// assert!(FormatKind::TimedSerializer.is_timed());
    /// assert!(!FormatKind::UrlSafe.is_timed());
    /// ```
    pub fn is_timed(self) -> bool {
        matches!(
            self,
            FormatKind::Flask
                | FormatKind::UrlSafeTimed
                | FormatKind::TimedSerializer
                | FormatKind::Starlette
                | FormatKind::TimestampSigner
        )
    }

    /// Whether the payload is JSON (a serializer format) rather than arbitrary bytes.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert!(FormatKind::Serializer.is_json());
    /// assert!(FormatKind::TimedSerializer.is_json());
    /// assert!(!FormatKind::TimestampSigner.is_json());
    /// ```
    pub fn is_json(self) -> bool {
        !matches!(self, FormatKind::TimestampSigner | FormatKind::Signer)
    }

    /// Whether the payload is base64url and possibly zlib-compressed.
    ///
    /// ```
    /// use waxseal::inspect::FormatKind;
    /// assert!(FormatKind::Flask.is_url_safe());
    /// assert!(!FormatKind::Starlette.is_url_safe()); // standard base64
    /// assert!(!FormatKind::TimedSerializer.is_url_safe()); // plain JSON text
    /// ```
    pub fn is_url_safe(self) -> bool {
        matches!(
            self,
            FormatKind::Flask | FormatKind::UrlSafeTimed | FormatKind::UrlSafe
        )
    }
}

/// Flask's default `PERMANENT_SESSION_LIFETIME`: 31 days, in seconds.
pub const FLASK_MAX_AGE: u64 = 31 * 24 * 3600;

/// Starlette's `SessionMiddleware` default `max_age`: 14 days, in seconds.
pub const STARLETTE_MAX_AGE: u64 = 14 * 24 * 3600;

/// A format plus its (possibly overridden) signer settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFormat {
    /// Which format.
    pub kind: FormatKind,
    /// Salt, separator, key derivation and digest.
    pub settings: SignerSettings,
    /// Cap on a decompressed payload.
    pub max_decompressed: usize,
}

impl TokenFormat {
    /// The format with its defaults.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let f = TokenFormat::new(FormatKind::Flask);
    /// assert_eq!(f.settings, FormatKind::Flask.default_settings());
    /// ```
    pub fn new(kind: FormatKind) -> TokenFormat {
        TokenFormat {
            kind,
            settings: kind.default_settings(),
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }

    /// MD5 only when asked for (legacy tokens).
    fn signer_builder(
        &self,
        keys: &[&[u8]],
        allow_md5: bool,
    ) -> Result<SignerBuilder, ConfigError> {
        let (first, rest) = keys.split_first().ok_or(ConfigError::NoKey)?;
        let mut b = Signer::builder(first).settings(self.settings.clone());
        if allow_md5 {
            b = b.allow_legacy_md5();
        }
        for k in rest {
            b = b.fallback_key(k);
        }
        Ok(b)
    }

    fn serializer_builder(
        &self,
        keys: &[&[u8]],
        allow_md5: bool,
    ) -> Result<SerializerBuilder, ConfigError> {
        let main = self.signer_builder(keys, allow_md5)?;
        let first = keys.first().ok_or(ConfigError::NoKey)?;
        let b = SerializerBuilder::new(first)
            .signer(|_| main)
            .max_decompressed_size(self.max_decompressed);
        Ok(if allow_md5 { b.allow_legacy_md5() } else { b })
    }

    /// Verifies `token` with `keys` (current first, then fallbacks in trial order) as of the
    /// clock: a shortcut for a one-off check through a [`Verifier`] (build one [`Verifier`] for
    /// many tokens). [`TokenFormat::verify_at`] takes the time.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verdict};
    /// let f = TokenFormat::new(FormatKind::UrlSafe);
    /// let token = f.sign_at(&[b"secret"], b"[1,2]", 0).unwrap();
    /// assert!(f.verify(&[b"secret"], &token, None).unwrap().result.is_ok());
    /// let forged = f.verify(&[b"secret"], "WzEsMl0.forged", None).unwrap();
    /// assert_eq!(forged.result, Err(Verdict::BadSignature));
    /// ```
    pub fn verify(
        &self,
        keys: &[&[u8]],
        token: &str,
        max_age: Option<u64>,
    ) -> Result<Verification, ConfigError> {
        self.verify_at(keys, token, max_age, crate::timed::unix_now())
    }

    /// [`TokenFormat::verify`] as of `now` (Unix seconds).
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let f = TokenFormat::new(FormatKind::Flask);
    /// let token = f.sign_at(&[b"secret"], b"{\"a\":1}", 1_700_000_000).unwrap();
    /// let v = f.verify_at(&[b"other", b"secret"], &token, Some(60), 1_700_000_010).unwrap();
    /// assert!(v.result.is_ok());
    /// assert_eq!((v.key_index, v.payload_raw.as_deref()), (Some(1), Some("{\"a\":1}")));
    /// ```
    pub fn verify_at(
        &self,
        keys: &[&[u8]],
        token: &str,
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Verification, ConfigError> {
        let keys: Vec<SecretKey> = keys.iter().map(|k| SecretKey::from_slice(k)).collect();
        let r =
            Verifier::new(self, &keys, max_age)?.inspect_at(token.as_bytes(), Detail::Verify, now);
        Ok(Verification {
            result: if r.verdict.is_valid() {
                Ok(())
            } else {
                Err(r.verdict)
            },
            timestamp: r.parts.as_ref().and_then(|p| p.timestamp),
            compressed: r.parts.as_ref().is_some_and(|p| p.compressed),
            payload_raw: r.payload_raw,
            key_index: r.key_index,
        })
    }

    /// Signs a payload now: JSON text for the serializer formats and Starlette (signed exactly
    /// as given), bytes for the signers. [`TokenFormat::sign_at`] takes the time. MD5 is refused
    /// ([`ConfigError::Md5NotAllowed`]): it is only for verifying legacy tokens.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let token = TokenFormat::new(FormatKind::Flask).sign(&[b"secret"], br#"{"a":1}"#).unwrap();
    /// assert_eq!(token.split('.').count(), 3);
    /// ```
    pub fn sign(&self, keys: &[&[u8]], payload: &[u8]) -> Result<String, SignError> {
        self.sign_impl(keys, payload, crate::timed::unix_now(), false)
    }

    /// [`TokenFormat::sign`] at the given time (Unix seconds), which timed formats put in the
    /// token; untimed formats ignore it.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let f = TokenFormat::new(FormatKind::Signer);
    /// assert_eq!(f.sign_at(&[b"secret"], b"hello", 0).unwrap(), "hello.7KTthSs1fJgtbigPvFpQH1bpoGA");
    /// // = itsdangerous.Signer("secret").sign(b"hello")
    /// ```
    pub fn sign_at(&self, keys: &[&[u8]], payload: &[u8], now: u64) -> Result<String, SignError> {
        self.sign_impl(keys, payload, now, false)
    }

    /// Like [`TokenFormat::sign`], but MD5 is accepted: for auditors who must forge tokens for
    /// an application still on MD5. Never for new tokens of your own.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let mut f = TokenFormat::new(FormatKind::Signer);
    /// f.settings.digest = waxseal::Digest::Md5;
    /// assert!(f.sign(&[b"k"], b"v").is_err());
    /// assert!(f.sign_allowing_legacy_md5(&[b"k"], b"v").is_ok());
    /// ```
    pub fn sign_allowing_legacy_md5(
        &self,
        keys: &[&[u8]],
        payload: &[u8],
    ) -> Result<String, SignError> {
        self.sign_impl(keys, payload, crate::timed::unix_now(), true)
    }

    /// [`TokenFormat::sign_allowing_legacy_md5`] at the given time (Unix seconds).
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let mut flask = TokenFormat::new(FormatKind::Flask);
    /// flask.settings.digest = waxseal::Digest::Md5;
    /// assert!(flask.sign_at(&[b"k"], b"{}", 0).is_err());
    /// assert!(flask.sign_allowing_legacy_md5_at(&[b"k"], b"{}", 0).is_ok());
    /// ```
    pub fn sign_allowing_legacy_md5_at(
        &self,
        keys: &[&[u8]],
        payload: &[u8],
        now: u64,
    ) -> Result<String, SignError> {
        self.sign_impl(keys, payload, now, true)
    }

    fn sign_impl(
        &self,
        keys: &[&[u8]],
        payload: &[u8],
        timestamp: u64,
        allow_md5: bool,
    ) -> Result<String, SignError> {
        let text = || std::str::from_utf8(payload).map_err(|_| SignError::NotUtf8);
        let token = match self.kind {
            FormatKind::Signer => self.signer_builder(keys, allow_md5)?.build()?.sign(payload),
            FormatKind::TimestampSigner => {
                TimestampSigner::build(self.signer_builder(keys, allow_md5)?)?
                    .sign_at(payload, timestamp)
            }
            FormatKind::Starlette => TimestampSigner::build(self.signer_builder(keys, allow_md5)?)?
                .sign_at(
                    crate::encoding::standard_base64_encode(text()?.as_bytes()).as_bytes(),
                    timestamp,
                ),
            FormatKind::Serializer => self
                .serializer_builder(keys, allow_md5)?
                .build_serializer()?
                .dumps_raw(text()?)
                .into_bytes(),
            FormatKind::TimedSerializer => self
                .serializer_builder(keys, allow_md5)?
                .build_timed()?
                .dumps_raw_at(text()?, timestamp)
                .into_bytes(),
            FormatKind::UrlSafe => self
                .serializer_builder(keys, allow_md5)?
                .build_url_safe()?
                .dumps_raw(text()?)
                .into_bytes(),
            FormatKind::Flask | FormatKind::UrlSafeTimed => self
                .serializer_builder(keys, allow_md5)?
                .build_url_safe_timed()?
                .dumps_raw_at(text()?, timestamp)
                .into_bytes(),
        };
        String::from_utf8(token).map_err(|_| SignError::NotUtf8)
    }
}

/// Why [`TokenFormat::sign`] failed.
///
/// ```
/// use waxseal::inspect::{FormatKind, SignError, TokenFormat};
/// let err = TokenFormat::new(FormatKind::Flask).sign_at(&[b"k"], &[0xff], 0).unwrap_err();
/// assert_eq!(err, SignError::NotUtf8);
/// assert_eq!(err.to_string(), "the payload must be UTF-8 text for this format");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The settings are invalid; the [`ConfigError`] is the `source()`.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A serializer payload (JSON text) or the resulting token is not UTF-8.
    #[error("the payload must be UTF-8 text for this format")]
    NotUtf8,
}

/// The short answer of [`TokenFormat::verify_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `Ok(())` when valid, else the verdict.
    pub result: Result<(), Verdict>,
    /// The exact signed payload text (for valid and for expired tokens, whose signatures are
    /// valid).
    pub payload_raw: Option<String>,
    /// The signing time the token carries.
    pub timestamp: Option<u64>,
    /// Which key's signature matched: 0 = current, n = n-th fallback.
    pub key_index: Option<usize>,
    /// Whether the payload was compressed.
    pub compressed: bool,
}

/// A duration in words: `42 s`, `3 min 5 s`, `2 h 10 min`, `31 days`, `1 day 2 h`.
///
/// ```
/// use waxseal::inspect::duration;
/// assert_eq!(duration(185), "3 min 5 s");
/// assert_eq!(duration(31 * 86_400), "31 days");
/// assert_eq!(duration(86_400 + 7200), "1 day 2 h");
/// ```
pub fn duration(secs: u64) -> String {
    let mut out = String::with_capacity(16);
    push_duration(&mut out, secs);
    out
}

/// Appends [`duration`] to `out` without formatting machinery (it is on every batch answer).
pub(crate) fn push_duration(out: &mut String, secs: u64) {
    let mut n = itoa::Buffer::new();
    let mut num = |out: &mut String, v: u64, unit: &str| {
        out.push_str(n.format(v));
        out.push(' ');
        out.push_str(unit);
    };
    match secs {
        0..=59 => num(out, secs, "s"),
        60..=3599 => {
            num(out, secs / 60, "min ");
            num(out, secs % 60, "s");
        }
        3600..=86_399 => {
            num(out, secs / 3600, "h ");
            num(out, secs % 3600 / 60, "min");
        }
        _ => {
            let days = secs / 86_400;
            num(out, days, if days == 1 { "day" } else { "days" });
            let hours = secs % 86_400 / 3600;
            if hours != 0 {
                out.push(' ');
                num(out, hours, "h");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn sign_errors_keep_the_config_error_as_source() {
        let err = TokenFormat::new(FormatKind::Signer)
            .sign_at(&[], b"v", 0)
            .unwrap_err();
        assert_eq!(err, SignError::Config(ConfigError::NoKey));
        assert_eq!(err.to_string(), ConfigError::NoKey.to_string());
        assert_eq!(
            err.source().map(|s| s.to_string()),
            Some(ConfigError::NoKey.to_string())
        );
        assert!(SignError::NotUtf8.source().is_none());
    }
}
