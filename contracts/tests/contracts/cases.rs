//! Case rules beyond the table rows: the no-penalty-instead-of-transfer
//! guard (DOMAIN §b.3 ¶1), same-level transfer targets (¶5), the task force
//! (¶4), procuratorial visibility (T6c/D1), re-collection of class C
//! evidence (§e), and the opening of a case.

use xianjie_contracts::read;
use xianjie_ledger::case::{AttachmentKind, LeadKind, LeadSource, Outcome, TransferTarget};
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{EvidenceAnchor, EvidenceCategory, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::tx::{Call, LinkRecollected, OpenCase, RegisterOfficer};

use crate::expect::{call_for, drive, expectation, open_case, perform};
use crate::sim::{self, org_id, Sim};

fn code_of(
    sim: &mut Sim,
    case_id: &CaseId,
    action: &str,
    outcome: Option<&str>,
    org: &str,
    role: Role,
) -> String {
    let call = call_for(expectation(action, outcome), case_id);
    sim.code(&sim::key_for(org, role), Call::CaseAction(call))
}

fn mark_suspected(sim: &mut Sim, case_id: &CaseId) -> String {
    code_of(
        sim,
        case_id,
        "mark-suspected",
        None,
        "market",
        Role::Officer,
    )
}

fn penalty(sim: &mut Sim, case_id: &CaseId) -> String {
    code_of(
        sim,
        case_id,
        "penalty-decision",
        Some("penalty"),
        "market",
        Role::Head,
    )
}

fn case_via(actions: &[(&str, Option<&str>)]) -> (Sim, CaseId) {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    for (action, outcome) in actions {
        perform(&mut sim, &case_id, action, *outcome);
    }
    (sim, case_id)
}

/// A case through trial to a judgment with `outcome`, fed back to the agency (S15).
fn fed_back(outcome: &'static str) -> Vec<(&'static str, Option<&'static str>)> {
    let mut actions = TO_S7.to_vec();
    actions.extend([
        ("file", None),
        ("start-investigation", None),
        ("refer-for-prosecution", None),
        ("indict", None),
        ("accept-trial", None),
        ("judgment", Some(outcome)),
        ("feedback", None),
    ]);
    actions
}

const TO_S7: [(&str, Option<&str>); 7] = [
    ("open-admin-case", None),
    ("mark-suspected", None),
    ("form-taskforce", None),
    ("submit-report", None),
    ("approve-transfer", None),
    ("transfer", None),
    ("receive", None),
];

#[test]
fn an_administrative_penalty_never_replaces_a_due_transfer() {
    // Never suspected: the agency decides itself.
    let (mut sim, case_id) = case_via(&[("open-admin-case", None)]);
    assert_eq!(penalty(&mut sim, &case_id), "ok");
    // Suspected and on the way to the transfer (S2-S5, no decline): refused.
    let mut preparation = vec![("open-admin-case", None), ("mark-suspected", None)];
    for next in [
        Some("form-taskforce"),
        Some("submit-report"),
        Some("approve-transfer"),
        None,
    ] {
        let (mut sim, case_id) = case_via(&preparation);
        assert_eq!(
            penalty(&mut sim, &case_id),
            "penalty_instead_of_transfer",
            "{:?}",
            sim.state_of(&case_id)
        );
        let no_penalty = call_for(
            expectation("penalty-decision", Some("no-penalty")),
            &case_id,
        );
        assert_eq!(
            sim.code(&sim::head("market"), Call::CaseAction(no_penalty)),
            "penalty_instead_of_transfer"
        );
        preparation.extend(next.map(|action| (action, None)));
    }
    // The head declined but the agency has not yet recorded that it
    // continues administratively: still refused in S5X.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("mark-suspected", None),
        ("form-taskforce", None),
        ("submit-report", None),
        ("decline-transfer", None),
    ]);
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
    // The procuratorate requires the transfer (D3) and the agency has not
    // answered it: refused, also after an earlier decline or return.
    let (mut sim, case_id) = case_via(&[("open-admin-case", None), ("suggest-transfer", None)]);
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("mark-suspected", None),
        ("form-taskforce", None),
        ("submit-report", None),
        ("decline-transfer", None),
        ("continue-admin", None),
        ("suggest-transfer", None),
    ]);
    assert_eq!(sim.state_of(&case_id).name(), "S1_ADMIN_CASE");
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
    let mut actions = TO_S7.to_vec();
    actions.extend([("return-to-admin", None), ("suggest-transfer", None)]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
    // Not filed, but not yet final: refused.
    let mut actions = TO_S7.to_vec();
    actions.push(("decline-filing", None));
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
}

