//! Statutory clocks (DOMAIN §0.3, Appendix A): the four units, the start-day
//! rule, holiday roll-over, working days across 国庆 with a make-up
//! Saturday, months, sector overrides, and overdue detection at a later
//! block time.

use xianjie_contracts::deadline::{
    case_clocks, day_number, due_at, end_of_day_ms, local_date, Clock,
};
use xianjie_contracts::read;
use xianjie_ledger::deadline::{Calendar, ClockKind, DayCounting, TimeUnit};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::tx::Call;

use crate::expect::{call_for, drive, expectation, open_case, perform};
use crate::sim::{self, local_ms, Sim, DAY_MS, HOUR_MS};

/// 国庆 2026: 1–7 October off, Sunday 20 September and Saturday 10 October
/// worked (the test's own calendar, independent of the defaults).
fn national_day() -> Calendar {
    Calendar {
        holidays: (20261001..=20261007).collect(),
        makeup_workdays: vec![20260920, 20261010],
        source: "test".into(),
    }
}

fn empty() -> Calendar {
    Calendar {
        holidays: Vec::new(),
        makeup_workdays: Vec::new(),
        source: "test".into(),
    }
}

const EXCLUDED: DayCounting = DayCounting {
    start_day_excluded: true,
    holiday_roll_over: true,
};
const INCLUDED: DayCounting = DayCounting {
    start_day_excluded: false,
    holiday_roll_over: true,
};
const NO_ROLL: DayCounting = DayCounting {
    start_day_excluded: true,
    holiday_roll_over: false,
};

/// The last millisecond of a local date.
fn end_of(date: u32) -> u64 {
    end_of_day_ms(day_number(date).unwrap())
}

#[test]
fn hours_count_from_the_timestamp() {
    let start = local_ms(20260601, 12, 30);
    assert_eq!(
        due_at(&empty(), &EXCLUDED, TimeUnit::Hour, 24, start),
        start + 24 * HOUR_MS
    );
    // Hours do not roll over holidays: 24 hours from the eve of 国庆.
    let eve = local_ms(20260930, 20, 0);
    assert_eq!(
        due_at(&national_day(), &EXCLUDED, TimeUnit::Hour, 24, eve),
        eve + 24 * HOUR_MS
    );
}

#[test]
fn calendar_days_exclude_the_start_day_unless_the_convention_says_otherwise() {
    let monday_noon = local_ms(20260601, 12, 0);
    assert_eq!(
        due_at(&empty(), &EXCLUDED, TimeUnit::CalendarDay, 3, monday_noon),
        end_of(20260604)
    );
    assert_eq!(
        due_at(&empty(), &INCLUDED, TimeUnit::CalendarDay, 3, monday_noon),
        end_of(20260603)
    );
    // Late in the evening is still the same local day (UTC+8).
    let late = local_ms(20260601, 23, 59);
    assert_eq!(local_date(late), 20260601);
    assert_eq!(
        due_at(&empty(), &EXCLUDED, TimeUnit::CalendarDay, 3, late),
        end_of(20260604)
    );
}

#[test]
fn a_last_day_that_is_not_a_working_day_rolls_over() {
    // Wednesday + 3 = Saturday → Monday.
    let wednesday = local_ms(20260603, 9, 0);
    assert_eq!(
        due_at(&empty(), &EXCLUDED, TimeUnit::CalendarDay, 3, wednesday),
        end_of(20260608)
    );
    assert_eq!(
        due_at(&empty(), &NO_ROLL, TimeUnit::CalendarDay, 3, wednesday),
        end_of(20260606)
    );
    // Monday 28 September + 3 = 1 October (国庆) → Thursday 8 October.
    let monday = local_ms(20260928, 10, 0);
    assert_eq!(
        due_at(&national_day(), &EXCLUDED, TimeUnit::CalendarDay, 3, monday),
        end_of(20261008)
    );
    assert_eq!(
        due_at(&national_day(), &NO_ROLL, TimeUnit::CalendarDay, 3, monday),
        end_of(20261001)
    );
}

#[test]
fn working_days_skip_national_day_and_count_the_make_up_saturday() {
    // From Wednesday 30 September: 8, 9, 10 (make-up Saturday), 12, 13 October.
    let start = local_ms(20260930, 15, 0);
    assert_eq!(
        due_at(&national_day(), &EXCLUDED, TimeUnit::WorkingDay, 5, start),
        end_of(20261013)
    );
    // Counting the start day: 30 September, 8, 9, 10, 12 October.
    assert_eq!(
        due_at(&national_day(), &INCLUDED, TimeUnit::WorkingDay, 5, start),
        end_of(20261012)
    );
    // Without the holiday calendar: 1, 2, 5, 6, 7 October.
    assert_eq!(
        due_at(&empty(), &EXCLUDED, TimeUnit::WorkingDay, 5, start),
        end_of(20261007)
    );
    // A make-up Sunday counts: from Friday 18 September, 20 (Sun), 21, 22.
    assert_eq!(
        due_at(
            &national_day(),
            &EXCLUDED,
            TimeUnit::WorkingDay,
            3,
            local_ms(20260918, 9, 0)
        ),
        end_of(20260922)
    );
}

