//! Clues (线索) between organs: every route allowed for its parties and
//! refused for the others, every answer in every state by every party, the
//! clocks, conversion into a case, forwarding, reads, and the refusals of
//! bad input. The expectations are written from docs/clue.md §2–§4, row by
//! row, not computed by the contract's own rule.

use xianjie_contracts::{authorize_read, clue, deadline, ReadResource};
use xianjie_ledger::case::{LeadKind, LeadSource};
use xianjie_ledger::clue::{
    person_subject, Clue, ClueAction, ClueId, ClueSource, ClueState, ClueSubject,
    CLUE_DECISION_RULE, CLUE_RESPONSE_RULE,
};
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::genesis::{GenesisOfficer, GenesisOrg};
use xianjie_ledger::hash::{file_digest, note_digest, Hash};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{Org, OrgKind, OrgLevel, Role};
use xianjie_ledger::tx::{AnswerClue, Call, OpenCase, SendClue};

use crate::sim::{self, org_id, Sim, DAY_MS};

/// The supervisory commission (监察委员会) these tests add to the sim's
/// organisations.
const SUPERVISION: &str = "supervision";

fn supervision_key(slot: u8) -> SecretKey {
    SecretKey::from_bytes(&[180 + slot; 32])
}

/// A sim chain with a supervisory commission besides the sim's organisations.
fn chain() -> Sim {
    let mut genesis = sim::genesis(sim::sim_params());
    genesis.orgs.push(GenesisOrg {
        org: Org {
            id: org_id(SUPERVISION),
            name: "监察委员会".into(),
            kind: OrgKind::SupervisoryCommission,
            uscc: sim::uscc_for("330100", 7777),
            region: "330100".into(),
            level: OrgLevel::Prefecture,
        },
        officers: [Role::Admin, Role::Head, Role::Officer]
            .into_iter()
            .enumerate()
            .map(|(slot, role)| GenesisOfficer {
                public_key: supervision_key(slot as u8).public_key(),
                role,
            })
            .collect(),
    });
    Sim::from_genesis(&genesis)
}

fn officer(org: &str) -> SecretKey {
    match org {
        SUPERVISION => supervision_key(2),
        _ => sim::officer(org),
    }
}

fn head(org: &str) -> SecretKey {
    match org {
        SUPERVISION => supervision_key(1),
        _ => sim::head(org),
    }
}

fn kind_of(org: &str) -> OrgKind {
    match org {
        SUPERVISION => OrgKind::SupervisoryCommission,
        _ => {
            sim::ORGS
                .iter()
                .find(|(name, _, _)| *name == org)
                .expect("an org")
                .1
        }
    }
}

fn send_call(to: &str, duty_crime: bool) -> SendClue {
    SendClue {
        source: ClueSource::Hotline12345,
        subject: ClueSubject::LegalPerson(sim::entity()),
        matter: "food-safety/expired".into(),
        duty_crime,
        to: org_id(to),
        received_on: 20260601,
        materials: vec![file_digest(b"work order 12345-0601-77")],
    }
}

fn send(sim: &mut Sim, from: &str, call: SendClue) -> Result<ClueId, String> {
    sim.run(&officer(from), Call::SendClue(call))
        .map(|hash| ClueId::for_tx(&hash))
        .map_err(|error| error.code().to_owned())
}

fn answer_call(id: &ClueId, action: ClueAction, to: Option<&str>) -> Call {
    let document = match action {
        ClueAction::Decline | ClueAction::Convert => Some(note_digest("理由")),
        _ => None,
    };
    Call::AnswerClue(AnswerClue {
        clue: id.clone(),
        action,
        to: to.map(org_id),
        document,
    })
}

fn answer(
    sim: &mut Sim,
    signer: &SecretKey,
    id: &ClueId,
    action: ClueAction,
    to: Option<&str>,
) -> String {
    sim.code(signer, answer_call(id, action, to))
}

fn clue_of(sim: &Sim, id: &ClueId) -> Clue {
    clue::clue(sim, id).unwrap().expect("the clue exists")
}

