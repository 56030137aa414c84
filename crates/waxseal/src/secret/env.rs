//! Loading a [`Keyring`] from `FLASK_SECRET_KEY` / `FLASK_SECRET_KEY_FALLBACKS` the way Flask's
//! `app.config.from_prefixed_env()` reads them.

use crate::flask::Value;
use zeroize::Zeroize;

use super::key::SecretKey;
use super::keyring::{Keyring, KeyringError, KeyringWarning};
use super::strength::KeyPolicy;

/// The variable Flask's `from_prefixed_env()` maps to `SECRET_KEY`.
///
/// ```
/// assert_eq!(waxseal::secret::SECRET_KEY_VAR, "FLASK_SECRET_KEY");
/// ```
pub const SECRET_KEY_VAR: &str = "FLASK_SECRET_KEY";
/// The variable Flask's `from_prefixed_env()` maps to `SECRET_KEY_FALLBACKS`.
///
/// ```
/// assert_eq!(waxseal::secret::SECRET_KEY_FALLBACKS_VAR, "FLASK_SECRET_KEY_FALLBACKS");
/// ```
pub const SECRET_KEY_FALLBACKS_VAR: &str = "FLASK_SECRET_KEY_FALLBACKS";

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "JSON null",
        Value::Bool(_) => "a JSON boolean",
        Value::Int(_) | Value::Float(_) => "a JSON number",
        Value::Str(_) => "a string",
        Value::List(_) | Value::Tuple(_) => "a JSON list",
        Value::Dict(_) => "a JSON object",
        // json.loads never makes these; they only exist after untagging.
        Value::Bytes(_) | Value::Uuid(_) | Value::DateTime(_) | Value::Markup(_) => {
            "a tagged value"
        }
    }
}

fn wipe(v: &mut Value) {
    match v {
        Value::Str(s) | Value::Markup(s) => s.zeroize(),
        Value::List(a) | Value::Tuple(a) => a.iter_mut().for_each(wipe),
        Value::Dict(o) => {
            for (mut key, mut value) in std::mem::take(o) {
                key.zeroize();
                wipe(&mut value);
            }
        }
        _ => {}
    }
}

impl Keyring {
    /// Loads `FLASK_SECRET_KEY` and `FLASK_SECRET_KEY_FALLBACKS` from the process environment,
    /// applying `policy` to every key. See [`Keyring::from_env_with`] for the exact rules.
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring, KeyringError};
    /// match Keyring::from_env(KeyPolicy::RefuseWeak) {
    ///     Ok((ring, _warnings)) => println!("loaded {} keys", ring.len()),
    ///     Err(KeyringError::MissingEnv { var }) => println!("set {var}"),
    ///     Err(e) => println!("bad key configuration: {e}"),
    /// }
    /// ```
    pub fn from_env(policy: KeyPolicy) -> Result<(Self, Vec<KeyringWarning>), KeyringError> {
        Self::from_env_with(|name| std::env::var(name).ok(), policy)
    }

    /// Loads a keyring through `lookup` (a stand-in for the environment), mirroring Flask.
    ///
    /// Flask's `from_prefixed_env()` passes every `FLASK_*` value through `json.loads` and keeps
    /// the raw string when that fails. So:
    ///
    /// * `FLASK_SECRET_KEY`: a JSON string (`"\"my key\""`) gives its contents; text that is not
    ///   JSON is used as is (the usual case, e.g. a `token_hex()` value); the key is the UTF-8
    ///   bytes, as Flask's `want_bytes`. Unset, empty or `null` → [`KeyringError::MissingEnv`]
    ///   (Flask disables sessions). A number, boolean, list or object →
    ///   [`KeyringError::EnvNotString`] (Flask would crash when signing).
    /// * `FLASK_SECRET_KEY_FALLBACKS`: unset or falsy (`[]`, `null`, empty) → no fallbacks. A JSON
    ///   list of strings is Flask's format, written **oldest first** (Flask appends the current
    ///   key after it and itsdangerous tries keys from the end), so the list is reversed into this
    ///   keyring's newest-first order. Anything else, notably a bare string, is refused with
    ///   [`KeyringError::FallbacksNotAList`]: Flask would iterate it character by character.
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring};
    /// let env = |name: &str| match name {
    ///     "FLASK_SECRET_KEY" => Some("current-key-0123456789".to_string()),
    ///     "FLASK_SECRET_KEY_FALLBACKS" => {
    ///         Some(r#"["oldest-key-0123456789", "newer-key-0123456789"]"#.to_string())
    ///     }
    ///     _ => None,
    /// };
    /// let (ring, _) = Keyring::from_env_with(env, KeyPolicy::RefuseWeak).unwrap();
    /// assert_eq!(ring.fallbacks()[0].as_bytes(), b"newer-key-0123456789");
    /// assert_eq!(ring.fallbacks()[1].as_bytes(), b"oldest-key-0123456789");
    /// ```
    pub fn from_env_with(
        lookup: impl Fn(&str) -> Option<String>,
        policy: KeyPolicy,
    ) -> Result<(Self, Vec<KeyringWarning>), KeyringError> {
        let missing = || KeyringError::MissingEnv {
            var: SECRET_KEY_VAR.to_owned(),
        };
        let mut raw = lookup(SECRET_KEY_VAR).ok_or_else(missing)?;
        let mut value = crate::flask::json::env_value(&raw);
        raw.zeroize();
        let current = match &value {
            Value::Str(s) if !s.is_empty() => Ok(SecretKey::from_text(s)),
            Value::Str(_) | Value::Null => Err(missing()),
            other => Err(KeyringError::EnvNotString {
                var: SECRET_KEY_VAR.to_owned(),
                found: kind(other),
            }),
        };
        wipe(&mut value);
        let current = current?;

        let mut fallbacks = Vec::new();
        if let Some(mut raw) = lookup(SECRET_KEY_FALLBACKS_VAR) {
            let mut value = crate::flask::json::env_value(&raw);
            raw.zeroize();
            let parsed = parse_fallbacks(&value);
            wipe(&mut value);
            fallbacks = parsed?;
        }
        let ring = Keyring::from_parts(current, fallbacks);
        let warnings = ring.apply_policy(policy)?;
        Ok((ring, warnings))
    }
}

fn parse_fallbacks(value: &Value) -> Result<Vec<SecretKey>, KeyringError> {
    if !value.is_truthy() {
        return Ok(Vec::new());
    }
    let Value::List(items) = value else {
        return Err(KeyringError::FallbacksNotAList {
            var: SECRET_KEY_FALLBACKS_VAR.to_owned(),
            found: kind(value),
        });
    };
    let mut keys = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        match item {
            Value::Str(s) => keys.push(SecretKey::from_text(s)),
            other => {
                return Err(KeyringError::FallbackNotString {
                    position,
                    found: kind(other),
                })
            }
        }
    }
    // Flask's list is oldest first; ours is newest first.
    keys.reverse();
    Ok(keys)
}
