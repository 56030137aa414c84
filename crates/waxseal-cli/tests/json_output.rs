//! The `--json` schemas of `verify`, `explain`, `decode` and `crack` (as documented in the CLI README),
//! pinned: every line parses as JSON and has exactly its command's fields with their types, for
//! any input, including DEL, C1 controls, NUL, invalid UTF-8 and lone surrogates in payloads.

mod common;
use common::*;
use proptest::prelude::*;
use serde_json::Value;
use waxseal::inspect::FormatKind;

/// What a field may hold.
#[derive(Clone, Copy, Debug)]
enum Ty {
    Bool,
    Str,
    Int,
    /// Any JSON number.
    Number,
    /// One of a fixed set of strings.
    OneOf(&'static [&'static str]),
    /// Any JSON value.
    Any,
    Array,
}

const VERDICTS: &[&str] = &[
    "valid",
    "valid_fallback",
    "bad_signature",
    "expired",
    "malformed",
    "bad_payload",
    "not_verified",
];
const ERRORS: &[&str] = &["bad_signature", "expired", "malformed", "bad_payload"];
const FORMATS: &[&str] = &[
    "flask",
    "url-safe-timed",
    "url-safe",
    "serializer",
    "timed-serializer",
    "starlette",
    "timestamp-signer",
    "signer",
];

/// The schema's format names are the core's, in the order `--format` lists them: a new format
/// cannot reach the JSON output without this list (and the CLI README) naming it.
#[test]
fn the_schema_names_every_format() {
    let core: Vec<&str> = FormatKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(FORMATS, core.as_slice());
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("`--format {}`", FORMATS.join("|"))),
        "the CLI README's --format list differs from {FORMATS:?}"
    );
}

/// (field, type, nullable)
type Schema = &'static [(&'static str, Ty, bool)];

const VERIFY: Schema = &[
    ("valid", Ty::Bool, false),
    ("verdict", Ty::OneOf(VERDICTS), false),
    ("error", Ty::OneOf(ERRORS), true),
    ("message", Ty::Str, false),
    ("payload_raw", Ty::Str, true),
    ("payload", Ty::Any, true),
    ("timestamp", Ty::Int, true),
    ("key_index", Ty::Int, true),
    ("compressed", Ty::Bool, false),
    ("extracted", Ty::Str, true),
];

const DECODE: Schema = &[
    ("decoded", Ty::Bool, false),
    ("verified", Ty::Bool, false),
    ("verdict", Ty::OneOf(&["not_verified", "malformed"]), false),
    ("error", Ty::OneOf(&["malformed"]), true),
    ("message", Ty::Str, false),
    ("format", Ty::OneOf(FORMATS), false),
    ("format_detected", Ty::Bool, false),
    ("token", Ty::Str, false),
    ("payload_part", Ty::Str, true),
    ("compressed", Ty::Bool, false),
    ("timestamp", Ty::Int, true),
    ("timestamp_utc", Ty::Str, true),
    ("signature", Ty::Str, true),
    ("signature_hex", Ty::Str, true),
    ("implied_digest", Ty::Str, true),
    ("payload_raw", Ty::Str, true),
    ("payload", Ty::Any, true),
    ("payload_error", Ty::Str, true),
    ("likely_formats", Ty::Array, false),
    ("extracted", Ty::Str, true),
];

const EXPLAIN: Schema = &[
    ("valid", Ty::Bool, true),
    ("verdict", Ty::OneOf(VERDICTS), false),
    ("error", Ty::OneOf(ERRORS), true),
    ("message", Ty::Str, false),
    ("explanation", Ty::Str, false),
    ("format", Ty::OneOf(FORMATS), false),
    ("derivation", Ty::Str, false),
    ("payload_part", Ty::Str, true),
    ("compressed", Ty::Bool, false),
    ("timestamp", Ty::Int, true),
    ("age", Ty::Int, true),
    ("max_age", Ty::Int, true),
    ("expired", Ty::Bool, true),
    ("payload_raw", Ty::Str, true),
    ("payload", Ty::Any, true),
    ("payload_error", Ty::Str, true),
    ("given_signature", Ty::Str, true),
    ("given_signature_hex", Ty::Str, true),
    ("keys", Ty::Array, false),
    ("key_index", Ty::Int, true),
    ("extracted", Ty::Str, true),
];

