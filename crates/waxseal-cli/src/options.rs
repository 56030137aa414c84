//! Options shared by several commands: where the keys come from, which token format, and where
//! the tokens come from (arguments, or `-` for stdin, streamed line by line).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use waxseal::inspect::{FormatKind, TokenFormat};
use waxseal::secret::{KeyPolicy, Keyring, KeyringError, SecretKey};
use waxseal::{Digest, KeyDerivation};
use waxseal_crack::WordlistFormat;

use crate::output::{warn, CliError};

/// The key options: `--secret`, `--secret-hex`, `--secret-file`, `--keyring`, plus fallbacks.
/// `Debug` is written by hand so that keys given on the command line never reach a log.
#[derive(Args, Clone, Default)]
pub struct KeyArgs {
    /// Secret key as UTF-8 text (Flask's `SECRET_KEY = "..."`). Visible to other local users in
    /// the process list and kept in shell history: prefer --secret-file, --keyring or
    /// FLASK_SECRET_KEY for real keys.
    #[arg(long, value_name = "TEXT", group = "key", help_heading = "Key options")]
    pub secret: Option<String>,
    /// Secret key as hex digits (for binary keys such as `os.urandom(24)`).
    #[arg(long, value_name = "HEX", group = "key", help_heading = "Key options")]
    pub secret_hex: Option<String>,
    /// Read the secret key from a file (its raw bytes, minus one trailing newline).
    #[arg(long, value_name = "PATH", group = "key", help_heading = "Key options")]
    pub secret_file: Option<PathBuf>,
    /// A waxseal keyring file (current key and fallbacks), as written by `waxseal key new`.
    #[arg(long, value_name = "PATH", group = "key", help_heading = "Key options")]
    pub keyring: Option<PathBuf>,
    /// An older key still accepted (UTF-8 text); repeatable, tried in the given order after the
    /// current key.
    #[arg(long, value_name = "TEXT", help_heading = "Key options")]
    pub fallback: Vec<String>,
    /// An older key still accepted, as hex; repeatable.
    #[arg(long, value_name = "HEX", help_heading = "Key options")]
    pub fallback_hex: Vec<String>,
    /// Order in which `--fallback` (false) and `--fallback-hex` (true) appeared; set by `main`
    /// from clap's argument indices.
    #[arg(skip)]
    pub fallback_order: Vec<bool>,
}

impl std::fmt::Debug for KeyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "<hidden>");
        f.debug_struct("KeyArgs")
            .field("secret", &hidden(&self.secret))
            .field("secret_hex", &hidden(&self.secret_hex))
            .field("secret_file", &self.secret_file)
            .field("keyring", &self.keyring)
            .field(
                "fallbacks",
                &(self.fallback.len() + self.fallback_hex.len()),
            )
            .finish()
    }
}

/// Keys ready for use: current first, then fallbacks in trial order.
pub struct Keys {
    /// The keys.
    pub keys: Vec<SecretKey>,
    /// Where they came from, for messages (`--secret`, `FLASK_SECRET_KEY`, ...).
    pub source: String,
}

fn parse_hex(flag: &str, text: &str) -> Result<SecretKey, CliError> {
    SecretKey::from_hex(text).map_err(|e| {
        CliError::usage(format!("{flag}: {e}"))
            .hint("give the key as hex digits, e.g. --secret-hex 8f1c0a5e2b7d49c3, or use --secret for text")
    })
}

fn keyring_error(e: KeyringError) -> CliError {
    let code = if matches!(e, KeyringError::Io { .. }) {
        crate::output::EXIT_IO
    } else {
        crate::output::EXIT_USAGE
    };
    CliError {
        code,
        message: e.to_string(),
        hint: None,
    }
}

impl KeyArgs {
    /// The fallbacks in command-line order.
    fn fallbacks(&self) -> Result<Vec<SecretKey>, CliError> {
        let mut text = self.fallback.iter();
        let mut hex = self.fallback_hex.iter();
        let mut out = Vec::new();
        let order: Vec<bool> =
            if self.fallback_order.len() == self.fallback.len() + self.fallback_hex.len() {
                self.fallback_order.clone()
            } else {
                std::iter::repeat(false)
                    .take(self.fallback.len())
                    .chain(std::iter::repeat(true).take(self.fallback_hex.len()))
                    .collect()
            };
        for is_hex in order {
            if is_hex {
                if let Some(h) = hex.next() {
                    out.push(parse_hex("--fallback-hex", h)?);
                }
            } else if let Some(t) = text.next() {
                out.push(SecretKey::from_text(t));
            }
        }
        Ok(out)
    }

