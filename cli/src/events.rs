//! `xianjie events`: the committed transactions the officer may read, from
//! `GET /v1/events` (signed with `--key`), and with `--follow` as they
//! commit.
//!
//! Each poll is a new signed read that resumes from the cursor of the last
//! event printed, so a follower that is stopped, or whose node restarts,
//! continues with `--after CURSOR` without a gap or a duplicate. With
//! `--verify --genesis FILE` every event's block is checked before the event
//! is printed: its commit certificate against the genesis validators, its
//! transaction and result roots against the lists the node gives, and the
//! event's transaction and outcome at its place in those lists.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use clap::Args;
use serde_json::{json, Value};
use xianjie_api::chain::BlockView;
use xianjie_api::events::{Cursor, EventPage, EventView};
use xianjie_api::txs::OutcomeView;
use xianjie_ledger::block::BlockResults;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;

use crate::client::NodeClient;
use crate::output::{format_time_ms, wire_name};
use crate::{Context, Exit};

/// How long one poll of `--follow` waits for new events.
const FOLLOW_WAIT_MS: u64 = 20_000;

/// `xianjie events`
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Start after this cursor (`HEIGHT-INDEX`, as printed beside each event
    /// and at the end); default: only events of blocks committed from now on.
    #[arg(long, value_name = "CURSOR", conflicts_with = "from_start")]
    pub after: Option<Cursor>,
    /// Start at the first block.
    #[arg(long)]
    pub from_start: bool,
    /// Keep following: wait for new events until interrupted (or until
    /// `--count` events were printed).
    #[arg(long)]
    pub follow: bool,
    /// Stop after this many events.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Check each event's block against the genesis validators before
    /// printing it (needs --genesis).
    #[arg(long, requires = "genesis")]
    pub verify: bool,
    /// The chain's genesis document, for --verify.
    #[arg(long, value_name = "FILE")]
    pub genesis: Option<PathBuf>,
}

/// Runs `xianjie events`.
pub fn execute(context: &Context, args: EventsArgs) -> anyhow::Result<Exit> {
    let key = context.load_key().context(
        "events are signed reads: pass --key FILE (or set XIANJIE_KEY) with your officer key",
    )?;
    let client = NodeClient::with_timeouts(
        &context.node_url,
        Duration::from_secs(10),
        Duration::from_millis(FOLLOW_WAIT_MS) + Duration::from_secs(20),
    )
    .signing_reads_with(Some(key));
    let mut verifier = match &args.genesis {
        Some(path) if args.verify => Some(BlockVerifier::new(crate::verify::read_genesis(path)?)),
        _ => None,
    };
    let mut cursor = if args.from_start {
        Some(Cursor::START)
    } else {
        args.after
    };
    let mut remaining = args.count.unwrap_or(u64::MAX);
    let mut collected = Vec::new();
    loop {
        let page = poll(&client, cursor, args.follow)?;
        let take = page
            .events
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        for event in &page.events[..take] {
            let verified = match verifier.as_mut() {
                Some(verifier) => Some(verifier.check(&client, event)?),
                None => None,
            };
            if args.follow {
                print_followed(context, event, verified)?;
            } else {
                collected.push((event.clone(), verified));
            }
        }
        remaining -= take as u64;
        // After the last event printed; past every transaction looked at when
        // all of the page was printed.
        let next = match take {
            n if n < page.events.len() => &page.events[n - 1].cursor,
            _ => &page.cursor,
        };
        cursor = Some(next.parse().map_err(|error: String| anyhow!(error))?);
        if remaining == 0 || !args.follow {
            if !args.follow {
                print_page(context, &collected, next, page.tip)?;
            }
            return Ok(Exit::Success);
        }
    }
}

/// One long poll: at once without `--follow`, else waiting for new events.
fn poll(client: &NodeClient, after: Option<Cursor>, follow: bool) -> anyhow::Result<EventPage> {
    let wait_ms = if follow { FOLLOW_WAIT_MS } else { 0 };
    let path = match after {
        Some(cursor) => format!("/v1/events?after={cursor}&wait_ms={wait_ms}"),
        None => format!("/v1/events?wait_ms={wait_ms}"),
    };
    match client.get_json(&path)? {
        Ok(value) => client.typed(&path, value),
        Err(error) => Err(client.unexpected(&path, &error)),
    }
}

fn event_json(event: &EventView, verified: Option<bool>) -> Value {
    let mut value = json!(event);
    if let (Some(verified), Some(object)) = (verified, value.as_object_mut()) {
        object.insert("verified".into(), json!(verified));
    }
    value
}

