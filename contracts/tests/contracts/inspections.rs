//! Inspection results and mutual recognition (DOMAIN §f): accreditation
//! valid on the report date (not today) and covering the matter, objection
//! windows, re-tests, disputes, and the query a second agency runs.

use xianjie_contracts::deadline::local_date;
use xianjie_contracts::inspection::{check_recognition, recognised_results, RecognitionProblem};
use xianjie_contracts::read;
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::ids::InspectionId;
use xianjie_ledger::inspection::{Conclusion, LabRef, ObjectionWindow};
use xianjie_ledger::tx::{
    Accredit, Call, DisputeInspection, RecognizeInspection, RecordInspection, RecordRetest,
    RequestRetest,
};

use crate::sim::{self, local_ms, Sim};

const PESTICIDE: &str = "GB2763-pesticide";
const METALS: &str = "GB2762-heavy-metals";
const CMA: &str = "161512050001";

fn accredit(valid_from: u32, valid_to: u32, scope: &[&str]) -> Call {
    Call::Accredit(Accredit {
        lab_uscc: sim::org_uscc("lab"),
        cma_number: CMA.into(),
        scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        valid_from,
        valid_to,
        certificate_digest: Some(file_digest(b"certificate scan")),
    })
}

fn result(matter: &str, report_date: u32) -> RecordInspection {
    RecordInspection {
        entity: sim::entity(),
        matter: matter.into(),
        inspectors: vec![
            sim::id_of(&sim::officer("lab")),
            sim::id_of(&sim::officer2("lab")),
        ],
        report_date,
        conclusion: Conclusion::NonConforming,
        report_digest: file_digest(format!("{matter}/{report_date}").as_bytes()),
        lab: Some(LabRef {
            uscc: sim::org_uscc("lab"),
            cma_number: CMA.into(),
        }),
        scope: "batch 20250601-A, 3 samples".into(),
        valid_until: None,
        objection: None,
    }
}

fn record(sim: &mut Sim, call: RecordInspection) -> InspectionId {
    let hash = sim
        .run(&sim::officer("lab"), Call::RecordInspection(call))
        .unwrap_or_else(|e| panic!("{}", e.code()));
    InspectionId::for_tx(&hash)
}

fn recognise(id: &str) -> Call {
    Call::RecognizeInspection(RecognizeInspection { id: id.into() })
}

fn dispute(id: &str) -> Call {
    Call::DisputeInspection(DisputeInspection {
        id: id.into(),
        reason_digest: xianjie_ledger::hash::note_digest("sample seal broken"),
    })
}

/// A chain where the market regulator recorded the lab's CMA certificate,
/// valid 2020–2025 for pesticide residues (expired "today", June 2026).
fn accredited() -> Sim {
    let mut sim = Sim::new();
    assert_eq!(
        sim.code(
            &sim::head("market"),
            accredit(20200101, 20251231, &[PESTICIDE])
        ),
        "ok"
    );
    sim
}

#[test]
fn who_records_an_accreditation() {
    let mut sim = Sim::new();
    assert_eq!(
        sim.code(
            &sim::head("lab"),
            accredit(20200101, 20251231, &[PESTICIDE])
        ),
        "self_accreditation"
    );
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            accredit(20200101, 20251231, &[PESTICIDE])
        ),
        "wrong_role"
    );
    // The built-in rules allow any head but the lab's; the default policy
    // leaves it to administrative agencies (market regulators).
    assert_eq!(
        sim.code(
            &sim::head("police"),
            accredit(20200101, 20251231, &[PESTICIDE])
        ),
        "policy_denied"
    );
    assert_eq!(
        sim.code(
            &sim::head("market"),
            accredit(20251231, 20200101, &[PESTICIDE])
        ),
        "invalid_field"
    );
    assert_eq!(
        sim.code(&sim::head("market"), accredit(20200101, 20251231, &[])),
        "invalid_field"
    );
    assert_eq!(
        sim.code(
            &sim::head("market"),
            accredit(20200101, 20251231, &[PESTICIDE])
        ),
        "ok"
    );
    // A renewal appends a period.
    assert_eq!(
        sim.code(
            &sim::head("market"),
            accredit(20260101, 20311231, &[PESTICIDE, METALS])
        ),
        "ok"
    );
    let record = read::accreditation(&sim, &sim::org_uscc("lab"), CMA)
        .unwrap()
        .unwrap();
    assert_eq!(record.periods.len(), 2);
}

