//! `xianjie supervision flags` and `xianjie rules list|show`: what the chain
//! flagged for procuratorial supervision (以罚代刑, 有案不移), and the
//! threshold rules (DOMAIN §g) it measures cases against. `xianjie case
//! facts` (in [`crate::case`]) shows one case's facts with [`fact_line`].
//!
//! Answers are read as `xianjie_api::supervision` types; codes are printed
//! with their Chinese names from `xianjie_api::names`.

use clap::{Args, Subcommand};
use serde_json::Value;
use xianjie_api::names::{self, zh_with_code};
use xianjie_api::supervision::{FactView, FlagList, RuleMatchView, ThresholdRuleList};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::supervision::Predicate;

use crate::common::{query_value, read_typed};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie supervision …`
#[derive(Debug, Args)]
pub struct SupervisionArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SupervisionCommand,
}

/// The `supervision` subcommands.
#[derive(Debug, Subcommand)]
pub enum SupervisionCommand {
    /// The supervision flags of the cases your key may read, newest first.
    Flags(FlagsArgs),
}

/// `xianjie supervision flags`
#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// Only cases of agencies with this 6-digit division code (行政区划代码).
    #[arg(long, value_name = "CODE", value_parser = parse_region)]
    pub region: Option<String>,
    /// Only cases owned by this organisation.
    #[arg(long, value_name = "ORG", value_parser = crate::evidence::parse_org_id)]
    pub org: Option<OrgId>,
    /// Only the flags of this case (CASE-…).
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// Only flags still open (the case was not transferred).
    #[arg(long, conflicts_with = "resolved")]
    pub open: bool,
    /// Only flags resolved by a later transfer.
    #[arg(long)]
    pub resolved: bool,
}

/// `xianjie rules …`
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// The `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The threshold rules on chain.
    List,
    /// One threshold rule with its predicate.
    Show(RuleIdArgs),
}

/// A rule id.
#[derive(Debug, Args)]
pub struct RuleIdArgs {
    /// The rule id, e.g. CL140-FAKE-v2008.
    pub rule: String,
}

fn parse_region(text: &str) -> Result<String, String> {
    if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err("a division code is 6 digits, e.g. 330100".into())
    }
}

/// Runs a `supervision` subcommand.
pub fn execute(context: &Context, args: SupervisionArgs) -> anyhow::Result<Exit> {
    match args.command {
        SupervisionCommand::Flags(args) => flags(context, args),
    }
}

/// Runs a `rules` subcommand.
pub fn execute_rules(context: &Context, args: RulesArgs) -> anyhow::Result<Exit> {
    match args.command {
        RulesCommand::List => rules(context, None),
        RulesCommand::Show(args) => rules(context, Some(&args.rule)),
    }
}

/// The query string of `GET /v1/supervision/flags`.
fn flags_path(args: &FlagsArgs) -> String {
    let mut query = Vec::new();
    if let Some(region) = &args.region {
        query.push(format!("region={}", query_value(region)));
    }
    if let Some(org) = &args.org {
        query.push(format!("org={}", query_value(&org.to_string())));
    }
    if let Some(case) = &args.case {
        query.push(format!("case={}", query_value(case)));
    }
    if args.open {
        query.push("open=true".to_owned());
    }
    if args.resolved {
        query.push("open=false".to_owned());
    }
    if query.is_empty() {
        "/v1/supervision/flags".to_owned()
    } else {
        format!("/v1/supervision/flags?{}", query.join("&"))
    }
}

fn flags(context: &Context, args: FlagsArgs) -> anyhow::Result<Exit> {
    let path = flags_path(&args);
    let (answer, list) = match read_typed::<FlagList>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || describe_flags(&list))?;
    Ok(Exit::Success)
}

fn describe_flags(list: &FlagList) -> String {
    if list.flags.is_empty() {
        return format!("no supervision flags (height {})", list.height);
    }
    let mut out = String::new();
    for flag in &list.flags {
        out.push_str(&format!(
            "{}  {}  {}\n  raised at height {} ({}), {} days{}\n  agency {}  region {}  domain {}\n",
            flag.case_id,
            zh_with_code(names::FLAG_KINDS, &flag.kind),
            if flag.open { "OPEN" } else { "resolved" },
            flag.raised_height,
            format_time_ms(flag.raised_at_ms),
            flag.days_since_raised,
            flag.resolved_height
                .map(|height| format!(" until the transfer at height {height}"))
                .unwrap_or_default(),
            flag.owner,
            flag.region,
            zh_with_code(names::DOMAINS, &flag.domain),
        ));
        for matched in &flag.rules {
            out.push_str(&rule_match_text(matched));
        }
    }
    out
}

/// `  rule CL140-FAKE-v2008 v1 met by:` and one line per fact.
pub fn rule_match_text(matched: &RuleMatchView) -> String {
    let mut out = format!("  rule {} v{} met by:\n", matched.rule_id, matched.version);
    for fact in &matched.facts {
        out.push_str(&format!("    {}\n", fact_line(fact)));
    }
    out
}

