//! The session payloads the compression benchmark measures, the same on every run.

use waxseal_interop::XorShift;

/// itsdangerous' benchmark payload: a token's JSON (65 bytes; zlib output is not shorter, so a
/// URL-safe serializer sends it uncompressed, but it still compresses it to find out).
pub const TOKEN_65: &[u8] = br#"{"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;
/// Flask's benchmark session with a flashed message (112 bytes; compresses).
pub const COOKIE_112: &[u8] = br#"{"_flashes":[{" t":["message","Welcome back"]}],"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;

/// A session with a user id, a token, and sometimes flashed messages or a cart (70-200 bytes).
pub fn session(rng: &mut XorShift) -> Vec<u8> {
    const WORDS: [&str; 8] = [
        "message",
        "Welcome back",
        "Saved",
        "Profile updated",
        "error",
        "Invalid password",
        "info",
        "See you soon",
    ];
    let mut s = String::from("{");
    if rng.coin() {
        s += &format!(
            r#""_flashes":[{{" t":["{}","{}"]}}],"#,
            WORDS[rng.below(8) as usize],
            WORDS[rng.below(8) as usize]
        );
    }
    s += &format!(
        r#""_fresh":{},"_user_id":"{}","csrf_token":"{:016x}""#,
        rng.coin(),
        rng.below(100_000),
        rng.next_u64()
    );
    if rng.below(3) == 0 {
        s += &format!(
            r#","cart":[{},{},{}]"#,
            rng.below(1000),
            rng.below(1000),
            rng.below(1000)
        );
    }
    s.push('}');
    s.into_bytes()
}

/// 256 different sessions from a fixed seed: a server signs a different session per request.
pub fn varied_sessions() -> Vec<Vec<u8>> {
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    (0..256).map(|_| session(&mut rng)).collect()
}

/// About `len` bytes of a JSON list of small records (compresses well).
pub fn records(len: usize) -> Vec<u8> {
    let mut s = String::from(r#"{"items":["#);
    let mut i = 0u64;
    while s.len() < len {
        s += &format!(
            r#"{{"id":{},"name":"item{}","tag":"{:x}"}},"#,
            i * 7919 % 10007,
            i,
            i.wrapping_mul(2_654_435_761)
        );
        i += 1;
    }
    s.truncate(len.saturating_sub(2));
    s += "]}";
    s.into_bytes()
}
