//! Signed transactions.
//!
//! A transaction is `{chain_id, signer, nonce, valid_until, call}` plus an
//! ed25519 signature over its hash. Replay is refused by uniqueness of the
//! transaction hash (the ledger keeps every hash it has committed) together
//! with `valid_until`, a height after which the transaction can no longer be
//! included. There is no per-signer sequence number, so one officer's
//! transactions never wait for each other.

use serde::{Deserialize, Serialize};

use crate::case::{Attachment, LeadSource, Outcome};
use crate::clue::{ClueAction, ClueSource, ClueSubject};
use crate::codec::{encode, Canonical};
use crate::crypto::{self, KeyId, PublicKey, SecretKey, Signature};
use crate::draw::{ClassCount, DrawPlan};
use crate::error::CryptoError;
use crate::governance::Change;
use crate::hash::{hash_with, Domain, Hash};
use crate::ids::{CaseId, ClueId, InspectionId, OrgId, ProposalId, RequestId};
use crate::ids::{DrawId, SnapshotId};
use crate::inspection::{Conclusion, LabRef, ObjectionWindow};
use crate::model::{CustodyAction, EvidenceAnchor, Role};
use crate::random_draw::{InspectionFinding, InspectionPeriod, ProvenRow};
use crate::request::{RequestAbout, RequestKind};
use crate::stats::StatsScope;
use crate::supervision::{Fact, PenaltyTerms};

/// Largest encoded signed transaction accepted anywhere.
pub const MAX_TX_BYTES: usize = 16 * 1024;

/// The body of a transaction: what the signer authorises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tx {
    /// Chain the transaction is meant for; others refuse it.
    pub chain_id: String,
    /// The signing key.
    pub signer: PublicKey,
    /// Random number chosen by the client so identical calls get distinct hashes.
    pub nonce: u64,
    /// Last height at which the transaction may be included.
    pub valid_until: u64,
    /// What to do.
    pub call: Call,
}

/// A transaction with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTx {
    /// The signed body.
    pub tx: Tx,
    /// Signature over [`Tx::hash`].
    pub signature: Signature,
}

/// The contract calls. Variants are encoded by position: append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// An organisation's admin registers an officer key in that organisation.
    RegisterOfficer(RegisterOfficer),
    /// An organisation's admin revokes one of its officer keys.
    RevokeOfficer(RevokeOfficer),
    /// Anchor an evidence file.
    AnchorEvidence(EvidenceAnchor),
    /// Record a custody event on anchored evidence.
    RecordCustody(RecordCustody),
    /// An administrative agency opens a case at `S0_LEAD`.
    OpenCase(OpenCase),
    /// One step of the case transition table (`approve-transfer`, `transfer`, …).
    CaseAction(CaseAction),
    /// Link a re-collected statement to the class C record it replaces.
    LinkRecollected(LinkRecollected),
    /// Record a laboratory's CMA certificate (or its renewal).
    Accredit(Accredit),
    /// Record an inspection or test result.
    RecordInspection(RecordInspection),
    /// Another organisation recognises a result (互认).
    RecognizeInspection(RecognizeInspection),
    /// Another organisation disputes a result.
    DisputeInspection(DisputeInspection),
    /// An organisation's admin proposes a governance change.
    Propose(Propose),
    /// An organisation's admin approves a proposal.
    Approve(Approve),
    /// An organisation's admin registers a network node key.
    RegisterNodeKey(NodeKeyCall),
    /// An organisation's admin revokes one of its node keys.
    RevokeNodeKey(NodeKeyCall),
    /// The issuer records a party's re-test (复检) application on a result.
    RequestRetest(RequestRetest),
    /// The issuer records the re-test's result, which replaces the original.
    RecordRetest(RecordRetest),
    /// One step of a case that carries the key facts the decision rests on.
    CaseStep(CaseStep),
    /// Anchor a supervision bulletin (通报): the digest of a statistics table.
    PublishBulletin(PublishBulletin),
    /// Record a time-stamp authority's token over a history checkpoint.
    RecordTimestamp(RecordTimestamp),
    /// Record the number a court chain gave an evidence file's deposit.
    RecordDeposit(RecordDeposit),
    /// Send a clue (线索) to another organ.
    SendClue(SendClue),
    /// Answer a clue: accept, decline, forward or convert it.
    AnswerClue(AnswerClue),
    /// Ask another organ a question, or for assistance, about a case or clue.
    AskOrgan(AskOrgan),
    /// Answer a request from another organ.
    AnswerOrgan(AnswerOrgan),
    /// A department sets an item of the inspection-item list (抽查事项清单).
    SetInspectionItem(SetInspectionItem),
    /// A department's admin sets one of its officers in the inspector directory.
    SetInspector(SetInspector),
    /// A department publishes a snapshot of its inspected-entity directory.
    PublishEntitySnapshot(PublishEntitySnapshot),
    /// An issuing department plans a random draw.
    PlanDraw(PlanDraw),
    /// An issuer or witness commits to its secret nonce.
    CommitDraw(CommitDraw),
    /// An issuer or witness reveals its nonce.
    RevealDraw(RevealDraw),
    /// The drawn rows of the entity snapshot, shown with their proofs.
    NameDrawnEntities(NameDrawnEntities),
    /// A drawn inspector stands down (回避); the chain draws a replacement.
    RecuseInspector(RecuseInspector),
    /// The result of a drawn inspection is published (一公开).
    RecordDrawResult(RecordDrawResult),
}

