//! Inspection and test results and their mutual recognition (检验鉴定结果互认,
//! DOMAIN §f).
//!
//! A result is *recognisable* (§f.2) when, at the time asked about:
//!
//! * a laboratory with a CMA certificate issued it, and the certificate was
//!   valid **on the report date** (not today) with the result's matter in
//!   its scope — checked against the accreditation periods recorded on chain;
//! * its objection (复检) window, if any, has closed;
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
use xianjie_ledger::inspection::{
    Accreditation, AccreditationPeriod, Inspection, Stance, StanceKind, MAX_ACCREDITATION_PERIODS,
    MAX_CMA_LEN, MAX_INSPECTORS, MAX_MATTER_LEN, MAX_SCOPE_MATTERS, MAX_STANCES,
};
use xianjie_ledger::model::{Officer, Role};
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::storage::WriteSet;
use xianjie_ledger::tx::{Accredit, DisputeInspection, RecognizeInspection, RecordInspection};

use crate::deadline::{self, is_valid_date, local_date};
use crate::error::{ContractError, Result};
use crate::evidence::{check_short_text, invalid};
use crate::overlay::Overlay;
use crate::policy::{self, Resource};
use crate::{index, read, BlockCtx};

/// The prefix of inspection ids.
pub const INSPECTION_ID_PREFIX: &str = "INSP-";

/// The id of the result recorded by a transaction: `INSP-` and the first 8
/// bytes of its hash in lower-case hex.
pub fn inspection_id_for(tx_hash: &Hash) -> String {
    let hex: String = tx_hash.0[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{INSPECTION_ID_PREFIX}{hex}")
}

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
    /// These organisations dispute it.
    Disputed {
        /// The disputing organisations.
        by: Vec<xianjie_ledger::model::OrgId>,
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
                write!(f, "the objection window is open until {closes_at_ms} ms")
            }
            RecognitionProblem::UnknownObjectionRule => {
                f.write_str("the result's objection rule is no longer a chain parameter")
            }
            RecognitionProblem::Expired => f.write_str("the result's validity has ended"),
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

fn check_officer_role(signer: &Officer, head_only: bool) -> Result<()> {
    let allowed = match signer.role {
        Role::Admin => false,
        Role::Officer => !head_only,
        Role::Head => true,
    };
    if allowed {
        return Ok(());
    }
    Err(ContractError::WrongRole {
        action: if head_only {
            "accredit"
        } else {
            "record-inspection"
        }
        .into(),
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
    check_officer_role(signer, false)?;
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
    let id = inspection_id_for(tx_hash);
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
    };
    if read::inspection(view, &id)?.is_some() {
        return Err(invalid("id", "unique; sign again with a new nonce".into()));
    }
    policy::authorize(
        view,
        signer,
        "record-inspection",
        Resource::Inspection(&inspection),
    )?;
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::inspection(&id), &inspection);
    index::insert(
        &mut stage,
        &keys::index::inspections(&entity, None),
        id.as_bytes(),
    )?;
    index::insert(
        &mut stage,
        &keys::index::inspections(&entity, Some(&call.matter)),
        id.as_bytes(),
    )?;
    Ok(stage.into_writes())
}

fn check_inspectors(
    view: &dyn StateView,
    signer: &Officer,
    params: &xianjie_ledger::model::Params,
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

fn load(view: &dyn StateView, id: &str) -> Result<Inspection> {
    read::inspection(view, id)?.ok_or_else(|| ContractError::UnknownInspection { id: id.into() })
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
    check_officer_role(signer, false)?;
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
        view,
        signer,
        "recognize-inspection",
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
    check_officer_role(signer, false)?;
    let inspection = load(view, &call.id)?;
    if inspection.issuer == signer.org {
        return Err(ContractError::OwnInspection);
    }
    policy::authorize(
        view,
        signer,
        "dispute-inspection",
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
    check_officer_role(signer, true)?;
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
        view,
        signer,
        "accredit",
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
