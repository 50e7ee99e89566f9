//! Secrets: set and get by version, lists without values, attributes, content type and tags,
//! disabled versions, and the limits on value size, content type, names and dates.

use chrono::{Duration, Utc};
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::secrets::{MAX_SECRET_BYTES, SetSecret, UpdateSecret};

use crate::support::{VAULT, core_with_vault, refused, version_of};

#[tokio::test]
async fn each_set_makes_a_version_that_keeps_its_own_value() {
    let t = core_with_vault().await;
    let first = t.core.set_secret(&t.owner, VAULT, SetSecret::new("db-password", "first value")).await.expect("the first set works");
    let second = t.core.set_secret(&t.owner, VAULT, SetSecret::new("db-password", "second value")).await.expect("the second set works");
    let (v1, v2) = (version_of(&first.id), version_of(&second.id));
    assert_ne!(v1, v2, "every set makes a new version id");
    assert_eq!(first.value.as_deref().map(String::as_str), Some("first value"), "set returns the value it stored");

    let latest = t.core.get_secret(&t.owner, VAULT, "db-password", None).await.expect("the newest version reads");
    assert_eq!(latest.value.as_deref().map(String::as_str), Some("second value"), "get without a version reads the newest");
    assert_eq!(latest.id, second.id, "and names the newest version");
    let older = t.core.get_secret(&t.owner, VAULT, "db-password", Some(&v1)).await.expect("an older version reads by its id");
    assert_eq!(older.value.as_deref().map(String::as_str), Some("first value"), "an older version keeps its own value");

    let versions = t.core.list_secret_versions(&t.owner, VAULT, "db-password").await.expect("the versions list");
    let listed: Vec<String> = versions.iter().map(|s| version_of(&s.id)).collect();
    assert_eq!(listed.len(), 2, "two sets make two versions: {listed:?}");
    assert!(listed.contains(&v1) && listed.contains(&v2), "both versions are listed: {listed:?}");
    assert!(versions.iter().all(|s| s.value.is_none()), "version lists never carry values");

    let all = t.core.list_secrets(&t.owner, VAULT).await.expect("the secrets list");
    assert_eq!(all.len(), 1, "one secret however many versions it has: {all:?}");
    assert_eq!(all[0].id.version.as_deref(), Some(v2.as_str()), "the list shows the newest version");
    assert!(all[0].value.is_none(), "secret lists never carry values");
}

#[tokio::test]
async fn unknown_versions_secrets_and_vaults_are_not_found() {
    let t = core_with_vault().await;
    t.core.set_secret(&t.owner, VAULT, SetSecret::new("s", "v")).await.expect("set works");
    refused(t.core.get_secret(&t.owner, VAULT, "missing", None).await, "SecretNotFound", None, "a secret never set");
    refused(
        t.core.get_secret(&t.owner, VAULT, "s", Some("0123456789abcdef0123456789abcdef")).await,
        "SecretNotFound",
        None,
        "a version the secret never had",
    );
    refused(t.core.get_secret(&t.owner, "no-such-vault", "s", None).await, "VaultNotFound", None, "a vault that does not exist");
}

#[tokio::test]
async fn content_type_tags_and_dates_are_kept_and_changed_by_update() {
    let t = core_with_vault().await;
    let now = Utc::now();
    let mut request = SetSecret::new("conn", "Server=db;Password=x");
    request.content_type = Some("text/plain".into());
    request.tags.insert("env".into(), "test".into());
    request.not_before = Some(now - Duration::hours(1));
    request.expires = Some(now + Duration::days(30));
    let set = t.core.set_secret(&t.owner, VAULT, request).await.expect("a secret with content type, tags and dates sets");
    let read = t.core.get_secret(&t.owner, VAULT, "conn", None).await.expect("it reads");
    assert_eq!(read.content_type.as_deref(), Some("text/plain"), "the content type is kept");
    assert_eq!(read.tags.get("env").map(String::as_str), Some("test"), "tags are kept");
    assert_eq!(read.attributes.expires, set.attributes.expires, "the expiry is kept");
    assert!(read.attributes.enabled, "a set secret is enabled unless asked otherwise");

    let update = UpdateSecret {
        content_type: Some("application/json".into()),
        attributes: AttributeChanges { tags: Some([("env".to_string(), "prod".to_string())].into()), ..Default::default() },
    };
    let updated = t.core.update_secret(&t.owner, VAULT, "conn", None, update).await.expect("the update works");
    assert_eq!(updated.id, set.id, "an update changes the version in place; it makes no new version");
    assert!(updated.value.is_none(), "an update does not return the value");
    let read = t.core.get_secret(&t.owner, VAULT, "conn", None).await.expect("it reads after the update");
    assert_eq!(read.content_type.as_deref(), Some("application/json"), "the content type changed");
    assert_eq!(read.tags.get("env").map(String::as_str), Some("prod"), "the tags were replaced");
    assert_eq!(read.value.as_deref().map(String::as_str), Some("Server=db;Password=x"), "the value is untouched by an update");
    assert!(read.attributes.updated >= set.attributes.updated, "updated moves forward, never back");
}

