//! On-chain authorisation policies in Cedar (`cedar-policy`).
//!
//! The policy set is a chain parameter (`Params::policy_set`), set in genesis
//! and changed only by governance; it is validated in strict mode against the
//! [`SCHEMA_TEXT`] that describes the entities the contracts build, and
//! refused (`invalid_policy`) if it does not parse, does not validate, is
//! larger than `MAX_POLICY_BYTES` or nests deeper than [`MAX_NESTING`].
//!
//! A write is accepted only if the built-in rules allow it *and* the policy
//! set permits it (`policy_denied`); [`authorize_read`] guards the node's
//! reads with the action `read`. Requests are built from on-chain data only —
//! the signer's officer record and organisation, the resource's record and
//! the organisations it names — with an empty context, so every validator
//! evaluates the same request. Membership, key and governance calls are not
//! policy-gated: a faulty policy set must never lock out its own repair.
//!
//! Determinism: Cedar's decision is a pure function of policies, entities
//! and request. Its evaluator refuses to recurse when less than 100 KiB of
//! stack remain, which could differ between machines for deeply nested
//! expressions; the nesting bound keeps every accepted policy far from it.
//! Parsed policy sets are memoised by the BLAKE3 digest of their text, which
//! cannot make two validators differ.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
use xianjie_ledger::case::Case;
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::governance::MAX_POLICY_BYTES;
use xianjie_ledger::hash::{hash_with, Domain, Hash};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::inspection::Inspection;
use xianjie_ledger::model::{
    EvidenceCategory, EvidenceClass, EvidenceRecord, Officer, Org, OrgKind, OrgLevel, Role,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::StateView;

use crate::error::{ContractError, Result};
use crate::membership;
use crate::read;

/// The Cedar schema the policy set is validated against.
pub const SCHEMA_TEXT: &str = include_str!("../policies/schema.cedarschema");
/// The default policy set (the same text `Params::default()` carries).
pub const DEFAULT_POLICY_SET: &str = xianjie_ledger::governance::DEFAULT_POLICY_SET;
/// Deepest nesting of brackets a policy set may use.
pub const MAX_NESTING: usize = 24;

/// What a request is about.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// A case (for writes: as it is before the action).
    Case(&'a Case),
    /// An evidence record (for an anchor: the record it would create).
    Evidence(&'a EvidenceRecord),
    /// An inspection result.
    Inspection(&'a Inspection),
    /// A laboratory's certificate: its USCC and CMA number.
    Accreditation {
        /// The laboratory's USCC.
        lab_uscc: &'a str,
        /// The certificate number.
        cma_number: &'a str,
    },
}

/// A resource the node reads on an officer's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadResource {
    /// Case details (record, events, clocks, evidence list).
    Case(String),
    /// An evidence record.
    Evidence(Hash),
    /// An inspection result.
    Inspection(String),
}

/// The name of an organisation kind in policies.
pub fn kind_name(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::AdministrativeAgency => "administrative_agency",
        OrgKind::Police => "police",
        OrgKind::Procuratorate => "procuratorate",
        OrgKind::Court => "court",
        OrgKind::TestingBody => "testing_body",
    }
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

fn policy_error(reason: impl ToString) -> ContractError {
    ContractError::PolicyError {
        reason: reason.to_string(),
    }
}

fn schema() -> Result<&'static Schema> {
    static SCHEMA: OnceLock<std::result::Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Schema::from_cedarschema_str(SCHEMA_TEXT)
                .map(|(schema, _warnings)| schema)
                .map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(policy_error)
}

/// Deepest nesting of `(`, `[` and `{` outside strings and comments.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Checks a policy set as genesis and governance must: size, nesting,
/// Cedar syntax and strict validation against [`SCHEMA_TEXT`].
pub fn validate_policy_set(text: &str) -> std::result::Result<(), String> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "it has {} bytes, more than the limit of {MAX_POLICY_BYTES}",
            text.len()
        ));
    }
    let depth = nesting(text);
    if depth > MAX_NESTING {
        return Err(format!(
            "it nests brackets {depth} deep, more than the limit of {MAX_NESTING}"
        ));
    }
    let policies = PolicySet::from_str(text).map_err(|error| format!("does not parse: {error}"))?;
    let schema = schema().map_err(|error| error.to_string())?;
    let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
    if result.validation_passed() {
        Ok(())
    } else {
        let errors: Vec<String> = result
            .validation_errors()
            .take(3)
            .map(|error| error.to_string())
            .collect();
        Err(format!("does not validate: {}", errors.join("; ")))
    }
}

