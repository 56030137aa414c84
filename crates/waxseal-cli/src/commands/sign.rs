//! `waxseal sign`: make a token from a payload, byte for byte as Flask / itsdangerous would.

use std::io::Read;

use clap::Args;
use serde_json::json;
use waxseal::inspect::FormatKind;
use waxseal::pyjson::{self, JsonStyle};
use waxseal::secret::StrengthReport;

use crate::options::{FormatArgs, KeyArgs};
use crate::output::{self, CliError};

/// Sign a payload and print the token.
///
/// For the serializer formats PAYLOAD is JSON text. For flask it is the JSON Flask stores, tags
/// included (what `decode` shows as the raw payload, e.g. {"cart":{" t":[1,2]}}); it is
/// rewritten in Flask's dialect (sorted keys, compact, ASCII), so signing the JSON Flask produced
/// gives Flask's cookie byte for byte. For starlette it is the session as JSON, rewritten as
/// Python's json.dumps writes it with its defaults (", " and ": ", ASCII, key order kept), so the
/// cookie is Starlette's byte for byte. For signer and timestamp-signer PAYLOAD is a plain string.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal sign --secret-hex 8f1c... '{\"user\":\"admin\"}'\n  \
    waxseal decode --json COOKIE | jq -r .payload_raw | sed 's/alice/bob/' | waxseal sign --secret-file key.bin -\n  \
    waxseal sign --format timestamp-signer --secret-file key.bin --timestamp 1700000000 'user-42'\n  \
    waxseal sign --format starlette --secret-file key.bin '{\"user\": \"admin\"}'\n\n\
    A payload read from stdin loses one trailing newline.\n\
    Exit codes: 0 signed; 2 usage error (bad JSON, weak key, no key); 3 I/O error."
)]
pub struct SignArgs {
    /// The payload; `-` reads it from stdin.
    #[arg(value_name = "PAYLOAD")]
    pub payload: String,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Signing time (Unix seconds) for timed formats; default now.
    #[arg(long, value_name = "UNIX")]
    pub timestamp: Option<u64>,
    /// Sign even with a weak key (short, publicly known, repetitive). Only for tests: anyone who
    /// guesses the key can forge tokens.
    #[arg(long)]
    pub allow_weak_key: bool,
    /// Sign with --digest md5. MD5 is broken; this is for auditors who must forge tokens for an
    /// application still on MD5, never for new tokens.
    #[arg(long)]
    pub allow_legacy_md5: bool,
    /// Print a Flask cookie even when it is over Flask's MAX_COOKIE_SIZE (4093 bytes for the
    /// whole Set-Cookie value): Flask itself refuses to send one, as browsers drop it.
    #[arg(long)]
    pub allow_oversize: bool,
}

/// Warnings about a Flask payload: Flask cannot use a non-object as a session, and tagged-JSON
/// normalisation may change what a malformed tag means (Flask reads `{" d": "not a date"}` as
/// None, and would save it back so).
fn flask_payload_warnings(given: &str, normalised: &str) -> Vec<String> {
    use waxseal::flask::{json as fjson, Value};
    let mut out = Vec::new();
    if let Ok(v) = fjson::loads(normalised) {
        if !matches!(v, Value::Dict(_)) {
            out.push(
                "the payload is not a JSON object: Flask's session is a dict, so an application \
                 cannot use this cookie as its session"
                    .to_owned(),
            );
        }
    }
    // Same document read as plain JSON before and after: only tag normalisation can differ.
    if let (Ok(before), Ok(after)) = (fjson::parse(given), fjson::parse(normalised)) {
        if before != after {
            out.push(format!(
                "Flask's tagged JSON changed the payload: it reads it as {normalised} (a malformed \
                 tag such as {{\" d\": ...}} becomes null), and that is what was signed"
            ));
        }
    }
    out
}

