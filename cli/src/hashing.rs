//! The digest of an evidence file: plain BLAKE3 of its bytes, equal to `b3sum`.
//!
//! Evidence files can be disk images of hundreds of gigabytes, so the file is
//! never read into memory whole. A regular file is memory-mapped and hashed a
//! large chunk at a time with BLAKE3's multi-threaded (rayon) tree hashing; a
//! progress bar moves between chunks. Empty files, pipes and files that cannot
//! be mapped are streamed through a buffer instead. Both paths give the same
//! digest, which is the one the ledger's `hash::file_digest` computes.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use memmap2::Mmap;
use xianjie_ledger::Hash;

/// Bytes hashed per `update_rayon` call on a mapped file. Large enough that
/// the threads stay busy, small enough that the progress bar moves.
pub const CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// Files at least this large get a progress bar (when one is wanted at all).
pub const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

/// Below this size mapping costs more than reading (the same cut-off as
/// `blake3::Hasher::update_mmap_rayon`).
const MAP_MIN_BYTES: u64 = 16 * 1024;

/// Buffer of the streaming path; big enough for `update_rayon` to split.
const READ_BUFFER_BYTES: usize = 1024 * 1024;

/// The digest and size of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDigest {
    /// Plain BLAKE3 of the bytes.
    pub digest: Hash,
    /// Bytes hashed.
    pub size: u64,
}

/// Whether to draw a progress bar while hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Never (benchmarks, `--json`, tests).
    Hidden,
    /// For large files, when stderr is a terminal.
    OnTerminal,
}

/// Hashes a file with the default chunk size.
pub fn hash_file(path: &Path, progress: Progress) -> io::Result<FileDigest> {
    let file = File::open(path)?;
    let length = file.metadata()?.len();
    let bar = progress_bar(progress, length);
    let result = hash_open_file(file, CHUNK_BYTES, &mut |done| bar.set_position(done));
    bar.finish_and_clear();
    result
}

/// Hashes a file, mapping it if possible, in chunks of `chunk_bytes`;
/// `on_progress` receives the number of bytes hashed so far.
pub fn hash_path_in_chunks(
    path: &Path,
    chunk_bytes: usize,
    on_progress: &mut dyn FnMut(u64),
) -> io::Result<FileDigest> {
    hash_open_file(File::open(path)?, chunk_bytes, on_progress)
}

fn hash_open_file(
    file: File,
    chunk_bytes: usize,
    on_progress: &mut dyn FnMut(u64),
) -> io::Result<FileDigest> {
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.len() >= MAP_MIN_BYTES {
        if let Some(map) = map_file(&file) {
            return Ok(hash_bytes_in_chunks(&map, chunk_bytes, on_progress));
        }
    }
    hash_stream(file, on_progress)
}

/// Hashes bytes already in memory (a mapping) chunk by chunk.
pub fn hash_bytes_in_chunks(
    bytes: &[u8],
    chunk_bytes: usize,
    on_progress: &mut dyn FnMut(u64),
) -> FileDigest {
    let mut hasher = blake3::Hasher::new();
    let mut done = 0u64;
    for chunk in bytes.chunks(chunk_bytes.max(1)) {
        hasher.update_rayon(chunk);
        done += chunk.len() as u64;
        on_progress(done);
    }
    FileDigest {
        digest: Hash(*hasher.finalize().as_bytes()),
        size: bytes.len() as u64,
    }
}

/// Hashes a stream through a fixed buffer (pipes, empty or unmappable files).
pub fn hash_stream(
    mut reader: impl Read,
    on_progress: &mut dyn FnMut(u64),
) -> io::Result<FileDigest> {
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; READ_BUFFER_BYTES];
    let mut done = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update_rayon(&buffer[..read]);
        done += read as u64;
        on_progress(done);
    }
    Ok(FileDigest {
        digest: Hash(*hasher.finalize().as_bytes()),
        size: done,
    })
}

