//! A small chain for contract tests: a genesis with three organisations —
//! a market regulator (administrative agency), a police bureau and a
//! procuratorate — each with admin, head and officer keys from fixed seeds,
//! applied to `Store::temporary()`. Every call runs as its own block and its
//! writes are committed, so tests read like scripts.

use std::collections::BTreeSet;

use xianjie_contracts::{
    execute, execute_block_hashed, genesis_writes, read, uscc, BlockCtx, ContractError,
};
use xianjie_ledger::block::{Block, BlockResults, Commit, Header, TxOutcome};
use xianjie_ledger::crypto::{KeyId, SecretKey};
use xianjie_ledger::genesis::{Genesis, GenesisOfficer, GenesisOrg};
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{
    CustodyAction, EvidenceAnchor, EvidenceCategory, EvidenceRecord, Officer, Org, OrgKind,
    OrgLevel, Role,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::state::WriteSet;
use xianjie_ledger::tx::{Call, RecordCustody, SignedTx, Tx};
use xianjie_ledger::validators::Validator;
use xianjie_store::Store;

pub const CHAIN: &str = "xianjie-test";
pub const GENESIS_TIME_MS: u64 = 1_780_000_000_000;
/// Block time advances by this much per block.
pub const BLOCK_INTERVAL_MS: u64 = 1_000;

/// The key with the 32-byte seed `[seed; 32]`.
pub fn key(seed: u8) -> SecretKey {
    SecretKey::from_bytes(&[seed; 32])
}

pub fn id_of(key: &SecretKey) -> KeyId {
    key.public_key().id()
}

pub fn org_id(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

/// Keys of one organisation.
pub struct Staff {
    pub org: OrgId,
    pub admin: SecretKey,
    pub head: SecretKey,
    pub officer: SecretKey,
    pub officer2: SecretKey,
}

impl Staff {
    fn new(org: &str, base: u8) -> Self {
        Staff {
            org: org_id(org),
            admin: key(base),
            head: key(base + 1),
            officer: key(base + 2),
            officer2: key(base + 3),
        }
    }

    fn genesis_entry(
        &self,
        name: &str,
        kind: OrgKind,
        uscc_body: &str,
        region: &str,
    ) -> GenesisOrg {
        let officer = |key: &SecretKey, role| GenesisOfficer {
            public_key: key.public_key(),
            role,
        };
        GenesisOrg {
            org: Org {
                id: self.org.clone(),
                name: name.into(),
                kind,
                uscc: valid_uscc(uscc_body),
                region: region.into(),
                level: OrgLevel::Prefecture,
            },
            officers: vec![
                officer(&self.admin, Role::Admin),
                officer(&self.head, Role::Head),
                officer(&self.officer, Role::Officer),
                officer(&self.officer2, Role::Officer),
            ],
        }
    }
}

/// A USCC with its check character appended.
pub fn valid_uscc(body: &str) -> String {
    format!("{body}{}", uscc::check_character(body).unwrap())
}

/// The test parameters: two collectors, as the law asks (DOMAIN §a).
pub fn test_params() -> Params {
    Params {
        min_collectors: 2,
        max_custody_events: 16,
        max_tx_validity_blocks: 100,
        ..Params::default()
    }
}

pub struct World {
    pub store: Store,
    pub genesis: Genesis,
    pub market: Staff,
    pub police: Staff,
    pub proc: Staff,
    /// Height of the last committed block.
    pub height: u64,
    nonce: u64,
}

impl World {
    pub fn new() -> Self {
        Self::with_params(test_params())
    }

    pub fn with_params(params: Params) -> Self {
        let market = Staff::new("market-330100", 10);
        let police = Staff::new("police-330100", 20);
        let proc = Staff::new("proc-330100", 30);
        let genesis = genesis_for(&market, &police, &proc, params);
        let store = Store::temporary().unwrap();
        store
            .init_genesis(genesis.hash(), genesis_writes(&genesis).unwrap())
            .unwrap();
        World {
            store,
            genesis,
            market,
            police,
            proc,
            height: 0,
            nonce: 0,
        }
    }

    /// The context of the next block.
    pub fn next_ctx(&self) -> BlockCtx {
        let height = self.height + 1;
        BlockCtx {
            chain_id: CHAIN.into(),
            height,
            time_ms: GENESIS_TIME_MS + height * BLOCK_INTERVAL_MS,
            prev_hash: xianjie_ledger::hash::hash_with(
                xianjie_ledger::hash::Domain::Note,
                &self.height.to_be_bytes(),
            ),
            policies: crate::sim::policies(),
        }
    }

    /// A signed transaction valid for the next ten blocks.
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

    /// Runs one transaction as the next block, committing its writes if it
    /// is accepted.
    pub fn submit(&mut self, tx: &SignedTx) -> Result<(), ContractError> {
        let ctx = self.next_ctx();
        let writes = execute(&self.store, &ctx, tx)?;
        self.commit(Vec::new(), &BlockResults::default(), writes);
        Ok(())
    }

    /// Signs and runs one call as the next block.
    pub fn call(&mut self, signer: &SecretKey, call: Call) -> Result<(), ContractError> {
        let tx = self.tx(signer, call);
        self.submit(&tx)
    }

    /// The error code a call is refused with. Panics if it is accepted.
    pub fn refused(&mut self, signer: &SecretKey, call: Call) -> &'static str {
        match self.call(signer, call) {
            Ok(()) => panic!("call was accepted"),
            Err(error) => error.code(),
        }
    }

    /// Runs a block of transactions as a node does (`execute_block_hashed`,
    /// the keys it found new passed on to the commit) and commits it.
    pub fn run_block(&mut self, txs: Vec<SignedTx>) -> (BlockResults, WriteSet) {
        let (results, writes, _) = self.run_block_with_new_keys(txs);
        (results, writes)
    }

    /// [`World::run_block`], also giving the keys the block found new.
    pub fn run_block_with_new_keys(
        &mut self,
        txs: Vec<SignedTx>,
    ) -> (BlockResults, WriteSet, BTreeSet<Vec<u8>>) {
        let hashes: Vec<Hash> = txs.iter().map(SignedTx::hash).collect();
        let executed = execute_block_hashed(&self.store, &self.next_ctx(), &txs, &hashes)
            .expect("a healthy store has no state faults");
        self.commit_with_new_keys(
            txs,
            &executed.results,
            executed.writes.clone(),
            executed.new_keys.clone(),
        );
        (executed.results, executed.writes, executed.new_keys)
    }

    fn commit(&mut self, txs: Vec<SignedTx>, results: &BlockResults, writes: WriteSet) {
        self.commit_with_new_keys(txs, results, writes, BTreeSet::new());
    }

    fn commit_with_new_keys(
        &mut self,
        txs: Vec<SignedTx>,
        results: &BlockResults,
        writes: WriteSet,
        new_keys: BTreeSet<Vec<u8>>,
    ) {
        let ctx = self.next_ctx();
        let update = self
            .store
            .compute_state_update(writes, ctx.height)
            .unwrap()
            .with_new_keys(new_keys);
        let header = Header {
            chain_id: CHAIN.into(),
            height: ctx.height,
            time_ms: ctx.time_ms,
            prev_hash: Hash::default(),
            history_root: self.store.history_root(ctx.height - 1).unwrap(),
            tx_root: Hash::default(),
            tx_count: txs.len() as u32,
            state_root: update.root,
            results_root: Hash::default(),
            validators_hash: Hash::default(),
            proposer: KeyId::default(),
        };
        let commit = Commit {
            height: ctx.height,
            round: 0,
            block_hash: header.hash(),
            signatures: vec![],
        };
        let block = Block { header, txs };
        self.store
            .commit_block(&block, results, &commit, &update)
            .unwrap();
        self.height = ctx.height;
    }

    pub fn evidence(&self, digest: &Hash) -> EvidenceRecord {
        read::evidence(&self.store, digest)
            .unwrap()
            .expect("evidence is anchored")
    }

    pub fn officer(&self, key: &SecretKey) -> Officer {
        read::officer(&self.store, &id_of(key))
            .unwrap()
            .expect("officer is registered")
    }

    /// Anchors `content` as documentary evidence collected by the market
    /// regulator's two officers, and returns its digest.
    pub fn anchor_market_file(&mut self, content: &[u8]) -> Hash {
        let anchor = self.market_anchor(content);
        let digest = anchor.digest;
        let signer = self.market.officer.clone();
        let call = self.anchor_call(&signer, anchor);
        self.call(&signer, call).unwrap();
        digest
    }

    /// The staff key with id `id`, if it is one of the world's.
    pub fn staff_key(&self, id: &KeyId) -> Option<&SecretKey> {
        [&self.market, &self.police, &self.proc]
            .into_iter()
            .flat_map(|staff| [&staff.admin, &staff.head, &staff.officer, &staff.officer2])
            .find(|key| id_of(key) == *id)
    }

    /// `anchor` co-signed, for a submission by `signer`, by every named
    /// collector other than the signer whose key the world holds.
    pub fn co_signed_anchor(&self, signer: &SecretKey, anchor: EvidenceAnchor) -> EvidenceAnchor {
        let co_signers: Vec<&SecretKey> = anchor
            .collected_by
            .iter()
            .filter(|id| **id != id_of(signer))
            .filter_map(|id| self.staff_key(id))
            .collect();
        co_signed(anchor, signer, &co_signers)
    }

    /// The call anchoring [`World::co_signed_anchor`].
    pub fn anchor_call(&self, signer: &SecretKey, anchor: EvidenceAnchor) -> Call {
        Call::AnchorEvidence(self.co_signed_anchor(signer, anchor))
    }

    /// A valid anchor of `content` by the market regulator's officers.
    pub fn market_anchor(&self, content: &[u8]) -> EvidenceAnchor {
        EvidenceAnchor {
            digest: file_digest(content),
            size: content.len() as u64,
            media_type: "application/pdf".into(),
            category: EvidenceCategory::Documentary,
            case_id: Some("SCJG-2026-001".into()),
            collected_at: GENESIS_TIME_MS / 1000,
            collected_by: vec![id_of(&self.market.officer), id_of(&self.market.officer2)],
            capture_method: "scan".into(),
            capture_tool: "scanner v1".into(),
            provenance_note_digest: None,
            supersedes: None,
            co_signatures: Vec::new(),
        }
    }
}

/// `anchor` with the co-signatures of `co_signers` for a submission by
/// `signer` on the test chain.
pub fn co_signed(
    mut anchor: EvidenceAnchor,
    signer: &SecretKey,
    co_signers: &[&SecretKey],
) -> EvidenceAnchor {
    for key in co_signers {
        anchor.co_sign(CHAIN, &id_of(signer), key);
    }
    anchor
}

/// A custody call.
pub fn custody(digest: Hash, action: CustodyAction, to: Option<&OrgId>) -> Call {
    Call::RecordCustody(RecordCustody {
        digest,
        action,
        to: to.cloned(),
        note_digest: None,
    })
}

fn genesis_for(market: &Staff, police: &Staff, proc: &Staff, params: Params) -> Genesis {
    Genesis {
        chain_id: CHAIN.into(),
        genesis_time_ms: GENESIS_TIME_MS,
        orgs: vec![
            market.genesis_entry(
                "杭州市市场监督管理局",
                OrgKind::AdministrativeAgency,
                "11330100002489543",
                "330100",
            ),
            police.genesis_entry(
                "杭州市公安局",
                OrgKind::Police,
                "11330100002490146",
                "330100",
            ),
            proc.genesis_entry(
                "杭州市人民检察院",
                OrgKind::Procuratorate,
                "11330100002490893",
                "330100",
            ),
        ],
        validators: vec![Validator {
            public_key: key(99).public_key(),
            power: 1,
            org: market.org.clone(),
        }],
        params,
        threshold_rules: xianjie_ledger::supervision::default_threshold_rules(),
    }
}

/// The outcome codes of a block's results (`"ok"` for accepted).
pub fn outcome_codes(results: &BlockResults) -> Vec<String> {
    results
        .0
        .iter()
        .map(|result| match &result.outcome {
            TxOutcome::Ok => "ok".to_owned(),
            TxOutcome::Error { code } => code.clone(),
        })
        .collect()
}
