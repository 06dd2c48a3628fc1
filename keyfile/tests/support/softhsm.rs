//! A SoftHSM2 token directory for tests: its own `softhsm2.conf`, tokens
//! initialised with `softhsm2-util`, keys generated inside the token with
//! cryptoki. Shared by the keyfile tests and the end-to-end tests (which
//! include this file), so that both set a token up the same way.
//!
//! A PKCS#11 module reads its configuration once per process, so each test
//! process has one token directory ([`SoftHsm::get`]), set up before the
//! module is first used; tests tell their keys apart by label.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

/// The module Debian's `softhsm2` package installs.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// `softhsm2-util`, from the same package.
pub const UTIL: &str = "/usr/bin/softhsm2-util";
/// The user PIN of every test token.
pub const USER_PIN: &str = "1234";
/// The security officer's PIN of every test token.
pub const SO_PIN: &str = "5678";
/// The token holding the test keys.
pub const TOKEN: &str = "xianjie-test";
/// A second token: the keyfile tests never log in to it with the right PIN
/// (login is per process and token, so a wrong PIN is only refused on a
/// token this process is not yet logged in to); the end-to-end tests use it
/// where no other test of theirs logs in.
pub const PIN_TOKEN: &str = "xianjie-pin-test";
/// A token holding a validator's consensus key alone: a node logs in to it
/// while the CLI logs in to [`TOKEN`], and SoftHSM2 rewrites a token's
/// state file at login, so two processes are kept off one token.
pub const VALIDATOR_TOKEN: &str = "xianjie-validator-test";
/// DER of the OID 1.3.101.112 (Ed25519), the CKA_EC_PARAMS of an Edwards key.
pub const ED25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// DER of the OID 1.2.840.10045.3.1.7 (NIST P-256).
pub const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// The test process's token directory.
pub struct SoftHsm {
    /// The directory holding `softhsm2.conf`, `tokens/` and the PIN file.
    pub dir: PathBuf,
    /// `softhsm2.conf`, for `SOFTHSM2_CONF` of spawned programs.
    pub conf: PathBuf,
    /// A file (mode 0600) whose first line is [`USER_PIN`].
    pub pin_file: PathBuf,
}

impl SoftHsm {
    /// Sets up the directory and the tokens once per process; later calls
    /// return the same directory. [`TOKEN`] holds the Ed25519 keys
    /// `officer` and `second` and the P-256 key `p256`, [`PIN_TOKEN`] the
    /// Ed25519 key `officer`, [`VALIDATOR_TOKEN`] the Ed25519 key `validator`.
    pub fn get() -> &'static SoftHsm {
        static HSM: OnceLock<SoftHsm> = OnceLock::new();
        HSM.get_or_init(SoftHsm::create)
    }

    fn create() -> SoftHsm {
        for path in [MODULE, UTIL] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install SoftHSM2 with `apt-get install softhsm2` \
                 (scripts/test installs it)"
            );
        }
        // Kept for the whole process: spawned programs use it until the end.
        let dir = tempfile::Builder::new()
            .prefix("xianjie-softhsm")
            .tempdir()
            .expect("a temporary directory")
            .keep();
        let tokens = dir.join("tokens");
        std::fs::create_dir(&tokens).expect("the token directory");
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .expect("softhsm2.conf");
        // This process loads the module too (the tests sign with it).
        std::env::set_var("SOFTHSM2_CONF", &conf);
        for token in [TOKEN, PIN_TOKEN, VALIDATOR_TOKEN] {
            let output = Command::new(UTIL)
                .env("SOFTHSM2_CONF", &conf)
                .args(["--init-token", "--free", "--label", token])
                .args(["--pin", USER_PIN, "--so-pin", SO_PIN])
                .output()
                .expect("run softhsm2-util");
            assert!(
                output.status.success(),
                "softhsm2-util --init-token failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let pin_file = dir.join("pin");
        write_private(&pin_file, &format!("{USER_PIN}\n"));
        generate(TOKEN, &["officer", "second"], &["p256"]);
        generate(PIN_TOKEN, &["officer"], &[]);
        generate(VALIDATOR_TOKEN, &["validator"], &[]);
        SoftHsm {
            dir,
            conf,
            pin_file,
        }
    }

    /// The URI of the key `object` on `token`, with the module and the PIN file.
    pub fn uri(&self, token: &str, object: &str) -> String {
        format!(
            "pkcs11:token={token};object={object}?module-path={MODULE}&pin-source={}",
            self.pin_file.display()
        )
    }
}

/// Writes `text` to a new file readable by its owner only.
pub fn write_private(path: &Path, text: &str) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .expect("a new private file");
    file.write_all(text.as_bytes()).expect("write");
}

/// Generates, inside `token`, an Ed25519 key pair per `ed25519` label and a
/// P-256 key pair per `p256` label, then finalises the module so that the
/// code under test initialises it afresh.
fn generate(token: &str, ed25519: &[&str], p256: &[&str]) {
    let context = Pkcs11::new(MODULE).expect("load SoftHSM2");
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .expect("initialise SoftHSM2");
    let slot = context
        .get_slots_with_token()
        .expect("slots")
        .into_iter()
        .find(|slot| context.get_token_info(*slot).expect("token info").label() == token)
        .expect("the token just initialised");
    {
        let session = context.open_rw_session(slot).expect("a session");
        session
            .login(UserType::User, Some(&AuthPin::from(USER_PIN)))
            .expect("log in");
        let keys = ed25519
            .iter()
            .map(|label| (label, Mechanism::EccEdwardsKeyPairGen, ED25519_PARAMS))
            .chain(
                p256.iter()
                    .map(|label| (label, Mechanism::EccKeyPairGen, P256_PARAMS)),
            );
        for (label, mechanism, params) in keys {
            let label = label.as_bytes().to_vec();
            let public = [
                Attribute::Token(true),
                Attribute::Private(false),
                Attribute::Verify(true),
                Attribute::EcParams(params.to_vec()),
                Attribute::Label(label.clone()),
            ];
            let private = [
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(true),
                Attribute::Label(label),
            ];
            session
                .generate_key_pair(&mechanism, &public, &private)
                .expect("generate a key pair inside the token");
        }
    }
    context.finalize().expect("finalise SoftHSM2");
}
