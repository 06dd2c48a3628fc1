//! The evidence vault: evidence files off chain, content-addressed by BLAKE3,
//! on the node of the agency that holds them.
//!
//! Layout under `HOME/vault/`:
//!
//! ```text
//! vault/<first two hex digits>/<64 hex digits>   a file whose plain BLAKE3 is its name
//! vault/tmp/upload-<random>                      an upload being received
//! vault/tmp/<64 hex digits>.part                 a transfer from another node, resumable
//! ```
//!
//! A file reaches its final name only by a rename after its bytes were
//! hashed and synced, so a name always promises its content (and
//! `xianjie-node verify-db` re-checks that promise). Identical content is
//! stored once. The node's own transfers ([`transfer`]) fetch a transferred
//! case's evidence from the holder's node over libp2p.

pub mod transfer;

/// The vault's directory under a node's home.
pub const VAULT_DIR: &str = "vault";

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xianjie_ledger::Hash;

use crate::error::{Error, Result};

/// Largest file the vault accepts by default: 8 GiB holds a day of
/// body-camera video or a full disk image of a phone, the largest evidence
/// agencies routinely anchor.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024 * 1024;
/// Free disk the vault leaves untouched by default, so that evidence never
/// fills the disk the ledger itself writes to.
pub const DEFAULT_MIN_FREE_BYTES: u64 = 1024 * 1024 * 1024;
/// Slowest average rate an upload may keep by default over any period of
/// `api.request_timeout`: far below any working link, so only a client that
/// trickles bytes to hold the node's writer is cut off.
pub const DEFAULT_MIN_UPLOAD_BYTES_PER_SEC: u64 = 1024;
/// How often (in bytes received) a long upload re-checks free disk space.
const SPACE_CHECK_INTERVAL: u64 = 64 * 1024 * 1024;

/// The vault's configurable bounds (`[vault]` in `config.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Free bytes that must remain on the vault's file system.
    pub min_free_bytes: u64,
    /// Slowest average upload rate kept up, in bytes per second (0: none).
    pub min_upload_bytes_per_sec: u64,
}

impl Default for VaultLimits {
    fn default() -> Self {
        VaultLimits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            min_free_bytes: DEFAULT_MIN_FREE_BYTES,
            min_upload_bytes_per_sec: DEFAULT_MIN_UPLOAD_BYTES_PER_SEC,
        }
    }
}

/// The vault directory of one node.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
    limits: VaultLimits,
}

/// A file as the vault stored it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// Plain BLAKE3 of the content.
    pub digest: Hash,
    /// Its length in bytes.
    pub size: u64,
    /// False when identical content was already in the vault.
    pub newly_stored: bool,
}

