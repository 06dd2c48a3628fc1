//! The answers of `GET /v1/events`: committed transactions as events, in
//! chain order, each with the cursor to resume after it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::txs::OutcomeView;

/// A place in the chain's sequence of transactions: the next one to read is
/// transaction `index` (from 0) of block `height`. Written `H-I`, e.g.
/// `12-3`; `1-0` is the start of the chain. An event's cursor is the place
/// just after it, so a client that resumes from the cursor of the last event
/// it handled gets neither a gap nor a duplicate, also across node restarts:
/// the place is fixed by committed blocks, not by anything the node keeps in
/// memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    /// Block height, from 1.
    pub height: u64,
    /// Transaction index within the block, from 0; the block's transaction
    /// count means "past its last transaction".
    pub index: u32,
}

impl Cursor {
    /// The start of the chain.
    pub const START: Cursor = Cursor {
        height: 1,
        index: 0,
    };

    /// The first place of the block after `height`.
    pub fn after_block(height: u64) -> Cursor {
        Cursor {
            height: height.saturating_add(1),
            index: 0,
        }
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.height, self.index)
    }
}

impl FromStr for Cursor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || {
            format!(
                "cursor `{text}` is not HEIGHT-INDEX (e.g. `12-3`, or `1-0` for the start of \
                 the chain); pass the `cursor` of the last event you handled"
            )
        };
        let (height, index) = text.split_once('-').ok_or_else(malformed)?;
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(height) || !digits(index) {
            return Err(malformed());
        }
        let height: u64 = height.parse().map_err(|_| malformed())?;
        let index: u32 = index.parse().map_err(|_| malformed())?;
        if height == 0 {
            return Err(format!(
                "cursor `{text}` names block 0; blocks start at 1 (`1-0` is the start of the chain)"
            ));
        }
        Ok(Cursor { height, index })
    }
}

/// What a transaction was about, which also decides who may see its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A case was opened or moved (`subject` is the case id).
    Case,
    /// Evidence was anchored or linked (`subject` is its digest).
    Evidence,
    /// A custody event of an evidence record (`subject` is its digest).
    Custody,
    /// An inspection result was recorded, recognised, disputed or retested
    /// (`subject` is the inspection id).
    Inspection,
    /// A laboratory's CMA certificate (public).
    Accreditation,
    /// A governance proposal or approval (public).
    Governance,
    /// An officer or node key registered or revoked (public).
    Membership,
    /// A statistics bulletin (public).
    Bulletin,
    /// A time-stamp token over a history checkpoint (public).
    Timestamp,
    /// A court chain's deposit number for an evidence file (`subject` is
    /// its digest).
    Deposit,
    /// A clue was sent or answered (`subject` is the clue id).
    Clue,
    /// A request between organs was asked or answered (`subject` is the
    /// request id).
    Request,
    /// 双随机: an item, inspector or entity snapshot set, or a draw planned,
    /// committed, revealed, named, recused or a result published (public;
    /// `subject` is the draw id).
    Draw,
}

/// One committed transaction, as an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Resume after this event with `?after=<cursor>`.
    pub cursor: String,
    /// Height of its block.
    pub height: u64,
    /// Position in its block, from 0.
    pub index: u32,
    /// Its block's time (Unix milliseconds).
    pub time_ms: u64,
    /// Transaction hash, hex.
    pub tx: String,
    /// Key id of the signing officer, hex.
    pub signer: String,
    /// The kind of call, as `GET /v1/txs/{hash}` names it, e.g. `case_action`.
    pub call: String,
    /// What it was about.
    pub kind: EventKind,
    /// The case id, evidence digest or inspection id it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The case action (`transfer`, `file`, …), case step or custody action
    /// (`transfer`, `receive`, …), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Whether it applied or was refused by its contract.
    pub outcome: OutcomeView,
    /// For an applied case event: the case as it stood after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseAfterBlock>,
}

/// A case as it stood after the block of one of its events: the clocks its
/// step started or stopped, and the supervision flags it raised or resolved,
/// show here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseAfterBlock {
    /// Its state, e.g. `S3_TRANSFERRED`.
    pub state: String,
    /// Its running clocks at the block's time, as `GET /v1/cases/{id}`
    /// shows them (`rule`, `actor`, `due_at_ms`, `overdue`, …).
    #[schema(value_type = Vec<Object>)]
    pub clocks: Vec<serde_json::Value>,
    /// Its open supervision flags, by kind (`penalty_instead_of_transfer`,
    /// `untransferred_suspected_crime`).
    pub open_flags: Vec<String>,
}

/// The answer to a long poll of `GET /v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    /// The events the officer may read, in chain order.
    pub events: Vec<EventView>,
    /// Where the next poll starts (`?after=<cursor>`): after the last event,
    /// or after the last transaction looked at when fewer events were
    /// readable. Always ahead of or equal to the request's cursor.
    pub cursor: String,
    /// The committed height when the answer was made.
    pub tip: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_order_by_height_then_index() {
        let cursor: Cursor = "12-3".parse().unwrap();
        assert_eq!(
            cursor,
            Cursor {
                height: 12,
                index: 3
            }
        );
        assert_eq!(cursor.to_string(), "12-3");
        assert!(Cursor::START < cursor);
        assert!("12-4".parse::<Cursor>().unwrap() > cursor);
        assert!("13-0".parse::<Cursor>().unwrap() > "12-9".parse().unwrap());
        assert_eq!(Cursor::after_block(12).to_string(), "13-0");
    }

    #[test]
    fn malformed_cursors_are_refused_with_the_format() {
        for text in [
            "",
            "12",
            "12-",
            "-3",
            "a-1",
            "1-b",
            "+1-0",
            "1--0",
            "0-0",
            "1-4294967296",
        ] {
            let error = text.parse::<Cursor>().unwrap_err();
            assert!(error.contains("1-0"), "{text}: {error}");
        }
    }
}
