//! Server-side sessions through the layer, on the in-memory store: the cookie carries only a
//! signed id; no record until something is written; forged and unknown ids give empty sessions
//! and create nothing; clear and regenerate delete the old record; concurrent requests that
//! change different keys keep both changes; a store that is down gives 503, never an empty
//! session. (The SQLite and Redis stores run the same contract against real files and a real
//! redis-server in waxseal-store's tests and the live `waxseal serve` tests.)

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal_axum::store::{
    Changes, Fields, MemoryStore, SessionId, SessionStore, StoreError, StoreFuture,
};
use waxseal_axum::{Session, SessionConfig, SessionError, SessionLayer};

const KEY: &str = "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e";
const NEW_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn ring(keys: &[&str]) -> Keyring {
    let fallbacks = keys[1..].iter().map(|k| SecretKey::from_text(k)).collect();
    Keyring::new(
        SecretKey::from_text(keys[0]),
        fallbacks,
        KeyPolicy::RefuseWeak,
    )
    .expect("keys")
}

fn routes() -> Router {
    Router::new()
        .route(
            "/get",
            get(|s: Session| async move {
                let a: Option<i64> = s.get("a").await?;
                let b: Option<i64> = s.get("b").await?;
                Ok::<_, SessionError>(format!("{a:?} {b:?}"))
            }),
        )
        .route(
            "/set-a",
            get(|s: Session| async move {
                let a = s.get::<i64>("a").await?.unwrap_or(0) + 1;
                // Widen the race window: the other request loads before this one saves.
                tokio::time::sleep(Duration::from_millis(50)).await;
                s.insert("a", a).await?;
                Ok::<_, SessionError>("a")
            }),
        )
        .route(
            "/set-b",
            get(|s: Session| async move {
                let b = s.get::<i64>("b").await?.unwrap_or(0) + 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                s.insert("b", b).await?;
                Ok::<_, SessionError>("b")
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
            "/login",
            get(|s: Session| async move {
                s.regenerate().await?;
                s.insert("user", "ada").await?;
                Ok::<_, SessionError>("logged in")
            }),
        )
}

fn app(store: Arc<dyn SessionStore>, keys: &[&str]) -> (Router, SessionLayer) {
    let config = SessionConfig::builder()
        .keyring(ring(keys))
        .store(store)
        .build()
        .expect("config");
    let layer = SessionLayer::new(config).expect("layer");
    (routes().layer(layer.clone()), layer)
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

fn cookie(r: &Response) -> Option<String> {
    let h = r.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    Some(h.split(';').next()?.split_once('=')?.1.to_owned())
}

async fn body(r: Response) -> String {
    let b = r.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8(b.to_vec()).expect("utf-8")
}

fn id_of(cookie: &str) -> SessionId {
    SessionId::from_hex(cookie.split('.').next().expect("id")).expect("hex id")
}

#[tokio::test]
async fn the_cookie_carries_a_signed_id_and_the_data_stays_in_the_store() {
    let store = Arc::new(MemoryStore::new());
    let (app, _) = app(store.clone(), &[KEY]);
    let r = call(&app, "/login", None).await;
    let c = cookie(&r).expect("cookie set");
    let (id, sig) = c.split_once('.').expect("id.signature");
    assert_eq!(id.len(), 32, "128-bit id in hex: {c}");
    // Only the id and its signature: no room for data. (Not a check for "ada" in the cookie,
    // which random hex or base64 spells now and then.)
    assert!(
        id.bytes().all(|b| b.is_ascii_hexdigit()) && !sig.is_empty() && !sig.contains('.'),
        "no data in the cookie: {c}"
    );
    assert!(store.contains(&id_of(&c)));
    assert!(
        FlaskSessionCodec::new(&ring(&[KEY])).load(&c).is_err(),
        "not a Flask cookie"
    );
    let record = store.load(&id_of(&c)).await.expect("load").expect("record");
    assert_eq!(record.get("user").map(String::as_str), Some("\"ada\""));
}

#[tokio::test]
async fn nothing_is_stored_until_something_is_written_and_forged_ids_create_nothing() {
    let store = Arc::new(MemoryStore::new());
    let (app, _) = app(store.clone(), &[KEY]);
    // Reading a new session creates nothing.
    let r = call(&app, "/get", None).await;
    assert_eq!(cookie(&r), None);
    assert!(store.is_empty());
    // A forged id (no valid signature) and an unknown id (signed, no record) both read as empty
    // and create nothing.
    let forged = format!("{}.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "ab".repeat(16));
    let (other_app, _) = self::app(Arc::new(MemoryStore::new()), &[KEY]);
    let unknown = cookie(&call(&other_app, "/login", None).await).expect("signed id");
    for c in [forged.as_str(), &unknown, "garbage", ""] {
        let r = call(&app, "/get", Some(c)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(cookie(&r), None, "{c}");
        assert_eq!(body(r).await, "None None", "{c}");
    }
    assert!(store.is_empty(), "no record created");
}

#[tokio::test]
async fn clear_and_regenerate_delete_the_old_record() {
    let store = Arc::new(MemoryStore::new());
    let (app, _) = app(store.clone(), &[KEY]);
    let first = cookie(&call(&app, "/login", None).await).expect("cookie");
    // Regenerate on a second login: new id, data kept, old id dead.
    let second = cookie(&call(&app, "/login", Some(&first)).await).expect("cookie");
    assert_ne!(id_of(&first), id_of(&second));
    assert!(!store.contains(&id_of(&first)), "old record deleted");
    assert!(store.contains(&id_of(&second)));
    let r = call(&app, "/set-a", Some(&first)).await;
    let fresh = cookie(&r).expect("a new session");
    assert_ne!(
        id_of(&fresh),
        id_of(&second),
        "the old id does not reach the new record"
    );
    // Clear deletes the record and the cookie.
    let r = call(&app, "/clear", Some(&second)).await;
    assert_eq!(cookie(&r).as_deref(), Some(""));
    assert!(!store.contains(&id_of(&second)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_changing_different_keys_lose_nothing() {
    let store = Arc::new(MemoryStore::new());
    let (app, _) = app(store.clone(), &[KEY]);
    let c = cookie(&call(&app, "/set-a", None).await).expect("cookie");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (app, c) = (app.clone(), c.clone());
        tasks.push(tokio::spawn(async move {
            let path = if i % 2 == 0 { "/set-b" } else { "/set-a" };
            call(&app, path, Some(&c)).await.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::OK);
    }
    // Each key saw last-write-wins among its own writers, but no write to `b` undid `a`.
    let got = body(call(&app, "/get", Some(&c)).await).await;
    let (a, b) = got.split_once(' ').expect("two values");
    assert_ne!(a, "None");
    assert_ne!(
        b, "None",
        "the writes to b were not undone by those to a: {got}"
    );
}

#[tokio::test]
async fn ids_signed_with_a_rotated_key_still_work() {
    let store = Arc::new(MemoryStore::new());
    let (app, layer) = app(store.clone(), &[KEY]);
    let c = cookie(&call(&app, "/login", None).await).expect("cookie");
    layer
        .keyring()
        .replace(ring(&[NEW_KEY, KEY]))
        .expect("rotate");
    let r = call(&app, "/set-a", Some(&c)).await;
    let resigned = cookie(&r).expect("saved");
    assert_eq!(id_of(&resigned), id_of(&c), "same record");
    assert_ne!(resigned, c, "re-signed with the new key");
    assert_eq!(
        body(call(&app, "/get", Some(&resigned)).await).await,
        "Some(1) None"
    );
}

/// A store whose server is down: every call fails as an unreachable Redis would.
struct Down;

impl SessionStore for Down {
    fn load<'a>(&'a self, _: &'a SessionId) -> StoreFuture<'a, Option<Fields>> {
        Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
    }
    fn save<'a>(&'a self, _: &'a SessionId, _: &'a Changes, _: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
    }
    fn delete<'a>(&'a self, _: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
    }
    fn describe(&self) -> String {
        "a store that is down".into()
    }
}

#[tokio::test]
async fn a_store_that_is_down_gives_503_never_an_empty_session() {
    let (good, _) = app(Arc::new(MemoryStore::new()), &[KEY]);
    let c = cookie(&call(&good, "/login", None).await).expect("cookie");
    let (down, _) = app(Arc::new(Down), &[KEY]);
    for path in ["/get", "/set-a", "/clear"] {
        let r = call(&down, path, Some(&c)).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(
            cookie(&r),
            None,
            "{path}: no cookie change while the store is down"
        );
    }
    // A new visitor has no id to look up; the first write fails with 503 too.
    let r = call(&down, "/login", None).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}
