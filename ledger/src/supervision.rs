//! Procuratorial supervision data (DOMAIN §d, §g): the key facts an agency
//! records where it decides, the versioned threshold rules those facts are
//! measured against, and the flags the chain raises when a case meets a rule
//! but was not transferred.
//!
//! Everything here is stored and signed, so enum variants are encoded by
//! position: append only. Amounts are integers (money in fen, weights in
//! kilograms, multiples in hundredths), never floats, and every number
//! carries the digest of the evidence it comes from. The evaluator that runs
//! the predicates is in the contracts crate (`supervision` module).

use serde::{Deserialize, Serialize};

use crate::case::{named_enum, CaseState};
use crate::codec::Canonical;
use crate::deadline::{ClockKind, DeadlineRule, RuleScope, TimeUnit, Verification};
use crate::hash::Hash;
use crate::ids::CaseId;

/// Most facts one case step may carry.
pub const MAX_STEP_FACTS: usize = 24;
/// Most facts a case keeps on record (one per kind and tax year).
pub const MAX_CASE_FACTS: usize = 64;
/// Most penalty decisions a case keeps on record.
pub const MAX_CASE_PENALTIES: usize = 16;
/// Most threshold rules on chain.
pub const MAX_THRESHOLD_RULES: usize = 64;
/// Longest rule id (`CL140-FAKE-v2008`).
pub const MAX_RULE_ID_LEN: usize = 48;
/// Longest short text of a rule (crime, source).
pub const MAX_RULE_TEXT_LEN: usize = 160;
/// Deepest nesting of a predicate.
pub const MAX_PREDICATE_DEPTH: usize = 6;
/// Most nodes in one predicate.
pub const MAX_PREDICATE_NODES: usize = 48;

named_enum! {
    /// What a recorded number is. Each kind has one unit ([`FactKind::unit`]).
    pub enum FactKind {
        /// 销售金额: income obtained and receivable from selling the goods (fen).
        SalesAmount = "sales-amount",
        /// 尚未销售的货值金额: value of goods not yet sold (fen).
        UnsoldGoodsValue = "unsold-goods-value",
        /// Tax evaded in one tax year (fen; needs `year`).
        EvadedTax = "evaded-tax",
        /// Total tax payable in that tax year (fen; needs `year`).
        TaxPayable = "tax-payable",
        /// Pollutant with Pb, Hg, Cd, Cr, As, Tl or Sb: highest multiple of the
        /// discharge standard (hundredths: 300 = 3×).
        HeavyMetalMultiple = "heavy-metal-multiple",
        /// Pollutant with Ni, Cu, Zn, Ag, V, Mn or Co: highest multiple of the
        /// discharge standard (hundredths).
        OtherMetalMultiple = "other-metal-multiple",
        /// Hazardous waste illegally discharged, dumped or disposed of (kg).
        HazardousWaste = "hazardous-waste",
        /// Public or private property loss (fen).
        Loss = "loss",
        /// Illegal gains (fen).
        IllegalGains = "illegal-gains",
        /// 非法经营数额 (fen).
        BusinessAmount = "business-amount",
        /// Cigarettes (sticks).
        Cigarettes = "cigarettes",
        /// Earlier administrative penalties of the entity for the same kind of
        /// act within the period the domain's rule looks back (count).
        EarlierPenalties = "earlier-penalties",
        /// Earlier criminal penalties within five years (count; the tax rule's
        /// exception).
        EarlierCriminalPenalties = "earlier-criminal-penalties",
        /// Hours a township's drinking-water intake was interrupted.
        WaterSupplyInterrupted = "water-supply-interrupted",
        /// 1 if the discharge was in a drinking-water source protection zone
        /// or a core protected area.
        ProtectedZoneDischarge = "protected-zone-discharge",
        /// 1 if discharged through concealed pipes, seepage wells or the like.
        ConcealedDischarge = "concealed-discharge",
        /// 1 if a key emitting unit falsified its automatic monitoring data.
        FalsifiedMonitoring = "falsified-monitoring",
        /// 1 if the tax authority issued its 追缴通知 (Tax-Interp-2024 Art 3).
        RecoveryNoticeIssued = "recovery-notice-issued",
        /// 1 if the taxpayer paid the tax and late fees in full in time and
        /// performed the administrative penalty (Tax-Interp-2024 Art 3).
        PaidInFull = "paid-in-full",
        /// 1 if there is a reasonable suspicion of an IP crime that needs
        /// police measures to confirm (SC-Transfer Art 3 ¶2).
        ReasonableSuspicion = "reasonable-suspicion",
    }
}

