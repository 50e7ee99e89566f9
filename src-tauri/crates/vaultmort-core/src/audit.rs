//! The access log's integrity and reading: the hash chain, its verification, filters, and the
//! keyed digests that stand in for sensitive request parameters.
//!
//! Every record holds a keyed SHA-256 (HMAC-SHA256) over its own canonical form, which includes
//! the previous record's hash ([`AuditChain::hash`]); the store computes it while appending, so
//! that no two records ever link to the same predecessor, and keeps the newest (sequence, hash)
//! as the chain head in metadata.
//! [`AuditChain::verify`] recomputes the chain, so an edited record, a removed record and a
//! truncated tail are all found. The key is derived from the master key, so someone who can
//! write the database file but does not hold the master key cannot recompute a chain that
//! verifies after changing it. Records written before the chain existed (an older store) are
//! reported as unchained and must all come first.
//!
//! Sensitive parameters (a secret's value, a digest to sign, a plaintext) never enter a record:
//! the pipeline records an HMAC-SHA256 under a key derived from the master key, so equal inputs
//! can be recognised without being revealed. Left out: shipping the log elsewhere.

use std::collections::BTreeMap;

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::authz::{Scope, actions};
use crate::context::RequestContext;
use crate::storage::AuditRecord;
use crate::{Result, StoreError, Vaultmort};

/// The hash the first chained record follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The metadata key of the chain head.
pub const CHAIN_HEAD_KEY: &str = "audit.chain_head";

/// The newest record's position and hash, kept in metadata beside the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Sequence of the newest record.
    pub sequence: i64,
    /// Its hash.
    pub hash: String,
}

impl ChainHead {
    /// Parses the stored head.
    pub fn decode(bytes: &[u8]) -> std::result::Result<Self, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("the access log's chain head: {e}")))
    }

    /// Encodes the head for storage.
    pub fn encode(&self) -> Vec<u8> {
        // Serialising two plain fields cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The canonical form of a record: every field but its own hash, in a fixed order, with the
/// time in whole seconds (as stored).
fn canonical(record: &AuditRecord) -> Vec<u8> {
    let value = serde_json::json!([
        record.sequence,
        record.time.timestamp(),
        record.operation,
        record.caller_object_id,
        record.caller_name,
        record.caller_type,
        record.client_address,
        record.door,
        record.vault,
        record.object,
        record.status,
        record.error_code,
        record.duration_micros,
        record.rule,
        record.flags,
        record.parameters,
        record.previous_hash,
    ]);
    value.to_string().into_bytes()
}

/// The key that chains the access log, derived from the master key.
pub struct AuditChain {
    key: hmac::Key,
}

impl std::fmt::Debug for AuditChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditChain(..)")
    }
}

impl AuditChain {
    /// The chain key for a store, derived from its master key's bytes (or, in tests, any secret).
    pub fn new(master: &[u8]) -> Self {
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, master), b"vaultmort/audit-chain/v1");
        Self { key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()) }
    }

    /// The hash of a record whose `sequence` and `previous_hash` are set: HMAC-SHA256 under the
    /// chain key over its canonical form, which includes the previous record's hash.
    pub fn hash(&self, record: &AuditRecord) -> String {
        hex::encode(hmac::sign(&self.key, &canonical(record)).as_ref())
    }

    /// Links `record` to the chain after `head` (or the genesis when the log is empty): sets its
    /// sequence, previous hash and hash, and returns the new head.
    pub fn link(&self, record: &mut AuditRecord, head: Option<&ChainHead>, next_sequence: i64) -> ChainHead {
        record.sequence = next_sequence;
        record.previous_hash = head.map(|h| h.hash.clone()).unwrap_or_else(|| GENESIS.to_string());
        record.hash = self.hash(record);
        ChainHead { sequence: record.sequence, hash: record.hash.clone() }
    }

    /// Checks records (oldest first) against each other and against the stored chain head.
    pub fn verify(&self, records: &[AuditRecord], head: Option<&ChainHead>) -> Verification {
        verify_with(records, head, |record| self.hash(record))
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Whether the whole log checks out.
    pub valid: bool,
    /// Records read.
    pub records: usize,
    /// Records on the chain.
    pub chained: usize,
    /// Records from before the chain existed.
    pub unchained: usize,
    /// The first record that fails, if any.
    pub first_bad_sequence: Option<i64>,
    /// What is wrong, in words.
    pub problems: Vec<String>,
}

