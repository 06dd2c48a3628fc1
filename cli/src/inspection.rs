//! `xianjie inspection …` (results and their mutual recognition, 互认) and
//! `xianjie lab accredit` (a laboratory's CMA certificate).

use std::str::FromStr;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use serde_json::json;
use xianjie_api::inspections::{InspectionList, InspectionView};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::InspectionId;
use xianjie_ledger::inspection::{Conclusion, Inspection, LabRef, ObjectionWindow};
use xianjie_ledger::model::Org;
use xianjie_ledger::tx::{
    Accredit, Call, DisputeInspection, RecognizeInspection, RecordInspection, RecordRetest,
    RequestRetest,
};

use crate::client::NodeClient;
use crate::common::{digest_or_file, officer_id, query_value, read_typed, submit};
use crate::output::wire_name;
use crate::{Context, Exit};

/// `xianjie inspection …`
#[derive(Debug, Args)]
pub struct InspectionArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: InspectionCommand,
}

/// The `inspection` subcommands.
#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Record an inspection or test result for your organisation; prints its id.
    Record(RecordArgs),
    /// One result: validity for recognition, who recognised or disputes it.
    Show(IdArgs),
    /// Results recorded for an entity (and matter), valid and recognised or not.
    List(ListArgs),
    /// Recognise another organisation's valid result (互认).
    Recognize(IdArgs),
    /// Dispute another organisation's result.
    Dispute(DisputeArgs),
    /// Record the party's re-test (复检) application on your organisation's
    /// result, made inside its objection window.
    RequestRetest(RequestRetestArgs),
    /// Record the re-test's result; it replaces the re-tested result.
    Retest(RetestArgs),
}

/// `xianjie inspection record`
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The inspected entity's USCC.
    #[arg(long, value_name = "USCC")]
    pub entity: String,
    /// Matter or parameter code, e.g. GB2763-pesticide.
    #[arg(long, value_name = "CODE")]
    pub matter: String,
    /// The report.
    #[command(flatten)]
    pub report: ReportArgs,
    /// The party's objection window: RULE@YYYYMMDD (rule id, notification date).
    #[arg(long, value_name = "RULE@YYYYMMDD")]
    pub objection: Option<String>,
}

/// `xianjie inspection request-retest`
#[derive(Debug, Args)]
pub struct RequestRetestArgs {
    /// The result's id (INSP-…).
    pub id: InspectionId,
    /// The date the party applied, yyyymmdd (inside the objection window).
    #[arg(long, value_name = "YYYYMMDD")]
    pub requested_on: u32,
    /// The application: its digest, or @FILE to hash it (kept off chain).
    #[arg(long, value_name = "DIGEST|@FILE")]
    pub application: String,
}

/// `xianjie inspection retest`
#[derive(Debug, Args)]
pub struct RetestArgs {
    /// The re-tested result's id (INSP-…); its entity and matter are reused.
    pub id: InspectionId,
    /// The re-test's report.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// What a report says, for `record` and `retest`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report date, yyyymmdd (China local time; not after today).
    #[arg(long, value_name = "YYYYMMDD")]
    pub report_date: u32,
    /// conforming, non-conforming or inconclusive.
    #[arg(long, value_parser = parse_conclusion)]
    pub conclusion: Conclusion,
    /// The report: its digest, or @FILE to hash it.
    #[arg(long, value_name = "DIGEST|@FILE")]
    pub report: String,
    /// The laboratory on the report: a member organisation id (e.g. lab) or a USCC.
    #[arg(long, value_name = "ORG|USCC", requires = "cma")]
    pub lab: Option<String>,
    /// The CMA certificate number on the report.
    #[arg(long, value_name = "NUMBER", requires = "lab")]
    pub cma: Option<String>,
    /// Inspectors (active officers of your organisation): id or key file;
    /// repeat. Default: the signing officer.
    #[arg(long = "inspector", value_name = "ID|KEYFILE")]
    pub inspectors: Vec<String>,
    /// What the result covers (batch, lot, sample).
    #[arg(long, default_value = "sample")]
    pub scope: String,
    /// Last date the result may be relied on, yyyymmdd.
    #[arg(long, value_name = "YYYYMMDD")]
    pub valid_until: Option<u32>,
}

