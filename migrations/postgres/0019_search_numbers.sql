-- Number and quantity parameters (a measurement's value, a risk's probability): each value as a
-- range of doubles, `[number_low, number_high]` (a point, or a Range's bounds); a quantity's
-- unit sits in `system`, `value` (its code) and `exact` (as written). The rows are added when the
-- server rebuilds the index for `fhir::search::INDEX_VERSION` 5.
ALTER TABLE search_index ADD COLUMN number_low DOUBLE PRECISION;
ALTER TABLE search_index ADD COLUMN number_high DOUBLE PRECISION;
CREATE INDEX search_index_by_number ON search_index (resource_type, param, number_low, number_high, rid)
    WHERE number_low IS NOT NULL;
