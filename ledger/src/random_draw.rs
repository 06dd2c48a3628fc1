//! 双随机、一公开 on the chain: the item list and the two directories
//! (一单两库), and random draws from commitment to published results
//! (DOMAIN §10; docs/draw.md §11). The draw algorithm itself is
//! [`crate::draw`].
//!
//! ```text
//!   PlanDraw ──▶ committing ──every committer's CommitDraw──▶ seeding
//!      (that block is the seed block; the next block records its hash first)
//!   seeding ──▶ revealing ──every RevealDraw──▶ naming ──NameDrawnEntities…──▶ drawn
//!   committing / revealing past their deadline ──▶ failed (the missing organisations on record)
//! ```
//!
//! Layout: `draw/item/<code>` ([`InspectionItem`]), `draw/inspector/<org>/<key id>`
//! ([`DirectoryInspector`]), `draw/snapshot/<id>` ([`EntitySnapshot`]),
//! `draw/<id>` ([`RandomDraw`]), `draw/<id>/inspectors` (the inspector
//! snapshot rows, [`InspectorSnapshot`]) and `draw/<id>/result/<j>`
//! ([`InspectionOutcome`]).

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::deadline::{ClockKind, DeadlineRule, RuleScope, TimeUnit, Verification};
use crate::draw::{ClassCount, ClassDraw, DrawPlan, EntityRow, InspectorRow, Recusal};
use crate::hash::Hash;
use crate::ids::{CaseId, OrgId};
pub use crate::ids::{DrawId, SnapshotId};
use crate::merkle::InclusionProof;

/// Most inspectors one department keeps in its directory.
pub const MAX_DEPARTMENT_INSPECTORS: usize = 1_000;
/// Most inspections one draw may yield (the plan's ratios over the snapshot's
/// classes, rounded up): a larger campaign is split into several draws.
pub const MAX_DRAWN_INSPECTIONS: usize = 500;
/// Most witnesses of one draw.
pub const MAX_WITNESSES: usize = 8;
/// Most classes an entity snapshot has.
pub const MAX_SNAPSHOT_CLASSES: usize = 32;
/// Most drawn rows named in one transaction (each carries its proof).
pub const MAX_NAMED_PER_TX: usize = 16;
/// Most inspector rows one draw reads (its departments' inspectors of its items).
pub const MAX_DRAW_INSPECTORS: usize = 2_000;
/// Most recusals on one inspection: each draws anew from a public seed, so
/// recusals must not become a way to walk to a chosen inspector.
pub const MAX_RECUSALS: usize = 2;
/// Most draws one department may have waiting for commitments, reveals or
/// naming at once.
pub const MAX_OPEN_DRAWS_PER_DEPARTMENT: usize = 8;
/// Longest 执法证 number or legal-basis code, in bytes.
pub const MAX_CODE_LEN: usize = 48;

crate::case::named_enum! {
    /// Where a draw stands.
    pub enum DrawState {
        /// Waiting for every issuer's and witness's commitment.
        Committing = "committing",
        /// Every commitment is in, in this block: the seed block, whose hash
        /// the next block records.
        Seeding = "seeding",
        /// The seed block is recorded; waiting for every reveal.
        Revealing = "revealing",
        /// The seed is known and the positions drawn; waiting, until the
        /// naming deadline, for the drawn rows of the entity snapshot with
        /// their proofs.
        Naming = "naming",
        /// Entities and inspectors drawn and named.
        Drawn = "drawn",
        /// A commitment, reveal or the naming missed its deadline.
        Failed = "failed",
    }
}

crate::case::named_enum! {
    /// What an inspection found.
    pub enum InspectionFinding {
        /// Nothing wrong (未发现问题).
        Compliant = "compliant",
        /// A problem that may call for a case (发现问题).
        Finding = "finding",
        /// The entity was not found at its address (未发现/查无下落).
        NotFound = "not-found",
    }
}

/// The period a plan's inspections are carried out in (`yyyymmdd`, both
/// days included): from the draw date at the earliest, at most a year long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionPeriod {
    /// First day.
    pub from: u32,
    /// Last day.
    pub until: u32,
}

/// An inspection item of the list (抽查事项清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionItem {
    /// The item code.
    pub code: String,
    /// The legal basis as a code (`food-safety-law/art-87`).
    pub basis: String,
    /// How it is inspected, a code (`on-site`, `documents`, `sampling`).
    pub method: String,
    /// The responsible department, which alone changes it.
    pub department: OrgId,
    /// Digest of the item's full description.
    pub document: Hash,
    /// Height of the last change.
    pub height: u64,
}

impl Canonical for InspectionItem {
    const KIND: &'static str = "inspection item";
    const MAX_ENCODED_LEN: usize = 1024;
}

