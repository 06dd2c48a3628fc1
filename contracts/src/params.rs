//! Validation of the chain parameters, shared by genesis and governance so
//! that a parameter changed by a proposal is checked exactly like one set in
//! genesis.

use std::collections::BTreeSet;
use xianjie_ledger::clue::ClueAction;
use xianjie_ledger::request::{RequestKind, ANSWER};

use xianjie_ledger::case::{MAX_DOMAIN_LEN, MAX_TASKFORCE};
use xianjie_ledger::codec::{encode, Canonical};
use xianjie_ledger::deadline::{
    Calendar, ClockKind, DeadlineRule, RuleExtension, RulePause, RuleScope, TimeUnit,
    MAX_CALENDAR_DATES, MAX_DEADLINE_RULES, MAX_RULE_ID_LEN, MAX_RULE_OVERRIDES,
};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::inspection::MAX_INSPECTORS;
use xianjie_ledger::model::{EvidenceCategory, MAX_COLLECTORS, MAX_SHORT_TEXT_LEN};
use xianjie_ledger::params::Params;

use crate::case;
use crate::deadline::{is_valid_date, MAX_LIMIT};
use crate::evidence::MAX_CUSTODY_EVENTS_LIMIT;
use crate::policy;
use crate::uscc::{self, UsccError};

/// Most case domains.
pub const MAX_DOMAINS: usize = 32;
/// Most extra attachments per domain and action, and most extra transfer targets.
pub const MAX_PARAM_LIST: usize = 256;
/// Most codes on the USCC allow-list.
pub const MAX_USCC_ALLOW_LIST: usize = 1024;

type Check = std::result::Result<(), String>;

/// Parameters under which every rule can be met and every record read back.
/// `orgs` are the member organisations the parameters may name.
pub fn validate(params: &Params, orgs: &BTreeSet<OrgId>) -> Check {
    check_evidence(params)?;
    check_cases(params, orgs)?;
    check_deadlines(&params.deadlines, &params.cases.domains)?;
    check_calendar(&params.calendar)?;
    let inspectors = params.inspections.min_inspectors;
    if !(1..=MAX_INSPECTORS).contains(&usize::from(inspectors)) {
        return Err(format!(
            "inspections.min_inspectors must be 1-{MAX_INSPECTORS}"
        ));
    }
    check_governance(params, orgs)?;
    check_uscc_allow_list(&params.uscc_allow_list)?;
    policy::validate_policy_set(&params.policy_set)
        .map_err(|reason| format!("policy_set {reason}"))?;
    // Parameters that could not be read back would stop every later block.
    let size = encode(params).len();
    if size > Params::MAX_ENCODED_LEN {
        return Err(format!(
            "the parameters encode to {size} bytes, more than the limit of {}",
            Params::MAX_ENCODED_LEN
        ));
    }
    Ok(())
}

/// Each entry is a code whose one fault is its check character, written
/// normalised, in strictly ascending order: a valid code needs no entry,
/// and a malformed one was never issued.
fn check_uscc_allow_list(list: &[String]) -> Check {
    if list.len() > MAX_USCC_ALLOW_LIST {
        return Err(format!(
            "uscc_allow_list has {} codes, more than {MAX_USCC_ALLOW_LIST}",
            list.len()
        ));
    }
    for entry in list {
        if uscc::normalize(entry) != *entry {
            return Err(format!(
                "uscc_allow_list: write {entry:?} normalised, as {:?}",
                uscc::normalize(entry)
            ));
        }
        match uscc::validate(entry) {
            Err(UsccError::Checksum { .. }) => {}
            Ok(_) => {
                return Err(format!(
                    "uscc_allow_list: {entry} is a valid code and needs no entry"
                ))
            }
            Err(error) => return Err(format!("uscc_allow_list: {entry}: {error}")),
        }
    }
    if !list.windows(2).all(|pair| pair[0] < pair[1]) {
        return Err("uscc_allow_list must be in ascending order without repeats".into());
    }
    Ok(())
}

