//! D6, supervision of an improper filing (不应当立案而立案; SPP-Rules-2019
//! Arts 559 ¶2, 560, 561, 563–565; MPS-Rules Art 183): the whole path from
//! the demand for the reasons for filing to the withdrawal, each step signed
//! only by its party, each clock running and overdue when missed, and the
//! higher procuratorate acting only once the police's request named it.

use xianjie_contracts::deadline::{day_number, end_of_day_ms, local_date, Clock};
use xianjie_contracts::read;
use xianjie_ledger::deadline::ClockKind;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::Role;
use xianjie_ledger::tx::{Call, CaseAction};

use crate::expect::{call_for, case_at, drive, every_signer, expectation, open_case, perform};
use crate::sim::{self, org_id, Sim, DAY_MS};

/// The last millisecond of the local day `days` calendar days after the
/// local day of `at_ms` (no holiday falls in the tests' periods).
fn days_after(at_ms: u64, days: i64) -> u64 {
    end_of_day_ms(day_number(local_date(at_ms)).unwrap() + days)
}

fn clock(sim: &Sim, case_id: &CaseId, rule: &str, at_ms: u64) -> Option<Clock> {
    read::case_clocks(sim, case_id, at_ms)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|clock| clock.rule == rule)
}

/// An action with its outcome, if it records one.
type Step<'a> = (&'a str, Option<&'a str>);

fn call(case_id: &CaseId, action: &str, outcome: Option<&str>) -> CaseAction {
    call_for(expectation(action, outcome), case_id)
}

fn code(sim: &Sim, org: &str, role: Role, call: &CaseAction) -> String {
    let mut sim = sim.clone();
    sim.code(&sim::key_for(org, role), Call::CaseAction(call.clone()))
}

/// The step is refused for every other signer (with a party, kind or role
/// code), then recorded by `org` with `role`.
fn only_by(sim: &mut Sim, case_id: &CaseId, step: Step, org: &str, role: Role) {
    let (action, outcome) = step;
    let call = call(case_id, action, outcome);
    for (other, other_role) in every_signer() {
        // The party's head may sign its officers' acts.
        if other == org && (other_role == role || other_role == Role::Head) {
            continue;
        }
        let code = code(sim, other, other_role, &call);
        assert!(
            [
                "wrong_org_kind",
                "not_case_party",
                "wrong_role",
                "policy_denied"
            ]
            .contains(&code.as_str()),
            "{action} by {other} {other_role:?}: {code}"
        );
    }
    let state = sim.state_of(case_id);
    assert_eq!(code(sim, org, role, &call), "ok", "{action} by {org}");
    sim.run(&sim::key_for(org, role), Call::CaseAction(call))
        .unwrap();
    if action != "withdraw" {
        assert_eq!(sim.state_of(case_id), state, "{action} stays in the state");
    }
}

#[test]
fn the_full_path_runs_from_the_demand_to_the_withdrawal_each_step_by_its_party() {
    for from in ["S8_FILED", "S9_ITEMS_HANDED_OVER", "S10_INVESTIGATION"] {
        let (mut sim, case_id) = case_at(from);
        // Before the notice the police may not withdraw a case they have not
        // investigated.
        if from != "S10_INVESTIGATION" {
            assert_eq!(
                code(
                    &sim,
                    "police",
                    Role::Head,
                    &call(&case_id, "withdraw", None)
                ),
                "no_withdrawal_notice"
            );
        }
        let path: [(Step, &str, Role); 7] = [
            (("demand-filing-reasons", None), "proc", Role::Officer),
            (("explain-filing", None), "police", Role::Officer),
            (("notify-withdrawal", None), "proc", Role::Head),
            (
                ("request-proc-reconsideration", None),
                "police",
                Role::Officer,
            ),
            (
                ("decide-proc-reconsideration", Some("uphold")),
                "proc",
                Role::Head,
            ),
            (("request-higher-review", None), "police", Role::Officer),
            (
                ("decide-higher-review", Some("uphold")),
                "proc-prov",
                Role::Head,
            ),
        ];
        for (step, org, role) in path {
            sim.advance(DAY_MS);
            only_by(&mut sim, &case_id, step, org, role);
        }
        sim.advance(DAY_MS);
        only_by(&mut sim, &case_id, ("withdraw", None), "police", Role::Head);
        assert_eq!(sim.state_of(&case_id).name(), "S10X_WITHDRAWN");
        // The higher procuratorate joined the case.
        let joined = read::supervised_cases(&sim, &org_id("proc-prov")).unwrap();
        assert!(joined.contains(&case_id), "{from}");
    }
}

