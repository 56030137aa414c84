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
        let _ = writeln!(
            err,
            "{} {}",
            paint(BAD, "error:"),
            terminal_safe(&self.message)
        );
        if let Some(h) = &self.hint {
            let _ = writeln!(err, "  {} {}", paint(WARN, "hint:"), terminal_safe(h));
        }
    }
}

/// Writes one line on stdout (coloured only when allowed). A closed pipe (`| head`) ends the
/// command quietly. The text is written as given: values from a token must already be wrapped
/// in [`Untrusted`] where they were inserted.
pub fn line(text: impl std::fmt::Display) -> Result<(), CliError> {
    let mut out = anstream::stdout();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// The error for a failed write on stdout (none for a closed pipe, which is not worth a word).
pub fn write_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::io("")
    } else {
        CliError::io(format!("cannot write to stdout: {e}"))
    }
}

/// Writes one JSON value as one line on stdout.
pub fn json_line(value: &serde_json::Value) -> Result<(), CliError> {
    let mut buf = Vec::with_capacity(256);
    write_json(&mut buf, value);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// Appends `value` as one line of JSON to `out`, built by the CLI's one JSON serializer
/// ([`crate::json`]): valid JSON whose strings also escape DEL, the C1 controls and U+2028/U+2029,
/// so the line is harmless on a terminal without any terminal escaping pass.
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    // Serialising our own types cannot fail: every map key is a string. Should it ever, the
    // line (only this line: `out` may hold earlier answers of a batch) is replaced by a valid
    // error object.
    if crate::json::write(out, value).is_err() {
        out.truncate(start);
        out.extend_from_slice(
            br#"{"error":"internal","message":"the answer could not be serialised"}"#,
        );
    }
    out.push(b'\n');
}

/// A value that came from a token (payload, signature, token text, messages quoting them):
/// displayed with every control character, newline and escape included, shown escaped, so it
/// stays on its line and cannot pose as our own output or drive the terminal.
pub struct Untrusted<'a>(pub &'a str);

impl std::fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let is_unsafe = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
        let mut rest = self.0;
        while let Some(at) = rest.find(is_unsafe) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or(' ');
            match c {
                '\r' => f.write_str("\\r")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                c if (c as u32) < 0x100 => write!(f, "\\x{:02x}", c as u32)?,
                c => write!(f, "\\u{{{:x}}}", c as u32)?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// A warning on stderr.
pub fn warn(text: impl std::fmt::Display) {
    let _ = writeln!(
        anstream::stderr(),
        "{} {}",
        paint(WARN, "warning:"),
        terminal_safe(&text.to_string())
    );
}

/// Makes a line safe to show on a terminal: cookies are attacker-controlled, and a payload
/// holding `ESC[1A ESC[2K` or `\r` could erase the "not verified" warning or draw a fake
/// verdict. Only our own colour sequences (`ESC[` digits and `;` then `m`) and line breaks are
/// kept; every other control character (C0 but tab and newline, DEL, C1) is shown escaped, as
/// `\x1b`, `\r`, `\x9b`. Values from a token are shown through the stricter [`Untrusted`].
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| (c.is_control() && c != '\t' && c != '\n') || c == '\u{7f}';
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b' {
            let sgr_len = rest[1..]
                .strip_prefix('[')
                .map(|t| {
                    t.len()
                        - t.trim_start_matches(|d: char| d.is_ascii_digit() || d == ';')
                            .len()
                })
                .filter(|&n| rest[2 + n..].starts_with('m'));
            if let Some(n) = sgr_len {
                out.push_str(&rest[..3 + n]);
                rest = &rest[3 + n..];
                continue;
            }
        }
        if is_control(c) {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `repr()` of a bytes object: `b'\x00ab'` (the one copy is
/// [`waxseal::flask::bytes_repr`]).
pub fn python_bytes_literal(bytes: &[u8]) -> String {
    waxseal::flask::bytes_repr(bytes)
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
    waxseal::inspect::utc(secs)
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
    waxseal::inspect::duration(secs)
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

#[cfg(test)]
mod terminal_safe_tests {
    use super::terminal_safe;

    #[test]
    fn cursor_movement_from_a_cookie_is_shown_not_obeyed() {
        assert_eq!(
            terminal_safe("a\x1b[1A\x1b[2Kb\rc"),
            "a\\x1b[1A\\x1b[2Kb\\rc"
        );
        assert_eq!(
            terminal_safe("osc\x1b]0;title\x07"),
            "osc\\x1b]0;title\\x07"
        );
        assert_eq!(terminal_safe("c1\u{9b}2K del\x7f"), "c1\\x9b2K del\\x7f");
    }

    #[test]
    fn our_own_colours_and_plain_text_pass_through() {
        let painted = super::paint(super::VALUE, "x");
        assert_eq!(terminal_safe(&painted), painted);
        assert_eq!(terminal_safe("tab\tok ünïcode"), "tab\tok ünïcode");
        assert_eq!(terminal_safe("two\nlines"), "two\nlines");
    }

    #[test]
    fn untrusted_values_cannot_break_the_line_or_colour_it() {
        assert_eq!(
            super::Untrusted("x\nVerdict: VALID").to_string(),
            "x\\nVerdict: VALID"
        );
        assert_eq!(
            super::Untrusted("\x1b[32mgreen").to_string(),
            "\\x1b[32mgreen"
        );
    }
}
