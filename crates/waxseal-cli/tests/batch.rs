//! Batches on stdin: one answer per line in order (also on several threads), numbered human
//! output, `--full`, empty stdin.

mod common;
use common::*;
use predicates::prelude::*;

fn mixed_lines(n: usize) -> (String, Vec<bool>) {
    let mut input = String::new();
    let mut valid = Vec::new();
    for i in 0..n {
        let line = match i % 5 {
            0 => flask(OLD_KEY, &format!(r#"{{"n":{i}}}"#)),
            1 => String::new(),
            2 => "x".repeat(i % 7),
            _ => flask(KEY, &format!(r#"{{"n":{i}}}"#)),
        };
        valid.push(i % 5 >= 3);
        input.push_str(&line);
        input.push('\n');
    }
    (input, valid)
}

#[test]
fn threads_keep_the_input_order_and_give_the_same_output() {
    let (input, valid) = mixed_lines(3000);
    let run = |threads: &str| {
        waxseal()
            .args(["verify", "--json", "--now", "1700000100", "--secret", KEY])
            .args(["--threads", threads, "-"])
            .write_stdin(input.clone())
            .output()
            .unwrap()
    };
    let one = run("1");
    let four = run("4");
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(four.status.code(), Some(1));
    assert_eq!(stdout(&one), stdout(&four));
    let v = json_lines(&four);
    let got: Vec<bool> = v.iter().map(|o| o["valid"] == true).collect();
    assert_eq!(got, valid);
    for (i, o) in v.iter().enumerate() {
        if valid[i] {
            assert_eq!(o["payload"]["n"], i, "line {i}");
        }
    }
}

#[test]
fn threaded_batches_still_stream_answers_before_stdin_closes() {
    use std::io::{BufRead, BufReader, Write};
    let bin = assert_cmd::cargo::cargo_bin("waxseal");
    let mut child = std::process::Command::new(bin)
        .args(["verify", "--json", "--threads", "3", "--secret", KEY])
        .args(["--now", "1700000100", "-"])
        .env_remove("FLASK_SECRET_KEY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    for n in 0..3 {
        writeln!(stdin, "{}", flask(KEY, &format!(r#"{{"n":{n}}}"#))).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert!(
            line.contains(&format!(r#""payload":{{"n":{n}}}"#)),
            "{line}"
        );
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn empty_stdin_prints_nothing_and_exits_0_for_every_command() {
    for args in [
        &["verify", "--secret", KEY, "-"][..],
        &["verify", "--json", "--secret", KEY, "-"],
        &["decode", "-"],
        &["decode", "--json", "-"],
        &["explain", "-"],
        &["explain", "--secret", KEY, "-"],
    ] {
        waxseal()
            .args(args)
            .write_stdin("")
            .assert()
            .code(0)
            .stdout(predicate::str::is_empty());
    }
}

#[test]
fn human_batch_output_numbers_its_answers_like_crack() {
    let good = flask(KEY, r#"{"n":1}"#);
    waxseal()
        .args(["verify", "--now", "1700000100", "--secret", KEY, "-"])
        .write_stdin(format!("{good}\ngarbage\n{good}\n"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("token 1: VALID"))
        .stdout(predicate::str::contains("token 2: INVALID (malformed)"))
        .stdout(predicate::str::contains("token 3: VALID"));
    // A single token is not numbered.
    waxseal()
        .args(["verify", "--now", "1700000100", "--secret", KEY, &good])
        .assert()
        .success()
        .stdout(predicate::str::contains("token 1").not());
}

#[test]
fn full_prints_long_payloads_untruncated() {
    let long = "y".repeat(1000);
    let token = flask(KEY, &format!(r#"{{"text":"{long}"}}"#));
    for cmd in ["verify", "explain"] {
        waxseal()
            .args([cmd, "--now", "1700000100", "--secret", KEY, &token])
            .assert()
            .success()
            .stdout(predicate::str::contains(long.as_str()).not());
        waxseal()
            .args([
                cmd,
                "--full",
                "--now",
                "1700000100",
                "--secret",
                KEY,
                &token,
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains(long.as_str()));
    }
    waxseal()
        .args(["decode", "--full", &token])
        .assert()
        .success()
        .stdout(predicate::str::contains(long.as_str()));
}

#[test]
fn terminal_controls_in_a_payload_are_shown_escaped_in_human_output() {
    let token = flask(KEY, "{\"a\":\"\\u001b[2K\\u009b1A\\u007f\"}");
    for cmd in [
        &["verify", "--secret", KEY][..],
        &["decode"],
        &["explain", "--secret", KEY],
    ] {
        let out = waxseal()
            .args(cmd)
            .args(
                ["--now", "1700000100"]
                    .iter()
                    .filter(|_| cmd[0] != "decode"),
            )
            .arg(&token)
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(!text.contains('\u{1b}'), "{cmd:?}: {text}");
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{7f}'),
            "{cmd:?}"
        );
        assert!(
            text.contains(r"\x1b[2K") || text.contains(r"\u001b[2K"),
            "{cmd:?}: {text}"
        );
    }
}
