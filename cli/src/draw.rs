//! `xianjie draw …`: 双随机、一公开 — the inspection-item list, the inspector
//! directory, entity snapshots, and random draws from plan to published
//! results, with an offline re-run (docs/draw.md).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use rand::RngCore as _;
use serde_json::json;
use xianjie_api::draws::{DrawList, DrawView, InspectorList, ItemList, SnapshotList};
use xianjie_contracts::random_draw::as_result;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::draw::{self, ClassRatio, DrawPlan, EntityRow, InspectorRow, PlanItem};
use xianjie_ledger::hash::{note_digest, Hash};
use xianjie_ledger::ids::{DrawId, OrgId, SnapshotId};
use xianjie_ledger::merkle;
use xianjie_ledger::random_draw::{
    DrawState, EntitySnapshot, InspectionFinding, InspectionOutcome, InspectionPeriod, ProvenRow,
    RandomDraw, MAX_NAMED_PER_TX,
};
use xianjie_ledger::tx::{
    Call, CommitDraw, NameDrawnEntities, PlanDraw, PublishEntitySnapshot, RecordDrawResult,
    RecuseInspector, RevealDraw, SetInspectionItem, SetInspector,
};

use crate::common::{digest_or_file, read_typed, submit};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie draw …`
#[derive(Debug, Args)]
pub struct DrawArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DrawCommand,
}

/// The `draw` subcommands.
#[derive(Debug, Subcommand)]
pub enum DrawCommand {
    /// Inspection items (抽查事项清单): set one, or list them.
    Item(ItemArgs),
    /// The inspector directory (执法检查人员名录库): set one of your
    /// department's officers (admin key), or list a department's.
    Inspector(InspectorArgs),
    /// Entity directory snapshots (检查对象名录库): publish one from a rows
    /// file, or list a department's.
    Snapshot(SnapshotArgs),
    /// Plan a draw of one or more items (a joint draw when they belong to
    /// several departments); prints its id.
    Plan(PlanArgs),
    /// Commit to a fresh secret nonce, saved to a file to reveal later.
    Commit(NonceArgs),
    /// Reveal the nonce committed to.
    Reveal(NonceArgs),
    /// Show the drawn rows of the snapshot, with their proofs, to the chain.
    Name(RowsArgs),
    /// A drawn inspector stands down (回避); the chain draws the replacement.
    Recuse(RecuseArgs),
    /// Publish a drawn inspection's result (a drawn inspector's key).
    Result(ResultArgs),
    /// One draw: its state, entities, inspectors and results.
    Show(IdArgs),
    /// The newest draws.
    List,
    /// Re-run a draw offline from the snapshot's rows and compare.
    Verify(RowsArgs),
}

/// `xianjie draw item …`
#[derive(Debug, Args)]
pub struct ItemArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ItemCommand,
}

/// The `draw item` subcommands.
#[derive(Debug, Subcommand)]
pub enum ItemCommand {
    /// Set an item; your department becomes (or must be) responsible for it.
    Set(ItemSetArgs),
    /// The list.
    List,
}

/// `xianjie draw item set`
#[derive(Debug, Args)]
pub struct ItemSetArgs {
    /// The item code (FOOD-01).
    #[arg(long)]
    pub item: String,
    /// The legal basis, a code (food-safety-law/art-87).
    #[arg(long)]
    pub basis: String,
    /// The method, a code (on-site, documents, sampling).
    #[arg(long)]
    pub method: String,
    /// The full description, kept off chain (its digest is recorded), or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub description: String,
}

/// `xianjie draw inspector …`
#[derive(Debug, Args)]
pub struct InspectorArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: InspectorCommand,
}

/// The `draw inspector` subcommands.
#[derive(Debug, Subcommand)]
pub enum InspectorCommand {
    /// Set one of your department's officers (an admin's act).
    Set(InspectorSetArgs),
    /// A department's directory.
    List(OrgArgs),
}

/// `xianjie draw inspector set`
#[derive(Debug, Args)]
pub struct InspectorSetArgs {
    /// The officer's key id (40 hex characters, as `xianjie keys show` prints).
    #[arg(long)]
    pub officer: String,
    /// The 执法证 number.
    #[arg(long)]
    pub certificate: String,
    /// An item code the officer may inspect; repeat.
    #[arg(long = "scope", value_name = "ITEM", required = true)]
    pub scopes: Vec<String>,
    /// First valid date, yyyymmdd.
    #[arg(long)]
    pub valid_from: u32,
    /// Last valid date, yyyymmdd (a past date retires the officer).
    #[arg(long)]
    pub valid_until: u32,
}

/// A department, by default the signer's.
#[derive(Debug, Args)]
pub struct OrgArgs {
    /// The department (default: yours).
    #[arg(long)]
    pub org: Option<String>,
}

/// `xianjie draw snapshot …`
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SnapshotCommand,
}

/// The `draw snapshot` subcommands.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Publish a snapshot: its root and class counts go on chain, the rows
    /// file into the node's vault, where every member's officers may read it.
    Publish(RowsFileArgs),
    /// A department's snapshots, newest first.
    List(OrgArgs),
}

/// A rows file.
#[derive(Debug, Args)]
pub struct RowsFileArgs {
    /// JSON array of {entity, industry, risk_class}, sorted by risk class
    /// and then entity id (docs/draw.md §3).
    #[arg(long, value_name = "FILE")]
    pub rows: PathBuf,
}

/// `xianjie draw plan`
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// An inspection item of the list; repeat to inspect several in one
    /// visit (综合查一次). Items of other departments make a joint draw:
    /// each item's responsible department sends a team and commits.
    #[arg(long = "item", value_name = "CODE", required = true)]
    pub items: Vec<String>,
    /// The entity snapshot (SNAP-…), its department's newest.
    #[arg(long)]
    pub snapshot: SnapshotId,
    /// CLASS:PERCENT, the share of a risk class to draw (2:30 or 2:12.5); repeat.
    #[arg(long = "ratio", value_name = "CLASS:PERCENT", required = true, value_parser = parse_ratio)]
    pub ratios: Vec<ClassRatio>,
    /// Inspectors each department sends on each inspection.
    #[arg(long, default_value_t = 2)]
    pub per_inspection: u8,
    /// A witnessing organisation (the procuratorate, say); repeat.
    #[arg(long = "witness", value_name = "ORG", required = true)]
    pub witnesses: Vec<String>,
    /// First day of the inspection period, yyyymmdd (default: today, China time).
    #[arg(long)]
    pub period_from: Option<u32>,
    /// Last day of the inspection period, yyyymmdd (default: 30 days after
    /// its first); results are due 20 working days after it (DRAW_RESULT).
    #[arg(long)]
    pub period_until: Option<u32>,
}

/// A draw and the nonce file.
#[derive(Debug, Args)]
pub struct NonceArgs {
    /// The draw (DRAW-…).
    pub id: DrawId,
    /// Where the secret nonce is kept between commit and reveal (default:
    /// DRAW-….<key id>.nonce in the current directory). Keep it secret
    /// until the seed block is decided.
    #[arg(long, value_name = "FILE")]
    pub nonce_file: Option<PathBuf>,
}

/// A draw and the snapshot's rows.
#[derive(Debug, Args)]
pub struct RowsArgs {
    /// The draw (DRAW-…).
    pub id: DrawId,
    /// The snapshot's rows file (default: the copy in the node's vault).
    #[arg(long, value_name = "FILE")]
    pub rows: Option<PathBuf>,
}

/// `xianjie draw recuse`
#[derive(Debug, Args)]
pub struct RecuseArgs {
    /// The draw (DRAW-…).
    pub id: DrawId,
    /// The inspection's number.
    #[arg(long)]
    pub inspection: u32,
    /// The recused officer's key id.
    #[arg(long)]
    pub officer: String,
    /// The recusal decision, kept off chain (its digest is recorded), or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub reason: String,
}

/// `xianjie draw result`
#[derive(Debug, Args)]
pub struct ResultArgs {
    /// The draw (DRAW-…).
    pub id: DrawId,
    /// The inspection's number.
    #[arg(long)]
    pub inspection: u32,
    /// compliant, finding or not-found.
    #[arg(long, value_parser = parse_finding)]
    pub finding: InspectionFinding,
    /// The inspection record, kept off chain (its digest is recorded), or @FILE.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub record: String,
}

/// A draw id.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The draw (DRAW-…).
    pub id: DrawId,
}

fn parse_finding(text: &str) -> Result<InspectionFinding, String> {
    text.parse()
}

/// `CLASS:PERCENT` with at most two decimals, as basis points.
fn parse_ratio(text: &str) -> Result<ClassRatio, String> {
    let usage = || format!("{text:?} is not CLASS:PERCENT (2:30 or 2:12.5)");
    let (class, percent) = text.split_once(':').ok_or_else(usage)?;
    let risk_class: u8 = class.trim().parse().map_err(|_| usage())?;
    let (whole, fraction) = percent
        .trim()
        .split_once('.')
        .unwrap_or((percent.trim(), ""));
    if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage());
    }
    let whole: u32 = whole.parse().map_err(|_| usage())?;
    let cents: u32 = format!("{fraction:0<2}").parse().map_err(|_| usage())?;
    let basis_points = whole
        .checked_mul(100)
        .and_then(|points| points.checked_add(cents))
        .filter(|&points| points <= u32::from(u16::MAX))
        .ok_or_else(usage)?;
    Ok(ClassRatio {
        risk_class,
        basis_points: basis_points as u16,
    })
}

fn org_id(text: &str) -> anyhow::Result<OrgId> {
    OrgId::new(text).map_err(|error| anyhow::anyhow!("{text:?} is not an organisation id: {error}"))
}

fn key_id(text: &str) -> anyhow::Result<KeyId> {
    KeyId::from_hex(text)
        .map_err(|_| anyhow::anyhow!("{text:?} is not a key id (40 hex characters)"))
}

/// A text's note digest, or the digest of @FILE.
fn text_or_file(text: &str) -> anyhow::Result<Hash> {
    match text.starts_with('@') {
        true => digest_or_file(text),
        false => Ok(note_digest(text)),
    }
}

/// Runs a `draw` subcommand.
pub fn execute(context: &Context, args: DrawArgs) -> anyhow::Result<Exit> {
    match args.command {
        DrawCommand::Item(ItemArgs {
            command: ItemCommand::Set(args),
        }) => set_item(context, args),
        DrawCommand::Item(ItemArgs {
            command: ItemCommand::List,
        }) => list_items(context),
        DrawCommand::Inspector(InspectorArgs {
            command: InspectorCommand::Set(args),
        }) => set_inspector(context, args),
        DrawCommand::Inspector(InspectorArgs {
            command: InspectorCommand::List(args),
        }) => list_inspectors(context, args),
        DrawCommand::Snapshot(SnapshotArgs {
            command: SnapshotCommand::Publish(args),
        }) => publish_snapshot(context, args),
        DrawCommand::Snapshot(SnapshotArgs {
            command: SnapshotCommand::List(args),
        }) => list_snapshots(context, args),
        DrawCommand::Plan(args) => plan(context, args),
        DrawCommand::Commit(args) => commit(context, args),
        DrawCommand::Reveal(args) => reveal(context, args),
        DrawCommand::Name(args) => name(context, args),
        DrawCommand::Recuse(args) => recuse(context, args),
        DrawCommand::Result(args) => record_result(context, args),
        DrawCommand::Show(args) => show(context, &args.id),
        DrawCommand::List => list(context),
        DrawCommand::Verify(args) => verify(context, args),
    }
}

fn set_item(context: &Context, args: ItemSetArgs) -> anyhow::Result<Exit> {
    let call = Call::SetInspectionItem(SetInspectionItem {
        item: args.item.clone(),
        basis: args.basis,
        method: args.method,
        document: text_or_file(&args.description)?,
    });
    submit(
        context,
        call,
        |_| json!({ "item": args.item }),
        |c| {
            format!(
                "set item {} (height {}, tx {})",
                args.item, c.height, c.hash
            )
        },
    )
}

fn set_inspector(context: &Context, args: InspectorSetArgs) -> anyhow::Result<Exit> {
    let mut scopes = args.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let call = Call::SetInspector(SetInspector {
        officer: key_id(&args.officer)?,
        certificate: args.certificate,
        scopes,
        valid_from: args.valid_from,
        valid_until: args.valid_until,
    });
    submit(
        context,
        call,
        |_| json!({ "officer": args.officer }),
        |c| {
            format!(
                "set inspector {} (height {}, tx {})",
                args.officer, c.height, c.hash
            )
        },
    )
}

/// Largest rows file read: a million rows of long codes.
const MAX_ROWS_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and checks a rows file: sorted, valid rows; returns them, their
/// root and the file's BLAKE3.
fn read_rows(path: &Path) -> anyhow::Result<(Vec<EntityRow>, Hash, Hash)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_rows(&bytes, &path.display().to_string())
}

fn parse_rows(bytes: &[u8], source: &str) -> anyhow::Result<(Vec<EntityRow>, Hash, Hash)> {
    let rows: Vec<EntityRow> = serde_json::from_slice(bytes).with_context(|| {
        format!("{source} is not a JSON array of {{\"entity\", \"industry\", \"risk_class\"}} rows")
    })?;
    let root = draw::entity_root(&rows)
        .map_err(|error| anyhow::anyhow!("{source}: {error} ({})", error.code()))?;
    Ok((rows, root, Hash(*blake3::hash(bytes).as_bytes())))
}

/// The snapshot's rows: from `--rows FILE`, or the copy in the node's vault;
/// with their root, the file's BLAKE3 and where they came from.
fn rows_for(
    context: &Context,
    path: Option<&Path>,
    snapshot: &EntitySnapshot,
) -> anyhow::Result<(Vec<EntityRow>, Hash, Hash, String)> {
    if let Some(path) = path {
        let (rows, root, file) = read_rows(path)?;
        return Ok((rows, root, file, path.display().to_string()));
    }
    use std::io::Read as _;
    let client = crate::evidence::vault::vault_client(context)?;
    let source = format!("the vault's copy of {}'s rows", snapshot.id);
    let body = match client.get_stream(&format!("/v1/vault/{}", snapshot.rows_file))? {
        crate::client::Download::File { body, .. } => body,
        _ => anyhow::bail!(
            "the node has no copy of {}'s rows file {}: ask {} for it and pass --rows FILE",
            snapshot.id,
            snapshot.rows_file,
            snapshot.owner
        ),
    };
    let mut bytes = Vec::new();
    body.take(MAX_ROWS_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_ROWS_FILE_BYTES {
        anyhow::bail!("{source} is larger than {MAX_ROWS_FILE_BYTES} bytes");
    }
    let (rows, root, file) = parse_rows(&bytes, &source)?;
    Ok((rows, root, file, source))
}

fn publish_snapshot(context: &Context, args: RowsFileArgs) -> anyhow::Result<Exit> {
    let (rows, root, file) = read_rows(&args.rows)?;
    let classes = draw::class_counts(&rows);
    let call = Call::PublishEntitySnapshot(PublishEntitySnapshot {
        root,
        classes: classes.clone(),
        rows_file: file,
    });
    let published = submit(
        context,
        call,
        |c| {
            json!({
                "id": SnapshotId::for_tx(&c.hash),
                "root": root,
                "rows": rows.len(),
                "classes": classes,
                "rows_file": file,
            })
        },
        |c| {
            format!(
                "published {} with {} rows, root {} (height {}, tx {})",
                SnapshotId::for_tx(&c.hash),
                rows.len(),
                root,
                c.height,
                c.hash,
            )
        },
    )?;
    if !matches!(published, Exit::Success) {
        return Ok(published);
    }
    // The node keeps the rows for whoever re-runs a draw (`draw verify`,
    // the console).
    match crate::evidence::vault::upload(context, &args.rows, &file) {
        Ok(_) => {
            eprintln!("the rows file is in the node's vault ({file}) for re-runs");
            Ok(Exit::Success)
        }
        Err(error) => {
            eprintln!(
                "published, but the node did not keep the rows file: {error:#}; keep {} and pass it with --rows",
                args.rows.display()
            );
            Ok(Exit::Failure)
        }
    }
}

/// A plan's items, sorted by code, and their departments, sorted.
type ItemsAndDepartments = (Vec<PlanItem>, Vec<OrgId>);

/// The plan's items with their responsible departments, from the node's
/// item list, sorted by code; and the departments, sorted.
fn plan_items(
    context: &Context,
    codes: &[String],
) -> anyhow::Result<Result<ItemsAndDepartments, Exit>> {
    let list = match read_typed::<ItemList>(context, "/v1/draws/items")? {
        Ok((_, list)) => list,
        Err(exit) => return Ok(Err(exit)),
    };
    let mut items = Vec::with_capacity(codes.len());
    for code in codes {
        let listed = list
            .items
            .iter()
            .find(|item| item["code"].as_str() == Some(code.as_str()))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "item {code:?} is not on the inspection-item list; `xianjie draw item list` shows it"
                )
            })?;
        let department = org_id(listed["department"].as_str().unwrap_or_default())?;
        items.push(PlanItem {
            item: code.clone(),
            department,
        });
    }
    items.sort_by(|a, b| a.item.cmp(&b.item));
    let mut departments: Vec<OrgId> = items.iter().map(|i| i.department.clone()).collect();
    departments.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    departments.dedup();
    Ok(Ok((items, departments)))
}

fn plan(context: &Context, args: PlanArgs) -> anyhow::Result<Exit> {
    let mut ratios = args.ratios.clone();
    ratios.sort_by_key(|ratio| ratio.risk_class);
    let mut codes = args.items.clone();
    codes.sort();
    if let Some(twice) = codes.windows(2).find(|pair| pair[0] == pair[1]) {
        anyhow::bail!("--item {} is given twice; name each item once", twice[0]);
    }
    let (items, departments) = match plan_items(context, &args.items)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    let mut witnesses = args
        .witnesses
        .iter()
        .map(|w| org_id(w))
        .collect::<anyhow::Result<Vec<_>>>()?;
    witnesses.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let period = period_of(args.period_from, args.period_until)?;
    let call = Call::PlanDraw(PlanDraw {
        plan: DrawPlan {
            items,
            ratios,
            inspectors_per_inspection: args.per_inspection,
            departments,
        },
        snapshot: args.snapshot,
        witnesses,
        period,
    });
    submit(
        context,
        call,
        |c| json!({ "id": DrawId::for_tx(&c.hash), "items": args.items }),
        |c| {
            format!(
                "planned {} for {}; every department and witness now runs `xianjie draw commit {}` (height {}, tx {})",
                DrawId::for_tx(&c.hash),
                args.items.join(", "),
                DrawId::for_tx(&c.hash),
                c.height,
                c.hash
            )
        },
    )
}

/// The period asked for, from today and 30 days long by default.
fn period_of(from: Option<u32>, until: Option<u32>) -> anyhow::Result<InspectionPeriod> {
    use xianjie_contracts::deadline::{date_of_day, day_number, local_date};
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    let from = from.unwrap_or_else(|| local_date(now_ms));
    let first = day_number(from)
        .ok_or_else(|| anyhow::anyhow!("--period-from {from} is not a yyyymmdd date"))?;
    let until = until.unwrap_or_else(|| date_of_day(first + 30));
    Ok(InspectionPeriod { from, until })
}

fn nonce_path(context: &Context, args: &NonceArgs) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.nonce_file {
        return Ok(path.clone());
    }
    let key = context.load_key()?;
    Ok(PathBuf::from(format!(
        "{}.{}.nonce",
        args.id,
        key.public_key().id()
    )))
}

fn commit(context: &Context, args: NonceArgs) -> anyhow::Result<Exit> {
    let path = nonce_path(context, &args)?;
    let org = signer_org(context)?;
    // A file kept from an earlier try for this draw is used again (the
    // commitment is the same); one for another draw is never overwritten.
    let nonce = match path.exists() {
        true => read_nonce(&path, &args.id)?,
        false => {
            let mut nonce = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut nonce);
            // Written before it is committed to: a lost nonce fails the draw.
            write_secret(&path, &format!("{} {}\n", args.id, hex::encode(nonce)))?;
            nonce
        }
    };
    let commitment = draw::commitment(&nonce, &args.id, &org);
    let call = Call::CommitDraw(CommitDraw {
        draw: args.id.clone(),
        commitment,
    });
    submit(
        context,
        call,
        |_| json!({ "draw": args.id, "org": org, "commitment": commitment, "nonce_file": path }),
        |c| {
            format!(
                "{org} committed to draw {} (height {}, tx {}); the nonce is in {}: keep it secret and reveal it with `xianjie draw reveal {}` once every commitment is in",
                args.id,
                c.height,
                c.hash,
                path.display(),
                args.id
            )
        },
    )
}

fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create {} (an existing nonce file is never overwritten; pass --nonce-file)",
                path.display()
            )
        })?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// The nonce a file made by `draw commit` keeps for `draw`: the line
/// `DRAW-… <64 hex>`.
fn read_nonce(path: &Path, draw: &DrawId) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the nonce file {}", path.display()))?;
    let (id, hex) = text.trim().split_once(' ').unwrap_or(("", ""));
    if id != draw.as_str() {
        anyhow::bail!(
            "{} keeps a nonce for {}, not for {draw}; pass the file `draw commit` wrote for this draw (--nonce-file)",
            path.display(),
            if id.is_empty() { "no draw" } else { id }
        );
    }
    Hash::from_hex(hex).map(|hash| hash.0).map_err(|_| {
        anyhow::anyhow!(
            "{} does not hold a nonce (64 hex characters)",
            path.display()
        )
    })
}

fn reveal(context: &Context, args: NonceArgs) -> anyhow::Result<Exit> {
    let path = nonce_path(context, &args)?;
    let nonce = read_nonce(&path, &args.id)?;
    // A nonce sent too early is public while the seed block is still to
    // come: check the draw waits for it, and for this very nonce, first.
    let org = signer_org(context)?;
    let fetched = match fetch(context, &args.id)? {
        Ok((_, fetched)) => fetched,
        Err(exit) => return Ok(exit),
    };
    let record = &fetched.draw;
    // Seeding: the seed block holds the last commitment and is decided;
    // the next block records it before it runs this reveal.
    if !matches!(record.state, DrawState::Revealing | DrawState::Seeding) {
        eprintln!(
            "draw {} is {}: a nonce is revealed only once every commitment is in and the seed block is recorded (`xianjie draw show {}`); nothing was sent",
            record.id, record.state, record.id
        );
        return Ok(Exit::Negative);
    }
    let committed = record
        .committers
        .iter()
        .find(|c| c.org == org)
        .and_then(|c| c.commitment);
    if committed != Some(draw::commitment(&nonce, &args.id, &org)) {
        eprintln!(
            "the nonce in {} does not open {org}'s commitment to {}; nothing was sent",
            path.display(),
            args.id
        );
        return Ok(Exit::Negative);
    }
    let call = Call::RevealDraw(RevealDraw {
        draw: args.id.clone(),
        nonce: Hash(nonce),
    });
    submit(
        context,
        call,
        |_| json!({ "draw": args.id, "revealed": true }),
        |c| {
            format!(
                "revealed for draw {} (height {}, tx {})",
                args.id, c.height, c.hash
            )
        },
    )
}

/// The signer's organisation, as the node knows its key.
fn signer_org(context: &Context) -> anyhow::Result<OrgId> {
    let key = context.load_key()?;
    let path = format!("/v1/officers/{}", key.public_key().id());
    let answer = context
        .client()
        .get_json(&path)?
        .map_err(|error| anyhow::anyhow!("the node does not know this key ({path}): {error:?}"))?;
    let org = answer["org"].as_str().ok_or_else(|| {
        anyhow::anyhow!("the node does not know this key ({path}); is it registered?")
    })?;
    org_id(org)
}

/// The draw, its inspector rows and snapshot, as the node serves them.
fn fetch(
    context: &Context,
    id: &DrawId,
) -> anyhow::Result<Result<(serde_json::Value, Fetched), Exit>> {
    let path = format!("/v1/draws/{id}");
    let (answer, view) = match read_typed::<DrawView>(context, &path)? {
        Ok(found) => found,
        Err(exit) => return Ok(Err(exit)),
    };
    let client = context.client();
    Ok(Ok((
        answer,
        Fetched {
            draw: client.typed(&path, view.draw.clone())?,
            inspectors: client.typed(&path, serde_json::Value::Array(view.inspectors.clone()))?,
            snapshot: client.typed(&path, view.snapshot.clone())?,
            results: client.typed(&path, serde_json::Value::Array(view.results.clone()))?,
            view,
        },
    )))
}

/// A draw as fetched.
struct Fetched {
    draw: RandomDraw,
    inspectors: Vec<InspectorRow>,
    snapshot: EntitySnapshot,
    results: Vec<InspectionOutcome>,
    view: DrawView,
}

fn name(context: &Context, args: RowsArgs) -> anyhow::Result<Exit> {
    let fetched = match fetch(context, &args.id)? {
        Ok((_, fetched)) => fetched,
        Err(exit) => return Ok(exit),
    };
    let (rows, root, _, source) = rows_for(context, args.rows.as_deref(), &fetched.snapshot)?;
    if root != fetched.snapshot.root {
        anyhow::bail!(
            "{source} has root {root}, not that of {} ({}): it is another snapshot's rows",
            fetched.snapshot.id,
            fetched.snapshot.root
        );
    }
    match fetched.draw.state {
        DrawState::Naming => {}
        DrawState::Drawn => {
            println!("every drawn entity of {} is named already", args.id);
            return Ok(Exit::Success);
        }
        state => {
            eprintln!(
                "draw {} is {state}: there are no drawn positions to name",
                args.id
            );
            return Ok(Exit::Negative);
        }
    }
    let leaves: Vec<Hash> = rows.iter().map(EntityRow::hash).collect();
    let first = fetched
        .draw
        .inspections
        .iter()
        .take_while(|i| i.entity.is_some())
        .count();
    let pending = &fetched.draw.inspections[first..];
    if pending.is_empty() {
        println!("every drawn entity of {} is named already", args.id);
        return Ok(Exit::Success);
    }
    let mut exit = Exit::Success;
    for (chunk_number, chunk) in pending.chunks(MAX_NAMED_PER_TX).enumerate() {
        let shown = chunk
            .iter()
            .map(|inspection| {
                let at = inspection.position as usize;
                Ok(ProvenRow {
                    row: rows
                        .get(at)
                        .cloned()
                        .context("a drawn position beyond the rows")?,
                    proof: merkle::prove(&leaves, at)
                        .context("a drawn position beyond the rows")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let call = Call::NameDrawnEntities(NameDrawnEntities {
            draw: args.id.clone(),
            first: (first + chunk_number * MAX_NAMED_PER_TX) as u32,
            rows: shown,
        });
        let count = chunk.len();
        exit = submit(
            context,
            call,
            |_| json!({ "draw": args.id, "named": count }),
            |c| {
                format!(
                    "named {count} drawn entities of {} (height {}, tx {})",
                    args.id, c.height, c.hash
                )
            },
        )?;
        if !matches!(exit, Exit::Success) {
            break;
        }
    }
    Ok(exit)
}

fn recuse(context: &Context, args: RecuseArgs) -> anyhow::Result<Exit> {
    let call = Call::RecuseInspector(RecuseInspector {
        draw: args.id.clone(),
        inspection: args.inspection,
        officer: key_id(&args.officer)?,
        reason: text_or_file(&args.reason)?,
    });
    submit(
        context,
        call,
        |_| json!({ "draw": args.id, "inspection": args.inspection, "recused": args.officer }),
        |c| {
            format!(
                "{} stood down from inspection {} of {}; see the replacement with `xianjie draw show {}` (height {}, tx {})",
                args.officer, args.inspection, args.id, args.id, c.height, c.hash
            )
        },
    )
}

fn record_result(context: &Context, args: ResultArgs) -> anyhow::Result<Exit> {
    let call = Call::RecordDrawResult(RecordDrawResult {
        draw: args.id.clone(),
        inspection: args.inspection,
        finding: args.finding,
        document: text_or_file(&args.record)?,
    });
    let reference = xianjie_ledger::random_draw::finding_reference(&args.id, args.inspection);
    submit(
        context,
        call,
        |_| json!({ "draw": args.id, "inspection": args.inspection, "finding": args.finding.name(), "reference": reference }),
        |c| {
            let next = match args.finding {
                InspectionFinding::Finding => format!(
                    "; open a case on it with `xianjie case open --lead random-inspection --lead-ref {reference} …`"
                ),
                _ => String::new(),
            };
            format!(
                "published the result of inspection {} of {}: {} (height {}, tx {}){next}",
                args.inspection, args.id, args.finding, c.height, c.hash
            )
        },
    )
}

/// `FOOD-01 (market), TAX-01 (tax)`.
fn plan_items_text(plan: &DrawPlan) -> String {
    plan.items
        .iter()
        .map(|item| format!("{} ({})", item.item, item.department))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(fetched: &Fetched) -> String {
    let record = &fetched.draw;
    let mut text = format!(
        "{}  {}  [{}]  planned {} by {}\n    departments {}  witnesses {}\n    snapshot {} ({} rows)  date {}  period {}–{}",
        record.id,
        plan_items_text(&record.plan),
        record.state,
        format_time_ms(record.time_ms),
        record.planned_by,
        join(&record.plan.departments),
        join(&record.witnesses),
        record.snapshot,
        fetched.snapshot.rows(),
        record.date,
        record.period.from,
        record.period.until,
    );
    for committer in &record.committers {
        let done = match (committer.commitment, committer.nonce) {
            (_, Some(_)) => "revealed",
            (Some(_), None) => "committed",
            _ => "waiting",
        };
        text.push_str(&format!("\n    {} {done}", committer.org));
    }
    if let Some(due) = fetched.view.due_at_ms {
        let overdue = if fetched.view.overdue {
            "  OVERDUE"
        } else {
            ""
        };
        text.push_str(&format!("\n    due {}{overdue}", format_time_ms(due)));
    }
    if !record.missing.is_empty() {
        text.push_str(&format!("\n    FAILED: missing {}", join(&record.missing)));
    }
    if let Some(seed) = record.seed {
        text.push_str(&format!("\n    seed {seed}"));
    }
    for (number, inspection) in record.inspections.iter().enumerate() {
        let entity = inspection.entity.as_deref().unwrap_or("(not yet named)");
        let inspectors: Vec<String> = inspection
            .inspectors
            .iter()
            .map(|k| k.to_string())
            .collect();
        text.push_str(&format!(
            "\n    {number}: {entity} (class {})  {}",
            inspection.risk_class,
            inspectors.join(" ")
        ));
        for recusal in &inspection.recusals {
            text.push_str(&format!(
                "\n       recused {} → {}",
                recusal.officer, recusal.replacement
            ));
        }
        if let Some(result) = fetched
            .results
            .iter()
            .find(|r| r.inspection as usize == number)
        {
            text.push_str(&format!(
                "\n       result {} {}",
                result.finding,
                format_time_ms(result.time_ms)
            ));
            if let Some(case) = &result.case {
                text.push_str(&format!("  case {case}"));
            }
        }
    }
    text
}

fn join(orgs: &[OrgId]) -> String {
    orgs.iter()
        .map(OrgId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(context: &Context, id: &DrawId) -> anyhow::Result<Exit> {
    let (answer, fetched) = match fetch(context, id)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || describe(&fetched))?;
    Ok(Exit::Success)
}

fn list(context: &Context) -> anyhow::Result<Exit> {
    let (answer, list) = match read_typed::<DrawList>(context, "/v1/draws")? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        let lines = list
            .draws
            .iter()
            .map(|d| {
                format!(
                    "{}  {}  [{}]  {} inspections  planned {} by {}",
                    d.id,
                    d.items.join(","),
                    d.state,
                    d.inspections,
                    format_time_ms(d.time_ms),
                    d.planned_by
                )
            })
            .collect::<Vec<_>>();
        crate::common::listing(lines.clone(), lines.len(), list.complete, "no draws".into())
    })?;
    Ok(Exit::Success)
}

fn list_items(context: &Context) -> anyhow::Result<Exit> {
    let (answer, list) = match read_typed::<ItemList>(context, "/v1/draws/items")? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        let lines: Vec<String> = list
            .items
            .iter()
            .map(|item| {
                format!(
                    "{}  basis {}  method {}  department {}",
                    item["code"].as_str().unwrap_or("?"),
                    item["basis"].as_str().unwrap_or("?"),
                    item["method"].as_str().unwrap_or("?"),
                    item["department"].as_str().unwrap_or("?")
                )
            })
            .collect();
        crate::common::listing(
            lines.clone(),
            lines.len(),
            true,
            "no inspection items".into(),
        )
    })?;
    Ok(Exit::Success)
}

fn org_filter(args: &OrgArgs) -> String {
    args.org
        .as_ref()
        .map(|org| format!("?org={org}"))
        .unwrap_or_default()
}

fn list_inspectors(context: &Context, args: OrgArgs) -> anyhow::Result<Exit> {
    let path = format!("/v1/draws/inspectors{}", org_filter(&args));
    let (answer, list) = match read_typed::<InspectorList>(context, &path)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    context.output.emit(&answer, || {
        let lines: Vec<String> = list
            .inspectors
            .iter()
            .map(|row| {
                format!(
                    "{}  {}  {}–{}  {}",
                    row["officer"].as_str().unwrap_or("?"),
                    row["certificate"].as_str().unwrap_or("?"),
                    row["valid_from"],
                    row["valid_until"],
                    row["scopes"]
                )
            })
            .collect();
        crate::common::listing(
            lines.clone(),
            lines.len(),
            true,
            format!("no inspectors for {}", list.org),
        )
    })?;
    Ok(Exit::Success)
}

fn list_snapshots(context: &Context, args: OrgArgs) -> anyhow::Result<Exit> {
    let path = format!("/v1/draws/snapshots{}", org_filter(&args));
    let (answer, list) = match read_typed::<SnapshotList>(context, &path)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    let snapshots: Vec<EntitySnapshot> = context
        .client()
        .typed(&path, serde_json::Value::Array(list.snapshots.clone()))?;
    context.output.emit(&answer, || {
        let lines: Vec<String> = snapshots
            .iter()
            .map(|s| {
                format!(
                    "{}  {} rows  root {}  published {}",
                    s.id,
                    s.rows(),
                    s.root,
                    format_time_ms(s.time_ms)
                )
            })
            .collect();
        crate::common::listing(
            lines.clone(),
            lines.len(),
            true,
            format!("no snapshots for {}", list.org),
        )
    })?;
    Ok(Exit::Success)
}

/// Re-runs the draw from the rows (docs/draw.md §8): the seed from the
/// recorded seed block and reveals, the roots, every entity, inspector and
/// recusal.
fn verify(context: &Context, args: RowsArgs) -> anyhow::Result<Exit> {
    let (_, fetched) = match fetch(context, &args.id)? {
        Ok(found) => found,
        Err(exit) => return Ok(exit),
    };
    let record = &fetched.draw;
    let (rows, root, file, source) = rows_for(context, args.rows.as_deref(), &fetched.snapshot)?;
    let drawn = record.state == DrawState::Drawn;
    let Some((height, block_hash)) = record.seed_block.filter(|_| drawn) else {
        anyhow::bail!(
            "draw {} is {}: there is nothing drawn and named to re-run yet",
            record.id,
            record.state
        );
    };
    let reveals: Vec<(OrgId, [u8; 32])> = record
        .committers
        .iter()
        .filter_map(|c| c.nonce.map(|nonce| (c.org.clone(), nonce.0)))
        .collect();
    let mut problems = Vec::new();
    for committer in &record.committers {
        let opens = match (committer.commitment, committer.nonce) {
            (Some(commitment), Some(nonce)) => {
                draw::check_reveal(&commitment, &nonce.0, &record.id, &committer.org).is_ok()
            }
            _ => false,
        };
        if !opens {
            problems.push(format!(
                "{}'s nonce does not open its commitment",
                committer.org
            ));
        }
    }
    let seed = draw::seed(&block_hash, &reveals).map_err(|e| anyhow::anyhow!("{e}"))?;
    if Some(seed) != record.seed {
        problems.push(format!(
            "the seed from block {height} and the reveals is {seed}, not the recorded one"
        ));
    }
    if root != record.entity_root {
        problems.push(format!(
            "{source} has root {root}, not the draw's {}",
            record.entity_root
        ));
    } else if file != fetched.snapshot.rows_file {
        eprintln!("note: the rows file's bytes differ from the published file ({}), though its rows are the snapshot's", fetched.snapshot.rows_file);
    }
    if problems.is_empty() {
        if let Err(error) = draw::verify(&as_result(record), &rows, &fetched.inspectors) {
            problems.push(format!("{error} ({})", error.code()));
        }
    }
    let answer = json!({ "draw": record.id, "matches": problems.is_empty(), "problems": problems, "seed": seed, "inspections": record.inspections.len() });
    context.output.emit(&answer, || match problems.is_empty() {
        true => format!(
            "draw {} re-run from {} rows ({source}): seed, {} inspections, every inspector and recusal match",
            record.id,
            rows.len(),
            record.inspections.len()
        ),
        false => format!(
            "draw {} does NOT match its re-run:\n  {}",
            record.id,
            problems.join("\n  ")
        ),
    })?;
    Ok(if problems.is_empty() {
        Exit::Success
    } else {
        Exit::Negative
    })
}
