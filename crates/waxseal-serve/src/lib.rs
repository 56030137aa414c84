//! `waxseal serve`: a small demo app and a live cookie inspector, on top of `waxseal-axum`.
//!
//! The demo is what a newcomer runs first: log in, watch a visit counter rise, see a flash
//! message once, then open `/inspect` and see the session cookie taken apart the way Flask checks
//! it — payload, timestamp, signature, the key derived from the secret, which key matched, the
//! age against the lifetime, and a verdict. Paste any cookie (and optionally a key, sent by POST,
//! never in a URL) to see its anatomy.
//!
//! Routes (a contract the tests and `bench/serve-vs-flask` rely on; the Flask twin in
//! `tests/interop/flask_demo_app.py` serves the same ones):
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the demo page: log in with a name, a visit counter, flashes, log out |
//! | `POST /login`, `POST /logout` | the demo's forms (303 back to `/`) |
//! | `GET /inspect`, `GET /inspect?token=T`, `POST /inspect` | the cookie inspector |
//! | `GET/POST/DELETE /api/session` | the session as JSON; merge a JSON object; clear |
//! | `GET /api/visit` | `visits += 1`, returns `{"visits": n}` |
//! | `GET /api/ping` | a small JSON body; never touches the session |
//! | `GET /api/flashes`, `POST /api/flash` | take the pending flashes; add one |
//!
//! Keys come from a keyring file created on first start ([`keyring_file`]) or from the caller;
//! `SIGHUP` reloads the file and swaps the keys in while serving, so a rotation
//! (`waxseal key rotate --keyring FILE`, then `kill -HUP`) logs nobody out. `SIGINT`/`SIGTERM`
//! shut down gracefully.
#![forbid(unsafe_code)]

mod demo;
mod inspector;
pub mod keyring_file;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use waxseal::secret::Keyring;
use waxseal_axum::{KeyringHandle, SessionConfig, SessionLayer};

/// Where the server's keys come from.
#[derive(Debug)]
pub enum KeySource {
    /// A keyring file: loaded, or created with a fresh key when missing; reloaded on SIGHUP.
    File(PathBuf),
    /// Keys given on the command line or in the environment (no reload).
    Given(Keyring),
}

pub use waxseal_store::StoreSpec;

/// Everything `waxseal serve` needs, resolved from its flags.
#[derive(Debug)]
pub struct ServeOptions {
    /// Address to listen on (default 127.0.0.1:5000).
    pub addr: SocketAddr,
    /// Where the keys come from.
    pub keys: KeySource,
    /// How sessions are kept (`--store`).
    pub store: StoreSpec,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The keyring file could not be read or created.
    #[error("keyring {path}: {source}")]
    Keyring {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: waxseal::secret::KeyringError,
    },
    /// The session layer refused the configuration (a weak key, say).
    #[error("{0}")]
    Session(#[from] waxseal_axum::Error),
    /// The session store could not be opened.
    #[error("{0}")]
    Store(#[from] waxseal_store::StoreError),
    /// Binding or serving failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

/// The demo handlers' state, shared by every request behind one `Arc` (axum clones the state for each request).
pub(crate) type AppState = std::sync::Arc<AppInner>;

/// The demo's configuration.
pub(crate) struct AppInner {
    pub(crate) keys: KeyringHandle,
    pub(crate) cookie_name: String,
    pub(crate) lifetime: Duration,
    pub(crate) store: StoreSpec,
    /// Where server-side session data lives (`None` for cookie sessions).
    pub(crate) store_description: Option<String>,
}

/// Flask's default `PERMANENT_SESSION_LIFETIME`: 31 days.
const LIFETIME: Duration = Duration::from_secs(31 * 24 * 3600);

/// The router with every route and the session layer, for tests and embedding. Opens the
/// server-side store when `store` names one.
pub async fn app(
    keyring: Keyring,
    store: &StoreSpec,
) -> Result<(Router, KeyringHandle), ServeError> {
    let mut config = SessionConfig::builder()
        .keyring(keyring)
        .permanent_session_lifetime(LIFETIME);
    let mut store_description = None;
    match store {
        StoreSpec::Cookie => {}
        StoreSpec::EncryptedCookie => config = config.encrypted(),
        server => {
            let opened = waxseal_store::open(server).await?;
            store_description = Some(opened.describe());
            config = config.store(opened);
        }
    }
    let config = config.build()?;
    let cookie_name = config.session_cookie_name().to_owned();
    let layer = SessionLayer::new(config)?;
    let keys = layer.keyring();
    let state = std::sync::Arc::new(AppInner {
        keys: keys.clone(),
        cookie_name,
        lifetime: LIFETIME,
        store: store.clone(),
        store_description,
    });
    let router = Router::new()
        .merge(demo::routes())
        .merge(inspector::routes())
        .layer(layer)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state);
    Ok((router, keys))
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(options: ServeOptions) -> Result<(), ServeError> {
    let (keyring, file) = match options.keys {
        KeySource::Given(ring) => (ring, None),
        KeySource::File(path) => {
            let (ring, origin, warnings) =
                keyring_file::load_or_create(&path).map_err(|source| ServeError::Keyring {
                    path: path.clone(),
                    source,
                })?;
            for w in warnings {
                tracing::warn!("keyring {}: {w}", path.display());
            }
            match origin {
                keyring_file::Origin::Created => eprintln!(
                    "Created a new keyring with a fresh random key: {}\n\
                     It is reused on every start, so sessions survive restarts.",
                    path.display()
                ),
                keyring_file::Origin::Loaded => {
                    eprintln!("Using the keyring {}", path.display())
                }
            }
            eprintln!(
                "To give a Flask app the same keys: `waxseal key show --reveal --keyring {}`, then in \
                 Flask: app.secret_key = bytes.fromhex(\"<current>\") (and SECRET_KEY_FALLBACKS \
                 for older keys), or point tests/interop/flask_demo_app.py at it with \
                 WAXSEAL_KEYRING={}",
                path.display(),
                path.display()
            );
            (ring, Some(path))
        }
    };
    let (router, keys) = app(keyring, &options.store).await?;
    if let Some(path) = file {
        spawn_reload_on_sighup(path, keys);
    }
    let listener = TcpListener::bind(options.addr)
        .await
        .map_err(|source| ServeError::Io {
            what: format!("cannot listen on {}", options.addr),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| ServeError::Io {
        what: "listening address".into(),
        source,
    })?;
    eprintln!(
        "waxseal serve: http://{local}/  (the cookie inspector: http://{local}/inspect; sessions: {})",
        options.store
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| ServeError::Io {
            what: "serving".into(),
            source,
        })
}

/// On SIGHUP, reloads the keyring file and swaps the keys in; a bad file keeps the old keys.
fn spawn_reload_on_sighup(path: PathBuf, keys: KeyringHandle) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::error!("cannot listen for SIGHUP; keyring reload disabled");
            return;
        };
        while hup.recv().await.is_some() {
            let loaded =
                waxseal::secret::Keyring::load(&path, waxseal::secret::KeyPolicy::RefuseWeak);
            match loaded
                .map_err(waxseal_axum::Error::from)
                .and_then(|(ring, _)| {
                    let n = ring.len();
                    keys.replace(ring).map(|()| n)
                }) {
                Ok(n) => tracing::info!(
                    "SIGHUP: reloaded {} ({n} key{})",
                    path.display(),
                    if n == 1 { "" } else { "s" }
                ),
                Err(e) => tracing::error!(
                    "SIGHUP: keeping the current keys, {} could not be used: {e}",
                    path.display()
                ),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = (path, keys);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
