//! Flask 3.1.3's session tests from `tests/test_basic.py`, ported as facts: the same inputs and
//! expected outcomes, expressed through waxseal's codec, `Session` and save rules. Each Flask
//! request is modelled as open → view → save.
//!
//! Not ported (framework plumbing, not session format or rules): `test_session_stored_last`
//! (after_request ordering), `test_missing_session` (Flask's NullSession error when no secret key
//! is set; waxseal cannot build a codec without a key), `test_session_using_application_root`
//! (WSGI SCRIPT_NAME middleware; the resulting Path rule is covered by `session_path`).

use waxseal::flask::cookie::{CookieSettings, OversizeCookie, SameSite, DEFAULT_LIFETIME_SECS};
use waxseal::flask::session::{FlaskSessionCodec, SaveOutcome, Session};
use waxseal::flask::{DateTime, Dict, Value};
use waxseal::secret::{KeyPolicy, Keyring, SecretKey};

const NOW: u64 = 1_700_000_000;

fn ring(current: &str, fallbacks: &[&str]) -> Keyring {
    Keyring::new(
        SecretKey::from_text(current),
        fallbacks.iter().map(|k| SecretKey::from_text(k)).collect(),
        KeyPolicy::AllowWeak,
    )
    .unwrap()
}

/// A tiny "client": keeps the cookie between requests, as Flask's test client does.
struct Client {
    codec: FlaskSessionCodec,
    cookie: Option<String>,
}

impl Client {
    fn new(codec: FlaskSessionCodec) -> Client {
        Client {
            codec,
            cookie: None,
        }
    }

    /// One request: open the session, run the view, save. Returns the view's result and what
    /// was sent.
    fn request<T>(&mut self, view: impl FnOnce(&mut Session) -> T) -> (T, SaveOutcome, Session) {
        let mut session = self.codec.open_at(self.cookie.as_deref(), NOW);
        let out = view(&mut session);
        let saved = self.codec.save_at(&session, NOW).unwrap();
        if let Some(header) = &saved.set_cookie {
            let value = header
                .split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_string();
            self.cookie = (!value.is_empty()).then_some(value);
        }
        (out, saved, session)
    }
}

#[test]
fn session_accessed_sets_vary_only_when_the_view_uses_the_session() {
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    let (_, out, s) = c.request(|_| ());
    assert!(!out.vary_cookie && !s.is_accessed() && !s.is_modified());
    let (_, out, s) = c.request(|s| s.insert("value", Value::from("42")));
    assert!(out.vary_cookie && s.is_accessed() && s.is_modified());
    let (v, out, s) = c.request(|s| s.get("value").cloned());
    assert_eq!(v, Some(Value::from("42")));
    assert!(out.vary_cookie && s.is_accessed() && !s.is_modified());
    let (_, out, s) = c.request(|_| ());
    assert!(!out.vary_cookie && !s.is_accessed() && !s.is_modified());
}

#[test]
fn session_path_comes_from_application_root() {
    let settings = CookieSettings {
        path: "/foo".into(),
        ..CookieSettings::default()
    };
    let mut c = Client::new(FlaskSessionCodec::with_settings(
        &ring("test key", &[]),
        settings,
    ));
    let (_, out, _) = c.request(|s| s.insert("testing", Value::from(42)));
    assert!(out.set_cookie.unwrap().to_lowercase().contains("path=/foo"));
}

