//! The verification engine behind `verify`, `explain`, `decode` and the inspector page: a
//! [`Verifier`] built once from the format, the keys and the age limit, and one typed
//! [`Inspection`] per token.
//!
//! Decisions, and why:
//! * The signature is checked before anything is decoded, as itsdangerous does; the age only once
//!   the signature holds (an untrusted timestamp means nothing), then the payload is opened. Only
//!   [`Detail::Explain`] also opens the payload of a token whose signature fails, to show what it
//!   claims; that is bounded by the same decompression cap as everything else.
//! * Verdicts follow itsdangerous's exception order: a bad signature beats everything, an
//!   expired token is reported as expired even if its payload would not load (itsdangerous raises
//!   `SignatureExpired` before loading it), a token whose signature holds but whose payload the
//!   format's loader would refuse is `bad_payload`.
//! * A Starlette payload that is not standard base64 with padding, under a genuine signature, is
//!   `bad_payload`: Starlette's `b64decode` would raise on it (or, for characters outside the
//!   alphabet, drop them and read another payload), so no reading of it is Starlette's.
//! * An invalid base64 signature is a bad signature (itsdangerous compares and fails), not a
//!   malformed token; a token without a separator, or a timed token without a readable timestamp,
//!   is malformed.
//! * Keys are [`SecretKey`]s; each is derived and its HMAC state keyed once, in [`Verifier::new`].
//!   Expected signatures are computed only for [`Detail::Explain`].

use zeroize::Zeroizing;

use crate::compress;
use crate::encoding::{base64_decode_into, base64_decode_to_slice, base64_encode, bytes_to_int};
use crate::error::ConfigError;
use crate::secret::{Keyring, SecretKey};
use crate::signer::{derive_key, Digest, Signer};

use super::payload::{self, CompactJson, Payload};
use super::split::{split_token, RawParts};
use super::{duration, push_duration, FormatKind, TokenFormat};

thread_local! {
    /// The base64-decoded bytes of a compressed payload, before inflating: one buffer per
    /// thread, reused for every token.
    static COMPRESSED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How much to work out per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The verdict, parts, age and payload: what `verify` prints.
    Verify,
    /// Also each key's derived-key fingerprint and expected signature, and the claimed payload of
    /// a token whose signature fails: what `explain` and the inspector page show.
    Explain,
}

/// What a token is, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Genuine, signed with the current key, within its age.
    Valid,
    /// Genuine, signed with a fallback key still accepted.
    ValidFallback,
    /// No key gives its signature.
    BadSignature,
    /// Genuine but older than the maximum age, or dated in the future.
    Expired,
    /// Not a token of this format.
    Malformed,
    /// Genuine, but its payload cannot be loaded.
    BadPayload,
    /// Decoded without a key: nothing proven.
    NotVerified,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 7] = [
        Verdict::Valid,
        Verdict::ValidFallback,
        Verdict::BadSignature,
        Verdict::Expired,
        Verdict::Malformed,
        Verdict::BadPayload,
        Verdict::NotVerified,
    ];

    /// The snake_case name: `valid`, `valid_fallback`, `bad_signature`, `expired`, `malformed`,
    /// `bad_payload`, `not_verified`.
    ///
    /// ```
    /// assert_eq!(waxseal::inspect::Verdict::ValidFallback.as_str(), "valid_fallback");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::ValidFallback => "valid_fallback",
            Verdict::BadSignature => "bad_signature",
            Verdict::Expired => "expired",
            Verdict::Malformed => "malformed",
            Verdict::BadPayload => "bad_payload",
            Verdict::NotVerified => "not_verified",
        }
    }

    /// One sentence saying what the verdict means.
    ///
    /// ```
    /// use waxseal::inspect::Verdict;
    /// assert!(Verdict::NotVerified.explanation().starts_with("No key was used"));
    /// ```
    pub fn explanation(self) -> &'static str {
        match self {
            Verdict::Valid => {
                "The signature was made with the current key and the token is within its age: it \
                 is genuine and unchanged."
            }
            Verdict::ValidFallback => {
                "The signature was made with an older key that is still accepted during a \
                 rotation: it is genuine, and is re-signed with the current key the next time \
                 the application saves it."
            }
            Verdict::BadSignature => {
                "No key gives this signature: the token was tampered with after signing, or it \
                 was signed with another key (or another salt, digest or key derivation)."
            }
            Verdict::Expired => {
                "The signature is genuine, but the token is older than the maximum age (or dated \
                 in the future), so it is refused."
            }
            Verdict::Malformed => {
                "This is not a token of this format: its parts cannot be separated or read."
            }
            Verdict::BadPayload => {
                "The signature is genuine, but the payload cannot be read as this format's data."
            }
            Verdict::NotVerified => {
                "No key was used: the token was only decoded, and anyone can write one that \
                 decodes like this."
            }
        }
    }

    /// Whether the token is genuine and accepted.
    ///
    /// ```
    /// use waxseal::inspect::Verdict;
    /// assert!(Verdict::ValidFallback.is_valid());
    /// assert!(!Verdict::Expired.is_valid());
    /// ```
    pub fn is_valid(self) -> bool {
        matches!(self, Verdict::Valid | Verdict::ValidFallback)
    }

    /// The error class of an invalid token (`bad_signature`, `expired`, `malformed`,
    /// `bad_payload`), `None` for a valid or merely decoded one.
    ///
    /// ```
    /// use waxseal::inspect::Verdict;
    /// assert_eq!(Verdict::Expired.error(), Some("expired"));
    /// assert_eq!(Verdict::NotVerified.error(), None);
    /// ```
    pub fn error(self) -> Option<&'static str> {
        match self {
            Verdict::Valid | Verdict::ValidFallback | Verdict::NotVerified => None,
            other => Some(other.as_str()),
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token's parts as they appear in it (text taken as UTF-8, invalid bytes replaced), nothing
/// verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The payload part, without the `.` compression marker.
    pub payload: String,
    /// Whether the payload carries the `.` compression marker (URL-safe formats).
    pub compressed: bool,
    /// The timestamp part, for timed formats that have one.
    pub timestamp_text: Option<String>,
    /// The timestamp decoded (Unix seconds), when readable.
    pub timestamp: Option<u64>,
    /// The signature as it appears (base64url).
    pub signature_text: String,
    /// The signature decoded, when valid base64.
    pub signature: Option<Vec<u8>>,
    /// The digest the signature's length implies, if one does.
    pub implied_digest: Option<Digest>,
}

