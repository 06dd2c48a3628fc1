//! The answers of `GET /v1/supervision/flags`, `GET /v1/cases/{id}/facts`
//! and `GET /v1/threshold-rules`: procuratorial supervision (DOMAIN §d, §g).
//!
//! The views carry the ledger's codes (`penalty_instead_of_transfer`,
//! `sales-amount`, `fen`); [`crate::names`] gives their Chinese and English
//! names. Predicates are data: the ledger's `Predicate` in its serde form,
//! plus a one-line rendering ([`predicate_text`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::supervision::{
    CaseFacts, Fact, Operand, PenaltyRecord, Predicate, RecordedFact, RuleMatch, SupervisionFlag,
    ThresholdRule,
};

/// Milliseconds in a day, for "days since raised".
pub const DAY_MS: u64 = 86_400_000;

/// One key fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactView {
    /// What the number is, e.g. `sales-amount`.
    pub kind: String,
    /// The number, in `unit`.
    pub value: i64,
    /// Its unit, e.g. `fen`.
    pub unit: Option<String>,
    /// The tax year, for per-year kinds.
    pub year: Option<u16>,
    /// The digest of the evidence it comes from, hex.
    pub evidence: Option<String>,
}

impl From<&Fact> for FactView {
    fn from(fact: &Fact) -> Self {
        FactView {
            kind: fact.kind.name().to_owned(),
            value: fact.value,
            unit: fact.unit.map(|unit| unit.name().to_owned()),
            year: fact.year,
            evidence: fact.evidence.map(|digest| digest.to_hex()),
        }
    }
}

/// A fact on record, with the step that recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordedFactView {
    /// The fact.
    #[serde(flatten)]
    pub fact: FactView,
    /// The action that recorded it.
    pub action: String,
    /// Height.
    pub height: u64,
}

impl From<&RecordedFact> for RecordedFactView {
    fn from(recorded: &RecordedFact) -> Self {
        RecordedFactView {
            fact: FactView::from(&recorded.fact),
            action: recorded.action.clone(),
            height: recorded.height,
        }
    }
}

/// A rule the facts met, with the facts its predicate read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleMatchView {
    /// The rule id, e.g. `CL140-FAKE-v2008`.
    pub rule_id: String,
    /// Its version.
    pub version: u32,
    /// The facts that met it.
    pub facts: Vec<FactView>,
}

impl From<&RuleMatch> for RuleMatchView {
    fn from(matched: &RuleMatch) -> Self {
        RuleMatchView {
            rule_id: matched.rule_id.clone(),
            version: matched.version,
            facts: matched.facts.iter().map(FactView::from).collect(),
        }
    }
}

/// A penalty decision on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PenaltyView {
    /// The case event that recorded it.
    pub seq: u32,
    /// The fine in fen, when the decision carried terms.
    pub fine_fen: Option<u64>,
    /// The kinds imposed, e.g. `fine`, `warning`.
    pub kinds: Vec<String>,
    /// Height.
    pub height: u64,
    /// Block time (Unix ms).
    pub time_ms: u64,
}

impl From<&PenaltyRecord> for PenaltyView {
    fn from(record: &PenaltyRecord) -> Self {
        PenaltyView {
            seq: record.seq,
            fine_fen: record.terms.as_ref().map(|terms| terms.fine_fen),
            kinds: record
                .terms
                .iter()
                .flat_map(|terms| terms.kinds.iter().map(|kind| kind.name().to_owned()))
                .collect(),
            height: record.height,
            time_ms: record.time_ms,
        }
    }
}

/// A case's supervision record (`GET /v1/cases/{id}/facts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseFactsView {
    /// The height read.
    pub height: u64,
    /// The case.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// The latest fact of each kind (and tax year); empty when none was recorded.
    pub facts: Vec<RecordedFactView>,
    /// The violation date (`yyyymmdd`).
    pub violation_date: Option<u32>,
    /// Every penalty decision, oldest first.
    pub penalties: Vec<PenaltyView>,
    /// Rules met at the last evaluation.
    pub matched: Vec<RuleMatchView>,
    /// Height of the last evaluation (0: never evaluated).
    pub evaluated_height: u64,
}

