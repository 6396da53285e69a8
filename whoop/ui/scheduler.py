"""The app's in-process sync scheduler, on the DuckDB default only (the personal deployment).

One thread per process and database (``st.cache_resource``): every ``poll_s`` seconds, or at once
when woken (a connect, a **Sync now**), it syncs first the athletes with a pending Sync now
request (:func:`whoop.sync.requests.requested_athletes`), then those a background sync is due
for (:func:`whoop.sync.state.due_athletes`: Connected and older than ``WHOOP_SYNC_MAX_AGE_MIN``,
default 60, or Error whose retry time has come). The per-athlete sync lock keeps it from
overlapping a CLI sync (which then simply waits for the next round).

On PostgreSQL (the team deployment) the app runs no scheduler: ``python -m whoop worker``
processes sync, and pick up the same requests (:func:`in_process`).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import streamlit as st

from whoop.config import WhoopSettings, int_setting, whoop_settings
from whoop.errors import WhoopError
from whoop.store import Store

log = logging.getLogger("whoop.ui.scheduler")
#: how soon a round runs again while a requested athlete could not be synced (its sync lock
#: was held, e.g. by a CLI sync), in seconds, and for how many rounds at most before the
#: scheduler falls back to its poll interval (a request that keeps failing before its run starts)
RETRY_REQUEST_S = 5.0
RETRY_REQUEST_ROUNDS = 60


def max_age() -> timedelta:
    """How old a last good sync may get before the next background sync
    (``WHOOP_SYNC_MAX_AGE_MIN`` minutes, default 60)."""
    return timedelta(minutes=int_setting("WHOOP_SYNC_MAX_AGE_MIN", 60))


class Scheduler:
    """Background syncs of one database (see the module docstring).

    Args:
        db: the database location (a DuckDB file).
        poll_s: seconds between two rounds when nothing wakes it.
        start: start the thread (False: none, for tests calling :meth:`run_once`).
    """

    def __init__(self, db: str, poll_s: float = 300.0, *, start: bool = True) -> None:
        self.db, self.poll_s = db, poll_s
        self._wake = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="whoop-sync-scheduler", daemon=True)
        if start:
            self.thread.start()

    def wake(self) -> None:
        """Run a round now (after a connect or a Sync now request) instead of at the next poll."""
        self._wake.set()

    def run_once(self, settings: WhoopSettings | None = None) -> list[int]:
        """One round: sync every requested athlete, then every due one, one after the other;
        returns the ids synced (ok or not). A WhoopError of one athlete (an "already running"
        sync of the CLI included) is logged and does not stop the round."""
        from whoop.sync import sync_athlete
        from whoop.sync.requests import requested_athletes
        from whoop.sync.state import due_athletes

        settings = settings or whoop_settings()
        if not settings.configured:
            return []
        store = Store(self.db)
        done: list[int] = []
        for aid in requested_athletes(store) + due_athletes(store, max_age()):
            if aid in done:
                continue
            done.append(aid)
            try:
                sync_athlete(store, settings, aid)
            except WhoopError as exc:
                log.info("background sync of athlete %s: %s", aid, exc)
        return done

    def _requests_left(self) -> bool:
        from whoop.sync.requests import requested_athletes
        try:
            return bool(requested_athletes(Store(self.db)))
        except WhoopError:
            return False

    def _loop(self) -> None:
        short = 0       # rounds in a row that left a request pending
        while True:
            self._wake.clear()
            try:
                self.run_once()
            except WhoopError as exc:
                log.info("background sync: %s", exc)
            except Exception:  # noqa: BLE001 - the thread must survive
                log.exception("background sync failed")
            short = short + 1 if self._requests_left() else 0
            self._wake.wait(RETRY_REQUEST_S if 0 < short <= RETRY_REQUEST_ROUNDS else self.poll_s)


@st.cache_resource(show_spinner=False)
def _scheduler(location: str) -> Scheduler:
    return Scheduler(location)


def in_process(store: Store) -> Scheduler | None:
    """The running scheduler of ``store`` (started on first use), or None on PostgreSQL, where
    the workers sync and the app starts no thread."""
    if store.dialect != "duckdb":
        return None
    return _scheduler(store.location)
