//! Hexadecimal, the one copy the crate uses: lowercase digits out (as Python's `bytes.hex()`,
//! `uuid.UUID.hex` and `\u` escapes write them), either case in (as `bytes.fromhex` reads).

/// Python's lowercase hex digits.
pub(crate) const LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` as lowercase hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(2 * bytes.len());
    for b in bytes {
        out.push(char::from(LOWER[usize::from(b >> 4)]));
        out.push(char::from(LOWER[usize::from(b & 15)]));
    }
}

/// `bytes` as lowercase hex (Python's `bytes.hex()`).
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut s = String::new();
    push_hex(&mut s, bytes);
    s
}

/// The value of one hex digit, either case.
pub(crate) fn digit_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A UUID in its hyphenated form (`str(uuid.UUID(...))`: 8-4-4-4-12 lowercase digits).
pub(crate) fn uuid_hyphenated(u: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, group) in [&u[..4], &u[4..6], &u[6..8], &u[8..10], &u[10..]]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            s.push('-');
        }
        push_hex(&mut s, group);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_lowercase_and_decodes_either_case() {
        assert_eq!(encode(&[0x00, 0xff, 0x1a]), "00ff1a");
        assert_eq!(digit_value(b'F'), Some(15));
        assert_eq!(digit_value(b'f'), Some(15));
        assert_eq!(digit_value(b'g'), None);
    }

    #[test]
    fn uuid_is_8_4_4_4_12() {
        let u: [u8; 16] = core::array::from_fn(|i| (i * 17) as u8);
        assert_eq!(uuid_hyphenated(&u), "00112233-4455-6677-8899-aabbccddeeff");
    }
}
