//! The host: answers the engine's requests (`AppMsg`) with blocks built
//! from the mempool, checked by re-execution and committed to sled. A
//! long-lived task in the shape of [`crate::task`].
//!
//! Crash-recovery duties, in the order the engine relies on them:
//! - every proposal built or received and found valid is written to the
//!   store (flushed) before the engine hears of it, so a restarted node whose
//!   write-ahead log decides it still has the block;
//! - a decided block is committed, with its certificate, in one atomic batch
//!   before `Decided` is answered; the same batch drops the undecided
//!   proposals of that height;
//! - consensus resumes at the last committed height + 1, with the validator
//!   set the state holds after that height;
//! - while the disk is below its reserve ([`crate::disk`]) the next height
//!   is not started once this one is committed: the node signs no vote it
//!   might not be able to keep, the others go on without it, and it starts
//!   (and catches up) when space returns. The engine's connector waits for
//!   this answer in a task of its own, so holding it blocks nothing else.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use malachitebft_app_channel::app::consensus::{Role, VoteExtensionError};
use malachitebft_app_channel::app::engine::host::{HeightParams, Next, SyncedValueOutcome};
use malachitebft_app_channel::app::types::core::{CommitCertificate, Round, Validity};
use malachitebft_app_channel::app::types::sync::RawDecidedValue;
use malachitebft_app_channel::app::types::{LocallyProposedValue, ProposedValue};
use malachitebft_app_channel::{AppMsg, Channels, NetworkMsg, Reply};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use xianjie_ledger::block::{Block, BlockResults, MAX_BLOCK_BYTES};
use xianjie_ledger::codec::{self, Canonical};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use super::codec::{extended_certificate, ledger_commit};
use super::context::{proposer_index, timeouts, Address, Ctx, Height, ValidatorSet, Value};
use super::proposer::{self, Proposed, RecentHeaders};
use super::streaming::{split, Assembled, Streams};
use crate::chain::{read_validator_set, Tip};
use crate::clock::SharedClock;
use crate::committed_tip::Recorder;
use crate::config::BlockLimits;
use crate::disk::DiskStatus;
use crate::error::{Error, Result};
use crate::execution::{
    block_refusal, build_block, check_block, matches_header, ChainInfo, Check, Executed,
};
use crate::home::ConsensusSection;
use crate::mempool::Mempool;
use crate::metrics::Metrics;
use crate::p2p::{self, AllowList};
use crate::status::NetworkStatus;
use crate::task::{self, stopped, Stop};
use crate::vault::transfer::{cases_in_block, CommittedCases};

/// Most blocks in one sync response, and their most bytes (a single block
/// larger than that is still sent alone).
const MAX_SYNC_BLOCKS: u64 = 64;
const MAX_SYNC_BYTES: usize = 16 * 1024 * 1024;
/// Most complete proposals kept for heights this node has not reached yet.
const MAX_EARLY: usize = 16;

/// A proposal as the store keeps it until its height is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProposal {
    /// Round (`None`: unknown, for a block received through sync).
    pub round: Option<u32>,
    /// Polka round of a re-proposal.
    pub pol_round: Option<u32>,
    /// The proposer of that round.
    pub proposer: KeyId,
    /// The block.
    pub block: Block,
}

impl Canonical for StoredProposal {
    const KIND: &'static str = "stored proposal";
    const MAX_ENCODED_LEN: usize = MAX_BLOCK_BYTES + 256;
}

/// Everything the host needs.
pub struct HostParts {
    /// The store.
    pub store: Store,
    /// The chain.
    pub chain: ChainInfo,
    /// Pending transactions.
    pub mempool: Arc<Mempool>,
    /// This node's validator address (key id of its validator key).
    pub address: Address,
    /// Bounds of proposed blocks.
    pub block_limits: BlockLimits,
    /// Timeouts and block timing.
    pub consensus: ConsensusSection,
    /// Publishes each committed tip.
    pub tip: watch::Sender<Tip>,
    /// Hands the cases of each committed block to the evidence vault.
    pub committed_cases: mpsc::Sender<CommittedCases>,
    /// Publishes the allow-list after blocks that change it.
    pub allow: watch::Sender<AllowList>,
    /// Peers written in the configuration, always allowed.
    pub configured_peers: Vec<libp2p::PeerId>,
    /// Peers and sync state for the API.
    pub status: Arc<NetworkStatus>,
    /// Records each commit outside the store (`HOME/committed-tip`).
    pub recorder: Recorder,
    /// Block times and the drift check read it.
    pub clock: SharedClock,
    /// Free space on the store's disk.
    pub disk: DiskStatus,
}

