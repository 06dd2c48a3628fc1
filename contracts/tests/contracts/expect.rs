//! What DOMAIN.md says each case action does, written down independently of
//! the engine's table (`xianjie_contracts::case::table`), plus routes that
//! drive a fresh case to every state. The data-driven tests compare the
//! engine against this.
//!
//! Sources: §b.2 (T1–T25), §c.2 (R1–R9), §d (D3, D4, D4a, D4b, D6), and the
//! role rule of the task: heads decide (approve/decline transfer, file/decline
//! filing, decide reconsideration, order filing, indict/not prosecute,
//! judgment; withdrawal, D3 and R3 opinions and the penalty decision because
//! their sources require leadership approval), officers do the rest.

use xianjie_ledger::case::{Attachment, AttachmentKind, CaseState, Outcome};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{OrgKind, Role};
use xianjie_ledger::tx::{Call, CaseAction, OpenCase};

use crate::sim::{self, org_id, Sim, DAY_MS};

/// Who acts, as DOMAIN.md names the parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The administrative enforcement agency that owns the case.
    Aea,
    /// The police organ the case is with.
    Psb,
    /// The procuratorate (same region; the supervising one once bound).
    Proc,
    /// The court the case is before.
    Court,
    /// The higher procuratorate the police asked to review (复核) a
    /// withdrawal notice (D6): the one their request named.
    HigherProc,
}

