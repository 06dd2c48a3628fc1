//! Ed25519 keys that never leave a PKCS#11 token: an officer's UKey, a
//! server's cipher machine, or SoftHSM2 in tests.
//!
//! A key is named by a subset of RFC 7512:
//!
//! ```text
//! pkcs11:token=LABEL;object=LABEL?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=FILE
//! ```
//!
//! `token` is the token's label, `object` the `CKA_LABEL` of the private key
//! and of its public key. Without `module-path` the module is
//! `$XIANJIE_PKCS11_MODULE`. Without `pin-source` (a file whose first line
//! is the user PIN, readable by its owner only) the PIN comes from the
//! program's passphrase sources. A PIN written in the URI (`pin-value`) is
//! refused: URIs end up in shell histories, process lists and logs.
//!
//! Opening a key logs in once, finds the private key, reads the public key
//! from its `CKA_EC_POINT`, and signs one message with `CKM_EDDSA` that
//! [`xianjie_ledger::crypto::verify`] must accept: a token that holds
//! another kind of key, or signs another way, is refused at once instead of
//! putting signatures on chain that nobody can check.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use xianjie_ledger::crypto::{self, PublicKey, Signature};

use crate::error::{Error, Result};
use crate::passphrase::{PassphraseSource, PassphraseSources};
use crate::signer::Signer;

/// What a PKCS#11 URI starts with.
pub const URI_SCHEME: &str = "pkcs11:";
/// The variable naming the PKCS#11 module when a URI has no `module-path`.
pub const MODULE_VARIABLE: &str = "XIANJIE_PKCS11_MODULE";
/// The module Debian's `softhsm2` package installs, for messages.
pub const SOFTHSM2_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// What a key signs once when it is opened, to check it before use.
const SELF_CHECK_MESSAGE: &[u8] = b"xianjie: checking a PKCS#11 key before use";

/// A parsed `pkcs11:` URI (the subset described in the module's docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// The token's label.
    pub token: String,
    /// The key objects' label.
    pub object: String,
    /// The module (`module-path`), if the URI names one.
    pub module_path: Option<PathBuf>,
    /// The file holding the PIN (`pin-source`), if the URI names one.
    pub pin_source: Option<PathBuf>,
}

impl fmt::Display for Pkcs11Uri {
    /// The URI without its query: enough to name the key in messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{URI_SCHEME}token={};object={}",
            self.token.replace('%', "%25").replace(';', "%3B"),
            self.object.replace('%', "%25").replace(';', "%3B")
        )
    }
}

impl Pkcs11Uri {
    /// Parses `pkcs11:token=…;object=…[?module-path=…&pin-source=…]`;
    /// values are percent-decoded.
    pub fn parse(text: &str) -> Result<Pkcs11Uri> {
        let refuse = |reason: String| Error::Pkcs11Uri {
            uri: redact_pin_value(text),
            reason,
        };
        let rest = text
            .strip_prefix(URI_SCHEME)
            .ok_or_else(|| refuse(format!("it does not start with {URI_SCHEME}")))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri {
            token: String::new(),
            object: String::new(),
            module_path: None,
            pin_source: None,
        };
        for (name, value) in attributes(path, ';').map_err(refuse)? {
            let slot = match name.as_str() {
                "token" => &mut uri.token,
                "object" => &mut uri.object,
                "type" if value == "private" => continue,
                "type" => return Err(refuse(format!("type={value}: only type=private (the signing key) is used"))),
                other => {
                    return Err(refuse(format!(
                        "the path attribute {other:?} is not supported; name the key by token and object"
                    )))
                }
            };
            if !slot.is_empty() {
                return Err(refuse(format!("{name} is given twice")));
            }
            *slot = value;
        }
        for (name, value) in attributes(query, '&').map_err(refuse)? {
            let slot = match name.as_str() {
                "module-path" => &mut uri.module_path,
                "pin-source" => &mut uri.pin_source,
                "pin-value" => {
                    return Err(refuse(
                        "a PIN in the URI would end up in shell histories and logs: \
                         put it in a file readable only by you and give pin-source=FILE"
                            .to_owned(),
                    ))
                }
                other => {
                    return Err(refuse(format!(
                        "the query attribute {other:?} is not supported (module-path and pin-source are)"
                    )))
                }
            };
            if slot.is_some() {
                return Err(refuse(format!("{name} is given twice")));
            }
            // RFC 7512's pin-source is a URI; a file: URI or a bare path is read.
            let path = value
                .strip_prefix("file://")
                .or_else(|| value.strip_prefix("file:"));
            *slot = Some(PathBuf::from(path.unwrap_or(&value)));
        }
        for (name, value) in [("token", &uri.token), ("object", &uri.object)] {
            if value.is_empty() {
                return Err(refuse(format!("{name}=LABEL is missing")));
            }
        }
        Ok(uri)
    }

