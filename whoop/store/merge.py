"""The merge rule: upsert canonical records, the API winning over an export.

When two sources describe the same record (same athlete, start instant, kind: a WHOOP record's
start instant is its identity, :data:`whoop.schema.KEYS`), the API's value wins where both have
one, an export fills what the API left empty, and a newer import of the same source replaces the
older values. ``source`` becomes ``api+export`` once both contributed; ``source_ref`` and
``run_id`` follow the API.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from whoop import schema
from whoop.errors import InputError
from whoop.store.backend import Connection, PgConnection, one_row, register_frame

_API = "api"
_API_FAMILY = ("api", "api+export")


def upsert(con: Connection, table: str, athlete_id: int, frame: pd.DataFrame | None,
           run_id: int | None) -> dict[str, int]:
    """Upsert canonical records into ``table`` inside ``con``'s transaction.

    No frame (None) or an empty one writes nothing. The frame is conformed to
    ``schema.TABLES[table]``, de-duplicated on the key keeping the last row (DuckDB keeps the
    first of duplicate keys in one batch), then merged by the module's merge rule. Returns
    ``{"inserted": n, "updated": n, "unchanged": n}``: rows new to the table, existing rows
    whose values the merge changed, and existing rows it left as they were (a re-import of the
    same export: all unchanged).

    Raises:
        InputError: a record has no key (e.g. a sleep without onset).
    """
    if frame is None or frame.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    keys = list(schema.KEYS[table])
    data = schema.conform(frame, table)
    if data[keys].isna().any(axis=None):
        raise InputError(f"{table}: {int(data[keys].isna().any(axis=1).sum())} record(s) have no "
                         f"{'/'.join(keys)}")
    data = data.drop_duplicates(subset=keys, keep="last")
    register_frame(con, "incoming", data, like=table)
    try:
        return _merge(con, table, athlete_id, run_id)
    finally:
        con.unregister("incoming")


def upsert_staged(con: Connection, table: str, athlete_id: int, parquet: Path,
                  run_id: int | None) -> dict[str, int]:
    """Upsert staged records (:class:`whoop.store.staging.StagedTable`: a Parquet file of the
    ``schema.TABLES[table]`` columns, unique on the key, keys present) inside ``con``'s
    transaction, with the same merge rule as :func:`upsert`, in set-based SQL: the rows go from
    the file to the table without passing through Python. Returns ``{"inserted", "updated",
    "unchanged"}`` as :func:`upsert`.
    """
    if isinstance(con, PgConnection):       # PostgreSQL reads no Parquet: copy it in batches
        return _upsert_parquet_batches(con, table, athlete_id, parquet, run_id)
    con.read_parquet(str(parquet)).create_view("incoming", replace=True)
    try:
        return _merge(con, table, athlete_id, run_id)
    finally:
        try:
            con.execute("DROP VIEW IF EXISTS incoming")
        except duckdb.Error:
            pass            # the transaction failed: its rollback is what matters


#: Rows per batch when a staged Parquet file is copied into PostgreSQL (bounded memory).
PARQUET_BATCH_ROWS = 50_000


def _upsert_parquet_batches(con: PgConnection, table: str, athlete_id: int, parquet: Path,
                            run_id: int | None) -> dict[str, int]:
    """PostgreSQL: the staged rows into a temporary ``incoming`` table typed like ``table``, one
    Parquet record batch at a time with ``COPY``, then the same merge as DuckDB's."""
    import pyarrow.parquet as pq

    cols = list(schema.TABLES[table])
    first = True
    for batch in pq.ParquetFile(parquet).iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=cols):
        frame = batch.to_pandas()
        if first:
            register_frame(con, "incoming", frame, like=table)
            first = False
        else:
            con.copy_rows("incoming", cols, frame)
    if first:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    try:
        return _merge(con, table, athlete_id, run_id)
    finally:
        con.unregister("incoming")


