//! Must-show 2, the management plane: a Reader cannot change a vault; a Key Vault Contributor
//! manages the vault but reads no secret; a Contributor granting itself an access policy
//! succeeds and is flagged, in the result and in the access log; a role at subscription scope
//! reaches a vault in it; group membership (nested) counts. Also the vault's practice-throttling
//! switch (issue 6), a management write like any other vault setting.

use vaultmort_core::access_policy::{PolicyChange, SELF_GRANT_FLAG};
use vaultmort_core::directory::NewPrincipal;
use vaultmort_core::firewall::{DefaultAction, NetworkChanges};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::vaults::{CreateVault, UpdateVault};

use crate::support::World;

fn tag_change() -> UpdateVault {
    UpdateVault { tags: Some([("env".to_string(), "prod".to_string())].into_iter().collect()), ..Default::default() }
}

#[tokio::test]
async fn a_reader_sees_the_vault_but_cannot_change_it() {
    let w = World::new().await;
    w.vault("mgmt", false).await;
    let reader = w.user("reader@contoso.example").await;
    w.core.create_role_assignment(&w.owner, "reader@contoso.example", "Reader", &w.vault_scope("mgmt")).await.expect("assign Reader");

    w.core.show_vault(&reader, "mgmt").await.expect("a Reader reads the vault");
    let error = w.core.update_vault(&reader, "mgmt", tag_change()).await.expect_err("a Reader may not change the vault");
    assert_eq!(error.code(), "Forbidden", "{error}");
    assert!(error.to_string().contains("Microsoft.KeyVault/vaults/write"), "the refusal names the action: {error}");
    assert!(error.to_string().contains("reader@contoso.example"), "and the caller: {error}");
    let error = w.core.delete_vault(&reader, "mgmt").await.expect_err("nor delete it");
    assert_eq!(error.code(), "Forbidden", "{error}");
    let change = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    let error = w.core.set_access_policy(&reader, "mgmt", "reader@contoso.example", change).await.expect_err("nor grant itself access");
    assert!(error.to_string().contains("Microsoft.KeyVault/vaults/accessPolicies/write"), "the refusal names the action: {error}");
}

#[tokio::test]
async fn a_key_vault_contributor_manages_the_vault_but_reads_no_secret() {
    let w = World::new().await;
    w.vault("kvc", false).await;
    w.core.set_secret(&w.owner, "kvc", SetSecret::new("db-password", "kvc-secret-value")).await.expect("owner sets a secret");
    let kvc = w.user("kvc@contoso.example").await;
    w.core
        .create_role_assignment(&w.owner, "kvc@contoso.example", "Key Vault Contributor", &w.vault_scope("kvc"))
        .await
        .expect("assign Key Vault Contributor");

    w.core.update_vault(&kvc, "kvc", tag_change()).await.expect("a Key Vault Contributor changes the vault's settings");
    let firewall =
        UpdateVault { network: NetworkChanges { default_action: Some(DefaultAction::Allow), ..Default::default() }, ..Default::default() };
    w.core.update_vault(&kvc, "kvc", firewall).await.expect("and its firewall");
    let error = w.core.get_secret(&kvc, "kvc", "db-password", None).await.expect_err("but reads no secret");
    assert_eq!(error.code(), "Forbidden", "{error}");
    assert!(error.to_string().contains("secrets/get"), "the refusal names the data permission: {error}");
    assert!(!error.to_string().contains("kvc-secret-value"), "a refusal never shows the value");
    let error = w.core.list_secrets(&kvc, "kvc").await.expect_err("nor lists secrets");
    assert_eq!(error.code(), "Forbidden", "{error}");
    w.core.delete_vault(&kvc, "kvc").await.expect("a Key Vault Contributor deletes the vault");
    let error = w.core.purge_vault(&kvc, "kvc").await.expect_err("but Key Vault Contributor's notActions exclude purging vaults");
    assert_eq!(error.code(), "Forbidden", "{error}");
    assert!(error.to_string().contains("Microsoft.KeyVault/locations/deletedVaults/purge/action"), "{error}");
}

