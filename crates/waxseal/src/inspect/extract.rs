//! Friendlier input: the token inside pasted text (`session=...`, a whole `Cookie:` header,
//! quotes), and the formats a token that fails to decode more likely is.
//!
//! Extraction applies only to the URL-safe formats, whose tokens consist of base64url
//! characters and dots: there a `=`, `;`, `"` or space cannot belong to the token, so removing
//! them cannot change a real token. Tokens of the other formats (plain JSON, arbitrary signed
//! bytes) may contain any of those, so they are taken as given.

use super::{Detail, FormatKind, TokenFormat, Verdict, Verifier};

/// A token found in pasted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extracted<'a> {
    /// The token itself.
    pub token: &'a [u8],
    /// What was removed to get it, when anything was: e.g. `the cookie name "session="`.
    pub note: Option<&'static str>,
}

/// Whether `b` can be in a URL-safe token (base64url and dots). Branch-free, so that
/// [`all_token_bytes`] vectorises: it runs on every batch line.
fn is_token_byte(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
}

/// Whether every byte of `s` can be in a URL-safe token (no early exit: the common answer is
/// yes, and a whole-slice pass vectorises).
fn all_token_bytes(s: &[u8]) -> bool {
    s.iter().fold(true, |ok, &b| ok & is_token_byte(b))
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

fn unquote(s: &[u8]) -> &[u8] {
    for q in [b'"', b'\''] {
        if s.len() >= 2 && s[0] == q && s[s.len() - 1] == q {
            return trim(&s[1..s.len() - 1]);
        }
    }
    s
}

/// Finds the token in `text` for `kind`: surrounding whitespace is always removed; for URL-safe
/// formats also surrounding quotes, a `name=` prefix, or a whole `Cookie:` header (the value of
/// the cookie named `cookie_name` if present, else the first value that looks like a token).
///
/// ```
/// use waxseal::inspect::{extract_token, FormatKind};
/// let e = extract_token(b"Cookie: theme=dark; session=\"eyJhIjoxfQ.ZVPxAA.c2ln\"", FormatKind::Flask, "session");
/// assert_eq!(e.token, b"eyJhIjoxfQ.ZVPxAA.c2ln");
/// assert!(e.note.is_some());
/// let plain = extract_token(b"eyJhIjoxfQ.ZVPxAA.c2ln", FormatKind::Flask, "session");
/// assert_eq!(plain.note, None);
/// ```
pub fn extract_token<'a>(text: &'a [u8], kind: FormatKind, cookie_name: &str) -> Extracted<'a> {
    let trimmed = trim(text);
    if !kind.is_url_safe() || all_token_bytes(trimmed) {
        return Extracted {
            token: trimmed,
            note: None,
        };
    }
    let mut rest = trimmed;
    let mut note = "surrounding quotes";
    let header = rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"cookie:");
    if header {
        rest = trim(&rest[7..]);
        note = "the \"Cookie:\" header around it";
    }
    let looks_like_token = |v: &[u8]| {
        let v = unquote(trim(v));
        !v.is_empty() && all_token_bytes(v) && v.contains(&b'.')
    };
    let pairs = rest.split(|&b| b == b';').map(trim);
    let mut named = None;
    let mut first_token = None;
    for pair in pairs {
        match pair.iter().position(|&b| b == b'=') {
            Some(eq) => {
                let (name, value) = (trim(&pair[..eq]), &pair[eq + 1..]);
                if name == cookie_name.as_bytes() && named.is_none() {
                    named = Some(value);
                }
                if first_token.is_none() && looks_like_token(value) {
                    first_token = Some(value);
                }
            }
            None if first_token.is_none() && looks_like_token(pair) => first_token = Some(pair),
            None => {}
        }
    }
    let (value, how) = match (named, first_token) {
        (Some(v), _) => (
            v,
            if header {
                note
            } else {
                "the cookie name before \"=\""
            },
        ),
        (None, Some(v)) => (v, if header { note } else { "the text around it" }),
        (None, None) => (rest, note),
    };
    let token = unquote(trim(value));
    Extracted {
        token,
        note: (token != trimmed).then_some(how),
    }
}

