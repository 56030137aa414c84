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

/// Random escape-heavy lines (deterministic generator) compared with flask-unsign's `parse`.
#[test]
fn python_wordlist_parser_matches_flask_unsign_on_generated_tricky_lines() {
    const PIECES: &[&str] = &[
        "'",
        "\"",
        "'''",
        "b",
        "r",
        "u",
        "B",
        "R",
        "f",
        "\\",
        "\\\\",
        "\\x4",
        "\\x41",
        "\\xzz",
        "\\101",
        "\\777",
        "\\8",
        "\\u00e9",
        "\\ud800",
        "\\U0001F600",
        "\\U00110000",
        "\\N{DASH}",
        "\\n",
        "\\t",
        "\\a",
        "\\'",
        "\\\"",
        "\\q",
        "a",
        "Z",
        "0",
        " ",
        "\t",
        "\x0c",
        "\r",
        "#",
        "(",
        ")",
        ",",
        "é",
        "\u{2003}",
        "\u{85}",
        "\u{1f}",
        "\x00",
        "+",
        "1",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut text = Vec::new();
    for _ in 0..4000 {
        let quote = ["'", "\"", "b'", "r\"", "'''", "u'", "rb'", ""][(next() % 8) as usize];
        let mut line = String::from(quote);
        for _ in 0..(next() % 8) {
            line.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        if next() % 4 != 0 {
            line.push_str(quote.trim_start_matches(|c: char| c.is_ascii_alphabetic()));
        }
        text.extend_from_slice(line.as_bytes());
        if next() % 10 == 0 {
            text.extend_from_slice(&[0xff, 0xfe]); // not UTF-8
        }
        text.push(b'\n');
    }
    let path =
        std::env::temp_dir().join(format!("waxseal-crack-tricky-{}.txt", std::process::id()));
    std::fs::write(&path, &text).expect("temp file");
    let answers = oracle(
        SCRIPT,
        &[json!({"op": "parse_lines", "path": path.to_str().expect("utf-8 path")})],
    );
    let _ = std::fs::remove_file(&path);
    let Some(answers) = answers else { return };
    let expected = answers[0]["lines"].as_array().expect("lines");
    let lines: Vec<&[u8]> = text
        .strip_suffix(b"\n")
        .unwrap_or(&text)
        .split(|&b| b == b'\n')
        .collect();
    assert_eq!(lines.len(), expected.len());
    let mut mismatches = Vec::new();
    for (line, want) in lines.iter().zip(expected) {
        let kind = want[0].as_str().expect("kind");
        let value = unhex(want[1].as_str().expect("hex"));
        let ours = parse_python_line(line);
        let ok = match (&ours, kind) {
            (PythonLine::Literal(v), "literal") | (PythonLine::Fallback(v), "fallback") => {
                *v == value
            }
            (PythonLine::Unencodable, "unencodable") => true,
            (PythonLine::Fallback(_), "other") => true,
            // \N{...} is documented as unsupported: we fall back where Python evaluates.
            (PythonLine::Fallback(_), "literal") => line.windows(3).any(|w| w == b"\\N{"),
            _ => false,
        };
        if !ok {
            mismatches.push(format!(
                "{:?}: ours {ours:?}, python {kind} {:?}",
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(&value)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(15)]
    );
    // The generator must exercise every class, or the comparison proves little.
    for class in ["literal", "fallback", "unencodable"] {
        let n = expected.iter().filter(|e| e[0] == class).count();
        assert!(n >= 20, "only {n} {class} lines generated");
    }
}

/// A token made by the real library for format detection (see `make` in the oracle).
fn make_request(
    kind: &str,
    secret: &str,
    digest: Option<&str>,
    compress: bool,
    old_epoch: bool,
) -> Value {
    let payload = if kind.contains("signer") {
        json!("a signed value")
    } else if kind == "starlette" && old_epoch {
        // Base64 of this JSON ends in "=": only Starlette's standard, padded base64 fits.
        json!({"user": "admin"})
    } else {
        json!({"user": "admin", "n": 1.5})
    };
    let old_epoch = old_epoch && kind != "starlette";
    json!({"op": "make", "kind": kind, "secret": secret, "digest": digest,
           "payload": payload, "compress": compress, "old_epoch": old_epoch})
}

#[test]
fn every_itsdangerous_family_format_is_recognised_and_cracked_without_hints() {
    use waxseal_crack::{detect, DetectOptions, TokenKind};
    let mut cases: Vec<(&str, Option<&str>, bool, bool, TokenKind)> = Vec::new();
    for digest in [None, Some("sha256")] {
        cases.extend([
            ("flask", digest, false, false, TokenKind::Flask),
            ("flask", digest, true, false, TokenKind::Flask),
            ("flask", digest, false, true, TokenKind::Flask),
            (
                "url_safe_timed",
                digest,
                false,
                false,
                TokenKind::UrlSafeTimed,
            ),
            (
                "url_safe_timed",
                digest,
                true,
                true,
                TokenKind::UrlSafeTimed,
            ),
            ("url_safe", digest, false, false, TokenKind::UrlSafe),
            ("url_safe", digest, true, false, TokenKind::UrlSafe),
            (
                "timed_serializer",
                digest,
                false,
                false,
                TokenKind::TimedSerializer,
            ),
            ("serializer", digest, false, false, TokenKind::Serializer),
            (
                "timestamp_signer",
                digest,
                false,
                false,
                TokenKind::TimestampSigner,
            ),
            (
                "timestamp_signer",
                digest,
                false,
                true,
                TokenKind::TimestampSigner,
            ),
            ("signer", digest, false, false, TokenKind::Signer),
        ]);
    }
    for digest in ["sha224", "sha384", "sha512", "md5"] {
        cases.push(("flask", Some(digest), false, false, TokenKind::Flask));
        cases.push((
            "timestamp_signer",
            Some(digest),
            false,
            false,
            TokenKind::TimestampSigner,
        ));
    }
    // Unpadded base64 of JSON is also URL-safe base64: such a Starlette cookie could be a Flask
    // cookie, and both schemes are tried. "old_epoch" selects the padded payload here.
    cases.push(("starlette", None, false, false, TokenKind::Starlette));
    cases.push(("starlette", None, false, true, TokenKind::Starlette));
    // Each token gets its own secret, at its own position in one list.
    let secrets: Vec<String> = (0..cases.len()).map(|i| format!("weak-key-{i}")).collect();
    let requests: Vec<Value> = cases
        .iter()
        .zip(&secrets)
        .map(|((kind, digest, compress, old, _), secret)| {
            make_request(kind, secret, *digest, *compress, *old)
        })
        .collect();
    let Some(answers) = oracle(SCRIPT, &requests) else {
        return;
    };
    let targets: Vec<Target> = answers
        .iter()
        .map(|a| detect(&token_of(a), &DetectOptions::default()).expect("recognised"))
        .collect();
    // Starlette shares its scheme with TimestampSigner: one derivation; Flask-shaped tokens are
    // also URLSafeTimedSerializer tokens: two.
    let last = targets.len() - 1;
    assert_eq!(targets[last].kinds(), &[Some(TokenKind::Starlette)]);
    assert_eq!(
        targets[last - 1].kinds(),
        &[
            Some(TokenKind::Flask),
            Some(TokenKind::UrlSafeTimed),
            Some(TokenKind::Starlette)
        ]
    );
    assert_eq!(targets[0].schemes().len(), 2);
    let mut list: Vec<Vec<u8>> = (0..300)
        .map(|i| format!("filler-{i}").into_bytes())
        .collect();
    for (i, secret) in secrets.iter().enumerate() {
        list.insert(i * 7, secret.clone().into_bytes());
    }
    let report = run(&targets, &list, 2, 16);
    for (i, ((kind, digest, compress, old, want), outcome)) in
        cases.iter().zip(&report.outcomes).enumerate()
    {
        let what = format!(
            "{kind} {digest:?} compressed={compress} old_epoch={old}: {}",
            token_of(&answers[i])
        );
        let found = outcome
            .found()
            .unwrap_or_else(|| panic!("{what}: not found"));
        assert_eq!(found.secret, secrets[i].as_bytes(), "{what}");
        assert_eq!(found.index, (i * 7) as u64, "{what}");
        assert_eq!(found.kind, Some(*want), "{what}");
        let expected_digest = digest.map_or(Digest::Sha1, |d| Digest::from_name(d).unwrap());
        assert_eq!(found.scheme.digest, expected_digest, "{what}");
    }
}

#[test]
fn hard_coded_known_keys_are_in_the_wordlist_package_they_cite() {
    let Some(path) = oracle(SCRIPT, &[json!({"op": "wordlist_path", "name": "all"})]) else {
        return;
    };
    let path = path[0]["path"].as_str().unwrap().to_owned();
    let text = std::fs::read(&path).unwrap();
    let package: std::collections::HashSet<Vec<u8>> = text
        .split(|&b| b == b'\n')
        .filter_map(|line| match parse_python_line(line) {
            PythonLine::Literal(v) | PythonLine::Fallback(v) => Some(v),
            PythonLine::Unencodable => None,
        })
        .collect();
    let cited: Vec<&[u8]> = waxseal::secret::known_keys()
        .filter(|(_, source)| source.contains("flask-unsign-wordlist"))
        .map(|(key, _)| key)
        .collect();
    assert!(cited.len() >= 20);
    for key in cited {
        assert!(
            package.contains(key),
            "{:?} is not in {path}",
            String::from_utf8_lossy(key)
        );
    }
}
