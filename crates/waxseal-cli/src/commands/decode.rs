//! `waxseal decode`: a token's parts and payload, without any key. Nothing is verified. A
//! rendering of the core's [`Inspection`] from a key-less verifier.
//!
//! Without any format option the format is recognised from each token's structure
//! ([`detect_token`]): the most likely format is decoded and named, the others that fit are
//! listed. `verify` and `explain` keep Flask as their default instead: a key check under a guessed
//! format would turn "signed with other settings" into a quiet guess, while decoding proves
//! nothing either way and a wrong default only hides the payload.

use clap::Args;
use serde::Serialize;
use waxseal::inspect::{
    detect_token, likely_formats, Detail, FormatKind, Inspection, TokenFormat, Verdict, Verifier,
};

use crate::batch::{self, Answer, Input};
use crate::options::{BatchArgs, FormatArgs};
use crate::output::{self, hex, paint, CliError, Untrusted, BAD, DIM, HEAD, VALUE, WARN};
use crate::payload::{human_payload, json_payload, JsonPayloadField};
use crate::render::{
    self, extracted_note, format_name, number_prefix, prepare, prepare_with, COOKIE_NAME,
};

/// Show what a token holds, without a key (nothing is verified).
///
/// Shows the parts (payload, compression, timestamp, signature and the digest its length
/// implies) and the payload decoded, with Flask's tagged types named: tuple(...), bytes(b'...'),
/// datetime(...), uuid(...), markup(...). Without --format (or another format option) the format
/// is recognised from the token's structure and named, with the other formats it also fits.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal decode 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'\n  \
    waxseal decode --json - < cookies.txt\n\n\
    --json prints one object per token with the same fields whether it decoded or not: decoded,\n\
    verified (always false), verdict (not_verified | malformed), error (null | malformed),\n\
    message, format, format_detected, token, payload_part, compressed, timestamp, timestamp_utc,\n\
    signature, signature_hex, implied_digest, payload_raw, payload, payload_error,\n\
    likely_formats, extracted. Empty stdin gives no answer and exit 0.\n\n\
    Exit codes: 0 every token decoded; 1 a token could not be decoded; 2 usage error."
)]
pub struct DecodeArgs {
    /// Tokens to decode; `-` reads them from stdin, one per line.
    #[arg(required = true, value_name = "TOKEN")]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Print payloads in full (human output shortens long ones).
    #[arg(long)]
    pub full: bool,
}

/// The `--json` object: the same fields for every answer.
#[derive(Serialize)]
struct DecodeJson<'a> {
    decoded: bool,
    verified: bool,
    verdict: &'static str,
    error: Option<&'static str>,
    message: &'a str,
    format: &'static str,
    format_detected: bool,
    token: &'a str,
    payload_part: Option<&'a str>,
    compressed: bool,
    timestamp: Option<u64>,
    timestamp_utc: Option<String>,
    signature: Option<&'a str>,
    signature_hex: Option<String>,
    implied_digest: Option<&'static str>,
    payload_raw: Option<&'a str>,
    payload: Option<JsonPayloadField<'a>>,
    payload_error: Option<&'a str>,
    likely_formats: Vec<&'static str>,
    extracted: Option<&'static str>,
}

struct Decode {
    /// The format given, or `None` to recognise each token's.
    given: Option<Verifier>,
    /// A key-less verifier per format, for recognised tokens (in [`FormatKind::ALL`] order).
    detected: Vec<Verifier>,
    json: bool,
    numbered: bool,
    full: bool,
    /// Between two answers in human output.
    separator: String,
}

fn hints(r: &Inspection, token: &[u8], kind: FormatKind) -> Vec<FormatKind> {
    if r.verdict == Verdict::NotVerified {
        Vec::new()
    } else {
        likely_formats(token, kind)
    }
}

