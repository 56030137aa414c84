//! Session configuration with Flask's names, as a builder or from `FLASK_*` variables.
//!
//! Compatibility decision: [`SessionConfig::from_env`] reads the variables the way Flask's
//! `app.config.from_prefixed_env()` does (each value through `json.loads`, kept as a string when
//! that fails), so one environment configures a Flask app and a Rust app identically.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use waxseal::flask::cookie::{CookieSettings, OversizeCookie, SameSite};
use waxseal::flask::{json as flask_json, Value};
use waxseal::secret::{check_strength, KeyPolicy, Keyring, SecretKey};
use waxseal_store::SessionStore;

use crate::Error;

/// Where session data lives.
#[derive(Clone, Default)]
pub enum Storage {
    /// Flask's signed cookie: the data in the cookie, readable by anyone, tamper-proof.
    #[default]
    SignedCookie,
    /// waxseal's encrypted cookie: the data in the cookie, unreadable and tamper-proof (not
    /// readable by Flask).
    EncryptedCookie,
    /// The cookie carries a signed random id; the data stays in this store.
    Server(Arc<dyn SessionStore>),
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Storage::SignedCookie => f.write_str("SignedCookie"),
            Storage::EncryptedCookie => f.write_str("EncryptedCookie"),
            Storage::Server(store) => write!(f, "Server({})", store.describe()),
        }
    }
}

/// A complete, checked session configuration; made by [`SessionConfigBuilder::build`].
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub(crate) keyring: Keyring,
    pub(crate) settings: CookieSettings,
    pub(crate) storage: Storage,
    pub(crate) allow_weak_keys: bool,
}

impl SessionConfig {
    /// A builder with Flask's defaults; only the secret key is required.
    ///
    /// ```
    /// use std::time::Duration;
    /// use waxseal_axum::SessionConfig;
    ///
    /// let config = SessionConfig::builder()
    ///     .secret_key("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e")
    ///     .session_cookie_samesite(Some("Lax"))
    ///     .permanent_session_lifetime(Duration::from_secs(3600))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(config.session_cookie_name(), "session");
    /// ```
    pub fn builder() -> SessionConfigBuilder {
        SessionConfigBuilder::default()
    }

    /// A builder filled from `FLASK_*` environment variables, as Flask's
    /// `from_prefixed_env()` reads them: `FLASK_SECRET_KEY`, `FLASK_SECRET_KEY_FALLBACKS`,
    /// `FLASK_SESSION_COOKIE_NAME`, `_DOMAIN`, `_PATH`, `_HTTPONLY`, `_SECURE`, `_SAMESITE`,
    /// `_PARTITIONED`, `FLASK_PERMANENT_SESSION_LIFETIME` (seconds),
    /// `FLASK_SESSION_REFRESH_EACH_REQUEST` and `FLASK_APPLICATION_ROOT`.
    ///
    /// ```
    /// # std::env::set_var("FLASK_SECRET_KEY", "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e");
    /// # std::env::set_var("FLASK_SESSION_COOKIE_SECURE", "true");
    /// let config = waxseal_axum::SessionConfig::from_env().unwrap().build().unwrap();
    /// assert!(config.cookie_settings().secure);
    /// ```
    pub fn from_env() -> Result<SessionConfigBuilder, Error> {
        SessionConfigBuilder::from_lookup(|name| std::env::var(name).ok())
    }

    /// `SESSION_COOKIE_NAME`.
    pub fn session_cookie_name(&self) -> &str {
        &self.settings.name
    }

    /// The cookie settings (Flask's `SESSION_COOKIE_*`, lifetime and refresh rule).
    pub fn cookie_settings(&self) -> &CookieSettings {
        &self.settings
    }