/// Setting an inspection item; the signer's organisation becomes (or must
/// be) its responsible department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetInspectionItem {
    /// The item code (1–48 printable ASCII characters).
    pub item: String,
    /// The legal basis, a code.
    pub basis: String,
    /// The inspection method, a code.
    pub method: String,
    /// Digest of the item's full description.
    pub document: Hash,
}

/// Setting an inspector of the signer's organisation (an admin's act).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetInspector {
    /// The officer's key id (an officer of the signer's organisation).
    pub officer: KeyId,
    /// The 执法证 number.
    pub certificate: String,
    /// Item codes the officer may inspect, sorted, each an item on the list.
    pub scopes: Vec<String>,
    /// First valid date (`yyyymmdd`).
    pub valid_from: u32,
    /// Last valid date (`yyyymmdd`); a date in the past retires the officer.
    pub valid_until: u32,
}

/// Publishing an entity snapshot. Its id is `SNAP-` and the first 8 bytes
/// of this transaction's hash in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishEntitySnapshot {
    /// Root of the rows (docs/draw.md §3.3).
    pub root: Hash,
    /// Classes present, ascending, with their rows.
    pub classes: Vec<ClassCount>,
    /// BLAKE3 of the rows file.
    pub rows_file: Hash,
}

/// Planning a draw. Its id is `DRAW-` and the first 8 bytes of this
/// transaction's hash in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDraw {
    /// Items with their departments, ratios, inspectors per inspection
    /// (per department), departments.
    pub plan: DrawPlan,
    /// The entity snapshot to draw from.
    pub snapshot: SnapshotId,
    /// Organisations that witness the draw and commit too, sorted.
    pub witnesses: Vec<OrgId>,
    /// The inspection period (`yyyymmdd`, inclusive): the drawn
    /// inspections are carried out within it.
    pub period: InspectionPeriod,
}

/// Committing to a nonce: `draw::commitment(nonce, draw, org)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitDraw {
    /// The draw.
    pub draw: DrawId,
    /// The commitment.
    pub commitment: Hash,
}

/// Revealing a nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealDraw {
    /// The draw.
    pub draw: DrawId,
    /// The 32-byte nonce.
    pub nonce: Hash,
}

/// Showing drawn rows: those of inspections `first`, `first + 1`, … in
/// order, `first` being the first inspection not yet named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameDrawnEntities {
    /// The draw.
    pub draw: DrawId,
    /// The first inspection named.
    pub first: u32,
    /// The rows with their proofs.
    pub rows: Vec<ProvenRow>,
}

