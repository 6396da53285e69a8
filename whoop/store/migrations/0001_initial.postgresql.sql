-- 0001 (PostgreSQL spelling: DOUBLE PRECISION for DuckDB's DOUBLE; otherwise 0001_initial.sql): athletes,
-- the five record tables, the daily table, import/sync runs, settings. Frozen.

CREATE SEQUENCE athlete_id_seq START 1;
CREATE TABLE athletes (
    athlete_id INTEGER PRIMARY KEY DEFAULT nextval('athlete_id_seq'),
    name VARCHAR NOT NULL UNIQUE,          -- shown in the picker; "me" for export-only data by default
    whoop_user_id BIGINT UNIQUE,           -- set once the athlete is a connected WHOOP account
    first_name VARCHAR,
    last_name VARCHAR,
    email VARCHAR,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE run_id_seq START 1;
CREATE TABLE import_runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('run_id_seq'),
    athlete_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,                 -- export | demo | sync
    source VARCHAR,                        -- files imported, or the API base URL
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,               -- running | ok | failed | interrupted
    counts_json VARCHAR,                   -- {"cycles": {"inserted": n, "updated": n, "deleted": n}, ...}
    warnings_json VARCHAR,                 -- ["...", ...]
    requests INTEGER,                      -- HTTP requests made (sync)
    error VARCHAR
);

CREATE TABLE settings (
    athlete_id INTEGER NOT NULL,           -- 0 = app-wide
    key VARCHAR NOT NULL,
    value_json VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, key)
);

CREATE TABLE cycles (
    athlete_id INTEGER NOT NULL,
    start_utc TIMESTAMPTZ NOT NULL,
    end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT,
    whoop_id BIGINT,
    score_state VARCHAR,
    day_strain DOUBLE PRECISION,
    energy_kj DOUBLE PRECISION,
    avg_heart_rate_bpm DOUBLE PRECISION,
    max_heart_rate_bpm DOUBLE PRECISION,
    created_at_utc TIMESTAMPTZ,
    updated_at_utc TIMESTAMPTZ,
    raw_json VARCHAR,
    source VARCHAR,
    source_ref VARCHAR,
    run_id BIGINT,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, start_utc));

CREATE TABLE recoveries (
    athlete_id INTEGER NOT NULL,
    cycle_start_utc TIMESTAMPTZ NOT NULL,
    cycle_whoop_id BIGINT,
    sleep_whoop_id VARCHAR,
    score_state VARCHAR,
    user_calibrating BOOLEAN,
    recovery_score DOUBLE PRECISION,
    resting_heart_rate_bpm DOUBLE PRECISION,
    hrv_rmssd_ms DOUBLE PRECISION,
    spo2_pct DOUBLE PRECISION,
    skin_temp_c DOUBLE PRECISION,
    created_at_utc TIMESTAMPTZ,
    updated_at_utc TIMESTAMPTZ,
    raw_json VARCHAR,
    source VARCHAR,
    source_ref VARCHAR,
    run_id BIGINT,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, cycle_start_utc));

CREATE TABLE sleeps (
    athlete_id INTEGER NOT NULL,
    start_utc TIMESTAMPTZ NOT NULL,
    end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT,
    whoop_id VARCHAR,
    cycle_whoop_id BIGINT,
    cycle_start_utc TIMESTAMPTZ,
    nap BOOLEAN,
    score_state VARCHAR,
    sleep_performance_pct DOUBLE PRECISION,
    sleep_efficiency_pct DOUBLE PRECISION,
    sleep_consistency_pct DOUBLE PRECISION,
    respiratory_rate_rpm DOUBLE PRECISION,
    in_bed_min DOUBLE PRECISION,
    asleep_min DOUBLE PRECISION,
    light_sleep_min DOUBLE PRECISION,
    deep_sleep_min DOUBLE PRECISION,
    rem_sleep_min DOUBLE PRECISION,
    awake_min DOUBLE PRECISION,
    no_data_min DOUBLE PRECISION,
    sleep_need_min DOUBLE PRECISION,
    sleep_debt_min DOUBLE PRECISION,
    need_baseline_min DOUBLE PRECISION,
    need_strain_min DOUBLE PRECISION,
    need_nap_min DOUBLE PRECISION,
    sleep_cycle_count DOUBLE PRECISION,
    disturbance_count DOUBLE PRECISION,
    created_at_utc TIMESTAMPTZ,
    updated_at_utc TIMESTAMPTZ,
    raw_json VARCHAR,
    source VARCHAR,
    source_ref VARCHAR,
    run_id BIGINT,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, start_utc));

