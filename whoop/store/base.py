"""The DuckDB file: connection lifecycle, the single writer, and the migrations runner.

One file (``whoop.config.db_path()``). DuckDB lets one process write a file at a time and locks
the file while a connection is open, so this store never keeps a connection open: every operation
opens the file, works and closes it, under an in-process lock (one writer per process; DuckDB's
concurrency model: https://duckdb.org/docs/stable/connect/concurrency). When another process (the
CLI while the app is open, a cron sync) holds the file, the store retries with backoff for
``busy_timeout_s`` and then raises :class:`DatabaseBusyError`.

Migrations are the files ``whoop/store/migrations/NNNN_name.sql``, applied in order, each in its
own transaction, recorded in ``schema_version``; opening an older file upgrades it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from whoop.config import db_path
from whoop.errors import DatabaseBusyError, StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
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
    """The ordered migrations: ``(version, name, sql)`` from ``whoop/store/migrations/NNNN_name.sql``."""
    out = []
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version = int(path.name[:4])
        out.append((version, path.stem[5:], path.read_text(encoding="utf-8")))
    return out


class StoreBase:
    """A DuckDB file with the project's schema: connections, transactions, migrations.

    The typed methods live in the mixins of :mod:`whoop.store` (``Store`` combines them).

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
        """A connection for reads (and single statements), migrated, closed on exit.

        Outside :mod:`whoop.store` the connection is an opaque handle: pass it to the store's
        methods that take ``con`` (several of them in one unit of work), never run SQL on it.

        Raises:
            StoreError: the file cannot be created, opened or migrated.
            DatabaseBusyError: another process kept it locked longer than ``busy_timeout_s``.
        """
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
        """One write transaction: committed on success, rolled back on any exception.

        Yields the connection as :meth:`connect` does (an opaque handle outside the package).

        Raises:
            StoreError, DatabaseBusyError: as :meth:`connect`.
        """
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
        """Run a read query and return its result as a frame: a test and diagnostic helper (the
        package's code outside :mod:`whoop.store` calls the typed methods, never this).

        Raises:
            StoreError: the file cannot be opened or migrated; DatabaseBusyError: another
            process kept it locked for longer than ``busy_timeout_s``; duckdb.Error: bad SQL.
        """
        with self.connect() as con:
            return con.execute(sql, params or []).df()


def utcnow() -> datetime:
    """The current instant, tz-aware UTC."""
    return datetime.now(timezone.utc)
