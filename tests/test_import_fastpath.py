"""The faster import stores exactly what the import stored before.

Two things were made cheaper: ``schema.conform`` (built once from its columns, a column already in
its dtype taken as it is) and the merge (one counting query, then one write statement when the
rows are all new or all existing). Each is compared here with the code it replaced, kept below
as the reference: same frames (values, dtypes, index), same stored rows, same counts, on both
backends, through first imports, re-imports, API records over export ones and a mix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from whoop import schema
from whoop.demo import write_demo_export
from whoop.export import read_export
from whoop.store import Store, merge

# -- the code as it was -------------------------------------------------------------------------

def reference_conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    spec = schema.DAYS if table == "days" else schema.TABLES[table]
    out = pd.DataFrame(index=frame.index)
    for col, dtype in spec.items():
        values = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index,
                                                                    dtype="object")
        if dtype == schema.TS:
            out[col] = pd.to_datetime(values, utc=True).dt.floor("s").astype(schema.TS)
        elif dtype == "datetime64[s]":
            out[col] = pd.to_datetime(values).astype("datetime64[s]")
        elif dtype == schema.F:
            out[col] = pd.to_numeric(values, errors="raise").astype(schema.F)
        else:
            out[col] = values.astype(dtype)
    return out.reset_index(drop=True)


def reference_merge(con, table: str, athlete_id: int, run_id: int | None) -> dict[str, int]:
    """The merge as four statements (counts, unchanged count, INSERT new, ON CONFLICT found)."""
    keys = list(schema.KEYS[table])
    cols = list(schema.TABLES[table])
    join = " AND ".join(f"t.{k} = i.{k}" for k in keys)
    existing, total = con.execute(
        f"SELECT count(t.athlete_id), count(*) FROM incoming i LEFT JOIN {table} t "
        f"ON t.athlete_id = ? AND {join}", [athlete_id]).fetchone()
    t, x = table, "excluded"
    api_over_api = f"{x}.source = 'api' AND {t}.source = 'api'"
    fam = ("api", "api+export")
    sets, merged = [], {}
    for c in [*cols, "run_id"]:
        if c in keys:
            continue
        if c == "source":
            expr = (f"CASE WHEN {api_over_api} THEN 'api' WHEN {x}.source = 'api' OR "
                    f"{t}.source IN {fam} THEN 'api+export' ELSE {x}.source END")
        elif c in ("source_ref", "run_id"):
            expr = f"CASE WHEN {x}.source = 'api' OR {t}.source NOT IN {fam} THEN {x}.{c} ELSE {t}.{c} END"
        else:
            expr = (f"CASE WHEN {api_over_api} THEN {x}.{c} WHEN {x}.source = 'api' THEN "
                    f"coalesce({x}.{c}, {t}.{c}) WHEN {t}.source IN {fam} THEN "
                    f"coalesce({t}.{c}, {x}.{c}) ELSE {x}.{c} END")
        sets.append(f"{c} = {expr}")
        if c not in ("source_ref", "run_id"):
            merged[c] = expr
    sets.append("ingested_at = now()")
    same = " AND ".join(f"{t}.{c} IS NOT DISTINCT FROM ({e})" for c, e in merged.items())
    unchanged = con.execute(
        f"SELECT count(*) FROM incoming AS {x} JOIN {t} ON {t}.athlete_id = ? AND "
        + " AND ".join(f"{t}.{k} = {x}.{k}" for k in keys) + f" WHERE {same}", [athlete_id]).fetchone()[0]
    names = ", ".join(cols)
    found = (f"EXISTS (SELECT 1 FROM {t} WHERE {t}.athlete_id = ? AND "
             + " AND ".join(f"{t}.{k} = i.{k}" for k in keys) + ")")
    insert = (f"INSERT INTO {table} (athlete_id, {names}, run_id) "
              f"SELECT ?::INTEGER, {names}, ?::BIGINT FROM incoming AS i ")
    con.execute(insert + f"WHERE NOT {found}", [athlete_id, run_id, athlete_id])
    if existing:
        con.execute(insert + f"WHERE {found} ON CONFLICT (athlete_id, {', '.join(keys)}) "
                    f"DO UPDATE SET {', '.join(sets)}", [athlete_id, run_id, athlete_id])
    return {"inserted": int(total - existing), "updated": int(existing - unchanged),
            "unchanged": int(unchanged)}


# -- conform ------------------------------------------------------------------------------------

def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    assert type(a.index) is type(b.index) and a.index.equals(b.index)


def odd_frames() -> list[tuple[str, pd.DataFrame]]:
    """Frames in every shape conform meets: text, naive and zoned times with sub-seconds,
    numbers as text, floats for Int64, objects for booleans, gaps, extra columns, odd index."""
    zoned = pd.Series(pd.to_datetime(["2024-03-01 07:00:00.750", None, "2024-03-02 06:59:59.999"],
                                     format="ISO8601")
                      ).dt.tz_localize("America/New_York")
    return [
        ("cycles", pd.DataFrame({"start_utc": ["2024-03-01T05:00:00.9Z", "2024-03-02T05:00:00.0Z",
                                               "2024-03-03T05:00:00.0+02:00"],
                                 "day_strain": ["12.5", None, "3"], "tz_offset_min": [60.0, None, -300.0],
                                 "whoop_id": [1, 2, 3], "source": ["api", "export", None],
                                 "surplus": [1, 2, 3]}, index=[7, 3, 5])),
        ("sleeps", pd.DataFrame({"start_utc": zoned, "nap": [True, None, False],
                                 "asleep_min": [1, 2, np.nan]})),
        ("workouts", pd.DataFrame({"start_utc": pd.Series(pd.to_datetime(
            ["2024-03-01 07:00:00.5", "2024-03-01 08:00:00.0"]), dtype="datetime64[ns]"),
            "gps_enabled": pd.array([True, pd.NA], dtype="boolean"), "sport_name": ["Run", None]})),
        ("journal", pd.DataFrame({"entry_key": ["a", "b"], "answered_yes": [1, 0]})),
        ("recoveries", pd.DataFrame(columns=["cycle_start_utc", "recovery_score"])),
        ("days", pd.DataFrame({"date": ["2024-03-01", "2024-03-02"], "nap_count": [1, None],
                               "cycle_start_utc": pd.to_datetime(["2024-03-01 05:00:00.25"] * 2,
                                                                 utc=True)})),
    ]


@pytest.mark.parametrize("table, frame", odd_frames(), ids=[t for t, _ in odd_frames()])
def test_conform_gives_what_it_gave_before_and_conforming_again_changes_nothing(table, frame):
    before = frame.copy()
    out = schema.conform(frame, table)
    assert_same_frame(out, reference_conform(frame, table))
    assert_same_frame(schema.conform(out, table), out)
    assert_same_frame(frame, before)                       # the input is left as it was
    if len(out):
        out.iloc[0, 0] = out.iloc[-1, 0]
        assert_same_frame(frame, before)                   # and shares nothing writable


def test_a_conformed_instant_with_sub_seconds_is_still_truncated():
    frame = schema.conform(pd.DataFrame({"start_utc": ["2024-03-01T05:00:00Z"]}), "cycles")
    frame["start_utc"] = frame["start_utc"] + pd.Timedelta(milliseconds=900)
    assert schema.conform(frame, "cycles")["start_utc"].iloc[0] == pd.Timestamp("2024-03-01T05:00:00Z")


@pytest.mark.parametrize("table", [*schema.TABLES, "days"])
def test_empty_frames_are_as_before(table):
    spec = schema.DAYS if table == "days" else schema.TABLES[table]
    assert_same_frame(schema.empty_frame(table), reference_conform(pd.DataFrame(columns=list(spec)), table))


def test_an_unconvertible_column_still_raises():
    with pytest.raises((ValueError, TypeError)):
        schema.conform(pd.DataFrame({"day_strain": ["high"]}), "cycles")


# -- merge ----------------------------------------------------------------------------------------

def _locations(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> list:
    if backend == "duckdb":
        return [tmp_path / "new.duckdb", tmp_path / "reference.duckdb"]
    schemas = request.getfixturevalue("pg_schemas")
    return [schemas.new(), schemas.new()]


def _stored(store: Store) -> dict[str, pd.DataFrame]:
    out = {}
    for table in [*schema.TABLES, "days"]:
        keys = ["athlete_id", *(schema.KEYS.get(table) or ("date",))]
        out[table] = store.query(f"SELECT * FROM {table} ORDER BY {', '.join(keys)}").drop(
            columns=["ingested_at"], errors="ignore")
    return out


def _api_version(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The export's records as the API would give some of them: every other record, values
    nudged or emptied, plus records the export does not have."""
    out = {}
    for table, frame in frames.items():
        part = frame.iloc[::2].copy()
        part["source"], part["source_ref"] = "api", "sync run 1"
        for col, dtype in schema.TABLES[table].items():
            if dtype == schema.F and col in part:
                part[col] = part[col] * 1.01
                part.loc[part.index[::3], col] = np.nan
        extra = part.tail(3).copy()
        key = schema.KEYS[table][0]
        if schema.TABLES[table][key] == schema.TS:
            extra[key] = extra[key] + pd.Timedelta(days=20_000)
        else:
            extra[key] = extra[key] + "|api-only"
        out[table] = pd.concat([part, extra], ignore_index=True)
    return out


