//! Clues (线索) between organs: `Call::SendClue`, `Call::AnswerClue`, and
//! the conversion of a clue by an agency's `OpenCase` (the layout is
//! `xianjie_ledger::clue`, the rules docs/clue.md).
//!
//! Sending checks, in order: the matter code, the material list and the
//! date received (`invalid_field`), the subject's USCC (`invalid_entity`), the
//! receiver (`unknown_org`), the route (`clue_route_refused`) and the policy
//! action `send-clue`. Answering checks the policy action of the step first
//! (`accept-clue`, `decline-clue`, `forward-clue`, `convert-clue`: by
//! default the receiver's officers, and its head for a decline), then the
//! receiver (`not_clue_receiver`), the state (`clue_wrong_state`) and what
//! the step needs. A forwarded clue becomes a new clue from the forwarder
//! to the competent organ, under the same route rules, and the earlier
//! senders follow it.

use xianjie_ledger::clue::{
    check_matter, Clue, ClueAction, ClueId, ClueState, ClueStep, ClueSubject, MAX_CLUE_HOPS,
    MAX_CLUE_MATERIALS,
};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{CaseId, OrgId};
use xianjie_ledger::model::{Officer, Org, OrgKind, Role};
use xianjie_ledger::state::{keys, StateView, WriteSet};
use xianjie_ledger::tx::{AnswerClue, SendClue};

use crate::deadline::{day_number, local_date};
use crate::error::{ContractError, Result};
use crate::evidence::{check_distinct, invalid};
use crate::overlay::Overlay;
use crate::policy::{self, Action, Resource};
use crate::{index, read, BlockCtx};

/// Whether a clue may go from an organ of kind `from` to one of kind `to`
/// (docs/clue.md §2): agency ↔ agency, agency → police (T2a), any organ →
/// procuratorate, a duty-crime clue (D9) from an agency or a procuratorate
/// to a supervisory commission, and the people's government's 12345
/// hotline office dispatching a work order to an agency. A duty-crime clue goes only
/// to a procuratorate or a supervisory commission. Returns what narrows a
/// refused route.
pub fn route_allowed(from: OrgKind, to: OrgKind, duty_crime: bool) -> Result<(), &'static str> {
    use OrgKind::{AdministrativeAgency as Agency, Police, Procuratorate, SupervisoryCommission};
    match (from, to, duty_crime) {
        (_, Procuratorate, _) => Ok(()),
        (Agency | Procuratorate, SupervisoryCommission, true) => Ok(()),
        (_, SupervisoryCommission, true) => Err(
            ": a supervisory commission takes duty-crime clues from agencies and procuratorates",
        ),
        (_, SupervisoryCommission, false) => {
            Err(": only duty-crime clues go to a supervisory commission")
        }
        (_, _, true) => {
            Err(": a duty-crime clue goes to a procuratorate or a supervisory commission")
        }
        (Agency, Agency | Police, false) => Ok(()),
        (OrgKind::GovernmentOffice, Agency, false) => Ok(()),
        _ => Err(""),
    }
}

/// A clue.
pub fn clue(view: &dyn StateView, id: &ClueId) -> Result<Option<Clue>> {
    if id.is_empty() || id.len() > xianjie_ledger::ids::MAX_CASE_ID_LEN {
        return Ok(None);
    }
    read::record(view, &keys::clue(id))
}

/// Ids of the clues an organisation sent, received or sent earlier on.
pub fn clues_of_org(view: &dyn StateView, org: &OrgId) -> Result<Vec<ClueId>> {
    index::id_entries(view, &keys::index::org_clues(org))
}

/// The ids of an organisation's `at_most` newest clues, newest first, and
/// whether they are all it has.
pub fn newest_clues_of_org(
    view: &dyn StateView,
    org: &OrgId,
    at_most: usize,
) -> Result<(Vec<ClueId>, bool)> {
    index::newest_ids(view, &keys::index::org_clues(org), at_most)
}

/// Sends a clue; see the module documentation for the checks.
pub fn send(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &SendClue,
) -> Result<WriteSet> {
    check_not_admin("send-clue", signer)?;
    check_matter(&call.matter).map_err(|limit| invalid("matter", limit))?;
    check_distinct("materials", &call.materials, MAX_CLUE_MATERIALS)?;
    let today = local_date(ctx.time_ms);
    if day_number(call.received_on).is_none() || call.received_on > today {
        return Err(invalid(
            "received_on",
            format!("a date yyyymmdd not after today ({today})"),
        ));
    }
    let subject = match &call.subject {
        ClueSubject::LegalPerson(code) => ClueSubject::LegalPerson(read::chain_uscc(view, code)?),
        person @ ClueSubject::NaturalPerson(_) => person.clone(),
    };
    let from = org_of(view, &signer.org)?;
    let to = read::org(view, &call.to)?.ok_or_else(|| ContractError::UnknownOrg {
        org: call.to.clone(),
    })?;
    check_route(&from, &to, call.duty_crime)?;
    let clue = Clue {
        id: ClueId::for_tx(tx_hash),
        source: call.source,
        subject,
        matter: call.matter.clone(),
        duty_crime: call.duty_crime,
        from: from.id.clone(),
        to: to.id.clone(),
        received_on: call.received_on,
        materials: call.materials.clone(),
        forwards: None,
        earlier_senders: Vec::new(),
        state: ClueState::Sent,
        forwarded_as: None,
        case: None,
        steps: vec![step(ctx, signer, tx_hash, ClueAction::Send, None)],
    };
    policy::authorize(
        &ctx.policies,
        view,
        signer,
        Action::SendClue,
        Resource::Clue(&clue),
    )?;
    let mut stage = Overlay::new(view);
    write_new(&mut stage, &clue)?;
    Ok(stage.into_writes())
}

