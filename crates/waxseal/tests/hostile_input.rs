//! Hostile input: nothing from outside may make waxseal panic, hang or allocate without bound,
//! and every refusal must be the specific error it is documented to be.
//!
//! Covered for `Signer`, `TimestampSigner` and the four serializers (with `loads_unsafe`):
//! random bytes, non-UTF-8, empty, megabyte tokens, thousands of separators, overflowing
//! timestamps, invalid base64 in each part, wrong-length signatures, validly signed payloads that
//! are not JSON / UTF-8 / base64 / zlib, a validly signed zlib bomb, signature-before-decoding
//! order, and the configurable decompression cap. Serializer tokens are `&str`, so non-UTF-8
//! bytes can only reach the two signers.

use proptest::prelude::*;
use serde_json::Value;
use std::time::{Duration, Instant};
use waxseal::encoding::base64_encode;
use waxseal::{
    Error, ErrorKind, PayloadError, Serializer, SerializerBuilder, Signer, TimedSerializer,
    TimestampSigner, UrlSafeSerializer, UrlSafeTimedSerializer,
};

#[path = "support/peak_alloc.rs"]
mod peak_alloc;
use peak_alloc::measure;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const KEY: &str = "hostile-test-key";
const NOW: u64 = 1_700_000_000;
const MIB: usize = 1 << 20;

fn signer() -> Signer {
    Signer::new(KEY).unwrap()
}

fn ts_signer() -> TimestampSigner {
    TimestampSigner::new(KEY).unwrap()
}

/// The signer the serializers use (salt `itsdangerous`), to sign arbitrary payloads validly.
fn ser_signer() -> Signer {
    Signer::builder(KEY).salt("itsdangerous").build().unwrap()
}

fn ser_ts_signer() -> TimestampSigner {
    TimestampSigner::from_signer(ser_signer())
}

type Outcome = Result<Value, Error>;

/// Every serializer entry point, by name: `loads` (timed ones with and without a max age).
fn serializer_loads(token: &str) -> Vec<(&'static str, Outcome)> {
    let timed = TimedSerializer::new(KEY).unwrap();
    let url_timed = UrlSafeTimedSerializer::new(KEY).unwrap();
    vec![
        ("Serializer", Serializer::new(KEY).unwrap().loads(token)),
        (
            "UrlSafeSerializer",
            UrlSafeSerializer::new(KEY).unwrap().loads(token),
        ),
        (
            "TimedSerializer",
            timed.loads_details_at(token, None, NOW).map(|l| l.value),
        ),
        (
            "TimedSerializer+max_age",
            timed
                .loads_details_at(token, Some(60), NOW)
                .map(|l| l.value),
        ),
        (
            "UrlSafeTimedSerializer",
            url_timed
                .loads_details_at(token, None, NOW)
                .map(|l| l.value),
        ),
        (
            "UrlSafeTimedSerializer+max_age",
            url_timed
                .loads_details_at(token, Some(60), NOW)
                .map(|l| l.value),
        ),
    ]
}

/// Every serializer's `loads_unsafe`.
fn serializer_loads_unsafe(token: &str) -> Vec<(&'static str, (bool, Option<Value>))> {
    vec![
        (
            "Serializer",
            Serializer::new(KEY)
                .unwrap()
                .loads_unsafe(token)
                .into_tuple(),
        ),
        (
            "UrlSafeSerializer",
            UrlSafeSerializer::new(KEY)
                .unwrap()
                .loads_unsafe(token)
                .into_tuple(),
        ),
        (
            "TimedSerializer",
            TimedSerializer::new(KEY)
                .unwrap()
                .loads_unsafe(token, Some(60))
                .into_tuple(),
        ),
        (
            "UrlSafeTimedSerializer",
            UrlSafeTimedSerializer::new(KEY)
                .unwrap()
                .loads_unsafe(token, None)
                .into_tuple(),
        ),
    ]
}

fn assert_all_serializers(token: &str, expected: impl Fn(&str, &Error) -> bool) {
    for (name, outcome) in serializer_loads(token) {
        match outcome {
            Err(e) => assert!(expected(name, &e), "{name}: unexpected {e:?}"),
            Ok(v) => panic!("{name}: accepted hostile token as {v:?}"),
        }
    }
    for (name, (valid, _)) in serializer_loads_unsafe(token) {
        assert!(!valid, "{name}: loads_unsafe called a hostile token valid");
    }
}

fn is_missing_separator(e: &Error) -> bool {
    *e == Error::MissingSeparator { separator: b'.' }
}