def test_the_merge_stores_what_the_four_statement_merge_stored(backend, tmp_path, request,
                                                               monkeypatch):
    older = read_export([write_demo_export(tmp_path / "a", days=60, end=date(2024, 6, 1))])
    newer = read_export([write_demo_export(tmp_path / "b", days=90, end=date(2024, 7, 1), seed=8)])
    api = _api_version(older.frames())
    steps = [("export", older.frames()), ("export", older.frames()), ("api", api),
             ("export", newer.frames()), ("api", api), ("export", older.frames())]
    results = []
    for location, merge_fn in zip(_locations(backend, tmp_path, request),
                                  [merge._merge, reference_merge], strict=False):
        monkeypatch.setattr(merge, "_merge", merge_fn)
        store = Store(location)
        counts = [store.import_records("me", frames, kind="export", source=kind).counts
                  for kind, frames in steps]
        results.append((counts, _stored(store)))
    (new_counts, new_rows), (ref_counts, ref_rows) = results
    assert new_counts == ref_counts
    assert any(c["updated"] for run in new_counts for c in run.values())      # every branch ran
    assert any(c["inserted"] and (c["updated"] or c["unchanged"])
               for run in new_counts for c in run.values())
    for table in new_rows:
        assert_same_frame(new_rows[table], ref_rows[table])
    older.close()
    newer.close()


