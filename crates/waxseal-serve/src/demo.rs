//! The demo app (`/`, `/login`, `/logout`) and the JSON API (`/api/...`).
//!
//! Every handler goes through the `Session` extractor only, exactly as an app built on
//! `waxseal-axum` would: nothing here knows whether the session lives in a signed cookie, an
//! encrypted one or a store.

use askama::Template;
use axum::extract::{Form, Json};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value as JsonValue};
use waxseal::flask::Value;
use waxseal_axum::{Session, SessionError};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route(
            "/api/session",
            get(get_session).post(post_session).delete(delete_session),
        )
        .route("/api/visit", get(visit))
        .route("/api/ping", get(ping))
        .route("/api/flashes", get(flashes))
        .route("/api/flash", post(add_flash))
}

#[derive(Template)]
#[template(path = "demo.html")]
struct DemoPage {
    user: Option<String>,
    visits: u64,
    flashes: Vec<(String, String)>,
    permanent: bool,
}

async fn index(session: Session) -> Result<Response, SessionError> {
    let visits = visits(&session).await? + 1;
    session.insert("visits", visits).await?;
    let page = DemoPage {
        user: session.get::<String>("user").await?,
        visits,
        flashes: take_flash_texts(&session).await?,
        permanent: session.permanent().await?,
    };
    Ok(render(&page))
}

/// The visit counter; a value that is not a count (set by hand through the API) restarts it.
async fn visits(session: &Session) -> Result<u64, SessionError> {
    Ok(session
        .get_value("visits")
        .await?
        .and_then(|v| waxseal::flask::from_value::<u64>(v).ok())
        .unwrap_or(0))
}

/// The flashes as text: strings (and Markup) as they are, anything else as JSON.
async fn take_flash_texts(session: &Session) -> Result<Vec<(String, String)>, SessionError> {
    Ok(session
        .take_flashes()
        .await?
        .into_iter()
        .map(|(category, message)| {
            let text = match message {
                Value::Str(s) | Value::Markup(s) => s,
                other => waxseal_axum::natural_json(&other).to_string(),
            };
            (category, text)
        })
        .collect())
}

pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    #[serde(default)]
    remember: Option<String>,
}

/// Logging in starts from an empty session: signed-cookie sessions have no id to regenerate, but
/// nothing from before the login (a planted value, say) may carry over into the logged-in one.
async fn login(session: Session, Form(form): Form<LoginForm>) -> Result<Response, SessionError> {
    let name: String = form.name.trim().chars().take(64).collect();
    if name.is_empty() {
        session.flash("error", "Type a name to log in.").await?;
        return Ok(Redirect::to("/").into_response());
    }
    // A fresh session (and, server-side, a fresh id: fixation defence).
    session.clear().await?;
    session.regenerate().await?;
    session.insert("user", &name).await?;
    if form.remember.is_some() {
        session.set_permanent(true).await?;
    }
    session
        .flash("message", format!("Welcome, {name}! You are logged in."))
        .await?;
    Ok(Redirect::to("/").into_response())
}

async fn logout(session: Session) -> Result<Response, SessionError> {
    session.clear().await?;
    session.flash("message", "You are logged out.").await?;
    Ok(Redirect::to("/").into_response())
}

async fn get_session(session: Session) -> Result<Json<JsonValue>, SessionError> {
    Ok(Json(session.to_json().await?))
}

async fn post_session(
    session: Session,
    Json(body): Json<JsonValue>,
) -> Result<Response, SessionError> {
    let JsonValue::Object(fields) = body else {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "expected a JSON object"})),
        )
            .into_response());
    };
    merge(&session, fields).await?;
    Ok(Json(session.to_json().await?).into_response())
}

async fn merge(session: &Session, fields: Map<String, JsonValue>) -> Result<(), SessionError> {
    for (key, value) in fields {
        session.insert(&key, value).await?;
    }
    Ok(())
}

async fn delete_session(session: Session) -> Result<Json<JsonValue>, SessionError> {
    session.clear().await?;
    Ok(Json(json!({})))
}

async fn visit(session: Session) -> Result<Json<JsonValue>, SessionError> {
    let visits = visits(&session).await? + 1;
    session.insert("visits", visits).await?;
    Ok(Json(json!({ "visits": visits })))
}

async fn ping() -> Json<JsonValue> {
    Json(json!({"pong": true}))
}

async fn flashes(session: Session) -> Result<Json<JsonValue>, SessionError> {
    let taken = take_flash_texts(&session).await?;
    Ok(Json(json!(taken)))
}

#[derive(Deserialize)]
struct FlashBody {
    #[serde(default = "default_category")]
    category: String,
    message: String,
}

fn default_category() -> String {
    "message".to_owned()
}

async fn add_flash(
    session: Session,
    Json(body): Json<FlashBody>,
) -> Result<Json<JsonValue>, SessionError> {
    session.flash(&body.category, body.message).await?;
    Ok(Json(json!({"ok": true})))
}
