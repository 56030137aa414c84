//! Flask's save rules and Werkzeug's `Set-Cookie` formatting, as plain functions.
//!
//! No web framework is needed: give [`decide_save`] what happened to the session during the
//! request and it says whether to set, delete or leave the cookie, and whether to add
//! `Vary: Cookie`; [`set_cookie_header`] and [`delete_cookie_header`] then write the header
//! value exactly as Flask 3.1 (through Werkzeug 3.1's `dump_cookie`) does.

/// Flask's default `PERMANENT_SESSION_LIFETIME`: 31 days, in seconds.
pub const DEFAULT_LIFETIME_SECS: u64 = 31 * 24 * 3600;

/// The last second an HTTP date can express: 9999-12-31 23:59:59 UTC.
const MAX_HTTP_DATE: i64 = 253_402_300_799;

/// Flask's default `MAX_COOKIE_SIZE` (Werkzeug's `max_size`): browsers may silently drop a
/// `Set-Cookie` header longer than this.
pub const MAX_COOKIE_SIZE: usize = 4093;

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None` (browsers then require `Secure`).
    None,
}

impl SameSite {
    /// Parses a `SESSION_COOKIE_SAMESITE` value the way Werkzeug does (case-insensitive;
    /// anything but strict, lax or none is refused, as Werkzeug raises `ValueError`).
    ///
    /// ```
    /// use waxseal::flask::cookie::SameSite;
    /// assert_eq!(SameSite::parse("lax"), Some(SameSite::Lax));
    /// assert_eq!(SameSite::parse("invalid"), None);
    /// ```
    pub fn parse(value: &str) -> Option<SameSite> {
        match value.to_ascii_lowercase().as_str() {
            "strict" => Some(SameSite::Strict),
            "lax" => Some(SameSite::Lax),
            "none" => Some(SameSite::None),
            _ => None,
        }
    }

    /// The attribute value: `Strict`, `Lax` or `None`.
    ///
    /// ```
    /// assert_eq!(waxseal::flask::cookie::SameSite::Lax.as_str(), "Lax");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// What to do with a cookie larger than [`MAX_COOKIE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OversizeCookie {
    /// Refuse with [`CookieTooLarge`] (waxseal's default): Flask only warns, and the browser
    /// then silently drops the cookie, so the user is logged out with no trace of why.
    Refuse,
    /// Produce the header and report a warning, as Flask does.
    Warn,
}

/// The session cookie's settings, named after Flask's config keys. Defaults are Flask's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSettings {
    /// `SESSION_COOKIE_NAME` (default `session`).
    pub name: String,
    /// `SESSION_COOKIE_DOMAIN` (default none: the exact host only).
    pub domain: Option<String>,
    /// `SESSION_COOKIE_PATH`, falling back to `APPLICATION_ROOT` (default `/`).
    pub path: String,
    /// `SESSION_COOKIE_HTTPONLY` (default true).
    pub http_only: bool,
    /// `SESSION_COOKIE_SECURE` (default false).
    pub secure: bool,
    /// `SESSION_COOKIE_SAMESITE` (default none).
    pub same_site: Option<SameSite>,
    /// `SESSION_COOKIE_PARTITIONED` (default false; implies `Secure`).
    pub partitioned: bool,
    /// `PERMANENT_SESSION_LIFETIME` in seconds (default 31 days): the cookie's `Expires` for
    /// permanent sessions and the maximum age applied on every load.
    pub lifetime_secs: u64,
    /// `SESSION_REFRESH_EACH_REQUEST` (default true): re-send a permanent session's cookie on
    /// every request, sliding its expiry.
    pub refresh_each_request: bool,
    /// What to do with an oversize cookie (default [`OversizeCookie::Refuse`]).
    pub oversize: OversizeCookie,
    /// `MAX_COOKIE_SIZE`: the longest `Set-Cookie` value allowed (default [`MAX_COOKIE_SIZE`]);
    /// 0 disables the check, as in Flask.
    pub max_size: usize,
}

