//! Procuratorial supervision (DOMAIN §d, §g): every threshold rule at, just
//! below and just above its boundary; facts refused with their codes; the
//! 以罚代刑 flag on a fined case that meets a rule, found and sent on with a
//! 检察意见 (D3); the 有案不移 flag raised by the chain when the clock runs
//! out; rules changed only through governance.

use xianjie_contracts::supervision::{evaluate, holds};
use xianjie_ledger::case::Outcome;
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::Role;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::supervision::{
    default_threshold_rules, CaseFacts, Fact, FactKind, FactUnit, FlagKind, PenaltyKind,
    PenaltyTerms, RecordedFact, SupervisionFlag, ThresholdRule,
};
use xianjie_ledger::tx::{Call, CaseStep};

use crate::expect::{call_for, expectation, open_case, perform};
use crate::sim::{self, Sim, DAY_MS};

fn evidence(label: &str) -> Option<Hash> {
    Some(file_digest(label.as_bytes()))
}

fn fact(kind: FactKind, value: i64) -> Fact {
    Fact {
        kind,
        value,
        unit: Some(kind.unit()),
        year: None,
        evidence: evidence(kind.name()),
    }
}

fn yearly(kind: FactKind, year: u16, value: i64) -> Fact {
    Fact {
        year: Some(year),
        ..fact(kind, value)
    }
}

fn rule(id: &str) -> ThresholdRule {
    default_threshold_rules()
        .into_iter()
        .find(|rule| rule.rule_id == id)
        .unwrap()
}

fn met(id: &str, facts: &[Fact]) -> bool {
    holds(&rule(id).predicate, facts)
}

const FEN: i64 = 100;

#[test]
fn fake_goods_thresholds_include_their_boundaries() {
    use FactKind::{SalesAmount as Sales, UnsoldGoodsValue as Unsold};
    let id = "CL140-FAKE-v2008";
    assert!(met(id, &[fact(Sales, 50_000 * FEN)]));
    assert!(!met(id, &[fact(Sales, 50_000 * FEN - 1)]));
    assert!(met(id, &[fact(Sales, 50_000 * FEN + 1)]));
    assert!(met(id, &[fact(Unsold, 150_000 * FEN)]));
    assert!(!met(id, &[fact(Unsold, 150_000 * FEN - 1)]));
    // Sales below ¥50,000: three times the sales plus the unsold value.
    assert!(met(
        id,
        &[fact(Sales, 40_000 * FEN), fact(Unsold, 30_000 * FEN)]
    ));
    assert!(!met(
        id,
        &[fact(Sales, 40_000 * FEN), fact(Unsold, 30_000 * FEN - 1)]
    ));
    assert!(!met(id, &[]));
}

#[test]
fn tax_evasion_needs_the_recovery_notice_the_amount_and_the_yearly_ratio() {
    use FactKind::*;
    let id = "CL201-TAX-v2024";
    let notice = fact(RecoveryNoticeIssued, 1);
    let at = [
        notice,
        yearly(EvadedTax, 2024, 100_000 * FEN),
        yearly(TaxPayable, 2024, 1_000_000 * FEN),
    ];
    assert!(met(id, &at), "¥100,000 and exactly 10 %");
    // Just below the amount.
    let mut below = at;
    below[1].value -= 1;
    assert!(!met(id, &below));
    // Just below the ratio: 10 % of a payable one fen larger.
    let mut thin = at;
    thin[2].value += 10;
    assert!(!met(id, &thin));
    // Just above.
    let mut above = at;
    above[1].value += 1;
    assert!(met(id, &above));
    // The gate: no 追缴通知, no crime.
    assert!(!met(id, &at[1..]));
    // Paid in full and the penalty performed: no crime, unless punished
    // twice administratively (or criminally) within five years.
    let mut paid = at.to_vec();
    paid.push(fact(PaidInFull, 1));
    assert!(!met(id, &paid));
    paid.push(fact(EarlierPenalties, 2));
    assert!(met(id, &paid));
    paid.pop();
    paid.push(fact(EarlierPenalties, 1));
    assert!(!met(id, &paid));
    paid.push(fact(EarlierCriminalPenalties, 1));
    assert!(met(id, &paid));
}

