-- Search index: one row per value a resource yields for a search parameter, derived from the
-- resource on every write, in the same transaction (fhir::search::index_entries). Strings: `value`
-- lower-cased, `exact` as written. Tokens: `system`, `value`. References: `value` = Type/id.
-- Dates: [low, high) in epoch seconds. Rebuilt by the server when the definitions change.
CREATE TABLE search_index (
    resource_type TEXT NOT NULL,
    id            TEXT NOT NULL,
    param         TEXT NOT NULL,
    system        TEXT,
    -- Byte order, as SQLite's default: prefix search is then a range scan on the index.
    value         TEXT COLLATE "C",
    exact         TEXT COLLATE "C",
    low           BIGINT,
    high          BIGINT
);

CREATE INDEX search_index_by_value ON search_index (resource_type, param, value, id);
CREATE INDEX search_index_by_date ON search_index (resource_type, param, low, high, id);
-- Per resource: deleting its rows on rewrite, and the correlated look-ups `_sort` makes.
CREATE INDEX search_index_by_owner ON search_index (resource_type, id, param, low, value);

-- Which version of the search definitions the index was built with (one row).
CREATE TABLE search_index_state (
    singleton     BIGINT NOT NULL PRIMARY KEY CHECK (singleton = 1),
    index_version BIGINT NOT NULL
);
