//! Certificates: self-signed ones checked against their policy by openssl, the practice CA's
//! chain, the CSR flow with an outside CA and merge, PFX and PEM imports of openssl's files,
//! downloads openssl reads, non-exportable keys, and the key and secret a certificate manages.

use vaultmort_certs::policy::{CertificatePolicy, IssuerParameters, LifetimeAction, SubjectAlternativeNames};
use vaultmort_core::ObjectKind;
use vaultmort_core::certificates::{CertificateBundle, DownloadFormat, ImportCertificate};
use vaultmort_core::issuers::{IssuerChanges, PRACTICE_PROVIDER};
use vaultmort_core::keys::{CreateKey, KeyRef, UpdateKey};
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::secrets::SetSecret;
use vaultmort_crypto::{KeyType, SignatureAlgorithm};
use vaultmort_test_support::home::TestCore;
use vaultmort_test_support::openssl::{self, Scratch, openssl_ok};
use vaultmort_test_support::pki::{LEAF_DNS_NAME, Leaf, OpensslPki};
use vaultmort_test_support::text::{pem, pem_blocks, pem_der, unb64};
use zeroize::Zeroizing;

use crate::support::{VAULT, core_with_vault, refused, version_of};

/// A policy for `subject` with one DNS name, from `issuer`, with an RSA-2048 or EC P-256 key.
fn policy(subject: &str, dns: &str, issuer: &str, ec: bool) -> CertificatePolicy {
    let mut policy = CertificatePolicy::self_signed(subject);
    policy.issuer = Some(IssuerParameters { name: Some(issuer.into()), certificate_type: None, certificate_transparency: None });
    let x509 = policy.x509_props.as_mut().expect("the default policy has x509 properties");
    x509.sans = Some(SubjectAlternativeNames { dns_names: Some(vec![dns.into()]), emails: None, upns: None });
    if ec {
        let key = policy.key_props.as_mut().expect("the default policy has key properties");
        key.kty = Some("EC".into());
        key.key_size = None;
        key.curve = Some("P-256".into());
    }
    policy
}

/// Creates a certificate that is issued at once (Self or the practice CA) and returns it.
async fn issue(t: &TestCore, name: &str, policy: CertificatePolicy) -> CertificateBundle {
    let op = t.core.create_certificate(&t.owner, VAULT, name, Some(policy), true, Default::default()).await.expect("create works");
    assert_eq!(op.status, "completed", "Self and the practice CA issue at once: {op:?}");
    let cert = t.core.get_certificate(&t.owner, VAULT, name, None).await.expect("the issued certificate reads");
    assert_eq!(op.target.as_ref(), Some(&cert.id), "the completed operation names the certificate version it made");
    cert
}

/// The SubjectPublicKeyInfo (DER) of a certificate, as openssl extracts it.
fn cert_spki(cert_der: &[u8]) -> Vec<u8> {
    let public = openssl_ok(&["x509", "-inform", "DER", "-noout", "-pubkey"], Some(cert_der));
    openssl_ok(&["pkey", "-pubin", "-outform", "DER"], Some(&public))
}

/// The SubjectPublicKeyInfo (DER) of the private key openssl finds in a PFX opened with `password`.
fn pfx_key_spki(pfx: &[u8], password: &str) -> Vec<u8> {
    let scratch = Scratch::new();
    scratch.write("in.pfx", pfx);
    let passin = format!("pass:{password}");
    let key = scratch.openssl_stdout(&["pkcs12", "-in", "in.pfx", "-passin", &passin, "-nodes", "-nocerts"]);
    openssl_ok(&["pkey", "-pubout", "-outform", "DER"], Some(key.as_bytes()))
}