impl Parts {
    /// Everything the signature covers, as it appears in the token (`separator` is the format's).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
    /// let token = "eyJhIjoxfQ.ZVPxAA.c2ln";
    /// let r = Verifier::decode_only(&TokenFormat::new(FormatKind::Flask)).inspect(token.as_bytes(), Detail::Verify);
    /// assert_eq!(r.parts.unwrap().signed_part(b'.'), "eyJhIjoxfQ.ZVPxAA");
    /// ```
    pub fn signed_part(&self, separator: u8) -> String {
        let mut s = String::with_capacity(self.payload.len() + 16);
        if self.compressed {
            s.push('.');
        }
        s.push_str(&self.payload);
        if let Some(t) = &self.timestamp_text {
            s.push(char::from(separator));
            s.push_str(t);
        }
        s
    }
}

/// What one key gives for this token ([`Detail::Explain`] only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTrial {
    /// 0 = current key, n = n-th fallback.
    pub index: usize,
    /// The secret key's fingerprint (never the key).
    pub fingerprint: String,
    /// The secret key's length in bytes.
    pub key_len: usize,
    /// The fingerprint of the key derived from it for this salt and derivation. The derived key
    /// signs as well as the secret itself, so only its fingerprint is given.
    pub derived_key_fingerprint: String,
    /// The signature this key gives the token's signed part, base64url as in a token.
    pub expected_signature: String,
    /// The same, as hex.
    pub expected_signature_hex: String,
}

/// The age check of a timed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeCheck {
    /// `now - timestamp` in seconds; negative for a token dated in the future.
    pub age: i64,
    /// The maximum age applied, if any.
    pub max_age: Option<u64>,
    /// Whether the age check refuses the token.
    pub expired: bool,
}

/// Everything learned about one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The verdict.
    pub verdict: Verdict,
    /// One or two sentences about this token in particular (the verdict's general meaning is
    /// [`Verdict::explanation`]). May quote the payload's text: escape it for terminals.
    pub message: String,
    /// The parts, unless the token cannot even be split.
    pub parts: Option<Parts>,
    /// The key whose signature matched (0 = current), also for an expired token.
    pub key_index: Option<usize>,
    /// Per-key values, for [`Detail::Explain`] with keys.
    pub keys: Vec<KeyTrial>,
    /// The age check, for a timed token whose signature holds (or that was only decoded).
    pub age: Option<AgeCheck>,
    /// The exact payload text after base64 and decompression (invalid UTF-8 replaced for signer
    /// payloads, which are bytes). Present for genuine tokens, decoded ones, and with
    /// [`Detail::Explain`] for the claims of a token whose signature fails.
    pub payload_raw: Option<String>,
    /// The payload decoded; for JSON formats the typed value (Flask's Python types kept) that
    /// serialises to the `$`-tagged JSON.
    pub payload: Option<Payload>,
    /// Why the payload could not be opened or decoded.
    pub payload_error: Option<String>,
    /// Whether the signature was actually checked against keys.
    pub verified: bool,
}

impl Inspection {
    /// The payload's `$`-tagged JSON given by its text (`payload_raw`), for renderers that copy
    /// it instead of serialising `payload`: `None` when the text is not that JSON (see
    /// [`CompactJson`]).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
    /// let format = TokenFormat::new(FormatKind::Flask);
    /// let token = format.sign_at(&[b"key"], br#"{"user":"ada"}"#, 1_700_000_000).unwrap();
    /// let r = Verifier::decode_only(&format).inspect(token.as_bytes(), Detail::Verify);
    /// assert_eq!(r.payload_compact_json().unwrap().to_string(), r#"{"user":"ada"}"#);
    /// ```
    pub fn payload_compact_json(&self) -> Option<CompactJson<'_>> {
        match (&self.payload, &self.payload_raw) {
            (Some(Payload::Json(p)), Some(text)) => CompactJson::of(p, text),
            _ => None,
        }
    }

    /// Clears the record for [`Verifier::inspect_into_at`]: every field as in a fresh malformed
    /// record with an empty message (whose buffer is kept); returns the old parts, or empty
    /// ones, whose buffers the new parts reuse, and the old payload text's buffer, emptied, for
    /// the new payload.
    fn reset(&mut self) -> (Parts, Vec<u8>) {
        self.verdict = Verdict::Malformed;
        self.message.clear();
        self.key_index = None;
        self.keys.clear();
        self.age = None;
        let mut spare = self
            .payload_raw
            .take()
            .map(String::into_bytes)
            .unwrap_or_default();
        spare.clear();
        self.payload = None;
        self.payload_error = None;
        self.verified = false;
        let parts = self.parts.take().unwrap_or_else(|| Parts {
            payload: String::new(),
            compressed: false,
            timestamp_text: None,
            timestamp: None,
            signature_text: String::new(),
            signature: None,
            implied_digest: None,
        });
        (parts, spare)
    }

    /// A record for input that is not a token at all (an empty line, a line over a length
    /// limit): `malformed`, with `message` saying why.
    ///
    /// ```
    /// use waxseal::inspect::{Inspection, Verdict};
    /// let r = Inspection::malformed("empty line: no token");
    /// assert_eq!((r.verdict, r.message.as_str()), (Verdict::Malformed, "empty line: no token"));
    /// ```
    pub fn malformed(message: impl Into<String>) -> Inspection {
        Inspection {
            verdict: Verdict::Malformed,
            message: message.into(),
            parts: None,
            key_index: None,
            keys: Vec::new(),
            age: None,
            payload_raw: None,
            payload: None,
            payload_error: None,
            verified: false,
        }
    }
}