    /// Loads the keys. `None` when no option was given and `FLASK_SECRET_KEY` is unset. Weak keys
    /// are accepted here (the caller decides whether to refuse them); keyring warnings are
    /// printed on stderr.
    pub fn load(&self) -> Result<Option<Keys>, CliError> {
        let (mut keys, source) = if let Some(s) = &self.secret {
            (vec![SecretKey::from_text(s)], "--secret".to_owned())
        } else if let Some(h) = &self.secret_hex {
            (
                vec![parse_hex("--secret-hex", h)?],
                "--secret-hex".to_owned(),
            )
        } else if let Some(p) = &self.secret_file {
            // The library's message already names the file: say it once.
            let key = SecretKey::from_file(p).map_err(|e| match e {
                waxseal::secret::ParseKeyError::Io { .. }
                | waxseal::secret::ParseKeyError::FileTooLarge { .. } => {
                    CliError::io(e.to_string())
                        .hint("check the path; the file holds the raw key bytes")
                }
                e => CliError::usage(format!("the key file {}: {e}", p.display())),
            })?;
            (vec![key], format!("--secret-file {}", p.display()))
        } else if let Some(p) = &self.keyring {
            let (ring, warnings) = Keyring::load(p, KeyPolicy::AllowWeak).map_err(keyring_error)?;
            for w in warnings {
                if let Some(text) = keyring_warning(&w, p) {
                    warn(text);
                }
            }
            (
                ring.keys().cloned().collect(),
                format!("--keyring {}", p.display()),
            )
        } else if !self.fallback.is_empty() || !self.fallback_hex.is_empty() {
            return Err(
                CliError::usage("fallback keys were given without a current key").hint(
                    "add --secret, --secret-hex, --secret-file or --keyring for the current key",
                ),
            );
        } else {
            match Keyring::from_env(KeyPolicy::AllowWeak) {
                Ok((ring, _)) => {
                    let mut source = waxseal::secret::SECRET_KEY_VAR.to_owned();
                    if ring.len() > 1 {
                        source.push_str(" and ");
                        source.push_str(waxseal::secret::SECRET_KEY_FALLBACKS_VAR);
                    }
                    (ring.keys().cloned().collect(), source)
                }
                Err(KeyringError::MissingEnv { .. }) => return Ok(None),
                Err(e) => return Err(keyring_error(e)),
            }
        };
        keys.extend(self.fallbacks()?);
        Ok(Some(Keys { keys, source }))
    }

    /// Like [`KeyArgs::load`], but a missing key is an error that says how to give one.
    pub fn require(&self) -> Result<Keys, CliError> {
        self.load()?.ok_or_else(no_key_error)
    }
}

/// The error for "no key anywhere".
pub fn no_key_error() -> CliError {
    CliError::usage("no secret key given").hint(
        "pass --secret TEXT, --secret-hex HEX, --secret-file PATH or --keyring PATH, \
         or set FLASK_SECRET_KEY in the environment",
    )
}

/// Token formats by CLI name.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatName {
    /// Flask's session cookie (URL-safe timed JSON, salt "cookie-session").
    #[default]
    Flask,
    /// itsdangerous URLSafeTimedSerializer.
    UrlSafeTimed,
    /// itsdangerous URLSafeSerializer.
    UrlSafe,
    /// itsdangerous Serializer (plain JSON).
    Serializer,
    /// itsdangerous TimedSerializer (plain JSON with a timestamp).
    TimedSerializer,
    /// Starlette/FastAPI SessionMiddleware cookie (TimestampSigner over padded standard base64
    /// of JSON).
    Starlette,
    /// itsdangerous TimestampSigner.
    TimestampSigner,
    /// itsdangerous Signer.
    Signer,
}

