//! Test-only harness that drives the pinned Python reference in `tests/interop/`.
//!
//! Interop tests call [`oracle`] with a script name from `tests/interop/` and a batch of JSON
//! requests. The script runs once in the project's virtual environment, reads one JSON object per
//! line on stdin and answers one JSON object per line on stdout, in order. Batching keeps the cost
//! of starting Python (importing Flask takes a noticeable fraction of a second) to once per test.
//!
//! When the virtual environment is missing, plain `cargo test` still passes: [`oracle`] returns
//! `None` and prints a loud `SKIPPED` line. `scripts/test` sets `WAXSEAL_REQUIRE_INTEROP=1`, which
//! turns every such skip into a failure, so CI can never pass without the reference.
#![forbid(unsafe_code)]

mod rng;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub use rng::XorShift;
pub use serde_json::{json, Value};

/// The workspace root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// The interop virtual environment's Python, if it has been set up by `scripts/setup-interop`.
///
/// `WAXSEAL_PYTHON` overrides the location.
pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WAXSEAL_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let p = workspace_root().join("tests/interop/.venv/bin/python");
    p.exists().then_some(p)
}

/// Whether a missing Python reference must fail the test instead of skipping it.
pub fn interop_required() -> bool {
    std::env::var("WAXSEAL_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// Returns the reference Python, or reports a skip (and `None`), or panics when interop is required.
pub fn python_or_skip(test: &str) -> Option<PathBuf> {
    match python() {
        Some(p) => Some(p),
        None if interop_required() => panic!(
            "{test}: the Python reference is required (WAXSEAL_REQUIRE_INTEROP=1) but \
             tests/interop/.venv is missing; run scripts/setup-interop"
        ),
        None => {
            // Written to the stderr handle directly: libtest captures `eprintln!` of passing
            // tests, and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED {test}: no Python reference (tests/interop/.venv). \
                 Run scripts/setup-interop or scripts/test. ***\n"
            );
            None
        }
    }
}

/// Runs `tests/interop/<script>` once with `requests` (one JSON object per line on stdin) and
/// returns its answers (one JSON object per line on stdout), in order.
///
/// Returns `None` when the reference is not installed (see [`python_or_skip`]). Panics, with the
/// script's stderr, when the script fails or answers a different number of lines.
pub fn oracle(script: &str, requests: &[Value]) -> Option<Vec<Value>> {
    let python = python_or_skip(script)?;
    let path = workspace_root().join("tests/interop").join(script);
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let mut input = String::new();
    for r in requests {
        input.push_str(&r.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Write on a thread so a large batch cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python runs");
    writer
        .join()
        .expect("writer thread")
        .expect("write requests");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed: {stderr}");
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf-8 answers")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad answer {l:?}: {e}")))
        .collect();
    assert_eq!(
        answers.len(),
        requests.len(),
        "{script} answered {} of {} requests; stderr: {stderr}",
        answers.len(),
        requests.len()
    );
    Some(answers)
}

/// Hex encoding for passing bytes to and from the scripts.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes hex produced by the scripts.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
