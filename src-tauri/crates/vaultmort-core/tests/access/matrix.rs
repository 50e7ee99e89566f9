//! Must-show 1, the permission matrix: for every data operation in the action catalogue, a
//! principal holding exactly its permission gets through, and a principal holding every other
//! permission is refused with Forbidden naming the missing permission. In access-policy mode;
//! in RBAC mode with a custom role holding exactly the operation's dataAction at vault scope;
//! and in RBAC mode with that role at the scope of the one object the operation touches.

use vaultmort_core::access_policy::{CERTIFICATE_PERMISSIONS, KEY_PERMISSIONS, PolicyChange, SECRET_PERMISSIONS};
use vaultmort_core::authz::{Action, Permission, actions, describe};
use vaultmort_core::certificates::{DownloadFormat, ImportCertificate};
use vaultmort_core::issuers::{Contact, IssuerChanges};
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef, UpdateKey};
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::rotation::{RotationAction, RotationPolicy, RotationTrigger};
use vaultmort_core::secrets::{SetSecret, UpdateSecret};
use vaultmort_core::{Error, ObjectKind, RequestContext, Vaultmort};
use vaultmort_crypto::{EncryptionAlgorithm, JsonWebKey, KeyType, SignatureAlgorithm};
use zeroize::Zeroizing;

use crate::support::World;

/// The P-256 private key of RFC 7517, appendix A.2, to import.
const IMPORT_JWK: &str = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#;

/// What the owner prepared in one vault for the operations to work on.
struct Fixtures {
    key_backup: Vec<u8>,
    secret_backup: Vec<u8>,
    certificate_backup: Vec<u8>,
    pfx: Zeroizing<Vec<u8>>,
    ciphertext: Vec<u8>,
    wrapped: Vec<u8>,
    digest: [u8; 32],
    signature: Vec<u8>,
}

/// Makes, in `vault`, every object the operations need: `k` (RSA, for the crypto operations,
/// get, update and backup), `kx` to rotate, `kd` to delete, deleted `kg`/`kr`/`kp` to read,
/// recover and purge, a backup of a purged `kb` to restore; the same for secrets (`s`, ...) and
/// certificates (`c`, ..., and `cm` pending a merge); issuers `i1` and `i3`.
async fn prepare(w: &World, vault: &str) -> Fixtures {
    let core = &w.core;
    let owner = &w.owner;
    let mut rsa = CreateKey::new("k", KeyType::Rsa);
    rsa.size = Some(2048);
    core.create_key(owner, vault, rsa).await.expect("owner creates k");
    for name in ["kx", "kd", "kg", "kr", "kp", "kb"] {
        core.create_key(owner, vault, CreateKey::new(name, KeyType::Ec)).await.expect("owner creates an EC key");
    }
    for name in ["kg", "kr", "kp"] {
        core.delete_object(owner, vault, ObjectKind::Key, name).await.expect("owner deletes a key");
    }
    let key_backup = core.backup_object(owner, vault, ObjectKind::Key, "kb").await.expect("owner backs up kb");
    core.delete_object(owner, vault, ObjectKind::Key, "kb").await.expect("owner deletes kb");
    core.purge_object(owner, vault, ObjectKind::Key, "kb").await.expect("owner purges kb");

    for name in ["s", "sd", "sg", "sr", "sp", "sb"] {
        core.set_secret(owner, vault, SetSecret::new(name, "matrix-secret-value")).await.expect("owner sets a secret");
    }
    for name in ["sg", "sr", "sp"] {
        core.delete_object(owner, vault, ObjectKind::Secret, name).await.expect("owner deletes a secret");
    }
    let secret_backup = core.backup_object(owner, vault, ObjectKind::Secret, "sb").await.expect("owner backs up sb");
    core.delete_object(owner, vault, ObjectKind::Secret, "sb").await.expect("owner deletes sb");
    core.purge_object(owner, vault, ObjectKind::Secret, "sb").await.expect("owner purges sb");

    for name in ["c", "cd", "cg", "cr", "cp", "cb"] {
        let policy = vaultmort_certs::policy::CertificatePolicy::self_signed(&format!("CN={name}"));
        core.create_certificate(owner, vault, name, Some(policy), true, Default::default()).await.expect("owner creates a certificate");
    }
    let mut pending = vaultmort_certs::policy::CertificatePolicy::self_signed("CN=cm");
    if let Some(issuer) = pending.issuer.as_mut() {
        issuer.name = Some("Unknown".into());
    }
    // Nothing can renew an Unknown-issuer certificate, so it may not keep the AutoRenew action.
    pending.lifetime_actions = None;
    core.create_certificate(owner, vault, "cm", Some(pending), true, Default::default()).await.expect("owner starts a CSR");
    for name in ["cg", "cr", "cp"] {
        core.delete_object(owner, vault, ObjectKind::Certificate, name).await.expect("owner deletes a certificate");
    }
    let certificate_backup = core.backup_object(owner, vault, ObjectKind::Certificate, "cb").await.expect("owner backs up cb");
    core.delete_object(owner, vault, ObjectKind::Certificate, "cb").await.expect("owner deletes cb");
    core.purge_object(owner, vault, ObjectKind::Certificate, "cb").await.expect("owner purges cb");
    let pfx = core.download_certificate(owner, vault, "c", None, DownloadFormat::Pfx, None).await.expect("owner downloads c");
    for name in ["i1", "i3"] {
        let changes = IssuerChanges { provider: Some("Test".into()), ..Default::default() };
        core.set_certificate_issuer(owner, vault, name, changes).await.expect("owner sets an issuer");
    }

    let key = KeyRef::latest(vault, "k");
    let ciphertext =
        core.encrypt(owner, key, EncryptionAlgorithm::RsaOaep256, b"matrix plaintext").await.expect("owner encrypts").value.to_vec();
    let wrapped = core.wrap_key(owner, key, EncryptionAlgorithm::RsaOaep256, &[9; 32]).await.expect("owner wraps").value.to_vec();
    let digest = [5u8; 32];
    let signature = core.sign(owner, key, SignatureAlgorithm::Rs256, &digest).await.expect("owner signs").value.to_vec();
    Fixtures { key_backup, secret_backup, certificate_backup, pfx, ciphertext, wrapped, digest, signature }
}

