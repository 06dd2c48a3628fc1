//! The case transition table: one row per action, interpreted by the generic
//! engine in [`super`]. Row ids cite DOMAIN.md (§b.2 `T…`, §c.2 `R…`, §d `D…`).
//!
//! Reading a row: in any state of `from`, a signer of one of the `actors`
//! parties with at least `role` may record `action`, carrying every
//! attachment kind in `attachments` (plus the case domain's extra
//! attachments), the target organisation `target` asks for, the task force
//! if `taskforce`, a reason digest if `reason`, and an outcome if `to` is
//! decided by one. The `guards` must hold. The case moves to `to`.
//!
//! Roles: `Head` rows are the decisions the law gives leadership (approve or
//! decline a transfer, file or decline filing, decide reconsideration, order
//! filing, indict or not prosecute, judgment, and — because their sources say
//! so — withdrawal (MPS-Rules Arts 186–187: head approval), the procuratorial
//! opinions of D3 and R3 (chief procurator approval), the notice to withdraw
//! a case and the 复议/复核 decisions on it (D6, SPP-Rules-2019 Arts 561,
//! 565: 经检察长决定) and the administrative penalty decision (APL Art 57:
//! 行政机关负责人)). `Officer` rows may be
//! signed by an officer or a head: a head is an officer of the organisation
//! and may sign its ordinary acts. An admin never signs case acts: the admin
//! key manages keys and votes in governance, and keeping it out of cases
//! separates the two duties.

use xianjie_ledger::case::{AttachmentKind as A, CaseState, CaseState as S, Outcome};
use xianjie_ledger::model::OrgKind;
use xianjie_ledger::supervision::{
    AGENCY_SIDE_STATES, FILED_STATES, PSB_REQUEST_HIGHER_REVIEW, PSB_REQUEST_PROC_RECONSIDERATION,
    PSB_WITHDRAW_AFTER_NOTICE,
};

/// Which party of the case may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The administrative agency that owns the case (`AEA`).
    Owner,
    /// The police organ the case was transferred to (`PSB`).
    Police,
    /// The supervising procuratorate (`PROC`); before one is bound, any
    /// procuratorate of the owner's region, which is then bound.
    Procuratorate,
    /// The court the case was indicted in (`COURT`).
    Court,
    /// The higher procuratorate the case was last sent up to: the target of
    /// the latest `request-higher-review` (D6 复核) or `report-to-higher`
    /// (D4c) recorded on the case. No other procuratorate acts as it.
    HigherProcuratorate,
}

impl Party {
    /// The organisation kind of the party.
    pub fn org_kind(self) -> OrgKind {
        match self {
            Party::Owner => OrgKind::AdministrativeAgency,
            Party::Police => OrgKind::Police,
            Party::Procuratorate => OrgKind::Procuratorate,
            Party::Court => OrgKind::Court,
            Party::HigherProcuratorate => OrgKind::Procuratorate,
        }
    }

    /// The Cedar action group of the party's acts (see the policy schema).
    pub fn policy_group(self) -> &'static str {
        match self {
            Party::Owner => "aea-act",
            Party::Police => "police-act",
            Party::Procuratorate => "procuratorate-act",
            Party::Court => "court-act",
            Party::HigherProcuratorate => "higher-procuratorate-act",
        }
    }
}

/// The least role that may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinRole {
    /// An officer or a head.
    Officer,
    /// A head only.
    Head,
}

/// The organisation `to` must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `to` must be empty.
    None,
    /// The same-level police: a police organ of the owner's region, or one
    /// the parameters' `cases.transfer_targets` allow for the owner (T6,
    /// SC-Transfer Art 5 ¶2, DOMAIN §b.3 ¶5).
    SameLevelPolice,
    /// Another police organ, the competent one (T7a).
    OtherPolice,
    /// A court (T20).
    Court,
    /// A procuratorate above the supervising one whose division contains
    /// the case's (D4c).
    HigherProcuratorate,
}

