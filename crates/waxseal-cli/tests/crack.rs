//! `waxseal crack`: wordlists, the built-in list, formats, several tokens, odd lines.

mod common;
use common::*;
use predicates::prelude::*;
use waxseal::inspect::{FormatKind, TokenFormat};

fn crack_json(args: &[&str], stdin: Option<Vec<u8>>) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut c = waxseal();
    c.args(["crack", "--json", "--threads", "2"]).args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.output().unwrap();
    (out.status.code(), json_lines(&out))
}

fn wordlist(dir: &tempfile::TempDir, lines: &[u8]) -> String {
    let p = dir.path().join("words.txt");
    std::fs::write(&p, lines).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn builtin_list_finds_a_known_key_with_all_json_fields() {
    let token = flask("changeme", r#"{"a":1}"#);
    let (code, v) = crack_json(&[&token], None);
    assert_eq!(code, Some(0));
    let v = &v[0];
    assert_eq!(v["found"], true);
    assert_eq!(v["secret"], "changeme");
    assert_eq!(v["secret_hex"], "6368616e67656d65");
    assert!(v["attempts"].as_u64().unwrap() >= 1);
    assert!(v["elapsed_s"].is_f64());
    assert!(v["rate"].is_number());
}

#[test]
fn plain_wordlist_hit_reports_the_exact_attempt_count() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"alpha\nbeta\ngamma-key\ndelta\n");
    let token = flask("gamma-key", "{}");
    let (code, v) = crack_json(&["--wordlist", &list, &token], None);
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["attempts"], 3);
    assert_eq!(v[0]["secret"], "gamma-key");
}

#[test]
fn not_found_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"alpha\nbeta\n");
    let (code, v) = crack_json(&["--wordlist", &list, &flask(KEY, "{}")], None);
    assert_eq!(code, Some(1));
    assert_eq!(v[0]["found"], false);
    assert_eq!(v[0]["secret"], serde_json::Value::Null);
    assert_eq!(v[0]["attempts"], 2);
}

#[test]
fn several_tokens_in_one_pass_answer_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"one\ntwo\nthree\n");
    let a = flask("three", "{}");
    let b = flask("one", "{}");
    let (code, v) = crack_json(&["--wordlist", &list, &a, &b], None);
    assert_eq!(code, Some(0));
    assert_eq!(
        (v[0]["secret"].as_str(), v[1]["secret"].as_str()),
        (Some("three"), Some("one"))
    );
    assert_eq!(
        (v[0]["attempts"].as_u64(), v[1]["attempts"].as_u64()),
        (Some(3), Some(1))
    );
    let (code, _) = crack_json(&["--wordlist", &list, &a, &flask(KEY, "{}")], None);
    assert_eq!(code, Some(1));
}

#[test]
fn tokens_from_stdin_and_several_wordlists_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let first = wordlist(&dir, b"a\nb\n");
    let second = dir.path().join("second.txt");
    std::fs::write(&second, b"c\nsecond-list-key\n").unwrap();
    let token = flask("second-list-key", "{}");
    let (code, v) = crack_json(
        &[
            "--wordlist",
            &first,
            "--wordlist",
            second.to_str().unwrap(),
            "-",
        ],
        Some(format!("{token}\n").into_bytes()),
    );
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["attempts"], 4);
}

#[test]
fn wordlist_from_stdin() {
    let token = flask("from-stdin", "{}");
    let (code, v) = crack_json(
        &["--wordlist", "-", &token],
        Some(b"x\nfrom-stdin\n".to_vec()),
    );
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["attempts"], 2);
}

#[test]
fn every_format_digest_and_derivation_is_cracked() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"nope\nfmt-secret\n");
    for kind in FormatKind::ALL {
        for (digest, derivation) in [
            (waxseal::Digest::Sha1, waxseal::KeyDerivation::Hmac),
            (
                waxseal::Digest::Sha256,
                waxseal::KeyDerivation::DjangoConcat,
            ),
            (waxseal::Digest::Sha512, waxseal::KeyDerivation::Concat),
            // MD5 tokens (legacy, cannot be signed here) are cracked in waxseal-crack's interop
            // tests, from tokens real itsdangerous made.
            (waxseal::Digest::Sha384, waxseal::KeyDerivation::None),
        ] {
            let mut f = TokenFormat::new(kind);
            f.settings.digest = digest;
            f.settings.key_derivation = derivation;
            f.settings.salt = b"my-salt".to_vec();
            let payload = if kind.is_json() {
                format!(r#"{{"x":"{}"}}"#, "y".repeat(200))
            } else {
                "v".into()
            };
            let token = f.sign(&[b"fmt-secret"], payload.as_bytes(), T0).unwrap();
            let (code, v) = crack_json(
                &[
                    "--wordlist",
                    &list,
                    "--format",
                    kind.name(),
                    "--salt",
                    "my-salt",
                    "--key-derivation",
                    derivation.name(),
                    &token,
                ],
                None,
            );
            assert_eq!(code, Some(0), "{} {digest:?} {derivation:?}", kind.name());
            assert_eq!(v[0]["scheme"]["digest"], digest.name());
        }
    }
}

