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

#[cfg(unix)]
#[test]
fn rotating_a_symlinked_keyring_rewrites_its_target_and_keeps_owner_group_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("secrets");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&real)
        .assert()
        .success();
    // Shared with the app's group: 0640 must survive rotation, without a warning.
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&real).unwrap();
    let link = dir.path().join("keys-link.json");
    std::os::unix::fs::symlink("secrets/keys.json", &link).unwrap();
    waxseal()
        .args(["key", "rotate", "--keyring"])
        .arg(&link)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    let link_meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(link_meta.file_type().is_symlink(), "the link was replaced");
    let after = std::fs::metadata(&real).unwrap();
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_ne!(
        after.ino(),
        before.ino(),
        "written atomically (a new file renamed over)"
    );
    let shown = waxseal()
        .args(["--json", "key", "show", "--keyring"])
        .arg(&real)
        .output()
        .unwrap();
    assert_eq!(json_lines(&shown)[0]["keys"].as_array().unwrap().len(), 2);
    // No temporary file is left beside the target or the link.
    let names = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&real_dir), ["keys.json"]);
    // new --force through the link: same file, still a link, mode kept.
    waxseal()
        .args(["key", "new", "--force", "--keyring"])
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    // A mode open to everyone is kept too, but warned about.
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    waxseal()
        .args(["key", "rotate", "--keyring"])
        .arg(&link)
        .assert()
        .success()
        .stderr(predicate::str::contains("mode 0644"))
        .stderr(predicate::str::contains("chmod 600"));
}

#[test]
fn a_write_error_names_the_keyring_not_a_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&path)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("keys.json"))
        .stderr(predicate::str::contains(".keys.json.").not());
}

#[test]
fn a_missing_key_file_is_named_once() {
    let out = waxseal()
        .args(["verify", "--secret-file", "/nonexistent/key.bin", "x.y.z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("/nonexistent/key.bin").count(), 1, "{err}");
}

#[test]
fn rotate_keep_0_says_the_old_key_is_dropped_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&path)
        .assert()
        .success();
    let out = waxseal()
        .args(["key", "rotate", "--keep", "0", "--keyring"])
        .arg(&path)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("was dropped (--keep 0)"), "{text}");
    assert!(!text.contains("still verify"), "{text}");
    assert_eq!(text.matches("no longer verify").count(), 1, "{text}");
}

#[test]
fn show_flask_prints_the_config_flask_reads_and_reveal_says_how_to_use_hex() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    waxseal()
        .args(["key", "new", "--keyring"])
        .arg(&path)
        .assert()
        .success();
    for _ in 0..2 {
        waxseal()
            .args(["key", "rotate", "--keyring"])
            .arg(&path)
            .assert()
            .success();
    }
    let (ring, _) =
        waxseal::secret::Keyring::load(&path, waxseal::secret::KeyPolicy::AllowWeak).unwrap();
    let hexes: Vec<String> = ring
        .keys()
        .map(|k| k.as_bytes().iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    let out = waxseal()
        .args(["key", "show", "--flask", "--keyring"])
        .arg(&path)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(&format!("SECRET_KEY = bytes.fromhex(\"{}\")", hexes[0])),
        "{text}"
    );
    // Oldest first: Flask tries the fallbacks from the end of the list.
    assert!(
        text.contains(&format!(
            "SECRET_KEY_FALLBACKS = [bytes.fromhex(\"{}\"), bytes.fromhex(\"{}\")]",
            hexes[2], hexes[1]
        )),
        "{text}"
    );
    assert!(text.contains("no environment form"), "{text}");
    waxseal()
        .args(["key", "show", "--reveal", "--keyring"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("bytes.fromhex"))
        .stdout(predicate::str::contains("--secret-hex"));
}