/// The next state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Always this state.
    To(CaseState),
    /// The state does not change (a step inside a state).
    Stay,
    /// Chosen by the outcome the action records.
    ByOutcome(&'static [(Outcome, CaseState)]),
    /// Chosen by the state the case is in.
    ByFrom(&'static [(CaseState, CaseState)]),
    /// The state does not change, and the action records one of these
    /// outcomes (a decision taken inside a state, e.g. D6 复议).
    StayWithOutcome(&'static [Outcome]),
}

/// A condition beyond state, party and data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The signer is on the task force (or is a head).
    TaskforceMember,
    /// The action answers the named request: that request was recorded and
    /// not answered since.
    Answers(&'static str),
    /// From a decided or closed case (R5–R9), only one that was never
    /// transferred: D3 reaches the cases that were not sent; a case back
    /// from the criminal track is supervised there (R8, D8).
    NeverTransferred,
    /// The clock of one of the named deadline rules has run out at block
    /// time. Each rule runs in its own states, so a row that starts from
    /// several situations names the clock of each (`notice-to-correct`:
    /// the order to file in S8S, the withdrawal notice in a filed case).
    Overdue(&'static [&'static str]),
    /// The named window rule's clock has not expired at block time (a rule
    /// that is not running, or not in the parameters, does not refuse).
    WithinWindow(&'static str),
    /// The named action was recorded on the case since its clock-starting
    /// request (here: `notice-to-correct` before `report-to-higher`).
    After(&'static str),
    /// No administrative penalty instead of transfer (DOMAIN §b.3 ¶1): once
    /// the case reached S2, or the procuratorate required the transfer (D3),
    /// only after S8X-final, S10X, S12X or S14, or in S1 after the head
    /// declined the transfer with reasons (T5x `continue-admin`) or the
    /// police returned the matter as outside their remit (T7c), unless a D3
    /// opinion came after that.
    NoPenaltyInsteadOfTransfer,
    /// From a decided case (R5–R8) only if it never reached S2: a decision
    /// made before any suspicion does not end the duty to transfer (SC-Transfer
    /// Art 3); a penalty stays in force and is carried for offset (DOMAIN
    /// §b.3 ¶2, Art 11 ¶2–3). From S1 it does not apply.
    NeverSuspected,
    /// T23: once the court imposed a criminal fine (罚金), the agency may
    /// impose no fine (罚款) for the same facts (APL Art 35 ¶2, SC-Transfer
    /// Art 11 ¶3); other penalties remain possible.
    NoFineAfterCriminalFine,
    /// Extends the named rule's running clock by the extension the chain
    /// parameters give it: once per start of the clock, before it is due.
    Extends(&'static str),
    /// A case is returned for supplementary investigation at most
    /// [`MAX_SUPPLEMENTARY_INVESTIGATIONS`] times.
    SupplementaryInvestigationsLeft,
    /// `publish` needs a penalty decided and not yet published.
    PenaltyToPublish,
    /// Reconsideration (复议) may be requested once.
    NotReconsidered,
    /// Items are handed over once.
    NotHandedOver,
    /// A case that came back with a procuratorial opinion (R3) is closed only
    /// after the agency replied (R6).
    ReplyBeforeClose,
    /// From S8R only if `cases.supervision_during_reconsideration` (DOMAIN
    /// §11 item 4, UNVERIFIED).
    SupervisionDuringReconsideration,
    /// Stops the named rule's running clock with the parameters' stop
    /// (`RulePause`) for a row that stays in the clock's states: the clock
    /// must be running and not already stopped.
    StopsClock(&'static str),
    /// Starts the named rule's clock stopped by [`Guard::StopsClock`] again:
    /// it must be stopped.
    RestartsClock(&'static str),
    /// A `fine` only if the case never recorded one (APL Art 29: 同一个违法
    /// 行为，不得给予两次以上罚款); other decisions remain possible.
    NoSecondFine,
    /// D6: the procuratorate's 通知撤销案件书 was recorded and stands: no
    /// 复议 or 复核 decision revoked it since.
    WithdrawalNoticeStands,
    /// `withdraw` before the investigation started (S8, S9) only on a
    /// standing 通知撤销案件书 (D6, SPP-Rules-2019 Art 563); in S10 the
    /// police withdraw on their own findings too (MPS-Rules Arts 186–187).
    NoticeBeforeInvestigation,
}

/// What an action does besides moving the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Records the task force.
    Taskforce,
    /// T6: binds the police (`to`) and the same-region procuratorate
    /// (抄送, T6c/D1; if the region has none yet, the first procuratorate of
    /// the region that acts is bound), and flags the case's class C evidence
    /// for re-collection.
    Transfer,
    /// T7a: the competent police (`to`) replaces the current one.
    Forward,
    /// T20: binds the court (`to`).
    BindCourt,
    /// D4c: the higher procuratorate (`to`) joins the case: it sees it
    /// among its cases and supervised cases.
    JoinHigherProcuratorate,
    /// T10: items handed over.
    ItemsHandedOver,
    /// T12: reconsideration decided; an upheld non-filing is final.
    Reconsidered,
    /// T15/T16: the non-filing is final.
    NonFilingFinal,
    /// T20: one more return for supplementary investigation (补充侦查).
    SupplementaryInvestigation,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// DOMAIN.md row ids.
    pub rows: &'static str,
    /// The action name used by the CLI and in policies.
    pub action: &'static str,
    /// What it does, for help texts.
    pub summary: &'static str,
    /// States it may start from.
    pub from: &'static [CaseState],
    /// The next state.
    pub to: Next,
    /// Parties that may sign.
    pub actors: &'static [Party],
    /// Least role.
    pub role: MinRole,
    /// Required attachment kinds.
    pub attachments: &'static [A],
    /// Kinds the action carries when the case has them (e.g. the relevant
    /// test reports of a transfer): not checked, but a client may fill
    /// unlabelled attachments with them after the required kinds.
    pub optional_attachments: &'static [A],
    /// What `to` must name.
    pub target: Target,
    /// Whether the action names the task force (`officers`).
    pub taskforce: bool,
    /// Whether a reason digest is required.
    pub reason: bool,
    /// Extra conditions.
    pub guards: &'static [Guard],
    /// Side effects.
    pub effects: &'static [Effect],
}

impl Transition {
    /// The outcomes the action accepts (empty: it takes none).
    pub fn outcomes(&self) -> Vec<Outcome> {
        match self.to {
            Next::ByOutcome(pairs) => pairs.iter().map(|(outcome, _)| *outcome).collect(),
            Next::StayWithOutcome(outcomes) => outcomes.to_vec(),
            _ => Vec::new(),
        }
    }

    /// The state after the action from `from` with `outcome`, if defined.
    pub fn next_state(&self, from: CaseState, outcome: Option<Outcome>) -> Option<CaseState> {
        match self.to {
            Next::To(state) => Some(state),
            Next::Stay => Some(from),
            Next::ByOutcome(pairs) => pairs
                .iter()
                .find(|(candidate, _)| Some(*candidate) == outcome)
                .map(|(_, state)| *state),
            Next::ByFrom(pairs) => pairs
                .iter()
                .find(|(candidate, _)| *candidate == from)
                .map(|(_, state)| *state),
            Next::StayWithOutcome(outcomes) => outcome
                .filter(|outcome| outcomes.contains(outcome))
                .map(|_| from),
        }
    }
}

const BASE: Transition = Transition {
    rows: "",
    action: "",
    summary: "",
    from: &[],
    to: Next::Stay,
    actors: &[],
    role: MinRole::Officer,
    attachments: &[],
    optional_attachments: &[],
    target: Target::None,
    taskforce: false,
    reason: false,
    guards: &[],
    effects: &[],
};

use Party::{
    Court as COURT, HigherProcuratorate as HIGHER_PROC, Owner as AEA, Police as PSB,
    Procuratorate as PROC,
};

/// The transition table.
pub static TABLE: &[Transition] = &[
    // --- forward path, agency side (§b.2) -------------------------------
    Transition {
        rows: "T1",
        action: "open-admin-case",
        summary: "open the administrative case (行政立案)",
        from: &[S::S0Lead],
        to: Next::To(S::S1AdminCase),
        actors: &[AEA],
        attachments: &[A::CaseOpeningRecord],
        ..BASE
    },
    Transition {
        rows: "T2",
        action: "mark-suspected",
        summary: "record that the facts meet a criminal threshold (also after a penalty decided before any suspicion)",
        from: &[
            S::S1AdminCase,
            S::R5Decided,
            S::R6Replied,
            S::R7Published,
            S::R8FollowUp,
        ],
        to: Next::To(S::S2SuspectedCrime),
        actors: &[AEA],
        attachments: &[A::ThresholdEvaluation, A::EvidenceList],
        guards: &[Guard::NeverSuspected],
        ..BASE
    },
    Transition {
        rows: "T3",
        action: "form-taskforce",
        summary: "designate the task force (专案组) of two or more officers",
        from: &[S::S2SuspectedCrime],
        to: Next::To(S::S3Taskforce),
        actors: &[AEA],
        taskforce: true,
        effects: &[Effect::Taskforce],
        ..BASE
    },
    Transition {
        rows: "T4",
        action: "submit-report",
        summary: "the task force submits the written transfer report to the head",
        from: &[S::S3Taskforce],
        to: Next::To(S::S4PendingApproval),
        actors: &[AEA],
        attachments: &[A::TransferReport],
        guards: &[Guard::TaskforceMember],
        ..BASE
    },
    Transition {
        rows: "T5",
        action: "approve-transfer",
        summary: "the head approves the transfer (24-hour transfer clock starts)",
        from: &[S::S4PendingApproval],
        to: Next::To(S::S5Approved),
        actors: &[AEA],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        ..BASE
    },
    Transition {
        rows: "T5",
        action: "decline-transfer",
        summary: "the head declines the transfer, with reasons recorded",
        from: &[S::S4PendingApproval],
        to: Next::To(S::S5xNotApproved),
        actors: &[AEA],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        ..BASE
    },
    Transition {
        rows: "T5x",
        action: "resubmit",
        summary: "submit a declined transfer to the head again",
        from: &[S::S5xNotApproved],
        to: Next::To(S::S4PendingApproval),
        actors: &[AEA],
        attachments: &[A::TransferReport],
        ..BASE
    },
    Transition {
        rows: "T5x",
        action: "continue-admin",
        summary: "continue administrative handling after a declined transfer",
        from: &[S::S5xNotApproved],
        to: Next::To(S::S1AdminCase),
        actors: &[AEA],
        attachments: &[A::DecisionRecord],
        ..BASE
    },
    Transition {
        rows: "D3, T5x",
        action: "suggest-transfer",
        summary: "the procuratorate's 检察意见 requires the agency to transfer: it prepares the transfer (T2-T4); a declined one goes back to the head",
        from: &[
            S::S1AdminCase,
            S::S2SuspectedCrime,
            S::S3Taskforce,
            S::S5xNotApproved,
            S::R5Decided,
            S::R6Replied,
            S::R7Published,
            S::R8FollowUp,
            S::R9Closed,
        ],
        // The opinion does not do the agency's preparation for it: the
        // threshold evaluation (T2, with the tax gate of §b.4), the task force
        // of two or more (T3, §b.3 ¶4) and the written report (T4). A case
        // the head declined already has them and goes back to the head (T5x).
        // A case the agency decided or closed without transferring it (以罚代刑)
        // is reopened at S1: the penalty stays on record for the offset
        // (SC-Transfer Art 11 ¶3) and the agency prepares the transfer.
        to: Next::ByFrom(&[
            (S::S1AdminCase, S::S1AdminCase),
            (S::S2SuspectedCrime, S::S2SuspectedCrime),
            (S::S3Taskforce, S::S3Taskforce),
            (S::S5xNotApproved, S::S4PendingApproval),
            (S::R5Decided, S::S1AdminCase),
            (S::R6Replied, S::S1AdminCase),
            (S::R7Published, S::S1AdminCase),
            (S::R8FollowUp, S::S1AdminCase),
            (S::R9Closed, S::S1AdminCase),
        ]),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::ProcuratorialOpinion],
        guards: &[Guard::NeverTransferred],
        ..BASE
    },
    Transition {
        rows: "D3",
        action: "answer-opinion",
        summary: "the head answers the 检察意见 in writing with the reasons for not transferring (transferring answers it too)",
        from: &[S::S1AdminCase, S::S2SuspectedCrime, S::S3Taskforce],
        to: Next::Stay,
        actors: &[AEA],
        role: MinRole::Head,
        attachments: &[A::OpinionResponse],
        reason: true,
        guards: &[Guard::Answers("suggest-transfer")],
        ..BASE
    },
    Transition {
        rows: "D2",
        action: "request-file",
        summary: "the procuratorate requests the agency's case file (调阅案卷)",
        from: AGENCY_SIDE_STATES,
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::FileRequest],
        ..BASE
    },
    Transition {
        rows: "D2",
        action: "answer-file-request",
        summary: "the agency answers the file request with its documents' digests",
        from: AGENCY_SIDE_STATES,
        to: Next::Stay,
        actors: &[AEA],
        attachments: &[A::CaseFileIndex],
        guards: &[Guard::Answers("request-file")],
        ..BASE
    },
    Transition {
        rows: "T6, T6c",
        action: "transfer",
        summary: "deliver the transfer package to the same-level police (copied to the procuratorate)",
        from: &[S::S5Approved],
        to: Next::To(S::S6Transferred),
        actors: &[AEA],
        // SC-Transfer Art 6: the letter, the investigation report and the
        // inventory always; test reports and appraisal conclusions only
        // where the case has relevant ones (有关检验报告或者鉴定结论, 6(4)).
        attachments: &[A::TransferLetter, A::InvestigationReport, A::ItemInventory],
        optional_attachments: &[A::TestReport, A::OtherMaterials],
        target: Target::SameLevelPolice,
        effects: &[Effect::Transfer],
        ..BASE
    },
    // --- police acceptance and filing ----------------------------------
    Transition {
        rows: "T7",
        action: "receive",
        summary: "the police sign the receipt (回执)",
        from: &[S::S6Transferred, S::S7fForwarded],
        to: Next::To(S::S7Received),
        actors: &[PSB],
        attachments: &[A::Receipt],
        ..BASE
    },
    Transition {
        rows: "T7a",
        action: "forward",
        summary: "forward to the competent police organ, with written notice to the agency",
        from: &[S::S7Received],
        to: Next::To(S::S7fForwarded),
        actors: &[PSB],
        attachments: &[A::ForwardingRecord],
        target: Target::OtherPolice,
        effects: &[Effect::Forward],
        ..BASE
    },
    Transition {
        rows: "T7b",
        action: "request-materials",
        summary: "ask the agency for missing materials (补正)",
        from: &[S::S7Received],
        to: Next::To(S::S7mSupplement),
        actors: &[PSB],
        attachments: &[A::MissingMaterialsList],
        ..BASE
    },
    Transition {
        rows: "T7b",
        action: "supply-materials",
        summary: "the agency supplies the missing materials",
        from: &[S::S7mSupplement],
        to: Next::To(S::S7Received),
        actors: &[AEA],
        attachments: &[A::SupplementaryMaterials],
        ..BASE
    },
    Transition {
        rows: "T7c",
        action: "return-to-admin",
        summary: "the matter is outside police remit: returned to the agency with reasons",
        from: &[S::S7Received],
        to: Next::To(S::S1AdminCase),
        actors: &[PSB],
        attachments: &[A::ReturnNotice],
        reason: true,
        ..BASE
    },
    Transition {
        rows: "T8, T14",
        action: "file",
        summary: "the police file a criminal case (立案) and notify the agency",
        from: &[S::S7Received, S::S8oOverdue, S::S8sFilingSupervision],
        to: Next::To(S::S8Filed),
        actors: &[PSB],
        role: MinRole::Head,
        attachments: &[A::FilingDecision],
        ..BASE
    },
    Transition {
        rows: "T9",
        action: "decline-filing",
        summary: "the police decide not to file, with reasons, and return the file",
        from: &[S::S7Received, S::S8oOverdue],
        to: Next::To(S::S8xNotFiled),
        actors: &[PSB],
        role: MinRole::Head,
        attachments: &[A::NonFilingNotice],
        reason: true,
        ..BASE
    },
    Transition {
        rows: "T9o",
        action: "mark-overdue",
        summary: "record that the police missed the filing-decision deadline",
        from: &[S::S7Received],
        to: Next::To(S::S8oOverdue),
        actors: &[AEA, PROC],
        guards: &[Guard::Overdue(&["PSB_FILING_DECISION"])],
        ..BASE
    },
    Transition {
        rows: "T10",
        action: "hand-over-items",
        summary: "hand seized items and remaining materials to the police (S9 is a sub-state during S10)",
        from: &[S::S8Filed, S::S10Investigation],
        to: Next::ByFrom(&[
            (S::S8Filed, S::S9ItemsHandedOver),
            (S::S10Investigation, S::S10Investigation),
        ]),
        actors: &[AEA],
        attachments: &[A::HandoverList],
        guards: &[Guard::NotHandedOver],
        effects: &[Effect::ItemsHandedOver],
        ..BASE
    },
    // --- non-filing: reconsideration and supervision (§b.2, §d) ---------
    Transition {
        rows: "T11",
        action: "request-reconsideration",
        summary: "the agency requests reconsideration (复议) of the non-filing",
        from: &[S::S8xNotFiled],
        to: Next::To(S::S8rReconsideration),
        actors: &[AEA],
        attachments: &[A::ReconsiderationRequest],
        guards: &[
            Guard::NotReconsidered,
            Guard::WithinWindow("AEA_REQUEST_RECONSIDERATION"),
        ],
        ..BASE
    },
    Transition {
        rows: "T12",
        action: "decide-reconsideration",
        summary: "the police decide the reconsideration: file, or uphold (final at the police)",
        from: &[S::S8rReconsideration],
        to: Next::ByOutcome(&[
            (Outcome::File, S::S8Filed),
            (Outcome::Uphold, S::S8xNotFiled),
        ]),
        actors: &[PSB],
        role: MinRole::Head,
        attachments: &[A::ReconsiderationDecision],
        effects: &[Effect::Reconsidered],
        ..BASE
    },
    Transition {
        rows: "T13a, T13b, T13c, D4, D5",
        action: "request-supervision",
        summary: "filing supervision (立案监督): suggested by the agency or opened by the procuratorate",
        from: &[S::S8xNotFiled, S::S8rReconsideration, S::S8oOverdue],
        to: Next::To(S::S8sFilingSupervision),
        actors: &[AEA, PROC],
        attachments: &[A::SupervisionRequest],
        guards: &[Guard::SupervisionDuringReconsideration],
        ..BASE
    },
    Transition {
        rows: "D4, D5",
        action: "demand-reasons",
        summary: "the procuratorate demands the police's reasons (要求说明不立案理由)",
        from: &[S::S8sFilingSupervision, S::S8oOverdue],
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::ReasonsDemand],
        ..BASE
    },
    Transition {
        rows: "D4, D5",
        action: "explain",
        summary: "the police explain in writing",
        from: &[S::S8sFilingSupervision, S::S8oOverdue],
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::Explanation],
        ..BASE
    },
    Transition {
        rows: "D4a, T15",
        action: "accept-reasons",
        summary: "the procuratorate finds the reasons valid and informs the agency (non-filing final)",
        from: &[S::S8sFilingSupervision],
        to: Next::To(S::R0Trigger),
        actors: &[PROC],
        attachments: &[A::Reasons],
        effects: &[Effect::NonFilingFinal],
        ..BASE
    },
    Transition {
        rows: "D4b, D5",
        action: "order-filing",
        summary: "the procuratorate orders the police to file (通知立案)",
        from: &[S::S8sFilingSupervision, S::S8oOverdue],
        to: Next::To(S::S8sFilingSupervision),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::FilingNotice],
        ..BASE
    },
    // SPP-Rules-2019 Art 564 ¶2: 公安机关…超过十五日不予立案或者既不提出
    // 复议、复核也不撤销案件的 — the notice to correct follows an order to file
    // (D4c) and a withdrawal notice (D6) alike, each on its own 15-day clock.
    Transition {
        rows: "D4c, D6",
        action: "notice-to-correct",
        summary: "the police did not file within 15 days of the order, or neither withdrew the case nor asked for 复议/复核 within 15 days of the withdrawal notice: the procuratorate issues a 纠正违法通知书",
        from: &[
            S::S8sFilingSupervision,
            S::S8Filed,
            S::S9ItemsHandedOver,
            S::S10Investigation,
        ],
        to: Next::Stay,
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::CorrectionNotice],
        guards: &[Guard::Overdue(&[
            "PSB_FILE_AFTER_NOTICE",
            PSB_WITHDRAW_AFTER_NOTICE,
        ])],
        ..BASE
    },
    Transition {
        rows: "D4c",
        action: "report-to-higher",
        summary: "still not corrected: the procuratorate reports to the higher procuratorate, which joins the case",
        from: &[S::S8sFilingSupervision],
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::ReportToHigher],
        target: Target::HigherProcuratorate,
        guards: &[Guard::After("notice-to-correct")],
        effects: &[Effect::JoinHigherProcuratorate],
        ..BASE
    },
    Transition {
        rows: "D5",
        action: "correction-opinion",
        summary: "the police neither explained nor decided within 7 days of the demand: the procuratorate issues its 纠正意见",
        from: &[S::S8oOverdue],
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::CorrectionNotice],
        guards: &[Guard::Overdue(&["PSB_EXPLAIN_OVERDUE"])],
        ..BASE
    },
    Transition {
        rows: "T16",
        action: "accept-non-filing",
        summary: "the agency accepts the non-filing and handles the case itself (non-filing final)",
        from: &[S::S8xNotFiled],
        to: Next::To(S::R0Trigger),
        actors: &[AEA],
        attachments: &[A::DecisionRecord],
        effects: &[Effect::NonFilingFinal],
        ..BASE
    },
    // --- investigation, prosecution, trial ------------------------------
    Transition {
        rows: "T17",
        action: "start-investigation",
        summary: "the police start the criminal investigation (侦查)",
        from: &[S::S8Filed, S::S9ItemsHandedOver],
        to: Next::To(S::S10Investigation),
        actors: &[PSB],
        ..BASE
    },
    Transition {
        rows: "T17a",
        action: "move-case",
        summary: "the police move a filed case to another police organ (notice to the agency within 3 days)",
        from: &[S::S8Filed, S::S9ItemsHandedOver, S::S10Investigation],
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::ForwardingRecord],
        target: Target::OtherPolice,
        effects: &[Effect::Forward],
        ..BASE
    },
    Transition {
        rows: "T17a",
        action: "notify-move",
        summary: "the police give the agency written notice that the case moved",
        from: &[S::S8Filed, S::S9ItemsHandedOver, S::S10Investigation],
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::MoveNotice],
        guards: &[Guard::Answers("move-case")],
        ..BASE
    },
    Transition {
        rows: "D4d",
        action: "urge-investigation",
        summary: "three months after a supervised filing without the investigation concluded: the procuratorate sends a 催办函",
        from: &[S::S10Investigation],
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::UrgingLetter],
        guards: &[Guard::Overdue(&["PROC_URGE_INVESTIGATION"])],
        ..BASE
    },
    // --- D6: supervision of an improper filing (不应当立案而立案) ---------
    Transition {
        rows: "D6",
        action: "demand-filing-reasons",
        summary: "the procuratorate demands the police's reasons for filing (要求说明立案理由), before arrest approval or referral",
        from: FILED_STATES,
        to: Next::Stay,
        actors: &[PROC],
        attachments: &[A::FilingReasonsDemand],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "explain-filing",
        summary: "the police explain the filing in writing, with the facts, basis and evidence (within 7 days)",
        from: FILED_STATES,
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::FilingExplanation],
        guards: &[Guard::Answers("demand-filing-reasons")],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "notify-withdrawal",
        summary: "the reasons do not stand: the chief procurator notifies the police to withdraw the case (通知撤销案件)",
        from: FILED_STATES,
        to: Next::Stay,
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::WithdrawalNotice],
        guards: &[Guard::After("demand-filing-reasons")],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "request-proc-reconsideration",
        summary: "the police think the withdrawal notice wrong and ask the procuratorate to reconsider (复议)",
        from: FILED_STATES,
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::ReconsiderationRequest],
        guards: &[
            Guard::Answers("notify-withdrawal"),
            Guard::WithinWindow(PSB_REQUEST_PROC_RECONSIDERATION),
        ],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "decide-proc-reconsideration",
        summary: "the procuratorate decides the 复议 within 7 days: the notice is upheld or revoked",
        from: FILED_STATES,
        to: Next::StayWithOutcome(&[Outcome::Uphold, Outcome::Revoke]),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::ReconsiderationDecision],
        guards: &[Guard::Answers("request-proc-reconsideration")],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "request-higher-review",
        summary: "the police do not accept the upheld notice and ask the higher procuratorate to review it (复核); it joins the case",
        from: FILED_STATES,
        to: Next::Stay,
        actors: &[PSB],
        attachments: &[A::ReviewRequest],
        target: Target::HigherProcuratorate,
        guards: &[
            Guard::Answers("decide-proc-reconsideration"),
            Guard::WithdrawalNoticeStands,
            Guard::WithinWindow(PSB_REQUEST_HIGHER_REVIEW),
        ],
        effects: &[Effect::JoinHigherProcuratorate],
        ..BASE
    },
    Transition {
        rows: "D6",
        action: "decide-higher-review",
        summary: "the higher procuratorate named in the request decides the 复核 within 15 days: the notice is upheld or revoked",
        from: FILED_STATES,
        to: Next::StayWithOutcome(&[Outcome::Uphold, Outcome::Revoke]),
        actors: &[HIGHER_PROC],
        role: MinRole::Head,
        attachments: &[A::ReviewDecision],
        guards: &[Guard::Answers("request-higher-review")],
        ..BASE
    },
    Transition {
        rows: "T18, D6",
        action: "withdraw",
        summary: "the police withdraw the case (撤销案件): in investigation on their own findings, before it only on a standing 通知撤销案件",
        from: FILED_STATES,
        to: Next::To(S::S10xWithdrawn),
        actors: &[PSB],
        role: MinRole::Head,
        attachments: &[A::WithdrawalDecision],
        guards: &[Guard::NoticeBeforeInvestigation],
        ..BASE
    },
    Transition {
        rows: "T18r",
        action: "transfer-back",
        summary: "the police transfer a withdrawn case back to the agency",
        from: &[S::S10xWithdrawn],
        to: Next::To(S::R3Transferred),
        actors: &[PSB],
        attachments: &[A::TransferLetter, A::WithdrawalDecision],
        ..BASE
    },
    Transition {
        rows: "T19",
        action: "refer-for-prosecution",
        summary: "the police refer the case for prosecution (起诉意见书)",
        from: &[S::S10Investigation],
        to: Next::To(S::S11ProsecutionReview),
        actors: &[PSB],
        attachments: &[A::ProsecutionOpinion],
        ..BASE
    },
    Transition {
        rows: "T20",
        action: "extend-prosecution-review",
        summary: "the chief procurator extends the prosecution review of a major or complex case (延长审查起诉期限)",
        from: &[S::S11ProsecutionReview],
        to: Next::Stay,
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        guards: &[Guard::Extends("PROC_PROSECUTION_DECISION")],
        ..BASE
    },
    Transition {
        rows: "T20",
        action: "return-for-investigation",
        summary: "the procuratorate returns the case to the police for supplementary investigation (退回补充侦查), at most twice",
        from: &[S::S11ProsecutionReview],
        to: Next::To(S::S10Investigation),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        guards: &[Guard::SupplementaryInvestigationsLeft],
        effects: &[Effect::SupplementaryInvestigation],
        ..BASE
    },
    Transition {
        rows: "T20",
        action: "indict",
        summary: "the procuratorate indicts (提起公诉) in a court",
        from: &[S::S11ProsecutionReview],
        to: Next::To(S::S12Indicted),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::Indictment],
        target: Target::Court,
        effects: &[Effect::BindCourt],
        ..BASE
    },
    Transition {
        rows: "T20",
        action: "not-prosecute",
        summary: "the procuratorate decides not to prosecute (不起诉)",
        from: &[S::S11ProsecutionReview],
        to: Next::To(S::S12xNotProsecuted),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::NonProsecutionDecision],
        ..BASE
    },
    Transition {
        rows: "T21",
        action: "accept-trial",
        summary: "the court accepts the case for trial",
        from: &[S::S12Indicted],
        to: Next::To(S::S13Trial),
        actors: &[COURT],
        ..BASE
    },
    Transition {
        rows: "T21",
        action: "extend-trial",
        summary: "the court extends the time to judgment by a month, to three months after acceptance (延长审理期限; a higher court's further extension is not recorded here)",
        from: &[S::S13Trial],
        to: Next::Stay,
        actors: &[COURT],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        guards: &[Guard::Extends("COURT_JUDGMENT")],
        ..BASE
    },
    Transition {
        rows: "T21",
        action: "judgment",
        summary: "the court gives judgment: convicted (with or without a criminal fine), exempted (免予刑事处罚) or acquitted",
        from: &[S::S13Trial],
        to: Next::ByOutcome(&[
            (Outcome::Convicted, S::S14Judgment),
            (Outcome::ConvictedFined, S::S14Judgment),
            (Outcome::Exempted, S::S14Judgment),
            (Outcome::Acquitted, S::S14Judgment),
        ]),
        actors: &[COURT],
        role: MinRole::Head,
        attachments: &[A::Judgment],
        ..BASE
    },
    Transition {
        rows: "T22",
        action: "feedback",
        summary: "the outcome is fed back to the agency",
        from: &[S::S14Judgment],
        to: Next::To(S::S15Feedback),
        actors: &[COURT, PROC, PSB],
        attachments: &[A::OutcomeNotice],
        ..BASE
    },
    // --- reverse path (§c.2) --------------------------------------------
    Transition {
        rows: "R1",
        action: "internal-transfer",
        summary: "non-prosecuted case sent to the administrative-prosecution department",
        from: &[S::S12xNotProsecuted],
        to: Next::To(S::R1InternalTransfer),
        actors: &[PROC],
        ..BASE
    },
    Transition {
        rows: "R2",
        action: "register-review",
        summary: "the administrative-prosecution department registers the review",
        from: &[S::R1InternalTransfer],
        to: Next::To(S::R2Review),
        actors: &[PROC],
        ..BASE
    },
    Transition {
        rows: "R2",
        action: "extend-review",
        summary: "the chief procurator extends the review of a major or complex case (SPP-Reverse-Guide-2024 Arts 14–15)",
        from: &[S::R2Review],
        to: Next::Stay,
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        guards: &[Guard::Extends("REV_ADMIN_PROSECUTION_REVIEW")],
        ..BASE
    },
    Transition {
        rows: "R2",
        action: "terminate-review",
        summary: "review ends: no administrative penalty needed (终结审查)",
        from: &[S::R2Review],
        to: Next::To(S::R2tTerminated),
        actors: &[PROC],
        attachments: &[A::TerminationDecision],
        ..BASE
    },
    Transition {
        rows: "R2s",
        action: "suspend-review",
        summary: "review suspended while the non-prosecution is contested (中止审查); its clock stops",
        from: &[S::R2Review],
        to: Next::To(S::R2sSuspended),
        actors: &[PROC],
        attachments: &[A::SuspensionDecision],
        ..BASE
    },
    Transition {
        rows: "R2s",
        action: "resume-review",
        summary: "the non-prosecution stands: the review resumes with the time it had left",
        from: &[S::R2sSuspended],
        to: Next::To(S::R2Review),
        actors: &[PROC],
        attachments: &[A::NonProsecutionUpheld],
        ..BASE
    },
    Transition {
        rows: "R2r",
        action: "revoke-non-prosecution",
        summary: "the non-prosecution is revoked (撤销不起诉决定) and the procuratorate indicts: the case returns to the criminal track and the reverse review ends",
        from: &[
            S::S12xNotProsecuted,
            S::R1InternalTransfer,
            S::R2Review,
            S::R2sSuspended,
        ],
        to: Next::To(S::S12Indicted),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::NonProsecutionRevoked, A::Indictment],
        target: Target::Court,
        effects: &[Effect::BindCourt],
        ..BASE
    },
    Transition {
        rows: "R3",
        action: "reverse-transfer",
        summary: "the procuratorate delivers its 检察意见 and the 不起诉决定书 to the agency",
        from: &[S::R2Review],
        to: Next::To(S::R3Transferred),
        actors: &[PROC],
        role: MinRole::Head,
        attachments: &[A::ProcuratorialOpinion, A::NonProsecutionDecision],
        ..BASE
    },
    Transition {
        rows: "R4, T24",
        action: "accept-reverse",
        summary: "the agency opens or resumes the administrative case",
        from: &[S::R0Trigger, S::R3Transferred, S::S15Feedback],
        to: Next::To(S::R4AdminCase),
        actors: &[AEA],
        attachments: &[A::CaseOpeningRecord],
        ..BASE
    },
    Transition {
        rows: "R5, T5x",
        action: "penalty-decision",
        summary: "the agency decides: penalty, penalty with a fine, or no penalty with reasons (refused as 以罚代刑 while a transfer is due; no fine after a criminal fine or a fine already decided)",
        from: &[
            S::S1AdminCase,
            S::S2SuspectedCrime,
            S::S3Taskforce,
            S::S4PendingApproval,
            S::S5Approved,
            S::S5xNotApproved,
            S::S8xNotFiled,
            S::R4AdminCase,
        ],
        to: Next::ByOutcome(&[
            (Outcome::Penalty, S::R5Decided),
            (Outcome::Fine, S::R5Decided),
            (Outcome::NoPenalty, S::R5Decided),
        ]),
        actors: &[AEA],
        role: MinRole::Head,
        attachments: &[A::PenaltyDecision],
        guards: &[
            Guard::NoPenaltyInsteadOfTransfer,
            Guard::NoFineAfterCriminalFine,
            Guard::NoSecondFine,
        ],
        ..BASE
    },
    Transition {
        rows: "T1, R4",
        action: "extend-penalty-decision",
        summary: "the head extends the time for the penalty decision (APL Art 60: where a rule so provides; SAMR: 30 days with the head's approval)",
        from: &[S::S1AdminCase, S::R4AdminCase],
        to: Next::Stay,
        actors: &[AEA],
        role: MinRole::Head,
        attachments: &[A::DecisionRecord],
        reason: true,
        guards: &[Guard::Extends("ADMIN_PENALTY_DECISION")],
        ..BASE
    },
    Transition {
        rows: "T1, R4",
        action: "start-excluded-time",
        summary: "testing, inspection, quarantine, appraisal (检测、检验、检疫、鉴定) or a hearing starts: its time is not counted in the penalty-decision period",
        from: &[S::S1AdminCase, S::R4AdminCase],
        to: Next::Stay,
        actors: &[AEA],
        attachments: &[A::DecisionRecord],
        guards: &[Guard::StopsClock("ADMIN_PENALTY_DECISION")],
        ..BASE
    },
    Transition {
        rows: "T1, R4",
        action: "end-excluded-time",
        summary: "the testing or hearing ended (report or hearing record received): the penalty-decision period runs again with the days it had left",
        from: &[S::S1AdminCase, S::R4AdminCase],
        to: Next::Stay,
        actors: &[AEA],
        optional_attachments: &[A::TestReport, A::OtherMaterials],
        guards: &[Guard::RestartsClock("ADMIN_PENALTY_DECISION")],
        ..BASE
    },
    Transition {
        rows: "R6",
        action: "reply",
        summary: "the agency replies to the procuratorate",
        from: &[S::R5Decided],
        to: Next::To(S::R6Replied),
        actors: &[AEA],
        attachments: &[A::Reply],
        ..BASE
    },
    Transition {
        rows: "R7",
        action: "publish",
        summary: "the agency publishes the penalty (also one decided before the case turned criminal: it stays in force)",
        from: PUBLISH_FROM,
        to: Next::ByFrom(PUBLISH_NEXT),
        actors: &[AEA],
        attachments: &[A::DisclosureRecord],
        guards: &[Guard::PenaltyToPublish],
        ..BASE
    },
    Transition {
        rows: "R8, D8",
        action: "follow-up",
        summary: "the procuratorate follows up (跟踪督促) and may issue a 检察建议",
        from: &[
            S::R3Transferred,
            S::R4AdminCase,
            S::R5Decided,
            S::R6Replied,
            S::R7Published,
        ],
        to: Next::ByFrom(&[
            (S::R3Transferred, S::R3Transferred),
            (S::R4AdminCase, S::R4AdminCase),
            (S::R5Decided, S::R5Decided),
            (S::R6Replied, S::R8FollowUp),
            (S::R7Published, S::R8FollowUp),
        ]),
        actors: &[PROC],
        attachments: &[A::ProcuratorialSuggestion],
        ..BASE
    },
    Transition {
        rows: "T25, R9",
        action: "close",
        summary: "the agency closes the case",
        from: &[
            S::S15Feedback,
            S::R5Decided,
            S::R6Replied,
            S::R7Published,
            S::R8FollowUp,
        ],
        to: Next::ByFrom(&[
            (S::S15Feedback, S::S16Closed),
            (S::R5Decided, S::R9Closed),
            (S::R6Replied, S::R9Closed),
            (S::R7Published, S::R9Closed),
            (S::R8FollowUp, S::R9Closed),
        ]),
        actors: &[AEA],
        attachments: &[A::ClosureRecord],
        guards: &[Guard::ReplyBeforeClose],
        ..BASE
    },
];

