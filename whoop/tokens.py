"""WHOOP connections: encrypted token pairs in ``whoop_connections``, refresh under a lock that
holds across processes, connect completion, disconnect.

Refresh rules (WHOOP developer docs "OAuth 2.0", ../shared/whoop/API.md §1): refresh tokens rotate
and a second refresh with the same token fails, so exactly one refresh may run at a time for a
database: it runs under a ``filelock`` beside the database (app, CLI and cron share it). Inside
the lock the pair is read again (another process may have refreshed already) and the refresh
runs only if still needed. ``invalid_grant`` marks the connection ``reconnect_needed`` instead of
retrying.

Durability of a rotated pair: once WHOOP answers a refresh, the old refresh token is dead, so
the new pair must not be lost even when the database cannot be written right then (another
process holds DuckDB's file lock past ``busy_timeout_s``) or the process is killed before the
commit. Still holding the refresh lock, the new pair is first written, encrypted (Fernet, as in
the database), to a sidecar file beside the database, ``<db>.tokens-<athlete_id>.pending``
(mode 0600, written to a temporary file, fsynced, then renamed over atomically), and only then
committed to ``whoop_connections``; after the commit the sidecar is removed. Every read
(:meth:`TokenStore.access_token`, the refresh inside the lock, :meth:`TokenStore.disconnect`)
prefers a sidecar written after the row's ``updated_at`` and, holding the lock, tries again to
commit it. A failed commit therefore costs nothing: the access token is still returned (the
pair is durable in the sidecar) and the next read in any process finishes the commit. Connect
and disconnect remove the sidecar. The one window left is a kill between WHOOP's answer and the
sidecar's rename (a few milliseconds of local I/O); holding a DuckDB transaction across the
HTTP call would not close it (an uncommitted transaction dies with the process) and would block
every other writer for the length of a network call.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from whoop import oauth
from whoop.config import WhoopSettings
from whoop.crypto import decrypt, encrypt, fernet_for, remember_secret
from whoop.errors import AuthError, InputError, ReconnectNeeded, StoreError, WhoopError
from whoop.store import Store, utcnow

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 300          # refresh when the access token has less than 5 minutes left
LOCK_TIMEOUT_S = 60.0

CONNECTED, RECONNECT, DISCONNECTED = "connected", "reconnect_needed", "disconnected"


@dataclass(frozen=True)
class Connection:
    """A connection row without its tokens: athlete_id, whoop_user_id, status, status_detail,
    expires_at (UTC), connected_at, has_tokens."""

    athlete_id: int
    whoop_user_id: int
    status: str
    status_detail: str | None
    expires_at: datetime | None
    connected_at: datetime | None
    has_tokens: bool


@dataclass(frozen=True)
class ConnectResult:
    """Outcome of a completed connect: the athlete it landed on."""

    athlete_id: int
    athlete: str
    whoop_user_id: int
    created: bool


class TokenStore:
    """Token pairs of one database, encrypted with ``whoop.crypto.fernet_for(store.path)``."""

    def __init__(self, store: Store, settings: WhoopSettings) -> None:
        self.store = store
        self.settings = settings
        self._fernet = fernet_for(store.path)
        self.lock = FileLock(str(store.path) + ".tokens.lock")
        self._cache: dict[int, tuple[str, datetime]] = {}   # athlete -> (access token, expiry)

    # -- rows ------------------------------------------------------------------------------
    def _save(self, con, athlete_id: int, whoop_user_id: int, token: dict,
              expires: datetime | None = None, at: datetime | None = None) -> None:
        blob = encrypt(self._fernet, json.dumps({"access_token": token["access_token"],
                                                 "refresh_token": token.get("refresh_token")}))
        now = at or utcnow()
        expires = expires or now + timedelta(seconds=float(token.get("expires_in") or 3600))
        con.execute(
            "INSERT INTO whoop_connections (athlete_id, whoop_user_id, token_enc, expires_at, scope, "
            "status, status_detail, connected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) "
            "ON CONFLICT (athlete_id) DO UPDATE SET whoop_user_id = excluded.whoop_user_id, "
            "token_enc = excluded.token_enc, expires_at = excluded.expires_at, scope = excluded.scope, "
            "status = excluded.status, status_detail = NULL, updated_at = excluded.updated_at",
            [athlete_id, whoop_user_id, blob, expires, " ".join(token.get("scope") or [])
             if isinstance(token.get("scope"), list) else token.get("scope"), CONNECTED, now, now])

    # -- the sidecar of a rotated pair (see the module docstring) ----------------------------
    def sidecar_path(self, athlete_id: int) -> Path:
        """``<db>.tokens-<athlete_id>.pending``: a rotated pair not yet committed to the database."""
        return self.store.path.with_name(f"{self.store.path.name}.tokens-{int(athlete_id)}.pending")

    def _write_sidecar(self, athlete_id: int, token: dict, expires: datetime, at: datetime) -> None:
        path = self.sidecar_path(athlete_id)
        body = encrypt(self._fernet, json.dumps({
            "access_token": token["access_token"], "refresh_token": token.get("refresh_token"),
            "scope": token.get("scope"), "expires_at": expires.isoformat(), "written_at": at.isoformat()}))
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, body.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        try:
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass  # a filesystem without directory fsync: the rename is still atomic

    def _read_sidecar(self, athlete_id: int) -> dict | None:
        try:
            text = self.sidecar_path(athlete_id).read_text("ascii")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            side = json.loads(decrypt(self._fernet, text))
            side["expires_at"] = datetime.fromisoformat(side["expires_at"])
            side["written_at"] = datetime.fromisoformat(side["written_at"])
            return side
        except (ReconnectNeeded, ValueError, KeyError, TypeError):
            return None          # another key, a torn file: the database row is all we have

    def _drop_sidecar(self, athlete_id: int) -> None:
        try:
            self.sidecar_path(athlete_id).unlink()
        except FileNotFoundError:
            pass

    def _commit_sidecar(self, athlete_id: int, side: dict) -> bool:
        """Commit a sidecar pair to the row (caller holds the refresh lock); True when done."""
        try:
            with self.store.transaction() as con:
                row = con.execute("SELECT whoop_user_id, updated_at FROM whoop_connections WHERE athlete_id = ?",
                                  [athlete_id]).fetchone()
                if row is not None and (row[1] is None or row[1] < side["written_at"]):
                    self._save(con, athlete_id, row[0], side, side["expires_at"], side["written_at"])
        except WhoopError as exc:
            log.warning("the refreshed WHOOP tokens of athlete %s stay in their sidecar file until the "
                        "database can be written (%s)", athlete_id, exc.__class__.__name__)
            return False
        self._drop_sidecar(athlete_id)
        return True

    def _read(self, athlete_id: int) -> tuple[dict | None, datetime | None, str]:
        """The pair, its expiry and the status: the row, or a newer sidecar's pair."""
        with self.store.connect() as con:
            row = con.execute("SELECT token_enc, expires_at, status, updated_at FROM whoop_connections "
                              "WHERE athlete_id = ?", [athlete_id]).fetchone()
        if row is None:
            raise AuthError("this athlete is not connected to WHOOP; connect first", reconnect=True)
        blob, expires, status, updated = row
        pair = json.loads(decrypt(self._fernet, blob)) if blob else None
        side = self._read_sidecar(athlete_id) if blob else None
        if side and (updated is None or side["written_at"] > updated):
            pair, expires = {"access_token": side["access_token"], "refresh_token": side["refresh_token"]}, \
                side["expires_at"]
        if pair:
            remember_secret(pair.get("access_token"))
            remember_secret(pair.get("refresh_token"))
        return pair, expires, status

    def connection(self, athlete_id: int) -> Connection | None:
        """The connection of ``athlete_id`` (no tokens), or None."""
        with self.store.connect() as con:
            row = con.execute("SELECT athlete_id, whoop_user_id, status, status_detail, expires_at, "
                              "connected_at, token_enc IS NOT NULL FROM whoop_connections "
                              "WHERE athlete_id = ?", [athlete_id]).fetchone()
        return Connection(*row) if row else None

    def connections(self) -> pd.DataFrame:
        """All connections with athlete names: athlete_id, name, whoop_user_id, status,
        status_detail, connected_at, has_tokens (no token columns)."""
        return self.store.query(
            "SELECT c.athlete_id, a.name, c.whoop_user_id, c.status, c.status_detail, c.connected_at, "
            "c.token_enc IS NOT NULL AS has_tokens FROM whoop_connections c JOIN athletes a "
            "USING (athlete_id) ORDER BY a.name")

    def set_status(self, athlete_id: int, status: str, detail: str | None = None) -> None:
        """Set the connection status (and a person-readable detail, never a token)."""
        with self.store.transaction() as con:
            con.execute("UPDATE whoop_connections SET status = ?, status_detail = ?, updated_at = ? "
                        "WHERE athlete_id = ?", [status, detail, utcnow(), athlete_id])

    # -- access tokens ---------------------------------------------------------------------
    def access_token(self, athlete_id: int, *, force: bool = False, stale: str | None = None) -> str:
        """A usable access token, refreshed first when it expires within 5 minutes, or when
        ``force`` (after a 401 with token ``stale``).

        Raises:
            ReconnectNeeded: no tokens, or WHOOP refused the refresh token (status set to
                ``reconnect_needed``).
            AuthError: refresh failed for another reason (retry later).
        """
        cached = self._cache.get(athlete_id)
        if not force and cached and (cached[1] - utcnow()).total_seconds() > REFRESH_MARGIN_S:
            return cached[0]
        if self.sidecar_path(athlete_id).exists():     # a rotated pair still to commit
            try:
                with self.lock.acquire(timeout=0):
                    self._flush_sidecar(athlete_id)
            except Timeout:
                pass                                   # the lock holder commits it
        pair, expires, status = self._read(athlete_id)
        if status == RECONNECT or not pair:
            raise ReconnectNeeded("WHOOP access for this athlete has ended: connect again")
        if not force and expires and (expires - utcnow()).total_seconds() > REFRESH_MARGIN_S:
            self._cache[athlete_id] = (pair["access_token"], expires)
            return pair["access_token"]
        self._cache.pop(athlete_id, None)
        try:
            with self.lock.acquire(timeout=LOCK_TIMEOUT_S):
                self._flush_sidecar(athlete_id)
                pair, expires, status = self._read(athlete_id)   # another process may have refreshed
                if status == RECONNECT or not pair:
                    raise ReconnectNeeded("WHOOP access for this athlete has ended: connect again")
                fresh = expires and (expires - utcnow()).total_seconds() > REFRESH_MARGIN_S
                if fresh and (not force or pair["access_token"] != stale):
                    return pair["access_token"]
                if not pair.get("refresh_token"):
                    self.set_status(athlete_id, RECONNECT, "no refresh token; connect again")
                    raise ReconnectNeeded("WHOOP access expired and there is no refresh token: connect again")
                try:
                    token = oauth.refresh(self.settings, pair["refresh_token"])
                except ReconnectNeeded as exc:
                    self.set_status(athlete_id, RECONNECT, str(exc))
                    raise
                # the old pair is dead now: make the new one durable first, then commit it
                at = utcnow()
                expires = at + timedelta(seconds=float(token.get("expires_in") or 3600))
                self._write_sidecar(athlete_id, token, expires, at)
                self._commit_sidecar(athlete_id, {**token, "expires_at": expires, "written_at": at})
                return token["access_token"]
        except Timeout:
            raise AuthError("another process is refreshing WHOOP access and did not finish; try again") from None

    def _flush_sidecar(self, athlete_id: int) -> None:
        """Holding the refresh lock: commit a sidecar left by an earlier failed commit."""
        side = self._read_sidecar(athlete_id)
        if side is not None:
            self._commit_sidecar(athlete_id, side)

    # -- connect / disconnect --------------------------------------------------------------
    def finish_connect(self, *, code: str | None, state: str | None, error: str | None = None,
                       client_factory=None) -> ConnectResult:
        """Complete a connect from WHOOP's redirect: check the state (single use, 10 minutes),
        exchange the code, read the profile, create or update the athlete by WHOOP user id (or
        link the chosen existing athlete), store the encrypted tokens.

        Raises:
            AuthError: bad/replayed/expired state, access denied, exchange refused; nothing stored.
            InputError: the chosen link athlete is already connected to another WHOOP account.
        """
        link = oauth.consume_state(self.store, state)
        if error:
            if error == "access_denied":
                raise AuthError("WHOOP access was not granted (you chose Deny); nothing was stored")
            raise AuthError(f"WHOOP sign-in failed ({error[:60]}); nothing was stored")
        if not code:
            raise AuthError("the sign-in reply has no code; start Connect again")
        token = oauth.exchange_code(self.settings, code)
        from whoop.client import WhoopClient

        make = client_factory or WhoopClient
        with make(self.settings.base_url, lambda force=False, stale=None: token["access_token"],
                  client_id=self.settings.client_id) as cl:
            profile = cl.profile()
        uid = int(profile["user_id"])
        full = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p).strip()
        with self.store.transaction() as con:
            row = con.execute("SELECT athlete_id, name FROM athletes WHERE whoop_user_id = ?", [uid]).fetchone()
            created = False
            if row is None and link:
                row = con.execute("SELECT athlete_id, name, whoop_user_id FROM athletes WHERE name = ?",
                                  [link]).fetchone()
                if row is not None and row[2] is not None and row[2] != uid:
                    raise InputError(f"athlete '{link}' is already connected to another WHOOP account")
                row = row[:2] if row else None
            if row is None:
                name = link or full or f"WHOOP {uid}"
                taken = con.execute("SELECT 1 FROM athletes WHERE name = ?", [name]).fetchone()
                if taken:
                    name = f"{name} ({uid})"[:64]
                athlete_id = con.execute(
                    "INSERT INTO athletes (name, whoop_user_id, first_name, last_name, email) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING athlete_id",
                    [name[:64], uid, profile.get("first_name"), profile.get("last_name"),
                     profile.get("email")]).fetchone()[0]
                created = True
            else:
                athlete_id, name = row
                con.execute("UPDATE athletes SET whoop_user_id = ?, first_name = ?, last_name = ?, "
                            "email = ? WHERE athlete_id = ?",
                            [uid, profile.get("first_name"), profile.get("last_name"),
                             profile.get("email"), athlete_id])
            con.execute("DELETE FROM whoop_connections WHERE whoop_user_id = ? AND athlete_id <> ?",
                        [uid, athlete_id])
            self._save(con, athlete_id, uid, token)
            con.execute("UPDATE whoop_connections SET connected_at = ? WHERE athlete_id = ?",
                        [utcnow(), athlete_id])
        self._drop_sidecar(athlete_id)      # an older grant's pending pair is void now
        self._cache.pop(athlete_id, None)
        return ConnectResult(athlete_id, name, uid, created)

    def finish_connect_url(self, url: str, **kw) -> ConnectResult:
        """:meth:`finish_connect` from the full URL the person was sent back to (pasted)."""
        reply = oauth.parse_redirect(url)
        return self.finish_connect(code=reply.code, state=reply.state, error=reply.error, **kw)

    def disconnect(self, athlete_id: int) -> bool:
        """Revoke the grant at WHOOP, delete the tokens, keep the athlete and its history.
        Returns True when WHOOP confirmed the revocation.

        Raises:
            StoreError, DatabaseBusyError.
        """
        revoked = False
        try:
            with self.lock.acquire(timeout=LOCK_TIMEOUT_S):
                try:
                    token = self.access_token(athlete_id)
                    revoked = oauth.revoke(self.settings, token)
                except AuthError:
                    revoked = False
                with self.store.transaction() as con:
                    con.execute("UPDATE whoop_connections SET token_enc = NULL, expires_at = NULL, "
                                "status = ?, status_detail = NULL, updated_at = ? WHERE athlete_id = ?",
                                [DISCONNECTED, utcnow(), athlete_id])
                self._drop_sidecar(athlete_id)
                self._cache.pop(athlete_id, None)
        except Timeout:
            raise StoreError("another process holds the WHOOP token lock; try again") from None
        return revoked


def expires_in_s(expires_at: datetime | None) -> float | None:
    """Seconds until ``expires_at`` (negative when past), or None."""
    if expires_at is None:
        return None
    return (expires_at - datetime.now(timezone.utc)).total_seconds()
