//! Court-grade evidence receipts: everything needed to prove, offline and
//! without trusting any node, that an evidence file is anchored on a chain,
//! with which class, by whom, when, and with which chain of custody.
//!
//! A [`Receipt`] is self-contained. Given only the chain's genesis document,
//! [`Receipt::verify`] re-checks every link:
//!
//! ```text
//! genesis ── validator set V0 ──signs──> header 1 (prev_hash = genesis hash)
//!    │                         ──signs──> header c ──state_root──> VALIDATORS = V1   (a validator-set change)
//!    │                                     V1 ──signs──> later headers …
//!    └── the set in force at each height ──signs──> header H ──state_root──> evidence record
//!                                                     header of each tx ──tx_root──> anchor / custody tx
//! ```
//!
//! The file format (magic, version, the canonical encoding of every field,
//! every hash) is specified byte by byte in `docs/receipt.md`, so that a
//! third party can write its own verifier. This module holds the type, its
//! encoding and the verifier (pure: no I/O, no clock); the builder, which
//! reads a node's store, is `xianjie_store::receipt::build`.
//!
//! The chain rule the verifier relies on: the validator set stored under
//! [`keys::VALIDATORS`] after block `h` commits block `h + 1`, and each
//! header names the set that commits it in `validators_hash`. A change of the
//! set is therefore visible as a change of `validators_hash` between
//! consecutive headers, and is proven in the receipt by a state proof of
//! `keys::VALIDATORS` under the header of the block that wrote it, a header
//! that the previous set committed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::block::{Commit, CommitError, Header};
use crate::checkpoint::{Checkpoint, SignedNote};
use crate::codec::{self, Canonical};
use crate::crypto::KeyId;
use crate::deposit::{Deposit, Deposits, MAX_DEPOSITS};
use crate::error::{CodecError, ProofError};
use crate::genesis::Genesis;
use crate::hash::Hash;
use crate::ids::{CaseId, OrgId};
use crate::merkle::InclusionProof;
use crate::model::{CustodyEvent, EvidenceCategory, EvidenceClass, EvidenceRecord};
use crate::state::{keys, StateProof};
use crate::timestamps::{MAX_CHECKPOINT_BODY_BYTES, MAX_TOKEN_BYTES};
use crate::tx::{Call, SignedTx};
use crate::validators::{ValidatorSet, MAX_VALIDATORS};

/// The first six bytes of every receipt file.
pub const MAGIC: [u8; 6] = *b"XJRCPT";
/// The receipt file format version, the byte after [`MAGIC`].
pub const RECEIPT_VERSION: u8 = 4;
/// Length of the file header: magic and format version.
pub const FILE_HEADER_LEN: usize = MAGIC.len() + 1;
/// Most custody events a receipt carries (the contracts' own upper limit on
/// `Params::max_custody_events`).
pub const MAX_RECEIPT_CUSTODY: usize = 1024;
/// Most validator-set changes a receipt carries.
pub const MAX_RECEIPT_VALIDATOR_CHANGES: usize = 256;
/// Most certified headers a receipt carries: block 1, the receipt height,
/// the anchor, every custody event and every validator-set change.
pub const MAX_RECEIPT_HEADERS: usize = 3 + MAX_RECEIPT_CUSTODY + MAX_RECEIPT_VALIDATOR_CHANGES;
/// Most witnessed checkpoints a receipt carries.
pub const MAX_RECEIPT_WITNESSED: usize = 16;
/// Most timestamped checkpoints a receipt carries: one per organisation
/// that stamps (`timestamps::MAX_STAMPING_ORGS`).
pub const MAX_RECEIPT_TIMESTAMPED: usize = crate::timestamps::MAX_STAMPING_ORGS;
/// Largest witnessed-checkpoint note (the signed-note limit of
/// `docs/checkpoint.md` §3).
pub const MAX_RECEIPT_NOTE_BYTES: usize = 32 * 1024;
/// Largest receipt file accepted, file header included. The worst case of
/// the limits above (full validator sets on every header) stays below it.
pub const MAX_RECEIPT_BYTES: usize = 128 * 1024 * 1024;

/// A self-contained proof that an evidence record is in the state of a
/// committed block, with its transactions and the validator history that
/// certifies every header, from the genesis on.
///
/// Field order is the encoding order (`docs/receipt.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The chain id.
    pub chain_id: String,
    /// Hash of the genesis document the chain grew from.
    pub genesis_hash: Hash,
    /// The evidence digest (plain BLAKE3 of the file).
    pub digest: Hash,
    /// The receipt height: the block whose state holds `record`.
    pub height: u64,
    /// Every header the receipt needs, with its commit certificate, in
    /// strictly ascending height: block 1, each validator-set change, the
    /// anchor's and each custody event's block, and `height` (the last).
    pub headers: Vec<CertifiedHeader>,
    /// Every validator-set change from the genesis up to `height - 1`, in
    /// strictly ascending height.
    pub validator_changes: Vec<ValidatorChange>,
    /// The evidence record as stored in the state at `height`.
    pub record: EvidenceRecord,
    /// Proof of `keys::evidence(digest)` = canonical `record` under the
    /// state root of the header at `height`.
    pub record_proof: StateProof,
    /// The anchoring transaction.
    pub anchor: TxProof,
    /// One transaction per custody event of `record`, in the same order.
    pub custody: Vec<TxProof>,
    /// Checkpoints of the history that witnesses co-signed, each covering
    /// every header above (`docs/receipt.md` §10.1); possibly none.
    pub witnessed: Vec<WitnessedCheckpoint>,
    /// Checkpoints time-stamped by a TSA whose history holds the anchor's
    /// block (`docs/receipt.md` §10.2); possibly none.
    pub timestamped: Vec<TimestampedCheckpoint>,
    /// The court-chain deposits of the record, proven under the state root
    /// at `height` (`docs/receipt.md` §10.3); absent when the receipt does
    /// not speak of deposits.
    pub deposits: Option<ProvenDeposits>,
}