/// docs/clue.md §2, row by row: the kinds a clue may go between, and
/// whether the row is for duty-crime clues (D9). Everything else is refused.
const ROUTES: &[(OrgKind, OrgKind, bool)] = {
    use OrgKind::*;
    &[
        // Cross-department and cross-region work between agencies.
        (AdministrativeAgency, AdministrativeAgency, false),
        // The government's 12345 hotline office dispatches work orders.
        (GovernmentOffice, AdministrativeAgency, false),
        // T2a: an agency tells the police of an obvious crime.
        (AdministrativeAgency, Police, false),
        // Any organ to the procuratorate, duty crimes included.
        (AdministrativeAgency, Procuratorate, false),
        (AdministrativeAgency, Procuratorate, true),
        (Police, Procuratorate, false),
        (Police, Procuratorate, true),
        (Procuratorate, Procuratorate, false),
        (Procuratorate, Procuratorate, true),
        (Court, Procuratorate, false),
        (Court, Procuratorate, true),
        (TestingBody, Procuratorate, false),
        (TestingBody, Procuratorate, true),
        (GovernmentOffice, Procuratorate, false),
        (GovernmentOffice, Procuratorate, true),
        (SupervisoryCommission, Procuratorate, false),
        (SupervisoryCommission, Procuratorate, true),
        // D9: duty-crime clues to the supervisory commission.
        (AdministrativeAgency, SupervisoryCommission, true),
        (Procuratorate, SupervisoryCommission, true),
    ]
};

#[test]
fn every_route_between_every_pair_of_organisations_is_allowed_or_refused_as_docs_say() {
    let base = chain();
    let names: Vec<&str> = sim::ORGS
        .iter()
        .map(|(name, _, _)| *name)
        .chain([SUPERVISION])
        .collect();
    let mut allowed = 0;
    for &from in &names {
        for &to in &names {
            for duty_crime in [false, true] {
                let mut sim = base.clone();
                let expected =
                    from != to && ROUTES.contains(&(kind_of(from), kind_of(to), duty_crime));
                let got = send(&mut sim, from, send_call(to, duty_crime));
                match (expected, &got) {
                    (true, Ok(id)) => {
                        allowed += 1;
                        let clue = clue_of(&sim, id);
                        assert_eq!((clue.from.as_str(), clue.to.as_str()), (from, to));
                        assert_eq!(clue.state, ClueState::Sent);
                        assert_eq!(clue::clues_of_org(&sim, &org_id(to)).unwrap(), vec![id.clone()]);
                        assert_eq!(clue::clues_of_org(&sim, &org_id(from)).unwrap(), vec![id.clone()]);
                    }
                    (false, Err(code)) => assert_eq!(code, "clue_route_refused", "{from} → {to}"),
                    _ => panic!("{from} → {to} (duty crime {duty_crime}): expected allowed {expected}, got {got:?}"),
                }
            }
        }
    }
    // The table is exercised, not empty: agencies ↔ agencies, agencies →
    // police, everyone → procuratorates, D9 to the commission.
    assert!(allowed > 60, "{allowed}");
}

/// How a clue sent from `market` to `to` is brought to `state`.
fn clue_in_state(to: &str, state: ClueState) -> (Sim, ClueId) {
    let mut sim = chain();
    let id = send(&mut sim, "market", send_call(to, false)).expect("sent");
    let receiver_officer = officer(to);
    let code = match state {
        ClueState::Sent => return (sim, id),
        ClueState::Accepted => answer(&mut sim, &receiver_officer, &id, ClueAction::Accept, None),
        ClueState::Converted => answer(&mut sim, &receiver_officer, &id, ClueAction::Convert, None),
        ClueState::NotActionable => answer(&mut sim, &head(to), &id, ClueAction::Decline, None),
        ClueState::Forwarded => answer(
            &mut sim,
            &receiver_officer,
            &id,
            ClueAction::Forward,
            Some("proc"),
        ),
    };
    assert_eq!(code, "ok", "bringing a clue to {state}");
    assert_eq!(clue_of(&sim, &id).state, state);
    (sim, id)
}

/// docs/clue.md §4: which answer each state allows.
fn allowed_in(action: ClueAction, state: ClueState) -> bool {
    match action {
        ClueAction::Accept => state == ClueState::Sent,
        _ => matches!(state, ClueState::Sent | ClueState::Accepted),
    }
}

