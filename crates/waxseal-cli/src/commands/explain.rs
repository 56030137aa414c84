//! `waxseal explain`: every step Flask (itsdangerous) performs on a token, with the real values.

use clap::Args;
use serde_json::json;
use waxseal::encoding::base64_encode;
use waxseal::inspect::{split, FormatKind, TokenFormat, TokenParts};
use waxseal::signer::derive_key;
use waxseal::{KeyDerivation, Signer};

use super::verify::{key_name, verify_one, AgeArgs, Outcome};
use crate::options::{FormatArgs, KeyArgs, Keys, TokenStream};
use crate::output::{self, hex, paint, CliError, BAD, DIM, GOOD, HEAD, VALUE, WARN};
use crate::payload;

/// Walk through every step of checking a token, with the real intermediate values.
///
/// Shows the parts, the payload, the signing time, the key derived from the secret, the
/// expected signature against the given one, the constant-time comparison, which key matched,
/// the age against the maximum, and a one-line verdict. Without a key it explains what it can
/// and what a key would add.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal explain --secret 'my secret key' 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'\n  \
    waxseal explain 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'      # no key: what can be read by anyone\n\n\
    Exit codes: with a key, 0 valid and 1 invalid (like verify); without a key, 0 when the token\n\
    could be read and 1 when it is malformed; 2 usage error."
)]
pub struct ExplainArgs {
    /// Tokens to explain; `-` reads them from stdin, one per line.
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub age: AgeArgs,
}

/// Collects the explanation's lines.
struct Text(Vec<String>);

impl Text {
    fn step(&mut self, n: usize, title: &str) {
        self.0.push(String::new());
        self.0.push(paint(HEAD, format!("{n}. {title}")));
    }
    fn say(&mut self, s: impl Into<String>) {
        self.0.push(format!("   {}", s.into()));
    }
    /// A labelled value; values may come from the token, so they are escaped.
    fn value(&mut self, label: &str, v: impl std::fmt::Display) {
        let v = output::untrusted(&v.to_string());
        self.0.push(format!("   {label:<22} {}", paint(VALUE, v)));
    }
}

fn digest_upper(d: waxseal::Digest) -> String {
    d.name().to_uppercase()
}

/// The derivation as a formula: `HMAC-SHA1(key = SECRET_KEY, message = "cookie-session")`.
fn derivation_formula(format: &TokenFormat) -> String {
    let s = &format.settings;
    let salt = String::from_utf8_lossy(&s.salt);
    let d = digest_upper(s.digest);
    match s.key_derivation {
        KeyDerivation::Hmac => format!("HMAC-{d}(key = SECRET_KEY, message = \"{salt}\")"),
        KeyDerivation::Concat => format!("{d}(\"{salt}\" + SECRET_KEY)"),
        KeyDerivation::DjangoConcat => format!("{d}(\"{salt}\" + \"signer\" + SECRET_KEY)"),
        KeyDerivation::None => "SECRET_KEY itself (no derivation)".to_owned(),
    }
}

fn format_description(format: &TokenFormat) -> String {
    let s = &format.settings;
    let what = match format.kind {
        FormatKind::Flask => "a Flask session cookie (itsdangerous URLSafeTimedSerializer)",
        FormatKind::UrlSafeTimed => "an itsdangerous URLSafeTimedSerializer token",
        FormatKind::UrlSafe => "an itsdangerous URLSafeSerializer token",
        FormatKind::Serializer => "an itsdangerous Serializer token",
        FormatKind::TimestampSigner => "an itsdangerous TimestampSigner token",
        FormatKind::Signer => "an itsdangerous Signer token",
    };
    format!(
        "{what}: salt \"{}\", key derivation {}, digest {}, separator \"{}\"",
        String::from_utf8_lossy(&s.salt),
        s.key_derivation.name(),
        s.digest.name(),
        char::from(s.separator)
    )
}