/// The certificates (DER, in file order) openssl finds in a PFX opened with `password`.
fn pfx_certificates(pfx: &[u8], password: &str) -> Vec<Vec<u8>> {
    let scratch = Scratch::new();
    scratch.write("in.pfx", pfx);
    let passin = format!("pass:{password}");
    let certs = scratch.openssl_stdout(&["pkcs12", "-in", "in.pfx", "-passin", &passin, "-nokeys"]);
    pem_blocks(&certs).iter().map(|block| pem_der(block)).collect()
}

/// What openssl prints for a certificate with `args` (`-subject`, `-ext`, ...).
fn x509(cert_der: &[u8], args: &[&str]) -> String {
    let mut all = vec!["x509", "-inform", "DER", "-noout"];
    all.extend_from_slice(args);
    openssl::openssl_text(&all, Some(cert_der))
}

/// Checks the key and the secret a certificate version manages against the certificate: the
/// same version, the same public key (openssl), a PFX secret openssl opens holding the key.
async fn assert_linked_objects_agree(t: &TestCore, name: &str, cert: &CertificateBundle) {
    let version = version_of(&cert.id);
    assert_eq!(version_of(&cert.kid), version, "the certificate's kid names its own version");
    assert_eq!(version_of(&cert.sid), version, "the certificate's sid names its own version");
    let key = t.core.get_key(&t.owner, VAULT, name, Some(&version)).await.expect("the certificate's key reads as a key");
    assert!(key.managed, "a certificate's key says it is managed");
    assert_eq!(
        key.public.to_spki_der().expect("the key has a DER form"),
        cert_spki(&cert.cer),
        "the key's public key is the certificate's (openssl)"
    );
    let secret = t.core.get_secret(&t.owner, VAULT, name, Some(&version)).await.expect("the certificate's secret reads as a secret");
    assert!(secret.managed, "a certificate's secret says it is managed");
    assert_eq!(secret.content_type.as_deref(), Some("application/x-pkcs12"), "the policy's content type is the secret's");
    let pfx = unb64(secret.value.as_deref().expect("get returns the secret's value"));
    assert_eq!(pfx_key_spki(&pfx, ""), cert_spki(&cert.cer), "the secret's PFX holds the certificate's private key");
    assert!(pfx_certificates(&pfx, "").contains(&cert.cer), "the secret's PFX holds the certificate itself");
}

#[tokio::test]
async fn self_signed_certificates_match_their_policy_in_openssl() {
    let t = core_with_vault().await;
    for (name, ec) in [("site-rsa", false), ("site-ec", true)] {
        let cert = issue(&t, name, policy("CN=site.example,O=Vaultmort Tests", "site.example", "Self", ec)).await;
        let subject = x509(&cert.cer, &["-subject", "-nameopt", "RFC2253"]);
        assert_eq!(subject.trim(), "subject=CN=site.example,O=Vaultmort Tests", "openssl reads the policy's subject ({name})");
        let issuer = x509(&cert.cer, &["-issuer", "-nameopt", "RFC2253"]);
        assert_eq!(issuer.trim(), "issuer=CN=site.example,O=Vaultmort Tests", "a self-signed certificate is its own issuer ({name})");
        let sans = x509(&cert.cer, &["-ext", "subjectAltName"]);
        assert!(sans.contains("DNS:site.example"), "the policy's DNS name is a SAN ({name}): {sans}");
        let text = x509(&cert.cer, &["-text"]);
        let expected_key = if ec { "NIST CURVE: P-256" } else { "Public-Key: (2048 bit)" };
        assert!(text.contains(expected_key), "the policy's key type is the certificate's ({name}): {text}");

        let scratch = Scratch::new();
        scratch.write("cert.pem", pem("CERTIFICATE", &cert.cer));
        let verify = scratch.try_openssl(&["verify", "-x509_strict", "-CAfile", "cert.pem", "cert.pem"]);
        assert!(verify.0, "openssl verifies the self-signed certificate strictly against itself ({name}): {}", verify.1);
        let sha1 = openssl::fingerprint_hex(&x509(&cert.cer, &["-fingerprint", "-sha1"]));
        assert_eq!(hex::encode_upper(&cert.x5t), sha1, "x5t is the SHA-1 thumbprint openssl computes ({name})");
        let days = (cert.attributes.expires.expect("exp") - cert.attributes.not_before.expect("nbf")).num_days();
        assert!((365..=366).contains(&days), "12 months of validity, as the policy asks ({name}): {days} days");

        assert_linked_objects_agree(&t, name, &cert).await;
    }
}

