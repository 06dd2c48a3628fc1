//! The records kept in the ledger state: organisations, officers, evidence
//! and its custody chain. Organisation ids are in [`crate::ids`], the chain
//! parameters in [`crate::params`]; cases, inspections and governance have
//! their own modules.
//!
//! Enum variants are encoded by their declared position: never reorder or
//! remove a variant, only append. Personal information never appears here:
//! people are key ids, documents and notes are digests.

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{self, KeyId, PublicKey, SecretKey, Signature};
use crate::error::CryptoError;
use crate::hash::{hash_parts, Domain, Hash};
use crate::ids::{CaseId, OrgId};

/// Longest media type.
pub const MAX_MEDIA_TYPE_LEN: usize = 127;
pub use crate::ids::MAX_CASE_ID_LEN;
/// Longest short text field (capture method, tool, organisation name).
pub const MAX_SHORT_TEXT_LEN: usize = 128;
/// Most officers named as collectors of one item.
pub const MAX_COLLECTORS: usize = 8;
/// Most co-signatures on one anchor: one per collector at most (the
/// transaction's signer need not be a collector).
pub const MAX_CO_SIGNATURES: usize = MAX_COLLECTORS;

/// The kind of a member organisation (DOMAIN §a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 行政执法机关: market regulation, environment, tax, customs …
    AdministrativeAgency,
    /// 公安机关.
    Police,
    /// 人民检察院.
    Procuratorate,
    /// 人民法院.
    Court,
    /// 检验检测机构.
    TestingBody,
    /// 人民政府 / 政府牵头部门: the people's government that leads the
    /// linkage work (DOMAIN §a `GOV_SUPERIOR`; SC-Transfer Arts 15–17). The
    /// default policies let it read the cases and statistics of its own
    /// division code only; a higher government reads a lower region's by a
    /// policy its chain adopts. Appended: the tags of the kinds above are
    /// unchanged.
    GovernmentOffice,
    /// 监察委员会: receives duty-crime clues against public officials
    /// (DOMAIN §a `SUPERVISORY`, SC-Transfer Art 19, D9). Appended.
    SupervisoryCommission,
}

/// Administrative level of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    /// 国家级.
    National,
    /// 省级.
    Provincial,
    /// 地市级.
    Prefecture,
    /// 县级.
    County,
}

/// An officer's role inside their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Signs day-to-day acts.
    Officer,
    /// The organisation's head: signs decisions the law reserves to leadership.
    Head,
    /// Manages the organisation's officers and votes in governance.
    Admin,
}

/// A member organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// Stable short id.
    pub id: OrgId,
    /// Official name of the institution (public information).
    pub name: String,
    /// Kind of organisation.
    pub kind: OrgKind,
    /// 统一社会信用代码, checksum-validated.
    pub uscc: String,
    /// 6-digit administrative division code of its jurisdiction.
    pub region: String,
    /// Administrative level.
    pub level: OrgLevel,
}

/// A registered officer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Id derived from the public key.
    pub id: KeyId,
    /// The key the officer signs with.
    pub public_key: PublicKey,
    /// The organisation the officer belongs to.
    pub org: OrgId,
    /// Role inside the organisation.
    pub role: Role,
    /// Whether the key may still sign.
    pub active: bool,
    /// Height at which the key was registered (0 = genesis).
    pub registered_at: u64,
    /// Height at which the key was revoked, if it was.
    pub revoked_at: Option<u64>,
}

/// Evidence categories as officers name them (行政诉讼法 Art 33 / 刑诉法 Art 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceCategory {
    /// 物证.
    Physical,
    /// 书证.
    Documentary,
    /// 视听资料.
    Audiovisual,
    /// 电子数据.
    Electronic,
    /// 鉴定意见 / 检验报告.
    Appraisal,
    /// 勘验笔录 / 检查笔录.
    InspectionRecord,
    /// 现场笔录 (administrative-only category).
    OnsiteRecord,
    /// 证人证言.
    Witness,
    /// 当事人陈述 / 询问笔录.
    Party,
    /// 生态环境监测数据: monitoring data of eco-environment departments and
    /// their monitoring bodies (Env-Interp-2023 Art 14).
    EnvironmentalMonitoring,
    /// 事故调查报告 (SPC-CPL-Interp Art 101).
    AccidentInvestigation,
    /// 被害人陈述.
    VictimStatement,
}

