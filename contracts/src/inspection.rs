//! Inspection and test results and their mutual recognition (检验鉴定结果互认,
//! DOMAIN §f).
//!
//! A result is *recognisable* (§f.2) when, at the time asked about:
//!
//! * a laboratory with a CMA certificate issued it, and the certificate was
//!   valid **on the report date** (not today) with the result's matter in
//!   its scope — checked against the accreditation periods recorded on chain;
//! * its objection (复检) window, if any, has closed, and no re-test was
//!   applied for within it (a pending re-test blocks it; a concluded one
//!   replaces it, since the re-test conclusion is final: FSL Art 88 ¶1);
//! * it has not passed its own `valid_until` date;
//! * no organisation disputes it.
//!
//! [`recognised_results`] lists those results for an entity and matter, so a
//! second agency knows it need not inspect again; `RecognizeInspection`
//! records that an organisation relies on one (only a recognisable result,
//! never its own), `DisputeInspection` records a dispute, which removes the
//! result from the list until the disputing organisation recognises it after
//! all. Each organisation has one stance per result; the latest counts.
//!
//! The issuing organisation receives a party's re-test application and
//! records it (`RequestRetest`, dated inside the window) and then the
//! re-test's result (`RecordRetest`, same entity and matter, no window of
//! its own), which the other agencies recognise in the original's place.
//!
//! Who records a CMA certificate: a head of a member organisation other than
//! the laboratory itself (no self-accreditation); the default policy set
//! narrows this to heads of administrative agencies, because the CMA is
//! granted by market regulators (CCAR Art 15), and a deployment names the
//! competent regulators in its policies. Governance (M of N) would be too
//! heavy for thousands of certificates, and a laboratory's own word is not an
//! accreditation.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::InspectionId;
use xianjie_ledger::inspection::{
    Accreditation, AccreditationPeriod, Inspection, Retest, Stance, StanceKind,
    MAX_ACCREDITATION_PERIODS, MAX_CMA_LEN, MAX_INSPECTORS, MAX_MATTER_LEN, MAX_SCOPE_MATTERS,
    MAX_STANCES,
};
use xianjie_ledger::model::{Officer, Role};
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::tx::{
    Accredit, DisputeInspection, RecognizeInspection, RecordInspection, RecordRetest, RequestRetest,
};

use crate::deadline::{self, is_valid_date, local_date};
use crate::error::{ContractError, Result};
use crate::evidence::{check_short_text, invalid};
use crate::overlay::Overlay;
use crate::policy::{self, Resource};
use crate::{index, read, BlockCtx};

/// Why a result is not recognisable at a given time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum RecognitionProblem {
    /// No laboratory (CMA certificate) is named on the result.
    NoLab,
    /// No certificate with that number is recorded for the laboratory.
    NoAccreditation,
    /// The certificate was not valid on the report date.
    NotValidOnReportDate,
    /// The certificate's scope on the report date does not cover the matter.
    OutOfScope,
    /// The party may still object (复检) until this instant.
    ObjectionWindowOpen {
        /// Last instant of the window (Unix ms).
        closes_at_ms: u64,
    },
    /// The objection rule named on the result no longer exists.
    UnknownObjectionRule,
    /// The result's own validity ended.
    Expired,
    /// The party applied for a re-test (复检) on this date; it has no result yet.
    RetestPending {
        /// The application date (`yyyymmdd`).
        requested_on: u32,
    },
    /// A re-test replaced it: the re-test's conclusion is final.
    Superseded {
        /// The re-test result.
        by: InspectionId,
    },
    /// These organisations dispute it.
    Disputed {
        /// The disputing organisations.
        by: Vec<xianjie_ledger::ids::OrgId>,
    },
}