impl Vault {
    /// Opens (creating if needed) the vault under `root`, and removes uploads
    /// a previous run left unfinished (their clients got no answer and will
    /// send again). Partial transfers are kept: they resume.
    pub fn open(root: impl Into<PathBuf>, limits: VaultLimits) -> Result<Vault> {
        let vault = Vault {
            root: root.into(),
            limits,
        };
        let tmp = vault.tmp_dir();
        create_private_dir(&tmp)?;
        for entry in fs::read_dir(&tmp).map_err(Error::io("listing", &tmp))? {
            let path = entry.map_err(Error::io("listing", &tmp))?.path();
            let is_upload = path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("upload-"));
            if is_upload {
                fs::remove_file(&path).map_err(Error::io("removing", &path))?;
            }
        }
        Ok(vault)
    }

    /// The vault directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The configured bounds.
    pub fn limits(&self) -> VaultLimits {
        self.limits
    }

    /// Where the file with `digest` lives (whether or not it is there).
    pub fn path_of(&self, digest: &Hash) -> PathBuf {
        let hex = digest.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    /// The size of the stored file with `digest`, if the vault has it.
    pub fn size_of(&self, digest: &Hash) -> Option<u64> {
        fs::metadata(self.path_of(digest))
            .ok()
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
    }

    /// Opens the stored file with `digest` for reading.
    pub fn open_file(&self, digest: &Hash) -> Result<Option<File>> {
        let path = self.path_of(digest);
        match File::open(&path) {
            Ok(file) => Ok(Some(file)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(Error::io("opening", path)(error)),
        }
    }

    /// Up to `max_len` bytes of the stored file from `offset`, with the
    /// file's total length; `None` if the vault does not have it.
    pub fn read_chunk(
        &self,
        digest: &Hash,
        offset: u64,
        max_len: usize,
    ) -> Result<Option<(u64, Vec<u8>)>> {
        let path = self.path_of(digest);
        let Some(mut file) = self.open_file(digest)? else {
            return Ok(None);
        };
        let total = file.metadata().map_err(Error::io("reading", &path))?.len();
        let start = offset.min(total);
        file.seek(SeekFrom::Start(start))
            .map_err(Error::io("reading", &path))?;
        let len = usize::try_from(total - start)
            .unwrap_or(usize::MAX)
            .min(max_len);
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes)
            .map_err(Error::io("reading", &path))?;
        Ok(Some((total, bytes)))
    }

    /// Starts receiving a file of `expected_len` bytes if known; refuses at
    /// once when it is over the size limit or the disk is too full.
    pub fn begin_upload(&self, expected_len: Option<u64>) -> Result<Incoming> {
        if let Some(len) = expected_len {
            self.check_size(len)?;
            self.check_space(len)?;
        }
        let path = self
            .tmp_dir()
            .join(format!("upload-{:016x}", rand::random::<u64>()));
        Incoming::create(self.clone(), path, 0)
    }

    /// Resumes (or starts) the transfer of `digest` from another node: the
    /// bytes already received survive restarts in `tmp/<hex>.part`.
    pub fn resume_transfer(&self, digest: &Hash) -> Result<Incoming> {
        let path = self.tmp_dir().join(format!("{}.part", digest.to_hex()));
        let received = fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
        Incoming::create(self.clone(), path, received)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn check_size(&self, len: u64) -> Result<()> {
        if len > self.limits.max_file_bytes {
            return Err(Error::VaultFileTooLarge {
                limit: self.limits.max_file_bytes,
            });
        }
        Ok(())
    }

    fn check_space(&self, needed: u64) -> Result<()> {
        let available = crate::disk::free_bytes(&self.root)?;
        if available.saturating_sub(needed) < self.limits.min_free_bytes {
            return Err(Error::VaultDiskFull {
                available,
                needed,
                reserve: self.limits.min_free_bytes,
            });
        }
        Ok(())
    }
}

/// A file being received (an upload or a transfer), hashed as it arrives.
/// Dropped unfinished, an upload is deleted; a transfer's part is kept.
#[derive(Debug)]
pub struct Incoming {
    vault: Vault,
    path: PathBuf,
    file: Option<File>,
    hasher: blake3::Hasher,
    written: u64,
    since_space_check: u64,
}

impl Incoming {
    fn create(vault: Vault, path: PathBuf, already: u64) -> Result<Incoming> {
        let mut options = OpenOptions::new();
        options.create(true).read(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, crate::file_modes::PRIVATE_FILE_MODE);
        let mut file = options.open(&path).map_err(Error::io("creating", &path))?;
        // A resumed transfer hashes the bytes it already has once, here.
        let mut hasher = blake3::Hasher::new();
        if already > 0 {
            hasher
                .update_reader(&mut file)
                .map_err(Error::io("hashing", &path))?;
        }
        Ok(Incoming {
            vault,
            path,
            file: Some(file),
            hasher,
            written: already,
            since_space_check: 0,
        })
    }

    /// Bytes received so far (including those of earlier attempts).
    pub fn received(&self) -> u64 {
        self.written
    }

    /// Appends `bytes`, enforcing the size limit and, every 64 MiB, the
    /// free-space reserve.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let len = bytes.len() as u64;
        self.vault.check_size(self.written + len)?;
        self.since_space_check += len;
        if self.since_space_check >= SPACE_CHECK_INTERVAL {
            self.since_space_check = 0;
            self.vault.check_space(SPACE_CHECK_INTERVAL)?;
        }
        let file = self
            .file
            .as_mut()
            .expect("an unfinished incoming file is open");
        file.write_all(bytes)
            .map_err(Error::io("writing", &self.path))?;
        self.hasher.update(bytes);
        self.written += len;
        Ok(())
    }

    /// Syncs the bytes and moves them under their digest,
    /// unless identical content is already stored. When `expected` is given
    /// and the content differs, nothing is kept and the digest found is
    /// returned as the error value.
    pub fn finish(self, expected: Option<&Hash>) -> Result<std::result::Result<Stored, Hash>> {
        let mut sealed = self.seal()?;
        if expected.is_some_and(|expected| *expected != sealed.digest) {
            sealed.discard();
            return Ok(Err(sealed.digest));
        }
        sealed.store().map(Ok)
    }

    /// Syncs the bytes and learns their digest, leaving them in `tmp/`: the
    /// caller decides with [`Sealed::store`] whether they go under their
    /// digest. Until then no stored file is created, so an upload refused
    /// after this never has anything under its name to remove (and so never
    /// removes a file an accepted upload or transfer of the same content
    /// stored meanwhile).
    pub fn seal(mut self) -> Result<Sealed> {
        let file = self
            .file
            .as_ref()
            .expect("an unfinished incoming file is open");
        // On failure `self` drops with its file open, which deletes an upload.
        file.sync_all().map_err(Error::io("syncing", &self.path))?;
        self.file = None;
        Ok(Sealed {
            vault: self.vault.clone(),
            path: std::mem::take(&mut self.path),
            digest: Hash(*self.hasher.finalize().as_bytes()),
            size: self.written,
            settled: false,
        })
    }

    /// Deletes what was received (a transfer that failed its digest check
    /// starts over).
    pub fn discard(&mut self) {
        self.file = None;
        remove_received(&self.path);
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if self.file.is_some() && is_upload(&self.path) {
            self.discard();
        }
    }
}

