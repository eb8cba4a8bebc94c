-- A time a patient has chosen and is confirming: kept for them for a few minutes so that nobody
-- else can take it in between. The primary key lets one patient hold a slot at a time; a hold
-- whose time has passed counts for nothing and is replaced by the next claim.
CREATE TABLE slot_holds (
    slot_id    TEXT NOT NULL PRIMARY KEY,
    patient_id TEXT NOT NULL,
    held_until BIGINT NOT NULL
);

CREATE INDEX slot_holds_by_patient ON slot_holds (patient_id);