impl EvidenceCategory {
    /// Every category, in declaration order.
    pub const ALL: [EvidenceCategory; 12] = [
        EvidenceCategory::Physical,
        EvidenceCategory::Documentary,
        EvidenceCategory::Audiovisual,
        EvidenceCategory::Electronic,
        EvidenceCategory::Appraisal,
        EvidenceCategory::InspectionRecord,
        EvidenceCategory::OnsiteRecord,
        EvidenceCategory::Witness,
        EvidenceCategory::Party,
        EvidenceCategory::EnvironmentalMonitoring,
        EvidenceCategory::AccidentInvestigation,
        EvidenceCategory::VictimStatement,
    ];
}

/// Admissibility class in criminal proceedings (刑诉法 Art 54, DOMAIN §e).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EvidenceClass {
    /// A — usable directly.
    #[serde(rename = "A")]
    DirectUse,
    /// B — usable after review.
    #[serde(rename = "B")]
    AfterReview,
    /// C — must be re-collected by investigators.
    #[serde(rename = "C")]
    Recollect,
}

/// The mapping from category to class. It is a chain parameter because part
/// of it (现场笔录 → B) is not settled law (DOMAIN §e, UNVERIFIED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryClass {
    /// The category.
    pub category: EvidenceCategory,
    /// Its class.
    pub class: EvidenceClass,
}

/// Custody actions (chain of custody, SPC-CPL-Interp Art 111).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustodyAction {
    /// The holder hands the item to another organisation (first half of a handoff).
    Transfer,
    /// The receiving organisation takes it (second half; completes the handoff).
    Receive,
    /// Sealed (封存).
    Seal,
    /// Examined or tested.
    Examine,
    /// Put in storage.
    Store,
    /// Returned to its owner.
    Return,
    /// Destroyed; the record remains.
    Destroy,
    /// The holder withdraws its pending transfer (e.g. sent to the wrong organisation).
    Cancel,
    /// The addressee declines a pending transfer; the sender keeps the item.
    Refuse,
}

/// What an agency anchors for one evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceAnchor {
    /// Plain BLAKE3 of the file's bytes.
    pub digest: Hash,
    /// File size in bytes.
    pub size: u64,
    /// MIME type.
    pub media_type: String,
    /// Evidence category.
    pub category: EvidenceCategory,
    /// The case it belongs to, if any.
    pub case_id: Option<CaseId>,
    /// When it was collected, as stated by the collectors (Unix seconds, UTC).
    pub collected_at: u64,
    /// Officers who collected it.
    pub collected_by: Vec<KeyId>,
    /// How it was captured (e.g. `download`, `photograph`, `forensic-image`).
    pub capture_method: String,
    /// Tool and version used for the capture.
    pub capture_tool: String,
    /// Digest of the off-chain provenance note (OLR Art 18).
    pub provenance_note_digest: Option<Hash>,
    /// An earlier anchor this one supersedes (e.g. a corrected scan).
    pub supersedes: Option<Hash>,
    /// The signatures of the collectors other than the transaction's
    /// signer, each over [`EvidenceAnchor::co_signing_digest`]: two officers
    /// collected the item only if both signed (DOMAIN §i). Last field, so the
    /// encoding of everything the collectors sign is a prefix of the anchor's.
    pub co_signatures: Vec<CoSignature>,
}

