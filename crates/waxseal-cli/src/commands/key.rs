//! `waxseal key`: create, rotate, show and check secret keys.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use waxseal::encoding::base64_encode;
use waxseal::secret::{KeyPolicy, Keyring, SecretKey, StrengthReport};
use waxseal_crack::{CandidateChunk, CandidateSource, WordlistFormat, WordlistReader};

use crate::options::WordlistFormatName;
use crate::options::{keyring_warning, KeyArgs};
use crate::output::{self, hex, paint, python_bytes_literal, CliError, BAD, GOOD, HEAD, VALUE};

/// Create, rotate, show and check secret keys.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  waxseal key new --print\n  waxseal key new --keyring keys.json\n  \
    waxseal key rotate --keyring keys.json --keep 2\n  waxseal key show --keyring keys.json\n  \
    waxseal key check --secret 'dev'"
)]
pub struct KeyCommand {
    #[command(subcommand)]
    pub command: KeySub,
}

/// The `key` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeySub {
    /// Create a keyring file with a fresh key, or print a fresh key (--print).
    #[command(
        after_help = "Exit codes: 0 created; 2 file exists (use --force) or no destination; 3 I/O error."
    )]
    New(NewArgs),
    /// Make a new current key; the old one becomes the first fallback.
    #[command(after_help = "Exit codes: 0 rotated; 2 not a keyring; 3 I/O error.")]
    Rotate(RotateArgs),
    /// List a keyring's keys as fingerprints with creation times.
    #[command(after_help = "Exit codes: 0 shown; 2 not a keyring; 3 I/O error.")]
    Show(ShowArgs),
    /// Check keys' strength: length, the built-in list of known keys, an optional wordlist.
    #[command(after_help = "Examples:\n  waxseal key check --secret 'dev'\n  \
        waxseal key check --keyring keys.json --wordlist flask-unsign.txt\n\n\
        Exit codes: 0 every key strong; 1 a key is weak; 2 usage error; 3 I/O error.")]
    Check(CheckArgs),
}

/// `key new`.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The keyring file to create (written with owner-only permissions).
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "print",
        conflicts_with = "print"
    )]
    pub keyring: Option<PathBuf>,
    /// Overwrite an existing keyring file (its keys are lost: every token they signed dies).
    #[arg(long)]
    pub force: bool,
    /// Print a fresh key (Python bytes literal, hex, base64) instead of writing a keyring.
    #[arg(long)]
    pub print: bool,
}

/// `key rotate`.
#[derive(Args, Debug)]
pub struct RotateArgs {
    /// The keyring file.
    #[arg(long, value_name = "PATH")]
    pub keyring: PathBuf,
    /// How many old keys to keep as fallbacks (older ones are dropped).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub keep: usize,
}

/// `key show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The keyring file.
    #[arg(long, value_name = "PATH")]
    pub keyring: PathBuf,
    /// Also print the keys themselves (hex). Careful: anyone who sees them can forge tokens.
    #[arg(long)]
    pub reveal: bool,
    /// Print what to put in a Flask configuration for these keys: SECRET_KEY and
    /// SECRET_KEY_FALLBACKS (and the FLASK_SECRET_KEY environment form for text keys). Prints
    /// the keys: keep the output secret.
    #[arg(long, conflicts_with = "reveal")]
    pub flask: bool,
}

/// `key check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub keys: KeyArgs,
    /// A wordlist of weak keys to check against too (plain or flask-unsign's Python-literal lines).
    #[arg(long, value_name = "FILE")]
    pub wordlist: Option<PathBuf>,
    /// How the wordlist is written.
    #[arg(long, value_enum, default_value_t = WordlistFormatName::Auto)]
    pub wordlist_format: WordlistFormatName,
}

impl KeyCommand {
    /// The key options, when the subcommand has them.
    pub fn key_args_mut(&mut self) -> Option<&mut KeyArgs> {
        match &mut self.command {
            KeySub::Check(c) => Some(&mut c.keys),
            _ => None,
        }
    }
}

fn keyring_err(e: waxseal::secret::KeyringError) -> CliError {
    match e {
        waxseal::secret::KeyringError::Io { .. } | waxseal::secret::KeyringError::Write { .. } => {
            CliError::io(e.to_string())
        }
        e => CliError::usage(e.to_string()),
    }
}

fn load(path: &Path) -> Result<Keyring, CliError> {
    let (ring, warnings) = Keyring::load(path, KeyPolicy::AllowWeak).map_err(keyring_err)?;
    for w in warnings {
        if let Some(text) = keyring_warning(&w, path) {
            output::warn(text);
        }
    }
    Ok(ring)
}

