//! Practice DNS: zones with A, CNAME and TXT record sets, and the check App Service runs before a
//! custom domain may be added ([`check_host_name`]): an `asuid.<host>` TXT record holding the
//! app's verification id proves ownership, and a CNAME to the app's default host name (or an A
//! record to its inbound address; the apex can have only an A record) routes it.
//!
//! A zone name is unique in the installation, since the practice has one resolver; nothing
//! outside Vaultmort reads these zones. Left out: other record types, delegation, and TTL
//! behaviour (TTLs are kept and shown, not waited for).

use serde::{Deserialize, Serialize};

use super::model::{self, DnsZone, PRACTICE_INBOUND_ADDRESS, RecordSet, RecordType, WebApp};
use crate::authz::{Scope, actions};
use crate::storage::ResourceKind;
use crate::{Error, RequestContext, Result, Vaultmort};

/// The type Azure gives DNS zones.
const ZONE_TYPE: &str = "Microsoft.Network/dnsZones";
/// The TTL a record set gets when none is given (az's default).
pub const DEFAULT_TTL: u32 = 3600;
/// The most record sets one zone holds, and values one set holds.
const MAX_RECORD_SETS: usize = 1000;
const MAX_VALUES: usize = 100;

/// Names a resource in a resource group of a subscription (the default subscription when
/// `subscription` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// Subscription id or name.
    pub subscription: Option<String>,
    /// Resource group name.
    pub resource_group: String,
    /// The resource's name.
    pub name: String,
}

/// How a record change applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordChangeMode {
    /// Adds a value to the set (`add-record`), making the set if needed.
    Add,
    /// Replaces the set's values with this one (`set-record`; the only way for a CNAME).
    Set,
    /// Removes a value (`remove-record`); an empty set goes away.
    Remove,
}

/// A change to one record set of a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordChange {
    /// The name relative to the zone (`www`, `asuid.www`, `@`).
    pub name: String,
    /// The type.
    pub record_type: RecordType,
    /// The value (an IPv4 address, a host name, a text).
    pub value: String,
    /// Time to live; [`DEFAULT_TTL`] when `None`.
    pub ttl: Option<u32>,
    /// Add, set or remove.
    pub mode: RecordChangeMode,
}

/// One record App Service looks for, and whether the zone has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedRecord {
    /// `ownership` (the TXT record) or `routing` (the CNAME or the A record; one is enough).
    pub purpose: String,
    /// The zone it belongs in (`petdash.com`), if a zone holds the host name.
    pub zone: Option<String>,
    /// The name relative to that zone (`asuid.www`), or the full name without a zone.
    pub name: String,
    /// The type.
    pub record_type: RecordType,
    /// The value it must hold.
    pub value: String,
    /// Whether the zone holds it.
    pub present: bool,
}

/// The outcome of App Service's domain check for one host name and web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostNameCheck {
    /// The host name checked.
    pub host_name: String,
    /// The zone holding it, if any.
    pub zone: Option<String>,
    /// The records looked for: the TXT, then the CNAME and A alternatives.
    pub records: Vec<ExpectedRecord>,
    /// Whether the host name may be added: the TXT is present and one routing record is.
    pub verified: bool,
}

impl HostNameCheck {
    /// Why the check failed, in one message naming each missing record and its value.
    pub fn failure(&self, app: &str) -> Option<Error> {
        if self.verified {
            return None;
        }
        let describe = |r: &ExpectedRecord| {
            let article = if r.record_type == RecordType::A { "an" } else { "a" };
            format!("{article} {} record '{}' holding '{}'", r.record_type.as_str(), r.name, r.value)
        };
        let ownership: Vec<String> = self.records.iter().filter(|r| r.purpose == "ownership" && !r.present).map(describe).collect();
        let routing_present = self.records.iter().any(|r| r.purpose == "routing" && r.present);
        let routing: Vec<String> = self.records.iter().filter(|r| r.purpose == "routing").map(describe).collect();
        let mut missing = Vec::new();
        if !ownership.is_empty() {
            missing.push(format!("{} to prove the domain is yours", ownership.join(", ")));
        }
        if !routing_present {
            missing.push(format!("{} to route it to the app", routing.join(", or ")));
        }
        let place = match &self.zone {
            Some(zone) => format!("in practice DNS zone '{zone}'"),
            None => format!(
                "in a practice DNS zone, and no zone holds '{}' yet: create one for its domain first (`network dns zone create`)",
                self.host_name
            ),
        };
        Some(Error::AppService {
            code: "HostNameNotVerified",
            status: 400,
            message: format!(
                "custom domain '{}' cannot be added to web app '{app}': add {} {place}",
                self.host_name,
                missing.join(", and "),
            ),
        })
    }
}