    /// The keys.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Where session data lives.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}

/// Builds a [`SessionConfig`]; method names are Flask's config keys in lower case.
#[derive(Default)]
pub struct SessionConfigBuilder {
    secret_key: Option<SecretKey>,
    fallbacks: Vec<SecretKey>,
    keyring: Option<Keyring>,
    settings: CookieSettings,
    application_root: Option<String>,
    path_set: bool,
    same_site: Option<Option<String>>,
    storage: Storage,
    allow_weak_keys: bool,
}

impl fmt::Debug for SessionConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys are never printed.
        f.debug_struct("SessionConfigBuilder")
            .field("settings", &self.settings)
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl SessionConfigBuilder {
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let policy = KeyPolicy::AllowWeak; // strength is checked once, in build()
        let (keyring, _) = Keyring::from_env_with(|name| lookup(name), policy)?;
        let mut b = SessionConfigBuilder::default().keyring(keyring);
        let var =
            |name: &str| lookup(&format!("FLASK_{name}")).map(|raw| flask_json::env_value(&raw));
        if let Some(v) = var("SESSION_COOKIE_NAME") {
            b = b.session_cookie_name(expect_str("SESSION_COOKIE_NAME", &v)?);
        }
        if let Some(v) = var("SESSION_COOKIE_DOMAIN") {
            b = b.session_cookie_domain(match &v {
                Value::Str(s) => Some(s.clone()),
                other if !other.is_truthy() => None,
                _ => return Err(bad("SESSION_COOKIE_DOMAIN", "a string or false")),
            });
        }
        if let Some(v) = var("APPLICATION_ROOT") {
            b.application_root = Some(expect_str("APPLICATION_ROOT", &v)?);
        }
        if let Some(v) = var("SESSION_COOKIE_PATH") {
            if v.is_truthy() {
                b = b.session_cookie_path(expect_str("SESSION_COOKIE_PATH", &v)?);
            }
        }
        if let Some(v) = var("SESSION_COOKIE_HTTPONLY") {
            b = b.session_cookie_httponly(v.is_truthy());
        }
        if let Some(v) = var("SESSION_COOKIE_SECURE") {
            b = b.session_cookie_secure(v.is_truthy());
        }
        if let Some(v) = var("SESSION_COOKIE_PARTITIONED") {
            b = b.session_cookie_partitioned(v.is_truthy());
        }
        if let Some(v) = var("SESSION_REFRESH_EACH_REQUEST") {
            b = b.session_refresh_each_request(v.is_truthy());
        }
        if let Some(v) = var("SESSION_COOKIE_SAMESITE") {
            b.same_site = Some(match &v {
                Value::Str(s) => Some(s.clone()),
                Value::Null => None,
                _ => return Err(bad("SESSION_COOKIE_SAMESITE", "Strict, Lax, None or null")),
            });
        }
        if let Some(v) = var("PERMANENT_SESSION_LIFETIME") {
            let secs = match v {
                Value::Int(i) => i.as_i64().map(|n| n as f64),
                Value::Float(f) => Some(f),
                _ => None,
            };
            let secs = secs
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| bad("PERMANENT_SESSION_LIFETIME", "a number of seconds"))?;
            b = b.permanent_session_lifetime(Duration::from_secs_f64(secs));
        }
        Ok(b)
    }

    /// `SECRET_KEY`: the key that signs (text, as Flask apps usually set it).
    pub fn secret_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.secret_key = Some(SecretKey::from_slice(key.as_ref()));
        self
    }

    /// `SECRET_KEY_FALLBACKS`, in Flask's order (oldest first, as in the Flask config list);
    /// they are tried newest first, as Flask does.
    pub fn secret_key_fallbacks<K: AsRef<[u8]>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.fallbacks = keys
            .into_iter()
            .map(|k| SecretKey::from_slice(k.as_ref()))
            .collect();
        self.fallbacks.reverse();
        self
    }

    /// The keys as a [`Keyring`] (current + fallbacks); replaces `secret_key` and
    /// `secret_key_fallbacks`.
    pub fn keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = Some(keyring);
        self
    }

    /// `SESSION_COOKIE_NAME` (default `session`).
    pub fn session_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.settings.name = name.into();
        self
    }

    /// `SESSION_COOKIE_DOMAIN` (default none: the exact host only).
    pub fn session_cookie_domain(mut self, domain: Option<String>) -> Self {
        self.settings.domain = domain;
        self
    }

    /// `SESSION_COOKIE_PATH` (default `APPLICATION_ROOT`, itself `/`).
    pub fn session_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.settings.path = path.into();
        self.path_set = true;
        self
    }

    /// `SESSION_COOKIE_HTTPONLY` (default true).
    pub fn session_cookie_httponly(mut self, on: bool) -> Self {
        self.settings.http_only = on;
        self
    }

    /// `SESSION_COOKIE_SECURE` (default false).
    pub fn session_cookie_secure(mut self, on: bool) -> Self {
        self.settings.secure = on;
        self
    }

    /// `SESSION_COOKIE_SAMESITE`: `Strict`, `Lax`, `None` (any case), or `None` for no
    /// attribute (the default).
    pub fn session_cookie_samesite(mut self, value: Option<&str>) -> Self {
        self.same_site = Some(value.map(str::to_owned));
        self
    }

    /// `SESSION_COOKIE_PARTITIONED` (default false).
    pub fn session_cookie_partitioned(mut self, on: bool) -> Self {
        self.settings.partitioned = on;
        self
    }

    /// `PERMANENT_SESSION_LIFETIME` (default 31 days): the cookie expiry of permanent sessions
    /// and the maximum age accepted for every session. Whole seconds count, as in Flask.
    pub fn permanent_session_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.lifetime_secs = lifetime.as_secs();
        self
    }

    /// `SESSION_REFRESH_EACH_REQUEST` (default true).
    pub fn session_refresh_each_request(mut self, on: bool) -> Self {
        self.settings.refresh_each_request = on;
        self
    }

    /// What to do with a cookie over 4093 bytes: [`OversizeCookie::Refuse`] (the default: the
    /// response becomes a 500 and the log names the size and the largest keys) or
    /// [`OversizeCookie::Warn`] (Flask's behaviour: log a warning and send it anyway).
    pub fn oversize(mut self, oversize: OversizeCookie) -> Self {
        self.settings.oversize = oversize;
        self
    }

    /// Store the session in waxseal's encrypted cookie instead of Flask's signed one.
    pub fn encrypted(mut self) -> Self {
        self.storage = Storage::EncryptedCookie;
        self
    }

    /// Keep the session data server-side in `store`; the cookie carries a signed random id.
    pub fn store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.storage = Storage::Server(store);
        self
    }

    /// Where session data lives (see [`Storage`]).
    pub fn storage(mut self, storage: Storage) -> Self {
        self.storage = storage;
        self
    }

    /// Accept weak keys (short, low-entropy or publicly known). Only for development against
    /// an app whose key you do not control; never in production.
    pub fn allow_weak_keys(mut self) -> Self {
        self.allow_weak_keys = true;
        self
    }

    /// Checks and completes the configuration: a key is required and, unless
    /// [`allow_weak_keys`](Self::allow_weak_keys), every key must be strong.
    pub fn build(mut self) -> Result<SessionConfig, Error> {
        let keyring = match (self.keyring.take(), self.secret_key.take()) {
            (Some(ring), _) => ring,
            (None, Some(current)) => Keyring::new(
                current,
                std::mem::take(&mut self.fallbacks),
                KeyPolicy::AllowWeak,
            )?,
            (None, None) => return Err(Error::MissingKey),
        };
        check_keys(&keyring, self.allow_weak_keys)?;
        if let Some(value) = self.same_site.take() {
            self.settings.same_site = match value {
                None => None,
                Some(text) => Some(SameSite::parse(&text).ok_or(Error::Config(format!(
                    "SESSION_COOKIE_SAMESITE is {text:?}; use Strict, Lax or None"
                )))?),
            };
        }
        if !self.path_set {
            if let Some(root) = self.application_root.take() {
                self.settings.path = root;
            }
        }
        Ok(SessionConfig {
            keyring,
            settings: self.settings,
            storage: self.storage,
            allow_weak_keys: self.allow_weak_keys,
        })
    }
}