/// An inspector of the directory (执法检查人员名录库).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryInspector {
    /// The officer's key id (an officer of `department`).
    pub officer: KeyId,
    /// The department.
    pub department: OrgId,
    /// The 执法证 number.
    pub certificate: String,
    /// Item codes the officer may inspect, sorted.
    pub scopes: Vec<String>,
    /// First valid date (`yyyymmdd`).
    pub valid_from: u32,
    /// Last valid date (`yyyymmdd`).
    pub valid_until: u32,
    /// Height of the last change.
    pub height: u64,
}

impl Canonical for DirectoryInspector {
    const KIND: &'static str = "directory inspector";
    const MAX_ENCODED_LEN: usize = 4096;
}

impl DirectoryInspector {
    /// The row a draw reads for a team inspecting `items` (its department's
    /// items of the plan, sorted): the scope narrowed to those items, so a
    /// draw's snapshot holds what it drew from and no more; none if the
    /// officer's scope lacks one of them.
    pub fn row_for(&self, items: &[&str]) -> Option<InspectorRow> {
        items
            .iter()
            .all(|item| crate::draw::in_scope(&self.scopes, item))
            .then(|| InspectorRow {
                officer: self.officer,
                department: self.department.clone(),
                scopes: items.iter().map(|item| (*item).to_owned()).collect(),
                valid_from: self.valid_from,
                valid_until: self.valid_until,
            })
    }
}

/// A snapshot of an inspected-entity directory (检查对象名录库): its root
/// and class counts on the chain, its rows in a file off chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySnapshot {
    /// Its id.
    pub id: SnapshotId,
    /// The department that keeps the directory.
    pub owner: OrgId,
    /// Root of the rows (docs/draw.md §3.3).
    pub root: Hash,
    /// Classes present, ascending, with their rows.
    pub classes: Vec<ClassCount>,
    /// BLAKE3 of the rows file (a JSON array of rows, in snapshot order).
    pub rows_file: Hash,
    /// Height it was published at.
    pub height: u64,
    /// Block time it was published at (Unix ms).
    pub time_ms: u64,
}

impl EntitySnapshot {
    /// Rows in all.
    pub fn rows(&self) -> u64 {
        self.classes.iter().map(|class| u64::from(class.rows)).sum()
    }
}

impl Canonical for EntitySnapshot {
    const KIND: &'static str = "entity snapshot";
    const MAX_ENCODED_LEN: usize = 1024;
}

/// The inspector rows a draw reads, taken from the directory when it was
/// planned: the plan's departments' inspectors whose scope has all their
/// department's items of the plan, narrowed to those, sorted by key id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorSnapshot(pub Vec<InspectorRow>);

impl Canonical for InspectorSnapshot {
    const KIND: &'static str = "inspector snapshot";
    // MAX_DRAW_INSPECTORS rows of at most ~120 bytes and the plan's items
    // (at most 16 of at most 49 bytes) each.
    const MAX_ENCODED_LEN: usize = 2 * 1024 * 1024;
}

/// One organisation that commits to a nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committer {
    /// The organisation (an issuing department or a witness).
    pub org: OrgId,
    /// Its commitment, once made.
    pub commitment: Option<Hash>,
    /// Its nonce, once revealed.
    pub nonce: Option<Hash>,
}

/// One drawn inspection as the chain keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnEntity {
    /// The entity's position in the snapshot.
    pub position: u64,
    /// Its risk class.
    pub risk_class: u8,
    /// The entity id, once its row is shown with a proof.
    pub entity: Option<String>,
    /// The inspectors, as drawn and after recusals.
    pub inspectors: Vec<KeyId>,
    /// Recusals, in order.
    pub recusals: Vec<Recusal>,
    /// Who decided each recusal and why, in the same order.
    pub recusal_records: Vec<RecusalRecord>,
}

/// Who decided a recusal (回避) and the digest of the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecusalRecord {
    /// The officer who signed it (the recused inspector or a head).
    pub by: KeyId,
    /// Digest of the decision.
    pub reason: Hash,
    /// Height.
    pub height: u64,
}

