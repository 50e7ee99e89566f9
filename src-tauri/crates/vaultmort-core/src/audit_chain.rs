//! The access log's records and their integrity: the record type, the hash chain, its
//! verification, and the keyed digests that stand in for sensitive request parameters. It sits
//! below the storage seam, which links each record it appends into the chain.
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
//! can be recognised without being revealed.

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Parameters a request records, by name: keyed digests only.
pub type Parameters = std::collections::BTreeMap<String, String>;

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Position in the log (assigned by storage when appended; 0 before).
    pub sequence: i64,
    /// When the request arrived (shifted clock).
    pub time: DateTime<Utc>,
    /// Key Vault's operation name (`SecretGet`, `VaultPut`, ...).
    pub operation: String,
    /// Caller object id.
    pub caller_object_id: String,
    /// Caller display name.
    pub caller_name: String,
    /// What kind of caller (`user`, `servicePrincipal`, `managedIdentity`).
    #[serde(default)]
    pub caller_type: String,
    /// Client address.
    pub client_address: String,
    /// The door the request came through.
    pub door: String,
    /// Vault name, when the request concerns one.
    pub vault: Option<String>,
    /// Object path (`keys/name/version`), never a value.
    pub object: Option<String>,
    /// HTTP-style status of the result.
    pub status: u16,
    /// Error code when refused or failed.
    pub error_code: Option<String>,
    /// Time spent, in microseconds.
    pub duration_micros: i64,
    /// The rule that allowed or denied the request.
    pub rule: String,
    /// Flags raised by the request (such as `self-granted-data-access`).
    #[serde(default)]
    pub flags: Vec<String>,
    /// Sensitive request parameters, as keyed digests (HMAC-SHA256, hex); never values.
    #[serde(default)]
    pub parameters: Parameters,
    /// The previous record's hash (the genesis value for the first); set by storage.
    #[serde(default)]
    pub previous_hash: String,
    /// HMAC-SHA256 under the chain key over this record's canonical form, which includes
    /// `previous_hash` (see [`AuditChain::hash`]); set by storage.
    /// Empty for records written before the chain existed.
    #[serde(default)]
    pub hash: String,
}

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