#[test]
fn session_using_session_settings_on_set_and_on_clear() {
    let settings = CookieSettings {
        domain: Some(".example.com".into()),
        http_only: false,
        secure: true,
        partitioned: true,
        same_site: SameSite::parse("Lax"),
        path: "/".into(),
        ..CookieSettings::default()
    };
    let mut c = Client::new(FlaskSessionCodec::with_settings(
        &ring("test key", &[]),
        settings,
    ));
    let (_, out, _) = c.request(|s| s.insert("testing", Value::from(42)));
    let cookie = out.set_cookie.unwrap().to_lowercase();
    for part in [
        "domain=example.com",
        "path=/",
        "secure",
        "samesite",
        "partitioned",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("httponly"));
    let (_, out, _) = c.request(|s| s.remove("testing"));
    let cookie = out.set_cookie.unwrap().to_lowercase();
    for part in [
        "session=;",
        "domain=example.com",
        "path=/",
        "secure",
        "samesite",
        "partitioned",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
}

#[test]
fn session_using_samesite_attribute_values() {
    assert_eq!(
        SameSite::parse("invalid"),
        None,
        "Werkzeug raises ValueError"
    );
    for (value, expected) in [
        (None, None),
        (Some("Strict"), Some("samesite=strict")),
        (Some("Lax"), Some("samesite=lax")),
    ] {
        let settings = CookieSettings {
            same_site: value.and_then(SameSite::parse),
            ..CookieSettings::default()
        };
        let mut c = Client::new(FlaskSessionCodec::with_settings(
            &ring("test key", &[]),
            settings,
        ));
        let (_, out, _) = c.request(|s| s.insert("testing", Value::from(42)));
        let cookie = out.set_cookie.unwrap().to_lowercase();
        match expected {
            None => assert!(!cookie.contains("samesite")),
            Some(e) => assert!(cookie.contains(e)),
        }
    }
}

#[test]
fn session_secret_key_fallbacks_rotation() {
    let dict_a: Dict = [("a".to_string(), Value::from(1))].into_iter().collect();
    let mut c = Client::new(FlaskSessionCodec::new(&ring(
        "0 key",
        &["-1 key", "-2 key"],
    )));
    c.request(|s| s.insert("a", Value::from(1)));
    assert_eq!(c.request(|s| s.data().clone()).0, dict_a);
    // Change the secret key: the session cannot be loaded and appears empty.
    let cookie = c.cookie.clone();
    let mut other = Client::new(FlaskSessionCodec::new(&ring("? key", &[])));
    other.cookie = cookie.clone();
    assert!(other.request(|s| s.data().clone()).0.is_empty());
    // Rotate: the old current key is now a fallback and the session loads.
    let mut rotated = Client::new(FlaskSessionCodec::new(&ring(
        "+1 key",
        &["0 key", "-1 key"],
    )));
    rotated.cookie = cookie;
    assert_eq!(rotated.request(|s| s.data().clone()).0, dict_a);
}

#[test]
fn session_expiration_for_permanent_and_browser_sessions() {
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    let (_, out, _) = c.request(|s| {
        s.insert("test", Value::from(42));
        s.set_permanent(true);
    });
    let header = out.set_cookie.unwrap();
    let expected = waxseal::flask::cookie::http_date((NOW + DEFAULT_LIFETIME_SECS) as i64);
    assert!(header.contains(&format!("Expires={expected}")), "{header}");
    assert!(c.request(|s| s.is_permanent()).0);
    let (_, out, _) = c.request(|s| {
        s.insert("test", Value::from(42));
        s.set_permanent(false);
    });
    assert!(!out.set_cookie.unwrap().to_lowercase().contains("expires="));
}

#[test]
fn session_special_types_survive_a_round_trip() {
    let the_uuid = [
        0x6a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x40, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8,
        0xf9,
    ];
    let now = DateTime::from_unix_seconds(NOW as i64).unwrap();
    let t_tag: Dict = [(" t".to_string(), Value::from("not-a-tuple"))]
        .into_iter()
        .collect();
    let di_t_tag: Dict = [(" t__".to_string(), Value::from("not-a-tuple"))]
        .into_iter()
        .collect();
    let di_tag: Dict = [(" di".to_string(), Value::from("not-a-dict"))]
        .into_iter()
        .collect();
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    c.request(|s| {
        s.insert(
            "t",
            Value::Tuple(vec![Value::from(1), Value::from(2), Value::from(3)]),
        );
        s.insert("b", Value::Bytes(vec![0xff]));
        s.insert("m", Value::Markup("<html>".into()));
        s.insert("u", Value::Uuid(the_uuid));
        s.insert("d", Value::DateTime(now));
        s.insert("t_tag", Value::Dict(t_tag.clone()));
        s.insert("di_t_tag", Value::Dict(di_t_tag.clone()));
        s.insert("di_tag", Value::Dict(di_tag.clone()));
    });
    let (data, _, _) = c.request(|s| s.data().clone());
    assert_eq!(
        data["t"],
        Value::Tuple(vec![Value::from(1), Value::from(2), Value::from(3)])
    );
    assert_eq!(data["b"], Value::Bytes(vec![0xff]));
    assert_eq!(data["m"], Value::Markup("<html>".into()));
    assert_eq!(data["u"], Value::Uuid(the_uuid));
    assert_eq!(data["d"], Value::DateTime(now));
    assert_eq!(data["t_tag"], Value::Dict(t_tag));
    assert_eq!(data["di_t_tag"], Value::Dict(di_t_tag));
    assert_eq!(data["di_tag"], Value::Dict(di_tag));
}

#[test]
fn session_cookie_setting_refresh_matrix() {
    for (permanent, refresh, expect_header) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (false, false, false),
    ] {
        let settings = CookieSettings {
            refresh_each_request: refresh,
            ..CookieSettings::default()
        };
        let mut c = Client::new(FlaskSessionCodec::with_settings(
            &ring("test key", &[]),
            settings,
        ));
        for expected in 1..=3 {
            let (n, _, _) = c.request(|s| {
                let n = s.get("foo").and_then(Value::as_i64).unwrap_or(0) + 1;
                s.insert("foo", Value::from(n));
                s.set_permanent(permanent);
                n
            });
            assert_eq!(n, expected);
        }
        let (n, out, _) = c.request(|s| s.get("foo").and_then(Value::as_i64).unwrap_or(0));
        assert_eq!(n, 3);
        assert_eq!(
            out.set_cookie.is_some(),
            expect_header,
            "permanent={permanent} refresh={refresh}"
        );
    }
}

