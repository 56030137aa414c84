//! The `Session` extractor: what `flask.session` is to a Flask view.
//!
//! Lazy by construction: extracting a `Session` only notes the request's cookie; the cookie is
//! verified and decoded (or the store asked) on the first method call, and a request whose
//! handler never calls one sends no `Set-Cookie` and no `Vary`. All methods take `&self` and
//! are async, so a `Session` is shared freely (it is `Clone + Send + Sync`) and survives
//! `.await`s; for a server-side store the first call is where the store is reached.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::header::COOKIE;
use http::request::Parts;
use http::HeaderValue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::{Mutex, MutexGuard};
use waxseal::flask::json as flask_json;
use waxseal::flask::session::{Session as FlaskSession, FLASHES_KEY, PERMANENT_KEY};
use waxseal::flask::{from_value, to_value, Dict, Value};
use waxseal::timed::unix_now;
use waxseal_store::{SessionId, StoreError};

use crate::config::Storage;
use crate::keys::Codecs;
use crate::layer::Shared;
use crate::SessionError;

tokio::task_local! {
    /// The request's session slot, set by the layer around the inner service: this is how the
    /// extractor finds the layer's configuration and hands the session back, with no
    /// allocation for requests that never extract a session.
    pub(crate) static SLOT: Slot;
}

/// One request's slot: the layer's shared state and, once extracted, the session.
pub(crate) struct Slot {
    pub(crate) shared: Arc<Shared>,
    pub(crate) session: RefCell<Option<Session>>,
}

/// The session of the current request. Use it as an axum extractor.
///
/// ```
/// use axum::{routing::get, Router};
/// use waxseal_axum::Session;
///
/// async fn visit(session: Session) -> Result<String, waxseal_axum::SessionError> {
///     let n = session.get::<u64>("visits").await?.unwrap_or(0) + 1;
///     session.insert("visits", n).await?;
///     Ok(format!("visit {n}"))
/// }
/// let app: Router = Router::new().route("/", get(visit));
/// ```
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Session contents may be secret; show only the shape.
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) codecs: Arc<Codecs>,
    pub(crate) cookie: Option<String>,
    pub(crate) state: Mutex<State>,
}

/// The session once loaded, with what a server-side save needs to know.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) loaded: bool,
    pub(crate) data: FlaskSession,
    /// The verified id of a server-side record that exists.
    pub(crate) id: Option<SessionId>,
    /// Keys set since loading (server-side saves write only these).
    pub(crate) changed: BTreeSet<String>,
    /// Keys removed since loading.
    pub(crate) removed: BTreeSet<String>,
    /// The old record must go (clear or regenerate); a new id is used for what remains.
    pub(crate) new_id: bool,
    /// Which key verified the cookie (0 = current).
    pub(crate) key_index: Option<usize>,
    /// The request's clock reading (Unix seconds), taken once at loading and used again when
    /// saving: one clock call per request.
    pub(crate) now: u64,
}

impl State {
    fn set(&mut self, key: &str) {
        self.removed.remove(key);
        self.changed.insert(key.to_owned());
    }

    fn unset(&mut self, key: &str) {
        self.changed.remove(key);
        self.removed.insert(key.to_owned());
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        SLOT.try_with(|slot| {
            if let Some(existing) = slot.session.borrow().as_ref() {
                return existing.clone();
            }
            let shared = slot.shared.clone();
            let cookie = request_cookie(&parts.headers, &shared.settings.name);
            let session = Session {
                inner: Arc::new(Inner {
                    codecs: shared.keys.codecs.load_full(),
                    shared,
                    cookie,
                    state: Mutex::new(State::default()),
                }),
            };
            *slot.session.borrow_mut() = Some(session.clone());
            session
        })
        .map_err(|_| SessionError::NoLayer)
    }
}

