//! Key rotation policies: what Key Vault keeps per key about rotating it (`lifetimeActions`
//! with a `Rotate` or `Notify` action triggered some time after creation or before expiry, and
//! the `expiryTime` new versions get). The policy is stored with the key object, so every
//! version shares it and it follows the key through soft delete and recovery.
//!
//! Left out for now: carrying the policy out (automatic rotation and notifications on the
//! clock's tick) and applying `expiryTime` to new versions; the policy is kept and checked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::actions;
use crate::{Error, ObjectKind, RequestContext, Result, StoreError, Vaultmort, objects};

const PROPERTY: &str = "rotationPolicy";

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
            match object.properties.get(PROPERTY) {
                Some(stored) => serde_json::from_value(stored.clone())
                    .map_err(|e| Error::Storage(StoreError::Corrupt(format!("rotation policy of key '{name}': {e}")))),
                None => Ok(RotationPolicy::default_policy()),
            }
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
