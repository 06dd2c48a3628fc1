//! The 统一社会信用代码 (unified social credit code, USCC) check of
//! GB 32100-2015, exactly as DOMAIN.md §h.1–h.2 describes it.
//!
//! Layout of the 18 characters: department code (1), organisation category
//! (2), the registering authority's administrative division code (3–8,
//! digits), subject identifier (9–17) and a check character (18). Only the
//! charset, the division digits and the check character are validated: the
//! department and category codes are not (the published lists disagree, see
//! §h.1), and the division code is never compared with the current division
//! list because codes of abolished divisions remain on valid USCCs (§h.4).

use xianjie_ledger::params::Params;

/// The 31-character code alphabet: digits and upper-case letters without
/// I, O, S, V and Z. A character's value is its index.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Length of a code.
pub const USCC_LEN: usize = 18;

/// Weight of position i (1-based) is 3^(i-1) mod 31.
const WEIGHTS: [u32; USCC_LEN - 1] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The modulus: the alphabet's size.
const MODULUS: u32 = 31;

/// Positions (0-based, half-open) of the administrative division code.
const REGION: std::ops::Range<usize> = 2..8;

/// Why a string is not a valid USCC.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters after removing spaces and hyphens.
    #[error(
        "a USCC has 18 characters, found {found}; copy the code again from the business licence"
    )]
    Length {
        /// Characters found.
        found: usize,
    },
    /// A character outside the code alphabet.
    #[error("character {character:?} at position {position} is not allowed (I, O, S, V and Z never occur); check for a mistyped letter or digit")]
    Charset {
        /// 1-based position.
        position: usize,
        /// The character.
        character: char,
    },
    /// Positions 3–8 are not all digits.
    #[error("positions 3-8 must be the 6-digit division code, found {found:?}; check the code")]
    RegionDigits {
        /// The six characters found.
        found: String,
    },
    /// The check character does not match.
    #[error("check character is {found} but the first 17 characters give {expected}; check for a mistyped character")]
    Checksum {
        /// The computed check character.
        expected: char,
        /// The check character in the code.
        found: char,
    },
}

/// Upper-cases ASCII letters and removes spaces and hyphens, the forms in
/// which codes are usually written or pasted.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|&c| c != ' ' && c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The value of a character of the code alphabet.
fn value_of(character: char) -> Option<u32> {
    ALPHABET
        .find(character)
        .and_then(|index| u32::try_from(index).ok())
}

/// The alphabet character of a value below 31.
fn character_of(value: u32) -> Option<char> {
    ALPHABET.chars().nth(usize::try_from(value).ok()?)
}

/// The check character for the first 17 characters of a code (already
/// normalised), or `None` if they are not 17 alphabet characters.
pub fn check_character(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17.chars().map(value_of).collect::<Option<_>>()?;
    if values.len() != WEIGHTS.len() {
        return None;
    }
    let sum: u32 = values
        .iter()
        .zip(WEIGHTS)
        .map(|(value, weight)| value * weight)
        .sum();
    character_of((MODULUS - sum % MODULUS) % MODULUS)
}

/// Validates a code under the chain's parameters (their allow-list of
/// pilot-era codes included) and returns its normalised form.
pub fn validate_on_chain(code: &str, params: &Params) -> Result<String, UsccError> {
    validate_with_allow_list(code, &params.uscc_allow_list)
}

/// Validates a code and returns its normalised form.
pub fn validate(code: &str) -> Result<String, UsccError> {
    let normalized = normalize(code);
    let characters: Vec<char> = normalized.chars().collect();
    if characters.len() != USCC_LEN {
        return Err(UsccError::Length {
            found: characters.len(),
        });
    }
    if let Some((index, &character)) = characters
        .iter()
        .enumerate()
        .find(|(_, &c)| value_of(c).is_none())
    {
        return Err(UsccError::Charset {
            position: index + 1,
            character,
        });
    }
    let region = &characters[REGION];
    if !region.iter().all(char::is_ascii_digit) {
        return Err(UsccError::RegionDigits {
            found: region.iter().collect(),
        });
    }
    let body: String = characters[..USCC_LEN - 1].iter().collect();
    let found = characters[USCC_LEN - 1];
    // The body is 17 alphabet characters (checked above), so this is Some.
    let expected = check_character(&body).ok_or(UsccError::Length {
        found: characters.len(),
    })?;
    if expected != found {
        return Err(UsccError::Checksum { expected, found });
    }
    Ok(normalized)
}

