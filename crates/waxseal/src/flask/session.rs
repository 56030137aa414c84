//! Flask 3.1's cookie session, exactly: [`FlaskSessionCodec`] reads and writes the `session`
//! cookie as `SecureCookieSessionInterface` does, and [`Session`] tracks access and changes the
//! way Flask's `SecureCookieSession` does, so [`super::cookie::decide_save`] can apply Flask's
//! save rules.
//!
//! Signing: URL-safe timed serializer, salt `cookie-session`, `hmac` key derivation, SHA-1,
//! Flask's tagged JSON; `SECRET_KEY` signs, `SECRET_KEY_FALLBACKS` are also accepted; the
//! maximum age `PERMANENT_SESSION_LIFETIME` is applied on every load, as Flask does (even for
//! non-permanent sessions).

use super::cookie::{
    decide_save_at, delete_cookie_header, set_cookie_header, CookieAction, CookieSettings,
    CookieTooLarge, SessionState,
};
use super::json::{self as flask_json, FlaskJsonError};
use super::value::{Dict, Value};
use crate::error::{Error, PayloadError};
use crate::secret::Keyring;
use crate::serializer::{Loaded, SerializerBuilder, UrlSafeTimedSerializer};
use crate::signer::SignerSettings;
use crate::timed::unix_now;
use std::cell::Cell;
use std::fmt;

/// The key Flask stores `session.permanent` under.
pub const PERMANENT_KEY: &str = "_permanent";
/// The key Flask stores flashed messages under: a list of `(category, message)` tuples.
pub const FLASHES_KEY: &str = "_flashes";

/// Reads and writes Flask session cookies.
///
/// ```
/// use waxseal::flask::session::FlaskSessionCodec;
/// use waxseal::flask::Value;
/// use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
///
/// let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
/// let codec = FlaskSessionCodec::new(&ring);
/// let mut session = codec.open_at(None, 1_700_000_000);
/// session.insert("user_id", Value::from(42));
/// let header = codec.save_at(&session, 1_700_000_000).unwrap().set_cookie.unwrap();
/// assert!(header.starts_with("session=eyJ1c2VyX2lkIjo0Mn0."));
/// ```
#[derive(Clone)]
pub struct FlaskSessionCodec {
    serializer: UrlSafeTimedSerializer,
    settings: CookieSettings,
}

