"""Copy every row of one store into another, either backend, either direction: what
``python -m whoop migrate-store`` runs (a personal DuckDB file into the team deployment's
PostgreSQL, and back), and a quick way to clone a template database.

What is copied: every table of the schema except ``schema_version``, found in
``information_schema`` (``table_schema = current_schema()``), so tables added by later migrations
come along; values as stored (``whoop_connections.token_enc`` stays the same Fernet text: the
target needs the same token key). Both stores must be at the same schema version (opening a
:class:`whoop.store.Store` migrates it to this code's head) with the same tables and columns.

How: the source is read in one snapshot (a DuckDB transaction; PostgreSQL ``REPEATABLE READ,
READ ONLY``) in batches of ``batch_rows`` rows, so the copy's own memory stays bounded whatever
the size of a table (measured: a 2.5-million-row journal DuckDB -> PostgreSQL adds about 80 MB to
the process; a DuckDB target keeps the transaction's new rows in its own memory until the commit,
about 220 bytes a row); the target is written in ONE transaction: an optional emptying (``replace``), the
rows, the check that every table's row count per athlete equals the source's, and the sequences
(``athlete_id_seq``, ``run_id_seq``, any ``DEFAULT nextval(...)`` column) set past the copied ids.
Any failure rolls the target back to what it was. Data paths:

* DuckDB -> PostgreSQL: Arrow record batches (``to_arrow_reader``), written as CSV by Arrow and
  loaded with ``COPY ... FROM STDIN (FORMAT csv)`` (NULL is an unquoted empty field, an empty
  string a quoted one; doubles are written in their shortest exact form);
* DuckDB -> DuckDB: the Arrow batches registered on the target and inserted with
  ``INSERT ... SELECT``;
* PostgreSQL -> PostgreSQL: ``COPY (SELECT ...) TO STDOUT`` piped into ``COPY ... FROM STDIN``;
  two schemas of one database (a test cloning a template schema): ``INSERT ... SELECT`` from the
  source schema on the target's connection (each statement its own snapshot of the source: the
  count check catches a source that changed meanwhile);
* PostgreSQL -> DuckDB: ``COPY ... TO STDOUT`` rows typed by psycopg, gathered into Arrow
  batches, inserted as above.

COPY: https://www.postgresql.org/docs/current/sql-copy.html ; psycopg's COPY support:
https://www.psycopg.org/psycopg3/docs/basic/copy.html ; DuckDB and Arrow:
https://duckdb.org/docs/stable/guides/python/export_arrow .
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoop.errors import InputError, StoreError
from whoop.store.backend import POSTGRESQL, PgConnection, _ident, db_errors, dialect_of, one_row, redact_url
from whoop.store.base import StoreBase

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from whoop.store.backend import Connection

#: Rows per batch read from the source (bounds memory: a batch of the widest table, raw_json
#: included, is a few tens of MB).
BATCH_ROWS = 20_000
_BATCH_VIEW = "whoop_transfer_batch"
_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'")

#: ``{table: {athlete_id: rows}}``; tables without an ``athlete_id`` column count under None.
RowCounts = dict[str, dict[int | None, int]]
#: ``progress(table, rows copied so far, rows of the table)``, called after each batch.
Progress = Callable[[str, int, int], None]


class TargetNotEmpty(StoreError):
    """The target store already holds rows and ``replace`` was not asked.

    Attributes:
        held: ``{table: rows}`` of the target's non-empty tables.
    """

    def __init__(self, message: str, held: dict[str, int]) -> None:
        self.held = held
        super().__init__(message)


@dataclass(frozen=True)
class TransferReport:
    """What :func:`copy_store` did.

    Attributes:
        source, target: where the data came from and went (``Store.display``: no password).
        schema_version: the schema version both stores are at.
        source_counts, target_counts: :data:`RowCounts` of the source's snapshot and of the
            target after the copy (checked equal before the commit).
        athletes: ``{athlete_id: name}`` of the copied athletes.
        replaced: rows the target held before and that ``replace`` removed (0 otherwise).
        sequences: ``{sequence: next id}`` set on the target.
        athlete_tables: the tables counted per athlete (those with an ``athlete_id`` column).
        seconds: wall time of the copy, checks included (opening and migrating the stores not).
    """

    source: str
    target: str
    schema_version: int
    source_counts: RowCounts
    target_counts: RowCounts
    athletes: dict[int, str]
    replaced: int
    sequences: dict[str, int]
    athlete_tables: frozenset[str]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows copied, all tables."""
        return sum(sum(c.values()) for c in self.target_counts.values())

    @property
    def rows_per_s(self) -> float:
        """Copy throughput (rows per second of wall time)."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def tables_of(con: Connection) -> dict[str, list[tuple[str, str]]]:
    """The store's tables (``schema_version`` excepted) on ``con``: ``{table: [(column, type),
    ...]}`` in column order, tables sorted by name; ``type`` is PostgreSQL's type name (``int4``,
    ``timestamptz``, ...) or DuckDB's ``data_type``."""
    return {t: [(c, kind) for c, kind, _ in cols] for t, cols in _columns(con).items()}


