"""The store's staging area for big imports: a temporary DuckDB file OUTSIDE the main database,
where a streamed file's rows are collected chunk by chunk and de-duplicated with set-based SQL,
then written as one Parquet file that :func:`whoop.store.merge.upsert_staged` applies to the main
database in one short transaction.

Why: DuckDB lets one process write a database file at a time, and this project's store holds
that lock for a whole connection (:mod:`whoop.store.base`). Parsing a 300 MB journal takes tens of
seconds; doing it here, before the main file is opened, keeps the main lock for the apply only,
so a sync or the app waiting for the lock (with backoff, ``Store.busy_timeout_s``) gets it.

The staging database runs with a small memory limit and spills to its own folder, so memory
stays flat whatever the file's size (DuckDB ``memory_limit`` / ``temp_directory``:
https://duckdb.org/docs/stable/configuration/overview).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from whoop.store.backend import one_row

#: DuckDB memory limit of the staging database; past it DuckDB spills to the staging folder.
STAGING_MEMORY_LIMIT = "128MB"

_JOURNAL_DDL = """
CREATE TABLE staged (
    line BIGINT, raw_start VARCHAR, raw_end VARCHAR, raw_tz VARCHAR, raw_answer VARCHAR,
    entry_key VARCHAR, cycle_start_utc TIMESTAMPTZ, cycle_end_utc TIMESTAMPTZ,
    tz_offset_min BIGINT, question VARCHAR, answered_yes BOOLEAN, notes VARCHAR,
    source VARCHAR, source_ref VARCHAR)
"""
_CANONICAL = ("entry_key, cycle_start_utc, cycle_end_utc, tz_offset_min, question, answered_yes, "
              "notes, source, source_ref")


@dataclass(frozen=True)
class StagedTable:
    """A table's final rows as Parquet (``line``, the physical line in the file, then the
    canonical columns of ``schema.TABLES[table]`` without athlete/run; unique on the table's key;
    in no particular order) and what the file-wide rules did.

    Attributes:
        path: the Parquet file (inside the import's temporary folder).
        rows: rows in it.
        exact_duplicates: rows dropped as exact copies of an earlier row.
        orphans: kept rows without a cycle.
        conflicts: rows dropped because a later row has the same key.
    """

    path: Path
    rows: int
    exact_duplicates: int
    orphans: int
    conflicts: int


class JournalStage:
    """Collects staged journal rows (:func:`whoop.export.journal.stage_rows`) in a DuckDB file
    in ``folder`` and turns them into a :class:`StagedTable`. Close it (or use ``with``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.con = duckdb.connect(str(self.folder / "journal-stage.duckdb"))
        self.con.execute(f"SET memory_limit = '{STAGING_MEMORY_LIMIT}'")
        self.con.execute("SET temp_directory = ?", [str(self.folder / "spill")])
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET threads = 1")          # one thread: the least memory per operator
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(_JOURNAL_DDL)

    def __enter__(self) -> JournalStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the staging database (its file goes with the import's temporary folder)."""
        self.con.close()

    def append(self, rows: pd.DataFrame) -> None:
        """Add one chunk's staged rows (the columns of ``stage_rows``, in that order)."""
        if rows.empty:
            return
        self.con.register("chunk", rows)
        try:
            self.con.execute("INSERT INTO staged SELECT * FROM chunk")
        finally:
            self.con.unregister("chunk")

    def finish(self) -> StagedTable:
        """Apply the file-wide rules (whoop.export.journal) and write ``journal.parquet``:
        exact duplicates -> keep the first line; then one row per entry_key -> the last line."""
        c = self.con
        total = one_row(c.execute("SELECT count(*) FROM staged"), "the staged row count")[0]
        c.execute("CREATE TABLE kept AS SELECT * FROM staged WHERE line IN (SELECT min(line) "
                  "FROM staged GROUP BY raw_start, raw_end, raw_tz, question, raw_answer, notes)")
        c.execute("DROP TABLE staged")
        kept, orphans = one_row(c.execute("SELECT count(*), count(*) FILTER (WHERE cycle_start_utc IS NULL) "
                                          "FROM kept"), "the kept row count")
        path = self.folder / "journal.parquet"
        target = path.as_posix().replace("'", "''")      # a SQL string literal: quotes doubled
        c.execute(f"COPY (SELECT line, {_CANONICAL} FROM kept WHERE line IN (SELECT max(line) "
                  f"FROM kept GROUP BY entry_key)) TO '{target}' (FORMAT parquet)")
        rows = one_row(c.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]),
                       "the staged file's row count")[0]
        c.execute("DROP TABLE kept")
        return StagedTable(path, int(rows), int(total - kept), int(orphans), int(kept - rows))

    @staticmethod
    def read(staged: StagedTable) -> pd.DataFrame:
        """The staged rows as a frame (``line`` and the ``schema.JOURNAL`` columns) in file
        order; for small files and tests, since it loads every row."""
        return pd.read_parquet(staged.path).sort_values("line", ignore_index=True)
