//! 双随机、一公开: random draws of inspected entities and inspectors that
//! anyone can re-run (DOMAIN §10; the byte-level specification, with a
//! worked example, is `docs/draw.md`).
//!
//! A draw reads two directory snapshots, the inspected-entity directory
//! ([`EntityRow`]) and the inspector directory ([`InspectorRow`]), whose
//! rows live off chain: the chain keeps only each snapshot's root
//! ([`entity_root`], [`inspector_root`]). Its randomness is a seed from a
//! commit–reveal between at least two organisations and the hash of the
//! block holding the last commitment ([`commitment`], [`seed`]). From the seed, a
//! counter-mode BLAKE3 stream drives rejection sampling (no modulo bias) and
//! partial Fisher–Yates shuffles over the sorted rows: per risk class, the
//! plan's ratio of entities, rounded up ([`draw`]); then, per drawn entity,
//! a team from each of the plan's departments: distinct inspectors of the
//! department valid on the draw date for all its items of the plan (one
//! visit inspects every item, 综合查一次). A conflicted inspector's replacement comes from its own
//! sub-stream ([`recuse`]), so it too can be re-run.
//!
//! Everything is integer arithmetic over sorted inputs: the same rows, plan,
//! date and seed give the same result on every machine.
//!
//! # Why no single party chooses the outcome
//!
//! Every committing organisation fixes its 32-byte nonce by publishing
//! `commitment(nonce, draw, org)` before the block whose hash enters the seed
//! is decided; the draw id and the organisation are inside the commitment, so
//! it cannot be copied into another draw or re-used by another organisation.
//! The proposer of that block may try many block contents, but each try only
//! changes the block hash, and the seed also hashes the nonces of the other
//! organisations, which it does not know (a nonce is 256 random bits behind a
//! hash): every outcome it could pick among is as random to it as any other.
//! An organisation learns the other nonces only after its own is fixed, and
//! cannot reveal a different nonce (the commitment is binding; the chain
//! refuses a mismatch, [`check_reveal`]). The only choice left is to withhold
//! a reveal, which fails the draw on record for every member to see; a new
//! draw needs new commitments. So as long as one committing organisation
//! keeps its nonce secret until the block is decided, the seed is
//! unpredictable to everyone at the time it is fixed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{self, Canonical};
use crate::crypto::KeyId;
use crate::error::DrawError;
use crate::hash::{hash_parts, hash_with, Domain, Hash};
use crate::ids::{DrawId, OrgId};
use crate::merkle;

/// Most rows of an inspected-entity snapshot one draw reads.
pub const MAX_ENTITIES: usize = 1_000_000;
/// Most rows of an inspector snapshot one draw reads.
pub const MAX_INSPECTORS: usize = 100_000;
/// Longest entity id (a USCC is 18 characters).
pub const MAX_ENTITY_ID_LEN: usize = 64;
/// Longest industry code.
pub const MAX_INDUSTRY_LEN: usize = 32;
/// Longest inspection item code.
pub const MAX_ITEM_LEN: usize = 48;
/// Most item codes in one inspector's scope.
pub const MAX_SCOPES: usize = 64;
/// Most risk classes one plan names.
pub const MAX_PLAN_CLASSES: usize = 256;
/// Most departments in one (joint) plan.
pub const MAX_PLAN_DEPARTMENTS: usize = 16;
/// Most inspectors one department sends on one inspection.
pub const MAX_INSPECTORS_PER_INSPECTION: u8 = 8;
/// Most inspection items in one plan.
pub const MAX_PLAN_ITEMS: usize = 16;
/// Most inspectors on one inspection, all departments' teams together.
pub const MAX_INSPECTION_TEAM: usize = 16;
/// 100 % in basis points.
pub const FULL_RATIO: u16 = 10_000;
/// Fewest revealed nonces in a seed: the issuing department's and a witness's.
pub const MIN_REVEALS: usize = 2;
/// Most revealed nonces in a seed.
pub const MAX_REVEALS: usize = 64;

/// A row of the inspected-entity directory (检查对象名录库) as of a snapshot.
/// No personal information: the entity is identified by its USCC or other
/// id code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRow {
    /// USCC or other id code: 1–64 printable ASCII characters, no space.
    pub entity: String,
    /// Industry code: 1–32 printable ASCII characters, no space.
    pub industry: String,
    /// Risk (or credit) class; the plan gives a ratio per class.
    pub risk_class: u8,
}

impl Canonical for EntityRow {
    const KIND: &'static str = "draw entity row";
    const MAX_ENCODED_LEN: usize = 128;
}

impl EntityRow {
    /// The row's leaf in the snapshot tree: `H_entity_row(encode(row))`.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::DrawEntityRow, &codec::encode(self))
    }
}

/// A row of the inspector directory (执法检查人员名录库) as of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorRow {
    /// The officer's key id.
    pub officer: KeyId,
    /// The officer's department.
    pub department: OrgId,
    /// Inspection item codes the officer may inspect: 1–64 codes, sorted
    /// strictly (byte order), each 1–48 printable ASCII characters.
    pub scopes: Vec<String>,
    /// First valid date (`yyyymmdd`), inclusive.
    pub valid_from: u32,
    /// Last valid date (`yyyymmdd`), inclusive.
    pub valid_until: u32,
}

