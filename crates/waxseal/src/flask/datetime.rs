//! [`DateTime`]: the whole-second UTC instant Flask's `" d"` tag stores.

use std::fmt;

use super::http_date;

/// An instant with whole-second precision, as Flask's `" d"` tag stores it.
///
/// Flask writes datetimes with `werkzeug.http.http_date`, which drops sub-second digits and
/// converts to UTC, and reads them back as aware datetimes; so a session datetime is exactly
/// "UTC seconds". The range is Python's: 0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC.
///
/// Flask quirk kept on purpose: years below 100 are written as `0005` but read back by
/// `email.utils` as two-digit years (`0005` → 2005), so they do not round-trip in Flask either.
///
/// ```
/// use waxseal::flask::DateTime;
/// let d = DateTime::from_civil(2015, 10, 21, 7, 28, 0).unwrap();
/// assert_eq!(d.unix_seconds(), 1445412480);
/// assert_eq!(d.to_string(), "Wed, 21 Oct 2015 07:28:00 GMT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
}

const MIN_SECS: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl DateTime {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z, if within years 1..=9999.
    ///
    /// ```
    /// assert!(waxseal::flask::DateTime::from_unix_seconds(0).is_some());
    /// assert!(waxseal::flask::DateTime::from_unix_seconds(i64::MAX).is_none());
    /// ```
    pub fn from_unix_seconds(secs: i64) -> Option<DateTime> {
        (MIN_SECS..=MAX_SECS)
            .contains(&secs)
            .then_some(DateTime { secs })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::DateTime::from_unix_seconds(42).unwrap().unix_seconds(), 42);
    /// ```
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The UTC instant for a proleptic Gregorian date and time, if valid and in range.
    ///
    /// ```
    /// assert!(waxseal::flask::DateTime::from_civil(2024, 2, 29, 0, 0, 0).is_some());
    /// assert!(waxseal::flask::DateTime::from_civil(2023, 2, 29, 0, 0, 0).is_none());
    /// ```
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Option<DateTime> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > http_date::days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = http_date::days_from_civil(year, month, day);
        DateTime::from_unix_seconds(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
    }

    /// `(year, month, day, hour, minute, second)` in UTC.
    ///
    /// ```
    /// let d = waxseal::flask::DateTime::from_unix_seconds(0).unwrap();
    /// assert_eq!(d.to_civil(), (1970, 1, 1, 0, 0, 0));
    /// ```
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = http_date::civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    /// The time in ISO 8601, UTC: `2015-10-21T07:28:00Z`.
    ///
    /// ```
    /// let d = waxseal::flask::DateTime::from_unix_seconds(1_445_412_480).unwrap();
    /// assert_eq!(d.iso8601(), "2015-10-21T07:28:00Z");
    /// ```
    pub fn iso8601(self) -> String {
        let (y, mo, da, h, mi, s) = self.to_civil();
        format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

impl fmt::Display for DateTime {
    /// `werkzeug.http.http_date` / `email.utils.format_datetime(usegmt=True)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        http_date::write(f, self.secs)
    }
}