/// A fact: `销售金额 (sales-amount) 6000000 fen (¥60000.00), evidence 0707…`.
pub fn fact_line(fact: &FactView) -> String {
    let unit = fact.unit.as_deref().unwrap_or("?");
    let yuan = (unit == "fen").then(|| {
        let sign = if fact.value < 0 { "-" } else { "" };
        let fen = fact.value.unsigned_abs();
        format!(" (¥{sign}{}.{:02})", fen / 100, fen % 100)
    });
    format!(
        "{} {} {}{}{}{}",
        zh_with_code(names::FACT_KINDS, &fact.kind),
        fact.value,
        unit,
        yuan.unwrap_or_default(),
        fact.year
            .map(|year| format!(", tax year {year}"))
            .unwrap_or_default(),
        fact.evidence
            .as_deref()
            .map(|digest| format!(", evidence {digest}"))
            .unwrap_or_else(|| ", no evidence digest".to_owned()),
    )
}

fn rules(context: &Context, wanted: Option<&str>) -> anyhow::Result<Exit> {
    let path = "/v1/threshold-rules";
    let (answer, list) = match read_typed::<ThresholdRuleList>(context, path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let Some(wanted) = wanted else {
        context.output.emit(&answer, || {
            if list.rules.is_empty() {
                return "no threshold rules on this chain (governance adds them: Change::ThresholdRule)"
                    .to_owned();
            }
            list.rules
                .iter()
                .map(|rule| {
                    format!(
                        "{:<26} v{}  {}  {}{}",
                        rule.rule_id,
                        rule.version,
                        if rule.in_force { "in force  " } else { "superseded" },
                        rule.crime,
                        rule.superseded_by
                            .as_deref()
                            .map(|next| format!(" (by {next})"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        return Ok(Exit::Success);
    };
    let Some(index) = list.rules.iter().position(|rule| rule.rule_id == wanted) else {
        let known: Vec<&str> = list
            .rules
            .iter()
            .map(|rule| rule.rule_id.as_str())
            .collect();
        let message = format!(
            "no threshold rule {wanted:?} on this chain; the rules are: {}",
            known.join(", ")
        );
        eprintln!("{message}");
        if context.output.is_json() {
            let answer =
                serde_json::json!({ "refused": true, "code": "unknown_rule", "message": message });
            context.output.emit(&answer, String::new)?;
        }
        return Ok(Exit::Negative);
    };
    let rule = &list.rules[index];
    let json = answer
        .get("rules")
        .and_then(|rules| rules.get(index))
        .cloned()
        .unwrap_or(Value::Null);
    let predicate: Predicate = context.client().typed(path, rule.predicate.clone())?;
    context.output.emit(&json, || {
        format!(
            "rule      {} v{}{}\ncrime     {}\nsource    {}\nfrom      violations on or after {}\ndomains   {}\ninputs    {}\npredicate {}\n",
            rule.rule_id,
            rule.version,
            rule.superseded_by
                .as_deref()
                .map(|next| format!(" (superseded by {next})"))
                .unwrap_or_default(),
            rule.crime,
            rule.source,
            rule.effective_from,
            if rule.domains.is_empty() {
                "every domain".to_owned()
            } else {
                rule.domains
                    .iter()
                    .map(|domain| zh_with_code(names::DOMAINS, domain))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            rule.inputs
                .iter()
                .map(|kind| zh_with_code(names::FACT_KINDS, kind))
                .collect::<Vec<_>>()
                .join(", "),
            xianjie_api::supervision::predicate_text(&predicate),
        )
    })?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(line: &[&str]) -> Result<crate::Cli, clap::Error> {
        crate::Cli::try_parse_from(std::iter::once("xianjie").chain(line.iter().copied()))
    }

    #[test]
    fn flag_filters_become_the_query() {
        let cli = parse(&["supervision", "flags", "--region", "330100", "--open"]).unwrap();
        let crate::Command::Supervision(SupervisionArgs {
            command: SupervisionCommand::Flags(args),
        }) = cli.command
        else {
            panic!("not supervision flags");
        };
        assert_eq!(
            flags_path(&args),
            "/v1/supervision/flags?region=330100&open=true"
        );
        let cli = parse(&["supervision", "flags", "--case", "CASE-0123456789abcdef"]).unwrap();
        let crate::Command::Supervision(SupervisionArgs {
            command: SupervisionCommand::Flags(args),
        }) = cli.command
        else {
            panic!("not supervision flags");
        };
        assert_eq!(
            flags_path(&args),
            "/v1/supervision/flags?case=CASE-0123456789abcdef"
        );
        assert!(parse(&["supervision", "flags", "--region", "3301"]).is_err());
        assert!(parse(&["supervision", "flags", "--open", "--resolved"]).is_err());
        assert!(parse(&["rules", "show"]).is_err());
        assert!(parse(&["rules", "show", "CL140-FAKE-v2008"]).is_ok());
    }

    #[test]
    fn a_fact_shows_its_chinese_name_unit_yuan_and_evidence() {
        let fact = FactView {
            kind: "sales-amount".into(),
            value: 6_000_005,
            unit: Some("fen".into()),
            year: None,
            evidence: Some("ab".repeat(32)),
        };
        assert_eq!(
            fact_line(&fact),
            format!(
                "销售金额 (sales-amount) 6000005 fen (¥60000.05), evidence {}",
                "ab".repeat(32)
            )
        );
    }
}
