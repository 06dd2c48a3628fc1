//! Evidence receipts against genuine chains: a real sled `Store`, real state
//! writes, several validator keys signing real commit certificates, and a
//! validator-set change written under `keys::VALIDATORS`.
//!
//! The contracts are not linked here (the store does not depend on them), so
//! the test chain writes what the evidence contract would: the record after
//! the anchor and after each custody event. Everything else — headers, roots,
//! certificates, proofs — is the ledger's own.
//!
//! Corruption vectors: every byte of an encoded receipt flipped, and each
//! field altered with the reason code it must produce.

use std::collections::BTreeMap;

use xianjie_ledger::block::{
    Block, BlockResults, Commit, CommitSignature, Header, TxOutcome, TxResult,
};
use xianjie_ledger::checkpoint::Checkpoint;
use xianjie_ledger::codec::encode;
use xianjie_ledger::crypto::{vote_digest, KeyId, SecretKey, VoteKind};
use xianjie_ledger::genesis::{Genesis, GenesisOfficer, GenesisOrg};
use xianjie_ledger::hash::{file_digest, Hash};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::merkle;
use xianjie_ledger::model::{
    CustodyAction, CustodyEvent, EvidenceAnchor, EvidenceCategory, EvidenceClass, EvidenceRecord,
    Org, OrgKind, OrgLevel, Role,
};
use xianjie_ledger::params::Params;
use xianjie_ledger::receipt::{
    follow_validator_changes, verify_bytes, CertifiedValidatorChange, Receipt, ReceiptError,
    TimestampedCheckpoint, TrustRoot, FILE_HEADER_LEN, MAGIC, RECEIPT_VERSION,
};
use xianjie_ledger::state::{keys, WriteSet};
use xianjie_ledger::timestamps::{TimestampLog, TimestampOrgs, TimestampRecord};
use xianjie_ledger::tx::{Call, RecordCustody, RevokeOfficer, SignedTx, Tx};
use xianjie_ledger::validators::{Validator, ValidatorSet};
use xianjie_store::{receipt, Store};

const CHAIN_ID: &str = "xianjie-receipt-test";
const GENESIS_TIME_MS: u64 = 1_790_000_000_000;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_bytes(&[seed; 32])
}