#[test]
fn every_answer_in_every_state_by_every_party() {
    use ClueAction::{Accept, Convert, Decline, Forward};
    // The police receive clues from agencies (T2a) and record a filing.
    let to = "police";
    let states = [
        ClueState::Sent,
        ClueState::Accepted,
        ClueState::Converted,
        ClueState::NotActionable,
        ClueState::Forwarded,
    ];
    for state in states {
        for action in [Accept, Decline, Forward, Convert] {
            // (signer, what the docs expect when the state allows the step)
            let parties: [(&str, SecretKey, &str); 5] = [
                (
                    "receiver officer",
                    officer(to),
                    if action == Decline {
                        "policy_denied"
                    } else {
                        "ok"
                    },
                ),
                ("receiver head", head(to), "ok"),
                ("sender officer", officer("market"), "policy_denied"),
                ("sender head", head("market"), "policy_denied"),
                ("third organ", officer("proc"), "policy_denied"),
            ];
            for (who, key, when_allowed) in parties {
                let (mut sim, id) = clue_in_state(to, state);
                let target = (action == Forward).then_some("proc");
                let got = answer(&mut sim, &key, &id, action, target);
                let expected = match when_allowed {
                    "ok" if !allowed_in(action, state) => "clue_wrong_state",
                    other => other,
                };
                assert_eq!(got, expected, "{who} {action} on a {state} clue");
                let after = clue_of(&sim, &id).state;
                if got == "ok" {
                    let next = match action {
                        Accept => ClueState::Accepted,
                        Decline => ClueState::NotActionable,
                        Forward => ClueState::Forwarded,
                        Convert => ClueState::Converted,
                        ClueAction::Send => unreachable!(),
                    };
                    assert_eq!(after, next);
                } else {
                    assert_eq!(after, state, "a refused answer changes nothing");
                }
            }
        }
    }
}

#[test]
fn an_agency_converts_a_clue_by_opening_a_case_that_names_it() {
    let mut sim = chain();
    let id = send(&mut sim, "market", send_call("tax", false)).unwrap();
    assert_eq!(
        answer(&mut sim, &officer("tax"), &id, ClueAction::Convert, None),
        "clue_convert_by_case"
    );
    let open = |entity: String, reference: Option<&str>| {
        Call::OpenCase(OpenCase {
            title: "偷税线索".into(),
            entity,
            domain: "tax".into(),
            lead: LeadSource {
                kind: LeadKind::Clue,
                reference: reference.map(str::to_owned),
            },
        })
    };
    // Another organ's agency cannot convert it; nor a case about someone else.
    let before = sim.clone();
    assert_eq!(
        sim.code(&officer("market"), open(sim::entity(), Some(&id))),
        "policy_denied"
    );
    assert_eq!(
        sim.code(
            &officer("tax"),
            open(sim::uscc_for("330100", 99), Some(&id))
        ),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&officer("tax"), open(sim::entity(), None)),
        "invalid_field"
    );
    assert_eq!(
        sim.code(
            &officer("tax"),
            open(sim::entity(), Some("CLUE-0000000000000000"))
        ),
        "unknown_clue"
    );
    assert_eq!(clue_of(&sim, &id), clue_of(&before, &id));
    // The receiver opens the case: the clue is converted and names it.
    let hash = sim
        .run(&officer("tax"), open(sim::entity(), Some(&id)))
        .unwrap();
    let case_id = CaseId::for_tx(&hash);
    let clue = clue_of(&sim, &id);
    assert_eq!(clue.state, ClueState::Converted);
    assert_eq!(clue.case, Some(case_id.clone()));
    assert_eq!(
        sim.case(&case_id).lead.reference.as_deref(),
        Some(id.as_str())
    );
    // Once converted, a second case cannot convert it again.
    assert_eq!(
        sim.code(&officer("tax"), open(sim::entity(), Some(&id))),
        "clue_wrong_state"
    );
}

