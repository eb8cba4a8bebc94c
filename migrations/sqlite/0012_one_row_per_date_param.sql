-- A date parameter names a single-valued element, so searches take one index row per resource for
-- it (no key counted or listed twice without a DISTINCT to fold them). A resource stored with two
-- values for one (`effectiveDateTime` and `effectivePeriod`, invalid but accepted) had a row for
-- each; like the index from now on (`fhir::search::index_entries`), it keeps the earliest.
DELETE FROM search_index
WHERE low IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM search_index e
    WHERE e.rid = search_index.rid
      AND e.param = search_index.param
      AND e.low IS NOT NULL
      AND (e.low < search_index.low OR (e.low = search_index.low AND e.high < search_index.high))
  );
