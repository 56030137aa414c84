//! Friendlier input: the token inside pasted text (`session=...`, a whole `Cookie:` header,
//! quotes), and which formats a token is, from its structure alone.
//!
//! Extraction applies only to the cookie-shaped formats: the URL-safe ones, whose tokens consist
//! of base64url characters and dots, and Starlette's, which adds the standard alphabet's `+` and
//! `/` and `=` padding. There a `;`, `"` or space cannot belong to the token, and neither can a
//! `=` followed by anything but `=` or `.` (Starlette's padding is only ever followed by more
//! padding or the `.` separator), so removing them cannot change a real token. Tokens of the other formats
//! (plain JSON, arbitrary signed bytes) may contain any of those, so they are taken as given.
//!
//! Detection ([`detect_formats`]) decodes the token as every format without a key and keeps those
//! it decodes as (timed ones only with a plausible timestamp), most specific first. Structure
//! cannot tell some formats apart (a Flask cookie is also a valid `URLSafeTimedSerializer` token),
//! so the answer is a ranked list, never a proof. Starlette's cookie is ranked first when its
//! payload shows what only Starlette writes: standard base64 characters (`+`, `/`, `=` padding)
//! or the JSON separator `": "` of `json.dumps`'s defaults (Flask and itsdangerous write compact
//! JSON in base64url); otherwise it comes after Flask's and itsdangerous's URL-safe formats. A
//! timed token whose payload is JSON text is named a `TimedSerializer` token before a
//! `TimestampSigner` one (which signs any bytes, so it also fits).

use super::{Detail, FormatKind, TokenFormat, Verdict, Verifier};

/// A token found in pasted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extracted<'a> {
    /// The token itself.
    pub token: &'a [u8],
    /// What was removed to get it, when anything was: e.g. `the cookie name "session="`.
    pub note: Option<&'static str>,
}

/// Whether `b` can be in a token of `kind` whose surroundings are recognised: base64url and
/// dots, and for Starlette also standard base64's `+`, `/` and `=`. Branch-free, so that
/// [`all_token_bytes`] vectorises: it runs on every batch line.
fn is_token_byte(b: u8, kind: FormatKind) -> bool {
    let starlette = kind == FormatKind::Starlette;
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
        | (starlette & ((b == b'+') | (b == b'/') | (b == b'=')))
}

/// Whether every byte of `s` can be in a token of `kind` (no early exit: the common answer is
/// yes, and a whole-slice pass vectorises).
fn all_token_bytes(s: &[u8], kind: FormatKind) -> bool {
    // One loop per alphabet: with the format fixed inside it, the loop vectorises fully.
    // A byte-wide OR of the misfits is what vectorises best.
    let misfits = |k: FormatKind| {
        s.iter()
            .fold(0u8, |m, &b| m | u8::from(!is_token_byte(b, k)))
    };
    if kind == FormatKind::Starlette {
        misfits(FormatKind::Starlette) == 0
    } else {
        misfits(FormatKind::Flask) == 0
    }
}

/// Whether pasted text around a token of `kind` is recognised (see the module docs).
fn is_cookie_shaped(kind: FormatKind) -> bool {
    kind.is_url_safe() || kind == FormatKind::Starlette
}

