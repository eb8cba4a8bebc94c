-- Date searches are bounded below by the widest range a parameter has indexed. Two widths the
-- store did not note before are noted from now on (`search::record_wide_dates`):
--
-- 1. A Slot's start and an appointment's are instants, which index as one second, so a search
--    of a day reads that day's rows instead of two days' (`ParamDef::widest_unrecorded`). Only
--    ranges wider than a day were noted until now: a day-long value in one of them (a date where
--    an instant belongs, stored as given) is noted here.
INSERT INTO search_widths (resource_type, param, max_width)
SELECT resource_type, param, MAX(high - low)
FROM search_index
WHERE ((resource_type = 'Slot' AND param = 'start')
       OR (resource_type = 'Appointment' AND param = 'date'))
  AND low IS NOT NULL
  AND low > -9223372036854775808 AND high < 9223372036854775807
GROUP BY resource_type, param
HAVING MAX(high - low) > 1
ON CONFLICT (resource_type, param) DO UPDATE SET max_width = excluded.max_width
WHERE excluded.max_width > search_widths.max_width;

-- 2. A period with no start (or one before 1970 with no end) overflowed its width and was not
--    noted, so a search for dates after a time missed it. Such periods are noted as unbounded
--    (the largest BIGINT): the parameters whose elements can be periods.
INSERT INTO search_widths (resource_type, param, max_width)
SELECT resource_type, param, 9223372036854775807
FROM search_index
WHERE ((resource_type = 'Schedule' AND param = 'date')
       OR (resource_type = 'Observation' AND param = 'date')
       OR (resource_type = 'MedicationStatement' AND param = 'date'))
  AND low IS NOT NULL
  AND (low = -9223372036854775808 OR (low < 0 AND high = 9223372036854775807))
GROUP BY resource_type, param
ON CONFLICT (resource_type, param) DO UPDATE SET max_width = excluded.max_width;