/// A checkpoint with a time-stamp authority's RFC 3161 token over it, and
/// the inclusion of the anchor's header in the history it states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampedCheckpoint {
    /// The checkpoint body (`docs/checkpoint.md` §2), byte for byte.
    pub checkpoint: String,
    /// The token (DER ContentInfo) over SHA-256 of `checkpoint`.
    pub token: Vec<u8>,
    /// The anchor's header as leaf `anchor height - 1` of that history.
    pub anchor_inclusion: InclusionProof,
}

/// The deposits recorded for the evidence file, with their state proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenDeposits {
    /// The value under `keys::deposits(digest)`.
    pub deposits: Deposits,
    /// Its proof under the state root of the header at the receipt's height.
    pub proof: StateProof,
}

/// A checkpoint co-signed by witnesses, with what binds the receipt's
/// headers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessedCheckpoint {
    /// The signed note: the checkpoint body (`docs/checkpoint.md` §2), a
    /// blank line and one or more cosignature lines.
    pub note: String,
    /// The header the checkpoint names, with its commit certificate.
    pub certified: CertifiedHeader,
    /// For each of the receipt's headers, in order, its inclusion in the
    /// history the checkpoint states.
    pub inclusions: Vec<InclusionProof>,
}

/// A header and the certificate of the validators that committed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedHeader {
    /// The header.
    pub header: Header,
    /// Its commit certificate.
    pub commit: Commit,
}

/// A validator-set change: the set stored under `keys::VALIDATORS` after
/// block `height`, which commits block `height + 1` onwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorChange {
    /// The block that wrote the new set.
    pub height: u64,
    /// The new set.
    pub validators: ValidatorSet,
    /// Proof of `keys::VALIDATORS` = canonical `validators` under the state
    /// root of the header at `height`.
    pub proof: StateProof,
}

/// A validator-set change with the certified header of the block that
/// wrote it: what a witness that trusts the set before needs to trust the
/// set after ([`follow_validator_changes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedValidatorChange {
    /// The header of block `change.height`, with its certificate.
    pub certified: CertifiedHeader,
    /// The set that block wrote, with its state proof.
    pub change: ValidatorChange,
}

/// The set in force after `changes`, starting from `set`, the one that
/// certified header `from` of chain `chain_id` (the genesis set when `from`
/// is 0): each change must be written by a block `c ≥ from` of that chain,
/// in strictly ascending order, whose header the set in force certified,
/// with a state proof of the new set under that header; the new set must be
/// usable and differ. Pure; returns why not.
pub fn follow_validator_changes(
    chain_id: &str,
    set: &ValidatorSet,
    from: u64,
    changes: &[CertifiedValidatorChange],
) -> Result<ValidatorSet, String> {
    let mut set = set.clone();
    let mut next_allowed = from;
    for CertifiedValidatorChange { certified, change } in changes {
        let header = &certified.header;
        let c = change.height;
        if header.chain_id != chain_id {
            return Err(format!(
                "header {c} is of chain `{}`, not `{chain_id}`",
                header.chain_id
            ));
        }
        if header.height != c || c < next_allowed {
            return Err(format!(
                "the change after block {c} is out of order or comes with header {}",
                header.height
            ));
        }
        if header.validators_hash != set.hash() {
            return Err(format!(
                "header {c} is not committed by the validator set in force before it"
            ));
        }
        certified
            .commit
            .verify(header, &set)
            .map_err(|error| format!("header {c}: {error}"))?;
        change
            .verify_under(header)
            .map_err(|error| format!("the set written by block {c} is not proven: {error}"))?;
        check_validator_set(&change.validators, c).map_err(|error| error.to_string())?;
        if change.validators.hash() == set.hash() {
            return Err(format!("the change after block {c} changes nothing"));
        }
        set = change.validators.clone();
        next_allowed = c + 1;
    }
    Ok(set)
}

impl ValidatorChange {
    /// Its proof shows `validators` under the state root of `header` (the
    /// header of block `height`).
    pub fn verify_under(&self, header: &Header) -> Result<(), ProofError> {
        self.proof.verify(
            &header.state_root,
            keys::VALIDATORS,
            Some(&codec::encode(&self.validators)),
        )
    }
}

/// A transaction and its RFC 6962 inclusion proof against the `tx_root` of
/// the header at the height the record names for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxProof {
    /// The signed transaction.
    pub tx: SignedTx,
    /// Its audit path.
    pub inclusion: InclusionProof,
}

impl Canonical for Receipt {
    const KIND: &'static str = "evidence receipt";
    const MAX_ENCODED_LEN: usize = MAX_RECEIPT_BYTES - FILE_HEADER_LEN;
}

/// Which transaction of a receipt a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxRole {
    /// The anchoring transaction.
    Anchor,
    /// The custody transaction of event `n` (from 1, oldest first).
    Custody(usize),
}

impl std::fmt::Display for TxRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxRole::Anchor => f.write_str("the anchor transaction"),
            TxRole::Custody(n) => write!(f, "custody transaction {n}"),
        }
    }
}

impl TxRole {
    fn zh(self) -> String {
        match self {
            TxRole::Anchor => "上链（锚定）交易".to_owned(),
            TxRole::Custody(n) => format!("第 {n} 条保管交易"),
        }
    }
}

