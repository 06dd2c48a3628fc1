//! `xianjie keys …`: officer key files.
//!
//! A key file is encrypted under a passphrase unless `--plain` is asked for
//! (both formats: `docs/keyfile.md`, crate `xianjie-keyfile`). It is created
//! with mode 0600 and never overwritten: replacing an officer's registered
//! key by accident would lock them out of signing. `encrypt` and
//! `change-passphrase` rewrite a file in place through a temporary file and
//! a rename, after the new text has been decrypted once as a check; a wrong
//! passphrase leaves the file untouched.
//!
//! Passphrases: `--passphrase-fd N` (one line read from that descriptor),
//! else `XIANJIE_PASSPHRASE`, else the terminal asks (twice for a new one).
//! `change-passphrase` takes the new one from `--new-passphrase-fd N`, else
//! `XIANJIE_NEW_PASSPHRASE`, else the terminal.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use rand::RngCore as _;
use serde_json::json;
use xianjie_keyfile::{
    file, KdfParams, Passphrase, PassphraseSource, PassphraseSources, Signer, StoredKey,
};
use xianjie_ledger::crypto::{KeyFile, PublicKey, SecretKey};

use crate::client::NodeClient;
use crate::{Context, Exit};

/// The variable holding a key file's passphrase.
pub const PASSPHRASE_VARIABLE: &str = "XIANJIE_PASSPHRASE";
/// The variable holding the new passphrase of `keys change-passphrase`.
pub const NEW_PASSPHRASE_VARIABLE: &str = "XIANJIE_NEW_PASSPHRASE";

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
    /// Generate a new key and write it, encrypted under a passphrase, to a file readable only by you.
    New(NewArgs),
    /// Show the id and public key of --key, a key file or a pkcs11: URI (and, if the node knows it, the officer's org and role).
    Show,
    /// Encrypt a plain key file in place under a new passphrase.
    Encrypt(RewriteArgs),
    /// Change the passphrase of an encrypted key file in place.
    ChangePassphrase(ChangePassphraseArgs),
}

/// `xianjie keys new`
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Where to write the key file; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write the key unencrypted (anyone who copies the file has the key).
    #[arg(long)]
    pub plain: bool,
}

/// `xianjie keys encrypt FILE`
#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// The key file to rewrite.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `xianjie keys change-passphrase FILE`
#[derive(Debug, Args)]
pub struct ChangePassphraseArgs {
    /// The encrypted key file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Read the new passphrase from this file descriptor (one line); else
    /// XIANJIE_NEW_PASSPHRASE, else the terminal asks.
    #[arg(long, value_name = "N")]
    pub new_passphrase_fd: Option<u32>,
}

/// The CLI's sources for a key file's passphrase, in order.
pub fn passphrase_sources(fd: Option<u32>) -> PassphraseSources {
    sources("--passphrase-fd", fd, PASSPHRASE_VARIABLE)
}

fn sources(flag: &'static str, fd: Option<u32>, variable: &'static str) -> PassphraseSources {
    PassphraseSources::new(vec![
        PassphraseSource::FileDescriptor { flag, fd },
        PassphraseSource::Environment { variable },
        PassphraseSource::Terminal,
    ])
}

/// Runs a `keys` subcommand.
pub fn execute(context: &Context, args: KeysArgs) -> anyhow::Result<Exit> {
    match args.command {
        KeysCommand::New(new) => execute_new(context, &new),
        KeysCommand::Show => execute_show(context),
        KeysCommand::Encrypt(args) => execute_encrypt(context, &args.file),
        KeysCommand::ChangePassphrase(args) => execute_change_passphrase(context, &args),
    }
}

fn execute_new(context: &Context, args: &NewArgs) -> anyhow::Result<Exit> {
    let key = generate_key();
    let text = if args.plain {
        eprintln!(
            "warning: {} will not be encrypted: anyone who copies it can sign as you; \
             encrypt it later with `xianjie keys encrypt {}`",
            args.out.display(),
            args.out.display()
        );
        KeyFile::to_json(&key)
    } else {
        refuse_existing(&args.out)?;
        let passphrase = context.passphrases.new_passphrase(&args.out)?;
        StoredKey::seal(&key, &passphrase, KdfParams::DEFAULT)?
    };
    file::create_new(&args.out, &text)?;
    let public_key = key.public_key();
    let answer = json!({
        "id": public_key.id().to_hex(),
        "public_key": public_key.to_hex(),
        "file": args.out.display().to_string(),
        "encrypted": !args.plain,
    });
    context.output.emit(&answer, || {
        format!(
            "wrote {}{}\nid          {}\npublic key  {}\n\
             Ask your organisation's admin to register this public key before you sign with it.",
            args.out.display(),
            if args.plain {
                " (not encrypted)"
            } else {
                " (encrypted)"
            },
            public_key.id(),
            public_key
        )
    })?;
    Ok(Exit::Success)
}

/// Refuses before a passphrase is asked for, so nobody types one for nothing.
fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        return Err(xianjie_keyfile::Error::AlreadyExists {
            path: path.to_owned(),
        }
        .into());
    }
    Ok(())
}

fn execute_encrypt(context: &Context, path: &Path) -> anyhow::Result<Exit> {
    let key = match file_key(path)? {
        StoredKey::Plain(key) => key,
        StoredKey::Encrypted(_) => {
            return Err(xianjie_keyfile::Error::AlreadyEncrypted {
                path: path.to_owned(),
            }
            .into())
        }
    };
    let passphrase = context.passphrases.new_passphrase(path)?;
    rewrite_encrypted(path, &key, &passphrase)?;
    report_rewrite(context, path, key.public_key(), "encrypted")
}

