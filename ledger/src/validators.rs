//! Validators and validator sets: who commits blocks, with what voting power.

use serde::{Deserialize, Serialize};

use crate::codec::{encode, Canonical};
use crate::crypto::{KeyId, PublicKey};
use crate::hash::{hash_with, Domain, Hash};
use crate::ids::OrgId;

/// Most validators in a set.
pub const MAX_VALIDATORS: usize = 256;

/// A validator and its voting power.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    /// Consensus key.
    pub public_key: PublicKey,
    /// Voting power.
    pub power: u64,
    /// The organisation that runs it.
    pub org: OrgId,
}

/// The validators of a height, sorted by key id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidatorSet {
    /// Members, sorted by key id, no duplicates.
    pub validators: Vec<Validator>,
}

impl ValidatorSet {
    /// Builds a set, sorting members by key id.
    pub fn new(mut validators: Vec<Validator>) -> Self {
        validators.sort_by_key(|v| v.public_key.id());
        ValidatorSet { validators }
    }

    /// The hash headers commit to.
    pub fn hash(&self) -> Hash {
        hash_with(Domain::Validators, &encode(self))
    }

    /// Sum of voting power.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().map(|v| v.power).sum()
    }

    /// Finds a validator by key id.
    pub fn get(&self, id: &KeyId) -> Option<&Validator> {
        self.validators.iter().find(|v| &v.public_key.id() == id)
    }
}

impl Canonical for ValidatorSet {
    const KIND: &'static str = "validator set";
    const MAX_ENCODED_LEN: usize = MAX_VALIDATORS * 128;
}
