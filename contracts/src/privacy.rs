//! Personal identifiers in the chain's free text: a case title and lead
//! reference, an anchor's capture method, tool and case reference, a result's
//! scope, a clue's matter, and the name of an organisation proposed for
//! membership; and identity numbers posing as 统一社会信用代码 (about one
//! valid identity number in 31 passes the USCC check) in the entity and
//! laboratory codes of cases, results and clues and a new member's code.
//!
//! The chain keeps no personal information: documents that name people live
//! in the vault and appear on chain as digests. Free text is where personal
//! information slips in anyway. Names cannot be recognised reliably, but the
//! identifiers that do the most harm once they are on every agency's copy of
//! the ledger can: a resident identity card number (GB 11643-1999, with its
//! check character), a mainland mobile number and an e-mail address. A field
//! holding one is refused before anything is written; the refusal names the
//! kind of identifier, never the text.
//!
//! Full-width digits, `Ｘ` and `＠`, the ideographic space and `。` (as a
//! Chinese input method types them) are read as their ASCII forms, so they do
//! not slip past. An identifier must stand alone (no ASCII letter or digit
//! touching it), and a mobile number must begin with a mobile segment; 3-4-4
//! grouped digits count only after a phone cue. An 18-digit number with a
//! date at positions 7-14 and a matching check character is refused as an
//! identity card number whatever it was meant to be (about one in eleven
//! such numbers has the matching character); write such a number with a
//! separator inside it.
//!
//! [`check_call`] needs no state. Nodes run it when they admit a transaction
//! and on every proposal, so such text never reaches a block; the contracts
//! run it again when they execute a call.

use std::fmt;

use xianjie_ledger::clue::ClueSubject;
use xianjie_ledger::governance::Change;
use xianjie_ledger::inspection::LabRef;
use xianjie_ledger::tx::Call;

use crate::error::ContractError;

/// Refuses a call whose free text holds a personal identifier
/// (`personal_information`, naming the field and the kind found).
pub fn check_call(call: &Call) -> Result<(), ContractError> {
    let fields: Vec<(&'static str, &str)> = match call {
        Call::OpenCase(open) => {
            let mut fields = vec![("title", open.title.as_str())];
            fields.extend(
                open.lead
                    .reference
                    .as_deref()
                    .map(|r| ("lead.reference", r)),
            );
            fields
        }
        Call::AnchorEvidence(anchor) => {
            let mut fields = vec![
                ("capture_method", anchor.capture_method.as_str()),
                ("capture_tool", anchor.capture_tool.as_str()),
            ];
            fields.extend(anchor.case_id.as_ref().map(|id| ("case_id", id.as_str())));
            fields
        }
        Call::Propose(propose) => match &propose.change {
            Change::AddOrg(new) => vec![("change.org.name", new.org.name.as_str())],
            Change::ThresholdRule(rule) => vec![
                ("change.rule.crime", rule.crime.as_str()),
                ("change.rule.source", rule.source.as_str()),
            ],
            _ => Vec::new(),
        },
        Call::RecordInspection(result) => vec![("scope", result.scope.as_str())],
        Call::RecordRetest(retest) => vec![("result.scope", retest.result.scope.as_str())],
        Call::SendClue(clue) => vec![("matter", clue.matter.as_str())],
        Call::RecordDeposit(deposit) => vec![
            ("court_chain", deposit.court_chain.as_str()),
            ("deposit_id", deposit.deposit_id.as_str()),
        ],
        Call::SetInspectionItem(item) => vec![
            ("item", item.item.as_str()),
            ("basis", item.basis.as_str()),
            ("method", item.method.as_str()),
        ],
        Call::SetInspector(inspector) => vec![("certificate", inspector.certificate.as_str())],
        _ => Vec::new(),
    };
    for (field, text) in fields {
        if let Some(found) = find_personal_identifier(text) {
            return Err(ContractError::PersonalInformation { field, found });
        }
    }
    // A person code is a hash in hex: its digits are no identifier, and
    // reading them as one would refuse a case about a person at random.
    let codes = entity_codes(call).into_iter();
    for (field, code) in codes.filter(|(_, code)| !xianjie_ledger::clue::is_person_code(code)) {
        // A code is stored normalised (`uscc::normalize`): separators that
        // split an identity number in the text are gone on chain, so the
        // normalised form is what must not be one.
        let normalised: String = code
            .chars()
            .map(to_ascii_form)
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if let Some(found) = find_personal_identifier(&normalised) {
            return Err(ContractError::PersonalInformation { field, found });
        }
    }
    Ok(())
}