#[tokio::test]
async fn the_practice_ca_issues_a_chain_that_verifies_to_its_exported_root() {
    let t = core_with_vault().await;
    let changes = IssuerChanges { provider: Some(PRACTICE_PROVIDER.into()), ..Default::default() };
    t.core.set_certificate_issuer(&t.owner, VAULT, "practice", changes).await.expect("a practice issuer is configured");
    let mut server = policy("CN=practiced.example", "practiced.example", "practice", true);
    // A server leaf's usage: the default policy's keyCertSign makes openssl's strict check refuse
    // a leaf that is not a CA (error 82), which is about the policy, not the CA.
    server.x509_props.as_mut().expect("x509 properties").key_usage = Some(vec!["digitalSignature".into()]);
    let cert = issue(&t, "practiced", server).await;
    assert_eq!(cert.chain.len(), 2, "the practice CA hands back its intermediate and root with the leaf");

    let root = t.core.practice_ca_root(&t.owner).await.expect("the practice root exports");
    assert_eq!(cert.chain.last(), Some(&root), "the chain ends in the root the CA exports");
    let scratch = Scratch::new();
    scratch.write("root.pem", pem("CERTIFICATE", &root));
    let chain = t
        .core
        .download_certificate(&t.owner, VAULT, "practiced", None, DownloadFormat::PemChain, None)
        .await
        .expect("the chain downloads as PEM");
    let blocks = pem_blocks(std::str::from_utf8(&chain).expect("PEM is text"));
    assert_eq!(blocks.len(), 3, "leaf, intermediate and root in the PEM chain");
    assert_eq!(pem_der(&blocks[0]), cert.cer, "the leaf comes first");
    scratch.write("leaf.pem", &blocks[0]);
    scratch.write("intermediate.pem", &blocks[1]);
    let verify = scratch.try_openssl(&["verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem"]);
    assert!(verify.0, "openssl verifies the practice leaf up to the exported root: {}", verify.1);
    assert!(!x509(&cert.cer, &["-issuer"]).contains("practiced.example"), "the leaf is not self-issued");

    let offline = IssuerChanges { provider: Some("DigiCert".into()), ..Default::default() };
    t.core.set_certificate_issuer(&t.owner, VAULT, "digicert", offline).await.expect("an online issuer can be configured");
    refused(
        t.core
            .create_certificate(
                &t.owner,
                VAULT,
                "online",
                Some(policy("CN=o.example", "o.example", "digicert", true)),
                true,
                Default::default(),
            )
            .await,
        "BadParameter",
        None,
        "an issuer whose provider cannot be reached offline",
    );
}