/// Why a receipt is not valid: the first check that failed.
///
/// Each variant has a stable [`ReceiptError::code`]; the English message is
/// its `Display`, the Chinese one [`ReceiptError::message_zh`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The file does not start with `XJRCPT`.
    #[error("not a Xianjie receipt: the file does not start with XJRCPT")]
    BadMagic,
    /// The format version is not one this build reads.
    #[error(
        "receipt format version {found} is not supported (this build reads {RECEIPT_VERSION})"
    )]
    UnsupportedVersion {
        /// Version byte found.
        found: u8,
    },
    /// The body is not a canonical encoding of a receipt, or exceeds a limit.
    #[error("the receipt is damaged or not canonically encoded: {source}")]
    Malformed {
        /// The decoder's complaint.
        source: CodecError,
    },
    /// The receipt, a header or a transaction names another chain.
    #[error("chain id {found:?} is not the genesis chain id {expected:?}")]
    ChainIdMismatch {
        /// Chain id of the genesis.
        expected: String,
        /// Chain id found in the receipt.
        found: String,
    },
    /// The receipt grew from another genesis (or block 1 does not follow it).
    #[error("the receipt is from another chain: genesis {found}, expected {expected}")]
    GenesisMismatch {
        /// Hash of the genesis given to the verifier.
        expected: Hash,
        /// The genesis hash the receipt or block 1 names.
        found: Hash,
    },
    /// A header the receipt needs is not in it.
    #[error("the header of block {height} is missing from the receipt")]
    MissingHeader {
        /// Its height.
        height: u64,
    },
    /// A header is out of order, repeated, or not needed by the receipt.
    #[error("header of block {height} is out of order or not needed by the receipt")]
    UnexpectedHeader {
        /// Its height.
        height: u64,
    },
    /// A validator-set change is out of order, outside the receipt's range,
    /// or does not change the set.
    #[error(
        "validator set change at block {height} is out of order, out of range or changes nothing"
    )]
    UnexpectedValidatorChange {
        /// Its height.
        height: u64,
    },
    /// A validator set is empty, too large or has no usable voting power.
    #[error("validator set in force after block {height} is empty, too large or overflows")]
    InvalidValidatorSet {
        /// Height after which it is in force (0: the genesis set).
        height: u64,
    },
    /// A header names another validator set than the one in force: a
    /// validator-set change is missing from the receipt.
    #[error("block {height} is committed by another validator set than the one in force; a validator set change is missing")]
    ValidatorSetMismatch {
        /// The header's height.
        height: u64,
    },
    /// A certificate is for another block or height than its header.
    #[error(
        "the commit certificate of block {height} is for another block: the header was altered"
    )]
    CommitMismatch {
        /// The header's height.
        height: u64,
    },
    /// A certificate names a signer outside the set in force, or one twice.
    #[error("the commit certificate of block {height} names {validator}, not a validator of that height (or twice)")]
    UnknownSigner {
        /// The header's height.
        height: u64,
        /// The signer.
        validator: KeyId,
    },
    /// A validator's signature in a certificate does not verify.
    #[error("the signature of validator {validator} on block {height} does not verify")]
    BadCommitSignature {
        /// The header's height.
        height: u64,
        /// The validator.
        validator: KeyId,
    },
    /// The signers hold no more than two thirds of the voting power.
    #[error("block {height} is signed by validators holding {signed} of {total} voting power, not more than two thirds")]
    InsufficientPower {
        /// The header's height.
        height: u64,
        /// Power that signed.
        signed: u64,
        /// Total power of the set in force.
        total: u64,
    },
    /// The state proof of a validator-set change does not verify.
    #[error("the proof of the validator set change at block {height} does not verify: {reason}")]
    ValidatorChangeProofInvalid {
        /// The change's height.
        height: u64,
        /// The proof library's complaint.
        reason: String,
    },
    /// The record is about another digest than the receipt.
    #[error("the record is about digest {found}, the receipt about {expected}")]
    DigestMismatch {
        /// The receipt's digest.
        expected: Hash,
        /// The record's digest.
        found: Hash,
    },
    /// The state proof of the evidence record does not verify.
    #[error("the evidence record is not proven by the state of block {height}: {reason}")]
    RecordProofInvalid {
        /// The receipt height.
        height: u64,
        /// The proof library's complaint.
        reason: String,
    },
    /// A transaction is not the one the record names (its bytes changed).
    #[error("{role} is not the transaction the record names")]
    TxMismatch {
        /// Which transaction.
        role: TxRole,
    },
    /// A transaction's signature does not verify.
    #[error("the officer's signature on {role} does not verify")]
    TxSignatureInvalid {
        /// Which transaction.
        role: TxRole,
    },
    /// A transaction does not say what the record says it did.
    #[error("{role} does not match the record (signer, chain or content)")]
    TxContentMismatch {
        /// Which transaction.
        role: TxRole,
    },
    /// A block time differs from the time the record gives for its event.
    #[error("the block time of {role} differs from the time in the record")]
    TimeMismatch {
        /// Which transaction.
        role: TxRole,
    },
    /// A transaction's inclusion proof does not verify.
    #[error("{role} is not proven to be in block {height}: {source}")]
    InclusionProofInvalid {
        /// Which transaction.
        role: TxRole,
        /// The block the record names.
        height: u64,
        /// Why.
        source: ProofError,
    },
    /// A co-signature on the anchor does not verify, is not by a named
    /// collector, or repeats an officer.
    #[error("the co-signature of officer {officer} on the anchor does not verify, or {officer} is not a collector named once")]
    CoSignatureInvalid {
        /// The co-signing officer.
        officer: KeyId,
    },
    /// A named collector signed neither the anchor transaction nor a
    /// co-signature.
    #[error("collector {officer} did not sign the anchor")]
    CollectorNotSigned {
        /// The collector.
        officer: KeyId,
    },
    /// The receipt has not one custody transaction per custody event.
    #[error("the record has {record} custody events, the receipt {receipt} custody transactions")]
    CustodyCountMismatch {
        /// Events in the record.
        record: usize,
        /// Transactions in the receipt.
        receipt: usize,
    },
    /// The file's BLAKE3 digest is not the anchored one: the file changed.
    #[error("the file's BLAKE3 digest {found} is not the anchored digest {expected}: the file is not the anchored one or was changed")]
    FileMismatch {
        /// The anchored digest.
        expected: Hash,
        /// The file's digest.
        found: Hash,
    },
    /// A witnessed checkpoint does not hold: its note, its certified header
    /// or the inclusion of the receipt's headers in its history.
    #[error("witnessed checkpoint {index}: {reason}")]
    WitnessedCheckpointInvalid {
        /// Its position in the receipt, from 0.
        index: usize,
        /// What does not hold.
        reason: String,
    },
    /// A timestamped checkpoint does not hold: its body, its size or the
    /// inclusion of the anchor's header in its history.
    #[error("timestamped checkpoint {index}: {reason}")]
    TimestampedCheckpointInvalid {
        /// Its position in the receipt, from 0.
        index: usize,
        /// What does not hold.
        reason: String,
    },
    /// The deposits are not what the state at the receipt's height holds.
    #[error("the court-chain deposits do not hold at height {height}: {reason}")]
    DepositProofInvalid {
        /// The receipt height.
        height: u64,
        /// What does not hold.
        reason: String,
    },
    /// No timestamped checkpoint of the receipt carries a token that
    /// verifies against the TSA certificate the verifier trusts.
    #[error(
        "no time-stamp token of this receipt verifies against the TSA certificate given: {reason}"
    )]
    TimestampUnverified {
        /// Why (each token's failure, or that the receipt carries none).
        reason: String,
    },
    /// Fewer of the listed witnesses co-signed the receipt's history than
    /// required.
    #[error("{} of the {required} required witnesses co-signed this receipt's history ({listed} listed){}; get a newer receipt once the witnesses have co-signed a checkpoint that covers it", verified.len(), if verified.is_empty() { String::new() } else { format!(": {}", verified.join(", ")) })]
    TooFewWitnesses {
        /// The listed witnesses whose cosignature verified.
        verified: Vec<String>,
        /// How many are required.
        required: usize,
        /// How many are listed.
        listed: usize,
    },
}

