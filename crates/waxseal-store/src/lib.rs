//! Server-side session stores for waxseal: the cookie carries only a signed random session id,
//! the data stays here.
//!
//! A store keeps, per session id, a map from session key to that key's value as Flask's tagged
//! JSON text (the same text a signed-cookie session would carry for that key), plus an expiry.
//! Stores never see the signed cookie: the session layer verifies the signature first, so a
//! forged id never reaches a store.
//!
//! Why per-key changes rather than whole sessions: two concurrent requests on one session that
//! change *different* keys must not undo each other. [`SessionStore::save`] therefore receives
//! only what a request changed ([`Changes`]) and applies it on top of what is stored now; for
//! the same key, the last write wins.
//!
//! # The stores
//!
//! | store | where | consistency | expiry |
//! |-------|-------|-------------|--------|
//! | [`MemoryStore`] | this process | each call atomic under one mutex | checked on access, swept every 60 s by saves |
//! | [`SqliteStore`] (feature `sqlite`) | one SQLite file, shareable by processes on one machine | each save one `BEGIN IMMEDIATE` transaction | Unix seconds; purge task every 60 s |
//! | [`RedisStore`] (feature `redis`) | Redis or Redis Cluster, hash `waxseal:session:{<id>}` | each save one Lua script on the session's single key | the Redis TTL |
//!
//! In all three: a save applies only the changed keys on top of the stored record (per-key
//! merge), atomically (all of a save's keys or none); for one key the last save wins; a load
//! sees a whole save or none of it. Each module documents its details. [`StoreSpec`] parses
//! the `--store` texts and [`open`] opens the store one names. [`testing`] starts real
//! `redis-server` processes for tests.
#![forbid(unsafe_code)]

mod memory;
pub use memory::MemoryStore;
mod spec;
#[cfg(feature = "sqlite")]
mod sqlite;
pub mod testing;
pub use spec::{open, open_with, StoreOptions, StoreSpec};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteConfig, SqliteStore};
#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "redis")]
pub use redis_store::{RedisConfig, RedisStore, DEFAULT_KEY_PREFIX};

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future every store method returns; boxed so that `dyn SessionStore` works (the store is
/// chosen at run time, e.g. by `waxseal serve --store`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A session's data: session key → that value's Flask tagged JSON text.
pub type Fields = BTreeMap<String, String>;

/// A random session id: 128 bits from the operating system's random source.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// A fresh id from the operating system's random source.
    pub fn random() -> Result<SessionId, StoreError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Unavailable(format!("no random source: {e}")))?;
        Ok(SessionId(bytes))
    }

    /// The id from its 32-character lowercase hex form; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<SessionId> {
        let t = text.as_bytes();
        if t.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (i, pair) in t.chunks_exact(2).enumerate() {
            let hi = hex_digit(pair[0])?;
            let lo = hex_digit(pair[1])?;
            bytes[i] = (hi << 4) | lo;
        }
        Some(SessionId(bytes))
    }

    /// The 32-character lowercase hex form (what the cookie carries, signed, and what stores
    /// use in their keys).
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(32);
        for b in self.0 {
            s.push(HEX[usize::from(b >> 4)] as char);
            s.push(HEX[usize::from(b & 15)] as char);
        }
        s
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Debug shows only a prefix: a full id in a log is a session someone could take over.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}…)", &self.to_hex()[..6])
    }
}

/// What one request changed: keys set (with their new tagged JSON text) and keys removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Keys written by the request, with their new values.
    pub set: Fields,
    /// Keys removed by the request.
    pub removed: Vec<String>,
}

impl Changes {
    /// True when the request changed nothing (a save then only refreshes the expiry).
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.removed.is_empty()
    }

    /// Applies these changes to `fields`: removals first, then writes, so a key that is both
    /// removed and set (which the session layer does not produce) ends up set. Every store
    /// follows this order.
    pub fn apply_to(&self, fields: &mut Fields) {
        for key in &self.removed {
            fields.remove(key);
        }
        for (key, value) in &self.set {
            fields.insert(key.clone(), value.clone());
        }
    }
}

/// Why a store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached or did not answer in time; the request must fail (503),
    /// never continue with an empty session that would overwrite real data.
    #[error("session store unavailable: {0}")]
    Unavailable(String),
    /// The store answered with something that is not a session record.
    #[error("session store holds an unreadable record: {0}")]
    Corrupt(String),
    /// A store address or option that cannot be used.
    #[error("session store configuration: {0}")]
    Config(String),
}

/// A server-side session store.
///
/// Contract, for every implementation:
/// - `load` of an unknown or expired id is `Ok(None)` and creates nothing;
/// - `save` applies `changes` on top of the stored record (creating it if absent) and sets its
///   expiry to now + `ttl`; keys not in `changes` keep their stored values; an empty `changes`
///   only refreshes the expiry of an existing record and never creates one;
/// - if, after `save`, the record holds no keys, it is deleted;
/// - `delete` removes the record; deleting an unknown id is not an error;
/// - every method is bounded in time: an unreachable store gives `StoreError::Unavailable`,
///   never a hang.
pub trait SessionStore: Send + Sync + 'static {
    /// The record of `id`, or `None` when there is none or it has expired.
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Fields>>;
    /// Applies one request's changes to the record of `id` and sets its expiry.
    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> StoreFuture<'a, ()>;
    /// Removes the record of `id`.
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()>;
    /// Where the data lives, for people: e.g. `SQLite file /var/lib/app/sessions.db` or
    /// `Redis 127.0.0.1:6379/0, keys waxseal:session:<id>`.
    fn describe(&self) -> String;
}