#[tokio::test]
async fn a_csr_signed_by_an_outside_ca_merges_and_a_certificate_for_another_key_does_not() {
    let t = core_with_vault().await;
    let pki = OpensslPki::new();
    let mut unknown = policy("CN=merged.example", "merged.example", "Unknown", false);
    // Issuer Unknown cannot renew by itself, so the default AutoRenew action is left out.
    unknown.lifetime_actions = Some(Vec::<LifetimeAction>::new());
    let op = t.core.create_certificate(&t.owner, VAULT, "merged", Some(unknown), true, Default::default()).await.expect("create works");
    assert_eq!(op.status, "inProgress", "issuer Unknown leaves the operation waiting for a merge: {op:?}");
    let scratch = Scratch::new();
    scratch.write("request.der", &op.csr);
    let csr = scratch.try_openssl(&["req", "-inform", "DER", "-in", "request.der", "-noout", "-verify", "-subject"]);
    assert!(csr.0, "openssl verifies the CSR's self-signature: {}", csr.1);
    assert!(csr.1.contains("merged.example"), "the CSR carries the policy's subject: {}", csr.1);

    // A certificate for another key (the PKI's own leaf) is refused and changes nothing.
    let foreign = std::fs::read(pki.path(Leaf::Rsa.cert())).expect("the PKI's leaf exists");
    refused(
        t.core.merge_certificate(&t.owner, VAULT, "merged", &foreign, true, Default::default()).await,
        "KeyMismatch",
        None,
        "a certificate whose public key is not the pending key's",
    );
    let still = t.core.get_certificate_operation(&t.owner, VAULT, "merged").await.expect("the operation reads");
    assert_eq!(still.status, "inProgress", "a refused merge leaves the operation in progress");

    let signed = pki.sign_csr(&op.csr, "merged");
    let with_chain = [signed, pki.scratch.read("cas.pem")].concat();
    let cert =
        t.core.merge_certificate(&t.owner, VAULT, "merged", &with_chain, true, Default::default()).await.expect("the signed CSR merges");
    assert_eq!(cert.chain.len(), 2, "the merged chain (intermediate, root) is kept after the leaf");
    pki.scratch.write("merged-leaf.pem", pem("CERTIFICATE", &cert.cer));
    pki.verify("merged-leaf.pem").unwrap_or_else(|e| panic!("openssl verifies the merged certificate under the outside CA: {e}"));
    let done = t.core.get_certificate_operation(&t.owner, VAULT, "merged").await.expect("the operation reads");
    assert_eq!(done.status, "completed", "a merge completes the operation");
    assert_eq!(done.target.as_ref(), Some(&cert.id), "and names the merged version");
    assert_linked_objects_agree(&t, "merged", &cert).await;

    refused(
        t.core.merge_certificate(&t.owner, VAULT, "merged", &with_chain, true, Default::default()).await,
        "BadParameter",
        None,
        "a merge with no operation in progress",
    );
}

