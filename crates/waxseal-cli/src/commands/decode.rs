//! `waxseal decode`: a token's parts and payload, without any key. Nothing is verified.

use clap::Args;
use serde_json::json;
use waxseal::inspect::{split, TokenFormat};

use crate::options::{FormatArgs, TokenStream};
use crate::output::{self, hex, paint, CliError, DIM, HEAD, VALUE, WARN};
use crate::payload;

/// Show what a token holds, without a key (nothing is verified).
///
/// Shows the parts (payload, compression, timestamp, signature and the digest its length
/// implies) and the payload decoded, with Flask's tagged types named: tuple(...), bytes(b'...'),
/// datetime(...), uuid(...), markup(...).
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal decode 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'\n  \
    waxseal decode --json - < cookies.txt\n\n\
    Exit codes: 0 every token decoded; 1 a token could not be decoded; 2 usage error."
)]
pub struct DecodeArgs {
    /// Tokens to decode; `-` reads them from stdin, one per line.
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Everything decode learns about one token.
struct Decoded {
    json: serde_json::Value,
    human: Vec<String>,
    ok: bool,
}

fn decode_one(format: &TokenFormat, token: &str) -> Decoded {
    let kind = format.kind;
    let parts = match split(kind, format.settings.separator, token.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            return Decoded {
                json: json!({"token": token, "decoded": false, "error": e.kind().as_str(),
                    "message": e.to_string(), "verified": false}),
                human: vec![format!(
                    "{} {e}",
                    paint(crate::output::BAD, "cannot decode:")
                )],
                ok: false,
            }
        }
    };
    let payload_text = String::from_utf8_lossy(parts.payload).into_owned();
    let raw = parts.open(kind, format.max_decompressed);
    let decoded = raw
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|r| payload::decode(kind, r));
    let sig_hex = parts.signature.as_deref().map(hex);
    let implied = parts.implied_digest.map(|d| d.name());
    let mut human = vec![
        format!("{} {}", paint(HEAD, "Format:    "), kind.name()),
        format!(
            "{} {}{}",
            paint(HEAD, "Payload:   "),
            paint(
                VALUE,
                output::untrusted(&output::ellipsize(&payload_text, 100))
            ),
            if kind.is_url_safe() {
                if parts.compressed {
                    "  (base64url of zlib-compressed data: the leading '.' marks compression)"
                } else {
                    "  (base64url, not compressed)"
                }
            } else {
                ""
            }
        ),
    ];
    if kind.is_timed() {
        human.push(format!(
            "{} {}",
            paint(HEAD, "Timestamp: "),
            match parts.timestamp {
                Some(t) => output::time_with_date(t),
                None => "unreadable".to_owned(),
            }
        ));
    }
    human.push(format!(
        "{} {}  ({})",
        paint(HEAD, "Signature: "),
        output::untrusted(&String::from_utf8_lossy(parts.signature_text)),
        match (&sig_hex, &parts.signature, implied) {
            (Some(h), Some(s), Some(d)) => format!(
                "{} bytes = hex {h}; that length implies HMAC-{}",
                s.len(),
                d.to_uppercase()
            ),
            (Some(h), Some(s), None) => {
                format!(
                    "{} bytes = hex {h}; no supported digest has this length",
                    s.len()
                )
            }
            _ => "not valid base64".to_owned(),
        }
    ));
    match &raw {
        Ok(r) => human.push(format!(
            "{} {}",
            paint(HEAD, "Raw payload:"),
            paint(VALUE, output::untrusted(r))
        )),
        Err(e) => human.push(format!("{} cannot open: {e}", paint(HEAD, "Raw payload:"))),
    }
    match &decoded {
        Ok(d) => human.push(format!(
            "{} {}",
            paint(HEAD, "Decoded:    "),
            output::untrusted(&d.human())
        )),
        Err(e) => human.push(format!("{} {e}", paint(HEAD, "Decoded:    "))),
    }
    human.push(paint(
        WARN,
        "Not verified: no key was used. Anyone can write a token that decodes like this; \
         check it with `waxseal verify` or `waxseal explain` and the secret key.",
    ));
    let json = json!({
        "token": token,
        "decoded": decoded.is_ok(),
        "format": kind.name(),
        "payload_part": payload_text,
        "compressed": parts.compressed,
        "timestamp": parts.timestamp,
        "timestamp_utc": parts.timestamp.and_then(output::utc),
        "signature": String::from_utf8_lossy(parts.signature_text),
        "signature_hex": sig_hex,
        "implied_digest": implied,
        "payload_raw": raw.as_ref().ok(),
        "payload": decoded.as_ref().ok().map(payload::Decoded::json),
        "error": decoded.as_ref().err(),
        "verified": false,
    });
    Decoded {
        json,
        human,
        ok: decoded.is_ok(),
    }
}

/// Runs `decode`.
pub fn run(args: DecodeArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let mut all_ok = true;
    let mut first = true;
    for token in TokenStream::new(args.tokens) {
        let token = token?;
        let d = decode_one(&format, &token);
        all_ok &= d.ok;
        if json {
            output::json_line(&d.json)?;
        } else {
            if !first {
                output::line(paint(DIM, "--"))?;
            }
            for l in d.human {
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
