//! An in-memory chain for the case, inspection, policy and governance tests:
//! state in a `BTreeMap`, one transaction per block, block time under the
//! test's control, and cheap snapshots (`Clone`), so data-driven tests can
//! drive a case to a state once and try many signers from there.
//!
//! Organisations (all with admin, head, officer and officer2 keys):
//!
//! | name | kind | region |
//! |---|---|---|
//! | `market` | administrative agency | 330100 |
//! | `tax` | administrative agency | 330100 |
//! | `police` | police | 330100 |
//! | `police-b` | police | 330200 |
//! | `proc` | procuratorate | 330100 |
//! | `proc-b` | procuratorate | 330200 |
//! | `court` | court | 330100 |
//! | `lab` | testing body | 330100 |

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use xianjie_contracts::policy::PolicyEngine;

/// One policy engine for the whole test run, as a node has one.
pub fn policies() -> Arc<PolicyEngine> {
    static ENGINE: OnceLock<Arc<PolicyEngine>> = OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| Arc::new(PolicyEngine::new().expect("the schema loads"))))
}

use xianjie_contracts::deadline::{day_number, end_of_day_ms};
use xianjie_contracts::{execute, genesis_writes, read, uscc, BlockCtx, ContractError};
use xianjie_ledger::case::{Case, CaseState};
use xianjie_ledger::crypto::{KeyId, SecretKey};
use xianjie_ledger::genesis::{Genesis, GenesisOfficer, GenesisOrg};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::{CaseId, OrgId};
use xianjie_ledger::model::{EvidenceAnchor, Org, OrgKind, OrgLevel, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::StateView;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{Call, SignedTx, Tx};
use xianjie_ledger::validators::Validator;

pub const CHAIN: &str = "xianjie-sim";
/// Noon of Monday 2026-06-01, China time.
pub fn start_ms() -> u64 {
    local_ms(20260601, 12, 0)
}

/// A local (UTC+8) time as Unix milliseconds.
pub fn local_ms(date: u32, hour: u64, minute: u64) -> u64 {
    let day = day_number(date).expect("a real date");
    end_of_day_ms(day - 1) + 1 + (hour * 60 + minute) * 60_000
}

pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;

/// The organisations of the simulation: (name, kind, region).
pub const ORGS: [(&str, OrgKind, &str); 11] = [
    ("market", OrgKind::AdministrativeAgency, "330100"),
    ("tax", OrgKind::AdministrativeAgency, "330100"),
    ("police", OrgKind::Police, "330100"),
    ("police-b", OrgKind::Police, "330200"),
    ("proc", OrgKind::Procuratorate, "330100"),
    ("proc-b", OrgKind::Procuratorate, "330200"),
    ("court", OrgKind::Court, "330100"),
    ("lab", OrgKind::TestingBody, "330100"),
    // The provincial procuratorate above `proc` (D4c, D6).
    ("proc-prov", OrgKind::Procuratorate, "330000"),
    // The people's governments leading the linkage work (GOV_SUPERIOR) of
    // the two regions.
    ("gov", OrgKind::GovernmentOffice, "330100"),
    ("gov-b", OrgKind::GovernmentOffice, "330200"),
];

/// The roles a signer may have, with the key slot used for each.
pub const ROLES: [Role; 3] = [Role::Admin, Role::Head, Role::Officer];

pub fn org_id(name: &str) -> OrgId {
    OrgId::new(name).unwrap()
}

fn org_index(name: &str) -> u8 {
    ORGS.iter()
        .position(|(n, _, _)| *n == name)
        .expect("a simulation org") as u8
}

/// The key of an organisation's officer: slot 0 admin, 1 head, 2 officer, 3 officer2.
pub fn key_of(org: &str, slot: u8) -> SecretKey {
    SecretKey::from_bytes(&[100 + org_index(org) * 4 + slot; 32])
}

pub fn admin(org: &str) -> SecretKey {
    key_of(org, 0)
}

pub fn head(org: &str) -> SecretKey {
    key_of(org, 1)
}

pub fn officer(org: &str) -> SecretKey {
    key_of(org, 2)
}

pub fn officer2(org: &str) -> SecretKey {
    key_of(org, 3)
}

pub fn key_for(org: &str, role: Role) -> SecretKey {
    match role {
        Role::Admin => admin(org),
        Role::Head => head(org),
        Role::Officer => officer(org),
    }
}

/// The call anchoring `anchor` for `org`'s officer, co-signed by the
/// organisation's second officer (the two collectors of every sim anchor).
pub fn anchor_call(org: &str, mut anchor: EvidenceAnchor) -> Call {
    anchor.co_sign(CHAIN, &id_of(&officer(org)), &officer2(org));
    Call::AnchorEvidence(anchor)
}

pub fn id_of(key: &SecretKey) -> KeyId {
    key.public_key().id()
}

/// A valid USCC whose body is derived from `n` and a region.
pub fn uscc_for(region: &str, n: u32) -> String {
    let body = format!("91{region}{n:09}");
    format!("{body}{}", uscc::check_character(&body).unwrap())
}

/// The USCC of a simulation organisation.
pub fn org_uscc(name: &str) -> String {
    let (_, _, region) = ORGS[org_index(name) as usize];
    uscc_for(region, 1000 + u32::from(org_index(name)))
}

/// The inspected entity used throughout.
pub fn entity() -> String {
    uscc_for("330106", 42)
}

pub fn sim_params() -> Params {
    Params {
        min_collectors: 2,
        ..Params::default()
    }
}

pub fn genesis(params: Params) -> Genesis {
    let orgs = ORGS
        .iter()
        .map(|(name, kind, region)| GenesisOrg {
            org: Org {
                id: org_id(name),
                name: format!("{name} 机构"),
                kind: *kind,
                uscc: org_uscc(name),
                region: (*region).into(),
                level: if region.ends_with("0000") {
                    OrgLevel::Provincial
                } else {
                    OrgLevel::Prefecture
                },
            },
            officers: (0..4)
                .map(|slot| GenesisOfficer {
                    public_key: key_of(name, slot).public_key(),
                    role: match slot {
                        0 => Role::Admin,
                        1 => Role::Head,
                        _ => Role::Officer,
                    },
                })
                .collect(),
        })
        .collect();
    Genesis {
        chain_id: CHAIN.into(),
        genesis_time_ms: start_ms() - DAY_MS,
        orgs,
        validators: vec![Validator {
            public_key: SecretKey::from_bytes(&[250; 32]).public_key(),
            power: 1,
            org: org_id("market"),
        }],
        params,
        threshold_rules: xianjie_ledger::supervision::default_threshold_rules(),
    }
}

#[derive(Clone)]
pub struct Sim {
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    pub height: u64,
    pub time_ms: u64,
    nonce: u64,
}

impl StateView for Sim {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }
}