    /// The module to load: `module-path`, else `$XIANJIE_PKCS11_MODULE`.
    pub fn module(&self) -> Result<PathBuf> {
        if let Some(path) = &self.module_path {
            return Ok(path.clone());
        }
        match std::env::var_os(MODULE_VARIABLE) {
            Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
            _ => Err(Error::Pkcs11NoModule {
                uri: self.to_string(),
            }),
        }
    }
}

/// `name=value` pairs separated by `separator`, values percent-decoded.
fn attributes(text: &str, separator: char) -> std::result::Result<Vec<(String, String)>, String> {
    text.split(separator)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not name=value"))?;
            Ok((name.to_owned(), percent_decode(value)?))
        })
        .collect()
}

/// Decodes `%XX` escapes; the result must be UTF-8.
fn percent_decode(text: &str) -> std::result::Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("{text:?} has a % not followed by two hex digits"))?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// The URI as it may be shown: a `pin-value` is replaced.
fn redact_pin_value(text: &str) -> String {
    let Some((head, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some(("pin-value", _)) => "pin-value=<redacted>".to_owned(),
            _ => part.to_owned(),
        })
        .collect();
    format!("{head}?{}", query.join("&"))
}

/// One loaded and initialised module per path: a module is initialised
/// once per process, and every key on its tokens shares it.
fn module_context(path: &Path) -> Result<Pkcs11> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(context) = modules.get(path) {
        return Ok(context.clone());
    }
    let module_error = |error: CkError| Error::Pkcs11Module {
        path: path.to_owned(),
        reason: error.to_string(),
    };
    let context = Pkcs11::new(path).map_err(module_error)?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(error) => return Err(module_error(error)),
    }
    modules.insert(path.to_owned(), context.clone());
    Ok(context)
}

/// A failed PKCS#11 call, for `map_err`.
fn failed<'a>(action: &'static str, uri: &'a Pkcs11Uri) -> impl Fn(CkError) -> Error + 'a {
    move |error| Error::Pkcs11 {
        key: uri.to_string(),
        action,
        reason: error.to_string(),
    }
}

/// The `CKM_EDDSA` mechanism for pure Ed25519 (no context, no prehash).
fn eddsa() -> Mechanism<'static> {
    Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure))
}

/// An Ed25519 key on a PKCS#11 token; one logged-in session, used by one
/// signature at a time.
pub struct Pkcs11Signer {
    uri: Pkcs11Uri,
    session: Mutex<Session>,
    private_key: ObjectHandle,
    public_key: PublicKey,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("key", &self.uri.to_string())
            .field("public_key", &self.public_key)
            .finish()
    }
}

impl Pkcs11Signer {
    /// Logs in to the token and checks the key (see the module's docs). The
    /// PIN comes from the URI's `pin-source`, else from `sources`.
    pub fn open(uri: &Pkcs11Uri, sources: &PassphraseSources) -> Result<Pkcs11Signer> {
        let context = module_context(&uri.module()?)?;
        let slot = find_token(&context, uri)?;
        let session = context
            .open_ro_session(slot)
            .map_err(failed("opening a session with", uri))?;
        login(&session, uri, sources)?;
        let private_key = find_key(&session, uri, ObjectClass::PRIVATE_KEY)?;
        refuse_unless_eddsa(&session, uri, private_key)?;
        let public_object = find_key(&session, uri, ObjectClass::PUBLIC_KEY)?;
        let public_key = read_public_key(&session, uri, public_object)?;
        let signer = Pkcs11Signer {
            uri: uri.clone(),
            session: Mutex::new(session),
            private_key,
            public_key,
        };
        signer.check_signature()?;
        Ok(signer)
    }

    /// The URI the key was opened with (without its query).
    pub fn uri(&self) -> &Pkcs11Uri {
        &self.uri
    }

