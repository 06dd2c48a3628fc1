//! The encrypted key file, version 1 (`docs/keyfile.md` specifies it byte
//! for byte).
//!
//! The passphrase is stretched by Argon2id (parameters and salt in the
//! file) into a 32-byte key; XChaCha20-Poly1305 seals the 32-byte ed25519
//! seed under it, with every header field as associated data, so that a
//! changed header (a lowered cost, another public key) fails to decrypt
//! instead of being believed. The 24-byte random nonce of XChaCha20 makes a
//! collision negligible even though each passphrase change reuses nothing
//! but the passphrase.

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use xianjie_ledger::crypto::{KeyId, PublicKey, SecretKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::passphrase::Passphrase;

/// The `type` field of an encrypted key file.
pub const ENCRYPTED_KEY_FILE_TYPE: &str = "xianjie-ed25519-encrypted-key";
/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u64 = 1;
/// The only key derivation function of version 1.
pub const KDF_NAME: &str = "argon2id";
/// The only cipher of version 1.
pub const CIPHER_NAME: &str = "xchacha20poly1305";
/// Bytes of salt written (16..=64 are read).
pub const SALT_LEN: usize = 16;
/// Bytes of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of the sealed seed: 32 of seed, 16 of Poly1305 tag.
pub const CIPHERTEXT_LEN: usize = 32 + 16;

const SALT_LEN_BOUNDS: (u64, u64) = (16, 64);
/// OWASP's minimum for Argon2id (19 MiB, 2 passes) up to 1 GiB: more memory
/// than that would let a hostile file exhaust a small host's memory.
const M_COST_KIB_BOUNDS: (u64, u64) = (19 * 1024, 1024 * 1024);
/// Two passes (OWASP's minimum at 19 MiB) up to 16: beyond that a file
/// could make an unlock take minutes.
const T_COST_BOUNDS: (u64, u64) = (2, 16);
/// Lanes: this implementation computes them one after the other, so more
/// lanes only cost time.
const P_COST_BOUNDS: (u64, u64) = (1, 16);

/// Argon2id's cost parameters, stored in every file so that new files can
/// use higher ones while old files still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// What new files use: 64 MiB and 3 passes, one lane (RFC 9106's second
    /// recommendation with one lane; well above OWASP's minimum). About a
    /// quarter of a second on one core of the development machine
    /// (BENCHMARKS.md).
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// OWASP's minimum (19 MiB, 2 passes, 1 lane): the cheapest parameters
    /// a file may carry. Tests use it to stay quick.
    pub const MINIMUM: KdfParams = KdfParams {
        m_cost_kib: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };

    /// Refuses parameters outside the accepted bounds (before any memory is
    /// allocated for them).
    pub fn check(&self) -> Result<()> {
        check_bound("m_cost_kib", self.m_cost_kib.into(), M_COST_KIB_BOUNDS)?;
        check_bound("t_cost", self.t_cost.into(), T_COST_BOUNDS)?;
        check_bound("p_cost", self.p_cost.into(), P_COST_BOUNDS)
    }

    /// The cipher key for `passphrase` and `salt`.
    pub fn derive_key(&self, passphrase: &Passphrase, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        self.check()?;
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|error| Error::malformed(format!("Argon2 parameters: {error}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
            .map_err(|error| Error::malformed(format!("Argon2: {error}")))?;
        Ok(key)
    }
}

// New files never use less than OWASP's minimum (checked when compiling).
const _: () = assert!(
    KdfParams::DEFAULT.m_cost_kib >= KdfParams::MINIMUM.m_cost_kib
        && KdfParams::DEFAULT.t_cost >= KdfParams::MINIMUM.t_cost
);

fn check_bound(name: &'static str, value: u64, (min, max): (u64, u64)) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::ParameterOutOfBounds {
            name,
            value,
            min,
            max,
        })
    }
}

/// An encrypted key file, parsed (nothing decrypted yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedKeyFile {
    /// The key's public half, readable without the passphrase.
    pub public_key: PublicKey,
    /// Argon2id's costs.
    pub kdf: KdfParams,
    /// Argon2id's salt.
    pub salt: Vec<u8>,
    /// XChaCha20-Poly1305's nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The sealed seed and its tag.
    pub ciphertext: Vec<u8>,
}

impl EncryptedKeyFile {
    /// Seals `key` under `passphrase` with a fresh random salt and nonce.
    pub fn seal(key: &SecretKey, passphrase: &Passphrase, kdf: KdfParams) -> Result<Self> {
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        Self::seal_with(key, passphrase, kdf, &salt, nonce)
    }