#[test]
fn after_a_declined_transfer_or_a_police_return_the_agency_decides_and_closes() {
    // T5x: the head declined with reasons recorded and the agency continues
    // administratively; T7c: the police returned the matter in writing as
    // outside their remit. Either way the agency decides (APL Art 60) and
    // the case can be closed; the 90-day clock stops with the decision.
    let mut returned = TO_S7.to_vec();
    returned.push(("return-to-admin", None));
    let declined = vec![
        ("open-admin-case", None),
        ("mark-suspected", None),
        ("form-taskforce", None),
        ("submit-report", None),
        ("decline-transfer", None),
        ("continue-admin", None),
    ];
    // A D3 opinion the head answered by declining again (S5X → S4 → S5X).
    let mut answered = declined.clone();
    answered.pop();
    answered.extend([
        ("suggest-transfer", None),
        ("decline-transfer", None),
        ("continue-admin", None),
    ]);
    for (path, outcome) in [
        (&declined, "penalty"),
        (&declined, "no-penalty"),
        (&declined, "fine"),
        (&returned, "penalty"),
        (&returned, "no-penalty"),
        (&answered, "penalty"),
    ] {
        let (mut sim, case_id) = case_via(path);
        assert_eq!(state_name(&sim, &case_id), "S1_ADMIN_CASE");
        let running = |sim: &Sim| {
            read::case_clocks(sim, &case_id, sim.time_ms)
                .unwrap()
                .unwrap()
                .iter()
                .any(|clock| clock.rule == "ADMIN_PENALTY_DECISION")
        };
        // A D3 opinion stopped the 90-day clock for good (a penalty was
        // then barred); otherwise it runs from the administrative opening.
        let opinion = path.iter().any(|(action, _)| *action == "suggest-transfer");
        assert_eq!(running(&sim), !opinion, "{path:?}");
        assert_eq!(
            code_of(
                &mut sim,
                &case_id,
                "penalty-decision",
                Some(outcome),
                "market",
                Role::Head
            ),
            "ok",
            "{outcome} after {:?}",
            path.last()
        );
        assert_eq!(state_name(&sim, &case_id), "R5_DECIDED");
        assert!(!running(&sim));
        assert_eq!(
            code_of(&mut sim, &case_id, "close", None, "market", Role::Officer),
            "ok"
        );
        assert_eq!(state_name(&sim, &case_id), "R9_CLOSED");
    }
}

#[test]
fn a_penalty_is_allowed_after_s8x_final_s10x_s12x_or_s14() {
    // S8X final on reconsideration: directly from S8X.
    let mut actions = TO_S7.to_vec();
    actions.extend([
        ("decline-filing", None),
        ("request-reconsideration", None),
        ("decide-reconsideration", Some("uphold")),
    ]);
    let (mut sim, case_id) = case_via(&actions);
    assert!(sim.case(&case_id).flags.non_filing_final);
    assert_eq!(penalty(&mut sim, &case_id), "ok");
    // A second reconsideration is not available.
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "request-reconsideration",
            None,
            "market",
            Role::Officer
        ),
        "already_reconsidered"
    );

    // S8X final because the agency accepts it (T16), or the procuratorate
    // finds the reasons valid (D4a/T15): through R0 and R4.
    for tail in [
        vec![("decline-filing", None), ("accept-non-filing", None)],
        vec![
            ("decline-filing", None),
            ("request-supervision", None),
            ("demand-reasons", None),
            ("explain", None),
            ("accept-reasons", None),
        ],
        // S10X.
        vec![
            ("file", None),
            ("start-investigation", None),
            ("withdraw", None),
            ("transfer-back", None),
        ],
        // S14.
        vec![
            ("file", None),
            ("start-investigation", None),
            ("refer-for-prosecution", None),
            ("indict", None),
            ("accept-trial", None),
            ("judgment", Some("exempted")),
            ("feedback", None),
        ],
    ] {
        let mut actions = TO_S7.to_vec();
        actions.extend(tail.iter().copied());
        actions.push(("accept-reverse", None));
        let (mut sim, case_id) = case_via(&actions);
        assert_eq!(sim.state_of(&case_id).name(), "R4_ADMIN_CASE");
        assert_eq!(penalty(&mut sim, &case_id), "ok", "{tail:?}");
        assert_eq!(
            code_of(&mut sim, &case_id, "close", None, "market", Role::Officer),
            "ok"
        );
    }

    // S12X: the procuratorate's opinion comes back; the agency must reply
    // before closing.
    let mut actions = TO_S7.to_vec();
    actions.extend([
        ("file", None),
        ("start-investigation", None),
        ("refer-for-prosecution", None),
        ("not-prosecute", None),
        ("internal-transfer", None),
        ("register-review", None),
        ("reverse-transfer", None),
        ("accept-reverse", None),
    ]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(penalty(&mut sim, &case_id), "ok");
    assert_eq!(
        code_of(&mut sim, &case_id, "close", None, "market", Role::Officer),
        "reply_required"
    );
    let clocks = read::case_clocks(&sim, &case_id, sim.time_ms)
        .unwrap()
        .unwrap();
    assert!(clocks.iter().any(|c| c.rule == "REV_AEA_REPLY"));
    assert!(clocks.iter().any(|c| c.rule == "SAMR_PENALTY_PUBLICATION"));
    perform(&mut sim, &case_id, "reply", None);
    assert_eq!(
        code_of(&mut sim, &case_id, "close", None, "market", Role::Officer),
        "ok"
    );
}

