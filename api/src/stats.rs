//! The answers of `GET /v1/stats`, `GET /v1/bulletins` and
//! `GET /v1/bulletins/{id}`: supervision statistics and the bulletins (通报)
//! that anchor their digests.
//!
//! [`StatsView`] is the JSON form of `xianjie_ledger::stats::StatsTable`;
//! [`StatsView::to_table`] turns it back, so a client recomputes the digest
//! of the numbers it was given ([`StatsView::computed_digest`]) instead of
//! trusting the `digest` field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::stats::{Bulletin, OverdueCount, StageDays, StatsRow, StatsScope, StatsTable};

/// The slice a table counts; `null` fields do not narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScopeView {
    /// Cases in which this organisation is a party.
    pub org: Option<String>,
    /// Cases of this division code (the owning agency's region).
    pub region: Option<String>,
    /// Cases of this domain.
    pub domain: Option<String>,
    /// First day counted, `yyyymmdd` (China local time, inclusive).
    pub from: Option<u32>,
    /// Last day counted, `yyyymmdd` (inclusive).
    pub to: Option<u32>,
}

/// Counts of one owning agency, region and domain in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatsRowView {
    /// The owning administrative agency.
    pub org: String,
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
    /// Cases under filing supervision or a procuratorial opinion.
    pub supervised: u64,
    /// Cases the procuratorate ordered filed (通知立案).
    pub ordered_to_file: u64,
    /// Cases indicted.
    pub prosecuted: u64,
    /// Cases judged.
    pub judged: u64,
    /// Supervision flags raised.
    pub flags_raised: u64,
    /// Supervision flags resolved.
    pub flags_resolved: u64,
}

/// The median days of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageDaysView {
    /// `opened-suspected`, `suspected-transferred`,
    /// `transferred-filing-decision`, `filed-prosecution-decision` or
    /// `indicted-judged`.
    pub stage: String,
    /// Whole calendar days, start day excluded; of an even count the lower
    /// middle value; `null` when no case completed the stage.
    pub median_days: Option<u64>,
    /// Cases that completed the stage in the period.
    pub cases: u64,
}

/// Overdue duties at the table's block time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OverdueView {
    /// The organisation holding the party's role, `null` when none is bound.
    pub org: Option<String>,
    /// The party that must act (`AEA`, `PSB`, `PROC`, `COURT`, …).
    pub party: String,
    /// The deadline rule.
    pub rule: String,
    /// Cases.
    pub count: u64,
}

/// Supervision statistics of a scope at a height.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatsView {
    /// The height counted.
    pub height: u64,
    /// Its block time (Unix ms), at which overdue duties are judged.
    pub at_ms: u64,
    /// The scope.
    pub scope: ScopeView,
    /// Counts by owning agency, region and domain.
    pub rows: Vec<StatsRowView>,
    /// Median days per stage.
    pub stage_days: Vec<StageDaysView>,
    /// Overdue duties by organisation, party and rule.
    pub overdue: Vec<OverdueView>,
    /// The table's digest (hex): what a bulletin anchors.
    pub digest: String,
}

/// A published bulletin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BulletinView {
    /// `BUL-` and 16 hex characters.
    pub id: String,
    /// The height the table was computed at.
    pub height: u64,
    /// Its scope.
    pub scope: ScopeView,
    /// The anchored digest (hex).
    pub digest: String,
    /// The publishing procuratorate.
    pub publisher: String,
    /// The signing officer's key id (hex).
    pub officer: String,
    /// Height of publication.
    pub published_height: u64,
    /// Block time of publication (Unix ms).
    pub published_at_ms: u64,
    /// The publishing transaction (hex).
    pub tx: String,
}

/// Every bulletin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulletinList {
    /// The height read.
    pub height: u64,
    /// The bulletins, in publication order.
    pub bulletins: Vec<BulletinView>,
}

/// A bulletin with its table recomputed by this node.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulletinCheck {
    /// The bulletin as anchored.
    pub bulletin: BulletinView,
    /// The table recomputed at the bulletin's height with its scope.
    pub table: StatsView,
    /// Whether the recomputed digest equals the anchored one.
    pub matches: bool,
}

impl ScopeView {
    /// The JSON form of a scope.
    pub fn from_scope(scope: &StatsScope) -> ScopeView {
        ScopeView {
            org: scope.org.as_ref().map(ToString::to_string),
            region: scope.region.clone(),
            domain: scope.domain.clone(),
            from: scope.from,
            to: scope.to,
        }
    }

    /// The scope, or why an organisation id is malformed.
    pub fn to_scope(&self) -> Result<StatsScope, String> {
        Ok(StatsScope {
            org: self.org.as_deref().map(OrgId::new).transpose()?,
            region: self.region.clone(),
            domain: self.domain.clone(),
            from: self.from,
            to: self.to,
        })
    }
}

