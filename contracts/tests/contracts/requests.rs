//! Requests between organs: consultations (双向咨询) and assistance (协助),
//! each kind between every pair of organisation kinds allowed or refused as
//! docs/request.md §2 says (written out here row by row), who may ask and
//! answer, what an answer may link, the clocks, and bad input.

use xianjie_contracts::{authorize_read, deadline, request, ReadResource};
use xianjie_ledger::clue::{ClueId, ClueSource, ClueSubject};
use xianjie_ledger::hash::{file_digest, note_digest, Hash};
use xianjie_ledger::ids::{CaseId, InspectionId};
use xianjie_ledger::inspection::Conclusion;
use xianjie_ledger::model::{CustodyAction, OrgKind};
use xianjie_ledger::request::{
    RequestAbout, RequestId, RequestKind, RequestState, ASSISTANCE_RULE, CONSULTATION_RULE,
};
use xianjie_ledger::tx::{AnswerOrgan, AskOrgan, Call, RecordCustody, RecordInspection, SendClue};

use crate::expect::case_at;
use crate::sim::{self, org_id, Sim, DAY_MS, ORGS};

/// docs/request.md §2: who may ask whom for assistance of each kind. A
/// consultation goes between any two organs.
fn assistance_allowed(kind: RequestKind, from: OrgKind, to: OrgKind) -> bool {
    use OrgKind::*;
    let askers = [Police, Procuratorate, Court];
    let helpers: &[OrgKind] = match kind {
        RequestKind::Testing | RequestKind::Appraisal => &[AdministrativeAgency, TestingBody],
        RequestKind::Determination
        | RequestKind::Storage
        | RequestKind::Destruction
        | RequestKind::Disposal => &[AdministrativeAgency],
        RequestKind::Consultation => unreachable!("not assistance"),
    };
    askers.contains(&from) && helpers.contains(&to)
}

fn ask_call(kind: RequestKind, about: RequestAbout, to: &str) -> Call {
    Call::AskOrgan(AskOrgan {
        kind,
        about,
        to: org_id(to),
        question: note_digest("请协助对扣押的样品进行检验"),
    })
}

fn ask(
    sim: &mut Sim,
    from: &str,
    kind: RequestKind,
    about: RequestAbout,
    to: &str,
) -> Result<RequestId, String> {
    sim.run(&sim::officer(from), ask_call(kind, about, to))
        .map(|hash| RequestId::for_tx(&hash))
        .map_err(|error| error.code().to_owned())
}

fn answer_call(id: &RequestId, inspections: Vec<InspectionId>, evidence: Vec<Hash>) -> Call {
    Call::AnswerOrgan(AnswerOrgan {
        request: id.clone(),
        document: file_digest(b"assistance record"),
        inspections,
        evidence,
    })
}

fn kind_of(org: &str) -> OrgKind {
    ORGS.iter()
        .find(|(name, _, _)| *name == org)
        .expect("an org")
        .1
}

/// A case transferred to the police (`police`), supervised by `proc`.
fn transferred_case() -> (Sim, CaseId) {
    case_at("S7_RECEIVED")
}

#[test]
fn every_kind_between_every_pair_of_kinds_is_allowed_or_refused_as_docs_say() {
    let (base, case_id) = transferred_case();
    let parties = ["market", "police", "proc"];
    let mut allowed = 0;
    for from in parties {
        for (to, _, _) in ORGS {
            for &kind in RequestKind::ALL {
                let mut sim = base.clone();
                let got = ask(
                    &mut sim,
                    from,
                    kind,
                    RequestAbout::Case(case_id.clone()),
                    to,
                );
                let expected: Result<(), &str> = if from == to {
                    Err("invalid_field")
                } else if kind.is_assistance()
                    && !assistance_allowed(kind, kind_of(from), kind_of(to))
                {
                    Err("request_route_refused")
                } else {
                    Ok(())
                };
                assert_eq!(
                    got.as_ref().map(|_| ()).map_err(String::as_str),
                    expected,
                    "{from} asks {to} for {kind}"
                );
                if let Ok(id) = got {
                    allowed += 1;
                    let found = request::request(&sim, &id).unwrap().unwrap();
                    assert_eq!(
                        (found.from.as_str(), found.to.as_str(), found.kind),
                        (from, to, kind)
                    );
                    assert_eq!(found.state, RequestState::Open);
                    assert_eq!(
                        request::requests_of_case(&sim, &case_id).unwrap(),
                        vec![found.clone()]
                    );
                    for org in [from, to] {
                        assert_eq!(
                            request::requests_of_org(&sim, &org_id(org)).unwrap(),
                            vec![id.clone()]
                        );
                    }
                }
            }
        }
    }
    assert!(allowed > 30, "{allowed}");
}