impl fmt::Debug for FlaskSessionCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlaskSessionCodec")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl FlaskSessionCodec {
    /// A codec with Flask's default cookie settings. The keyring's current key is
    /// `SECRET_KEY`; its fallbacks are tried in the keyring's order. (The keyring has already
    /// applied its weak-key policy.)
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// assert_eq!(codec.settings().name, "session");
    /// ```
    pub fn new(keyring: &Keyring) -> FlaskSessionCodec {
        FlaskSessionCodec::with_settings(keyring, CookieSettings::default())
    }

    /// A codec with the given cookie settings.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// use waxseal::flask::cookie::CookieSettings;
    /// let settings = CookieSettings { name: "sid".into(), ..CookieSettings::default() };
    /// let codec = FlaskSessionCodec::with_settings(&ring, settings);
    /// assert_eq!(codec.settings().name, "sid");
    /// ```
    pub fn with_settings(keyring: &Keyring, settings: CookieSettings) -> FlaskSessionCodec {
        let mut b =
            SerializerBuilder::new(keyring.current().as_bytes()).settings(SignerSettings::flask());
        for k in keyring.fallbacks() {
            b = b.fallback_key(k.as_bytes());
        }
        // Flask's settings are valid by construction, so build() cannot fail here.
        let serializer = match b.build_url_safe_timed() {
            Ok(s) => s,
            Err(e) => unreachable!("Flask's signer settings are valid: {e}"),
        };
        FlaskSessionCodec {
            serializer,
            settings,
        }
    }

    /// The cookie settings.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// assert_eq!(codec.settings().lifetime_secs, 31 * 24 * 3600);
    /// ```
    pub fn settings(&self) -> &CookieSettings {
        &self.settings
    }

    /// [`FlaskSessionCodec::load_at`] against the current time.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let cookie = codec.dumps(&[("user_id".to_owned(), 42.into())].into_iter().collect()).unwrap();
    /// assert_eq!(codec.load(&cookie).unwrap().value["user_id"], 42.into());
    /// ```
    pub fn load(&self, cookie: &str) -> Result<Loaded<Dict>, Error> {
        self.load_at(cookie, unix_now())
    }

    /// Verifies a cookie value (signature, then age against `PERMANENT_SESSION_LIFETIME` as of
    /// `now`) and decodes the tagged JSON.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let cookie = codec.dumps_at(&Default::default(), 1_700_000_000).unwrap();
    /// let lifetime = codec.settings().lifetime_secs;
    /// assert_eq!(codec.load_at(&cookie, 1_700_000_000 + lifetime).unwrap().timestamp, Some(1_700_000_000));
    /// assert!(codec.load_at(&cookie, 1_700_000_001 + lifetime).is_err());
    /// ```
    pub fn load_at(&self, cookie: &str, now: u64) -> Result<Loaded<Dict>, Error> {
        let loaded =
            self.serializer
                .loads_raw_at(cookie, Some(self.settings.lifetime_secs), now)?;
        let value = flask_json::loads(&loaded.raw).map_err(PayloadError::from)?;
        let Value::Dict(dict) = value else {
            return Err(PayloadError::NotAnObject.into());
        };
        Ok(Loaded {
            value: dict,
            raw: loaded.raw,
            timestamp: loaded.timestamp,
            key_index: loaded.key_index,
            signer_index: loaded.signer_index,
            compressed: loaded.compressed,
        })
    }

    /// [`FlaskSessionCodec::open_at`] against the current time.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// assert!(codec.open(Some("tampered.cookie.value")).is_empty());
    /// ```
    pub fn open(&self, cookie: Option<&str>) -> Session {
        self.open_at(cookie, unix_now())
    }

    /// Flask's `open_session` as of `now`: a missing, invalid, tampered or expired cookie gives a
    /// new empty session (nothing is raised), a valid one gives its contents.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let mut data = waxseal::flask::Dict::default();
    /// data.insert("n".into(), 1.into());
    /// let cookie = codec.dumps_at(&data, 1_700_000_000).unwrap();
    /// assert_eq!(codec.open_at(Some(&cookie), 1_700_000_000).data(), &data);
    /// assert!(codec.open_at(Some(&cookie), u64::MAX).is_empty()); // expired: a new session
    /// ```
    pub fn open_at(&self, cookie: Option<&str>, now: u64) -> Session {
        match cookie
            .filter(|c| !c.is_empty())
            .map(|c| self.load_at(c, now))
        {
            Some(Ok(loaded)) => Session::from_dict(loaded.value),
            _ => Session::new(),
        }
    }

    /// [`FlaskSessionCodec::dumps_at`] with the current time.
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let cookie = FlaskSessionCodec::new(&ring).dumps(&Default::default()).unwrap();
    /// assert!(cookie.starts_with("e30.")); // base64 of "{}"
    /// ```
    pub fn dumps(&self, data: &Dict) -> Result<String, FlaskJsonError> {
        self.dumps_at(data, unix_now())
    }

    /// Signs session data as Flask would at `now` (`get_signing_serializer(app).dumps(dict(session))`).
    ///
    /// ```
    /// # use waxseal::flask::session::FlaskSessionCodec;
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let a = codec.dumps_at(&Default::default(), 1_700_000_000).unwrap();
    /// assert_eq!(a, codec.dumps_at(&Default::default(), 1_700_000_000).unwrap()); // deterministic
    /// ```
    pub fn dumps_at(&self, data: &Dict, now: u64) -> Result<String, FlaskJsonError> {
        let json = flask_json::dumps_dict(data)?;
        Ok(self.serializer.dumps_raw_at(&json, now))
    }

    /// [`FlaskSessionCodec::save_at`] with the current time.
    ///
    /// ```
    /// # use waxseal::flask::session::{FlaskSessionCodec, Session};
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let untouched = codec.save(&Session::new()).unwrap();
    /// assert_eq!((untouched.set_cookie, untouched.vary_cookie), (None, false));
    /// ```
    pub fn save(&self, session: &Session) -> Result<SaveOutcome, SaveError> {
        self.save_at(session, unix_now())
    }

    /// Flask's `save_session` at `now`: decides from the session's state and formats the
    /// headers to send (the `Expires` of a permanent session is dated from `now`).
    ///
    /// ```
    /// # use waxseal::flask::session::{FlaskSessionCodec, Session};
    /// # use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    /// # let ring = Keyring::new(SecretKey::from_text("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e"), vec![], KeyPolicy::RefuseWeak).unwrap();
    /// let codec = FlaskSessionCodec::new(&ring);
    /// let mut session = Session::new();
    /// session.set_permanent(true);
    /// let header = codec.save_at(&session, 0).unwrap().set_cookie.unwrap();
    /// assert!(header.contains("Expires=Sun, 01 Feb 1970 00:00:00 GMT"));
    /// ```
    pub fn save_at(&self, session: &Session, now: u64) -> Result<SaveOutcome, SaveError> {
        let decision = decide_save_at(&session.state(), &self.settings, now);
        let mut outcome = SaveOutcome {
            set_cookie: None,
            vary_cookie: decision.vary_cookie,
            warning: None,
        };
        match decision.action {
            CookieAction::Leave => {}
            CookieAction::Delete => {
                let cookie = delete_cookie_header(&self.settings).map_err(SaveError::TooLarge)?;
                outcome.set_cookie = Some(cookie.header);
                outcome.warning = cookie.warning;
            }
            CookieAction::Set { expires } => {
                let value = self.dumps_at(&session.data, now).map_err(SaveError::Json)?;
                let cookie = set_cookie_header(&self.settings, &value, expires)
                    .map_err(SaveError::TooLarge)?;
                outcome.set_cookie = Some(cookie.header);
                outcome.warning = cookie.warning;
            }
        }
        Ok(outcome)
    }
}