impl CaseFactsView {
    /// The view of `facts` read at `height`.
    pub fn new(height: u64, facts: &CaseFacts) -> Self {
        CaseFactsView {
            height,
            case_id: facts.case_id.clone(),
            facts: facts.facts.iter().map(RecordedFactView::from).collect(),
            violation_date: facts.violation_date,
            penalties: facts.penalties.iter().map(PenaltyView::from).collect(),
            matched: facts.matched.iter().map(RuleMatchView::from).collect(),
            evaluated_height: facts.evaluated_height,
        }
    }
}

/// A supervision flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FlagView {
    /// The case.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// `penalty_instead_of_transfer` (以罚代刑) or
    /// `untransferred_suspected_crime` (有案不移).
    pub kind: String,
    /// The rules met (id, version) and the facts that met them.
    pub rules: Vec<RuleMatchView>,
    /// The owning agency.
    pub owner: String,
    /// Its division code.
    pub region: String,
    /// The case domain.
    pub domain: String,
    /// Height at which it was raised.
    pub raised_height: u64,
    /// Block time it was raised (Unix ms).
    pub raised_at_ms: u64,
    /// Whole days from raising to the resolution, or to the latest block
    /// time while it is open.
    pub days_since_raised: u64,
    /// Whether it is still open (the case was not transferred after all).
    pub open: bool,
    /// Height of the resolution (the transfer), once resolved.
    pub resolved_height: Option<u64>,
    /// Block time of the resolution.
    pub resolved_at_ms: Option<u64>,
}

impl FlagView {
    /// The view of `flag` at block time `at_ms`.
    pub fn new(flag: &SupervisionFlag, at_ms: u64) -> Self {
        let until = flag.resolved_at_ms.unwrap_or(at_ms);
        FlagView {
            case_id: flag.case_id.clone(),
            kind: flag.kind.name().to_owned(),
            rules: flag.matched.iter().map(RuleMatchView::from).collect(),
            owner: flag.owner.to_string(),
            region: flag.region.clone(),
            domain: flag.domain.clone(),
            raised_height: flag.raised_height,
            raised_at_ms: flag.raised_at_ms,
            days_since_raised: until.saturating_sub(flag.raised_at_ms) / DAY_MS,
            open: flag.resolved_height.is_none(),
            resolved_height: flag.resolved_height,
            resolved_at_ms: flag.resolved_at_ms,
        }
    }
}

/// The flags of cases the signing officer may read (`GET /v1/supervision/flags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FlagList {
    /// The height read.
    pub height: u64,
    /// The block time days are counted to (Unix ms).
    pub at_ms: u64,
    /// The flags, newest first.
    pub flags: Vec<FlagView>,
}

/// A threshold rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdRuleView {
    /// Stable id, e.g. `CL140-FAKE-v2008`.
    pub rule_id: String,
    /// Version.
    pub version: u32,
    /// The crime (CL article).
    pub crime: String,
    /// The instruments the threshold comes from.
    pub source: String,
    /// First violation date it applies to (`yyyymmdd`).
    pub effective_from: u32,
    /// The rule that replaces it; it then applies only to violations before
    /// its successor's `effective_from`.
    pub superseded_by: Option<String>,
    /// Whether no rule supersedes it.
    pub in_force: bool,
    /// Case domains it applies to (empty: every domain).
    pub domains: Vec<String>,
    /// The fact kinds it reads.
    pub inputs: Vec<String>,
    /// The predicate as data: the ledger's `Predicate` in its JSON form
    /// (`{"Any": [{"AtLeast": [{"Sum": "sales-amount"}, 5000000]}, …]}`).
    #[schema(value_type = Object)]
    pub predicate: serde_json::Value,
    /// The predicate in one line, e.g. `sales-amount ≥ 5000000 fen OR …`.
    pub predicate_text: String,
}

