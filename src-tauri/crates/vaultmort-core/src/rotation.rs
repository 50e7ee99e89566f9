//! Key rotation policies: what Key Vault keeps per key about rotating it (`lifetimeActions`
//! with a `Rotate` or `Notify` action triggered some time after creation or before expiry, and
//! the `expiryTime` new versions get), and carrying them out.
//!
//! The policy is stored with the key object, so every version shares it and it follows the key
//! through soft delete and recovery. On every scheduler tick ([`Vaultmort::run_rotation_policies`],
//! part of `tick`) the newest version of each key with a stored policy is checked against the
//! shiftable clock: a due `Rotate` makes a new version (with `expiryTime` applied, the
//! `KeyNewVersionCreated` event recorded), a due `Notify` records `KeyNearExpiry` once per
//! version, as Key Vault publishes them to Event Grid. Work runs as the scheduler identity
//! through the same pipeline (audited, `Door::System`).
//!
//! Left out: keys in soft-deleted vaults and soft-deleted keys (nothing runs for them, as in
//! Azure), and the `KeyExpired` event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::actions;
use crate::keys::KeyVersion;
use crate::model::Vault;
use crate::renewal::RenewalReport;
use crate::storage::{EventRecord, ObjectRecord, VaultFilter};
use crate::{Error, ObjectKind, RequestContext, Result, StoreError, Vaultmort, objects};

const PROPERTY: &str = "rotationPolicy";
/// The object property naming the version a `Notify` action was carried out for.
const NOTIFIED_VERSION: &str = "rotationNotifiedVersion";

/// When a lifetime action fires: exactly one of the two, an ISO 8601 duration (`P90D`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationTrigger {
    /// After the version's creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_after_create: Option<String>,
    /// Before the version's expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_before_expiry: Option<String>,
}

/// One lifetime action of a rotation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationAction {
    /// When it fires.
    pub trigger: RotationTrigger,
    /// `Rotate` or `Notify`.
    pub action: String,
}

/// A key's rotation policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationPolicy {
    /// The lifetime actions.
    pub lifetime_actions: Vec<RotationAction>,
    /// The expiry new versions get, an ISO 8601 duration (`P2Y`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<String>,
    /// When it was first set (`None` for the default policy of a key that has none).
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// When it was last set.
    #[serde(default)]
    pub updated: Option<DateTime<Utc>>,
}

impl RotationPolicy {
    /// The policy of a key that has none: notify 30 days before expiry, as Key Vault shows.
    pub fn default_policy() -> Self {
        Self {
            lifetime_actions: vec![RotationAction {
                trigger: RotationTrigger { time_after_create: None, time_before_expiry: Some("P30D".into()) },
                action: "Notify".into(),
            }],
            expiry_time: None,
            created: None,
            updated: None,
        }
    }
}

impl RotationPolicy {
    /// The days of `expiryTime`, if the policy sets one.
    pub fn expiry_days(&self) -> Result<Option<u32>> {
        self.expiry_time.as_deref().map(duration_days).transpose()
    }

