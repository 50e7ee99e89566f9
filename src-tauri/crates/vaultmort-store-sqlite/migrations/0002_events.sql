-- Events a vault raises by itself (CertificateNearExpiry, CertificateExpired,
-- CertificateNewVersionCreated, as Key Vault sends them to Event Grid) and the notifications
-- written for its certificate contacts (the EmailContacts outbox). Rows are only appended;
-- they go with their vault when it is purged.
CREATE TABLE events (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    time       INTEGER NOT NULL,
    vault_id   TEXT NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
    vault_name TEXT NOT NULL,
    event_type TEXT NOT NULL,
    subject    TEXT NOT NULL,
    data       TEXT NOT NULL CHECK (json_valid(data))
) STRICT;

CREATE INDEX events_by_vault ON events (vault_id, sequence);
