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
//! SQLite calls block, so they never run on the async executor: each store has one writer
//! thread with its own connection and [`SqliteConfig::readers`] reader threads with theirs; the
//! async methods send them jobs and await the answers. Under load a thread takes every job
//! waiting for it (up to 128) at once: the writer applies them in one transaction, each job in
//! its own savepoint (so each save is still all-or-nothing, and nobody is answered before the
//! commit), and a reader answers its batch from one read snapshot. This group commit is what
//! makes the store fast: one wake-up, one lock round and one WAL append per batch instead of per
//! request (measured by `bench/store-load`).
//!
//! A write that finds the file locked by another process waits up to
//! [`SqliteConfig::busy_timeout`] and then fails with [`StoreError::Unavailable`]; every call
//! answers within twice the busy timeout plus one second, whatever happens to the disk.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use tokio::sync::oneshot;

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
    /// How many reader threads (each with its own connection) this store runs. Default 2.
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
    path: PathBuf,
    writes: Sender<WriteJob>,
    reads: Sender<ReadJob>,
    call_timeout: Duration,
    purge_task: tokio::task::AbortHandle,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The purge task holds the last other sender: once it is gone the worker threads see
        // their channels close and end.
        self.purge_task.abort();
    }
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum WriteJob {
    Save {
        id: String,
        changes: Changes,
        ttl: Duration,
        reply: Reply<()>,
    },
    Delete {
        id: String,
        reply: Reply<()>,
    },
    Purge {
        reply: Reply<usize>,
    },
}

struct ReadJob {
    id: String,
    reply: Reply<Option<Fields>>,
}

/// The most jobs a worker takes at once.
const MAX_BATCH: usize = 128;

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

/// The same error again (StoreError holds only text, so it can be handed to every job of a
/// failed batch).
fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
        StoreError::Config(m) => StoreError::Config(m.clone()),
    }
}

