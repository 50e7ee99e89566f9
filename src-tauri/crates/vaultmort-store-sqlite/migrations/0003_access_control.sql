-- Access control: the practice directory (users, groups, service principals, managed
-- identities, practice virtual networks), custom role definitions and role assignments, each a
-- JSON record under its kind and id; and the access log's hash chain.
--
-- Access policies and firewall settings live in the vault's own JSON body, as in Azure's vault
-- resource. Client secrets are stored as keyed digests, never as values.

CREATE TABLE directory (
    kind TEXT NOT NULL CHECK (kind IN ('principal', 'roleDefinition', 'roleAssignment', 'virtualNetwork')),
    id   TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    body TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (kind, id)
) STRICT;

CREATE INDEX directory_by_name ON directory (kind, name);

-- New access-log fields. previous_hash and hash are empty for records written before the chain
-- existed; the chain head (newest sequence and hash) is kept in meta under 'audit.chain_head'.
ALTER TABLE audit_log ADD COLUMN caller_type TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags));
ALTER TABLE audit_log ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(parameters));
ALTER TABLE audit_log ADD COLUMN previous_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- Appending a record is two statements, so that a read-only request's record needs no
-- transaction of its own: read the chain head, then insert the linked record. Two appends that
-- read the same head cannot both land (the second one's link, or its sequence, is refused and
-- it retries), and the head follows every chained record within the inserting statement.
CREATE UNIQUE INDEX audit_log_chain_link ON audit_log (previous_hash) WHERE previous_hash <> '';

CREATE TRIGGER audit_log_chain_head AFTER INSERT ON audit_log WHEN NEW.hash <> ''
BEGIN
    INSERT INTO meta (key, value)
    VALUES ('audit.chain_head', CAST(json_object('sequence', NEW.sequence, 'hash', NEW.hash) AS BLOB))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
END;
