//! `xianjie policy show` and `xianjie gov …`: the on-chain Cedar policies
//! and M-of-N governance (an organisation's admin key proposes and approves).

use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use xianjie_api::governance::{PolicyView, ProposalsView};
use xianjie_ledger::deadline::Calendar;
use xianjie_ledger::governance::{Change, NewOrg, ParamChange, Proposal};
use xianjie_ledger::ids::{OrgId, ProposalId};
use xianjie_ledger::model::{Org, OrgKind, OrgLevel};
use xianjie_ledger::tx::{Approve, Call, Propose};
use xianjie_ledger::validators::Validator;

use crate::common::{read_typed, submit};
use crate::members::{parse_key_id, parse_public_key};
use crate::{Context, Exit};

/// `xianjie policy …`
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PolicyCommand,
}

/// The `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the Cedar policy set in force.
    Show,
}

/// `xianjie gov …`
#[derive(Debug, Args)]
pub struct GovArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: GovCommand,
}

/// The `gov` subcommands (admin keys).
#[derive(Debug, Subcommand)]
pub enum GovCommand {
    /// Propose a change; it applies once M of the N voting organisations approve.
    Propose(ProposeArgs),
    /// Approve a proposal for your organisation.
    Approve {
        /// The proposal id (GOV-…).
        id: ProposalId,
    },
    /// Every proposal and how many approvals one needs.
    List,
}

/// `xianjie gov propose`
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// What to change.
    #[command(subcommand)]
    pub change: ChangeArg,
}

/// What a proposal changes.
#[derive(Debug, Subcommand)]
pub enum ChangeArg {
    /// Replace the Cedar policy set with the text of FILE.
    Policy {
        /// The policy file.
        file: PathBuf,
    },
    /// Change one parameter: min_collectors, max_custody_events,
    /// max_tx_validity_blocks, min_taskforce, min_inspectors,
    /// supervision_during_reconsideration, case_domains (JSON list),
    /// remove_deadline_rule, uscc_allow_list (JSON list of pilot-era codes),
    /// or any other by its JSON value.
    Param {
        /// The parameter name.
        name: String,
        /// Its value (a number, true/false, text, or JSON).
        value: String,
    },
    /// Replace the holiday calendar with FILE (JSON: holidays, makeup_workdays, source).
    Holidays {
        /// The calendar file.
        file: PathBuf,
    },
    /// Add a validator: a node key that votes from the height after the one
    /// that applies the proposal. Start its node first: a validator that is
    /// not running counts against the two thirds of voting power a block needs.
    AddValidator {
        /// The node's public key (64 hex characters; `keys/node.key` of its home).
        public_key: String,
        /// The organisation that runs the node.
        #[arg(long)]
        org: String,
        /// Its voting power.
        #[arg(long, default_value_t = 1)]
        power: u64,
    },
    /// Remove a validator, by public key (64 hex characters) or key id (40).
    RemoveValidator {
        /// The validator's key.
        // Not `key`: that is the global `--key` (the admin's key file).
        #[arg(value_name = "KEY")]
        validator: String,
    },
    /// Admit an organisation that is not yet a member, with its first admin
    /// key. Its admin then registers its officers and node keys.
    AddOrg {
        /// The id officers and policies will name it by (a-z, 0-9 and -).
        id: String,
        /// Its official name (public information).
        #[arg(long)]
        name: String,
        /// What kind of organisation it is.
        #[arg(long, value_parser = kind_parser())]
        kind: OrgKind,
        /// Its 统一社会信用代码 (18 characters; a wrong check character only if
        /// the code is on the chain's `uscc_allow_list`).
        #[arg(long)]
        uscc: String,
        /// The 6-digit administrative division code of its jurisdiction.
        #[arg(long)]
        region: String,
        /// Its administrative level.
        #[arg(long, value_parser = level_parser())]
        level: OrgLevelArg,
        /// Its first admin's public key (64 hex characters, as `xianjie keys new` prints it).
        #[arg(long)]
        admin: String,
    },
}

