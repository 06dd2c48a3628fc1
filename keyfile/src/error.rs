//! The crate's one error type. Every message names the file and what to do.

use std::path::PathBuf;

/// Why a key file could not be read, unlocked or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `creating`, `renaming` …).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The text is not a key file of either format.
    #[error("not a usable key file: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// An encrypted key file of a version this program does not know.
    #[error(
        "encrypted key file version {version} is not supported (this program reads version {supported}); \
         use a newer xianjie to read it"
    )]
    UnsupportedVersion {
        /// The file's version.
        version: u64,
        /// The version this crate reads and writes.
        supported: u64,
    },
    /// The key derivation's parameters are outside the bounds this program
    /// accepts (too weak to protect the key, or so large that deriving the
    /// key would exhaust memory or time).
    #[error("key derivation parameter {name} = {value} is outside {min}..={max}; the file was not written by xianjie or has been tampered with")]
    ParameterOutOfBounds {
        /// `m_cost_kib`, `t_cost`, `p_cost` or `salt length`.
        name: &'static str,
        /// The file's value.
        value: u64,
        /// The smallest accepted value.
        min: u64,
        /// The largest accepted value.
        max: u64,
    },
    /// Decryption failed: the passphrase is wrong, or the file's header or
    /// ciphertext was changed (the cipher cannot tell which).
    #[error("wrong passphrase, or the key file is damaged (its header or ciphertext was changed)")]
    WrongPassphraseOrDamaged,
    /// The decrypted seed does not belong to the public key in the header.
    #[error(
        "the decrypted secret key does not belong to the file's public_key: the file is damaged"
    )]
    PublicKeyMismatch,
    /// Other users could read the key file.
    #[error(
        "{path} has mode {mode:04o}: other users could read it, so it is refused; \
         run `chmod 600 {path}` (and, if others may have copied it, replace the key)"
    )]
    ReadableByOthers {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is encrypted and no passphrase source is available.
    #[error("{path} is encrypted and no passphrase was given; {options}")]
    NoPassphrase {
        /// The key file.
        path: PathBuf,
        /// The ways to give one, e.g. "pass --passphrase-fd N, set … or run at a terminal".
        options: String,
    },
    /// A new passphrase was refused (too short, or the two entries at the
    /// terminal differ).
    #[error("{reason}")]
    PassphraseRefused {
        /// What to change.
        reason: String,
    },
    /// A passphrase could not be read from its source.
    #[error("cannot read the passphrase from {source_name}: {reason}")]
    PassphraseUnreadable {
        /// The source, e.g. `--passphrase-fd 3`.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// A file that must be new already exists.
    #[error(
        "{path} already exists; refusing to overwrite a key file (choose another path, or move the old file away yourself)"
    )]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// The temporary file of a rewrite already exists.
    #[error(
        "{path} exists, left by an interrupted rewrite of {key_file} or written by one still running; \
         {key_file} itself is intact: once no other `xianjie keys` command runs, remove {path} and run the command again"
    )]
    StaleTemporary {
        /// The temporary file.
        path: PathBuf,
        /// The key file being rewritten.
        key_file: PathBuf,
    },
    /// The key file is already in the format asked for.
    #[error("{path} is already encrypted; to change its passphrase run `xianjie keys change-passphrase {path}`")]
    AlreadyEncrypted {
        /// The file.
        path: PathBuf,
    },
    /// The operation needs an encrypted file and got a plain one.
    #[error("{path} is not encrypted; encrypt it with `xianjie keys encrypt {path}`")]
    NotEncrypted {
        /// The file.
        path: PathBuf,
    },
    /// A `pkcs11:` URI that cannot be used.
    #[error(
        "{uri} is not a usable PKCS#11 key URI: {reason}; write it as \
         pkcs11:token=LABEL;object=LABEL[?module-path=MODULE.so&pin-source=FILE]"
    )]
    Pkcs11Uri {
        /// The URI as given (a PIN in it redacted).
        uri: String,
        /// What is wrong.
        reason: String,
    },
    /// No PKCS#11 module is named.
    #[error(
        "no PKCS#11 module for {uri}: add ?module-path=MODULE.so (the token's library, e.g. \
         {softhsm}) to the URI, or set {variable}",
        softhsm = crate::pkcs11::SOFTHSM2_MODULE,
        variable = crate::pkcs11::MODULE_VARIABLE
    )]
    Pkcs11NoModule {
        /// The key's URI.
        uri: String,
    },
    /// The PKCS#11 module could not be loaded or initialised.
    #[error(
        "cannot load the PKCS#11 module {path}: {reason}; check the path (the token vendor's \
         library; for SoftHSM2 `apt-get install softhsm2` installs {softhsm})",
        softhsm = crate::pkcs11::SOFTHSM2_MODULE
    )]
    Pkcs11Module {
        /// The module.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No token has the URI's label.
    #[error(
        "no PKCS#11 token is labelled {token:?} (tokens present: {present}); plug in the UKey \
         or correct token= in the URI"
    )]
    TokenNotFound {
        /// The label asked for.
        token: String,
        /// The labels of the tokens present, or `none`.
        present: String,
    },
    /// The token refused the PIN.
    #[error(
        "the token {token:?} refused the PIN: check the pin-source file or the PIN given; \
         the token counts wrong PINs and locks itself after a few"
    )]
    WrongPin {
        /// The token's label.
        token: String,
    },
    /// The token has no key with the URI's object label.
    #[error(
        "the token {token:?} has no {kind} key labelled {object:?}; list its objects with \
         `pkcs11-tool --module MODULE.so --token-label {token:?} --login --list-objects`"
    )]
    KeyObjectNotFound {
        /// The token's label.
        token: String,
        /// The object label asked for.
        object: String,
        /// `private` or `public`.
        kind: &'static str,
    },
    /// The token's key is not an Ed25519 key usable with CKM_EDDSA.
    #[error(
        "{key} is not an Ed25519 key this program can sign with: {reason}; xianjie keys are \
         Ed25519 (CKM_EDDSA, curve edwards25519)"
    )]
    NotEd25519 {
        /// The key's URI.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A PKCS#11 call failed.
    #[error("PKCS#11 error {action} {key}: {reason}")]
    Pkcs11 {
        /// The key's URI.
        key: String,
        /// What was being done (`signing with`, `logging in to` …).
        action: &'static str,
        /// The module's error.
        reason: String,
    },
    /// No source gave the PIN of a token.
    #[error("no PIN for {what}: add pin-source=FILE to the key's URI, or {options}")]
    NoPin {
        /// The token.
        what: String,
        /// The ways to give one.
        options: String,
    },
}

impl Error {
    /// An I/O error while `action`ing `path`, for `map_err`.
    pub fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_owned();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Error {
        Error::Malformed {
            reason: reason.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
