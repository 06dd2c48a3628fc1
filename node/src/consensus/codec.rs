//! The wire and write-ahead-log encoding of every engine type, in the
//! ledger's canonical binary codec.
//!
//! The engine's types have no serde implementations, so each is mapped to a
//! local transfer type ("wire type") made of ledger types and plain integers,
//! and encoded with [`xianjie_ledger::codec`]: one format-version byte, then
//! postcard; decoding rejects trailing bytes, unknown versions, inputs over
//! the type's size limit and non-canonical encodings. A round is an
//! `Option<u32>` (`None` is nil), a nil-or-value is an `Option<Hash>`. Enum
//! variants are encoded by position: append only. Changing any wire type
//! makes old write-ahead logs unreadable and old peers incompatible, so the
//! golden-bytes test below pins a vote.

use bytes::Bytes;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    CommitCertificate, ExtendedCommitCertificate, ExtendedCommitSignature, NilOrVal,
    PolkaCertificate, PolkaSignature, Round, RoundCertificate, RoundCertificateType,
    RoundSignature, SignedMessage, ValidatorProof, Validity, VoteType,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};
use malachitebft_sync::{ValueRequest, ValueResponse};
use serde::{Deserialize, Serialize};
use xianjie_ledger::block::{Header, MAX_BLOCK_BYTES};
use xianjie_ledger::codec::{self as canonical, Canonical};
use xianjie_ledger::crypto::{KeyId, Signature, VoteKind};
use xianjie_ledger::error::CodecError;
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::MAX_VALIDATORS;
use xianjie_ledger::Hash;

use super::context::{Address, Ctx, Height, Proposal, ProposalPart, Value, Vote};

/// Largest proposal part on the wire: a chunk of transactions (the
/// proposer keeps chunks at a quarter of this).
pub const MAX_PART_BYTES: usize = 2 * 1024 * 1024 + 64 * 1024;

/// Largest sync response: at most this many bytes of blocks.
pub const MAX_SYNC_RESPONSE_BYTES: usize = 40 * 1024 * 1024;

/// Why bytes from a peer or the write-ahead log were refused.
#[derive(Debug, thiserror::Error)]
#[error("consensus codec: {0}")]
pub struct WireError(String);

impl From<CodecError> for WireError {
    fn from(error: CodecError) -> Self {
        WireError(error.to_string())
    }
}

/// Maps an engine type to its wire type and back.
pub trait Wire: Sized {
    /// The wire type.
    type Raw: Canonical;
    /// To the wire type.
    fn to_raw(&self) -> Self::Raw;
    /// From the wire type, checking what the type system cannot.
    fn from_raw(raw: Self::Raw) -> Result<Self, WireError>;
}

/// The one codec for the network, the write-ahead log and sync.
#[derive(Copy, Clone, Debug, Default)]
pub struct WireCodec;

impl<T: Wire + Send + Sync + 'static> Codec<T> for WireCodec {
    type Error = WireError;

    fn decode(&self, bytes: Bytes) -> Result<T, WireError> {
        T::from_raw(canonical::decode::<T::Raw>(&bytes)?)
    }

    fn encode(&self, message: &T) -> Result<Bytes, WireError> {
        Ok(Bytes::from(canonical::encode(&message.to_raw())))
    }
}

impl HasEncodedLen<Response<Ctx>> for WireCodec {
    fn encoded_len(&self, message: &Response<Ctx>) -> Result<usize, WireError> {
        Ok(canonical::encode(&message.to_raw()).len())
    }
}

macro_rules! canonical_wire {
    ($($name:ident: $kind:expr, $max:expr;)*) => {
        $(impl Canonical for $name {
            const KIND: &'static str = $kind;
            const MAX_ENCODED_LEN: usize = $max;
        })*
    };
}

fn round_to(round: Round) -> Option<u32> {
    round.as_u32()
}

fn round_from(round: Option<u32>) -> Round {
    round.map_or(Round::Nil, Round::new)
}

