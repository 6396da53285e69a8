"""Cached access to the store for the pages: the Store (``st.cache_resource``) and loaders
(``st.cache_data``) keyed by the database path and its data version, so an import or sync made
by the CLI shows up on the next rerun without restarting the app (docs/ARCHITECTURE.md "Streamlit").

No tokens or secrets ever pass through these caches: they hold health frames only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from whoop.config import db_location
from whoop.metrics import basic
from whoop.store import Store

TTL_S = 3600
MAX_ENTRIES = 64


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """The Store of the configured database (``WHOOP_DB`` or ``data/whoop.duckdb``), one per path."""
    return _store(str(db_location()))


def data_version() -> str:
    """The store's current data version (changes with every import, sync or deletion)."""
    return get_store().data_version()


@dataclass(frozen=True)
class Athlete:
    """One athlete with data in the store.

    Attributes:
        athlete_id, name: from the ``athletes`` table.
        first_day, last_day: first and last day of the daily table (None without days).
        days: days with data.
        last_import: when the athlete's newest successful import or sync run finished (UTC),
            or None.
    """

    athlete_id: int
    name: str
    first_day: date | None
    last_day: date | None
    days: int
    last_import: pd.Timestamp | None


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _athletes(path: str, version: str) -> list[Athlete]:
    # One query, one snapshot (Store.athlete_summary): reading the athletes and their days on
    # separate connections let an import committing in between show a half-new store.
    table = _store(path).athlete_summary()
    return [Athlete(int(row.athlete_id), str(row.name),
                    None if pd.isna(row.first_day) else pd.Timestamp(row.first_day).date(),
                    None if pd.isna(row.last_day) else pd.Timestamp(row.last_day).date(),
                    int(row.days),
                    None if pd.isna(row.last_import) else pd.Timestamp(row.last_import))
            for row in table.itertuples(index=False)]


def athletes(with_data: bool = True) -> list[Athlete]:
    """Athletes in the store (only those with at least one day when ``with_data``), by name."""
    found = _athletes(str(db_location()), data_version())
    return [a for a in found if a.days > 0 or not with_data]


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _days(path: str, version: str, athlete_id: int) -> pd.DataFrame:
    return _store(path).days(athlete_id)


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _view(path: str, version: str, athlete_id: int) -> pd.DataFrame:
    return basic.daily_view(_days(path, version, athlete_id))


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _records(path: str, version: str, table: str, athlete_id: int) -> pd.DataFrame:
    return _store(path).records(table, athlete_id)


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _runs(path: str, version: str) -> pd.DataFrame:
    return _store(path).runs()


def days(athlete_id: int) -> pd.DataFrame:
    """The athlete's whole daily table (``schema.DAYS`` columns, rows = days with data)."""
    return _days(str(db_location()), data_version(), athlete_id)


def view(athlete_id: int) -> pd.DataFrame:
    """The athlete's :func:`whoop.metrics.basic.daily_view` over the whole history (one row per
    calendar day, valid-only measures, rolling means); slice it with ``basic.in_range``."""
    return _view(str(db_location()), data_version(), athlete_id)


def records(table: str, athlete_id: int) -> pd.DataFrame:
    """All records of ``table`` (``sleeps``, ``workouts``, ...) for one athlete (schema columns)."""
    return _records(str(db_location()), data_version(), table, athlete_id)


def runs() -> pd.DataFrame:
    """Import and sync runs, newest first (``Store.runs`` columns plus ``athlete``)."""
    return _runs(str(db_location()), data_version())


def _count_summary(counts_json: object) -> str:
    """A run's record counts in a few words, summed over its tables: ``"61 new, 2 updated, 300
    unchanged, 1 deleted"`` (zero counts left out; ``"nothing changed (300 records)"`` for an
    identical re-import; ``""`` for NULL or unreadable JSON, e.g. a rejected import)."""
    if not isinstance(counts_json, str) or not counts_json:   # NULL reads as NaN
        return ""
    try:
        counts = json.loads(counts_json)
    except ValueError:
        return ""
    totals = dict.fromkeys(("inserted", "updated", "unchanged", "deleted"), 0)
    for c in counts.values():
        for key in totals:
            totals[key] += int(c.get(key, 0) or 0)
    words = {"inserted": "new", "updated": "updated", "unchanged": "unchanged",
             "deleted": "deleted"}
    parts = [f"{n:,} {words[key]}" for key, n in totals.items() if n]
    if parts == [f"{totals['unchanged']:,} unchanged"]:
        return f"nothing changed ({totals['unchanged']:,} records)"
    return ", ".join(parts) or "nothing changed"


def _count_warnings(warnings_json: object) -> int:
    """How many warnings a run's ``warnings_json`` lists; 0 for NULL (sync runs written before
    schema 3 left it NULL, which pandas reads as NaN) or anything unreadable."""
    if not isinstance(warnings_json, str) or not warnings_json:
        return 0
    try:
        found = json.loads(warnings_json)
    except ValueError:
        return 0
    return len(found) if isinstance(found, list) else 0


def runs_table() -> pd.DataFrame:
    """Import history for display: columns ``finished`` (UTC timestamp), ``athlete``, ``kind``,
    ``source``, ``status``, ``records`` (per-table new/updated counts), ``requests`` (Int64: HTTP
    requests a sync sent to WHOOP, retries included; <NA> for file imports), ``warnings`` (int),
    ``error``; newest first."""
    frame = runs()
    if frame.empty:
        return pd.DataFrame(columns=["finished", "athlete", "kind", "source", "status", "records",
                                     "requests", "warnings", "error"])
    warnings = frame["warnings_json"].map(_count_warnings)
    requests = frame["requests"].astype("Int64").where(frame["kind"].eq("sync"), pd.NA)
    return pd.DataFrame({
        "finished": frame["finished_at"].fillna(frame["started_at"]),
        "athlete": frame["athlete"].fillna(""), "kind": frame["kind"], "source": frame["source"],
        "status": frame["status"], "records": frame["counts_json"].map(_count_summary),
        "requests": requests, "warnings": warnings.astype("int64"), "error": frame["error"].fillna(""),
    })


def coverage_table() -> pd.DataFrame:
    """Coverage per athlete: columns ``athlete``, ``first_day``, ``last_day`` (date),
    ``days_with_data``, ``missing_days`` (int, calendar days between first and last day without
    data), ``coverage_pct`` (float); one row per athlete with data, by name."""
    rows = []
    for a in athletes():
        cov = basic.coverage(days(a.athlete_id))
        rows.append({"athlete": a.name, "first_day": cov.start, "last_day": cov.end,
                     "days_with_data": cov.days_with_data, "missing_days": cov.missing_days,
                     "coverage_pct": cov.pct})
    return pd.DataFrame(rows, columns=["athlete", "first_day", "last_day", "days_with_data",
                                       "missing_days", "coverage_pct"])