impl ReceiptError {
    /// The stable, machine-readable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            ReceiptError::BadMagic => "bad_magic",
            ReceiptError::UnsupportedVersion { .. } => "unsupported_version",
            ReceiptError::Malformed { .. } => "malformed",
            ReceiptError::ChainIdMismatch { .. } => "chain_id_mismatch",
            ReceiptError::GenesisMismatch { .. } => "genesis_mismatch",
            ReceiptError::MissingHeader { .. } => "missing_header",
            ReceiptError::UnexpectedHeader { .. } => "unexpected_header",
            ReceiptError::UnexpectedValidatorChange { .. } => "unexpected_validator_change",
            ReceiptError::InvalidValidatorSet { .. } => "invalid_validator_set",
            ReceiptError::ValidatorSetMismatch { .. } => "validator_set_mismatch",
            ReceiptError::CommitMismatch { .. } => "commit_mismatch",
            ReceiptError::UnknownSigner { .. } => "unknown_signer",
            ReceiptError::BadCommitSignature { .. } => "bad_commit_signature",
            ReceiptError::InsufficientPower { .. } => "insufficient_power",
            ReceiptError::ValidatorChangeProofInvalid { .. } => "validator_change_proof_invalid",
            ReceiptError::DigestMismatch { .. } => "digest_mismatch",
            ReceiptError::RecordProofInvalid { .. } => "record_proof_invalid",
            ReceiptError::TxMismatch { .. } => "tx_mismatch",
            ReceiptError::TxSignatureInvalid { .. } => "tx_signature_invalid",
            ReceiptError::TxContentMismatch { .. } => "tx_content_mismatch",
            ReceiptError::TimeMismatch { .. } => "time_mismatch",
            ReceiptError::InclusionProofInvalid { .. } => "inclusion_proof_invalid",
            ReceiptError::CoSignatureInvalid { .. } => "co_signature_invalid",
            ReceiptError::CollectorNotSigned { .. } => "collector_not_signed",
            ReceiptError::CustodyCountMismatch { .. } => "custody_count_mismatch",
            ReceiptError::FileMismatch { .. } => "file_mismatch",
            ReceiptError::WitnessedCheckpointInvalid { .. } => "witnessed_checkpoint_invalid",
            ReceiptError::TooFewWitnesses { .. } => "too_few_witnesses",
            ReceiptError::TimestampedCheckpointInvalid { .. } => "timestamped_checkpoint_invalid",
            ReceiptError::DepositProofInvalid { .. } => "deposit_proof_invalid",
            ReceiptError::TimestampUnverified { .. } => "timestamp_unverified",
        }
    }

    /// The reason in Chinese (the English one is `Display`).
    pub fn message_zh(&self) -> String {
        match self {
            ReceiptError::BadMagic => "不是衔接链存证回执：文件不以 XJRCPT 开头".into(),
            ReceiptError::UnsupportedVersion { found } => {
                format!("不支持的回执格式版本 {found}（本程序读取版本 {RECEIPT_VERSION}）")
            }
            ReceiptError::Malformed { .. } => "回执已损坏或编码不规范".into(),
            ReceiptError::ChainIdMismatch { expected, found } => {
                format!("链标识 {found:?} 与创世文件的链标识 {expected:?} 不一致")
            }
            ReceiptError::GenesisMismatch { .. } => {
                "回执来自另一条链：与所给创世文件不一致".into()
            }
            ReceiptError::MissingHeader { height } => {
                format!("回执缺少第 {height} 号区块的区块头")
            }
            ReceiptError::UnexpectedHeader { height } => {
                format!("第 {height} 号区块头顺序错误或不属于本回执")
            }
            ReceiptError::UnexpectedValidatorChange { height } => {
                format!("第 {height} 号区块的验证节点集合变更顺序错误、超出范围或并无变化")
            }
            ReceiptError::InvalidValidatorSet { height } => {
                format!("第 {height} 号区块之后生效的验证节点集合为空、过大或投票权溢出")
            }
            ReceiptError::ValidatorSetMismatch { height } => format!(
                "第 {height} 号区块由非当时生效的验证节点集合确认；回执缺少验证节点集合变更"
            ),
            ReceiptError::CommitMismatch { height } => {
                format!("第 {height} 号区块的确认证书对应另一区块：区块头已被改动")
            }
            ReceiptError::UnknownSigner { height, validator } => format!(
                "第 {height} 号区块的确认证书含非当时验证节点（或重复）的签名者 {validator}"
            ),
            ReceiptError::BadCommitSignature { height, validator } => {
                format!("验证节点 {validator} 对第 {height} 号区块的签名验证失败")
            }
            ReceiptError::InsufficientPower {
                height,
                signed,
                total,
            } => format!(
                "第 {height} 号区块的签名者仅持有 {signed}/{total} 的投票权，未超过三分之二"
            ),
            ReceiptError::ValidatorChangeProofInvalid { height, .. } => {
                format!("第 {height} 号区块的验证节点集合变更证明验证失败")
            }
            ReceiptError::DigestMismatch { expected, found } => {
                format!("存证记录的摘要 {found} 与回执的摘要 {expected} 不一致")
            }
            ReceiptError::RecordProofInvalid { height, .. } => {
                format!("第 {height} 号区块的状态不能证明该存证记录")
            }
            ReceiptError::TxMismatch { role } => {
                format!("{} 不是存证记录所指的交易", role.zh())
            }
            ReceiptError::TxSignatureInvalid { role } => {
                format!("{} 的执法人员签名验证失败", role.zh())
            }
            ReceiptError::TxContentMismatch { role } => {
                format!("{} 与存证记录不一致（签名者、链或内容）", role.zh())
            }
            ReceiptError::TimeMismatch { role } => {
                format!("{} 所在区块的时间与存证记录中的时间不一致", role.zh())
            }
            ReceiptError::InclusionProofInvalid { role, height, .. } => {
                format!("无法证明 {} 包含在第 {height} 号区块中", role.zh())
            }
            ReceiptError::CoSignatureInvalid { officer } => format!(
                "执法人员 {officer} 对存证的会签验证失败，或其不是（仅列一次的）采集人"
            ),
            ReceiptError::CollectorNotSigned { officer } => {
                format!("采集人 {officer} 未签署该存证")
            }
            ReceiptError::CustodyCountMismatch { record, receipt } => format!(
                "存证记录有 {record} 条保管事件，回执却有 {receipt} 条保管交易"
            ),
            ReceiptError::WitnessedCheckpointInvalid { index, reason } => {
                format!("第 {index} 个见证检查点不成立：{reason}")
            }
            ReceiptError::TimestampedCheckpointInvalid { index, reason } => {
                format!("第 {index} 个时间戳检查点不成立：{reason}")
            }
            ReceiptError::TimestampUnverified { reason } => {
                format!("该回执没有能用所给时间戳服务机构证书验证通过的可信时间戳：{reason}")
            }
            ReceiptError::DepositProofInvalid { height, reason } => {
                format!("高度 {height} 的司法链存证编号证明不成立：{reason}")
            }
            ReceiptError::TooFewWitnesses {
                verified,
                required,
                listed,
            } => format!(
                "列出的 {listed} 个见证方中只有 {} 个会签了该回执的历史（需要 {required} 个）；请在见证方会签覆盖它的检查点后重新获取回执",
                verified.len()
            ),
            ReceiptError::FileMismatch { expected, found } => format!(
                "文件的 BLAKE3 摘要 {found} 与上链摘要 {expected} 不一致：该文件不是上链的文件或已被改动"
            ),
        }
    }
}

