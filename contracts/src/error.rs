//! Why a transaction (or a genesis document) is refused.
//!
//! Every variant has a stable snake_case [`ContractError::code`]. The code is
//! committed in the block's results, so it is part of the chain format: never
//! change or reuse one, only add new ones. The `Display` text is for people and
//! may be reworded; it says what to do next.

use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::model::{CustodyAction, EvidenceCategory, OrgId, Role};

use crate::uscc::UsccError;

/// Shorthand for results of this crate.
pub type Result<T, E = ContractError> = std::result::Result<T, E>;

/// A rule a transaction or genesis document breaks.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    // --- envelope -------------------------------------------------------
    /// The transaction names another chain.
    #[error("transaction is for chain {found:?} but this is chain {expected:?}; sign it again with the right chain id")]
    WrongChain {
        /// This chain's id.
        expected: String,
        /// The id in the transaction.
        found: String,
    },
    /// The block height is past the transaction's `valid_until`.
    #[error("transaction was valid until height {valid_until} and the chain is at {height}; sign it again with a later valid_until")]
    Expired {
        /// The transaction's last valid height.
        valid_until: u64,
        /// The height of the block being built.
        height: u64,
    },
    /// `valid_until` is further ahead than the chain parameters allow.
    #[error("valid_until {valid_until} is beyond the allowed maximum {max_valid_until}; sign it again with a nearer valid_until")]
    ValidityTooLong {
        /// The transaction's last valid height.
        valid_until: u64,
        /// Current height plus `max_tx_validity_blocks`.
        max_valid_until: u64,
    },

    // --- signer and membership -----------------------------------------
    /// The signing key is not a registered officer.
    #[error("signer {signer} is not a registered officer; ask your organisation's admin to register the key")]
    UnknownSigner {
        /// The signer's key id.
        signer: KeyId,
    },
    /// The signing key was revoked.
    #[error("signer {signer} was revoked at height {revoked_at:?}; sign with a current key or ask your admin for a new one")]
    RevokedSigner {
        /// The signer's key id.
        signer: KeyId,
        /// When it was revoked.
        revoked_at: Option<u64>,
    },
    /// Only an organisation's admin may manage its officers.
    #[error("signer {signer} has role {role:?}; only an admin of the organisation may manage officer keys")]
    NotAdmin {
        /// The signer's key id.
        signer: KeyId,
        /// The signer's role.
        role: Role,
    },
    /// The key is already registered (possibly revoked, which is permanent).
    #[error(
        "key {officer} is already registered (a revoked key stays revoked); generate a new key"
    )]
    OfficerExists {
        /// The key id.
        officer: KeyId,
    },
    /// No officer has this key id.
    #[error("no officer has key id {officer}; check the id")]
    UnknownOfficer {
        /// The key id named in the call.
        officer: KeyId,
    },
    /// An admin tried to manage an officer of another organisation.
    #[error("officer {officer} belongs to {officer_org}, not to the signer's organisation {signer_org}; ask that organisation's admin")]
    OtherOrg {
        /// The officer named in the call.
        officer: KeyId,
        /// That officer's organisation.
        officer_org: OrgId,
        /// The signer's organisation.
        signer_org: OrgId,
    },
    /// An admin tried to revoke its own key.
    #[error("admin {officer} cannot revoke its own key; another admin of the organisation must revoke it")]
    SelfRevocation {
        /// The admin's key id.
        officer: KeyId,
    },
    /// The officer is already revoked.
    #[error("officer {officer} was already revoked at height {revoked_at:?}; nothing to do")]
    AlreadyRevoked {
        /// The officer named in the call.
        officer: KeyId,
        /// When it was revoked.
        revoked_at: Option<u64>,
    },
    /// The public key is not a usable ed25519 key.
    #[error("public key {public_key} is not a valid ed25519 key; generate the key again with `xianjie keys new`")]
    InvalidKey {
        /// The key given.
        public_key: PublicKey,
    },

    // --- evidence anchors ----------------------------------------------
    /// A field is outside its bounds.
    #[error("field {field} is invalid: it must be {limit}; correct it and sign again")]
    InvalidField {
        /// The field, as named in the transaction.
        field: &'static str,
        /// What the field must satisfy.
        limit: String,
    },
    /// The digest is already anchored.
    #[error(
        "evidence {digest} is already anchored; anchor a corrected file with `supersedes` instead"
    )]
    AlreadyAnchored {
        /// The digest.
        digest: Hash,
    },
    /// The chain parameters give no class for the category.
    #[error("category {category:?} has no admissibility class in the chain parameters; the parameters must be amended first")]
    UnknownCategory {
        /// The category.
        category: EvidenceCategory,
    },
    /// Fewer collectors than the law (and the chain parameters) require.
    #[error("{named} collector(s) named but at least {min} are required; name every officer who collected the item")]
    TooFewCollectors {
        /// Collectors named.
        named: usize,
        /// The minimum.
        min: u8,
    },
    /// A collector is not an active officer of the anchoring organisation.
    #[error("collector {collector} is not an active officer of {org}; name only current officers of your organisation")]
    UnknownCollector {
        /// The key id named.
        collector: KeyId,
        /// The anchoring organisation.
        org: OrgId,
    },
    /// A supersede names an anchor that does not exist.
    #[error("evidence {digest} to supersede is not anchored; check the digest")]
    SupersedeUnknown {
        /// The digest named in `supersedes`.
        digest: Hash,
    },
    /// The anchor to supersede is already superseded.
    #[error("evidence {digest} is already superseded by {by}; supersede {by} instead")]
    AlreadySuperseded {
        /// The digest named in `supersedes`.
        digest: Hash,
        /// Its existing successor.
        by: Hash,
    },
    /// Only the organisation that anchored a record may supersede it.
    #[error("evidence {digest} was anchored by {owner}; only that organisation may supersede it")]
    SupersedeOtherOrg {
        /// The digest named in `supersedes`.
        digest: Hash,
        /// The organisation that anchored it.
        owner: OrgId,
    },

    // --- custody -------------------------------------------------------
    /// No evidence with this digest is anchored.
    #[error("evidence {digest} is not anchored; anchor it first or check the digest")]
    UnknownEvidence {
        /// The digest.
        digest: Hash,
    },
    /// Only the holder may do this.
    #[error(
        "evidence {digest} is held by {holder}, not by {org}; only the holder may record this"
    )]
    NotHolder {
        /// The digest.
        digest: Hash,
        /// The current holder.
        holder: OrgId,
        /// The signer's organisation.
        org: OrgId,
    },
    /// A transfer is waiting to be received.
    #[error("evidence {digest} has a transfer to {to} waiting; {to} must record `receive` first")]
    TransferPending {
        /// The digest.
        digest: Hash,
        /// The pending recipient.
        to: OrgId,
    },
    /// `receive` without a pending transfer.
    #[error("evidence {digest} has no pending transfer to receive; the holder must record `transfer` first")]
    NoPendingTransfer {
        /// The digest.
        digest: Hash,
    },
    /// `receive` by an organisation the transfer is not addressed to.
    #[error("the transfer of evidence {digest} is addressed to {recipient}, not to {org}; only {recipient} may receive it")]
    NotRecipient {
        /// The digest.
        digest: Hash,
        /// The addressee.
        recipient: OrgId,
        /// The signer's organisation.
        org: OrgId,
    },
    /// The organisation does not exist.
    #[error("organisation {org} is not a member of this chain; check the id")]
    UnknownOrg {
        /// The id named.
        org: OrgId,
    },
    /// A transfer to the current holder.
    #[error("evidence is already held by {org}; transfer it to another organisation")]
    TransferToSelf {
        /// The holder.
        org: OrgId,
    },
    /// `transfer` without `to`.
    #[error("a transfer must name the receiving organisation in `to`")]
    MissingRecipient,
    /// `to` on an action other than `transfer`.
    #[error("`to` is only allowed on `transfer`, not on {action:?}; leave it empty")]
    UnexpectedRecipient {
        /// The action recorded.
        action: CustodyAction,
    },
    /// The item was destroyed; its record is closed.
    #[error("evidence {digest} was destroyed; no further custody events can be recorded")]
    EvidenceDestroyed {
        /// The digest.
        digest: Hash,
    },
    /// The record holds as many custody events as the parameters allow.
    #[error("evidence {digest} already has {max} custody events, the most allowed; record the item's further history under a superseding anchor")]
    CustodyLogFull {
        /// The digest.
        digest: Hash,
        /// The limit.
        max: u16,
    },

    // --- genesis and state ---------------------------------------------
    /// The genesis document is inconsistent.
    #[error("invalid genesis: {reason}; fix genesis.json")]
    InvalidGenesis {
        /// What is wrong with it.
        reason: String,
    },
    /// An organisation's 统一社会信用代码 is malformed.
    #[error("organisation {org} has an invalid USCC: {error}")]
    InvalidUscc {
        /// The organisation.
        org: OrgId,
        /// What is wrong with the code.
        error: UsccError,
    },
    /// An organisation's region is not a 6-digit division code.
    #[error("organisation {org} has region {region:?}; it must be the 6-digit administrative division code")]
    InvalidRegion {
        /// The organisation.
        org: OrgId,
        /// The value given.
        region: String,
    },
    /// A stored record is missing or cannot be decoded.
    #[error("stored state under {key} is unusable ({reason}); this node's database is damaged: stop it and restore from a backup or resync")]
    CorruptState {
        /// The state key, printable.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

impl ContractError {
    /// The stable, machine-readable code committed in the block results.
    pub fn code(&self) -> &'static str {
        use ContractError as E;
        match self {
            E::WrongChain { .. } => "wrong_chain",
            E::Expired { .. } => "expired",
            E::ValidityTooLong { .. } => "validity_too_long",
            E::UnknownSigner { .. } => "unknown_signer",
            E::RevokedSigner { .. } => "revoked_signer",
            E::NotAdmin { .. } => "not_admin",
            E::OfficerExists { .. } => "officer_exists",
            E::UnknownOfficer { .. } => "unknown_officer",
            E::OtherOrg { .. } => "other_org",
            E::SelfRevocation { .. } => "self_revocation",
            E::AlreadyRevoked { .. } => "already_revoked",
            E::InvalidKey { .. } => "invalid_key",
            E::InvalidField { .. } => "invalid_field",
            E::AlreadyAnchored { .. } => "already_anchored",
            E::UnknownCategory { .. } => "unknown_category",
            E::TooFewCollectors { .. } => "too_few_collectors",
            E::UnknownCollector { .. } => "unknown_collector",
            E::SupersedeUnknown { .. } => "supersede_unknown",
            E::AlreadySuperseded { .. } => "already_superseded",
            E::SupersedeOtherOrg { .. } => "supersede_other_org",
            E::UnknownEvidence { .. } => "unknown_evidence",
            E::NotHolder { .. } => "not_holder",
            E::TransferPending { .. } => "transfer_pending",
            E::NoPendingTransfer { .. } => "no_pending_transfer",
            E::NotRecipient { .. } => "not_recipient",
            E::UnknownOrg { .. } => "unknown_org",
            E::TransferToSelf { .. } => "transfer_to_self",
            E::MissingRecipient => "missing_recipient",
            E::UnexpectedRecipient { .. } => "unexpected_recipient",
            E::EvidenceDestroyed { .. } => "evidence_destroyed",
            E::CustodyLogFull { .. } => "custody_log_full",
            E::InvalidGenesis { .. } => "invalid_genesis",
            E::InvalidUscc { .. } => "invalid_uscc",
            E::InvalidRegion { .. } => "invalid_region",
            E::CorruptState { .. } => "corrupt_state",
        }
    }

    /// Whether the error is a fault of this node's state rather than of the
    /// transaction. Another validator with a healthy database would not get
    /// it, so a node should stop instead of committing it as a result.
    pub fn is_state_fault(&self) -> bool {
        matches!(self, ContractError::CorruptState { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn one_of_each() -> Vec<ContractError> {
        use ContractError as E;
        let key = KeyId([1; 20]);
        let org = || OrgId::new("market").expect("valid id");
        let digest = Hash([2; 32]);
        vec![
            E::WrongChain {
                expected: "a".into(),
                found: "b".into(),
            },
            E::Expired {
                valid_until: 1,
                height: 2,
            },
            E::ValidityTooLong {
                valid_until: 9,
                max_valid_until: 5,
            },
            E::UnknownSigner { signer: key },
            E::RevokedSigner {
                signer: key,
                revoked_at: Some(3),
            },
            E::NotAdmin {
                signer: key,
                role: Role::Officer,
            },
            E::OfficerExists { officer: key },
            E::UnknownOfficer { officer: key },
            E::OtherOrg {
                officer: key,
                officer_org: org(),
                signer_org: org(),
            },
            E::SelfRevocation { officer: key },
            E::AlreadyRevoked {
                officer: key,
                revoked_at: Some(1),
            },
            E::InvalidKey {
                public_key: PublicKey([0; 32]),
            },
            E::InvalidField {
                field: "media_type",
                limit: "x".into(),
            },
            E::AlreadyAnchored { digest },
            E::UnknownCategory {
                category: EvidenceCategory::Party,
            },
            E::TooFewCollectors { named: 1, min: 2 },
            E::UnknownCollector {
                collector: key,
                org: org(),
            },
            E::SupersedeUnknown { digest },
            E::AlreadySuperseded { digest, by: digest },
            E::SupersedeOtherOrg {
                digest,
                owner: org(),
            },
            E::UnknownEvidence { digest },
            E::NotHolder {
                digest,
                holder: org(),
                org: org(),
            },
            E::TransferPending { digest, to: org() },
            E::NoPendingTransfer { digest },
            E::NotRecipient {
                digest,
                recipient: org(),
                org: org(),
            },
            E::UnknownOrg { org: org() },
            E::TransferToSelf { org: org() },
            E::MissingRecipient,
            E::UnexpectedRecipient {
                action: CustodyAction::Seal,
            },
            E::EvidenceDestroyed { digest },
            E::CustodyLogFull { digest, max: 1 },
            E::InvalidGenesis { reason: "r".into() },
            E::InvalidUscc {
                org: org(),
                error: UsccError::Length { found: 3 },
            },
            E::InvalidRegion {
                org: org(),
                region: "1".into(),
            },
            E::CorruptState {
                key: "params".into(),
                reason: "missing".into(),
            },
        ]
    }

    #[test]
    fn codes_are_unique_snake_case_and_messages_are_not_empty() {
        let errors = one_of_each();
        let mut codes = BTreeSet::new();
        for error in &errors {
            let code = error.code();
            assert!(codes.insert(code), "code {code} is used twice");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert!(!error.to_string().is_empty());
        }
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn only_corrupt_state_is_a_state_fault() {
        for error in one_of_each() {
            assert_eq!(error.is_state_fault(), error.code() == "corrupt_state");
        }
    }
}