/// Like [`validate`], but accepts a code on `allow` whose only fault is its
/// check character: some genuine pilot-era codes (DOMAIN §h.4, e.g.
/// `91350100M0001TGQXM`) were issued before the rule was enforced. Entries
/// are compared after normalisation. Length, charset and division errors are
/// never overridden, since no issued code has them.
pub fn validate_with_allow_list(
    code: &str,
    allow: &[impl AsRef<str>],
) -> Result<String, UsccError> {
    match validate(code) {
        Err(UsccError::Checksum { expected, found }) => {
            let normalized = normalize(code);
            if allow
                .iter()
                .any(|entry| normalize(entry.as_ref()) == normalized)
            {
                Ok(normalized)
            } else {
                Err(UsccError::Checksum { expected, found })
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// DOMAIN §h.4, the whole table.
    #[test]
    fn reference_vectors() {
        assert_eq!(
            validate("91110000600037341L").unwrap(),
            "91110000600037341L"
        );
        assert_eq!(
            validate("91109832D6GKLGLL80").unwrap(),
            "91109832D6GKLGLL80"
        );
        assert_eq!(
            validate("91544099AUKP0T4KXY").unwrap(),
            "91544099AUKP0T4KXY"
        );
        assert_eq!(
            validate("N2330106MA2B3C4D1G").unwrap(),
            "N2330106MA2B3C4D1G"
        );
        assert_eq!(
            validate("91350100M0001TGQXM"),
            Err(UsccError::Checksum {
                expected: '1',
                found: 'M'
            })
        );
        assert_eq!(
            validate("91110000600037341l").unwrap(),
            "91110000600037341L"
        );
    }

    #[test]
    fn check_characters_of_the_vectors() {
        assert_eq!(check_character("91110000600037341"), Some('L'));
        // S mod 31 = 0 maps to '0', not to an out-of-range 31.
        assert_eq!(check_character("91109832D6GKLGLL8"), Some('0'));
        assert_eq!(check_character("91544099AUKP0T4KX"), Some('Y'));
        assert_eq!(check_character("9111000060003734"), None);
        assert_eq!(check_character("911100006000373411"), None);
        assert_eq!(check_character("9111000060003734I"), None);
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut power = 1u32;
        for weight in WEIGHTS {
            assert_eq!(weight, power);
            power = power * 3 % MODULUS;
        }
    }

    #[test]
    fn normalisation_strips_spaces_and_hyphens_and_upper_cases() {
        assert_eq!(normalize(" 9111-0000 6000-3734 1l "), "91110000600037341L");
        assert_eq!(
            validate("9111 0000 6000 3734 1L").unwrap(),
            "91110000600037341L"
        );
        assert_eq!(
            validate("91110000-600037341-L").unwrap(),
            "91110000600037341L"
        );
    }

    #[test]
    fn each_kind_of_error() {
        assert_eq!(
            validate("9111000060003734"),
            Err(UsccError::Length { found: 16 })
        );
        assert_eq!(validate(""), Err(UsccError::Length { found: 0 }));
        assert_eq!(
            validate("91110000600037341O"),
            Err(UsccError::Charset {
                position: 18,
                character: 'O'
            })
        );
        assert_eq!(
            validate("9111000060003734１L"),
            Err(UsccError::Charset {
                position: 17,
                character: '１'
            })
        );
        assert_eq!(
            validate("91A10000600037341L"),
            Err(UsccError::RegionDigits {
                found: "A10000".into()
            })
        );
    }

    #[test]
    fn unknown_department_codes_are_not_rejected() {
        // Department 'Y' and 'A', category 'Q': charset and checksum only.
        for prefix in ["Y1", "A1", "NQ", "31"] {
            let body = format!("{prefix}330106MA2B3C4D1");
            let check = check_character(&body).unwrap();
            assert!(validate(&format!("{body}{check}")).is_ok(), "{prefix}");
        }
    }

    #[test]
    fn allow_list_overrides_only_a_checksum_failure() {
        let pilot = "91350100M0001TGQXM";
        assert_eq!(validate_with_allow_list(pilot, &[pilot]).unwrap(), pilot);
        assert_eq!(
            validate_with_allow_list("9135 0100 m000 1tgqxm", &["91350100-M0001TGQXM"]).unwrap(),
            pilot
        );
        assert!(matches!(
            validate_with_allow_list(pilot, &["91110000600037341L"]),
            Err(UsccError::Checksum { .. })
        ));
        assert!(matches!(
            validate_with_allow_list("9135010", &["9135010"]),
            Err(UsccError::Length { .. })
        ));
        assert_eq!(
            validate_with_allow_list("91110000600037341L", &[] as &[&str]).unwrap(),
            "91110000600037341L"
        );
    }

    /// Replaces the character at `index` of an ASCII code.
    fn with_character(code: &str, index: usize, character: char) -> String {
        code.chars()
            .enumerate()
            .map(|(i, c)| if i == index { character } else { c })
            .collect()
    }

    /// Every single-character change of a valid code is detected: the
    /// weights are non-zero modulo the prime 31, so a changed value in
    /// positions 1–17 always changes the sum modulo 31.
    fn assert_every_single_change_is_invalid(code: &str) {
        for index in 0..USCC_LEN {
            for replacement in ALPHABET
                .chars()
                .filter(|&c| Some(c) != code.chars().nth(index))
            {
                let changed = with_character(code, index, replacement);
                assert!(
                    validate(&changed).is_err(),
                    "{changed} (from {code}) was accepted"
                );
            }
        }
    }

    #[test]
    fn changing_any_one_character_of_a_reference_code_invalidates_it() {
        for code in [
            "91110000600037341L",
            "91109832D6GKLGLL80",
            "91544099AUKP0T4KXY",
            "N2330106MA2B3C4D1G",
        ] {
            assert_every_single_change_is_invalid(code);
        }
    }

    #[test]
    fn changing_any_one_character_of_random_valid_codes_invalidates_it() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(32100);
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        for _ in 0..200 {
            let body: String = (0..USCC_LEN - 1)
                .map(|i| {
                    if REGION.contains(&i) {
                        char::from(b'0' + rng.gen_range(0..10u8))
                    } else {
                        alphabet[rng.gen_range(0..alphabet.len())]
                    }
                })
                .collect();
            let code = format!("{body}{}", check_character(&body).unwrap());
            assert_eq!(validate(&code).unwrap(), code);
            assert_every_single_change_is_invalid(&code);
        }
    }
}
