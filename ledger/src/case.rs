//! The records of a case transfer (行刑衔接, DOMAIN §b–§d): the states of the
//! forward and reverse paths, the attachments a step carries, and the case
//! record with its event log.
//!
//! The transition table itself (who may move a case from which state to
//! which) is in the contracts crate; this module only holds the data that is
//! stored and signed. Enum variants are encoded by position: append only.
//! No personal information: people are key ids, documents are digests, and
//! the only free text is a short case title.

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::hash::Hash;
use crate::ids::{CaseId, OrgId};

/// Longest case title in bytes (a short label such as "某超市销售过期食品";
/// never a person's name).
pub const MAX_CASE_TITLE_LEN: usize = 96;
/// Longest action name (`approve-transfer`).
pub const MAX_ACTION_LEN: usize = 32;
/// Most attachments on one case action.
pub const MAX_ATTACHMENTS: usize = 16;
/// Most officers named on one case action (a task force).
pub const MAX_TASKFORCE: usize = 16;
/// Most events one case may record.
pub const MAX_CASE_EVENTS: u32 = 1024;
/// Longest sector (domain) key such as `food_drug`.
pub const MAX_DOMAIN_LEN: usize = 32;
/// The mark the chain records when the police file a case from filing
/// supervision (S8S): the 催办函 clock starts at this filing (SPP-Rules-2019
/// Art 564 ¶3), not at the order to file.
pub const SUPERVISED_FILING: &str = "supervised-filing";
/// Most evidence items linked to one case.
pub const MAX_CASE_EVIDENCE: usize = 512;

macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration (= encoding) order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in JSON, on the command line and in policies.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.name().eq_ignore_ascii_case(text))
                    .ok_or_else(|| format!(
                        "unknown {} {text:?}; one of: {}",
                        stringify!($name),
                        $name::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
                    ))
            }
        }
    };
}

pub(crate) use named_enum;

named_enum! {
    /// The states of a case: the forward path of DOMAIN §b.1 (`S…`) and the
    /// reverse path of §c.2 (`R…`).
    pub enum CaseState {
        /// 线索: a lead was discovered.
        S0Lead = "S0_LEAD",
        /// 行政立案: administrative case opened and under investigation.
        S1AdminCase = "S1_ADMIN_CASE",
        /// Facts appear to meet a criminal prosecution threshold.
        S2SuspectedCrime = "S2_SUSPECTED_CRIME",
        /// 专案组 of two or more officers verifying facts and drafting the report.
        S3Taskforce = "S3_TASKFORCE",
        /// Written transfer report submitted to the head.
        S4PendingApproval = "S4_PENDING_APPROVAL",
        /// Head approved the transfer; the 24-hour transfer clock runs.
        S5Approved = "S5_APPROVED",
        /// Head declined the transfer, with reasons recorded.
        S5xNotApproved = "S5X_NOT_APPROVED",
        /// Transfer package delivered to the police; awaiting the receipt.
        S6Transferred = "S6_TRANSFERRED",
        /// The police signed the receipt (回执).
        S7Received = "S7_RECEIVED",
        /// The police forwarded the case to the competent organ.
        S7fForwarded = "S7F_FORWARDED",
        /// The police asked for missing materials (补正).
        S7mSupplement = "S7M_SUPPLEMENT",
        /// The police filed a criminal case (立案).
        S8Filed = "S8_FILED",
        /// The police decided not to file (不予立案).
        S8xNotFiled = "S8X_NOT_FILED",
        /// The agency requested reconsideration (复议) of the non-filing.
        S8rReconsideration = "S8R_RECONSIDERATION",
        /// Procuratorial filing supervision (立案监督) in progress.
        S8sFilingSupervision = "S8S_FILING_SUPERVISION",
        /// The police missed the filing-decision deadline.
        S8oOverdue = "S8O_OVERDUE",
        /// Seized items and remaining materials handed over (交接手续办结).
        S9ItemsHandedOver = "S9_ITEMS_HANDED_OVER",
        /// Criminal investigation (侦查).
        S10Investigation = "S10_INVESTIGATION",
        /// The police withdrew the case (撤销案件).
        S10xWithdrawn = "S10X_WITHDRAWN",
        /// The procuratorate reviews for prosecution (审查起诉).
        S11ProsecutionReview = "S11_PROSECUTION_REVIEW",
        /// 不起诉.
        S12xNotProsecuted = "S12X_NOT_PROSECUTED",
        /// 提起公诉.
        S12Indicted = "S12_INDICTED",
        /// Trial.
        S13Trial = "S13_TRIAL",
        /// Judgment: conviction, 免予刑事处罚 or acquittal.
        S14Judgment = "S14_JUDGMENT",
        /// The outcome was fed back to the agency.
        S15Feedback = "S15_FEEDBACK",
        /// Closed.
        S16Closed = "S16_CLOSED",
        /// Reverse path entered (反向衔接).
        R0Trigger = "R0_TRIGGER",
        /// Sent to the procuratorate's administrative-prosecution department.
        R1InternalTransfer = "R1_INTERNAL_TRANSFER",
        /// Under review by the administrative-prosecution department.
        R2Review = "R2_REVIEW",
        /// Review terminated: no administrative penalty needed.
        R2tTerminated = "R2_TERMINATED",
        /// Procuratorial opinion (检察意见) or case delivered to the agency.
        R3Transferred = "R3_TRANSFERRED",
        /// The agency opened or resumed the administrative case.
        R4AdminCase = "R4_ADMIN_CASE",
        /// The agency decided (penalty, or no penalty with reasons).
        R5Decided = "R5_DECIDED",
        /// The agency replied to the procuratorate.
        R6Replied = "R6_REPLIED",
        /// The penalty was published.
        R7Published = "R7_PUBLISHED",
        /// Procuratorial follow-up (跟踪督促).
        R8FollowUp = "R8_FOLLOW_UP",
        /// Reverse path closed.
        R9Closed = "R9_CLOSED",
        /// Review suspended (中止审查) while the non-prosecution is contested;
        /// the review clock is stopped.
        R2sSuspended = "R2S_SUSPENDED",
    }
}

