//! Must-show 4, the access log: every request, allowed or refused (by a policy, a role or the
//! firewall) or failed, appears exactly once with the right fields; no secret value or client
//! secret appears anywhere in the database; the hash chain verifies, and verification fails
//! after a record is edited, removed or the tail cut off with SQL.

use vaultmort_core::access_policy::PolicyChange;
use vaultmort_core::directory::NewPrincipal;
use vaultmort_core::firewall::{DefaultAction, NetworkChanges, NetworkRule};
use vaultmort_core::secrets::SetSecret;
use vaultmort_core::storage::AuditRecord;
use vaultmort_core::vaults::UpdateVault;
use vaultmort_core::{Error, RequestContext};

use crate::support::World;

const VALUE: &str = "log-scan-secret-value-4f1d2c";

/// What one request's record must say.
struct Expect<'a> {
    operation: &'a str,
    caller: &'a RequestContext,
    status: u16,
    error_code: Option<&'a str>,
    vault: Option<&'a str>,
    object_prefix: Option<&'a str>,
    rule_contains: &'a str,
}

/// Asserts that exactly one record was added since `before`, with the expected fields.
async fn exactly_one(w: &World, before: &mut usize, expect: Expect<'_>) -> AuditRecord {
    let records = w.log_since(*before).await;
    *before = w.log().await.len();
    assert_eq!(records.len(), 1, "{} must leave exactly one record, got {records:?}", expect.operation);
    let record = records.into_iter().next().expect("one record");
    assert_eq!(record.operation, expect.operation, "the operation name");
    assert_eq!(record.caller_object_id, expect.caller.principal.object_id, "{}: the caller's object id", expect.operation);
    assert_eq!(record.caller_name, expect.caller.principal.name, "{}: the caller's name", expect.operation);
    assert_eq!(record.caller_type, expect.caller.principal.kind.as_str(), "{}: the caller's type", expect.operation);
    assert_eq!(record.client_address, expect.caller.source.to_string(), "{}: the client address", expect.operation);
    assert_eq!(record.door, "cli", "{}: the door", expect.operation);
    assert_eq!(record.status, expect.status, "{}: the status", expect.operation);
    assert_eq!(record.error_code.as_deref(), expect.error_code, "{}: the error code", expect.operation);
    assert_eq!(record.vault.as_deref(), expect.vault, "{}: the vault", expect.operation);
    match expect.object_prefix {
        Some(prefix) => assert!(
            record.object.as_deref().is_some_and(|o| o.starts_with(prefix)),
            "{}: the object path starts with {prefix}: {:?}",
            expect.operation,
            record.object
        ),
        None => assert_eq!(record.object, None, "{}: no object", expect.operation),
    }
    assert!(
        record.rule.contains(expect.rule_contains),
        "{}: the rule mentions '{}': {}",
        expect.operation,
        expect.rule_contains,
        record.rule
    );
    assert_eq!(record.hash.len(), 64, "{}: the record is on the hash chain", expect.operation);
    record
}