/// Saves `ring` through the library's one key-file writer ([`Keyring::save`]: a symlink is
/// followed, the file's owner, group and mode are kept, errors never name a temporary file), then
/// warns when that mode lets others read or change the keys.
fn save_keyring(ring: &Keyring, path: &Path) -> Result<(), CliError> {
    ring.save(path).map_err(keyring_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o7777);
        if mode & 0o027 != 0 {
            let shown = match std::fs::canonicalize(path) {
                Ok(target) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) => {
                    format!("{} (-> {})", path.display(), target.display())
                }
                _ => path.display().to_string(),
            };
            output::warn(format!(
                "the keyring file {shown} has mode {mode:04o}: {} can read or change it, and \
                 whoever reads it can forge sessions; run `chmod 600` on it (or 640 to share it \
                 with one group)",
                if mode & 0o007 != 0 {
                    "every local user"
                } else {
                    "its group"
                }
            ));
        }
    }
    Ok(())
}

/// The advice printed by `key new --print`, with `{hex}` standing for the key's hex text.
fn where_to_put_it(hex: &str) -> String {
    format!(
        "Where to put it (pick one):
  in the Flask configuration:  SECRET_KEY = \"{hex}\"
  in the environment:          FLASK_SECRET_KEY={}
                               (read by app.config.from_prefixed_env(), which
                               decodes JSON: the quotes keep it a string)
The hex text is then the key itself, as strong as the 32 random bytes. For the raw bytes
instead, write SECRET_KEY = b'...' with the Python bytes literal. (In waxseal, a text key
goes in --secret, raw bytes in --secret-hex.)

Generate it once and keep it secret, outside version control. Do not generate a new one at
every start: each restart would log everyone out and break every signed link. To replace
it, rotate deliberately: the old key moves to SECRET_KEY_FALLBACKS until the cookies it
signed have expired (`waxseal key rotate` does this for a keyring).",
        shell_quote(&flask_env_text(hex))
    )
}

fn new(args: NewArgs, json: bool) -> Result<u8, CliError> {
    if args.print {
        let key = SecretKey::generate().map_err(|e| CliError::io(e.to_string()))?;
        let b = key.as_bytes();
        if json {
            output::json_line(&json!({
                "python": python_bytes_literal(b),
                "hex": hex(b),
                "base64": base64_encode(b),
                "fingerprint": key.fingerprint(),
            }))?;
        } else {
            output::line(paint(
                HEAD,
                format!(
                    "A new secret key: {} random bytes from the operating system.",
                    b.len()
                ),
            ))?;
            output::line(format!("  hex:          {}", paint(VALUE, hex(b))))?;
            output::line(format!(
                "  Python bytes: {}",
                paint(VALUE, python_bytes_literal(b))
            ))?;
            output::line(format!(
                "  base64:       {}",
                paint(VALUE, base64_encode(b))
            ))?;
            output::line("")?;
            output::line(where_to_put_it(&hex(b)))?;
        }
        return Ok(output::EXIT_OK);
    }
    let path = args.keyring.ok_or_else(|| {
        CliError::usage("say where to write the key").hint("use --keyring PATH, or --print")
    })?;
    if std::fs::symlink_metadata(&path).is_ok() && !args.force {
        return Err(
            CliError::usage(format!("{} already exists", path.display())).hint(
                "use `waxseal key rotate` to replace its key while still accepting the old one, \
             or --force to overwrite it (every token signed with its keys stops verifying)",
            ),
        );
    }
    let ring = Keyring::generate().map_err(keyring_err)?;
    save_keyring(&ring, &path)?;
    if json {
        output::json_line(&json!({"keyring": path.display().to_string(),
            "fingerprint": ring.current().fingerprint(), "created": ring.created(0)}))?;
    } else {
        output::line(format!(
            "Created {} with one key, fingerprint {}.",
            path.display(),
            paint(VALUE, ring.current().fingerprint())
        ))?;
        output::line("Use it with --keyring, e.g. `waxseal sign --keyring PATH '{...}'`; rotate it with `waxseal key rotate`.")?;
    }
    Ok(output::EXIT_OK)
}