impl std::fmt::Display for RecognitionProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecognitionProblem::NoLab => f.write_str("no CMA-certified laboratory is named"),
            RecognitionProblem::NoAccreditation => {
                f.write_str("the laboratory's CMA certificate is not recorded")
            }
            RecognitionProblem::NotValidOnReportDate => {
                f.write_str("the CMA certificate was not valid on the report date")
            }
            RecognitionProblem::OutOfScope => {
                f.write_str("the matter was outside the certificate's scope on the report date")
            }
            RecognitionProblem::ObjectionWindowOpen { closes_at_ms } => {
                let last_day = local_date(*closes_at_ms);
                write!(
                    f,
                    "the party may object (复检) until the end of {last_day} (China time)"
                )
            }
            RecognitionProblem::UnknownObjectionRule => {
                f.write_str("the result's objection rule is no longer a chain parameter")
            }
            RecognitionProblem::Expired => f.write_str("the result's validity has ended"),
            RecognitionProblem::RetestPending { requested_on } => {
                write!(
                    f,
                    "a re-test was applied for on {requested_on} and has no result yet"
                )
            }
            RecognitionProblem::Superseded { by } => {
                write!(f, "replaced by the re-test result {by}, which is final")
            }
            RecognitionProblem::Disputed { by } => write!(f, "disputed by {by:?}"),
        }
    }
}

/// Every reason a result is not recognisable at `at_ms` (empty: it is).
pub fn check_recognition(
    view: &dyn StateView,
    inspection: &Inspection,
    at_ms: u64,
) -> Result<Vec<RecognitionProblem>> {
    let mut problems = Vec::new();
    match &inspection.lab {
        None => problems.push(RecognitionProblem::NoLab),
        Some(lab) => match read::accreditation(view, &lab.uscc, &lab.cma_number)? {
            None => problems.push(RecognitionProblem::NoAccreditation),
            Some(accreditation) => {
                let on_date: Vec<&AccreditationPeriod> = accreditation
                    .periods
                    .iter()
                    .filter(|p| p.valid_from <= inspection.report_date)
                    .filter(|p| inspection.report_date <= p.valid_to)
                    .collect();
                if on_date.is_empty() {
                    problems.push(RecognitionProblem::NotValidOnReportDate);
                } else if !on_date.iter().any(|p| p.scope.contains(&inspection.matter)) {
                    problems.push(RecognitionProblem::OutOfScope);
                }
            }
        },
    }
    if let Some(window) = &inspection.objection {
        let params = read::params_shared(view)?;
        match deadline::objection_due_at(&params, window) {
            None => problems.push(RecognitionProblem::UnknownObjectionRule),
            Some(closes_at_ms) if at_ms <= closes_at_ms => {
                problems.push(RecognitionProblem::ObjectionWindowOpen { closes_at_ms })
            }
            Some(_) => {}
        }
    }
    if let Some(retest) = &inspection.retest {
        problems.push(match &retest.result {
            None => RecognitionProblem::RetestPending {
                requested_on: retest.requested_on,
            },
            Some(by) => RecognitionProblem::Superseded { by: by.clone() },
        });
    }
    if inspection
        .valid_until
        .is_some_and(|until| local_date(at_ms) > until)
    {
        problems.push(RecognitionProblem::Expired);
    }
    let by: Vec<_> = inspection
        .stances
        .iter()
        .filter(|stance| stance.kind == StanceKind::Disputed)
        .map(|stance| stance.org.clone())
        .collect();
    if !by.is_empty() {
        problems.push(RecognitionProblem::Disputed { by });
    }
    Ok(problems)
}

/// The results for `entity` (USCC) and `matter` that are recognisable at
/// `at_ms` (Unix ms; the node passes the latest block time), oldest first.
pub fn recognised_results(
    view: &dyn StateView,
    entity: &str,
    matter: &str,
    at_ms: u64,
) -> Result<Vec<Inspection>> {
    let mut out = Vec::new();
    for inspection in read::inspections(view, entity, Some(matter))? {
        if check_recognition(view, &inspection, at_ms)?.is_empty() {
            out.push(inspection);
        }
    }
    Ok(out)
}