    /// Seals `key` with the given salt and nonce. Only for reproducible
    /// examples and tests: a real file needs fresh random ones ([`Self::seal`]).
    pub fn seal_with(
        key: &SecretKey,
        passphrase: &Passphrase,
        kdf: KdfParams,
        salt: &[u8],
        nonce: [u8; NONCE_LEN],
    ) -> Result<Self> {
        check_bound("salt length", salt.len() as u64, SALT_LEN_BOUNDS)?;
        let mut file = EncryptedKeyFile {
            public_key: key.public_key(),
            kdf,
            salt: salt.to_vec(),
            nonce,
            ciphertext: Vec::new(),
        };
        let cipher_key = kdf.derive_key(passphrase, salt)?;
        let seed = Zeroizing::new(key.to_bytes());
        let aad = file.associated_data();
        file.ciphertext = XChaCha20Poly1305::new(cipher_key.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: seed.as_ref(),
                    aad: &aad,
                },
            )
            .map_err(|_| Error::malformed("encryption failed"))?;
        Ok(file)
    }

    /// Decrypts the seed and checks that it belongs to `public_key`.
    pub fn open(&self, passphrase: &Passphrase) -> Result<SecretKey> {
        let cipher_key = self.kdf.derive_key(passphrase, &self.salt)?;
        let aad = self.associated_data();
        let plaintext = Zeroizing::new(
            XChaCha20Poly1305::new(cipher_key.as_ref().into())
                .decrypt(
                    XNonce::from_slice(&self.nonce),
                    Payload {
                        msg: &self.ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| Error::WrongPassphraseOrDamaged)?,
        );
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            plaintext
                .as_slice()
                .try_into()
                .map_err(|_| Error::malformed("the sealed seed is not 32 bytes"))?,
        );
        let key = SecretKey::from_bytes(&seed);
        if key.public_key() != self.public_key {
            return Err(Error::PublicKeyMismatch);
        }
        Ok(key)
    }

    /// The associated data: one `name=value` line per header field, in a
    /// fixed order, each ending in `\n`; hex in lower case, numbers in
    /// decimal (docs/keyfile.md, "Associated data").
    pub fn associated_data(&self) -> Vec<u8> {
        let fields = [
            ("type", ENCRYPTED_KEY_FILE_TYPE.to_owned()),
            ("version", FORMAT_VERSION.to_string()),
            ("public_key", self.public_key.to_hex()),
            ("id", self.public_key.id().to_hex()),
            ("kdf.name", KDF_NAME.to_owned()),
            ("kdf.m_cost_kib", self.kdf.m_cost_kib.to_string()),
            ("kdf.t_cost", self.kdf.t_cost.to_string()),
            ("kdf.p_cost", self.kdf.p_cost.to_string()),
            ("kdf.salt", hex::encode(&self.salt)),
            ("cipher.name", CIPHER_NAME.to_owned()),
            ("cipher.nonce", hex::encode(self.nonce)),
        ];
        let mut text = String::new();
        for (name, value) in fields {
            text.push_str(name);
            text.push('=');
            text.push_str(&value);
            text.push('\n');
        }
        text.into_bytes()
    }

    /// The file's text: pretty JSON, fields in the documented order, a
    /// final newline.
    pub fn to_json(&self) -> String {
        let json = Json {
            kind: ENCRYPTED_KEY_FILE_TYPE.to_owned(),
            version: FORMAT_VERSION,
            public_key: self.public_key.to_hex(),
            id: self.public_key.id().to_hex(),
            kdf: KdfJson {
                name: KDF_NAME.to_owned(),
                m_cost_kib: self.kdf.m_cost_kib,
                t_cost: self.kdf.t_cost,
                p_cost: self.kdf.p_cost,
                salt: hex::encode(&self.salt),
            },
            cipher: CipherJson {
                name: CIPHER_NAME.to_owned(),
                nonce: hex::encode(self.nonce),
            },
            ciphertext: hex::encode(&self.ciphertext),
        };
        // Strings and integers always serialise.
        serde_json::to_string_pretty(&json).expect("key file serialises") + "\n"
    }

    /// Parses and checks the header (names, version, lengths, bounds, the
    /// id against the public key); decrypts nothing.
    pub fn parse(text: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| Error::malformed(format!("not JSON: {error}")))?;
        // Type and version first: a later version may have other fields.
        let kind = value.get("type").and_then(serde_json::Value::as_str);
        if kind != Some(ENCRYPTED_KEY_FILE_TYPE) {
            return Err(Error::malformed(format!(
                "type is {kind:?}, expected {ENCRYPTED_KEY_FILE_TYPE:?}"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            Some(version) => {
                return Err(Error::UnsupportedVersion {
                    version,
                    supported: FORMAT_VERSION,
                })
            }
            None => return Err(Error::malformed("version must be a whole number")),
        }
        let json: Json = serde_json::from_value(value)
            .map_err(|error| Error::malformed(format!("not an encrypted key file: {error}")))?;
        expect_name("kdf.name", &json.kdf.name, KDF_NAME)?;
        expect_name("cipher.name", &json.cipher.name, CIPHER_NAME)?;
        let public_key = PublicKey::from_hex(&json.public_key)
            .map_err(|_| Error::malformed("public_key must be 64 hex characters"))?;
        let id = KeyId::from_hex(&json.id)
            .map_err(|_| Error::malformed("id must be 40 hex characters"))?;
        if id != public_key.id() {
            return Err(Error::malformed("id is not the id of public_key"));
        }
        let kdf = KdfParams {
            m_cost_kib: json.kdf.m_cost_kib,
            t_cost: json.kdf.t_cost,
            p_cost: json.kdf.p_cost,
        };
        kdf.check()?;
        let salt = decode_hex("kdf.salt", &json.kdf.salt)?;
        check_bound("salt length", salt.len() as u64, SALT_LEN_BOUNDS)?;
        let nonce = decode_hex("cipher.nonce", &json.cipher.nonce)?
            .try_into()
            .map_err(|_| Error::malformed(format!("cipher.nonce must be {NONCE_LEN} bytes")))?;
        let ciphertext = decode_hex("ciphertext", &json.ciphertext)?;
        if ciphertext.len() != CIPHERTEXT_LEN {
            return Err(Error::malformed(format!(
                "ciphertext must be {CIPHERTEXT_LEN} bytes, not {}",
                ciphertext.len()
            )));
        }
        Ok(EncryptedKeyFile {
            public_key,
            kdf,
            salt,
            nonce,
            ciphertext,
        })
    }
}

fn expect_name(field: &str, found: &str, expected: &str) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::malformed(format!(
            "{field} is {found:?}; version 1 knows only {expected:?}"
        )))
    }
}