    /// Whether an action of this kind (`Rotate` or `Notify`) is due for a version created at
    /// `created` and expiring at `expires`, at `now`.
    fn due(&self, kind: &str, created: DateTime<Utc>, expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<bool> {
        for action in self.lifetime_actions.iter().filter(|a| a.action.eq_ignore_ascii_case(kind)) {
            let days = |text: &str| duration_days(text).map(|d| chrono::Duration::days(i64::from(d)));
            let at = match (&action.trigger.time_after_create, &action.trigger.time_before_expiry) {
                (Some(after), _) => Some(created + days(after)?),
                (None, Some(before)) => match expires {
                    Some(expires) => Some(expires - days(before)?),
                    None => None,
                },
                (None, None) => None,
            };
            if at.is_some_and(|at| now >= at) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A rotation policy as Key Vault's REST API and `az keyvault key rotation-policy update --value`
/// write it: `{"lifetimeActions": [{"trigger": {"timeAfterCreate": "P90D"}, "action": {"type":
/// "Rotate"}}], "attributes": {"expiryTime": "P1Y"}}`. Parsed here, once, for every door.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePolicy {
    #[serde(default)]
    lifetime_actions: Option<Vec<WireAction>>,
    #[serde(default)]
    attributes: Option<WireAttributes>,
}

#[derive(Debug, Deserialize)]
struct WireAction {
    trigger: RotationTrigger,
    action: WireActionType,
}

#[derive(Debug, Deserialize)]
struct WireActionType {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAttributes {
    #[serde(default)]
    expiry_time: Option<String>,
}

impl RotationPolicy {
    /// Reads Key Vault's JSON shape of a rotation policy (see [`WirePolicy`]); the rules are
    /// checked when the policy is set.
    pub fn from_wire(json: serde_json::Value) -> Result<Self> {
        let wire: WirePolicy = serde_json::from_value(json).map_err(|e| Error::bad(format!("the rotation policy is malformed: {e}")))?;
        Ok(Self {
            lifetime_actions: wire
                .lifetime_actions
                .unwrap_or_default()
                .into_iter()
                .map(|a| RotationAction { trigger: a.trigger, action: a.action.kind })
                .collect(),
            expiry_time: wire.attributes.and_then(|a| a.expiry_time),
            created: None,
            updated: None,
        })
    }

    /// Key Vault's JSON shape, without the `id` (which depends on the door's base URL) and with
    /// times as Unix seconds, as the REST API writes them.
    pub fn to_wire(&self) -> serde_json::Value {
        let actions: Vec<serde_json::Value> =
            self.lifetime_actions.iter().map(|a| serde_json::json!({"trigger": a.trigger, "action": {"type": a.action}})).collect();
        let mut attributes = serde_json::Map::new();
        if let Some(expiry) = &self.expiry_time {
            attributes.insert("expiryTime".into(), expiry.clone().into());
        }
        if let Some(created) = self.created {
            attributes.insert("created".into(), created.timestamp().into());
        }
        if let Some(updated) = self.updated {
            attributes.insert("updated".into(), updated.timestamp().into());
        }
        serde_json::json!({"lifetimeActions": actions, "attributes": attributes})
    }
}

/// The rotation policy stored with a key object, if one was set.
pub(crate) fn stored_policy(object: &ObjectRecord) -> Result<Option<RotationPolicy>> {
    object
        .properties
        .get(PROPERTY)
        .map(|stored| {
            serde_json::from_value(stored.clone())
                .map_err(|e| Error::Storage(StoreError::Corrupt(format!("rotation policy of key '{}': {e}", object.name))))
        })
        .transpose()
}

/// Records a key event (`KeyNewVersionCreated`, `KeyNearExpiry`) in the vault's event list.
pub(crate) async fn record_key_event(
    req: &mut crate::pipeline::Request<'_>,
    vault: &Vault,
    name: &str,
    version: &str,
    event_type: &str,
    data: serde_json::Value,
) -> Result<()> {
    let event = EventRecord {
        sequence: 0,
        time: req.now,
        vault_id: vault.id.clone(),
        vault_name: vault.name.clone(),
        event_type: event_type.to_string(),
        subject: format!("keys/{name}/{version}"),
        data,
    };
    req.tx.event_append(&event).await?;
    Ok(())
}

/// Days in an ISO 8601 date duration (`P1Y2M10D`, `P90D`, `P3M`), counting a year as 365 days
/// and a month as 30, as Key Vault's minimums do.
pub fn duration_days(text: &str) -> Result<u32> {
    let bad = || Error::bad(format!("'{text}' is not an ISO 8601 duration such as P90D, P3M or P1Y"));
    let rest = text.strip_prefix('P').or_else(|| text.strip_prefix('p')).ok_or_else(bad)?;
    if rest.is_empty() {
        return Err(bad());
    }
    let (mut days, mut number) = (0u64, String::new());
    for c in rest.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        days += n * match c.to_ascii_uppercase() {
            'Y' => 365,
            'M' => 30,
            'W' => 7,
            'D' => 1,
            _ => return Err(bad()),
        };
    }
    if !number.is_empty() {
        return Err(bad());
    }
    u32::try_from(days).map_err(|_| bad())
}

fn check(policy: &RotationPolicy) -> Result<()> {
    let expiry_days = policy.expiry_time.as_deref().map(duration_days).transpose()?;
    if expiry_days.is_some_and(|d| d < 28) {
        return Err(Error::bad("expiryTime must be at least 28 days (P28D)"));
    }
    for action in &policy.lifetime_actions {
        let kind = action.action.to_ascii_lowercase();
        if kind != "rotate" && kind != "notify" {
            return Err(Error::bad(format!("the lifetime action '{}' is not Rotate or Notify", action.action)));
        }
        let trigger = &action.trigger;
        let days = match (&trigger.time_after_create, &trigger.time_before_expiry) {
            (Some(after), None) => duration_days(after)?,
            (None, Some(before)) => {
                let days = duration_days(before)?;
                if expiry_days.is_some_and(|e| days >= e) {
                    return Err(Error::bad("timeBeforeExpiry must be shorter than the policy's expiryTime"));
                }
                days
            }
            _ => return Err(Error::bad("each trigger needs exactly one of timeAfterCreate and timeBeforeExpiry")),
        };
        if days < 7 {
            return Err(Error::bad("a lifetime action's trigger must be at least 7 days (P7D)"));
        }
        if kind == "notify" && trigger.time_after_create.is_some() {
            return Err(Error::bad("a Notify action is triggered by timeBeforeExpiry only"));
        }
    }
    Ok(())
}

impl Vaultmort {
    /// A key's rotation policy (Key Vault's default when none was set).
    pub async fn get_key_rotation_policy(&self, ctx: &RequestContext, vault_name: &str, name: &str) -> Result<RotationPolicy> {
        let mut req = self.request(ctx, actions::KEY_GET_ROTATION_POLICY).await?;
        req.set_object(format!("keys/{name}/rotationpolicy"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            let object = objects::active_object(req.tx.as_mut(), &vault, ObjectKind::Key, name).await?;
            Ok(stored_policy(&object)?.unwrap_or_else(RotationPolicy::default_policy))
        }
        .await;
        req.finish(result).await
    }

    /// Sets a key's rotation policy.
    pub async fn set_key_rotation_policy(
        &self,
        ctx: &RequestContext,
        vault_name: &str,
        name: &str,
        mut policy: RotationPolicy,
    ) -> Result<RotationPolicy> {
        let mut req = self.request(ctx, actions::KEY_SET_ROTATION_POLICY).await?;
        req.set_object(format!("keys/{name}/rotationpolicy"));
        let result = async {
            let vault = req.data_vault(vault_name).await?;
            check(&policy)?;
            let mut object = objects::active_object(req.tx.as_mut(), &vault, ObjectKind::Key, name).await?;
            let previous: Option<RotationPolicy> = object.properties.get(PROPERTY).and_then(|p| serde_json::from_value(p.clone()).ok());
            policy.created = previous.and_then(|p| p.created).or(Some(req.now));
            policy.updated = Some(req.now);
            let value = serde_json::to_value(&policy).map_err(|e| Error::Storage(StoreError::Corrupt(e.to_string())))?;
            match object.properties.as_object_mut() {
                Some(map) => {
                    map.insert(PROPERTY.into(), value);
                }
                None => object.properties = serde_json::json!({ PROPERTY: value }),
            }
            req.tx.object_put(&object).await?;
            Ok(policy)
        }
        .await;
        req.finish(result).await
    }
}

/// What one due key needs.
enum DueKeyAction {
    Rotate,
    Notify,
}

impl Vaultmort {
    /// Carries out every key rotation policy whose time has come on the shifted clock: Rotate
    /// makes a new version, Notify records `KeyNearExpiry` once per version. What was done goes
    /// into `report` (`keys_rotated`, `events`).
    pub async fn run_rotation_policies(&self, report: &mut RenewalReport) -> Result<()> {
        self.catch_up().await?;
        let now = self.clock.now();
        let vaults = {
            let mut tx = self.storage.begin_read().await?;
            tx.vault_list(&VaultFilter::default()).await?
        };
        for vault in vaults.into_iter().filter(|v| v.deletion.is_none()) {
            let keys = {
                let mut tx = self.storage.begin_read().await?;
                objects::latest_versions(tx.as_mut(), &vault, ObjectKind::Key).await?
            };
            for (object, latest) in keys {
                let Some(policy) = stored_policy(&object)? else { continue };
                let props: KeyVersion = objects::decode(&latest)?;
                if props.managed {
                    continue;
                }
                let (created, expires) = (props.attributes.created, props.attributes.expires);
                let notified = object.properties.get(NOTIFIED_VERSION).and_then(|v| v.as_str()) == Some(latest.version.as_str());
                let due = if policy.due("Rotate", created, expires, now)? {
                    DueKeyAction::Rotate
                } else if !notified && policy.due("Notify", created, expires, now)? {
                    DueKeyAction::Notify
                } else {
                    continue;
                };
                self.carry_out_rotation_policy(&vault.name, &object.name, &latest.version, due, report).await?;
            }
        }
        Ok(())
    }

    async fn carry_out_rotation_policy(
        &self,
        vault_name: &str,
        name: &str,
        version: &str,
        due: DueKeyAction,
        report: &mut RenewalReport,
    ) -> Result<()> {
        let ctx = crate::renewal::scheduler();
        let (action, rule) = match due {
            DueKeyAction::Rotate => (actions::KEY_ROTATE, "key rotation policy: Rotate"),
            DueKeyAction::Notify => (actions::KEY_UPDATE, "key rotation policy: Notify"),
        };
        let mut req = self.request(&ctx, action).await?;
        req.authorize_system(rule);
        req.set_vault(vault_name);
        req.set_object(format!("keys/{name}/{version}"));
        let result = async {
            let vault = match req.tx.vault_get(vault_name).await? {
                Some(v) if v.deletion.is_none() => v,
                _ => return Ok(()),
            };
            let (mut object, latest) = objects::active_version(req.tx.as_mut(), &vault, ObjectKind::Key, name, None).await?;
            if latest.version != version {
                // Rotated by someone else since the scan: the new version starts its own clock.
                return Ok(());
            }
            match due {
                DueKeyAction::Rotate => {
                    self.rotate_latest(&mut req, &vault, name).await?;
                    report.keys_rotated.push(format!("{}/{name}", vault.name));
                }
                DueKeyAction::Notify => {
                    let props: KeyVersion = objects::decode(&latest)?;
                    let data = serde_json::json!({"expires": props.attributes.expires});
                    record_key_event(&mut req, &vault, name, version, "KeyNearExpiry", data).await?;
                    match object.properties.as_object_mut() {
                        Some(map) => {
                            map.insert(NOTIFIED_VERSION.into(), serde_json::Value::String(version.to_string()));
                        }
                        None => object.properties = serde_json::json!({ NOTIFIED_VERSION: version }),
                    }
                    req.tx.object_put(&object).await?;
                    report.events.push(format!("KeyNearExpiry {}/{name}", vault.name));
                }
            }
            Ok(())
        }
        .await;
        req.finish(result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_count_days() {
        assert_eq!(duration_days("P90D").ok(), Some(90));
        assert_eq!(duration_days("P1Y2M").ok(), Some(425));
        assert!(duration_days("90D").is_err(), "the P is required");
        assert!(duration_days("P").is_err());
        assert!(duration_days("P5X").is_err());
    }

    #[test]
    fn policies_follow_key_vaults_rules() {
        let rotate_after = |d: &str| RotationPolicy {
            lifetime_actions: vec![RotationAction {
                trigger: RotationTrigger { time_after_create: Some(d.into()), time_before_expiry: None },
                action: "Rotate".into(),
            }],
            expiry_time: Some("P1Y".into()),
            created: None,
            updated: None,
        };
        assert!(check(&rotate_after("P90D")).is_ok());
        assert!(check(&rotate_after("P3D")).is_err(), "at least 7 days");
        assert!(check(&RotationPolicy::default_policy()).is_ok(), "the default passes its own rules");
    }
}
