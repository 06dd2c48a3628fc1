//! Statutory deadlines as chain parameters (DOMAIN.md §0.3, Appendix A).
//!
//! Nothing here is a hard-coded legal constant: the rules, the day-counting
//! convention (start day excluded, roll-over of a last day that is a holiday)
//! and the holiday calendar are chain parameters, set in genesis and changed
//! by governance. [`appendix_a_rules`] and [`default_calendar`] are only the
//! defaults a new chain starts from. The computation (block time → China
//! local time → due time) is in the contracts crate.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::case::{CaseState, Outcome};

/// Most deadline rules in the parameters.
pub const MAX_DEADLINE_RULES: usize = 64;
/// Longest rule id (`PSB_FILING_DECISION`).
pub const MAX_RULE_ID_LEN: usize = 48;
/// Most sector overrides on one rule.
pub const MAX_RULE_OVERRIDES: usize = 8;
/// Most dates in each list of the holiday calendar.
pub const MAX_CALENDAR_DATES: usize = 2048;

/// The unit a deadline is counted in (DOMAIN §0.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Hours from the starting event's timestamp.
    Hour,
    /// Calendar days (CPL Art 105 convention by default).
    CalendarDay,
    /// Working days: weekdays that are not statutory holidays, plus make-up
    /// working days (调休).
    WorkingDay,
    /// Months, to the corresponding day of the month (from a month's last
    /// day, to the target month's last day).
    Month,
}

/// How far a rule's text was checked (DOMAIN §0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verification {
    /// Checked against the primary text.
    #[serde(rename = "P")]
    Primary,
    /// Checked against secondary sources only.
    #[serde(rename = "S")]
    Secondary,
    /// Not confirmed.
    #[serde(rename = "U")]
    Unverified,
}

/// What running past a clock's due time means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// A duty: past due, the case is overdue (SC-Transfer Arts 16–17 alerts).
    Duty,
    /// An optional step or a conditional duty whose window closes at the due
    /// time (e.g. the agency's 3-day window to request 复议): not overdue.
    Window,
    /// After the due time a supervisor may act (e.g. the 3-month 催办函).
    MayIssueAfter,
}

/// What a rule's clock attaches to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleScope {
    /// A case: the clock runs while the case is in one of `on`.
    #[default]
    Case,
    /// An inspection result: the objection (复检) window after the result
    /// was notified to the party (Appendix A `LAB_RESULT_NOTIFIED`).
    InspectionResult,
    /// A case of one of the sectors the rule's `overrides` name: the clock
    /// runs as for [`RuleScope::Case`], but only on a case whose `domain`
    /// an override names, with that override's limit. For a sector's own
    /// duty, e.g. market regulation's publication of penalties
    /// (SAMR-Penalty-Disclosure binds market-regulation authorities only).
    SectorCase,
    /// A clue (`clue`): the clock starts at the clue's latest `start` step
    /// and stops at a `stop` step after it; `start` and `stop` name clue
    /// actions (`send`, `accept`, …) and `on` is empty. Appended.
    Clue,
    /// A request between organs (`request`): the clock starts when a
    /// request of a kind its `start` names is asked and stops at `answer`;
    /// `on` is empty. Appended.
    Request,
    /// A random draw (`random_draw`): `start` names the draw event the
    /// clock runs from (`plan`, `seed`, `drawn`, `snapshot`); `on` and `stop`
    /// are empty. Appended.
    Draw,
}

impl RuleScope {
    /// Whether the rule's clock attaches to a case.
    pub fn is_case(self) -> bool {
        matches!(self, RuleScope::Case | RuleScope::SectorCase)
    }
}

/// The case domains of market regulation (市场监管): the sectors whose
/// cases a market-regulation authority handles, to which its own duties
/// apply (`SAMR_PENALTY_PUBLICATION`). Which domains a chain counts as
/// market regulation is a parameter: these are the defaults.
pub const MARKET_REGULATION_DOMAINS: [&str; 4] = ["general", "food_drug", "drug", "ip"];