named_enum! {
    /// The unit of a fact.
    pub enum FactUnit {
        /// 分 (1/100 yuan).
        Fen = "fen",
        /// Kilograms.
        Kg = "kg",
        /// Hundredths of a multiple (300 = 3×).
        Hundredths = "hundredths",
        /// A count (penalties, sticks).
        Count = "count",
        /// Hours.
        Hours = "hours",
        /// 0 or 1.
        Yes = "yes",
    }
}

impl FactKind {
    /// The unit a fact of this kind must carry.
    pub fn unit(self) -> FactUnit {
        use FactKind::*;
        match self {
            SalesAmount | UnsoldGoodsValue | EvadedTax | TaxPayable | Loss | IllegalGains
            | BusinessAmount => FactUnit::Fen,
            HeavyMetalMultiple | OtherMetalMultiple => FactUnit::Hundredths,
            HazardousWaste => FactUnit::Kg,
            Cigarettes | EarlierPenalties | EarlierCriminalPenalties => FactUnit::Count,
            WaterSupplyInterrupted => FactUnit::Hours,
            ProtectedZoneDischarge
            | ConcealedDischarge
            | FalsifiedMonitoring
            | RecoveryNoticeIssued
            | PaidInFull
            | ReasonableSuspicion => FactUnit::Yes,
        }
    }

    /// Whether a fact of this kind is per tax year (and needs `year`).
    pub fn per_year(self) -> bool {
        matches!(self, FactKind::EvadedTax | FactKind::TaxPayable)
    }
}

impl FactUnit {
    /// The largest value accepted: beyond it a number is a typing error, not
    /// a fact (¥100 billion; 10 million tonnes; a 1,000,000× multiple; …).
    pub fn max_value(self) -> i64 {
        match self {
            FactUnit::Fen => 10_000_000_000_000,
            FactUnit::Kg => 10_000_000_000,
            FactUnit::Hundredths => 100_000_000,
            FactUnit::Count => 1_000_000_000,
            FactUnit::Hours => 1_000_000,
            FactUnit::Yes => 1,
        }
    }
}

/// One key fact as submitted with a case step. The value is signed so that a
/// negative number can be refused with its own code rather than failing to
/// decode; the unit is optional on the wire so that a missing one can be
/// named in the refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// What the number is.
    pub kind: FactKind,
    /// The number, in `unit`.
    pub value: i64,
    /// Its unit; must be `kind.unit()`.
    pub unit: Option<FactUnit>,
    /// The tax year (`yyyy`) for per-year kinds; absent otherwise.
    pub year: Option<u16>,
    /// The digest of the evidence the number comes from (anchored evidence
    /// or a document in the vault).
    pub evidence: Option<Hash>,
}

named_enum! {
    /// The kinds of an administrative penalty (APL Art 9).
    pub enum PenaltyKind {
        /// 警告.
        Warning = "warning",
        /// 通报批评.
        Criticism = "criticism",
        /// 罚款.
        Fine = "fine",
        /// 没收违法所得、没收非法财物.
        Confiscation = "confiscation",
        /// 暂扣许可证件.
        SuspendLicence = "suspend-licence",
        /// 降低资质等级.
        DowngradeQualification = "downgrade-qualification",
        /// 吊销许可证件.
        RevokeLicence = "revoke-licence",
        /// 限制开展生产经营活动.
        RestrictBusiness = "restrict-business",
        /// 责令停产停业.
        SuspendBusiness = "suspend-business",
        /// 责令关闭.
        OrderClosure = "order-closure",
        /// 限制从业.
        RestrictPractice = "restrict-practice",
        /// 行政拘留.
        Detention = "detention",
    }
}

