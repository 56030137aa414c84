//! Refusing weak secret keys: empty, short, publicly known, on a user wordlist, or trivially
//! repetitive.

use std::fmt;

use super::known_keys;

/// Shortest key accepted: 16 bytes (128 bits if random). HMAC keys shorter than this are within
/// reach of offline guessing once an attacker holds one signed cookie.
///
/// ```
/// use waxseal::secret::{check_strength, MIN_KEY_LEN};
/// assert!(check_strength(&b"k3y-with-sixteen-bytes"[..MIN_KEY_LEN - 1]).is_err());
/// ```
pub const MIN_KEY_LEN: usize = 16;

/// Longest repeating unit that counts as a trivially repetitive key (`aaaa…`, `abab…`, `abcdabcd…`).
const MAX_REPEAT_PERIOD: usize = 4;

/// One reason a key is weak.
///
/// ```
/// use waxseal::secret::{check_strength, WeakReason};
/// let weak = check_strength(b"").unwrap_err();
/// assert_eq!(weak.reasons(), &[WeakReason::Empty]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeakReason {
    /// The key has no bytes.
    Empty,
    /// Fewer than [`MIN_KEY_LEN`] bytes.
    TooShort {
        /// The key's length.
        len: usize,
        /// The minimum ([`MIN_KEY_LEN`]).
        min: usize,
    },
    /// A publicly known key (framework default or documentation example).
    KnownKey {
        /// Where it was published.
        source: &'static str,
    },
    /// On the caller's own wordlist (see [`check_strength_with`]).
    InWordlist,
    /// The key repeats a unit of at most 4 bytes (e.g. a single byte over and over).
    Repetitive {
        /// Length of the repeating unit.
        period: usize,
    },
}

impl fmt::Display for WeakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeakReason::Empty => f.write_str("it is empty"),
            WeakReason::TooShort { len, min } => {
                write!(
                    f,
                    "it is {len} bytes long, shorter than the minimum of {min}"
                )
            }
            WeakReason::KnownKey { source } => {
                write!(f, "it is a publicly known key ({source})")
            }
            WeakReason::InWordlist => f.write_str("it is on the supplied wordlist of weak keys"),
            WeakReason::Repetitive { period: 1 } => {
                f.write_str("it is a single byte repeated (almost no entropy)")
            }
            WeakReason::Repetitive { period } => {
                write!(f, "it repeats a {period}-byte pattern (almost no entropy)")
            }
        }
    }
}

/// A refused key and every reason it was refused (never empty). The key itself is not kept.
///
/// ```
/// use waxseal::secret::check_strength;
/// let weak = check_strength(b"secret").unwrap_err();
/// let msg = weak.to_string();
/// assert!(msg.contains("shorter than the minimum of 16"));
/// assert!(msg.contains("publicly known"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing weak secret key: {}. Generate one with \
     `python -c 'import secrets; print(secrets.token_hex())'`",
    join_reasons(reasons)
)]
pub struct WeakKey {
    reasons: Vec<WeakReason>,
}

impl WeakKey {
    /// Every reason the key was refused, most basic first.
    ///
    /// ```
    /// use waxseal::secret::{check_strength, WeakReason};
    /// let weak = check_strength(b"0123").unwrap_err();
    /// assert!(matches!(weak.reasons()[0], WeakReason::TooShort { len: 4, .. }));
    /// ```
    pub fn reasons(&self) -> &[WeakReason] {
        &self.reasons
    }
}

fn join_reasons(reasons: &[WeakReason]) -> String {
    let texts: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    texts.join("; ")
}

/// The full assessment of a key: every weakness found (empty if the key is acceptable).
///
/// ```
/// use waxseal::secret::StrengthReport;
/// let report = StrengthReport::assess(b"0123456789abcdefghij", std::iter::empty());
/// assert!(report.is_acceptable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StrengthReport {
    /// Every weakness found.
    pub reasons: Vec<WeakReason>,
}