#[test]
fn months_end_on_the_same_day_number_or_the_end_of_a_shorter_month() {
    let counting = NO_ROLL;
    assert_eq!(
        due_at(
            &empty(),
            &counting,
            TimeUnit::Month,
            2,
            local_ms(20260315, 9, 0)
        ),
        end_of(20260515)
    );
    assert_eq!(
        due_at(
            &empty(),
            &counting,
            TimeUnit::Month,
            1,
            local_ms(20260131, 9, 0)
        ),
        end_of(20260228)
    );
    assert_eq!(
        due_at(
            &empty(),
            &counting,
            TimeUnit::Month,
            1,
            local_ms(20240131, 9, 0)
        ),
        end_of(20240229)
    );
    assert_eq!(
        due_at(
            &empty(),
            &counting,
            TimeUnit::Month,
            12,
            local_ms(20261130, 9, 0)
        ),
        end_of(20271130)
    );
    // 28 February 2026 is a Saturday: rolled over to Monday 2 March.
    assert_eq!(
        due_at(
            &empty(),
            &EXCLUDED,
            TimeUnit::Month,
            1,
            local_ms(20260131, 9, 0)
        ),
        end_of(20260302)
    );
    // Counting the start day ends a day earlier.
    assert_eq!(
        due_at(
            &empty(),
            &INCLUDED,
            TimeUnit::Month,
            2,
            local_ms(20260315, 9, 0)
        ),
        end_of(20260514)
    );
}

#[test]
fn a_month_from_the_last_day_of_a_month_ends_on_the_last_day_of_the_target_month() {
    // Month-end rule: from a month's last day, n months end on the target
    // month's last day; from any other day, on the same day number (or the
    // end of a shorter month).
    let month = |start: u32, months: u32| {
        due_at(
            &empty(),
            &NO_ROLL,
            TimeUnit::Month,
            months,
            local_ms(start, 9, 0),
        )
    };
    assert_eq!(month(20260131, 1), end_of(20260228));
    assert_eq!(month(20240131, 1), end_of(20240229));
    assert_eq!(month(20260228, 1), end_of(20260331));
    assert_eq!(month(20240229, 1), end_of(20240331));
    assert_eq!(month(20260430, 1), end_of(20260531));
    assert_eq!(month(20260630, 2), end_of(20260831));
    assert_eq!(month(20261130, 3), end_of(20270228));
    // Not a month end: the same day number.
    assert_eq!(month(20260227, 1), end_of(20260327));
    assert_eq!(month(20260415, 1), end_of(20260515));
    assert_eq!(month(20260430 - 1, 1), end_of(20260529));
    // The start day counted: one day before the target month's end.
    assert_eq!(
        due_at(
            &empty(),
            &DayCounting {
                start_day_excluded: false,
                holiday_roll_over: false,
            },
            TimeUnit::Month,
            1,
            local_ms(20260228, 9, 0)
        ),
        end_of(20260330)
    );
}

#[test]
fn a_transferred_case_shows_its_clocks_and_becomes_overdue_at_a_later_block_time() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    let params = read::params(&sim).unwrap();
    let case = sim.case(&case_id);
    let clocks = case_clocks(&params, &case, sim.time_ms);
    assert_eq!(clocks.len(), 1, "{clocks:?}");
    let transfer = &clocks[0];
    assert_eq!(transfer.rule, "TRANSFER_AFTER_APPROVAL");
    assert_eq!(transfer.due_at_ms, transfer.started_at_ms + 24 * HOUR_MS);
    assert!(!transfer.overdue);
    assert!(case_clocks(&params, &case, transfer.due_at_ms + 1)[0].overdue);
    assert_eq!(
        read::overdue_cases(&sim, transfer.due_at_ms).unwrap().len(),
        0
    );
    assert_eq!(
        read::overdue_cases(&sim, transfer.due_at_ms + 1).unwrap()[0]
            .0
            .id,
        case_id
    );

    drive_from(&mut sim, &case_id, &["transfer", "receive"]);
    let received_at = sim.case(&case_id).mark("receive").unwrap().time_ms;
    let clocks = read::case_clocks(&sim, &case_id, received_at)
        .unwrap()
        .unwrap();
    let filing = clocks
        .iter()
        .find(|c| c.rule == "PSB_FILING_DECISION")
        .unwrap();
    assert_eq!(filing.due_at_ms, end_of(local_date(received_at) + 3));
    assert_eq!(filing.kind, ClockKind::Duty);
    // The 24-hour forwarding window closes but is not a missed duty.
    let next_day = received_at + DAY_MS + 1;
    let clocks = read::case_clocks(&sim, &case_id, next_day)
        .unwrap()
        .unwrap();
    let forward = clocks
        .iter()
        .find(|c| c.rule == "PSB_FORWARD_IF_NOT_COMPETENT")
        .unwrap();
    assert!(forward.expired && !forward.overdue);
    assert!(read::overdue_cases(&sim, next_day).unwrap().is_empty());

    // Before the deadline the agency cannot record the police as overdue.
    let mark = call_for(expectation("mark-overdue", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(mark.clone())),
        "not_overdue"
    );
    let later = filing.due_at_ms + 1;
    let overdue = read::overdue_cases(&sim, later).unwrap();
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0]
        .1
        .iter()
        .any(|c| c.rule == "PSB_FILING_DECISION" && c.overdue));
    sim.time_ms = later;
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(mark)),
        "ok"
    );
    assert_eq!(sim.state_of(&case_id).name(), "S8O_OVERDUE");
}