impl Canonical for InspectorRow {
    const KIND: &'static str = "draw inspector row";
    const MAX_ENCODED_LEN: usize = 4096;
}

impl InspectorRow {
    /// The row's leaf in the snapshot tree: `H_inspector_row(encode(row))`.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::DrawInspectorRow, &codec::encode(self))
    }

    /// Whether the officer may be drawn on `date` into `department`'s team
    /// for `items` (that department's items of the plan): of the department,
    /// valid on the date, with every item in scope.
    pub fn is_eligible<'a>(
        &self,
        date: u32,
        department: &OrgId,
        mut items: impl Iterator<Item = &'a str>,
    ) -> bool {
        self.valid_from <= date
            && date <= self.valid_until
            && &self.department == department
            && items.all(|item| in_scope(&self.scopes, item))
    }
}

/// Whether `item` is among an inspector's `scopes`.
pub fn in_scope(scopes: &[String], item: &str) -> bool {
    scopes.iter().any(|scope| scope == item)
}

/// The ratio drawn from one risk class, in basis points (10000 = 100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRatio {
    /// The risk class.
    pub risk_class: u8,
    /// The ratio, 0–10000.
    pub basis_points: u16,
}

/// An inspection item of a plan and the department responsible for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// The inspection item code (抽查事项), 1–48 printable ASCII characters.
    pub item: String,
    /// The department responsible for it, one of the plan's departments.
    pub department: OrgId,
}

/// What one draw is for: inspection items, a ratio per risk class, how many
/// inspectors each department sends on each inspection, and the departments.
/// Each drawn entity is inspected once for every item (综合查一次: one visit),
/// by a team from each department qualified for that department's items; a
/// joint draw across departments is one plan with several departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawPlan {
    /// The items, 1–16, sorted strictly by code.
    pub items: Vec<PlanItem>,
    /// Ratios, sorted strictly by risk class; classes not listed are not drawn.
    pub ratios: Vec<ClassRatio>,
    /// Inspectors each department sends on each inspection, 1–8 (usually 2:
    /// administrative enforcement is carried out by at least two officers);
    /// times the departments at most 16.
    pub inspectors_per_inspection: u8,
    /// Departments, sorted strictly, 1–16: exactly those the items name.
    pub departments: Vec<OrgId>,
}

impl DrawPlan {
    /// The item codes of `department`, in the plan's order.
    pub fn items_of<'a>(&'a self, department: &'a OrgId) -> impl Iterator<Item = &'a str> + 'a {
        self.items
            .iter()
            .filter(move |item| &item.department == department)
            .map(|item| item.item.as_str())
    }

    /// Whether the plan has the item code.
    pub fn has_item(&self, code: &str) -> bool {
        self.items.iter().any(|item| item.item == code)
    }

    /// The department whose team holds slot `slot` of an inspection's
    /// inspectors: slot `s` is department number `s div inspectors_per_inspection`.
    pub fn team_of_slot(&self, slot: usize) -> Option<(usize, &OrgId)> {
        let team = slot / usize::from(self.inspectors_per_inspection).max(1);
        self.departments
            .get(team)
            .map(|department| (team, department))
    }

    /// Inspectors on each inspection: a team of `inspectors_per_inspection`
    /// from each department.
    pub fn team_size(&self) -> usize {
        usize::from(self.inspectors_per_inspection) * self.departments.len()
    }
}

/// How many entities of one class were drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDraw {
    /// The risk class.
    pub risk_class: u8,
    /// Entities of the class in the snapshot.
    pub population: u32,
    /// Entities drawn: `ceil(population × ratio / 10000)`.
    pub drawn: u32,
}

/// One recusal: who stood down and who replaced them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    /// The recused officer.
    pub officer: KeyId,
    /// The drawn replacement.
    pub replacement: KeyId,
}

/// One drawn inspection: an entity and its inspectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnInspection {
    /// The entity id.
    pub entity: String,
    /// Its risk class.
    pub risk_class: u8,
    /// The inspectors: each department's team in the plan's department
    /// order, each team in the order drawn (a recused one is replaced in
    /// place, so slot `s` is always of department `s / inspectors_per_inspection`).
    pub inspectors: Vec<KeyId>,
    /// Recusals, in order.
    pub recusals: Vec<Recusal>,
}

/// The outcome of a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    /// The plan drawn for (recusals use its items and departments).
    pub plan: DrawPlan,
    /// The seed drawn from.
    pub seed: Hash,
    /// The draw date (`yyyymmdd`) inspectors were valid on.
    pub date: u32,
    /// Root of the entity snapshot.
    pub entity_root: Hash,
    /// Root of the inspector snapshot.
    pub inspector_root: Hash,
    /// Per planned class, in class order.
    pub classes: Vec<ClassDraw>,
    /// Inspections: classes in ascending order, within a class in draw order.
    pub inspections: Vec<DrawnInspection>,
}