/// The row of an action.
pub fn transition(action: &str) -> Option<&'static Transition> {
    TABLE.iter().find(|row| row.action == action)
}

/// Every action name, in table order.
pub fn action_names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|row| row.action)
}

/// Where a penalty may wait for publication: R5 and R6, and, for a penalty
/// decided before the case was marked suspected (it stays in force,
/// SC-Transfer Art 11 ¶2), every open state that case may reach.
pub const PUBLISH_FROM: &[CaseState] = &[
    S::S2SuspectedCrime,
    S::S3Taskforce,
    S::S4PendingApproval,
    S::S5Approved,
    S::S5xNotApproved,
    S::S6Transferred,
    S::S7Received,
    S::S7fForwarded,
    S::S7mSupplement,
    S::S8Filed,
    S::S8xNotFiled,
    S::S8rReconsideration,
    S::S8sFilingSupervision,
    S::S8oOverdue,
    S::S9ItemsHandedOver,
    S::S10Investigation,
    S::S10xWithdrawn,
    S::S11ProsecutionReview,
    S::S12xNotProsecuted,
    S::S12Indicted,
    S::S13Trial,
    S::S14Judgment,
    S::S15Feedback,
    S::R0Trigger,
    S::R1InternalTransfer,
    S::R2Review,
    S::R3Transferred,
    S::R4AdminCase,
    S::R5Decided,
    S::R6Replied,
    S::R8FollowUp,
    S::R2sSuspended,
];