/// The anchor's signer followed by its co-signers.
fn signers(record: &EvidenceRecord) -> Vec<KeyId> {
    std::iter::once(record.anchored_by)
        .chain(record.anchor.co_signatures.iter().map(|c| c.officer()))
        .collect()
}

/// What a verifier takes from the genesis document: the chain id, the
/// genesis hash (block 1's `prev_hash`) and the initial validator set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustRoot {
    /// The chain id.
    pub chain_id: String,
    /// The genesis hash.
    pub genesis_hash: Hash,
    /// The validator set that commits block 1.
    pub validators: ValidatorSet,
}

impl TrustRoot {
    /// The trust root of a genesis document.
    pub fn from_genesis(genesis: &Genesis) -> TrustRoot {
        TrustRoot {
            chain_id: genesis.chain_id.clone(),
            genesis_hash: genesis.hash(),
            validators: genesis.validator_set(),
        }
    }
}

/// What a valid receipt proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedReceipt {
    /// The chain id.
    pub chain_id: String,
    /// The genesis hash (of the genesis given to the verifier).
    pub genesis_hash: Hash,
    /// The evidence digest.
    pub digest: Hash,
    /// Whether the file's digest was compared (and matched).
    pub file_checked: bool,
    /// The receipt height: the record is in the state after this block.
    pub height: u64,
    /// The hash of that block.
    pub block_hash: Hash,
    /// The time of that block (Unix milliseconds).
    pub time_ms: u64,
    /// The organisation that anchored the file.
    pub org: OrgId,
    /// The officer who signed the anchor.
    pub officer: KeyId,
    /// Every officer who signed the anchor: the transaction's signer, then
    /// each co-signer in the anchor's order (each signature checked).
    pub signed_by: Vec<KeyId>,
    /// Height of the anchoring block.
    pub anchor_height: u64,
    /// Time of the anchoring block (Unix milliseconds).
    pub anchor_time_ms: u64,
    /// The anchoring transaction.
    pub anchor_tx: Hash,
    /// The admissibility class.
    pub class: EvidenceClass,
    /// The evidence category.
    pub category: EvidenceCategory,
    /// The case, if any.
    pub case_id: Option<CaseId>,
    /// The custody events, oldest first, each proven by its transaction.
    pub custody: Vec<CustodyEvent>,
    /// The whole proven record (holder, pending transfer, provenance …).
    pub record: EvidenceRecord,
    /// Heights after which the validator set changed (each proven).
    pub validator_changes: Vec<u64>,
    /// Number of headers whose certificates were checked.
    pub certified_headers: usize,
    /// The timestamped checkpoints that hold the anchor's block, for the
    /// caller to check each token against a TSA certificate.
    #[serde(skip)]
    pub timestamped: Vec<crate::receipt_external::CheckpointToCheck>,
    /// The proven court-chain deposits (empty when the receipt has none).
    pub deposits: Vec<Deposit>,
}

