-- The audit ledger (`store::ledger`), in a database file of its own beside the record's: its
-- commits, one for every batch of audited requests, then neither wait for the record's write lock
-- nor empty the record's readers' page caches.
--
-- One row per access, append-only: `entry` is its compact JSON exactly as hashed, `hash` is
-- SHA-256 over the previous row's hash and this row's entry, so that a changed, removed or
-- inserted row breaks the chain (`verify-audit`). The other columns are derived from `entry` for
-- searching: `recorded` and `logged` in milliseconds since the epoch (when it happened, when it
-- was written), the event type's system and code, and who acted (`agent`, a reference or
-- `system|value`; `agent_kind` patient, staff, system or other).
CREATE TABLE audit_ledger (
    seq INTEGER PRIMARY KEY,
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

-- Each row's patients (`p Patient/1`) and agents (`a Patient/1`, `a system|value`): a patient's
-- or an agent's rows newest first are one backwards range of this key.
CREATE TABLE audit_ledger_keys (
    key TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;

-- The end of the chain, one row: every batch takes it first (the write lock on SQLite, a row
-- lock on PostgreSQL), so that writers in any number of processes append one after another.
-- `carried_over`: how far the AuditEvents kept in the record before the ledger existed have been
-- moved here (`last_updated|id` of the last one), so a move cut short resumes without copying any
-- twice.
CREATE TABLE audit_ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    carried_over TEXT
);

INSERT INTO audit_ledger_head (id, seq, hash) VALUES (1, 0, '');