/// A sector-specific variant of a rule (DOMAIN §b.4), applied to cases whose
/// `domain` matches. For a [`RuleScope::SectorCase`] rule the overrides are
/// also the only sectors the rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOverride {
    /// Id of the overlay, e.g. `food_drug_2015`.
    pub id: String,
    /// The case domain it applies to, e.g. `food_drug`.
    pub domain: String,
    /// The limit in that sector.
    pub limit: u32,
    /// Its unit.
    pub unit: TimeUnit,
    /// Source.
    pub source: String,
    /// How far it was checked.
    pub verified: Verification,
}

/// A lawful extension of a rule's clock (e.g. CPL Art 172: fifteen more
/// days for a major or complex case), granted by recording `action` on the
/// case while the clock runs and before it is due. Once per start of the
/// clock; the extra time counts from the original due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleExtension {
    /// The case action that grants it, e.g. `extend-prosecution-review`.
    pub action: String,
    /// How many more units.
    pub limit: u32,
    /// Their unit.
    pub unit: TimeUnit,
    /// Source.
    pub source: String,
    /// How far the source was checked.
    pub verified: Verification,
}

/// A lawful stop of a rule's clock (e.g. 中止审查, or the excluded time of
/// testing and hearings in the penalty-decision period): recording
/// `suspend` while the clock runs stops it; recording `resume` starts it
/// again with the time left. The day on which the clock was stopped counts
/// as used; the remaining time counts from the resumption like a fresh
/// start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePause {
    /// The case action that stops the clock, e.g. `suspend-review`.
    pub suspend: String,
    /// The case action that starts it again, e.g. `resume-review`.
    pub resume: String,
    /// Source.
    pub source: String,
    /// How far the source was checked.
    pub verified: Verification,
}

/// One deadline rule (a row of Appendix A).
///
/// For case rules the clock is *running* while the case is in one of `on`,
/// some action of `start` has happened, and no action of `stop` happened at
/// or after the latest start. It started at the latest `start` action and is
/// due `limit` `unit`s later, counted by the chain's [`DayCounting`] and
/// holiday [`Calendar`]. A rule with an empty `start` is dormant: it is kept
/// as seed data but no on-chain event starts it yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    /// Stable id, e.g. `PSB_FILING_DECISION`.
    pub id: String,
    /// What the clock attaches to.
    #[serde(default)]
    pub scope: RuleScope,
    /// Case states in which the clock runs (empty for inspection rules).
    pub on: Vec<CaseState>,
    /// Actions that start (or restart) the clock.
    pub start: Vec<String>,
    /// Actions that stop it while the case stays in `on`.
    #[serde(default)]
    pub stop: Vec<String>,
    /// Only when the starting action recorded this outcome, or one that
    /// narrows it ([`Outcome::is_a`]: a fine is a penalty).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// How many units.
    pub limit: u32,
    /// The unit.
    pub unit: TimeUnit,
    /// What passing the due time means.
    pub kind: ClockKind,
    /// Who must act (`AEA`, `AEA_HEAD`, `PSB`, `PROC`, `COURT`, `PARTY`).
    pub actor: String,
    /// Source (statute and article).
    pub source: String,
    /// How far the source was checked.
    pub verified: Verification,
    /// Sector variants.
    #[serde(default)]
    pub overrides: Vec<RuleOverride>,
    /// The extension the law allows, if any.
    #[serde(default)]
    pub extension: Option<Box<RuleExtension>>,
    /// The stop the law allows, if any (boxed: few rules have one).
    #[serde(default)]
    pub pause: Option<Box<RulePause>>,
}

/// The day-counting convention (DOMAIN §0.3; CPL Art 105). Both are
/// parameters because SC-Transfer does not define how its "3日" is counted
/// (§11 item 1, UNVERIFIED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounting {
    /// The day (for day units) on which the starting event happened is not
    /// counted: a 3-day period starting on the 1st ends with the 4th.
    pub start_day_excluded: bool,
    /// For calendar-day and month units, a last day that is not a working day
    /// moves to the next working day.
    pub holiday_roll_over: bool,
}

impl Default for DayCounting {
    fn default() -> Self {
        DayCounting {
            start_day_excluded: true,
            holiday_roll_over: true,
        }
    }
}

