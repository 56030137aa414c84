//! The fuzz target's invariants (`fuzz/fuzz_targets/flask_json.rs`) as stable-Rust property
//! tests: any input gives a value or an error, and accepted values round-trip byte-exactly.

use proptest::prelude::*;
use waxseal::flask::json;

fn check(text: &str) -> Result<(), TestCaseError> {
    if let Ok(v) = json::loads(text) {
        let out = json::dumps(&v).map_err(|e| TestCaseError::fail(format!("dumps: {e}")))?;
        let back =
            json::loads(&out).map_err(|e| TestCaseError::fail(format!("reload {out}: {e}")))?;
        prop_assert_eq!(
            json::dumps(&back).map_err(|e| TestCaseError::fail(e.to_string()))?,
            out
        );
    }
    if let Ok(v) = json::parse(text) {
        let out = json::write(&v).map_err(|e| TestCaseError::fail(format!("write: {e}")))?;
        let back =
            json::parse(&out).map_err(|e| TestCaseError::fail(format!("reparse {out}: {e}")))?;
        prop_assert_eq!(
            json::write(&back).map_err(|e| TestCaseError::fail(e.to_string()))?,
            out
        );
    }
    Ok(())
}

/// Token soup biased towards JSON and Flask tags, so most inputs get deep into the parser.
fn json_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just(" ".to_owned()),
        prop::sample::select(vec![
            r#"" t""#,
            r#"" di""#,
            r#"" b""#,
            r#"" m""#,
            r#"" u""#,
            r#"" d""#,
            r#"" t__""#,
            r#""k""#
        ])
        .prop_map(str::to_owned),
        prop::sample::select(vec![
            "null",
            "true",
            "false",
            "NaN",
            "Infinity",
            "-Infinity",
            "0",
            "-0",
            "1e5",
            "1.5E-3",
            "123456789012345678901234567890",
            r#""aGk=""#,
            r#""Wed, 21 Oct 2015 07:28:00 GMT""#,
            r#""c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""\u00e9\n""#,
        ])
        .prop_map(str::to_owned),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        "[ -~]{0,3}",
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn json_soup_never_panics_and_round_trips(text in json_soup()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check(&text)?;
    }
}
