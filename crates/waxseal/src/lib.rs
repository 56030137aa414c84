//! waxseal: Flask's `SECRET_KEY` machinery, rebuilt in Rust.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
pub mod compress;
