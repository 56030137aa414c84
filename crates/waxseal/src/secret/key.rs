//! [`SecretKey`]: owned key bytes that never show themselves and are wiped on drop.

use crate::error::IoError;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::python_literal::{self, LiteralError, LiteralKind};

/// Length of keys made by [`SecretKey::generate`]: 256 bits, like Python's `secrets.token_hex()`.
///
/// ```
/// assert_eq!(waxseal::secret::SecretKey::generate().unwrap().len(), waxseal::secret::GENERATED_KEY_LEN);
/// ```
pub const GENERATED_KEY_LEN: usize = 32;

/// Largest key [`SecretKey::generate_with_len`] makes; longer keys add nothing but cost.
///
/// ```
/// use waxseal::secret::{SecretKey, MAX_GENERATED_KEY_LEN};
/// assert!(SecretKey::generate_with_len(MAX_GENERATED_KEY_LEN + 1).is_err());
/// ```
pub const MAX_GENERATED_KEY_LEN: usize = 4096;

/// Largest key file [`SecretKey::from_file`] reads, so a wrong path (say a log file) fails fast.
///
/// ```
/// assert_eq!(waxseal::secret::MAX_KEY_FILE_LEN, 65536);
/// ```
pub const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// Domain-separation prefix hashed in front of the key by [`SecretKey::fingerprint`].
///
/// ```
/// assert_eq!(waxseal::secret::FINGERPRINT_PREFIX, b"waxseal-fingerprint");
/// ```
pub const FINGERPRINT_PREFIX: &[u8] = b"waxseal-fingerprint";

/// A secret key: owned bytes that are never printed and are overwritten with zeros on drop.
///
/// `Debug` and `Display` show only the length and the [fingerprint](SecretKey::fingerprint), so a
/// key that ends up in a log line or a panic message does not leak. Every clone is wiped
/// independently. Equality is constant-time in the key contents, so comparing a guess against a
/// key does not reveal how many leading bytes matched.
///
/// ```
/// use waxseal::secret::SecretKey;
///
/// let key = SecretKey::from_text("correct horse battery staple, 2024");
/// assert_eq!(key.as_bytes(), b"correct horse battery staple, 2024");
/// let shown = format!("{key:?}");
/// assert!(shown.starts_with("SecretKey(34 bytes, fingerprint "));
/// assert!(!shown.contains("horse"));
/// ```
#[derive(Clone)]
pub struct SecretKey {
    // A boxed slice never reallocates, so no stale copy of the bytes is left behind by growth.
    bytes: Box<[u8]>,
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl SecretKey {
    /// Wraps raw key bytes (Flask accepts `bytes` keys as they are).
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let key = SecretKey::from_bytes(vec![1, 2, 3]);
    /// assert_eq!(key.len(), 3);
    /// ```
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        // into_boxed_slice may reallocate when capacity > len; the old buffer is then freed
        // unwiped, so shrink through a wiped copy instead.
        let mut v: Vec<u8> = bytes.into();
        let boxed: Box<[u8]> = v.as_slice().into();
        v.zeroize();
        SecretKey { bytes: boxed }
    }

    /// Copies key bytes from a slice.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_slice(b"abc").as_bytes(), b"abc");
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Self {
        SecretKey {
            bytes: bytes.into(),
        }
    }

    /// The key as Flask uses a `str` `SECRET_KEY`: its UTF-8 encoding, unchanged.
    ///
    /// Note that a key made with `python -c 'import secrets; print(secrets.token_hex())'` and put
    /// into Flask's config as a string is used by Flask as those 64 ASCII characters, *not* as the
    /// 32 bytes they spell. Use this (not [`SecretKey::from_hex`]) to stay compatible with it.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let key = SecretKey::from_text("é");
    /// assert_eq!(key.as_bytes(), &[0xc3, 0xa9]);
    /// ```
    pub fn from_text(text: &str) -> Self {
        Self::from_slice(text.as_bytes())
    }