impl Receipt {
    /// The receipt file: [`MAGIC`], [`RECEIPT_VERSION`], then the canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = codec::encode(self);
        let mut out = Vec::with_capacity(FILE_HEADER_LEN + body.len());
        out.extend_from_slice(&MAGIC);
        out.push(RECEIPT_VERSION);
        out.extend_from_slice(&body);
        out
    }

    /// Reads a receipt file, accepting only its canonical encoding within the limits.
    pub fn from_bytes(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        let Some(magic) = bytes.get(..MAGIC.len()) else {
            return Err(ReceiptError::BadMagic);
        };
        if magic != MAGIC {
            return Err(ReceiptError::BadMagic);
        }
        let Some(&version) = bytes.get(MAGIC.len()) else {
            return Err(ReceiptError::Malformed {
                source: CodecError::Empty,
            });
        };
        if version != RECEIPT_VERSION {
            return Err(ReceiptError::UnsupportedVersion { found: version });
        }
        let body = bytes.get(FILE_HEADER_LEN..).unwrap_or_default();
        let receipt: Receipt =
            codec::decode(body).map_err(|source| ReceiptError::Malformed { source })?;
        receipt.check_limits()?;
        Ok(receipt)
    }

    fn check_limits(&self) -> Result<(), ReceiptError> {
        let limits = [
            ("receipt headers", self.headers.len(), MAX_RECEIPT_HEADERS),
            (
                "receipt validator changes",
                self.validator_changes.len(),
                MAX_RECEIPT_VALIDATOR_CHANGES,
            ),
            ("receipt custody", self.custody.len(), MAX_RECEIPT_CUSTODY),
            (
                "receipt witnessed checkpoints",
                self.witnessed.len(),
                MAX_RECEIPT_WITNESSED,
            ),
        ];
        let witnessed_limits = self.witnessed.iter().flat_map(|witnessed| {
            [
                (
                    "witnessed checkpoint note",
                    witnessed.note.len(),
                    MAX_RECEIPT_NOTE_BYTES,
                ),
                (
                    "witnessed checkpoint inclusions",
                    witnessed.inclusions.len(),
                    MAX_RECEIPT_HEADERS,
                ),
            ]
        });
        let timestamped_limits = self.timestamped.iter().flat_map(|timestamped| {
            [
                (
                    "timestamped checkpoint body",
                    timestamped.checkpoint.len(),
                    MAX_CHECKPOINT_BODY_BYTES,
                ),
                ("timestamp token", timestamped.token.len(), MAX_TOKEN_BYTES),
            ]
        });
        let deposits = self.deposits.as_ref().map_or(0, |d| d.deposits.0.len());
        let limits = limits
            .into_iter()
            .chain(witnessed_limits)
            .chain(timestamped_limits)
            .chain([
                (
                    "receipt timestamped checkpoints",
                    self.timestamped.len(),
                    MAX_RECEIPT_TIMESTAMPED,
                ),
                ("receipt deposits", deposits, MAX_DEPOSITS),
            ]);
        for (kind, len, max) in limits {
            if len > max {
                return Err(ReceiptError::Malformed {
                    source: CodecError::TooLarge { kind, len, max },
                });
            }
        }
        Ok(())
    }

    /// Checks the receipt against the chain's genesis and, when given, the
    /// BLAKE3 digest of the file in hand. Pure: no I/O, no clock. Returns the
    /// proven facts, or the first check that failed (order in `docs/receipt.md`).
    pub fn verify(
        &self,
        genesis: &Genesis,
        file_digest: Option<&Hash>,
    ) -> Result<VerifiedReceipt, ReceiptError> {
        self.verify_with(&TrustRoot::from_genesis(genesis), file_digest)
    }

    /// [`Receipt::verify`] against the three things it takes from the
    /// genesis, for verifiers that keep only those.
    pub fn verify_with(
        &self,
        trust: &TrustRoot,
        file_digest: Option<&Hash>,
    ) -> Result<VerifiedReceipt, ReceiptError> {
        let genesis_hash = trust.genesis_hash;
        if self.chain_id != trust.chain_id {
            return Err(ReceiptError::ChainIdMismatch {
                expected: trust.chain_id.clone(),
                found: self.chain_id.clone(),
            });
        }
        if self.genesis_hash != genesis_hash {
            return Err(ReceiptError::GenesisMismatch {
                expected: genesis_hash,
                found: self.genesis_hash,
            });
        }
        self.check_shape()?;
        self.verify_headers(&trust.validators, &genesis_hash)?;
        let tip = self.header_at(self.height)?;
        self.verify_record(tip)?;
        self.verify_anchor()?;
        self.verify_custody()?;
        self.check_every_header_is_needed()?;
        self.check_witnessed_checkpoints(trust)?;
        let timestamped = self.check_timestamped_checkpoints(&trust.genesis_hash)?;
        let deposits = self.verify_deposits(tip)?;
        if let Some(found) = file_digest {
            if *found != self.digest {
                return Err(ReceiptError::FileMismatch {
                    expected: self.digest,
                    found: *found,
                });
            }
        }
        let record = &self.record;
        Ok(VerifiedReceipt {
            chain_id: self.chain_id.clone(),
            genesis_hash,
            digest: self.digest,
            file_checked: file_digest.is_some(),
            height: self.height,
            block_hash: tip.hash(),
            time_ms: tip.time_ms,
            org: record.org.clone(),
            officer: record.anchored_by,
            signed_by: signers(record),
            anchor_height: record.height,
            anchor_time_ms: record.time_ms,
            anchor_tx: record.tx,
            class: record.class,
            category: record.anchor.category,
            case_id: record.anchor.case_id.clone(),
            custody: record.custody.clone(),
            record: record.clone(),
            validator_changes: self.validator_changes.iter().map(|c| c.height).collect(),
            certified_headers: self.headers.len(),
            timestamped,
            deposits,
        })
    }

    /// Headers strictly ascending from block 1 to `height`; changes strictly
    /// ascending inside `[1, height)`, each with its header.
    fn check_shape(&self) -> Result<(), ReceiptError> {
        let first = self.headers.first().map(|c| c.header.height);
        if first != Some(1) {
            return Err(ReceiptError::MissingHeader { height: 1 });
        }
        for pair in self.headers.windows(2) {
            if let [before, after] = pair {
                if after.header.height <= before.header.height {
                    return Err(ReceiptError::UnexpectedHeader {
                        height: after.header.height,
                    });
                }
            }
        }
        match self.headers.last().map(|c| c.header.height) {
            Some(last) if last > self.height => {
                return Err(ReceiptError::UnexpectedHeader { height: last })
            }
            Some(last) if last < self.height => {
                return Err(ReceiptError::MissingHeader {
                    height: self.height,
                })
            }
            _ => {}
        }
        let mut previous = 0;
        for change in &self.validator_changes {
            if change.height <= previous || change.height >= self.height {
                return Err(ReceiptError::UnexpectedValidatorChange {
                    height: change.height,
                });
            }
            self.header_at(change.height)?;
            previous = change.height;
        }
        Ok(())
    }

    /// Walks the headers in ascending order with the validator set in force,
    /// starting from the genesis set and switching at each proven change.
    fn verify_headers(
        &self,
        genesis_set: &ValidatorSet,
        genesis_hash: &Hash,
    ) -> Result<(), ReceiptError> {
        check_validator_set(genesis_set, 0)?;
        let mut set = genesis_set.clone();
        let mut set_hash = set.hash();
        let mut changes = self.validator_changes.iter().peekable();
        for certified in &self.headers {
            let header = &certified.header;
            let height = header.height;
            if header.chain_id != self.chain_id {
                return Err(ReceiptError::ChainIdMismatch {
                    expected: self.chain_id.clone(),
                    found: header.chain_id.clone(),
                });
            }
            if header.validators_hash != set_hash {
                return Err(ReceiptError::ValidatorSetMismatch { height });
            }
            certified
                .commit
                .verify(header, &set)
                .map_err(|error| commit_error(height, error))?;
            if height == 1 && header.prev_hash != *genesis_hash {
                return Err(ReceiptError::GenesisMismatch {
                    expected: *genesis_hash,
                    found: header.prev_hash,
                });
            }
            if let Some(change) = changes.next_if(|change| change.height == height) {
                change.verify_under(header).map_err(|error| {
                    ReceiptError::ValidatorChangeProofInvalid {
                        height,
                        reason: error.to_string(),
                    }
                })?;
                check_validator_set(&change.validators, height)?;
                let new_hash = change.validators.hash();
                if new_hash == set_hash {
                    return Err(ReceiptError::UnexpectedValidatorChange { height });
                }
                set = change.validators.clone();
                set_hash = new_hash;
            }
        }
        Ok(())
    }

    fn verify_record(&self, tip: &Header) -> Result<(), ReceiptError> {
        if self.record.anchor.digest != self.digest {
            return Err(ReceiptError::DigestMismatch {
                expected: self.digest,
                found: self.record.anchor.digest,
            });
        }
        self.record_proof
            .verify(
                &tip.state_root,
                &keys::evidence(&self.digest),
                Some(&codec::encode(&self.record)),
            )
            .map_err(|error| ReceiptError::RecordProofInvalid {
                height: self.height,
                reason: error.to_string(),
            })
    }

    fn verify_anchor(&self) -> Result<(), ReceiptError> {
        let record = &self.record;
        let role = TxRole::Anchor;
        let tx = self.verify_tx(
            role,
            &self.anchor,
            &record.tx,
            record.height,
            record.time_ms,
        )?;
        let matches = tx.signer_id() == record.anchored_by
            && matches!(&tx.tx.call, Call::AnchorEvidence(anchor) if *anchor == record.anchor);
        if !matches {
            return Err(ReceiptError::TxContentMismatch { role });
        }
        self.verify_co_signatures()
    }

    /// Every co-signature verifies over the anchor's co-signing digest and
    /// is by a collector named once; every collector but the transaction's
    /// signer co-signed (the rule the evidence contract applied).
    fn verify_co_signatures(&self) -> Result<(), ReceiptError> {
        let record = &self.record;
        let anchor = &record.anchor;
        let digest = anchor.co_signing_digest(&self.chain_id, &record.anchored_by);
        let mut signed = BTreeSet::from([record.anchored_by]);
        for co_signature in &anchor.co_signatures {
            let officer = co_signature.officer();
            let named = anchor.collected_by.contains(&officer);
            if !named || !signed.insert(officer) || co_signature.verify(&digest).is_err() {
                return Err(ReceiptError::CoSignatureInvalid { officer });
            }
        }
        match anchor.collected_by.iter().find(|id| !signed.contains(id)) {
            Some(officer) => Err(ReceiptError::CollectorNotSigned { officer: *officer }),
            None => Ok(()),
        }
    }

    fn verify_custody(&self) -> Result<(), ReceiptError> {
        let events = &self.record.custody;
        if events.len() != self.custody.len() {
            return Err(ReceiptError::CustodyCountMismatch {
                record: events.len(),
                receipt: self.custody.len(),
            });
        }
        for (index, (proof, event)) in self.custody.iter().zip(events).enumerate() {
            let role = TxRole::Custody(index + 1);
            let tx = self.verify_tx(role, proof, &event.tx, event.height, event.time_ms)?;
            let matches = tx.signer_id() == event.officer
                && matches!(&tx.tx.call, Call::RecordCustody(custody)
                    if custody.digest == self.digest
                        && custody.action == event.action
                        && custody.to == event.to
                        && custody.note_digest == event.note_digest);
            if !matches {
                return Err(ReceiptError::TxContentMismatch { role });
            }
        }
        Ok(())
    }

    /// The transaction is the one named, signed, on this chain, in the block
    /// at `height` whose time is `time_ms`.
    fn verify_tx<'a>(
        &self,
        role: TxRole,
        proof: &'a TxProof,
        expected: &Hash,
        height: u64,
        time_ms: u64,
    ) -> Result<&'a SignedTx, ReceiptError> {
        let tx_hash = proof.tx.hash();
        if tx_hash != *expected {
            return Err(ReceiptError::TxMismatch { role });
        }
        proof
            .tx
            .verify_signature()
            .map_err(|_| ReceiptError::TxSignatureInvalid { role })?;
        let header = self.header_at(height)?;
        if proof.inclusion.tree_size != u64::from(header.tx_count) {
            return Err(ReceiptError::InclusionProofInvalid {
                role,
                height,
                source: ProofError::RootMismatch,
            });
        }
        proof
            .inclusion
            .verify(&tx_hash, &header.tx_root)
            .map_err(|source| ReceiptError::InclusionProofInvalid {
                role,
                height,
                source,
            })?;
        if header.time_ms != time_ms {
            return Err(ReceiptError::TimeMismatch { role });
        }
        if proof.tx.tx.chain_id != self.chain_id {
            return Err(ReceiptError::TxContentMismatch { role });
        }
        Ok(&proof.tx)
    }

    /// Every header is block 1, the receipt height, a change, or the block of
    /// the anchor or of a custody event: a receipt carries nothing unchecked.
    fn check_every_header_is_needed(&self) -> Result<(), ReceiptError> {
        let mut needed: BTreeSet<u64> = [1, self.height, self.record.height].into_iter().collect();
        needed.extend(self.record.custody.iter().map(|event| event.height));
        needed.extend(self.validator_changes.iter().map(|change| change.height));
        match self
            .headers
            .iter()
            .find(|certified| !needed.contains(&certified.header.height))
        {
            Some(extra) => Err(ReceiptError::UnexpectedHeader {
                height: extra.header.height,
            }),
            None => Ok(()),
        }
    }

    fn header_at(&self, height: u64) -> Result<&Header, ReceiptError> {
        self.headers
            .binary_search_by_key(&height, |certified| certified.header.height)
            .ok()
            .and_then(|index| self.headers.get(index))
            .map(|certified| &certified.header)
            .ok_or(ReceiptError::MissingHeader { height })
    }
}

