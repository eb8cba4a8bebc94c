-- Attempts at rate-limited endpoints (sign-in, the token endpoint) per endpoint and client
-- address, in fixed windows (`store::state::rate_windows`), shared by every server process.
-- Times are Unix milliseconds.
CREATE TABLE rate_windows (
    key TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX rate_windows_by_start ON rate_windows (started_at);
