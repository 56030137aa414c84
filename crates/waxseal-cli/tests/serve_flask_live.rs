//! Live interop: `waxseal serve` and a real Flask 3.1 app (tests/interop/flask_demo_app.py) on
//! loopback with one keyring file. Sessions written by each side are read by the other; tampered
//! and garbage cookies give empty sessions on both; a key rotation (Flask restarted with
//! `SECRET_KEY_FALLBACKS`, waxseal reloaded by SIGHUP without a restart) keeps old cookies valid
//! on both sides and re-signs them with the new key.

mod live;

use std::time::{Duration, Instant};

use live::*;
use serde_json::{json, Value};
use waxseal::inspect::{Detail, FormatKind, TokenFormat, Verifier};
use waxseal::secret::{KeyPolicy, Keyring};

const COOKIE: &str = "session";

async fn get(c: &Client, url: String, cookie: &str) -> Response {
    c.get(url)
        .header("cookie", format!("{COOKIE}={cookie}"))
        .send()
        .await
        .expect("GET")
}

async fn post_json(c: &Client, url: String, cookie: Option<&str>, body: Value) -> Response {
    let mut req = c.post(url).json(&body);
    if let Some(cookie) = cookie {
        req = req.header("cookie", format!("{COOKIE}={cookie}"));
    }
    req.send().await.expect("POST")
}

/// The response's JSON body, after checking the status is 200.
async fn body(resp: Response) -> Value {
    assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.headers());
    resp.json().await.expect("JSON body")
}

/// Which key of `keyring` verifies `cookie` as a Flask session cookie (current = 0).
fn signed_with(keyring: &Keyring, cookie: &str) -> Option<usize> {
    let verifier = Verifier::with_keyring(&TokenFormat::new(FormatKind::Flask), keyring, None)
        .expect("verifier");
    let r = verifier.inspect(cookie.as_bytes(), Detail::Verify);
    if r.verdict.is_valid() {
        r.key_index
    } else {
        None
    }
}

/// Flips one character of the payload part.
fn tamper(cookie: &str) -> String {
    let mut b = cookie.as_bytes().to_vec();
    let i = if b[0] == b'.' { 2 } else { 1 };
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).expect("ascii")
}

/// `waxseal serve` and the Flask twin on one fresh keyring, and a client.
struct Pair {
    dir: tempfile::TempDir,
    py: std::path::PathBuf,
    serve: Serve,
    flask: Flask,
    c: Client,
}

