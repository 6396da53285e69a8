"""Accounts and invites: the SQL of the team deployment's sign-in (:mod:`whoop.accounts`,
:mod:`whoop.invites` hold the rules: hashing, lockout, roles, signatures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from whoop.errors import InputError
from whoop.store.base import StoreBase

_ACCOUNT_COLUMNS = ("account_id, username, role, password_hash, athlete_id, failed_logins, locked_until, "
                    "created_at, last_login_at")


@dataclass(frozen=True)
class AccountRow:
    """One ``accounts`` row (instants tz-aware UTC); ``password_hash`` None: OIDC only."""

    account_id: int
    username: str
    role: str
    password_hash: str | None
    athlete_id: int | None
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class InviteRow:
    """One ``invites`` row (instants tz-aware UTC)."""

    invite_hash: str
    created_by: int
    athlete_name: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None


class AccountsMixin(StoreBase):
    """Accounts and invites of :class:`whoop.store.Store`."""

    def add_account(self, username: str, role: str, password_hash: str | None, at: datetime,
                    athlete_id: int | None = None) -> int:
        """Create an account; returns its id.

        Raises:
            InputError: an account of that name exists.
        """
        with self.transaction() as con:
            if con.execute("SELECT 1 FROM accounts WHERE username = ?", [username]).fetchone():
                raise InputError(f"an account named '{username}' exists already")
            return con.execute("INSERT INTO accounts (username, role, password_hash, athlete_id, created_at) "
                               "VALUES (?, ?, ?, ?, ?) RETURNING account_id",
                               [username, role, password_hash, athlete_id, at]).fetchone()[0]

    def account(self, username: str | None = None, *, account_id: int | None = None) -> AccountRow | None:
        """The account of that name (or id), or None."""
        where, value = ("username", username) if account_id is None else ("account_id", account_id)
        with self.connect() as con:
            row = con.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} = ?",
                              [value]).fetchone()
        return AccountRow(*row) if row else None

    def accounts(self) -> pd.DataFrame:
        """Every account without its password hash: account_id, username, role, athlete_id,
        athlete (name or NULL), has_password (bool), locked_until, created_at, last_login_at;
        ordered by role then name."""
        return self.query(
            "SELECT a.account_id, a.username, a.role, a.athlete_id, t.name AS athlete, "
            "a.password_hash IS NOT NULL AS has_password, a.locked_until, a.created_at, a.last_login_at "
            "FROM accounts a LEFT JOIN athletes t ON t.athlete_id = a.athlete_id "
            "ORDER BY a.role, a.username")

    def count_accounts(self, role: str | None = None) -> int:
        """How many accounts (of ``role``, or all)."""
        sql, params = "SELECT count(*) FROM accounts", []
        if role is not None:
            sql, params = sql + " WHERE role = ?", [role]
        with self.connect() as con:
            return int(con.execute(sql, params).fetchone()[0])

    def remove_account(self, username: str) -> bool:
        """Delete the account (its athlete's data stays); True when one was deleted."""
        with self.transaction() as con:
            return con.execute("DELETE FROM accounts WHERE username = ? RETURNING account_id",
                               [username]).fetchone() is not None

    def set_password_hash(self, account_id: int, password_hash: str) -> None:
        """Replace the password hash and lift any lockout."""
        with self.transaction() as con:
            con.execute("UPDATE accounts SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                        "WHERE account_id = ?", [password_hash, account_id])

    def set_account_athlete(self, account_id: int, athlete_id: int | None) -> None:
        """Link the account to its athlete (None: unlink)."""
        with self.transaction() as con:
            con.execute("UPDATE accounts SET athlete_id = ? WHERE account_id = ?", [athlete_id, account_id])

    def note_failed_login(self, account_id: int, at: datetime, lock_after: int,
                          lock_until: datetime) -> tuple[int, datetime | None]:
        """Count one failed password sign-in, atomically; at ``lock_after`` consecutive failures
        the account is locked until ``lock_until`` and the count starts again.
        Returns (failures now, locked until or None)."""
        with self.transaction() as con:
            failures, locked = con.execute(
                "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE account_id = ? "
                "RETURNING failed_logins, locked_until", [account_id]).fetchone()
            if failures >= lock_after:
                con.execute("UPDATE accounts SET failed_logins = 0, locked_until = ? WHERE account_id = ?",
                            [lock_until, account_id])
                return failures, lock_until
            return failures, locked

    def note_login(self, account_id: int, at: datetime, password_hash: str | None = None) -> None:
        """A successful sign-in: reset the failure count, stamp ``last_login_at`` and, when given,
        store a re-computed hash (parameters upgraded)."""
        with self.transaction() as con:
            con.execute("UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = ? "
                        "WHERE account_id = ?", [at, account_id])
            if password_hash is not None:
                con.execute("UPDATE accounts SET password_hash = ? WHERE account_id = ?",
                            [password_hash, account_id])

    def save_invite(self, invite_hash: str, created_by: int, athlete_name: str | None, at: datetime,
                    expires_at: datetime) -> None:
        """Remember an invite by the hash of its token."""
        with self.transaction() as con:
            con.execute("INSERT INTO invites (invite_hash, created_by, athlete_name, created_at, expires_at) "
                        "VALUES (?, ?, ?, ?, ?)", [invite_hash, created_by, athlete_name, at, expires_at])

    def invite(self, invite_hash: str) -> InviteRow | None:
        """The invite with that token hash, or None."""
        with self.connect() as con:
            row = con.execute("SELECT invite_hash, created_by, athlete_name, created_at, expires_at, "
                              "used_at, used_by FROM invites WHERE invite_hash = ?", [invite_hash]).fetchone()
        return InviteRow(*row) if row else None

    def use_invite(self, invite_hash: str, account_id: int, at: datetime) -> bool:
        """Mark the invite used by ``account_id``, atomically: True only for the first use of an
        unexpired invite (two people racing with one link: one wins)."""
        with self.transaction() as con:
            return con.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE invite_hash = ? "
                               "AND used_at IS NULL AND expires_at > ? RETURNING invite_hash",
                               [at, account_id, invite_hash, at]).fetchone() is not None

    def invites(self) -> pd.DataFrame:
        """Every invite: invite_hash, created_by (username), athlete_name, created_at, expires_at,
        used_at, used_by (username); newest first."""
        return self.query(
            "SELECT i.invite_hash, c.username AS created_by, i.athlete_name, i.created_at, i.expires_at, "
            "i.used_at, u.username AS used_by FROM invites i "
            "LEFT JOIN accounts c ON c.account_id = i.created_by "
            "LEFT JOIN accounts u ON u.account_id = i.used_by ORDER BY i.created_at DESC")
