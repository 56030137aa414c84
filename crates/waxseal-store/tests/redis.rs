//! RedisStore against real redis-server processes on loopback (started by the tests; the tests
//! fail if redis-server is missing): the store contract, the key layout, two clients on one
//! session, restarts with AOF, a stopped and a frozen Redis, and a 3-node Redis Cluster.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use waxseal_store::testing::{command, RedisCluster, RedisServer};
use waxseal_store::{RedisConfig, RedisStore, SessionId, SessionStore, StoreError};

fn key(id: &SessionId) -> String {
    format!("waxseal:session:{{{}}}", id.to_hex())
}

/// Whether the session's key exists, asked over a connection of our own; on a cluster, the
/// node that owns the key is the one that answers `:1` (the others answer MOVED).
fn probe(
    ports: Vec<u16>,
) -> impl Fn(SessionId) -> Pin<Box<dyn Future<Output = bool> + Send>> + Sync {
    move |id| {
        let found = ports
            .iter()
            .any(|&p| command(p, &["EXISTS", &key(&id)]).unwrap() == ":1\r\n");
        Box::pin(async move { found })
    }
}

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStore::connect(&server.url(), RedisConfig::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn contract() {
    let server = RedisServer::start().expect("redis-server");
    let store = connect(&server).await;
    common::contract(&store, &probe(vec![server.port()])).await;
    assert!(store
        .describe()
        .contains(&format!("127.0.0.1:{}", server.port())));
    assert!(store.describe().contains("waxseal:session:{<session id>}"));
    // Nothing is left behind.
    assert_eq!(server.command(&["DBSIZE"]).unwrap(), ":0\r\n");
}

#[tokio::test]
async fn expiry_is_the_redis_ttl() {
    let server = RedisServer::start().expect("redis-server");
    let store = connect(&server).await;
    common::expiry(
        &store,
        &probe(vec![server.port()]),
        Duration::from_millis(300),
        Duration::from_millis(700),
    )
    .await;

    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), Duration::from_secs(90))
        .await
        .unwrap();
    let pttl = server.command(&["PTTL", &key(&id)]).unwrap();
    let ms: i64 = pttl.trim_start_matches(':').trim().parse().unwrap();
    assert!((85_000..=90_000).contains(&ms), "PTTL {pttl:?}");
}

#[tokio::test]
async fn one_hash_per_session_under_the_documented_prefix() {
    let server = RedisServer::start().expect("redis-server");
    let store = connect(&server).await;
    let id = SessionId::random().unwrap();
    assert_eq!(store.key_for(&id), key(&id));
    store
        .save(
            &id,
            &common::set(&[("user", "\"ada\""), ("n", "1")]),
            common::LONG,
        )
        .await
        .unwrap();
    assert_eq!(server.command(&["TYPE", &key(&id)]).unwrap(), "+hash\r\n");
    assert_eq!(
        server.command(&["HGET", &key(&id), "user"]).unwrap(),
        "$5\r\n\"ada\"\r\n"
    );
    assert_eq!(server.command(&["HLEN", &key(&id)]).unwrap(), ":2\r\n");

    // A custom prefix.
    let custom = RedisStore::connect(
        &server.url(),
        RedisConfig {
            key_prefix: "app1:s:".into(),
            ..RedisConfig::default()
        },
    )
    .await
    .unwrap();
    custom
        .save(&id, &common::set(&[("x", "1")]), common::LONG)
        .await
        .unwrap();
    let custom_key = format!("app1:s:{{{}}}", id.to_hex());
    assert_eq!(server.command(&["EXISTS", &custom_key]).unwrap(), ":1\r\n");
    assert_eq!(
        custom.load(&id).await.unwrap(),
        Some(common::fields(&[("x", "1")]))
    );

    // Braces in the prefix would break the hash tag: refused.
    let err = RedisStore::connect(
        &server.url(),
        RedisConfig {
            key_prefix: "a{b}:".into(),
            ..RedisConfig::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");

    // Something that is not a hash at a session key is reported as corrupt, not as empty.
    let wrong = SessionId::random().unwrap();
    server.command(&["SET", &key(&wrong), "x"]).unwrap();
    let err = store.load(&wrong).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
}

#[tokio::test]
async fn database_number_in_the_url() {
    let server = RedisServer::start().expect("redis-server");
    let store = RedisStore::connect(&format!("{}/3", server.url()), RedisConfig::default())
        .await
        .unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(server.command(&["DBSIZE"]).unwrap(), ":0\r\n");
    assert!(store.describe().contains("db 3"), "{}", store.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_lose_no_writes() {
    let server = RedisServer::start().expect("redis-server");
    let first: Arc<dyn SessionStore> = Arc::new(connect(&server).await);
    let second: Arc<dyn SessionStore> = Arc::new(connect(&server).await);
    common::concurrent_increments(first, second, 8, 25).await;
}

#[tokio::test]
async fn data_survives_a_restart_with_aof() {
    let mut server = RedisServer::start_with_aof().expect("redis-server");
    let store = connect(&server).await;
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("user", "\"ada\"")]), common::LONG)
        .await
        .unwrap();
    server.stop();
    server.restart().expect("redis-server restart");
    // The same store instance reconnects by itself (its first call may retry once).
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("user", "\"ada\"")]))
    );
    // And a new client sees the same.
    let fresh = connect(&server).await;
    assert_eq!(
        fresh.load(&id).await.unwrap(),
        Some(common::fields(&[("user", "\"ada\"")]))
    );
}

