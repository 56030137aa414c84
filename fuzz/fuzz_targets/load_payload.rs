//! Arbitrary bytes as a URL-safe payload (base64 text, optionally with the `.` compression
//! marker, or raw bytes base64-encoded by us), validly signed, then loaded with a small
//! decompression cap: exercises base64, zlib with the size cap, UTF-8 and JSON decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::encoding::base64_encode;
use waxseal::{Error, PayloadError, SerializerBuilder, Signer, TimestampSigner};

const KEY: &[u8] = b"fuzz-secret-key";
const CAP: usize = 4096;
const NOW: u64 = 1_700_000_000;

type AnyJson = serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let builder = SerializerBuilder::new(KEY).max_decompressed_size(CAP);
    let url = builder.clone().build_url_safe().expect("valid settings");
    let url_timed = builder.build_url_safe_timed().expect("valid settings");
    let signer = Signer::builder(KEY)
        .salt("itsdangerous")
        .build()
        .expect("valid settings");
    let ts = TimestampSigner::from_signer(signer.clone());

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
            let checks = [
                url.loads_raw(token).map(|l| l.raw.len()),
                url_timed
                    .loads_raw_at(token, Some(60), NOW)
                    .map(|l| l.raw.len()),
            ];
            for result in checks {
                match result {
                    Ok(len) => assert!(len <= CAP || !payload.starts_with(b".")),
                    Err(Error::BadPayload(PayloadError::TooLarge { limit })) => {
                        assert_eq!(limit, CAP)
                    }
                    Err(_) => {}
                }
            }
            let _ = url.loads::<AnyJson>(token);
            let _ = url.loads_unsafe::<AnyJson>(token);
            let _ = url_timed.loads_at::<AnyJson>(token, None, NOW);
            let _ = url_timed.loads_unsafe::<AnyJson>(token, Some(60));
        }
    }
});
