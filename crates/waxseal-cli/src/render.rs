//! What `verify`, `explain` and `decode` share when they render the core's [`Inspection`]: the
//! step from an input line to a token, the JSON form of a payload, key names.

use waxseal::inspect::{
    detect_token, extract_token, likely_formats, Extracted, FormatKind, Inspection, TokenFormat,
    Verdict,
};

use crate::batch::{Input, MAX_TOKEN_LINE};

/// The cookie name looked for in a pasted `Cookie:` header (Flask's default
/// `SESSION_COOKIE_NAME`).
pub const COOKIE_NAME: &str = "session";

/// An input made ready for the engine.
pub struct Prepared<'a> {
    /// The token.
    pub token: &'a [u8],
    /// What was removed around it (`session=`, a `Cookie:` header, quotes), if anything.
    pub extracted: Option<&'static str>,
}

/// The token in `input`, or the malformed record that answers an input holding none (an empty
/// line, an over-long line).
pub fn prepare(input: Input<'_>, kind: FormatKind) -> Result<Prepared<'_>, Box<Inspection>> {
    prepare_with(input, |text| extract_token(text, kind, COOKIE_NAME))
}

/// The text of an input (empty for a line too long to keep).
pub fn input_text(input: Input<'_>) -> &[u8] {
    match input {
        Input::Token(text) => text,
        Input::TooLong(_) => &[],
    }
}

/// Like [`prepare`], with the token found by `extract` (e.g. with format detection).
pub fn prepare_with<'a>(
    input: Input<'a>,
    extract: impl FnOnce(&'a [u8]) -> Extracted<'a>,
) -> Result<Prepared<'a>, Box<Inspection>> {
    match input {
        Input::TooLong(n) => Err(Box::new(Inspection::malformed(format!(
            "The line is {n} bytes long, more than the {MAX_TOKEN_LINE}-byte limit for a \
             token: it was skipped."
        )))),
        Input::Token(text) => {
            let e = extract(text);
            if e.token.is_empty() {
                Err(Box::new(Inspection::malformed(
                    "The line is empty: there is no token on it.",
                )))
            } else {
                Ok(Prepared {
                    token: e.token,
                    extracted: e.note,
                })
            }
        }
    }
}

/// The sentence saying that the token was taken out of the input.
pub fn extracted_note(how: &str) -> String {
    format!("(token taken from the input by removing {how})")
}

/// `the current key` / `fallback key 2`.
pub fn key_name(index: usize) -> String {
    if index == 0 {
        "the current key".to_owned()
    } else {
        format!("fallback key {index}")
    }
}

/// `token 3: ` when answers are numbered, else nothing.
pub fn number_prefix(numbered: bool, number: usize) -> String {
    if numbered {
        format!("token {number}: ")
    } else {
        String::new()
    }
}

/// Whether answers are numbered: more than one input is possible (several tokens, or stdin).
pub fn numbered(tokens: &[String]) -> bool {
    tokens.len() > 1 || tokens.iter().any(|t| t == "-")
}

/// A format in words, for hints: `an itsdangerous Signer token`.
pub fn format_name(kind: FormatKind) -> &'static str {
    match kind {
        FormatKind::Flask => "a Flask session cookie",
        FormatKind::UrlSafeTimed => "an itsdangerous URLSafeTimedSerializer token",
        FormatKind::UrlSafe => "an itsdangerous URLSafeSerializer token",
        FormatKind::Serializer => "an itsdangerous Serializer token",
        FormatKind::TimedSerializer => "an itsdangerous TimedSerializer token",
        FormatKind::Starlette => "a Starlette/FastAPI session cookie",
        FormatKind::TimestampSigner => "an itsdangerous TimestampSigner token",
        FormatKind::Signer => "an itsdangerous Signer token",
    }
}

/// Adds to the message of a token that is not of `format` the format it does decode as, if one
/// does: for a malformed token, or a bad signature on a token without the timestamp `format` has,
/// the formats `token` decodes as; for another bad signature, Starlette when the pasted `text` is
/// recognised as a Starlette cookie. Runs only for those verdicts: valid tokens never pay for it.
pub fn add_format_hint(r: &mut Inspection, text: &[u8], token: &[u8], format: &TokenFormat) {
    let kind = format.kind;
    let suggestion = match r.verdict {
        Verdict::Malformed => likely_formats(token, kind).first().copied(),
        // A wrong structure (no timestamp where the format has one) hints at another format; a
        // payload that no longer decodes is what tampering looks like, so it does not.
        Verdict::BadSignature
            if kind.is_timed() && r.parts.as_ref().is_some_and(|p| p.timestamp.is_none()) =>
        {
            likely_formats(token, kind).first().copied()
        }
        // A Starlette cookie checked as another format: its padded standard base64 is
        // structure only Starlette writes (a tampered token of the format never looks so).
        Verdict::BadSignature if kind != FormatKind::Starlette => detect_token(text, COOKIE_NAME)
            .formats
            .first()
            .copied()
            .filter(|&top| top == FormatKind::Starlette),
        _ => None,
    };
    if let Some(k) = suggestion {
        r.message.push_str(&format!(
            " It decodes as {}: try --format {}.",
            format_name(k),
            k.name()
        ));
    }
}
