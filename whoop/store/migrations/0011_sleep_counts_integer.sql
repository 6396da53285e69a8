-- 0011: a sleep's cycle count and disturbance count are counts, stored as integers
-- (WHOOP API SleepStageSummary.sleep_cycle_count and disturbance_count are integers,
-- https://developer.whoop.com/api/#tag/Sleep). Frozen: change with a new numbered file.

ALTER TABLE sleeps ALTER COLUMN sleep_cycle_count TYPE BIGINT;
ALTER TABLE sleeps ALTER COLUMN disturbance_count TYPE BIGINT;