/// A parsed policy set and the action entities its evaluation can look up
/// besides the request's own action.
///
/// The evaluator reads an entity from the store only when the entity is a
/// value of the expression being evaluated (`e in …`, `e.attr`, `e has
/// attr`, tags): the principal, the resource and the entities our records
/// refer to, which the request always carries, or an entity literal of a
/// policy. An action entity can therefore only be read as the request's
/// action or as a literal in a policy's `when`/`unless` conditions; the
/// action literals of a scope (`action in [...]`) sit on the right of `in`
/// or `==` and are never read. A request carries exactly those action
/// entities, as the schema defines them, instead of all of them: the
/// decision is the same, without inserting every action of the schema into
/// the store of every request.
///
/// A request is also evaluated against only the policies whose scope can
/// admit its action and resource type (see [`Compiled::policies_for`]).
struct Compiled {
    policies: PolicySet,
    /// Action entities named by a literal in some policy's conditions.
    condition_actions: Vec<Entity>,
    /// The policies whose scope admits an action on a resource type, made
    /// on first use of the pair.
    slices: RwLock<BTreeMap<(EntityUid, EntityTypeName), Arc<PolicySet>>>,
}

impl Compiled {
    fn new(policies: PolicySet) -> Result<Self> {
        let actions = schema_actions()?;
        let mut condition_actions: BTreeMap<EntityUid, Entity> = BTreeMap::new();
        for policy in policies.policies() {
            // Every entity literal of the policy, scope included, less those
            // of its scope: what is left appears in its conditions.
            let mut literals: BTreeMap<EntityUid, usize> = BTreeMap::new();
            for literal in policy.entity_literals() {
                *literals.entry(literal).or_default() += 1;
            }
            for literal in scope_literals(policy) {
                if let Some(count) = literals.get_mut(&literal) {
                    *count = count.saturating_sub(1);
                }
            }
            for (literal, count) in literals {
                if count > 0 {
                    if let Some(action) = actions.get(&literal) {
                        condition_actions.insert(literal, action.clone());
                    }
                }
            }
        }
        Ok(Compiled {
            policies,
            condition_actions: condition_actions.into_values().collect(),
            slices: RwLock::new(BTreeMap::new()),
        })
    }

    /// The policies that can apply to `action` on a resource of type
    /// `resource_type`: the others are left out of the evaluation.
    ///
    /// Cedar evaluates a policy as its scope constraints (principal, action,
    /// resource, in that order) joined by `&&` with its conditions. Scope
    /// constraints cannot fail, so a policy whose action constraint names
    /// neither the action nor a group it belongs to (per the schema, which
    /// also gives the request its action entity), or whose `resource is T`
    /// names another type, is false without its conditions being evaluated:
    /// it can neither permit, forbid nor raise an error, and the decision
    /// is the same without it. Most of a policy set's policies are about
    /// other actions, so this spares most of the evaluation. Debug builds
    /// check every decision against the whole set (`authorize`).
    fn policies_for(
        &self,
        action: &EntityUid,
        resource_type: &EntityTypeName,
    ) -> Result<Arc<PolicySet>> {
        let key = (action.clone(), resource_type.clone());
        let known = self
            .slices
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
            .cloned();
        if let Some(slice) = known {
            return Ok(slice);
        }
        let slice = Arc::new(self.slice(action, resource_type)?);
        self.slices
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, Arc::clone(&slice));
        Ok(slice)
    }

    fn slice(&self, action: &EntityUid, resource_type: &EntityTypeName) -> Result<PolicySet> {
        // Template-linked policies cannot be copied into another set one by
        // one; such a set is evaluated whole.
        if self.policies.templates().next().is_some() {
            return Ok(self.policies.clone());
        }
        let groups: Vec<EntityUid> = schema_actions()?
            .get(action)
            .map(|entity| entity.clone().into_inner().2.into_iter().collect())
            .unwrap_or_default();
        let admits_action = |uid: &EntityUid| uid == action || groups.contains(uid);
        let admitted = self.policies.policies().filter(|policy| {
            use cedar_policy::{ActionConstraint, ResourceConstraint};
            let action_ok = match policy.action_constraint() {
                ActionConstraint::Any => true,
                ActionConstraint::Eq(uid) => admits_action(&uid),
                ActionConstraint::In(uids) => uids.iter().any(admits_action),
            };
            let resource_ok = match policy.resource_constraint() {
                ResourceConstraint::Is(kind) | ResourceConstraint::IsIn(kind, _) => {
                    kind == *resource_type
                }
                ResourceConstraint::Any | ResourceConstraint::In(_) | ResourceConstraint::Eq(_) => {
                    true
                }
            };
            action_ok && resource_ok
        });
        PolicySet::from_policies(admitted.cloned()).map_err(policy_error)
    }

    /// The action entities a request for `action` needs.
    fn actions_for(&self, action: &EntityUid) -> Result<Vec<Entity>> {
        let mut needed = self.condition_actions.clone();
        if !needed.iter().any(|entity| entity.uid() == *action) {
            if let Some(entity) = schema_actions()?.get(action) {
                needed.push(entity.clone());
            }
        }
        Ok(needed)
    }
}