fn nil_or_to(value: &NilOrVal<Hash>) -> Option<Hash> {
    match value {
        NilOrVal::Nil => None,
        NilOrVal::Val(hash) => Some(*hash),
    }
}

fn nil_or_from(value: Option<Hash>) -> NilOrVal<Hash> {
    value.map_or(NilOrVal::Nil, NilOrVal::Val)
}

fn kind_to(kind: VoteType) -> VoteKind {
    match kind {
        VoteType::Prevote => VoteKind::Prevote,
        VoteType::Precommit => VoteKind::Precommit,
    }
}

fn kind_from(kind: VoteKind) -> VoteType {
    match kind {
        VoteKind::Prevote => VoteType::Prevote,
        VoteKind::Precommit => VoteType::Precommit,
    }
}

/// A vote on the wire (vote extensions are disabled and never sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireVote {
    kind: VoteKind,
    height: u64,
    round: Option<u32>,
    value: Option<Hash>,
    validator: KeyId,
}

impl WireVote {
    fn from_vote(vote: &Vote) -> Self {
        WireVote {
            kind: kind_to(vote.kind),
            height: vote.height.0,
            round: round_to(vote.round),
            value: nil_or_to(&vote.value),
            validator: vote.validator.0,
        }
    }

    fn into_vote(self) -> Vote {
        Vote {
            kind: kind_from(self.kind),
            height: Height(self.height),
            round: round_from(self.round),
            value: nil_or_from(self.value),
            validator: Address(self.validator),
            extension: None,
        }
    }
}

/// A proposal on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireProposal {
    height: u64,
    round: Option<u32>,
    header: Header,
    pol_round: Option<u32>,
    proposer: KeyId,
}

impl WireProposal {
    fn from_proposal(proposal: &Proposal) -> Self {
        WireProposal {
            height: proposal.height.0,
            round: round_to(proposal.round),
            header: proposal.value.header().clone(),
            pol_round: round_to(proposal.pol_round),
            proposer: proposal.proposer.0,
        }
    }

    fn into_proposal(self) -> Proposal {
        Proposal {
            height: Height(self.height),
            round: round_from(self.round),
            value: Value::new(self.header),
            pol_round: round_from(self.pol_round),
            proposer: Address(self.proposer),
        }
    }
}

/// A signed vote or proposal.
// Short-lived messages, a few per round: a box would only add an
// allocation to each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireConsensusMsg {
    /// A vote and its signature.
    Vote(WireVote, Signature),
    /// A proposal and its signature.
    Proposal(WireProposal, Signature),
}

impl Wire for SignedConsensusMsg<Ctx> {
    type Raw = WireConsensusMsg;
    fn to_raw(&self) -> WireConsensusMsg {
        match self {
            SignedConsensusMsg::Vote(v) => {
                WireConsensusMsg::Vote(WireVote::from_vote(&v.message), v.signature)
            }
            SignedConsensusMsg::Proposal(p) => {
                WireConsensusMsg::Proposal(WireProposal::from_proposal(&p.message), p.signature)
            }
        }
    }
    fn from_raw(raw: WireConsensusMsg) -> Result<Self, WireError> {
        Ok(match raw {
            WireConsensusMsg::Vote(v, s) => {
                SignedConsensusMsg::Vote(SignedMessage::new(v.into_vote(), s))
            }
            WireConsensusMsg::Proposal(p, s) => {
                SignedConsensusMsg::Proposal(SignedMessage::new(p.into_proposal(), s))
            }
        })
    }
}

/// A signature of a validator in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireSignature {
    validator: KeyId,
    signature: Signature,
}

/// A polka certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePolka {
    height: u64,
    round: Option<u32>,
    value: Hash,
    signatures: Vec<WireSignature>,
}