/// Checks a DNS name (host name or zone name): labels of letters, digits and hyphens, 1-63
/// characters each, at most 253 in all, at least two labels.
pub fn check_dns_name(name: &str, what: &str) -> Result<String> {
    let lower = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let bad = |why: &str| Error::bad(format!("'{name}' is not a valid {what}: {why}"));
    if lower.is_empty() || lower.len() > 253 {
        return Err(bad("a DNS name is 1 to 253 characters"));
    }
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("it needs at least two labels, such as petdash.com"));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("each label is 1 to 63 characters"));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || label.starts_with('-') || label.ends_with('-') {
            return Err(bad("labels hold letters, digits and inner hyphens only"));
        }
    }
    Ok(lower)
}

/// Checks a record set name relative to its zone (`@`, `www`, `asuid.www`, `_acme`).
fn check_record_name(name: &str) -> Result<String> {
    let lower = name.trim().to_ascii_lowercase();
    if lower == "@" {
        return Ok(lower);
    }
    let valid = !lower.is_empty()
        && lower.len() <= 253
        && lower.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if !valid {
        return Err(Error::bad(format!(
            "'{name}' is not a record set name; use '@' for the zone itself or labels such as www or asuid.www"
        )));
    }
    Ok(lower)
}

/// Checks and normalizes a record value for its type.
fn check_record_value(record_type: RecordType, value: &str) -> Result<String> {
    match record_type {
        RecordType::A => value
            .trim()
            .parse::<std::net::Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| Error::bad(format!("'{value}' is not an IPv4 address, which an A record holds"))),
        RecordType::Cname => check_dns_name(value, "canonical name"),
        RecordType::Txt => {
            if value.is_empty() || value.len() > 1024 || value.chars().any(char::is_control) {
                return Err(Error::bad("a TXT value is 1 to 1024 characters, without control characters"));
            }
            Ok(value.to_string())
        }
    }
}

/// The zone holding `host`: the one whose name is its longest suffix.
pub(crate) fn zone_of<'z>(zones: &'z [DnsZone], host: &str) -> Option<&'z DnsZone> {
    zones
        .iter()
        .filter(|z| host.eq_ignore_ascii_case(&z.name) || host.to_ascii_lowercase().ends_with(&format!(".{}", z.name.to_ascii_lowercase())))
        .max_by_key(|z| z.name.len())
}

/// App Service's domain check of `host` for `app` against the practice zones.
pub(crate) fn check_host_name(zones: &[DnsZone], app: &WebApp, host: &str) -> HostNameCheck {
    let zone = zone_of(zones, host);
    let relative = match zone {
        Some(zone) if host.eq_ignore_ascii_case(&zone.name) => "@".to_string(),
        Some(zone) => host[..host.len() - zone.name.len() - 1].to_ascii_lowercase(),
        None => host.to_string(),
    };
    let txt_name = if relative == "@" { "asuid".to_string() } else { format!("asuid.{relative}") };
    let has = |name: &str, record_type: RecordType, value: &str| {
        zone.and_then(|z| z.record_set(name, record_type))
            .is_some_and(|set| set.values.iter().any(|v| v.trim().trim_end_matches('.').eq_ignore_ascii_case(value)))
    };
    let zone_name = zone.map(|z| z.name.clone());
    let expected = |purpose: &str, name: &str, record_type: RecordType, value: String| ExpectedRecord {
        purpose: purpose.to_string(),
        zone: zone_name.clone(),
        name: name.to_string(),
        record_type,
        present: has(name, record_type, &value),
        value,
    };
    let mut records = vec![expected("ownership", &txt_name, RecordType::Txt, app.custom_domain_verification_id.clone())];
    if relative != "@" {
        records.push(expected("routing", &relative, RecordType::Cname, app.default_host_name.clone()));
    }
    records.push(expected("routing", &relative, RecordType::A, PRACTICE_INBOUND_ADDRESS.to_string()));
    let verified =
        records.iter().any(|r| r.purpose == "ownership" && r.present) && records.iter().any(|r| r.purpose == "routing" && r.present);
    HostNameCheck { host_name: host.to_string(), zone: zone_name, records, verified }
}

