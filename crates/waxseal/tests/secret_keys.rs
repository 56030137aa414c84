//! SecretKey: no leaks through formatting, every parse format, generation, strength checks.

use waxseal::secret::{
    check_strength, check_strength_with, known_key_count, KeyEncoding, KeyGenError, ParseKeyError,
    SecretKey, StrengthReport, WeakReason, MIN_KEY_LEN,
};
use waxseal_interop::hex;

const RECOGNISABLE: &str = "PLEASE-DO-NOT-LEAK-ME-0123456789";

#[test]
fn debug_and_display_never_contain_key_text_or_hex() {
    let key = SecretKey::from_text(RECOGNISABLE);
    for shown in [
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{key}"),
        format!("{:?}", vec![key.clone()]),
    ] {
        assert!(!shown.contains(RECOGNISABLE), "{shown}");
        assert!(!shown.contains("LEAK"), "{shown}");
        assert!(
            !shown.to_lowercase().contains(&hex(key.as_bytes())[..16]),
            "{shown}"
        );
        assert!(shown.contains(&key.fingerprint()), "{shown}");
        assert!(shown.contains("32 bytes"), "{shown}");
    }
}

#[test]
fn debug_of_binary_key_contains_neither_hex_nor_byte_list() {
    let bytes: Vec<u8> = (0xA0..0xC0).collect();
    let key = SecretKey::from_bytes(bytes.clone());
    let shown = format!("{key:?} {key}");
    assert!(!shown.contains(&hex(&bytes[..4])));
    assert!(!shown.contains("160")); // 0xA0 as a decimal list element
}

#[test]
fn fingerprint_is_sha256_of_prefix_and_key_truncated_to_8_bytes() {
    use sha2::{Digest, Sha256};
    let key = SecretKey::from_text(RECOGNISABLE);
    let mut h = Sha256::new();
    h.update(b"waxseal-fingerprint");
    h.update(RECOGNISABLE.as_bytes());
    assert_eq!(key.fingerprint(), hex(&h.finalize()[..8]));
}

#[test]
fn equality_compares_contents() {
    assert_eq!(SecretKey::from_text("abc"), SecretKey::from_slice(b"abc"));
    assert_ne!(SecretKey::from_text("abc"), SecretKey::from_text("abd"));
    assert_ne!(SecretKey::from_text("abc"), SecretKey::from_text("abcd"));
}

#[test]
fn clone_is_independent_copy() {
    let a = SecretKey::from_text(RECOGNISABLE);
    let b = a.clone();
    drop(a);
    assert_eq!(b.as_bytes(), RECOGNISABLE.as_bytes());
}

#[test]
fn generate_makes_32_distinct_random_bytes() {
    let a = SecretKey::generate().unwrap();
    let b = SecretKey::generate().unwrap();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert!(check_strength(a.as_bytes()).is_ok());
}

#[test]
fn generate_with_len_bounds() {
    assert_eq!(SecretKey::generate_with_len(16).unwrap().len(), 16);
    assert_eq!(SecretKey::generate_with_len(4096).unwrap().len(), 4096);
    assert_eq!(
        SecretKey::generate_with_len(15),
        Err(KeyGenError::BadLength { len: 15 })
    );
    assert!(SecretKey::generate_with_len(4097).is_err());
}

#[test]
fn text_is_utf8_bytes_unchanged_like_flask_want_bytes() {
    // A token_hex() string is used by Flask as 64 ASCII characters, not 32 bytes.
    let hexkey = "3f2a".repeat(16);
    assert_eq!(SecretKey::from_text(&hexkey).len(), 64);
    assert_eq!(SecretKey::from_text("ключ").as_bytes(), "ключ".as_bytes());
    assert_eq!(SecretKey::from_text(" spaced \n").as_bytes(), b" spaced \n");
}

#[test]
fn hex_parses_both_cases_and_trims_whitespace() {
    assert_eq!(
        SecretKey::from_hex("  DEADbeef\n").unwrap().as_bytes(),
        &[0xde, 0xad, 0xbe, 0xef]
    );
}

#[test]
fn hex_errors_name_the_problem() {
    assert_eq!(SecretKey::from_hex(""), Err(ParseKeyError::Empty));
    assert_eq!(SecretKey::from_hex("   "), Err(ParseKeyError::Empty));
    assert_eq!(
        SecretKey::from_hex("abc"),
        Err(ParseKeyError::OddHexLength { len: 3 })
    );
    assert_eq!(
        SecretKey::from_hex("abzz"),
        Err(ParseKeyError::InvalidHexDigit { position: 2 })
    );
    assert_eq!(
        SecretKey::from_hex("aé"),
        Err(ParseKeyError::InvalidHexDigit { position: 1 })
    );
}

