//! `JsonPayload::is_compact_text`: when it holds, the payload text is, byte for byte, what
//! `serde_json` writes for the payload, so that renderers may copy the text. Checked for token soup
//! and for compact renderings of arbitrary values, in every JSON format; each reason for the flag
//! to be off is checked to matter (the rendering differs from the text).

use proptest::prelude::*;
use waxseal::flask::{json, Value};
use waxseal::inspect::{Detail, FormatKind, Inspection, Payload, TokenFormat, Verifier};

const JSON_FORMATS: [FormatKind; 6] = [
    FormatKind::Flask,
    FormatKind::UrlSafeTimed,
    FormatKind::UrlSafe,
    FormatKind::Serializer,
    FormatKind::TimedSerializer,
    FormatKind::Starlette,
];

/// The record of a token of `kind` carrying `text`.
fn inspect(kind: FormatKind, text: &str) -> Inspection {
    let format = TokenFormat::new(kind);
    let token = format
        .sign_at(&[b"compact text key"], text.as_bytes(), 1_700_000_000)
        .expect("signing never fails for these formats");
    Verifier::decode_only(&format).inspect(token.as_bytes(), Detail::Verify)
}

/// Whether the text was taken as compact, after checking that it then equals the rendering.
fn compact(kind: FormatKind, text: &str) -> Result<bool, TestCaseError> {
    let r = inspect(kind, text);
    let Some(Payload::Json(p)) = &r.payload else {
        prop_assert_eq!(r.payload_json_text(), None);
        return Ok(false);
    };
    prop_assert_eq!(r.payload_raw.as_deref(), Some(text));
    let rendered = serde_json::to_string(p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if p.is_compact_text() {
        prop_assert_eq!(&rendered, text, "{:?}", kind);
        prop_assert_eq!(r.payload_json_text(), Some(text));
    } else {
        prop_assert_eq!(r.payload_json_text(), None);
    }
    Ok(p.is_compact_text())
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
        for kind in JSON_FORMATS {
            compact(kind, &text)?;
        }
    }

    #[test]
    fn compact_text_is_the_rendering_for_arbitrary_values(v in value()) {
        for text in [json::dumps(&v), json::write(&v)].into_iter().flatten() {
            for kind in JSON_FORMATS {
                compact(kind, &text)?;
            }
        }
    }
}

fn check(kind: FormatKind, text: &str) -> bool {
    compact(kind, text).unwrap_or_else(|e| panic!("{kind:?} {text:?}: {e}"))
}

#[test]
fn flask_sessions_without_tags_are_compact_text() {
    for text in [
        r#"{"_user_id":"1001","_fresh":false,"csrf_token":"000000009e3779b1"}"#,
        r#"{"cart":[0,1,2],"n":-9223372036854775808,"m":18446744073709551615,"x":null}"#,
        r#"{"a":{"b":[[],{}],"c":true},"d":"it's <b>fine</b> ~!@#$%^&*()"}"#,
        r#"{"$tuple":[1]}"#,
        "{}",
    ] {
        for kind in JSON_FORMATS {
            assert!(check(kind, text), "{kind:?} {text}");
        }
    }
}

/// Each reason for the flag to be off, with a text whose rendering differs from it.
#[test]
fn each_difference_from_the_rendering_clears_the_flag() {
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
        for kind in JSON_FORMATS {
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
    // requires (Python's `ensure_ascii`, the CLI's terminal-safe writer) do not: off as well.
    for text in [
        "{\"a\":\"é\"}",
        "{\"a\":\"\u{7f}\"}",
        "{\"a\":\"\u{85}\"}",
        "{\"a\":\"\u{2028}\"}",
    ] {
        for kind in JSON_FORMATS {
            assert!(!check(kind, text), "{kind:?} {text}");
        }
    }
    // Tags matter where they are read: Flask's session JSON.
    for text in [r#"{"a":{" t":[1,2]}}"#, r#"{" b":"aGk="}"#] {
        assert!(!check(FormatKind::Flask, text), "{text}");
        assert!(check(FormatKind::UrlSafe, text), "{text}");
    }
}