fn code(result: Result<impl Sized, Error>) -> String {
    result.err().map(|e| e.code().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn every_request_is_logged_once_with_its_fields_and_no_value_reaches_the_database() {
    let w = World::new().await;
    w.vault("logged", false).await;
    let app = w.user("app@contoso.example").await;
    let reader = w.user("reader@contoso.example").await;
    w.core.create_role_assignment(&w.owner, "reader@contoso.example", "Reader", &w.vault_scope("logged")).await.expect("assign Reader");
    let sp = w.core.create_principal(&w.owner, NewPrincipal::ServicePrincipal { display_name: "ci-pipeline".into() }).await.expect("sp");
    let client_secret = sp.client_secret.clone().expect("a new service principal gets a client secret");
    let mut before = w.log().await.len();

    // Allowed data request, with the value recorded only as a keyed digest.
    w.core.set_secret(&w.owner, "logged", SetSecret::new("db", VALUE)).await.expect("owner sets a secret");
    let record = exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "SecretSet",
            caller: &w.owner,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: Some("secrets/db/"),
            rule_contains: "access policy for object",
        },
    )
    .await;
    let digest = record.parameters.get("value").expect("the value parameter is recorded as a digest");
    assert!(digest.starts_with("hmac-sha256:") && !digest.contains(VALUE), "a keyed digest, never the value: {digest}");

    // An imported private key is recorded only as a keyed digest too.
    let jwk = vaultmort_crypto::JsonWebKey::parse(
        r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#,
    )
    .expect("the RFC 7517 key parses");
    let import = vaultmort_core::keys::ImportKey::new("imported", jwk);
    w.core.import_key(&w.owner, "logged", import).await.expect("owner imports a key");
    let record = exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "KeyImport",
            caller: &w.owner,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: Some("keys/imported/"),
            rule_contains: "access policy for object",
        },
    )
    .await;
    assert!(record.parameters.get("key").is_some_and(|d| d.starts_with("hmac-sha256:")), "the private key is a digest: {record:?}");
    assert!(!serde_json::to_string(&record).expect("serialises").contains("870MB6gfuTJ4"), "never the key itself");

    // Refused by access policies (none for app).
    assert_eq!(code(w.core.get_secret(&app, "logged", "db", None).await), "Forbidden");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "SecretGet",
            caller: &app,
            status: 403,
            error_code: Some("Forbidden"),
            vault: Some("logged"),
            object_prefix: Some("secrets/db"),
            rule_contains: "no role assignment or access policy grants secrets/get to app@contoso.example",
        },
    )
    .await;

    // Allowed after a policy, then refused by the firewall from outside its rule.
    let change = PolicyChange { secrets: Some(vec!["get".into()]), ..Default::default() };
    w.core.set_access_policy(&w.owner, "logged", "app@contoso.example", change).await.expect("grant");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "VaultAccessPolicyWrite",
            caller: &w.owner,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: None,
            rule_contains: "role 'Owner'",
        },
    )
    .await;
    w.core.change_network_rule(&w.owner, "logged", NetworkRule::Ip("203.0.113.0/24".into()), true).await.expect("rule");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "VaultNetworkRuleWrite",
            caller: &w.owner,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: None,
            rule_contains: "role 'Owner'",
        },
    )
    .await;
    let deny =
        UpdateVault { network: NetworkChanges { default_action: Some(DefaultAction::Deny), ..Default::default() }, ..Default::default() };
    w.core.update_vault(&w.owner, "logged", deny).await.expect("deny");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "VaultPatch",
            caller: &w.owner,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: None,
            rule_contains: "role 'Owner'",
        },
    )
    .await;
    let inside = World::from(&app, "203.0.113.5");
    let secret = w.core.get_secret(&inside, "logged", "db", None).await.expect("inside the rule the app reads");
    assert_eq!(secret.value.as_deref().map(String::as_str), Some(VALUE), "the value round-trips");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "SecretGet",
            caller: &inside,
            status: 200,
            error_code: None,
            vault: Some("logged"),
            object_prefix: Some("secrets/db/"),
            rule_contains: "firewall: IP rule 203.0.113.0/24",
        },
    )
    .await;
    let outside = World::from(&app, "198.51.100.9");
    // Recorded in its wire form, as the client is answered (`Forbidden`); the rule names the firewall.
    assert_eq!(code(w.core.get_secret(&outside, "logged", "db", None).await), "Forbidden");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "SecretGet",
            caller: &outside,
            status: 403,
            error_code: Some("Forbidden"),
            vault: Some("logged"),
            object_prefix: Some("secrets/db"),
            rule_contains: "firewall: logged refused from 198.51.100.9",
        },
    )
    .await;

    // Management refused by RBAC, and a failure that is not about access.
    assert_eq!(code(w.core.delete_vault(&reader, "logged").await), "Forbidden");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "VaultDelete",
            caller: &reader,
            status: 403,
            error_code: Some("Forbidden"),
            vault: Some("logged"),
            object_prefix: None,
            rule_contains: "Microsoft.KeyVault/vaults/delete",
        },
    )
    .await;
    let owner_inside = World::from(&w.owner, "203.0.113.6");
    assert_eq!(code(w.core.get_secret(&owner_inside, "logged", "missing", None).await), "SecretNotFound");
    exactly_one(
        &w,
        &mut before,
        Expect {
            operation: "SecretGet",
            caller: &owner_inside,
            status: 404,
            error_code: Some("SecretNotFound"),
            vault: Some("logged"),
            object_prefix: Some("secrets/missing"),
            rule_contains: "access policy for object",
        },
    )
    .await;

    // Neither the secret value nor the client secret is anywhere in the database.
    for cell in w.all_cells().await {
        for needle in [VALUE.as_bytes(), client_secret.as_bytes()] {
            assert!(!cell.windows(needle.len()).any(|window| window == needle), "a stored cell contains a secret in plaintext");
        }
    }
    let log_text = serde_json::to_string(&w.log().await).expect("the log serialises");
    assert!(!log_text.contains(VALUE) && !log_text.contains(client_secret.as_str()), "the log as read holds no secret");
}