/// Answers a clue; see the module documentation for the checks.
pub fn answer(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    call: &AnswerClue,
) -> Result<WriteSet> {
    let mut clue = clue(view, &call.clue)?.ok_or_else(|| ContractError::UnknownClue {
        id: call.clue.clone(),
    })?;
    let action = policy_action(call.action)?;
    policy::authorize(&ctx.policies, view, signer, action, Resource::Clue(&clue))?;
    check_not_admin(action.as_str(), signer)?;
    check_receiver(&clue, signer)?;
    let mut stage = Overlay::new(view);
    let (next, needs) = match call.action {
        ClueAction::Accept => (ClueState::Accepted, &[ClueState::Sent][..]),
        ClueAction::Decline => (ClueState::NotActionable, &OPEN[..]),
        ClueAction::Forward => (ClueState::Forwarded, &OPEN[..]),
        ClueAction::Convert => (ClueState::Converted, &OPEN[..]),
        ClueAction::Send => unreachable_send()?,
    };
    check_state(&clue, call.action, needs)?;
    let document = match call.action {
        ClueAction::Decline | ClueAction::Convert => Some(call.document.ok_or_else(|| {
            invalid(
                "document",
                "the digest of the reasons or of the filing decision".into(),
            )
        })?),
        _ => call.document,
    };
    match call.action {
        ClueAction::Forward => {
            let forwarded = forward(view, ctx, signer, tx_hash, &clue, call.to.as_ref())?;
            clue.forwarded_as = Some(forwarded.id.clone());
            write_new(&mut stage, &forwarded)?;
            for earlier in &forwarded.earlier_senders {
                index::insert(
                    &mut stage,
                    &keys::index::org_clues(earlier),
                    forwarded.id.as_bytes(),
                )?;
            }
        }
        ClueAction::Convert if org_of(view, &clue.to)?.kind == OrgKind::AdministrativeAgency => {
            return Err(ContractError::ClueConvertByCase { id: clue.id });
        }
        _ if call.to.is_some() => {
            return Err(invalid("to", "only a forward names an organ".into()))
        }
        _ => {}
    }
    clue.state = next;
    clue.steps
        .push(step(ctx, signer, tx_hash, call.action, document));
    read::put(&mut stage, keys::clue(&clue.id), &clue);
    Ok(stage.into_writes())
}

/// Converts the clue an agency's new case names as its lead (`lead.kind`
/// `clue`, `lead.reference` the clue id): the clue was sent to the agency,
/// is still open, and a legal-person clue concerns the case's entity.
/// Adds the clue's writes to `stage`.
pub(crate) fn convert_by_case(
    stage: &mut Overlay<'_>,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    (case_id, entity): (&CaseId, &str),
    reference: Option<&str>,
) -> Result<()> {
    let id = ClueId::new(reference.ok_or_else(|| invalid("lead.reference", "the clue id".into()))?);
    let mut clue = clue(&*stage, &id)?.ok_or(ContractError::UnknownClue { id })?;
    policy::authorize(
        &ctx.policies,
        &*stage,
        signer,
        Action::ConvertClue,
        Resource::Clue(&clue),
    )?;
    check_not_admin("convert-clue", signer)?;
    check_receiver(&clue, signer)?;
    check_state(&clue, ClueAction::Convert, &OPEN)?;
    let subject = match &clue.subject {
        ClueSubject::LegalPerson(uscc) => uscc.clone(),
        ClueSubject::NaturalPerson(hash) => xianjie_ledger::clue::person_code(hash),
    };
    if subject != entity {
        return Err(invalid(
            "entity",
            format!("the clue's subject {subject}: a case converts the clue it names"),
        ));
    }
    clue.state = ClueState::Converted;
    clue.case = Some(case_id.clone());
    clue.steps
        .push(step(ctx, signer, tx_hash, ClueAction::Convert, None));
    read::put(stage, keys::clue(&clue.id), &clue);
    Ok(())
}

/// The states a clue may be answered in.
const OPEN: [ClueState; 2] = [ClueState::Sent, ClueState::Accepted];

