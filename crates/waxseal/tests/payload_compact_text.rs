//! `Inspection::payload_compact_json`: when given, it is, byte for byte, what `serde_json` writes
//! for the payload, so that renderers may copy it. Checked for token soup and for compact
//! renderings of arbitrary values, in every JSON format; each reason for it to be absent is
//! checked to matter (the rendering differs from the text, tag keys renamed).

use proptest::prelude::*;
use waxseal::flask::{json, Value};
use waxseal::inspect::{Detail, FormatKind, Inspection, Payload, TokenFormat, Verifier};

/// The formats whose payload is JSON.
fn json_formats() -> impl Iterator<Item = FormatKind> {
    FormatKind::ALL.into_iter().filter(|k| k.is_json())
}

/// The record of a token of `kind` carrying `text`.
fn inspect(kind: FormatKind, text: &str) -> Inspection {
    let format = TokenFormat::new(kind);
    let token = format
        .sign_at(&[b"compact text key"], text.as_bytes(), 1_700_000_000)
        .expect("signing never fails for these formats");
    Verifier::decode_only(&format).inspect(token.as_bytes(), Detail::Verify)
}

/// Whether the text gave the payload's JSON, after checking that it then equals the rendering.
fn compact(kind: FormatKind, text: &str) -> Result<bool, TestCaseError> {
    let r = inspect(kind, text);
    let Some(Payload::Json(p)) = &r.payload else {
        prop_assert!(r.payload_compact_json().is_none());
        return Ok(false);
    };
    prop_assert_eq!(r.payload_raw.as_deref(), Some(text));
    let rendered = serde_json::to_string(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let Some(json) = r.payload_compact_json() else {
        return Ok(false);
    };
    prop_assert_eq!(json.to_string(), rendered.clone(), "{:?} {}", kind, text);
    prop_assert_eq!(json.pieces().collect::<String>(), rendered);
    Ok(true)
}

/// `text` with the tag keys of tuples and Markup renamed as in the `$`-tagged JSON (for texts
/// where those keys stand only as keys).
fn renamed(text: &str) -> String {
    text.replace(r#"" t""#, r#""$tuple""#)
        .replace(r#"" m""#, r#""$markup""#)
}

fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "null",
            "true",
            "false",
            "NaN",
            "-Infinity",
            "0",
            "-0",
            "7",
            "-12",
            "1.5",
            "1e5",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            r#"" t""#,
            r#"" di""#,
            r#"" b""#,
            r#""k""#,
            r#""a b""#,
            r#""\/""#,
            r#""\u0041""#,
            r#""é""#,
            "\"\u{7f}\"",
            "\"\u{85}\"",
            r#""$tuple""#,
        ])
        .prop_map(str::to_owned),
        "\"[ -~&&[^\"\\\\]]{0,6}\"",
    ];
    prop::collection::vec(token, 1..24).prop_map(|t| t.concat())
}

/// Values whose compact rendering is often compact text: strings of printable ASCII, integers
/// across the 64-bit bounds, nesting; and sometimes not (floats, tags, escapes).
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[ -~]{0,8}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        any::<f64>().prop_map(Value::Float),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Tuple),
            prop::collection::vec(("[ -~]{0,4}", inner), 0..4)
                .prop_map(|members| members.into_iter().collect()),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn compact_text_is_the_rendering_for_token_soup(text in soup()) {
        for kind in json_formats() {
            compact(kind, &text)?;
        }
    }

    #[test]
    fn compact_text_is_the_rendering_for_arbitrary_values(v in value()) {
        for text in [json::dumps(&v), json::write(&v)].into_iter().flatten() {
            for kind in json_formats() {
                compact(kind, &text)?;
            }
        }
    }
}

fn check(kind: FormatKind, text: &str) -> bool {
    compact(kind, text).unwrap_or_else(|e| panic!("{kind:?} {text:?}: {e}"))
}