const CRACK: Schema = &[
    ("token", Ty::Str, false),
    ("found", Ty::Bool, false),
    ("error", Ty::OneOf(&["malformed", "not_found"]), true),
    ("message", Ty::Str, false),
    ("secret", Ty::Str, true),
    ("secret_hex", Ty::Str, true),
    (
        "format",
        Ty::OneOf(&[
            "flask",
            "url-safe-timed",
            "url-safe",
            "timed-serializer",
            "serializer",
            "starlette",
            "timestamp-signer",
            "signer",
        ]),
        true,
    ),
    ("scheme", Ty::Any, true),
    ("phase", Ty::Str, true),
    ("attempts", Ty::Int, false),
    ("elapsed_s", Ty::Number, false),
    ("rate", Ty::Number, false),
    ("phases", Ty::Array, false),
    ("extracted", Ty::Str, true),
];

const HASHCAT: Schema = &[
    ("token", Ty::Str, false),
    ("hashcat", Ty::Bool, false),
    ("mode", Ty::Int, true),
    ("line", Ty::Str, true),
    ("reason", Ty::Str, true),
    ("extracted", Ty::Str, true),
];

fn check(schema: Schema, v: &Value) -> Result<(), String> {
    let obj = v.as_object().ok_or_else(|| format!("not an object: {v}"))?;
    let mut want: Vec<&str> = schema.iter().map(|f| f.0).collect();
    let mut got: Vec<&str> = obj.keys().map(String::as_str).collect();
    want.sort_unstable();
    got.sort_unstable();
    if want != got {
        return Err(format!("fields {got:?}, want {want:?}"));
    }
    for &(name, ty, nullable) in schema {
        let f = &obj[name];
        let ok = match (ty, f) {
            (_, Value::Null) => nullable,
            (Ty::Bool, Value::Bool(_)) | (Ty::Str, Value::String(_)) => true,
            (Ty::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Ty::Number, Value::Number(_)) => true,
            (Ty::OneOf(set), Value::String(s)) => set.contains(&s.as_str()),
            (Ty::Array, Value::Array(_)) | (Ty::Any, _) => true,
            _ => false,
        };
        if !ok {
            return Err(format!("field {name} = {f} is not {ty:?}"));
        }
    }
    if let Some(keys) = obj.get("keys").and_then(Value::as_array) {
        for k in keys {
            let k = k.as_object().ok_or("keys item not an object")?;
            for name in [
                "index",
                "fingerprint",
                "key_len",
                "derived_key_fingerprint",
                "expected_signature",
                "expected_signature_hex",
            ] {
                if !k.contains_key(name) {
                    return Err(format!("keys item without {name}"));
                }
            }
        }
    }
    Ok(())
}

