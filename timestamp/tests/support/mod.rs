//! A throw-away PKI and TSA run by the `openssl` command line, so that tokens
//! under test come from an independent implementation.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use xianjie_timestamp::{TimestampRequest, TrustedCertificate};

/// The OpenSSL binary; the tests fail (never skip) without it.
fn openssl_bin() -> PathBuf {
    let fixed = Path::new("/usr/bin/openssl");
    if fixed.exists() {
        return fixed.to_path_buf();
    }
    PathBuf::from("openssl")
}

/// Runs openssl and returns its output, failing the test with openssl's own
/// words when it cannot be run or exits non-zero.
pub fn openssl(args: &[&str]) -> Output {
    let out = openssl_may_fail(args);
    assert!(
        out.status.success(),
        "openssl {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs openssl and returns its output whatever its exit status.
pub fn openssl_may_fail(args: &[&str]) -> Output {
    Command::new(openssl_bin())
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run openssl ({e}); these tests need the OpenSSL command line \
                 (Debian/Ubuntu: apt-get install openssl)"
            )
        })
}

/// The key types the tests sign with.
#[derive(Clone, Copy, Debug)]
pub enum KeyKind {
    Rsa,
    P256,
}

fn genpkey_args(kind: KeyKind) -> &'static [&'static str] {
    match kind {
        KeyKind::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        KeyKind::P256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    }
}

/// How a TSA certificate states (or fails to state) its purpose.
#[derive(Clone, Copy, Debug)]
pub enum Eku {
    /// `critical,timeStamping`, as RFC 3161 §2.3 requires.
    CriticalTimeStamping,
    /// `timeStamping`, not critical.
    NonCriticalTimeStamping,
    /// No extendedKeyUsage at all.
    Absent,
}

