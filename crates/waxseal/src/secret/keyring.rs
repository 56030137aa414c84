//! [`Keyring`]: the current key plus fallbacks, with rotation and an owner-only key file.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::key::{KeyGenError, ParseKeyError, SecretKey};
use super::strength::{check_strength, KeyPolicy, WeakKey};
use crate::error::IoError;
use crate::timed::unix_now;

/// The `waxseal_keyring` version written and read by this crate.
///
/// ```
/// let ring = waxseal::secret::Keyring::generate().unwrap();
/// assert!(ring.to_keyring_json().contains("\"waxseal_keyring\": 1"));
/// assert_eq!(waxseal::secret::KEYRING_FORMAT_VERSION, 1);
/// ```
pub const KEYRING_FORMAT_VERSION: u64 = 1;

/// Largest keyring file read; a real one is well under a kilobyte per key.
///
/// ```
/// assert_eq!(waxseal::secret::MAX_KEYRING_FILE_LEN, 1 << 20);
/// ```
pub const MAX_KEYRING_FILE_LEN: u64 = 1024 * 1024;

/// The current signing key and older keys still accepted for verification.
///
/// Fallbacks are kept **newest first**: index 0 of [`Keyring::fallbacks`] is the key that was
/// current just before the present one. That is the order in which they are tried, the same order
/// in which Flask tries `SECRET_KEY_FALLBACKS` (Flask's list itself is written oldest first and
/// tried from its end; [`Keyring::from_env`] converts).
///
/// Under [`KeyPolicy::RefuseWeak`] *every* key must pass [`check_strength`]: a weak fallback
/// verifies forged cookies just as well as a weak current key.
///
/// ```
/// use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
/// let old = SecretKey::generate().unwrap();
/// let mut ring = Keyring::new(old.clone(), vec![], KeyPolicy::RefuseWeak).unwrap();
/// let rotation = ring.rotate(3).unwrap();
/// assert_eq!(ring.fallbacks(), &[old]);
/// assert!(rotation.dropped.is_empty());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Keyring {
    current: SecretKey,
    fallbacks: Vec<SecretKey>,
    // Creation time (Unix seconds) per key, index 0 = current, then fallbacks; None if unknown.
    created: Vec<Option<u64>>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SecretKey's Debug shows only lengths and fingerprints.
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("fallbacks", &self.fallbacks)
            .finish()
    }
}

/// What [`Keyring::rotate`] did, by fingerprint (never key bytes).
///
/// ```
/// use waxseal::secret::Keyring;
/// let mut ring = Keyring::generate().unwrap();
/// let r = ring.rotate(0).unwrap();
/// assert_eq!(r.new_current, ring.current().fingerprint());
/// assert_eq!(r.dropped.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Fingerprint of the new current key.
    pub new_current: String,
    /// Fingerprints of fallbacks dropped because they were beyond `keep_fallbacks`, newest first.
    pub dropped: Vec<String>,
}

/// Something worth telling an operator about a keyring that was nevertheless loaded.
///
/// The library never prints; callers decide where warnings go.
///
/// ```
/// use waxseal::secret::KeyringWarning;
/// let w = KeyringWarning::PermissiveFileMode { mode: 0o644 };
/// assert!(w.to_string().contains("0644"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringWarning {
    /// The keyring file can be read or written by group or others (Unix mode bits shown).
    PermissiveFileMode {
        /// The file's permission bits (`mode & 0o7777`).
        mode: u32,
    },
    /// A weak key was accepted because the policy was [`KeyPolicy::AllowWeak`].
    WeakKeyAllowed {
        /// 0 = current, n = n-th fallback.
        index: usize,
        /// Why it is weak.
        weak: WeakKey,
    },
}

impl fmt::Display for KeyringWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyringWarning::PermissiveFileMode { mode } => write!(
                f,
                "keyring file has mode {mode:04o}: group or others can access it; \
                 run `chmod 600` on it (anyone who reads it can forge sessions)"
            ),
            KeyringWarning::WeakKeyAllowed { index, weak } => {
                write!(f, "key {index} accepted under AllowWeak: {weak}")
            }
        }
    }
}

