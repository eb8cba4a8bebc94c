-- Every record the service keeps is a FHIR R4 resource, stored as its JSON.
-- `resources` holds the current version of each; `resource_versions` every version ever written,
-- so history and vread never depend on the current row. Append-only: never edit this file once landed.
CREATE TABLE resources (
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version_id    INTEGER NOT NULL CHECK (version_id > 0),
    last_updated  TEXT    NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    content       TEXT    NOT NULL CHECK (json_valid(content)),
    PRIMARY KEY (resource_type, id)
);

CREATE TABLE resource_versions (
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version_id    INTEGER NOT NULL CHECK (version_id > 0),
    last_updated  TEXT    NOT NULL,
    deleted       INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    content       TEXT    NOT NULL,
    PRIMARY KEY (resource_type, id, version_id)
);