# -- reading rows in batches ------------------------------------------------------------------------

@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
def test_rows_read_in_batches_keep_their_physical_lines(tmp_path, chunk_rows):
    """Quoted line breaks (CRLF, CR, LF) move the lines of the rows after them; blank and
    whitespace rows are dropped; a row's line is its first physical line (header = 1)."""
    from whoop.export.table import CsvFile

    head = "Cycle start time,Cycle end time,Cycle timezone,Question text,Answered yes,Notes\r\n"
    row = "2024-01-01 07:00:00,2024-01-02 07:00:00,UTC+01:00,Q{},true,{}\r\n"
    body = [row.format(1, "plain"),                    # line 2
            row.format(2, '"two\r\nlines"'),           # lines 3-4
            "\r\n",                                    # line 5: blank
            row.format(3, '"cr\rand\nlf"'),            # lines 6-8
            " , ,,,,\r\n",                             # line 9: whitespace only
            row.format(4, "last")]                     # line 10
    path = tmp_path / "journal_entries.csv"
    path.write_bytes((head + "".join(body)).encode())
    csv_file = CsvFile(lambda: open(path, "rb"), path.name)
    chunks = list(csv_file.chunks("journal", csv_file.header(), chunk_rows))
    assert [int(n) for c in chunks for n in c.lines] == [2, 3, 6, 10]
    assert [q for c in chunks for q in c.columns["Question text"]] == ["Q1", "Q2", "Q3", "Q4"]
    assert [n for c in chunks for n in c.columns["Notes"]][1] == "two\r\nlines"
    assert all(len(c) <= chunk_rows for c in chunks)
