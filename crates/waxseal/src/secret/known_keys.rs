//! Secret keys that are publicly known: framework defaults, sample configs, tutorials and
//! documentation examples.
//!
//! Anyone can sign a Flask session with one of these, so a deployment using one is as good as
//! unauthenticated (tools like `flask-unsign` try exactly such lists). Matching is exact on the
//! bytes, ignoring ASCII case (`Secret` is no better than `secret`). Each group names its source so
//! the refusal message can say where the key was published.

/// One publicly known key and where it was published.
pub(crate) struct KnownKey {
    /// The key bytes as the framework or document uses them.
    pub(crate) bytes: &'static [u8],
    /// Where it was published, shown in the refusal message.
    pub(crate) source: &'static str,
}

const fn k(bytes: &'static [u8], source: &'static str) -> KnownKey {
    KnownKey { bytes, source }
}

const SUPERSET: &str = "Apache Superset / Flask-AppBuilder default or sample config";
const AIRFLOW: &str = "Apache Airflow default";
const REDASH: &str = "Redash default cookie secret";
const FLASK_DOCS: &str = "Flask documentation example";
const TUTORIAL: &str = "Flask tutorial or book example";
const EXT_DOCS: &str = "Flask extension or template example";
const GENERIC: &str = "common placeholder secret";
const HARDCODED: &str =
    "placeholder found hard-coded in public repositories (flask-unsign-wordlist 2024.1)";

