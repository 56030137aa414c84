//! One module per command.

pub mod crack;
pub mod decode;
pub mod explain;
pub mod key;
pub mod serve;
pub mod sign;
pub mod verify;
