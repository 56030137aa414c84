//! `waxseal verify`: JSON fields, exit codes, key options, batch mode.

mod common;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::*;
use predicates::prelude::*;
use waxseal::inspect::FormatKind;

const FIELDS: [&str; 10] = [
    "valid",
    "verdict",
    "extracted",
    "error",
    "message",
    "payload_raw",
    "payload",
    "timestamp",
    "key_index",
    "compressed",
];

fn verify_json(token: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = waxseal()
        .args(["verify", "--json", "--secret", KEY])
        .args(extra)
        .arg(token)
        .output()
        .unwrap();
    (out.status.code(), json_lines(&out).remove(0))
}

#[test]
fn valid_token_json_has_exactly_the_documented_fields() {
    let token = flask(KEY, r#"{"cart":{" t":[1,2]},"user":"alice"}"#);
    let (code, v) = verify_json(&token, &["--now", "1700000100"]);
    assert_eq!(code, Some(0));
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(v["valid"], true);
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["payload_raw"], r#"{"cart":{" t":[1,2]},"user":"alice"}"#);
    assert_eq!(
        v["payload"],
        serde_json::json!({"cart": {"$tuple": [1, 2]}, "user": "alice"})
    );
    assert_eq!(v["timestamp"], T0);
    assert_eq!(v["key_index"], 0);
    assert_eq!(v["compressed"], false);
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["extracted"], serde_json::Value::Null);
}