def _columns(con: Connection) -> dict[str, list[tuple[str, str, str | None]]]:
    """``{table: [(column, type, default), ...]}`` of the current schema's tables (not
    ``schema_version``). PostgreSQL reads ``pg_catalog`` (its ``information_schema`` views take
    about three times as long); DuckDB ``information_schema``."""
    if dialect_of(con) == POSTGRESQL:
        sql = ("SELECT c.relname, a.attname, t.typname, pg_get_expr(d.adbin, d.adrelid) FROM pg_class c "
               "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
               "JOIN pg_type t ON t.oid = a.atttypid "
               "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
               "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
               "AND NOT a.attisdropped AND c.relname <> 'schema_version' ORDER BY c.relname, a.attnum")
    else:
        sql = ("SELECT c.table_name, c.column_name, c.data_type, c.column_default "
               "FROM information_schema.columns c JOIN information_schema.tables t "
               "ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema "
               "AND t.table_name = c.table_name "
               "WHERE c.table_schema = current_schema() AND c.table_catalog = current_database() "
               "AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_version' "
               "ORDER BY c.table_name, c.ordinal_position")
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for table, column, kind, default in con.execute(sql).fetchall():
        out.setdefault(table, []).append((column, kind, default))
    return out


def _counts(con: Connection, tables: dict[str, list[tuple[str, str]]]) -> RowCounts:
    """Rows per table and athlete, in one query."""
    if not tables:
        return {}
    parts = []
    for i, (table, cols) in enumerate(tables.items()):
        who = ("CAST(athlete_id AS BIGINT)" if any(c == "athlete_id" for c, _ in cols)
               else "CAST(NULL AS BIGINT)")
        parts.append(f"SELECT {i} AS t, {who} AS a, count(*) AS n FROM {_ident(table)} GROUP BY 2")
    names = list(tables)
    out: RowCounts = {t: {} for t in names}
    for t, athlete, n in con.execute(" UNION ALL ".join(parts)).fetchall():
        out[names[t]][None if athlete is None else int(athlete)] = int(n)
    return out


def row_counts(store: StoreBase) -> RowCounts:
    """Rows per table and athlete of ``store``: ``{table: {athlete_id: n}}`` for every table of
    the schema but ``schema_version`` (an empty table maps to ``{}``; tables without an
    ``athlete_id`` column count under None; ``settings`` rows of the whole app under 0).

    Raises:
        StoreError, DatabaseBusyError: the database cannot be opened.
    """
    with store.connect() as con:
        return _counts(con, tables_of(con))


def _sequences(columns: dict[str, list[tuple[str, str, str | None]]]) -> dict[str, tuple[str, str]]:
    """``{sequence: (table, column)}`` of the columns whose default is ``nextval('sequence')``."""
    out = {}
    for table, cols in columns.items():
        for column, _, default in cols:
            m = _NEXTVAL.search(default or "")
            if m:
                out[m.group(1).replace("''", "'")] = (table, column)
    return out


