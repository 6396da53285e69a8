"""Sync bookkeeping rules: runs (``import_runs`` kind ``sync`` + ``sync_run_meta`` liveness),
per-collection passes and watermarks (``sync_state``), keys seen by a pass (``sync_seen``), the
status the Connect card shows, and which athletes a background sync is due for. The rows are read
and written through the store (:mod:`whoop.store.sync_runs`, :mod:`whoop.store.sync_passes`).

Retry after a failure (state ``Error``): the next background sync waits until the failed run's
``retry_after_s`` (what WHOOP's rate limit or the client said; kept in ``settings`` under
``RETRY_KEY``) and at least a backoff of 1, 2, 4, ... minutes per consecutive failure, at most
the max age (``WHOOP_SYNC_MAX_AGE_MIN``). ``Reconnect needed`` is never retried."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from whoop.errors import WhoopError
from whoop.store import Store, utcnow

if TYPE_CHECKING:
    from whoop.store.backend import Connection

HEARTBEAT_STALE_S = 120
RETRY_KEY = "whoop_sync_retry_after_s"
BACKOFF_FIRST = timedelta(minutes=1)


def pid_alive(pid: int | None) -> bool:
    """True when process ``pid`` exists on this host."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_run(store: Store, athlete_id: int, source: str) -> int:
    """Mark this athlete's runs left ``running`` by a dead process ``interrupted`` (the caller
    holds the athlete's sync lock, so none of them is alive) and rebuild the athlete's whole
    days table from the pages they committed, as after a run that failed (whose rebuild of its
    window may have failed too), then open a new sync run. Before that, the ends of runs this
    process could not record (busy database) are written, and other athletes' runs whose
    process is gone are closed as ``failed`` (:func:`close_stale_runs`)."""
    retry_pending(store)
    with store.transaction() as con:
        if Store.interrupt_running_syncs(con, athlete_id) or Store.last_sync_failed(con, athlete_id):
            Store.rebuild_days(con, athlete_id)
        close_stale_runs(con)
        run_id = Store.open_sync_run(con, athlete_id, source, os.getpid(), socket.gethostname())
    return run_id


#: The error a run gets when a later sync closes it because its process is gone.
STALE_RUN_ERROR = ("the sync stopped without recording its end (its process ended, or the "
                   "database stayed busy); the next sync resumes where it stopped")


def close_stale_runs(con: Connection) -> list[int]:
    """Inside a transaction: close as ``failed`` every sync run still ``running`` whose process
    is gone: on this host its pid no longer exists, on another its heartbeat is older than
    HEARTBEAT_STALE_S. Their athletes' days are rebuilt from the pages they committed.
    Returns the closed run ids."""
    rows = Store.running_sync_runs(con)
    here, now = socket.gethostname(), utcnow()
    stale = [(run_id, aid) for run_id, aid, pid, host, beat in rows
             if (host == here and not pid_alive(pid)) or (host != here and (
                 beat is None or (now - beat).total_seconds() > HEARTBEAT_STALE_S))]
    for run_id, _ in stale:
        Store.fail_sync_run(con, run_id, STALE_RUN_ERROR)
    for aid in sorted({aid for _, aid in stale}):
        Store.rebuild_days(con, aid)
    return [run_id for run_id, _ in stale]


# Ends of runs this process could not write (database busy): (db path, run_id) -> finish args.
_PENDING: dict[tuple[str, int], tuple] = {}


def retry_pending(store: Store) -> None:
    """Write the run ends that :func:`finish_run` could not write earlier (busy database); each
    stays pending until written. Called when a sync starts and by :func:`due_athletes`."""
    for (path, run_id), args in list(_PENDING.items()):
        if path != store.location:
            continue
        try:
            _write_end(store, run_id, *args)
        except WhoopError:
            return                  # still busy: try again next time
        _PENDING.pop((path, run_id), None)


def finish_run(store: Store, run_id: int, status: str, counts: dict, requests: int,
               error: str | None = None, *, retry_after_s: float | None = None) -> None:
    """Close a run with its outcome (ok | failed | interrupted); ``retry_after_s`` (seconds
    after the end, from the error) is kept for the background retry (see the module docstring).

    Raises:
        StoreError / DatabaseBusyError: the end could not be written now; it is kept and
        written by :func:`retry_pending` (next sync or scheduler tick of this process), and if
        this process ends first, a later sync closes the run as failed (:func:`close_stale_runs`).
    """
    try:
        _write_end(store, run_id, status, counts, requests, error, retry_after_s)
    except WhoopError:
        _PENDING[(store.location, run_id)] = (status, counts, requests, error, retry_after_s)
        raise


