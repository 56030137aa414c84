//! The layer through `tower::ServiceExt::oneshot`: every Flask save rule, laziness, oversize
//! handling, weak-key refusal, encrypted cookies and live key rotation under concurrent
//! requests. (Byte-identity with a live Flask app is proven in waxseal-cli's live tests.)

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use waxseal::flask::cookie::{delete_cookie_header, CookieSettings};
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::flask::{Dict, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal::timed::unix_now;
use waxseal_axum::{
    Error, OversizeCookie, Session, SessionConfig, SessionConfigBuilder, SessionError, SessionLayer,
};

const KEY: &str = "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e";
const NEW_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn ring(keys: &[&str]) -> Keyring {
    let current = SecretKey::from_text(keys[0]);
    let fallbacks = keys[1..].iter().map(|k| SecretKey::from_text(k)).collect();
    Keyring::new(current, fallbacks, KeyPolicy::RefuseWeak).expect("strong test keys")
}

fn routes() -> Router {
    Router::new()
        .route("/none", get(|| async { "no session" }))
        .route("/extract-only", get(|_s: Session| async { "extracted" }))
        .route(
            "/get",
            get(|s: Session| async move {
                let x: Option<i64> = s.get("x").await?;
                Ok::<_, SessionError>(format!("{x:?}"))
            }),
        )
        .route(
            "/set",
            get(|s: Session| async move {
                s.insert("x", 1).await?;
                Ok::<_, SessionError>("set")
            }),
        )
        .route(
            "/incr",
            get(|s: Session| async move {
                let n = s.get::<i64>("n").await?.unwrap_or(0) + 1;
                s.insert("n", n).await?;
                Ok::<_, SessionError>(n.to_string())
            }),
        )
        .route(
            "/permanent",
            get(|s: Session| async move {
                s.set_permanent(true).await?;
                s.insert("x", 1).await?;
                Ok::<_, SessionError>("permanent")
            }),
        )
        .route(
            "/clear",
            get(|s: Session| async move {
                s.clear().await?;
                Ok::<_, SessionError>("cleared")
            }),
        )
        .route(
            "/flash",
            get(|s: Session| async move {
                s.flash("message", "hello").await?;
                Ok::<_, SessionError>("flashed")
            }),
        )
        .route(
            "/flashes",
            get(|s: Session| async move {
                let f = s.take_flashes().await?;
                Ok::<_, SessionError>(format!("{}", f.len()))
            }),
        )
        .route(
            "/big",
            get(|s: Session| async move {
                s.insert("blob", incompressible(5000)).await?;
                s.insert("small", 1).await?;
                Ok::<_, SessionError>("big")
            }),
        )
        .route(
            "/vary",
            get(|s: Session| async move {
                s.get_value("x").await?;
                Ok::<_, SessionError>(([(header::VARY, "Accept-Encoding")], "vary").into_response())
            }),
        )
}

/// Text zlib cannot shrink (Flask compresses payloads when that helps).
fn incompressible(len: usize) -> String {
    let mut rng = waxseal_interop::XorShift::new(0x9e37_79b9_7f4a_7c15);
    (0..len)
        .map(|_| char::from(b'!' + (rng.next_u64() % 90) as u8))
        .collect()
}

fn builder() -> SessionConfigBuilder {
    SessionConfig::builder().keyring(ring(&[KEY]))
}

fn app(builder: SessionConfigBuilder) -> Router {
    routes().layer(SessionLayer::new(builder.build().expect("config")).expect("layer"))
}

async fn call(app: &Router, path: &str, cookie: Option<&str>) -> Response {
    let mut req = Request::builder().uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("session={c}"));
    }
    app.clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible")
}

fn set_cookie(r: &Response) -> Option<String> {
    r.headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().expect("ascii").to_owned())
}

/// The cookie value of a `Set-Cookie` header.
fn value_of(set_cookie: &str) -> String {
    let first = set_cookie.split(';').next().expect("pair");
    first.split_once('=').expect("name=value").1.to_owned()
}

fn vary(r: &Response) -> Option<String> {
    r.headers()
        .get(header::VARY)
        .map(|v| v.to_str().expect("ascii").to_owned())
}

