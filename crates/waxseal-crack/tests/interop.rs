//! Tokens made by the real itsdangerous 2.2 / Flask 3.1 are cracked with exact attempt counts,
//! and the Python wordlist parser agrees with flask-unsign (`ast.literal_eval`) on every line of
//! the flask-unsign-wordlist package.

use std::io::BufReader;
use waxseal_crack::{
    crack, parse_python_line, CrackOptions, CrackReport, Digest, IterSource, KeyDerivation,
    Progress, PythonLine, Scheme, SignedToken, Target, TargetOutcome, WordlistFormat,
    WordlistReader, FLASK_SESSION_SALT, SERIALIZER_DEFAULT_SALT, SIGNER_DEFAULT_SALT,
};
use waxseal_interop::{hex, json, oracle, unhex, Value};

const SCRIPT: &str = "crack_oracle.py";

/// A request for the oracle to sign `payload` with `secret`.
fn sign_request(
    kind: &str,
    secret: &[u8],
    salt: Option<&str>,
    derivation: Option<&str>,
    digest: Option<&str>,
    payload: Value,
) -> Value {
    json!({"op": "sign", "kind": kind, "secret": hex(secret), "salt": salt,
           "derivation": derivation, "digest": digest, "payload": payload})
}

fn token_of(answer: &Value) -> String {
    answer["token"].as_str().expect("token").to_owned()
}

/// `filler` words with `secret` inserted at `position`.
fn list_with_secret_at(secret: &[u8], position: usize, filler: usize) -> Vec<Vec<u8>> {
    let mut list: Vec<Vec<u8>> = (0..filler)
        .map(|i| format!("filler-{i}").into_bytes())
        .collect();
    list.insert(position, secret.to_vec());
    list
}

fn run(targets: &[Target], list: &[Vec<u8>], threads: usize, chunk_size: usize) -> CrackReport {
    let options = CrackOptions {
        threads,
        chunk_size,
    };
    crack(
        targets,
        IterSource::new(list.iter()),
        &options,
        &Progress::new(),
    )
    .expect("crack runs")
}

fn assert_found(outcome: &TargetOutcome, secret: &[u8], index: u64, what: &str) {
    let found = outcome
        .found()
        .unwrap_or_else(|| panic!("{what}: not found"));
    assert_eq!(found.secret, secret, "{what}");
    assert_eq!(found.index, index, "{what}");
    assert_eq!(found.attempts, index + 1, "{what}");
}

/// Escape-heavy secrets: values of wordlist-package lines containing backslash escapes.
fn escape_heavy_secrets(path: &str, how_many: usize) -> Vec<Vec<u8>> {
    let text = std::fs::read(path).expect("wordlist readable");
    text.split(|&b| b == b'\n')
        .filter(|line| line.windows(2).any(|w| w == br"\x") || line.windows(2).any(|w| w == br"\\"))
        .filter_map(|line| match parse_python_line(line) {
            PythonLine::Literal(v) if !v.is_empty() => Some(v),
            _ => None,
        })
        .take(how_many)
        .collect()
}

