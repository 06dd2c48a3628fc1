//! The state layout and the sparse Merkle commitment over it.
//!
//! State is a map from byte keys to canonically encoded records. Its root is
//! a Jellyfish Merkle tree (the `jmt` crate) whose version is the block
//! height, hashed with a domain-separated BLAKE3. A [`StateProof`] shows that
//! a key holds a given value — or holds nothing — under a header's
//! `state_root`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::error::ProofError;
use crate::hash::{hash_with, Domain, Hash};
use crate::ids::{CaseId, ClueId, DrawId, InspectionId, OrgId, ProposalId, RequestId, SnapshotId};
use crate::params::Params;

/// State changes of one block: key → new value (`None` deletes). What the
/// contracts return and what a store commits.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Read access to the current state, as contracts see it.
///
/// # Read failures
///
/// A read that fails (a store whose disk or records cannot be read) has no
/// honest answer, and a guess (`None`, or stale bytes) would make this node
/// compute another block result than its peers. So reading is infallible by
/// contract, and an implementation that cannot read **panics**: the one
/// fatal fault of this trait, on which the node stops rather than executing
/// against a guess (the sled store's implementation,
/// `impl StateView for xianjie_store::Store`, does exactly this). `None`
/// always means "no value under this key", never "could not read". Contracts
/// therefore never see a read error, and their results depend only on the
/// state.
pub trait StateView {
    /// The value under `key`, if any. Panics if the state cannot be read
    /// (see [the trait's documentation](StateView#read-failures)).
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;

    /// The decoding of the bytes under [`keys::PARAMS`], when this view
    /// already holds it; `None` (the default) sends the caller to
    /// [`StateView::get`]. A view that answers must answer exactly what
    /// decoding its current bytes would give.
    fn known_params(&self) -> Option<Arc<Params>> {
        None
    }
}

/// Keys of the state map. Each kind has its own prefix.
pub mod keys {
    use super::*;

    /// Chain parameters.
    pub const PARAMS: &[u8] = b"params";
    /// The validator set in force.
    pub const VALIDATORS: &[u8] = b"validators";
    /// The latest height; rewritten by every block so that each height has its own root.
    pub const TIP: &[u8] = b"chain/tip";

    /// Whether `key` is one that nearly every transaction reads and few
    /// write: the chain parameters, the validator set, the node keys, an
    /// organisation or an officer. The store keeps their latest values in
    /// memory.
    pub fn is_read_by_most_transactions(key: &[u8]) -> bool {
        key == PARAMS
            || key == VALIDATORS
            || key == NODE_KEYS
            || key.starts_with(b"org/")
            || key.starts_with(b"officer/")
    }

    /// An organisation.
    pub fn org(id: &OrgId) -> Vec<u8> {
        [b"org/".as_slice(), id.as_str().as_bytes()].concat()
    }

    /// An officer.
    pub fn officer(id: &KeyId) -> Vec<u8> {
        [b"officer/".as_slice(), &id.0].concat()
    }

    /// An evidence record.
    pub fn evidence(digest: &Hash) -> Vec<u8> {
        [b"evidence/".as_slice(), &digest.0].concat()
    }

    /// The registered node keys (`governance::NodeKeys`).
    pub const NODE_KEYS: &[u8] = b"node/keys";

    /// A case record.
    pub fn case(id: &CaseId) -> Vec<u8> {
        format!("case/{id}").into_bytes()
    }

    /// One event of a case's log (`seq` zero-padded so keys sort by position).
    pub fn case_event(id: &CaseId, seq: u32) -> Vec<u8> {
        format!("case-event/{id}/{seq:010}").into_bytes()
    }

    /// The re-collection status of a class C evidence record.
    pub fn recollection(digest: &Hash) -> Vec<u8> {
        [b"recollection/".as_slice(), &digest.0].concat()
    }

    /// An inspection result.
    pub fn inspection(id: &InspectionId) -> Vec<u8> {
        format!("inspection/{id}").into_bytes()
    }

    /// A laboratory's CMA certificate.
    pub fn accreditation(lab_uscc: &str, cma_number: &str) -> Vec<u8> {
        format!("accreditation/{lab_uscc}/{cma_number}").into_bytes()
    }

    /// A governance proposal.
    pub fn proposal(id: &ProposalId) -> Vec<u8> {
        format!("proposal/{id}").into_bytes()
    }

    /// The supervision record of a case (`supervision::CaseFacts`).
    pub fn case_facts(case_id: &CaseId) -> Vec<u8> {
        format!("case-facts/{case_id}").into_bytes()
    }

    /// A threshold rule (`supervision::ThresholdRule`).
    pub fn threshold_rule(rule_id: &str) -> Vec<u8> {
        format!("threshold-rule/{rule_id}").into_bytes()
    }

