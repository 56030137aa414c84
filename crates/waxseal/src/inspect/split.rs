//! Splitting a token into its parts, the one copy used by the [`Verifier`](super::Verifier) and
//! by `waxseal-crack`'s targets.
//!
//! itsdangerous's `Signer.unsign` splits at the *last* separator (the signature never contains
//! one), and `TimestampSigner.unsign` splits what is left at its last separator again. So a
//! payload may itself contain separators (`a.b.TIMESTAMP.SIG` has the payload `a.b`), and the
//! signed part is everything before the last separator, whatever the format.

/// A token's parts as bytes, nothing decoded or checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParts<'a> {
    /// Everything the signature covers: the token before its last separator.
    pub signed_part: &'a [u8],
    /// The payload (with the `.` compression marker of the URL-safe formats, if present).
    pub payload: &'a [u8],
    /// The timestamp part, when `timed` and the signed part has a separator.
    pub timestamp: Option<&'a [u8]>,
    /// The signature as it appears.
    pub signature: &'a [u8],
}

/// Splits `token` at its last `separator` (signature) and, when `timed`, the rest at its last
/// one (timestamp). `None` when there is no separator at all.
///
/// ```
/// use waxseal::inspect::split_token;
/// let p = split_token(b"a.b.TS.SIG", b'.', true).unwrap();
/// assert_eq!((p.payload, p.timestamp, p.signature), (&b"a.b"[..], Some(&b"TS"[..]), &b"SIG"[..]));
/// assert_eq!(p.signed_part, b"a.b.TS");
/// let untimed = split_token(b"a.b.TS.SIG", b'.', false).unwrap();
/// assert_eq!((untimed.payload, untimed.timestamp), (&b"a.b.TS"[..], None));
/// assert!(split_token(b"no separator", b'.', true).is_none());
/// ```
pub fn split_token(token: &[u8], separator: u8, timed: bool) -> Option<RawParts<'_>> {
    let at = token.iter().rposition(|&b| b == separator)?;
    let (signed_part, signature) = (&token[..at], &token[at + 1..]);
    let timestamp_at = if timed {
        signed_part.iter().rposition(|&b| b == separator)
    } else {
        None
    };
    let (payload, timestamp) = match timestamp_at {
        Some(t) => (&signed_part[..t], Some(&signed_part[t + 1..])),
        None => (signed_part, None),
    };
    Some(RawParts {
        signed_part,
        payload,
        timestamp,
        signature,
    })
}
