//! The dev home: a one-validator chain with five demo organisations of
//! Hangzhou (杭州, region 330100) and a key file for every demo officer.
//!
//! ```text
//! HOME/genesis.json                 chain xianjie-dev, written once
//! HOME/keys/<org>-<role>.key        roles officer, officer2, head, admin (mode 0600)
//! HOME/keys/validator.key           the single validator, run by `market`
//! HOME/data/                        the sled store
//! ```
//!
//! The first start creates the keys from the operating system's RNG and then
//! the genesis; later starts only read them. genesis.json is written last
//! and atomically, so an interrupted first start is simply redone.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rand::RngCore as _;
use xianjie_contracts::uscc;
use xianjie_ledger::crypto::{KeyFile, SecretKey};
use xianjie_ledger::genesis::{Genesis, GenesisOfficer, GenesisOrg};
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{Org, OrgKind, OrgLevel, Role};
use xianjie_ledger::params::Params;
use xianjie_ledger::validators::Validator;

use crate::clock::{Clock as _, SystemClock};
use crate::error::{Error, Result};

/// Chain id of the dev chain.
pub const DEV_CHAIN_ID: &str = "xianjie-dev";
/// Administrative division of every demo organisation: 杭州市.
pub const DEV_REGION: &str = "330100";
/// The organisation that runs the validator.
pub const VALIDATOR_ORG: &str = "market";
/// The officer key files written for each organisation, with their roles.
/// `officer2` exists because many acts legally need two officers.
pub const DEV_ROLES: [(&str, Role); 4] = [
    ("officer", Role::Officer),
    ("officer2", Role::Officer),
    ("head", Role::Head),
    ("admin", Role::Admin),
];

/// A demo organisation: its id, official name, kind, and the parts of a
/// synthetic USCC (registration department and category, then the first
/// eight characters of the organisation code).
struct DemoOrg {
    id: &'static str,
    name: &'static str,
    kind: OrgKind,
    department_and_category: &'static str,
    org_code_body: &'static str,
}

/// `11` is 机构编制/机关 (state organs), `12` 机构编制/事业单位 (public
/// institutions such as the testing institute). The organisation codes are
/// synthetic: they follow the format but belong to no real institution.
const DEMO_ORGS: [DemoOrg; 7] = [
    DemoOrg {
        id: "market",
        name: "杭州市市场监督管理局",
        kind: OrgKind::AdministrativeAgency,
        department_and_category: "11",
        org_code_body: "00201001",
    },
    DemoOrg {
        id: "police",
        name: "杭州市公安局",
        kind: OrgKind::Police,
        department_and_category: "11",
        org_code_body: "00201002",
    },
    DemoOrg {
        id: "procuratorate",
        name: "杭州市人民检察院",
        kind: OrgKind::Procuratorate,
        department_and_category: "11",
        org_code_body: "00201003",
    },
    DemoOrg {
        id: "court",
        name: "杭州市中级人民法院",
        kind: OrgKind::Court,
        department_and_category: "11",
        org_code_body: "00201004",
    },
    DemoOrg {
        id: "lab",
        name: "杭州市质量技术监督检测院",
        kind: OrgKind::TestingBody,
        department_and_category: "12",
        org_code_body: "40201005",
    },
    // The people's government that leads the linkage work (GOV_SUPERIOR):
    // reads the region's statistics and flags, publishes bulletins.
    DemoOrg {
        id: "government",
        name: "杭州市人民政府",
        kind: OrgKind::GovernmentOffice,
        department_and_category: "11",
        org_code_body: "00201006",
    },
    // A second agency, so that clues can go from agency to agency
    // (docs/clue.md): the market regulator forwards an illegal discharge
    // reported on the 12345 hotline to the environment bureau.
    DemoOrg {
        id: "environment",
        name: "杭州市生态环境局",
        kind: OrgKind::AdministrativeAgency,
        department_and_category: "11",
        org_code_body: "00201007",
    },
];

/// The files of a dev home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevHome {
    root: PathBuf,
}

/// What a node needs from its home to start.
#[derive(Debug)]
pub struct DevSetup {
    /// The genesis document.
    pub genesis: Genesis,
    /// The validator's signing key.
    pub validator_key: SecretKey,
    /// Whether this start created the home.
    pub created: bool,
}