impl Default for CookieSettings {
    fn default() -> Self {
        CookieSettings {
            name: "session".into(),
            domain: None,
            path: "/".into(),
            http_only: true,
            secure: false,
            same_site: None,
            partitioned: false,
            lifetime_secs: DEFAULT_LIFETIME_SECS,
            refresh_each_request: true,
            oversize: OversizeCookie::Refuse,
            max_size: MAX_COOKIE_SIZE,
        }
    }
}

/// What happened to the session during a request: the inputs to Flask's save rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionState {
    /// The session was read or written at all (Flask's `session.accessed`).
    pub accessed: bool,
    /// The session was changed (Flask's `session.modified`).
    pub modified: bool,
    /// The session is permanent (`session.permanent`, stored as `_permanent`).
    pub permanent: bool,
    /// The session holds no keys now.
    pub empty: bool,
}

/// What to do with the cookie at the end of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieAction {
    /// Send no `Set-Cookie` header.
    Leave,
    /// Send the session; `expires` is the cookie's expiry (Unix seconds) for a permanent
    /// session, `None` for a browser-session cookie.
    Set {
        /// `now + lifetime` for permanent sessions.
        expires: Option<u64>,
    },
    /// The session was emptied: delete the cookie.
    Delete,
}

/// The outcome of [`decide_save`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveDecision {
    /// What to do with the cookie.
    pub action: CookieAction,
    /// Whether to add `Vary: Cookie` (the response depended on the cookie).
    pub vary_cookie: bool,
}

/// [`decide_save_at`] with the current time.
///
/// ```
/// use waxseal::flask::cookie::{decide_save, CookieAction, CookieSettings, SessionState};
/// let untouched = SessionState { accessed: false, modified: false, permanent: false, empty: false };
/// assert_eq!(decide_save(&untouched, &CookieSettings::default()).action, CookieAction::Leave);
/// ```
pub fn decide_save(state: &SessionState, settings: &CookieSettings) -> SaveDecision {
    decide_save_at(state, settings, crate::timed::unix_now())
}

/// Flask's `SecureCookieSessionInterface.save_session` decision as of `now` (which dates the
/// `Expires` of a permanent session).
///
/// ```
/// use waxseal::flask::cookie::{decide_save_at, CookieAction, CookieSettings, SessionState};
/// let settings = CookieSettings::default();
/// let modified = SessionState { accessed: true, modified: true, permanent: false, empty: false };
/// let d = decide_save_at(&modified, &settings, 1_700_000_000);
/// assert_eq!(d.action, CookieAction::Set { expires: None });
/// assert!(d.vary_cookie);
/// let cleared = SessionState { empty: true, ..modified };
/// assert_eq!(decide_save_at(&cleared, &settings, 0).action, CookieAction::Delete);
/// ```
pub fn decide_save_at(state: &SessionState, settings: &CookieSettings, now: u64) -> SaveDecision {
    let mut vary_cookie = state.accessed;
    if state.empty {
        // An emptied session deletes the cookie; one that was empty all along sends nothing.
        if state.modified {
            return SaveDecision {
                action: CookieAction::Delete,
                vary_cookie: true,
            };
        }
        return SaveDecision {
            action: CookieAction::Leave,
            vary_cookie,
        };
    }
    let should_set = state.modified || (state.permanent && settings.refresh_each_request);
    if !should_set {
        return SaveDecision {
            action: CookieAction::Leave,
            vary_cookie,
        };
    }
    vary_cookie = true;
    let expires = state
        .permanent
        .then(|| now.saturating_add(settings.lifetime_secs));
    SaveDecision {
        action: CookieAction::Set { expires },
        vary_cookie,
    }
}

/// A `Set-Cookie` header over the size limit ([`CookieSettings::max_size`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {name:?} cookie is too large: the value is {value_len} bytes and the whole Set-Cookie \
     header {header_len} bytes, over the {limit}-byte limit; browsers silently drop such \
     cookies. Store less in the session (or keep it server-side)"
)]
pub struct CookieTooLarge {
    /// The cookie's name.
    pub name: String,
    /// The whole header value's length.
    pub header_len: usize,
    /// The limit it exceeds.
    pub limit: usize,
    /// The cookie value's length.
    pub value_len: usize,
}