/// The entity codes (统一社会信用代码) a call names. About one valid
/// identity number in 31 also passes the USCC check, so a code must not be
/// one either.
fn entity_codes(call: &Call) -> Vec<(&'static str, &str)> {
    fn lab(lab: &Option<LabRef>) -> Option<&str> {
        lab.as_ref().map(|lab| lab.uscc.as_str())
    }
    match call {
        Call::OpenCase(open) => vec![("entity", open.entity.as_str())],
        Call::RecordInspection(result) => [
            ("entity", Some(result.entity.as_str())),
            ("lab.uscc", lab(&result.lab)),
        ]
        .into_iter()
        .filter_map(|(field, code)| code.map(|code| (field, code)))
        .collect(),
        Call::RecordRetest(retest) => [
            ("result.entity", Some(retest.result.entity.as_str())),
            ("result.lab.uscc", lab(&retest.result.lab)),
        ]
        .into_iter()
        .filter_map(|(field, code)| code.map(|code| (field, code)))
        .collect(),
        Call::Accredit(accredit) => vec![("lab_uscc", accredit.lab_uscc.as_str())],
        Call::Propose(propose) => match &propose.change {
            Change::AddOrg(new) => vec![("change.org.uscc", new.org.uscc.as_str())],
            _ => Vec::new(),
        },
        Call::SendClue(clue) => match &clue.subject {
            ClueSubject::LegalPerson(code) => vec![("subject", code.as_str())],
            ClueSubject::NaturalPerson(_) => Vec::new(),
        },
        // A directory of natural persons would put them on chain here:
        // the directory holds legal persons by their codes.
        Call::NameDrawnEntities(named) => named
            .rows
            .iter()
            .map(|shown| ("rows.row.entity", shown.row.entity.as_str()))
            .collect(),
        _ => Vec::new(),
    }
}

/// A kind of personal identifier found in free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalIdentifier {
    /// 居民身份证号码: 18 characters with a valid birth date and check character.
    IdentityCardNumber,
    /// A mainland mobile number (11 digits from a mobile segment, alone or
    /// after `86`/`0086`, or written 3-4-4 after a phone cue).
    MobileNumber,
    /// An e-mail address.
    EmailAddress,
}

impl fmt::Display for PersonalIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IdentityCardNumber => "a resident identity card number",
            Self::MobileNumber => "a mobile phone number",
            Self::EmailAddress => "an e-mail address",
        })
    }
}

/// The first personal identifier `text` holds, if any.
pub fn find_personal_identifier(text: &str) -> Option<PersonalIdentifier> {
    let chars: Vec<char> = text.chars().map(to_ascii_form).collect();
    if has_identity_card_number(&chars) {
        Some(PersonalIdentifier::IdentityCardNumber)
    } else if has_mobile_number(&chars) {
        Some(PersonalIdentifier::MobileNumber)
    } else if has_email_address(&chars) {
        Some(PersonalIdentifier::EmailAddress)
    } else {
        None
    }
}

/// Full-width digits, letters and `＠` as their ASCII forms, the ideographic
/// space as a space and `。` as a dot.
fn to_ascii_form(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{3002}' => '.',
        _ => c,
    }
}

/// The maximal runs of ASCII digits: (start, end) indexes.
fn digit_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, chars.len()));
    }
    runs
}

fn digits(chars: &[char]) -> Vec<u32> {
    chars.iter().filter_map(|c| c.to_digit(10)).collect()
}

/// Whether `chars[start..end]` stands alone: no ASCII letter or digit
/// touches it (`SN13812345678` is a serial number, not a phone).
fn stands_alone(chars: &[char], start: usize, end: usize) -> bool {
    let touches = |c: Option<&char>| c.is_some_and(char::is_ascii_alphanumeric);
    let before = start.checked_sub(1).and_then(|i| chars.get(i));
    !touches(before) && !touches(chars.get(end))
}

/// 18 digits, or 17 and `X`, standing alone, with a valid birth date and
/// check character (ISO 7064 MOD 11-2).
fn has_identity_card_number(chars: &[char]) -> bool {
    digit_runs(chars).into_iter().any(|(start, end)| {
        let (check, last) = match end - start {
            18 => (chars[end - 1], end),
            17 if matches!(chars.get(end), Some('X' | 'x')) => ('X', end + 1),
            _ => return false,
        };
        let body = digits(&chars[start..start + 17]);
        stands_alone(chars, start, last)
            && valid_birth_date(&body[6..14])
            && identity_check_character(&body) == check
    })
}

fn valid_birth_date(date: &[u32]) -> bool {
    let number = |part: &[u32]| part.iter().fold(0, |acc, d| acc * 10 + d);
    let (year, month, day) = (number(&date[..4]), number(&date[4..6]), number(&date[6..]));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&year) && (1..=days).contains(&day)
}