#[test]
fn tax_amounts_sum_over_years_and_the_highest_yearly_ratio_counts() {
    use FactKind::*;
    let id = "CL201-TAX-v2024";
    let notice = fact(RecoveryNoticeIssued, 1);
    // Each year alone is below ¥100,000; together they meet it, and each
    // year's ratio is 20 %.
    let two_years = [
        notice,
        yearly(EvadedTax, 2023, 60_000 * FEN),
        yearly(TaxPayable, 2023, 300_000 * FEN),
        yearly(EvadedTax, 2024, 40_000 * FEN),
        yearly(TaxPayable, 2024, 200_000 * FEN),
    ];
    assert!(met(id, &two_years));
    let mut short = two_years;
    short[3].value -= 1;
    assert!(!met(id, &short));
    // A large year at 0.9 % and a small one at 20 %: the highest ratio counts.
    let mixed = [
        notice,
        yearly(EvadedTax, 2023, 90_000 * FEN),
        yearly(TaxPayable, 2023, 10_000_000 * FEN),
        yearly(EvadedTax, 2024, 20_000 * FEN),
        yearly(TaxPayable, 2024, 100_000 * FEN),
    ];
    assert!(met(id, &mixed));
    // Both years below 10 %.
    let mut low = mixed;
    low[4].value = 200_001 * FEN;
    assert!(!met(id, &low));
}

#[test]
fn pollution_thresholds_include_their_boundaries() {
    use FactKind::*;
    let id = "CL338-ENV-v2023";
    for (kind, boundary) in [
        (HeavyMetalMultiple, 300),
        (OtherMetalMultiple, 1_000),
        (HazardousWaste, 3_000),
        (Loss, 300_000 * FEN),
        (IllegalGains, 300_000 * FEN),
        (WaterSupplyInterrupted, 12),
        (EarlierPenalties, 2),
    ] {
        assert!(met(id, &[fact(kind, boundary)]), "{kind} at {boundary}");
        assert!(!met(id, &[fact(kind, boundary - 1)]), "{kind} below");
        assert!(met(id, &[fact(kind, boundary + 1)]), "{kind} above");
    }
    for kind in [
        ProtectedZoneDischarge,
        ConcealedDischarge,
        FalsifiedMonitoring,
    ] {
        assert!(met(id, &[fact(kind, 1)]));
        assert!(!met(id, &[fact(kind, 0)]));
    }
}

#[test]
fn tobacco_thresholds_include_their_boundaries_and_the_repeat_rule() {
    use FactKind::*;
    let id = "CL225-TOBACCO";
    for (kind, boundary) in [
        (BusinessAmount, 50_000 * FEN),
        (IllegalGains, 20_000 * FEN),
        (Cigarettes, 200_000),
    ] {
        assert!(met(id, &[fact(kind, boundary)]), "{kind} at");
        assert!(!met(id, &[fact(kind, boundary - 1)]), "{kind} below");
        assert!(met(id, &[fact(kind, boundary + 1)]), "{kind} above");
    }
    let repeat = [
        fact(EarlierPenalties, 2),
        fact(BusinessAmount, 30_000 * FEN),
    ];
    assert!(met(id, &repeat));
    assert!(!met(
        id,
        &[repeat[0], fact(BusinessAmount, 30_000 * FEN - 1)]
    ));
    assert!(!met(id, &[fact(EarlierPenalties, 1), repeat[1]]));
}