/// The holiday calendar: dates as `yyyymmdd` numbers in China local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Days off that would otherwise be working days, and the weekend days
    /// inside a holiday block (sorted, no repeats).
    pub holidays: Vec<u32>,
    /// Weekend days that are working days (调休), sorted, no repeats.
    pub makeup_workdays: Vec<u32>,
    /// Where the dates come from.
    pub source: String,
}

impl Default for Calendar {
    fn default() -> Self {
        default_calendar()
    }
}

impl Calendar {
    /// The years the calendar covers: those it lists a date of. Every year
    /// has a holiday (元旦), so a year without a date was not transcribed and
    /// its holidays are unknown. Derived from the dates, so a calendar stored
    /// before this was asked answers too.
    pub fn years(&self) -> BTreeSet<u16> {
        self.holidays
            .iter()
            .chain(&self.makeup_workdays)
            .filter_map(|date| u16::try_from(date / 10_000).ok())
            .collect()
    }

    /// Whether the calendar covers every year from `first` to `last`.
    pub fn covers(&self, first: u16, last: u16) -> bool {
        let years = self.years();
        (first..=last).all(|year| years.contains(&year))
    }
}

/// Every day from `first` to `last` inclusive, inside one month.
fn days(month: u32, first: u32, last: u32) -> impl Iterator<Item = u32> {
    (first..=last).map(move |day| month * 100 + day)
}

/// The State Council holiday arrangements for 2025 and 2026, transcribed as
/// defaults. They are data, not law checked by this project: confirm them
/// before production and add later years through a governance `Holidays`
/// change. A clock whose computation reaches a year the calendar does not
/// cover ([`Calendar::years`]) says so (`calendar_incomplete`): later years'
/// holidays are not published in this project's sources, so none are made
/// up here.
pub fn default_calendar() -> Calendar {
    let holidays = [
        // 2025: 元旦; 春节 1/28–2/4; 清明 4/4–6; 劳动节 5/1–5; 端午 5/31–6/2; 国庆·中秋 10/1–8.
        days(202501, 1, 1).collect::<Vec<_>>(),
        days(202501, 28, 31).collect(),
        days(202502, 1, 4).collect(),
        days(202504, 4, 6).collect(),
        days(202505, 1, 5).collect(),
        days(202505, 31, 31).collect(),
        days(202506, 1, 2).collect(),
        days(202510, 1, 8).collect(),
        // 2026: 元旦 1/1–3; 春节 2/15–23; 清明 4/4–6; 劳动节 5/1–5; 端午 6/19–21;
        // 中秋 9/25–27; 国庆 10/1–7.
        days(202601, 1, 3).collect(),
        days(202602, 15, 23).collect(),
        days(202604, 4, 6).collect(),
        days(202605, 1, 5).collect(),
        days(202606, 19, 21).collect(),
        days(202609, 25, 27).collect(),
        days(202610, 1, 7).collect(),
    ]
    .concat();
    let makeup_workdays = vec![
        20250126, 20250208, 20250427, 20250928, 20251011, // 2025
        20260104, 20260214, 20260228, 20260509, 20260920, 20261010, // 2026
    ];
    Calendar {
        holidays,
        makeup_workdays,
        source: "State Council holiday notices for 2025 and 2026 (transcribed; confirm before production)"
            .into(),
    }
}

