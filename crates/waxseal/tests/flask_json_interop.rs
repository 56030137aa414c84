//! Differential tests against the real Flask 3.1.3 session serializer
//! (`tests/interop/flask_json_oracle.py`): our `dumps` must write Flask's bytes and our `loads`
//! must read Flask's output (and odd inputs) into the value Flask reads.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use waxseal::flask::{json, DateTime, Dict, Int, Value};
use waxseal_interop::{hex, json as j, oracle, unhex, Value as J};

const ORACLE: &str = "flask_json_oracle.py";

/// Our value in the oracle's typed encoding.
fn enc(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => j!({ "int": i.to_string() }),
        Value::Float(f) => {
            let repr = if f.is_nan() {
                "nan".to_owned()
            } else if f.is_infinite() {
                if *f > 0.0 { "inf" } else { "-inf" }.to_owned()
            } else {
                let mut s = String::new();
                waxseal::pyjson::write_f64(&mut s, *f);
                s
            };
            j!({ "float": repr })
        }
        Value::Str(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(enc).collect()),
        Value::Tuple(items) => j!({ "tuple": items.iter().map(enc).collect::<Vec<_>>() }),
        Value::Bytes(b) => j!({ "bytes": hex(b) }),
        Value::Uuid(u) => j!({ "uuid": hex(u) }),
        Value::DateTime(d) => j!({ "datetime": d.unix_seconds() }),
        Value::Markup(s) => j!({ "markup": s }),
        Value::Dict(d) => {
            j!({ "dict": d.iter().map(|(k, v)| j!([k, enc(v)])).collect::<Vec<_>>() })
        }
    }
}

/// The oracle's typed encoding back into a value (`None` for what we cannot represent).
fn dec(v: &J) -> Option<Value> {
    Some(match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::List(items.iter().map(dec).collect::<Option<_>>()?),
        J::Object(m) => {
            let (kind, x) = m.iter().next()?;
            match kind.as_str() {
                "int" => Value::Int(x.as_str()?.parse::<Int>().ok()?),
                "float" => Value::Float(x.as_str()?.parse().ok()?),
                "tuple" => Value::Tuple(x.as_array()?.iter().map(dec).collect::<Option<_>>()?),
                "bytes" => Value::Bytes(unhex(x.as_str()?)),
                "uuid" => Value::Uuid(unhex(x.as_str()?).try_into().ok()?),
                "datetime" => Value::DateTime(DateTime::from_unix_seconds(x.as_i64()?)?),
                "markup" => Value::Markup(x.as_str()?.to_owned()),
                "dict" => {
                    let mut d = Dict::default();
                    for pair in x.as_array()? {
                        d.insert(pair.get(0)?.as_str()?.to_owned(), dec(pair.get(1)?)?);
                    }
                    Value::Dict(d)
                }
                _ => return None,
            }
        }
        J::Number(_) => return None,
    })
}

/// Equality that treats NaN as equal to itself (and ignores dict order, like Python).
fn same(a: &Value, b: &Value) -> bool {
    match (json::dumps(a), json::dumps(b)) {
        (Ok(x), Ok(y)) => x == y && kinds_match(a, b),
        _ => false,
    }
}

/// `dumps` already pins every tag; this only guards Str vs Markup-free paths against surprises.
fn kinds_match(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn python_dumps(values: &[Value]) -> Option<Vec<Result<String, String>>> {
    let reqs: Vec<J> = values
        .iter()
        .map(|v| j!({"op": "dumps", "value": enc(v)}))
        .collect();
    let answers = oracle(ORACLE, &reqs)?;
    Some(
        answers
            .into_iter()
            .map(|a| match (a.get("ok").and_then(J::as_str), a.get("err")) {
                (Some(s), _) => Ok(s.to_owned()),
                (None, e) => Err(format!("{e:?}")),
            })
            .collect(),
    )
}

/// Both directions, byte-exact, for a batch of values.
fn check_values_both_ways(values: &[Value]) {
    let Some(py) = python_dumps(values) else {
        return;
    };
    for (v, py) in values.iter().zip(py) {
        let py = py.unwrap_or_else(|e| panic!("Flask failed to dump {v:?}: {e}"));
        let ours = json::dumps(v).expect("dumps");
        assert_eq!(ours, py, "dumps differs for {v:?}");
        let back = json::loads(&py).unwrap_or_else(|e| panic!("loads({py}) failed: {e}"));
        assert!(same(&back, v), "loads({py}) = {back:?}, want {v:?}");
    }
}

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    pairs.into_iter().collect()
}

