//! Evidence files between agency nodes: libp2p request-response on the
//! agencies' own network (the gossip swarm, `crate::p2p::gossip`).
//!
//! A receiving node asks for a file one chunk at a time
//! ([`ChunkRequest`]: digest and offset), so an interrupted transfer resumes
//! from the bytes it already has (`vault/tmp/<hex>.part`). The holder
//! answers each chunk only if the requesting node's organisation may read
//! the evidence record under the on-chain policies
//! ([`xianjie_contracts::authorize_node_read`]); otherwise it answers a
//! refusal and sends nothing. The receiver keeps the file only if its
//! BLAKE3 equals the digest; a corrupt transfer is discarded and retried,
//! from another node of the holder's organisation if there is one.
//!
//! [`Fetcher`] runs the receiving side; [`TransferWatch`] starts a fetch
//! for every evidence file of a case once this node's organisation becomes a
//! party to it (transfer to the police, supervision, judgment).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use libp2p::futures::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use libp2p::{PeerId, StreamProtocol};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use xianjie_contracts::policy::PolicyEngine;
use xianjie_contracts::{authorize_node_read, node_org, ContractError, ReadResource};
use xianjie_ledger::block::Block;
use xianjie_ledger::codec::{self, Canonical};
use xianjie_ledger::crypto::PublicKey;
use xianjie_ledger::ids::{CaseId, OrgId};
use xianjie_ledger::tx::Call;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use super::Vault;
use crate::chain::Tip;
use crate::p2p;
use crate::task::{self, stopped, Stop};

/// The protocol name; the version changes with the message format.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/xianjie/vault/1");
/// Bytes per chunk: large enough that per-request overhead is small, small
/// enough that a lost chunk costs little and memory stays bounded.
pub const CHUNK_BYTES: usize = 1024 * 1024;
/// Longest pause between two rounds of attempts at a failing transfer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Rounds over all candidate nodes before a transfer is given up (an officer
/// asking for the file again starts it anew).
const MAX_ROUNDS: u32 = 12;

/// One chunk of a file, asked of another node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRequest {
    /// Plain BLAKE3 of the file.
    pub digest: Hash,
    /// Where the chunk starts.
    pub offset: u64,
}

/// The answer to a [`ChunkRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChunkResponse {
    /// Up to [`CHUNK_BYTES`] from the offset, and the file's length.
    Chunk {
        /// The file's total length.
        total: u64,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Nothing is sent, and why.
    Refused {
        /// `read_denied`, `unknown_node`, `unknown_evidence` or `not_held`.
        code: String,
        /// A sentence for the log.
        reason: String,
    },
}

impl Canonical for ChunkRequest {
    const KIND: &'static str = "vault chunk request";
    const MAX_ENCODED_LEN: usize = 128;
}

impl Canonical for ChunkResponse {
    const KIND: &'static str = "vault chunk response";
    const MAX_ENCODED_LEN: usize = CHUNK_BYTES + 4096;
}

/// Length-prefixed canonical encoding on a libp2p stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct VaultCodec;

async fn read_message<T, M>(io: &mut T) -> std::io::Result<M>
where
    T: AsyncRead + Unpin + Send,
    M: Canonical,
{
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > M::MAX_ENCODED_LEN {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a {} of {len} bytes is over the limit", M::KIND),
        ));
    }
    let mut bytes = vec![0; len];
    io.read_exact(&mut bytes).await?;
    codec::decode(&bytes)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string()))
}

async fn write_message<T, M>(io: &mut T, message: &M) -> std::io::Result<()>
where
    T: AsyncWrite + Unpin + Send,
    M: Canonical,
{
    let bytes = codec::encode(message);
    let len = u32::try_from(bytes.len())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "message too large"))?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(&bytes).await?;
    io.close().await
}

#[async_trait]
impl libp2p::request_response::Codec for VaultCodec {
    type Protocol = StreamProtocol;
    type Request = ChunkRequest;
    type Response = ChunkResponse;

    async fn read_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<ChunkRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io).await
    }

    async fn read_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<ChunkResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: ChunkRequest,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_message(io, &request).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: ChunkResponse,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_message(io, &response).await
    }
}

fn refused(code: &str, reason: String) -> ChunkResponse {
    ChunkResponse::Refused {
        code: code.to_owned(),
        reason,
    }
}