#[test]
fn a_forwarded_clue_is_followed_by_every_earlier_sender_and_read_by_no_one_else() {
    let mut sim = chain();
    let first = send(&mut sim, "market", send_call("tax", false)).unwrap();
    // Forwarding names a target allowed by the routes, once per organ.
    assert_eq!(
        answer(&mut sim, &officer("tax"), &first, ClueAction::Forward, None),
        "invalid_field"
    );
    assert_eq!(
        answer(
            &mut sim,
            &officer("tax"),
            &first,
            ClueAction::Forward,
            Some("court")
        ),
        "clue_route_refused"
    );
    assert_eq!(
        answer(
            &mut sim,
            &officer("tax"),
            &first,
            ClueAction::Forward,
            Some("market")
        ),
        "invalid_field"
    );
    assert_eq!(
        answer(
            &mut sim,
            &officer("tax"),
            &first,
            ClueAction::Forward,
            Some("police")
        ),
        "ok"
    );
    let old = clue_of(&sim, &first);
    let second = old.forwarded_as.clone().expect("forwarded");
    let new = clue_of(&sim, &second);
    assert_eq!((new.from.as_str(), new.to.as_str()), ("tax", "police"));
    assert_eq!(new.forwards.as_ref(), Some(&first));
    assert_eq!(new.earlier_senders, vec![org_id("market")]);
    assert_eq!(
        (new.subject.clone(), new.matter.clone()),
        (old.subject.clone(), old.matter.clone())
    );
    // The police convert it with their filing decision.
    assert_eq!(
        answer(
            &mut sim,
            &officer("police"),
            &second,
            ClueAction::Convert,
            None
        ),
        "ok"
    );
    // The market sees the forwarded clue in its list and may read it.
    assert!(clue::clues_of_org(&sim, &org_id("market"))
        .unwrap()
        .contains(&second));
    let reads = |org: &str| {
        authorize_read(
            &sim::policies(),
            &sim,
            &sim::id_of(&officer(org)),
            &ReadResource::Clue(second.clone()),
        )
        .map(|_| ())
        .map_err(|error| error.code().to_owned())
    };
    for org in ["market", "tax", "police"] {
        assert_eq!(reads(org), Ok(()), "{org}");
    }
    for org in ["proc", "court", "police-b", SUPERVISION] {
        assert_eq!(reads(org), Err("policy_denied".into()), "{org}");
    }
}

#[test]
fn the_receiver_has_seven_days_to_answer_and_thirty_to_decide() {
    let mut sim = chain();
    let id = send(&mut sim, "market", send_call("police", false)).unwrap();
    let clocks =
        |sim: &Sim, at_ms| deadline::clue_clocks(&sim::sim_params(), &clue_of(sim, &id), at_ms);
    let sent = clue_of(&sim, &id).sent_at_ms();
    // Sent Monday 2026-06-01 at noon: due at the end of 2026-06-08.
    let running = clocks(&sim, sent);
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].rule, CLUE_RESPONSE_RULE);
    let due = sim::local_ms(20260609, 0, 0) - 1;
    assert_eq!(running[0].due_at_ms, due);
    assert!(!clocks(&sim, due)[0].overdue);
    assert!(clocks(&sim, due + 1)[0].overdue);
    // Accepting stops it and starts the decision clock.
    sim.advance(2 * DAY_MS);
    assert_eq!(
        answer(&mut sim, &officer("police"), &id, ClueAction::Accept, None),
        "ok"
    );
    let running = clocks(&sim, sim.time_ms);
    assert_eq!(
        running.iter().map(|c| c.rule.as_str()).collect::<Vec<_>>(),
        [CLUE_DECISION_RULE]
    );
    // Accepted Wednesday 2026-06-03: due at the end of Friday 2026-07-03.
    assert_eq!(running[0].due_at_ms, sim::local_ms(20260704, 0, 0) - 1);
    // Deciding stops every clock.
    assert_eq!(
        answer(&mut sim, &head("police"), &id, ClueAction::Decline, None),
        "ok"
    );
    assert!(clocks(&sim, sim.time_ms + 365 * DAY_MS).is_empty());
}

