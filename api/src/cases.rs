//! The answers of `GET /v1/cases`, `GET /v1/cases/{id}` and `GET /v1/cases/{id}/actions`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::ids::CaseId;

/// One line of the case list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    /// `CASE-` and 16 hex characters.
    #[schema(value_type = String)]
    pub id: CaseId,
    /// Short title.
    pub title: String,
    /// The entity's USCC.
    pub entity: String,
    /// Sector.
    pub domain: String,
    /// Owning agency.
    pub owner: String,
    /// Current state, e.g. `S7_RECEIVED`.
    pub state: String,
    /// Police, procuratorate and court bound to the case.
    pub police: Option<String>,
    /// The supervising procuratorate.
    pub procuratorate: Option<String>,
    /// The trial court.
    pub court: Option<String>,
    /// Whether a duty is overdue at the latest block time.
    pub overdue: bool,
    /// The earliest due time of a running duty or of a window still open
    /// (Unix ms); closed windows do not count.
    pub next_due_at_ms: Option<u64>,
    /// Block time of the last change (Unix ms).
    pub updated_at_ms: u64,
}

/// The cases the signing officer may read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseList {
    /// The height read.
    pub height: u64,
    /// The block time clocks are evaluated at (Unix ms).
    pub at_ms: u64,
    /// The cases, by id.
    pub cases: Vec<CaseSummary>,
}

/// An attachment of a case action, with the evidence class if the digest
/// is anchored evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    /// The event that carried it.
    pub seq: u32,
    /// The action of that event.
    pub action: String,
    /// The attachment kind, e.g. `transfer-letter`.
    pub kind: String,
    /// The digest, hex.
    pub digest: String,
    /// `A`, `B` or `C` if the digest is anchored evidence.
    pub class: Option<String>,
}

/// Evidence linked to a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseEvidence {
    /// The digest, hex.
    pub digest: String,
    /// `A`, `B` or `C`.
    pub class: String,
    /// Evidence category, e.g. `witness`.
    pub category: String,
    /// The anchoring organisation.
    pub org: String,
    /// The current holder.
    pub holder: String,
    /// Class C evidence flagged at transfer: investigators must re-collect it.
    pub requires_recollection: bool,
    /// The re-collected record, once linked.
    pub recollected: Option<String>,
}

/// A case with its timeline, clocks and evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseDetail {
    /// The height read.
    pub height: u64,
    /// The block time clocks are evaluated at (Unix ms).
    pub at_ms: u64,
    /// Current state.
    pub state: String,
    /// Whether a duty is overdue.
    pub overdue: bool,
    /// The case record (the ledger's `Case`).
    #[schema(value_type = Object)]
    pub case: serde_json::Value,
    /// The event log, oldest first (event 0 is `open-case`).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
    /// Running clocks: `{rule, kind, state, actor, started_at_ms, due_at_ms, overdue, expired, limit, unit, …, extension, pause, calendar_incomplete}` (`extension` once a lawful extension was granted; `pause` once the clock was stopped and resumed; `due_at_ms` includes both; `calendar_incomplete` when the due time needed holidays of a year the chain's calendar does not cover, so it may be early).
    #[schema(value_type = Vec<Object>)]
    pub clocks: Vec<serde_json::Value>,
    /// Every attachment of every event, with evidence classes.
    pub attachments: Vec<AttachmentView>,
    /// Evidence linked to the case.
    pub evidence: Vec<CaseEvidence>,
    /// Requests between organs about the case (consultations and
    /// assistance) that the reader may read, oldest first, each with its
    /// clock while open.
    pub requests: Vec<crate::requests::RequestView>,
}

/// One action of the transition table, for the signing officer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionView {
    /// The action name, e.g. `approve-transfer`.
    pub action: String,
    /// DOMAIN.md rows.
    pub rows: String,
    /// What it does.
    pub summary: String,
    /// Whether the signing officer may record it now (with the required data).
    pub allowed: bool,
    /// If not, the contracts' refusal code, e.g. `wrong_role`.
    pub code: Option<String>,
    /// If not, why.
    pub reason: Option<String>,
    /// `head` or `officer`: the least role that may sign.
    pub role: String,
    /// Attachment kinds it must carry (with the case domain's extras).
    pub attachments: Vec<String>,
    /// What `--to` must name, if anything.
    pub target: Option<String>,
    /// Whether it names the task force (`--officer`, at least `min_taskforce`).
    pub taskforce: bool,
    /// Whether it needs `--reason`.
    pub reason_required: bool,
    /// The outcomes it accepts (`--outcome`).
    pub outcomes: Vec<String>,
    /// Whether the case's current state is one the action starts from.
    #[serde(default)]
    pub in_state: bool,
    /// Where the signing officer stands with it (from the contracts' table
    /// and their dry run).
    #[serde(default)]
    pub standing: ActionStanding,
    /// The parties of the case that may record it: `owner`, `police`,
    /// `procuratorate`, `court`.
    #[serde(default)]
    pub parties: Vec<String>,
}

/// Where the signing officer stands with an action.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ActionStanding {
    /// State, party and role match and nothing else is needed: it may be
    /// recorded now.
    Now,
    /// State, party and role match; it may be recorded once the officer
    /// supplies what it needs (attachments, target, task force, reasons,
    /// outcome).
    Supply,
    /// The current state is one it starts from, but the officer's
    /// organisation is not the acting party (`wrong_org_kind`, `not_case_party`).
    WrongParty,
    /// The current state and party fit, but it needs the head's key (`wrong_role`).
    WrongRole,
    /// State, party and role fit, but a guard of the table or the policy set
    /// refuses it now (`code` and `reason` say which).
    Refused,
    /// It does not start from the current state.
    #[default]
    OtherState,
}

impl ActionView {
    /// Whether the officer must supply data to record it (beyond signing).
    pub fn needs_input(&self) -> bool {
        !self.attachments.is_empty()
            || self.target.is_some()
            || self.taskforce
            || self.reason_required
            || !self.outcomes.is_empty()
    }
}

/// What the signing officer may do next on a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionsView {
    /// The case.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// Its state.
    pub state: String,
    /// The signing officer's id.
    pub officer: String,
    /// Their organisation.
    pub org: String,
    /// Their role.
    pub role: String,
    /// Every action of the table: those the officer may record first, then
    /// the rest of the current state's, then the other states'.
    pub actions: Vec<ActionView>,
}
