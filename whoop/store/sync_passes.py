"""Sync passes and what the sync engine reads and writes besides records: per-collection passes and
watermarks (``sync_state``), the keys a pass saw (``sync_seen``), the records a completed pass did
not return (deleted at WHOOP), the window's pending records, cycle starts by WHOOP id, and the
profile. The rules live in :mod:`whoop.sync.engine`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from whoop import schema
from whoop.store.backend import Connection, one_row
from whoop.store.base import StoreBase
from whoop.store.settings import UPSERT_SETTING


class SyncPassesMixin(StoreBase):
    """Sync passes of :class:`whoop.store.Store`. Methods taking ``con`` work inside the caller's
    transaction."""

    # -- passes ----------------------------------------------------------------------------
    def sync_state(self, athlete_id: int, collection: str) -> dict:
        """The ``sync_state`` row of one athlete and collection as a dict (columns athlete_id,
        collection, watermark_utc, pass_start_utc, pass_full, pass_cursor_utc, pass_max_utc,
        pass_started_at, completed_at; instants tz-aware UTC), or ``{}`` when absent."""
        with self.connect() as con:
            cur = con.execute("SELECT * FROM sync_state WHERE athlete_id = ? AND collection = ?",
                              [athlete_id, collection])
            row = cur.fetchone()
            cols = [d[0] for d in cur.description]
        return dict(zip(cols, row, strict=False)) if row else {}

    def begin_sync_pass(self, athlete_id: int, collection: str, start: datetime | None) -> None:
        """Open a new pass over ``[start, now)`` (``start`` None = all history), forgetting any
        unfinished one and its seen keys, in one transaction."""
        with self.transaction() as con:
            con.execute("DELETE FROM sync_seen WHERE athlete_id = ? AND collection = ?",
                        [athlete_id, collection])
            con.execute(
                "INSERT INTO sync_state (athlete_id, collection, pass_start_utc, pass_full, pass_started_at) "
                "VALUES (?, ?, ?, ?, now()) ON CONFLICT (athlete_id, collection) DO UPDATE SET "
                "pass_start_utc = excluded.pass_start_utc, pass_full = excluded.pass_full, "
                "pass_cursor_utc = NULL, pass_max_utc = NULL, pass_started_at = excluded.pass_started_at",
                [athlete_id, collection, start, start is None])

    @staticmethod
    def record_sync_page(con: Connection, athlete_id: int, collection: str,
                         keys: list[datetime], page_min: datetime | None,
                         page_max: datetime | None) -> None:
        """Inside a page's transaction: remember the page's record keys (start instants, UTC)
        and move the pass cursor down to ``page_min`` and its newest up to ``page_max``."""
        if keys:
            con.execute("INSERT INTO sync_seen SELECT ?, ?, unnest(?::TIMESTAMPTZ[]) ON CONFLICT DO NOTHING",
                        [athlete_id, collection, keys])
        con.execute("UPDATE sync_state SET pass_cursor_utc = CASE WHEN pass_cursor_utc IS NULL OR ? < "
                    "pass_cursor_utc THEN ? ELSE pass_cursor_utc END, "
                    "pass_max_utc = CASE WHEN pass_max_utc IS NULL OR ? > "
                    "pass_max_utc THEN ? ELSE pass_max_utc END WHERE athlete_id = ? AND collection = ?",
                    [page_min, page_min, page_max, page_max, athlete_id, collection])

    @staticmethod
    def end_sync_pass(con: Connection, athlete_id: int, collection: str) -> None:
        """Inside the closing transaction: watermark = newest seen, pass cleared, seen keys
        dropped."""
        con.execute("UPDATE sync_state SET watermark_utc = coalesce(pass_max_utc, watermark_utc), "
                    "pass_start_utc = NULL, pass_full = NULL, pass_cursor_utc = NULL, pass_max_utc = NULL, "
                    "pass_started_at = NULL, completed_at = now() WHERE athlete_id = ? AND collection = ?",
                    [athlete_id, collection])
        con.execute("DELETE FROM sync_seen WHERE athlete_id = ? AND collection = ?", [athlete_id, collection])

    @staticmethod
    def reconcile_unseen(con: Connection, table: str, athlete_id: int, collection: str,
                         start: datetime | None) -> int:
        """Inside the closing transaction of a completed pass: records of ``table`` from the API
        whose key is in the window (``>= start``; None = all) but which the pass did not see
        (``sync_seen`` of ``collection``): ``api`` rows are deleted, ``api+export`` rows go back
        to ``export`` provenance (``raw_json`` cleared) and stay. Returns how many there were.

        Raises:
            KeyError: ``table`` is not one of schema.TABLES.
        """
        key = schema.KEYS[table][0]
        cond = (f"athlete_id = ? AND source IN ('api', 'api+export') AND (? IS NULL OR {key} >= ?) "
                f"AND {key} NOT IN (SELECT key_utc FROM sync_seen WHERE athlete_id = ? AND collection = ?)")
        args = [athlete_id, start, start, athlete_id, collection]
        n = one_row(con.execute(f"SELECT count(*) FROM {table} WHERE {cond}", args),
                    f"the {table} rows to mark")[0]
        if n:
            con.execute(f"UPDATE {table} SET source = 'export', raw_json = NULL WHERE {cond} "
                        f"AND source = 'api+export'", args)
            con.execute(f"DELETE FROM {table} WHERE {cond} AND source = 'api'", args)
        return int(n)

    # -- reads for a window ----------------------------------------------------------------
    def oldest_pending(self, table: str, athlete_id: int, since: datetime) -> datetime | None:
        """The oldest key (start instant, tz-aware UTC) at or after ``since`` of a ``table``
        record from the API still ``PENDING_SCORE``, or None.

        Raises:
            KeyError: ``table`` is not one of schema.TABLES.
        """
        key = schema.KEYS[table][0]
        with self.connect() as con:
            return con.execute(
                f"SELECT min({key}) FROM {table} WHERE athlete_id = ? AND score_state = 'PENDING_SCORE' "
                f"AND source IN ('api', 'api+export') AND {key} >= ?", [athlete_id, since]).fetchone()[0]

    def cycle_starts(self, athlete_id: int, whoop_ids: list[int | None]) -> dict[int, pd.Timestamp]:
        """Start instants (tz-aware UTC Timestamps) of the athlete's stored cycles by WHOOP cycle
        id, for the ids in ``whoop_ids`` (None ignored) that are stored."""
        ids = [int(i) for i in whoop_ids if i is not None]
        if not ids:
            return {}
        with self.connect() as con:
            rows = con.execute("SELECT whoop_id, start_utc FROM cycles WHERE athlete_id = ? AND whoop_id IN "
                               f"({', '.join('?' * len(ids))})", [athlete_id, *ids]).fetchall()
        return {int(i): pd.Timestamp(s).tz_convert("UTC") for i, s in rows}

    # -- profile ---------------------------------------------------------------------------
    def profile_synced_at(self, athlete_id: int) -> datetime | None:
        """When the athlete's WHOOP profile was last synced (tz-aware UTC), or None."""
        with self.connect() as con:
            row = con.execute("SELECT profile_synced_at FROM whoop_connections WHERE athlete_id = ?",
                              [athlete_id]).fetchone()
        return row[0] if row else None

    def save_profile(self, athlete_id: int, first_name: str | None, last_name: str | None,
                     email: str | None, body_json: str | None) -> None:
        """Store the athlete's WHOOP profile fields, its body measurement (a JSON object, kept as
        the setting ``whoop_body_measurement``; None keeps the stored one) and the profile sync
        instant (now), in one transaction."""
        with self.transaction() as con:
            con.execute("UPDATE athletes SET first_name = ?, last_name = ?, email = ? WHERE athlete_id = ?",
                        [first_name, last_name, email, athlete_id])
            if body_json is not None:
                con.execute("INSERT INTO settings (athlete_id, key, value_json, updated_at) "
                            f"VALUES (?, 'whoop_body_measurement', ?, now()) {UPSERT_SETTING}",
                            [athlete_id, body_json])
            con.execute("UPDATE whoop_connections SET profile_synced_at = now() WHERE athlete_id = ?",
                        [athlete_id])
