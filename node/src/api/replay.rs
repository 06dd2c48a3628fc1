//! Single-use signed reads: the node remembers every signed read (and
//! sign-in) it accepted until the read goes stale, and refuses the same read
//! again with 401 `replayed_read`.
//!
//! A signature binds chain, method, path and time, but not the connection:
//! whoever sees a request (a proxy's log, a shared terminal, a captured
//! packet) could otherwise send it again, as often as they like, while its
//! time is fresh. Freshness bounds how long a read must be remembered: an
//! entry is forgotten once its time is more than the past bound
//! (`read_max_skew`, five minutes) behind the node's clock, because from then
//! on freshness refuses the read anyway.
//!
//! A read is identified by the officer's key and the digest it signed
//! (chain, method, path and query, time), not by the signature bytes: a
//! second encoding of the same signature, were the scheme ever to allow one,
//! is still the same read.
//!
//! The memory is bounded ([`DEFAULT_REPLAY_CAPACITY`] entries). When it is
//! full of live entries, new signed reads are refused with 503
//! `signed_reads_busy` until the oldest go stale: forgetting a live entry
//! instead would let its read be replayed. Only reads by registered, active
//! officers are remembered (the check runs after the officer's), so a key
//! made up by anyone cannot fill it. Reads by session token are not signed
//! reads and take no room here.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use xianjie_ledger::crypto::PublicKey;
use xianjie_ledger::Hash;

/// How many accepted signed reads a node remembers at most: about 660 signed
/// reads a second sustained over the five-minute window, in some 15 MiB.
pub const DEFAULT_REPLAY_CAPACITY: usize = 200_000;

/// `(fresh until, fingerprint)`: ordered by when the entry may be forgotten.
type Entry = (u64, [u8; 32]);

/// Why a signed read is not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayRefusal {
    /// This read was accepted before.
    Replayed,
    /// The memory is full of reads that are still fresh.
    Full {
        /// The bound.
        capacity: usize,
        /// How long until the oldest entry goes stale, in milliseconds.
        retry_after_ms: u64,
    },
}

/// The accepted signed reads that are still fresh. Time is an input: every
/// method takes the caller's clock.
#[derive(Debug)]
pub struct ReplayGuard {
    seen: Mutex<BTreeSet<Entry>>,
    capacity: usize,
}

/// What identifies a read: the key and the digest it signed.
pub fn fingerprint(key: &PublicKey, read_digest: &Hash) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&key.0);
    hasher.update(&read_digest.0);
    *hasher.finalize().as_bytes()
}

impl ReplayGuard {
    /// An empty memory of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        ReplayGuard {
            seen: Mutex::new(BTreeSet::new()),
            capacity,
        }
    }

    fn seen(&self) -> MutexGuard<'_, BTreeSet<Entry>> {
        // Every change is one insert or removal, so a poisoned set is whole.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits the read `fingerprint`, fresh until `fresh_until_ms`, at
    /// `now_ms`: remembered from now on, or refused if it was admitted
    /// before or the memory is full.
    pub fn admit(
        &self,
        fingerprint: [u8; 32],
        fresh_until_ms: u64,
        now_ms: u64,
    ) -> Result<(), ReplayRefusal> {
        let mut seen = self.seen();
        while seen.first().is_some_and(|(until, _)| *until < now_ms) {
            seen.pop_first();
        }
        let entry = (fresh_until_ms, fingerprint);
        if seen.contains(&entry) {
            return Err(ReplayRefusal::Replayed);
        }
        if seen.len() >= self.capacity {
            let oldest = seen.first().map_or(now_ms, |(until, _)| *until);
            return Err(ReplayRefusal::Full {
                capacity: self.capacity,
                retry_after_ms: oldest.saturating_sub(now_ms).saturating_add(1),
            });
        }
        seen.insert(entry);
        Ok(())
    }

    /// How many reads are remembered (fresh or not yet forgotten).
    pub fn len(&self) -> usize {
        self.seen().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        ReplayGuard::new(DEFAULT_REPLAY_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;
    const WINDOW: u64 = 300_000;

    fn read(n: u8) -> [u8; 32] {
        [n; 32]
    }

    #[test]
    fn a_read_is_admitted_once_while_it_is_fresh() {
        let guard = ReplayGuard::new(10);
        guard.admit(read(1), NOW + WINDOW, NOW).unwrap();
        assert_eq!(
            guard.admit(read(1), NOW + WINDOW, NOW + 1),
            Err(ReplayRefusal::Replayed)
        );
        // The last fresh instant still remembers it.
        assert_eq!(
            guard.admit(read(1), NOW + WINDOW, NOW + WINDOW),
            Err(ReplayRefusal::Replayed)
        );
        guard.admit(read(2), NOW + WINDOW, NOW + 1).unwrap();
        assert_eq!(guard.len(), 2);
    }

    #[test]
    fn stale_entries_are_forgotten() {
        let guard = ReplayGuard::new(10);
        guard.admit(read(1), NOW + WINDOW, NOW).unwrap();
        guard.admit(read(2), NOW + 2 * WINDOW, NOW).unwrap();
        guard
            .admit(read(3), NOW + 2 * WINDOW, NOW + WINDOW + 1)
            .unwrap();
        assert_eq!(guard.len(), 2, "the first read went stale and was dropped");
    }

    #[test]
    fn a_full_memory_refuses_rather_than_forgetting_live_reads() {
        let guard = ReplayGuard::new(2);
        guard.admit(read(1), NOW + WINDOW, NOW).unwrap();
        guard.admit(read(2), NOW + WINDOW + 5, NOW).unwrap();
        assert_eq!(
            guard.admit(read(3), NOW + WINDOW, NOW + 10),
            Err(ReplayRefusal::Full {
                capacity: 2,
                retry_after_ms: WINDOW - 10 + 1,
            })
        );
        // Both live reads are still refused as replays.
        assert_eq!(
            guard.admit(read(1), NOW + WINDOW, NOW + 10),
            Err(ReplayRefusal::Replayed)
        );
        // Once the oldest goes stale there is room again.
        guard
            .admit(read(3), NOW + 2 * WINDOW, NOW + WINDOW + 1)
            .unwrap();
        assert_eq!(
            guard.admit(read(2), NOW + WINDOW + 5, NOW + WINDOW + 1),
            Err(ReplayRefusal::Replayed)
        );
    }

    #[test]
    fn the_fingerprint_binds_key_and_digest() {
        let key = |b| PublicKey([b; 32]);
        let digest = |b| Hash([b; 32]);
        assert_ne!(
            fingerprint(&key(1), &digest(2)),
            fingerprint(&key(2), &digest(2))
        );
        assert_ne!(
            fingerprint(&key(1), &digest(2)),
            fingerprint(&key(1), &digest(3))
        );
    }
}