/// A formatted `Set-Cookie` value and, under [`OversizeCookie::Warn`], a size warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The header value, without the `Set-Cookie: ` prefix.
    pub header: String,
    /// Present when the cookie is over the limit and the settings say to warn.
    pub warning: Option<CookieTooLarge>,
}

/// Formats the header that sets the session cookie, as Flask's `save_session` does.
///
/// ```
/// use waxseal::flask::cookie::{set_cookie_header, CookieSettings};
/// let h = set_cookie_header(&CookieSettings::default(), "eyJ4Ijox.ZVPxAA.sig", Some(1_445_412_480)).unwrap();
/// assert_eq!(h.header, "session=eyJ4Ijox.ZVPxAA.sig; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly; Path=/");
/// ```
pub fn set_cookie_header(
    settings: &CookieSettings,
    value: &str,
    expires: Option<u64>,
) -> Result<SetCookie, CookieTooLarge> {
    // HTTP dates stop at year 9999; a larger expiry (a huge lifetime) is clamped, not wrapped.
    let expires =
        expires.map(|t| http_date(i64::try_from(t).unwrap_or(i64::MAX).min(MAX_HTTP_DATE)));
    dump_cookie(settings, value, expires.as_deref(), None)
}

/// Formats the header that deletes the session cookie (Werkzeug's `delete_cookie`), with the
/// same size rule as [`set_cookie_header`]: a name, domain and path long enough to push the
/// header over [`CookieSettings::max_size`] give [`CookieTooLarge`] (or a warning under
/// [`OversizeCookie::Warn`]), never a malformed header.
///
/// ```
/// use waxseal::flask::cookie::{delete_cookie_header, CookieSettings};
/// assert_eq!(
///     delete_cookie_header(&CookieSettings::default()).unwrap().header,
///     "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/"
/// );
/// let huge = CookieSettings { path: "/".repeat(5000), ..CookieSettings::default() };
/// assert!(delete_cookie_header(&huge).is_err());
/// ```
pub fn delete_cookie_header(settings: &CookieSettings) -> Result<SetCookie, CookieTooLarge> {
    dump_cookie(settings, "", Some("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0))
}

/// Werkzeug 3.1's `dump_cookie` for the arguments Flask passes.
fn dump_cookie(
    settings: &CookieSettings,
    value: &str,
    expires: Option<&str>,
    max_age: Option<u64>,
) -> Result<SetCookie, CookieTooLarge> {
    let mut out = String::with_capacity(value.len() + 96);
    out.push_str(&latin1_mojibake(&settings.name));
    out.push('=');
    quote_cookie_value(value, &mut out);
    if let Some(domain) = settings.domain.as_deref().filter(|d| !d.is_empty()) {
        let host = domain
            .split(':')
            .next()
            .unwrap_or("")
            .trim_start_matches('.');
        out.push_str("; Domain=");
        out.push_str(host);
    }
    if let Some(e) = expires {
        out.push_str("; Expires=");
        out.push_str(e);
    }
    if let Some(m) = max_age {
        out.push_str(&format!("; Max-Age={m}"));
    }
    if settings.secure || settings.partitioned {
        out.push_str("; Secure");
    }
    if settings.http_only {
        out.push_str("; HttpOnly");
    }
    out.push_str("; Path=");
    quote_path(&settings.path, &mut out);
    if let Some(s) = settings.same_site {
        out.push_str("; SameSite=");
        out.push_str(s.as_str());
    }
    if settings.partitioned {
        out.push_str("; Partitioned");
    }
    // Werkzeug measures the header in characters; ours is ASCII but for a non-ASCII name.
    let header_len = out.chars().count();
    let mut warning = None;
    if settings.max_size > 0 && header_len > settings.max_size {
        let e = CookieTooLarge {
            name: settings.name.clone(),
            header_len,
            limit: settings.max_size,
            value_len: value.chars().count(),
        };
        match settings.oversize {
            OversizeCookie::Refuse => return Err(e),
            OversizeCookie::Warn => warning = Some(e),
        }
    }
    Ok(SetCookie {
        header: out,
        warning,
    })
}

/// A non-ASCII cookie name is sent as its UTF-8 bytes read as Latin-1, as Werkzeug does.
fn latin1_mojibake(name: &str) -> String {
    name.bytes().map(char::from).collect()
}

/// Quotes a value that has characters RFC 6265 does not allow, Werkzeug-style (octal escapes).
fn quote_cookie_value(value: &str, out: &mut String) {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"_!#$%&'()*+-./:<=>?@[]^`{|}~".contains(&b);
    if value.bytes().all(plain) {
        out.push_str(value);
        return;
    }
    out.push('"');
    for b in value.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x00..=0x19 | b',' | b';' | 0x7f..=0xff => out.push_str(&format!("\\{b:03o}")),
            _ => out.push(char::from(b)),
        }
    }
    out.push('"');
}