#[tokio::test]
async fn a_contributor_granting_itself_data_access_succeeds_and_is_flagged() {
    let w = World::new().await;
    w.vault("grant", false).await;
    w.core.set_secret(&w.owner, "grant", SetSecret::new("api-key", "grant-secret-value")).await.expect("owner sets a secret");
    let contributor = w.user("contrib@contoso.example").await;
    w.core
        .create_role_assignment(&w.owner, "contrib@contoso.example", "Contributor", &w.subscription_scope())
        .await
        .expect("assign Contributor");
    let error = w.core.get_secret(&contributor, "grant", "api-key", None).await.expect_err("at first, no data access");
    assert_eq!(error.code(), "Forbidden", "{error}");

    let before = w.log().await.len();
    let change = PolicyChange { secrets: Some(vec!["get".into(), "list".into()]), ..Default::default() };
    let written = w.core.set_access_policy(&contributor, "grant", "contrib@contoso.example", change).await.expect("Azure allows it");
    assert_eq!(written.flags, [SELF_GRANT_FLAG], "the result flags the self-grant");
    let records = w.log_since(before).await;
    assert_eq!(records.len(), 1, "one record for the policy write: {records:?}");
    assert_eq!(records[0].operation, "VaultAccessPolicyWrite", "the record names the operation");
    assert_eq!(records[0].flags, [SELF_GRANT_FLAG], "the audit record carries the flag");
    assert!(records[0].rule.contains("Contributor"), "and the role that allowed it: {}", records[0].rule);

    let secret = w.core.get_secret(&contributor, "grant", "api-key", None).await.expect("now the Contributor reads the secret");
    assert_eq!(secret.value.as_deref().map(String::as_str), Some("grant-secret-value"), "the self-granted policy works");

    // Granting someone else is not flagged; nor is a Contributor unable to assign roles.
    w.user("other@contoso.example").await;
    let change = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    let written = w.core.set_access_policy(&contributor, "grant", "other@contoso.example", change).await.expect("grant another");
    assert!(written.flags.is_empty(), "granting another principal raises no self-grant flag");
    let error = w
        .core
        .create_role_assignment(&contributor, "contrib@contoso.example", "Owner", &w.subscription_scope())
        .await
        .expect_err("Contributor's notActions exclude Microsoft.Authorization/*/Write");
    assert!(error.to_string().contains("Microsoft.Authorization/roleAssignments/write"), "{error}");
}

#[tokio::test]
async fn a_role_at_subscription_scope_reaches_a_vault_in_it_and_groups_nest() {
    let w = World::new().await;
    w.vault("inherit", true).await;
    w.core
        .create_role_assignment(&w.owner, "owner@vaultmort.local", "Key Vault Secrets Officer", &w.vault_scope("inherit"))
        .await
        .expect("owner takes a data role");
    w.core.set_secret(&w.owner, "inherit", SetSecret::new("s", "inherited-value")).await.expect("owner sets a secret");

    let admin = w.user("admin@contoso.example").await;
    w.core.create_role_assignment(&w.owner, "admin@contoso.example", "Contributor", &w.subscription_scope()).await.expect("assign");
    w.core.update_vault(&admin, "inherit", tag_change()).await.expect("a Contributor at subscription scope manages a vault in it");
    w.core.create_vault(&admin, CreateVault::new("made-by-admin", "rg")).await.expect("and creates vaults in its resource groups");

    // A Secrets User through a group inside a group, assigned at subscription scope.
    let app = w.user("app@contoso.example").await;
    for name in ["outer", "inner"] {
        w.core.create_principal(&w.owner, NewPrincipal::Group { display_name: name.into() }).await.expect("owner creates a group");
    }
    w.core.change_group_member(&w.owner, "outer", "inner", true).await.expect("inner joins outer");
    w.core.change_group_member(&w.owner, "inner", "app@contoso.example", true).await.expect("app joins inner");
    let error = w.core.get_secret(&app, "inherit", "s", None).await.expect_err("no role yet");
    assert_eq!(error.code(), "Forbidden", "{error}");
    w.core.create_role_assignment(&w.owner, "outer", "Key Vault Secrets User", &w.subscription_scope()).await.expect("assign the group");
    let secret = w.core.get_secret(&app, "inherit", "s", None).await.expect("the role reaches the vault through two groups");
    assert_eq!(secret.value.as_deref().map(String::as_str), Some("inherited-value"), "the value is read");
    let error =
        w.core.delete_object(&app, "inherit", vaultmort_core::ObjectKind::Secret, "s").await.expect_err("Secrets User cannot delete");
    assert!(error.to_string().contains("secrets/delete"), "{error}");
    let error = w.core.change_group_member(&w.owner, "inner", "outer", true).await.expect_err("a membership cycle is refused");
    assert_eq!(error.code(), "BadParameter", "{error}");
}