def _advance_sequences(con: Connection,
                       columns: dict[str, list[tuple[str, str, str | None]]]) -> dict[str, int]:
    """Set every sequence past the largest id of its column; ``{sequence: next id}``."""
    out = {}
    for seq, (table, column) in sorted(_sequences(columns).items()):
        top = one_row(con.execute(f"SELECT max({_ident(column)}) FROM {_ident(table)}"),
                      f"the largest {column}")[0]
        if top is None:
            continue
        if dialect_of(con) == POSTGRESQL:
            con.execute("SELECT setval(?::regclass, ?, true)", [seq, int(top)])
        else:   # DuckDB has no setval: draw the sequence forward to the top in one statement
            name = seq.rsplit(".", 1)[-1].strip('"')
            last = con.execute("SELECT last_value FROM duckdb_sequences() WHERE sequence_name = ? "
                               "AND schema_name = current_schema()", [name]).fetchone()
            behind = int(top) - (last[0] if last and last[0] is not None else 0)
            if behind > 0:
                literal = seq.replace("'", "''")
                con.execute(f"SELECT max(nextval('{literal}')) FROM range(?)", [behind])
        out[seq] = int(top) + 1
    return out


# -- reading the source ----------------------------------------------------------------------

def _arrow_type(udt: str) -> pa.DataType | None:
    """The Arrow type of a PostgreSQL column type; None (inferred from the values) for others."""
    import pyarrow as pa
    return {"int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "float4": pa.float32(),
            "float8": pa.float64(), "bool": pa.bool_(), "varchar": pa.string(), "text": pa.string(),
            "date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC"),
            "timestamp": pa.timestamp("us")}.get(udt)


def _duckdb_batches(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], batch_rows: int
                    ) -> Generator[pa.RecordBatch, None, None]:
    """Arrow record batches of ``table`` on a DuckDB connection (streamed, not materialized)."""
    names = ", ".join(_ident(c) for c in cols)
    reader = con.sql(f"SELECT {names} FROM {_ident(table)}").to_arrow_reader(batch_rows)
    try:
        yield from reader
    finally:            # an unfinished reader would block the connection's next statement
        reader.close()


def _pg_batches(con: PgConnection, table: str, cols: list[tuple[str, str]], batch_rows: int
                ) -> Generator[pa.RecordBatch, None, None]:
    """Arrow record batches of ``table`` on a PostgreSQL connection, from COPY TO STDOUT rows."""
    import pyarrow as pa
    names = ", ".join(_ident(c) for c, _ in cols)
    types = [_arrow_type(t) for _, t in cols]

    def batch(rows: list[tuple]) -> pa.RecordBatch:
        columns = list(zip(*rows, strict=False))
        return pa.record_batch([pa.array(list(v), type=t) for v, t in zip(columns, types, strict=False)],
                               names=[c for c, _ in cols])

    with con.raw.cursor() as cur, cur.copy(f"COPY (SELECT {names} FROM {_ident(table)}) TO STDOUT") as copy:
        copy.set_types([t for _, t in cols])
        rows: list[tuple] = []
        for row in copy.rows():
            rows.append(row)
            if len(rows) >= batch_rows:
                yield batch(rows)
                rows = []
        if rows:
            yield batch(rows)


# -- writing the target ----------------------------------------------------------------------

def _schema_beside(scon: Connection, tcon: Connection) -> str | None:
    """The source's schema when both stores are schemas of one PostgreSQL database (same host,
    port and database name), else None."""
    if not isinstance(scon, PgConnection) or not isinstance(tcon, PgConnection):
        return None
    a, b = scon.raw.info, tcon.raw.info
    if (a.host, a.port, a.dbname) != (b.host, b.port, b.dbname):
        return None
    return one_row(scon.execute("SELECT current_schema()"), "the current schema")[0]