    /// Decodes hexadecimal (either case; surrounding ASCII whitespace is ignored).
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_hex("00ff10").unwrap().as_bytes(), &[0, 255, 16]);
    /// assert!(SecretKey::from_hex("abc").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, ParseKeyError> {
        let t = text.trim_ascii();
        if t.is_empty() {
            return Err(ParseKeyError::Empty);
        }
        // Bad characters first: "not hex at all" is the more useful message.
        if let Some(position) = t.bytes().position(|c| crate::hex::digit_value(c).is_none()) {
            return Err(ParseKeyError::InvalidHexDigit { position });
        }
        if t.len() % 2 != 0 {
            return Err(ParseKeyError::OddHexLength { len: t.len() });
        }
        let mut out = Zeroizing::new(Vec::with_capacity(t.len() / 2));
        for (i, pair) in t.as_bytes().chunks_exact(2).enumerate() {
            let hi = crate::hex::digit_value(pair[0])
                .ok_or(ParseKeyError::InvalidHexDigit { position: 2 * i })?;
            let lo = crate::hex::digit_value(pair[1]).ok_or(ParseKeyError::InvalidHexDigit {
                position: 2 * i + 1,
            })?;
            out.push(hi << 4 | lo);
        }
        Ok(Self::from_slice(&out))
    }

    /// Decodes base64, standard (`+/`) or URL-safe (`-_`) alphabet, padded or not (surrounding
    /// ASCII whitespace is ignored).
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_base64("+/8=").unwrap().as_bytes(), &[0xfb, 0xff]);
    /// assert_eq!(SecretKey::from_base64("-_8").unwrap().as_bytes(), &[0xfb, 0xff]);
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, ParseKeyError> {
        let t = text.trim_ascii();
        if t.is_empty() {
            return Err(ParseKeyError::Empty);
        }
        let std_alpha = t.contains(['+', '/']);
        let url_alpha = t.contains(['-', '_']);
        if std_alpha && url_alpha {
            return Err(ParseKeyError::InvalidBase64(
                "mixes the standard (+/) and URL-safe (-_) alphabets".into(),
            ));
        }
        let config = GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(false);
        let engine = if url_alpha {
            GeneralPurpose::new(&alphabet::URL_SAFE, config)
        } else {
            GeneralPurpose::new(&alphabet::STANDARD, config)
        };
        let decoded = Zeroizing::new(
            engine
                .decode(t)
                // The decoder's own message quotes the offending byte and its offset, which
                // would put a piece of the key into logs: report only the kind of problem.
                .map_err(|e| {
                    ParseKeyError::InvalidBase64(
                        match e {
                            base64::DecodeError::InvalidLength(_) => "invalid length",
                            base64::DecodeError::InvalidPadding => "invalid padding",
                            _ => "invalid character",
                        }
                        .to_string(),
                    )
                })?,
        );
        if decoded.is_empty() {
            return Err(ParseKeyError::Empty);
        }
        Ok(Self::from_slice(&decoded))
    }

    /// Parses a Python bytes literal as printed by `repr(app.secret_key)` or written in a Flask
    /// config file: `b'...'` or `b"..."` (prefix `b`/`B`, also raw `rb`/`br` in any case).
    ///
    /// Escapes follow Python: `\\ \' \" \a \b \f \n \r \t \v`, `\xHH`, octal `\O` to `\OOO`, and a
    /// backslash before a newline is dropped. An unknown escape such as `\e` stays a backslash
    /// followed by the letter, exactly as Python keeps it (Superset's well-known key relies on
    /// this). Only ASCII may appear literally, as in Python. Whatever `ast.literal_eval` reads as
    /// bytes is accepted (concatenated literals, parentheses, a trailing comment): the text goes
    /// through the crate's one Python-literal parser, [`python_literal`](super::python_literal).
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let key = SecretKey::from_python_bytes_literal(r"b'\x02\x01ab\e'").unwrap();
    /// assert_eq!(key.as_bytes(), b"\x02\x01ab\\e");
    /// ```
    pub fn from_python_bytes_literal(text: &str) -> Result<Self, ParseKeyError> {
        parse_python_bytes(text.trim_ascii()).map(|v| Self::from_slice(&v))
    }

    /// Reads what a Flask user would paste from a config file or `repr(app.secret_key)`: a Python
    /// bytes literal (`b'...'`) is decoded, anything else is taken as text (see
    /// [`SecretKey::from_text`]).
    ///
    /// Not for environment variables: Flask uses `FLASK_SECRET_KEY="b'...'"` as those characters,
    /// so [`Keyring::from_env`](super::Keyring::from_env) does not decode literals either.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_flask_value("b'\\x00k'").unwrap().as_bytes(), b"\x00k");
    /// assert_eq!(SecretKey::from_flask_value("plain text").unwrap().as_bytes(), b"plain text");
    /// ```
    pub fn from_flask_value(text: &str) -> Result<Self, ParseKeyError> {
        if looks_like_bytes_literal(text.trim_ascii()) {
            Self::from_python_bytes_literal(text)
        } else {
            Ok(Self::from_text(text))
        }
    }

    /// Parses `text` in the given encoding.
    ///
    /// ```
    /// use waxseal::secret::{KeyEncoding, SecretKey};
    /// let a = SecretKey::parse("6b6579", KeyEncoding::Hex).unwrap();
    /// let b = SecretKey::parse("a2V5", KeyEncoding::Base64).unwrap();
    /// assert_eq!(a, b);
    /// ```
    pub fn parse(text: &str, encoding: KeyEncoding) -> Result<Self, ParseKeyError> {
        match encoding {
            KeyEncoding::Text => Ok(Self::from_text(text)),
            KeyEncoding::Hex => Self::from_hex(text),
            KeyEncoding::Base64 => Self::from_base64(text),
            KeyEncoding::PythonBytes => Self::from_python_bytes_literal(text),
        }
    }

    /// Reads a key file: its raw contents minus one trailing line ending (`\n` or `\r\n`).
    ///
    /// Only one line ending is removed because `echo`/editors add exactly one, while any other
    /// whitespace may be part of a binary key. An empty result is an error. Files larger than
    /// [`MAX_KEY_FILE_LEN`] are refused.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let dir = std::env::temp_dir().join(format!("waxseal-doc-key-{}", std::process::id()));
    /// std::fs::write(&dir, b"my key text\n").unwrap();
    /// assert_eq!(SecretKey::from_file(&dir).unwrap().as_bytes(), b"my key text");
    /// std::fs::remove_file(&dir).unwrap();
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ParseKeyError> {
        let raw = read_key_file(path.as_ref())?;
        let mut end = raw.len();
        if raw[..end].ends_with(b"\n") {
            end -= 1;
            if raw[..end].ends_with(b"\r") {
                end -= 1;
            }
        }
        if end == 0 {
            return Err(ParseKeyError::Empty);
        }
        Ok(Self::from_slice(&raw[..end]))
    }

    /// Reads a key file holding the key in `encoding` (surrounding whitespace ignored for hex and
    /// base64; one trailing line ending removed for text and bytes literals).
    ///
    /// ```
    /// use waxseal::secret::{KeyEncoding, SecretKey};
    /// let p = std::env::temp_dir().join(format!("waxseal-doc-hex-{}", std::process::id()));
    /// std::fs::write(&p, "6b6579\n").unwrap();
    /// assert_eq!(SecretKey::from_file_as(&p, KeyEncoding::Hex).unwrap().as_bytes(), b"key");
    /// std::fs::remove_file(&p).unwrap();
    /// ```
    pub fn from_file_as(
        path: impl AsRef<Path>,
        encoding: KeyEncoding,
    ) -> Result<Self, ParseKeyError> {
        let raw = Self::from_file(path)?;
        let text = std::str::from_utf8(raw.as_bytes()).map_err(|_| ParseKeyError::NotUtf8)?;
        Self::parse(text, encoding)
    }

    /// A new 32-byte key from the operating system's random source.
    ///
    /// Fails only if the OS random source does (e.g. too early in boot); it is reported, never
    /// replaced by a weaker source.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let a = SecretKey::generate().unwrap();
    /// assert_eq!(a.len(), 32);
    /// assert_ne!(a, SecretKey::generate().unwrap());
    /// ```
    pub fn generate() -> Result<Self, KeyGenError> {
        Self::generate_with_len(GENERATED_KEY_LEN)
    }

    /// A new key of `len` bytes (16 to [`MAX_GENERATED_KEY_LEN`]) from the OS random source.
    ///
    /// Lengths below 16 are refused because [`check_strength`](super::check_strength) would refuse
    /// the result.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::generate_with_len(64).unwrap().len(), 64);
    /// assert!(SecretKey::generate_with_len(8).is_err());
    /// ```
    pub fn generate_with_len(len: usize) -> Result<Self, KeyGenError> {
        if !(super::MIN_KEY_LEN..=MAX_GENERATED_KEY_LEN).contains(&len) {
            return Err(KeyGenError::BadLength { len });
        }
        let mut buf = vec![0u8; len].into_boxed_slice();
        getrandom::fill(&mut buf).map_err(|e| KeyGenError::Random(e.to_string()))?;
        Ok(SecretKey { bytes: buf })
    }

    /// The key bytes, for signing or key derivation. Do not log them.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_text("k").as_bytes(), b"k");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Key length in bytes.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert_eq!(SecretKey::from_text("four").len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the key has no bytes (never true for keys that passed a strength check).
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// assert!(SecretKey::from_bytes(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// A short identifier to tell keys apart in logs and UIs: the first 8 bytes of
    /// SHA-256(`b"waxseal-fingerprint"` || key), as 16 lowercase hex digits.
    ///
    /// SHA-256 is one-way, so for a random key the fingerprint reveals nothing usable; the prefix
    /// keeps it from equalling any other SHA-256 of the key. A *guessable* key can of course be
    /// confirmed from its fingerprint by trying candidates, just as from any cookie it signed.
    ///
    /// ```
    /// use waxseal::secret::SecretKey;
    /// let fp = SecretKey::from_text("some key").fingerprint();
    /// assert_eq!(fp.len(), 16);
    /// assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
    /// ```
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.bytes)
    }
}