fn rule(
    id: &str,
    on: &[CaseState],
    start: &[&str],
    stop: &[&str],
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

/// The deadline rules of DOMAIN.md Appendix A, tied to the actions of the
/// case transition table. Where Appendix A names a trigger the chain does not
/// record, the nearest on-chain event is used and the doc comment of the
/// contracts' `deadline` module says so.
pub fn appendix_a_rules() -> Vec<DeadlineRule> {
    use CaseState as S;
    use ClockKind::{Duty, MayIssueAfter, Window};
    use TimeUnit::{CalendarDay, Hour, Month, WorkingDay};
    use Verification::{Primary as P, Secondary as Sec, Unverified as U};
    // A penalty decided before the case turned criminal stays in force
    // (SC-Transfer Art 11 ¶2), and so does the duty to publish it: its clock
    // runs in every open state after the decision until `publish`.
    let publication_pending: Vec<CaseState> = CaseState::ALL
        .iter()
        .copied()
        .filter(|state| !state.is_terminal())
        .filter(|state| !matches!(state, S::S0Lead | S::S1AdminCase | S::R7Published))
        .collect();
    let mut rules = vec![
        rule(
            "AEA_HEAD_DECISION",
            &[S::S4PendingApproval],
            &["submit-report", "resubmit", "suggest-transfer"],
            &[],
            (3, CalendarDay),
            (Duty, "AEA_HEAD"),
            ("SC-Transfer Art 5 ¶2", P),
        ),
        rule(
            "TRANSFER_AFTER_APPROVAL",
            &[S::S5Approved],
            &["approve-transfer"],
            &[],
            (24, Hour),
            (Duty, "AEA"),
            ("SC-Transfer Art 5 ¶2", P),
        ),
        rule(
            "PSB_FORWARD_IF_NOT_COMPETENT",
            &[S::S7Received],
            &["receive"],
            &[],
            (24, Hour),
            (Window, "PSB"),
            ("SC-Transfer Art 7", P),
        ),
        rule(
            "PSB_NOTIFY_MISSING_MATERIALS",
            &[S::S7Received],
            &["receive"],
            &[],
            (24, Hour),
            (Window, "PSB"),
            ("MPS-Rules Art 180 ¶2", P),
        ),
        rule(
            "AEA_SUPPLEMENT_MATERIALS",
            &[S::S7mSupplement],
            &["request-materials"],
            &[],
            (3, CalendarDay),
            (Duty, "AEA"),
            ("MPS-Rules Art 180 ¶2", P),
        ),
        rule(
            "PSB_FILING_DECISION",
            &[S::S7Received],
            &["receive"],
            &[],
            (3, CalendarDay),
            (Duty, "PSB"),
            ("SC-Transfer Art 8; MPS-Rules Art 180 ¶1", P),
        ),
        rule(
            "AEA_HANDOVER_ITEMS",
            &[S::S8Filed, S::S10Investigation],
            &["file", "decide-reconsideration"],
            &["hand-over-items"],
            (3, CalendarDay),
            (Duty, "AEA"),
            ("SC-Transfer Art 12", P),
        ),
        rule(
            "AEA_REQUEST_RECONSIDERATION",
            &[S::S8xNotFiled],
            &["decline-filing"],
            &["request-reconsideration", "request-supervision"],
            (3, CalendarDay),
            (Window, "AEA"),
            ("SC-Transfer Art 9 ¶1; MPS-Rules Art 181", P),
        ),
        rule(
            "PSB_RECONSIDERATION_DECISION",
            &[S::S8rReconsideration],
            &["request-reconsideration"],
            &[],
            (3, CalendarDay),
            (Duty, "PSB"),
            ("SC-Transfer Art 9 ¶2; MPS-Rules Art 181", P),
        ),
        rule(
            "AEA_SUGGEST_SUPERVISION_AFTER_RECON",
            &[S::S8xNotFiled],
            &["decide-reconsideration"],
            &["request-supervision"],
            (3, CalendarDay),
            (Window, "AEA"),
            ("SC-Transfer Art 9 ¶2", P),
        ),
        rule(
            "PSB_EXPLAIN_NON_FILING",
            &[S::S8sFilingSupervision],
            &["demand-reasons"],
            &["explain"],
            (7, CalendarDay),
            (Duty, "PSB"),
            ("SPP-Rules-2019 Art 560; MPS-Rules Art 182 ¶1", P),
        ),
        rule(
            "PROC_INFORM_AEA_REASONS_VALID",
            &[S::S8sFilingSupervision],
            &["explain"],
            &["order-filing"],
            (10, CalendarDay),
            (Duty, "PROC"),
            ("SPP-Rules-2019 Art 561 ¶2", P),
        ),
        rule(
            "PSB_FILE_AFTER_NOTICE",
            &[S::S8sFilingSupervision],
            &["order-filing"],
            &[],
            (15, CalendarDay),
            (Duty, "PSB"),
            ("SPP-Rules-2019 Art 563; MPS-Rules Art 182 ¶2", P),
        ),
        rule(
            "PSB_EXPLAIN_OVERDUE",
            &[S::S8oOverdue],
            &["demand-reasons"],
            &["explain"],
            (7, CalendarDay),
            (Duty, "PSB"),
            ("SPP-Rules-2019 Art 562", P),
        ),
        rule(
            "PROC_URGE_INVESTIGATION",
            &[S::S10Investigation],
            &[crate::case::SUPERVISED_FILING],
            &[],
            (3, Month),
            (MayIssueAfter, "PROC"),
            ("SPP-Rules-2019 Art 564 ¶3", P),
        ),
        rule(
            "PSB_NOTIFY_AEA_CASE_MOVED",
            &[S::S8Filed, S::S9ItemsHandedOver, S::S10Investigation],
            &["move-case"],
            &["notify-move"],
            (3, CalendarDay),
            (Duty, "PSB"),
            ("MPS-Rules Art 184", P),
        ),
        rule(
            "PROC_PROSECUTION_DECISION",
            &[S::S11ProsecutionReview],
            &["refer-for-prosecution"],
            &[],
            (1, Month),
            (Duty, "PROC"),
            // Counted again from each referral: after a supplementary
            // investigation the review time restarts (CPL Art 175 ¶3).
            ("CPL Arts 172, 175 ¶3", P),
        ),
        rule(
            "PSB_SUPPLEMENTARY_INVESTIGATION",
            &[S::S10Investigation],
            &["return-for-investigation"],
            &[],
            (1, Month),
            (Duty, "PSB"),
            ("CPL Art 175 ¶3 (应当在一个月以内补充侦查完毕)", P),
        ),
        rule(
            "COURT_JUDGMENT",
            &[S::S13Trial],
            &["accept-trial"],
            &[],
            (2, Month),
            (Duty, "COURT"),
            ("CPL Art 208", P),
        ),
        rule(
            "REV_INTERNAL_TRANSFER",
            &[S::S12xNotProsecuted],
            &["not-prosecute"],
            &[],
            (3, WorkingDay),
            (Duty, "PROC"),
            ("SPP-Reverse-Guide-2024", Sec),
        ),
        rule(
            "REV_ADMIN_PROSECUTION_REVIEW",
            &[S::R2Review],
            &["register-review"],
            &[],
            (10, WorkingDay),
            (Duty, "PROC"),
            ("SPP-Reverse-Guide-2024 Arts 12–13", Sec),
        ),
        rule(
            "REV_AEA_REPLY",
            &[S::R3Transferred, S::R4AdminCase, S::R5Decided],
            &["reverse-transfer"],
            &["reply"],
            (2, Month),
            (Duty, "AEA"),
            ("SPP-Linkage-2021 (article UNVERIFIED)", Sec),
        ),
        rule(
            "ADMIN_PENALTY_DECISION",
            &[S::S1AdminCase, S::R4AdminCase],
            &["open-admin-case", "accept-reverse"],
            // A procuratorial opinion requiring transfer bars a penalty
            // until the criminal track ends: no penalty is then due.
            &["suggest-transfer"],
            (90, CalendarDay),
            (Duty, "AEA"),
            ("APL Art 60", P),
        ),
        rule(
            "SAMR_PENALTY_PUBLICATION",
            &publication_pending,
            &["penalty-decision"],
            &["publish"],
            (20, WorkingDay),
            (Duty, "AEA"),
            ("SAMR-Penalty-Disclosure Art 9", P),
        ),
    ];
    for entry in &mut rules {
        match entry.id.as_str() {
            "PSB_FILING_DECISION" => entry.overrides.push(RuleOverride {
                id: "food_drug_2015".into(),
                domain: "food_drug".into(),
                limit: 10,
                unit: CalendarDay,
                source: "FoodDrug-2015".into(),
                verified: Sec,
            }),
            "SAMR_PENALTY_PUBLICATION" => {
                entry.outcome = Some(Outcome::Penalty);
                // Only market regulation publishes under this rule: its
                // sectors are the overrides (same limit), and a tax,
                // customs or environment case has no publication clock.
                entry.scope = RuleScope::SectorCase;
                entry.overrides = MARKET_REGULATION_DOMAINS
                    .iter()
                    .map(|domain| RuleOverride {
                        id: format!("samr_{domain}"),
                        domain: (*domain).into(),
                        limit: 20,
                        unit: WorkingDay,
                        source: "SAMR-Penalty-Disclosure Art 9".into(),
                        verified: P,
                    })
                    .collect();
            }
            "PROC_PROSECUTION_DECISION" => {
                entry.extension = Some(Box::new(RuleExtension {
                    action: "extend-prosecution-review".into(),
                    limit: 15,
                    unit: CalendarDay,
                    source: "CPL Art 172 ¶1 (重大、复杂的案件，可以延长十五日)".into(),
                    verified: P,
                }))
            }
            "REV_ADMIN_PROSECUTION_REVIEW" => {
                entry.pause = Some(Box::new(RulePause {
                    suspend: "suspend-review".into(),
                    resume: "resume-review".into(),
                    source: "SPP-Reverse-Guide-2024 Art 13 (中止审查)".into(),
                    verified: Sec,
                }));
                // The chief procurator may extend the review of a major or
                // complex case; the length is not in the sources seen.
                entry.extension = Some(Box::new(RuleExtension {
                    action: "extend-review".into(),
                    limit: 10,
                    unit: WorkingDay,
                    source: "SPP-Reverse-Guide-2024 Arts 14-15 (检察长批准延长; length UNVERIFIED)"
                        .into(),
                    verified: U,
                }));
            }
            "ADMIN_PENALTY_DECISION" => {
                // APL Art 60 lets other law, regulation or rule provide
                // otherwise; the common one is the market regulator's
                // procedure rule: thirty days more with the head's approval,
                // and the time of testing, inspection, quarantine, appraisal
                // (检测、检验、检疫、鉴定) and hearings is not counted.
                entry.extension = Some(Box::new(RuleExtension {
                    action: "extend-penalty-decision".into(),
                    limit: 30,
                    unit: CalendarDay,
                    source: "APL Art 60; SAMR-Penalty-Procedure (经负责人批准可以延长三十日; article UNVERIFIED)"
                        .into(),
                    verified: U,
                }));
                entry.pause = Some(Box::new(RulePause {
                    suspend: "start-excluded-time".into(),
                    resume: "end-excluded-time".into(),
                    source: "SAMR-Penalty-Procedure (检测、检验、检疫、鉴定、听证时间不计入; article UNVERIFIED)"
                        .into(),
                    verified: U,
                }));
            }
            "COURT_JUDGMENT" => {
                entry.extension = Some(Box::new(RuleExtension {
                    action: "extend-trial".into(),
                    limit: 1,
                    unit: Month,
                    source: "CPL Art 208 ¶1 (至迟不得超过三个月)".into(),
                    verified: P,
                }))
            }
            _ => {}
        }
    }
    for (id, limit, unit, source) in [
        ("FOOD_RETEST_OBJECTION", 7, WorkingDay, "FSL Art 88"),
        (
            "PRODUCT_QUALITY_RETEST_OBJECTION",
            15,
            CalendarDay,
            "PQL Art 15",
        ),
    ] {
        rules.push(DeadlineRule {
            scope: RuleScope::InspectionResult,
            ..rule(
                id,
                &[],
                &[],
                &[],
                (limit, unit),
                (Window, "PARTY"),
                (source, P),
            )
        });
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_a_has_every_rule_once_and_the_calendar_is_sorted() {
        let rules = appendix_a_rules();
        assert_eq!(rules.len(), 26);
        let mut ids: Vec<_> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len());
        let calendar = default_calendar();
        assert!(calendar.holidays.windows(2).all(|w| w[0] < w[1]));
        assert!(calendar.makeup_workdays.windows(2).all(|w| w[0] < w[1]));
        assert!(calendar.holidays.contains(&20261007));
        assert_eq!(
            calendar.years().into_iter().collect::<Vec<_>>(),
            [2025, 2026]
        );
        assert!(calendar.covers(2025, 2026));
        assert!(!calendar.covers(2026, 2027));
    }
}
