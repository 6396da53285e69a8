"""The store's foundation: where the database is, connections per unit of work, the single
writer, locks between processes, and the migrations runner.

Two backends (:mod:`whoop.store.backend`): a DuckDB file (``whoop.config.db_location()``, the personal
default) or PostgreSQL (``WHOOP_DB=postgresql://user@host/db``, the team deployment).

Connections per unit of work (datasette's model: one writer, readers per thread,
https://docs.datasette.io/en/stable/internals.html#database-execute-write): a thread opens one
connection and every store call on that thread for the same database reuses it until the
outermost ``connect()``/``transaction()``/``unit_of_work()`` ends, so a page rerun, a sync run or
an import opens the database once (:attr:`StoreBase.opens` counts the opens). Write
transactions of one process are serialized by an in-process lock; a transaction opened inside
another joins it. DuckDB locks its file while any connection of a process is open, so the store
closes it at the end of each unit of work; when another process (the CLI while the app is open,
a cron sync) holds the file, opening retries with jittered exponential backoff (tenacity) for
``busy_timeout_s`` and then raises :class:`DatabaseBusyError` (DuckDB's concurrency model:
https://duckdb.org/docs/stable/connect/concurrency).

Locks between processes (:meth:`StoreBase.lock`): a ``filelock`` beside a DuckDB file, a
PostgreSQL session advisory lock otherwise (released by the server when its process dies;
https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), never a file.

Migrations are the files ``whoop/store/migrations/NNNN_name.sql`` (both dialects),
``NNNN_name.<dialect>.sql`` (that dialect only, when the spelling differs) or ``NNNN_name.py``
(a Python step: ``upgrade(con, dialect)``), applied in order, each in its own transaction,
recorded in ``schema_version``; opening an older database upgrades it. On PostgreSQL the runner
holds an advisory lock, so processes starting together upgrade once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import FileLock, Timeout
from tenacity import (
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_delay,
    stop_never,
    wait_random,
    wait_random_exponential,
)

from whoop.config import db_location
from whoop.errors import DatabaseBusyError, StoreError
from whoop.store.backend import (
    DUCKDB,
    POSTGRESQL,
    Connection,
    PgConnection,
    db_errors,
    one_row,
    redact_url,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
_THREAD = threading.local()       # per thread: location -> [connection, users, in_transaction]

#: ``filelock.Timeout``: what :meth:`StoreBase.lock`'s ``acquire`` raises on either backend.
LockTimeout = Timeout


def _file_locked(exc: BaseException) -> bool:
    """True for DuckDB's errors worth retrying: another process holds the file's lock, or
    another thread of this process is closing the file's last connection while this one opens
    it ("Unique file handle conflict", duckdb/duckdb-python#392)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and ("lock" in text or "unique file handle conflict" in text)


def _process_lock(key: str) -> threading.RLock:
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


def migrations(dialect: str = DUCKDB, folder: Path | None = None) -> list[tuple[int, str, str | Callable]]:
    """The ordered migrations of ``dialect``: ``(version, name, step)`` where ``step`` is SQL text
    or a Python ``upgrade(con, dialect)`` function (see the module docstring). A
    ``NNNN_name.<dialect>.sql`` file replaces ``NNNN_name.sql`` for that dialect.

    Raises:
        StoreError: two different migrations share a version.
    """
    shared: dict[int, tuple[str, Path]] = {}
    own: dict[int, tuple[str, Path]] = {}
    for path in sorted((folder or MIGRATIONS_DIR).glob("[0-9][0-9][0-9][0-9]_*")):
        version, rest = int(path.name[:4]), path.name[5:]
        if rest.endswith(".py"):
            name, only = rest[:-3], None
        elif rest.endswith(".sql"):
            name, _, only = rest[:-4].partition(".")
        else:
            continue
        if only and only != dialect:
            continue
        into = own if only else shared
        if version in into and into[version][0] != name:
            raise StoreError(f"two migrations have version {version}: {into[version][0]} and {name}")
        into[version] = (name, path)
    out: list[tuple[int, str, str | Callable]] = []
    for version, (name, path) in sorted({**shared, **own}.items()):
        if path.suffix == ".py":
            spec = importlib.util.spec_from_file_location(f"whoop_migration_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise StoreError(f"cannot load the migration {path.name}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            out.append((version, name, module.upgrade))
        else:
            out.append((version, name, path.read_text(encoding="utf-8")))
    return out


class StoreBase:
    """The project's database: connections, transactions, locks, migrations.

    The typed methods live in the mixins of :mod:`whoop.store` (``Store`` combines them).

    Args:
        location: a DuckDB file path or a ``postgresql://`` URL; None -> ``WHOOP_DB`` or
            ``data/whoop.duckdb`` (``whoop.config.db_location``). A file is created (with its
            folder) and any database migrated on first use.
        busy_timeout_s: how long to wait for another process's lock before DatabaseBusyError.

    Attributes:
        dialect: ``duckdb`` or ``postgresql``.
        path: the DuckDB file (None on PostgreSQL).
        url: the PostgreSQL URL (None on DuckDB); never shown: see :attr:`display`.
        location: ``str`` of the path or the URL: the key of caches and locks per database.
        opens: how many connections this process opened to this database (all Store objects).
    """

    _opens: dict[str, int] = {}

    def __init__(self, location: str | Path | None = None, *, busy_timeout_s: float = 30.0) -> None:
        loc = db_location(location)
        self.busy_timeout_s = busy_timeout_s
        self.url: str | None
        self.path: Path | None
        if isinstance(loc, str):
            self.dialect, self.url, self.path = POSTGRESQL, loc, None
            self.location = loc
        else:
            self.dialect, self.url, self.path = DUCKDB, None, loc
            self.location = str(loc.resolve()) if str(loc) != ":memory:" else ":memory:"
        self._lock = _process_lock(self.location)
        self._migrated = False

    @property
    def display(self) -> str:
        """Where the data is, for people: the file path, or the URL without its password."""
        return redact_url(self.url) if self.url is not None else str(self.path)

    @property
    def opens(self) -> int:
        """Connections opened to this database by this process so far."""
        return StoreBase._opens.get(self.location, 0)

    # -- connections -----------------------------------------------------------------------
    def _open(self) -> Connection:
        StoreBase._opens[self.location] = StoreBase._opens.get(self.location, 0) + 1
        if self.path is None:       # PostgreSQL
            return self._open_postgres()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database {self.path}: "
                             f"{exc.strerror or exc}") from None
        retrying = Retrying(retry=retry_if_exception(_file_locked), reraise=True,
                            stop=stop_after_delay(self.busy_timeout_s),
                            wait=wait_random_exponential(multiplier=0.05, max=1.0))
        try:
            for attempt in retrying:
                with attempt:
                    con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            if _file_locked(exc):
                raise DatabaseBusyError(
                    f"the database {self.path} is busy: another process (the app, a sync or an "
                    f"import) is using it. Try again in a minute.") from None
            raise StoreError(f"cannot open the database {self.path}: {exc}") from None
        con.execute("SET TimeZone = 'UTC'")
        _owner_only(self.path)
        return con

    def _open_postgres(self) -> PgConnection:
        import psycopg
        if self.url is None:
            raise StoreError(f"the database {self.display} is a DuckDB file, not PostgreSQL")
        try:
            return PgConnection(self.url, connect_timeout_s=min(self.busy_timeout_s, 10.0))
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or ["no answer"])[0]
            raise StoreError(f"cannot open the database {self.display}: {redact_url(first)}") from None

    @contextmanager
    def _held(self) -> Iterator[list]:
        """This thread's open connection to this database (opened and migrated when none):
        ``[con, users, in_transaction]``; closed when its last user leaves."""
        held = getattr(_THREAD, "cons", None)
        if held is None:
            held = _THREAD.cons = {}
        entry: list[Any] | None = held.get(self.location)
        if entry is None:
            con = self._open()
            entry = [con, 0, False]
            held[self.location] = entry
            try:
                if not self._migrated:
                    self._migrate(con)
            except BaseException:
                del held[self.location]
                con.close()
                raise
        entry[1] += 1
        try:
            yield entry
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del held[self.location]
                entry[0].close()

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Keep one connection open for this thread until the block ends: every store call on
        the thread (any Store object of this database) uses it. Wrap a page rerun, a sync run or
        an import in it.

        Raises:
            StoreError, DatabaseBusyError: as :meth:`connect`.
        """
        with self._held():
            yield

    @contextmanager
    def connect(self) -> Iterator:
        """A connection for reads (and single statements), migrated; the thread's open one
        when there is one, else opened here and closed on exit.

        Outside :mod:`whoop.store` the connection is an opaque handle: pass it to the store's
        methods that take ``con`` (several of them in one unit of work), never run SQL on it.

        Raises:
            StoreError: the database cannot be created, opened or migrated.
            DatabaseBusyError: another process kept it locked longer than ``busy_timeout_s``.
        """
        with self._held() as entry:
            yield entry[0]

    @contextmanager
    def transaction(self) -> Iterator:
        """One write transaction: committed on success, rolled back on any exception. Inside
        another transaction of this thread it joins that one (committed or rolled back with it).

        Yields the connection as :meth:`connect` does (an opaque handle outside the package).

        Raises:
            StoreError, DatabaseBusyError: as :meth:`connect`.
        """
        with self._held() as entry:
            con = entry[0]
            if entry[2]:
                yield con
                return
            with self._lock:
                con.execute("BEGIN TRANSACTION")
                entry[2] = True
                try:
                    yield con
                except BaseException:
                    entry[2] = False
                    try:
                        con.execute("ROLLBACK")
                    except db_errors():
                        pass        # the connection is gone: the server rolled back
                    raise
                entry[2] = False
                con.execute("COMMIT")

    # -- locks between processes -----------------------------------------------------------
    def lock(self, name: str) -> FileLock | AdvisoryLock:
        """A lock shared by every process using this database, called ``name`` (e.g.
        ``tokens``, ``sync-7``): ``acquire(timeout=s)`` (-1 waits for ever; raises
        :data:`LockTimeout`), ``release()``, usable with ``with``; re-entrant in one object.

        DuckDB: a ``filelock`` ``<db>.<name>.lock`` beside the file. PostgreSQL: a session
        advisory lock on a connection of its own, keyed by the schema and ``name``, released by
        the server when the holding process dies.
        """
        if self.dialect == DUCKDB:
            return FileLock(f"{self.path}.{name}.lock")
        return AdvisoryLock(self, name)

    # -- migrations ------------------------------------------------------------------------
    def _migrate(self, con: Connection) -> None:
        if self.dialect == POSTGRESQL:
            con.execute("SELECT pg_advisory_lock(?)", [_lock_key("", "whoop-migrations")])
        try:
            con.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
            current = one_row(con.execute("SELECT coalesce(max(version), 0) FROM schema_version"),
                              "the schema version")[0]
            for version, name, step in migrations(self.dialect):
                if version <= current:
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    if callable(step):
                        step(con, self.dialect)
                    else:
                        con.execute(step)
                    con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
                    con.execute("COMMIT")
                except db_errors() as exc:
                    con.execute("ROLLBACK")
                    raise StoreError(f"cannot upgrade {self.display} to schema {version} ({name}): "
                                     f"{exc}") from None
        finally:
            if self.dialect == POSTGRESQL:
                con.execute("SELECT pg_advisory_unlock(?)", [_lock_key("", "whoop-migrations")])
        self._migrated = True

    def schema_version(self) -> int:
        """The schema version of the database (after migrating it)."""
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read query and return its result as a frame: a test and diagnostic helper (the
        package's code outside :mod:`whoop.store` calls the typed methods, never this).

        Raises:
            StoreError: the database cannot be opened or migrated; DatabaseBusyError: another
            process kept it locked for longer than ``busy_timeout_s``; a driver error: bad SQL.
        """
        with self.connect() as con:
            return con.execute(sql, params or []).df()