#[tokio::test]
async fn expiry_and_not_before_do_not_block_reading_a_secret() {
    let t = core_with_vault().await;
    let mut request = SetSecret::new("later", "v");
    request.not_before = Some(Utc::now() + Duration::days(10));
    t.core.set_secret(&t.owner, VAULT, request).await.expect("a secret valid only later sets");
    let mut request = SetSecret::new("expired", "v");
    request.expires = Some(Utc::now() - Duration::days(1));
    t.core.set_secret(&t.owner, VAULT, request).await.expect("an already expired secret sets");
    for name in ["later", "expired"] {
        let read = t.core.get_secret(&t.owner, VAULT, name, None).await;
        assert!(read.is_ok(), "as in Key Vault, a secret's nbf and exp are informational: '{name}' reads ({:?})", read.err());
    }
}

#[tokio::test]
async fn a_disabled_version_is_listed_but_its_value_is_refused() {
    let t = core_with_vault().await;
    let old = t.core.set_secret(&t.owner, VAULT, SetSecret::new("s", "old")).await.expect("set works");
    t.core.set_secret(&t.owner, VAULT, SetSecret::new("s", "new")).await.expect("set works");
    let old_version = version_of(&old.id);
    let disable = UpdateSecret { attributes: AttributeChanges { enabled: Some(false), ..Default::default() }, ..Default::default() };
    t.core.update_secret(&t.owner, VAULT, "s", Some(&old_version), disable).await.expect("a version can be disabled");

    refused(
        t.core.get_secret(&t.owner, VAULT, "s", Some(&old_version)).await,
        "Forbidden",
        Some("SecretDisabled"),
        "a disabled version's value",
    );
    let newest = t.core.get_secret(&t.owner, VAULT, "s", None).await.expect("the other version still reads");
    assert_eq!(newest.value.as_deref().map(String::as_str), Some("new"), "disabling one version leaves the others alone");
    let versions = t.core.list_secret_versions(&t.owner, VAULT, "s").await.expect("versions list");
    let disabled: Vec<bool> = versions.iter().filter(|v| v.id == old.id).map(|v| v.attributes.enabled).collect();
    assert_eq!(disabled, [false], "the disabled version is still listed, marked disabled");

    let enable = UpdateSecret { attributes: AttributeChanges { enabled: Some(true), ..Default::default() }, ..Default::default() };
    t.core.update_secret(&t.owner, VAULT, "s", Some(&old_version), enable).await.expect("it can be enabled again");
    let again = t.core.get_secret(&t.owner, VAULT, "s", Some(&old_version)).await.expect("an enabled version reads again");
    assert_eq!(again.value.as_deref().map(String::as_str), Some("old"), "its value was kept while it was disabled");
}

#[tokio::test]
async fn values_up_to_25_kb_are_accepted_and_larger_ones_refused_without_a_trace() {
    let t = core_with_vault().await;
    let largest = "x".repeat(MAX_SECRET_BYTES);
    assert_eq!(MAX_SECRET_BYTES, 25_600, "Key Vault's limit is 25 KB (25,600 bytes)");
    let set = t.core.set_secret(&t.owner, VAULT, SetSecret::new("big", largest.clone())).await.expect("a 25,600-byte value is accepted");
    let read = t.core.get_secret(&t.owner, VAULT, "big", Some(&version_of(&set.id))).await.expect("it reads");
    assert_eq!(read.value.as_deref().map(String::len), Some(MAX_SECRET_BYTES), "the whole value comes back");

    let error = refused(
        t.core.set_secret(&t.owner, VAULT, SetSecret::new("too-big", "x".repeat(MAX_SECRET_BYTES + 1))).await,
        "BadParameter",
        None,
        "a value one byte over 25 KB",
    );
    assert!(error.to_string().contains("25"), "the message names the limit: {error}");
    refused(t.core.list_secret_versions(&t.owner, VAULT, "too-big").await, "SecretNotFound", None, "a refused set leaves no secret behind");

    let mut long_type = SetSecret::new("typed", "v");
    long_type.content_type = Some("t".repeat(256));
    refused(t.core.set_secret(&t.owner, VAULT, long_type).await, "BadParameter", None, "a content type over 255 characters");
}

#[tokio::test]
async fn bad_names_and_backwards_dates_are_refused() {
    let t = core_with_vault().await;
    for name in ["under_score", "", "dots.in.name", "n".repeat(128).as_str()] {
        refused(
            t.core.set_secret(&t.owner, VAULT, SetSecret::new(name, "v")).await,
            "BadParameter",
            None,
            &format!("the name {name:?} breaks Key Vault's naming rule (1-127 letters, digits and dashes)"),
        );
    }
    let mut backwards = SetSecret::new("backwards", "v");
    let now = Utc::now();
    backwards.not_before = Some(now + Duration::days(2));
    backwards.expires = Some(now + Duration::days(1));
    refused(t.core.set_secret(&t.owner, VAULT, backwards).await, "BadParameter", None, "an expiry before the not-before date");
    assert!(t.core.list_secrets(&t.owner, VAULT).await.expect("list").is_empty(), "no refused set stored anything");
}