def _copy_table(scon: Connection, tcon: Connection, table: str, cols: list[tuple[str, str]], total: int,
                batch_rows: int, progress: Progress | None, beside: str | None = None) -> int:
    """Copy one table's rows; returns how many. ``beside``: the source's schema in the target's
    database (one ``INSERT ... SELECT`` on the target's connection)."""
    names = [c for c, _ in cols]
    quoted = ", ".join(_ident(c) for c in names)
    if beside is not None:
        tcon.execute(f"INSERT INTO {_ident(table)} ({quoted}) SELECT {quoted} FROM "
                     f"{_ident(beside)}.{_ident(table)}")
        if progress:
            progress(table, total, total)
        return total
    if isinstance(scon, PgConnection) and isinstance(tcon, PgConnection):
        with scon.raw.cursor() as out_cur, tcon.raw.cursor() as in_cur, \
                out_cur.copy(f"COPY (SELECT {quoted} FROM {_ident(table)}) TO STDOUT") as out, \
                in_cur.copy(f"COPY {_ident(table)} ({quoted}) FROM STDIN") as into:
            for data in out:
                into.write(data)
        if progress and total:
            progress(table, total, total)
        return total
    if isinstance(scon, PgConnection):
        batches = _pg_batches(scon, table, cols, batch_rows)
    else:
        batches = _duckdb_batches(scon, table, names, batch_rows)
    with closing(batches):
        return _write_batches(tcon, table, quoted, batches, total, progress)


def _write_batches(tcon: Connection, table: str, quoted: str, batches: Iterator, total: int,
                   progress: Progress | None) -> int:
    """Write Arrow record batches into ``table`` (its columns ``quoted``); returns how many rows."""
    done = 0
    if isinstance(tcon, PgConnection):
        import pyarrow.csv as pacsv
        options = pacsv.WriteOptions(include_header=False)
        copy_sql = f"COPY {_ident(table)} ({quoted}) FROM STDIN (FORMAT csv)"
        with tcon.raw.cursor() as cur, cur.copy(copy_sql) as into:
            for b in batches:
                buf = io.BytesIO()
                pacsv.write_csv(b, buf, options)
                into.write(buf.getbuffer())
                done += b.num_rows
                if progress:
                    progress(table, done, total)
        return done
    for b in batches:
        tcon.register(_BATCH_VIEW, b)
        try:
            tcon.execute(f"INSERT INTO {_ident(table)} ({quoted}) SELECT {quoted} FROM {_BATCH_VIEW}")
        finally:
            tcon.unregister(_BATCH_VIEW)
        done += b.num_rows
        if progress:
            progress(table, done, total)
    return done


def _same_shape(source: dict, target: dict, target_display: str) -> None:
    """Raise StoreError naming the first table or column the two stores do not share."""
    for table in sorted(set(source) | set(target)):
        if table not in target:
            raise StoreError(f"the target {target_display} has no table {table}: both stores must have "
                             f"the same schema")
        if table not in source:
            raise StoreError(f"the target {target_display} has a table {table} the source lacks: both "
                             f"stores must have the same schema")
        have, want = [c for c, _ in target[table]], [c for c, _ in source[table]]
        if set(have) != set(want):
            missing = sorted(set(want) - set(have))
            what = (f"has no column {table}.{missing[0]}" if missing
                    else f"has a column {table}.{sorted(set(have) - set(want))[0]} the source lacks")
            raise StoreError(f"the target {target_display} {what}: both stores must have the same schema")


def _copy_errors() -> tuple[type[BaseException], ...]:
    """What a failed read or write of the copy raises: either driver's errors, Arrow's."""
    import pyarrow as pa
    return (*db_errors(), pa.ArrowException)


def _first_line(exc: BaseException) -> str:
    return redact_url((str(exc).strip().splitlines() or [exc.__class__.__name__])[0])


