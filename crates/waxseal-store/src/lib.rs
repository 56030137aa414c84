//! Server-side session stores (work in progress).
#![forbid(unsafe_code)]
