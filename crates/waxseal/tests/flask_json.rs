//! Flask tagged JSON: cases ported from Flask's `tests/test_json_tag.py` and
//! `tests/test_basic.py::test_session_special_types`, with the exact bytes Flask 3.1.3 writes,
//! plus the reader's Python-`json.loads` edge cases.

use waxseal::flask::{self, json, DateTime, Dict, FlaskJsonError, Int, Value};

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    pairs.into_iter().collect()
}

fn uuid() -> Value {
    Value::Uuid([
        0xc5, 0xa7, 0xa5, 0xe8, 0x5a, 0x4b, 0x4b, 0x9e, 0x9f, 0x3e, 0x2b, 0x1d, 0x8a, 0x8f, 0x0c,
        0x11,
    ])
}

fn now() -> Value {
    Value::DateTime(DateTime::from_civil(2015, 10, 21, 7, 28, 0).expect("valid date"))
}

fn tuple123() -> Value {
    Value::Tuple(vec![1.into(), 2.into(), 3.into()])
}

/// Asserts Flask's bytes both ways: dumps(value) == flask_json and loads(flask_json) == value.
fn both_ways(value: Value, flask_json: &str) {
    assert_eq!(
        json::dumps(&value).expect("dumps"),
        flask_json,
        "dumps of {value:?}"
    );
    assert_eq!(
        json::loads(flask_json).expect("loads"),
        value,
        "loads of {flask_json}"
    );
}