fn is_bad_signature(e: &Error) -> bool {
    matches!(e, Error::BadSignature { .. })
}

// ---------------------------------------------------------------------------------------------
// Random bytes
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_are_missing_separator_or_bad_signature_everywhere(
        data in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        let structural = |e: &Error| is_missing_separator(e) || is_bad_signature(e);
        let e = signer().unsign(&data).unwrap_err();
        prop_assert!(structural(&e), "Signer: {:?}", e);
        for max_age in [None, Some(0), Some(u64::MAX)] {
            let e = ts_signer().unsign_at(&data, max_age, NOW).unwrap_err();
            prop_assert!(structural(&e), "TimestampSigner: {:?}", e);
        }
        let text = String::from_utf8_lossy(&data);
        for (name, outcome) in serializer_loads(&text) {
            let e = outcome.unwrap_err();
            prop_assert!(structural(&e), "{}: {:?}", name, e);
        }
        for (name, (valid, _)) in serializer_loads_unsafe(&text) {
            prop_assert!(!valid, "{}", name);
        }
    }

    #[test]
    fn random_token_shaped_strings_never_verify(
        value in "[A-Za-z0-9_.-]{0,40}",
        ts in "[A-Za-z0-9_-]{0,14}",
        sig in "[A-Za-z0-9_=-]{0,90}",
    ) {
        let token = format!("{value}.{ts}.{sig}");
        prop_assert!(is_bad_signature(&signer().unsign(token.as_bytes()).unwrap_err()));
        prop_assert!(
            is_bad_signature(&ts_signer().unsign_at(token.as_bytes(), Some(60), NOW).unwrap_err())
        );
        assert_all_serializers(&token, |_, e| is_bad_signature(e));
    }

    #[test]
    fn validly_signed_random_payloads_never_panic_and_fail_only_as_bad_payload(
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        compressed in any::<bool>(),
    ) {
        // Raw bytes through the URL-safe envelope: base64 of arbitrary bytes, optionally marked
        // compressed (so zlib sees arbitrary data).
        let mut text = if compressed { ".".to_string() } else { String::new() };
        text.push_str(&base64_encode(&payload));
        let token = String::from_utf8(ser_signer().sign(text.as_bytes())).unwrap();
        match UrlSafeSerializer::new(KEY).unwrap().loads::<Value>(&token) {
            Ok(_) => prop_assert!(!compressed || payload.starts_with(&[0x78])),
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::BadPayload, "{:?}", e),
        }
        let token = String::from_utf8(ser_ts_signer().sign_at(text.as_bytes(), NOW)).unwrap();
        match UrlSafeTimedSerializer::new(KEY).unwrap().loads_details_at::<Value>(&token, Some(0), NOW) {
            Ok(_) => {}
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::BadPayload, "{:?}", e),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Non-UTF-8, empty, huge, separators
// ---------------------------------------------------------------------------------------------

#[test]
fn non_utf8_token_is_bad_signature_with_raw_payload() {
    let token = b"\xff\xfe\x80.\xc3\x28.AAAA";
    assert_eq!(
        signer().unsign(token).unwrap_err(),
        Error::BadSignature {
            payload: b"\xff\xfe\x80.\xc3\x28".to_vec(),
            timestamp: None
        }
    );
    // "\xc3\x28" is not base64, so no timestamp is claimed.
    assert_eq!(
        ts_signer().unsign_at(token, Some(60), NOW).unwrap_err(),
        Error::BadSignature {
            payload: b"\xff\xfe\x80".to_vec(),
            timestamp: None
        }
    );
    let no_sep = b"\xff\xfe\x80\xc3\x28";
    assert_eq!(
        signer().unsign(no_sep).unwrap_err(),
        Error::MissingSeparator { separator: b'.' }
    );
    assert_eq!(
        ts_signer().unsign_at(no_sep, None, NOW).unwrap_err(),
        Error::MissingSeparator { separator: b'.' }
    );
}

#[test]
fn non_utf8_value_validly_signed_round_trips_through_signers() {
    let value = b"\xff\x00\xfe\x80";
    let signed = signer().sign(value);
    assert_eq!(signer().unsign(&signed).unwrap().value, value);
    let signed = ts_signer().sign_at(value, NOW);
    assert_eq!(
        ts_signer().unsign_at(&signed, Some(0), NOW).unwrap().value,
        value
    );
}

