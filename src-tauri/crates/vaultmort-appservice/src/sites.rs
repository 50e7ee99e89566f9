//! The site table: every host name the front end answers for, built once per reload from the
//! core's [`ServedSite`]s, each with its rustls settings made up front (its certificate and key
//! loaded, its TLS versions chosen), so that a handshake only looks a name up.
//!
//! A bound certificate that does not load (a key that does not match its leaf, say) does not
//! stop the other sites: its host is served with the default certificate and the reason is
//! kept in [`ServedNow::problem`] for the desktop to show. Left out: how the table is kept
//! current ([`crate::reload`]) and what a request is answered with ([`crate::page`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use serde::Serialize;
use vaultmort_core::appservice::{MinTlsVersion, ServedCertificate, ServedSite};

use crate::default_certificate::{DefaultCertificate, wildcard_name};
use crate::error::FrontEndError;
use crate::tls;

/// What a person is shown of a certificate the front end presents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateFacts {
    /// SHA-1 thumbprint, upper-case hex (as App Service shows it).
    pub thumbprint: String,
    /// Serial number, upper-case hex without leading zeros (as `openssl x509 -serial` prints it).
    pub serial_number: String,
    /// The subject's common name.
    pub subject_name: String,
    /// Not after.
    pub expiration_date: DateTime<Utc>,
}

impl CertificateFacts {
    /// The facts of a DER leaf certificate.
    pub fn of_leaf(der: &[u8]) -> Result<Self, vaultmort_certs::CertError> {
        let info = vaultmort_certs::CertificateInfo::from_der(der)?;
        let subject_name =
            info.subject.split(',').find_map(|part| part.trim().strip_prefix("CN=")).map_or_else(|| info.subject.clone(), str::to_string);
        Ok(Self { thumbprint: hex::encode_upper(&info.x5t), serial_number: info.serial, subject_name, expiration_date: info.not_after })
    }

    fn of_bound(certificate: &ServedCertificate) -> Self {
        Self {
            thumbprint: certificate.thumbprint.clone(),
            serial_number: certificate.serial_number.clone(),
            subject_name: certificate.subject_name.clone(),
            expiration_date: certificate.expiration_date,
        }
    }

    /// Whole days from `now` until it expires (negative once it has).
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        (self.expiration_date - now).num_days()
    }
}

/// Which certificate a host name is served with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CertificateOrigin {
    /// The built-in `*.azurewebsites.localhost` certificate: the host has no SSL binding (or its
    /// bound certificate could not be loaded).
    Default,
    /// The App Service certificate bound to the host name.
    Bound,
}

/// The certificate a connection was (or a host name is) served with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Presented {
    /// Default or bound.
    pub origin: CertificateOrigin,
    /// Its facts.
    pub certificate: CertificateFacts,
}

/// One host name as it is served now: what the desktop lists for each binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServedNow {
    /// The host name, lower case.
    pub host: String,
    /// The web app's name.
    pub app: String,
    /// The web app's resource group.
    pub resource_group: String,
    /// Whether this is the app's default host name (`<app>.azurewebsites.localhost`).
    pub default_host: bool,
    /// Whether HTTP is redirected to HTTPS.
    pub https_only: bool,
    /// The lowest TLS version accepted.
    pub min_tls_version: MinTlsVersion,
    /// The certificate HTTPS presents for it.
    pub presented: Presented,
    /// Why a bound certificate is not presented, when it could not be loaded.
    pub problem: Option<String>,
}

/// One host name with its ready rustls settings.
#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) served: ServedNow,
    pub(crate) tls: Arc<rustls::ServerConfig>,
}

/// Every host name served, and what a handshake for any other name (or none) gets.
#[derive(Debug)]
pub(crate) struct SiteTable {
    sites: HashMap<String, Arc<Site>>,
    fallback: Arc<rustls::ServerConfig>,
    fallback_presented: Presented,
    default_certificate: Arc<DefaultCertificate>,
}