/// A received file, synced and hashed, still in `tmp/` ([`Incoming::seal`]).
/// Dropped without [`Sealed::store`], an upload is deleted; a transfer's part
/// is kept.
#[derive(Debug)]
pub struct Sealed {
    vault: Vault,
    path: PathBuf,
    digest: Hash,
    size: u64,
    /// Stored under its digest or discarded: nothing for drop to delete.
    settled: bool,
}

impl Sealed {
    /// Plain BLAKE3 of the content.
    pub fn digest(&self) -> Hash {
        self.digest
    }

    /// Moves the file under its digest, unless identical content is already
    /// stored. If this fails, an upload's temporary file is deleted (on drop).
    pub fn store(mut self) -> Result<Stored> {
        let target = self.vault.path_of(&self.digest);
        let newly_stored = !target.is_file();
        if newly_stored {
            let dir = target.parent().expect("vault paths have a parent");
            create_private_dir(dir)?;
            fs::rename(&self.path, &target).map_err(Error::io("storing", &target))?;
            self.settled = true;
        } else {
            self.discard();
        }
        Ok(Stored {
            digest: self.digest,
            size: self.size,
            newly_stored,
        })
    }

    fn discard(&mut self) {
        self.settled = true;
        remove_received(&self.path);
    }
}

impl Drop for Sealed {
    fn drop(&mut self) {
        if !self.settled && is_upload(&self.path) {
            self.discard();
        }
    }
}

/// Whether `path` is an upload's temporary file (rather than a transfer's
/// resumable part).
/// Creates `dir` and its missing parents, readable by the node's user only:
/// other local users must not list or open evidence the policies refuse them.
fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, crate::file_modes::PRIVATE_DIR_MODE);
    builder.create(dir).map_err(Error::io("creating", dir))
}

fn is_upload(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("upload-"))
}

