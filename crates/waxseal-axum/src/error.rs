//! Errors: building the layer ([`Error`]) and using a session in a handler ([`SessionError`]).

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use waxseal::secret::KeyringError;
use waxseal_store::StoreError;

/// Why a session layer or configuration cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `SECRET_KEY` was given.
    #[error("no secret key: set SECRET_KEY (builder .secret_key(...), a keyring, or FLASK_SECRET_KEY); make one with `waxseal key new`")]
    MissingKey,
    /// A key failed the strength check.
    #[error("{which} is weak ({reason}); make a strong key with `waxseal key new`, or call .allow_weak_keys() to accept it knowingly")]
    WeakKey {
        /// `SECRET_KEY` or `fallback key N`.
        which: String,
        /// What makes it weak (never the key itself).
        reason: String,
    },
    /// The keys could not be read.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A setting that cannot be used.
    #[error("session configuration: {0}")]
    Config(String),
}

/// Why a handler could not use its session.
///
/// As a response it is `503 Service Unavailable` when the session store is unreachable (the
/// request fails rather than continuing with an empty session that would then overwrite real
/// data) and `500` otherwise; the reason goes to the log, not to the client.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The server-side store could not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value could not be converted to or from the requested type.
    #[error("session key {key:?}: {message}")]
    Value {
        /// The session key.
        key: String,
        /// What went wrong.
        message: String,
    },
    /// The `Session` extractor was used on a route without a `SessionLayer`.
    #[error("no SessionLayer on this route: add .layer(SessionLayer::new(config)?) to the router")]
    NoLayer,
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        let status = match &self {
            SessionError::Store(StoreError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        tracing::error!(error = %self, "session error");
        (status, status.canonical_reason().unwrap_or("error")).into_response()
    }
}