impl Who {
    pub fn kind(self) -> OrgKind {
        match self {
            Who::Aea => OrgKind::AdministrativeAgency,
            Who::Psb => OrgKind::Police,
            Who::Proc => OrgKind::Procuratorate,
            Who::Court => OrgKind::Court,
            Who::HigherProc => OrgKind::Procuratorate,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum To {
    State(&'static str),
    Same,
    Map(&'static [(&'static str, &'static str)]),
}

#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub rows: &'static str,
    pub action: &'static str,
    pub from: &'static [&'static str],
    pub to: To,
    pub who: &'static [Who],
    pub head: bool,
    pub attachments: &'static [&'static str],
    /// The simulation organisation named in `to`.
    pub target: Option<&'static str>,
    pub taskforce: bool,
    pub reason: bool,
    pub outcome: Option<&'static str>,
}

const E: Expect = Expect {
    rows: "",
    action: "",
    from: &[],
    to: To::Same,
    who: &[],
    head: false,
    attachments: &[],
    target: None,
    taskforce: false,
    reason: false,
    outcome: None,
};

use Who::{Aea, Court, HigherProc, Proc, Psb};

/// One entry per action (and per outcome where the outcome picks the state).
pub static EXPECTED: &[Expect] = &[
    Expect {
        rows: "T1",
        action: "open-admin-case",
        from: &["S0_LEAD"],
        to: To::State("S1_ADMIN_CASE"),
        who: &[Aea],
        attachments: &["case-opening-record"],
        ..E
    },
    // From a decided case (R5–R8) only if it never reached S2 and the
    // decision was a penalty (§b.3 ¶2); the routes reach R5 through the
    // criminal track, so `guard_refusal` expects the refusal there, and
    // `cases.rs` checks the allowed path from an S1 penalty.
    Expect {
        rows: "T2",
        action: "mark-suspected",
        from: &[
            "S1_ADMIN_CASE",
            "R5_DECIDED",
            "R6_REPLIED",
            "R7_PUBLISHED",
            "R8_FOLLOW_UP",
        ],
        to: To::State("S2_SUSPECTED_CRIME"),
        who: &[Aea],
        attachments: &["threshold-evaluation", "evidence-list"],
        ..E
    },
    Expect {
        rows: "T3",
        action: "form-taskforce",
        from: &["S2_SUSPECTED_CRIME"],
        to: To::State("S3_TASKFORCE"),
        who: &[Aea],
        taskforce: true,
        ..E
    },
    Expect {
        rows: "T4",
        action: "submit-report",
        from: &["S3_TASKFORCE"],
        to: To::State("S4_PENDING_APPROVAL"),
        who: &[Aea],
        attachments: &["transfer-report"],
        ..E
    },
    Expect {
        rows: "T5",
        action: "approve-transfer",
        from: &["S4_PENDING_APPROVAL"],
        to: To::State("S5_APPROVED"),
        who: &[Aea],
        head: true,
        attachments: &["decision-record"],
        ..E
    },
    Expect {
        rows: "T5",
        action: "decline-transfer",
        from: &["S4_PENDING_APPROVAL"],
        to: To::State("S5X_NOT_APPROVED"),
        who: &[Aea],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T5x",
        action: "resubmit",
        from: &["S5X_NOT_APPROVED"],
        to: To::State("S4_PENDING_APPROVAL"),
        who: &[Aea],
        attachments: &["transfer-report"],
        ..E
    },
    Expect {
        rows: "T5x",
        action: "continue-admin",
        from: &["S5X_NOT_APPROVED"],
        to: To::State("S1_ADMIN_CASE"),
        who: &[Aea],
        attachments: &["decision-record"],
        ..E
    },
    // D3 requires the transfer but does not prepare it: the agency still
    // marks the suspicion (T2), forms the task force (T3) and reports (T4).
    // A declined transfer goes back to the head (T5x "→ S3/S4").
    Expect {
        rows: "D3",
        action: "suggest-transfer",
        // SPP-Rules-2019 Art 557 ¶3: an agency that does not transfer a
        // suspected crime — also one it decided or closed administratively
        // (SC-Transfer Art 11 ¶1: no penalty instead of transfer) — is
        // required to transfer; the case goes back to the agency's
        // preparation (S1).
        from: &[
            "S1_ADMIN_CASE",
            "S2_SUSPECTED_CRIME",
            "S3_TASKFORCE",
            "S5X_NOT_APPROVED",
            "R5_DECIDED",
            "R6_REPLIED",
            "R7_PUBLISHED",
            "R8_FOLLOW_UP",
            "R9_CLOSED",
        ],
        to: To::Map(&[
            ("S1_ADMIN_CASE", "S1_ADMIN_CASE"),
            ("S2_SUSPECTED_CRIME", "S2_SUSPECTED_CRIME"),
            ("S3_TASKFORCE", "S3_TASKFORCE"),
            ("S5X_NOT_APPROVED", "S4_PENDING_APPROVAL"),
            ("R5_DECIDED", "S1_ADMIN_CASE"),
            ("R6_REPLIED", "S1_ADMIN_CASE"),
            ("R7_PUBLISHED", "S1_ADMIN_CASE"),
            ("R8_FOLLOW_UP", "S1_ADMIN_CASE"),
            ("R9_CLOSED", "S1_ADMIN_CASE"),
        ]),
        who: &[Proc],
        head: true,
        attachments: &["procuratorial-opinion"],
        ..E
    },
    // D3: the agency must transfer or answer with reasons (the head answers
    // for the agency, as it decides transfers, SC-Transfer Art 5 ¶2).
    Expect {
        rows: "D3",
        action: "answer-opinion",
        from: &["S1_ADMIN_CASE", "S2_SUSPECTED_CRIME", "S3_TASKFORCE"],
        who: &[Aea],
        head: true,
        reason: true,
        attachments: &["opinion-response"],
        ..E
    },
    // D2: the procuratorate consults the agency's file; the agency must
    // cooperate and answers with its documents' digests.
    Expect {
        rows: "D2",
        action: "request-file",
        from: AGENCY_SIDE,
        who: &[Proc],
        attachments: &["file-request"],
        ..E
    },
    Expect {
        rows: "D2",
        action: "answer-file-request",
        from: AGENCY_SIDE,
        who: &[Aea],
        attachments: &["case-file-index"],
        ..E
    },
    // SC-Transfer Art 6: the letter (1), the investigation report (2) and
    // the inventory (3) always; (4) only the *relevant* (有关) test reports or
    // appraisal conclusions, so a case without one is still transferred.
    Expect {
        rows: "T6",
        action: "transfer",
        from: &["S5_APPROVED"],
        to: To::State("S6_TRANSFERRED"),
        who: &[Aea],
        attachments: &["transfer-letter", "investigation-report", "item-inventory"],
        target: Some("police"),
        ..E
    },
    Expect {
        rows: "T7",
        action: "receive",
        from: &["S6_TRANSFERRED", "S7F_FORWARDED"],
        to: To::State("S7_RECEIVED"),
        who: &[Psb],
        attachments: &["receipt"],
        ..E
    },
    Expect {
        rows: "T7a",
        action: "forward",
        from: &["S7_RECEIVED"],
        to: To::State("S7F_FORWARDED"),
        who: &[Psb],
        attachments: &["forwarding-record"],
        target: Some("police-b"),
        ..E
    },
    Expect {
        rows: "T7b",
        action: "request-materials",
        from: &["S7_RECEIVED"],
        to: To::State("S7M_SUPPLEMENT"),
        who: &[Psb],
        attachments: &["missing-materials-list"],
        ..E
    },
    Expect {
        rows: "T7b",
        action: "supply-materials",
        from: &["S7M_SUPPLEMENT"],
        to: To::State("S7_RECEIVED"),
        who: &[Aea],
        attachments: &["supplementary-materials"],
        ..E
    },
    Expect {
        rows: "T7c",
        action: "return-to-admin",
        from: &["S7_RECEIVED"],
        to: To::State("S1_ADMIN_CASE"),
        who: &[Psb],
        attachments: &["return-notice"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T8, T14",
        action: "file",
        from: &["S7_RECEIVED", "S8O_OVERDUE", "S8S_FILING_SUPERVISION"],
        to: To::State("S8_FILED"),
        who: &[Psb],
        head: true,
        attachments: &["filing-decision"],
        ..E
    },
    Expect {
        rows: "T9",
        action: "decline-filing",
        from: &["S7_RECEIVED", "S8O_OVERDUE"],
        to: To::State("S8X_NOT_FILED"),
        who: &[Psb],
        head: true,
        attachments: &["non-filing-notice"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T9o",
        action: "mark-overdue",
        from: &["S7_RECEIVED"],
        to: To::State("S8O_OVERDUE"),
        who: &[Aea, Proc],
        ..E
    },
    Expect {
        rows: "T10",
        action: "hand-over-items",
        from: &["S8_FILED", "S10_INVESTIGATION"],
        to: To::Map(&[
            ("S8_FILED", "S9_ITEMS_HANDED_OVER"),
            ("S10_INVESTIGATION", "S10_INVESTIGATION"),
        ]),
        who: &[Aea],
        attachments: &["handover-list"],
        ..E
    },
    Expect {
        rows: "T11",
        action: "request-reconsideration",
        from: &["S8X_NOT_FILED"],
        to: To::State("S8R_RECONSIDERATION"),
        who: &[Aea],
        attachments: &["reconsideration-request"],
        ..E
    },
    Expect {
        rows: "T12",
        action: "decide-reconsideration",
        from: &["S8R_RECONSIDERATION"],
        to: To::State("S8_FILED"),
        who: &[Psb],
        head: true,
        attachments: &["reconsideration-decision"],
        outcome: Some("file"),
        ..E
    },
    Expect {
        rows: "T12",
        action: "decide-reconsideration",
        from: &["S8R_RECONSIDERATION"],
        to: To::State("S8X_NOT_FILED"),
        who: &[Psb],
        head: true,
        attachments: &["reconsideration-decision"],
        outcome: Some("uphold"),
        ..E
    },
    Expect {
        rows: "T13a-c",
        action: "request-supervision",
        from: &["S8X_NOT_FILED", "S8R_RECONSIDERATION", "S8O_OVERDUE"],
        to: To::State("S8S_FILING_SUPERVISION"),
        who: &[Aea, Proc],
        attachments: &["supervision-request"],
        ..E
    },
    Expect {
        rows: "D4",
        action: "demand-reasons",
        from: &["S8S_FILING_SUPERVISION", "S8O_OVERDUE"],
        to: To::Same,
        who: &[Proc],
        attachments: &["reasons-demand"],
        ..E
    },
    Expect {
        rows: "D4",
        action: "explain",
        from: &["S8S_FILING_SUPERVISION", "S8O_OVERDUE"],
        to: To::Same,
        who: &[Psb],
        attachments: &["explanation"],
        ..E
    },
    Expect {
        rows: "D4a",
        action: "accept-reasons",
        from: &["S8S_FILING_SUPERVISION"],
        to: To::State("R0_TRIGGER"),
        who: &[Proc],
        attachments: &["reasons"],
        ..E
    },
    Expect {
        rows: "D4b",
        action: "order-filing",
        from: &["S8S_FILING_SUPERVISION", "S8O_OVERDUE"],
        to: To::State("S8S_FILING_SUPERVISION"),
        who: &[Proc],
        head: true,
        attachments: &["filing-notice"],
        ..E
    },
    Expect {
        rows: "T16",
        action: "accept-non-filing",
        from: &["S8X_NOT_FILED"],
        to: To::State("R0_TRIGGER"),
        who: &[Aea],
        attachments: &["decision-record"],
        ..E
    },
    Expect {
        rows: "T17",
        action: "start-investigation",
        from: &["S8_FILED", "S9_ITEMS_HANDED_OVER"],
        to: To::State("S10_INVESTIGATION"),
        who: &[Psb],
        ..E
    },
    Expect {
        rows: "T18",
        action: "withdraw",
        from: FILED,
        to: To::State("S10X_WITHDRAWN"),
        who: &[Psb],
        head: true,
        attachments: &["withdrawal-decision"],
        ..E
    },
    Expect {
        rows: "T18r",
        action: "transfer-back",
        from: &["S10X_WITHDRAWN"],
        to: To::State("R3_TRANSFERRED"),
        who: &[Psb],
        attachments: &["transfer-letter", "withdrawal-decision"],
        ..E
    },
    Expect {
        rows: "T19",
        action: "refer-for-prosecution",
        from: &["S10_INVESTIGATION"],
        to: To::State("S11_PROSECUTION_REVIEW"),
        who: &[Psb],
        attachments: &["prosecution-opinion"],
        ..E
    },
    Expect {
        rows: "T20",
        action: "extend-prosecution-review",
        from: &["S11_PROSECUTION_REVIEW"],
        to: To::Same,
        who: &[Proc],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T20",
        action: "return-for-investigation",
        from: &["S11_PROSECUTION_REVIEW"],
        to: To::State("S10_INVESTIGATION"),
        who: &[Proc],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T20",
        action: "indict",
        from: &["S11_PROSECUTION_REVIEW"],
        to: To::State("S12_INDICTED"),
        who: &[Proc],
        head: true,
        attachments: &["indictment"],
        target: Some("court"),
        ..E
    },
    Expect {
        rows: "T20",
        action: "not-prosecute",
        from: &["S11_PROSECUTION_REVIEW"],
        to: To::State("S12X_NOT_PROSECUTED"),
        who: &[Proc],
        head: true,
        attachments: &["non-prosecution-decision"],
        ..E
    },
    Expect {
        rows: "T21",
        action: "accept-trial",
        from: &["S12_INDICTED"],
        to: To::State("S13_TRIAL"),
        who: &[Court],
        ..E
    },
    Expect {
        rows: "T21",
        action: "extend-trial",
        from: &["S13_TRIAL"],
        to: To::Same,
        who: &[Court],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T21",
        action: "judgment",
        from: &["S13_TRIAL"],
        to: To::State("S14_JUDGMENT"),
        who: &[Court],
        head: true,
        attachments: &["judgment"],
        outcome: Some("convicted"),
        ..E
    },
    Expect {
        rows: "T21",
        action: "judgment",
        from: &["S13_TRIAL"],
        to: To::State("S14_JUDGMENT"),
        who: &[Court],
        head: true,
        attachments: &["judgment"],
        outcome: Some("convicted-fined"),
        ..E
    },
    Expect {
        rows: "T21",
        action: "judgment",
        from: &["S13_TRIAL"],
        to: To::State("S14_JUDGMENT"),
        who: &[Court],
        head: true,
        attachments: &["judgment"],
        outcome: Some("exempted"),
        ..E
    },
    Expect {
        rows: "T21",
        action: "judgment",
        from: &["S13_TRIAL"],
        to: To::State("S14_JUDGMENT"),
        who: &[Court],
        head: true,
        attachments: &["judgment"],
        outcome: Some("acquitted"),
        ..E
    },
    Expect {
        rows: "T22",
        action: "feedback",
        from: &["S14_JUDGMENT"],
        to: To::State("S15_FEEDBACK"),
        who: &[Court, Proc, Psb],
        attachments: &["outcome-notice"],
        ..E
    },
    Expect {
        rows: "R1",
        action: "internal-transfer",
        from: &["S12X_NOT_PROSECUTED"],
        to: To::State("R1_INTERNAL_TRANSFER"),
        who: &[Proc],
        ..E
    },
    Expect {
        rows: "R2",
        action: "register-review",
        from: &["R1_INTERNAL_TRANSFER"],
        to: To::State("R2_REVIEW"),
        who: &[Proc],
        ..E
    },
    // SPP-Reverse-Guide-2024 Arts 14–15: the chief procurator (head) may
    // extend the review of a major or complex case.
    Expect {
        rows: "R2",
        action: "extend-review",
        from: &["R2_REVIEW"],
        to: To::Same,
        who: &[Proc],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "R2",
        action: "terminate-review",
        from: &["R2_REVIEW"],
        to: To::State("R2_TERMINATED"),
        who: &[Proc],
        attachments: &["termination-decision"],
        ..E
    },
    // 中止审查 (SPP-Reverse-Guide-2024 Art 13): the review waits while the
    // non-prosecution is contested and resumes once it stands.
    Expect {
        rows: "R2s",
        action: "suspend-review",
        from: &["R2_REVIEW"],
        to: To::State("R2S_SUSPENDED"),
        who: &[Proc],
        attachments: &["suspension-decision"],
        ..E
    },
    Expect {
        rows: "R2s",
        action: "resume-review",
        from: &["R2S_SUSPENDED"],
        to: To::State("R2_REVIEW"),
        who: &[Proc],
        attachments: &["non-prosecution-upheld"],
        ..E
    },
    // The non-prosecution revoked (CPL Arts 179–180): the procuratorate
    // indicts, whether or not the review had been suspended for it.
    Expect {
        rows: "R2r",
        action: "revoke-non-prosecution",
        from: &[
            "S12X_NOT_PROSECUTED",
            "R1_INTERNAL_TRANSFER",
            "R2_REVIEW",
            "R2S_SUSPENDED",
        ],
        to: To::State("S12_INDICTED"),
        who: &[Proc],
        head: true,
        attachments: &["non-prosecution-revoked", "indictment"],
        target: Some("court"),
        ..E
    },
    Expect {
        rows: "R3",
        action: "reverse-transfer",
        from: &["R2_REVIEW"],
        to: To::State("R3_TRANSFERRED"),
        who: &[Proc],
        head: true,
        attachments: &["procuratorial-opinion", "non-prosecution-decision"],
        ..E
    },
    // From S15 after any judgment (T24; `cases.rs` checks each outcome).
    Expect {
        rows: "R4, T24",
        action: "accept-reverse",
        from: &["R0_TRIGGER", "R3_TRANSFERRED", "S15_FEEDBACK"],
        to: To::State("R4_ADMIN_CASE"),
        who: &[Aea],
        attachments: &["case-opening-record"],
        ..E
    },
    Expect {
        rows: "R5",
        action: "penalty-decision",
        from: &[
            "S1_ADMIN_CASE",
            "S2_SUSPECTED_CRIME",
            "S3_TASKFORCE",
            "S4_PENDING_APPROVAL",
            "S5_APPROVED",
            "S5X_NOT_APPROVED",
            "S8X_NOT_FILED",
            "R4_ADMIN_CASE",
        ],
        to: To::State("R5_DECIDED"),
        who: &[Aea],
        head: true,
        attachments: &["penalty-decision"],
        outcome: Some("penalty"),
        ..E
    },
    Expect {
        rows: "R5",
        action: "penalty-decision",
        from: &[
            "S1_ADMIN_CASE",
            "S2_SUSPECTED_CRIME",
            "S3_TASKFORCE",
            "S4_PENDING_APPROVAL",
            "S5_APPROVED",
            "S5X_NOT_APPROVED",
            "S8X_NOT_FILED",
            "R4_ADMIN_CASE",
        ],
        to: To::State("R5_DECIDED"),
        who: &[Aea],
        head: true,
        attachments: &["penalty-decision"],
        outcome: Some("no-penalty"),
        ..E
    },
    Expect {
        rows: "R5",
        action: "penalty-decision",
        from: &[
            "S1_ADMIN_CASE",
            "S2_SUSPECTED_CRIME",
            "S3_TASKFORCE",
            "S4_PENDING_APPROVAL",
            "S5_APPROVED",
            "S5X_NOT_APPROVED",
            "S8X_NOT_FILED",
            "R4_ADMIN_CASE",
        ],
        to: To::State("R5_DECIDED"),
        who: &[Aea],
        head: true,
        attachments: &["penalty-decision"],
        outcome: Some("fine"),
        ..E
    },
    // APL Art 60 (另有规定的除外): the head may extend the 90 days where a
    // rule provides it (SAMR: 30 days, head's approval), and the time of
    // testing, appraisal and hearings is not counted: recorded while the
    // administrative case is open (S1, R4), the case stays where it is.
    Expect {
        rows: "T1, R4",
        action: "extend-penalty-decision",
        from: &["S1_ADMIN_CASE", "R4_ADMIN_CASE"],
        to: To::Same,
        who: &[Aea],
        head: true,
        attachments: &["decision-record"],
        reason: true,
        ..E
    },
    Expect {
        rows: "T1, R4",
        action: "start-excluded-time",
        from: &["S1_ADMIN_CASE", "R4_ADMIN_CASE"],
        to: To::Same,
        who: &[Aea],
        attachments: &["decision-record"],
        ..E
    },
    Expect {
        rows: "T1, R4",
        action: "end-excluded-time",
        from: &["S1_ADMIN_CASE", "R4_ADMIN_CASE"],
        to: To::Same,
        who: &[Aea],
        ..E
    },
    Expect {
        rows: "R6",
        action: "reply",
        from: &["R5_DECIDED"],
        to: To::State("R6_REPLIED"),
        who: &[Aea],
        attachments: &["reply"],
        ..E
    },
    Expect {
        rows: "R7",
        action: "publish",
        from: &["R5_DECIDED", "R6_REPLIED"],
        to: To::State("R7_PUBLISHED"),
        who: &[Aea],
        attachments: &["disclosure-record"],
        ..E
    },
    // A penalty decided before the case turned criminal stays in force
    // (SC-Transfer Art 11 ¶2) and is still published: in any open state the
    // case reaches after that, `publish` leaves it where it is.
    Expect {
        rows: "R7",
        action: "publish",
        from: PUBLISH_LATER,
        to: To::Same,
        who: &[Aea],
        attachments: &["disclosure-record"],
        ..E
    },
    Expect {
        rows: "R8",
        action: "follow-up",
        from: &[
            "R3_TRANSFERRED",
            "R4_ADMIN_CASE",
            "R5_DECIDED",
            "R6_REPLIED",
            "R7_PUBLISHED",
        ],
        to: To::Map(&[
            ("R3_TRANSFERRED", "R3_TRANSFERRED"),
            ("R4_ADMIN_CASE", "R4_ADMIN_CASE"),
            ("R5_DECIDED", "R5_DECIDED"),
            ("R6_REPLIED", "R8_FOLLOW_UP"),
            ("R7_PUBLISHED", "R8_FOLLOW_UP"),
        ]),
        who: &[Proc],
        attachments: &["procuratorial-suggestion"],
        ..E
    },
    Expect {
        rows: "T25, R9",
        action: "close",
        from: &[
            "S15_FEEDBACK",
            "R5_DECIDED",
            "R6_REPLIED",
            "R7_PUBLISHED",
            "R8_FOLLOW_UP",
        ],
        to: To::Map(&[
            ("S15_FEEDBACK", "S16_CLOSED"),
            ("R5_DECIDED", "R9_CLOSED"),
            ("R6_REPLIED", "R9_CLOSED"),
            ("R7_PUBLISHED", "R9_CLOSED"),
            ("R8_FOLLOW_UP", "R9_CLOSED"),
        ]),
        who: &[Aea],
        attachments: &["closure-record"],
        ..E
    },
    // D4c, D6 (SPP-Rules-2019 Art 564 ¶2): 15 days after an order to file
    // without a filing, or 15 days after a withdrawal notice without
    // withdrawal, 复议 or 复核 (the filed case, D6), a 纠正违法通知书 (chief
    // procurator); if still not corrected, a report to the higher
    // procuratorate.
    Expect {
        rows: "D4c, D6",
        action: "notice-to-correct",
        from: &[
            "S8S_FILING_SUPERVISION",
            "S8_FILED",
            "S9_ITEMS_HANDED_OVER",
            "S10_INVESTIGATION",
        ],
        who: &[Proc],
        head: true,
        attachments: &["correction-notice"],
        ..E
    },
    Expect {
        rows: "D4c",
        action: "report-to-higher",
        from: &["S8S_FILING_SUPERVISION"],
        who: &[Proc],
        attachments: &["report-to-higher"],
        target: Some("proc-prov"),
        ..E
    },
    // D5 (SPP-Rules-2019 Art 562): the police neither explain nor decide
    // within 7 days: 纠正意见.
    Expect {
        rows: "D5",
        action: "correction-opinion",
        from: &["S8O_OVERDUE"],
        who: &[Proc],
        attachments: &["correction-notice"],
        ..E
    },
    // T17a (MPS-Rules Art 184): a filed case moved to another police organ,
    // with written notice to the agency within 3 days.
    Expect {
        rows: "T17a",
        action: "move-case",
        from: &["S8_FILED", "S9_ITEMS_HANDED_OVER", "S10_INVESTIGATION"],
        who: &[Psb],
        attachments: &["forwarding-record"],
        target: Some("police-b"),
        ..E
    },
    Expect {
        rows: "T17a",
        action: "notify-move",
        from: &["S8_FILED", "S9_ITEMS_HANDED_OVER", "S10_INVESTIGATION"],
        who: &[Psb],
        attachments: &["move-notice"],
        ..E
    },
    // D4d (SPP-Rules-2019 Art 564 ¶3): three months after a supervised
    // filing without the investigation concluded.
    Expect {
        rows: "D4d",
        action: "urge-investigation",
        from: &["S10_INVESTIGATION"],
        who: &[Proc],
        attachments: &["urging-letter"],
        ..E
    },
    // D6 (SPP-Rules-2019 Arts 559 ¶2, 560, 561, 563–565; MPS-Rules Art 183):
    // a filed case not yet sent for arrest approval or prosecution. The
    // procuratorate demands the reasons for filing; the police explain within
    // 7 days; the chief procurator notifies withdrawal; the police may ask the
    // same procuratorate to reconsider (decided within 7 days), then the
    // higher one to review (15 days).
    Expect {
        rows: "D6",
        action: "demand-filing-reasons",
        from: FILED,
        who: &[Proc],
        attachments: &["filing-reasons-demand"],
        ..E
    },
    Expect {
        rows: "D6",
        action: "explain-filing",
        from: FILED,
        who: &[Psb],
        attachments: &["filing-explanation"],
        ..E
    },
    Expect {
        rows: "D6",
        action: "notify-withdrawal",
        from: FILED,
        who: &[Proc],
        head: true,
        attachments: &["withdrawal-notice"],
        ..E
    },
    Expect {
        rows: "D6",
        action: "request-proc-reconsideration",
        from: FILED,
        who: &[Psb],
        attachments: &["reconsideration-request"],
        ..E
    },
    Expect {
        rows: "D6",
        action: "decide-proc-reconsideration",
        from: FILED,
        who: &[Proc],
        head: true,
        attachments: &["reconsideration-decision"],
        outcome: Some("uphold"),
        ..E
    },
    Expect {
        rows: "D6",
        action: "decide-proc-reconsideration",
        from: FILED,
        who: &[Proc],
        head: true,
        attachments: &["reconsideration-decision"],
        outcome: Some("revoke"),
        ..E
    },
    Expect {
        rows: "D6",
        action: "request-higher-review",
        from: FILED,
        who: &[Psb],
        attachments: &["review-request"],
        target: Some("proc-prov"),
        ..E
    },
    Expect {
        rows: "D6",
        action: "decide-higher-review",
        from: FILED,
        who: &[HigherProc],
        head: true,
        attachments: &["review-decision"],
        outcome: Some("uphold"),
        ..E
    },
    Expect {
        rows: "D6",
        action: "decide-higher-review",
        from: FILED,
        who: &[HigherProc],
        head: true,
        attachments: &["review-decision"],
        outcome: Some("revoke"),
        ..E
    },
];

/// A filed case before arrest approval or referral for prosecution (D6).
pub const FILED: &[&str] = &["S8_FILED", "S9_ITEMS_HANDED_OVER", "S10_INVESTIGATION"];

/// The steps that bring a filed case to the point where `action` may be
/// recorded, for the D6 actions that answer an earlier one (the routes record
/// none of them).
pub fn prerequisites(action: &str) -> &'static [(&'static str, Option<&'static str>)] {
    const CHAIN: &[(&str, Option<&str>)] = &[
        ("demand-filing-reasons", None),
        ("explain-filing", None),
        ("notify-withdrawal", None),
        ("request-proc-reconsideration", None),
        ("decide-proc-reconsideration", Some("uphold")),
        ("request-higher-review", None),
    ];
    let upto = match action {
        "explain-filing" | "notify-withdrawal" => 1,
        "request-proc-reconsideration" => 3,
        "decide-proc-reconsideration" => 4,
        "request-higher-review" => 5,
        "decide-higher-review" => 6,
        _ => 0,
    };
    &CHAIN[..upto]
}

/// The states in which the case is with the agency and was never sent on
/// (DOMAIN §d D2/D3), closed cases included.
pub const AGENCY_SIDE: &[&str] = &[
    "S1_ADMIN_CASE",
    "S2_SUSPECTED_CRIME",
    "S3_TASKFORCE",
    "S4_PENDING_APPROVAL",
    "S5_APPROVED",
    "S5X_NOT_APPROVED",
    "R5_DECIDED",
    "R6_REPLIED",
    "R7_PUBLISHED",
    "R8_FOLLOW_UP",
    "R9_CLOSED",
];

/// Open states after S1 where a penalty decided before the case turned
/// criminal may still await publication (R5 and R6 publish into R7).
pub const PUBLISH_LATER: &[&str] = &[
    "S2_SUSPECTED_CRIME",
    "S3_TASKFORCE",
    "S4_PENDING_APPROVAL",
    "S5_APPROVED",
    "S5X_NOT_APPROVED",
    "S6_TRANSFERRED",
    "S7_RECEIVED",
    "S7F_FORWARDED",
    "S7M_SUPPLEMENT",
    "S8_FILED",
    "S8X_NOT_FILED",
    "S8R_RECONSIDERATION",
    "S8S_FILING_SUPERVISION",
    "S8O_OVERDUE",
    "S9_ITEMS_HANDED_OVER",
    "S10_INVESTIGATION",
    "S10X_WITHDRAWN",
    "S11_PROSECUTION_REVIEW",
    "S12X_NOT_PROSECUTED",
    "S12_INDICTED",
    "S13_TRIAL",
    "S14_JUDGMENT",
    "S15_FEEDBACK",
    "R0_TRIGGER",
    "R1_INTERNAL_TRANSFER",
    "R2_REVIEW",
    "R3_TRANSFERRED",
    "R4_ADMIN_CASE",
    "R8_FOLLOW_UP",
    "R2S_SUSPENDED",
];

/// Where the right actor is still refused, and with which code: an
/// administrative decision on a case that reached S2 before the criminal
/// track ended (DOMAIN §b.3 ¶1; the routes below reach S8X without a final
/// non-filing), and marking suspected a decided case that already went
/// through the criminal track (§b.3 ¶2 covers only a penalty decided before
/// S2; the routes reach R5–R8 through S8X-final).
pub fn guard_refusal(action: &str, from: &str) -> Option<&'static str> {
    let penalty_blocked = [
        "S2_SUSPECTED_CRIME",
        "S3_TASKFORCE",
        "S4_PENDING_APPROVAL",
        "S5_APPROVED",
        "S5X_NOT_APPROVED",
        "S8X_NOT_FILED",
    ];
    let decided = ["R5_DECIDED", "R6_REPLIED", "R7_PUBLISHED", "R8_FOLLOW_UP"];
    match action {
        "penalty-decision" if penalty_blocked.contains(&from) => {
            Some("penalty_instead_of_transfer")
        }
        "mark-suspected" if decided.contains(&from) => Some("already_suspected"),
        // The routes reach decided and closed cases through a transfer: D3
        // is for cases that were never sent.
        "suggest-transfer" if from.starts_with('R') => Some("already_transferred"),
        // Nothing was asked on the routes.
        "answer-opinion" | "answer-file-request" | "notify-move" => Some("nothing_to_answer"),
        // No order to file, no withdrawal notice, no demand for reasons, no
        // supervised filing on the routes: the clocks these wait for never
        // ran.
        "notice-to-correct" | "correction-opinion" | "urge-investigation" => Some("not_overdue"),
        "report-to-higher" | "notify-withdrawal" => Some("step_missing"),
        // No demand for the reasons for filing, no withdrawal notice and no
        // 复议 on the routes (D6).
        "explain-filing"
        | "request-proc-reconsideration"
        | "decide-proc-reconsideration"
        | "request-higher-review" => Some("nothing_to_answer"),
        // No request named a higher procuratorate on the routes: none acts
        // as one.
        "decide-higher-review" => Some("not_case_party"),
        // Before the investigation the police withdraw only on a standing
        // withdrawal notice (D6), which the routes never issue.
        "withdraw" if from != "S10_INVESTIGATION" => Some("no_withdrawal_notice"),
        // The routes exclude no time: there is none to end.
        "end-excluded-time" => Some("clock_not_stopped"),
        // The routes decide no penalty before S2 (and R8 comes after R7).
        "publish" if PUBLISH_LATER.contains(&from) => Some("nothing_to_publish"),
        _ => None,
    }
}

/// How to reach each state from a fresh case: (state, previous state, action, outcome).
pub static ROUTES: &[(&str, &str, &str, Option<&str>)] = &[
    ("S1_ADMIN_CASE", "S0_LEAD", "open-admin-case", None),
    (
        "S2_SUSPECTED_CRIME",
        "S1_ADMIN_CASE",
        "mark-suspected",
        None,
    ),
    ("S3_TASKFORCE", "S2_SUSPECTED_CRIME", "form-taskforce", None),
    ("S4_PENDING_APPROVAL", "S3_TASKFORCE", "submit-report", None),
    (
        "S5_APPROVED",
        "S4_PENDING_APPROVAL",
        "approve-transfer",
        None,
    ),
    (
        "S5X_NOT_APPROVED",
        "S4_PENDING_APPROVAL",
        "decline-transfer",
        None,
    ),
    ("S6_TRANSFERRED", "S5_APPROVED", "transfer", None),
    ("S7_RECEIVED", "S6_TRANSFERRED", "receive", None),
    ("S7F_FORWARDED", "S7_RECEIVED", "forward", None),
    ("S7M_SUPPLEMENT", "S7_RECEIVED", "request-materials", None),
    ("S8_FILED", "S7_RECEIVED", "file", None),
    ("S8X_NOT_FILED", "S7_RECEIVED", "decline-filing", None),
    (
        "S8R_RECONSIDERATION",
        "S8X_NOT_FILED",
        "request-reconsideration",
        None,
    ),
    (
        "S8S_FILING_SUPERVISION",
        "S8X_NOT_FILED",
        "request-supervision",
        None,
    ),
    ("S8O_OVERDUE", "S7_RECEIVED", "mark-overdue", None),
    ("S9_ITEMS_HANDED_OVER", "S8_FILED", "hand-over-items", None),
    ("S10_INVESTIGATION", "S8_FILED", "start-investigation", None),
    ("S10X_WITHDRAWN", "S10_INVESTIGATION", "withdraw", None),
    (
        "S11_PROSECUTION_REVIEW",
        "S10_INVESTIGATION",
        "refer-for-prosecution",
        None,
    ),
    (
        "S12X_NOT_PROSECUTED",
        "S11_PROSECUTION_REVIEW",
        "not-prosecute",
        None,
    ),
    ("S12_INDICTED", "S11_PROSECUTION_REVIEW", "indict", None),
    ("S13_TRIAL", "S12_INDICTED", "accept-trial", None),
    // Exempted (免予刑事处罚): from S15 the agency may still take the case
    // back (T24) or close it (T25).
    ("S14_JUDGMENT", "S13_TRIAL", "judgment", Some("exempted")),
    ("S15_FEEDBACK", "S14_JUDGMENT", "feedback", None),
    ("S16_CLOSED", "S15_FEEDBACK", "close", None),
    ("R0_TRIGGER", "S8X_NOT_FILED", "accept-non-filing", None),
    (
        "R1_INTERNAL_TRANSFER",
        "S12X_NOT_PROSECUTED",
        "internal-transfer",
        None,
    ),
    ("R2_REVIEW", "R1_INTERNAL_TRANSFER", "register-review", None),
    ("R2_TERMINATED", "R2_REVIEW", "terminate-review", None),
    ("R3_TRANSFERRED", "R2_REVIEW", "reverse-transfer", None),
    ("R2S_SUSPENDED", "R2_REVIEW", "suspend-review", None),
    ("R4_ADMIN_CASE", "R0_TRIGGER", "accept-reverse", None),
    (
        "R5_DECIDED",
        "R4_ADMIN_CASE",
        "penalty-decision",
        Some("penalty"),
    ),
    ("R6_REPLIED", "R5_DECIDED", "reply", None),
    ("R7_PUBLISHED", "R6_REPLIED", "publish", None),
    ("R8_FOLLOW_UP", "R7_PUBLISHED", "follow-up", None),
    ("R9_CLOSED", "R8_FOLLOW_UP", "close", None),
];

pub fn state(name: &str) -> CaseState {
    name.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// The expectation of an action (the first, for actions with several outcomes).
pub fn expectation(action: &str, outcome: Option<&str>) -> &'static Expect {
    EXPECTED
        .iter()
        .find(|e| e.action == action && (outcome.is_none() || e.outcome == outcome))
        .unwrap_or_else(|| panic!("no expectation for {action}"))
}

/// The state an expectation leads to from `from`.
pub fn expected_next(expect: &Expect, from: &'static str) -> &'static str {
    match expect.to {
        To::State(state) => state,
        To::Same => from,
        To::Map(pairs) => pairs
            .iter()
            .find(|(f, _)| *f == from)
            .map(|(_, to)| *to)
            .expect("mapped"),
    }
}

/// The simulation organisation that acts as `who` on the case now.
pub fn party_org(sim: &Sim, case_id: &CaseId, who: Who) -> &'static str {
    let case = sim.case(case_id);
    let name = |org: Option<xianjie_ledger::ids::OrgId>, default: &'static str| {
        org.map(|id| {
            sim::ORGS
                .iter()
                .find(|(n, _, _)| *n == id.as_str())
                .map(|(n, _, _)| *n)
                .expect("a simulation org")
        })
        .unwrap_or(default)
    };
    match who {
        Who::Aea => name(Some(case.owner), "market"),
        Who::Psb => name(case.police, "police"),
        Who::Proc => name(case.procuratorate, "proc"),
        Who::Court => name(case.court, "court"),
        // The simulation's only procuratorate above `proc`.
        Who::HigherProc => "proc-prov",
    }
}

/// A key of the right role for the expectation in that organisation (a
/// task-force member for officer acts: the test task force is officer and
/// officer2).
pub fn signer_for(expect: &Expect, org: &str) -> SecretKey {
    if expect.head {
        sim::head(org)
    } else {
        sim::officer(org)
    }
}

pub fn attachment(case_id: &CaseId, action: &str, kind: &str) -> Attachment {
    Attachment {
        kind: kind
            .parse::<AttachmentKind>()
            .unwrap_or_else(|e| panic!("{e}")),
        digest: file_digest(format!("{case_id}/{action}/{kind}").as_bytes()),
    }
}

/// The call an expectation describes, with every required datum.
pub fn call_for(expect: &Expect, case_id: &CaseId) -> CaseAction {
    CaseAction {
        case_id: case_id.into(),
        action: expect.action.into(),
        attachments: expect
            .attachments
            .iter()
            .map(|kind| attachment(case_id, expect.action, kind))
            .collect(),
        officers: if expect.taskforce {
            vec![
                sim::id_of(&sim::officer("market")),
                sim::id_of(&sim::officer2("market")),
            ]
        } else {
            Vec::new()
        },
        to: expect.target.map(org_id),
        reason_digest: expect
            .reason
            .then(|| xianjie_ledger::hash::note_digest("reasons kept off chain")),
        outcome: expect
            .outcome
            .map(|o| o.parse::<Outcome>().unwrap_or_else(|e| panic!("{e}"))),
    }
}

/// Opens a case for the market regulator; returns its id.
pub fn open_case(sim: &mut Sim, domain: &str) -> CaseId {
    let hash = sim
        .run(
            &sim::officer("market"),
            Call::OpenCase(OpenCase {
                title: "某超市销售过期食品".into(),
                entity: sim::entity(),
                domain: domain.into(),
                lead: xianjie_ledger::case::LeadSource {
                    kind: xianjie_ledger::case::LeadKind::RandomInspection,
                    reference: Some("DRAW-2026-0601".into()),
                },
            }),
        )
        .expect("the case opens");
    CaseId::for_tx(&hash)
}

/// Performs an action as the expectation's first party would.
pub fn perform(sim: &mut Sim, case_id: &CaseId, action: &str, outcome: Option<&str>) {
    let expect = expectation(action, outcome);
    if action == "mark-overdue" {
        sim.advance(5 * DAY_MS);
    }
    let org = party_org(sim, case_id, expect.who[0]);
    let signer = signer_for(expect, org);
    let call = call_for(expect, case_id);
    sim.run(&signer, Call::CaseAction(call))
        .unwrap_or_else(|e| panic!("{action} on {case_id}: {} {e}", e.code()));
}

/// A simulation with one case at `target`.
pub fn case_at(target: &str) -> (Sim, CaseId) {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, target);
    (sim, case_id)
}

/// Drives the case from S0 to `target` along [`ROUTES`].
pub fn drive(sim: &mut Sim, case_id: &CaseId, target: &str) {
    let mut path = Vec::new();
    let mut at = target;
    while at != "S0_LEAD" {
        let (_, previous, action, outcome) = ROUTES
            .iter()
            .find(|(state, ..)| *state == at)
            .unwrap_or_else(|| panic!("no route to {at}"));
        path.push((*action, *outcome));
        at = previous;
    }
    for (action, outcome) in path.into_iter().rev() {
        perform(sim, case_id, action, outcome);
    }
    assert_eq!(sim.state_of(case_id), state(target));
}

/// Every key of the simulation that might sign: each organisation's admin,
/// head and officer.
pub fn every_signer() -> Vec<(&'static str, Role)> {
    sim::ORGS
        .iter()
        .flat_map(|(name, _, _)| sim::ROLES.iter().map(move |role| (*name, *role)))
        .collect()
}
