//! An empty secret key is refused by every signer and serializer constructor and by keyrings
//! under every policy; the Python references' own behaviour, which the docs state, is pinned
//! here too (itsdangerous 2.2 signs with an empty key, Flask 3.1 refuses to save a session).

use serde_json::json;
use waxseal::inspect::{FormatKind, TokenFormat, Verifier};
use waxseal::secret::{KeyPolicy, Keyring, KeyringError, SecretKey};
use waxseal::{
    ConfigError, Serializer, SerializerBuilder, Signer, TimedSerializer, TimestampSigner,
    UrlSafeSerializer, UrlSafeTimedSerializer,
};
use waxseal_interop::oracle;

const CURRENT: ConfigError = ConfigError::EmptyKey { index: 0 };

#[test]
fn every_one_key_constructor_refuses_an_empty_key() {
    for empty in [&b""[..], "".as_bytes()] {
        assert_eq!(Signer::new(empty).unwrap_err(), CURRENT);
        assert_eq!(TimestampSigner::new(empty).unwrap_err(), CURRENT);
        assert_eq!(Serializer::new(empty).unwrap_err(), CURRENT);
        assert_eq!(TimedSerializer::new(empty).unwrap_err(), CURRENT);
        assert_eq!(UrlSafeSerializer::new(empty).unwrap_err(), CURRENT);
        assert_eq!(UrlSafeTimedSerializer::new(empty).unwrap_err(), CURRENT);
    }
}

/// Only emptiness is refused here: a weak key still verifies, as in itsdangerous (the README's
/// list of where weak keys are refused does not include the signers).
#[test]
fn weak_but_non_empty_keys_are_accepted_by_signers_and_serializers() {
    assert!(Signer::new("dev").is_ok());
    assert!(UrlSafeTimedSerializer::new("secret").is_ok());
    assert!(SerializerBuilder::new("x")
        .fallback_key("changeme")
        .build_timed()
        .is_ok());
}

#[test]
fn every_builder_refuses_an_empty_current_or_fallback_key() {
    assert_eq!(Signer::builder("").build().unwrap_err(), CURRENT);
    let fallback = ConfigError::EmptyKey { index: 2 };
    let b = Signer::builder("current")
        .fallback_key("old")
        .fallback_key("");
    assert_eq!(b.clone().build().unwrap_err(), fallback);
    assert_eq!(TimestampSigner::build(b).unwrap_err(), fallback);

    let serializers = [
        (SerializerBuilder::new(""), CURRENT),
        (
            SerializerBuilder::new("current")
                .fallback_key("old")
                .fallback_key(""),
            fallback.clone(),
        ),
        // A fallback signer carries the same keys: refused the same way.
        (
            SerializerBuilder::new("current")
                .fallback_key("")
                .fallback_signer(|s| s.digest(waxseal::Digest::Sha256)),
            ConfigError::EmptyKey { index: 1 },
        ),
    ];
    for (b, expected) in serializers {
        assert_eq!(b.clone().build_serializer().unwrap_err(), expected);
        assert_eq!(b.clone().build_timed().unwrap_err(), expected);
        assert_eq!(b.clone().build_url_safe().unwrap_err(), expected);
        assert_eq!(b.build_url_safe_timed().unwrap_err(), expected);
    }
}

#[test]
fn the_verification_engine_refuses_an_empty_key() {
    let keys = [SecretKey::from_text("current"), SecretKey::from_text("")];
    let format = TokenFormat::new(FormatKind::Flask);
    let err = Verifier::new(&format, &keys, None).unwrap_err();
    assert_eq!(err, ConfigError::EmptyKey { index: 1 });
}

#[test]
fn keyrings_refuse_an_empty_key_under_every_policy() {
    let strong = || SecretKey::from_hex("8f1c0a5e2b7d49c3a6e1f0d2b4c6a8e9").unwrap();
    let empty = || SecretKey::from_bytes(Vec::new());
    for policy in [KeyPolicy::RefuseWeak, KeyPolicy::AllowWeak] {
        let err = Keyring::new(empty(), vec![], policy).unwrap_err();
        assert_eq!(err, KeyringError::EmptyKey { index: 0 });
        let err = Keyring::new(strong(), vec![strong(), empty()], policy).unwrap_err();
        assert_eq!(err, KeyringError::EmptyKey { index: 2 });
        assert_eq!(err.to_string(), "fallback key 2: it is empty");
        // Flask accepts an empty string in SECRET_KEY_FALLBACKS; waxseal does not.
        let env = |name: &str| match name {
            "FLASK_SECRET_KEY" => Some("8f1c0a5e2b7d49c3a6e1f0d2b4c6a8e9".to_owned()),
            "FLASK_SECRET_KEY_FALLBACKS" => Some(r#"["old-key-0123456789abcdef", ""]"#.to_owned()),
            _ => None,
        };
        let err = Keyring::from_env_with(env, policy).unwrap_err();
        assert!(matches!(err, KeyringError::EmptyKey { .. }), "{err}");
    }
}

/// What the docs say the references do: itsdangerous signs with an empty key, Flask refuses to
/// give a session a cookie when `SECRET_KEY` is empty.
#[test]
fn itsdangerous_accepts_an_empty_key_and_flask_refuses_it() {
    let Some(signed) = oracle(
        "itsdangerous_oracle.py",
        &[json!({"op": "sign", "kind": "signer", "keys": [""], "value_hex": "78"})],
    ) else {
        return;
    };
    assert!(signed[0]["token_hex"].is_string(), "{:?}", signed[0]);
    let Some(saved) = oracle(
        "flask_session_oracle.py",
        &[
            json!({"op": "save", "secret_hex": "", "fallbacks_hex": [], "now": 1_700_000_000,
                 "json": "{\"a\": 1}", "config": {}}),
        ],
    ) else {
        return;
    };
    assert_eq!(
        saved[0]["set_cookie"],
        serde_json::Value::Null,
        "{:?}",
        saved[0]
    );
}
