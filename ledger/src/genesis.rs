//! The genesis document: chain id, member organisations with their first
//! officers, the validator set and the chain parameters.
//!
//! It is read from JSON by the node and the CLI, and its canonical encoding
//! is hashed; that hash is the `prev_hash` of block 1, so every block commits
//! to the genesis it grew from.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codec::{encode, Canonical};
use crate::crypto::PublicKey;
use crate::error::{Error, Result};
use crate::hash::{hash_with, Domain, Hash};
use crate::model::{Org, Role};
use crate::params::Params;
use crate::supervision::ThresholdRule;
use crate::validators::{Validator, ValidatorSet, MAX_VALIDATORS};

/// Longest chain id.
pub const MAX_CHAIN_ID_LEN: usize = 64;

/// The genesis document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id; every transaction and header names it.
    pub chain_id: String,
    /// Time of the genesis (Unix milliseconds); block 1 is later.
    pub genesis_time_ms: u64,
    /// Member organisations and their first officers.
    pub orgs: Vec<GenesisOrg>,
    /// The initial validator set.
    pub validators: Vec<Validator>,
    /// Chain parameters.
    pub params: Params,
    /// The threshold rules the chain starts with (DOMAIN §g). A genesis
    /// without any hashes as one written before rules existed (see
    /// [`Genesis::hash`]).
    #[serde(default)]
    pub threshold_rules: Vec<ThresholdRule>,
}

/// A member organisation with its first officer keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisOrg {
    /// The organisation.
    pub org: Org,
    /// Its first officers.
    pub officers: Vec<GenesisOfficer>,
}

/// An officer key registered at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisOfficer {
    /// The key.
    pub public_key: PublicKey,
    /// The role.
    pub role: Role,
}

impl Genesis {
    /// Parses and structurally validates a genesis JSON document.
    pub fn from_json(text: &str) -> Result<Self> {
        let genesis: Genesis = serde_json::from_str(text).map_err(|e| Error::Genesis {
            reason: format!("not a genesis document: {e}"),
        })?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// [`Genesis::from_json`] for a reader that must reproduce the hash from
    /// the document alone, such as an offline verifier: every field the hash
    /// encodes must be written out. The node reads older documents by
    /// filling defaults for fields added since ([`Params`]); those defaults
    /// are compiled into the program, so no third party could reproduce a
    /// hash that depends on them. `threshold_rules` alone may be absent:
    /// absent is an empty list, which the hash leaves out.
    pub fn from_complete_json(text: &str) -> Result<Self> {
        let genesis = Self::from_json(text)?;
        let written: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::Genesis {
                reason: format!("not a genesis document: {e}"),
            })?;
        // The parsed value, written back, has every field the types have:
        // whatever it has and the document lacks was filled by a default.
        // Comparing the two follows the types without a list to keep.
        let complete = serde_json::to_value(&genesis).expect("genesis serialises");
        let mut missing = Vec::new();
        collect_missing(&complete, &written, "", &mut missing);
        missing.retain(|path| !OPTIONAL_FIELDS.contains(&path.as_str()));
        if missing.is_empty() {
            Ok(genesis)
        } else {
            Err(Error::IncompleteGenesis { missing })
        }
    }

    /// Pretty JSON, as written to `genesis.json`.
    pub fn to_json(&self) -> String {
        // Plain data always serialises to JSON.
        serde_json::to_string_pretty(self).expect("genesis serialises")
    }

    /// The genesis hash (the `prev_hash` of block 1).
    pub fn hash(&self) -> Hash {
        let mut bytes = encode(self);
        if self.threshold_rules.is_empty() {
            // The rules are the last field: an empty list encodes as one
            // zero byte at the end. Without it the bytes are exactly those
            // of a genesis written before rules existed, so its hash — the
            // `prev_hash` of every such chain's block 1 — does not change.
            bytes.pop();
        }
        hash_with(Domain::Genesis, &bytes)
    }

    /// The initial validator set.
    pub fn validator_set(&self) -> ValidatorSet {
        ValidatorSet::new(self.validators.clone())
    }

    /// Structural checks: ids unique, keys valid, validators known. Legal
    /// checks (USCC checksums, region codes) are the contracts' job.
    pub fn validate(&self) -> Result<()> {
        let fail = |reason: String| Err(Error::Genesis { reason });
        if self.chain_id.is_empty() || self.chain_id.len() > MAX_CHAIN_ID_LEN {
            return fail(format!("chain_id must be 1-{MAX_CHAIN_ID_LEN} characters"));
        }
        let mut org_ids = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for entry in &self.orgs {
            if !org_ids.insert(entry.org.id.clone()) {
                return fail(format!("organisation {} appears twice", entry.org.id));
            }
            for officer in &entry.officers {
                if !officer.public_key.is_valid() {
                    return fail(format!(
                        "officer key {} is not a valid ed25519 key",
                        officer.public_key
                    ));
                }
                if !keys.insert(officer.public_key) {
                    return fail(format!("officer key {} appears twice", officer.public_key));
                }
            }
        }
        if self.validators.is_empty() || self.validators.len() > MAX_VALIDATORS {
            return fail(format!("there must be 1-{MAX_VALIDATORS} validators"));
        }
        let mut validator_keys = BTreeSet::new();
        for validator in &self.validators {
            if !validator.public_key.is_valid() || validator.power == 0 {
                return fail(format!(
                    "validator {} needs a valid key and power > 0",
                    validator.public_key
                ));
            }
            if !validator_keys.insert(validator.public_key) {
                return fail(format!("validator {} appears twice", validator.public_key));
            }
            if !org_ids.contains(&validator.org) {
                return fail(format!(
                    "validator {} names unknown organisation {}",
                    validator.public_key, validator.org
                ));
            }
        }
        if self
            .validators
            .iter()
            .try_fold(0u64, |sum, v| sum.checked_add(v.power))
            .is_none()
        {
            return fail("total voting power overflows".into());
        }
        Ok(())
    }
}

/// Fields a complete genesis document may leave out, because their absence
/// changes no hashed byte: an absent `threshold_rules` is an empty list,
/// and [`Genesis::hash`] leaves an empty list out.
const OPTIONAL_FIELDS: [&str; 1] = ["threshold_rules"];

/// Appends to `missing` the path of every object key of `complete` that
/// `written` lacks, descending into objects and arrays present in both.
fn collect_missing(
    complete: &serde_json::Value,
    written: &serde_json::Value,
    path: &str,
    missing: &mut Vec<String>,
) {
    use serde_json::Value;
    match (complete, written) {
        (Value::Object(complete), Value::Object(written)) => {
            for (key, value) in complete {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match written.get(key) {
                    Some(written) => collect_missing(value, written, &child, missing),
                    None => missing.push(child),
                }
            }
        }
        (Value::Array(complete), Value::Array(written)) => {
            for (index, (value, written)) in complete.iter().zip(written).enumerate() {
                collect_missing(value, written, &format!("{path}[{index}]"), missing);
            }
        }
        _ => {}
    }
}

impl Canonical for Genesis {
    const KIND: &'static str = "genesis";
    const MAX_ENCODED_LEN: usize = 4 * 1024 * 1024;
}
