//! [`SqliteStore`]: sessions in one SQLite file, the embedded default.
//!
//! # Schema (version 1, kept in `PRAGMA user_version`)
//!
//! ```sql
//! CREATE TABLE waxseal_sessions (
//!     id         TEXT PRIMARY KEY,  -- the session id, 32 lowercase hex digits
//!     expires_at INTEGER NOT NULL   -- Unix seconds; the record is gone from that second on
//! ) WITHOUT ROWID;
//! CREATE INDEX waxseal_sessions_expires_at ON waxseal_sessions (expires_at);
//! CREATE TABLE waxseal_session_fields (
//!     id    TEXT NOT NULL,          -- waxseal_sessions.id
//!     key   TEXT NOT NULL,          -- the session key
//!     value TEXT NOT NULL,          -- that key's value as Flask tagged JSON text
//!     PRIMARY KEY (id, key)
//! ) WITHOUT ROWID;
//! ```
//!
//! One row per (session, key) is what makes per-key merges possible: a save touches only the
//! rows of the keys its request changed. Opening a file whose `user_version` is newer than this
//! code's schema is refused rather than guessed at.
//!
//! # Consistency
//!
//! Each `save` is one `BEGIN IMMEDIATE` transaction: its removals, writes and new expiry land
//! together or not at all, on top of whatever is stored at that moment (per-key merge); for the
//! same key the last committed save wins. Any number of `SqliteStore`s, in any number of
//! processes, may share a file: SQLite's file locks serialise the writers and each `load` is one
//! read transaction that sees every committed save. The file runs in WAL mode (readers never
//! wait for the writer) with `synchronous = NORMAL`: a committed save survives a crash of the
//! process; a power loss may drop the last few.
//!
//! # Expiry
//!
//! Expiry is stored as whole Unix seconds, rounded up, so a record lives at least its TTL and at
//! most one second more. An expired record is invisible at once (`load` and `save` compare with
//! the clock); its rows are deleted by a purge run when the store opens and then every
//! [`SqliteConfig::purge_interval`] (default 60 s) by a background task, which stops when the
//! store is dropped, and on demand by [`SqliteStore::purge_expired`].
//!
//! # Blocking work
//!
//! SQLite calls block, so each runs on Tokio's blocking thread pool (`spawn_blocking`), never on
//! the async executor. One writer connection serialises this process's writes (so they queue on
//! a mutex rather than spin on SQLite's lock); reads use a small pool of their own connections.
//! A call that finds the file locked by another process waits up to
//! [`SqliteConfig::busy_timeout`] and then fails with [`StoreError::Unavailable`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::{Changes, Fields, SessionId, SessionStore, StoreError, StoreFuture};

/// The schema version this code writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// Tuning for [`SqliteStore`].
#[derive(Debug, Clone)]
pub struct SqliteConfig {
    /// How long a call waits for a lock held by another connection (another process) before
    /// failing with `Unavailable`. Default 5 s.
    pub busy_timeout: Duration,
    /// How often the background task deletes expired records. Default 60 s.
    pub purge_interval: Duration,
    /// How many read connections this store keeps. Default 2.
    pub readers: usize,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        SqliteConfig {
            busy_timeout: Duration::from_secs(5),
            purge_interval: Duration::from_secs(60),
            readers: 2,
        }
    }
}