/// A drawn inspector's recusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecuseInspector {
    /// The draw.
    pub draw: DrawId,
    /// The inspection's number.
    pub inspection: u32,
    /// The recused inspector.
    pub officer: KeyId,
    /// Digest of the recusal decision.
    pub reason: Hash,
}

/// Publishing a drawn inspection's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDrawResult {
    /// The draw.
    pub draw: DrawId,
    /// The inspection's number.
    pub inspection: u32,
    /// What it found.
    pub finding: InspectionFinding,
    /// Digest of the inspection record.
    pub document: Hash,
}

/// Asking another organ (`request`, docs/request.md). The request's id is
/// `REQ-` and the first 8 bytes of this transaction's hash in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskOrgan {
    /// What is asked.
    pub kind: RequestKind,
    /// What it is about.
    pub about: RequestAbout,
    /// The organisation asked.
    pub to: OrgId,
    /// Digest of the question or the request letter.
    pub question: Hash,
}

/// Answering a request: the answer's digest and what it links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOrgan {
    /// The request.
    pub request: RequestId,
    /// Digest of the answer.
    pub document: Hash,
    /// Inspection results the answering organ issued for it.
    pub inspections: Vec<InspectionId>,
    /// Evidence files whose custody the answering organ recorded for it.
    pub evidence: Vec<Hash>,
}

/// Sending a clue (`clue`, docs/clue.md). Its id is `CLUE-` and the first 8
/// bytes of this transaction's hash in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendClue {
    /// Where it came from.
    pub source: ClueSource,
    /// Whom it concerns.
    pub subject: ClueSubject,
    /// What it is about (a code, `clue::check_matter`).
    pub matter: String,
    /// A duty crime by a public official (D9).
    pub duty_crime: bool,
    /// The receiving organisation.
    pub to: OrgId,
    /// The date the sender received it (`yyyymmdd`).
    pub received_on: u32,
    /// Digests of the material sent with it.
    pub materials: Vec<Hash>,
}

/// Answering a clue. `decline` carries the digest of the reasons; `forward`
/// names the competent organ (`to`) and may carry reasons; `convert` at a
/// police organ, procuratorate or supervisory commission carries the digest
/// of its filing decision (an agency converts by opening the case instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerClue {
    /// The clue.
    pub clue: ClueId,
    /// `accept`, `decline`, `forward` or `convert`.
    pub action: ClueAction,
    /// The organ a forwarded clue goes to.
    pub to: Option<OrgId>,
    /// Digest of the reasons or of the filing decision.
    pub document: Option<Hash>,
}

/// Opening a case (the case id is `CASE-` + the first 8 bytes of this
/// transaction's hash in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    /// Short title, at most `case::MAX_CASE_TITLE_LEN` bytes, no personal names.
    pub title: String,
    /// The entity's 统一社会信用代码 (checksum-validated, stored normalised).
    pub entity: String,
    /// Sector overlay key, one of the parameters' `cases.domains`.
    pub domain: String,
    /// Where the lead came from.
    pub lead: LeadSource,
}

/// One step of a case (see the contracts' transition table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAction {
    /// The case id.
    pub case_id: CaseId,
    /// The action name, e.g. `approve-transfer`.
    pub action: String,
    /// Documents the step carries (at most `case::MAX_ATTACHMENTS`).
    pub attachments: Vec<Attachment>,
    /// Officers named (the task force of `form-taskforce`).
    pub officers: Vec<KeyId>,
    /// The organisation named as target (`transfer`, `forward`, `indict`).
    pub to: Option<OrgId>,
    /// Digest of the reasons (`note_digest` of the text, kept off chain).
    pub reason_digest: Option<Hash>,
    /// The outcome (`decide-reconsideration`, `judgment`, `penalty-decision`).
    pub outcome: Option<Outcome>,
}

