//! The policy engine: the schema, the action entities it defines, the
//! Cedar type names requests use, and the compiled policy set of the chain
//! parameters last decided with. The node makes one [`PolicyEngine`] at
//! start and hands it to every decision (in [`crate::BlockCtx`] for writes,
//! as an argument for reads): nothing of it is process-wide or per thread.
//!
//! Compiling a policy set is a pure function of its text, so what the
//! engine remembers cannot make two validators decide differently.
//!
//! This module holds the only locks of the pure crates (see
//! `contracts/clippy.toml`): the memo of the compiled set and, inside it, the
//! per-action slices, both shared by the node's threads.
#![allow(clippy::disallowed_types)]

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Schema};
use xianjie_ledger::hash::{hash_with, Domain, Hash};
use xianjie_ledger::params::Params;

use super::{policy_error, SCHEMA_TEXT};
use crate::error::Result;

/// The entity types requests name, parsed once per engine: Cedar parses a
/// type name with its full grammar, which cost more than the rest of
/// building a request's entities.
const ENTITY_TYPES: [&str; 8] = [
    "Organisation",
    "Officer",
    "Case",
    "Evidence",
    "Inspection",
    "Accreditation",
    "Action",
    "StatsScope",
];

/// Decides requests against the chain's policy set; see the module docs.
pub struct PolicyEngine {
    schema: Schema,
    actions: BTreeMap<EntityUid, Entity>,
    type_names: BTreeMap<&'static str, EntityTypeName>,
    last: RwLock<Option<Memo>>,
}

/// The parameters last decided with and their compiled policy set. Holding
/// the `Arc` keeps its address from being reused, so the same address means
/// the same (immutable) parameters.
struct Memo {
    params: Arc<Params>,
    digest: Hash,
    compiled: Arc<Compiled>,
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("actions", &self.actions.len())
            .finish_non_exhaustive()
    }
}

impl PolicyEngine {
    /// Parses the schema and its action entities.
    pub fn new() -> Result<PolicyEngine> {
        let (schema, _warnings) =
            Schema::from_cedarschema_str(SCHEMA_TEXT).map_err(policy_error)?;
        let actions = schema
            .action_entities()
            .map_err(policy_error)?
            .iter()
            .map(|entity| (entity.uid(), entity.clone()))
            .collect();
        let type_names = ENTITY_TYPES
            .into_iter()
            .map(|kind| Ok((kind, parse_type_name(kind)?)))
            .collect::<Result<_>>()?;
        Ok(PolicyEngine {
            schema,
            actions,
            type_names,
            last: RwLock::new(None),
        })
    }

    /// The schema policies are validated and requests checked against.
    pub(super) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The action entities of the schema, with their ancestors, by uid.
    pub(super) fn actions(&self) -> &BTreeMap<EntityUid, Entity> {
        &self.actions
    }

    /// The uid `Xianjie::{kind}::"{id}"`.
    pub(super) fn uid(&self, kind: &'static str, id: &str) -> Result<EntityUid> {
        let type_name = match self.type_names.get(kind) {
            Some(name) => name.clone(),
            None => parse_type_name(kind)?,
        };
        Ok(EntityUid::from_type_name_and_id(
            type_name,
            EntityId::new(id),
        ))
    }

    /// The compiled policy set of `params`, compiled again only when the
    /// text changed (its digest is computed only when the parameters are
    /// not those of the last call).
    pub(super) fn compiled_for(&self, params: &Arc<Params>) -> Result<Arc<Compiled>> {
        let known = |memo: &Option<Memo>| {
            memo.as_ref()
                .filter(|memo| Arc::ptr_eq(&memo.params, params))
                .map(|memo| Arc::clone(&memo.compiled))
        };
        if let Some(compiled) = known(&self.last.read().unwrap_or_else(|p| p.into_inner())) {
            return Ok(compiled);
        }
        let digest = hash_with(Domain::Note, params.policy_set.as_bytes());
        let mut last = self.last.write().unwrap_or_else(|p| p.into_inner());
        let compiled = match last.as_ref() {
            Some(memo) if memo.digest == digest => Arc::clone(&memo.compiled),
            _ => Arc::new(self.compile(&params.policy_set)?),
        };
        *last = Some(Memo {
            params: Arc::clone(params),
            digest,
            compiled: Arc::clone(&compiled),
        });
        Ok(compiled)
    }

    /// Parses and prepares a policy set.
    pub(super) fn compile(&self, text: &str) -> Result<Compiled> {
        let policies = PolicySet::from_str(text).map_err(policy_error)?;
        Compiled::new(policies, &self.actions)
    }
}

fn parse_type_name(kind: &str) -> Result<EntityTypeName> {
    EntityTypeName::from_str(&format!("Xianjie::{kind}")).map_err(policy_error)
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
pub(super) struct Compiled {
    pub(super) policies: PolicySet,
    /// Action entities named by a literal in some policy's conditions.
    condition_actions: Vec<Entity>,
    /// The policies whose scope admits an action on a resource type, made
    /// on first use of the pair.
    slices: RwLock<BTreeMap<(EntityUid, EntityTypeName), Arc<PolicySet>>>,
}

impl Compiled {
    fn new(policies: PolicySet, actions: &BTreeMap<EntityUid, Entity>) -> Result<Self> {
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
    pub(super) fn policies_for(
        &self,
        actions: &BTreeMap<EntityUid, Entity>,
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
        let slice = Arc::new(self.slice(actions, action, resource_type)?);
        self.slices
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, Arc::clone(&slice));
        Ok(slice)
    }

    fn slice(
        &self,
        actions: &BTreeMap<EntityUid, Entity>,
        action: &EntityUid,
        resource_type: &EntityTypeName,
    ) -> Result<PolicySet> {
        // Template-linked policies cannot be copied into another set one by
        // one; such a set is evaluated whole.
        if self.policies.templates().next().is_some() {
            return Ok(self.policies.clone());
        }
        let groups: Vec<EntityUid> = actions
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
    pub(super) fn actions_for(
        &self,
        actions: &BTreeMap<EntityUid, Entity>,
        action: &EntityUid,
    ) -> Vec<Entity> {
        let mut needed = self.condition_actions.clone();
        if !needed.iter().any(|entity| entity.uid() == *action) {
            if let Some(entity) = actions.get(action) {
                needed.push(entity.clone());
            }
        }
        needed
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
