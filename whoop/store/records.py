"""Writing records: athletes, imports in one transaction, the daily table, deletions.

Records are written with :func:`whoop.store.merge.upsert` (also ``Store.upsert``), which holds the
merge rule for a record both the API and an export describe. Methods taking ``con`` work inside
the caller's transaction (:meth:`whoop.store.base.StoreBase.transaction`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from whoop import schema
from whoop.days import build_days, build_days_window, day_labels
from whoop.errors import InputError, StoreError
from whoop.metrics.units import missing
from whoop.store.backend import DUCKDB, Connection, one_row, register_frame
from whoop.store.base import StoreBase
from whoop.store.merge import upsert, upsert_staged

#: DuckDB memory limit (MB) while an import with staged tables is applied (past it DuckDB spills
#: to disk), so a journal of millions of rows costs a bounded amount of memory, not gigabytes.
#: The primary-key index must fit: the limit grows by IMPORT_BYTES_PER_ROW for each row of the
#: larger of the staged file and the table (measured: a 2.5-million-row journal needs about
#: 300 MB to insert and to re-import; bench/bench_import_memory.py).
IMPORT_MEMORY_MB = 256
IMPORT_BYTES_PER_ROW = 96


@dataclass
class ImportResult:
    """What one import changed. ``counts[table] = {"inserted": n, "updated": n, "unchanged": n}``
    (see :func:`whoop.store.merge.upsert`)."""

    run_id: int
    athlete_id: int
    athlete: str
    counts: dict[str, dict[str, int]]
    warnings: list[str] = field(default_factory=list)
    days: int = 0
    first_day: date | None = None
    last_day: date | None = None
    lock_s: float = 0.0          # seconds the import held the database file (the apply)

    def summary(self) -> str:
        """One human line, e.g. ``cycles 338 (3 new, 2 updated, 333 unchanged), sleeps 348 (348
        unchanged) ...`` (zero counts left out)."""
        parts = []
        for table, c in self.counts.items():
            n = {"new": c["inserted"], "updated": c["updated"], "unchanged": c.get("unchanged", 0)}
            if sum(n.values()):
                parts.append(f"{table} {sum(n.values())} ("
                             + ", ".join(f"{v} {k}" for k, v in n.items() if v) + ")")
        span = f"; {self.days} days {self.first_day} to {self.last_day}" if self.days else ""
        return f"athlete '{self.athlete}': " + (", ".join(parts) or "nothing") + span


class RecordsMixin(StoreBase):
    """Athletes and records: the writing half of :class:`whoop.store.Store`."""

    @staticmethod
    def ensure_athlete(con: Connection, name: str) -> int:
        """The id of athlete ``name`` inside ``con``'s transaction, created when new.

        Raises:
            InputError: the name is empty or longer than 64 characters.
        """
        name = (name or "").strip()
        if not name or len(name) > 64:
            raise InputError("an athlete name must be 1 to 64 characters")
        row = con.execute("SELECT athlete_id FROM athletes WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        return one_row(con.execute("INSERT INTO athletes (name) VALUES (?) RETURNING athlete_id",
                                   [name]), "the new athlete's id")[0]

    # -- writing ---------------------------------------------------------------------------
    upsert = staticmethod(upsert)

    @staticmethod
    def rebuild_days(con: Connection, athlete_id: int, since_utc: datetime | None = None,
                     until_utc: datetime | None = None) -> pd.DataFrame:
        """Recompute the daily table of one athlete from its records, inside ``con``'s
        transaction, and return the rows written (schema.DAYS columns; all days when the whole
        table was rebuilt).

        Without ``since_utc`` and ``until_utc`` the whole table is rebuilt
        (:func:`whoop.days.build_days` over every record). With either, only the days that
        changed since the table was last built are rewritten; this gives exactly the table a
        whole rebuild gives (tests/test_days.py compares them) when:

        * the table was built (whole or in part) from the records as they were before the
          changes, and
        * every record inserted, updated or deleted since then has, before and after the
          change, its key and its ``cycle_start_utc`` within ``[since_utc, until_utc]`` (UTC;
          None = unbounded on that side).

        Which days are rewritten: the cycles holding an instant of the window, from the cycle
        running just before ``since_utc`` (a cycle inserted or deleted at ``since_utc`` takes
        naps and workouts from it or gives them back, and a record at ``since_utc`` may belong
        to it), and the cycles whose
        date or row changed because of their neighbours: every cycle's date is computed again
        over the whole history from start, wake-up and offsets only
        (:func:`whoop.days.day_labels`, cheap) and compared with the stored dates. Their rows
        come from :func:`whoop.days.build_days_window` over the contiguous run of cycles that
        covers them.
        """
        if since_utc is None and until_utc is None:
            return _rebuild_all_days(con, athlete_id)
        cycles = con.execute("SELECT start_utc, end_utc, tz_offset_min FROM cycles WHERE athlete_id = ? "
                             "ORDER BY start_utc", [athlete_id]).df()
        sleeps = con.execute("SELECT start_utc, end_utc, tz_offset_min, nap, cycle_start_utc FROM sleeps "
                             "WHERE athlete_id = ?", [athlete_id]).df()
        stored = con.execute("SELECT cycle_start_utc, date FROM days WHERE athlete_id = ?",
                             [athlete_id]).df()
        labels = day_labels(cycles, sleeps)
        moved = _moved_cycles(labels, stored)
        starts = pd.to_datetime(cycles["start_utc"], utc=True)
        lo = _utc(since_utc) if since_utc is not None else starts.min()
        hi = _utc(until_utc) if until_utc is not None else starts.max()
        if len(moved):
            lo = moved.min() if missing(lo) else min(lo, moved.min())
            hi = moved.max() if missing(hi) else max(hi, moved.max())
        if missing(lo) or missing(hi) or lo > hi:
            return schema.empty_frame("days")
        first = starts[starts < lo]     # the cycle running before lo: a cycle inserted or
        run_start = first.iloc[-1] if len(first) else lo       # deleted at lo changes its records
        after = starts[starts > hi]
        run_end = after.iloc[0] if len(after) else None       # the first cycle not rewritten
        bounds = ([athlete_id, run_start.to_pydatetime()]
                  + ([run_end.to_pydatetime()] if run_end is not None else []))
        before_end = " AND {c} < ?" if run_end is not None else ""
        frames = {}
        for table, col in (("cycles", "start_utc"), ("recoveries", "cycle_start_utc")):
            frames[table] = con.execute(f"SELECT * FROM {table} WHERE athlete_id = ? AND {col} >= ?"
                                        + before_end.format(c=col), bounds).df()
        for table in ("sleeps", "workouts"):
            in_run = "{c} >= ?" + before_end.format(c="{c}")
            frames[table] = con.execute(
                f"SELECT * FROM {table} WHERE athlete_id = ? AND ((" + in_run.format(c="cycle_start_utc")
                + ") OR (cycle_start_utc IS NULL AND " + in_run.format(c="start_utc") + "))",
                bounds + bounds[1:]).df()
        days = build_days_window(frames["cycles"], frames["recoveries"], frames["sleeps"],
                                 frames["workouts"], labels)
        con.execute("DELETE FROM days WHERE athlete_id = ? AND cycle_start_utc >= ?"
                    + before_end.format(c="cycle_start_utc"), bounds)
        _insert_days(con, athlete_id, days)
        return days

    @staticmethod
    def touched_span(con: Connection, table: str, athlete_id: int, keys: list[datetime] | None = None,
                     since: datetime | None = None) -> tuple[datetime | None, datetime | None]:
        """Inside ``con``'s transaction: the earliest and latest of the keys and
        ``cycle_start_utc`` (where the table has one) of the athlete's stored ``table`` records
        whose key is in ``keys`` or, without ``keys``, at or after ``since`` (None: all): the
        instants a change to those records touches (for :meth:`rebuild_days`'s window), as
        tz-aware UTC, ``(None, None)`` without such records.

        Raises:
            KeyError: ``table`` is not one of schema.TABLES.
        """
        key = schema.KEYS[table][0]
        with_start = key != "cycle_start_utc" and "cycle_start_utc" in schema.TABLES[table]
        cols = [key] + (["cycle_start_utc"] if with_start else [])
        picks = ", ".join(f"min({c}), max({c})" for c in cols)
        args: list[Any]
        if keys is not None:
            if not keys:
                return None, None
            where, args = f"{key} IN (SELECT unnest(?::TIMESTAMPTZ[]))", [list(keys)]
        else:
            where, args = "(? IS NULL OR " + key + " >= ?)", [since, since]
        row = con.execute(f"SELECT {picks} FROM {table} WHERE athlete_id = ? AND {where}",
                          [athlete_id, *args]).fetchall()[0]      # all: no pending result left
        found = [v for v in row if v is not None]
        return (min(found), max(found)) if found else (None, None)

    def import_records(self, athlete: str, frames: dict[str, pd.DataFrame], *, kind: str,
                       source: str, warnings: list[str] | None = None,
                       staged: dict[str, Path] | None = None) -> ImportResult:
        """Import canonical frames for athlete ``athlete`` (created when new) in ONE transaction:
        on any error nothing is written (not even the run or the athlete).

        Everything is parsed before this call, so the database is locked only for the apply
        (``ImportResult.lock_s``); staged tables go from their Parquet file to the table in
        set-based SQL (:func:`whoop.store.merge.upsert_staged`).

        Args:
            frames: table name (schema.TABLES) -> frame; missing tables are skipped.
            kind: ``export`` or ``demo``.
            source: what was imported, for the import history (file names).
            staged: table name -> Parquet file of staged rows (:class:`whoop.store.staging.StagedTable`
                ``path``), used instead of ``frames[table]``.
        Raises:
            InputError, StoreError (also when DuckDB runs out of memory), DatabaseBusyError.
        """
        warnings = list(warnings or [])
        staged = staged or {}
        try:
            with self.transaction() as con:
                held = time.monotonic()
                bounded = bool(staged) and self.dialect == DUCKDB
                if bounded:     # bounded memory for a big apply (one thread: the least per operator)
                    con.execute(f"SET memory_limit = '{self._apply_memory_mb(con, staged)}MB'")
                    con.execute("SET threads = 1")
                athlete_id = self.ensure_athlete(con, athlete)
                run_id = one_row(con.execute(
                    "INSERT INTO import_runs (athlete_id, kind, source, started_at, status) "
                    "VALUES (?, ?, ?, now(), 'running') RETURNING run_id",
                    [athlete_id, kind, source]), "the new import run's id")[0]
                counts = {t: upsert_staged(con, t, athlete_id, staged[t], run_id) if t in staged
                          else self.upsert(con, t, athlete_id, frames.get(t), run_id)
                          for t in schema.TABLES}
                days = self.rebuild_days(con, athlete_id)
                con.execute("UPDATE import_runs SET finished_at = now(), status = 'ok', counts_json = ?, "
                            "warnings_json = ? WHERE run_id = ?",
                            [json.dumps(counts), json.dumps(warnings), run_id])
                if bounded:     # the connection may serve the rest of a unit of work
                    con.execute("RESET memory_limit")
                    con.execute("RESET threads")
        except (duckdb.OutOfMemoryException, duckdb.TransactionException) as exc:
            first_line = str(exc).splitlines()[0]
            if not isinstance(exc, duckdb.OutOfMemoryException) and "pin block" not in first_line:
                raise
            raise StoreError(f"the import needs more memory than DuckDB was given ({first_line}); "
                             "nothing was written: close other programs and import again") from None
        lock_s = time.monotonic() - held
        first = days["date"].min().date() if len(days) else None
        last = days["date"].max().date() if len(days) else None
        return ImportResult(run_id, athlete_id, athlete, counts, warnings, len(days), first, last,
                            lock_s)

    @staticmethod
    def _apply_memory_mb(con: Connection, staged: dict[str, Path]) -> int:
        """The DuckDB memory limit for applying ``staged`` (see IMPORT_MEMORY_MB)."""
        rows = 0
        for table, path in staged.items():
            incoming = one_row(con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]),
                               f"the staged {table} row count")[0]
            present = one_row(con.execute(f"SELECT count(*) FROM {table}"), f"the {table} row count")[0]
            rows = max(rows, incoming, present)
        return max(IMPORT_MEMORY_MB, 64 + rows * IMPORT_BYTES_PER_ROW // 2**20)

    def delete_athlete_data(self, athlete_id: int, *, keep_athlete: bool = True) -> None:
        """Delete every row of one athlete in every table keyed by athlete (records, days, runs,
        settings, sync progress) in one transaction.

        With ``keep_athlete`` (the default) the athlete and its WHOOP connection stay, so a
        connected account can sync its history again; otherwise both go too (revoke at WHOOP
        first: see whoop.tokens). A sign-in account of the athlete always stays (it is a person,
        not data); without the athlete it is unlinked and sees nothing until linked again.
        """
        keep: tuple[str, ...] = ("athletes", "whoop_connections", "token_pending") if keep_athlete else ()
        keep += ("accounts",)
        with self.transaction() as con:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'athlete_id' "
                "AND table_schema = current_schema()").fetchall()]
            ordered = [t for t in tables if t != "athletes"] + (["athletes"] if "athletes" in tables else [])
            for table in ordered:
                if table not in keep:
                    con.execute(f"DELETE FROM {table} WHERE athlete_id = ?", [athlete_id])
            if not keep_athlete and "accounts" in tables:
                con.execute("UPDATE accounts SET athlete_id = NULL WHERE athlete_id = ?", [athlete_id])

    def record_failed_import(self, athlete: str | None, *, kind: str, source: str, error: str) -> int:
        """Write a rejected import to the import history, in its own short transaction: one
        ``import_runs`` row with status ``failed``, ``error`` and ``source`` (the file names),
        empty counts and warnings. Nothing else is written: the run belongs to the athlete
        called ``athlete`` when one exists, else to no athlete (``athlete_id`` 0), so a rejected
        upload never creates an athlete. Returns the run id.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        with self.transaction() as con:
            return con.execute(
                "INSERT INTO import_runs (athlete_id, kind, source, started_at, finished_at, status, "
                "counts_json, warnings_json, error) VALUES (coalesce((SELECT athlete_id FROM athletes "
                "WHERE name = ?), 0), ?, ?, now(), now(), 'failed', '{}', '[]', ?) RETURNING run_id",
                [(athlete or "").strip(), kind, source, error]).fetchone()[0]


def _utc(instant: datetime | pd.Timestamp) -> pd.Timestamp:
    """A datetime or Timestamp as a tz-aware UTC Timestamp (naive ones are taken as UTC)."""
    ts = pd.Timestamp(instant)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _moved_cycles(labels: pd.DataFrame, stored: pd.DataFrame) -> pd.Series:
    """Cycle starts (UTC) whose kept ``(cycle_start_utc, date)`` pair differs between the new
    labels and the stored days: a cycle that got, lost or changed its day."""
    def pairs(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"c": pd.to_datetime(frame["cycle_start_utc"], utc=True),
                             "d": pd.to_datetime(frame["date"]).dt.normalize().astype("datetime64[s]")})
    both = pairs(labels).merge(pairs(stored), how="outer", indicator=True)
    return both.loc[both["_merge"] != "both", "c"].dropna()


def _insert_days(con: Connection, athlete_id: int, days: pd.DataFrame) -> None:
    """Insert ``days`` (schema.DAYS rows) of one athlete into ``days``."""
    if days.empty:
        return
    data = days.copy()
    data.insert(0, "athlete_id", athlete_id)
    data["date"] = data["date"].dt.date
    register_frame(con, "new_days", data, like="days")
    try:
        con.execute(f"INSERT INTO days ({', '.join(data.columns)}) "
                    f"SELECT {', '.join(data.columns)} FROM new_days")
    finally:
        con.unregister("new_days")


def _rebuild_all_days(con: Connection, athlete_id: int) -> pd.DataFrame:
    """The whole daily table of one athlete from all its records (:func:`whoop.days.build_days`)."""
    frames = {t: con.execute(f"SELECT * FROM {t} WHERE athlete_id = ?", [athlete_id]).df()
              for t in ("cycles", "recoveries", "sleeps", "workouts")}
    days = build_days(frames["cycles"], frames["recoveries"], frames["sleeps"], frames["workouts"])
    con.execute("DELETE FROM days WHERE athlete_id = ?", [athlete_id])
    _insert_days(con, athlete_id, days)
    return days