fn decode_hex(field: &str, text: &str) -> Result<Vec<u8>> {
    hex::decode(text).map_err(|_| Error::malformed(format!("{field} is not hex")))
}

/// The JSON layout; field order here is the order written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Json {
    #[serde(rename = "type")]
    kind: String,
    version: u64,
    public_key: String,
    id: String,
    kdf: KdfJson,
    cipher: CipherJson,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfJson {
    name: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CipherJson {
    name: String,
    nonce: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passphrase(text: &str) -> Passphrase {
        Passphrase::new(text.to_owned())
    }

    fn sealed() -> (SecretKey, EncryptedKeyFile) {
        let key = SecretKey::from_bytes(&[7u8; 32]);
        let file =
            EncryptedKeyFile::seal(&key, &passphrase("correct horse"), KdfParams::MINIMUM).unwrap();
        (key, file)
    }

    #[test]
    fn sealed_key_opens_with_its_passphrase_after_a_text_round_trip() {
        let (key, file) = sealed();
        let parsed = EncryptedKeyFile::parse(&file.to_json()).unwrap();
        assert_eq!(parsed, file);
        let opened = parsed.open(&passphrase("correct horse")).unwrap();
        assert_eq!(opened.to_bytes(), key.to_bytes());
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let (_, file) = sealed();
        assert!(matches!(
            file.open(&passphrase("correct horsE")),
            Err(Error::WrongPassphraseOrDamaged)
        ));
    }

    #[test]
    fn every_header_field_is_bound_to_the_ciphertext() {
        let (_, file) = sealed();
        let other_key = SecretKey::from_bytes(&[8u8; 32]).public_key();
        let mut tampered = Vec::new();
        let mut changed = file.clone();
        changed.public_key = other_key;
        tampered.push(("public_key", changed));
        let mut changed = file.clone();
        changed.kdf.t_cost += 1;
        tampered.push(("t_cost", changed));
        let mut changed = file.clone();
        changed.kdf.m_cost_kib += 1;
        tampered.push(("m_cost_kib", changed));
        let mut changed = file.clone();
        changed.salt[0] ^= 1;
        tampered.push(("salt", changed));
        let mut changed = file.clone();
        changed.nonce[0] ^= 1;
        tampered.push(("nonce", changed));
        let mut changed = file.clone();
        changed.ciphertext[0] ^= 1;
        tampered.push(("ciphertext", changed));
        for (what, changed) in tampered {
            assert!(
                matches!(
                    changed.open(&passphrase("correct horse")),
                    Err(Error::WrongPassphraseOrDamaged)
                ),
                "a changed {what} still decrypts"
            );
        }
    }

    #[test]
    fn associated_data_names_every_header_field() {
        let (_, file) = sealed();
        let text = String::from_utf8(file.associated_data()).unwrap();
        let names: Vec<&str> = text
            .lines()
            .map(|line| line.split_once('=').unwrap().0)
            .collect();
        assert_eq!(
            names,
            [
                "type",
                "version",
                "public_key",
                "id",
                "kdf.name",
                "kdf.m_cost_kib",
                "kdf.t_cost",
                "kdf.p_cost",
                "kdf.salt",
                "cipher.name",
                "cipher.nonce"
            ]
        );
        assert!(text.ends_with('\n'));
    }

    fn edit(file: &EncryptedKeyFile, edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut json: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
        edit(&mut json);
        json.to_string()
    }

    #[test]
    fn absurd_parameters_are_refused_before_any_memory_is_spent() {
        let (_, file) = sealed();
        for (field, value) in [
            ("m_cost_kib", 4 * 1024 * 1024),
            ("m_cost_kib", 8),
            ("t_cost", 1_000_000),
            ("t_cost", 1),
            ("p_cost", 0),
            ("p_cost", 255),
        ] {
            let text = edit(&file, |json| json["kdf"][field] = value.into());
            assert!(
                matches!(
                    EncryptedKeyFile::parse(&text),
                    Err(Error::ParameterOutOfBounds { .. })
                ),
                "{field} = {value} was accepted"
            );
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        let (_, file) = sealed();
        let other_id = SecretKey::from_bytes(&[9u8; 32]).public_key().id().to_hex();
        let cases: Vec<(&str, String)> = vec![
            ("version", edit(&file, |j| j["version"] = 2.into())),
            (
                "type",
                edit(&file, |j| j["type"] = "xianjie-ed25519-secret-key".into()),
            ),
            (
                "kdf.name",
                edit(&file, |j| j["kdf"]["name"] = "argon2i".into()),
            ),
            (
                "cipher.name",
                edit(&file, |j| j["cipher"]["name"] = "aes-256-gcm".into()),
            ),
            ("id", edit(&file, |j| j["id"] = other_id.clone().into())),
            (
                "nonce length",
                edit(&file, |j| j["cipher"]["nonce"] = "00".into()),
            ),
            (
                "salt length",
                edit(&file, |j| j["kdf"]["salt"] = "0011".into()),
            ),
            (
                "ciphertext length",
                edit(&file, |j| j["ciphertext"] = "00".into()),
            ),
            ("unknown field", edit(&file, |j| j["comment"] = "hi".into())),
        ];
        for (what, text) in cases {
            assert!(EncryptedKeyFile::parse(&text).is_err(), "{what} accepted");
        }
        assert!(matches!(
            EncryptedKeyFile::parse(&edit(&file, |j| j["version"] = 2.into())),
            Err(Error::UnsupportedVersion { version: 2, .. })
        ));
    }

    #[test]
    fn a_seed_of_another_key_is_refused_after_decryption() {
        // Seal key A's seed under key B's public key: the AEAD accepts it
        // (the header is what was sealed), the public key check does not.
        let passphrase = passphrase("correct horse");
        let key_a = SecretKey::from_bytes(&[1u8; 32]);
        let key_b = SecretKey::from_bytes(&[2u8; 32]);
        let mut file = EncryptedKeyFile::seal(&key_a, &passphrase, KdfParams::MINIMUM).unwrap();
        file.public_key = key_b.public_key();
        let cipher_key = file.kdf.derive_key(&passphrase, &file.salt).unwrap();
        let aad = file.associated_data();
        file.ciphertext = XChaCha20Poly1305::new(cipher_key.as_ref().into())
            .encrypt(
                XNonce::from_slice(&file.nonce),
                Payload {
                    msg: &key_a.to_bytes(),
                    aad: &aad,
                },
            )
            .unwrap();
        assert!(matches!(
            file.open(&passphrase),
            Err(Error::PublicKeyMismatch)
        ));
    }

    #[test]
    fn default_and_minimum_parameters_are_within_bounds() {
        KdfParams::DEFAULT.check().unwrap();
        KdfParams::MINIMUM.check().unwrap();
    }
}
