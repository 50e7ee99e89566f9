//! The certificate scheduler: lifetime actions and expiry events on the shiftable clock.
//!
//! For the newest version of every certificate it fires each lifetime action whose trigger time
//! has come, once per version: AutoRenew makes a new version from the policy (a new key unless
//! the policy reuses it; never for issuer Unknown), EmailContacts writes a notification for the
//! vault's contacts to the outbox (no mail leaves the machine). It also records
//! CertificateNearExpiry (30 days before expiry) and CertificateExpired, as Key Vault sends them
//! to Event Grid (every new version, renewals included, records CertificateNewVersionCreated).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_certs::policy::ActionType;
use vaultmort_crypto::ProviderKey;

use crate::authz::actions;
use crate::certificates::{CertificateState, CertificateVersion};
use crate::context::{Door, Principal, PrincipalKind, RequestContext};
use crate::keys::KeyMaterialInfo;
use crate::objects::{self, StoredVersion};
use crate::storage::{EventRecord, VaultFilter};
use crate::{ObjectKind, Result, Vaultmort};

/// Days before expiry at which Key Vault raises CertificateNearExpiry.
pub const NEAR_EXPIRY_DAYS: i64 = 30;

/// What one scheduler run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalReport {
    /// Certificates renewed, as `vault/name`.
    pub renewed: Vec<String>,
    /// Contact notifications written.
    pub notified: Vec<String>,
    /// Events recorded.
    pub events: Vec<String>,
    /// Keys rotated by their rotation policy, as `vault/name`.
    #[serde(default)]
    pub keys_rotated: Vec<String>,
    /// App Service certificates from Key Vault looked at because their daily sync was due, as
    /// `group/name: status`.
    #[serde(default)]
    pub web_certificates_synced: Vec<String>,
}

/// An event or notification as callers see it.
pub type Event = EventRecord;

pub(crate) fn scheduler() -> RequestContext {
    RequestContext {
        principal: Principal {
            object_id: "vaultmort-scheduler".into(),
            name: "Vaultmort certificate scheduler".into(),
            kind: PrincipalKind::ManagedIdentity,
        },
        source: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        door: Door::System,
    }
}

enum Due {
    Action(ActionType, String),
    Event(&'static str),
}

impl Vaultmort {
    /// Runs every due lifetime action and expiry event, by the shifted clock.
    pub async fn run_lifetime_actions(&self) -> Result<RenewalReport> {
        self.catch_up().await?;
        let now = self.clock.now();
        let mut report = RenewalReport::default();
        let vaults = {
            let mut tx = self.storage.begin().await?;
            tx.vault_list(&VaultFilter::default()).await?
        };
        for vault in vaults {
            let certificates = {
                let mut tx = self.storage.begin().await?;
                objects::latest_versions(tx.as_mut(), &vault, ObjectKind::Certificate).await?
            };
            for (object, record) in certificates {
                let state: CertificateState = serde_json::from_value(object.properties.clone()).unwrap_or_default();
                let Some(policy) = state.policy else { continue };
                let props: CertificateVersion = objects::decode(&record)?;
                let (Some(not_before), Some(not_after)) = (props.attributes.not_before, props.attributes.expires) else { continue };
                let mut due = Vec::new();
                for action in policy.lifetime_rules()? {
                    let tag = format!("{}@{}", action.action.as_str(), trigger_label(&action.trigger));
                    if now >= action.trigger.due_at(not_before, not_after) && !props.extra.actions_done.contains(&tag) {
                        due.push(Due::Action(action.action, tag));
                    }
                }
                if now >= not_after - Duration::days(NEAR_EXPIRY_DAYS)
                    && !props.extra.actions_done.iter().any(|t| t == "CertificateNearExpiry")
                {
                    due.push(Due::Event("CertificateNearExpiry"));
                }
                if now >= not_after && !props.extra.actions_done.iter().any(|t| t == "CertificateExpired") {
                    due.push(Due::Event("CertificateExpired"));
                }
                for item in due {
                    self.fire(&vault.name, &object.name, &record.version, item, not_after, &mut report).await?;
                }
            }
        }
        Ok(report)
    }

