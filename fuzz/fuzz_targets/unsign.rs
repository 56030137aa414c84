//! Arbitrary bytes against every verifying entry point, plus a validly signed slice of the
//! input so the fuzzer also reaches the decoding that only runs after a signature verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use waxseal::{
    Digest, Serializer, SerializerBuilder, Signer, TimedSerializer, TimestampSigner,
    UrlSafeSerializer, UrlSafeTimedSerializer,
};

const KEY: &[u8] = b"fuzz-secret-key";
const NOW: u64 = 1_700_000_000;

type Json = serde_json::Value;

fn all_loads(token: &str, s: &Serializers) {
    let _ = s.plain.loads::<Json>(token);
    let _ = s.plain.loads_raw(token);
    let _ = s.plain.loads_unsafe::<Json>(token).into_tuple();
    let _ = s.url.loads::<Json>(token);
    let _ = s.url.loads_raw(token);
    let _ = s.url.loads_unsafe::<Json>(token).into_tuple();
    let _ = s.url_capped.loads::<Json>(token);
    for max_age in [None, Some(0), Some(60), Some(u64::MAX)] {
        let _ = s.timed.loads_details_at::<Json>(token, max_age, NOW);
        let _ = s.timed.loads_raw_at(token, max_age, NOW);
        let _ = s.url_timed.loads_details_at::<Json>(token, max_age, NOW);
        let _ = s.url_timed.loads_raw_at(token, max_age, NOW);
        let _ = s.url_timed_fallback.loads_details_at::<Json>(token, max_age, NOW);
    }
    let _ = s.timed.loads_unsafe::<Json>(token, Some(60)).into_tuple();
    let _ = s.url_timed.loads_unsafe::<Json>(token, None).into_tuple();
}

struct Serializers {
    plain: Serializer,
    timed: TimedSerializer,
    url: UrlSafeSerializer,
    url_capped: UrlSafeSerializer,
    url_timed: UrlSafeTimedSerializer,
    url_timed_fallback: UrlSafeTimedSerializer,
}

fn serializers() -> Serializers {
    Serializers {
        plain: Serializer::new(KEY).unwrap(),
        timed: TimedSerializer::new(KEY).unwrap(),
        url: UrlSafeSerializer::new(KEY).unwrap(),
        url_capped: SerializerBuilder::new(KEY)
            .max_decompressed_size(100)
            .build_url_safe()
            .expect("valid settings"),
        url_timed: UrlSafeTimedSerializer::new(KEY).unwrap(),
        url_timed_fallback: SerializerBuilder::new(KEY)
            .fallback_key(b"old-key")
            .fallback_signer(|b| b.digest(Digest::Sha512))
            .build_url_safe_timed()
            .expect("valid settings"),
    }
}

struct Fixtures {
    signer: Signer,
    ts: TimestampSigner,
    ser_signer: Signer,
    ser_ts: TimestampSigner,
    serializers: Serializers,
}

/// Built once: key derivation is not what is being fuzzed.
fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        // Serializers sign with the salt "itsdangerous".
        let ser_signer = Signer::builder(KEY)
            .salt("itsdangerous")
            .build()
            .expect("valid settings");
        Fixtures {
            signer: Signer::builder(KEY)
                .fallback_key(b"old-key")
                .build()
                .expect("valid settings"),
            ts: TimestampSigner::new(KEY).unwrap(),
            ser_ts: TimestampSigner::from_signer(ser_signer.clone()),
            ser_signer,
            serializers: serializers(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Fixtures {
        signer,
        ts,
        ser_signer,
        ser_ts,
        serializers: s,
    } = fixtures();

    // 1. The raw input as a token.
    let _ = signer.unsign(data);
    let _ = signer.validate(data);
    let _ = ts.unsign_at(data, None, NOW);
    let _ = ts.unsign_at(data, Some(0), NOW);
    let _ = ts.unsign_at(data, Some(3600), NOW);
    let _ = ts.unsign_at(data, Some(u64::MAX), u64::MAX);
    if let Ok(token) = std::str::from_utf8(data) {
        all_loads(token, s);
    }

    // 2. A prefix of the input as a payload signed with our key, so the post-signature decoding
    //    (timestamp, base64, zlib, UTF-8, JSON) is explored too. The first byte picks the split
    //    and the timestamp.
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(ctl).min(rest.len());
    let (payload, tail) = rest.split_at(split);
    let timestamp = tail
        .iter()
        .take(8)
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));

    let signed = signer.sign(payload);
    let ok = signer.unsign(&signed).expect("own signature must verify");
    assert_eq!(ok.value, payload);
    let _ = ts.unsign_at(&signed, Some(60), NOW);

    let timed = ts.sign_at(payload, timestamp);
    let ok = ts
        .unsign_at(&timed, None, NOW)
        .expect("own timed signature must verify without max_age");
    assert_eq!((ok.value, ok.timestamp), (payload, timestamp));
    let _ = ts.unsign_at(&timed, Some(60), NOW);

    for token in [
        ser_signer.sign(payload),
        ser_ts.sign_at(payload, timestamp),
        ser_ts.sign_at(payload, NOW - 10),
    ] {
        if let Ok(token) = std::str::from_utf8(&token) {
            all_loads(token, s);
        }
    }
});
