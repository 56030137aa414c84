//! `waxseal verify`: is a token genuine, and what does it hold? A rendering of the core's
//! [`Inspection`]; the verifier is built once for the whole batch, and each thread fills one
//! reused record.

use std::cell::RefCell;

use clap::Args;
use serde::Serialize;
use waxseal::inspect::{Detail, Inspection, Verdict, Verifier};

use crate::batch::{self, Answer, Input};
use crate::options::{AgeArgs, BatchArgs, FormatArgs, KeyArgs};
use crate::output::{self, paint, CliError, Untrusted, BAD, GOOD, WARN};
use crate::payload::{human_payload, json_payload, JsonPayloadField};
use crate::render::{self, extracted_note, number_prefix, prepare};

/// Check tokens' signatures (and age, for timed formats) with the secret key.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal verify --secret 'my secret key' 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'\n  \
    cat cookies.txt | waxseal verify --json --keyring keys.json -\n  \
    waxseal verify --format url-safe-timed --max-age 3600 --secret-hex 8f1c... TOKEN\n\n\
    --json prints one object per token: valid, verdict, error (null | bad_signature | expired |\n\
    malformed | bad_payload), message, payload_raw, payload, timestamp, key_index, compressed,\n\
    extracted. With `-`, every stdin line gets exactly one answer, in order; empty stdin gives\n\
    none and exit 0.\n\n\
    Exit codes: 0 every token valid; 1 a token invalid; 2 usage error; 3 I/O error."
)]
pub struct VerifyArgs {
    /// Tokens to verify; `-` reads them from stdin, one per line (streamed, answers in order).
    /// A pasted `session=...` or `Cookie:` header value is recognised.
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
    /// Print payloads in full (human output shortens long ones).
    #[arg(long)]
    pub full: bool,
}

/// The `--json` object, exactly these fields in this order.
#[derive(Serialize)]
pub struct VerifyJson<'a> {
    valid: bool,
    verdict: &'static str,
    error: Option<&'static str>,
    message: &'a str,
    payload_raw: Option<&'a str>,
    payload: Option<JsonPayloadField<'a>>,
    timestamp: Option<u64>,
    key_index: Option<usize>,
    compressed: bool,
    extracted: Option<&'static str>,
}

impl<'a> VerifyJson<'a> {
    /// The object for one record.
    pub fn new(r: &'a Inspection, extracted: Option<&'static str>) -> Self {
        // The payload of an invalid token is given only where its signature holds (expired,
        // bad payload): a forged one proves nothing.
        let genuine = r.key_index.is_some();
        VerifyJson {
            valid: r.verdict.is_valid(),
            verdict: r.verdict.as_str(),
            error: r.verdict.error(),
            message: &r.message,
            payload_raw: r.payload_raw.as_deref().filter(|_| genuine),
            payload: json_payload(r).filter(|_| genuine),
            timestamp: r.parts.as_ref().and_then(|p| p.timestamp),
            key_index: r.key_index,
            compressed: r.parts.as_ref().is_some_and(|p| p.compressed),
            extracted,
        }
    }
}

struct Verify {
    verifier: Verifier,
    now: u64,
    json: bool,
    numbered: bool,
    full: bool,
}

impl Verify {
    fn human(&self, number: usize, r: &Inspection, extracted: Option<&str>, out: &mut Vec<u8>) {
        use std::fmt::Write as _;
        let mut s = number_prefix(self.numbered, number);
        let shown = human_payload(r).map(|p| {
            if self.full {
                p
            } else {
                output::ellipsize(&p, 300)
            }
        });
        let message = Untrusted(&r.message);
        // "VALID signed with..." reads as one sentence.
        let message = lower_first(&message.to_string());
        let _ = match r.verdict {
            Verdict::Valid | Verdict::ValidFallback => write!(
                s,
                "{} {message}\n  payload: {}",
                paint(GOOD, "VALID"),
                Untrusted(shown.as_deref().unwrap_or(""))
            ),
            Verdict::Expired => write!(
                s,
                "{} {message}{}",
                paint(WARN, "EXPIRED"),
                shown
                    .map(|p| format!("\n  payload (genuine but too old): {}", Untrusted(&p)))
                    .unwrap_or_default()
            ),
            v => write!(s, "{} ({}) {message}", paint(BAD, "INVALID"), v.as_str()),
        };
        if let Some(how) = extracted {
            let _ = write!(s, "\n  {}", extracted_note(how));
        }
        out.extend_from_slice(s.as_bytes());
        out.push(b'\n');
    }
}

thread_local! {
    /// One record per thread, reused for every token of a batch: its buffers are kept.
    static RECORD: RefCell<Inspection> = RefCell::new(Inspection::malformed(""));
}

impl Verify {
    /// Writes the answer for one record to `out`; returns whether the token is valid.
    fn write_answer(
        &self,
        number: usize,
        r: &Inspection,
        extracted: Option<&'static str>,
        out: &mut Vec<u8>,
    ) -> bool {
        if self.json {
            output::write_json(out, &VerifyJson::new(r, extracted));
        } else {
            self.human(number, r, extracted, out);
        }
        r.verdict.is_valid()
    }
}

impl Answer for Verify {
    fn answer(&self, number: usize, input: Input<'_>, out: &mut Vec<u8>) -> bool {
        match prepare(input, self.verifier.format().kind) {
            Ok(p) => RECORD.with_borrow_mut(|r| {
                self.verifier
                    .inspect_into_at(p.token, Detail::Verify, r, self.now);
                let text = render::input_text(input);
                render::add_format_hint(r, text, p.token, self.verifier.format());
                self.write_answer(number, r, p.extracted, out)
            }),
            Err(r) => self.write_answer(number, &r, None, out),
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Runs `verify`.
pub fn run(args: VerifyArgs, json: bool) -> Result<u8, CliError> {
    let format = args.format.token_format()?;
    let keys = args.keys.require()?;
    let verifier = keys.verifier(&format, args.age.max_age(format.kind))?;
    let answer = Verify {
        verifier,
        now: args.age.now(),
        json,
        numbered: render::numbered(&args.tokens),
        full: args.full,
    };
    let all_valid = batch::run(&args.tokens, args.batch.threads(), !json, &answer)?;
    Ok(if all_valid {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}
