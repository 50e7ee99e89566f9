//! The vault firewall (`networkAcls`): public network access, the default action, IPv4 address
//! and CIDR rules, virtual network rules (practice subnets that principals sit in), and the
//! trusted-services bypass. It applies to the data plane only, as in Azure; management
//! operations never pass it. The pipeline runs it after authentication and before
//! authorization, and a refusal is [`Error::ForbiddenByFirewall`] naming the client address.
//!
//! Left out: private endpoints and IPv6 rules (Key Vault's IP rules are IPv4 only).

use std::net::{IpAddr, Ipv4Addr};

use crate::authz::{Scope, actions};
use crate::context::RequestContext;
use crate::directory::DirectoryObject;
use crate::model::Vault;
pub use crate::model::access::{Bypass, DefaultAction, NetworkAcls, PublicNetworkAccess};
use crate::{Error, Result, Vaultmort};

macro_rules! parse_enum {
    ($ty:ty, $what:literal, $($text:literal => $value:expr),+) => {
        impl std::str::FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $(if s.eq_ignore_ascii_case($text) { return Ok($value); })+
                Err(Error::bad(format!(concat!("'{}' is not a valid ", $what, "; use {}"), s, [$($text),+].join(" or "))))
            }
        }
    };
}
parse_enum!(PublicNetworkAccess, "public network access", "Enabled" => PublicNetworkAccess::Enabled, "Disabled" => PublicNetworkAccess::Disabled);
parse_enum!(DefaultAction, "default action", "Allow" => DefaultAction::Allow, "Deny" => DefaultAction::Deny);
parse_enum!(Bypass, "bypass", "AzureServices" => Bypass::AzureServices, "None" => Bypass::None);

/// A firewall rule to add or remove.
#[derive(Debug, Clone)]
pub enum NetworkRule {
    /// An IPv4 address or CIDR range.
    Ip(String),
    /// A practice subnet's resource id.
    Subnet(String),
}

/// Parses an IPv4 address or CIDR range into (network, prefix length), refusing host bits set
/// beyond the prefix as Azure does.
pub fn parse_ipv4_rule(text: &str) -> Result<(Ipv4Addr, u8)> {
    let bad = || Error::bad(format!("'{text}' is not an IPv4 address or CIDR range (such as 203.0.113.0/24)"));
    let (address, prefix) = match text.trim().split_once('/') {
        Some((address, prefix)) => (address, prefix.parse::<u8>().map_err(|_| bad())?),
        None => (text.trim(), 32),
    };
    let address: Ipv4Addr = address.parse().map_err(|_| bad())?;
    if prefix > 32 {
        return Err(bad());
    }
    let mask = mask(prefix);
    if u32::from(address) & !mask != 0 {
        return Err(Error::bad(format!(
            "'{text}' has bits set after the /{prefix} prefix; did you mean {}/{prefix}?",
            Ipv4Addr::from(u32::from(address) & mask)
        )));
    }
    Ok((address, prefix))
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
}

/// Whether `address` falls in the rule's range.
fn in_range(rule: &str, address: IpAddr) -> bool {
    let IpAddr::V4(address) = address else { return false };
    match parse_ipv4_rule(rule) {
        Ok((network, prefix)) => u32::from(address) & mask(prefix) == u32::from(network),
        Err(_) => false,
    }
}

/// The firewall's verdict on one data-plane request: `Ok(rule)` names the rule that let it
/// through; `Err` is the refusal.
pub fn check(vault: &Vault, source: IpAddr, caller: Option<&DirectoryObject>) -> std::result::Result<String, Error> {
    let acls = &vault.network_acls;
    let trusted = caller.is_some_and(|c| c.trusted_service);
    if trusted
        && acls.bypass == Bypass::AzureServices
        && (acls.default_action == DefaultAction::Deny || acls.public_network_access == PublicNetworkAccess::Disabled)
    {
        return Ok(format!(
            "firewall: trusted service '{}' passes (bypass AzureServices)",
            caller.map(|c| c.display_name.as_str()).unwrap_or_default()
        ));
    }
    let refuse = |why: &str| {
        Err(Error::ForbiddenByFirewall(format!(
            "Client address is not authorized and caller is not a trusted service. Client address: {source}. Caller: name={}. Vault: {};location={} ({why})",
            caller.map(|c| c.sign_in_name()).unwrap_or_else(|| "unknown".to_string()),
            vault.name,
            vault.location
        )))
    };
    if acls.public_network_access == PublicNetworkAccess::Disabled {
        return refuse("public network access is disabled");
    }
    if acls.default_action == DefaultAction::Allow {
        return Ok("firewall: default action Allow".to_string());
    }
    if let Some(rule) = acls.ip_rules.iter().find(|rule| in_range(rule, source)) {
        return Ok(format!("firewall: IP rule {rule} admits {source}"));
    }
    if let Some(subnet) = caller.and_then(|c| c.subnet_id.as_deref())
        && let Some(rule) = acls.virtual_network_rules.iter().find(|r| r.eq_ignore_ascii_case(subnet))
    {
        return Ok(format!("firewall: virtual network rule {rule} admits the caller's subnet"));
    }
    refuse("default action Deny and no rule matches")
}