/// What Flask 3.1 reads from `key show --flask`'s output: the environment form through
/// `app.config.from_prefixed_env()` (run by a shell from the printed lines, so the quoting is
/// checked too) and the configuration form executed as Python. Both must give back exactly the
/// keyring's keys, fallbacks oldest first; text keys that look like JSON (`1234567890123456789`,
/// `true`, a quoted string) stay strings.
#[test]
fn show_flask_output_read_by_flask_gives_back_the_keyring() {
    use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    let Some(python) = waxseal_interop::python_or_skip("show_flask_output_read_by_flask") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text_ring = [
        "1234567890123456789",
        "true",
        "\"quoted\" it's {\"a\": [1]} ü",
        "null",
    ];
    let byte_ring: [&[u8]; 3] = [b"\xff\x00raw-key-bytes\x80", b"\x01\x02", b"plain"];
    let hexes =
        |keys: &[&[u8]]| -> Vec<String> { keys.iter().map(|k| waxseal_interop::hex(k)).collect() };
    let text_bytes: Vec<&[u8]> = text_ring.iter().map(|t| t.as_bytes()).collect();
    for (name, keys) in [("text", text_bytes), ("bytes", byte_ring.to_vec())] {
        let path = dir.path().join(format!("{name}.json"));
        let ring = Keyring::new(
            SecretKey::from_bytes(keys[0].to_vec()),
            keys[1..]
                .iter()
                .map(|k| SecretKey::from_bytes(k.to_vec()))
                .collect(),
            KeyPolicy::AllowWeak,
        )
        .unwrap();
        ring.save(&path).unwrap();
        let want = hexes(&keys);
        let want_fallbacks: Vec<&String> = want[1..].iter().rev().collect();
        let show = |json: bool| {
            let mut c = waxseal();
            c.args(["key", "show", "--flask", "--keyring"]).arg(&path);
            if json {
                c.arg("--json");
            }
            c.output().unwrap()
        };
        // The configuration form, executed.
        let config = json_lines(&show(true))[0]["config"]
            .as_str()
            .unwrap()
            .to_owned();
        let read = std::process::Command::new(&python)
            .args([
                "-c",
                "import json, sys\nns = {}\nexec(sys.stdin.read(), ns)\n\
                 print(json.dumps([ns['SECRET_KEY'].hex(), [k.hex() for k in ns['SECRET_KEY_FALLBACKS']]]))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(config.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        let got: serde_json::Value = serde_json::from_slice(&read.stdout).expect("python output");
        assert_eq!(
            got,
            serde_json::json!([want[0], want_fallbacks]),
            "{name}: {config}"
        );
        // The environment form, for text keys only, through a shell and Flask.
        let text = stdout(&show(false));
        let env_lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("FLASK_SECRET_KEY"))
            .collect();
        if name == "bytes" {
            assert!(env_lines.is_empty(), "{text}");
            assert!(text.contains("no environment form"), "{text}");
            continue;
        }
        assert_eq!(env_lines.len(), 2, "{text}");
        let script = format!(
            "export {}\nexport {}\nexec \"$0\" -c \"$1\"",
            env_lines[0], env_lines[1]
        );
        let probe = "import json, flask\napp = flask.Flask('probe')\n\
                     app.config.from_prefixed_env()\nc = app.config\n\
                     print(json.dumps([c['SECRET_KEY'], c['SECRET_KEY_FALLBACKS']]))";
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .arg(&python)
            .arg(probe)
            .env_remove("FLASK_SECRET_KEY")
            .env_remove("FLASK_SECRET_KEY_FALLBACKS")
            .output()
            .unwrap();
        let got: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let fallbacks: Vec<&str> = text_ring[1..].iter().rev().copied().collect();
        assert_eq!(got, serde_json::json!([text_ring[0], fallbacks]), "{text}");
    }
}

/// A weak key in a loaded keyring is named in one sentence: what is weak and why, that it was
/// accepted and why, and the command that replaces it; no refusal text from the library.
#[test]
fn weak_keyring_keys_get_one_coherent_warning_with_the_next_step() {
    use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weak.json");
    Keyring::new(
        SecretKey::from_text("changeme"),
        vec![SecretKey::from_text(KEY), SecretKey::from_text("dev")],
        KeyPolicy::AllowWeak,
    )
    .unwrap()
    .save(&path)
    .unwrap();
    let out = waxseal()
        .args(["verify", "--keyring"])
        .arg(&path)
        .arg(flask("changeme", "{}"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let shown = path.display().to_string();
    let current = err
        .lines()
        .find(|l| l.contains("current key is weak"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        current.contains("shorter than the minimum of 16"),
        "{current}"
    );
    assert!(
        current.contains("it was accepted so that tokens it signed"),
        "{current}"
    );
    assert!(
        current.ends_with(&format!(
            "replace it with `waxseal key rotate --keyring {shown}`"
        )),
        "{current}"
    );
    let fallback = err
        .lines()
        .find(|l| l.contains("fallback key 2 is weak"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        fallback.ends_with(&format!("`waxseal key rotate --keep 2 --keyring {shown}`")),
        "{fallback}"
    );
    assert!(!err.contains("fallback key 1 is weak"), "{err}");
    assert!(!err.contains("refusing"), "{err}");
    assert!(!err.contains("python -c"), "{err}");
    assert!(!err.contains("AllowWeak"), "{err}");
}