/// Reads and checks a receipt file in one step.
pub fn verify_bytes(
    bytes: &[u8],
    genesis: &Genesis,
    file_digest: Option<&Hash>,
) -> Result<VerifiedReceipt, ReceiptError> {
    Receipt::from_bytes(bytes)?.verify(genesis, file_digest)
}

fn commit_error(height: u64, error: CommitError) -> ReceiptError {
    match error {
        CommitError::UnknownSigner(validator) => ReceiptError::UnknownSigner { height, validator },
        CommitError::BadSignature(validator) => {
            ReceiptError::BadCommitSignature { height, validator }
        }
        CommitError::InsufficientPower { signed, total } => ReceiptError::InsufficientPower {
            height,
            signed,
            total,
        },
        // `WrongBlock` and any future reason: the certificate does not fit the header.
        _ => ReceiptError::CommitMismatch { height },
    }
}

/// A set the verifier can count on: 1 to `MAX_VALIDATORS` members, positive
/// total power that does not overflow (so `Commit::verify` cannot overflow).
fn check_validator_set(set: &ValidatorSet, height: u64) -> Result<(), ReceiptError> {
    let total = set
        .validators
        .iter()
        .try_fold(0u64, |sum, validator| sum.checked_add(validator.power));
    let usable = !set.validators.is_empty()
        && set.validators.len() <= MAX_VALIDATORS
        && total.is_some_and(|total| total > 0);
    if usable {
        Ok(())
    } else {
        Err(ReceiptError::InvalidValidatorSet { height })
    }
}