/// The help line of each organisation kind in `--help`: its Chinese name
/// from the API's name table (the console's too).
fn kind_help(kind: OrgKind) -> &'static str {
    OrgKind::NAMES
        .iter()
        .find(|(named, _)| *named == kind)
        .and_then(|(_, code)| xianjie_api::names::lookup(xianjie_api::names::ORG_KINDS, code))
        .map_or("", |name| name.zh)
}

/// The ledger's [`OrgKind`] by the command line's spellings
/// (`administrative-agency`, `testing-body`), its JSON names also accepted.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = OrgKind> {
    crate::common::ledger_spellings(OrgKind::NAMES, OrgKind::SPELLINGS, kind_help)
}

/// The administrative level of an organisation, as the command line names
/// it: the ledger's [`OrgLevel`] by its names (`xianjie_ledger::names`).
pub type OrgLevelArg = OrgLevel;

/// The help line of each level in `--help`.
fn level_help(level: OrgLevel) -> &'static str {
    match level {
        OrgLevel::National => "国家级",
        OrgLevel::Provincial => "省级",
        OrgLevel::Prefecture => "地市级",
        OrgLevel::County => "县级",
    }
}

/// clap parser for `--level`.
fn level_parser() -> impl clap::builder::TypedValueParser<Value = OrgLevel> {
    crate::common::ledger_names(OrgLevel::NAMES, level_help)
}

/// Runs `policy show`.
pub fn execute_policy(context: &Context, args: PolicyArgs) -> anyhow::Result<Exit> {
    let PolicyCommand::Show = args.command;
    let (answer, policy) = match read_typed::<PolicyView>(context, "/v1/policy")? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        format!(
            "// {} policy set, digest {}\n{}",
            if policy.is_default {
                "default"
            } else {
                "governed"
            },
            policy.digest,
            policy.policy_set
        )
    })?;
    Ok(Exit::Success)
}

/// A parameter change from a name and a value on the command line.
pub fn param_change(name: &str, value: &str) -> anyhow::Result<ParamChange> {
    let value: Value = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
    serde_json::from_value(json!({ name: value })).map_err(|error| {
        anyhow!("{name} = {value} is not a parameter change this chain knows ({error})")
    })
}

fn proposal_id(tx: &xianjie_ledger::Hash) -> ProposalId {
    ProposalId::for_tx(tx)
}

