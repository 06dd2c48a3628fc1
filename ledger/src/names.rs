//! The names of the ledger's enums as people type and read them: the same
//! strings as their JSON (`kebab-case` for categories and custody actions,
//! `snake_case` for roles, levels and organisation kinds), with [`FromStr`]
//! that lists the allowed names when a name is wrong, and [`fmt::Display`].
//! An enum may also accept other spellings ([`OrgKind::SPELLINGS`]: the
//! command line's `kebab-case` for organisation kinds).

use std::fmt;
use std::str::FromStr;

use crate::model::{CustodyAction, EvidenceCategory, OrgKind, OrgLevel, Role};

/// A name that is not one of an enum's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What was being named, e.g. `evidence category`.
    pub what: &'static str,
    /// The name given.
    pub given: String,
    /// Every allowed name.
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a {}; use one of: {}",
            self.given,
            self.what,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

macro_rules! names {
    ($type:ident, $what:literal, [$($variant:ident = $name:literal,)*]) => {
        names!($type, $what, [$($variant = $name,)*], also []);
    };
    (
        $type:ident,
        $what:literal,
        [$($variant:ident = $name:literal,)*],
        also [$($other:ident = $spelling:literal,)*]
    ) => {
        impl $type {
            /// Every value with its name, in declaration order.
            pub const NAMES: &'static [($type, &'static str)] = &[$(($type::$variant, $name),)*];

            /// Other spellings that [`FromStr`] accepts besides the names.
            pub const SPELLINGS: &'static [($type, &'static str)] = &[$(($type::$other, $spelling),)*];

            /// The name, as in JSON.
            pub fn name(self) -> &'static str {
                match self {
                    $($type::$variant => $name,)*
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $type {
            type Err = UnknownName;

            fn from_str(text: &str) -> Result<Self, UnknownName> {
                $type::NAMES
                    .iter()
                    .chain($type::SPELLINGS)
                    .find(|(_, name)| *name == text)
                    .map(|(value, _)| *value)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        given: text.to_owned(),
                        allowed: $type::NAMES.iter().map(|(_, name)| *name).collect(),
                    })
            }
        }
    };
}

names!(
    EvidenceCategory,
    "evidence category",
    [
        Physical = "physical",
        Documentary = "documentary",
        Audiovisual = "audiovisual",
        Electronic = "electronic",
        Appraisal = "appraisal",
        InspectionRecord = "inspection-record",
        OnsiteRecord = "onsite-record",
        Witness = "witness",
        Party = "party",
        EnvironmentalMonitoring = "environmental-monitoring",
        AccidentInvestigation = "accident-investigation",
        VictimStatement = "victim-statement",
    ]
);

names!(
    CustodyAction,
    "custody action",
    [
        Transfer = "transfer",
        Receive = "receive",
        Seal = "seal",
        Examine = "examine",
        Store = "store",
        Return = "return",
        Destroy = "destroy",
        Cancel = "cancel",
        Refuse = "refuse",
    ]
);

names!(
    Role,
    "role",
    [Officer = "officer", Head = "head", Admin = "admin",]
);

names!(
    OrgLevel,
    "administrative level",
    [
        National = "national",
        Provincial = "provincial",
        Prefecture = "prefecture",
        County = "county",
    ]
);

names!(
    OrgKind,
    "kind of organisation",
    [
        AdministrativeAgency = "administrative_agency",
        Police = "police",
        Procuratorate = "procuratorate",
        Court = "court",
        TestingBody = "testing_body",
        GovernmentOffice = "government_office",
        SupervisoryCommission = "supervisory_commission",
    ],
    also [
        AdministrativeAgency = "administrative-agency",
        TestingBody = "testing-body",
        GovernmentOffice = "government-office",
        SupervisoryCommission = "supervisory-commission",
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    fn json_name<T: serde::Serialize>(value: &T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn names_are_the_json_names_and_parse_back() {
        for (category, name) in EvidenceCategory::NAMES {
            assert_eq!(json_name(category), *name);
            assert_eq!(name.parse::<EvidenceCategory>().unwrap(), *category);
        }
        assert_eq!(EvidenceCategory::NAMES.len(), EvidenceCategory::ALL.len());
        for (action, name) in CustodyAction::NAMES {
            assert_eq!(json_name(action), *name);
            assert_eq!(name.parse::<CustodyAction>().unwrap(), *action);
        }
        for (role, name) in Role::NAMES {
            assert_eq!(json_name(role), *name);
            assert_eq!(role.to_string(), *name);
        }
        for (level, name) in OrgLevel::NAMES {
            assert_eq!(json_name(level), *name);
            assert_eq!(name.parse::<OrgLevel>().unwrap(), *level);
        }
        for (kind, name) in OrgKind::NAMES {
            assert_eq!(json_name(kind), *name);
            assert_eq!(name.parse::<OrgKind>().unwrap(), *kind);
        }
    }

    /// The command line spells kinds with dashes; both spellings parse to
    /// the same kind, and a wrong one lists the names.
    #[test]
    fn org_kinds_parse_in_both_spellings() {
        for (kind, spelling) in OrgKind::SPELLINGS {
            assert_eq!(spelling.parse::<OrgKind>().unwrap(), *kind);
            assert_eq!(spelling.replace('-', "_"), kind.name());
        }
        assert_eq!(
            "testing-body".parse::<OrgKind>().unwrap(),
            OrgKind::TestingBody
        );
        let error = "bureau".parse::<OrgKind>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"bureau\" is not a kind of organisation; use one of: administrative_agency, police, procuratorate, court, testing_body, government_office, supervisory_commission"
        );
    }

    #[test]
    fn a_wrong_name_lists_the_allowed_ones() {
        let error = "sealed".parse::<CustodyAction>().unwrap_err().to_string();
        assert!(error.contains("custody action"), "{error}");
        assert!(error.contains("transfer, receive, seal"), "{error}");
    }
}