fn verify_with(records: &[AuditRecord], head: Option<&ChainHead>, hash: impl Fn(&AuditRecord) -> String) -> Verification {
    let mut problems = Vec::new();
    let mut first_bad = None;
    let mut bad = |sequence: i64, problem: String, first_bad: &mut Option<i64>| {
        first_bad.get_or_insert(sequence);
        problems.push(problem);
    };
    let mut previous: Option<&AuditRecord> = None;
    let mut unchained = 0;
    let mut chained = 0;
    for record in records {
        if record.hash.is_empty() {
            if previous.is_some() {
                bad(record.sequence, format!("record {} has no hash but follows chained records", record.sequence), &mut first_bad);
            } else {
                unchained += 1;
            }
            continue;
        }
        chained += 1;
        let expected_previous = previous.map(|p| p.hash.as_str()).unwrap_or(GENESIS);
        if record.previous_hash != expected_previous {
            let why = match previous {
                Some(p) if record.sequence != p.sequence + 1 => {
                    format!(
                        "record {} follows record {}: records {}..{} were removed",
                        record.sequence,
                        p.sequence,
                        p.sequence + 1,
                        record.sequence - 1
                    )
                }
                Some(p) => {
                    format!("record {} does not chain to record {} (its predecessor was changed or removed)", record.sequence, p.sequence)
                }
                None => format!("the first chained record ({}) does not start the chain: earlier records were removed", record.sequence),
            };
            bad(record.sequence, why, &mut first_bad);
        }
        if !constant_time_eq(&hash(record), &record.hash) {
            bad(
                record.sequence,
                format!("record {} was changed after it was written (its hash does not match)", record.sequence),
                &mut first_bad,
            );
        }
        previous = Some(record);
    }
    match (head, previous) {
        (Some(head), Some(last)) if head.sequence != last.sequence || head.hash != last.hash => bad(
            last.sequence + 1,
            format!(
                "the log ends at record {} but the chain head names record {}: the tail was removed or changed",
                last.sequence, head.sequence
            ),
            &mut first_bad,
        ),
        (Some(head), None) => {
            bad(head.sequence, format!("the chain head names record {} but the log has no chained records", head.sequence), &mut first_bad)
        }
        (None, Some(last)) => bad(last.sequence, "the log has chained records but no chain head".to_string(), &mut first_bad),
        _ => {}
    }
    Verification { valid: problems.is_empty(), records: records.len(), chained, unchained, first_bad_sequence: first_bad, problems }
}

/// Compares two hex digests without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key for keyed digests, derived from the master key's bytes.
pub(crate) fn derive_digest_key(master: &[u8]) -> hmac::Key {
    let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, master), b"vaultmort/keyed-digest/v1");
    hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref())
}

/// How a record ended, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Status below 400.
    Succeeded,
    /// Refused by authorization or the firewall (403).
    Denied,
    /// Any status from 400 up.
    Failed,
}

/// Which records to read; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Vault name.
    pub vault: Option<String>,
    /// Caller object id or name.
    pub caller: Option<String>,
    /// Operation name.
    pub operation: Option<String>,
    /// How the request ended.
    pub outcome: Option<Outcome>,
    /// From this time (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Until this time (inclusive).
    pub until: Option<DateTime<Utc>>,
    /// At most this many, the newest (all when `None`).
    pub limit: Option<usize>,
}

impl AuditFilter {
    /// Whether a record passes.
    pub fn admits(&self, record: &AuditRecord) -> bool {
        let eq = |wanted: &Option<String>, actual: Option<&str>| {
            wanted.as_ref().is_none_or(|w| actual.is_some_and(|a| a.eq_ignore_ascii_case(w)))
        };
        eq(&self.vault, record.vault.as_deref())
            && self
                .caller
                .as_ref()
                .is_none_or(|c| record.caller_object_id.eq_ignore_ascii_case(c) || record.caller_name.eq_ignore_ascii_case(c))
            && eq(&self.operation, Some(&record.operation))
            && self.outcome.is_none_or(|o| match o {
                Outcome::Succeeded => record.status < 400,
                Outcome::Denied => record.status == 403,
                Outcome::Failed => record.status >= 400,
            })
            && self.since.is_none_or(|t| record.time >= t)
            && self.until.is_none_or(|t| record.time <= t)
    }
}