#[tokio::test]
async fn openssl_pfx_and_pem_files_import_with_their_chain_and_download_as_openssl_reads_them() {
    let t = core_with_vault().await;
    let pki = OpensslPki::new();
    let leaf_spki = cert_spki(&pki.der(Leaf::Rsa.cert()));
    let expected_chain = vec![pki.der("intermediate.pem"), pki.der("root.pem")];
    let cases: [(&str, Vec<u8>, Option<&str>, Leaf); 4] = [
        ("pfx-default", pki.pfx(Leaf::Rsa, "pfx-pw", &[]), Some("pfx-pw"), Leaf::Rsa),
        ("pfx-legacy", pki.pfx(Leaf::Rsa, "legacy-pw", &["-legacy"]), Some("legacy-pw"), Leaf::Rsa),
        ("pfx-ec", pki.pfx(Leaf::Ec, "", &[]), Some(""), Leaf::Ec),
        ("pem-ec", pki.pem_bundle(Leaf::Ec), None, Leaf::Ec),
    ];
    for (name, data, password, leaf) in cases {
        let request = ImportCertificate {
            name: name.into(),
            data: Zeroizing::new(data),
            password: password.map(|p| Zeroizing::new(p.to_string())),
            policy: None,
            enabled: true,
            tags: Default::default(),
        };
        let cert = t.core.import_certificate(&t.owner, VAULT, request).await.unwrap_or_else(|e| panic!("{name} imports: {e}"));
        assert_eq!(cert.cer, pki.der(leaf.cert()), "{name}: the leaf is the certificate openssl made");
        assert_eq!(cert.chain, expected_chain, "{name}: the chain is kept in order (intermediate, root)");
        let sans = x509(&cert.cer, &["-ext", "subjectAltName"]);
        assert!(sans.contains(LEAF_DNS_NAME), "{name}: the SANs are openssl's: {sans}");
        let key = t.core.get_key(&t.owner, VAULT, name, None).await.expect("the imported key reads");
        assert_eq!(key.public.to_spki_der().expect("DER"), cert_spki(&cert.cer), "{name}: the imported key belongs to the certificate");
        let policy = t.core.get_certificate_policy(&t.owner, VAULT, name).await.expect("the derived policy reads");
        assert_eq!(policy.issuer_name(), "Unknown", "{name}: an imported certificate's policy names issuer Unknown");
    }

    // The imported RSA key signs, and openssl verifies with the leaf's public key.
    let digest = openssl::digest("sha256", b"signed by an imported certificate's key");
    let signed =
        t.core.sign(&t.owner, KeyRef::latest(VAULT, "pfx-default"), SignatureAlgorithm::Rs256, &digest).await.expect("the key signs");
    let public = openssl_ok(&["x509", "-noout", "-pubkey"], Some(&pki.scratch.read(Leaf::Rsa.cert())));
    openssl::verify_signature(&public, "RS256", &digest, &signed.value)
        .unwrap_or_else(|e| panic!("openssl verifies the imported key's signature with the certificate's public key: {e}"));

    // Downloads: a PFX openssl opens only with its password, holding key and chain; PEM and DER.
    let pfx = t
        .core
        .download_certificate(&t.owner, VAULT, "pfx-default", None, DownloadFormat::Pfx, Some("download-pw"))
        .await
        .expect("the PFX downloads");
    assert_eq!(pfx_key_spki(&pfx, "download-pw"), leaf_spki, "the downloaded PFX holds the certificate's private key");
    let certs = pfx_certificates(&pfx, "download-pw");
    assert!(certs.contains(&pki.der(Leaf::Rsa.cert())) && certs.len() == 3, "the PFX holds the leaf and its chain: {} found", certs.len());
    let scratch = Scratch::new();
    scratch.write("download.pfx", &*pfx);
    let wrong = scratch.try_openssl(&["pkcs12", "-in", "download.pfx", "-passin", "pass:not-it", "-nokeys"]);
    assert!(!wrong.0, "openssl refuses the PFX with another password: {}", wrong.1);
    let der = t.core.download_certificate(&t.owner, VAULT, "pfx-default", None, DownloadFormat::Der, None).await.expect("DER downloads");
    let pem_file = t.core.download_certificate(&t.owner, VAULT, "pfx-default", None, DownloadFormat::Pem, None).await.expect("PEM");
    let pem_as_der = openssl_ok(&["x509", "-outform", "DER"], Some(&pem_file));
    assert_eq!(*der, pem_as_der, "the PEM download is the DER download's certificate (openssl)");
    assert_eq!(*der, pki.der(Leaf::Rsa.cert()), "and the certificate that was imported");
}

#[tokio::test]
async fn refused_imports_say_why_and_store_nothing() {
    let t = core_with_vault().await;
    let pki = OpensslPki::new();
    let import = |name: &str, data: Vec<u8>, password: Option<&str>| ImportCertificate {
        name: name.into(),
        data: Zeroizing::new(data),
        password: password.map(|p| Zeroizing::new(p.to_string())),
        policy: None,
        enabled: true,
        tags: Default::default(),
    };
    let pfx = pki.pfx(Leaf::Rsa, "right", &[]);
    for (what, password) in [("a wrong password", Some("wrong")), ("no password", None)] {
        refused(t.core.import_certificate(&t.owner, VAULT, import("w", pfx.clone(), password)).await, "WrongPassword", None, what);
    }
    let cert_only = std::fs::read(pki.path(Leaf::Rsa.cert())).expect("the leaf exists");
    refused(
        t.core.import_certificate(&t.owner, VAULT, import("n", cert_only.clone(), None)).await,
        "NoPrivateKey",
        None,
        "a PEM without a key",
    );
    let mismatched = [pki.scratch.read(Leaf::Ec.key()), cert_only].concat();
    refused(
        t.core.import_certificate(&t.owner, VAULT, import("m", mismatched, None)).await,
        "KeyMismatch",
        None,
        "a key for another certificate",
    );
    assert!(t.core.list_certificates(&t.owner, VAULT).await.expect("list").is_empty(), "no refused import stored a certificate");
    assert!(t.core.list_keys(&t.owner, VAULT).await.expect("list").is_empty(), "nor a key");
    assert!(t.core.list_secrets(&t.owner, VAULT).await.expect("list").is_empty(), "nor a secret");
}

