//! Arbitrary bytes as a URL-safe payload (base64 text, optionally with the `.` compression
//! marker, or raw bytes base64-encoded by us), validly signed, then loaded with a small
//! decompression cap: exercises base64, zlib with the size cap, UTF-8 and JSON decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use waxseal::encoding::base64_encode;
use waxseal::{
    Error, PayloadError, SerializerBuilder, Signer, TimestampSigner, UrlSafeSerializer,
    UrlSafeTimedSerializer,
};

const KEY: &[u8] = b"fuzz-secret-key";
/// Small caps, one below and one above typical payload sizes.
const CAPS: [usize; 2] = [64, 1000];
const NOW: u64 = 1_700_000_000;

type AnyJson = serde_json::Value;

struct Fixtures {
    signer: Signer,
    ts: TimestampSigner,
    /// (cap, URL-safe, URL-safe timed) per cap.
    serializers: Vec<(usize, UrlSafeSerializer, UrlSafeTimedSerializer)>,
}

/// Built once: key derivation is not what is being fuzzed.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        // The serializers' signer (salt "itsdangerous"), to sign arbitrary payloads validly.
        let signer = Signer::builder(KEY)
            .salt("itsdangerous")
            .build()
            .expect("valid settings");
        Fixtures {
            ts: TimestampSigner::from_signer(signer.clone()),
            signer,
            serializers: CAPS
                .iter()
                .map(|&cap| {
                    let b = SerializerBuilder::new(KEY).max_decompressed_size(cap);
                    (
                        cap,
                        b.clone().build_url_safe().expect("valid settings"),
                        b.build_url_safe_timed().expect("valid settings"),
                    )
                })
                .collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Fixtures {
        signer,
        ts,
        serializers,
    } = fixtures();

    let encoded = base64_encode(data);
    let mut payloads: Vec<Vec<u8>> = vec![
        // The input itself as the payload text (may be invalid base64 or contain separators).
        data.to_vec(),
        // The input as raw bytes: uncompressed JSON candidate.
        encoded.clone().into_bytes(),
        // The input as a zlib stream, marked compressed.
        [b".".as_slice(), encoded.as_bytes()].concat(),
    ];
    if !data.starts_with(b".") {
        payloads.push([b".".as_slice(), data].concat());
    }

    for payload in &payloads {
        for token in [signer.sign(payload), ts.sign_at(payload, NOW - 1)] {
            let Ok(token) = std::str::from_utf8(&token) else {
                continue;
            };
            for (cap, url, url_timed) in serializers {
                check(token, payload, *cap, url, url_timed);
            }
        }
    }
});

/// Loads one validly signed token under one cap; a compressed payload may never come back
/// larger than the cap.
fn check(
    token: &str,
    payload: &[u8],
    cap: usize,
    url: &UrlSafeSerializer,
    url_timed: &UrlSafeTimedSerializer,
) {
    let results = [
        url.loads_raw(token).map(|l| (l.raw.len(), l.compressed)),
        url_timed
            .loads_raw_at(token, Some(60), NOW)
            .map(|l| (l.raw.len(), l.compressed)),
    ];
    for result in results {
        match result {
            Ok((len, compressed)) => {
                assert!(len <= cap || !compressed);
                assert_eq!(compressed, payload.starts_with(b"."));
            }
            Err(Error::BadPayload(PayloadError::TooLarge { limit })) => assert_eq!(limit, cap),
            Err(_) => {}
        }
    }
    let _ = url.loads::<AnyJson>(token);
    let _ = url.loads_unsafe::<AnyJson>(token).into_tuple();
    let _ = url_timed.loads_details_at::<AnyJson>(token, None, NOW);
    let _ = url_timed.loads_unsafe::<AnyJson>(token, Some(60)).into_tuple();
}
