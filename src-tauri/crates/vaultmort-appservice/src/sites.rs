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
                Some(bound) => match load_bound(bound, provider) {
                    Ok(key) => (key, Presented { origin: CertificateOrigin::Bound, certificate: CertificateFacts::of_bound(bound) }, None),
                    Err(reason) => {
                        crate::warn(format_args!(
                            "the certificate {} bound to {} does not load ({reason}); the default certificate is presented",
                            bound.thumbprint, site.host
                        ));
                        let problem = format!(
                            "the bound certificate {} could not be loaded ({reason}); the default certificate is presented instead",
                            bound.thumbprint
                        );
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
fn load_bound(bound: &ServedCertificate, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, String> {
    if bound.chain.is_empty() {
        return Err("it has no certificate".into());
    }
    let chain: Vec<CertificateDer<'static>> = bound.chain.iter().map(|der| CertificateDer::from(der.clone())).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bound.pkcs8.to_vec()));
    CertifiedKey::from_der(chain, key, provider).map(Arc::new).map_err(|e| e.to_string())
}
