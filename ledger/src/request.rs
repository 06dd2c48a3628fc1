//! Requests between organs about a case or a clue (docs/request.md):
//! consultation (双向咨询), a question answered within a clock, and
//! assistance (协助), where the police, a procuratorate or a court ask an
//! agency for testing, appraisal, determination, storage, destruction or
//! disposal of items, and the answer links the inspection results or the
//! custody events that did it.
//!
//! Stored under `request/<id>` as [`OrganRequest`], listed under
//! `index/request/org/<org>` for both organisations and, for a case,
//! `index/case/requests/<case>` so that its clocks show on the case. The
//! question and the answer are digests.

use serde::{Deserialize, Serialize};

use crate::clue::ClueId;
use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::deadline::{ClockKind, DeadlineRule, RuleScope, TimeUnit, Verification};
use crate::hash::Hash;
pub use crate::ids::RequestId;
use crate::ids::{CaseId, InspectionId, OrgId};

/// Most inspection results, and most evidence files, one answer links.
pub const MAX_ANSWER_LINKS: usize = 16;
/// Most requests about one case (each shows a clock on it).
pub const MAX_CASE_REQUESTS: usize = 64;
/// The step that answers a request, as deadline rules name it.
pub const ANSWER: &str = "answer";
/// The answering organ's clock for a consultation.
pub const CONSULTATION_RULE: &str = "CONSULTATION_ANSWER";
/// The agency's clock for an assistance.
pub const ASSISTANCE_RULE: &str = "ASSISTANCE_ANSWER";

crate::case::named_enum! {
    /// What is asked.
    pub enum RequestKind {
        /// 双向咨询: a question about the case or clue.
        Consultation = "consultation",
        /// 检验: testing of items.
        Testing = "testing",
        /// 鉴定: appraisal.
        Appraisal = "appraisal",
        /// 认定: a determination (e.g. of a product's nature).
        Determination = "determination",
        /// 保管: storage of items.
        Storage = "storage",
        /// 销毁: destruction of items.
        Destruction = "destruction",
        /// 处置: disposal of items.
        Disposal = "disposal",
    }
}

impl RequestKind {
    /// Whether this is assistance (协助) rather than a consultation.
    pub fn is_assistance(self) -> bool {
        self != RequestKind::Consultation
    }
}

crate::case::named_enum! {
    /// Where a request stands.
    pub enum RequestState {
        /// Asked, not yet answered.
        Open = "open",
        /// Answered.
        Answered = "answered",
    }
}

/// What a request is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAbout {
    /// A case.
    Case(CaseId),
    /// A clue.
    Clue(ClueId),
}

/// Who acted, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStep {
    /// The officer who signed.
    pub officer: KeyId,
    /// Height.
    pub height: u64,
    /// Block time (Unix ms).
    pub time_ms: u64,
    /// The transaction.
    pub tx: Hash,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestAnswer {
    /// Digest of the answer (the reply letter, or the assistance record).
    pub document: Hash,
    /// Inspection results the answering organ issued for it.
    pub inspections: Vec<InspectionId>,
    /// Evidence files whose custody the answering organ recorded for it.
    pub evidence: Vec<Hash>,
    /// Who answered, and when.
    pub step: RequestStep,
}

/// A request between organs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganRequest {
    /// Its id.
    pub id: RequestId,
    /// What is asked.
    pub kind: RequestKind,
    /// What it is about.
    pub about: RequestAbout,
    /// The asking organisation.
    pub from: OrgId,
    /// The organisation asked.
    pub to: OrgId,
    /// Digest of the question or the request letter.
    pub question: Hash,
    /// Who asked, and when.
    pub asked: RequestStep,
    /// Where it stands.
    pub state: RequestState,
    /// The answer, once given.
    pub answer: Option<RequestAnswer>,
}

impl Canonical for OrganRequest {
    const KIND: &'static str = "request";
    const MAX_ENCODED_LEN: usize = 4 * 1024;
}

/// The request clocks of a new chain's parameters: each starts at the ask
/// (its `start` names the request kinds) and stops at the answer. No
/// checked source fixes either period (Opinions-2011 item (二) asks the
/// agency to assist without a number), so both are UNVERIFIED parameters.
pub fn deadline_rules() -> Vec<DeadlineRule> {
    let rule = |id: &str, kinds: &[RequestKind], limit: u32, actor: &str| DeadlineRule {
        id: id.into(),
        scope: RuleScope::Request,
        on: Vec::new(),
        start: kinds.iter().map(|kind| kind.name().to_owned()).collect(),
        stop: vec![ANSWER.to_owned()],
        outcome: None,
        limit,
        unit: TimeUnit::CalendarDay,
        kind: ClockKind::Duty,
        actor: actor.into(),
        source: "Opinions-2011 item (二) (period is a parameter)".into(),
        verified: Verification::Unverified,
        overrides: Vec::new(),
        extension: None,
        pause: None,
    };
    let assistance: Vec<RequestKind> = RequestKind::ALL
        .iter()
        .copied()
        .filter(|kind| kind.is_assistance())
        .collect();
    vec![
        rule(CONSULTATION_RULE, &[RequestKind::Consultation], 7, "ASKED"),
        rule(ASSISTANCE_RULE, &assistance, 15, "ASKED"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_cover_every_kind_once() {
        let rules = deadline_rules();
        for kind in RequestKind::ALL {
            let covering = rules
                .iter()
                .filter(|rule| rule.start.iter().any(|s| s == kind.name()))
                .count();
            assert_eq!(covering, 1, "{kind}");
        }
        assert_eq!(
            RequestId::for_tx(&Hash([1; 32])).as_str(),
            "REQ-0101010101010101"
        );
    }
}
