//! `waxseal serve` (work in progress).
#![forbid(unsafe_code)]