#[test]
fn only_a_party_of_the_case_or_an_organ_the_clue_passed_through_asks() {
    let (mut sim, case_id) = transferred_case();
    // The court and the lab are no party of this case yet.
    for outsider in ["court", "lab", "tax", "police-b"] {
        assert_eq!(
            ask(
                &mut sim,
                outsider,
                RequestKind::Consultation,
                RequestAbout::Case(case_id.clone()),
                "market"
            ),
            Err("policy_denied".to_owned()),
            "{outsider}"
        );
    }
    let clue = sim
        .run(
            &sim::officer("market"),
            Call::SendClue(SendClue {
                source: ClueSource::Complaint,
                subject: ClueSubject::LegalPerson(sim::entity()),
                matter: "food-safety/expired".into(),
                duty_crime: false,
                to: org_id("tax"),
                received_on: 20260601,
                materials: Vec::new(),
            }),
        )
        .map(|hash| ClueId::for_tx(&hash))
        .unwrap();
    let about = || RequestAbout::Clue(clue.clone());
    assert!(ask(
        &mut sim,
        "tax",
        RequestKind::Consultation,
        about(),
        "market"
    )
    .is_ok());
    assert_eq!(
        ask(
            &mut sim,
            "proc",
            RequestKind::Consultation,
            about(),
            "market"
        ),
        Err("policy_denied".to_owned())
    );
    // Assistance is about a case, never a clue.
    assert_eq!(
        ask(&mut sim, "tax", RequestKind::Testing, about(), "lab"),
        Err("invalid_field".to_owned())
    );
    // What it is about must exist.
    assert_eq!(
        ask(
            &mut sim,
            "police",
            RequestKind::Consultation,
            RequestAbout::Case("CASE-0000000000000000".into()),
            "market"
        ),
        Err("unknown_case".to_owned())
    );
    assert_eq!(
        ask(
            &mut sim,
            "police",
            RequestKind::Consultation,
            RequestAbout::Clue(ClueId::new("CLUE-0000000000000000")),
            "market"
        ),
        Err("unknown_clue".to_owned())
    );
    assert_eq!(
        ask(
            &mut sim,
            "police",
            RequestKind::Consultation,
            RequestAbout::Case(case_id),
            "nobody"
        ),
        Err("unknown_org".to_owned())
    );
}