fn org_id(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

fn org(id: &str, kind: OrgKind) -> Org {
    Org {
        id: org_id(id),
        name: format!("{id} bureau"),
        kind,
        uscc: "91330100MA2H000000".into(),
        region: "330100".into(),
        level: OrgLevel::Prefecture,
    }
}

fn validator(seed: u8, power: u64) -> Validator {
    Validator {
        public_key: key(seed).public_key(),
        power,
        org: org_id("market"),
    }
}

/// The file every test chain anchors.
fn evidence_bytes() -> Vec<u8> {
    b"till records 2026-11-02\n".to_vec()
}

/// A chain under construction: the store, the validator keys, and the
/// evidence record as the evidence contract would have written it.
struct TestChain {
    store: Store,
    genesis: Genesis,
    keys: BTreeMap<KeyId, SecretKey>,
    /// The set stored under `keys::VALIDATORS` after the tip: commits the next block.
    set: ValidatorSet,
    tip_height: u64,
    tip_hash: Hash,
    tip_time_ms: u64,
    record: Option<EvidenceRecord>,
    next_nonce: u64,
}

impl TestChain {
    fn new(validators: Vec<Validator>, seeds: &[u8]) -> TestChain {
        let genesis = Genesis {
            chain_id: CHAIN_ID.into(),
            genesis_time_ms: GENESIS_TIME_MS,
            orgs: vec![
                GenesisOrg {
                    org: org("market", OrgKind::AdministrativeAgency),
                    officers: vec![
                        GenesisOfficer {
                            public_key: market_officer().public_key(),
                            role: Role::Officer,
                        },
                        GenesisOfficer {
                            public_key: market_officer2().public_key(),
                            role: Role::Officer,
                        },
                    ],
                },
                GenesisOrg {
                    org: org("police", OrgKind::Police),
                    officers: vec![GenesisOfficer {
                        public_key: police_officer().public_key(),
                        role: Role::Officer,
                    }],
                },
            ],
            validators,
            params: Params::default(),
            threshold_rules: Vec::new(),
        };
        genesis.validate().unwrap();
        Self::with_trust(genesis.hash(), genesis, seeds)
    }

    fn with_trust(genesis_hash: Hash, genesis: Genesis, seeds: &[u8]) -> TestChain {
        let store = Store::temporary().unwrap();
        let set = genesis.validator_set();
        let mut writes = WriteSet::new();
        writes.insert(keys::VALIDATORS.to_vec(), Some(encode(&set)));
        store.init_genesis(genesis_hash, writes).unwrap();
        TestChain {
            store,
            keys: seeds
                .iter()
                .map(|&s| (key(s).public_key().id(), key(s)))
                .collect(),
            set,
            tip_height: 0,
            tip_hash: genesis_hash,
            tip_time_ms: genesis.genesis_time_ms,
            genesis,
            record: None,
            next_nonce: 1,
        }
    }

    fn trust(&self) -> TrustRoot {
        TrustRoot {
            chain_id: self.genesis.chain_id.clone(),
            genesis_hash: self.tip_hash_at_genesis(),
            validators: self.genesis.validator_set(),
        }
    }

    fn tip_hash_at_genesis(&self) -> Hash {
        self.store.genesis_hash().unwrap().unwrap()
    }

    fn next_height(&self) -> u64 {
        self.tip_height + 1
    }

    fn next_time_ms(&self) -> u64 {
        self.tip_time_ms + 3_000
    }

    fn sign_tx(&mut self, signer: &SecretKey, call: Call) -> SignedTx {
        self.next_nonce += 1;
        Tx {
            chain_id: self.genesis.chain_id.clone(),
            signer: signer.public_key(),
            nonce: self.next_nonce,
            valid_until: 1_000,
            call,
        }
        .sign(signer)
    }

    fn filler(&mut self) -> SignedTx {
        let officer = KeyId([self.next_nonce as u8; 20]);
        self.sign_tx(&key(99), Call::RevokeOfficer(RevokeOfficer { officer }))
    }

    /// Commits a block: header over the real roots, certificate signed by
    /// every validator of the set in force, `new_set` written as the set for
    /// the next block.
    fn commit(&mut self, txs: Vec<SignedTx>, mut writes: WriteSet, new_set: Option<ValidatorSet>) {
        let height = self.next_height();
        let time_ms = self.next_time_ms();
        if let Some(set) = &new_set {
            writes.insert(keys::VALIDATORS.to_vec(), Some(encode(set)));
        }
        if let Some(record) = &self.record {
            if record.height == height || record.custody.last().is_some_and(|e| e.height == height)
            {
                writes.insert(keys::evidence(&record.anchor.digest), Some(encode(record)));
            }
        }
        let update = self.store.compute_state_update(writes, height).unwrap();
        let results = BlockResults(
            txs.iter()
                .map(|tx| TxResult {
                    tx: tx.hash(),
                    outcome: TxOutcome::Ok,
                })
                .collect(),
        );
        let header = Header {
            chain_id: self.genesis.chain_id.clone(),
            height,
            time_ms,
            prev_hash: self.tip_hash,
            history_root: self.store.history_root(height - 1).unwrap(),
            tx_root: merkle::root(&txs.iter().map(SignedTx::hash).collect::<Vec<_>>()),
            tx_count: txs.len() as u32,
            state_root: update.root,
            results_root: results.root(),
            validators_hash: self.set.hash(),
            proposer: self
                .set
                .validators
                .first()
                .map(|v| v.public_key.id())
                .unwrap_or_default(),
        };
        let commit = self.sign_commit(&header);
        if !self.set.validators.is_empty() {
            commit.verify(&header, &self.set).unwrap();
        }
        self.tip_hash = header.hash();
        self.tip_height = height;
        self.tip_time_ms = time_ms;
        self.store
            .commit_block(&Block { header, txs }, &results, &commit, &update)
            .unwrap();
        if let Some(set) = new_set {
            self.set = set;
        }
    }

    fn sign_commit(&self, header: &Header) -> Commit {
        let block_hash = header.hash();
        let digest = vote_digest(
            &header.chain_id,
            header.height,
            0,
            VoteKind::Precommit,
            Some(&block_hash),
        );
        Commit {
            height: header.height,
            round: 0,
            block_hash,
            signatures: self
                .set
                .validators
                .iter()
                .map(|v| {
                    let id = v.public_key.id();
                    CommitSignature {
                        validator: id,
                        signature: self.keys[&id].sign(&digest.0),
                    }
                })
                .collect(),
        }
    }

    /// A block with `before` filler transactions, the anchor, and `after` more.
    fn anchor_block(&mut self, before: usize, after: usize) {
        self.anchor_block_with(before, after, |_| {});
    }

    /// [`TestChain::anchor_block`] with the co-signed anchor changed by
    /// `edit` before it is signed and stored, as a faulty contract would
    /// have let it through.
    fn anchor_block_with(
        &mut self,
        before: usize,
        after: usize,
        edit: impl FnOnce(&mut EvidenceAnchor),
    ) {
        let bytes = evidence_bytes();
        let signer = market_officer().public_key().id();
        let mut anchor = EvidenceAnchor {
            digest: file_digest(&bytes),
            size: bytes.len() as u64,
            media_type: "text/csv".into(),
            category: EvidenceCategory::Documentary,
            case_id: Some("HZ-SC-2026-001".into()),
            collected_at: GENESIS_TIME_MS / 1000,
            collected_by: vec![signer, market_officer2().public_key().id()],
            capture_method: "file".into(),
            capture_tool: "xianjie 0.1.0".into(),
            provenance_note_digest: None,
            supersedes: None,
            co_signatures: Vec::new(),
        };
        let chain_id = self.genesis.chain_id.clone();
        anchor.co_sign(&chain_id, &signer, &market_officer2());
        edit(&mut anchor);
        let mut txs: Vec<SignedTx> = (0..before).map(|_| self.filler()).collect();
        let tx = self.sign_tx(&market_officer(), Call::AnchorEvidence(anchor.clone()));
        self.record = Some(EvidenceRecord {
            anchor,
            class: EvidenceClass::DirectUse,
            org: org_id("market"),
            anchored_by: market_officer().public_key().id(),
            height: self.next_height(),
            time_ms: self.next_time_ms(),
            tx: tx.hash(),
            holder: org_id("market"),
            pending_transfer: None,
            custody: vec![],
            superseded_by: None,
            destroyed: false,
        });
        txs.push(tx);
        txs.extend((0..after).map(|_| self.filler()));
        self.commit(txs, WriteSet::new(), None);
    }

    /// A block with one filler and a custody event, as the contract records it.
    fn custody_block(&mut self, officer: &SecretKey, action: CustodyAction, to: Option<&str>) {
        let mut record = self.record.clone().unwrap();
        let call = RecordCustody {
            digest: record.anchor.digest,
            action,
            to: to.map(org_id),
            note_digest: None,
        };
        let filler = self.filler();
        let tx = self.sign_tx(officer, Call::RecordCustody(call));
        let org = if action == CustodyAction::Receive {
            org_id("police")
        } else {
            record.holder.clone()
        };
        record.custody.push(CustodyEvent {
            action,
            org: org.clone(),
            officer: officer.public_key().id(),
            to: to.map(org_id),
            note_digest: None,
            height: self.next_height(),
            time_ms: self.next_time_ms(),
            tx: tx.hash(),
        });
        match action {
            CustodyAction::Transfer => record.pending_transfer = to.map(org_id),
            CustodyAction::Receive => {
                record.holder = org;
                record.pending_transfer = None;
            }
            _ => {}
        }
        self.record = Some(record);
        self.commit(vec![filler, tx], WriteSet::new(), None);
    }

    fn empty_block(&mut self, new_set: Option<ValidatorSet>) {
        let filler = self.filler();
        self.commit(vec![filler], WriteSet::new(), new_set);
    }

    fn receipt(&self) -> Receipt {
        let digest = self.record.as_ref().unwrap().anchor.digest;
        receipt::build(&self.store, &digest, self.tip_height)
            .unwrap()
            .unwrap()
    }
}

fn market_officer() -> SecretKey {
    key(50)
}

fn police_officer() -> SecretKey {
    key(51)
}

/// The market regulator's second collector, who co-signs every anchor.
fn market_officer2() -> SecretKey {
    key(52)
}

/// Set A (genesis): four validators of power 1.
fn set_a() -> Vec<Validator> {
    (10..14).map(|seed| validator(seed, 1)).collect()
}

/// Set B: two of A's validators and two new ones, unequal powers (total 7).
fn set_b() -> ValidatorSet {
    ValidatorSet::new(vec![
        validator(12, 1),
        validator(13, 1),
        validator(20, 2),
        validator(21, 3),
    ])
}

/// Blocks: 1 anchor (index 2 of 5), 2 filler, 3 writes set B, 4 transfer
/// (committed by B), 5 filler, 6 receive, 7 filler. Receipt at 7 carries
/// headers 1, 3, 4, 6, 7 and the change at 3.
fn chain_with_change() -> TestChain {
    let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13, 20, 21]);
    chain.anchor_block(2, 2);
    chain.empty_block(None);
    chain.empty_block(Some(set_b()));
    chain.custody_block(&market_officer(), CustodyAction::Transfer, Some("police"));
    chain.empty_block(None);
    chain.custody_block(&police_officer(), CustodyAction::Receive, None);
    chain.empty_block(None);
    chain
}

fn code_of(result: Result<impl std::fmt::Debug, ReceiptError>) -> &'static str {
    match result {
        Ok(value) => panic!("expected a rejection, got {value:?}"),
        Err(error) => error.code(),
    }
}

fn header_index(receipt: &Receipt, height: u64) -> usize {
    receipt
        .headers
        .iter()
        .position(|c| c.header.height == height)
        .unwrap()
}