/// A collector's signature on an anchor that another officer submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoSignature {
    /// The collector's key; its id must be in `collected_by`. The key itself
    /// (not only its id) is carried so that a receipt can be checked offline
    /// with the genesis file alone.
    pub public_key: PublicKey,
    /// Signature over the 32 bytes of the anchor's co-signing digest.
    pub signature: Signature,
}

impl CoSignature {
    /// The co-signing officer's id.
    pub fn officer(&self) -> KeyId {
        self.public_key.id()
    }

    /// Checks the signature over `digest`, the anchor's
    /// [`EvidenceAnchor::co_signing_digest`], with the signature rule used
    /// everywhere ([`crypto::verify`]: ZIP 215, small-order keys refused).
    pub fn verify(&self, digest: &Hash) -> Result<(), CryptoError> {
        crypto::verify(&self.public_key, &digest.0, &self.signature)
    }
}

impl EvidenceAnchor {
    /// What each collector signs: the anchor on chain `chain_id` submitted
    /// by the officer `signer`, every field but the co-signatures
    /// (`docs/receipt.md` §co-signatures gives the bytes):
    /// `H_cosign(u64_be(len(chain_id)) || chain_id || signer || encode(anchor with no co-signatures))`.
    /// Binding the signer means a co-signature vouches for one submitter;
    /// binding the chain keeps it off other networks.
    pub fn co_signing_digest(&self, chain_id: &str, signer: &KeyId) -> Hash {
        let unsigned = EvidenceAnchor {
            co_signatures: Vec::new(),
            ..self.clone()
        };
        hash_parts(
            Domain::AnchorCoSignature,
            &[
                &(chain_id.len() as u64).to_be_bytes(),
                chain_id.as_bytes(),
                &signer.0,
                &crate::codec::encode(&unsigned),
            ],
        )
    }

    /// Adds `key`'s co-signature for the submission by `signer` on `chain_id`.
    pub fn co_sign(&mut self, chain_id: &str, signer: &KeyId, key: &SecretKey) {
        let digest = self.co_signing_digest(chain_id, signer);
        self.co_signatures.push(CoSignature {
            public_key: key.public_key(),
            signature: key.sign(&digest.0),
        });
    }
}

/// One custody event in an evidence record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEvent {
    /// What was done.
    pub action: CustodyAction,
    /// The organisation that did it.
    pub org: OrgId,
    /// The officer who signed it.
    pub officer: KeyId,
    /// For `transfer`, the receiving organisation.
    pub to: Option<OrgId>,
    /// Digest of an off-chain note.
    pub note_digest: Option<Hash>,
    /// Block height.
    pub height: u64,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
    /// The transaction that recorded it.
    pub tx: Hash,
}

/// The state record of one anchored evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// What was anchored.
    pub anchor: EvidenceAnchor,
    /// Admissibility class derived from the category.
    pub class: EvidenceClass,
    /// Organisation that anchored it.
    pub org: OrgId,
    /// Officer who signed the anchor.
    pub anchored_by: KeyId,
    /// Height of the anchor.
    pub height: u64,
    /// Block time of the anchor (Unix milliseconds).
    pub time_ms: u64,
    /// The anchoring transaction.
    pub tx: Hash,
    /// Organisation currently holding the item.
    pub holder: OrgId,
    /// Organisation a transfer is addressed to, until it records `receive`.
    pub pending_transfer: Option<OrgId>,
    /// Custody history, oldest first.
    pub custody: Vec<CustodyEvent>,
    /// A later anchor that supersedes this one.
    pub superseded_by: Option<Hash>,
    /// Whether the item was destroyed.
    pub destroyed: bool,
}

macro_rules! canonical {
    ($ty:ty, $kind:literal, $max:expr) => {
        impl Canonical for $ty {
            const KIND: &'static str = $kind;
            const MAX_ENCODED_LEN: usize = $max;
        }
    };
}

canonical!(Org, "organisation", 1024);
canonical!(Officer, "officer", 256);
canonical!(EvidenceRecord, "evidence record", 256 * 1024);