/// A case step with the key facts the decision rests on: `open-admin-case`,
/// `mark-suspected` and `penalty-decision` may carry facts, the violation
/// date and (on a penalty decision) what was imposed; other steps refuse
/// them. Recorded facts are measured against the threshold rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    /// The step, as for a plain case action.
    pub action: CaseAction,
    /// Key facts (at most `supervision::MAX_STEP_FACTS`).
    pub facts: Vec<Fact>,
    /// The date of the violation (`yyyymmdd`).
    pub violation_date: Option<u32>,
    /// What a penalty decision imposed.
    pub penalty: Option<PenaltyTerms>,
}

/// A procuratorate anchors a bulletin (通报): the digest of the statistics
/// table of `scope` computed at `height` (`stats::StatsTable::digest`).
/// Anyone recomputes the table at that height and compares digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishBulletin {
    /// The height the table was computed at (at most the last committed height).
    pub height: u64,
    /// The scope it counts.
    pub scope: StatsScope,
    /// The table's digest.
    pub digest: Hash,
}

/// An RFC 3161 token over a checkpoint of the history
/// (`timestamps`, docs/timestamp.md, "On the chain").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTimestamp {
    /// The checkpoint body (docs/checkpoint.md §2), byte for byte.
    pub checkpoint: String,
    /// The token (DER ContentInfo) as the TSA sent it, over SHA-256 of
    /// `checkpoint`.
    pub token: Vec<u8>,
}

/// The number a court chain returned for an evidence file's deposit bundle
/// (`deposit`, docs/deposit.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDeposit {
    /// The evidence digest.
    pub digest: Hash,
    /// The court chain (a label, `deposit::check_label`).
    pub court_chain: String,
    /// The deposit number it returned (a label).
    pub deposit_id: String,
    /// SHA-256 of the bundle file that was deposited.
    pub bundle_sha256: Hash,
}

/// A re-collected statement replaces a flagged class C record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecollected {
    /// The flagged administrative-side record.
    pub original: Hash,
    /// The fresh criminal-side record, anchored by the signer's organisation.
    pub recollected: Hash,
}

/// A CMA certificate validity period with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accredit {
    /// The laboratory's USCC.
    pub lab_uscc: String,
    /// The certificate number.
    pub cma_number: String,
    /// Matter codes covered.
    pub scope: Vec<String>,
    /// First valid date (`yyyymmdd`).
    pub valid_from: u32,
    /// Last valid date (`yyyymmdd`).
    pub valid_to: u32,
    /// Digest of the certificate scan.
    pub certificate_digest: Option<Hash>,
}

/// An inspection or test result (the issuing organisation is the signer's;
/// the id is `INSP-` + the first 8 bytes of this transaction's hash in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInspection {
    /// The inspected entity's USCC.
    pub entity: String,
    /// Matter or parameter code.
    pub matter: String,
    /// Inspectors: active officers of the signer's organisation.
    pub inspectors: Vec<KeyId>,
    /// Report date (`yyyymmdd`), not after the block's date.
    pub report_date: u32,
    /// Conclusion.
    pub conclusion: Conclusion,
    /// Digest of the report.
    pub report_digest: Hash,
    /// The laboratory and CMA certificate number on the report, if any.
    pub lab: Option<LabRef>,
    /// What the result covers (batch, lot, sample), short text.
    pub scope: String,
    /// Last date the result may be relied on (`yyyymmdd`).
    pub valid_until: Option<u32>,
    /// The party's objection window.
    pub objection: Option<ObjectionWindow>,
}

/// Recognition of a result by another organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognizeInspection {
    /// The inspection id.
    pub id: InspectionId,
}

/// A dispute of a result by another organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeInspection {
    /// The inspection id.
    pub id: InspectionId,
    /// Digest of the reasons (kept off chain).
    pub reason_digest: Hash,
}

/// A party's re-test (复检) application on a result, recorded by the
/// organisation that issued the result and received the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRetest {
    /// The inspection id.
    pub id: InspectionId,
    /// The date the party applied (`yyyymmdd`), inside the objection window.
    pub requested_on: u32,
    /// Digest of the application (kept off chain).
    pub request_digest: Hash,
}

