-- The keys by patient and agent move out of the ledger's file (`store::ledger::sqlite_keys`): a
-- patient's key lands on a page anywhere in their index, so writing it in every batch's commit
-- cost the writer most of its time, while each batch's rows only append. The writer now appends
-- each row's keys here in the order of the rows; a thread of its own sorts them into the index
-- in `health-audit-keys.db` in large steps and they are deleted from here once there. Until then
-- a search reads them here.
CREATE TABLE audit_ledger_recent (
    seq BIGINT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (seq, key)
) WITHOUT ROWID;

-- The index is rebuilt from the entries in the file of its own when the server starts.
DROP TABLE audit_ledger_keys;