CREATE TABLE workouts (
    athlete_id INTEGER NOT NULL,
    start_utc TIMESTAMPTZ NOT NULL,
    end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT,
    whoop_id VARCHAR,
    cycle_start_utc TIMESTAMPTZ,
    sport_name VARCHAR,
    score_state VARCHAR,
    activity_strain DOUBLE PRECISION,
    energy_kj DOUBLE PRECISION,
    avg_heart_rate_bpm DOUBLE PRECISION,
    max_heart_rate_bpm DOUBLE PRECISION,
    duration_min DOUBLE PRECISION,
    percent_recorded DOUBLE PRECISION,
    hr_zone_0_min DOUBLE PRECISION,
    hr_zone_1_min DOUBLE PRECISION,
    hr_zone_2_min DOUBLE PRECISION,
    hr_zone_3_min DOUBLE PRECISION,
    hr_zone_4_min DOUBLE PRECISION,
    hr_zone_5_min DOUBLE PRECISION,
    distance_m DOUBLE PRECISION,
    altitude_gain_m DOUBLE PRECISION,
    altitude_change_m DOUBLE PRECISION,
    gps_enabled BOOLEAN,
    created_at_utc TIMESTAMPTZ,
    updated_at_utc TIMESTAMPTZ,
    raw_json VARCHAR,
    source VARCHAR,
    source_ref VARCHAR,
    run_id BIGINT,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, start_utc));

CREATE TABLE journal (
    athlete_id INTEGER NOT NULL,
    entry_key VARCHAR NOT NULL,
    cycle_start_utc TIMESTAMPTZ,
    cycle_end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT,
    question VARCHAR,
    answered_yes BOOLEAN,
    notes VARCHAR,
    source VARCHAR,
    source_ref VARCHAR,
    run_id BIGINT,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, entry_key));

CREATE TABLE days (
    athlete_id INTEGER NOT NULL,
    date DATE NOT NULL,
    cycle_start_utc TIMESTAMPTZ,
    cycle_end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT,
    is_open BOOLEAN,
    has_main_sleep BOOLEAN,
    cycle_score_state VARCHAR,
    recovery_score_state VARCHAR,
    sleep_score_state VARCHAR,
    user_calibrating BOOLEAN,
    recovery_score DOUBLE PRECISION,
    hrv_rmssd_ms DOUBLE PRECISION,
    resting_heart_rate_bpm DOUBLE PRECISION,
    spo2_pct DOUBLE PRECISION,
    skin_temp_c DOUBLE PRECISION,
    respiratory_rate_rpm DOUBLE PRECISION,
    day_strain DOUBLE PRECISION,
    energy_kj DOUBLE PRECISION,
    avg_heart_rate_bpm DOUBLE PRECISION,
    max_heart_rate_bpm DOUBLE PRECISION,
    sleep_performance_pct DOUBLE PRECISION,
    sleep_efficiency_pct DOUBLE PRECISION,
    sleep_consistency_pct DOUBLE PRECISION,
    asleep_min DOUBLE PRECISION,
    in_bed_min DOUBLE PRECISION,
    light_sleep_min DOUBLE PRECISION,
    deep_sleep_min DOUBLE PRECISION,
    rem_sleep_min DOUBLE PRECISION,
    awake_min DOUBLE PRECISION,
    sleep_need_min DOUBLE PRECISION,
    sleep_debt_min DOUBLE PRECISION,
    need_baseline_min DOUBLE PRECISION,
    need_strain_min DOUBLE PRECISION,
    need_nap_min DOUBLE PRECISION,
    sleep_onset_utc TIMESTAMPTZ,
    wake_utc TIMESTAMPTZ,
    nap_count BIGINT,
    nap_min DOUBLE PRECISION,
    workout_count BIGINT,
    source VARCHAR,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, date));

