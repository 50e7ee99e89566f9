//! App Service practice: App Service plans, web apps with custom domains, App Service
//! certificates (uploaded PFX files or Key Vault certificates) and SNI SSL bindings, plus the
//! practice DNS zones that custom domains are verified against. It is where the PetDash story
//! ends: a vault's certificate is imported into a web app, bound to `www.petdash.com`, and each
//! renewed version reaches the binding by itself.
//!
//! These are management-plane resources (`Microsoft.Web`, `Microsoft.Network/dnsZones`), so every
//! operation passes the pipeline with a management action and is authorized at the resource
//! group. Reading a vault for an import or a sync is a data-plane request of its own, made as
//! the App Service resource provider's principal ([`crate::directory::APP_SERVICE_APP_ID`]): it
//! passes the vault's firewall and access rules and appears in the access log like any request.
//!
//! What serves the sites is not here: the local HTTPS front end (`vaultmort-appservice`) asks
//! [`Vaultmort::served_sites`] what to present for each host name and reloads it when the store
//! announces a change. Left out: IP-based SSL, wildcard custom domains, deployment slots and the
//! user's own process behind a site (a later issue).
//!
//! The parts: [`model`] (the records), [`dns`] (zones, record sets and the domain check),
//! [`webapps`] (plans, apps, host names and site settings), [`certificates`] (upload, Key Vault
//! import, bindings, sync) and [`served`] (what the front end presents).

pub mod certificates;
pub mod dns;
pub mod model;
pub mod served;
pub mod webapps;

pub use model::*;
pub use served::{ServedCertificate, ServedSite};

impl crate::Vaultmort {
    /// Finishes a request that changed what the front end serves and, once it is committed,
    /// tells every door of the home (the front end reloads on that).
    pub(crate) async fn finish_announced<T>(&self, req: crate::pipeline::Request<'_>, result: crate::Result<T>) -> crate::Result<T> {
        let value = req.finish(result).await?;
        self.announce_shared_change()?;
        Ok(value)
    }
}