/// The entity literals of a policy's scope constraints.
fn scope_literals(policy: &cedar_policy::Policy) -> Vec<EntityUid> {
    use cedar_policy::{ActionConstraint, PrincipalConstraint, ResourceConstraint};
    let mut out = Vec::new();
    match policy.principal_constraint() {
        PrincipalConstraint::Any | PrincipalConstraint::Is(_) => {}
        PrincipalConstraint::In(uid)
        | PrincipalConstraint::Eq(uid)
        | PrincipalConstraint::IsIn(_, uid) => out.push(uid),
    }
    match policy.action_constraint() {
        ActionConstraint::Any => {}
        ActionConstraint::In(uids) => out.extend(uids),
        ActionConstraint::Eq(uid) => out.push(uid),
    }
    match policy.resource_constraint() {
        ResourceConstraint::Any | ResourceConstraint::Is(_) => {}
        ResourceConstraint::In(uid)
        | ResourceConstraint::Eq(uid)
        | ResourceConstraint::IsIn(_, uid) => out.push(uid),
    }
    out
}

/// The action entities of the schema, with their ancestors, by uid.
fn schema_actions() -> Result<&'static BTreeMap<EntityUid, Entity>> {
    static ACTIONS: OnceLock<std::result::Result<BTreeMap<EntityUid, Entity>, String>> =
        OnceLock::new();
    ACTIONS
        .get_or_init(|| {
            let schema = schema().map_err(|error| error.to_string())?;
            let entities = schema
                .action_entities()
                .map_err(|error| error.to_string())?;
            Ok(entities
                .iter()
                .map(|entity| (entity.uid(), entity.clone()))
                .collect())
        })
        .as_ref()
        .map_err(policy_error)
}

thread_local! {
    /// The parameters whose policy set this thread parsed last, and the
    /// parsed set. Holding the `Arc` keeps its address from being reused, so
    /// the same address means the same (immutable) parameters.
    static LAST_POLICIES: RefCell<Option<(Arc<Params>, Arc<Compiled>)>> =
        const { RefCell::new(None) };
}

/// The parsed policy set of `params`, without hashing its text again while
/// the parameters are those [`read::params_shared`] returned before.
fn compiled_for(params: &Arc<Params>) -> Result<Arc<Compiled>> {
    let hit = LAST_POLICIES.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(cached, _)| Arc::ptr_eq(cached, params))
            .map(|(_, compiled)| Arc::clone(compiled))
    });
    if let Some(compiled) = hit {
        return Ok(compiled);
    }
    let compiled = compiled(&params.policy_set)?;
    LAST_POLICIES
        .with(|last| *last.borrow_mut() = Some((Arc::clone(params), Arc::clone(&compiled))));
    Ok(compiled)
}

/// The parsed policy set, memoised by the digest of its text.
fn compiled(text: &str) -> Result<Arc<Compiled>> {
    static LAST: Mutex<Option<(Hash, Arc<Compiled>)>> = Mutex::new(None);
    let digest = hash_with(Domain::Note, text.as_bytes());
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached, compiled)) = last.as_ref() {
        if *cached == digest {
            return Ok(Arc::clone(compiled));
        }
    }
    let policies = PolicySet::from_str(text).map_err(policy_error)?;
    let compiled = Arc::new(Compiled::new(policies)?);
    *last = Some((digest, Arc::clone(&compiled)));
    Ok(compiled)
}