#[test]
fn the_ip_rule_is_a_recorded_reasonable_suspicion() {
    let id = "IP-REASONABLE-SUSPICION";
    assert!(met(id, &[fact(FactKind::ReasonableSuspicion, 1)]));
    assert!(!met(id, &[fact(FactKind::ReasonableSuspicion, 0)]));
    assert!(!met(id, &[]));
}

#[test]
fn a_rule_applies_to_its_domains_from_its_effective_date() {
    let sim = Sim::new();
    let record = |date: u32| CaseFacts {
        case_id: "CASE-x".into(),
        facts: vec![RecordedFact {
            fact: fact(FactKind::SalesAmount, 80_000 * FEN),
            action: "open-admin-case".into(),
            height: 1,
        }],
        violation_date: Some(date),
        ..CaseFacts::default()
    };
    let ids = |domain: &str, date: u32| -> Vec<String> {
        evaluate(&sim, domain, &record(date), 20260601)
            .unwrap()
            .into_iter()
            .map(|m| m.rule_id)
            .collect()
    };
    assert_eq!(ids("general", 20260101), ["CL140-FAKE-v2008"]);
    assert!(ids("tax", 20260101).is_empty(), "not a tax rule");
    assert!(ids("general", 20080624).is_empty(), "before Std-1");
    assert_eq!(ids("general", 20080625), ["CL140-FAKE-v2008"]);
}

// --- facts on chain -----------------------------------------------------

fn step(case_id: &CaseId, action: &str, outcome: Option<&str>, facts: Vec<Fact>) -> CaseStep {
    CaseStep {
        action: call_for(expectation(action, outcome), case_id),
        facts,
        violation_date: Some(20260315),
        penalty: None,
    }
}

fn fine(case_id: &CaseId, fen: u64) -> CaseStep {
    CaseStep {
        penalty: Some(PenaltyTerms {
            fine_fen: fen,
            kinds: vec![PenaltyKind::Fine, PenaltyKind::Confiscation],
        }),
        violation_date: None,
        ..step(case_id, "penalty-decision", Some("fine"), Vec::new())
    }
}

fn run_step(sim: &mut Sim, signer_org: &str, role: Role, step: CaseStep) -> String {
    sim.code(&sim::key_for(signer_org, role), Call::CaseStep(step))
}

fn flag(sim: &Sim, case_id: &CaseId, kind: FlagKind) -> Option<SupervisionFlag> {
    sim.get(&keys::flag(case_id, kind.name()))
        .map(|bytes| xianjie_ledger::codec::decode(&bytes).unwrap())
}

fn facts_of(sim: &Sim, case_id: &CaseId) -> Option<CaseFacts> {
    sim.get(&keys::case_facts(case_id))
        .map(|bytes| xianjie_ledger::codec::decode(&bytes).unwrap())
}

#[test]
fn bad_facts_are_refused_with_their_codes_and_change_nothing() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    let good = fact(FactKind::SalesAmount, 80_000 * FEN);
    let cases: Vec<(Fact, &str)> = vec![
        (Fact { value: -1, ..good }, "fact_negative"),
        (Fact { unit: None, ..good }, "fact_unit_missing"),
        (
            Fact {
                unit: Some(FactUnit::Kg),
                ..good
            },
            "fact_wrong_unit",
        ),
        (
            Fact {
                evidence: None,
                ..good
            },
            "fact_without_evidence",
        ),
        (
            Fact {
                value: FactUnit::Fen.max_value() + 1,
                ..good
            },
            "fact_out_of_range",
        ),
        (fact(FactKind::EvadedTax, 1), "invalid_fact"),
        (
            Fact {
                year: Some(2024),
                ..good
            },
            "invalid_fact",
        ),
    ];
    let before = sim.state.clone();
    for (bad, code) in cases {
        let refused = run_step(
            &mut sim,
            "market",
            Role::Officer,
            step(&case_id, "open-admin-case", None, vec![bad]),
        );
        assert_eq!(refused, code, "{bad:?}");
    }
    assert_eq!(sim.state, before, "refusals change nothing");
    // Facts only where decisions are made.
    perform(&mut sim, &case_id, "open-admin-case", None);
    let mut on_report = step(&case_id, "request-file", None, vec![good]);
    on_report.violation_date = None;
    assert_eq!(
        run_step(&mut sim, "proc", Role::Officer, on_report),
        "facts_not_allowed"
    );
    // Penalty terms must match the decision.
    let mut wrong = fine(&case_id, 0);
    assert_eq!(
        run_step(&mut sim, "market", Role::Head, wrong.clone()),
        "invalid_penalty_terms"
    );
    wrong.action.outcome = Some(Outcome::Penalty);
    wrong.penalty = Some(PenaltyTerms {
        fine_fen: 100,
        kinds: vec![PenaltyKind::Fine],
    });
    assert_eq!(
        run_step(&mut sim, "market", Role::Head, wrong),
        "invalid_penalty_terms"
    );
}