#[test]
fn a_receipt_spanning_a_validator_set_change_verifies_and_names_everything() {
    let chain = chain_with_change();
    let receipt = chain.receipt();
    let heights: Vec<u64> = receipt.headers.iter().map(|c| c.header.height).collect();
    assert_eq!(heights, vec![1, 3, 4, 6, 7]);
    assert_eq!(receipt.validator_changes.len(), 1);
    assert_eq!(receipt.validator_changes[0].height, 3);
    assert_eq!(receipt.validator_changes[0].validators, set_b());
    assert_eq!(receipt.anchor.inclusion.leaf_index, 2);
    assert_eq!(receipt.anchor.inclusion.tree_size, 5);

    let bytes = receipt.to_bytes();
    assert_eq!(&bytes[..6], b"XJRCPT");
    assert_eq!(bytes[6], RECEIPT_VERSION);
    assert_eq!(Receipt::from_bytes(&bytes).unwrap(), receipt);

    let file = file_digest(&evidence_bytes());
    let facts = verify_bytes(&bytes, &chain.genesis, Some(&file)).unwrap();
    assert_eq!(facts.chain_id, CHAIN_ID);
    assert_eq!(facts.genesis_hash, chain.genesis.hash());
    assert_eq!(facts.digest, file);
    assert!(facts.file_checked);
    assert_eq!(facts.height, 7);
    assert_eq!(facts.org, org_id("market"));
    assert_eq!(facts.officer, market_officer().public_key().id());
    assert_eq!(
        facts.signed_by,
        vec![
            market_officer().public_key().id(),
            market_officer2().public_key().id()
        ],
        "the receipt names both collectors as signers"
    );
    assert_eq!(facts.anchor_height, 1);
    assert_eq!(facts.anchor_time_ms, GENESIS_TIME_MS + 3_000);
    assert_eq!(facts.class, EvidenceClass::DirectUse);
    assert_eq!(facts.category, EvidenceCategory::Documentary);
    assert_eq!(facts.case_id.as_deref(), Some("HZ-SC-2026-001"));
    assert_eq!(facts.validator_changes, vec![3]);
    assert_eq!(facts.certified_headers, 5);
    let custody: Vec<(CustodyAction, &str, u64)> = facts
        .custody
        .iter()
        .map(|e| (e.action, e.org.as_str(), e.height))
        .collect();
    assert_eq!(
        custody,
        vec![
            (CustodyAction::Transfer, "market", 4),
            (CustodyAction::Receive, "police", 6)
        ]
    );
    assert_eq!(facts.record.holder, org_id("police"));

    // Without the file, the receipt alone still verifies.
    let facts = receipt.verify(&chain.genesis, None).unwrap();
    assert!(!facts.file_checked);
    // The trust root is all the verifier takes from the genesis.
    receipt
        .verify_with(&TrustRoot::from_genesis(&chain.genesis), None)
        .unwrap();
}

#[test]
fn receipts_at_earlier_heights_carry_only_the_changes_before_them() {
    let chain = chain_with_change();
    let digest = file_digest(&evidence_bytes());
    // At height 3 the change after block 3 commits nothing yet.
    let early = receipt::build(&chain.store, &digest, 3).unwrap().unwrap();
    assert!(early.validator_changes.is_empty());
    assert_eq!(early.custody.len(), 0);
    early.verify(&chain.genesis, Some(&digest)).unwrap();
    // At height 4 it does: header 4 is signed by set B.
    let after = receipt::build(&chain.store, &digest, 4).unwrap().unwrap();
    assert_eq!(after.validator_changes.len(), 1);
    assert_eq!(after.custody.len(), 1);
    after.verify(&chain.genesis, Some(&digest)).unwrap();
    // Nothing is anchored under another digest, nor before block 1.
    assert!(receipt::build(&chain.store, &Hash([7; 32]), 7)
        .unwrap()
        .is_none());
    assert!(receipt::build(&chain.store, &digest, 0).unwrap().is_none());
}

/// A witness that trusts the genesis set follows the proven change to the
/// set that certifies a later header, and refuses a change that is not
/// certified, not proven, out of order or left out.
#[test]
fn a_validator_change_is_followed_only_when_certified_and_proven() {
    let chain = chain_with_change();
    let genesis_set = chain.genesis.validator_set();
    let changes: Vec<CertifiedValidatorChange> =
        receipt::certified_validator_changes(&chain.store, 0, 7)
            .unwrap()
            .into_iter()
            .map(|(certified, change)| CertifiedValidatorChange { certified, change })
            .collect();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].change.height, 3);
    assert_eq!(
        follow_validator_changes(CHAIN_ID, &genesis_set, 0, &changes),
        Ok(set_b())
    );
    // Ranges that do not hold the change, and one that starts at its block.
    assert!(receipt::certified_validator_changes(&chain.store, 0, 3)
        .unwrap()
        .is_empty());
    assert!(receipt::certified_validator_changes(&chain.store, 4, 7)
        .unwrap()
        .is_empty());
    assert_eq!(
        receipt::certified_validator_changes(&chain.store, 3, 4)
            .unwrap()
            .len(),
        1
    );

    let refused = |changes: &[CertifiedValidatorChange], from: u64| {
        follow_validator_changes(CHAIN_ID, &genesis_set, from, changes).unwrap_err()
    };
    // The new set already trusted: its header is certified by another set.
    let again = follow_validator_changes(CHAIN_ID, &set_b(), 0, &changes).unwrap_err();
    assert!(
        again.contains("not committed by the validator set in force"),
        "{again}"
    );
    // A header of another chain, though certified by the same keys.
    let foreign = follow_validator_changes("another-chain", &genesis_set, 0, &changes).unwrap_err();
    assert!(
        foreign.contains(&format!("of chain `{CHAIN_ID}`, not `another-chain`")),
        "{foreign}"
    );
    // Before the range the caller trusts.
    assert!(refused(&changes, 4).contains("out of order"));
    let mut twice = changes.clone();
    twice.push(changes[0].clone());
    assert!(refused(&twice, 0).contains("out of order"));
    // Another set than the one the state holds.
    let mut unproven = changes.clone();
    unproven[0].change.validators = ValidatorSet::new(vec![validator(30, 1)]);
    assert!(
        refused(&unproven, 0).contains("not proven"),
        "{}",
        refused(&unproven, 0)
    );
    // A certificate that does not hold for the header.
    let mut uncertified = changes.clone();
    uncertified[0].certified.commit.signatures.truncate(1);
    assert!(
        refused(&uncertified, 0).starts_with("header 3:"),
        "{}",
        refused(&uncertified, 0)
    );
}

/// The checkpoint of this chain over the first `size` headers, as header
/// `size + 1` states it.
fn checkpoint_at(chain: &TestChain, size: u64) -> Checkpoint {
    let header = chain.store.header(size + 1).unwrap().unwrap();
    Checkpoint {
        origin: Checkpoint::origin_for(CHAIN_ID, &chain.tip_hash_at_genesis()),
        size,
        root: header.history_root,
        block_height: size + 1,
        block_hash: header.hash(),
        time_ms: header.time_ms,
    }
}

/// A recorded token of `org` over `checkpoint` (the token's bytes are not
/// the builder's business: a verifier checks them with a TSA certificate).
fn stamped_record(org: &str, seq: u64, checkpoint: &Checkpoint) -> TimestampRecord {
    TimestampRecord {
        seq,
        size: checkpoint.size,
        checkpoint: checkpoint.to_body(),
        token: vec![0x30, seq as u8],
        org: org_id(org),
        officer: KeyId([1; 20]),
        height: 8,
        time_ms: 0,
        tx: Hash([seq as u8; 32]),
    }
}

/// The builder carries, from each organisation's log, the first token that
/// covers the anchor and whose checkpoint this store's header states,
/// skipping one that states another root.
#[test]
fn a_receipt_carries_each_organisations_first_stated_token() {
    let mut chain = chain_with_change();
    let good_six = checkpoint_at(&chain, 6);
    let good_five = checkpoint_at(&chain, 5);
    let forged_five = Checkpoint {
        root: Hash([0xee; 32]),
        ..good_five.clone()
    };
    let mut writes = WriteSet::new();
    let mut put = |key: Vec<u8>, value: Vec<u8>| writes.insert(key, Some(value));
    put(
        keys::TIMESTAMP_ORGS.to_vec(),
        encode(&TimestampOrgs(vec![org_id("court"), org_id("lab")])),
    );
    let court = org_id("court");
    let lab = org_id("lab");
    put(
        keys::timestamp_log(&court),
        encode(&TimestampLog {
            count: 2,
            last_size: 6,
        }),
    );
    put(
        keys::timestamp(&court, 0),
        encode(&stamped_record("court", 0, &forged_five)),
    );
    put(
        keys::timestamp(&court, 1),
        encode(&stamped_record("court", 1, &good_six)),
    );
    put(
        keys::timestamp_log(&lab),
        encode(&TimestampLog {
            count: 1,
            last_size: 5,
        }),
    );
    put(
        keys::timestamp(&lab, 0),
        encode(&stamped_record("lab", 0, &good_five)),
    );
    chain.commit(Vec::new(), writes, None);
    let receipt = chain.receipt();
    let bodies: Vec<&str> = receipt
        .timestamped
        .iter()
        .map(|t| t.checkpoint.as_str())
        .collect();
    assert_eq!(bodies, [good_six.to_body(), good_five.to_body()]);
    let facts = receipt.verify_with(&chain.trust(), None).unwrap();
    let sizes: Vec<u64> = facts
        .timestamped
        .iter()
        .map(|t| t.checkpoint.size)
        .collect();
    assert_eq!(sizes, [6, 5]);
}

