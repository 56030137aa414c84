//! `waxseal serve`: flags resolved into `waxseal_serve::ServeOptions`, then the server runs.
//!
//! Key choice, first that applies: a key option (`--secret`, `--secret-hex`, `--secret-file`,
//! with `--fallback`s), `--keyring PATH`, `FLASK_SECRET_KEY` (and `FLASK_SECRET_KEY_FALLBACKS`)
//! from the environment, and otherwise the default keyring file in the user's data directory,
//! created on first start. Only keyring files are reloaded on SIGHUP.

use std::net::SocketAddr;

use clap::Args;
use waxseal::secret::{KeyPolicy, Keyring};
use waxseal_serve::{KeySource, ServeOptions, StoreSpec};

use crate::options::KeyArgs;
use crate::output::CliError;

/// Run the demo app and the cookie inspector (open http://127.0.0.1:5000/inspect).
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  waxseal serve                                  # keyring in your data directory, port 5000
  waxseal serve --keyring keys.json --addr 127.0.0.1:8080
  waxseal serve --store encrypted-cookie
  waxseal serve --store sqlite:sessions.db       # server-side: the cookie holds a signed id
  waxseal serve --store redis://127.0.0.1:6379/0
  kill -HUP <pid>                                # after `waxseal key rotate --keyring FILE`

Exit codes: 0 stopped by SIGINT/SIGTERM; 2 bad options or keys; 3 cannot listen or read keys.")]
pub struct ServeArgs {
    /// Address to listen on (loopback by default: the demo is not for the open internet).
    #[arg(long, default_value = "127.0.0.1:5000", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// Where sessions are kept: cookie (Flask's signed cookie), encrypted-cookie, memory,
    /// sqlite:PATH, redis://HOST:PORT[/DB] or redis+cluster://HOST:PORT,HOST:PORT,...
    #[arg(long, default_value = "cookie", value_name = "STORE")]
    pub store: String,
    #[command(flatten)]
    pub keys: KeyArgs,
}

pub fn run(args: ServeArgs) -> Result<u8, CliError> {
    let options = resolve(args)?;
    // Logs (request lines included) go to stderr; RUST_LOG overrides the default level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=debug"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(waxseal_serve::run(options))
        .map_err(|e| match e {
            waxseal_serve::ServeError::Session(e) => CliError::usage(e.to_string()),
            waxseal_serve::ServeError::Store(e) => CliError::io(e.to_string()).hint(
                "is the store running and reachable? (redis-server, the SQLite file's directory)",
            ),
            e => CliError::io(e.to_string()),
        })?;
    Ok(0)
}

fn resolve(args: ServeArgs) -> Result<ServeOptions, CliError> {
    let store = StoreSpec::parse(&args.store).map_err(|e| CliError::usage(e.to_string()))?;
    let keys = if let Some(path) = &args.keys.keyring {
        KeySource::File(path.clone())
    } else if let Some(keys) = args.keys.load()? {
        let mut all = keys.keys.into_iter();
        let current = all.next().ok_or_else(crate::options::no_key_error)?;
        let ring = Keyring::new(current, all.collect(), KeyPolicy::RefuseWeak).map_err(|e| {
            CliError::usage(format!("{e}")).hint(
                "make a strong key with `waxseal key new --keyring FILE` and pass --keyring FILE",
            )
        })?;
        KeySource::Given(ring)
    } else {
        let path = waxseal_serve::keyring_file::default_path().ok_or_else(|| {
            CliError::usage("no data directory for the default keyring (no home directory?)")
                .hint("pass --keyring PATH")
        })?;
        KeySource::File(path)
    };
    Ok(ServeOptions {
        addr: args.addr,
        keys,
        store,
    })
}