/// Runs `args` with `lines` on stdin; checks one schema-valid JSON line per input line.
fn run_batch(args: &[&str], schema: Schema, lines: &[Vec<u8>]) -> Result<(), String> {
    let mut input = Vec::new();
    for l in lines {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let out = waxseal()
        .arg("--json")
        .args(args)
        .arg("-")
        .write_stdin(input)
        .output()
        .map_err(|e| e.to_string())?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| "stdout is not UTF-8".to_owned())?;
    let got: Vec<&str> = text.lines().collect();
    if got.len() != lines.len() {
        return Err(format!("{} answers for {} lines", got.len(), lines.len()));
    }
    for line in got {
        if line.chars().any(|c| c.is_control()) {
            return Err(format!("raw control character in {line:?}"));
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {line:?}"))?;
        check(schema, &v).map_err(|e| format!("{e}: {line}"))?;
    }
    Ok(())
}

fn check_all_commands(lines: &[Vec<u8>]) -> Result<(), String> {
    let now = ["--now", "1700000100"];
    run_batch(&["decode"], DECODE, lines)?;
    run_batch(&["verify", "--secret", KEY, now[0], now[1]], VERIFY, lines)?;
    run_batch(
        &["explain", "--secret", KEY, now[0], now[1]],
        EXPLAIN,
        lines,
    )?;
    run_batch(&["explain", now[0], now[1]], EXPLAIN, lines)?;
    for format in ["signer", "serializer", "starlette"] {
        run_batch(&["decode", "--format", format], DECODE, lines)?;
        let args = ["verify", "--format", format, "--secret", KEY];
        run_batch(&args, VERIFY, lines)?;
        if format == "starlette" {
            let args = ["explain", "--format", format, "--secret", KEY];
            run_batch(&args, EXPLAIN, lines)?;
        }
    }
    Ok(())
}

/// Payload texts that broke or could break the output: terminal controls, DEL, C1, NUL, a
/// lone surrogate escape, a bad Flask tag, deep nesting.
const NASTY: &[&str] = &[
    "{\"a\":\"\u{7f}\u{85}\u{9b}2J\u{0}\u{1b}[31m\"}",
    r#"{"a":"\ud800"}"#,
    r#"{"a":"\udc00\ud800x"}"#,
    "{\"\u{2028}\":\"\u{2029}\"}",
    r#"{"a":{" d":"not a date"}}"#,
    r#"{"a":{" b":"!!"}}"#,
    "\u{9b}\u{7f}",
    "\0",
];

#[test]
fn nasty_payloads_and_tokens_give_valid_json_everywhere() {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for p in NASTY {
        for kind in [
            FormatKind::Flask,
            FormatKind::Serializer,
            FormatKind::Starlette,
            FormatKind::Signer,
        ] {
            lines.push(sign(kind, KEY.as_bytes(), p, T0).into_bytes());
        }
        lines.push(p.as_bytes().to_vec());
    }
    lines.push(b"\xff\xfe.\x80.\x00".to_vec());
    lines.push(Vec::new());
    lines.push(b"session=\"\x7f\"".to_vec());
    check_all_commands(&lines).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn decode_failure_has_the_same_shape_with_error_and_message() {
    let out = waxseal()
        .args(["decode", "--json", "nothing-here"])
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    check(DECODE, v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["error"], "malformed");
    assert!(v["message"].as_str().unwrap().ends_with('.'));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_tokens_and_payloads_give_schema_valid_json(
        tokens in prop::collection::vec(prop::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..80), 1..6),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..60), 1..4),
        texts in prop::collection::vec(any::<String>(), 1..4),
    ) {
        let mut lines = tokens;
        for p in &payloads {
            // A signer token holds the payload bytes as they are (invalid UTF-8 and NUL
            // included); a newline would split the line, so it is replaced.
            let p: Vec<u8> = p.iter().map(|&b| if b == b'\n' { b' ' } else { b }).collect();
            lines.push(waxseal::Signer::new(KEY).unwrap().sign(&p));
        }
        for t in &texts {
            lines.push(sign(FormatKind::Flask, KEY.as_bytes(), t, T0).into_bytes());
            lines.push(sign(FormatKind::UrlSafe, KEY.as_bytes(), &format!("[{:?}]", t), T0).into_bytes());
            lines.push(sign(FormatKind::Starlette, KEY.as_bytes(), &format!("[{:?}]", t), T0).into_bytes());
        }
        prop_assert!(check_all_commands(&lines).is_ok(), "{:?}", check_all_commands(&lines));
    }
}