/// A timestamped checkpoint holds only if it names this chain and proves
/// the anchor's header in the history it states; the token itself is left
/// to a TSA certificate (`xianjie verify --tsa-cert`), so the ledger hands
/// it over with the imprint it must carry.
#[test]
fn a_timestamped_checkpoint_must_state_a_history_holding_the_anchor() {
    let chain = chain_with_change();
    let mut receipt = chain.receipt();
    let anchor_height = receipt.record.height;
    let checkpoint_of = |size: u64, origin: String| Checkpoint {
        origin,
        ..checkpoint_at(&chain, size)
    };
    let origin = Checkpoint::origin_for(CHAIN_ID, &chain.tip_hash_at_genesis());
    let body = checkpoint_of(5, origin.clone()).to_body();
    let stamped = TimestampedCheckpoint {
        checkpoint: body.clone(),
        token: vec![0x30, 0x00],
        anchor_inclusion: chain
            .store
            .history_inclusion(anchor_height, 5)
            .unwrap()
            .unwrap(),
    };
    receipt.timestamped = vec![stamped.clone()];
    let facts = receipt.verify_with(&chain.trust(), None).unwrap();
    assert_eq!(facts.timestamped.len(), 1);
    assert_eq!(facts.timestamped[0].checkpoint.size, 5);
    assert_eq!(facts.timestamped[0].token, [0x30, 0x00]);
    assert_eq!(
        facts.timestamped[0].imprint,
        xianjie_ledger::timestamps::imprint_of(&body)
    );

    type Tamper<'a> = Box<dyn Fn(&mut TimestampedCheckpoint) + 'a>;
    let tampered: Vec<(&str, Tamper)> = vec![
        (
            "another chain's origin",
            Box::new(|t| {
                t.checkpoint =
                    checkpoint_of(5, Checkpoint::origin_for("other", &Hash([1; 32]))).to_body();
            }),
        ),
        (
            "another leaf",
            Box::new(|t| t.anchor_inclusion.leaf_index += 1),
        ),
        (
            "another size",
            Box::new(|t| t.anchor_inclusion.tree_size -= 1),
        ),
        (
            "a flipped path hash",
            Box::new(|t| t.anchor_inclusion.path[0].0[0] ^= 1),
        ),
        (
            "another history",
            Box::new(|t| {
                t.checkpoint = checkpoint_of(6, origin.clone()).to_body();
            }),
        ),
        ("no body", Box::new(|t| t.checkpoint.clear())),
    ];
    for (what, tamper) in tampered {
        let mut changed = receipt.clone();
        tamper(&mut changed.timestamped[0]);
        assert_eq!(
            code_of(changed.verify_with(&chain.trust(), None)),
            "timestamped_checkpoint_invalid",
            "{what}"
        );
    }
}

#[test]
fn a_single_validator_chain_without_custody_verifies() {
    let mut chain = TestChain::new(vec![validator(1, 10)], &[1]);
    chain.anchor_block(0, 0);
    let receipt = chain.receipt();
    assert_eq!(receipt.headers.len(), 1);
    assert!(receipt.validator_changes.is_empty());
    assert!(receipt.custody.is_empty());
    assert!(receipt.anchor.inclusion.path.is_empty());
    receipt
        .verify(&chain.genesis, Some(&file_digest(&evidence_bytes())))
        .unwrap();
}

#[test]
fn a_receipt_with_ten_custody_events_on_four_validators_stays_small() {
    // docs/receipt.md §12 says "around 10 KB"; keep the estimate honest.
    let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13]);
    chain.anchor_block(3, 3);
    for _ in 0..5 {
        chain.custody_block(&market_officer(), CustodyAction::Transfer, Some("police"));
        chain.custody_block(&police_officer(), CustodyAction::Cancel, None);
    }
    let receipt = chain.receipt();
    assert_eq!(receipt.custody.len(), 10);
    let bytes = receipt.to_bytes();
    assert!(
        (5_000..15_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );
    verify_bytes(&bytes, &chain.genesis, None).unwrap();
}

#[test]
fn flipping_any_byte_of_an_encoded_receipt_is_rejected() {
    let chain = chain_with_change();
    let bytes = chain.receipt().to_bytes();
    let file = file_digest(&evidence_bytes());
    verify_bytes(&bytes, &chain.genesis, Some(&file)).unwrap();
    let mut accepted = Vec::new();
    for index in 0..bytes.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = bytes.clone();
            bad[index] ^= mask;
            if verify_bytes(&bad, &chain.genesis, Some(&file)).is_ok() {
                accepted.push((index, mask));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "{} flips of {} bytes still verify: {accepted:?}",
        accepted.len(),
        bytes.len()
    );
    // Truncations and trailing bytes too.
    for len in [0, 3, 6, 7, bytes.len() / 2, bytes.len() - 1] {
        assert!(verify_bytes(&bytes[..len], &chain.genesis, None).is_err());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        code_of(verify_bytes(&longer, &chain.genesis, None)),
        "malformed"
    );
}

#[test]
fn the_file_envelope_has_magic_version_and_a_canonical_body() {
    let chain = chain_with_change();
    let bytes = chain.receipt().to_bytes();
    let mut bad = bytes.clone();
    bad[0] = b'Y';
    assert_eq!(code_of(Receipt::from_bytes(&bad)), "bad_magic");
    assert_eq!(code_of(Receipt::from_bytes(b"XJR")), "bad_magic");
    let mut bad = bytes.clone();
    bad[6] = RECEIPT_VERSION + 1;
    assert_eq!(code_of(Receipt::from_bytes(&bad)), "unsupported_version");
    assert_eq!(code_of(Receipt::from_bytes(&MAGIC)), "malformed");
    // The codec's own version byte follows the file header.
    let mut bad = bytes.clone();
    bad[FILE_HEADER_LEN] = 9;
    assert_eq!(code_of(Receipt::from_bytes(&bad)), "malformed");
}