/// A finalized height whose successor waits for disk space.
struct HeldHeight {
    height: Height,
    commit_ok: bool,
    reply: Reply<Next<Ctx>>,
}

/// The host's state.
pub struct Host {
    parts: HostParts,
    executed: HashMap<Hash, Executed>,
    streams: Streams,
    /// Complete proposals for a height after the next one: judged when
    /// their round starts (the engine's connector waits for every reply in
    /// order, so a reply must never be held back).
    early: Vec<Assembled>,
    last_commit_ok: bool,
    current_height: Height,
    /// Proposers of the last committed headers, for the schedule.
    recent: RecentHeaders,
    /// The engine's validator set for the height after the tip of this hash.
    next_set: Option<(Hash, ValidatorSet)>,
    /// The next height, not started while the disk is full.
    held: Option<HeldHeight>,
}

impl Host {
    /// A host over `parts`.
    pub fn new(parts: HostParts) -> Self {
        Host {
            parts,
            executed: HashMap::new(),
            streams: Streams::default(),
            early: Vec::new(),
            last_commit_ok: true,
            current_height: Height(0),
            recent: RecentHeaders::default(),
            next_set: None,
            held: None,
        }
    }

    /// Starts [`Host::run`] as a task.
    pub fn spawn(self, channels: Channels<Ctx>, stop: Stop) -> JoinHandle<Result<()>> {
        task::spawn("consensus host", self.run(channels, stop))
    }

    /// Answers the engine until it stops or the node does (`stop`, looked at
    /// between two messages, never during one). A storage failure ends the
    /// loop with an error: the node must stop rather than guess.
    pub async fn run(mut self, mut channels: Channels<Ctx>, mut stop: Stop) -> Result<()> {
        let mut disk = self.parts.disk.clone();
        loop {
            tokio::select! {
                biased;
                () = stopped(&mut stop) => return Ok(()),
                changed = disk.changed(), if self.held.is_some() => {
                    if changed.is_err() || !disk.borrow_and_update().is_full() {
                        self.release_held()?;
                    }
                }
                message = channels.consensus.recv() => match message {
                    Some(message) => self.handle(message, &channels).await?,
                    None => return Ok(()),
                },
            }
        }
    }

    fn tip(&self) -> Result<Tip> {
        self.parts.chain.tip(&self.parts.store)
    }

    /// The engine's parameters for the next height: the validator set the
    /// state holds now (after the last committed block), who of it is absent
    /// from the recent headers, and the timeouts.
    fn params(&mut self) -> Result<HeightParams<Ctx>> {
        Ok(HeightParams::new(
            self.next_validator_set()?,
            timeouts(&self.parts.consensus),
            None,
        ))
    }

    /// The validator set of the height after the tip, with its absent
    /// members: a function of the committed chain only, so every node hands
    /// its engine the same one for a height, whether it got there by
    /// consensus, by sync or by a restart. Computed once per tip.
    fn next_validator_set(&mut self) -> Result<ValidatorSet> {
        let tip = self.tip()?;
        if let Some((hash, set)) = &self.next_set {
            if *hash == tip.block_hash {
                return Ok(set.clone());
            }
        }
        let ledger_set = read_validator_set(&self.parts.store)?;
        let set = ValidatorSet::from_ledger(&ledger_set);
        let store = &self.parts.store;
        let recent = self
            .recent
            .window(tip.height, proposer::window(&set.powers()), |height| {
                store.header(height).map(|header| {
                    header.map(|header| Proposed {
                        proposer: header.proposer,
                        validators_hash: header.validators_hash,
                    })
                })
            })?;
        let set = set.with_recent(&ledger_set.hash(), &recent);
        if !set.absent.is_empty() {
            tracing::debug!(height = tip.height + 1, absent = ?set.absent, "validators without a recent block propose only at probe heights");
        }
        self.next_set = Some((tip.block_hash, set.clone()));
        Ok(set)
    }

