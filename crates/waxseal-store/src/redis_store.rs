//! [`RedisStore`]: sessions in Redis (standalone, or Redis Cluster), for several machines.
//!
//! # Layout
//!
//! One Redis hash per session, at `<prefix>{<id>}`, by default
//! `waxseal:session:{0123456789abcdef0123456789abcdef}`: field = session key, value = that key's
//! Flask tagged JSON text. The braces are a Redis Cluster hash tag, so every command for a
//! session hashes to one slot (and the prefix may not contain braces). The hash's Redis TTL is
//! the session lifetime; Redis itself removes expired sessions, so there is no purge task.
//!
//! # Consistency
//!
//! Only single-key commands are used, so the store works the same on standalone Redis, Redis
//! Cluster and Valkey. `save` is one Lua script on the session's key: HDEL the removed fields,
//! HSET the written ones, PEXPIRE the key; Redis runs a script atomically, so a save lands
//! whole, on top of whatever the hash holds at that moment (per-key merge), and for the same
//! field the last save wins. A hash whose last field is removed disappears (Redis deletes empty
//! hashes) and PEXPIRE on a missing key does nothing, so an empty save never creates a record.
//! `load` is one HGETALL (a missing key is `None`); `delete` is one DEL.
//!
//! Durability is Redis's: with the default snapshotting a restart may lose recent sessions; run
//! Redis with `appendonly yes` to keep them.
//!
//! # Failures
//!
//! Connecting and each response are bounded by [`RedisConfig::connect_timeout`] and
//! [`RedisConfig::response_timeout`] (1 s each by default), and every call as a whole by their
//! sum: an unreachable Redis gives [`StoreError::Unavailable`], never a hang. A call whose
//! connection turns out to be broken (say Redis restarted) is retried once on a new connection
//! within that bound; this is safe because every operation is idempotent. The connection
//! manager (standalone) and the cluster client reconnect by themselves, so the store works
//! again as soon as Redis is back.
//!
//! A call that gave up waiting may still have reached Redis and be applied when Redis catches
//! up (a frozen server answers its backlog when it resumes), so `Unavailable` means "outcome
//! unknown", as with any network store; the session layer answers 503 and the client retries.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, IntoConnectionInfo, Pipeline, RedisFuture, RedisResult, Value};

use crate::{Changes, Fields, SessionId, SessionStore, StoreError, StoreFuture};

/// The default key prefix; a session's hash is `waxseal:session:{<id>}`.
pub const DEFAULT_KEY_PREFIX: &str = "waxseal:session:";

/// Connection settings for [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// How long one connection attempt may take. Default 1 s.
    pub connect_timeout: Duration,
    /// How long one command may wait for its answer. Default 1 s.
    pub response_timeout: Duration,
    /// The key prefix (no `{` or `}`); the session id follows it in braces.
    pub key_prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            key_prefix: DEFAULT_KEY_PREFIX.to_string(),
        }
    }
}

/// Applies one request's changes to a session hash; see the module docs.
/// KEYS[1] = the hash; ARGV[1] = lifetime in ms; ARGV[2] = how many removed fields follow;
/// then the removed fields; then field, value pairs to write.
const SAVE_SCRIPT: &str = r"
local removed = tonumber(ARGV[2])
for i = 3, 2 + removed do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
for i = 3 + removed, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
";

/// The longest lifetime sent to Redis (about a century; PEXPIRE refuses overflowing times).
const MAX_TTL_MS: u128 = 100 * 365 * 24 * 3600 * 1000;

/// A standalone connection manager or a cluster connection; both reconnect by themselves.
#[derive(Clone)]
enum Connection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Standalone(c) => c.req_packed_command(cmd),
            Connection::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Standalone(c) => c.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Standalone(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
        }
    }
}

