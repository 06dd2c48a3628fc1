//! Supervision statistics and bulletins (通报): the table the contracts
//! compute from the chain at a height, its digest, and the bulletin record
//! that anchors a digest on chain.
//!
//! A [`StatsTable`] is a pure function of the state at its height (see the
//! contracts' `stats` module for the definitions of every count). Its
//! digest is BLAKE3 under [`Domain::StatsTable`] of its canonical encoding,
//! so anyone who recomputes the table at the same height with the same
//! scope gets the same digest, and a table whose numbers were changed does
//! not. Everything here is stored or hashed: fields are positional, append
//! only. No personal information: organisations, regions, domains, counts.

use serde::{Deserialize, Serialize};

use crate::codec::{encode, Canonical};
use crate::crypto::KeyId;
use crate::hash::{hash_with, Domain, Hash};
use crate::ids::OrgId;

/// Longest region (division code) in a scope.
pub const MAX_SCOPE_REGION_LEN: usize = 12;
/// Longest domain in a scope.
pub const MAX_SCOPE_DOMAIN_LEN: usize = crate::case::MAX_DOMAIN_LEN;

/// Which slice of the chain a table counts. Every field narrows; `None`
/// does not.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StatsScope {
    /// Only cases in which this organisation is a party (owner, police,
    /// procuratorate or court).
    pub org: Option<OrgId>,
    /// Only cases of this division code (the owning agency's region).
    pub region: Option<String>,
    /// Only cases of this domain (`food_drug`, `tax`, …).
    pub domain: Option<String>,
    /// First day counted (`yyyymmdd`, China local time, inclusive).
    pub from: Option<u32>,
    /// Last day counted (`yyyymmdd`, China local time, inclusive).
    pub to: Option<u32>,
}

impl StatsScope {
    /// A short text naming the scope (`org=…;region=…`), `all` when empty.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(org) = &self.org {
            parts.push(format!("org={org}"));
        }
        if let Some(region) = &self.region {
            parts.push(format!("region={region}"));
        }
        if let Some(domain) = &self.domain {
            parts.push(format!("domain={domain}"));
        }
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if parts.is_empty() {
            "all".to_owned()
        } else {
            parts.join(";")
        }
    }
}

/// The counts of one owning agency, region and domain in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRow {
    /// The administrative agency that owns the cases.
    pub org: OrgId,
    /// Its division code.
    pub region: String,
    /// The case domain.
    pub domain: String,
    /// Cases opened.
    pub opened: u64,
    /// Cases marked as suspected crimes.
    pub suspected: u64,
    /// Cases transferred to the police.
    pub transferred: u64,
    /// Cases the police filed (立案).
    pub filed: u64,
    /// Cases the police declined to file (不予立案).
    pub declined: u64,
    /// Cases under filing supervision or a procuratorial opinion (立案监督, 检察意见).
    pub supervised: u64,
    /// Cases the procuratorate ordered the police to file (通知立案).
    pub ordered_to_file: u64,
    /// Cases indicted (提起公诉).
    pub prosecuted: u64,
    /// Cases judged.
    pub judged: u64,
    /// Supervision flags raised.
    pub flags_raised: u64,
    /// Supervision flags resolved.
    pub flags_resolved: u64,
}

impl StatsRow {
    /// A row of zeros.
    pub fn new(org: OrgId, region: String, domain: String) -> StatsRow {
        StatsRow {
            org,
            region,
            domain,
            opened: 0,
            suspected: 0,
            transferred: 0,
            filed: 0,
            declined: 0,
            supervised: 0,
            ordered_to_file: 0,
            prosecuted: 0,
            judged: 0,
            flags_raised: 0,
            flags_resolved: 0,
        }
    }
}

/// The median duration of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDays {
    /// The stage, e.g. `opened-suspected`.
    pub stage: String,
    /// The median in whole calendar days (start day excluded); of an even
    /// count the lower middle value; `None` when no case completed it.
    pub median_days: Option<u64>,
    /// How many cases completed the stage in the period.
    pub cases: u64,
}

/// Overdue duties at the table's block time, by responsible party and rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueCount {
    /// The organisation holding the party's role in the case, when bound.
    pub org: Option<OrgId>,
    /// The party that must act (`AEA`, `PSB`, `PROC`, `COURT`, …).
    pub party: String,
    /// The deadline rule.
    pub rule: String,
    /// How many cases.
    pub count: u64,
}

/// The statistics of a scope at a height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsTable {
    /// The height whose state was counted.
    pub height: u64,
    /// That block's time (Unix ms): the instant overdue clocks are judged at.
    pub at_ms: u64,
    /// The scope.
    pub scope: StatsScope,
    /// Counts, sorted by organisation, region and domain.
    pub rows: Vec<StatsRow>,
    /// Median days per stage, in a fixed stage order.
    pub stage_days: Vec<StageDays>,
    /// Overdue duties, sorted by organisation, party and rule.
    pub overdue: Vec<OverdueCount>,
}

impl StatsTable {
    /// The digest a bulletin anchors: BLAKE3 under [`Domain::StatsTable`]
    /// of the canonical encoding.
    pub fn digest(&self) -> Hash {
        hash_with(Domain::StatsTable, &encode(self))
    }
}

/// A published bulletin (通报), stored under `bulletin/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    /// `BUL-` and 16 hex characters of the publishing transaction's hash.
    pub id: String,
    /// The height the table was computed at.
    pub height: u64,
    /// The scope it counts.
    pub scope: StatsScope,
    /// The digest of the table ([`StatsTable::digest`]).
    pub digest: Hash,
    /// The publishing organisation.
    pub publisher: OrgId,
    /// The signing officer.
    pub officer: KeyId,
    /// The height it was published at.
    pub published_height: u64,
    /// Block time of the publication (Unix ms).
    pub published_at_ms: u64,
    /// The transaction.
    pub tx: Hash,
}

impl Canonical for StatsScope {
    const KIND: &'static str = "stats scope";
    const MAX_ENCODED_LEN: usize = 256;
}

impl Canonical for StatsTable {
    const KIND: &'static str = "stats table";
    // Hashed, never stored: the bound only limits what a verifier decodes.
    const MAX_ENCODED_LEN: usize = 16 * 1024 * 1024;
}

impl Canonical for Bulletin {
    const KIND: &'static str = "bulletin";
    const MAX_ENCODED_LEN: usize = 1024;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> StatsTable {
        StatsTable {
            height: 7,
            at_ms: 1_000,
            scope: StatsScope {
                region: Some("330100".into()),
                ..StatsScope::default()
            },
            rows: vec![StatsRow {
                opened: 2,
                ..StatsRow::new(
                    OrgId::new("market").unwrap(),
                    "330100".into(),
                    "general".into(),
                )
            }],
            stage_days: vec![StageDays {
                stage: "opened-suspected".into(),
                median_days: Some(3),
                cases: 1,
            }],
            overdue: Vec::new(),
        }
    }

    #[test]
    fn a_changed_number_changes_the_digest() {
        let original = table();
        let mut changed = original.clone();
        changed.rows[0].opened = 3;
        assert_ne!(original.digest(), changed.digest());
        let mut later = original.clone();
        later.height = 8;
        assert_ne!(original.digest(), later.digest());
        assert_eq!(original.digest(), table().digest());
    }

    #[test]
    fn scope_describes_itself() {
        assert_eq!(StatsScope::default().describe(), "all");
        let scope = StatsScope {
            region: Some("330100".into()),
            from: Some(20260101),
            ..StatsScope::default()
        };
        assert_eq!(scope.describe(), "region=330100;from=20260101");
    }
}
