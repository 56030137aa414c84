//! Starlette's `SessionMiddleware` cookie (the pinned starlette 0.46.2, run in a subprocess) and
//! format recognition on tokens made by the real packages.
//!
//! * `TokenFormat::sign` with the `json.dumps` text of a session gives Starlette's cookie byte for
//!   byte, and the real middleware reads it back.
//! * The core's verifier gives each of Starlette's outcomes for the same cookie and clock: valid,
//!   tampered, wrong key, expired (14 days by default, both edges), dated in the future, and a
//!   genuine signature over a payload Starlette's reader raises on.
//! * `detect_formats` names the format of tokens made by Flask, itsdangerous and Starlette.

use waxseal::inspect::{
    detect_formats, detect_token, Detail, FormatKind, Inspection, TokenFormat, Verdict, Verifier,
    STARLETTE_MAX_AGE,
};
use waxseal::pyjson::{self, JsonStyle};
use waxseal::secret::SecretKey;
use waxseal_interop::{json, oracle, Value};

const SECRET: &str = "a Starlette secret_key for the interop tests";
const TS: u64 = 1_700_000_000;

/// Sessions whose JSON exercises json.dumps's defaults: separators, `\u` escapes (BMP and
/// astral), floats, key order, and base64 output with `+` and `/`.
fn sessions() -> Vec<Value> {
    vec![
        json!({"user": "ada"}),
        json!({"user": "ad\u{e9}min \u{2603} \u{1f600}", "n": [1, 2.5, -0.0, 1e16, 1e-05],
               "nested": {"b": null, "a": true}, "id": 9007199254740993u64}),
        json!({"quote": "\"\\/\n\t\u{7f}", "shape": "~~>>??~~>>??", "z": 1, "a": 2}),
        json!({"cart": (0..40).map(|i| json!({"sku": i, "qty": i % 3})).collect::<Vec<_>>()}),
    ]
}

fn cookies(sessions: &[Value]) -> Option<Vec<String>> {
    let requests: Vec<Value> = sessions
        .iter()
        .map(|s| json!({"op": "cookie", "secret": SECRET, "session": s, "timestamp": TS}))
        .collect();
    let answers = oracle("starlette_oracle.py", &requests)?;
    Some(
        answers
            .iter()
            .map(|a| a["cookie"].as_str().expect("cookie").to_owned())
            .collect(),
    )
}

fn verifier(secret: &str) -> Verifier {
    Verifier::new(
        &TokenFormat::new(FormatKind::Starlette),
        &[SecretKey::from_text(secret)],
        Some(STARLETTE_MAX_AGE),
    )
    .expect("verifier")
}

fn inspect(secret: &str, cookie: &str, now: u64) -> Inspection {
    verifier(secret).inspect_at(cookie.as_bytes(), Detail::Verify, now)
}

#[test]
fn waxseal_signs_starlettes_cookie_byte_for_byte_and_starlette_reads_it() {
    let sessions = sessions();
    let Some(cookies) = cookies(&sessions) else {
        return;
    };
    let format = TokenFormat::new(FormatKind::Starlette);
    let mut reads = Vec::new();
    for (session, cookie) in sessions.iter().zip(&cookies) {
        let text = pyjson::to_string(session, JsonStyle::PYTHON_DEFAULT).expect("json");
        let ours = format
            .sign_at(&[SECRET.as_bytes()], text.as_bytes(), TS)
            .expect("sign");
        assert_eq!(&ours, cookie, "{text}");
        reads.push(json!({"op": "read", "secret": SECRET, "cookie": ours, "now": TS + 60}));
    }
    assert!(
        cookies.iter().any(|c| c.contains('+') || c.contains('/')),
        "the sessions should give the standard alphabet's own characters"
    );
    let Some(answers) = oracle("starlette_oracle.py", &reads) else {
        return;
    };
    for (session, answer) in sessions.iter().zip(&answers) {
        assert_eq!(&answer["session"], session, "{answer}");
    }
}

