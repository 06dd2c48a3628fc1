//! Committed blocks with their commit certificates, as `xianjie-node backup`
//! reads them from a running node (`GET /v1/admin/chain`) and as a backup
//! file carries them: each block and its certificate in the ledger's
//! canonical encoding, each behind its length (u32 big-endian).
//!
//! A committed block never changes, so blocks read in several requests
//! while the node goes on committing still make one consistent chain up to
//! the height the backup chose; the state at that height is rebuilt from
//! them by replay when the backup is restored.
//!
//! Blocks carry transaction bodies, which the public API never shows, so
//! the route answers only a caller that proves it can read the node's home:
//! the `x-xianjie-admin` header must carry [`admin_token`], derived from the
//! node's own key file (readable by its owner only).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use xianjie_ledger::block::{Block, Commit};
use xianjie_ledger::codec::{decode, encode};

use crate::error::{Error, Result};

/// The header that carries the token.
pub const ADMIN_TOKEN_HEADER: &str = "x-xianjie-admin";

/// The most blocks one request answers; the caller asks again from the next.
pub const MAX_BLOCKS_PER_REQUEST: u64 = 256;

/// Once an answer holds this many bytes it takes no further block (it
/// always holds one): the node builds an answer in memory, and blocks may
/// be large.
pub const MAX_BYTES_PER_REQUEST: usize = 16 * 1024 * 1024;

/// A frame larger than this is damage, not a block (a block is bounded far
/// below it by the chain's limits).
const MAX_FRAME_BYTES: u32 = 256 * 1024 * 1024;

/// The node's key file in `home`: a network node's `keys/node.key`, or a
/// dev node's `keys/validator.key`.
pub fn node_key_file(home: &Path) -> Option<PathBuf> {
    let keys = home.join("keys");
    [keys.join("node.key"), keys.join("validator.key")]
        .into_iter()
        .find(|path| path.is_file())
}

/// The admin token of the node at `home`: a BLAKE3 key derived from its key
/// file's bytes, hex. It reveals nothing of the key.
pub fn admin_token(home: &Path) -> Result<String> {
    let path = node_key_file(home).ok_or_else(|| Error::NotAHome {
        home: home.to_owned(),
        reason: "it has no keys/node.key or keys/validator.key".to_owned(),
    })?;
    let bytes = std::fs::read(&path).map_err(Error::io("reading", &path))?;
    Ok(blake3::derive_key("xianjie-node admin token v1", &bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Whether `offered` is the token of the node at `home`, compared in
/// constant time.
pub fn token_matches(home: &Path, offered: &str) -> bool {
    let Ok(expected) = admin_token(home) else {
        return false;
    };
    let expected = blake3::hash(expected.as_bytes());
    expected == blake3::hash(offered.as_bytes())
}

/// Writes one block and its certificate.
pub fn write_frame(out: &mut impl Write, block: &Block, commit: &Commit) -> io::Result<()> {
    for bytes in [encode(block), encode(commit)] {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "block too large"))?;
        out.write_all(&len.to_be_bytes())?;
        out.write_all(&bytes)?;
    }
    Ok(())
}

/// Reads one block and its certificate, or `None` at a clean end.
pub fn read_frame(input: &mut impl Read) -> io::Result<Option<(Block, Commit)>> {
    let Some(block) = read_part(input, true)? else {
        return Ok(None);
    };
    let commit = read_part(input, false)?.ok_or_else(|| invalid("a block without certificate"))?;
    let block: Block = decode(&block).map_err(|e| invalid(format!("block: {e}")))?;
    let commit: Commit = decode(&commit).map_err(|e| invalid(format!("certificate: {e}")))?;
    Ok(Some((block, commit)))
}

fn read_part(input: &mut impl Read, end_allowed: bool) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(error) if end_allowed && error.kind() == io::ErrorKind::UnexpectedEof => {
            return Ok(None)
        }
        Err(error) => return Err(error),
    }
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME_BYTES {
        return Err(invalid(format!("a frame of {len} bytes")));
    }
    let mut bytes = vec![0u8; len as usize];
    input.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

fn invalid(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_key_files_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        assert!(admin_token(dir.path()).is_err());
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/node.key"), b"secret one").unwrap();
        let token = admin_token(dir.path()).unwrap();
        assert_eq!(token.len(), 64);
        assert!(!token.contains("secret"));
        assert!(token_matches(dir.path(), &token));
        assert!(!token_matches(dir.path(), &token[1..]));
        std::fs::write(dir.path().join("keys/node.key"), b"secret two").unwrap();
        assert!(!token_matches(dir.path(), &token));
    }
}