/// Issue 6: practice throttling is a stored vault setting, written like any other vault update.
#[tokio::test]
async fn practice_throttling_is_a_vault_write_that_persists_and_is_audited() {
    let w = World::new().await;
    w.vault("slow", false).await;
    w.vault("fast", false).await;
    assert!(!w.core.practice_throttling("slow"), "a new vault is not throttled");
    let switch_on = UpdateVault { practice_throttling: Some(true), ..Default::default() };

    let reader = w.user("reader@contoso.example").await;
    w.core.create_role_assignment(&w.owner, "reader@contoso.example", "Reader", &w.vault_scope("slow")).await.expect("assign Reader");
    let before = w.log().await.len();
    let error = w.core.update_vault(&reader, "slow", switch_on.clone()).await.expect_err("a Reader may not switch throttling on");
    assert_eq!(error.code(), "Forbidden", "switching throttling is Microsoft.KeyVault/vaults/write: {error}");
    assert!(!w.core.practice_throttling("slow"), "a refused update leaves the in-memory setting alone");

    let updated = w.core.update_vault(&w.owner, "slow", switch_on).await.expect("the owner switches throttling on");
    assert!(updated.practice_throttling, "the updated vault shows the setting");
    assert!(w.core.practice_throttling("slow"), "doors see it at once, without a restart");
    assert!(w.core.practice_throttling("SLOW"), "vault names are case-insensitive");
    assert!(!w.core.practice_throttling("fast"), "other vaults stay unthrottled");
    let records = w.log_since(before).await;
    let outcomes: Vec<(&str, u16)> = records.iter().map(|r| (r.operation.as_str(), r.status)).collect();
    assert_eq!(outcomes.len(), 2, "the refused and the allowed update each leave one record: {outcomes:?}");
    assert_eq!(outcomes[0].1, 403, "the Reader's attempt is logged as refused: {outcomes:?}");
    assert_eq!(outcomes[1].1, 200, "the owner's update is logged as allowed: {outcomes:?}");
    assert_eq!(records[1].vault.as_deref(), Some("slow"), "the record names the vault");

    let w = w.reopen().await;
    assert!(w.core.practice_throttling("slow"), "the setting is stored: a new core sees it from the store");
    assert!(w.core.show_vault(&w.owner, "slow").await.expect("show").practice_throttling, "and the vault shows it");
    w.core.delete_vault(&w.owner, "slow").await.expect("the owner deletes the vault");
    assert!(!w.core.practice_throttling("slow"), "a deleted vault answers nothing, so it is not throttled");
    let recovered = w.core.recover_vault(&w.owner, "slow").await.expect("the owner recovers it");
    assert!(recovered.practice_throttling && w.core.practice_throttling("slow"), "recovery brings the setting back");
    w.core.update_vault(&w.owner, "slow", UpdateVault { practice_throttling: Some(false), ..Default::default() }).await.expect("off");
    assert!(!w.core.practice_throttling("slow"), "switched off at once");
}
