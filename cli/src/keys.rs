//! `xianjie keys new` and `xianjie keys show`: officer key files.
//!
//! A key file is the ledger's `KeyFile` JSON (secret seed, public key, id).
//! It is created with mode 0600 and never overwritten: replacing an officer's
//! registered key by accident would lock them out of signing.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::{Args, Subcommand};
use rand::RngCore as _;
use serde_json::json;
use xianjie_ledger::crypto::{KeyFile, SecretKey};

use crate::client::NodeClient;
use crate::{Context, Exit};

/// `xianjie keys …`
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// What to do with keys.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a new key and write it to a file readable only by you.
    New(NewArgs),
    /// Show the id and public key of --key (and, if the node knows it, the officer's org and role).
    Show,
}

/// `xianjie keys new`
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Where to write the key file; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs a `keys` subcommand.
pub fn execute(context: &Context, args: KeysArgs) -> anyhow::Result<Exit> {
    match args.command {
        KeysCommand::New(new) => execute_new(context, &new),
        KeysCommand::Show => execute_show(context),
    }
}

fn execute_new(context: &Context, args: &NewArgs) -> anyhow::Result<Exit> {
    let key = generate_key();
    write_new_key_file(&args.out, &key)?;
    let public_key = key.public_key();
    let answer = json!({
        "id": public_key.id().to_hex(),
        "public_key": public_key.to_hex(),
        "file": args.out.display().to_string(),
    });
    context.output.emit(&answer, || {
        format!(
            "wrote {}\nid          {}\npublic key  {}\n\
             Ask your organisation's admin to register this public key before you sign with it.",
            args.out.display(),
            public_key.id(),
            public_key
        )
    })?;
    Ok(Exit::Success)
}

fn execute_show(context: &Context) -> anyhow::Result<Exit> {
    let key = context.load_key()?;
    let public_key = key.public_key();
    let answer = json!({ "id": public_key.id().to_hex(), "public_key": public_key.to_hex() });
    // Only the human form asks the node: --json stays a purely local answer.
    context.output.emit(&answer, || {
        format!(
            "id          {}\npublic key  {}\n{}",
            public_key.id(),
            public_key,
            describe_officer(context, &key)
        )
    })?;
    Ok(Exit::Success)
}

/// Best effort: what the node says about this key, never an error.
fn describe_officer(context: &Context, key: &SecretKey) -> String {
    let client = NodeClient::with_timeouts(
        &context.node_url,
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    match client.officer(&key.public_key().id()) {
        Ok(Some(officer)) => {
            let officer = &officer.officer;
            let active = if !officer.active { " (revoked)" } else { "" };
            format!("officer     {} of {}{active}", officer.role, officer.org)
        }
        Ok(None) => format!(
            "officer     not registered on the chain of {}",
            client.base_url()
        ),
        Err(_) => format!(
            "officer     unknown (node at {} not reachable)",
            client.base_url()
        ),
    }
}

/// A new key from the operating system's RNG.
pub fn generate_key() -> SecretKey {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = SecretKey::from_bytes(&seed);
    seed.fill(0);
    key
}

/// Writes `key` to a new file with mode 0600; refuses to replace an existing file.
pub fn write_new_key_file(path: &Path, key: &SecretKey) -> anyhow::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow!(
            "{} already exists; refusing to overwrite a key file (choose another --out, or move the old file away yourself)",
            path.display()
        ),
        _ => anyhow!("cannot create key file {}: {error}", path.display()),
    })?;
    file.write_all(KeyFile::to_json(key).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write key file {}", path.display()))
}

/// Reads and checks a key file; warns on stderr if others can read it.
pub fn read_key_file(path: &Path) -> anyhow::Result<SecretKey> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read key file {} (given by --key or XIANJIE_KEY)",
            path.display()
        )
    })?;
    warn_if_readable_by_others(path);
    KeyFile::parse(&text).with_context(|| format!("{} is not a usable key file", path.display()))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: key file {} can be read by other users; run `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_key_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("officer.key");
        let key = generate_key();
        write_new_key_file(&path, &key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(read_key_file(&path).unwrap().public_key(), key.public_key());
    }

    #[test]
    fn existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("officer.key");
        std::fs::write(&path, "precious").unwrap();
        let error = write_new_key_file(&path, &generate_key()).unwrap_err();
        assert!(
            error.to_string().contains("refusing to overwrite"),
            "{error}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(generate_key().public_key(), generate_key().public_key());
    }

    #[test]
    fn garbage_key_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "{}").unwrap();
        let error = read_key_file(&path).unwrap_err();
        assert!(format!("{error:#}").contains("bad.key"));
    }
}