fn execute_change_passphrase(
    context: &Context,
    args: &ChangePassphraseArgs,
) -> anyhow::Result<Exit> {
    let path = &args.file;
    let stored = file_key(path)?;
    if !stored.is_encrypted() {
        return Err(xianjie_keyfile::Error::NotEncrypted {
            path: path.to_owned(),
        }
        .into());
    }
    let key = stored
        .unlock(|| context.passphrases.existing(path))
        .with_context(|| format!("cannot unlock {}; it was not changed", path.display()))?;
    let new_sources = sources(
        "--new-passphrase-fd",
        args.new_passphrase_fd,
        NEW_PASSPHRASE_VARIABLE,
    );
    let passphrase = new_sources.new_passphrase(path)?;
    rewrite_encrypted(path, &key, &passphrase)?;
    report_rewrite(context, path, key.public_key(), "passphrase changed")
}

fn file_key(path: &Path) -> anyhow::Result<StoredKey> {
    xianjie_keyfile::read_stored_key(path)
        .with_context(|| format!("cannot use key file {}", path.display()))
}

/// Seals `key`, checks that the new text opens to the same key, then
/// replaces `path` with it.
fn rewrite_encrypted(path: &Path, key: &SecretKey, passphrase: &Passphrase) -> anyhow::Result<()> {
    let text = StoredKey::seal(key, passphrase, KdfParams::DEFAULT)?;
    let reopened = StoredKey::parse(&text)?.unlock(|| Ok(passphrase.clone()))?;
    anyhow::ensure!(
        reopened.public_key() == key.public_key(),
        "the re-encrypted key does not open to the same key; {} was not changed",
        path.display()
    );
    file::replace(path, &text)?;
    Ok(())
}

fn report_rewrite(
    context: &Context,
    path: &Path,
    public_key: PublicKey,
    what: &str,
) -> anyhow::Result<Exit> {
    let answer = json!({
        "id": public_key.id().to_hex(),
        "public_key": public_key.to_hex(),
        "file": path.display().to_string(),
        "encrypted": true,
    });
    context.output.emit(&answer, || {
        format!(
            "{}: {what}\nid          {}",
            path.display(),
            public_key.id()
        )
    })?;
    Ok(Exit::Success)
}

fn execute_show(context: &Context) -> anyhow::Result<Exit> {
    let public_key = context.load_key()?.public_key();
    let answer = json!({ "id": public_key.id().to_hex(), "public_key": public_key.to_hex() });
    // Only the human form asks the node: --json stays a purely local answer.
    context.output.emit(&answer, || {
        format!(
            "id          {}\npublic key  {}\n{}",
            public_key.id(),
            public_key,
            describe_officer(context, &public_key)
        )
    })?;
    Ok(Exit::Success)
}

/// Best effort: what the node says about this key, never an error.
fn describe_officer(context: &Context, public_key: &PublicKey) -> String {
    let client = NodeClient::with_timeouts(
        &context.node_url,
        Duration::from_secs(2),
        Duration::from_secs(5),
    );
    match client.officer(&public_key.id()) {
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
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(seed.as_mut());
    SecretKey::from_bytes(&seed)
}

/// Reads and, if encrypted, unlocks a key file (refused unless its mode is
/// 0600 or stricter).
pub fn read_key_file(path: &Path, passphrases: &PassphraseSources) -> anyhow::Result<SecretKey> {
    xianjie_keyfile::read_key(path, passphrases)
        .with_context(|| format!("cannot use key file {}", path.display()))
}

/// Opens `--key`: a key file (unlocked if encrypted) or a `pkcs11:` URI
/// (logged in to, and its key checked by one signature).
pub fn open_key(path: &Path, passphrases: &PassphraseSources) -> anyhow::Result<Arc<dyn Signer>> {
    xianjie_keyfile::open_signer(path, passphrases)
        .with_context(|| format!("cannot use key {}", path.display()))
}

/// The public key of a key file of either format, without its passphrase.
pub fn read_public_key(path: &Path) -> anyhow::Result<PublicKey> {
    Ok(file_key(path)?.public_key())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_passphrase() -> PassphraseSources {
        PassphraseSources::new(Vec::new())
    }

    #[test]
    fn plain_key_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("officer.key");
        let key = generate_key();
        file::create_new(&path, &KeyFile::to_json(&key)).unwrap();
        assert_eq!(
            read_key_file(&path, &no_passphrase()).unwrap().public_key(),
            key.public_key()
        );
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(generate_key().public_key(), generate_key().public_key());
    }

    #[test]
    fn garbage_key_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        file::create_new(&path, "{}").unwrap();
        let error = read_key_file(&path, &no_passphrase()).unwrap_err();
        assert!(format!("{error:#}").contains("bad.key"));
    }

    #[test]
    fn an_encrypted_file_without_a_passphrase_source_names_the_options() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.key");
        let passphrase = Passphrase::new("long enough words".into());
        let text = StoredKey::seal(&generate_key(), &passphrase, KdfParams::MINIMUM).unwrap();
        file::create_new(&path, &text).unwrap();
        // Without the terminal source: a developer's test run may have one.
        let sources = PassphraseSources::new(vec![
            PassphraseSource::FileDescriptor {
                flag: "--passphrase-fd",
                fd: None,
            },
            PassphraseSource::Environment {
                variable: "XIANJIE_TEST_UNSET_PASSPHRASE",
            },
        ]);
        let error = format!("{:#}", read_key_file(&path, &sources).unwrap_err());
        for option in [
            "--passphrase-fd N",
            "XIANJIE_TEST_UNSET_PASSPHRASE",
            "locked.key",
        ] {
            assert!(error.contains(option), "{option} missing from: {error}");
        }
    }
}