/// A random draw (`RandomDraw`, DOMAIN §10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomDraw {
    /// Its id.
    pub id: DrawId,
    /// The plan: items with their departments, ratios, inspectors per
    /// inspection of each department, departments (the issuers, several for
    /// a joint draw).
    pub plan: DrawPlan,
    /// The department whose officer planned it.
    pub planned_by: OrgId,
    /// Witnesses (for example the procuratorate), who commit too.
    pub witnesses: Vec<OrgId>,
    /// The entity snapshot.
    pub snapshot: SnapshotId,
    /// Its root.
    pub entity_root: Hash,
    /// Root of the inspector snapshot (`draw/<id>/inspectors`).
    pub inspector_root: Hash,
    /// The draw date (`yyyymmdd`, China time, of the planning block).
    pub date: u32,
    /// The inspection period; results are due `DRAW_RESULT` after it ends.
    pub period: InspectionPeriod,
    /// Where it stands.
    pub state: DrawState,
    /// The issuers and witnesses, sorted by id.
    pub committers: Vec<Committer>,
    /// Commitments are refused after this block time (Unix ms).
    pub commit_deadline_ms: u64,
    /// Reveals are refused after this block time, once set.
    pub reveal_deadline_ms: Option<u64>,
    /// The drawn rows must be shown by this block time, once set.
    pub name_deadline_ms: Option<u64>,
    /// The seed block's height and hash.
    pub seed_block: Option<(u64, Hash)>,
    /// The seed, once every nonce is revealed.
    pub seed: Option<Hash>,
    /// Per planned class: population and drawn.
    pub classes: Vec<ClassDraw>,
    /// The inspections, in draw order.
    pub inspections: Vec<DrawnEntity>,
    /// Results are due by this block time, once the draw is drawn.
    pub results_due_ms: Option<u64>,
    /// The organisations that did not commit, reveal or name in time.
    pub missing: Vec<OrgId>,
    /// Height it was planned at.
    pub height: u64,
    /// Block time it was planned at.
    pub time_ms: u64,
}

impl Canonical for RandomDraw {
    const KIND: &'static str = "random draw";
    // 500 inspections of at most 16 inspectors (all teams) and 2 recusals
    // each: about 500 × 600 bytes, with room.
    const MAX_ENCODED_LEN: usize = 1024 * 1024;
}

impl RandomDraw {
    /// Whether `org` issues or witnesses the draw.
    pub fn is_committer(&self, org: &OrgId) -> bool {
        self.committers.iter().any(|c| &c.org == org)
    }

    /// Whether every committer has committed.
    pub fn all_committed(&self) -> bool {
        self.committers.iter().all(|c| c.commitment.is_some())
    }

    /// The organisations that have not yet done what the state waits for:
    /// committers that did not commit or reveal; while naming, the
    /// departments.
    pub fn waiting_for(&self) -> Vec<OrgId> {
        if self.state == DrawState::Naming {
            return self.plan.departments.clone();
        }
        let pending = |c: &&Committer| match self.state {
            DrawState::Committing => c.commitment.is_none(),
            DrawState::Revealing | DrawState::Seeding => c.nonce.is_none(),
            _ => false,
        };
        self.committers
            .iter()
            .filter(pending)
            .map(|c| c.org.clone())
            .collect()
    }

    /// The deadline the state runs against, if any.
    pub fn deadline_ms(&self) -> Option<u64> {
        match self.state {
            DrawState::Committing => Some(self.commit_deadline_ms),
            DrawState::Revealing => self.reveal_deadline_ms,
            DrawState::Naming => self.name_deadline_ms,
            _ => None,
        }
    }

    /// Whether the draw still waits for commitments, the seed block,
    /// reveals or naming.
    pub fn is_open(&self) -> bool {
        !matches!(self.state, DrawState::Drawn | DrawState::Failed)
    }
}

/// What the end of every block needs of an open draw, kept beside it
/// (`draw/<id>/clock`) so that looking at the open draws reads a few bytes
/// each, not whole draws with their inspections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawClock {
    /// Where the draw stands.
    pub state: DrawState,
    /// The department whose officer planned it.
    pub planned_by: OrgId,
    /// The deadline the state runs against, if any.
    pub deadline_ms: Option<u64>,
    /// While seeding: the seed block's height.
    pub seed_height: Option<u64>,
}

impl Canonical for DrawClock {
    const KIND: &'static str = "draw clock";
    const MAX_ENCODED_LEN: usize = 128;
}

impl DrawClock {
    /// The clock of `draw` as it stands.
    pub fn of(draw: &RandomDraw) -> Self {
        DrawClock {
            state: draw.state,
            planned_by: draw.planned_by.clone(),
            deadline_ms: draw.deadline_ms(),
            seed_height: match draw.state {
                DrawState::Seeding => draw.seed_block.map(|(height, _)| height),
                _ => None,
            },
        }
    }
}

/// The published result of one drawn inspection (一公开).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionOutcome {
    /// The draw.
    pub draw: DrawId,
    /// The inspection's number in the draw.
    pub inspection: u32,
    /// The entity inspected.
    pub entity: String,
    /// What it found.
    pub finding: InspectionFinding,
    /// Digest of the inspection record.
    pub document: Hash,
    /// The department that recorded it.
    pub org: OrgId,
    /// The officer who signed.
    pub officer: KeyId,
    /// Height.
    pub height: u64,
    /// Block time (Unix ms).
    pub time_ms: u64,
    /// The case a finding opened, once opened.
    pub case: Option<CaseId>,
}