#[test]
fn the_verifier_agrees_with_starlette_on_every_outcome() {
    let sessions = sessions();
    let Some(cookies) = cookies(&sessions) else {
        return;
    };
    let cookie = &cookies[1];
    // A changed payload character (the signature no longer matches).
    let tampered = format!("f{}", &cookie[1..]);
    // A genuine signature over bytes that are not base64 JSON: only the key holder can make it.
    let not_base64 = TokenFormat::new(FormatKind::TimestampSigner)
        .sign_at(&[SECRET.as_bytes()], b"not base64!", TS)
        .expect("sign");
    let max = STARLETTE_MAX_AGE;
    // (secret, cookie, now, verdict, starlette's session: the payload or {} when refused)
    let cases: Vec<(&str, &str, u64, Verdict, Option<&Value>)> = vec![
        (SECRET, cookie, TS + 60, Verdict::Valid, Some(&sessions[1])),
        (SECRET, cookie, TS + max, Verdict::Valid, Some(&sessions[1])),
        (SECRET, cookie, TS + max + 1, Verdict::Expired, None),
        (SECRET, cookie, TS - 1, Verdict::Expired, None),
        (SECRET, &tampered, TS + 60, Verdict::BadSignature, None),
        ("another key", cookie, TS + 60, Verdict::BadSignature, None),
    ];
    let mut requests: Vec<Value> = cases
        .iter()
        .map(|(secret, cookie, now, _, _)| {
            json!({"op": "read", "secret": secret, "cookie": cookie, "now": now})
        })
        .collect();
    requests.push(json!({"op": "read", "secret": SECRET, "cookie": not_base64, "now": TS}));
    let Some(answers) = oracle("starlette_oracle.py", &requests) else {
        return;
    };
    let empty = json!({});
    for ((secret, token, now, verdict, session), answer) in cases.iter().zip(&answers) {
        let r = inspect(secret, token, *now);
        assert_eq!(r.verdict, *verdict, "{token} at {now}: {r:?}");
        assert_eq!(&answer["session"], session.unwrap_or(&empty), "{answer}");
        if r.verdict.is_valid() {
            let payload = r.payload.as_ref().map(|p| p.to_json());
            assert_eq!(payload.as_ref(), *session);
        }
    }
    // Starlette lets binascii.Error escape for it; waxseal calls it a bad payload.
    assert_eq!(
        answers[cases.len()]["error"],
        "Error",
        "{}",
        answers[cases.len()]
    );
    let r = inspect(SECRET, &not_base64, TS);
    assert_eq!(r.verdict, Verdict::BadPayload, "{r:?}");
    assert_eq!(
        r.payload_error.as_deref(),
        Some("it is not standard base64 with padding")
    );
}

/// Tokens made by the real packages, with the format `detect_formats` must put first.
#[test]
fn every_format_made_by_the_real_packages_is_recognised() {
    let dict = json!({"user": "ada", "id": 7});
    let cases: [(&str, Value, bool, FormatKind); 9] = [
        ("flask", dict.clone(), false, FormatKind::Flask),
        ("flask", dict.clone(), true, FormatKind::Flask),
        // Structure cannot tell it from a Flask cookie: Flask comes first, it comes second.
        ("url_safe_timed", dict.clone(), false, FormatKind::Flask),
        ("url_safe", dict.clone(), false, FormatKind::UrlSafe),
        ("serializer", dict.clone(), false, FormatKind::Serializer),
        (
            "timed_serializer",
            dict.clone(),
            false,
            FormatKind::TimedSerializer,
        ),
        ("starlette", dict.clone(), false, FormatKind::Starlette),
        (
            "timestamp_signer",
            json!("user-42"),
            false,
            FormatKind::TimestampSigner,
        ),
        ("signer", json!("user-42"), false, FormatKind::Signer),
    ];
    let requests: Vec<Value> = cases
        .iter()
        .map(|(kind, payload, compress, _)| {
            json!({"op": "make", "kind": kind, "secret": SECRET, "payload": payload,
                   "compress": compress})
        })
        .collect();
    let Some(answers) = oracle("crack_oracle.py", &requests) else {
        return;
    };
    for ((kind, _, compress, want), answer) in cases.iter().zip(&answers) {
        let token = answer["token"].as_str().expect("token");
        let found = detect_formats(token.as_bytes());
        assert_eq!(
            found.first(),
            Some(want),
            "{kind} (compressed {compress}): {token} {found:?}"
        );
        if *kind == "url_safe_timed" {
            assert_eq!(found.get(1), Some(&FormatKind::UrlSafeTimed));
        }
        // Pasted as a cookie, the cookie formats are still found (the others are taken as given).
        let pasted = format!("Cookie: theme=dark; session={token}");
        let d = detect_token(pasted.as_bytes(), "session");
        if want.is_url_safe() || *want == FormatKind::Starlette {
            assert_eq!(
                (d.extracted.token, d.formats.first()),
                (token.as_bytes(), Some(want))
            );
        }
        // And decoding it as the recognised format gives the payload the package signed.
        let r = Verifier::decode_only(&TokenFormat::new(*want)).inspect_at(
            token.as_bytes(),
            Detail::Verify,
            TS,
        );
        assert_eq!(r.verdict, Verdict::NotVerified, "{kind}: {r:?}");
        if want.is_json() && !compress {
            assert_eq!(r.payload.map(|p| p.to_json()), Some(dict.clone()), "{kind}");
        }
    }
}
