//! `xianjie case …`: open a case, record its steps, and see where it stands.
//!
//! Action names are the rows of the contracts' transition table
//! (`xianjie_contracts::case::transitions()`, contracts/README.md). Decisions
//! the law gives to leadership (approve or decline a transfer, file or
//! decline filing, decide reconsideration, order filing, indict, judgment, …)
//! need the head's key; the rest an officer's (or the head's).

use std::str::FromStr;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use xianjie_api::cases::{ActionStanding, ActionView, ActionsView, CaseDetail, CaseList};
use xianjie_api::names::{self, zh_with_code};
use xianjie_api::supervision::CaseFactsView;
use xianjie_contracts::case::{transition, transitions};
use xianjie_contracts::deadline::{Clock, ClockExtension, ClockPause};
use xianjie_ledger::case::{
    Attachment, AttachmentKind, Case, CaseEvent, CaseState, LeadKind, LeadSource, Outcome,
};
use xianjie_ledger::deadline::TimeUnit;
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::supervision::{Fact, FactKind, FactUnit, PenaltyKind, PenaltyTerms};
use xianjie_ledger::tx::{Call, CaseAction, CaseStep, OpenCase};

use crate::common::{digest_or_file, officer_id, query_value, read_typed, submit};
use crate::output::{format_time_ms, wire_name};
use crate::{Context, Exit};

/// `xianjie case …`
#[derive(Debug, Args)]
pub struct CaseArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: CaseCommand,
}

/// The `case` subcommands.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case at S0_LEAD for your administrative agency; prints its id.
    Open(OpenArgs),
    /// Record one step of a case (an ACTION of the transition table).
    Act(ActArgs),
    /// What your key may do now on a case, what it must supply first, and
    /// why the rest of the current state's actions are not yours.
    Actions(ActionsArgs),
    /// A case's key facts, penalty decisions and the threshold rules they met.
    Facts(CaseIdArgs),
    /// A case's state, timeline, running clocks and due times, and evidence.
    Show(CaseIdArgs),
    /// The cases your key may read.
    List(ListArgs),
}

/// `xianjie case open`
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Short title, no personal names (at most 96 bytes).
    #[arg(long)]
    pub title: String,
    /// The entity's 统一社会信用代码 (USCC, 18 characters).
    #[arg(
        long,
        value_name = "USCC",
        required_unless_present = "person_from",
        conflicts_with = "person_from"
    )]
    pub entity: Option<String>,
    /// Or the natural person it concerns: only the salted hash of the
    /// identity number goes on chain (docs/clue.md §3).
    #[command(flatten)]
    pub person: crate::clue::PersonArgs,
    /// Sector: general, food_drug, drug, environment, tax, customs, ip.
    #[arg(long, default_value = "general", value_name = "D")]
    pub domain: String,
    /// Where the lead came from: random-inspection, complaint, routine,
    /// sampling, monitoring, assignment, procuratorial-opinion, other, or
    /// clue (with --lead-ref CLUE-…: opening the case converts the clue).
    #[arg(long, default_value = "other", value_parser = LeadKind::from_str)]
    pub lead: LeadKind,
    /// A reference for the lead, e.g. an inspection id (INSP-…), a clue id
    /// (CLUE-…) or a draw's finding (DRAW-…/<inspection>: checked against
    /// its published result).
    #[arg(long, value_name = "REF")]
    pub lead_ref: Option<String>,
}