/// Deletes a received file that is not kept.
fn remove_received(path: &Path) {
    if let Err(error) = fs::remove_file(path) {
        if error.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), %error, "could not remove a discarded vault file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(dir: &Path, limits: VaultLimits) -> Vault {
        Vault::open(dir.join("vault"), limits).unwrap()
    }

    fn no_reserve() -> VaultLimits {
        VaultLimits {
            max_file_bytes: 1024,
            min_free_bytes: 0,
            ..VaultLimits::default()
        }
    }

    #[test]
    fn content_is_stored_once_under_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        let mut first = vault.begin_upload(Some(11)).unwrap();
        first.write(b"hello ").unwrap();
        first.write(b"vault").unwrap();
        let stored = first.finish(None).unwrap().unwrap();
        let digest = Hash(*blake3::hash(b"hello vault").as_bytes());
        assert_eq!(
            stored,
            Stored {
                digest,
                size: 11,
                newly_stored: true
            }
        );
        assert_eq!(fs::read(vault.path_of(&digest)).unwrap(), b"hello vault");

        let mut again = vault.begin_upload(None).unwrap();
        again.write(b"hello vault").unwrap();
        assert!(!again.finish(None).unwrap().unwrap().newly_stored);
        assert_eq!(fs::read_dir(vault.tmp_dir()).unwrap().count(), 0);
        assert_eq!(
            vault.read_chunk(&digest, 6, 100).unwrap(),
            Some((11, b"vault".to_vec()))
        );
    }

    #[cfg(unix)]
    #[test]
    fn stored_files_and_their_folders_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        let mut upload = vault.begin_upload(None).unwrap();
        upload.write(b"seized ledger").unwrap();
        let stored = upload.finish(None).unwrap().unwrap();
        let path = vault.path_of(&stored.digest);
        assert_eq!(mode(&path), 0o600, "an evidence file");
        assert_eq!(mode(path.parent().unwrap()), 0o700, "its prefix folder");
        assert_eq!(mode(vault.root()), 0o700, "the vault");
        assert_eq!(mode(&vault.tmp_dir()), 0o700, "partial uploads");
    }

    #[test]
    fn oversized_uploads_are_refused_and_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        assert!(matches!(
            vault.begin_upload(Some(2000)),
            Err(Error::VaultFileTooLarge { limit: 1024 })
        ));
        let mut upload = vault.begin_upload(None).unwrap();
        upload.write(&[7; 1000]).unwrap();
        assert!(matches!(
            upload.write(&[7; 100]),
            Err(Error::VaultFileTooLarge { .. })
        ));
        drop(upload);
        assert_eq!(fs::read_dir(vault.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_reserve_larger_than_the_disk_refuses_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(
            dir.path(),
            VaultLimits {
                max_file_bytes: 1024,
                min_free_bytes: u64::MAX,
                ..VaultLimits::default()
            },
        );
        assert!(matches!(
            vault.begin_upload(Some(1)),
            Err(Error::VaultDiskFull { .. })
        ));
    }

    #[test]
    fn an_upload_that_cannot_be_stored_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        let digest = Hash(*blake3::hash(b"blocked").as_bytes());
        // A file where the digest's directory should be: creating it fails.
        let blocker = vault.path_of(&digest).parent().unwrap().to_owned();
        fs::write(&blocker, b"not a directory").unwrap();
        let mut upload = vault.begin_upload(None).unwrap();
        upload.write(b"blocked").unwrap();
        assert!(matches!(upload.finish(None), Err(Error::Io { .. })));
        assert_eq!(fs::read_dir(vault.tmp_dir()).unwrap().count(), 0);
        assert_eq!(vault.size_of(&digest), None);
    }

    #[test]
    fn a_sealed_upload_is_stored_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        let mut upload = vault.begin_upload(None).unwrap();
        upload.write(b"sealed").unwrap();
        let sealed = upload.seal().unwrap();
        let digest = sealed.digest();
        assert_eq!(vault.size_of(&digest), None);
        drop(sealed);
        assert_eq!(fs::read_dir(vault.tmp_dir()).unwrap().count(), 0);
        assert_eq!(vault.size_of(&digest), None);

        let mut upload = vault.begin_upload(None).unwrap();
        upload.write(b"sealed").unwrap();
        let stored = upload.seal().unwrap().store().unwrap();
        assert!(stored.newly_stored);
        assert_eq!(vault.size_of(&digest), Some(6));
        assert_eq!(fs::read_dir(vault.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_transfer_resumes_and_a_wrong_digest_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(dir.path(), no_reserve());
        let digest = Hash(*blake3::hash(b"0123456789").as_bytes());
        let mut part = vault.resume_transfer(&digest).unwrap();
        part.write(b"01234").unwrap();
        drop(part);
        let mut resumed = vault.resume_transfer(&digest).unwrap();
        assert_eq!(resumed.received(), 5);
        resumed.write(b"56789").unwrap();
        assert!(resumed.finish(Some(&digest)).unwrap().is_ok());
        assert!(vault.size_of(&digest) == Some(10));

        let other = Hash(*blake3::hash(b"other").as_bytes());
        let mut wrong = vault.resume_transfer(&other).unwrap();
        wrong.write(b"not other").unwrap();
        assert!(wrong.finish(Some(&other)).unwrap().is_err());
        assert_eq!(vault.size_of(&other), None);
        assert_eq!(vault.resume_transfer(&other).unwrap().received(), 0);
    }
}
