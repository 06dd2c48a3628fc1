//! Inspection and test results and the accreditations that make them
//! recognisable by other agencies (检验鉴定结果互认, DOMAIN §f).
//!
//! Dates are `yyyymmdd` numbers in China local time: a report date and a
//! certificate's validity are calendar dates, not instants.

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::hash::Hash;
use crate::ids::{InspectionId, OrgId};

/// Longest matter code (`GB2763-pesticide-residue`).
pub const MAX_MATTER_LEN: usize = 48;
/// Longest CMA certificate number.
pub const MAX_CMA_LEN: usize = 32;
/// Most matter codes in one accreditation scope.
pub const MAX_SCOPE_MATTERS: usize = 64;
/// Most validity periods recorded for one certificate.
pub const MAX_ACCREDITATION_PERIODS: usize = 16;
/// Most inspectors named on one result.
pub const MAX_INSPECTORS: usize = 8;
/// Most organisations taking a stance (recognise or dispute) on one result.
pub const MAX_STANCES: usize = 64;

/// The conclusion of an inspection or test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conclusion {
    /// 合格: conforms to the standard.
    Conforming,
    /// 不合格: does not conform.
    NonConforming,
    /// No conclusion could be drawn.
    Inconclusive,
}

/// The testing body that issued a report: identified by its 统一社会信用代码
/// (it need not be a member of the chain) and the CMA certificate number
/// printed on the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabRef {
    /// The laboratory's USCC.
    pub uscc: String,
    /// The CMA (资质认定) certificate number on the report.
    pub cma_number: String,
}

/// The objection (复检) window of a result: a deadline rule with scope
/// `inspection_result` (e.g. `FOOD_RETEST_OBJECTION`), counted from the date
/// the result was notified to the party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionWindow {
    /// The rule id.
    pub rule: String,
    /// The date the party received the result (`yyyymmdd`).
    pub notified_on: u32,
}

/// Whether an organisation relies on a result or disputes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StanceKind {
    /// The organisation recognises the result (互认) and need not inspect again.
    Recognised,
    /// The organisation disputes it.
    Disputed,
}

/// One organisation's stance on a result; the latest one counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stance {
    /// The organisation.
    pub org: OrgId,
    /// Recognised or disputed.
    pub kind: StanceKind,
    /// The signing officer.
    pub officer: KeyId,
    /// For a dispute: digest of the reasons (kept off chain).
    pub reason_digest: Option<Hash>,
    /// Height.
    pub height: u64,
}

/// A party's application for a re-test (复检) within the objection window,
/// and the re-test's result once recorded. The re-test conclusion is final
/// (FSL Art 88 ¶1: 复检结论为最终检验结论), so it replaces the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retest {
    /// The date the party applied (`yyyymmdd`), inside the window.
    pub requested_on: u32,
    /// Digest of the application (kept off chain).
    pub request_digest: Hash,
    /// The officer of the issuing organisation who recorded it.
    pub recorded_by: KeyId,
    /// Height of the recording.
    pub height: u64,
    /// The re-test result (`INSP-…`), once recorded.
    pub result: Option<InspectionId>,
}

/// An inspection or test result, stored under `inspection/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// `INSP-` and 16 hex characters of the recording transaction's hash.
    pub id: InspectionId,
    /// The inspected entity's USCC (normalised).
    pub entity: String,
    /// What was inspected (matter or parameter code).
    pub matter: String,
    /// The organisation that recorded it (the signer's).
    pub issuer: OrgId,
    /// Officers who inspected or sampled.
    pub inspectors: Vec<KeyId>,
    /// Report date (`yyyymmdd`).
    pub report_date: u32,
    /// Conclusion.
    pub conclusion: Conclusion,
    /// Digest of the report.
    pub report_digest: Hash,
    /// The testing body, if a laboratory issued the report.
    pub lab: Option<LabRef>,
    /// What the result covers (batch, lot, sample), short text.
    pub scope: String,
    /// Last date the result may be relied on (`yyyymmdd`), if limited.
    pub valid_until: Option<u32>,
    /// The objection window, if the party may ask for a re-test.
    pub objection: Option<ObjectionWindow>,
    /// The signing officer.
    pub recorded_by: KeyId,
    /// Height.
    pub height: u64,
    /// Block time (Unix milliseconds).
    pub time_ms: u64,
    /// The recording transaction.
    pub tx: Hash,
    /// Stances of other organisations, in the order taken.
    pub stances: Vec<Stance>,
    /// The party's re-test application and its result, if one was made.
    pub retest: Option<Retest>,
    /// For a re-test result: the result it re-tested.
    pub retest_of: Option<InspectionId>,
}

/// One validity period of a CMA certificate with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccreditationPeriod {
    /// Matter codes the certificate covers in this period.
    pub scope: Vec<String>,
    /// First valid date (`yyyymmdd`).
    pub valid_from: u32,
    /// Last valid date (`yyyymmdd`).
    pub valid_to: u32,
    /// Digest of the certificate scan.
    pub certificate_digest: Option<Hash>,
    /// The organisation that recorded it.
    pub recorded_by: OrgId,
    /// The signing officer.
    pub officer: KeyId,
    /// Height.
    pub height: u64,
}

/// A laboratory's CMA certificate, stored under
/// `accreditation/<lab uscc>/<cma number>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accreditation {
    /// The laboratory's USCC (normalised).
    pub lab_uscc: String,
    /// The certificate number.
    pub cma_number: String,
    /// Validity periods, in the order recorded (renewals append).
    pub periods: Vec<AccreditationPeriod>,
}

/// Chain parameters of the inspection contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionParams {
    /// Fewest inspectors named on a result (APL Art 42: two officers).
    pub min_inspectors: u8,
}

impl Default for InspectionParams {
    fn default() -> Self {
        InspectionParams { min_inspectors: 2 }
    }
}

impl Canonical for Inspection {
    const KIND: &'static str = "inspection";
    const MAX_ENCODED_LEN: usize = 16 * 1024;
}

impl Canonical for Accreditation {
    const KIND: &'static str = "accreditation";
    const MAX_ENCODED_LEN: usize = 64 * 1024;
}