fn fixed_values() -> Vec<Value> {
    let big = |s: &str| Value::Int(s.parse::<Int>().expect("int"));
    let date = |secs| Value::DateTime(DateTime::from_unix_seconds(secs).expect("date"));
    let mut v = vec![
        Value::Null,
        true.into(),
        false.into(),
        0.into(),
        (-1).into(),
        i64::MIN.into(),
        i64::MAX.into(),
        u64::MAX.into(),
        big("18446744073709551616"),
        big("-18446744073709551616"),
        big("10000000000000000000000000000000000000000"),
        big(&"7".repeat(4300)),
        "".into(),
        "plain".into(),
        "\u{0}\u{1}\u{1f}\u{7f}\u{80}\u{ff}\u{100}\u{2028}\u{fffd}\u{ffff}\u{10000}\u{10ffff}😀\"\\/\n\r\t\u{8}\u{c}".into(),
        Value::Markup("<b>é😀</b>".into()),
        Value::Bytes(vec![]),
        Value::Bytes((0..=255).collect()),
        Value::Uuid([0; 16]),
        Value::Uuid([0xff; 16]),
        date(0),
        date(-62_135_596_800 + 100 * 366 * 86_400),
        date(253_402_300_799),
        date(1_445_412_480),
        Value::Tuple(vec![]),
        Value::List(vec![]),
        Value::Dict(Dict::default()),
        dict([("_flashes", Value::List(vec![("message", "Hello").into(), ("error", "x").into()]))]),
        dict([("_fresh", true.into()), ("_id", "abc".into()), ("_user_id", "1".into()), ("csrf_token", "tok".into())]),
        dict([("é", 1.into()), ("z", 2.into()), ("😀", 3.into()), ("\u{ffff}", 4.into()), ("A", 5.into()), ("", 6.into())]),
        Value::Tuple(vec![Value::List(vec![dict([("k", Value::Tuple(vec![Value::Bytes(vec![1])]))])])]),
    ];
    for f in [
        0.0,
        -0.0,
        1.0,
        100.0,
        1e16,
        1e15,
        9999999999999998.0,
        1e-5,
        1e-4,
        0.0001,
        0.00012345,
        1.5e300,
        1e100,
        1e-7,
        0.1,
        1.0 / 3.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -2.5e-10,
        123456789.125,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        v.push(f.into());
    }
    // Every tag key as the single key of a dict (the " di" case), and as one of two keys.
    for key in [
        " di", " t", " b", " m", " u", " d", " t__", " di__", " x", "di", " d ",
    ] {
        v.push(dict([(key, Value::Tuple(vec![1.into()]))]));
        v.push(dict([(key, dict([(key, "x".into())]))]));
        v.push(dict([(key, 1.into()), ("other", 2.into())]));
    }
    v
}

#[test]
fn fixed_values_match_flask_both_ways() {
    check_values_both_ways(&fixed_values());
}