/// An inspection id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The result's id (INSP-…).
    pub id: InspectionId,
}

/// `xianjie inspection dispute`
#[derive(Debug, Args)]
pub struct DisputeArgs {
    /// The result's id (INSP-…).
    pub id: InspectionId,
    /// The reasons, kept off chain (only their digest is recorded).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// `xianjie inspection list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The entity's USCC.
    #[arg(long, value_name = "USCC")]
    pub entity: String,
    /// Only this matter code.
    #[arg(long, value_name = "CODE")]
    pub matter: Option<String>,
    /// Only results valid for recognition now.
    #[arg(long)]
    pub valid: bool,
}

/// `xianjie lab …`
#[derive(Debug, Args)]
pub struct LabArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LabCommand,
}

/// The `lab` subcommands.
#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Record a validity period of a laboratory's CMA certificate (a head's
    /// key; by default policy, of an administrative agency).
    Accredit(AccreditArgs),
}

/// `xianjie lab accredit`
#[derive(Debug, Args)]
pub struct AccreditArgs {
    /// The laboratory: a member organisation id (e.g. lab) or a USCC.
    #[arg(long, value_name = "ORG|USCC")]
    pub lab: String,
    /// The CMA certificate number.
    #[arg(long, value_name = "NUMBER")]
    pub cma: String,
    /// Matter codes covered; repeat or separate with commas.
    #[arg(long, value_delimiter = ',', required = true, value_name = "CODE")]
    pub scope: Vec<String>,
    /// First valid date, yyyymmdd.
    #[arg(long, value_name = "YYYYMMDD")]
    pub from: u32,
    /// Last valid date, yyyymmdd.
    #[arg(long, value_name = "YYYYMMDD")]
    pub to: u32,
    /// The certificate scan: digest or @FILE.
    #[arg(long, value_name = "DIGEST|@FILE")]
    pub certificate: Option<String>,
}

fn parse_conclusion(text: &str) -> Result<Conclusion, String> {
    serde_json::from_value(json!(text))
        .map_err(|_| "one of conforming, non-conforming, inconclusive".to_owned())
}

/// A laboratory's USCC: a member organisation's (looked up on the node) or
/// the text itself.
fn lab_uscc(client: &NodeClient, text: &str) -> anyhow::Result<String> {
    if text.len() == 18 {
        return Ok(text.to_owned());
    }
    let orgs = client
        .get_json("/v1/orgs")?
        .map_err(|error| client.unexpected("/v1/orgs", &error))?;
    let orgs: Vec<Org> = client.typed("/v1/orgs", orgs)?;
    orgs.into_iter()
        .find(|org| org.id.as_str() == text)
        .map(|org| org.uscc)
        .ok_or_else(|| {
            anyhow!(
                "{text:?} is neither a USCC nor a member organisation id (see `curl …/v1/orgs`)"
            )
        })
}

fn inspection_id(tx: &xianjie_ledger::Hash) -> InspectionId {
    InspectionId::for_tx(tx)
}

