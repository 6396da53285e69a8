"""The merge rule: upsert canonical records, the API winning over an export.

When two sources describe the same record (same athlete, start instant, kind; DESIGN.md
"Storage"), the API's value wins where both have one, an export fills what the API left empty,
and a newer import of the same source replaces the older values. ``source`` becomes
``api+export`` once both contributed; ``source_ref`` and ``run_id`` follow the API.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from whoop import schema
from whoop.errors import InputError

_API = "api"
_API_FAMILY = ("api", "api+export")


def upsert(con: duckdb.DuckDBPyConnection, table: str, athlete_id: int, frame: pd.DataFrame,
           run_id: int | None) -> dict[str, int]:
    """Upsert canonical records into ``table`` inside ``con``'s transaction.

    The frame is conformed to ``schema.TABLES[table]``, de-duplicated on the key keeping the
    last row (DuckDB keeps the first of duplicate keys in one batch), then merged by the
    module's merge rule. Returns ``{"inserted": n, "updated": n}``.

    Raises:
        InputError: a record has no key (e.g. a sleep without onset).
    """
    if frame is None or frame.empty:
        return {"inserted": 0, "updated": 0}
    keys = list(schema.KEYS[table])
    data = schema.conform(frame, table)
    if data[keys].isna().any(axis=None):
        raise InputError(f"{table}: {int(data[keys].isna().any(axis=1).sum())} record(s) have no "
                         f"{'/'.join(keys)}")
    data = data.drop_duplicates(subset=keys, keep="last")
    data.insert(0, "athlete_id", athlete_id)
    data["run_id"] = run_id
    cols = list(data.columns)
    con.register("incoming", data)
    try:
        join = " AND ".join(f"t.{k} = i.{k}" for k in keys)
        existing = con.execute(
            f"SELECT count(*) FROM incoming i JOIN {table} t ON t.athlete_id = i.athlete_id AND {join}"
        ).fetchone()[0]
        t, x = table, "excluded"
        api_over_api = f"{x}.source = '{_API}' AND {t}.source = '{_API}'"
        sets = []
        for c in cols:
            if c in ("athlete_id", *keys):
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
        sets.append("ingested_at = now()")
        con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM incoming "
            f"ON CONFLICT (athlete_id, {', '.join(keys)}) DO UPDATE SET {', '.join(sets)}")
    finally:
        con.unregister("incoming")
    return {"inserted": len(data) - existing, "updated": existing}