/// The result of a requested re-test; its id is derived like any result's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRetest {
    /// The re-tested result's id.
    pub of: InspectionId,
    /// The re-test result: same entity and matter, no objection window.
    pub result: RecordInspection,
}

/// A governance proposal (the id is `GOV-` + the first 8 bytes of this
/// transaction's hash in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Propose {
    /// The change.
    pub change: Change,
    /// Digest of an off-chain explanation.
    pub note_digest: Option<Hash>,
}

/// An approval of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approve {
    /// The proposal id.
    pub proposal: ProposalId,
}

/// A node key to register or revoke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeKeyCall {
    /// The node's public key.
    pub public_key: PublicKey,
}

/// Registration of an officer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterOfficer {
    /// The officer's public key.
    pub public_key: PublicKey,
    /// The role granted.
    pub role: Role,
}

/// Revocation of an officer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeOfficer {
    /// The officer to revoke.
    pub officer: KeyId,
}

/// A custody event on anchored evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCustody {
    /// The evidence digest.
    pub digest: Hash,
    /// What happens.
    pub action: CustodyAction,
    /// For `transfer`: the receiving organisation.
    pub to: Option<OrgId>,
    /// Digest of an off-chain note about the event.
    pub note_digest: Option<Hash>,
}

impl Tx {
    /// The transaction id: a domain-separated hash of the canonical body.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::Tx, &encode(self))
    }

    /// Signs the transaction hash.
    pub fn sign(self, key: &SecretKey) -> SignedTx {
        let signature = key.sign(&self.hash().0);
        SignedTx {
            tx: self,
            signature,
        }
    }
}

impl SignedTx {
    /// The transaction id (the signature is not part of it).
    pub fn hash(&self) -> Hash {
        self.tx.hash()
    }

    /// [`SignedTx::hash`], taken from `bytes`, the canonical encoding this
    /// transaction was decoded from: that encoding is the body's followed by
    /// the signature's 64 bytes, so the body need not be encoded again (a
    /// node hashes every transaction it receives). Debug builds check that
    /// `bytes` are this transaction's encoding.
    pub fn hash_from_encoding(&self, bytes: &[u8]) -> Hash {
        debug_assert_eq!(bytes, encode(self), "the bytes encode this transaction");
        let body = &bytes[..bytes.len().saturating_sub(self.signature.0.len())];
        hash_with(Domain::Tx, body)
    }

    /// The signer's short id.
    pub fn signer_id(&self) -> KeyId {
        self.tx.signer.id()
    }

    /// Checks the signature ([`crypto::verify`]).
    pub fn verify_signature(&self) -> Result<(), CryptoError> {
        self.verify_signature_of(&self.hash())
    }

    /// [`SignedTx::verify_signature`] for a caller that has just computed
    /// the transaction's hash: `hash` must be `self.hash()`.
    pub fn verify_signature_of(&self, hash: &Hash) -> Result<(), CryptoError> {
        let check = self.signature_check(hash);
        crypto::verify(check.public_key, check.message, check.signature)
    }

    /// What the signature signs and under which key (the signer's, over the
    /// 32 bytes of the hash), for checking many transactions together with
    /// [`crypto::verify_each`]: `hash` must be `self.hash()`.
    pub fn signature_check<'a>(&'a self, hash: &'a Hash) -> crypto::SignedMessage<'a> {
        debug_assert_eq!(*hash, self.hash(), "the hash of another transaction");
        crypto::SignedMessage {
            public_key: &self.tx.signer,
            message: &hash.0,
            signature: &self.signature,
        }
    }
}

impl Canonical for Tx {
    const KIND: &'static str = "transaction";
    const MAX_ENCODED_LEN: usize = MAX_TX_BYTES;
}

impl Canonical for SignedTx {
    const KIND: &'static str = "signed transaction";
    const MAX_ENCODED_LEN: usize = MAX_TX_BYTES;
}

/// An anchor travels in one transaction, so the transaction limit bounds it.
impl Canonical for EvidenceAnchor {
    const KIND: &'static str = "evidence anchor";
    const MAX_ENCODED_LEN: usize = MAX_TX_BYTES;
}
