//! SqliteStore against the store contract, on real SQLite files in temporary directories,
//! observed through a separate SQLite connection; two stores (and two processes) on one file.
mod common;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use waxseal_store::{SessionId, SessionStore, SqliteConfig, SqliteStore};

/// Rows for `id` in either table, counted through a connection of our own.
fn rows_for(path: &Path, id: &SessionId) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    let hex = id.to_hex();
    let sessions: i64 = conn
        .query_row(
            "SELECT count(*) FROM waxseal_sessions WHERE id = ?1",
            [&hex],
            |r| r.get(0),
        )
        .unwrap();
    let fields: i64 = conn
        .query_row(
            "SELECT count(*) FROM waxseal_session_fields WHERE id = ?1",
            [&hex],
            |r| r.get(0),
        )
        .unwrap();
    sessions + fields
}

fn probe(path: PathBuf) -> impl Fn(SessionId) -> Pin<Box<dyn Future<Output = bool> + Send>> + Sync {
    move |id| {
        let found = rows_for(&path, &id) > 0;
        Box::pin(async move { found })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let store = SqliteStore::open(&path).await.unwrap();
    common::contract(&store, &probe(path.clone())).await;
    assert!(store.describe().contains("sessions.db"));

    // The file is in WAL mode and carries the schema version.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let store = SqliteStore::open(&path).await.unwrap();
    // Whole seconds, rounded up: a 1 s record lives 1 to 2 s.
    common::expiry(
        &store,
        &probe(path.clone()),
        Duration::from_secs(1),
        Duration::from_millis(2100),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_removes_expired_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    // A long interval: only the explicit purge may run during the test (after the one at open).
    let config = SqliteConfig {
        purge_interval: Duration::from_secs(3600),
        ..SqliteConfig::default()
    };
    let store = SqliteStore::open_with(&path, config).await.unwrap();
    let short = SessionId::random().unwrap();
    let long = SessionId::random().unwrap();
    store
        .save(
            &short,
            &common::set(&[("a", "1"), ("b", "2")]),
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    store
        .save(&long, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Invisible already, but its rows are still in the file until purged.
    assert_eq!(store.load(&short).await.unwrap(), None);
    assert_eq!(rows_for(&path, &short), 3);
    assert_eq!(store.purge_expired().await.unwrap(), 1);
    assert_eq!(rows_for(&path, &short), 0);
    assert_eq!(rows_for(&path, &long), 2);
    assert_eq!(store.purge_expired().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_task_purges() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let config = SqliteConfig {
        purge_interval: Duration::from_millis(200),
        ..SqliteConfig::default()
    };
    let store = SqliteStore::open_with(&path, config).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(rows_for(&path, &id), 2);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while rows_for(&path, &id) > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "expired rows never purged"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let id = SessionId::random().unwrap();
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store
            .save(&id, &common::set(&[("user", "\"ada\"")]), common::LONG)
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("user", "\"ada\"")]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_newer_schema_and_a_non_database() {
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.db");
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
    }
    let err = SqliteStore::open(&newer).await.unwrap_err();
    assert!(matches!(err, waxseal_store::StoreError::Config(_)), "{err}");
    assert!(err.to_string().contains("version 2"), "{err}");

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    assert!(SqliteStore::open(&garbage).await.is_err());

    let missing_dir = dir.path().join("no/such/dir/sessions.db");
    let err = SqliteStore::open(&missing_dir).await.unwrap_err();
    assert!(
        matches!(err, waxseal_store::StoreError::Unavailable(_)),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_lose_no_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let first: Arc<dyn SessionStore> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let second: Arc<dyn SessionStore> = Arc::new(SqliteStore::open(&path).await.unwrap());
    common::concurrent_increments(first, second, 8, 25).await;
}

const CHILD_ENV: &str = "WAXSEAL_STORE_TEST_CHILD";

/// Increments `counter{client}` `rounds` times for each given client, concurrently.
async fn increment(store: Arc<SqliteStore>, id: SessionId, clients: Vec<usize>, rounds: u32) {
    let mut tasks = Vec::new();
    for client in clients {
        let store = store.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("counter{client}");
            for _ in 0..rounds {
                let current = store.load(&id).await.unwrap().unwrap_or_default();
                let n: u32 = current.get(&key).map_or(0, |v| v.parse().unwrap());
                store
                    .save(
                        &id,
                        &common::set(&[(&key, &(n + 1).to_string())]),
                        common::LONG,
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Two processes on one file: this test runs itself again as a child process (the same test
/// binary, this test only, with the file and session id in an environment variable); parent
/// and child each run 4 of the 8 clients at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_file_lose_no_writes() {
    if let Ok(job) = std::env::var(CHILD_ENV) {
        let (path, id) = job.split_once('|').unwrap();
        let store = Arc::new(SqliteStore::open(path).await.unwrap());
        let id = SessionId::from_hex(id).unwrap();
        increment(store, id, vec![1, 3, 5, 7], 25).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let id = SessionId::random().unwrap();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "two_processes_on_one_file_lose_no_writes",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{}|{}", path.display(), id.to_hex()))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    increment(store.clone(), id.clone(), vec![0, 2, 4, 6], 25).await;
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("child process hung")
        .unwrap();
    assert!(status.success(), "child process failed: {status}");
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.len(), 8, "{record:?}");
    for client in 0..8 {
        assert_eq!(
            record.get(&format!("counter{client}")).map(String::as_str),
            Some("25"),
            "{record:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_from_a_spec() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.db");
    let spec = waxseal_store::StoreSpec::parse(&format!("sqlite:{}", path.display())).unwrap();
    let store = waxseal_store::open(&spec).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(rows_for(&path, &id), 2);
    assert!(store.describe().contains("spec.db"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_file_gives_unavailable_after_the_busy_timeout_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let config = SqliteConfig {
        busy_timeout: Duration::from_millis(200),
        ..SqliteConfig::default()
    };
    let store = SqliteStore::open_with(&path, config).await.unwrap();
    let id = SessionId::random().unwrap();
    store
        .save(&id, &common::set(&[("a", "1")]), common::LONG)
        .await
        .unwrap();

    // Another connection (as another process would) holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let err = store
        .save(&id, &common::set(&[("b", "2")]), common::LONG)
        .await
        .unwrap_err();
    assert!(
        matches!(err, waxseal_store::StoreError::Unavailable(_)),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // WAL: readers do not wait for the writer.
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("a", "1")]))
    );
    other.execute_batch("ROLLBACK").unwrap();
    store
        .save(&id, &common::set(&[("b", "2")]), common::LONG)
        .await
        .unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(common::fields(&[("a", "1"), ("b", "2")]))
    );
}