/// `publish` moves R5 and R6 to R7; elsewhere the case stays where it is.
const PUBLISH_NEXT: &[(CaseState, CaseState)] = &[
    (S::S2SuspectedCrime, S::S2SuspectedCrime),
    (S::S3Taskforce, S::S3Taskforce),
    (S::S4PendingApproval, S::S4PendingApproval),
    (S::S5Approved, S::S5Approved),
    (S::S5xNotApproved, S::S5xNotApproved),
    (S::S6Transferred, S::S6Transferred),
    (S::S7Received, S::S7Received),
    (S::S7fForwarded, S::S7fForwarded),
    (S::S7mSupplement, S::S7mSupplement),
    (S::S8Filed, S::S8Filed),
    (S::S8xNotFiled, S::S8xNotFiled),
    (S::S8rReconsideration, S::S8rReconsideration),
    (S::S8sFilingSupervision, S::S8sFilingSupervision),
    (S::S8oOverdue, S::S8oOverdue),
    (S::S9ItemsHandedOver, S::S9ItemsHandedOver),
    (S::S10Investigation, S::S10Investigation),
    (S::S10xWithdrawn, S::S10xWithdrawn),
    (S::S11ProsecutionReview, S::S11ProsecutionReview),
    (S::S12xNotProsecuted, S::S12xNotProsecuted),
    (S::S12Indicted, S::S12Indicted),
    (S::S13Trial, S::S13Trial),
    (S::S14Judgment, S::S14Judgment),
    (S::S15Feedback, S::S15Feedback),
    (S::R0Trigger, S::R0Trigger),
    (S::R1InternalTransfer, S::R1InternalTransfer),
    (S::R2Review, S::R2Review),
    (S::R3Transferred, S::R3Transferred),
    (S::R4AdminCase, S::R4AdminCase),
    (S::R5Decided, S::R7Published),
    (S::R6Replied, S::R7Published),
    (S::R8FollowUp, S::R8FollowUp),
    (S::R2sSuspended, S::R2sSuspended),
];

