//! `waxseal explain`: every step Flask (itsdangerous) performs on a token, with the real values.

use clap::Args;
use serde::Serialize;
use waxseal::flask::Value;
use waxseal::inspect::{
    AgeCheck, Detail, FormatKind, Inspection, KeyTrial, Parts, Payload, TokenFormat, Verdict,
    Verifier, FLASK_MAX_AGE, STARLETTE_MAX_AGE,
};
use waxseal::KeyDerivation;

use crate::batch::{self, Answer, Input};
use crate::options::{AgeArgs, BatchArgs, FormatArgs, KeyArgs};
use crate::output::{self, hex, paint, CliError, Untrusted, BAD, DIM, GOOD, HEAD, VALUE, WARN};
use crate::payload::{human_payload, json_payload, tags_used, JsonPayloadField};
use crate::render::{self, extracted_note, key_name, number_prefix, prepare};

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
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Print payloads in full (they are shortened otherwise).
    #[arg(long)]
    pub full: bool,
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
    fn value(&mut self, label: &str, v: &str) {
        self.0
            .push(format!("   {label:<22} {}", paint(VALUE, Untrusted(v))));
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
        FormatKind::Starlette => {
            "a Starlette/FastAPI SessionMiddleware cookie (itsdangerous TimestampSigner)"
        }
        other => crate::render::format_name(other),
    };
    format!(
        "{what}: salt \"{}\", key derivation {}, digest {}, separator \"{}\"",
        String::from_utf8_lossy(&s.salt),
        s.key_derivation.name(),
        s.digest.name(),
        char::from(s.separator)
    )
}

/// What `_permanent` means, by its value.
fn permanent_help(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "is true: the app set session.permanent = True, so the cookie carries an \
                       expiry date and outlives the browser session (until \
                       PERMANENT_SESSION_LIFETIME)"
            .to_owned(),
        Some(false) => {
            "is false: a browser-session cookie, dropped when the browser closes".to_owned()
        }
        None => "is not a boolean: Flask treats any true value as a permanent session".to_owned(),
    }
}