/// Per-key facts prepared once.
struct KeyInfo {
    fingerprint: String,
    len: usize,
    derived_fingerprint: String,
}

/// A verifier for one format, one set of keys and one age limit, built once per run.
///
/// ```
/// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
/// use waxseal::secret::SecretKey;
/// let format = TokenFormat::new(FormatKind::Flask);
/// let token = format.sign_at(&[b"old key"], br#"{"user":"ada"}"#, 1_700_000_000).unwrap();
/// let keys = [SecretKey::from_text("new key"), SecretKey::from_text("old key")];
/// let verifier = Verifier::new(&format, &keys, Some(3600)).unwrap();
/// let r = verifier.inspect_at(token.as_bytes(), Detail::Verify, 1_700_000_060);
/// assert_eq!((r.verdict, r.key_index), (Verdict::ValidFallback, Some(1)));
/// assert_eq!(r.payload_raw.as_deref(), Some(r#"{"user":"ada"}"#));
/// let late = verifier.inspect_at(token.as_bytes(), Detail::Verify, 1_700_010_000);
/// assert_eq!(late.verdict, Verdict::Expired);
/// ```
pub struct Verifier {
    format: TokenFormat,
    signer: Option<Signer>,
    keys: Vec<KeyInfo>,
    max_age: Option<u64>,
    /// The end of a valid timed token's message, after its age: the same for every token of a
    /// run, so written once.
    age_suffix: String,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("format", &self.format)
            .field("keys", &self.keys.len())
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl Verifier {
    /// A verifier with `keys` (current first, then fallbacks in trial order). `max_age` applies
    /// to timed formats only. MD5 is accepted here (old tokens must stay checkable during a
    /// migration); an invalid separator or no key at all is an error.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::Signer);
    /// let v = Verifier::new(&format, &[SecretKey::from_text("current"), SecretKey::from_text("old")], None).unwrap();
    /// assert_eq!(v.key_count(), 2);
    /// assert_eq!(Verifier::new(&format, &[], None).unwrap_err(), waxseal::ConfigError::NoKey);
    /// ```
    pub fn new(
        format: &TokenFormat,
        keys: &[SecretKey],
        max_age: Option<u64>,
    ) -> Result<Verifier, ConfigError> {
        let (first, rest) = keys.split_first().ok_or(ConfigError::NoKey)?;
        let mut builder = Signer::builder(first.as_bytes())
            .settings(format.settings.clone())
            .allow_legacy_md5();
        for k in rest {
            builder = builder.fallback_key(k.as_bytes());
        }
        let signer = builder.build()?;
        let s = &format.settings;
        let keys = keys
            .iter()
            .map(|k| {
                let derived = Zeroizing::new(derive_key(
                    s.key_derivation,
                    s.digest,
                    &s.salt,
                    k.as_bytes(),
                ));
                KeyInfo {
                    fingerprint: k.fingerprint(),
                    len: k.len(),
                    derived_fingerprint: SecretKey::from_slice(&derived).fingerprint(),
                }
            })
            .collect();
        let max_age = max_age.filter(|_| format.kind.is_timed());
        Ok(Verifier {
            format: format.clone(),
            signer: Some(signer),
            keys,
            max_age,
            age_suffix: age_suffix(max_age),
        })
    }

    /// A verifier with a keyring's keys (current, then fallbacks newest first).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
    /// use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// let current = SecretKey::generate().unwrap();
    /// let old = SecretKey::generate().unwrap();
    /// let ring = Keyring::new(current, vec![old.clone()], KeyPolicy::RefuseWeak).unwrap();
    /// let format = TokenFormat::new(FormatKind::Signer);
    /// let token = format.sign_at(&[old.as_bytes()], b"hi", 0).unwrap();
    /// let v = Verifier::with_keyring(&format, &ring, None).unwrap();
    /// let r = v.inspect(token.as_bytes(), Detail::Verify);
    /// assert_eq!((r.verdict, r.key_index), (Verdict::ValidFallback, Some(1)));
    /// ```
    pub fn with_keyring(
        format: &TokenFormat,
        keyring: &Keyring,
        max_age: Option<u64>,
    ) -> Result<Verifier, ConfigError> {
        let keys: Vec<SecretKey> = keyring.keys().cloned().collect();
        Verifier::new(format, &keys, max_age)
    }

    /// A verifier without keys: tokens are split and decoded, never verified
    /// ([`Verdict::NotVerified`] or [`Verdict::Malformed`]).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
    /// let v = Verifier::decode_only(&TokenFormat::new(FormatKind::UrlSafe));
    /// let r = v.inspect(b"eyJhIjoxfQ.forged", Detail::Verify);
    /// assert_eq!((r.verdict, r.payload_raw.as_deref()), (Verdict::NotVerified, Some(r#"{"a":1}"#)));
    /// ```
    pub fn decode_only(format: &TokenFormat) -> Verifier {
        Verifier {
            format: format.clone(),
            signer: None,
            keys: Vec::new(),
            max_age: None,
            age_suffix: age_suffix(None),
        }
    }

    /// The format.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
    /// let v = Verifier::decode_only(&TokenFormat::new(FormatKind::Starlette));
    /// assert_eq!(v.format().kind, FormatKind::Starlette);
    /// ```
    pub fn format(&self) -> &TokenFormat {
        &self.format
    }

    /// The maximum age applied (always `None` for untimed formats).
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let keys = [SecretKey::from_text("k")];
    /// let timed = Verifier::new(&TokenFormat::new(FormatKind::Flask), &keys, Some(60)).unwrap();
    /// let untimed = Verifier::new(&TokenFormat::new(FormatKind::UrlSafe), &keys, Some(60)).unwrap();
    /// assert_eq!((timed.max_age(), untimed.max_age()), (Some(60), None));
    /// ```
    pub fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// Whether it has keys (else it only decodes).
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::Signer);
    /// assert!(Verifier::new(&format, &[SecretKey::from_text("k")], None).unwrap().has_keys());
    /// assert!(!Verifier::decode_only(&format).has_keys());
    /// ```
    pub fn has_keys(&self) -> bool {
        self.signer.is_some()
    }

