//! `xianjie evidence anchor FILE --category …`: hash a file and anchor it.
//!
//! Only the digest and metadata go on chain. The provenance note (OLR Art 18:
//! where the file came from, how it was made) is hashed with the ledger's
//! note domain and only its digest is anchored; the text stays with the agency.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use clap::Args;
use serde_json::{json, Value};
use xianjie_api::vault::VaultFileView;
use xianjie_contracts::evidence::check_anchor_fields;
use xianjie_contracts::ContractError;
use xianjie_keyfile::Signer;
use xianjie_ledger::crypto::{KeyId, SecretKey};
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::model::{EvidenceAnchor, EvidenceCategory};
use xianjie_ledger::tx::Call;
use xianjie_ledger::Hash;

use super::draft::{self, Draft};
use super::{hashing_progress, parse_digest, print_submission};
use crate::client::Submission;
use crate::hashing::hash_file;
use crate::output::category_label;
use crate::{Context, Exit};

/// `xianjie evidence anchor`
#[derive(Debug, Args)]
pub struct AnchorArgs {
    /// The evidence file (with `--draft`, optional: given, its digest must be
    /// the draft's, and `--upload` stores it).
    #[arg(required_unless_present = "draft")]
    pub file: Option<PathBuf>,
    /// Evidence category; it decides the admissibility class (A, B or C).
    #[arg(long, required_unless_present = "draft", value_parser = category_parser())]
    pub category: Option<CategoryArg>,
    /// The case the evidence belongs to.
    #[arg(long = "case", value_name = "ID")]
    pub case_id: Option<CaseId>,
    /// Provenance note (source, how it was produced); only its digest goes on chain.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// MIME type; guessed from the file extension if omitted.
    #[arg(long, value_name = "MIME")]
    pub media_type: Option<String>,
    /// Another officer who collected it (repeat or comma-separate); you are
    /// always included. Every collector signs: given a key file, this
    /// command co-signs with it; given an officer id (`xianjie keys show`),
    /// that officer co-signs a draft (see --unsigned-out). The chain asks
    /// for at least `min_collectors` (two by default, as the law does).
    #[arg(long = "collected-by", value_name = "ID|KEYFILE", value_delimiter = ',', value_parser = collector)]
    pub collected_by: Vec<Collector>,
    /// When it was collected, Unix seconds; defaults to the file's modification time.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub collected_at: Option<u64>,
    /// How it was captured (e.g. download, photograph, forensic-image).
    #[arg(long, value_name = "TEXT", default_value = "file")]
    pub capture_method: String,
    /// Tool and version used for the capture; defaults to this CLI.
    #[arg(long, value_name = "TEXT")]
    pub capture_tool: Option<String>,
    /// Digest of an earlier anchor this file replaces (e.g. a corrected scan).
    #[arg(long, value_name = "DIGEST", value_parser = parse_digest)]
    pub supersedes: Option<Hash>,
    /// Also store the file in your node's evidence vault once it is anchored,
    /// so the organisations entitled to it can fetch it.
    #[arg(long)]
    pub upload: bool,
    /// Do not submit: write the anchor to DRAFT for the collectors named by
    /// id to co-sign (`xianjie --key THEIRS.key evidence cosign DRAFT`),
    /// then submit it with `--draft DRAFT`.
    #[arg(long, value_name = "DRAFT", conflicts_with = "draft")]
    pub unsigned_out: Option<PathBuf>,
    /// Submit a draft every collector has co-signed (written by
    /// `--unsigned-out`, co-signed with `xianjie evidence cosign`).
    #[arg(long, value_name = "DRAFT", conflicts_with_all = ["category", "case_id", "note", "media_type", "collected_by", "collected_at", "capture_tool", "supersedes"])]
    pub draft: Option<PathBuf>,
}

/// A collector named on the command line: by id, or by key file (then this
/// command co-signs with the key).
#[derive(Debug, Clone)]
pub struct Collector {
    /// The officer's id.
    pub id: KeyId,
    /// Their key file, when one was given; unlocked by [`Collector::key`].
    pub key_file: Option<PathBuf>,
}

