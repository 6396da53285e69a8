-- 0010: alerts for coaches and athletes (whoop/alerts.py, whoop/alert_jobs.py): each account's
-- notification settings, and the alerts already sent to it, so an immediate notice goes out once
-- per (account, athlete, kind, day). Frozen: change with a new numbered file.

CREATE TABLE alert_settings (
    account_id INTEGER PRIMARY KEY,        -- accounts.account_id
    email VARCHAR,                         -- where e-mails go; NULL: no e-mail
    apprise_enc VARCHAR,                   -- Fernet token of the Apprise URL (it embeds secrets); NULL: none
    immediate BOOLEAN NOT NULL,            -- a notice as soon as a new alert appears
    digest BOOLEAN NOT NULL,               -- one morning digest a day
    digest_hour INTEGER NOT NULL,          -- 0-23, local hour of digest_tz
    digest_tz VARCHAR NOT NULL,            -- IANA time zone of digest_hour (e.g. Europe/Berlin)
    last_digest_on DATE,                   -- local date of the last digest sent
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE alerts_sent (
    account_id INTEGER NOT NULL,
    athlete_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,                 -- hrv_low | rhr_resp_high | recovery_red | stale | reconnect
    day DATE NOT NULL,                     -- the alert's day (the first day of a run of days)
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, athlete_id, kind, day)
);
