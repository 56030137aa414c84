//! Real servers on loopback for the live tests: `waxseal serve` (this package's binary), the
//! Flask twin (`tests/interop/flask_demo_app.py` in the pinned venv), and chromedriver.
//!
//! Every process is killed when its handle drops. A missing Python or Chromium fails the test
//! under `WAXSEAL_REQUIRE_INTEROP=1` (what `scripts/test` sets) and skips loudly otherwise.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[allow(unused_imports)]
pub use reqwest::{Client, Response, StatusCode};

/// A strong text key that both sides accept.
pub const KEY: &str = "live-test-key-7d1f0c9a2e5b8f34";

/// A free loopback port (bound, then released: good enough for tests on one machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A child process killed (and reaped) on drop.
pub struct Proc {
    pub child: Child,
    pub name: String,
    /// Lines the process printed on stderr, collected in the background.
    pub log: mpsc::Receiver<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Sends a signal (`HUP`, `TERM`, ...) with kill(1).
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs")
            .success();
        assert!(ok, "kill -{sig} {}", self.name);
    }

    /// Everything printed on stderr so far.
    pub fn drain_log(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }
}

/// Starts `cmd` with its stderr collected into the returned [`Proc`]'s log.
pub fn spawn(cmd: Command, name: &str) -> Proc {
    spawn_logged(cmd, name).0
}

fn spawn_logged(mut cmd: Command, name: &str) -> (Proc, mpsc::Receiver<String>) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    let (first_tx, first_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = first_tx.send(line.clone());
            let _ = tx.send(line);
        }
    });
    (
        Proc {
            child,
            name: name.to_owned(),
            log: rx,
        },
        first_rx,
    )
}

/// `waxseal serve` on an ephemeral loopback port.
pub struct Serve {
    pub proc: Proc,
    pub addr: SocketAddr,
}

impl Serve {
    /// Starts `waxseal serve --addr 127.0.0.1:0 --keyring <keyring> <extra...>` and waits until it
    /// prints its address.
    pub fn start(keyring: &Path, extra: &[&str]) -> Serve {
        Self::start_with(keyring, extra, &[])
    }

    /// As [`Serve::start`], with extra environment variables.
    pub fn start_with(keyring: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_waxseal"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--keyring"])
            .arg(keyring)
            .args(extra)
            .env_remove("FLASK_SECRET_KEY")
            .env_remove("FLASK_SECRET_KEY_FALLBACKS")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (proc, lines) = spawn_logged(cmd, "waxseal serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            match lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(rest) = line.split("http://").nth(1) {
                        if let Some(addr) = rest.split('/').next() {
                            if let Ok(addr) = addr.parse() {
                                return Serve { proc, addr };
                            }
                        }
                    }
                    seen.push(line);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("waxseal serve did not start; it printed: {seen:#?}");
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// The pinned venv's Python, or a skip (None) / failure (under WAXSEAL_REQUIRE_INTEROP=1).
pub fn python(test: &str) -> Option<PathBuf> {
    waxseal_interop::python_or_skip(test)
}

/// The Flask twin under werkzeug's threaded server.
pub struct Flask {
    pub proc: Proc,
    pub port: u16,
}

impl Flask {
    /// Starts `flask_demo_app.py` with the keys of the keyring file at `keyring`.
    pub fn start(python: &Path, keyring: &Path) -> Flask {
        Self::start_with(python, &[("WAXSEAL_KEYRING", keyring.as_os_str())])
    }

    /// Starts it with the given environment (FLASK_* variables, WAXSEAL_KEYRING).
    pub fn start_with(python: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Flask {
        let port = free_port();
        let script = waxseal_interop::workspace_root().join("tests/interop/flask_demo_app.py");
        let mut cmd = Command::new(python);
        cmd.arg(script)
            .arg(port.to_string())
            .env_remove("FLASK_SECRET_KEY")
            .env_remove("FLASK_SECRET_KEY_FALLBACKS")
            .env_remove("WAXSEAL_KEYRING");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (proc, _lines) = spawn_logged(cmd, "flask");
        let flask = Flask { proc, port };
        wait_for_ping(&flask.url("/api/ping"), "flask");
        flask
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// Polls `url` (`http://127.0.0.1:PORT/path`) until it answers 200 (30 s at most). Plain std
/// I/O, so it works before any async runtime exists.
pub fn wait_for_ping(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get_status(url) == Some(200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not answer {url} within 30 s");
}

fn get_status(url: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    let mut s = std::net::TcpStream::connect(host).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    // HTTP/1.1: chromedriver closes HTTP/1.0 requests without an answer.
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A plain HTTP client (no cookie jar: tests carry cookies by hand between servers).
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("HTTP client")
}

/// The value of the `session` cookie set by `resp`, if any (`Some("")` for a deletion).
pub fn set_cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (n, rest) = v.split_once('=')?;
            (n == name).then(|| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// The full `Set-Cookie` header for cookie `name`, if any.
pub fn set_cookie_header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// A new keyring file with one fresh key, made by `waxseal key new`.
pub fn new_keyring(dir: &Path) -> PathBuf {
    let path = dir.join("keys.json");
    let out = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .args(["key", "new", "--keyring"])
        .arg(&path)
        .output()
        .expect("waxseal key new runs");
    assert!(
        out.status.success(),
        "key new: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// Runs `waxseal key rotate --keyring <path>`.
pub fn rotate_keyring(path: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_waxseal"))
        .args(["key", "rotate", "--keyring"])
        .arg(path)
        .output()
        .expect("waxseal key rotate runs");
    assert!(
        out.status.success(),
        "key rotate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
