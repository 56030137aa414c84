//! `waxseal sign`: dialects, weak-key refusal, round trips.

mod common;
use common::*;
use predicates::prelude::*;
use waxseal::inspect::FormatKind;

fn sign_cli(args: &[&str]) -> String {
    let out = waxseal().arg("sign").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out).trim_end().to_owned()
}

#[test]
fn flask_sign_matches_the_library_byte_for_byte() {
    let json = r#"{"cart":{" t":[1,2]},"user":"alice"}"#;
    let token = sign_cli(&["--secret", KEY, "--timestamp", "1700000000", json]);
    assert_eq!(token, flask(KEY, json));
}

#[test]
fn flask_sign_rewrites_json_in_flasks_dialect() {
    let messy = r#"{ "user": "j\u00fcrgen",  "a": [1, 2] }"#;
    let token = sign_cli(&["--secret", KEY, "--timestamp", "1700000000", messy]);
    assert_eq!(token, flask(KEY, r#"{"a":[1,2],"user":"j\u00fcrgen"}"#));
}

#[test]
fn itsdangerous_serializers_keep_order_and_their_own_json_style() {
    let token = sign_cli(&[
        "--secret",
        KEY,
        "--format",
        "url-safe",
        r#"{"b": 1, "a": "ü"}"#,
    ]);
    assert_eq!(
        token,
        sign(FormatKind::UrlSafe, KEY.as_bytes(), r#"{"b":1,"a":"ü"}"#, 0)
    );
    let token = sign_cli(&[
        "--secret",
        KEY,
        "--format",
        "serializer",
        r#"{"b":1,"a":[1,2]}"#,
    ]);
    assert_eq!(
        token,
        sign(
            FormatKind::Serializer,
            KEY.as_bytes(),
            r#"{"b": 1, "a": [1, 2]}"#,
            0
        )
    );
}

#[test]
fn signer_payload_from_stdin_loses_one_trailing_newline() {
    let out = waxseal()
        .args([
            "sign",
            "--secret",
            KEY,
            "--format",
            "timestamp-signer",
            "--timestamp",
            "1700000000",
            "-",
        ])
        .write_stdin("user-42\n")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim_end(),
        sign(FormatKind::TimestampSigner, KEY.as_bytes(), "user-42", T0)
    );
}

#[test]
fn weak_key_is_refused_unless_allowed() {
    waxseal()
        .args(["sign", "--secret", "dev", "{}"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("weak key"))
        .stderr(predicate::str::contains("waxseal key new --print"));
    waxseal()
        .args(["sign", "--secret", "dev", "--allow-weak-key", "{}"])
        .assert()
        .success();
}

#[test]
fn invalid_json_payload_is_a_usage_error() {
    waxseal()
        .args(["sign", "--secret", KEY, "{not json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid JSON"));
}

#[test]
fn round_trip_decode_edit_sign_verify() {
    let original = flask(KEY, r#"{"role":"user","user":"alice"}"#);
    let out = waxseal()
        .args(["decode", "--json", &original])
        .output()
        .unwrap();
    let raw = json_lines(&out)[0]["payload_raw"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = raw.replace("alice", "bob");
    let token = sign_cli(&["--secret", KEY, "--timestamp", "1700000050", &edited]);
    let out = waxseal()
        .args([
            "verify",
            "--json",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            &token,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = &json_lines(&out)[0];
    assert_eq!(v["payload"]["user"], "bob");
    assert_eq!(v["timestamp"], 1_700_000_050u64);
    // And the original key rejects nothing else: a different key says bad_signature.
    waxseal()
        .args(["verify", "--now", "1700000100", "--secret", OLD_KEY, &token])
        .assert()
        .code(1);
}

#[test]
fn sign_uses_the_current_key_of_a_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&ring)
        .assert()
        .success();
    let out = waxseal()
        .args(["sign", "--keyring"])
        .arg(&ring)
        .arg(r#"{"a":1}"#)
        .output()
        .unwrap();
    let token = stdout(&out).trim_end().to_owned();
    let out = waxseal()
        .args(["verify", "--json", "--keyring"])
        .arg(&ring)
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["key_index"], 0);
}

#[test]
fn md5_signs_only_with_allow_legacy_md5_and_verifies() {
    let args = [
        "sign",
        "--secret",
        KEY,
        "--digest",
        "md5",
        "--timestamp",
        "1700000000",
    ];
    waxseal()
        .args(args)
        .arg(r#"{"a":1}"#)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("MD5"))
        .stderr(predicates::str::contains("--allow-legacy-md5"));
    let out = waxseal()
        .args(args)
        .args(["--allow-legacy-md5", r#"{"a":1}"#])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = stdout(&out).trim().to_owned();
    // 16-byte signature: 22 base64 characters.
    assert_eq!(token.rsplit('.').next().unwrap().len(), 22);
    waxseal()
        .args([
            "verify",
            "--secret",
            KEY,
            "--digest",
            "md5",
            "--now",
            "1700000000",
            &token,
        ])
        .assert()
        .success();
}

#[test]
fn an_oversize_flask_cookie_is_refused_unless_allowed() {
    // Random-looking text does not compress: the cookie grows past 4093 bytes.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let big: String = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let payload = format!(r#"{{"blob":"{big}"}}"#);
    waxseal()
        .args(["sign", "--secret", KEY, &payload])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("4093"))
        .stderr(predicates::str::contains("--allow-oversize"));
    waxseal()
        .args(["sign", "--secret", KEY, "--allow-oversize", &payload])
        .assert()
        .success()
        .stderr(predicates::str::contains("warning"));
}

#[test]
fn flask_payload_warnings_for_non_objects_and_changed_tags() {
    waxseal()
        .args(["sign", "--secret", KEY, "[1,2]"])
        .assert()
        .success()
        .stderr(predicates::str::contains("not a JSON object"));
    waxseal()
        .args(["sign", "--secret", KEY, r#"{"a":{" d":"not a date"}}"#])
        .assert()
        .success()
        .stderr(predicates::str::contains("changed the payload"))
        .stderr(predicates::str::contains(r#"{"a":null}"#));
    waxseal()
        .args([
            "sign",
            "--secret",
            KEY,
            r#"{ "b": 1E5, "a": {" t": [1, 2]} }"#,
        ])
        .assert()
        .success()
        .stderr(predicates::str::is_empty());
}

#[test]
fn starlette_payloads_are_written_as_json_dumps_defaults_and_non_objects_are_warned_about() {
    let out = waxseal()
        .args(["sign", "--json", "--format", "starlette", "--secret", KEY])
        .args([
            "--timestamp",
            &T0.to_string(),
            r#"{"b":[1,2.5],"a":"\u00e9"}"#,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v = &json_lines(&out)[0];
    assert_eq!(v["payload_raw"], r#"{"b": [1, 2.5], "a": "\u00e9"}"#);
    assert_eq!(v["timestamp"], T0);
    let want = sign(
        FormatKind::Starlette,
        KEY.as_bytes(),
        r#"{"b": [1, 2.5], "a": "\u00e9"}"#,
        T0,
    );
    assert_eq!(v["token"], want.as_str());
    waxseal()
        .args(["sign", "--format", "starlette", "--secret", KEY, "[1, 2]"])
        .assert()
        .success()
        .stderr(predicates::str::contains("Starlette's session is a dict"));
}
