//! Supervision statistics (DOMAIN §d): counts per owning agency, region and
//! domain, median days per stage, overdue duties and supervision flags,
//! computed from the state at one height. A pure function of a
//! [`StateView`] and that height's block time, so every node and any
//! verifier computes the same [`StatsTable`] and the same digest.
//!
//! # Which cases
//!
//! Every case of every member organisation (`index/org/all`, then each
//! organisation's `index/case/org/<org>`, deduplicated); with a scope `org`,
//! only that organisation's cases (those it is a party to: owner, police,
//! procuratorate or court). A scope `region` or `domain` keeps the cases
//! whose `region` (the owner's division code) or `domain` equals it. Rows
//! are grouped by the owning agency, its region and the case domain, and
//! sorted by them.
//!
//! # What counts
//!
//! A case counts once in a column when the *first* event of the column's
//! kind in its log (`case-event/<id>/<seq>`) falls in the period; a later
//! repetition (a second transfer after a return, say) does not count
//! again, so a year is the sum of its months. The period is `from`–`to`,
//! `yyyymmdd` days in China local time, both inclusive, either open.
//!
//! | column | first event |
//! |---|---|
//! | `opened` | the opening (event 0) |
//! | `suspected` | `mark-suspected` |
//! | `transferred` | `transfer` |
//! | `filed` | `file`, or `decide-reconsideration` with outcome `file` |
//! | `declined` | `decline-filing` |
//! | `supervised` | `request-supervision` (立案监督) or `suggest-transfer` (检察意见) |
//! | `ordered_to_file` | `order-filing` |
//! | `prosecuted` | `indict` |
//! | `judged` | `judgment` |
//! | `flags_raised` | a supervision flag of the case raised in the period |
//! | `flags_resolved` | a supervision flag of the case resolved in the period |
//!
//! # Stages
//!
//! A stage runs from the first event of its start to the first event of its
//! end at or after it ([`STAGES`]). Its duration is in whole calendar days,
//! China local time, the start day excluded (an end on the start day is 0).
//! A case counts in the period in which its stage ended. The median of an
//! even count is the **lower** of the two middle values, so it is always a
//! duration some case actually took; with no case it is `None`.
//!
//! # Overdue
//!
//! The duties overdue at the height's block time (`deadline::case_clocks`
//! under the parameters at that height), by the party that must act, the
//! organisation holding that party's role in the case (when one is bound)
//! and the rule. A snapshot at the height: the period does not apply.

use std::collections::{BTreeMap, BTreeSet};

use xianjie_ledger::case::{Case, CaseEvent, Outcome};
use xianjie_ledger::ids::{CaseId, OrgId};
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::stats::{
    OverdueCount, StageDays, StatsRow, StatsScope, StatsTable, MAX_SCOPE_DOMAIN_LEN,
};
use xianjie_ledger::supervision::SupervisionFlag;

use crate::deadline;
use crate::error::{ContractError, Result};
use crate::{index, read};

/// The stages whose median days the table gives, in table order: name,
/// start events, end events.
pub const STAGES: [(&str, Event, Event); 5] = [
    ("opened-suspected", Event::Opened, Event::Suspected),
    (
        "suspected-transferred",
        Event::Suspected,
        Event::Transferred,
    ),
    (
        "transferred-filing-decision",
        Event::Transferred,
        Event::FilingDecision,
    ),
    (
        "filed-prosecution-decision",
        Event::Filed,
        Event::ProsecutionDecision,
    ),
    ("indicted-judged", Event::Prosecuted, Event::Judged),
];

/// The kinds of case event the table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// The opening.
    Opened,
    /// `mark-suspected`.
    Suspected,
    /// `transfer`.
    Transferred,
    /// `file`, or reconsideration decided as `file`.
    Filed,
    /// `decline-filing`.
    Declined,
    /// `request-supervision` or `suggest-transfer`.
    Supervised,
    /// `order-filing`.
    OrderedToFile,
    /// `indict`.
    Prosecuted,
    /// `judgment`.
    Judged,
    /// A filing decision either way (`Filed` or `Declined`).
    FilingDecision,
    /// A prosecution decision either way: `indict` or `not-prosecute`.
    ProsecutionDecision,
}

impl Event {
    /// Whether `event` is of this kind.
    pub fn matches(self, event: &CaseEvent) -> bool {
        let action = event.action.as_str();
        match self {
            Event::Opened => event.seq == 0,
            Event::Suspected => action == "mark-suspected",
            Event::Transferred => action == "transfer",
            Event::Filed => {
                action == "file"
                    || (action == "decide-reconsideration" && event.outcome == Some(Outcome::File))
            }
            Event::Declined => action == "decline-filing",
            Event::Supervised => action == "request-supervision" || action == "suggest-transfer",
            Event::OrderedToFile => action == "order-filing",
            Event::Prosecuted => action == "indict",
            Event::Judged => action == "judgment",
            Event::FilingDecision => Event::Filed.matches(event) || Event::Declined.matches(event),
            Event::ProsecutionDecision => action == "indict" || action == "not-prosecute",
        }
    }
}

