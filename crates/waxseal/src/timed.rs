//! The timestamp layer: `value SEP base64(int(now)) SEP signature` (itsdangerous's
//! `TimestampSigner`).
//!
//! The signature covers the value *and* the timestamp, and is verified before the timestamp is
//! read. Ages are checked against a maximum: `age == max_age` passes, `age > max_age` is expired,
//! and a timestamp in the future is expired too (it can only come from a wrong clock or a
//! forgery with a stolen key). Every check has an `_at` form that takes "now" explicitly, so
//! tests and forensic tools can verify as of any moment.

use crate::encoding::{base64_decode_to_slice, base64_encode_into, bytes_to_int, int_to_bytes};
use crate::error::{ConfigError, Error};
use crate::signer::{Signer, SignerBuilder, SignerSettings};

/// The current Unix time in whole seconds, as itsdangerous's `int(time.time())`.
///
/// ```
/// assert!(waxseal::timed::unix_now() > 1_700_000_000);
/// ```
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A value whose signature and age were verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampUnsigned<'a> {
    /// The signed value, without the timestamp.
    pub value: &'a [u8],
    /// When it was signed (Unix seconds).
    pub timestamp: u64,
    /// 0 if the current key matched, `n` if the `n`-th fallback key did.
    pub key_index: usize,
}

/// Signs with a timestamp and verifies signature and age (itsdangerous's `TimestampSigner`).
///
/// ```
/// use waxseal::TimestampSigner;
/// let signer = TimestampSigner::new("secret-key")?;
/// let token = signer.sign_at(b"value", 1_700_000_000);
/// let ok = signer.unsign_at(&token, Some(60), 1_700_000_060)?;
/// assert_eq!((ok.value, ok.timestamp), (&b"value"[..], 1_700_000_000));
/// let expired = signer.unsign_at(&token, Some(60), 1_700_000_061).unwrap_err();
/// assert_eq!(expired.kind(), waxseal::ErrorKind::Expired);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimestampSigner {
    signer: Signer,
}

impl TimestampSigner {
    /// A timestamp signer with itsdangerous's defaults and one key; an empty key is refused
    /// ([`ConfigError::EmptyKey`]).
    ///
    /// ```
    /// use waxseal::{ConfigError, TimestampSigner};
    /// assert!(TimestampSigner::new("secret-key").is_ok());
    /// assert_eq!(TimestampSigner::new(b"").unwrap_err(), ConfigError::EmptyKey { index: 0 });
    /// ```
    pub fn new(secret_key: impl AsRef<[u8]>) -> Result<TimestampSigner, ConfigError> {
        Signer::new(secret_key).map(TimestampSigner::from_signer)
    }

    /// Wraps a configured [`Signer`] (its salt, digest, keys…).
    ///
    /// ```
    /// let signer = waxseal::Signer::builder("k").salt("activate").build()?;
    /// let ts = waxseal::TimestampSigner::from_signer(signer);
    /// assert_eq!(ts.settings().salt, b"activate");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_signer(signer: Signer) -> TimestampSigner {
        TimestampSigner { signer }
    }

    /// Builds from a [`SignerBuilder`].
    ///
    /// ```
    /// use waxseal::{Signer, TimestampSigner};
    /// let ts = TimestampSigner::build(Signer::builder("k").fallback_key("old"))?;
    /// assert_eq!(ts.signer().key_count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(builder: SignerBuilder) -> Result<TimestampSigner, ConfigError> {
        builder.build().map(TimestampSigner::from_signer)
    }

    /// The underlying signer.
    ///
    /// ```
    /// assert_eq!(waxseal::TimestampSigner::new("k")?.signer().key_count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The settings in use.
    ///
    /// ```
    /// assert_eq!(waxseal::TimestampSigner::new("k")?.settings().salt, b"itsdangerous.Signer");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settings(&self) -> &SignerSettings {
        self.signer.settings()
    }

    /// Signs `value` with the current time.
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// assert!(s.unsign(&s.sign(b"v"), Some(60)).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, value: &[u8]) -> Vec<u8> {
        self.sign_at(value, unix_now())
    }

    /// Signs `value` as if at `timestamp` (Unix seconds).
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// let token = s.sign_at(b"v", 1_700_000_000);
    /// assert_eq!(s.unsign_at(&token, None, 0)?.timestamp, 1_700_000_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_at(&self, value: &[u8], timestamp: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(value.len() + 100);
        self.sign_at_into(value, timestamp, &mut out);
        out
    }

    /// Appends `value SEP ts SEP signature` to `out`.
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// let mut out = Vec::new();
    /// s.sign_at_into(b"v", 1_700_000_000, &mut out);
    /// assert_eq!(out, s.sign_at(b"v", 1_700_000_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_at_into(&self, value: &[u8], timestamp: u64, out: &mut Vec<u8>) {
        sign_timed_into(&self.signer, value, timestamp, out);
    }

    /// Verifies against the current clock; see [`TimestampSigner::unsign_at`].
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// let old = s.sign_at(b"v", 1_000);
    /// assert_eq!(s.unsign(&old, None)?.value, b"v");
    /// assert!(s.unsign(&old, Some(60)).is_err()); // expired long ago
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unsign<'a>(
        &self,
        signed: &'a [u8],
        max_age: Option<u64>,
    ) -> Result<TimestampUnsigned<'a>, Error> {
        self.unsign_at(signed, max_age, unix_now())
    }

    /// Verifies the signature, then the timestamp, then the age as of `now`.
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// let token = s.sign_at(b"v", 1_000);
    /// assert!(s.unsign_at(&token, Some(60), 1_060).is_ok());
    /// assert!(s.unsign_at(&token, Some(60), 999).is_err()); // dated in the future
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unsign_at<'a>(
        &self,
        signed: &'a [u8],
        max_age: Option<u64>,
        now: u64,
    ) -> Result<TimestampUnsigned<'a>, Error> {
        unsign_timed(&self.signer, signed, max_age, now)
    }

    /// Whether `signed` has a valid signature and, if `max_age` is given, is young enough now.
    ///
    /// ```
    /// let s = waxseal::TimestampSigner::new("k")?;
    /// assert!(s.validate(&s.sign(b"v"), Some(60)));
    /// assert!(!s.validate(b"v.forged.token", None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self, signed: &[u8], max_age: Option<u64>) -> bool {
        self.unsign(signed, max_age).is_ok()
    }
}