// ------------------------------------------------------------ commit–reveal

/// `be32(len) ‖ bytes`.
fn length_prefixed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + bytes.len());
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
    out
}

/// The commitment an organisation publishes before the seed's block:
/// `H_commitment(be32(len) ‖ draw ‖ be32(len) ‖ org ‖ nonce)`.
pub fn commitment(nonce: &[u8; 32], draw: &DrawId, org: &OrgId) -> Hash {
    hash_parts(
        Domain::DrawCommitment,
        &[
            &length_prefixed(draw.as_bytes()),
            &length_prefixed(org.as_str().as_bytes()),
            nonce,
        ],
    )
}

/// Checks that `nonce` opens `committed` for this draw and organisation.
pub fn check_reveal(
    committed: &Hash,
    nonce: &[u8; 32],
    draw: &DrawId,
    org: &OrgId,
) -> Result<(), DrawError> {
    if &commitment(nonce, draw, org) == committed {
        Ok(())
    } else {
        Err(DrawError::RevealMismatch {
            org: org.to_string(),
            draw: draw.to_string(),
        })
    }
}

/// The seed: `H_seed(block_hash ‖ be32(count) ‖ (be32(len) ‖ org ‖ nonce)…)`
/// with the reveals sorted by organisation id (byte order), whatever order
/// they are given in. `block_hash` is the hash of the block holding the
/// last commitment. Refuses fewer than [`MIN_REVEALS`] or more
/// than [`MAX_REVEALS`] reveals and an organisation revealing twice.
pub fn seed(block_hash: &Hash, reveals: &[(OrgId, [u8; 32])]) -> Result<Hash, DrawError> {
    if reveals.len() < MIN_REVEALS {
        return Err(DrawError::TooFewReveals {
            count: reveals.len(),
            min: MIN_REVEALS,
        });
    }
    if reveals.len() > MAX_REVEALS {
        return Err(DrawError::TooManyReveals {
            count: reveals.len(),
            max: MAX_REVEALS,
        });
    }
    let mut sorted: Vec<&(OrgId, [u8; 32])> = reveals.iter().collect();
    sorted.sort_by(|a, b| a.0.as_str().as_bytes().cmp(b.0.as_str().as_bytes()));
    let mut bytes = Vec::with_capacity(36 + sorted.len() * 68);
    bytes.extend_from_slice(&block_hash.0);
    bytes.extend_from_slice(&(sorted.len() as u32).to_be_bytes());
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(DrawError::DuplicateReveal {
                org: pair[0].0.to_string(),
            });
        }
    }
    for (org, nonce) in sorted {
        bytes.extend_from_slice(&length_prefixed(org.as_str().as_bytes()));
        bytes.extend_from_slice(nonce);
    }
    Ok(hash_with(Domain::DrawSeed, &bytes))
}

// ------------------------------------------------------------ the stream

/// A sub-stream of 64-bit words: word `c` is the first 8 bytes, big-endian,
/// of `H_stream(seed ‖ label ‖ be64(c))`, for c = 0, 1, 2, …
struct Stream {
    prefix: Vec<u8>,
    counter: u64,
}

impl Stream {
    fn new(seed: &Hash, label: &[u8]) -> Self {
        let mut prefix = Vec::with_capacity(32 + label.len());
        prefix.extend_from_slice(&seed.0);
        prefix.extend_from_slice(label);
        Stream { prefix, counter: 0 }
    }

    /// `"entities" ‖ class`.
    fn entities(seed: &Hash, risk_class: u8) -> Self {
        let mut label = b"entities".to_vec();
        label.push(risk_class);
        Stream::new(seed, &label)
    }

    /// `"inspectors" ‖ be32(inspection) ‖ be32(department number)`.
    fn inspectors(seed: &Hash, inspection: u32, department: u32) -> Self {
        let mut label = b"inspectors".to_vec();
        label.extend_from_slice(&inspection.to_be_bytes());
        label.extend_from_slice(&department.to_be_bytes());
        Stream::new(seed, &label)
    }

    /// `"recusal" ‖ be32(inspection) ‖ be32(recusal number)`.
    fn recusal(seed: &Hash, inspection: u32, number: u32) -> Self {
        let mut label = b"recusal".to_vec();
        label.extend_from_slice(&inspection.to_be_bytes());
        label.extend_from_slice(&number.to_be_bytes());
        Stream::new(seed, &label)
    }

    fn next_word(&mut self) -> u64 {
        let digest = hash_parts(
            Domain::DrawStream,
            &[&self.prefix, &self.counter.to_be_bytes()],
        );
        self.counter += 1;
        let mut word = [0u8; 8];
        word.copy_from_slice(&digest.0[..8]);
        u64::from_be_bytes(word)
    }

