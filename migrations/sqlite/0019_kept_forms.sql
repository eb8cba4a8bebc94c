-- What was typed into a form posted without JavaScript that came back with an error, held for
-- the one page view that shows the form again (`backend::kept_forms`). Keyed by the SHA-256
-- digest of a random id that only the browser's cookie holds; times are Unix seconds.
CREATE TABLE kept_forms (
    key_sha256 TEXT PRIMARY KEY,
    -- The path of the page the form is shown on again.
    page TEXT NOT NULL,
    -- The form's fields, URL-encoded as they were posted.
    fields TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX kept_forms_by_age ON kept_forms (created_at);