/// Whether `text` is a code as results name them (matter codes, CMA
/// numbers): 1 to `max` characters of A-Z, a-z, 0-9, `.`, `_` and `-`.
pub fn is_code(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn check_date(field: &'static str, date: u32) -> Result<()> {
    if is_valid_date(date) {
        Ok(())
    } else {
        Err(invalid(field, "a real date written yyyymmdd".into()))
    }
}

/// Whether the signer's role may record `action`: a head for `accredit`,
/// an officer or a head for the rest, never an admin.
fn check_officer_role(signer: &Officer, action: &'static str) -> Result<()> {
    let head_only = action == "accredit";
    let allowed = match signer.role {
        Role::Admin => false,
        Role::Officer => !head_only,
        Role::Head => true,
    };
    if allowed {
        return Ok(());
    }
    Err(ContractError::WrongRole {
        action: action.into(),
        role: signer.role,
        required: if head_only {
            "the head's key"
        } else {
            "an officer or head key"
        },
    })
}

/// Records an inspection or test result for the signer's organisation.
pub fn record(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordInspection,
) -> Result<WriteSet> {
    check_officer_role(signer, "record-inspection")?;
    let inspection = new_inspection(view, ctx, signer, tx_hash, call)?;
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::RecordInspection,
        Resource::Inspection(&inspection),
    )?;
    let mut stage = Overlay::new(view);
    store_new(&mut stage, &inspection)?;
    Ok(stage.into_writes())
}

/// The result `call` records, checked field by field (not yet authorised).
fn new_inspection(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordInspection,
) -> Result<Inspection> {
    let entity = read::chain_uscc(view, &call.entity)?;
    if !is_code(&call.matter, MAX_MATTER_LEN) {
        return Err(invalid(
            "matter",
            format!("1-{MAX_MATTER_LEN} characters of A-Z, a-z, 0-9, ., _ and -"),
        ));
    }
    check_date("report_date", call.report_date)?;
    if call.report_date > local_date(ctx.time_ms) {
        return Err(invalid(
            "report_date",
            "not after the block's date (China local time)".into(),
        ));
    }
    if let Some(until) = call.valid_until {
        check_date("valid_until", until)?;
        if until < call.report_date {
            return Err(invalid("valid_until", "on or after the report date".into()));
        }
    }
    check_short_text("scope", &call.scope)?;
    let lab = match &call.lab {
        Some(lab) => {
            if !is_code(&lab.cma_number, MAX_CMA_LEN) {
                return Err(invalid(
                    "lab.cma_number",
                    format!("1-{MAX_CMA_LEN} characters of A-Z, a-z, 0-9, ., _ and -"),
                ));
            }
            let uscc = read::chain_uscc(view, &lab.uscc)?;
            Some(xianjie_ledger::inspection::LabRef {
                uscc,
                cma_number: lab.cma_number.clone(),
            })
        }
        None => None,
    };
    let params = read::params_shared(view)?;
    if let Some(window) = &call.objection {
        check_date("objection.notified_on", window.notified_on)?;
        if window.notified_on < call.report_date {
            return Err(invalid(
                "objection.notified_on",
                "on or after the report date".into(),
            ));
        }
        if deadline::objection_due_at(&params, window).is_none() {
            return Err(ContractError::UnknownRule {
                rule: window.rule.clone(),
            });
        }
    }
    check_inspectors(view, signer, &params, &call.inspectors)?;
    let id = InspectionId::for_tx(tx_hash);
    let inspection = Inspection {
        id: id.clone(),
        entity: entity.clone(),
        matter: call.matter.clone(),
        issuer: signer.org.clone(),
        inspectors: call.inspectors.clone(),
        report_date: call.report_date,
        conclusion: call.conclusion,
        report_digest: call.report_digest,
        lab,
        scope: call.scope.clone(),
        valid_until: call.valid_until,
        objection: call.objection.clone(),
        recorded_by: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
        stances: Vec::new(),
        retest: None,
        retest_of: None,
    };
    if read::inspection(view, &id)?.is_some() {
        return Err(invalid("id", "unique; sign again with a new nonce".into()));
    }
    Ok(inspection)
}