impl Vaultmort {
    /// Makes a practice DNS zone (or returns the one that exists with this name in this group).
    pub async fn create_dns_zone(&self, ctx: &RequestContext, zone: &ResourceRef) -> Result<DnsZone> {
        let mut req = self.request(ctx, actions::DNS_WRITE).await?;
        let result = async {
            let subscription = self.resolve_subscription(req.tx.as_mut(), zone.subscription.as_deref()).await?;
            req.authorize(Scope::ResourceGroup { subscription_id: &subscription.id, name: &zone.resource_group }).await?;
            let group = req
                .tx
                .resource_group_get(&subscription.id, &zone.resource_group)
                .await?
                .ok_or_else(|| Error::ResourceGroupNotFound(zone.resource_group.clone()))?;
            let name = check_dns_name(&zone.name, "DNS zone name")?;
            let zones: Vec<DnsZone> = model::load_all(req.tx.as_mut(), ResourceKind::DnsZone).await?;
            if let Some(existing) = zones.iter().find(|z| z.name == name) {
                if existing.subscription_id == subscription.id && existing.resource_group.eq_ignore_ascii_case(&group.name) {
                    return Ok(existing.clone());
                }
                return Err(Error::Conflict {
                    inner: "DnsZoneExists",
                    message: format!(
                        "practice DNS zone '{name}' already exists in resource group '{}'; practice DNS has one resolver, so a zone name is used once",
                        existing.resource_group
                    ),
                });
            }
            let created = DnsZone {
                id: model::resource_id(&subscription.id, &group.name, ZONE_TYPE, &name),
                name: name.clone(),
                subscription_id: subscription.id.clone(),
                resource_group: group.name.clone(),
                record_sets: Vec::new(),
                created: req.now,
            };
            model::save(req.tx.as_mut(), ResourceKind::DnsZone, &created.id, &name, &created, None).await?;
            Ok(created)
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Lists practice DNS zones, of one resource group or of the whole subscription.
    pub async fn list_dns_zones(
        &self,
        ctx: &RequestContext,
        subscription: Option<&str>,
        resource_group: Option<&str>,
    ) -> Result<Vec<DnsZone>> {
        self.list_placed(ctx, actions::DNS_READ, subscription, resource_group).await
    }

    /// Shows one zone with its record sets.
    pub async fn show_dns_zone(&self, ctx: &RequestContext, zone: &ResourceRef) -> Result<DnsZone> {
        let mut req = self.request(ctx, actions::DNS_READ).await?;
        let result = async { load_zone(self, &mut req, zone).await }.await;
        req.finish(result).await
    }

    /// Deletes a zone and its records.
    pub async fn delete_dns_zone(&self, ctx: &RequestContext, zone: &ResourceRef) -> Result<()> {
        let mut req = self.request(ctx, actions::DNS_WRITE).await?;
        let result = async {
            let found = load_zone(self, &mut req, zone).await?;
            req.tx.resource_delete(ResourceKind::DnsZone, &found.id).await?;
            Ok(())
        }
        .await;
        self.finish_announced(req, result).await
    }

    /// Adds, sets or removes a record of a zone (`network dns record-set txt add-record`, `cname
    /// set-record`, `a add-record`, `... remove-record`). Returns the record set as it is now
    /// (empty values when the last one was removed).
    pub async fn change_dns_record(&self, ctx: &RequestContext, zone: &ResourceRef, change: &RecordChange) -> Result<RecordSet> {
        let mut req = self.request(ctx, actions::DNS_WRITE).await?;
        let result = async {
            let mut found = load_zone(self, &mut req, zone).await?;
            let name = check_record_name(&change.name)?;
            let value = check_record_value(change.record_type, &change.value)?;
            let ttl = change.ttl.unwrap_or(DEFAULT_TTL);
            if !(1..=2_147_483_647).contains(&ttl) {
                return Err(Error::bad(format!("a TTL is 1 to 2147483647 seconds, not {ttl}")));
            }
            if change.record_type == RecordType::Cname && name == "@" {
                return Err(Error::bad("the zone apex ('@') cannot hold a CNAME record; use an A record"));
            }
            // A CNAME excludes every other record of the same name, as DNS requires.
            let other_types_at_name =
                found.record_sets.iter().any(|r| r.name == name && r.record_type != change.record_type && !r.values.is_empty());
            let conflicts = change.mode != RecordChangeMode::Remove
                && other_types_at_name
                && (change.record_type == RecordType::Cname || found.record_set(&name, RecordType::Cname).is_some());
            if conflicts {
                return Err(Error::Conflict {
                    inner: "CNAMEConflict",
                    message: format!("'{name}' in zone '{}' cannot hold a CNAME record together with other records", found.name),
                });
            }
            let position = found.record_sets.iter().position(|r| r.name == name && r.record_type == change.record_type);
            let mut set = match position {
                Some(i) => found.record_sets.remove(i),
                None => RecordSet { name: name.clone(), record_type: change.record_type, ttl, values: Vec::new() },
            };
            match change.mode {
                RecordChangeMode::Add if change.record_type == RecordType::Cname => {
                    return Err(Error::bad("a CNAME record set holds one name: use set-record to set it"));
                }
                RecordChangeMode::Add => {
                    if !set.values.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                        set.values.push(value);
                    }
                }
                RecordChangeMode::Set => set.values = vec![value],
                RecordChangeMode::Remove => {
                    let before = set.values.len();
                    set.values.retain(|v| !v.eq_ignore_ascii_case(&value));
                    if set.values.len() == before {
                        return Err(Error::NotFound {
                            code: "RecordNotFound",
                            message: format!(
                                "zone '{}' has no {} record '{name}' holding '{value}'",
                                found.name,
                                change.record_type.as_str()
                            ),
                        });
                    }
                }
            }
            set.ttl = ttl;
            if set.values.len() > MAX_VALUES {
                return Err(Error::bad(format!("a record set holds at most {MAX_VALUES} values")));
            }
            if !set.values.is_empty() {
                found.record_sets.push(set.clone());
            }
            if found.record_sets.len() > MAX_RECORD_SETS {
                return Err(Error::bad(format!("a practice zone holds at most {MAX_RECORD_SETS} record sets")));
            }
            found.record_sets.sort_by(|a, b| (&a.name, a.record_type.as_str()).cmp(&(&b.name, b.record_type.as_str())));
            model::save(req.tx.as_mut(), ResourceKind::DnsZone, &found.id, &found.name, &found, None).await?;
            Ok(set)
        }
        .await;
        self.finish_announced(req, result).await
    }
}

/// Loads the zone `zone` names, authorized at its resource group.
async fn load_zone(core: &Vaultmort, req: &mut crate::pipeline::Request<'_>, zone: &ResourceRef) -> Result<DnsZone> {
    let subscription = core.resolve_subscription(req.tx.as_mut(), zone.subscription.as_deref()).await?;
    req.authorize(Scope::ResourceGroup { subscription_id: &subscription.id, name: &zone.resource_group }).await?;
    let name = check_dns_name(&zone.name, "DNS zone name")?;
    let id = model::resource_id(&subscription.id, &zone.resource_group, ZONE_TYPE, &name);
    model::load(req.tx.as_mut(), ResourceKind::DnsZone, &id).await?.ok_or_else(|| Error::NotFound {
        code: "DnsZoneNotFound",
        message: format!("resource group '{}' has no practice DNS zone '{name}'", zone.resource_group),
    })
}
