-- Notifications waiting to be sent by email, being sent, sent or given up
-- (`store::state::notifications`): each row is claimed by one server process at a time, so that
-- it goes out once however many processes run. Times are Unix seconds.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    -- What kind of notification (`appointment-booked`, `appointment-reminder`, …).
    kind TEXT NOT NULL,
    -- What it is about (`Appointment/{id}`), so that one no longer true can be withdrawn.
    regarding TEXT NOT NULL,
    recipient TEXT NOT NULL,
    -- What the message says beyond its kind, as JSON (an appointment's time): never clinical.
    details TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    -- While set and in the future, a process is sending it.
    claimed_until BIGINT,
    sent_at BIGINT,
    -- Set when it was given up after repeated failures; staff see these.
    failed_at BIGINT,
    -- Why the last attempt failed, in the mail server's words (no patient data).
    last_failure TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_waiting ON notifications (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_regarding ON notifications (regarding);