#[test]
fn no_administrative_fine_follows_a_criminal_fine() {
    // T23 (APL Art 35 ¶2, SC-Transfer Art 11 ¶3): once the court imposed a
    // criminal fine (罚金) the agency imposes no fine (罚款) for the same
    // facts; other penalties (a licence revoked) remain. Without a criminal
    // fine the agency may fine.
    for (judgment, fine) in [
        ("convicted-fined", "fine_after_criminal_fine"),
        ("convicted", "ok"),
        ("exempted", "ok"),
        ("acquitted", "ok"),
    ] {
        let mut actions = fed_back(judgment);
        actions.push(("accept-reverse", None));
        let (mut sim, case_id) = case_via(&actions);
        let decide = |sim: &mut Sim, outcome| {
            let case_id = &case_id;
            code_of(
                sim,
                case_id,
                "penalty-decision",
                Some(outcome),
                "market",
                Role::Head,
            )
        };
        assert_eq!(decide(&mut sim, "fine"), fine, "a fine after {judgment}");
        if fine != "ok" {
            assert_eq!(state_name(&sim, &case_id), "R4_ADMIN_CASE");
            assert_eq!(
                decide(&mut sim, "penalty"),
                "ok",
                "a penalty after {judgment}"
            );
        }
        // A fine is a penalty: its publication is due as a penalty's is.
        let clocks = read::case_clocks(&sim, &case_id, sim.time_ms)
            .unwrap()
            .unwrap();
        assert!(clocks.iter().any(|c| c.rule == "SAMR_PENALTY_PUBLICATION"));
    }
}

#[test]
fn a_second_administrative_fine_for_the_same_act_is_refused() {
    // APL Art 29: 对违法行为人的同一个违法行为，不得给予两次以上罚款的行政处罚.
    // A fine decided before the case turned criminal stays in force (§b.3
    // ¶2); after a non-prosecution the agency may decide again, but not fine
    // again, however often the decision's mark was overwritten since.
    let mut actions = vec![
        ("open-admin-case", None),
        ("penalty-decision", Some("fine")),
        ("mark-suspected", None),
    ];
    actions.extend(TO_S7[2..].iter().copied());
    actions.extend([
        ("file", None),
        ("start-investigation", None),
        ("refer-for-prosecution", None),
        ("not-prosecute", None),
        ("internal-transfer", None),
        ("register-review", None),
        ("reverse-transfer", None),
        ("accept-reverse", None),
    ]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(state_name(&sim, &case_id), "R4_ADMIN_CASE");
    let decide = |sim: &mut Sim, outcome| {
        code_of(
            sim,
            &case_id,
            "penalty-decision",
            Some(outcome),
            "market",
            Role::Head,
        )
    };
    let mut refused = sim.clone();
    assert_eq!(decide(&mut refused, "fine"), "second_fine");
    assert_eq!(state_name(&refused, &case_id), "R4_ADMIN_CASE");
    let call = call_for(expectation("penalty-decision", Some("fine")), &case_id);
    let error = refused
        .try_call(&sim::head("market"), Call::CaseAction(call))
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("#2") && message.contains("without a fine"),
        "{message}"
    );
    // Other penalties (confiscation, a licence revoked) remain possible.
    assert_eq!(decide(&mut sim, "penalty"), "ok");
    assert_eq!(
        sim.case(&case_id).mark("penalty-decision").unwrap().outcome,
        Some(Outcome::Penalty)
    );
    // The mark now shows the later decision; the fine is still known.
    let fines: Vec<u32> = read::case_events(&sim, &case_id)
        .unwrap()
        .iter()
        .filter(|e| e.action == "penalty-decision" && e.outcome == Some(Outcome::Fine))
        .map(|e| e.seq)
        .collect();
    assert_eq!(fines, [2]);

    // A first fine after an earlier decision without one is allowed.
    let mut actions = vec![
        ("open-admin-case", None),
        ("penalty-decision", Some("penalty")),
        ("mark-suspected", None),
    ];
    actions.extend(TO_S7[2..].iter().copied());
    actions.extend([
        ("decline-filing", None),
        ("accept-non-filing", None),
        ("accept-reverse", None),
    ]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "penalty-decision",
            Some("fine"),
            "market",
            Role::Head
        ),
        "ok"
    );
}