impl DevHome {
    /// A dev home rooted at `root` (not touched until [`DevHome::prepare`]).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DevHome { root: root.into() }
    }

    /// The home directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `HOME/genesis.json`.
    pub fn genesis_path(&self) -> PathBuf {
        self.root.join("genesis.json")
    }

    /// `HOME/keys`.
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// `HOME/data`, the sled store.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// `HOME/keys/<org>-<role>.key`.
    pub fn officer_key_path(&self, org: &str, role: &str) -> PathBuf {
        self.keys_dir().join(format!("{org}-{role}.key"))
    }

    /// `HOME/keys/person.salt`: the demo organisations' shared salt for the
    /// subject hashes of natural persons (docs/clue.md §3), which stays off
    /// chain.
    pub fn person_salt_path(&self) -> PathBuf {
        self.keys_dir().join("person.salt")
    }

    /// `HOME/keys/validator.key`.
    pub fn validator_key_path(&self) -> PathBuf {
        self.keys_dir().join("validator.key")
    }

    /// Reads a demo officer's key, e.g. `("police", "officer2")`.
    pub fn officer_key(&self, org: &str, role: &str) -> Result<SecretKey> {
        read_key_file(&self.officer_key_path(org, role))
    }

    /// Loads the home, creating the keys and the genesis on the first start.
    pub fn prepare(&self) -> Result<DevSetup> {
        let genesis_path = self.genesis_path();
        if genesis_path.exists() {
            let text =
                fs::read_to_string(&genesis_path).map_err(Error::io("reading", &genesis_path))?;
            let genesis = Genesis::from_json(&text)?;
            let validator_key = read_key_file(&self.validator_key_path())?;
            return Ok(DevSetup {
                genesis,
                validator_key,
                created: false,
            });
        }
        let (genesis, validator_key) = self.create()?;
        Ok(DevSetup {
            genesis,
            validator_key,
            created: true,
        })
    }

    fn create(&self) -> Result<(Genesis, SecretKey)> {
        let keys_dir = self.keys_dir();
        let orgs = demo_orgs(&keys_dir)?;
        let validator_key = new_key_file(&self.validator_key_path())?;
        let genesis = Genesis {
            chain_id: DEV_CHAIN_ID.to_owned(),
            genesis_time_ms: SystemClock.now_ms(),
            orgs,
            validators: vec![Validator {
                public_key: validator_key.public_key(),
                power: 1,
                org: demo_org_id(VALIDATOR_ORG),
            }],
            params: Params::default(),
            threshold_rules: xianjie_ledger::supervision::default_threshold_rules(),
        };
        genesis.validate()?;
        write_person_salt(&self.person_salt_path())?;
        write_atomically(&self.genesis_path(), genesis.to_json().as_bytes())?;
        Ok((genesis, validator_key))
    }
}

/// The ids of the demo organisations, in genesis order.
pub fn demo_org_ids() -> impl Iterator<Item = &'static str> {
    DEMO_ORGS.iter().map(|demo| demo.id)
}

/// Creates `keys_dir` (mode 0700) with a key file `<org>-<role>.key` per demo
/// officer, and returns the demo organisations with those officers.
pub fn demo_orgs(keys_dir: &Path) -> Result<Vec<GenesisOrg>> {
    fs::create_dir_all(keys_dir).map_err(Error::io("creating", keys_dir))?;
    restrict_to_owner(keys_dir, 0o700)?;
    let mut orgs = Vec::with_capacity(DEMO_ORGS.len());
    for demo in &DEMO_ORGS {
        let mut officers = Vec::with_capacity(DEV_ROLES.len());
        for (role_name, role) in DEV_ROLES {
            let path = keys_dir.join(format!("{}-{role_name}.key", demo.id));
            let key = new_key_file(&path)?;
            officers.push(GenesisOfficer {
                public_key: key.public_key(),
                role,
            });
        }
        orgs.push(GenesisOrg {
            org: demo.org(),
            officers,
        });
    }
    Ok(orgs)
}

impl DemoOrg {
    fn org(&self) -> Org {
        Org {
            id: demo_org_id(self.id),
            name: self.name.to_owned(),
            kind: self.kind,
            uscc: self.uscc(),
            region: DEV_REGION.to_owned(),
            level: OrgLevel::Prefecture,
        }
    }

    /// Department and category, the registering region, the nine-character
    /// organisation code, then the GB 32100 check character (DOMAIN §h).
    fn uscc(&self) -> String {
        let org_code_check = org_code_check_character(self.org_code_body);
        let first17 = format!(
            "{}{DEV_REGION}{}{org_code_check}",
            self.department_and_category, self.org_code_body
        );
        let check =
            uscc::check_character(&first17).expect("demo USCC bodies use only the code alphabet");
        format!("{first17}{check}")
    }
}

/// A demo organisation's id (the demo ids are valid).
pub fn demo_org_id(id: &str) -> OrgId {
    OrgId::new(id).expect("demo organisation ids are valid")
}

/// The GB 11714 check character of an eight-character organisation code body
/// (DOMAIN §h.3). Only plausibility depends on it: the chain soft-checks it.
fn org_code_check_character(body: &str) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, weight)| c.to_digit(36).expect("demo codes are alphanumeric") * weight)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        digit => char::from_digit(digit, 10).expect("a remainder below 10 is a digit"),
    }
}

/// Draws a key from the OS RNG and writes its key file with mode 0600.
pub fn new_key_file(path: &Path) -> Result<SecretKey> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = SecretKey::from_bytes(&seed);
    seed.fill(0);
    write_private_file(path, KeyFile::to_json(&key).as_bytes())?;
    Ok(key)
}