#[test]
fn accreditation_counts_on_the_report_date_not_today() {
    let mut sim = accredited();
    let now = sim.time_ms;
    // Report from June 2025: the certificate was valid then (it is not now).
    let valid = record(&mut sim, result(PESTICIDE, 20250601));
    // Report from May 2026: the certificate had expired on the report date.
    let expired = record(&mut sim, result(PESTICIDE, 20260501));
    // Report on a matter outside the certificate's scope.
    let out_of_scope = record(&mut sim, result(METALS, 20250601));
    let check = |sim: &Sim, id: &InspectionId| {
        let inspection = read::inspection(sim, id).unwrap().unwrap();
        check_recognition(sim, &inspection, now).unwrap()
    };
    assert_eq!(check(&sim, &valid), []);
    assert_eq!(
        check(&sim, &expired),
        [RecognitionProblem::NotValidOnReportDate]
    );
    assert_eq!(check(&sim, &out_of_scope), [RecognitionProblem::OutOfScope]);
    let found = recognised_results(&sim, &sim::entity(), PESTICIDE, now).unwrap();
    assert_eq!(
        found.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        [valid.as_str()]
    );
    assert!(recognised_results(&sim, &sim::entity(), METALS, now)
        .unwrap()
        .is_empty());
    assert_eq!(
        read::inspections(&sim, &sim::entity(), None).unwrap().len(),
        3
    );

    // A second agency recognises the valid result, not the others.
    assert_eq!(sim.code(&sim::officer("tax"), recognise(&valid)), "ok");
    assert_eq!(
        sim.code(&sim::officer("tax"), recognise(&expired)),
        "not_recognisable"
    );
    assert_eq!(
        sim.code(&sim::officer("tax"), recognise(&out_of_scope)),
        "not_recognisable"
    );
    assert_eq!(
        sim.code(&sim::officer("lab"), recognise(&valid)),
        "own_inspection"
    );
    assert_eq!(
        sim.code(&sim::officer("tax"), recognise("INSP-0000000000000000")),
        "unknown_inspection"
    );

    // Without a recorded certificate nothing is recognisable.
    let mut bare = Sim::new();
    let id = record(&mut bare, result(PESTICIDE, 20250601));
    assert_eq!(check(&bare, &id), [RecognitionProblem::NoAccreditation]);
    let mut no_lab = result(PESTICIDE, 20250601);
    no_lab.lab = None;
    let id = record(&mut bare, no_lab);
    assert_eq!(check(&bare, &id), [RecognitionProblem::NoLab]);
}

#[test]
fn a_disputed_result_is_not_recognised_until_the_dispute_is_withdrawn() {
    let mut sim = accredited();
    let id = record(&mut sim, result(PESTICIDE, 20250601));
    assert_eq!(sim.code(&sim::officer("tax"), recognise(&id)), "ok");
    assert_eq!(
        sim.code(&sim::officer("lab"), dispute(&id)),
        "own_inspection"
    );
    assert_eq!(sim.code(&sim::officer("police"), dispute(&id)), "ok");
    let now = sim.time_ms;
    assert!(recognised_results(&sim, &sim::entity(), PESTICIDE, now)
        .unwrap()
        .is_empty());
    let inspection = read::inspection(&sim, &id).unwrap().unwrap();
    assert_eq!(
        check_recognition(&sim, &inspection, now).unwrap(),
        [RecognitionProblem::Disputed {
            by: vec![sim::org_id("police")]
        }]
    );
    // Others cannot recognise a disputed result.
    assert_eq!(
        sim.code(&sim::officer("court"), recognise(&id)),
        "not_recognisable"
    );
    // The disputing organisation may recognise it after all (withdrawing its dispute).
    assert_eq!(sim.code(&sim::officer("police"), recognise(&id)), "ok");
    assert_eq!(
        recognised_results(&sim, &sim::entity(), PESTICIDE, sim.time_ms)
            .unwrap()
            .len(),
        1
    );
    let inspection = read::inspection(&sim, &id).unwrap().unwrap();
    assert_eq!(inspection.stances.len(), 2);
}

#[test]
fn a_result_is_recognised_only_after_its_objection_window_and_within_its_validity() {
    let mut sim = accredited();
    let mut call = result(PESTICIDE, 20250601);
    call.valid_until = Some(20260630);
    // Food re-test objection: 7 working days from Thursday 28 May 2026:
    // 29 May, 1–5 June, 8 June.
    call.objection = Some(ObjectionWindow {
        rule: "FOOD_RETEST_OBJECTION".into(),
        notified_on: 20260528,
    });
    let id = record(&mut sim, call);
    let inspection = read::inspection(&sim, &id).unwrap().unwrap();
    let closes = local_ms(20260609, 0, 0) - 1;
    assert_eq!(
        check_recognition(&sim, &inspection, local_ms(20260601, 12, 0)).unwrap(),
        [RecognitionProblem::ObjectionWindowOpen {
            closes_at_ms: closes
        }]
    );
    assert_eq!(
        sim.code(&sim::officer("tax"), recognise(&id)),
        "not_recognisable"
    );
    assert!(check_recognition(&sim, &inspection, closes + 1)
        .unwrap()
        .is_empty());
    assert_eq!(
        recognised_results(&sim, &sim::entity(), PESTICIDE, closes + 1)
            .unwrap()
            .len(),
        1
    );
    // Past its own validity.
    assert_eq!(
        check_recognition(&sim, &inspection, local_ms(20260701, 0, 0)).unwrap(),
        [RecognitionProblem::Expired]
    );
}

