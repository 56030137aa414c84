//! Any input: `loads`/`parse` return a value or an error, never panic; every accepted value
//! re-serialises, and reading that back gives the same bytes again (NaN-safe comparison).
#![no_main]

use libfuzzer_sys::fuzz_target;
use waxseal::flask::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(v) = json::loads(text) {
        let out = json::dumps(&v).expect("a loaded value always dumps");
        let back = json::loads(&out).expect("our own output always loads");
        assert_eq!(
            json::dumps(&back).expect("dumps"),
            out,
            "tagged round trip changed {text:?}"
        );
    }

    if let Ok(v) = json::parse(text) {
        // The plain writer fails only on bytes, which the plain parser never produces.
        let out = json::write(&v).expect("a parsed value always writes");
        let back = json::parse(&out).expect("our own output always parses");
        assert_eq!(
            json::write(&back).expect("write"),
            out,
            "plain round trip changed {text:?}"
        );
    }
});