def _write_end(store: Store, run_id: int, status: str, counts: dict, requests: int,
               error: str | None, retry_after_s: float | None) -> None:
    store.finish_sync_run(run_id, status, counts, requests, error, retry_key=RETRY_KEY,
                          retry_after_s=retry_after_s)


@dataclass
class Pass:
    """A pass over one collection: window ``[start, now)`` (``start`` None = all history);
    ``cursor`` = oldest start stored so far (pages are newest first), ``newest`` = newest seen."""

    collection: str
    start: datetime | None
    cursor: datetime | None
    newest: datetime | None
    resumed: bool


def get_state(store: Store, athlete_id: int, collection: str) -> dict:
    """The sync_state row as a dict (empty values when absent): ``Store.sync_state``."""
    return store.sync_state(athlete_id, collection)


def begin_pass(store: Store, athlete_id: int, collection: str, start: datetime | None) -> Pass:
    """Open a new pass (forgetting any unfinished one and its seen keys)."""
    store.begin_sync_pass(athlete_id, collection, start)
    return Pass(collection, start, None, None, False)


@dataclass(frozen=True)
class SyncStatus:
    """What the Connect card shows for one athlete.

    ``state`` is one of Disconnected, Connected, Syncing, Error, Reconnect needed;
    ``next_sync_at`` (UTC) is when the background sync runs next: last good sync + max age when
    Connected, the retry time when Error (see the module docstring), None when it never will."""

    state: str
    last_sync_at: datetime | None
    last_ok_at: datetime | None
    next_sync_at: datetime | None
    last_error: str | None
    detail: str | None


def sync_status(store: Store, athlete_id: int, max_age: timedelta = timedelta(hours=1)) -> SyncStatus:
    """The athlete's connection and sync state (no tokens read)."""
    facts = store.sync_facts(athlete_id, RETRY_KEY)
    conn, last, ok, failures = facts.connection, facts.last_run, facts.last_ok_at, facts.failures
    last_at = last[1] if last else None
    nxt = (ok + max_age) if ok else None
    if conn is None or conn[0] == "disconnected":
        return SyncStatus("Disconnected", last_at, ok, None, None, None)
    if conn[0] == "reconnect_needed":
        return SyncStatus("Reconnect needed", last_at, ok, None, last[2] if last else None, conn[1])
    if last and last[0] == "running":
        here = last[4] == socket.gethostname()
        alive = pid_alive(last[3]) if here else (
            last[5] is not None and (utcnow() - last[5]).total_seconds() < HEARTBEAT_STALE_S)
        if alive:
            return SyncStatus("Syncing", last_at, ok, nxt, None, None)
    if last and last[0] in ("failed", "interrupted"):
        after = facts.retry_after_s
        backoff = min(BACKOFF_FIRST * 2 ** max(0, min(failures, 20) - 1), max_age)
        wait = max(backoff, timedelta(seconds=after or 0))
        retry_at = (last_at + wait) if last_at is not None else utcnow()
        return SyncStatus("Error", last_at, ok, retry_at, last[2], None)
    return SyncStatus("Connected", last_at, ok, nxt or utcnow(), None, None)


def due_athletes(store: Store, max_age: timedelta = timedelta(hours=1),
                 now: datetime | None = None) -> list[int]:
    """Connected athletes a background sync is due for at ``now`` (UTC; default: now): state
    ``Connected`` whose last good sync is older than ``max_age`` (or never ran), and state
    ``Error`` whose retry time has come (see the module docstring). Never ``Reconnect needed``,
    ``Disconnected`` or ``Syncing``. Writes first the run ends this process could not write
    earlier (:func:`retry_pending`)."""
    retry_pending(store)
    ids = store.connected_athlete_ids()
    due = []
    for aid in ids:
        st = sync_status(store, aid, max_age)
        at = now or utcnow()        # after sync_status: a never-synced athlete is due "now"
        if st.state in ("Connected", "Error") and (st.next_sync_at is None or st.next_sync_at <= at):
            due.append(aid)
    return due
