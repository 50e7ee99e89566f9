//! The request pipeline every operation passes: begin a transaction, (firewall), authorize, run,
//! audit, commit. It fails closed: an operation that never asked for authorization is refused,
//! and a request whose audit record cannot be written is refused and rolled back.
//!
//! Operations follow one shape:
//!
//! ```text
//! let mut req = self.request(ctx, actions::SECRET_GET).await?;
//! let result = async { let vault = req.data_vault(name).await?; /* work on req.tx */ }.await;
//! req.finish(result).await
//! ```

use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::authz::{Action, Permission, Scope, describe};
use crate::context::RequestContext;
use crate::model::Vault;
use crate::storage::{AuditRecord, Transaction};
use crate::{Error, Result, Vaultmort};

/// One request in flight.
pub(crate) struct Request<'a> {
    pub(crate) core: &'a Vaultmort,
    pub(crate) ctx: &'a RequestContext,
    pub(crate) tx: Box<dyn Transaction>,
    pub(crate) now: DateTime<Utc>,
    started: Instant,
    action: Action,
    vault: Option<String>,
    object: Option<String>,
    rule: Option<String>,
}

impl Vaultmort {
    /// Starts a request: one transaction and one instant of the clock.
    pub(crate) async fn request<'a>(&'a self, ctx: &'a RequestContext, action: Action) -> Result<Request<'a>> {
        let started = Instant::now();
        let tx = if action.read_only { self.storage.begin_read().await? } else { self.storage.begin().await? };
        Ok(Request { core: self, ctx, tx, now: self.clock.now(), started, action, vault: None, object: None, rule: None })
    }
}

impl Request<'_> {
    /// Records the object the request concerns (`keys/name/version`) for the access log.
    pub(crate) fn set_object(&mut self, path: String) {
        self.object = Some(path);
    }

    /// Runs the authorize stage against `scope`.
    pub(crate) fn authorize(&mut self, scope: Scope<'_>) -> Result<()> {
        if let Scope::Vault(vault) = scope {
            self.vault = Some(vault.name.clone());
        }
        let decision = self.core.authorizer.authorize(self.ctx, &self.action, scope);
        self.rule = Some(decision.rule.clone());
        if decision.allowed {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} ({}) may not perform {} here: {}",
                self.ctx.principal.name,
                self.ctx.principal.object_id,
                describe(&self.action),
                decision.rule
            )))
        }
    }

    /// Marks work the installation does by itself (retention purges) as authorized by `rule`.
    pub(crate) fn authorize_system(&mut self, rule: &str) {
        self.rule = Some(rule.to_string());
    }

    /// Records the vault a request concerns without an authorization decision about it.
    pub(crate) fn set_vault(&mut self, name: &str) {
        self.vault = Some(name.to_string());
    }

    /// Loads an active vault by name for a data-plane operation and authorizes against it.
    pub(crate) async fn data_vault(&mut self, name: &str) -> Result<Vault> {
        self.vault = Some(name.to_string());
        let vault = match self.tx.vault_get(name).await? {
            Some(vault) if vault.deletion.is_none() => vault,
            _ => return Err(Error::VaultNotFound(name.to_string())),
        };
        debug_assert!(matches!(self.action.permission, Permission::Data(..)));
        self.authorize(Scope::Vault(&vault))?;
        Ok(vault)
    }

    /// Loads an active vault with one version of an object (the newest when `version` is
    /// `None`) in one storage step, authorizing against the vault before anything about the
    /// object is looked at.
    pub(crate) async fn data_version(
        &mut self,
        vault_name: &str,
        kind: crate::ObjectKind,
        name: &str,
        version: Option<&str>,
    ) -> Result<(Vault, crate::storage::ObjectRecord, crate::storage::VersionRecord)> {
        self.vault = Some(vault_name.to_string());
        let resolved = self.tx.resolve(vault_name, kind, name, version).await?;
        let resolved = match resolved {
            Some(resolved) if resolved.vault.deletion.is_none() => resolved,
            _ => return Err(Error::VaultNotFound(vault_name.to_string())),
        };
        self.authorize(Scope::Vault(&resolved.vault))?;
        crate::names::check_object_name(kind, name)?;
        let not_found = |version: Option<&str>| Error::ObjectNotFound {
            kind,
            vault: resolved.vault.name.clone(),
            name: name.to_string(),
            version: version.map(str::to_string),
        };
        let object = match resolved.object {
            Some(object) if object.deletion.is_none() => object,
            _ => return Err(not_found(None)),
        };
        let record = resolved.version.ok_or_else(|| not_found(version))?;
        self.object = Some(format!("{}/{}/{}", kind.collection(), object.name, record.version));
        Ok((resolved.vault, object, record))
    }

    /// Ends the request: audits it, then commits on success or rolls back on failure.
    pub(crate) async fn finish<T>(self, result: Result<T>) -> Result<T> {
        let Request { core, ctx, mut tx, now, started, action, vault, object, rule } = self;
        let result = match (result, &rule) {
            (Ok(_), None) => Err(Error::Forbidden(format!("{} was not authorized; refused", action.operation))),
            (result, _) => result,
        };
        let record = AuditRecord {
            sequence: 0,
            time: now,
            operation: action.operation.to_string(),
            caller_object_id: ctx.principal.object_id.clone(),
            caller_name: ctx.principal.name.clone(),
            client_address: ctx.source.to_string(),
            door: serde_json::to_value(ctx.door).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            vault,
            object,
            status: match &result {
                Ok(_) => 200,
                Err(e) => e.status(),
            },
            error_code: result.as_ref().err().map(|e| e.code().to_string()),
            duration_micros: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
            rule: rule.unwrap_or_else(|| "not reached".to_string()),
        };
        match result {
            Ok(value) => {
                tx.audit_append(&record).await.map_err(|e| Error::AuditUnavailable(e.to_string()))?;
                tx.commit().await?;
                Ok(value)
            }
            Err(error) => {
                drop(tx);
                let mut audit_tx = core.storage.begin().await.map_err(|e| Error::AuditUnavailable(e.to_string()))?;
                audit_tx.audit_append(&record).await.map_err(|e| Error::AuditUnavailable(e.to_string()))?;
                audit_tx.commit().await.map_err(|e| Error::AuditUnavailable(e.to_string()))?;
                Err(error)
            }
        }
    }
}
