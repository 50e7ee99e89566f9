//! Reading the access log: filters, the keyed digests of the pipeline, and the operations that
//! list, filter and verify the log (each authorized and itself audited). The records and their
//! hash chain are in [`crate::audit_chain`], below the storage seam.

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};

pub(crate) use crate::audit_chain::derive_digest_key;
pub use crate::audit_chain::{AuditChain, AuditRecord, CHAIN_HEAD_KEY, ChainHead, GENESIS, Parameters, Verification, constant_time_eq};
use crate::authz::{Scope, actions};
use crate::context::RequestContext;
use crate::{Result, Vaultmort};

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
