//! `xianjie stats …`: supervision statistics computed from the chain at a
//! height, and bulletins (通报) that anchor their digests.
//!
//! `xianjie stats` reads `GET /v1/stats` (signed with `--key`: the policies
//! decide which slice a key may see) and checks the digest the node gives
//! against the numbers it gives, computed here. `stats publish` signs a
//! bulletin of the same table (procuratorates). `stats check BUL-…` asks the
//! node to recompute the table at the bulletin's height with its scope,
//! computes the digest of those numbers here and compares it with the one
//! anchored; with `--table FILE` it checks a published table (the `--json`
//! output of `xianjie stats`) instead, and refuses one whose numbers were
//! changed.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use xianjie_api::stats::{BulletinCheck, BulletinList, BulletinView, StatsView};
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::tx::{Call, PublishBulletin};

use crate::common::{query_value, read_typed, submit};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie stats …`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StatsArgs {
    /// Publish or check a bulletin; without one, print the table.
    #[command(subcommand)]
    pub command: Option<StatsCommand>,
    /// The slice and height to count.
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// The `stats` subcommands.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Compute the table and anchor its digest as a bulletin (通报;
    /// procuratorates, for their region by default).
    Publish(ScopeArgs),
    /// Recompute a bulletin's table and compare digests; exit 1 if they differ.
    Check(CheckArgs),
    /// The bulletins on chain.
    Bulletins,
}

/// Which slice, at which height.
#[derive(Debug, Clone, Default, Args)]
pub struct ScopeArgs {
    /// The height to count at (default: the latest).
    #[arg(long)]
    pub height: Option<u64>,
    /// Only cases in which this organisation is a party.
    #[arg(long, value_name = "ORG", value_parser = crate::evidence::parse_org_id)]
    pub org: Option<OrgId>,
    /// Only cases of this six-digit division code.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Only cases of this domain (general, food_drug, tax, …).
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,
    /// First day counted, yyyymmdd (China local time, inclusive).
    #[arg(long, value_name = "YYYYMMDD")]
    pub from: Option<u32>,
    /// Last day counted, yyyymmdd (inclusive).
    #[arg(long, value_name = "YYYYMMDD")]
    pub to: Option<u32>,
}

/// `xianjie stats check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The bulletin id (BUL-…).
    pub bulletin: String,
    /// A published table to check instead of the node's recomputation: the
    /// `--json` output of `xianjie stats`.
    #[arg(long, value_name = "FILE")]
    pub table: Option<PathBuf>,
}

/// Runs `xianjie stats …`.
pub fn execute(context: &Context, args: StatsArgs) -> anyhow::Result<Exit> {
    match args.command {
        None => show(context, &args.scope),
        Some(StatsCommand::Publish(scope)) => publish(context, &scope),
        Some(StatsCommand::Check(check_args)) => check(context, &check_args),
        Some(StatsCommand::Bulletins) => bulletins(context),
    }
}

fn stats_path(scope: &ScopeArgs) -> String {
    let mut query = Vec::new();
    if let Some(height) = scope.height {
        query.push(format!("height={height}"));
    }
    if let Some(org) = &scope.org {
        query.push(format!("org={}", query_value(org.as_str())));
    }
    if let Some(region) = &scope.region {
        query.push(format!("region={}", query_value(region)));
    }
    if let Some(domain) = &scope.domain {
        query.push(format!("domain={}", query_value(domain)));
    }
    if let Some(from) = scope.from {
        query.push(format!("from={from}"));
    }
    if let Some(to) = scope.to {
        query.push(format!("to={to}"));
    }
    if query.is_empty() {
        "/v1/stats".to_owned()
    } else {
        format!("/v1/stats?{}", query.join("&"))
    }
}

/// The table of `scope`, its digest checked against its numbers here.
fn fetch(context: &Context, scope: &ScopeArgs) -> anyhow::Result<Result<(Value, StatsView), Exit>> {
    let (answer, view) = match read_typed::<StatsView>(context, &stats_path(scope))? {
        Ok(answer) => answer,
        Err(exit) => return Ok(Err(exit)),
    };
    let computed = view
        .computed_digest()
        .map_err(|error| anyhow!("the node's table does not parse: {error}"))?;
    if computed.to_hex() != view.digest {
        return Err(anyhow!(
            "the node's digest {} is not the digest of the numbers it sent ({}); ask another node",
            view.digest,
            computed.to_hex()
        ));
    }
    Ok(Ok((answer, view)))
}

fn show(context: &Context, scope: &ScopeArgs) -> anyhow::Result<Exit> {
    let (answer, view) = match fetch(context, scope)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || describe(&view))?;
    Ok(Exit::Success)
}

/// The table as text.
pub fn describe(view: &StatsView) -> String {
    let scope = view
        .scope
        .to_scope()
        .map(|scope| scope.describe())
        .unwrap_or_default();
    let mut lines = vec![format!(
        "statistics at height {} ({}), scope {scope}",
        view.height,
        format_time_ms(view.at_ms)
    )];
    lines.push(format!(
        "{:<16} {:<7} {:<12} {:>6} {:>5} {:>6} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "org",
        "region",
        "domain",
        "opened",
        "susp",
        "transf",
        "filed",
        "decl",
        "superv",
        "order",
        "prosec",
        "judged",
        "flags+",
        "flags-"
    ));
    if view.rows.is_empty() {
        lines.push("(no cases in scope)".into());
    }
    for row in &view.rows {
        lines.push(format!(
            "{:<16} {:<7} {:<12} {:>6} {:>5} {:>6} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
            row.org,
            row.region,
            row.domain,
            row.opened,
            row.suspected,
            row.transferred,
            row.filed,
            row.declined,
            row.supervised,
            row.ordered_to_file,
            row.prosecuted,
            row.judged,
            row.flags_raised,
            row.flags_resolved
        ));
    }
    lines.push("median days per stage (lower middle of an even count):".into());
    for stage in &view.stage_days {
        let median = stage
            .median_days
            .map_or_else(|| "-".to_owned(), |days| days.to_string());
        lines.push(format!(
            "  {:<30} {median:>5} days  ({} cases)",
            stage.stage, stage.cases
        ));
    }
    if view.overdue.is_empty() {
        lines.push("overdue duties: none".into());
    } else {
        lines.push("overdue duties:".into());
        for overdue in &view.overdue {
            lines.push(format!(
                "  {:<16} {:<8} {:<36} {}",
                overdue.org.as_deref().unwrap_or("-"),
                overdue.party,
                overdue.rule,
                overdue.count
            ));
        }
    }
    lines.push(format!("digest {}", view.digest));
    lines.join("\n")
}

