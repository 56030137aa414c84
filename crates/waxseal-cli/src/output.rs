//! Shared output helpers: colours (only on a terminal, `NO_COLOR` respected by `anstream`),
//! errors with a next step, exit codes, and renderings of bytes, times and durations.

use std::io::Write;

use anstyle::{AnsiColor, Style};

/// Exit code: success (valid token, key found, key strong, command done).
pub const EXIT_OK: u8 = 0;
/// Exit code: a negative answer (invalid token, key not found, weak key).
pub const EXIT_NEGATIVE: u8 = 1;
/// Exit code: the command line or its input is wrong (also clap's own usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: reading or writing a file or stream failed.
pub const EXIT_IO: u8 = 3;

/// Headings.
pub const HEAD: Style = Style::new().bold();
/// Good news.
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
/// Bad news.
pub const BAD: Style = AnsiColor::Red.on_default().bold();
/// Warnings.
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
/// Values quoted from the token or computed.
pub const VALUE: Style = AnsiColor::Cyan.on_default();
/// Secondary text.
pub const DIM: Style = Style::new().dimmed();

/// `text` wrapped in `style`; `anstream` strips the codes when the stream is not a terminal or
/// `NO_COLOR` is set.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// A failure with the exit code it maps to and what to do next.
#[derive(Debug)]
pub struct CliError {
    /// Process exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
    /// What to do next, if there is something useful to say.
    pub hint: Option<String>,
}

impl CliError {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
            hint: None,
        }
    }

    /// An I/O error (exit 3).
    pub fn io(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_IO,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a next step.
    pub fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error on stderr (nothing for a closed stdout pipe, which is not worth a word).
    pub fn report(&self) {
        if self.message.is_empty() {
            return;
        }
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{} {}", paint(BAD, "error:"), self.message);
        if let Some(h) = &self.hint {
            let _ = writeln!(err, "  {} {h}", paint(WARN, "hint:"));
        }
    }
}

/// Writes one line on stdout (coloured only when allowed). A closed pipe (`| head`) ends the
/// command quietly.
pub fn line(text: impl std::fmt::Display) -> Result<(), CliError> {
    let mut out = anstream::stdout();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CliError::io("")
            } else {
                CliError::io(format!("cannot write to stdout: {e}"))
            }
        })
}

/// Writes one JSON value as one line on stdout.
pub fn json_line(value: &serde_json::Value) -> Result<(), CliError> {
    line(value)
}

/// A warning on stderr.
pub fn warn(text: impl std::fmt::Display) {
    let _ = writeln!(anstream::stderr(), "{} {text}", paint(WARN, "warning:"));
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `repr()` of a bytes object: `b'\x00ab'`, using `"` when the bytes contain `'` but
/// not `"`, exactly as Python chooses.
pub fn python_bytes_literal(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(char::from(quote));
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(char::from(quote));
    out
}

/// The secret as text when it is printable UTF-8, else as a Python bytes literal.
pub fn secret_display(secret: &[u8]) -> String {
    match std::str::from_utf8(secret) {
        Ok(s) if !s.is_empty() && !s.chars().any(char::is_control) => s.to_owned(),
        _ => python_bytes_literal(secret),
    }
}

/// A Unix time as `2015-10-21T07:28:00Z`, or `None` when out of range.
pub fn utc(secs: u64) -> Option<String> {
    let secs = i64::try_from(secs).ok()?;
    let (y, mo, d, h, mi, s) = waxseal::flask::DateTime::from_unix_seconds(secs)?.to_civil();
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
}

/// A Unix time with its UTC date: `1445412480 (2015-10-21T07:28:00Z)`.
pub fn time_with_date(secs: u64) -> String {
    match utc(secs) {
        Some(d) => format!("{secs} ({d})"),
        None => format!("{secs} (out of the calendar's range)"),
    }
}

/// A duration in words: `42 s`, `3 min 5 s`, `2 h 10 min`, `31 days`.
pub fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        3600..=86_399 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => {
            let days = secs / 86_400;
            let hours = secs % 86_400 / 3600;
            if hours == 0 {
                format!("{days} days")
            } else {
                format!("{days} days {hours} h")
            }
        }
    }
}

/// Shortens long text for one-line displays.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}… ({} bytes)", text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_literal_matches_python_repr() {
        assert_eq!(python_bytes_literal(b"\x00ab"), r"b'\x00ab'");
        assert_eq!(python_bytes_literal(b"it's"), "b\"it's\"");
        assert_eq!(python_bytes_literal(b"'\""), r#"b'\'"'"#);
        assert_eq!(python_bytes_literal(b"a\\\n\xff"), r"b'a\\\n\xff'");
    }

    #[test]
    fn utc_renders_iso_dates() {
        assert_eq!(utc(1_445_412_480).as_deref(), Some("2015-10-21T07:28:00Z"));
        assert_eq!(utc(u64::MAX), None);
    }

    #[test]
    fn secrets_print_as_text_only_when_printable() {
        assert_eq!(secret_display(b"changeme"), "changeme");
        assert_eq!(secret_display(b"a\nb"), r"b'a\nb'");
        assert_eq!(secret_display(b"\xff"), r"b'\xff'");
    }
}