/// Checks a scope's fields (`invalid_field`): a region of six digits, a
/// domain of at most 32 characters of `a-z 0-9 _`, real dates with `from`
/// not after `to`.
pub fn check_scope(scope: &StatsScope) -> Result<()> {
    let invalid = |field: &'static str, limit: &str| ContractError::InvalidField {
        field,
        limit: limit.to_owned(),
    };
    if let Some(region) = &scope.region {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("scope.region", "a six-digit division code"));
        }
    }
    if let Some(domain) = &scope.domain {
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if domain.is_empty() || domain.len() > MAX_SCOPE_DOMAIN_LEN || !domain.bytes().all(allowed)
        {
            return Err(invalid(
                "scope.domain",
                "1-32 characters of a-z, 0-9 and _ (a case domain such as food_drug)",
            ));
        }
    }
    for (field, date) in [("scope.from", scope.from), ("scope.to", scope.to)] {
        if date.is_some_and(|date| !deadline::is_valid_date(date)) {
            return Err(invalid(field, "a real date written yyyymmdd"));
        }
    }
    if let (Some(from), Some(to)) = (scope.from, scope.to) {
        if from > to {
            return Err(invalid("scope.to", "on or after scope.from"));
        }
    }
    Ok(())
}

/// The ids of the cases of the scope's organisations, sorted, without
/// repeats (before the region and domain filters, which need the record).
fn candidate_cases(view: &dyn StateView, scope: &StatsScope) -> Result<BTreeSet<CaseId>> {
    let orgs = match &scope.org {
        Some(org) => vec![org.clone()],
        None => read::orgs(view)?,
    };
    let mut ids = BTreeSet::new();
    for org in &orgs {
        ids.extend(read::cases_of_org(view, org)?);
    }
    Ok(ids)
}

/// Whether a case belongs to the scope's region and domain.
fn in_scope(case: &Case, scope: &StatsScope) -> bool {
    scope.region.as_ref().is_none_or(|r| *r == case.region)
        && scope.domain.as_ref().is_none_or(|d| *d == case.domain)
}

/// The period's bounds as local day numbers (inclusive).
struct Period {
    first: Option<i64>,
    last: Option<i64>,
}

impl Period {
    fn of(scope: &StatsScope) -> Period {
        Period {
            first: scope.from.and_then(deadline::day_number),
            last: scope.to.and_then(deadline::day_number),
        }
    }

    fn holds(&self, time_ms: u64) -> bool {
        let day = deadline::local_day(time_ms);
        self.first.is_none_or(|first| first <= day) && self.last.is_none_or(|last| day <= last)
    }
}

/// The first event of a kind, if any.
fn first(events: &[CaseEvent], kind: Event) -> Option<&CaseEvent> {
    events.iter().find(|event| kind.matches(event))
}

/// The lower median of `values` (sorted here).
pub fn lower_median(values: &mut [u64]) -> Option<u64> {
    values.sort_unstable();
    match values.len() {
        0 => None,
        n => values.get((n - 1) / 2).copied(),
    }
}

/// Whole calendar days from `start_ms` to `end_ms`, China local time, the
/// start day excluded.
pub fn days_between(start_ms: u64, end_ms: u64) -> u64 {
    let days = deadline::local_day(end_ms) - deadline::local_day(start_ms);
    u64::try_from(days).unwrap_or(0)
}

type RowKey = (OrgId, String, String);

fn row_of<'a>(rows: &'a mut BTreeMap<RowKey, StatsRow>, case: &Case) -> &'a mut StatsRow {
    rows.entry((case.owner.clone(), case.region.clone(), case.domain.clone()))
        .or_insert_with(|| {
            StatsRow::new(case.owner.clone(), case.region.clone(), case.domain.clone())
        })
}

fn count_events(row: &mut StatsRow, events: &[CaseEvent], period: &Period) {
    let columns: [(Event, &mut u64); 9] = [
        (Event::Opened, &mut row.opened),
        (Event::Suspected, &mut row.suspected),
        (Event::Transferred, &mut row.transferred),
        (Event::Filed, &mut row.filed),
        (Event::Declined, &mut row.declined),
        (Event::Supervised, &mut row.supervised),
        (Event::OrderedToFile, &mut row.ordered_to_file),
        (Event::Prosecuted, &mut row.prosecuted),
        (Event::Judged, &mut row.judged),
    ];
    for (kind, column) in columns {
        if first(events, kind).is_some_and(|event| period.holds(event.time_ms)) {
            *column += 1;
        }
    }
}

fn stage_durations(events: &[CaseEvent], period: &Period, into: &mut [Vec<u64>]) {
    for ((_, start, end), durations) in STAGES.iter().zip(into.iter_mut()) {
        let Some(started) = first(events, *start) else {
            continue;
        };
        let ended = events
            .iter()
            .find(|event| event.seq >= started.seq && end.matches(event));
        if let Some(ended) = ended.filter(|ended| period.holds(ended.time_ms)) {
            durations.push(days_between(started.time_ms, ended.time_ms));
        }
    }
}