#[test]
fn base64_accepts_standard_and_urlsafe_padded_or_not() {
    let want = [0xfbu8, 0xff, 0xbf];
    for text in ["+/+/", "-_-_"] {
        assert_eq!(SecretKey::from_base64(text).unwrap().as_bytes(), &want);
    }
    let two = [0xfbu8, 0xff];
    for text in ["+/8=", "+/8", "-_8=", "-_8", " +/8=\n"] {
        assert_eq!(
            SecretKey::from_base64(text).unwrap().as_bytes(),
            &two,
            "{text}"
        );
    }
}

#[test]
fn base64_errors() {
    assert_eq!(SecretKey::from_base64(""), Err(ParseKeyError::Empty));
    assert!(matches!(
        SecretKey::from_base64("+/-_"),
        Err(ParseKeyError::InvalidBase64(m)) if m.contains("mixes")
    ));
    assert!(matches!(
        SecretKey::from_base64("ab!d"),
        Err(ParseKeyError::InvalidBase64(_))
    ));
    assert!(matches!(
        SecretKey::from_base64("a"),
        Err(ParseKeyError::InvalidBase64(_))
    ));
}

#[test]
fn python_bytes_literal_superset_key_exact_bytes() {
    // repr() of Superset's key as Python prints it.
    let lit = r"b'\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h'";
    let key = SecretKey::from_python_bytes_literal(lit).unwrap();
    assert_eq!(
        key.as_bytes(),
        b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h"
    );
    // As written in the config file: octal escapes and unknown escapes kept.
    let src = r"b'\2\1thisismyscretkey\1\2\e\y\y\h'";
    assert_eq!(SecretKey::from_python_bytes_literal(src).unwrap(), key);
}

#[test]
fn python_bytes_literal_all_escapes() {
    let lit = r#"b'\\\'\"\a\b\f\n\r\t\v\x7f\0\101\1012\400'"#;
    let want: &[u8] = b"\\'\"\x07\x08\x0c\n\r\t\x0b\x7f\x00A\x412\x00";
    assert_eq!(
        SecretKey::from_python_bytes_literal(lit)
            .unwrap()
            .as_bytes(),
        want
    );
}

