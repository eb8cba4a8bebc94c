-- Browser sessions (shared by every server process) and the sign-in attempts that lead to them.
-- Ids and states are stored as SHA-256 digests; times are Unix seconds.
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    -- The signed-in person (domain::identity::Actor as JSON).
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

CREATE TABLE sign_in_attempts (
    state_sha256 TEXT PRIMARY KEY,
    -- Digest of the secret in the browser that started the attempt.
    browser_sha256 TEXT NOT NULL,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_by_age ON sign_in_attempts (created_at);