#[test]
fn recording_a_result_checks_its_fields_and_the_policy() {
    let mut sim = accredited();
    let code = |sim: &mut Sim, signer: &str, edit: &dyn Fn(&mut RecordInspection)| {
        let mut call = result(PESTICIDE, 20250601);
        edit(&mut call);
        sim.code(&sim::officer(signer), Call::RecordInspection(call))
    };
    assert_eq!(code(&mut sim, "lab", &|_| {}), "ok");
    assert_eq!(
        code(&mut sim, "lab", &|c| c.report_date = 20270101),
        "invalid_field"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.report_date = 20250231),
        "invalid_field"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.matter = "a b".into()),
        "invalid_field"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.scope =
            "样品由 wang.wu@example.cn 送检".into()),
        "personal_information"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.entity = "123".into()),
        "invalid_entity"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.valid_until = Some(20240101)),
        "invalid_field"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.objection = Some(ObjectionWindow {
            rule: "PSB_FILING_DECISION".into(),
            notified_on: 20250602,
        })),
        "unknown_rule"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| {
            c.inspectors.pop();
        }),
        "too_few_inspectors"
    );
    assert_eq!(
        code(&mut sim, "lab", &|c| c.inspectors[1] =
            sim::id_of(&sim::officer("market"))),
        "unknown_inspector"
    );
    // The market regulator records on-site inspection results too.
    let market = |c: &mut RecordInspection| {
        c.inspectors = vec![
            sim::id_of(&sim::officer("market")),
            sim::id_of(&sim::officer2("market")),
        ];
    };
    assert_eq!(code(&mut sim, "market", &market), "ok");
    // The default policy leaves recording results to agencies and testing bodies.
    let police = |c: &mut RecordInspection| {
        c.inspectors = vec![
            sim::id_of(&sim::officer("police")),
            sim::id_of(&sim::officer2("police")),
        ];
    };
    assert_eq!(code(&mut sim, "police", &police), "policy_denied");
}

fn request_retest(id: &str, requested_on: u32) -> Call {
    Call::RequestRetest(RequestRetest {
        id: id.into(),
        requested_on,
        request_digest: xianjie_ledger::hash::note_digest("re-test application"),
    })
}

fn record_retest(of: &str, result: RecordInspection) -> Call {
    Call::RecordRetest(RecordRetest {
        of: of.into(),
        result,
    })
}

/// A result notified to the party on Thursday 28 May 2026, with the food
/// re-test window (7 working days: it closes at the end of Monday 8 June).
fn objectionable(sim: &mut Sim) -> InspectionId {
    let mut call = result(PESTICIDE, 20250601);
    call.objection = Some(ObjectionWindow {
        rule: "FOOD_RETEST_OBJECTION".into(),
        notified_on: 20260528,
    });
    record(sim, call)
}

fn ids(results: Vec<xianjie_ledger::inspection::Inspection>) -> Vec<InspectionId> {
    results.into_iter().map(|result| result.id).collect()
}