#[test]
fn session_vary_cookie_for_each_kind_of_access() {
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    assert!(
        c.request(|s| s.insert("test", Value::from("test")))
            .1
            .vary_cookie,
        "set"
    );
    assert!(c.request(|s| s.get("test").cloned()).1.vary_cookie, "get");
    assert!(
        c.request(|s| s.get("test").cloned()).1.vary_cookie,
        "getitem"
    );
    assert!(
        c.request(|s| if s.get("test").is_none() {
            s.insert("test", Value::from("default"));
        })
        .1
        .vary_cookie,
        "setdefault"
    );
    assert!(c.request(|s| s.clear()).1.vary_cookie, "clear");
    assert!(!c.request(|_| ()).1.vary_cookie, "no access, no Vary");
}

#[test]
fn session_refresh_vary_for_permanent_sessions_even_when_ignored() {
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    let (_, out, _) = c.request(|s| {
        s.insert("user_id", Value::from(1));
        s.set_permanent(true);
    });
    assert!(out.vary_cookie);
    let (_, out, _) = c.request(|_| ());
    assert!(
        out.vary_cookie,
        "the refreshed cookie depends on the request's cookie"
    );
}

#[test]
fn flashes_mark_the_session_modified_each_time() {
    let mut s = Session::new();
    assert!(!s.is_modified());
    s.flash("message", "Zap");
    let mut s = Session::from_dict(s.data().clone()); // Flask's `session.modified = False`
    s.flash("message", "Zip");
    assert!(s.is_modified());
    let messages: Vec<Value> = s.take_flashes().into_iter().map(|(_, m)| m).collect();
    assert_eq!(messages, vec![Value::from("Zap"), Value::from("Zip")]);
}

#[test]
fn extended_flashing_keeps_categories_and_markup_across_requests() {
    let mut c = Client::new(FlaskSessionCodec::new(&ring("test key", &[])));
    c.request(|s| {
        s.flash("message", "Hello World");
        s.flash("error", "Hello World");
        s.flash("warning", Value::Markup("<em>Testing</em>".into()));
    });
    let (flashes, out, _) = c.request(|s| s.take_flashes());
    assert_eq!(
        flashes,
        vec![
            ("message".to_string(), Value::from("Hello World")),
            ("error".to_string(), Value::from("Hello World")),
            (
                "warning".to_string(),
                Value::Markup("<em>Testing</em>".into())
            ),
        ]
    );
    assert!(
        out.set_cookie.unwrap().starts_with("session=;"),
        "flashes consumed: the emptied session is deleted"
    );
    assert!(c.request(|s| s.take_flashes()).0.is_empty());
}

#[test]
fn max_cookie_size_is_configurable_and_zero_disables_it() {
    let mut s = Session::new();
    s.insert("foo", Value::from("bar".repeat(100).as_str()));
    let small = CookieSettings {
        max_size: 60,
        oversize: OversizeCookie::Warn,
        ..CookieSettings::default()
    };
    let out = FlaskSessionCodec::with_settings(&ring("test key", &[]), small)
        .save_at(&s, NOW)
        .unwrap();
    assert!(out
        .warning
        .unwrap()
        .to_string()
        .contains("cookie is too large"));
    let off = CookieSettings {
        max_size: 0,
        ..CookieSettings::default()
    };
    let out = FlaskSessionCodec::with_settings(&ring("test key", &[]), off)
        .save_at(&s, NOW)
        .unwrap();
    assert!(out.warning.is_none() && out.set_cookie.is_some());
}

#[test]
fn permanent_flag_uses_python_truthiness_like_flask() {
    // Facts from Flask 3.1.3: SecureCookieSession({"_permanent": v}).permanent is truthy for
    // 1 and "no", falsy for 0, "", [], 0.0 and None.
    for (v, expected) in [
        (Value::from(1), true),
        (Value::from("no"), true),
        (Value::from(0), false),
        (Value::from(""), false),
        (Value::List(vec![]), false),
        (Value::Float(0.0), false),
        (Value::Null, false),
    ] {
        let s = Session::from_dict(
            [("_permanent".to_string(), v.clone())]
                .into_iter()
                .collect(),
        );
        assert_eq!(s.is_permanent(), expected, "{v:?}");
        assert_eq!(s.state().permanent, expected, "{v:?}");
    }
}