impl Collector {
    /// Their key, when a key file was given (an encrypted one is unlocked
    /// with a passphrase from the same sources as `--key`'s).
    pub fn key(&self, context: &Context) -> anyhow::Result<Option<SecretKey>> {
        self.key_file
            .as_deref()
            .map(|path| context.read_key_file(path))
            .transpose()
    }
}

/// clap parser for `--collected-by`: an officer id or a key file. Only the
/// public key is read here; a passphrase, if any, is asked for once the
/// whole command line is known.
pub fn collector(text: &str) -> anyhow::Result<Collector> {
    if let Ok(id) = KeyId::from_hex(text) {
        return Ok(Collector { id, key_file: None });
    }
    let path = Path::new(text);
    if path.exists() {
        let public_key = crate::keys::read_public_key(path)?;
        return Ok(Collector {
            id: public_key.id(),
            key_file: Some(path.to_owned()),
        });
    }
    Err(anyhow::anyhow!(
        "{text:?} is neither an officer id (40 hex characters, `xianjie keys show`) nor a key file"
    ))
}

/// The evidence categories as typed on the command line: the ledger's
/// [`EvidenceCategory`] by its names (`xianjie_ledger::names`).
pub type CategoryArg = EvidenceCategory;

/// The help line of each category in `--help`.
fn category_help(category: EvidenceCategory) -> &'static str {
    match category {
        EvidenceCategory::Physical => "物证 physical evidence (class A).",
        EvidenceCategory::Documentary => "书证 documentary evidence (class A).",
        EvidenceCategory::Audiovisual => "视听资料 audio-visual material (class A).",
        EvidenceCategory::Electronic => "电子数据 electronic data (class A).",
        EvidenceCategory::Appraisal => "鉴定意见 / 检验报告 appraisal or test report (class B).",
        EvidenceCategory::InspectionRecord => "勘验 / 检查笔录 inspection record (class B).",
        EvidenceCategory::OnsiteRecord => "现场笔录 on-site record (class B, pending review).",
        EvidenceCategory::Witness => "证人证言 witness statement (class C).",
        EvidenceCategory::Party => "当事人陈述 / 询问笔录 party statement (class C).",
        EvidenceCategory::EnvironmentalMonitoring => {
            "生态环境监测数据 environmental monitoring data (class A)."
        }
        EvidenceCategory::AccidentInvestigation => {
            "事故调查报告 accident investigation report (class B)."
        }
        EvidenceCategory::VictimStatement => "被害人陈述 victim statement (class C).",
    }
}

/// clap parser for `--category`: the ledger's names, listed in `--help` and
/// in the error for a wrong one.
fn category_parser() -> impl clap::builder::TypedValueParser<Value = EvidenceCategory> {
    crate::common::ledger_names(EvidenceCategory::NAMES, category_help)
}

