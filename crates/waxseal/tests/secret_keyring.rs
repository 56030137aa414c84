//! Keyring: construction policy, rotation, file format and permissions, Flask env loading.

use std::collections::HashMap;

use waxseal::secret::{
    KeyPolicy, Keyring, KeyringError, KeyringWarning, SecretKey, KEYRING_FORMAT_VERSION,
};

fn strong(tag: &str) -> SecretKey {
    SecretKey::from_text(&format!("{tag}-5e8f0c7a91b24d36"))
}

#[test]
fn new_refuses_weak_current_and_weak_fallback() {
    let err = Keyring::new(SecretKey::from_text("dev"), vec![], KeyPolicy::RefuseWeak).unwrap_err();
    assert!(matches!(err, KeyringError::Weak { index: 0, .. }));
    assert!(err.to_string().starts_with("current key:"));
    let err = Keyring::new(
        strong("a"),
        vec![strong("b"), SecretKey::from_text("secret")],
        KeyPolicy::RefuseWeak,
    )
    .unwrap_err();
    assert!(matches!(err, KeyringError::Weak { index: 2, .. }));
}

#[test]
fn allow_weak_accepts_weak_keys() {
    let ring = Keyring::new(
        SecretKey::from_text("dev"),
        vec![SecretKey::from_text("secret")],
        KeyPolicy::AllowWeak,
    )
    .unwrap();
    assert_eq!(ring.len(), 2);
}

