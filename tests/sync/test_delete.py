"""Deleting an athlete's data never races a running sync, and deleting a connected athlete
revokes its WHOOP grant first (real sandbox, a real DuckDB file and a real PostgreSQL, the real cross-process
lock)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.sync.conftest import FAST, REPO, cli_env, stats
from whoop.errors import SyncRunningError
from whoop.store import Store
from whoop.sync import delete_athlete, delete_synced_data, sync_athlete
from whoop.tokens import TokenStore

_HOLD_LOCK = """
import sys
from whoop.store import Store
from whoop.sync.engine import athlete_lock
with athlete_lock(Store(sys.argv[1]), int(sys.argv[2])):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def store(db) -> Store:
    """This module's store: a fresh database on each backend (``tests/conftest.py``'s ``db``)."""
    return Store(db, busy_timeout_s=60)


def _athlete_rows(store, athlete: int) -> dict[str, int]:
    tables = store.query("SELECT DISTINCT table_name FROM information_schema.columns "
                         "WHERE column_name = 'athlete_id' AND table_schema = current_schema()"
                         )["table_name"].tolist()
    return {t: int(store.query(f"SELECT count(*) AS n FROM {t} WHERE athlete_id = ?", [athlete])["n"].iloc[0])
            for t in tables}


def test_delete_waits_for_no_sync_and_revokes_a_connected_athlete(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    token = TokenStore(store, settings).access_token(athlete)
    name = store.athlete_name(athlete)
    before = _athlete_rows(store, athlete)
    # a sync of this athlete runs in another process (it holds the athlete's sync lock)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(store.location), str(athlete)],
                              env=cli_env(sandbox, store.location), cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for delete in (lambda: delete_athlete(store, settings, athlete),
                       lambda: delete_synced_data(store, athlete)):
            with pytest.raises(SyncRunningError,
                               match=f"a sync of {name} is running; try again when it ends"):
                delete()
    finally:
        holder.communicate("\n", timeout=30)
    assert _athlete_rows(store, athlete) == before and stats(sandbox)["revocations"] == 0
    assert delete_athlete(store, settings, athlete) is True     # revoked at WHOOP, then deleted
    assert stats(sandbox)["revocations"] == 1
    assert not any(_athlete_rows(store, athlete).values())      # athletes, connections, records, runs...
    r = httpx.get(sandbox.base_url + "/developer/v2/cycle", headers={"Authorization": f"Bearer {token}"},
                  timeout=10)
    assert r.status_code == 401


def test_delete_synced_data_keeps_the_athlete_and_its_connection(store, settings, sandbox, athlete):
    sync_athlete(store, settings, athlete, client_kw=FAST)
    delete_synced_data(store, athlete)
    rows = _athlete_rows(store, athlete)
    assert rows["athletes"] == 1 and rows["whoop_connections"] == 1
    assert rows["cycles"] == rows["days"] == rows["import_runs"] == 0
    assert stats(sandbox)["revocations"] == 0
    again = sync_athlete(store, settings, athlete, client_kw=FAST)   # the whole history again
    assert again.counts["cycle"]["inserted"] > 0