    async fn fire(
        &self,
        vault_name: &str,
        name: &str,
        version: &str,
        due: Due,
        not_after: DateTime<Utc>,
        report: &mut RenewalReport,
    ) -> Result<()> {
        let ctx = scheduler();
        let action = match &due {
            Due::Action(ActionType::AutoRenew, _) => actions::CERTIFICATE_CREATE,
            _ => actions::CERTIFICATE_UPDATE,
        };
        let mut req = self.request(&ctx, action).await?;
        req.authorize_system("certificate policy lifetime action");
        req.set_vault(vault_name);
        req.set_object(format!("certificates/{name}/{version}"));
        let result = async {
            let vault = match req.tx.vault_get(vault_name).await? {
                Some(v) if v.deletion.is_none() => v,
                _ => return Ok(()),
            };
            let (object, mut record) =
                objects::active_version(req.tx.as_mut(), &vault, ObjectKind::Certificate, name, Some(version)).await?;
            let mut props: CertificateVersion = objects::decode(&record)?;
            let state: CertificateState = serde_json::from_value(object.properties.clone()).unwrap_or_default();
            let tag = match &due {
                Due::Action(_, tag) => tag.clone(),
                Due::Event(kind) => kind.to_string(),
            };
            let now = req.now;
            let event = |event_type: &str, data: serde_json::Value| EventRecord {
                sequence: 0,
                time: now,
                vault_id: vault.id.clone(),
                vault_name: vault.name.clone(),
                event_type: event_type.to_string(),
                subject: format!("certificates/{}/{version}", object.name),
                data,
            };
            match &due {
                Due::Event(kind) => {
                    let e = event(kind, serde_json::json!({"expires": not_after, "thumbprint": props.extra.x5t}));
                    req.tx.event_append(&e).await?;
                    report.events.push(format!("{kind} {}/{}", vault.name, object.name));
                }
                Due::Action(ActionType::EmailContacts, _) => {
                    let recipients: Vec<String> = vault.certificate_contacts.iter().map(|c| c.email.clone()).collect();
                    let days_left = (not_after - req.now).num_days();
                    let e = event(
                        "CertificateContactsNotified",
                        serde_json::json!({
                            "to": recipients,
                            "subject": format!("Certificate {} in vault {} expires in {days_left} days", object.name, vault.name),
                            "expires": not_after,
                            "daysLeft": days_left,
                        }),
                    );
                    req.tx.event_append(&e).await?;
                    report.notified.push(format!("{}/{}", vault.name, object.name));
                }
                Due::Action(ActionType::AutoRenew, _) => {
                    let policy = state.policy.clone().unwrap_or_else(vaultmort_certs::policy::CertificatePolicy::azure_default);
                    if policy.issuer_name().eq_ignore_ascii_case("Unknown") {
                        // Nothing can renew a certificate whose issuer is Unknown; mark it done.
                    } else {
                        let reuse = if policy.reuse_key() {
                            let key_record = req.tx.version_get(&vault.id, ObjectKind::Key, &object.name, Some(version)).await?;
                            match key_record {
                                Some(key_record) => {
                                    let key_props: StoredVersion<KeyMaterialInfo> = objects::decode(&key_record)?;
                                    let bytes = objects::open_material(self, req.tx.as_mut(), &key_record).await?;
                                    Some(vaultmort_crypto::NewKey {
                                        handle: ProviderKey { kind: key_props.extra.provider, bytes },
                                        public: key_props.extra.public,
                                    })
                                }
                                None => None,
                            }
                        } else {
                            None
                        };
                        let (key, reused) = self.certificate_key(req.tx.as_mut(), &vault, &policy, reuse).await?;
                        let issued = self.issue_now(&mut req, &vault, &policy, key, reused).await?;
                        self.store_issued(&mut req, &vault, &object.name, &issued, true, &props.tags).await?;
                        report.renewed.push(format!("{}/{}", vault.name, object.name));
                    }
                }
            }
            props.extra.actions_done.push(tag);
            record.properties = objects::encode(&props)?;
            req.tx.version_put(&record).await?;
            Ok(())
        }
        .await;
        req.finish(result).await
    }

    /// Events and contact notifications, oldest first; of one vault or all.
    pub async fn list_events(&self, ctx: &RequestContext, vault_name: Option<&str>, after: i64, limit: i64) -> Result<Vec<Event>> {
        let mut req = self.request(ctx, actions::LOG_READ).await?;
        let result = async {
            let vault_id = match vault_name {
                Some(name) => {
                    let vault = req.tx.vault_get(name).await?.ok_or_else(|| crate::Error::VaultNotFound(name.to_string()))?;
                    req.authorize(crate::authz::Scope::Vault(&vault)).await?;
                    Some(vault.id)
                }
                None => {
                    req.authorize(crate::authz::Scope::Tenant).await?;
                    None
                }
            };
            Ok(req.tx.event_list(vault_id.as_deref(), after, limit).await?)
        }
        .await;
        req.finish(result).await
    }

    /// The installation's periodic work: retention purges, certificate lifetime actions, then key
    /// rotation policies.
    pub async fn tick(&self) -> Result<(crate::vaults::SweepReport, RenewalReport)> {
        let sweep = self.sweep_retention().await?;
        let mut renewal = self.run_lifetime_actions().await?;
        self.run_rotation_policies(&mut renewal).await?;
        // After renewals, so that a certificate renewed in this run reaches its bindings in it.
        renewal.web_certificates_synced = self.sync_due_web_certificates().await?;
        Ok((sweep, renewal))
    }
}

fn trigger_label(trigger: &vaultmort_certs::policy::Trigger) -> String {
    match trigger {
        vaultmort_certs::policy::Trigger::LifetimePercentage(p) => format!("{p}%"),
        vaultmort_certs::policy::Trigger::DaysBeforeExpiry(d) => format!("{d}d"),
    }
}
