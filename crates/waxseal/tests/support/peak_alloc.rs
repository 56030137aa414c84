//! A per-thread peak-allocation counter shared by the memory tests (`hostile_input.rs`,
//! `inflate_memory.rs`), included with `#[path]` so each test binary gets its own copy.
//!
//! Test-only `unsafe`: a `GlobalAlloc` cannot be implemented without it. It forwards to the
//! system allocator and, only on a thread that switched tracking on, adds up live bytes and
//! records the peak. The thread-locals are const-initialised `Cell`s without destructors, so
//! touching them never allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

struct Counting;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    // try_with: during thread teardown the slots may be gone; then we simply do not count.
    let _ = TRACKING.try_with(|t| {
        if t.get() {
            let live = LIVE.with(|l| {
                l.set(l.get() + delta);
                l.get()
            });
            PEAK.with(|p| p.set(p.get().max(live)));
        }
    });
}

// SAFETY: every method forwards the caller's arguments unchanged to `System`, which upholds the
// GlobalAlloc contract; the bookkeeping only touches thread-local integers.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result, the peak of bytes it held live at once, and the time taken.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, Duration) {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    TRACKING.with(|t| t.set(true));
    let start = Instant::now();
    let r = f();
    let took = start.elapsed();
    TRACKING.with(|t| t.set(false));
    (r, PEAK.with(|p| p.get()).max(0) as usize, took)
}
