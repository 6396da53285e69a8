"""Alerts: each account's notification settings and the alerts already sent (the rules live in
:mod:`whoop.alerts`, the sending in :mod:`whoop.alert_jobs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from whoop.store.base import StoreBase

_SETTINGS_COLUMNS = ("account_id, email, apprise_enc, immediate, digest, digest_hour, digest_tz, "
                     "last_digest_on, updated_at")


@dataclass(frozen=True)
class AlertSettingsRow:
    """One ``alert_settings`` row. ``apprise_enc`` is the Fernet token of the Apprise URL (None:
    no Apprise target); ``digest_hour`` 0-23 in ``digest_tz`` (an IANA zone name);
    ``last_digest_on`` the local date of the last digest sent."""

    account_id: int
    email: str | None
    apprise_enc: str | None = None
    immediate: bool = True
    digest: bool = False
    digest_hour: int = 7
    digest_tz: str = "UTC"
    last_digest_on: date | None = None
    updated_at: datetime | None = None


class AlertsMixin(StoreBase):
    """Alert settings and sent alerts of :class:`whoop.store.Store`."""

    def alert_settings(self, account_id: int) -> AlertSettingsRow | None:
        """The account's notification settings, or None when never saved."""
        with self.connect() as con:
            row = con.execute(f"SELECT {_SETTINGS_COLUMNS} FROM alert_settings WHERE account_id = ?",
                              [account_id]).fetchone()
        return AlertSettingsRow(*row) if row else None

    def save_alert_settings(self, row: AlertSettingsRow, at: datetime) -> None:
        """Insert or replace the account's settings (``last_digest_on`` of a stored row is kept)."""
        with self.transaction() as con:
            con.execute(
                "INSERT INTO alert_settings (account_id, email, apprise_enc, immediate, digest, digest_hour, "
                "digest_tz, last_digest_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) "
                "ON CONFLICT (account_id) DO UPDATE SET email = excluded.email, "
                "apprise_enc = excluded.apprise_enc, immediate = excluded.immediate, "
                "digest = excluded.digest, "
                "digest_hour = excluded.digest_hour, digest_tz = excluded.digest_tz, "
                "updated_at = excluded.updated_at",
                [row.account_id, row.email, row.apprise_enc, bool(row.immediate), bool(row.digest),
                 int(row.digest_hour), row.digest_tz, at])

    def alert_recipients(self) -> pd.DataFrame:
        """Accounts with a channel (an e-mail address or an Apprise URL): account_id, username,
        role, athlete_id (nullable), email, apprise_enc, immediate, digest, digest_hour,
        digest_tz, last_digest_on; by account_id."""
        return self.query(
            "SELECT a.account_id, a.username, a.role, a.athlete_id, s.email, s.apprise_enc, s.immediate, "
            "s.digest, s.digest_hour, s.digest_tz, s.last_digest_on FROM alert_settings s "
            "JOIN accounts a ON a.account_id = s.account_id "
            "WHERE s.email IS NOT NULL OR s.apprise_enc IS NOT NULL ORDER BY a.account_id")

    def claim_alert(self, account_id: int, athlete_id: int, kind: str, day: date, at: datetime) -> bool:
        """Record the alert as sent to the account, atomically: True only for the first claim
        (two workers racing: one sends). Undo with :meth:`release_alert` when sending failed."""
        with self.transaction() as con:
            return con.execute(
                "INSERT INTO alerts_sent (account_id, athlete_id, kind, day, sent_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (account_id, athlete_id, kind, day) DO NOTHING RETURNING account_id",
                [account_id, athlete_id, kind, day, at]).fetchone() is not None

    def release_alert(self, account_id: int, athlete_id: int, kind: str, day: date) -> None:
        """Forget a claim whose sending failed (it is tried again next time)."""
        with self.transaction() as con:
            con.execute("DELETE FROM alerts_sent WHERE account_id = ? AND athlete_id = ? AND kind = ? "
                        "AND day = ?", [account_id, athlete_id, kind, day])

    def alerts_sent(self, account_id: int | None = None) -> pd.DataFrame:
        """Sent alerts (of one account, or all): account_id, athlete_id, kind, day, sent_at;
        oldest first."""
        return self.query("SELECT account_id, athlete_id, kind, day, sent_at FROM alerts_sent "
                          "WHERE ? IS NULL OR account_id = ? "
                          "ORDER BY sent_at, account_id, athlete_id, kind, day",
                          [account_id, account_id])

    def claim_digest(self, account_id: int, on: date) -> tuple[bool, date | None]:
        """Mark the account's digest of local date ``on`` as sent, atomically. Returns (True, the
        previous ``last_digest_on`` for :meth:`release_digest`) for the first claim of ``on``;
        (False, None) when it was sent already or the account has no settings."""
        with self.transaction() as con:
            row = con.execute("SELECT last_digest_on FROM alert_settings WHERE account_id = ?",
                              [account_id]).fetchone()
            if row is None:
                return False, None
            done = con.execute("UPDATE alert_settings SET last_digest_on = ? WHERE account_id = ? "
                               "AND (last_digest_on IS NULL OR last_digest_on < ?) RETURNING account_id",
                               [on, account_id, on]).fetchone()
        return (True, row[0]) if done is not None else (False, None)

    def release_digest(self, account_id: int, on: date, previous: date | None) -> None:
        """Undo :meth:`claim_digest` of ``on`` after a failed send."""
        with self.transaction() as con:
            con.execute("UPDATE alert_settings SET last_digest_on = ? "
                        "WHERE account_id = ? AND last_digest_on = ?",
                        [previous, account_id, on])

    def connection_states(self, athlete_ids: list[int]) -> pd.DataFrame:
        """The WHOOP connection of each athlete that has one: athlete_id, token_status
        (``connected`` | ``reconnect_needed`` | ``disconnected``), status_since (tz-aware UTC,
        the connection row's last change)."""
        ids = [int(a) for a in athlete_ids] or [-1]
        return self.query("SELECT athlete_id, status AS token_status, updated_at AS status_since "
                          "FROM whoop_connections WHERE athlete_id IN (SELECT unnest(?::INTEGER[])) "
                          "ORDER BY athlete_id", [ids])
