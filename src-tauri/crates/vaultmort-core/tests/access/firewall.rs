//! Must-show 3, the firewall: Deny with a CIDR rule admits and refuses the right addresses; the
//! trusted-services bypass lets a trusted service through (and only while it is on); virtual
//! network rules admit a principal placed in the subnet; public network access Disabled shuts
//! the data plane; management operations are never subject to it.

use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::directory::APP_SERVICE_APP_ID;
use vaultmort_core::firewall::{Bypass, DefaultAction, NetworkChanges, NetworkRule, PublicNetworkAccess};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::UpdateVault;

use crate::support::World;

fn firewall(default_action: Option<DefaultAction>, bypass: Option<Bypass>, public: Option<PublicNetworkAccess>) -> UpdateVault {
    UpdateVault { network: NetworkChanges { default_action, bypass, public_network_access: public }, ..Default::default() }
}

/// A vault `fw` with a secret, readable by `app@contoso.example` and the App Service principal.
async fn world() -> World {
    let w = World::new().await;
    w.vault("fw-vault", false).await;
    w.core.set_secret(&w.owner, "fw-vault", SetSecret::new("s", "firewalled-value")).await.expect("owner sets a secret");
    w.user("app@contoso.example").await;
    for principal in ["app@contoso.example", APP_SERVICE_APP_ID] {
        let change = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
        w.core.set_access_policy(&w.owner, "fw-vault", principal, change).await.expect("owner grants get");
    }
    w
}

#[tokio::test]
async fn deny_with_a_cidr_rule_admits_exactly_the_range() {
    let w = world().await;
    w.core.change_network_rule(&w.owner, "fw-vault", NetworkRule::Ip("203.0.113.0/24".into()), true).await.expect("owner adds a rule");
    w.core.update_vault(&w.owner, "fw-vault", firewall(Some(DefaultAction::Deny), None, None)).await.expect("owner turns the firewall on");
    let app = w.as_("app@contoso.example").await;

    let inside = World::from(&app, "203.0.113.9");
    w.core.get_secret(&inside, "fw-vault", "s", None).await.expect("an address inside the rule's range is admitted");
    for outside in ["203.0.114.1", "127.0.0.1", "10.0.0.5"] {
        let error = w.core.get_secret(&World::from(&app, outside), "fw-vault", "s", None).await.expect_err("an address outside is refused");
        assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{outside}: {error}");
        assert!(error.to_string().contains(outside), "the refusal names the client address {outside}: {error}");
        assert!(!error.to_string().contains("firewalled-value"), "a refusal never shows the value");
    }

    // Management operations are not subject to the firewall, from any address.
    let owner_far = World::from(&w.owner, "192.0.2.200");
    w.core.show_vault(&owner_far, "fw-vault").await.expect("management reads pass from outside the rules");
    let tags = UpdateVault { tags: Some([("k".to_string(), "v".to_string())].into_iter().collect()), ..Default::default() };
    w.core.update_vault(&owner_far, "fw-vault", tags).await.expect("management writes pass from outside the rules");
    w.core.network_rules(&owner_far, "fw-vault").await.expect("and so do the firewall's own rules");
    // ... while the owner's own data requests from there are refused like anyone's.
    let error = w.core.get_secret(&owner_far, "fw-vault", "s", None).await.expect_err("the owner's data request from outside is refused");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");

    w.core
        .change_network_rule(&w.owner, "fw-vault", NetworkRule::Ip("203.0.113.0/24".into()), false)
        .await
        .expect("owner removes the rule");
    let error = w.core.get_secret(&inside, "fw-vault", "s", None).await.expect_err("without the rule the address is refused");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");
}

#[tokio::test]
async fn the_trusted_services_bypass_lets_a_trusted_service_through_only_while_on() {
    let w = world().await;
    w.core.update_vault(&w.owner, "fw-vault", firewall(Some(DefaultAction::Deny), Some(Bypass::AzureServices), None)).await.expect("deny");
    let app_service = World::from(&w.as_(APP_SERVICE_APP_ID).await, "198.51.100.77");
    let app = World::from(&w.as_("app@contoso.example").await, "198.51.100.77");

    w.core.get_secret(&app_service, "fw-vault", "s", None).await.expect("the App Service principal is a trusted service");
    let error = w.core.get_secret(&app, "fw-vault", "s", None).await.expect_err("an ordinary principal from the same address is refused");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");

    w.core.update_vault(&w.owner, "fw-vault", firewall(None, Some(Bypass::None), None)).await.expect("bypass off");
    let error =
        w.core.get_secret(&app_service, "fw-vault", "s", None).await.expect_err("without the bypass the trusted service is refused");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");
    assert!(error.to_string().contains("198.51.100.77"), "{error}");
}

#[tokio::test]
async fn a_virtual_network_rule_admits_principals_in_the_subnet_and_disabled_access_shuts_everyone_out() {
    let w = world().await;
    let vnet = w
        .core
        .create_virtual_network(&w.owner, "rg", "vnet1", &[("backend".into(), "10.1.0.0/24".into())])
        .await
        .expect("owner creates a practice network");
    let subnet = vnet.subnets[0].id.clone();
    w.core.place_principal(&w.owner, "app@contoso.example", Some(&subnet)).await.expect("owner places app in the subnet");
    w.core.change_network_rule(&w.owner, "fw-vault", NetworkRule::Subnet(subnet), true).await.expect("owner adds a subnet rule");
    w.core.update_vault(&w.owner, "fw-vault", firewall(Some(DefaultAction::Deny), Some(Bypass::None), None)).await.expect("deny");

    let app = World::from(&w.as_("app@contoso.example").await, "10.1.0.4");
    w.core.get_secret(&app, "fw-vault", "s", None).await.expect("a principal in the allowed subnet is admitted");
    let owner = World::from(&w.owner, "10.1.0.4");
    let error = w.core.get_secret(&owner, "fw-vault", "s", None).await.expect_err("a principal outside the subnet is refused");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");

    w.core
        .update_vault(&w.owner, "fw-vault", firewall(Some(DefaultAction::Allow), None, Some(PublicNetworkAccess::Disabled)))
        .await
        .expect("off");
    let error =
        w.core.get_secret(&app, "fw-vault", "s", None).await.expect_err("public network access Disabled refuses even allowed callers");
    assert_eq!((error.code(), error.inner_code()), ("Forbidden", Some("ForbiddenByFirewall")), "{error}");
}