impl Sim {
    pub fn new() -> Self {
        Self::with_params(sim_params())
    }

    pub fn with_params(params: Params) -> Self {
        Self::from_genesis(&genesis(params))
    }

    pub fn from_genesis(genesis: &Genesis) -> Self {
        let mut sim = Sim {
            state: BTreeMap::new(),
            height: 0,
            time_ms: start_ms(),
            nonce: 0,
        };
        sim.apply(genesis_writes(genesis).expect("a valid genesis"));
        sim
    }

    pub fn apply(&mut self, writes: WriteSet) {
        for (key, value) in writes {
            match value {
                Some(value) => self.state.insert(key, value),
                None => self.state.remove(&key),
            };
        }
    }

    pub fn ctx(&self) -> BlockCtx {
        BlockCtx {
            chain_id: CHAIN.into(),
            height: self.height + 1,
            time_ms: self.time_ms,
            prev_hash: self.prev_hash(),
            policies: policies(),
        }
    }

    pub fn tx(&mut self, signer: &SecretKey, call: Call) -> SignedTx {
        self.nonce += 1;
        Tx {
            chain_id: CHAIN.into(),
            signer: signer.public_key(),
            nonce: self.nonce,
            valid_until: self.height + 10,
            call,
        }
        .sign(signer)
    }

    /// Runs one call as the next block (one minute after the previous one)
    /// and applies its writes if it is accepted. Returns the tx hash.
    pub fn run(&mut self, signer: &SecretKey, call: Call) -> Result<Hash, ContractError> {
        let tx = self.tx(signer, call);
        let result = execute(self, &self.ctx(), &tx);
        self.height += 1;
        self.time_ms += 60_000;
        self.apply(result?);
        Ok(tx.hash())
    }

    /// The `prev_hash` of the next block: the hash of the last block run,
    /// which this simulation makes a hash of its height (a real chain's is
    /// its header's hash).
    pub fn prev_hash(&self) -> Hash {
        xianjie_ledger::hash::hash_with(
            xianjie_ledger::hash::Domain::Note,
            &self.height.to_be_bytes(),
        )
    }

    /// Runs signed transactions as the next block, end-of-block work
    /// included (one minute after the previous block), applies the block's
    /// writes and returns each transaction's code (`"ok"` if accepted).
    pub fn block(&mut self, txs: &[SignedTx]) -> Vec<String> {
        let (results, writes) =
            xianjie_contracts::execute_block(self, &self.ctx(), txs).expect("a healthy state");
        self.height += 1;
        self.time_ms += 60_000;
        self.apply(writes);
        results
            .0
            .into_iter()
            .map(|result| match result.outcome {
                xianjie_ledger::block::TxOutcome::Ok => "ok".to_owned(),
                xianjie_ledger::block::TxOutcome::Error { code } => code,
            })
            .collect()
    }

    /// Runs a call and returns the error code (`"ok"` if accepted).
    pub fn code(&mut self, signer: &SecretKey, call: Call) -> String {
        match self.run(signer, call) {
            Ok(_) => "ok".into(),
            Err(error) => error.code().into(),
        }
    }

    /// What a call would do, without applying it.
    pub fn try_call(&mut self, signer: &SecretKey, call: Call) -> Result<WriteSet, ContractError> {
        let tx = self.tx(signer, call);
        execute(self, &self.ctx(), &tx)
    }

    pub fn advance(&mut self, ms: u64) {
        self.time_ms += ms;
    }

    pub fn case(&self, id: impl AsRef<str>) -> Case {
        read::case(self, &CaseId::from(id.as_ref()))
            .unwrap()
            .expect("the case exists")
    }

    pub fn state_of(&self, id: &str) -> CaseState {
        self.case(id).state
    }
}
