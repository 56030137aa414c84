//! Replacing a key file atomically without ever exposing its keys: the one writer behind
//! [`Keyring::save`](super::Keyring::save), used by the library, `waxseal key` and
//! `waxseal serve` alike.
//!
//! * A symlink is followed to the file it names, so rotating a linked keyring changes that file
//!   and keeps the link (a deployment often links `current -> keys-2026.json`).
//! * The new contents go to a temporary file beside that target, created owner-only by `open`
//!   itself (never readable by others, not even for an instant), under a random name that an
//!   attacker who can write the directory cannot pre-create; it is synced, then renamed over the
//!   target, so readers see the old file or the new one, never a torn write.
//! * An existing file keeps its owner, group and mode: a 0640 file shared with an app's group
//!   stays readable by that group. A new file is 0600.
//! * Errors name the path the caller gave (and, for a link, its target), never the temporary file:
//!   a name the user never typed would only confuse.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::key::KeyGenError;
use super::keyring::KeyringError;

/// Symlinks followed before giving up, as the kernel's `ELOOP` limit does.
const MAX_SYMLINK_HOPS: usize = 40;

/// Writes `contents` to `path` as described in the module doc.
pub(crate) fn replace(path: &Path, contents: &[u8]) -> Result<(), KeyringError> {
    let fail = |step: &'static str, e: std::io::Error| KeyringError::Write {
        path: path.to_path_buf(),
        step,
        source: e.into(),
    };
    let target = resolve_symlinks(path).map_err(|e| fail("cannot follow the symlink", e))?;
    let name = target.file_name().ok_or_else(|| {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path has no file name",
        );
        fail("cannot name a file there", e)
    })?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let existing = std::fs::metadata(&target).ok();

    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| KeyGenError::Random(e.to_string()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", crate::hex::encode(&suffix)));
    let tmp = dir.join(tmp_name);

    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts
        .open(&tmp)
        .map_err(|e| fail("cannot create a file in its directory", e))?;
    let written = (|| {
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(|e| fail("writing failed", e))?;
        #[cfg(unix)]
        if let Some(meta) = &existing {
            keep_owner_and_mode(&file, &tmp, meta).map_err(|(step, e)| fail(step, e))?;
        }
        #[cfg(not(unix))]
        let _ = &existing;
        std::fs::rename(&tmp, &target).map_err(|e| fail("cannot replace the file", e))
    })();
    drop(file);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // Persist the rename itself; failure here is not fatal (the data is already in place).
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives the temporary file the replaced file's owner, group and mode.
#[cfg(unix)]
fn keep_owner_and_mode(
    file: &File,
    tmp: &Path,
    old: &std::fs::Metadata,
) -> Result<(), (&'static str, std::io::Error)> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // Owner and group first: changing them may clear set-id bits that chmod then sets.
    let mine = file.metadata().map_err(|e| ("stat failed", e))?;
    if (mine.uid(), mine.gid()) != (old.uid(), old.gid()) {
        std::os::unix::fs::chown(tmp, Some(old.uid()), Some(old.gid()))
            .map_err(|e| ("cannot keep the file's owner and group", e))?;
    }
    let mode = old.permissions().mode() & 0o7777;
    std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(mode))
        .map_err(|e| ("cannot keep the file's mode", e))
}

/// The file `path` names at the end of its chain of symlinks (`path` itself if it is none).
fn resolve_symlinks(path: &Path) -> std::io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        replace(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(names(dir.path()), ["k.json"]);
    }

    #[test]
    fn an_existing_file_keeps_its_mode_and_a_link_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real_dir = dir.path().join("real");
        std::fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("keys.json");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("current");
        std::os::unix::fs::symlink("real/keys.json", &link).unwrap();
        let link2 = dir.path().join("current2");
        std::os::unix::fs::symlink(&link, &link2).unwrap();

        replace(&link2, b"new").unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o640);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink());
        // The temporary file was written beside the target and is gone.
        assert_eq!(names(&real_dir), ["keys.json"]);
    }

    #[test]
    fn errors_name_the_given_path_never_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-dir").join("keys.json");
        let err = replace(&p, b"x").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("missing-dir/keys.json"), "{text}");
        assert!(!text.contains(".keys.json."), "{text}");
        assert!(matches!(err, KeyringError::Write { .. }));
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn a_symlink_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let err = replace(&a, b"x").unwrap_err().to_string();
        assert!(err.contains("symbolic links"), "{err}");
    }
}