/// Session keys that Flask and common extensions write, and what they mean.
const KNOWN_SESSION_KEYS: [(&str, &str); 6] = [
    (
        "_permanent",
        "is set by session.permanent = True: the cookie outlives the browser session",
    ),
    (
        "_flashes",
        "holds flash() messages waiting to be shown, as (category, message) tuples",
    ),
    (
        "_user_id",
        "is Flask-Login's logged-in user id: whoever can forge this cookie can be that user",
    ),
    (
        "_fresh",
        "is Flask-Login's flag for a login made with a password in this session",
    ),
    ("csrf_token", "is Flask-WTF's CSRF token"),
    ("_id", "is Flask-Login's session identifier"),
];

const TAG_HELP: [(&str, &str); 5] = [
    ("tuple", "{\" t\": [...]} is a Python tuple"),
    ("bytes", "{\" b\": \"base64\"} is Python bytes"),
    ("datetime", "{\" d\": \"HTTP date\"} is a datetime"),
    ("uuid", "{\" u\": \"hex\"} is a UUID"),
    ("markup", "{\" m\": \"...\"} is Markup (HTML marked safe)"),
];

fn explain_parts(t: &mut Text, format: &TokenFormat, parts: &TokenParts<'_>) {
    let sep = char::from(format.settings.separator);
    t.step(1, "Split the token into its parts");
    if format.kind.is_timed() {
        t.say(format!(
            "The token is three parts joined by \"{sep}\": payload{sep}timestamp{sep}signature."
        ));
    } else {
        t.say(format!(
            "The token is two parts joined by \"{sep}\": payload{sep}signature."
        ));
    }
    let payload_shown = String::from_utf8_lossy(parts.payload);
    t.value(
        "payload:",
        output::ellipsize(
            &format!("{}{payload_shown}", if parts.compressed { "." } else { "" }),
            120,
        ),
    );
    if let Some(ts) = parts.timestamp_text {
        t.value("timestamp:", String::from_utf8_lossy(ts));
    }
    t.value("signature:", String::from_utf8_lossy(parts.signature_text));
}

fn explain_payload(t: &mut Text, format: &TokenFormat, parts: &TokenParts<'_>) -> Option<String> {
    t.step(2, "Read the payload (anyone can do this)");
    let raw = parts.open(format.kind, format.max_decompressed);
    if format.kind.is_url_safe() {
        if parts.compressed {
            t.say("The payload starts with \".\": its JSON was zlib-compressed (because that was shorter), then base64url-encoded.");
        } else {
            t.say("The payload is JSON, base64url-encoded (not compressed).");
        }
    } else if format.kind.is_json() {
        t.say("The payload is the JSON text itself.");
    } else {
        t.say("The payload is the signed value itself.");
    }
    t.say("It is encoded, not encrypted: whoever holds the token can read it. The signature only stops them from changing it.");
    match &raw {
        Ok(r) => {
            t.value("raw payload:", output::ellipsize(r, 400));
            match payload::decode(format.kind, r) {
                Ok(d) => {
                    t.value("decoded:", output::ellipsize(&d.human(), 400));
                    if let payload::Decoded::Json(v) = &d {
                        for (key, help) in KNOWN_SESSION_KEYS {
                            if v.get(key).is_some() {
                                t.say(format!("\"{key}\" {help}"));
                            }
                        }
                    }
                    let tags = d.tags_used();
                    if !tags.is_empty() {
                        t.say("Flask marks Python types that JSON lacks with a tag key:");
                        for (name, help) in TAG_HELP {
                            if tags.contains(&name) {
                                t.say(format!("  {help}"));
                            }
                        }
                    }
                }
                Err(e) => t.say(paint(WARN, format!("The payload does not decode: {e}"))),
            }
        }
        Err(e) => t.say(paint(WARN, format!("The payload cannot be opened: {e}"))),
    }
    raw.ok()
}

