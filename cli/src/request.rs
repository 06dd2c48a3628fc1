//! `xianjie request …`: consultations (双向咨询) and assistance (协助)
//! between organs about a case or a clue, and their answers
//! (docs/request.md).

use clap::{Args, Subcommand};
use serde_json::json;
use xianjie_api::requests::{RequestList, RequestView};
use xianjie_ledger::clue::ClueId;
use xianjie_ledger::hash::{note_digest, Hash};
use xianjie_ledger::ids::{CaseId, InspectionId, OrgId};
use xianjie_ledger::request::{OrganRequest, RequestAbout, RequestId, RequestKind};
use xianjie_ledger::tx::{AnswerOrgan, AskOrgan, Call};

use crate::common::{digest_or_file, read_typed, submit};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie request …`
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RequestCommand,
}

/// The `request` subcommands.
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Ask another organ a question, or for assistance, about a case or a
    /// clue; prints the request's id.
    Ask(AskArgs),
    /// Answer a request your organisation was asked.
    Answer(AnswerArgs),
    /// One request, with its clock.
    Show(IdArgs),
    /// Your organisation's requests, newest first.
    List(ListArgs),
}

/// `xianjie request ask`
#[derive(Debug, Args)]
pub struct AskArgs {
    /// consultation, or assistance: testing, appraisal, determination,
    /// storage, destruction, disposal.
    #[arg(long, value_parser = parse_kind)]
    pub kind: RequestKind,
    /// The case it is about (CASE-…).
    #[arg(
        long,
        value_name = "CASE",
        required_unless_present = "clue",
        conflicts_with = "clue"
    )]
    pub case: Option<CaseId>,
    /// The clue it is about (CLUE-…; consultations only).
    #[arg(long, value_name = "CLUE")]
    pub clue: Option<ClueId>,
    /// The organisation asked (its id).
    #[arg(long, value_name = "ORG")]
    pub to: String,
    /// The question, kept off chain (only its digest is recorded), or
    /// @FILE: the request letter, hashed.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub question: String,
}

/// `xianjie request answer`
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The request's id (REQ-…).
    pub id: RequestId,
    /// The answer, kept off chain (only its digest is recorded), or @FILE:
    /// the reply letter or assistance record, hashed.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub answer: String,
    /// An inspection result your organisation issued for it (INSP-…); repeat.
    #[arg(long = "inspection", value_name = "INSP")]
    pub inspections: Vec<InspectionId>,
    /// An evidence file whose custody your organisation recorded for it
    /// (its digest); repeat.
    #[arg(long = "evidence", value_name = "DIGEST")]
    pub evidence: Vec<String>,
}

/// A request id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The request's id (REQ-…).
    pub id: RequestId,
}

/// `xianjie request list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only requests your organisation was asked.
    #[arg(long, conflicts_with = "outgoing")]
    pub incoming: bool,
    /// Only requests your organisation asked.
    #[arg(long)]
    pub outgoing: bool,
    /// Only open requests.
    #[arg(long)]
    pub open: bool,
}

fn parse_kind(text: &str) -> Result<RequestKind, String> {
    text.parse()
}

/// A text's note digest, or the digest of @FILE.
fn text_or_file(text: &str) -> anyhow::Result<Hash> {
    match text.starts_with('@') {
        true => digest_or_file(text),
        false => Ok(note_digest(text)),
    }
}

/// Runs a `request` subcommand.
pub fn execute(context: &Context, args: RequestArgs) -> anyhow::Result<Exit> {
    match args.command {
        RequestCommand::Ask(args) => ask(context, args),
        RequestCommand::Answer(args) => answer(context, args),
        RequestCommand::Show(args) => show(context, &args.id),
        RequestCommand::List(args) => list(context, args),
    }
}

fn ask(context: &Context, args: AskArgs) -> anyhow::Result<Exit> {
    let about = match (args.case, args.clue) {
        (Some(case), _) => RequestAbout::Case(case),
        (None, Some(clue)) => RequestAbout::Clue(clue),
        (None, None) => anyhow::bail!("name what it is about: --case CASE-… or --clue CLUE-…"),
    };
    let to = OrgId::new(&args.to)
        .map_err(|error| anyhow::anyhow!("{:?} is not an organisation id: {error}", args.to))?;
    let call = Call::AskOrgan(AskOrgan {
        kind: args.kind,
        about,
        to,
        question: text_or_file(&args.question)?,
    });
    submit(
        context,
        call,
        |c| json!({ "id": RequestId::for_tx(&c.hash), "kind": args.kind.name(), "to": args.to }),
        |c| {
            format!(
                "asked {} for {} as {} (height {}, tx {})",
                args.to,
                args.kind,
                RequestId::for_tx(&c.hash),
                c.height,
                c.hash
            )
        },
    )
}

fn answer(context: &Context, args: AnswerArgs) -> anyhow::Result<Exit> {
    let evidence = args
        .evidence
        .iter()
        .map(|text| {
            Hash::from_hex(text).map_err(|_| {
                anyhow::anyhow!("--evidence {text:?} is not a digest (64 hex characters)")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let call = Call::AnswerOrgan(AnswerOrgan {
        request: args.id.clone(),
        document: text_or_file(&args.answer)?,
        inspections: args.inspections.clone(),
        evidence,
    });
    submit(
        context,
        call,
        |_| json!({ "id": args.id, "answered": true }),
        |c| format!("answered {} (height {}, tx {})", args.id, c.height, c.hash),
    )
}

fn request_of(context: &Context, path: &str, view: &RequestView) -> anyhow::Result<OrganRequest> {
    context.client().typed(path, view.request.clone())
}

fn describe(view: &RequestView, request: &OrganRequest) -> String {
    let about = match &request.about {
        RequestAbout::Case(id) => id.to_string(),
        RequestAbout::Clue(id) => id.to_string(),
    };
    let mut text = format!(
        "{}  {}  about {}  {} → {}  [{}]\n    asked {}",
        request.id,
        request.kind,
        about,
        request.from,
        request.to,
        request.state,
        format_time_ms(request.asked.time_ms)
    );
    if let Some(answer) = &request.answer {
        text.push_str(&format!(
            "\n    answered {}  answer {}",
            format_time_ms(answer.step.time_ms),
            answer.document
        ));
        for id in &answer.inspections {
            text.push_str(&format!("\n    result {id}"));
        }
        for digest in &answer.evidence {
            text.push_str(&format!("\n    evidence {digest}"));
        }
    }
    text.push_str(&crate::common::clock_lines(&view.clocks));
    text
}

fn show(context: &Context, id: &RequestId) -> anyhow::Result<Exit> {
    let path = format!("/v1/requests/{id}");
    let (answer, view) = match read_typed::<RequestView>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let request = request_of(context, &path, &view)?;
    context.output.emit(&answer, || describe(&view, &request))?;
    Ok(Exit::Success)
}

fn list(context: &Context, args: ListArgs) -> anyhow::Result<Exit> {
    let mut filters = crate::common::direction_filters(args.incoming, args.outgoing);
    if args.open {
        filters.push("state=open".to_owned());
    }
    let path = crate::common::with_filters("/v1/requests", &filters);
    let (answer, list) = match read_typed::<RequestList>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let requests = list
        .requests
        .iter()
        .map(|view| Ok((view, request_of(context, &path, view)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    context.output.emit(&answer, || {
        let lines = requests
            .iter()
            .map(|(view, request)| describe(view, request))
            .collect();
        let empty = format!("no requests for {}", list.org);
        crate::common::listing(lines, list.total, list.complete, empty)
    })?;
    Ok(Exit::Success)
}