#[test]
fn explicit_digest_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"k-secret\n");
    let token = flask("k-secret", "{}");
    let (code, _) = crack_json(&["--wordlist", &list, "--digest", "sha1", &token], None);
    assert_eq!(code, Some(0));
    // A SHA-1 signature cannot be SHA-256: the token is answered malformed, saying why.
    let (code, v) = crack_json(&["--wordlist", &list, "--digest", "sha256", &token], None);
    assert_eq!(code, Some(1));
    assert_eq!(v[0]["error"], "malformed");
    assert!(v[0]["message"].as_str().unwrap().contains("sha256"));
}

#[test]
fn odd_lines_never_panic_and_later_lines_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    lines.extend_from_slice(b"\n\n\xff\xfe\x00binary\x01\n");
    lines.extend_from_slice(&vec![b'z'; 200_000]);
    lines.extend_from_slice(
        b"\n'unterminated\nb'\\xZZ'\n\"\\N{NOPE}\"\nb'\\u1234'\n\"\\ud800\"\n'''\nthe-real-key\n",
    );
    let list = wordlist(&dir, &lines);
    let token = flask("the-real-key", "{}");
    for format in ["auto", "plain", "python"] {
        let out = waxseal()
            .args([
                "crack",
                "--json",
                "--wordlist-format",
                format,
                "--wordlist",
                &list,
                &token,
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert!(out.status.code() == Some(0), "{format}: {err}");
    }
    // A secret with a newline or non-UTF-8 bytes prints as a Python bytes literal.
    let py = wordlist(&dir, b"b'\\xffkey\\n'\n");
    let token = waxseal::inspect::TokenFormat::new(FormatKind::Flask)
        .sign(&[b"\xffkey\n"], b"{}", T0)
        .unwrap();
    let (code, v) = crack_json(
        &["--wordlist-format", "python", "--wordlist", &py, &token],
        None,
    );
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["secret"], r"b'\xffkey\n'");
    assert_eq!(v[0]["secret_hex"], "ff6b65790a");
}

#[test]
fn human_output_names_the_secret_and_the_rate() {
    waxseal()
        .args(["crack", &flask("changeme", "{}")])
        .assert()
        .success()
        .stdout(predicate::str::contains("FOUND secret key: changeme"))
        .stdout(predicate::str::contains("per second"));
}

#[test]
fn double_stdin_is_a_usage_error() {
    waxseal()
        .args(["crack", "--wordlist", "-", "-"])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin"));
}

#[test]
fn a_malformed_token_is_answered_and_the_others_are_still_cracked() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"alpha\nbatch-key\n");
    let good = flask("batch-key", "{}");
    let unknown = flask(KEY, "{}");
    let stdin = format!("{good}\nnonsense\n\n{unknown}\nabc.!!!\n{good}\n");
    let (code, v) = crack_json(&["--wordlist", &list, "-"], Some(stdin.into_bytes()));
    assert_eq!(code, Some(1));
    let errors: Vec<&str> = v
        .iter()
        .map(|a| a["error"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(
        errors,
        ["none", "malformed", "not_found", "malformed", "none"],
        "{v:?}"
    );
    assert_eq!(v[0]["secret"], "batch-key");
    assert_eq!(v[4]["attempts"], 2);
    assert_eq!(v[1]["token"], "nonsense");
    assert!(v[1]["message"].as_str().unwrap().contains("separator"));
    // Human output: one answer per token, in order.
    let out = waxseal()
        .args(["crack", "--wordlist", &list, "nonsense", &good])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let first = text.find("token 1: malformed").expect(&text);
    let second = text
        .find("token 2: FOUND secret key: batch-key")
        .expect(&text);
    assert!(first < second);
    // Only malformed tokens: each answered, exit 1, nothing cracked.
    let (code, v) = crack_json(&["nonsense", "x.y"], None);
    assert_eq!(code, Some(1));
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|a| a["error"] == "malformed"));
}

#[test]
fn empty_stdin_prints_nothing_and_exits_0() {
    for json in [true, false] {
        let mut c = waxseal();
        c.arg("crack");
        if json {
            c.arg("--json");
        }
        let out = c.arg("-").write_stdin("").output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty(), "{:?}", stdout(&out));
        let out = waxseal()
            .args(["crack", "-"])
            .write_stdin("\n  \n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn json_lines_stay_valid_for_hostile_tokens() {
    let mut stdin = b"\xff\xfe.abc\n\x1b[2Kfake.\"quote\\\n".to_vec();
    stdin.extend_from_slice(flask("changeme", "{}").as_bytes());
    stdin.push(b'\n');
    let (code, v) = crack_json(&["-"], Some(stdin));
    assert_eq!(code, Some(1));
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["error"], "malformed");
    assert_eq!(v[1]["error"], "malformed");
    assert_eq!(v[2]["secret"], "changeme");
}