#[test]
fn the_police_explain_within_seven_days_or_are_overdue() {
    let (mut sim, case_id) = case_at("S8_FILED");
    perform(&mut sim, &case_id, "demand-filing-reasons", None);
    let demanded = sim
        .case(&case_id)
        .mark("demand-filing-reasons")
        .unwrap()
        .time_ms;
    let explain = clock(&sim, &case_id, "PSB_EXPLAIN_FILING", demanded).unwrap();
    assert_eq!(explain.kind, ClockKind::Duty);
    assert_eq!(explain.due_at_ms, days_after(demanded, 7));
    assert!(!explain.overdue);
    let late = explain.due_at_ms + 1;
    assert!(
        clock(&sim, &case_id, "PSB_EXPLAIN_FILING", late)
            .unwrap()
            .overdue
    );
    assert!(read::overdue_cases(&sim, late)
        .unwrap()
        .iter()
        .any(|(case, clocks)| case.id == case_id
            && clocks.iter().any(|c| c.rule == "PSB_EXPLAIN_FILING")));
    // A late explanation is still recorded, and it stops the clock.
    sim.time_ms = late;
    perform(&mut sim, &case_id, "explain-filing", None);
    assert!(clock(&sim, &case_id, "PSB_EXPLAIN_FILING", late + DAY_MS).is_none());
    // Answered: a second explanation has nothing to answer.
    assert_eq!(
        code(
            &sim,
            "police",
            Role::Officer,
            &call(&case_id, "explain-filing", None)
        ),
        "nothing_to_answer"
    );
}

#[test]
fn reconsideration_is_asked_within_the_window_and_decided_within_seven_days() {
    let (mut sim, case_id) = case_at("S10_INVESTIGATION");
    for action in ["demand-filing-reasons", "explain-filing"] {
        perform(&mut sim, &case_id, action, None);
    }
    // The notice needs the demand first: a fresh case is refused.
    let (fresh, fresh_id) = case_at("S10_INVESTIGATION");
    assert_eq!(
        code(
            &fresh,
            "proc",
            Role::Head,
            &call(&fresh_id, "notify-withdrawal", None)
        ),
        "step_missing"
    );
    perform(&mut sim, &case_id, "notify-withdrawal", None);
    let notified = sim
        .case(&case_id)
        .mark("notify-withdrawal")
        .unwrap()
        .time_ms;
    let window = clock(&sim, &case_id, "PSB_REQUEST_PROC_RECONSIDERATION", notified).unwrap();
    assert_eq!(window.kind, ClockKind::Window);
    assert_eq!(window.due_at_ms, days_after(notified, 15));
    let request = call(&case_id, "request-proc-reconsideration", None);

    // Past the window: refused, naming the rule; a window is not overdue.
    let mut late = sim.clone();
    late.time_ms = window.due_at_ms + 1;
    let closed = clock(
        &late,
        &case_id,
        "PSB_REQUEST_PROC_RECONSIDERATION",
        late.time_ms,
    )
    .unwrap();
    assert!(closed.expired && !closed.overdue);
    let error = late
        .try_call(&sim::officer("police"), Call::CaseAction(request.clone()))
        .unwrap_err();
    assert_eq!(error.code(), "window_closed");
    assert!(error
        .to_string()
        .contains("PSB_REQUEST_PROC_RECONSIDERATION"));

    // On the last instant: accepted; the procuratorate's 7 days start.
    sim.time_ms = window.due_at_ms;
    sim.run(&sim::officer("police"), Call::CaseAction(request.clone()))
        .unwrap();
    assert!(clock(
        &sim,
        &case_id,
        "PSB_REQUEST_PROC_RECONSIDERATION",
        sim.time_ms
    )
    .is_none());
    assert_eq!(
        code(&sim, "police", Role::Officer, &request),
        "nothing_to_answer",
        "one request per notice"
    );
    let decide = clock(&sim, &case_id, "PROC_DECIDE_RECONSIDERATION", sim.time_ms).unwrap();
    assert_eq!(decide.kind, ClockKind::Duty);
    let requested = sim
        .case(&case_id)
        .mark("request-proc-reconsideration")
        .unwrap()
        .time_ms;
    assert_eq!(requested, window.due_at_ms);
    assert_eq!(decide.due_at_ms, days_after(requested, 7));
    assert!(!decide.overdue);
    let overdue = clock(
        &sim,
        &case_id,
        "PROC_DECIDE_RECONSIDERATION",
        decide.due_at_ms + 1,
    )
    .unwrap();
    assert!(overdue.overdue && overdue.actor == "PROC");
    // Deciding stops it.
    sim.time_ms = decide.due_at_ms + 1;
    perform(
        &mut sim,
        &case_id,
        "decide-proc-reconsideration",
        Some("uphold"),
    );
    assert!(clock(&sim, &case_id, "PROC_DECIDE_RECONSIDERATION", sim.time_ms).is_none());
}