/// `xianjie case act`
#[derive(Debug, Args)]
#[command(after_long_help = after_act_help())]
pub struct ActArgs {
    /// The case id (CASE-…).
    pub case: CaseId,
    /// The action, e.g. open-admin-case, approve-transfer, transfer, file.
    #[arg(value_parser = parse_action)]
    pub action: String,
    /// A document the step carries: KIND=DIGEST, KIND=@FILE, or a bare
    /// DIGEST/@FILE. Bare ones fill, in order, the kinds the action requires
    /// that were not given as KIND=…, then the kinds it takes when the case
    /// has them (a transfer's test report); repeat for several.
    #[arg(long = "attach", value_name = "[KIND=]DIGEST|@FILE")]
    pub attach: Vec<String>,
    /// An officer named by the step (the task force of form-taskforce): an
    /// id as `xianjie keys show` prints it, or a key file. Repeat.
    #[arg(long = "officer", value_name = "ID|KEYFILE")]
    pub officers: Vec<String>,
    /// The organisation the step names (transfer, forward, indict).
    #[arg(long, value_name = "ORG", value_parser = crate::evidence::parse_org_id)]
    pub to: Option<OrgId>,
    /// The reasons, kept off chain: only their digest is recorded.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The outcome: file/uphold (decide-reconsideration),
    /// convicted/convicted-fined/exempted/acquitted (judgment; convicted-fined
    /// when the court imposed a criminal fine), penalty/fine/no-penalty
    /// (penalty-decision; fine when the penalty includes a fine).
    #[arg(long, value_name = "O", value_parser = Outcome::from_str)]
    pub outcome: Option<Outcome>,
    /// A key fact the step rests on (open-admin-case, mark-suspected,
    /// penalty-decision), as comma-separated pairs:
    /// `kind=sales-amount,value=8000000,unit=fen,evidence=DIGEST|@FILE`
    /// (`year=2024` for per-year tax facts). Money is in fen. Repeat.
    #[arg(long = "fact", value_name = "kind=K,value=N,unit=U,evidence=D[,year=Y]", value_parser = parse_fact)]
    pub facts: Vec<Fact>,
    /// The date of the violation (yyyymmdd).
    #[arg(long, value_name = "YYYYMMDD")]
    pub violation_date: Option<u32>,
    /// The fine a penalty decision imposed, in fen.
    #[arg(long, value_name = "FEN")]
    pub fine_fen: Option<u64>,
    /// A kind of penalty the decision imposed (warning, fine, confiscation,
    /// suspend-business, …). Repeat.
    #[arg(long = "penalty-kind", value_name = "KIND", value_parser = PenaltyKind::from_str)]
    pub penalty_kinds: Vec<PenaltyKind>,
}

/// Parses `kind=…,value=…,unit=…,evidence=…[,year=…]`. A missing unit or
/// evidence is left for the chain to refuse with its own code, so the
/// refusal names what to supply.
fn parse_fact(text: &str) -> Result<Fact, String> {
    let mut kind = None;
    let mut value = None;
    let mut unit = None;
    let mut evidence = None;
    let mut year = None;
    for pair in text.split(',') {
        let (key, val) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not key=value"))?;
        match key.trim() {
            "kind" => kind = Some(FactKind::from_str(val)?),
            "value" => {
                value = Some(
                    val.parse::<i64>()
                        .map_err(|_| format!("value {val:?} is not a whole number"))?,
                )
            }
            "unit" => unit = Some(FactUnit::from_str(val)?),
            "evidence" => {
                evidence = Some(digest_or_file(val).map_err(|e| format!("evidence: {e:#}"))?)
            }
            "year" => {
                year = Some(
                    val.parse::<u16>()
                        .map_err(|_| format!("year {val:?} is not a year"))?,
                )
            }
            other => {
                return Err(format!(
                    "unknown field {other:?}; use kind, value, unit, evidence and year"
                ))
            }
        }
    }
    Ok(Fact {
        kind: kind.ok_or("a fact needs kind=…")?,
        value: value.ok_or("a fact needs value=…")?,
        unit,
        year,
        evidence,
    })
}

/// A case id.
#[derive(Debug, Args)]
pub struct CaseIdArgs {
    /// The case id (CASE-…).
    pub case: CaseId,
}

/// `xianjie case actions`
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// The case id (CASE-…).
    pub case: CaseId,
    /// Also list the actions of other states.
    #[arg(long)]
    pub all: bool,
}

/// `xianjie case list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only cases in this state, e.g. S8X_NOT_FILED.
    #[arg(long, value_parser = CaseState::from_str)]
    pub state: Option<CaseState>,
    /// Only cases with an overdue duty at the latest block time.
    #[arg(long)]
    pub overdue: bool,
}

