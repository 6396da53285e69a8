-- 0009: a pending authorization state remembers the signed-in account that started it (team
-- deployment), so the browser WHOOP sends back is signed in as that account again. NULL: the
-- personal deployment, or a state made before this migration. Frozen: change with a new file.

ALTER TABLE oauth_states ADD COLUMN account_id BIGINT;
