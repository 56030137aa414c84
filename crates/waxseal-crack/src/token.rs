//! Signed tokens and the targets the engine attacks.

use crate::formats::TokenKind;
use crate::scheme::{KeyDerivation, Scheme};
use crate::CrackError;

/// itsdangerous' default separator.
pub const DEFAULT_SEPARATOR: u8 = b'.';

/// A token split into the signed part and the decoded signature.
///
/// The token is split at the *last* separator. For timed formats the signed part is
/// `payload.TIMESTAMP`, which is exactly what the HMAC covers, so no special handling is needed.
///
/// ```
/// use waxseal_crack::SignedToken;
/// let t = SignedToken::parse("eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA", b'.').unwrap();
/// assert_eq!(t.signed_part(), b"eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA");
/// assert_eq!(t.signature().len(), 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedToken {
    token: String,
    signed_part_len: usize,
    signature: Vec<u8>,
}

impl SignedToken {
    /// Splits `token` at its last `separator` ([`waxseal::inspect::split_token`]) and decodes the
    /// signature with the core's decoder (base64url without padding; `+`/`/` accepted too;
    /// non-zero trailing bits ignored, as in Python).
    ///
    /// Surrounding ASCII whitespace is trimmed.
    ///
    /// ```
    /// use waxseal_crack::{CrackError, SignedToken};
    /// assert!(matches!(SignedToken::parse("no-separator", b'.'), Err(CrackError::MissingSeparator)));
    /// assert!(matches!(SignedToken::parse("abc.", b'.'), Err(CrackError::EmptySignature)));
    /// ```
    pub fn parse(token: &str, separator: u8) -> Result<SignedToken, CrackError> {
        let token = token.trim();
        // The core's split, so crack signs exactly the part `verify` checks.
        let parts = waxseal::inspect::split_token(token.as_bytes(), separator, false)
            .ok_or(CrackError::MissingSeparator)?;
        let signature = decode_signature(parts.signature)?;
        Ok(SignedToken {
            token: token.to_owned(),
            signed_part_len: parts.signed_part.len(),
            signature,
        })
    }

    /// The whole token as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// Everything before the last separator: the bytes the HMAC covers.
    pub fn signed_part(&self) -> &[u8] {
        &self.token.as_bytes()[..self.signed_part_len]
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// Decodes a signature the way itsdangerous' `base64_decode` does: URL-safe alphabet, `+`/`/`
/// also accepted, padding optional, non-zero trailing bits ignored. This is the core's decoder
/// ([`waxseal::encoding::base64_decode`]), so `crack` accepts exactly the signatures `verify` does.
///
/// ```
/// use waxseal_crack::decode_signature;
/// assert_eq!(decode_signature(b"_-8").unwrap(), vec![0xff, 0xef]);
/// assert_eq!(decode_signature(b"/+8").unwrap(), vec![0xff, 0xef]);
/// assert_eq!(decode_signature(b"AB").unwrap(), vec![0x00]); // trailing bits ignored
/// assert!(decode_signature(b"A").is_err());
/// ```
pub fn decode_signature(text: &[u8]) -> Result<Vec<u8>, CrackError> {
    if text.iter().all(|&b| b == b'=') {
        return Err(CrackError::EmptySignature);
    }
    waxseal::encoding::base64_decode(text).map_err(|e| CrackError::InvalidSignature(e.to_string()))
}

/// Encodes a signature the way itsdangerous does: base64url without padding.
///
/// ```
/// assert_eq!(waxseal_crack::encode_signature(&[0xff, 0xef]), "_-8");
/// ```
pub fn encode_signature(signature: &[u8]) -> String {
    waxseal::encoding::base64_encode(signature)
}

/// One token to crack together with the schemes to try on it.
///
/// A candidate matches the target when any of its schemes produces the token's signature.
///
/// ```
/// use waxseal_crack::{Digest, KeyDerivation, Target};
/// let cookie = "eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA.AAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// let t = Target::flask_session(cookie).unwrap();
/// assert_eq!(t.schemes().len(), 1);
///
/// // Digest not named: detected from the signature length (20 bytes -> sha1).
/// let t = Target::detect_digest(cookie, b"itsdangerous", KeyDerivation::DjangoConcat).unwrap();
/// assert_eq!(t.schemes()[0].digest, Digest::Sha1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    token: SignedToken,
    schemes: Vec<Scheme>,
    kinds: Vec<Option<TokenKind>>,
}

impl Target {
    /// A target with explicit schemes. Fails when a scheme's digest cannot produce a signature of
    /// the token's length, or when no scheme is given.
    ///
    /// ```
    /// use waxseal_crack::{Digest, KeyDerivation, Scheme, SignedToken, Target};
    /// let tok = SignedToken::parse("data.AAAAAAAAAAAAAAAAAAAAAAAAAAA", b'.').unwrap();
    /// let sha256 = Scheme::new(b"s".to_vec(), KeyDerivation::Hmac, Digest::Sha256);
    /// assert!(Target::new(tok, vec![sha256]).is_err()); // 20-byte signature, 32-byte digest
    /// ```
    pub fn new(token: SignedToken, schemes: Vec<Scheme>) -> Result<Target, CrackError> {
        if schemes.is_empty() {
            return Err(CrackError::NoScheme);
        }
        for scheme in &schemes {
            if scheme.digest.output_len() != token.signature.len() {
                return Err(CrackError::SignatureLengthMismatch {
                    digest: scheme.digest,
                    signature_len: token.signature.len(),
                });
            }
        }
        let kinds = vec![None; schemes.len()];
        Ok(Target {
            token,
            schemes,
            kinds,
        })
    }

    /// A target whose schemes are labelled with the format each stands for (see
    /// [`crate::detect`]); the label of the matching scheme is reported in [`crate::Found::kind`].
    pub fn labelled(
        token: SignedToken,
        schemes: Vec<(Scheme, Option<TokenKind>)>,
    ) -> Result<Target, CrackError> {
        let (schemes, kinds): (Vec<_>, Vec<_>) = schemes.into_iter().unzip();
        let mut target = Target::new(token, schemes)?;
        target.kinds = kinds;
        Ok(target)
    }

    /// The format of each scheme, when known.
    pub fn kinds(&self) -> &[Option<TokenKind>] {
        &self.kinds
    }

    /// A Flask session cookie (`.`-separated, salt `cookie-session`, `hmac`, SHA-1).
    pub fn flask_session(cookie: &str) -> Result<Target, CrackError> {
        let token = SignedToken::parse(cookie, DEFAULT_SEPARATOR)?;
        Target::labelled(
            token,
            vec![(Scheme::flask_session(), Some(TokenKind::Flask))],
        )
    }

    /// A `.`-separated token with the given salt and derivation; the digest is detected from the
    /// signature length. Fails with [`CrackError::UnknownSignatureLength`] when no digest fits.
    pub fn detect_digest(
        token: &str,
        salt: &[u8],
        derivation: KeyDerivation,
    ) -> Result<Target, CrackError> {
        let token = SignedToken::parse(token, DEFAULT_SEPARATOR)?;
        let digests = crate::scheme::digests_for_signature_len(token.signature.len());
        if digests.is_empty() {
            return Err(CrackError::UnknownSignatureLength(token.signature.len()));
        }
        let schemes = digests
            .into_iter()
            .map(|d| Scheme::new(salt.to_vec(), derivation, d))
            .collect();
        Target::new(token, schemes)
    }

    /// The token.
    pub fn token(&self) -> &SignedToken {
        &self.token
    }

    /// The schemes tried, in order.
    pub fn schemes(&self) -> &[Scheme] {
        &self.schemes
    }
}
