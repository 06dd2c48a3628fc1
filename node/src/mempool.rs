//! The mempool: verified transactions waiting for a block, bounded by count
//! and bytes, and the admission checks a transaction passes to enter it.
//!
//! Admission order matters. The signature is checked right after decoding and
//! before anything reads the state, so an unsigned flood costs one signature
//! check each and learns nothing about the state:
//!
//! 1. size ≤ [`MAX_TX_BYTES`]
//! 2. canonical decode of a [`SignedTx`]
//! 3. signature check (skipped if this exact (hash, signature) pair
//!    verified before: verification is deterministic); a batch's
//!    signatures are checked together ([`crypto::verify_each`]), which
//!    answers as checking them one by one does
//! 4. not already committed, not already pending (a resubmission is told
//!    so, whatever else has changed since)
//! 5. [`xianjie_contracts::check_admission`], the checks execution runs
//!    first, in its order: the envelope (chain id and validity window at the
//!    next height), the signer (a registered, active officer) and no
//!    personal identifier in the call's free text
//!    (`xianjie_contracts::privacy`; a refused transaction is still kept in
//!    its block, so such text is stopped here)
//!
//! The transactions of one batch (`POST /v1/txs/batch`, a gossiped batch)
//! are judged against the same next height and read the state through one
//! memo ([`BlockReads`]): the chain parameters are decoded once per batch
//! and each officer record read once. A record that changes while a batch
//! is judged is seen as it was when the batch first read it; the block that
//! includes the transaction judges it against the state of that block.
//!
//! A transaction taken for a block stays in the mempool (in flight) until the
//! block is committed, so a resubmission during the commit is still refused as
//! a duplicate.
//!
//! A pending transaction is never an already committed one, once the commit
//! that included it has removed it ([`Mempool::remove_committed`]): admission
//! looks a transaction up in the committed index and then inserts it, and a
//! block committed between the two is caught by a count of commits read before
//! the lookup and compared under the lock at insertion, where the lookup is
//! repeated if it moved. So building and checking a block look up only the
//! transactions this node does not hold ([`Mempool::contains`]).
//!
//! In a network, a transaction admitted through this node's API is also put
//! on the gossip outbox ([`Mempool::set_gossip_outbox`]) so that every other
//! node, and so the next proposer, gets it; one received by gossip is admitted
//! with [`Mempool::admit_gossiped_batch`] and not sent on again (gossipsub
//! relays the batch where it must, `p2p::gossip`). Proposals are built with [`Mempool::peek_batch`], which leaves the
//! transactions queued: a proposal may not be decided, and only a committed
//! block removes them ([`Mempool::remove_committed`]).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use xianjie_contracts::overlay::BlockReads;
use xianjie_contracts::{BlockCtx, ContractError};
use xianjie_ledger::codec::{self, Canonical};
use xianjie_ledger::crypto::{self, Signature};
use xianjie_ledger::error::CodecError;
use xianjie_ledger::state::StateView;
use xianjie_ledger::tx::{SignedTx, MAX_TX_BYTES};
use xianjie_ledger::Hash;
use xianjie_store::StorageError;
use xianjie_store::{Store, TxLocation};

use crate::config::{BlockLimits, MempoolLimits};

