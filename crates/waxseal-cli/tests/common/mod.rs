//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use waxseal::inspect::{FormatKind, TokenFormat};

/// A strong test key (text).
pub const KEY: &str = "test-key-0f3a9c2e7b1d4f60";
/// Another strong key.
pub const OLD_KEY: &str = "older-key-5e8d2a9f1c3b7e40";
/// A fixed signing time.
pub const T0: u64 = 1_700_000_000;

/// The `waxseal` binary with a clean key environment and no colours.
pub fn waxseal() -> Command {
    let mut c = Command::cargo_bin("waxseal").expect("binary built");
    c.env_remove("FLASK_SECRET_KEY")
        .env_remove("FLASK_SECRET_KEY_FALLBACKS")
        .env("NO_COLOR", "1");
    c
}

/// Signs `payload` in `kind` with `key` at `ts` through the library.
pub fn sign(kind: FormatKind, key: &[u8], payload: &str, ts: u64) -> String {
    TokenFormat::new(kind)
        .sign_at(&[key], payload.as_bytes(), ts)
        .expect("sign")
}

/// A Flask cookie for `json` signed with `key` at [`T0`].
pub fn flask(key: &str, json: &str) -> String {
    sign(FormatKind::Flask, key.as_bytes(), json, T0)
}

/// Stdout as UTF-8.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// Stdout parsed as JSON lines.
pub fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}