/// The state a code leaves the case in, for readable assertions.
fn state_name(sim: &Sim, case_id: &CaseId) -> &'static str {
    sim.state_of(case_id).name()
}

#[test]
fn a_penalty_decided_before_any_suspicion_does_not_shut_off_the_transfer() {
    // DOMAIN §b.3 ¶2: a fine imposed while the case was only administrative
    // stays in force and is carried for offset (SC-Transfer Art 11 ¶3); if
    // the facts then turn out to be criminal the case is still transferred.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("penalty")),
    ]);
    assert_eq!(state_name(&sim, &case_id), "R5_DECIDED");
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");
    assert_eq!(state_name(&sim, &case_id), "S2_SUSPECTED_CRIME");
    // From here 以罚代刑 is refused as for any suspected case.
    assert_eq!(penalty(&mut sim, &case_id), "penalty_instead_of_transfer");
    for action in [
        "form-taskforce",
        "submit-report",
        "approve-transfer",
        "transfer",
        "receive",
        "file",
    ] {
        perform(&mut sim, &case_id, action, None);
    }
    assert_eq!(state_name(&sim, &case_id), "S8_FILED");
    let case = sim.case(&case_id);
    assert_eq!(case.police, Some(org_id("police")));
    assert_eq!(case.procuratorate, Some(org_id("proc")));
    // The prior penalty stays on the case (for the offset of T23, §c.3).
    let mark = case.mark("penalty-decision").expect("the prior penalty");
    assert_eq!(mark.outcome, Some(Outcome::Penalty));
    assert!(mark.seq < case.mark("mark-suspected").unwrap().seq);
    let events = read::case_events(&sim, &case_id).unwrap();
    let decided = events
        .iter()
        .find(|e| e.action == "penalty-decision")
        .unwrap();
    assert_eq!(decided.from.name(), "S1_ADMIN_CASE");
    assert_eq!(decided.outcome, Some(Outcome::Penalty));

    // Also once the penalty was published (R7), the agency's next duty.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("penalty")),
        ("publish", None),
    ]);
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");

    // A tax case still needs the 追缴通知 on this path (§b.4).
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "tax");
    perform(&mut sim, &case_id, "open-admin-case", None);
    perform(&mut sim, &case_id, "penalty-decision", Some("penalty"));
    assert_eq!(mark_suspected(&mut sim, &case_id), "missing_attachment");

    // Also after a decision of no penalty: the duty to transfer a suspected
    // crime (SC-Transfer Art 3) does not end with it.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("no-penalty")),
    ]);
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");

    // A case that already went through S2 and came back to R5 (here after a
    // final non-filing) is not marked suspected again this way.
    let mut actions = TO_S7.to_vec();
    actions.extend([
        ("decline-filing", None),
        ("accept-non-filing", None),
        ("accept-reverse", None),
        ("penalty-decision", Some("penalty")),
    ]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(state_name(&sim, &case_id), "R5_DECIDED");
    assert_eq!(mark_suspected(&mut sim, &case_id), "already_suspected");
    perform(&mut sim, &case_id, "publish", None);
    assert_eq!(mark_suspected(&mut sim, &case_id), "already_suspected");
}