fn load_rows(conn: &Connection, id: &str, now: i64) -> Result<Option<Fields>, StoreError> {
    // One statement: the expiry check and the fields come from the same snapshot.
    let mut stmt = conn
        .prepare_cached(
            "SELECT f.key, f.value FROM waxseal_sessions s
             JOIN waxseal_session_fields f ON f.id = s.id
             WHERE s.id = ?1 AND s.expires_at > ?2",
        )
        .map_err(store_error)?;
    let rows = stmt
        .query_map(params![id, now], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(store_error)?;
    let mut fields = Fields::new();
    for row in rows {
        let (k, v) = row.map_err(store_error)?;
        fields.insert(k, v);
    }
    Ok(if fields.is_empty() {
        None
    } else {
        Some(fields)
    })
}

fn save_rows(
    conn: &Connection,
    id: &str,
    changes: &Changes,
    ttl: Duration,
    now: i64,
) -> Result<(), StoreError> {
    let expires = expires_at(now, ttl);
    if changes.is_empty() {
        // Refresh a live record; never create one.
        conn.prepare_cached(
            "UPDATE waxseal_sessions SET expires_at = ?2 WHERE id = ?1 AND expires_at > ?3",
        )
        .and_then(|mut s| s.execute(params![id, expires, now]))
        .map_err(store_error)?;
        return Ok(());
    }
    let old_expires: Option<i64> = conn
        .prepare_cached("SELECT expires_at FROM waxseal_sessions WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .map_err(store_error)?;
    if old_expires.is_some_and(|t| t <= now) {
        // Expired but not purged yet: its keys must not come back under this write.
        conn.prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(store_error)?;
    }
    if !changes.removed.is_empty() {
        let mut remove = conn
            .prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1 AND key = ?2")
            .map_err(store_error)?;
        for key in &changes.removed {
            remove.execute(params![id, key]).map_err(store_error)?;
        }
    }
    if !changes.set.is_empty() {
        let mut upsert = conn
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
    // Only removals can leave the record empty.
    let any_left = !changes.set.is_empty()
        || conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM waxseal_session_fields WHERE id = ?1)")
            .and_then(|mut s| s.query_row([id], |r| r.get::<_, bool>(0)))
            .map_err(store_error)?;
    if any_left {
        conn.prepare_cached(
            "INSERT INTO waxseal_sessions (id, expires_at) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .and_then(|mut s| s.execute(params![id, expires]))
        .map_err(store_error)?;
    } else {
        conn.prepare_cached("DELETE FROM waxseal_sessions WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(store_error)?;
    }
    Ok(())
}

fn delete_rows(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM waxseal_session_fields WHERE id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(store_error)?;
    conn.prepare_cached("DELETE FROM waxseal_sessions WHERE id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(store_error)?;
    Ok(())
}

fn purge_rows(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    conn.prepare_cached(
        "DELETE FROM waxseal_session_fields WHERE id IN
             (SELECT id FROM waxseal_sessions WHERE expires_at <= ?1)",
    )
    .and_then(|mut s| s.execute([now]))
    .map_err(store_error)?;
    conn.prepare_cached("DELETE FROM waxseal_sessions WHERE expires_at <= ?1")
        .and_then(|mut s| s.execute([now]))
        .map_err(store_error)
}

fn apply(conn: &Connection, job: &WriteJob, now: i64) -> Result<usize, StoreError> {
    match job {
        WriteJob::Save {
            id, changes, ttl, ..
        } => save_rows(conn, id, changes, *ttl, now).map(|()| 0),
        WriteJob::Delete { id, .. } => delete_rows(conn, id).map(|()| 0),
        WriteJob::Purge { .. } => purge_rows(conn, now),
    }
}

fn answer(job: WriteJob, result: Result<usize, StoreError>) {
    // A caller that gave up (timed out, request cancelled) has dropped its receiver: nothing
    // to tell it.
    match job {
        WriteJob::Save { reply, .. } | WriteJob::Delete { reply, .. } => {
            let _ = reply.send(result.map(|_| ()));
        }
        WriteJob::Purge { reply } => {
            let _ = reply.send(result);
        }
    }
}

/// Applies a batch of writes in one IMMEDIATE transaction, each in its own savepoint, and
/// answers only after the commit.
fn write_batch(conn: &mut Connection, batch: Vec<WriteJob>) {
    let now = now_unix();
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = store_error(e);
            batch
                .into_iter()
                .for_each(|job| answer(job, Err(copy_error(&e))));
            return;
        }
    };
    let single = batch.len() == 1;
    let mut results = Vec::with_capacity(batch.len());
    for job in &batch {
        let result = if single {
            // The transaction itself is the unit: a failure rolls all of it back below.
            apply(&tx, job, now)
        } else {
            match tx.savepoint() {
                Ok(sp) => apply(&sp, job, now).and_then(|n| {
                    sp.commit().map_err(store_error)?;
                    Ok(n)
                }),
                Err(e) => Err(store_error(e)),
            }
        };
        results.push(result);
    }
    let committed = if single && results[0].is_err() {
        tx.rollback().map_err(store_error)
    } else {
        tx.commit().map_err(store_error)
    };
    for (job, result) in batch.into_iter().zip(results) {
        match &committed {
            Ok(()) => answer(job, result),
            Err(e) => answer(job, result.and(Err(copy_error(e)))),
        }
    }
}

fn writer_loop(mut conn: Connection, jobs: Receiver<WriteJob>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, batch);
    }
}

fn reader_loop(conn: Connection, jobs: Arc<Mutex<Receiver<ReadJob>>>) {
    loop {
        let batch = {
            // Only an idle reader waits here; a panic elsewhere cannot leave the receiver in a
            // bad state, so a poisoned lock is still usable.
            let jobs = jobs.lock().unwrap_or_else(|p| p.into_inner());
            let Ok(first) = jobs.recv() else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        let now = now_unix();
        // One read snapshot for the batch: every job in it was sent after the writes its
        // caller had already seen answered, so the snapshot holds them.
        let snapshot = conn.unchecked_transaction();
        for job in batch {
            let _ = job.reply.send(load_rows(&conn, &job.id, now));
        }
        if let Ok(tx) = snapshot {
            let _ = tx.finish();
        }
    }
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
        let (writer, readers) = tokio::task::spawn_blocking(move || {
            let mut writer = open_connection(&open_path, &open_config)?;
            migrate(&mut writer, &open_path)?;
            let readers = (0..open_config.readers.max(1))
                .map(|_| open_connection(&open_path, &open_config))
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok::<_, StoreError>((writer, readers))
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("SQLite open failed: {e}")))??;

        let spawn_error =
            |e: std::io::Error| StoreError::Unavailable(format!("no SQLite worker thread: {e}"));
        let (writes, write_jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("waxseal-sqlite-writer".into())
            .spawn(move || writer_loop(writer, write_jobs))
            .map_err(spawn_error)?;
        let (reads, read_jobs) = mpsc::channel();
        let read_jobs = Arc::new(Mutex::new(read_jobs));
        for conn in readers {
            let jobs = read_jobs.clone();
            std::thread::Builder::new()
                .name("waxseal-sqlite-reader".into())
                .spawn(move || reader_loop(conn, jobs))
                .map_err(spawn_error)?;
        }
        let purge_task =
            tokio::spawn(purge_loop(writes.clone(), config.purge_interval)).abort_handle();
        Ok(SqliteStore {
            path,
            writes,
            reads,
            call_timeout: config.busy_timeout * 2 + Duration::from_secs(1),
            purge_task,
        })
    }

    /// Deletes the expired records now; returns how many sessions were removed.
    pub async fn purge_expired(&self) -> Result<usize, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.write(WriteJob::Purge { reply }, answer).await
    }

    /// The file this store uses.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write<T>(
        &self,
        job: WriteJob,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.writes
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite writer thread has stopped".into()))?;
        self.wait(answer).await
    }

    async fn wait<T>(
        &self,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.call_timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError::Unavailable(
                "an SQLite worker thread stopped".into(),
            )),
            Err(_) => Err(StoreError::Unavailable(format!(
                "SQLite file {} did not answer within {:?}",
                self.path.display(),
                self.call_timeout
            ))),
        }
    }
}

async fn purge_loop(writes: Sender<WriteJob>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // The first tick is immediate: purge once at open.
        ticks.tick().await;
        let (reply, answer) = oneshot::channel();
        if writes.send(WriteJob::Purge { reply }).is_err() {
            return;
        }
        match answer.await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(sessions = n, "purged expired sessions"),
            Ok(Err(e)) => tracing::warn!(error = %e, "purging expired sessions failed"),
            Err(_) => return,
        }
    }
}

impl SessionStore for SqliteStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Fields>> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            self.reads
                .send(ReadJob {
                    id: id.to_hex(),
                    reply,
                })
                .map_err(|_| {
                    StoreError::Unavailable("the SQLite reader threads have stopped".into())
                })?;
            self.wait(answer).await
        })
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let job = WriteJob::Save {
                id: id.to_hex(),
                changes: changes.clone(),
                ttl,
                reply,
            };
            self.write(job, answer).await
        })
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let job = WriteJob::Delete {
                id: id.to_hex(),
                reply,
            };
            self.write(job, answer).await
        })
    }

    fn describe(&self) -> String {
        format!(
            "SQLite file {}, tables waxseal_sessions and waxseal_session_fields (one row per session key)",
            self.path.display()
        )
    }
}