fn uid(kind: &'static str, id: &str) -> Result<EntityUid> {
    Ok(EntityUid::from_type_name_and_id(
        type_name(kind)?,
        EntityId::new(id),
    ))
}

/// `Xianjie::{kind}`, parsed once per thread: Cedar parses a type name with
/// its full grammar, which cost more than the rest of building a request's
/// entities.
fn type_name(kind: &'static str) -> Result<EntityTypeName> {
    thread_local! {
        static PARSED: RefCell<BTreeMap<&'static str, EntityTypeName>> =
            const { RefCell::new(BTreeMap::new()) };
    }
    if let Some(name) = PARSED.with(|parsed| parsed.borrow().get(kind).cloned()) {
        return Ok(name);
    }
    let name = EntityTypeName::from_str(&format!("Xianjie::{kind}")).map_err(policy_error)?;
    PARSED.with(|parsed| parsed.borrow_mut().insert(kind, name.clone()));
    Ok(name)
}

fn org_uid(org: &OrgId) -> Result<EntityUid> {
    uid("Organisation", org.as_str())
}

fn text(value: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(value.to_owned())
}

fn entity(
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
    view: &'v dyn StateView,
    entities: Vec<Entity>,
    orgs: Vec<OrgId>,
}

impl<'v> Builder<'v> {
    fn org_ref(&mut self, org: &OrgId) -> Result<RestrictedExpression> {
        if !self.orgs.contains(org) {
            self.orgs.push(org.clone());
        }
        Ok(RestrictedExpression::new_entity_uid(org_uid(org)?))
    }

    fn officer(&mut self, officer: &Officer) -> Result<EntityUid> {
        let org =
            read::org(self.view, &officer.org)?.ok_or_else(|| ContractError::CorruptState {
                key: format!("org/{}", officer.org),
                reason: "an officer's organisation is missing".into(),
            })?;
        let officer_uid = uid("Officer", &officer.id.to_hex())?;
        let attrs = vec![
            ("org", self.org_ref(&officer.org)?),
            ("org_kind", text(kind_name(org.kind))),
            ("role", text(role_name(officer.role))),
            ("region", text(&org.region)),
        ];
        self.entities.push(entity(
            officer_uid.clone(),
            attrs,
            vec![org_uid(&officer.org)?],
        )?);
        Ok(officer_uid)
    }

    fn case(&mut self, case: &Case) -> Result<EntityUid> {
        let case_uid = uid("Case", &case.id)?;
        let taskforce = case
            .taskforce
            .iter()
            .map(|id| uid("Officer", &id.to_hex()).map(RestrictedExpression::new_entity_uid))
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
        let evidence_uid = uid("Evidence", &record.anchor.digest.to_hex())?;
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
        let inspection_uid = uid("Inspection", &inspection.id)?;
        let attrs = vec![
            ("issuer", self.org_ref(&inspection.issuer)?),
            ("subject", text(&inspection.entity)),
            ("matter", text(&inspection.matter)),
        ];
        self.entities
            .push(entity(inspection_uid.clone(), attrs, Vec::new())?);
        Ok(inspection_uid)
    }

    fn resource(&mut self, resource: Resource<'_>) -> Result<EntityUid> {
        match resource {
            Resource::Case(case) => self.case(case),
            Resource::Evidence(record) => self.evidence(record),
            Resource::Inspection(inspection) => self.inspection(inspection),
            Resource::Accreditation {
                lab_uscc,
                cma_number,
            } => {
                let accreditation_uid = uid("Accreditation", &format!("{lab_uscc}/{cma_number}"))?;
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
                self.entities.push(org_entity(&org)?);
            }
        }
        Ok(self.entities)
    }
}

fn org_entity(org: &Org) -> Result<Entity> {
    entity(
        org_uid(&org.id)?,
        vec![
            ("kind", text(kind_name(org.kind))),
            ("region", text(&org.region)),
            ("level", text(level_name(org.level))),
        ],
        Vec::new(),
    )
}

fn category_name(category: EvidenceCategory) -> &'static str {
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

/// Whether the on-chain policy set permits `officer` to do `action` on
/// `resource`. `Ok(())` if permitted, `policy_denied` if not.
pub fn authorize(
    view: &dyn StateView,
    officer: &Officer,
    action: &str,
    resource: Resource<'_>,
) -> Result<()> {
    let params = read::params_shared(view)?;
    let compiled = compiled_for(&params)?;
    let decision = decide(view, &compiled, officer, action, resource);
    #[cfg(debug_assertions)]
    {
        let reference =
            decide_with_every_action(view, &compiled.policies, officer, action, resource);
        debug_assert_eq!(
            format!("{decision:?}"),
            format!("{reference:?}"),
            "the policy decision must not depend on which action entities the request carries"
        );
    }
    decision
}

