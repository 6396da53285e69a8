-- 0003: every import run has a warnings list. Sync runs were opened without one (NULL) while
-- imports wrote '[]'; readers now get '[]' for both. Frozen: change with a new numbered file.

UPDATE import_runs SET warnings_json = '[]' WHERE warnings_json IS NULL;
ALTER TABLE import_runs ALTER COLUMN warnings_json SET DEFAULT '[]';