impl Receipt {
    /// Every witnessed checkpoint holds, apart from its cosignatures (which
    /// only a list of witnesses can check): its note parses and names this
    /// chain, the header it names is certified by the set in force at the
    /// receipt's height and states its root, height and time, and every
    /// header of the receipt is in its history. Returns the checkpoints.
    pub(crate) fn check_witnessed_checkpoints(
        &self,
        trust: &TrustRoot,
    ) -> Result<Vec<Checkpoint>, ReceiptError> {
        let set = self.set_in_force(trust);
        let origin = Checkpoint::origin_for(&self.chain_id, &trust.genesis_hash);
        self.witnessed
            .iter()
            .enumerate()
            .map(|(index, witnessed)| {
                self.check_witnessed(witnessed, &origin, &set)
                    .map_err(|reason| ReceiptError::WitnessedCheckpointInvalid { index, reason })
            })
            .collect()
    }

    /// The validator set in force at the receipt's height: the genesis set
    /// and each proven change after it.
    fn set_in_force(&self, trust: &TrustRoot) -> ValidatorSet {
        self.validator_changes.last().map_or_else(
            || trust.validators.clone(),
            |change| change.validators.clone(),
        )
    }

    /// One witnessed checkpoint, apart from its cosignatures.
    fn check_witnessed(
        &self,
        witnessed: &WitnessedCheckpoint,
        origin: &str,
        set: &ValidatorSet,
    ) -> Result<Checkpoint, String> {
        let note = SignedNote::parse(&witnessed.note).map_err(|e| e.to_string())?;
        let checkpoint = Checkpoint::parse_body(&note.text).map_err(|e| e.to_string())?;
        if checkpoint.origin != origin {
            return Err(format!(
                "it is a checkpoint of `{}`, not of this chain (`{origin}`)",
                checkpoint.origin
            ));
        }
        check_certified(witnessed, &checkpoint, set)?;
        self.check_inclusions(witnessed, &checkpoint)?;
        Ok(checkpoint)
    }

    /// Each receipt header is a leaf of the checkpoint's history.
    fn check_inclusions(
        &self,
        witnessed: &WitnessedCheckpoint,
        checkpoint: &Checkpoint,
    ) -> Result<(), String> {
        if witnessed.inclusions.len() != self.headers.len() {
            return Err(format!(
                "it proves {} headers of the receipt's {}",
                witnessed.inclusions.len(),
                self.headers.len()
            ));
        }
        for (certified, inclusion) in self.headers.iter().zip(&witnessed.inclusions) {
            let height = certified.header.height;
            if inclusion.leaf_index != height - 1 || inclusion.tree_size != checkpoint.size {
                return Err(format!(
                    "the proof for header {height} is for leaf {} of {}, not leaf {} of {}",
                    inclusion.leaf_index,
                    inclusion.tree_size,
                    height - 1,
                    checkpoint.size
                ));
            }
            inclusion
                .verify(&certified.header.hash(), &checkpoint.root)
                .map_err(|error| {
                    format!("header {height} is not in the co-signed history: {error}")
                })?;
        }
        Ok(())
    }
}

/// The header the checkpoint names is certified and states its root,
/// height and time.
fn check_certified(
    witnessed: &WitnessedCheckpoint,
    checkpoint: &Checkpoint,
    set: &ValidatorSet,
) -> Result<(), String> {
    let header = &witnessed.certified.header;
    if !checkpoint.is_stated_by(header) {
        return Err("its header is not the one the checkpoint names".into());
    }
    if header.validators_hash != set.hash() {
        return Err(format!(
            "header {} is committed by another validator set than the one in force at the \
             receipt's height",
            header.height
        ));
    }
    witnessed
        .certified
        .commit
        .verify(header, set)
        .map_err(|error| format!("header {}: {error}", header.height))
}