impl FormatName {
    /// The library's kind.
    pub fn kind(self) -> FormatKind {
        match self {
            FormatName::Flask => FormatKind::Flask,
            FormatName::UrlSafeTimed => FormatKind::UrlSafeTimed,
            FormatName::UrlSafe => FormatKind::UrlSafe,
            FormatName::Serializer => FormatKind::Serializer,
            FormatName::TimedSerializer => FormatKind::TimedSerializer,
            FormatName::Starlette => FormatKind::Starlette,
            FormatName::TimestampSigner => FormatKind::TimestampSigner,
            FormatName::Signer => FormatKind::Signer,
        }
    }
}

/// Digest names.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestName {
    /// SHA-1 (Flask's and itsdangerous's default).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// MD5 (legacy).
    Md5,
}

impl DigestName {
    /// The library's digest.
    pub fn digest(self) -> Digest {
        match self {
            DigestName::Sha1 => Digest::Sha1,
            DigestName::Sha224 => Digest::Sha224,
            DigestName::Sha256 => Digest::Sha256,
            DigestName::Sha384 => Digest::Sha384,
            DigestName::Sha512 => Digest::Sha512,
            DigestName::Md5 => Digest::Md5,
        }
    }
}

/// Key derivation names.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerivationName {
    /// HMAC(secret, salt) (what Flask's session uses).
    Hmac,
    /// digest(salt + secret).
    Concat,
    /// digest(salt + "signer" + secret) (itsdangerous's default, also in 2.2).
    DjangoConcat,
    /// The secret itself.
    None,
}

impl DerivationName {
    /// The library's derivation.
    pub fn derivation(self) -> KeyDerivation {
        match self {
            DerivationName::Hmac => KeyDerivation::Hmac,
            DerivationName::Concat => KeyDerivation::Concat,
            DerivationName::DjangoConcat => KeyDerivation::DjangoConcat,
            DerivationName::None => KeyDerivation::None,
        }
    }
}

/// The format options: `--format` and its overrides.
#[derive(Args, Debug, Clone, Default)]
pub struct FormatArgs {
    /// Token format (default: flask; `decode` recognises it from the token).
    #[arg(long, value_enum, help_heading = "Format options")]
    pub format: Option<FormatName>,
    /// Override the format's salt (Flask: "cookie-session", itsdangerous serializers:
    /// "itsdangerous", signers and starlette: "itsdangerous.Signer").
    #[arg(long, value_name = "TEXT", help_heading = "Format options")]
    pub salt: Option<String>,
    /// Override the digest (default sha1).
    #[arg(long, value_enum, help_heading = "Format options")]
    pub digest: Option<DigestName>,
    /// Override how the signing key is derived from the secret (default: hmac for flask,
    /// django-concat for the itsdangerous formats).
    #[arg(long, value_enum, value_name = "KIND", help_heading = "Format options")]
    pub key_derivation: Option<DerivationName>,
    /// Override the separator character (default ".").
    #[arg(long, value_name = "C", help_heading = "Format options")]
    pub sep: Option<char>,
}

impl FormatArgs {
    /// Whether any format option was given (else `decode` recognises the format).
    pub fn given(&self) -> bool {
        self.format.is_some()
            || self.salt.is_some()
            || self.digest.is_some()
            || self.key_derivation.is_some()
            || self.sep.is_some()
    }

    /// The token format with every override applied (flask when no --format was given).
    pub fn token_format(&self) -> Result<TokenFormat, CliError> {
        let kind = self.format.map_or(FormatKind::Flask, FormatName::kind);
        let mut f = TokenFormat::new(kind);
        if let Some(s) = &self.salt {
            f.settings.salt = s.as_bytes().to_vec();
        }
        if let Some(d) = self.digest {
            f.settings.digest = d.digest();
        }
        if let Some(k) = self.key_derivation {
            f.settings.key_derivation = k.derivation();
        }
        if let Some(c) = self.sep {
            f.settings.separator = u8::try_from(c).ok().filter(u8::is_ascii).ok_or_else(|| {
                CliError::usage(format!(
                    "--sep {c:?}: the separator must be one ASCII character"
                ))
            })?;
        }
        Ok(f)
    }
}

/// Age options for timed formats.
#[derive(Args, Debug, Clone, Default)]
pub struct AgeArgs {
    /// Maximum age in seconds for timed formats (default for flask: 2678400 = 31 days, Flask's
    /// PERMANENT_SESSION_LIFETIME; for starlette: 1209600 = 14 days, SessionMiddleware's max_age;
    /// for the other timed formats: none).
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
            self.max_age.or(kind.default_max_age())
        }
    }

    /// The time to verify at.
    pub fn now(&self) -> u64 {
        self.now.unwrap_or_else(waxseal::timed::unix_now)
    }
}