/// Sessions in an SQLite file (see the module docs for schema, consistency and expiry).
pub struct SqliteStore {
    inner: Arc<Inner>,
    purge_task: tokio::task::AbortHandle,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.purge_task.abort();
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a transaction rolls it back when the Transaction is dropped, so the
    // connection behind a poisoned lock is still in a clean state.
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

fn store_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) =>
        {
            StoreError::Corrupt(e.to_string())
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(format!("SQLite: {e}")),
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `now + ttl` in whole seconds, rounded up (a record lives at least its TTL), saturating.
fn expires_at(now: i64, ttl: Duration) -> i64 {
    let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
}

fn open_connection(path: &Path, config: &SqliteConfig) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        StoreError::Unavailable(format!("cannot open SQLite file {}: {e}", path.display()))
    })?;
    conn.busy_timeout(config.busy_timeout)
        .map_err(store_error)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(store_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Config(format!(
            "SQLite file {} cannot use WAL mode (journal_mode is {mode})",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(store_error)?;
    Ok(conn)
}

/// Creates the schema in a fresh file, accepts the current one, refuses a newer one. Runs in an
/// IMMEDIATE transaction so two processes opening one new file do not both create it.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(store_error)?;
    match version {
        0 => {
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS waxseal_sessions (
                     id TEXT PRIMARY KEY,
                     expires_at INTEGER NOT NULL
                 ) WITHOUT ROWID;
                 CREATE INDEX IF NOT EXISTS waxseal_sessions_expires_at
                     ON waxseal_sessions (expires_at);
                 CREATE TABLE IF NOT EXISTS waxseal_session_fields (
                     id TEXT NOT NULL,
                     key TEXT NOT NULL,
                     value TEXT NOT NULL,
                     PRIMARY KEY (id, key)
                 ) WITHOUT ROWID;",
            )
            .map_err(store_error)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(store_error)?;
        }
        SCHEMA_VERSION => {}
        newer => {
            return Err(StoreError::Config(format!(
                "SQLite file {} has session schema version {newer}; this waxseal knows up to {SCHEMA_VERSION}",
                path.display()
            )))
        }
    }
    tx.commit().map_err(store_error)
}

impl Inner {
    fn reader(&self) -> MutexGuard<'_, Connection> {
        // Take a free reader if there is one, else queue on the next in turn.
        for conn in &self.readers {
            if let Ok(guard) = conn.try_lock() {
                return guard;
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        lock(&self.readers[i])
    }

    fn load(&self, id: &str) -> Result<Option<Fields>, StoreError> {
        let mut conn = self.reader();
        // One read transaction: the expiry and the fields come from the same snapshot.
        let tx = conn.transaction().map_err(store_error)?;
        let expires: Option<i64> = tx
            .prepare_cached("SELECT expires_at FROM waxseal_sessions WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(store_error)?;
        match expires {
            Some(t) if t > now_unix() => {}
            _ => return Ok(None),
        }
        let mut fields = Fields::new();
        {
            let mut stmt = tx
                .prepare_cached("SELECT key, value FROM waxseal_session_fields WHERE id = ?1")
                .map_err(store_error)?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(store_error)?;
            for row in rows {
                let (k, v) = row.map_err(store_error)?;
                fields.insert(k, v);
            }
        }
        tx.finish().map_err(store_error)?;
        Ok(if fields.is_empty() {
            None
        } else {
            Some(fields)
        })
    }

    fn save(&self, id: &str, changes: &Changes, ttl: Duration) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store_error)?;
        let now = now_unix();
        let expires = expires_at(now, ttl);
        if changes.is_empty() {
            // Refresh a live record; never create one.
            tx.prepare_cached(
                "UPDATE waxseal_sessions SET expires_at = ?2 WHERE id = ?1 AND expires_at > ?3",
            )
            .and_then(|mut s| s.execute(params![id, expires, now]))
            .map_err(store_error)?;
            return tx.commit().map_err(store_error);
        }
        let old_expires: Option<i64> = tx
            .prepare_cached("SELECT expires_at FROM waxseal_sessions WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(store_error)?;
        if old_expires.is_some_and(|t| t <= now) {
            // Expired but not purged yet: its keys must not come back under this write.
            tx.prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1")
                .and_then(|mut s| s.execute([id]))
                .map_err(store_error)?;
        }
        {
            let mut remove = tx
                .prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1 AND key = ?2")
                .map_err(store_error)?;
            for key in &changes.removed {
                remove.execute(params![id, key]).map_err(store_error)?;
            }
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO waxseal_session_fields (id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id, key) DO UPDATE SET value = excluded.value",
                )
                .map_err(store_error)?;
            for (key, value) in &changes.set {
                upsert
                    .execute(params![id, key, value])
                    .map_err(store_error)?;
            }
        }
        let any_left: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM waxseal_session_fields WHERE id = ?1)")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)))
            .map_err(store_error)?;
        if any_left {
            tx.prepare_cached(
                "INSERT INTO waxseal_sessions (id, expires_at) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
            )
            .and_then(|mut s| s.execute(params![id, expires]))
            .map_err(store_error)?;
        } else {
            tx.prepare_cached("DELETE FROM waxseal_sessions WHERE id = ?1")
                .and_then(|mut s| s.execute([id]))
                .map_err(store_error)?;
        }
        tx.commit().map_err(store_error)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store_error)?;
        tx.prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(store_error)?;
        tx.prepare_cached("DELETE FROM waxseal_sessions WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(store_error)?;
        tx.commit().map_err(store_error)
    }

    fn purge_expired(&self) -> Result<usize, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store_error)?;
        let now = now_unix();
        tx.prepare_cached(
            "DELETE FROM waxseal_session_fields WHERE id IN
                 (SELECT id FROM waxseal_sessions WHERE expires_at <= ?1)",
        )
        .and_then(|mut s| s.execute([now]))
        .map_err(store_error)?;
        let sessions = tx
            .prepare_cached("DELETE FROM waxseal_sessions WHERE expires_at <= ?1")
            .and_then(|mut s| s.execute([now]))
            .map_err(store_error)?;
        tx.commit().map_err(store_error)?;
        Ok(sessions)
    }
}

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(
    inner: &Arc<Inner>,
    work: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || work(&inner))
        .await
        .map_err(|e| StoreError::Unavailable(format!("SQLite worker failed: {e}")))?
}