fn explain_timestamp(t: &mut Text, parts: &TokenParts<'_>, now: u64) {
    t.step(3, "Read the timestamp");
    t.say("The timestamp is when the token was signed: a big-endian integer, base64url-encoded. It is covered by the signature, so it cannot be changed either.");
    match parts.timestamp {
        Some(ts) => {
            t.value("signed at:", output::time_with_date(ts));
            if ts <= now {
                t.value("age:", output::duration(now - ts));
            } else {
                t.value(
                    "age:",
                    format!("{} in the future", output::duration(ts - now)),
                );
            }
        }
        None => t.say(paint(WARN, "The timestamp is missing or unreadable.")),
    }
}

/// Per-key values: derived key and expected signature.
struct KeyTrial {
    index: usize,
    fingerprint: String,
    len: usize,
    derived_hex: String,
    expected_b64: String,
    expected_hex: String,
}

fn explain_with_keys(
    t: &mut Text,
    format: &TokenFormat,
    parts: &TokenParts<'_>,
    keys: &Keys,
    max_age: Option<u64>,
    now: u64,
    first_step: usize,
) -> Result<(Vec<KeyTrial>, Option<usize>), CliError> {
    let s = &format.settings;
    let slices = keys.slices();
    let (first, rest) = slices
        .split_first()
        .ok_or_else(crate::options::no_key_error)?;
    let mut builder = Signer::builder(first)
        .settings(s.clone())
        .allow_legacy_md5();
    for k in rest {
        builder = builder.fallback_key(k);
    }
    let signer = builder
        .build()
        .map_err(|e| CliError::usage(format!("invalid format settings: {e}")))?;
    let trials: Vec<KeyTrial> = keys
        .keys
        .iter()
        .enumerate()
        .map(|(index, key)| {
            let derived = derive_key(s.key_derivation, s.digest, &s.salt, key.as_bytes());
            let expected = signer
                .signature_with_key(parts.signed_part, index)
                .map(|sig| sig.as_slice().to_vec())
                .unwrap_or_default();
            KeyTrial {
                index,
                fingerprint: key.fingerprint(),
                len: key.len(),
                derived_hex: hex(&derived),
                expected_b64: base64_encode(&expected),
                expected_hex: hex(&expected),
            }
        })
        .collect();
    let matched = signer.verify_signature(parts.signed_part, parts.signature_text);

    let d = digest_upper(s.digest);
    let mut n = first_step;
    t.step(n, "Derive the signing key from the secret key");
    t.say("The secret key is never used directly. A key just for this purpose is derived from it first:");
    t.say(format!("  derived key = {}", derivation_formula(format)));
    if s.key_derivation != KeyDerivation::None {
        t.say(format!(
            "The salt \"{}\" keeps signatures made for this purpose from being valid anywhere else the same secret key signs.",
            String::from_utf8_lossy(&s.salt)
        ));
    }
    t.say(paint(
        WARN,
        "The derived key and the expected signatures below are as secret as the key itself: \
         with them anyone can sign tokens. Do not paste this output anywhere public.",
    ));
    t.say(format!(
        "Keys tried (from {}), current first, then fallbacks in order:",
        keys.source
    ));
    for k in &trials {
        t.say(format!(
            "  {} ({} bytes, fingerprint {})",
            key_name(k.index),
            k.len,
            k.fingerprint
        ));
        t.value("    derived key (hex):", &k.derived_hex);
    }

    n += 1;
    t.step(n, "Recompute the signature");
    t.say(format!(
        "The signature covers everything before the last \"{}\":",
        char::from(s.separator)
    ));
    t.say(format!(
        "  signature = HMAC-{d}(key = derived key, message = \"{}\")",
        output::untrusted(&output::ellipsize(
            &String::from_utf8_lossy(parts.signed_part),
            80
        ))
    ));
    for k in &trials {
        t.value(
            &format!(
                "expected ({}):",
                if k.index == 0 {
                    "current".to_owned()
                } else {
                    format!("fallback {}", k.index)
                }
            ),
            format!("{}  hex {}", k.expected_b64, k.expected_hex),
        );
    }
    t.value(
        "given in the token:",
        format!(
            "{}  hex {}",
            String::from_utf8_lossy(parts.signature_text),
            parts
                .signature
                .as_deref()
                .map(hex)
                .unwrap_or_else(|| "(not valid base64)".into())
        ),
    );
    if let (Some(implied), Some(sig)) = (parts.implied_digest, &parts.signature) {
        if implied != s.digest {
            t.say(paint(
                WARN,
                format!(
                    "The given signature is {} bytes, which {} produces, not {d}: try --digest {}.",
                    sig.len(),
                    digest_upper(implied),
                    implied.name()
                ),
            ));
        }
    }

    n += 1;
    t.step(n, "Compare the signatures");
    t.say("The comparison is constant-time: it takes as long whether the first byte differs or the last, so nobody can time the server to learn a valid signature byte by byte.");
    match matched {
        Some(i) => t.say(paint(GOOD, format!("They match with {}.", key_name(i)))),
        None => t.say(paint(
            BAD,
            "No key gives the given signature: the token was changed after signing, or it was signed with another secret key (or salt, digest, derivation).",
        )),
    }

    if format.kind.is_timed() {
        n += 1;
        t.step(n, "Check the age");
        match (parts.timestamp, max_age) {
            _ if matched.is_none() => t.say(
                "Skipped: the age is checked only once the signature holds, since the timestamp of an untrusted token means nothing.",
            ),
            (_, None) => t.say("No maximum age applies (--no-max-age, or the format has no default)."),
            (Some(ts), Some(max)) => {
                let age = now.saturating_sub(ts);
                let origin = if format.kind == FormatKind::Flask && max == super::verify::FLASK_MAX_AGE {
                    " (Flask's default PERMANENT_SESSION_LIFETIME; change it with --max-age)"
                } else {
                    ""
                };
                t.say(format!(
                    "Age {}; the maximum is {}{origin}.",
                    output::duration(age),
                    output::duration(max)
                ));
                if ts > now {
                    t.say(paint(BAD, "Signed in the future: refused."));
                } else if age > max {
                    t.say(paint(WARN, "Too old: refused even though the signature is genuine."));
                } else {
                    t.say(paint(GOOD, "Within the maximum age."));
                }
            }
            (None, Some(_)) => t.say("No readable timestamp, so no age."),
        }
    }
    Ok((trials, matched))
}