/// The one object an operation touches (what an object-scope role must be assigned on), or
/// `None` for operations on the vault's collections (lists, restore, issuers, contacts).
fn object_of(action: &Action) -> Option<(ObjectKind, &'static str)> {
    use ObjectKind::{Certificate as C, Key as K, Secret as S};
    Some(match action.operation {
        "KeyCreate" => (K, "kn"),
        "KeyImport" => (K, "ki"),
        "KeyGet" | "KeyUpdate" | "KeyBackup" | "KeyEncrypt" | "KeyDecrypt" | "KeyWrap" | "KeyUnwrap" | "KeySign" | "KeyVerify" => (K, "k"),
        "KeyRotate" => (K, "kx"),
        "KeyRotationPolicyGet" | "KeyRotationPolicySet" => (K, "k"),
        "KeyDelete" => (K, "kd"),
        "KeyGetDeleted" => (K, "kg"),
        "KeyRecover" => (K, "kr"),
        "KeyPurge" => (K, "kp"),
        "SecretSet" => (S, "sn"),
        "SecretGet" | "SecretUpdate" | "SecretBackup" => (S, "s"),
        "SecretDelete" => (S, "sd"),
        "SecretGetDeleted" => (S, "sg"),
        "SecretRecover" => (S, "sr"),
        "SecretPurge" => (S, "sp"),
        "CertificateCreate" => (C, "cn"),
        "CertificateImport" => (C, "ci"),
        "CertificateGet" | "CertificateUpdate" | "CertificateBackup" => (C, "c"),
        "CertificatePendingMerge" => (C, "cm"),
        "CertificateDelete" => (C, "cd"),
        "CertificateGetDeleted" => (C, "cg"),
        "CertificateRecover" => (C, "cr"),
        "CertificatePurge" => (C, "cp"),
        _ => return None,
    })
}