/// Session keys that Flask and common extensions write, and what they mean.
const KNOWN_SESSION_KEYS: [(&str, &str); 5] = [
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

struct Explain {
    verifier: Verifier,
    keys_source: Option<String>,
    now: u64,
    json: bool,
    numbered: bool,
    full: bool,
    separator: String,
}

impl Explain {
    fn cut(&self, s: &str, n: usize) -> String {
        if self.full {
            s.to_owned()
        } else {
            output::ellipsize(s, n)
        }
    }

    fn parts(&self, t: &mut Text, parts: &Parts) {
        let sep = char::from(self.verifier.format().settings.separator);
        t.step(1, "Split the token into its parts");
        if self.verifier.format().kind.is_timed() {
            t.say(format!(
                "The token is three parts joined by \"{sep}\": payload{sep}timestamp{sep}signature."
            ));
        } else {
            t.say(format!(
                "The token is two parts joined by \"{sep}\": payload{sep}signature."
            ));
        }
        let marker = if parts.compressed { "." } else { "" };
        t.value(
            "payload:",
            &self.cut(&format!("{marker}{}", parts.payload), 120),
        );
        if let Some(ts) = &parts.timestamp_text {
            t.value("timestamp:", ts);
        }
        t.value("signature:", &parts.signature_text);
    }

    fn payload(&self, t: &mut Text, r: &Inspection, parts: &Parts) {
        let kind = self.verifier.format().kind;
        t.step(2, "Read the payload (anyone can do this)");
        if kind.is_url_safe() {
            if parts.compressed {
                t.say("The payload starts with \".\": its JSON was zlib-compressed (because that was shorter), then base64url-encoded.");
            } else {
                t.say("The payload is JSON, base64url-encoded (not compressed).");
            }
        } else if kind == FormatKind::Starlette {
            t.say("The payload is JSON (json.dumps with Python's defaults), standard base64-encoded with padding.");
        } else if kind.is_json() {
            t.say("The payload is the JSON text itself.");
        } else {
            t.say("The payload is the signed value itself.");
        }
        t.say("It is encoded, not encrypted: whoever holds the token can read it. The signature only stops them from changing it.");
        if r.verdict == Verdict::BadSignature {
            t.say(paint(
                WARN,
                "The signature below does not hold: this is only what the token claims.",
            ));
        }
        match &r.payload_raw {
            Some(raw) => t.value("raw payload:", &self.cut(raw, 400)),
            None => {
                if let Some(e) = &r.payload_error {
                    t.say(paint(
                        WARN,
                        format!("The payload cannot be opened: {}.", Untrusted(e)),
                    ));
                }
                return;
            }
        }
        if let Some(p) = human_payload(r) {
            t.value("decoded:", &self.cut(&p, 400));
        } else if let Some(e) = &r.payload_error {
            t.say(paint(
                WARN,
                format!("The payload does not decode: {}.", Untrusted(e)),
            ));
        }
        if let Some(Payload::Json(j)) = &r.payload {
            let v = j.value();
            if let Some(p) = v.get("_permanent") {
                t.say(format!("\"_permanent\" {}.", permanent_help(p)));
            }
            for (key, help) in KNOWN_SESSION_KEYS {
                if v.get(key).is_some() {
                    t.say(format!("\"{key}\" {help}."));
                }
            }
            let tags = tags_used(v);
            if !tags.is_empty() {
                t.say("Flask marks Python types that JSON lacks with a tag key:");
                for (name, help) in TAG_HELP {
                    if tags.contains(&name) {
                        t.say(format!("  {help}"));
                    }
                }
            }
        }
    }

    fn timestamp(&self, t: &mut Text, parts: &Parts) {
        t.step(3, "Read the timestamp");
        t.say("The timestamp is when the token was signed: a big-endian integer, base64url-encoded. It is covered by the signature, so it cannot be changed either.");
        match parts.timestamp {
            Some(ts) => {
                t.value("signed at:", &output::time_with_date(ts));
                let age = i128::from(self.now) - i128::from(ts);
                let text = if age >= 0 {
                    output::duration(age as u64)
                } else {
                    format!(
                        "{} in the future",
                        output::duration(age.unsigned_abs() as u64)
                    )
                };
                t.value("age:", &text);
            }
            None => t.say(paint(WARN, "The timestamp is missing or unreadable.")),
        }
    }

    fn with_keys(&self, t: &mut Text, r: &Inspection, parts: &Parts, first_step: usize) {
        let format = self.verifier.format();
        let s = &format.settings;
        let d = digest_upper(s.digest);
        let mut n = first_step;
        t.step(n, "Derive the signing key from the secret key");
        t.say("The secret key is never used directly. A key just for this purpose is derived from it first:");
        t.say(format!("  derived key = {}", derivation_formula(format)));
        if s.key_derivation != KeyDerivation::None {
            t.say(format!(
                "The salt \"{}\" keeps signatures made for this purpose from being valid anywhere else the same secret key signs.",
                Untrusted(&String::from_utf8_lossy(&s.salt))
            ));
        }
        t.say(format!(
            "Keys tried (from {}), current first, then fallbacks in order (fingerprints only: a derived key signs as well as the secret itself):",
            self.keys_source.as_deref().unwrap_or("the options")
        ));
        for k in &r.keys {
            t.say(format!(
                "  {} ({} bytes, fingerprint {})",
                key_name(k.index),
                k.key_len,
                k.fingerprint
            ));
            t.value(
                "    derived key:",
                &format!("fingerprint {}", k.derived_key_fingerprint),
            );
        }

        n += 1;
        t.step(n, "Recompute the signature");
        t.say(format!(
            "The signature covers everything before the last \"{}\":",
            char::from(s.separator)
        ));
        t.say(format!(
            "  signature = HMAC-{d}(key = derived key, message = \"{}\")",
            Untrusted(&output::ellipsize(&parts.signed_part(s.separator), 80))
        ));
        t.say(paint(
            WARN,
            "An expected signature is a valid signature for exactly this payload and time: do not \
             paste this output anywhere public.",
        ));
        for k in &r.keys {
            let label = if k.index == 0 {
                "expected (current):".to_owned()
            } else {
                format!("expected (fallback {}):", k.index)
            };
            t.value(
                &label,
                &format!("{}  hex {}", k.expected_signature, k.expected_signature_hex),
            );
        }
        t.value(
            "given in the token:",
            &format!(
                "{}  hex {}",
                parts.signature_text,
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
        match r.key_index {
            Some(i) => t.say(paint(GOOD, format!("They match with {}.", key_name(i)))),
            None => t.say(paint(
                BAD,
                "No key gives the given signature: the token was changed after signing, or it was signed with another secret key (or salt, digest, derivation).",
            )),
        }

        if format.kind.is_timed() {
            n += 1;
            t.step(n, "Check the age");
            match (r.age, self.verifier.max_age()) {
                _ if r.key_index.is_none() => t.say(
                    "Skipped: the age is checked only once the signature holds, since the timestamp of an untrusted token means nothing.",
                ),
                (_, None) => {
                    t.say("No maximum age applies (--no-max-age, or the format has no default).")
                }
                (Some(AgeCheck { age, expired, .. }), Some(max)) => {
                    let origin = match format.kind {
                        FormatKind::Flask if max == FLASK_MAX_AGE => {
                            " (Flask's default PERMANENT_SESSION_LIFETIME; change it with --max-age)"
                        }
                        FormatKind::Starlette if max == STARLETTE_MAX_AGE => {
                            " (Starlette's default SessionMiddleware max_age; change it with --max-age)"
                        }
                        _ => "",
                    };
                    t.say(format!(
                        "Age {}; the maximum is {}{origin}.",
                        output::duration(age.unsigned_abs()),
                        output::duration(max)
                    ));
                    if age < 0 {
                        t.say(paint(BAD, "Signed in the future: refused."));
                    } else if expired {
                        t.say(paint(
                            WARN,
                            "Too old: refused even though the signature is genuine.",
                        ));
                    } else {
                        t.say(paint(GOOD, "Within the maximum age."));
                    }
                }
                (None, Some(_)) => t.say("No readable timestamp, so no age."),
            }
        }
    }

    fn human(&self, number: usize, r: &Inspection, extracted: Option<&str>) -> Vec<String> {
        let format = self.verifier.format();
        let prefix = number_prefix(self.numbered, number);
        let mut t = Text(Vec::new());
        if !prefix.is_empty() {
            t.0.push(paint(HEAD, prefix.trim_end()));
        }
        if let Some(how) = extracted {
            t.0.push(extracted_note(how));
        }
        t.0.push(paint(HEAD, "What this is"));
        t.0.push(format!("   {}", format_description(format)));
        if format.kind == FormatKind::Flask {
            t.say("Flask stores the whole session (the dict `session`) in this cookie, signed with SECRET_KEY so");
            t.say("the browser can read it but cannot change it. Below is every step Flask takes to trust it.");
        } else if format.kind == FormatKind::Starlette {
            t.say("Starlette's SessionMiddleware stores the whole session (request.session) in this cookie, signed");
            t.say("with secret_key so the browser can read it but cannot change it. Below is every step it takes to trust it.");
        }
        let Some(parts) = &r.parts else {
            t.say(paint(
                BAD,
                format!("This cannot be split into parts: {}", Untrusted(&r.message)),
            ));
            t.0.push(String::new());
            t.0.push(format!("{} {}", paint(HEAD, "Verdict:"), verdict_line(r)));
            return t.0;
        };
        self.parts(&mut t, parts);
        self.payload(&mut t, r, parts);
        let mut step = 3;
        if format.kind.is_timed() {
            self.timestamp(&mut t, parts);
            step = 4;
        }
        if self.verifier.has_keys() {
            self.with_keys(&mut t, r, parts, step);
        } else {
            t.step(step, "What a key would add");
            t.say("Without the secret key nothing above is proven: anyone can write a token that reads like this.");
            t.say(format!(
                "With the key, waxseal derives the signing key ({}), recomputes the signature, compares it in constant time, checks the age, and tells you whether the token is genuine.",
                derivation_formula(format)
            ));
            t.say("Give it with --secret, --secret-hex, --secret-file or --keyring, or set FLASK_SECRET_KEY.");
        }
        t.0.push(String::new());
        t.0.push(format!("{} {}", paint(HEAD, "Verdict:"), verdict_line(r)));
        if !r.verdict.is_valid() && r.verdict != Verdict::NotVerified {
            t.0.push(paint(DIM, format!("   ({})", Untrusted(&r.message))));
        }
        t.0
    }
}

fn verdict_line(r: &Inspection) -> String {
    match r.verdict {
        Verdict::Valid => paint(GOOD, "VALID: genuine, signed with the current key."),
        Verdict::ValidFallback => paint(
            GOOD,
            format!(
                "VALID, signed by fallback key {}: still accepted during rotation; the next time the \
                 application saves it, it is signed with the current key.",
                r.key_index.unwrap_or(0)
            ),
        ),
        Verdict::BadSignature => paint(BAD, "INVALID: tampered, or signed with a different key."),
        Verdict::Expired => paint(
            WARN,
            "EXPIRED: genuine signature, but older than the maximum age (or dated in the future).",
        ),
        Verdict::BadPayload => paint(
            BAD,
            "INVALID: the signature is genuine but the payload cannot be decoded.",
        ),
        Verdict::Malformed => paint(
            BAD,
            format!("INVALID: malformed token ({}).", Untrusted(&r.message)),
        ),
        Verdict::NotVerified => paint(WARN, "NOT VERIFIED (no key given)."),
    }
}

/// A key in `--json` output.
#[derive(Serialize)]
struct KeyJson<'a> {
    index: usize,
    fingerprint: &'a str,
    key_len: usize,
    derived_key_fingerprint: &'a str,
    expected_signature: &'a str,
    expected_signature_hex: &'a str,
}

impl<'a> From<&'a KeyTrial> for KeyJson<'a> {
    fn from(k: &'a KeyTrial) -> Self {
        KeyJson {
            index: k.index,
            fingerprint: &k.fingerprint,
            key_len: k.key_len,
            derived_key_fingerprint: &k.derived_key_fingerprint,
            expected_signature: &k.expected_signature,
            expected_signature_hex: &k.expected_signature_hex,
        }
    }
}

/// The `--json` object: the same fields for every answer.
#[derive(Serialize)]
struct ExplainJson<'a> {
    /// null when no key was given.
    valid: Option<bool>,
    verdict: &'static str,
    error: Option<&'static str>,
    message: &'a str,
    explanation: &'static str,
    format: &'static str,
    derivation: String,
    payload_part: Option<&'a str>,
    compressed: bool,
    timestamp: Option<u64>,
    age: Option<i64>,
    max_age: Option<u64>,
    expired: Option<bool>,
    payload_raw: Option<&'a str>,
    payload: Option<JsonPayloadField<'a>>,
    payload_error: Option<&'a str>,
    given_signature: Option<&'a str>,
    given_signature_hex: Option<String>,
    keys: Vec<KeyJson<'a>>,
    key_index: Option<usize>,
    extracted: Option<&'static str>,
}

