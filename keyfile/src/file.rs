//! Key files on disk: private modes, creation that never overwrites, and
//! rewrites that leave either the old file or the new one, never half.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The mode of every key file this crate writes.
pub const KEY_FILE_MODE: u32 = 0o600;

/// Refuses a file that users other than its owner could read or write
/// (any of the mode bits 0o077), with the `chmod 600` advice.
#[cfg(unix)]
pub fn refuse_if_readable_by_others(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = fs::metadata(path).map_err(Error::io("reading the mode of", path))?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::ReadableByOthers {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

/// No permission bits to check on this platform.
#[cfg(not(unix))]
pub fn refuse_if_readable_by_others(_path: &Path) -> Result<()> {
    Ok(())
}

/// The text of the key file `path`, once its mode is known to be private.
pub fn read_private_text(path: &Path) -> Result<String> {
    refuse_if_readable_by_others(path)?;
    fs::read_to_string(path).map_err(Error::io("reading", path))
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, KEY_FILE_MODE);
    options
}

/// Writes `text` to the new file `path` (mode 0600) and syncs it and its
/// directory; an existing file is never replaced.
pub fn create_new(path: &Path, text: &str) -> Result<()> {
    let mut file = private_options()
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => Error::AlreadyExists {
                path: path.to_owned(),
            },
            _ => Error::Io {
                action: "creating",
                path: path.to_owned(),
                source: error,
            },
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(Error::io("writing", path))?;
    sync_directory_of(path)
}

/// Replaces the existing key file `path` with `text`: a temporary file in
/// the same directory (mode 0600) is written and synced, then renamed over
/// `path`, and the directory synced. A crash leaves the old file or the new
/// one; an error leaves the old one and removes the temporary file.
pub fn replace(path: &Path, text: &str) -> Result<()> {
    let temporary = temporary_path(path);
    // Created exclusively: an existing one was left by an interrupted
    // rewrite (the key file itself is then intact) or is being written by
    // another one; either way it is not ours to remove.
    let mut file = private_options()
        .open(&temporary)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => Error::StaleTemporary {
                path: temporary.clone(),
                key_file: path.to_owned(),
            },
            _ => Error::Io {
                action: "creating",
                path: temporary.clone(),
                source: error,
            },
        })?;
    let written = (|| {
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(Error::io("writing", &temporary))?;
        fs::rename(&temporary, path).map_err(Error::io("renaming", &temporary))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    sync_directory_of(path)
}

/// `DIR/.NAME.partial`: beside the file, so the rename stays in one file system.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Syncs the directory holding `path`, so a created or renamed entry survives a crash.
fn sync_directory_of(path: &Path) -> Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    fs::File::open(directory)
        .and_then(|dir| dir.sync_all())
        .map_err(Error::io("syncing", directory))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_and_replaced_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.key");
        create_new(&path, "one").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert!(matches!(
            create_new(&path, "two"),
            Err(Error::AlreadyExists { .. })
        ));
        replace(&path, "three").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "three");
        assert_eq!(mode(&path), 0o600);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_leftover_temporary_file_stops_a_rewrite_and_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.key");
        create_new(&path, "old").unwrap();
        fs::write(dir.path().join(".a.key.partial"), "half").unwrap();
        let error = replace(&path, "new").unwrap_err();
        assert!(error.to_string().contains("remove"), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(
            fs::read_to_string(dir.path().join(".a.key.partial")).unwrap(),
            "half"
        );
    }

    #[test]
    fn a_file_others_can_read_is_refused_with_the_chmod_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.key");
        create_new(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let error = read_private_text(&path).unwrap_err();
        assert!(error.to_string().contains("chmod 600"), "{error}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(read_private_text(&path).unwrap(), "x");
    }
}