#[test]
fn reconsideration_is_requested_within_three_days_of_the_non_filing() {
    // T11: ≤3 days from receipt of the non-filing notice (SC-Transfer Art 9 ¶1).
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S8X_NOT_FILED");
    let declined_at = sim.case(&case_id).mark("decline-filing").unwrap().time_ms;
    assert_eq!(local_date(declined_at), 20260601);
    let clocks = read::case_clocks(&sim, &case_id, declined_at)
        .unwrap()
        .unwrap();
    let window = clocks
        .iter()
        .find(|c| c.rule == "AEA_REQUEST_RECONSIDERATION")
        .unwrap();
    assert_eq!(window.kind, ClockKind::Window);
    // Monday 1 June + 3 = Thursday 4 June.
    assert_eq!(window.due_at_ms, end_of(20260604));
    let request = call_for(expectation("request-reconsideration", None), &case_id);

    // After the window: refused, naming the rule.
    let mut late = sim.clone();
    late.time_ms = window.due_at_ms + 1;
    let error = late
        .try_call(&sim::officer("market"), Call::CaseAction(request.clone()))
        .unwrap_err();
    assert_eq!(error.code(), "window_closed");
    assert!(
        error.to_string().contains("AEA_REQUEST_RECONSIDERATION"),
        "{error}"
    );
    // Filing supervision has no fixed window (T13a): still open.
    let supervision = call_for(expectation("request-supervision", None), &case_id);
    assert_eq!(
        late.code(&sim::officer("market"), Call::CaseAction(supervision)),
        "ok"
    );

    // On the last instant of the window: accepted.
    sim.time_ms = window.due_at_ms;
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(request)),
        "ok"
    );
    assert_eq!(sim.state_of(&case_id).name(), "S8R_RECONSIDERATION");
}

fn drive_from(sim: &mut Sim, case_id: &CaseId, actions: &[&str]) {
    for action in actions {
        perform(sim, case_id, action, None);
    }
}

#[test]
fn filing_stops_the_filing_clock_and_starts_the_handover_clock() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S8_FILED");
    let clocks = read::case_clocks(&sim, &case_id, sim.time_ms)
        .unwrap()
        .unwrap();
    let rules: Vec<&str> = clocks.iter().map(|c| c.rule.as_str()).collect();
    assert_eq!(rules, ["AEA_HANDOVER_ITEMS"]);
    perform(&mut sim, &case_id, "hand-over-items", None);
    perform(&mut sim, &case_id, "start-investigation", None);
    let clocks = read::case_clocks(&sim, &case_id, sim.time_ms)
        .unwrap()
        .unwrap();
    assert!(
        clocks.iter().all(|c| c.rule != "AEA_HANDOVER_ITEMS"),
        "{clocks:?}"
    );
}

#[test]
fn food_and_drug_cases_use_the_sector_override() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "food_drug");
    drive(&mut sim, &case_id, "S7_RECEIVED");
    let received_at = sim.case(&case_id).mark("receive").unwrap().time_ms;
    let clocks = read::case_clocks(&sim, &case_id, received_at)
        .unwrap()
        .unwrap();
    let filing = clocks
        .iter()
        .find(|c| c.rule == "PSB_FILING_DECISION")
        .unwrap();
    assert_eq!(filing.limit, 10);
    assert_eq!(filing.override_id.as_deref(), Some("food_drug_2015"));
    // 1 June + 10 = 11 June (a Thursday).
    assert_eq!(filing.due_at_ms, end_of(20260611));
}

#[test]
fn only_a_market_regulation_case_has_the_publication_duty() {
    // SAMR-Penalty-Disclosure Art 9 binds market-regulation authorities: a
    // penalty of the tax bureau (a tax case) is not published under it.
    const RULE: &str = "SAMR_PENALTY_PUBLICATION";
    let decided = |sim: &mut Sim, org: &str, domain: &str| {
        let hash = sim
            .run(
                &sim::officer(org),
                Call::OpenCase(xianjie_ledger::tx::OpenCase {
                    title: "某公司虚开发票".into(),
                    entity: sim::entity(),
                    domain: domain.into(),
                    lead: xianjie_ledger::case::LeadSource {
                        kind: xianjie_ledger::case::LeadKind::Routine,
                        reference: None,
                    },
                }),
            )
            .unwrap();
        let case_id = xianjie_ledger::ids::CaseId::for_tx(&hash);
        perform(sim, &case_id, "open-admin-case", None);
        perform(sim, &case_id, "penalty-decision", Some("fine"));
        assert_eq!(sim.state_of(&case_id).name(), "R5_DECIDED");
        case_id
    };
    let publication = |sim: &Sim, case_id: &CaseId| {
        read::case_clocks(sim, case_id, sim.time_ms)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|clock| clock.rule == RULE)
    };
    let mut sim = Sim::new();
    let tax_case = decided(&mut sim, "tax", "tax");
    assert_eq!(publication(&sim, &tax_case), None);
    let market_case = decided(&mut sim, "market", "general");
    let clock = publication(&sim, &market_case).expect("a market case publishes");
    assert_eq!((clock.limit, clock.unit), (20, TimeUnit::WorkingDay));
    let food_case = decided(&mut sim, "market", "food_drug");
    assert!(publication(&sim, &food_case).is_some());
    // Long after twenty working days only the market cases are overdue.
    let later = sim.time_ms + 60 * DAY_MS;
    let overdue: Vec<CaseId> = read::overdue_cases(&sim, later)
        .unwrap()
        .into_iter()
        .map(|(case, _)| case.id)
        .collect();
    assert!(!overdue.contains(&tax_case), "{overdue:?}");
    assert!(overdue.contains(&market_case), "{overdue:?}");
}

