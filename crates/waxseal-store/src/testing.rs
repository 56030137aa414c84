//! Test support: real `redis-server` processes on free loopback ports, in temporary
//! directories, killed and removed on drop. Used by this crate's tests and by the server's
//! live tests; it needs the `redis-server` and `redis-cli` programs (Debian package
//! `redis-server`, installed by `scripts/setup-system`). When they are missing, `start`
//! returns an error saying so: tests `expect` it and fail rather than skip.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STARTUP_LIMIT: Duration = Duration::from_secs(15);

/// A `redis-server` on 127.0.0.1 that this process started.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    aof: bool,
    cluster: bool,
    child: Option<Child>,
}

fn missing(program: &str, e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::NotFound {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{program} not found on PATH: install the Debian package redis-server \
                 (scripts/setup-system does)"
            ),
        )
    } else {
        e
    }
}

/// A free loopback port; with `bus`, also port + 10000 (a cluster node's bus port).
fn free_port(bus: bool) -> io::Result<u16> {
    for _ in 0..100 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        if !bus {
            return Ok(port);
        }
        if port <= 55535 && TcpListener::bind((Ipv4Addr::LOCALHOST, port + 10000)).is_ok() {
            return Ok(port);
        }
    }
    Err(io::Error::other("no free loopback port pair"))
}

fn fresh_dir() -> io::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
    let dir = std::env::temp_dir().join(format!(
        "waxseal-redis-{}-{nanos}-{}",
        std::process::id(),
        u64::from_le_bytes(random)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Sends one command as a RESP array to `127.0.0.1:port` and returns the raw reply text.
pub fn command(port: u16, args: &[&str]) -> io::Result<String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut request = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        request.extend_from_slice(arg.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    stream.write_all(&request)?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !reply_complete(&reply) {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// Whether `reply` holds one whole simple, error, integer or bulk reply (all these tests use).
fn reply_complete(reply: &[u8]) -> bool {
    let Some(end) = reply.windows(2).position(|w| w == b"\r\n") else {
        return false;
    };
    if reply[0] != b'$' {
        return true;
    }
    let len: i64 = std::str::from_utf8(&reply[1..end])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(-1);
    len < 0 || reply.len() >= end + 2 + len as usize + 2
}

impl RedisServer {
    /// A server without persistence (`--save '' --appendonly no`).
    pub fn start() -> io::Result<RedisServer> {
        RedisServer::start_as(false, false)
    }

    /// A server with an append-only file fsynced on every write (`--appendonly yes
    /// --appendfsync always`): its data survives [`RedisServer::restart`], even after SIGKILL.
    pub fn start_with_aof() -> io::Result<RedisServer> {
        RedisServer::start_as(true, false)
    }

    fn start_as(aof: bool, cluster: bool) -> io::Result<RedisServer> {
        let mut last_error = None;
        // Another test may grab the port between our probe and redis-server's bind: retry.
        for _ in 0..3 {
            let mut server = RedisServer {
                port: free_port(cluster)?,
                dir: fresh_dir()?,
                aof,
                cluster,
                child: None,
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    fn spawn(&mut self) -> io::Result<()> {
        let port = self.port.to_string();
        let dir = self.dir.to_string_lossy().into_owned();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port, "--bind", "127.0.0.1", "--dir", &dir])
            .args(["--save", "", "--daemonize", "no", "--logfile", "redis.log"])
            .args(["--appendonly", if self.aof { "yes" } else { "no" }])
            .args(["--appendfsync", "always"]);
        if self.cluster {
            cmd.args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ])
            .args(["--cluster-node-timeout", "2000"]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| missing("redis-server", e))?;
        self.child = Some(child);
        let deadline = Instant::now() + STARTUP_LIMIT;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    self.child = None;
                    return Err(io::Error::other(format!(
                        "redis-server on port {port} exited with {status}: {}",
                        self.log_tail()
                    )));
                }
            }
            if command(self.port, &["PING"]).is_ok_and(|r| r.starts_with("+PONG")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(io::Error::other(format!(
                    "redis-server on port {port} not ready after {STARTUP_LIMIT:?}: {}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Its data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills it (SIGKILL: no chance to save anything more) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and directory (after [`RedisServer::stop`], or kills
    /// it first).
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        self.spawn()
    }

    fn signal(&self, signal: &str) -> io::Result<()> {
        let child = self
            .child
            .as_ref()
            .ok_or_else(|| io::Error::other("redis-server is not running"))?;
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!("kill {signal} failed: {status}")))
        }
    }

    /// Freezes it (SIGSTOP): connections stay open but nothing answers, the way a hung server
    /// or a dropped network looks.
    pub fn pause(&self) -> io::Result<()> {
        self.signal("-STOP")
    }

    /// Lets a paused server run again (SIGCONT).
    pub fn resume(&self) -> io::Result<()> {
        self.signal("-CONT")
    }

    /// Sends one command to it (see [`command`]).
    pub fn command(&self, args: &[&str]) -> io::Result<String> {
        command(self.port, args)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // A paused server ignores nothing but SIGKILL, which is what stop sends.
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis Cluster of primaries on loopback (no replicas), created with
/// `redis-cli --cluster create`.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts `n` (at least 3) cluster-mode servers, creates the cluster and waits until every
    /// node reports `cluster_state:ok`.
    pub fn start(n: usize) -> io::Result<RedisCluster> {
        let nodes = (0..n.max(3))
            .map(|_| RedisServer::start_as(false, true))
            .collect::<io::Result<Vec<_>>>()?;
        let addresses: Vec<String> = nodes
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        let output = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| missing("redis-cli", e))?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let deadline = Instant::now() + STARTUP_LIMIT;
        for node in &nodes {
            loop {
                let info = node.command(&["CLUSTER", "INFO"]).unwrap_or_default();
                if info.contains("cluster_state:ok") {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(io::Error::other(format!(
                        "cluster node {} not ok after {STARTUP_LIMIT:?}: {info}",
                        node.port
                    )));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(RedisCluster { nodes })
    }

    /// `redis://127.0.0.1:PORT` of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The nodes.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }
}