/// Why a transaction was not admitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdmissionError {
    /// The body is larger than any transaction may be.
    #[error("the transaction is {len} bytes; the limit is {max}")]
    TooLarge {
        /// Bytes received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not the canonical encoding of a signed transaction.
    #[error("not a canonically encoded signed transaction: {0}")]
    Malformed(#[from] CodecError),
    /// The signature does not verify under the signer's key.
    #[error("the signature does not verify under the signer's key")]
    BadSignature,
    /// The contracts refuse the envelope, the signer or free text
    /// (`wrong_chain`, `expired`, `validity_too_long`, `unknown_signer`,
    /// `revoked_signer`, `personal_information`).
    #[error(transparent)]
    Refused(ContractError),
    /// The transaction is already committed or already pending.
    #[error("transaction {hash} is already {}", if location.is_some() { "committed" } else { "pending" })]
    Duplicate {
        /// The transaction hash.
        hash: Hash,
        /// Where it was committed, if it was.
        location: Option<TxLocation>,
    },
    /// The mempool is at its limit.
    #[error("the mempool is full")]
    Full,
    /// The store could not be read.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Most transactions in one batch submission (`POST /v1/txs/batch`).
pub const MAX_BATCH_TXS: usize = 1024;
/// Most bytes of a batch submission's canonical encoding.
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// A batch submission (`POST /v1/txs/batch`): signed transactions, each as
/// its canonical bytes (what `POST /v1/txs` takes), canonically encoded as a
/// whole (version byte, then a length-prefixed list of length-prefixed byte
/// strings).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TxBatchBody {
    /// Canonical bytes of each signed transaction, in submission order.
    pub txs: Vec<Vec<u8>>,
}

impl Canonical for TxBatchBody {
    const KIND: &'static str = "transaction batch";
    const MAX_ENCODED_LEN: usize = MAX_BATCH_BYTES;
}

/// The number of transactions a canonically encoded batch announces: the
/// varint after the version byte ([`TxBatchBody`] and gossip's `TxBatch` share
/// this layout). Callers compare it with their limit before decoding: a few
/// MiB announcing millions of empty transactions would otherwise decode into
/// millions of vectors (about 100 MB) before the count could be checked.
/// `None` when the bytes do not start like a batch; decoding refuses those.
pub fn announced_batch_len(bytes: &[u8]) -> Option<u64> {
    let (&version, body) = bytes.split_first()?;
    if version != codec::FORMAT_VERSION {
        return None;
    }
    // LEB128, at most 10 bytes for a 64-bit length; u128 so that an
    // over-long value saturates instead of wrapping below the limit.
    let mut count: u128 = 0;
    for (index, &byte) in body.iter().take(10).enumerate() {
        count |= u128::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some(u64::try_from(count).unwrap_or(u64::MAX));
        }
    }
    None
}

/// The count a batch announces, if it is over [`MAX_BATCH_TXS`]: such a
/// batch is refused before decoding, whether it came over HTTP or gossip.
pub fn oversized_batch_count(bytes: &[u8]) -> Option<u64> {
    announced_batch_len(bytes).filter(|&count| count > MAX_BATCH_TXS as u64)
}

/// A transaction of a batch on its way through admission.
// Nearly every candidate is decoded; boxing the transaction would cost an
// allocation per transaction to save memory only on refusals.
#[allow(clippy::large_enum_variant)]
enum Candidate {
    /// Decoded, with its hash; not yet admitted.
    Decoded(Hash, SignedTx),
    /// Refused, with its hash if its bytes decoded.
    Refused(Option<Hash>, AdmissionError),
}

/// The outcome of one transaction of [`Mempool::admit_batch`].
#[derive(Debug)]
pub struct BatchAdmission {
    /// Its hash, if its bytes decode as a signed transaction.
    pub hash: Option<Hash>,
    /// Admitted, or why not.
    pub result: Result<(), AdmissionError>,
}

struct PendingTx {
    tx: SignedTx,
    encoded_len: usize,
    in_flight: bool,
}

#[derive(Default)]
struct Pending {
    /// Hashes not yet taken for a block, oldest first.
    queue: VecDeque<Hash>,
    /// Every pending transaction, queued or in flight.
    by_hash: HashMap<Hash, PendingTx>,
    /// Encoded bytes of everything in `by_hash`.
    bytes: usize,
    /// How many times committed transactions were removed: see [`Mempool::insert`].
    commits: u64,
}

/// A bounded set of (tx hash, signature) pairs that verified. The hash alone
/// would not do: it covers the body, not the signature, so a copy with a
/// forged signature shares it.
struct VerifiedSignatures {
    seen: HashSet<(Hash, Signature)>,
    order: VecDeque<(Hash, Signature)>,
    capacity: usize,
}

