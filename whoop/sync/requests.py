""""Sync now" requests: a person asks the app for an athlete's sync, and the process that syncs
picks it up: the app's in-process scheduler on the DuckDB default (``whoop.ui.scheduler``), the
``python -m whoop worker`` processes on PostgreSQL. The page never runs the sync itself.

A request is the athlete's setting :data:`REQUEST_KEY`: ``{"after_run": N}``, N being the
athlete's newest run id when it was asked (``Store.last_run_id``). It is pending until a sync
run of the athlete with an id above N exists, whoever started it (scheduler, worker, CLI), so
it needs no clearing and no clock (run ids only grow; the app's and the database's clocks may
differ). That run is the one whose progress the app shows (``Store.sync_run_after``).
"""

from __future__ import annotations

from whoop.store import Store

#: The ``settings`` key (per athlete) holding a Sync now request.
REQUEST_KEY = "whoop_sync_request"


def request_sync(store: Store, athlete_id: int) -> int:
    """Record a Sync now request for ``athlete_id`` (replacing an older one). Returns N, the
    run id the requested sync will come after: follow it with ``store.sync_run_after(id, N)``.

    Raises:
        StoreError, DatabaseBusyError: the request could not be written.
    """
    after = store.last_run_id(athlete_id)
    store.set_setting(REQUEST_KEY, {"after_run": after}, athlete_id=athlete_id)
    return after


def pending_request(store: Store, athlete_id: int) -> int | None:
    """N of the athlete's request when no sync started since it was made, else None."""
    found = store.get_setting(REQUEST_KEY, athlete_id=athlete_id)
    if not isinstance(found, dict) or not isinstance(found.get("after_run"), int):
        return None
    after = found["after_run"]
    return after if store.sync_run_after(athlete_id, after) is None else None


def requested_athletes(store: Store) -> list[int]:
    """Connected athletes (status ``connected`` with tokens) with a pending request, ascending:
    a scheduler or worker syncs them before the due ones, whatever their last sync's age."""
    return [aid for aid in store.connected_athlete_ids() if pending_request(store, aid) is not None]