/// Calls the core operation behind `action` as `ctx`.
async fn call(core: &Vaultmort, ctx: &RequestContext, vault: &str, action: &Action, fx: &Fixtures) -> Result<(), Error> {
    let key = KeyRef::latest(vault, "k");
    match action.operation {
        "KeyCreate" => core.create_key(ctx, vault, CreateKey::new("kn", KeyType::Ec)).await.map(drop),
        "KeyImport" => {
            let jwk = JsonWebKey::parse(IMPORT_JWK).expect("the RFC 7517 key parses");
            let request = ImportKey::new("ki", jwk);
            core.import_key(ctx, vault, request).await.map(drop)
        }
        "KeyGet" => core.get_key(ctx, vault, "k", None).await.map(drop),
        "KeyList" => core.list_keys(ctx, vault).await.map(drop),
        "KeyUpdate" => core.update_key(ctx, vault, "k", None, UpdateKey::default()).await.map(drop),
        "KeyRotate" => core.rotate_key(ctx, vault, "kx").await.map(drop),
        "KeyRandomBytes" => core.random_bytes(ctx, vault, 16).await.map(drop),
        "KeyRotationPolicyGet" => core.get_key_rotation_policy(ctx, vault, "k").await.map(drop),
        "KeyRotationPolicySet" => {
            let policy = RotationPolicy {
                lifetime_actions: vec![RotationAction {
                    trigger: RotationTrigger { time_after_create: Some("P90D".into()), time_before_expiry: None },
                    action: "Rotate".into(),
                }],
                expiry_time: Some("P1Y".into()),
                created: None,
                updated: None,
            };
            core.set_key_rotation_policy(ctx, vault, "k", policy).await.map(drop)
        }
        "KeyDelete" => core.delete_object(ctx, vault, ObjectKind::Key, "kd").await.map(drop),
        "KeyGetDeleted" => core.get_deleted_object(ctx, vault, ObjectKind::Key, "kg").await.map(drop),
        "KeyListDeleted" => core.list_deleted_objects(ctx, vault, ObjectKind::Key).await.map(drop),
        "KeyRecover" => core.recover_object(ctx, vault, ObjectKind::Key, "kr").await.map(drop),
        "KeyPurge" => core.purge_object(ctx, vault, ObjectKind::Key, "kp").await,
        "KeyBackup" => core.backup_object(ctx, vault, ObjectKind::Key, "k").await.map(drop),
        "KeyRestore" => core.restore_object(ctx, vault, ObjectKind::Key, &fx.key_backup).await.map(drop),
        "KeyEncrypt" => core.encrypt(ctx, key, EncryptionAlgorithm::RsaOaep256, b"more plaintext").await.map(drop),
        "KeyDecrypt" => core.decrypt(ctx, key, EncryptionAlgorithm::RsaOaep256, &fx.ciphertext).await.map(drop),
        "KeyWrap" => core.wrap_key(ctx, key, EncryptionAlgorithm::RsaOaep256, &[3; 32]).await.map(drop),
        "KeyUnwrap" => core.unwrap_key(ctx, key, EncryptionAlgorithm::RsaOaep256, &fx.wrapped).await.map(drop),
        "KeySign" => core.sign(ctx, key, SignatureAlgorithm::Rs256, &fx.digest).await.map(drop),
        "KeyVerify" => {
            let result = core.verify(ctx, key, SignatureAlgorithm::Rs256, &fx.digest, &fx.signature).await?;
            assert!(result.valid, "the owner's signature verifies");
            Ok(())
        }
        "SecretSet" => core.set_secret(ctx, vault, SetSecret::new("sn", "new-matrix-value")).await.map(drop),
        "SecretGet" => core.get_secret(ctx, vault, "s", None).await.map(drop),
        "SecretList" => core.list_secrets(ctx, vault).await.map(drop),
        "SecretUpdate" => core.update_secret(ctx, vault, "s", None, UpdateSecret::default()).await.map(drop),
        "SecretDelete" => core.delete_object(ctx, vault, ObjectKind::Secret, "sd").await.map(drop),
        "SecretGetDeleted" => core.get_deleted_object(ctx, vault, ObjectKind::Secret, "sg").await.map(drop),
        "SecretListDeleted" => core.list_deleted_objects(ctx, vault, ObjectKind::Secret).await.map(drop),
        "SecretRecover" => core.recover_object(ctx, vault, ObjectKind::Secret, "sr").await.map(drop),
        "SecretPurge" => core.purge_object(ctx, vault, ObjectKind::Secret, "sp").await,
        "SecretBackup" => core.backup_object(ctx, vault, ObjectKind::Secret, "s").await.map(drop),
        "SecretRestore" => core.restore_object(ctx, vault, ObjectKind::Secret, &fx.secret_backup).await.map(drop),
        "CertificateCreate" => {
            let policy = vaultmort_certs::policy::CertificatePolicy::self_signed("CN=cn");
            core.create_certificate(ctx, vault, "cn", Some(policy), true, Default::default()).await.map(drop)
        }
        "CertificateImport" => {
            let request = ImportCertificate {
                name: "ci".into(),
                data: fx.pfx.clone(),
                password: None,
                policy: None,
                enabled: true,
                tags: Default::default(),
            };
            core.import_certificate(ctx, vault, request).await.map(drop)
        }
        "CertificateGet" => core.get_certificate(ctx, vault, "c", None).await.map(drop),
        "CertificateList" => core.list_certificates(ctx, vault).await.map(drop),
        "CertificateUpdate" => core.update_certificate(ctx, vault, "c", None, AttributeChanges::default()).await.map(drop),
        "CertificatePendingMerge" => {
            core.merge_certificate(ctx, vault, "cm", b"not a certificate", true, Default::default()).await.map(drop)
        }
        "CertificateDelete" => core.delete_object(ctx, vault, ObjectKind::Certificate, "cd").await.map(drop),
        "CertificateGetDeleted" => core.get_deleted_object(ctx, vault, ObjectKind::Certificate, "cg").await.map(drop),
        "CertificateListDeleted" => core.list_deleted_objects(ctx, vault, ObjectKind::Certificate).await.map(drop),
        "CertificateRecover" => core.recover_object(ctx, vault, ObjectKind::Certificate, "cr").await.map(drop),
        "CertificatePurge" => core.purge_object(ctx, vault, ObjectKind::Certificate, "cp").await,
        "CertificateBackup" => core.backup_object(ctx, vault, ObjectKind::Certificate, "c").await.map(drop),
        "CertificateRestore" => core.restore_object(ctx, vault, ObjectKind::Certificate, &fx.certificate_backup).await.map(drop),
        "CertificateIssuerSet" => core
            .set_certificate_issuer(ctx, vault, "i2", IssuerChanges { provider: Some("Test".into()), ..Default::default() })
            .await
            .map(drop),
        "CertificateIssuerGet" => core.get_certificate_issuer(ctx, vault, "i1").await.map(drop),
        "CertificateIssuerList" => core.list_certificate_issuers(ctx, vault).await.map(drop),
        "CertificateIssuerDelete" => core.delete_certificate_issuer(ctx, vault, "i3").await.map(drop),
        "CertificateContactsManage" => core
            .set_certificate_contacts(ctx, vault, vec![Contact { email: "ops@contoso.example".into(), name: None, phone: None }])
            .await
            .map(drop),
        other => panic!("the matrix has no call for {other}; every data action of the catalogue needs one"),
    }
}