/// `urllib.parse.quote(path, safe="%!$&'()*+,/:=@")`.
fn quote_path(path: &str, out: &mut String) {
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~%!$&'()*+,/:=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) for Unix seconds, as Werkzeug's `http_date`.
///
/// ```
/// assert_eq!(waxseal::flask::cookie::http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
/// ```
pub fn http_date(unix: i64) -> String {
    super::http_date::format(unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_session_is_refreshed_each_request_even_unmodified() {
        let s = CookieSettings::default();
        let state = SessionState {
            accessed: false,
            modified: false,
            permanent: true,
            empty: false,
        };
        assert_eq!(
            decide_save_at(&state, &s, 100).action,
            CookieAction::Set {
                expires: Some(100 + DEFAULT_LIFETIME_SECS)
            }
        );
        let no_refresh = CookieSettings {
            refresh_each_request: false,
            ..s
        };
        assert_eq!(
            decide_save_at(&state, &no_refresh, 100).action,
            CookieAction::Leave
        );
    }

    #[test]
    fn empty_unmodified_session_sends_nothing_but_varies_when_accessed() {
        let d = decide_save_at(
            &SessionState {
                accessed: true,
                empty: true,
                ..Default::default()
            },
            &CookieSettings::default(),
            0,
        );
        assert_eq!(
            d,
            SaveDecision {
                action: CookieAction::Leave,
                vary_cookie: true
            }
        );
    }

    #[test]
    fn oversize_cookie_is_refused_by_default_and_warned_on_opt_in() {
        let big = "a".repeat(MAX_COOKIE_SIZE);
        let err = set_cookie_header(&CookieSettings::default(), &big, None).unwrap_err();
        assert!(err.to_string().contains("too large"));
        let warn = CookieSettings {
            oversize: OversizeCookie::Warn,
            ..Default::default()
        };
        assert!(set_cookie_header(&warn, &big, None)
            .unwrap()
            .warning
            .is_some());
    }

    #[test]
    fn all_attributes_in_werkzeug_order() {
        let s = CookieSettings {
            name: "sid".into(),
            domain: Some(".example.com:8080".into()),
            path: "/app ü".into(),
            secure: false,
            partitioned: true,
            same_site: Some(SameSite::Lax),
            ..Default::default()
        };
        assert_eq!(
            set_cookie_header(&s, "v", Some(1_445_412_480)).unwrap().header,
            "sid=v; Domain=example.com; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly; Path=/app%20%C3%BC; SameSite=Lax; Partitioned"
        );
    }

    #[test]
    fn http_date_matches_known_dates() {
        assert_eq!(http_date(1_445_412_480), "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(253_402_300_799), "Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn huge_lifetime_clamps_expires_instead_of_wrapping_into_the_past() {
        let h = set_cookie_header(&CookieSettings::default(), "v", Some(u64::MAX)).unwrap();
        assert!(
            h.header.contains("Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
            "{}",
            h.header
        );
    }
}