#[test]
fn a_closed_case_leaves_the_open_index() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    assert_eq!(
        read::open_cases(&sim).unwrap(),
        std::slice::from_ref(&case_id)
    );
    drive(&mut sim, &case_id, "R9_CLOSED");
    assert!(read::open_cases(&sim).unwrap().is_empty());
    assert!(read::case_clocks(&sim, &case_id, u64::MAX / 2)
        .unwrap()
        .unwrap()
        .is_empty());
}

/// The prosecution-review clock of a case just referred for prosecution.
fn review_clock(sim: &Sim, case_id: &CaseId, at_ms: u64) -> Clock {
    read::case_clocks(sim, case_id, at_ms)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|c| c.rule == "PROC_PROSECUTION_DECISION")
        .unwrap()
}

#[test]
fn a_prosecution_review_is_extended_once_by_fifteen_days_before_it_is_due() {
    // T20: one month, fifteen more days for a major or complex case (CPL Art 172).
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    let referred_at = sim
        .case(&case_id)
        .mark("refer-for-prosecution")
        .unwrap()
        .time_ms;
    let review = review_clock(&sim, &case_id, sim.time_ms);
    assert!(review.extension.is_none());
    let original_due = review.due_at_ms;
    // Referred on Monday 1 June: one month ends on Wednesday 1 July.
    assert_eq!(local_date(referred_at), 20260601);
    assert_eq!(original_due, end_of(20260701));
    let extend = call_for(expectation("extend-prosecution-review", None), &case_id);

    // After the month has run out it is too late to extend.
    let mut late = sim.clone();
    late.time_ms = original_due + 1;
    assert!(review_clock(&late, &case_id, late.time_ms).overdue);
    assert_eq!(
        late.code(&sim::head("proc"), Call::CaseAction(extend.clone())),
        "extension_too_late"
    );

    // On the last instant it is not: the due day moves fifteen days on.
    sim.time_ms = original_due;
    assert_eq!(
        sim.code(&sim::head("proc"), Call::CaseAction(extend.clone())),
        "ok"
    );
    assert_eq!(sim.state_of(&case_id).name(), "S11_PROSECUTION_REVIEW");
    let extended = review_clock(&sim, &case_id, original_due + 1);
    assert_eq!(extended.due_at_ms, end_of(20260716));
    assert_eq!(extended.started_at_ms, referred_at);
    let granted = extended.extension.as_ref().unwrap();
    assert_eq!((granted.limit, granted.unit), (15, TimeUnit::CalendarDay));
    assert_eq!(granted.granted_at_ms, original_due);
    assert!(!extended.overdue, "extended, not overdue: {extended:?}");
    assert!(read::overdue_cases(&sim, original_due + 1)
        .unwrap()
        .is_empty());
    assert!(review_clock(&sim, &case_id, extended.due_at_ms + 1).overdue);

    // Once only.
    assert_eq!(
        sim.code(&sim::head("proc"), Call::CaseAction(extend)),
        "already_extended"
    );
}

#[test]
fn fifteen_extra_days_follow_the_last_day_before_any_roll_over() {
    // Referred on Wednesday 1 July: the month ends on Saturday 1 August and
    // rolls over to Monday 3 August; fifteen days after 1 August is Sunday
    // 16 August, which rolls over to Monday 17 August.
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    sim.time_ms = sim::local_ms(20260701, 9, 0);
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    let review = review_clock(&sim, &case_id, sim.time_ms);
    assert_eq!(local_date(review.started_at_ms), 20260701);
    assert_eq!(review.due_at_ms, end_of(20260803));
    let extend = call_for(expectation("extend-prosecution-review", None), &case_id);
    assert_eq!(sim.code(&sim::head("proc"), Call::CaseAction(extend)), "ok");
    assert_eq!(
        review_clock(&sim, &case_id, sim.time_ms).due_at_ms,
        end_of(20260817)
    );
}

#[test]
fn an_extension_counts_from_the_last_day_whatever_the_start_day_convention() {
    // With the start day counted, one month from Monday 1 June ends on
    // Tuesday 30 June; the fifteen extra days end on Wednesday 15 July.
    let mut params = sim::sim_params();
    params.counting = INCLUDED;
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    assert_eq!(
        review_clock(&sim, &case_id, sim.time_ms).due_at_ms,
        end_of(20260630)
    );
    let extend = call_for(expectation("extend-prosecution-review", None), &case_id);
    assert_eq!(sim.code(&sim::head("proc"), Call::CaseAction(extend)), "ok");
    assert_eq!(
        review_clock(&sim, &case_id, sim.time_ms).due_at_ms,
        end_of(20260715)
    );
}

#[test]
fn a_rule_without_an_extension_in_the_parameters_cannot_be_extended() {
    let mut params = sim::sim_params();
    for rule in &mut params.deadlines {
        rule.extension = None;
    }
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    let extend = call_for(expectation("extend-prosecution-review", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("proc"), Call::CaseAction(extend)),
        "not_extendable"
    );
    drive_from(&mut sim, &case_id, &["indict", "accept-trial"]);
    let extend = call_for(expectation("extend-trial", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("court"), Call::CaseAction(extend)),
        "not_extendable"
    );
}