fn rotate(args: RotateArgs, json: bool) -> Result<u8, CliError> {
    let mut ring = load(&args.keyring)?;
    let previous = ring.current().fingerprint();
    let r = ring.rotate(args.keep).map_err(keyring_err)?;
    save_keyring(&ring, &args.keyring)?;
    let previous_kept = !r.dropped.contains(&previous);
    if json {
        output::json_line(&json!({"new_current": r.new_current, "previous": previous,
            "previous_kept": previous_kept, "dropped": r.dropped,
            "fallbacks": ring.fallbacks().len()}))?;
    } else {
        output::line(format!("New current key: {}", paint(VALUE, &r.new_current)))?;
        if previous_kept {
            output::line(format!(
                "The previous key {previous} is now fallback 1 ({} fallback(s) kept): tokens it \
                 signed still verify.",
                ring.fallbacks().len()
            ))?;
        } else {
            output::line(format!(
                "The previous key {previous} was dropped (--keep 0): tokens it signed no longer \
                 verify."
            ))?;
        }
        for d in r.dropped.iter().filter(|d| **d != previous) {
            output::line(format!("Dropped {d}: tokens it signed no longer verify."))?;
        }
    }
    Ok(output::EXIT_OK)
}

/// A key as a Python expression Flask accepts: `bytes.fromhex("...")`.
fn python_key(key: &SecretKey) -> String {
    format!("bytes.fromhex(\"{}\")", hex(key.as_bytes()))
}

/// The key as text, when Flask's environment form can carry it exactly: printable UTF-8.
fn text_key(key: &SecretKey) -> Option<&str> {
    std::str::from_utf8(key.as_bytes())
        .ok()
        .filter(|t| !t.is_empty() && !t.chars().any(char::is_control))
}

/// The value of `FLASK_SECRET_KEY` that Flask reads back as exactly `key`: a JSON string.
/// `app.config.from_prefixed_env()` runs `json.loads` on every `FLASK_*` value and keeps the
/// result when it parses, so an unquoted `1234567890123456789` would become an int, `true` a
/// bool and `"x"` the string `x`; a JSON string always loads as itself.
fn flask_env_text(key: &str) -> String {
    serde_json::Value::from(key).to_string()
}

/// `key show --flask`: the keyring as Flask configuration. Flask tries SECRET_KEY_FALLBACKS
/// from the end of the list, so the list is written oldest first (the keyring keeps them newest
/// first).
fn show_flask(ring: &Keyring, json: bool) -> Result<u8, CliError> {
    let oldest_first: Vec<&SecretKey> = ring.fallbacks().iter().rev().collect();
    let config = format!(
        "SECRET_KEY = {}\nSECRET_KEY_FALLBACKS = [{}]",
        python_key(ring.current()),
        oldest_first
            .iter()
            .map(|k| python_key(k))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let texts: Option<Vec<&str>> = ring.keys().map(text_key).collect();
    let env = texts.map(|t| {
        let fallbacks: Vec<&str> = t[1..].iter().rev().copied().collect();
        (
            flask_env_text(t[0]),
            serde_json::Value::from(fallbacks).to_string(),
        )
    });
    if json {
        output::json_line(&json!({
            "config": config,
            "env": env.as_ref().map(|(k, f)| json!({"FLASK_SECRET_KEY": k, "FLASK_SECRET_KEY_FALLBACKS": f})),
        }))?;
        return Ok(output::EXIT_OK);
    }
    output::line(paint(
        HEAD,
        "In the Flask configuration (config.py, or app.config.update(...)):",
    ))?;
    for l in config.lines() {
        output::line(format!("  {l}"))?;
    }
    match &env {
        Some((key, fallbacks)) => {
            output::line(paint(
                HEAD,
                "Or in the environment (read by app.config.from_prefixed_env()):",
            ))?;
            output::line(format!("  FLASK_SECRET_KEY={}", shell_quote(key)))?;
            output::line(format!(
                "  FLASK_SECRET_KEY_FALLBACKS={}",
                shell_quote(fallbacks)
            ))?;
        }
        None => output::line(
            "These keys are raw bytes, so there is no environment form: FLASK_SECRET_KEY holds \
             text, and the hex text would be a different key. Use the configuration form.",
        )?,
    }
    output::line(
        "Keep this secret: with these keys anyone can sign sessions. SECRET_KEY_FALLBACKS is \
         listed oldest first, as Flask expects (it tries the list from its end).",
    )?;
    Ok(output::EXIT_OK)
}

/// Single-quotes `s` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn show(args: ShowArgs, json: bool) -> Result<u8, CliError> {
    let ring = load(&args.keyring)?;
    if args.flask {
        return show_flask(&ring, json);
    }
    let mut rows = Vec::new();
    for (i, key) in ring.keys().enumerate() {
        let created = ring.created(i);
        let role = if i == 0 {
            "current".to_owned()
        } else {
            format!("fallback {i}")
        };
        if json {
            let mut o = json!({"index": i, "role": role, "fingerprint": key.fingerprint(),
                "length": key.len(), "created": created, "created_utc": created.and_then(output::utc)});
            if args.reveal {
                o["hex"] = json!(hex(key.as_bytes()));
            }
            rows.push(o);
        } else {
            let mut l = format!(
                "{role:<11} {}  {} bytes  created {}",
                paint(VALUE, key.fingerprint()),
                key.len(),
                created
                    .and_then(output::utc)
                    .unwrap_or_else(|| "unknown".into())
            );
            if args.reveal {
                l.push_str(&format!("  key {}", hex(key.as_bytes())));
            }
            output::line(l)?;
        }
    }
    if json {
        output::json_line(&json!({"keyring": args.keyring.display().to_string(), "keys": rows}))?;
    } else if args.reveal {
        output::line(
            "The hex is the key's raw bytes, not the key's text: in Flask write \
             SECRET_KEY = bytes.fromhex(\"<hex>\") (or see `waxseal key show --flask`); in waxseal \
             pass it with --secret-hex. SECRET_KEY = \"<hex>\" would be a different key.",
        )?;
    }
    Ok(output::EXIT_OK)
}

