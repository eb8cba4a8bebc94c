-- Patients' name pairs (`fhir::search::NAME_PAIRS`): a row for each family name with each given
-- name, so that a search by both reads one range of `search_index_by_value` in name order
-- (`search::OnIndex::NamePair`). Derived here from the family and given rows already indexed,
-- exactly as `fhir::search::index_entries` derives them for every write from now on, and the
-- index marked as built with definitions version 3: rebuilding the whole index instead would
-- hold the server's start for an hour at a million patients. An index at another version is
-- rebuilt by the server anyway (`search::ensure_index`), so it is left at that version.
INSERT INTO search_index (rid, resource_type, param, value)
SELECT DISTINCT f.rid, 'Patient', 'family+given', f.value || char(1) || g.value
FROM search_index f
JOIN search_index g ON g.rid = f.rid AND g.param = 'given' AND g.value IS NOT NULL
WHERE f.resource_type = 'Patient'
  AND f.param = 'family'
  AND f.value IS NOT NULL
  AND instr(f.value, char(1)) = 0
  AND instr(g.value, char(1)) = 0
  AND EXISTS (SELECT 1 FROM search_index_state WHERE index_version = 2);

UPDATE search_index_state SET index_version = 3 WHERE index_version = 2;