impl ThresholdRuleView {
    /// The view of `rule`.
    pub fn new(rule: &ThresholdRule) -> Self {
        ThresholdRuleView {
            rule_id: rule.rule_id.clone(),
            version: rule.version,
            crime: rule.crime.clone(),
            source: rule.source.clone(),
            effective_from: rule.effective_from,
            superseded_by: rule.superseded_by.clone(),
            in_force: rule.superseded_by.is_none(),
            domains: rule.domains.clone(),
            inputs: rule
                .inputs
                .iter()
                .map(|kind| kind.name().to_owned())
                .collect(),
            predicate: serde_json::to_value(&rule.predicate).unwrap_or(serde_json::Value::Null),
            predicate_text: predicate_text(&rule.predicate),
        }
    }
}

/// The threshold rules on chain (`GET /v1/threshold-rules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdRuleList {
    /// The height read.
    pub height: u64,
    /// The rules, by id.
    pub rules: Vec<ThresholdRuleView>,
}

fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Sum(kind) => kind.name().to_owned(),
        Operand::Weighted(terms) => terms
            .iter()
            .map(|(weight, kind)| {
                if *weight == 1 {
                    kind.name().to_owned()
                } else {
                    format!("{weight}×{}", kind.name())
                }
            })
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

fn operand_unit(operand: &Operand) -> &'static str {
    let kind = match operand {
        Operand::Sum(kind) => Some(*kind),
        Operand::Weighted(terms) => terms.first().map(|(_, kind)| *kind),
    };
    kind.map_or("", |kind| kind.unit().name())
}

