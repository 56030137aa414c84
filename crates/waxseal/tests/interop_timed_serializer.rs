//! itsdangerous's `TimedSerializer` through the run-time format engine
//! ([`FormatKind::TimedSerializer`]), against the pinned itsdangerous 2.2 run in a subprocess.
//!
//! * `TokenFormat::sign` with the `json.dumps` text of a value gives `TimedSerializer(secret)`'s
//!   token byte for byte.
//! * The verifier gives itsdangerous's outcome for the same token, key, clock and maximum age:
//!   valid (with no maximum age, as `loads` applies none by default), tampered, wrong key,
//!   expired and dated in the future under a maximum age.
//! * `detect_formats` names a real `TimedSerializer` token `timed-serializer` first.

use waxseal::inspect::{detect_formats, Detail, FormatKind, TokenFormat, Verdict, Verifier};
use waxseal::pyjson::{self, JsonStyle};
use waxseal::secret::SecretKey;
use waxseal_interop::{hex, json, oracle, Value};

const SECRET: &str = "a TimedSerializer secret for the interop tests";
const TS: u64 = 1_700_000_000;

/// Values whose JSON text exercises `json.dumps`'s defaults: separators, `\u` escapes, floats
/// (whose `.` is also the token separator), key order.
fn values() -> Vec<Value> {
    vec![
        json!({"user": "ada", "id": 7}),
        json!({"user": "ad\u{e9}min \u{2603} \u{1f600}", "n": [1, 2.5, -0.0, 1e16, 1e-05],
               "nested": {"b": null, "a": true}}),
        json!([1.5, "x.y", {"z": 1, "a": 2}]),
        json!("user-42"),
    ]
}

/// The tokens the real `TimedSerializer(SECRET)` writes for `values` at `TS`.
fn python_tokens(values: &[Value]) -> Option<Vec<String>> {
    let requests: Vec<Value> = values
        .iter()
        .map(|v| {
            json!({"op": "sign", "kind": "timed_serializer", "keys": [hex(SECRET.as_bytes())],
                   "salt": null, "timestamp": TS, "json": v.to_string()})
        })
        .collect();
    let answers = oracle("itsdangerous_oracle.py", &requests)?;
    Some(
        answers
            .iter()
            .map(|a| {
                a["token"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{a}"))
                    .to_owned()
            })
            .collect(),
    )
}

#[test]
fn waxseal_signs_timed_serializer_tokens_byte_for_byte() {
    let values = values();
    let Some(tokens) = python_tokens(&values) else {
        return;
    };
    let format = TokenFormat::new(FormatKind::TimedSerializer);
    for (value, token) in values.iter().zip(&tokens) {
        let text = pyjson::to_string(value, JsonStyle::PYTHON_DEFAULT).expect("json");
        let ours = format
            .sign_at(&[SECRET.as_bytes()], text.as_bytes(), TS)
            .expect("sign");
        assert_eq!(&ours, token, "{text}");
        assert_eq!(
            detect_formats(token.as_bytes()).first(),
            Some(&FormatKind::TimedSerializer),
            "{token}"
        );
    }
}

/// (secret, token, now, max_age, verdict, itsdangerous's error when it refuses)
type Case<'a> = (
    &'a str,
    &'a str,
    u64,
    Option<u64>,
    Verdict,
    Option<&'static str>,
);

#[test]
fn the_verifier_agrees_with_itsdangerous_on_every_outcome() {
    let values = values();
    let Some(tokens) = python_tokens(&values) else {
        return;
    };
    let token = &tokens[1];
    // A changed payload character: the signature no longer matches.
    let tampered = token.replacen("2.5", "3.5", 1);
    assert_ne!(&tampered, token);
    // itsdangerous refuses a bad signature of a timed token with `BadTimeSignature`.
    let cases: Vec<Case<'_>> = vec![
        (
            SECRET,
            token,
            TS + 1_000_000_000,
            None,
            Verdict::Valid,
            None,
        ),
        (SECRET, token, TS + 60, Some(60), Verdict::Valid, None),
        (
            SECRET,
            token,
            TS + 61,
            Some(60),
            Verdict::Expired,
            Some("expired"),
        ),
        (
            SECRET,
            token,
            TS - 1,
            Some(60),
            Verdict::Expired,
            Some("expired"),
        ),
        (
            SECRET,
            &tampered,
            TS,
            None,
            Verdict::BadSignature,
            Some("bad_time_signature"),
        ),
        (
            "another key",
            token,
            TS,
            None,
            Verdict::BadSignature,
            Some("bad_time_signature"),
        ),
    ];
    let requests: Vec<Value> = cases
        .iter()
        .map(|(secret, token, now, max_age, _, _)| {
            json!({"op": "unsign", "kind": "timed_serializer", "keys": [hex(secret.as_bytes())],
                   "salt": null, "token": token, "now": now, "max_age": max_age})
        })
        .collect();
    let Some(answers) = oracle("itsdangerous_oracle.py", &requests) else {
        return;
    };
    let format = TokenFormat::new(FormatKind::TimedSerializer);
    for ((secret, token, now, max_age, verdict, error), answer) in cases.iter().zip(&answers) {
        let verifier =
            Verifier::new(&format, &[SecretKey::from_text(secret)], *max_age).expect("verifier");
        let r = verifier.inspect_at(token.as_bytes(), Detail::Verify, *now);
        assert_eq!(r.verdict, *verdict, "{token} at {now}: {r:?}");
        assert_eq!(answer["ok"], json!(error.is_none()), "{answer}");
        if let Some(error) = error {
            assert_eq!(answer["error"], *error, "{answer}");
        } else {
            let theirs: Value =
                serde_json::from_str(answer["json"].as_str().expect("json")).expect("json");
            assert_eq!(r.payload.map(|p| p.to_json()), Some(theirs));
            assert_eq!(answer["timestamp"], TS);
            assert_eq!(r.parts.and_then(|p| p.timestamp), Some(TS));
        }
    }
}