/// Rewrites `text` in the format's JSON dialect.
fn normalise_json(kind: FormatKind, text: &str) -> Result<String, CliError> {
    let bad =
        |e: String| {
            CliError::usage(format!("the payload is not valid JSON for {}: {e}", kind.name())).hint(
            "give JSON text, e.g. '{\"user\":\"admin\"}'; for flask, tagged values stay as Flask \
             writes them ({\" t\":[...]} for a tuple)",
        )
        };
    match kind {
        FormatKind::Flask => waxseal::flask::json::loads(text)
            .and_then(|v| waxseal::flask::json::dumps(&v))
            .map_err(|e| bad(e.to_string())),
        _ => {
            let v: serde_json::Value =
                serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
            let style = if matches!(
                kind,
                FormatKind::Serializer | FormatKind::TimedSerializer | FormatKind::Starlette
            ) {
                JsonStyle::PYTHON_DEFAULT
            } else {
                JsonStyle::COMPACT
            };
            pyjson::to_string(&v, style).map_err(|e| bad(e.to_string()))
        }
    }
}

/// Runs `sign`.
pub fn run(args: SignArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let keys = args.keys.require()?;
    let current = keys.keys.first().ok_or_else(crate::options::no_key_error)?;
    let report = StrengthReport::assess(current.as_bytes(), std::iter::empty());
    if !report.is_acceptable() && !args.allow_weak_key {
        let reasons: Vec<String> = report.reasons.iter().map(ToString::to_string).collect();
        return Err(CliError::usage(format!(
            "refusing to sign with a weak key: {}",
            reasons.join("; ")
        ))
        .hint("generate a strong key with `waxseal key new --print`, or pass --allow-weak-key for tests"));
    }
    let mut payload = if args.payload == "-" {
        // A payload becomes a cookie or a URL token: 16 MiB is far beyond any real one, and
        // bounds what a runaway pipe can make us allocate.
        const MAX_PAYLOAD: u64 = 16 << 20;
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_PAYLOAD + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::io(format!("cannot read stdin: {e}")))?;
        if buf.len() as u64 > MAX_PAYLOAD {
            return Err(CliError::usage(format!(
                "the payload on stdin is larger than {MAX_PAYLOAD} bytes"
            )));
        }
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        buf
    } else {
        args.payload.into_bytes()
    };
    if format.kind.is_json() {
        let text = std::str::from_utf8(&payload)
            .map_err(|_| CliError::usage("the payload is not UTF-8 text"))?;
        let normalised = normalise_json(format.kind, text)?;
        if format.kind == FormatKind::Flask {
            for w in flask_payload_warnings(text, &normalised) {
                output::warn(output::Untrusted(&w));
            }
        }
        if format.kind == FormatKind::Starlette && !normalised.starts_with('{') {
            output::warn(
                "the payload is not a JSON object: Starlette's session is a dict, so an \
                 application cannot use this cookie as its session",
            );
        }
        payload = normalised.into_bytes();
    }
    let timestamp = args.timestamp.unwrap_or_else(waxseal::timed::unix_now);
    let keys = [current.as_bytes()];
    let signed = if args.allow_legacy_md5 {
        format.sign_allowing_legacy_md5_at(&keys, &payload, timestamp)
    } else {
        format.sign_at(&keys, &payload, timestamp)
    };
    let token = signed.map_err(|e| {
        let err = CliError::usage(format!("cannot sign: {e}"));
        if format.settings.digest == waxseal::Digest::Md5 {
            err.hint("to forge a token for an application still on MD5, add --allow-legacy-md5")
        } else {
            err
        }
    })?;
    if format.kind == FormatKind::Flask {
        use waxseal::flask::cookie::{set_cookie_header, CookieSettings};
        if let Err(e) = set_cookie_header(&CookieSettings::default(), &token, None) {
            if args.allow_oversize {
                output::warn(format!("{e}; printed anyway (--allow-oversize)"));
            } else {
                return Err(CliError::usage(e.to_string()).hint(
                    "Flask refuses to send it and browsers drop it: make the session smaller, \
                     or pass --allow-oversize to print it anyway",
                ));
            }
        }
    }
    if json {
        output::json_line(&json!({
            "token": token,
            "payload_raw": String::from_utf8_lossy(&payload),
            "timestamp": format.kind.is_timed().then_some(timestamp),
        }))?;
    } else {
        output::line(token)?;
    }
    Ok(output::EXIT_OK)
}