/// `crack --json` and `crack --hashcat --json`: the fields the CLI README lists, for a hit, a miss,
/// a malformed line and a pasted cookie; `scheme` and `phases` items have their documented fields.
#[test]
fn crack_and_hashcat_json_have_the_documented_fields() {
    let hit = flask("changeme", "{}");
    let miss = flask(KEY, "{}");
    let lines = [
        hit.as_bytes().to_vec(),
        miss.into_bytes(),
        b"not a token".to_vec(),
        Vec::new(),
        format!("session={hit}").into_bytes(),
    ];
    run_batch(&["crack"], CRACK, &lines).unwrap();
    run_batch(&["crack", "--hashcat"], HASHCAT, &lines).unwrap();
    let mut stdin = lines.join(&b'\n');
    stdin.push(b'\n');
    let out = waxseal()
        .args(["crack", "--json", "-"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    let v = json_lines(&out);
    let scheme = v[0]["scheme"].as_object().unwrap();
    let mut names: Vec<&str> = scheme.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["digest", "key_derivation", "salt"]);
    for p in v[1]["phases"].as_array().unwrap() {
        let mut names: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["name", "seconds", "size", "status", "tried"], "{p}");
    }
    assert_eq!(v[4]["extracted"], "the cookie name before \"=\"");
}

/// `payload_raw` is the signed text exactly when it is UTF-8; a signer payload that is not UTF-8
/// shows U+FFFD there, and `payload` carries its bytes (as the CLI README says).
#[test]
fn payload_raw_replaces_invalid_utf8_and_payload_keeps_the_bytes() {
    let mut token = waxseal::Signer::new(KEY).unwrap().sign(b"\xffab");
    token.push(b'\n');
    let out = waxseal()
        .args([
            "verify", "--json", "--format", "signer", "--secret", KEY, "-",
        ])
        .write_stdin(token)
        .output()
        .unwrap();
    let v = &json_lines(&out)[0];
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["payload_raw"], "\u{fffd}ab");
    assert_eq!(v["payload"], serde_json::json!({"$bytes": "ff6162"}));
}

/// `payload` is the same whether it is copied from the token's text (compact Flask JSON, tuple
/// and Markup keys renamed) or serialised from the value (other tags, whitespace, escapes,
/// floats, repeated keys): in `verify`, `decode` and `explain`, byte for byte, it is the
/// `$`-tagged JSON of the value.
#[test]
fn payload_copied_from_the_token_equals_payload_serialised() {
    let format = waxseal::inspect::TokenFormat::new(FormatKind::Flask);
    let texts = [
        (
            r#"{"_user_id":"1001","_fresh":false,"cart":[1,2,-3],"n":null}"#,
            None,
        ),
        (r#"{"a":{"b":[[],{}]},"$tuple":[1]}"#, None),
        (r#"{"a":{" t":[1,2]}}"#, Some(r#"{"a":{"$tuple":[1,2]}}"#)),
        (
            r#"{"_flashes":[{" t":["message","Hi"]}],"m":{" m":"<b>"}}"#,
            Some(r#"{"_flashes":[{"$tuple":["message","Hi"]}],"m":{"$markup":"<b>"}}"#),
        ),
        (r#"{"b":{" b":"aGk="}}"#, Some(r#"{"b":{"$bytes":"6869"}}"#)),
        (r#"{ "a" : 1 }"#, Some(r#"{"a":1}"#)),
        (
            r#"{"a":"\u0041\/","b":1.50,"a":-0}"#,
            Some(r#"{"a":0,"b":1.5}"#),
        ),
        ("{\"a\":\"é\u{85}\"}", Some("{\"a\":\"é\\u0085\"}")),
    ];
    let mut stdin = String::new();
    for (text, _) in &texts {
        let token = format
            .sign_at(&[KEY.as_bytes()], text.as_bytes(), T0)
            .unwrap();
        stdin.push_str(&token);
        stdin.push('\n');
    }
    let now = T0.to_string();
    for command in ["verify", "decode", "explain"] {
        let mut args = vec![command, "--json", "--format", "flask"];
        if command != "decode" {
            args.extend(["--secret", KEY, "--now", &now]);
        }
        args.push("-");
        let out = waxseal()
            .args(&args)
            .write_stdin(stdin.clone())
            .output()
            .unwrap();
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), texts.len(), "{command}: {text}");
        for (line, (text, rendered)) in lines.iter().zip(&texts) {
            let expected = rendered.unwrap_or(text);
            let field = format!(r#","payload":{expected},"#);
            assert!(line.contains(&field), "{command}: {field} not in {line}");
        }
    }
}