/// The walkthrough of the README: ¥80,000 of fake goods, fined and never
/// marked suspected; the chain flags it, the procuratorate requires the
/// transfer, the agency transfers, the flag is resolved.
#[test]
fn a_fined_case_that_meets_a_rule_is_flagged_and_sent_on_after_a_procuratorial_opinion() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    let sales = fact(FactKind::SalesAmount, 80_000 * FEN);
    assert_eq!(
        run_step(
            &mut sim,
            "market",
            Role::Officer,
            step(&case_id, "open-admin-case", None, vec![sales])
        ),
        "ok"
    );
    let record = facts_of(&sim, &case_id).expect("the facts are on record");
    assert_eq!(record.matched.len(), 1);
    assert_eq!(record.matched[0].rule_id, "CL140-FAKE-v2008");
    assert_eq!(record.matched[0].facts, [sales]);
    assert!(flag(&sim, &case_id, FlagKind::PenaltyInsteadOfTransfer).is_none());

    // The agency fines the seller instead of transferring.
    assert_eq!(
        run_step(
            &mut sim,
            "market",
            Role::Head,
            fine(&case_id, 200_000 * 100)
        ),
        "ok"
    );
    let raised = flag(&sim, &case_id, FlagKind::PenaltyInsteadOfTransfer).expect("flagged");
    assert_eq!(raised.matched[0].rule_id, "CL140-FAKE-v2008");
    assert_eq!(raised.matched[0].version, 1);
    assert_eq!(raised.matched[0].facts, [sales]);
    assert_eq!(raised.resolved_height, None);
    let record = facts_of(&sim, &case_id).unwrap();
    assert_eq!(record.penalties.len(), 1);
    assert_eq!(
        record.penalties[0].terms.as_ref().unwrap().fine_fen,
        20_000_000
    );
    let flags = xianjie_contracts::index::text_entries(&sim, keys::index::FLAGS).unwrap();
    assert_eq!(flags, [format!("{case_id}/penalty_instead_of_transfer")]);

    // The procuratorate consults the file, then requires the transfer (D3).
    perform(&mut sim, &case_id, "request-file", None);
    perform(&mut sim, &case_id, "answer-file-request", None);
    perform(&mut sim, &case_id, "publish", None);
    perform(&mut sim, &case_id, "close", None);
    assert_eq!(sim.state_of(&case_id).name(), "R9_CLOSED");
    perform(&mut sim, &case_id, "suggest-transfer", None);
    assert_eq!(sim.state_of(&case_id).name(), "S1_ADMIN_CASE");
    assert!(xianjie_contracts::read::open_cases(&sim)
        .unwrap()
        .contains(&case_id));
    // No second decision replaces the transfer now.
    assert_eq!(
        run_step(&mut sim, "market", Role::Head, fine(&case_id, 100)),
        "penalty_instead_of_transfer"
    );
    for action in [
        "mark-suspected",
        "form-taskforce",
        "submit-report",
        "approve-transfer",
        "transfer",
    ] {
        perform(&mut sim, &case_id, action, None);
    }
    let resolved = flag(&sim, &case_id, FlagKind::PenaltyInsteadOfTransfer).unwrap();
    assert!(resolved.resolved_height.is_some());
    // Once transferred, D3 no longer applies.
    let d3 = call_for(expectation("suggest-transfer", None), &case_id);
    assert_eq!(
        sim.code(&sim::head("proc"), Call::CaseAction(d3)),
        "invalid_transition"
    );
}