/// Batch options: how many threads answer stdin lines.
#[derive(Args, Debug, Clone, Default)]
pub struct BatchArgs {
    /// Answer stdin lines on N worker threads (answers keep the input order). Default 1; 0 means
    /// one per CPU.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl BatchArgs {
    /// The number of threads to use.
    pub fn threads(&self) -> usize {
        match self.threads {
            None => 1,
            Some(0) => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Some(n) => n,
        }
    }
}

impl Keys {
    /// A verifier for `format` with these keys.
    pub fn verifier(
        &self,
        format: &TokenFormat,
        max_age: Option<u64>,
    ) -> Result<waxseal::inspect::Verifier, CliError> {
        waxseal::inspect::Verifier::new(format, &self.keys, max_age).map_err(|e| match e {
            // An empty key lets anyone sign: Flask refuses it too (no session without a key).
            waxseal::ConfigError::EmptyKey { .. } => CliError::usage(e.to_string())
                .hint("give the key that signed the tokens (--secret, --secret-hex, --keyring)"),
            _ => CliError::usage(format!("invalid format settings: {e}"))
                .hint("check --salt, --digest, --key-derivation and --sep"),
        })
    }
}

/// What to tell about a keyring warning, if anything: a file mode only when it is too open
/// (group write, or anything for others: a 0640 file shared with an app's group is fine), a
/// weak key with what was accepted, why, and what to do.
pub fn keyring_warning(
    w: &waxseal::secret::KeyringWarning,
    path: &std::path::Path,
) -> Option<String> {
    use waxseal::secret::KeyringWarning;
    match w {
        KeyringWarning::PermissiveFileMode { mode } if mode & 0o027 != 0 => Some(format!(
            "the keyring file {} has mode {mode:04o}: {} can read or change it, and whoever \
             reads it can forge sessions; run `chmod 600` on it (or 640 to share it with one \
             group)",
            path.display(),
            if mode & 0o007 != 0 {
                "every local user"
            } else {
                "its group"
            }
        )),
        KeyringWarning::PermissiveFileMode { .. } => None,
        KeyringWarning::WeakKeyAllowed { index, weak } => {
            let reasons: Vec<String> = weak.reasons().iter().map(ToString::to_string).collect();
            let (key, next) = if *index == 0 {
                (
                    "current key".to_owned(),
                    format!(
                        "replace it with `waxseal key rotate --keyring {}`",
                        path.display()
                    ),
                )
            } else {
                // After a rotation it is fallback index + 1: keeping `index` drops it.
                (
                    format!("fallback key {index}"),
                    format!(
                        "once the tokens it signed have expired, drop it with `waxseal key \
                         rotate --keep {index} --keyring {}`",
                        path.display()
                    ),
                )
            };
            Some(format!(
                "the keyring {}'s {key} is weak ({}); it was accepted so that tokens it signed \
                 can still be checked, but anyone who guesses it can forge them: {next}",
                path.display(),
                reasons.join("; ")
            ))
        }
    }
}

/// Wordlist formats (`crack --wordlist-format`, `key check --wordlist-format`).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordlistFormatName {
    /// Detect from the first lines (Python literals like flask-unsign's list, else raw).
    Auto,
    /// One candidate per line, as raw bytes (same as `raw`).
    Plain,
    /// One candidate per line, as raw bytes.
    Raw,
    /// One Python str/bytes literal per line (flask-unsign-wordlist).
    Python,
    /// One candidate per line, UTF-8 text whose characters are the key's bytes (lists of
    /// Python 2 byte strings); lines with characters above U+00FF are skipped and counted.
    #[value(name = "latin-1")]
    Latin1,
}

impl WordlistFormatName {
    /// The engine's format.
    pub fn format(self) -> WordlistFormat {
        match self {
            WordlistFormatName::Auto => WordlistFormat::Auto,
            WordlistFormatName::Plain | WordlistFormatName::Raw => WordlistFormat::Plain,
            WordlistFormatName::Python => WordlistFormat::Python,
            WordlistFormatName::Latin1 => WordlistFormat::Latin1,
        }
    }
}
