//! The practice directory: client secrets are checked by digest only, lookups refuse ambiguity,
//! groups cannot sign in, and the built-in principals cannot be deleted.

use vaultmort_core::Door;
use vaultmort_core::directory::{NewPrincipal, TRUSTED_SERVICES};

use crate::support::World;

#[tokio::test]
async fn a_client_secret_is_shown_once_and_checked_by_its_digest() {
    let w = World::new().await;
    let created = w.core.create_principal(&w.owner, NewPrincipal::ServicePrincipal { display_name: "deployer".into() }).await.expect("sp");
    let secret = created.client_secret.expect("a new service principal gets a secret");
    let app_id = created.object.app_id.clone().expect("a service principal has an app id");
    assert!(!created.object.client_secrets[0].digest.contains(secret.as_str()), "only a digest is kept");

    let found = w.core.check_client_secret(&app_id, &secret).await.expect("the check runs");
    assert_eq!(found.map(|o| o.object_id), Some(created.object.object_id.clone()), "the right secret identifies the principal");
    let wrong = w.core.check_client_secret(&app_id, "not-the-secret").await.expect("the check runs");
    assert!(wrong.is_none(), "a wrong secret identifies nobody");
    let shown = w.core.show_principal(&w.owner, &app_id).await.expect("found by app id");
    assert_eq!(shown.client_secrets.len(), 1, "the credential is listed by id and hint");
}

/// `add_client_secret` (what `vaultmort setup-client` gives an `.env` file): a second secret is
/// shown once, both sign in, and only a service principal has client secrets.
#[tokio::test]
async fn an_added_client_secret_signs_in_beside_the_first_and_only_applications_get_one() {
    let w = World::new().await;
    let created = w.core.create_principal(&w.owner, NewPrincipal::ServicePrincipal { display_name: "reporting".into() }).await.expect("sp");
    let first = created.client_secret.expect("a first secret");
    let app_id = created.object.app_id.clone().expect("an app id");
    let added = w.core.add_client_secret(&w.owner, "reporting").await.expect("the owner adds a secret");
    let second = added.client_secret.expect("the new secret is returned this once");
    assert_ne!(first.as_str(), second.as_str(), "a new random secret");
    assert_eq!(added.object.client_secrets.len(), 2, "the first secret is kept beside the new one");
    for secret in [&first, &second] {
        let found = w.core.check_client_secret(&app_id, secret).await.expect("the check runs");
        assert_eq!(found.map(|o| o.object_id), Some(created.object.object_id.clone()), "both secrets sign in as the application");
    }
    w.core.create_principal(&w.owner, NewPrincipal::Group { display_name: "team".into() }).await.expect("group");
    let error = w.core.add_client_secret(&w.owner, "team").await.expect_err("a group has no client secrets");
    assert_eq!(error.code(), "BadParameter", "{error}");
}

#[tokio::test]
async fn lookups_refuse_ambiguity_and_groups_and_built_ins_are_guarded() {
    let w = World::new().await;
    for upn in ["sam1@contoso.example", "sam2@contoso.example"] {
        w.core
            .create_principal(&w.owner, NewPrincipal::User { user_principal_name: upn.into(), display_name: "Sam".into() })
            .await
            .expect("owner creates a user");
    }
    let error = w.core.show_principal(&w.owner, "Sam").await.expect_err("two users share the display name");
    assert_eq!(error.code(), "BadParameter", "an ambiguous name is refused, not guessed: {error}");
    w.core.show_principal(&w.owner, "SAM2@contoso.example").await.expect("a UPN is unique and case-insensitive");

    w.core.create_principal(&w.owner, NewPrincipal::Group { display_name: "team".into() }).await.expect("group");
    let error = w.core.sign_in("team", Door::Cli, "127.0.0.1".parse().expect("loopback")).await.expect_err("a group cannot sign in");
    assert_eq!(error.code(), "BadParameter", "{error}");
    let error = w.core.sign_in("ghost@contoso.example", Door::Cli, "127.0.0.1".parse().expect("loopback")).await.expect_err("unknown");
    assert_eq!(error.code(), "PrincipalNotFound", "nobody signs in as a principal the directory does not have: {error}");

    let error = w.core.delete_principal(&w.owner, "owner@vaultmort.local").await.expect_err("the owner is built in");
    assert_eq!(error.code(), "BadParameter", "{error}");
    let error = w.core.delete_principal(&w.owner, TRUSTED_SERVICES[0].1).await.expect_err("trusted services are built in");
    assert_eq!(error.code(), "BadParameter", "{error}");
    let sam = w.as_("sam1@contoso.example").await;
    let error = w.core.create_principal(&sam, NewPrincipal::Group { display_name: "mine".into() }).await.expect_err("no directory role");
    assert_eq!(error.code(), "Forbidden", "only principals with a role at the tenant root change the directory: {error}");
}
