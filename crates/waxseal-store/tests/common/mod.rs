//! The contract every `SessionStore` must keep, checked against a real store, with the store's
//! record existence observed independently (through the map, the SQLite file or a separate
//! Redis connection), so "nothing was created" is checked, not assumed.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use waxseal_store::{Changes, Fields, SessionId, SessionStore};

/// Whether the store holds a record for an id, observed without going through the store.
pub type Probe<'a> = &'a (dyn Fn(SessionId) -> Pin<Box<dyn Future<Output = bool> + Send>> + Sync);

pub const LONG: Duration = Duration::from_secs(3600);

pub fn set(pairs: &[(&str, &str)]) -> Changes {
    Changes {
        set: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        removed: Vec::new(),
    }
}

pub fn remove(keys: &[&str]) -> Changes {
    Changes {
        set: Fields::new(),
        removed: keys.iter().map(|k| k.to_string()).collect(),
    }
}

pub fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The trait contract: unknown ids, empty saves, per-key merge, removal, delete.
pub async fn contract(store: &dyn SessionStore, exists: Probe<'_>) {
    let id = SessionId::random().unwrap();

    // Unknown id: nothing, and looking creates nothing.
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(!exists(id.clone()).await, "load created a record");

    // An empty save (a request that read but changed nothing) never creates a record.
    store.save(&id, &Changes::default(), LONG).await.unwrap();
    assert!(!exists(id.clone()).await, "empty save created a record");
    assert_eq!(store.load(&id).await.unwrap(), None);

    // Removing keys of a session that does not exist creates nothing either.
    store.save(&id, &remove(&["a"]), LONG).await.unwrap();
    assert!(!exists(id.clone()).await, "a removal created a record");

    // First write creates it.
    store.save(&id, &set(&[("a", "1")]), LONG).await.unwrap();
    assert!(exists(id.clone()).await);
    assert_eq!(store.load(&id).await.unwrap(), Some(fields(&[("a", "1")])));

    // Per-key merge: a save of another key keeps "a".
    store
        .save(&id, &set(&[("b", "{\"t\":[1,2]}")]), LONG)
        .await
        .unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(fields(&[("a", "1"), ("b", "{\"t\":[1,2]}")]))
    );

    // Overwrite one key; the other stays.
    store.save(&id, &set(&[("a", "3")]), LONG).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(fields(&[("a", "3"), ("b", "{\"t\":[1,2]}")]))
    );

    // An empty save keeps everything.
    store.save(&id, &Changes::default(), LONG).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(fields(&[("a", "3"), ("b", "{\"t\":[1,2]}")]))
    );

    // Set and remove in one save; removing an absent key is fine.
    let mixed = Changes {
        set: fields(&[("c", "\"é ☃ \\u0000\""), ("", "empty key")]),
        removed: vec!["a".into(), "never-there".into()],
    };
    store.save(&id, &mixed, LONG).await.unwrap();
    assert_eq!(
        store.load(&id).await.unwrap(),
        Some(fields(&[
            ("b", "{\"t\":[1,2]}"),
            ("c", "\"é ☃ \\u0000\""),
            ("", "empty key")
        ]))
    );

    // A key both removed and set ends up set (removals apply first, in every store).
    let both = Changes {
        set: fields(&[("b", "2")]),
        removed: vec!["b".into()],
    };
    store.save(&id, &both, LONG).await.unwrap();
    assert_eq!(
        store
            .load(&id)
            .await
            .unwrap()
            .unwrap()
            .get("b")
            .map(String::as_str),
        Some("2")
    );

    // Removing every key deletes the record.
    store
        .save(&id, &remove(&["b", "c", ""]), LONG)
        .await
        .unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(!exists(id.clone()).await, "an emptied record was kept");

    // Another id is independent of this one.
    let other = SessionId::random().unwrap();
    store.save(&id, &set(&[("x", "1")]), LONG).await.unwrap();
    store.save(&other, &set(&[("y", "2")]), LONG).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(fields(&[("x", "1")])));
    assert_eq!(
        store.load(&other).await.unwrap(),
        Some(fields(&[("y", "2")]))
    );

    // Delete removes the record; deleting again, or an unknown id, is fine.
    store.delete(&id).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(!exists(id.clone()).await);
    store.delete(&id).await.unwrap();
    store.delete(&SessionId::random().unwrap()).await.unwrap();
    assert_eq!(
        store.load(&other).await.unwrap(),
        Some(fields(&[("y", "2")]))
    );

    // A large value goes through intact.
    let big = "x".repeat(200_000);
    store
        .save(&other, &set(&[("big", &big)]), LONG)
        .await
        .unwrap();
    assert_eq!(
        store.load(&other).await.unwrap().unwrap().get("big"),
        Some(&big)
    );
    store.delete(&other).await.unwrap();
    assert!(!describe_is_blank(store));
}