/// The organisation holding a clock's party in the case.
fn party_org(case: &Case, actor: &str) -> Option<OrgId> {
    match actor {
        "AEA" | "AEA_HEAD" => Some(case.owner.clone()),
        "PSB" => case.police.clone(),
        "PROC" => case.procuratorate.clone(),
        "COURT" => case.court.clone(),
        _ => None,
    }
}

fn count_flags(
    view: &dyn StateView,
    cases: &BTreeMap<CaseId, Case>,
    period: &Period,
    rows: &mut BTreeMap<RowKey, StatsRow>,
) -> Result<()> {
    for entry in index::text_entries(view, keys::index::FLAGS)? {
        let Some((case_id, kind)) = entry.rsplit_once('/') else {
            continue;
        };
        let Some(case) = cases.get(case_id) else {
            continue;
        };
        let Some(flag) = read::record::<SupervisionFlag>(view, &keys::flag(&case.id, kind))? else {
            continue;
        };
        let row = row_of(rows, case);
        if period.holds(flag.raised_at_ms) {
            row.flags_raised += 1;
        }
        if flag.resolved_at_ms.is_some_and(|at| period.holds(at)) {
            row.flags_resolved += 1;
        }
    }
    Ok(())
}

/// The statistics of `scope` in `view`, the state after block `height`
/// whose time is `at_ms`. `invalid_field` for a bad scope.
pub fn compute(
    view: &dyn StateView,
    scope: &StatsScope,
    height: u64,
    at_ms: u64,
) -> Result<StatsTable> {
    check_scope(scope)?;
    let params = read::params_shared(view)?;
    let period = Period::of(scope);
    let mut cases = BTreeMap::new();
    for id in candidate_cases(view, scope)? {
        if let Some(case) = read::case(view, &id)?.filter(|case| in_scope(case, scope)) {
            cases.insert(id, case);
        }
    }
    let mut rows = BTreeMap::new();
    let mut durations = vec![Vec::new(); STAGES.len()];
    let mut overdue: BTreeMap<(Option<OrgId>, String, String), u64> = BTreeMap::new();
    for (id, case) in &cases {
        let events = read::case_events(view, id)?;
        count_events(row_of(&mut rows, case), &events, &period);
        stage_durations(&events, &period, &mut durations);
        for clock in deadline::case_clocks(&params, case, at_ms) {
            if clock.overdue {
                let key = (party_org(case, &clock.actor), clock.actor, clock.rule);
                *overdue.entry(key).or_default() += 1;
            }
        }
    }
    count_flags(view, &cases, &period, &mut rows)?;
    let stage_days = STAGES
        .iter()
        .zip(durations.iter_mut())
        .map(|((stage, _, _), values)| StageDays {
            stage: (*stage).to_owned(),
            cases: values.len() as u64,
            median_days: lower_median(values),
        })
        .collect();
    Ok(StatsTable {
        height,
        at_ms,
        scope: scope.clone(),
        rows: rows.into_values().collect(),
        stage_days,
        overdue: overdue
            .into_iter()
            .map(|((org, party, rule), count)| OverdueCount {
                org,
                party,
                rule,
                count,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: u64 = 86_400_000;

    #[test]
    fn lower_median_of_odd_even_and_none() {
        assert_eq!(lower_median(&mut []), None);
        assert_eq!(lower_median(&mut [5]), Some(5));
        assert_eq!(lower_median(&mut [9, 1, 4]), Some(4));
        assert_eq!(lower_median(&mut [10, 2, 8, 4]), Some(4));
    }

    #[test]
    fn days_count_local_calendar_days_start_excluded() {
        // 2026-01-01 23:00 and 2026-01-02 01:00 China time are one day apart.
        let late = 1_767_279_600_000; // 2026-01-01T15:00Z = 23:00 local
        assert_eq!(days_between(late, late + 2 * 3_600_000), 1);
        assert_eq!(days_between(late, late + 30 * 60_000), 0);
        assert_eq!(days_between(late, late + 3 * DAY_MS), 3);
    }

    #[test]
    fn scope_checks() {
        assert!(check_scope(&StatsScope::default()).is_ok());
        let bad = [
            StatsScope {
                region: Some("33".into()),
                ..StatsScope::default()
            },
            StatsScope {
                domain: Some("Food Drug".into()),
                ..StatsScope::default()
            },
            StatsScope {
                from: Some(20260231),
                ..StatsScope::default()
            },
            StatsScope {
                from: Some(20260301),
                to: Some(20260201),
                ..StatsScope::default()
            },
        ];
        for scope in bad {
            assert_eq!(check_scope(&scope).unwrap_err().code(), "invalid_field");
        }
    }
}
