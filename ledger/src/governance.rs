//! Governance records: proposals that need the approval of M of the N voting
//! organisations, the changes they make, and the network's node keys.
//!
//! A proposal applies in the block where its M-th approval lands; the
//! proposer's organisation counts as approving. The validator set written
//! under `state::keys::VALIDATORS` after block h commits block h+1.

use serde::{Deserialize, Serialize};

use crate::case::{DomainAttachment, TransferTarget};
use crate::codec::Canonical;
use crate::crypto::{KeyId, PublicKey};
use crate::deadline::{Calendar, DayCounting, DeadlineRule};
use crate::hash::Hash;
use crate::ids::{OrgId, ProposalId};
use crate::model::{CategoryClass, Org};
use crate::supervision::ThresholdRule;
use crate::validators::Validator;

/// Largest policy set text in bytes. A policy change travels in one
/// transaction (`tx::MAX_TX_BYTES`), so it must fit there with room to spare.
pub const MAX_POLICY_BYTES: usize = 12 * 1024;
/// Most node keys registered besides the validators.
pub const MAX_NODE_KEYS: usize = 256;

/// The default policy set of a new chain (Cedar), encoding the roles of
/// DOMAIN.md §(a). It lives in the contracts crate next to the schema it is
/// validated against; the parameters carry the text so that the genesis
/// document commits to it.
pub const DEFAULT_POLICY_SET: &str = include_str!("../../contracts/policies/default.cedar");

/// Who votes and how many must approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernanceParams {
    /// The N organisations whose admins vote. Empty: every member organisation.
    pub voters: Vec<OrgId>,
    /// M, the approvals a proposal needs. 0: a majority of the voters
    /// (⌊N/2⌋ + 1).
    pub threshold: u16,
    /// Blocks after which an unapproved proposal expires.
    pub proposal_ttl_blocks: u64,
}

impl Default for GovernanceParams {
    fn default() -> Self {
        GovernanceParams {
            voters: Vec::new(),
            threshold: 0,
            proposal_ttl_blocks: 100_000,
        }
    }
}

impl GovernanceParams {
    /// M for `voter_count` voters.
    pub fn required_approvals(&self, voter_count: usize) -> usize {
        if self.threshold == 0 {
            voter_count / 2 + 1
        } else {
            usize::from(self.threshold)
        }
    }
}

/// A change to one chain parameter (the variant names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamChange {
    /// `min_collectors`.
    MinCollectors(u8),
    /// `max_custody_events`.
    MaxCustodyEvents(u16),
    /// `max_tx_validity_blocks`.
    MaxTxValidityBlocks(u64),
    /// One entry of `category_classes` (replaces the category's class).
    CategoryClass(CategoryClass),
    /// Adds a deadline rule, or replaces the one with the same id.
    DeadlineRule(DeadlineRule),
    /// Removes the deadline rule with this id.
    RemoveDeadlineRule(String),
    /// `counting`.
    DayCounting(DayCounting),
    /// `governance`.
    Governance(GovernanceParams),
    /// `cases.min_taskforce`.
    MinTaskforce(u8),
    /// `cases.domains`.
    CaseDomains(Vec<String>),
    /// `cases.domain_attachments`.
    DomainAttachments(Vec<DomainAttachment>),
    /// `cases.transfer_targets`.
    TransferTargets(Vec<TransferTarget>),
    /// `inspections.min_inspectors`.
    MinInspectors(u8),
    /// `cases.supervision_during_reconsideration`.
    SupervisionDuringReconsideration(bool),
    /// `uscc_allow_list` (replaces the whole list).
    UsccAllowList(Vec<String>),
}

impl ParamChange {
    /// The parameter's name.
    pub fn name(&self) -> &'static str {
        match self {
            ParamChange::MinCollectors(_) => "min_collectors",
            ParamChange::MaxCustodyEvents(_) => "max_custody_events",
            ParamChange::MaxTxValidityBlocks(_) => "max_tx_validity_blocks",
            ParamChange::CategoryClass(_) => "category_class",
            ParamChange::DeadlineRule(_) => "deadline_rule",
            ParamChange::RemoveDeadlineRule(_) => "remove_deadline_rule",
            ParamChange::DayCounting(_) => "day_counting",
            ParamChange::Governance(_) => "governance",
            ParamChange::MinTaskforce(_) => "min_taskforce",
            ParamChange::CaseDomains(_) => "case_domains",
            ParamChange::DomainAttachments(_) => "domain_attachments",
            ParamChange::TransferTargets(_) => "transfer_targets",
            ParamChange::MinInspectors(_) => "min_inspectors",
            ParamChange::SupervisionDuringReconsideration(_) => {
                "supervision_during_reconsideration"
            }
            ParamChange::UsccAllowList(_) => "uscc_allow_list",
        }
    }
}

/// What a proposal changes. Variants are encoded by position: append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Replace the Cedar policy set (validated against the schema when proposed).
    PolicySet(String),
    /// Change one parameter (the whole parameter set is re-validated).
    Param(ParamChange),
    /// Replace the holiday calendar.
    Holidays(Calendar),
    /// Add a validator; it commits from the block after the one that applies it.
    AddValidator(Validator),
    /// Remove a validator (the set never becomes empty).
    RemoveValidator(KeyId),
    /// Admit a new member organisation with its first admin key.
    AddOrg(NewOrg),
    /// Add a threshold rule, or replace one with a new version (DOMAIN §g).
    ThresholdRule(ThresholdRule),
}

/// A member organisation admitted by governance, and the admin key that
/// registers its other keys (officers, heads, node keys) once it is a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrg {
    /// The organisation as it is recorded (its USCC is stored normalised).
    pub org: Org,
    /// Its first admin's public key.
    pub admin: PublicKey,
}

impl Change {
    /// A short name of the kind of change.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::PolicySet(_) => "policy_set",
            Change::Param(_) => "param",
            Change::Holidays(_) => "holidays",
            Change::AddValidator(_) => "add_validator",
            Change::RemoveValidator(_) => "remove_validator",
            Change::AddOrg(_) => "add_org",
            Change::ThresholdRule(_) => "threshold_rule",
        }
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Collecting approvals.
    Open,
    /// Applied at this height.
    Applied {
        /// The height.
        height: u64,
    },
}

/// A governance proposal, stored under `proposal/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// `GOV-` and 16 hex characters of the proposing transaction's hash.
    pub id: ProposalId,
    /// The change.
    pub change: Change,
    /// Digest of an off-chain explanation.
    pub note_digest: Option<Hash>,
    /// The proposing organisation.
    pub proposer_org: OrgId,
    /// The proposing admin.
    pub proposer: KeyId,
    /// Organisations that approved, in order (the proposer's first).
    pub approvals: Vec<OrgId>,
    /// Height of the proposal.
    pub created_height: u64,
    /// Last height at which it may still be approved.
    pub expires_height: u64,
    /// Status.
    pub status: ProposalStatus,
}

/// A network node key registered by an organisation's admin (besides the
/// validators' keys), for the peer allow-list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeKey {
    /// The key.
    pub public_key: PublicKey,
    /// The organisation running the node.
    pub org: OrgId,
    /// Height of the registration.
    pub registered_height: u64,
}

/// The registered node keys, stored under `node/keys`, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeKeys(pub Vec<NodeKey>);

impl Canonical for Proposal {
    const KIND: &'static str = "proposal";
    const MAX_ENCODED_LEN: usize = 64 * 1024;
}

impl Canonical for NodeKeys {
    const KIND: &'static str = "node keys";
    const MAX_ENCODED_LEN: usize = MAX_NODE_KEYS * 128 + 16;
}