#[test]
fn a_procuratorial_opinion_does_not_bypass_the_transfer_preparation() {
    // D3: the 检察意见 requires the agency to transfer; the agency still
    // marks the suspicion (T2, with the tax gate of §b.4), forms the task
    // force (T3, §b.3 ¶4) and submits the report (T4) before the head decides.
    let suggest = |sim: &mut Sim, case_id: &CaseId| {
        code_of(sim, case_id, "suggest-transfer", None, "proc", Role::Head)
    };
    let approve = |sim: &mut Sim, case_id: &CaseId| {
        code_of(sim, case_id, "approve-transfer", None, "market", Role::Head)
    };
    for (route, at) in [
        (&[("open-admin-case", None)][..], "S1_ADMIN_CASE"),
        (
            &[("open-admin-case", None), ("mark-suspected", None)][..],
            "S2_SUSPECTED_CRIME",
        ),
        (
            &[
                ("open-admin-case", None),
                ("mark-suspected", None),
                ("form-taskforce", None),
            ][..],
            "S3_TASKFORCE",
        ),
    ] {
        let (mut sim, case_id) = case_via(route);
        assert_eq!(suggest(&mut sim, &case_id), "ok", "{at}");
        assert_eq!(state_name(&sim, &case_id), at);
        // No penalty is due while the opinion bars one: its 90-day clock stops.
        let params = read::params(&sim).unwrap();
        let clocks =
            xianjie_contracts::deadline::case_clocks(&params, &sim.case(&case_id), sim.time_ms);
        assert!(
            clocks.iter().all(|c| c.rule != "ADMIN_PENALTY_DECISION"),
            "{at}: {clocks:?}"
        );
        assert_eq!(sim.case(&case_id).procuratorate, Some(org_id("proc")));
        // No approval or transfer without the task force and the report.
        assert_eq!(approve(&mut sim, &case_id), "invalid_transition", "{at}");
        assert_eq!(
            code_of(
                &mut sim,
                &case_id,
                "transfer",
                None,
                "market",
                Role::Officer
            ),
            "invalid_transition",
            "{at}"
        );
        // The opinion's effect: no administrative penalty instead (§b.3 ¶1).
        assert_eq!(
            penalty(&mut sim, &case_id),
            "penalty_instead_of_transfer",
            "{at}"
        );
        // The proper path.
        let steps: &[&str] = match at {
            "S1_ADMIN_CASE" => &["mark-suspected", "form-taskforce", "submit-report"],
            "S2_SUSPECTED_CRIME" => &["form-taskforce", "submit-report"],
            _ => &["submit-report"],
        };
        for action in steps {
            perform(&mut sim, &case_id, action, None);
        }
        assert_eq!(approve(&mut sim, &case_id), "ok", "{at}");
        perform(&mut sim, &case_id, "transfer", None);
        assert_eq!(state_name(&sim, &case_id), "S6_TRANSFERRED");
        assert!(sim.case(&case_id).taskforce.len() >= 2);
    }

    // A tax case still needs the 追缴通知 to be marked suspected.
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "tax");
    perform(&mut sim, &case_id, "open-admin-case", None);
    assert_eq!(suggest(&mut sim, &case_id), "ok");
    assert_eq!(approve(&mut sim, &case_id), "invalid_transition");
    assert_eq!(mark_suspected(&mut sim, &case_id), "missing_attachment");

    // A declined transfer (the report was written by the task force) goes
    // back to the head, whose 3-day clock restarts at the opinion (T5x).
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("mark-suspected", None),
        ("form-taskforce", None),
        ("submit-report", None),
        ("decline-transfer", None),
    ]);
    sim.advance(10 * sim::DAY_MS);
    assert_eq!(suggest(&mut sim, &case_id), "ok");
    assert_eq!(state_name(&sim, &case_id), "S4_PENDING_APPROVAL");
    let clocks = read::case_clocks(&sim, &case_id, sim.time_ms)
        .unwrap()
        .unwrap();
    let head = clocks
        .iter()
        .find(|c| c.rule == "AEA_HEAD_DECISION")
        .expect("the head's clock runs");
    assert_eq!(head.started_at_ms, sim.case(&case_id).updated_at_ms);
    assert!(!head.overdue);
    assert_eq!(approve(&mut sim, &case_id), "ok");
}

#[test]
fn every_judgment_lets_the_agency_take_the_case_back_or_close_it() {
    // T24: after 免予刑事处罚 or an acquittal the agency may penalise; after
    // a conviction it may still act on what stays administrative (licences,
    // warnings: §b.3 ¶2–3).
    for outcome in ["convicted", "convicted-fined", "exempted", "acquitted"] {
        let actions = fed_back(outcome);
        for then in ["accept-reverse", "close"] {
            let (mut sim, case_id) = case_via(&actions);
            assert_eq!(sim.state_of(&case_id).name(), "S15_FEEDBACK");
            assert_eq!(
                code_of(&mut sim, &case_id, then, None, "market", Role::Officer),
                "ok",
                "{outcome} then {then}"
            );
        }
    }
}

