//! [`MemoryStore`]: sessions in this process's memory, for tests and single-process demos.
//!
//! Consistency: every method takes one mutex, so each `save` is atomic and applies its keys on
//! top of the current record (per-key merge); for the same key the last `save` wins. Nothing
//! survives the process, and two processes never share sessions.
//!
//! Expiry: an expired record is invisible at once (`load` checks the deadline) and is removed
//! when touched, and by a sweep of the whole map run by [`MemoryStore::purge_expired`] and
//! automatically by a `save` when the last sweep is older than [`MemoryStore::SWEEP_INTERVAL`].

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::{Changes, Fields, SessionId, SessionStore, StoreFuture};

/// Sessions in memory (see the module docs for consistency and expiry).
#[derive(Debug)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    records: HashMap<SessionId, Record>,
    last_sweep: Instant,
}

#[derive(Debug)]
struct Record {
    fields: Fields,
    expires: Instant,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

/// `now + ttl`, saturating to about a century for absurd lifetimes (`Instant + Duration`
/// panics on overflow).
pub(crate) fn deadline(now: Instant, ttl: Duration) -> Instant {
    now.checked_add(ttl)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

impl MemoryStore {
    /// How often a `save` sweeps expired records out of the map.
    pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore {
            state: Mutex::new(State {
                records: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a record half-written (each update is a
        // single map operation), so a poisoned lock is still safe to use.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Removes every expired record now; returns how many were removed.
    pub fn purge_expired(&self) -> usize {
        let mut state = self.state();
        let now = Instant::now();
        state.last_sweep = now;
        let before = state.records.len();
        state.records.retain(|_, r| r.expires > now);
        before - state.records.len()
    }

    /// How many records the map holds now, expired ones included (for tests and inspection).
    pub fn len(&self) -> usize {
        self.state().records.len()
    }

    /// True when the map holds an entry for `id`, expired or not (for tests and inspection:
    /// proves that a lookup created nothing).
    pub fn contains(&self, id: &SessionId) -> bool {
        self.state().records.contains_key(id)
    }

    /// True when the map holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn load_now(&self, id: &SessionId) -> Option<Fields> {
        let mut state = self.state();
        let now = Instant::now();
        match state.records.get(id) {
            Some(r) if r.expires > now => Some(r.fields.clone()),
            Some(_) => {
                state.records.remove(id);
                None
            }
            None => None,
        }
    }

    fn save_now(&self, id: &SessionId, changes: &Changes, ttl: Duration) {
        let mut state = self.state();
        let now = Instant::now();
        if now.duration_since(state.last_sweep) >= Self::SWEEP_INTERVAL {
            state.last_sweep = now;
            state.records.retain(|_, r| r.expires > now);
        }
        // An expired record is gone: its keys must not come back under a new write.
        if state.records.get(id).is_some_and(|r| r.expires <= now) {
            state.records.remove(id);
        }
        let expires = deadline(now, ttl);
        if changes.is_empty() {
            if let Some(r) = state.records.get_mut(id) {
                r.expires = expires;
            }
            return;
        }
        let record = state.records.entry(id.clone()).or_insert_with(|| Record {
            fields: Fields::new(),
            expires,
        });
        changes.apply_to(&mut record.fields);
        record.expires = expires;
        if record.fields.is_empty() {
            state.records.remove(id);
        }
    }
}

impl SessionStore for MemoryStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Fields>> {
        Box::pin(async move { Ok(self.load_now(id)) })
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.save_now(id, changes, ttl);
            Ok(())
        })
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.state().records.remove(id);
            Ok(())
        })
    }

    fn describe(&self) -> String {
        "memory of this process (lost on restart, not shared between processes)".to_string()
    }
}
