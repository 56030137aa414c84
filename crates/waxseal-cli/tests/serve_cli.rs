//! `waxseal serve` as a command: the keyring file it creates on first start (owner-only, reused
//! later, announced with how to share it with Flask) and the usage errors it gives.

mod live;

use std::process::Command;

use live::*;
use waxseal::secret::{KeyPolicy, Keyring};

#[test]
fn the_first_start_creates_an_owner_only_keyring_and_later_starts_reuse_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data/serve-keyring.json");
    let first = Serve::start(&path, &[]);
    let log = first.proc.drain_log().join("\n");
    assert!(log.contains("Created a new keyring"), "{log}");
    assert!(log.contains(&path.display().to_string()), "{log}");
    assert!(log.contains("waxseal key show --reveal --keyring"), "{log}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("created")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    let key = |p: &std::path::Path| {
        Keyring::load(p, KeyPolicy::RefuseWeak)
            .expect("a strong keyring")
            .0
            .current()
            .fingerprint()
    };
    let created = key(&path);
    drop(first);

    let again = Serve::start(&path, &[]);
    let log = again.proc.drain_log().join("\n");
    assert!(log.contains("Using the keyring"), "{log}");
    assert_eq!(key(&path), created, "the same key on every start");
}

fn serve_fails(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("FLASK_SECRET_KEY")
        .output()
        .expect("waxseal runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_store_or_a_weak_key_is_a_usage_error_that_says_what_to_do() {
    let (code, err) = serve_fails(&["--store", "postgres://db", "--secret", KEY]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("sqlite:PATH") && err.contains("redis://"),
        "{err}"
    );

    let (code, err) = serve_fails(&["--secret", "dev"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("waxseal key new"), "{err}");
}
