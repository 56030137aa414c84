//! Which itsdangerous-family format a token is, from its shape alone, and the schemes that can
//! have signed it.
//!
//! The formats and their defaults (itsdangerous 2.2, Flask 3.1, Starlette 0.46):
//!
//! | format | shape | salt | derivation |
//! |---|---|---|---|
//! | Flask session | `[.]b64url(json).ts.sig` | `cookie-session` | `hmac` |
//! | `URLSafeTimedSerializer` | `[.]b64url(json).ts.sig` | `itsdangerous` | `django-concat` |
//! | `URLSafeSerializer` | `[.]b64url(json).sig` | `itsdangerous` | `django-concat` |
//! | `TimedSerializer` / `Serializer` | `json[.ts].sig` | `itsdangerous` | `django-concat` |
//! | Starlette `SessionMiddleware` | `b64(json).ts.sig` (standard alphabet, padded) | `itsdangerous.Signer` | `django-concat` |
//! | `TimestampSigner` / `Signer` | `value[.ts].sig` | `itsdangerous.Signer` | `django-concat` |
//!
//! The digest follows from the signature's length (20 bytes SHA-1, 32 SHA-256, ...), so every
//! digest is covered. The timestamp is not interpreted (both itsdangerous epochs — 1970 since 1.0,
//! 2011 before — sign the same way), it only has to look like one.
//!
//! A token is given the schemes of every format its shape allows: a Flask-shaped cookie is also a
//! valid `URLSafeTimedSerializer` token, so both schemes are tried (two key derivations per
//! candidate); a Starlette cookie shares its scheme with `TimestampSigner`, so it costs one. The
//! engine derives each distinct scheme once per candidate for all tokens, never per token.

use crate::scheme::{Digest, KeyDerivation, Scheme};
use crate::token::{SignedToken, Target, DEFAULT_SEPARATOR};
use crate::CrackError;
use std::fmt;

/// A token format of the itsdangerous family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Flask's session cookie.
    Flask,
    /// itsdangerous `URLSafeTimedSerializer`.
    UrlSafeTimed,
    /// itsdangerous `URLSafeSerializer`.
    UrlSafe,
    /// itsdangerous `TimedSerializer` (plain JSON).
    TimedSerializer,
    /// itsdangerous `Serializer` (plain JSON).
    Serializer,
    /// Starlette / FastAPI `SessionMiddleware`.
    Starlette,
    /// itsdangerous `TimestampSigner`.
    TimestampSigner,
    /// itsdangerous `Signer`.
    Signer,
}

impl TokenKind {
    /// Every kind, in the order detection tries them.
    pub const ALL: [TokenKind; 8] = [
        TokenKind::Flask,
        TokenKind::UrlSafeTimed,
        TokenKind::UrlSafe,
        TokenKind::TimedSerializer,
        TokenKind::Serializer,
        TokenKind::Starlette,
        TokenKind::TimestampSigner,
        TokenKind::Signer,
    ];

    /// The CLI name (`flask`, `url-safe-timed`, ..., `starlette`).
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Flask => "flask",
            TokenKind::UrlSafeTimed => "url-safe-timed",
            TokenKind::UrlSafe => "url-safe",
            TokenKind::TimedSerializer => "timed-serializer",
            TokenKind::Serializer => "serializer",
            TokenKind::Starlette => "starlette",
            TokenKind::TimestampSigner => "timestamp-signer",
            TokenKind::Signer => "signer",
        }
    }

    /// What people call it.
    pub fn description(self) -> &'static str {
        match self {
            TokenKind::Flask => "Flask session cookie",
            TokenKind::UrlSafeTimed => "itsdangerous URLSafeTimedSerializer",
            TokenKind::UrlSafe => "itsdangerous URLSafeSerializer",
            TokenKind::TimedSerializer => "itsdangerous TimedSerializer",
            TokenKind::Serializer => "itsdangerous Serializer",
            TokenKind::Starlette => "Starlette/FastAPI SessionMiddleware cookie",
            TokenKind::TimestampSigner => "itsdangerous TimestampSigner",
            TokenKind::Signer => "itsdangerous Signer",
        }
    }

    /// The default salt.
    pub fn salt(self) -> &'static [u8] {
        match self {
            TokenKind::Flask => crate::FLASK_SESSION_SALT,
            TokenKind::UrlSafeTimed
            | TokenKind::UrlSafe
            | TokenKind::TimedSerializer
            | TokenKind::Serializer => crate::SERIALIZER_DEFAULT_SALT,
            TokenKind::Starlette | TokenKind::TimestampSigner | TokenKind::Signer => {
                crate::SIGNER_DEFAULT_SALT
            }
        }
    }

    /// The default key derivation.
    pub fn derivation(self) -> KeyDerivation {
        match self {
            TokenKind::Flask => KeyDerivation::Hmac,
            _ => KeyDerivation::DjangoConcat,
        }
    }

    /// Whether the format carries a timestamp.
    pub fn timed(self) -> bool {
        matches!(
            self,
            TokenKind::Flask
                | TokenKind::UrlSafeTimed
                | TokenKind::TimedSerializer
                | TokenKind::Starlette
                | TokenKind::TimestampSigner
        )
    }

    /// The default scheme with `digest`.
    pub fn scheme(self, digest: Digest) -> Scheme {
        Scheme::new(self.salt(), self.derivation(), digest)
    }

    /// By CLI name.
    ///
    /// ```
    /// use waxseal_crack::TokenKind;
    /// assert_eq!(TokenKind::from_name("starlette"), Some(TokenKind::Starlette));
    /// ```
    pub fn from_name(name: &str) -> Option<TokenKind> {
        TokenKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Salts tried by [`DetectOptions::guess_salts`]: the library defaults plus the salts that
/// itsdangerous' documentation, Flask extensions and tutorials use for one-off tokens (e-mail
/// confirmation, password reset, ...).
pub const COMMON_SALTS: &[&str] = &[
    "cookie-session",
    "itsdangerous",
    "itsdangerous.Signer",
    "email-confirm",
    "email-confirmation",
    "confirm-email",
    "email-confirm-key",
    "password-reset",
    "reset-password",
    "recover-key",
    "activate",
    "activation",
    "auth",
    "login",
    "remember",
    "session",
    "csrf",
    "wtf-csrf-token",
    "confirm-salt",
    "reset-salt",
    "login-salt",
    "remember-salt",
    "change-email-salt",
    "api",
    "token",
    "secret",
    "salt",
];

/// How [`detect`] builds a token's schemes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectOptions {
    /// Try every format, whatever the token's shape (the thorough plan).
    pub all_formats: bool,
    /// Also try [`COMMON_SALTS`] with both `django-concat` and `hmac`.
    pub guess_salts: bool,
    /// Use this digest instead of the one the signature's length implies.
    pub digest: Option<Digest>,
}

