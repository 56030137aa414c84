//! The verification engine behind `waxseal verify`, `explain`, `decode` and the inspector page:
//! arbitrary bytes as a token of every format, with and without keys, plus the input signed as a
//! payload so the decoding after a genuine signature is reached too. Also the pasted-token
//! extraction and the format guesses. Nothing may panic, and a payload's JSON form must always
//! be valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::inspect::{extract_token, likely_formats, Detail, FormatKind, TokenFormat, Verifier};
use waxseal::secret::SecretKey;

const NOW: u64 = 1_700_000_000;

fn check(verifier: &Verifier, token: &[u8]) {
    for detail in [Detail::Verify, Detail::Explain] {
        let r = verifier.inspect_at(token, detail, NOW);
        if let Some(p) = &r.payload {
            let text = serde_json::to_string(p).expect("a payload serialises");
            let _: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        }
        if let Some(parts) = &r.parts {
            let _ = parts.signed_part(verifier.format().settings.separator);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let keys = [
        SecretKey::from_text("fuzz-key"),
        SecretKey::from_text("old-key"),
    ];
    for kind in FormatKind::ALL {
        let format = TokenFormat::new(kind);
        let with_keys = Verifier::new(&format, &keys, Some(3600)).expect("valid settings");
        let decode_only = Verifier::decode_only(&format);
        check(&with_keys, data);
        check(&decode_only, data);
        let e = extract_token(data, kind, "session");
        assert!(e.token.len() <= data.len());
        // The input as a payload, genuinely signed (as text where the format needs text).
        if let Ok(token) = format.sign_at(&[b"old-key"], data, NOW - 10) {
            check(&with_keys, token.as_bytes());
            check(&decode_only, token.as_bytes());
        }
    }
    let _ = likely_formats(data, FormatKind::Flask);
    let d = waxseal::inspect::detect_token(data, "session");
    assert!(d.extracted.token.len() <= data.len());
});
