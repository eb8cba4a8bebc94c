-- Whose a notification is (the patient's id), so that one they stop wanting can be withdrawn
-- before it goes; empty for rows queued before this was kept.
ALTER TABLE notifications ADD COLUMN patient_id TEXT;
CREATE INDEX notifications_patient ON notifications (patient_id) WHERE sent_at IS NULL AND failed_at IS NULL;
-- The topics each patient has chosen not to be emailed about (`store::state::notifications`):
-- every topic is on until its patient turns it off. Times are Unix seconds.
CREATE TABLE notification_opt_outs (
    patient_id TEXT NOT NULL,
    -- `appointments`, `emergency-access`, … (`domain::notifications::Topic`).
    topic TEXT NOT NULL,
    chosen_at BIGINT NOT NULL,
    PRIMARY KEY (patient_id, topic)
);
