-- Composite parameters (an observation's component code with its value, `component-code-value-
-- quantity=http://loinc.org|8480-6$gt130`): one row for each pairing of the first component's
-- code with the second component's value within one element, the code in `pair_system` and
-- `pair_code`, the value in the columns of its own kind. The rows are added when the server
-- rebuilds the index for `fhir::search::INDEX_VERSION` 7.
ALTER TABLE search_index ADD COLUMN pair_system TEXT;
ALTER TABLE search_index ADD COLUMN pair_code TEXT;