/// A directory holding a CA and TSA certificates it issued.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    /// A new CA, self-signed, named `ca_name`.
    pub fn new(ca_kind: KeyKind, ca_name: &str) -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        let pki = Pki { dir };
        let key = pki.path("ca.key");
        let mut args = vec!["genpkey"];
        args.extend_from_slice(genpkey_args(ca_kind));
        args.extend_from_slice(&["-out", &key]);
        openssl(&args);
        let subj = format!("/CN={ca_name}");
        openssl(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-subj",
            &subj,
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            &pki.path("ca.crt"),
        ]);
        pki
    }

    /// A path inside the directory, as a string for openssl's arguments.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// Issues TSA certificate `<name>.crt` (key `<name>.key`) under the CA.
    pub fn issue_tsa(&self, name: &str, kind: KeyKind, eku: Eku, serial: u32) {
        let key = self.path(&format!("{name}.key"));
        let mut args = vec!["genpkey"];
        args.extend_from_slice(genpkey_args(kind));
        args.extend_from_slice(&["-out", &key]);
        openssl(&args);
        let csr = self.path(&format!("{name}.csr"));
        let subj = format!("/CN={name}");
        openssl(&["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
        let ext = self.path(&format!("{name}.ext"));
        let eku_line = match eku {
            Eku::CriticalTimeStamping => "extendedKeyUsage = critical,timeStamping\n",
            Eku::NonCriticalTimeStamping => "extendedKeyUsage = timeStamping\n",
            Eku::Absent => "",
        };
        let ext_text = format!(
            "[tsa_ext]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\n\
             subjectKeyIdentifier = hash\n{eku_line}"
        );
        fs::write(&ext, ext_text).expect("write ext file");
        let serial = serial.to_string();
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &self.path("ca.crt"),
            "-CAkey",
            &self.path("ca.key"),
            "-set_serial",
            &serial,
            "-days",
            "30",
            "-extfile",
            &ext,
            "-extensions",
            "tsa_ext",
            "-out",
            &self.path(&format!("{name}.crt")),
        ]);
    }

    /// Writes `openssl ts` configuration `<name>.cnf` for TSA `name`.
    pub fn ts_config(&self, name: &str, settings: &TsSettings) -> String {
        let cnf = self.path(&format!("{name}.cnf"));
        let serial = self.path(&format!("{name}.serial"));
        fs::write(&serial, "01\n").expect("write serial file");
        let text = format!(
            "[ tsa ]\ndefault_tsa = tsa_section\n\n[ tsa_section ]\n\
             serial = {serial}\n\
             crypto_device = builtin\n\
             signer_cert = {cert}\n\
             signer_key = {key}\n\
             certs = {ca}\n\
             signer_digest = {signer_digest}\n\
             default_policy = 1.2.3.4.1\n\
             other_policies = 1.2.3.4.5\n\
             digests = {digests}\n\
             accuracy = secs:1, millisecs:500, microsecs:100\n\
             clock_precision_digits = {precision}\n\
             ordering = yes\n\
             tsa_name = yes\n\
             ess_cert_id_chain = no\n\
             ess_cert_id_alg = {ess}\n",
            cert = self.path(&format!("{name}.crt")),
            key = self.path(&format!("{name}.key")),
            ca = self.path("ca.crt"),
            signer_digest = settings.signer_digest,
            digests = settings.digests,
            precision = settings.clock_precision_digits,
            ess = settings.ess_cert_id_alg,
        );
        fs::write(&cnf, text).expect("write ts config");
        cnf
    }

    /// Runs `openssl ts -reply` on `request_der`; returns the response DER.
    pub fn reply(&self, name: &str, settings: &TsSettings, request_der: &[u8]) -> Vec<u8> {
        let cnf = self.ts_config(name, settings);
        let query = self.path(&format!("{name}.tsq"));
        let response = self.path(&format!("{name}.tsr"));
        fs::write(&query, request_der).expect("write query");
        openssl(&[
            "ts",
            "-reply",
            "-config",
            &cnf,
            "-queryfile",
            &query,
            "-out",
            &response,
        ]);
        fs::read(&response).expect("read response")
    }

    /// A certificate of this directory as the verifier is given it (PEM).
    pub fn trusted(&self, file: &str) -> TrustedCertificate {
        let pem = fs::read_to_string(self.path(file)).expect("read certificate");
        TrustedCertificate::from_pem(&pem).expect("certificate parses")
    }

    /// The DER of a certificate of this directory, converted by openssl.
    pub fn cert_der(&self, file: &str) -> Vec<u8> {
        openssl(&["x509", "-in", &self.path(file), "-outform", "DER"]).stdout
    }
}

/// What an `openssl ts` configuration varies in these tests.
pub struct TsSettings {
    pub signer_digest: &'static str,
    pub digests: &'static str,
    pub clock_precision_digits: u8,
    pub ess_cert_id_alg: &'static str,
}

impl Default for TsSettings {
    fn default() -> Self {
        TsSettings {
            signer_digest: "sha256",
            digests: "sha256, sha384, sha512",
            clock_precision_digits: 0,
            ess_cert_id_alg: "sha256",
        }
    }
}

/// SHA-256 of `data`, computed by openssl so the test does not trust our hash.
pub fn sha256_by_openssl(pki: &Pki, data: &[u8]) -> [u8; 32] {
    let file = pki.path("data.bin");
    fs::write(&file, data).expect("write data");
    let out = openssl(&["dgst", "-sha256", "-binary", &file]).stdout;
    out.try_into().expect("32 bytes of SHA-256")
}

/// A request for `data`'s SHA-256 with `nonce`.
pub fn request_for(pki: &Pki, data: &[u8], nonce: u64) -> ([u8; 32], TimestampRequest) {
    let digest = sha256_by_openssl(pki, data);
    (digest, TimestampRequest::for_sha256(digest, nonce))
}

/// Milliseconds since the Unix epoch, now (tests only: the crate reads no clock).
pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    u64::try_from(since.as_millis()).expect("fits u64")
}

/// Parses the first `label 0x…` hex number in openssl's text output.
pub fn hex_after(text: &str, label: &str) -> Vec<u8> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in openssl output:\n{text}"));
    let digits = line.trim().trim_start_matches("0x");
    let padded = if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    hex::decode(padded).expect("hex number")
}
