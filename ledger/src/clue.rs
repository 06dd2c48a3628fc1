//! Clues (线索): what may start a case, sent from one organ to another
//! before any case exists (DOMAIN §b.1 S0, T2a, D9; docs/clue.md).
//!
//! A clue is sent by an officer of `from` to `to` and answered by `to`:
//!
//! ```text
//!   sent ──accept──▶ accepted ──convert──▶ converted (a case, or a filing)
//!     │                 │
//!     ├──decline────────┴──decline──▶ not-actionable (reasons, the head decides)
//!     └──forward────────┴──forward──▶ forwarded (a new clue to the competent organ)
//! ```
//!
//! Stored under `clue/<id>` as [`Clue`]; listed under the index
//! `index/clue/org/<org>` of every organisation it concerns. No personal information
//! is kept: a legal person is its 统一社会信用代码, a natural person the
//! salted hash of the identity number ([`person_subject`]), the matter a
//! short code, the material and the reasons digests.

use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::KeyId;
use crate::deadline::{ClockKind, DeadlineRule, RuleScope, TimeUnit, Verification};
use crate::hash::{hash_parts, Domain, Hash};
pub use crate::ids::ClueId;
use crate::ids::{CaseId, OrgId};

/// Most material digests on one clue.
pub const MAX_CLUE_MATERIALS: usize = 16;
/// Longest matter code, in bytes.
pub const MAX_MATTER_LEN: usize = 64;
/// Most organs a clue passes through, its first sender and its last
/// receiver included: a forward beyond that is refused
/// (`clue_forwarded_too_often`).
pub const MAX_CLUE_HOPS: usize = 8;
/// Bytes of the organisations' person salt.
pub const PERSON_SALT_LEN: usize = 32;

crate::case::named_enum! {
    /// Where a clue came from.
    pub enum ClueSource {
        /// The 12345 government service hotline.
        Hotline12345 = "hotline-12345",
        /// A complaint (投诉).
        Complaint = "complaint",
        /// A report (举报).
        Report = "report",
        /// A risk model's alert.
        RiskModel = "risk-model",
        /// A 双随机 random inspection's finding.
        RandomInspection = "random-inspection",
        /// Another organ's own work.
        AnotherOrgan = "another-organ",
    }
}

crate::case::named_enum! {
    /// Where a clue stands.
    pub enum ClueState {
        /// Sent, not yet answered.
        Sent = "sent",
        /// The receiver accepted it and is examining it.
        Accepted = "accepted",
        /// It became a case (or, at a judicial organ, a filing).
        Converted = "converted",
        /// The receiver's head decided it is not actionable.
        NotActionable = "not-actionable",
        /// The receiver sent it on to the competent organ.
        Forwarded = "forwarded",
    }
}

crate::case::named_enum! {
    /// A step of a clue, as the chain records it.
    pub enum ClueAction {
        /// The sender sends it.
        Send = "send",
        /// The receiver accepts it.
        Accept = "accept",
        /// The receiver's head declines it as not actionable, with reasons.
        Decline = "decline",
        /// The receiver forwards it to the competent organ.
        Forward = "forward",
        /// The receiver converts it into a case (an agency, by opening the
        /// case with the clue as its lead) or records its filing decision
        /// (police, procuratorate, supervisory commission).
        Convert = "convert",
    }
}

/// Whom a clue concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClueSubject {
    /// A legal person, by its 统一社会信用代码 (checksum-validated, normalised).
    LegalPerson(String),
    /// A natural person, by [`person_subject`] of the identity number.
    NaturalPerson(Hash),
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClueStep {
    /// What happened.
    pub action: ClueAction,
    /// The acting organisation.
    pub org: OrgId,
    /// The officer who signed.
    pub officer: KeyId,
    /// Height.
    pub height: u64,
    /// Block time (Unix ms).
    pub time_ms: u64,
    /// Digest of the reasons (decline, forward) or of the filing decision
    /// (convert at a judicial organ).
    pub document: Option<Hash>,
    /// The transaction.
    pub tx: Hash,
}

/// A clue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clue {
    /// Its id.
    pub id: ClueId,
    /// Where it came from.
    pub source: ClueSource,
    /// Whom it concerns.
    pub subject: ClueSubject,
    /// What it is about: a short code (`food-safety/expired`), never text.
    pub matter: String,
    /// A duty crime by a public official (D9): only a procuratorate or a
    /// supervisory commission may receive it.
    pub duty_crime: bool,
    /// The sending organisation.
    pub from: OrgId,
    /// The receiving organisation.
    pub to: OrgId,
    /// The date the sender received it (`yyyymmdd`).
    pub received_on: u32,
    /// Digests of the material sent with it.
    pub materials: Vec<Hash>,
    /// The clue this one forwards, if any.
    pub forwards: Option<ClueId>,
    /// The organisations that sent it before `from`, first sender first:
    /// each sees what became of it.
    pub earlier_senders: Vec<OrgId>,
    /// Where it stands.
    pub state: ClueState,
    /// The clue it was forwarded as.
    pub forwarded_as: Option<ClueId>,
    /// The case it became (at an agency).
    pub case: Option<CaseId>,
    /// What happened, oldest first; the first step is the sending.
    pub steps: Vec<ClueStep>,
}

impl Clue {
    /// Whether `org` may follow this clue: its sender, its receiver or an
    /// earlier sender.
    pub fn concerns(&self, org: &OrgId) -> bool {
        self.from == *org || self.to == *org || self.earlier_senders.contains(org)
    }