/// GB 11643-1999: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11,
/// 10 written `X`.
fn identity_check_character(body: &[u32]) -> char {
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, d)| d * ((1u32 << (17 - i)) % 11))
        .sum();
    match (12 - sum % 11) % 11 {
        10 => 'X',
        value => char::from_digit(value, 10).unwrap_or('?'),
    }
}

/// 11 digits that begin with a mainland mobile number segment (13x, 145–149,
/// 15x but 154, 162/165–167, 170–178, 18x, 19x but 194).
fn is_mobile(digits: &[u32]) -> bool {
    digits.len() == 11
        && digits[0] == 1
        && match (digits[1], digits[2]) {
            (3 | 8, _) => true,
            (4, third) => third >= 5,
            (5 | 9, third) => third != 4,
            (6, third) => matches!(third, 2 | 5 | 6 | 7),
            (7, third) => third <= 8,
            _ => false,
        }
}

/// A mobile number, alone or after `86` / `0086`.
fn is_mobile_run(run: &[u32]) -> bool {
    match run.len() {
        11 => is_mobile(run),
        13 => run[..2] == [8, 6] && is_mobile(&run[2..]),
        15 => run[..4] == [0, 0, 8, 6] && is_mobile(&run[4..]),
        _ => false,
    }
}

/// Words that introduce a phone number.
const PHONE_CUES: [&str; 10] = [
    "+86",
    "86",
    "电话",
    "手机",
    "手机号",
    "号码",
    "联系",
    "tel",
    "phone",
    "mobile",
];

/// Whether a phone cue comes right before `start` (separators and colons
/// between them allowed).
fn phone_cue_before(chars: &[char], start: usize) -> bool {
    let before: String = chars[start.saturating_sub(10)..start].iter().collect();
    let before = before
        .trim_end_matches([' ', '-', ':', '('])
        .to_ascii_lowercase();
    PHONE_CUES.iter().any(|cue| before.ends_with(cue))
}

/// A standalone run of 11 digits from a mobile segment (or `86`/`0086` and
/// one), or the 11 written as 3-4-4 groups joined by single spaces or
/// hyphens after a phone cue (`电话 138-1234-5678`, `+86 138 1234 5678`):
/// without the cue, grouped digits are as likely a lot number.
fn has_mobile_number(chars: &[char]) -> bool {
    let runs = digit_runs(chars);
    let run_digits = |(start, end): (usize, usize)| digits(&chars[start..end]);
    let joined =
        |a: (usize, usize), b: (usize, usize)| b.0 == a.1 + 1 && matches!(chars[a.1], ' ' | '-');
    let alone = runs.iter().any(|&(start, end)| {
        stands_alone(chars, start, end) && is_mobile_run(&run_digits((start, end)))
    });
    let grouped = runs.windows(3).any(|w| {
        let lengths = [w[0].1 - w[0].0, w[1].1 - w[1].0, w[2].1 - w[2].0];
        lengths == [3, 4, 4]
            && joined(w[0], w[1])
            && joined(w[1], w[2])
            && stands_alone(chars, w[0].0, w[2].1)
            && phone_cue_before(chars, w[0].0)
            && is_mobile(&[run_digits(w[0]), run_digits(w[1]), run_digits(w[2])].concat())
    });
    alone || grouped
}

