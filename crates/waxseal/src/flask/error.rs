//! [`FlaskJsonError`]: everything that can go wrong reading, writing, tagging or converting
//! Flask's session JSON, and the nesting limit several of its variants name.
//!
//! It lives apart from `json.rs`, `tag.rs` and `value.rs` because all three report it: with the
//! error here, none of them needs to import another just for its error type.

/// Maximum nesting of arrays/objects accepted by the reader and the writers (also
/// `waxseal::flask::json::MAX_DEPTH`).
///
/// ```
/// let deep = "[".repeat(waxseal::flask::json::MAX_DEPTH + 1);
/// assert!(matches!(waxseal::flask::json::parse(&deep), Err(waxseal::flask::FlaskJsonError::TooDeep { .. })));
/// ```
pub const MAX_DEPTH: usize = 256;

/// Everything that can go wrong reading or writing Flask's JSON.
///
/// Positions are byte offsets into the input.
///
/// ```
/// let err = waxseal::flask::json::parse("[1,]").unwrap_err();
/// assert_eq!(err.to_string(), "invalid JSON at byte 3: expected a value");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlaskJsonError {
    /// The input is not JSON that Python's `json.loads` accepts.
    #[error("invalid JSON at byte {pos}: {msg}")]
    Syntax {
        /// Byte offset of the problem.
        pos: usize,
        /// What was expected or found.
        msg: &'static str,
    },
    /// A `\uD800`–`\uDFFF` escape that is not half of a surrogate pair.
    #[error(
        "lone surrogate escape at byte {pos}: Python accepts it but Rust strings cannot hold it"
    )]
    LoneSurrogate {
        /// Byte offset of the escape.
        pos: usize,
    },
    /// Input with arrays/objects nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} levels at byte {pos}")]
    TooDeep {
        /// Byte offset where the limit was crossed.
        pos: usize,
    },
    /// A value whose JSON (tags included) would nest deeper than [`MAX_DEPTH`]; Python raises
    /// `RecursionError` for deep enough values.
    #[error("value nests deeper than {MAX_DEPTH} levels and cannot be written")]
    TooDeepToWrite,
    /// An integer with more decimal digits than Python converts ([`Int::MAX_DIGITS`](crate::flask::Int::MAX_DIGITS)).
    #[error("integer has {digits} digits, more than Python's limit of 4300")]
    IntTooLarge {
        /// Number of digits.
        digits: usize,
    },
    /// Not a decimal integer.
    #[error("invalid integer literal")]
    InvalidInt,
    /// A tagged object (`{" t": …}` etc.) whose payload Flask cannot turn back into its type.
    #[error("invalid {tag:?} tag payload: {reason}")]
    BadTag {
        /// The tag key, e.g. `" b"`.
        tag: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A value that plain JSON cannot represent (Python's `TypeError` from `json.dumps`).
    #[error("{0} is not JSON serializable without tagging")]
    NotSerializable(&'static str),
    /// A serde conversion ([`crate::flask::to_value`]/[`crate::flask::from_value`]) failed.
    #[error("serde conversion: {0}")]
    Serde(String),
}

impl serde::ser::Error for FlaskJsonError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        FlaskJsonError::Serde(msg.to_string())
    }
}

impl serde::de::Error for FlaskJsonError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        FlaskJsonError::Serde(msg.to_string())
    }
}
