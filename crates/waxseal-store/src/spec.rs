//! [`StoreSpec`]: where sessions live, as written on the command line
//! (`waxseal serve --store ...`), and [`open`] to get the store.
//!
//! | text | meaning |
//! |------|---------|
//! | `cookie` | signed-cookie sessions (Flask's default): the data is in the cookie, no store |
//! | `encrypted-cookie` | the same, encrypted: still no store |
//! | `memory` | [`MemoryStore`](crate::MemoryStore), this process only |
//! | `sqlite:PATH` | [`SqliteStore`](crate::SqliteStore) on the file PATH (created if missing) |
//! | `redis://HOST:PORT[/DB]` | [`RedisStore`](crate::RedisStore), standalone (also `valkey://`; `user:password@` allowed) |
//! | `redis+cluster://HOST:PORT,HOST:PORT,...` | [`RedisStore`](crate::RedisStore) on a Redis Cluster; the listed nodes are seeds |
//!
//! The two cookie kinds parse to their own variants ([`StoreSpec::is_server_side`] is false)
//! so one `--store` option covers every kind; the session layer handles them itself, and
//! [`open`] refuses them with [`StoreError::Config`].
//!
//! Display and Debug hide a password in a Redis URL, so a spec can be logged.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use crate::{MemoryStore, SessionStore, StoreError};

/// Where sessions live (see the module docs for the accepted texts).
#[derive(Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// Signed-cookie sessions: the data is in the cookie.
    Cookie,
    /// Encrypted-cookie sessions: the data is in the cookie, encrypted.
    EncryptedCookie,
    /// In this process's memory.
    Memory,
    /// In an SQLite file.
    Sqlite(PathBuf),
    /// In a standalone Redis, by URL (`redis://` or `valkey://`).
    Redis(String),
    /// In a Redis Cluster, by seed node URLs (`redis://HOST:PORT` each).
    RedisCluster(Vec<String>),
}

const FORMS: &str = "cookie, encrypted-cookie, memory, sqlite:PATH, redis://HOST:PORT[/DB] \
                     or redis+cluster://HOST:PORT,HOST:PORT,...";

fn bad(text: &str, why: &str) -> StoreError {
    StoreError::Config(format!(
        "session store {:?}: {why} (expected {FORMS})",
        redact(text)
    ))
}

/// `scheme://user:password@host...` with the password replaced by `***`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    // Each comma-separated node of a cluster list may carry credentials.
    let nodes: Vec<String> = rest
        .split(',')
        .map(|node| match node.rfind('@') {
            Some(at) => match node[..at].find(':') {
                Some(colon) => format!("{}:***{}", &node[..colon], &node[at..]),
                None => node.to_string(),
            },
            None => node.to_string(),
        })
        .collect();
    format!("{}{}", &url[..scheme_end + 3], nodes.join(","))
}

#[cfg(feature = "redis")]
fn check_redis_url(text: &str, url: &str) -> Result<(), StoreError> {
    use redis::IntoConnectionInfo;
    url.into_connection_info()
        .map(|_| ())
        .map_err(|e| bad(text, &e.to_string()))
}

#[cfg(not(feature = "redis"))]
fn check_redis_url(_text: &str, _url: &str) -> Result<(), StoreError> {
    Ok(())
}

impl StoreSpec {
    /// Parses a store text (see the module docs).
    pub fn parse(text: &str) -> Result<StoreSpec, StoreError> {
        match text {
            "cookie" => return Ok(StoreSpec::Cookie),
            "encrypted-cookie" => return Ok(StoreSpec::EncryptedCookie),
            "memory" => return Ok(StoreSpec::Memory),
            _ => {}
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(bad(text, "no file path after sqlite:"));
            }
            if path.starts_with("//") {
                // sqlite://x would silently mean the file /x (or a network path).
                return Err(bad(
                    text,
                    "write sqlite:/absolute/path or sqlite:relative/path, not sqlite://",
                ));
            }
            return Ok(StoreSpec::Sqlite(PathBuf::from(path)));
        }
        if let Some(nodes) = text.strip_prefix("redis+cluster://") {
            let mut urls = Vec::new();
            for node in nodes.split(',') {
                if node.is_empty() {
                    return Err(bad(text, "empty node in the cluster list"));
                }
                if node.contains('/') {
                    return Err(bad(
                        text,
                        "a cluster node is HOST:PORT (Redis Cluster has no database numbers)",
                    ));
                }
                let url = format!("redis://{node}");
                check_redis_url(text, &url)?;
                urls.push(url);
            }
            return Ok(StoreSpec::RedisCluster(urls));
        }
        if text.starts_with("redis://") || text.starts_with("valkey://") {
            if text.ends_with("://") {
                return Err(bad(text, "no host"));
            }
            check_redis_url(text, text)?;
            return Ok(StoreSpec::Redis(text.to_string()));
        }
        Err(bad(text, "unknown kind"))
    }

    /// False for the cookie kinds (the data is in the cookie, there is no store to open).
    pub fn is_server_side(&self) -> bool {
        !matches!(self, StoreSpec::Cookie | StoreSpec::EncryptedCookie)
    }
}

impl FromStr for StoreSpec {
    type Err = StoreError;
    fn from_str(text: &str) -> Result<StoreSpec, StoreError> {
        StoreSpec::parse(text)
    }
}

/// The text form, with any password hidden (parsing it back gives the same spec only when
/// there was no password).
impl fmt::Display for StoreSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreSpec::Cookie => f.write_str("cookie"),
            StoreSpec::EncryptedCookie => f.write_str("encrypted-cookie"),
            StoreSpec::Memory => f.write_str("memory"),
            StoreSpec::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreSpec::Redis(url) => f.write_str(&redact(url)),
            StoreSpec::RedisCluster(urls) => {
                let nodes: Vec<String> = urls
                    .iter()
                    .map(|u| redact(u).trim_start_matches("redis://").to_string())
                    .collect();
                write!(f, "redis+cluster://{}", nodes.join(","))
            }
        }
    }
}