#[test]
fn real_itsdangerous_and_flask_tokens_are_cracked_with_exact_attempt_counts() {
    let Some(path) = oracle(SCRIPT, &[json!({"op": "wordlist_path", "name": "all"})]) else {
        return;
    };
    let wordlist_path = path[0]["path"].as_str().expect("path").to_owned();
    let mut secrets: Vec<Vec<u8>> = vec![b"dev".to_vec(), b"s3cr3t-\xff\x00\n".to_vec()];
    secrets.extend(escape_heavy_secrets(&wordlist_path, 4));
    assert!(secrets.len() >= 6, "wordlist has escape-heavy lines");

    let big_payload = json!({"user": "admin", "pad": "x".repeat(400)}); // compressed by Flask
                                                                        // (kind, salt, derivation, digest, scheme the engine must be told)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Scheme,
    );
    let cases: Vec<Case> = vec![
        ("flask", None, None, None, Scheme::flask_session()),
        (
            "timed_serializer",
            Some("cookie-session"),
            Some("hmac"),
            Some("sha1"),
            Scheme::flask_session(),
        ),
        (
            "timed_serializer",
            None,
            None,
            None,
            Scheme::new(
                SERIALIZER_DEFAULT_SALT,
                KeyDerivation::DjangoConcat,
                Digest::Sha1,
            ),
        ),
        (
            "serializer",
            Some("my salt"),
            Some("concat"),
            Some("sha1"),
            Scheme::new(&b"my salt"[..], KeyDerivation::Concat, Digest::Sha1),
        ),
        (
            "serializer",
            Some("x"),
            Some("none"),
            Some("sha1"),
            Scheme::new(&b"x"[..], KeyDerivation::None, Digest::Sha1),
        ),
        (
            "timed_serializer",
            Some("cookie-session"),
            Some("hmac"),
            Some("sha256"),
            Scheme::new(FLASK_SESSION_SALT, KeyDerivation::Hmac, Digest::Sha256),
        ),
        (
            "timed_serializer",
            Some("cookie-session"),
            Some("hmac"),
            Some("sha512"),
            Scheme::new(FLASK_SESSION_SALT, KeyDerivation::Hmac, Digest::Sha512),
        ),
        (
            "serializer",
            None,
            Some("django-concat"),
            Some("sha224"),
            Scheme::new(
                SERIALIZER_DEFAULT_SALT,
                KeyDerivation::DjangoConcat,
                Digest::Sha224,
            ),
        ),
        (
            "serializer",
            Some("a-very-long-custom-salt-that-crosses-the-sixty-four-byte-block-boundary!"),
            Some("concat"),
            Some("sha384"),
            Scheme::new(
                &b"a-very-long-custom-salt-that-crosses-the-sixty-four-byte-block-boundary!"[..],
                KeyDerivation::Concat,
                Digest::Sha384,
            ),
        ),
        (
            "serializer",
            Some("m"),
            Some("none"),
            Some("md5"),
            Scheme::new(&b"m"[..], KeyDerivation::None, Digest::Md5),
        ),
        (
            "signer",
            None,
            None,
            None,
            Scheme::new(
                SIGNER_DEFAULT_SALT,
                KeyDerivation::DjangoConcat,
                Digest::Sha1,
            ),
        ),
        (
            "timestamp_signer",
            None,
            None,
            None,
            Scheme::new(
                SIGNER_DEFAULT_SALT,
                KeyDerivation::DjangoConcat,
                Digest::Sha1,
            ),
        ),
        (
            "timestamp_signer",
            Some("s"),
            Some("hmac"),
            Some("sha256"),
            Scheme::new(&b"s"[..], KeyDerivation::Hmac, Digest::Sha256),
        ),
    ];
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for (i, (kind, salt, derivation, digest, scheme)) in cases.iter().enumerate() {
        for (j, secret) in secrets.iter().enumerate() {
            let payload = if (i + j) % 3 == 0 {
                big_payload.clone()
            } else {
                json!({"n": i * 10 + j})
            };
            let payload = if kind.ends_with("signer") {
                json!(format!("value-{i}-{j}"))
            } else {
                payload
            };
            requests.push(sign_request(
                kind,
                secret,
                *salt,
                *derivation,
                *digest,
                payload,
            ));
            expected.push((
                kind.to_string(),
                scheme.clone(),
                secret.clone(),
                (i * 7 + j * 13) % 50,
            ));
        }
    }
    let Some(answers) = oracle(SCRIPT, &requests) else {
        return;
    };

    let mut compressed_seen = false;
    for (answer, (kind, scheme, secret, position)) in answers.iter().zip(&expected) {
        let token = token_of(answer);
        compressed_seen |= token.starts_with('.');
        let what = format!("{kind} {scheme} secret {secret:?} token {token}");
        let target = Target::new(
            SignedToken::parse(&token, b'.').expect("parses"),
            vec![scheme.clone()],
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        let list = list_with_secret_at(secret, *position, 60);
        let report = run(std::slice::from_ref(&target), &list, 1, 16);
        assert_found(&report.outcomes[0], secret, *position as u64, &what);

        // Digest not named: detected from the signature length.
        let detected =
            Target::detect_digest(&token, &scheme.salt, scheme.derivation).expect("detects");
        assert_eq!(detected.schemes()[0].digest, scheme.digest, "{what}");

        // The same list without the secret: not found after the whole list.
        let without: Vec<Vec<u8>> = list.iter().filter(|c| *c != secret).cloned().collect();
        let report = run(&[target], &without, 2, 16);
        assert_eq!(
            report.outcomes[0],
            TargetOutcome::NotFound {
                attempts: without.len() as u64
            },
            "{what}"
        );
    }
    assert!(
        compressed_seen,
        "at least one compressed Flask payload was tested"
    );
}

