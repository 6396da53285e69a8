"""WHOOP webhook deliveries: the queue between the receiver and the worker (:mod:`whoop.webhooks`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from whoop import schema
from whoop.store.backend import Connection
from whoop.store.base import StoreBase

#: The columns a webhook names a record by (WHOOP ids), per table.
_BY_ID = {("sleeps", "whoop_id"), ("workouts", "whoop_id"), ("recoveries", "sleep_whoop_id")}


@dataclass(frozen=True)
class QueuedEvent:
    """A received, verified webhook still to process (instants tz-aware UTC)."""

    trace_id: str
    whoop_user_id: int
    event_type: str
    record_id: str
    signed_at: datetime
    athlete_id: int | None


class WebhooksMixin(StoreBase):
    """Webhook deliveries of :class:`whoop.store.Store`."""

    def queue_webhook(self, trace_id: str, whoop_user_id: int, event_type: str, record_id: str,
                      signed_at: datetime, received_at: datetime) -> tuple[bool, int | None]:
        """Queue a verified delivery for the connected athlete of ``whoop_user_id``; one with a
        trace id seen before is dropped. An unknown user is recorded as processed at once.
        Returns (new, athlete_id or None)."""
        with self.transaction() as con:
            row = con.execute("SELECT athlete_id FROM whoop_connections WHERE whoop_user_id = ? "
                              "ORDER BY athlete_id LIMIT 1", [whoop_user_id]).fetchone()
            athlete_id = row[0] if row else None
            done = None if athlete_id is not None else received_at
            new = con.execute(
                "INSERT INTO webhook_events (trace_id, whoop_user_id, event_type, record_id, signed_at, "
                "received_at, athlete_id, processed_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (trace_id) DO NOTHING RETURNING trace_id",
                [trace_id, whoop_user_id, event_type, record_id, signed_at, received_at, athlete_id, done,
                 None if athlete_id is not None else "unknown user"]).fetchone()
        return new is not None, athlete_id

    def athletes_with_webhooks(self) -> list[int]:
        """Athletes with queued deliveries, oldest delivery first."""
        with self.connect() as con:
            rows = con.execute("SELECT athlete_id, min(received_at) AS first FROM webhook_events "
                               "WHERE processed_at IS NULL AND athlete_id IS NOT NULL "
                               "GROUP BY athlete_id ORDER BY first, athlete_id").fetchall()
        return [r[0] for r in rows]

    def queued_webhooks(self, athlete_id: int) -> list[QueuedEvent]:
        """The athlete's queued deliveries in the order WHOOP signed them."""
        with self.connect() as con:
            rows = con.execute("SELECT trace_id, whoop_user_id, event_type, record_id, signed_at, athlete_id "
                               "FROM webhook_events WHERE processed_at IS NULL AND athlete_id = ? "
                               "ORDER BY signed_at, received_at, trace_id", [athlete_id]).fetchall()
        return [QueuedEvent(*r) for r in rows]

    def finish_webhook(self, trace_id: str, outcome: str, at: datetime) -> None:
        """Mark a delivery processed with what was done."""
        with self.transaction() as con:
            con.execute("UPDATE webhook_events SET processed_at = ?, outcome = ? WHERE trace_id = ?",
                        [at, outcome[:500], trace_id])

    @staticmethod
    def drop_api_records(con: Connection, table: str, athlete_id: int, column: str, whoop_id: str,
                         keep_key: datetime | None = None) -> tuple[int, list]:
        """Inside ``con``'s transaction: the athlete's ``table`` rows from the API whose
        ``column`` (``whoop_id``; ``sleep_whoop_id`` of recoveries) is ``whoop_id``, except the
        one keyed ``keep_key``, leave the API's data: ``api`` rows are deleted, ``api+export``
        rows go back to ``export`` provenance (``raw_json`` cleared) and stay, as at the close of
        a sync pass. Returns (rows, the instants they touched: keys and cycle starts, UTC).

        Raises:
            KeyError: ``(table, column)`` is not a WHOOP id column of a record table.
        """
        if (table, column) not in _BY_ID:
            raise KeyError(f"{table}.{column} is not a WHOOP id column")
        key = schema.KEYS[table][0]
        cond = (f"athlete_id = ? AND {column} = ? AND source IN ('api', 'api+export') "
                f"AND (?::TIMESTAMPTZ IS NULL OR {key} <> ?::TIMESTAMPTZ)")
        args = [athlete_id, whoop_id, keep_key, keep_key]
        cols = [key] + (["cycle_start_utc"] if key != "cycle_start_utc" else [])
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {cond}", args).fetchall()
        if rows:
            con.execute(f"UPDATE {table} SET source = 'export', raw_json = NULL WHERE {cond} "
                        f"AND source = 'api+export'", args)
            con.execute(f"DELETE FROM {table} WHERE {cond} AND source = 'api'", args)
        return len(rows), [v for row in rows for v in row if v is not None]

    def webhook_events(self) -> pd.DataFrame:
        """Every delivery: trace_id, whoop_user_id, event_type, record_id, signed_at, received_at,
        athlete_id, processed_at, outcome; newest first."""
        return self.query("SELECT trace_id, whoop_user_id, event_type, record_id, signed_at, received_at, "
                          "athlete_id, processed_at, outcome FROM webhook_events "
                          "ORDER BY received_at DESC, trace_id")