fn publish(context: &Context, scope: &ScopeArgs) -> anyhow::Result<Exit> {
    let (_, view) = match fetch(context, scope)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let table = view
        .to_table()
        .map_err(|error| anyhow!("the node's table does not parse: {error}"))?;
    let digest = table.digest();
    let call = Call::PublishBulletin(PublishBulletin {
        height: table.height,
        scope: table.scope.clone(),
        digest,
    });
    let height = table.height;
    submit(
        context,
        call,
        |committed| {
            json!({
                "bulletin": xianjie_contracts::bulletin::bulletin_id_for(&committed.hash),
                "table_height": height,
                "digest": digest.to_hex(),
            })
        },
        |committed| {
            format!(
                "published bulletin {} (the table at height {height}, digest {}) at height {}\ncheck it with `xianjie stats check {}`",
                xianjie_contracts::bulletin::bulletin_id_for(&committed.hash),
                digest.to_hex(),
                committed.height,
                xianjie_contracts::bulletin::bulletin_id_for(&committed.hash),
            )
        },
    )
}

fn check(context: &Context, args: &CheckArgs) -> anyhow::Result<Exit> {
    let path = format!("/v1/bulletins/{}", query_value(&args.bulletin));
    let (_, answer) = match read_typed::<BulletinCheck>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let bulletin = &answer.bulletin;
    let (table, source) = match &args.table {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let table: StatsView = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not a statistics table (the --json output of `xianjie stats`)",
                    file.display()
                )
            })?;
            (table, file.display().to_string())
        }
        None => (answer.table.clone(), "the node's recomputation".to_owned()),
    };
    let computed = table
        .computed_digest()
        .map_err(|error| anyhow!("{source} does not parse: {error}"))?;
    let anchored = Hash::from_hex(&bulletin.digest)
        .map_err(|error| anyhow!("the bulletin's digest does not parse: {error}"))?;
    let same_slice = table.height == bulletin.height && table.scope == bulletin.scope;
    let matches = computed == anchored && same_slice;
    let result = json!({
        "bulletin": bulletin.id,
        "height": bulletin.height,
        "scope": bulletin.scope,
        "anchored_digest": bulletin.digest,
        "computed_digest": computed.to_hex(),
        "checked": source,
        "matches": matches,
    });
    context.output.emit(&result, || {
        verdict(bulletin, &source, computed, matches, same_slice)
    })?;
    Ok(if matches {
        Exit::Success
    } else {
        Exit::Negative
    })
}

fn verdict(
    bulletin: &BulletinView,
    source: &str,
    computed: Hash,
    matches: bool,
    same_slice: bool,
) -> String {
    let head = format!(
        "bulletin {} by {} (height {}, anchored at height {})",
        bulletin.id, bulletin.publisher, bulletin.height, bulletin.published_height
    );
    if matches {
        return format!(
            "{head}\nOK: the digest of {source} is the anchored digest {}",
            bulletin.digest
        );
    }
    let why = if same_slice {
        "its numbers were changed, or the publisher anchored a wrong digest"
    } else {
        "it counts another height or scope than the bulletin"
    };
    format!(
        "{head}\nMISMATCH: {source} gives digest {}, the bulletin anchored {}: {why}; `xianjie stats check {}` without --table prints what the chain gives",
        computed.to_hex(),
        bulletin.digest,
        bulletin.id
    )
}

fn bulletins(context: &Context) -> anyhow::Result<Exit> {
    let (answer, list) = match read_typed::<BulletinList>(context, "/v1/bulletins")? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        if list.bulletins.is_empty() {
            return "no bulletins".into();
        }
        list.bulletins
            .iter()
            .map(|bulletin| {
                let scope = bulletin
                    .scope
                    .to_scope()
                    .map(|scope| scope.describe())
                    .unwrap_or_default();
                format!(
                    "{}  {}  height {}  {}  {}",
                    bulletin.id, bulletin.publisher, bulletin.height, scope, bulletin.digest
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> crate::Cli {
        crate::Cli::parse_from(std::iter::once("xianjie").chain(args.iter().copied()))
    }

    #[test]
    fn scope_flags_build_the_query_and_subcommands_parse() {
        let crate::Command::Stats(args) = parse(&[
            "stats", "--height", "5", "--region", "330100", "--from", "20260101",
        ])
        .command
        else {
            panic!("not stats")
        };
        assert!(args.command.is_none());
        assert_eq!(
            stats_path(&args.scope),
            "/v1/stats?height=5&region=330100&from=20260101"
        );
        let crate::Command::Stats(args) =
            parse(&["stats", "check", "BUL-1", "--table", "t.json"]).command
        else {
            panic!("not stats")
        };
        assert!(matches!(args.command, Some(StatsCommand::Check(_))));
        assert_eq!(stats_path(&ScopeArgs::default()), "/v1/stats");
    }
}