def copy_store(source: StoreBase, target: StoreBase, *, replace: bool = False, batch_rows: int = BATCH_ROWS,
               progress: Progress | None = None) -> TransferReport:
    """Copy every row of ``source`` into ``target`` in one transaction on the target (see the
    module docstring), then check that every table's rows per athlete are equal on both sides.

    Args:
        source, target: two different stores (any backends); both are migrated to this code's
            schema head when opened.
        replace: empty the target's tables first (same transaction); without it a target holding
            any row is refused.
        batch_rows: rows per batch read from the source.
        progress: called as ``progress(table, rows copied, rows of the table)``.

    Returns:
        A :class:`TransferReport`.

    Raises:
        InputError: ``source`` and ``target`` are the same database.
        TargetNotEmpty: the target holds rows and ``replace`` is False (nothing written).
        StoreError: a store cannot be opened, the schema versions, tables or columns differ, a
            write fails, or the counts differ after the copy; the target is left as it was.
    """
    if source.location == target.location:
        raise InputError(f"the source and the target are the same database ({source.display})")
    with source.unit_of_work(), target.unit_of_work():
        version, theirs = source.schema_version(), target.schema_version()     # both migrated
        if version != theirs:
            raise StoreError(f"the source {source.display} is at schema {version} and the target "
                             f"{target.display} at schema {theirs}: open both with the same version of "
                             f"this program first")
        started = time.perf_counter()
        report = _copy(source, target, replace, batch_rows, progress)
    return TransferReport(source.display, target.display, version, *report, time.perf_counter() - started)


def _copy(source: StoreBase, target: StoreBase, replace: bool, batch_rows: int, progress: Progress | None
          ) -> tuple[RowCounts, RowCounts, dict[int, str], int, dict[str, int], frozenset[str]]:
    """The body of :func:`copy_store`: the fields of its report between ``schema_version`` and
    ``seconds``."""
    with source.transaction() as scon:
        if source.dialect == POSTGRESQL:     # one snapshot for the whole copy
            scon.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        stables = tables_of(scon)
        want = _counts(scon, stables)
        with target.transaction() as tcon:
            tcolumns = _columns(tcon)
            ttables = {t: [(c, kind) for c, kind, _ in cols] for t, cols in tcolumns.items()}
            _same_shape(stables, ttables, target.display)
            held = {t: n for t, c in _counts(tcon, ttables).items() if (n := sum(c.values()))}
            if held and not replace:
                listed = ", ".join(f"{t} {n} rows" for t, n in sorted(held.items())[:4])
                more = ", ..." if len(held) > 4 else ""
                raise TargetNotEmpty(f"the target {target.display} already holds data ({listed}{more}): "
                                     f"nothing was copied; pass --replace to empty it first", held)
            order = sorted(stables, key=lambda t: (t != "athletes", t))
            table = "(emptying the target)"
            try:
                if held:
                    if target.dialect == POSTGRESQL:
                        tcon.execute("TRUNCATE " + ", ".join(_ident(t) for t in order))
                    else:
                        for t in order:
                            tcon.execute(f"DELETE FROM {_ident(t)}")
                beside = _schema_beside(scon, tcon)
                for table in order:
                    if rows := sum(want[table].values()):
                        _copy_table(scon, tcon, table, stables[table], rows, batch_rows, progress, beside)
                table = "(checking the counts)"
                got = _counts(tcon, ttables)
                table = "(setting the sequences)"
                sequences = _advance_sequences(tcon, tcolumns)
                athletes = dict(tcon.execute("SELECT athlete_id, name FROM athletes ORDER BY athlete_id")
                                .fetchall()) if "athletes" in ttables else {}
            except _copy_errors() as exc:
                raise StoreError(f"copying {table} into {target.display} failed, the target is unchanged: "
                                 f"{_first_line(exc)}") from None
            if got != want:
                bad = sorted(t for t in want if got.get(t) != want[t])
                raise StoreError(f"after the copy the row counts of {', '.join(bad)} differ between "
                                 f"{source.display} and {target.display} (did the source change "
                                 f"meanwhile?); the target is unchanged")
    by_athlete = frozenset(t for t, cols in stables.items() if any(c == "athlete_id" for c, _ in cols))
    return (want, got, {int(k): v for k, v in athletes.items()}, sum(held.values()), sequences, by_athlete)