#[test]
fn filing_after_a_final_non_filing_puts_the_case_back_on_the_criminal_track() {
    let mut actions = TO_S7.to_vec();
    actions.extend([
        ("decline-filing", None),
        ("request-reconsideration", None),
        ("decide-reconsideration", Some("uphold")),
        ("request-supervision", None),
        ("order-filing", None),
        ("file", None),
    ]);
    let (sim, case_id) = case_via(&actions);
    let flags = sim.case(&case_id).flags;
    assert!(flags.suspected && !flags.non_filing_final && !flags.transfer_resolved);
}

#[test]
fn only_the_same_level_police_or_a_configured_target_receives_a_transfer() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    let mut call = call_for(expectation("transfer", None), &case_id);
    call.to = Some(org_id("police-b"));
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call.clone())),
        "invalid_target"
    );
    call.to = Some(org_id("court"));
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call.clone())),
        "invalid_target"
    );

    // Customs-style special jurisdiction: configured per agency.
    let mut params = sim::sim_params();
    params.cases.transfer_targets = vec![TransferTarget {
        agency: org_id("market"),
        police: org_id("police-b"),
    }];
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    call.case_id = case_id.clone();
    call.to = Some(org_id("police-b"));
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call)),
        "ok"
    );
    let case = sim.case(&case_id);
    assert_eq!(case.police, Some(org_id("police-b")));
    // The supervising procuratorate is still the agency's own region's.
    assert_eq!(case.procuratorate, Some(org_id("proc")));
}

#[test]
fn a_transfer_binds_and_indexes_the_supervising_procuratorate() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    assert!(read::supervised_cases(&sim, &org_id("proc"))
        .unwrap()
        .is_empty());
    perform(&mut sim, &case_id, "transfer", None);
    assert_eq!(
        read::supervised_cases(&sim, &org_id("proc")).unwrap(),
        std::slice::from_ref(&case_id)
    );
    assert!(read::supervised_cases(&sim, &org_id("proc-b"))
        .unwrap()
        .is_empty());
    for org in ["market", "police", "proc"] {
        assert_eq!(
            read::cases_of_org(&sim, &org_id(org)).unwrap(),
            std::slice::from_ref(&case_id)
        );
    }
    assert!(read::cases_of_org(&sim, &org_id("court"))
        .unwrap()
        .is_empty());

    // Without a procuratorate in the region the transfer still goes ahead
    // (it is mandatory; the copy is UNVERIFIED): the case is bound to no
    // procuratorate until one of the region acts.
    let mut genesis = sim::genesis(sim::sim_params());
    genesis.orgs.retain(|entry| entry.org.id.as_str() != "proc");
    let mut sim = Sim::from_genesis(&genesis);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "transfer",
            None,
            "market",
            Role::Officer
        ),
        "ok"
    );
    assert_eq!(sim.case(&case_id).procuratorate, None);
}

#[test]
fn supervision_beside_a_pending_reconsideration_is_a_parameter() {
    let mut actions = TO_S7.to_vec();
    actions.extend([("decline-filing", None), ("request-reconsideration", None)]);
    let (mut sim, case_id) = case_via(&actions);
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "request-supervision",
            None,
            "market",
            Role::Officer
        ),
        "ok"
    );
    let mut params = sim::sim_params();
    params.cases.supervision_during_reconsideration = false;
    let mut sim = Sim::with_params(params);
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S8R_RECONSIDERATION");
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "request-supervision",
            None,
            "market",
            Role::Officer
        ),
        "supervision_during_reconsideration"
    );
    // After the police uphold the non-filing, supervision is open again (T13b).
    perform(&mut sim, &case_id, "decide-reconsideration", Some("uphold"));
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "request-supervision",
            None,
            "market",
            Role::Officer
        ),
        "ok"
    );
}

#[test]
fn the_task_force_signs_the_report() {
    let mut sim = Sim::new();
    let member = sim::key_for("market", Role::Officer);
    let newcomer = xianjie_ledger::crypto::SecretKey::from_bytes(&[77; 32]);
    sim.run(
        &sim::admin("market"),
        Call::RegisterOfficer(RegisterOfficer {
            public_key: newcomer.public_key(),
            role: Role::Officer,
        }),
    )
    .unwrap();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S3_TASKFORCE");
    assert_eq!(
        sim.case(&case_id).taskforce,
        [sim::id_of(&member), sim::id_of(&sim::officer2("market"))]
    );
    let report = call_for(expectation("submit-report", None), &case_id);
    assert_eq!(
        sim.code(&newcomer, Call::CaseAction(report.clone())),
        "not_taskforce_member"
    );
    assert_eq!(
        sim.code(&sim::officer2("market"), Call::CaseAction(report)),
        "ok"
    );
}

