//! Engine behaviour without Python: determinism across threads, exact counts, sources, errors.

use proptest::prelude::*;
use std::io::{BufReader, Read};
use waxseal_crack::{
    builtin_candidates, builtin_source, crack, crack_list, encode_signature, sign, Chained,
    CrackError, CrackOptions, Digest, IterSource, KeyDerivation, Progress, Scheme, SignedToken,
    Target, TargetOutcome, WordlistFormat, WordlistReader,
};

fn token(scheme: &Scheme, secret: &[u8], message: &str) -> String {
    format!(
        "{message}.{}",
        encode_signature(&sign(scheme, secret, message.as_bytes()))
    )
}

fn options(threads: usize, chunk_size: usize) -> CrackOptions {
    CrackOptions {
        threads,
        chunk_size,
    }
}

#[test]
fn superset_default_key_is_found_by_the_builtin_list() {
    let superset = b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h";
    let cookie = token(
        &Scheme::flask_session(),
        superset,
        "eyJfdXNlcl9pZCI6MX0.ZKhJkA",
    );
    let target = Target::flask_session(&cookie).unwrap();
    let report = crack(
        &[target],
        builtin_source(),
        &options(2, 3),
        &Progress::new(),
    )
    .unwrap();
    let found = report.outcomes[0].found().unwrap();
    assert_eq!(found.secret, superset);
    let position = builtin_candidates()
        .iter()
        .position(|k| k == superset)
        .unwrap();
    assert_eq!(found.attempts, position as u64 + 1);
}

#[test]
fn chained_sources_number_candidates_continuously() {
    let cookie = token(
        &Scheme::flask_session(),
        b"from-the-wordlist",
        "eyJhIjoxfQ.ZKhJkA",
    );
    let target = Target::flask_session(&cookie).unwrap();
    let source = Chained::new(
        builtin_source(),
        IterSource::new(["x", "from-the-wordlist"]),
    );
    let report = crack(&[target], source, &options(1, 4), &Progress::new()).unwrap();
    assert_eq!(report.attempts(), builtin_candidates().len() as u64 + 2);
}

#[test]
fn candidates_longer_than_a_block_are_hashed_first_like_hmac() {
    for len in [63usize, 64, 65, 200] {
        let secret = vec![b'k'; len];
        for derivation in KeyDerivation::ALL {
            let scheme = Scheme::new(&b"cookie-session"[..], derivation, Digest::Sha1);
            let target = Target::new(
                SignedToken::parse(&token(&scheme, &secret, "payload.ts"), b'.').unwrap(),
                vec![scheme.clone()],
            )
            .unwrap();
            let list = vec![vec![b'k'; len - 1], secret.clone()];
            let report = crack_list(&[target], &list, &options(1, 1)).unwrap();
            assert_eq!(report.outcomes[0].attempts(), 2, "len {len} {derivation}");
        }
    }
}

#[test]
fn signed_part_longer_than_119_bytes_still_cracks() {
    let message = format!("{}.ZKhJkA", "e".repeat(500));
    let target = Target::flask_session(&token(&Scheme::flask_session(), b"k", &message)).unwrap();
    let report = crack_list(&[target], &["a", "k"], &options(1, 8)).unwrap();
    assert_eq!(report.outcomes[0].attempts(), 2);
}

#[test]
fn earliest_duplicate_wins_even_when_a_later_chunk_finishes_first() {
    let cookie = token(&Scheme::flask_session(), b"dup", "eyJhIjoxfQ.ZKhJkA");
    let target = Target::flask_session(&cookie).unwrap();
    let mut list: Vec<Vec<u8>> = (0..20_000).map(|i| format!("c{i}").into_bytes()).collect();
    list[19_000] = b"dup".to_vec();
    list[5] = b"dup".to_vec();
    for (threads, chunk) in [(1, 1), (2, 1), (4, 3), (2, 10_000)] {
        let report = crack_list(
            std::slice::from_ref(&target),
            &list,
            &options(threads, chunk),
        )
        .unwrap();
        assert_eq!(
            report.outcomes[0].found().unwrap().index,
            5,
            "threads {threads} chunk {chunk}"
        );
    }
}