#[test]
fn bad_input_is_refused_with_its_code_and_changes_nothing() {
    let base = chain();
    let cases: Vec<(&str, SendClue, &str)> = vec![
        (
            "a duty crime to the police",
            send_call("police", true),
            "clue_route_refused",
        ),
        (
            "an unknown receiver",
            send_call("nobody", false),
            "unknown_org",
        ),
        (
            "a matter holding an identity number",
            SendClue {
                matter: "matter-11010519491231002X".into(),
                ..send_call("tax", false)
            },
            "personal_information",
        ),
        (
            "a matter that is text, not a code",
            SendClue {
                matter: "过期食品".into(),
                ..send_call("tax", false)
            },
            "invalid_field",
        ),
        (
            "a date received after today",
            SendClue {
                received_on: 20260602,
                ..send_call("tax", false)
            },
            "invalid_field",
        ),
        (
            "a date that does not exist",
            SendClue {
                received_on: 20260231,
                ..send_call("tax", false)
            },
            "invalid_field",
        ),
        (
            "the same material twice",
            SendClue {
                materials: vec![Hash([1; 32]), Hash([1; 32])],
                ..send_call("tax", false)
            },
            "invalid_field",
        ),
        (
            "seventeen materials",
            SendClue {
                materials: (0..17).map(|i| Hash([i; 32])).collect(),
                ..send_call("tax", false)
            },
            "invalid_field",
        ),
        (
            "an entity whose USCC fails its check",
            SendClue {
                subject: ClueSubject::LegalPerson("91330106000000042X".into()),
                ..send_call("tax", false)
            },
            "invalid_entity",
        ),
    ];
    for (what, call, code) in cases {
        let mut sim = base.clone();
        let got = send(&mut sim, "market", call);
        assert_eq!(got, Err(code.to_owned()), "{what}");
        assert_eq!(sim.state, base.state, "{what} wrote nothing");
    }
    let mut sim = base.clone();
    let id = send(&mut sim, "market", send_call("police", false)).unwrap();
    for (what, call, code) in [
        (
            "a decline without reasons",
            Call::AnswerClue(AnswerClue {
                clue: id.clone(),
                action: ClueAction::Decline,
                to: None,
                document: None,
            }),
            "invalid_field",
        ),
        (
            "a step named send",
            Call::AnswerClue(AnswerClue {
                clue: id.clone(),
                action: ClueAction::Send,
                to: None,
                document: None,
            }),
            "invalid_field",
        ),
        (
            "an accept that names an organ",
            Call::AnswerClue(AnswerClue {
                clue: id.clone(),
                action: ClueAction::Accept,
                to: Some(org_id("proc")),
                document: None,
            }),
            "invalid_field",
        ),
        (
            "an unknown clue",
            answer_call(
                &ClueId::new("CLUE-00000000000000ff"),
                ClueAction::Accept,
                None,
            ),
            "unknown_clue",
        ),
    ] {
        let key = if what.contains("decline") {
            head("police")
        } else {
            officer("police")
        };
        let before = sim.state.clone();
        assert_eq!(sim.code(&key, call), code, "{what}");
        assert_eq!(sim.state, before, "{what} wrote nothing");
    }
}

#[test]
fn an_identity_number_is_refused_as_a_legal_person_code_before_any_block() {
    // 11010519900101029 9 passes the USCC check character as well as the
    // identity number's: as the subject it would go on chain in clear.
    let number = "110105199001010299";
    assert_eq!(
        xianjie_contracts::uscc::validate(number).as_deref(),
        Ok(number)
    );
    for written in [
        number,
        "110105-19900101-0299",
        "１１０１０５１９９００１０１０２９９",
    ] {
        let call = Call::SendClue(SendClue {
            subject: ClueSubject::LegalPerson(written.into()),
            ..send_call("police", false)
        });
        let refused = xianjie_contracts::privacy::check_call(&call).unwrap_err();
        assert_eq!(refused.code(), "personal_information", "{written}");
        assert!(!refused.to_string().contains("0299"), "{refused}");
    }
    // A case's entity is held to the same rule.
    let open = Call::OpenCase(xianjie_ledger::tx::OpenCase {
        title: "t".into(),
        entity: "110105-19900101-0299".into(),
        domain: "general".into(),
        lead: LeadSource {
            kind: LeadKind::Other,
            reference: None,
        },
    });
    assert_eq!(
        xianjie_contracts::privacy::check_call(&open)
            .unwrap_err()
            .code(),
        "personal_information"
    );
    // A natural person goes on chain as the salted hash only.
    let mut sim = chain();
    let salt = [0x5a; 32];
    let call = SendClue {
        subject: ClueSubject::NaturalPerson(person_subject(&salt, number)),
        ..send_call("police", false)
    };
    let id = send(&mut sim, "market", call).unwrap();
    assert_eq!(
        clue_of(&sim, &id).subject,
        ClueSubject::NaturalPerson(person_subject(&salt, number))
    );
}

#[test]
fn admin_keys_neither_send_nor_answer_clues() {
    let mut sim = chain();
    let admin = sim::admin("market");
    assert_eq!(
        sim.code(&admin, Call::SendClue(send_call("police", false))),
        "wrong_role"
    );
    let id = send(&mut sim, "market", send_call("police", false)).unwrap();
    for action in [ClueAction::Accept, ClueAction::Forward, ClueAction::Convert] {
        let to = (action == ClueAction::Forward).then_some("proc");
        assert_eq!(
            answer(&mut sim, &sim::admin("police"), &id, action, to),
            "wrong_role",
            "{action}"
        );
    }
    assert_eq!(clue_of(&sim, &id).state, ClueState::Sent);
}