#[tokio::test]
async fn a_non_exportable_key_gives_no_pfx_but_pem_and_der() {
    let t = core_with_vault().await;
    let mut sealed = policy("CN=sealed.example", "sealed.example", "Self", false);
    sealed.key_props.as_mut().expect("key properties").exportable = Some(false);
    let cert = issue(&t, "sealed", sealed).await;
    let refusal = refused(
        t.core.download_certificate(&t.owner, VAULT, "sealed", None, DownloadFormat::Pfx, None).await,
        "Forbidden",
        None,
        "a PFX of a certificate whose key is not exportable",
    );
    assert!(refusal.to_string().contains("exportable"), "the message says why: {refusal}");
    let der = t.core.download_certificate(&t.owner, VAULT, "sealed", None, DownloadFormat::Der, None).await.expect("DER downloads");
    assert_eq!(*der, cert.cer, "the public certificate is still available");
    let secret = t.core.get_secret(&t.owner, VAULT, "sealed", None).await.expect("the secret reads");
    let certs = pfx_certificates(&unb64(secret.value.as_deref().expect("a value")), "");
    assert_eq!(certs, std::slice::from_ref(&cert.cer), "the secret's PFX holds the certificate");
    let scratch = Scratch::new();
    scratch.write("secret.pfx", unb64(secret.value.as_deref().expect("a value")));
    let keys = scratch.openssl_stdout(&["pkcs12", "-in", "secret.pfx", "-passin", "pass:", "-nodes", "-nocerts"]);
    assert!(!keys.contains("PRIVATE KEY"), "but no private key, since it is not exportable: {keys}");
}

#[tokio::test]
async fn a_certificates_key_and_secret_change_only_through_the_certificate() {
    let t = core_with_vault().await;
    let cert = issue(&t, "site", policy("CN=site.example", "site.example", "Self", false)).await;
    let disable = UpdateKey { attributes: AttributeChanges { enabled: Some(false), ..Default::default() }, ..Default::default() };
    for (what, result) in [
        ("set a secret", t.core.set_secret(&t.owner, VAULT, SetSecret::new("site", "x")).await.map(|_| ())),
        ("create a key", t.core.create_key(&t.owner, VAULT, CreateKey::new("site", KeyType::Rsa)).await.map(|_| ())),
        ("update the key", t.core.update_key(&t.owner, VAULT, "site", None, disable).await.map(|_| ())),
        ("delete the key", t.core.delete_object(&t.owner, VAULT, ObjectKind::Key, "site").await.map(|_| ())),
        ("delete the secret", t.core.delete_object(&t.owner, VAULT, ObjectKind::Secret, "site").await.map(|_| ())),
    ] {
        let error = refused(result, "BadParameter", None, &format!("{what} a certificate manages"));
        assert!(error.to_string().contains("managed by certificate 'site'"), "the message names the certificate ({what}): {error}");
    }
    let key = t.core.get_key(&t.owner, VAULT, "site", None).await.expect("the key reads");
    assert!(key.attributes.enabled && key.id.version == cert.id.version, "the refused changes changed nothing");
}

