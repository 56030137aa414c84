//! The tower `Layer` and `Service`: Flask's `open_session` before the handler (lazily, in the
//! extractor) and `save_session` after it.
//!
//! The service puts a slot in a task-local around the inner service instead of allocating a
//! per-request object: a request whose handler never extracts a `Session` costs one `Arc`
//! clone. The save step after the response is synchronous for cookie sessions (no boxed
//! future) and async only for server-side stores. The `Session` extractor must therefore run
//! in the task that polls this service (no `tower::buffer` between the layer and the handler).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::response::{IntoResponse, Response};
use http::header::{SET_COOKIE, VARY};
use http::{HeaderValue, Request, StatusCode};
use tokio::task::futures::TaskLocalFuture;
use tower_layer::Layer;
use tower_service::Service;
use waxseal::flask::cookie::{
    decide_save_at, delete_cookie_header, set_cookie_header, CookieAction, CookieSettings,
    SaveDecision,
};
use waxseal::flask::json as flask_json;
use waxseal::flask::session::SaveError;
use waxseal::flask::Dict;
use waxseal_store::{Changes, SessionId, StoreError};

use crate::config::{SessionConfig, Storage};
use crate::keys::KeyringHandle;
use crate::session::{Inner, Session, Slot, State, SLOT};
use crate::Error;

/// What every request of one layer shares.
pub(crate) struct Shared {
    pub(crate) settings: Arc<CookieSettings>,
    pub(crate) storage: Storage,
    pub(crate) keys: KeyringHandle,
}

/// Adds Flask-compatible sessions to an axum router.
///
/// ```
/// use axum::{routing::get, Router};
/// use waxseal_axum::{Session, SessionConfig, SessionLayer};
///
/// let config = SessionConfig::builder().secret_key("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e").build().unwrap();
/// let app: Router = Router::new()
///     .route("/", get(|s: Session| async move { s.insert("seen", true).await.map(|_| "hi") }))
///     .layer(SessionLayer::new(config).unwrap());
/// ```
#[derive(Clone)]
pub struct SessionLayer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("cookie", &self.shared.settings.name)
            .field("storage", &self.shared.storage)
            .finish_non_exhaustive()
    }
}

impl SessionLayer {
    /// A layer for `config`. Fails on weak keys unless the config allows them.
    ///
    /// ```
    /// use waxseal_axum::{SessionConfig, SessionLayer};
    /// let config = SessionConfig::from_env();
    /// # let _ = config;
    /// let config = SessionConfig::builder().secret_key("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e").build().unwrap();
    /// assert!(SessionLayer::new(config).is_ok());
    /// ```
    pub fn new(config: SessionConfig) -> Result<SessionLayer, Error> {
        let settings = Arc::new(config.settings);
        let keys = KeyringHandle::new(config.keyring, settings.clone(), config.allow_weak_keys)?;
        Ok(SessionLayer {
            shared: Arc::new(Shared {
                settings,
                storage: config.storage,
                keys,
            }),
        })
    }

    /// The handle to swap keys while serving (see [`KeyringHandle`]).
    ///
    /// ```
    /// # use waxseal_axum::{SessionConfig, SessionLayer};
    /// # let layer = SessionLayer::new(SessionConfig::builder().secret_key("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e").build().unwrap()).unwrap();
    /// let keys = layer.keyring();
    /// assert_eq!(keys.load().len(), 1);
    /// ```
    pub fn keyring(&self) -> KeyringHandle {
        self.shared.keys.clone()
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service made by [`SessionLayer`].
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for SessionService<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let slot = Slot {
            shared: self.shared.clone(),
            session: RefCell::new(None),
        };
        ResponseFuture {
            state: FutureState::Running {
                fut: SLOT.scope(slot, self.inner.call(req)),
            },
        }
    }
}

type SaveFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`].
    pub struct ResponseFuture<F> {
        #[pin]
        state: FutureState<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F> {
        Running { #[pin] fut: TaskLocalFuture<Slot, F> },
        Saving { fut: SaveFuture },
    }
}

impl<F, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut this = self.as_mut().project();
            match this.state.as_mut().project() {
                FutureStateProj::Running { mut fut } => {
                    let result = ready!(fut.as_mut().poll(cx));
                    let session = fut.take_value().and_then(|slot| slot.session.into_inner());
                    let (response, session) = match (result, session) {
                        (Err(e), _) => return Poll::Ready(Err(e)),
                        (Ok(response), None) => return Poll::Ready(Ok(response)),
                        (Ok(response), Some(session)) => (response, session),
                    };
                    match finish(session, response) {
                        Finish::Done(response) => return Poll::Ready(Ok(response)),
                        Finish::Pending(save) => this.state.set(FutureState::Saving { fut: save }),
                    }
                }
                FutureStateProj::Saving { fut } => {
                    return Poll::Ready(Ok(ready!(fut.as_mut().poll(cx))));
                }
            }
        }
    }
}

enum Finish {
    Done(Response),
    Pending(SaveFuture),
}

/// Flask's `save_session`: synchronous for cookies, a future for server-side stores.
fn finish(session: Session, mut response: Response) -> Finish {
    let inner = session.inner;
    let Ok(state) = inner.state.try_lock() else {
        // Still held (a task spawned by the handler kept a clone): wait for it.
        return Finish::Pending(Box::pin(async move {
            let mut state = inner.state.lock().await;
            save_async(&inner, &mut state, response).await
        }));
    };
    if !state.loaded {
        return Finish::Done(response);
    }
    let now = state.now;
    let decision = decide_save_at(&state.data.state(), &inner.shared.settings, now);
    match &inner.shared.storage {
        Storage::SignedCookie | Storage::EncryptedCookie => {
            match cookie_header(&inner, &state.data, decision, now) {
                Ok(header) => apply(&mut response, header, decision.vary_cookie),
                Err(status) => response = status.into_response(),
            }
            Finish::Done(response)
        }
        Storage::Server(_) => {
            drop(state);
            Finish::Pending(Box::pin(async move {
                let mut state = inner.state.lock().await;
                save_async(&inner, &mut state, response).await
            }))
        }
    }
}

/// The `Set-Cookie` value for a cookie session, or the status of the error response that
/// replaces the handler's (the session could not be saved: the client must not believe it was).
fn cookie_header(
    inner: &Inner,
    session: &waxseal::flask::session::Session,
    decision: SaveDecision,
    now: u64,
) -> Result<Option<String>, StatusCode> {
    let settings = &inner.shared.settings;
    match &inner.shared.storage {
        Storage::SignedCookie => match inner.codecs.flask.save_at(session, now) {
            Ok(outcome) => {
                if let Some(w) = &outcome.warning {
                    tracing::warn!(
                        "{w} (sent anyway: OversizeCookie::Warn); largest keys: {}",
                        largest_keys(session.data())
                    );
                }
                Ok(outcome.set_cookie)
            }
            Err(SaveError::TooLarge(e)) => Err(oversize(&e, session.data())),
            Err(SaveError::Json(e)) => {
                tracing::error!("session not saved: {e}");
                Err(StatusCode::INTERNAL_SERVER_ERROR)
            }
        },
        // Server-side sessions are saved by `save_async`.
        Storage::Server(_) => Ok(None),
        Storage::EncryptedCookie => match decision.action {
            CookieAction::Leave => Ok(None),
            CookieAction::Delete => delete_cookie_header(settings)
                .map(|c| Some(c.header))
                .map_err(|e| oversize(&e, session.data())),
            CookieAction::Set { expires } => {
                let sealed = flask_json::dumps_dict(session.data())
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        inner
                            .codecs
                            .encrypted
                            .seal_at(&settings.name, json.as_bytes(), now)
                            .map_err(|e| e.to_string())
                    });
                let value = match sealed {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::error!("session not saved: {e}");
                        return Err(StatusCode::INTERNAL_SERVER_ERROR);
                    }
                };
                signed_value_header(settings, &value, expires, session.data())
            }
        },
    }
}

fn signed_value_header(
    settings: &CookieSettings,
    value: &str,
    expires: Option<u64>,
    data: &Dict,
) -> Result<Option<String>, StatusCode> {
    match set_cookie_header(settings, value, expires) {
        Ok(c) => {
            if let Some(w) = &c.warning {
                tracing::warn!(
                    "{w} (sent anyway: OversizeCookie::Warn); largest keys: {}",
                    largest_keys(data)
                );
            }
            Ok(Some(c.header))
        }
        Err(e) => Err(oversize(&e, data)),
    }
}

/// The 500 that replaces a response whose session is too large for a cookie, logged with the
/// size and the keys that take the most room, so the loss is never silent.
fn oversize(e: &waxseal::flask::cookie::CookieTooLarge, data: &Dict) -> StatusCode {
    tracing::error!(
        "session not saved: {e}; largest keys: {}",
        largest_keys(data)
    );
    StatusCode::INTERNAL_SERVER_ERROR
}

/// `"a" (3000 bytes), "b" (120 bytes), ...`: the three largest keys by encoded size.
fn largest_keys(data: &Dict) -> String {
    let mut sizes: Vec<(usize, &str)> = data
        .iter()
        .map(|(k, v)| {
            (
                flask_json::dumps(v).map(|s| s.len()).unwrap_or(0),
                k.as_str(),
            )
        })
        .collect();
    sizes.sort_by(|a, b| b.cmp(a));
    sizes
        .iter()
        .take(3)
        .map(|(n, k)| format!("{k:?} ({n} bytes)"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn apply(response: &mut Response, set_cookie: Option<String>, vary_cookie: bool) {
    if let Some(header) = set_cookie {
        match HeaderValue::try_from(header) {
            Ok(v) => {
                response.headers_mut().append(SET_COOKIE, v);
            }
            Err(e) => tracing::error!("session cookie header not sendable: {e}"),
        }
    }
    if vary_cookie {
        add_vary_cookie(response);
    }
}

/// Werkzeug's `response.vary.add("Cookie")`: one `Vary` header, `Cookie` added once.
fn add_vary_cookie(response: &mut Response) {
    let headers = response.headers_mut();
    if !headers.contains_key(VARY) {
        headers.insert(VARY, HeaderValue::from_static("Cookie"));
        return;
    }
    let existing: Vec<String> = headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if existing
        .iter()
        .any(|v| v.eq_ignore_ascii_case("cookie") || v == "*")
    {
        return;
    }
    let mut joined = existing.join(", ");
    if !joined.is_empty() {
        joined.push_str(", ");
    }
    joined.push_str("Cookie");
    if let Ok(v) = HeaderValue::try_from(joined) {
        headers.insert(VARY, v);
    }
}

/// Server-side save: only the keys this request changed reach the store.
async fn save_async(inner: &Inner, state: &mut State, mut response: Response) -> Response {
    if !state.loaded {
        return response;
    }
    let Storage::Server(store) = &inner.shared.storage else {
        // A cookie session whose lock was held at the end of the request.
        let now = state.now;
        let decision = decide_save_at(&state.data.state(), &inner.shared.settings, now);
        match cookie_header(inner, &state.data, decision, now) {
            Ok(header) => apply(&mut response, header, decision.vary_cookie),
            Err(status) => response = status.into_response(),
        }
        return response;
    };
    let settings = &inner.shared.settings;
    let now = state.now;
    let decision = decide_save_at(&state.data.state(), settings, now);
    let plan = match plan_store_save(state, decision.action) {
        Ok(plan) => plan,
        Err(e) => return store_failed(e),
    };
    let ttl = std::time::Duration::from_secs(settings.lifetime_secs.max(1));
    let result: Result<Option<String>, StoreError> = async {
        match plan {
            StorePlan::Leave => Ok(None),
            StorePlan::Delete { old } => {
                if let Some(old) = &old {
                    store.delete(old).await?;
                }
                delete_cookie_header(settings)
                    .map(|c| Some(c.header))
                    .map_err(|e| StoreError::Config(e.to_string()))
            }
            StorePlan::Save {
                id,
                changes,
                delete_old,
                expires,
            } => {
                store.save(&id, &changes, ttl).await?;
                if let Some(old) = &delete_old {
                    store.delete(old).await?;
                }
                let signed = inner.codecs.id_signer.sign(id.to_hex().as_bytes());
                let value = String::from_utf8(signed)
                    .map_err(|_| StoreError::Corrupt("signed id is not text".into()))?;
                set_cookie_header(settings, &value, expires)
                    .map(|c| Some(c.header))
                    .map_err(|e| StoreError::Config(e.to_string()))
            }
        }
    }
    .await;
    match result {
        Ok(header) => {
            apply(&mut response, header, decision.vary_cookie);
            response
        }
        Err(e) => store_failed(e),
    }
}

/// What a server-side save will do, worked out before the first `.await`.
enum StorePlan {
    Leave,
    Delete {
        old: Option<SessionId>,
    },
    Save {
        id: SessionId,
        changes: Changes,
        delete_old: Option<SessionId>,
        expires: Option<u64>,
    },
}

fn plan_store_save(state: &State, action: CookieAction) -> Result<StorePlan, StoreError> {
    let old = state.id.clone();
    Ok(match action {
        CookieAction::Leave => StorePlan::Leave,
        CookieAction::Delete => StorePlan::Delete { old },
        CookieAction::Set { expires } => {
            let fresh = state.new_id || old.is_none();
            let data = state.data.data();
            let mut changes = Changes::default();
            let id = match (&old, fresh) {
                (Some(id), false) => {
                    for k in &state.changed {
                        if let Some(v) = data.get(k) {
                            changes.set.insert(k.clone(), encode(k, v)?);
                        }
                    }
                    changes.removed = state
                        .removed
                        .iter()
                        .filter(|k| !data.contains_key(k.as_str()))
                        .cloned()
                        .collect();
                    id.clone()
                }
                _ => {
                    // A new record (first write, clear or regenerate): everything is written.
                    for (k, v) in data {
                        changes.set.insert(k.clone(), encode(k, v)?);
                    }
                    SessionId::random()?
                }
            };
            StorePlan::Save {
                id,
                changes,
                delete_old: if fresh { old } else { None },
                expires,
            }
        }
    })
}

fn store_failed(e: StoreError) -> Response {
    let status = match e {
        StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    tracing::error!("session not saved ({status}): {e}");
    (status, status.canonical_reason().unwrap_or("error")).into_response()
}

fn encode(key: &str, value: &waxseal::flask::Value) -> Result<String, StoreError> {
    flask_json::dumps(value).map_err(|e| StoreError::Corrupt(format!("session key {key:?}: {e}")))
}