#[test]
fn a_tax_case_needs_the_recovery_notice_before_it_is_marked_suspected() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "tax");
    perform(&mut sim, &case_id, "open-admin-case", None);
    let mut call = call_for(expectation("mark-suspected", None), &case_id);
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call.clone())),
        "missing_attachment"
    );
    call.attachments.push(xianjie_ledger::case::Attachment {
        kind: AttachmentKind::RecoveryNotice,
        digest: file_digest(b"recovery notice"),
    });
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call)),
        "ok"
    );
}

#[test]
fn opening_a_case() {
    let mut sim = Sim::new();
    let open = |title: &str, entity: String, domain: &str| {
        Call::OpenCase(OpenCase {
            title: title.into(),
            entity,
            domain: domain.into(),
            lead: LeadSource {
                kind: LeadKind::Complaint,
                reference: None,
            },
        })
    };
    let good = || open("某超市销售过期食品", sim::entity(), "general");
    assert_eq!(sim.code(&sim::officer("police"), good()), "wrong_org_kind");
    assert_eq!(sim.code(&sim::admin("market"), good()), "wrong_role");
    assert_eq!(sim.code(&sim::officer("lab"), good()), "wrong_org_kind");
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            open("x", "91350100M0001TGQXM".into(), "general")
        ),
        "invalid_entity"
    );
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            open("x", sim::entity(), "fisheries")
        ),
        "unknown_domain"
    );
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            open(&"长".repeat(40), sim::entity(), "general")
        ),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&sim::officer("market"), open("", sim::entity(), "general")),
        "invalid_field"
    );
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            open("投诉人电话138-1234-5678", sim::entity(), "general")
        ),
        "personal_information"
    );
    let hash = sim.run(&sim::officer("market"), good()).unwrap();
    let id = xianjie_ledger::ids::CaseId::for_tx(&hash);
    assert!(id.starts_with("CASE-") && id.len() == 21, "{id}");
    let case = sim.case(&id);
    assert_eq!(case.owner, org_id("market"));
    assert_eq!(case.region, "330100");
    assert_eq!(case.entity, sim::entity());
    let events = read::case_events(&sim, &id).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "open-case");
}

fn anchor(
    sim: &mut Sim,
    org: &str,
    content: &[u8],
    category: EvidenceCategory,
    case_id: &CaseId,
) -> String {
    let anchor = EvidenceAnchor {
        digest: file_digest(content),
        size: content.len() as u64,
        media_type: "application/pdf".into(),
        category,
        case_id: Some(case_id.into()),
        collected_at: 1_780_000_000,
        collected_by: vec![
            sim::id_of(&sim::officer(org)),
            sim::id_of(&sim::officer2(org)),
        ],
        capture_method: "scan".into(),
        capture_tool: "scanner".into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    sim.code(&sim::officer(org), sim::anchor_call(org, anchor))
}

#[test]
fn class_c_evidence_is_flagged_at_transfer_and_linked_to_its_recollection() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S5_APPROVED");
    let witness = file_digest(b"witness statement");
    let ledger = file_digest(b"till ledger");
    assert_eq!(
        anchor(
            &mut sim,
            "market",
            b"witness statement",
            EvidenceCategory::Witness,
            &case_id
        ),
        "ok"
    );
    assert_eq!(
        anchor(
            &mut sim,
            "market",
            b"till ledger",
            EvidenceCategory::Documentary,
            &case_id
        ),
        "ok"
    );
    // Only parties of the case may add evidence to it.
    assert_eq!(
        anchor(
            &mut sim,
            "lab",
            b"lab note",
            EvidenceCategory::Documentary,
            &case_id
        ),
        "not_case_party"
    );
    assert_eq!(
        read::case_evidence(&sim, &case_id).unwrap(),
        [witness, ledger]
    );
    assert!(read::recollection(&sim, &witness).unwrap().is_none());

    perform(&mut sim, &case_id, "transfer", None);
    let flag = read::recollection(&sim, &witness).unwrap().unwrap();
    assert!(flag.requires_recollection && flag.recollected.is_none());
    assert_eq!(flag.case_id, case_id);
    assert!(read::recollection(&sim, &ledger).unwrap().is_none());

    // A party statement the agency anchors after the transfer is flagged at once.
    let party = file_digest(b"party statement");
    assert_eq!(
        anchor(
            &mut sim,
            "market",
            b"party statement",
            EvidenceCategory::Party,
            &case_id
        ),
        "ok"
    );
    assert!(read::recollection(&sim, &party).unwrap().is_some());

    // The police take the statement again and link it.
    perform(&mut sim, &case_id, "receive", None);
    assert_eq!(
        anchor(
            &mut sim,
            "police",
            b"fresh statement",
            EvidenceCategory::Witness,
            &case_id
        ),
        "ok"
    );
    let fresh = file_digest(b"fresh statement");
    assert!(
        read::recollection(&sim, &fresh).unwrap().is_none(),
        "criminal-side statements are not flagged"
    );
    let link = |original, recollected| {
        Call::LinkRecollected(LinkRecollected {
            original,
            recollected,
        })
    };
    assert_eq!(
        sim.code(&sim::officer("market"), link(witness, fresh)),
        "not_case_party"
    );
    assert_eq!(
        sim.code(&sim::officer("police"), link(ledger, fresh)),
        "not_recollectable"
    );
    assert_eq!(
        sim.code(&sim::officer("police"), link(witness, party)),
        "recollected_other_org"
    );
    assert_eq!(
        sim.code(&sim::officer("police"), link(witness, fresh)),
        "ok"
    );
    assert_eq!(
        sim.code(&sim::officer("police"), link(witness, fresh)),
        "already_linked"
    );
    let flag = read::recollection(&sim, &witness).unwrap().unwrap();
    assert_eq!(flag.recollected, Some(fresh));
    assert_eq!(flag.linked_by, Some(org_id("police")));
}

