-- Records a clinician has opened by breaking the glass, for the rest of their session: the
-- reason is repeated in the audit event of every access it covers. Gone with the session.
CREATE TABLE break_glass (
    session_sha256 TEXT NOT NULL REFERENCES sessions (id_sha256) ON DELETE CASCADE,
    patient_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    PRIMARY KEY (session_sha256, patient_id)
);