/// The principal, the resource and the entities (without action entities)
/// of a request built from on-chain data.
fn request_entities(
    view: &dyn StateView,
    officer: &Officer,
    resource: Resource<'_>,
) -> Result<(EntityUid, EntityUid, Vec<Entity>)> {
    let mut builder = Builder {
        view,
        entities: Vec::new(),
        orgs: Vec::new(),
    };
    let principal = builder.officer(officer)?;
    let resource = builder.resource(resource)?;
    Ok((principal, resource, builder.finish()?))
}

/// Evaluates `action` by `principal` on `resource` against `policies`.
fn evaluate(
    policies: &PolicySet,
    (principal, resource): (EntityUid, EntityUid),
    action: &str,
    entities: &Entities,
) -> Result<()> {
    let request = Request::new(
        principal,
        uid("Action", action)?,
        resource,
        Context::empty(),
        Some(schema()?),
    )
    .map_err(policy_error)?;
    match Authorizer::new()
        .is_authorized(&request, policies, entities)
        .decision()
    {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(ContractError::PolicyDenied {
            action: action.to_owned(),
        }),
    }
}

/// The decision of `compiled` on a request built from on-chain data.
fn decide(
    view: &dyn StateView,
    compiled: &Compiled,
    officer: &Officer,
    action: &str,
    resource: Resource<'_>,
) -> Result<()> {
    let (principal, resource, mut entities) = request_entities(view, officer, resource)?;
    // The entities the builder makes always conform to the schema (debug
    // builds check every request against a store built with the schema,
    // `decide_with_every_action`), so they are not checked again here; the
    // action entities come from the schema itself (see `Compiled`).
    let action_uid = uid("Action", action)?;
    entities.extend(compiled.actions_for(&action_uid)?);
    let entities = closed_entity_store(&entities)?;
    let policies = compiled.policies_for(&action_uid, resource.type_name())?;
    evaluate(&policies, (principal, resource), action, &entities)
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
fn closed_entity_store(entities: &[Entity]) -> Result<Entities> {
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

/// [`decide`] as it was before [`Compiled`]: the entities checked against
/// the schema, which adds every action entity it defines. Debug builds
/// (every test run) compare each decision with it.
#[cfg(debug_assertions)]
fn decide_with_every_action(
    view: &dyn StateView,
    policies: &PolicySet,
    officer: &Officer,
    action: &str,
    resource: Resource<'_>,
) -> Result<()> {
    let (principal, resource, entities) = request_entities(view, officer, resource)?;
    let entities = Entities::from_entities(entities, Some(schema()?)).map_err(policy_error)?;
    evaluate(policies, (principal, resource), action, &entities)
}

/// Guards a read by the node: `Ok(())` if the on-chain policy set lets the
/// officer `read` the resource. Refused with `unknown_signer` /
/// `revoked_signer` for a key that may not sign, `unknown_case` /
/// `unknown_evidence` / `unknown_inspection` for a missing resource, and
/// `policy_denied` when the policies do not permit it.
pub fn authorize_read(
    view: &dyn StateView,
    officer: &KeyId,
    resource: &ReadResource,
) -> Result<()> {
    let officer = membership::active_officer(view, officer)?;
    authorize_resource(view, &officer, resource)
}

fn authorize_resource(
    view: &dyn StateView,
    officer: &Officer,
    resource: &ReadResource,
) -> Result<()> {
    match resource {
        ReadResource::Case(id) => {
            let case = read::case(view, id)?.ok_or_else(|| ContractError::UnknownCase {
                case_id: id.clone(),
            })?;
            authorize(view, officer, "read", Resource::Case(&case))
        }
        ReadResource::Evidence(digest) => {
            let record = read::evidence(view, digest)?
                .ok_or(ContractError::UnknownEvidence { digest: *digest })?;
            authorize(view, officer, "read", Resource::Evidence(&record))
        }
        ReadResource::Inspection(id) => {
            let inspection = read::inspection(view, id)?
                .ok_or_else(|| ContractError::UnknownInspection { id: id.clone() })?;
            authorize(view, officer, "read", Resource::Inspection(&inspection))
        }
    }
}

/// The organisation that runs the node holding `node_key`: a validator's
/// organisation, or the one that registered the key (`RegisterNodeKey`).
/// `unknown_node_key` for any other key.
pub fn node_org(view: &dyn StateView, node_key: &PublicKey) -> Result<OrgId> {
    if let Some(validator) = read::validators(view)?
        .validators
        .into_iter()
        .find(|validator| validator.public_key == *node_key)
    {
        return Ok(validator.org);
    }
    read::registered_node_keys(view)?
        .0
        .into_iter()
        .find(|node| node.public_key == *node_key)
        .map(|node| node.org)
        .ok_or(ContractError::UnknownNodeKey {
            public_key: *node_key,
        })
}

/// May the node holding `node_key` read `resource` on behalf of its
/// organisation? Nodes pass the policies as an officer of their
/// organisation with the least role (`officer`), so a node never gains
/// rights its organisation's officers lack. Used by the evidence vault: a
/// holder serves a file to another node only if this allows it.
pub fn authorize_node_read(
    view: &dyn StateView,
    node_key: &PublicKey,
    resource: &ReadResource,
) -> Result<OrgId> {
    let org = node_org(view, node_key)?;
    let stand_in = Officer {
        id: node_key.id(),
        public_key: *node_key,
        org: org.clone(),
        role: Role::Officer,
        active: true,
        registered_at: 0,
        revoked_at: None,
    };
    authorize_resource(view, &stand_in, resource)?;
    Ok(org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_parses_and_the_default_policy_validates() {
        assert!(schema().is_ok());
        validate_policy_set(DEFAULT_POLICY_SET).unwrap();
    }

    /// A state of organisations only (all the builder reads for evidence).
    struct Orgs(BTreeMap<Vec<u8>, Vec<u8>>);

    impl StateView for Orgs {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.0.get(key).cloned()
        }
    }

    #[test]
    fn the_fast_path_decides_as_the_whole_set_with_every_action() {
        use xianjie_ledger::codec::encode;
        use xianjie_ledger::crypto::SecretKey;
        use xianjie_ledger::model::{EvidenceAnchor, OrgLevel};
        use xianjie_ledger::state::keys;

        let kinds = [
            ("aea", OrgKind::AdministrativeAgency),
            ("pol", OrgKind::Police),
            ("pro", OrgKind::Procuratorate),
            ("cou", OrgKind::Court),
        ];
        let mut state = BTreeMap::new();
        let mut officers = Vec::new();
        for (n, (id, kind)) in kinds.into_iter().enumerate() {
            let org = Org {
                id: OrgId::new(id).unwrap(),
                name: id.into(),
                kind,
                uscc: String::new(),
                region: "110000".into(),
                level: OrgLevel::Provincial,
            };
            state.insert(keys::org(&org.id), encode(&org));
            for (m, role) in [Role::Officer, Role::Head, Role::Admin]
                .into_iter()
                .enumerate()
            {
                let key = SecretKey::from_bytes(&[(n * 3 + m + 1) as u8; 32]).public_key();
                officers.push(Officer {
                    id: key.id(),
                    public_key: key,
                    org: org.id.clone(),
                    role,
                    active: true,
                    registered_at: 0,
                    revoked_at: None,
                });
            }
        }
        let view = Orgs(state);
        let record = |holder: &str, pending: Option<&str>| EvidenceRecord {
            anchor: EvidenceAnchor {
                digest: Hash([7; 32]),
                size: 1,
                media_type: "a/b".into(),
                category: EvidenceCategory::Documentary,
                case_id: None,
                collected_at: 0,
                collected_by: Vec::new(),
                capture_method: String::new(),
                capture_tool: String::new(),
                provenance_note_digest: None,
                supersedes: None,
                co_signatures: Vec::new(),
            },
            class: EvidenceClass::DirectUse,
            org: OrgId::new("aea").unwrap(),
            anchored_by: KeyId([1; 20]),
            height: 1,
            time_ms: 1,
            tx: Hash([8; 32]),
            holder: OrgId::new(holder).unwrap(),
            pending_transfer: pending.map(|p| OrgId::new(p).unwrap()),
            custody: Vec::new(),
            superseded_by: None,
            destroyed: false,
        };
        let records = [record("aea", None), record("pol", Some("cou"))];
        // Action literals in conditions, on the left of `in`, in sets, in
        // branches: each needs its entity in the store.
        let adversarial = r#"
            permit (principal, action, resource)
            when { Xianjie::Action::"close" in Xianjie::Action::"aea-act" && principal.role == "head" };
            permit (principal, action == Xianjie::Action::"anchor-evidence", resource)
            when { Xianjie::Action::"feedback" in Xianjie::Action::"court-act" };
            forbid (principal, action, resource)
            when { Xianjie::Action::"feedback" in [Xianjie::Action::"police-act"] && principal.org_kind == "court" };
            permit (principal, action in Xianjie::Action::"aea-act", resource)
            when { action in Xianjie::Action::"aea-act" };
            permit (principal, action, resource)
            when { action in [Xianjie::Action::"police-act", Xianjie::Action::"read"] && principal.org_kind == "police" };
            permit (principal, action, resource)
            when { if principal.role == "admin" then Xianjie::Action::"withdraw" in Xianjie::Action::"police-act" else false };
            permit (principal, action in [Xianjie::Action::"police-act", Xianjie::Action::"accredit"], resource is Xianjie::Accreditation)
            when { principal.role == "officer" };
            forbid (principal, action == Xianjie::Action::"read", resource is Xianjie::Evidence)
            when { principal.org_kind == "police" && resource.holder == principal.org };
            permit (principal, action in Xianjie::Action::"court-act", resource is Xianjie::Evidence)
            when { resource.no_such_attribute == 1 };
        "#;
        let mut actions: Vec<String> = schema_actions()
            .unwrap()
            .keys()
            .map(|uid| uid.id().unescaped().to_owned())
            .collect();
        actions.push("no-such-action".into());
        let (mut allowed, mut denied, mut refused) = (0, 0, 0);
        for text in [DEFAULT_POLICY_SET, adversarial] {
            let compiled = Compiled::new(PolicySet::from_str(text).unwrap()).unwrap();
            for officer in &officers {
                for action in &actions {
                    let resources = [
                        Resource::Evidence(&records[0]),
                        Resource::Evidence(&records[1]),
                        Resource::Accreditation {
                            lab_uscc: "91110000000000000X",
                            cma_number: "1",
                        },
                    ];
                    for resource in resources {
                        let fast = decide(&view, &compiled, officer, action, resource);
                        let full = decide_with_every_action(
                            &view,
                            &compiled.policies,
                            officer,
                            action,
                            resource,
                        );
                        assert_eq!(
                            format!("{fast:?}"),
                            format!("{full:?}"),
                            "{action} by {:?} of {}",
                            officer.role,
                            officer.org
                        );
                        match full {
                            Ok(()) => allowed += 1,
                            Err(ContractError::PolicyDenied { .. }) => denied += 1,
                            Err(_) => refused += 1,
                        }
                    }
                }
            }
        }
        assert!(allowed > 0 && denied > 0 && refused > 0);
    }

    /// The store skips Cedar's closure only where the entities already carry
    /// it: in debug builds an incomplete hierarchy (an officer of an
    /// organisation inside another, without the outer one among its
    /// ancestors) is refused, so no test can pass on a store that lies.
    #[cfg(debug_assertions)]
    #[test]
    fn an_entity_store_whose_hierarchy_is_not_closed_is_refused_in_tests() {
        let officer = uid("Officer", "a").unwrap();
        let inner = uid("Org", "inner").unwrap();
        let outer = uid("Org", "outer").unwrap();
        let nested = |parents: Vec<EntityUid>| {
            vec![
                entity(officer.clone(), vec![], parents).unwrap(),
                entity(inner.clone(), vec![], vec![outer.clone()]).unwrap(),
                entity(outer.clone(), vec![], vec![]).unwrap(),
            ]
        };
        assert!(closed_entity_store(&nested(vec![inner.clone()])).is_err());
        let closed = closed_entity_store(&nested(vec![inner.clone(), outer.clone()])).unwrap();
        assert_eq!(closed.iter().count(), 3);
    }

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(nesting("permit (p, a, r) when { (x) };"), 2);
        assert_eq!(nesting("// (((((\n\"((((\" ()"), 1);
        assert_eq!(nesting("\"\\\"(\" [ ]"), 1);
        let deep = format!("{}{}", "(".repeat(30), ")".repeat(30));
        assert!(validate_policy_set(&deep).unwrap_err().contains("nests"));
    }
}