impl CaseState {
    /// The short code of DOMAIN.md (`S8X`, `R2T`): the name up to its first `_`,
    /// with `R2_TERMINATED` as `R2T`.
    pub fn code(self) -> &'static str {
        match self {
            CaseState::R2tTerminated => "R2T",
            other => other.name().split('_').next().unwrap_or_default(),
        }
    }

    /// Whether nothing can follow: the case is closed.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::S16Closed | CaseState::R9Closed | CaseState::R2tTerminated
        )
    }

    /// Whether the state lies on the criminal track (S2–S15): reaching it
    /// means a crime was suspected, which the no-penalty-instead-of-transfer
    /// rule (DOMAIN §b.3 ¶1) remembers.
    pub fn is_criminal_track(self) -> bool {
        let position = CaseState::ALL.iter().position(|s| *s == self);
        let first = CaseState::ALL
            .iter()
            .position(|s| *s == CaseState::S2SuspectedCrime);
        let last = CaseState::ALL
            .iter()
            .position(|s| *s == CaseState::S15Feedback);
        matches!((position, first, last), (Some(p), Some(a), Some(b)) if a <= p && p <= b)
    }
}

named_enum! {
    /// What a case action's attachment is. Each is the digest of a document
    /// kept off chain (in the vault) or of anchored evidence.
    pub enum AttachmentKind {
        /// 立案审批表 / case-opening record.
        CaseOpeningRecord = "case-opening-record",
        /// Threshold evaluation (rule id and version, DOMAIN §g).
        ThresholdEvaluation = "threshold-evaluation",
        /// List of evidence relied on.
        EvidenceList = "evidence-list",
        /// 移送涉嫌犯罪案件的书面报告 (the task force's report to the head).
        TransferReport = "transfer-report",
        /// A decision record (审批/决定).
        DecisionRecord = "decision-record",
        /// A statement of reasons or grounds.
        Reasons = "reasons",
        /// 涉嫌犯罪案件移送书.
        TransferLetter = "transfer-letter",
        /// 涉嫌犯罪案件情况的调查报告.
        InvestigationReport = "investigation-report",
        /// 涉案物品清单.
        ItemInventory = "item-inventory",
        /// 检验报告 / 鉴定结论.
        TestReport = "test-report",
        /// Other materials on the suspected crime.
        OtherMaterials = "other-materials",
        /// The signed receipt (回执).
        Receipt = "receipt",
        /// Record and written notice of forwarding to the competent organ.
        ForwardingRecord = "forwarding-record",
        /// List of missing materials (补正通知).
        MissingMaterialsList = "missing-materials-list",
        /// The supplementary materials.
        SupplementaryMaterials = "supplementary-materials",
        /// 立案决定书 / 立案通知书.
        FilingDecision = "filing-decision",
        /// 不予立案通知书.
        NonFilingNotice = "non-filing-notice",
        /// Handover list of seized items (交接清单).
        HandoverList = "handover-list",
        /// 提请复议书 (T11), or the police's 要求复议意见书 against a withdrawal
        /// notice (D6).
        ReconsiderationRequest = "reconsideration-request",
        /// 复议决定书 (T12, or the procuratorate's on a withdrawal notice, D6).
        ReconsiderationDecision = "reconsideration-decision",
        /// 立案监督建议 / request for filing supervision.
        SupervisionRequest = "supervision-request",
        /// 要求说明不立案理由通知书.
        ReasonsDemand = "reasons-demand",
        /// 不立案理由说明书.
        Explanation = "explanation",
        /// 通知立案书.
        FilingNotice = "filing-notice",
        /// 检察意见书.
        ProcuratorialOpinion = "procuratorial-opinion",
        /// 撤销案件决定书.
        WithdrawalDecision = "withdrawal-decision",
        /// 起诉意见书.
        ProsecutionOpinion = "prosecution-opinion",
        /// 起诉书.
        Indictment = "indictment",
        /// 不起诉决定书.
        NonProsecutionDecision = "non-prosecution-decision",
        /// 判决书.
        Judgment = "judgment",
        /// Outcome notice to the agency.
        OutcomeNotice = "outcome-notice",
        /// 行政处罚决定书, or the written explanation of no penalty.
        PenaltyDecision = "penalty-decision",
        /// Written reply to the procuratorate.
        Reply = "reply",
        /// Disclosure record (公示).
        DisclosureRecord = "disclosure-record",
        /// Closure record.
        ClosureRecord = "closure-record",
        /// 终结审查决定书.
        TerminationDecision = "termination-decision",
        /// Tax-authority 追缴通知 (DOMAIN §b.4, Tax-Interp-2024 Art 3).
        RecoveryNotice = "recovery-notice",
        /// Written notice that a matter is outside police remit (MPS-Rules Art 180 ¶3).
        ReturnNotice = "return-notice",
        /// 检察建议.
        ProcuratorialSuggestion = "procuratorial-suggestion",
        /// 中止审查决定书.
        SuspensionDecision = "suspension-decision",
        /// The decision that leaves the non-prosecution standing (复议、复核
        /// or 申诉 decision, or the court's refusal of a private prosecution).
        NonProsecutionUpheld = "non-prosecution-upheld",
        /// The decision revoking the non-prosecution (撤销不起诉决定): on
        /// 复议、复核 or 申诉, or on the procuratorate's own finding.
        NonProsecutionRevoked = "non-prosecution-revoked",
        /// 调阅案卷函: the procuratorate's request for the case file (D2).
        FileRequest = "file-request",
        /// The index of the case file's documents (their digests) sent in answer.
        CaseFileIndex = "case-file-index",
        /// The agency's written answer to a 检察意见 requiring transfer (D3).
        OpinionResponse = "opinion-response",
        /// 纠正违法通知书 / 纠正意见 (D4c, D5).
        CorrectionNotice = "correction-notice",
        /// The report to the higher procuratorate (D4c).
        ReportToHigher = "report-to-higher",
        /// 立案监督案件催办函 (D4d).
        UrgingLetter = "urging-letter",
        /// Written notice to the agency that the case moved to another police organ (T17a).
        MoveNotice = "move-notice",
        /// 要求说明立案理由通知书: the procuratorate demands the police's
        /// reasons for filing (D6).
        FilingReasonsDemand = "filing-reasons-demand",
        /// 立案理由说明书: the police's written reasons for filing (D6).
        FilingExplanation = "filing-explanation",
        /// 通知撤销案件书: the procuratorate notifies the police to withdraw
        /// the case (D6).
        WithdrawalNotice = "withdrawal-notice",
        /// 提请复核意见书: the police ask the higher procuratorate to review
        /// (复核) a withdrawal notice upheld on 复议 (D6).
        ReviewRequest = "review-request",
        /// 复核决定书: the higher procuratorate's review decision (D6).
        ReviewDecision = "review-decision",
    }
}

