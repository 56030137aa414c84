//! Tokens of a format chosen at run time: split into parts without verifying (for `decode`),
//! verify with every detail reported (for `verify` and `explain`), and sign.
//!
//! This is what a command-line tool or an inspector page needs: one entry point for the six
//! token formats, each with its itsdangerous or Flask defaults, instead of six types.

use crate::compress;
use crate::encoding::{base64_decode, base64_decode_to_slice, bytes_to_int};
use crate::error::{ConfigError, Error, PayloadError};
use crate::serializer::{SerializerBuilder, DEFAULT_MAX_DECOMPRESSED};
use crate::signer::{Digest, Signer, SignerBuilder, SignerSettings};
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
    /// itsdangerous `TimestampSigner` (salt `itsdangerous.Signer`).
    TimestampSigner,
    /// itsdangerous `Signer`.
    Signer,
}

impl FormatKind {
    /// Every format, in the order the CLI lists them.
    pub const ALL: [FormatKind; 6] = [
        FormatKind::Flask,
        FormatKind::UrlSafeTimed,
        FormatKind::UrlSafe,
        FormatKind::Serializer,
        FormatKind::TimestampSigner,
        FormatKind::Signer,
    ];

    /// The CLI name: `flask`, `url-safe-timed`, `url-safe`, `serializer`, `timestamp-signer`,
    /// `signer`.
    pub fn name(self) -> &'static str {
        match self {
            FormatKind::Flask => "flask",
            FormatKind::UrlSafeTimed => "url-safe-timed",
            FormatKind::UrlSafe => "url-safe",
            FormatKind::Serializer => "serializer",
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
    pub fn default_settings(self) -> SignerSettings {
        match self {
            FormatKind::Flask => SignerSettings::flask(),
            FormatKind::UrlSafeTimed | FormatKind::UrlSafe | FormatKind::Serializer => {
                SignerSettings {
                    salt: b"itsdangerous".to_vec(),
                    ..SignerSettings::default()
                }
            }
            FormatKind::TimestampSigner | FormatKind::Signer => SignerSettings::default(),
        }
    }

    /// Whether tokens carry a timestamp.
    pub fn is_timed(self) -> bool {
        matches!(
            self,
            FormatKind::Flask | FormatKind::UrlSafeTimed | FormatKind::TimestampSigner
        )
    }

    /// Whether the payload is JSON (a serializer format) rather than arbitrary bytes.
    pub fn is_json(self) -> bool {
        !matches!(self, FormatKind::TimestampSigner | FormatKind::Signer)
    }

    /// Whether the payload is base64url and possibly zlib-compressed.
    pub fn is_url_safe(self) -> bool {
        matches!(
            self,
            FormatKind::Flask | FormatKind::UrlSafeTimed | FormatKind::UrlSafe
        )
    }
}

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
    pub fn new(kind: FormatKind) -> TokenFormat {
        TokenFormat {
            kind,
            settings: kind.default_settings(),
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }

    /// MD5 is accepted for verifying (old tokens must stay readable during a migration), never
    /// for signing.
    fn signer_builder(
        &self,
        keys: &[&[u8]],
        verifying: bool,
    ) -> Result<SignerBuilder, ConfigError> {
        let (first, rest) = keys.split_first().ok_or(ConfigError::NoKey)?;
        let mut b = Signer::builder(first).settings(self.settings.clone());
        if verifying {
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
        verifying: bool,
    ) -> Result<SerializerBuilder, ConfigError> {
        let main = self.signer_builder(keys, verifying)?;
        let first = keys.first().ok_or(ConfigError::NoKey)?;
        Ok(SerializerBuilder::new(first)
            .signer(|_| main)
            .max_decompressed_size(self.max_decompressed))
    }

    /// Verifies `token` with `keys` (current first, then fallbacks in trial order). For timed
    /// formats `max_age` is checked as of `now`. Only invalid *settings* are an `Err`; every
    /// problem with the token is reported inside the [`Verification`].
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat};
    /// let f = TokenFormat::new(FormatKind::Flask);
    /// let token = f.sign(&[b"secret"], b"{\"a\":1}", 1_700_000_000).unwrap();
    /// let v = f.verify(&[b"other", b"secret"], &token, Some(60), 1_700_000_010).unwrap();
    /// assert!(v.result.is_ok());
    /// assert_eq!((v.key_index, v.payload_raw.as_deref()), (Some(1), Some("{\"a\":1}")));
    /// ```
    pub fn verify(
        &self,
        keys: &[&[u8]],
        token: &str,
        max_age: Option<u64>,
        now: u64,
    ) -> Result<Verification, ConfigError> {
        let mut v = Verification::default();
        let parts = split(self.kind, self.settings.separator, token.as_bytes());
        if let Ok(p) = &parts {
            v.compressed = p.compressed;
            v.timestamp = p.timestamp;
        }
        let outcome = match self.kind {
            FormatKind::Signer => {
                let s = self.signer_builder(keys, true)?.build()?;
                s.unsign(token.as_bytes()).map(|u| {
                    (
                        String::from_utf8_lossy(u.value).into_owned(),
                        None,
                        u.key_index,
                        false,
                    )
                })
            }
            FormatKind::TimestampSigner => {
                let s = TimestampSigner::build(self.signer_builder(keys, true)?)?;
                s.unsign_at(token.as_bytes(), max_age, now).map(|u| {
                    (
                        String::from_utf8_lossy(u.value).into_owned(),
                        Some(u.timestamp),
                        u.key_index,
                        false,
                    )
                })
            }
            kind => {
                let b = self.serializer_builder(keys, true)?;
                let loaded = match kind {
                    FormatKind::Serializer => b.build_serializer()?.loads_raw(token),
                    FormatKind::UrlSafe => b.build_url_safe()?.loads_raw(token),
                    _ => b.build_url_safe_timed()?.loads_raw_at(token, max_age, now),
                };
                loaded.map(|l| (l.raw, l.timestamp, l.key_index, l.compressed))
            }
        };
        match outcome {
            Ok((raw, ts, key_index, compressed)) => {
                v.payload_raw = Some(raw);
                v.timestamp = ts;
                v.key_index = Some(key_index);
                v.compressed = compressed;
                v.result = Ok(());
            }
            Err(e) => {
                if let Error::Expired {
                    payload, timestamp, ..
                } = &e
                {
                    v.timestamp = Some(*timestamp);
                    // The signature was valid: the payload can be shown, marked as expired.
                    v.payload_raw = open_payload(self.kind, payload, self.max_decompressed).ok();
                }
                v.result = Err(e);
            }
        }
        Ok(v)
    }

    /// Signs a payload: JSON text for the serializer formats (signed exactly as given), bytes
    /// for the signers. Timed formats use `timestamp`. MD5 is refused
    /// ([`ConfigError::Md5NotAllowed`]): it is only for verifying legacy tokens.
    pub fn sign(
        &self,
        keys: &[&[u8]],
        payload: &[u8],
        timestamp: u64,
    ) -> Result<String, SignError> {
        let text = || std::str::from_utf8(payload).map_err(|_| SignError::NotUtf8);
        let token = match self.kind {
            FormatKind::Signer => self.signer_builder(keys, false)?.build()?.sign(payload),
            FormatKind::TimestampSigner => {
                TimestampSigner::build(self.signer_builder(keys, false)?)?
                    .sign_at(payload, timestamp)
            }
            FormatKind::Serializer => self
                .serializer_builder(keys, false)?
                .build_serializer()?
                .dumps_raw(text()?)
                .into_bytes(),
            FormatKind::UrlSafe => self
                .serializer_builder(keys, false)?
                .build_url_safe()?
                .dumps_raw(text()?)
                .into_bytes(),
            FormatKind::Flask | FormatKind::UrlSafeTimed => self
                .serializer_builder(keys, false)?
                .build_url_safe_timed()?
                .dumps_raw_at(text()?, timestamp)
                .into_bytes(),
        };
        String::from_utf8(token).map_err(|_| SignError::NotUtf8)
    }
}

/// Why [`TokenFormat::sign`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The settings are invalid.
    Config(ConfigError),
    /// A serializer payload (JSON text) or the resulting token is not UTF-8.
    NotUtf8,
}

