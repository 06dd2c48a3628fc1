//! The chain parameters: set in genesis, changed only by governance.

use serde::{Deserialize, Serialize};

use crate::case::CaseParams;
use crate::codec::Canonical;
use crate::deadline::{appendix_a_rules, Calendar, DayCounting, DeadlineRule};
use crate::governance::{GovernanceParams, DEFAULT_POLICY_SET};
use crate::inspection::InspectionParams;
use crate::model::{CategoryClass, EvidenceCategory, EvidenceClass};

/// Chain parameters: set in genesis, changed only by governance, and
/// re-validated the same way either time.
///
/// Every field added after the first release has a serde default, so a
/// genesis document written before it still parses (and gets the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Fewest officers that must be named as collectors of an item, each of
    /// whom signs the anchor (the submitter by the transaction, the others
    /// by co-signatures), so it counts signatures. Two by default:
    /// enforcement acts need two officers (APL Art 42, SC-Transfer Art 5)
    /// and so does collecting electronic data (DOMAIN §i).
    pub min_collectors: u8,
    /// Most custody events kept on one record.
    pub max_custody_events: u16,
    /// Furthest ahead of the current height a transaction's `valid_until` may be.
    pub max_tx_validity_blocks: u64,
    /// Category → class mapping.
    pub category_classes: Vec<CategoryClass>,
    /// Case contract parameters.
    #[serde(default = "CaseParams::first_release")]
    pub cases: CaseParams,
    /// Statutory deadline rules (DOMAIN Appendix A by default).
    #[serde(default = "appendix_a_rules")]
    pub deadlines: Vec<DeadlineRule>,
    /// How days are counted (DOMAIN §0.3).
    #[serde(default)]
    pub counting: DayCounting,
    /// Statutory holidays and make-up working days.
    #[serde(default)]
    pub calendar: Calendar,
    /// Inspection contract parameters.
    #[serde(default)]
    pub inspections: InspectionParams,
    /// Who votes in governance and how many must approve.
    #[serde(default)]
    pub governance: GovernanceParams,
    /// The Cedar policy set every transaction and guarded read must satisfy.
    #[serde(default = "default_policy_set")]
    pub policy_set: String,
    /// 统一社会信用代码 accepted although their check character is wrong:
    /// genuine pilot-era codes (DOMAIN §h.4), each confirmed by governance.
    /// Normalised, strictly ascending.
    #[serde(default)]
    pub uscc_allow_list: Vec<String>,
}

fn default_policy_set() -> String {
    DEFAULT_POLICY_SET.to_owned()
}

impl Default for Params {
    fn default() -> Self {
        use EvidenceCategory as Cat;
        use EvidenceClass as Class;
        let class_of = |category| match category {
            Cat::Physical
            | Cat::Documentary
            | Cat::Audiovisual
            | Cat::Electronic
            | Cat::EnvironmentalMonitoring => Class::DirectUse,
            Cat::Appraisal
            | Cat::InspectionRecord
            | Cat::OnsiteRecord
            | Cat::AccidentInvestigation => Class::AfterReview,
            Cat::Witness | Cat::Party | Cat::VictimStatement => Class::Recollect,
        };
        Params {
            min_collectors: 2,
            max_custody_events: 256,
            max_tx_validity_blocks: 100_000,
            category_classes: EvidenceCategory::ALL
                .iter()
                .map(|&category| CategoryClass {
                    category,
                    class: class_of(category),
                })
                .collect(),
            cases: CaseParams::default(),
            deadlines: [
                appendix_a_rules(),
                crate::supervision::deadline_rules(),
                crate::clue::deadline_rules(),
                crate::request::deadline_rules(),
                crate::random_draw::deadline_rules(),
            ]
            .concat(),
            counting: DayCounting::default(),
            calendar: Calendar::default(),
            inspections: InspectionParams::default(),
            governance: GovernanceParams::default(),
            policy_set: default_policy_set(),
            uscc_allow_list: Vec::new(),
        }
    }
}

impl Params {
    /// The class of a category, if the mapping names it.
    pub fn class_of(&self, category: EvidenceCategory) -> Option<EvidenceClass> {
        self.category_classes
            .iter()
            .find(|entry| entry.category == category)
            .map(|entry| entry.class)
    }
}

impl Canonical for Params {
    const KIND: &'static str = "parameters";
    const MAX_ENCODED_LEN: usize = 256 * 1024;
}