/// What to send at the end of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveOutcome {
    /// The `Set-Cookie` header value, if one is to be sent.
    pub set_cookie: Option<String>,
    /// Whether to add `Vary: Cookie`.
    pub vary_cookie: bool,
    /// The oversize warning, when settings say to warn rather than refuse.
    pub warning: Option<CookieTooLarge>,
}

/// Why a session could not be saved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaveError {
    /// The cookie would exceed the browser limit (and the settings refuse oversize cookies).
    #[error(transparent)]
    TooLarge(CookieTooLarge),
    /// The session holds a value Flask's JSON cannot write.
    #[error("the session cannot be written as Flask JSON: {0}")]
    Json(#[source] FlaskJsonError),
}

/// A session's contents with Flask's `accessed` and `modified` tracking.
///
/// Reads mark it accessed; writes mark it accessed and modified. As in Flask, changing a
/// nested value in place through [`Session::get_mut`] marks it modified too (Flask cannot see
/// such changes and needs `session.modified = True`; here the mutable borrow says it).
///
/// ```
/// use waxseal::flask::session::Session;
/// let mut s = Session::new();
/// s.set_permanent(true);
/// s.flash("message", "Saved");
/// assert!(s.is_modified() && s.is_permanent());
/// assert_eq!(s.take_flashes(), vec![("message".to_string(), "Saved".into())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    data: Dict,
    modified: bool,
    accessed: Cell<bool>,
}

impl Session {
    /// A new, empty session.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let s = Session::new();
    /// assert!(s.is_empty() && !s.is_modified() && !s.is_accessed());
    /// ```
    pub fn new() -> Session {
        Session::default()
    }

    /// A session holding loaded data (not yet accessed or modified).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut d = waxseal::flask::Dict::default();
    /// d.insert("n".into(), 1.into());
    /// let s = Session::from_dict(d);
    /// assert!(!s.is_empty() && !s.is_modified());
    /// ```
    pub fn from_dict(data: Dict) -> Session {
        Session {
            data,
            modified: false,
            accessed: Cell::new(false),
        }
    }

    /// The data, without marking the session accessed (for inspection tools).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let s = Session::new();
    /// assert!(s.data().is_empty());
    /// assert!(!s.is_accessed()); // data() does not count as access
    /// ```
    pub fn data(&self) -> &Dict {
        &self.data
    }

