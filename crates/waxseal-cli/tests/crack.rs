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

/// Each answer's `error`, `none` for a hit.
fn errors_of(answers: &[serde_json::Value]) -> Vec<&str> {
    answers
        .iter()
        .map(|a| a["error"].as_str().unwrap_or("none"))
        .collect()
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
            let token = f.sign_at(&[b"fmt-secret"], payload.as_bytes(), T0).unwrap();
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
        .sign_at(&[b"\xffkey\n"], b"{}", T0)
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
    let errors = errors_of(&v);
    assert_eq!(
        errors,
        [
            "none",
            "malformed",
            "malformed",
            "not_found",
            "malformed",
            "none"
        ],
        "{v:?}"
    );
    assert_eq!(v[0]["secret"], "batch-key");
    assert_eq!(v[5]["attempts"], 2);
    assert!(v[2]["message"].as_str().unwrap().contains("empty"), "{v:?}");
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
    }
    // Blank lines are not empty stdin: each is answered as malformed, as `verify` answers them.
    let (code, v) = crack_json(&["-"], Some(b"\n  \n".to_vec()));
    assert_eq!(code, Some(1));
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|a| a["error"] == "malformed"), "{v:?}");
}

/// Issue 8: in `-` mode every line gets exactly one answer, in order, with the same reader (and
/// the same 1 MiB limit) as `verify`: an over-long line is answered and the batch goes on.
#[test]
fn stdin_lines_are_answered_like_verify_answers_them() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"batch-key\n");
    let good = flask("batch-key", "{}");
    let limit = 1 << 20;
    let mut stdin = format!("{good}\n").into_bytes();
    stdin.extend(std::iter::repeat_n(b'x', limit + 1));
    stdin.extend_from_slice(format!("\n{good}\nx\n").as_bytes());
    // A line of exactly the limit is a token (a malformed one), not an over-long line.
    stdin.extend(std::iter::repeat_n(b'y', limit));
    stdin.push(b'\n');
    let (code, v) = crack_json(&["--wordlist", &list, "-"], Some(stdin.clone()));
    assert_eq!(code, Some(1));
    let errors = errors_of(&v);
    assert_eq!(
        errors,
        ["none", "malformed", "none", "malformed", "malformed"]
    );
    assert!(
        v[1]["message"].as_str().unwrap().contains("1048577 bytes"),
        "{}",
        v[1]["message"]
    );
    assert!(
        !v[4]["message"].as_str().unwrap().contains("limit"),
        "{}",
        v[4]["message"]
    );
    // verify answers the same lines the same way.
    let out = waxseal()
        .args([
            "verify",
            "--json",
            "--no-max-age",
            "--secret",
            "batch-key",
            "-",
        ])
        .write_stdin(stdin)
        .output()
        .unwrap();
    let verdicts: Vec<String> = json_lines(&out)
        .iter()
        .map(|a| a["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        verdicts,
        ["valid", "malformed", "valid", "malformed", "malformed"]
    );
}

/// Issue 8: a pasted cookie (`session=...`, a `Cookie:` header, quotes) is cracked and the
/// answer says what was removed, as `verify` does; `--hashcat` takes it too.
#[test]
fn pasted_cookies_are_extracted_and_the_answer_says_so() {
    let token = flask("changeme", r#"{"a":1}"#);
    for text in [
        format!("session={token}"),
        format!("Cookie: theme=dark; session=\"{token}\""),
        format!("  {token}  "),
    ] {
        let (code, v) = crack_json(&[&text], None);
        assert_eq!(code, Some(0), "{text}: {v:?}");
        assert_eq!(v[0]["secret"], "changeme");
        assert_eq!(v[0]["token"], token.as_str());
        let trimmed_only = text.trim() == token;
        assert_eq!(v[0]["extracted"].is_null(), trimmed_only, "{text}: {v:?}");
        let (code, v) = crack_json(&["--hashcat", &text], None);
        assert_eq!((code, &v[0]["line"]), (Some(0), &json_str(&token)), "{v:?}");
        assert_eq!(v[0]["extracted"].is_null(), trimmed_only, "{text}: {v:?}");
    }
    // With --format too, and in human output.
    let pasted = format!("session={token}");
    let (code, v) = crack_json(&["--format", "flask", &pasted], None);
    assert_eq!((code, v[0]["secret"].as_str()), (Some(0), Some("changeme")));
    waxseal()
        .args(["crack", &pasted])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "token taken from the input by removing",
        ))
        .stdout(predicate::str::contains("FOUND secret key: changeme"));
    waxseal()
        .args(["crack", "--hashcat", &pasted])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "token taken from the input by removing",
        ))
        .stdout(predicate::str::contains(format!("hash line: {token}")));
}

