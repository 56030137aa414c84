//! [`Int`]: Python's arbitrary-size `int`, as far as JSON can carry it.

use std::fmt;

use super::error::FlaskJsonError;
use super::value::Value;

/// Python's `int`: exact at any size up to Python's 4300-digit conversion limit.
///
/// Values that fit an `i64` are stored inline; larger ones as their canonical decimal digits
/// (no leading zeros, no `-0`), so equality and hashing are by value.
///
/// ```
/// use waxseal::flask::Int;
/// let big: Int = "-18446744073709551616".parse()?;
/// assert_eq!(big.to_string(), "-18446744073709551616");
/// assert_eq!(big.as_i64(), None);
/// assert_eq!(Int::from(5).as_i64(), Some(5));
/// assert_eq!("-0".parse::<Int>()?, Int::from(0));
/// # Ok::<(), waxseal::flask::FlaskJsonError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Int(IntRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum IntRepr {
    Small(i64),
    /// Canonical decimal of a value outside `i64`: optional `-`, no leading zeros.
    Big(Box<str>),
}

impl Int {
    /// Python refuses to convert integers with more decimal digits than this
    /// (`sys.get_int_max_str_digits()` default), in `json.loads` and `json.dumps` alike.
    ///
    /// ```
    /// assert!("1".repeat(waxseal::flask::Int::MAX_DIGITS + 1).parse::<waxseal::flask::Int>().is_err());
    /// ```
    pub const MAX_DIGITS: usize = 4300;

    /// The value as an `i64`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            IntRepr::Small(i) => Some(*i),
            IntRepr::Big(_) => None,
        }
    }

    /// The value as an `i128`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_i128(), Some(u64::MAX as i128));
    /// ```
    pub fn as_i128(&self) -> Option<i128> {
        match &self.0 {
            IntRepr::Small(i) => Some(i128::from(*i)),
            IntRepr::Big(s) => s.parse().ok(),
        }
    }

    /// The value as a `u64`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u64::MAX).as_u64(), Some(u64::MAX));
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|i| u64::try_from(i).ok())
    }

    /// The value as a `u128`, if it fits.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::Int::from(u128::MAX).as_u128(), Some(u128::MAX));
    /// ```
    pub fn as_u128(&self) -> Option<u128> {
        match &self.0 {
            IntRepr::Small(i) => u128::try_from(*i).ok(),
            IntRepr::Big(s) => s.parse().ok(),
        }
    }

    /// Parses JSON's integer grammar `-?(0|[1-9][0-9]*)` (already validated by the caller).
    pub(crate) fn from_json_digits(s: &str) -> Result<Int, FlaskJsonError> {
        if s.len() <= 18 {
            // At most 18 digits (or 17 and a sign) always fit an i64.
            return s
                .parse()
                .map(|i| Int(IntRepr::Small(i)))
                .map_err(|_| FlaskJsonError::InvalidInt);
        }
        s.parse()
    }
}

impl std::str::FromStr for Int {
    type Err = FlaskJsonError;

    /// Parses an optional sign and ASCII decimal digits (leading zeros allowed).
    fn from_str(s: &str) -> Result<Int, FlaskJsonError> {
        let (neg, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FlaskJsonError::InvalidInt);
        }
        if digits.len() > Int::MAX_DIGITS {
            return Err(FlaskJsonError::IntTooLarge {
                digits: digits.len(),
            });
        }
        if let Ok(i) = s.parse::<i64>() {
            return Ok(Int(IntRepr::Small(i)));
        }
        let trimmed = digits.trim_start_matches('0');
        // Anything that did not fit i64 has at least 19 significant digits, so it is non-zero.
        let mut canon = String::with_capacity(trimmed.len() + 1);
        if neg {
            canon.push('-');
        }
        canon.push_str(trimmed);
        match canon.parse::<i64>() {
            Ok(i) => Ok(Int(IntRepr::Small(i))),
            Err(_) => Ok(Int(IntRepr::Big(canon.into_boxed_str()))),
        }
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            IntRepr::Small(i) => fmt::Display::fmt(i, f),
            IntRepr::Big(s) => f.write_str(s),
        }
    }
}

impl fmt::Debug for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Int {
    pub(crate) fn write(&self, out: &mut String) {
        match &self.0 {
            IntRepr::Small(i) => out.push_str(itoa::Buffer::new().format(*i)),
            IntRepr::Big(s) => out.push_str(s),
        }
    }
}

macro_rules! int_from_small {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(i: $t) -> Int {
                Int(IntRepr::Small(i64::from(i)))
            }
        }
        impl From<$t> for Value {
            fn from(i: $t) -> Value {
                Value::Int(Int::from(i))
            }
        }
    )*};
}
int_from_small!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! int_from_wide {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(i: $t) -> Int {
                match i64::try_from(i) {
                    Ok(small) => Int(IntRepr::Small(small)),
                    Err(_) => Int(IntRepr::Big(i.to_string().into_boxed_str())),
                }
            }
        }
        impl From<$t> for Value {
            fn from(i: $t) -> Value {
                Value::Int(Int::from(i))
            }
        }
    )*};
}
int_from_wide!(u64, i128, u128, isize, usize);