/// What a penalty decision imposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyTerms {
    /// The fine in fen (0 when no fine).
    pub fine_fen: u64,
    /// The kinds imposed.
    pub kinds: Vec<PenaltyKind>,
}

/// A fact on record, with the step that recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFact {
    /// The fact (unit and evidence present: checked when recorded).
    pub fact: Fact,
    /// The action that recorded it.
    pub action: String,
    /// Height.
    pub height: u64,
}

/// A penalty decision on record: every one is kept (APL Art 29 allows one
/// fine per act; SC-Transfer Art 11 ¶3 offsets it against a criminal fine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyRecord {
    /// The case event that recorded it.
    pub seq: u32,
    /// What was imposed (absent when the step carried no terms).
    pub terms: Option<PenaltyTerms>,
    /// Height.
    pub height: u64,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
}

/// A rule whose predicate the facts on record met, evaluated at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMatch {
    /// The rule id.
    pub rule_id: String,
    /// The rule's version.
    pub version: u32,
    /// The facts the predicate read.
    pub facts: Vec<Fact>,
}

/// The supervision record of a case, stored under `case-facts/<id>`: the
/// key facts, every penalty decision, the violation date, and the rules met
/// at the last evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The case id.
    pub case_id: CaseId,
    /// The latest fact of each kind (and tax year).
    pub facts: Vec<RecordedFact>,
    /// The date of the violation (`yyyymmdd`).
    pub violation_date: Option<u32>,
    /// Every penalty decision, oldest first.
    pub penalties: Vec<PenaltyRecord>,
    /// Rules met at the last evaluation (empty if none).
    pub matched: Vec<RuleMatch>,
    /// Height of the last evaluation.
    pub evaluated_height: u64,
}

/// A number the predicate reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operand {
    /// The sum of every fact of the kind on record (all tax years summed).
    Sum(FactKind),
    /// `Σ weight × Sum(kind)`: e.g. `3 × sales + unsold`.
    Weighted(Vec<(u32, FactKind)>),
}

/// A threshold predicate: data a deterministic evaluator runs. All
/// arithmetic is in 128-bit integers; "以上" includes the boundary (≥).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Predicate {
    /// Every part holds.
    All(Vec<Predicate>),
    /// Some part holds.
    Any(Vec<Predicate>),
    /// The part does not hold.
    Not(Box<Predicate>),
    /// `operand ≥ threshold`.
    AtLeast(Operand, u64),
    /// `operand < threshold`.
    Below(Operand, u64),
    /// In some tax year, `numerator / denominator ≥ num / den`, compared
    /// as `numerator × den ≥ num × denominator` (the highest annual ratio).
    YearRatioAtLeast {
        /// Per-year kind above the line (evaded tax).
        numerator: FactKind,
        /// Per-year kind below the line (tax payable).
        denominator: FactKind,
        /// The ratio's numerator (10 for 10 %).
        num: u32,
        /// The ratio's denominator (100 for 10 %).
        den: u32,
    },
}

/// A versioned threshold rule (DOMAIN §g), stored under
/// `threshold-rule/<rule_id>` and changed only through governance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdRule {
    /// Stable id including the version it names (`CL140-FAKE-v2008`).
    pub rule_id: String,
    /// Version number, raised by each governance change of the rule.
    pub version: u32,
    /// The crime (CL article).
    pub crime: String,
    /// The instruments the threshold comes from.
    pub source: String,
    /// First day it applies to (violation date, `yyyymmdd`).
    pub effective_from: u32,
    /// The rule that replaces it, if any; a superseded rule applies only to
    /// violations before its successor's `effective_from`.
    pub superseded_by: Option<String>,
    /// Case domains it applies to (empty: every domain).
    pub domains: Vec<String>,
    /// The fact kinds it reads.
    pub inputs: Vec<FactKind>,
    /// When it is met.
    pub predicate: Predicate,
}