#[test]
fn the_court_extends_the_time_to_judgment_by_a_month() {
    // T21: two months, at the latest three (CPL Art 208).
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S13_TRIAL");
    let judgment = |sim: &Sim| {
        read::case_clocks(sim, &case_id, sim.time_ms)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|c| c.rule == "COURT_JUDGMENT")
            .unwrap()
    };
    // Accepted on Monday 1 June: two months end on Saturday 1 August, rolled
    // over to Monday 3 August; a month more ends three months after the
    // acceptance, on Tuesday 1 September (not a month after 3 August).
    let before = judgment(&sim);
    assert_eq!(local_date(before.started_at_ms), 20260601);
    assert_eq!(before.due_at_ms, end_of(20260803));
    let extend = call_for(expectation("extend-trial", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("court"), Call::CaseAction(extend)),
        "ok"
    );
    let after = judgment(&sim);
    assert_eq!(after.due_at_ms, end_of(20260901));
    assert_eq!(after.extension.unwrap().unit, TimeUnit::Month);
    // Once: a further extension is a higher court's, not recorded here.
    let again = call_for(expectation("extend-trial", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("court"), Call::CaseAction(again)),
        "already_extended"
    );
    // And never after the time ran out.
    let mut late = Sim::new();
    let case_id = open_case(&mut late, "general");
    drive(&mut late, &case_id, "S13_TRIAL");
    late.time_ms = end_of(20260803) + 1;
    let extend = call_for(expectation("extend-trial", None), &case_id);
    assert_eq!(
        late.code(&sim::head("court"), Call::CaseAction(extend)),
        "extension_too_late"
    );
}

/// The named clock of a case at the simulation's block time, if it runs.
fn running_clock(sim: &Sim, case_id: &CaseId, rule: &str) -> Option<Clock> {
    read::case_clocks(sim, case_id, sim.time_ms)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|c| c.rule == rule)
}

#[test]
fn supplementary_investigation_takes_a_month_restarts_the_review_and_happens_twice_at_most() {
    // CPL Art 175 ¶3: each supplementary investigation within one month, at
    // most two; the review time is counted again from the new referral.
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    perform(&mut sim, &case_id, "extend-prosecution-review", None);
    sim.advance(10 * DAY_MS);
    perform(&mut sim, &case_id, "return-for-investigation", None);
    assert_eq!(sim.state_of(&case_id).name(), "S10_INVESTIGATION");
    assert!(running_clock(&sim, &case_id, "PROC_PROSECUTION_DECISION").is_none());
    // Returned on Thursday 11 June: a month ends on Saturday 11 July, which
    // rolls over to Monday 13 July.
    let investigation = running_clock(&sim, &case_id, "PSB_SUPPLEMENTARY_INVESTIGATION").unwrap();
    assert_eq!(local_date(investigation.started_at_ms), 20260611);
    assert_eq!(investigation.due_at_ms, end_of(20260713));
    assert_eq!(investigation.actor, "PSB");

    // Referred again on Wednesday 1 July: a new month of review, which may
    // be extended again (the earlier extension belonged to the first one).
    sim.time_ms = local_ms(20260701, 9, 0);
    perform(&mut sim, &case_id, "refer-for-prosecution", None);
    assert!(running_clock(&sim, &case_id, "PSB_SUPPLEMENTARY_INVESTIGATION").is_none());
    let review = review_clock(&sim, &case_id, sim.time_ms);
    assert_eq!(local_date(review.started_at_ms), 20260701);
    assert_eq!(review.due_at_ms, end_of(20260803));
    assert!(review.extension.is_none(), "{review:?}");
    perform(&mut sim, &case_id, "extend-prosecution-review", None);

    perform(&mut sim, &case_id, "return-for-investigation", None);
    perform(&mut sim, &case_id, "refer-for-prosecution", None);
    assert_eq!(sim.case(&case_id).flags.supplementary_investigations, 2);
    let third = call_for(expectation("return-for-investigation", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("proc"), Call::CaseAction(third)),
        "supplementary_investigation_limit"
    );
    assert_eq!(sim.state_of(&case_id).name(), "S11_PROSECUTION_REVIEW");
    perform(&mut sim, &case_id, "indict", None);
}

#[test]
fn an_overdue_supplementary_investigation_makes_the_case_overdue() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S11_PROSECUTION_REVIEW");
    perform(&mut sim, &case_id, "return-for-investigation", None);
    let due = running_clock(&sim, &case_id, "PSB_SUPPLEMENTARY_INVESTIGATION")
        .unwrap()
        .due_at_ms;
    let overdue_rules = |at_ms: u64| -> Vec<String> {
        read::overdue_cases(&sim, at_ms)
            .unwrap()
            .into_iter()
            .flat_map(|(_, clocks)| clocks)
            .filter(|clock| clock.overdue)
            .map(|clock| clock.rule)
            .collect()
    };
    let rule = "PSB_SUPPLEMENTARY_INVESTIGATION".to_string();
    assert!(!overdue_rules(due).contains(&rule));
    assert!(overdue_rules(due + 1).contains(&rule));
}