#[test]
fn the_higher_review_is_asked_in_its_window_and_decided_within_fifteen_days() {
    let (mut sim, case_id) = case_at("S9_ITEMS_HANDED_OVER");
    for action in [
        "demand-filing-reasons",
        "explain-filing",
        "notify-withdrawal",
        "request-proc-reconsideration",
    ] {
        perform(&mut sim, &case_id, action, None);
    }
    // Nothing asked the higher procuratorate yet.
    assert_eq!(
        code(
            &sim,
            "police",
            Role::Officer,
            &call(&case_id, "request-higher-review", None)
        ),
        "nothing_to_answer"
    );
    perform(
        &mut sim,
        &case_id,
        "decide-proc-reconsideration",
        Some("uphold"),
    );
    let upheld = sim.time_ms;
    let window = clock(&sim, &case_id, "PSB_REQUEST_HIGHER_REVIEW", upheld).unwrap();
    assert_eq!(window.kind, ClockKind::Window);
    assert_eq!(window.due_at_ms, days_after(upheld, 15));
    let request = call(&case_id, "request-higher-review", None);
    let mut late = sim.clone();
    late.time_ms = window.due_at_ms + 1;
    assert_eq!(
        code(&late, "police", Role::Officer, &request),
        "window_closed"
    );

    sim.time_ms = window.due_at_ms;
    sim.run(&sim::officer("police"), Call::CaseAction(request))
        .unwrap();
    let decide = clock(&sim, &case_id, "PROC_DECIDE_HIGHER_REVIEW", sim.time_ms).unwrap();
    assert_eq!(decide.kind, ClockKind::Duty);
    let requested = sim
        .case(&case_id)
        .mark("request-higher-review")
        .unwrap()
        .time_ms;
    assert_eq!(decide.due_at_ms, days_after(requested, 15));
    assert!(!decide.overdue);
    let missed = decide.due_at_ms + 1;
    assert!(
        clock(&sim, &case_id, "PROC_DECIDE_HIGHER_REVIEW", missed)
            .unwrap()
            .overdue
    );
    assert!(read::overdue_cases(&sim, missed)
        .unwrap()
        .iter()
        .any(|(case, clocks)| case.id == case_id
            && clocks.iter().any(|c| c.rule == "PROC_DECIDE_HIGHER_REVIEW")));
    sim.time_ms = missed;
    perform(&mut sim, &case_id, "decide-higher-review", Some("uphold"));
    assert!(clock(&sim, &case_id, "PROC_DECIDE_HIGHER_REVIEW", missed).is_none());
}

