//! A small certificate authority made by openssl, for tests that import certificates, merge a
//! CSR signed outside Vaultmort, or check a chain: a root CA, an intermediate CA, an RSA-2048
//! leaf and an EC P-256 leaf issued by the intermediate, with their keys as unencrypted PKCS#8
//! PEM. Certificates are valid for a year, far from the 30-day near-expiry mark.
//!
//! It does not check what Vaultmort makes of these files; the tests do, with openssl again.

use std::path::PathBuf;

use crate::openssl::Scratch;

/// The RSA leaf's subject, as openssl's `-subj` takes it.
pub const LEAF_SUBJECT: &str = "/CN=leaf.example.com/O=Vaultmort Tests";
/// The EC leaf's subject.
pub const EC_LEAF_SUBJECT: &str = "/CN=ec-leaf.example.com/O=Vaultmort Tests";
/// The one DNS name both leaves carry.
pub const LEAF_DNS_NAME: &str = "leaf.example.com";

const CA_EXTENSIONS: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
const LEAF_EXTENSIONS: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
                               extendedKeyUsage=serverAuth\nsubjectAltName=DNS:leaf.example.com\n";

/// Which leaf of the [`OpensslPki`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// The RSA-2048 leaf: `leaf.pem`, `leaf.key`.
    Rsa,
    /// The EC P-256 leaf: `ec-leaf.pem`, `ec-leaf.key`.
    Ec,
}

impl Leaf {
    /// The certificate's file name (PEM).
    pub fn cert(self) -> &'static str {
        match self {
            Leaf::Rsa => "leaf.pem",
            Leaf::Ec => "ec-leaf.pem",
        }
    }

    /// The key's file name (unencrypted PKCS#8 PEM).
    pub fn key(self) -> &'static str {
        match self {
            Leaf::Rsa => "leaf.key",
            Leaf::Ec => "ec-leaf.key",
        }
    }
}

/// The files of a root CA -> intermediate CA -> leaves chain, in one scratch folder:
/// `root.pem`, `intermediate.pem` (and their `.key`), the leaves, and `cas.pem` (intermediate
/// then root, for `-certfile`).
pub struct OpensslPki {
    /// The folder the files are in; openssl commands of the test can run here too.
    pub scratch: Scratch,
}

impl Default for OpensslPki {
    fn default() -> Self {
        Self::new()
    }
}

impl OpensslPki {
    /// Makes the CAs and both leaves, and checks with `openssl verify` that the chain holds.
    pub fn new() -> Self {
        let scratch = Scratch::new();
        scratch.write("ca.ext", CA_EXTENSIONS);
        scratch.write("leaf.ext", LEAF_EXTENSIONS);
        crate::openssl::make_root_ca(scratch.dir(), "root", "/CN=Vaultmort Test Root CA/O=Vaultmort Tests", 730);
        let pki = Self { scratch };
        pki.issue(&["-newkey", "rsa:2048"], "/CN=Vaultmort Test Intermediate CA/O=Vaultmort Tests", "root", "ca.ext", "intermediate", "2");
        pki.issue(&["-newkey", "rsa:2048"], LEAF_SUBJECT, "intermediate", "leaf.ext", "leaf", "3");
        pki.issue(&["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], EC_LEAF_SUBJECT, "intermediate", "leaf.ext", "ec-leaf", "4");
        let cas = [pki.scratch.read("intermediate.pem"), pki.scratch.read("root.pem")].concat();
        pki.scratch.write("cas.pem", cas);
        // openssl itself must accept the chain, or checks made against it prove nothing.
        pki.scratch.openssl(&["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem", "ec-leaf.pem"]);
        pki
    }

    /// A new key `<name>.key` (PKCS#8 PEM) and certificate `<name>.pem` for `subject`, signed by
    /// the CA `<ca>.pem`/`<ca>.key` with the extensions file `ext`.
    fn issue(&self, newkey: &[&str], subject: &str, ca: &str, ext: &str, name: &str, serial: &str) {
        let (raw_key, csr, key, cert) = (format!("{name}.raw.key"), format!("{name}.csr"), format!("{name}.key"), format!("{name}.pem"));
        let mut request: Vec<&str> = vec!["req", "-new", "-nodes", "-keyout", &raw_key, "-out", &csr, "-subj", subject];
        request.extend_from_slice(newkey);
        self.scratch.openssl(&request);
        let (ca_cert, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        self.scratch.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_cert,
            "-CAkey",
            &ca_key,
            "-set_serial",
            serial,
            "-days",
            "365",
            "-extfile",
            ext,
            "-out",
            &cert,
        ]);
        self.scratch.openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", &raw_key, "-out", &key]);
    }

    /// The path of one of the PKI's files (`root.pem`, `leaf.key`, ...).
    pub fn path(&self, name: &str) -> PathBuf {
        self.scratch.path(name)
    }

    /// The DER of one of the PKI's PEM certificates.
    pub fn der(&self, name: &str) -> Vec<u8> {
        let blocks = crate::text::pem_blocks(&self.scratch.read_text(name));
        assert_eq!(blocks.len(), 1, "{name} holds one certificate");
        crate::text::pem_der(&blocks[0])
    }

    /// A PFX of `leaf` with its key and both CAs, written by `openssl pkcs12 -export` with
    /// OpenSSL's defaults (AES-256, PBKDF2), `password`, and any `extra` arguments (`-legacy`,
    /// `-keypbe NONE`, ...).
    pub fn pfx(&self, leaf: Leaf, password: &str, extra: &[&str]) -> Vec<u8> {
        let out = format!("{}.pfx", leaf.cert().trim_end_matches(".pem"));
        let passout = format!("pass:{password}");
        let mut args: Vec<&str> =
            vec!["pkcs12", "-export", "-inkey", leaf.key(), "-in", leaf.cert(), "-certfile", "cas.pem", "-passout", &passout];
        args.extend_from_slice(extra);
        args.extend(["-out", &out]);
        self.scratch.openssl(&args);
        self.scratch.read(&out)
    }

    /// A PEM bundle of `leaf`: its unencrypted PKCS#8 key, then the leaf, intermediate and root.
    pub fn pem_bundle(&self, leaf: Leaf) -> Vec<u8> {
        [self.scratch.read(leaf.key()), self.scratch.read(leaf.cert()), self.scratch.read("cas.pem")].concat()
    }

    /// Signs a CSR (DER) with the intermediate CA as a server certificate for a year; returns
    /// the certificate as PEM, as a CA outside Vaultmort would hand it back.
    pub fn sign_csr(&self, csr_der: &[u8], name: &str) -> Vec<u8> {
        let (csr, cert) = (format!("{name}.csr.der"), format!("{name}.signed.pem"));
        self.scratch.write(&csr, csr_der);
        self.scratch.write("csr.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
        self.scratch.openssl(&[
            "x509",
            "-req",
            "-inform",
            "DER",
            "-in",
            &csr,
            "-CA",
            "intermediate.pem",
            "-CAkey",
            "intermediate.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "csr.ext",
            "-out",
            &cert,
        ]);
        self.scratch.read(&cert)
    }

    /// Whether openssl accepts `cert_pem` (a file in the scratch folder) as issued under this
    /// PKI's root, with `-x509_strict`; the error is what openssl printed.
    pub fn verify(&self, cert_pem: &str) -> Result<(), crate::openssl::OpensslRefused> {
        match self.scratch.try_openssl(&["verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", cert_pem]) {
            (true, _) => Ok(()),
            (false, printed) => Err(crate::openssl::OpensslRefused(printed)),
        }
    }
}