named_enum! {
    /// The outcome a deciding action records.
    pub enum Outcome {
        /// Reconsideration: the police now files.
        File = "file",
        /// Reconsideration or review: the decision reviewed (the non-filing,
        /// or the procuratorate's withdrawal notice, D6) is upheld.
        Uphold = "uphold",
        /// Judgment: convicted.
        Convicted = "convicted",
        /// Judgment: 免予刑事处罚.
        Exempted = "exempted",
        /// Judgment: acquitted.
        Acquitted = "acquitted",
        /// Administrative decision: a penalty without a fine (warning,
        /// confiscation, suspension, revocation, …).
        Penalty = "penalty",
        /// Administrative decision: no penalty (with reasons).
        NoPenalty = "no-penalty",
        /// Judgment: convicted, with a criminal fine (罚金).
        ConvictedFined = "convicted-fined",
        /// Administrative decision: a penalty that includes a fine (罚款).
        Fine = "fine",
        /// Reconsideration or review (复议、复核) of the procuratorate's
        /// withdrawal notice: the notice was wrong and is revoked (D6).
        Revoke = "revoke",
    }
}

impl Outcome {
    /// The outcome this one narrows, if any: a fine is a penalty, and a
    /// conviction with a criminal fine is a conviction.
    pub fn narrows(self) -> Option<Outcome> {
        match self {
            Outcome::Fine => Some(Outcome::Penalty),
            Outcome::ConvictedFined => Some(Outcome::Convicted),
            _ => None,
        }
    }

