"""Sync runs: ``import_runs`` rows of kind ``sync`` with their liveness in ``sync_run_meta`` (pid,
host, heartbeat), their running counts, their end, and the facts the Connect card's status is
made of. The rules (when a run is stale, when the next retry is due) live in
:mod:`whoop.sync.state`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from whoop.store.backend import Connection, one_row
from whoop.store.base import StoreBase
from whoop.store.settings import UPSERT_SETTING


@dataclass(frozen=True)
class SyncFacts:
    """What the database says about one athlete's connection and syncs.

    Attributes:
        connection: ``(status, status_detail)`` of the WHOOP connection, or None without one.
        last_run: the newest sync run: ``(status, finished_at, error, pid, host, heartbeat_at)``
            (instants tz-aware UTC; pid/host/heartbeat None when unknown), or None.
        last_ok_at: when the newest successful sync finished (tz-aware UTC), or None.
        failures: failed or interrupted sync runs since the newest successful one.
        retry_after_s: the retry delay the last run's error gave (seconds), or None.
    """

    connection: tuple[str, str | None] | None
    last_run: tuple | None
    last_ok_at: datetime | None
    failures: int
    retry_after_s: float | None


@dataclass(frozen=True)
class SyncRunRow:
    """One sync run as the app's progress card reads it.

    Attributes:
        run_id: the run's id (``import_runs.run_id``, ascending in time).
        status: ``running``, ``ok``, ``failed`` or ``interrupted``.
        started_at, finished_at: tz-aware UTC (``finished_at`` None while running).
        counts: per collection ``{"inserted", "updated", "unchanged", "deleted", "skipped"}``
            so far (the engine writes them after every page), ``{}`` before the first page.
        requests: HTTP requests sent to WHOOP so far.
        error: the failure's message, or None.
    """

    run_id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict
    requests: int
    error: str | None


class SyncRunsMixin(StoreBase):
    """Sync runs of :class:`whoop.store.Store`. Methods taking ``con`` work inside the caller's
    transaction."""

    @staticmethod
    def interrupt_running_syncs(con: Connection, athlete_id: int) -> int:
        """Inside ``con``'s transaction: mark this athlete's sync runs still ``running`` as
        ``interrupted`` ("the sync process stopped before finishing"). Returns how many there
        were (the caller rebuilds the athlete's days when any)."""
        dead = one_row(con.execute("SELECT count(*) FROM import_runs WHERE athlete_id = ? AND kind = 'sync' "
                                   "AND status = 'running'", [athlete_id]), "the running sync count")[0]
        if dead:
            con.execute("UPDATE import_runs SET status = 'interrupted', finished_at = coalesce(finished_at, "
                        "now()), error = coalesce(error, 'the sync process stopped before finishing') "
                        "WHERE athlete_id = ? AND kind = 'sync' AND status = 'running'", [athlete_id])
        return int(dead)

    @staticmethod
    def last_sync_failed(con: Connection, athlete_id: int) -> bool:
        """Inside ``con``'s transaction: True when the athlete's newest ended sync run ended
        ``failed`` or ``interrupted`` (its days may not have been rebuilt after its pages)."""
        row = con.execute("SELECT status FROM import_runs WHERE athlete_id = ? AND kind = 'sync' "
                          "AND status <> 'running' ORDER BY run_id DESC LIMIT 1", [athlete_id]).fetchall()
        return bool(row) and row[0][0] in ("failed", "interrupted")

    @staticmethod
    def running_sync_runs(con: Connection) -> list[tuple]:
        """Inside ``con``'s transaction: every sync run still ``running``, as ``(run_id,
        athlete_id, pid, host, heartbeat_at)`` (pid, host, heartbeat None when unknown)."""
        return con.execute(
            "SELECT r.run_id, r.athlete_id, m.pid, m.host, m.heartbeat_at FROM import_runs r "
            "LEFT JOIN sync_run_meta m USING (run_id) WHERE r.kind = 'sync' AND r.status = 'running'"
        ).fetchall()

    @staticmethod
    def fail_sync_run(con: Connection, run_id: int, error: str) -> None:
        """Inside ``con``'s transaction: close run ``run_id`` as ``failed`` with ``error``, if it
        is still ``running``."""
        con.execute("UPDATE import_runs SET status = 'failed', finished_at = now(), error = ? "
                    "WHERE run_id = ? AND status = 'running'", [error, run_id])

    @staticmethod
    def open_sync_run(con: Connection, athlete_id: int, source: str, pid: int,
                      host: str) -> int:
        """Inside ``con``'s transaction: a new ``running`` sync run of ``athlete_id`` (``source``:
        the WHOOP base URL), owned by process ``pid`` on ``host``. Returns its run id."""
        run_id = one_row(con.execute(
            "INSERT INTO import_runs (athlete_id, kind, source, started_at, status, requests, counts_json) "
            "VALUES (?, 'sync', ?, now(), 'running', 0, '{}') RETURNING run_id",
            [athlete_id, source]), "the new sync run's id")[0]
        con.execute("INSERT INTO sync_run_meta VALUES (?, ?, ?, now())", [run_id, pid, host])
        return run_id

    @staticmethod
    def sync_progress(con: Connection, run_id: int, counts: dict, requests: int) -> None:
        """Inside a page's transaction: the run's running counts (JSON), requests and heartbeat."""
        con.execute("UPDATE import_runs SET counts_json = ?, requests = ? WHERE run_id = ?",
                    [json.dumps(counts), requests, run_id])
        con.execute("UPDATE sync_run_meta SET heartbeat_at = now() WHERE run_id = ?", [run_id])

    def finish_sync_run(self, run_id: int, status: str, counts: dict, requests: int,
                        error: str | None, *, retry_key: str, retry_after_s: float | None) -> None:
        """Close a run with its outcome and keep ``retry_after_s`` (None clears it) as the
        setting ``retry_key`` of the run's athlete, in one transaction.

        Raises:
            StoreError, DatabaseBusyError: nothing was written.
        """
        with self.transaction() as con:
            con.execute("UPDATE import_runs SET status = ?, finished_at = now(), counts_json = ?, "
                        "requests = ?, error = ? WHERE run_id = ?",
                        [status, json.dumps(counts), requests, error, run_id])
            con.execute("INSERT INTO settings (athlete_id, key, value_json, updated_at) "
                        f"SELECT athlete_id, ?, ?, now() FROM import_runs WHERE run_id = ? {UPSERT_SETTING}",
                        [retry_key, json.dumps(None if retry_after_s is None else float(retry_after_s)),
                         run_id])

    def sync_facts(self, athlete_id: int, retry_key: str) -> SyncFacts:
        """The connection and sync facts of ``athlete_id`` (no tokens read), in one connection;
        ``retry_key`` is the setting :meth:`finish_sync_run` keeps the retry delay under."""
        with self.connect() as con:
            conn = con.execute("SELECT status, status_detail FROM whoop_connections WHERE athlete_id = ?",
                               [athlete_id]).fetchone()
            last = con.execute(
                "SELECT r.status, r.finished_at, r.error, m.pid, m.host, m.heartbeat_at FROM import_runs r "
                "LEFT JOIN sync_run_meta m USING (run_id) WHERE r.athlete_id = ? AND r.kind = 'sync' "
                "ORDER BY r.run_id DESC LIMIT 1", [athlete_id]).fetchone()
            ok = con.execute("SELECT max(finished_at) FROM import_runs WHERE athlete_id = ? AND kind = "
                             "'sync' AND status = 'ok'", [athlete_id]).fetchone()[0]
            failures = con.execute(
                "SELECT count(*) FROM import_runs WHERE athlete_id = ? AND kind = 'sync' AND status IN "
                "('failed', 'interrupted') AND run_id > coalesce((SELECT max(run_id) FROM import_runs WHERE "
                "athlete_id = ? AND kind = 'sync' AND status = 'ok'), 0)",
                [athlete_id, athlete_id]).fetchone()[0]
            retry = con.execute("SELECT value_json FROM settings WHERE athlete_id = ? AND key = ?",
                                [athlete_id, retry_key]).fetchone()
        return SyncFacts(tuple(conn) if conn else None, tuple(last) if last else None, ok, int(failures),
                         json.loads(retry[0]) if retry else None)

    def last_run_id(self, athlete_id: int) -> int:
        """The id of the athlete's newest import or sync run, 0 without any (run ids only grow,
        so "a sync run after this one" is a clock-free test of "a sync started later")."""
        with self.connect() as con:
            row = con.execute("SELECT coalesce(max(run_id), 0) FROM import_runs WHERE athlete_id = ?",
                              [athlete_id]).fetchone()
        return int(row[0])

    def sync_run_after(self, athlete_id: int, run_id: int) -> SyncRunRow | None:
        """The athlete's first sync run with an id above ``run_id`` (running or ended), or None
        when no sync of the athlete started since.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be read now.
        """
        with self.connect() as con:
            row = con.execute(
                "SELECT run_id, status, started_at, finished_at, counts_json, requests, error "
                "FROM import_runs WHERE athlete_id = ? AND kind = 'sync' AND run_id > ? "
                "ORDER BY run_id LIMIT 1", [athlete_id, run_id]).fetchone()
        if row is None:
            return None
        try:
            counts = json.loads(row[4]) if row[4] else {}
        except ValueError:
            counts = {}
        return SyncRunRow(int(row[0]), row[1], row[2], row[3], counts if isinstance(counts, dict) else {},
                          int(row[5] or 0), row[6])