/// Where a `name=value` pair splits: the first `=`, except that for Starlette a `=` followed by
/// `=`, `.` or nothing is padding, so a bare Starlette token has no name.
fn name_end(pair: &[u8], kind: FormatKind) -> Option<usize> {
    if kind != FormatKind::Starlette {
        return pair.iter().position(|&b| b == b'=');
    }
    pair.iter()
        .enumerate()
        .position(|(i, &b)| b == b'=' && pair.get(i + 1).is_some_and(|&n| n != b'=' && n != b'.'))
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

/// Finds the token in `text` for `kind`: surrounding whitespace is always removed; for the
/// cookie-shaped formats (URL-safe and Starlette) also surrounding quotes, a `name=` prefix, or a
/// whole `Cookie:` header (the value of the cookie named `cookie_name` if present, else the first
/// value that looks like a token).
///
/// ```
/// use waxseal::inspect::{extract_token, FormatKind};
/// let e = extract_token(b"Cookie: theme=dark; session=\"eyJhIjoxfQ.ZVPxAA.c2ln\"", FormatKind::Flask, "session");
/// assert_eq!(e.token, b"eyJhIjoxfQ.ZVPxAA.c2ln");
/// assert!(e.note.is_some());
/// let plain = extract_token(b"eyJhIjoxfQ.ZVPxAA.c2ln", FormatKind::Flask, "session");
/// assert_eq!(plain.note, None);
/// // Starlette's padding stays part of the token; the cookie name does not.
/// let s = extract_token(b"session=eyJhIjogMX0=.ZVPxAA.c2ln", FormatKind::Starlette, "session");
/// assert_eq!(s.token, b"eyJhIjogMX0=.ZVPxAA.c2ln");
/// let bare = extract_token(b"eyJhIjogMX0=.ZVPxAA.c2ln", FormatKind::Starlette, "session");
/// assert_eq!((bare.token, bare.note), (&b"eyJhIjogMX0=.ZVPxAA.c2ln"[..], None));
/// ```
pub fn extract_token<'a>(text: &'a [u8], kind: FormatKind, cookie_name: &str) -> Extracted<'a> {
    let trimmed = trim(text);
    // Only a Starlette token's bytes include `=`: for the others, all token bytes means no name.
    if !is_cookie_shaped(kind)
        || (all_token_bytes(trimmed, kind)
            && (kind != FormatKind::Starlette || name_end(trimmed, kind).is_none()))
    {
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
        !v.is_empty() && all_token_bytes(v, kind) && v.contains(&b'.')
    };
    let pairs = rest.split(|&b| b == b';').map(trim);
    let mut named = None;
    let mut first_token = None;
    for pair in pairs {
        match name_end(pair, kind) {
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

/// The formats `token` decodes as, most likely first (see the module docs): what `decode`
/// without a format reads it as. Only structure is looked at, nothing is verified; empty when it
/// decodes as no format.
///
/// ```
/// use waxseal::inspect::{detect_formats, FormatKind, TokenFormat};
/// let starlette = TokenFormat::new(FormatKind::Starlette)
///     .sign_at(&[b"k"], br#"{"user": "ada"}"#, 1_700_000_000)
///     .unwrap();
/// let found = detect_formats(starlette.as_bytes());
/// assert_eq!(found.first(), Some(&FormatKind::Starlette));
/// assert!(found.contains(&FormatKind::TimestampSigner)); // also fits: it signs any bytes
/// ```
pub fn detect_formats(token: &[u8]) -> Vec<FormatKind> {
    // 2001-09-09 .. 2100-01-01: a decoded number outside is no itsdangerous timestamp.
    let plausible =
        |ts: Option<u64>| ts.is_some_and(|t| (1_000_000_000..4_102_444_800).contains(&t));
    let order = [
        FormatKind::Flask,
        FormatKind::UrlSafeTimed,
        FormatKind::Starlette,
        FormatKind::TimedSerializer,
        FormatKind::TimestampSigner,
        FormatKind::UrlSafe,
        FormatKind::Serializer,
        FormatKind::Signer,
    ];
    let mut starlette_evidence = false;
    let mut found: Vec<FormatKind> = order
        .into_iter()
        .filter(|&k| {
            let r =
                Verifier::decode_only(&TokenFormat::new(k)).inspect_at(token, Detail::Verify, 0);
            if r.verdict != Verdict::NotVerified {
                return false;
            }
            let parts = r.parts.as_ref();
            match k {
                FormatKind::Starlette => {
                    starlette_evidence = parts.is_some_and(|p| p.payload.contains(['+', '/', '=']))
                        || r.payload_raw.as_deref().is_some_and(|j| j.contains("\": "));
                    plausible(parts.and_then(|p| p.timestamp))
                }
                FormatKind::Flask
                | FormatKind::UrlSafeTimed
                | FormatKind::TimedSerializer
                | FormatKind::TimestampSigner => plausible(parts.and_then(|p| p.timestamp)),
                // A signer reads anything: only suggest it when no structure fits better.
                FormatKind::Signer => parts.is_some(),
                _ => true,
            }
        })
        .collect();
    if starlette_evidence {
        if let Some(i) = found.iter().position(|&k| k == FormatKind::Starlette) {
            found[..=i].rotate_right(1);
        }
    }
    found
}

/// A token found in pasted text without knowing its format, with the formats it decodes as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected<'a> {
    /// The token, and what was removed around it.
    pub extracted: Extracted<'a>,
    /// The formats it decodes as, most likely first ([`detect_formats`]); empty when none.
    pub formats: Vec<FormatKind>,
}

/// Finds the token in `text` and the formats it decodes as, when the format is not known: the
/// text is read as a pasted cookie (a `name=` prefix, a `Cookie:` header, quotes; first as
/// Starlette's, whose padding may end in `=.`, then as the URL-safe formats', whose compressed
/// payload may start `=.`) when what that leaves decodes as a cookie format, else as a token given
/// as is (whitespace trimmed), since the other formats' tokens may hold `=`, `;` or quotes.
///
/// ```
/// use waxseal::inspect::{detect_token, FormatKind, TokenFormat};
/// let cookie = TokenFormat::new(FormatKind::Starlette)
///     .sign_at(&[b"k"], br#"{"a": 1}"#, 1_700_000_000)
///     .unwrap();
/// let pasted = format!("Cookie: session={cookie}");
/// let d = detect_token(pasted.as_bytes(), "session");
/// assert_eq!((d.extracted.token, d.formats[0]), (cookie.as_bytes(), FormatKind::Starlette));
/// assert!(d.extracted.note.is_some());
/// let json = TokenFormat::new(FormatKind::Serializer).sign_at(&[b"k"], br#"{"a": "b=c"}"#, 0).unwrap();
/// let d = detect_token(json.as_bytes(), "session");
/// assert_eq!((d.extracted.token, d.formats[0]), (json.as_bytes(), FormatKind::Serializer));
/// ```
pub fn detect_token<'a>(text: &'a [u8], cookie_name: &str) -> Detected<'a> {
    for shape in [FormatKind::Starlette, FormatKind::Flask] {
        let cookie = extract_token(text, shape, cookie_name);
        if cookie.note.is_some() {
            let formats = detect_formats(cookie.token);
            if formats.first().is_some_and(|&k| is_cookie_shaped(k)) {
                return Detected {
                    extracted: cookie,
                    formats,
                };
            }
        }
    }
    let given = Extracted {
        token: trim(text),
        note: None,
    };
    Detected {
        formats: detect_formats(given.token),
        extracted: given,
    }
}