/// Sessions in Redis (see the module docs for layout, consistency and failures).
pub struct RedisStore {
    connection: Connection,
    key_prefix: String,
    call_timeout: Duration,
    place: String,
    save_script: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("place", &self.place)
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

fn config_error(e: redis::RedisError) -> StoreError {
    StoreError::Config(format!("Redis address: {e}"))
}

fn check_prefix(prefix: &str) -> Result<(), StoreError> {
    if prefix.contains(['{', '}']) {
        return Err(StoreError::Config(format!(
            "Redis key prefix {prefix:?} must not contain braces (the session id is the hash tag)"
        )));
    }
    Ok(())
}

/// Where a connection goes, for people: host, port and database, never the password.
fn place_of(info: &redis::ConnectionInfo) -> String {
    let db = info.redis_settings().db();
    if db == 0 {
        info.addr().to_string()
    } else {
        format!("{} db {db}", info.addr())
    }
}

fn is_broken_connection(e: &redis::RedisError) -> bool {
    e.is_unrecoverable_error() || e.is_connection_dropped() || e.is_io_error()
}

fn unreadable(e: &redis::RedisError) -> bool {
    use redis::{ErrorKind, ServerErrorKind};
    match e.kind() {
        ErrorKind::UnexpectedReturnType | ErrorKind::Parse => true,
        // Script errors and the like are not about the data.
        ErrorKind::Server(ServerErrorKind::ResponseError) | ErrorKind::Extension => {
            // WRONGTYPE: something other than a hash lives at a session key.
            e.code().is_some_and(|c| c == "WRONGTYPE")
        }
        _ => false,
    }
}

impl RedisStore {
    /// Connects to a standalone Redis at `url` (`redis://HOST:PORT[/DB]`, with optional
    /// `user:password@`). Fails with `Unavailable` if Redis does not answer a PING in time.
    pub async fn connect(url: &str, config: RedisConfig) -> Result<RedisStore, StoreError> {
        check_prefix(&config.key_prefix)?;
        let info = url.into_connection_info().map_err(config_error)?;
        let place = format!("Redis {}", place_of(&info));
        let client = redis::Client::open(info).map_err(config_error)?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.response_timeout))
            // No retry loop inside the manager: a refused connection fails the call at once
            // (a stopped Redis answers in well under a millisecond), and the next call starts
            // a new connection attempt, so the store is back as soon as Redis is.
            .set_number_of_retries(0)
            .set_max_delay(Duration::from_millis(500));
        let call_timeout = config.connect_timeout + config.response_timeout;
        let manager = tokio::time::timeout(
            call_timeout,
            ConnectionManager::new_with_config(client, manager_config),
        )
        .await
        .map_err(|_| {
            StoreError::Unavailable(format!("{place} did not answer within {call_timeout:?}"))
        })?
        .map_err(|e| StoreError::Unavailable(format!("{place}: {e}")))?;
        RedisStore::ready(Connection::Standalone(manager), config, place).await
    }

    /// Connects to a Redis Cluster through `nodes` (each `redis://HOST:PORT`; one reachable
    /// node is enough, the client discovers the others).
    pub async fn connect_cluster(
        nodes: &[String],
        config: RedisConfig,
    ) -> Result<RedisStore, StoreError> {
        check_prefix(&config.key_prefix)?;
        if nodes.is_empty() {
            return Err(StoreError::Config(
                "a Redis Cluster needs at least one node".into(),
            ));
        }
        let infos = nodes
            .iter()
            .map(|n| n.as_str().into_connection_info().map_err(config_error))
            .collect::<Result<Vec<_>, _>>()?;
        let place = format!(
            "Redis Cluster via {}",
            infos.iter().map(place_of).collect::<Vec<_>>().join(", ")
        );
        let call_timeout = config.connect_timeout + config.response_timeout;
        let client = redis::cluster::ClusterClient::builder(infos)
            .connection_timeout(config.connect_timeout)
            .response_timeout(config.response_timeout)
            .overall_response_timeout(Some(call_timeout))
            .retries(2)
            .build()
            .map_err(config_error)?;
        let connection = tokio::time::timeout(call_timeout, client.get_async_connection())
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!("{place} did not answer within {call_timeout:?}"))
            })?
            .map_err(|e| StoreError::Unavailable(format!("{place}: {e}")))?;
        RedisStore::ready(Connection::Cluster(connection), config, place).await
    }

    async fn ready(
        connection: Connection,
        config: RedisConfig,
        place: String,
    ) -> Result<RedisStore, StoreError> {
        let store = RedisStore {
            connection,
            key_prefix: config.key_prefix,
            call_timeout: config.connect_timeout + config.response_timeout,
            place,
            save_script: redis::Script::new(SAVE_SCRIPT),
        };
        let pong: String = store
            .call("PING", |mut c| async move {
                redis::cmd("PING").query_async(&mut c).await
            })
            .await?;
        if pong != "PONG" {
            return Err(StoreError::Unavailable(format!(
                "{} answered PING with {pong:?}",
                store.place
            )));
        }
        Ok(store)
    }

    /// The Redis key of a session's hash: `<prefix>{<id hex>}`.
    pub fn key_for(&self, id: &SessionId) -> String {
        format!("{}{{{}}}", self.key_prefix, id.to_hex())
    }

    /// Runs `op` on a clone of the connection, retrying once if the connection was broken, all
    /// within the call bound.
    async fn call<T, F, Fut>(&self, what: &str, op: F) -> Result<T, StoreError>
    where
        F: Fn(Connection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempts = async {
            match op(self.connection.clone()).await {
                Err(e) if is_broken_connection(&e) => {
                    tracing::debug!(error = %e, "{what}: Redis connection broken, retrying once");
                    op(self.connection.clone()).await
                }
                other => other,
            }
        };
        match tokio::time::timeout(self.call_timeout, attempts).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) if unreadable(&e) => {
                Err(StoreError::Corrupt(format!("{} {what}: {e}", self.place)))
            }
            Ok(Err(e)) => Err(StoreError::Unavailable(format!(
                "{} {what}: {e}",
                self.place
            ))),
            Err(_) => Err(StoreError::Unavailable(format!(
                "{} did not answer {what} within {:?}",
                self.place, self.call_timeout
            ))),
        }
    }
}

impl SessionStore for RedisStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Fields>> {
        let key = self.key_for(id);
        Box::pin(async move {
            let fields: Fields = self
                .call("HGETALL", |mut c| {
                    let key = &key;
                    async move { redis::cmd("HGETALL").arg(key).query_async(&mut c).await }
                })
                .await?;
            Ok(if fields.is_empty() {
                None
            } else {
                Some(fields)
            })
        })
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        changes: &'a Changes,
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        let key = self.key_for(id);
        let ttl_ms = u64::try_from(ttl.as_millis().min(MAX_TTL_MS)).unwrap_or(u64::MAX);
        Box::pin(async move {
            let mut invocation = self.save_script.prepare_invoke();
            invocation.key(&key).arg(ttl_ms).arg(changes.removed.len());
            for field in &changes.removed {
                invocation.arg(field);
            }
            for (field, value) in &changes.set {
                invocation.arg(field).arg(value);
            }
            let invocation = &invocation;
            let _: i64 = self
                .call("save", |mut c| async move {
                    invocation.invoke_async(&mut c).await
                })
                .await?;
            Ok(())
        })
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        let key = self.key_for(id);
        Box::pin(async move {
            let _: i64 = self
                .call("DEL", |mut c| {
                    let key = &key;
                    async move { redis::cmd("DEL").arg(key).query_async(&mut c).await }
                })
                .await?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!(
            "{}, one hash per session at {}{{<session id>}}",
            self.place, self.key_prefix
        )
    }
}