#[test]
fn the_higher_procuratorate_acts_only_once_a_request_named_it() {
    let (mut sim, case_id) = case_at("S8_FILED");
    for (action, outcome) in [
        ("demand-filing-reasons", None),
        ("explain-filing", None),
        ("notify-withdrawal", None),
        ("request-proc-reconsideration", None),
        ("decide-proc-reconsideration", Some("uphold")),
    ] {
        perform(&mut sim, &case_id, action, outcome);
    }
    let decide = call(&case_id, "decide-higher-review", Some("uphold"));
    // Not named yet: no procuratorate acts as the higher one.
    for org in ["proc-prov", "proc", "proc-b"] {
        assert_eq!(
            code(&sim, org, Role::Head, &decide),
            "not_case_party",
            "{org}"
        );
    }
    // The request must name a procuratorate above the supervising one.
    let mut sideways = call(&case_id, "request-higher-review", None);
    sideways.to = Some(org_id("proc-b"));
    assert_eq!(
        code(&sim, "police", Role::Officer, &sideways),
        "invalid_target"
    );
    sideways.to = Some(org_id("proc"));
    assert_eq!(
        code(&sim, "police", Role::Officer, &sideways),
        "invalid_target"
    );

    perform(&mut sim, &case_id, "request-higher-review", None);
    for org in ["proc", "proc-b"] {
        assert_eq!(
            code(&sim, org, Role::Head, &decide),
            "not_case_party",
            "{org}"
        );
    }
    assert_eq!(
        code(&sim, "proc-prov", Role::Officer, &decide),
        "wrong_role"
    );
    assert_eq!(code(&sim, "proc-prov", Role::Head, &decide), "ok");
    // Its decision answers the request once.
    perform(&mut sim, &case_id, "decide-higher-review", Some("uphold"));
    assert_eq!(
        code(&sim, "proc-prov", Role::Head, &decide),
        "nothing_to_answer"
    );
}

#[test]
fn a_revoked_notice_no_longer_stands() {
    // Revoked on 复议: no 复核 to ask, no withdrawal before the investigation.
    let (mut sim, case_id) = case_at("S8_FILED");
    for (action, outcome) in [
        ("demand-filing-reasons", None),
        ("explain-filing", None),
        ("notify-withdrawal", None),
        ("request-proc-reconsideration", None),
        ("decide-proc-reconsideration", Some("revoke")),
    ] {
        perform(&mut sim, &case_id, action, outcome);
    }
    assert!(clock(&sim, &case_id, "PSB_REQUEST_HIGHER_REVIEW", sim.time_ms).is_none());
    assert_eq!(
        code(
            &sim,
            "police",
            Role::Officer,
            &call(&case_id, "request-higher-review", None)
        ),
        "no_withdrawal_notice"
    );
    assert_eq!(
        code(
            &sim,
            "police",
            Role::Head,
            &call(&case_id, "withdraw", None)
        ),
        "no_withdrawal_notice"
    );

    // Revoked on 复核: the same before the investigation; in investigation
    // the police still withdraw on their own findings (MPS-Rules Art 186).
    for (from, withdrawal) in [
        ("S9_ITEMS_HANDED_OVER", "no_withdrawal_notice"),
        ("S10_INVESTIGATION", "ok"),
    ] {
        let (mut sim, case_id) = case_at(from);
        for (action, outcome) in [
            ("demand-filing-reasons", None),
            ("explain-filing", None),
            ("notify-withdrawal", None),
            ("request-proc-reconsideration", None),
            ("decide-proc-reconsideration", Some("uphold")),
            ("request-higher-review", None),
            ("decide-higher-review", Some("revoke")),
        ] {
            perform(&mut sim, &case_id, action, outcome);
        }
        assert_eq!(
            code(
                &sim,
                "police",
                Role::Head,
                &call(&case_id, "withdraw", None)
            ),
            withdrawal,
            "{from}"
        );
    }
}

