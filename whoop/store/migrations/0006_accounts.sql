-- 0006: the team deployment's people: accounts that sign in (built-in passwords or OIDC) with a
-- role, and the single-use invite links a coach creates for athletes (whoop/accounts.py,
-- whoop/invites.py). Frozen: change with a new numbered file.

CREATE SEQUENCE account_id_seq START 1;
CREATE TABLE accounts (
    account_id INTEGER PRIMARY KEY DEFAULT nextval('account_id_seq'),
    username VARCHAR NOT NULL UNIQUE,      -- lower case: a login name, or the e-mail of an OIDC sign-in
    role VARCHAR NOT NULL,                 -- 'admin' | 'coach' | 'athlete'
    password_hash VARCHAR,                 -- argon2id PHC string; NULL: signs in through OIDC only
    athlete_id INTEGER,                    -- the athlete whose data this account is (role 'athlete')
    failed_logins INTEGER NOT NULL DEFAULT 0,   -- consecutive failed password sign-ins
    locked_until TIMESTAMPTZ,              -- no password sign-in before this instant (UTC)
    created_at TIMESTAMPTZ NOT NULL,
    last_login_at TIMESTAMPTZ
);

CREATE TABLE invites (
    invite_hash VARCHAR PRIMARY KEY,       -- SHA-256 hex of the invite token (the token itself is never stored)
    created_by INTEGER NOT NULL,           -- the coach's account_id
    athlete_name VARCHAR,                  -- who it is for, as the coach typed it (shown to the athlete)
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,                   -- single use: set once, by the account that redeemed it
    used_by INTEGER
);