    fn check_signature(&self) -> Result<()> {
        let signature = self.sign(SELF_CHECK_MESSAGE)?;
        crypto::verify(&self.public_key, SELF_CHECK_MESSAGE, &signature).map_err(|_| {
            Error::NotEd25519 {
                key: self.uri.to_string(),
                reason: "its CKM_EDDSA signature does not verify under the public key in its CKA_EC_POINT"
                    .to_owned(),
            }
        })
    }
}

impl Signer for Pkcs11Signer {
    fn public_key(&self) -> PublicKey {
        self.public_key
    }

    fn sign(&self, message: &[u8]) -> Result<Signature> {
        let session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bytes = session
            .sign(&eddsa(), self.private_key, message)
            .map_err(failed("signing with", &self.uri))?;
        let bytes: [u8; 64] = bytes.as_slice().try_into().map_err(|_| Error::NotEd25519 {
            key: self.uri.to_string(),
            reason: format!("its signature is {} bytes, not 64", bytes.len()),
        })?;
        Ok(Signature(bytes))
    }
}

/// The slot holding the token labelled `uri.token`.
fn find_token(context: &Pkcs11, uri: &Pkcs11Uri) -> Result<Slot> {
    let slots = context
        .get_slots_with_token()
        .map_err(failed("listing the tokens for", uri))?;
    let mut labels = Vec::new();
    for slot in slots {
        let info = context
            .get_token_info(slot)
            .map_err(failed("reading the token information for", uri))?;
        let label = info.label().trim_end().to_owned();
        if label == uri.token {
            return Ok(slot);
        }
        labels.push(label);
    }
    Err(Error::TokenNotFound {
        token: uri.token.clone(),
        present: if labels.is_empty() {
            "none".to_owned()
        } else {
            labels.join(", ")
        },
    })
}

/// Logs in as the user, with the PIN from `pin-source` or `sources`.
fn login(session: &Session, uri: &Pkcs11Uri, sources: &PassphraseSources) -> Result<()> {
    let what = format!("token {}", uri.token);
    let pin = match &uri.pin_source {
        Some(path) => PassphraseSources::new(vec![PassphraseSource::File {
            flag: "pin-source",
            path: Some(path.clone()),
        }])
        .pin(&what)?,
        None => sources.pin(&what)?,
    };
    let text = std::str::from_utf8(pin.as_bytes()).unwrap_or_default();
    match session.login(UserType::User, Some(&AuthPin::from(text))) {
        // Login is per process and token: another key on this token is logged in.
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
            Err(Error::WrongPin { token: uri.token.clone() })
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Error::Pkcs11 {
            key: uri.to_string(),
            action: "logging in to",
            reason: "the user PIN is locked after too many wrong tries; the token's security officer must unblock it".to_owned(),
        }),
        Err(error) => Err(failed("logging in to", uri)(error)),
    }
}

/// The one key object of `class` labelled `uri.object`.
fn find_key(session: &Session, uri: &Pkcs11Uri, class: ObjectClass) -> Result<ObjectHandle> {
    let kind = if class == ObjectClass::PRIVATE_KEY {
        "private"
    } else {
        "public"
    };
    let found = session
        .find_objects(&[
            Attribute::Class(class),
            Attribute::Label(uri.object.as_bytes().to_vec()),
        ])
        .map_err(failed("searching", uri))?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::KeyObjectNotFound {
            token: uri.token.clone(),
            object: uri.object.clone(),
            kind,
        }),
        _ => Err(Error::Pkcs11 {
            key: uri.to_string(),
            action: "choosing the key on",
            reason: format!(
                "{} {kind} keys are labelled {:?}; give each key its own label",
                found.len(),
                uri.object
            ),
        }),
    }
}

/// Refuses a private key that is not an Edwards-curve key (CKK_EC_EDWARDS).
fn refuse_unless_eddsa(session: &Session, uri: &Pkcs11Uri, key: ObjectHandle) -> Result<()> {
    let attributes = session
        .get_attributes(key, &[AttributeType::KeyType])
        .map_err(failed("reading the key type on", uri))?;
    match attributes.first() {
        Some(Attribute::KeyType(KeyType::EC_EDWARDS)) => Ok(()),
        Some(Attribute::KeyType(other)) => Err(Error::NotEd25519 {
            key: uri.to_string(),
            reason: format!("its key type is {other}, not CKK_EC_EDWARDS"),
        }),
        _ => Err(Error::NotEd25519 {
            key: uri.to_string(),
            reason: "the token does not say its key type".to_owned(),
        }),
    }
}