    /// When it was sent (Unix ms).
    pub fn sent_at_ms(&self) -> u64 {
        self.steps.first().map_or(0, |step| step.time_ms)
    }
}

impl Canonical for Clue {
    const KIND: &'static str = "clue";
    const MAX_ENCODED_LEN: usize = 8 * 1024;
}

/// The receiver's clock to answer a clue: accept, decline or forward it.
pub const CLUE_RESPONSE_RULE: &str = "CLUE_RESPONSE";
/// The receiver's clock, once it accepted a clue, to convert, decline or
/// forward it.
pub const CLUE_DECISION_RULE: &str = "CLUE_DECISION";

/// The clue clocks of a new chain's parameters. No checked source fixes
/// either period for clues in general (local rules set them: 12345 work
/// orders are commonly answered within days), so both are UNVERIFIED
/// parameters that governance changes.
pub fn deadline_rules() -> Vec<DeadlineRule> {
    let rule = |id: &str, start: &[ClueAction], stop: &[ClueAction], limit: u32| DeadlineRule {
        id: id.into(),
        scope: RuleScope::Clue,
        on: Vec::new(),
        start: start.iter().map(|a| a.name().to_owned()).collect(),
        stop: stop.iter().map(|a| a.name().to_owned()).collect(),
        outcome: None,
        limit,
        unit: TimeUnit::CalendarDay,
        kind: ClockKind::Duty,
        actor: "RECEIVER".into(),
        source: "local clue-handling rules (period is a parameter)".into(),
        verified: Verification::Unverified,
        overrides: Vec::new(),
        extension: None,
        pause: None,
    };
    use ClueAction::{Accept, Convert, Decline, Forward, Send};
    vec![
        rule(
            CLUE_RESPONSE_RULE,
            &[Send],
            &[Accept, Decline, Forward, Convert],
            7,
        ),
        rule(
            CLUE_DECISION_RULE,
            &[Accept],
            &[Decline, Forward, Convert],
            30,
        ),
    ]
}

/// The subject hash of a natural person: BLAKE3 under
/// `"xianjie 2026-12 person subject v1"` of the organisations' 32-byte salt
/// and the identity number in ASCII upper case (`X` as the check
/// character; full-width digits and `Ｘ`, as a Chinese input method types
/// them, read as ASCII), surrounding white space removed.
/// The salt stays off chain with the organisations, so a holder matches a
/// person across clues and cases and nobody else can try numbers.
pub fn person_subject(salt: &[u8; PERSON_SALT_LEN], identity_number: &str) -> Hash {
    let normalised: String = identity_number
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            'Ｘ' | 'ｘ' => 'X',
            _ => c.to_ascii_uppercase(),
        })
        .collect();
    hash_parts(Domain::PersonSubject, &[salt, normalised.as_bytes()])
}

/// How a case names a natural person in its `entity` field: this prefix and
/// the 64 lower-case hex digits of [`person_subject`].
pub const PERSON_CODE_PREFIX: &str = "person:";

/// The `entity` of a case about a natural person: `person:` and the hex of
/// the subject hash.
pub fn person_code(subject: &Hash) -> String {
    format!("{PERSON_CODE_PREFIX}{}", subject.to_hex())
}

/// Whether `text` is a [`person_code`] (exactly the prefix and 64 lower-case
/// hex digits).
pub fn is_person_code(text: &str) -> bool {
    text.strip_prefix(PERSON_CODE_PREFIX).is_some_and(|hex| {
        hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Whether `matter` is a matter code: 1 to [`MAX_MATTER_LEN`] bytes of ASCII
/// letters, digits and `. _ : / -`.
pub fn check_matter(matter: &str) -> Result<(), String> {
    crate::deposit::check_label(matter, MAX_MATTER_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_subject_depends_on_the_salt_and_not_on_case() {
        let salt = [7u8; PERSON_SALT_LEN];
        let upper = person_subject(&salt, "11010519491231002X");
        assert_eq!(upper, person_subject(&salt, " 11010519491231002x "));
        assert_eq!(
            upper,
            person_subject(&salt, "１１０１０５１９４９１２３１００２Ｘ")
        );
        assert_ne!(
            upper,
            person_subject(&[8u8; PERSON_SALT_LEN], "11010519491231002X")
        );
        assert_ne!(upper, person_subject(&salt, "110105194912310029"));
    }

    #[test]
    fn person_codes_are_the_prefix_and_the_hex_of_the_subject() {
        let subject = person_subject(&[7u8; PERSON_SALT_LEN], "11010519491231002X");
        let code = person_code(&subject);
        assert!(code.starts_with("person:") && code.len() == 71);
        assert!(is_person_code(&code));
        assert!(!is_person_code(&code.to_uppercase()));
        assert!(!is_person_code(&code[..70]));
        assert!(!is_person_code("person:11010519491231002X"));
        assert!(!is_person_code("91330100MA2H3K4L50"));
    }

    #[test]
    fn names_are_stable() {
        assert_eq!(ClueSource::Hotline12345.name(), "hotline-12345");
        assert_eq!(
            "not-actionable".parse::<ClueState>(),
            Ok(ClueState::NotActionable)
        );
        assert_eq!(
            ClueId::for_tx(&Hash([0xab; 32])).as_str(),
            "CLUE-abababababababab"
        );
    }
}