fn event_line(event: &EventView, verified: Option<bool>) -> String {
    let outcome = match &event.outcome {
        OutcomeView::Ok => "ok".to_owned(),
        OutcomeView::Error { code } => format!("refused: {code}"),
    };
    let mut line = format!(
        "{:<10} {}  {:<13} {:<14} {}",
        event.cursor,
        format_time_ms(event.time_ms),
        wire_name(&event.kind),
        event.action.as_deref().unwrap_or(&event.call),
        event.subject.as_deref().unwrap_or("-"),
    );
    line.push_str(&format!("  {outcome}  tx {}", &event.tx[..16]));
    if verified == Some(true) {
        line.push_str("  ✓ certified");
    }
    line
}

/// `--follow` prints as it goes: a line, or with --json one JSON object per
/// line.
fn print_followed(
    context: &Context,
    event: &EventView,
    verified: Option<bool>,
) -> anyhow::Result<()> {
    if context.output.is_json() {
        println!("{}", event_json(event, verified));
    } else {
        println!("{}", event_line(event, verified));
    }
    Ok(())
}

fn print_page(
    context: &Context,
    events: &[(EventView, Option<bool>)],
    cursor: &str,
    tip: u64,
) -> anyhow::Result<()> {
    let answer = json!({
        "events": events.iter().map(|(event, verified)| event_json(event, *verified)).collect::<Vec<_>>(),
        "cursor": cursor,
        "tip": tip,
    });
    context.output.emit(&answer, || {
        let mut text: String = events
            .iter()
            .map(|(event, verified)| event_line(event, *verified) + "\n")
            .collect();
        if events.is_empty() {
            text.push_str("no events you may read\n");
        }
        text.push_str(&format!(
            "next: xianjie events --after {cursor}   (committed height {tip})"
        ));
        text
    })
}

/// Checks events' blocks against the genesis validators, each block once.
pub(crate) struct BlockVerifier {
    genesis: Genesis,
    validators: ValidatorSet,
    checked: BTreeMap<u64, BlockView>,
}

impl BlockVerifier {
    pub(crate) fn new(genesis: Genesis) -> Self {
        let validators = ValidatorSet::new(genesis.validators.clone());
        BlockVerifier {
            genesis,
            validators,
            checked: BTreeMap::new(),
        }
    }

    /// `true` once the event's block is certified and holds the event's
    /// transaction with its outcome; an error says what does not hold.
    fn check(&mut self, client: &NodeClient, event: &EventView) -> anyhow::Result<bool> {
        if !self.checked.contains_key(&event.height) {
            let path = format!("/v1/blocks/{}", event.height);
            let block: BlockView = match client.get_json(&path)? {
                Ok(value) => client.typed(&path, value)?,
                Err(error) => return Err(client.unexpected(&path, &error)),
            };
            self.check_block(&block)?;
            // Only the latest block is needed again (events come in order).
            self.checked.clear();
            self.checked.insert(event.height, block);
        }
        let block = &self.checked[&event.height];
        let index = usize::try_from(event.index).unwrap_or(usize::MAX);
        let listed = block.txs.get(index).map(String::as_str);
        if listed != Some(event.tx.as_str()) {
            bail!(
                "event {}: block {} does not hold transaction {} at index {}; the node's event \
                 stream disagrees with its certified block",
                event.cursor,
                event.height,
                event.tx,
                event.index
            );
        }
        let result = &block.results[index];
        let outcome: OutcomeView = result.outcome.clone().into();
        if result.tx.to_hex() != event.tx || outcome != event.outcome {
            bail!(
                "event {}: the certified result of transaction {} is not the event's outcome",
                event.cursor,
                event.tx
            );
        }
        Ok(true)
    }

    /// The block's certificate against the genesis validators, and its
    /// transaction and result lists against its header.
    pub(crate) fn check_block(&self, block: &BlockView) -> anyhow::Result<()> {
        let header = &block.header;
        let height = header.height;
        if header.chain_id != self.genesis.chain_id {
            bail!(
                "block {height} is of chain `{}`, not `{}` of the genesis file",
                header.chain_id,
                self.genesis.chain_id
            );
        }
        if header.validators_hash != self.validators.hash() {
            bail!(
                "block {height} is committed by a validator set other than the genesis set; \
                 events after a validator change cannot be checked against the genesis alone \
                 (check a record with `xianjie evidence receipt` and `xianjie verify`)"
            );
        }
        block
            .commit
            .verify(header, &self.validators)
            .map_err(|error| anyhow!("block {height}: its commit certificate fails: {error}"))?;
        let txs = block
            .txs
            .iter()
            .map(|hex| Hash::from_hex(hex))
            .collect::<Result<Vec<Hash>, _>>()
            .map_err(|error| anyhow!("block {height}: a transaction hash is not hex: {error}"))?;
        if txs.len() != block.results.len() || xianjie_ledger::merkle::root(&txs) != header.tx_root
        {
            bail!("block {height}: its transaction list does not give the certified tx_root");
        }
        if BlockResults(block.results.clone()).root() != header.results_root {
            bail!("block {height}: its results do not give the certified results_root");
        }
        Ok(())
    }
}
