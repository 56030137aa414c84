//! `/inspect`: the cookie inspector, a rendering of the core's verification record.
//!
//! Everything shown comes from one [`Inspection`] made by [`Verifier::inspect_at`] with
//! [`Detail::Explain`], the same record `waxseal explain` prints: this page only lays it out as
//! the steps Flask takes. A key typed into the form arrives in a POST body, is used for that one
//! inspection and is neither stored, logged nor echoed back.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use waxseal::inspect::{Detail, FormatKind, Inspection, Payload, TokenFormat, Verdict, Verifier};
use waxseal::secret::{Keyring, SecretKey};

use crate::demo::render;
use crate::{AppState, StoreSpec};
use waxseal_axum::Session;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/inspect", get(inspect_get).post(inspect_post))
}

/// One step of the walk-through: a title, labelled values, an optional sentence.
struct Step {
    title: String,
    rows: Vec<(String, String)>,
    note: Option<String>,
}

/// What the page shows of one inspection.
struct Anatomy {
    verdict: &'static str,
    verdict_title: String,
    explanation: String,
    payload_part: String,
    timestamp_part: String,
    signature_part: String,
    steps: Vec<Step>,
    payload_pretty: Option<String>,
}

#[derive(Template)]
#[template(path = "inspect.html")]
struct InspectPage {
    store: String,
    cookie_name: String,
    lifetime_days: u64,
    source: String,
    empty_note: String,
    anatomy: Option<Anatomy>,
    form_token: String,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
struct InspectForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    key_hex: Option<String>,
}

async fn inspect_get(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let keys = state.keys.load();
    let own = query.token.is_none();
    let (source, token) = match query.token {
        Some(t) => ("The token in the URL".to_owned(), Some(t)),
        None => (
            format!("Your browser's {} cookie", state.cookie_name),
            waxseal_axum::request_cookie(&headers, &state.cookie_name),
        ),
    };
    let mut anatomy = token
        .as_deref()
        .map(|t| anatomy(&state, &keys, extract_token(t, &state.cookie_name)));
    // Server-side: the cookie holds only the id, so show the data the store holds for it.
    if let (true, Some(_), Some(a)) = (own, &state.store_description, anatomy.as_mut()) {
        a.payload_pretty = match session.to_json().await {
            Ok(data) => serde_json::to_string_pretty(&data).ok(),
            Err(e) => Some(format!("(the store did not answer: {e})")),
        };
    }
    let page = page(&state, source, anatomy, token.unwrap_or_default());
    render(&page)
}

async fn inspect_post(State(state): State<AppState>, Form(form): Form<InspectForm>) -> Response {
    let token = extract_token(&form.token, &state.cookie_name).to_owned();
    let given_key = form.key.trim_end_matches(['\r', '\n']);
    let (source, anatomy) = if given_key.is_empty() {
        let keys = state.keys.load();
        (
            "The cookie you pasted, checked with this server's keys".to_owned(),
            anatomy(&state, &keys, &token),
        )
    } else {
        let key = if form.key_hex.is_some() {
            SecretKey::from_hex(given_key.trim())
        } else {
            Ok(SecretKey::from_text(given_key))
        };
        match key {
            Ok(key) => {
                // Someone else's key may be weak: the inspector examines, it does not sign.
                let ring = Keyring::new(key, Vec::new(), waxseal::secret::KeyPolicy::AllowWeak);
                match ring {
                    Ok(ring) => (
                        "The cookie you pasted, checked with the key you gave".to_owned(),
                        anatomy(&state, &ring, &token),
                    ),
                    Err(e) => (
                        format!("That key cannot be used: {e}"),
                        anatomy_without_key(&token),
                    ),
                }
            }
            Err(e) => (
                format!("That key cannot be read: {e}"),
                anatomy_without_key(&token),
            ),
        }
    };
    let anatomy = (!token.is_empty()).then_some(anatomy);
    render(&page(&state, source, anatomy, token))
}

fn page(
    state: &AppState,
    source: String,
    anatomy: Option<Anatomy>,
    form_token: String,
) -> InspectPage {
    InspectPage {
        store: state.store.to_string(),
        cookie_name: state.cookie_name.clone(),
        lifetime_days: state.lifetime.as_secs() / 86_400,
        source,
        empty_note: "Your browser sent no session cookie yet: use the demo page first, or paste a \
                     cookie below."
            .to_owned(),
        anatomy,
        form_token,
    }
}