#[test]
fn the_organ_asked_answers_once_linking_what_it_did() {
    let (mut sim, case_id) = transferred_case();
    let id = ask(
        &mut sim,
        "police",
        RequestKind::Testing,
        RequestAbout::Case(case_id.clone()),
        "lab",
    )
    .unwrap();
    let result_about = |sim: &mut Sim, org: &str, entity: String, report: &[u8]| {
        sim.run(
            &sim::officer(org),
            Call::RecordInspection(RecordInspection {
                entity,
                matter: "GB2763-pesticide".into(),
                inspectors: vec![
                    sim::id_of(&sim::officer(org)),
                    sim::id_of(&sim::officer2(org)),
                ],
                report_date: 20260601,
                conclusion: Conclusion::NonConforming,
                report_digest: file_digest(report),
                lab: None,
                scope: "sample".into(),
                valid_until: None,
                objection: None,
            }),
        )
        .map(|hash| InspectionId::for_tx(&hash))
        .unwrap()
    };
    // The lab tests the case's sample; other results do not answer this case.
    let result = result_about(&mut sim, "lab", sim::entity(), b"test report");
    let other_entity = result_about(
        &mut sim,
        "lab",
        sim::uscc_for("330100", 99),
        b"other entity",
    );
    let market_result = result_about(&mut sim, "market", sim::entity(), b"market report");
    // The market's seized sample, linked to the case, handed to the lab.
    let sample = crate::policies::anchor(&mut sim, "market", b"sample photo", Some(&case_id));
    let unlinked = crate::policies::anchor(&mut sim, "lab", b"lab's own file", None);
    let custody = |digest, action, to: Option<&str>| {
        Call::RecordCustody(RecordCustody {
            digest,
            action,
            to: to.map(org_id),
            note_digest: None,
        })
    };
    sim.run(
        &sim::officer("market"),
        custody(sample, CustodyAction::Transfer, Some("lab")),
    )
    .unwrap();
    let handed_over = sim.clone();
    sim.run(
        &sim::officer("lab"),
        custody(sample, CustodyAction::Receive, None),
    )
    .unwrap();
    sim.run(
        &sim::officer("lab"),
        custody(unlinked, CustodyAction::Seal, None),
    )
    .unwrap();
    let before = sim.state.clone();
    let lab = sim::officer("lab");
    for (who, key, call, code) in [
        (
            "the asker",
            sim::officer("police"),
            answer_call(&id, vec![], vec![]),
            "policy_denied",
        ),
        (
            "a third organ",
            sim::officer("market"),
            answer_call(&id, vec![], vec![]),
            "policy_denied",
        ),
        (
            "another organ's result",
            lab.clone(),
            answer_call(&id, vec![market_result], vec![]),
            "invalid_field",
        ),
        (
            "a result about another entity",
            lab.clone(),
            answer_call(&id, vec![other_entity], vec![]),
            "invalid_field",
        ),
        (
            "an unknown result",
            lab.clone(),
            answer_call(&id, vec!["INSP-0000000000000000".into()], vec![]),
            "unknown_inspection",
        ),
        (
            "a file not linked to the case",
            lab.clone(),
            answer_call(&id, vec![], vec![unlinked]),
            "invalid_field",
        ),
        (
            "an unknown file",
            lab.clone(),
            answer_call(&id, vec![], vec![Hash([3; 32])]),
            "unknown_evidence",
        ),
        (
            "a result twice",
            lab.clone(),
            answer_call(&id, vec![result.clone(), result.clone()], vec![]),
            "invalid_field",
        ),
        (
            "an unknown request",
            lab.clone(),
            answer_call(&RequestId::new("REQ-0000000000000000"), vec![], vec![]),
            "unknown_request",
        ),
    ] {
        assert_eq!(sim.code(&key, call), code, "{who}");
        assert_eq!(sim.state, before, "{who} wrote nothing");
    }
    // Before the lab received the file it had done nothing with it.
    let mut early = handed_over;
    assert_eq!(
        early.code(&lab, answer_call(&id, vec![], vec![sample])),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&lab, answer_call(&id, vec![result.clone()], vec![sample])),
        "ok"
    );
    let answered = request::request(&sim, &id).unwrap().unwrap();
    assert_eq!(answered.state, RequestState::Answered);
    let answer = answered.answer.expect("an answer");
    assert_eq!(
        (answer.inspections, answer.evidence),
        (vec![result], vec![sample])
    );
    assert_eq!(
        sim.code(&lab, answer_call(&id, vec![], vec![])),
        "request_answered"
    );
    // Both organs read it; nobody else does.
    let reads = |org: &str| {
        authorize_read(
            &sim::policies(),
            &sim,
            &sim::id_of(&sim::officer(org)),
            &ReadResource::Request(id.clone()),
        )
        .is_ok()
    };
    assert!(reads("police") && reads("lab"));
    assert!(!reads("market") && !reads("proc") && !reads("court"));
}

#[test]
fn a_consultation_has_seven_days_and_assistance_fifteen_until_answered() {
    let (mut sim, case_id) = transferred_case();
    let consultation = ask(
        &mut sim,
        "police",
        RequestKind::Consultation,
        RequestAbout::Case(case_id.clone()),
        "market",
    )
    .unwrap();
    let storage = ask(
        &mut sim,
        "police",
        RequestKind::Storage,
        RequestAbout::Case(case_id.clone()),
        "market",
    )
    .unwrap();
    let params = sim::sim_params();
    let clocks_of = |sim: &Sim, id: &RequestId, at_ms| {
        deadline::request_clocks(&params, &request::request(sim, id).unwrap().unwrap(), at_ms)
    };
    let asked = request::request(&sim, &consultation)
        .unwrap()
        .unwrap()
        .asked
        .time_ms;
    let c = clocks_of(&sim, &consultation, asked);
    assert_eq!((c.len(), c[0].rule.as_str()), (1, CONSULTATION_RULE));
    let s = clocks_of(&sim, &storage, asked);
    assert_eq!((s.len(), s[0].rule.as_str()), (1, ASSISTANCE_RULE));
    // Asked on the case's day, in local time: due at the end of the 7th and 15th day after.
    let day = xianjie_contracts::deadline::local_date(asked);
    let due = |days: i64| {
        let n = xianjie_contracts::deadline::day_number(day).unwrap() + days;
        xianjie_contracts::deadline::end_of_day_ms(n)
    };
    assert_eq!(c[0].due_at_ms, due(7));
    // The sim's days carry no holiday before the due day, so nothing rolls over.
    assert_eq!(s[0].due_at_ms, due(15));
    assert!(!clocks_of(&sim, &consultation, c[0].due_at_ms)[0].overdue);
    assert!(clocks_of(&sim, &consultation, c[0].due_at_ms + 1)[0].overdue);
    sim.advance(DAY_MS);
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            answer_call(&consultation, vec![], vec![])
        ),
        "ok"
    );
    assert!(clocks_of(&sim, &consultation, sim.time_ms + 100 * DAY_MS).is_empty());
    assert_eq!(clocks_of(&sim, &storage, sim.time_ms).len(), 1);
}