#[test]
fn keys_iterate_current_then_fallbacks_newest_first() {
    let ring = Keyring::new(
        strong("c"),
        vec![strong("f1"), strong("f2")],
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    let keys: Vec<_> = ring.keys().cloned().collect();
    assert_eq!(keys, vec![strong("c"), strong("f1"), strong("f2")]);
    assert_eq!(ring.get(2), Some(&strong("f2")));
    assert_eq!(ring.get(3), None);
}

#[test]
fn rotate_moves_current_to_newest_fallback_and_drops_oldest() {
    let mut ring = Keyring::new(
        strong("c"),
        vec![strong("f1"), strong("f2")],
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    let r = ring.rotate_at(2, 1_800_000_000).unwrap();
    assert_eq!(ring.fallbacks(), &[strong("c"), strong("f1")]);
    assert_eq!(r.dropped, vec![strong("f2").fingerprint()]);
    assert_eq!(r.new_current, ring.current().fingerprint());
    assert_eq!(ring.created(0), Some(1_800_000_000));
    assert_eq!(ring.current().len(), 32);
    assert_ne!(ring.current(), &strong("c"));
}

#[test]
fn rotate_keep_zero_drops_everything_newest_first() {
    let mut ring = Keyring::new(strong("c"), vec![strong("f1")], KeyPolicy::RefuseWeak).unwrap();
    let r = ring.rotate(0).unwrap();
    assert!(ring.fallbacks().is_empty());
    assert_eq!(
        r.dropped,
        vec![strong("c").fingerprint(), strong("f1").fingerprint()]
    );
}

#[test]
fn rotate_with_room_drops_nothing() {
    let mut ring = Keyring::generate().unwrap();
    for _ in 0..3 {
        assert!(ring.rotate(5).unwrap().dropped.is_empty());
    }
    assert_eq!(ring.len(), 4);
}

#[test]
fn keyring_debug_shows_fingerprints_not_keys() {
    let ring = Keyring::new(
        SecretKey::from_text("CURRENT-KEY-VISIBLE-123"),
        vec![SecretKey::from_text("FALLBACK-KEY-VISIBLE-456")],
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    let shown = format!("{ring:?}");
    assert!(!shown.contains("VISIBLE"), "{shown}");
    assert!(shown.contains(&ring.current().fingerprint()));
}

// ---- file ----

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn save_creates_file_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    Keyring::generate().unwrap().save(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[cfg(unix)]
#[test]
fn save_replaces_a_file_atomically_keeping_its_mode_which_load_then_warns_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let ring = Keyring::generate().unwrap();
    ring.save(&path).unwrap();
    // The mode whoever made the file chose is kept (a 0640 file shared with an app's group must
    // stay readable by it); a mode open to others is then reported by every load.
    assert_eq!(mode(&path), 0o644);
    let (_, warnings) = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap();
    assert_eq!(
        warnings,
        vec![KeyringWarning::PermissiveFileMode { mode: 0o644 }]
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("keyring.json")]);
    assert_eq!(Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap().0, ring);
}

#[cfg(unix)]
#[test]
fn load_world_readable_file_returns_keyring_with_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    let ring = Keyring::generate().unwrap();
    ring.save(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (loaded, warnings) = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap();
    assert_eq!(loaded, ring);
    assert_eq!(
        warnings,
        vec![KeyringWarning::PermissiveFileMode { mode: 0o644 }]
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (_, warnings) = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap();
    assert_eq!(
        warnings,
        vec![KeyringWarning::PermissiveFileMode { mode: 0o640 }]
    );
}

#[test]
fn save_into_missing_directory_is_a_write_error_naming_the_path_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("k.json");
    let err = Keyring::generate().unwrap().save(&path).unwrap_err();
    assert!(
        matches!(&err, KeyringError::Write { path: p, .. } if *p == path),
        "{err:?}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn saved_file_text_contains_no_raw_key_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.json");
    let ring = Keyring::new(
        SecretKey::from_text("RAW-KEY-TEXT-0123456789"),
        vec![],
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    ring.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("RAW-KEY-TEXT"));
    assert!(text.contains("\"waxseal_keyring\": 1"));
}

#[test]
fn file_roundtrip_keeps_order_and_creation_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.json");
    let mut ring = Keyring::generate().unwrap();
    ring.rotate_at(5, 1_700_000_001).unwrap();
    ring.rotate_at(5, 1_700_000_002).unwrap();
    ring.save(&path).unwrap();
    let (back, warnings) = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(back, ring);
    assert_eq!(back.created(0), Some(1_700_000_002));
    assert_eq!(back.created(1), Some(1_700_000_001));
}

#[test]
fn file_format_is_the_documented_json() {
    let ring = Keyring::new(
        SecretKey::from_text("current-key-material!"),
        vec![SecretKey::from_text("fallback-key-material")],
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&ring.to_keyring_json()).unwrap();
    assert_eq!(v["waxseal_keyring"], KEYRING_FORMAT_VERSION);
    assert_eq!(v["current"]["b64"], "Y3VycmVudC1rZXktbWF0ZXJpYWwh");
    assert_eq!(v["current"]["created"], serde_json::Value::Null);
    assert_eq!(v["fallbacks"][0]["b64"], "ZmFsbGJhY2sta2V5LW1hdGVyaWFs");
}

#[test]
fn file_parse_errors() {
    let p = |s: &str| Keyring::from_keyring_json(s.as_bytes(), KeyPolicy::RefuseWeak).unwrap_err();
    assert!(matches!(p("not json"), KeyringError::Format(_)));
    assert!(matches!(p("{}"), KeyringError::Format(m) if m.contains("waxseal_keyring")));
    assert_eq!(
        p(r#"{"waxseal_keyring": 2}"#),
        KeyringError::UnsupportedVersion(2)
    );
    assert!(matches!(
        p(r#"{"waxseal_keyring": "1"}"#),
        KeyringError::Format(_)
    ));
    assert!(
        matches!(p(r#"{"waxseal_keyring": 1}"#), KeyringError::Format(m) if m.contains("current"))
    );
    assert!(matches!(
        p(r#"{"waxseal_keyring": 1, "current": {"b64": "Y3VycmVudC1rZXktbWF0ZXJpYWwh"}, "fallback": []}"#),
        KeyringError::Format(m) if m.contains("fallback")
    ));
    assert!(matches!(
        p(
            r#"{"waxseal_keyring": 1, "current": {"b64": "Y3VycmVudC1rZXktbWF0ZXJpYWwh"}, "fallbacks": [{"b64": "!!"}]}"#
        ),
        KeyringError::InvalidKey { index: 1, .. }
    ));
    assert!(matches!(
        p(r#"{"waxseal_keyring": 1, "current": {"b64": "ZGV2"}}"#),
        KeyringError::Weak { index: 0, .. }
    ));
}

#[test]
fn file_weak_key_allowed_with_warning() {
    let json = br#"{"waxseal_keyring": 1, "current": {"b64": "ZGV2"}}"#;
    let (ring, warnings) = Keyring::from_keyring_json(json, KeyPolicy::AllowWeak).unwrap();
    assert_eq!(ring.current().as_bytes(), b"dev");
    assert!(matches!(
        warnings.as_slice(),
        [KeyringWarning::WeakKeyAllowed { index: 0, .. }]
    ));
}

#[test]
fn load_missing_file_is_io_error_with_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.json");
    assert!(matches!(
        Keyring::load(&path, KeyPolicy::RefuseWeak),
        Err(KeyringError::Io { path: p, .. }) if p == path
    ));
}

#[test]
fn load_refuses_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Keyring::load(dir.path(), KeyPolicy::RefuseWeak),
        Err(KeyringError::Io { .. })
    ));
}

// ---- environment ----

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn env_plain_text_key_is_used_as_is() {
    let hexkey = "9d4e0b7c2a61f5838e17d9c04ab65f2e3c7d18a9b0e4f6a2c5d9e8b7a6f1c2d3";
    let (ring, w) =
        Keyring::from_env_with(env(&[("FLASK_SECRET_KEY", hexkey)]), KeyPolicy::RefuseWeak)
            .unwrap();
    assert_eq!(ring.current().as_bytes(), hexkey.as_bytes());
    assert!(ring.fallbacks().is_empty());
    assert!(w.is_empty());
}

#[test]
fn env_json_string_key_is_unquoted_like_flask() {
    let (ring, _) = Keyring::from_env_with(
        env(&[("FLASK_SECRET_KEY", r#""quoted \u00e9 key 0123456789""#)]),
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    assert_eq!(
        ring.current().as_bytes(),
        "quoted é key 0123456789".as_bytes()
    );
}

#[test]
fn env_missing_empty_or_null_key_is_missing() {
    for e in [
        env(&[]),
        env(&[("FLASK_SECRET_KEY", "")]),
        env(&[("FLASK_SECRET_KEY", "null")]),
    ] {
        assert!(matches!(
            Keyring::from_env_with(e, KeyPolicy::RefuseWeak),
            Err(KeyringError::MissingEnv { var }) if var == "FLASK_SECRET_KEY"
        ));
    }
}

#[test]
fn env_non_string_json_key_is_refused() {
    for (v, found) in [
        ("12345678901234567890", "a JSON number"),
        ("true", "a JSON boolean"),
        (r#"["a"]"#, "a JSON list"),
        (r#"{"a":1}"#, "a JSON object"),
        ("NaN", "a JSON number"),
    ] {
        let err = Keyring::from_env_with(env(&[("FLASK_SECRET_KEY", v)]), KeyPolicy::AllowWeak)
            .unwrap_err();
        assert_eq!(
            err,
            KeyringError::EnvNotString {
                var: "FLASK_SECRET_KEY".into(),
                found
            },
            "{v}"
        );
    }
}

#[test]
fn env_fallbacks_json_list_is_reversed_to_newest_first() {
    let (ring, _) = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            (
                "FLASK_SECRET_KEY_FALLBACKS",
                r#"["oldest-0123456789abcdef", "newer-0123456789abcdef"]"#,
            ),
        ]),
        KeyPolicy::RefuseWeak,
    )
    .unwrap();
    assert_eq!(ring.fallbacks()[0].as_bytes(), b"newer-0123456789abcdef");
    assert_eq!(ring.fallbacks()[1].as_bytes(), b"oldest-0123456789abcdef");
}

#[test]
fn env_falsy_fallbacks_mean_none() {
    for v in ["", "[]", "null", "false", "0"] {
        let (ring, _) = Keyring::from_env_with(
            env(&[
                ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
                ("FLASK_SECRET_KEY_FALLBACKS", v),
            ]),
            KeyPolicy::RefuseWeak,
        )
        .unwrap();
        assert!(ring.fallbacks().is_empty(), "{v:?}");
    }
}

#[test]
fn env_fallbacks_plain_string_is_refused_not_split_into_chars() {
    let err = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            ("FLASK_SECRET_KEY_FALLBACKS", "old-key"),
        ]),
        KeyPolicy::AllowWeak,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        KeyringError::FallbacksNotAList {
            found: "a string",
            ..
        }
    ));
    assert!(err.to_string().contains("character by character"));
    let err = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            ("FLASK_SECRET_KEY_FALLBACKS", r#"{"a": "b"}"#),
        ]),
        KeyPolicy::AllowWeak,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        KeyringError::FallbacksNotAList {
            found: "a JSON object",
            ..
        }
    ));
}