/// The node key whose libp2p identity is `peer`, among the keys the chain
/// lets into the network.
fn node_key_of(store: &Store, peer: &PeerId) -> Option<PublicKey> {
    p2p::allowed_keys(store)
        .ok()?
        .into_iter()
        .find(|key| p2p::peer_id(key).as_ref() == Some(peer))
}

/// The holder's side: answers one chunk request from `peer`. Runs on the
/// blocking pool (sled and file reads).
pub fn serve_chunk(
    store: &Store,
    policies: &PolicyEngine,
    vault: &Vault,
    peer: &PeerId,
    request: &ChunkRequest,
) -> ChunkResponse {
    let Some(key) = node_key_of(store, peer) else {
        return refused(
            "unknown_node",
            format!("peer {peer} is not a registered node"),
        );
    };
    match authorize_node_read(
        policies,
        store,
        &key,
        &ReadResource::Evidence(request.digest),
    ) {
        Ok(_) => {}
        Err(ContractError::UnknownEvidence { .. }) => {
            return refused(
                "unknown_evidence",
                format!("{} is not anchored", request.digest),
            );
        }
        Err(error) => {
            tracing::info!(%peer, digest = %request.digest, code = error.code(), "vault transfer refused");
            return refused("read_denied", error.to_string());
        }
    }
    match vault.read_chunk(&request.digest, request.offset, CHUNK_BYTES) {
        Ok(Some((total, bytes))) => ChunkResponse::Chunk { total, bytes },
        Ok(None) => refused(
            "not_held",
            format!("this node does not hold {}", request.digest),
        ),
        Err(error) => {
            tracing::error!(%error, "reading a vault file to serve it");
            refused("not_held", "the file could not be read on this node".into())
        }
    }
}

/// A request for the swarm task: send `request` to `peer` and answer on `reply`.
pub struct OutboundChunk {
    /// The node asked.
    pub peer: PeerId,
    /// What is asked.
    pub request: ChunkRequest,
    /// Where the answer (or the network failure) goes.
    pub reply: oneshot::Sender<Result<ChunkResponse, String>>,
}

/// Where a transfer stands: the API's type, so node and CLI read it alike.
pub use xianjie_api::vault::FetchStatus;

/// The receiving side: one transfer task per digest, its status readable.
pub struct Fetcher {
    store: Store,
    vault: Vault,
    policies: Arc<PolicyEngine>,
    own_key: PublicKey,
    outbound: mpsc::Sender<OutboundChunk>,
    jobs: Mutex<BTreeMap<Hash, FetchStatus>>,
}

enum AttemptError {
    /// The peer answered with a refusal.
    Refused(String, String),
    /// The bytes received hash to something else.
    Corrupt(Hash),
    /// The network or the disk failed; the part is kept.
    Transient(String),
}

impl Fetcher {
    /// A fetcher that sends its requests through `outbound` (the swarm task).
    pub fn new(
        store: Store,
        vault: Vault,
        policies: Arc<PolicyEngine>,
        own_key: PublicKey,
        outbound: mpsc::Sender<OutboundChunk>,
    ) -> Arc<Fetcher> {
        Arc::new(Fetcher {
            store,
            vault,
            policies,
            own_key,
            outbound,
            jobs: Mutex::new(BTreeMap::new()),
        })
    }

    /// The status of the transfer of `digest`, if one was started.
    pub fn status(&self, digest: &Hash) -> Option<FetchStatus> {
        self.jobs_lock().get(digest).cloned()
    }

    /// The outcome of a transfer that ended without the file (refused or
    /// given up), removed so that the next request starts anew.
    pub fn take_failure(&self, digest: &Hash) -> Option<FetchStatus> {
        let mut jobs = self.jobs_lock();
        match jobs.get(digest) {
            Some(FetchStatus::Refused { .. } | FetchStatus::Failed { .. }) => jobs.remove(digest),
            _ => None,
        }
    }

    /// Starts fetching `digest` unless the vault has it or a transfer is
    /// under way; a refused or failed transfer is started again. Returns
    /// the status right after.
    pub fn request(self: &Arc<Self>, digest: Hash) -> FetchStatus {
        if self.vault.size_of(&digest).is_some() {
            return FetchStatus::Done;
        }
        let mut jobs = self.jobs_lock();
        if let Some(status @ FetchStatus::Fetching { .. }) = jobs.get(&digest) {
            return status.clone();
        }
        let status = FetchStatus::Fetching {
            received: 0,
            total: None,
            failed_attempts: 0,
            last_error: None,
        };
        jobs.insert(digest, status.clone());
        drop(jobs);
        let fetcher = Arc::clone(self);
        tokio::spawn(async move { fetcher.run(digest).await });
        status
    }