impl From<ConfigError> for SignError {
    fn from(e: ConfigError) -> Self {
        SignError::Config(e)
    }
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::Config(e) => e.fmt(f),
            SignError::NotUtf8 => f.write_str("the payload must be UTF-8 text for this format"),
        }
    }
}

impl std::error::Error for SignError {}

/// Everything [`TokenFormat::verify`] learned about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `Ok(())` when valid.
    pub result: Result<(), Error>,
    /// The exact signed payload text after decompression (given for valid and for expired
    /// tokens, whose signatures are valid).
    pub payload_raw: Option<String>,
    /// The signing time (also for expired tokens, and, unverified, for tampered ones).
    pub timestamp: Option<u64>,
    /// Which key verified it: 0 = current, n = n-th fallback.
    pub key_index: Option<usize>,
    /// Whether the payload was compressed.
    pub compressed: bool,
}

impl Default for Verification {
    fn default() -> Self {
        Verification {
            result: Err(Error::InvalidBase64),
            payload_raw: None,
            timestamp: None,
            key_index: None,
            compressed: false,
        }
    }
}

/// A token split into its parts, nothing verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenParts<'a> {
    /// The payload part as it appears in the token (base64 for URL-safe formats, with any `.`
    /// compression marker removed).
    pub payload: &'a [u8],
    /// Whether the payload is marked compressed.
    pub compressed: bool,
    /// The timestamp part as it appears, for timed formats.
    pub timestamp_text: Option<&'a [u8]>,
    /// The timestamp decoded, when readable.
    pub timestamp: Option<u64>,
    /// Everything the signature covers.
    pub signed_part: &'a [u8],
    /// The signature as it appears (base64).
    pub signature_text: &'a [u8],
    /// The decoded signature, when valid base64.
    pub signature: Option<Vec<u8>>,
    /// The digest the signature's length implies, if one does.
    pub implied_digest: Option<Digest>,
}

