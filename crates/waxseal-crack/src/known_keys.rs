//! The built-in candidate list: the publicly known Flask keys that `waxseal::secret` also
//! refuses in its strength check — one list, kept in the core crate, so a key `crack` can find is
//! always a key `waxseal key check` rejects.
/// The built-in list of publicly known Flask keys, in the order they are tried.
///
/// ```
/// let keys = waxseal_crack::builtin_candidates();
/// assert!(keys.contains(&&b"dev"[..]));
/// assert!(keys.contains(&&b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h"[..]));
/// ```
pub fn builtin_candidates() -> Vec<&'static [u8]> {
    let mut seen = std::collections::HashSet::new();
    waxseal::secret::known_keys()
        .map(|(key, _source)| key)
        .filter(|k| seen.insert(*k))
        .collect()
}