/// Verified transactions waiting for a block.
pub struct Mempool {
    limits: MempoolLimits,
    pending: Mutex<Pending>,
    verified: Mutex<VerifiedSignatures>,
    gossip: Mutex<Option<tokio::sync::mpsc::Sender<Vec<u8>>>>,
    /// Wakes the block producer or proposer when a transaction is queued.
    queued: tokio::sync::Notify,
}

impl Mempool {
    /// An empty mempool with the given bounds.
    pub fn new(limits: MempoolLimits) -> Self {
        Mempool {
            limits,
            pending: Mutex::new(Pending::default()),
            // Twice the mempool: covers everything pending plus as many
            // recently committed transactions, which is when replays arrive.
            verified: Mutex::new(VerifiedSignatures::new(limits.max_txs.saturating_mul(2))),
            gossip: Mutex::new(None),
            queued: tokio::sync::Notify::new(),
        }
    }

    /// Waits until a transaction is queued (returns at once if one is), or
    /// until `deadline` if one is given. Woken by admission, not polled.
    pub async fn wait_for_queued(&self, deadline: Option<tokio::time::Instant>) {
        loop {
            let queued = self.queued.notified();
            tokio::pin!(queued);
            // Registered before looking, so a transaction queued in between
            // still wakes this wait.
            queued.as_mut().enable();
            if self.has_queued() {
                return;
            }
            match deadline {
                Some(deadline) => {
                    if tokio::time::timeout_at(deadline, queued).await.is_err() {
                        return;
                    }
                }
                None => queued.await,
            }
        }
    }

    /// Sends the bytes of every transaction later admitted through
    /// [`Mempool::admit`] to `outbox`, for gossip. Best effort: when the
    /// outbox is full the transaction is only proposed by this node.
    pub fn set_gossip_outbox(&self, outbox: tokio::sync::mpsc::Sender<Vec<u8>>) {
        *lock(&self.gossip) = Some(outbox);
    }

    /// [`Mempool::admit_batch`] for a batch received by gossip: the same
    /// checks, and nothing is put on the gossip outbox again.
    pub fn admit_gossiped_batch(
        &self,
        store: &Store,
        ctx: &BlockCtx,
        txs: &[Vec<u8>],
    ) -> Vec<BatchAdmission> {
        let mut candidates: Vec<Candidate> = txs
            .iter()
            .map(|bytes| self.decode_admissible(bytes))
            .collect();
        self.verify_signatures(&mut candidates);
        let reads = BlockReads::new(store);
        candidates
            .into_iter()
            .zip(txs)
            .map(|(candidate, bytes)| match candidate {
                Candidate::Decoded(hash, tx) => BatchAdmission {
                    hash: Some(hash),
                    result: self.admit_verified(store, &reads, ctx, hash, tx, bytes.len()),
                },
                Candidate::Refused(hash, error) => BatchAdmission {
                    hash,
                    result: Err(error),
                },
            })
            .collect()
    }

    /// Checks the signatures of a batch's decoded transactions together
    /// ([`crypto::verify_each`]), skipping pairs that verified before, and
    /// turns each that fails into a refusal.
    fn verify_signatures(&self, candidates: &mut [Candidate]) {
        let (unverified, checks): (Vec<usize>, Vec<_>) = {
            let verified = lock(&self.verified);
            candidates
                .iter()
                .enumerate()
                .filter_map(|(index, candidate)| match candidate {
                    Candidate::Decoded(hash, tx) if !verified.contains(&(*hash, tx.signature)) => {
                        Some((index, tx.signature_check(hash)))
                    }
                    _ => None,
                })
                .unzip()
        };
        let answers = crypto::verify_each(&checks);
        drop(checks);
        let mut verified = lock(&self.verified);
        for (index, answer) in unverified.into_iter().zip(answers) {
            let Candidate::Decoded(hash, tx) = &candidates[index] else {
                continue;
            };
            if answer.is_ok() {
                verified.remember((*hash, tx.signature));
            } else {
                candidates[index] = Candidate::Refused(Some(*hash), AdmissionError::BadSignature);
            }
        }
    }