async fn body(r: Response) -> String {
    let bytes = r.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[tokio::test]
async fn a_handler_that_does_not_touch_the_session_sends_no_cookie_and_no_vary() {
    let app = app(builder());
    for path in ["/none", "/extract-only"] {
        let r = call(&app, path, Some("garbage")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(set_cookie(&r), None, "{path}");
        assert_eq!(vary(&r), None, "{path}");
    }
}

#[tokio::test]
async fn reading_adds_vary_only_and_writing_sets_a_cookie_flask_can_read() {
    let app = app(builder());
    let r = call(&app, "/get", None).await;
    assert_eq!(set_cookie(&r), None);
    assert_eq!(vary(&r).as_deref(), Some("Cookie"));

    let r = call(&app, "/set", None).await;
    let header = set_cookie(&r).expect("modified: cookie set");
    assert!(header.ends_with("; HttpOnly; Path=/"), "{header}");
    assert!(
        !header.contains("Expires"),
        "browser-session cookie: {header}"
    );
    assert_eq!(vary(&r).as_deref(), Some("Cookie"));
    let codec = FlaskSessionCodec::new(&ring(&[KEY]));
    let loaded = codec
        .load(&value_of(&header))
        .expect("a valid Flask cookie");
    assert_eq!(loaded.value.get("x"), Some(&Value::from(1)));

    // Read back through the layer; unmodified non-permanent: nothing re-sent.
    let r = call(&app, "/get", Some(&value_of(&header))).await;
    assert_eq!(set_cookie(&r), None);
    assert_eq!(body(r).await, "Some(1)");
}

#[tokio::test]
async fn tampered_expired_and_garbage_cookies_give_an_empty_session() {
    let app = app(builder().permanent_session_lifetime(Duration::from_secs(60)));
    let codec = FlaskSessionCodec::new(&ring(&[KEY]));
    let mut dict = Dict::default();
    dict.insert("x".into(), Value::from(7));
    let good = codec.dumps_at(&dict, unix_now()).expect("dumps");
    assert_eq!(body(call(&app, "/get", Some(&good)).await).await, "Some(7)");

    let expired = codec.dumps_at(&dict, unix_now() - 3600).expect("dumps");
    let mut tampered = good.clone().into_bytes();
    tampered[2] ^= 1;
    let tampered = String::from_utf8(tampered).expect("ascii");
    let other_key = FlaskSessionCodec::new(&ring(&[NEW_KEY]))
        .dumps_at(&dict, unix_now())
        .expect("dumps");
    for bad in [expired.as_str(), &tampered, &other_key, "garbage", "..", ""] {
        let r = call(&app, "/get", Some(bad)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(body(r).await, "None", "{bad:?}");
    }
}

#[tokio::test]
async fn permanent_sessions_get_expires_and_are_refreshed_each_request_unless_disabled() {
    let app1 = app(builder().permanent_session_lifetime(Duration::from_secs(3600)));
    let r = call(&app1, "/permanent", None).await;
    let header = set_cookie(&r).expect("set");
    assert!(header.contains("; Expires="), "{header}");
    let cookie = value_of(&header);
    // Reading a permanent session refreshes it (SESSION_REFRESH_EACH_REQUEST).
    let r = call(&app1, "/get", Some(&cookie)).await;
    assert!(set_cookie(&r).expect("refreshed").contains("; Expires="));
    assert_eq!(vary(&r).as_deref(), Some("Cookie"));

    let app2 = app(builder().session_refresh_each_request(false));
    let r = call(&app2, "/get", Some(&cookie)).await;
    assert_eq!(set_cookie(&r), None, "no refresh when disabled");
    assert_eq!(body(r).await, "Some(1)");
}

#[tokio::test]
async fn clearing_deletes_the_cookie_with_werkzeugs_header_and_attributes() {
    let b = builder()
        .session_cookie_domain(Some("example.org".into()))
        .session_cookie_path("/app")
        .session_cookie_secure(true)
        .session_cookie_samesite(Some("lax"))
        .session_cookie_partitioned(true);
    let settings = b_settings();
    let app = app(b);
    let r = call(&app, "/set", None).await;
    let header = set_cookie(&r).expect("set");
    assert!(
        header.ends_with(
            "; Domain=example.org; Secure; HttpOnly; Path=/app; SameSite=Lax; Partitioned"
        ),
        "{header}"
    );
    let r = call(&app, "/clear", Some(&value_of(&header))).await;
    assert_eq!(
        set_cookie(&r),
        Some(delete_cookie_header(&settings).unwrap().header)
    );
    assert_eq!(vary(&r).as_deref(), Some("Cookie"));
    // Clearing an empty session that had no cookie sends a delete too (it was modified).
    let r = call(&app, "/clear", None).await;
    assert_eq!(
        set_cookie(&r),
        Some(delete_cookie_header(&settings).unwrap().header)
    );
}

fn b_settings() -> CookieSettings {
    CookieSettings {
        domain: Some("example.org".into()),
        path: "/app".into(),
        secure: true,
        same_site: Some(waxseal::flask::cookie::SameSite::Lax),
        partitioned: true,
        ..CookieSettings::default()
    }
}

#[tokio::test]
async fn vary_is_merged_into_the_existing_header() {
    let app = app(builder());
    let r = call(&app, "/vary", None).await;
    assert_eq!(vary(&r).as_deref(), Some("Accept-Encoding, Cookie"));
}

#[tokio::test]
async fn flashes_are_shown_once() {
    let app = app(builder());
    let r = call(&app, "/flash", None).await;
    let cookie = value_of(&set_cookie(&r).expect("set"));
    let r = call(&app, "/flashes", Some(&cookie)).await;
    let header = set_cookie(&r).expect("flashes taken: the now-empty session is deleted");
    assert_eq!(value_of(&header), "");
    assert_eq!(body(r).await, "1");
}

#[tokio::test]
async fn oversize_sessions_are_a_500_by_default_and_sent_with_a_warning_on_request() {
    let r = call(&app(builder()), "/big", None).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        set_cookie(&r),
        None,
        "nothing is sent that the browser would drop"
    );

    let r = call(&app(builder().oversize(OversizeCookie::Warn)), "/big", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(set_cookie(&r).expect("sent anyway").len() > 4093);
}

#[test]
fn weak_keys_refuse_to_build_a_layer_unless_allowed() {
    let weak = Keyring::new(SecretKey::from_text("secret"), vec![], KeyPolicy::AllowWeak)
        .expect("allowed");
    let err = SessionConfig::builder()
        .keyring(weak.clone())
        .build()
        .expect_err("weak key refused");
    assert!(matches!(err, Error::WeakKey { .. }));
    assert!(err.to_string().contains("waxseal key new"), "{err}");
    let config = SessionConfig::builder()
        .keyring(weak.clone())
        .allow_weak_keys()
        .build()
        .expect("opted out");
    let layer = SessionLayer::new(config).expect("opted out");
    // Rotation refuses weak keys too unless the app opted out at construction.
    let strict = SessionLayer::new(builder().build().expect("config")).expect("layer");
    assert!(strict.keyring().replace(weak.clone()).is_err());
    assert!(layer.keyring().replace(weak).is_ok());
}

#[tokio::test]
async fn encrypted_cookies_round_trip_and_are_not_flask_cookies() {
    let app = app(builder().encrypted());
    let r = call(&app, "/incr", None).await;
    let cookie = value_of(&set_cookie(&r).expect("set"));
    assert!(
        !cookie.contains('.'),
        "not a signed itsdangerous token: {cookie}"
    );
    assert!(FlaskSessionCodec::new(&ring(&[KEY])).load(&cookie).is_err());
    let r = call(&app, "/incr", Some(&cookie)).await;
    assert_eq!(body(r).await, "2");
    // A signed Flask cookie is not accepted by an encrypted-cookie app.
    let signed =
        value_of(&set_cookie(&call(&self::app(builder()), "/set", None).await).expect("set"));
    assert_eq!(body(call(&app, "/get", Some(&signed)).await).await, "None");
}

#[tokio::test]
async fn without_the_layer_the_extractor_is_a_clear_500() {
    let app = routes();
    let r = call(&app, "/get", None).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_swap_live_under_concurrent_requests_and_no_one_is_logged_out() {
    let layer = SessionLayer::new(builder().build().expect("config")).expect("layer");
    let keys = layer.keyring();
    let app = routes().layer(layer);
    let old_cookie = value_of(&set_cookie(&call(&app, "/incr", None).await).expect("set"));

    let mut tasks = Vec::new();
    for i in 0..200 {
        let app = app.clone();
        let cookie = old_cookie.clone();
        tasks.push(tokio::spawn(async move {
            let r = call(&app, "/incr", Some(&cookie)).await;
            assert_eq!(r.status(), StatusCode::OK, "request {i}");
            let header = set_cookie(&r).expect("modified");
            (value_of(&header), body(r).await)
        }));
        if i == 100 {
            keys.replace(ring(&[NEW_KEY, KEY])).expect("rotation");
        }
    }
    let mut resigned = 0;
    for t in tasks {
        let (cookie, n) = t.await.expect("task");
        assert_eq!(n, "2", "every request read the old session");
        if FlaskSessionCodec::new(&ring(&[NEW_KEY]))
            .load(&cookie)
            .is_ok()
        {
            resigned += 1;
        } else {
            FlaskSessionCodec::new(&ring(&[KEY]))
                .load(&cookie)
                .expect("signed with one of the two keys");
        }
    }
    assert!(
        resigned >= 99,
        "requests after the swap sign with the new key ({resigned})"
    );
    // After the swap, the old cookie still reads, and the answer is signed with the new key.
    let r = call(&app, "/incr", Some(&old_cookie)).await;
    let header = set_cookie(&r).expect("set");
    FlaskSessionCodec::new(&ring(&[NEW_KEY]))
        .load(&value_of(&header))
        .expect("re-signed with the new key");
}

#[test]
fn a_session_is_send_and_sync_and_its_futures_are_send() {
    fn send_sync<T: Send + Sync + Clone>(_: &T) {}
    fn send<F: std::future::Future + Send>(_: F) {}
    let _ = |s: Session| {
        send_sync(&s);
        send(async move { s.get::<u64>("n").await });
    };
}
