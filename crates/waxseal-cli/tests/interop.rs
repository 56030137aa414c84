//! Against the real thing: Flask's own cookies and the flask-unsign-wordlist package.
//! Skipped (with a loud SKIPPED line) without the interop venv; fails under
//! `WAXSEAL_REQUIRE_INTEROP=1`.

mod common;
use common::*;
use waxseal_interop::{hex, json, oracle, unhex};

#[test]
fn flask_cookie_decoded_and_resigned_is_byte_identical() {
    let secret = b"flask-interop-secret-key-0123";
    let sessions = [
        r#"{"user":"alice"}"#,
        r#"{"_flashes":[{" t":["message","Welcome back!"]}],"cart":{" t":[3,7]},"user":"j\u00fcrgen"}"#,
        r#"{"b":{" b":"AP8="},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"u":{" u":"a4b0c1d2e3f405060708090a0b0c0d0e"}}"#,
        r#"{"m":{" m":"<b>hi</b>"},"n":[1,2.5,null,true]}"#,
        &format!(r#"{{"big":"{}"}}"#, "x".repeat(400)),
    ];
    let requests: Vec<_> = sessions
        .iter()
        .map(|s| json!({"op": "save", "secret_hex": hex(secret), "now": T0, "json": s, "permanent": false}))
        .collect();
    let Some(answers) = oracle("flask_session_oracle.py", &requests) else {
        return;
    };
    let secret_hex = hex(secret);
    for answer in answers {
        let cookie = answer["cookie"]
            .as_str()
            .expect("Flask set a cookie")
            .to_owned();
        let out = waxseal()
            .args(["decode", "--json", &cookie])
            .output()
            .unwrap();
        let decoded = &json_lines(&out)[0];
        let raw = decoded["payload_raw"].as_str().unwrap().to_owned();
        let ts = decoded["timestamp"].as_u64().unwrap().to_string();
        let out = waxseal()
            .args([
                "sign",
                "--secret-hex",
                &secret_hex,
                "--timestamp",
                &ts,
                &raw,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out).trim_end(), cookie, "re-signed {raw}");
        waxseal()
            .args(["verify", "--now", &ts, "--secret-hex", &secret_hex, &cookie])
            .assert()
            .success();
    }
}

#[test]
fn crack_finds_escape_heavy_keys_in_the_real_flask_unsign_wordlist() {
    let Some(path) = oracle(
        "crack_oracle.py",
        &[json!({"op": "wordlist_path", "name": "all"})],
    ) else {
        return;
    };
    let path = path[0]["path"].as_str().unwrap().to_owned();
    let Some(parsed) = oracle(
        "crack_oracle.py",
        &[json!({"op": "parse_lines", "path": path})],
    ) else {
        return;
    };
    let text = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let kinds = parsed[0]["lines"].as_array().unwrap();
    // Secrets (as flask-unsign reads them) from lines holding \x escapes, plus a plain one.
    // Two whose lines hold `\\x` (an escaped backslash before x) and two with real `\x..`
    // escapes (non-ASCII code points, UTF-8 encoded as Flask does).
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    let (mut doubled, mut real) = (0, 0);
    for (i, entry) in kinds.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or_default();
        let has_doubled = line.windows(3).any(|w| w == b"\\\\x");
        let has_real = line
            .windows(3)
            .enumerate()
            .any(|(j, w)| w[0] == b'\\' && w[1] == b'x' && (j == 0 || line[j - 1] != b'\\'));
        if entry[0] != "literal" {
            continue;
        }
        let secret = unhex(entry[1].as_str().unwrap());
        if secret.is_empty() || secrets.contains(&secret) {
            continue;
        }
        if has_real && !has_doubled && real < 2 {
            real += 1;
            secrets.push(secret);
        } else if has_doubled && doubled < 2 {
            doubled += 1;
            secrets.push(secret);
        }
    }
    assert!(
        secrets.iter().any(|s| s.iter().any(|&b| b >= 0x80)),
        "a real escape decoded"
    );
    let last_plain = kinds
        .iter()
        .rev()
        .find(|e| e[0] == "literal")
        .map(|e| unhex(e[1].as_str().unwrap()))
        .unwrap();
    secrets.push(last_plain);
    assert_eq!(secrets.len(), 5, "the wordlist has escape-heavy entries");
    let tokens: Vec<String> = secrets
        .iter()
        .map(|s| {
            waxseal::inspect::TokenFormat::new(waxseal::inspect::FormatKind::Flask)
                .sign_at(&[s], br#"{"user":"admin"}"#, T0)
                .unwrap()
        })
        .collect();
    let out = waxseal()
        .args(["crack", "--json", "--threads", "2", "--wordlist", &path])
        .args(&tokens)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_lines(&out);
    for (answer, secret) in v.iter().zip(&secrets) {
        assert_eq!(answer["secret_hex"], hex(secret));
    }
}

#[test]
fn md5_tokens_signed_with_allow_legacy_md5_load_in_itsdangerous() {
    let Some(py) = waxseal_interop::python_or_skip("md5_tokens_signed_with_allow_legacy_md5")
    else {
        return;
    };
    let out = waxseal()
        .args([
            "sign",
            "--secret",
            KEY,
            "--digest",
            "md5",
            "--allow-legacy-md5",
        ])
        .arg(r#"{"user":"audit"}"#)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = stdout(&out).trim().to_owned();
    let script = "import hashlib, sys\n\
        from itsdangerous import URLSafeTimedSerializer\n\
        from flask.json.tag import TaggedJSONSerializer\n\
        s = URLSafeTimedSerializer(sys.argv[1], salt='cookie-session', serializer=TaggedJSONSerializer(),\n\
            signer_kwargs={'key_derivation': 'hmac', 'digest_method': hashlib.md5})\n\
        print(s.loads(sys.argv[2])['user'])\n";
    let run = std::process::Command::new(py)
        .args(["-c", script, KEY, &token])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "audit");
}

#[test]
fn starlette_cookies_are_recognised_verified_and_resigned_byte_for_byte() {
    let secret = "starlette-interop-secret-key-0123";
    // Given compactly, as a user types it: `sign` rewrites it as json.dumps does.
    let sessions = [
        r#"{"user":"alice"}"#,
        r#"{"user":"j\u00fcrgen \ud83d\ude00","cart":[3,7],"n":[1,2.5,null,true],"shape":"~~>>??"}"#,
    ];
    let requests: Vec<_> = sessions
        .iter()
        .map(|s| {
            let session: serde_json::Value = serde_json::from_str(s).unwrap();
            json!({"op": "cookie", "secret": secret, "session": session, "timestamp": T0})
        })
        .collect();
    let Some(answers) = oracle("starlette_oracle.py", &requests) else {
        return;
    };
    for (session, answer) in sessions.iter().zip(answers) {
        let cookie = answer["cookie"].as_str().expect("a cookie").to_owned();
        let sign = |payload: &str| {
            let out = waxseal()
                .args(["sign", "--format", "starlette", "--secret", secret])
                .args(["--timestamp", &T0.to_string(), payload])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            stdout(&out).trim().to_owned()
        };
        assert_eq!(sign(session), cookie);
        // Decoded without --format: recognised, and its payload re-signs to the same cookie.
        let out = waxseal()
            .args(["decode", "--json", &format!("session={cookie}")])
            .output()
            .unwrap();
        let decoded = &json_lines(&out)[0];
        assert_eq!(decoded["format"], "starlette", "{decoded}");
        assert_eq!(decoded["format_detected"], true);
        assert_eq!(sign(decoded["payload_raw"].as_str().unwrap()), cookie);
        // Valid a minute later; expired once older than Starlette's default 14 days.
        let verdict_at = |now: u64| {
            let out = waxseal()
                .args([
                    "verify",
                    "--json",
                    "--format",
                    "starlette",
                    "--secret",
                    secret,
                ])
                .args(["--now", &now.to_string(), &cookie])
                .output()
                .unwrap();
            json_lines(&out)[0]["verdict"].clone()
        };
        assert_eq!(verdict_at(T0 + 60), "valid");
        assert_eq!(verdict_at(T0 + 14 * 86_400 + 1), "expired");
    }
}

#[test]
fn decode_without_a_format_names_the_format_of_every_real_package() {
    let dict = json!({"user": "ada", "id": 7});
    let cases = [
        ("flask", dict.clone(), "flask"),
        ("url_safe_timed", dict.clone(), "flask"), // indistinguishable; listed second
        ("url_safe", dict.clone(), "url-safe"),
        ("serializer", dict.clone(), "serializer"),
        ("starlette", dict.clone(), "starlette"),
        ("timestamp_signer", json!("user-42"), "timestamp-signer"),
        ("signer", json!("user-42"), "signer"),
    ];
    let requests: Vec<_> = cases
        .iter()
        .map(|(kind, payload, _)| {
            json!({"op": "make", "kind": kind, "secret": "k", "payload": payload})
        })
        .collect();
    let Some(answers) = oracle("crack_oracle.py", &requests) else {
        return;
    };
    let mut stdin = String::new();
    for a in &answers {
        stdin.push_str(a["token"].as_str().unwrap());
        stdin.push('\n');
    }
    let out = waxseal()
        .args(["decode", "--json", "-"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out);
    for ((kind, _, want), v) in cases.iter().zip(&lines) {
        assert_eq!(v["format"], *want, "{kind}: {v}");
        assert_eq!(v["format_detected"], true);
    }
    assert_eq!(lines[1]["likely_formats"][0], "url-safe-timed");
}
