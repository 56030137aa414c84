//! An empty key is refused by `verify`, `explain` and `sign` (the library refuses it at
//! construction; Flask gives no session without a key), with a message that says so.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn an_empty_secret_is_a_usage_error_naming_the_empty_key() {
    let token = flask(KEY, r#"{"a":1}"#);
    for command in [
        vec!["verify", "--secret", "", token.as_str()],
        vec!["explain", "--secret", "", token.as_str()],
        vec!["sign", "--secret", "", "--allow-weak-key", "{}"],
    ] {
        waxseal()
            .args(&command)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("the secret key is empty"));
    }
}
