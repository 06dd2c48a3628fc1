//! Passphrases and where they come from.
//!
//! A program lists its sources in order of preference ([`PassphraseSources`]);
//! the first one that is present gives the passphrase. Sources that can be
//! read only once (a pipe behind a file descriptor) are read once and the
//! passphrase kept for the next key file; the terminal asks again for each
//! file, naming it. No source prints or logs a passphrase.

use std::fmt;
use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Fewest characters a new passphrase may have. Argon2 slows guessing; it
/// cannot save a passphrase that is guessed in a few thousand tries.
pub const MIN_NEW_PASSPHRASE_CHARS: usize = 8;

/// The longest line read as a passphrase, bytes (a bound on what a hostile
/// or wrong file descriptor can make the program hold).
const MAX_PASSPHRASE_BYTES: usize = 4096;

/// The systemd credential a node's passphrase is loaded as (`LoadCredential=`).
pub const NODE_CREDENTIAL_NAME: &str = "xianjie-node-passphrase";

/// A passphrase, wiped from memory when dropped; its bytes are the UTF-8 of
/// the text as entered, without the line's end and without Unicode
/// normalisation.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase's text.
    pub fn new(text: String) -> Self {
        Passphrase(Zeroizing::new(text))
    }

    /// The bytes Argon2id stretches.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Refuses a passphrase too short to be worth encrypting under.
    pub fn check_new(&self) -> Result<()> {
        if self.0.chars().count() < MIN_NEW_PASSPHRASE_CHARS {
            return Err(Error::PassphraseRefused {
                reason: format!(
                    "the new passphrase has fewer than {MIN_NEW_PASSPHRASE_CHARS} characters; choose a longer one \
                     (a few unrelated words are easy to remember and hard to guess)"
                ),
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// One place a passphrase may come from.
#[derive(Debug, Clone)]
pub enum PassphraseSource {
    /// One line read from an open file descriptor (`--passphrase-fd N`).
    FileDescriptor {
        /// The flag, for messages.
        flag: &'static str,
        /// The descriptor, if the flag was given.
        fd: Option<u32>,
    },
    /// The first line of a file readable by its owner only (`--passphrase-file PATH`).
    File {
        /// The flag, for messages.
        flag: &'static str,
        /// The file, if the flag was given.
        path: Option<PathBuf>,
    },
    /// The first line of `$CREDENTIALS_DIRECTORY/NAME`, where systemd puts
    /// a service's `LoadCredential=NAME:…`.
    SystemdCredential {
        /// The credential's name.
        name: &'static str,
    },
    /// An environment variable's whole value.
    Environment {
        /// The variable.
        variable: &'static str,
    },
    /// Typed at the terminal, without echo; only when standard input is a
    /// terminal.
    Terminal,
}

impl PassphraseSource {
    /// How to use this source, for the message that lists them all.
    fn how_to_use(&self) -> String {
        match self {
            PassphraseSource::FileDescriptor { flag, .. } => format!("pass {flag} N"),
            PassphraseSource::File { flag, .. } => format!("pass {flag} PATH"),
            PassphraseSource::SystemdCredential { name } => {
                format!("load the systemd credential {name} (LoadCredential={name}:PATH)")
            }
            PassphraseSource::Environment { variable } => format!("set {variable}"),
            PassphraseSource::Terminal => "run it at a terminal to be asked".to_owned(),
        }
    }

    /// The passphrase, if this source is present; `prompt` is what the
    /// terminal shows.
    fn read(&self, prompt: &str) -> Result<Option<Passphrase>> {
        match self {
            PassphraseSource::FileDescriptor { flag, fd: Some(fd) } => {
                let name = format!("{flag} {fd}");
                read_first_line(&fd_path(*fd), &name).map(Some)
            }
            PassphraseSource::File {
                flag,
                path: Some(path),
            } => {
                crate::file::refuse_if_readable_by_others(path)?;
                read_first_line(path, &format!("{flag} {}", path.display())).map(Some)
            }
            PassphraseSource::SystemdCredential { name } => {
                let Some(directory) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
                    return Ok(None);
                };
                let path = Path::new(&directory).join(name);
                if !path.exists() {
                    return Ok(None);
                }
                read_first_line(&path, &format!("the systemd credential {}", path.display()))
                    .map(Some)
            }
            PassphraseSource::Environment { variable } => match std::env::var(variable) {
                Ok(text) => Ok(Some(Passphrase::new(text))),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => Err(Error::PassphraseUnreadable {
                    source_name: (*variable).to_owned(),
                    reason: "it is not UTF-8".to_owned(),
                }),
            },
            PassphraseSource::Terminal => {
                if !std::io::stdin().is_terminal() {
                    return Ok(None);
                }
                let text = rpassword::prompt_password(prompt).map_err(|error| {
                    Error::PassphraseUnreadable {
                        source_name: "the terminal".to_owned(),
                        reason: error.to_string(),
                    }
                })?;
                Ok(Some(Passphrase::new(text)))
            }
            PassphraseSource::FileDescriptor { fd: None, .. }
            | PassphraseSource::File { path: None, .. } => Ok(None),
        }
    }

    fn is_terminal(&self) -> bool {
        matches!(self, PassphraseSource::Terminal)
    }
}

/// `/dev/fd/N`: opening it reaches descriptor N without unsafe code.
fn fd_path(fd: u32) -> PathBuf {
    PathBuf::from(format!("/dev/fd/{fd}"))
}

/// Reads up to the first `\n` (excluded, as is a `\r` before it), one byte
/// at a time so that nothing after the line is consumed from a pipe.
fn read_first_line(path: &Path, source_name: &str) -> Result<Passphrase> {
    let unreadable = |reason: String| Error::PassphraseUnreadable {
        source_name: source_name.to_owned(),
        reason,
    };
    let mut file = std::fs::File::open(path).map_err(|error| unreadable(error.to_string()))?;
    let mut line = Zeroizing::new(Vec::new());
    let mut byte = [0u8; 1];
    loop {
        match file.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(unreadable(error.to_string())),
        }
        if line.len() > MAX_PASSPHRASE_BYTES {
            return Err(unreadable(format!(
                "the line is longer than {MAX_PASSPHRASE_BYTES} bytes"
            )));
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let text = std::str::from_utf8(&line).map_err(|_| unreadable("it is not UTF-8".to_owned()))?;
    Ok(Passphrase::new(text.to_owned()))
}

/// A program's passphrase sources, in order of preference.
#[derive(Debug)]
pub struct PassphraseSources {
    sources: Vec<PassphraseSource>,
    /// The passphrase a non-terminal source gave, reused for later files.
    remembered: Mutex<Option<Passphrase>>,
}

impl PassphraseSources {
    /// Sources tried in this order.
    pub fn new(sources: Vec<PassphraseSource>) -> Self {
        PassphraseSources {
            sources,
            remembered: Mutex::new(None),
        }
    }

    /// "pass --passphrase-fd N, set XIANJIE_PASSPHRASE or run it at a terminal to be asked".
    pub fn options(&self) -> String {
        let ways: Vec<String> = self
            .sources
            .iter()
            .map(PassphraseSource::how_to_use)
            .collect();
        match ways.split_last() {
            None => "no passphrase source is configured".to_owned(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    /// The passphrase of the existing key file `path`.
    pub fn existing(&self, path: &Path) -> Result<Passphrase> {
        self.first_present(path, &format!("Passphrase for {}: ", path.display()), false)
    }

    /// A new passphrase for `path` (asked twice at a terminal), checked
    /// against [`MIN_NEW_PASSPHRASE_CHARS`].
    pub fn new_passphrase(&self, path: &Path) -> Result<Passphrase> {
        let passphrase = self.first_present(
            path,
            &format!("New passphrase for {}: ", path.display()),
            true,
        )?;
        passphrase.check_new()?;
        Ok(passphrase)
    }

    /// The user PIN of a PKCS#11 token (`what` names it), from the same
    /// sources as a key file's passphrase.
    pub fn pin(&self, what: &str) -> Result<Passphrase> {
        self.first_present(Path::new(what), &format!("PIN of {what}: "), false)
            .map_err(|error| match error {
                Error::NoPassphrase { options, .. } => Error::NoPin {
                    what: what.to_owned(),
                    options,
                },
                other => other,
            })
    }

    fn first_present(&self, path: &Path, prompt: &str, confirm: bool) -> Result<Passphrase> {
        let mut remembered = self
            .remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(passphrase) = remembered.as_ref() {
            return Ok(passphrase.clone());
        }
        for source in &self.sources {
            let Some(passphrase) = source.read(prompt)? else {
                continue;
            };
            if source.is_terminal() {
                if confirm {
                    confirm_at_terminal(&passphrase)?;
                }
            } else {
                *remembered = Some(passphrase.clone());
            }
            return Ok(passphrase);
        }
        Err(Error::NoPassphrase {
            path: path.to_owned(),
            options: self.options(),
        })
    }
}

fn confirm_at_terminal(first: &Passphrase) -> Result<()> {
    let again = PassphraseSource::Terminal
        .read("Repeat the new passphrase: ")?
        .ok_or_else(|| Error::PassphraseUnreadable {
            source_name: "the terminal".to_owned(),
            reason: "it went away".to_owned(),
        })?;
    if again.as_bytes() != first.as_bytes() {
        return Err(Error::PassphraseRefused {
            reason: "the two passphrases differ; nothing was written, run the command again"
                .to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_of_a_file_is_the_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pass");
        std::fs::write(&path, "long enough words\r\nsecond line\n").unwrap();
        let passphrase = read_first_line(&path, "test").unwrap();
        assert_eq!(passphrase.as_bytes(), b"long enough words");
    }

    #[test]
    fn options_list_every_source() {
        let sources = PassphraseSources::new(vec![
            PassphraseSource::FileDescriptor {
                flag: "--passphrase-fd",
                fd: None,
            },
            PassphraseSource::Environment {
                variable: "XIANJIE_TEST_UNSET_VARIABLE",
            },
            PassphraseSource::Terminal,
        ]);
        assert_eq!(
            sources.options(),
            "pass --passphrase-fd N, set XIANJIE_TEST_UNSET_VARIABLE or run it at a terminal to be asked"
        );
    }

    #[test]
    fn short_new_passphrases_are_refused() {
        assert!(Passphrase::new("seven c".into()).check_new().is_err());
        assert!(Passphrase::new("八个字的口令好吗".into())
            .check_new()
            .is_ok());
    }

    #[test]
    fn debug_output_hides_the_passphrase() {
        let text = format!("{:?}", Passphrase::new("hunter22 hunter22".into()));
        assert!(!text.contains("hunter"));
    }
}