named_enum! {
    /// What a supervision flag says.
    pub enum FlagKind {
        /// 以罚代刑: decided administratively, not transferred, a rule met.
        PenaltyInsteadOfTransfer = "penalty_instead_of_transfer",
        /// 有案不移: a rule met, and the case sat in the administrative track
        /// past the parameter.
        UntransferredSuspectedCrime = "untransferred_suspected_crime",
    }
}

/// A flag raised by the chain, stored under `flag/<case_id>/<kind>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionFlag {
    /// The case.
    pub case_id: CaseId,
    /// What it says.
    pub kind: FlagKind,
    /// The rules met and the facts that met them.
    pub matched: Vec<RuleMatch>,
    /// The owning agency.
    pub owner: crate::ids::OrgId,
    /// Its division code.
    pub region: String,
    /// The case domain.
    pub domain: String,
    /// Height at which it was raised.
    pub raised_height: u64,
    /// Block time it was raised (Unix milliseconds).
    pub raised_at_ms: u64,
    /// Set when the case was transferred after all.
    pub resolved_height: Option<u64>,
    /// Block time of the resolution.
    pub resolved_at_ms: Option<u64>,
}

/// The cases waiting for the 有案不移 check, by the China-local day after
/// which it runs: `supervision/due` holds the sorted days,
/// `supervision/due/<day>` the case ids of that day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDays(pub Vec<u32>);

/// The case ids due on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueCases(pub Vec<CaseId>);

macro_rules! canonical {
    ($ty:ty, $kind:literal, $max:expr) => {
        impl Canonical for $ty {
            const KIND: &'static str = $kind;
            const MAX_ENCODED_LEN: usize = $max;
        }
    };
}

canonical!(CaseFacts, "case facts", 16 * 1024);
canonical!(ThresholdRule, "threshold rule", 4 * 1024);
canonical!(SupervisionFlag, "supervision flag", 8 * 1024);
canonical!(DueDays, "due days", 64 * 1024);
canonical!(DueCases, "due cases", 64 * 1024);

fn rule(
    rule_id: &str,
    crime: &str,
    source: &str,
    effective_from: u32,
    domains: &[&str],
    predicate: Predicate,
) -> ThresholdRule {
    let mut inputs = Vec::new();
    predicate.collect_inputs(&mut inputs);
    ThresholdRule {
        rule_id: rule_id.into(),
        version: 1,
        crime: crime.into(),
        source: source.into(),
        effective_from,
        superseded_by: None,
        domains: domains.iter().map(|d| (*d).into()).collect(),
        inputs,
        predicate,
    }
}

impl Predicate {
    /// The fact kinds the predicate reads, each once, in first-use order.
    pub fn collect_inputs(&self, into: &mut Vec<FactKind>) {
        let mut add = |kind: FactKind| {
            if !into.contains(&kind) {
                into.push(kind);
            }
        };
        match self {
            Predicate::All(parts) | Predicate::Any(parts) => {
                for part in parts {
                    part.collect_inputs(into);
                }
            }
            Predicate::Not(part) => part.collect_inputs(into),
            Predicate::AtLeast(operand, _) | Predicate::Below(operand, _) => match operand {
                Operand::Sum(kind) => add(*kind),
                Operand::Weighted(terms) => terms.iter().for_each(|(_, kind)| add(*kind)),
            },
            Predicate::YearRatioAtLeast {
                numerator,
                denominator,
                ..
            } => {
                add(*numerator);
                add(*denominator);
            }
        }
    }
}

/// Yuan to fen.
const fn yuan(amount: u64) -> u64 {
    amount * 100
}

fn at_least(kind: FactKind, threshold: u64) -> Predicate {
    Predicate::AtLeast(Operand::Sum(kind), threshold)
}