/// Each field of the receipt altered: rejected with the reason it names.
#[test]
fn each_altered_field_is_rejected_with_its_reason_code() {
    let chain = chain_with_change();
    let good = chain.receipt();
    let genesis = &chain.genesis;
    let file = file_digest(&evidence_bytes());
    good.verify(genesis, Some(&file)).unwrap();

    type Mutation = Box<dyn Fn(&mut Receipt)>;
    let h4 = header_index(&good, 4);
    let cases: Vec<(&str, &str, Mutation)> = vec![
        // The receipt's own fields.
        (
            "chain id",
            "chain_id_mismatch",
            Box::new(|r| r.chain_id.push('x')),
        ),
        (
            "genesis hash",
            "genesis_mismatch",
            Box::new(|r| r.genesis_hash.0[0] ^= 1),
        ),
        (
            "digest",
            "digest_mismatch",
            Box::new(|r| r.digest.0[5] ^= 1),
        ),
        (
            "height lower",
            "unexpected_header",
            Box::new(|r| r.height -= 1),
        ),
        (
            "height higher",
            "missing_header",
            Box::new(|r| r.height += 1),
        ),
        // Header fields: the certificate no longer fits, or names another set.
        (
            "header chain id",
            "chain_id_mismatch",
            Box::new(move |r| r.headers[h4].header.chain_id = "other".into()),
        ),
        (
            "header height",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.height = 5),
        ),
        (
            "header time",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.time_ms += 1),
        ),
        (
            "header prev hash",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.prev_hash.0[0] ^= 1),
        ),
        (
            "header tx root",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.tx_root.0[0] ^= 1),
        ),
        (
            "header tx count",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.tx_count += 1),
        ),
        (
            "header state root",
            "commit_mismatch",
            Box::new(|r| r.headers.last_mut().unwrap().header.state_root.0[0] ^= 1),
        ),
        (
            "header results root",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.results_root.0[0] ^= 1),
        ),
        (
            "header validators hash",
            "validator_set_mismatch",
            Box::new(move |r| r.headers[h4].header.validators_hash.0[0] ^= 1),
        ),
        (
            "header proposer",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].header.proposer.0[0] ^= 1),
        ),
        (
            "block 1 prev hash",
            "commit_mismatch",
            Box::new(|r| r.headers[0].header.prev_hash.0[0] ^= 1),
        ),
        // Commit certificates.
        (
            "commit height",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].commit.height += 1),
        ),
        (
            "commit block hash",
            "commit_mismatch",
            Box::new(move |r| r.headers[h4].commit.block_hash.0[0] ^= 1),
        ),
        (
            "commit round",
            "bad_commit_signature",
            Box::new(move |r| r.headers[h4].commit.round += 1),
        ),
        (
            "commit signature",
            "bad_commit_signature",
            Box::new(move |r| r.headers[h4].commit.signatures[1].signature.0[0] ^= 1),
        ),
        (
            "commit signer",
            "unknown_signer",
            Box::new(move |r| r.headers[h4].commit.signatures[0].validator.0[0] ^= 1),
        ),
        (
            "commit signer twice",
            "unknown_signer",
            Box::new(move |r| {
                let first = r.headers[h4].commit.signatures[0].clone();
                r.headers[h4].commit.signatures.push(first);
            }),
        ),
        (
            "commit signatures dropped",
            "insufficient_power",
            Box::new(|r| r.headers[0].commit.signatures.truncate(2)),
        ),
        // Header list shape.
        (
            "block 1 header removed",
            "missing_header",
            Box::new(|r| {
                r.headers.remove(0);
            }),
        ),
        (
            "custody block header removed",
            "missing_header",
            Box::new(move |r| {
                r.headers.remove(h4);
            }),
        ),
        (
            "change block header removed",
            "missing_header",
            Box::new(|r| {
                r.headers.remove(1);
            }),
        ),
        (
            "headers swapped",
            "unexpected_header",
            Box::new(|r| r.headers.swap(1, 2)),
        ),
        (
            "header repeated",
            "unexpected_header",
            Box::new(|r| {
                let h = r.headers[0].clone();
                r.headers.insert(0, h);
            }),
        ),
        // Validator-set changes.
        (
            "change removed",
            "validator_set_mismatch",
            Box::new(|r| {
                r.validator_changes.clear();
            }),
        ),
        (
            "change set forged",
            "validator_change_proof_invalid",
            Box::new(|r| {
                r.validator_changes[0].validators = ValidatorSet::new(vec![validator(66, 1)]);
            }),
        ),
        (
            "change power altered",
            "validator_change_proof_invalid",
            Box::new(|r| r.validator_changes[0].validators.validators[0].power += 1),
        ),
        (
            "change proof of another key",
            "validator_change_proof_invalid",
            Box::new(|r| r.validator_changes[0].proof = r.record_proof.clone()),
        ),
        (
            "change height",
            "missing_header",
            Box::new(|r| r.validator_changes[0].height = 2),
        ),
        (
            "change at the receipt height",
            "unexpected_validator_change",
            Box::new(|r| r.validator_changes[0].height = 7),
        ),
        (
            "change repeated",
            "unexpected_validator_change",
            Box::new(|r| {
                let c = r.validator_changes[0].clone();
                r.validator_changes.push(c);
            }),
        ),
        // The record and its proof.
        (
            "record class",
            "record_proof_invalid",
            Box::new(|r| r.record.class = EvidenceClass::Recollect),
        ),
        (
            "record org",
            "record_proof_invalid",
            Box::new(|r| r.record.org = org_id("court")),
        ),
        (
            "record holder",
            "record_proof_invalid",
            Box::new(|r| r.record.holder = org_id("market")),
        ),
        (
            "record custody org",
            "record_proof_invalid",
            Box::new(|r| r.record.custody[0].org = org_id("court")),
        ),
        (
            "record time",
            "record_proof_invalid",
            Box::new(|r| r.record.time_ms += 1),
        ),
        (
            "record case",
            "record_proof_invalid",
            Box::new(|r| r.record.anchor.case_id = None),
        ),
        (
            "record digest",
            "digest_mismatch",
            Box::new(|r| r.record.anchor.digest.0[0] ^= 1),
        ),
        (
            "record custody dropped",
            "record_proof_invalid",
            Box::new(|r| {
                r.record.custody.pop();
            }),
        ),
        (
            "record proof",
            "record_proof_invalid",
            Box::new(|r| r.record_proof = r.validator_changes[0].proof.clone()),
        ),
        // Transactions.
        (
            "anchor tx body",
            "tx_mismatch",
            Box::new(|r| r.anchor.tx.tx.nonce += 1),
        ),
        (
            "anchor tx signature",
            "tx_signature_invalid",
            Box::new(|r| r.anchor.tx.signature.0[3] ^= 1),
        ),
        (
            "anchor inclusion path",
            "inclusion_proof_invalid",
            Box::new(|r| r.anchor.inclusion.path[0].0[0] ^= 1),
        ),
        (
            "anchor inclusion index",
            "inclusion_proof_invalid",
            Box::new(|r| r.anchor.inclusion.leaf_index = 3),
        ),
        (
            "anchor inclusion size",
            "inclusion_proof_invalid",
            Box::new(|r| r.anchor.inclusion.tree_size = 6),
        ),
        (
            "anchor inclusion path short",
            "inclusion_proof_invalid",
            Box::new(|r| {
                r.anchor.inclusion.path.pop();
            }),
        ),
        (
            "custody tx body",
            "tx_mismatch",
            Box::new(|r| r.custody[1].tx.tx.valid_until += 1),
        ),
        (
            "custody tx signature",
            "tx_signature_invalid",
            Box::new(|r| r.custody[0].tx.signature.0[0] ^= 1),
        ),
        (
            "custody inclusion path",
            "inclusion_proof_invalid",
            Box::new(|r| r.custody[1].inclusion.path[0].0[31] ^= 1),
        ),
        (
            "custody txs swapped",
            "tx_mismatch",
            Box::new(|r| r.custody.swap(0, 1)),
        ),
        (
            "custody tx removed",
            "custody_count_mismatch",
            Box::new(|r| {
                r.custody.pop();
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (name, expected, mutate) in &cases {
        let mut receipt = good.clone();
        mutate(&mut receipt);
        assert_ne!(receipt, good, "{name}: the mutation changed nothing");
        let got = match receipt.verify(genesis, Some(&file)) {
            Ok(_) => "accepted",
            Err(error) => error.code(),
        };
        if got != *expected {
            failures.push(format!("{name}: expected {expected}, got {got}"));
        }
        // The same alteration, through the bytes, is rejected as well.
        assert!(verify_bytes(&receipt.to_bytes(), genesis, Some(&file)).is_err());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn another_chains_genesis_or_a_changed_file_is_rejected() {
    let chain = chain_with_change();
    let receipt = chain.receipt();
    // Same chain id, other genesis (another dev chain): its hash differs.
    let mut other = chain.genesis.clone();
    other.genesis_time_ms += 1;
    assert_eq!(code_of(receipt.verify(&other, None)), "genesis_mismatch");
    // Another chain id.
    let mut other = chain.genesis.clone();
    other.chain_id = "xianjie-other".into();
    assert_eq!(code_of(receipt.verify(&other, None)), "chain_id_mismatch");
    // A trust root with the right genesis hash but other validators.
    let mut trust = TrustRoot::from_genesis(&chain.genesis);
    trust.validators = ValidatorSet::new(vec![validator(77, 1)]);
    assert_eq!(
        code_of(receipt.verify_with(&trust, None)),
        "validator_set_mismatch"
    );
    // A file that differs in one byte.
    let mut changed = evidence_bytes();
    changed[5] ^= 1;
    let error = receipt
        .verify(&chain.genesis, Some(&file_digest(&changed)))
        .unwrap_err();
    assert_eq!(error.code(), "file_mismatch");
    assert!(error.to_string().contains("changed"));
    assert!(error.message_zh().contains("改动"));
}

#[test]
fn a_certificate_signed_by_at_most_two_thirds_of_the_power_is_rejected() {
    // Set B has powers 1, 1, 2, 3 (total 7): signatures of 1 + 1 + 2 = 4
    // are 3 of 4 validators but 4 of 7 power.
    let chain = chain_with_change();
    let good = chain.receipt();
    let h6 = header_index(&good, 6);
    let power_of = |id: &KeyId| set_b().get(id).unwrap().power;
    let mut receipt = good.clone();
    receipt.headers[h6]
        .commit
        .signatures
        .retain(|s| power_of(&s.validator) < 3);
    assert_eq!(receipt.headers[h6].commit.signatures.len(), 3);
    let error = receipt.verify(&chain.genesis, None).unwrap_err();
    assert_eq!(
        error,
        ReceiptError::InsufficientPower {
            height: 6,
            signed: 4,
            total: 7
        }
    );
    // 5 of 7 (> 2/3) is enough: drop one power-2 … keep the power-3 one.
    let mut receipt = good.clone();
    receipt.headers[h6]
        .commit
        .signatures
        .retain(|s| power_of(&s.validator) != 2);
    receipt.verify(&chain.genesis, None).unwrap();

    // Exactly two thirds is not more than two thirds: three validators of power 1, two sign.
    let mut chain = TestChain::new((30..33).map(|s| validator(s, 1)).collect(), &[30, 31, 32]);
    chain.anchor_block(1, 0);
    let mut receipt = chain.receipt();
    receipt.headers[0].commit.signatures.truncate(2);
    assert_eq!(
        code_of(receipt.verify(&chain.genesis, None)),
        "insufficient_power"
    );
}

#[test]
fn a_change_forged_by_new_keys_is_rejected_even_with_consistent_headers() {
    // The forger replaces set B by its own set C and re-signs every header
    // after the change with C, so headers and certificates are consistent
    // with C; only the proof of the change can tell, and it does.
    let chain = chain_with_change();
    let mut receipt = chain.receipt();
    let forger = ValidatorSet::new(vec![validator(88, 1)]);
    receipt.validator_changes[0].validators = forger.clone();
    for certified in receipt.headers.iter_mut().filter(|c| c.header.height > 3) {
        certified.header.validators_hash = forger.hash();
        let block_hash = certified.header.hash();
        let digest = vote_digest(
            CHAIN_ID,
            certified.header.height,
            0,
            VoteKind::Precommit,
            Some(&block_hash),
        );
        certified.commit = Commit {
            height: certified.header.height,
            round: 0,
            block_hash,
            signatures: vec![CommitSignature {
                validator: key(88).public_key().id(),
                signature: key(88).sign(&digest.0),
            }],
        };
    }
    assert_eq!(
        code_of(receipt.verify(&chain.genesis, None)),
        "validator_change_proof_invalid"
    );
    // Without the change at all, header 4 names a set not in force.
    receipt.validator_changes.clear();
    assert_eq!(
        code_of(receipt.verify(&chain.genesis, None)),
        "validator_set_mismatch"
    );
}

#[test]
fn headers_the_receipt_does_not_need_are_rejected() {
    let chain = chain_with_change();
    let mut receipt = chain.receipt();
    // Block 2 is genuine and certified, but nothing in the receipt needs it.
    let extra = xianjie_ledger::receipt::CertifiedHeader {
        header: chain.store.header(2).unwrap().unwrap(),
        commit: chain.store.commit(2).unwrap().unwrap(),
    };
    receipt.headers.insert(1, extra);
    let error = receipt.verify(&chain.genesis, None).unwrap_err();
    assert_eq!(error, ReceiptError::UnexpectedHeader { height: 2 });
}

/// Chains whose state disagrees with their blocks (a faulty contract) give
/// receipts whose proofs verify but whose facts do not line up.
#[test]
fn inconsistent_records_are_named() {
    // The record's anchor time differs from its block's time.
    let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13]);
    chain.anchor_block(0, 1);
    let mut record = chain.record.clone().unwrap();
    record.time_ms += 1;
    chain.record = Some(record.clone());
    rewrite_record(&mut chain, &record);
    assert_eq!(
        code_of(chain.receipt().verify(&chain.genesis, None)),
        "time_mismatch"
    );

    // The record names another officer than the anchor's signer.
    let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13]);
    chain.anchor_block(0, 1);
    let mut record = chain.record.clone().unwrap();
    record.anchored_by = police_officer().public_key().id();
    rewrite_record(&mut chain, &record);
    assert_eq!(
        code_of(chain.receipt().verify(&chain.genesis, None)),
        "tx_content_mismatch"
    );

    // A set with no power is written as a change: proven, but unusable.
    let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13]);
    chain.anchor_block(0, 0);
    chain.empty_block(Some(ValidatorSet::default()));
    chain.empty_block(None);
    assert_eq!(
        code_of(chain.receipt().verify(&chain.genesis, None)),
        "invalid_validator_set"
    );
}

