-- Management-plane resources of providers other than Key Vault: practice subscriptions beyond the
-- default one, App Service plans, web apps, App Service certificates and practice DNS zones. Each
-- is a JSON record under its kind and resource id. `sealed` holds what the barrier sealed for it
-- (an App Service certificate's private key and chain), never plaintext.
--
-- The kind is not constrained here: the core refuses kinds it does not know when it reads them,
-- so a new kind of resource needs no migration.
CREATE TABLE resources (
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL COLLATE NOCASE,
    name   TEXT NOT NULL COLLATE NOCASE,
    body   TEXT NOT NULL CHECK (json_valid(body)),
    sealed BLOB,
    PRIMARY KEY (kind, id)
) STRICT;

CREATE INDEX resources_by_name ON resources (kind, name);