impl StrengthReport {
    /// Assesses `key` against the built-in rules and the caller's `extra` wordlist (exact match).
    ///
    /// ```
    /// use waxseal::secret::{StrengthReport, WeakReason};
    /// let words: [&[u8]; 1] = [b"our-company-secret-2019"];
    /// let r = StrengthReport::assess(b"our-company-secret-2019", words.into_iter());
    /// assert_eq!(r.reasons, vec![WeakReason::InWordlist]);
    /// ```
    pub fn assess<'a>(key: &[u8], extra: impl Iterator<Item = &'a [u8]>) -> Self {
        let mut reasons = Vec::new();
        if key.is_empty() {
            reasons.push(WeakReason::Empty);
            return StrengthReport { reasons };
        }
        if key.len() < MIN_KEY_LEN {
            reasons.push(WeakReason::TooShort {
                len: key.len(),
                min: MIN_KEY_LEN,
            });
        }
        if let Some(source) = known_keys::lookup(key) {
            reasons.push(WeakReason::KnownKey { source });
        }
        // Not short-circuited on a match, so the time taken does not say where the key was found.
        let mut in_list = false;
        for word in extra {
            in_list |= word == key;
        }
        if in_list {
            reasons.push(WeakReason::InWordlist);
        }
        if let Some(period) = repeat_period(key) {
            reasons.push(WeakReason::Repetitive { period });
        }
        StrengthReport { reasons }
    }

    /// Whether no weakness was found.
    ///
    /// ```
    /// use waxseal::secret::StrengthReport;
    /// assert!(!StrengthReport::assess(b"dev", std::iter::empty()).is_acceptable());
    /// ```
    pub fn is_acceptable(&self) -> bool {
        self.reasons.is_empty()
    }

    /// `Ok(())` if acceptable, else the [`WeakKey`] error.
    ///
    /// ```
    /// use waxseal::secret::StrengthReport;
    /// assert!(StrengthReport::assess(b"changeme", std::iter::empty()).into_result().is_err());
    /// ```
    pub fn into_result(self) -> Result<(), WeakKey> {
        if self.reasons.is_empty() {
            Ok(())
        } else {
            Err(WeakKey {
                reasons: self.reasons,
            })
        }
    }
}

/// Refuses keys that are empty, shorter than [`MIN_KEY_LEN`] bytes, publicly known (framework
/// defaults and documentation examples, ASCII case ignored), or a repeated 1–4 byte pattern.
///
/// A key that fails here lets anyone who guesses it forge sessions, so [`KeyPolicy::RefuseWeak`]
/// applies this to every key in a [`Keyring`](super::Keyring).
///
/// ```
/// use waxseal::secret::check_strength;
/// assert!(check_strength(b"you-will-never-guess").is_err());
/// assert!(check_strength(b"3f9c2a7be1d04c58a6f1e2d3c4b5a697").is_ok());
/// ```
pub fn check_strength(key: &[u8]) -> Result<(), WeakKey> {
    StrengthReport::assess(key, std::iter::empty()).into_result()
}

/// [`check_strength`] plus the caller's own wordlist of weak keys (exact byte match).
///
/// ```
/// use waxseal::secret::check_strength_with;
/// let list: Vec<&[u8]> = vec![b"acme-corp-session-key-2021"];
/// assert!(check_strength_with(b"acme-corp-session-key-2021", list.into_iter()).is_err());
/// ```
pub fn check_strength_with<'a>(
    key: &[u8],
    extra: impl Iterator<Item = &'a [u8]>,
) -> Result<(), WeakKey> {
    StrengthReport::assess(key, extra).into_result()
}

/// Number of keys in the built-in list of publicly known keys.
///
/// ```
/// assert!(waxseal::secret::known_key_count() > 40);
/// ```
pub fn known_key_count() -> usize {
    known_keys::count()
}

/// Whether weak keys are refused where keys are put to use (building a [`Keyring`](super::Keyring)).
///
/// Signing and verifying services should use [`KeyPolicy::RefuseWeak`]. [`KeyPolicy::AllowWeak`]
/// exists for tools that must handle *other people's* cookies (auditing, decoding, testing a
/// suspected default key): they cannot choose the key. Keys accepted under `AllowWeak` are still
/// reported as warnings where the API returns warnings. An empty key is refused under both
/// policies ([`KeyringError::EmptyKey`](super::KeyringError::EmptyKey)).
///
/// ```
/// use waxseal::secret::{KeyPolicy, Keyring, SecretKey};
/// let weak = SecretKey::from_text("dev");
/// assert!(Keyring::new(weak.clone(), vec![], KeyPolicy::RefuseWeak).is_err());
/// assert!(Keyring::new(weak, vec![], KeyPolicy::AllowWeak).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyPolicy {
    /// Refuse any key that fails [`check_strength`] (the default).
    #[default]
    RefuseWeak,
    /// Accept weak keys (for handling cookies signed by someone else's key).
    AllowWeak,
}

/// The shortest unit of at most [`MAX_REPEAT_PERIOD`] bytes that `key` is a repetition of (needs
/// at least two full repetitions to count).
fn repeat_period(key: &[u8]) -> Option<usize> {
    (1..=MAX_REPEAT_PERIOD).find(|&p| {
        key.len() >= 2 * p && key.len() % p == 0 && key.chunks_exact(p).all(|c| c == &key[..p])
    })
}