impl Vaultmort {
    /// HMAC-SHA256 (hex) of `bytes` for `purpose` under the key derived from the master key.
    pub(crate) fn keyed_digest(&self, purpose: &[u8], bytes: &[u8]) -> String {
        let mut context = hmac::Context::with_key(&self.digest_key);
        context.update(purpose);
        context.update(&[0]);
        context.update(bytes);
        hex::encode(context.sign().as_ref())
    }

    /// Reads the access log through a filter, oldest first (`vaultmort keyvault log list`).
    pub async fn query_audit_log(&self, ctx: &RequestContext, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        let mut req = self.request(ctx, actions::LOG_READ).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            // One read, so one moment of the log, even while another process appends (`log
            // export` writes what this returns; it reads no chain head to disagree with).
            let mut records: Vec<AuditRecord> = req.tx.audit_list(0, i64::MAX).await?.into_iter().filter(|r| filter.admits(r)).collect();
            if let Some(limit) = filter.limit {
                let skip = records.len().saturating_sub(limit);
                records.drain(..skip);
            }
            Ok(records)
        }
        .await;
        req.finish(result).await
    }

    /// Checks the access log's hash chain (`vaultmort keyvault log verify`).
    pub async fn verify_audit_log(&self, ctx: &RequestContext) -> Result<Verification> {
        let mut req = self.request(ctx, actions::LOG_VERIFY).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            // The records and the head from one moment: read one after the other, a record
            // appended in between (by a running server, say) would name a head past the log's
            // end and look like a removed tail.
            let snapshot = req.tx.audit_snapshot().await?;
            Ok(self.audit.chain().verify(&snapshot.records, snapshot.head.as_ref()))
        }
        .await;
        req.finish(result).await
    }
}

/// Parameters a request records, by name: keyed digests only.
pub type Parameters = BTreeMap<String, String>;

#[cfg(test)]
mod tests {
    use super::*;

    fn record(operation: &str) -> AuditRecord {
        AuditRecord {
            sequence: 0,
            time: DateTime::from_timestamp(1_700_000_000, 0).expect("in range"),
            operation: operation.into(),
            caller_object_id: "id".into(),
            caller_name: "name".into(),
            caller_type: "user".into(),
            client_address: "127.0.0.1".into(),
            door: "cli".into(),
            vault: None,
            object: None,
            status: 200,
            error_code: None,
            duration_micros: 1,
            rule: "rule".into(),
            flags: Vec::new(),
            parameters: Parameters::new(),
            previous_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(key: &AuditChain, n: usize) -> (Vec<AuditRecord>, ChainHead) {
        let mut head = None;
        let mut records = Vec::new();
        for i in 0..n {
            let mut r = record(&format!("Op{i}"));
            head = Some(key.link(&mut r, head.as_ref(), i as i64 + 1));
            records.push(r);
        }
        (records, head.expect("n > 0"))
    }

    #[test]
    fn an_intact_chain_verifies_and_every_kind_of_tampering_is_found() {
        let key = AuditChain::new(b"test master key");
        let verify = |records: &[AuditRecord], head: Option<&ChainHead>| key.verify(records, head);
        let (records, head) = chain(&key, 4);
        assert!(verify(&records, Some(&head)).valid, "an untouched chain verifies");

        let mut edited = records.clone();
        edited[1].caller_name = "someone else".into();
        assert_eq!(verify(&edited, Some(&head)).first_bad_sequence, Some(2), "an edited field breaks that record's hash");

        let mut removed = records.clone();
        removed.remove(2);
        assert_eq!(verify(&removed, Some(&head)).first_bad_sequence, Some(4), "a removed record breaks its successor's link");

        let truncated = &records[..3];
        assert!(!verify(truncated, Some(&head)).valid, "a removed tail disagrees with the chain head");

        let (forged, forged_head) = chain(&AuditChain::new(b"a key of the forger's own"), 4);
        assert!(!verify(&forged, Some(&forged_head)).valid, "a chain rebuilt without the master key does not verify");
    }
}