#[tokio::test]
async fn verification_passes_and_then_finds_an_edited_a_removed_and_a_truncated_record() {
    let w = World::new().await;
    w.vault("chain", false).await;
    for i in 0..4 {
        w.core.set_secret(&w.owner, "chain", SetSecret::new(format!("s{i}"), "chained")).await.expect("owner sets a secret");
    }
    let verification = w.core.verify_audit_log(&w.owner).await.expect("the owner verifies the log");
    assert!(verification.valid, "an untouched log verifies: {:?}", verification.problems);
    assert!(verification.chained > 5, "every record so far is chained");

    let target: i64 = w.log().await.iter().find(|r| r.operation == "SecretSet").map(|r| r.sequence).expect("a SecretSet record");
    assert_eq!(w.sql(&format!("UPDATE audit_log SET caller_name = 'someone else' WHERE sequence = {target}")).await, 1, "edit one record");
    let verification = w.core.verify_audit_log(&w.owner).await.expect("verification runs");
    assert!(!verification.valid, "an edited record is found");
    assert_eq!(verification.first_bad_sequence, Some(target), "at the edited record: {:?}", verification.problems);
    assert!(verification.problems.iter().any(|p| p.contains("changed")), "the problem says it was changed: {:?}", verification.problems);

    // Put the field back, then remove a record instead.
    w.sql(&format!("UPDATE audit_log SET caller_name = 'owner@vaultmort.local' WHERE sequence = {target}")).await;
    assert!(w.core.verify_audit_log(&w.owner).await.expect("runs").valid, "restoring the field restores the chain");
    assert_eq!(w.sql(&format!("DELETE FROM audit_log WHERE sequence = {}", target + 1)).await, 1, "remove one record");
    let verification = w.core.verify_audit_log(&w.owner).await.expect("verification runs");
    assert!(!verification.valid, "a removed record is found");
    assert_eq!(verification.first_bad_sequence, Some(target + 2), "at the record after the gap: {:?}", verification.problems);
    assert!(
        verification.problems.iter().any(|p| p.contains("removed")),
        "the problem says records were removed: {:?}",
        verification.problems
    );

    // A fresh log whose newest records are cut off.
    let w = World::new().await;
    w.vault("tail", false).await;
    assert_eq!(
        w.sql("DELETE FROM audit_log WHERE sequence > (SELECT max(sequence) - 2 FROM audit_log)").await,
        2,
        "cut off the two newest records"
    );
    let verification = w.core.verify_audit_log(&w.owner).await.expect("verification runs");
    assert!(!verification.valid, "a truncated tail disagrees with the chain head: {verification:?}");
}

#[tokio::test]
async fn a_chain_rebuilt_without_the_master_key_does_not_verify() {
    let w = World::new().await;
    w.vault("forged", false).await;
    w.core.set_secret(&w.owner, "forged", SetSecret::new("s", "value")).await.expect("owner sets a secret");
    // Someone with write access to the file but not the master key edits a record and rebuilds
    // every hash and the chain head with a key of their own.
    let mut records = w.log().await;
    records[1].caller_name = "someone else".into();
    let forger = vaultmort_core::audit::AuditChain::new(b"the forger's own key");
    let mut head = None;
    for record in records.iter_mut() {
        let sequence = record.sequence;
        head = Some(forger.link(record, head.as_ref(), sequence));
        let statement = format!(
            "UPDATE audit_log SET caller_name = '{}', previous_hash = '{}', hash = '{}' WHERE sequence = {sequence}",
            record.caller_name, record.previous_hash, record.hash
        );
        assert_eq!(w.sql(&statement).await, 1, "the forger rewrites record {sequence}");
    }
    let head = head.expect("records exist");
    let statement = format!("UPDATE meta SET value = x'{}' WHERE key = 'audit.chain_head'", hex_of(&head.encode()));
    assert_eq!(w.sql(&statement).await, 1, "and the chain head");
    let verification = w.core.verify_audit_log(&w.owner).await.expect("verification runs");
    assert!(!verification.valid, "a chain rebuilt without the master key's derived key fails");
    assert_eq!(verification.first_bad_sequence, Some(records[0].sequence), "from the first record on: {:?}", verification.problems);
}

