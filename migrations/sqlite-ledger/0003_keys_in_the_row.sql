-- Each row carries its own keys by patient and agent (`store::ledger::sqlite_keys::column`): the
-- writer's commits then touch the rows' own pages and the head alone, where the recent keys
-- were two more B-trees' pages in every commit. The thread that indexes the keys in their own
-- file reads them from here; a search reads the rows after the index's end by this column. Rows
-- written before have none: the index is brought up to the head from their entries before the
-- server serves.
ALTER TABLE audit_ledger ADD COLUMN keys TEXT;

DROP TABLE audit_ledger_recent;