/// `outContentType` (api-version 2025-06-01-preview on): a certificate's secret read in the
/// other format holds the same key and chain, openssl being the judge; a plain secret refuses.
#[tokio::test]
async fn a_certificates_secret_reads_in_the_other_format_on_request() {
    use vaultmort_core::secrets::CertificateSecretFormat::{Pem, Pkcs12};
    let t = core_with_vault().await;
    let cert = issue(&t, "site", policy("CN=site.example", "site.example", "Self", false)).await;

    let as_pem = t.core.get_secret_as(&t.owner, VAULT, "site", None, Some(Pem)).await.expect("the PFX secret reads as PEM");
    assert_eq!(as_pem.content_type.as_deref(), Some("application/x-pem-file"), "the answer names the format it is in");
    let text = as_pem.value.as_deref().expect("a value").to_string();
    let key_spki = openssl_ok(&["pkey", "-pubout", "-outform", "DER"], Some(text.as_bytes()));
    assert_eq!(key_spki, cert_spki(&cert.cer), "the PEM's private key is the certificate's (openssl)");
    let first_cert = openssl_ok(&["x509", "-outform", "DER"], Some(text.as_bytes()));
    assert_eq!(first_cert, cert.cer, "the PEM's certificate is the certificate itself (openssl)");

    let stored = t.core.get_secret(&t.owner, VAULT, "site", None).await.expect("the secret reads");
    assert_eq!(stored.content_type.as_deref(), Some("application/x-pkcs12"), "what is stored is unchanged");
    let same = t.core.get_secret_as(&t.owner, VAULT, "site", None, Some(Pkcs12)).await.expect("the stored format reads");
    assert_eq!(same.value, stored.value, "asking for the stored format returns the stored value");

    let mut pem_policy = policy("CN=pem.example", "pem.example", "Self", true);
    pem_policy.secret_props = Some(vaultmort_certs::policy::SecretProperties { content_type: Some("application/x-pem-file".into()) });
    let pem_cert = issue(&t, "pem-site", pem_policy).await;
    let as_pfx = t.core.get_secret_as(&t.owner, VAULT, "pem-site", None, Some(Pkcs12)).await.expect("the PEM secret reads as a PFX");
    assert_eq!(as_pfx.content_type.as_deref(), Some("application/x-pkcs12"));
    let pfx = unb64(as_pfx.value.as_deref().expect("a value"));
    assert_eq!(pfx_key_spki(&pfx, ""), cert_spki(&pem_cert.cer), "the PFX opens with no password and holds the key (openssl)");
    assert_eq!(pfx_certificates(&pfx, ""), vec![pem_cert.cer.clone()], "and the certificate (openssl)");

    let mut sealed = policy("CN=sealed.example", "sealed.example", "Self", false);
    sealed.key_props.as_mut().expect("key properties").exportable = Some(false);
    let sealed_cert = issue(&t, "sealed", sealed).await;
    let sealed_pem = t.core.get_secret_as(&t.owner, VAULT, "sealed", None, Some(Pem)).await.expect("a key-less PFX converts too");
    let text = sealed_pem.value.as_deref().expect("a value");
    assert!(!text.contains("PRIVATE KEY"), "a non-exportable key stays out of the converted secret: {text}");
    assert_eq!(openssl_ok(&["x509", "-outform", "DER"], Some(text.as_bytes())), sealed_cert.cer, "the chain is there (openssl)");

    t.core.set_secret(&t.owner, VAULT, SetSecret::new("plain", "text")).await.expect("a plain secret");
    let refusal = refused(
        t.core.get_secret_as(&t.owner, VAULT, "plain", None, Some(Pem)).await,
        "BadParameter",
        None,
        "a plain secret has no certificate format to convert to",
    );
    assert!(refusal.to_string().contains("certificate"), "the message says why: {refusal}");
    assert!(
        "text/plain".parse::<vaultmort_core::secrets::CertificateSecretFormat>().is_err(),
        "only the two certificate content types are formats"
    );
}