/// Runs a `gov` subcommand.
pub fn execute(context: &Context, args: GovArgs) -> anyhow::Result<Exit> {
    match args.command {
        GovCommand::Propose(args) => {
            let change = match args.change {
                ChangeArg::Policy { file } => Change::PolicySet(
                    std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?,
                ),
                ChangeArg::Param { name, value } => Change::Param(param_change(&name, &value)?),
                ChangeArg::Holidays { file } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let calendar: Calendar = serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a calendar", file.display()))?;
                    Change::Holidays(calendar)
                }
                ChangeArg::AddValidator {
                    public_key,
                    org,
                    power,
                } => Change::AddValidator(Validator {
                    public_key: parse_public_key(&public_key)?,
                    power,
                    org: OrgId::new(&org).map_err(|reason| anyhow!("--org {org:?}: {reason}"))?,
                }),
                ChangeArg::RemoveValidator { validator } => {
                    Change::RemoveValidator(parse_key_id(&validator)?)
                }
                ChangeArg::AddOrg {
                    id,
                    name,
                    kind,
                    uscc,
                    region,
                    level,
                    admin,
                } => Change::AddOrg(NewOrg {
                    org: Org {
                        id: OrgId::new(&id).map_err(|reason| anyhow!("{reason}"))?,
                        name,
                        kind,
                        uscc,
                        region,
                        level,
                    },
                    admin: parse_public_key(&admin)
                        .with_context(|| format!("--admin {admin:?}"))?,
                }),
            };
            let kind = change.kind();
            submit(
                context,
                Call::Propose(Propose {
                    change,
                    note_digest: None,
                }),
                |c| json!({ "id": proposal_id(&c.hash), "change": kind }),
                |c| {
                    format!(
                        "proposed {} ({kind}); other voting organisations approve with `xianjie gov approve {}`",
                        proposal_id(&c.hash),
                        proposal_id(&c.hash)
                    )
                },
            )
        }
        GovCommand::Approve { id } => submit(
            context,
            Call::Approve(Approve {
                proposal: id.clone(),
            }),
            |_| json!({ "id": id, "approved": true }),
            |c| format!("approved {id} (height {}, tx {})", c.height, c.hash),
        ),
        GovCommand::List => {
            let path = "/v1/governance/proposals";
            let (answer, view) = match read_typed::<ProposalsView>(context, path)? {
                Ok(answer) => answer,
                Err(exit) => return Ok(exit),
            };
            let proposals: Vec<Proposal> = view
                .proposals
                .iter()
                .map(|proposal| context.client().typed(path, proposal.clone()))
                .collect::<anyhow::Result<_>>()?;
            context.output.emit(&answer, || {
                let mut text = format!("a proposal needs {} approvals\n", view.required_approvals);
                for proposal in &proposals {
                    // The change's kind: its JSON is `{"<kind>": …}`.
                    let change = match serde_json::to_value(&proposal.change) {
                        Ok(Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
                        _ => String::new(),
                    };
                    text.push_str(&format!(
                        "{}  {:<12} by {}  approvals {}  {}\n",
                        proposal.id,
                        change,
                        proposal.proposer_org,
                        json!(proposal.approvals),
                        json!(proposal.status),
                    ));
                }
                text
            })?;
            Ok(Exit::Success)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_from_text() {
        assert_eq!(
            param_change("min_taskforce", "3").unwrap(),
            ParamChange::MinTaskforce(3)
        );
        assert_eq!(
            param_change("supervision_during_reconsideration", "false").unwrap(),
            ParamChange::SupervisionDuringReconsideration(false)
        );
        assert_eq!(
            param_change("remove_deadline_rule", "PSB_FILING_DECISION").unwrap(),
            ParamChange::RemoveDeadlineRule("PSB_FILING_DECISION".into())
        );
        assert_eq!(
            param_change("uscc_allow_list", r#"["91350100M0001TGQXM"]"#).unwrap(),
            ParamChange::UsccAllowList(vec!["91350100M0001TGQXM".into()])
        );
        assert!(param_change("nonsense", "1").is_err());
    }

    /// `add-org --kind` takes the command line's spellings (and the JSON
    /// names), parsed by the ledger's `FromStr`; `--help` and a wrong kind
    /// list the command line's spellings.
    #[test]
    fn org_kinds_parse_by_their_command_line_spellings() {
        use clap::Parser as _;

        #[derive(Debug, clap::Parser)]
        struct Propose {
            #[command(subcommand)]
            change: ChangeArg,
        }

        let add_org = |kind: &str| {
            Propose::try_parse_from([
                "propose", "add-org", "o", "--name", "O", "--kind", kind, "--uscc", "u",
                "--region", "330200", "--level", "county", "--admin", "ab",
            ])
        };
        for (spelling, expected) in [
            ("administrative-agency", OrgKind::AdministrativeAgency),
            ("administrative_agency", OrgKind::AdministrativeAgency),
            ("police", OrgKind::Police),
            ("procuratorate", OrgKind::Procuratorate),
            ("court", OrgKind::Court),
            ("testing-body", OrgKind::TestingBody),
            ("testing_body", OrgKind::TestingBody),
            ("government-office", OrgKind::GovernmentOffice),
            ("government_office", OrgKind::GovernmentOffice),
        ] {
            match add_org(spelling).unwrap().change {
                ChangeArg::AddOrg { kind, .. } => assert_eq!(kind, expected, "{spelling}"),
                other => panic!("{spelling}: {other:?}"),
            }
        }
        let error = add_org("bureau").unwrap_err().to_string();
        assert!(
            error.contains("administrative-agency, police, procuratorate, court, testing-body, government-office"),
            "{error}"
        );
    }
}
