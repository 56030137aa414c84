//! Masks and rules checked against hashcat's documented behaviour (`hashcat --help` for the mask
//! charsets, the wiki's rule_based_attack table for the rules: input `p@ssW0rd` unless noted),
//! and both run through the engine with exact attempt counts.

use std::collections::HashSet;
use waxseal_crack::{
    crack, encode_signature, expand_custom_charsets, parse_rules, sign, CandidateChunk,
    CandidateSource, Combinator, CrackOptions, IndexedSource, IterSource, Keyspace, Mask, Progress,
    Rule, RuleSource, Scheme, Target,
};

fn all(mask: &Mask) -> Vec<Vec<u8>> {
    let mut out = CandidateChunk::new();
    mask.generate(0, mask.size(), &mut out);
    out.iter().map(<[u8]>::to_vec).collect()
}

fn charset(placeholder: &str) -> Vec<u8> {
    let mask = Mask::parse(placeholder, &[]).unwrap();
    all(&mask).into_iter().flatten().collect()
}

#[test]
fn built_in_charsets_are_hashcats() {
    let table: &[(&str, &[u8])] = &[
        ("?l", b"abcdefghijklmnopqrstuvwxyz"),
        ("?u", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("?d", b"0123456789"),
        ("?h", b"0123456789abcdef"),
        ("?H", b"0123456789ABCDEF"),
        ("?s", b" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
        ("??", b"?"),
    ];
    for (placeholder, chars) in table {
        assert_eq!(charset(placeholder), chars.to_vec(), "{placeholder}");
    }
    // ?a = ?l?u?d?s: the 95 printable ASCII characters.
    let a = charset("?a");
    assert_eq!(a.len(), 95);
    assert_eq!(
        a.iter().copied().collect::<HashSet<u8>>(),
        (0x20..=0x7e).collect()
    );
    // ?b = 0x00 - 0xff.
    assert_eq!(charset("?b"), (0..=255).collect::<Vec<u8>>());
}

#[test]
fn keyspaces_of_the_issue_masks() {
    let table: &[(&str, u64)] = &[
        ("?h?h?h?h", 65_536),
        ("?u?l?l?l", 456_976),
        ("?l?l?l?d?d?d", 17_576_000),
        ("?b?b", 65_536),
        ("?a?a?a", 857_375),
        ("secret?d?d", 100),
        ("caf\u{e9}", 1), // a literal non-ASCII character is its UTF-8 bytes
    ];
    for (mask, size) in table {
        assert_eq!(Mask::parse(mask, &[]).unwrap().size(), *size, "{mask}");
    }
    assert_eq!(
        all(&Mask::parse("caf\u{e9}", &[]).unwrap())[0],
        "caf\u{e9}".as_bytes()
    );
}

#[test]
fn literals_and_candidates_in_order() {
    let got = all(&Mask::parse("k?d??", &[]).unwrap());
    let want: Vec<Vec<u8>> = (0..10).map(|d| format!("k{d}?").into_bytes()).collect();
    assert_eq!(got, want);
    let got = all(&Mask::parse("?h?h", &[]).unwrap());
    assert_eq!(got.len(), 256);
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), 256);
    assert_eq!(
        (got[0].as_slice(), got[255].as_slice()),
        (&b"00"[..], &b"ff"[..])
    );
}