/// The threshold rules of DOMAIN §g a new chain starts from. They are data,
/// changed through governance (`Change::ThresholdRule`); a chain whose
/// genesis predates them receives them the same way.
pub fn default_threshold_rules() -> Vec<ThresholdRule> {
    use FactKind::*;
    vec![
        rule(
            "CL140-FAKE-v2008",
            "CL Art 140 生产、销售伪劣产品罪",
            "Std-1 Art 16; Fake-Interp-2001 Art 2",
            20080625,
            &["general", "food_drug", "drug", "customs"],
            Predicate::Any(vec![
                at_least(SalesAmount, yuan(50_000)),
                at_least(UnsoldGoodsValue, yuan(150_000)),
                Predicate::All(vec![
                    Predicate::Below(Operand::Sum(SalesAmount), yuan(50_000)),
                    Predicate::AtLeast(
                        Operand::Weighted(vec![(3, SalesAmount), (1, UnsoldGoodsValue)]),
                        yuan(150_000),
                    ),
                ]),
            ]),
        ),
        rule(
            "CL201-TAX-v2024",
            "CL Art 201 逃税罪",
            "Tax-Interp-2024 Arts 2-4; CL Art 201 ¶4",
            20240320,
            &["tax"],
            Predicate::All(vec![
                // The gate: no 追缴通知, no criminal liability.
                at_least(RecoveryNoticeIssued, 1),
                // Paid in full and penalty performed: no liability, unless
                // punished within five years (criminal, or twice administratively).
                Predicate::Not(Box::new(Predicate::All(vec![
                    at_least(PaidInFull, 1),
                    Predicate::Below(Operand::Sum(EarlierCriminalPenalties), 1),
                    Predicate::Below(Operand::Sum(EarlierPenalties), 2),
                ]))),
                at_least(EvadedTax, yuan(100_000)),
                Predicate::YearRatioAtLeast {
                    numerator: EvadedTax,
                    denominator: TaxPayable,
                    num: 10,
                    den: 100,
                },
            ]),
        ),
        rule(
            "CL338-ENV-v2023",
            "CL Art 338 污染环境罪 (严重污染环境)",
            "Env-Interp-2023 Arts 1-2",
            20230815,
            &["environment"],
            Predicate::Any(vec![
                at_least(HeavyMetalMultiple, 300),
                at_least(OtherMetalMultiple, 1_000),
                at_least(HazardousWaste, 3_000),
                at_least(IllegalGains, yuan(300_000)),
                at_least(Loss, yuan(300_000)),
                at_least(ProtectedZoneDischarge, 1),
                at_least(ConcealedDischarge, 1),
                at_least(FalsifiedMonitoring, 1),
                at_least(WaterSupplyInterrupted, 12),
                at_least(EarlierPenalties, 2),
            ]),
        ),
        rule(
            "CL225-TOBACCO",
            "CL Art 225 非法经营罪 (烟草专卖品)",
            "Std-2 (2010 Art 79; article number after the 2022 revision UNVERIFIED)",
            20100507,
            &["tobacco"],
            Predicate::Any(vec![
                at_least(BusinessAmount, yuan(50_000)),
                at_least(IllegalGains, yuan(20_000)),
                at_least(Cigarettes, 200_000),
                Predicate::All(vec![
                    at_least(EarlierPenalties, 2),
                    at_least(BusinessAmount, yuan(30_000)),
                ]),
            ]),
        ),
        rule(
            "IP-REASONABLE-SUSPICION",
            "IP crimes (CL Arts 213-220)",
            "SC-Transfer Art 3 ¶2",
            20010709,
            &["ip"],
            at_least(ReasonableSuspicion, 1),
        ),
    ]
}

/// The mark a case gets when a rule is first met on the administrative side:
/// it starts the 有案不移 clock.
pub const THRESHOLD_MET: &str = "threshold-met";
/// The deadline rule of 有案不移.
pub const UNTRANSFERRED_RULE: &str = "UNTRANSFERRED_SUSPECTED_CRIME";

/// The states in which a case that meets a rule is "not transferred" and
/// the 有案不移 clock runs: the administrative case, a suspicion the agency
/// sits on, and a transfer the head declined.
pub const UNTRANSFERRED_STATES: &[CaseState] = &[
    CaseState::S1AdminCase,
    CaseState::S2SuspectedCrime,
    CaseState::S3Taskforce,
    CaseState::S5xNotApproved,
];

