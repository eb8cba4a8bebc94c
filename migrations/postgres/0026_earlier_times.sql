-- Patients who asked to be told of an earlier time than one they have booked
-- (`store::state::earlier_times`): one row per booked appointment, the service it is for and its
-- start; and the free times offered to each, until one is taken. Times are Unix seconds.
CREATE TABLE earlier_time_wishes (
    appointment_id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    -- The service's code (`gp`, `nurse`, …): only its times are offered.
    service TEXT NOT NULL,
    -- The booked appointment's start: only times before it are offered.
    start_before BIGINT NOT NULL,
    asked_at BIGINT NOT NULL
);
CREATE INDEX earlier_time_wishes_service ON earlier_time_wishes (service, start_before);
CREATE INDEX earlier_time_wishes_patient ON earlier_time_wishes (patient_id);
CREATE TABLE earlier_time_offers (
    appointment_id TEXT NOT NULL REFERENCES earlier_time_wishes (appointment_id) ON DELETE CASCADE,
    slot_id TEXT NOT NULL,
    slot_start BIGINT NOT NULL,
    offered_at BIGINT NOT NULL,
    -- When someone else took it (or it stopped being free): the patient is told it has gone.
    gone_at BIGINT,
    PRIMARY KEY (appointment_id, slot_id)
);
CREATE INDEX earlier_time_offers_slot ON earlier_time_offers (slot_id);