impl Wire for PolkaCertificate<Ctx> {
    type Raw = WirePolka;
    fn to_raw(&self) -> WirePolka {
        WirePolka {
            height: self.height.0,
            round: round_to(self.round),
            value: self.value_id,
            signatures: self
                .polka_signatures
                .iter()
                .map(|s| WireSignature {
                    validator: s.address.0,
                    signature: s.signature,
                })
                .collect(),
        }
    }
    fn from_raw(raw: WirePolka) -> Result<Self, WireError> {
        Ok(PolkaCertificate {
            height: Height(raw.height),
            round: round_from(raw.round),
            value_id: raw.value,
            polka_signatures: raw
                .signatures
                .into_iter()
                .map(|s| PolkaSignature {
                    address: Address(s.validator),
                    signature: s.signature,
                })
                .collect(),
        })
    }
}

/// One vote signature of a round certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRoundSignature {
    kind: VoteKind,
    value: Option<Hash>,
    validator: KeyId,
    signature: Signature,
}

/// The kind of a round certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireRoundCertificateKind {
    /// f+1 votes of a higher round.
    Skip,
    /// 2f+1 precommits of the previous round.
    Precommit,
}

/// A round certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRoundCertificate {
    height: u64,
    round: Option<u32>,
    kind: WireRoundCertificateKind,
    signatures: Vec<WireRoundSignature>,
}

impl Wire for RoundCertificate<Ctx> {
    type Raw = WireRoundCertificate;
    fn to_raw(&self) -> WireRoundCertificate {
        WireRoundCertificate {
            height: self.height.0,
            round: round_to(self.round),
            kind: match self.cert_type {
                RoundCertificateType::Skip => WireRoundCertificateKind::Skip,
                RoundCertificateType::Precommit => WireRoundCertificateKind::Precommit,
            },
            signatures: self
                .round_signatures
                .iter()
                .map(|s| WireRoundSignature {
                    kind: kind_to(s.vote_type),
                    value: nil_or_to(&s.value_id),
                    validator: s.address.0,
                    signature: s.signature,
                })
                .collect(),
        }
    }
    fn from_raw(raw: WireRoundCertificate) -> Result<Self, WireError> {
        Ok(RoundCertificate {
            height: Height(raw.height),
            round: round_from(raw.round),
            cert_type: match raw.kind {
                WireRoundCertificateKind::Skip => RoundCertificateType::Skip,
                WireRoundCertificateKind::Precommit => RoundCertificateType::Precommit,
            },
            round_signatures: raw
                .signatures
                .into_iter()
                .map(|s| RoundSignature {
                    vote_type: kind_from(s.kind),
                    value_id: nil_or_from(s.value),
                    address: Address(s.validator),
                    signature: s.signature,
                })
                .collect(),
        })
    }
}

/// A liveness message: a vote, a polka or a round certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireLiveness {
    /// A vote and its signature.
    Vote(WireVote, Signature),
    /// A polka certificate.
    Polka(WirePolka),
    /// A round certificate.
    SkipRound(WireRoundCertificate),
}

impl Wire for LivenessMsg<Ctx> {
    type Raw = WireLiveness;
    fn to_raw(&self) -> WireLiveness {
        match self {
            LivenessMsg::Vote(v) => {
                WireLiveness::Vote(WireVote::from_vote(&v.message), v.signature)
            }
            LivenessMsg::PolkaCertificate(c) => WireLiveness::Polka(c.to_raw()),
            LivenessMsg::SkipRoundCertificate(c) => WireLiveness::SkipRound(c.to_raw()),
        }
    }
    fn from_raw(raw: WireLiveness) -> Result<Self, WireError> {
        Ok(match raw {
            WireLiveness::Vote(v, s) => LivenessMsg::Vote(SignedMessage::new(v.into_vote(), s)),
            WireLiveness::Polka(c) => LivenessMsg::PolkaCertificate(PolkaCertificate::from_raw(c)?),
            WireLiveness::SkipRound(c) => {
                LivenessMsg::SkipRoundCertificate(RoundCertificate::from_raw(c)?)
            }
        })
    }
}

