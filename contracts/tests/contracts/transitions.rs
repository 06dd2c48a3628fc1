//! Data-driven tests of every row of the case transition table against the
//! independent expectations of `expect.rs` (DOMAIN.md §b.2, §c.2, §d):
//! allowed for the right party and role from each of its states (through the
//! default Cedar policy set), refused for every other organisation and role,
//! refused from every other state, and refused without each required datum.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use xianjie_contracts::case::{self, MinRole, Party, Target};
use xianjie_ledger::case::{CaseState, Outcome};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{OrgKind, Role};
use xianjie_ledger::tx::Call;

use crate::expect::{
    call_for, case_at, every_signer, expected_next, guard_refusal, party_org, perform,
    prerequisites, signer_for, state, Expect, Who, EXPECTED,
};
use crate::sim::{self, org_id, Sim, DAY_MS, ORGS};

/// A simulation with one case at each state, built once.
fn snapshots() -> &'static BTreeMap<&'static str, (Sim, CaseId)> {
    static SNAPSHOTS: OnceLock<BTreeMap<&'static str, (Sim, CaseId)>> = OnceLock::new();
    SNAPSHOTS.get_or_init(|| {
        CaseState::ALL
            .iter()
            .map(|s| (s.name(), case_at(s.name())))
            .collect()
    })
}

fn at(state_name: &str) -> (Sim, CaseId) {
    let (sim, id) = &snapshots()[state_name];
    let mut sim = sim.clone();
    if state_name == "S7_RECEIVED" {
        // mark-overdue needs the filing-decision clock to be overdue.
        sim.advance(5 * DAY_MS);
    }
    (sim, id.clone())
}

fn kind_of(org: &str) -> OrgKind {
    ORGS.iter().find(|(n, _, _)| *n == org).unwrap().1
}

/// The code DOMAIN.md leads us to expect when `org`/`role` tries `expect`.
fn expected_code(
    sim: &Sim,
    case_id: &CaseId,
    expect: &Expect,
    from: &str,
    org: &str,
    role: Role,
) -> &'static str {
    let parties: Vec<&str> = expect
        .who
        .iter()
        .map(|who| {
            if *who == Who::Proc && sim.case(case_id).procuratorate.is_none() {
                // Unbound: the procuratorate of the case's region.
                "proc"
            } else {
                party_org(sim, case_id, *who)
            }
        })
        .collect();
    let party_bound = |who: Who| match who {
        Who::Aea => true,
        Who::Proc => true,
        Who::Psb => sim.case(case_id).police.is_some(),
        Who::Court => sim.case(case_id).court.is_some(),
        // Only once a request named it (the routes name none).
        Who::HigherProc => xianjie_contracts::read::case_events(sim, case_id)
            .unwrap()
            .iter()
            .rev()
            .find(|e| e.action == "request-higher-review" || e.action == "report-to-higher")
            .is_some_and(|e| e.target == Some(org_id("proc-prov"))),
    };
    let is_party = expect
        .who
        .iter()
        .zip(&parties)
        .any(|(who, party)| party_bound(*who) && *party == org);
    if !is_party {
        let kinds: Vec<OrgKind> = expect.who.iter().map(|who| who.kind()).collect();
        return if kinds.contains(&kind_of(org)) {
            "not_case_party"
        } else {
            "wrong_org_kind"
        };
    }
    let role_ok = match role {
        Role::Admin => false,
        Role::Officer => !expect.head,
        Role::Head => true,
    };
    if !role_ok {
        return "wrong_role";
    }
    guard_refusal(expect.action, from).unwrap_or("ok")
}

fn attempt(
    sim: &mut Sim,
    signer: &xianjie_ledger::crypto::SecretKey,
    expect: &Expect,
    case_id: &CaseId,
) -> String {
    match sim.try_call(signer, Call::CaseAction(call_for(expect, case_id))) {
        Ok(writes) => {
            sim.apply(writes);
            "ok".into()
        }
        Err(error) => error.code().into(),
    }
}