/// Appends `value SEP ts SEP signature` signed by `signer`.
pub(crate) fn sign_timed_into(signer: &Signer, value: &[u8], timestamp: u64, out: &mut Vec<u8>) {
    let sep = signer.settings().separator;
    let start = out.len();
    out.extend_from_slice(value);
    out.push(sep);
    base64_encode_into(&int_to_bytes(timestamp), out);
    let sig = signer.signature(&out[start..]);
    out.push(sep);
    base64_encode_into(sig.as_slice(), out);
}

/// itsdangerous's `TimestampSigner.unsign`: signature first, then timestamp, then age.
pub(crate) fn unsign_timed<'a>(
    signer: &Signer,
    signed: &'a [u8],
    max_age: Option<u64>,
    now: u64,
) -> Result<TimestampUnsigned<'a>, Error> {
    let sep = signer.settings().separator;
    let unsigned = match signer.unsign(signed) {
        Ok(u) => u,
        // A bad signature still reports the (untrusted) timestamp, as itsdangerous does.
        Err(Error::BadSignature { payload, .. }) => {
            let (value, timestamp) = match payload.iter().rposition(|&b| b == sep) {
                Some(at) => (payload[..at].to_vec(), decode_timestamp(&payload[at + 1..])),
                None => (payload, None),
            };
            return Err(Error::BadSignature {
                payload: value,
                timestamp,
            });
        }
        Err(e) => return Err(e),
    };
    let signed_part = unsigned.value;
    let Some(at) = signed_part.iter().rposition(|&b| b == sep) else {
        return Err(Error::MissingTimestamp {
            payload: signed_part.to_vec(),
        });
    };
    let value = &signed_part[..at];
    let Some(timestamp) = decode_timestamp(&signed_part[at + 1..]) else {
        return Err(Error::MalformedTimestamp {
            payload: value.to_vec(),
        });
    };
    if let Some(max_age) = max_age {
        check_age(value, timestamp, max_age, now)?;
    }
    Ok(TimestampUnsigned {
        value,
        timestamp,
        key_index: unsigned.key_index,
    })
}

/// Reads an itsdangerous timestamp (base64 of a big-endian integer of at most 8 bytes).
fn decode_timestamp(b64: &[u8]) -> Option<u64> {
    let mut buf = [0u8; 8];
    let n = base64_decode_to_slice(b64, &mut buf)?;
    bytes_to_int(&buf[..n])
}

/// Applies itsdangerous's age rule: expired when older than `max_age` or dated in the future.
fn check_age(value: &[u8], timestamp: u64, max_age: u64, now: u64) -> Result<(), Error> {
    let age = i128::from(now) - i128::from(timestamp);
    if age > i128::from(max_age) || age < 0 {
        let age = age.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        return Err(Error::Expired {
            payload: value.to_vec(),
            timestamp,
            age,
            max_age,
        });
    }
    Ok(())
}