#[test]
fn a_suspended_review_stops_its_clock_and_resumes_with_the_days_left() {
    // SPP-Reverse-Guide-2024 Arts 12–13: ten working days of review, the
    // clock stopped while the review is suspended (中止审查).
    const RULE: &str = "REV_ADMIN_PROSECUTION_REVIEW";
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    // Registered on Monday 1 June: ten working days end on Monday 15 June.
    let review = running_clock(&sim, &case_id, RULE).unwrap();
    let registered_at = review.started_at_ms;
    assert_eq!(local_date(registered_at), 20260601);
    assert_eq!(review.due_at_ms, end_of(20260615));
    assert!(review.pause.is_none());

    // Suspended on Wednesday 3 June: 2 and 3 June are used.
    sim.time_ms = local_ms(20260603, 15, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    assert_eq!(sim.state_of(&case_id).name(), "R2S_SUSPENDED");
    // Weeks past the first due day, nothing is running late.
    sim.time_ms = local_ms(20260720, 9, 0);
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    assert!(read::overdue_cases(&sim, sim.time_ms).unwrap().is_empty());

    // Resumed on Monday 20 July: eight working days left, to Thursday 30 July.
    perform(&mut sim, &case_id, "resume-review", None);
    assert_eq!(sim.state_of(&case_id).name(), "R2_REVIEW");
    let resumed = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(resumed.started_at_ms, registered_at);
    assert_eq!(resumed.due_at_ms, end_of(20260730));
    let pause = resumed.pause.as_ref().unwrap();
    assert_eq!(pause.used, 2);
    assert_eq!(local_date(pause.resumed_at_ms), 20260720);

    // Stopped again on Wednesday 22 July (21 and 22 used: four in all) and
    // resumed on Monday 3 August: six left, to Tuesday 11 August.
    sim.time_ms = local_ms(20260722, 10, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    sim.time_ms = local_ms(20260803, 10, 0);
    perform(&mut sim, &case_id, "resume-review", None);
    let again = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(again.pause.as_ref().unwrap().used, 4);
    assert_eq!(again.due_at_ms, end_of(20260811));
    let late = end_of(20260811) + 1;
    let overdue = read::overdue_cases(&sim, late).unwrap();
    assert!(overdue.iter().any(|(case, _)| case.id == case_id));
}

#[test]
fn a_clock_stopped_after_its_time_ran_out_is_due_on_the_day_it_resumes() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    // Suspended on Tuesday 16 June, a day after the ten working days ended.
    sim.time_ms = local_ms(20260616, 9, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    sim.time_ms = local_ms(20260701, 9, 0);
    perform(&mut sim, &case_id, "resume-review", None);
    let clock = running_clock(&sim, &case_id, "REV_ADMIN_PROSECUTION_REVIEW").unwrap();
    assert_eq!(clock.pause.as_ref().unwrap().used, 10);
    assert_eq!(clock.due_at_ms, end_of(20260701));
}

#[test]
fn a_rule_without_a_stop_in_the_parameters_keeps_counting_through_a_suspension() {
    let mut params = sim::sim_params();
    for rule in &mut params.deadlines {
        rule.pause = None;
    }
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    sim.time_ms = local_ms(20260603, 15, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    sim.time_ms = local_ms(20260720, 9, 0);
    perform(&mut sim, &case_id, "resume-review", None);
    let clock = running_clock(&sim, &case_id, "REV_ADMIN_PROSECUTION_REVIEW").unwrap();
    assert!(clock.pause.is_none());
    assert_eq!(clock.due_at_ms, end_of(20260615));
    assert!(clock.overdue);
}

#[test]
fn a_revoked_non_prosecution_ends_a_suspended_review_and_sends_the_case_to_trial() {
    // CPL Arts 179–180: the police's 复核 or the victim's appeal succeeds,
    // the non-prosecution is revoked and the procuratorate indicts.
    const RULE: &str = "REV_ADMIN_PROSECUTION_REVIEW";
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    sim.time_ms = local_ms(20260603, 15, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    assert!(sim.case(&case_id).flags.transfer_resolved);

    sim.time_ms = local_ms(20260720, 9, 0);
    perform(&mut sim, &case_id, "revoke-non-prosecution", None);
    let case = sim.case(&case_id);
    assert_eq!(case.state.name(), "S12_INDICTED");
    assert!(case.court.is_some(), "the indictment names the court");
    assert!(
        !case.flags.transfer_resolved,
        "the criminal case is open again until judgment"
    );
    // The review has ended: its clock neither runs nor makes the case late.
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    let later = local_ms(20261201, 9, 0);
    let late_rules: Vec<String> = read::overdue_cases(&sim, later)
        .unwrap()
        .into_iter()
        .flat_map(|(_, clocks)| clocks)
        .filter(|clock| clock.overdue)
        .map(|clock| clock.rule)
        .collect();
    assert!(!late_rules.contains(&RULE.to_string()), "{late_rules:?}");

    // The court takes it from there; the suspension cannot be resumed.
    let resume = call_for(expectation("resume-review", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("proc"), Call::CaseAction(resume)),
        "invalid_transition"
    );
    perform(&mut sim, &case_id, "accept-trial", None);
    assert!(running_clock(&sim, &case_id, "COURT_JUDGMENT").is_some());
}

#[test]
fn the_chief_procurator_extends_the_reverse_review_also_after_a_suspension() {
    // SPP-Reverse-Guide-2024 Arts 12, 14–15: ten working days, extended by
    // the chief procurator for a major or complex case (the extension's
    // length is a parameter, UNVERIFIED: ten working days by default).
    const RULE: &str = "REV_ADMIN_PROSECUTION_REVIEW";
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    let mut plain = sim.clone();
    // Registered on Monday 1 June: due on Monday 15 June.
    assert_eq!(
        running_clock(&sim, &case_id, RULE).unwrap().due_at_ms,
        end_of(20260615)
    );
    sim.time_ms = local_ms(20260615, 16, 0);
    perform(&mut sim, &case_id, "extend-review", None);
    assert_eq!(sim.state_of(&case_id).name(), "R2_REVIEW");
    // Twenty working days from 1 June (端午, Friday 19 June, is not one):
    // Tuesday 30 June.
    let extended = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(extended.due_at_ms, end_of(20260630));
    assert_eq!(extended.extension.as_ref().unwrap().limit, 10);
    let day_after = end_of(20260615) + 1;
    assert!(read::overdue_cases(&sim, day_after).unwrap().is_empty());
    plain.time_ms = day_after;
    assert!(running_clock(&plain, &case_id, RULE).unwrap().overdue);

    // Suspended on Wednesday 3 June (two days used), resumed on Monday 20
    // July with eight left, then extended: eighteen working days from the
    // resumption end on Thursday 13 August.
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "R2_REVIEW");
    sim.time_ms = local_ms(20260603, 15, 0);
    perform(&mut sim, &case_id, "suspend-review", None);
    sim.time_ms = local_ms(20260720, 9, 0);
    perform(&mut sim, &case_id, "resume-review", None);
    assert_eq!(
        running_clock(&sim, &case_id, RULE).unwrap().due_at_ms,
        end_of(20260730)
    );
    perform(&mut sim, &case_id, "extend-review", None);
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.pause.as_ref().unwrap().used, 2);
    assert_eq!(clock.due_at_ms, end_of(20260813));
    assert!(!running_clock(&sim, &case_id, RULE).unwrap().overdue);
    sim.time_ms = end_of(20260731) + 1;
    assert!(read::overdue_cases(&sim, sim.time_ms).unwrap().is_empty());
}

/// A case whose administrative case (行政立案) was opened on Monday 1 June
/// 2026: the 90 days end on Sunday 30 August, rolled over to Monday 31.
fn admin_case() -> (Sim, CaseId) {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    perform(&mut sim, &case_id, "open-admin-case", None);
    assert_eq!(
        running_clock(&sim, &case_id, "ADMIN_PENALTY_DECISION")
            .unwrap()
            .due_at_ms,
        end_of(20260831)
    );
    (sim, case_id)
}

#[test]
fn the_head_extends_the_penalty_decision_by_thirty_days() {
    // APL Art 60 (另有规定的除外); SAMR's procedure rule: thirty days more
    // with the head's approval (UNVERIFIED, a parameter).
    const RULE: &str = "ADMIN_PENALTY_DECISION";
    let (mut sim, case_id) = admin_case();
    let september = local_ms(20260901, 9, 0);
    let mut plain = sim.clone();
    plain.time_ms = september;
    assert!(running_clock(&plain, &case_id, RULE).unwrap().overdue);
    assert!(!read::overdue_cases(&plain, september).unwrap().is_empty());

    sim.time_ms = local_ms(20260828, 9, 0);
    let extend = call_for(expectation("extend-penalty-decision", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(extend.clone())),
        "wrong_role"
    );
    assert_eq!(
        sim.code(&sim::head("market"), Call::CaseAction(extend.clone())),
        "ok"
    );
    assert_eq!(sim.state_of(&case_id).name(), "S1_ADMIN_CASE");
    sim.time_ms = september;
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    // Thirty days after Sunday 30 August: Tuesday 29 September.
    assert_eq!(clock.due_at_ms, end_of(20260929));
    assert!(!clock.overdue);
    assert!(read::overdue_cases(&sim, september).unwrap().is_empty());
    assert_eq!(
        sim.code(&sim::head("market"), Call::CaseAction(extend)),
        "already_extended"
    );
    // A decision within the extended time closes the clock.
    perform(&mut sim, &case_id, "penalty-decision", Some("penalty"));
    assert!(running_clock(&sim, &case_id, RULE).is_none());
}

#[test]
fn testing_and_hearing_time_is_not_counted_in_the_penalty_decision_period() {
    // The time of 检测、检验、检疫、鉴定 and hearings is not counted (SAMR's
    // procedure rule, UNVERIFIED): the clock stops and resumes with the
    // days it had left.
    const RULE: &str = "ADMIN_PENALTY_DECISION";
    let (mut sim, case_id) = admin_case();
    let end = call_for(expectation("end-excluded-time", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(end.clone())),
        "clock_not_stopped"
    );
    // Samples sent for testing on Thursday 11 June: 2–11 June are used.
    sim.time_ms = local_ms(20260611, 10, 0);
    perform(&mut sim, &case_id, "start-excluded-time", None);
    assert_eq!(sim.state_of(&case_id).name(), "S1_ADMIN_CASE");
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    let start = call_for(expectation("start-excluded-time", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(start)),
        "clock_not_running"
    );
    // The report arrives on Wednesday 1 July: eighty days from then end on
    // Saturday 19 September, rolled over to the make-up Sunday 20 September.
    sim.time_ms = local_ms(20260701, 10, 0);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(end.clone())),
        "ok"
    );
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.pause.as_ref().unwrap().used, 10);
    assert_eq!(clock.due_at_ms, end_of(20260920));
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(end)),
        "clock_not_stopped"
    );
    // Past the original 31 August the case is not overdue.
    let september = local_ms(20260901, 9, 0);
    assert!(read::overdue_cases(&sim, september).unwrap().is_empty());
    assert!(!read::overdue_cases(&sim, end_of(20260920) + 1)
        .unwrap()
        .is_empty());
    // With the thirty-day extension too: 110 days from 1 July, Monday 19
    // October.
    perform(&mut sim, &case_id, "extend-penalty-decision", None);
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.due_at_ms, end_of(20261019));
    assert!(read::overdue_cases(&sim, end_of(20260920) + 1)
        .unwrap()
        .is_empty());
}