/// Stores a new result and indexes it by entity and by entity and matter.
fn store_new(stage: &mut Overlay<'_>, inspection: &Inspection) -> Result<()> {
    read::put(stage, keys::inspection(&inspection.id), inspection);
    index::insert(
        stage,
        &keys::index::inspections(&inspection.entity, None),
        inspection.id.as_bytes(),
    )?;
    index::insert(
        stage,
        &keys::index::inspections(&inspection.entity, Some(&inspection.matter)),
        inspection.id.as_bytes(),
    )
}

/// The result `id`, if the signer's organisation issued it.
fn load_own(view: &dyn StateView, signer: &Officer, id: &InspectionId) -> Result<Inspection> {
    let inspection = load(view, id)?;
    if inspection.issuer != signer.org {
        return Err(ContractError::NotIssuer {
            id: inspection.id,
            issuer: inspection.issuer,
        });
    }
    Ok(inspection)
}

/// The issuer records a party's re-test (复检) application, made and
/// recorded inside the result's objection window: until the re-test has a
/// result, the result is not recognisable, even after the window closes
/// (DOMAIN §f.2).
pub fn request_retest(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RequestRetest,
) -> Result<WriteSet> {
    check_officer_role(signer, "request-retest")?;
    let mut inspection = load_own(view, signer, &call.id)?;
    let window = inspection
        .objection
        .clone()
        .ok_or_else(|| ContractError::NoObjectionWindow {
            id: inspection.id.clone(),
        })?;
    if inspection.retest.is_some() {
        return Err(ContractError::RetestAlreadyRequested { id: inspection.id });
    }
    check_date("requested_on", call.requested_on)?;
    if call.requested_on > local_date(ctx.time_ms) {
        return Err(invalid(
            "requested_on",
            "not after the block's date (China local time)".into(),
        ));
    }
    let params = read::params_shared(view)?;
    let closes_at_ms =
        deadline::objection_due_at(&params, &window).ok_or_else(|| ContractError::UnknownRule {
            rule: window.rule.clone(),
        })?;
    let last_day = local_date(closes_at_ms);
    // Recorded on receipt, inside the window too: once the window closed
    // without an application on record, other agencies may rely on the
    // result, and a late entry would take that away after the fact.
    let recorded_in_window = ctx.time_ms <= closes_at_ms;
    if !recorded_in_window || !(window.notified_on..=last_day).contains(&call.requested_on) {
        return Err(ContractError::RetestOutsideWindow {
            id: inspection.id,
            from: window.notified_on,
            to: last_day,
        });
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::RequestRetest,
        Resource::Inspection(&inspection),
    )?;
    inspection.retest = Some(Retest {
        requested_on: call.requested_on,
        request_digest: call.request_digest,
        recorded_by: signer.id,
        height: ctx.height,
        result: None,
    });
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::inspection(&inspection.id), &inspection);
    Ok(stage.into_writes())
}