/// The fingerprint of raw key bytes (see [`SecretKey::fingerprint`]).
pub(crate) fn fingerprint_of(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(FINGERPRINT_PREFIX);
    h.update(bytes);
    let digest = h.finalize();
    crate::hex::encode(&digest[..8])
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretKey({} bytes, fingerprint {})",
            self.bytes.len(),
            self.fingerprint()
        )
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time in the contents; lengths are not secret.
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for SecretKey {}

/// How a key is written down, for [`SecretKey::parse`] and [`SecretKey::from_file_as`].
///
/// ```
/// use waxseal::secret::KeyEncoding;
/// assert_ne!(KeyEncoding::Hex, KeyEncoding::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEncoding {
    /// UTF-8 text used as is (Flask's `str` key).
    Text,
    /// Hexadecimal digits.
    Hex,
    /// Base64, standard or URL-safe, padded or not.
    Base64,
    /// A Python bytes literal such as `b'\x02\x01key'`.
    PythonBytes,
}

/// Why key text could not be parsed. Messages never include the key itself.
///
/// ```
/// use waxseal::secret::{ParseKeyError, SecretKey};
/// assert_eq!(SecretKey::from_hex("0g"), Err(ParseKeyError::InvalidHexDigit { position: 1 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseKeyError {
    /// Nothing to parse (or the decoded key is empty).
    #[error("secret key is empty")]
    Empty,
    /// Hex text with an odd number of digits.
    #[error("hex secret key has an odd number of digits ({len})")]
    OddHexLength {
        /// Number of hex characters given.
        len: usize,
    },
    /// A character that is not a hex digit, at this byte offset of the trimmed text.
    #[error("hex secret key has a non-hex character at offset {position}")]
    InvalidHexDigit {
        /// Byte offset in the trimmed input.
        position: usize,
    },
    /// Not valid base64 (the decoder's reason).
    #[error("base64 secret key is invalid: {0}")]
    InvalidBase64(String),
    /// Not a Python bytes literal (the reason, with a byte offset where useful).
    #[error("not a valid Python bytes literal: {0}")]
    InvalidBytesLiteral(String),
    /// The file's contents are not UTF-8 but an encoding other than raw was asked for.
    #[error("key file is not UTF-8 text")]
    NotUtf8,
    /// The key file could not be read.
    #[error("cannot read key file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: IoError,
    },
    /// The key file is larger than [`MAX_KEY_FILE_LEN`].
    #[error("key file {} is {len} bytes, more than the {MAX_KEY_FILE_LEN} allowed", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
    },
}