/// The predicate in one line: `a ≥ 5000000 fen OR (b < 1 count AND …)`.
pub fn predicate_text(predicate: &Predicate) -> String {
    fn join(parts: &[Predicate], word: &str) -> String {
        parts
            .iter()
            .map(|part| match part {
                Predicate::All(inner) | Predicate::Any(inner) if inner.len() > 1 => {
                    format!("({})", predicate_text(part))
                }
                _ => predicate_text(part),
            })
            .collect::<Vec<_>>()
            .join(word)
    }
    match predicate {
        Predicate::All(parts) => join(parts, " AND "),
        Predicate::Any(parts) => join(parts, " OR "),
        Predicate::Not(part) => format!("NOT ({})", predicate_text(part)),
        Predicate::AtLeast(operand, threshold) => format!(
            "{} ≥ {threshold} {}",
            operand_text(operand),
            operand_unit(operand)
        ),
        Predicate::Below(operand, threshold) => format!(
            "{} < {threshold} {}",
            operand_text(operand),
            operand_unit(operand)
        ),
        Predicate::YearRatioAtLeast {
            numerator,
            denominator,
            num,
            den,
        } => format!(
            "{} / {} ≥ {num}/{den} in some tax year",
            numerator.name(),
            denominator.name()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::hash::Hash;
    use xianjie_ledger::ids::OrgId;
    use xianjie_ledger::supervision::{
        default_threshold_rules, FactKind, FactUnit, FlagKind, PenaltyKind, PenaltyTerms,
    };

    fn sales(value: i64) -> Fact {
        Fact {
            kind: FactKind::SalesAmount,
            value,
            unit: Some(FactUnit::Fen),
            year: None,
            evidence: Some(Hash([7; 32])),
        }
    }

    fn flag(resolved_at_ms: Option<u64>) -> SupervisionFlag {
        SupervisionFlag {
            case_id: "CASE-0011223344556677".into(),
            kind: FlagKind::PenaltyInsteadOfTransfer,
            matched: vec![RuleMatch {
                rule_id: "CL140-FAKE-v2008".into(),
                version: 1,
                facts: vec![sales(6_000_000)],
            }],
            owner: OrgId::new("market-hz").unwrap(),
            region: "330100".into(),
            domain: "general".into(),
            raised_height: 12,
            raised_at_ms: 1_000,
            resolved_height: resolved_at_ms.map(|_| 20),
            resolved_at_ms,
        }
    }

    #[test]
    fn a_flag_shows_its_rule_facts_and_days_since_raised() {
        let view = FlagView::new(&flag(None), 1_000 + 3 * DAY_MS + DAY_MS / 2);
        assert_eq!(view.kind, "penalty_instead_of_transfer");
        assert_eq!(view.days_since_raised, 3);
        assert!(view.open);
        assert_eq!(view.rules[0].rule_id, "CL140-FAKE-v2008");
        assert_eq!(view.rules[0].version, 1);
        let fact = &view.rules[0].facts[0];
        assert_eq!(
            (fact.kind.as_str(), fact.value, fact.unit.as_deref()),
            ("sales-amount", 6_000_000, Some("fen"))
        );
        assert_eq!(fact.evidence.as_deref(), Some("07".repeat(32).as_str()));
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["rules"][0]["facts"][0]["kind"], "sales-amount");
    }

    #[test]
    fn a_resolved_flag_counts_days_to_its_resolution() {
        let view = FlagView::new(&flag(Some(1_000 + 2 * DAY_MS)), 1_000 + 30 * DAY_MS);
        assert_eq!(view.days_since_raised, 2);
        assert!(!view.open);
        assert_eq!(view.resolved_height, Some(20));
    }

    #[test]
    fn case_facts_keep_penalties_and_flatten_recorded_facts() {
        let facts = CaseFacts {
            case_id: "CASE-0011223344556677".into(),
            facts: vec![RecordedFact {
                fact: sales(6_000_000),
                action: "open-admin-case".into(),
                height: 5,
            }],
            violation_date: Some(20260301),
            penalties: vec![PenaltyRecord {
                seq: 2,
                terms: Some(PenaltyTerms {
                    fine_fen: 1_000_000,
                    kinds: vec![PenaltyKind::Fine, PenaltyKind::Warning],
                }),
                height: 9,
                time_ms: 77,
            }],
            matched: Vec::new(),
            evaluated_height: 9,
        };
        let view = CaseFactsView::new(10, &facts);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["facts"][0]["kind"], "sales-amount");
        assert_eq!(json["facts"][0]["action"], "open-admin-case");
        assert_eq!(view.penalties[0].fine_fen, Some(1_000_000));
        assert_eq!(view.penalties[0].kinds, ["fine", "warning"]);
        let back: CaseFactsView = serde_json::from_value(json).unwrap();
        assert_eq!(back, view);
    }

    #[test]
    fn a_rule_is_shown_as_data_and_as_one_line() {
        let rules = default_threshold_rules();
        let fake = rules
            .iter()
            .find(|r| r.rule_id == "CL140-FAKE-v2008")
            .unwrap();
        let view = ThresholdRuleView::new(fake);
        assert!(view.in_force);
        assert_eq!(view.inputs, ["sales-amount", "unsold-goods-value"]);
        let back: Predicate = serde_json::from_value(view.predicate.clone()).unwrap();
        assert_eq!(&back, &fake.predicate);
        assert_eq!(
            view.predicate_text,
            "sales-amount ≥ 5000000 fen OR unsold-goods-value ≥ 15000000 fen OR \
             (sales-amount < 5000000 fen AND 3×sales-amount + unsold-goods-value ≥ 15000000 fen)"
        );
        let tax = rules
            .iter()
            .find(|r| r.rule_id == "CL201-TAX-v2024")
            .unwrap();
        let text = predicate_text(&tax.predicate);
        assert!(
            text.contains("NOT (") && text.contains("evaded-tax / tax-payable ≥ 10/100"),
            "{text}"
        );
    }
}