    /// A supervision flag of a case (`supervision::SupervisionFlag`).
    pub fn flag(case_id: &CaseId, kind: &str) -> Vec<u8> {
        format!("flag/{case_id}/{kind}").into_bytes()
    }

    /// The China-local days on which 有案不移 checks are due
    /// (`supervision::DueDays`).
    pub const SUPERVISION_DUE: &[u8] = b"supervision/due";

    /// The cases whose 有案不移 check runs after a day (`supervision::DueCases`).
    pub fn supervision_due(day: u32) -> Vec<u8> {
        format!("supervision/due/{day:08}").into_bytes()
    }

    /// The organisations that recorded time-stamp tokens
    /// (`timestamps::TimestampOrgs`).
    pub const TIMESTAMP_ORGS: &[u8] = b"timestamp/orgs";

    /// One organisation's log of time-stamp tokens (`timestamps::TimestampLog`).
    pub fn timestamp_log(org: &OrgId) -> Vec<u8> {
        format!("timestamp/{org}/log").into_bytes()
    }

    /// The `seq`-th time-stamp token `org` recorded (`timestamps::TimestampRecord`).
    pub fn timestamp(org: &OrgId, seq: u64) -> Vec<u8> {
        [format!("timestamp/{org}/").as_bytes(), &seq.to_be_bytes()].concat()
    }

    /// The court-chain deposits of one evidence file (`deposit::Deposits`).
    pub fn deposits(digest: &Hash) -> Vec<u8> {
        [b"deposit/".as_slice(), &digest.0].concat()
    }

    /// A published bulletin (`stats::Bulletin`).
    pub fn bulletin(id: &str) -> Vec<u8> {
        format!("bulletin/{id}").into_bytes()
    }

    /// A request between organs (`request::OrganRequest`).
    pub fn request(id: &RequestId) -> Vec<u8> {
        format!("request/{id}").into_bytes()
    }

    /// A clue (`clue::Clue`).
    pub fn clue(id: &ClueId) -> Vec<u8> {
        format!("clue/{id}").into_bytes()
    }

    /// An inspection item of the list (`random_draw::InspectionItem`).
    pub fn inspection_item(code: &str) -> Vec<u8> {
        format!("draw/item/{code}").into_bytes()
    }

    /// An inspector of a department's directory (`random_draw::DirectoryInspector`).
    pub fn directory_inspector(org: &OrgId, officer: &KeyId) -> Vec<u8> {
        format!("draw/inspector/{org}/{officer}").into_bytes()
    }

    /// An entity snapshot (`random_draw::EntitySnapshot`).
    pub fn entity_snapshot(id: &SnapshotId) -> Vec<u8> {
        format!("draw/snapshot/{id}").into_bytes()
    }

    /// A random draw (`random_draw::RandomDraw`).
    pub fn draw(id: &DrawId) -> Vec<u8> {
        format!("draw/{id}").into_bytes()
    }

    /// What the end of every block needs of a draw (`random_draw::DrawClock`).
    pub fn draw_clock(id: &DrawId) -> Vec<u8> {
        format!("draw/{id}/clock").into_bytes()
    }

    /// The inspector rows a draw reads (`random_draw::InspectorSnapshot`).
    pub fn draw_inspectors(id: &DrawId) -> Vec<u8> {
        format!("draw/{id}/inspectors").into_bytes()
    }

    /// The published result of a draw's inspection `j` (`random_draw::InspectionOutcome`).
    pub fn draw_result(id: &DrawId, inspection: u32) -> Vec<u8> {
        format!("draw/{id}/result/{inspection}").into_bytes()
    }

    /// Secondary indexes kept in the state (so they are committed and
    /// provable). Each is a paged set: the name holds the entry count,
    /// `<name>#p<page>` a page of entries and `<name>#e<entry>` an entry's
    /// position. Names never contain `#`.
    pub mod index {
        use super::*;

        /// Cases that are not closed: every case that can have a running clock.
        pub const OPEN_CASES: &[u8] = b"index/case/open";
        /// Every member organisation.
        pub const ORGS: &[u8] = b"index/org/all";
        /// Every governance proposal.
        pub const PROPOSALS: &[u8] = b"index/proposal/all";
        /// Every threshold rule id.
        pub const THRESHOLD_RULES: &[u8] = b"index/threshold-rule/all";
        /// Every supervision flag, as `<case id>/<kind>`.
        pub const FLAGS: &[u8] = b"index/flag/all";

        /// Every published bulletin id, in publication order.
        pub const BULLETINS: &[u8] = b"index/bulletin/all";