def _lock_key(schema: str, name: str) -> int:
    """A signed 64-bit advisory lock key for ``name`` in ``schema``."""
    digest = hashlib.sha256(f"whoop:{schema}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLock:
    """A PostgreSQL session advisory lock with ``filelock.FileLock``'s surface (see
    :meth:`StoreBase.lock`). Holds a connection of its own while held. One object per thread:
    nested acquires in one object count up, as filelock's do."""

    def __init__(self, store: StoreBase, name: str) -> None:
        self.store, self.name = store, name
        self._con: PgConnection | None = None
        self._key: int | None = None
        self._count = 0

    @property
    def is_locked(self) -> bool:
        """True while this object holds the lock."""
        return self._count > 0

    def acquire(self, timeout: float = -1, poll_interval: float = 0.05) -> _Acquired:
        """Take the lock, waiting up to ``timeout`` seconds (-1: for ever; 0: one try).

        Returns an object for ``with lock.acquire(timeout=...):`` that releases once on exit
        (as filelock's).

        Raises:
            LockTimeout: another session held it for the whole ``timeout``.
            StoreError: the database cannot be reached.
        """
        if self._count:
            self._count += 1
            return _Acquired(self)
        con = self.store._open_postgres()
        try:
            schema = one_row(con.execute("SELECT current_schema()"), "the current schema")[0]
            key = _lock_key(schema or "", self.name)
            taken = Retrying(
                retry=retry_if_result(lambda got: not got),
                stop=stop_never if timeout is None or timeout < 0 else stop_after_delay(timeout),
                wait=wait_random(poll_interval, 2 * poll_interval),
                retry_error_callback=lambda _state: False,
            )(lambda: bool(one_row(con.execute("SELECT pg_try_advisory_lock(?)", [key]),
                                   "an advisory lock")[0]))
            if not taken:
                raise LockTimeout(self.name)
        except BaseException:
            con.close()
            raise
        self._con, self._key, self._count = con, key, 1
        return _Acquired(self)

    def release(self, force: bool = False) -> None:
        """Release the lock (the last of nested acquires releases it at the server)."""
        if not self._count:
            return
        self._count = 0 if force else self._count - 1
        if self._count == 0 and self._con is not None:
            con, self._con = self._con, None
            try:
                con.execute("SELECT pg_advisory_unlock(?)", [self._key])
            except db_errors():
                pass                    # closing the session releases it anyway
            finally:
                con.close()

    def __enter__(self) -> AdvisoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _Acquired:
    """What :meth:`AdvisoryLock.acquire` returns: ``with`` it releases the acquire it stands for."""

    def __init__(self, lock: AdvisoryLock) -> None:
        self.lock = lock

    def __enter__(self) -> AdvisoryLock:
        return self.lock

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def utcnow() -> datetime:
    """The current instant, tz-aware UTC."""
    return datetime.now(UTC)