#[test]
fn a_case_below_every_threshold_is_not_flagged_and_writes_no_facts_without_any() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    perform(&mut sim, &case_id, "open-admin-case", None);
    perform(&mut sim, &case_id, "penalty-decision", Some("penalty"));
    assert!(facts_of(&sim, &case_id).is_none(), "nothing to record");
    let other = open_case(&mut sim, "general");
    let small = fact(FactKind::SalesAmount, 49_999 * FEN);
    run_step(
        &mut sim,
        "market",
        Role::Officer,
        step(&other, "open-admin-case", None, vec![small]),
    );
    run_step(&mut sim, "market", Role::Head, fine(&other, 1_000 * 100));
    assert!(facts_of(&sim, &other).unwrap().matched.is_empty());
    assert!(flag(&sim, &other, FlagKind::PenaltyInsteadOfTransfer).is_none());
}

fn end_of_block(sim: &mut Sim) {
    let executed = xianjie_contracts::execute_block(sim, &sim.ctx(), &[]).unwrap();
    sim.height += 1;
    sim.apply(executed.1);
}

#[test]
fn the_chain_flags_a_case_that_sits_untransferred_past_the_parameter() {
    let mut sim = Sim::new();
    let waiting = open_case(&mut sim, "general");
    let sent = open_case(&mut sim, "general");
    let sales = fact(FactKind::SalesAmount, 80_000 * FEN);
    for case_id in [&waiting, &sent] {
        run_step(
            &mut sim,
            "market",
            Role::Officer,
            step(case_id, "open-admin-case", None, vec![sales]),
        );
    }
    for action in [
        "mark-suspected",
        "form-taskforce",
        "submit-report",
        "approve-transfer",
        "transfer",
    ] {
        perform(&mut sim, &sent, action, None);
    }
    // Twenty-nine days on: not yet.
    sim.advance(29 * DAY_MS);
    end_of_block(&mut sim);
    assert!(flag(&sim, &waiting, FlagKind::UntransferredSuspectedCrime).is_none());
    // Past the 30 days, the next block flags it, with no transaction at all.
    sim.advance(3 * DAY_MS);
    end_of_block(&mut sim);
    let raised = flag(&sim, &waiting, FlagKind::UntransferredSuspectedCrime).expect("flagged");
    assert_eq!(raised.matched[0].rule_id, "CL140-FAKE-v2008");
    assert!(flag(&sim, &sent, FlagKind::UntransferredSuspectedCrime).is_none());
    assert!(
        sim.get(keys::SUPERVISION_DUE).is_none(),
        "the queue is empty"
    );
}

// --- supervision actions on their clocks ----------------------------------

fn clock_of(sim: &Sim, case_id: &CaseId, rule: &str) -> Option<xianjie_contracts::deadline::Clock> {
    xianjie_contracts::read::case_clocks(sim, case_id, sim.time_ms)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|clock| clock.rule == rule)
}

fn attempt(
    sim: &mut Sim,
    signer: &xianjie_ledger::crypto::SecretKey,
    action: &str,
    to: Option<&str>,
    case_id: &CaseId,
) -> String {
    let mut call = call_for(expectation(action, None), case_id);
    if let Some(org) = to {
        call.to = Some(sim::org_id(org));
    }
    sim.code(signer, Call::CaseAction(call))
}

