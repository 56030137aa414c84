//! `pyjson`: serde output in Python's `json.dumps` dialect, checked by hand and against CPython.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use waxseal::pyjson::{self, JsonStyle};
use waxseal_interop::{json as j, oracle, Value as J};

fn f(x: f64) -> String {
    let mut s = String::new();
    pyjson::write_f64(&mut s, x);
    s
}

#[test]
fn float_repr_matches_python_for_the_classic_cases() {
    let cases = [
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (1e-5, "1e-05"),
        (1e-4, "0.0001"),
        (100.0, "100.0"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (1e100, "1e+100"),
        (1e-7, "1e-07"),
        (1.5e300, "1.5e+300"),
        (0.1, "0.1"),
        (1.0 / 3.0, "0.3333333333333333"),
        (123456789.125, "123456789.125"),
        (f64::MAX, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (9999999999999998.0, "9999999999999998.0"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ];
    for (x, want) in cases {
        assert_eq!(f(x), want, "{x:e}");
    }
}

#[test]
fn escaping_differs_between_ensure_ascii_and_not() {
    let s = "\u{0}\u{1f}\u{7f}\u{80}é\u{2028}😀\"\\/\n\r\t\u{8}\u{c}";
    let mut a = String::new();
    pyjson::write_str(&mut a, s, true);
    assert_eq!(
        a,
        r#""\u0000\u001f\u007f\u0080\u00e9\u2028\ud83d\ude00\"\\/\n\r\t\b\f""#
    );
    let mut b = String::new();
    pyjson::write_str(&mut b, s, false);
    assert_eq!(
        b,
        "\"\\u0000\\u001f\u{7f}\u{80}é\u{2028}😀\\\"\\\\/\\n\\r\\t\\b\\f\""
    );
}

#[test]
fn styles_use_pythons_separators() {
    let v = j!({"b": [1, 2.5, {"z": null, "a": true}], "a": "é"});
    assert_eq!(
        pyjson::to_string(&v, JsonStyle::PYTHON_DEFAULT).expect("ser"),
        r#"{"b": [1, 2.5, {"z": null, "a": true}], "a": "\u00e9"}"#
    );
    assert_eq!(
        pyjson::to_string(&v, JsonStyle::COMPACT).expect("ser"),
        r#"{"b":[1,2.5,{"z":null,"a":true}],"a":"é"}"#
    );
    assert_eq!(
        pyjson::to_string(&v, JsonStyle::FLASK).expect("ser"),
        r#"{"a":"\u00e9","b":[1,2.5,{"a":true,"z":null}]}"#
    );
    assert_eq!(
        pyjson::to_string(&Vec::<u8>::new(), JsonStyle::PYTHON_DEFAULT).expect("ser"),
        "[]"
    );
    assert_eq!(
        pyjson::to_string(&serde_json::Map::new(), JsonStyle::PYTHON_DEFAULT).expect("ser"),
        "{}"
    );
}

#[test]
fn non_finite_floats_become_null_through_serde_as_documented() {
    assert_eq!(
        pyjson::to_string(&[f64::NAN], JsonStyle::COMPACT).expect("ser"),
        "[null]"
    );
}

#[test]
fn map_keys_are_coerced_like_python() {
    let m: std::collections::BTreeMap<i32, u8> = [(1, 2), (-3, 4)].into_iter().collect();
    assert_eq!(
        pyjson::to_string(&m, JsonStyle::PYTHON_DEFAULT).expect("ser"),
        r#"{"-3": 4, "1": 2}"#
    );
}

/// serde_json value → the oracle's typed encoding.
fn enc(v: &J) -> J {
    match v {
        J::Number(n) if n.is_f64() => j!({"float": f(n.as_f64().unwrap_or(0.0))}),
        J::Number(n) => j!({"int": n.to_string()}),
        J::Array(a) => J::Array(a.iter().map(enc).collect()),
        J::Object(m) => j!({"dict": m.iter().map(|(k, v)| j!([k, enc(v)])).collect::<Vec<_>>()}),
        other => other.clone(),
    }
}

fn arb_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(J::from),
        any::<String>().prop_map(J::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|kv| J::Object(kv.into_iter().collect())),
        ]
    })
}

fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, n: usize, seed: u8) -> Vec<T> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect()
}

#[test]
fn random_values_match_python_json_dumps_in_every_style() {
    let values = sample(arb_json(), 300, 11);
    let styles = [
        ("default", JsonStyle::PYTHON_DEFAULT),
        ("compact", JsonStyle::COMPACT),
        ("flask", JsonStyle::FLASK),
    ];
    let mut reqs = Vec::new();
    for v in &values {
        for (name, _) in styles {
            reqs.push(j!({"op": "pydumps", "style": name, "value": enc(v)}));
        }
    }
    let Some(answers) = oracle("flask_json_oracle.py", &reqs) else {
        return;
    };
    let mut answers = answers.into_iter();
    for v in &values {
        for (name, style) in styles {
            let py = answers
                .next()
                .and_then(|a| a.get("ok").and_then(J::as_str).map(str::to_owned));
            assert_eq!(
                Some(pyjson::to_string(v, style).expect("ser")),
                py,
                "{name} style of {v}"
            );
        }
    }
}

#[test]
fn random_f64_bit_patterns_match_python_repr() {
    let mut floats = sample(any::<u64>().prop_map(f64::from_bits), 3000, 5);
    floats.extend(sample(-1e20..1e20f64, 1000, 6));
    floats.extend((-330..=310).map(|e| 10f64.powi(e)));
    floats.extend((-330..=310).map(|e| 1.5 * 10f64.powi(e)));
    let reqs: Vec<J> = floats
        .chunks(500)
        .map(|c| j!({"op": "pydumps", "style": "compact", "value": c.iter().map(|x| j!({"float": format!("{x:e}")})).collect::<Vec<_>>()}))
        .collect();
    let Some(answers) = oracle("flask_json_oracle.py", &reqs) else {
        return;
    };
    for (chunk, ans) in floats.chunks(500).zip(answers) {
        let ours = format!(
            "[{}]",
            chunk.iter().map(|x| f(*x)).collect::<Vec<_>>().join(",")
        );
        assert_eq!(Some(ours.as_str()), ans.get("ok").and_then(J::as_str));
    }
}

#[test]
fn wide_integers_stream_but_fail_in_sort_keys_styles_as_documented() {
    assert_eq!(
        pyjson::to_string(&[u128::MAX], JsonStyle::COMPACT).expect("ser"),
        format!("[{}]", u128::MAX)
    );
    assert!(pyjson::to_string(&[u128::MAX], JsonStyle::FLASK).is_err());
}