/// Checks the outcome of the principal holding exactly the permission: the operation runs.
/// Merging needs a certificate signed for the pending key, which this matrix does not make; it
/// must get past authorization and fail on its input instead.
fn assert_admitted(action: &Action, mode: &str, result: Result<(), Error>) {
    match (action.operation, result) {
        ("CertificatePendingMerge", Err(error)) => assert!(
            error.code() != "Forbidden",
            "{mode}: merge with exactly its permission must pass authorization and fail on the input: {error}"
        ),
        (_, Err(error)) => panic!("{mode}: {} with exactly its permission must succeed, got {}: {error}", action.operation, error.code()),
        ("CertificatePendingMerge", Ok(())) => panic!("{mode}: merging a non-certificate must fail on the input"),
        (_, Ok(())) => {}
    }
}

/// Checks the refusal of the principal holding every other permission.
fn assert_refused(action: &Action, mode: &str, who: &str, result: Result<(), Error>, also_named: Option<&str>) {
    let error = result.expect_err(&format!("{mode}: {} without its permission must be refused", action.operation));
    assert_eq!(error.code(), "Forbidden", "{mode}: {} without its permission is Forbidden: {error}", action.operation);
    let inner = if mode.starts_with("RBAC") { "ForbiddenByRbac" } else { "AccessDenied" };
    assert_eq!(error.inner_code(), Some(inner), "{mode}: Key Vault's inner code says which access model refused: {error}");
    let message = error.to_string();
    assert!(message.contains(&describe(action)), "{mode}: the refusal names the missing permission {}: {message}", describe(action));
    assert!(message.contains(who), "{mode}: the refusal names the caller {who}: {message}");
    if let Some(data_action) = also_named {
        assert!(message.contains(data_action), "{mode}: an RBAC refusal names the dataAction {data_action}: {message}");
    }
}