    /// Whether the signature of `tx` (with hash `hash`) verifies, checking it
    /// only if this exact pair has not verified before.
    pub fn signature_verifies(&self, hash: &Hash, tx: &SignedTx) -> bool {
        self.verify_once(hash, tx).is_ok()
    }

    /// Runs the admission checks on raw bytes and, if they pass, adds the
    /// transaction. `ctx` describes the next block (tip + 1). Reads sled:
    /// call from a blocking thread.
    pub fn admit(
        &self,
        store: &Store,
        ctx: &BlockCtx,
        bytes: &[u8],
    ) -> Result<Hash, AdmissionError> {
        let hash = self.admit_checked(store, ctx, bytes)?;
        if let Some(outbox) = lock(&self.gossip).as_ref() {
            if outbox.try_send(bytes.to_vec()).is_err() {
                tracing::debug!(tx = %hash, "gossip outbox full; the transaction stays local");
            }
        }
        Ok(hash)
    }

    /// [`Mempool::admit`] for each transaction of a batch, in order, judged
    /// against the same `ctx`: the same checks, and each admitted one goes on
    /// the gossip outbox. Returns one outcome per transaction, with its hash
    /// whenever its bytes decode (refused or not).
    pub fn admit_batch(
        &self,
        store: &Store,
        ctx: &BlockCtx,
        txs: Vec<Vec<u8>>,
    ) -> Vec<BatchAdmission> {
        let admissions = self.admit_gossiped_batch(store, ctx, &txs);
        if let Some(outbox) = lock(&self.gossip).clone() {
            for (bytes, admission) in txs.into_iter().zip(&admissions) {
                if admission.result.is_ok() && outbox.try_send(bytes).is_err() {
                    tracing::debug!(tx = ?admission.hash, "gossip outbox full; the transaction stays local");
                }
            }
        }
        admissions
    }

    fn admit_checked(
        &self,
        store: &Store,
        ctx: &BlockCtx,
        bytes: &[u8],
    ) -> Result<Hash, AdmissionError> {
        let (hash, tx) = match self.decode_admissible(bytes) {
            Candidate::Decoded(hash, tx) => (hash, tx),
            Candidate::Refused(_, error) => return Err(error),
        };
        self.verify_once(&hash, &tx)?;
        self.admit_verified(store, store, ctx, hash, tx, bytes.len())?;
        Ok(hash)
    }

    /// The checks before the signature's: size, room, canonical decoding.
    /// A refusal names the transaction if its bytes decoded.
    fn decode_admissible(&self, bytes: &[u8]) -> Candidate {
        if bytes.len() > MAX_TX_BYTES {
            let too_large = AdmissionError::TooLarge {
                len: bytes.len(),
                max: MAX_TX_BYTES,
            };
            return Candidate::Refused(None, too_large);
        }
        // A full mempool refuses before spending a signature check; the
        // check under the lock in `insert` stays authoritative.
        if self.is_full_for(bytes.len()) {
            return Candidate::Refused(None, AdmissionError::Full);
        }
        match codec::decode::<SignedTx>(bytes) {
            // `bytes` are canonical (decoding checked), so they give the hash.
            Ok(tx) => Candidate::Decoded(tx.hash_from_encoding(bytes), tx),
            Err(error) => Candidate::Refused(None, error.into()),
        }
    }

    /// The checks after the signature's, then insertion. The state is read
    /// through `view` (the store, or a batch's memo over it); the committed
    /// transactions' index from `store`.
    fn admit_verified(
        &self,
        store: &Store,
        view: &dyn StateView,
        ctx: &BlockCtx,
        hash: Hash,
        tx: SignedTx,
        encoded_len: usize,
    ) -> Result<(), AdmissionError> {
        let commits = lock(&self.pending).commits;
        refuse_if_committed(store, &hash)?;
        if self.contains(&hash) {
            return Err(AdmissionError::Duplicate {
                hash,
                location: None,
            });
        }
        xianjie_contracts::check_admission(view, ctx, &tx).map_err(AdmissionError::Refused)?;
        self.insert(store, commits, hash, tx, encoded_len)
    }

