//! `waxseal verify`: is a token genuine, and what does it hold?

use clap::Args;
use serde_json::json;
use waxseal::inspect::{FormatKind, TokenFormat};

use crate::options::{FormatArgs, KeyArgs, TokenStream};
use crate::output::{self, paint, CliError, BAD, GOOD, WARN};
use crate::payload;

/// Flask's default `PERMANENT_SESSION_LIFETIME`: 31 days, in seconds.
pub const FLASK_MAX_AGE: u64 = 31 * 24 * 3600;

/// Check tokens' signatures (and age, for timed formats) with the secret key.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal verify --secret 'my secret key' 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'\n  \
    cat cookies.txt | waxseal verify --json --keyring keys.json -\n  \
    waxseal verify --format url-safe-timed --max-age 3600 --secret-hex 8f1c... TOKEN\n\n\
    --json prints one object per token: valid, error (null | bad_signature | expired | malformed |\n\
    bad_payload), message, payload_raw, payload, timestamp, key_index, compressed.\n\n\
    Exit codes: 0 every token valid; 1 a token invalid; 2 usage error; 3 I/O error."
)]
pub struct VerifyArgs {
    /// Tokens to verify; `-` reads them from stdin, one per line (streamed, answers in order).
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub age: AgeArgs,
}

/// Age options for timed formats.
#[derive(Args, Debug, Clone, Default)]
pub struct AgeArgs {
    /// Maximum age in seconds for timed formats (default for flask: 2678400 = 31 days, Flask's
    /// PERMANENT_SESSION_LIFETIME; for the other timed formats: none).
    #[arg(long, value_name = "SECS", conflicts_with = "no_max_age")]
    pub max_age: Option<u64>,
    /// Do not check the age at all.
    #[arg(long)]
    pub no_max_age: bool,
    /// Verify as of this Unix time instead of the clock.
    #[arg(long, value_name = "UNIX")]
    pub now: Option<u64>,
}

impl AgeArgs {
    /// The maximum age to apply for `kind`.
    pub fn max_age(&self, kind: FormatKind) -> Option<u64> {
        if self.no_max_age || !kind.is_timed() {
            None
        } else {
            self.max_age
                .or((kind == FormatKind::Flask).then_some(FLASK_MAX_AGE))
        }
    }

    /// The time to verify at.
    pub fn now(&self) -> u64 {
        self.now.unwrap_or_else(waxseal::timed::unix_now)
    }
}

/// The outcome for one token, in the shape of the `--json` output.
pub struct Outcome {
    /// Valid?
    pub valid: bool,
    /// `ErrorKind::as_str`, or `None`.
    pub error: Option<&'static str>,
    /// A sentence.
    pub message: String,
    /// The exact signed payload text.
    pub payload_raw: Option<String>,
    /// The decoded payload.
    pub payload: Option<payload::Decoded>,
    /// Signing time.
    pub timestamp: Option<u64>,
    /// Which key verified it.
    pub key_index: Option<usize>,
    /// Compressed payload?
    pub compressed: bool,
}

/// "the current key" / "fallback key 2".
pub fn key_name(index: usize) -> String {
    if index == 0 {
        "the current key".to_owned()
    } else {
        format!("fallback key {index}")
    }
}

/// Verifies one token. A token whose signature holds but whose payload does not decode the way
/// the format's loader would (e.g. bad Flask tags) is reported as `bad_payload`.
pub fn verify_one(
    format: &TokenFormat,
    keys: &[&[u8]],
    token: &str,
    max_age: Option<u64>,
    now: u64,
) -> Result<Outcome, CliError> {
    let v = format.verify(keys, token, max_age, now).map_err(|e| {
        CliError::usage(format!("invalid format settings: {e}"))
            .hint("check --salt, --digest, --key-derivation and --sep")
    })?;
    let decoded = v
        .payload_raw
        .as_deref()
        .map(|raw| payload::decode(format.kind, raw));
    let (payload, decode_error) = match decoded {
        Some(Ok(d)) => (Some(d), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let mut out = Outcome {
        valid: false,
        error: None,
        message: String::new(),
        payload_raw: v.payload_raw,
        payload,
        timestamp: v.timestamp,
        key_index: None,
        compressed: v.compressed,
    };
    match (&v.result, decode_error) {
        (Ok(()), None) => {
            out.valid = true;
            out.key_index = v.key_index;
            let key = key_name(v.key_index.unwrap_or(0));
            out.message = match (v.timestamp, max_age) {
                (Some(ts), Some(max)) => format!(
                    "valid: signed with {key}, {} old (max age {})",
                    output::duration(now.saturating_sub(ts)),
                    output::duration(max)
                ),
                (Some(ts), None) => format!(
                    "valid: signed with {key}, {} old (age not checked)",
                    output::duration(now.saturating_sub(ts))
                ),
                _ => format!("valid: signed with {key}"),
            };
        }
        (Ok(()), Some(e)) => {
            out.error = Some(waxseal::ErrorKind::BadPayload.as_str());
            out.message = format!("signature is valid but the payload is bad: {e}");
        }
        (Err(e), _) => {
            out.error = Some(e.kind().as_str());
            out.message = e.to_string();
        }
    }
    Ok(out)
}

impl Outcome {
    /// The `--json` object: exactly `valid`, `error`, `message`, `payload_raw`, `payload`,
    /// `timestamp`, `key_index`, `compressed`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "valid": self.valid,
            "error": self.error,
            "message": self.message,
            "payload_raw": self.payload_raw,
            "payload": self.payload.as_ref().map(payload::Decoded::json),
            "timestamp": self.timestamp,
            "key_index": self.key_index,
            "compressed": self.compressed,
        })
    }

    /// One line for people.
    pub fn human(&self) -> String {
        let shown = self
            .payload
            .as_ref()
            .map(|p| output::untrusted(&output::ellipsize(&p.human(), 300)));
        if self.valid {
            format!(
                "{} {}\n  payload: {}",
                paint(GOOD, "VALID"),
                self.message.trim_start_matches("valid: "),
                shown.unwrap_or_default()
            )
        } else if self.error == Some("expired") {
            format!(
                "{} {}{}",
                paint(WARN, "EXPIRED"),
                self.message,
                shown
                    .map(|s| format!("\n  payload (genuine but too old): {s}"))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "{} ({}) {}",
                paint(BAD, "INVALID"),
                self.error.unwrap_or("error"),
                self.message
            )
        }
    }
}

/// Runs `verify`.
pub fn run(args: VerifyArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let keys = args.keys.require()?;
    let slices = keys.slices();
    let max_age = args.age.max_age(format.kind);
    let now = args.age.now();
    let mut all_valid = true;
    for token in TokenStream::new(args.tokens) {
        let token = token?;
        let outcome = verify_one(&format, &slices, &token, max_age, now)?;
        all_valid &= outcome.valid;
        if json {
            output::json_line(&outcome.to_json())?;
        } else {
            output::line(outcome.human())?;
        }
    }
    Ok(if all_valid {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