/// The token in pasted text (the value itself, `name=value`, or a whole `Cookie:` header), by
/// the engine's one extraction rule.
fn extract_token<'a>(text: &'a str, name: &str) -> &'a str {
    let found = waxseal::inspect::extract_token(text.as_bytes(), FormatKind::Flask, name);
    // The token is a sub-slice of UTF-8 text cut at ASCII bytes, so it is UTF-8 too.
    std::str::from_utf8(found.token).unwrap_or(text)
}

fn anatomy_without_key(token: &str) -> Anatomy {
    let verifier = Verifier::decode_only(&TokenFormat::new(FormatKind::Flask));
    describe(&verifier.inspect(token.as_bytes(), Detail::Explain), None)
}

/// The format of this server's cookies: Flask's session cookie, or for server-side stores the
/// signed session id (an itsdangerous `Signer` token with waxseal's session-id salt).
fn cookie_format(state: &AppState) -> TokenFormat {
    let mut format = TokenFormat::new(FormatKind::Flask);
    if state.store_description.is_some() {
        format = TokenFormat::new(FormatKind::Signer);
        format.settings.salt = waxseal_axum::SESSION_ID_SALT.as_bytes().to_vec();
        format.settings.key_derivation = waxseal::KeyDerivation::Hmac;
    }
    format
}

fn anatomy(state: &AppState, keys: &Keyring, token: &str) -> Anatomy {
    let format = cookie_format(state);
    let lifetime = state.lifetime.as_secs();
    match Verifier::with_keyring(&format, keys, Some(lifetime)) {
        Ok(verifier) => {
            let record = verifier.inspect(token.as_bytes(), Detail::Explain);
            let mut a = describe(&record, Some(keys));
            if let Some(place) = &state.store_description {
                a.steps.insert(
                    0,
                    Step {
                        title: "A server-side session: the cookie holds only a signed id".into(),
                        rows: vec![
                            (
                                "session id".into(),
                                record.payload_raw.clone().unwrap_or_default(),
                            ),
                            ("the data lives in".into(), place.clone()),
                        ],
                        note: Some(
                            "The cookie is the session id and its signature (itsdangerous Signer, \
                             salt \"waxseal.session-id\"), made with the same keys as Flask \
                             cookies; a forged id fails the signature before any store lookup. \
                             The data never leaves the server."
                                .into(),
                        ),
                    },
                );
            } else if matches!(state.store, StoreSpec::EncryptedCookie)
                && record.verdict == Verdict::Malformed
            {
                a.steps.insert(
                    0,
                    Step {
                        title: "An encrypted cookie?".into(),
                        rows: Vec::new(),
                        note: Some(
                            "This server keeps sessions in encrypted cookies: their payload is \
                             sealed with XChaCha20-Poly1305 and cannot be read without the key, \
                             so they are not Flask session cookies. Paste a Flask cookie to see \
                             its anatomy."
                                .into(),
                        ),
                    },
                );
            }
            a
        }
        Err(e) => {
            let mut a = anatomy_without_key(token);
            a.explanation = format!("The keys cannot be used: {e}");
            a
        }
    }
}

fn verdict_title(v: Verdict, key_index: Option<usize>) -> String {
    match v {
        Verdict::Valid => "Valid: signed with the current key".into(),
        Verdict::ValidFallback => format!(
            "Valid: signed with fallback key #{} (an older key still accepted)",
            key_index.unwrap_or(0)
        ),
        Verdict::BadSignature => "Bad signature: tampered with, or signed with another key".into(),
        Verdict::Expired => "Expired: genuine, but too old".into(),
        Verdict::Malformed => "Malformed: not a Flask session cookie".into(),
        Verdict::BadPayload => "Bad payload: signed, but the data cannot be read".into(),
        Verdict::NotVerified => "Not verified: decoded without a key".into(),
    }
}

fn age_text(secs: i64) -> String {
    if secs < 0 {
        return format!(
            "{} in the future",
            waxseal::inspect::duration(secs.unsigned_abs())
        );
    }
    waxseal::inspect::duration(secs as u64)
}