    fn verify_once(&self, hash: &Hash, tx: &SignedTx) -> Result<(), AdmissionError> {
        let pair = (*hash, tx.signature);
        if lock(&self.verified).contains(&pair) {
            return Ok(());
        }
        tx.verify_signature_of(hash)
            .map_err(|_| AdmissionError::BadSignature)?;
        lock(&self.verified).remember(pair);
        Ok(())
    }

    /// Adds a verified transaction; the duplicate and capacity checks happen
    /// under the lock, so two identical concurrent submissions admit one.
    /// `commits_before_lookup` is the count of commits read before the caller
    /// found `hash` absent from the committed index: if a block was committed
    /// since, it may hold this transaction, so the index is read again (the
    /// block is in the store before its commit is counted). Otherwise a block
    /// committing it later removes it from here.
    fn insert(
        &self,
        store: &Store,
        commits_before_lookup: u64,
        hash: Hash,
        tx: SignedTx,
        encoded_len: usize,
    ) -> Result<(), AdmissionError> {
        let mut pending = lock(&self.pending);
        if pending.commits != commits_before_lookup {
            refuse_if_committed(store, &hash)?;
        }
        if pending.by_hash.contains_key(&hash) {
            return Err(AdmissionError::Duplicate {
                hash,
                location: None,
            });
        }
        let over_count = pending.by_hash.len() >= self.limits.max_txs;
        let over_bytes = pending.bytes + encoded_len > self.limits.max_bytes;
        if over_count || over_bytes {
            return Err(AdmissionError::Full);
        }
        pending.bytes += encoded_len;
        // Only an empty queue has waiters (`wait_for_queued` returns at once
        // otherwise), so only the first transaction queued wakes them.
        let was_empty = pending.queue.is_empty();
        pending.queue.push_back(hash);
        if was_empty {
            self.queued.notify_waiters();
        }
        pending.by_hash.insert(
            hash,
            PendingTx {
                tx,
                encoded_len,
                in_flight: false,
            },
        );
        Ok(())
    }

    fn is_full_for(&self, encoded_len: usize) -> bool {
        let pending = lock(&self.pending);
        pending.by_hash.len() >= self.limits.max_txs
            || pending.bytes + encoded_len > self.limits.max_bytes
    }

    /// Whether a transaction is pending (queued or in flight).
    pub fn contains(&self, hash: &Hash) -> bool {
        lock(&self.pending).by_hash.contains_key(hash)
    }

    /// A pending transaction.
    pub fn get(&self, hash: &Hash) -> Option<SignedTx> {
        lock(&self.pending)
            .by_hash
            .get(hash)
            .map(|entry| entry.tx.clone())
    }

