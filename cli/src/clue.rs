//! `xianjie clue …`: clues (线索) sent between organs, their answers and
//! clocks (docs/clue.md).
//!
//! A natural person is named by the salted hash of the identity number: the
//! number is read from a file or standard input (never from the command
//! line, where shell histories and process lists keep it), checked, hashed
//! with the organisations' salt here, and never sent to the node.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use serde_json::json;
use xianjie_api::clues::{ClueList, ClueView};
use xianjie_contracts::deadline::local_date;
use xianjie_contracts::privacy::{find_personal_identifier, PersonalIdentifier};
use xianjie_ledger::clue::{
    person_subject, Clue, ClueAction, ClueId, ClueSource, ClueSubject, PERSON_SALT_LEN,
};
use xianjie_ledger::hash::{note_digest, Hash};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::tx::{AnswerClue, Call, SendClue};

use crate::common::{digest_or_file, read_typed, submit};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// Environment variable naming the organisations' person-salt file.
pub const PERSON_SALT_ENV: &str = "XIANJIE_PERSON_SALT";

/// `xianjie clue …`
#[derive(Debug, Args)]
pub struct ClueArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClueCommand,
}

/// The `clue` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClueCommand {
    /// Send a clue to another organ; prints its id.
    Send(SendArgs),
    /// Accept a clue sent to your organisation.
    Accept(IdArgs),
    /// Decline a clue as not actionable (the head's decision), with reasons.
    Decline(DeclineArgs),
    /// Forward a clue to the competent organ.
    Forward(ForwardArgs),
    /// Record the filing decision a clue led to (police, procuratorate,
    /// supervisory commission; an agency opens a case with
    /// `xianjie case open … --lead clue --lead-ref CLUE-…` instead).
    Convert(ConvertArgs),
    /// One clue: its steps, clocks and where it ended up.
    Show(IdArgs),
    /// Your organisation's clues, newest first.
    List(ListArgs),
    /// Print the subject hash of a natural person, to match clues and cases.
    PersonHash(PersonArgs),
}

/// `xianjie clue send`
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The receiving organisation (its id, e.g. police).
    #[arg(long, value_name = "ORG")]
    pub to: String,
    /// Where it came from: hotline-12345, complaint, report, risk-model,
    /// random-inspection, another-organ.
    #[arg(long, value_parser = parse_source)]
    pub source: ClueSource,
    /// The legal person it concerns: its USCC.
    #[arg(long, value_name = "USCC", conflicts_with = "person_from")]
    pub entity: Option<String>,
    /// The natural person it concerns.
    #[command(flatten)]
    pub person: PersonArgs,
    /// What it is about, as a code, e.g. food-safety/expired.
    #[arg(long, value_name = "CODE")]
    pub matter: String,
    /// A duty crime by a public official: only a procuratorate or a
    /// supervisory commission may receive it.
    #[arg(long)]
    pub duty_crime: bool,
    /// The date your organisation received it, yyyymmdd (default today).
    #[arg(long, value_name = "YYYYMMDD")]
    pub received_on: Option<u32>,
    /// Material sent with it: a digest, or @FILE to hash it; repeat.
    #[arg(long = "material", value_name = "DIGEST|@FILE")]
    pub materials: Vec<String>,
}

/// A natural person, by identity number and the organisations' salt.
#[derive(Debug, Args)]
pub struct PersonArgs {
    /// A file holding the person's identity number, or - for standard
    /// input (never the number itself).
    #[arg(long, value_name = "FILE|-")]
    pub person_from: Option<String>,
    /// The organisations' person-salt file (64 hex characters); default
    /// from XIANJIE_PERSON_SALT.
    #[arg(long, value_name = "FILE")]
    pub person_salt: Option<PathBuf>,
}

/// A clue id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The clue's id (CLUE-…).
    pub id: ClueId,
}

/// `xianjie clue decline`
#[derive(Debug, Args)]
pub struct DeclineArgs {
    /// The clue's id (CLUE-…).
    pub id: ClueId,
    /// The reasons, kept off chain (only their digest is recorded).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// `xianjie clue forward`
#[derive(Debug, Args)]
pub struct ForwardArgs {
    /// The clue's id (CLUE-…).
    pub id: ClueId,
    /// The competent organ (its id).
    #[arg(long, value_name = "ORG")]
    pub to: String,
    /// Why it goes there, kept off chain (only its digest is recorded).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// `xianjie clue convert`
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The clue's id (CLUE-…).
    pub id: ClueId,
    /// The filing decision (立案决定书): its digest, or @FILE to hash it.
    #[arg(long, value_name = "DIGEST|@FILE")]
    pub filing: String,
}

/// `xianjie clue list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only clues sent to your organisation.
    #[arg(long, conflicts_with = "outgoing")]
    pub incoming: bool,
    /// Only clues your organisation sent.
    #[arg(long)]
    pub outgoing: bool,
    /// Only clues in this state: sent, accepted, converted,
    /// not-actionable, forwarded.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only clues with an overdue clock.
    #[arg(long)]
    pub overdue: bool,
}

