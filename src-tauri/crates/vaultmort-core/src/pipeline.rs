//! The request pipeline every operation passes: begin a transaction, authenticate, firewall (data
//! plane only), authorize, run, audit, commit. The stages that need stored facts (the caller's
//! directory entry and groups, role assignments, the vault's policies and firewall) read them
//! through the request's own transaction, and the caller's directory entry is read once: for a
//! token's caller ([`RequestContext::must_be_in_directory`]) the authenticate stage runs first
//! and refuses a principal the directory no longer knows (401), and the same read serves the
//! authorization. It fails closed: an operation that never asked for
//! authorization is refused, a caller nothing grants is refused, and a request whose audit
//! record cannot be written is refused and rolled back.
//!
//! A write request's record commits in its own transaction, with the change. The records of
//! reads and of failed requests go through the access log's group commit
//! ([`crate::audit_queue`]): the request gives up its store session first and answers only once
//! its record is durable, so requests that finish together share one commit.
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

use crate::audit::Parameters;
use crate::authz::{Action, Facts, Permission, Scope, Target, describe};
use crate::context::{Principal, RequestContext};
use crate::directory::DirectoryObject;
use crate::model::Vault;
use crate::storage::{AuditRecord, Transaction};
use crate::{Error, ObjectKind, Result, Vaultmort};

/// One request in flight.
pub(crate) struct Request<'a> {
    pub(crate) core: &'a Vaultmort,
    pub(crate) ctx: &'a RequestContext,
    /// Who is calling, as the access log records it: the door's principal, or for a token's
    /// caller the directory's current entry once authenticated.
    principal: Principal,
    pub(crate) tx: Box<dyn Transaction>,
    pub(crate) now: DateTime<Utc>,
    started: Instant,
    action: Action,
    vault: Option<String>,
    object: Option<String>,
    rule: Option<String>,
    flags: Vec<String>,
    parameters: Parameters,
    /// What the authenticate stage read about the caller; loaded once per request.
    caller: Option<Caller>,
}

/// The caller's directory entry and the facts the authorizer needs about it.
struct Caller {
    /// `None` when the directory does not know the caller.
    entry: Option<DirectoryObject>,
    /// Its identities, and its roles once [`Caller::with_roles`].
    facts: Facts,
    /// Whether `facts` holds role assignments and definitions (a data request in access-policy
    /// mode needs only the identities).
    with_roles: bool,
}

impl Vaultmort {
    /// Starts a request: one transaction and one instant of the clock. A token's caller is
    /// authenticated here, before anything else; a refusal is audited and returned.
    pub(crate) async fn request<'a>(&'a self, ctx: &'a RequestContext, action: Action) -> Result<Request<'a>> {
        let started = Instant::now();
        self.catch_up().await?;
        let tx = if action.read_only { self.storage.begin_read().await? } else { self.storage.begin().await? };
        let mut req = Request {
            core: self,
            ctx,
            principal: ctx.principal.clone(),
            tx,
            now: self.clock.now(),
            started,
            action,
            vault: None,
            object: None,
            rule: None,
            flags: Vec::new(),
            parameters: Parameters::new(),
            caller: None,
        };
        if ctx.must_be_in_directory()
            && let Err(refusal) = req.authenticate().await
        {
            return Err(req.refuse(refusal).await);
        }
        Ok(req)
    }
}

