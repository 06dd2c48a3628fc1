//! Requests between organs: `Call::AskOrgan` and `Call::AnswerOrgan` (the
//! layout is `xianjie_ledger::request`, the rules docs/request.md).
//!
//! Asking checks, in order: the organ asked exists and is another
//! (`unknown_org`, `invalid_field`), the case or clue exists
//! (`unknown_case`, `unknown_clue`), assistance is about a case and goes
//! from the police, a procuratorate or a court to an agency (or, for
//! testing and appraisal, a testing body) (`invalid_field`,
//! `request_route_refused`), the policy action `ask-organ` (by default an
//! organisation that is a party of the case or follows the clue), and the
//! case's request count (`requests_full`). Answering checks the policy
//! action `answer-organ` first (by default the organ asked), then the
//! receiver (`not_request_receiver`), that it is still open
//! (`request_answered`), and every link: results the answering organ
//! issued, evidence whose custody it recorded (`unknown_inspection`,
//! `unknown_evidence`, `invalid_field`).

use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{InspectionId, OrgId};
use xianjie_ledger::model::{CustodyAction, Officer, OrgKind};
use xianjie_ledger::request::{
    OrganRequest, RequestAbout, RequestAnswer, RequestId, RequestKind, RequestState, RequestStep,
    MAX_ANSWER_LINKS, MAX_CASE_REQUESTS,
};
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::tx::{AnswerOrgan, AskOrgan};

use crate::clue::{check_not_admin, org_of};
use crate::error::{ContractError, Result};
use crate::evidence::{check_distinct, invalid};
use crate::overlay::Overlay;
use crate::policy::{self, Action, Resource};
use crate::{clue, index, read, BlockCtx};

/// Whether an organ of kind `from` may ask one of kind `to` for `kind`
/// (docs/request.md §2): a consultation goes between any two organs;
/// assistance goes from the police, a procuratorate or a court to an
/// administrative agency, or for testing and appraisal also to a testing
/// body.
pub fn route_allowed(kind: RequestKind, from: OrgKind, to: OrgKind) -> bool {
    use OrgKind::{AdministrativeAgency, Court, Police, Procuratorate, TestingBody};
    if !kind.is_assistance() {
        return true;
    }
    let asker = matches!(from, Police | Procuratorate | Court);
    let helper = match kind {
        RequestKind::Testing | RequestKind::Appraisal => {
            matches!(to, AdministrativeAgency | TestingBody)
        }
        _ => to == AdministrativeAgency,
    };
    asker && helper
}

/// A request.
pub fn request(view: &dyn StateView, id: &RequestId) -> Result<Option<OrganRequest>> {
    if id.is_empty() || id.len() > xianjie_ledger::ids::MAX_CASE_ID_LEN {
        return Ok(None);
    }
    read::record(view, &keys::request(id))
}

/// Ids of the requests an organisation asked or was asked.
pub fn requests_of_org(view: &dyn StateView, org: &OrgId) -> Result<Vec<RequestId>> {
    index::id_entries(view, &keys::index::org_requests(org))
}

/// The ids of an organisation's `at_most` newest requests, newest first,
/// and whether they are all it has.
pub fn newest_requests_of_org(
    view: &dyn StateView,
    org: &OrgId,
    at_most: usize,
) -> Result<(Vec<RequestId>, bool)> {
    index::newest_ids(view, &keys::index::org_requests(org), at_most)
}

/// The requests about a case, oldest first.
pub fn requests_of_case(
    view: &dyn StateView,
    case_id: &xianjie_ledger::ids::CaseId,
) -> Result<Vec<OrganRequest>> {
    let ids: Vec<RequestId> = index::id_entries(view, &keys::index::case_requests(case_id))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(request(view, &id)?);
    }
    Ok(out)
}

/// The organisations party to what a request is about: the case's owner,
/// police, procuratorate and court, or the organs a clue passed through.
pub fn parties(view: &dyn StateView, about: &RequestAbout) -> Result<Vec<OrgId>> {
    Ok(match about {
        RequestAbout::Case(id) => {
            let case = read::case(view, id)?.ok_or_else(|| ContractError::UnknownCase {
                case_id: id.clone(),
            })?;
            [
                Some(case.owner),
                case.police,
                case.procuratorate,
                case.court,
            ]
            .into_iter()
            .flatten()
            .collect()
        }
        RequestAbout::Clue(id) => {
            let clue = clue::clue(view, id)?
                .ok_or_else(|| ContractError::UnknownClue { id: id.clone() })?;
            let mut orgs = clue.earlier_senders;
            orgs.extend([clue.from, clue.to]);
            orgs
        }
    })
}