impl TokenParts<'_> {
    /// Decodes the payload part into its text (base64 and, when marked, zlib for URL-safe
    /// formats; as is otherwise). Nothing was verified: this is for inspection, and it is capped
    /// at `max_decompressed` bytes like everything else.
    ///
    /// ```
    /// use waxseal::inspect::{split, FormatKind};
    /// let parts = split(FormatKind::UrlSafe, b'.', b".eJyrVkpUsjLUUUpSsjKqBQAW9gNH.sig").unwrap();
    /// assert!(parts.compressed);
    /// assert_eq!(parts.open(FormatKind::UrlSafe, 1 << 20).unwrap(), r#"{"a":1,"b":2}"#);
    /// ```
    pub fn open(&self, kind: FormatKind, max_decompressed: usize) -> Result<String, PayloadError> {
        decode_payload(kind, self.payload, self.compressed, max_decompressed)
    }
}

/// Splits a token into its parts without verifying anything.
///
/// ```
/// use waxseal::inspect::{split, FormatKind};
/// let p = split(FormatKind::Flask, b'.', b"eyJhIjoxfQ.ZVPxAA.abcdefghijklmnopqrstuvwxyz0").unwrap();
/// assert_eq!(p.timestamp, Some(1_700_000_000));
/// assert_eq!(p.implied_digest, Some(waxseal::Digest::Sha1));
/// ```
pub fn split(kind: FormatKind, sep: u8, token: &[u8]) -> Result<TokenParts<'_>, Error> {
    let at = token
        .iter()
        .rposition(|&b| b == sep)
        .ok_or(Error::MissingSeparator { separator: sep })?;
    let (signed_part, signature_text) = (&token[..at], &token[at + 1..]);
    let mut buf = [0u8; 64];
    let signature = base64_decode_to_slice(signature_text, &mut buf).map(|n| buf[..n].to_vec());
    let implied_digest = signature
        .as_ref()
        .and_then(|s| Digest::from_output_len(s.len()));
    let (mut payload, timestamp_text) = if kind.is_timed() {
        match signed_part.iter().rposition(|&b| b == sep) {
            Some(t) => (&signed_part[..t], Some(&signed_part[t + 1..])),
            None => (signed_part, None),
        }
    } else {
        (signed_part, None)
    };
    let timestamp = timestamp_text
        .and_then(|t| base64_decode(t).ok())
        .and_then(|b| bytes_to_int(&b));
    let mut compressed = false;
    if kind.is_url_safe() {
        if let Some(rest) = payload.strip_prefix(b".") {
            payload = rest;
            compressed = true;
        }
    }
    Ok(TokenParts {
        payload,
        compressed,
        timestamp_text,
        timestamp,
        signed_part,
        signature_text,
        signature,
        implied_digest,
    })
}

/// Decodes a signed payload as it stands in the token (with its `.` compression marker, if
/// any) into its text: base64 and zlib for URL-safe formats, as is otherwise. Capped at
/// `max_decompressed` bytes. For a payload already split off by [`split`], use
/// [`TokenParts::open`], which knows whether the marker was there.
pub fn open_payload(
    kind: FormatKind,
    payload: &[u8],
    max_decompressed: usize,
) -> Result<String, PayloadError> {
    match payload.strip_prefix(b".") {
        Some(rest) if kind.is_url_safe() => decode_payload(kind, rest, true, max_decompressed),
        _ => decode_payload(kind, payload, false, max_decompressed),
    }
}

fn decode_payload(
    kind: FormatKind,
    data: &[u8],
    compressed: bool,
    max_decompressed: usize,
) -> Result<String, PayloadError> {
    let bytes = if kind.is_url_safe() {
        let decoded = base64_decode(data).map_err(|_| PayloadError::Base64)?;
        if compressed {
            compress::zlib_decompress_capped(&decoded, max_decompressed)?
        } else {
            decoded
        }
    } else {
        data.to_vec()
    };
    String::from_utf8(bytes).map_err(|_| PayloadError::Utf8)
}