/// Every call must come back with `Unavailable` within the bound (connect + response timeout,
/// here 2 × 300 ms), plus slack for a loaded test machine.
async fn assert_unavailable_quickly(store: &RedisStore, id: &SessionId) {
    let bound = Duration::from_millis(600 + 1500);
    let started = Instant::now();
    let err = store.load(id).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "load: {err}");
    let err = store
        .save(id, &common::set(&[("b", "2")]), common::LONG)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "save: {err}");
    let err = store.delete(id).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "delete: {err}");
    eprintln!("three failing calls took {:?}", started.elapsed());
    assert!(
        started.elapsed() < 3 * bound,
        "three calls took {:?}",
        started.elapsed()
    );
}

fn quick() -> RedisConfig {
    RedisConfig {
        connect_timeout: Duration::from_millis(300),
        response_timeout: Duration::from_millis(300),
        ..RedisConfig::default()
    }
}

/// Waits (bounded) until the store answers `load` again and returns what it loaded.
async fn load_when_back(store: &RedisStore, id: &SessionId) -> Option<waxseal_store::Fields> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match store.load(id).await {
            Ok(found) => return found,
            Err(StoreError::Unavailable(e)) if Instant::now() < deadline => {
                eprintln!("not back yet: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("store did not come back: {e}"),
        }
    }
}

#[tokio::test]
async fn stopped_redis_fails_fast_and_the_store_recovers_with_data_intact() {
    let mut server = RedisServer::start_with_aof().expect("redis-server");
    let store = RedisStore::connect(&server.url(), quick()).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();

    server.stop();
    assert_unavailable_quickly(&store, &id).await;
    // Calls made while it is down keep failing fast (no queue builds up, no hang).
    assert_unavailable_quickly(&store, &id).await;

    server.restart().expect("redis-server restart");
    // Nothing written while it was down, nothing lost from before: the AOF kept "a".
    assert_eq!(
        load_when_back(&store, &id).await,
        Some(common::fields(&[("a", "1")]))
    );
    store
        .save(&id, &common::set(&[("b", "2")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("a", "1"), ("b", "2")]))
    );
}

#[tokio::test]
async fn frozen_redis_times_out_and_the_store_recovers() {
    let server = RedisServer::start().expect("redis-server");
    let store = RedisStore::connect(&server.url(), quick()).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();

    // Connections stay open, nothing answers: only the timeouts can end the calls. (They use
    // another session: commands already sent are executed when the server resumes, so a
    // timed-out delete of `id` would still delete it, as documented.)
    server.pause().unwrap();
    assert_unavailable_quickly(&store, &SessionId::random().unwrap()).await;
    server.resume().unwrap();
    assert_eq!(
        load_when_back(&store, &id).await,
        Some(common::fields(&[("a", "1")]))
    );
}

#[tokio::test]
async fn connecting_to_nothing_fails_fast() {
    // A port that accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let err = RedisStore::connect(&url, quick()).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = RedisStore::connect(&format!("redis://{closed}"), quick())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");

    let err = RedisStore::connect("http://127.0.0.1:1", quick())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Config(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_node_cluster_serves_sessions() {
    let cluster = RedisCluster::start(3).expect("redis cluster");
    let ports: Vec<u16> = cluster.nodes().iter().map(|n| n.port()).collect();
    let store = RedisStore::connect_cluster(&cluster.urls(), RedisConfig::default())
        .await
        .unwrap();
    assert!(
        store.describe().starts_with("Redis Cluster"),
        "{}",
        store.describe()
    );
    common::contract(&store, &probe(ports.clone())).await;

    // Sessions spread over the nodes: the client routes by each key's slot.
    let mut owners = std::collections::BTreeSet::new();
    let mut ids = Vec::new();
    for i in 0..24 {
        let id = SessionId::random().unwrap();
        store
            .save(&id, &common::set(&[("i", &i.to_string())]), common::LONG)
            .await
            .unwrap();
        let owner = ports
            .iter()
            .position(|&p| command(p, &["EXISTS", &key(&id)]).unwrap() == ":1\r\n")
            .expect("no node holds the session");
        owners.insert(owner);
        ids.push(id);
    }
    assert!(owners.len() >= 2, "all sessions on one node: {owners:?}");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            store.load(id).await.unwrap(),
            Some(common::fields(&[("i", &i.to_string())]))
        );
        store.delete(id).await.unwrap();
        assert_eq!(store.load(id).await.unwrap(), None);
    }

    // Two cluster clients, one seeded with a single node, on one session.
    let first: Arc<dyn SessionStore> = Arc::new(store);
    let second: Arc<dyn SessionStore> = Arc::new(
        RedisStore::connect_cluster(&cluster.urls()[2..], RedisConfig::default())
            .await
            .unwrap(),
    );
    common::concurrent_increments(first, second, 8, 25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_from_specs() {
    let server = RedisServer::start().expect("redis-server");
    let spec = waxseal_store::StoreSpec::parse(&server.url()).unwrap();
    let store = waxseal_store::open(&spec).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(server.command(&["EXISTS", &key(&id)]).unwrap(), ":1\r\n");

    let cluster = RedisCluster::start(3).expect("redis cluster");
    let nodes: Vec<String> = cluster
        .nodes()
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port()))
        .collect();
    let spec =
        waxseal_store::StoreSpec::parse(&format!("redis+cluster://{}", nodes.join(","))).unwrap();
    let store = waxseal_store::open(&spec).await.unwrap();
    store
        .save(&id, &common::set(&[("b", "2")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("b", "2")]))
    );
}
