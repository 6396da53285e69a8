-- 0005: a rotated WHOOP token pair not yet committed to whoop_connections, on a database that is
-- always writable (PostgreSQL; a DuckDB database keeps it in a file beside it instead, as its
-- file may be locked by another process). Written by the refresh helper process (whoop/token_refresh.py)
-- in its own transaction, read and committed by whoop/tokens.py. Frozen: change with a new numbered file.

CREATE TABLE token_pending (
    athlete_id INTEGER PRIMARY KEY,
    token_enc VARCHAR NOT NULL,            -- Fernet text of the pair with its expiry and written_at (whoop.token_sidecar)
    written_at TIMESTAMPTZ NOT NULL        -- when WHOOP's answer was received (UTC)
);