/// Refuses weak keys unless the app opted out.
pub(crate) fn check_keys(keyring: &Keyring, allow_weak: bool) -> Result<(), Error> {
    if allow_weak {
        return Ok(());
    }
    for (index, key) in keyring.keys().enumerate() {
        check_strength(key.as_bytes()).map_err(|weak| Error::WeakKey {
            which: if index == 0 {
                "SECRET_KEY".to_owned()
            } else {
                format!("fallback key {index}")
            },
            reason: weak.to_string(),
        })?;
    }
    Ok(())
}

fn expect_str(name: &str, v: &Value) -> Result<String, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(bad(name, "a string")),
    }
}

fn bad(name: &str, expected: &str) -> Error {
    Error::Config(format!("FLASK_{name} must be {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<SessionConfig, Error> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SessionConfigBuilder::from_lookup(|n| map.get(n).cloned())?.build()
    }

    const KEY: &str = "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e";

    #[test]
    fn env_values_are_read_as_flask_reads_them() {
        let c = from(&[
            ("FLASK_SECRET_KEY", KEY),
            (
                "FLASK_SECRET_KEY_FALLBACKS",
                r#"["old-key-0123456789abcdef-one", "old-key-0123456789abcdef-two"]"#,
            ),
            ("FLASK_SESSION_COOKIE_NAME", "sid"),
            ("FLASK_SESSION_COOKIE_DOMAIN", "example.org"),
            ("FLASK_SESSION_COOKIE_HTTPONLY", "false"),
            ("FLASK_SESSION_COOKIE_SECURE", "true"),
            ("FLASK_SESSION_COOKIE_SAMESITE", "Lax"),
            ("FLASK_SESSION_COOKIE_PARTITIONED", "true"),
            ("FLASK_PERMANENT_SESSION_LIFETIME", "3600"),
            ("FLASK_SESSION_REFRESH_EACH_REQUEST", "false"),
            ("FLASK_APPLICATION_ROOT", "/app"),
        ])
        .unwrap();
        let s = c.cookie_settings();
        assert_eq!(s.name, "sid");
        assert_eq!(s.domain.as_deref(), Some("example.org"));
        assert!(!s.http_only && s.secure && s.partitioned && !s.refresh_each_request);
        assert_eq!(s.same_site, Some(SameSite::Lax));
        assert_eq!(s.lifetime_secs, 3600);
        assert_eq!(s.path, "/app");
        // Flask tries the last fallback first.
        assert_eq!(c.keyring().len(), 3);
        assert_eq!(
            c.keyring().get(1).unwrap().as_bytes(),
            b"old-key-0123456789abcdef-two"
        );
    }

    #[test]
    fn bad_env_values_are_errors_naming_the_variable() {
        let e = from(&[
            ("FLASK_SECRET_KEY", KEY),
            ("FLASK_PERMANENT_SESSION_LIFETIME", "soon"),
        ])
        .unwrap_err();
        assert!(
            e.to_string().contains("FLASK_PERMANENT_SESSION_LIFETIME"),
            "{e}"
        );
        let e = from(&[
            ("FLASK_SECRET_KEY", KEY),
            ("FLASK_SESSION_COOKIE_SAMESITE", "always"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("SESSION_COOKIE_SAMESITE"), "{e}");
        assert!(matches!(from(&[]), Err(Error::Keyring(_))));
    }

    #[test]
    fn weak_keys_are_refused_with_advice_unless_allowed() {
        let e = SessionConfig::builder()
            .secret_key("dev")
            .build()
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("waxseal key new"), "{text}");
        assert!(
            !text.contains("dev\""),
            "the key itself is never printed: {text}"
        );
        assert!(SessionConfig::builder()
            .secret_key("dev")
            .allow_weak_keys()
            .build()
            .is_ok());
        let e = SessionConfig::builder()
            .secret_key(KEY)
            .secret_key_fallbacks(["changeme"])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("fallback key 1"), "{e}");
        assert!(matches!(
            SessionConfig::builder().build(),
            Err(Error::MissingKey)
        ));
    }
}
