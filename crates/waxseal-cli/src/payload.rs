//! Payloads rendered for people: Flask's tagged types named, `tuple(1, 2)`, `bytes(b'\x00ab')`,
//! `datetime(2015-10-21T07:28:00Z)`, `uuid(...)`, `markup("<b>hi</b>")`. The JSON rendering
//! (`$tuple`, `$bytes`...) is the core's (`waxseal::inspect::to_json`), documented there and in
//! the README.

use waxseal::flask::Value;
use waxseal::inspect::{datetime_text, float_text, uuid_text, Inspection, Payload};

use crate::json::RawJson;
use crate::output::python_bytes_literal;

/// A record's payload in `--json` output: the `$`-tagged JSON of its value, copied from the
/// token's own text when that gives it ([`Inspection::payload_compact_json`]).
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum JsonPayloadField<'a> {
    /// The token's text, which gives the payload's JSON.
    Text(RawJson<'a>),
    /// The value, serialised.
    Value(&'a Payload),
}

/// The `payload` of an inspection's `--json` output, if it has one.
pub fn json_payload(r: &Inspection) -> Option<JsonPayloadField<'_>> {
    match r.payload_compact_json() {
        Some(json) => Some(JsonPayloadField::Text(RawJson::new(json))),
        None => r.payload.as_ref().map(JsonPayloadField::Value),
    }
}

/// The human rendering of an inspection's payload (types named), if it has one.
pub fn human_payload(r: &Inspection) -> Option<String> {
    match r.payload.as_ref()? {
        Payload::Json(j) => {
            let mut out = String::new();
            human(j.value(), &mut out);
            Some(out)
        }
        Payload::Text(t) => Some(quote(t)),
        Payload::Bytes(b) => Some(python_bytes_literal(b)),
    }
}

/// The Flask types a payload uses, in order of first appearance, for explanations.
pub fn tags_used(v: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    collect_tags(v, &mut out);
    out
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
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
        let v = waxseal::flask::json::loads(
            r#"{"b":{" b":"AGFi"},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"t":{" t":[1,2]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut out = String::new();
        human(&v, &mut out);
        assert_eq!(
            out,
            r#"{"b": bytes(b'\x00ab'), "d": datetime(2015-10-21T07:28:00Z), "t": tuple(1, 2)}"#
        );
        assert_eq!(tags_used(&v), ["bytes", "datetime", "tuple"]);
    }
}
