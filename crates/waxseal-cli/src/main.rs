//! `waxseal`: decode, verify, sign, explain and crack Flask session cookies and itsdangerous
//! tokens, and manage secret keys.
//!
//! This file only wires: clap parses the flags, each command lives in its own module under
//! `commands/`, shared output helpers in `output`, shared options in `options`.
#![forbid(unsafe_code)]

mod batch;
mod commands;
mod json;
mod options;
mod output;
mod payload;
mod render;

use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::output::CliError;

const EXAMPLES: &str = "\
Examples:
  # See it work: a demo app and the cookie inspector on http://127.0.0.1:5000/
  waxseal serve

  # What is in this Flask session cookie? (no key needed, nothing verified)
  waxseal decode 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'

  # Is it genuine? Walk through every step Flask takes:
  waxseal explain --secret 'my secret key' 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'

  # Verify a batch, one cookie per line, as JSON lines:
  cat cookies.txt | waxseal verify --json --secret-file key.bin -

  # Edit and re-sign (what `decode` shows as the raw payload):
  waxseal sign --secret-hex 8f1c... '{\"user\":\"admin\"}'

  # Keys: a new one, a keyring with rotation, a strength check:
  waxseal key new --print
  waxseal key new --keyring keys.json && waxseal key rotate --keyring keys.json
  waxseal key check --secret 'dev'

  # Audit a cookie for a weak key (built-in list of known keys, or a wordlist):
  waxseal crack --wordlist rockyou.txt 'eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.0h3E...'

Keys: without --secret/--secret-hex/--secret-file/--keyring, FLASK_SECRET_KEY and
FLASK_SECRET_KEY_FALLBACKS are read from the environment.

Exit codes: 0 success (valid, found, strong); 1 negative answer (invalid token, key not
found, weak key); 2 usage or input error; 3 file or stream I/O error.";

/// Flask's SECRET_KEY machinery, demystified: decode, verify, sign, explain and crack
/// Flask session cookies and itsdangerous tokens; create, rotate and check secret keys.
#[derive(Parser, Debug)]
#[command(name = "waxseal", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Machine-readable output: one JSON object per line on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// When to use colours (auto: only on a terminal, and never with NO_COLOR set).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

/// `--color` choices.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    Decode(commands::decode::DecodeArgs),
    Verify(commands::verify::VerifyArgs),
    Sign(commands::sign::SignArgs),
    Explain(commands::explain::ExplainArgs),
    Key(commands::key::KeyCommand),
    Crack(commands::crack::CrackArgs),
    Serve(commands::serve::ServeArgs),
}

/// Records the interleaved order of `--fallback` and `--fallback-hex` (clap keeps each flag's
/// values separately; the indices tell which came first).
fn fallback_order(matches: &ArgMatches) -> Vec<bool> {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let indices = |id: &str| -> Vec<usize> {
        leaf.try_get_raw(id)
            .ok()
            .flatten()
            .and_then(|_| leaf.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let mut all: Vec<(usize, bool)> = indices("fallback")
        .into_iter()
        .map(|i| (i, false))
        .chain(indices("fallback_hex").into_iter().map(|i| (i, true)))
        .collect();
    all.sort_unstable();
    all.into_iter().map(|(_, hex)| hex).collect()
}

fn run(cli: Cli) -> Result<u8, CliError> {
    let json = cli.json;
    match cli.command {
        Command::Decode(a) => commands::decode::run(a, json),
        Command::Verify(a) => commands::verify::run(a, json),
        Command::Sign(a) => commands::sign::run(a, json),
        Command::Explain(a) => commands::explain::run(a, json),
        Command::Key(a) => commands::key::run(a, json),
        Command::Crack(a) => commands::crack::run(a, json),
        Command::Serve(a) => commands::serve::run(a),
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let order = fallback_order(&matches);
    if let Some(keys) = cli.command.key_args_mut() {
        keys.fallback_order = order;
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            e.report();
            ExitCode::from(e.code)
        }
    }
}

impl Command {
    fn key_args_mut(&mut self) -> Option<&mut options::KeyArgs> {
        match self {
            Command::Verify(a) => Some(&mut a.keys),
            Command::Sign(a) => Some(&mut a.keys),
            Command::Explain(a) => Some(&mut a.keys),
            Command::Serve(a) => Some(&mut a.keys),
            Command::Key(k) => k.key_args_mut(),
            Command::Decode(_) | Command::Crack(_) => None,
        }
    }
}