/// Asks another organ; see the module documentation for the checks.
pub fn ask(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &AskOrgan,
) -> Result<WriteSet> {
    check_not_admin("ask-organ", signer)?;
    let to = read::org(view, &call.to)?.ok_or_else(|| ContractError::UnknownOrg {
        org: call.to.clone(),
    })?;
    if to.id == signer.org {
        return Err(invalid("to", "another organ".into()));
    }
    // Checks that the case or clue exists.
    parties(view, &call.about)?;
    let from = org_of(view, &signer.org)?;
    if call.kind.is_assistance() {
        // Items are tested, stored or disposed of while the case runs.
        let RequestAbout::Case(case_id) = &call.about else {
            return Err(invalid("about", "assistance is asked about a case".into()));
        };
        if read::case(view, case_id)?.is_some_and(|case| case.state.is_terminal()) {
            return Err(invalid(
                "about",
                format!("a case that is not closed; {case_id} is"),
            ));
        }
    }
    if !route_allowed(call.kind, from.kind, to.kind) {
        return Err(ContractError::RequestRouteRefused {
            kind: call.kind.name(),
            from_kind: from.kind.name(),
            to_kind: to.kind.name(),
        });
    }
    let request = OrganRequest {
        id: RequestId::for_tx(tx_hash),
        kind: call.kind,
        about: call.about.clone(),
        from: from.id.clone(),
        to: to.id.clone(),
        question: call.question,
        asked: step(ctx, signer, tx_hash),
        state: RequestState::Open,
        answer: None,
    };
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        Action::AskOrgan,
        Resource::Request(&request),
    )?;
    let mut stage = Overlay::new(view);
    // Ids are 64 bits of the transaction hash: a signer can search for a
    // collision, which must not replace a request.
    if self::request(view, &request.id)?.is_some() {
        return Err(ContractError::RecordExists {
            id: request.id.to_string(),
        });
    }
    if let RequestAbout::Case(case_id) = &request.about {
        let name = keys::index::case_requests(case_id);
        if index::len(&stage, &name)? as usize >= MAX_CASE_REQUESTS {
            return Err(ContractError::RequestsFull {
                max: MAX_CASE_REQUESTS,
            });
        }
        index::insert(&mut stage, &name, request.id.as_bytes())?;
    }
    read::put(&mut stage, keys::request(&request.id), &request);
    for org in [&request.from, &request.to] {
        index::insert(
            &mut stage,
            &keys::index::org_requests(org),
            request.id.as_bytes(),
        )?;
    }
    Ok(stage.into_writes())
}

/// Answers a request; see the module documentation for the checks.
pub fn answer(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &AnswerOrgan,
) -> Result<WriteSet> {
    let mut request =
        request(view, &call.request)?.ok_or_else(|| ContractError::UnknownRequest {
            id: call.request.clone(),
        })?;
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        Action::AnswerOrgan,
        Resource::Request(&request),
    )?;
    check_not_admin("answer-organ", signer)?;
    if request.to != signer.org {
        return Err(ContractError::NotRequestReceiver {
            id: request.id,
            to: request.to,
        });
    }
    if request.state != RequestState::Open {
        return Err(ContractError::RequestAnswered { id: request.id });
    }
    check_inspections(view, &request.about, &signer.org, &call.inspections)?;
    check_evidence(view, &request.about, &signer.org, &call.evidence)?;
    request.state = RequestState::Answered;
    request.answer = Some(RequestAnswer {
        document: call.document,
        inspections: call.inspections.clone(),
        evidence: call.evidence.clone(),
        step: step(ctx, signer, tx_hash),
    });
    let mut stage = Overlay::new(view);
    read::put(&mut stage, keys::request(&request.id), &request);
    Ok(stage.into_writes())
}

/// The entity (USCC) a request is about: its case's, or its clue's
/// legal-person subject.
fn entity_of(view: &dyn StateView, about: &RequestAbout) -> Result<Option<String>> {
    Ok(match about {
        RequestAbout::Case(id) => read::case(view, id)?.map(|case| case.entity),
        RequestAbout::Clue(id) => match clue::clue(view, id)?.map(|clue| clue.subject) {
            Some(xianjie_ledger::clue::ClueSubject::LegalPerson(uscc)) => Some(uscc),
            _ => None,
        },
    })
}

fn check_inspections(
    view: &dyn StateView,
    about: &RequestAbout,
    org: &OrgId,
    ids: &[InspectionId],
) -> Result<()> {
    check_distinct("inspections", ids, MAX_ANSWER_LINKS)?;
    let entity = entity_of(view, about)?;
    for id in ids {
        let inspection = read::inspection(view, id)?
            .ok_or_else(|| ContractError::UnknownInspection { id: id.clone() })?;
        if inspection.issuer != *org {
            return Err(invalid(
                "inspections",
                format!(
                    "results the answering organ issued; {id} is {}'s",
                    inspection.issuer
                ),
            ));
        }
        if entity.as_deref() != Some(inspection.entity.as_str()) {
            return Err(invalid(
                "inspections",
                format!(
                    "results about the entity the request concerns; {id} is about {}",
                    inspection.entity
                ),
            ));
        }
    }
    Ok(())
}

fn check_evidence(
    view: &dyn StateView,
    about: &RequestAbout,
    org: &OrgId,
    digests: &[Hash],
) -> Result<()> {
    check_distinct("evidence", digests, MAX_ANSWER_LINKS)?;
    let linked = match about {
        RequestAbout::Case(id) if !digests.is_empty() => read::case_evidence(view, id)?,
        _ => Vec::new(),
    };
    for digest in digests {
        if !linked.contains(digest) {
            // An unknown file is named as such; a known one must be the case's.
            read::evidence(view, digest)?
                .ok_or(ContractError::UnknownEvidence { digest: *digest })?;
            return Err(invalid(
                "evidence",
                format!("files linked to the request's case; {digest} is not"),
            ));
        }
        let record = read::evidence(view, digest)?
            .ok_or(ContractError::UnknownEvidence { digest: *digest })?;
        // The organ acted on the item: took it, sealed, examined, stored,
        // returned or destroyed it (not a refusal or a cancelled handover).
        let acted = |action: CustodyAction| {
            !matches!(
                action,
                CustodyAction::Refuse | CustodyAction::Cancel | CustodyAction::Transfer
            )
        };
        if !record
            .custody
            .iter()
            .any(|event| event.org == *org && acted(event.action))
        {
            return Err(invalid(
                "evidence",
                format!("files the answering organ received, sealed, examined, stored, returned or destroyed; it did none of these with {digest}"),
            ));
        }
    }
    Ok(())
}

fn step(ctx: &BlockCtx, signer: &Officer, tx_hash: &Hash) -> RequestStep {
    RequestStep {
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx: *tx_hash,
    }
}
