//! Publicly known Flask `SECRET_KEY` values: framework defaults, documentation and tutorial
//! examples. Servers still run with these, so they are worth trying before any wordlist.

/// Framework and product defaults shipped in configuration files.
const FRAMEWORK_DEFAULTS: &[&[u8]] = &[
    // Apache Superset: the default SECRET_KEY in superset/config.py before 2.1
    // (CVE-2023-27524). The `\e\y\y\h` are literal backslashes in the Python source's raw bytes.
    b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h",
    // Apache Superset: later config.py default and the docker/helm chart values.
    b"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
    b"thisISaSECRET_1234",
    b"YOUR_OWN_RANDOM_GENERATED_SECRET_KEY",
    b"TEST_NON_DEV_SECRET",
    // Apache Airflow: `[webserver] secret_key` default in older airflow.cfg templates.
    b"temporary_key",
    // Assorted docker-compose / Helm chart examples.
    b"not-so-secret",
    b"super secret key",
];

/// Values from Flask's own documentation and its tutorial (Flaskr) over the years.
const FLASK_DOCUMENTATION: &[&[u8]] = &[
    b"dev",
    b"development key",
    b"development",
    b"secret",
    b"secret-key",
    b"secret_key",
    b"SECRET_KEY",
    b"your-secret-key",
    b"super-secret",
    b"supersecretkey",
    b"super_secret_key",
    // Flask docs "How to generate good secret keys": b'_5#y2L"F4Q8z\n\xec]/' as bytes, and the
    // same text pasted as a str literal (U+00EC encoded as UTF-8).
    b"_5#y2L\"F4Q8z\n\xec]/",
    b"_5#y2L\"F4Q8z\n\xc3\xac]/",
    // Old Flask docs (sessions example).
    b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT",
    b"default",
    b"flask",
    b"test",
    b"testing",
    b"key",
];

/// Values from popular tutorials (Miguel Grinberg's Mega-Tutorial and Flask Web Development,
/// Real Python, DigitalOcean, Flask-Login/Flask-WTF/Flask-Security examples, Stack Overflow).
const TUTORIALS: &[&[u8]] = &[
    b"you-will-never-guess",
    b"hard to guess string",
    b"mysecret",
    b"my_secret_key",
    b"mysecretkey",
    b"my-secret-key",
    b"my secret key",
    b"secretkey",
    b"secret key",
    b"s3cr3t",
    b"changeme",
    b"change-me",
    b"change_me",
    b"changethis",
    b"password",
    b"admin",
    b"1234567890",
    b"123456",
    b"12345",
    b"1234",
    b"qwerty",
    b"abc123",
    b"this-is-a-secret",
    b"this is a secret",
    b"thisisasecret",
    b"thisisasecretkey",
    b"this-really-needs-to-be-changed",
    b"some-secret-key",
    b"somesecretkey",
    b"random",
    b"randomkey",
    b"random_secret_key",
    b"top secret",
    b"topsecret",
    b"verysecret",
    b"very-secret",
    b"secret123",
    b"secretkey123",
    b"app_secret",
    b"flask-secret",
    b"flask_secret_key",
    b"FLASK_SECRET_KEY",
    b"session-secret",
    b"cookie-secret",
    b"keyboard cat",
    b"ThisIsASecretKey",
    b"SuperSecretKey",
    b"sekrit",
    b"shhh",
    b"",
];

/// The built-in list of publicly known Flask keys, in the order they are tried.
///
/// ```
/// let keys = waxseal_crack::builtin_candidates();
/// assert!(keys.contains(&&b"dev"[..]));
/// assert!(keys.contains(&&b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h"[..]));
/// ```
pub fn builtin_candidates() -> Vec<&'static [u8]> {
    let mut seen = std::collections::HashSet::new();
    FRAMEWORK_DEFAULTS
        .iter()
        .chain(FLASK_DOCUMENTATION)
        .chain(TUTORIALS)
        .copied()
        .filter(|k| seen.insert(*k))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn superset_default_has_literal_backslashes_not_escapes() {
        let superset = super::builtin_candidates()[0];
        assert_eq!(superset.len(), 2 + 16 + 2 + 8);
        assert!(superset.ends_with(br"\e\y\y\h"));
    }

    #[test]
    fn builtin_list_has_no_duplicates() {
        let keys = super::builtin_candidates();
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
    }
}