#[test]
fn several_tokens_in_one_pass_each_get_their_own_exact_attempts() {
    let requests = vec![
        sign_request("flask", b"alpha", None, None, None, json!({"u": 1})),
        sign_request("flask", b"bravo", None, None, None, json!({"u": 2})),
        sign_request(
            "timed_serializer",
            b"alpha",
            Some("cookie-session"),
            Some("hmac"),
            Some("sha256"),
            json!({"u": 3}),
        ),
        sign_request("signer", b"charlie", None, None, None, json!("v")),
        sign_request("flask", b"absent", None, None, None, json!({"u": 5})),
    ];
    let Some(answers) = oracle(SCRIPT, &requests) else {
        return;
    };
    let tokens: Vec<String> = answers.iter().map(token_of).collect();
    let targets = vec![
        Target::flask_session(&tokens[0]).expect("target"),
        Target::flask_session(&tokens[1]).expect("target"),
        Target::detect_digest(&tokens[2], FLASK_SESSION_SALT, KeyDerivation::Hmac).expect("target"),
        Target::detect_digest(&tokens[3], SIGNER_DEFAULT_SALT, KeyDerivation::DjangoConcat)
            .expect("target"),
        Target::flask_session(&tokens[4]).expect("target"),
    ];
    let mut list: Vec<Vec<u8>> = (0..5000).map(|i| format!("w{i}").into_bytes()).collect();
    list[4321] = b"alpha".to_vec();
    list[17] = b"bravo".to_vec();
    list[2999] = b"charlie".to_vec();
    list[4999] = b"bravo".to_vec(); // a later duplicate must not win
    let one = run(&targets, &list, 1, 64);
    assert_found(&one.outcomes[0], b"alpha", 4321, "flask alpha");
    assert_found(&one.outcomes[1], b"bravo", 17, "flask bravo");
    assert_found(&one.outcomes[2], b"alpha", 4321, "sha256 alpha");
    assert_found(&one.outcomes[3], b"charlie", 2999, "signer charlie");
    assert_eq!(one.outcomes[4], TargetOutcome::NotFound { attempts: 5000 });
    assert_eq!(one.attempts(), 5000);
    for (threads, chunk) in [(2, 64), (2, 7), (3, 1), (2, 100_000)] {
        assert_eq!(
            run(&targets, &list, threads, chunk),
            one,
            "threads {threads} chunk {chunk}"
        );
    }

    // All found: the search ends at the last hit, whatever the thread count.
    let found_only = &targets[..4];
    for (threads, chunk) in [(1, 64), (2, 64), (2, 5)] {
        let report = run(found_only, &list, threads, chunk);
        assert!(report.all_found());
        assert_eq!(report.attempts(), 4322, "threads {threads} chunk {chunk}");
    }
}

#[test]
fn python_wordlist_parser_matches_flask_unsign_on_every_line_of_the_wordlist_package() {
    let Some(path) = oracle(SCRIPT, &[json!({"op": "wordlist_path", "name": "all"})]) else {
        return;
    };
    let path = path[0]["path"].as_str().expect("path").to_owned();
    let Some(answers) = oracle(SCRIPT, &[json!({"op": "parse_lines", "path": path})]) else {
        return;
    };
    let expected = answers[0]["lines"].as_array().expect("lines");
    let text = std::fs::read(&path).expect("wordlist readable");
    let lines: Vec<&[u8]> = text
        .strip_suffix(b"\n")
        .unwrap_or(&text)
        .split(|&b| b == b'\n')
        .collect();
    assert_eq!(lines.len(), expected.len());
    assert!(
        lines.len() > 50_000,
        "the real package list ({} lines)",
        lines.len()
    );
    let mut mismatches = Vec::new();
    for (number, (line, want)) in lines.iter().zip(expected).enumerate() {
        let kind = want[0].as_str().expect("kind");
        let value = unhex(want[1].as_str().expect("hex"));
        let ok = match (parse_python_line(line), kind) {
            (PythonLine::Literal(v), "literal") | (PythonLine::Fallback(v), "fallback") => {
                v == value
            }
            (PythonLine::Unencodable, "unencodable") => true,
            (PythonLine::Fallback(_), "other") => true, // flask-unsign aborts; waxseal tries the text
            _ => false,
        };
        if !ok {
            mismatches.push(format!(
                "line {}: {:?} python {kind} {:?}",
                number + 1,
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(&value)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(10)]
    );
}

#[test]
fn streamed_wordlist_package_file_finds_a_deep_secret_at_its_line_number() {
    let Some(path) = oracle(SCRIPT, &[json!({"op": "wordlist_path", "name": "all"})]) else {
        return;
    };
    let path = path[0]["path"].as_str().expect("path").to_owned();
    let text = std::fs::read(&path).expect("wordlist readable");
    let line_number = 40_000usize;
    let line = text
        .split(|&b| b == b'\n')
        .nth(line_number - 1)
        .expect("line exists");
    let PythonLine::Literal(secret) = parse_python_line(line) else {
        panic!("line is a literal")
    };
    let Some(answers) = oracle(
        SCRIPT,
        &[sign_request(
            "flask",
            &secret,
            None,
            None,
            None,
            json!({"k": "v"}),
        )],
    ) else {
        return;
    };
    let target = Target::flask_session(&token_of(&answers[0])).expect("target");
    for threads in [1, 2] {
        let file = std::fs::File::open(&path).expect("open");
        let mut reader = WordlistReader::new(BufReader::new(file), WordlistFormat::Auto);
        let options = CrackOptions {
            threads,
            chunk_size: 1000,
        };
        let report = crack(
            std::slice::from_ref(&target),
            &mut reader,
            &options,
            &Progress::new(),
        )
        .expect("crack");
        assert_eq!(reader.format(), WordlistFormat::Python);
        assert_eq!(reader.stats().skipped_lines, 0);
        let found = report.outcomes[0].found().expect("found");
        assert_eq!(found.secret, secret);
        // Every line is a candidate, and an earlier duplicate line would win: check by value.
        let first = text
            .split(|&b| b == b'\n')
            .position(|l| parse_python_line(l) == PythonLine::Literal(secret.clone()));
        assert_eq!(
            found.attempts,
            first.expect("present") as u64 + 1,
            "threads {threads}"
        );
    }
}