pub use crate::case::SUPERVISED_FILING;

/// Where the procuratorate may request the agency's case file (D2) and
/// require the transfer (D3): every state in which the case is with the
/// agency without having been transferred, decided cases and closed ones
/// included (the cases that were never sent).
pub const AGENCY_SIDE_STATES: &[CaseState] = &[
    CaseState::S1AdminCase,
    CaseState::S2SuspectedCrime,
    CaseState::S3Taskforce,
    CaseState::S4PendingApproval,
    CaseState::S5Approved,
    CaseState::S5xNotApproved,
    CaseState::R5Decided,
    CaseState::R6Replied,
    CaseState::R7Published,
    CaseState::R8FollowUp,
    CaseState::R9Closed,
];

/// Where the procuratorate supervises an improper filing (D6, 不应当立案而
/// 立案): a filed case before the police asked for arrest approval or
/// referred it for prosecution (SPP-Rules-2019 Art 559 ¶2: 尚未提请批准逮捕
/// 或者移送起诉).
pub const FILED_STATES: &[CaseState] = &[
    CaseState::S8Filed,
    CaseState::S9ItemsHandedOver,
    CaseState::S10Investigation,
];

/// D6: the police explain the filing in writing.
pub const PSB_EXPLAIN_FILING: &str = "PSB_EXPLAIN_FILING";
/// D6: the police's window to ask the procuratorate to reconsider (复议)
/// its withdrawal notice.
pub const PSB_REQUEST_PROC_RECONSIDERATION: &str = "PSB_REQUEST_PROC_RECONSIDERATION";
/// D6: the police withdraw the case, or object (复议), within 15 days of the
/// withdrawal notice; past it the procuratorate may issue a 纠正违法通知书
/// (SPP-Rules-2019 Art 564 ¶2).
pub const PSB_WITHDRAW_AFTER_NOTICE: &str = "PSB_WITHDRAW_AFTER_NOTICE";
/// D6: the procuratorate decides the 复议.
pub const PROC_DECIDE_RECONSIDERATION: &str = "PROC_DECIDE_RECONSIDERATION";
/// D6: the police's window to ask the higher procuratorate to review (复核)
/// after the 复议 upheld the notice.
pub const PSB_REQUEST_HIGHER_REVIEW: &str = "PSB_REQUEST_HIGHER_REVIEW";
/// D6: the higher procuratorate decides the 复核.
pub const PROC_DECIDE_HIGHER_REVIEW: &str = "PROC_DECIDE_HIGHER_REVIEW";

fn clock_rule(
    id: &str,
    on: &[CaseState],
    (start, stop): (&[&str], &[&str]),
    (limit, unit): (u32, TimeUnit),
    (kind, actor): (ClockKind, &str),
    (source, verified): (&str, Verification),
) -> DeadlineRule {
    DeadlineRule {
        id: id.into(),
        scope: RuleScope::Case,
        on: on.to_vec(),
        start: start.iter().map(|s| (*s).to_owned()).collect(),
        stop: stop.iter().map(|s| (*s).to_owned()).collect(),
        outcome: None,
        limit,
        unit,
        kind,
        actor: actor.into(),
        source: source.into(),
        verified,
        overrides: Vec::new(),
        extension: None,
        pause: None,
    }
}