fn parse_action(text: &str) -> Result<String, String> {
    if transition(text).is_some() {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "unknown action; one of: {}",
            transitions()
                .iter()
                .map(|row| row.action)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

fn after_act_help() -> String {
    let mut text =
        String::from("Actions (party, least role, attachments; see contracts/README.md):\n");
    for row in transitions() {
        let role = match row.role {
            xianjie_contracts::case::MinRole::Head => "head",
            xianjie_contracts::case::MinRole::Officer => "officer",
        };
        let kinds: Vec<_> = row.attachments.iter().map(|kind| kind.name()).collect();
        text.push_str(&format!(
            "  {:<24} {:<7} {}\n",
            row.action,
            role,
            if kinds.is_empty() {
                "-".to_owned()
            } else {
                kinds.join(", ")
            }
        ));
    }
    text.push_str(
        "\nExamples:\n  xianjie --key $K/market-officer.key case act $C open-admin-case --attach @record.pdf\n  \
         xianjie --key $K/market-head.key case act $C approve-transfer --attach decision-record=@decision.pdf",
    );
    text
}

/// Runs a `case` subcommand.
pub fn execute(context: &Context, args: CaseArgs) -> anyhow::Result<Exit> {
    match args.command {
        CaseCommand::Open(args) => open(context, args),
        CaseCommand::Act(args) => act(context, args),
        CaseCommand::Actions(args) => actions(context, &args.case, args.all),
        CaseCommand::Facts(args) => facts(context, &args.case),
        CaseCommand::Show(args) => show(context, &args.case),
        CaseCommand::List(args) => list(context, args),
    }
}

/// The id of the case a transaction opens.
fn case_id(tx: &xianjie_ledger::Hash) -> CaseId {
    CaseId::for_tx(tx)
}

fn open(context: &Context, args: OpenArgs) -> anyhow::Result<Exit> {
    let entity = match (&args.entity, crate::clue::person_hash(&args.person)?) {
        (Some(uscc), _) => uscc.clone(),
        (None, Some(person)) => xianjie_ledger::clue::person_code(&person),
        (None, None) => {
            anyhow::bail!("name whom the case concerns: --entity USCC or --person-from FILE|-")
        }
    };
    let call = Call::OpenCase(OpenCase {
        title: args.title.clone(),
        entity,
        domain: args.domain.clone(),
        lead: LeadSource {
            kind: args.lead,
            reference: args.lead_ref,
        },
    });
    submit(
        context,
        call,
        |committed| json!({ "id": case_id(&committed.hash), "state": "S0_LEAD" }),
        |committed| {
            format!(
                "opened case {} at S0_LEAD (height {}, tx {})",
                case_id(&committed.hash),
                committed.height,
                committed.hash
            )
        },
    )
}

/// Builds the attachments: explicit kinds first, bare digests fill the
/// required kinds that are still missing, in the table's order, then its
/// optional kinds.
pub fn attachments(action: &str, values: &[String]) -> anyhow::Result<Vec<Attachment>> {
    let row = transition(action).ok_or_else(|| anyhow!("unknown action {action}"))?;
    let mut out: Vec<Attachment> = Vec::new();
    let mut bare = Vec::new();
    for value in values {
        match value.split_once('=') {
            Some((kind, digest)) => out.push(Attachment {
                kind: kind.parse::<AttachmentKind>().map_err(|e| anyhow!(e))?,
                digest: digest_or_file(digest)?,
            }),
            None => bare.push(digest_or_file(value)?),
        }
    }
    let given: Vec<AttachmentKind> = out.iter().map(|a| a.kind).collect();
    let mut missing = row
        .attachments
        .iter()
        .chain(row.optional_attachments)
        .filter(|kind| !given.contains(kind));
    for digest in bare {
        let Some(kind) = missing.next() else {
            bail!(
                "cannot tell the kind of a bare attachment: {action} requires {}; write KIND=DIGEST",
                if row.attachments.is_empty() && row.optional_attachments.is_empty() {
                    "none".to_owned()
                } else {
                    row.attachments
                        .iter()
                        .map(|kind| kind.name().to_owned())
                        .chain(
                            row.optional_attachments
                                .iter()
                                .map(|kind| format!("{} (optional)", kind.name())),
                        )
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        };
        out.push(Attachment {
            kind: *kind,
            digest,
        });
    }
    Ok(out)
}

fn act(context: &Context, args: ActArgs) -> anyhow::Result<Exit> {
    let call = CaseAction {
        case_id: args.case.clone(),
        action: args.action.clone(),
        attachments: attachments(&args.action, &args.attach)?,
        officers: args
            .officers
            .iter()
            .map(|text| officer_id(text))
            .collect::<anyhow::Result<_>>()?,
        to: args.to.clone(),
        reason_digest: args.reason.as_deref().map(note_digest),
        outcome: args.outcome,
    };
    // The state after the step, if the signer may still read the case.
    let state_after = || -> Option<String> {
        let path = format!("/v1/cases/{}", args.case);
        let answer = context.client().get_json(&path).ok()?.ok()?;
        let detail: CaseDetail = serde_json::from_value(answer).ok()?;
        Some(detail.state)
    };
    let penalty =
        (args.fine_fen.is_some() || !args.penalty_kinds.is_empty()).then(|| PenaltyTerms {
            fine_fen: args.fine_fen.unwrap_or(0),
            kinds: args.penalty_kinds.clone(),
        });
    let call = if args.facts.is_empty() && args.violation_date.is_none() && penalty.is_none() {
        Call::CaseAction(call)
    } else {
        Call::CaseStep(CaseStep {
            action: call,
            facts: args.facts.clone(),
            violation_date: args.violation_date,
            penalty,
        })
    };
    submit(
        context,
        call,
        |_| json!({ "case": args.case, "action": args.action, "state": state_after() }),
        |committed| {
            format!(
                "{} recorded on {} (height {}, tx {}){}",
                args.action,
                args.case,
                committed.height,
                committed.hash,
                state_after()
                    .map(|state| format!("; the case is now {state}"))
                    .unwrap_or_default()
            )
        },
    )
}

fn actions(context: &Context, case: &str, all: bool) -> anyhow::Result<Exit> {
    let path = format!("/v1/cases/{case}/actions");
    let (answer, view) = match read_typed::<ActionsView>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context
        .output
        .emit(&answer, || describe_actions(&view, all))?;
    Ok(Exit::Success)
}

/// An action's name: `批准移送 (approve-transfer)`.
fn action_name(action: &str) -> String {
    zh_with_code(names::ACTIONS, action)
}

/// The actions grouped by where the officer stands (`ActionView::standing`,
/// which the node derives from the contracts' table and dry run).
fn describe_actions(view: &ActionsView, all: bool) -> String {
    let mut text = format!(
        "case {} is {}; as officer {} of {} ({}):\n",
        view.case_id,
        zh_with_code(names::STATES, &view.state),
        view.officer,
        view.org,
        view.role,
    );
    let of = |standing: ActionStanding| -> Vec<&ActionView> {
        view.actions
            .iter()
            .filter(|action| action.standing == standing)
            .collect()
    };
    text.push_str("\nyou may now:\n");
    let now = of(ActionStanding::Now);
    let supply = of(ActionStanding::Supply);
    if now.is_empty() && supply.is_empty() {
        text.push_str("  nothing at this point\n");
    }
    for action in &now {
        text.push_str(&format!("  {}\n", action_name(&action.action)));
    }
    if !supply.is_empty() {
        text.push_str("\nyou may, once you supply what it needs:\n");
    }
    for action in &supply {
        text.push_str(&format!(
            "  {}\n    needs {}\n",
            action_name(&action.action),
            needs(action)
        ));
    }
    let refused: Vec<&ActionView> = [
        ActionStanding::WrongRole,
        ActionStanding::WrongParty,
        ActionStanding::Refused,
    ]
    .into_iter()
    .flat_map(of)
    .collect();
    if !refused.is_empty() {
        text.push_str(&format!(
            "\nnot yours in {}:\n",
            zh_with_code(names::STATES, &view.state)
        ));
    }
    for action in &refused {
        let why = match action.standing {
            ActionStanding::WrongRole => "needs the head's key".to_owned(),
            ActionStanding::WrongParty => {
                format!("only the {} may record it", action.parties.join(" or "))
            }
            _ => "refused now".to_owned(),
        };
        text.push_str(&format!(
            "  {}\n    {why}: {}: {}\n",
            action_name(&action.action),
            action.code.as_deref().unwrap_or("?"),
            action.reason.as_deref().unwrap_or(""),
        ));
    }
    let others = of(ActionStanding::OtherState);
    if all {
        text.push_str("\nother states:\n");
        for action in &others {
            text.push_str(&format!(
                "  {}  {}\n",
                action_name(&action.action),
                action.summary
            ));
        }
    } else if !others.is_empty() {
        text.push_str(&format!(
            "\n{} actions of other states not shown (--all lists them)\n",
            others.len()
        ));
    }
    text
}

fn facts(context: &Context, case: &str) -> anyhow::Result<Exit> {
    let path = format!("/v1/cases/{case}/facts");
    let (answer, view) = match read_typed::<CaseFactsView>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || describe_facts(&view))?;
    Ok(Exit::Success)
}

fn describe_facts(view: &CaseFactsView) -> String {
    let mut out = format!("case {} (height {})\n", view.case_id, view.height);
    if let Some(date) = view.violation_date {
        out.push_str(&format!("violation date {date}\n"));
    }
    out.push_str("\nfacts\n");
    if view.facts.is_empty() {
        out.push_str("  none recorded\n");
    }
    for recorded in &view.facts {
        out.push_str(&format!(
            "  {}\n    recorded by {} at height {}\n",
            crate::supervision::fact_line(&recorded.fact),
            action_name(&recorded.action),
            recorded.height
        ));
    }
    out.push_str("\npenalty decisions\n");
    if view.penalties.is_empty() {
        out.push_str("  none\n");
    }
    for penalty in &view.penalties {
        out.push_str(&format!(
            "  #{:<3} {}  {}{}\n",
            penalty.seq,
            format_time_ms(penalty.time_ms),
            if penalty.kinds.is_empty() {
                "no terms recorded".to_owned()
            } else {
                penalty
                    .kinds
                    .iter()
                    .map(|kind| zh_with_code(names::PENALTY_KINDS, kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            penalty
                .fine_fen
                .filter(|fen| *fen > 0)
                .map(|fen| format!("; fine ¥{}.{:02}", fen / 100, fen % 100))
                .unwrap_or_default(),
        ));
    }
    out.push_str("\nthreshold rules met");
    if view.evaluated_height > 0 {
        out.push_str(&format!(" (evaluated at height {})", view.evaluated_height));
    }
    out.push('\n');
    if view.matched.is_empty() {
        out.push_str("  none\n");
    }
    for matched in &view.matched {
        out.push_str(&crate::supervision::rule_match_text(matched));
    }
    out
}

fn needs(action: &ActionView) -> String {
    let mut parts = Vec::new();
    if !action.attachments.is_empty() {
        parts.push(format!(
            "--attach {}",
            action.attachments.join(" --attach ")
        ));
    }
    if let Some(target) = &action.target {
        parts.push(format!("--to ({target})"));
    }
    if action.taskforce {
        parts.push("--officer ID (task force)".into());
    }
    if action.reason_required {
        parts.push("--reason TEXT".into());
    }
    if !action.outcomes.is_empty() {
        parts.push(format!("--outcome {}", action.outcomes.join("|")));
    }
    if action.role == "head" {
        parts.push("(head's key)".into());
    }
    parts.join(" ")
}

fn show(context: &Context, case: &str) -> anyhow::Result<Exit> {
    let path = format!("/v1/cases/{case}");
    let (answer, detail) = match read_typed::<CaseDetail>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let record: Case = context.client().typed(&path, detail.case.clone())?;
    let events: Vec<CaseEvent> = context
        .client()
        .typed(&path, Value::Array(detail.events.clone()))?;
    let clocks: Vec<Clock> = context
        .client()
        .typed(&path, Value::Array(detail.clocks.clone()))?;
    context.output.emit(&answer, || {
        describe(&detail, Some(&record), &events, &clocks)
    })?;
    Ok(Exit::Success)
}

/// `; extended by 15 calendar_day on … (source)` for an extended clock.
fn extension_note(extension: Option<&ClockExtension>) -> String {
    let Some(extension) = extension else {
        return String::new();
    };
    format!(
        "; extended by {} {} on {} ({})",
        extension.limit,
        wire_name(&extension.unit),
        format_time_ms(extension.granted_at_ms),
        extension.source,
    )
}

/// `; stopped with 2 working_day used, counting again since … (source)`
/// for a clock that was stopped (中止) and resumed.
fn pause_note(pause: Option<&ClockPause>, unit: TimeUnit) -> String {
    let Some(pause) = pause else {
        return String::new();
    };
    format!(
        "; stopped with {} {} used, counting again since {} ({})",
        pause.used,
        wire_name(&unit),
        format_time_ms(pause.resumed_at_ms),
        pause.source,
    )
}

/// An optional organisation, `-` when absent.
fn org(org: Option<&OrgId>) -> String {
    org.map_or_else(|| "-".to_owned(), ToString::to_string)
}

/// The requests between organs about the case, each with its clock while
/// open (docs/request.md).
fn describe_requests(out: &mut String, requests: &[xianjie_api::requests::RequestView]) {
    if requests.is_empty() {
        return;
    }
    out.push_str("\nrequests between organs\n");
    for view in requests {
        let field = |name: &str| view.request[name].as_str().unwrap_or("?").to_owned();
        out.push_str(&format!(
            "  {}  {} from {} to {}: {}\n",
            field("id"),
            field("kind"),
            field("from"),
            field("to"),
            field("state")
        ));
        for clock in &view.clocks {
            out.push_str(&format!(
                "    {} must answer by {}{}\n",
                clock["rule"].as_str().unwrap_or("?"),
                format_time_ms(clock["due_at_ms"].as_u64().unwrap_or(0)),
                if clock["overdue"].as_bool() == Some(true) {
                    "  OVERDUE"
                } else {
                    ""
                }
            ));
        }
    }
}

fn describe(
    answer: &CaseDetail,
    case: Option<&Case>,
    events: &[CaseEvent],
    clocks: &[Clock],
) -> String {
    let field = |get: fn(&Case) -> String| case.map_or_else(|| "-".to_owned(), get);
    let mut out = format!(
        "case      {}  {}\nentity    {}  (domain {})\nstate     {}{}\nparties   agency {}, police {}, procuratorate {}, court {}\n",
        field(|case| case.id.to_string()),
        field(|case| case.title.clone()),
        field(|case| case.entity.clone()),
        field(|case| zh_with_code(names::DOMAINS, &case.domain)),
        zh_with_code(names::STATES, &answer.state),
        if answer.overdue { "  OVERDUE" } else { "" },
        field(|case| case.owner.to_string()),
        field(|case| org(case.police.as_ref())),
        field(|case| org(case.procuratorate.as_ref())),
        field(|case| org(case.court.as_ref())),
    );
    out.push_str("\ntimeline\n");
    for event in events {
        out.push_str(&format!(
            "  #{:<3} {}  {:<24} {} → {}  by {}{}{}\n",
            event.seq,
            format_time_ms(event.time_ms),
            action_name(&event.action),
            wire_name(&event.from),
            wire_name(&event.to),
            event.org,
            event
                .target
                .as_ref()
                .map(|to| format!(" to {to}"))
                .unwrap_or_default(),
            event
                .outcome
                .as_ref()
                .map(|outcome| format!(" ({})", wire_name(outcome)))
                .unwrap_or_default(),
        ));
    }
    out.push_str(&format!(
        "\nclocks at the latest block ({})\n",
        format_time_ms(answer.at_ms)
    ));
    if clocks.is_empty() {
        out.push_str("  none running\n");
    }
    for clock in clocks {
        out.push_str(&format!(
            "  {:<32} {} must act by {}{}  ({} {} {}, {}{}{}){}\n",
            zh_with_code(names::DEADLINE_RULES, &clock.rule),
            clock.actor,
            format_time_ms(clock.due_at_ms),
            if clock.overdue { "  OVERDUE" } else { "" },
            wire_name(&clock.kind),
            clock.limit,
            wire_name(&clock.unit),
            clock.source,
            extension_note(clock.extension.as_ref()),
            pause_note(clock.pause.as_ref(), clock.unit),
            if clock.calendar_incomplete {
                "\n    WARNING: the holiday calendar lacks a year this clock reaches; the due time may be early (governance adds the year: `xianjie gov propose holidays FILE`)"
            } else {
                ""
            },
        ));
    }
    describe_requests(&mut out, &answer.requests);
    let attachments = &answer.attachments;
    if !attachments.is_empty() {
        out.push_str("\nattachments\n");
        for attachment in attachments {
            out.push_str(&format!(
                "  #{:<3} {:<26} {}{}\n",
                attachment.seq,
                attachment.kind,
                attachment.digest,
                attachment
                    .class
                    .as_deref()
                    .map(|class| format!("  class {class}"))
                    .unwrap_or_default()
            ));
        }
    }
    if !answer.evidence.is_empty() {
        out.push_str("\nevidence\n");
        for item in &answer.evidence {
            out.push_str(&format!(
                "  {}  class {}  {}  held by {}{}\n",
                item.digest,
                item.class,
                item.category,
                item.holder,
                if item.requires_recollection {
                    "  MUST BE RE-COLLECTED"
                } else {
                    ""
                }
            ));
        }
    }
    out
}

fn list(context: &Context, args: ListArgs) -> anyhow::Result<Exit> {
    let mut query = Vec::new();
    if let Some(state) = args.state {
        query.push(format!("state={}", query_value(state.name())));
    }
    if args.overdue {
        query.push("overdue=true".to_owned());
    }
    let path = if query.is_empty() {
        "/v1/cases".to_owned()
    } else {
        format!("/v1/cases?{}", query.join("&"))
    };
    let (answer, list) = match read_typed::<CaseList>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        let cases = &list.cases;
        if cases.is_empty() {
            return "no cases".into();
        }
        cases
            .iter()
            .map(|case| {
                format!(
                    "{}  {:<24} {}{}  {}",
                    case.id,
                    case.state,
                    case.owner,
                    if case.overdue { "  OVERDUE" } else { "" },
                    case.title,
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

    /// A case answer with nothing but `clocks`, shown.
    fn with_clocks(clocks: Vec<Value>) -> String {
        // The fields these tests do not look at.
        let clocks: Vec<Clock> = clocks
            .into_iter()
            .map(|mut clock| {
                let defaults = serde_json::json!({
                    "state": "S0_LEAD", "started_at_ms": 0, "overdue": false,
                    "expired": false, "override_id": null, "verified": "P", "pause": null,
                });
                for (field, value) in defaults.as_object().unwrap() {
                    clock
                        .as_object_mut()
                        .unwrap()
                        .entry(field.clone())
                        .or_insert(value.clone());
                }
                for part in ["extension", "pause"] {
                    if let Some(part) = clock.get_mut(part).and_then(Value::as_object_mut) {
                        part.entry("verified").or_insert("P".into());
                    }
                }
                serde_json::from_value(clock).unwrap()
            })
            .collect();
        let answer = CaseDetail {
            height: 0,
            at_ms: 0,
            state: "-".into(),
            overdue: false,
            case: Value::Null,
            events: Vec::new(),
            clocks: Vec::new(),
            attachments: Vec::new(),
            evidence: Vec::new(),
            requests: Vec::new(),
        };
        describe(&answer, None, &[], &clocks)
    }

    #[test]
    fn bare_attachments_fill_the_required_kinds_in_order() {
        let d1 = "11".repeat(32);
        let d2 = "22".repeat(32);
        let got = attachments("mark-suspected", &[d1.clone(), d2.clone()]).unwrap();
        assert_eq!(got[0].kind, AttachmentKind::ThresholdEvaluation);
        assert_eq!(got[1].kind, AttachmentKind::EvidenceList);
        let explicit = attachments(
            "mark-suspected",
            &[format!("evidence-list={d1}"), d2.clone()],
        )
        .unwrap();
        assert_eq!(explicit[1].kind, AttachmentKind::ThresholdEvaluation);
        assert!(attachments("mark-suspected", &[d1.clone(), d2.clone(), "33".repeat(32)]).is_err());
        assert!(attachments("form-taskforce", std::slice::from_ref(&d1)).is_err());
        // An explicit kind is accepted even if the action does not require it.
        assert_eq!(
            attachments("form-taskforce", &[format!("other-materials={d1}")]).unwrap()[0].kind,
            AttachmentKind::OtherMaterials
        );
        assert!(attachments("file", &[format!("nonsense={d1}")]).is_err());
        // A transfer needs three documents; a fourth bare one is the test
        // report (SC-Transfer Art 6(4): only where the case has one).
        let required = [d1.clone(), d2.clone(), "33".repeat(32)];
        let three = attachments("transfer", &required).unwrap();
        assert_eq!(
            three.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [
                AttachmentKind::TransferLetter,
                AttachmentKind::InvestigationReport,
                AttachmentKind::ItemInventory
            ]
        );
        let mut four = required.to_vec();
        four.push("44".repeat(32));
        assert_eq!(
            attachments("transfer", &four).unwrap()[3].kind,
            AttachmentKind::TestReport
        );
    }

    #[test]
    fn an_extended_clock_says_by_how_much_and_why() {
        let clock = |extension: Value| {
            serde_json::json!({
                "rule": "PROC_PROSECUTION_DECISION",
                "actor": "PROC",
                "kind": "duty",
                "due_at_ms": 1_784_217_599_999u64,
                "limit": 1,
                "unit": "month",
                "source": "CPL Art 172",
                "extension": extension,
            })
        };
        let extended = serde_json::json!({
            "limit": 15,
            "unit": "calendar_day",
            "granted_at_ms": 1_782_000_000_000u64,
            "source": "CPL Art 172 ¶1",
        });
        let shown = with_clocks(vec![clock(extended)]);
        assert!(
            shown.contains("; extended by 15 calendar_day on ")
                && shown.contains("(CPL Art 172 ¶1))"),
            "{shown}"
        );
        let plain = with_clocks(vec![clock(Value::Null)]);
        assert!(!plain.contains("extended"), "{plain}");
    }

    #[test]
    fn a_clock_past_the_holiday_calendar_warns() {
        let clock = |incomplete: bool| {
            serde_json::json!({
                "rule": "PSB_FILING_DECISION",
                "actor": "PSB",
                "kind": "duty",
                "due_at_ms": 1_798_819_199_999u64,
                "limit": 3,
                "unit": "calendar_day",
                "source": "SC-Transfer Art 8",
                "extension": null,
                "calendar_incomplete": incomplete,
            })
        };
        let shown = with_clocks(vec![clock(true)]);
        assert!(
            shown.contains("WARNING: the holiday calendar lacks a year"),
            "{shown}"
        );
        assert!(!with_clocks(vec![clock(false)]).contains("WARNING"));
    }

    #[test]
    fn a_resumed_clock_says_how_much_it_had_used() {
        let clock = serde_json::json!({
            "rule": "REV_ADMIN_PROSECUTION_REVIEW",
            "actor": "PROC",
            "kind": "duty",
            "due_at_ms": 1_785_427_199_999u64,
            "limit": 10,
            "unit": "working_day",
            "source": "SPP-Reverse-Guide-2024 Arts 12–13",
            "extension": null,
            "pause": {
                "used": 2,
                "resumed_at_ms": 1_784_508_000_000u64,
                "source": "SPP-Reverse-Guide-2024 Art 13 (中止审查)",
            },
        });
        let shown = with_clocks(vec![clock]);
        assert!(
            shown.contains("; stopped with 2 working_day used, counting again since ")
                && shown.contains("(中止审查)"),
            "{shown}"
        );
    }

    #[test]
    fn actions_are_checked_against_the_table() {
        assert!(parse_action("approve-transfer").is_ok());
        assert!(parse_action("approve")
            .unwrap_err()
            .contains("approve-transfer"));
    }
}