fn json_str(s: &str) -> serde_json::Value {
    serde_json::Value::String(s.to_owned())
}

/// "1 attempt", "1 candidate"; with several tokens the rate counts candidate × token checks.
#[test]
fn counts_are_pluralised_and_the_multi_token_rate_counts_checks() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"first\n");
    let one_thread = |token: &str| {
        let out = waxseal()
            .args(["crack", "--threads", "1", "--wordlist", &list, token])
            .output()
            .unwrap();
        stdout(&out)
    };
    let text = one_thread(&flask("first", "{}"));
    assert!(text.contains("after 1 attempt in"), "{text}");
    assert!(text.contains("1 candidate in"), "{text}");
    assert!(text.contains("candidates per second, 1 thread)"), "{text}");
    let text = one_thread(&flask(KEY, "{}"));
    assert!(text.contains("not found after 1 candidate\n"), "{text}");
    // Three tokens: each candidate is checked against each, and the rate says so.
    let list = wordlist(&dir, b"a\nb\nc\nd\n");
    let tokens = [flask(KEY, "{}"), flask(OLD_KEY, "{}"), flask("zzz", "{}")];
    let mut args = vec!["--wordlist", list.as_str()];
    args.extend(tokens.iter().map(String::as_str));
    let out = waxseal().arg("crack").args(&args).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("4 candidates × 3 tokens = 12 checks in"),
        "{text}"
    );
    assert!(text.contains("checks per second"), "{text}");
    let (_, v) = crack_json(&args, None);
    let rate = v[0]["rate"].as_f64().unwrap();
    let elapsed = v[0]["elapsed_s"].as_f64().unwrap();
    assert!(
        (rate * elapsed - 12.0).abs() < 1e-6,
        "rate {rate} elapsed {elapsed}"
    );
}

/// `--guess-salts`: a real `URLSafeTimedSerializer(secret, salt="email-confirm")` token is
/// reported as what it is, with the salt and derivation that matched.
#[test]
fn guessed_salt_hits_are_labelled_by_the_scheme_that_matched() {
    use waxseal_interop::{json, oracle};
    let sign = |derivation: Option<&str>| {
        json!({"op": "sign", "kind": "timed_serializer", "secret": "6368616e67656d65",
               "salt": "email-confirm", "derivation": derivation, "digest": null,
               "payload": {"email": "ada@example.com"}})
    };
    let Some(answers) = oracle("crack_oracle.py", &[sign(None), sign(Some("hmac"))]) else {
        return;
    };
    for (answer, derivation) in answers.iter().zip(["django-concat", "hmac"]) {
        let token = answer["token"].as_str().unwrap();
        let (code, v) = crack_json(&["--guess-salts", token], None);
        assert_eq!(code, Some(0), "{v:?}");
        assert_eq!(v[0]["format"], "url-safe-timed", "{v:?}");
        assert_eq!(v[0]["scheme"]["salt"], "email-confirm");
        assert_eq!(v[0]["scheme"]["key_derivation"], derivation);
        assert_eq!(v[0]["secret"], "changeme");
        // With a format option (the CLI builds the scheme list) the label follows the hit too.
        let (code, v) = crack_json(
            &["--guess-salts", "--key-derivation", derivation, token],
            None,
        );
        assert_eq!(
            (code, v[0]["format"].as_str()),
            (Some(0), Some("url-safe-timed"))
        );
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

#[test]
fn masks_custom_charsets_and_increment() {
    let token = flask("Wolf", "{}");
    let (code, v) = crack_json(&["--mask", "?u?l?l?l", &token], None);
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["secret"], "Wolf");
    assert_eq!(v[0]["phase"], "mask ?u?l?l?l");
    let token = flask("k7", "{}");
    let (code, v) = crack_json(
        &[
            "-1",
            "jk",
            "-2",
            "?d",
            "--mask",
            "?1?2?2",
            "--increment",
            &token,
        ],
        None,
    );
    assert_eq!(code, Some(0));
    // Length 1 (2 candidates), then "k7" at 1*10 + 7 of length 2.
    assert_eq!(v[0]["attempts"], 2 + 17 + 1);
    let (code, _) = crack_json(&["--mask", "?q", &token], None);
    assert_eq!(code, Some(2));
}

#[test]
fn rules_best_and_rule_files() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"peanut\nsecret\n");
    let token = flask("Secret123", "{}");
    let (code, v) = crack_json(&["--wordlist", &list, "--rules", "best", &token], None);
    assert_eq!(code, Some(0), "{v:?}");
    assert_eq!(v[0]["secret"], "Secret123");
    let rules = dir.path().join("my.rule");
    std::fs::write(&rules, b"# mine\n:\nc $1 $2 $3\n").unwrap();
    let (code, v) = crack_json(
        &[
            "--wordlist",
            &list,
            "--rules",
            rules.to_str().unwrap(),
            &token,
        ],
        None,
    );
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["attempts"], 4); // secret (word 2) x rule 2
                                     // Without a wordlist, rules apply to the built-in known keys.
    let (code, v) = crack_json(&["--rules", "best", &flask("Changeme1", "{}")], None);
    assert_eq!(code, Some(0), "{v:?}");
}

