-- The widest date range indexed for a date parameter of a type, where wider than a day (a
-- Schedule's planning horizon, an observation over a period, a date given as a month or a
-- year). A search for dates at or after X then knows how long before X a matching range can
-- start, and reads the index from there instead of from the beginning of time; a range of a day
-- or less (an instant, a date) needs no row here. Only ever grows: an over-wide value costs a
-- little reading, never a missed match.
CREATE TABLE search_widths (
    resource_type TEXT   NOT NULL,
    param         TEXT   NOT NULL,
    max_width     BIGINT NOT NULL,
    PRIMARY KEY (resource_type, param)
);

INSERT INTO search_widths (resource_type, param, max_width)
SELECT resource_type, param, MAX(high - low)
FROM search_index
WHERE low IS NOT NULL AND high IS NOT NULL AND high - low > 86400
GROUP BY resource_type, param;