/// Why a key could not be generated.
///
/// ```
/// use waxseal::secret::{KeyGenError, SecretKey};
/// assert_eq!(SecretKey::generate_with_len(0).unwrap_err(), KeyGenError::BadLength { len: 0 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyGenError {
    /// The requested length is outside 16..=[`MAX_GENERATED_KEY_LEN`].
    #[error(
        "cannot generate a {len}-byte key: length must be {} to {MAX_GENERATED_KEY_LEN}",
        super::MIN_KEY_LEN
    )]
    BadLength {
        /// The length asked for.
        len: usize,
    },
    /// The OS random source failed (its message).
    #[error("the OS random source failed: {0}")]
    Random(String),
}

pub(crate) fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, ParseKeyError> {
    use std::io::Read;
    let io_err = |e: std::io::Error| ParseKeyError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    if len > MAX_KEY_FILE_LEN {
        return Err(ParseKeyError::FileTooLarge {
            path: path.to_path_buf(),
            len,
        });
    }
    // Read at most one byte past the limit, in case the file grows between stat and read.
    let mut raw = Zeroizing::new(Vec::with_capacity(len as usize + 1));
    file.take(MAX_KEY_FILE_LEN + 1)
        .read_to_end(&mut raw)
        .map_err(io_err)?;
    if raw.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(ParseKeyError::FileTooLarge {
            path: path.to_path_buf(),
            len: raw.len() as u64,
        });
    }
    Ok(raw)
}