/// Why a keyring could not be built, loaded or saved. Messages never contain key bytes.
///
/// ```
/// use waxseal::secret::{KeyPolicy, Keyring, KeyringError, SecretKey};
/// let err = Keyring::new(SecretKey::from_text("dev"), vec![], KeyPolicy::RefuseWeak).unwrap_err();
/// assert!(matches!(err, KeyringError::Weak { index: 0, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// A key failed the strength check under [`KeyPolicy::RefuseWeak`].
    #[error("{}: {weak}", key_name(*index))]
    Weak {
        /// 0 = current, n = n-th fallback.
        index: usize,
        /// Why.
        #[source]
        weak: WeakKey,
    },
    /// A key is empty. Refused under every [`KeyPolicy`], because no signer accepts an empty
    /// key ([`crate::ConfigError::EmptyKey`]).
    #[error("{}: it is empty", key_name(*index))]
    EmptyKey {
        /// 0 = current, n = n-th fallback.
        index: usize,
    },
    /// Reading or writing the keyring file failed.
    #[error("keyring file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: IoError,
    },
    /// Writing the keyring file failed ([`Keyring::save`]); `path` is the path given, never the
    /// temporary file written beside it.
    #[error("cannot write the keyring {}: {step}: {source}", path.display())]
    Write {
        /// The path given to [`Keyring::save`].
        path: PathBuf,
        /// What failed, e.g. "cannot create a file in its directory".
        step: &'static str,
        /// The OS error.
        #[source]
        source: IoError,
    },
    /// The keyring file is not in the documented format.
    #[error("not a valid waxseal keyring file: {0}")]
    Format(String),
    /// The keyring file declares a `waxseal_keyring` version this crate does not read.
    #[error(
        "keyring file version {0} is not supported (this build reads version \
         {KEYRING_FORMAT_VERSION})"
    )]
    UnsupportedVersion(u64),
    /// A key in the keyring file could not be decoded.
    #[error("keyring key {index} is invalid: {reason}")]
    InvalidKey {
        /// 0 = current, n = n-th fallback.
        index: usize,
        /// Why.
        #[source]
        reason: ParseKeyError,
    },
    /// Generating a key failed.
    #[error(transparent)]
    KeyGen(#[from] KeyGenError),
    /// The environment variable holding the current key is unset or empty.
    #[error("environment variable {var} is not set or empty")]
    MissingEnv {
        /// The variable's name.
        var: String,
    },
    /// The environment variable parses (as Flask does, with `json.loads`) to something that is not
    /// a string, e.g. a number: Flask would then fail when signing.
    #[error(
        "{var} parses as {found}, not a string (Flask runs json.loads on FLASK_* \
         variables); quote it as a JSON string"
    )]
    EnvNotString {
        /// The variable's name.
        var: String,
        /// What it parsed to, e.g. `"a JSON number"`.
        found: &'static str,
    },
    /// The fallbacks variable is not a JSON list. Flask would iterate a plain string character by
    /// character, turning `old-key` into seven one-letter keys, so this is refused.
    #[error(
        "{var} must be a JSON list of strings, e.g. '[\"older-key\", \"old-key\"]', but \
         it is {found} (Flask would iterate a string character by character)"
    )]
    FallbacksNotAList {
        /// The variable's name.
        var: String,
        /// What it parsed to.
        found: &'static str,
    },
    /// An item of the fallbacks list is not a string.
    #[error("fallback key at list position {position} is {found}, not a string")]
    FallbackNotString {
        /// Position in the list as written (0 = first, Flask's oldest).
        position: usize,
        /// What it is.
        found: &'static str,
    },
}

/// "current key" or "fallback key N", as the errors name a key by its index.
fn key_name(index: usize) -> String {
    match index {
        0 => "current key".to_owned(),
        n => format!("fallback key {n}"),
    }
}

