//! The smallest app with sessions: a visit counter.
//!
//! ```sh
//! export FLASK_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex())')
//! cargo run -p waxseal-axum --example minimal
//! curl -c jar -b jar http://127.0.0.1:3000/   # visit 1, visit 2, ...
//! ```
use axum::{routing::get, Router};
use waxseal_axum::{Session, SessionConfig, SessionError, SessionLayer};

async fn hello(session: Session) -> Result<String, SessionError> {
    let visits = session.get::<u64>("visits").await?.unwrap_or(0) + 1;
    session.insert("visits", visits).await?;
    Ok(format!("visit number {visits}\n"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = SessionLayer::new(SessionConfig::from_env()?.build()?)?;
    let app = Router::new().route("/", get(hello)).layer(sessions);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