fn parse_source(text: &str) -> Result<ClueSource, String> {
    text.parse()
}

fn org_id(text: &str) -> anyhow::Result<OrgId> {
    OrgId::new(text).map_err(|error| anyhow!("{text:?} is not an organisation id: {error}"))
}

/// Runs a `clue` subcommand.
pub fn execute(context: &Context, args: ClueArgs) -> anyhow::Result<Exit> {
    match args.command {
        ClueCommand::Send(args) => send(context, args),
        ClueCommand::Accept(args) => answer(context, args.id, ClueAction::Accept, None, None),
        ClueCommand::Decline(args) => {
            let reasons = Some(note_digest(&args.reason));
            answer(context, args.id, ClueAction::Decline, None, reasons)
        }
        ClueCommand::Forward(args) => {
            let reasons = args.reason.as_deref().map(note_digest);
            let to = Some(org_id(&args.to)?);
            answer(context, args.id, ClueAction::Forward, to, reasons)
        }
        ClueCommand::Convert(args) => {
            let filing = Some(digest_or_file(&args.filing)?);
            answer(context, args.id, ClueAction::Convert, None, filing)
        }
        ClueCommand::Show(args) => show(context, &args.id),
        ClueCommand::List(args) => list(context, args),
        ClueCommand::PersonHash(args) => {
            let hash = person_hash(&args)?
                .ok_or_else(|| anyhow!("--person-from FILE|- names the identity number"))?;
            context
                .output
                .emit(&json!({ "person": hash }), || hash.to_hex())?;
            Ok(Exit::Success)
        }
    }
}

fn send(context: &Context, args: SendArgs) -> anyhow::Result<Exit> {
    let subject = match (&args.entity, person_hash(&args.person)?) {
        (Some(uscc), None) => ClueSubject::LegalPerson(uscc.clone()),
        (None, Some(hash)) => ClueSubject::NaturalPerson(hash),
        _ => bail!("name whom the clue concerns: --entity USCC or --person-from FILE|-"),
    };
    let materials = args
        .materials
        .iter()
        .map(|text| digest_or_file(text))
        .collect::<anyhow::Result<Vec<Hash>>>()?;
    let received_on = args.received_on.unwrap_or_else(today);
    let call = Call::SendClue(SendClue {
        source: args.source,
        subject,
        matter: args.matter.clone(),
        duty_crime: args.duty_crime,
        to: org_id(&args.to)?,
        received_on,
        materials,
    });
    submit(
        context,
        call,
        |c| json!({ "id": ClueId::for_tx(&c.hash), "to": args.to, "matter": args.matter }),
        |c| {
            format!(
                "sent clue {} to {} about {} (height {}, tx {})",
                ClueId::for_tx(&c.hash),
                args.to,
                args.matter,
                c.height,
                c.hash
            )
        },
    )
}

fn answer(
    context: &Context,
    id: ClueId,
    action: ClueAction,
    to: Option<OrgId>,
    document: Option<Hash>,
) -> anyhow::Result<Exit> {
    let call = Call::AnswerClue(AnswerClue {
        clue: id.clone(),
        action,
        to: to.clone(),
        document,
    });
    submit(
        context,
        call,
        |c| {
            let forwarded_as = (action == ClueAction::Forward).then(|| ClueId::for_tx(&c.hash));
            json!({ "id": id, "action": action.name(), "forwarded_as": forwarded_as })
        },
        |c| match (action, &to) {
            (ClueAction::Forward, Some(to)) => format!(
                "forwarded clue {id} to {to} as {} (height {}, tx {})",
                ClueId::for_tx(&c.hash),
                c.height,
                c.hash
            ),
            _ => format!(
                "{} clue {id} (height {}, tx {})",
                past_tense(action),
                c.height,
                c.hash
            ),
        },
    )
}

fn past_tense(action: ClueAction) -> &'static str {
    match action {
        ClueAction::Send => "sent",
        ClueAction::Accept => "accepted",
        ClueAction::Decline => "declined",
        ClueAction::Forward => "forwarded",
        ClueAction::Convert => "converted",
    }
}