impl Keyring {
    /// Builds a keyring from a current key and fallbacks (newest first), applying `policy` to every
    /// key. An empty key is refused under either policy ([`KeyringError::EmptyKey`]).
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring, KeyringError, SecretKey};
    /// let current = SecretKey::generate().unwrap();
    /// let old = SecretKey::generate().unwrap();
    /// let ring = Keyring::new(current.clone(), vec![old], KeyPolicy::RefuseWeak).unwrap();
    /// assert_eq!(ring.len(), 2);
    /// let empty = SecretKey::from_bytes(Vec::new());
    /// let err = Keyring::new(current, vec![empty], KeyPolicy::AllowWeak).unwrap_err();
    /// assert_eq!(err, KeyringError::EmptyKey { index: 1 });
    /// ```
    pub fn new(
        current: SecretKey,
        fallbacks: Vec<SecretKey>,
        policy: KeyPolicy,
    ) -> Result<Self, KeyringError> {
        let created = vec![None; fallbacks.len() + 1];
        let ring = Keyring {
            current,
            fallbacks,
            created,
        };
        ring.apply_policy(policy)?;
        Ok(ring)
    }

    /// A keyring holding one freshly generated 32-byte key (creation time now).
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let ring = Keyring::generate().unwrap();
    /// assert!(ring.fallbacks().is_empty());
    /// assert!(ring.created(0).is_some());
    /// ```
    pub fn generate() -> Result<Self, KeyringError> {
        Ok(Keyring {
            current: SecretKey::generate()?,
            fallbacks: Vec::new(),
            created: vec![Some(unix_now())],
        })
    }

    /// Checks every key; returns the weak ones allowed under `AllowWeak` as warnings. An empty
    /// key is refused under either policy, so every keyring can build a signer.
    pub(crate) fn apply_policy(
        &self,
        policy: KeyPolicy,
    ) -> Result<Vec<KeyringWarning>, KeyringError> {
        let mut warnings = Vec::new();
        for (index, key) in self.keys().enumerate() {
            if key.is_empty() {
                return Err(KeyringError::EmptyKey { index });
            }
            if let Err(weak) = check_strength(key.as_bytes()) {
                match policy {
                    KeyPolicy::RefuseWeak => return Err(KeyringError::Weak { index, weak }),
                    KeyPolicy::AllowWeak => {
                        warnings.push(KeyringWarning::WeakKeyAllowed { index, weak })
                    }
                }
            }
        }
        Ok(warnings)
    }

    /// The key used for signing and encrypting.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// assert_eq!(Keyring::generate().unwrap().current().len(), 32);
    /// ```
    pub fn current(&self) -> &SecretKey {
        &self.current
    }

    /// Older keys still accepted for verification, newest first.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// assert!(Keyring::generate().unwrap().fallbacks().is_empty());
    /// ```
    pub fn fallbacks(&self) -> &[SecretKey] {
        &self.fallbacks
    }

    /// All keys in trial order: current, then fallbacks newest first. The position is the key
    /// index used throughout (0 = current, n = n-th fallback).
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let mut ring = Keyring::generate().unwrap();
    /// ring.rotate(5).unwrap();
    /// assert_eq!(ring.keys().count(), 2);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &SecretKey> + '_ {
        std::iter::once(&self.current).chain(self.fallbacks.iter())
    }

    /// The key at `index` (0 = current, n = n-th fallback).
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let ring = Keyring::generate().unwrap();
    /// assert!(ring.get(0).is_some() && ring.get(1).is_none());
    /// ```
    pub fn get(&self, index: usize) -> Option<&SecretKey> {
        match index {
            0 => Some(&self.current),
            n => self.fallbacks.get(n - 1),
        }
    }

    /// When the key at `index` was created (Unix seconds), if known.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// assert!(Keyring::generate().unwrap().created(0).is_some());
    /// ```
    pub fn created(&self, index: usize) -> Option<u64> {
        self.created.get(index).copied().flatten()
    }

    /// Number of keys (current + fallbacks); never 0.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// assert_eq!(Keyring::generate().unwrap().len(), 1);
    /// ```
    #[allow(clippy::len_without_is_empty)] // a keyring always has a current key
    pub fn len(&self) -> usize {
        1 + self.fallbacks.len()
    }

    /// Generates a new current key; the old current becomes the newest fallback, and fallbacks
    /// beyond `keep_fallbacks` are dropped (returned by fingerprint).
    ///
    /// Dropping a fallback invalidates every cookie still signed with it, so choose
    /// `keep_fallbacks` to cover the session lifetime divided by the rotation interval.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let mut ring = Keyring::generate().unwrap();
    /// let first = ring.current().fingerprint();
    /// ring.rotate(1).unwrap();
    /// let r = ring.rotate(1).unwrap();
    /// assert_eq!(r.dropped, vec![first]);
    /// assert_eq!(ring.len(), 2);
    /// ```
    pub fn rotate(&mut self, keep_fallbacks: usize) -> Result<Rotation, KeyringError> {
        self.rotate_at(keep_fallbacks, unix_now())
    }

    /// [`Keyring::rotate`] with an explicit creation time for the new key (Unix seconds).
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let mut ring = Keyring::generate().unwrap();
    /// ring.rotate_at(2, 1_700_000_000).unwrap();
    /// assert_eq!(ring.created(0), Some(1_700_000_000));
    /// ```
    pub fn rotate_at(
        &mut self,
        keep_fallbacks: usize,
        now_unix: u64,
    ) -> Result<Rotation, KeyringError> {
        // Generate first: if the RNG fails the keyring is left unchanged.
        let new = SecretKey::generate()?;
        let old = std::mem::replace(&mut self.current, new);
        self.fallbacks.insert(0, old);
        self.created.insert(0, Some(now_unix));
        let mut dropped = Vec::new();
        while self.fallbacks.len() > keep_fallbacks {
            if let Some(k) = self.fallbacks.pop() {
                dropped.push(k.fingerprint());
            }
            self.created.pop();
        }
        // Popped from the oldest end; report newest first like the fallbacks themselves.
        dropped.reverse();
        Ok(Rotation {
            new_current: self.current.fingerprint(),
            dropped,
        })
    }

    /// The keyring in the documented JSON file format (`docs/keyring-format.md`). The returned
    /// string is wiped when dropped.
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring};
    /// let ring = Keyring::generate().unwrap();
    /// let json = ring.to_keyring_json();
    /// let (back, warnings) = Keyring::from_keyring_json(json.as_bytes(), KeyPolicy::RefuseWeak).unwrap();
    /// assert_eq!(back, ring);
    /// assert!(warnings.is_empty());
    /// ```
    pub fn to_keyring_json(&self) -> Zeroizing<String> {
        // Written by hand so no unwiped intermediate copy (e.g. a serde_json::Value) holds the keys.
        let mut out = Zeroizing::new(String::with_capacity(128 * self.len()));
        let entry = |out: &mut String, key: &SecretKey, created: Option<u64>| {
            out.push_str("{\"b64\": \"");
            let mut b64 = Zeroizing::new(String::new());
            STANDARD.encode_string(key.as_bytes(), &mut b64);
            out.push_str(&b64);
            out.push_str("\", \"created\": ");
            match created {
                Some(t) => out.push_str(&t.to_string()),
                None => out.push_str("null"),
            }
            out.push('}');
        };
        out.push_str("{\n  \"waxseal_keyring\": ");
        out.push_str(&KEYRING_FORMAT_VERSION.to_string());
        out.push_str(",\n  \"current\": ");
        entry(&mut out, &self.current, self.created(0));
        out.push_str(",\n  \"fallbacks\": [");
        for (i, key) in self.fallbacks.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            entry(&mut out, key, self.created(i + 1));
        }
        if !self.fallbacks.is_empty() {
            out.push_str("\n  ");
        }
        out.push_str("]\n}\n");
        out
    }

    /// Parses the JSON keyring format, applying `policy` to every key.
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring};
    /// let json = br#"{"waxseal_keyring": 1,
    ///   "current": {"b64": "bXkgdmVyeSBvd24gc2VjcmV0IGtleSAhIQ==", "created": 1732400000},
    ///   "fallbacks": []}"#;
    /// let (ring, _) = Keyring::from_keyring_json(json, KeyPolicy::RefuseWeak).unwrap();
    /// assert_eq!(ring.current().as_bytes(), b"my very own secret key !!");
    /// ```
    pub fn from_keyring_json(
        data: &[u8],
        policy: KeyPolicy,
    ) -> Result<(Self, Vec<KeyringWarning>), KeyringError> {
        // Version first, on its own, so a newer file gets a version error rather than a confusing
        // field error. Other fields are skipped here, not copied.
        #[derive(Deserialize)]
        struct Version {
            waxseal_keyring: Option<serde_json::Value>,
        }
        let version: Version = serde_json::from_slice(data)
            .map_err(|e| KeyringError::Format(format!("invalid JSON: {e}")))?;
        match version.waxseal_keyring {
            None => {
                return Err(KeyringError::Format(
                    "missing \"waxseal_keyring\" version field".into(),
                ))
            }
            Some(serde_json::Value::Number(n)) => match n.as_u64() {
                Some(KEYRING_FORMAT_VERSION) => {}
                Some(v) => return Err(KeyringError::UnsupportedVersion(v)),
                None => {
                    return Err(KeyringError::Format(
                        "\"waxseal_keyring\" must be a positive integer".into(),
                    ))
                }
            },
            Some(_) => {
                return Err(KeyringError::Format(
                    "\"waxseal_keyring\" must be a positive integer".into(),
                ))
            }
        }

        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Entry {
            b64: String,
            #[serde(default)]
            created: Option<u64>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[allow(dead_code)]
            waxseal_keyring: u64,
            current: Entry,
            #[serde(default)]
            fallbacks: Vec<Entry>,
        }
        let mut file: File =
            serde_json::from_slice(data).map_err(|e| KeyringError::Format(e.to_string()))?;
        let decode = |index: usize, e: &mut Entry| {
            let key = SecretKey::from_base64(&e.b64)
                .map_err(|reason| KeyringError::InvalidKey { index, reason });
            e.b64.zeroize();
            key
        };
        let current = decode(0, &mut file.current);
        let mut fallbacks = Vec::with_capacity(file.fallbacks.len());
        let mut first_err = current.as_ref().err().cloned();
        for (i, e) in file.fallbacks.iter_mut().enumerate() {
            // Decode (and wipe) every entry even after an error.
            match decode(i + 1, e) {
                Ok(k) => fallbacks.push(k),
                Err(err) => {
                    first_err.get_or_insert(err);
                }
            }
        }
        if let Some(err) = first_err {
            return Err(err);
        }
        let current = current?;
        let mut created = vec![file.current.created];
        created.extend(file.fallbacks.iter().map(|e| e.created));
        let ring = Keyring {
            current,
            fallbacks,
            created,
        };
        let warnings = ring.apply_policy(policy)?;
        Ok((ring, warnings))
    }

    /// Loads a keyring file, applying `policy` to every key.
    ///
    /// Returns warnings rather than printing them: a file that group or others can access loads
    /// (refusing would take the site down on a deploy mistake) but yields
    /// [`KeyringWarning::PermissiveFileMode`].
    ///
    /// ```
    /// use waxseal::secret::{KeyPolicy, Keyring};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("keyring.json");
    /// let ring = Keyring::generate().unwrap();
    /// ring.save(&path).unwrap();
    /// let (loaded, warnings) = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap();
    /// assert_eq!(loaded, ring);
    /// assert!(warnings.is_empty());
    /// ```
    pub fn load(
        path: impl AsRef<Path>,
        policy: KeyPolicy,
    ) -> Result<(Self, Vec<KeyringWarning>), KeyringError> {
        let path = path.as_ref();
        let io_err = |e: std::io::Error| KeyringError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        };
        let file = File::open(path).map_err(io_err)?;
        // Mode from the open handle (fstat), so it describes the file actually read.
        let meta = file.metadata().map_err(io_err)?;
        if !meta.is_file() {
            return Err(io_err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        if meta.len() > MAX_KEYRING_FILE_LEN {
            return Err(KeyringError::Format(format!(
                "file is {} bytes, more than the {MAX_KEYRING_FILE_LEN} allowed",
                meta.len()
            )));
        }
        let mut warnings = Vec::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                warnings.push(KeyringWarning::PermissiveFileMode { mode });
            }
        }
        let mut data = Zeroizing::new(Vec::with_capacity(meta.len() as usize));
        file.take(MAX_KEYRING_FILE_LEN)
            .read_to_end(&mut data)
            .map_err(io_err)?;
        let (ring, more) = Self::from_keyring_json(&data, policy)?;
        warnings.extend(more);
        Ok((ring, warnings))
    }

    /// Writes the keyring file atomically, keys never readable by others.
    ///
    /// The data goes to a new owner-only temporary file beside the file, is synced, then renamed
    /// over it, so readers see the old keyring or the new one, never a torn write. A symlink is
    /// followed (the file it names is replaced, the link kept), and an existing file keeps its
    /// owner, group and mode (a 0640 file shared with an app's group stays so); a new file is
    /// 0600. A mode open to others is kept too (whoever made the file chose it, and
    /// the library never prints); [`Keyring::load`] reports it as
    /// [`KeyringWarning::PermissiveFileMode`]. Errors name `path`, never the temporary file.
    ///
    /// ```
    /// use waxseal::secret::Keyring;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("keys.json");
    /// Keyring::generate().unwrap().save(&path).unwrap();
    /// # #[cfg(unix)] {
    /// use std::os::unix::fs::PermissionsExt;
    /// assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    /// # }
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), KeyringError> {
        let json = self.to_keyring_json();
        super::key_file::replace(path.as_ref(), json.as_bytes())
    }
}

impl Keyring {
    pub(crate) fn from_parts(current: SecretKey, fallbacks: Vec<SecretKey>) -> Self {
        let created = vec![None; fallbacks.len() + 1];
        Keyring {
            current,
            fallbacks,
            created,
        }
    }
}