#[test]
fn co_signatures_are_checked_by_the_receipt_verifier() {
    let refused = |edit: &dyn Fn(&mut EvidenceAnchor)| {
        let mut chain = TestChain::new(set_a(), &[10, 11, 12, 13]);
        chain.anchor_block_with(0, 1, edit);
        code_of(chain.receipt().verify(&chain.genesis, None))
    };
    // A co-signature that does not verify.
    assert_eq!(
        refused(&|anchor| anchor.co_signatures[0].signature.0[3] ^= 1),
        "co_signature_invalid"
    );
    // A co-signature over other content (the anchor changed afterwards).
    assert_eq!(
        refused(&|anchor| anchor.capture_tool = "another tool".into()),
        "co_signature_invalid"
    );
    // A co-signature by an officer not named as collector.
    assert_eq!(
        refused(&|anchor| {
            let stranger = police_officer().public_key().id();
            anchor.collected_by[1] = stranger;
            anchor.co_signatures.clear();
            anchor.co_sign(
                CHAIN_ID,
                &market_officer().public_key().id(),
                &police_officer(),
            );
            anchor.collected_by[1] = market_officer2().public_key().id();
        }),
        "co_signature_invalid"
    );
    // The same co-signer twice.
    assert_eq!(
        refused(&|anchor| anchor.co_signatures.push(anchor.co_signatures[0])),
        "co_signature_invalid"
    );
    // A named collector who did not sign.
    assert_eq!(
        refused(&|anchor| anchor.co_signatures.clear()),
        "collector_not_signed"
    );
}

/// Overwrites the stored record in a new block (the record's own heights
/// stay as they were, which is the inconsistency under test).
fn rewrite_record(chain: &mut TestChain, record: &EvidenceRecord) {
    let mut writes = WriteSet::new();
    writes.insert(keys::evidence(&record.anchor.digest), Some(encode(record)));
    let filler = chain.filler();
    chain.record = None;
    chain.commit(vec![filler], writes, None);
    chain.record = Some(record.clone());
}