/// Writes a fresh random person salt (64 hex characters), readable only by
/// its owner.
fn write_person_salt(path: &Path) -> Result<()> {
    let mut salt = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let text: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    salt.fill(0);
    write_private_file(path, format!("{text}\n").as_bytes())
}

pub(crate) fn read_key_file(path: &Path) -> Result<SecretKey> {
    let text = fs::read_to_string(path).map_err(Error::io("reading", path))?;
    KeyFile::parse(&text).map_err(|source| Error::KeyFile {
        path: path.to_owned(),
        source,
    })
}

/// Writes a secret file readable only by its owner. An existing file (left
/// by an interrupted first start) is replaced.
fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(Error::io("creating", path))?;
    // The mode above applies only to new files; tighten a replaced one too.
    restrict_to_owner(path, 0o600)?;
    file.write_all(bytes).map_err(Error::io("writing", path))?;
    file.sync_all().map_err(Error::io("syncing", path))
}

/// Sets `path`'s permission bits to `mode` (0600 for a key file, 0700 for
/// its directory).
#[cfg(unix)]
pub fn restrict_to_owner(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(Error::io("restricting", path))
}

#[cfg(not(unix))]
pub fn restrict_to_owner(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Writes through a temporary file and a rename, so readers see the whole
/// file or none of it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension("json.partial");
    let mut file = fs::File::create(&temporary).map_err(Error::io("creating", &temporary))?;
    file.write_all(bytes)
        .map_err(Error::io("writing", &temporary))?;
    file.sync_all().map_err(Error::io("syncing", &temporary))?;
    fs::rename(&temporary, path).map_err(Error::io("renaming", &temporary))
}

/// A dev-chain anchor signed by `key`, naming `colleague` as second
/// collector, who co-signs it, for the unit tests of the node and its tools.
pub fn test_anchor(
    key: &xianjie_ledger::crypto::SecretKey,
    colleague: &xianjie_ledger::crypto::SecretKey,
    seed: u8,
    capture_tool: &str,
) -> xianjie_ledger::tx::SignedTx {
    use xianjie_ledger::model::{EvidenceAnchor, EvidenceCategory};
    use xianjie_ledger::tx::{Call, Tx};
    let signer = key.public_key().id();
    let mut anchor = EvidenceAnchor {
        digest: xianjie_ledger::Hash([seed; 32]),
        size: 10,
        media_type: "text/plain".into(),
        category: EvidenceCategory::Documentary,
        case_id: None,
        collected_at: 1_700_000_000,
        collected_by: vec![signer, colleague.public_key().id()],
        capture_method: "download".into(),
        capture_tool: capture_tool.into(),
        provenance_note_digest: None,
        supersedes: None,
        co_signatures: Vec::new(),
    };
    anchor.co_sign(DEV_CHAIN_ID, &signer, colleague);
    Tx {
        chain_id: DEV_CHAIN_ID.into(),
        signer: key.public_key(),
        nonce: u64::from(seed),
        valid_until: 1_000,
        call: Call::AnchorEvidence(anchor),
    }
    .sign(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_usccs_pass_the_gb32100_checksum() {
        for demo in &DEMO_ORGS {
            let code = demo.uscc();
            assert_eq!(code.len(), 18, "{code}");
            assert_eq!(&code[2..8], DEV_REGION);
            assert_eq!(uscc::validate(&code).unwrap(), code);
        }
        assert!(DEMO_ORGS[4].uscc().starts_with("12"));
    }

    #[test]
    fn org_code_check_matches_gb11714_example() {
        // Worked example: D2143569 -> weights give 3*13+7*2+9*1+10*4+5*3+8*5+4*6+2*9 = 199,
        // 199 mod 11 = 1, 11 - 1 = 10 -> 'X'.
        assert_eq!(org_code_check_character("D2143569"), 'X');
    }

    #[test]
    fn first_start_creates_keys_and_genesis_later_starts_reuse_them() {
        let dir = tempfile::tempdir().unwrap();
        let home = DevHome::new(dir.path().join("home"));
        let first = home.prepare().unwrap();
        assert!(first.created);
        assert_eq!(first.genesis.chain_id, DEV_CHAIN_ID);
        assert_eq!(first.genesis.orgs.len(), 7);
        let salt = fs::read_to_string(home.person_salt_path()).unwrap();
        assert!(
            xianjie_ledger::Hash::from_hex(salt.trim()).is_ok(),
            "{salt}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(home.person_salt_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(first.genesis.orgs.iter().all(|o| o.officers.len() == 4));
        let again = home.prepare().unwrap();
        assert!(!again.created);
        assert_eq!(again.genesis.hash(), first.genesis.hash());
        assert_eq!(
            again.validator_key.public_key(),
            first.validator_key.public_key()
        );
        let officer = home.officer_key("lab", "officer2").unwrap();
        let lab = &first.genesis.orgs[4];
        assert_eq!(lab.officers[1].public_key, officer.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(home.validator_key_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