#[test]
fn tampered_token_is_bad_signature_exit_1() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    let tampered = token.replacen("eyJ1c2VyIjoiYWxpY2UifQ", "eyJ1c2VyIjoiYWRtaW4ifQ", 1);
    let (code, v) = verify_json(&tampered, &["--now", "1700000100"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"], "bad_signature");
    assert_eq!(v["key_index"], serde_json::Value::Null);
    assert_eq!(v["payload_raw"], serde_json::Value::Null);
}

#[test]
fn flask_default_max_age_is_31_days_and_expired_keeps_timestamp() {
    let token = flask(KEY, r#"{"a":1}"#);
    let (code, _) = verify_json(&token, &["--now", &(T0 + 2_678_400).to_string()]);
    assert_eq!(code, Some(0));
    let (code, v) = verify_json(&token, &["--now", &(T0 + 2_678_401).to_string()]);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"], "expired");
    assert_eq!(v["timestamp"], T0);
    assert_eq!(v["payload_raw"], r#"{"a":1}"#);
    let (code, _) = verify_json(&token, &["--now", "1900000000", "--no-max-age"]);
    assert_eq!(code, Some(0));
    let (code, _) = verify_json(&token, &["--now", "1700000100", "--max-age", "60"]);
    assert_eq!(code, Some(1));
}

#[test]
fn malformed_token_is_malformed() {
    let (code, v) = verify_json("garbage", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"], "malformed");
}

#[test]
fn bad_flask_tag_under_a_valid_signature_is_bad_payload() {
    let token = flask(KEY, r#"{"x":{" u":"not-a-uuid"}}"#);
    let (code, v) = verify_json(&token, &["--now", "1700000100"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"], "bad_payload");
}

#[test]
fn fallbacks_are_tried_in_command_line_order() {
    let token = flask("third-fallback-key-0123", r#"{"a":1}"#);
    let hex2: String = "second-fallback-key-012"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    let hex3: String = "third-fallback-key-0123"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = waxseal()
        .args(["verify", "--json", "--now", "1700000100", "--secret", KEY])
        .args([
            "--fallback",
            OLD_KEY,
            "--fallback-hex",
            &hex2,
            "--fallback-hex",
            &hex3,
        ])
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["key_index"], 3);
    // Interleaved: hex key first, then text key.
    let out = waxseal()
        .args(["verify", "--json", "--now", "1700000100", "--secret", KEY])
        .args(["--fallback-hex", &hex3, "--fallback", OLD_KEY])
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["key_index"], 1);
}

#[test]
fn keys_come_from_flask_env_vars_without_options() {
    let token = flask(OLD_KEY, r#"{"a":1}"#);
    let out = waxseal()
        .env("FLASK_SECRET_KEY", KEY)
        .env("FLASK_SECRET_KEY_FALLBACKS", format!(r#"["{OLD_KEY}"]"#))
        .args(["verify", "--json", "--now", "1700000100", &token])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(json_lines(&out)[0]["key_index"], 1);
}

#[test]
fn no_key_is_a_usage_error_saying_how_to_give_one() {
    waxseal()
        .args(["verify", &flask(KEY, "{}")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no secret key"))
        .stderr(predicate::str::contains("FLASK_SECRET_KEY"));
}

#[test]
fn secret_hex_and_secret_file_give_the_same_key() {
    let key = b"\x00\x01binary-key-\xff\xfe0123";
    let token = sign(FormatKind::Flask, key, r#"{"a":1}"#, T0);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    waxseal()
        .args([
            "verify",
            "--now",
            "1700000100",
            "--secret-hex",
            &hex,
            &token,
        ])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.bin");
    std::fs::write(&path, key).unwrap();
    waxseal()
        .args(["verify", "--now", "1700000100", "--secret-file"])
        .arg(&path)
        .arg(&token)
        .assert()
        .success();
}

#[test]
fn batch_from_stdin_answers_in_input_order_and_exits_1_if_any_invalid() {
    let good = flask(KEY, r#"{"n":1}"#);
    let other = flask(OLD_KEY, r#"{"n":2}"#);
    let good2 = flask(KEY, r#"{"n":3}"#);
    let out = waxseal()
        .args([
            "verify",
            "--json",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "-",
        ])
        .write_stdin(format!("{good}\n{other}\n\nnot-a-token\r\n{good2}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out);
    let valid: Vec<bool> = v.iter().map(|o| o["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, [true, false, false, false, true]);
    assert_eq!(v[0]["payload"]["n"], 1);
    assert_eq!(v[1]["error"], "bad_signature");
    assert_eq!(v[2]["error"], "malformed");
    assert!(v[2]["message"].as_str().unwrap().contains("empty"));
    assert_eq!(v[3]["error"], "malformed");
    assert_eq!(v[4]["payload"]["n"], 3);
}

#[test]
fn batch_mode_streams_an_answer_before_stdin_closes() {
    let bin = assert_cmd::cargo::cargo_bin("waxseal");
    let mut child = std::process::Command::new(bin)
        .args([
            "verify",
            "--json",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "-",
        ])
        .env_remove("FLASK_SECRET_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, "{}", flask(KEY, r#"{"n":1}"#)).unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap(); // would block forever if stdin were read to the end
    assert!(first.contains(r#""valid":true"#), "{first}");
    writeln!(stdin, "garbage").unwrap();
    drop(stdin);
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert!(second.contains(r#""error":"malformed""#), "{second}");
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn every_format_verifies_with_its_defaults_and_overrides() {
    for kind in waxseal::inspect::FormatKind::ALL {
        let payload = if kind.is_json() {
            r#"{"a":1}"#
        } else {
            "value"
        };
        let token = sign(kind, KEY.as_bytes(), payload, T0);
        let out = waxseal()
            .args(["verify", "--json", "--now", "1700000100", "--secret", KEY])
            .args(["--format", kind.name(), &token])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", kind.name());
        assert_eq!(json_lines(&out)[0]["payload_raw"], payload);
    }
    let mut f = waxseal::inspect::TokenFormat::new(FormatKind::UrlSafeTimed);
    f.settings.digest = waxseal::Digest::Sha256;
    f.settings.salt = b"reset-password".to_vec();
    f.settings.key_derivation = waxseal::KeyDerivation::DjangoConcat;
    let token = f.sign_at(&[KEY.as_bytes()], b"[1]", T0).unwrap();
    waxseal()
        .args([
            "verify",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "--format",
            "url-safe-timed",
        ])
        .args([
            "--digest",
            "sha256",
            "--salt",
            "reset-password",
            "--key-derivation",
            "django-concat",
        ])
        .arg(&token)
        .assert()
        .success();
    waxseal()
        .args([
            "verify",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "--format",
            "url-safe-timed",
            &token,
        ])
        .assert()
        .code(1);
}

#[test]
fn weak_keys_are_accepted_for_verifying_other_peoples_cookies() {
    let token = flask("dev", r#"{"a":1}"#);
    waxseal()
        .args(["verify", "--now", "1700000100", "--secret", "dev", &token])
        .assert()
        .success()
        .stdout(predicate::str::contains("VALID"));
}

#[test]
fn unknown_flag_is_exit_2() {
    waxseal().args(["verify", "--bogus", "x"]).assert().code(2);
}

#[test]
fn a_token_of_another_format_gets_a_hint() {
    let token = sign(FormatKind::Signer, KEY.as_bytes(), "user-42", T0);
    let (code, v) = verify_json(&token, &[]);
    assert_eq!(code, Some(1));
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("try --format signer"), "{message}");
    // A tampered Flask cookie gets no such hint: it is a Flask cookie.
    let tampered = flask(KEY, r#"{"a":1}"#).replacen('e', "f", 1);
    let (_, v) = verify_json(&tampered, &["--now", "1700000100"]);
    assert!(!v["message"].as_str().unwrap().contains("--format"), "{v}");
    // A Starlette cookie checked as Flask (the default) is named, pasted as a cookie too.
    let starlette = sign(FormatKind::Starlette, KEY.as_bytes(), r#"{"a": 1}"#, T0);
    for text in [starlette.clone(), format!("session={starlette}")] {
        let (code, v) = verify_json(&text, &["--now", "1700000100"]);
        assert_eq!(code, Some(1));
        let message = v["message"].as_str().unwrap();
        assert!(message.contains("try --format starlette"), "{message}");
    }
    let (code, v) = verify_json(
        &starlette,
        &["--now", "1700000100", "--format", "starlette"],
    );
    assert_eq!((code, v["valid"].as_bool()), (Some(0), Some(true)), "{v}");
}