// ---------------------------------------------------------------------------
// The worked example of docs/receipt.md.
// ---------------------------------------------------------------------------

/// The smallest receipt: one validator, the anchor alone in block 1, the
/// receipt at height 1. The genesis hash is a fixed value (the verifier takes
/// only chain id, genesis hash and validator set from the genesis), so the
/// example does not change when the default parameters do.
fn worked_example() -> (TestChain, Receipt) {
    let genesis = Genesis {
        chain_id: "xianjie-example".into(),
        genesis_time_ms: 1_790_000_000_000,
        orgs: vec![GenesisOrg {
            org: org("market", OrgKind::AdministrativeAgency),
            officers: vec![],
        }],
        validators: vec![validator(1, 1)],
        params: Params::default(),
        threshold_rules: Vec::new(),
    };
    let mut chain = TestChain::with_trust(Hash([0x9e; 32]), genesis, &[1]);
    chain.anchor_block(0, 0);
    let receipt = chain.receipt();
    (chain, receipt)
}

/// The hex of the worked example, as printed in docs/receipt.md between the
/// `receipt-hex` markers.
fn documented_hex() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/receipt.md"))
        .expect("docs/receipt.md");
    let start = doc
        .find("<!-- receipt-hex:begin -->")
        .expect("begin marker");
    let end = doc.find("<!-- receipt-hex:end -->").expect("end marker");
    doc[start..end]
        .lines()
        .skip(1)
        .filter(|line| !line.starts_with("```"))
        .collect::<String>()
        .split_whitespace()
        .collect()
}

#[test]
fn the_worked_example_of_the_spec_is_this_receipt() {
    let (chain, receipt) = worked_example();
    let bytes = receipt.to_bytes();
    let facts = receipt
        .verify_with(&chain.trust(), Some(&file_digest(&evidence_bytes())))
        .unwrap();
    assert_eq!(facts.height, 1);
    assert_eq!(
        hex::encode(&bytes),
        documented_hex(),
        "docs/receipt.md's worked example is stale: regenerate it with \
         `cargo test -p xianjie-store --test receipt the_worked_example_hashes -- --nocapture`"
    );
    let decoded = Receipt::from_bytes(&hex::decode(documented_hex()).unwrap()).unwrap();
    decoded.verify_with(&chain.trust(), None).unwrap();
}

/// Field-by-field layout: the body is exactly the concatenation of each
/// field's encoding, in declaration order.
#[test]
fn the_body_is_the_fields_in_order() {
    let (_, receipt) = worked_example();
    let fields = example_fields(&receipt);
    let concatenated: Vec<u8> = fields.iter().flat_map(|(_, bytes)| bytes.clone()).collect();
    let bytes = receipt.to_bytes();
    assert_eq!(&bytes[..FILE_HEADER_LEN + 1], b"XJRCPT\x04\x01");
    assert_eq!(&bytes[FILE_HEADER_LEN + 1..], &concatenated[..]);
}

fn example_fields(receipt: &Receipt) -> Vec<(String, Vec<u8>)> {
    let pc = |value: &dyn erased::Encode| value.bytes();
    let certified = &receipt.headers[0];
    let h = &certified.header;
    let c = &certified.commit;
    let mut fields: Vec<(String, Vec<u8>)> = vec![
        ("chain_id".into(), pc(&receipt.chain_id)),
        ("genesis_hash".into(), pc(&receipt.genesis_hash)),
        ("digest".into(), pc(&receipt.digest)),
        ("height".into(), pc(&receipt.height)),
        ("headers: count".into(), vec![receipt.headers.len() as u8]),
        ("headers[0].header.chain_id".into(), pc(&h.chain_id)),
        ("headers[0].header.height".into(), pc(&h.height)),
        ("headers[0].header.time_ms".into(), pc(&h.time_ms)),
        ("headers[0].header.prev_hash".into(), pc(&h.prev_hash)),
        ("headers[0].header.history_root".into(), pc(&h.history_root)),
        ("headers[0].header.tx_root".into(), pc(&h.tx_root)),
        ("headers[0].header.tx_count".into(), pc(&h.tx_count)),
        ("headers[0].header.state_root".into(), pc(&h.state_root)),
        ("headers[0].header.results_root".into(), pc(&h.results_root)),
        (
            "headers[0].header.validators_hash".into(),
            pc(&h.validators_hash),
        ),
        ("headers[0].header.proposer".into(), pc(&h.proposer)),
        ("headers[0].commit.height".into(), pc(&c.height)),
        ("headers[0].commit.round".into(), pc(&c.round)),
        ("headers[0].commit.block_hash".into(), pc(&c.block_hash)),
        (
            "headers[0].commit.signatures: count".into(),
            vec![c.signatures.len() as u8],
        ),
        (
            "headers[0].commit.signatures[0].validator".into(),
            pc(&c.signatures[0].validator),
        ),
        (
            "headers[0].commit.signatures[0].signature".into(),
            pc(&c.signatures[0].signature),
        ),
        (
            "validator_changes: count".into(),
            vec![receipt.validator_changes.len() as u8],
        ),
    ];
    let r = &receipt.record;
    let a = &r.anchor;
    fields.extend([
        ("record.anchor.digest".into(), pc(&a.digest)),
        ("record.anchor.size".into(), pc(&a.size)),
        ("record.anchor.media_type".into(), pc(&a.media_type)),
        ("record.anchor.category".into(), pc(&a.category)),
        ("record.anchor.case_id".into(), pc(&a.case_id)),
        ("record.anchor.collected_at".into(), pc(&a.collected_at)),
        ("record.anchor.collected_by".into(), pc(&a.collected_by)),
        ("record.anchor.capture_method".into(), pc(&a.capture_method)),
        ("record.anchor.capture_tool".into(), pc(&a.capture_tool)),
        (
            "record.anchor.provenance_note_digest".into(),
            pc(&a.provenance_note_digest),
        ),
        ("record.anchor.supersedes".into(), pc(&a.supersedes)),
        (
            "record.anchor.co_signatures: count".into(),
            vec![a.co_signatures.len() as u8],
        ),
        (
            "record.anchor.co_signatures[0].public_key".into(),
            pc(&a.co_signatures[0].public_key),
        ),
        (
            "record.anchor.co_signatures[0].signature".into(),
            pc(&a.co_signatures[0].signature),
        ),
        ("record.class".into(), pc(&r.class)),
        ("record.org".into(), pc(&r.org)),
        ("record.anchored_by".into(), pc(&r.anchored_by)),
        ("record.height".into(), pc(&r.height)),
        ("record.time_ms".into(), pc(&r.time_ms)),
        ("record.tx".into(), pc(&r.tx)),
        ("record.holder".into(), pc(&r.holder)),
        ("record.pending_transfer".into(), pc(&r.pending_transfer)),
        ("record.custody".into(), pc(&r.custody)),
        ("record.superseded_by".into(), pc(&r.superseded_by)),
        ("record.destroyed".into(), pc(&r.destroyed)),
        ("record_proof".into(), pc(&receipt.record_proof)),
    ]);
    let tx = &receipt.anchor.tx;
    fields.extend([
        ("anchor.tx.tx.chain_id".into(), pc(&tx.tx.chain_id)),
        ("anchor.tx.tx.signer".into(), pc(&tx.tx.signer)),
        ("anchor.tx.tx.nonce".into(), pc(&tx.tx.nonce)),
        ("anchor.tx.tx.valid_until".into(), pc(&tx.tx.valid_until)),
        ("anchor.tx.tx.call".into(), pc(&tx.tx.call)),
        ("anchor.tx.signature".into(), pc(&tx.signature)),
        ("anchor.inclusion".into(), pc(&receipt.anchor.inclusion)),
        ("custody: count".into(), vec![receipt.custody.len() as u8]),
        (
            "witnessed: count".into(),
            vec![receipt.witnessed.len() as u8],
        ),
        (
            "timestamped: count".into(),
            vec![receipt.timestamped.len() as u8],
        ),
        ("deposits".into(), pc(&receipt.deposits)),
    ]);
    fields
}