/// Asserts that the two calls just made (the refused one, then the admitted one) left exactly
/// two access log records, in order, naming the operation, the callers, the outcome and the
/// rule that decided (must-show 4 for the matrix's requests).
async fn assert_logged(
    w: &World,
    before: usize,
    action: &Action,
    vault: &str,
    refused: &RequestContext,
    admitted: &RequestContext,
    rule: &str,
) {
    let records = w.log_since(before).await;
    let operations: Vec<&str> = records.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(operations, [action.operation, action.operation], "each of the two calls is logged once: {records:?}");
    let (no, yes) = (&records[0], &records[1]);
    assert_eq!(no.caller_object_id, refused.principal.object_id, "{}: the refusal names its caller", action.operation);
    assert_eq!((no.status, no.error_code.as_deref()), (403, Some("Forbidden")), "{}: the refusal's result", action.operation);
    assert_eq!(no.vault.as_deref(), Some(vault), "{}: the refusal names the vault", action.operation);
    assert!(no.rule.contains(&describe(action)), "{}: the refusal's rule names the permission: {}", action.operation, no.rule);
    assert_eq!(yes.caller_object_id, admitted.principal.object_id, "{}: the admission names its caller", action.operation);
    assert_ne!(yes.status, 403, "{}: the admitted call is not refused", action.operation);
    assert!(yes.rule.contains(rule), "{}: the admission's rule is '{rule}': {}", action.operation, yes.rule);
}

fn data_actions() -> Vec<Action> {
    actions::ALL.iter().copied().filter(Action::is_data).collect()
}