impl Pair {
    /// `None` (a loud skip) without the Python reference, unless it is required.
    fn start() -> Option<Pair> {
        let py = python("serve_flask_live")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let ring = new_keyring(dir.path());
        let serve = Serve::start(&ring, &[]);
        let flask = Flask::start(&py, &ring);
        Some(Pair {
            dir,
            py,
            serve,
            flask,
            c: client(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_cross_both_ways_and_bad_cookies_give_empty_sessions() {
    let Some(Pair {
        dir: _dir,
        py: _py,
        serve,
        flask,
        c,
    }) = Pair::start()
    else {
        return;
    };

    // Flask writes unicode and nested data; waxseal reads exactly what Flask reads.
    let data =
        json!({"name": "Zoë 🦀 \u{2028}", "nested": {"a": [1, 2.5, {"b": null}], "t": true}});
    let resp = post_json(&c, flask.url("/api/session"), None, data.clone()).await;
    let f1 = set_cookie(&resp, COOKIE).expect("Flask set the cookie");
    assert_eq!(body(resp).await, data);
    let seen_by_rust = body(get(&c, serve.url("/api/session"), &f1).await).await;
    assert_eq!(seen_by_rust, data);

    // waxseal writes on top of Flask's cookie; Flask reads it back.
    let resp = get(&c, serve.url("/api/visit"), &f1).await;
    let w1 = set_cookie(&resp, COOKIE).expect("waxseal set the cookie");
    assert_eq!(body(resp).await, json!({"visits": 1}));
    let mut expected = data.clone();
    expected["visits"] = json!(1);
    assert_eq!(
        body(get(&c, flask.url("/api/session"), &w1).await).await,
        expected
    );

    // The counter alternates between the two servers without losing a step.
    let resp = get(&c, flask.url("/api/visit"), &w1).await;
    let f2 = set_cookie(&resp, COOKIE).expect("Flask re-set the cookie");
    assert_eq!(body(resp).await, json!({"visits": 2}));
    let resp = get(&c, serve.url("/api/visit"), &f2).await;
    let w2 = set_cookie(&resp, COOKIE).expect("waxseal re-set the cookie");
    assert_eq!(body(resp).await, json!({"visits": 3}));

    // Flashes written by Flask are shown (once) by waxseal, and the other way round.
    let resp = post_json(
        &c,
        flask.url("/api/flash"),
        Some(&w2),
        json!({"category": "info", "message": "from Flask ✓"}),
    )
    .await;
    let f3 = set_cookie(&resp, COOKIE).expect("flash stored");
    let resp = get(&c, serve.url("/api/flashes"), &f3).await;
    let w3 = set_cookie(&resp, COOKIE).expect("flashes taken");
    assert_eq!(body(resp).await, json!([["info", "from Flask ✓"]]));
    assert_eq!(
        body(get(&c, flask.url("/api/flashes"), &w3).await).await,
        json!([]),
        "a flash is shown once"
    );
    let resp = post_json(
        &c,
        serve.url("/api/flash"),
        Some(&w3),
        json!({"category": "warning", "message": "from Rust"}),
    )
    .await;
    let w4 = set_cookie(&resp, COOKIE).expect("flash stored");
    assert_eq!(
        body(get(&c, flask.url("/api/flashes"), &w4).await).await,
        json!([["warning", "from Rust"]])
    );

    // Tampered, garbage and truncated cookies: an empty session and 200 on both sides.
    for bad in [
        tamper(&w4),
        tamper(&f3),
        "garbage".to_owned(),
        w4[..w4.len() - 3].to_owned(),
        String::new(),
    ] {
        for url in [serve.url("/api/session"), flask.url("/api/session")] {
            assert_eq!(
                body(get(&c, url.clone(), &bad).await).await,
                json!({}),
                "{url} with {bad:?}"
            );
        }
    }
}

/// The attributes of a Set-Cookie header after the value, with the date of `Expires` blanked.
fn attributes(header: &str) -> Vec<String> {
    header
        .split("; ")
        .skip(1)
        .map(|a| {
            if a.starts_with("Expires=") {
                "Expires=<date>".to_owned()
            } else {
                a.to_owned()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_sessions_get_the_same_cookie_attributes_on_both_sides() {
    let Some(Pair {
        dir: _dir,
        py: _py,
        serve,
        flask,
        c,
    }) = Pair::start()
    else {
        return;
    };

    let resp = post_json(
        &c,
        serve.url("/api/session"),
        None,
        json!({"_permanent": true}),
    )
    .await;
    let rust_header = set_cookie_header(&resp, COOKIE).expect("set");
    let w = set_cookie(&resp, COOKIE).expect("set");
    let resp = post_json(
        &c,
        flask.url("/api/session"),
        None,
        json!({"_permanent": true}),
    )
    .await;
    let flask_header = set_cookie_header(&resp, COOKIE).expect("set");
    assert_eq!(attributes(&rust_header), attributes(&flask_header));
    assert!(rust_header.contains("; Expires="), "{rust_header}");

    // Each side refreshes the other's permanent cookie on a read (SESSION_REFRESH_EACH_REQUEST).
    let resp = get(&c, flask.url("/api/session"), &w).await;
    let refreshed = set_cookie_header(&resp, COOKIE).expect("Flask refreshes the permanent cookie");
    assert_eq!(attributes(&refreshed), attributes(&flask_header));
    let f = set_cookie(&resp, COOKIE).expect("set");
    let resp = get(&c, serve.url("/api/session"), &f).await;
    let refreshed = set_cookie_header(&resp, COOKIE).expect("waxseal refreshes it too");
    assert_eq!(attributes(&refreshed), attributes(&flask_header));
    assert_eq!(body(resp).await, json!({"_permanent": true}));

    // Both send Vary: Cookie when the session was read.
    let resp = get(&c, serve.url("/api/session"), &f).await;
    assert_eq!(
        resp.headers().get("vary").map(|v| v.as_bytes()),
        Some(&b"Cookie"[..])
    );
    let resp = get(&c, flask.url("/api/session"), &f).await;
    assert_eq!(
        resp.headers().get("vary").map(|v| v.as_bytes()),
        Some(&b"Cookie"[..])
    );

    // Clearing deletes the cookie with the same header on both sides.
    let resp = c
        .delete(serve.url("/api/session"))
        .header("cookie", format!("{COOKIE}={f}"))
        .send()
        .await
        .expect("DELETE");
    let rust_delete = set_cookie_header(&resp, COOKIE).expect("deleted");
    let resp = c
        .delete(flask.url("/api/session"))
        .header("cookie", format!("{COOKIE}={f}"))
        .send()
        .await
        .expect("DELETE");
    let flask_delete = set_cookie_header(&resp, COOKIE).expect("deleted");
    assert_eq!(rust_delete, flask_delete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_keeps_old_cookies_valid_and_resigns_them_on_both_sides() {
    let Some(py) = python("serve_flask_live") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let ring_path = new_keyring(dir.path());
    let serve = Serve::start(&ring_path, &[]);
    let c = client();

    let resp = get(&c, serve.url("/api/visit"), "").await;
    let old_cookie = set_cookie(&resp, COOKIE).expect("set");
    let before = Keyring::load(&ring_path, KeyPolicy::RefuseWeak)
        .expect("keyring")
        .0;
    assert_eq!(signed_with(&before, &old_cookie), Some(0));

    rotate_keyring(&ring_path);
    let after = Keyring::load(&ring_path, KeyPolicy::RefuseWeak)
        .expect("keyring")
        .0;
    assert_eq!(
        signed_with(&after, &old_cookie),
        Some(1),
        "now a fallback's cookie"
    );
    serve.proc.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = Vec::new();
    while !log.iter().any(|l: &String| l.contains("reloaded")) {
        assert!(Instant::now() < deadline, "no reload logged: {log:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        log.extend(serve.proc.drain_log());
    }

    // Flask (started after the rotation: it has no live reload) and waxseal (not restarted)
    // both accept the old cookie, keep its data, and answer with a cookie signed by the new key.
    let flask = Flask::start(&py, &ring_path);
    for url in [serve.url("/api/visit"), flask.url("/api/visit")] {
        let resp = get(&c, url.clone(), &old_cookie).await;
        let fresh = set_cookie(&resp, COOKIE).expect("re-signed");
        assert_eq!(body(resp).await, json!({"visits": 2}), "{url}");
        assert_eq!(signed_with(&after, &fresh), Some(0), "{url}: new key");
    }
}