/// The formats `token`'s shape allows, most likely first.
///
/// ```
/// use waxseal_crack::{detect_kinds, TokenKind};
/// // Flask cookie (also a valid URLSafeTimedSerializer token).
/// let flask = "eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// assert_eq!(detect_kinds(flask), vec![TokenKind::Flask, TokenKind::UrlSafeTimed]);
/// // Starlette: standard base64 with padding.
/// let starlette = "eyJ1c2VyIjogImFkbWluIn0=.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// assert_eq!(detect_kinds(starlette), vec![TokenKind::Starlette]);
/// assert_eq!(detect_kinds("hello.AAAAAAAAAAAAAAAAAAAAAAAAAAA"), vec![TokenKind::Signer]);
/// // Plain JSON: a Serializer's, or any text a Signer signed.
/// assert_eq!(detect_kinds("{\"a\": 1}.AAAAAAAAAAAAAAAAAAAAAAAAAAA"), vec![TokenKind::Serializer, TokenKind::Signer]);
/// ```
pub fn detect_kinds(token: &str) -> Vec<TokenKind> {
    let token = token.trim();
    // The core's split (the one `verify` uses); its parts are prefixes of `token`, cut at ASCII.
    let Some(parts) = waxseal::inspect::split_token(token.as_bytes(), DEFAULT_SEPARATOR, true)
    else {
        return Vec::new();
    };
    let signed = &token[..parts.signed_part.len()];
    let payload = &token[..parts.payload.len()];
    let timestamp = parts.timestamp.map(|_| &signed[payload.len() + 1..]);
    let (value, timed) = match timestamp {
        Some(ts) if !payload.is_empty() && looks_like_timestamp(ts) => (payload, true),
        _ => (signed, false),
    };
    let mut kinds = Vec::new();
    let url_json = url_safe_json(value);
    if url_json {
        kinds.extend(if timed {
            [TokenKind::Flask, TokenKind::UrlSafeTimed].as_slice()
        } else {
            [TokenKind::UrlSafe].as_slice()
        });
    }
    if timed && standard_base64_json(value) {
        kinds.push(TokenKind::Starlette);
    }
    let plain_json = starts_like_json(value.as_bytes());
    if plain_json {
        kinds.push(if timed {
            TokenKind::TimedSerializer
        } else {
            TokenKind::Serializer
        });
    }
    // A signer signs any text, JSON included.
    if kinds.is_empty() || plain_json {
        kinds.push(if timed {
            TokenKind::TimestampSigner
        } else {
            TokenKind::Signer
        });
    }
    kinds
}

/// An itsdangerous timestamp: base64url of 1 to 8 big-endian bytes.
fn looks_like_timestamp(ts: &str) -> bool {
    (2..=11).contains(&ts.len())
        && ts
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && waxseal::encoding::base64_decode(ts.as_bytes()).is_ok_and(|b| (1..=8).contains(&b.len()))
}

fn starts_like_json(bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii_start();
    matches!(trimmed.first(), Some(b'{' | b'[' | b'"'))
}