fn split_prefix(text: &str) -> Option<(bool, &str)> {
    // Python accepts b, B, br, rb in any case for bytes literals.
    let bytes = text.as_bytes();
    let lower = |i: usize| bytes.get(i).map(|b| b.to_ascii_lowercase());
    match (lower(0), lower(1)) {
        (Some(b'b'), Some(b'r')) | (Some(b'r'), Some(b'b')) => Some((true, &text[2..])),
        (Some(b'b'), _) => Some((false, &text[1..])),
        _ => None,
    }
}

fn looks_like_bytes_literal(text: &str) -> bool {
    match split_prefix(text) {
        Some((_, rest)) => {
            rest.len() >= 2
                && (rest.starts_with('\'') && rest.ends_with('\'')
                    || rest.starts_with('"') && rest.ends_with('"'))
        }
        None => false,
    }
}

/// A bytes literal through the crate's one Python-literal parser ([`python_literal`]), into a
/// buffer that is wiped on drop and never reallocated (a value is never longer than its source).
fn parse_python_bytes(text: &str) -> Result<Zeroizing<Vec<u8>>, ParseKeyError> {
    let bad = |why: String| ParseKeyError::InvalidBytesLiteral(why);
    let must_start = "must start with b' or b\" (or rb/br)";
    let mut out = Zeroizing::new(Vec::with_capacity(text.len()));
    match python_literal::evaluate_into(text, &mut out) {
        Ok(LiteralKind::Bytes) => {}
        Ok(LiteralKind::Str) => {
            return Err(bad(format!(
                "{must_start}: this is a str literal, not bytes"
            )))
        }
        Err(LiteralError::NotALiteral { .. }) if split_prefix(text).is_none() => {
            return Err(bad(must_start.into()))
        }
        Err(e) => return Err(bad(e.to_string())),
    }
    if out.is_empty() {
        return Err(ParseKeyError::Empty);
    }
    Ok(out)
}