impl fmt::Debug for StoreSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreSpec({self})")
    }
}

/// Settings for the stores [`open_with`] opens.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// For `sqlite:`.
    #[cfg(feature = "sqlite")]
    pub sqlite: crate::SqliteConfig,
    /// For `redis://` and `redis+cluster://`.
    #[cfg(feature = "redis")]
    pub redis: crate::RedisConfig,
}

/// Opens the store `spec` names, with default settings. Must be called inside a Tokio runtime.
/// Fails with `Config` for the cookie kinds and for kinds this build leaves out, and with
/// `Unavailable` when the store cannot be reached now.
pub async fn open(spec: &StoreSpec) -> Result<Arc<dyn SessionStore>, StoreError> {
    open_with(spec, &StoreOptions::default()).await
}

/// Opens the store `spec` names, with `options`.
pub async fn open_with(
    spec: &StoreSpec,
    options: &StoreOptions,
) -> Result<Arc<dyn SessionStore>, StoreError> {
    let _ = options; // unused when both server stores are compiled out
    match spec {
        StoreSpec::Cookie | StoreSpec::EncryptedCookie => Err(StoreError::Config(format!(
            "{spec}: the session data travels in the cookie; there is no server-side store to open"
        ))),
        StoreSpec::Memory => Ok(Arc::new(MemoryStore::new())),
        #[cfg(feature = "sqlite")]
        StoreSpec::Sqlite(path) => Ok(Arc::new(
            crate::SqliteStore::open_with(path, options.sqlite.clone()).await?,
        )),
        #[cfg(feature = "redis")]
        StoreSpec::Redis(url) => Ok(Arc::new(
            crate::RedisStore::connect(url, options.redis.clone()).await?,
        )),
        #[cfg(feature = "redis")]
        StoreSpec::RedisCluster(nodes) => Ok(Arc::new(
            crate::RedisStore::connect_cluster(nodes, options.redis.clone()).await?,
        )),
        #[allow(unreachable_patterns)]
        other => Err(StoreError::Config(format!(
            "{other}: this build of waxseal-store leaves that store out (cargo feature)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(StoreSpec::parse("cookie").unwrap(), StoreSpec::Cookie);
        assert_eq!(
            StoreSpec::parse("encrypted-cookie").unwrap(),
            StoreSpec::EncryptedCookie
        );
        assert_eq!(StoreSpec::parse("memory").unwrap(), StoreSpec::Memory);
        assert_eq!(
            StoreSpec::parse("sqlite:/var/lib/app/s.db").unwrap(),
            StoreSpec::Sqlite("/var/lib/app/s.db".into())
        );
        assert_eq!(
            StoreSpec::parse("sqlite:sessions.db").unwrap(),
            StoreSpec::Sqlite("sessions.db".into())
        );
        assert_eq!(
            StoreSpec::parse("redis://127.0.0.1:6379/2").unwrap(),
            StoreSpec::Redis("redis://127.0.0.1:6379/2".into())
        );
        assert_eq!(
            StoreSpec::parse("redis+cluster://10.0.0.1:7000,10.0.0.2:7001").unwrap(),
            StoreSpec::RedisCluster(vec![
                "redis://10.0.0.1:7000".into(),
                "redis://10.0.0.2:7001".into()
            ])
        );
        assert!(!StoreSpec::Cookie.is_server_side());
        assert!(!StoreSpec::EncryptedCookie.is_server_side());
        assert!(StoreSpec::Memory.is_server_side());
        assert!(StoreSpec::Sqlite("x".into()).is_server_side());
    }

    #[test]
    fn display_round_trips_and_hides_passwords() {
        for text in [
            "cookie",
            "encrypted-cookie",
            "memory",
            "sqlite:/tmp/s.db",
            "redis://127.0.0.1:6379",
            "redis://127.0.0.1:6379/3",
            "redis+cluster://127.0.0.1:7000,127.0.0.1:7001",
        ] {
            assert_eq!(StoreSpec::parse(text).unwrap().to_string(), text);
        }
        let spec = StoreSpec::parse("redis://app:s3cret@127.0.0.1:6379/1").unwrap();
        assert_eq!(spec.to_string(), "redis://app:***@127.0.0.1:6379/1");
        assert!(!format!("{spec:?}").contains("s3cret"));
        let spec = StoreSpec::parse("redis+cluster://:pw1@h1:7000,:pw2@h2:7001").unwrap();
        assert_eq!(
            spec.to_string(),
            "redis+cluster://:***@h1:7000,:***@h2:7001"
        );
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for text in [
            "",
            "Cookie",
            "sqlite:",
            "sqlite://tmp/x.db",
            "redis://",
            "redis+cluster://",
            "redis+cluster://a:1,,b:2",
            "redis+cluster://a:1/2",
            "http://127.0.0.1:6379",
            "postgres://x",
            "mem",
        ] {
            let err = StoreSpec::parse(text).unwrap_err();
            assert!(matches!(err, StoreError::Config(_)), "{text}: {err}");
        }
        let err = StoreSpec::parse("redis://:hunter2@").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[tokio::test]
    async fn open_refuses_cookie_kinds_and_opens_memory() {
        for spec in [StoreSpec::Cookie, StoreSpec::EncryptedCookie] {
            let err = open(&spec).await.err().unwrap();
            assert!(matches!(err, StoreError::Config(_)), "{err}");
        }
        let store = open(&StoreSpec::Memory).await.unwrap();
        assert!(store.describe().starts_with("memory"));
    }
}
