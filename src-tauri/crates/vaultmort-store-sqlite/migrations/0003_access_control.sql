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