impl StatsView {
    /// The JSON form of a table, with its digest.
    pub fn from_table(table: &StatsTable) -> StatsView {
        StatsView {
            height: table.height,
            at_ms: table.at_ms,
            scope: ScopeView::from_scope(&table.scope),
            rows: table
                .rows
                .iter()
                .map(|row| StatsRowView {
                    org: row.org.to_string(),
                    region: row.region.clone(),
                    domain: row.domain.clone(),
                    opened: row.opened,
                    suspected: row.suspected,
                    transferred: row.transferred,
                    filed: row.filed,
                    declined: row.declined,
                    supervised: row.supervised,
                    ordered_to_file: row.ordered_to_file,
                    prosecuted: row.prosecuted,
                    judged: row.judged,
                    flags_raised: row.flags_raised,
                    flags_resolved: row.flags_resolved,
                })
                .collect(),
            stage_days: table
                .stage_days
                .iter()
                .map(|stage| StageDaysView {
                    stage: stage.stage.clone(),
                    median_days: stage.median_days,
                    cases: stage.cases,
                })
                .collect(),
            overdue: table
                .overdue
                .iter()
                .map(|overdue| OverdueView {
                    org: overdue.org.as_ref().map(ToString::to_string),
                    party: overdue.party.clone(),
                    rule: overdue.rule.clone(),
                    count: overdue.count,
                })
                .collect(),
            digest: table.digest().to_hex(),
        }
    }

    /// The table these numbers describe (the `digest` field is ignored), or
    /// why an organisation id is malformed.
    pub fn to_table(&self) -> Result<StatsTable, String> {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                Ok(StatsRow {
                    opened: row.opened,
                    suspected: row.suspected,
                    transferred: row.transferred,
                    filed: row.filed,
                    declined: row.declined,
                    supervised: row.supervised,
                    ordered_to_file: row.ordered_to_file,
                    prosecuted: row.prosecuted,
                    judged: row.judged,
                    flags_raised: row.flags_raised,
                    flags_resolved: row.flags_resolved,
                    ..StatsRow::new(
                        OrgId::new(&row.org)?,
                        row.region.clone(),
                        row.domain.clone(),
                    )
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let overdue = self
            .overdue
            .iter()
            .map(|overdue| {
                Ok(OverdueCount {
                    org: overdue.org.as_deref().map(OrgId::new).transpose()?,
                    party: overdue.party.clone(),
                    rule: overdue.rule.clone(),
                    count: overdue.count,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(StatsTable {
            height: self.height,
            at_ms: self.at_ms,
            scope: self.scope.to_scope()?,
            rows,
            stage_days: self
                .stage_days
                .iter()
                .map(|stage| StageDays {
                    stage: stage.stage.clone(),
                    median_days: stage.median_days,
                    cases: stage.cases,
                })
                .collect(),
            overdue,
        })
    }

    /// The digest of the numbers in this view, computed here (not the
    /// `digest` field as sent).
    pub fn computed_digest(&self) -> Result<Hash, String> {
        Ok(self.to_table()?.digest())
    }
}

impl BulletinView {
    /// The JSON form of a bulletin.
    pub fn from_bulletin(bulletin: &Bulletin) -> BulletinView {
        BulletinView {
            id: bulletin.id.clone(),
            height: bulletin.height,
            scope: ScopeView::from_scope(&bulletin.scope),
            digest: bulletin.digest.to_hex(),
            publisher: bulletin.publisher.to_string(),
            officer: bulletin.officer.to_hex(),
            published_height: bulletin.published_height,
            published_at_ms: bulletin.published_at_ms,
            tx: bulletin.tx.to_hex(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_gives_back_its_table_and_a_changed_number_another_digest() {
        let table = StatsTable {
            height: 3,
            at_ms: 9,
            scope: StatsScope {
                org: Some(OrgId::new("market").unwrap()),
                ..StatsScope::default()
            },
            rows: vec![StatsRow {
                transferred: 1,
                ..StatsRow::new(
                    OrgId::new("market").unwrap(),
                    "330100".into(),
                    "general".into(),
                )
            }],
            stage_days: vec![StageDays {
                stage: "opened-suspected".into(),
                median_days: None,
                cases: 0,
            }],
            overdue: vec![OverdueCount {
                org: None,
                party: "PROC".into(),
                rule: "R".into(),
                count: 2,
            }],
        };
        let mut view = StatsView::from_table(&table);
        assert_eq!(view.to_table().unwrap(), table);
        assert_eq!(view.computed_digest().unwrap().to_hex(), view.digest);
        view.rows[0].transferred = 2;
        assert_ne!(view.computed_digest().unwrap().to_hex(), view.digest);
    }
}