/// Postcard bytes of any serialisable field (the canonical body without the
/// codec's version byte).
mod erased {
    pub trait Encode {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Encode for T {
        fn bytes(&self) -> Vec<u8> {
            postcard::to_allocvec(self).unwrap()
        }
    }
}

/// Renders the worked example of docs/receipt.md (the full hex, the raw
/// field table and the intermediate hashes, printed for regenerating the
/// page: `cargo test -p xianjie-store --test receipt
/// the_worked_example_hashes -- --nocapture`) and checks that every hash of
/// the rendering stands in the page.
#[test]
fn the_worked_example_hashes_stand_in_the_spec() {
    use std::fmt::Write as _;
    let mut out = String::new();
    macro_rules! emit {
        ($($arg:tt)*) => { writeln!(out, $($arg)*).unwrap() };
    }
    use xianjie_ledger::hash::{hash_with, Domain};
    let (chain, receipt) = worked_example();
    let bytes = receipt.to_bytes();
    emit!("<!-- receipt-hex:begin -->\n```text");
    for line in hex::encode(&bytes).as_bytes().chunks(64) {
        emit!("{}", std::str::from_utf8(line).unwrap());
    }
    emit!("```\n<!-- receipt-hex:end -->\n");
    emit!("| offset | bytes | field |\n|---:|---|---|");
    emit!("| 0 | `{}` | magic `XJRCPT` |", hex::encode(MAGIC));
    emit!("| 6 | `{RECEIPT_VERSION:02x}` | receipt format version |");
    emit!("| 7 | `01` | codec format version |");
    let mut offset = FILE_HEADER_LEN + 1;
    for (name, field) in example_fields(&receipt) {
        emit!("| {offset} | `{}` | {name} |", hex::encode(&field));
        offset += field.len();
    }
    emit!("\ntotal {} bytes\n", bytes.len());
    let header = &receipt.headers[0].header;
    let trust = chain.trust();
    emit!(
        "validator public key  {}",
        trust.validators.validators[0].public_key
    );
    emit!(
        "validator id          {}",
        trust.validators.validators[0].public_key.id()
    );
    emit!(
        "validator set bytes   {}",
        hex::encode(encode(&trust.validators))
    );
    emit!("validators_hash       {}", trust.validators.hash());
    emit!("header bytes          {}", hex::encode(encode(header)));
    emit!("block hash            {}", header.hash());
    emit!(
        "vote digest           {}",
        vote_digest(
            &header.chain_id,
            1,
            0,
            VoteKind::Precommit,
            Some(&header.hash())
        )
    );
    let tx_hash = receipt.anchor.tx.hash();
    emit!(
        "tx body bytes         {}",
        hex::encode(encode(&receipt.anchor.tx.tx))
    );
    emit!("tx hash               {tx_hash}");
    let anchor = &receipt.record.anchor;
    let mut unsigned = anchor.clone();
    unsigned.co_signatures.clear();
    emit!("co-signed anchor      {}", hex::encode(encode(&unsigned)));
    emit!(
        "co-signing digest     {}",
        anchor.co_signing_digest(&receipt.chain_id, &receipt.record.anchored_by)
    );
    emit!(
        "co-signer key id      {}",
        anchor.co_signatures[0].public_key.id()
    );
    emit!("merkle leaf hash      {}", merkle::leaf_hash(&tx_hash.0));
    emit!("tx_root               {}", header.tx_root);
    let key = keys::evidence(&receipt.digest);
    emit!("state key             {}", hex::encode(&key));
    emit!(
        "key hash              {}",
        hash_with(Domain::StateKey, &key)
    );
    let value = encode(&receipt.record);
    emit!("record bytes          {}", hex::encode(&value));
    let mut hasher = blake3::Hasher::new_derive_key(Domain::StateTree.context());
    hasher.update(&value);
    emit!(
        "value hash            {}",
        hex::encode(hasher.finalize().as_bytes())
    );
    emit!("state_root            {}", header.state_root);
    emit!(
        "record proof          {}",
        hex::encode(encode(&receipt.record_proof))
    );

    // The proof walk, recomputed by hand as docs/receipt.md describes it.
    let tree = |parts: &[&[u8]]| {
        let mut hasher = blake3::Hasher::new_derive_key(Domain::StateTree.context());
        for part in parts {
            hasher.update(part);
        }
        *hasher.finalize().as_bytes()
    };
    let proof_bytes = encode(&receipt.record_proof);
    let key_hash = hash_with(Domain::StateKey, &key).0;
    let value_hash = tree(&[&value]);
    let mut running = tree(&[b"JMT::LeafNode", &key_hash, &value_hash]);
    emit!("leaf node hash        {}", hex::encode(running));
    // Two leaf siblings follow the leaf: tag 02, key hash, value hash.
    let siblings = [&proof_bytes[67..132], &proof_bytes[132..197]];
    assert_eq!(proof_bytes[66], 2);
    for (j, sibling) in siblings.iter().enumerate() {
        assert_eq!(sibling[0], 2, "leaf sibling");
        let sibling_hash = tree(&[b"JMT::LeafNode", &sibling[1..33], &sibling[33..65]]);
        let depth = siblings.len() - 1 - j;
        let bit = key_hash[depth / 8] >> (7 - depth % 8) & 1 == 1;
        running = if bit {
            tree(&[b"JMT::IntrnalNode", &sibling_hash, &running])
        } else {
            tree(&[b"JMT::IntrnalNode", &running, &sibling_hash])
        };
        emit!(
            "sibling {j} hash        {} (key bit {depth} = {}), parent {}",
            hex::encode(sibling_hash),
            u8::from(bit),
            hex::encode(running)
        );
    }
    assert_eq!(running, header.state_root.0);

    let leaf = merkle::leaf_hash(&tx_hash.0);
    let mut root = blake3::Hasher::new_derive_key(Domain::MerkleRoot.context());
    root.update(&1u64.to_be_bytes());
    root.update(&leaf.0);
    assert_eq!(root.finalize().as_bytes(), &header.tx_root.0);
    let mut preimage = Vec::new();
    preimage.extend_from_slice(&(header.chain_id.len() as u64).to_be_bytes());
    preimage.extend_from_slice(header.chain_id.as_bytes());
    preimage.extend_from_slice(&1u64.to_be_bytes());
    preimage.extend_from_slice(&0u32.to_be_bytes());
    preimage.extend_from_slice(&[2, 1]);
    preimage.extend_from_slice(&header.hash().0);
    emit!("vote preimage         {}", hex::encode(&preimage));
    assert_eq!(
        hash_with(Domain::Vote, &preimage),
        vote_digest(
            &header.chain_id,
            1,
            0,
            VoteKind::Precommit,
            Some(&header.hash())
        )
    );
    let results = BlockResults(vec![TxResult {
        tx: tx_hash,
        outcome: TxOutcome::Ok,
    }]);
    emit!("results_root          {}", results.root());
    println!("{out}");
    let doc = include_str!("../../docs/receipt.md");
    let hashes = out
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|token| token.len() == 64);
    for hash in hashes {
        assert!(
            doc.contains(hash),
            "docs/receipt.md's worked example lacks {hash}: regenerate it from the text printed above"
        );
    }
}