pub(crate) static KNOWN_KEYS: &[KnownKey] = &[
    // Apache Superset inherited Flask-AppBuilder's config template, whose SECRET_KEY is the Python
    // string '\2\1thisismyscretkey\1\2\e\y\y\h': \2 and \1 are octal escapes, while \e \y \y \h
    // are not escapes at all and stay backslash + letter. Later Superset releases replaced it with
    // placeholders that many deployments never changed (CVE-2023-27524).
    k(b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h", SUPERSET),
    k(b"CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", SUPERSET),
    k(b"thisISaSECRET_1234", SUPERSET),
    k(b"YOUR_OWN_RANDOM_GENERATED_SECRET_KEY", SUPERSET),
    k(b"TEST_NON_DEV_SECRET", SUPERSET),
    // Apache Airflow's webserver `secret_key` default in older releases.
    k(b"temporary_key", AIRFLOW),
    // Redash shipped a fixed cookie secret as its default (CVE-2021-41192).
    k(b"c292a0a3aa32397cdb050e233733900f", REDASH),
    // Flask's own documentation: the quickstart's sample key (current and 0.x), the session
    // example, and the tutorial's development default.
    k(b"_5#y2L\"F4Q8z\n\xec]/", FLASK_DOCS),
    // The same quickstart key pasted as a str instead of bytes (\xec encoded as UTF-8).
    k(b"_5#y2L\"F4Q8z\n\xc3\xac]/", FLASK_DOCS),
    k(b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT", FLASK_DOCS),
    k(b"super secret key", FLASK_DOCS),
    k(b"dev", FLASK_DOCS),
    k(b"development key", FLASK_DOCS),
    // Widely copied tutorials and books.
    k(b"you-will-never-guess", TUTORIAL),
    k(b"hard to guess string", TUTORIAL),
    k(b"development", TUTORIAL),
    k(b"secret-key-goes-here", TUTORIAL),
    k(b"your-secret-key", TUTORIAL),
    k(b"your_secret_key", TUTORIAL),
    k(b"your secret key", TUTORIAL),
    k(b"my-secret-key", TUTORIAL),
    k(b"my_secret_key", TUTORIAL),
    k(b"mysecretkey", TUTORIAL),
    k(b"my secret key", TUTORIAL),
    k(b"this-is-a-secret", TUTORIAL),
    k(b"this is a secret", TUTORIAL),
    k(b"thisisasecret", TUTORIAL),
    k(b"thisisasecretkey", TUTORIAL),
    k(b"this-really-needs-to-be-changed", TUTORIAL),
    k(b"some-secret-key", TUTORIAL),
    k(b"somesecretkey", TUTORIAL),
    k(b"keyboard cat", TUTORIAL),
    k(b"ThisIsASecretKey", TUTORIAL),
    k(b"SuperSecretKey", TUTORIAL),
    // Extension docs and project templates.
    k(b"super-secret", EXT_DOCS),
    k(b"not-so-secret", EXT_DOCS),
    k(
        b"This is an INSECURE secret!! DO NOT use this in production!!",
        EXT_DOCS,
    ),
    k(b"secret key", EXT_DOCS),
    // Generic placeholders that show up in sample .env files and quick experiments.
    k(b"secret", GENERIC),
    k(b"secret-key", GENERIC),
    k(b"secret_key", GENERIC),
    k(b"secretkey", GENERIC),
    k(b"supersecret", GENERIC),
    k(b"supersecretkey", GENERIC),
    k(b"super_secret_key", GENERIC),
    k(b"super-secret-key", GENERIC),
    k(b"mysecret", GENERIC),
    k(b"topsecret", GENERIC),
    k(b"top secret", GENERIC),
    k(b"s3cr3t", GENERIC),
    k(b"changeme", GENERIC),
    k(b"change-me", GENERIC),
    k(b"change_me", GENERIC),
    k(b"changethis", GENERIC),
    k(b"change-this", GENERIC),
    k(b"replace-me", GENERIC),
    k(b"password", GENERIC),
    k(b"default", GENERIC),
    k(b"key", GENERIC),
    k(b"test", GENERIC),
    k(b"testing", GENERIC),
    k(b"insecure", GENERIC),
    k(b"notsecret", GENERIC),
    k(b"flask", GENERIC),
    k(b"flask-secret-key", GENERIC),
    k(b"SECRET_KEY", GENERIC),
    k(b"admin", GENERIC),
    k(b"1234567890", GENERIC),
    k(b"123456", GENERIC),
    k(b"12345", GENERIC),
    k(b"1234", GENERIC),
    k(b"qwerty", GENERIC),
    k(b"abc123", GENERIC),
    k(b"random", GENERIC),
    k(b"randomkey", GENERIC),
    k(b"random_secret_key", GENERIC),
    k(b"verysecret", GENERIC),
    k(b"very-secret", GENERIC),
    k(b"secret123", GENERIC),
    k(b"secretkey123", GENERIC),
    k(b"app_secret", GENERIC),
    k(b"flask-secret", GENERIC),
    k(b"flask_secret_key", GENERIC),
    k(b"FLASK_SECRET_KEY", GENERIC),
    k(b"session-secret", GENERIC),
    k(b"cookie-secret", GENERIC),
    k(b"sekrit", GENERIC),
    k(b"shhh", GENERIC),
    // Template placeholders that deployments kept: each line is in flask-unsign-wordlist's
    // all.txt (keys collected from public repositories; checked against the pinned 2024.1).
    k(b"CHANGE THIS SECRET", HARDCODED),
    k(b"CHANGE_THIS_KEY_IF_RUNNING_PERSISTENTLY", HARDCODED),
    k(
        b"CHANGE_ME!!!! (P.S. the SECRET_KEY environment variable will be used, if set, instead).",
        HARDCODED,
    ),
    k(b"TODO CHANGE THIS TO TOP SECRET KEY", HARDCODED),
    k(b"REPLACE ME", HARDCODED),
    k(b"REPLACE_ME", HARDCODED),
    k(b"REPLACE THIS SECRET KEY", HARDCODED),
    k(
        b"REPLACE ME - this value is here as a placeholder.",
        HARDCODED,
    ),
    k(b"PLEASEREPLACETHIS", HARDCODED),
    k(b"<REPLACE ME>", HARDCODED),
    k(b"<your-secret>", HARDCODED),
    k(b"<<REPLACE_WITH_YOUR_KEY>>", HARDCODED),
    k(b"REPLACE_YOUR_KEY_HERE", HARDCODED),
    k(b"INSECURE-SECRET", HARDCODED),
    k(b"insecure-secret-key", HARDCODED),
    k(b"I am insecure.", HARDCODED),
    k(b"We are insecure", HARDCODED),
    k(b"My keys are so insecure right now.", HARDCODED),
    k(b"changeme_big_secret", HARDCODED),
    k(b"change this to Security.id(128) later", HARDCODED),
    k(
        b"This-is-our-super-secret-and-I-mean-top-secret-key",
        HARDCODED,
    ),
    k(b"!s3cr3t k3y!", HARDCODED),
    k(b"Mys3cr3tk3y", HARDCODED),
    k(b"S3cr3t!", HARDCODED),
    k(b"s3cr3tk3y", HARDCODED),
    k(b"pbkdf2:sha256", HARDCODED),
];

/// The publication source of `key` if it is a publicly known key (ASCII case ignored).
pub(crate) fn lookup(key: &[u8]) -> Option<&'static str> {
    KNOWN_KEYS
        .iter()
        .find(|known| known.bytes.eq_ignore_ascii_case(key))
        .map(|known| known.source)
}

/// How many keys the built-in list holds (for documentation and tests).
pub(crate) fn count() -> usize {
    KNOWN_KEYS.len()
}

/// Every publicly known key with where it was published, in list order: the one list that both
/// the strength check and `waxseal crack` use.
///
/// ```
/// let superset = waxseal::secret::known_keys().find(|(k, _)| k.starts_with(b"\x02\x01this"));
/// assert!(superset.unwrap().1.contains("Superset"));
/// ```
pub fn known_keys() -> impl Iterator<Item = (&'static [u8], &'static str)> {
    KNOWN_KEYS.iter().map(|k| (k.bytes, k.source))
}