/// Runs an `inspection` subcommand.
pub fn execute(context: &Context, args: InspectionArgs) -> anyhow::Result<Exit> {
    match args.command {
        InspectionCommand::Record(args) => record(context, args),
        InspectionCommand::Show(args) => show(context, &args.id),
        InspectionCommand::List(args) => list(context, args),
        InspectionCommand::Recognize(args) => submit(
            context,
            Call::RecognizeInspection(RecognizeInspection {
                id: args.id.clone(),
            }),
            |_| json!({ "id": args.id, "recognised": true }),
            |c| {
                format!(
                    "recognised {} (height {}, tx {})",
                    args.id, c.height, c.hash
                )
            },
        ),
        InspectionCommand::Dispute(args) => submit(
            context,
            Call::DisputeInspection(DisputeInspection {
                id: args.id.clone(),
                reason_digest: note_digest(&args.reason),
            }),
            |_| json!({ "id": args.id, "disputed": true }),
            |c| format!("disputed {} (height {}, tx {})", args.id, c.height, c.hash),
        ),
        InspectionCommand::RequestRetest(args) => submit(
            context,
            Call::RequestRetest(RequestRetest {
                id: args.id.clone(),
                requested_on: args.requested_on,
                request_digest: digest_or_file(&args.application)?,
            }),
            |_| json!({ "id": args.id, "retest_requested_on": args.requested_on }),
            |c| {
                format!(
                    "re-test of {} applied for on {}; the result is held until the re-test's result is recorded (height {}, tx {})",
                    args.id, args.requested_on, c.height, c.hash
                )
            },
        ),
        InspectionCommand::Retest(args) => retest(context, args),
    }
}

/// Runs a `lab` subcommand.
pub fn execute_lab(context: &Context, args: LabArgs) -> anyhow::Result<Exit> {
    let LabCommand::Accredit(args) = args.command;
    let uscc = lab_uscc(&context.client(), &args.lab)?;
    let call = Call::Accredit(Accredit {
        lab_uscc: uscc.clone(),
        cma_number: args.cma.clone(),
        scope: args.scope.clone(),
        valid_from: args.from,
        valid_to: args.to,
        certificate_digest: args
            .certificate
            .as_deref()
            .map(digest_or_file)
            .transpose()?,
    });
    submit(
        context,
        call,
        |_| json!({ "lab_uscc": uscc, "cma_number": args.cma, "scope": args.scope, "valid_from": args.from, "valid_to": args.to }),
        |c| {
            format!(
                "CMA certificate {} of {} recorded, valid {}–{} for {} (height {}, tx {})",
                args.cma,
                uscc,
                args.from,
                args.to,
                args.scope.join(", "),
                c.height,
                c.hash
            )
        },
    )
}

/// The result a report records for `entity` and `matter`.
fn result_of(
    context: &Context,
    args: &ReportArgs,
    (entity, matter): (String, String),
    objection: Option<ObjectionWindow>,
) -> anyhow::Result<RecordInspection> {
    let inspectors = if args.inspectors.is_empty() {
        vec![context.load_key()?.public_key().id()]
    } else {
        args.inspectors
            .iter()
            .map(|text| officer_id(text))
            .collect::<anyhow::Result<_>>()?
    };
    let lab = match (&args.lab, &args.cma) {
        (Some(lab), Some(cma)) => Some(LabRef {
            uscc: lab_uscc(&context.client(), lab)?,
            cma_number: cma.clone(),
        }),
        _ => None,
    };
    Ok(RecordInspection {
        entity,
        matter,
        inspectors,
        report_date: args.report_date,
        conclusion: args.conclusion,
        report_digest: digest_or_file(&args.report)?,
        lab,
        scope: args.scope.clone(),
        valid_until: args.valid_until,
        objection,
    })
}

fn record(context: &Context, args: RecordArgs) -> anyhow::Result<Exit> {
    let objection = args
        .objection
        .as_deref()
        .map(|text| -> anyhow::Result<ObjectionWindow> {
            let (rule, date) = text
                .split_once('@')
                .ok_or_else(|| anyhow!("--objection is RULE@YYYYMMDD"))?;
            Ok(ObjectionWindow {
                rule: rule.to_owned(),
                notified_on: u32::from_str(date)
                    .map_err(|_| anyhow!("--objection date is yyyymmdd"))?,
            })
        })
        .transpose()?;
    let call = Call::RecordInspection(result_of(
        context,
        &args.report,
        (args.entity.clone(), args.matter.clone()),
        objection,
    )?);
    submit(
        context,
        call,
        |c| json!({ "id": inspection_id(&c.hash), "entity": args.entity, "matter": args.matter }),
        |c| {
            format!(
                "recorded inspection {} of {} for {} (height {}, tx {})",
                inspection_id(&c.hash),
                args.entity,
                args.matter,
                c.height,
                c.hash
            )
        },
    )
}