/// How many times a case may be returned for supplementary investigation
/// (CPL Art 175 ¶3: 补充侦查以二次为限).
pub const MAX_SUPPLEMENTARY_INVESTIGATIONS: u8 = 2;

/// The name under which the opening is recorded in the event log and marks.
pub const OPEN_CASE: &str = "open-case";

/// The deadline rule the action `name` extends, if it is an extension.
pub fn extended_rule(name: &str) -> Option<&'static str> {
    transition(name)?
        .guards
        .iter()
        .find_map(|guard| match guard {
            Guard::Extends(rule) => Some(*rule),
            _ => None,
        })
}

/// Whether `name` is a case action, the opening, or the mark the chain
/// itself records when a threshold rule is met (`threshold-met`): the names
/// a clock may start and stop on.
pub fn is_action(name: &str) -> bool {
    name == OPEN_CASE
        || name == xianjie_ledger::supervision::THRESHOLD_MET
        || name == xianjie_ledger::case::SUPERVISED_FILING
        || transition(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publication_clock_runs_wherever_publish_may_be_recorded() {
        let rules = xianjie_ledger::deadline::appendix_a_rules();
        let rule = rules
            .iter()
            .find(|rule| rule.id == "SAMR_PENALTY_PUBLICATION")
            .unwrap();
        assert_eq!(rule.on, PUBLISH_FROM);
        assert_eq!(transition("publish").unwrap().from, PUBLISH_FROM);
    }

    #[test]
    fn the_table_is_consistent() {
        let mut names: Vec<_> = action_names().collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "action names are unique");
        for row in TABLE {
            assert!(!row.from.is_empty(), "{}", row.action);
            assert!(!row.actors.is_empty(), "{}", row.action);
            assert!(row.action.len() <= xianjie_ledger::case::MAX_ACTION_LEN);
            for from in row.from {
                if let Next::ByFrom(pairs) = row.to {
                    assert!(pairs.iter().any(|(f, _)| f == from), "{}", row.action);
                }
                for outcome in row.outcomes() {
                    assert!(row.next_state(*from, Some(outcome)).is_some());
                }
                // Only the procuratorate's D2/D3 reach a closed case: the
                // cases that were never sent.
                assert!(
                    !from.is_terminal() || row.rows.contains('D'),
                    "{}",
                    row.action
                );
            }
        }
    }
}
