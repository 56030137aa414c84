//! Live interop of an app built on the waxseal-axum layer (in this process) with a real Flask
//! 3.1 app (tests/interop/flask_demo_app.py) on loopback, one secret: Flask's tagged types
//! (tuples, bytes, datetimes, UUIDs, Markup, unicode, nested dicts), permanent sessions and
//! flashes cross both ways byte for byte; tampered cookies are empty on both sides; after a
//! rotation (Flask restarted with `SECRET_KEY_FALLBACKS`, the layer's keys swapped live) old
//! cookies are accepted by both and re-signed with the new key.

mod live;

use std::ffi::OsStr;

use axum::routing::get;
use axum::Router;
use live::*;
use serde_json::{json, Value as Json};
use waxseal::flask::json as flask_json;
use waxseal::flask::Value;
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal_axum::{KeyringHandle, Session, SessionConfig, SessionError, SessionLayer};

const OLD_KEY: &str = "live-layer-old-key-6f1d2c9e8b7a";
const NEW_KEY: &str = "live-layer-new-key-0a9b8c7d6e5f";

/// Everything Flask's tagged JSON has a tag for, plus unicode and nesting.
const TAGGED: &str = r#"{"pair":{" t":[1,"two",3.5]},"raw":{" b":"AAEC/w=="},"when":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"id":{" u":"6f1d2c9e8b7a4d3c9e8b7a6f1d2c9e8b"},"html":{" m":"<b>hi</b>"},"text":"h\u00e9llo \u2603 \ud834\udd1e","nested":{"a":{"b":[1,{"c":null}],"tag-like":{" t":[]}}},"_permanent":true}"#;

async fn tagged_get(session: Session) -> Result<String, SessionError> {
    let mut dict = waxseal::flask::Dict::default();
    for key in session.keys().await? {
        if let Some(v) = session.get_value(&key).await? {
            dict.insert(key, v);
        }
    }
    Ok(flask_json::dumps_dict(&dict).expect("encodable"))
}

async fn tagged_post(session: Session, body: String) -> Result<String, SessionError> {
    let Ok(Value::Dict(fields)) = flask_json::loads(&body) else {
        panic!("test sent a non-object");
    };
    for (k, v) in fields {
        session.insert_value(&k, v).await?;
    }
    tagged_get(session).await
}

async fn flashes(session: Session) -> Result<axum::Json<Json>, SessionError> {
    let taken = session.take_flashes().await?;
    Ok(axum::Json(json!(taken
        .into_iter()
        .map(|(c, m)| json!([c, waxseal_axum::natural_json(&m)]))
        .collect::<Vec<_>>())))
}

async fn add_flash(
    session: Session,
    axum::Json(body): axum::Json<Json>,
) -> Result<&'static str, SessionError> {
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    session.flash("message", message).await?;
    Ok("ok")
}

async fn visit(session: Session) -> Result<axum::Json<Json>, SessionError> {
    let n = session.get::<u64>("visits").await?.unwrap_or(0) + 1;
    session.insert("visits", n).await?;
    Ok(axum::Json(json!({ "visits": n })))
}

/// The layer app on a free loopback port.
async fn start_layer_app(keyring: Keyring) -> (String, KeyringHandle) {
    let layer = SessionLayer::new(
        SessionConfig::builder()
            .keyring(keyring)
            .build()
            .expect("config"),
    )
    .expect("layer");
    let keys = layer.keyring();
    let app = Router::new()
        .route("/api/tagged", get(tagged_get).post(tagged_post))
        .route("/api/flashes", get(flashes))
        .route("/api/flash", axum::routing::post(add_flash))
        .route("/api/visit", get(visit))
        .route("/api/ping", get(|| async { "{}" }))
        .layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), keys)
}

fn ring(current: &str, fallbacks: &[&str]) -> Keyring {
    Keyring::new(
        SecretKey::from_text(current),
        fallbacks.iter().map(|k| SecretKey::from_text(k)).collect(),
        KeyPolicy::RefuseWeak,
    )
    .expect("strong keys")
}

fn flask(py: &std::path::Path, current: &str, fallbacks: Option<&str>) -> Flask {
    let mut env: Vec<(&str, &OsStr)> = vec![("FLASK_SECRET_KEY", OsStr::new(current))];
    if let Some(f) = fallbacks {
        env.push(("FLASK_SECRET_KEY_FALLBACKS", OsStr::new(f)));
    }
    Flask::start_with(py, &env)
}

async fn send(
    c: &Client,
    method: &str,
    url: String,
    cookie: Option<&str>,
    body: String,
) -> Response {
    let mut req = match method {
        "GET" => c.get(url),
        _ => c
            .post(url)
            .header("content-type", "application/json")
            .body(body),
    };
    if let Some(cookie) = cookie {
        req = req.header("cookie", format!("session={cookie}"));
    }
    req.send().await.expect("request")
}