impl Request<'_> {
    /// Records the object the request concerns (`keys/name/version`) for the access log.
    pub(crate) fn set_object(&mut self, path: String) {
        self.object = Some(path);
    }

    /// Raises a flag for the access log (and the caller's result).
    pub(crate) fn flag(&mut self, flag: &str) {
        if !self.flags.iter().any(|f| f == flag) {
            self.flags.push(flag.to_string());
        }
    }

    /// Records a sensitive request parameter as a keyed digest; the value itself never reaches
    /// the log.
    pub(crate) fn note_sensitive(&mut self, name: &str, value: &[u8]) {
        let digest = self.core.keyed_digest(b"audit-parameter", value);
        self.parameters.insert(name.to_string(), format!("hmac-sha256:{digest}"));
    }

    /// The authenticate stage for a token's caller: the directory must know the principal (a
    /// user, application or managed identity, not a group), and its current entry names the
    /// caller from here on.
    async fn authenticate(&mut self) -> Result<()> {
        self.caller_facts(false).await?;
        let known = self.caller.as_ref().and_then(|caller| caller.entry.as_ref()).and_then(|entry| {
            entry.principal_kind().map(|kind| Principal { object_id: entry.object_id.clone(), name: entry.sign_in_name(), kind })
        });
        match known {
            Some(principal) => {
                self.principal = principal;
                Ok(())
            }
            None => {
                self.rule = Some("authenticate: the token's principal is not in the directory".to_string());
                Err(Error::Unauthenticated(format!(
                    "the token's principal {} is not known to this installation",
                    self.ctx.principal.object_id
                )))
            }
        }
    }

    /// What the authorizer needs about the caller: its directory entry and groups through nesting
    /// (one read of the directory, shared with the authenticate stage), and with `with_roles` its
    /// role assignments and the role definitions. Each part is read at most once per request.
    pub(crate) async fn caller_facts(&mut self, with_roles: bool) -> Result<Facts> {
        let caller = match &mut self.caller {
            Some(caller) => caller,
            None => {
                let (entry, facts) = crate::access_check::identity_facts(self.tx.as_mut(), &self.principal.object_id).await?;
                self.caller.insert(Caller { entry, facts, with_roles: false })
            }
        };
        if with_roles && !caller.with_roles {
            crate::access_check::add_roles(self.tx.as_mut(), &mut caller.facts).await?;
            caller.with_roles = true;
        }
        Ok(caller.facts.clone())
    }

    /// The object a data request concerns, from the path recorded with [`Request::set_object`]
    /// (`secrets/name`, `deletedkeys/name`, `certificates/name/version`).
    fn object_target(&self) -> Option<(ObjectKind, String)> {
        let path = self.object.as_deref()?;
        if path.starts_with("certificates/issuers/") || path == "certificates/contacts" {
            // Issuers and contacts belong to the vault, not to one certificate.
            return None;
        }
        let path = path.strip_prefix("deleted").unwrap_or(path);
        let mut parts = path.split('/');
        let kind = match parts.next()? {
            "keys" => ObjectKind::Key,
            "secrets" => ObjectKind::Secret,
            "certificates" => ObjectKind::Certificate,
            _ => return None,
        };
        parts.next().filter(|n| !n.is_empty()).map(|name| (kind, name.to_string()))
    }

    /// Runs authenticate, firewall (data actions on a vault) and authorize against `scope`.
    pub(crate) async fn authorize(&mut self, scope: Scope<'_>) -> Result<()> {
        if let Scope::Vault(vault) = scope {
            self.vault = Some(vault.name.clone());
        }
        let policy_mode_data = self.action.is_data() && matches!(scope, Scope::Vault(vault) if !vault.rbac_authorization);
        let facts = self.caller_facts(!policy_mode_data).await?;
        let caller = self.caller.as_ref().and_then(|caller| caller.entry.clone());
        let mut firewall_rule = None;
        if let (true, Scope::Vault(vault)) = (self.action.is_data(), scope) {
            match crate::firewall::check(vault, self.ctx.source, caller.as_ref()) {
                Ok(rule) => firewall_rule = Some(rule),
                Err(refusal) => {
                    self.rule = Some(format!("firewall: {} refused from {}", vault.name, self.ctx.source));
                    return Err(refusal);
                }
            }
        }
        let object = self.object_target();
        let target = Target { scope, object: object.as_ref().map(|(kind, name)| (*kind, name.as_str())) };
        let decision = self.core.authorizer.authorize(&self.principal.name, &self.action, target, &facts);
        self.rule = Some(match firewall_rule {
            Some(firewall) if !firewall.ends_with("default action Allow") => format!("{firewall}; {}", decision.rule),
            _ => decision.rule.clone(),
        });
        if decision.allowed {
            return Ok(());
        }
        let who = format!("'{}' (object id {})", self.principal.name, self.principal.object_id);
        Err(match (self.action.permission, scope) {
            (Permission::Data { kind, permission, .. }, Scope::Vault(vault)) => Error::AccessDenied {
                by_rbac: vault.rbac_authorization,
                message: format!(
                    "The user, group or application {who} does not have {} {permission} permission on key vault '{}' ({}): {}",
                    kind.collection(),
                    vault.name,
                    describe(&self.action),
                    decision.rule
                ),
            },
            _ => Error::Forbidden(format!(
                "The client {who} does not have authorization to perform action '{}' over scope '{}': {}",
                describe(&self.action),
                scope.path(),
                decision.rule
            )),
        })
    }

    /// Authorizes a management action at a scope given by its resource id (role assignments,
    /// custom roles).
    pub(crate) async fn authorize_path(&mut self, path: &str) -> Result<()> {
        self.authorize(Scope::Resource(path)).await
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
        debug_assert!(self.action.is_data());
        self.authorize(Scope::Vault(&vault)).await?;
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
        self.authorize(Scope::Vault(&resolved.vault)).await?;
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

    /// Ends a request that failed before its operation ran: audits the refusal and returns it.
    async fn refuse(self, error: Error) -> Error {
        match self.finish::<()>(Err(error)).await {
            Err(error) => error,
            // `finish` passes a failure on; were it ever to turn one into success, refuse all
            // the same.
            Ok(()) => Error::Forbidden("the request was refused".to_string()),
        }
    }

    /// Ends the request: audits it, then commits on success or rolls back on failure.
    pub(crate) async fn finish<T>(self, result: Result<T>) -> Result<T> {
        let Request { core, ctx, principal, mut tx, now, started, action, vault, object, rule, flags, parameters, caller: _ } = self;
        let result = match (result, &rule) {
            (Ok(_), None) => Err(Error::Forbidden(format!("{} was not authorized; refused", action.operation))),
            (result, _) => result,
        };
        let record = AuditRecord {
            sequence: 0,
            time: now,
            operation: action.operation.to_string(),
            caller_object_id: principal.object_id,
            caller_name: principal.name,
            caller_type: principal.kind.as_str().to_string(),
            client_address: ctx.source.to_string(),
            door: ctx.door.as_str().to_string(),
            vault,
            object,
            // A failure is recorded in its wire form, as every door answers it.
            status: result.as_ref().err().map_or(200, Error::status),
            error_code: result.as_ref().err().map(|e| e.code().to_string()),
            duration_micros: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
            rule: rule.unwrap_or_else(|| "not reached".to_string()),
            flags,
            parameters,
            previous_hash: String::new(),
            hash: String::new(),
        };
        match result {
            Ok(value) if !action.read_only => {
                // A change and its record commit together, or neither does.
                tx.audit_append(&record, core.audit.chain()).await.map_err(|e| Error::AuditUnavailable(e.to_string()))?;
                tx.commit().await?;
                Ok(value)
            }
            Ok(value) => {
                // A read changed nothing: release its session, then wait for the record's group
                // commit; the value is returned only once the record is durable.
                drop(tx);
                core.audit.append(record).await?;
                Ok(value)
            }
            Err(error) => {
                drop(tx);
                core.audit.append(record).await?;
                Err(error)
            }
        }
    }
}