fn retest(context: &Context, args: RetestArgs) -> anyhow::Result<Exit> {
    let path = format!("/v1/inspections/{}", args.id);
    let original = match read_typed::<InspectionView>(context, &path)? {
        Ok((_, view)) => inspection_of(context, &path, &view)?,
        Err(exit) => return Ok(exit),
    };
    let subject = (original.entity, original.matter);
    let call = Call::RecordRetest(RecordRetest {
        of: args.id.clone(),
        // A re-test has no objection window: its conclusion is final.
        result: result_of(context, &args.report, subject, None)?,
    });
    submit(
        context,
        call,
        |c| json!({ "id": inspection_id(&c.hash), "retest_of": args.id }),
        |c| {
            format!(
                "recorded re-test result {} replacing {} (height {}, tx {})",
                inspection_id(&c.hash),
                args.id,
                c.height,
                c.hash
            )
        },
    )
}

/// The ledger's `Inspection` inside a view.
fn inspection_of(
    context: &Context,
    path: &str,
    view: &InspectionView,
) -> anyhow::Result<Inspection> {
    context.client().typed(path, view.inspection.clone())
}

fn describe(view: &InspectionView, inspection: &Inspection) -> String {
    let status = match (view.valid, view.recognised) {
        (true, true) => "VALID, RECOGNISED",
        (true, false) => "VALID, not yet recognised",
        (false, _) => "NOT VALID for recognition",
    };
    let mut text = format!(
        "{}  {}  {}  {}  by {}  report {}  [{status}]",
        inspection.id,
        inspection.matter,
        wire_name(&inspection.conclusion),
        inspection.scope,
        inspection.issuer,
        inspection.report_date,
    );
    let orgs = |items: &[String]| -> String { items.join(", ") };
    if let Some(original) = &inspection.retest_of {
        text.push_str(&format!(
            "\n    re-test of {original}: its conclusion is final"
        ));
    }
    if !view.recognised_by.is_empty() {
        text.push_str(&format!(
            "\n    recognised by {}",
            orgs(&view.recognised_by)
        ));
    }
    if !view.disputed_by.is_empty() {
        text.push_str(&format!("\n    disputed by {}", orgs(&view.disputed_by)));
    }
    for problem in &view.problem_texts {
        text.push_str(&format!("\n    not valid: {problem}"));
    }
    text
}

fn show(context: &Context, id: &str) -> anyhow::Result<Exit> {
    let path = format!("/v1/inspections/{id}");
    let (answer, view) = match read_typed::<InspectionView>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let inspection = inspection_of(context, &path, &view)?;
    context
        .output
        .emit(&answer, || describe(&view, &inspection))?;
    Ok(Exit::Success)
}

fn list(context: &Context, args: ListArgs) -> anyhow::Result<Exit> {
    let mut path = format!("/v1/inspections?entity={}", query_value(&args.entity));
    if let Some(matter) = &args.matter {
        path.push_str(&format!("&matter={}", query_value(matter)));
    }
    if args.valid {
        path.push_str("&valid=true");
    }
    let (answer, list) = match read_typed::<InspectionList>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let results = list
        .results
        .iter()
        .map(|view| Ok((view, inspection_of(context, &path, view)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    context.output.emit(&answer, || {
        if results.is_empty() {
            return format!("no results recorded for {}", args.entity);
        }
        results
            .iter()
            .map(|(view, inspection)| describe(view, inspection))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(Exit::Success)
}