impl Decode {
    fn human(
        &self,
        number: usize,
        answer: &Answered<'_>,
        likely: &[FormatKind],
        extracted: Option<&str>,
    ) -> Vec<String> {
        let (r, kind) = (&answer.record, answer.kind);
        let mut lines = Vec::new();
        let prefix = number_prefix(self.numbered, number);
        if !prefix.is_empty() {
            lines.push(paint(HEAD, prefix.trim_end()));
        }
        if let Some(how) = extracted {
            lines.push(extracted_note(how));
        }
        let Some(parts) = &r.parts else {
            lines.push(format!(
                "{} {}",
                paint(BAD, "cannot decode:"),
                Untrusted(&r.message)
            ));
            hint_lines(&mut lines, likely);
            return lines;
        };
        let cut = |s: &str, n: usize| {
            if self.full {
                s.to_owned()
            } else {
                output::ellipsize(s, n)
            }
        };
        lines.push(format!(
            "{} {}{}",
            paint(HEAD, "Format:    "),
            kind.name(),
            if answer.detected {
                also_fits(" (recognised from the token's structure", likely) + ")"
            } else {
                String::new()
            }
        ));
        lines.push(format!(
            "{} {}{}",
            paint(HEAD, "Payload:   "),
            paint(VALUE, Untrusted(&cut(&parts.payload, 100))),
            if kind.is_url_safe() {
                if parts.compressed {
                    "  (base64url of zlib-compressed data: the leading '.' marks compression)"
                } else {
                    "  (base64url, not compressed)"
                }
            } else {
                ""
            }
        ));
        if kind.is_timed() {
            lines.push(format!(
                "{} {}",
                paint(HEAD, "Timestamp: "),
                match parts.timestamp {
                    Some(t) => output::time_with_date(t),
                    None => "missing or unreadable".to_owned(),
                }
            ));
        }
        lines.push(format!(
            "{} {}  ({})",
            paint(HEAD, "Signature: "),
            Untrusted(&parts.signature_text),
            match (&parts.signature, parts.implied_digest) {
                (Some(s), Some(d)) => format!(
                    "{} bytes = hex {}; that length implies HMAC-{}",
                    s.len(),
                    hex(s),
                    d.name().to_uppercase()
                ),
                (Some(s), None) => format!(
                    "{} bytes = hex {}; no supported digest has this length",
                    s.len(),
                    hex(s)
                ),
                _ => "not valid base64".to_owned(),
            }
        ));
        match &r.payload_raw {
            Some(raw) => lines.push(format!(
                "{} {}",
                paint(HEAD, "Raw payload:"),
                paint(VALUE, Untrusted(&cut(raw, 2000)))
            )),
            None => lines.push(format!(
                "{} cannot open: {}",
                paint(HEAD, "Raw payload:"),
                Untrusted(r.payload_error.as_deref().unwrap_or(&r.message))
            )),
        }
        match (human_payload(r), &r.payload_error) {
            (Some(p), _) => lines.push(format!(
                "{} {}",
                paint(HEAD, "Decoded:    "),
                Untrusted(&cut(&p, 2000))
            )),
            (None, Some(e)) if r.payload_raw.is_some() => {
                lines.push(format!("{} {}", paint(HEAD, "Decoded:    "), Untrusted(e)))
            }
            _ => {}
        }
        if r.verdict == Verdict::Malformed {
            lines.push(format!(
                "{} {}",
                paint(BAD, "cannot decode:"),
                Untrusted(&r.message)
            ));
            if !answer.detected {
                hint_lines(&mut lines, likely);
            }
        }
        lines.push(paint(
            WARN,
            "Not verified: no key was used. Anyone can write a token that decodes like this; \
             check it with `waxseal verify` or `waxseal explain` and the secret key.",
        ));
        lines
    }
}

fn hint_lines(lines: &mut Vec<String>, likely: &[FormatKind]) {
    if let Some(first) = likely.first() {
        lines.push(format!(
            "{} it decodes as {}: try --format {}",
            paint(WARN, "hint:"),
            format_name(*first),
            first.name()
        ));
    }
}

/// `prefix; it also decodes as a, b` (just `prefix` when nothing else fits).
fn also_fits(prefix: &str, others: &[FormatKind]) -> String {
    if others.is_empty() {
        return prefix.to_owned();
    }
    let names: Vec<&str> = others.iter().map(|k| k.name()).collect();
    format!("{prefix}; it also decodes as {}", names.join(", "))
}

/// One token's answer: the record, the format it was decoded as, and whether that was recognised.
struct Answered<'a> {
    record: Inspection,
    token: &'a [u8],
    extracted: Option<&'static str>,
    kind: FormatKind,
    detected: bool,
    /// With a given format: the formats to suggest; recognised: the other formats that fit.
    likely: Vec<FormatKind>,
}

impl Decode {
    fn decoder(&self, kind: FormatKind) -> &Verifier {
        let i = FormatKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        &self.detected[i]
    }

