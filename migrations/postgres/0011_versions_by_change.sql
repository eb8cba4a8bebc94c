-- A type's history is read newest first from both tables, each by time: without this index the
-- older versions of every resource of the type were sorted for each request.
CREATE INDEX resource_versions_by_change ON resource_versions (resource_type, last_updated);