/// The issuer records the result of a requested re-test: a new result of
/// the same entity and matter from another laboratory, with no objection
/// window of its own (its conclusion is final, FSL Art 88 ¶1), which
/// replaces the re-tested one.
pub fn record_retest(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &RecordRetest,
) -> Result<WriteSet> {
    check_officer_role(signer, "record-retest")?;
    let mut original = load_own(view, signer, &call.of)?;
    let requested_on = match &original.retest {
        None => return Err(ContractError::NoRetestRequested { id: original.id }),
        Some(Retest {
            result: Some(result),
            ..
        }) => {
            return Err(ContractError::RetestAlreadyRecorded {
                id: original.id.clone(),
                result: result.clone(),
            })
        }
        Some(retest) => retest.requested_on,
    };
    if call.result.objection.is_some() {
        return Err(invalid(
            "result.objection",
            "none: a re-test conclusion is final".into(),
        ));
    }
    let mut result = new_inspection(view, ctx, signer, tx_hash, &call.result)?;
    if (&result.entity, &result.matter) != (&original.entity, &original.matter) {
        return Err(invalid(
            "result.matter",
            format!(
                "the re-tested result's entity {} and matter {}",
                original.entity, original.matter
            ),
        ));
    }
    // FSL Art 88 ¶1: 复检机构与初检机构不得为同一机构.
    let Some(retest_lab) = &result.lab else {
        return Err(invalid(
            "result.lab",
            "the re-test laboratory and its CMA certificate number".into(),
        ));
    };
    if let Some(first_lab) = original
        .lab
        .as_ref()
        .filter(|lab| lab.uscc == retest_lab.uscc)
    {
        return Err(ContractError::SameRetestLab {
            id: original.id.clone(),
            lab: first_lab.uscc.clone(),
        });
    }
    if result.report_date < requested_on {
        return Err(invalid(
            "result.report_date",
            format!("on or after the re-test application ({requested_on})"),
        ));
    }
    result.retest_of = Some(original.id.clone());
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::RecordRetest,
        Resource::Inspection(&result),
    )?;
    if let Some(retest) = original.retest.as_mut() {
        retest.result = Some(result.id.clone());
    }
    let mut stage = Overlay::new(view);
    store_new(&mut stage, &result)?;
    read::put(&mut stage, keys::inspection(&original.id), &original);
    Ok(stage.into_writes())
}

fn check_inspectors(
    view: &dyn StateView,
    signer: &Officer,
    params: &xianjie_ledger::params::Params,
    inspectors: &[xianjie_ledger::crypto::KeyId],
) -> Result<()> {
    if inspectors.len() > MAX_INSPECTORS
        || inspectors.iter().collect::<BTreeSet<_>>().len() != inspectors.len()
    {
        return Err(invalid(
            "inspectors",
            format!("at most {MAX_INSPECTORS} officers, none repeated"),
        ));
    }
    let min = params.inspections.min_inspectors;
    if inspectors.len() < usize::from(min) {
        return Err(ContractError::TooFewInspectors {
            named: inspectors.len(),
            min,
        });
    }
    for inspector in inspectors {
        let ok = read::officer(view, inspector)?
            .is_some_and(|officer| officer.active && officer.org == signer.org);
        if !ok {
            return Err(ContractError::UnknownInspector {
                inspector: *inspector,
                org: signer.org.clone(),
            });
        }
    }
    Ok(())
}

fn load(view: &dyn StateView, id: &InspectionId) -> Result<Inspection> {
    read::inspection(view, id)?.ok_or_else(|| ContractError::UnknownInspection { id: id.clone() })
}

fn take_stance(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    mut inspection: Inspection,
    kind: StanceKind,
    reason_digest: Option<Hash>,
) -> Result<WriteSet> {
    let stance = Stance {
        org: signer.org.clone(),
        kind,
        officer: signer.id,
        reason_digest,
        height: ctx.height,
    };
    let full = inspection.stances.len() >= MAX_STANCES;
    match inspection
        .stances
        .iter_mut()
        .find(|existing| existing.org == signer.org)
    {
        Some(existing) => *existing = stance,
        None if full => {
            return Err(ContractError::StancesFull {
                id: inspection.id.clone(),
            })
        }
        None => inspection.stances.push(stance),
    }
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::inspection(&inspection.id), &inspection);
    Ok(stage.into_writes())
}

/// Another organisation recognises a recognisable result.
pub fn recognize(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &RecognizeInspection,
) -> Result<WriteSet> {
    check_officer_role(signer, "recognize-inspection")?;
    let inspection = load(view, &call.id)?;
    if inspection.issuer == signer.org {
        return Err(ContractError::OwnInspection);
    }
    // The signer's own earlier dispute does not stand in its way: recognising
    // withdraws it.
    let mut others = inspection.clone();
    others.stances.retain(|stance| stance.org != signer.org);
    let problems = check_recognition(view, &others, ctx.time_ms)?;
    if let Some(problem) = problems.first() {
        return Err(ContractError::NotRecognisable {
            id: inspection.id.clone(),
            problem: problem.to_string(),
        });
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::RecognizeInspection,
        Resource::Inspection(&inspection),
    )?;
    take_stance(view, ctx, signer, inspection, StanceKind::Recognised, None)
}