/// A proposal part.
// Short-lived messages, a few per round: a box would only add an
// allocation to each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WirePart {
    /// Opens a stream.
    Init {
        /// Height.
        height: u64,
        /// Round.
        round: Option<u32>,
        /// Polka round of a re-proposal.
        pol_round: Option<u32>,
        /// This round's proposer.
        proposer: KeyId,
    },
    /// Transactions, in block order.
    Txs(Vec<SignedTx>),
    /// Closes a stream with the header.
    Fin(Header),
}

impl Wire for ProposalPart {
    type Raw = WirePart;
    fn to_raw(&self) -> WirePart {
        match self {
            ProposalPart::Init {
                height,
                round,
                pol_round,
                proposer,
            } => WirePart::Init {
                height: height.0,
                round: round_to(*round),
                pol_round: round_to(*pol_round),
                proposer: proposer.0,
            },
            ProposalPart::Txs(txs) => WirePart::Txs(txs.clone()),
            ProposalPart::Fin(header) => WirePart::Fin(header.clone()),
        }
    }
    fn from_raw(raw: WirePart) -> Result<Self, WireError> {
        Ok(match raw {
            WirePart::Init {
                height,
                round,
                pol_round,
                proposer,
            } => ProposalPart::Init {
                height: Height(height),
                round: round_from(round),
                pol_round: round_from(pol_round),
                proposer: Address(proposer),
            },
            WirePart::Txs(txs) => ProposalPart::Txs(txs),
            WirePart::Fin(header) => ProposalPart::Fin(header),
        })
    }
}

/// A message of a proposal stream (`content: None` ends the stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireStreamMessage {
    stream_id: Vec<u8>,
    sequence: u64,
    content: Option<WirePart>,
}

impl Wire for StreamMessage<ProposalPart> {
    type Raw = WireStreamMessage;
    fn to_raw(&self) -> WireStreamMessage {
        WireStreamMessage {
            stream_id: self.stream_id.to_bytes().to_vec(),
            sequence: self.sequence,
            content: self.content.as_data().map(Wire::to_raw),
        }
    }
    fn from_raw(raw: WireStreamMessage) -> Result<Self, WireError> {
        if raw.stream_id.len() > 64 {
            return Err(WireError("stream id longer than 64 bytes".into()));
        }
        let content = match raw.content {
            Some(part) => StreamContent::Data(ProposalPart::from_raw(part)?),
            None => StreamContent::Fin,
        };
        Ok(StreamMessage::new(
            StreamId::new(Bytes::from(raw.stream_id)),
            raw.sequence,
            content,
        ))
    }
}

/// A validator's proof that it owns a libp2p peer id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireValidatorProof {
    public_key: Vec<u8>,
    peer_id: Vec<u8>,
    signature: Signature,
}

impl Wire for ValidatorProof<Ctx> {
    type Raw = WireValidatorProof;
    fn to_raw(&self) -> WireValidatorProof {
        WireValidatorProof {
            public_key: self.public_key.clone(),
            peer_id: self.peer_id.clone(),
            signature: self.signature,
        }
    }
    fn from_raw(raw: WireValidatorProof) -> Result<Self, WireError> {
        Ok(ValidatorProof::new(
            raw.public_key,
            raw.peer_id,
            raw.signature,
        ))
    }
}

/// A proposed value as the write-ahead log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireProposedValue {
    height: u64,
    round: Option<u32>,
    valid_round: Option<u32>,
    proposer: KeyId,
    header: Header,
    valid: bool,
}

impl Wire for ProposedValue<Ctx> {
    type Raw = WireProposedValue;
    fn to_raw(&self) -> WireProposedValue {
        WireProposedValue {
            height: self.height.0,
            round: round_to(self.round),
            valid_round: round_to(self.valid_round),
            proposer: self.proposer.0,
            header: self.value.header().clone(),
            valid: self.validity.is_valid(),
        }
    }
    fn from_raw(raw: WireProposedValue) -> Result<Self, WireError> {
        Ok(ProposedValue {
            height: Height(raw.height),
            round: round_from(raw.round),
            valid_round: round_from(raw.valid_round),
            proposer: Address(raw.proposer),
            value: Value::new(raw.header),
            validity: Validity::from_bool(raw.valid),
        })
    }
}