/// Reads a wordlist into memory for the exact-match check.
fn read_wordlist(path: &Path, format: WordlistFormat) -> Result<Vec<Vec<u8>>, CliError> {
    let file = File::open(path)
        .map_err(|e| CliError::io(format!("cannot open the wordlist {}: {e}", path.display())))?;
    let mut reader = WordlistReader::new(BufReader::new(file), format);
    let mut chunk = CandidateChunk::new();
    let mut words = Vec::new();
    loop {
        chunk.clear();
        let n = reader
            .fill(&mut chunk, 4096)
            .map_err(|e| CliError::io(e.to_string()))?;
        if n == 0 {
            break;
        }
        words.extend(chunk.iter().map(<[u8]>::to_vec));
    }
    Ok(words)
}

fn check(args: CheckArgs, json: bool) -> Result<u8, CliError> {
    let keys = args.keys.require()?;
    let words = match &args.wordlist {
        Some(p) => read_wordlist(p, args.wordlist_format.format())?,
        None => Vec::new(),
    };
    let mut all_ok = true;
    let mut rows = Vec::new();
    for (i, key) in keys.keys.iter().enumerate() {
        let report = StrengthReport::assess(key.as_bytes(), words.iter().map(Vec::as_slice));
        let ok = report.is_acceptable();
        all_ok &= ok;
        let reasons: Vec<String> = report.reasons.iter().map(ToString::to_string).collect();
        let role = if i == 0 {
            "current key".to_owned()
        } else {
            format!("fallback key {i}")
        };
        if json {
            rows.push(
                json!({"index": i, "fingerprint": key.fingerprint(), "length": key.len(),
                "weak": !ok, "reasons": reasons}),
            );
        } else if ok {
            output::line(format!(
                "{} {role} ({} bytes, fingerprint {}): not short, not a known key{}, not repetitive.",
                paint(GOOD, "STRONG"),
                key.len(),
                key.fingerprint(),
                if args.wordlist.is_some() { ", not on the wordlist" } else { "" }
            ))?;
        } else {
            output::line(format!(
                "{} {role} ({} bytes, fingerprint {}): {}.",
                paint(BAD, "WEAK"),
                key.len(),
                key.fingerprint(),
                reasons.join("; ")
            ))?;
        }
    }
    if json {
        output::json_line(&json!({"weak": !all_ok, "keys": rows,
            "known_keys_checked": waxseal::secret::known_key_count(), "wordlist_entries": words.len()}))?;
    } else if !all_ok {
        output::line("Anyone who guesses a weak key can forge sessions. Replace it: `waxseal key new --print`.")?;
    }
    Ok(if all_ok {
        output::EXIT_OK
    } else {
        output::EXIT_NEGATIVE
    })
}

/// Runs `key`.
pub fn run(args: KeyCommand, json: bool) -> Result<u8, CliError> {
    match args.command {
        KeySub::New(a) => new(a, json),
        KeySub::Rotate(a) => rotate(a, json),
        KeySub::Show(a) => show(a, json),
        KeySub::Check(a) => check(a, json),
    }
}