        /// Supervision flags of cases owned by agencies of a division code,
        /// as `<case id>/<kind>`.
        pub fn region_flags(region: &str) -> Vec<u8> {
            format!("index/flag/region/{region}").into_bytes()
        }

        /// Cases in which an organisation is a party (owner, police,
        /// procuratorate or court).
        pub fn org_cases(org: &OrgId) -> Vec<u8> {
            format!("index/case/org/{org}").into_bytes()
        }

        /// Cases a procuratorate supervises (抄送, T6c/D1).
        pub fn supervised_cases(procuratorate: &OrgId) -> Vec<u8> {
            format!("index/case/supervised/{procuratorate}").into_bytes()
        }

        /// Evidence linked to a case.
        pub fn case_evidence(case_id: &CaseId) -> Vec<u8> {
            format!("index/case/evidence/{case_id}").into_bytes()
        }

        /// Inspections of an entity, of one matter or (`None`) of any.
        pub fn inspections(entity: &str, matter: Option<&str>) -> Vec<u8> {
            match matter {
                Some(matter) => format!("index/inspection/matter/{entity}/{matter}"),
                None => format!("index/inspection/entity/{entity}"),
            }
            .into_bytes()
        }

        /// Clues an organisation sent, received or sent earlier on
        /// (`clue::Clue::concerns`), oldest first.
        pub fn org_clues(org: &OrgId) -> Vec<u8> {
            format!("index/clue/org/{org}").into_bytes()
        }

        /// Every inspection item code, in the order first set.
        pub const INSPECTION_ITEMS: &[u8] = b"index/draw/items";

        /// Every draw, oldest first.
        pub const DRAWS: &[u8] = b"index/draw/all";

        /// Draws waiting for a commitment, the seed block or a reveal: the
        /// ones the end of every block looks at.
        pub const OPEN_DRAWS: &[u8] = b"index/draw/open";

        /// A department's inspectors (key ids in hex), in the order first set.
        pub fn department_inspectors(org: &OrgId) -> Vec<u8> {
            format!("index/draw/inspectors/{org}").into_bytes()
        }

        /// The snapshots whose rows file has this BLAKE3 digest: a
        /// department's node keeps that file in its vault for re-runs.
        pub fn snapshot_file(digest: &Hash) -> Vec<u8> {
            format!("index/draw/snapshot-file/{}", digest.to_hex()).into_bytes()
        }

        /// A department's entity snapshots, oldest first.
        pub fn entity_snapshots(org: &OrgId) -> Vec<u8> {
            format!("index/draw/snapshots/{org}").into_bytes()
        }

        /// Requests an organisation asked or was asked, oldest first.
        pub fn org_requests(org: &OrgId) -> Vec<u8> {
            format!("index/request/org/{org}").into_bytes()
        }

        /// Requests about a case, oldest first.
        pub fn case_requests(case_id: &CaseId) -> Vec<u8> {
            format!("index/case/requests/{case_id}").into_bytes()
        }

        /// Member organisations with a given division code.
        pub fn orgs_in_region(region: &str) -> Vec<u8> {
            format!("index/org/region/{region}").into_bytes()
        }
    }
}

/// The hasher of the state tree: BLAKE3 under the state-tree context.
#[derive(Clone)]
pub struct StateHasher(blake3::Hasher);

impl jmt::SimpleHasher for StateHasher {
    fn new() -> Self {
        StateHasher(Domain::StateTree.hasher())
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}

/// The tree's key for a state key.
pub fn key_hash(key: &[u8]) -> jmt::KeyHash {
    jmt::KeyHash(hash_with(Domain::StateKey, key).0)
}

/// A proof that a state key holds a value, or nothing, under a state root.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StateProof(pub jmt::proof::SparseMerkleProof<StateHasher>);

impl std::fmt::Debug for StateProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateProof(..)")
    }
}

impl PartialEq for StateProof {
    fn eq(&self, other: &Self) -> bool {
        crate::codec::encode(self) == crate::codec::encode(other)
    }
}

impl Eq for StateProof {}

impl StateProof {
    /// Checks that `key` holds `value` (`None`: holds nothing) under `root`.
    pub fn verify(&self, root: &Hash, key: &[u8], value: Option<&[u8]>) -> Result<(), ProofError> {
        self.0
            .verify(jmt::RootHash(root.0), key_hash(key), value)
            .map_err(|e| ProofError::State {
                reason: e.to_string(),
            })
    }
}

impl Canonical for StateProof {
    const KIND: &'static str = "state proof";
    // At most 256 siblings of at most 65 bytes, plus the leaf.
    const MAX_ENCODED_LEN: usize = 256 * 72 + 128;
}
