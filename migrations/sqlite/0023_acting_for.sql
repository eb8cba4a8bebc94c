-- Whose record a signed-in carer is acting for (a patient id their proxy grant names), or empty
-- for their own. The grant is checked again on every access: this only remembers the choice.
ALTER TABLE sessions ADD COLUMN acting_for TEXT;
