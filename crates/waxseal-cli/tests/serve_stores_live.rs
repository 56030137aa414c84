//! Live server-side sessions: `waxseal serve --store sqlite:PATH | redis://… | redis+cluster://…`
//! processes against real SQLite files and real `redis-server`s on loopback. Two servers share
//! sessions; data survives server and Redis restarts; a stopped Redis gives 503 and service
//! resumes when it returns; forged and unknown ids create nothing; login regenerates the id and
//! clear deletes the record; 8 concurrent clients on one session across two servers lose no
//! write; a 3-node Redis Cluster serves sessions.

mod live;

use std::path::Path;
use std::time::{Duration, Instant};

use live::*;
use serde_json::{json, Value};
use waxseal_store::testing::{RedisCluster, RedisServer};

async fn post(c: &Client, url: String, cookie: Option<&str>, body: Value) -> Response {
    let mut req = c.post(url).json(&body);
    if let Some(cookie) = cookie {
        req = req.header("cookie", format!("session={cookie}"));
    }
    req.send().await.expect("POST")
}

async fn get(c: &Client, url: String, cookie: &str) -> Response {
    c.get(url)
        .header("cookie", format!("session={cookie}"))
        .send()
        .await
        .expect("GET")
}

async fn session(c: &Client, serve: &Serve, cookie: &str) -> Value {
    let r = get(c, serve.url("/api/session"), cookie).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

/// The record key of the session id in a signed-id cookie.
fn record_key(cookie: &str) -> String {
    let id = cookie.split('.').next().expect("id.signature");
    format!("waxseal:session:{{{id}}}")
}

fn redis_int(redis: &RedisServer, args: &[&str]) -> i64 {
    let reply = redis.command(args).expect("redis answers");
    reply
        .trim()
        .strip_prefix(':')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("integer reply to {args:?}: {reply:?}"))
}