def _merge(con: Connection, table: str, athlete_id: int,
           run_id: int | None) -> dict[str, int]:
    """Merge the relation ``incoming`` (canonical columns of ``table``, unique keys) into
    ``table`` for one athlete and run: a query counts the rows (and, when some exist, those the
    merge leaves unchanged: that query's expression is long to plan), then ONE statement writes
    them when they are all new (a plain ``INSERT``, several times faster than ``ON CONFLICT``
    for a big first import) or all existing (``INSERT ... ON CONFLICT DO UPDATE`` with the
    merge rule); a mix takes both."""
    sql = _merge_sql(table)
    total, existing = one_row(con.execute(sql.counts, [athlete_id]), f"the {table} merge counts")
    unchanged = (one_row(con.execute(sql.unchanged, [athlete_id]), f"the unchanged {table} count")[0]
                 if existing else 0)
    if existing == 0:
        con.execute(sql.insert, [athlete_id, run_id])
    elif existing == total:
        con.execute(sql.update_all, [athlete_id, run_id])
    else:
        con.execute(sql.insert_new, [athlete_id, run_id, athlete_id])
        con.execute(sql.update_found, [athlete_id, run_id, athlete_id])
    return {"inserted": int(total - existing), "updated": int(existing - unchanged),
            "unchanged": int(unchanged)}


@dataclass(frozen=True)
class _MergeSql:
    counts: str         # total, existing; parameter: athlete_id
    unchanged: str      # existing rows the merge leaves as they are; athlete_id
    insert: str         # every incoming row; athlete_id, run_id
    update_all: str     # every incoming row through the merge rule; athlete_id, run_id
    insert_new: str     # the rows new to the table; athlete_id, run_id, athlete_id
    update_found: str   # the existing rows through the merge rule; athlete_id, run_id, athlete_id


@functools.cache
def _merge_sql(table: str) -> _MergeSql:
    """The statements of :func:`_merge` for ``table`` (the module docstring's merge rule)."""
    keys = list(schema.KEYS[table])
    cols = list(schema.TABLES[table])
    t, x = table, "excluded"
    api_over_api = f"{x}.source = '{_API}' AND {t}.source = '{_API}'"
    sets = []
    merged = {}     # column -> its value after the merge, to count the rows it leaves unchanged
    for c in [*cols, "run_id"]:
        if c in keys:
            continue
        if c == "source":
            expr = (f"CASE WHEN {api_over_api} THEN '{_API}' "
                    f"WHEN {x}.source = '{_API}' OR {t}.source IN {_API_FAMILY} THEN 'api+export' "
                    f"ELSE {x}.source END")
        elif c in ("source_ref", "run_id"):
            expr = (f"CASE WHEN {x}.source = '{_API}' OR {t}.source NOT IN {_API_FAMILY} "
                    f"THEN {x}.{c} ELSE {t}.{c} END")
        else:
            expr = (f"CASE WHEN {api_over_api} THEN {x}.{c} "
                    f"WHEN {x}.source = '{_API}' THEN coalesce({x}.{c}, {t}.{c}) "
                    f"WHEN {t}.source IN {_API_FAMILY} THEN coalesce({t}.{c}, {x}.{c}) "
                    f"ELSE {x}.{c} END")
        sets.append(f"{c} = {expr}")
        if c not in ("source_ref", "run_id"):    # provenance of the latest import, not a value
            merged[c] = expr
    sets.append("ingested_at = now()")
    same = " AND ".join(f"{t}.{c} IS NOT DISTINCT FROM ({e})" for c, e in merged.items())
    on = " AND ".join(f"{t}.{k} = {x}.{k}" for k in keys)
    counts = (f"SELECT count(*), count({t}.athlete_id) FROM incoming AS {x} LEFT JOIN {t} "
              f"ON {t}.athlete_id = ? AND {on}")
    unchanged = f"SELECT count(*) FROM incoming AS {x} JOIN {t} ON {t}.athlete_id = ? AND {on} WHERE {same}"
    names = ", ".join(cols)
    found = (f"EXISTS (SELECT 1 FROM {t} WHERE {t}.athlete_id = ? AND "
             + " AND ".join(f"{t}.{k} = i.{k}" for k in keys) + ")")
    insert = (f"INSERT INTO {table} (athlete_id, {names}, run_id) "
              f"SELECT ?::INTEGER, {names}, ?::BIGINT FROM incoming AS i ")
    conflict = (f" ON CONFLICT (athlete_id, {', '.join(keys)}) DO UPDATE SET {', '.join(sets)}")
    return _MergeSql(counts=counts, unchanged=unchanged, insert=insert,
                     update_all=insert + "WHERE true" + conflict,
                     insert_new=insert + f"WHERE NOT {found}",
                     update_found=insert + f"WHERE {found}" + conflict)
