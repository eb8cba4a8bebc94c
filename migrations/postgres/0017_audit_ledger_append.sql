-- A batch of audit ledger entries appended in one statement: the group commit's one round trip
-- (it took seven: begin, the head, the rows, the keys, the new head, commit, and a setting).
-- The head is locked first, so a batch has the ledger to itself among every server process.
-- Each entry's hash is chained after the one before as `store::ledger::chain::next` does:
-- SHA-256 of the previous hash, a newline and the entry's JSON, in lower-case hex. A batch
-- with no change in it commits without waiting for the disk (`durable` false); one with a change
-- waits for it even where the server is configured not to (`synchronous_commit = off`). The
-- rows of a move of old AuditEvents are not appended twice (`carrying` at or before how far the
-- move got).
-- Returns the first entry's number.
CREATE FUNCTION audit_ledger_append(
    entries TEXT[],
    recorded_at BIGINT[],
    type_systems TEXT[],
    type_codes TEXT[],
    agents TEXT[],
    agent_kinds TEXT[],
    key_values TEXT[],
    key_entries INTEGER[],
    logged_at BIGINT,
    durable BOOLEAN,
    carrying TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    head_seq BIGINT;
    head_hash TEXT;
    head_carried TEXT;
    hashes TEXT[] := '{}';
BEGIN
    IF NOT durable THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    ELSIF current_setting('synchronous_commit') = 'off' THEN
        PERFORM set_config('synchronous_commit', 'on', true);
    END IF;
    SELECT h.seq, h.hash, h.carried_over INTO head_seq, head_hash, head_carried
        FROM audit_ledger_head h WHERE h.id = 1 FOR UPDATE;
    IF carrying IS NOT NULL AND head_carried IS NOT NULL AND carrying <= head_carried THEN
        RETURN head_seq + 1;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(entries), 0) LOOP
        head_hash := encode(sha256(convert_to(head_hash || E'\n' || entries[i], 'UTF8')), 'hex');
        hashes[i] := head_hash;
    END LOOP;
    INSERT INTO audit_ledger
        (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash)
        SELECT head_seq + t.n, t.recorded, logged_at, t.type_system, t.type_code, t.agent,
               t.agent_kind, t.entry, t.hash
        FROM unnest(entries, recorded_at, type_systems, type_codes, agents, agent_kinds, hashes)
            WITH ORDINALITY
            AS t(entry, recorded, type_system, type_code, agent, agent_kind, hash, n);
    INSERT INTO audit_ledger_keys (key, seq)
        SELECT k.key, head_seq + k.entry FROM unnest(key_values, key_entries) AS k(key, entry);
    UPDATE audit_ledger_head h
        SET seq = head_seq + coalesce(cardinality(entries), 0),
            hash = head_hash,
            carried_over = coalesce(carrying, h.carried_over)
        WHERE h.id = 1;
    RETURN head_seq + 1;
END
$$;