/// Maps a regular file read-only, or `None` if the system refuses (the
/// caller then streams it).
#[allow(unsafe_code)]
fn map_file(file: &File) -> Option<Mmap> {
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes change if another
    // process writes or truncates the file while it is mapped. The map is
    // read-only and only lives while this file is hashed. A concurrent writer
    // makes the digest describe no single version of the file (or truncation
    // raises SIGBUS); b3sum and `blake3::Hasher::update_mmap_rayon` accept the
    // same contract, and `evidence verify` of the finished file would expose it.
    let map = unsafe { Mmap::map(file) }.ok()?;
    // Evidence on a cold disk is read once front to back: ask for readahead.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// A progress bar on stderr for large files on a terminal, else a hidden one.
fn progress_bar(progress: Progress, length: u64) -> ProgressBar {
    let wanted = progress == Progress::OnTerminal
        && length >= PROGRESS_MIN_BYTES
        && io::stderr().is_terminal();
    if !wanted {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "hashing [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn pattern(length: usize) -> Vec<u8> {
        // Not all one byte value, so a chunk-ordering bug changes the digest.
        (0..length).map(|i| (i * 31 + i / 251) as u8).collect()
    }

    fn temp_file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file.flush().unwrap();
        file
    }

    fn hash_with_chunks(bytes: &[u8], chunk_bytes: usize) -> (FileDigest, Vec<u64>) {
        let file = temp_file_with(bytes);
        let mut seen = Vec::new();
        let digest =
            hash_path_in_chunks(file.path(), chunk_bytes, &mut |done| seen.push(done)).unwrap();
        (digest, seen)
    }

    #[test]
    fn empty_file_is_blake3_of_nothing() {
        let (digest, _) = hash_with_chunks(b"", 4096);
        assert_eq!(digest.digest.0, *blake3::hash(b"").as_bytes());
        assert_eq!(digest.size, 0);
        assert_eq!(
            digest.digest.to_hex(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn small_file_takes_the_streaming_path_and_matches() {
        let bytes = pattern(1000);
        let (digest, seen) = hash_with_chunks(&bytes, 4096);
        assert_eq!(digest.digest.0, *blake3::hash(&bytes).as_bytes());
        assert_eq!(digest.size, 1000);
        assert_eq!(seen.last(), Some(&1000));
    }

    #[test]
    fn multi_chunk_mapped_file_matches_and_reports_each_chunk() {
        // 3.5 chunks of 64 KiB plus a ragged tail, above the mapping threshold.
        let bytes = pattern(64 * 1024 * 3 + 32 * 1024 + 17);
        let (digest, seen) = hash_with_chunks(&bytes, 64 * 1024);
        assert_eq!(digest.digest.0, *blake3::hash(&bytes).as_bytes());
        assert_eq!(digest.size, bytes.len() as u64);
        assert_eq!(seen, vec![65_536, 131_072, 196_608, bytes.len() as u64]);
    }

    #[test]
    fn chunk_size_does_not_change_the_digest() {
        let bytes = pattern(300_001);
        let expected = *blake3::hash(&bytes).as_bytes();
        for chunk_bytes in [1, 1024, 1025, 65_536, 300_001, CHUNK_BYTES] {
            let digest = hash_bytes_in_chunks(&bytes, chunk_bytes, &mut |_| {});
            assert_eq!(digest.digest.0, expected, "chunk size {chunk_bytes}");
        }
    }

    #[test]
    fn streams_match_the_mapped_path() {
        let bytes = pattern(2 * READ_BUFFER_BYTES + 5);
        let mut seen = Vec::new();
        let digest = hash_stream(io::Cursor::new(&bytes), &mut |done| seen.push(done)).unwrap();
        assert_eq!(digest.digest.0, *blake3::hash(&bytes).as_bytes());
        assert_eq!(digest.size, bytes.len() as u64);
        assert!(seen.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn public_entry_point_and_ledger_agree() {
        let bytes = pattern(100_000);
        let file = temp_file_with(&bytes);
        let digest = hash_file(file.path(), Progress::Hidden).unwrap();
        assert_eq!(digest.digest, xianjie_ledger::hash::file_digest(&bytes));
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(hash_file(Path::new("/nonexistent/evidence.bin"), Progress::Hidden).is_err());
    }
}
