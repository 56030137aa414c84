//! A bounded HTTP load client with per-client counters: N clients for a fixed time against one
//! or more `http://HOST:PORT` servers (clients take the servers in turn), each on its own
//! keep-alive connection, each counting what it wrote and checking at the end that the server
//! kept exactly that. wrk measures speed only; this also proves that no write was lost.
//!
//! Modes:
//! - `visit` (default): each client has its own session and calls `GET /api/visit`; every
//!   answer must be the client's previous count + 1, and `GET /api/session` at the end must
//!   show the final count.
//! - `keys`: all clients share one session; client i calls `POST /api/session {"c<i>": n}`
//!   with n = 1, 2, ...; at the end `GET /api/session` must hold every client's last n (a
//!   store that saves whole sessions loses other clients' keys here).
//!
//! Prints one JSON object: requests/s, p50/p99 latency in ms, errors (transport failures and
//! non-2xx answers), lost (answers or final values that differ from the client's count), and
//! counters_ok. Usage:
//! `store_load --url http://127.0.0.1:8000 [--url ...] [--clients 32] [--seconds 10]
//!  [--mode visit|keys] [--threads 1]`
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Visit,
    Keys,
}

struct Options {
    urls: Vec<String>,
    clients: usize,
    seconds: f64,
    mode: Mode,
    threads: usize,
}

fn usage(why: &str) -> ! {
    eprintln!(
        "store_load: {why}\nusage: store_load --url http://HOST:PORT [--url ...] [--clients N] \
         [--seconds S] [--mode visit|keys] [--threads T]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut o = Options {
        urls: Vec::new(),
        clients: 32,
        seconds: 10.0,
        mode: Mode::Visit,
        threads: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--url" => {
                let host = value
                    .strip_prefix("http://")
                    .unwrap_or_else(|| usage("only http://HOST:PORT URLs"));
                o.urls.push(host.trim_end_matches('/').to_string());
            }
            "--clients" => o.clients = value.parse().unwrap_or_else(|_| usage("bad --clients")),
            "--seconds" => o.seconds = value.parse().unwrap_or_else(|_| usage("bad --seconds")),
            "--threads" => o.threads = value.parse().unwrap_or_else(|_| usage("bad --threads")),
            "--mode" => {
                o.mode = match value.as_str() {
                    "visit" => Mode::Visit,
                    "keys" => Mode::Keys,
                    _ => usage("--mode is visit or keys"),
                }
            }
            _ => usage(&format!("unknown option {flag}")),
        }
    }
    if o.urls.is_empty() {
        usage("give at least one --url");
    }
    if o.clients == 0 || o.threads == 0 || o.seconds.is_nan() || o.seconds <= 0.0 {
        usage("clients, threads and seconds must be positive");
    }
    o
}

/// One HTTP/1.1 client: a keep-alive connection (reopened when the server closes it) and a
/// cookie jar.
struct Client {
    host: String,
    conn: Option<BufReader<TcpStream>>,
    cookies: Vec<(String, String)>,
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    fn new(host: &str) -> Client {
        Client {
            host: host.to_string(),
            conn: None,
            cookies: Vec::new(),
        }
    }

    fn take_cookie(&mut self, header: &str) {
        let pair = header.split(';').next().unwrap_or("");
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        let lower = header.to_ascii_lowercase();
        let deleted = value.is_empty() || lower.contains("max-age=0");
        self.cookies.retain(|(n, _)| n != name);
        if !deleted {
            self.cookies.push((name.to_string(), value.to_string()));
        }
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        let result = self.exchange(method, path, body).await;
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Response, String> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.unwrap_or_default());

        if self.conn.is_none() {
            let stream = TcpStream::connect(&self.host)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().ok_or("no connection")?;
        conn.get_mut()
            .write_all(&bytes)
            .await
            .map_err(|e| format!("write: {e}"))?;

        let mut line = String::new();
        conn.read_line(&mut line)
            .await
            .map_err(|e| format!("read: {e}"))?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        let mut set_cookies = Vec::new();
        loop {
            line.clear();
            let n = conn
                .read_line(&mut line)
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("connection closed in the headers".into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                "set-cookie" => set_cookies.push(value.to_string()),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line)
                    .await
                    .map_err(|e| format!("read: {e}"))?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                let start = body.len();
                body.resize(start + size + 2, 0);
                conn.read_exact(&mut body[start..])
                    .await
                    .map_err(|e| format!("read: {e}"))?;
                body.truncate(start + size);
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            conn.read_exact(&mut body)
                .await
                .map_err(|e| format!("read: {e}"))?;
        } else {
            conn.read_to_end(&mut body)
                .await
                .map_err(|e| format!("read: {e}"))?;
            close = true;
        }
        for c in set_cookies {
            self.take_cookie(&c);
        }
        if close {
            self.conn = None;
        }
        Ok(Response { status, body })
    }
}

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    lost: u64,
    latencies_us: Vec<u32>,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

