//! Secret keys: generation, parsing, strength checks, keyrings with rotation, and loading them the
//! way Flask deployments do.
//!
//! * [`SecretKey`] owns key bytes, never prints them, wipes them on drop and compares in constant
//!   time.
//! * [`check_strength`] refuses empty, short, publicly known and trivially repetitive keys.
//! * [`Keyring`] holds the current key and fallbacks; [`KeyPolicy`] decides whether weak keys are
//!   refused when a keyring is built, loaded from a file ([`Keyring::load`]) or from the
//!   environment ([`Keyring::from_env`]).
//!
//! ```
//! use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
//! let key = SecretKey::from_hex("8f1c0a5e2b7d49c3a6e1f0d2b4c6a8e9").unwrap();
//! let ring = Keyring::new(key, vec![], KeyPolicy::RefuseWeak).unwrap();
//! assert_eq!(ring.len(), 1);
//! ```

mod env;
mod key;
mod key_file;
mod keyring;
mod known_keys;
pub mod python_literal;
mod strength;

pub use env::{SECRET_KEY_FALLBACKS_VAR, SECRET_KEY_VAR};
pub use key::{
    KeyEncoding, KeyGenError, ParseKeyError, SecretKey, FINGERPRINT_PREFIX, GENERATED_KEY_LEN,
    MAX_GENERATED_KEY_LEN, MAX_KEY_FILE_LEN,
};
pub use keyring::{
    Keyring, KeyringError, KeyringWarning, Rotation, KEYRING_FORMAT_VERSION, MAX_KEYRING_FILE_LEN,
};
pub use known_keys::known_keys;
pub use strength::{
    check_strength, check_strength_with, known_key_count, KeyPolicy, StrengthReport, WeakKey,
    WeakReason, MIN_KEY_LEN,
};