    /// Reads a key.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.insert("n", 1.into());
    /// assert_eq!(s.get("n"), Some(&1.into()));
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.accessed.set(true);
        self.data.get(key)
    }

    /// Borrows a value to change it in place; marks the session modified.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// use waxseal::flask::Value;
    /// let mut s = Session::new();
    /// s.insert("items", Value::List(vec![]));
    /// if let Some(Value::List(items)) = s.get_mut("items") {
    ///     items.push(1.into());
    /// }
    /// assert_eq!(s.get("items"), Some(&Value::List(vec![1.into()])));
    /// ```
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.touch();
        self.data.get_mut(key)
    }

    /// Sets a key.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// assert_eq!(s.insert("user_id", 42.into()), None);
    /// assert!(s.is_modified());
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.touch();
        self.data.insert(key.into(), value)
    }

    /// Removes a key (Flask's `session.pop`), keeping the order of the others.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.insert("a", 1.into());
    /// assert_eq!(s.remove("a"), Some(1.into()));
    /// assert!(s.is_empty());
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.accessed.set(true);
        let removed = self.data.shift_remove(key);
        if removed.is_some() {
            self.modified = true;
        }
        removed
    }

    /// Removes everything (Flask's `session.clear()`): the cookie will be deleted.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.insert("a", 1.into());
    /// s.clear();
    /// assert!(s.is_empty() && s.is_modified());
    /// ```
    pub fn clear(&mut self) {
        self.touch();
        self.data.clear();
    }

    /// Whether the session holds no keys.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// assert!(Session::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Flask's `session.permanent`: the `_permanent` key, read with Python's truthiness (Flask
    /// writes `True`, but `1` or `"yes"` in a hand-made cookie count too, as they do in Flask).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.insert("_permanent", "yes".into()); // truthy, as in Flask
    /// assert!(s.is_permanent());
    /// ```
    pub fn is_permanent(&self) -> bool {
        self.get(PERMANENT_KEY).is_some_and(Value::is_truthy)
    }

    /// Sets `session.permanent` (stored as `_permanent`, as Flask does).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.set_permanent(true);
    /// assert_eq!(s.get("_permanent"), Some(&true.into()));
    /// ```
    pub fn set_permanent(&mut self, permanent: bool) {
        self.insert(PERMANENT_KEY, Value::Bool(permanent));
    }

    /// Flask's `flash(message, category)`: appends a `(category, message)` tuple to `_flashes`.
    /// Flask's default category is `"message"`; the message can be any value (Flask apps flash
    /// `Markup` too).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.flash("error", "Wrong password");
    /// assert_eq!(s.take_flashes(), vec![("error".to_string(), "Wrong password".into())]);
    /// ```
    pub fn flash(&mut self, category: &str, message: impl Into<Value>) {
        let entry = Value::Tuple(vec![Value::from(category), message.into()]);
        match self.get_mut(FLASHES_KEY) {
            Some(Value::List(list)) => list.push(entry),
            _ => {
                self.insert(FLASHES_KEY, Value::List(vec![entry]));
            }
        }
    }

    /// Flask's `get_flashed_messages(with_categories=True)`: removes and returns the flashes as
    /// `(category, message)`. Entries that are not `(str, value)` pairs are skipped.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.flash("message", "Hi");
    /// assert_eq!(s.take_flashes().len(), 1);
    /// assert!(s.take_flashes().is_empty()); // taken
    /// ```
    pub fn take_flashes(&mut self) -> Vec<(String, Value)> {
        let Some(Value::List(list)) = self.remove(FLASHES_KEY) else {
            return Vec::new();
        };
        list.into_iter()
            .filter_map(|v| match v {
                Value::Tuple(pair) | Value::List(pair) => match <[Value; 2]>::try_from(pair) {
                    Ok([Value::Str(c), m]) => Some((c, m)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Marks the session modified (Flask's `session.modified = True`).
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.mark_modified();
    /// assert!(s.is_modified());
    /// ```
    pub fn mark_modified(&mut self) {
        self.touch();
    }

    /// Whether the session was changed.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// assert!(!s.is_modified());
    /// s.insert("a", 1.into());
    /// assert!(s.is_modified());
    /// ```
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// Whether the session was read or changed.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let s = Session::new();
    /// let _ = s.get("a");
    /// assert!(s.is_accessed() && !s.is_modified());
    /// ```
    pub fn is_accessed(&self) -> bool {
        self.accessed.get()
    }

    /// The state Flask's save rules look at.
    ///
    /// ```
    /// use waxseal::flask::session::Session;
    /// let mut s = Session::new();
    /// s.set_permanent(true);
    /// let state = s.state();
    /// assert!(state.permanent && state.modified && !state.empty);
    /// ```
    pub fn state(&self) -> SessionState {
        SessionState {
            accessed: self.accessed.get(),
            modified: self.modified,
            permanent: self.data.get(PERMANENT_KEY).is_some_and(Value::is_truthy),
            empty: self.data.is_empty(),
        }
    }

    fn touch(&mut self) {
        self.modified = true;
        self.accessed.set(true);
    }
}