fn describe_is_blank(store: &dyn SessionStore) -> bool {
    store.describe().trim().is_empty()
}

/// Expiry: a record saved with `ttl` is gone after `wait`; an empty save refreshes the expiry
/// of a live record and does not revive an expired one; a write on an expired id does not bring
/// the old keys back.
pub async fn expiry(store: &dyn SessionStore, exists: Probe<'_>, ttl: Duration, wait: Duration) {
    let id = SessionId::random().unwrap();
    store.save(&id, &set(&[("a", "1")]), ttl).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(fields(&[("a", "1")])));
    tokio::time::sleep(wait).await;
    assert_eq!(
        store.load(&id).await.unwrap(),
        None,
        "expired record loaded"
    );

    // An empty save on the expired id revives nothing.
    store.save(&id, &Changes::default(), LONG).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);

    // A write on the expired id starts from nothing.
    store.save(&id, &set(&[("b", "2")]), LONG).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), Some(fields(&[("b", "2")])));
    store.delete(&id).await.unwrap();

    // Refresh: an empty save with a long ttl keeps a short-lived record past its first expiry.
    let kept = SessionId::random().unwrap();
    store.save(&kept, &set(&[("k", "1")]), ttl).await.unwrap();
    store.save(&kept, &Changes::default(), LONG).await.unwrap();
    tokio::time::sleep(wait).await;
    assert_eq!(
        store.load(&kept).await.unwrap(),
        Some(fields(&[("k", "1")]))
    );
    assert!(exists(kept.clone()).await);

    // And the reverse: a write with a short ttl shortens the lifetime.
    store.save(&kept, &set(&[("k", "2")]), ttl).await.unwrap();
    tokio::time::sleep(wait).await;
    assert_eq!(store.load(&kept).await.unwrap(), None);
}

/// `clients` tasks on one session, half through `first` and half through `second` (two store
/// instances on the same data), each incrementing its own key `rounds` times by load → save of
/// only that key. Every key must end at `rounds`: no write lost.
pub async fn concurrent_increments(
    first: std::sync::Arc<dyn SessionStore>,
    second: std::sync::Arc<dyn SessionStore>,
    clients: usize,
    rounds: u32,
) {
    let id = SessionId::random().unwrap();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let store = if client % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("counter{client}");
            for _ in 0..rounds {
                let current = store.load(&id).await.unwrap().unwrap_or_default();
                let n: u32 = current.get(&key).map_or(0, |v| v.parse().unwrap());
                store
                    .save(&id, &set(&[(&key, &(n + 1).to_string())]), LONG)
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for store in [&first, &second] {
        let record = store.load(&id).await.unwrap().unwrap();
        assert_eq!(record.len(), clients);
        for client in 0..clients {
            assert_eq!(
                record.get(&format!("counter{client}")).map(String::as_str),
                Some(rounds.to_string().as_str()),
                "client {client} lost writes; record {record:?}"
            );
        }
    }
    first.delete(&id).await.unwrap();
}