#[test]
fn custom_charsets_like_hashcat() {
    // -1 ?l?d: 36 characters; -2 ?1 plus literals; duplicates listed once.
    let sets = expand_custom_charsets(&["?l?d", "?1XY", "aab"]).unwrap();
    assert_eq!(sets[0].len(), 36);
    assert_eq!(sets[1].len(), 38);
    assert_eq!(sets[2], b"ab");
    let mask = Mask::parse("?3?2", &sets).unwrap();
    assert_eq!(mask.size(), 2 * 38);
    let sets = expand_custom_charsets(&["ab", "cd"]).unwrap();
    let got: HashSet<Vec<u8>> = all(&Mask::parse("?1?2", &sets).unwrap())
        .into_iter()
        .collect();
    let want: HashSet<Vec<u8>> = ["ac", "ad", "bc", "bd"]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn bad_masks_are_errors() {
    for bad in ["?x", "?1", "abc?", "", "?5"] {
        assert!(Mask::parse(bad, &[]).is_err(), "{bad:?}");
    }
    assert!(Mask::parse(&"?b".repeat(9), &[]).is_err()); // 2^72 candidates
    assert!(expand_custom_charsets(&["?2"]).is_err()); // refers to a later charset
}

#[test]
fn increment_tries_prefixes_shortest_first() {
    let mask = Mask::parse("?d?l?u", &[]).unwrap();
    let sizes: Vec<u64> = mask.increments(1, None).iter().map(Mask::size).collect();
    assert_eq!(sizes, vec![10, 260, 6760]);
    let sizes: Vec<u64> = mask.increments(2, Some(2)).iter().map(Mask::size).collect();
    assert_eq!(sizes, vec![260]);
    let mut source = IndexedSource::new(mask.increments(1, None));
    let mut chunk = CandidateChunk::new();
    while source.fill(&mut chunk, 100).unwrap() > 0 {}
    assert_eq!(chunk.len(), 10 + 260 + 6760);
    assert_eq!(
        (chunk.get(0), chunk.get(10)),
        (Some(&b"0"[..]), Some(&b"0a"[..]))
    );
}

fn rule(text: &str, word: &str) -> Option<Vec<u8>> {
    Rule::parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .apply(word.as_bytes())
}

#[test]
fn rules_match_the_hashcat_wiki_table() {
    let table: &[(&str, &str)] = &[
        (":", "p@ssW0rd"),
        ("l", "p@ssw0rd"),
        ("u", "P@SSW0RD"),
        ("c", "P@ssw0rd"),
        ("C", "p@SSW0RD"),
        ("t", "P@SSw0RD"),
        ("T3", "p@sSW0rd"),
        ("r", "dr0Wss@p"),
        ("d", "p@ssW0rdp@ssW0rd"),
        ("p2", "p@ssW0rdp@ssW0rdp@ssW0rd"),
        ("f", "p@ssW0rddr0Wss@p"),
        ("{", "@ssW0rdp"),
        ("}", "dp@ssW0r"),
        ("$1$2", "p@ssW0rd12"),
        ("^2^1", "12p@ssW0rd"),
        ("[", "@ssW0rd"),
        ("]", "p@ssW0r"),
        ("D3", "p@sW0rd"),
        ("x04", "p@ss"),
        ("O12", "psW0rd"),
        ("i4!", "p@ss!W0rd"),
        ("o3$", "p@s$W0rd"),
        ("'6", "p@ssW0"),
        ("ss$", "p@$$W0rd"),
        ("@s", "p@W0rd"),
        ("z2", "ppp@ssW0rd"),
        ("Z2", "p@ssW0rddd"),
        ("q", "pp@@ssssWW00rrdd"),
        ("k", "@pssW0rd"),
        ("K", "p@ssW0dr"),
        ("*34", "p@sWs0rd"),
        ("R2", "p@9sW0rd"),
        ("+2", "p@tsW0rd"),
        ("-1", "p?ssW0rd"),
        (".1", "psssW0rd"),
        (",1", "ppssW0rd"),
        ("y2", "p@p@ssW0rd"),
        ("Y2", "p@ssW0rdrd"),
    ];
    for (r, want) in table {
        assert_eq!(
            rule(r, "p@ssW0rd").as_deref(),
            Some(want.as_bytes()),
            "rule {r}"
        );
    }
    assert_eq!(rule("L2", "p@ssW0rd").as_deref(), Some(&b"p@\xe6sW0rd"[..]));
    assert_eq!(
        rule("E", "p@ssW0rd w0rld").as_deref(),
        Some(&b"P@ssw0rd W0rld"[..])
    );
    assert_eq!(
        rule("e-", "p@ssW0rd-w0rld").as_deref(),
        Some(&b"P@ssw0rd-W0rld"[..])
    );
}

#[test]
fn rejections_and_out_of_range_positions() {
    // Rejection functions keep or drop the word (length 8 here).
    for (r, kept) in [
        ("<G", true),
        ("<7", false),
        (">8", true),
        (">9", false),
        ("_8", true),
        ("_7", false),
        ("!z", true),
        ("!@", false),
        ("/W", true),
        ("/e", false),
        ("(p", true),
        ("(P", false),
        (")d", true),
        ("=1@", true),
        ("=1x", false),
        ("%2s", true),
        ("%3s", false),
    ] {
        assert_eq!(rule(r, "p@ssW0rd").is_some(), kept, "rule {r}");
    }
    // Positions outside the word leave it unchanged (hashcat's rp_cpu behaviour).
    for r in [
        "T9", "D9", "x24", "O24", "o9x", "'9", "*09", "L9", "+9", ".2", ",0", "y4", "Y4", "i4x",
    ] {
        assert_eq!(rule(r, "abc").as_deref(), Some(&b"abc"[..]), "rule {r}");
    }
    assert_eq!(rule("i3x", "abc").as_deref(), Some(&b"abcx"[..]));
    // Results of 256 bytes or more leave the word unchanged.
    let long = "a".repeat(200);
    assert_eq!(rule("d", &long).as_deref(), Some(long.as_bytes()));
    // Spaces between functions are ignored; memory functions are not supported.
    assert_eq!(rule("c $1 $2", "dev").as_deref(), Some(&b"Dev12"[..]));
    assert!(Rule::parse("M").is_err());
    assert!(Rule::parse("$").is_err());
    assert!(Rule::parse("Ta").is_err());
    let (rules, bad) = parse_rules("# c\n:\n\nu\nX\n");
    assert_eq!((rules.len(), bad.len()), (2, 1));
}

fn flask_cookie(secret: &[u8]) -> Target {
    let msg = "eyJ1c2VyIjoiYWRtaW4ifQ.ZKhJkA";
    let cookie = format!(
        "{msg}.{}",
        encode_signature(&sign(&Scheme::flask_session(), secret, msg.as_bytes()))
    );
    Target::flask_session(&cookie).unwrap()
}

fn options(threads: usize, chunk_size: usize) -> CrackOptions {
    CrackOptions {
        threads,
        chunk_size,
    }
}

#[test]
fn mask_hits_have_exact_positions_at_any_thread_count() {
    let mask = Mask::parse("?u?l?l?l", &[]).unwrap();
    let secret = b"Peng";
    let want = all(&mask).iter().position(|c| c == secret).unwrap() as u64;
    for (threads, chunk) in [(1, 4096), (2, 1000), (3, 7)] {
        let report = crack(
            &[flask_cookie(secret)],
            IndexedSource::new(vec![mask.clone()]),
            &options(threads, chunk),
            &Progress::new(),
        )
        .unwrap();
        let found = report.outcomes[0].found().unwrap();
        assert_eq!((found.secret.as_slice(), found.index), (&secret[..], want));
    }
    // One or two raw bytes (os.urandom(2)). Not ending in 0x00: HMAC pads keys with zero bytes,
    // so b"\x9c\x00" and b"\x9c" are the same key and the shorter one is found first.
    let secret = [0x9c, 0x01];
    let bytes = Mask::parse("?b?b", &[]).unwrap();
    let report = crack(
        &[flask_cookie(&secret)],
        IndexedSource::new(bytes.increments(1, None)),
        &options(2, 4096),
        &Progress::new(),
    )
    .unwrap();
    let found = report.outcomes[0].found().unwrap();
    assert_eq!(found.secret, secret);
    assert_eq!(found.attempts, 256 + 0x9c01 + 1);
}

#[test]
fn rules_over_a_list_find_mangled_keys_at_word_times_rules_positions() {
    let rules: Vec<Rule> = [":", "c $1 $2 $3", "sa@ se3", "u"]
        .iter()
        .map(|r| Rule::parse(r).unwrap())
        .collect();
    let words = ["alpha", "secret", "peanut"];
    for (secret, position) in [
        (&b"Secret123"[..], 4 + 1),
        (b"p3@nut", 8 + 2),
        (b"ALPHA", 3),
    ] {
        for threads in [1, 2] {
            let report = crack(
                &[flask_cookie(secret)],
                RuleSource::new(IterSource::new(words), rules.clone()),
                &options(threads, 1),
                &Progress::new(),
            )
            .unwrap();
            let found = report.outcomes[0].found().unwrap();
            assert_eq!(found.index, position, "{secret:?}");
        }
    }
}

#[test]
fn combinator_finds_two_word_phrases() {
    let words: Vec<Vec<u8>> = ["jelly", "peanut", "butter"]
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .collect();
    let seps = vec![b"".to_vec(), b" ".to_vec(), b"-".to_vec(), b"_".to_vec()];
    let combinator = Combinator::new(words, seps);
    assert_eq!(combinator.size(), 36);
    let report = crack(
        &[flask_cookie(b"peanut butter")],
        IndexedSource::new(vec![combinator]),
        &options(2, 5),
        &Progress::new(),
    )
    .unwrap();
    // peanut (left 1) x " " (separator 1) x butter (right 2): 1*12 + 1*3 + 2.
    assert_eq!(report.outcomes[0].found().unwrap().index, 17);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;
    use waxseal_crack::{detect, detect_kinds, DetectOptions};

    proptest! {
        /// Any rule text parses or fails cleanly; a parsed rule mangles any word without
        /// panicking and never grows it to 256 bytes or more (hashcat's buffer).
        #[test]
        fn rules(text in "[ -~]{0,12}", word in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(rule) = Rule::parse(&text) {
                if let Some(out) = rule.apply(&word) {
                    prop_assert!(out.len() < 256 || out.len() <= word.len());
                }
            }
        }

        /// Any mask text parses or fails cleanly; a parsed mask generates any range exactly.
        #[test]
        fn masks(text in "[?a-zA-Z0-9!]{0,8}", start in any::<u64>(), count in 0u64..50) {
            let sets = expand_custom_charsets(&["xy", "?d"]).unwrap();
            if let Ok(mask) = Mask::parse(&text, &sets) {
                let size = mask.size();
                let start = start % size;
                let count = count.min(size - start);
                let mut out = CandidateChunk::new();
                mask.generate(start, count, &mut out);
                prop_assert_eq!(out.len() as u64, count);
                prop_assert!(out.iter().all(|c| c.len() == mask.len()));
            }
        }

        /// Format detection never panics on arbitrary tokens.
        #[test]
        fn detection(token in "[ -~]{0,80}") {
            let _ = detect_kinds(&token);
            let _ = detect(&token, &DetectOptions { all_formats: true, guess_salts: true, digest: None });
        }
    }
}

#[test]
fn rules_over_a_python_wordlist_decode_then_mangle_in_the_workers() {
    use waxseal_crack::{WordlistFormat, WordlistReader};
    let text = b"'alpha'\n'\\ud800'\n'se\\x63ret'\n";
    let rules: Vec<Rule> = [":", "c $1"]
        .iter()
        .map(|r| Rule::parse(r).unwrap())
        .collect();
    for threads in [1, 2] {
        let reader = WordlistReader::new(&text[..], WordlistFormat::Python);
        let report = crack(
            &[flask_cookie(b"Secret1")],
            RuleSource::new(reader, rules.clone()),
            &options(threads, 1),
            &Progress::new(),
        )
        .unwrap();
        // Line 3 (index 2, the surrogate line keeps its place) x 2 rules + rule 1.
        assert_eq!(report.outcomes[0].found().unwrap().index, 2 * 2 + 1);
    }
}