/// Another organisation disputes a result.
pub fn dispute(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &DisputeInspection,
) -> Result<WriteSet> {
    check_officer_role(signer, "dispute-inspection")?;
    let inspection = load(view, &call.id)?;
    if inspection.issuer == signer.org {
        return Err(ContractError::OwnInspection);
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::DisputeInspection,
        Resource::Inspection(&inspection),
    )?;
    take_stance(
        view,
        ctx,
        signer,
        inspection,
        StanceKind::Disputed,
        Some(call.reason_digest),
    )
}

/// Records a validity period of a laboratory's CMA certificate.
pub fn accredit(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    call: &Accredit,
) -> Result<WriteSet> {
    check_officer_role(signer, "accredit")?;
    let lab_uscc = read::chain_uscc(view, &call.lab_uscc)?;
    if !is_code(&call.cma_number, MAX_CMA_LEN) {
        return Err(invalid(
            "cma_number",
            format!("1-{MAX_CMA_LEN} characters of A-Z, a-z, 0-9, ., _ and -"),
        ));
    }
    check_date("valid_from", call.valid_from)?;
    check_date("valid_to", call.valid_to)?;
    if call.valid_to < call.valid_from {
        return Err(invalid("valid_to", "on or after valid_from".into()));
    }
    let distinct: BTreeSet<_> = call.scope.iter().collect();
    if call.scope.is_empty()
        || call.scope.len() > MAX_SCOPE_MATTERS
        || distinct.len() != call.scope.len()
        || !call.scope.iter().all(|m| is_code(m, MAX_MATTER_LEN))
    {
        return Err(invalid(
            "scope",
            format!("1-{MAX_SCOPE_MATTERS} distinct matter codes"),
        ));
    }
    let signer_org = read::org(view, &signer.org)?.ok_or_else(|| ContractError::CorruptState {
        key: format!("org/{}", signer.org),
        reason: "an officer's organisation is missing".into(),
    })?;
    if signer_org.uscc == lab_uscc {
        return Err(ContractError::SelfAccreditation);
    }
    let mut record =
        read::accreditation(view, &lab_uscc, &call.cma_number)?.unwrap_or(Accreditation {
            lab_uscc: lab_uscc.clone(),
            cma_number: call.cma_number.clone(),
            periods: Vec::new(),
        });
    if record.periods.len() >= MAX_ACCREDITATION_PERIODS {
        return Err(ContractError::AccreditationFull {
            cma_number: call.cma_number.clone(),
        });
    }
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        policy::Action::Accredit,
        Resource::Accreditation {
            lab_uscc: &lab_uscc,
            cma_number: &call.cma_number,
        },
    )?;
    record.periods.push(AccreditationPeriod {
        scope: call.scope.clone(),
        valid_from: call.valid_from,
        valid_to: call.valid_to,
        certificate_digest: call.certificate_digest,
        recorded_by: signer.org.clone(),
        officer: signer.id,
        height: ctx.height,
    });
    let mut stage = Overlay::new(view);
    read::put(
        &mut stage,
        keys::accreditation(&lab_uscc, &call.cma_number),
        &record,
    );
    Ok(stage.into_writes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_window_is_shown_with_its_last_day() {
        // 8 June 2026, 23:59:59.999 in China (UTC+8).
        let closes_at_ms = 1_780_934_399_999;
        let text = RecognitionProblem::ObjectionWindowOpen { closes_at_ms }.to_string();
        assert!(text.contains("until the end of 20260608"), "{text}");
    }
}
