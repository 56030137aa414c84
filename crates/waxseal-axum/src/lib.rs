//! Flask-compatible sessions for axum (work in progress).
#![forbid(unsafe_code)]
