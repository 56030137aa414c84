//! Laziness, measured: a handler that never touches the session makes exactly as many heap
//! allocations with the session layer as without it (no cookie parsing, no HMAC, nothing
//! allocated for the session). Own test binary: it installs a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use waxseal_axum::{SessionConfig, SessionLayer};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY-free: this only forwards to the system allocator and counts on the current thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

async fn allocations(app: &Router) -> u64 {
    let req = Request::builder()
        .uri("/ping")
        .header(
            header::COOKIE,
            "session=eyJ4IjoxfQ.ZVPxAA.c2lnbmF0dXJlLWhlcmU",
        )
        .body(Body::empty())
        .expect("request");
    let svc = app.clone();
    let before = ALLOCATIONS.with(Cell::get);
    let response = svc.oneshot(req).await.expect("infallible");
    let after = ALLOCATIONS.with(Cell::get);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert!(response.headers().get(header::VARY).is_none());
    after - before
}

#[tokio::test(flavor = "current_thread")]
async fn an_untouched_session_allocates_nothing() {
    let routes: Router = Router::new().route("/ping", get(|| async { "pong" }));
    // The baseline has a do-nothing layer: axum boxes every layered route's future, which is
    // the router's cost, not the session's.
    // `with_state(())` turns handlers into routes once, as `axum::serve` does (a bare router
    // converts them on every call, cloning each layer).
    let plain = routes
        .clone()
        .layer(tower::layer::util::Identity::new())
        .with_state(());
    let config = SessionConfig::builder()
        .secret_key("9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e")
        .build()
        .expect("config");
    let layered = routes
        .layer(SessionLayer::new(config).expect("layer"))
        .with_state(());
    // Warm both (lazy statics, first-use caches), then compare.
    allocations(&plain).await;
    allocations(&layered).await;
    let mut without = u64::MAX;
    let mut with = u64::MAX;
    for _ in 0..5 {
        without = without.min(allocations(&plain).await);
        with = with.min(allocations(&layered).await);
    }
    assert!(without > 0, "the counter counts");
    assert_eq!(
        with, without,
        "the session layer allocated for an untouched session"
    );
}