/// The subject hash of the person `--person-from` names, if it names one.
pub(crate) fn person_hash(args: &PersonArgs) -> anyhow::Result<Option<Hash>> {
    let Some(source) = &args.person_from else {
        return Ok(None);
    };
    let number = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the identity number from standard input")?;
        text
    } else {
        std::fs::read_to_string(source)
            .with_context(|| format!("reading the identity number from {source}"))?
    };
    let number = number.trim();
    // The number is checked whole, as privacy's rule recognises one in text.
    if number.chars().count() != 18
        || find_personal_identifier(number) != Some(PersonalIdentifier::IdentityCardNumber)
    {
        bail!("the file does not hold one resident identity card number (18 characters with a valid date and check character)");
    }
    let salt = read_salt(args.person_salt.as_deref())?;
    Ok(Some(person_subject(&salt, number)))
}

fn read_salt(path: Option<&Path>) -> anyhow::Result<[u8; PERSON_SALT_LEN]> {
    let path = match path {
        Some(path) => path.to_owned(),
        None => std::env::var_os(PERSON_SALT_ENV).map(PathBuf::from).ok_or_else(|| {
            anyhow!("name the organisations' person-salt file: --person-salt FILE or {PERSON_SALT_ENV} (a dev chain writes HOME/keys/person.salt)")
        })?,
    };
    // Whoever holds the salt can try every identity number: it is kept like
    // a key file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path)
            .with_context(|| format!("reading the person salt {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "the person salt {} may be read by others (mode {:o}); `chmod 600` it",
                path.display(),
                mode & 0o777
            );
        }
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the person salt {}", path.display()))?;
    let salt = Hash::from_hex(text.trim()).map_err(|_| {
        anyhow!(
            "{} does not hold a person salt (64 hex characters)",
            path.display()
        )
    })?;
    if salt.0.iter().all(|&b| b == salt.0[0]) {
        bail!(
            "{} holds a salt of one repeated byte: use a random one",
            path.display()
        );
    }
    Ok(salt.0)
}

/// Today's date in China (UTC+08:00), yyyymmdd.
fn today() -> u32 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64);
    local_date(now_ms)
}

fn clue_of(context: &Context, path: &str, view: &ClueView) -> anyhow::Result<Clue> {
    context.client().typed(path, view.clue.clone())
}

fn describe(view: &ClueView, clue: &Clue) -> String {
    let subject = match &clue.subject {
        ClueSubject::LegalPerson(uscc) => uscc.clone(),
        ClueSubject::NaturalPerson(hash) => format!("person {}", &hash.to_hex()[..16]),
    };
    let mut text = format!(
        "{}  {}  {}  {}  {} → {}  [{}]",
        clue.id, clue.source, clue.matter, subject, clue.from, clue.to, clue.state
    );
    if clue.duty_crime {
        text.push_str("  duty crime");
    }
    for step in &clue.steps {
        text.push_str(&format!(
            "\n    {}  {} by {}",
            format_time_ms(step.time_ms),
            step.action,
            step.org
        ));
    }
    text.push_str(&crate::common::clock_lines(&view.clocks));
    if view.final_clue != clue.id.as_str() {
        text.push_str(&format!(
            "\n    now {} at {}: {}",
            view.final_clue, view.final_org, view.final_state
        ));
    }
    if let Some(case) = &view.final_case {
        text.push_str(&format!("\n    became case {case}"));
    }
    text
}

fn show(context: &Context, id: &ClueId) -> anyhow::Result<Exit> {
    let path = format!("/v1/clues/{id}");
    let (answer, view) = match read_typed::<ClueView>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let clue = clue_of(context, &path, &view)?;
    context.output.emit(&answer, || describe(&view, &clue))?;
    Ok(Exit::Success)
}

fn list(context: &Context, args: ListArgs) -> anyhow::Result<Exit> {
    let mut filters = crate::common::direction_filters(args.incoming, args.outgoing);
    if let Some(state) = &args.state {
        filters.push(format!("state={}", crate::common::query_value(state)));
    }
    if args.overdue {
        filters.push("overdue=true".to_owned());
    }
    let path = crate::common::with_filters("/v1/clues", &filters);
    let (answer, list) = match read_typed::<ClueList>(context, &path)? {
        Ok(answer) => answer,
        Err(exit) => return Ok(exit),
    };
    let clues = list
        .clues
        .iter()
        .map(|view| Ok((view, clue_of(context, &path, view)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    context.output.emit(&answer, || {
        let lines = clues
            .iter()
            .map(|(view, clue)| describe(view, clue))
            .collect();
        let empty = format!("no clues for {}", list.org);
        crate::common::listing(lines, list.total, list.complete, empty)
    })?;
    Ok(Exit::Success)
}
