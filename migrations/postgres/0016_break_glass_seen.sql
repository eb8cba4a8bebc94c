-- How far each patient has seen the emergency ("break-glass") accesses to their record: the
-- audit ledger's number of the newest one shown to them. Those after it are shown at the top of
-- "who has looked at your record" until they have been.
CREATE TABLE break_glass_seen (
    patient_id TEXT PRIMARY KEY,
    seen_through BIGINT NOT NULL
);
