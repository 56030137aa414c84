//! `waxseal key new|rotate|show|check`.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn key_new_print_gives_a_key_and_says_where_to_put_it() {
    let out = waxseal().args(["key", "new", "--print"]).output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Python bytes: b'") || text.contains("Python bytes: b\""));
    assert!(text.contains("SECRET_KEY = \""));
    assert!(text.contains("FLASK_SECRET_KEY="));
    assert!(text.contains("every restart") || text.contains("each restart"));
    assert!(text.contains("SECRET_KEY_FALLBACKS"));
    let out = waxseal()
        .args(["key", "new", "--print", "--json"])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["hex"].as_str().unwrap().len(), 64);
}

#[test]
fn key_new_writes_an_owner_only_keyring_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&ring)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ring).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read(&ring).unwrap();
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&ring)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&ring).unwrap(), before);
    waxseal()
        .args(["key", "new", "--force", "--keyring"])
        .arg(&ring)
        .assert()
        .success();
    assert_ne!(std::fs::read(&ring).unwrap(), before);
}

#[test]
fn key_new_without_destination_is_a_usage_error() {
    waxseal().args(["key", "new"]).assert().code(2);
}

#[test]
fn key_rotate_keeps_n_fallbacks_and_old_tokens_still_verify() {
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
        .arg("{}")
        .output()
        .unwrap();
    let token = stdout(&out).trim_end().to_owned();
    for _ in 0..3 {
        waxseal()
            .args(["key", "rotate", "--keep", "2", "--keyring"])
            .arg(&ring)
            .assert()
            .success();
    }
    let out = waxseal()
        .args(["key", "show", "--json", "--keyring"])
        .arg(&ring)
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["keys"].as_array().unwrap().len(), 3);
    // The first key was dropped after the third rotation.
    waxseal()
        .args(["verify", "--keyring"])
        .arg(&ring)
        .arg(&token)
        .assert()
        .code(1);
    let out = waxseal()
        .args(["sign", "--keyring"])
        .arg(&ring)
        .arg("{}")
        .output()
        .unwrap();
    let token = stdout(&out).trim_end().to_owned();
    waxseal()
        .args(["key", "rotate", "--keyring"])
        .arg(&ring)
        .assert()
        .success();
    let out = waxseal()
        .args(["verify", "--json", "--keyring"])
        .arg(&ring)
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["key_index"], 1);
}

#[test]
fn key_show_prints_fingerprints_not_keys_unless_revealed() {
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&ring)
        .assert()
        .success();
    let out = waxseal()
        .args(["key", "show", "--json", "--reveal", "--keyring"])
        .arg(&ring)
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    let hex = v["keys"][0]["hex"].as_str().unwrap().to_owned();
    let fp = v["keys"][0]["fingerprint"].as_str().unwrap().to_owned();
    assert!(v["keys"][0]["created"].is_u64());
    waxseal()
        .args(["key", "show", "--keyring"])
        .arg(&ring)
        .assert()
        .success()
        .stdout(predicate::str::contains(&fp))
        .stdout(predicate::str::contains("current"))
        .stdout(predicate::str::contains(&hex).not());
    waxseal()
        .args(["key", "show", "--reveal", "--keyring"])
        .arg(&ring)
        .assert()
        .stdout(predicate::str::contains(&hex));
}

#[test]
fn key_check_exits_1_for_weak_keys_with_reasons() {
    waxseal()
        .args(["key", "check", "--secret", "dev"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("WEAK"))
        .stdout(predicate::str::contains("shorter than the minimum"));
    waxseal()
        .args(["key", "check", "--secret", "you-will-never-guess"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("publicly known"));
    waxseal()
        .args(["key", "check", "--secret", KEY])
        .assert()
        .success()
        .stdout(predicate::str::contains("STRONG"));
}

#[test]
fn key_check_uses_the_wordlist_and_checks_fallbacks() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("weak.txt");
    std::fs::write(&list, format!("something\n{OLD_KEY}\n")).unwrap();
    let out = waxseal()
        .args([
            "key",
            "check",
            "--json",
            "--secret",
            KEY,
            "--fallback",
            OLD_KEY,
            "--wordlist",
        ])
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = &json_lines(&out)[0];
    assert_eq!(v["weak"], true);
    assert_eq!(v["keys"][0]["weak"], false);
    assert_eq!(v["keys"][1]["weak"], true);
    assert_eq!(v["wordlist_entries"], 2);
}

#[test]
fn key_check_reads_the_keyring_and_env() {
    waxseal()
        .env("FLASK_SECRET_KEY", "changeme")
        .args(["key", "check"])
        .assert()
        .code(1);
}