/// Reads that finish together share a group commit: each still gets exactly one record, and
/// the records form one unbroken chain with the writes around them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_and_failures_are_each_logged_once_on_one_unbroken_chain() {
    let w = std::sync::Arc::new(World::new().await);
    w.vault("group", false).await;
    w.core.set_secret(&w.owner, "group", SetSecret::new("s", "grouped")).await.expect("owner sets a secret");
    let before = w.log().await.len();
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let w = std::sync::Arc::clone(&w);
            tokio::spawn(async move {
                // Every fourth read asks for a secret that does not exist: a failure, logged too.
                let name = if i % 4 == 0 { "missing" } else { "s" };
                let result = w.core.get_secret(&w.owner, "group", name, None).await;
                if i % 12 == 5 {
                    // A write in between commits its record in its own transaction.
                    w.core.set_secret(&w.owner, "group", SetSecret::new(format!("w{i}"), "v")).await.expect("a write succeeds");
                }
                result.is_ok()
            })
        })
        .collect();
    let mut succeeded = 0;
    for task in tasks {
        succeeded += usize::from(task.await.expect("no request panics"));
    }
    assert_eq!(succeeded, 36, "every read of an existing secret succeeds");
    let records = w.log_since(before).await;
    let gets: Vec<_> = records.iter().filter(|r| r.operation == "SecretGet").collect();
    assert_eq!(gets.len(), 48, "each read, allowed or failed, leaves exactly one record");
    assert_eq!(gets.iter().filter(|r| r.status == 200).count(), 36, "one success record per successful read");
    assert_eq!(gets.iter().filter(|r| r.status == 404).count(), 12, "one failure record per failed read");
    assert_eq!(records.iter().filter(|r| r.operation == "SecretSet").count(), 4, "each write leaves one record");
    let verification = w.core.verify_audit_log(&w.owner).await.expect("the owner verifies the log");
    assert!(verification.valid, "grouped commits never fork or break the chain: {:?}", verification.problems);
}

/// Regression, issue 11 point 1: `log verify` beside a running server reported a removed tail
/// ("the log ends at record 47 but the chain head names record 48") in a third of its runs:
/// it read the records and the chain head in two statements, and the server appended between
/// them. Here one core keeps appending (each read is logged) while a second core over the same
/// file verifies again and again; every verification must see one moment of the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue11_point1_verification_beside_another_core_appending_never_reports_tampering() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Reads per appender at most, so the test ends even if verification never returns.
    const MAX_READS: usize = 20_000;
    /// Verifications while the log grows (the issue saw 9 to 13 of 30 fail).
    const RUNS: usize = 30;

    let w = Arc::new(World::new().await);
    w.vault("growing", false).await;
    w.core.set_secret(&w.owner, "growing", SetSecret::new("s", "value")).await.expect("owner sets a secret");
    let verifier = w.second_process().await;
    let stop = Arc::new(AtomicBool::new(false));
    let appended = Arc::new(AtomicUsize::new(0));
    let appenders: Vec<_> = (0..2)
        .map(|_| {
            let (w, stop, appended) = (Arc::clone(&w), Arc::clone(&stop), Arc::clone(&appended));
            tokio::spawn(async move {
                for _ in 0..MAX_READS {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    w.core.get_secret(&w.owner, "growing", "s", None).await.expect("a read beside the verifier succeeds");
                    appended.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Let the appenders start before the first verification.
    while appended.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    let mut false_alarms = Vec::new();
    let during = appended.load(Ordering::Relaxed);
    for run in 1..=RUNS {
        let verification = verifier.verify_audit_log(&w.owner).await.expect("verification runs beside the appender");
        if !verification.valid {
            false_alarms.push(format!("run {run}: {:?}", verification.problems));
        }
    }
    let during = appended.load(Ordering::Relaxed) - during;
    stop.store(true, Ordering::Relaxed);
    for appender in appenders {
        appender.await.expect("no appender panics");
    }

    assert!(during >= RUNS, "the log must grow while it is verified for this test to mean anything ({during} records appended)");
    assert!(
        false_alarms.is_empty(),
        "nothing was tampered with, so no verification may report tampering, but {} of {RUNS} did: {false_alarms:#?}",
        false_alarms.len()
    );
    let settled = verifier.verify_audit_log(&w.owner).await.expect("verification runs");
    assert!(settled.valid, "once the appends stop the log still verifies: {:?}", settled.problems);
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