fn parts(action: &Action) -> (ObjectKind, &'static str, &'static str) {
    match action.permission {
        Permission::Data { kind, permission, data_action } => (kind, permission, data_action),
        Permission::Management(_) => unreachable!("only data actions are in the matrix"),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn access_policy_mode_admits_exactly_the_listed_permission() {
    let w = World::new().await;
    w.vault("pol", false).await;
    let fx = prepare(&w, "pol").await;
    let exact = w.user("exact@contoso.example").await;
    let others = w.user("others@contoso.example").await;
    for action in data_actions() {
        let (kind, permission, _) = parts(&action);
        let only = |kind_of: ObjectKind| if kind_of == kind { Some(vec![permission.to_string()]) } else { Some(Vec::new()) };
        let change =
            PolicyChange { keys: only(ObjectKind::Key), secrets: only(ObjectKind::Secret), certificates: only(ObjectKind::Certificate) };
        w.core.set_access_policy(&w.owner, "pol", "exact@contoso.example", change).await.expect("owner writes the exact policy");
        let but = |list: &[&str], kind_of: ObjectKind| {
            Some(list.iter().filter(|p| kind_of != kind || **p != permission).map(|p| p.to_string()).collect::<Vec<_>>())
        };
        let change = PolicyChange {
            keys: but(&KEY_PERMISSIONS, ObjectKind::Key),
            secrets: but(&SECRET_PERMISSIONS, ObjectKind::Secret),
            certificates: but(&CERTIFICATE_PERMISSIONS, ObjectKind::Certificate),
        };
        w.core.set_access_policy(&w.owner, "pol", "others@contoso.example", change).await.expect("owner writes the complement policy");

        let mode = format!("access policy, {}", action.operation);
        let before = w.log().await.len();
        assert_refused(&action, &mode, "others@contoso.example", call(&w.core, &others, "pol", &action, &fx).await, None);
        assert_admitted(&action, &mode, call(&w.core, &exact, "pol", &action, &fx).await);
        let rule = format!("access policy for object {}", exact.principal.object_id);
        assert_logged(&w, before, &action, "pol", &others, &exact, &rule).await;
    }
}

/// Runs the RBAC matrix in `vault`, assigning at the vault's scope or at the object's.
async fn rbac_matrix(object_scope: bool) {
    let w = World::new().await;
    let vault = if object_scope { "rbo" } else { "rbv" };
    w.vault(vault, true).await;
    // The owner needs data access to prepare an RBAC vault, as in Azure.
    w.core
        .create_role_assignment(&w.owner, "owner@vaultmort.local", "Key Vault Administrator", &w.vault_scope(vault))
        .await
        .expect("owner assigns itself Key Vault Administrator");
    let fx = prepare(&w, vault).await;
    let all: Vec<&str> = {
        let mut list: Vec<&str> = data_actions().iter().map(|a| parts(a).2).collect();
        list.sort_unstable();
        list.dedup();
        list
    };
    let subscription = w.subscription_scope();
    for (index, action) in data_actions().into_iter().enumerate() {
        let (kind, _, data_action) = parts(&action);
        let target = object_of(&action);
        if object_scope && target.is_none() {
            // An object-scope role cannot reach an operation on the whole collection.
            continue;
        }
        let scope = match target {
            Some((object_kind, name)) if object_scope => format!("{}/{}/{name}", w.vault_scope(vault), object_kind.collection()),
            _ => w.vault_scope(vault),
        };
        assert!(target.is_none_or(|(k, _)| k == kind), "{}: the object is of the action's kind", action.operation);
        let only =
            format!("{{\"Name\":\"only {data_action}\",\"DataActions\":[\"{data_action}\"],\"AssignableScopes\":[\"{subscription}\"]}}");
        let rest: Vec<String> = all.iter().filter(|d| **d != data_action).map(|d| format!("\"{d}\"")).collect();
        let but = format!(
            "{{\"Name\":\"all but {data_action}\",\"DataActions\":[{}],\"AssignableScopes\":[\"{subscription}\"]}}",
            rest.join(",")
        );
        w.core.create_role_definition(&w.owner, &only).await.expect("owner defines the exact role");
        w.core.create_role_definition(&w.owner, &but).await.expect("owner defines the complement role");
        let exact_upn = format!("exact{index}@contoso.example");
        let others_upn = format!("others{index}@contoso.example");
        let exact = w.user(&exact_upn).await;
        let others = w.user(&others_upn).await;
        w.core.create_role_assignment(&w.owner, &exact_upn, &format!("only {data_action}"), &scope).await.expect("assign exact");
        w.core.create_role_assignment(&w.owner, &others_upn, &format!("all but {data_action}"), &scope).await.expect("assign rest");

        let mode = format!("RBAC at {} scope, {}", if object_scope { "object" } else { "vault" }, action.operation);
        let before = w.log().await.len();
        assert_refused(&action, &mode, &others_upn, call(&w.core, &others, vault, &action, &fx).await, Some(data_action));
        assert_admitted(&action, &mode, call(&w.core, &exact, vault, &action, &fx).await);
        let rule = format!("role 'only {data_action}' assigned to {} at scope {scope}", exact.principal.object_id);
        assert_logged(&w, before, &action, vault, &others, &exact, &rule).await;
    }
}

#[tokio::test]
async fn rbac_mode_with_a_role_at_vault_scope_admits_exactly_its_data_action() {
    rbac_matrix(false).await;
}

#[tokio::test]
async fn rbac_mode_with_a_role_at_object_scope_admits_exactly_its_data_action() {
    rbac_matrix(true).await;
}

#[tokio::test]
async fn in_rbac_mode_access_policies_are_ignored() {
    let w = World::new().await;
    w.vault("ignored", false).await;
    w.core.set_secret(&w.owner, "ignored", SetSecret::new("s", "value")).await.expect("owner sets a secret");
    let reader = w.user("reader@contoso.example").await;
    let change = PolicyChange { secrets: Some(strings(&["get"])), ..Default::default() };
    w.core.set_access_policy(&w.owner, "ignored", "reader@contoso.example", change).await.expect("owner grants get by policy");
    w.core.get_secret(&reader, "ignored", "s", None).await.expect("in policy mode the policy lets the reader in");

    let switch = vaultmort_core::vaults::UpdateVault { rbac_authorization: Some(true), ..Default::default() };
    w.core.update_vault(&w.owner, "ignored", switch).await.expect("owner switches the vault to RBAC");
    let error = w.core.get_secret(&reader, "ignored", "s", None).await.expect_err("in RBAC mode the policy no longer counts");
    assert_eq!(error.code(), "Forbidden", "{error}");
    assert!(error.to_string().contains("Microsoft.KeyVault/vaults/secrets/getSecret/action"), "the refusal names the dataAction: {error}");
}
