//! The newcomer's walk through `waxseal serve`, in a real headless Chromium (Debian's `chromium`
//! and `chromium-driver`) driven over WebDriver with fantoccini: log in, watch the counter rise,
//! see a flash once, open the inspector and see the session with verdict `valid`, paste a
//! tampered cookie and see `bad_signature`, change the cookie in the browser and see the session
//! reset.
//!
//! Chromium is required under `WAXSEAL_REQUIRE_INTEROP=1` (`scripts/test` installs it).

mod live;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use live::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromium and its driver, or a skip (None) / a failure under WAXSEAL_REQUIRE_INTEROP=1.
fn browser_or_skip(test: &str) -> Option<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Some(());
    }
    if waxseal_interop::interop_required() {
        panic!(
            "{test}: Chromium is required (WAXSEAL_REQUIRE_INTEROP=1) but {CHROMIUM} or \
             {CHROMEDRIVER} is missing; run scripts/setup-system"
        );
    }
    eprintln!(
        "\n*** SKIPPED {test}: no {CHROMIUM} / {CHROMEDRIVER}. Run scripts/setup-system. ***\n"
    );
    None
}

/// chromedriver on a free loopback port, and a WebDriver session with the project's flags.
async fn start_browser(profile: &Path) -> (Proc, Client) {
    let port = free_port();
    let mut cmd = Command::new(CHROMEDRIVER);
    cmd.arg(format!("--port={port}"));
    let driver = live::spawn(cmd, "chromedriver");
    wait_for_ping(&format!("http://127.0.0.1:{port}/status"), "chromedriver");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with Chromium");
    (driver, client)
}

/// The text of `css`, retried while a navigation replaces the page (stale or missing element).
async fn text(c: &Client, css: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.ok(),
            Err(_) => None,
        };
        match found {
            Some(t) => return t,
            None if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            None => panic!("no {css} within 10 s"),
        }
    }
}

/// Waits until `css` shows `expected` (the page after a click or reload may take a moment).
async fn wait_text(c: &Client, css: &str, expected: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = text(c, css).await;
        if now == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} shows {now:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the inspector's verdict element says `expected` (after the form's navigation).
async fn wait_verdict(c: &Client, expected: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut last = None;
    while std::time::Instant::now() < deadline {
        if let Ok(e) = c.find(Locator::Id("verdict")).await {
            last = e.attr("data-verdict").await.ok().flatten();
            if last.as_deref() == Some(expected) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("verdict {last:?}, expected {expected:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_logs_in_counts_inspects_and_tampers_in_chromium() {
    if browser_or_skip("serve_browser").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = new_keyring(dir.path());
    let serve = Serve::start(&ring, &[]);
    let profile = tempfile::tempdir().expect("profile dir");
    let (_driver, c) = start_browser(profile.path()).await;

    let result = walk(&c, &serve).await;
    let _ = c.close().await;
    result.expect("the walk-through");
}

async fn walk(c: &Client, serve: &Serve) -> Result<(), fantoccini::error::CmdError> {
    // Log in.
    c.goto(&serve.url("/")).await?;
    assert!(text(c, "h1").await.contains("stranger"));
    c.find(Locator::Id("name")).await?.send_keys("Ada").await?;
    c.find(Locator::Id("login")).await?.click().await?;
    wait_text(c, "#user", "Ada").await;
    wait_text(c, "#visits", "1").await;
    let flashes = c.find_all(Locator::Css("[data-flash]")).await?;
    assert_eq!(flashes.len(), 1);
    assert!(flashes[0].text().await?.contains("Welcome, Ada"));

    // The counter rises across reloads; the flash was shown once.
    c.refresh().await?;
    wait_text(c, "#visits", "2").await;
    c.refresh().await?;
    wait_text(c, "#visits", "3").await;
    assert!(c.find_all(Locator::Css("[data-flash]")).await?.is_empty());

    // The inspector shows the browser's own session cookie, verified.
    c.find(Locator::Id("inspect-link")).await?.click().await?;
    wait_verdict(c, "valid").await;
    let payload = text(c, "#payload").await;
    assert!(
        payload.contains("Ada") && payload.contains("visits"),
        "{payload}"
    );

    // Paste the cookie, tamper with it, inspect: the signature no longer matches.
    let cookie = c.get_named_cookie("session").await?;
    let value = cookie.value().to_owned();
    let input = c.find(Locator::Id("token-input")).await?;
    input.clear().await?;
    input.send_keys(&value).await?;
    c.find(Locator::Id("tamper")).await?.click().await?;
    let tampered = input.prop("value").await?.unwrap_or_default();
    assert_ne!(tampered, value);
    c.find(Locator::Id("inspect-submit")).await?.click().await?;
    wait_verdict(c, "bad_signature").await;

    // The untampered cookie pasted the same way is valid.
    let input = c.find(Locator::Id("token-input")).await?;
    input.clear().await?;
    input.send_keys(&value).await?;
    c.find(Locator::Id("inspect-submit")).await?.click().await?;
    wait_verdict(c, "valid").await;

    // Change the cookie in the browser: the server sees a forgery and starts an empty session.
    c.delete_cookie("session").await?;
    // As a user would in the browser's console (WebDriver refuses host-only cookies on an IP).
    c.execute(
        "document.cookie = arguments[0];",
        vec![serde_json::json!(format!("session={tampered}; path=/"))],
    )
    .await?;
    c.goto(&serve.url("/")).await?;
    wait_text(c, "#visits", "1").await;
    assert!(text(c, "h1").await.contains("stranger"));
    Ok(())
}
