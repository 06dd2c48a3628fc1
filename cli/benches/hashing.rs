//! Compares the CLI's file hashing with plain BLAKE3 on one large temporary file.
//!
//! `cargo bench -p xianjie-cli --bench hashing`; `XIANJIE_BENCH_MB` sets the
//! file size (default 400). Each side is timed three times, interleaved so
//! that drift on a shared machine hits both alike, and the best run counts.
//! The goal is a ratio of at least 0.9: the progress bar and chunking must
//! not cost real throughput.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use xianjie_cli::hashing::{hash_file, Progress};

const DEFAULT_MEGABYTES: u64 = 400;
const RUNS: usize = 3;

fn main() {
    let megabytes = std::env::var("XIANJIE_BENCH_MB")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_MEGABYTES);
    let file = write_test_file(megabytes);
    let path = file.path();

    // One untimed pass each, so both start with the file in the page cache.
    let reference_digest = plain_blake3(path);
    let cli_digest = cli_hash(path);
    assert_eq!(
        reference_digest, cli_digest,
        "the CLI's digest differs from plain BLAKE3"
    );

    let (mut best_reference, mut best_cli) = (Duration::MAX, Duration::MAX);
    for _ in 0..RUNS {
        best_reference = best_reference.min(time(|| plain_blake3(path)));
        best_cli = best_cli.min(time(|| cli_hash(path)));
    }
    let bytes = megabytes * 1_000_000;
    let reference_rate = megabytes_per_second(bytes, best_reference);
    let cli_rate = megabytes_per_second(bytes, best_cli);
    println!(
        "file: {megabytes} MB, {} threads, best of {RUNS}",
        rayon::current_num_threads()
    );
    println!("plain blake3 (update_mmap_rayon): {reference_rate:8.0} MB/s");
    println!("xianjie-cli hashing::hash_file:   {cli_rate:8.0} MB/s");
    println!(
        "ratio cli/plain: {:.2} (goal >= 0.90)",
        cli_rate / reference_rate
    );
}

fn plain_blake3(path: &Path) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap_rayon(path).expect("hash temp file");
    *hasher.finalize().as_bytes()
}

fn cli_hash(path: &Path) -> [u8; 32] {
    hash_file(path, Progress::Hidden)
        .expect("hash temp file")
        .digest
        .0
}

fn time(mut run: impl FnMut() -> [u8; 32]) -> Duration {
    let start = Instant::now();
    std::hint::black_box(run());
    start.elapsed()
}

fn megabytes_per_second(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
}

/// A file of pseudo-random bytes (not zeros, so no file system can compress it away).
fn write_test_file(megabytes: u64) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("create temp file");
    let mut block = vec![0u8; 1_000_000];
    let mut output = blake3::Hasher::new()
        .update(b"xianjie bench")
        .finalize_xof();
    for _ in 0..megabytes {
        output.fill(&mut block);
        file.write_all(&block).expect("write temp file");
    }
    file.flush().expect("flush temp file");
    file
}
