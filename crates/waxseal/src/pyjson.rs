//! PLACEHOLDER until the Python-JSON module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy)]
pub struct JsonStyle(u8);
impl JsonStyle {
    pub const PYTHON_DEFAULT: JsonStyle = JsonStyle(0);
    pub const COMPACT: JsonStyle = JsonStyle(1);
}
pub fn to_vec<T: serde::Serialize + ?Sized>(
    v: &T,
    _style: JsonStyle,
) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(v)
}