#[test]
fn items_are_handed_over_once() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    drive(&mut sim, &case_id, "S9_ITEMS_HANDED_OVER");
    perform(&mut sim, &case_id, "start-investigation", None);
    assert_eq!(
        code_of(
            &mut sim,
            &case_id,
            "hand-over-items",
            None,
            "market",
            Role::Officer
        ),
        "already_handed_over"
    );
}

#[test]
fn default_params_are_used_by_the_simulation() {
    // The simulation runs on the defaults (Appendix A, default policies).
    let sim = Sim::new();
    let params = read::params(&sim).unwrap();
    assert_eq!(params.deadlines, Params::default().deadlines);
    assert_eq!(params.policy_set, Params::default().policy_set);
}

#[test]
fn a_penalty_decided_before_the_case_turned_criminal_is_still_published() {
    // The penalty stays in force (SC-Transfer Art 11 ¶2), so its publication
    // is still due (SAMR-Penalty-Disclosure Art 9): the clock keeps running
    // on the criminal track and `publish` is recorded there without moving
    // the case.
    let publish = |sim: &mut Sim, case_id: &CaseId| {
        code_of(sim, case_id, "publish", None, "market", Role::Officer)
    };
    let publication_running = |sim: &Sim, case_id: &CaseId| {
        read::case_clocks(sim, case_id, sim.time_ms)
            .unwrap()
            .unwrap()
            .iter()
            .any(|clock| clock.rule == "SAMR_PENALTY_PUBLICATION")
    };
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("fine")),
    ]);
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");
    perform(&mut sim, &case_id, "form-taskforce", None);
    assert_eq!(state_name(&sim, &case_id), "S3_TASKFORCE");
    assert!(publication_running(&sim, &case_id));
    assert_eq!(publish(&mut sim, &case_id), "ok");
    assert_eq!(state_name(&sim, &case_id), "S3_TASKFORCE");
    assert!(!publication_running(&sim, &case_id));
    assert_eq!(publish(&mut sim, &case_id), "nothing_to_publish");

    // Published before it turned criminal: nothing left to publish.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("penalty")),
        ("publish", None),
    ]);
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");
    assert!(!publication_running(&sim, &case_id));
    assert_eq!(publish(&mut sim, &case_id), "nothing_to_publish");

    // A decision of no penalty has nothing to publish, in R5 or later.
    let (mut sim, case_id) = case_via(&[
        ("open-admin-case", None),
        ("penalty-decision", Some("no-penalty")),
    ]);
    assert_eq!(publish(&mut sim, &case_id), "nothing_to_publish");
    assert_eq!(mark_suspected(&mut sim, &case_id), "ok");
    assert_eq!(publish(&mut sim, &case_id), "nothing_to_publish");
}