/// The Set-Cookie header with the value and the Expires date blanked (they carry the time).
fn attributes(header: &str) -> String {
    header
        .split("; ")
        .skip(1)
        .map(|a| {
            if a.starts_with("Expires=") {
                "Expires=<date>"
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn value_of(header: &str) -> String {
    let pair = header.split(';').next().expect("name=value");
    pair.split_once('=').expect("name=value").1.to_owned()
}

fn payload_part(cookie: &str) -> &str {
    cookie
        .rsplitn(3, '.')
        .nth(2)
        .expect("payload.timestamp.signature")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tagged_types_permanence_and_flashes_cross_both_ways_byte_for_byte() {
    let Some(py) = python("layer_flask_live") else {
        return;
    };
    let flask = flask(&py, OLD_KEY, None);
    let (rust, _keys) = start_layer_app(ring(OLD_KEY, &[])).await;
    let c = client();

    // Flask writes every tagged type; the layer reads the same values back.
    let r = send(&c, "POST", flask.url("/api/tagged"), None, TAGGED.into()).await;
    let flask_header = set_cookie_header(&r, "session").expect("Flask set a cookie");
    let flask_text = r.text().await.expect("body");
    let from_flask = value_of(&flask_header);
    let r = send(
        &c,
        "GET",
        format!("{rust}/api/tagged"),
        Some(&from_flask),
        String::new(),
    )
    .await;
    assert_eq!(
        r.text().await.expect("body"),
        flask_text,
        "the layer reads Flask's values"
    );

    // The layer writes the same values; Flask reads them, and the payload is the same bytes.
    let r = send(
        &c,
        "POST",
        format!("{rust}/api/tagged"),
        None,
        TAGGED.into(),
    )
    .await;
    let rust_header = set_cookie_header(&r, "session").expect("the layer set a cookie");
    assert_eq!(r.text().await.expect("body"), flask_text);
    let from_rust = value_of(&rust_header);
    let r = send(
        &c,
        "GET",
        flask.url("/api/tagged"),
        Some(&from_rust),
        String::new(),
    )
    .await;
    assert_eq!(
        r.text().await.expect("body"),
        flask_text,
        "Flask reads the layer's values"
    );
    assert_eq!(
        payload_part(&from_rust),
        payload_part(&from_flask),
        "same payload bytes"
    );
    // Permanent on both sides: the same attributes (Expires present on both).
    assert!(flask_header.contains("; Expires="), "{flask_header}");
    assert_eq!(attributes(&rust_header), attributes(&flask_header));

    // Flashes: written on one side, shown once on the other.
    let body = json!({"message": "from flask ☃"}).to_string();
    let cookie = set_cookie(
        &send(&c, "POST", flask.url("/api/flash"), None, body).await,
        "session",
    )
    .expect("cookie");
    let r = send(
        &c,
        "GET",
        format!("{rust}/api/flashes"),
        Some(&cookie),
        String::new(),
    )
    .await;
    assert_eq!(
        r.json::<Json>().await.expect("json"),
        json!([["message", "from flask ☃"]])
    );
    let body = json!({"message": "from rust"}).to_string();
    let cookie = set_cookie(
        &send(&c, "POST", format!("{rust}/api/flash"), None, body).await,
        "session",
    )
    .expect("cookie");
    let r = send(
        &c,
        "GET",
        flask.url("/api/flashes"),
        Some(&cookie),
        String::new(),
    )
    .await;
    let after = set_cookie(&r, "session");
    assert_eq!(
        r.json::<Json>().await.expect("json"),
        json!([["message", "from rust"]])
    );
    assert_eq!(
        after.as_deref(),
        Some(""),
        "Flask deletes the emptied session"
    );

    // Tampered: empty on both sides.
    let mut t = from_flask.into_bytes();
    t[3] = if t[3] == b'A' { b'B' } else { b'A' };
    let t = String::from_utf8(t).expect("ascii");
    for url in [flask.url("/api/tagged"), format!("{rust}/api/tagged")] {
        let r = send(&c, "GET", url.clone(), Some(&t), String::new()).await;
        assert_eq!(r.text().await.expect("body"), "{}", "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_live_rotation_old_cookies_are_accepted_by_both_and_resigned() {
    let Some(py) = python("layer_flask_live") else {
        return;
    };
    let (rust, keys) = start_layer_app(ring(OLD_KEY, &[])).await;
    let c = client();
    let old = set_cookie(
        &send(&c, "GET", format!("{rust}/api/visit"), None, String::new()).await,
        "session",
    )
    .expect("cookie");

    // Rotate: the layer without a restart, Flask with SECRET_KEY_FALLBACKS.
    keys.replace(ring(NEW_KEY, &[OLD_KEY])).expect("rotation");
    let fallbacks = json!([OLD_KEY]).to_string();
    let flask = flask(&py, NEW_KEY, Some(&fallbacks));
    let new_only = ring(NEW_KEY, &[]);
    let old_only = waxseal::flask::session::FlaskSessionCodec::new(&ring(OLD_KEY, &[]));
    let new_codec = waxseal::flask::session::FlaskSessionCodec::new(&new_only);
    assert!(old_only.load(&old).is_ok() && new_codec.load(&old).is_err());

    for url in [flask.url("/api/visit"), format!("{rust}/api/visit")] {
        let r = send(&c, "GET", url.clone(), Some(&old), String::new()).await;
        let resigned = set_cookie(&r, "session").expect("re-signed");
        assert_eq!(
            r.json::<Json>().await.expect("json"),
            json!({"visits": 2}),
            "{url}"
        );
        let loaded = new_codec.load(&resigned).expect("signed with the new key");
        assert_eq!(loaded.value.get("visits"), Some(&Value::from(2)));
    }
}