/// JSON texts Flask may be handed (hand-edited, other writers, forged with the key): our `loads`
/// must agree with Flask's `loads`, value for value, or both must fail.
fn odd_inputs() -> Vec<String> {
    let mut v: Vec<String> = [
        r#" { "b" : 1 , "a" : [ 1E5 , -0 , 1.0e-5, 1e400, -1e400 ] } "#,
        r#"{"a":1,"b":2,"a":3}"#,
        r#"{" t":[1]," t":[2]}"#,
        r#"{" t":"ab"}"#,
        r#"{" t":{"k":1,"j":2}}"#,
        r#"{" t":{" b":"AAE="}}"#,
        r#"{" t":{" t":[1]}}"#,
        r#"{" t":1}"#,
        r#"{" t":null}"#,
        r#"{" b":"a G\nk=junk"}"#,
        r#"{" b":"aGk"}"#,
        r#"{" b":"a"}"#,
        r#"{" b":"=aGk="}"#,
        r#"{" b":"aG=k="}"#,
        r#"{" b":"é"}"#,
        r#"{" b":{" b":"YUdrPQ=="}}"#,
        r#"{" b":{" m":"aGk="}}"#,
        r#"{" di":{"ab":1,"cd":2}}"#,
        r#"{" di":{"xé😀":1}}"#,
        r#"{" di":{"x":1}}"#,
        r#"{" di":{}}"#,
        r#"{" di":"x"}"#,
        r#"{" di":{" t":[1]}}"#,
        r#"{" di":{" t__":{" t":[1]}}}"#,
        r#"{" m":1}"#,
        r#"{" m":null}"#,
        r#"{" m":true}"#,
        r#"{" m":1.5e300}"#,
        r#"{" m":NaN}"#,
        r#"{" m":-Infinity}"#,
        r#"{" m":{" u":"c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11"}}"#,
        r#"{" m":[1]}"#,
        r#"{" u":"{C5A7A5E8-5A4B-4B9E-9F3E-2B1D8A8F0C11}"}"#,
        r#"{" u":"urn:uuid:c5a7a5e8-5a4b-4b9e-9f3e-2b1d8a8f0c11"}"#,
        r#"{" u":"c5a7"}"#,
        r#"{" u":1}"#,
        r#"{" u":{" m":"c5a7a5e85a4b4b9e9f3e2b1d8a8f0c11"}}"#,
        r#"{" d":null}"#,
        r#"{" d":0}"#,
        r#"{" d":false}"#,
        r#"{" d":[]}"#,
        r#"{" d":{}}"#,
        r#"{" d":{" t":[]}}"#,
        r#"{" d":""}"#,
        r#"{" d":1}"#,
        r#"{" d":{" b":"YQ=="}}"#,
        r#"{"\/":"\u00E9\uD83D\uDE00"}"#,
        "\"\u{7f}é\"",
        "[1,]",
        "01",
        "\"\\ud800\"",
        "NaN",
        "-Infinity",
        "[]",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for date in [
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "21 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 15 07:28:00 GMT",
        "Wed, 21 Oct 99 07:28:00 GMT",
        "Wed, 21 Oct 68 07:28:00 GMT",
        "Wed, 21 Oct 69 07:28:00 GMT",
        "Wed, 21 Oct 2015 07:28 GMT",
        "Wed, 21 Oct 2015 07:28:00 +0100",
        "Wed, 21 Oct 2015 07:28:00 -0530",
        "Wed, 21 Oct 2015 07:28:00 -0000",
        "Wed, 21 Oct 2015 07:28:00 +2400",
        "Wed, 21 Oct 2015 07:28:00 +2359",
        "Wed, 21 Oct 2015 07:28:00 EST",
        "Wed, 21 Oct 2015 07:28:00 pdt",
        "Wed, 21 Oct 2015 07:28:00 XYZ",
        "Wed, 21 Oct 2015 07:28:00",
        "Wed,21 Oct 2015 07:28:00 GMT",
        "Wednesday, 21-Oct-15 07:28:00 GMT",
        "Wed Oct 21 07:28:00 2015",
        "Wed, 21 October 2015 07:28:00 GMT",
        "Wed, Oct 21 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 07.28.00 GMT",
        "Wed, 21 Oct 2015 07.28 GMT",
        "Wed, 21 Oct 2015, 07:28:00, GMT",
        "Wed, 21 Oct 2015 7:8:9 GMT",
        "Wed, 21 Oct 2015 07:28:60 GMT",
        "Wed, 29 Feb 2016 00:00:00 GMT",
        "Wed, 29 Feb 2015 00:00:00 GMT",
        "Sun, 02 Jan 0005 03:04:05 GMT",
        "Mon, 01 Jan 0100 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Fri, 31 Dec 9999 23:59:59 -0100",
        "Fri, 31 Dec 10000 23:59:59 GMT",
        "Wed, 21 Oct 2015 07:28:00 +01:00",
        "Wed, 21 Oct 2015 07:28:0_0 GMT",
        "Wed, 21 Oct +2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 -07:28:00 GMT",
        "Wed, 21 Oct 2015 07:28:00 GMT extra",
        "21 Oct 2015",
        "   ",
        "garbage",
        "Wed, 21 Oct 99999999999 07:28:00 GMT",
        "Wed, 21 Oct 99999 07:28:00 GMT",
        "Wed, 21 Oct 2015 99999999999:28:00 GMT",
        "Wed, 21 Oct 2015 07:28:00 +100000",
        "Wed, 21 Oct 2015 07:28:00 +8640000000000000",
        "Wed, 21 Oct 2015 07:28:00 -8640000000000000",
        "Wed, 21 Oct 2015 07:28:00 +2222222222222222222222222222222222222222222222222222222",
        "Wed, 20 Oct 2015 07:+8:00 2222222222222222222222222222222222222222222222222222222222222 b2222GMT",
        "Wed, 31 Oct 99999 07:28:00 +100000",
    ] {
        v.push(format!("{{\" d\":\"{date}\"}}"));
    }
    v
}

/// Inputs Flask accepts that we reject on purpose (see the `flask::json` and `flask::tag` docs):
/// a lone surrogate cannot live in a Rust `String`, and `Markup(<container>)` would need Python's
/// `repr` of the container.
/// A datetime whose UTC instant falls past 9999-12-31 is rejected: Flask could load it (as an
/// aware local time) but not save it again (`http_date` overflows).
const DOCUMENTED_REJECTIONS: &[&str] = &[
    "\"\\ud800\"",
    r#"{" m":[1]}"#,
    r#"{" d":"Fri, 31 Dec 9999 23:59:59 -0100"}"#,
];

#[test]
fn odd_inputs_load_like_flask() {
    let inputs = odd_inputs();
    let reqs: Vec<J> = inputs
        .iter()
        .map(|s| j!({"op": "loads", "json": s}))
        .collect();
    let Some(answers) = oracle(ORACLE, &reqs) else {
        return;
    };
    let mut failures = Vec::new();
    for (input, ans) in inputs.iter().zip(answers) {
        let ours = json::loads(input);
        match (ans.get("ok"), &ours) {
            (Some(py), Ok(v)) => {
                let py = dec(py).unwrap_or_else(|| panic!("{input}: cannot decode Python's {py}"));
                if !same(v, &py) {
                    failures.push(format!("{input}: ours {v:?}, Flask {py:?}"));
                }
            }
            (None, Err(_)) => {}
            // Documented divergences: we reject rather than build these.
            (Some(_), Err(_)) if DOCUMENTED_REJECTIONS.contains(&input.as_str()) => {}
            (py, ours) => failures.push(format!("{input}: ours {ours:?}, Flask {py:?} / {ans}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[a-z_]{0,8}",
        1 => prop::sample::select(vec![" di", " t", " b", " m", " u", " d", " t__", " di__"]).prop_map(str::to_owned),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u128>().prop_map(Value::from),
        "-?[1-9][0-9]{19,60}".prop_map(|s| Value::Int(s.parse().expect("digits"))),
        any::<f64>().prop_map(Value::Float),
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(1e16),
            Just(1e-5)
        ]
        .prop_map(Value::Float),
        any::<String>().prop_map(Value::Str),
        any::<String>().prop_map(Value::Markup),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Value::Bytes),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        // Years 100..=9999: Flask itself reads years below 100 back as 19xx/20xx.
        (-59_011_459_200i64..=253_402_300_799)
            .prop_map(|s| Value::DateTime(DateTime::from_unix_seconds(s).expect("in range"))),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|kv| Value::Dict(kv.into_iter().collect())),
        ]
    })
}