/// `[.]base64url(json)`; a leading `.` marks a zlib-compressed payload, which must inflate to JSON.
fn url_safe_json(value: &str) -> bool {
    let (compressed, body) = match value.strip_prefix('.') {
        Some(body) => (true, body),
        None => (false, value),
    };
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return false;
    }
    let Ok(decoded) = waxseal::encoding::base64_decode(body.as_bytes()) else {
        return false;
    };
    if compressed {
        waxseal::compress::zlib_decompress_capped(&decoded, 1 << 20)
            .is_ok_and(|json| starts_like_json(&json))
    } else {
        starts_like_json(&decoded)
    }
}

/// Starlette: `base64.b64encode(json.dumps(session))`: standard alphabet, padded to a multiple
/// of 4. Unpadded text without `+` or `/` is also URL-safe base64, so it only counts as Starlette
/// when the JSON has Python's default `": "` separator (Flask and itsdangerous write compact JSON).
///
/// The base64 is read by the core's Starlette decoder ([`waxseal::encoding::standard_base64_decode`]),
/// the one `waxseal verify --format starlette` reads it with.
fn standard_base64_json(value: &str) -> bool {
    let Ok(json) = waxseal::encoding::standard_base64_decode(value.as_bytes()) else {
        return false;
    };
    starts_like_json(&json)
        && (value.contains(['=', '+', '/']) || json.windows(3).any(|w| w == b"\": "))
}

/// A target for `token` with the schemes of every format its shape allows (see the module docs),
/// each labelled with its format.
///
/// ```
/// use waxseal_crack::{detect, DetectOptions, TokenKind};
/// let t = detect("eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA", &DetectOptions::default()).unwrap();
/// assert_eq!(t.kinds(), &[Some(TokenKind::Flask), Some(TokenKind::UrlSafeTimed)]);
/// ```
pub fn detect(token: &str, options: &DetectOptions) -> Result<Target, CrackError> {
    let parsed = SignedToken::parse(token, DEFAULT_SEPARATOR)?;
    let digest = match options.digest {
        Some(d) => d,
        None => Digest::from_output_len(parsed.signature().len())
            .ok_or(CrackError::UnknownSignatureLength(parsed.signature().len()))?,
    };
    let kinds = if options.all_formats {
        let mut kinds = detect_kinds(token);
        for k in TokenKind::ALL {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        kinds
    } else {
        detect_kinds(token)
    };
    let mut labelled: Vec<(Scheme, Option<TokenKind>)> = Vec::new();
    let mut add = |scheme: Scheme, kind: Option<TokenKind>| {
        if !labelled.iter().any(|(s, _)| *s == scheme) {
            labelled.push((scheme, kind));
        }
    };
    for &kind in &kinds {
        add(kind.scheme(digest), Some(kind));
    }
    if options.guess_salts {
        for (scheme, kind) in guessed_salt_schemes(&kinds, digest) {
            add(scheme, kind);
        }
    }
    Target::labelled(parsed, labelled)
}

/// The schemes [`DetectOptions::guess_salts`] adds for a token whose shape allows `kinds`:
/// every [`COMMON_SALTS`] entry with `django-concat` and with `hmac`, each labelled with the
/// format that takes a salt of the caller's choosing — the first of `kinds` other than Flask's
/// session cookie and Starlette's (whose salts are fixed), so a Flask-shaped token signed with
/// salt `email-confirm` is reported as a `URLSafeTimedSerializer` token, which it is. Schemes
/// equal to a format's defaults come first in a caller's list and keep that format's label.
///
/// ```
/// use waxseal_crack::{guessed_salt_schemes, Digest, KeyDerivation, Scheme, TokenKind};
/// let kinds = [TokenKind::Flask, TokenKind::UrlSafeTimed];
/// let schemes = guessed_salt_schemes(&kinds, Digest::Sha1);
/// let email = Scheme::new("email-confirm", KeyDerivation::DjangoConcat, Digest::Sha1);
/// assert!(schemes.contains(&(email, Some(TokenKind::UrlSafeTimed))));
/// ```
pub fn guessed_salt_schemes(
    kinds: &[TokenKind],
    digest: Digest,
) -> Vec<(Scheme, Option<TokenKind>)> {
    let label = kinds
        .iter()
        .copied()
        .find(|k| !matches!(k, TokenKind::Flask | TokenKind::Starlette))
        .or_else(|| kinds.first().copied());
    COMMON_SALTS
        .iter()
        .flat_map(|salt| {
            [KeyDerivation::DjangoConcat, KeyDerivation::Hmac]
                .map(|derivation| (Scheme::new(salt.as_bytes(), derivation, digest), label))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::TokenKind;
    use waxseal::inspect::FormatKind;

    /// `crack` reports a hit's format by name; every name it can report must be one that
    /// `verify --format`, `sign --format` and `decode` accept, for the same format.
    #[test]
    fn every_format_name_crack_reports_is_one_the_other_commands_accept() {
        for kind in TokenKind::ALL {
            let format = FormatKind::from_name(kind.name());
            assert!(format.is_some(), "{} is no FormatKind name", kind.name());
            if let Some(format) = format {
                assert_eq!(format.default_settings().salt, kind.salt(), "{kind:?}");
                assert_eq!(format.is_timed(), kind.timed(), "{kind:?}");
            }
        }
        assert_eq!(TokenKind::ALL.len(), FormatKind::ALL.len());
    }
}