/// Hashes the file, anchors it, and prints digest, tx and height (or
/// writes a draft for the collectors to co-sign).
pub fn execute(context: &Context, args: AnchorArgs) -> anyhow::Result<Exit> {
    if let Some(path) = &args.draft {
        return submit_draft(context, &args, path);
    }
    // Everything that can be wrong with the command line is checked before
    // hashing, which can take minutes for a disk image.
    let key = context.load_key()?;
    let signer = key.public_key().id();
    let ids: Vec<KeyId> = args.collected_by.iter().map(|c| c.id).collect();
    let collected_by = collectors(signer, &ids);
    let (Some(file), Some(category)) = (&args.file, args.category) else {
        bail!("name the evidence FILE and its --category (or submit a co-signed --draft)");
    };
    let media_type = args
        .media_type
        .clone()
        .unwrap_or_else(|| guess_media_type(file).to_owned());
    let capture_tool = args
        .capture_tool
        .clone()
        .unwrap_or_else(|| format!("xianjie-cli {}", crate::VERSION));
    // The file's digest and size are filled in after hashing; the contract's
    // field checks do not look at them.
    let mut anchor = EvidenceAnchor {
        digest: Hash([0; 32]),
        size: 0,
        media_type,
        category,
        case_id: args.case_id.clone(),
        collected_at: args.collected_at.unwrap_or_else(|| modified_or_now(file)),
        collected_by,
        capture_method: args.capture_method.clone(),
        capture_tool,
        provenance_note_digest: args.note.as_deref().map(note_digest),
        supersedes: args.supersedes,
        co_signatures: Vec::new(),
    };
    check_fields(&anchor)?;
    let unsigned: Vec<KeyId> = args
        .collected_by
        .iter()
        .filter(|c| c.key_file.is_none() && c.id != signer)
        .map(|c| c.id)
        .collect();
    if !unsigned.is_empty() && args.unsigned_out.is_none() {
        bail!(
            "every collector must sign the anchor, and no key was given for {}: either pass their key file to --collected-by, \
             or write a draft with --unsigned-out anchor.draft, have each of them run \
             `xianjie --key THEIR.key evidence cosign anchor.draft`, then submit it with \
             `xianjie evidence anchor --draft anchor.draft`",
            draft::list(&unsigned)
        );
    }
    // Unlocked before hashing, so a wrong passphrase costs no wait.
    let mut colleague_keys = Vec::new();
    for colleague in args.collected_by.iter().filter(|c| c.id != signer) {
        colleague_keys.extend(colleague.key(context)?);
    }
    let chain_id = context.client().status()?.chain_id;

    let hashed = hash_file(file, hashing_progress(context))
        .with_context(|| format!("cannot read {}", file.display()))?;
    anchor.digest = hashed.digest;
    anchor.size = hashed.size;
    for their_key in &colleague_keys {
        super::co_sign(&mut anchor, &chain_id, &signer, their_key)?;
    }
    match &args.unsigned_out {
        Some(out) => write_draft(context, &Draft::new(&chain_id, signer, anchor), out),
        None => submit(context, key.as_ref(), &anchor, Some(file), args.upload),
    }
}

/// Writes the draft and says who must co-sign it and how to submit it.
fn write_draft(context: &Context, draft: &Draft, out: &Path) -> anyhow::Result<Exit> {
    draft.write(out)?;
    let missing = draft.missing();
    let answer = json!({
        "draft": out,
        "digest": draft.anchor.digest,
        "collected_by": draft.anchor.collected_by,
        "missing_co_signatures": missing,
    });
    context.output.emit(&answer, || {
        let next = if missing.is_empty() {
            String::new()
        } else {
            format!(
                "\nnext      each of {} runs `xianjie --key THEIR.key evidence cosign {}`",
                draft::list(&missing),
                out.display()
            )
        };
        format!(
            "draft     {} (not submitted)\nanchor    {}{next}\nthen      `xianjie evidence anchor --draft {}` with your key",
            out.display(),
            draft.anchor.digest,
            out.display()
        )
    })?;
    Ok(Exit::Success)
}

/// Submits a draft that every collector has co-signed.
fn submit_draft(context: &Context, args: &AnchorArgs, path: &Path) -> anyhow::Result<Exit> {
    let key = context.load_key()?;
    let draft = Draft::read(path)?;
    let signer = key.public_key().id();
    if draft.signer != signer {
        bail!(
            "the draft is to be submitted by officer {}, who wrote it, and the co-signatures name them; your key is {signer}: pass their key with --key",
            draft.signer
        );
    }
    let missing = draft.missing();
    if !missing.is_empty() {
        bail!(
            "not every collector has co-signed the draft yet: {} must run `xianjie --key THEIR.key evidence cosign {}`",
            draft::list(&missing),
            path.display()
        );
    }
    draft.check_co_signatures()?;
    check_fields(&draft.anchor)?;
    let chain_id = context.client().status()?.chain_id;
    if chain_id != draft.chain_id {
        bail!(
            "the draft is for chain {:?} but the node runs {chain_id:?}; submit it to a node of its chain",
            draft.chain_id
        );
    }
    if let Some(file) = &args.file {
        let hashed = hash_file(file, hashing_progress(context))
            .with_context(|| format!("cannot read {}", file.display()))?;
        if hashed.digest != draft.anchor.digest {
            bail!(
                "{} has digest {}, the draft anchors {}: pass the file the draft was made from",
                file.display(),
                hashed.digest,
                draft.anchor.digest
            );
        }
    } else if args.upload {
        bail!("--upload needs the evidence FILE: `xianjie evidence anchor FILE --draft DRAFT --upload`");
    }
    submit(
        context,
        key.as_ref(),
        &draft.anchor,
        args.file.as_deref(),
        args.upload,
    )
}