/// Formats other than `tried` that `token` decodes as, most likely first ([`detect_formats`]):
/// what to suggest when it does not decode as `tried`.
///
/// ```
/// use waxseal::inspect::{likely_formats, FormatKind, TokenFormat};
/// let t = TokenFormat::new(FormatKind::TimestampSigner).sign_at(&[b"k"], b"hello", 1_700_000_000).unwrap();
/// assert_eq!(likely_formats(t.as_bytes(), FormatKind::Flask).first(), Some(&FormatKind::TimestampSigner));
/// ```
pub fn likely_formats(token: &[u8], tried: FormatKind) -> Vec<FormatKind> {
    let mut found = detect_formats(token);
    found.retain(|&k| k != tried);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &[u8] = b"eyJhIjoxfQ.ZVPxAA.c2ln";

    #[test]
    fn token_bytes_are_base64url_and_dots() {
        for b in 0..=255u8 {
            let url_safe = b.is_ascii_alphanumeric() || b"-_.".contains(&b);
            assert_eq!(
                is_token_byte(b, FormatKind::Flask),
                url_safe,
                "byte {b:#04x}"
            );
            let starlette = url_safe || b"+/=".contains(&b);
            assert_eq!(
                is_token_byte(b, FormatKind::Starlette),
                starlette,
                "byte {b:#04x}"
            );
        }
        assert!(
            all_token_bytes(TOKEN, FormatKind::Flask) && all_token_bytes(b"", FormatKind::Flask)
        );
        assert!(!all_token_bytes(
            b"eyJhIjoxfQ.ZVPxAA.c2ln=",
            FormatKind::Flask
        ));
        assert!(all_token_bytes(
            b"eyJhIjoxfQ=.ZVPxAA.c2ln",
            FormatKind::Starlette
        ));
        assert!(!all_token_bytes(b"a\xc1b", FormatKind::Starlette));
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
            .sign_at(&[b"k"], b"hello", 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            likely_formats(t.as_bytes(), FormatKind::Flask),
            [FormatKind::Signer]
        );
        assert!(likely_formats(b"no separator", FormatKind::Flask).is_empty());
    }
}
