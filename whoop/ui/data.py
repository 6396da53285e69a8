"""Cached access to the store for the pages: the Store (``st.cache_resource``) and loaders
(``st.cache_data``) keyed by the database (``Store.location``: a file path or a PostgreSQL URL,
never shown) and a data version, so an import or sync made by the CLI, a worker or the app's
scheduler shows up on the next rerun without restarting the app (docs/ARCHITECTURE.md "Streamlit").

* One connection per page rerun: app.py runs every rerun inside :func:`page_run`
  (``Store.unit_of_work``), so every store call of the rerun, cached loaders included, reuses one
  connection. A fragment rerunning alone (``st.fragment(run_every=...)``) opens its own.
* Versions per athlete: an athlete's frames are keyed by ``Store.data_version(athlete_id)``, so
  one athlete's sync or import refreshes only that athlete's frames; the athlete list and the
  import history by the global version. Each version is read once per rerun (:func:`page_run`
  keeps them); :func:`changed` forgets them after a write whose result the same rerun shows.

* Scoped to the signed-in person (:func:`whoop.ui.session.viewer`): the athlete list and the
  import history are read with their scope (``Store.athlete_summary(athlete_ids)``,
  ``Store.runs(athlete_ids=...)``), and every per-athlete loader refuses an athlete outside it
  with :class:`~whoop.errors.SignInError` before the store is asked. A coach's scope is every
  athlete; the personal deployment's owner is a coach of their own database.

No tokens or secrets ever pass through these caches: they hold health frames only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import pandas as pd
import streamlit as st

from whoop.config import db_location
from whoop.errors import SignInError
from whoop.metrics import basic
from whoop.metrics.units import missing
from whoop.store import Store
from whoop.ui.session import viewer

TTL_S = 3600
MAX_ENTRIES = 64


class CacheOptions(TypedDict):
    """Keyword arguments the pages' ``st.cache_data`` / ``st.cache_resource`` calls share."""

    ttl: int
    max_entries: int
    show_spinner: bool
_RERUN = threading.local()      # per script thread: {(location, athlete_id): version} of this rerun


@st.cache_resource(show_spinner=False)
def _store(location: str) -> Store:
    return Store(location)


def get_store() -> Store:
    """The Store of the configured database (``WHOOP_DB`` or ``data/whoop.duckdb``), one per
    location."""
    return _store(str(db_location()))


def location() -> str:
    """The configured database's cache key (``Store.location``: a resolved file path or the
    PostgreSQL URL; a key only, never shown)."""
    return get_store().location


@contextmanager
def page_run() -> Iterator[None]:
    """One rerun of the app (app.py wraps the sidebar and the page in it): one connection kept
    open for every store call of the rerun (``Store.unit_of_work``), and each data version read
    at most once (:func:`data_version`).

    Raises:
        StoreError, DatabaseBusyError: the database cannot be opened (nothing of the page runs).
    """
    _RERUN.versions = {}
    try:
        with get_store().unit_of_work():
            yield
    finally:
        _RERUN.versions = None


def changed() -> None:
    """Forget the data versions read in this rerun: call after a write whose outcome the same
    rerun goes on to show (e.g. a rejected upload written to the import history)."""
    if getattr(_RERUN, "versions", None) is not None:
        _RERUN.versions = {}


def data_version(athlete_id: int | None = None) -> str:
    """The data version of ``athlete_id`` (None: of the whole store, the athlete list
    included): changes with every import, sync or deletion of that athlete's data
    (``Store.data_version``). Read from the store once per :func:`page_run`; outside one
    (a fragment rerun) on every call."""
    store = get_store()
    memo = getattr(_RERUN, "versions", None)
    key = (store.location, athlete_id)
    if memo is not None and key in memo:
        return memo[key]
    version = store.data_version(athlete_id)
    if memo is not None:
        memo[key] = version
    return version


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


def scope() -> tuple[int, ...] | None:
    """The athletes this session may see (:meth:`whoop.accounts.Viewer.scope`; None: every one)."""
    found = viewer().scope()
    return None if found is None else tuple(found)


def allowed(athlete_id: int) -> int:
    """``athlete_id`` when this session may see it.

    Raises:
        SignInError: it is another person's athlete (the message names nobody).
    """
    found = scope()
    if found is not None and int(athlete_id) not in found:
        raise SignInError("you can only see your own data")
    return int(athlete_id)


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _athletes(location: str, version: str, scope: tuple[int, ...] | None) -> list[Athlete]:
    # One query, one snapshot (Store.athlete_summary): reading the athletes and their days on
    # separate connections would let an import committing in between show a half-new store.
    table = _store(location).athlete_summary(None if scope is None else list(scope))
    return [Athlete(int(athlete_id), str(name),
                    None if missing(first_day) else pd.Timestamp(first_day).date(),
                    None if missing(last_day) else pd.Timestamp(last_day).date(),
                    int(n_days),
                    None if missing(last_import) else pd.Timestamp(last_import))
            for athlete_id, name, first_day, last_day, n_days, last_import in zip(
                table["athlete_id"], table["name"], table["first_day"], table["last_day"], table["days"],
                table["last_import"], strict=True)]


def athletes(with_data: bool = True) -> list[Athlete]:
    """Athletes in the store that this session may see (only those with at least one day when
    ``with_data``), by name."""
    found = _athletes(location(), data_version(), scope())
    return [a for a in found if a.days > 0 or not with_data]


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _days(location: str, version: str, athlete_id: int) -> pd.DataFrame:
    return _store(location).days(athlete_id)


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _view(location: str, version: str, athlete_id: int) -> pd.DataFrame:
    return basic.daily_view(_days(location, version, athlete_id))


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _records(location: str, version: str, table: str, athlete_id: int) -> pd.DataFrame:
    return _store(location).records(table, athlete_id)


@st.cache_data(ttl=TTL_S, max_entries=MAX_ENTRIES, show_spinner=False)
def _runs(location: str, version: str, scope: tuple[int, ...] | None) -> pd.DataFrame:
    return _store(location).runs(athlete_ids=None if scope is None else list(scope))


def athlete_key(athlete_id: int) -> tuple[str, str]:
    """``(location, data version of the athlete)``: the leading key of every cached frame of
    one athlete (here and in :mod:`whoop.ui.insights`, :mod:`whoop.ui.analytics`).

    Raises:
        SignInError: the athlete is outside this session's scope (:func:`allowed`).
    """
    return location(), data_version(allowed(athlete_id))


def days(athlete_id: int) -> pd.DataFrame:
    """The athlete's whole daily table (``schema.DAYS`` columns, rows = days with data)."""
    return _days(*athlete_key(athlete_id), athlete_id)


def view(athlete_id: int) -> pd.DataFrame:
    """The athlete's :func:`whoop.metrics.basic.daily_view` over the whole history (one row per
    calendar day, valid-only measures, rolling means); slice it with ``basic.in_range``."""
    return _view(*athlete_key(athlete_id), athlete_id)


def records(table: str, athlete_id: int) -> pd.DataFrame:
    """All records of ``table`` (``sleeps``, ``workouts``, ...) for one athlete (schema columns)."""
    return _records(*athlete_key(athlete_id), table, athlete_id)


def runs() -> pd.DataFrame:
    """Import and sync runs of the athletes this session may see, newest first (``Store.runs``
    columns plus ``athlete``), keyed by the global version."""
    return _runs(location(), data_version(), scope())


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
    requests = frame["requests"].astype("Int64").where(frame["kind"].eq("sync"))     # <NA> elsewhere
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