/// The public key in `CKA_EC_POINT`.
fn read_public_key(session: &Session, uri: &Pkcs11Uri, key: ObjectHandle) -> Result<PublicKey> {
    let attributes = session
        .get_attributes(key, &[AttributeType::EcPoint])
        .map_err(failed("reading the public key on", uri))?;
    let point = match attributes.first() {
        Some(Attribute::EcPoint(point)) => point.as_slice(),
        _ => &[],
    };
    ec_point_key(point).ok_or_else(|| Error::NotEd25519 {
        key: uri.to_string(),
        reason: format!(
            "its CKA_EC_POINT ({} bytes) is not a 32-byte Ed25519 public key",
            point.len()
        ),
    })
}

/// An Ed25519 `CKA_EC_POINT`: PKCS#11 3.0 says a DER OCTET STRING holding
/// the 32 bytes (SoftHSM2 writes that), some tokens give the 32 bytes bare.
fn ec_point_key(point: &[u8]) -> Option<PublicKey> {
    let raw = match point {
        [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
        _ if point.len() == 32 => point,
        _ => return None,
    };
    raw.try_into().ok().map(PublicKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_uri_parses_and_decodes() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=Market%20UKey;object=officer%3B1;type=private\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin",
        )
        .unwrap();
        assert_eq!(uri.token, "Market UKey");
        assert_eq!(uri.object, "officer;1");
        assert_eq!(uri.module_path, Some(PathBuf::from(SOFTHSM2_MODULE)));
        assert_eq!(uri.pin_source, Some(PathBuf::from("/run/pin")));
        assert_eq!(
            uri.to_string(),
            "pkcs11:token=Market UKey;object=officer%3B1"
        );
        assert_eq!(
            Pkcs11Uri::parse(&uri.to_string()).unwrap().object,
            "officer;1"
        );
    }

    #[test]
    fn the_order_of_attributes_does_not_matter() {
        let uri = Pkcs11Uri::parse("pkcs11:object=o;token=t").unwrap();
        assert_eq!((uri.token.as_str(), uri.object.as_str()), ("t", "o"));
        assert_eq!((uri.module_path, uri.pin_source), (None, None));
    }

    #[test]
    fn bad_uris_are_refused_with_the_reason() {
        let cases = [
            ("pkcs11:token=t", "object=LABEL is missing"),
            ("pkcs11:object=o", "token=LABEL is missing"),
            ("pkcs11:token=t;object=o;token=u", "token is given twice"),
            ("pkcs11:token=t;object=o;id=%01", "\"id\" is not supported"),
            ("pkcs11:token=t;object=o;type=public", "only type=private"),
            ("pkcs11:token=t;object=%zz", "two hex digits"),
            ("pkcs11:token=t;object=%ff", "UTF-8"),
            ("pkcs11:token=t;object", "not name=value"),
            (
                "pkcs11:token=t;object=o?module-name=softhsm2",
                "module-path and pin-source are",
            ),
            ("pkcs11:token=t;object=o?pin-value=1234", "pin-source=FILE"),
            ("pkcs12:token=t;object=o", "does not start with pkcs11:"),
        ];
        for (text, expected) in cases {
            let error = Pkcs11Uri::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(!error.contains("1234"), "a PIN is never shown: {error}");
        }
    }

    #[test]
    fn without_a_module_path_the_variable_or_a_clear_refusal() {
        let uri = Pkcs11Uri::parse("pkcs11:token=t;object=o").unwrap();
        // The variable is read, not set, here: tests run in parallel threads.
        match std::env::var_os(MODULE_VARIABLE) {
            Some(path) if !path.is_empty() => {
                assert_eq!(uri.module().unwrap(), PathBuf::from(path))
            }
            _ => {
                let error = uri.module().unwrap_err().to_string();
                assert!(
                    error.contains("module-path=") && error.contains(MODULE_VARIABLE),
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn ec_points_are_read_wrapped_or_bare() {
        let key = [7u8; 32];
        let mut wrapped = vec![0x04, 0x20];
        wrapped.extend_from_slice(&key);
        assert_eq!(ec_point_key(&wrapped), Some(PublicKey(key)));
        assert_eq!(ec_point_key(&key), Some(PublicKey(key)));
        assert_eq!(ec_point_key(&wrapped[..33]), None);
        assert_eq!(ec_point_key(&[0x04; 65]), None);
    }
}
