//! Who may read a node's files: the node's own user, and nobody else.
//!
//! A home holds the store (`data/`), the evidence vault (`vault/`) and secret
//! keys (`keys/`). The on-chain policies decide which organisation may read a
//! record or an evidence file; a file another local user can open would let
//! that user read what the policies refuse. So every directory the node
//! writes is 0700 and every file 0600:
//!
//! - [`restrict_new_files`] sets the process umask to 0077 before the node
//!   creates anything, so files written by libraries (sled's segments and
//!   snapshots, the consensus WAL) are private too;
//! - [`secure_home`] runs at every start: it tightens the home, its
//!   directories and the files the node keeps directly in them, and returns
//!   what was looser so the caller can warn (an operator who copied a home
//!   with `cp -r` or restored it from a backup should hear about it).
//!
//! One file is refused rather than tightened: a network node's
//! `keys/node.key`, read before `secure_home` runs
//! (`network_node::read_node_key`). A key other users could read may have
//! been copied; whether to tighten it or replace the key is the operator's
//! call. The dev node's demo keys are tightened like the rest.
//!
//! Vault files are not walked one by one at start (a vault may hold millions):
//! a 0700 vault directory already keeps other users from reaching them, and
//! new vault files are created 0600.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Mode of every directory the node writes.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of every file the node writes.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Directories of a home whose files (one level down) are tightened at start.
const PRIVATE_SUBDIRS: [&str; 4] = ["data", "keys", "vault", "wal"];

/// A path that was more open than the node allows, and has been tightened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loosened {
    /// The file or directory.
    pub path: PathBuf,
    /// Its permission bits before (e.g. 0o644).
    pub was: u32,
    /// Its permission bits now.
    pub now: u32,
}

/// Makes every file and directory this process creates from now on private
/// to its user (umask 0077). Call it first thing in the binary.
#[cfg(unix)]
pub fn restrict_new_files() {
    use nix::sys::stat::{umask, Mode};
    umask(Mode::from_bits_truncate(0o077));
}

/// No file modes to restrict on this platform.
#[cfg(not(unix))]
pub fn restrict_new_files() {}

/// Tightens `home`, its directories `data/`, `keys/`, `vault/`, `wal/` and
/// what they directly contain (files to 0600, directories to 0700), and the
/// files directly in `home`. Returns every path that was looser. Missing
/// directories (and a missing home) are skipped: a first start creates them.
pub fn secure_home(home: &Path) -> Result<Vec<Loosened>> {
    let mut loosened = Vec::new();
    if !home.exists() {
        return Ok(loosened);
    }
    tighten(home, &mut loosened)?;
    for entry in list(home)? {
        if entry.is_file() {
            tighten(&entry, &mut loosened)?;
        }
    }
    for name in PRIVATE_SUBDIRS {
        let dir = home.join(name);
        if !dir.is_dir() {
            continue;
        }
        tighten(&dir, &mut loosened)?;
        for entry in list(&dir)? {
            tighten(&entry, &mut loosened)?;
        }
    }
    Ok(loosened)
}

/// Logs one warning per path [`secure_home`] tightened.
pub fn warn_loosened(loosened: &[Loosened]) {
    for path in loosened {
        tracing::warn!(
            path = %path.path.display(),
            was = %format!("{:04o}", path.was),
            now = %format!("{:04o}", path.now),
            "file mode was looser than the node allows (other local users could read it); tightened"
        );
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(Error::io("listing", dir))? {
        paths.push(entry.map_err(Error::io("listing", dir))?.path());
    }
    paths.sort();
    Ok(paths)
}

#[cfg(unix)]
fn tighten(path: &Path, loosened: &mut Vec<Loosened>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    // symlink_metadata: a link is not followed out of the home.
    let metadata = fs::symlink_metadata(path).map_err(Error::io("reading the mode of", path))?;
    let wanted = if metadata.is_dir() {
        PRIVATE_DIR_MODE
    } else if metadata.is_file() {
        PRIVATE_FILE_MODE
    } else {
        return Ok(());
    };
    let was = metadata.permissions().mode() & 0o777;
    if was & 0o077 == 0 {
        return Ok(());
    }
    let now = was & wanted;
    fs::set_permissions(path, fs::Permissions::from_mode(now))
        .map_err(Error::io("restricting", path))?;
    loosened.push(Loosened {
        path: path.to_owned(),
        was,
        now,
    });
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _loosened: &mut Vec<Loosened>) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn loose_paths_are_tightened_and_reported() {
        let home = tempfile::tempdir().unwrap();
        let root = home.path();
        fs::create_dir_all(root.join("data")).unwrap();
        fs::create_dir_all(root.join("vault/ab")).unwrap();
        fs::write(root.join("data/db"), b"x").unwrap();
        fs::write(root.join("genesis.json"), b"{}").unwrap();
        set_mode(root, 0o755);
        set_mode(&root.join("data"), 0o755);
        set_mode(&root.join("data/db"), 0o644);
        set_mode(&root.join("vault"), 0o711);
        set_mode(&root.join("vault/ab"), 0o775);
        set_mode(&root.join("genesis.json"), 0o600);

        let loosened = secure_home(root).unwrap();

        let named: Vec<_> = loosened
            .iter()
            .map(|l| (l.path.strip_prefix(root).unwrap().to_owned(), l.was, l.now))
            .collect();
        assert_eq!(
            named,
            vec![
                (PathBuf::new(), 0o755, 0o700),
                (PathBuf::from("data"), 0o755, 0o700),
                (PathBuf::from("data/db"), 0o644, 0o600),
                (PathBuf::from("vault"), 0o711, 0o700),
                (PathBuf::from("vault/ab"), 0o775, 0o700),
            ]
        );
        assert_eq!(mode(root), 0o700);
        assert_eq!(mode(&root.join("data/db")), 0o600);
        assert_eq!(mode(&root.join("vault/ab")), 0o700);
        assert!(
            secure_home(root).unwrap().is_empty(),
            "a second pass finds nothing"
        );
    }

    #[test]
    fn stricter_modes_are_left_alone() {
        let home = tempfile::tempdir().unwrap();
        let root = home.path();
        fs::write(root.join("node.key"), b"k").unwrap();
        set_mode(root, 0o500);
        set_mode(&root.join("node.key"), 0o400);
        set_mode(root, 0o700);
        assert!(secure_home(root).unwrap().is_empty());
        assert_eq!(mode(&root.join("node.key")), 0o400);
    }
}