/// A peer's sync status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireStatus {
    peer_id: Vec<u8>,
    tip_height: u64,
    history_min_height: u64,
}

impl Wire for Status<Ctx> {
    type Raw = WireStatus;
    fn to_raw(&self) -> WireStatus {
        WireStatus {
            peer_id: self.peer_id.to_bytes(),
            tip_height: self.tip_height.0,
            history_min_height: self.history_min_height.0,
        }
    }
    fn from_raw(raw: WireStatus) -> Result<Self, WireError> {
        Ok(Status {
            peer_id: PeerId::from_bytes(&raw.peer_id).map_err(|e| WireError(e.to_string()))?,
            tip_height: Height(raw.tip_height),
            history_min_height: Height(raw.history_min_height),
        })
    }
}

/// A request for a range of decided blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    first: u64,
    last: u64,
}

impl Wire for Request<Ctx> {
    type Raw = WireRequest;
    fn to_raw(&self) -> WireRequest {
        let Request::ValueRequest(request) = self;
        WireRequest {
            first: request.range.start().0,
            last: request.range.end().0,
        }
    }
    fn from_raw(raw: WireRequest) -> Result<Self, WireError> {
        Ok(Request::ValueRequest(ValueRequest::new(
            Height(raw.first)..=Height(raw.last),
        )))
    }
}

/// A commit certificate: exactly a ledger `Commit`'s fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCommit {
    height: u64,
    round: Option<u32>,
    block_hash: Hash,
    signatures: Vec<WireSignature>,
}

/// A decided block: its canonical bytes and its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireDecided {
    block: Vec<u8>,
    commit: WireCommit,
}

/// A sync response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireResponse {
    start_height: u64,
    values: Vec<WireDecided>,
}

impl Wire for Response<Ctx> {
    type Raw = WireResponse;
    fn to_raw(&self) -> WireResponse {
        let Response::ValueResponse(response) = self;
        WireResponse {
            start_height: response.start_height.0,
            values: response
                .values
                .iter()
                .map(|value| WireDecided {
                    block: value.value_bytes.to_vec(),
                    // Vote extensions are disabled: certificates carry none.
                    commit: WireCommit {
                        height: value.certificate.height.0,
                        round: round_to(value.certificate.round),
                        block_hash: value.certificate.value_id,
                        signatures: value
                            .certificate
                            .commit_signatures
                            .iter()
                            .map(|s| WireSignature {
                                validator: s.address.0,
                                signature: s.signature,
                            })
                            .collect(),
                    },
                })
                .collect(),
        }
    }
    fn from_raw(raw: WireResponse) -> Result<Self, WireError> {
        let values = raw
            .values
            .into_iter()
            .map(|value| {
                let certificate = ExtendedCommitCertificate {
                    height: Height(value.commit.height),
                    round: round_from(value.commit.round),
                    value_id: value.commit.block_hash,
                    commit_signatures: value
                        .commit
                        .signatures
                        .into_iter()
                        .map(|s| {
                            ExtendedCommitSignature::new(Address(s.validator), s.signature, None)
                        })
                        .collect(),
                };
                RawDecidedValue::new(Bytes::from(value.block), certificate)
            })
            .collect();
        Ok(Response::ValueResponse(ValueResponse::new(
            Height(raw.start_height),
            values,
        )))
    }
}

/// The ledger certificate of a Malachite commit certificate (one to one).
pub fn ledger_commit(
    certificate: &CommitCertificate<Ctx>,
) -> Option<xianjie_ledger::block::Commit> {
    Some(xianjie_ledger::block::Commit {
        height: certificate.height.0,
        round: certificate.round.as_u32()?,
        block_hash: certificate.value_id,
        signatures: certificate
            .commit_signatures
            .iter()
            .map(|s| xianjie_ledger::block::CommitSignature {
                validator: s.address.0,
                signature: s.signature,
            })
            .collect(),
    })
}