    /// Whether this outcome is `general` or narrows it: a deadline rule
    /// started by a penalty also starts on a fine.
    pub fn is_a(self, general: Outcome) -> bool {
        self == general || self.narrows() == Some(general)
    }
}

named_enum! {
    /// Where a lead came from (DOMAIN §b.1 S0, §10).
    pub enum LeadKind {
        /// 双随机 random inspection (reference: the draw id).
        RandomInspection = "random-inspection",
        /// Complaint or report.
        Complaint = "complaint",
        /// Routine supervision.
        Routine = "routine",
        /// Sampling (抽检) (reference: the inspection id).
        Sampling = "sampling",
        /// Monitoring data.
        Monitoring = "monitoring",
        /// Assignment from a superior.
        Assignment = "assignment",
        /// A procuratorial 检察意见.
        ProcuratorialOpinion = "procuratorial-opinion",
        /// Anything else.
        Other = "other",
        /// A clue sent to the agency (reference: the clue id, `CLUE-…`):
        /// opening the case converts the clue (docs/clue.md).
        Clue = "clue",
    }
}

/// The source of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSource {
    /// What kind of source.
    pub kind: LeadKind,
    /// An id such as a random-draw id or an inspection id (`INSP-…`);
    /// at most 64 characters of `A-Z a-z 0-9 - _ / .`.
    pub reference: Option<String>,
}

/// A document attached to a case action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// What the document is.
    pub kind: AttachmentKind,
    /// Its BLAKE3 digest (the file digest for anchored evidence).
    pub digest: Hash,
}

/// When an action last happened on a case: the clocks start and stop on
/// these (see `DeadlineRule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionMark {
    /// The action name.
    pub action: String,
    /// The event (`CaseEvent::seq`) that recorded it: orders marks of one block.
    pub seq: u32,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
    /// Height.
    pub height: u64,
    /// The outcome the action recorded, if any.
    pub outcome: Option<Outcome>,
}

/// Facts about a case's history that the rules depend on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFlags {
    /// The case reached the criminal track (S2 or later): an administrative
    /// penalty may no longer replace the transfer (SC-Transfer Art 11 ¶1).
    pub suspected: bool,
    /// The criminal track ended in a way that returns the case to the agency:
    /// S8X-final, S10X, S12X or S14 (DOMAIN §b.3 ¶1).
    pub transfer_resolved: bool,
    /// The non-filing is final: upheld on reconsideration, accepted by the
    /// agency, or confirmed by the procuratorate.
    pub non_filing_final: bool,
    /// A reconsideration (复议) was already decided.
    pub reconsidered: bool,
    /// Seized items were handed over (T10; S9 is a sub-state, DOMAIN T17).
    pub items_handed_over: bool,
    /// How many times the procuratorate returned the case to the police for
    /// supplementary investigation (补充侦查; CPL Art 175 allows two).
    pub supplementary_investigations: u8,
}

