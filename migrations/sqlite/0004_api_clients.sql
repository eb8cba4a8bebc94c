-- Backend systems registered to call the FHIR API with the OAuth2 client-credentials grant.
-- Secrets are 256-bit random values kept only as their SHA-256 (hex); `scope` is the most a token
-- for the client may carry (SMART system scopes, space-separated).
CREATE TABLE api_clients (
    client_id     TEXT NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    scope         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Access tokens issued, by their SHA-256: a copy of this table holds no token anyone can present.
-- In the database rather than in memory so that every server process accepts every token.
CREATE TABLE access_tokens (
    token_sha256 TEXT   NOT NULL PRIMARY KEY,
    client_id    TEXT   NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    scope        TEXT   NOT NULL,
    expires_at   BIGINT NOT NULL -- seconds since the epoch
);

CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);
