-- 0004: the WHOOP request budget shared by every process of a deployment (whoop/store/budget.py).
-- One row per WHOOP app (base URL + client id); instants are epoch seconds of the database clock.
-- Frozen: change with a new numbered file.

CREATE TABLE request_budget (
    app VARCHAR PRIMARY KEY,               -- "<base url> <client id>" (no secret)
    next_at DOUBLE PRECISION NOT NULL,     -- earliest instant the next request may be sent (minute spacing)
    day_start DOUBLE PRECISION NOT NULL,   -- start of the current day window
    day_used BIGINT NOT NULL,              -- requests taken in the current day window
    not_before DOUBLE PRECISION NOT NULL,  -- WHOOP asked for no request before this (X-RateLimit-Reset)
    granted BOOLEAN NOT NULL,              -- outcome of the last take
    wait_s DOUBLE PRECISION NOT NULL,      -- ... and how long it was told to wait (0 when granted)
    reason VARCHAR,                        -- ... and why: minute | day | whoop (NULL when granted)
    taken BIGINT NOT NULL                  -- requests taken since the row was made
);