    fn decode<'a>(&self, input: Input<'a>) -> Answered<'a> {
        if let Some(verifier) = &self.given {
            let kind = verifier.format().kind;
            let (record, token, extracted) = match prepare(input, kind) {
                Ok(p) => (
                    verifier.inspect(p.token, Detail::Verify),
                    p.token,
                    p.extracted,
                ),
                Err(r) => (*r, &b""[..], None),
            };
            let likely = hints(&record, token, kind);
            return Answered {
                record,
                token,
                extracted,
                kind,
                detected: false,
                likely,
            };
        }
        let mut formats = Vec::new();
        let prepared = prepare_with(input, |text| {
            let d = detect_token(text, COOKIE_NAME);
            formats = d.formats;
            d.extracted
        });
        let kind = formats.first().copied().unwrap_or(FormatKind::Flask);
        let (mut record, token, extracted) = match prepared {
            Ok(p) => (
                self.decoder(kind).inspect(p.token, Detail::Verify),
                p.token,
                p.extracted,
            ),
            Err(r) => (*r, &b""[..], None),
        };
        let likely: Vec<FormatKind> = formats.iter().skip(1).copied().collect();
        if formats.is_empty() {
            // Read as flask (the default) for the reason; say that no other format fits either.
            if !token.is_empty() && record.verdict == Verdict::Malformed {
                record
                    .message
                    .push_str(" It decodes as none of the formats either.");
            }
        } else {
            record.message = format!(
                "{}. {}",
                also_fits(
                    &format!("Recognised as {} from its structure", format_name(kind)),
                    &likely
                ),
                record.message
            );
        }
        Answered {
            record,
            token,
            extracted,
            kind,
            detected: !formats.is_empty(),
            likely,
        }
    }
}

impl Answer for Decode {
    fn answer(&self, number: usize, input: Input<'_>, out: &mut Vec<u8>) -> bool {
        let a = self.decode(input);
        let (r, likely) = (&a.record, &a.likely);
        if self.json {
            let token_text = String::from_utf8_lossy(a.token);
            let parts = r.parts.as_ref();
            let message = match likely.first() {
                Some(k) if r.verdict == Verdict::Malformed && !a.detected => {
                    format!("{} It decodes as {}.", r.message, format_name(*k))
                }
                _ => r.message.clone(),
            };
            output::write_json(
                out,
                &DecodeJson {
                    decoded: r.verdict == Verdict::NotVerified,
                    verified: false,
                    verdict: r.verdict.as_str(),
                    error: r.verdict.error(),
                    message: &message,
                    format: a.kind.name(),
                    format_detected: a.detected,
                    token: &token_text,
                    payload_part: parts.map(|p| p.payload.as_str()),
                    compressed: parts.is_some_and(|p| p.compressed),
                    timestamp: parts.and_then(|p| p.timestamp),
                    timestamp_utc: parts.and_then(|p| p.timestamp).and_then(output::utc),
                    signature: parts.map(|p| p.signature_text.as_str()),
                    signature_hex: parts.and_then(|p| p.signature.as_deref()).map(hex),
                    implied_digest: parts.and_then(|p| p.implied_digest).map(|d| d.name()),
                    payload_raw: r.payload_raw.as_deref(),
                    payload: json_payload(r),
                    payload_error: r.payload_error.as_deref(),
                    likely_formats: likely.iter().map(|k| k.name()).collect(),
                    extracted: a.extracted,
                },
            );
        } else {
            for l in self.human(number, &a, likely, a.extracted) {
                out.extend_from_slice(l.as_bytes());
                out.push(b'\n');
            }
        }
        r.verdict == Verdict::NotVerified
    }

    fn separator(&self) -> &[u8] {
        self.separator.as_bytes()
    }
}

/// Runs `decode`.
pub fn run(args: DecodeArgs, json: bool) -> Result<u8, CliError> {
    let given = if args.format.given() {
        Some(Verifier::decode_only(&args.format.token_format()?))
    } else {
        None
    };
    let answer = Decode {
        given,
        detected: FormatKind::ALL
            .iter()
            .map(|&k| Verifier::decode_only(&TokenFormat::new(k)))
            .collect(),
        json,
        numbered: render::numbered(&args.tokens),
        full: args.full,
        separator: if json {
            String::new()
        } else {
            format!("{}\n", paint(DIM, "--"))
        },
    };
    let all_ok = batch::run(&args.tokens, args.batch.threads(), !json, &answer)?;
    Ok(if all_ok {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