impl Canonical for InspectionOutcome {
    const KIND: &'static str = "inspection outcome";
    const MAX_ENCODED_LEN: usize = 1024;
}

/// A drawn row shown to the chain with its proof of position in the
/// snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenRow {
    /// The row.
    pub row: EntityRow,
    /// Its inclusion proof under the snapshot root (leaf: the row hash).
    pub proof: InclusionProof,
}

/// The committers' clock: every issuer and witness commits within it of the
/// plan, or the draw fails.
pub const DRAW_COMMIT_RULE: &str = "DRAW_COMMIT";
/// The committers' clock: every nonce is revealed within it of the seed
/// block, or the draw fails.
pub const DRAW_REVEAL_RULE: &str = "DRAW_REVEAL";
/// The departments' clock: the drawn rows are shown within it of the last
/// reveal, or the draw fails.
pub const DRAW_NAME_RULE: &str = "DRAW_NAME";
/// The drawn inspectors' clock: each result is published within it of the
/// end of the inspection period (一公开).
pub const DRAW_RESULT_RULE: &str = "DRAW_RESULT";
/// How old an entity snapshot may be for a new draw; an older one is stale.
pub const DRAW_SNAPSHOT_AGE_RULE: &str = "DRAW_SNAPSHOT_AGE";

/// The draw clocks of a new chain's parameters (`RuleScope::Draw`; `start`
/// names the draw event they run from). No checked source fixes the
/// commit–reveal windows or a snapshot's age (local working rules, 细则,
/// set them); SAMR's 2019 notice has results published within 20 working
/// days, which is not verified here. All four are UNVERIFIED parameters
/// governance changes.
pub fn deadline_rules() -> Vec<DeadlineRule> {
    let rule = |id: &str, start: &str, limit: u32, unit: TimeUnit, actor: &str| DeadlineRule {
        id: id.into(),
        scope: RuleScope::Draw,
        on: Vec::new(),
        start: vec![start.into()],
        stop: Vec::new(),
        outcome: None,
        limit,
        unit,
        kind: ClockKind::Duty,
        actor: actor.into(),
        source: "local random-inspection working rules (period is a parameter)".into(),
        verified: Verification::Unverified,
        overrides: Vec::new(),
        extension: None,
        pause: None,
    };
    vec![
        rule(
            DRAW_COMMIT_RULE,
            "plan",
            2,
            TimeUnit::CalendarDay,
            "COMMITTERS",
        ),
        rule(
            DRAW_REVEAL_RULE,
            "seed",
            2,
            TimeUnit::CalendarDay,
            "COMMITTERS",
        ),
        rule(
            DRAW_NAME_RULE,
            "revealed",
            2,
            TimeUnit::CalendarDay,
            "DEPARTMENTS",
        ),
        rule(
            DRAW_RESULT_RULE,
            "drawn",
            20,
            TimeUnit::WorkingDay,
            "INSPECTORS",
        ),
        rule(
            DRAW_SNAPSHOT_AGE_RULE,
            "snapshot",
            90,
            TimeUnit::CalendarDay,
            "OWNER",
        ),
    ]
}

/// Whether `text` has the shape of a chain-made id: `prefix` and 16
/// lower-case hex digits. Draw and snapshot ids are looked up only in that
/// shape, so no other record's key can be read as one.
pub fn is_record_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 16 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The lead reference of a case a finding opens: `DRAW-…/<inspection>`.
pub fn finding_reference(draw: &DrawId, inspection: u32) -> String {
    format!("{draw}/{inspection}")
}

/// Reads a lead reference made by [`finding_reference`]: `DRAW-`, 16
/// lower-case hex digits, `/` and the inspection number without leading
/// zeros.
pub fn parse_finding_reference(reference: &str) -> Option<(DrawId, u32)> {
    let (draw, number) = reference.split_once('/')?;
    let number: u32 = number.parse().ok()?;
    (is_record_id(draw, "DRAW-") && number.to_string() == reference[draw.len() + 1..])
        .then(|| (DrawId::new(draw), number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_references_round_trip_and_refuse_padding() {
        let id = DrawId::new("DRAW-00000000000000a1");
        let text = finding_reference(&id, 7);
        assert_eq!(text, "DRAW-00000000000000a1/7");
        assert_eq!(parse_finding_reference(&text), Some((id, 7)));
        assert_eq!(parse_finding_reference("DRAW-00000000000000a1/07"), None);
        assert_eq!(parse_finding_reference("CASE-1/7"), None);
        assert_eq!(parse_finding_reference("DRAW-1"), None);
        // A draw held elsewhere, named in its own way.
        assert_eq!(parse_finding_reference("DRAW-2026-0601/3"), None);
    }
}
