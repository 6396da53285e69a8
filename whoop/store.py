"""The DuckDB store: schema and migrations, the single writer, upserts with provenance, queries.

One file (``whoop.config.db_path()``). DuckDB lets one process write a file at a time and locks
the file while a connection is open, so this store never keeps a connection open: every operation
opens the file, works and closes it, under an in-process lock (one writer, DESIGN.md "Storage").
When another process (the CLI while the app is open, a cron sync) holds the file, the store
retries with backoff for ``busy_timeout_s`` and then raises :class:`DatabaseBusyError`.

Records are written with :func:`whoop.merge.upsert` (also ``Store.upsert``), which holds the
merge rule for a record both the API and an export describe.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from whoop import schema
from whoop.config import db_path
from whoop.days import build_days
from whoop.errors import DatabaseBusyError, InputError, StoreError
from whoop.merge import upsert, upsert_staged

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: DuckDB memory limit (MB) while an import with staged tables is applied (past it DuckDB spills
#: to disk), so a journal of millions of rows costs a bounded amount of memory, not gigabytes.
#: The primary-key index must fit: the limit grows by IMPORT_BYTES_PER_ROW for each row of the
#: larger of the staged file and the table (measured: a 2.5-million-row journal needs about
#: 300 MB to insert and to re-import; bench/bench_import_memory.py).
IMPORT_MEMORY_MB = 256
IMPORT_BYTES_PER_ROW = 96
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    key = str(path.resolve()) if path.name != ":memory:" else ":memory:"
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def _owner_only(db: Path) -> None:
    """Health data: make the database file and its write-ahead log readable by the owner only
    (0600), whatever the umask gave them."""
    for path in (db, db.with_name(db.name + ".wal")):
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass  # absent (no WAL yet, an in-memory database) or not ours to change


def migrations() -> list[tuple[int, str, str]]:
    """The ordered migrations: ``(version, name, sql)`` from ``whoop/migrations/NNNN_name.sql``."""
    out = []
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version = int(path.name[:4])
        out.append((version, path.stem[5:], path.read_text(encoding="utf-8")))
    return out


@dataclass
class ImportResult:
    """What one import changed. ``counts[table] = {"inserted": n, "updated": n, "unchanged": n}``
    (see :func:`whoop.merge.upsert`)."""

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


class Store:
    """A DuckDB file with the project's schema.

    Args:
        path: the database file; None -> ``whoop.config.db_path()``. Created (with its folder)
            and migrated on first use.
        busy_timeout_s: how long to wait for another process's lock before DatabaseBusyError.
    """

    def __init__(self, path: str | Path | None = None, *, busy_timeout_s: float = 30.0) -> None:
        self.path = db_path(path)
        self.busy_timeout_s = busy_timeout_s
        self._lock = _process_lock(self.path)
        self._migrated = False

    # -- connections -----------------------------------------------------------------------
    def _open(self) -> duckdb.DuckDBPyConnection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database {self.path}: "
                             f"{exc.strerror or exc}") from None
        deadline = time.monotonic() + self.busy_timeout_s
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(self.path))
                con.execute("SET TimeZone = 'UTC'")
                _owner_only(self.path)
                return con
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"cannot open the database {self.path}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"the database {self.path} is busy: another process (the app, a sync or an "
                        f"import) is using it. Try again in a minute.") from None
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
            except duckdb.Error as exc:
                raise StoreError(f"cannot open the database {self.path}: {exc}") from None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reads (and single statements), migrated, closed on exit."""
        with self._lock:
            con = self._open()
            try:
                if not self._migrated:
                    self._migrate(con)
                yield con
            finally:
                con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
        current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        for version, name, sql in migrations():
            if version <= current:
                continue
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
                con.execute("COMMIT")
            except duckdb.Error as exc:
                con.execute("ROLLBACK")
                raise StoreError(f"cannot upgrade {self.path} to schema {version} ({name}): {exc}") from None
        self._migrated = True

    def schema_version(self) -> int:
        """The schema version of the file (after migrating it)."""
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read query and return its result as a frame.

        Raises:
            StoreError: the file cannot be opened or migrated; DatabaseBusyError: another
            process kept it locked for longer than ``busy_timeout_s``; duckdb.Error: bad SQL.
        """
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    # -- athletes --------------------------------------------------------------------------
    def athletes(self) -> pd.DataFrame:
        """Columns athlete_id (int32), name, whoop_user_id (nullable), first_name, last_name,
        email, created_at; ordered by name."""
        return self.query("SELECT * FROM athletes ORDER BY name")

    @staticmethod
    def ensure_athlete(con: duckdb.DuckDBPyConnection, name: str) -> int:
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
        return con.execute("INSERT INTO athletes (name) VALUES (?) RETURNING athlete_id",
                           [name]).fetchone()[0]

    def athlete_id(self, name: str) -> int | None:
        """The id of the athlete called ``name``, or None."""
        with self.connect() as con:
            row = con.execute("SELECT athlete_id FROM athletes WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def athlete_name(self, athlete_id: int) -> str | None:
        """The name of athlete ``athlete_id``, or None."""
        with self.connect() as con:
            row = con.execute("SELECT name FROM athletes WHERE athlete_id = ?", [athlete_id]).fetchone()
        return row[0] if row else None

    # -- writing ---------------------------------------------------------------------------
    upsert = staticmethod(upsert)

    @staticmethod
    def rebuild_days(con: duckdb.DuckDBPyConnection, athlete_id: int) -> pd.DataFrame:
        """Recompute the daily table of one athlete from its records (inside ``con``'s
        transaction) and return it (schema.DAYS columns)."""
        frames = {t: con.execute(f"SELECT * FROM {t} WHERE athlete_id = ?", [athlete_id]).df()
                  for t in ("cycles", "recoveries", "sleeps", "workouts")}
        days = build_days(frames["cycles"], frames["recoveries"], frames["sleeps"], frames["workouts"])
        con.execute("DELETE FROM days WHERE athlete_id = ?", [athlete_id])
        if not days.empty:
            data = days.copy()
            data.insert(0, "athlete_id", athlete_id)
            data["date"] = data["date"].dt.date
            con.register("new_days", data)
            try:
                con.execute(f"INSERT INTO days ({', '.join(data.columns)}) "
                            f"SELECT {', '.join(data.columns)} FROM new_days")
            finally:
                con.unregister("new_days")
        return days

    def import_records(self, athlete: str, frames: dict[str, pd.DataFrame], *, kind: str,
                       source: str, warnings: list[str] | None = None,
                       staged: dict[str, Path] | None = None) -> ImportResult:
        """Import canonical frames for athlete ``athlete`` (created when new) in ONE transaction:
        on any error nothing is written (not even the run or the athlete).

        Everything is parsed before this call, so the database is locked only for the apply
        (``ImportResult.lock_s``); staged tables go from their Parquet file to the table in
        set-based SQL (:func:`whoop.merge.upsert_staged`).

        Args:
            frames: table name (schema.TABLES) -> frame; missing tables are skipped.
            kind: ``export`` or ``demo``.
            source: what was imported, for the import history (file names).
            staged: table name -> Parquet file of staged rows (:class:`whoop.staging.StagedTable`
                ``path``), used instead of ``frames[table]``.
        Raises:
            InputError, StoreError (also when DuckDB runs out of memory), DatabaseBusyError.
        """
        warnings = list(warnings or [])
        staged = staged or {}
        try:
            with self.transaction() as con:
                held = time.monotonic()
                if staged:      # bounded memory for a big apply (one thread: the least per operator)
                    con.execute(f"SET memory_limit = '{self._apply_memory_mb(con, staged)}MB'")
                    con.execute("SET threads = 1")
                athlete_id = self.ensure_athlete(con, athlete)
                run_id = con.execute(
                    "INSERT INTO import_runs (athlete_id, kind, source, started_at, status) "
                    "VALUES (?, ?, ?, now(), 'running') RETURNING run_id",
                    [athlete_id, kind, source]).fetchone()[0]
                counts = {t: upsert_staged(con, t, athlete_id, staged[t], run_id) if t in staged
                          else self.upsert(con, t, athlete_id, frames.get(t), run_id)
                          for t in schema.TABLES}
                days = self.rebuild_days(con, athlete_id)
                con.execute("UPDATE import_runs SET finished_at = now(), status = 'ok', counts_json = ?, "
                            "warnings_json = ? WHERE run_id = ?",
                            [json.dumps(counts), json.dumps(warnings), run_id])
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
    def _apply_memory_mb(con: duckdb.DuckDBPyConnection, staged: dict[str, Path]) -> int:
        """The DuckDB memory limit for applying ``staged`` (see IMPORT_MEMORY_MB)."""
        rows = 0
        for table, path in staged.items():
            incoming = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
            present = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            rows = max(rows, incoming, present)
        return max(IMPORT_MEMORY_MB, 64 + rows * IMPORT_BYTES_PER_ROW // 2**20)

    def delete_athlete_data(self, athlete_id: int, *, keep_athlete: bool = True) -> None:
        """Delete every row of one athlete in every table keyed by athlete (records, days, runs,
        settings, sync progress) in one transaction.

        With ``keep_athlete`` (the default) the athlete and its WHOOP connection stay, so a
        connected account can sync its history again; otherwise both go too (revoke at WHOOP
        first: see whoop.tokens).
        """
        keep = ("athletes", "whoop_connections") if keep_athlete else ()
        with self.transaction() as con:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'athlete_id' "
                "AND table_schema = 'main'").fetchall()]
            ordered = [t for t in tables if t != "athletes"] + (["athletes"] if "athletes" in tables else [])
            for table in ordered:
                if table not in keep:
                    con.execute(f"DELETE FROM {table} WHERE athlete_id = ?", [athlete_id])

    # -- settings --------------------------------------------------------------------------
    def get_setting(self, key: str, default=None, *, athlete_id: int = 0):
        """A JSON-decoded setting (athlete 0 = app-wide), or ``default``."""
        with self.connect() as con:
            row = con.execute("SELECT value_json FROM settings WHERE athlete_id = ? AND key = ?",
                              [athlete_id, key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value, *, athlete_id: int = 0) -> None:
        """Store a JSON-encodable setting."""
        with self.transaction() as con:
            con.execute("INSERT OR REPLACE INTO settings (athlete_id, key, value_json, updated_at) "
                        "VALUES (?, ?, ?, now())", [athlete_id, key, json.dumps(value)])

    # -- reading ---------------------------------------------------------------------------
    def days(self, athlete_id: int, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """The daily table of one athlete, ``start <= date <= end`` (both optional, inclusive).

        Returns the columns of schema.DAYS (``date`` datetime64[s]), sorted by date.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        with self.connect() as con:
            df = con.execute(
                "SELECT * FROM days WHERE athlete_id = ? AND (? IS NULL OR date >= ?) "
                "AND (? IS NULL OR date <= ?) ORDER BY date",
                [athlete_id, start, start, end, end]).df()
        return schema.conform(df, "days")

    def records(self, table: str, athlete_id: int, start: datetime | None = None,
                end: datetime | None = None) -> pd.DataFrame:
        """Records of ``table`` for one athlete whose start (cycle start for recoveries and
        journal) is in ``[start, end)`` (UTC; both optional). Canonical columns of the table.

        Raises:
            KeyError: ``table`` is not one of schema.TABLES.
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        if table not in schema.TABLES:
            raise KeyError(table)
        col = schema.KEYS[table][0] if table != "journal" else "cycle_start_utc"
        with self.connect() as con:
            df = con.execute(
                f"SELECT * FROM {table} WHERE athlete_id = ? AND (? IS NULL OR {col} >= ?) "
                f"AND (? IS NULL OR {col} < ?) ORDER BY {col}",
                [athlete_id, start, start, end, end]).df()
        return schema.conform(df, table)

    def runs(self, athlete_id: int | None = None, limit: int = 100) -> pd.DataFrame:
        """Import and sync runs, newest first, with the athlete's name (``athlete``; NULL for a
        rejected import whose athlete was never created, see :meth:`record_failed_import`)."""
        return self.query(
            "SELECT r.*, a.name AS athlete FROM import_runs r LEFT JOIN athletes a USING (athlete_id) "
            "WHERE ? IS NULL OR r.athlete_id = ? ORDER BY r.run_id DESC LIMIT ?",
            [athlete_id, athlete_id, limit])

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

    def athlete_summary(self) -> pd.DataFrame:
        """Every athlete with what the sidebar and the Data page show, read in ONE query (one
        snapshot: an import committing meanwhile is either wholly in it or wholly out).

        Returns columns ``athlete_id`` (int), ``name``, ``whoop_user_id`` (nullable), ``days``
        (int, days with data), ``first_day``, ``last_day`` (datetime64, NaT without days),
        ``last_import`` (tz-aware UTC, NaT: when the newest successful import or sync finished);
        ordered by name.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`query`.
        """
        return self.query(
            "SELECT a.athlete_id, a.name, a.whoop_user_id, count(d.date) AS days, "
            "min(d.date) AS first_day, max(d.date) AS last_day, "
            "(SELECT max(r.finished_at) FROM import_runs r WHERE r.athlete_id = a.athlete_id "
            " AND r.status = 'ok') AS last_import "
            "FROM athletes a LEFT JOIN days d USING (athlete_id) "
            "GROUP BY a.athlete_id, a.name, a.whoop_user_id ORDER BY a.name")

    def overlapping_athletes(self, starts: pd.Series, *, table: str = "cycles") -> pd.DataFrame:
        """How much each stored athlete holds of records starting at these instants: the test
        for "this export is that athlete's" (a WHOOP record's start instant is its identity,
        see :mod:`whoop.merge`). One query.

        Args:
            starts: record start instants (UTC, tz-aware or naive UTC); NaT ignored.
            table: ``cycles`` (their ``start_utc``) or ``sleeps`` (onsets), for an export
                without a cycles file.
        Returns:
            One row per athlete: ``athlete_id`` (int), ``name``, ``shared`` (int, how many of
            ``starts`` the athlete holds), ``stored`` (int, the athlete's records in ``table``);
            most shared first, then by name.
        Raises:
            KeyError: another table. StoreError, DatabaseBusyError: as :meth:`query`.
        """
        if table not in ("cycles", "sleeps"):
            raise KeyError(table)
        probe = pd.to_datetime(pd.Series(starts, dtype="object"), utc=True).dropna().unique()
        return self.query(
            f"SELECT a.athlete_id, a.name, count(p.start_utc) AS shared, count(t.start_utc) AS stored "
            f"FROM athletes a LEFT JOIN {table} t USING (athlete_id) "
            f"LEFT JOIN (SELECT DISTINCT unnest(?::TIMESTAMPTZ[]) AS start_utc) p "
            f"ON p.start_utc = t.start_utc GROUP BY a.athlete_id, a.name "
            f"ORDER BY shared DESC, a.name", [[t.to_pydatetime() for t in probe]])

    def data_version(self) -> str:
        """A token that changes whenever any import, sync or deletion changed the data."""
        with self.connect() as con:
            row = con.execute("SELECT count(*), max(run_id), max(finished_at) FROM import_runs").fetchone()
            n_days = con.execute("SELECT count(*), max(ingested_at) FROM days").fetchone()
        return f"{row[0]}:{row[1]}:{row[2]}:{n_days[0]}:{n_days[1]}"

    def status(self) -> dict:
        """Overview for ``python -m whoop status``: per athlete, rows per table, first and last
        day, last run."""
        out = {"database": str(self.path), "schema_version": self.schema_version(), "athletes": []}
        with self.connect() as con:
            for athlete_id, name, whoop_user_id in con.execute(
                    "SELECT athlete_id, name, whoop_user_id FROM athletes ORDER BY name").fetchall():
                rows = {t: con.execute(f"SELECT count(*) FROM {t} WHERE athlete_id = ?",
                                       [athlete_id]).fetchone()[0] for t in (*schema.TABLES, "days")}
                first, last = con.execute("SELECT min(date), max(date) FROM days WHERE athlete_id = ?",
                                          [athlete_id]).fetchone()
                run = con.execute(
                    "SELECT kind, source, finished_at, status FROM import_runs WHERE athlete_id = ? "
                    "ORDER BY run_id DESC LIMIT 1", [athlete_id]).fetchone()
                out["athletes"].append({
                    "athlete": name, "whoop_user_id": whoop_user_id, "rows": rows,
                    "first_day": first, "last_day": last,
                    "last_run": dict(zip(("kind", "source", "finished_at", "status"), run)) if run else None,
                })
        return out


def utcnow() -> datetime:
    """The current instant, tz-aware UTC."""
    return datetime.now(timezone.utc)