    /// One engine message, to the function that answers its kind.
    async fn handle(&mut self, message: AppMsg<Ctx>, channels: &Channels<Ctx>) -> Result<()> {
        match message {
            AppMsg::ConsensusReady { reply } => self.on_consensus_ready(reply),
            AppMsg::StartedRound {
                height,
                round,
                proposer,
                role,
                reply_value,
            } => self.on_started_round(height, round, proposer, role, reply_value),
            AppMsg::GetValue {
                height,
                round,
                timeout,
                reply,
            } => {
                self.on_get_value(channels, height, round, timeout, reply)
                    .await
            }
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
                Ok(())
            }
            AppMsg::VerifyVoteExtensions {
                extensions, reply, ..
            } => {
                // Extensions are disabled on this chain: any received one is refused.
                let verdicts = extensions
                    .into_iter()
                    .map(|(address, ())| (address, Err(VoteExtensionError::InvalidVoteExtension)))
                    .collect();
                let _ = reply.send(verdicts);
                Ok(())
            }
            AppMsg::RestreamProposal {
                height,
                round,
                valid_round,
                address,
                value_id,
            } => {
                self.on_restream_proposal(channels, height, round, valid_round, address, value_id)
                    .await
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                // Every block is kept.
                let _ = reply.send(Height(1));
                Ok(())
            }
            AppMsg::ReceivedProposalPart {
                from,
                published_by,
                part,
                reply,
            } => match self.streams.insert(from, published_by, part) {
                None => {
                    let _ = reply.send(None);
                    Ok(())
                }
                Some(assembled) => self.on_assembled(assembled, reply),
            },
            AppMsg::Decided {
                certificate, reply, ..
            } => self.on_decided(&certificate, reply),
            AppMsg::Finalized {
                certificate,
                evidence,
                reply,
                ..
            } => self.on_finalized(&certificate, !evidence.is_empty(), reply),
            AppMsg::GetDecidedValues { range, reply } => {
                let values = tokio::task::block_in_place(|| {
                    self.decided_values(*range.start(), *range.end())
                })?;
                let _ = reply.send(values);
                Ok(())
            }
            AppMsg::ProcessSyncedValue {
                height,
                round,
                proposer,
                value_bytes,
                reply,
            } => {
                let outcome = self.synced_value(height, round, proposer, &value_bytes)?;
                let _ = reply.send(outcome);
                Ok(())
            }
        }
    }

    /// Consensus starts at the height after the committed tip.
    fn on_consensus_ready(&mut self, reply: Reply<(Height, HeightParams<Ctx>)>) -> Result<()> {
        let tip = self.tip()?;
        tracing::info!(
            height = tip.height + 1,
            "consensus ready; starting at the next height"
        );
        let _ = reply.send((Height(tip.height + 1), self.params()?));
        Ok(())
    }

    /// A round starts: the engine gets every proposal of it this node
    /// already holds (stored before a restart, or received early).
    fn on_started_round(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
        role: Role,
        reply_value: Reply<Vec<ProposedValue<Ctx>>>,
    ) -> Result<()> {
        let round_number = round.as_u32().unwrap_or(0);
        self.parts
            .status
            .round
            .store(u64::from(round_number), Ordering::Relaxed);
        Metrics::get().round.set(i64::from(round_number));
        if height != self.current_height {
            self.current_height = height;
            self.streams.prune_below(height);
        }
        tracing::debug!(%height, %round, %proposer, proposing = matches!(role, Role::Proposer), "round started");
        let mut seen: Vec<ProposedValue<Ctx>> = self
            .stored(height)?
            .into_iter()
            .filter(|stored| stored.round == round.as_u32())
            .map(|stored| proposed_value(height, &stored, Validity::Valid))
            .collect();
        seen.extend(self.judge_early(height, round)?);
        let _ = reply_value.send(seen);
        Ok(())
    }

    /// This node proposes: it answers with its block's header and streams
    /// the block to its peers.
    async fn on_get_value(
        &mut self,
        channels: &Channels<Ctx>,
        height: Height,
        round: Round,
        timeout: Duration,
        reply: Reply<LocallyProposedValue<Ctx>>,
    ) -> Result<()> {
        let block = self.value_to_propose(height, round, timeout).await?;
        let value = Value::new(block.header.clone());
        let _ = reply.send(LocallyProposedValue::new(height, round, value));
        publish(channels, &block, round, Round::Nil, self.parts.address).await;
        Ok(())
    }

    /// Streams a stored proposal again, for a round that re-proposes it.
    async fn on_restream_proposal(
        &mut self,
        channels: &Channels<Ctx>,
        height: Height,
        round: Round,
        valid_round: Round,
        address: Address,
        value_id: Hash,
    ) -> Result<()> {
        let found = self
            .stored(height)?
            .into_iter()
            .find(|stored| stored.block.header.hash() == value_id);
        match found {
            Some(stored) => publish(channels, &stored.block, round, valid_round, address).await,
            None => {
                tracing::warn!(%height, %value_id, "asked to restream a proposal this node does not have")
            }
        }
        Ok(())
    }

    /// Commits a decided block before answering. A failure that leaves the
    /// store half-known stops the node; any other restarts the height.
    fn on_decided(&mut self, certificate: &CommitCertificate<Ctx>, reply: Reply<()>) -> Result<()> {
        let height = certificate.height;
        let started = Instant::now();
        let outcome = tokio::task::block_in_place(|| self.commit(certificate));
        self.last_commit_ok = match outcome {
            Ok(()) => true,
            // A block committed but not recorded (Io) must not be
            // acknowledged either: its height would not restart.
            Err(
                error @ (Error::Storage(_)
                | Error::CorruptState { .. }
                | Error::Io { .. }
                | Error::ResyncDiverged { .. }),
            ) => {
                // A half-known store is worse than a stopped node.
                tracing::error!(%height, %error, "committing a decided block failed; stopping");
                return Err(error);
            }
            Err(error) => {
                tracing::error!(%height, %error, "cannot commit the decided block; the height restarts");
                false
            }
        };
        Metrics::get()
            .commit_seconds
            .observe(started.elapsed().as_secs_f64());
        let _ = reply.send(());
        Ok(())
    }

    /// The engine moves to the next height, or restarts this one when its
    /// block could not be committed.
    fn on_finalized(
        &mut self,
        certificate: &CommitCertificate<Ctx>,
        double_signing: bool,
        reply: Reply<Next<Ctx>>,
    ) -> Result<()> {
        if double_signing {
            Metrics::get().misbehaviour_heights.inc();
            tracing::warn!(height = %certificate.height, "evidence of double signing in this height");
        }
        let held = HeldHeight {
            height: certificate.height,
            commit_ok: self.last_commit_ok,
            reply,
        };
        let disk = *self.parts.disk.borrow();
        if disk.is_full() {
            tracing::error!(
                height = %certificate.height,
                free = %bytesize::ByteSize(disk.free_bytes),
                "disk full: this node starts no new height, and so does not vote, until space is freed"
            );
            self.held = Some(held);
            return Ok(());
        }
        self.answer_finalized(held)
    }

    /// Starts the next height (or restarts this one) for a finalized one.
    fn answer_finalized(&mut self, held: HeldHeight) -> Result<()> {
        let next = if held.commit_ok {
            Next::Start(Height(held.height.0 + 1), self.params()?)
        } else {
            Next::Restart(held.height, self.params()?)
        };
        let _ = held.reply.send(next);
        Ok(())
    }

    /// Space is back: the held height goes on.
    fn release_held(&mut self) -> Result<()> {
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        tracing::info!(height = %held.height, "disk space is back: starting the next height");
        self.answer_finalized(held)
    }

    /// This node's proposal for (height, round): the one it already made
    /// (after a restart), or a new block from the mempool. An empty mempool
    /// is given `empty_block_wait` (at most half the engine's timeout) to fill.
    async fn value_to_propose(
        &mut self,
        height: Height,
        round: Round,
        timeout: Duration,
    ) -> Result<Block> {
        let me = self.parts.address.0;
        if let Some(stored) = self
            .stored(height)?
            .into_iter()
            .find(|stored| stored.round == round.as_u32() && stored.proposer == me)
        {
            return Ok(stored.block);
        }
        let wait = self.parts.consensus.empty_block_wait.min(timeout / 2);
        let deadline = tokio::time::Instant::now() + wait;
        self.parts.mempool.wait_for_queued(Some(deadline)).await;
        let candidates = self.parts.mempool.peek_batch(self.parts.block_limits);
        let executed = tokio::task::block_in_place(|| -> Result<Executed> {
            let parent = self.tip()?;
            if parent.height + 1 != height.0 {
                tracing::warn!(%height, tip = parent.height, "asked to propose for a height that does not follow the tip");
            }
            let executed = build_block(
                &self.parts.store,
                &self.parts.chain,
                &parent,
                me,
                candidates,
                &self.parts.mempool,
                self.parts.clock.now_ms(),
            )?;
            self.persist(&StoredProposal {
                round: round.as_u32(),
                pol_round: None,
                proposer: me,
                block: executed.block.clone(),
            })?;
            Ok(executed)
        })?;
        tracing::info!(%height, %round, txs = executed.block.txs.len(), "proposing a block");
        let block = executed.block.clone();
        self.executed.insert(block.header.hash(), executed);
        Ok(block)
    }

    fn on_assembled(
        &mut self,
        assembled: Assembled,
        reply: Reply<Option<ProposedValue<Ctx>>>,
    ) -> Result<()> {
        let tip = self.tip()?;
        if assembled.height.0 == tip.height + 1 {
            let value = tokio::task::block_in_place(|| self.judge(assembled))?;
            let _ = reply.send(value);
            return Ok(());
        }
        if assembled.height.0 > tip.height + 1 {
            if self.early.len() >= MAX_EARLY {
                self.early.remove(0);
            }
            self.early.push(assembled);
        }
        let _ = reply.send(None);
        Ok(())
    }

    /// Judges the proposals for (height, round) that arrived before their
    /// height, now that the height before is committed.
    fn judge_early(&mut self, height: Height, round: Round) -> Result<Vec<ProposedValue<Ctx>>> {
        self.early.retain(|assembled| assembled.height >= height);
        let (now, later): (Vec<Assembled>, Vec<Assembled>) = std::mem::take(&mut self.early)
            .into_iter()
            .partition(|assembled| assembled.height == height && assembled.round == round);
        self.early = later;
        let mut values = Vec::new();
        for assembled in now {
            let value = tokio::task::block_in_place(|| self.judge(assembled))?;
            values.extend(value.filter(|value| value.validity.is_valid()));
        }
        Ok(values)
    }

    /// Whether a stream claims this round's proposer and, when the transport
    /// names its publisher, comes from a validator's node (a peer id follows
    /// from a key, or the peer proved the validator's key with a validator
    /// proof: a validator whose key lives on a token has another peer key).
    /// Parts are unsigned: without this any admitted peer could
    /// make every validator execute blocks of its choosing. Any validator,
    /// not only the proposer, may restream a proposal (Malachite's liveness
    /// path for hidden locks).
    /// The schedule is the one the engine has for the height (the proposal
    /// is for the height after the tip), so a re-proposal, whose stream
    /// names the proposer of its new round, passes as the engine's own
    /// proposer check does.
    fn is_from_a_validator(&mut self, assembled: &Assembled) -> Result<bool> {
        let set = self.next_validator_set()?;
        let round = assembled.round.as_u32().unwrap_or(0);
        let Some(index) = proposer_index(&set, assembled.height.0, round) else {
            return Ok(false);
        };
        if set.validators[index].address != assembled.proposer {
            return Ok(false);
        }
        Ok(match assembled.publisher {
            None => true,
            Some(publisher) => {
                let publisher = publisher.to_bytes();
                let proven = self.parts.status.proven_validator_key(&publisher);
                set.validators.iter().any(|validator| {
                    proven == Some(validator.public_key)
                        || p2p::peer_id(&validator.public_key)
                            .is_some_and(|peer| peer.to_bytes() == publisher)
                })
            }
        })
    }

    /// Re-executes a proposal for the next height and says whether it is
    /// valid; `None` for a stream that no validator published, which is
    /// dropped without a verdict.
    fn judge(&mut self, assembled: Assembled) -> Result<Option<ProposedValue<Ctx>>> {
        let height = assembled.height;
        let _span = tracing::info_span!(
            "node.consensus.verify",
            height = height.0,
            round = assembled.round.as_i64()
        )
        .entered();
        let hash = assembled.block.header.hash();
        if !self.is_from_a_validator(&assembled)? {
            tracing::debug!(%height, round = %assembled.round, "dropping a proposal stream no validator published");
            return Ok(None);
        }
        let stored = StoredProposal {
            round: assembled.round.as_u32(),
            pol_round: assembled.pol_round.as_u32(),
            proposer: assembled.proposer.0,
            block: assembled.block,
        };
        if self.executed.contains_key(&hash) {
            self.persist(&stored)?;
            return Ok(Some(proposed_value(height, &stored, Validity::Valid)));
        }
        let parent = self.tip()?;
        let check = Check::Proposal {
            now_ms: self.parts.clock.now_ms(),
            drift_ms: u64::try_from(self.parts.consensus.max_clock_drift.as_millis())
                .unwrap_or(u64::MAX),
        };
        let outcome = check_block(
            &self.parts.store,
            &self.parts.chain,
            &parent,
            stored.block.clone(),
            &self.parts.mempool,
            check,
        );
        match outcome {
            Ok(executed) => {
                self.persist(&stored)?;
                self.executed.insert(hash, executed);
                Ok(Some(proposed_value(height, &stored, Validity::Valid)))
            }
            Err(refusal) => {
                let refusal = block_refusal(refusal)?;
                Metrics::get().refused_proposals.inc();
                tracing::warn!(%height, round = ?stored.round, proposer = %stored.proposer, %refusal, "refusing a proposal");
                Ok(Some(proposed_value(height, &stored, Validity::Invalid)))
            }
        }
    }

    /// Commits a decided block with its certificate, unless it already is.
    fn commit(&mut self, certificate: &CommitCertificate<Ctx>) -> Result<()> {
        let height = certificate.height.0;
        let _span = tracing::info_span!(
            "node.consensus.commit",
            height = height,
            round = certificate.round.as_i64()
        )
        .entered();
        let block_hash = certificate.value_id;
        let parent = self.tip()?;
        if height <= parent.height {
            return Ok(());
        }
        if height != parent.height + 1 {
            return Err(Error::Consensus {
                reason: format!(
                    "decided height {height} does not follow the tip {}",
                    parent.height
                ),
            });
        }
        let executed = match self.executed.remove(&block_hash) {
            Some(executed) => executed,
            None => {
                let stored = self
                    .stored(certificate.height)?
                    .into_iter()
                    .find(|stored| stored.block.header.hash() == block_hash)
                    .ok_or_else(|| Error::Consensus {
                        reason: format!(
                            "decided block {block_hash} at height {height} is not in the store"
                        ),
                    })?;
                check_block(
                    &self.parts.store,
                    &self.parts.chain,
                    &parent,
                    stored.block,
                    &self.parts.mempool,
                    Check::Decided,
                )
                .map_err(|refusal| match block_refusal(refusal) {
                    Err(error) => error,
                    // Validators holding 2/3 of the power accepted this block:
                    // a different result here means this node diverged.
                    Ok(other) => Error::Consensus {
                        reason: format!(
                            "this node's execution of decided block {block_hash} differs: {other}"
                        ),
                    },
                })?
            }
        };
        let commit = ledger_commit(certificate).ok_or_else(|| Error::Consensus {
            reason: "a commit certificate without a round".into(),
        })?;
        let validators = read_validator_set(&self.parts.store)?;
        commit
            .verify(&executed.block.header, &validators)
            .map_err(|error| Error::Consensus {
                reason: format!("the engine's certificate is not a valid ledger commit: {error}"),
            })?;
        self.parts.store.commit_decided_block(
            &executed.block,
            &executed.results,
            &commit,
            &executed.update,
        )?;
        // Before the engine and the API learn of the block.
        self.parts.recorder.committed(height, block_hash)?;
        self.after_commit(&executed.block, &executed.results, &parent)?;
        Ok(())
    }

    fn after_commit(&mut self, block: &Block, results: &BlockResults, parent: &Tip) -> Result<()> {
        let header = &block.header;
        let hashes: Vec<Hash> = results.0.iter().map(|result| result.tx).collect();
        self.parts
            .mempool
            .remove_committed(&hashes, header.height + 1);
        let tip = Tip {
            height: header.height,
            block_hash: header.hash(),
            time_ms: header.time_ms,
            state_root: header.state_root,
            history_root: self.parts.store.history_root(header.height)?,
        };
        // Before the tip moves, so that the vault finds the block's cases
        // when it sees the new tip; when its backlog is full it reads the
        // block from the store instead.
        let cases = CommittedCases {
            height: header.height,
            cases: cases_in_block(block),
        };
        if self.parts.committed_cases.try_send(cases).is_err() {
            tracing::debug!(
                height = header.height,
                "the evidence vault is behind; it will read this block from the store"
            );
        }
        self.parts.tip.send_replace(tip);
        self.executed.clear();
        self.streams.prune_below(Height(header.height + 1));
        let metrics = Metrics::get();
        metrics
            .height
            .set(i64::try_from(header.height).unwrap_or(i64::MAX));
        metrics.committed_blocks.inc();
        metrics.committed_txs.inc_by(block.txs.len() as u64);
        metrics
            .mempool_size
            .set(i64::try_from(self.parts.mempool.len()).unwrap_or(i64::MAX));
        let interval_ms = header.time_ms.saturating_sub(parent.time_ms);
        metrics
            .block_interval_seconds
            .observe(interval_ms as f64 / 1000.0);
        tracing::info!(height = header.height, txs = block.txs.len(), hash = %tip.block_hash, "block committed");
        let list = p2p::allow_list(&self.parts.store, &self.parts.configured_peers)?;
        self.parts.allow.send_if_modified(|current| {
            let changed = *current != list;
            if changed {
                *current = list;
            }
            changed
        });
        Ok(())
    }

    fn decided_values(&self, first: Height, last: Height) -> Result<Vec<RawDecidedValue<Ctx>>> {
        let store = &self.parts.store;
        let tip = store.tip()?.unwrap_or(0);
        let first = first.0.max(1);
        let last = last
            .0
            .min(tip)
            .min(first.saturating_add(MAX_SYNC_BLOCKS - 1));
        let mut values = Vec::new();
        let mut bytes = 0;
        for height in first..=last {
            let (Some(block), Some(commit)) = (store.block(height)?, store.commit(height)?) else {
                break;
            };
            let encoded = codec::encode(&block);
            bytes += encoded.len();
            if bytes > MAX_SYNC_BYTES && !values.is_empty() {
                break;
            }
            values.push(RawDecidedValue::new(
                Bytes::from(encoded),
                extended_certificate(&commit),
            ));
        }
        Ok(values)
    }

    /// A block received through sync: its certificate was checked by the
    /// engine; the bytes must be that certified block. It is kept like a
    /// proposal and executed when the engine decides it.
    fn synced_value(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
        bytes: &[u8],
    ) -> Result<SyncedValueOutcome<Ctx>> {
        let block: Block = match codec::decode(bytes) {
            Ok(block) => block,
            Err(error) => {
                tracing::warn!(%height, %error, "undecodable block from sync");
                return Ok(SyncedValueOutcome::PeerFault);
            }
        };
        if block.header.height != height.0 || !matches_header(&block) {
            tracing::warn!(%height, "a synced block does not match its header");
            return Ok(SyncedValueOutcome::PeerFault);
        }
        let stored = StoredProposal {
            round: round.as_u32(),
            pol_round: None,
            proposer: proposer.0,
            block,
        };
        tokio::task::block_in_place(|| self.persist(&stored))?;
        self.parts.status.synced_one();
        Metrics::get().synced_blocks.inc();
        Ok(SyncedValueOutcome::Verdict(proposed_value(
            height,
            &stored,
            Validity::Valid,
        )))
    }

    fn persist(&self, stored: &StoredProposal) -> Result<()> {
        let header = &stored.block.header;
        self.parts.store.put_undecided(
            header.height,
            stored.round.unwrap_or(u32::MAX),
            &header.hash(),
            &codec::encode(stored),
        )?;
        Ok(())
    }

    fn stored(&self, height: Height) -> Result<Vec<StoredProposal>> {
        self.parts
            .store
            .undecided_at(height.0)?
            .into_iter()
            .map(|(_, _, bytes)| {
                codec::decode::<StoredProposal>(&bytes).map_err(|error| {
                    Error::Storage(xianjie_store::StorageError::Corrupt {
                        key: format!("undecided proposal at height {}", height.0),
                        reason: error.to_string(),
                    })
                })
            })
            .collect()
    }
}

fn proposed_value(
    height: Height,
    stored: &StoredProposal,
    validity: Validity,
) -> ProposedValue<Ctx> {
    ProposedValue {
        height,
        round: stored.round.map_or(Round::Nil, Round::new),
        valid_round: stored.pol_round.map_or(Round::Nil, Round::new),
        proposer: Address(stored.proposer),
        value: Value::new(stored.block.header.clone()),
        validity,
    }
}

async fn publish(
    channels: &Channels<Ctx>,
    block: &Block,
    round: Round,
    pol_round: Round,
    proposer: Address,
) {
    for message in split(block, round, pol_round, proposer) {
        if channels
            .network
            .send(NetworkMsg::PublishProposalPart(message))
            .await
            .is_err()
        {
            tracing::error!("the consensus network stopped; proposal not sent");
            return;
        }
    }
}