    /// How many keys it tries.
    ///
    /// ```
    /// use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::Signer);
    /// let keys = [SecretKey::from_text("a"), SecretKey::from_text("b"), SecretKey::from_text("c")];
    /// assert_eq!(Verifier::new(&format, &keys, None).unwrap().key_count(), 3);
    /// assert_eq!(Verifier::decode_only(&format).key_count(), 0);
    /// ```
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Inspects `token` as of the clock.
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::UrlSafe);
    /// let token = format.sign_at(&[b"secret"], br#"{"a":1}"#, 0).unwrap();
    /// let v = Verifier::new(&format, &[SecretKey::from_text("secret")], None).unwrap();
    /// assert_eq!(v.inspect(token.as_bytes(), Detail::Verify).verdict, Verdict::Valid);
    /// let explained = v.inspect(b"eyJhIjoyfQ.forged", Detail::Explain);
    /// assert_eq!(explained.verdict, Verdict::BadSignature);
    /// assert_eq!(explained.keys.len(), 1); // what the key would have signed
    /// ```
    pub fn inspect(&self, token: &[u8], detail: Detail) -> Inspection {
        self.inspect_at(token, detail, crate::timed::unix_now())
    }

    /// Inspects `token` as of `now` (Unix seconds).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::TimestampSigner);
    /// let token = format.sign_at(&[b"secret"], b"hi", 1_700_000_000).unwrap();
    /// let v = Verifier::new(&format, &[SecretKey::from_text("secret")], Some(60)).unwrap();
    /// let fresh = v.inspect_at(token.as_bytes(), Detail::Verify, 1_700_000_030);
    /// assert_eq!((fresh.verdict, fresh.age.map(|a| a.age)), (Verdict::Valid, Some(30)));
    /// assert_eq!(v.inspect_at(token.as_bytes(), Detail::Verify, 1_700_000_061).verdict, Verdict::Expired);
    /// ```
    pub fn inspect_at(&self, token: &[u8], detail: Detail, now: u64) -> Inspection {
        let mut r = Inspection::malformed(String::new());
        self.inspect_into_at(token, detail, &mut r, now);
        r
    }

    /// Like [`Verifier::inspect`], but writes the record into `r` (see
    /// [`Verifier::inspect_into_at`], which takes the time).
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, Inspection, TokenFormat, Verdict, Verifier};
    /// let verifier = Verifier::decode_only(&TokenFormat::new(FormatKind::Signer));
    /// let mut r = Inspection::malformed("");
    /// verifier.inspect_into(b"hello.sig", Detail::Verify, &mut r);
    /// assert_eq!((r.verdict, r.payload_raw.as_deref()), (Verdict::NotVerified, Some("hello")));
    /// ```
    pub fn inspect_into(&self, token: &[u8], detail: Detail, r: &mut Inspection) {
        self.inspect_into_at(token, detail, r, crate::timed::unix_now());
    }

    /// Like [`Verifier::inspect_at`], but writes the record into `r`, replacing everything it
    /// held while keeping its text buffers: a batch that reuses one record per thread allocates
    /// less per token. The result is the same as a fresh [`Verifier::inspect_at`].
    ///
    /// ```
    /// use waxseal::inspect::{Detail, FormatKind, Inspection, TokenFormat, Verdict, Verifier};
    /// use waxseal::secret::SecretKey;
    /// let format = TokenFormat::new(FormatKind::Flask);
    /// let verifier = Verifier::new(&format, &[SecretKey::from_text("key")], None).unwrap();
    /// let good = format.sign_at(&[b"key"], b"{}", 1_700_000_000).unwrap();
    /// let mut r = Inspection::malformed("");
    /// for token in [&b"not a token"[..], good.as_bytes()] {
    ///     verifier.inspect_into_at(token, Detail::Verify, &mut r, 1_700_000_000);
    ///     assert_eq!(r, verifier.inspect_at(token, Detail::Verify, 1_700_000_000));
    /// }
    /// assert_eq!(r.verdict, Verdict::Valid);
    /// ```
    pub fn inspect_into_at(&self, token: &[u8], detail: Detail, r: &mut Inspection, now: u64) {
        let kind = self.format.kind;
        let sep = self.format.settings.separator;
        let (parts, mut spare) = r.reset();
        r.verified = self.signer.is_some();
        let Some(split) = split_token(token, sep, kind.is_timed()) else {
            r.message = format!(
                "There is no \"{}\" separator, so this cannot be a signed token.",
                char::from(sep).escape_default()
            );
            return;
        };
        let RawParts {
            signed_part,
            payload: payload_part,
            timestamp: timestamp_text,
            signature: signature_text,
        } = split;
        // The parts are slices of the token: the payload starts it, the signature ends it.
        let compressed = kind.is_url_safe() && payload_part.first() == Some(&b'.');
        let payload_range = usize::from(compressed)..payload_part.len();
        let payload_part = &payload_part[usize::from(compressed)..];
        let timestamp_range = timestamp_text.map(|_| payload_range.end + 1..signed_part.len());
        let signature_range = signed_part.len() + 1..token.len();
        let timestamp = timestamp_text.and_then(decode_timestamp);
        let mut sig_buf = [0u8; 64];
        let signature_len = base64_decode_to_slice(signature_text, &mut sig_buf);
        // The parts as text: a token is almost always UTF-8 (ASCII), so it is checked once and
        // each part copied from it; the separators are ASCII, so every part boundary is a
        // character boundary.
        let token_text = std::str::from_utf8(token).ok();
        let set_text = |out: &mut String, range: std::ops::Range<usize>| {
            out.clear();
            match token_text.and_then(|t| t.get(range.clone())) {
                Some(text) => out.push_str(text),
                None => out.push_str(&String::from_utf8_lossy(&token[range])),
            }
        };
        let mut p = parts;
        set_text(&mut p.payload, payload_range);
        p.compressed = compressed;
        p.timestamp_text = match (timestamp_range, p.timestamp_text.take()) {
            (Some(range), old) => {
                let mut text = old.unwrap_or_default();
                set_text(&mut text, range);
                Some(text)
            }
            (None, _) => None,
        };
        p.timestamp = timestamp;
        set_text(&mut p.signature_text, signature_range);
        p.signature = signature_len.map(|n| {
            let mut sig = p.signature.take().unwrap_or_default();
            sig.clear();
            sig.extend_from_slice(&sig_buf[..n]);
            sig
        });
        p.implied_digest = signature_len.and_then(Digest::from_output_len);
        let given = signature_len.map(|n| &sig_buf[..n]);
        r.parts = Some(p);

        let Some(signer) = &self.signer else {
            return self.decoded_only(r, payload_part, compressed, timestamp, now, spare);
        };
        if detail == Detail::Explain {
            r.keys = self
                .keys
                .iter()
                .enumerate()
                .map(|(index, k)| {
                    let sig = signer
                        .signature_with_key(signed_part, index)
                        .map(|s| s.as_slice().to_vec())
                        .unwrap_or_default();
                    KeyTrial {
                        index,
                        fingerprint: k.fingerprint.clone(),
                        key_len: k.len,
                        derived_key_fingerprint: k.derived_fingerprint.clone(),
                        expected_signature: base64_encode(&sig),
                        expected_signature_hex: crate::hex::encode(&sig),
                    }
                })
                .collect();
        }

        // The signature was decoded once, for the parts; compare it (in constant time) with each
        // key's, current first, as Signer::verify_signature does after decoding it.
        let matched = given.and_then(|given| signer.matching_key(signed_part, given));
        let Some(key_index) = matched else {
            r.verdict = Verdict::BadSignature;
            r.message = self.bad_signature_message(r.parts.as_ref());
            if detail == Detail::Explain {
                // What the token claims, for inspection only.
                self.open_into(r, payload_part, compressed, &mut spare);
            }
            return;
        };
        r.key_index = Some(key_index);
        if kind.is_timed() {
            let Some(ts) = timestamp else {
                r.verdict = Verdict::Malformed;
                r.message = if timestamp_text.is_none() {
                    "The signature is valid, but the token has no timestamp part.".to_owned()
                } else {
                    "The signature is valid, but the timestamp is not a base64-encoded 64-bit \
                     integer."
                        .to_owned()
                };
                return;
            };
            let age = age_check(ts, now, self.max_age);
            r.age = Some(age);
            if age.expired {
                r.verdict = Verdict::Expired;
                r.message = expired_message(age);
                // The signature holds: the payload is genuine, shown as expired.
                self.open_into(r, payload_part, compressed, &mut spare);
                return;
            }
        }
        if self.open_into(r, payload_part, compressed, &mut spare) {
            r.verdict = if key_index == 0 {
                Verdict::Valid
            } else {
                Verdict::ValidFallback
            };
            push_valid_message(&mut r.message, key_index, r.age, &self.age_suffix);
        } else {
            r.verdict = Verdict::BadPayload;
            r.message = format!(
                "The signature is valid, but the payload cannot be loaded: {}.",
                r.payload_error.as_deref().unwrap_or("unknown reason")
            );
        }
    }

    fn decoded_only(
        &self,
        r: &mut Inspection,
        payload_part: &[u8],
        compressed: bool,
        timestamp: Option<u64>,
        now: u64,
        mut spare: Vec<u8>,
    ) {
        if self.format.kind.is_timed() {
            match timestamp {
                Some(ts) => r.age = Some(age_check(ts, now, None)),
                None => {
                    r.message = "The timestamp part is missing or is not a base64-encoded 64-bit \
                                 integer."
                        .to_owned();
                    self.open_into(r, payload_part, compressed, &mut spare);
                    return;
                }
            }
        }
        if self.open_into(r, payload_part, compressed, &mut spare) {
            r.verdict = Verdict::NotVerified;
            r.message = "Decoded without a key: nothing about it is proven.".to_owned();
        } else {
            r.message = format!(
                "The payload cannot be decoded: {}.",
                r.payload_error.as_deref().unwrap_or("unknown reason")
            );
        }
    }

    /// Opens and decodes the payload into `r`; false (with `payload_error` set) on failure.
    /// `spare` is an empty buffer that the payload text takes over (a batch reuses one record,
    /// so decoding a payload allocates nothing).
    fn open_into(
        &self,
        r: &mut Inspection,
        payload_part: &[u8],
        compressed: bool,
        spare: &mut Vec<u8>,
    ) -> bool {
        let kind = self.format.kind;
        let mut bytes = std::mem::take(spare);
        if kind == FormatKind::Starlette {
            // `b64decode` of Starlette's reader (standard alphabet, padded); never compressed.
            match crate::encoding::standard_base64_decode(payload_part) {
                Ok(d) => bytes = d,
                Err(_) => {
                    r.payload_error = Some("it is not standard base64 with padding".to_owned());
                    return false;
                }
            }
        } else if kind.is_url_safe() && compressed {
            let opened = COMPRESSED.with_borrow_mut(|packed| {
                packed.clear();
                base64_decode_into(payload_part, packed)
                    .map_err(|_| "it is not valid base64".to_owned())?;
                compress::zlib_decompress_capped_into(
                    packed,
                    self.format.max_decompressed,
                    &mut bytes,
                )
                .map_err(|e| crate::error::PayloadError::from(e).to_string())
            });
            if let Err(why) = opened {
                r.payload_error = Some(why);
                return false;
            }
        } else if kind.is_url_safe() {
            if base64_decode_into(payload_part, &mut bytes).is_err() {
                r.payload_error = Some("it is not valid base64".to_owned());
                return false;
            }
        } else {
            bytes.extend_from_slice(payload_part);
        }
        match payload::decode(kind, bytes) {
            Ok((raw, p)) => {
                r.payload_raw = Some(raw);
                r.payload = Some(p);
                true
            }
            Err((raw, e)) => {
                r.payload_raw = raw;
                r.payload_error = Some(e);
                false
            }
        }
    }

    fn bad_signature_message(&self, parts: Option<&Parts>) -> String {
        let n = self.keys.len();
        let tried = if n == 1 {
            "the key".to_owned()
        } else {
            format!("any of the {n} keys")
        };
        let mut m = format!("The signature does not match {tried}.");
        let digest = self.format.settings.digest;
        match parts.map(|p| (p.signature.as_ref(), p.implied_digest)) {
            Some((None, _)) => m.push_str(" It is not even valid base64."),
            Some((Some(sig), Some(implied))) if implied != digest => m.push_str(&format!(
                " It is {} bytes long, the length of an HMAC-{}, not HMAC-{}: the token may \
                 use another digest.",
                sig.len(),
                implied.name().to_uppercase(),
                digest.name().to_uppercase()
            )),
            Some((Some(sig), None)) => m.push_str(&format!(
                " It is {} bytes long, which no supported digest produces.",
                sig.len()
            )),
            _ => {}
        }
        m
    }
}