    /// Number of pending transactions, in flight included.
    pub fn len(&self) -> usize {
        lock(&self.pending).by_hash.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether transactions are queued and not yet taken for a block.
    pub fn has_queued(&self) -> bool {
        !lock(&self.pending).queue.is_empty()
    }

    /// Takes the oldest queued transactions for a block, within `limits`.
    /// They stay pending (in flight) until [`Mempool::remove`].
    pub fn take_batch(&self, limits: BlockLimits) -> Vec<SignedTx> {
        let mut pending = lock(&self.pending);
        let Pending { queue, by_hash, .. } = &mut *pending;
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        while let Some(hash) = queue.front() {
            let entry = by_hash.get_mut(hash).expect("every queued hash is pending");
            let full =
                batch.len() >= limits.max_txs || batch_bytes + entry.encoded_len > limits.max_bytes;
            if full {
                break;
            }
            batch_bytes += entry.encoded_len;
            entry.in_flight = true;
            batch.push(entry.tx.clone());
            queue.pop_front();
        }
        batch
    }

    /// The oldest queued transactions within `limits`, left queued: for a
    /// proposal, which may not be decided.
    pub fn peek_batch(&self, limits: BlockLimits) -> Vec<SignedTx> {
        let pending = lock(&self.pending);
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        for hash in &pending.queue {
            let entry = &pending.by_hash[hash];
            let full =
                batch.len() >= limits.max_txs || batch_bytes + entry.encoded_len > limits.max_bytes;
            if full {
                break;
            }
            batch_bytes += entry.encoded_len;
            batch.push(entry.tx.clone());
        }
        batch
    }

    /// Forgets the transactions of a committed block, queued or in flight,
    /// and those that can no longer be included from `next_height` on. Call
    /// it once the block is in the store: admission relies on that order.
    pub fn remove_committed(&self, hashes: &[Hash], next_height: u64) {
        let mut pending = lock(&self.pending);
        let Pending {
            queue,
            by_hash,
            bytes,
            commits,
        } = &mut *pending;
        *commits += 1;
        let before = by_hash.len();
        for hash in hashes {
            if let Some(entry) = by_hash.remove(hash) {
                *bytes -= entry.encoded_len;
            }
        }
        by_hash.retain(|_, entry| {
            let keep = entry.tx.tx.valid_until >= next_height;
            if !keep {
                *bytes -= entry.encoded_len;
            }
            keep
        });
        if by_hash.len() != before {
            queue.retain(|hash| by_hash.contains_key(hash));
        }
    }

    /// Forgets transactions that were committed (call it once their block
    /// is in the store) or dropped.
    pub fn remove(&self, hashes: &[Hash]) {
        let mut pending = lock(&self.pending);
        pending.commits += 1;
        for hash in hashes {
            if let Some(entry) = pending.by_hash.remove(hash) {
                debug_assert!(
                    entry.in_flight,
                    "only transactions taken for a block are removed"
                );
                pending.bytes -= entry.encoded_len;
            }
        }
    }
}

impl VerifiedSignatures {
    fn new(capacity: usize) -> Self {
        VerifiedSignatures {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    fn contains(&self, pair: &(Hash, Signature)) -> bool {
        self.seen.contains(pair)
    }

    fn remember(&mut self, pair: (Hash, Signature)) {
        if !self.seen.insert(pair) {
            return;
        }
        self.order.push_back(pair);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
    }
}

/// `Duplicate` if `hash` is in the committed index.
fn refuse_if_committed(store: &Store, hash: &Hash) -> Result<(), AdmissionError> {
    match store.tx_location(hash)? {
        Some(location) => Err(AdmissionError::Duplicate {
            hash: *hash,
            location: Some(location),
        }),
        None => Ok(()),
    }
}

/// Locks a mutex. A poisoned lock means a thread panicked while changing the
/// mempool; its contents can no longer be trusted, so this thread panics too
/// and the node stops.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().expect("mempool lock poisoned by a panic")
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::crypto::{KeyId, SecretKey};
    use xianjie_ledger::tx::{Call, RevokeOfficer, Tx};

    fn signed(nonce: u64) -> SignedTx {
        let key = SecretKey::from_bytes(&[9u8; 32]);
        Tx {
            chain_id: "c".into(),
            signer: key.public_key(),
            nonce,
            valid_until: 10,
            call: Call::RevokeOfficer(RevokeOfficer {
                officer: KeyId([1; 20]),
            }),
        }
        .sign(&key)
    }

    /// Inserts as admission does when no block was committed meanwhile.
    fn put(pool: &Mempool, tx: SignedTx) -> Result<(), AdmissionError> {
        let store = Store::temporary().unwrap();
        let commits = lock(&pool.pending).commits;
        pool.insert(&store, commits, tx.hash(), tx, 100)
    }

    /// A dev chain at its genesis, two of its officers, and the context of
    /// its next block.
    struct DevChain {
        _dir: tempfile::TempDir,
        chain: crate::chain::Chain,
        officer: SecretKey,
        colleague: SecretKey,
        next_block: BlockCtx,
    }

    fn dev_chain() -> DevChain {
        let dir = tempfile::tempdir().unwrap();
        let dev = crate::dev::DevHome::new(dir.path().join("home"));
        let setup = dev.prepare().unwrap();
        let chain = crate::chain::Chain::open(
            Store::temporary().unwrap(),
            &setup.genesis,
            setup.validator_key,
            crate::execution::policy_engine().unwrap(),
            dir.path(),
        )
        .unwrap();
        DevChain {
            officer: dev.officer_key("market", "officer").unwrap(),
            colleague: dev.officer_key("market", "officer2").unwrap(),
            next_block: BlockCtx {
                chain_id: setup.genesis.chain_id.clone(),
                height: 2,
                time_ms: 2,
                prev_hash: xianjie_ledger::Hash([0; 32]),
                policies: crate::execution::policy_engine().unwrap(),
            },
            chain,
            _dir: dir,
        }
    }

    /// A block that commits a transaction after admission found it absent
    /// from the committed index, but before admission inserted it, is caught
    /// at insertion: the mempool never holds a committed transaction.
    #[test]
    fn a_transaction_committed_between_lookup_and_insertion_is_refused() {
        let DevChain {
            chain,
            officer,
            colleague,
            next_block,
            _dir: _home,
        } = dev_chain();
        let tx = crate::dev::test_anchor(&officer, &colleague, 1, "camera");
        let pool = Mempool::new(MempoolLimits::default());

        let commits_before_lookup = lock(&pool.pending).commits;
        assert!(chain.store().tx_location(&tx.hash()).unwrap().is_none());
        // Meanwhile a block commits it.
        chain
            .commit_next_block(vec![tx.clone()], &pool, 1)
            .unwrap()
            .unwrap();
        pool.remove_committed(&[tx.hash()], 2);

        let refused = pool.insert(
            chain.store(),
            commits_before_lookup,
            tx.hash(),
            tx.clone(),
            100,
        );
        assert!(matches!(
            refused,
            Err(AdmissionError::Duplicate {
                location: Some(_),
                ..
            })
        ));
        assert!(!pool.contains(&tx.hash()));
        // Through the whole admission path too.
        let again = pool.admit(chain.store(), &next_block, &codec::encode(&tx));
        assert!(matches!(again, Err(AdmissionError::Duplicate { .. })));
        assert!(pool.is_empty());
    }

    /// A batch's signatures are checked together; the forged ones among
    /// good ones are each refused by name, and only the good ones are
    /// admitted and remembered as verified.
    #[test]
    fn a_batch_refuses_exactly_its_forged_signatures() {
        let DevChain {
            chain,
            officer,
            colleague,
            next_block: ctx,
            _dir: _home,
        } = dev_chain();
        let store = chain.store();
        let pool = Mempool::new(MempoolLimits::default());
        let forged_at = [3usize, 64, 65, 150];
        let mut txs: Vec<SignedTx> = (0..200u8)
            .map(|seed| crate::dev::test_anchor(&officer, &colleague, seed, "camera"))
            .collect();
        for &index in &forged_at {
            txs[index].signature.0[5] ^= 1;
        }
        let batch: Vec<Vec<u8>> = txs.iter().map(codec::encode).collect();
        let admissions = pool.admit_gossiped_batch(store, &ctx, &batch);
        for (index, (admission, tx)) in admissions.iter().zip(&txs).enumerate() {
            assert_eq!(admission.hash, Some(tx.hash()));
            if forged_at.contains(&index) {
                assert!(matches!(
                    admission.result,
                    Err(AdmissionError::BadSignature)
                ));
            } else {
                assert!(admission.result.is_ok(), "{index}: {:?}", admission.result);
            }
            let remembered = lock(&pool.verified).contains(&(tx.hash(), tx.signature));
            assert_eq!(remembered, !forged_at.contains(&index));
        }
        assert_eq!(pool.len(), txs.len() - forged_at.len());
        // A forged copy of an admitted transaction shares its hash: it is
        // refused for its signature, not taken for the admitted one.
        let mut copy = txs[0].clone();
        copy.signature.0[9] ^= 1;
        let again = pool.admit_gossiped_batch(store, &ctx, &[codec::encode(&copy)]);
        assert!(matches!(again[0].result, Err(AdmissionError::BadSignature)));
    }

    #[test]
    fn bounded_by_count_and_batches_stay_pending_until_removed() {
        let pool = Mempool::new(MempoolLimits {
            max_txs: 2,
            max_bytes: 1 << 20,
        });
        for nonce in 0..2 {
            let tx = signed(nonce);
            put(&pool, tx).unwrap();
        }
        let third = signed(2);
        assert!(matches!(put(&pool, third), Err(AdmissionError::Full)));
        let first = signed(0);
        assert!(matches!(
            put(&pool, first.clone()),
            Err(AdmissionError::Duplicate { location: None, .. })
        ));

        let batch = pool.take_batch(BlockLimits {
            max_txs: 1,
            max_bytes: 1 << 20,
        });
        assert_eq!(batch, vec![first.clone()]);
        assert!(pool.contains(&first.hash()), "in flight is still pending");
        assert!(pool.has_queued());
        pool.remove(&[first.hash()]);
        assert_eq!(pool.len(), 1);
    }

    #[test]
    fn bounded_by_bytes_in_pool_and_batch() {
        let pool = Mempool::new(MempoolLimits {
            max_txs: 10,
            max_bytes: 250,
        });
        for nonce in 0..2 {
            let tx = signed(nonce);
            put(&pool, tx).unwrap();
        }
        let third = signed(2);
        assert!(matches!(put(&pool, third), Err(AdmissionError::Full)));
        let batch = pool.take_batch(BlockLimits {
            max_txs: 10,
            max_bytes: 150,
        });
        assert_eq!(batch.len(), 1);
    }

    #[test]
    fn the_announced_batch_length_is_read_without_decoding() {
        let batch = TxBatchBody {
            txs: vec![vec![1, 2, 3]; 300],
        };
        assert_eq!(announced_batch_len(&codec::encode(&batch)), Some(300));
        // Four million announced, nothing after: the count alone is read.
        assert_eq!(
            announced_batch_len(&[codec::FORMAT_VERSION, 0x80, 0x92, 0xf4, 0x01]),
            Some(4_000_000)
        );
        assert_eq!(announced_batch_len(&[codec::FORMAT_VERSION, 0x00]), Some(0));
        let overflowing = [&[codec::FORMAT_VERSION][..], &[0xff; 9], &[0x7f]].concat();
        assert_eq!(announced_batch_len(&overflowing), Some(u64::MAX));
        for not_a_batch in [&[][..], &[2, 1], &[codec::FORMAT_VERSION], &[1, 0x80]] {
            assert_eq!(announced_batch_len(not_a_batch), None, "{not_a_batch:?}");
        }
    }

    #[test]
    fn verified_cache_is_keyed_by_signature_too_and_bounded() {
        let pool = Mempool::new(MempoolLimits {
            max_txs: 1,
            max_bytes: 1 << 20,
        });
        let tx = signed(0);
        pool.verify_once(&tx.hash(), &tx).unwrap();
        let mut forged = tx.clone();
        forged.signature.0[0] ^= 1;
        assert!(matches!(
            pool.verify_once(&forged.hash(), &forged),
            Err(AdmissionError::BadSignature)
        ));
        let mut cache = VerifiedSignatures::new(2);
        for nonce in 0..3 {
            let tx = signed(nonce);
            cache.remember((tx.hash(), tx.signature));
        }
        let oldest = signed(0);
        assert!(!cache.contains(&(oldest.hash(), oldest.signature)));
        assert_eq!(cache.seen.len(), 2);
    }
}
