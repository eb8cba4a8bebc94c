-- SQLite keeps `resources` in `rid` order, so `rid` decides which rows share a page. Until now
-- rids were handed out in the order rows arrived: a patient sat on a page with the
-- observations, appointments and audit events written around the same time, and reading
-- patients (a name search, "find a patient") read one page per patient. Once the database
-- outgrows memory (a million patients is about 30 GB) that is one disk read per patient.
--
-- From now on each resource type takes its rids from a range of its own (`store::new_rids`),
-- 2^40 wide, numbered by `store::range_of`; this table holds the last rid handed out in each.
-- A type's rows, and their index rows in `search_index_by_owner`, then lie together: the
-- patients of a million-patient practice fill about a gigabyte, which stays in memory.
--
-- Rows already stored keep their rids (below the first range): renumbering every row and index
-- row of a large database inside a migration would hold the server's start for an hour. They
-- are still found; only their neighbours are mixed.
CREATE TABLE rid_ranges (
    type_range INTEGER PRIMARY KEY,
    last       INTEGER NOT NULL
);