fn decode_timestamp(b64: &[u8]) -> Option<u64> {
    let mut buf = [0u8; 8];
    let n = base64_decode_to_slice(b64, &mut buf)?;
    bytes_to_int(&buf[..n])
}

/// itsdangerous's rule: expired when older than `max_age` or dated in the future.
fn age_check(ts: u64, now: u64, max_age: Option<u64>) -> AgeCheck {
    let age = i128::from(now) - i128::from(ts);
    let expired = max_age.is_some_and(|max| age > i128::from(max) || age < 0);
    AgeCheck {
        age: age.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
        max_age,
        expired,
    }
}

/// Appends the message of a valid token to `m`. Built by pushes, into the record's reused
/// buffer: this runs once per valid token of a batch.
fn push_valid_message(m: &mut String, key_index: usize, age: Option<AgeCheck>, age_suffix: &str) {
    m.push_str("Signed with ");
    if key_index == 0 {
        m.push_str("the current key");
    } else {
        m.push_str("fallback key ");
        m.push_str(itoa::Buffer::new().format(key_index));
    }
    match age {
        Some(a) => {
            m.push(' ');
            push_duration(m, a.age.unsigned_abs());
            m.push_str(age_suffix);
        }
        None => m.push('.'),
    }
}

/// What follows a valid token's age in its message, for a run's maximum age.
fn age_suffix(max_age: Option<u64>) -> String {
    match max_age {
        Some(max) => format!(" ago; the maximum age is {}.", duration(max)),
        None => " ago; no maximum age was applied.".to_owned(),
    }
}