/// The Malachite certificate of a stored ledger commit, for sync.
pub fn extended_certificate(
    commit: &xianjie_ledger::block::Commit,
) -> ExtendedCommitCertificate<Ctx> {
    ExtendedCommitCertificate {
        height: Height(commit.height),
        round: Round::new(commit.round),
        value_id: commit.block_hash,
        commit_signatures: commit
            .signatures
            .iter()
            .map(|s| ExtendedCommitSignature::new(Address(s.validator), s.signature, None))
            .collect(),
    }
}

const CERT_MAX: usize = MAX_VALIDATORS * 160 + 256;

canonical_wire! {
    WireConsensusMsg: "consensus message", 64 * 1024;
    WirePolka: "polka certificate", CERT_MAX;
    WireRoundCertificate: "round certificate", CERT_MAX;
    WireLiveness: "liveness message", CERT_MAX;
    WirePart: "proposal part", MAX_PART_BYTES;
    WireStreamMessage: "proposal stream message", MAX_PART_BYTES + 256;
    WireValidatorProof: "validator proof", 1024;
    WireProposedValue: "proposed value", 4096;
    WireStatus: "sync status", 256;
    WireRequest: "sync request", 64;
    WireResponse: "sync response", MAX_SYNC_RESPONSE_BYTES;
}

// A whole block must fit in one sync response.
const _: () = assert!(MAX_SYNC_RESPONSE_BYTES > MAX_BLOCK_BYTES);

/// Encodes a wire value with the canonical codec (helper for tests).
#[cfg(test)]
fn encode_raw<T: Canonical>(value: &T) -> Vec<u8> {
    canonical::encode(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_app_channel::app::types::core::CommitSignature;

    fn vote() -> Vote {
        Vote {
            kind: VoteType::Precommit,
            height: Height(7),
            round: Round::new(1),
            value: NilOrVal::Val(Hash([0xab; 32])),
            validator: Address(KeyId([0x11; 20])),
            extension: None,
        }
    }

    #[test]
    fn a_signed_vote_has_pinned_bytes_and_round_trips() {
        let message = SignedConsensusMsg::Vote(SignedMessage::new(vote(), Signature([0x22; 64])));
        let bytes = Codec::<SignedConsensusMsg<Ctx>>::encode(&WireCodec, &message).unwrap();
        // version 1, variant Vote (0), kind Precommit (1), height 7, round Some(1),
        // value Some(ab…), validator 11…, signature 22…
        let mut expected = vec![1, 0, 1, 7, 1, 1, 1];
        expected.extend([0xab; 32]);
        expected.extend([0x11; 20]);
        expected.extend([0x22; 64]);
        assert_eq!(bytes.to_vec(), expected);
        let back: SignedConsensusMsg<Ctx> = WireCodec.decode(bytes).unwrap();
        assert_eq!(back, message);
        let mut trailing = expected.clone();
        trailing.push(0);
        assert!(
            Codec::<SignedConsensusMsg<Ctx>>::decode(&WireCodec, Bytes::from(trailing)).is_err()
        );
    }

    #[test]
    fn certificates_convert_one_to_one() {
        let commit = xianjie_ledger::block::Commit {
            height: 3,
            round: 2,
            block_hash: Hash([5; 32]),
            signatures: vec![xianjie_ledger::block::CommitSignature {
                validator: KeyId([1; 20]),
                signature: Signature([2; 64]),
            }],
        };
        let extended = extended_certificate(&commit);
        let plain = CommitCertificate {
            height: extended.height,
            round: extended.round,
            value_id: extended.value_id,
            commit_signatures: extended
                .commit_signatures
                .iter()
                .map(|s| CommitSignature::new(s.address, s.signature))
                .collect(),
        };
        assert_eq!(ledger_commit(&plain), Some(commit));
        let raw = WireRequest { first: 1, last: 5 };
        assert_eq!(encode_raw(&raw), vec![1, 1, 5]);
    }
}