impl SiteTable {
    /// Builds the table of `sites`, presenting `default_certificate` where a site has no bound
    /// certificate. A host listed twice keeps its first entry.
    pub(crate) fn build(
        sites: Vec<ServedSite>,
        default_certificate: Arc<DefaultCertificate>,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Self, FrontEndError> {
        let default_presented = Presented { origin: CertificateOrigin::Default, certificate: default_certificate.facts.clone() };
        let fallback = tls::server_config(default_certificate.key.clone(), MinTlsVersion::Tls12, provider)
            .map_err(|e| FrontEndError::Tls { host: wildcard_name(), message: e.to_string() })?;
        let mut table = HashMap::with_capacity(sites.len());
        for site in sites {
            if table.contains_key(&site.host) {
                continue;
            }
            let (key, presented, problem) = match &site.certificate {
                None => (default_certificate.key.clone(), default_presented.clone(), None),
                Some(bound) => match load_bound(bound, &site.host, provider) {
                    Ok(key) => (key, Presented { origin: CertificateOrigin::Bound, certificate: CertificateFacts::of_bound(bound) }, None),
                    Err(error) => {
                        crate::warn(format_args!("{error} ({}); the default certificate is presented", error.code()));
                        let problem = format!("{error}; the default certificate is presented instead");
                        (default_certificate.key.clone(), default_presented.clone(), Some(problem))
                    }
                },
            };
            let config = tls::server_config(key, site.min_tls_version, provider)
                .map_err(|e| FrontEndError::Tls { host: site.host.clone(), message: e.to_string() })?;
            let served = ServedNow {
                host: site.host.clone(),
                app: site.app,
                resource_group: site.resource_group,
                default_host: site.default_host,
                https_only: site.https_only,
                min_tls_version: site.min_tls_version,
                presented,
                problem,
            };
            table.insert(site.host, Arc::new(Site { served, tls: config }));
        }
        Ok(Self { sites: table, fallback, fallback_presented: default_presented, default_certificate })
    }

    /// The site of `host` (lower case, without port or trailing dot), if one is served.
    pub(crate) fn site(&self, host: &str) -> Option<&Arc<Site>> {
        self.sites.get(host)
    }

    /// The settings and certificate for a handshake that asked for `sni`: the site's, or the
    /// default certificate with TLS 1.2 and 1.3 for an unknown name or none.
    pub(crate) fn for_sni(&self, sni: Option<&str>) -> (Arc<rustls::ServerConfig>, Presented) {
        match sni.and_then(|name| self.site(&normalize_host(name))) {
            Some(site) => (site.tls.clone(), site.served.presented.clone()),
            None => (self.fallback.clone(), self.fallback_presented.clone()),
        }
    }

    /// The default certificate this table presents.
    pub(crate) fn default_certificate(&self) -> &Arc<DefaultCertificate> {
        &self.default_certificate
    }

    /// Every host name served, by app then host.
    pub(crate) fn served_now(&self) -> Vec<ServedNow> {
        let mut all: Vec<ServedNow> = self.sites.values().map(|site| site.served.clone()).collect();
        all.sort_by(|a, b| (&a.app, !a.default_host, &a.host).cmp(&(&b.app, !b.default_host, &b.host)));
        all
    }
}

/// A host name as the table keys it: lower case, without a trailing dot.
pub(crate) fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The bound certificate's chain and key, loaded for rustls (which checks that they match).
fn load_bound(bound: &ServedCertificate, host: &str, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, FrontEndError> {
    let refused = |reason: String| FrontEndError::BoundCertificate { thumbprint: bound.thumbprint.clone(), host: host.to_string(), reason };
    if bound.chain.is_empty() {
        return Err(refused("it has no certificate".into()));
    }
    let chain: Vec<CertificateDer<'static>> = bound.chain.iter().map(|der| CertificateDer::from(der.clone())).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bound.pkcs8.to_vec()));
    CertifiedKey::from_der(chain, key, provider).map(Arc::new).map_err(|e| refused(e.to_string()))
}

#[cfg(test)]
mod tests {
    //! What the core cannot be made to hand over (it checks every certificate it stores): a
    //! bound certificate whose key does not match, and a host listed twice.

    use super::*;

    /// A self-signed leaf for `name` and its key (PKCS#8 DER).
    fn self_signed(name: &str) -> (Vec<u8>, Vec<u8>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("a P-256 key");
        let certificate = rcgen::CertificateParams::new(vec![name.to_string()]).expect("a DNS name").self_signed(&key).expect("a leaf");
        (certificate.der().to_vec(), key.serialize_der())
    }

    fn site(host: &str, app: &str, certificate: Option<ServedCertificate>) -> ServedSite {
        ServedSite {
            app: app.into(),
            resource_group: "rg".into(),
            host: host.into(),
            default_host: false,
            https_only: false,
            min_tls_version: MinTlsVersion::Tls12,
            certificate,
        }
    }

    fn bound(leaf: &[u8], pkcs8: Vec<u8>) -> ServedCertificate {
        let facts = CertificateFacts::of_leaf(leaf).expect("the leaf parses");
        ServedCertificate {
            thumbprint: facts.thumbprint,
            serial_number: facts.serial_number,
            subject_name: facts.subject_name,
            expiration_date: facts.expiration_date,
            pkcs8: pkcs8.into(),
            chain: vec![leaf.to_vec()],
        }
    }

    #[test]
    fn a_bound_certificate_that_does_not_load_is_replaced_by_the_default_and_the_reason_kept() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let (default_leaf, default_key) = self_signed("*.azurewebsites.localhost");
        let key = CertifiedKey::from_der(
            vec![CertificateDer::from(default_leaf.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(default_key)),
            &provider,
        )
        .expect("the default certificate loads");
        let default = Arc::new(DefaultCertificate {
            key: Arc::new(key),
            facts: CertificateFacts::of_leaf(&default_leaf).expect("the default leaf parses"),
        });
        let (good_leaf, good_key) = self_signed("good.example.com");
        let (bad_leaf, _) = self_signed("bad.example.com");
        let (_, other_key) = self_signed("other.example.com");
        let sites = vec![
            site("good.example.com", "good", Some(bound(&good_leaf, good_key))),
            site("bad.example.com", "bad", Some(bound(&bad_leaf, other_key))),
            site("good.example.com", "impostor", None),
        ];
        let table = SiteTable::build(sites, default.clone(), &provider).expect("one bad certificate does not stop the table");

        let served = table.served_now();
        assert_eq!(served.len(), 2, "a host listed twice is served once: {served:?}");
        let good = served.iter().find(|s| s.host == "good.example.com").expect("the good host is served");
        assert_eq!((good.app.as_str(), good.presented.origin), ("good", CertificateOrigin::Bound), "the first entry of a host wins");
        let bad = served.iter().find(|s| s.host == "bad.example.com").expect("the bad host is still served");
        assert_eq!(bad.presented.origin, CertificateOrigin::Default, "a key that does not match its leaf is not presented");
        assert_eq!(bad.presented.certificate, default.facts, "the default certificate stands in");
        let problem = bad.problem.as_deref().expect("the reason is kept for the desktop");
        let thumbprint = CertificateFacts::of_leaf(&bad_leaf).expect("the leaf parses").thumbprint;
        assert!(problem.contains(&thumbprint) && problem.contains("does not load"), "the reason names the certificate: {problem}");

        let (_, presented) = table.for_sni(Some("GOOD.example.com."));
        assert_eq!(presented.origin, CertificateOrigin::Bound, "SNI is matched without case or a trailing dot");
        let (_, presented) = table.for_sni(Some("nosuch.example.com"));
        assert_eq!(presented.origin, CertificateOrigin::Default, "an unknown name gets the default certificate");
    }
}