fn check_evidence(params: &Params) -> Check {
    for category in EvidenceCategory::ALL {
        let entries = params
            .category_classes
            .iter()
            .filter(|entry| entry.category == category)
            .count();
        if entries != 1 {
            return Err(format!(
                "category_classes must give category {category:?} exactly one class, found {entries}"
            ));
        }
    }
    if usize::from(params.min_collectors) > MAX_COLLECTORS {
        return Err(format!(
            "min_collectors is {} but an anchor names at most {MAX_COLLECTORS} collectors",
            params.min_collectors
        ));
    }
    if !(1..=MAX_CUSTODY_EVENTS_LIMIT).contains(&params.max_custody_events) {
        return Err(format!(
            "max_custody_events must be 1-{MAX_CUSTODY_EVENTS_LIMIT} so a full record still fits its size limit"
        ));
    }
    if params.max_tx_validity_blocks == 0 {
        return Err("max_tx_validity_blocks must be at least 1".into());
    }
    Ok(())
}

fn is_key(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_cases(params: &Params, orgs: &BTreeSet<OrgId>) -> Check {
    let cases = &params.cases;
    if !(2..=MAX_TASKFORCE).contains(&usize::from(cases.min_taskforce)) {
        return Err(format!(
            "cases.min_taskforce must be 2-{MAX_TASKFORCE} (SC-Transfer Art 5: two or more)"
        ));
    }
    let domains: BTreeSet<_> = cases.domains.iter().collect();
    if cases.domains.is_empty()
        || cases.domains.len() > MAX_DOMAINS
        || domains.len() != cases.domains.len()
        || !cases.domains.iter().all(|d| is_key(d, MAX_DOMAIN_LEN))
    {
        return Err(format!(
            "cases.domains must be 1-{MAX_DOMAINS} distinct keys of a-z, 0-9 and _"
        ));
    }
    if cases.domain_attachments.len() > MAX_PARAM_LIST {
        return Err(format!(
            "cases.domain_attachments has more than {MAX_PARAM_LIST} entries"
        ));
    }
    for entry in &cases.domain_attachments {
        if !cases.domains.contains(&entry.domain) || case::transition(&entry.action).is_none() {
            return Err(format!(
                "cases.domain_attachments names domain {:?} and action {:?}; both must exist",
                entry.domain, entry.action
            ));
        }
    }
    if cases.transfer_targets.len() > MAX_PARAM_LIST {
        return Err(format!(
            "cases.transfer_targets has more than {MAX_PARAM_LIST} entries"
        ));
    }
    for target in &cases.transfer_targets {
        if !orgs.contains(&target.agency) || !orgs.contains(&target.police) {
            return Err(format!(
                "cases.transfer_targets names {} → {}; both must be member organisations",
                target.agency, target.police
            ));
        }
    }
    Ok(())
}

fn limit_ok(limit: u32, unit: TimeUnit) -> bool {
    let max = match unit {
        TimeUnit::Month => 120,
        _ => MAX_LIMIT,
    };
    (1..=max).contains(&limit)
}

fn is_rule_id(text: &str) -> bool {
    (1..=MAX_RULE_ID_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn check_text(field: &str, text: &str) -> Check {
    if text.len() > MAX_SHORT_TEXT_LEN || text.chars().any(char::is_control) {
        return Err(format!(
            "{field} must be at most {MAX_SHORT_TEXT_LEN} bytes without control characters"
        ));
    }
    Ok(())
}

/// The deadline rules.
pub fn check_deadlines(rules: &[DeadlineRule], domains: &[String]) -> Check {
    if rules.len() > MAX_DEADLINE_RULES {
        return Err(format!(
            "deadlines has more than {MAX_DEADLINE_RULES} rules"
        ));
    }
    let mut ids = BTreeSet::new();
    let mut request_kinds = BTreeSet::new();
    for rule in rules {
        let at = |what: &str| format!("deadline rule {:?}: {what}", rule.id);
        if !is_rule_id(&rule.id) || !ids.insert(rule.id.as_str()) {
            return Err(at(&format!(
                "ids are unique, 1-{MAX_RULE_ID_LEN} characters of A-Z, 0-9 and _"
            )));
        }
        if !limit_ok(rule.limit, rule.unit) {
            return Err(at(&format!("limit must be 1-{MAX_LIMIT} (1-120 months)")));
        }
        match rule.scope {
            RuleScope::Case => {
                if rule.on.is_empty() {
                    return Err(at("a case rule names the states it runs in"));
                }
            }
            RuleScope::SectorCase => {
                if rule.on.is_empty() || rule.overrides.is_empty() {
                    return Err(at(
                        "a sector rule names the states it runs in and, as overrides, its sectors",
                    ));
                }
            }
            RuleScope::InspectionResult => {
                if !rule.on.is_empty() || !rule.start.is_empty() || !rule.stop.is_empty() {
                    return Err(at("an inspection-result rule names no states or actions"));
                }
            }
            RuleScope::Clue => {
                if !rule.on.is_empty() || rule.start.is_empty() {
                    return Err(at(
                        "a clue rule names no states and at least one start action",
                    ));
                }
            }
            RuleScope::Request => {
                let kinds = rule.start.iter().all(|a| a.parse::<RequestKind>().is_ok());
                // The clock of a request has none of a case clock's
                // refinements: `request_clocks` would ignore them.
                let plain = rule.outcome.is_none()
                    && rule.overrides.is_empty()
                    && rule.extension.is_none()
                    && rule.pause.is_none()
                    && rule.kind == ClockKind::Duty;
                let taken = rule
                    .start
                    .iter()
                    .any(|kind| !request_kinds.insert(kind.as_str()));
                if !rule.on.is_empty()
                    || rule.start.is_empty()
                    || !kinds
                    || rule.stop != [ANSWER]
                    || !plain
                    || taken
                {
                    return Err(at(
                        "a request rule is a duty with no states, outcome, overrides, extension or pause, starts at request kinds no other request rule names, and stops at answer",
                    ));
                }
            }
            RuleScope::Draw => {
                let plain = rule.on.is_empty()
                    && rule.stop.is_empty()
                    && rule.outcome.is_none()
                    && rule.overrides.is_empty()
                    && rule.extension.is_none()
                    && rule.pause.is_none()
                    && rule.kind == ClockKind::Duty;
                let known = xianjie_ledger::random_draw::deadline_rules()
                    .into_iter()
                    .any(|default| default.id == rule.id && default.start == rule.start);
                if !plain || !known {
                    return Err(at(
                        "a draw rule is one of DRAW_COMMIT (plan), DRAW_REVEAL (seed), DRAW_RESULT (drawn) and DRAW_SNAPSHOT_AGE (snapshot), with its start event, a duty with no states, stop, outcome, overrides, extension or pause",
                    ));
                }
            }
        }
        let actions = rule.start.iter().chain(&rule.stop);
        if matches!(rule.scope, RuleScope::Request | RuleScope::Draw) {
            // Its actions were checked above.
        } else if rule.scope == RuleScope::Clue {
            if let Some(unknown) = actions.clone().find(|a| a.parse::<ClueAction>().is_err()) {
                return Err(at(&format!("{unknown:?} is not a clue action")));
            }
        } else if let Some(unknown) = actions.clone().find(|a| !case::table::is_action(a)) {
            return Err(at(&format!("{unknown:?} is not a case action")));
        }
        if rule.start.len() + rule.stop.len() > 32 {
            return Err(at("at most 32 start and stop actions"));
        }
        check_text("actor", &rule.actor).map_err(|e| at(&e))?;
        check_text("source", &rule.source).map_err(|e| at(&e))?;
        if let Some(extension) = &rule.extension {
            check_extension(rule, extension).map_err(|e| at(&e))?;
        }
        if let Some(pause) = &rule.pause {
            check_pause(rule, pause).map_err(|e| at(&e))?;
        }
        if rule.overrides.len() > MAX_RULE_OVERRIDES {
            return Err(at(&format!("at most {MAX_RULE_OVERRIDES} overrides")));
        }
        let mut override_domains = BTreeSet::new();
        for entry in &rule.overrides {
            if !domains.contains(&entry.domain) || !override_domains.insert(&entry.domain) {
                return Err(at(&format!(
                    "override {:?} must name a distinct case domain",
                    entry.id
                )));
            }
            if !is_key(&entry.id, MAX_RULE_ID_LEN) || !limit_ok(entry.limit, entry.unit) {
                return Err(at(&format!("override {:?} is malformed", entry.id)));
            }
            check_text("override source", &entry.source).map_err(|e| at(&e))?;
        }
    }
    Ok(())
}

/// A rule's extension: a case rule, granted by an action of the case table
/// that extends exactly this rule.
fn check_extension(rule: &DeadlineRule, extension: &RuleExtension) -> Check {
    if !rule.scope.is_case() || rule.kind != ClockKind::Duty {
        return Err("only a duty on a case can be extended".into());
    }
    if case::table::extended_rule(&extension.action) != Some(rule.id.as_str()) {
        return Err(format!(
            "extension action {:?} is not the case action that extends this rule",
            extension.action
        ));
    }
    if !limit_ok(extension.limit, extension.unit) {
        return Err(format!(
            "extension limit must be 1-{MAX_LIMIT} (1-120 months)"
        ));
    }
    check_text("extension source", &extension.source)
}

/// A rule's stop: a case duty counted in days, stopped by an action that
/// either leaves every state the clock runs in (中止审查) or stays in them
/// (the start of excluded testing time), and resumed by one that returns to
/// them or stays in them. An extension beside it must be in the clock's own
/// unit, so that the time used before a stop and the extra time add up.
fn check_pause(rule: &DeadlineRule, pause: &RulePause) -> Check {
    if !rule.scope.is_case() || rule.kind != ClockKind::Duty {
        return Err("only a duty on a case can be stopped".into());
    }
    let units = std::iter::once(rule.unit).chain(rule.overrides.iter().map(|o| o.unit));
    let units: Vec<TimeUnit> = units.collect();
    if !units
        .iter()
        .all(|unit| matches!(unit, TimeUnit::CalendarDay | TimeUnit::WorkingDay))
    {
        return Err("only a clock counted in calendar or working days can be stopped".into());
    }
    if let Some(extension) = &rule.extension {
        if !units.iter().all(|unit| *unit == extension.unit) {
            return Err("a clock that can be stopped is extended only in its own unit".into());
        }
    }
    let ends_in = |action: &str, inside: bool| {
        case::table::transition(action).is_some_and(|row| {
            row.from.iter().all(|from| {
                row.next_state(*from, None)
                    .is_some_and(|to| rule.on.contains(&to) == inside)
            })
        })
    };
    let stays = |action: &str| {
        case::table::transition(action).is_some_and(|row| row.to == case::Next::Stay)
    };
    let stops = case::table::transition(&pause.suspend)
        .is_some_and(|row| row.from.iter().all(|from| rule.on.contains(from)));
    if !stops || !(ends_in(&pause.suspend, false) || stays(&pause.suspend)) {
        return Err(format!(
            "stop action {:?} must be a case action that leaves the states the clock runs in, or stays in them",
            pause.suspend
        ));
    }
    if !ends_in(&pause.resume, true) {
        return Err(format!(
            "resume action {:?} must be a case action that returns to the states the clock runs in",
            pause.resume
        ));
    }
    check_text("stop source", &pause.source)
}

/// The holiday calendar.
pub fn check_calendar(calendar: &Calendar) -> Check {
    for (name, dates) in [
        ("holidays", &calendar.holidays),
        ("makeup_workdays", &calendar.makeup_workdays),
    ] {
        if dates.len() > MAX_CALENDAR_DATES {
            return Err(format!(
                "calendar.{name} has more than {MAX_CALENDAR_DATES} dates"
            ));
        }
        if !dates.iter().all(|d| is_valid_date(*d)) || !dates.windows(2).all(|w| w[0] < w[1]) {
            return Err(format!(
                "calendar.{name} must be real yyyymmdd dates in increasing order"
            ));
        }
    }
    if let Some(both) = calendar
        .makeup_workdays
        .iter()
        .find(|d| calendar.holidays.binary_search(d).is_ok())
    {
        return Err(format!(
            "calendar: {both} is both a holiday and a make-up working day"
        ));
    }
    check_text("calendar.source", &calendar.source)
}

fn check_governance(params: &Params, orgs: &BTreeSet<OrgId>) -> Check {
    let governance = &params.governance;
    let voters: BTreeSet<_> = governance.voters.iter().collect();
    if voters.len() != governance.voters.len() {
        return Err("governance.voters names an organisation twice".into());
    }
    if let Some(unknown) = governance.voters.iter().find(|v| !orgs.contains(*v)) {
        return Err(format!(
            "governance.voters names {unknown}, which is not a member"
        ));
    }
    let n = if governance.voters.is_empty() {
        orgs.len()
    } else {
        governance.voters.len()
    };
    if usize::from(governance.threshold) > n {
        return Err(format!(
            "governance.threshold {} is more than the {n} voting organisations",
            governance.threshold
        ));
    }
    if governance.proposal_ttl_blocks == 0 {
        return Err("governance.proposal_ttl_blocks must be at least 1".into());
    }
    Ok(())
}
