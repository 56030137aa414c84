//! Criterion benches for the signing layers (sign and verify with each layer on a
//! Flask-sized session payload) and for Flask session cookies (save and load).
//! `bench/compare-python` gives the ratios against itsdangerous and Flask.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::flask::{json as flask_json, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal::signer::SignerSettings;
use waxseal::{SerializerBuilder, Signer, TimestampSigner};

const PAYLOAD: &str = r#"{"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;
const SECRET: &str = "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e";
/// A logged-in Flask session with a flashed message (a tagged tuple); compresses, as most do.
const FLASK_SESSION: &str = r#"{"_flashes":[{" t":["message","Welcome back"]}],"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;

fn layers(c: &mut Criterion) {
    let signer = Signer::builder(SECRET)
        .settings(SignerSettings::flask())
        .build()
        .unwrap();
    let signed = signer.sign(PAYLOAD.as_bytes());
    c.bench_function("signer/sign", |b| {
        b.iter(|| signer.sign(black_box(PAYLOAD.as_bytes())))
    });
    c.bench_function("signer/verify", |b| {
        b.iter(|| signer.unsign(black_box(&signed)).is_ok())
    });

    let timed = TimestampSigner::from_signer(signer.clone());
    let token = timed.sign_at(PAYLOAD.as_bytes(), 1_700_000_000);
    c.bench_function("timestamp_signer/sign", |b| {
        b.iter(|| timed.sign_at(black_box(PAYLOAD.as_bytes()), 1_700_000_000))
    });
    c.bench_function("timestamp_signer/verify", |b| {
        b.iter(|| {
            timed
                .unsign_at(black_box(&token), Some(3600), 1_700_000_000)
                .is_ok()
        })
    });

    let s = SerializerBuilder::new(SECRET)
        .settings(SignerSettings::flask())
        .build_url_safe_timed()
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(PAYLOAD).unwrap();
    let token = s.dumps_at(&value, 1_700_000_000).unwrap();
    c.bench_function("url_safe_timed/sign", |b| {
        b.iter(|| s.dumps_at(black_box(&value), 1_700_000_000))
    });
    c.bench_function("url_safe_timed/verify", |b| {
        b.iter(|| {
            s.loads_details_at::<serde_json::Value>(black_box(&token), Some(3600), 1_700_000_000)
                .is_ok()
        })
    });
    c.bench_function("url_safe_timed/verify_raw", |b| {
        b.iter(|| {
            s.loads_raw_at(black_box(&token), Some(3600), 1_700_000_000)
                .is_ok()
        })
    });
}

/// Flask's session cookie: save (tagged JSON, compress, sign) and load (verify, inflate, parse,
/// untag), with Flask's settings and a 31-day max age.
fn flask_session(c: &mut Criterion) {
    let keyring =
        Keyring::new(SecretKey::from_text(SECRET), vec![], KeyPolicy::RefuseWeak).unwrap();
    let codec = FlaskSessionCodec::new(&keyring);
    let Ok(Value::Dict(session)) = flask_json::loads(FLASK_SESSION) else {
        panic!("the benchmark session is a dict")
    };
    let cookie = codec.dumps_at(&session, 1_700_000_000).unwrap();
    c.bench_function("flask_session/save", |b| {
        b.iter(|| codec.dumps_at(black_box(&session), 1_700_000_000))
    });
    c.bench_function("flask_session/load", |b| {
        b.iter(|| codec.load_at(black_box(&cookie), 1_700_000_000).is_ok())
    });
}

criterion_group!(benches, layers, flask_session);
criterion_main!(benches);
