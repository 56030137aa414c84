//! waxseal: Flask's `SECRET_KEY` machinery, rebuilt in Rust.
//!
//! The crate is layered the way itsdangerous is, and each layer is usable on its own:
//!
//! 1. [`encoding`]: URL-safe base64 and the timestamp integer encoding;
//! 2. [`signer`]: [`Signer`], HMAC over a value with a derived key, key rotation;
//! 3. [`timed`]: [`TimestampSigner`], a signing time and a maximum age;
//! 4. [`serializer`]: [`Serializer`], [`TimedSerializer`], and the URL-safe
//!    [`UrlSafeSerializer`] and [`UrlSafeTimedSerializer`] (compressed, base64url JSON;
//!    itsdangerous's spellings `URLSafeSerializer` and `URLSafeTimedSerializer` are aliases).
//!
//! Every constructor that takes secret keys returns `Result<_, ConfigError>` and refuses an empty
//! key ([`ConfigError::EmptyKey`], fallback keys included), because a signer with an empty key
//! lets anyone sign. A `Result` from `new` is what users of `Regex::new` or cookie-rs's
//! `Key::try_from` expect from a constructor that can refuse its input, and keeps construction a
//! single call (a separate non-empty key type would add a conversion at every call site for one
//! check). itsdangerous 2.2 accepts an empty key; Flask 3.1 refuses an empty `SECRET_KEY` (its
//! session is then unavailable) but not an empty fallback, which waxseal refuses too.
//! [`secret::Keyring`] refuses empty keys under every [`secret::KeyPolicy`], so a keyring always
//! builds a signer. Weak but non-empty keys are accepted here, as itsdangerous accepts them; they
//! are refused by keyrings under [`secret::KeyPolicy::RefuseWeak`], by the CLI's `sign` and by
//! the web layer.
//!
//! ```
//! use waxseal::URLSafeTimedSerializer;
//! let s = URLSafeTimedSerializer::new("a long random secret key").unwrap();
//! let token = s.dumps(&vec!["hello", "world"]).unwrap();
//! let value: Vec<String> = s.loads(&token, Some(3600)).unwrap();
//! assert_eq!(value, ["hello", "world"]);
//! ```
//!
//! # Features
//!
//! * `engine-internals` (off by default, **unstable**): makes the `compress` (zlib exactly as
//!   Python writes it, capped inflate), `hmac_sha1` (HMAC-SHA-1 on raw compression states) and
//!   `pyjson` (Python's `json.dumps` dialects for serde values) modules public, and
//!   `EncryptedCookieCodec::seal_with_nonce`. They exist for the workspace's crack engine, CLI,
//!   benchmarks, fuzzers and tests, and may change in any release.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The engine internals are public only with the unstable `engine-internals` feature (the
// workspace's own crack engine, CLI, benchmarks, fuzzers and tests); without it they are
// private, and what only those tools call is unused.
#[cfg(feature = "engine-internals")]
pub mod compress;
#[cfg(not(feature = "engine-internals"))]
#[allow(dead_code)]
mod compress;
pub mod encoding;
pub mod encrypted;
pub mod error;
pub mod flask;
mod hex;
#[cfg(feature = "engine-internals")]
pub mod hmac_sha1;
#[cfg(not(feature = "engine-internals"))]
#[allow(dead_code)]
mod hmac_sha1;
pub mod inspect;
#[cfg(feature = "engine-internals")]
pub mod pyjson;
#[cfg(not(feature = "engine-internals"))]
#[allow(dead_code)]
mod pyjson;
pub mod secret;
pub mod serializer;
pub mod signer;
pub mod timed;

pub use error::{ConfigError, Error, ErrorKind, PayloadError};
pub use serializer::{
    Loaded, Serializer, SerializerBuilder, TimedSerializer, URLSafeSerializer,
    URLSafeTimedSerializer, UnsafeLoad, UrlSafeSerializer, UrlSafeTimedSerializer,
};
pub use signer::{Digest, KeyDerivation, Signer, SignerBuilder, SignerSettings, Unsigned};
pub use timed::{TimestampSigner, TimestampUnsigned};

/// The command-line README's code blocks, compiled and run as doc tests (the top-level README's
/// are, by waxseal-axum).
#[doc = include_str!("../../waxseal-cli/README.md")]
#[cfg(doctest)]
pub struct CliReadmeDoctests;