    /// A uniform integer in `0..bound` (bound ≥ 1): words at or above the
    /// largest multiple of `bound` not above 2^64 are rejected and the next
    /// word is taken; an accepted word is reduced modulo `bound`.
    fn below(&mut self, bound: u64) -> u64 {
        let bound = bound.max(1);
        let span = 1u128 << 64;
        let zone = span - span % u128::from(bound);
        loop {
            let word = self.next_word();
            if u128::from(word) < zone {
                return word % bound;
            }
        }
    }
}

/// The first `k` positions of a Fisher–Yates shuffle of `0..n`
/// (k ≤ n): for i = 0…k−1, j = i + below(n − i), swap a[i] and a[j], and
/// a[i] is the i-th pick. The array is virtual: only moved entries are kept.
fn partial_shuffle(n: usize, k: usize, stream: &mut Stream) -> Vec<usize> {
    let mut moved: BTreeMap<usize, usize> = BTreeMap::new();
    let mut picks = Vec::with_capacity(k);
    for i in 0..k.min(n) {
        let j = i + stream.below((n - i) as u64) as usize;
        let at_i = moved.get(&i).copied().unwrap_or(i);
        let at_j = moved.get(&j).copied().unwrap_or(j);
        moved.insert(j, at_i);
        picks.push(at_j);
    }
    picks
}

// ------------------------------------------------------------ validation

fn is_code(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether `date` is a `yyyymmdd` calendar date (years 1000–9999, Gregorian).
pub fn is_date(date: u32) -> bool {
    let (year, month, day) = (date / 10_000, date / 100 % 100, date % 100);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1000..=9999).contains(&year) && (1..=days).contains(&day)
}

fn check_entity_rows(rows: &[EntityRow]) -> Result<(), DrawError> {
    const DIR: &str = "entity";
    if rows.len() > MAX_ENTITIES {
        return Err(DrawError::TooManyRows {
            directory: DIR,
            count: rows.len(),
            max: MAX_ENTITIES,
        });
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        if !is_code(&row.entity, MAX_ENTITY_ID_LEN) {
            return Err(DrawError::InvalidRow {
                directory: DIR,
                index,
                reason: format!(
                    "entity id {:?} must be 1-{MAX_ENTITY_ID_LEN} printable ASCII characters without spaces",
                    row.entity
                ),
            });
        }
        if !is_code(&row.industry, MAX_INDUSTRY_LEN) {
            return Err(DrawError::InvalidRow {
                directory: DIR,
                index,
                reason: format!(
                    "industry {:?} must be 1-{MAX_INDUSTRY_LEN} printable ASCII characters without spaces",
                    row.industry
                ),
            });
        }
        if index > 0 {
            let before = &rows[index - 1];
            let order = (before.risk_class, before.entity.as_bytes())
                .cmp(&(row.risk_class, row.entity.as_bytes()));
            check_order(DIR, index, order, || row.entity.clone())?;
        }
        // Rows of different classes are not neighbours: an id in two classes
        // is found here.
        if let Some(first) = seen.insert(row.entity.as_str(), index) {
            return Err(DrawError::DuplicateRow {
                directory: DIR,
                key: row.entity.clone(),
                first,
                second: index,
            });
        }
    }
    Ok(())
}

/// Row `index` must sort strictly after the row before it (`order` is
/// the earlier key compared with this one's): an equal key is a duplicate.
fn check_order(
    directory: &'static str,
    index: usize,
    order: std::cmp::Ordering,
    key: impl FnOnce() -> String,
) -> Result<(), DrawError> {
    match order {
        std::cmp::Ordering::Less => Ok(()),
        std::cmp::Ordering::Equal => Err(DrawError::DuplicateRow {
            directory,
            key: key(),
            first: index - 1,
            second: index,
        }),
        std::cmp::Ordering::Greater => Err(DrawError::RowsNotSorted {
            directory,
            index,
            key: key(),
        }),
    }
}

fn check_inspector_rows(rows: &[InspectorRow]) -> Result<(), DrawError> {
    const DIR: &str = "inspector";
    if rows.len() > MAX_INSPECTORS {
        return Err(DrawError::TooManyRows {
            directory: DIR,
            count: rows.len(),
            max: MAX_INSPECTORS,
        });
    }
    for (index, row) in rows.iter().enumerate() {
        let invalid = |reason: String| DrawError::InvalidRow {
            directory: DIR,
            index,
            reason,
        };
        if row.scopes.is_empty() || row.scopes.len() > MAX_SCOPES {
            return Err(invalid(format!(
                "{} scope item codes; an inspector has 1-{MAX_SCOPES}",
                row.scopes.len()
            )));
        }
        if let Some(bad) = row.scopes.iter().find(|s| !is_code(s, MAX_ITEM_LEN)) {
            return Err(invalid(format!(
                "scope item code {bad:?} must be 1-{MAX_ITEM_LEN} printable ASCII characters without spaces"
            )));
        }
        if row
            .scopes
            .windows(2)
            .any(|w| w[0].as_bytes() >= w[1].as_bytes())
        {
            return Err(invalid(
                "scope item codes must be sorted (byte order) without repeats".into(),
            ));
        }
        if !is_date(row.valid_from) || !is_date(row.valid_until) {
            return Err(invalid(format!(
                "validity {}-{} is not two yyyymmdd dates",
                row.valid_from, row.valid_until
            )));
        }
        if row.valid_from > row.valid_until {
            return Err(invalid(format!(
                "validity starts on {} after it ends on {}",
                row.valid_from, row.valid_until
            )));
        }
        if index > 0 {
            let before = rows[index - 1].officer;
            check_order(DIR, index, before.0.cmp(&row.officer.0), || {
                row.officer.to_string()
            })?;
        }
    }
    Ok(())
}