/// The request's cookie called `name` (the first one, as Werkzeug's `request.cookies.get(name)`
/// picks it): the value the session layer reads, for pages that show it.
///
/// ```
/// use http::{header::COOKIE, HeaderMap, HeaderValue};
/// let mut h = HeaderMap::new();
/// h.append(COOKIE, HeaderValue::from_static("theme=dark; session=abc.def"));
/// assert_eq!(waxseal_axum::request_cookie(&h, "session").as_deref(), Some("abc.def"));
/// ```
pub fn request_cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    cookie_value(headers.get_all(COOKIE).iter(), name)
}

fn cookie_value<'a>(headers: impl Iterator<Item = &'a HeaderValue>, name: &str) -> Option<String> {
    headers
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value_trimmed().to_owned())
}

impl Session {
    /// Loads the session on first use and locks it for one operation.
    async fn state(&self) -> Result<MutexGuard<'_, State>, SessionError> {
        let mut state = self.inner.state.lock().await;
        if !state.loaded {
            state.now = unix_now();
            self.load(&mut state).await?;
            state.loaded = true;
        }
        Ok(state)
    }

    async fn load(&self, state: &mut State) -> Result<(), SessionError> {
        let Some(cookie) = self.inner.cookie.as_deref().filter(|c| !c.is_empty()) else {
            return Ok(());
        };
        let codecs = &self.inner.codecs;
        let settings = &self.inner.shared.settings;
        let now = state.now;
        match &self.inner.shared.storage {
            Storage::SignedCookie => {
                if let Ok(loaded) = codecs.flask.load_at(cookie, now) {
                    state.data = FlaskSession::from_dict(loaded.value);
                    state.key_index = Some(loaded.key_index);
                }
            }
            Storage::EncryptedCookie => {
                let opened = codecs.encrypted.open_at(
                    &settings.name,
                    cookie,
                    Some(settings.lifetime_secs),
                    now,
                );
                if let Ok(opened) = opened {
                    let dict = std::str::from_utf8(&opened.plaintext)
                        .ok()
                        .and_then(|text| flask_json::loads(text).ok());
                    if let Some(Value::Dict(dict)) = dict {
                        state.data = FlaskSession::from_dict(dict);
                        state.key_index = Some(opened.key_index);
                    }
                }
            }
            Storage::Server(store) => {
                // The signature is checked before the store is asked: a forged id costs one
                // HMAC and no lookup.
                let Ok(unsigned) = codecs.id_signer.unsign(cookie.as_bytes()) else {
                    return Ok(());
                };
                let Some(id) = std::str::from_utf8(unsigned.value)
                    .ok()
                    .and_then(SessionId::from_hex)
                else {
                    return Ok(());
                };
                let key_index = unsigned.key_index;
                if let Some(fields) = store.load(&id).await? {
                    let mut dict = Dict::default();
                    for (key, text) in fields {
                        let value = flask_json::loads(&text).map_err(|e| {
                            StoreError::Corrupt(format!("session key {key:?}: {e}"))
                        })?;
                        dict.insert(key, value);
                    }
                    state.data = FlaskSession::from_dict(dict);
                    state.id = Some(id);
                    state.key_index = Some(key_index);
                }
            }
        }
        Ok(())
    }

    /// Reads `key` as a `T` (`None` when absent).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<(), SessionError> {
    ///     let user: Option<String> = session.get("user").await?;
    ///     # let _ = user;
    ///     Ok(())
    /// }
    /// ```
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        match self.get_value(key).await? {
            None => Ok(None),
            Some(value) => from_value(value)
                .map(Some)
                .map_err(|e| SessionError::Value {
                    key: key.to_owned(),
                    message: e.to_string(),
                }),
        }
    }

    /// Reads `key` as Flask's tagged value (tuples, bytes, datetimes, UUIDs, Markup kept).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// use waxseal::flask::Value;
    /// async fn handler(session: Session) -> Result<(), SessionError> {
    ///     if let Some(Value::Bytes(b)) = session.get_value("token").await? { let _ = b; }
    ///     Ok(())
    /// }
    /// ```
    pub async fn get_value(&self, key: &str) -> Result<Option<Value>, SessionError> {
        Ok(self.state().await?.data.get(key).cloned())
    }

    /// Sets `key` to any serde value (marks the session modified).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn login(session: Session) -> Result<(), SessionError> {
    ///     session.insert("user_id", 42).await?;
    ///     session.insert("roles", ["admin", "dev"]).await
    /// }
    /// ```
    pub async fn insert(&self, key: &str, value: impl Serialize) -> Result<(), SessionError> {
        let value = to_value(&value).map_err(|e| SessionError::Value {
            key: key.to_owned(),
            message: e.to_string(),
        })?;
        self.insert_value(key, value).await
    }

    /// Sets `key` to a Flask tagged value.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// use waxseal::flask::Value;
    /// async fn handler(session: Session) -> Result<(), SessionError> {
    ///     session.insert_value("pair", Value::Tuple(vec![1.into(), 2.into()])).await
    /// }
    /// ```
    pub async fn insert_value(&self, key: &str, value: Value) -> Result<(), SessionError> {
        let mut state = self.state().await?;
        state.data.insert(key, value);
        state.set(key);
        Ok(())
    }

    /// Removes `key` and returns its value (Flask's `session.pop(key, None)`).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<(), SessionError> {
    ///     let _old = session.remove("cart").await?;
    ///     Ok(())
    /// }
    /// ```
    pub async fn remove(&self, key: &str) -> Result<Option<Value>, SessionError> {
        let mut state = self.state().await?;
        let old = state.data.remove(key);
        if old.is_some() {
            state.unset(key);
        }
        Ok(old)
    }

    /// Whether `key` is set.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<bool, SessionError> {
    ///     session.contains("user").await
    /// }
    /// ```
    pub async fn contains(&self, key: &str) -> Result<bool, SessionError> {
        Ok(self.state().await?.data.get(key).is_some())
    }

    /// The keys, in order.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<Vec<String>, SessionError> {
    ///     session.keys().await
    /// }
    /// ```
    pub async fn keys(&self) -> Result<Vec<String>, SessionError> {
        let state = self.state().await?;
        // Reading the keys is an access, as iterating `session` is in Flask.
        let _ = state.data.get("");
        Ok(state.data.data().keys().cloned().collect())
    }

    /// Removes everything (Flask's `session.clear()`): the cookie is deleted, and a
    /// server-side record is deleted (what is set afterwards gets a new id).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn logout(session: Session) -> Result<(), SessionError> {
    ///     session.clear().await
    /// }
    /// ```
    pub async fn clear(&self) -> Result<(), SessionError> {
        let mut state = self.state().await?;
        state.data.clear();
        state.changed.clear();
        state.removed.clear();
        state.new_id = true;
        Ok(())
    }

    /// Flask's `session.permanent`.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<bool, SessionError> {
    ///     session.permanent().await
    /// }
    /// ```
    pub async fn permanent(&self) -> Result<bool, SessionError> {
        Ok(self.state().await?.data.is_permanent())
    }

    /// Sets `session.permanent`: the cookie then lasts `PERMANENT_SESSION_LIFETIME` instead of
    /// the browser session.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn remember_me(session: Session) -> Result<(), SessionError> {
    ///     session.set_permanent(true).await
    /// }
    /// ```
    pub async fn set_permanent(&self, permanent: bool) -> Result<(), SessionError> {
        let mut state = self.state().await?;
        state.data.set_permanent(permanent);
        state.set(PERMANENT_KEY);
        Ok(())
    }

    /// Flask's `flash(message, category)`: appends to `_flashes`, so a message flashed here
    /// is shown by a Flask view and vice versa.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn save(session: Session) -> Result<(), SessionError> {
    ///     session.flash("message", "Saved.").await
    /// }
    /// ```
    pub async fn flash(
        &self,
        category: &str,
        message: impl Into<Value>,
    ) -> Result<(), SessionError> {
        let mut state = self.state().await?;
        state.data.flash(category, message);
        state.set(FLASHES_KEY);
        Ok(())
    }

    /// Flask's `get_flashed_messages(with_categories=True)`: removes and returns the flashes.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn page(session: Session) -> Result<String, SessionError> {
    ///     let flashes = session.take_flashes().await?;
    ///     Ok(flashes.iter().map(|(cat, msg)| format!("{cat}: {msg:?}\n")).collect())
    /// }
    /// ```
    pub async fn take_flashes(&self) -> Result<Vec<(String, Value)>, SessionError> {
        let mut state = self.state().await?;
        let had = state.data.data().contains_key(FLASHES_KEY);
        let flashes = state.data.take_flashes();
        if had {
            state.unset(FLASHES_KEY);
        }
        Ok(flashes)
    }

    /// The whole session as plain JSON: tuples as arrays, bytes as base64, datetimes as HTTP
    /// dates, UUIDs hyphenated, Markup as its text.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn dump(session: Session) -> Result<axum::Json<serde_json::Value>, SessionError> {
    ///     Ok(axum::Json(session.to_json().await?))
    /// }
    /// ```
    pub async fn to_json(&self) -> Result<serde_json::Value, SessionError> {
        let state = self.state().await?;
        let _ = state.data.get(""); // an access, as reading `session` is in Flask
        Ok(crate::json::natural(&Value::Dict(
            state.data.data().clone(),
        )))
    }

    /// Gives the session a new id, keeping its data, and deletes the old server-side record
    /// (defence against session fixation: call it on login). Signed-cookie sessions have no
    /// id; for them this only marks the session modified.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn login(session: Session) -> Result<(), SessionError> {
    ///     session.regenerate().await?;
    ///     session.insert("user", "ada").await
    /// }
    /// ```
    pub async fn regenerate(&self) -> Result<(), SessionError> {
        let mut state = self.state().await?;
        state.new_id = true;
        state.data.mark_modified();
        Ok(())
    }

    /// Whether the session was changed in this request (Flask's `session.modified`).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<bool, SessionError> {
    ///     session.modified().await
    /// }
    /// ```
    pub async fn modified(&self) -> Result<bool, SessionError> {
        Ok(self.state().await?.data.is_modified())
    }

    /// Which key verified the request's cookie: `Some(0)` for the current key, `Some(n)` for
    /// the n-th fallback, `None` when there was no valid cookie.
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<Option<usize>, SessionError> {
    ///     session.key_index().await
    /// }
    /// ```
    pub async fn key_index(&self) -> Result<Option<usize>, SessionError> {
        Ok(self.state().await?.key_index)
    }

    /// The server-side session id of the request's cookie, when it names a stored record
    /// (`None` for cookie sessions and new sessions).
    ///
    /// ```
    /// # use waxseal_axum::{Session, SessionError};
    /// async fn handler(session: Session) -> Result<Option<String>, SessionError> {
    ///     session.id().await
    /// }
    /// ```
    pub async fn id(&self) -> Result<Option<String>, SessionError> {
        Ok(self.state().await?.id.as_ref().map(SessionId::to_hex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_cookie_of_that_name_wins_across_headers() {
        let a = HeaderValue::from_static("other=1; session=first");
        let b = HeaderValue::from_static("session=second");
        assert_eq!(
            cookie_value([&a, &b].into_iter(), "session").as_deref(),
            Some("first")
        );
        let q = HeaderValue::from_static("session=\"quoted\"");
        assert_eq!(
            cookie_value([&q].into_iter(), "session").as_deref(),
            Some("quoted")
        );
        let none = HeaderValue::from_static("sessionx=1");
        assert_eq!(cookie_value([&none].into_iter(), "session"), None);
    }
}