#[test]
fn a_retest_applied_for_in_the_window_holds_the_result_until_its_own_result_replaces_it() {
    let mut sim = accredited();
    // The lab's certificate renewed for 2026–2031, so a re-test reported in
    // June 2026 is valid on its report date.
    assert_eq!(
        sim.code(
            &sim::head("market"),
            accredit(20260101, 20311231, &[PESTICIDE])
        ),
        "ok"
    );
    let id = objectionable(&mut sim);
    assert_eq!(local_date(sim.time_ms), 20260601);

    // Only the issuer records the application, dated inside the window and
    // not in the future.
    assert_eq!(
        sim.code(&sim::officer("market"), request_retest(&id, 20260601)),
        "not_issuer"
    );
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260527)),
        "retest_outside_window"
    );
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260605)),
        "invalid_field"
    );
    assert_eq!(
        sim.code(
            &sim::officer("lab"),
            record_retest(&id, result(PESTICIDE, 20260601))
        ),
        "no_retest_requested"
    );
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260601)),
        "ok"
    );
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260601)),
        "retest_already_requested"
    );

    // After the window closed the result still waits for the re-test.
    let after_window = local_ms(20260610, 12, 0);
    let original = read::inspection(&sim, &id).unwrap().unwrap();
    assert_eq!(
        check_recognition(&sim, &original, after_window).unwrap(),
        [RecognitionProblem::RetestPending {
            requested_on: 20260601
        }]
    );
    assert!(
        recognised_results(&sim, &sim::entity(), PESTICIDE, after_window)
            .unwrap()
            .is_empty()
    );

    // The re-test result: same entity and matter, no window of its own,
    // from another laboratory (FSL Art 88), reported after the application.
    sim.time_ms = local_ms(20260610, 9, 0);
    let second_lab = sim::uscc_for("330100", 77);
    let mut accredit_second = accredit(20260101, 20311231, &[PESTICIDE]);
    if let Call::Accredit(call) = &mut accredit_second {
        call.lab_uscc = second_lab.clone();
        call.cma_number = "241512050002".into();
    }
    assert_eq!(sim.code(&sim::head("market"), accredit_second), "ok");
    let mut retested = result(PESTICIDE, 20260610);
    retested.conclusion = Conclusion::Conforming;
    retested.lab = Some(LabRef {
        uscc: second_lab,
        cma_number: "241512050002".into(),
    });
    let mut other_matter = retested.clone();
    other_matter.matter = METALS.into();
    let mut with_window = retested.clone();
    with_window.objection = original.objection.clone();
    let mut too_early = retested.clone();
    too_early.report_date = 20260529;
    let mut no_lab = retested.clone();
    no_lab.lab = None;
    let same_lab = result(PESTICIDE, 20260610);
    for (call, code) in [
        (other_matter, "invalid_field"),
        (with_window, "invalid_field"),
        (too_early, "invalid_field"),
        (no_lab, "invalid_field"),
        (same_lab, "same_retest_lab"),
    ] {
        assert_eq!(
            sim.code(&sim::officer("lab"), record_retest(&id, call)),
            code
        );
    }
    assert_eq!(
        sim.code(
            &sim::officer("market"),
            record_retest(&id, retested.clone())
        ),
        "not_issuer"
    );
    let hash = sim
        .run(&sim::officer("lab"), record_retest(&id, retested.clone()))
        .unwrap_or_else(|e| panic!("{}", e.code()));
    let retest_id = xianjie_ledger::ids::InspectionId::for_tx(&hash);
    assert_eq!(
        sim.code(&sim::officer("lab"), record_retest(&id, retested)),
        "retest_already_recorded"
    );

    let original = read::inspection(&sim, &id).unwrap().unwrap();
    assert_eq!(
        original.retest.as_ref().unwrap().result.as_deref(),
        Some(retest_id.as_str())
    );
    assert_eq!(
        check_recognition(&sim, &original, after_window).unwrap(),
        [RecognitionProblem::Superseded {
            by: retest_id.clone()
        }]
    );
    let replacement = read::inspection(&sim, &retest_id).unwrap().unwrap();
    assert_eq!(replacement.retest_of.as_deref(), Some(id.as_str()));
    assert_eq!(replacement.conclusion, Conclusion::Conforming);
    assert_eq!(
        ids(recognised_results(&sim, &sim::entity(), PESTICIDE, sim.time_ms).unwrap()),
        std::slice::from_ref(&retest_id)
    );
    assert_eq!(
        sim.code(&sim::officer("tax"), recognise(&id)),
        "not_recognisable"
    );
    assert_eq!(sim.code(&sim::officer("tax"), recognise(&retest_id)), "ok");
    // A re-test result has no window: it is not re-tested in turn.
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&retest_id, 20260610)),
        "no_objection_window"
    );
}

#[test]
fn a_retest_application_is_recorded_inside_the_window() {
    // The window closes at the end of Monday 8 June. An application dated
    // inside it but recorded later would take a result back from agencies
    // that relied on it once the window closed.
    let mut sim = accredited();
    let id = objectionable(&mut sim);
    let mut late = sim.clone();
    late.time_ms = local_ms(20260609, 8, 0);
    assert_eq!(
        late.code(&sim::officer("lab"), request_retest(&id, 20260608)),
        "retest_outside_window"
    );
    sim.time_ms = local_ms(20260608, 23, 0);
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260608)),
        "ok"
    );
}

#[test]
fn a_result_without_an_objection_window_has_no_retest() {
    let mut sim = accredited();
    let id = record(&mut sim, result(PESTICIDE, 20250601));
    assert_eq!(
        sim.code(&sim::officer("lab"), request_retest(&id, 20260601)),
        "no_objection_window"
    );
    assert_eq!(
        sim.code(
            &sim::officer("lab"),
            request_retest("INSP-0000000000000000", 20260601)
        ),
        "unknown_inspection"
    );
}