#[test]
fn a_clue_passes_through_at_most_eight_organs() {
    // Duty-crime clues go from procuratorate to procuratorate: a chain of
    // them, each forwarding to the next.
    let mut genesis = sim::genesis(sim::sim_params());
    let extra: Vec<String> = (1..=6).map(|n| format!("proc-x{n}")).collect();
    for (n, name) in extra.iter().enumerate() {
        genesis.orgs.push(GenesisOrg {
            org: Org {
                id: org_id(name),
                name: format!("{name} 检察院"),
                kind: OrgKind::Procuratorate,
                uscc: sim::uscc_for("330100", 8000 + n as u32),
                region: "330100".into(),
                level: OrgLevel::County,
            },
            officers: vec![GenesisOfficer {
                public_key: SecretKey::from_bytes(&[200 + n as u8; 32]).public_key(),
                role: Role::Officer,
            }],
        });
    }
    let mut sim = Sim::from_genesis(&genesis);
    let key_of = |name: &str| match extra.iter().position(|e| e == name) {
        Some(n) => SecretKey::from_bytes(&[200 + n as u8; 32]),
        None => sim::officer(name),
    };
    let mut path = vec!["market".to_owned(), "proc".to_owned(), "proc-b".to_owned()];
    path.extend(extra.iter().cloned());
    let mut id = send(&mut sim, "market", send_call("proc", true)).unwrap();
    // Organs passed: market, proc; each forward adds one, up to eight.
    for hop in 1..path.len() - 1 {
        let (holder, next) = (&path[hop], &path[hop + 1]);
        let code = answer(
            &mut sim,
            &key_of(holder),
            &id,
            ClueAction::Forward,
            Some(next),
        );
        let passed = hop + 2;
        if passed <= 8 {
            assert_eq!(code, "ok", "forward {hop} to {next}");
            id = clue_of(&sim, &id).forwarded_as.unwrap();
            let clue = clue_of(&sim, &id);
            assert_eq!(clue.earlier_senders.len() + 2, passed);
        } else {
            assert_eq!(code, "clue_forwarded_too_often", "forward {hop} to {next}");
            return;
        }
    }
    panic!("the path never reached the limit");
}

#[test]
fn a_clue_id_that_is_taken_is_refused_not_replaced() {
    let mut sim = chain();
    let first = send(&mut sim, "market", send_call("police", false)).unwrap();
    let taken = clue_of(&sim, &first);
    let tx = sim.tx(&officer("market"), Call::SendClue(send_call("proc", false)));
    let colliding = ClueId::for_tx(&tx.hash());
    sim.state.insert(
        xianjie_ledger::state::keys::clue(&colliding),
        xianjie_ledger::codec::encode(&taken),
    );
    let refused = xianjie_contracts::execute(&sim, &sim.ctx(), &tx).unwrap_err();
    assert_eq!(refused.code(), "record_exists");
}

#[test]
fn a_case_about_a_natural_person_names_the_salted_hash_and_converts_that_persons_clue() {
    use xianjie_ledger::clue::person_code;
    let mut sim = chain();
    let salt = [0x5a; 32];
    let person = person_subject(&salt, "11010519491231002X");
    let other = person_subject(&salt, "110105194912310029");
    let call = SendClue {
        subject: ClueSubject::NaturalPerson(person),
        ..send_call("tax", false)
    };
    let id = send(&mut sim, "market", call).unwrap();
    let open = |entity: String| {
        Call::OpenCase(OpenCase {
            title: "个人偷税线索".into(),
            entity,
            domain: "tax".into(),
            lead: LeadSource {
                kind: LeadKind::Clue,
                reference: Some(id.to_string()),
            },
        })
    };
    // Another person, a legal person, or a malformed person code: refused.
    assert_eq!(
        sim.code(&officer("tax"), open(person_code(&other))),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&officer("tax"), open(sim::entity())),
        "invalid_field"
    );
    let malformed = format!("person:{}", &person.to_hex()[..63]);
    assert_eq!(sim.code(&officer("tax"), open(malformed)), "invalid_entity");
    assert_eq!(
        sim.code(&officer("tax"), open("person:11010519491231002X".into())),
        "personal_information"
    );
    let hash = sim
        .run(&officer("tax"), open(person_code(&person)))
        .unwrap();
    let case = sim.case(CaseId::for_tx(&hash));
    assert_eq!(case.entity, person_code(&person));
    assert!(!case.entity.contains("11010519491231002X"));
    assert_eq!(clue_of(&sim, &id).state, ClueState::Converted);
}