#[test]
fn a_declined_procuratorial_opinion_resumes_the_penalty_decision_period_with_the_days_used() {
    // D3 (SPP-Rules-2019 Art 557 ¶3) holds the APL Art 60 period while the
    // agency prepares the transfer; the head's written answer that it will
    // not transfer lets the period run again with the days it had left.
    const RULE: &str = "ADMIN_PENALTY_DECISION";
    let (mut sim, case_id) = admin_case();
    let started_at_ms = running_clock(&sim, &case_id, RULE).unwrap().started_at_ms;
    // The opinion on Thursday 11 June: 2–11 June are used (10 days).
    sim.time_ms = local_ms(20260611, 10, 0);
    perform(&mut sim, &case_id, "suggest-transfer", None);
    assert_eq!(sim.state_of(&case_id).name(), "S1_ADMIN_CASE");
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    // Unanswered, it stays held past the original 31 August.
    let mut unanswered = sim.clone();
    unanswered.time_ms = local_ms(20260901, 9, 0);
    assert!(running_clock(&unanswered, &case_id, RULE).is_none());

    // The head answers on Wednesday 1 July: eighty days from then end on
    // Saturday 19 September, rolled over to the make-up Sunday 20 September.
    let answered_at = local_ms(20260701, 10, 0);
    sim.time_ms = answered_at;
    perform(&mut sim, &case_id, "answer-opinion", None);
    let clock = running_clock(&sim, &case_id, RULE).expect("running again");
    assert_eq!(clock.started_at_ms, started_at_ms);
    let pause = clock.pause.as_ref().expect("resumed");
    assert_eq!((pause.used, pause.resumed_at_ms), (10, answered_at));
    assert!(pause.source.contains("Art 557"), "{}", pause.source);
    assert_eq!(clock.due_at_ms, end_of(20260920));
    let mut late = sim.clone();
    late.time_ms = end_of(20260920) + 1;
    assert!(running_clock(&late, &case_id, RULE).unwrap().overdue);

    // A second opinion on Friday 10 July holds it again (2–10 July: 9 more
    // days); answered on Monday 20 July, the 71 days left end on Tuesday 29
    // September.
    sim.time_ms = local_ms(20260710, 10, 0);
    perform(&mut sim, &case_id, "suggest-transfer", None);
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    sim.time_ms = local_ms(20260720, 10, 0);
    perform(&mut sim, &case_id, "answer-opinion", None);
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.pause.as_ref().unwrap().used, 19);
    assert_eq!(clock.due_at_ms, end_of(20260929));
    // Excluded testing time after the answer keeps counting from it.
    sim.time_ms = local_ms(20260730, 10, 0);
    perform(&mut sim, &case_id, "start-excluded-time", None);
    sim.time_ms = local_ms(20260803, 10, 0);
    perform(&mut sim, &case_id, "end-excluded-time", None);
    // 21–30 July: 10 more days, 29 used; 61 left from Monday 3 August end
    // on Saturday 3 October, in the National Day holiday: Thursday 8 October.
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.pause.as_ref().unwrap().used, 29);
    assert_eq!(clock.due_at_ms, end_of(20261008));
}

