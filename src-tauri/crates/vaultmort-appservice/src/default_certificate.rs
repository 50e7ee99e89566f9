//! The built-in default certificate: what every host name without a binding is served with, as
//! Azure serves `*.azurewebsites.net`. A P-256 key made here, in memory only, and a leaf the
//! core's practice CA issues for it, naming `*.azurewebsites.localhost` and
//! `azurewebsites.localhost`; so a web app's default host name validates against the practice
//! root and a custom domain without a binding does not (as in Azure, the browser warns).
//!
//! [`DefaultCertificate::is_due`] says when a new one is wanted (a month before it expires); the
//! reload makes it then. Left out: keeping the key anywhere but in memory, and IP address names.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use vaultmort_core::appservice::DEFAULT_HOST_SUFFIX;
use vaultmort_core::{Door, RequestContext, Vaultmort};

use crate::error::FrontEndError;
use crate::sites::CertificateFacts;

/// Days the default certificate is valid.
pub const DEFAULT_CERT_DAYS: u32 = 90;

/// How long before it expires the default certificate is replaced.
pub const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);

/// The default certificate's common name and first DNS name, `*.azurewebsites.localhost`.
pub fn wildcard_name() -> String {
    format!("*.{DEFAULT_HOST_SUFFIX}")
}

/// The built-in certificate with its key, ready for rustls.
#[derive(Debug)]
pub struct DefaultCertificate {
    /// The certificate chain (leaf, then the practice intermediate) and its key.
    pub key: Arc<CertifiedKey>,
    /// What the desktop shows of it.
    pub facts: CertificateFacts,
}

impl DefaultCertificate {
    /// Makes a new key and has the practice CA issue the wildcard leaf for it.
    pub async fn issue(core: &Vaultmort, provider: &CryptoProvider) -> Result<Self, FrontEndError> {
        let failed = |what: &str, e: &dyn std::fmt::Display| FrontEndError::DefaultCertificate(format!("{what}: {e}"));
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| failed("key", &e))?;
        let mut params =
            rcgen::CertificateParams::new(vec![wildcard_name(), DEFAULT_HOST_SUFFIX.to_string()]).map_err(|e| failed("names", &e))?;
        params.distinguished_name.push(rcgen::DnType::CommonName, wildcard_name());
        let csr = params.serialize_request(&key).map_err(|e| failed("certificate request", &e))?;
        // The core grants the front end's own principal only the reading of the sites; issuing
        // from the practice CA is the installation owner's right, as for the REST door's
        // certificate. The access log shows it on the system door.
        let owner = RequestContext::local_owner(Door::System);
        let chain = core.practice_ca_issue_server(&owner, csr.der(), DEFAULT_CERT_DAYS).await?;
        let leaf = chain.first().ok_or_else(|| FrontEndError::DefaultCertificate("the practice CA issued no certificate".into()))?;
        let facts = CertificateFacts::of_leaf(leaf).map_err(|e| failed("issued certificate", &e))?;
        let chain: Vec<CertificateDer<'static>> = chain.into_iter().map(CertificateDer::from).collect();
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let key = CertifiedKey::from_der(chain, private, provider).map_err(|e| failed("certificate and key", &e))?;
        Ok(Self { key: Arc::new(key), facts })
    }

    /// Whether it expires within [`RENEW_BEFORE`] of `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        chrono::Duration::from_std(RENEW_BEFORE).is_ok_and(|lead| self.facts.expiration_date - lead <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_default_certificate_is_due_a_month_before_expiry() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("a P-256 key");
        let leaf = rcgen::CertificateParams::new(vec![wildcard_name()]).expect("a name").self_signed(&key).expect("a leaf");
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let certified = CertifiedKey::from_der(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            &provider,
        )
        .expect("the leaf and key load");
        let facts = CertificateFacts::of_leaf(leaf.der()).expect("the leaf parses");
        let expiry = facts.expiration_date;
        let certificate = DefaultCertificate { key: Arc::new(certified), facts };
        assert!(!certificate.is_due(expiry - chrono::Duration::days(31)), "31 days before expiry it stays");
        assert!(certificate.is_due(expiry - chrono::Duration::days(29)), "29 days before expiry a new one is made");
        assert!(certificate.is_due(expiry + chrono::Duration::days(1)), "an expired one is replaced");
    }
}