#[test]
fn env_fallbacks_truthy_non_list_values_are_refused() {
    for (v, found) in [
        ("NaN", "a JSON number"),
        ("1", "a JSON number"),
        ("true", "a JSON boolean"),
    ] {
        let err = Keyring::from_env_with(
            env(&[
                ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
                ("FLASK_SECRET_KEY_FALLBACKS", v),
            ]),
            KeyPolicy::AllowWeak,
        )
        .unwrap_err();
        assert!(
            matches!(err, KeyringError::FallbacksNotAList { found: f, .. } if f == found),
            "{v}"
        );
    }
}

#[test]
fn env_bytes_literal_text_is_not_decoded_like_flask() {
    let lit = r"b'\x01\x02-not-decoded-0123456789'";
    let (ring, _) =
        Keyring::from_env_with(env(&[("FLASK_SECRET_KEY", lit)]), KeyPolicy::RefuseWeak).unwrap();
    assert_eq!(ring.current().as_bytes(), lit.as_bytes());
}

#[test]
fn env_fallback_items_must_be_strings() {
    let err = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            (
                "FLASK_SECRET_KEY_FALLBACKS",
                r#"["ok-0123456789abcdef", 5]"#,
            ),
        ]),
        KeyPolicy::AllowWeak,
    )
    .unwrap_err();
    assert_eq!(
        err,
        KeyringError::FallbackNotString {
            position: 1,
            found: "a JSON number"
        }
    );
}