/// Submits the anchor, uploads the file if asked, and prints the outcome.
fn submit(
    context: &Context,
    key: &dyn Signer,
    anchor: &EvidenceAnchor,
    file: Option<&Path>,
    upload: bool,
) -> anyhow::Result<Exit> {
    let submission = context
        .client()
        .sign_and_submit(key, Call::AnchorEvidence(anchor.clone()))?;
    let uploaded = match (&submission, file) {
        (Submission::Committed(_), Some(file)) if upload => {
            Some(super::vault::upload(context, file, &anchor.digest)?)
        }
        // Anchored earlier (e.g. an upload that failed): store the file now.
        (Submission::Refused { error, .. }, Some(file))
            if upload && error.code == "already_anchored" =>
        {
            let answer = super::vault::upload(context, file, &anchor.digest)?;
            eprintln!(
                "the file is already anchored; stored it in the node's vault ({})",
                Value::from(stored(&answer))
            );
            Some(answer)
        }
        _ => None,
    };
    let signed_by: Vec<KeyId> = std::iter::once(key.public_key().id())
        .chain(anchor.co_signatures.iter().map(|c| c.officer()))
        .collect();
    let fields = json!({
        "digest": anchor.digest,
        "size": anchor.size,
        "media_type": anchor.media_type,
        "category": anchor.category,
        "case_id": anchor.case_id,
        "collected_at": anchor.collected_at,
        "collected_by": anchor.collected_by,
        "signed_by": signed_by,
        "vault": uploaded,
    });
    let name = file.map_or_else(
        || "(from the draft)".to_owned(),
        |f| f.display().to_string(),
    );
    print_submission(context, &submission, fields, |committed| {
        let vault = match &uploaded {
            Some(answer) => format!(
                "\nvault     stored on the node ({})",
                stored(answer).unwrap_or_else(|| "new".to_owned())
            ),
            None => String::new(),
        };
        format!(
            "anchored  {}\nfile      {name} ({} bytes, {})\ncategory  {}\nsigned by {}\ntx        {}\nblock     {}{vault}",
            anchor.digest,
            anchor.size,
            anchor.media_type,
            category_label(anchor.category),
            draft::list(&signed_by),
            committed.hash,
            committed.height
        )
    })
}

/// `new` or `existing`: the `stored` of the vault's answer ([`VaultFileView`]).
fn stored(answer: &Value) -> Option<String> {
    serde_json::from_value::<VaultFileView>(answer.clone())
        .ok()
        .map(|view| view.stored)
}

/// The signer first, then the other collectors named, without repeats.
pub fn collectors(signer: KeyId, others: &[KeyId]) -> Vec<KeyId> {
    let mut all = vec![signer];
    for id in others {
        if !all.contains(id) {
            all.push(*id);
        }
    }
    all
}

/// The contract's own field checks (`xianjie_contracts::evidence::check_anchor_fields`),
/// before hashing and signing: a refusal names the option to change.
fn check_fields(anchor: &EvidenceAnchor) -> anyhow::Result<()> {
    let Err(error) = check_anchor_fields(anchor) else {
        return Ok(());
    };
    let option = match &error {
        ContractError::InvalidField { field, .. } => match *field {
            "media_type" => "--media-type",
            "case_id" => "--case",
            "capture_method" => "--capture-method",
            "capture_tool" => "--capture-tool",
            "collected_by" => "--collected-by (you and the colleagues named)",
            _ => "the options",
        },
        _ => "the options",
    };
    bail!(
        "the chain would refuse this anchor ({}: {error}); change {option} and run the command again",
        error.code()
    )
}

