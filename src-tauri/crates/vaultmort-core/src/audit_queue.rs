//! Group commit for the access-log records that are not part of a write transaction: those of
//! read-only requests, of failed requests (whose own transaction was rolled back) and of door
//! refusals.
//!
//! Each request hands its record to [`AuditQueue::append`] and waits there until the record is
//! durable. One writer at a time takes the records queued so far (up to
//! [`AUDIT_GROUP_LIMIT`]) and appends them all or none: the chain head is read once, the records
//! are linked in queue order and committed together (SQLite: one multi-row `INSERT`). Requests that arrive while a commit is in progress form the next group,
//! so under load one commit carries many records, and with a single caller each record is
//! committed alone as before. The fail-closed rule holds per record: `append` returns `Ok` only
//! after the commit that holds the record succeeded, and an error (or a writer that vanished)
//! reaches every request of that group, which the pipeline then refuses.
//!
//! The writer runs as its own task on the caller's Tokio runtime, so a request whose future is
//! dropped (its client went away) never abandons the other records of its group half-written.
//! Outside a runtime the caller writes the group itself.
//!
//! Left out: records of write requests, which commit atomically with the change they describe in
//! that request's own transaction ([`crate::pipeline`]).

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::audit::AuditChain;
use crate::storage::{AUDIT_GROUP_LIMIT, AuditRecord, Storage};
use crate::{Error, Result};

/// A record waiting for its group's commit, and where to say how that went.
struct Waiting {
    record: AuditRecord,
    done: oneshot::Sender<std::result::Result<(), Arc<crate::StoreError>>>,
}

/// Records waiting, and whether a writer is at work on them.
#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    writing: bool,
}

/// The access log's group commit; one per core.
pub(crate) struct AuditQueue {
    storage: Arc<dyn Storage>,
    chain: AuditChain,
    queue: Mutex<Queue>,
}

impl std::fmt::Debug for AuditQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditQueue(..)")
    }
}

impl AuditQueue {
    pub(crate) fn new(storage: Arc<dyn Storage>, chain: AuditChain) -> Self {
        Self { storage, chain, queue: Mutex::new(Queue::default()) }
    }

    /// The key that chains the log, for appends inside a request's own transaction.
    pub(crate) fn chain(&self) -> &AuditChain {
        &self.chain
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding this lock leaves only a Vec and a flag, both still consistent.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `record` to the access log and returns once it is durable; an error means it is
    /// not known to be, and the request must be refused ([`Error::AuditUnavailable`]).
    pub(crate) async fn append(self: &Arc<Self>, record: AuditRecord) -> Result<()> {
        let (done, outcome) = oneshot::channel();
        let start_writer = {
            let mut queue = self.lock();
            queue.waiting.push(Waiting { record, done });
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            let queue = Arc::clone(self);
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move { queue.write_groups().await });
                }
                Err(_) => queue.write_groups().await,
            }
        }
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(Error::AuditUnavailable(why.to_string())),
            Err(_) => Err(Error::AuditUnavailable("the access log's writer stopped before committing the record".into())),
        }
    }

    /// Commits groups until none is waiting, then steps down.
    async fn write_groups(self: Arc<Self>) {
        // If this task panics or is dropped, the next caller must find no writer at work, and
        // the records taken so far must learn that they were not committed (their senders drop).
        let mut stand_down = StandDown { queue: &self, finished: false };
        loop {
            let group = {
                let mut queue = self.lock();
                if queue.waiting.is_empty() {
                    queue.writing = false;
                    stand_down.finished = true;
                    return;
                }
                let take = queue.waiting.len().min(AUDIT_GROUP_LIMIT);
                queue.waiting.drain(..take).collect::<Vec<_>>()
            };
            let records: Vec<AuditRecord> = group.iter().map(|w| w.record.clone()).collect();
            // One failure, shared by every request of the group.
            let outcome = self.commit(&records).await.map_err(Arc::new);
            for waiting in group {
                // A receiver that is gone belongs to a request that no longer waits.
                let _ = waiting.done.send(outcome.clone());
            }
        }
    }

    async fn commit(&self, records: &[AuditRecord]) -> std::result::Result<(), crate::StoreError> {
        // A read session: the group lands in one statement that commits on its own, without
        // holding the write lock for a transaction around it.
        let mut tx = self.storage.begin_read().await?;
        tx.audit_append_all(records, &self.chain).await?;
        tx.commit().await
    }
}

/// Clears the writer flag when the writer ends abnormally, by a panic or by its future being
/// dropped (a normal end clears it under the lock on finding the queue empty).
struct StandDown<'a> {
    queue: &'a AuditQueue,
    finished: bool,
}

impl Drop for StandDown<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let mut queue = self.queue.lock();
            queue.writing = false;
            // Their senders drop here: those requests are refused rather than left waiting.
            queue.waiting.clear();
        }
    }
}