#[test]
fn every_row_is_allowed_for_its_party_from_each_of_its_states() {
    let mut checked = 0;
    for expect in EXPECTED {
        for from in expect.from {
            for who in expect.who {
                // The head of the party may sign officer acts too.
                let roles: &[Role] = if expect.head {
                    &[Role::Head]
                } else {
                    &[Role::Officer, Role::Head]
                };
                for role in roles {
                    let (mut sim, case_id) = at(from);
                    let org = party_org(&sim, &case_id, *who);
                    let signer = sim::key_for(org, *role);
                    let code = attempt(&mut sim, &signer, expect, &case_id);
                    let wanted = guard_refusal(expect.action, from).unwrap_or("ok");
                    assert_eq!(
                        code, wanted,
                        "{} ({}) from {from} by {org} {role:?}",
                        expect.action, expect.rows
                    );
                    if code == "ok" {
                        assert_eq!(
                            sim.state_of(&case_id),
                            state(expected_next(expect, from)),
                            "{} from {from}",
                            expect.action
                        );
                        let events = xianjie_contracts::read::case_events(&sim, &case_id).unwrap();
                        let last = events.last().unwrap();
                        assert_eq!(last.action, expect.action);
                        assert_eq!(last.from, state(from));
                        assert_eq!(last.org, org_id(org));
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 80, "{checked} checks");
}

#[test]
fn every_row_is_refused_for_every_other_organisation_and_role() {
    let mut refusals = 0;
    for expect in EXPECTED {
        for from in expect.from {
            let (base, case_id) = at(from);
            for (org, role) in every_signer() {
                let wanted = expected_code(&base, &case_id, expect, from, org, role);
                let mut sim = base.clone();
                let signer = sim::key_for(org, role);
                let code = attempt(&mut sim, &signer, expect, &case_id);
                assert_eq!(
                    code, wanted,
                    "{} ({}) from {from} by {org} {role:?}",
                    expect.action, expect.rows
                );
                if wanted != "ok" {
                    refusals += 1;
                }
            }
        }
    }
    assert!(refusals > 1000, "{refusals} refusals");
}

#[test]
fn every_row_is_refused_from_every_other_state() {
    let mut refusals = 0;
    let mut seen = BTreeSet::new();
    for expect in EXPECTED {
        if !seen.insert(expect.action) {
            continue;
        }
        let from_states: BTreeSet<&str> = EXPECTED
            .iter()
            .filter(|e| e.action == expect.action)
            .flat_map(|e| e.from.iter().copied())
            .collect();
        for other in CaseState::ALL {
            if from_states.contains(other.name()) {
                continue;
            }
            let (mut sim, case_id) = at(other.name());
            let org = party_org(&sim, &case_id, expect.who[0]);
            let signer = signer_for(expect, org);
            let code = attempt(&mut sim, &signer, expect, &case_id);
            assert_eq!(
                code,
                "invalid_transition",
                "{} from {}",
                expect.action,
                other.name()
            );
            refusals += 1;
        }
    }
    assert!(refusals > 1500, "{refusals} refusals");
}

#[test]
fn every_required_datum_is_checked() {
    let mut seen = BTreeSet::new();
    for expect in EXPECTED {
        if !seen.insert(expect.action) {
            continue;
        }
        let from = expect.from[0];
        let (mut base, case_id) = at(from);
        // The higher procuratorate acts only once a request named it.
        if expect.who.contains(&Who::HigherProc) {
            for (action, outcome) in prerequisites(expect.action) {
                perform(&mut base, &case_id, action, *outcome);
            }
        }
        let org = party_org(&base, &case_id, expect.who[0]);
        let signer = signer_for(expect, org);
        let run = |edit: &dyn Fn(&mut xianjie_ledger::tx::CaseAction)| {
            let mut sim = base.clone();
            let mut call = call_for(expect, &case_id);
            edit(&mut call);
            match sim.try_call(&signer, Call::CaseAction(call)) {
                Ok(_) => "ok".to_owned(),
                Err(error) => error.code().to_owned(),
            }
        };
        for (index, kind) in expect.attachments.iter().enumerate() {
            assert_eq!(
                run(&|call| {
                    call.attachments.remove(index);
                }),
                "missing_attachment",
                "{} without {kind}",
                expect.action
            );
        }
        match expect.target {
            Some(_) => {
                assert_eq!(
                    run(&|call| call.to = None),
                    "missing_target",
                    "{}",
                    expect.action
                );
                assert_eq!(
                    run(&|call| call.to = Some(org_id("lab"))),
                    "invalid_target",
                    "{}",
                    expect.action
                );
                assert_eq!(
                    run(&|call| call.to = Some(org_id("nobody"))),
                    "unknown_org",
                    "{}",
                    expect.action
                );
            }
            None => assert_eq!(
                run(&|call| call.to = Some(org_id("police"))),
                "target_not_allowed",
                "{}",
                expect.action
            ),
        }
        if expect.reason {
            assert_eq!(run(&|call| call.reason_digest = None), "missing_reason");
        }
        match expect.outcome {
            Some(_) => {
                assert_eq!(run(&|call| call.outcome = None), "missing_outcome");
                let foreign = if expect.action == "judgment" {
                    Outcome::Penalty
                } else {
                    Outcome::Convicted
                };
                assert_eq!(run(&|call| call.outcome = Some(foreign)), "invalid_outcome");
            }
            None => assert_eq!(
                run(&|call| call.outcome = Some(Outcome::File)),
                "invalid_outcome",
                "{}",
                expect.action
            ),
        }
        if expect.taskforce {
            assert_eq!(
                run(&|call| {
                    call.officers.pop();
                }),
                "taskforce_too_small"
            );
            assert_eq!(
                run(&|call| call.officers[1] = sim::id_of(&sim::officer("tax"))),
                "invalid_taskforce_member"
            );
        } else {
            assert_eq!(
                run(&|call| call.officers = vec![sim::id_of(&sim::officer(org))]),
                "invalid_field",
                "{}",
                expect.action
            );
        }
    }
}

#[test]
fn unknown_cases_and_actions_are_refused() {
    let (mut sim, case_id) = at("S1_ADMIN_CASE");
    let expect = &EXPECTED[1];
    let mut call = call_for(expect, &case_id);
    call.action = "shred-file".into();
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call)),
        "unknown_action"
    );
    let call = call_for(expect, &"CASE-0000000000000000".into());
    assert_eq!(
        sim.code(&sim::officer("market"), Call::CaseAction(call)),
        "unknown_case"
    );
}

/// The engine's table says the same as the expectations (a second,
/// structural check on top of the behavioural ones above).
#[test]
fn the_engine_table_matches_the_expectations() {
    let expected_actions: BTreeSet<&str> = EXPECTED.iter().map(|e| e.action).collect();
    let table_actions: BTreeSet<&str> = case::action_names().collect();
    assert_eq!(table_actions, expected_actions);
    for row in case::transitions() {
        let expectations: Vec<&Expect> =
            EXPECTED.iter().filter(|e| e.action == row.action).collect();
        let from: BTreeSet<CaseState> = expectations
            .iter()
            .flat_map(|e| e.from.iter().map(|s| state(s)))
            .collect();
        assert_eq!(
            row.from.iter().copied().collect::<BTreeSet<_>>(),
            from,
            "{}",
            row.action
        );
        let kinds: BTreeSet<OrgKind> = row.actors.iter().map(|p: &Party| p.org_kind()).collect();
        let expected_kinds: BTreeSet<OrgKind> =
            expectations[0].who.iter().map(|w| w.kind()).collect();
        assert_eq!(kinds, expected_kinds, "{}", row.action);
        assert_eq!(
            row.role == MinRole::Head,
            expectations[0].head,
            "{}",
            row.action
        );
        let attachments: BTreeSet<&str> = row.attachments.iter().map(|a| a.name()).collect();
        assert_eq!(
            attachments,
            expectations[0].attachments.iter().copied().collect(),
            "{}",
            row.action
        );
        assert_eq!(row.target != Target::None, expectations[0].target.is_some());
        assert_eq!(row.reason, expectations[0].reason, "{}", row.action);
        assert_eq!(row.taskforce, expectations[0].taskforce, "{}", row.action);
        assert!(!row.rows.is_empty() && !row.summary.is_empty());
    }
}