/// The file's modification time in Unix seconds, or now if it has none.
fn modified_or_now(path: &Path) -> u64 {
    let modified = std::fs::metadata(path).and_then(|metadata| metadata.modified());
    modified
        .unwrap_or_else(|_| SystemTime::now())
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// The MIME type of common evidence formats by extension; `application/octet-stream` otherwise.
pub fn guess_media_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    MEDIA_TYPES
        .iter()
        .find(|(known, _)| *known == extension)
        .map_or("application/octet-stream", |(_, media_type)| media_type)
}

const MEDIA_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("ofd", "application/ofd"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("webp", "image/webp"),
    ("heic", "image/heic"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("avi", "video/x-msvideo"),
    ("mkv", "video/x-matroska"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("m4a", "audio/mp4"),
    ("amr", "audio/amr"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("eml", "message/rfc822"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("zip", "application/zip"),
    ("7z", "application/x-7z-compressed"),
    ("rar", "application/vnd.rar"),
    ("gz", "application/gzip"),
    ("tar", "application/x-tar"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::wire_name;

    #[test]
    fn every_category_has_a_flag_named_as_in_the_api() {
        use clap::builder::TypedValueParser as _;
        let flags: Vec<_> = category_parser().possible_values().unwrap().collect();
        for (flag, category) in flags.iter().zip(EvidenceCategory::ALL) {
            assert_eq!(flag.get_name(), wire_name(&category));
        }
        let mapped: std::collections::BTreeSet<EvidenceCategory> = flags
            .iter()
            .map(|flag| flag.get_name().parse().unwrap())
            .collect();
        assert_eq!(mapped.len(), EvidenceCategory::ALL.len());
    }

    #[test]
    fn the_contract_decides_which_fields_are_acceptable() {
        let mut anchor = EvidenceAnchor {
            digest: Hash([0; 32]),
            size: 0,
            media_type: "application/pdf".into(),
            category: EvidenceCategory::Documentary,
            case_id: None,
            collected_at: 1,
            collected_by: vec![KeyId([1; 20]), KeyId([2; 20])],
            capture_method: String::new(),
            capture_tool: "xianjie-cli".into(),
            provenance_note_digest: None,
            supersedes: None,
            co_signatures: Vec::new(),
        };
        // The contract takes an empty capture method, so the CLI does too.
        check_fields(&anchor).unwrap();
        anchor.capture_method = "x".repeat(xianjie_ledger::model::MAX_SHORT_TEXT_LEN + 1);
        let refusal = check_fields(&anchor).unwrap_err().to_string();
        assert!(
            refusal.contains("invalid_field") && refusal.contains("change --capture-method"),
            "{refusal}"
        );
    }

    #[test]
    fn signer_comes_first_and_collectors_are_not_repeated() {
        let (me, other) = (KeyId([1; 20]), KeyId([2; 20]));
        assert_eq!(collectors(me, &[other, me, other]), vec![me, other]);
        assert_eq!(collectors(me, &[]), vec![me]);
    }

    #[test]
    fn media_types_by_extension() {
        assert_eq!(guess_media_type(Path::new("scan.PDF")), "application/pdf");
        assert_eq!(guess_media_type(Path::new("a/b/clip.mp4")), "video/mp4");
        assert_eq!(
            guess_media_type(Path::new("disk.E01")),
            "application/octet-stream"
        );
        assert_eq!(
            guess_media_type(Path::new("noextension")),
            "application/octet-stream"
        );
        assert!(MEDIA_TYPES
            .iter()
            .all(|(_, media_type)| media_type.len() <= xianjie_ledger::model::MAX_MEDIA_TYPE_LEN));
    }
}