fn expired_message(age: AgeCheck) -> String {
    let max = duration(age.max_age.unwrap_or(0));
    if age.age < 0 {
        format!(
            "Dated {} in the future (maximum age {max}).",
            duration(age.age.unsigned_abs())
        )
    } else {
        format!(
            "Signed {} ago, more than the maximum age of {max}.",
            duration(age.age.unsigned_abs())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    fn keys(names: &[&str]) -> Vec<SecretKey> {
        names.iter().map(|k| SecretKey::from_text(k)).collect()
    }

    fn sign(kind: FormatKind, key: &str, payload: &[u8]) -> String {
        TokenFormat::new(kind)
            .sign_at(&[key.as_bytes()], payload, T0)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn flask_verifier(max_age: Option<u64>) -> Verifier {
        Verifier::new(
            &TokenFormat::new(FormatKind::Flask),
            &keys(&["current", "older"]),
            max_age,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn verdicts_for_every_outcome() {
        let v = flask_verifier(Some(60));
        let current = sign(FormatKind::Flask, "current", br#"{"a":1}"#);
        let older = sign(FormatKind::Flask, "older", br#"{"a":1}"#);
        let other = sign(FormatKind::Flask, "other", br#"{"a":1}"#);
        let bad_tag = sign(FormatKind::Flask, "current", br#"{"a":"#);
        let cases: [(&[u8], u64, Verdict, Option<usize>); 7] = [
            (current.as_bytes(), T0 + 60, Verdict::Valid, Some(0)),
            (older.as_bytes(), T0, Verdict::ValidFallback, Some(1)),
            (other.as_bytes(), T0, Verdict::BadSignature, None),
            (current.as_bytes(), T0 + 61, Verdict::Expired, Some(0)),
            (current.as_bytes(), T0 - 1, Verdict::Expired, Some(0)),
            (b"no separator here", T0, Verdict::Malformed, None),
            (bad_tag.as_bytes(), T0, Verdict::BadPayload, Some(0)),
        ];
        for (token, now, verdict, key_index) in cases {
            let r = v.inspect_at(token, Detail::Verify, now);
            assert_eq!((r.verdict, r.key_index), (verdict, key_index), "{r:?}");
            assert!(!r.message.is_empty());
            assert!(r.keys.is_empty(), "expected signatures only for explain");
        }
    }

    /// A Flask-signed token whose payload part is `part` as given (so it can be a compressed
    /// payload that does not open).
    fn sign_raw_part(part: &[u8]) -> String {
        let mut f = TokenFormat::new(FormatKind::TimestampSigner);
        f.settings = FormatKind::Flask.default_settings();
        f.sign_at(&[b"current"], part, T0)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_reused_record_equals_a_fresh_one() {
        let v = flask_verifier(Some(60));
        let packed = |bytes: &[u8]| format!(".{}", base64_encode(&compress::zlib_compress(bytes)));
        let big = format!(r#"{{"cart":[{}1]}}"#, "1,".repeat(400));
        let tokens: Vec<Vec<u8>> = [
            sign(FormatKind::Flask, "current", br#"{"a":1}"#),
            sign(FormatKind::Flask, "other", br#"{"a":1}"#),
            sign(FormatKind::Flask, "older", br#"{"b":[1,2]}"#),
            sign(FormatKind::Flask, "current", br#"{"a":"#),
            sign(FormatKind::Flask, "current", &[b'7'; 200]),
            // Compressed payloads, opened into the reused buffers: a large one, then ones that
            // fail at each step (base64, inflating, UTF-8, JSON), then a small one.
            sign(FormatKind::Flask, "current", big.as_bytes()),
            sign_raw_part(b".not*base64"),
            sign_raw_part(
                format!(
                    ".{}",
                    base64_encode(&compress::zlib_compress(br#"{"a":1}"#)[..6])
                )
                .as_bytes(),
            ),
            sign_raw_part(format!(".{}", base64_encode(&[0x78, 0x9c, 0xff, 0xff])).as_bytes()),
            sign_raw_part(packed(b"{\"a\":\"\xff\"}").as_bytes()),
            sign_raw_part(packed(br#"{"a":[1,2"#).as_bytes()),
            sign_raw_part(packed(br#"{"a":1,"b":2}"#).as_bytes()),
            "no separator".to_owned(),
            "e30.\u{e9}.sig".to_owned(),
            ".e30.ZVPxAA.sig".to_owned(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .chain([b"e30.\xff\xfe.sig".to_vec()])
        .collect();
        // The compressed cases reach the step they are meant to fail at.
        let opened: Vec<(Verdict, Option<String>)> = tokens[5..12]
            .iter()
            .map(|t| {
                let r = v.inspect_at(t, Detail::Verify, T0);
                (r.verdict, r.payload_error)
            })
            .collect();
        let fails = |why: &str| (Verdict::BadPayload, Some(why.to_owned()));
        assert_eq!(
            opened,
            [
                (Verdict::Valid, None),
                fails("it is not valid base64"),
                fails(
                    "it is marked compressed but is not zlib (compressed data is incomplete or \
                     truncated)"
                ),
                fails(
                    "it is marked compressed but is not zlib (compressed data is invalid: invalid \
                     block type)"
                ),
                fails("it is not UTF-8 text"),
                fails("it is not Flask session JSON: invalid JSON at byte 9: expected ',' or ']'"),
                (Verdict::Valid, None),
            ]
        );
        let mut r = Inspection::malformed("left over");
        for detail in [Detail::Verify, Detail::Explain] {
            for now in [T0, T0 + 61] {
                for token in tokens.iter().chain(tokens.iter().rev()) {
                    v.inspect_into_at(token, detail, &mut r, now);
                    assert_eq!(r, v.inspect_at(token, detail, now), "{token:?}");
                }
            }
        }
        let d = Verifier::decode_only(&TokenFormat::new(FormatKind::Flask));
        for token in &tokens {
            d.inspect_into_at(token, Detail::Verify, &mut r, T0);
            assert_eq!(r, d.inspect_at(token, Detail::Verify, T0));
        }
    }

    #[test]
    fn valid_record_has_everything() {
        let v = flask_verifier(Some(60));
        let token = sign(FormatKind::Flask, "current", br#"{"a":1}"#);
        let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0 + 5);
        let p = r.parts.as_ref().unwrap_or_else(|| panic!("parts"));
        assert_eq!(p.timestamp, Some(T0));
        assert!(!p.compressed);
        assert_eq!(
            format!("{}.{}", p.signed_part(b'.'), p.signature_text),
            token
        );
        assert_eq!(r.payload_raw.as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(
            r.payload.map(|p| p.to_json()),
            Some(serde_json::json!({"a": 1}))
        );
        assert_eq!(
            r.age,
            Some(AgeCheck {
                age: 5,
                max_age: Some(60),
                expired: false
            })
        );
        assert_eq!(
            r.message,
            "Signed with the current key 5 s ago; the maximum age is 1 min 0 s."
        );
    }

    #[test]
    fn explain_gives_each_keys_expected_signature() {
        let v = flask_verifier(None);
        let token = sign(FormatKind::Flask, "older", br#"{"a":1}"#);
        let r = v.inspect_at(token.as_bytes(), Detail::Explain, T0);
        assert_eq!(r.keys.len(), 2);
        let sig = &r
            .parts
            .as_ref()
            .unwrap_or_else(|| panic!("parts"))
            .signature_text;
        assert_ne!(&r.keys[0].expected_signature, sig);
        assert_eq!(&r.keys[1].expected_signature, sig);
        assert_eq!(
            r.keys[1].fingerprint,
            SecretKey::from_text("older").fingerprint()
        );
        assert_ne!(r.keys[1].derived_key_fingerprint, r.keys[1].fingerprint);
        assert_eq!(r.keys[0].expected_signature_hex.len(), 40);
    }

    #[test]
    fn tampered_payload_is_shown_only_when_explaining() {
        let v = flask_verifier(None);
        let token = sign(FormatKind::Flask, "other", br#"{"a":1}"#);
        let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0);
        assert_eq!((r.verdict, r.payload_raw), (Verdict::BadSignature, None));
        let r = v.inspect_at(token.as_bytes(), Detail::Explain, T0);
        assert_eq!(r.verdict, Verdict::BadSignature);
        assert_eq!(r.payload_raw.as_deref(), Some(r#"{"a":1}"#));
        assert!(r.age.is_none(), "an untrusted timestamp gets no age check");
    }

    #[test]
    fn expired_tokens_keep_their_genuine_payload() {
        let v = flask_verifier(Some(10));
        let token = sign(FormatKind::Flask, "current", br#"{"a":1}"#);
        let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0 + 100);
        assert_eq!(r.verdict, Verdict::Expired);
        assert_eq!(r.payload_raw.as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(r.age.map(|a| (a.age, a.expired)), Some((100, true)));
        assert!(r.message.contains("1 min 40 s ago"), "{}", r.message);
    }

    #[test]
    fn every_format_round_trips() {
        for kind in FormatKind::ALL {
            let payload: &[u8] = if kind.is_json() {
                br#"[1,"x"]"#
            } else {
                b"hello"
            };
            let token = sign(kind, "k", payload);
            let format = TokenFormat::new(kind);
            let v =
                Verifier::new(&format, &keys(&["k"]), Some(60)).unwrap_or_else(|e| panic!("{e}"));
            let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0);
            assert_eq!(r.verdict, Verdict::Valid, "{kind:?}: {r:?}");
            assert_eq!(r.payload_raw.as_deref().map(str::as_bytes), Some(payload));
            assert_eq!(r.age.is_some(), kind.is_timed(), "{kind:?}");
            let d = Verifier::decode_only(&format).inspect_at(token.as_bytes(), Detail::Verify, T0);
            assert_eq!(d.verdict, Verdict::NotVerified, "{kind:?}");
            assert_eq!(d.payload_raw, r.payload_raw);
            assert!(!d.verified);
        }
    }

    #[test]
    fn malformed_tokens() {
        let v = flask_verifier(None);
        for token in [&b""[..], b"abc", b"\xff\x00"] {
            let r = v.inspect_at(token, Detail::Explain, T0);
            assert_eq!(r.verdict, Verdict::Malformed);
            assert!(r.parts.is_none());
        }
        // Signed, but with no timestamp: a timed format refuses it.
        let untimed = sign(FormatKind::Signer, "current", b"x");
        let f = TokenFormat {
            settings: crate::SignerSettings::default(),
            ..TokenFormat::new(FormatKind::TimestampSigner)
        };
        let v = Verifier::new(&f, &keys(&["current"]), None).unwrap_or_else(|e| panic!("{e}"));
        let r = v.inspect_at(untimed.as_bytes(), Detail::Verify, T0);
        assert_eq!((r.verdict, r.key_index), (Verdict::Malformed, Some(0)));
        assert!(r.message.contains("no timestamp"), "{}", r.message);
    }

    #[test]
    fn decode_only_reports_undecodable_payloads_as_malformed() {
        let v = Verifier::decode_only(&TokenFormat::new(FormatKind::Flask));
        let r = v.inspect_at(b"!!!.ZVPxAA.sig", Detail::Verify, T0);
        assert_eq!(r.verdict, Verdict::Malformed);
        assert_eq!(r.payload_error.as_deref(), Some("it is not valid base64"));
        let r = v.inspect_at(b"eyJhIjoxfQ.ZVPxAA.sig", Detail::Verify, T0 + 3);
        assert_eq!(r.verdict, Verdict::NotVerified);
        assert_eq!(r.age.map(|a| (a.age, a.expired)), Some((3, false)));
    }

    #[test]
    fn signature_length_hints_at_the_digest() {
        let mut f = TokenFormat::new(FormatKind::Flask);
        f.settings.digest = Digest::Sha256;
        let token = f
            .sign_at(&[b"current"], br#"{"a":1}"#, T0)
            .unwrap_or_else(|e| panic!("{e}"));
        let r = flask_verifier(None).inspect_at(token.as_bytes(), Detail::Verify, T0);
        assert_eq!(r.verdict, Verdict::BadSignature);
        assert!(r.message.contains("HMAC-SHA256"), "{}", r.message);
    }

    #[test]
    fn verdict_names_are_distinct_sentences() {
        let names: std::collections::HashSet<_> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
        assert_eq!(names.len(), 7);
        for v in Verdict::ALL {
            assert!(v.explanation().ends_with('.'));
            assert_eq!(
                v.error().is_none(),
                v.is_valid() || v == Verdict::NotVerified
            );
        }
    }

    #[test]
    fn starlette_payloads_are_read_as_starlettes_b64decode_reads_them() {
        let f = TokenFormat::new(FormatKind::Starlette);
        let v = Verifier::new(&f, &keys(&["k"]), Some(60)).unwrap_or_else(|e| panic!("{e}"));
        let token = sign(FormatKind::Starlette, "k", br#"{"a": "~~>>?"}"#);
        let (payload, _) = token.split_once('.').unwrap_or_default();
        assert!(payload.ends_with('=') && payload.contains('+'), "{payload}");
        let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0);
        assert_eq!(r.verdict, Verdict::Valid, "{r:?}");
        assert!(!r.parts.as_ref().is_some_and(|p| p.compressed));
        // Genuine signatures over the URL-safe alphabet or unpadded base64: Starlette's reader
        // would not read these as the same JSON, so neither does the verifier.
        let signer = TokenFormat::new(FormatKind::TimestampSigner);
        for bad in [
            payload.replace('+', "-"),
            payload.trim_end_matches('=').to_owned(),
        ] {
            let token = signer
                .sign_at(&[b"k"], bad.as_bytes(), T0)
                .unwrap_or_else(|e| panic!("{e}"));
            let r = v.inspect_at(token.as_bytes(), Detail::Verify, T0);
            assert_eq!(r.verdict, Verdict::BadPayload, "{bad}: {r:?}");
        }
    }

    #[test]
    fn no_key_is_a_config_error() {
        let err = Verifier::new(&TokenFormat::new(FormatKind::Flask), &[], None).unwrap_err();
        assert_eq!(err, ConfigError::NoKey);
    }
}