/// SPP-Rules-2019 Art 564 ¶2: police who within 15 days of the withdrawal
/// notice neither withdraw the case nor ask for 复议 are overdue, and only
/// then may the procuratorate issue its 纠正违法通知书.
#[test]
fn without_withdrawal_or_objection_in_fifteen_days_a_notice_to_correct_follows() {
    const DUTY: &str = "PSB_WITHDRAW_AFTER_NOTICE";
    for state in ["S8_FILED", "S10_INVESTIGATION"] {
        let (mut sim, case_id) = case_at(state);
        let correct = call(&case_id, "notice-to-correct", None);
        // No withdrawal notice: nothing to wait for.
        assert_eq!(
            code(&sim, "proc", Role::Head, &correct),
            "not_overdue",
            "{state}"
        );
        for action in [
            "demand-filing-reasons",
            "explain-filing",
            "notify-withdrawal",
        ] {
            perform(&mut sim, &case_id, action, None);
        }
        let notified = sim
            .case(&case_id)
            .mark("notify-withdrawal")
            .unwrap()
            .time_ms;
        let duty = clock(&sim, &case_id, DUTY, notified).expect("the duty runs");
        assert_eq!((duty.kind, duty.actor.as_str()), (ClockKind::Duty, "PSB"));
        assert_eq!(duty.due_at_ms, days_after(notified, 15));
        assert!(duty.source.contains("Art 564"), "{}", duty.source);

        // On the last instant it is still early: refused, naming the clock,
        // and nothing changes.
        sim.time_ms = duty.due_at_ms;
        let before = sim.state.clone();
        let error = sim
            .try_call(&sim::head("proc"), Call::CaseAction(correct.clone()))
            .unwrap_err();
        assert_eq!(error.code(), "not_overdue");
        assert!(error.to_string().contains(DUTY), "{error}");
        assert_eq!(sim.state, before);

        // Past it the police are overdue and the chief procurator issues the
        // notice; the case stays where it is.
        sim.time_ms = duty.due_at_ms + 1;
        assert!(clock(&sim, &case_id, DUTY, sim.time_ms).unwrap().overdue);
        assert!(read::overdue_cases(&sim, sim.time_ms)
            .unwrap()
            .iter()
            .any(|(case, _)| case.id == case_id));
        only_by(
            &mut sim,
            &case_id,
            ("notice-to-correct", None),
            "proc",
            Role::Head,
        );
        assert_eq!(sim.state_of(&case_id).name(), state);
        assert!(sim.case(&case_id).mark("notice-to-correct").is_some());
    }
}

/// A 复议 request within the 15 days answers the notice: the duty stops and
/// no notice to correct can follow.
#[test]
fn a_timely_reconsideration_request_stops_the_withdrawal_duty() {
    const DUTY: &str = "PSB_WITHDRAW_AFTER_NOTICE";
    let (mut sim, case_id) = case_at("S9_ITEMS_HANDED_OVER");
    for action in [
        "demand-filing-reasons",
        "explain-filing",
        "notify-withdrawal",
        "request-proc-reconsideration",
    ] {
        perform(&mut sim, &case_id, action, None);
    }
    sim.time_ms += 30 * DAY_MS;
    assert!(clock(&sim, &case_id, DUTY, sim.time_ms).is_none());
    assert_eq!(
        code(
            &sim,
            "proc",
            Role::Head,
            &call(&case_id, "notice-to-correct", None)
        ),
        "not_overdue"
    );
}

/// A chain whose parameters predate the withdrawal duty replays as it was
/// written: no notice to correct from S8–S10 (the row was not there), and
/// the 检察意见 stops the penalty-decision period for good, as it did then.
/// Adding the rule by governance brings both in.
#[test]
fn a_chain_without_the_withdrawal_duty_keeps_the_rules_it_was_written_with() {
    let mut params = sim::sim_params();
    params
        .deadlines
        .retain(|rule| rule.id != "PSB_WITHDRAW_AFTER_NOTICE");
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S8_FILED");
    for action in [
        "demand-filing-reasons",
        "explain-filing",
        "notify-withdrawal",
    ] {
        perform(&mut sim, &case_id, action, None);
    }
    sim.time_ms += 30 * DAY_MS;
    let correct = call(&case_id, "notice-to-correct", None);
    assert_eq!(
        code(&sim, "proc", Role::Head, &correct),
        "invalid_transition"
    );

    let held = open_case(&mut sim, "general");
    perform(&mut sim, &held, "open-admin-case", None);
    perform(&mut sim, &held, "suggest-transfer", None);
    sim.time_ms += DAY_MS;
    perform(&mut sim, &held, "answer-opinion", None);
    const PENALTY: &str = "ADMIN_PENALTY_DECISION";
    assert!(clock(&sim, &held, PENALTY, sim.time_ms).is_none());
    assert!(sim.case(&held).paused.is_empty());
}
