"""Three ``python -m whoop worker --once`` processes and one ``python -m whoop sync`` process at
the same time against one PostgreSQL schema with 20 connected sandbox athletes (the sandbox over
HTTP on 127.0.0.1, every reply 10 ms late so the syncs overlap): no athlete is synced twice at
once (each athlete's sync runs, as recorded, never overlap in time), every athlete is synced,
no run fails, and the stored rows are exactly the sandbox's records, none lost or duplicated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import TEST_TOKEN_KEY
from tests.sync.conftest import NOW, REPO, assert_matches_sandbox
from tests.test_worker import connect_all, worker_env
from whoop.sandbox.testing import run_sandbox
from whoop.store import Store

ATHLETES = 20


@pytest.fixture
def db(pg_schemas, monkeypatch) -> str:
    """A private PostgreSQL schema (this test is about several processes on one server)."""
    monkeypatch.setenv("WHOOP_TOKEN_KEY", TEST_TOKEN_KEY)
    return pg_schemas.new()


def test_three_workers_and_the_cli_sync_each_athlete_once_at_a_time(db):
    store = Store(db)
    with run_sandbox(now=NOW, days=30, athletes=ATHLETES, auto_approve=True, rate_window_s=1,
                     latency_s=0.01) as sb:
        ids = connect_all(store, sb, ATHLETES)
        env = worker_env(sb, db)
        commands = [["worker", "--once"]] * 3 + [["sync"]]
        procs = [subprocess.Popen([sys.executable, "-m", "whoop", *c], env=env, cwd=REPO, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
        outs = [p.communicate(timeout=120) for p in procs]

        for p, (_out, err) in zip(procs[:3], outs[:3], strict=False):
            assert p.returncode == 0 and err == "", err
        cli_out, cli_err = outs[3]
        assert "Traceback" not in cli_err and "warning" not in cli_err, cli_err
        busy = [x for x in cli_err.splitlines() if x.startswith("error:")]    # (stderr also has progress)
        assert all("is already running" in x for x in busy), cli_err    # athletes a worker held
        assert procs[3].returncode == (1 if busy else 0)

        runs = store.query(
            "SELECT r.athlete_id, r.status, r.started_at, r.finished_at, m.pid FROM import_runs r "
            "JOIN sync_run_meta m USING (run_id) WHERE r.kind = 'sync' ORDER BY r.athlete_id, r.started_at")
        assert set(runs["status"]) == {"ok"}
        assert set(runs["athlete_id"]) == set(ids.values()), "every athlete was synced"
        for aid, own in runs.groupby("athlete_id"):
            starts, ends = own["started_at"].tolist(), own["finished_at"].tolist()
            for i in range(1, len(own)):
                assert starts[i] >= ends[i - 1], f"athlete {aid}: two syncs overlapped"
        summaries = sum(x.count("athlete '") for x, _ in outs)
        assert summaries == len(runs), "one summary line per sync run"
        assert runs["pid"].nunique() >= 3, "the syncs were spread over several processes"

        for index, aid in ids.items():
            assert_matches_sandbox(store, sb, aid, index)