#[test]
fn combinator_joins_two_words() {
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"peanut\nbutter\njelly\n");
    let token = flask("peanut butter", "{}");
    let (code, v) = crack_json(&["--wordlist", &list, "--combinator", &token], None);
    assert_eq!(code, Some(0));
    assert_eq!(v[0]["secret"], "peanut butter");
}

#[test]
fn thorough_reports_its_phases_and_the_time_limit_honestly() {
    // A capitalised 4-letter word: found by the plan's mask phase, after cheaper phases.
    let token = flask("Nova", "{}");
    let out = waxseal()
        .args([
            "crack",
            "--threads",
            "2",
            "--thorough",
            "--time-limit",
            "120",
            &token,
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("phase 1/"), "{text}");
    assert!(text.contains("known keys"), "{text}");
    assert!(text.contains("FOUND secret key: Nova"), "{text}");
    assert!(text.contains("mask ?u?l?l?l"), "{text}");
    // A strong key with a short budget: stopped, untried phases named, no false comfort.
    let token = flask(KEY, "{}");
    let out = waxseal()
        .args([
            "crack",
            "--threads",
            "2",
            "--thorough",
            "--time-limit",
            "1.5",
            &token,
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("stopped by the time limit"), "{text}");
    assert!(text.contains("not started"), "{text}");
    assert!(text.contains("Not found is not proof"), "{text}");
    assert!(text.contains("--hashcat"), "{text}");
    let (code, v) = crack_json(&["--thorough", "--time-limit", "1", &token], None);
    assert_eq!(code, Some(1));
    let phases = v[0]["phases"].as_array().unwrap();
    assert!(phases.iter().any(|p| p["status"] == "not_started"));
    assert_eq!(phases[0]["status"], "complete");
}

#[test]
fn hashcat_handoff_says_which_tokens_hashcat_can_take() {
    // hashcat's own self-test hash for -m 29100 (password "hashcat") is cracked here too.
    let hashcat_example = "eyJ1c2VybmFtZSI6ImFkbWluIn0.YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8";
    let dir = tempfile::tempdir().unwrap();
    let list = wordlist(&dir, b"hashcat\n");
    let (code, v) = crack_json(&["--wordlist", &list, hashcat_example], None);
    assert_eq!((code, v[0]["format"].as_str()), (Some(0), Some("flask")));

    // 46 distinct characters: zlib cannot shorten it, so Flask leaves it uncompressed.
    let long = flask(
        KEY,
        r#"{"x":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"}"#,
    );
    assert!(!long.starts_with('.'));
    let compressed = flask(KEY, &format!(r#"{{"x":"{}"}}"#, "y".repeat(300)));
    assert!(compressed.starts_with('.'));
    let short_sha1 = sign(FormatKind::Flask, KEY.as_bytes(), "{}", T0);
    let mut f = TokenFormat::new(FormatKind::Flask);
    f.settings.digest = waxseal::Digest::Sha256;
    let sha256_token = f.sign_at(&[KEY.as_bytes()], b"{}", T0).unwrap();
    let signer = sign(FormatKind::Signer, KEY.as_bytes(), "v", T0);
    let (code, v) = crack_json(
        &[
            "--hashcat",
            hashcat_example,
            &long,
            &compressed,
            &sha256_token,
            &signer,
            "junk",
            &short_sha1,
        ],
        None,
    );
    assert_eq!(code, Some(1));
    let ok: Vec<bool> = v.iter().map(|a| a["hashcat"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, false, false, false, false, false, true]);
    assert_eq!(v[0]["mode"], 29100);
    assert_eq!(v[0]["line"], hashcat_example);
    assert!(v[1]["reason"].as_str().unwrap().contains("56"));
    assert!(v[2]["reason"].as_str().unwrap().contains("compressed"));
    assert!(v[3]["reason"].as_str().unwrap().contains("SHA-1"));
    waxseal()
        .args(["crack", "--hashcat", hashcat_example])
        .assert()
        .success()
        .stdout(predicate::str::contains("hashcat -m 29100"));
}

#[test]
fn real_starlette_and_itsdangerous_tokens_are_recognised_by_the_cli() {
    use waxseal_interop::{json, oracle};
    let make = |kind: &str, secret: &str| {
        json!({"op": "make", "kind": kind, "secret": secret, "digest": null,
               "payload": {"user": "admin"}, "compress": false, "old_epoch": false})
    };
    let Some(answers) = oracle(
        "crack_oracle.py",
        &[
            make("starlette", "changeme"),
            make("url_safe_timed", "secret"),
            make("timestamp_signer", "dev"),
        ],
    ) else {
        return;
    };
    let tokens: Vec<String> = answers
        .iter()
        .map(|a| a["token"].as_str().unwrap().to_owned())
        .collect();
    let (code, v) = crack_json(&tokens.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(code, Some(0), "{v:?}");
    let formats: Vec<&str> = v.iter().map(|a| a["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["starlette", "url-safe-timed", "timestamp-signer"]);
    assert_eq!(v[0]["scheme"]["salt"], "itsdangerous.Signer");
    // --format starlette gives the same, and decode reads the cookie with the same name.
    let (code, v) = crack_json(&["--format", "starlette", &tokens[0]], None);
    assert_eq!(
        (code, v[0]["format"].as_str()),
        (Some(0), Some("starlette"))
    );
    waxseal()
        .args(["decode", "--format", "starlette", &tokens[0]])
        .assert()
        .success();
}

#[test]
fn latin1_and_raw_wordlists_and_undecodable_lines_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    // A Python 2 byte string saved as UTF-8 text: "caf\xe9" is written as "café".
    let list = wordlist(&dir, b"caf\xc3\xa9\n\xe2\x82\xacuro\n\xffraw\n");
    let token = sign(FormatKind::Flask, b"caf\xe9", "{}", T0);
    let out = waxseal()
        .args([
            "crack",
            "--json",
            "--wordlist-format",
            "latin-1",
            "--wordlist",
            &list,
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_lines(&out)[0]["secret_hex"], "636166e9");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 wordlist line(s)"));
    // raw: the same line is the UTF-8 bytes; \xff stays a byte.
    let token = sign(FormatKind::Flask, b"\xffraw", "{}", T0);
    let (code, v) = crack_json(
        &["--wordlist-format", "raw", "--wordlist", &list, &token],
        None,
    );
    assert_eq!((code, v[0]["attempts"].as_u64()), (Some(0), Some(3)));
    // Python format, parsed in the workers: a lone surrogate is skipped and counted.
    let py = dir.path().join("py.txt");
    std::fs::write(&py, b"'a'\n'\\ud800'\n'py-key'\n").unwrap();
    let token = flask("py-key", "{}");
    let out = waxseal()
        .args([
            "crack",
            "--json",
            "--wordlist",
            py.to_str().unwrap(),
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["attempts"], 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 wordlist line(s)"));
}

/// A real itsdangerous `TimedSerializer` token: `crack` and `decode` call it `timed-serializer`,
/// and `verify` accepts that name and the key `crack` found.
#[test]
fn a_real_timed_serializer_token_has_one_format_name_across_commands() {
    use waxseal_interop::{json, oracle};
    let Some(answers) = oracle(
        "crack_oracle.py",
        &[
            json!({"op": "make", "kind": "timed_serializer", "secret": "changeme",
                 "digest": null, "payload": {"user": "admin", "n": 1.5}, "compress": false,
                 "old_epoch": false}),
        ],
    ) else {
        return;
    };
    let token = answers[0]["token"].as_str().unwrap().to_owned();
    let (code, v) = crack_json(&[&token], None);
    assert_eq!(code, Some(0), "{v:?}");
    let format = v[0]["format"].as_str().unwrap().to_owned();
    assert_eq!(format, "timed-serializer");
    let out = waxseal()
        .args(["decode", "--json", &token])
        .output()
        .unwrap();
    let decoded = &json_lines(&out)[0];
    assert_eq!(decoded["format"], "timed-serializer", "{decoded}");
    assert_eq!(decoded["format_detected"], true, "{decoded}");
    let secret_hex = v[0]["secret_hex"].as_str().unwrap();
    waxseal()
        .args([
            "verify",
            "--format",
            &format,
            "--secret-hex",
            secret_hex,
            &token,
        ])
        .assert()
        .success();
    waxseal()
        .args(["verify", "--format", &format, "--secret-hex", "00", &token])
        .assert()
        .failure();
    // `sign --format timed-serializer` writes the JSON as `json.dumps` does: the same token.
    let (raw, ts) = (
        decoded["payload_raw"].as_str().unwrap(),
        &decoded["timestamp"],
    );
    let out = waxseal()
        .args([
            "sign",
            "--allow-weak-key",
            "--format",
            &format,
            "--secret-hex",
            secret_hex,
        ])
        .args(["--timestamp", &ts.to_string(), raw])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout(&out).trim_end(), token, "{raw}: {err}");
}

/// Every attack on cookies made by the real Flask 3.1 (not by waxseal's own `sign`): a mask, the
/// built-in rules, the combinator, and latin-1 and raw wordlists each recover the key Flask used.
#[test]
fn every_attack_cracks_cookies_made_by_the_real_flask() {
    use waxseal_interop::{hex, json, oracle};
    let secrets: [&[u8]; 5] = [
        b"Wolf",
        b"Secret123",
        b"peanut butter",
        b"caf\xe9",
        b"\xffraw",
    ];
    let requests: Vec<_> = secrets
        .iter()
        .map(|s| {
            json!({"op": "sign", "kind": "flask", "secret": hex(s), "salt": null,
                   "derivation": null, "digest": null, "payload": {"user": "admin"}})
        })
        .collect();
    let Some(answers) = oracle("crack_oracle.py", &requests) else {
        return;
    };
    let token = |i: usize| answers[i]["token"].as_str().expect("token").to_owned();
    let dir = tempfile::tempdir().unwrap();
    let words = wordlist(&dir, b"peanut\nbutter\nsecret\n");
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"caf\xc3\xa9\n\xffraw\n").unwrap();
    let latin1 = latin1.to_str().unwrap();
    let attacks: [(&[&str], usize); 5] = [
        (&["--mask", "?u?l?l?l"], 0),
        (&["--wordlist", &words, "--rules", "best"], 1),
        (&["--wordlist", &words, "--combinator"], 2),
        (&["--wordlist-format", "latin-1", "--wordlist", latin1], 3),
        (&["--wordlist-format", "raw", "--wordlist", latin1], 4),
    ];
    for (args, i) in attacks {
        let t = token(i);
        let mut all = args.to_vec();
        all.push(&t);
        let (code, v) = crack_json(&all, None);
        assert_eq!(code, Some(0), "{args:?}: {v:?}");
        assert_eq!(v[0]["secret_hex"], hex(secrets[i]), "{args:?}: {v:?}");
        assert_eq!(v[0]["format"], "flask", "{args:?}");
    }
}
