//! MemoryStore against the store contract.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use waxseal_store::{MemoryStore, SessionId, SessionStore};

fn probe(
    store: Arc<MemoryStore>,
) -> impl Fn(SessionId) -> Pin<Box<dyn Future<Output = bool> + Send>> + Sync {
    move |id| {
        let found = store.contains(&id);
        Box::pin(async move { found })
    }
}

#[tokio::test]
async fn contract() {
    let store = Arc::new(MemoryStore::new());
    common::contract(store.as_ref(), &probe(store.clone())).await;
    assert!(store.is_empty());
}

#[tokio::test]
async fn expiry_and_purge() {
    let store = Arc::new(MemoryStore::new());
    common::expiry(
        store.as_ref(),
        &probe(store.clone()),
        Duration::from_millis(150),
        Duration::from_millis(300),
    )
    .await;

    // Expired entries that nobody touches are swept by purge_expired.
    let a = SessionId::random().unwrap();
    let b = SessionId::random().unwrap();
    store
        .save(&a, &common::set(&[("k", "1")]), Duration::from_millis(50))
        .await
        .unwrap();
    store
        .save(&b, &common::set(&[("k", "1")]), common::LONG)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(store.contains(&a));
    let purged = store.purge_expired();
    assert!(purged >= 1, "purged {purged}");
    assert!(!store.contains(&a));
    assert!(store.contains(&b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_lose_no_writes() {
    // One process: both "instances" are the same map.
    let store: Arc<dyn SessionStore> = Arc::new(MemoryStore::new());
    common::concurrent_increments(store.clone(), store, 8, 25).await;
}

#[test]
fn absurd_ttl_does_not_panic() {
    let store = MemoryStore::new();
    let id = SessionId::random().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        store
            .save(&id, &common::set(&[("k", "1")]), Duration::MAX)
            .await
            .unwrap();
        assert!(store.load(&id).await.unwrap().is_some());
    });
}