/// Changes to a vault's firewall settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetworkChanges {
    /// New default action.
    pub default_action: Option<DefaultAction>,
    /// New bypass.
    pub bypass: Option<Bypass>,
    /// New public network access.
    pub public_network_access: Option<PublicNetworkAccess>,
}

impl NetworkChanges {
    /// Whether nothing is to change.
    pub fn is_empty(&self) -> bool {
        self.default_action.is_none() && self.bypass.is_none() && self.public_network_access.is_none()
    }

    /// Applies the changes.
    pub fn apply(&self, acls: &mut NetworkAcls) {
        if let Some(action) = self.default_action {
            acls.default_action = action;
        }
        if let Some(bypass) = self.bypass {
            acls.bypass = bypass;
        }
        if let Some(access) = self.public_network_access {
            acls.public_network_access = access;
        }
    }
}

impl Vaultmort {
    /// Adds (`add == true`) or removes a firewall rule of a vault
    /// (`az keyvault network-rule add|remove`). Adding a rule that exists, or removing one that
    /// does not, changes nothing.
    pub async fn change_network_rule(&self, ctx: &RequestContext, vault_name: &str, rule: NetworkRule, add: bool) -> Result<Vault> {
        let mut req = self.request(ctx, actions::NETWORK_RULE_WRITE).await?;
        let result = async {
            let mut vault = crate::vaults::active_vault(req.tx.as_mut(), vault_name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            let (list, value) = match rule {
                NetworkRule::Ip(text) => {
                    let (network, prefix) = parse_ipv4_rule(&text)?;
                    (&mut vault.network_acls.ip_rules, format!("{network}/{prefix}"))
                }
                NetworkRule::Subnet(id) => {
                    let id = if add { crate::directory::subnet_by_id(req.tx.as_mut(), &id).await?.id } else { id };
                    (&mut vault.network_acls.virtual_network_rules, id)
                }
            };
            let present = list.iter().position(|r| r.eq_ignore_ascii_case(&value));
            match (add, present) {
                (true, None) => list.push(value),
                (false, Some(index)) => {
                    list.remove(index);
                }
                _ => {}
            }
            vault.updated = req.now;
            req.tx.vault_put(&vault).await?;
            Ok(vault)
        }
        .await;
        req.finish(result).await
    }

    /// A vault's firewall settings (`az keyvault network-rule list`).
    pub async fn network_rules(&self, ctx: &RequestContext, vault_name: &str) -> Result<NetworkAcls> {
        let mut req = self.request(ctx, actions::VAULT_GET).await?;
        let result = async {
            let vault = crate::vaults::active_vault(req.tx.as_mut(), vault_name).await?;
            req.authorize(Scope::Vault(&vault)).await?;
            Ok(vault.network_acls)
        }
        .await;
        req.finish(result).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_rules_admit_exactly_their_range() {
        let addr = |s: &str| s.parse::<IpAddr>().expect("test address");
        assert!(in_range("203.0.113.0/24", addr("203.0.113.200")), "inside the /24");
        assert!(!in_range("203.0.113.0/24", addr("203.0.114.1")), "outside the /24");
        assert!(in_range("198.51.100.7/32", addr("198.51.100.7")), "a single address");
        assert!(!in_range("198.51.100.7/32", addr("198.51.100.8")), "its neighbour is not admitted");
        assert!(parse_ipv4_rule("10.0.0.1/8").is_err(), "host bits after the prefix are refused");
        assert!(parse_ipv4_rule("::1").is_err(), "IPv6 rules are refused");
    }
}