fn is_local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// `local@domain.tld`: a local part, a domain with a dot, a top-level
/// domain of two letters or more.
fn has_email_address(chars: &[char]) -> bool {
    chars.iter().enumerate().any(|(at, c)| {
        if *c != '@' || at == 0 || !is_local_part_char(chars[at - 1]) {
            return false;
        }
        let domain: String = chars[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            .collect();
        let domain = domain.trim_end_matches('.');
        match domain.rsplit_once('.') {
            Some((host, tld)) => {
                !host.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
            }
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::PersonalIdentifier::*;
    use super::*;

    /// The sample number printed in GB 11643-1999.
    const SAMPLE_ID: &str = "11010519491231002X";

    #[test]
    fn finds_identity_card_numbers_with_a_valid_check_character() {
        assert_eq!(
            find_personal_identifier(SAMPLE_ID),
            Some(IdentityCardNumber)
        );
        assert_eq!(
            find_personal_identifier("当事人11010519491231002x销售过期食品"),
            Some(IdentityCardNumber)
        );
        // Full width, as typed with a Chinese input method.
        assert_eq!(
            find_personal_identifier("１１０１０５１９４９１２３１００２Ｘ"),
            Some(IdentityCardNumber)
        );
        // A digit as the check character.
        assert_eq!(
            find_personal_identifier("320102199003071239"),
            Some(IdentityCardNumber)
        );
    }

    #[test]
    fn numbers_that_only_look_like_identity_card_numbers_pass() {
        // Wrong check character, impossible date, one digit too many, born
        // before 1900.
        assert_eq!(find_personal_identifier("110105194912310021"), None);
        // (Month 13 and 30 February, each with the check character its
        // digits would have.)
        assert_eq!(find_personal_identifier("110105194913310021"), None);
        assert_eq!(find_personal_identifier("110105194902300020"), None);
        assert_eq!(find_personal_identifier("1101051949123100211"), None);
        assert_eq!(find_personal_identifier("440524188001010014"), None);
        // Touching letters or digits: part of a longer code.
        assert_eq!(find_personal_identifier("A11010519491231002X"), None);
        assert_eq!(find_personal_identifier("11010519491231002Xa"), None);
        // A 统一社会信用代码 and a case number.
        assert_eq!(find_personal_identifier("91330100MA2H3K4L50"), None);
        assert_eq!(find_personal_identifier("杭市监罚〔2026〕12号"), None);
    }

    #[test]
    fn finds_mobile_numbers_in_the_ways_people_write_them() {
        for text in [
            "13812345678",
            "联系电话19912345678",
            "+8613812345678",
            "+86 138 1234 5678",
            "１３８１２３４５６７８",
            "手机：138 1234 5678",
            "电话 138　1234　5678",
            "008613812345678",
            "tel: 139-1234-5678",
        ] {
            assert_eq!(find_personal_identifier(text), Some(MobileNumber), "{text}");
        }
    }

    #[test]
    fn other_numbers_are_not_mobile_numbers() {
        for text in [
            "12345678901",
            "138123456789",
            "0571-87654321",
            "2026-0701-1234",
            "批号 20260701",
            "12 1234 5678",
            // Not a mobile segment: a 16 GB image's size in bytes.
            "forensic-image 16005464064 bytes",
            // Part of a serial number.
            "SN13812345678",
            // Grouped digits without a phone cue are a lot or a weight.
            "批号 180-2026-0701",
            "样品 130 1234 5678 kg",
        ] {
            assert_eq!(find_personal_identifier(text), None, "{text}");
        }
    }

    #[test]
    fn finds_email_addresses() {
        assert_eq!(
            find_personal_identifier("zhang.san@example.cn"),
            Some(EmailAddress)
        );
        assert_eq!(
            find_personal_identifier("联系 li_si＠mail.example.com。"),
            Some(EmailAddress)
        );
        assert_eq!(
            find_personal_identifier("wang@example。cn"),
            Some(EmailAddress)
        );
        assert_eq!(find_personal_identifier("a @ b"), None);
        assert_eq!(find_personal_identifier("user@localhost"), None);
        assert_eq!(find_personal_identifier("@example.cn"), None);
    }

    fn inspection(scope: &str) -> xianjie_ledger::tx::RecordInspection {
        xianjie_ledger::tx::RecordInspection {
            entity: "91330100MA2H3K4L50".into(),
            matter: "GB2763.pesticide".into(),
            inspectors: Vec::new(),
            report_date: 20260601,
            conclusion: xianjie_ledger::inspection::Conclusion::Conforming,
            report_digest: xianjie_ledger::Hash([1; 32]),
            lab: None,
            scope: scope.into(),
            valid_until: None,
            objection: None,
        }
    }

    #[test]
    fn every_free_text_field_is_checked_and_named() {
        use xianjie_ledger::case::{LeadKind, LeadSource};
        use xianjie_ledger::tx::{OpenCase, RecordRetest};
        let open = |title: &str, reference: Option<&str>| {
            Call::OpenCase(OpenCase {
                title: title.into(),
                entity: "91330100MA2H3K4L50".into(),
                domain: "general".into(),
                lead: LeadSource {
                    kind: LeadKind::Complaint,
                    reference: reference.map(str::to_owned),
                },
            })
        };
        let field = |call: &Call| match check_call(call) {
            Err(ContractError::PersonalInformation { field, .. }) => Some(field),
            _ => None,
        };
        assert_eq!(
            field(&open("过期食品", Some("13812345678"))),
            Some("lead.reference")
        );
        assert_eq!(field(&open("过期食品 13812345678", None)), Some("title"));
        assert_eq!(field(&open("过期食品", Some("TS-2026-0001"))), None);
        let retest = |scope: &str| {
            Call::RecordRetest(RecordRetest {
                of: "INSP-0123456789abcdef".into(),
                result: inspection(scope),
            })
        };
        assert_eq!(field(&retest("lot A, li@example.cn")), Some("result.scope"));
        assert_eq!(field(&retest("lot A")), None);
        let recorded = Call::RecordInspection(inspection("lot 11010519491231002X"));
        assert_eq!(field(&recorded), Some("scope"));
    }
}
