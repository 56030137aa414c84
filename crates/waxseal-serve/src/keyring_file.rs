//! The demo's keyring file: created once with a fresh random key, reused on every later start.
//!
//! This is the advice Flask's docs give for `SECRET_KEY`: a key that stays constant and is never
//! generated at start-up, or every restart logs every user out. The file lives in the user's data
//! directory (`directories`), is written owner-only by [`Keyring::save`], and is created with
//! "create if absent" semantics (a hard link of a fully written temporary file), so two servers
//! started at once end up with the same key instead of each overwriting the other's.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use waxseal::secret::{KeyPolicy, Keyring, KeyringError, KeyringWarning};

/// The default keyring path: `<data dir>/waxseal/serve-keyring.json` (on Linux
/// `~/.local/share/waxseal/serve-keyring.json`), or `None` when the system names no home.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "waxseal")
        .map(|d| d.data_dir().join("serve-keyring.json"))
}

/// What [`load_or_create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The file existed and was loaded.
    Loaded,
    /// The file did not exist; a new key was generated and saved.
    Created,
}

/// Loads the keyring at `path`, or creates it with one fresh 32-byte key when it does not exist.
///
/// Weak keys in an existing file are refused ([`KeyPolicy::RefuseWeak`]). Warnings (a file
/// readable by others) are returned for the caller to log.
pub fn load_or_create(path: &Path) -> Result<(Keyring, Origin, Vec<KeyringWarning>), KeyringError> {
    match Keyring::load(path, KeyPolicy::RefuseWeak) {
        Ok((ring, warnings)) => return Ok((ring, Origin::Loaded, warnings)),
        Err(KeyringError::Io { .. }) if !path.exists() => {}
        Err(e) => return Err(e),
    }
    let io_err = |e: io::Error| KeyringError::Io {
        path: path.to_path_buf(),
        source: e.into(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(io_err)?;
    }
    let ring = Keyring::generate()?;
    // Write a complete file under a temporary name, then link it into place only if nothing is
    // there yet: a concurrent first start keeps whichever key landed first, and both use it.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_extension(format!("new-{}-{unique}", std::process::id()));
    // An error names the keyring the user asked for, not this temporary name.
    ring.save(&tmp).map_err(|e| match e {
        KeyringError::Write { step, source, .. } => KeyringError::Write {
            path: path.to_path_buf(),
            step,
            source,
        },
        e => e,
    })?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok((ring, Origin::Created, Vec::new())),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let (ring, warnings) = Keyring::load(path, KeyPolicy::RefuseWeak)?;
            Ok((ring, Origin::Loaded, warnings))
        }
        Err(e) => Err(io_err(e)),
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_default_keyring_lives_in_the_users_data_directory() {
        // What the README says: ~/.local/share/waxseal/serve-keyring.json on Linux (or under
        // $XDG_DATA_HOME when that is set).
        let path = default_path().expect("a home directory");
        assert!(
            path.ends_with("waxseal/serve-keyring.json"),
            "{}",
            path.display()
        );
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
        if let Some(base) = base {
            assert!(path.starts_with(base), "{}", path.display());
        }
    }

    #[test]
    fn created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/keys.json");
        let (first, origin, _) = load_or_create(&path).unwrap();
        assert_eq!(origin, Origin::Created);
        let (second, origin, warnings) = load_or_create(&path).unwrap();
        assert_eq!(origin, Origin::Loaded);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        let rings: Vec<Keyring> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| load_or_create(&path).unwrap().0))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let on_disk = Keyring::load(&path, KeyPolicy::RefuseWeak).unwrap().0;
        assert!(rings.iter().all(|r| *r == on_disk));
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        std::fs::write(&path, "not json").unwrap();
        assert!(load_or_create(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
    }
}
