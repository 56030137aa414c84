//! The engine behind `waxseal crack`: recovers weak Flask / itsdangerous `SECRET_KEY`s from
//! signed tokens by trying candidate keys.
//!
//! * [`Target`]: a signed token plus the [`Scheme`]s (salt, [`KeyDerivation`], [`Digest`]) to try;
//!   [`detect`] builds one from the token's shape alone (Flask, every itsdangerous serializer and
//!   signer, Starlette), labelling each scheme with its [`TokenKind`].
//! * [`CandidateSource`]: where candidates come from — [`WordlistReader`] (raw, flask-unsign's
//!   Python-literal format or Latin-1, streamed), [`IterSource`] (in memory), [`builtin_source`]
//!   (publicly known keys, [`builtin_candidates`]), [`RuleSource`] (hashcat rules over another
//!   source), [`IndexedSource`] over [`Keyspace`]s ([`Mask`], [`Combinator`]), [`Chained`],
//!   [`Sequence`]. Sources may leave decoding, mangling and generation to the workers through an
//!   [`EntryDecoder`], so none of it runs under the shared lock.
//! * [`crack`]: the multi-threaded search, with live [`Progress`] and exact, thread-independent
//!   attempt counts in the [`CrackReport`]; [`run_plan`] runs several attacks ([`Phase`]s) cheapest
//!   first under a time limit and reports what each covered.
//!
//! SHA-1 (Flask's digest) runs on a fast path that works directly on SHA-1 compression states
//! (9 compressions per candidate for a Flask cookie, SHA-NI when the CPU has it); other digests use
//! the `hmac` crate.
//!
//! ```
//! use waxseal_crack::{crack, encode_signature, sign, CrackOptions, IterSource, Progress, Scheme, Target};
//! let payload = "eyJsb2dnZWRfaW4iOnRydWV9.ZKhJkA";
//! let cookie = format!("{payload}.{}", encode_signature(&sign(&Scheme::flask_session(), b"changeme", payload.as_bytes())));
//!
//! let target = Target::flask_session(&cookie)?;
//! let report = crack(&[target], IterSource::new(["admin", "changeme"]), &CrackOptions::default(), &Progress::new())?;
//! assert_eq!(report.outcomes[0].found().map(|f| f.secret.as_slice()), Some(&b"changeme"[..]));
//! assert_eq!(report.attempts(), 2);
//! # Ok::<(), waxseal_crack::CrackError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod crypto;
mod engine;
mod formats;
mod known_keys;
mod mask;
mod plan;
mod rules;
mod scheme;
mod sha1_fast;
mod token;
mod wordlist;

pub use crypto::sign;
pub use engine::{
    builtin_source, crack, crack_list, CandidateChunk, CandidateSource, Chained, CrackOptions,
    CrackReport, EntryDecoder, Filled, Found, IterSource, Progress, Sequence, TargetOutcome,
};
pub use formats::{
    detect, detect_kinds, guessed_salt_schemes, DetectOptions, TokenKind, COMMON_SALTS,
};
pub use known_keys::builtin_candidates;
pub use mask::{
    expand_custom_charsets, Combinator, IndexedSource, Keyspace, Mask, DIGITS, HEX_LOWER,
    HEX_UPPER, LOWER, SPECIAL, UPPER,
};
pub use plan::{run_plan, Phase, PhaseReport, PhaseStatus, PlanReport, SourceFactory};
pub use rules::{best_rules, parse_rules, Rule, RuleSource, BEST_RULES};
pub use scheme::{
    digests_for_signature_len, Digest, KeyDerivation, Scheme, FLASK_SESSION_SALT,
    SERIALIZER_DEFAULT_SALT, SIGNER_DEFAULT_SALT,
};
pub use token::{decode_signature, encode_signature, SignedToken, Target, DEFAULT_SEPARATOR};
pub use wordlist::{
    parse_python_line, Latin1LineDecoder, PythonLine, PythonLineDecoder, WordlistFormat,
    WordlistReader, WordlistStats,
};

/// Everything that can go wrong while setting up or running a crack. Never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrackError {
    /// The token has no separator, so there is no signature.
    #[error("the token has no separator, so it carries no signature")]
    MissingSeparator,
    /// Nothing follows the last separator.
    #[error("the token's signature is empty")]
    EmptySignature,
    /// The signature is not valid base64.
    #[error("the token's signature is not valid base64: {0}")]
    InvalidSignature(String),
    /// No supported digest produces a signature of this length.
    #[error("no supported digest produces a {0}-byte signature (sha1 20, sha224 28, sha256 32, sha384 48, sha512 64, md5 16)")]
    UnknownSignatureLength(usize),
    /// A scheme's digest cannot have produced the token's signature.
    #[error("{digest} signatures are {} bytes but the token's is {signature_len}", digest.output_len())]
    SignatureLengthMismatch {
        /// The scheme's digest.
        digest: Digest,
        /// The decoded signature's length.
        signature_len: usize,
    },
    /// A target was given without any scheme.
    #[error("a target needs at least one scheme")]
    NoScheme,
    /// [`crack`] was called without targets.
    #[error("nothing to crack: no target given")]
    NoTarget,
    /// Unknown digest or key derivation name.
    #[error(transparent)]
    UnknownName(#[from] waxseal::signer::UnknownName),
    /// Unknown wordlist format name.
    #[error("unknown wordlist format {0:?} (expected auto, plain, raw, python or latin-1)")]
    UnknownWordlistFormat(String),
    /// A mask could not be parsed.
    #[error("invalid mask {0}")]
    InvalidMask(String),
    /// A rule could not be parsed.
    #[error("invalid rule {0}")]
    InvalidRule(String),
    /// Reading the candidates failed.
    #[error("reading candidates failed: {0}")]
    Io(String),
}
