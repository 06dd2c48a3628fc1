//! The entities of a request, built from on-chain records only: the
//! officer and their organisation, the resource and the organisations it
//! names.

use cedar_policy::{Entities, Entity, EntityUid, RestrictedExpression};
use xianjie_ledger::case::Case;
use xianjie_ledger::clue::Clue;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::inspection::Inspection;
use xianjie_ledger::model::{
    EvidenceCategory, EvidenceClass, EvidenceRecord, Officer, Org, OrgKind, OrgLevel, Role,
};
use xianjie_ledger::request::OrganRequest;
use xianjie_ledger::state::StateView;
use xianjie_ledger::stats::StatsScope;

use super::{policy_error, PolicyEngine, Resource};
use crate::error::{ContractError, Result};
use crate::read;

/// The name of an organisation kind in policies: its wire name
/// (`xianjie_ledger::names`), e.g. `government_office`.
pub fn kind_name(kind: OrgKind) -> &'static str {
    kind.name()
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Officer => "officer",
        Role::Head => "head",
        Role::Admin => "admin",
    }
}

fn level_name(level: OrgLevel) -> &'static str {
    match level {
        OrgLevel::National => "national",
        OrgLevel::Provincial => "provincial",
        OrgLevel::Prefecture => "prefecture",
        OrgLevel::County => "county",
    }
}

fn class_name(class: EvidenceClass) -> &'static str {
    match class {
        EvidenceClass::DirectUse => "A",
        EvidenceClass::AfterReview => "B",
        EvidenceClass::Recollect => "C",
    }
}

fn text(value: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(value.to_owned())
}

pub(super) fn entity(
    uid: EntityUid,
    attrs: Vec<(&str, RestrictedExpression)>,
    parents: Vec<EntityUid>,
) -> Result<Entity> {
    Entity::new_with_tags(
        uid,
        attrs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
        parents,
        [],
    )
    .map_err(policy_error)
}

/// Builds the entities and resource uid of a request.
struct Builder<'v> {
    engine: &'v PolicyEngine,
    view: &'v dyn StateView,
    entities: Vec<Entity>,
    orgs: Vec<OrgId>,
}

impl<'v> Builder<'v> {
    fn org_uid(&self, org: &OrgId) -> Result<EntityUid> {
        self.engine.uid("Organisation", org.as_str())
    }

    fn org_ref(&mut self, org: &OrgId) -> Result<RestrictedExpression> {
        if !self.orgs.contains(org) {
            self.orgs.push(org.clone());
        }
        Ok(RestrictedExpression::new_entity_uid(self.org_uid(org)?))
    }

    fn officer(&mut self, officer: &Officer) -> Result<EntityUid> {
        let org =
            read::org(self.view, &officer.org)?.ok_or_else(|| ContractError::CorruptState {
                key: format!("org/{}", officer.org),
                reason: "an officer's organisation is missing".into(),
            })?;
        let officer_uid = self.engine.uid("Officer", &officer.id.to_hex())?;
        let attrs = vec![
            ("org", self.org_ref(&officer.org)?),
            ("org_kind", text(kind_name(org.kind))),
            ("role", text(role_name(officer.role))),
            ("region", text(&org.region)),
        ];
        self.entities.push(entity(
            officer_uid.clone(),
            attrs,
            vec![self.org_uid(&officer.org)?],
        )?);
        Ok(officer_uid)
    }

