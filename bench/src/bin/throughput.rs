//! Prints waxseal's operations per second for the workloads that `bench/compare-python` also
//! times in Python, as one JSON object. Usage: `throughput <workload> <seconds>`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;
use waxseal::compress::{zlib_compress, zlib_decompress_capped};
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::flask::{json as flask_json, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal::signer::SignerSettings;
use waxseal::{SerializerBuilder, Signer};
use waxseal_bench::ops_per_second;

/// The session payload both sides sign: a typical logged-in Flask session.
pub const PAYLOAD: &str = r#"{"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;
pub const SECRET: &str = "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e";
pub const TIMESTAMP: u64 = 1_700_000_000;
/// The Flask session both sides save and load: the same data plus a flashed message (a tagged
/// tuple), as a logged-in Flask app holds it.
pub const FLASK_SESSION: &str = r#"{"_flashes":[{" t":["message","Welcome back"]}],"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map(String::as_str).unwrap_or("itsdangerous");
    let secs: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    // An optional third argument times only `sign` or `verify` (for profiling one path).
    let only = args.get(3).cloned();
    let timed = |op: &str| only.as_deref().is_none_or(|o| o == op);
    let budgets = (
        if timed("sign") {
            budget
        } else {
            Duration::ZERO
        },
        if timed("verify") {
            budget
        } else {
            Duration::ZERO
        },
    );
    match workload {
        "itsdangerous" => itsdangerous(budgets),
        "flask" => flask(budgets),
        other => {
            eprintln!("unknown workload {other:?}; expected: itsdangerous or flask");
            std::process::exit(2);
        }
    }
}

/// URLSafeTimedSerializer with Flask's signing settings and plain JSON (no tags).
fn itsdangerous((sign_budget, verify_budget): (Duration, Duration)) {
    let s = SerializerBuilder::new(SECRET)
        .settings(SignerSettings::flask())
        .build_url_safe_timed()
        .unwrap_or_else(|e| panic!("{e}"));
    let value: serde_json::Value = serde_json::from_str(PAYLOAD).unwrap_or_default();
    let token = s.dumps_at(&value, TIMESTAMP).unwrap_or_default();
    let sign = ops_per_second(sign_budget, || {
        black_box(s.dumps_at(black_box(&value), TIMESTAMP).ok());
    });
    let verify = ops_per_second(verify_budget, || {
        black_box(
            s.loads_details_at::<serde_json::Value>(black_box(&token), Some(u64::MAX), TIMESTAMP)
                .ok(),
        );
    });
    let json = serde_json::to_vec(&value).unwrap_or_default();
    let parts = serde_json::json!({
        "json_encode": ns_per_op(|| drop(black_box(waxseal::pyjson::to_string(black_box(&value), waxseal::pyjson::JsonStyle::COMPACT).ok()))),
        "json_decode": ns_per_op(|| drop(black_box(serde_json::from_slice::<serde_json::Value>(black_box(&json)).ok()))),
        "zlib_attempt": ns_per_op(|| drop(black_box(zlib_compress(black_box(&json))))),
        "zlib_reused_attempt": ns_per_op(|| drop(black_box(pinned_zlib_reused(black_box(&json))))),
        "hmac_sha1": hmac_ns(&token),
    });
    println!(
        "{}",
        serde_json::json!({"token": token, "token_len": token.len(), "sign_per_s": sign, "verify_per_s": verify, "parts_ns": parts})
    );
}

/// Flask's session cookie: tagged JSON, sorted keys, Flask's signing settings.
fn flask((sign_budget, verify_budget): (Duration, Duration)) {
    let keyring = Keyring::new(SecretKey::from_text(SECRET), vec![], KeyPolicy::RefuseWeak)
        .unwrap_or_else(|e| panic!("{e}"));
    let codec = FlaskSessionCodec::new(&keyring);
    let Ok(Value::Dict(session)) = flask_json::loads(FLASK_SESSION) else {
        panic!("the benchmark session is a dict")
    };
    let cookie = codec.dumps_at(&session, TIMESTAMP).unwrap_or_default();
    let sign = ops_per_second(sign_budget, || {
        black_box(codec.dumps_at(black_box(&session), TIMESTAMP).ok());
    });
    let verify = ops_per_second(verify_budget, || {
        black_box(codec.load_at(black_box(&cookie), TIMESTAMP).ok());
    });
    let json = flask_json::dumps_dict(&session).unwrap_or_default();
    let compressed = zlib_compress(json.as_bytes());
    let parts = serde_json::json!({
        "json_encode": ns_per_op(|| drop(black_box(flask_json::dumps_dict(black_box(&session)).ok()))),
        "json_decode": ns_per_op(|| drop(black_box(flask_json::loads(black_box(&json)).ok()))),
        "zlib_attempt": ns_per_op(|| drop(black_box(zlib_compress(black_box(json.as_bytes()))))),
        "zlib_reused_attempt": ns_per_op(|| drop(black_box(pinned_zlib_reused(black_box(json.as_bytes()))))),
        "inflate": ns_per_op(|| drop(black_box(zlib_decompress_capped(black_box(&compressed), 1 << 20).ok()))),
        "zlib_reused_inflate": ns_per_op(|| drop(black_box(waxseal::compress::zlib_decompress_capped_system(black_box(&compressed), 1 << 20).ok()))),
        "hmac_sha1": hmac_ns(&cookie),
    });
    println!(
        "{}",
        serde_json::json!({"token": cookie, "token_len": cookie.len(), "sign_per_s": sign, "verify_per_s": verify, "parts_ns": parts})
    );
}

/// Nanoseconds per call of one piece of the work, to show where a sign or verify spends its time
/// and what the fixed costs (HMAC-SHA1 above all) leave for the rest.
fn ns_per_op(op: impl FnMut()) -> f64 {
    1e9 / ops_per_second(Duration::from_millis(300), op)
}

/// HMAC-SHA1 alone over the part of `token` that is signed, with the key state prepared once:
/// the cryptographic floor of every sign and verify.
fn hmac_ns(token: &str) -> f64 {
    let signer = Signer::builder(SECRET)
        .settings(SignerSettings::flask())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let signed = &token.as_bytes()[..token.rfind('.').unwrap_or(0)];
    ns_per_op(|| {
        black_box(signer.signature(black_box(signed)));
    })
}

/// The pinned zlib at level 6 through one stream reused with `deflateReset`: the fair baseline
/// for the deflate port (a fresh stream per call, as Python's `zlib.compress` does, costs several
/// times more because `deflateInit` allocates about 256 KiB and clears its 64 KiB hash table).
fn pinned_zlib_reused(data: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static STREAM: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::new(6), true));
    }
    STREAM.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(data.len() + 64);
        match c.compress_vec(data, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => out,
            _ => Vec::new(),
        }
    })
}
