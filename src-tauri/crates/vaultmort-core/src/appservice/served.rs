//! What the local HTTPS front end presents: for every web app its default host name (served with
//! the front end's built-in wildcard certificate) and each custom host name with the certificate
//! bound to it, if any. The front end asks again whenever the store announces a change
//! ([`Vaultmort::shared_change_stamp`]), which every App Service write and every sync makes.

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::certificates::open_key_and_chain;
use super::model::{self, SslState, WebApp, WebCertificate};
use crate::authz::actions;
use crate::storage::ResourceKind;
use crate::{RequestContext, Result, Vaultmort};

/// A certificate the front end presents, with its private key (PKCS#8 DER) and chain (DER, leaf
/// first). It exists only in memory; `Debug` leaves the key out.
#[derive(Clone)]
pub struct ServedCertificate {
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// Serial number, upper-case hex.
    pub serial_number: String,
    /// The subject's common name.
    pub subject_name: String,
    /// Not after.
    pub expiration_date: DateTime<Utc>,
    /// The private key, PKCS#8 DER.
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// The chain, leaf first, DER.
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for ServedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedCertificate")
            .field("thumbprint", &self.thumbprint)
            .field("serial_number", &self.serial_number)
            .field("subject_name", &self.subject_name)
            .field("expiration_date", &self.expiration_date)
            .finish_non_exhaustive()
    }
}

/// One host name the front end answers for.
#[derive(Debug, Clone)]
pub struct ServedSite {
    /// The web app's name.
    pub app: String,
    /// Its resource group.
    pub resource_group: String,
    /// The host name, lower case.
    pub host: String,
    /// Whether this is the app's default host name (`<app>.azurewebsites.localhost`).
    pub default_host: bool,
    /// Whether HTTP is redirected to HTTPS.
    pub https_only: bool,
    /// The lowest TLS version accepted.
    pub min_tls_version: model::MinTlsVersion,
    /// The bound certificate; `None` means the built-in default certificate (which names only
    /// `*.azurewebsites.localhost`).
    pub certificate: Option<ServedCertificate>,
}

impl Vaultmort {
    /// Every host name of every web app, with what to present for it. Called by the front end
    /// (as the system) when the store announced a change.
    pub async fn served_sites(&self, ctx: &RequestContext) -> Result<Vec<ServedSite>> {
        let mut req = self.request(ctx, actions::WEB_FRONT_END_READ).await?;
        let result = async {
            if ctx.door == crate::Door::System {
                req.authorize_system("the App Service front end reads what to present for each host name");
            } else {
                req.authorize(crate::authz::Scope::Tenant).await?;
            }
            let apps: Vec<WebApp> = model::load_all(req.tx.as_mut(), ResourceKind::WebApp).await?;
            let mut sites = Vec::new();
            for app in apps {
                let site = |host: &str, default_host: bool, certificate: Option<ServedCertificate>| ServedSite {
                    app: app.name.clone(),
                    resource_group: app.resource_group.clone(),
                    host: host.to_ascii_lowercase(),
                    default_host,
                    https_only: app.https_only,
                    min_tls_version: app.min_tls_version,
                    certificate,
                };
                sites.push(site(&app.default_host_name, true, None));
                for binding in &app.host_names {
                    let certificate = match (&binding.ssl_state, &binding.certificate_id) {
                        (SslState::SniEnabled, Some(id)) => match req.tx.resource_get(ResourceKind::WebCertificate, id).await? {
                            Some(record) => {
                                let certificate: WebCertificate = model::decode(&record)?;
                                let (pkcs8, chain) = open_key_and_chain(self, req.tx.as_mut(), &record).await?;
                                Some(ServedCertificate {
                                    thumbprint: certificate.thumbprint,
                                    serial_number: certificate.serial_number,
                                    subject_name: certificate.subject_name,
                                    expiration_date: certificate.expiration_date,
                                    pkcs8,
                                    chain,
                                })
                            }
                            None => None,
                        },
                        _ => None,
                    };
                    sites.push(site(&binding.name, false, certificate));
                }
            }
            Ok(sites)
        }
        .await;
        req.finish(result).await
    }

    /// A value that changes whenever any door of this home announces a change to what is shared
    /// (App Service resources, the clock's shift, settings). Cheap; the front end polls it.
    pub fn shared_change_stamp(&self) -> Result<crate::storage::ChangeStamp> {
        Ok(self.storage.shared_change_stamp()?)
    }
}