#[test]
fn an_unanswered_file_request_runs_out_and_an_answer_stops_it() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    perform(&mut sim, &case_id, "open-admin-case", None);
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("market"),
            "answer-file-request",
            None,
            &case_id
        ),
        "nothing_to_answer"
    );
    perform(&mut sim, &case_id, "request-file", None);
    sim.advance(8 * DAY_MS);
    let clock = clock_of(&sim, &case_id, "AEA_ANSWER_FILE_REQUEST").expect("running");
    assert!(clock.overdue, "{clock:?}");
    perform(&mut sim, &case_id, "answer-file-request", None);
    assert!(clock_of(&sim, &case_id, "AEA_ANSWER_FILE_REQUEST").is_none());
}

#[test]
fn a_notice_to_correct_follows_the_fifteen_days_and_the_higher_procuratorate_joins() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    crate::expect::drive(&mut sim, &case_id, "S8S_FILING_SUPERVISION");
    perform(&mut sim, &case_id, "order-filing", None);
    let head = sim::head("proc");
    sim.advance(10 * DAY_MS);
    assert_eq!(
        attempt(&mut sim, &head, "notice-to-correct", None, &case_id),
        "not_overdue"
    );
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("proc"),
            "report-to-higher",
            Some("proc-prov"),
            &case_id
        ),
        "step_missing"
    );
    sim.advance(7 * DAY_MS);
    assert_eq!(
        attempt(&mut sim, &head, "notice-to-correct", None, &case_id),
        "ok"
    );
    // Only a procuratorate above the supervising one, over the case's division.
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("proc"),
            "report-to-higher",
            Some("proc-b"),
            &case_id
        ),
        "invalid_target"
    );
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("proc"),
            "report-to-higher",
            Some("proc-prov"),
            &case_id
        ),
        "ok"
    );
    let supervised =
        xianjie_contracts::read::supervised_cases(&sim, &sim::org_id("proc-prov")).unwrap();
    assert_eq!(supervised, [case_id]);
}

#[test]
fn the_urging_letter_clock_starts_at_the_supervised_filing_not_at_the_order() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    crate::expect::drive(&mut sim, &case_id, "S8S_FILING_SUPERVISION");
    perform(&mut sim, &case_id, "order-filing", None);
    sim.advance(10 * DAY_MS);
    perform(&mut sim, &case_id, "file", None);
    perform(&mut sim, &case_id, "start-investigation", None);
    // Three months and a day after the order, but not after the filing.
    sim.advance(83 * DAY_MS);
    let proc = sim::officer("proc");
    assert_eq!(
        attempt(&mut sim, &proc, "urge-investigation", None, &case_id),
        "not_overdue"
    );
    sim.advance(10 * DAY_MS);
    assert_eq!(
        attempt(&mut sim, &proc, "urge-investigation", None, &case_id),
        "ok"
    );
}

#[test]
fn a_case_moved_to_another_police_organ_owes_the_agency_notice_within_three_days() {
    let mut sim = Sim::new();
    let case_id = open_case(&mut sim, "general");
    crate::expect::drive(&mut sim, &case_id, "S10_INVESTIGATION");
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("police"),
            "move-case",
            Some("police-b"),
            &case_id
        ),
        "ok"
    );
    assert_eq!(sim.case(&case_id).police, Some(sim::org_id("police-b")));
    sim.advance(4 * DAY_MS);
    let clock = clock_of(&sim, &case_id, "PSB_NOTIFY_AEA_CASE_MOVED").expect("running");
    assert!(clock.overdue, "{clock:?}");
    // The organ that now has the case notifies; the old one is no party.
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("police"),
            "notify-move",
            None,
            &case_id
        ),
        "not_case_party"
    );
    assert_eq!(
        attempt(
            &mut sim,
            &sim::officer("police-b"),
            "notify-move",
            None,
            &case_id
        ),
        "ok"
    );
    assert!(clock_of(&sim, &case_id, "PSB_NOTIFY_AEA_CASE_MOVED").is_none());
}
