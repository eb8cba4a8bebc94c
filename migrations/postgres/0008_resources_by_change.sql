-- The newest change to a type of record, found without reading them all: the live clinic list
-- asks "has any appointment changed?" every second for each open page, from every server process.
CREATE INDEX resources_by_change ON resources (resource_type, last_updated);