/// Checks a plan (docs/draw.md §6): its items, ratios (at most 100 %),
/// inspectors per inspection and departments.
pub fn check_plan(plan: &DrawPlan) -> Result<(), DrawError> {
    let invalid = |reason: String| Err(DrawError::InvalidPlan { reason });
    if plan.items.is_empty() || plan.items.len() > MAX_PLAN_ITEMS {
        return invalid(format!(
            "{} items; a plan names 1-{MAX_PLAN_ITEMS}",
            plan.items.len()
        ));
    }
    if let Some(bad) = plan.items.iter().find(|i| !is_code(&i.item, MAX_ITEM_LEN)) {
        return invalid(format!(
            "item code {:?} must be 1-{MAX_ITEM_LEN} printable ASCII characters without spaces",
            bad.item
        ));
    }
    if plan
        .items
        .windows(2)
        .any(|w| w[0].item.as_bytes() >= w[1].item.as_bytes())
    {
        return invalid("items must be sorted by code (byte order) without repeats".into());
    }
    if let Some(ratio) = plan.ratios.iter().find(|r| r.basis_points > FULL_RATIO) {
        return Err(DrawError::RatioAboveFull {
            risk_class: ratio.risk_class,
            basis_points: ratio.basis_points,
        });
    }
    if plan.ratios.is_empty() || plan.ratios.len() > MAX_PLAN_CLASSES {
        return invalid(format!(
            "{} risk-class ratios; a plan gives 1-{MAX_PLAN_CLASSES}",
            plan.ratios.len()
        ));
    }
    if plan
        .ratios
        .windows(2)
        .any(|w| w[0].risk_class >= w[1].risk_class)
    {
        return invalid("ratios must be sorted by risk class, one per class".into());
    }
    if plan.ratios.iter().all(|r| r.basis_points == 0) {
        return invalid("every ratio is 0, so the plan draws nothing".into());
    }
    if plan.inspectors_per_inspection == 0
        || plan.inspectors_per_inspection > MAX_INSPECTORS_PER_INSPECTION
    {
        return invalid(format!(
            "{} inspectors per inspection; give 1-{MAX_INSPECTORS_PER_INSPECTION}",
            plan.inspectors_per_inspection
        ));
    }
    if plan.departments.is_empty() || plan.departments.len() > MAX_PLAN_DEPARTMENTS {
        return invalid(format!(
            "{} departments; a plan names 1-{MAX_PLAN_DEPARTMENTS}",
            plan.departments.len()
        ));
    }
    if plan
        .departments
        .windows(2)
        .any(|w| w[0].as_str().as_bytes() >= w[1].as_str().as_bytes())
    {
        return invalid("departments must be sorted (byte order) without repeats".into());
    }
    if let Some(item) = plan
        .items
        .iter()
        .find(|item| !plan.departments.contains(&item.department))
    {
        return invalid(format!(
            "item {:?} names department {}, which is not among the plan's departments",
            item.item, item.department
        ));
    }
    if let Some(idle) = plan
        .departments
        .iter()
        .find(|department| plan.items_of(department).next().is_none())
    {
        return invalid(format!(
            "department {idle} is responsible for none of the plan's items; every department brings its items"
        ));
    }
    if plan.team_size() > MAX_INSPECTION_TEAM {
        return invalid(format!(
            "{} inspectors per department times {} departments is {}; one inspection takes at most {MAX_INSPECTION_TEAM}",
            plan.inspectors_per_inspection,
            plan.departments.len(),
            plan.team_size()
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ snapshots

/// The snapshot root of an inspected-entity directory: [`merkle::root`] over
/// the rows' hashes in their order. Rows must be sorted strictly by risk
/// class, then by entity id (byte order), so that each class is one run of
/// leaves; unsorted, duplicate or malformed rows are refused.
pub fn entity_root(rows: &[EntityRow]) -> Result<Hash, DrawError> {
    check_entity_rows(rows)?;
    Ok(merkle::root(
        &rows.iter().map(EntityRow::hash).collect::<Vec<_>>(),
    ))
}

/// The snapshot root of an inspector directory: [`merkle::root`] over the
/// rows' hashes in their order. Rows must be sorted strictly by officer key
/// id (byte order); unsorted, duplicate or malformed rows are refused.
pub fn inspector_root(rows: &[InspectorRow]) -> Result<Hash, DrawError> {
    check_inspector_rows(rows)?;
    Ok(merkle::root(
        &rows.iter().map(InspectorRow::hash).collect::<Vec<_>>(),
    ))
}

// ------------------------------------------------------------ the draw

/// Per department of the plan, in its order: the positions (in snapshot
/// order) of the inspectors eligible on `date` for its team.
fn eligible(plan: &DrawPlan, inspectors: &[InspectorRow], date: u32) -> Vec<Vec<usize>> {
    plan.departments
        .iter()
        .map(|department| {
            inspectors
                .iter()
                .enumerate()
                .filter(|(_, row)| row.is_eligible(date, department, plan.items_of(department)))
                .map(|(index, _)| index)
                .collect()
        })
        .collect()
}

/// Draws the entities and their inspectors (docs/draw.md §6–§7).
///
/// Checks, in this order: the date, the plan, the entity rows, the
/// inspector rows, a non-empty population in the plan's classes, enough
/// eligible inspectors. Then, for each planned class in ascending order,
/// `ceil(population × basis_points / 10000)` entities by a partial
/// Fisher–Yates shuffle of the class's rows (in snapshot order) driven by
/// the stream `"entities" ‖ class`; then, for inspection `j` (numbered in
/// that order from 0) and department number `k`, `inspectors_per_inspection`
/// distinct inspectors by a partial Fisher–Yates shuffle of the department's
/// eligible inspectors (in snapshot order) driven by the stream
/// `"inspectors" ‖ be32(j) ‖ be32(k)`.
pub fn draw(
    seed: &Hash,
    plan: &DrawPlan,
    entities: &[EntityRow],
    inspectors: &[InspectorRow],
    date: u32,
) -> Result<DrawResult, DrawError> {
    if !is_date(date) {
        return Err(DrawError::InvalidDate { date });
    }
    check_plan(plan)?;
    let entity_root = entity_root(entities)?;
    let outline = draw_outline(
        seed,
        plan,
        (&class_counts(entities), entity_root),
        inspectors,
        date,
    )?;
    let mut result = outline.result;
    for (inspection, &position) in result.inspections.iter_mut().zip(&outline.positions) {
        // Positions come from the counts of these very rows.
        if let Some(row) = entities.get(position as usize) {
            inspection.entity = row.entity.clone();
        }
    }
    Ok(result)
}

/// How many rows of one risk class an entity snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    /// The risk class.
    pub risk_class: u8,
    /// Its rows, at least 1.
    pub rows: u32,
}

/// The class counts of entity rows sorted by class, classes ascending.
pub fn class_counts(rows: &[EntityRow]) -> Vec<ClassCount> {
    let mut counts: Vec<ClassCount> = Vec::new();
    for row in rows {
        match counts.last_mut() {
            Some(last) if last.risk_class == row.risk_class => last.rows += 1,
            _ => counts.push(ClassCount {
                risk_class: row.risk_class,
                rows: 1,
            }),
        }
    }
    counts
}

/// How many inspections `plan` draws from a snapshot with these class
/// counts (docs/draw.md §6): the sum over the planned classes of
/// `ceil(population × basis_points / 10000)`, computed before any drawing.
pub fn planned_inspections(plan: &DrawPlan, classes: &[ClassCount]) -> u64 {
    plan.ratios
        .iter()
        .map(|ratio| {
            let population = classes
                .iter()
                .find(|class| class.risk_class == ratio.risk_class)
                .map_or(0, |class| u64::from(class.rows));
            (population * u64::from(ratio.basis_points)).div_ceil(u64::from(FULL_RATIO))
        })
        .sum()
}

/// Checks a snapshot's class counts: classes ascending without repeats,
/// each with at least one row, at most [`MAX_ENTITIES`] rows in all.
pub fn check_class_counts(classes: &[ClassCount]) -> Result<u64, DrawError> {
    if classes
        .windows(2)
        .any(|w| w[0].risk_class >= w[1].risk_class)
        || classes.iter().any(|class| class.rows == 0)
    {
        return Err(DrawError::InvalidRow {
            directory: "entity",
            index: 0,
            reason: "class counts must name each class once, ascending, with at least one row"
                .into(),
        });
    }
    let total: u64 = classes.iter().map(|class| u64::from(class.rows)).sum();
    if total > MAX_ENTITIES as u64 {
        return Err(DrawError::TooManyRows {
            directory: "entity",
            count: total as usize,
            max: MAX_ENTITIES,
        });
    }
    Ok(total)
}

/// A draw computed from an entity snapshot's class counts and root alone,
/// as the chain computes it before anyone shows it the drawn rows: every
/// inspection's `entity` is empty, and `positions[j]` is the position in the
/// snapshot of inspection `j`'s entity (a class's rows are one run, so the
/// position is the rows of the classes before it plus the pick).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawOutline {
    /// The draw with empty entity ids.
    pub result: DrawResult,
    /// Snapshot position of each inspection's entity.
    pub positions: Vec<u64>,
}

/// [`draw`] from the entity snapshot's class counts and root instead of its
/// rows. The checks are [`draw`]'s, with [`check_class_counts`] for the
/// entity rows.
pub fn draw_outline(
    seed: &Hash,
    plan: &DrawPlan,
    (classes, entity_root): (&[ClassCount], Hash),
    inspectors: &[InspectorRow],
    date: u32,
) -> Result<DrawOutline, DrawError> {
    if !is_date(date) {
        return Err(DrawError::InvalidDate { date });
    }
    check_plan(plan)?;
    let total = check_class_counts(classes)?;
    let inspector_root = inspector_root(inspectors)?;
    if total == 0 {
        return Err(DrawError::EmptyPopulation {
            planned_classes: false,
        });
    }
    // Where each planned class's run of rows starts, and its length.
    let mut runs: BTreeMap<u8, (u64, u64)> = BTreeMap::new();
    let mut start = 0u64;
    for class in classes {
        runs.insert(class.risk_class, (start, u64::from(class.rows)));
        start += u64::from(class.rows);
    }
    if plan
        .ratios
        .iter()
        .all(|r| !runs.contains_key(&r.risk_class))
        // A ratio of 0 on the only populated class draws nobody.
        || planned_inspections(plan, classes) == 0
    {
        return Err(DrawError::EmptyPopulation {
            planned_classes: true,
        });
    }
    let teams = eligible(plan, inspectors, date);
    let needed = usize::from(plan.inspectors_per_inspection);
    for (department, pool) in plan.departments.iter().zip(&teams) {
        if pool.len() < needed {
            return Err(DrawError::TooFewInspectors {
                eligible: pool.len(),
                needed,
                department: department.to_string(),
                items: plan.items_of(department).collect::<Vec<_>>().join(","),
                date,
            });
        }
    }

    let mut drawn_classes = Vec::with_capacity(plan.ratios.len());
    let mut inspections = Vec::new();
    let mut positions = Vec::new();
    for ratio in &plan.ratios {
        let (first, population) = runs.get(&ratio.risk_class).copied().unwrap_or((0, 0));
        let drawn = (population * u64::from(ratio.basis_points)).div_ceil(u64::from(FULL_RATIO));
        let mut stream = Stream::entities(seed, ratio.risk_class);
        for pick in partial_shuffle(population as usize, drawn as usize, &mut stream) {
            positions.push(first + pick as u64);
            inspections.push(DrawnInspection {
                entity: String::new(),
                risk_class: ratio.risk_class,
                inspectors: Vec::with_capacity(plan.team_size()),
                recusals: Vec::new(),
            });
        }
        drawn_classes.push(ClassDraw {
            risk_class: ratio.risk_class,
            population: population as u32,
            drawn: drawn as u32,
        });
    }
    for (number, inspection) in inspections.iter_mut().enumerate() {
        for (department, pool) in teams.iter().enumerate() {
            let mut stream = Stream::inspectors(seed, number as u32, department as u32);
            inspection.inspectors.extend(
                partial_shuffle(pool.len(), needed, &mut stream)
                    .into_iter()
                    .map(|pick| inspectors[pool[pick]].officer),
            );
        }
    }
    Ok(DrawOutline {
        result: DrawResult {
            plan: plan.clone(),
            seed: *seed,
            date,
            entity_root,
            inspector_root,
            classes: drawn_classes,
            inspections,
        },
        positions,
    })
}

/// Replaces `officer`, recused from inspection `index` of `result`, by an
/// inspector drawn from the stream `"recusal" ‖ be32(index) ‖ be32(r)`, where
/// `r` is the number of earlier recusals on that inspection: uniformly among
/// the inspectors eligible on the draw date for the recused officer's team
/// (the department of its slot; in snapshot order) that are neither assigned
/// to the inspection nor recused from it before (the recused officer
/// included). The replacement takes the recused officer's place; the recusal
/// is appended to the inspection's record. `inspectors` must be the snapshot
/// the draw used; the items and departments are the draw's plan's.
pub fn recuse(
    result: &DrawResult,
    inspectors: &[InspectorRow],
    index: usize,
    officer: &KeyId,
) -> Result<DrawResult, DrawError> {
    let plan = &result.plan;
    check_plan(plan)?;
    let root = inspector_root(inspectors)?;
    if root != result.inspector_root {
        return Err(DrawError::SnapshotMismatch {
            directory: "inspector",
            expected: result.inspector_root.to_hex(),
            found: root.to_hex(),
        });
    }
    let count = result.inspections.len();
    let inspection = result
        .inspections
        .get(index)
        .ok_or(DrawError::NoSuchInspection { index, count })?;
    let slot = inspection
        .inspectors
        .iter()
        .position(|assigned| assigned == officer)
        .ok_or_else(|| DrawError::NotAssigned {
            officer: officer.to_string(),
            index,
        })?;
    let team = plan.team_of_slot(slot).map(|(team, _)| team);
    let teams = eligible(plan, inspectors, result.date);
    let candidates: Vec<usize> = team
        .and_then(|team| teams.get(team))
        .into_iter()
        .flatten()
        .copied()
        .filter(|&row| {
            let id = inspectors[row].officer;
            !inspection.inspectors.contains(&id)
                && !inspection.recusals.iter().any(|r| r.officer == id)
        })
        .collect();
    if candidates.is_empty() {
        return Err(DrawError::NoReplacement {
            officer: officer.to_string(),
            index,
        });
    }
    let mut stream = Stream::recusal(&result.seed, index as u32, inspection.recusals.len() as u32);
    let pick = stream.below(candidates.len() as u64) as usize;
    let replacement = inspectors[candidates[pick]].officer;
    let mut out = result.clone();
    let changed = &mut out.inspections[index];
    changed.inspectors[slot] = replacement;
    changed.recusals.push(Recusal {
        officer: *officer,
        replacement,
    });
    Ok(out)
}

/// Re-runs a claimed draw from the directory rows (what `xianjie draw
/// verify` does): the rows must have the claimed roots, and the draw on the
/// claimed seed, plan and date, followed by the recorded recusals (per
/// inspection, in the order recorded; inspections are independent), must
/// give exactly the claimed result.
pub fn verify(
    claimed: &DrawResult,
    entities: &[EntityRow],
    inspectors: &[InspectorRow],
) -> Result<(), DrawError> {
    let mismatch = |directory: &'static str, expected: &Hash, found: Hash| {
        Err(DrawError::SnapshotMismatch {
            directory,
            expected: expected.to_hex(),
            found: found.to_hex(),
        })
    };
    let found = entity_root(entities)?;
    if found != claimed.entity_root {
        return mismatch("entity", &claimed.entity_root, found);
    }
    let found = inspector_root(inspectors)?;
    if found != claimed.inspector_root {
        return mismatch("inspector", &claimed.inspector_root, found);
    }
    let mut rerun = draw(
        &claimed.seed,
        &claimed.plan,
        entities,
        inspectors,
        claimed.date,
    )?;
    if rerun.inspections.len() != claimed.inspections.len() || rerun.classes != claimed.classes {
        return Err(DrawError::ResultMismatch { inspection: None });
    }
    for (index, inspection) in claimed.inspections.iter().enumerate() {
        for recusal in &inspection.recusals {
            rerun = recuse(&rerun, inspectors, index, &recusal.officer).map_err(|_| {
                DrawError::ResultMismatch {
                    inspection: Some(index),
                }
            })?;
        }
        if &rerun.inspections[index] != inspection {
            return Err(DrawError::ResultMismatch {
                inspection: Some(index),
            });
        }
    }
    if &rerun == claimed {
        Ok(())
    } else {
        Err(DrawError::ResultMismatch { inspection: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_of(n: u64) -> Hash {
        hash_with(Domain::Note, &n.to_be_bytes())
    }

    #[test]
    fn below_rejects_the_biased_tail() {
        // bound 3: 2^64 mod 3 = 1, so the zone is 2^64 - 1 and only u64::MAX is rejected.
        let span = 1u128 << 64;
        assert_eq!(span - span % 3, span - 1);
        // bound 2^63 + 1: almost half the words are rejected.
        let mut stream = Stream::new(&seed_of(1), b"t");
        let bound = (1u64 << 63) + 1;
        for _ in 0..64 {
            assert!(stream.below(bound) < bound);
        }
        assert!(stream.counter > 64, "some words were rejected");
        let mut one = Stream::new(&seed_of(1), b"t");
        assert_eq!(one.below(1), 0);
        assert_eq!(one.counter, 1, "a bound of 1 still takes one word");
    }

    #[test]
    fn the_virtual_shuffle_equals_the_array_shuffle() {
        for n in 1..40usize {
            for k in [0, 1, n / 2, n] {
                let mut a = Stream::new(&seed_of(n as u64), b"x");
                let mut b = Stream::new(&seed_of(n as u64), b"x");
                let mut array: Vec<usize> = (0..n).collect();
                for i in 0..k {
                    let j = i + b.below((n - i) as u64) as usize;
                    array.swap(i, j);
                }
                assert_eq!(partial_shuffle(n, k, &mut a), array[..k].to_vec());
            }
        }
    }

    #[test]
    fn dates() {
        for good in [20260228, 20240229, 20000229, 20261231, 10000101] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            20260229, 21000229, 20261301, 20260100, 20260431, 0, 99991232,
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn commitments_bind_draw_and_org() {
        let nonce = [9u8; 32];
        let market = OrgId::new("market").unwrap();
        let proc_ = OrgId::new("procuratorate").unwrap();
        let draw = DrawId::new("DRAW-0000000000000001");
        let other = DrawId::new("DRAW-0000000000000002");
        let c = commitment(&nonce, &draw, &market);
        assert_ne!(c, commitment(&nonce, &other, &market));
        assert_ne!(c, commitment(&nonce, &draw, &proc_));
        assert!(check_reveal(&c, &nonce, &draw, &market).is_ok());
        let err = check_reveal(&c, &[8u8; 32], &draw, &market).unwrap_err();
        assert_eq!(err.code(), "reveal_mismatch");
        assert!(check_reveal(&c, &nonce, &other, &market).is_err());
    }
}