#[test]
fn admin_keys_neither_ask_nor_answer() {
    let (mut sim, case_id) = transferred_case();
    let about = RequestAbout::Case(case_id);
    assert_eq!(
        sim.code(
            &sim::admin("police"),
            ask_call(RequestKind::Testing, about.clone(), "lab")
        ),
        "wrong_role"
    );
    let id = ask(&mut sim, "police", RequestKind::Testing, about, "lab").unwrap();
    assert_eq!(
        sim.code(&sim::admin("lab"), answer_call(&id, vec![], vec![])),
        "wrong_role"
    );
}

#[test]
fn an_id_that_is_taken_is_refused_not_replaced() {
    let (mut sim, case_id) = transferred_case();
    let first = ask(
        &mut sim,
        "police",
        RequestKind::Testing,
        RequestAbout::Case(case_id.clone()),
        "lab",
    )
    .unwrap();
    let taken = request::request(&sim, &first).unwrap().unwrap();
    // A second ask whose hash happens to share the first 64 bits: put the
    // first request under the id the second will derive.
    let tx = sim.tx(
        &sim::officer("police"),
        ask_call(RequestKind::Storage, RequestAbout::Case(case_id), "market"),
    );
    let colliding = RequestId::for_tx(&tx.hash());
    sim.state.insert(
        xianjie_ledger::state::keys::request(&colliding),
        xianjie_ledger::codec::encode(&taken),
    );
    let refused = xianjie_contracts::execute(&sim, &sim.ctx(), &tx).unwrap_err();
    assert_eq!(refused.code(), "record_exists");
}

#[test]
fn a_request_rule_is_a_plain_duty_and_names_each_kind_once() {
    use xianjie_contracts::params::check_deadlines;
    use xianjie_ledger::deadline::ClockKind;
    let params = sim::sim_params();
    let domains = &params.cases.domains;
    assert_eq!(check_deadlines(&params.deadlines, domains), Ok(()));
    let rules = xianjie_ledger::request::deadline_rules();
    let with = |change: &dyn Fn(&mut xianjie_ledger::deadline::DeadlineRule)| {
        let mut all = params.deadlines.clone();
        let rule = all
            .iter_mut()
            .find(|rule| rule.id == CONSULTATION_RULE)
            .unwrap();
        change(rule);
        check_deadlines(&all, domains)
    };
    assert!(with(&|rule| rule.kind = ClockKind::Window).is_err());
    assert!(with(&|rule| rule.stop = vec!["accept".into()]).is_err());
    assert!(
        with(&|rule| rule.start = vec!["testing".into()]).is_err(),
        "testing is the assistance rule's"
    );
    assert!(with(&|rule| rule.start = vec!["gossip".into()]).is_err());
    assert!(with(&|rule| rule.limit = 10).is_ok());
    assert_eq!(rules.len(), 2);
}

#[test]
fn an_identity_number_is_refused_as_a_laboratory_code() {
    let call = Call::Accredit(xianjie_ledger::tx::Accredit {
        lab_uscc: "110105-19900101-0299".into(),
        cma_number: "240012345678".into(),
        scope: vec!["GB2763-pesticide".into()],
        valid_from: 20260101,
        valid_to: 20261231,
        certificate_digest: None,
    });
    let refused = xianjie_contracts::privacy::check_call(&call).unwrap_err();
    assert_eq!(refused.code(), "personal_information");
}

#[test]
fn assistance_is_for_a_case_that_is_not_closed() {
    let (mut sim, case_id) = crate::expect::case_at("S16_CLOSED");
    let about = || RequestAbout::Case(case_id.clone());
    assert_eq!(
        ask(&mut sim, "police", RequestKind::Storage, about(), "market"),
        Err("invalid_field".to_owned())
    );
    assert!(ask(
        &mut sim,
        "police",
        RequestKind::Consultation,
        about(),
        "market"
    )
    .is_ok());
}
