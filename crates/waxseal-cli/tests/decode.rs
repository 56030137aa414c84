//! `waxseal decode`: parts and payload without a key.

mod common;
use common::*;
use predicates::prelude::*;
use waxseal::inspect::FormatKind;

const TAGGED: &str = r#"{"b":{" b":"AGFi"},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"t":{" t":[1,2]},"u":{" u":"a4b0c1d2e3f405060708090a0b0c0d0e"}}"#;

#[test]
fn decode_names_flask_tags_and_says_nothing_was_verified() {
    waxseal()
        .args(["decode", &flask(KEY, TAGGED)])
        .assert()
        .success()
        .stdout(predicate::str::contains("tuple(1, 2)"))
        .stdout(predicate::str::contains(r"bytes(b'\x00ab')"))
        .stdout(predicate::str::contains("datetime(2015-10-21T07:28:00Z)"))
        .stdout(predicate::str::contains(
            "uuid(a4b0c1d2-e3f4-0506-0708-090a0b0c0d0e)",
        ))
        .stdout(predicate::str::contains(
            "1700000000 (2023-11-14T22:13:20Z)",
        ))
        .stdout(predicate::str::contains("implies HMAC-SHA1"))
        .stdout(predicate::str::contains("Not verified"));
}

#[test]
fn decode_json_reports_parts_of_a_compressed_token() {
    let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(300));
    let token = flask(KEY, &big);
    assert!(
        token.starts_with('.'),
        "long repetitive payloads are compressed"
    );
    let out = waxseal()
        .args(["decode", "--json", &token])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = &json_lines(&out)[0];
    assert_eq!(v["compressed"], true);
    assert_eq!(v["timestamp"], T0);
    assert_eq!(v["timestamp_utc"], "2023-11-14T22:13:20Z");
    assert_eq!(v["implied_digest"], "sha1");
    assert_eq!(v["payload_raw"], big);
    assert_eq!(v["verified"], false);
    assert_eq!(v["signature_hex"].as_str().unwrap().len(), 40);
}

#[test]
fn decode_json_payload_uses_dollar_wrappers_for_flask_types() {
    let out = waxseal()
        .args(["decode", "--json", &flask(KEY, TAGGED)])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["payload"]["t"], serde_json::json!({"$tuple": [1, 2]}));
    assert_eq!(v["payload"]["b"], serde_json::json!({"$bytes": "006162"}));
    assert_eq!(
        v["payload"]["d"],
        serde_json::json!({"$datetime": "2015-10-21T07:28:00Z"})
    );
}

#[test]
fn decode_of_a_malformed_token_exits_1() {
    waxseal()
        .args(["decode", "no-separator-here"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cannot decode"));
}

#[test]
fn decode_reads_signer_tokens_with_format_option() {
    let token = sign(FormatKind::TimestampSigner, KEY.as_bytes(), "user-42", T0);
    let out = waxseal()
        .args(["decode", "--json", "--format", "timestamp-signer", &token])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["payload"], "user-42");
    assert_eq!(v["timestamp"], T0);
}

#[test]
fn decode_batch_from_stdin_keeps_input_order() {
    let a = flask(KEY, r#"{"n":1}"#);
    let b = flask(KEY, r#"{"n":2}"#);
    let out = waxseal()
        .args(["decode", "--json", "-"])
        .write_stdin(format!("{a}\n\nbroken\n{b}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out);
    // One answer per line, the empty one included.
    assert_eq!(v.len(), 4);
    assert_eq!(v[0]["payload"]["n"], 1);
    assert_eq!(v[1]["error"], "malformed");
    assert_eq!(v[2]["decoded"], false);
    assert_eq!(v[2]["error"], "malformed");
    assert_eq!(v[3]["payload"]["n"], 2);
}

#[test]
fn an_over_long_stdin_line_is_one_malformed_answer_and_the_batch_goes_on() {
    let good = flask(KEY, r#"{"n":1}"#);
    let out = waxseal()
        .args(["decode", "--json", "-"])
        .write_stdin(format!(
            "{}\n{good}\n{}",
            "a".repeat(1_100_000),
            "b".repeat(1_100_000)
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["error"], "malformed");
    assert!(
        v[0]["message"]
            .as_str()
            .unwrap()
            .contains("1100000 bytes long"),
        "{}",
        v[0]
    );
    assert_eq!(v[1]["payload"]["n"], 1);
    assert_eq!(v[2]["error"], "malformed");
}

#[test]
fn a_signer_token_decoded_as_flask_names_the_likely_format() {
    let token = sign(FormatKind::Signer, KEY.as_bytes(), "user-42", T0);
    waxseal()
        .args(["decode", "--format", "flask", &token])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("try --format signer"));
    let out = waxseal()
        .args(["decode", "--format", "flask", "--json", &token])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["likely_formats"], serde_json::json!(["signer"]));
    assert!(
        v["message"].as_str().unwrap().contains("Signer token"),
        "{v}"
    );
    let token = sign(FormatKind::TimestampSigner, KEY.as_bytes(), "user-42", T0);
    let out = waxseal()
        .args(["decode", "--format", "flask", "--json", &token])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["likely_formats"][0], "timestamp-signer");
}

#[test]
fn a_pasted_cookie_header_is_recognised_and_said_so() {
    let token = flask(KEY, r#"{"n":1}"#);
    let pasted = format!("Cookie: theme=dark; session=\"{token}\"; lang=en");
    let out = waxseal()
        .args(["decode", "--json", &pasted])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = &json_lines(&out)[0];
    assert_eq!(v["token"], token.as_str());
    assert!(v["extracted"].as_str().unwrap().contains("Cookie"), "{v}");
    waxseal()
        .args(["decode", &format!("session={token}")])
        .assert()
        .success()
        .stdout(predicate::str::contains("token taken from the input"));
}

#[test]
fn without_a_format_each_token_is_decoded_as_the_format_it_is_recognised_as() {
    let starlette = sign(
        FormatKind::Starlette,
        KEY.as_bytes(),
        r#"{"user": "ada"}"#,
        T0,
    );
    let signer = sign(FormatKind::Signer, KEY.as_bytes(), "user-42", T0);
    let flask_token = flask(KEY, r#"{"n":1}"#);
    let out = waxseal()
        .args([
            "decode",
            "--json",
            &flask_token,
            &signer,
            &format!("session={starlette}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v = json_lines(&out);
    let got: Vec<(&str, bool)> = v
        .iter()
        .map(|a| {
            (
                a["format"].as_str().unwrap(),
                a["format_detected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("flask", true), ("signer", true), ("starlette", true)]
    );
    // Ambiguous: a Flask cookie is also a URLSafeTimedSerializer token, and it says so.
    assert_eq!(v[0]["likely_formats"][0], "url-safe-timed");
    assert!(v[0]["message"]
        .as_str()
        .unwrap()
        .contains("also decodes as url-safe-timed"));
    assert_eq!(v[2]["payload"]["user"], "ada");
    assert_eq!(v[2]["token"], starlette.as_str());
    assert_eq!(v[2]["extracted"], "the cookie name before \"=\"");
    // A format option turns recognition off.
    let out = waxseal()
        .args(["decode", "--json", "--format", "signer", &signer])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["format_detected"], false);
    waxseal()
        .args(["decode", &starlette])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Format:     starlette (recognised from the token's structure; it also decodes as",
        ));
}