/// Polls the session until the server answers 200 again (15 s at most), then checks it.
async fn recovers(c: &Client, s: &Serve, cookie: &str, expected: Value, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = get(c, s.url("/api/session"), cookie).await;
        if r.status() == StatusCode::OK {
            assert_eq!(r.json::<Value>().await.expect("json"), expected);
            return;
        }
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn two_servers_share_sessions_and_lose_no_concurrent_write(ring: &Path, store: &str) {
    let a = Serve::start(ring, &["--store", store]);
    let b = Serve::start(ring, &["--store", store]);
    let c = client();
    let r = post(&c, a.url("/api/session"), None, json!({"user": "ada"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = set_cookie(&r, "session").expect("a signed id");
    // The cookie holds only the signed random id (32 hex digits), never the data. (A check for
    // "ada" in it would fail whenever the random hex happens to spell it.)
    let (id, signature) = cookie.split_once('.').expect("id.signature");
    assert!(
        id.len() == 32
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && !signature.is_empty()
            && !signature.contains('.'),
        "{cookie}"
    );
    assert_eq!(
        session(&c, &b, &cookie).await,
        json!({"user": "ada"}),
        "{store}"
    );

    // 8 clients, each writing its own key 25 times, alternating between the two servers.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (c, cookie) = (c.clone(), cookie.clone());
        let urls = [a.url("/api/session"), b.url("/api/session")];
        tasks.push(tokio::spawn(async move {
            for n in 1..=25 {
                let url = urls[(n + i) % 2].clone();
                let r = post(&c, url, Some(&cookie), json!({ format!("k{i}"): n })).await;
                assert_eq!(r.status(), StatusCode::OK);
            }
        }));
    }
    for t in tasks {
        t.await.expect("client");
    }
    let all = session(&c, &a, &cookie).await;
    for i in 0..8 {
        assert_eq!(
            all[format!("k{i}")],
            json!(25),
            "{store}: key k{i} in {all}"
        );
    }
    assert_eq!(all["user"], json!("ada"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sessions_are_shared_survive_restarts_and_lose_no_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let db = dir.path().join("sessions.db");
    let store = format!("sqlite:{}", db.display());
    two_servers_share_sessions_and_lose_no_concurrent_write(&ring, &store).await;

    // A restart keeps the data: it is in the file.
    let c = client();
    let cookie = {
        let s = Serve::start(&ring, &["--store", &store]);
        let r = post(&c, s.url("/api/session"), None, json!({"kept": [1, 2]})).await;
        set_cookie(&r, "session").expect("cookie")
    };
    let s = Serve::start(&ring, &["--store", &store]);
    assert_eq!(session(&c, &s, &cookie).await, json!({"kept": [1, 2]}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_sessions_are_shared_and_lose_no_concurrent_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let redis = RedisServer::start().expect("redis-server (scripts/setup-system installs it)");
    two_servers_share_sessions_and_lose_no_concurrent_write(&ring, &redis.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_gives_503_and_service_resumes_with_the_session_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let mut redis = RedisServer::start_with_aof().expect("redis-server");
    let s = Serve::start(&ring, &["--store", &redis.url()]);
    let c = client();
    let r = post(&c, s.url("/api/session"), None, json!({"cart": ["tea"]})).await;
    let cookie = set_cookie(&r, "session").expect("cookie");

    // Redis restarted (AOF): the session is still there.
    redis.restart().expect("redis restarts");
    recovers(
        &c,
        &s,
        &cookie,
        json!({"cart": ["tea"]}),
        "no recovery after a Redis restart",
    )
    .await;

    // Redis stopped: 503 quickly, for reads and writes; the session-free route still works.
    redis.stop();
    let started = Instant::now();
    let r = get(&c, s.url("/api/session"), &cookie).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded: {:?}",
        started.elapsed()
    );
    let r = post(
        &c,
        s.url("/api/session"),
        Some(&cookie),
        json!({"cart": []}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(set_cookie(&r, "session"), None);
    assert_eq!(
        get(&c, s.url("/api/ping"), "").await.status(),
        StatusCode::OK
    );

    // Redis back: service resumes by itself, nothing was overwritten while it was away.
    redis.restart().expect("redis restarts");
    recovers(
        &c,
        &s,
        &cookie,
        json!({"cart": ["tea"]}),
        "no recovery after Redis returned",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_unknown_ids_create_nothing_and_login_and_clear_delete_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let redis = RedisServer::start().expect("redis-server");
    let s = Serve::start(&ring, &["--store", &redis.url()]);
    let c = client();

    // Forged, garbage and unknown-but-signed ids: empty sessions, no record created.
    let other = RedisServer::start().expect("redis-server");
    let elsewhere = Serve::start(&ring, &["--store", &other.url()]);
    let r = post(&c, elsewhere.url("/api/session"), None, json!({"x": 1})).await;
    let unknown = set_cookie(&r, "session").expect("signed id from another store");
    let forged = format!("{}.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "ab".repeat(16));
    for cookie in [unknown.as_str(), &forged, "garbage"] {
        assert_eq!(session(&c, &s, cookie).await, json!({}), "{cookie}");
        let r = get(&c, s.url("/api/visit"), cookie).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Only the three visits wrote anything: three fresh records, none under the given ids.
    assert_eq!(redis_int(&redis, &["DBSIZE"]), 3);
    assert_eq!(redis_int(&redis, &["EXISTS", &record_key(&unknown)]), 0);

    // Login regenerates the id: the old record is gone, the data moved.
    let r = get(&c, s.url("/api/visit"), "").await;
    let before = set_cookie(&r, "session").expect("cookie");
    let r = c
        .post(s.url("/login"))
        .header("cookie", format!("session={before}"))
        .form(&[("name", "ada")])
        .send()
        .await
        .expect("login");
    let after = set_cookie(&r, "session").expect("new id");
    assert_ne!(record_key(&before), record_key(&after));
    assert_eq!(redis_int(&redis, &["EXISTS", &record_key(&before)]), 0);
    assert_eq!(redis_int(&redis, &["EXISTS", &record_key(&after)]), 1);
    assert_eq!(session(&c, &s, &after).await["user"], json!("ada"));

    // Clear deletes the record.
    let r = c
        .delete(s.url("/api/session"))
        .header("cookie", format!("session={after}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(redis_int(&redis, &["EXISTS", &record_key(&after)]), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_node_redis_cluster_serves_sessions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let cluster = RedisCluster::start(3).expect("a 3-node Redis Cluster");
    let nodes: Vec<String> = cluster
        .urls()
        .iter()
        .map(|u| u.trim_start_matches("redis://").to_owned())
        .collect();
    let store = format!("redis+cluster://{}", nodes.join(","));
    two_servers_share_sessions_and_lose_no_concurrent_write(&ring, &store).await;
}
