-- The audit ledger (`store::ledger`); on SQLite it has a database file of its own
-- (migrations/sqlite-ledger), where the columns are described.
CREATE TABLE audit_ledger (
    seq BIGINT PRIMARY KEY,
    recorded BIGINT NOT NULL,
    logged BIGINT NOT NULL,
    type_system TEXT NOT NULL,
    type_code TEXT NOT NULL,
    agent TEXT NOT NULL,
    agent_kind TEXT NOT NULL,
    entry TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_ledger_by_time ON audit_ledger (recorded);

CREATE TABLE audit_ledger_keys (
    key TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (key, seq)
);

CREATE TABLE audit_ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    carried_over TEXT
);

INSERT INTO audit_ledger_head (id, seq, hash) VALUES (1, 0, '');