#[test]
fn lower_numbered_scheme_wins_when_two_schemes_match_the_same_candidate() {
    // With `none` derivation the salt is ignored, so both schemes verify the same key.
    let first = Scheme::new(&b"salt-a"[..], KeyDerivation::None, Digest::Sha1);
    let second = Scheme::new(&b"salt-b"[..], KeyDerivation::None, Digest::Sha1);
    let tok = SignedToken::parse(&token(&first, b"key", "m"), b'.').unwrap();
    let target = Target::new(tok, vec![second.clone(), first.clone()]).unwrap();
    let report = crack_list(&[target], &["key"], &options(1, 1)).unwrap();
    assert_eq!(report.outcomes[0].found().unwrap().scheme, second);
}

#[test]
fn cancelled_search_reports_cancelled_and_stops() {
    let target = Target::flask_session(&token(&Scheme::flask_session(), b"never", "m.t")).unwrap();
    let progress = Progress::new();
    progress.cancel();
    let list: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let report = crack(
        &[target],
        IterSource::new(list.iter()),
        &options(2, 10),
        &progress,
    )
    .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.outcomes[0], TargetOutcome::NotFound { attempts: 0 });
}

#[test]
fn progress_counts_every_candidate_of_a_full_scan() {
    let target = Target::flask_session(&token(&Scheme::flask_session(), b"never", "m.t")).unwrap();
    let progress = Progress::new();
    let list: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    crack(
        &[target],
        IterSource::new(list.iter()),
        &options(2, 7),
        &progress,
    )
    .unwrap();
    assert_eq!(progress.candidates_tried(), 1000);
    assert_eq!(progress.targets_found(), 0);
}

struct FailingReader;
impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("disk on fire"))
    }
}

#[test]
fn read_errors_are_returned_not_panicked() {
    let target = Target::flask_session(&token(&Scheme::flask_session(), b"k", "m.t")).unwrap();
    let reader = WordlistReader::new(BufReader::new(FailingReader), WordlistFormat::Plain);
    let result = crack(&[target], reader, &options(2, 10), &Progress::new());
    assert!(matches!(result, Err(CrackError::Io(message)) if message.contains("disk on fire")));
}

#[test]
fn no_targets_is_an_error() {
    let result = crack_list::<&str>(&[], &[], &CrackOptions::default());
    assert_eq!(result, Err(CrackError::NoTarget));
}

#[test]
fn plain_wordlist_line_number_is_the_attempt_count() {
    let target =
        Target::flask_session(&token(&Scheme::flask_session(), b"line four", "m.t")).unwrap();
    let text = b"one\r\n\n\xff\xfe binary\nline four\r\nfive\n";
    let reader = WordlistReader::new(&text[..], WordlistFormat::Auto);
    let report = crack(&[target], reader, &options(2, 1), &Progress::new()).unwrap();
    assert_eq!(report.outcomes[0].attempts(), 4);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// One thread and two threads (with random chunk sizes) agree on every outcome.
    #[test]
    fn one_and_two_threads_give_identical_reports(
        positions in proptest::collection::vec(0usize..300, 1..4),
        chunk in 1usize..50,
        digest in proptest::sample::select(Digest::ALL.to_vec()),
        derivation in proptest::sample::select(KeyDerivation::ALL.to_vec()),
    ) {
        let mut list: Vec<Vec<u8>> = (0..300).map(|i| format!("w{i}").into_bytes()).collect();
        let scheme = Scheme::new(&b"salt"[..], derivation, digest);
        let targets: Vec<Target> = positions.iter().enumerate().map(|(t, &p)| {
            let secret = format!("secret-{t}").into_bytes();
            list[p] = secret.clone();
            Target::new(SignedToken::parse(&token(&scheme, &secret, &format!("msg{t}")), b'.').unwrap(), vec![scheme.clone()]).unwrap()
        }).collect();
        let one = crack_list(&targets, &list, &options(1, chunk)).unwrap();
        let two = crack_list(&targets, &list, &options(2, chunk)).unwrap();
        prop_assert_eq!(&one, &two);
        for (t, outcome) in one.outcomes.iter().enumerate() {
            // A later target may have overwritten an earlier one's position.
            let expected = list.iter().position(|c| *c == format!("secret-{t}").into_bytes());
            prop_assert_eq!(outcome.found().map(|f| f.index as usize), expected);
        }
    }
}