impl Answer for Explain {
    fn answer(&self, number: usize, input: Input<'_>, out: &mut Vec<u8>) -> bool {
        let format = self.verifier.format();
        let (r, extracted) = match prepare(input, format.kind) {
            Ok(p) => {
                let mut r = self.verifier.inspect_at(p.token, Detail::Explain, self.now);
                if self.verifier.has_keys() {
                    let text = crate::render::input_text(input);
                    crate::render::add_format_hint(&mut r, text, p.token, format);
                }
                (r, p.extracted)
            }
            Err(r) => (*r, None),
        };
        if self.json {
            let parts = r.parts.as_ref();
            output::write_json(
                out,
                &ExplainJson {
                    valid: self.verifier.has_keys().then_some(r.verdict.is_valid()),
                    verdict: r.verdict.as_str(),
                    error: r.verdict.error(),
                    message: &r.message,
                    explanation: r.verdict.explanation(),
                    format: format.kind.name(),
                    derivation: derivation_formula(format),
                    payload_part: parts.map(|p| p.payload.as_str()),
                    compressed: parts.is_some_and(|p| p.compressed),
                    timestamp: parts.and_then(|p| p.timestamp),
                    age: r.age.map(|a| a.age),
                    max_age: self.verifier.max_age(),
                    expired: r.age.map(|a| a.expired),
                    payload_raw: r.payload_raw.as_deref(),
                    payload: json_payload(&r),
                    payload_error: r.payload_error.as_deref(),
                    given_signature: parts.map(|p| p.signature_text.as_str()),
                    given_signature_hex: parts.and_then(|p| p.signature.as_deref()).map(hex),
                    keys: r.keys.iter().map(KeyJson::from).collect(),
                    key_index: r.key_index,
                    extracted,
                },
            );
        } else {
            for l in self.human(number, &r, extracted) {
                out.extend_from_slice(l.as_bytes());
                out.push(b'\n');
            }
        }
        // Without a key, success means the token could be read.
        r.verdict.is_valid() || r.verdict == Verdict::NotVerified
    }

    fn separator(&self) -> &[u8] {
        self.separator.as_bytes()
    }
}

/// Runs `explain`.
pub fn run(args: ExplainArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let keys = args.keys.load()?;
    let (verifier, keys_source) = match &keys {
        Some(k) => (
            k.verifier(&format, args.age.max_age(format.kind))?,
            Some(k.source.clone()),
        ),
        None => (Verifier::decode_only(&format), None),
    };
    let answer = Explain {
        verifier,
        keys_source,
        now: args.age.now(),
        json,
        numbered: render::numbered(&args.tokens),
        full: args.full,
        separator: if json {
            String::new()
        } else {
            format!("{}\n", paint(DIM, "────────"))
        },
    };
    let all_ok = batch::run(&args.tokens, args.batch.threads(), !json, &answer)?;
    Ok(if all_ok {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