/// Lays the record out as the steps Flask takes.
fn describe(r: &Inspection, keys: Option<&Keyring>) -> Anatomy {
    let mut steps = Vec::new();
    let (payload_part, timestamp_part, signature_part) = match &r.parts {
        Some(p) => (
            format!("{}{}", if p.compressed { "." } else { "" }, p.payload),
            p.timestamp_text.clone().unwrap_or_default(),
            p.signature_text.clone(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    if let Some(p) = &r.parts {
        steps.push(Step {
            title: "Split the cookie at its dots".into(),
            rows: vec![
                ("payload".into(), payload_part.clone()),
                ("timestamp".into(), timestamp_part.clone()),
                ("signature".into(), p.signature_text.clone()),
            ],
            note: Some(
                "payload.timestamp.signature: the signature covers everything before the last dot."
                    .into(),
            ),
        });
        let mut rows = vec![(
            "compressed".into(),
            if p.compressed {
                "yes (the leading dot): base64, then zlib".into()
            } else {
                "no: plain base64".to_string()
            },
        )];
        if let Some(raw) = &r.payload_raw {
            rows.push(("payload JSON".into(), raw.clone()));
        }
        if let Some(e) = &r.payload_error {
            rows.push(("could not decode".into(), e.clone()));
        }
        steps.push(Step {
            title: "Decode the payload (anyone can: it is not encrypted)".into(),
            rows,
            note: Some("Flask's session is signed, not secret: never put a password in it.".into()),
        });
        let mut rows = Vec::new();
        if let Some(ts) = p.timestamp {
            rows.push(("signed at (Unix)".into(), ts.to_string()));
            rows.push((
                "signed at".into(),
                waxseal::flask::cookie::http_date(ts as i64),
            ));
        }
        if let Some(age) = &r.age {
            rows.push(("age".into(), age_text(age.age)));
            if let Some(max) = age.max_age {
                rows.push((
                    "lifetime".into(),
                    format!(
                        "{} (PERMANENT_SESSION_LIFETIME)",
                        waxseal::inspect::duration(max)
                    ),
                ));
            }
            rows.push((
                "in date".into(),
                if age.expired { "no: expired" } else { "yes" }.into(),
            ));
        }
        if !rows.is_empty() {
            steps.push(Step {
                title: "Read the timestamp and check the age".into(),
                rows,
                note: None,
            });
        }
    }
    if !r.keys.is_empty() {
        let mut rows = Vec::new();
        for k in &r.keys {
            let who = if k.index == 0 {
                "current key".to_owned()
            } else {
                format!("fallback #{}", k.index)
            };
            rows.push((format!("{who}: fingerprint"), k.fingerprint.clone()));
            rows.push((
                format!("{who}: derived key"),
                format!(
                    "HMAC-SHA1(secret key, \"cookie-session\") → fingerprint {}",
                    k.derived_key_fingerprint
                ),
            ));
            rows.push((
                format!("{who}: expected signature"),
                k.expected_signature.clone(),
            ));
        }
        if let Some(p) = &r.parts {
            rows.push(("signature in the cookie".into(), p.signature_text.clone()));
        }
        rows.push((
            "matched".into(),
            match r.key_index {
                Some(0) => "the current key".to_owned(),
                Some(i) => format!("fallback #{i}"),
                None => "no key (compared in constant time)".to_owned(),
            },
        ));
        steps.push(Step {
            title: "Derive the signing key and recompute the signature".into(),
            rows,
            note: Some(
                "HMAC-SHA1 over \"payload.timestamp\" with the derived key. Without the secret \
                 key nobody can compute it, so a changed payload cannot carry a valid signature."
                    .into(),
            ),
        });
    } else if keys.is_none() {
        steps.push(Step {
            title: "Check the signature".into(),
            rows: Vec::new(),
            note: Some("No usable key: the payload was decoded but nothing was proven.".into()),
        });
    }
    let payload_pretty = r.payload.as_ref().and_then(|p| match p {
        Payload::Json(v) => serde_json::to_string_pretty(v).ok(),
        Payload::Text(t) => Some(t.clone()),
        Payload::Bytes(_) => None,
    });
    Anatomy {
        verdict: r.verdict.as_str(),
        verdict_title: verdict_title(r.verdict, r.key_index),
        explanation: format!("{} {}", r.verdict.explanation(), r.message),
        payload_part,
        timestamp_part,
        signature_part,
        steps,
        payload_pretty,
    }
}

#[cfg(test)]
mod tests {
    use super::extract_token;

    #[test]
    fn pasted_tokens_are_recognised() {
        for text in [
            "abc.def.ghi",
            "  abc.def.ghi\n",
            "session=abc.def.ghi",
            "\"abc.def.ghi\"",
            "Cookie: theme=dark; session=abc.def.ghi; lang=en",
            "theme=dark; session=\"abc.def.ghi\"",
        ] {
            assert_eq!(extract_token(text, "session"), "abc.def.ghi", "{text:?}");
        }
    }
}