fn verdict(outcome: &Outcome) -> String {
    match (outcome.valid, outcome.error, outcome.key_index) {
        (true, _, Some(0)) => paint(GOOD, "VALID: genuine, signed with the current key."),
        (true, _, Some(i)) => paint(
            GOOD,
            format!(
                "VALID, signed by fallback key {i}: still accepted during rotation; the next time the \
                 application saves it, it is signed with the current key."
            ),
        ),
        (true, _, None) => paint(GOOD, "VALID."),
        (false, Some("bad_signature"), _) => {
            paint(BAD, "INVALID: tampered, or signed with a different key.")
        }
        (false, Some("expired"), _) => paint(
            WARN,
            "EXPIRED: genuine signature, but older than the maximum age (or dated in the future).",
        ),
        (false, Some("bad_payload"), _) => paint(
            BAD,
            "INVALID: the signature is genuine but the payload cannot be decoded.",
        ),
        (false, _, _) => paint(BAD, format!("INVALID: malformed token ({}).", outcome.message)),
    }
}

/// Explains one token; returns the lines, the JSON, and whether it counts as success.
fn explain_one(
    format: &TokenFormat,
    keys: Option<&Keys>,
    token: &str,
    max_age: Option<u64>,
    now: u64,
) -> Result<(Vec<String>, serde_json::Value, bool), CliError> {
    let mut t = Text(vec![
        paint(HEAD, "What this is"),
        format!("   {}", format_description(format)),
    ]);
    if format.kind == FormatKind::Flask {
        t.say("Flask stores the whole session (the dict `session`) in this cookie, signed with SECRET_KEY so");
        t.say("the browser can read it but cannot change it. Below is every step Flask takes to trust it.");
    }
    let parts = match split(format.kind, format.settings.separator, token.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            t.say(paint(BAD, format!("This cannot be split into parts: {e}.")));
            let v = json!({"token": token, "valid": false, "error": e.kind().as_str(), "message": e.to_string()});
            return Ok((t.0, v, false));
        }
    };
    explain_parts(&mut t, format, &parts);
    let raw = explain_payload(&mut t, format, &parts);
    let mut step = 3;
    if format.kind.is_timed() {
        explain_timestamp(&mut t, &parts, now);
        step = 4;
    }
    let mut j = json!({
        "token": token,
        "format": format.kind.name(),
        "payload_raw": raw,
        "compressed": parts.compressed,
        "timestamp": parts.timestamp,
        "given_signature": String::from_utf8_lossy(parts.signature_text),
        "given_signature_hex": parts.signature.as_deref().map(hex),
        "derivation": derivation_formula(format),
    });
    let Some(keys) = keys else {
        t.step(step, "What a key would add");
        t.say("Without the secret key nothing above is proven: anyone can write a token that reads like this.");
        t.say(format!(
            "With the key, waxseal derives the signing key ({}), recomputes the signature, compares it in constant time, checks the age, and tells you whether the token is genuine.",
            derivation_formula(format)
        ));
        t.say("Give it with --secret, --secret-hex, --secret-file or --keyring, or set FLASK_SECRET_KEY.");
        t.0.push(String::new());
        t.0.push(paint(WARN, "Verdict: NOT VERIFIED (no key given)."));
        j["valid"] = serde_json::Value::Null;
        j["verdict"] = json!("not_verified");
        return Ok((t.0, j, raw.is_some()));
    };
    let outcome = verify_one(format, &keys.slices(), token, max_age, now)?;
    let (trials, matched) = explain_with_keys(&mut t, format, &parts, keys, max_age, now, step)?;
    t.0.push(String::new());
    t.0.push(format!("{} {}", paint(HEAD, "Verdict:"), verdict(&outcome)));
    if !outcome.valid {
        t.0.push(paint(DIM, format!("   ({})", outcome.message)));
    }
    j["keys"] = trials
        .iter()
        .map(|k| {
            json!({"index": k.index, "fingerprint": k.fingerprint, "derived_key_hex": k.derived_hex,
                   "expected_signature": k.expected_b64, "expected_signature_hex": k.expected_hex})
        })
        .collect();
    j["signature_matched_key"] = json!(matched);
    j["max_age"] = json!(max_age);
    j["valid"] = json!(outcome.valid);
    j["error"] = json!(outcome.error);
    j["key_index"] = json!(outcome.key_index);
    j["message"] = json!(outcome.message);
    j["verdict"] = json!(match (outcome.valid, outcome.key_index) {
        (true, Some(0)) | (true, None) => "valid".to_owned(),
        (true, Some(i)) => format!("valid_fallback_{i}"),
        _ => outcome.error.unwrap_or("invalid").to_owned(),
    });
    Ok((t.0, j, outcome.valid))
}

/// Runs `explain`.
pub fn run(args: ExplainArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let keys = args.keys.load()?;
    let max_age = args.age.max_age(format.kind);
    let now = args.age.now();
    let mut all_ok = true;
    let mut first = true;
    for token in TokenStream::new(args.tokens) {
        let token = token?;
        let (lines, j, ok) = explain_one(&format, keys.as_ref(), &token, max_age, now)?;
        all_ok &= ok;
        if json {
            output::json_line(&j)?;
        } else {
            if !first {
                output::line(paint(DIM, "────────"))?;
            }
            for l in lines {
                output::line(l)?;
            }
        }
        first = false;
    }
    Ok(if all_ok {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
