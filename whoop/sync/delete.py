"""Deleting an athlete's data without racing a sync, and revoking at WHOOP first.

Both paths take the athlete's sync lock (``engine.athlete_lock``) without waiting: while a sync
of the athlete runs (app scheduler, "Sync now", a cron CLI) they refuse with a message instead
of deleting rows the sync would keep writing. Deleting the athlete itself revokes the WHOOP
grant first (``TokenStore.disconnect``), so no live grant is left behind at WHOOP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import Timeout

from whoop.config import WhoopSettings
from whoop.errors import AuthError, ConfigError, SyncRunningError
from whoop.store import Store
from whoop.sync.engine import athlete_lock


@contextmanager
def _no_sync_running(store: Store, athlete_id: int) -> Iterator[None]:
    lock = athlete_lock(store, athlete_id)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        name = store.athlete_name(athlete_id) or str(athlete_id)
        raise SyncRunningError(f"a sync of {name} is running; try again when it ends") from None
    try:
        yield
    finally:
        lock.release()


def delete_synced_data(store: Store, athlete_id: int) -> None:
    """Delete an athlete's records, days, runs and sync progress in one transaction; the
    athlete and its connection stay, so the next sync fetches the whole history again.

    Raises:
        SyncRunningError: a sync of the athlete is running ("try again when it ends").
        StoreError, DatabaseBusyError.
    """
    with _no_sync_running(store, athlete_id):
        store.delete_athlete_data(athlete_id, keep_athlete=True)


def delete_athlete(store: Store, settings: WhoopSettings, athlete_id: int) -> bool | None:
    """Delete the athlete and every row keyed by it, in one transaction, after revoking its
    WHOOP grant when it has one. Returns True when WHOOP confirmed the revocation, False when
    it did not (or could not be reached: the tokens are deleted anyway), None when the athlete
    had no live connection.

    Raises:
        SyncRunningError: a sync of the athlete is running ("try again when it ends").
        StoreError, DatabaseBusyError.
    """
    from whoop.tokens import TokenStore

    with _no_sync_running(store, athlete_id):
        revoked = None
        if store.has_tokens(athlete_id):
            try:
                revoked = TokenStore(store, settings).disconnect(athlete_id)
            except (AuthError, ConfigError):   # WHOOP unreachable, app not configured: delete anyway
                revoked = False
        store.delete_athlete_data(athlete_id, keep_athlete=False)
        return revoked
