//! Flask-compatible sessions for axum: what `flask.session` gives a Flask view, for Rust
//! handlers, sharing one cookie and one secret key with a running Flask app.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use waxseal_axum::{Session, SessionConfig, SessionError, SessionLayer};
//!
//! async fn hello(session: Session) -> Result<String, SessionError> {
//!     let visits = session.get::<u64>("visits").await?.unwrap_or(0) + 1;
//!     session.insert("visits", visits).await?;
//!     Ok(format!("visit number {visits}"))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // FLASK_SECRET_KEY, FLASK_SECRET_KEY_FALLBACKS, FLASK_SESSION_COOKIE_*...: as Flask reads them.
//!     let sessions = SessionLayer::new(SessionConfig::from_env()?.build()?)?;
//!     let app = Router::new().route("/", get(hello)).layer(sessions);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! What is Flask's here, exactly: the cookie format (signed tagged JSON, salt
//! `cookie-session`, SHA-1), the save rules (set when modified; refreshed on every request for
//! permanent sessions when `SESSION_REFRESH_EACH_REQUEST`; deleted when emptied; `Vary:
//! Cookie` whenever the session was accessed), the `Set-Cookie` attributes byte for byte,
//! `_permanent` and `_flashes`, and the configuration names. What is added: live key rotation
//! ([`KeyringHandle`]), weak keys refused, oversize cookies refused loudly instead of dropped
//! silently by the browser, an encrypted cookie ([`SessionConfigBuilder::encrypted`]) and
//! server-side stores ([`SessionConfigBuilder::store`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod error;
mod json;
mod keys;
mod layer;
mod session;

pub use config::{SessionConfig, SessionConfigBuilder, Storage};
pub use error::{Error, SessionError};
pub use json::natural as natural_json;
pub use keys::{KeyringHandle, KeyringSnapshot, SESSION_ID_SALT};
pub use layer::{ResponseFuture, SessionLayer, SessionService};
pub use session::{request_cookie, Session};
pub use waxseal::flask::cookie::{OversizeCookie, SameSite};
pub use waxseal_store as store;

/// Every Rust block of the workspace README compiles (and runs, unless marked `no_run`) as a
/// doc test of this crate, the one that can see both the core and the web layer.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