#[test]
fn flask_sessions_give_their_json() {
    for text in [
        r#"{"_user_id":"1001","_fresh":false,"csrf_token":"000000009e3779b1"}"#,
        r#"{"cart":[0,1,2],"n":-9223372036854775808,"m":18446744073709551615,"x":null}"#,
        r#"{"a":{"b":[[],{}],"c":true},"d":"it's <b>fine</b> ~!@#$%^&*()"}"#,
        r#"{"$tuple":[1]}"#,
        "{}",
    ] {
        for kind in json_formats() {
            assert!(check(kind, text), "{kind:?} {text}");
        }
    }
    // Tuples of lists (flashed messages) and Markup of strings: their keys renamed, at any depth.
    for text in [
        r#"{"_flashes":[{" t":["message","Welcome back"]},{" t":["error","No"]}]}"#,
        r#"{" t":[{" t":[1,{" m":"<b>x</b>"}]},{" m":""}]}"#,
        r#"{"a":{" t":[]},"b":" t","c":{" t":[" m"]}}"#,
    ] {
        for kind in json_formats() {
            assert!(check(kind, text), "{kind:?} {text}");
        }
        let r = inspect(FormatKind::Flask, text);
        let json = r.payload_compact_json().expect("compact");
        assert_ne!(json.to_string(), text, "{text}: renamed");
    }
}

/// Up to 8 renamed tags are noted (held inline); a text with more is serialised instead.
#[test]
fn up_to_eight_renamed_tags_give_the_json() {
    for n in [7, 8, 9, 30] {
        let flashes = vec![r#"{" t":["message","hi"]}"#; n].join(",");
        let text = format!(r#"{{"_flashes":[{flashes}],"m":{{" m":"x"}}}}"#);
        assert_eq!(
            check(FormatKind::Flask, &text),
            n < 8,
            "{n} tuples and a Markup"
        );
        assert!(check(FormatKind::UrlSafe, &text), "{n}");
    }
}

/// Each reason for the JSON not to be given, with a text whose rendering differs from it.
#[test]
fn each_difference_from_the_rendering_means_no_json() {
    let cases = [
        (r#"{"a": 1}"#, "whitespace"),
        (" {\"a\":1}", "leading whitespace"),
        ("{\"a\":1}\n", "trailing whitespace"),
        (r#"{"a":"\u0041"}"#, "an escape"),
        (r#"{"a":"\/"}"#, "an escape the rendering drops"),
        (r#"{"a":-0}"#, "minus zero"),
        (r#"{"a":1E5}"#, "a float"),
        (r#"{"a":1.50}"#, "a float with a trailing zero"),
        (r#"{"a":NaN}"#, "NaN"),
        (r#"{"a":18446744073709551616}"#, "an integer beyond 64 bits"),
        (r#"{"a":1,"a":2}"#, "a repeated key"),
    ];
    for (text, why) in cases {
        for kind in json_formats() {
            assert!(!check(kind, text), "{kind:?} {text}: {why}");
            let r = inspect(kind, text);
            let Some(Payload::Json(p)) = &r.payload else {
                panic!("{kind:?} {text}: not JSON")
            };
            let rendered = serde_json::to_string(p).expect("renders");
            assert_ne!(rendered, text, "{kind:?} {text}: {why} must matter");
        }
    }
    // Beyond printable ASCII, `serde_json` copies characters that writers escaping more than JSON
    // requires (Python's `ensure_ascii`, the CLI's terminal-safe writer) do not: absent as well.
    for text in [
        "{\"a\":\"é\"}",
        "{\"a\":\"\u{7f}\"}",
        "{\"a\":\"\u{85}\"}",
        "{\"a\":\"\u{2028}\"}",
    ] {
        for kind in json_formats() {
            assert!(!check(kind, text), "{kind:?} {text}");
        }
    }
    // Tags that change more than their key, where tags are read (Flask's session JSON); other
    // formats keep them as plain objects.
    for (text, why) in [
        (r#"{" b":"aGk="}"#, "bytes"),
        (
            r#"{"u":{" u":"0123456789abcdef0123456789abcdef"}}"#,
            "a UUID",
        ),
        (r#"{" d":"Wed, 21 Oct 2015 07:28:00 GMT"}"#, "a date"),
        (r#"{" di":{"a":1}}"#, "a tagged dict"),
        (r#"{" t":"ab"}"#, "a tuple of a string"),
        (r#"{" t":{" t":[1]}}"#, "a tuple of a tuple"),
        (r#"{" m":1}"#, "Markup of a number"),
        (r#"{" m":{" m":"x"}}"#, "Markup of Markup"),
    ] {
        assert!(!check(FormatKind::Flask, text), "{text}: {why}");
        let r = inspect(FormatKind::Flask, text);
        let Some(Payload::Json(p)) = &r.payload else {
            panic!("{text}: not JSON")
        };
        let rendered = serde_json::to_string(p).expect("renders");
        assert_ne!(rendered, renamed(text), "{text}: {why} must matter");
        assert!(check(FormatKind::UrlSafe, text), "{text}");
    }
}
