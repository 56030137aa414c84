//! Errors keep their causes as `source()` (not flattened to strings), and there is no placeholder
//! error: every failure names what actually went wrong.

use std::error::Error as _;
use waxseal::error::{JsonError, PayloadError};
use waxseal::secret::{KeyPolicy, Keyring, KeyringError, ParseKeyError, SecretKey};
use waxseal::{Error, SerializerBuilder, Signer, UrlSafeSerializer};

#[test]
fn a_json_error_keeps_serde_json_as_its_source() {
    let s = UrlSafeSerializer::new("k").unwrap();
    let token = s.dumps(&"text").unwrap();
    let err = s.loads::<u32>(&token).unwrap_err();
    let Error::BadPayload(PayloadError::Json(JsonError::Serde(inner))) = &err else {
        panic!("{err:?}");
    };
    assert!(inner.is_data());
    let chain = err.source().and_then(|payload| payload.source());
    assert!(chain.is_some_and(|e| e.is::<JsonError>()), "{chain:?}");
}

#[test]
fn a_decompression_error_keeps_its_reason_as_source() {
    let signer = Signer::builder("k").salt("itsdangerous").build().unwrap();
    // ".<base64 of not-zlib>" marks the payload compressed.
    let token = String::from_utf8(signer.sign(b".bm90IHpsaWI")).unwrap();
    let err = UrlSafeSerializer::new("k")
        .unwrap()
        .loads::<u8>(&token)
        .unwrap_err();
    let Error::BadPayload(payload @ PayloadError::Decompress(_)) = &err else {
        panic!("{err:?}");
    };
    assert!(payload.source().is_some());
}

#[test]
fn io_errors_keep_the_os_error_as_source() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = SecretKey::from_file(&missing).unwrap_err();
    assert!(
        matches!(&err, ParseKeyError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(err.source().is_some());
    let err = Keyring::load(&missing, KeyPolicy::RefuseWeak).unwrap_err();
    assert!(
        matches!(&err, KeyringError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(err.to_string().starts_with("keyring file "), "{err}");
}

/// With several signers, a token none of them verifies reports the last signer's real error
/// (here: a bad signature), never a placeholder.
#[test]
fn fallback_signers_report_the_real_error() {
    let s = SerializerBuilder::new("k")
        .fallback_signer(|b| b.digest(waxseal::Digest::Sha256))
        .build_url_safe()
        .unwrap();
    assert!(matches!(
        s.loads::<u8>("MQ.bad").unwrap_err(),
        Error::BadSignature { .. }
    ));
    assert!(matches!(
        s.loads::<u8>("no-separator").unwrap_err(),
        Error::MissingSeparator { .. }
    ));
}