fn forward(
    view: &dyn StateView,
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    clue: &Clue,
    to: Option<&OrgId>,
) -> Result<Clue> {
    let to = to.ok_or_else(|| invalid("to", "the organ the clue is forwarded to".into()))?;
    // The forwarded clue passes through the earlier senders, the sender,
    // the forwarder and the target.
    if clue.earlier_senders.len() + 3 > MAX_CLUE_HOPS {
        return Err(ContractError::ClueForwardedTooOften {
            id: clue.id.clone(),
            max: MAX_CLUE_HOPS,
        });
    }
    let from = org_of(view, &clue.to)?;
    let target =
        read::org(view, to)?.ok_or_else(|| ContractError::UnknownOrg { org: to.clone() })?;
    if clue.concerns(&target.id) {
        return Err(invalid(
            "to",
            "an organ the clue has not passed through".into(),
        ));
    }
    check_route(&from, &target, clue.duty_crime)?;
    let mut earlier_senders = clue.earlier_senders.clone();
    earlier_senders.push(clue.from.clone());
    Ok(Clue {
        id: ClueId::for_tx(tx_hash),
        from: from.id,
        to: target.id,
        received_on: local_date(ctx.time_ms),
        forwards: Some(clue.id.clone()),
        earlier_senders,
        state: ClueState::Sent,
        forwarded_as: None,
        case: None,
        steps: vec![step(ctx, signer, tx_hash, ClueAction::Send, None)],
        ..clue.clone()
    })
}

/// Writes a new clue and lists it for its sender and receiver; refuses an
/// id that is taken (`record_exists`: ids are 64 bits of the transaction
/// hash, so a signer can search for a collision).
fn write_new(stage: &mut Overlay<'_>, clue: &Clue) -> Result<()> {
    if read::record::<Clue>(&*stage, &keys::clue(&clue.id))?.is_some() {
        return Err(ContractError::RecordExists {
            id: clue.id.to_string(),
        });
    }
    read::put(stage, keys::clue(&clue.id), clue);
    for org in [&clue.from, &clue.to] {
        index::insert(stage, &keys::index::org_clues(org), clue.id.as_bytes())?;
    }
    Ok(())
}

fn step(
    ctx: &BlockCtx,
    signer: &Officer,
    tx_hash: &Hash,
    action: ClueAction,
    document: Option<Hash>,
) -> ClueStep {
    ClueStep {
        action,
        org: signer.org.clone(),
        officer: signer.id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        document,
        tx: *tx_hash,
    }
}

fn policy_action(action: ClueAction) -> Result<Action> {
    Ok(match action {
        ClueAction::Accept => Action::AcceptClue,
        ClueAction::Decline => Action::DeclineClue,
        ClueAction::Forward => Action::ForwardClue,
        ClueAction::Convert => Action::ConvertClue,
        ClueAction::Send => unreachable_send()?,
    })
}

/// `send` is a step of `SendClue`, not an answer.
fn unreachable_send<T>() -> Result<T> {
    Err(invalid(
        "action",
        "accept, decline, forward or convert".into(),
    ))
}

/// Admins manage keys and vote; they never sign an organ's acts (as for
/// cases).
pub(crate) fn check_not_admin(action: &str, signer: &Officer) -> Result<()> {
    if signer.role == Role::Admin {
        return Err(ContractError::WrongRole {
            action: action.into(),
            role: signer.role,
            required: "an officer or head key",
        });
    }
    Ok(())
}

fn check_receiver(clue: &Clue, signer: &Officer) -> Result<()> {
    if clue.to != signer.org {
        return Err(ContractError::NotClueReceiver {
            id: clue.id.clone(),
            to: clue.to.clone(),
        });
    }
    Ok(())
}

fn check_state(clue: &Clue, action: ClueAction, needs: &[ClueState]) -> Result<()> {
    if needs.contains(&clue.state) {
        return Ok(());
    }
    Err(ContractError::ClueWrongState {
        id: clue.id.clone(),
        state: clue.state.name(),
        action: action.name(),
        needs: if needs.len() == 1 {
            "sent"
        } else {
            "sent or accepted"
        },
    })
}

fn check_route(from: &Org, to: &Org, duty_crime: bool) -> Result<()> {
    let refused = |why| ContractError::ClueRouteRefused {
        from: from.id.clone(),
        from_kind: from.kind.name(),
        to: to.id.clone(),
        to_kind: to.kind.name(),
        why,
    };
    if from.id == to.id {
        return Err(refused(": a clue goes to another organ"));
    }
    route_allowed(from.kind, to.kind, duty_crime).map_err(refused)
}

/// An organisation a record names, which must exist.
pub(crate) fn org_of(view: &dyn StateView, id: &OrgId) -> Result<Org> {
    read::org(view, id)?.ok_or_else(|| ContractError::CorruptState {
        key: format!("org/{id}"),
        reason: "an organisation a record names is missing".into(),
    })
}