#[test]
fn a_procuratorial_opinion_during_excluded_time_holds_the_period_until_both_end() {
    // The opinion comes while testing time is excluded: the period must come
    // back, with the days it had used before the testing, once the agency
    // has answered and the testing has ended, exactly as if there had been
    // no opinion.
    const RULE: &str = "ADMIN_PENALTY_DECISION";
    let (mut sim, case_id) = admin_case();
    sim.time_ms = local_ms(20260611, 10, 0);
    perform(&mut sim, &case_id, "start-excluded-time", None);
    let mut without_opinion = sim.clone();
    sim.time_ms = local_ms(20260615, 10, 0);
    perform(&mut sim, &case_id, "suggest-transfer", None);
    sim.time_ms = local_ms(20260701, 10, 0);
    perform(&mut sim, &case_id, "answer-opinion", None);
    // Answered, but the testing still runs: the clock stays stopped.
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    let ended_at = local_ms(20260706, 10, 0);
    sim.time_ms = ended_at;
    perform(&mut sim, &case_id, "end-excluded-time", None);
    let clock = running_clock(&sim, &case_id, RULE).expect("running again");
    let pause = clock.pause.as_ref().expect("resumed");
    assert_eq!((pause.used, pause.resumed_at_ms), (10, ended_at));
    without_opinion.time_ms = ended_at;
    perform(&mut without_opinion, &case_id, "end-excluded-time", None);
    let control = running_clock(&without_opinion, &case_id, RULE).unwrap();
    assert_eq!(clock.due_at_ms, control.due_at_ms);
}

#[test]
fn a_chain_may_restart_the_penalty_decision_period_afresh_on_the_answer() {
    // Whether the days before the opinion count is UNVERIFIED: a chain whose
    // rule starts again on the answer gives the agency a fresh 90 days.
    const RULE: &str = "ADMIN_PENALTY_DECISION";
    let mut params = sim::sim_params();
    params
        .deadlines
        .iter_mut()
        .find(|rule| rule.id == RULE)
        .unwrap()
        .start
        .push("answer-opinion".into());
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    perform(&mut sim, &case_id, "open-admin-case", None);
    sim.time_ms = local_ms(20260611, 10, 0);
    perform(&mut sim, &case_id, "suggest-transfer", None);
    assert!(running_clock(&sim, &case_id, RULE).is_none());
    let answered_at = local_ms(20260701, 10, 0);
    sim.time_ms = answered_at;
    perform(&mut sim, &case_id, "answer-opinion", None);
    let clock = running_clock(&sim, &case_id, RULE).unwrap();
    assert_eq!(clock.started_at_ms, answered_at);
    assert!(clock.pause.is_none());
    // Ninety days after 1 July: Tuesday 29 September.
    assert_eq!(clock.due_at_ms, end_of(20260929));
}
