//! A Rust app and a Flask app sharing one session: log in on either, you are logged in on both.
//!
//! Both read the same environment, the way Flask's `app.config.from_prefixed_env()` does:
//!
//! ```sh
//! export FLASK_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex())')
//! export FLASK_SECRET_KEY_FALLBACKS='[]' # older keys, during a rotation
//! cargo run -p waxseal-axum --example flask_and_rust     # Rust on 127.0.0.1:3000
//! python tests/interop/flask_demo_app.py 5001             # Flask on 127.0.0.1:5001
//! ```
//!
//! Behind one reverse proxy (same host, so the browser sends the cookie to both), a session
//! written by a Flask view (`session["user"] = "ada"`, `flash("Hi")`) is read here, and what
//! this app writes Flask reads: the cookie format, the tagged types and `_flashes` are Flask's.
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use waxseal_axum::{Session, SessionConfig, SessionError, SessionLayer};

/// `GET /api/session`: the session as Flask left it (tuples as arrays, bytes as base64).
async fn show(session: Session) -> Result<Json<Value>, SessionError> {
    Ok(Json(session.to_json().await?))
}

/// `POST /login`: what a Flask login view does, so Flask sees the same user and message.
async fn login(session: Session, Json(body): Json<Value>) -> Result<Json<Value>, SessionError> {
    let user = body["user"].as_str().unwrap_or("anonymous").to_owned();
    session.clear().await?;
    session.insert("user", &user).await?;
    session.set_permanent(true).await?;
    session.flash("message", format!("Welcome, {user}")).await?;
    Ok(Json(json!({ "user": user })))
}

/// `GET /flashes`: messages flashed by either app, shown once.
async fn flashes(session: Session) -> Result<Json<Value>, SessionError> {
    let taken = session.take_flashes().await?;
    let shown: Vec<Value> = taken
        .iter()
        .map(|(category, message)| json!([category, waxseal_axum::natural_json(message)]))
        .collect();
    Ok(Json(Value::Array(shown)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = SessionLayer::new(SessionConfig::from_env()?.build()?)?;
    let app = Router::new()
        .route("/api/session", get(show))
        .route("/login", post(login))
        .route("/flashes", get(flashes))
        .layer(sessions);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