/// A case, as stored under `case/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// `CASE-` and 16 hex characters of the opening transaction's hash.
    pub id: CaseId,
    /// Short title (no personal information).
    pub title: String,
    /// The inspected or suspected entity's 统一社会信用代码 (normalised).
    pub entity: String,
    /// Sector overlay key (`general`, `food_drug`, `tax`, …).
    pub domain: String,
    /// Where the lead came from.
    pub lead: LeadSource,
    /// The administrative agency that owns the case.
    pub owner: OrgId,
    /// The owner's administrative division code.
    pub region: String,
    /// Current state.
    pub state: CaseState,
    /// The police organ the case was transferred (or forwarded) to.
    pub police: Option<OrgId>,
    /// The procuratorate that supervises the case: the same-region
    /// procuratorate, bound at transfer (抄送, T6c/D1) or when it first acts.
    pub procuratorate: Option<OrgId>,
    /// The court the case was indicted in.
    pub court: Option<OrgId>,
    /// The task force (专案组), at least two officers of the owner.
    pub taskforce: Vec<KeyId>,
    /// History facts the rules depend on.
    pub flags: CaseFlags,
    /// The last time each action happened (one entry per action name).
    pub marks: Vec<ActionMark>,
    /// Height of the opening.
    pub opened_height: u64,
    /// Block time of the opening (Unix milliseconds).
    pub opened_at_ms: u64,
    /// Block time of the last change.
    pub updated_at_ms: u64,
    /// Number of events in the log (`case-event/<id>/<seq>`).
    pub event_count: u32,
    /// Time already run on clocks that were stopped and resumed (one entry
    /// per pausable rule).
    pub paused: Vec<PausedClock>,
}

/// The time a stoppable clock had run before it was stopped (DOMAIN §c.2
/// R2s: 中止审查), summed over every stop since the clock started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedClock {
    /// The deadline rule.
    pub rule: String,
    /// The mark (`ActionMark::seq`) of the action that started the clock:
    /// a restarted clock starts afresh.
    pub start_seq: u32,
    /// Units of the rule's limit used before the stops.
    pub used: u32,
}

impl Case {
    /// The mark of an action, if it ever happened.
    pub fn mark(&self, action: &str) -> Option<&ActionMark> {
        self.marks.iter().find(|mark| mark.action == action)
    }

    /// The organisations with a role in the case (owner first).
    pub fn parties(&self) -> Vec<&OrgId> {
        let mut parties = vec![&self.owner];
        for org in [&self.police, &self.procuratorate, &self.court]
            .into_iter()
            .flatten()
        {
            if !parties.contains(&org) {
                parties.push(org);
            }
        }
        parties
    }
}

/// One entry of a case's event log, stored under `case-event/<id>/<seq>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// Position in the log, from 0 (the opening).
    pub seq: u32,
    /// The action (`open-case` for the opening).
    pub action: String,
    /// State before.
    pub from: CaseState,
    /// State after.
    pub to: CaseState,
    /// The acting organisation.
    pub org: OrgId,
    /// The signing officer.
    pub officer: KeyId,
    /// Documents attached.
    pub attachments: Vec<Attachment>,
    /// Officers named (task force).
    pub officers: Vec<KeyId>,
    /// The organisation named as target (`--to`).
    pub target: Option<OrgId>,
    /// Digest of the reasons (kept off chain: they may name people).
    pub reason_digest: Option<Hash>,
    /// The outcome recorded.
    pub outcome: Option<Outcome>,
    /// Height.
    pub height: u64,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
    /// The transaction.
    pub tx: Hash,
}

/// Re-collection status of class C evidence (witness and party statements,
/// DOMAIN §e): flagged when its case is transferred, linked to the fresh
/// criminal-side record when one is made. Stored under `recollection/<digest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recollection {
    /// The administrative-side record that must be re-collected.
    pub original: Hash,
    /// The case whose transfer flagged it.
    pub case_id: CaseId,
    /// Always true: investigators must take the statement again.
    pub requires_recollection: bool,
    /// Height at which it was flagged.
    pub flagged_height: u64,
    /// The re-collected record, once linked.
    pub recollected: Option<Hash>,
    /// The organisation that linked it.
    pub linked_by: Option<OrgId>,
    /// Height of the link.
    pub linked_height: Option<u64>,
}