#[test]
fn env_weak_fallback_refused_with_index() {
    let err = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            ("FLASK_SECRET_KEY_FALLBACKS", r#"["dev"]"#),
        ]),
        KeyPolicy::RefuseWeak,
    )
    .unwrap_err();
    assert!(matches!(err, KeyringError::Weak { index: 1, .. }));
    let (_, warnings) = Keyring::from_env_with(
        env(&[
            ("FLASK_SECRET_KEY", "current-0123456789abcdef"),
            ("FLASK_SECRET_KEY_FALLBACKS", r#"["dev"]"#),
        ]),
        KeyPolicy::AllowWeak,
    )
    .unwrap();
    assert!(matches!(
        warnings.as_slice(),
        [KeyringWarning::WeakKeyAllowed { index: 1, .. }]
    ));
}

#[test]
fn env_errors_do_not_contain_key_text() {
    let err = Keyring::from_env_with(
        env(&[("FLASK_SECRET_KEY", "you-will-never-guess")]),
        KeyPolicy::RefuseWeak,
    )
    .unwrap_err();
    assert!(!err.to_string().contains("never-guess"), "{err}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn keyring_json_parser_never_panics(s in ".{0,120}") {
            let _ = Keyring::from_keyring_json(s.as_bytes(), KeyPolicy::AllowWeak);
            let wrapped = format!(r#"{{"waxseal_keyring": 1, "current": {{"b64": {s:?}}}}}"#);
            let _ = Keyring::from_keyring_json(wrapped.as_bytes(), KeyPolicy::AllowWeak);
        }

        #[test]
        fn env_loader_never_panics(key in ".{0,40}", fallbacks in ".{0,60}") {
            let e = env(&[("FLASK_SECRET_KEY", &key), ("FLASK_SECRET_KEY_FALLBACKS", &fallbacks)]);
            let _ = Keyring::from_env_with(e, KeyPolicy::AllowWeak);
        }
    }
}
