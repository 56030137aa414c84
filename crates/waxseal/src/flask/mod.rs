//! Flask's session data model: the tagged JSON that `flask.sessions.SecureCookieSessionInterface`
//! stores, byte-for-byte as Flask 3.1.3 writes and reads it.
//!
//! * [`Value`] keeps every distinction Flask's `TaggedJSONSerializer` can store (tuples, bytes,
//!   UUIDs, datetimes, Markup, big integers, `NaN`…).
//! * [`json::dumps`]/[`json::loads`] are the session serializer (`TaggedJSONSerializer.dumps` /
//!   `.loads`): tag + Flask JSON, parse + untag.
//! * [`json::write`]/[`json::parse`] are the JSON layer alone (Flask's
//!   `app.json.dumps(obj, separators=(",", ":"))` / `json.loads`).
//! * [`to_value`]/[`from_value`] bridge to serde types.
//!
//! ```
//! use waxseal::flask::{json, Value};
//! let v = json::loads(r#"{"_flashes":[{" t":["message","Hello"]}],"n":1}"#)?;
//! assert_eq!(v.get("_flashes"), Some(&Value::List(vec![Value::Tuple(vec!["message".into(), "Hello".into()])])));
//! assert_eq!(json::dumps(&v)?, r#"{"_flashes":[{" t":["message","Hello"]}],"n":1}"#);
//! # Ok::<(), waxseal::flask::FlaskJsonError>(())
//! ```

mod datetime;
mod display;
mod error;
mod http_date;
mod int;
pub mod json;
mod serde_bridge;
pub mod tag;
pub mod value;

pub use display::{bytes_repr, uuid_text};
pub use error::FlaskJsonError;
pub use value::{from_value, to_value, DateTime, Dict, DictHasher, Int, Value};
pub mod cookie;
pub mod session;