fn json_body(r: &Response) -> Result<Value, String> {
    if !(200..300).contains(&r.status) {
        return Err(format!(
            "HTTP {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body[..r.body.len().min(200)])
        ));
    }
    serde_json::from_slice(&r.body).map_err(|e| format!("not JSON: {e}"))
}

/// Runs one client until `deadline`; returns its tally and its final count.
async fn run_client(
    mut client: Client,
    mode: Mode,
    index: usize,
    deadline: Instant,
) -> (Tally, Client, u64) {
    let mut tally = Tally::default();
    let mut count: u64 = 0;
    let key = format!("c{index}");
    while Instant::now() < deadline {
        let started = Instant::now();
        let result = match mode {
            Mode::Visit => client.request("GET", "/api/visit", None).await,
            Mode::Keys => {
                let body = json!({ &key: count + 1 }).to_string();
                client
                    .request("POST", "/api/session", Some(body.as_bytes()))
                    .await
            }
        };
        let elapsed = started.elapsed();
        match result.and_then(|r| json_body(&r)) {
            Ok(answer) => {
                tally.ok += 1;
                tally
                    .latencies_us
                    .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                match mode {
                    Mode::Visit => {
                        let visits = answer["visits"].as_u64().unwrap_or(0);
                        if visits != count + 1 {
                            tally.lost += 1;
                        }
                        count = visits;
                    }
                    Mode::Keys => count += 1,
                }
            }
            Err(e) => tally.error(e),
        }
    }
    (tally, client, count)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

async fn run(o: Options) -> Result<Value, String> {
    let mut clients: Vec<Client> = (0..o.clients)
        .map(|i| Client::new(&o.urls[i % o.urls.len()]))
        .collect();
    if o.mode == Mode::Keys {
        // One session for everyone: the first client creates it, the others take its cookie.
        let r = clients[0]
            .request("POST", "/api/session", Some(b"{\"shared\":1}"))
            .await?;
        json_body(&r)?;
        let jar = clients[0].cookies.clone();
        if jar.is_empty() {
            return Err("the server set no session cookie".into());
        }
        for c in &mut clients[1..] {
            c.cookies = jar.clone();
        }
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(o.seconds);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| tokio::spawn(run_client(c, o.mode, i, deadline)))
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed().as_secs_f64();

    // The end check, after all clients stopped.
    let mut total = Tally::default();
    let mut counters_ok = true;
    let mut shared: Option<Value> = None;
    for (i, (tally, mut client, count)) in results.into_iter().enumerate() {
        total.ok += tally.ok;
        total.errors += tally.errors;
        total.lost += tally.lost;
        total.latencies_us.extend(tally.latencies_us);
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
        let stored = match (o.mode, &shared) {
            (Mode::Keys, Some(s)) => s.clone(),
            _ => {
                let s = json_body(&client.request("GET", "/api/session", None).await?)?;
                if o.mode == Mode::Keys {
                    shared = Some(s.clone());
                }
                s
            }
        };
        let field = match o.mode {
            Mode::Visit => "visits".to_string(),
            Mode::Keys => format!("c{i}"),
        };
        let kept = stored[&field].as_u64().unwrap_or(0);
        if kept != count {
            counters_ok = false;
            total.lost += count.abs_diff(kept);
        }
    }
    total.latencies_us.sort_unstable();
    Ok(json!({
        "mode": match o.mode { Mode::Visit => "visit", Mode::Keys => "keys" },
        "servers": o.urls.len(),
        "clients": o.clients,
        "seconds": elapsed,
        "requests": total.ok,
        "rps": total.ok as f64 / elapsed,
        "p50_ms": percentile(&total.latencies_us, 0.50),
        "p99_ms": percentile(&total.latencies_us, 0.99),
        "errors": total.errors,
        "lost": total.lost,
        "counters_ok": counters_ok,
        "first_error": total.first_error,
    }))
}

fn main() {
    let o = options();
    let runtime = if o.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(o.threads)
            .enable_all()
            .build()
    };
    let runtime = runtime.unwrap_or_else(|e| usage(&format!("no runtime: {e}")));
    match runtime.block_on(run(o)) {
        Ok(summary) => println!("{summary}"),
        Err(e) => {
            eprintln!("store_load: {e}");
            std::process::exit(1);
        }
    }
}