/// Formats other than `tried` that `token` decodes as, most specific first: what to suggest
/// when it does not decode as `tried`. Only structure is looked at, nothing is verified.
///
/// ```
/// use waxseal::inspect::{likely_formats, FormatKind, TokenFormat};
/// let t = TokenFormat::new(FormatKind::TimestampSigner).sign(&[b"k"], b"hello", 1_700_000_000).unwrap();
/// assert_eq!(likely_formats(t.as_bytes(), FormatKind::Flask).first(), Some(&FormatKind::TimestampSigner));
/// ```
pub fn likely_formats(token: &[u8], tried: FormatKind) -> Vec<FormatKind> {
    // 2001-09-09 .. 2100-01-01: a decoded number outside is no itsdangerous timestamp.
    let plausible =
        |ts: Option<u64>| ts.is_some_and(|t| (1_000_000_000..4_102_444_800).contains(&t));
    let order = [
        FormatKind::Flask,
        FormatKind::UrlSafeTimed,
        FormatKind::TimestampSigner,
        FormatKind::UrlSafe,
        FormatKind::Serializer,
        FormatKind::Signer,
    ];
    order
        .into_iter()
        .filter(|&k| k != tried)
        .filter(|&k| {
            let r =
                Verifier::decode_only(&TokenFormat::new(k)).inspect_at(token, 0, Detail::Verify);
            if r.verdict != Verdict::NotVerified {
                return false;
            }
            let ts = r.parts.as_ref().and_then(|p| p.timestamp);
            match k {
                FormatKind::Flask | FormatKind::UrlSafeTimed | FormatKind::TimestampSigner => {
                    plausible(ts)
                }
                // A signer reads anything: only suggest it when no structure fits better.
                FormatKind::Signer => r.parts.is_some(),
                _ => true,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &[u8] = b"eyJhIjoxfQ.ZVPxAA.c2ln";

    #[test]
    fn token_bytes_are_base64url_and_dots() {
        for b in 0..=255u8 {
            let want = b.is_ascii_alphanumeric() || b"-_.".contains(&b);
            assert_eq!(is_token_byte(b), want, "byte {b:#04x}");
        }
        assert!(all_token_bytes(TOKEN) && all_token_bytes(b""));
        assert!(!all_token_bytes(b"eyJhIjoxfQ.ZVPxAA.c2ln=") && !all_token_bytes(b"a\xc1b"));
    }

    #[test]
    fn pasted_cookies_are_recognised() {
        for text in [
            &b"  eyJhIjoxfQ.ZVPxAA.c2ln\n"[..],
            b"session=eyJhIjoxfQ.ZVPxAA.c2ln",
            b"\"eyJhIjoxfQ.ZVPxAA.c2ln\"",
            b"'eyJhIjoxfQ.ZVPxAA.c2ln'",
            b"Cookie: theme=dark; session=eyJhIjoxfQ.ZVPxAA.c2ln; lang=en",
            b"cookie: theme=dark; session=\"eyJhIjoxfQ.ZVPxAA.c2ln\"",
            b"theme=dark; other=eyJhIjoxfQ.ZVPxAA.c2ln",
        ] {
            let e = extract_token(text, FormatKind::Flask, "session");
            assert_eq!(e.token, TOKEN, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(
            extract_token(TOKEN, FormatKind::Flask, "session").note,
            None
        );
        assert!(extract_token(
            b"session=eyJhIjoxfQ.ZVPxAA.c2ln",
            FormatKind::Flask,
            "session"
        )
        .note
        .is_some());
    }

    #[test]
    fn other_formats_are_taken_as_given() {
        let token = br#" {"a": "b=c; d"}.sig "#;
        let e = extract_token(token, FormatKind::Serializer, "session");
        assert_eq!(e.token, &token[1..token.len() - 1]);
        assert_eq!(e.note, None);
    }

    #[test]
    fn signer_tokens_are_named() {
        let t = TokenFormat::new(FormatKind::Signer)
            .sign(&[b"k"], b"hello", 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            likely_formats(t.as_bytes(), FormatKind::Flask),
            [FormatKind::Signer]
        );
        assert!(likely_formats(b"no separator", FormatKind::Flask).is_empty());
    }
}