impl SqliteStore {
    /// Opens (creating if needed) the session file at `path` with default settings.
    /// Must be called inside a Tokio runtime (it starts the purge task).
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, SqliteConfig::default()).await
    }

    /// Opens (creating if needed) the session file at `path`.
    pub async fn open_with(
        path: impl AsRef<Path>,
        config: SqliteConfig,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        if config.purge_interval.is_zero() {
            return Err(StoreError::Config("purge interval must not be zero".into()));
        }
        let open_path = path.clone();
        let open_config = config.clone();
        let inner = tokio::task::spawn_blocking(move || -> Result<Inner, StoreError> {
            let mut writer = open_connection(&open_path, &open_config)?;
            migrate(&mut writer, &open_path)?;
            let readers = (0..open_config.readers.max(1))
                .map(|_| open_connection(&open_path, &open_config).map(Mutex::new))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Inner {
                path: open_path,
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            })
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("SQLite open failed: {e}")))??;
        let inner = Arc::new(inner);
        let purge_task =
            tokio::spawn(purge_loop(Arc::downgrade(&inner), config.purge_interval)).abort_handle();
        Ok(SqliteStore { inner, purge_task })
    }

    /// Deletes the expired records now; returns how many sessions were removed.
    pub async fn purge_expired(&self) -> Result<usize, StoreError> {
        blocking(&self.inner, Inner::purge_expired).await
    }

    /// The file this store uses.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

async fn purge_loop(inner: Weak<Inner>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // The first tick is immediate: purge once at open.
        ticks.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        match blocking(&inner, Inner::purge_expired).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(sessions = n, "purged expired sessions"),
            Err(e) => tracing::warn!(error = %e, "purging expired sessions failed"),
        }
    }
}

impl SessionStore for SqliteStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Fields>> {
        let id = id.to_hex();
        Box::pin(blocking(&self.inner, move |inner| inner.load(&id)))
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        let id = id.to_hex();
        let changes = changes.clone();
        Box::pin(blocking(&self.inner, move |inner| {
            inner.save(&id, &changes, ttl)
        }))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        let id = id.to_hex();
        Box::pin(blocking(&self.inner, move |inner| inner.delete(&id)))
    }

    fn describe(&self) -> String {
        format!(
            "SQLite file {}, tables waxseal_sessions and waxseal_session_fields (one row per session key)",
            self.inner.path.display()
        )
    }
}