/// The clocks of procuratorial supervision (DOMAIN §d), added to the
/// Appendix A rules in a new chain's parameters. Values that no checked
/// source fixes are marked UNVERIFIED and stay parameters.
pub fn deadline_rules() -> Vec<DeadlineRule> {
    use ClockKind::{Duty, Window};
    use TimeUnit::CalendarDay;
    use Verification::{Primary as P, Unverified as U};
    vec![
        // No statute fixes the period: SC-Transfer Art 3 says "must
        // transfer", Art 16 ¶2 sanctions non-transfer.
        clock_rule(
            UNTRANSFERRED_RULE,
            UNTRANSFERRED_STATES,
            (&[THRESHOLD_MET], &[]),
            (30, CalendarDay),
            (Duty, "AEA"),
            ("SC-Transfer Arts 3, 16 ¶2 (period is a parameter)", U),
        ),
        clock_rule(
            "AEA_ANSWER_FILE_REQUEST",
            AGENCY_SIDE_STATES,
            (&["request-file"], &["answer-file-request"]),
            (7, CalendarDay),
            (Duty, "AEA"),
            ("Opinions-2011; FoodDrug-2015 (period UNVERIFIED)", U),
        ),
        clock_rule(
            "AEA_RESPOND_TO_OPINION",
            &[
                CaseState::S1AdminCase,
                CaseState::S2SuspectedCrime,
                CaseState::S3Taskforce,
            ],
            (&["suggest-transfer"], &["answer-opinion"]),
            (30, CalendarDay),
            (Duty, "AEA"),
            (
                "SPP-Rules-2019 Art 557 ¶3; SPP-Linkage-2021 (period UNVERIFIED)",
                U,
            ),
        ),
        // D6 (不应当立案而立案): 7 days from receipt of the demand to explain
        // the filing in writing.
        clock_rule(
            PSB_EXPLAIN_FILING,
            FILED_STATES,
            (&["demand-filing-reasons"], &["explain-filing"]),
            (7, CalendarDay),
            (Duty, "PSB"),
            ("SPP-Rules-2019 Arts 559 ¶2, 560", P),
        ),
        // No source read fixes a period to ask for 复议: Art 563 says the
        // police withdraw at once if they do not object, Art 564 ¶2 sends a
        // 纠正违法通知书 once 15 days pass without withdrawal, 复议 or 复核.
        // The window is that 15 days, a parameter until checked against
        // MPS-Rules Art 183.
        clock_rule(
            PSB_REQUEST_PROC_RECONSIDERATION,
            FILED_STATES,
            (
                &["notify-withdrawal"],
                &["request-proc-reconsideration", "withdraw"],
            ),
            (15, CalendarDay),
            (Window, "PSB"),
            (
                "SPP-Rules-2019 Arts 563, 564 ¶2; MPS-Rules Art 183 (period UNVERIFIED)",
                U,
            ),
        ),
        // The same 15 days as the police's duty (Art 564 ¶2: 超过十五日…既不
        // 提出复议、复核也不撤销案件的，人民检察院应当发出纠正违法通知书):
        // past it the notice to correct may follow (`notice-to-correct`).
        clock_rule(
            PSB_WITHDRAW_AFTER_NOTICE,
            FILED_STATES,
            (
                &["notify-withdrawal"],
                &["withdraw", "request-proc-reconsideration"],
            ),
            (15, CalendarDay),
            (Duty, "PSB"),
            ("SPP-Rules-2019 Art 564 ¶2", P),
        ),
        clock_rule(
            PROC_DECIDE_RECONSIDERATION,
            FILED_STATES,
            (
                &["request-proc-reconsideration"],
                &["decide-proc-reconsideration"],
            ),
            (7, CalendarDay),
            (Duty, "PROC"),
            ("SPP-Rules-2019 Art 565 ¶1", P),
        ),
        // The window to ask for 复核 is not fixed either: the same 15 days,
        // from the 复议 decision that upheld the notice.
        DeadlineRule {
            outcome: Some(crate::case::Outcome::Uphold),
            ..clock_rule(
                PSB_REQUEST_HIGHER_REVIEW,
                FILED_STATES,
                (
                    &["decide-proc-reconsideration"],
                    &["request-higher-review", "withdraw"],
                ),
                (15, CalendarDay),
                (Window, "PSB"),
                (
                    "SPP-Rules-2019 Arts 564 ¶2, 565 ¶2; MPS-Rules Art 183 (period UNVERIFIED)",
                    U,
                ),
            )
        },
        clock_rule(
            PROC_DECIDE_HIGHER_REVIEW,
            FILED_STATES,
            (&["request-higher-review"], &["decide-higher-review"]),
            (15, CalendarDay),
            (Duty, "PROC"),
            ("SPP-Rules-2019 Art 565 ¶2", P),
        ),
    ]
}
