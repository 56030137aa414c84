//! Decoding a token's raw payload text and rendering it for people and for JSON.
//!
//! Flask's session JSON tags Python types that JSON lacks (`{" t": [...]}` is a tuple,
//! `{" b": "..."}` bytes...). For people the decoded value is shown with those types named:
//! `tuple(1, 2)`, `bytes(b'\x00ab')`, `datetime(2015-10-21T07:28:00Z)`, `uuid(...)`,
//! `markup("<b>hi</b>")`. In `--json` output (the `payload` field) the value is untagged and each
//! non-JSON type becomes a one-member object whose key starts with `$`:
//!
//! | Python type   | JSON                                         |
//! |---------------|----------------------------------------------|
//! | `tuple`       | `{"$tuple": [...]}`                          |
//! | `bytes`       | `{"$bytes": "<hex>"}`                        |
//! | `uuid.UUID`   | `{"$uuid": "12345678-1234-..."}`             |
//! | `datetime`    | `{"$datetime": "2015-10-21T07:28:00Z"}`      |
//! | `Markup`      | `{"$markup": "<b>hi</b>"}`                   |
//! | int beyond 64 bits | `{"$int": "123456789012345678901234"}` |
//! | `nan`, `inf`  | `{"$float": "NaN"}` / `"Infinity"` / `"-Infinity"` |
//!
//! Everything else is plain JSON. The exact text Flask stored is in `payload_raw`.

use waxseal::flask::{json as fjson, Value};
use waxseal::inspect::FormatKind;

use crate::output::{python_bytes_literal, utc};

/// A payload decoded according to its format.
pub enum Decoded {
    /// A JSON value (Flask's tagged JSON untagged, or an itsdangerous serializer's JSON).
    Json(Value),
    /// A signer's payload: a string.
    Text(String),
}

/// Decodes `raw` for `kind`: Flask's tagged JSON (`TaggedJSONSerializer.loads`), Python's
/// `json.loads` for the itsdangerous serializers, the text itself for signers.
pub fn decode(kind: FormatKind, raw: &str) -> Result<Decoded, String> {
    match kind {
        FormatKind::Flask => fjson::loads(raw)
            .map(Decoded::Json)
            .map_err(|e| format!("not Flask session JSON: {e}")),
        k if k.is_json() => fjson::parse(raw)
            .map(Decoded::Json)
            .map_err(|e| format!("not JSON: {e}")),
        _ => Ok(Decoded::Text(raw.to_owned())),
    }
}

impl Decoded {
    /// The human rendering (types named).
    pub fn human(&self) -> String {
        match self {
            Decoded::Json(v) => {
                let mut out = String::new();
                human(v, &mut out);
                out
            }
            Decoded::Text(s) => quote(s),
        }
    }

    /// The JSON rendering (see the module documentation).
    pub fn json(&self) -> serde_json::Value {
        match self {
            Decoded::Json(v) => to_json(v),
            Decoded::Text(s) => serde_json::Value::String(s.clone()),
        }
    }

    /// The Flask types this payload uses, in order of first appearance, for explanations.
    pub fn tags_used(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if let Decoded::Json(v) = self {
            collect_tags(v, &mut out);
        }
        out
    }
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn uuid_text(u: &[u8; 16]) -> String {
    let h = crate::output::hex(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn datetime_text(d: &waxseal::flask::DateTime) -> String {
    let secs = d.unix_seconds();
    u64::try_from(secs).ok().and_then(utc).unwrap_or_else(|| {
        let (y, mo, da, h, mi, s) = d.to_civil();
        format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}Z")
    })
}

fn float_text(f: f64) -> String {
    let mut s = String::new();
    waxseal::pyjson::write_f64(&mut s, f);
    s
}

fn human(v: &Value, out: &mut String) {
    let seq = |items: &[Value], out: &mut String| {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            human(item, out);
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&float_text(*f)),
        Value::Str(s) => out.push_str(&quote(s)),
        Value::List(items) => {
            out.push('[');
            seq(items, out);
            out.push(']');
        }
        Value::Tuple(items) => {
            out.push_str("tuple(");
            seq(items, out);
            out.push(')');
        }
        Value::Bytes(b) => {
            out.push_str("bytes(");
            out.push_str(&python_bytes_literal(b));
            out.push(')');
        }
        Value::Uuid(u) => out.push_str(&format!("uuid({})", uuid_text(u))),
        Value::DateTime(d) => out.push_str(&format!("datetime({})", datetime_text(d))),
        Value::Markup(m) => out.push_str(&format!("markup({})", quote(m))),
        Value::Dict(d) => {
            out.push('{');
            for (i, (k, item)) in d.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(k));
                out.push_str(": ");
                human(item, out);
            }
            out.push('}');
        }
    }
}

fn wrap(tag: &str, value: serde_json::Value) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert(tag.to_owned(), value);
    serde_json::Value::Object(m)
}

/// The JSON rendering of a Flask value (see the module documentation).
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => match (i.as_i64(), i.as_u64()) {
            (Some(n), _) => J::from(n),
            (None, Some(n)) => J::from(n),
            _ => wrap("$int", J::String(i.to_string())),
        },
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => J::Number(n),
            None => wrap("$float", J::String(float_text(*f))),
        },
        Value::Str(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Tuple(items) => wrap("$tuple", J::Array(items.iter().map(to_json).collect())),
        Value::Bytes(b) => wrap("$bytes", J::String(crate::output::hex(b))),
        Value::Uuid(u) => wrap("$uuid", J::String(uuid_text(u))),
        Value::DateTime(d) => wrap("$datetime", J::String(datetime_text(d))),
        Value::Markup(m) => wrap("$markup", J::String(m.clone())),
        Value::Dict(d) => J::Object(d.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

fn collect_tags(v: &Value, out: &mut Vec<&'static str>) {
    let mut add = |t: &'static str| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    match v {
        Value::Tuple(items) => {
            add("tuple");
            items.iter().for_each(|i| collect_tags(i, out));
        }
        Value::List(items) => items.iter().for_each(|i| collect_tags(i, out)),
        Value::Dict(d) => d.values().for_each(|i| collect_tags(i, out)),
        Value::Bytes(_) => add("bytes"),
        Value::Uuid(_) => add("uuid"),
        Value::DateTime(_) => add("datetime"),
        Value::Markup(_) => add("markup"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_tags_are_named_for_people() {
        let d = decode(
            FormatKind::Flask,
            r#"{"b":{" b":"AGFi"},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"t":{" t":[1,2]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            d.human(),
            r#"{"b": bytes(b'\x00ab'), "d": datetime(2015-10-21T07:28:00Z), "t": tuple(1, 2)}"#
        );
        assert_eq!(
            d.json(),
            serde_json::json!({"b": {"$bytes": "006162"}, "d": {"$datetime": "2015-10-21T07:28:00Z"}, "t": {"$tuple": [1, 2]}})
        );
    }
}
