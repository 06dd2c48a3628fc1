//! Why a transaction (or a genesis document) is refused.
//!
//! Every variant has a stable snake_case [`ContractError::code`]. The code is
//! committed in the block's results, so it is part of the chain format: never
//! change or reuse one, only add new ones. The `Display` text is for people and
//! may be reworded; it says what to do next.

use xianjie_ledger::case::{AttachmentKind, CaseState, Outcome};
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{
    CaseId, ClueId, DrawId, InspectionId, OrgId, ProposalId, RequestId, SnapshotId,
};
use xianjie_ledger::model::{CustodyAction, EvidenceCategory, OrgKind, Role};

use xianjie_ledger::supervision::{FactKind, FactUnit};

use crate::uscc::UsccError;

/// Shorthand for results of this crate.
pub type Result<T, E = ContractError> = std::result::Result<T, E>;

/// A rule a transaction or genesis document breaks.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    // --- envelope -------------------------------------------------------
    /// The transaction names another chain.
    #[error("transaction is for chain {found:?} but this is chain {expected:?}; sign it again with the right chain id")]
    WrongChain {
        /// This chain's id.
        expected: String,
        /// The id in the transaction.
        found: String,
    },
    /// The block height is past the transaction's `valid_until`.
    #[error("transaction was valid until height {valid_until} and the chain is at {height}; sign it again with a later valid_until")]
    Expired {
        /// The transaction's last valid height.
        valid_until: u64,
        /// The height of the block being built.
        height: u64,
    },
    /// `valid_until` is further ahead than the chain parameters allow.
    #[error("valid_until {valid_until} is beyond the allowed maximum {max_valid_until}; sign it again with a nearer valid_until")]
    ValidityTooLong {
        /// The transaction's last valid height.
        valid_until: u64,
        /// Current height plus `max_tx_validity_blocks`.
        max_valid_until: u64,
    },

    // --- signer and membership -----------------------------------------
    /// The signing key is not a registered officer.
    #[error("signer {signer} is not a registered officer; ask your organisation's admin to register the key")]
    UnknownSigner {
        /// The signer's key id.
        signer: KeyId,
    },
    /// The signing key was revoked.
    #[error("signer {signer} was revoked at height {revoked_at:?}; sign with a current key or ask your admin for a new one")]
    RevokedSigner {
        /// The signer's key id.
        signer: KeyId,
        /// When it was revoked.
        revoked_at: Option<u64>,
    },
    /// Only an organisation's admin may manage its officers.
    #[error("signer {signer} has role {role:?}; only an admin of the organisation may manage officer keys")]
    NotAdmin {
        /// The signer's key id.
        signer: KeyId,
        /// The signer's role.
        role: Role,
    },
    /// The key is already registered (possibly revoked, which is permanent).
    #[error(
        "key {officer} is already registered (a revoked key stays revoked); generate a new key"
    )]
    OfficerExists {
        /// The key id.
        officer: KeyId,
    },
    /// No officer has this key id.
    #[error("no officer has key id {officer}; check the id")]
    UnknownOfficer {
        /// The key id named in the call.
        officer: KeyId,
    },
    /// An admin tried to manage an officer of another organisation.
    #[error("officer {officer} belongs to {officer_org}, not to the signer's organisation {signer_org}; ask that organisation's admin")]
    OtherOrg {
        /// The officer named in the call.
        officer: KeyId,
        /// That officer's organisation.
        officer_org: OrgId,
        /// The signer's organisation.
        signer_org: OrgId,
    },
    /// An admin tried to revoke its own key.
    #[error("admin {officer} cannot revoke its own key; another admin of the organisation must revoke it")]
    SelfRevocation {
        /// The admin's key id.
        officer: KeyId,
    },
    /// The officer is already revoked.
    #[error("officer {officer} was already revoked at height {revoked_at:?}; nothing to do")]
    AlreadyRevoked {
        /// The officer named in the call.
        officer: KeyId,
        /// When it was revoked.
        revoked_at: Option<u64>,
    },
    /// The public key is not a usable ed25519 key.
    #[error("public key {public_key} is not a valid ed25519 key; generate the key again with `xianjie keys new`")]
    InvalidKey {
        /// The key given.
        public_key: PublicKey,
    },

    // --- evidence anchors ----------------------------------------------
    /// A field is outside its bounds.
    #[error("field {field} is invalid: it must be {limit}; correct it and sign again")]
    InvalidField {
        /// The field, as named in the transaction.
        field: &'static str,
        /// What the field must satisfy.
        limit: String,
    },
    /// A free-text field holds a personal identifier.
    #[error("field {field} holds what looks like {found}; the chain keeps no personal information: put the document in the vault, refer to it by its digest and sign again")]
    PersonalInformation {
        /// The field, as named in the transaction.
        field: &'static str,
        /// What kind of identifier it holds (the text itself is not repeated).
        found: crate::privacy::PersonalIdentifier,
    },
    /// The digest is already anchored.
    #[error(
        "evidence {digest} is already anchored; anchor a corrected file with `supersedes` instead"
    )]
    AlreadyAnchored {
        /// The digest.
        digest: Hash,
    },
    /// The chain parameters give no class for the category.
    #[error("category {category:?} has no admissibility class in the chain parameters; the parameters must be amended first")]
    UnknownCategory {
        /// The category.
        category: EvidenceCategory,
    },
    /// Fewer collectors than the law (and the chain parameters) require.
    #[error("{named} collector(s) named but at least {min} are required; name every officer who collected the item")]
    TooFewCollectors {
        /// Collectors named.
        named: usize,
        /// The minimum.
        min: u8,
    },
    /// A collector is not an active officer of the anchoring organisation.
    #[error("collector {collector} is not an active officer of {org}; name only current officers of your organisation")]
    UnknownCollector {
        /// The key id named.
        collector: KeyId,
        /// The anchoring organisation.
        org: OrgId,
    },
    /// A named collector other than the signer did not co-sign the anchor.
    #[error("collector {collector} did not sign the anchor; every officer named in collected_by must sign: have them co-sign it (`xianjie --key THEIR.key evidence cosign DRAFT`) or pass their key file to --collected-by")]
    CollectorNotSigned {
        /// The collector without a co-signature.
        collector: KeyId,
    },
    /// A co-signature does not verify over the anchor's co-signing digest
    /// (another anchor, another signer, another chain, or not a signature).
    #[error("the co-signature of officer {officer} does not verify for this anchor, signer and chain; co-sign the final anchor again (any change to it after co-signing voids the co-signature)")]
    BadCoSignature {
        /// The officer whose key the co-signature names.
        officer: KeyId,
    },
    /// A co-signature is by an officer not named in `collected_by`.
    #[error("officer {officer} co-signed but is not named in collected_by; name them as a collector or drop their co-signature")]
    CoSignerNotCollector {
        /// The officer whose key the co-signature names.
        officer: KeyId,
    },
    /// An officer co-signed twice, or the signer co-signed their own anchor.
    #[error("officer {officer} signs the anchor more than once (twice as co-signer, or as signer and co-signer); keep one signature per officer")]
    DuplicateCoSignature {
        /// The officer.
        officer: KeyId,
    },
    /// A supersede names an anchor that does not exist.
    #[error("evidence {digest} to supersede is not anchored; check the digest")]
    SupersedeUnknown {
        /// The digest named in `supersedes`.
        digest: Hash,
    },
    /// The anchor to supersede is already superseded.
    #[error("evidence {digest} is already superseded by {by}; supersede {by} instead")]
    AlreadySuperseded {
        /// The digest named in `supersedes`.
        digest: Hash,
        /// Its existing successor.
        by: Hash,
    },
    /// Only the organisation that anchored a record may supersede it.
    #[error("evidence {digest} was anchored by {owner}; only that organisation may supersede it")]
    SupersedeOtherOrg {
        /// The digest named in `supersedes`.
        digest: Hash,
        /// The organisation that anchored it.
        owner: OrgId,
    },

    // --- custody -------------------------------------------------------
    /// No evidence with this digest is anchored.
    #[error("evidence {digest} is not anchored; anchor it first or check the digest")]
    UnknownEvidence {
        /// The digest.
        digest: Hash,
    },
    /// Only the holder may do this.
    #[error(
        "evidence {digest} is held by {holder}, not by {org}; only the holder may record this"
    )]
    NotHolder {
        /// The digest.
        digest: Hash,
        /// The current holder.
        holder: OrgId,
        /// The signer's organisation.
        org: OrgId,
    },
    /// A transfer is waiting to be received.
    #[error("evidence {digest} has a transfer to {to} waiting; {to} must record `receive` first")]
    TransferPending {
        /// The digest.
        digest: Hash,
        /// The pending recipient.
        to: OrgId,
    },
    /// `receive` without a pending transfer.
    #[error("evidence {digest} has no pending transfer to receive; the holder must record `transfer` first")]
    NoPendingTransfer {
        /// The digest.
        digest: Hash,
    },
    /// `receive` by an organisation the transfer is not addressed to.
    #[error("the transfer of evidence {digest} is addressed to {recipient}, not to {org}; only {recipient} may receive it")]
    NotRecipient {
        /// The digest.
        digest: Hash,
        /// The addressee.
        recipient: OrgId,
        /// The signer's organisation.
        org: OrgId,
    },
    /// The organisation does not exist.
    #[error("organisation {org} is not a member of this chain; check the id")]
    UnknownOrg {
        /// The id named.
        org: OrgId,
    },
    /// A transfer to the current holder.
    #[error("evidence is already held by {org}; transfer it to another organisation")]
    TransferToSelf {
        /// The holder.
        org: OrgId,
    },
    /// `transfer` without `to`.
    #[error("a transfer must name the receiving organisation in `to`")]
    MissingRecipient,
    /// `to` on an action other than `transfer`.
    #[error("`to` is only allowed on `transfer`, not on {action:?}; leave it empty")]
    UnexpectedRecipient {
        /// The action recorded.
        action: CustodyAction,
    },
    /// The item was destroyed; its record is closed.
    #[error("evidence {digest} was destroyed; no further custody events can be recorded")]
    EvidenceDestroyed {
        /// The digest.
        digest: Hash,
    },
    /// The record holds as many custody events as the parameters allow.
    #[error("evidence {digest} already has {max} custody events, the most allowed; record the item's further history under a superseding anchor")]
    CustodyLogFull {
        /// The digest.
        digest: Hash,
        /// The limit.
        max: u16,
    },

    // --- cases ---------------------------------------------------------
    /// No case has this id.
    #[error("no case has id {case_id:?}; check the id (`xianjie case list`)")]
    UnknownCase {
        /// The id named.
        case_id: CaseId,
    },
    /// A case with the derived id exists already (a hash-prefix collision).
    #[error("case {case_id} exists already; sign the opening again (a new nonce gives a new id)")]
    CaseExists {
        /// The id.
        case_id: CaseId,
    },
    /// The action is not in the transition table.
    #[error("{action:?} is not a case action; see `xianjie case actions`")]
    UnknownAction {
        /// The action named.
        action: String,
    },
    /// The action is not allowed in the case's current state.
    #[error(
        "{action} is not allowed while the case is in {state}; see which actions that state allows"
    )]
    InvalidTransition {
        /// The action.
        action: String,
        /// The case's state.
        state: CaseState,
    },
    /// The signer's organisation is of a kind that never performs the action.
    #[error("{action} is performed by {expected}, not by an organisation of kind {kind:?}")]
    WrongOrgKind {
        /// The action.
        action: String,
        /// The signer's organisation kind.
        kind: OrgKind,
        /// Which parties may act.
        expected: String,
    },
    /// The signer's organisation is not the party of this case that acts.
    #[error(
        "{org} is not the {expected} of this case; only that organisation may record {action}"
    )]
    NotCaseParty {
        /// The action.
        action: String,
        /// The signer's organisation.
        org: OrgId,
        /// Which parties may act.
        expected: String,
    },
    /// The signer's role may not record the action.
    #[error(
        "{action} needs {required}, but the signer's role is {role:?}; sign with the right key"
    )]
    WrongRole {
        /// The action.
        action: String,
        /// The signer's role.
        role: Role,
        /// What is required.
        required: &'static str,
    },
    /// A required attachment kind is missing.
    #[error("{action} needs an attachment of kind {kind}; attach the document's digest")]
    MissingAttachment {
        /// The action.
        action: String,
        /// The missing kind.
        kind: AttachmentKind,
    },
    /// The action needs a target organisation (`to`).
    #[error("{action} needs the target organisation in `to`")]
    MissingTarget {
        /// The action.
        action: String,
    },
    /// The action takes no target organisation.
    #[error("{action} takes no target organisation; leave `to` empty")]
    TargetNotAllowed {
        /// The action.
        action: String,
    },
    /// The target organisation is not acceptable.
    #[error("{target} cannot be the target of {action}: {reason}")]
    InvalidTarget {
        /// The action.
        action: String,
        /// The organisation named.
        target: OrgId,
        /// Why not.
        reason: String,
    },
    /// The task force is too small.
    #[error("a task force needs at least {min} officers, {named} named (SC-Transfer Art 5)")]
    TaskforceTooSmall {
        /// Officers named.
        named: usize,
        /// The minimum.
        min: u8,
    },
    /// A task-force member is not an active officer of the acting organisation.
    #[error("{officer} is not an active officer of {org}; name only current officers of your organisation")]
    InvalidTaskforceMember {
        /// The officer named.
        officer: KeyId,
        /// The acting organisation.
        org: OrgId,
    },
    /// Only the task force (or a head) submits the report.
    #[error(
        "officer {officer} is not on the case's task force; a task-force member signs the report"
    )]
    NotTaskforceMember {
        /// The signer.
        officer: KeyId,
    },
    /// The action needs a reason digest.
    #[error("{action} needs the reasons (a reason digest); give --reason")]
    MissingReason {
        /// The action.
        action: String,
    },
    /// The action needs an outcome.
    #[error("{action} needs an outcome, one of {allowed:?}")]
    MissingOutcome {
        /// The action.
        action: String,
        /// Accepted outcomes.
        allowed: Vec<Outcome>,
    },
    /// The outcome is not one the action accepts.
    #[error("{action} does not take outcome {outcome}")]
    InvalidOutcome {
        /// The action.
        action: String,
        /// The outcome given.
        outcome: Outcome,
    },
    /// 以罚代刑: an administrative penalty may not replace the transfer.
    #[error("case {case_id} reached the criminal track (or the procuratorate required its transfer): an administrative decision may close it only after a final non-filing, a withdrawal, a non-prosecution or a judgment, or after the head declined the transfer with reasons and the agency recorded `continue-admin`, or the police returned the case as outside their remit, with no procuratorial opinion since (SC-Transfer Art 11 ¶1); transfer it, or have the head decide on the transfer")]
    PenaltyInsteadOfTransfer {
        /// The case.
        case_id: CaseId,
    },
    /// An answer with no request to answer.
    #[error(
        "{action} answers {request}, and there is no {request} awaiting an answer on this case"
    )]
    NothingToAnswer {
        /// The action.
        action: String,
        /// The request it answers.
        request: String,
    },
    /// A step that must come after another.
    #[error("{action} comes after {needs}; record {needs} first")]
    StepMissing {
        /// The action.
        action: String,
        /// The step it needs.
        needs: String,
    },
    /// D3 on a case that was transferred.
    #[error("case {case_id} was transferred: supervise it on the criminal track (filing supervision) instead of requiring a transfer")]
    AlreadyTransferred {
        /// The case.
        case_id: CaseId,
    },
    /// D6: no standing 通知撤销案件书.
    #[error("case {case_id} has no standing withdrawal notice (通知撤销案件书): before the investigation the police withdraw only on the procuratorate's notice, and a notice revoked on 复议 or 复核 no longer stands; continue the case, or ask the procuratorate for its decision")]
    NoWithdrawalNotice {
        /// The case.
        case_id: CaseId,
    },
    /// Facts, a violation date or penalty terms on a step that takes none.
    #[error("{action} does not record facts: key facts go on open-admin-case, mark-suspected and penalty-decision, penalty terms on penalty-decision")]
    FactsNotAllowed {
        /// The action.
        action: String,
    },
    /// A fact without its unit.
    #[error("the {kind} fact has no unit; give it in {expected}")]
    FactUnitMissing {
        /// The fact kind.
        kind: FactKind,
        /// Its unit.
        expected: FactUnit,
    },
    /// A fact in the wrong unit.
    #[error("the {kind} fact is in {unit}; give it in {expected} (money in fen, weights in kg, multiples in hundredths)")]
    FactWrongUnit {
        /// The fact kind.
        kind: FactKind,
        /// The unit given.
        unit: FactUnit,
        /// Its unit.
        expected: FactUnit,
    },
    /// A negative number.
    #[error("the {kind} fact is negative ({value}); facts are amounts, counts or 0/1")]
    FactNegative {
        /// The fact kind.
        kind: FactKind,
        /// The value given.
        value: i64,
    },
    /// A number beyond any real case.
    #[error("the {kind} fact ({value}) is above {max} {unit}; check the number and its unit")]
    FactOutOfRange {
        /// The fact kind.
        kind: FactKind,
        /// The value given.
        value: i64,
        /// The largest accepted.
        max: i64,
        /// The unit.
        unit: FactUnit,
    },
    /// A number without the digest of the evidence it comes from.
    #[error(
        "the {kind} fact names no evidence; anchor the document it comes from and give its digest"
    )]
    FactWithoutEvidence {
        /// The fact kind.
        kind: FactKind,
    },
    /// A per-year fact without its year, a year on another fact, or a fact twice.
    #[error("the {kind} fact: {reason}")]
    InvalidFact {
        /// The fact kind.
        kind: FactKind,
        /// What is wrong.
        reason: String,
    },
    /// Penalty terms that do not match the decision.
    #[error("penalty terms: {reason}")]
    InvalidPenaltyTerms {
        /// What is wrong.
        reason: String,
    },
    /// A threshold rule that cannot be installed.
    #[error("threshold rule {rule_id}: {reason}")]
    InvalidThresholdRule {
        /// The rule.
        rule_id: String,
        /// What is wrong.
        reason: String,
    },
    /// T23: no administrative fine after a criminal fine for the same facts.
    #[error("the court imposed a criminal fine (罚金) in case {case_id}: no administrative fine (罚款) may follow for the same facts (APL Art 35 ¶2, SC-Transfer Art 11 ¶3); decide a penalty without a fine, or no penalty")]
    FineAfterCriminalFine {
        /// The case.
        case_id: CaseId,
    },
    /// APL Art 29: one administrative fine per act.
    #[error("case {case_id} already recorded an administrative fine (罚款) at event #{seq}: the same act is not fined twice (APL Art 29); decide a penalty without a fine, or no penalty, and link the earlier decision")]
    SecondFine {
        /// The case.
        case_id: CaseId,
        /// The event that recorded the fine.
        seq: u32,
    },
    /// The rule has no extension in the chain parameters, or is not running.
    #[error("deadline {rule} cannot be extended now: it is not running on this case, or the chain parameters give it no extension")]
    NotExtendable {
        /// The rule id.
        rule: String,
    },
    /// The clock was already extended since it started.
    #[error(
        "deadline {rule} of case {case_id} was already extended since its clock started; the chain parameters allow one extension per start"
    )]
    AlreadyExtended {
        /// The case.
        case_id: CaseId,
        /// The rule id.
        rule: String,
    },
    /// An extension is decided before the time it extends runs out.
    #[error("deadline {rule} was due at {due_at_ms} (Unix ms) and block time is past it: an extension must be decided before the time runs out")]
    ExtensionTooLate {
        /// The rule id.
        rule: String,
        /// The due time that passed (Unix ms).
        due_at_ms: u64,
    },
    /// The clock an action would stop is not running.
    #[error("deadline {rule} is not running on this case (not started, already stopped, or the chain parameters give it no stop for this action); nothing to stop: if the time is already excluded, record its end first")]
    ClockNotRunning {
        /// The rule id.
        rule: String,
    },
    /// The clock an action would start again is not stopped.
    #[error(
        "deadline {rule} is not stopped on this case; record the start of the excluded time first"
    )]
    ClockNotStopped {
        /// The rule id.
        rule: String,
    },
    /// The law allows a case to be returned for supplementary investigation
    /// only so often.
    #[error("case {case_id} was already returned for supplementary investigation {limit} times, the most CPL Art 175 allows: indict or decide not to prosecute")]
    SupplementaryInvestigationLimit {
        /// The case.
        case_id: CaseId,
        /// How many returns the law allows.
        limit: u8,
    },
    /// No penalty waits for publication.
    #[error("case {case_id} has no penalty waiting for publication")]
    NothingToPublish {
        /// The case.
        case_id: CaseId,
    },
    /// A decided case is marked suspected again only if it never reached S2.
    #[error("case {case_id} has already been on the criminal track and was then decided administratively: open a new case for new facts (DOMAIN §b.3 ¶2)")]
    AlreadySuspected {
        /// The case.
        case_id: CaseId,
    },
    /// The deadline the action depends on has not passed.
    #[error("deadline {rule} is not overdue yet (or not running); wait until it is")]
    NotOverdue {
        /// The rule id.
        rule: String,
    },
    /// Reconsideration was already decided once.
    #[error("reconsideration (复议) was already decided for this case; ask the procuratorate for filing supervision instead")]
    AlreadyReconsidered,
    /// Items were already handed over.
    #[error("the seized items of this case were already handed over")]
    AlreadyHandedOver,
    /// The agency must reply to the procuratorate before closing.
    #[error("the case came back with a procuratorial opinion: record `reply` before closing it")]
    ReplyRequired,
    /// The parameters do not let supervision run beside a pending reconsideration.
    #[error("the chain's parameters do not allow filing supervision while reconsideration (复议) is pending; wait for the police's decision")]
    SupervisionDuringReconsideration,
    /// The window the action must be taken in has closed.
    #[error("deadline {rule} closed at {due_at_ms} (Unix ms) and block time is past it: the action is out of time")]
    WindowClosed {
        /// The rule id.
        rule: String,
        /// The last instant that was still in time (Unix ms).
        due_at_ms: u64,
    },
    /// The case domain is not in the parameters.
    #[error("domain {domain:?} is not one of the chain's case domains")]
    UnknownDomain {
        /// The domain given.
        domain: String,
    },
    /// The case's entity has an invalid 统一社会信用代码.
    #[error("the entity's USCC is invalid: {error}")]
    InvalidEntity {
        /// What is wrong with the code.
        error: UsccError,
    },
    /// The case's event log is full.
    #[error("case {case_id} has recorded the most events allowed")]
    CaseLogFull {
        /// The case.
        case_id: CaseId,
    },
    /// The case has as many evidence links as allowed.
    #[error("case {case_id} already links the most evidence items allowed")]
    CaseEvidenceFull {
        /// The case.
        case_id: CaseId,
    },
    /// The record is not flagged for re-collection.
    #[error("evidence {digest} is not flagged for re-collection (class C evidence of a transferred case)")]
    NotRecollectable {
        /// The digest.
        digest: Hash,
    },
    /// The flagged record is already linked.
    #[error("evidence {digest} is already linked to its re-collected record")]
    AlreadyLinked {
        /// The digest.
        digest: Hash,
    },
    /// The re-collected record was anchored by another organisation.
    #[error(
        "evidence {digest} was anchored by {owner}; link only records your organisation anchored"
    )]
    RecollectedOtherOrg {
        /// The digest.
        digest: Hash,
        /// Who anchored it.
        owner: OrgId,
    },

    // --- inspections ---------------------------------------------------
    /// No inspection has this id.
    #[error("no inspection result has id {id:?}; check the id")]
    UnknownInspection {
        /// The id.
        id: InspectionId,
    },
    /// An organisation takes a stance on its own result.
    #[error("an organisation cannot recognise or dispute its own result")]
    OwnInspection,
    /// The result may not be recognised.
    #[error("result {id} is not recognisable: {problem}")]
    NotRecognisable {
        /// The id.
        id: InspectionId,
        /// Why not.
        problem: String,
    },
    /// The deadline rule is unknown or of the wrong scope.
    #[error("deadline rule {rule:?} does not exist or is not an inspection-result rule")]
    UnknownRule {
        /// The rule named.
        rule: String,
    },
    /// A laboratory would accredit itself.
    #[error(
        "an organisation cannot record its own accreditation; the certifying authority records it"
    )]
    SelfAccreditation,
    /// The certificate has as many periods as allowed.
    #[error("certificate {cma_number} already has the most validity periods allowed")]
    AccreditationFull {
        /// The certificate.
        cma_number: String,
    },
    /// The result has as many stances as allowed.
    #[error("result {id} already has the most stances allowed")]
    StancesFull {
        /// The id.
        id: InspectionId,
    },
    /// Fewer inspectors than required.
    #[error("{named} inspector(s) named but at least {min} are required")]
    TooFewInspectors {
        /// Named.
        named: usize,
        /// The minimum.
        min: u8,
    },
    /// An inspector is not an active officer of the issuing organisation.
    #[error("inspector {inspector} is not an active officer of {org}")]
    UnknownInspector {
        /// The key id named.
        inspector: KeyId,
        /// The issuing organisation.
        org: OrgId,
    },
    /// Only the issuing organisation records a re-test of its result.
    #[error(
        "result {id} was issued by {issuer}: only that organisation records its re-test (复检)"
    )]
    NotIssuer {
        /// The result.
        id: InspectionId,
        /// The issuing organisation.
        issuer: OrgId,
    },
    /// The result gave the party no objection window.
    #[error("result {id} has no objection (复检) window: no re-test can be requested")]
    NoObjectionWindow {
        /// The result.
        id: InspectionId,
    },
    /// The application date is outside the objection window.
    #[error(
        "a re-test of {id} is applied for, and recorded, from {from} to {to} (yyyymmdd, the objection window)"
    )]
    RetestOutsideWindow {
        /// The result.
        id: InspectionId,
        /// First day of the window (the notification date).
        from: u32,
        /// Last day of the window.
        to: u32,
    },
    /// A re-test was already requested (the re-test conclusion is final).
    #[error("a re-test of {id} was already requested; its conclusion is final")]
    RetestAlreadyRequested {
        /// The result.
        id: InspectionId,
    },
    /// A re-test result is recorded only after a request.
    #[error("no re-test of {id} was requested: record the party's application first")]
    NoRetestRequested {
        /// The result.
        id: InspectionId,
    },
    /// The re-test was done by the laboratory of the first test.
    #[error(
        "result {id} was tested by {lab}: the re-test is done by another laboratory (FSL Art 88)"
    )]
    SameRetestLab {
        /// The re-tested result.
        id: InspectionId,
        /// The first laboratory's USCC.
        lab: String,
    },
    /// The re-test's result was already recorded.
    #[error("the re-test of {id} already has its result, {result}")]
    RetestAlreadyRecorded {
        /// The result.
        id: InspectionId,
        /// The re-test result.
        result: InspectionId,
    },

    // --- policies --------------------------------------------------------
    /// The on-chain policy set does not permit the request.
    #[error("the chain's policy set does not permit {action} here; ask governance if it should")]
    PolicyDenied {
        /// The Cedar action.
        action: String,
    },
    /// The request could not be evaluated (an entity or request does not fit the schema).
    #[error("the policy request could not be evaluated: {reason}")]
    PolicyError {
        /// Why.
        reason: String,
    },
    /// A proposed or genesis policy set does not parse or validate.
    #[error("the policy set is invalid: {reason}")]
    InvalidPolicy {
        /// Why.
        reason: String,
    },

    // --- governance ------------------------------------------------------
    /// The signer's organisation does not vote.
    #[error("{org} is not a voting organisation of this chain")]
    NotVoter {
        /// The organisation.
        org: OrgId,
    },
    /// No proposal has this id.
    #[error("no proposal has id {id:?}")]
    UnknownProposal {
        /// The id.
        id: ProposalId,
    },
    /// The proposal was already applied.
    #[error("proposal {id} was already applied")]
    ProposalClosed {
        /// The id.
        id: ProposalId,
    },
    /// The proposal expired.
    #[error("proposal {id} expired at height {expired_at}; propose it again")]
    ProposalExpired {
        /// The id.
        id: ProposalId,
        /// Its last valid height.
        expired_at: u64,
    },
    /// The organisation already approved.
    #[error("{org} already approved proposal {id}")]
    AlreadyApproved {
        /// The id.
        id: ProposalId,
        /// The organisation.
        org: OrgId,
    },
    /// Parameters would be invalid.
    #[error("the parameters would be invalid: {reason}")]
    InvalidParams {
        /// Why.
        reason: String,
    },
    /// The key is already a validator.
    #[error("{validator} is already a validator")]
    ValidatorExists {
        /// The key id.
        validator: KeyId,
    },
    /// The key is not a validator.
    #[error("{validator} is not a validator")]
    UnknownValidator {
        /// The key id.
        validator: KeyId,
    },
    /// The last validator cannot be removed.
    #[error("the last validator cannot be removed")]
    LastValidator,
    /// The validator set is full.
    #[error("the validator set is full")]
    TooManyValidators,
    /// The node key is registered already.
    #[error("node key {public_key} is registered already")]
    NodeKeyExists {
        /// The key.
        public_key: PublicKey,
    },
    /// The node key is not registered.
    #[error("node key {public_key} is not registered")]
    UnknownNodeKey {
        /// The key.
        public_key: PublicKey,
    },
    /// The node-key list is full.
    #[error("the chain already registers the most node keys allowed")]
    NodeKeysFull,
    /// The node key belongs to another organisation.
    #[error("node key belongs to {org}; only its admin may revoke it")]
    NotKeyOwner {
        /// The owning organisation.
        org: OrgId,
    },

    // --- genesis and state ---------------------------------------------
    /// The genesis document is inconsistent.
    #[error("invalid genesis: {reason}; fix genesis.json")]
    InvalidGenesis {
        /// What is wrong with it.
        reason: String,
    },
    /// An organisation's 统一社会信用代码 is malformed.
    #[error("organisation {org} has an invalid USCC: {error}")]
    InvalidUscc {
        /// The organisation.
        org: OrgId,
        /// What is wrong with the code.
        error: UsccError,
    },
    /// An organisation's region is not a 6-digit division code.
    #[error("organisation {org} has region {region:?}; it must be the 6-digit administrative division code")]
    InvalidRegion {
        /// The organisation.
        org: OrgId,
        /// The value given.
        region: String,
    },
    /// An organisation's name is empty, too long or has control characters.
    #[error(
        "organisation {org} needs an official name of 1-{max} bytes without control characters"
    )]
    InvalidOrgName {
        /// The organisation.
        org: OrgId,
        /// The longest name allowed, in bytes.
        max: usize,
    },
    /// The organisation id is already a member.
    #[error("organisation {org} is already a member; choose another id")]
    OrgExists {
        /// The id given.
        org: OrgId,
    },
    /// Two organisations cannot share a 统一社会信用代码.
    #[error("USCC {uscc} is already the code of organisation {org}")]
    UsccInUse {
        /// The normalised code.
        uscc: String,
        /// The member that has it.
        org: OrgId,
    },
    // --- supervision bulletins -----------------------------------------
    /// A bulletin names a height the chain has not committed yet.
    #[error("bulletin height {height} is not committed yet (the last committed height is {last}); compute the table at a committed height and sign again")]
    BulletinHeightAhead {
        /// The height named.
        height: u64,
        /// The last committed height.
        last: u64,
    },
    // --- timestamps and court-chain deposits ---------------------------
    /// A checkpoint recorded with a token is not one of this chain's, or is
    /// not committed yet.
    #[error("the checkpoint does not hold: {reason}; take it from GET /v1/checkpoints/latest and sign again")]
    InvalidCheckpoint {
        /// What is wrong.
        reason: String,
    },
    /// A token is not a time-stamp token over the checkpoint it comes with.
    #[error("the token is not a time-stamp token over SHA-256 of this checkpoint ({reason}); ask the TSA for a token over this checkpoint's body and sign again")]
    TimestampNotForCheckpoint {
        /// What is wrong.
        reason: String,
    },
    /// A token covers no more of the history than one already recorded.
    #[error("a token for a checkpoint of size {last} is recorded already; a new token must cover a larger checkpoint (this one has size {size})")]
    TimestampNotNewer {
        /// The size of the checkpoint given.
        size: u64,
        /// The size of the last recorded one.
        last: u64,
    },
    /// As many organisations as allowed keep time-stamp logs.
    #[error("{max} organisations already keep time-stamp logs, the most a receipt can carry; stamp through one of them (GET /v1/checkpoints/timestamped lists them)")]
    TimestampOrgsFull {
        /// The limit.
        max: usize,
    },
    /// The court chain already gave that number for this evidence file.
    #[error("deposit {deposit_id} on {court_chain} is already recorded for this evidence file; nothing to do (`xianjie evidence receipt` names it)")]
    DepositExists {
        /// The court chain.
        court_chain: String,
        /// The number.
        deposit_id: String,
    },
    /// The evidence file has as many deposits as allowed.
    #[error("this evidence file already has the most deposits recorded ({max}); the receipt names them all")]
    DepositsFull {
        /// The limit.
        max: usize,
    },
    /// No clue has this id.
    #[error(
        "no clue {id} on this chain; `xianjie clue list` shows the clues of your organisation"
    )]
    UnknownClue {
        /// The id.
        id: ClueId,
    },
    /// The route is not one a clue may take (docs/clue.md §2).
    #[error("a clue may not go from {from} ({from_kind}) to {to} ({to_kind}){why}; docs/clue.md §2 lists the routes")]
    ClueRouteRefused {
        /// The sending organisation.
        from: OrgId,
        /// Its kind.
        from_kind: &'static str,
        /// The receiving organisation.
        to: OrgId,
        /// Its kind.
        to_kind: &'static str,
        /// What narrows the route, e.g. ": a duty-crime clue goes to a procuratorate or a supervisory commission".
        why: &'static str,
    },
    /// Only the receiving organisation answers a clue.
    #[error("clue {id} was sent to {to}; only its officers answer it")]
    NotClueReceiver {
        /// The clue.
        id: ClueId,
        /// Its receiver.
        to: OrgId,
    },
    /// The clue's state does not allow the step.
    #[error("clue {id} is {state}; {action} needs it {needs}")]
    ClueWrongState {
        /// The clue.
        id: ClueId,
        /// Its state.
        state: &'static str,
        /// The step asked for.
        action: &'static str,
        /// The states that allow it.
        needs: &'static str,
    },
    /// An agency converts a clue by opening a case with it as the lead.
    #[error("an administrative agency converts clue {id} by opening the case: `xianjie case open … --lead clue --lead-ref {id}`")]
    ClueConvertByCase {
        /// The clue.
        id: ClueId,
    },
    /// The clue has passed through as many organs as allowed.
    #[error("a forward of clue {id} would take it through more than {max} organs; answer it here (accept and convert, or decline)")]
    ClueForwardedTooOften {
        /// The clue.
        id: ClueId,
        /// The limit.
        max: usize,
    },
    /// A record with the derived id exists already (a hash-prefix collision,
    /// which a signer can search for).
    #[error("{id} exists already; sign the transaction again (a new nonce gives a new id)")]
    RecordExists {
        /// The id.
        id: String,
    },
    /// No request has this id.
    #[error("no request {id} on this chain; `xianjie request list` shows your organisation's")]
    UnknownRequest {
        /// The id.
        id: RequestId,
    },
    /// Assistance of this kind does not go between these kinds of organs.
    #[error("{kind} assistance is asked by the police, a procuratorate or a court of an administrative agency (testing and appraisal also of a testing body), not by a {from_kind} of a {to_kind}; docs/request.md §2")]
    RequestRouteRefused {
        /// The kind of request.
        kind: &'static str,
        /// The asking organisation's kind.
        from_kind: &'static str,
        /// The asked organisation's kind.
        to_kind: &'static str,
    },
    /// Only the organ asked answers a request.
    #[error("request {id} was sent to {to}; only its officers answer it")]
    NotRequestReceiver {
        /// The request.
        id: RequestId,
        /// The organ asked.
        to: OrgId,
    },
    /// The request is answered already.
    #[error("request {id} is answered already; nothing to do (`xianjie request show {id}`)")]
    RequestAnswered {
        /// The request.
        id: RequestId,
    },
    /// The case has as many requests as allowed.
    #[error("this case already has the most requests allowed ({max})")]
    RequestsFull {
        /// The limit.
        max: usize,
    },
    /// No inspection item with that code.
    #[error("no inspection item {item}; the list is `xianjie draw items`, and the responsible department adds one with `xianjie draw item set`")]
    UnknownItem {
        /// The code.
        item: String,
    },
    /// Only an item's responsible department changes it.
    #[error(
        "inspection item {item} belongs to {owner}; only its responsible department changes it"
    )]
    NotItemOwner {
        /// The item.
        item: String,
        /// Its department.
        owner: OrgId,
    },
    /// No entity snapshot with that id.
    #[error("no entity snapshot {id}; the directory's department publishes one with `xianjie draw snapshot publish`")]
    UnknownSnapshot {
        /// The id.
        id: SnapshotId,
    },
    /// A draw reads only its owner's newest snapshot, within its age limit.
    #[error("entity snapshot {id} is stale: it is not {owner}'s newest or is older than DRAW_SNAPSHOT_AGE allows; ask {owner} to publish a fresh one and plan on it")]
    StaleSnapshot {
        /// The snapshot.
        id: SnapshotId,
        /// Its department.
        owner: OrgId,
    },
    /// No draw with that id.
    #[error("no draw {id}; list draws with `xianjie draw list`")]
    UnknownDraw {
        /// The id.
        id: DrawId,
    },
    /// Only an issuing department plans, names and recuses.
    #[error("{org} is not a department of this draw; only its departments plan it, name its entities and recuse its inspectors")]
    NotDrawIssuer {
        /// The signer's organisation.
        org: OrgId,
    },
    /// Only issuers and witnesses commit and reveal.
    #[error(
        "{org} neither issues nor witnesses draw {id}, so it has no nonce to commit or reveal"
    )]
    NotDrawCommitter {
        /// The draw.
        id: DrawId,
        /// The signer's organisation.
        org: OrgId,
    },
    /// The organisation has done this step already.
    #[error("{org} has already {step} for draw {id}; nothing to do (`xianjie draw show {id}`)")]
    DrawStepDone {
        /// The draw.
        id: DrawId,
        /// The organisation.
        org: OrgId,
        /// `committed` or `revealed`.
        step: &'static str,
    },
    /// The draw is not in the state the step needs.
    #[error("draw {id} is {state}; to {action} it, it must be {needs} (`xianjie draw show {id}`)")]
    DrawWrongState {
        /// The draw.
        id: DrawId,
        /// Its state.
        state: &'static str,
        /// The step.
        action: &'static str,
        /// The state it needs.
        needs: &'static str,
    },
    /// The commitment or reveal deadline passed.
    #[error("draw {id}'s deadline passed at {deadline_ms} (Unix ms); the draw fails on record and a new draw needs new commitments")]
    DrawDeadlinePassed {
        /// The draw.
        id: DrawId,
        /// The deadline.
        deadline_ms: u64,
    },
    /// The plan would draw more inspections than one draw holds.
    #[error("the plan draws {inspections} inspections; one draw holds at most {max}: lower the ratios or split the campaign")]
    DrawTooLarge {
        /// Inspections the plan would draw.
        inspections: usize,
        /// The limit.
        max: usize,
    },
    /// Too many draws wait for commitments or reveals.
    #[error("{max} draws already wait for commitments or reveals; finish or let them fail first")]
    DrawsFull {
        /// The limit.
        max: u32,
    },
    /// An inspection has had as many recusals as allowed.
    #[error("inspection {inspection} of draw {id} has had {max} recusals already; a further conflict is for the departments to settle outside the draw")]
    TooManyRecusals {
        /// The draw.
        id: DrawId,
        /// The inspection.
        inspection: u32,
        /// The limit.
        max: usize,
    },
    /// A drawn row's proof does not put it where the draw landed.
    #[error("the row shown for inspection {inspection} of draw {id} is not the snapshot's row at position {position} of its class; show the snapshot's own rows (`xianjie draw name --rows FILE`)")]
    EntityProofInvalid {
        /// The draw.
        id: DrawId,
        /// The inspection.
        inspection: u32,
        /// The position drawn.
        position: u64,
    },
    /// The draw algorithm refused (docs/draw.md §9).
    #[error(transparent)]
    Draw(#[from] xianjie_ledger::error::DrawError),
    /// A stored record is missing or cannot be decoded.
    #[error("stored state under {key} is unusable ({reason}); this node's database is damaged: stop it and restore from a backup or resync")]
    CorruptState {
        /// The state key, printable.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

impl ContractError {
    /// The stable, machine-readable code committed in the block results.
    pub fn code(&self) -> &'static str {
        use ContractError as E;
        match self {
            E::WrongChain { .. } => "wrong_chain",
            E::Expired { .. } => "expired",
            E::ValidityTooLong { .. } => "validity_too_long",
            E::UnknownSigner { .. } => "unknown_signer",
            E::RevokedSigner { .. } => "revoked_signer",
            E::NotAdmin { .. } => "not_admin",
            E::OfficerExists { .. } => "officer_exists",
            E::UnknownOfficer { .. } => "unknown_officer",
            E::OtherOrg { .. } => "other_org",
            E::SelfRevocation { .. } => "self_revocation",
            E::AlreadyRevoked { .. } => "already_revoked",
            E::InvalidKey { .. } => "invalid_key",
            E::InvalidField { .. } => "invalid_field",
            E::PersonalInformation { .. } => "personal_information",
            E::AlreadyAnchored { .. } => "already_anchored",
            E::UnknownCategory { .. } => "unknown_category",
            E::TooFewCollectors { .. } => "too_few_collectors",
            E::UnknownCollector { .. } => "unknown_collector",
            E::CollectorNotSigned { .. } => "collector_not_signed",
            E::BadCoSignature { .. } => "bad_co_signature",
            E::CoSignerNotCollector { .. } => "co_signer_not_collector",
            E::DuplicateCoSignature { .. } => "duplicate_co_signature",
            E::SupersedeUnknown { .. } => "supersede_unknown",
            E::AlreadySuperseded { .. } => "already_superseded",
            E::SupersedeOtherOrg { .. } => "supersede_other_org",
            E::UnknownEvidence { .. } => "unknown_evidence",
            E::NotHolder { .. } => "not_holder",
            E::TransferPending { .. } => "transfer_pending",
            E::NoPendingTransfer { .. } => "no_pending_transfer",
            E::NotRecipient { .. } => "not_recipient",
            E::UnknownOrg { .. } => "unknown_org",
            E::TransferToSelf { .. } => "transfer_to_self",
            E::MissingRecipient => "missing_recipient",
            E::UnexpectedRecipient { .. } => "unexpected_recipient",
            E::EvidenceDestroyed { .. } => "evidence_destroyed",
            E::CustodyLogFull { .. } => "custody_log_full",
            E::UnknownCase { .. } => "unknown_case",
            E::CaseExists { .. } => "case_exists",
            E::UnknownAction { .. } => "unknown_action",
            E::InvalidTransition { .. } => "invalid_transition",
            E::WrongOrgKind { .. } => "wrong_org_kind",
            E::NotCaseParty { .. } => "not_case_party",
            E::WrongRole { .. } => "wrong_role",
            E::MissingAttachment { .. } => "missing_attachment",
            E::MissingTarget { .. } => "missing_target",
            E::TargetNotAllowed { .. } => "target_not_allowed",
            E::InvalidTarget { .. } => "invalid_target",
            E::TaskforceTooSmall { .. } => "taskforce_too_small",
            E::InvalidTaskforceMember { .. } => "invalid_taskforce_member",
            E::NotTaskforceMember { .. } => "not_taskforce_member",
            E::MissingReason { .. } => "missing_reason",
            E::MissingOutcome { .. } => "missing_outcome",
            E::InvalidOutcome { .. } => "invalid_outcome",
            E::PenaltyInsteadOfTransfer { .. } => "penalty_instead_of_transfer",
            E::NothingToAnswer { .. } => "nothing_to_answer",
            E::StepMissing { .. } => "step_missing",
            E::AlreadyTransferred { .. } => "already_transferred",
            E::NoWithdrawalNotice { .. } => "no_withdrawal_notice",
            E::FactsNotAllowed { .. } => "facts_not_allowed",
            E::FactUnitMissing { .. } => "fact_unit_missing",
            E::FactWrongUnit { .. } => "fact_wrong_unit",
            E::FactNegative { .. } => "fact_negative",
            E::FactOutOfRange { .. } => "fact_out_of_range",
            E::FactWithoutEvidence { .. } => "fact_without_evidence",
            E::InvalidFact { .. } => "invalid_fact",
            E::InvalidPenaltyTerms { .. } => "invalid_penalty_terms",
            E::InvalidThresholdRule { .. } => "invalid_threshold_rule",
            E::FineAfterCriminalFine { .. } => "fine_after_criminal_fine",
            E::SecondFine { .. } => "second_fine",
            E::ClockNotRunning { .. } => "clock_not_running",
            E::ClockNotStopped { .. } => "clock_not_stopped",
            E::NotExtendable { .. } => "not_extendable",
            E::AlreadyExtended { .. } => "already_extended",
            E::ExtensionTooLate { .. } => "extension_too_late",
            E::SupplementaryInvestigationLimit { .. } => "supplementary_investigation_limit",
            E::NothingToPublish { .. } => "nothing_to_publish",
            E::AlreadySuspected { .. } => "already_suspected",
            E::NotOverdue { .. } => "not_overdue",
            E::AlreadyReconsidered => "already_reconsidered",
            E::AlreadyHandedOver => "already_handed_over",
            E::ReplyRequired => "reply_required",
            E::SupervisionDuringReconsideration => "supervision_during_reconsideration",
            E::WindowClosed { .. } => "window_closed",
            E::UnknownDomain { .. } => "unknown_domain",
            E::InvalidEntity { .. } => "invalid_entity",
            E::CaseLogFull { .. } => "case_log_full",
            E::CaseEvidenceFull { .. } => "case_evidence_full",
            E::NotRecollectable { .. } => "not_recollectable",
            E::AlreadyLinked { .. } => "already_linked",
            E::RecollectedOtherOrg { .. } => "recollected_other_org",
            E::UnknownInspection { .. } => "unknown_inspection",
            E::OwnInspection => "own_inspection",
            E::NotRecognisable { .. } => "not_recognisable",
            E::UnknownRule { .. } => "unknown_rule",
            E::SelfAccreditation => "self_accreditation",
            E::AccreditationFull { .. } => "accreditation_full",
            E::StancesFull { .. } => "stances_full",
            E::TooFewInspectors { .. } => "too_few_inspectors",
            E::UnknownInspector { .. } => "unknown_inspector",
            E::NotIssuer { .. } => "not_issuer",
            E::NoObjectionWindow { .. } => "no_objection_window",
            E::RetestOutsideWindow { .. } => "retest_outside_window",
            E::RetestAlreadyRequested { .. } => "retest_already_requested",
            E::NoRetestRequested { .. } => "no_retest_requested",
            E::RetestAlreadyRecorded { .. } => "retest_already_recorded",
            E::SameRetestLab { .. } => "same_retest_lab",
            E::PolicyDenied { .. } => "policy_denied",
            E::PolicyError { .. } => "policy_error",
            E::InvalidPolicy { .. } => "invalid_policy",
            E::NotVoter { .. } => "not_voter",
            E::UnknownProposal { .. } => "unknown_proposal",
            E::ProposalClosed { .. } => "proposal_closed",
            E::ProposalExpired { .. } => "proposal_expired",
            E::AlreadyApproved { .. } => "already_approved",
            E::InvalidParams { .. } => "invalid_params",
            E::ValidatorExists { .. } => "validator_exists",
            E::UnknownValidator { .. } => "unknown_validator",
            E::LastValidator => "last_validator",
            E::TooManyValidators => "too_many_validators",
            E::NodeKeyExists { .. } => "node_key_exists",
            E::UnknownNodeKey { .. } => "unknown_node_key",
            E::NodeKeysFull => "node_keys_full",
            E::NotKeyOwner { .. } => "not_key_owner",
            E::InvalidGenesis { .. } => "invalid_genesis",
            E::InvalidUscc { .. } => "invalid_uscc",
            E::InvalidRegion { .. } => "invalid_region",
            E::InvalidOrgName { .. } => "invalid_org_name",
            E::OrgExists { .. } => "org_exists",
            E::UsccInUse { .. } => "uscc_in_use",
            E::CorruptState { .. } => "corrupt_state",
            E::BulletinHeightAhead { .. } => "bulletin_height_ahead",
            E::InvalidCheckpoint { .. } => "invalid_checkpoint",
            E::TimestampNotForCheckpoint { .. } => "timestamp_not_for_checkpoint",
            E::TimestampNotNewer { .. } => "timestamp_not_newer",
            E::TimestampOrgsFull { .. } => "timestamp_orgs_full",
            E::DepositExists { .. } => "deposit_exists",
            E::DepositsFull { .. } => "deposits_full",
            E::UnknownClue { .. } => "unknown_clue",
            E::ClueRouteRefused { .. } => "clue_route_refused",
            E::NotClueReceiver { .. } => "not_clue_receiver",
            E::ClueWrongState { .. } => "clue_wrong_state",
            E::ClueConvertByCase { .. } => "clue_convert_by_case",
            E::ClueForwardedTooOften { .. } => "clue_forwarded_too_often",
            E::UnknownRequest { .. } => "unknown_request",
            E::RecordExists { .. } => "record_exists",
            E::RequestRouteRefused { .. } => "request_route_refused",
            E::NotRequestReceiver { .. } => "not_request_receiver",
            E::RequestAnswered { .. } => "request_answered",
            E::RequestsFull { .. } => "requests_full",
            E::UnknownItem { .. } => "unknown_item",
            E::NotItemOwner { .. } => "not_item_owner",
            E::UnknownSnapshot { .. } => "unknown_snapshot",
            E::StaleSnapshot { .. } => "stale_snapshot",
            E::UnknownDraw { .. } => "unknown_draw",
            E::NotDrawIssuer { .. } => "not_draw_issuer",
            E::NotDrawCommitter { .. } => "not_draw_committer",
            E::DrawStepDone { .. } => "draw_step_done",
            E::DrawWrongState { .. } => "draw_wrong_state",
            E::DrawDeadlinePassed { .. } => "draw_deadline_passed",
            E::DrawTooLarge { .. } => "draw_too_large",
            E::DrawsFull { .. } => "draws_full",
            E::EntityProofInvalid { .. } => "entity_proof_invalid",
            E::TooManyRecusals { .. } => "too_many_recusals",
            // The algorithm's own codes (docs/draw.md §9), listed in the golden file.
            E::Draw(error) => error.code(),
        }
    }

    /// Whether the error is a fault of this node's state rather than of the
    /// transaction. Another validator with a healthy database would not get
    /// it, so a node should stop instead of committing it as a result.
    pub fn is_state_fault(&self) -> bool {
        matches!(self, ContractError::CorruptState { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use xianjie_ledger::error::DrawError;

    fn one_of_each() -> Vec<ContractError> {
        use ContractError as E;
        let key = KeyId([1; 20]);
        let org = || OrgId::new("market").expect("valid id");
        let digest = Hash([2; 32]);
        vec![
            E::WrongChain {
                expected: "a".into(),
                found: "b".into(),
            },
            E::Expired {
                valid_until: 1,
                height: 2,
            },
            E::ValidityTooLong {
                valid_until: 9,
                max_valid_until: 5,
            },
            E::UnknownSigner { signer: key },
            E::RevokedSigner {
                signer: key,
                revoked_at: Some(3),
            },
            E::NotAdmin {
                signer: key,
                role: Role::Officer,
            },
            E::OfficerExists { officer: key },
            E::UnknownOfficer { officer: key },
            E::OtherOrg {
                officer: key,
                officer_org: org(),
                signer_org: org(),
            },
            E::SelfRevocation { officer: key },
            E::AlreadyRevoked {
                officer: key,
                revoked_at: Some(1),
            },
            E::InvalidKey {
                public_key: PublicKey([0; 32]),
            },
            E::InvalidField {
                field: "media_type",
                limit: "x".into(),
            },
            E::PersonalInformation {
                field: "title",
                found: crate::privacy::PersonalIdentifier::MobileNumber,
            },
            E::AlreadyAnchored { digest },
            E::UnknownCategory {
                category: EvidenceCategory::Party,
            },
            E::TooFewCollectors { named: 1, min: 2 },
            E::UnknownCollector {
                collector: key,
                org: org(),
            },
            E::CollectorNotSigned { collector: key },
            E::BadCoSignature { officer: key },
            E::CoSignerNotCollector { officer: key },
            E::DuplicateCoSignature { officer: key },
            E::SupersedeUnknown { digest },
            E::AlreadySuperseded { digest, by: digest },
            E::SupersedeOtherOrg {
                digest,
                owner: org(),
            },
            E::UnknownEvidence { digest },
            E::NotHolder {
                digest,
                holder: org(),
                org: org(),
            },
            E::TransferPending { digest, to: org() },
            E::NoPendingTransfer { digest },
            E::NotRecipient {
                digest,
                recipient: org(),
                org: org(),
            },
            E::UnknownOrg { org: org() },
            E::TransferToSelf { org: org() },
            E::MissingRecipient,
            E::UnexpectedRecipient {
                action: CustodyAction::Seal,
            },
            E::EvidenceDestroyed { digest },
            E::CustodyLogFull { digest, max: 1 },
            E::UnknownCase {
                case_id: "c".into(),
            },
            E::CaseExists {
                case_id: "c".into(),
            },
            E::UnknownAction { action: "a".into() },
            E::InvalidTransition {
                action: "a".into(),
                state: CaseState::S0Lead,
            },
            E::WrongOrgKind {
                action: "a".into(),
                kind: OrgKind::Court,
                expected: "x".into(),
            },
            E::NotCaseParty {
                action: "a".into(),
                org: org(),
                expected: "x".into(),
            },
            E::WrongRole {
                action: "a".into(),
                role: Role::Admin,
                required: "a head",
            },
            E::MissingAttachment {
                action: "a".into(),
                kind: AttachmentKind::Receipt,
            },
            E::MissingTarget { action: "a".into() },
            E::TargetNotAllowed { action: "a".into() },
            E::InvalidTarget {
                action: "a".into(),
                target: org(),
                reason: "r".into(),
            },
            E::TaskforceTooSmall { named: 1, min: 2 },
            E::InvalidTaskforceMember {
                officer: key,
                org: org(),
            },
            E::NotTaskforceMember { officer: key },
            E::MissingReason { action: "a".into() },
            E::MissingOutcome {
                action: "a".into(),
                allowed: vec![Outcome::File],
            },
            E::InvalidOutcome {
                action: "a".into(),
                outcome: Outcome::File,
            },
            E::PenaltyInsteadOfTransfer {
                case_id: "c".into(),
            },
            E::NothingToAnswer {
                action: "a".into(),
                request: "r".into(),
            },
            E::StepMissing {
                action: "a".into(),
                needs: "n".into(),
            },
            E::AlreadyTransferred {
                case_id: "c".into(),
            },
            E::FactsNotAllowed { action: "a".into() },
            E::FactUnitMissing {
                kind: FactKind::Loss,
                expected: FactUnit::Fen,
            },
            E::FactWrongUnit {
                kind: FactKind::Loss,
                unit: FactUnit::Kg,
                expected: FactUnit::Fen,
            },
            E::FactNegative {
                kind: FactKind::Loss,
                value: -1,
            },
            E::FactOutOfRange {
                kind: FactKind::Loss,
                value: 1,
                max: 0,
                unit: FactUnit::Fen,
            },
            E::FactWithoutEvidence {
                kind: FactKind::Loss,
            },
            E::InvalidFact {
                kind: FactKind::Loss,
                reason: "r".into(),
            },
            E::InvalidPenaltyTerms { reason: "r".into() },
            E::InvalidThresholdRule {
                rule_id: "r".into(),
                reason: "r".into(),
            },
            E::FineAfterCriminalFine {
                case_id: "c".into(),
            },
            E::SecondFine {
                case_id: "c".into(),
                seq: 1,
            },
            E::NotExtendable { rule: "r".into() },
            E::AlreadyExtended {
                case_id: "c".into(),
                rule: "r".into(),
            },
            E::ExtensionTooLate {
                rule: "r".into(),
                due_at_ms: 1,
            },
            E::ClockNotRunning { rule: "r".into() },
            E::ClockNotStopped { rule: "r".into() },
            E::SupplementaryInvestigationLimit {
                case_id: "c".into(),
                limit: 2,
            },
            E::NothingToPublish {
                case_id: "c".into(),
            },
            E::AlreadySuspected {
                case_id: "c".into(),
            },
            E::NotOverdue { rule: "r".into() },
            E::AlreadyReconsidered,
            E::AlreadyHandedOver,
            E::ReplyRequired,
            E::SupervisionDuringReconsideration,
            E::WindowClosed {
                rule: "r".into(),
                due_at_ms: 1,
            },
            E::UnknownDomain { domain: "d".into() },
            E::InvalidEntity {
                error: UsccError::Length { found: 3 },
            },
            E::CaseLogFull {
                case_id: "c".into(),
            },
            E::CaseEvidenceFull {
                case_id: "c".into(),
            },
            E::NotRecollectable { digest },
            E::AlreadyLinked { digest },
            E::RecollectedOtherOrg {
                digest,
                owner: org(),
            },
            E::UnknownInspection { id: "i".into() },
            E::OwnInspection,
            E::NotRecognisable {
                id: "i".into(),
                problem: "p".into(),
            },
            E::UnknownRule { rule: "r".into() },
            E::SelfAccreditation,
            E::AccreditationFull {
                cma_number: "1".into(),
            },
            E::StancesFull { id: "i".into() },
            E::TooFewInspectors { named: 1, min: 2 },
            E::UnknownInspector {
                inspector: key,
                org: org(),
            },
            E::NotIssuer {
                id: "i".into(),
                issuer: org(),
            },
            E::NoObjectionWindow { id: "i".into() },
            E::RetestOutsideWindow {
                id: "i".into(),
                from: 1,
                to: 2,
            },
            E::RetestAlreadyRequested { id: "i".into() },
            E::NoRetestRequested { id: "i".into() },
            E::RetestAlreadyRecorded {
                id: "i".into(),
                result: "r".into(),
            },
            E::SameRetestLab {
                id: "i".into(),
                lab: "l".into(),
            },
            E::PolicyDenied { action: "a".into() },
            E::PolicyError { reason: "r".into() },
            E::InvalidPolicy { reason: "r".into() },
            E::NotVoter { org: org() },
            E::UnknownProposal { id: "p".into() },
            E::ProposalClosed { id: "p".into() },
            E::ProposalExpired {
                id: "p".into(),
                expired_at: 1,
            },
            E::AlreadyApproved {
                id: "p".into(),
                org: org(),
            },
            E::InvalidParams { reason: "r".into() },
            E::ValidatorExists { validator: key },
            E::UnknownValidator { validator: key },
            E::LastValidator,
            E::TooManyValidators,
            E::NodeKeyExists {
                public_key: PublicKey([0; 32]),
            },
            E::UnknownNodeKey {
                public_key: PublicKey([0; 32]),
            },
            E::NodeKeysFull,
            E::NotKeyOwner { org: org() },
            E::InvalidGenesis { reason: "r".into() },
            E::InvalidUscc {
                org: org(),
                error: UsccError::Length { found: 3 },
            },
            E::InvalidRegion {
                org: org(),
                region: "1".into(),
            },
            E::InvalidOrgName { org: org(), max: 3 },
            E::OrgExists { org: org() },
            E::UsccInUse {
                uscc: "u".into(),
                org: org(),
            },
            E::CorruptState {
                key: "params".into(),
                reason: "missing".into(),
            },
            E::BulletinHeightAhead { height: 9, last: 8 },
            E::InvalidCheckpoint { reason: "r".into() },
            E::TimestampNotForCheckpoint { reason: "r".into() },
            E::TimestampNotNewer { size: 3, last: 4 },
            E::DepositExists {
                court_chain: "c".into(),
                deposit_id: "d".into(),
            },
            E::DepositsFull { max: 16 },
            E::TimestampOrgsFull { max: 16 },
            E::NoWithdrawalNotice {
                case_id: "c".into(),
            },
            E::UnknownClue { id: "c".into() },
            E::ClueRouteRefused {
                from: org(),
                from_kind: "police",
                to: org(),
                to_kind: "court",
                why: "",
            },
            E::NotClueReceiver {
                id: "c".into(),
                to: org(),
            },
            E::ClueWrongState {
                id: "c".into(),
                state: "sent",
                action: "convert",
                needs: "accepted",
            },
            E::ClueConvertByCase { id: "c".into() },
            E::ClueForwardedTooOften {
                id: "c".into(),
                max: 8,
            },
            E::UnknownRequest { id: "r".into() },
            E::RecordExists { id: "r".into() },
            E::RequestRouteRefused {
                kind: "testing",
                from_kind: "court",
                to_kind: "court",
            },
            E::NotRequestReceiver {
                id: "r".into(),
                to: org(),
            },
            E::RequestAnswered { id: "r".into() },
            E::RequestsFull { max: 64 },
            E::UnknownItem { item: "i".into() },
            E::NotItemOwner {
                item: "i".into(),
                owner: org(),
            },
            E::UnknownSnapshot { id: "s".into() },
            E::StaleSnapshot {
                id: "s".into(),
                owner: org(),
            },
            E::UnknownDraw { id: "d".into() },
            E::NotDrawIssuer { org: org() },
            E::NotDrawCommitter {
                id: "d".into(),
                org: org(),
            },
            E::DrawStepDone {
                id: "d".into(),
                org: org(),
                step: "committed",
            },
            E::DrawWrongState {
                id: "d".into(),
                state: "failed",
                action: "reveal",
                needs: "revealing",
            },
            E::DrawDeadlinePassed {
                id: "d".into(),
                deadline_ms: 1,
            },
            E::DrawTooLarge {
                inspections: 501,
                max: 500,
            },
            E::DrawsFull { max: 64 },
            E::EntityProofInvalid {
                id: "d".into(),
                inspection: 0,
                position: 3,
            },
            E::TooManyRecusals {
                id: "d".into(),
                inspection: 0,
                max: 2,
            },
        ]
        .into_iter()
        .chain(draw_errors().into_iter().map(E::Draw))
        .collect()
    }

    /// The algorithm's refusals a transaction can meet (its
    /// `too_few_inspectors` shares the code, and the meaning, of
    /// [`ContractError::TooFewInspectors`]).
    fn draw_errors() -> Vec<DrawError> {
        vec![
            DrawError::InvalidPlan { reason: "r".into() },
            DrawError::RatioAboveFull {
                risk_class: 1,
                basis_points: 10_001,
            },
            DrawError::TooManyRows {
                directory: "entity",
                count: 2,
                max: 1,
            },
            DrawError::InvalidRow {
                directory: "entity",
                index: 0,
                reason: "r".into(),
            },
            DrawError::EmptyPopulation {
                planned_classes: true,
            },
            DrawError::RevealMismatch {
                org: "o".into(),
                draw: "d".into(),
            },
            DrawError::NoSuchInspection { index: 9, count: 1 },
            DrawError::NotAssigned {
                officer: "k".into(),
                index: 0,
            },
            DrawError::NoReplacement {
                officer: "k".into(),
                index: 0,
            },
        ]
    }

    #[test]
    fn codes_are_unique_snake_case_and_messages_are_not_empty() {
        let errors = one_of_each();
        let mut codes = BTreeSet::new();
        for error in &errors {
            let code = error.code();
            assert!(codes.insert(code), "code {code} is used twice");
            // Digits only as in `ratio_above_100_percent`.
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && code.as_bytes()[0].is_ascii_lowercase(),
                "{code}"
            );
            assert!(!error.to_string().is_empty());
        }
        assert_eq!(codes.len(), errors.len());
    }

    /// Contract error codes are committed in block results, so a renamed or
    /// dropped code changes what validators write: every code of
    /// [`ContractError::code`] is in the golden list and every listed code
    /// is still produced.
    #[test]
    fn codes_are_the_golden_list() {
        let golden: BTreeSet<&str> = include_str!("../golden/error-codes.txt")
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let produced: BTreeSet<&str> = one_of_each().iter().map(ContractError::code).collect();
        let missing: Vec<_> = golden.difference(&produced).collect();
        let unlisted: Vec<_> = produced.difference(&golden).collect();
        assert!(
            missing.is_empty() && unlisted.is_empty(),
            "codes no longer produced (renamed or removed: committed results name them): {missing:?}; \
             codes not in contracts/golden/error-codes.txt (add them at its end): {unlisted:?}"
        );
        // `one_of_each` covers every arm of `code`, so none escapes the list.
        let source = include_str!("error.rs");
        let start = source.find("pub fn code(&self)").expect("fn code");
        let end = start + source[start..].find("\n    }\n").expect("end of fn code");
        let arms: BTreeSet<&str> = source[start..end]
            .split("=> \"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let mut arms = arms;
        arms.extend(draw_errors().iter().map(DrawError::code));
        assert_eq!(arms, produced, "one_of_each misses a variant");
    }

    #[test]
    fn only_corrupt_state_is_a_state_fault() {
        for error in one_of_each() {
            assert_eq!(error.is_state_fault(), error.code() == "corrupt_state");
        }
    }
}
