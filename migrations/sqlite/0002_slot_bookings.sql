-- Which active appointment holds each slot. The primary key is the database's own guard against
-- double booking: whatever the concurrency, a second active appointment on a slot cannot commit.
-- Written only by the store, in the same transaction as the Appointment and the Slot's status.
CREATE TABLE slot_bookings (
    slot_id        TEXT NOT NULL PRIMARY KEY,
    appointment_id TEXT NOT NULL
);

CREATE INDEX slot_bookings_by_appointment ON slot_bookings (appointment_id);