fn sample<T: std::fmt::Debug>(
    strategy: impl Strategy<Value = T>,
    n: usize,
    seed_name: &str,
) -> Vec<T> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &{
            let mut seed = [7u8; 32];
            for (i, b) in seed_name.bytes().enumerate() {
                seed[i % 32] ^= b;
            }
            seed
        }),
    );
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect()
}

#[test]
fn random_value_trees_match_flask_both_ways() {
    let values = sample(arb_value(), 400, "random_value_trees");
    check_values_both_ways(&values);
}

#[test]
fn random_values_survive_our_own_round_trip() {
    // No oracle needed: loads(dumps(v)) == v for every representable value.
    proptest!(Config::with_cases(500), |(v in arb_value())| {
        let text = json::dumps(&v).expect("dumps");
        let back = json::loads(&text).expect("loads");
        prop_assert_eq!(json::dumps(&back).expect("dumps"), text);
        prop_assert!(same(&back, &v));
    });
}

fn arb_date_text() -> impl Strategy<Value = String> {
    let day_name = prop::sample::select(vec![
        "",
        "Wed, ",
        "wed ",
        "Wednesday, ",
        "Sun,",
        "Mon, ",
        "Xyz, ",
    ]);
    let day = prop_oneof![
        (0u32..33).prop_map(|d| format!("{d:02}")),
        (0u32..33).prop_map(|d| d.to_string()),
        Just("+5".to_owned()),
        Just("1_0".to_owned())
    ];
    let month = prop::sample::select(vec![
        "Oct", "oct", "OCT", "October", "Feb", "feb", "Dec", "Xyz", "Jun",
    ]);
    let year = prop_oneof![
        (0u32..10000).prop_map(|y| format!("{y:04}")),
        (0u32..100).prop_map(|y| format!("{y:02}")),
        prop::sample::select(vec![
            "2015", "69", "68", "0005", "10000", "2016,", "99999", "-5"
        ])
        .prop_map(str::to_owned),
    ];
    let time = prop_oneof![
        (0u32..26, 0u32..62, 0u32..62).prop_map(|(h, m, s)| format!("{h:02}:{m:02}:{s:02}")),
        (0u32..26, 0u32..62).prop_map(|(h, m)| format!("{h}:{m}")),
        (0u32..26, 0u32..62, 0u32..62).prop_map(|(h, m, s)| format!("{h}.{m}.{s}")),
        Just("07:28:00,".to_owned()),
        Just("7:28:00:01".to_owned()),
    ];
    let zone = prop_oneof![
        prop::sample::select(vec![
            "", "GMT", "UT", "utc", "Z", "EST", "edt", "PDT", "XYZ", "-0000", "+0000"
        ])
        .prop_map(str::to_owned),
        (-2500i32..2500).prop_map(|o| format!("{o:+05}")),
    ];
    let layout = 0u8..6;
    (day_name, day, month, year, time, zone, layout).prop_map(|(n, d, m, y, t, z, layout)| {
        match layout {
            0 => format!("{n}{d} {m} {y} {t} {z}"),
            1 => format!("{n}{m} {d} {t} {y}"),     // asctime
            2 => format!("{n}{d}-{m}-{y} {t} {z}"), // RFC 850
            3 => format!("{n}{d} {m} {y} {t}{z}"),  // zone glued to the time
            4 => format!("{n}{d} {m} {y}, {t} {z}"),
            _ => format!("{n}{d} {m} {y}"), // no time
        }
    })
}

