-- The initial schema of Vaultmort's SQLite store.
--
-- Names are case-insensitive in Key Vault, so every name column uses COLLATE NOCASE: lookups,
-- uniqueness and ordering all ignore (ASCII) case. Times are unix seconds. The JSON columns hold
-- the domain records; the plain columns beside them (deleted_at, scheduled_purge, ...) are
-- copies kept for indexing and filtering, written together with the JSON on every put.
-- Sealed material (object_versions.sealed) has already been encrypted by the core's barrier.

-- Installation-wide values (tenant, clock offset, master key check, ...).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Data keys, wrapped by the master key.
CREATE TABLE data_keys (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    wrapped BLOB NOT NULL,
    created INTEGER NOT NULL
) STRICT;

CREATE TABLE resource_groups (
    subscription_id TEXT NOT NULL,
    name            TEXT NOT NULL COLLATE NOCASE,
    body            TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (subscription_id, name)
) STRICT;

CREATE TABLE vaults (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    resource_group  TEXT NOT NULL COLLATE NOCASE,
    deleted_at      INTEGER,
    scheduled_purge INTEGER,
    body            TEXT NOT NULL CHECK (json_valid(body)),
    CHECK ((deleted_at IS NULL) = (scheduled_purge IS NULL))
) STRICT;

CREATE INDEX vaults_by_resource_group ON vaults (resource_group, name);
CREATE INDEX vaults_by_scheduled_purge ON vaults (scheduled_purge) WHERE deleted_at IS NOT NULL;

CREATE TABLE objects (
    vault_id        TEXT NOT NULL REFERENCES vaults (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('key', 'secret', 'certificate')),
    name            TEXT NOT NULL COLLATE NOCASE,
    deleted_at      INTEGER,
    scheduled_purge INTEGER,
    properties      TEXT NOT NULL CHECK (json_valid(properties)),
    PRIMARY KEY (vault_id, kind, name),
    CHECK ((deleted_at IS NULL) = (scheduled_purge IS NULL))
) STRICT;

CREATE INDEX objects_by_scheduled_purge ON objects (scheduled_purge) WHERE deleted_at IS NOT NULL;

CREATE TABLE object_versions (
    vault_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL COLLATE NOCASE,
    version    TEXT NOT NULL,
    sequence   INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties)),
    sealed     BLOB,
    PRIMARY KEY (vault_id, kind, name, version),
    FOREIGN KEY (vault_id, kind, name) REFERENCES objects (vault_id, kind, name) ON DELETE CASCADE
) STRICT;

CREATE INDEX object_versions_by_sequence ON object_versions (vault_id, kind, name, sequence);

-- The access log. Rows are only ever appended.
CREATE TABLE audit_log (
    sequence         INTEGER PRIMARY KEY AUTOINCREMENT,
    time             INTEGER NOT NULL,
    operation        TEXT NOT NULL,
    caller_object_id TEXT NOT NULL,
    caller_name      TEXT NOT NULL,
    client_address   TEXT NOT NULL,
    door             TEXT NOT NULL,
    vault            TEXT,
    object           TEXT,
    status           INTEGER NOT NULL,
    error_code       TEXT,
    duration_micros  INTEGER NOT NULL,
    rule             TEXT NOT NULL
) STRICT;
