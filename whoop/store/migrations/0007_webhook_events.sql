-- 0007: WHOOP webhook deliveries (whoop/webhooks.py), queued by the receiver and worked off by
-- the worker: one row per delivery, keyed by WHOOP's trace_id so a duplicate or replayed
-- delivery is dropped. Frozen: change with a new numbered file.

CREATE TABLE webhook_events (
    trace_id VARCHAR PRIMARY KEY,          -- WHOOP's id of the event (duplicates share it)
    whoop_user_id BIGINT NOT NULL,
    event_type VARCHAR NOT NULL,           -- sleep.updated, recovery.deleted, workout.updated, ...
    record_id VARCHAR NOT NULL,            -- UUID of the sleep or workout (recovery.*: of its sleep)
    signed_at TIMESTAMPTZ NOT NULL,        -- X-WHOOP-Signature-Timestamp
    received_at TIMESTAMPTZ NOT NULL,
    athlete_id INTEGER,                    -- the connected athlete of whoop_user_id; NULL: unknown user
    processed_at TIMESTAMPTZ,              -- NULL: still to fetch
    outcome VARCHAR                        -- what processing did: fetched, deleted, unknown user, error: ...
);
