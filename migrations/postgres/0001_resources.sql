-- Every record the service keeps is a FHIR R4 resource, stored as its JSON.
-- `resources` holds the current version of each; `resource_versions` every version ever written,
-- so history and vread never depend on the current row. Append-only: never edit this file once landed.
-- Keep in step with migrations/sqlite: the same tables, in each database's own types.
CREATE TABLE resources (
    resource_type TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    version_id    BIGINT NOT NULL CHECK (version_id > 0),
    last_updated  TEXT   NOT NULL,
    deleted       BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    content       TEXT   NOT NULL CHECK (content::jsonb IS NOT NULL),
    PRIMARY KEY (resource_type, id)
);

CREATE TABLE resource_versions (
    resource_type TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    version_id    BIGINT NOT NULL CHECK (version_id > 0),
    last_updated  TEXT   NOT NULL,
    deleted       BIGINT NOT NULL CHECK (deleted IN (0, 1)),
    content       TEXT   NOT NULL,
    PRIMARY KEY (resource_type, id, version_id)
);
