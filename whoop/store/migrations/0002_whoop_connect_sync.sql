-- 0002: WHOOP connections (encrypted tokens), pending OAuth states, per-collection sync progress.
-- Frozen: change with a new numbered file.

CREATE TABLE oauth_states (
    state_hash VARCHAR PRIMARY KEY,        -- sha256 hex of the random state; the state itself is never stored
    created_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,                   -- single use: set when the redirect came back
    link_athlete VARCHAR                   -- NULL = a new athlete named after the WHOOP profile
);

CREATE TABLE whoop_connections (
    athlete_id INTEGER PRIMARY KEY,
    whoop_user_id BIGINT NOT NULL UNIQUE,
    token_enc VARCHAR,                     -- Fernet token of {"access_token", "refresh_token"}; NULL after disconnect
    expires_at TIMESTAMPTZ,                -- access token expiry (UTC)
    scope VARCHAR,
    status VARCHAR NOT NULL,               -- connected | reconnect_needed | disconnected
    status_detail VARCHAR,                 -- person-readable reason (never a token)
    connected_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    profile_synced_at TIMESTAMPTZ          -- last profile/body fetch
);

CREATE TABLE sync_state (
    athlete_id INTEGER NOT NULL,
    collection VARCHAR NOT NULL,           -- cycle | recovery | sleep | workout
    watermark_utc TIMESTAMPTZ,             -- newest record start seen by the last COMPLETE pass
    pass_start_utc TIMESTAMPTZ,            -- window start of the pass in progress (NULL = none / full history)
    pass_full BOOLEAN,                     -- the pass in progress has no lower bound
    pass_cursor_utc TIMESTAMPTZ,           -- oldest record start stored by the pass in progress (pages are newest first)
    pass_max_utc TIMESTAMPTZ,              -- newest record start seen by the pass in progress
    pass_started_at TIMESTAMPTZ,           -- NULL = no pass in progress
    completed_at TIMESTAMPTZ,
    PRIMARY KEY (athlete_id, collection)
);

CREATE TABLE sync_seen (                   -- keys returned by the pass in progress (for deletions)
    athlete_id INTEGER NOT NULL,
    collection VARCHAR NOT NULL,
    key_utc TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (athlete_id, collection, key_utc)
);

CREATE TABLE sync_run_meta (               -- liveness of sync runs (import_runs.kind = 'sync')
    run_id BIGINT PRIMARY KEY,
    pid INTEGER,
    host VARCHAR,
    heartbeat_at TIMESTAMPTZ
);
