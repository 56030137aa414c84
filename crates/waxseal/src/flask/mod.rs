//! TEMP
pub mod cookie;
