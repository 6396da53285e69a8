"""WHOOP connections and OAuth states: the rows behind :mod:`whoop.tokens` and :mod:`whoop.oauth`.

``whoop_connections`` holds one encrypted token pair per athlete (``token_enc``: Fernet text made
by :mod:`whoop.crypto`; this module never sees a token in clear) with its expiry, scope and
status (``connected``, ``reconnect_needed``, ``disconnected``). ``oauth_states`` holds the
SHA-256 of each pending authorization ``state`` (WHOOP developer docs "OAuth 2.0":
https://developer.whoop.com/docs/developing/oauth), single use.

``token_pending`` holds, per athlete, a rotated pair that WHOOP has answered but that is not yet
committed to ``whoop_connections`` (Fernet text too), on a database that is always writable
(PostgreSQL); a DuckDB database keeps it in a file beside it instead (:mod:`whoop.token_sidecar`).

The refresh rules, the lock and the pending pair live in :mod:`whoop.tokens`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from whoop.errors import InputError
from whoop.store.backend import Connection, one_row
from whoop.store.base import StoreBase


@dataclass(frozen=True)
class TokenRow:
    """The encrypted pair of one connection and what decides whether to use it.

    Attributes:
        token_enc: the Fernet text of the pair, None once disconnected.
        expires_at: when the access token expires (tz-aware UTC), or None.
        status: ``connected``, ``reconnect_needed`` or ``disconnected``.
        updated_at: when the row was last written (tz-aware UTC), or None.
    """

    token_enc: str | None
    expires_at: datetime | None
    status: str
    updated_at: datetime | None


@dataclass(frozen=True)
class OAuthState:
    """A pending authorization state as stored: when it was made (tz-aware UTC), when it was
    used (None until then), the existing athlete to link (None = a new athlete) and the
    signed-in account that started it (None: the personal deployment)."""

    created_at: datetime
    used_at: datetime | None
    link_athlete: str | None
    account_id: int | None = None


class ConnectionsMixin(StoreBase):
    """WHOOP connection rows and OAuth states of :class:`whoop.store.Store`."""

    # -- token rows ------------------------------------------------------------------------
    @staticmethod
    def save_connection(con: Connection, athlete_id: int, whoop_user_id: int,
                        token_enc: str, expires_at: datetime, scope: str | None, status: str,
                        at: datetime) -> None:
        """Inside ``con``'s transaction: insert or replace the connection row of ``athlete_id``
        with an encrypted pair; ``status_detail`` is cleared, ``connected_at`` is set only for a
        new row (``at``), ``updated_at`` = ``at``."""
        con.execute(
            "INSERT INTO whoop_connections (athlete_id, whoop_user_id, token_enc, expires_at, scope, "
            "status, status_detail, connected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) "
            "ON CONFLICT (athlete_id) DO UPDATE SET whoop_user_id = excluded.whoop_user_id, "
            "token_enc = excluded.token_enc, expires_at = excluded.expires_at, scope = excluded.scope, "
            "status = excluded.status, status_detail = NULL, updated_at = excluded.updated_at",
            [athlete_id, whoop_user_id, token_enc, expires_at, scope, status, at, at])

    @staticmethod
    def connection_stamp(con: Connection,
                         athlete_id: int) -> tuple[int, datetime | None] | None:
        """Inside ``con``'s transaction: ``(whoop_user_id, updated_at)`` of the connection row,
        or None when the athlete has none."""
        row = con.execute("SELECT whoop_user_id, updated_at FROM whoop_connections WHERE athlete_id = ?",
                          [athlete_id]).fetchone()
        return (row[0], row[1]) if row is not None else None

    def token_row(self, athlete_id: int) -> TokenRow | None:
        """The encrypted pair of ``athlete_id`` with its expiry, status and last write, or None
        when the athlete has no connection row.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be read now.
        """
        with self.connect() as con:
            row = con.execute("SELECT token_enc, expires_at, status, updated_at FROM whoop_connections "
                              "WHERE athlete_id = ?", [athlete_id]).fetchone()
        return TokenRow(*row) if row is not None else None

    def connection_row(self, athlete_id: int) -> tuple | None:
        """The connection of ``athlete_id`` without its tokens: ``(athlete_id, whoop_user_id,
        status, status_detail, expires_at, connected_at, has_tokens)`` (the fields of
        :class:`whoop.tokens.Connection`, in order), or None."""
        with self.connect() as con:
            return con.execute("SELECT athlete_id, whoop_user_id, status, status_detail, expires_at, "
                               "connected_at, token_enc IS NOT NULL FROM whoop_connections "
                               "WHERE athlete_id = ?", [athlete_id]).fetchone()

    def connections(self) -> pd.DataFrame:
        """All connections with athlete names: athlete_id (int32), name, whoop_user_id (int64),
        status, status_detail, connected_at (datetime64 UTC), has_tokens (bool); no token
        columns; ordered by name."""
        return self.query(
            "SELECT c.athlete_id, a.name, c.whoop_user_id, c.status, c.status_detail, c.connected_at, "
            "c.token_enc IS NOT NULL AS has_tokens FROM whoop_connections c JOIN athletes a "
            "USING (athlete_id) ORDER BY a.name")

    def has_tokens(self, athlete_id: int) -> bool:
        """True when ``athlete_id`` has a connection row that still holds a token pair."""
        with self.connect() as con:
            row = con.execute("SELECT token_enc IS NOT NULL FROM whoop_connections WHERE athlete_id = ?",
                              [athlete_id]).fetchone()
        return bool(row and row[0])

    def connected_athlete_ids(self) -> list[int]:
        """Ids of athletes with a live connection (status ``connected`` and a token pair),
        ascending."""
        with self.connect() as con:
            return [r[0] for r in con.execute(
                "SELECT athlete_id FROM whoop_connections WHERE status = 'connected' AND "
                "token_enc IS NOT NULL ORDER BY athlete_id").fetchall()]

    def set_connection_status(self, athlete_id: int, status: str, detail: str | None,
                              at: datetime) -> None:
        """Set the status and its person-readable detail (never a token) in its own
        transaction; ``updated_at`` = ``at``."""
        with self.transaction() as con:
            con.execute("UPDATE whoop_connections SET status = ?, status_detail = ?, updated_at = ? "
                        "WHERE athlete_id = ?", [status, detail, at, athlete_id])

    def clear_tokens(self, athlete_id: int, status: str, at: datetime) -> None:
        """Delete the token pair and expiry of ``athlete_id`` and set ``status`` (the athlete and
        its history stay), in its own transaction."""
        with self.transaction() as con:
            con.execute("UPDATE whoop_connections SET token_enc = NULL, expires_at = NULL, "
                        "status = ?, status_detail = NULL, updated_at = ? WHERE athlete_id = ?",
                        [status, at, athlete_id])

    # -- pending pairs (see whoop.tokens) --------------------------------------------------
    def save_pending_token(self, athlete_id: int, token_enc: str, written_at: datetime) -> None:
        """Insert or replace the pending pair of ``athlete_id`` (Fernet text, received at
        ``written_at``, tz-aware UTC) in its own transaction, committed on return.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be written now.
        """
        with self.transaction() as con:
            con.execute("INSERT INTO token_pending (athlete_id, token_enc, written_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (athlete_id) DO UPDATE SET token_enc = excluded.token_enc, "
                        "written_at = excluded.written_at", [athlete_id, token_enc, written_at])

    def pending_token(self, athlete_id: int) -> tuple[str, datetime] | None:
        """``(token_enc, written_at)`` of the pending pair of ``athlete_id``, or None.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be read now.
        """
        with self.connect() as con:
            row = con.execute("SELECT token_enc, written_at FROM token_pending WHERE athlete_id = ?",
                              [athlete_id]).fetchone()
        return (row[0], row[1]) if row is not None else None

    def drop_pending_token(self, athlete_id: int, upto: datetime | None = None) -> None:
        """Delete the pending pair of ``athlete_id`` (only one written at or before ``upto`` when
        given, so a newer pair written meanwhile stays), in its own transaction.

        Raises:
            StoreError, DatabaseBusyError: the database cannot be written now.
        """
        with self.transaction() as con:
            if upto is None:
                con.execute("DELETE FROM token_pending WHERE athlete_id = ?", [athlete_id])
            else:
                con.execute("DELETE FROM token_pending WHERE athlete_id = ? AND written_at <= ?",
                            [athlete_id, upto])

    # -- connect ---------------------------------------------------------------------------
    @staticmethod
    def link_whoop_account(con: Connection, whoop_user_id: int, profile: dict,
                           link: str | None, full_name: str) -> tuple[int, str, bool]:
        """Inside ``con``'s transaction: the athlete a WHOOP account lands on, and any other
        athlete's connection to that account removed.

        The athlete already holding ``whoop_user_id``, else the athlete called ``link`` (when
        given), else a new athlete named ``link``, ``full_name`` or ``WHOOP <id>`` (with
        `` (<id>)`` appended when that name is taken; 64 characters at most). Its
        ``whoop_user_id``, ``first_name``, ``last_name`` and ``email`` are set from ``profile``.

        Returns:
            ``(athlete_id, name, created)``.
        Raises:
            InputError: the ``link`` athlete is already connected to another WHOOP account.
        """
        uid = whoop_user_id
        row = con.execute("SELECT athlete_id, name FROM athletes WHERE whoop_user_id = ?", [uid]).fetchone()
        created = False
        if row is None and link:
            row = con.execute("SELECT athlete_id, name, whoop_user_id FROM athletes WHERE name = ?",
                              [link]).fetchone()
            if row is not None and row[2] is not None and row[2] != uid:
                raise InputError(f"athlete '{link}' is already connected to another WHOOP account")
            row = row[:2] if row else None
        if row is None:
            name = link or full_name or f"WHOOP {uid}"
            taken = con.execute("SELECT 1 FROM athletes WHERE name = ?", [name]).fetchone()
            if taken:
                name = f"{name} ({uid})"[:64]
            athlete_id = one_row(con.execute(
                "INSERT INTO athletes (name, whoop_user_id, first_name, last_name, email) "
                "VALUES (?, ?, ?, ?, ?) RETURNING athlete_id",
                [name[:64], uid, profile.get("first_name"), profile.get("last_name"),
                 profile.get("email")]), "the new athlete's id")[0]
            created = True
        else:
            athlete_id, name = row
            con.execute("UPDATE athletes SET whoop_user_id = ?, first_name = ?, last_name = ?, "
                        "email = ? WHERE athlete_id = ?",
                        [uid, profile.get("first_name"), profile.get("last_name"),
                         profile.get("email"), athlete_id])
        con.execute("DELETE FROM whoop_connections WHERE whoop_user_id = ? AND athlete_id <> ?",
                    [uid, athlete_id])
        return athlete_id, name, created

    @staticmethod
    def set_connected_at(con: Connection, athlete_id: int, at: datetime) -> None:
        """Inside ``con``'s transaction: the connection of ``athlete_id`` was (re)made at ``at``."""
        con.execute("UPDATE whoop_connections SET connected_at = ? WHERE athlete_id = ?", [at, athlete_id])

    # -- OAuth states ----------------------------------------------------------------------
    def save_oauth_state(self, state_hash: str, created_at: datetime, link_athlete: str | None,
                         *, purge_before: datetime, account_id: int | None = None) -> None:
        """Remember a new pending state (its hash) with the link-athlete choice and the account
        that started it, and forget states made before ``purge_before``, in one transaction.

        Raises:
            StoreError, DatabaseBusyError.
        """
        with self.transaction() as con:
            con.execute("DELETE FROM oauth_states WHERE created_at < ?", [purge_before])
            con.execute("INSERT INTO oauth_states (state_hash, created_at, used_at, link_athlete, "
                        "account_id) VALUES (?, ?, NULL, ?, ?)",
                        [state_hash, created_at, link_athlete, account_id])

    def use_oauth_state(self, state_hash: str, at: datetime) -> OAuthState | None:
        """Mark the state ``state_hash`` used at ``at`` (only when it was not used yet), in one
        transaction. Returns the state as it was before (so ``used_at`` is None when this call
        used it up), or None when it is unknown.

        Raises:
            StoreError, DatabaseBusyError.
        """
        with self.transaction() as con:
            row = con.execute("SELECT created_at, used_at, link_athlete, account_id FROM oauth_states "
                              "WHERE state_hash = ?", [state_hash]).fetchone()
            if row is None:
                return None
            found = OAuthState(*row)
            if found.used_at is None:
                con.execute("UPDATE oauth_states SET used_at = ? WHERE state_hash = ?", [at, state_hash])
        return found