#[test]
fn empty_token_is_missing_separator_everywhere() {
    assert!(is_missing_separator(&signer().unsign(b"").unwrap_err()));
    assert!(is_missing_separator(
        &ts_signer().unsign_at(b"", Some(1), NOW).unwrap_err()
    ));
    assert_all_serializers("", |_, e| is_missing_separator(e));
    for (name, result) in serializer_loads_unsafe("") {
        assert_eq!(result, (false, None), "{name}");
    }
}

#[test]
fn lone_separator_is_bad_signature_with_empty_payload() {
    assert_eq!(
        signer().unsign(b".").unwrap_err(),
        Error::BadSignature {
            payload: vec![],
            timestamp: None
        }
    );
    assert_all_serializers(".", |_, e| is_bad_signature(e));
}

#[test]
fn megabyte_token_is_rejected_quickly_without_panic() {
    let mut token = "a".repeat(MIB);
    let (e, _, took) = measure(|| signer().unsign(token.as_bytes()).unwrap_err());
    assert!(is_missing_separator(&e));
    assert!(took < Duration::from_secs(2), "{took:?}");

    token.push_str(".TgPVoQ.YR7LeXge8QKe4WGdzO8Qpdl20Yc");
    let start = Instant::now();
    assert!(is_bad_signature(
        &signer().unsign(token.as_bytes()).unwrap_err()
    ));
    match ts_signer().unsign_at(token.as_bytes(), Some(60), NOW) {
        Err(Error::BadSignature { payload, timestamp }) => {
            assert_eq!((payload.len(), timestamp), (MIB, Some(1_308_874_145)));
        }
        other => panic!("{other:?}"),
    }
    assert_all_serializers(&token, |_, e| is_bad_signature(e));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn megabyte_signature_is_bad_signature_not_a_buffer_overflow() {
    let token = format!("value.{}", "A".repeat(MIB));
    assert!(is_bad_signature(
        &signer().unsign(token.as_bytes()).unwrap_err()
    ));
    assert_all_serializers(&token, |_, e| is_bad_signature(e));
}

#[test]
fn ten_thousand_separators_are_bad_signature() {
    let token = ".".repeat(10_000);
    assert_eq!(
        signer().unsign(token.as_bytes()).unwrap_err(),
        Error::BadSignature {
            payload: vec![b'.'; 9_999],
            timestamp: None
        }
    );
    // The empty part before the last separator reads as timestamp 0, as in itsdangerous.
    assert_eq!(
        ts_signer()
            .unsign_at(token.as_bytes(), Some(60), NOW)
            .unwrap_err(),
        Error::BadSignature {
            payload: vec![b'.'; 9_998],
            timestamp: Some(0)
        }
    );
    assert_all_serializers(&token, |_, e| is_bad_signature(e));
}

#[test]
fn a_dot_b_dot_repeated_5000_times_is_bad_signature() {
    let token = "a.b.".repeat(5_000);
    let e = signer().unsign(token.as_bytes()).unwrap_err();
    assert_eq!(e.payload(), Some(&token.as_bytes()[..token.len() - 1]));
    assert!(is_bad_signature(&e));
    // "b" (one base64 character) is not a readable timestamp.
    assert_eq!(
        ts_signer()
            .unsign_at(token.as_bytes(), None, NOW)
            .unwrap_err(),
        Error::BadSignature {
            payload: token.as_bytes()[..token.len() - 3].to_vec(),
            timestamp: None
        }
    );
    assert_all_serializers(&token, |_, e| is_bad_signature(e));
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

#[test]
fn nine_byte_timestamp_validly_signed_is_malformed_timestamp() {
    for ts_b64 in [
        base64_encode(&[1; 9]),
        base64_encode(&[0xff; 16]),
        "A".repeat(1000),
    ] {
        let value = format!("value.{ts_b64}");
        let signed = signer().sign(value.as_bytes());
        for max_age in [None, Some(60)] {
            assert_eq!(
                ts_signer().unsign_at(&signed, max_age, NOW).unwrap_err(),
                Error::MalformedTimestamp {
                    payload: b"value".to_vec()
                }
            );
        }
        let json = format!("\"x\".{ts_b64}");
        let token = String::from_utf8(ser_signer().sign(json.as_bytes())).unwrap();
        assert_eq!(
            TimedSerializer::new(KEY)
                .unwrap()
                .loads_details_at::<Value>(&token, None, NOW)
                .unwrap_err(),
            Error::MalformedTimestamp {
                payload: b"\"x\"".to_vec()
            }
        );
    }
}

#[test]
fn invalid_base64_timestamp_validly_signed_is_malformed_timestamp() {
    for ts in ["T!gP", "TgPVo", "Tg=PV", "Tg PV"] {
        let signed = signer().sign(format!("value.{ts}").as_bytes());
        assert_eq!(
            ts_signer().unsign_at(&signed, Some(60), NOW).unwrap_err(),
            Error::MalformedTimestamp {
                payload: b"value".to_vec()
            },
            "{ts}"
        );
        let token = url_timed_value_with_raw_ts("eyJpZCI6NDJ9", ts);
        assert_eq!(
            UrlSafeTimedSerializer::new(KEY)
                .unwrap()
                .loads_details_at::<Value>(&token, Some(60), NOW)
                .unwrap_err(),
            Error::MalformedTimestamp {
                payload: b"eyJpZCI6NDJ9".to_vec()
            },
            "{ts}"
        );
        assert_eq!(
            UrlSafeTimedSerializer::new(KEY)
                .unwrap()
                .loads_unsafe::<Value>(&token, None)
                .into_tuple(),
            (false, Some(serde_json::json!({"id": 42})))
        );
    }
}

/// `value SEP ts` signed as a whole by the serializers' signer: the timestamp part is whatever
/// text is given.
fn url_timed_value_with_raw_ts(value: &str, ts: &str) -> String {
    String::from_utf8(ser_signer().sign(format!("{value}.{ts}").as_bytes())).unwrap()
}

#[test]
fn max_u64_timestamp_is_expired_with_max_age_and_valid_without() {
    let signed = ts_signer().sign_at(b"value", u64::MAX);
    let ok = ts_signer().unsign_at(&signed, None, NOW).unwrap();
    assert_eq!(ok.timestamp, u64::MAX);
    assert_eq!(
        ts_signer().unsign_at(&signed, Some(60), NOW).unwrap_err(),
        Error::Expired {
            payload: b"value".to_vec(),
            timestamp: u64::MAX,
            age: i64::MIN,
            max_age: 60
        }
    );
    // Largest possible age: clamps instead of overflowing.
    let old = ts_signer().sign_at(b"value", 0);
    assert_eq!(
        ts_signer()
            .unsign_at(&old, Some(u64::MAX - 1), u64::MAX)
            .unwrap_err(),
        Error::Expired {
            payload: b"value".to_vec(),
            timestamp: 0,
            age: i64::MAX,
            max_age: u64::MAX - 1
        }
    );
    assert!(ts_signer()
        .unsign_at(&old, Some(u64::MAX), u64::MAX)
        .is_ok());

    for token in [
        TimedSerializer::new(KEY)
            .unwrap()
            .dumps_at(&1, u64::MAX)
            .unwrap(),
        UrlSafeTimedSerializer::new(KEY)
            .unwrap()
            .dumps_at(&1, u64::MAX)
            .unwrap(),
    ] {
        let timed = TimedSerializer::new(KEY).unwrap();
        let url = UrlSafeTimedSerializer::new(KEY).unwrap();
        let (ok, expired) = if token.starts_with('1') {
            (
                timed.loads_details_at::<Value>(&token, None, NOW),
                timed.loads_details_at::<Value>(&token, Some(60), NOW),
            )
        } else {
            (
                url.loads_details_at::<Value>(&token, None, NOW),
                url.loads_details_at::<Value>(&token, Some(60), NOW),
            )
        };
        assert_eq!(ok.unwrap().timestamp, Some(u64::MAX));
        assert!(matches!(
            expired.unwrap_err(),
            Error::Expired {
                timestamp: u64::MAX,
                age: i64::MIN,
                ..
            }
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Signature part
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_base64_signature_is_bad_signature_not_invalid_base64() {
    for sig in [
        "!!!!",
        "wh6tMHxLgJqB6oY1uT73iMlyrO!",
        "a",
        "====",
        "wh6t=MHx",
    ] {
        let token = format!("my string.{sig}");
        assert_eq!(
            signer().unsign(token.as_bytes()).unwrap_err(),
            Error::BadSignature {
                payload: b"my string".to_vec(),
                timestamp: None
            },
            "{sig}"
        );
        assert_all_serializers(&token, |_, e| is_bad_signature(e));
    }
}

#[test]
fn wrong_length_signature_is_bad_signature() {
    let good = signer().sign(b"value");
    let sig = &good[b"value.".len()..];
    let raw = waxseal::encoding::base64_decode(sig).unwrap();
    assert_eq!(raw.len(), 20);
    for wrong in [
        base64_encode(&raw[..16]),
        base64_encode(&[raw.as_slice(), &[0; 12]].concat()),
        base64_encode(&[raw.as_slice(); 4].concat()),
        base64_encode(&[]),
    ] {
        let token = format!("value.{wrong}");
        assert!(is_bad_signature(
            &signer().unsign(token.as_bytes()).unwrap_err()
        ));
        // The same wrong-length signatures over a correctly timestamped value.
        let timed = ts_signer().sign_at(b"value", NOW);
        let cut = timed.iter().rposition(|&b| b == b'.').unwrap();
        let token = [&timed[..=cut], wrong.as_bytes()].concat();
        assert_eq!(
            ts_signer().unsign_at(&token, Some(60), NOW).unwrap_err(),
            Error::BadSignature {
                payload: b"value".to_vec(),
                timestamp: Some(NOW)
            }
        );
    }
    // A genuine SHA-512 signature of the same value and key: right key, wrong digest.
    let sha512 = Signer::builder(KEY)
        .digest(waxseal::Digest::Sha512)
        .build()
        .unwrap()
        .sign(b"value");
    assert!(is_bad_signature(&signer().unsign(&sha512).unwrap_err()));
}

// ---------------------------------------------------------------------------------------------
// Validly signed, undecodable payloads
// ---------------------------------------------------------------------------------------------

fn url_token(payload: &str) -> String {
    String::from_utf8(ser_signer().sign(payload.as_bytes())).unwrap()
}

fn url_timed_token(payload: &str) -> String {
    String::from_utf8(ser_ts_signer().sign_at(payload.as_bytes(), NOW)).unwrap()
}

/// Loads a validly signed URL-safe payload through both URL-safe serializers (and their
/// `loads_unsafe`, which must not claim validity for an undecodable payload).
fn url_payload_error(payload: &str) -> PayloadError {
    let plain = UrlSafeSerializer::new(KEY)
        .unwrap()
        .loads::<Value>(&url_token(payload));
    let timed = UrlSafeTimedSerializer::new(KEY)
        .unwrap()
        .loads_details_at::<Value>(&url_timed_token(payload), None, NOW);
    let (Err(Error::BadPayload(a)), Err(Error::BadPayload(b))) = (plain, timed) else {
        panic!("expected BadPayload for {payload:?}");
    };
    assert_eq!(a, b);
    assert_eq!(
        UrlSafeSerializer::new(KEY)
            .unwrap()
            .loads_unsafe::<Value>(&url_token(payload))
            .into_tuple(),
        (false, None)
    );
    a
}

#[test]
fn validly_signed_non_json_payload_is_bad_payload_json() {
    assert!(matches!(
        url_payload_error(&base64_encode(b"not json {")),
        PayloadError::Json(_)
    ));
    assert!(matches!(url_payload_error(""), PayloadError::Json(_)));
    let token = url_token("not json {"); // plain Serializer: the payload is the JSON text
    assert!(matches!(
        Serializer::new(KEY)
            .unwrap()
            .loads::<Value>(&token)
            .unwrap_err(),
        Error::BadPayload(PayloadError::Json(_))
    ));
    let token = url_timed_token("{\"a\": ");
    assert!(matches!(
        TimedSerializer::new(KEY)
            .unwrap()
            .loads_details_at::<Value>(&token, Some(1), NOW)
            .unwrap_err(),
        Error::BadPayload(PayloadError::Json(_))
    ));
}

#[test]
fn validly_signed_json_of_the_wrong_type_is_bad_payload_json() {
    let token = UrlSafeSerializer::new(KEY).unwrap().dumps(&"text").unwrap();
    assert!(matches!(
        UrlSafeSerializer::new(KEY)
            .unwrap()
            .loads::<u32>(&token)
            .unwrap_err(),
        Error::BadPayload(PayloadError::Json(_))
    ));
}

#[test]
fn validly_signed_non_utf8_payload_is_bad_payload_utf8() {
    assert_eq!(
        url_payload_error(&base64_encode(b"\"\xff\xfe\"")),
        PayloadError::Utf8
    );
}

#[test]
fn validly_signed_non_base64_payload_is_bad_payload_base64() {
    for payload in ["!!!!", "eyJpZ", "e", "ab=c", ".!!!!", ". "] {
        assert_eq!(
            url_payload_error(payload),
            PayloadError::Base64,
            "{payload}"
        );
    }
}

#[test]
fn validly_signed_compressed_marker_without_zlib_is_bad_payload_decompress() {
    for data in [
        &b"hello world, not zlib"[..],
        b"",
        b"\x78\x9c",                 // header only: truncated
        b"\x78\x9c\x03\x00\x00\x00", // bad checksum
        b"\x78\x01\xff\xff\xff\xff", // invalid block type
    ] {
        let payload = format!(".{}", base64_encode(data));
        assert!(
            matches!(url_payload_error(&payload), PayloadError::Decompress(_)),
            "{data:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// zlib bomb
// ---------------------------------------------------------------------------------------------

/// Hand-written zlib stream (one fixed-Huffman deflate block) for `n` spaces followed by `0`:
/// valid JSON (`0` with leading whitespace), built without any compressor so the test does not
/// depend on one. Runs are encoded as (length 258, distance 1) pairs: ~13 bits per 258 bytes.
fn zlib_spaces_then_zero(n: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        len: u32,
    }
    impl Bits {
        fn bits(&mut self, value: u32, count: u32) {
            // Plain values are written least significant bit first.
            for i in 0..count {
                self.acc |= ((value >> i) & 1) << self.len;
                self.len += 1;
                if self.len == 8 {
                    self.out.push(self.acc as u8);
                    (self.acc, self.len) = (0, 0);
                }
            }
        }
        fn code(&mut self, code: u32, count: u32) {
            // Huffman codes are written most significant bit first.
            for i in (0..count).rev() {
                self.bits((code >> i) & 1, 1);
            }
        }
        fn literal(&mut self, byte: u8) {
            assert!(byte < 144);
            self.code(0x30 + u32::from(byte), 8);
        }
    }
    assert!(n >= 1);
    let mut w = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        len: 0,
    };
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // BTYPE = fixed Huffman
    w.literal(b' ');
    let mut left = n - 1;
    while left >= 258 {
        w.code(0b1100_0101, 8); // length code 285 = 258, no extra bits
        w.code(0, 5); // distance code 0 = 1
        left -= 258;
    }
    for _ in 0..left {
        w.literal(b' ');
    }
    w.literal(b'0');
    w.code(0, 7); // end of block
    if w.len > 0 {
        w.bits(0, 8 - w.len);
    }
    // Adler-32 of n spaces then '0', in closed form.
    let m = 65_521u128;
    let n128 = n as u128;
    let a_spaces = 1 + 32 * n128;
    let b_spaces = n128 + 32 * n128 * (n128 + 1) / 2;
    let a = (a_spaces + 48) % m;
    let b = (b_spaces + a_spaces + 48) % m;
    w.out
        .extend_from_slice(&(((b << 16) | a) as u32).to_be_bytes());
    w.out
}

fn bomb_payload(n: usize) -> String {
    format!(".{}", base64_encode(&zlib_spaces_then_zero(n)))
}

#[test]
fn hand_written_zlib_stream_is_valid_below_the_cap() {
    // Proves the bomb below is a real zlib stream, refused only for its size.
    for n in [1, 2, 258, 259, 1000, 100_000] {
        let token = url_token(&bomb_payload(n));
        let loaded = UrlSafeSerializer::new(KEY)
            .unwrap()
            .loads_details::<Value>(&token)
            .unwrap();
        assert_eq!((loaded.value, loaded.compressed), (Value::from(0), true));
        assert_eq!(loaded.raw.len(), n + 1);
    }
}

#[test]
fn validly_signed_zlib_bomb_is_too_large_quickly_with_small_peak_memory() {
    const FIFTY_MB: usize = 50_000_000;
    let token = url_token(&bomb_payload(FIFTY_MB));
    assert!(token.len() < 600_000, "{}", token.len());
    let s = UrlSafeSerializer::new(KEY).unwrap();
    let (result, peak, took) = measure(|| s.loads::<Value>(&token));
    assert_eq!(
        result.unwrap_err(),
        Error::BadPayload(PayloadError::TooLarge { limit: MIB })
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // The cap (1 MiB) plus the decoded input (~400 KB) and slack, far from 50 MB.
    assert!(peak < 4 * MIB, "peak allocation {peak} bytes");

    let timed_token = url_timed_token(&bomb_payload(FIFTY_MB));
    let t = UrlSafeTimedSerializer::new(KEY).unwrap();
    let (result, peak, took) = measure(|| t.loads_details_at::<Value>(&timed_token, Some(60), NOW));
    assert_eq!(
        result.unwrap_err(),
        Error::BadPayload(PayloadError::TooLarge { limit: MIB })
    );
    assert!(
        took < Duration::from_secs(1) && peak < 4 * MIB,
        "{took:?} {peak}"
    );

    // loads_unsafe on the same bomb: refused, bounded.
    let (result, peak, took) = measure(|| s.loads_unsafe::<Value>(&token).into_tuple());
    assert_eq!(result, (false, None));
    assert!(
        took < Duration::from_secs(1) && peak < 4 * MIB,
        "{took:?} {peak}"
    );
}

#[test]
fn zlib_bomb_with_bad_signature_is_bad_signature_and_loads_unsafe_stays_capped() {
    // The attacker cannot sign; loads_unsafe still decodes the unverified payload, so it must
    // stay under the cap too.
    let token = format!("{}.AAAAAAAAAAAAAAAAAAAAAAAAAAA", bomb_payload(50_000_000));
    let s = UrlSafeSerializer::new(KEY).unwrap();
    assert!(is_bad_signature(&s.loads::<Value>(&token).unwrap_err()));
    let (result, peak, took) = measure(|| s.loads_unsafe::<Value>(&token).into_tuple());
    assert_eq!(result, (false, None));
    assert!(
        took < Duration::from_secs(1) && peak < 4 * MIB,
        "{took:?} {peak}"
    );
}

// ---------------------------------------------------------------------------------------------
// Signature before decoding
// ---------------------------------------------------------------------------------------------

#[test]
fn tampered_undecodable_payload_is_bad_signature_not_bad_payload() {
    for payload in [
        "!!!not-base64!!!".to_string(),
        format!(".{}", base64_encode(b"not zlib at all")),
        base64_encode(b"\xff\xfe not utf-8"),
        base64_encode(b"not json"),
        bomb_payload(10_000_000),
    ] {
        let good = url_token(&payload);
        // Forge: keep the payload, replace the signature with another valid-looking one.
        let forged = format!("{payload}.{}", base64_encode(&[7; 20]));
        assert_ne!(good, forged);
        assert!(matches!(
            UrlSafeSerializer::new(KEY)
                .unwrap()
                .loads::<Value>(&forged)
                .unwrap_err(),
            Error::BadSignature { .. }
        ));
        let forged_timed = format!("{payload}.TgPVoQ.{}", base64_encode(&[7; 20]));
        assert_eq!(
            UrlSafeTimedSerializer::new(KEY)
                .unwrap()
                .loads_details_at::<Value>(&forged_timed, Some(60), NOW)
                .unwrap_err(),
            Error::BadSignature {
                payload: payload.clone().into_bytes(),
                timestamp: Some(1_308_874_145)
            }
        );
        // Signed with another key: also a signature error first.
        let other = SerializerBuilder::new("other key")
            .build_url_safe()
            .unwrap()
            .dumps_raw("\"x\"");
        assert!(is_bad_signature(
            &UrlSafeSerializer::new(KEY)
                .unwrap()
                .loads::<Value>(&other)
                .unwrap_err()
        ));
    }
}

#[test]
fn expired_token_with_undecodable_payload_is_expired_not_bad_payload() {
    let token = String::from_utf8(ser_ts_signer().sign_at(b"!!!", NOW - 100)).unwrap();
    assert!(matches!(
        UrlSafeTimedSerializer::new(KEY)
            .unwrap()
            .loads_details_at::<Value>(&token, Some(10), NOW)
            .unwrap_err(),
        Error::Expired { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// max_decompressed_size
// ---------------------------------------------------------------------------------------------

#[test]
fn max_decompressed_size_is_configurable_and_inclusive() {
    for cap in [64, 100, 1000, 5000] {
        let s = SerializerBuilder::new(KEY)
            .max_decompressed_size(cap)
            .build_url_safe()
            .unwrap();
        // n spaces + "0" decompresses to n + 1 bytes.
        let at_cap = url_token(&bomb_payload(cap - 1));
        assert_eq!(
            s.loads::<Value>(&at_cap).unwrap(),
            Value::from(0),
            "cap {cap}"
        );
        let over = url_token(&bomb_payload(cap));
        assert_eq!(
            s.loads::<Value>(&over).unwrap_err(),
            Error::BadPayload(PayloadError::TooLarge { limit: cap }),
            "cap {cap}"
        );
    }
}

/// Loads `n` spaces + `0` (n + 1 bytes) compressed, under `cap`, catching a panic.
fn load_under_cap(cap: usize, n: usize) -> std::thread::Result<Result<Value, Error>> {
    let s = SerializerBuilder::new(KEY)
        .max_decompressed_size(cap)
        .build_url_safe()
        .unwrap();
    let token = url_token(&bomb_payload(n));
    std::panic::catch_unwind(move || s.loads::<Value>(&token))
}

#[test]
fn max_decompressed_size_output_filling_within_64_bytes_of_cap_does_not_panic() {
    // Regression (found by this suite): the placeholder decompressor grows its buffer with
    // `out.len().clamp(64, limit + 1 - out.len())`, which panics (min > max) whenever the
    // buffer fills up within 64 bytes of the cap: e.g. cap 1000 with a 239-byte stream (initial
    // capacity 4 * 239 + 1 = 957). With the default 1 MiB cap a ~262 KB stream does the same.
    let mut panics = Vec::new();
    for cap in (1..=2048).step_by(3) {
        for n in [cap - 1, cap, 4 * cap + 10] {
            match load_under_cap(cap, n.max(1)) {
                Ok(Ok(v)) => assert!(n < cap && v == 0, "cap {cap} n {n}"),
                Ok(Err(e)) => assert_eq!(
                    e,
                    Error::BadPayload(PayloadError::TooLarge { limit: cap }),
                    "cap {cap} n {n}"
                ),
                Err(_) => panics.push((cap, n)),
            }
        }
        if panics.len() >= 3 {
            break; // enough to show the bug without flooding the output
        }
    }
    assert!(panics.is_empty(), "panicked for (cap, n) = {panics:?}");
}

#[test]
fn max_decompressed_size_usize_max_means_unbounded_without_overflow() {
    // Regression: `limit + 1` overflows (a panic in debug builds) when the cap is usize::MAX.
    match load_under_cap(usize::MAX, 100_000) {
        Ok(Ok(v)) => assert_eq!(v, Value::from(0)),
        Ok(Err(e)) => panic!("{e:?}"),
        Err(_) => panic!("usize::MAX cap panicked"),
    }
}

#[test]
fn max_decompressed_size_zero_refuses_any_compressed_payload() {
    let s = SerializerBuilder::new(KEY)
        .max_decompressed_size(0)
        .build_url_safe()
        .unwrap();
    assert_eq!(
        s.loads::<Value>(&url_token(&bomb_payload(1))).unwrap_err(),
        Error::BadPayload(PayloadError::TooLarge { limit: 0 })
    );
    // Uncompressed payloads are not subject to the decompression cap.
    let plain = s.dumps(&1).unwrap();
    assert_eq!(s.loads::<Value>(&plain).unwrap(), Value::from(1));
}

// ---------------------------------------------------------------------------------------------
// Fuzzer findings (fuzz/fuzz_targets/load_payload.rs), minimised
// ---------------------------------------------------------------------------------------------

fn load_compressed_under_cap(cap: usize, zlib: &[u8]) -> std::thread::Result<Outcome> {
    let s = SerializerBuilder::new(KEY)
        .max_decompressed_size(cap)
        .build_url_safe()
        .unwrap();
    let token = url_token(&format!(".{}", base64_encode(zlib)));
    std::panic::catch_unwind(move || s.loads::<Value>(&token))
}

#[test]
fn fuzz_buffer_growth_clamp_panic_truncated_6_byte_stream_under_cap_64() {
    // libFuzzer crash, minimised to 6 bytes: a zlib header and the start of a fixed-Huffman
    // block that emits 100 bytes and then ends abruptly. Initial capacity 4 * 6 + 1 = 25 under a
    // 64-byte cap: the growth step `25.clamp(64, 65 - 25)` panicked (min > max).
    let zlib = b"\x78\x9c\x4a\xa4\x03\x50";
    match load_compressed_under_cap(64, zlib) {
        Ok(Err(Error::BadPayload(PayloadError::TooLarge { limit: 64 })))
        | Ok(Err(Error::BadPayload(PayloadError::Decompress(_)))) => {}
        Ok(other) => panic!("expected TooLarge or Decompress, got {other:?}"),
        Err(_) => panic!("panicked"),
    }
}

#[test]
fn fuzz_buffer_growth_clamp_panic_13_byte_stream_of_102_bytes_under_cap_64() {
    // The unminimised crash: zlib.compress(b'"' + b"a" * 100 + b'"'), 13 bytes, 102 out.
    let zlib = b"\x78\x9c\x53\x4a\xa4\x03\x50\x02\x00\xad\xdb\x26\x29";
    match load_compressed_under_cap(64, zlib) {
        Ok(result) => assert_eq!(
            result.unwrap_err(),
            Error::BadPayload(PayloadError::TooLarge { limit: 64 })
        ),
        Err(_) => panic!("panicked"),
    }
    // Under a roomy cap the same stream is a valid payload.
    match load_compressed_under_cap(102, zlib) {
        Ok(result) => assert_eq!(result.unwrap(), Value::String("a".repeat(100))),
        Err(_) => panic!("panicked"),
    }
}