    fn case(&mut self, case: &Case) -> Result<EntityUid> {
        let case_uid = self.engine.uid("Case", case.id.as_str())?;
        let taskforce = case
            .taskforce
            .iter()
            .map(|id| {
                self.engine
                    .uid("Officer", &id.to_hex())
                    .map(RestrictedExpression::new_entity_uid)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut attrs = vec![
            ("owner", self.org_ref(&case.owner)?),
            ("region", text(&case.region)),
            ("domain", text(&case.domain)),
            ("state", text(case.state.name())),
            ("taskforce", RestrictedExpression::new_set(taskforce)),
        ];
        for (name, org) in [
            ("police", &case.police),
            ("procuratorate", &case.procuratorate),
            ("court", &case.court),
        ] {
            if let Some(org) = org {
                attrs.push((name, self.org_ref(org)?));
            }
        }
        self.entities
            .push(entity(case_uid.clone(), attrs, Vec::new())?);
        Ok(case_uid)
    }

    fn evidence(&mut self, record: &EvidenceRecord) -> Result<EntityUid> {
        let evidence_uid = self
            .engine
            .uid("Evidence", &record.anchor.digest.to_hex())?;
        let mut attrs = vec![
            ("org", self.org_ref(&record.org)?),
            ("holder", self.org_ref(&record.holder)?),
            ("category", text(category_name(record.anchor.category))),
            ("class", text(class_name(record.class))),
        ];
        if let Some(pending) = &record.pending_transfer {
            attrs.push(("pending", self.org_ref(pending)?));
        }
        if let Some(case_id) = &record.anchor.case_id {
            if let Some(case) = read::case(self.view, case_id)? {
                let case_uid = self.case(&case)?;
                attrs.push(("case", RestrictedExpression::new_entity_uid(case_uid)));
            }
        }
        self.entities
            .push(entity(evidence_uid.clone(), attrs, Vec::new())?);
        Ok(evidence_uid)
    }

    fn inspection(&mut self, inspection: &Inspection) -> Result<EntityUid> {
        let inspection_uid = self.engine.uid("Inspection", inspection.id.as_str())?;
        let attrs = vec![
            ("issuer", self.org_ref(&inspection.issuer)?),
            ("subject", text(&inspection.entity)),
            ("matter", text(&inspection.matter)),
        ];
        self.entities
            .push(entity(inspection_uid.clone(), attrs, Vec::new())?);
        Ok(inspection_uid)
    }

    fn clue(&mut self, clue: &Clue) -> Result<EntityUid> {
        let clue_uid = self.engine.uid("Clue", clue.id.as_str())?;
        let earlier = clue
            .earlier_senders
            .iter()
            .map(|org| self.org_ref(org))
            .collect::<Result<Vec<_>>>()?;
        let attrs = vec![
            ("from", self.org_ref(&clue.from)?),
            ("to", self.org_ref(&clue.to)?),
            ("earlier", RestrictedExpression::new_set(earlier)),
            ("source", text(clue.source.name())),
            ("state", text(clue.state.name())),
            (
                "duty_crime",
                RestrictedExpression::new_bool(clue.duty_crime),
            ),
        ];
        self.entities
            .push(entity(clue_uid.clone(), attrs, Vec::new())?);
        Ok(clue_uid)
    }

    fn request(&mut self, request: &OrganRequest) -> Result<EntityUid> {
        let request_uid = self.engine.uid("Request", request.id.as_str())?;
        let parties = crate::request::parties(self.view, &request.about)?
            .iter()
            .map(|org| self.org_ref(org))
            .collect::<Result<Vec<_>>>()?;
        let attrs = vec![
            ("from", self.org_ref(&request.from)?),
            ("to", self.org_ref(&request.to)?),
            ("kind", text(request.kind.name())),
            ("parties", RestrictedExpression::new_set(parties)),
        ];
        self.entities
            .push(entity(request_uid.clone(), attrs, Vec::new())?);
        Ok(request_uid)
    }

    fn stats_scope(&mut self, scope: &StatsScope) -> Result<EntityUid> {
        let scope_uid = self.engine.uid("StatsScope", &scope.describe())?;
        let mut attrs = Vec::new();
        if let Some(org) = &scope.org {
            attrs.push(("org", self.org_ref(org)?));
        }
        if let Some(region) = &scope.region {
            attrs.push(("region", text(region)));
        }
        if let Some(domain) = &scope.domain {
            attrs.push(("domain", text(domain)));
        }
        self.entities
            .push(entity(scope_uid.clone(), attrs, Vec::new())?);
        Ok(scope_uid)
    }

    fn resource(&mut self, resource: Resource<'_>) -> Result<EntityUid> {
        match resource {
            Resource::Case(case) => self.case(case),
            Resource::Evidence(record) => self.evidence(record),
            Resource::Inspection(inspection) => self.inspection(inspection),
            Resource::StatsScope(scope) => self.stats_scope(scope),
            Resource::Clue(clue) => self.clue(clue),
            Resource::Request(request) => self.request(request),
            Resource::Accreditation {
                lab_uscc,
                cma_number,
            } => {
                let accreditation_uid = self
                    .engine
                    .uid("Accreditation", &format!("{lab_uscc}/{cma_number}"))?;
                self.entities.push(entity(
                    accreditation_uid.clone(),
                    vec![("lab", text(lab_uscc))],
                    Vec::new(),
                )?);
                Ok(accreditation_uid)
            }
        }
    }

    /// The organisation entities every reference points at.
    fn finish(mut self) -> Result<Vec<Entity>> {
        let orgs = std::mem::take(&mut self.orgs);
        for id in orgs {
            if let Some(org) = read::org(self.view, &id)? {
                self.entities.push(org_entity(self.engine, &org)?);
            }
        }
        Ok(self.entities)
    }
}

fn org_entity(engine: &PolicyEngine, org: &Org) -> Result<Entity> {
    entity(
        engine.uid("Organisation", org.id.as_str())?,
        vec![
            ("kind", text(kind_name(org.kind))),
            ("region", text(&org.region)),
            ("level", text(level_name(org.level))),
        ],
        Vec::new(),
    )
}

pub(super) fn category_name(category: EvidenceCategory) -> &'static str {
    match category {
        EvidenceCategory::Physical => "physical",
        EvidenceCategory::Documentary => "documentary",
        EvidenceCategory::Audiovisual => "audiovisual",
        EvidenceCategory::Electronic => "electronic",
        EvidenceCategory::Appraisal => "appraisal",
        EvidenceCategory::InspectionRecord => "inspection-record",
        EvidenceCategory::OnsiteRecord => "onsite-record",
        EvidenceCategory::Witness => "witness",
        EvidenceCategory::Party => "party",
        EvidenceCategory::EnvironmentalMonitoring => "environmental-monitoring",
        EvidenceCategory::AccidentInvestigation => "accident-investigation",
        EvidenceCategory::VictimStatement => "victim-statement",
    }
}

/// The principal, the resource and the entities (without action entities)
/// of a request built from on-chain data.
pub(super) fn request_entities(
    engine: &PolicyEngine,
    view: &dyn StateView,
    officer: &Officer,
    resource: Resource<'_>,
) -> Result<(EntityUid, EntityUid, Vec<Entity>)> {
    let mut builder = Builder {
        engine,
        view,
        entities: Vec::new(),
        orgs: Vec::new(),
    };
    let principal = builder.officer(officer)?;
    let resource = builder.resource(resource)?;
    Ok((principal, resource, builder.finish()?))
}

/// The entity store of a request whose entities already list all their
/// ancestors: an officer's only ancestor is its organisation, organisations
/// and resources have none, and the schema's action entities come with their
/// whole action hierarchy. Cedar's public constructor computes the transitive
/// closure of the hierarchy for every request (a graph algorithm over hash
/// maps, about a third of a decision's cost); cedar-policy-core, the same
/// pinned release, can be told that it is complete. Debug builds (every test
/// run) have Cedar check that claim on every request instead, and still
/// compare each decision with [`decide_with_every_action`].
pub(super) fn closed_entity_store(entities: &[Entity]) -> Result<Entities> {
    use cedar_policy_core::entities::{Entities as CoreEntities, NoEntitiesSchema, TCComputation};
    let closure = if cfg!(debug_assertions) {
        TCComputation::EnforceAlreadyComputed
    } else {
        TCComputation::AssumeAlreadyComputed
    };
    CoreEntities::from_entities(
        entities.iter().map(|entity| entity.as_ref().clone()),
        None::<&NoEntitiesSchema>,
        closure,
        cedar_policy_core::extensions::Extensions::all_available(),
    )
    .map(Entities::from)
    .map_err(policy_error)
}
