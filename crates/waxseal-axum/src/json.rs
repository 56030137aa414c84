//! Flask's tagged values as plain JSON, for APIs that return the session.

use base64::Engine as _;
use serde_json::Value as Json;
use waxseal::flask::Value;

/// `value` as plain JSON: tuples as arrays, bytes as standard base64, datetimes as HTTP dates,
/// UUIDs hyphenated, Markup as its text, integers beyond 64 bits as decimal strings.
///
/// ```
/// use waxseal::flask::Value;
/// let v = Value::Tuple(vec![Value::from(1), Value::from(&b"hi"[..])]);
/// assert_eq!(waxseal_axum::natural_json(&v), serde_json::json!([1, "aGk="]));
/// ```
pub fn natural(value: &Value) -> Json {
    match value {
        Value::Dict(d) => Json::Object(d.iter().map(|(k, v)| (k.clone(), natural(v))).collect()),
        Value::List(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(natural).collect())
        }
        Value::Bytes(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Int(i) => match i.as_i64() {
            Some(n) => Json::from(n),
            None => Json::String(i.to_string()),
        },
        other => serde_json::to_value(other).unwrap_or(Json::Null),
    }
}
