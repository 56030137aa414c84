//! Two-way compatibility with real Flask 3.1.3 sessions (a Flask app driven through its test
//! client, in a subprocess): cookies made in Rust are read by Flask, cookies made by Flask are
//! read by Rust, and both are byte-identical — `Set-Cookie` header included — when made from
//! the same data at the same time.

use waxseal::flask::cookie::{CookieSettings, OversizeCookie, SameSite};
use waxseal::flask::session::{FlaskSessionCodec, Session};
use waxseal::flask::{json as flask_json, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal_interop::{hex, json, oracle, XorShift};

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"a3f1c9e07b5d2468ace13579bdf02468";

fn ring(current: &[u8], fallbacks: &[&[u8]]) -> Keyring {
    Keyring::new(
        SecretKey::from_slice(current),
        fallbacks.iter().map(|k| SecretKey::from_slice(k)).collect(),
        KeyPolicy::AllowWeak,
    )
    .unwrap()
}

/// Session contents as Flask stores them (tagged JSON), covering every tag and shape.
fn sessions() -> Vec<String> {
    let mut v: Vec<String> = [
        r#"{"user_id":42}"#,
        r#"{"t":{" t":[1,"two",[3]]},"empty_t":{" t":[]}}"#,
        r#"{"b":{" b":"AAECA/7/"},"e":{" b":""}}"#,
        r#"{"u":{" u":"a8098c1af86e11dabd1a00112444be1e"}}"#,
        r#"{"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"epoch":{" d":"Thu, 01 Jan 1970 00:00:00 GMT"}}"#,
        r#"{"m":{" m":"<b>bold</b> &amp; safe"}}"#,
        r#"{"di":{" di":{" t__":"not a tuple"}},"nested_di":{" di":{" di__":{" di":{" b__":1}}}}}"#,
        r#"{"_flashes":[{" t":["message","Hello"]},{" t":["error","Something went wrong: \u00e9"]}]}"#,
        r#"{"uni":"caf\u00e9 \u2603 \ud834\udd1e \u0000\u001f\u007f","\u00e9key":1,"Zkey":2,"akey":3}"#,
        r#"{"f":[1.0,-0.0,0.1,1e+100,1e-07,100.0,1.5e+300,123456789.123,NaN,Infinity,-Infinity]}"#,
        r#"{"big":[18446744073709551616,-18446744073709551617,10000000000000000000000000000000000000000]}"#,
        r#"{"nested":{"list":[{"a":{" t":[{" b":"eA=="},{" u":"00000000000000000000000000000000"}]}}],"x":null,"y":true}}"#,
        r#"{}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Large and repetitive: compressed by itsdangerous.
    v.push(format!(
        r#"{{"cart":[{}]}}"#,
        (0..60)
            .map(|i| format!(r#"{{"sku":"item-{i}","qty":1}}"#))
            .collect::<Vec<_>>()
            .join(",")
    ));
    v
}

fn rust_save(
    keyring: &Keyring,
    settings: CookieSettings,
    tagged: &str,
    permanent: bool,
) -> (Option<String>, bool) {
    let codec = FlaskSessionCodec::with_settings(keyring, settings);
    let Value::Dict(dict) = flask_json::loads(tagged).unwrap() else {
        panic!("not a dict")
    };
    let mut session = Session::new();
    session.clear(); // the Flask view clears, then updates, as the oracle's view does
    for (k, v) in dict {
        session.insert(k, v);
    }
    if permanent {
        session.set_permanent(true);
    }
    let out = codec.save_at(&session, NOW).unwrap();
    (out.set_cookie, out.vary_cookie)
}

#[test]
fn cookies_made_by_rust_and_flask_are_byte_identical_for_every_tag() {
    let mut reqs = Vec::new();
    let mut cases = Vec::new();
    for s in sessions() {
        for permanent in [false, true] {
            reqs.push(json!({"op": "save", "secret_hex": hex(SECRET), "now": NOW, "json": s, "permanent": permanent}));
            cases.push((s.clone(), permanent));
        }
    }
    let Some(answers) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    let keyring = ring(SECRET, &[]);
    let mut compressed_seen = false;
    for ((tagged, permanent), ans) in cases.iter().zip(&answers) {
        assert!(
            ans.get("exception").is_none(),
            "Flask failed on {tagged}: {ans}"
        );
        let (header, vary) = rust_save(&keyring, CookieSettings::default(), tagged, *permanent);
        assert_eq!(
            header.as_deref(),
            ans["set_cookie"].as_str(),
            "Set-Cookie differs for {tagged} permanent={permanent}"
        );
        assert_eq!(vary, ans["vary"] == "Cookie");
        if let Some(cookie) = ans["cookie"].as_str() {
            compressed_seen |= cookie.starts_with('.');
        }
    }
    assert!(compressed_seen, "at least one case exercised compression");
}

#[test]
fn flask_reads_rust_cookies_and_rust_reads_flask_cookies() {
    let keyring = ring(SECRET, &[]);
    let codec = FlaskSessionCodec::new(&keyring);
    // Rust → Flask: Flask's view sees exactly the data (compared as Flask re-serialises it).
    let mut reqs = Vec::new();
    for s in sessions() {
        let Value::Dict(d) = flask_json::loads(&s).unwrap() else {
            unreachable!()
        };
        let cookie = codec.dumps_at(&d, NOW).unwrap();
        reqs.push(
            json!({"op": "load", "secret_hex": hex(SECRET), "now": NOW + 5, "cookie": cookie}),
        );
    }
    let Some(answers) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    for (s, ans) in sessions().iter().zip(&answers) {
        let expected = flask_json::dumps(&flask_json::loads(s).unwrap()).unwrap();
        assert_eq!(
            ans["json"].as_str(),
            Some(expected.as_str()),
            "Flask read a different session for {s}"
        );
    }
    // Flask → Rust.
    let reqs: Vec<_> = sessions()
        .iter()
        .map(|s| json!({"op": "save", "secret_hex": hex(SECRET), "now": NOW, "json": s, "permanent": false}))
        .collect();
    let Some(made) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    for (s, ans) in sessions().iter().zip(&made) {
        let Some(cookie) = ans["cookie"].as_str() else {
            assert_eq!(s, "{}", "only the empty session sets no cookie");
            continue;
        };
        let loaded = codec.load_at(cookie, NOW + 5).unwrap();
        assert_eq!(loaded.timestamp, Some(NOW));
        // Compared as written (NaN is not equal to itself as a value).
        let ours = flask_json::dumps(&Value::Dict(loaded.value)).unwrap();
        assert_eq!(
            ours,
            flask_json::dumps(&flask_json::loads(s).unwrap()).unwrap(),
            "{s}"
        );
        // Lossless: the raw payload re-written gives the same bytes.
        assert_eq!(
            flask_json::dumps(&flask_json::loads(&loaded.raw).unwrap()).unwrap(),
            loaded.raw
        );
    }
}

#[test]
fn fallback_keys_expiry_and_tampering_agree_with_flask() {
    let old: &[u8] = b"old-key-0123456789abcdef";
    let older: &[u8] = b"older-key-0123456789abcdef";
    let data = r#"{"user_id":7}"#;
    // Flask signs with each key; both sides read with SECRET_KEY=SECRET, fallbacks [older, old]
    // (Flask's list order: it tries the *last* fallback first).
    let signers = [SECRET, old, older];
    let reqs: Vec<_> = signers
        .iter()
        .map(|k| json!({"op": "save", "secret_hex": hex(k), "now": NOW, "json": data, "permanent": false}))
        .collect();
    let Some(made) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    let keyring = ring(SECRET, &[old, older]);
    let codec = FlaskSessionCodec::new(&keyring);
    let lifetime = CookieSettings::default().lifetime_secs;
    let mut load_reqs = Vec::new();
    let mut expected_valid = Vec::new();
    for (i, ans) in made.iter().enumerate() {
        let cookie = ans["cookie"].as_str().unwrap().to_string();
        let loaded = codec.load_at(&cookie, NOW).unwrap();
        assert_eq!(loaded.key_index, i, "signed by key {i}");
        let mut tampered = cookie.clone();
        tampered.replace_range(2..3, if &cookie[2..3] == "A" { "B" } else { "A" });
        for (c, now, valid) in [
            (cookie.clone(), NOW + lifetime, true),
            (cookie.clone(), NOW + lifetime + 1, false),
            (cookie.clone(), NOW - 1, false),
            (tampered, NOW, false),
        ] {
            let ours = codec.load_at(&c, now).is_ok();
            assert_eq!(
                ours,
                valid,
                "key {i} now-NOW={} cookie {c}",
                now as i64 - NOW as i64
            );
            load_reqs.push(json!({"op": "load", "secret_hex": hex(SECRET), "fallbacks_hex": [hex(older), hex(old)], "now": now, "cookie": c}));
            expected_valid.push(valid);
        }
    }
    let Some(read) = oracle("flask_session_oracle.py", &load_reqs) else {
        return;
    };
    for (ans, valid) in read.iter().zip(expected_valid) {
        assert_eq!(ans["empty"] == false, valid, "Flask disagrees: {ans}");
    }
}

#[test]
fn cookie_attributes_and_deletion_match_flask() {
    let configs = [
        (json!({}), CookieSettings::default()),
        (
            json!({"SESSION_COOKIE_NAME": "sid", "SESSION_COOKIE_DOMAIN": "example.com", "SESSION_COOKIE_PATH": "/app",
                   "SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_HTTPONLY": false,
                   "SESSION_COOKIE_PARTITIONED": true, "PERMANENT_SESSION_LIFETIME": 3600}),
            CookieSettings {
                name: "sid".into(),
                domain: Some("example.com".into()),
                path: "/app".into(),
                secure: true,
                same_site: Some(SameSite::Lax),
                http_only: false,
                partitioned: true,
                lifetime_secs: 3600,
                ..CookieSettings::default()
            },
        ),
        (
            json!({"SESSION_COOKIE_SAMESITE": "Strict"}),
            CookieSettings {
                same_site: Some(SameSite::Strict),
                ..CookieSettings::default()
            },
        ),
    ];
    let keyring = ring(SECRET, &[]);
    let mut reqs = Vec::new();
    for (cfg, _) in &configs {
        for permanent in [false, true] {
            reqs.push(json!({"op": "save", "secret_hex": hex(SECRET), "now": NOW, "json": r#"{"a":1}"#, "permanent": permanent, "config": cfg}));
        }
        let cookie = FlaskSessionCodec::new(&keyring)
            .dumps_at(
                &flask_json::loads(r#"{"a":1}"#)
                    .map(|v| match v {
                        Value::Dict(d) => d,
                        _ => unreachable!(),
                    })
                    .unwrap(),
                NOW,
            )
            .unwrap();
        reqs.push(json!({"op": "clear", "secret_hex": hex(SECRET), "now": NOW, "cookie": cookie, "config": cfg}));
    }
    let Some(answers) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    let mut answers = answers.into_iter();
    for (_, settings) in &configs {
        for permanent in [false, true] {
            let ans = answers.next().unwrap();
            let (header, _) = rust_save(&keyring, settings.clone(), r#"{"a":1}"#, permanent);
            assert_eq!(
                header.as_deref(),
                ans["set_cookie"].as_str(),
                "{settings:?} permanent={permanent}"
            );
        }
        let ans = answers.next().unwrap();
        let codec = FlaskSessionCodec::with_settings(&keyring, settings.clone());
        let mut s = codec.open_at(None, NOW);
        s.insert("a", Value::from(1));
        let mut s = Session::from_dict(s.data().clone());
        s.clear();
        let out = codec.save_at(&s, NOW).unwrap();
        assert_eq!(
            out.set_cookie.as_deref(),
            ans["set_cookie"].as_str(),
            "deletion for {settings:?}"
        );
        assert!(out.vary_cookie);
    }
}

#[test]
fn oversize_session_is_refused_by_default_where_flask_only_warns() {
    let keyring = ring(SECRET, &[]);
    let codec = FlaskSessionCodec::new(&keyring);
    let mut s = Session::new();
    // Random bytes do not compress: 4000 of them make well over 4 KiB of cookie.
    let noise = XorShift::new(0x9e37_79b9_7f4a_7c15).bytes(4000);
    s.insert("noise", Value::Bytes(noise));
    let err = codec.save_at(&s, NOW).unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
    let warn = FlaskSessionCodec::with_settings(
        &keyring,
        CookieSettings {
            oversize: OversizeCookie::Warn,
            ..CookieSettings::default()
        },
    );
    let out = warn.save_at(&s, NOW).unwrap();
    assert!(out.warning.is_some() && out.set_cookie.is_some());
}

#[test]
fn session_transaction_reads_rust_cookies_and_writes_cookies_rust_reproduces() {
    let keyring = ring(SECRET, &[]);
    let codec = FlaskSessionCodec::new(&keyring);
    let mut reqs = Vec::new();
    for s in sessions() {
        let Value::Dict(d) = flask_json::loads(&s).unwrap() else {
            unreachable!()
        };
        reqs.push(json!({"op": "transaction_read", "secret_hex": hex(SECRET), "now": NOW, "cookie": codec.dumps_at(&d, NOW).unwrap()}));
        reqs.push(
            json!({"op": "transaction_write", "secret_hex": hex(SECRET), "now": NOW, "json": s}),
        );
    }
    let Some(answers) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    for (s, pair) in sessions().iter().zip(answers.chunks(2)) {
        let canonical = flask_json::dumps(&flask_json::loads(s).unwrap()).unwrap();
        assert_eq!(
            pair[0]["json"].as_str(),
            Some(canonical.as_str()),
            "session_transaction read {s}"
        );
        let Some(cookie) = pair[1]["cookie"].as_str() else {
            assert_eq!(s, "{}");
            continue;
        };
        let Value::Dict(d) = flask_json::loads(s).unwrap() else {
            unreachable!()
        };
        assert_eq!(
            codec.dumps_at(&d, NOW).unwrap(),
            cookie,
            "session_transaction wrote {s}"
        );
    }
}

/// Sessions as Flask-Login and `flash()` leave them (the shapes `bench/verify-batch` uses), saved
/// by Flask itself: the cookie's payload text gives the payload's `$`-tagged JSON
/// (`Inspection::payload_compact_json`), so renderers copy it rather than serialise the value.
#[test]
fn flask_made_login_and_flash_sessions_give_their_json_from_the_text() {
    use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verdict, Verifier};
    let sessions: Vec<String> = (0..42u64)
        .map(|i| {
            let mut s = format!(
                r#"{{"_user_id":"{}","_fresh":{},"csrf_token":"{:016x}""#,
                1000 + i,
                i % 2 == 0,
                i.wrapping_mul(2_654_435_761)
            );
            if i % 3 == 0 {
                s.push_str(&format!(
                    r#","_flashes":[{{" t":["message","Welcome back, user {i}"]}}]"#
                ));
            }
            if i % 7 == 0 {
                let cart: Vec<String> = (0..i % 50).map(|n| n.to_string()).collect();
                s.push_str(&format!(r#","cart":[{}]"#, cart.join(",")));
            }
            s.push('}');
            s
        })
        .collect();
    let reqs: Vec<_> = sessions
        .iter()
        .map(|s| json!({"op": "save", "secret_hex": hex(SECRET), "now": NOW, "json": s, "permanent": false}))
        .collect();
    let Some(made) = oracle("flask_session_oracle.py", &reqs) else {
        return;
    };
    let format = TokenFormat::new(FormatKind::Flask);
    let verifier = Verifier::new(&format, &[SecretKey::from_slice(SECRET)], None).unwrap();
    let mut compressed = 0;
    for (s, ans) in sessions.iter().zip(&made) {
        let cookie = ans["cookie"].as_str().unwrap();
        compressed += usize::from(cookie.starts_with('.'));
        let r = verifier.inspect_at(cookie.as_bytes(), Detail::Verify, NOW);
        assert_eq!(r.verdict, Verdict::Valid, "{s}");
        let rendered = serde_json::to_string(r.payload.as_ref().unwrap()).unwrap();
        let json = r.payload_compact_json().unwrap_or_else(|| panic!("{s}"));
        assert_eq!(json.to_string(), rendered, "{s}");
    }
    assert!(compressed > 0, "some of these sessions are compressed");
}