#[test]
fn python_bytes_literal_quotes_prefixes_and_raw() {
    let p = |s: &str| SecretKey::from_python_bytes_literal(s).map(|k| k.as_bytes().to_vec());
    assert_eq!(p(r#"b"it's""#).unwrap(), b"it's");
    assert_eq!(p(r#"B'x'"#).unwrap(), b"x");
    assert_eq!(p(r#"rb'\x00'"#).unwrap(), b"\\x00");
    assert_eq!(p(r#"BR'\n'"#).unwrap(), b"\\n");
    assert_eq!(p("b'''a'b'''").unwrap(), b"a'b");
    assert_eq!(p("b'a\\\nb'").unwrap(), b"ab"); // backslash-newline continuation
    assert_eq!(
        p("  b'_5#y2L\"F4Q8z\\n\\xec]/'  ").unwrap(),
        b"_5#y2L\"F4Q8z\n\xec]/"
    );
}

#[test]
fn python_bytes_literal_errors() {
    let err = |s: &str| SecretKey::from_python_bytes_literal(s).unwrap_err();
    assert!(matches!(err("'abc'"), ParseKeyError::InvalidBytesLiteral(m) if m.contains("start")));
    assert!(matches!(err("b'abc"), ParseKeyError::InvalidBytesLiteral(m) if m.contains("quote")));
    assert!(matches!(
        err("b'abc\""),
        ParseKeyError::InvalidBytesLiteral(_)
    ));
    assert!(
        matches!(err("b'a'b'"), ParseKeyError::InvalidBytesLiteral(m) if m.contains("unescaped"))
    );
    assert!(matches!(err("b'é'"), ParseKeyError::InvalidBytesLiteral(m) if m.contains("ASCII")));
    assert!(
        matches!(err(r"b'\x4'"), ParseKeyError::InvalidBytesLiteral(m) if m.contains("two hex"))
    );
    assert!(matches!(
        err(r"b'\'"),
        ParseKeyError::InvalidBytesLiteral(_)
    ));
    assert_eq!(err("b''"), ParseKeyError::Empty);
    assert!(matches!(err("b"), ParseKeyError::InvalidBytesLiteral(_)));
    assert!(matches!(err(""), ParseKeyError::InvalidBytesLiteral(_)));
}

#[test]
fn flask_value_detects_bytes_literal_else_text() {
    assert_eq!(
        SecretKey::from_flask_value("b'\\x01\\x02'")
            .unwrap()
            .as_bytes(),
        &[1, 2]
    );
    assert_eq!(
        SecretKey::from_flask_value("bob").unwrap().as_bytes(),
        b"bob"
    );
    assert_eq!(SecretKey::from_flask_value("b'").unwrap().as_bytes(), b"b'");
}

#[test]
fn parse_dispatches_on_encoding() {
    let want = SecretKey::from_text("key");
    for (text, enc) in [
        ("key", KeyEncoding::Text),
        ("6b6579", KeyEncoding::Hex),
        ("a2V5", KeyEncoding::Base64),
        ("b'key'", KeyEncoding::PythonBytes),
    ] {
        assert_eq!(SecretKey::parse(text, enc).unwrap(), want, "{enc:?}");
    }
}

#[test]
fn file_strips_exactly_one_trailing_newline() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("k");
    for (contents, want) in [
        (&b"abc\n"[..], &b"abc"[..]),
        (b"abc\r\n", b"abc"),
        (b"abc\n\n", b"abc\n"),
        (b"abc", b"abc"),
        (b" abc \n", b" abc "),
        (b"\x00\xff\n", b"\x00\xff"),
    ] {
        std::fs::write(&p, contents).unwrap();
        assert_eq!(SecretKey::from_file(&p).unwrap().as_bytes(), want);
    }
}

#[test]
fn file_errors_empty_missing_too_large_and_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("k");
    std::fs::write(&p, b"\n").unwrap();
    assert_eq!(SecretKey::from_file(&p), Err(ParseKeyError::Empty));
    let missing = dir.path().join("nope");
    assert!(
        matches!(SecretKey::from_file(&missing), Err(ParseKeyError::Io { path, .. }) if path == missing)
    );
    std::fs::write(&p, vec![b'a'; 64 * 1024 + 1]).unwrap();
    assert!(matches!(
        SecretKey::from_file(&p),
        Err(ParseKeyError::FileTooLarge { .. })
    ));
    std::fs::write(&p, b"\xff\xfe\n").unwrap();
    assert_eq!(
        SecretKey::from_file_as(&p, KeyEncoding::Hex),
        Err(ParseKeyError::NotUtf8)
    );
    std::fs::write(&p, b"a2V5\n").unwrap();
    assert_eq!(
        SecretKey::from_file_as(&p, KeyEncoding::Base64)
            .unwrap()
            .as_bytes(),
        b"key"
    );
}

#[test]
fn parse_errors_do_not_echo_the_input() {
    let secretish = "zzSECRETzz";
    let e = SecretKey::from_hex(secretish).unwrap_err().to_string();
    assert!(!e.contains("SECRET"), "{e}");
    let e = SecretKey::from_base64(secretish).unwrap_err().to_string();
    assert!(!e.contains("SECRET"), "{e}");
}

// ---- strength ----

#[test]
fn weak_empty() {
    let w = check_strength(b"").unwrap_err();
    assert_eq!(w.reasons(), &[WeakReason::Empty]);
    assert!(w.to_string().contains("empty"));
}

#[test]
fn weak_too_short_names_length_and_minimum() {
    let w = check_strength(b"0123456789abcde").unwrap_err();
    assert_eq!(
        w.reasons(),
        &[WeakReason::TooShort {
            len: 15,
            min: MIN_KEY_LEN
        }]
    );
    assert!(w.to_string().contains("15 bytes"));
    assert!(check_strength(b"0123456789abcdeX").is_ok());
}

#[test]
fn weak_known_keys_each_named_source() {
    let cases: &[(&[u8], &str)] = &[
        (b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h", "Superset"),
        (b"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "Superset"),
        (b"thisISaSECRET_1234", "Superset"),
        (b"YOUR_OWN_RANDOM_GENERATED_SECRET_KEY", "Superset"),
        (b"TEST_NON_DEV_SECRET", "Superset"),
        (b"temporary_key", "Airflow"),
        (b"you-will-never-guess", "tutorial"),
        (b"hard to guess string", "tutorial"),
        (b"_5#y2L\"F4Q8z\n\xec]/", "Flask documentation"),
        (
            b"This is an INSECURE secret!! DO NOT use this in production!!",
            "extension",
        ),
        (b"super-secret", "extension"),
        (b"your-secret-key", "tutorial"),
    ];
    for (key, source) in cases {
        let w = check_strength(key).unwrap_err();
        let known = w
            .reasons()
            .iter()
            .find_map(|r| match r {
                WeakReason::KnownKey { source } => Some(*source),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{:?} not flagged as known", String::from_utf8_lossy(key)));
        assert!(known.contains(source), "{known} vs {source}");
        assert!(w.to_string().contains("publicly known"));
    }
}

#[test]
fn weak_short_generic_keys_report_both_reasons() {
    for key in [
        "secret",
        "changeme",
        "dev",
        "development key",
        "development",
        "secret-key",
        "secret_key",
    ] {
        let w = check_strength(key.as_bytes()).unwrap_err();
        assert!(
            w.reasons()
                .iter()
                .any(|r| matches!(r, WeakReason::TooShort { .. })),
            "{key}"
        );
        assert!(
            w.reasons()
                .iter()
                .any(|r| matches!(r, WeakReason::KnownKey { .. })),
            "{key}"
        );
    }
}

#[test]
fn known_key_match_ignores_ascii_case() {
    assert!(check_strength(b"You-Will-Never-Guess")
        .unwrap_err()
        .reasons()
        .iter()
        .any(|r| matches!(r, WeakReason::KnownKey { .. })));
}

#[test]
fn known_list_has_several_dozen_entries() {
    assert!(known_key_count() >= 40, "{}", known_key_count());
}

#[test]
fn weak_repetitive_patterns() {
    assert_eq!(
        check_strength(&[0u8; 32]).unwrap_err().reasons(),
        &[WeakReason::Repetitive { period: 1 }]
    );
    assert_eq!(
        check_strength(b"abcdabcdabcdabcd").unwrap_err().reasons(),
        &[WeakReason::Repetitive { period: 4 }]
    );
    assert!(check_strength(b"abcdeabcdeabcdeabcde").is_ok()); // period 5 is not flagged
    assert!(check_strength(&[0x41u8; 32])
        .unwrap_err()
        .to_string()
        .contains("single byte repeated"));
}

#[test]
fn user_wordlist_refuses_exact_match_only() {
    let words: Vec<&[u8]> = vec![b"acme-session-key-2019-prod", b"other"];
    let w =
        check_strength_with(b"acme-session-key-2019-prod", words.clone().into_iter()).unwrap_err();
    assert_eq!(w.reasons(), &[WeakReason::InWordlist]);
    assert!(check_strength_with(b"acme-session-key-2019-prodX", words.into_iter()).is_ok());
}

#[test]
fn strength_report_lists_everything() {
    let r = StrengthReport::assess(b"dev", std::iter::once(&b"dev"[..]));
    assert_eq!(r.reasons.len(), 3);
    assert!(!r.is_acceptable());
    assert!(StrengthReport::assess(&[7u8; 20][..], std::iter::empty())
        .into_result()
        .is_err());
}

#[test]
fn weak_key_message_does_not_contain_the_key() {
    let key = b"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET";
    let msg = check_strength(key).unwrap_err().to_string();
    assert!(!msg.contains("CHANGE_ME"), "{msg}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic_on_any_text(s in ".{0,64}") {
            let _ = SecretKey::from_hex(&s);
            let _ = SecretKey::from_base64(&s);
            let _ = SecretKey::from_python_bytes_literal(&s);
            let _ = SecretKey::from_flask_value(&s);
            let _ = check_strength(s.as_bytes());
        }

        #[test]
        fn bytes_literal_parser_never_panics_on_escape_soup(
            body in proptest::collection::vec(
                prop_oneof![Just("\\"), Just("x"), Just("'"), Just("\""), Just("7"), Just("\n"),
                            Just("a"), Just("é"), Just("0"), Just("f")], 0..24)
        ) {
            let s = format!("b'{}'", body.concat());
            let _ = SecretKey::from_python_bytes_literal(&s);
            let s = format!("rb\"{}\"", body.concat());
            let _ = SecretKey::from_python_bytes_literal(&s);
        }

        #[test]
        fn hex_roundtrips(bytes in proptest::collection::vec(any::<u8>(), 1..64)) {
            let text: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            let key = SecretKey::from_hex(&text).unwrap();
            prop_assert_eq!(key.as_bytes(), &bytes[..]);
        }

        #[test]
        fn debug_never_shows_hex_of_key(bytes in proptest::collection::vec(any::<u8>(), 16..48)) {
            let key = SecretKey::from_slice(&bytes);
            let shown = format!("{key:?}");
            prop_assert!(!shown.contains(&hex(&bytes)[..12]));
        }
    }
}

#[test]
fn base64_parse_error_does_not_quote_any_part_of_the_key() {
    // The base64 crate's own message names the offending byte and offset ("Invalid symbol 33,
    // offset 5"), which would leak a key character into logs.
    let err = SecretKey::from_base64("c2VjcmV!Q2tleQ")
        .unwrap_err()
        .to_string();
    assert!(
        !err.contains("33") && !err.contains('!') && !err.contains("offset"),
        "{err}"
    );
}