/// An attachment a sector requires on top of the transition table's, e.g.
/// the tax authority's 追缴通知 before a tax case may be marked suspected
/// (DOMAIN §b.4, Tax-Interp-2024 Art 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainAttachment {
    /// The case domain.
    pub domain: String,
    /// The action.
    pub action: String,
    /// The attachment kind it must carry.
    pub kind: AttachmentKind,
}

/// A transfer target other than the same-region police, configured per
/// agency: customs anti-smuggling police, railway or forest police (DOMAIN
/// §b.3 ¶5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferTarget {
    /// The administrative agency.
    pub agency: OrgId,
    /// A police organ it may transfer to.
    pub police: OrgId,
}

/// Chain parameters of the case contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseParams {
    /// Fewest officers on a task force (SC-Transfer Art 5 ¶1: two or more).
    pub min_taskforce: u8,
    /// Accepted case domains (sector overlay keys).
    pub domains: Vec<String>,
    /// Extra attachments per domain and action.
    pub domain_attachments: Vec<DomainAttachment>,
    /// Extra transfer targets per agency.
    pub transfer_targets: Vec<TransferTarget>,
    /// Whether the agency may ask for filing supervision (立案监督) while its
    /// reconsideration (复议) request is pending. DOMAIN §11 item 4: whether
    /// the two may run in parallel is UNVERIFIED; T13a says "model as allowed".
    #[serde(default = "allowed")]
    pub supervision_during_reconsideration: bool,
}

fn allowed() -> bool {
    true
}

impl CaseParams {
    /// What a genesis written before the `cases` parameters existed is read
    /// with: the defaults of that release (without the `tobacco` domain), so
    /// its hash stays what it was.
    pub fn first_release() -> Self {
        let mut params = CaseParams::default();
        params.domains.retain(|domain| domain != "tobacco");
        params
    }
}

impl Default for CaseParams {
    fn default() -> Self {
        CaseParams {
            min_taskforce: 2,
            domains: [
                "general",
                "food_drug",
                "drug",
                "environment",
                "tax",
                "customs",
                "ip",
                "tobacco",
            ]
            .map(String::from)
            .to_vec(),
            domain_attachments: vec![DomainAttachment {
                domain: "tax".into(),
                action: "mark-suspected".into(),
                kind: AttachmentKind::RecoveryNotice,
            }],
            transfer_targets: Vec::new(),
            supervision_during_reconsideration: true,
        }
    }
}

macro_rules! canonical {
    ($ty:ty, $kind:literal, $max:expr) => {
        impl Canonical for $ty {
            const KIND: &'static str = $kind;
            const MAX_ENCODED_LEN: usize = $max;
        }
    };
}

canonical!(Case, "case", 16 * 1024);
canonical!(CaseEvent, "case event", 4 * 1024);
canonical!(Recollection, "recollection", 512);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_codes() {
        for state in CaseState::ALL {
            assert_eq!(state.name().parse::<CaseState>().unwrap(), *state);
        }
        assert_eq!(CaseState::ALL.len(), 38);
        assert_eq!(CaseState::S8xNotFiled.code(), "S8X");
        assert_eq!(CaseState::R2tTerminated.code(), "R2T");
        assert_eq!(CaseState::R2sSuspended.code(), "R2S");
        assert!(!CaseState::R2sSuspended.is_criminal_track());
        assert_eq!(CaseState::S10Investigation.code(), "S10");
        assert!(CaseState::S2SuspectedCrime.is_criminal_track());
        assert!(CaseState::S15Feedback.is_criminal_track());
        assert!(!CaseState::S1AdminCase.is_criminal_track());
        assert!(!CaseState::R4AdminCase.is_criminal_track());
        assert_eq!(
            "transfer-letter".parse::<AttachmentKind>().unwrap(),
            AttachmentKind::TransferLetter
        );
        assert!("nonsense".parse::<Outcome>().is_err());
        assert_eq!(
            serde_json::to_string(&CaseState::S5xNotApproved).unwrap(),
            "\"S5X_NOT_APPROVED\""
        );
    }
}
