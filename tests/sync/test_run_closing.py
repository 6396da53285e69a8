"""No sync run stays "running": an end that a busy database refused is written by the next sync,
a run whose process is gone is closed as failed, and a sync racing a big import (CLI, another
process) finishes or fails cleanly while the import commits whole."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.sync.conftest import REPO, cli_env, run_cli
from whoop.demo import write_demo_export
from whoop.errors import DatabaseBusyError
from whoop.store import Store
from whoop.sync import state

HOLD = ("import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n")


def hold_lock(db: Path) -> subprocess.Popen:
    """Another process holding the DuckDB file until its stdin closes."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def release(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


def status_of(store: Store, run_id: int) -> tuple[str, str | None]:
    row = store.query("SELECT status, error FROM import_runs WHERE run_id = ?", [run_id])
    return row["status"].iloc[0], row["error"].iloc[0]


def test_an_end_refused_by_a_busy_database_is_written_by_the_next_sync(tmp_path):
    store = Store(tmp_path / "w.duckdb", busy_timeout_s=0.5)
    with store.transaction() as con:
        a, b = Store.ensure_athlete(con, "a"), Store.ensure_athlete(con, "b")
    run = state.start_run(store, a, "http://127.0.0.1")
    locker = hold_lock(store.path)
    try:
        with pytest.raises(DatabaseBusyError):
            state.finish_run(store, run, "failed", {}, 3, "WHOOP answered 500")
    finally:
        release(locker)
    assert status_of(store, run)[0] == "running"
    state.start_run(store, b, "http://127.0.0.1")          # the next sync, another athlete
    assert status_of(store, run) == ("failed", "WHOOP answered 500")


def test_a_run_whose_process_is_gone_is_closed_as_failed_by_the_next_sync(db):
    store = Store(db)
    with store.transaction() as con:
        a, b = Store.ensure_athlete(con, "a"), Store.ensure_athlete(con, "b")
    run = state.start_run(store, a, "http://127.0.0.1")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with store.transaction() as con:                       # as if a killed CLI had run it
        con.execute("UPDATE sync_run_meta SET pid = ? WHERE run_id = ?", [int(gone.stdout), run])
    live = state.start_run(store, b, "http://127.0.0.1")
    assert status_of(store, run) == ("failed", state.STALE_RUN_ERROR)
    assert status_of(store, live)[0] == "running"          # this process's run is alive


def big_journal_export(dest: Path, variants: int) -> tuple[Path, int]:
    """The demo export with each journal question asked in ``variants`` versions (distinct rows).
    Returns the ZIP and the journal's row count."""
    src = write_demo_export(dest / "src", days=120)
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rows = list(csv.reader(io.StringIO(members["journal_entries.csv"].decode(), newline="")))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(rows[0])
    for k in range(variants):
        writer.writerows(r[:3] + [f"{r[3]} (variant {k})"] + r[4:] for r in rows[1:])
    members["journal_entries.csv"] = buf.getvalue().encode()
    out = dest / "big.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out, (len(rows) - 1) * variants


def test_sync_during_a_big_import_finishes_or_fails_cleanly(tmp_path, store, sandbox, athlete):
    big, rows = big_journal_export(tmp_path, variants=150)
    assert rows > 50_000
    importer = subprocess.Popen(
        [sys.executable, "-m", "whoop", "import", str(big), "--athlete", "imported"],
        env=cli_env(sandbox, store.path), cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    syncs = []
    deadline = time.monotonic() + 600
    while importer.poll() is None and time.monotonic() < deadline:
        syncs.append(run_cli(sandbox, store.path, "sync", "--quiet"))
    out, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err
    assert syncs, "the import ended before any sync ran"
    for r in syncs:
        assert r.returncode in (0, 1), r.stderr
        assert "Traceback" not in r.stderr
        if r.returncode == 1:
            assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    final = run_cli(sandbox, store.path, "sync", "--quiet")
    assert final.returncode == 0, final.stderr
    runs = store.query("SELECT kind, status FROM import_runs")
    assert not (runs["status"] == "running").any()
    imported = store.query("SELECT count(*) AS n FROM journal j JOIN athletes a USING (athlete_id) "
                           "WHERE a.name = 'imported'")["n"].iloc[0]
    assert imported == rows                                  # the import committed whole
