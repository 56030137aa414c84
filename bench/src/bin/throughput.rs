//! Prints waxseal's operations per second for the workloads that `bench/compare-python` also
//! times in Python, as one JSON object. Usage: `throughput <workload> <seconds>`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;
use waxseal::flask::session::FlaskSessionCodec;
use waxseal::flask::{json as flask_json, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
use waxseal::signer::SignerSettings;
use waxseal::SerializerBuilder;
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
            s.loads_at::<serde_json::Value>(black_box(&token), Some(u64::MAX), TIMESTAMP)
                .ok(),
        );
    });
    println!(
        "{}",
        serde_json::json!({"token": token, "token_len": token.len(), "sign_per_s": sign, "verify_per_s": verify})
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
    println!(
        "{}",
        serde_json::json!({"token": cookie, "token_len": cookie.len(), "sign_per_s": sign, "verify_per_s": verify})
    );
}