#[test]
fn random_http_dates_parse_like_werkzeug() {
    let mut texts = sample(arb_date_text(), 1500, "random_http_dates");
    texts.extend(sample(
        (any::<bool>(), 0i64..=253_402_300_799)
            .prop_map(|(_, s)| DateTime::from_unix_seconds(s).expect("range").to_string()),
        200,
        "canonical_dates",
    ));
    let inputs: Vec<String> = texts.iter().map(|t| j!({" d": t}).to_string()).collect();
    let reqs: Vec<J> = inputs
        .iter()
        .map(|s| j!({"op": "loads", "json": s}))
        .collect();
    let Some(answers) = oracle(ORACLE, &reqs) else {
        return;
    };
    let mut failures = Vec::new();
    let (mut dates, mut nones, mut errors) = (0, 0, 0);
    for (input, ans) in inputs.iter().zip(answers) {
        let ours = json::loads(input);
        match &ours {
            Ok(Value::DateTime(_)) => dates += 1,
            Ok(_) => nones += 1,
            Err(_) => errors += 1,
        }
        let py = ans.get("ok").and_then(dec);
        match (&ours, &py) {
            (Ok(v), Some(p)) if same(v, p) => {}
            (Err(_), None) => {}
            _ => failures.push(format!("{input}: ours {ours:?}, Flask {ans}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("dates: {dates} parsed, {nones} None, {errors} errors");
    // The generator must reach both outcomes, or the comparison proves little.
    assert!(dates > 300 && nones > 300, "{dates} {nones} {errors}");
}
