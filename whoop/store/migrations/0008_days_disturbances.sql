-- 0008: the days table carries the main sleep's disturbance count (API only; NULL for export
-- data), filled for existing rows from the sleep that opens each day. Frozen: change with a new
-- numbered file.

ALTER TABLE days ADD COLUMN disturbance_count BIGINT;
UPDATE days SET disturbance_count = (
    SELECT CAST(s.disturbance_count AS BIGINT) FROM sleeps s
    WHERE s.athlete_id = days.athlete_id AND s.start_utc = days.sleep_onset_utc);
