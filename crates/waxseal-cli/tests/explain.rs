//! `waxseal explain`: the derived key and the verdict for each case.

mod common;
use common::*;
use predicates::prelude::*;
use waxseal::signer::derive_key;
use waxseal::{Digest, KeyDerivation};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn derived_key(key: &str) -> Vec<u8> {
    derive_key(
        KeyDerivation::Hmac,
        Digest::Sha1,
        b"cookie-session",
        key.as_bytes(),
    )
}

/// The derived key's fingerprint: what explain shows instead of the derived key, which signs as
/// well as the secret.
fn derived(key: &str) -> String {
    waxseal::secret::SecretKey::from_slice(&derived_key(key)).fingerprint()
}

#[test]
fn the_derived_key_itself_is_never_printed() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    for json in [false, true] {
        let mut cmd = waxseal();
        if json {
            cmd.arg("--json");
        }
        cmd.args(["explain", "--now", "1700000100", "--secret", KEY, &token])
            .assert()
            .success()
            .stdout(predicate::str::contains(derived(KEY)))
            .stdout(predicate::str::contains(hex(&derived_key(KEY))).not());
    }
}

#[test]
fn permanent_is_described_by_its_value() {
    for (value, says) in [("true", "is true"), ("false", "is false")] {
        let token = flask(KEY, &format!(r#"{{"_permanent":{value}}}"#));
        waxseal()
            .args(["explain", "--now", "1700000100", "--secret", KEY, &token])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("\"_permanent\" {says}")));
    }
}

#[test]
fn valid_cookie_shows_derived_key_expected_signature_and_verdict() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    let sig = token.rsplit('.').next().unwrap().to_owned();
    waxseal()
        .args(["explain", "--now", "1700000100", "--secret", KEY, &token])
        .assert()
        .success()
        .stdout(predicate::str::contains(derived(KEY)))
        .stdout(predicate::str::contains(
            r#"HMAC-SHA1(key = SECRET_KEY, message = "cookie-session")"#,
        ))
        .stdout(predicate::str::contains(format!(
            "expected (current):    {sig}"
        )))
        .stdout(predicate::str::contains("constant-time"))
        .stdout(predicate::str::contains(r#"{"user": "alice"}"#))
        .stdout(predicate::str::contains(
            "Verdict: VALID: genuine, signed with the current key.",
        ));
}

#[test]
fn tampered_cookie_verdict() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    let tampered = token.replacen("eyJ1c2VyIjoiYWxpY2UifQ", "eyJ1c2VyIjoiYWRtaW4ifQ", 1);
    waxseal()
        .args(["explain", "--now", "1700000100", "--secret", KEY, &tampered])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(derived(KEY)))
        .stdout(predicate::str::contains(
            "Verdict: INVALID: tampered, or signed with a different key.",
        ));
}

#[test]
fn expired_cookie_verdict() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    waxseal()
        .args(["explain", "--now", "1800000000", "--secret", KEY, &token])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Too old"))
        .stdout(predicate::str::contains("Verdict: EXPIRED"));
}

#[test]
fn fallback_key_verdict_names_the_fallback() {
    let token = flask(OLD_KEY, r#"{"user":"alice"}"#);
    waxseal()
        .args([
            "explain",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "--fallback",
            OLD_KEY,
            &token,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(derived(KEY)))
        .stdout(predicate::str::contains(derived(OLD_KEY)))
        .stdout(predicate::str::contains("They match with fallback key 1."))
        .stdout(predicate::str::contains(
            "Verdict: VALID, signed by fallback key 1",
        ));
}

#[test]
fn without_a_key_explains_what_a_key_would_add() {
    let token = flask(KEY, r#"{"user":"alice"}"#);
    waxseal()
        .args(["explain", &token])
        .assert()
        .success()
        .stdout(predicate::str::contains("What a key would add"))
        .stdout(predicate::str::contains("NOT VERIFIED"))
        .stdout(predicate::str::contains(r#"{"user": "alice"}"#));
}

#[test]
fn explain_json_carries_derived_keys_and_verdict() {
    let token = flask(OLD_KEY, r#"{"a":1}"#);
    let out = waxseal()
        .args([
            "explain",
            "--json",
            "--now",
            "1700000100",
            "--secret",
            KEY,
            "--fallback",
            OLD_KEY,
            &token,
        ])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["keys"][1]["derived_key_fingerprint"], derived(OLD_KEY));
    assert_eq!(v["verdict"], "valid_fallback");
    assert_eq!(v["key_index"], 1);
}

#[test]
fn wrong_digest_is_pointed_out() {
    let mut f = waxseal::inspect::TokenFormat::new(waxseal::inspect::FormatKind::Flask);
    f.settings.digest = Digest::Sha256;
    let token = f.sign_at(&[KEY.as_bytes()], b"{}", T0).unwrap();
    waxseal()
        .args(["explain", "--now", "1700000100", "--secret", KEY, &token])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("try --digest sha256"));
}
