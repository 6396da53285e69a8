"""The two backends of the store: a DuckDB file (the personal default) and PostgreSQL (the team
deployment, ``WHOOP_DB=postgresql://user@host/db``).

Both hand the store's modules a connection with the same small surface, DuckDB's:
``execute(sql, params)`` (``?`` placeholders) returning an object with ``fetchone()``,
``fetchall()``, ``df()`` and ``description``; ``register(name, frame)`` / ``unregister(name)``
for a pandas frame used as a relation in SQL; ``close()``. :class:`PgConnection` gives psycopg 3
that surface: ``?`` becomes ``%s`` outside quoted text, a registered frame becomes a temporary
table filled with ``COPY`` (typed like the table it is written to), and ``df()`` returns the
dtypes DuckDB's ``df()`` returns (nullable ``Int32``/``Int64``/``boolean``, ``datetime64[us]``
for dates, tz-aware UTC for TIMESTAMPTZ), so the pages see the same frames on either backend.

SQL in :mod:`whoop.store` is written in the subset both speak (``ON CONFLICT``, ``RETURNING``,
``unnest(?::TIMESTAMPTZ[])``, ``IS NOT DISTINCT FROM``, ``FILTER``); where they differ the
caller branches on ``con.dialect``. psycopg 3: https://www.psycopg.org/psycopg3/docs/ .
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pandas as pd

from whoop.errors import StoreError

if TYPE_CHECKING:
    import psycopg

DUCKDB, POSTGRESQL = "duckdb", "postgresql"
_PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: object) -> bool:
    """True when ``location`` is a PostgreSQL connection URL (``postgresql://`` or ``postgres://``)."""
    return isinstance(location, str) and location.lower().startswith(_PG_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: the form shown in messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def register_frame(con: Connection, name: str, frame: pd.DataFrame, *, like: str | None = None) -> None:
    """Make ``frame`` the relation ``name`` on ``con`` (either backend) until
    ``con.unregister(name)``; on PostgreSQL its columns are typed like table ``like``."""
    if isinstance(con, PgConnection):
        con.register(name, frame, like=like)
    else:
        con.register(name, frame)


def dialect_of(con: Connection) -> str:
    """``duckdb`` or ``postgresql``: the backend of a store connection."""
    return POSTGRESQL if isinstance(con, PgConnection) else DUCKDB


class _FetchesRows(Protocol):
    """A statement's result on either backend (DuckDB's connection or :class:`PgResult`)."""

    def fetchone(self) -> tuple[Any, ...] | None: ...


def one_row(result: _FetchesRows, what: str) -> tuple[Any, ...]:
    """The row a statement always yields (an aggregate such as ``count(*)``, an ``INSERT ...
    RETURNING``), as a tuple.

    Raises:
        StoreError: the database returned no row; ``what`` names the statement in the message.
    """
    row = result.fetchone()
    if row is None:
        raise StoreError(f"the database returned no row for {what}")
    return row


def db_errors() -> tuple[type[BaseException], ...]:
    """The exception classes either driver raises for a database error."""
    import psycopg
    return (duckdb.Error, psycopg.Error)


# -- PostgreSQL -----------------------------------------------------------------------------

_QMARK = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?")


def pg_sql(sql: str) -> str:
    """DuckDB-style SQL with parameters to psycopg's: every ``%`` doubled (psycopg reads ``%``
    anywhere in a statement with parameters as a placeholder) and ``?`` outside quoted text and
    comments made ``%s``."""
    return _QMARK.sub(lambda m: "%s" if m.group(0) == "?" else m.group(0), sql.replace("%", "%%"))


# PostgreSQL type OIDs (pg_type.dat) -> the pandas dtype DuckDB's df() gives that SQL type.
_INT_DTYPES: dict[int, Literal["Int16", "Int32", "Int64"]] = {21: "Int16", 23: "Int32", 20: "Int64"}
_FLOAT_OIDS = {700, 701, 1700}
_BOOL, _DATE, _TIMESTAMP, _TIMESTAMPTZ = 16, 1082, 1114, 1184


def _typed(values: list, oid: int) -> pd.Series | pd.api.extensions.ExtensionArray | list:
    if oid in _INT_DTYPES:
        return pd.array(values, dtype=_INT_DTYPES[oid])
    if oid in _FLOAT_OIDS:
        return pd.array([None if v is None else float(v) for v in values], dtype="float64")
    if oid == _BOOL:
        return pd.array(values, dtype="boolean")
    if oid == _TIMESTAMPTZ:
        return pd.to_datetime(pd.Series(values, dtype="object"), utc=True).astype("datetime64[us, UTC]")
    if oid in (_DATE, _TIMESTAMP):
        return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[us]")
    return values


class PgResult:
    """The result of :meth:`PgConnection.execute`: DuckDB's result surface over a psycopg cursor."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        self._cur = cursor

    @property
    def description(self) -> list[psycopg.Column] | None:
        """The cursor's column descriptions (``d[0]`` is the name), or None without rows."""
        return self._cur.description

    def fetchone(self) -> tuple | None:
        """The next row as a tuple, or None."""
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        """The remaining rows as tuples."""
        return self._cur.fetchall()

    def df(self) -> pd.DataFrame:
        """The remaining rows as a frame with DuckDB's dtypes (see the module docstring)."""
        desc = self._cur.description or []
        rows = self._cur.fetchall()
        cols = list(zip(*rows, strict=False)) if rows else [()] * len(desc)
        data = {}
        for d, values in zip(desc, cols, strict=False):
            data[d.name] = _typed(list(values), d.type_code)
        frame = pd.DataFrame(data, columns=[d.name for d in desc])
        return frame


class PgConnection:
    """A psycopg 3 connection with DuckDB's connection surface (see the module docstring).

    Autocommit is on, so ``BEGIN``/``COMMIT``/``ROLLBACK`` are the store's, as with DuckDB; the
    session time zone is UTC.
    """

    dialect = POSTGRESQL

    def __init__(self, url: str, *, connect_timeout_s: float = 10.0) -> None:
        import psycopg
        # Client-side binding (psycopg's ClientCursor): parameters are quoted into the statement
        # as psycopg2 did, so ``? IS NULL`` with None needs no cast, as in DuckDB.
        self._pg = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(connect_timeout_s)),
                                   cursor_factory=psycopg.ClientCursor)
        self._pg.execute("SET TIME ZONE 'UTC'")
        self._registered: set[str] = set()

    @property
    def raw(self) -> psycopg.Connection:
        """The psycopg connection (for the store's own COPY and lock code)."""
        return self._pg

    def execute(self, sql: str, params: Iterable[Any] | None = None) -> PgResult:
        """Run one statement with ``?`` placeholders; returns its result."""
        cur = self._pg.cursor()
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(pg_sql(sql), list(params))
        return PgResult(cur)

    def register(self, name: str, frame: pd.DataFrame, *, like: str | None = None) -> None:
        """Make ``frame`` the temporary table ``name`` for this connection: typed like the
        table ``like`` (the columns of the same names) or, without it, by the frame's dtypes;
        rows copied with ``COPY FROM STDIN``."""
        cols = list(frame.columns)
        names = ", ".join(_ident(c) for c in cols)
        self._pg.execute(f"DROP TABLE IF EXISTS {_ident(name)}")
        if like:
            self._pg.execute(f"CREATE TEMP TABLE {_ident(name)} AS SELECT {names} FROM {_ident(like)} "
                             "WITH NO DATA")
        else:
            spec = ", ".join(f"{_ident(c)} {_pg_type(frame[c])}" for c in cols)
            self._pg.execute(f"CREATE TEMP TABLE {_ident(name)} ({spec})")
        self._registered.add(name)
        self.copy_rows(name, cols, frame)

    def _int_columns(self, table: str) -> set[str]:
        cur = self._pg.execute(f"SELECT * FROM {_ident(table)} LIMIT 0")
        if cur.description is None:
            raise StoreError(f"the database described no columns for the table {table}")
        return {d.name for d in cur.description if d.type_code in _INT_DTYPES}

    def copy_rows(self, table: str, cols: list[str], frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows (its columns ``cols``) to ``table`` with ``COPY FROM STDIN``;
        NaN/NaT/NA become NULL."""
        if frame.empty:
            return
        names = ", ".join(_ident(c) for c in cols)
        values = frame[cols].copy()
        for c in self._int_columns(table) & set(cols):      # 120.0 (a float column with NaN) -> 120
            if not pd.api.types.is_integer_dtype(values[c].dtype):
                values[c] = pd.to_numeric(values[c]).round().astype("Int64")
        values = values.astype(object)
        values = values.where(values.notna(), None)
        with self._pg.cursor() as cur, cur.copy(f"COPY {_ident(table)} ({names}) FROM STDIN") as copy:
            for row in values.itertuples(index=False, name=None):
                copy.write_row(row)

    def unregister(self, name: str) -> None:
        """Drop the temporary table made by :meth:`register`."""
        if name in self._registered:
            self._registered.discard(name)
            try:
                self._pg.execute(f"DROP TABLE IF EXISTS {_ident(name)}")
            except Exception:           # noqa: BLE001 -- an aborted transaction: its rollback drops it
                pass

    def close(self) -> None:
        """Close the connection (a transaction left open is rolled back by the server)."""
        self._pg.close()


def _ident(name: str) -> str:
    """A SQL identifier, double-quoted when it is not a plain lower-case name."""
    if re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def _pg_type(series: pd.Series) -> str:
    """The PostgreSQL type for a frame column registered without a ``like`` table."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE PRECISION"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "TIMESTAMPTZ"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "TIMESTAMP"
    return "TEXT"


#: A store connection of either backend (an opaque handle outside :mod:`whoop.store`).
Connection = duckdb.DuckDBPyConnection | PgConnection