#[test]
fn test_json_tag_dump_load_unchanged_cases_match_flask_bytes() {
    both_ways(
        dict([(" t", tuple123())]),
        r#"{" di":{" t__":{" t":[1,2,3]}}}"#,
    );
    both_ways(
        dict([(" t__", Value::Bytes(b"a".to_vec()))]),
        r#"{" t__":{" b":"YQ=="}}"#,
    );
    both_ways(dict([(" di", " di".into())]), r#"{" di":{" di__":" di"}}"#);
    both_ways(
        dict([("x", tuple123()), ("y", 4.into())]),
        r#"{"x":{" t":[1,2,3]},"y":4}"#,
    );
    both_ways(tuple123(), r#"{" t":[1,2,3]}"#);
    both_ways(Value::List(vec![tuple123()]), r#"[{" t":[1,2,3]}]"#);
    both_ways(Value::Bytes(vec![0xff]), r#"{" b":"/w=="}"#);
    both_ways(Value::Markup("<html>".into()), r#"{" m":"<html>"}"#);
    both_ways(uuid(), r#"{" u":"c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11"}"#);
    both_ways(now(), r#"{" d":"Wed, 21 Oct 2015 07:28:00 GMT"}"#);
}

#[test]
fn test_session_special_types_round_trip_with_flask_bytes() {
    let session = dict([
        ("t", tuple123()),
        ("b", Value::Bytes(vec![0xff])),
        ("m", Value::Markup("<html>".into())),
        ("u", uuid()),
        ("d", now()),
        ("t_tag", dict([(" t", "not-a-tuple".into())])),
        ("di_t_tag", dict([(" t__", "not-a-tuple".into())])),
        ("di_tag", dict([(" di", "not-a-dict".into())])),
    ]);
    let want = r#"{"b":{" b":"/w=="},"d":{" d":"Wed, 21 Oct 2015 07:28:00 GMT"},"di_t_tag":{" t__":"not-a-tuple"},"di_tag":{" di":{" di__":"not-a-dict"}},"m":{" m":"<html>"},"t":{" t":[1,2,3]},"t_tag":{" di":{" t__":"not-a-tuple"}},"u":{" u":"c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11"}}"#;
    assert_eq!(json::dumps(&session).expect("dumps"), want);
    // IndexMap equality ignores order, like Python's dict equality.
    assert_eq!(json::loads(want).expect("loads"), session);
}

#[test]
fn flashes_are_a_list_of_tuples() {
    both_ways(
        dict([(
            "_flashes",
            Value::List(vec![("message", "Hello").into(), ("error", "x").into()]),
        )]),
        r#"{"_flashes":[{" t":["message","Hello"]},{" t":["error","x"]}]}"#,
    );
}

#[test]
fn keys_sort_by_code_point_not_utf16() {
    // U+FFFF sorts before U+1F600 by code point; UTF-16 order would put the surrogate first.
    both_ways(
        dict([
            ("é", 1.into()),
            ("z", 2.into()),
            ("😀", 3.into()),
            ("\u{ffff}", 4.into()),
            ("A", 5.into()),
        ]),
        r#"{"A":5,"z":2,"\u00e9":1,"\uffff":4,"\ud83d\ude00":3}"#,
    );
}

#[test]
fn floats_and_big_ints_are_written_like_python() {
    let big = |s: &str| Value::Int(s.parse::<Int>().expect("int"));
    let v = Value::List(vec![
        1e16.into(),
        1e-5.into(),
        100.0.into(),
        0.0001.into(),
        (-0.0).into(),
        1.5e300.into(),
        f64::NAN.into(),
        f64::INFINITY.into(),
        f64::NEG_INFINITY.into(),
        big("18446744073709551616"),
        big("-18446744073709551616"),
        big("10000000000000000000000000000000000000000"),
    ]);
    let want = "[1e+16,1e-05,100.0,0.0001,-0.0,1.5e+300,NaN,Infinity,-Infinity,18446744073709551616,-18446744073709551616,10000000000000000000000000000000000000000]";
    assert_eq!(json::dumps(&v).expect("dumps"), want);
    let back = json::loads(want).expect("loads");
    assert_eq!(json::dumps(&back).expect("dumps"), want);
}

#[test]
fn string_escapes_match_python_ensure_ascii() {
    both_ways(
        Value::Str("\u{0}\u{1f}\u{7f}\"\\\n\r\t\u{8}\u{c}/é😀".into()),
        r#""\u0000\u001f\u007f\"\\\n\r\t\b\f/\u00e9\ud83d\ude00""#,
    );
}

#[test]
fn empty_containers_round_trip() {
    both_ways(Value::Dict(Dict::default()), "{}");
    both_ways(Value::List(vec![]), "[]");
    both_ways(Value::Tuple(vec![]), r#"{" t":[]}"#);
    both_ways(Value::Bytes(vec![]), r#"{" b":""}"#);
    both_ways(Value::Markup(String::new()), r#"{" m":""}"#);
}

#[test]
fn nested_tags_inside_tuple_in_list_in_dict() {
    both_ways(
        dict([(
            "k",
            Value::List(vec![Value::Tuple(vec![
                Value::Bytes(b"hi".to_vec()),
                dict([(" u", uuid())]),
            ])]),
        )]),
        r#"{"k":[{" t":[{" b":"aGk="},{" di":{" u__":{" u":"c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11"}}}]}]}"#,
    );
}

#[test]
fn reader_accepts_python_json_extras() {
    assert_eq!(
        json::parse(" \t\n\r1E5 ").expect("parse"),
        Value::Float(100000.0)
    );
    assert_eq!(json::parse("-0").expect("parse"), Value::Int(0.into()));
    assert_eq!(json::parse("1.0e-5").expect("parse"), Value::Float(1e-5));
    assert_eq!(
        json::parse("1e400").expect("parse"),
        Value::Float(f64::INFINITY)
    );
    assert_eq!(
        json::parse(r#""\/\u00E9""#).expect("parse"),
        Value::Str("/é".into())
    );
    assert_eq!(
        json::parse("\"\u{7f}é\"").expect("parse"),
        Value::Str("\u{7f}é".into())
    );
    assert!(matches!(json::parse("-Infinity"), Ok(Value::Float(f)) if f == f64::NEG_INFINITY));
}

#[test]
fn duplicate_keys_keep_first_position_and_last_value() {
    let v = json::parse(r#"{"a":1,"b":2,"a":3}"#).expect("parse");
    let Value::Dict(d) = v else {
        panic!("dict expected")
    };
    assert_eq!(
        d.iter()
            .map(|(k, v)| (k.as_str(), v.as_i64()))
            .collect::<Vec<_>>(),
        [("a", Some(3)), ("b", Some(2))]
    );
    // Python untags after merging duplicates: the dict has one key, so it is a tuple.
    assert_eq!(
        json::loads(r#"{" t":[1]," t":[2]}"#).expect("loads"),
        Value::Tuple(vec![2.into()])
    );
}

#[test]
fn reader_rejects_what_python_rejects() {
    for bad in [
        "",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "+1",
        "[1 2]",
        "\"\u{1}\"",
        "\"\\x\"",
        "nul",
        "NaNa",
        "{'a':1}",
        "\u{feff}1",
        "1 1",
        "[",
        "\"abc",
        "-",
    ] {
        assert!(
            matches!(json::parse(bad), Err(FlaskJsonError::Syntax { .. })),
            "{bad:?} should be a syntax error"
        );
    }
}

#[test]
fn lone_surrogates_are_rejected_with_a_clear_error() {
    for s in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800x""#,
    ] {
        let err = json::parse(s).expect_err(s);
        assert!(
            matches!(err, FlaskJsonError::LoneSurrogate { pos: 1 }),
            "{s}: {err}"
        );
        assert!(err.to_string().contains("lone surrogate"));
    }
    assert_eq!(
        json::parse(r#""\uD83D\uDE00""#).expect("pair"),
        Value::Str("😀".into())
    );
}

#[test]
fn depth_limit_errors_instead_of_overflowing_the_stack() {
    let ok = format!(
        "{}{}",
        "[".repeat(json::MAX_DEPTH),
        "]".repeat(json::MAX_DEPTH)
    );
    assert!(json::parse(&ok).is_ok());
    let deep = "[".repeat(100_000);
    assert!(matches!(
        json::parse(&deep),
        Err(FlaskJsonError::TooDeep { .. })
    ));
    let deep_obj = r#"{"a":"#.repeat(100_000);
    assert!(matches!(
        json::loads(&deep_obj),
        Err(FlaskJsonError::TooDeep { .. })
    ));
    // Writing a too-deep value is an error too (Python raises RecursionError).
    let mut v = Value::Null;
    for _ in 0..json::MAX_DEPTH + 1 {
        v = Value::List(vec![v]);
    }
    assert_eq!(json::dumps(&v), Err(FlaskJsonError::TooDeepToWrite));
    assert_eq!(json::write(&v), Err(FlaskJsonError::TooDeepToWrite));
    // Tags count: a tuple is two JSON levels, so MAX_DEPTH/2 + 1 nested tuples are too deep.
    let mut t = Value::Null;
    for _ in 0..json::MAX_DEPTH / 2 + 1 {
        t = Value::Tuple(vec![t]);
    }
    assert_eq!(json::dumps(&t), Err(FlaskJsonError::TooDeepToWrite));
    assert!(json::write(&t).is_ok());
}

#[test]
fn integers_beyond_pythons_digit_limit_are_rejected() {
    let ok = "9".repeat(Int::MAX_DIGITS);
    assert_eq!(
        json::dumps(&json::parse(&ok).expect("4300 digits")).expect("dumps"),
        ok
    );
    let too_many = "9".repeat(Int::MAX_DIGITS + 1);
    assert_eq!(
        json::parse(&too_many),
        Err(FlaskJsonError::IntTooLarge { digits: 4301 })
    );
}

#[test]
fn non_canonical_tag_payloads_decode_like_python() {
    // tuple() of a string / dict / bytes iterates it.
    assert_eq!(
        json::loads(r#"{" t":"ab"}"#).expect("str"),
        Value::Tuple(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        json::loads(r#"{" t":{"k":1,"j":2}}"#).expect("dict"),
        Value::Tuple(vec!["k".into(), "j".into()])
    );
    assert_eq!(
        json::loads(r#"{" t":{" b":"AAE="}}"#).expect("bytes"),
        Value::Tuple(vec![0.into(), 1.into()])
    );
    // b64decode skips junk and stops at padding.
    assert_eq!(
        json::loads(r#"{" b":"a G\nk=junk"}"#).expect("b64"),
        Value::Bytes(b"hi".to_vec())
    );
    // " di" keeps the first key, minus its last two characters.
    assert_eq!(
        json::loads(r#"{" di":{"ab":1,"cd":2}}"#).expect("di"),
        dict([("", 1.into())])
    );
    assert_eq!(
        json::loads(r#"{" di":{"xé😀":1}}"#).expect("di"),
        dict([("x", 1.into())])
    );
    // parse_date failures become None; offsets are converted to UTC.
    assert_eq!(
        json::loads(r#"{" d":"not a date"}"#).expect("d"),
        Value::Null
    );
    assert_eq!(
        json::loads(r#"{" d":"Wed, 21 Oct 2015 09:28:00 +0200"}"#).expect("d"),
        now()
    );
    // Flask's two-digit-year quirk: year 0005 reads back as 2005.
    assert_eq!(
        json::loads(r#"{" d":"Sun, 02 Jan 0005 03:04:05 GMT"}"#).expect("d"),
        Value::DateTime(DateTime::from_civil(2005, 1, 2, 3, 4, 5).expect("date"))
    );
    assert_eq!(
        json::loads(r#"{" m":1}"#).expect("m"),
        Value::Markup("1".into())
    );
    assert_eq!(
        json::loads(r#"{" u":"{C5A7A5E8-5A4B-4B9E-9F3E-2B1D8A8F0C11}"}"#).expect("u"),
        uuid()
    );
}

#[test]
fn tag_payloads_python_cannot_decode_are_errors() {
    for bad in [
        r#"{" t":1}"#,
        r#"{" b":"a"}"#,
        r#"{" b":"é"}"#,
        r#"{" b":[1]}"#,
        r#"{" u":"xyz"}"#,
        r#"{" u":1}"#,
        r#"{" di":{}}"#,
        r#"{" di":"x"}"#,
        r#"{" m":[1]}"#,
        r#"{" d":1}"#,
    ] {
        let err = json::loads(bad).expect_err(bad);
        assert!(matches!(err, FlaskJsonError::BadTag { .. }), "{bad}: {err}");
    }
}

#[test]
fn plain_write_uses_flask_default_for_non_json_types() {
    let v = Value::List(vec![
        uuid(),
        now(),
        Value::Markup("<b>".into()),
        Value::Tuple(vec![1.into()]),
    ]);
    assert_eq!(
        json::write(&v).expect("write"),
        r#"["c5a7a5e8-5a4b-4b9e-9f3e-2b1d8a8f0c11","Wed, 21 Oct 2015 07:28:00 GMT","<b>",[1]]"#
    );
    assert_eq!(
        json::write(&Value::Bytes(vec![1])),
        Err(FlaskJsonError::NotSerializable("bytes"))
    );
}

mod bytes_as_bytes {
    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(b)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(V)
    }
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
enum Kind {
    A,
    B(u8),
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct Session {
    pair: (String, i64),
    #[serde(with = "bytes_as_bytes")]
    raw: Vec<u8>,
    keys: std::collections::BTreeMap<u32, bool>,
    big: u128,
    f: f64,
    kinds: Vec<Kind>,
    opt: Option<String>,
}

#[test]
fn serde_bridge_maps_tuples_bytes_and_int_keys() {
    let s = Session {
        pair: ("x".into(), -1),
        raw: vec![0xff],
        keys: [(10, true), (9, false)].into_iter().collect(),
        big: u128::MAX,
        f: 0.5,
        kinds: vec![Kind::A, Kind::B(2)],
        opt: None,
    };
    let v = flask::to_value(&s).expect("to_value");
    let text = json::dumps(&v).expect("dumps");
    assert_eq!(
        text,
        r#"{"big":340282366920938463463374607431768211455,"f":0.5,"keys":{"10":true,"9":false},"kinds":["A",{"B":2}],"opt":null,"pair":{" t":["x",-1]},"raw":{" b":"/w=="}}"#
    );
    let back: Session = flask::from_value(json::loads(&text).expect("loads")).expect("from_value");
    assert_eq!(back, s);
}

#[test]
fn typical_session_loads_and_dumps_quickly() {
    let s = r#"{"_fresh":true,"_id":"2b8a5e0c9f3d4a1b8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e","_user_id":"1","csrf_token":"5f3c9a1e7b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f"}"#;
    let iters = 20_000;
    let start = std::time::Instant::now();
    for _ in 0..iters {
        let v = json::loads(std::hint::black_box(s)).expect("loads");
        assert_eq!(json::dumps(&v).expect("dumps").len(), s.len());
    }
    let per = start.elapsed() / iters;
    // Generous bound for an unoptimised test build on a shared machine; `cargo bench` measures.
    assert!(
        per < std::time::Duration::from_micros(50),
        "load+dump took {per:?}"
    );
    eprintln!("typical session load+dump (debug build): {per:?}");
}

#[test]
fn huge_timezone_offsets_do_not_overflow() {
    // Found by fuzzing: the offset arithmetic overflowed. Python raises OverflowError here.
    let input = r#"{" d":"Wed, 20 Oct 2015 07:28:00 2222222222222222222222222222222222222222222222222222"}"#;
    assert!(matches!(
        json::loads(input),
        Err(FlaskJsonError::BadTag { tag: " d", .. })
    ));
    assert_eq!(
        json::loads(r#"{" d":"Wed, 21 Oct 2015 07:28:00 +100000"}"#),
        Ok(Value::Null)
    );
}

#[test]
fn repeated_tag_key_untags_the_last_value_like_a_python_dict() {
    // json.loads keeps the last value of a repeated key, so Flask sees a one-key dict and
    // untags it: {" t":[1]," t":[2]} is the tuple (2,).
    assert_eq!(
        json::loads(r#"{" t":[1]," t":[2]}"#).expect("loads"),
        Value::Tuple(vec![2.into()])
    );
}

#[test]
fn tag_key_beside_other_keys_stays_a_dict() {
    // Flask only untags one-key dicts; the shortcut for tag objects must not fire here.
    assert_eq!(
        json::loads(r#"{" t":[1],"x":1}"#).expect("loads"),
        dict([(" t", Value::List(vec![1.into()])), ("x", 1.into())])
    );
    assert!(matches!(
        json::loads(r#"{" t":[1] , }"#),
        Err(FlaskJsonError::Syntax { .. })
    ));
}

#[test]
fn bad_tag_errors_name_the_tag_object_offset() {
    let err = json::loads(r#"[0,{" u":"zz"}]"#).expect_err("bad uuid");
    assert!(err.to_string().contains("object at byte 3"), "{err}");
}

#[test]
fn strings_end_and_escape_at_every_position_of_an_eight_byte_step() {
    // The reader skips eight string bytes at a time: a quote, escape, control or multi-byte
    // character at each position of a step, in strings of every length around a step, must
    // read exactly as byte by byte.
    let specials: [(&str, Option<&str>); 7] = [
        ("\\n", Some("\n")),
        ("\\\"", Some("\"")),
        ("\\\\", Some("\\")),
        ("\u{1}", None),
        ("\u{1f}", None),
        ("\u{7f}", Some("\u{7f}")),
        ("é", Some("é")),
    ];
    for len in 0..=25 {
        let filler = |n: usize| "abcdefghijklmnopqrstuvwxyz"[..n].to_owned();
        assert_eq!(
            json::loads(&format!(r#"["{}"]"#, filler(len))),
            Ok(Value::List(vec![filler(len).into()]))
        );
        assert!(json::loads(&format!(r#"["{}"#, filler(len))).is_err());
        assert!(json::loads(&format!(r#""{}"#, filler(len))).is_err());
        for at in 0..len {
            for (written, read) in specials {
                let text = format!("{}{written}{}", filler(at), filler(len - at));
                let want = read.map(|r| format!("{}{r}{}", filler(at), filler(len - at)));
                let as_item = json::loads(&format!(r#"["{text}"]"#));
                let as_key = json::loads(&format!(r#"{{"{text}":1}}"#));
                match &want {
                    Some(w) => {
                        assert_eq!(
                            as_item,
                            Ok(Value::List(vec![w.as_str().into()])),
                            "{text:?}"
                        );
                        assert_eq!(as_key, Ok(dict([(w.as_str(), 1.into())])), "{text:?}");
                    }
                    None => assert!(as_item.is_err() && as_key.is_err(), "{text:?}"),
                }
            }
            // A quote that ends the string early leaves the rest as extra data.
            let cut = format!(r#"["{}"{}"]"#, filler(at), filler(len - at));
            assert!(json::loads(&cut).is_err(), "{cut}");
        }
    }
}