    fn jobs_lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Hash, FetchStatus>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, digest: Hash, status: FetchStatus) {
        self.jobs_lock().insert(digest, status);
    }

    fn update_progress(&self, digest: Hash, received: u64, total: u64) {
        if let Some(FetchStatus::Fetching {
            received: r,
            total: t,
            ..
        }) = self.jobs_lock().get_mut(&digest)
        {
            *r = received;
            *t = Some(total);
        }
    }

    fn note_failure(&self, digest: Hash, error: &str) -> u32 {
        let mut jobs = self.jobs_lock();
        if let Some(FetchStatus::Fetching {
            failed_attempts,
            last_error,
            ..
        }) = jobs.get_mut(&digest)
        {
            *failed_attempts += 1;
            *last_error = Some(error.to_owned());
            return *failed_attempts;
        }
        0
    }

    async fn run(self: Arc<Self>, digest: Hash) {
        let mut backoff = Duration::from_millis(500);
        let mut last_error = String::from("no node of the holding organisation is known");
        for _round in 0..MAX_ROUNDS {
            let candidates = self.candidates(digest).await;
            let mut refusals = Vec::new();
            for peer in &candidates {
                match self.attempt(digest, *peer).await {
                    Ok(()) => {
                        tracing::info!(%digest, %peer, "evidence file received into the vault");
                        self.set(digest, FetchStatus::Done);
                        return;
                    }
                    Err(AttemptError::Refused(code, reason)) => {
                        tracing::info!(%digest, %peer, code, "a node refused to send an evidence file");
                        if code == "read_denied" {
                            refusals.push(reason.clone());
                        }
                        last_error = format!("{code}: {reason}");
                    }
                    Err(AttemptError::Corrupt(found)) => {
                        last_error =
                            format!("the bytes received hash to {found}, not {digest}; discarded");
                        tracing::warn!(%digest, %peer, %found, "corrupt evidence transfer discarded; retrying");
                        self.note_failure(digest, &last_error);
                    }
                    Err(AttemptError::Transient(error)) => {
                        tracing::debug!(%digest, %peer, %error, "evidence transfer interrupted; will resume");
                        last_error = error;
                        self.note_failure(digest, &last_error);
                    }
                }
            }
            if !refusals.is_empty() && refusals.len() == candidates.len() {
                self.set(
                    digest,
                    FetchStatus::Refused {
                        reason: refusals.join("; "),
                    },
                );
                return;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        let failed_attempts = match self.status(&digest) {
            Some(FetchStatus::Fetching {
                failed_attempts, ..
            }) => failed_attempts,
            _ => 0,
        };
        self.set(
            digest,
            FetchStatus::Failed {
                failed_attempts,
                last_error,
            },
        );
    }

    /// Nodes to ask, best first: those of the organisation that anchored
    /// the file, then of its holder, then every other node (one may have
    /// received it before). Never this node.
    async fn candidates(&self, digest: Hash) -> Vec<PeerId> {
        let store = self.store.clone();
        let own_key = self.own_key;
        tokio::task::spawn_blocking(move || rank_candidates(&store, &own_key, &digest))
            .await
            .unwrap_or_default()
    }

    async fn attempt(&self, digest: Hash, peer: PeerId) -> Result<(), AttemptError> {
        let vault = self.vault.clone();
        let mut part = blocking(move || vault.resume_transfer(&digest)).await?;
        loop {
            let offset = part.received();
            let (reply, answer) = oneshot::channel();
            let request = ChunkRequest { digest, offset };
            self.outbound
                .send(OutboundChunk {
                    peer,
                    request,
                    reply,
                })
                .await
                .map_err(|_| AttemptError::Transient("the network task stopped".into()))?;
            let response = answer
                .await
                .map_err(|_| {
                    AttemptError::Transient("the network task dropped the request".into())
                })?
                .map_err(AttemptError::Transient)?;
            let (total, bytes) = match response {
                ChunkResponse::Chunk { total, bytes } => (total, bytes),
                ChunkResponse::Refused { code, reason } => {
                    if part.received() == 0 {
                        // Leave no trace of a transfer that never started.
                        part.discard();
                    }
                    return Err(AttemptError::Refused(code, reason));
                }
            };
            if offset > total || (bytes.is_empty() && offset < total) {
                // The holder's file is shorter than what we have: our part
                // is not a prefix of it, so start over.
                part.discard();
                return Err(AttemptError::Transient(format!(
                    "the holder's file has {total} bytes but {offset} were already received; starting over"
                )));
            }
            let done = offset + bytes.len() as u64 >= total;
            part = blocking(move || part.write(&bytes).map(|()| part)).await?;
            self.update_progress(digest, part.received(), total);
            if done {
                let stored = blocking(move || part.finish(Some(&digest))).await?;
                return stored.map(|_| ()).map_err(AttemptError::Corrupt);
            }
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, AttemptError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|join| AttemptError::Transient(join.to_string()))?
        .map_err(|error| AttemptError::Transient(error.to_string()))
}

fn rank_candidates(store: &Store, own_key: &PublicKey, digest: &Hash) -> Vec<PeerId> {
    let Ok(keys) = p2p::allowed_keys(store) else {
        return Vec::new();
    };
    let record = xianjie_contracts::read::evidence(store, digest)
        .ok()
        .flatten();
    let preferred: Vec<OrgId> = record
        .map(|record| vec![record.org, record.holder])
        .unwrap_or_default();
    let rank = |key: &PublicKey| {
        let org = node_org(store, key).ok();
        preferred
            .iter()
            .position(|preferred| Some(preferred) == org.as_ref())
            .unwrap_or(preferred.len())
    };
    let mut ranked: Vec<(usize, PublicKey)> = keys
        .into_iter()
        .filter(|key| key != own_key)
        .map(|key| (rank(&key), key))
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .filter_map(|(_, key)| p2p::peer_id(&key))
        .collect()
}

/// The cases a block this node committed touched, handed from the commit
/// to [`TransferWatch`] so that it need not read and decode the block
/// again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedCases {
    /// The block's height.
    pub height: u64,
    /// [`cases_in_block`] of it.
    pub cases: BTreeSet<CaseId>,
}

/// How many [`CommittedCases`] may wait for the watcher; past that the
/// commit drops them and the watcher reads those blocks from the store.
pub const COMMITTED_CASES_BACKLOG: usize = 1024;

/// Cases a block touched: those acted on, and those evidence was anchored to.
pub fn cases_in_block(block: &Block) -> BTreeSet<CaseId> {
    block
        .txs
        .iter()
        .filter_map(|tx| match &tx.tx.call {
            Call::CaseAction(action) => Some(action.case_id.clone()),
            Call::CaseStep(step) => Some(step.action.case_id.clone()),
            Call::AnchorEvidence(anchor) => anchor.case_id.clone(),
            _ => None,
        })
        .collect()
}

/// [`cases_in_block`] of the committed block at `height`, read from the store.
fn cases_touched(store: &Store, height: u64) -> BTreeSet<CaseId> {
    tracing::debug!(
        height,
        "reading a committed block the commit did not hand over"
    );
    match store.block(height) {
        Ok(Some(block)) => cases_in_block(&block),
        _ => BTreeSet::new(),
    }
}

/// The cases the blocks `from..=to` touched: from `handed` where the commit
/// handed them over, from `read` for the others.
fn cases_of_heights(
    from: u64,
    to: u64,
    mut handed: BTreeMap<u64, BTreeSet<CaseId>>,
    read: impl Fn(u64) -> BTreeSet<CaseId>,
) -> BTreeSet<CaseId> {
    (from..=to)
        .flat_map(|height| handed.remove(&height).unwrap_or_else(|| read(height)))
        .collect()
}

/// Cases this node's organisation is a party to or supervises: swept once at
/// start, so transfers decided while the node was down are fetched too.
fn cases_of_own_org(store: &Store, own_key: &PublicKey) -> BTreeSet<CaseId> {
    let Ok(own_org) = node_org(store, own_key) else {
        return BTreeSet::new();
    };
    let mut cases: BTreeSet<CaseId> = xianjie_contracts::read::cases_of_org(store, &own_org)
        .unwrap_or_default()
        .into_iter()
        .collect();
    cases.extend(xianjie_contracts::read::supervised_cases(store, &own_org).unwrap_or_default());
    cases
}

/// Evidence files of `cases` that this node's organisation is a receiving
/// party to (police, procuratorate or court), may read, and does not have.
pub fn files_due(
    store: &Store,
    vault: &Vault,
    policies: &PolicyEngine,
    own_key: &PublicKey,
    cases: BTreeSet<CaseId>,
) -> Vec<Hash> {
    let Ok(own_org) = node_org(store, own_key) else {
        return Vec::new();
    };
    let mut due = Vec::new();
    for case_id in cases {
        let Ok(Some(case)) = xianjie_contracts::read::case(store, &case_id) else {
            continue;
        };
        let receiving = [&case.police, &case.procuratorate, &case.court]
            .into_iter()
            .any(|party| party.as_ref() == Some(&own_org));
        if !receiving || case.owner == own_org {
            continue;
        }
        for digest in xianjie_contracts::read::case_evidence(store, &case_id).unwrap_or_default() {
            let readable =
                authorize_node_read(policies, store, own_key, &ReadResource::Evidence(digest))
                    .is_ok();
            if readable && vault.size_of(&digest).is_none() {
                due.push(digest);
            }
        }
    }
    due
}

/// Follows committed blocks and fetches the evidence of cases transferred to
/// this node's organisation: a long-lived task in the shape of
/// [`crate::task`]. `committed` carries the cases of the blocks this node
/// commits; any block it lacks is read from the store.
pub struct TransferWatch {
    /// Fetches the files.
    pub fetcher: Arc<Fetcher>,
    /// The committed tip.
    pub tip: watch::Receiver<Tip>,
    /// The cases of each block this node commits (`Host::after_commit`).
    pub committed: mpsc::Receiver<CommittedCases>,
}

impl TransferWatch {
    /// Starts [`TransferWatch::run`] as a task.
    pub fn spawn(self, stop: Stop) -> JoinHandle<crate::Result<()>> {
        task::spawn("vault transfer watch", self.run(stop))
    }

    /// First the files due from the cases the organisation already has,
    /// then those of each new block, until `stop` turns true or `tip`
    /// closes.
    pub async fn run(self, mut stop: Stop) -> crate::Result<()> {
        let TransferWatch {
            fetcher,
            mut tip,
            mut committed,
        } = self;
        let mut seen = tip.borrow().height;
        let mut handed = BTreeMap::new();
        let (store, vault, policies, own_key) = (
            fetcher.store.clone(),
            fetcher.vault.clone(),
            Arc::clone(&fetcher.policies),
            fetcher.own_key,
        );
        let due = tokio::task::spawn_blocking(move || {
            let cases = cases_of_own_org(&store, &own_key);
            files_due(&store, &vault, &policies, &own_key, cases)
        })
        .await
        .unwrap_or_default();
        for digest in due {
            fetcher.request(digest);
        }
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => return Ok(()),
                changed = tip.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
            }
            let height = tip.borrow_and_update().height;
            if height <= seen {
                continue;
            }
            let (store, vault, policies, own_key) = (
                fetcher.store.clone(),
                fetcher.vault.clone(),
                Arc::clone(&fetcher.policies),
                fetcher.own_key,
            );
            while let Ok(block) = committed.try_recv() {
                if block.height > seen {
                    handed.insert(block.height, block.cases);
                }
            }
            // Blocks after `height` (committed since the tip was read) wait
            // for the next round.
            let later = handed.split_off(&height.saturating_add(1));
            let handed_now = std::mem::replace(&mut handed, later);
            let from = seen + 1;
            let due = tokio::task::spawn_blocking(move || {
                let cases =
                    cases_of_heights(from, height, handed_now, |h| cases_touched(&store, h));
                files_due(&store, &vault, &policies, &own_key, cases)
            })
            .await
            .unwrap_or_default();
            seen = height;
            for digest in due {
                tracing::info!(%digest, "fetching the evidence of a case transferred to this organisation");
                fetcher.request(digest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(cases: &[&str]) -> BTreeSet<CaseId> {
        cases.iter().map(|case| CaseId::from(*case)).collect()
    }

    #[test]
    fn heights_the_commit_handed_over_are_not_read_again() {
        let handed = BTreeMap::from([(3, set(&["A"])), (5, set(&[]))]);
        let read = std::cell::RefCell::new(Vec::new());
        let cases = cases_of_heights(3, 6, handed, |height| {
            read.borrow_mut().push(height);
            set(&[if height == 4 { "B" } else { "C" }])
        });
        assert_eq!(
            read.into_inner(),
            [4, 6],
            "only the heights nobody handed over"
        );
        assert_eq!(cases, set(&["A", "B", "C"]));
    }
}
