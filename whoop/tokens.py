"""WHOOP connections: encrypted token pairs in ``whoop_connections``, refresh under a lock that
holds across processes, connect completion, disconnect.

Refresh rules (WHOOP developer docs "OAuth 2.0", ../shared/whoop/API.md §1): refresh tokens rotate
and a second refresh with the same token fails, so exactly one refresh may run at a time for a
database: it runs under a ``filelock`` beside the database (app, CLI and cron share it). Inside
the lock the row is read again (another process may have refreshed already), the refresh runs
only if still needed, and the new encrypted pair is committed before anyone uses it.
``invalid_grant`` marks the connection ``reconnect_needed`` instead of retrying.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from filelock import FileLock, Timeout

from whoop import oauth
from whoop.config import WhoopSettings
from whoop.crypto import decrypt, encrypt, fernet_for, remember_secret
from whoop.errors import AuthError, InputError, ReconnectNeeded, StoreError
from whoop.store import Store, utcnow

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
    def _save(self, con, athlete_id: int, whoop_user_id: int, token: dict) -> None:
        blob = encrypt(self._fernet, json.dumps({"access_token": token["access_token"],
                                                 "refresh_token": token.get("refresh_token")}))
        expires = utcnow() + timedelta(seconds=float(token.get("expires_in") or 3600))
        now = utcnow()
        con.execute(
            "INSERT INTO whoop_connections (athlete_id, whoop_user_id, token_enc, expires_at, scope, "
            "status, status_detail, connected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) "
            "ON CONFLICT (athlete_id) DO UPDATE SET whoop_user_id = excluded.whoop_user_id, "
            "token_enc = excluded.token_enc, expires_at = excluded.expires_at, scope = excluded.scope, "
            "status = excluded.status, status_detail = NULL, updated_at = excluded.updated_at",
            [athlete_id, whoop_user_id, blob, expires, " ".join(token.get("scope") or [])
             if isinstance(token.get("scope"), list) else token.get("scope"), CONNECTED, now, now])

    def _read(self, athlete_id: int) -> tuple[dict | None, datetime | None, str]:
        with self.store.connect() as con:
            row = con.execute("SELECT token_enc, expires_at, status FROM whoop_connections "
                              "WHERE athlete_id = ?", [athlete_id]).fetchone()
        if row is None:
            raise AuthError("this athlete is not connected to WHOOP; connect first", reconnect=True)
        blob, expires, status = row
        pair = json.loads(decrypt(self._fernet, blob)) if blob else None
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
        pair, expires, status = self._read(athlete_id)
        if status == RECONNECT or not pair:
            raise ReconnectNeeded("WHOOP access for this athlete has ended: connect again")
        if not force and expires and (expires - utcnow()).total_seconds() > REFRESH_MARGIN_S:
            self._cache[athlete_id] = (pair["access_token"], expires)
            return pair["access_token"]
        self._cache.pop(athlete_id, None)
        try:
            with self.lock.acquire(timeout=LOCK_TIMEOUT_S):
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
                with self.store.transaction() as con:
                    uid = con.execute("SELECT whoop_user_id FROM whoop_connections WHERE athlete_id = ?",
                                      [athlete_id]).fetchone()[0]
                    self._save(con, athlete_id, uid, token)
                return token["access_token"]
        except Timeout:
            raise AuthError("another process is refreshing WHOOP access and did not finish; try again") from None

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
        with make(self.settings.base_url, lambda force=False, stale=None: token["access_token"]) as cl:
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
        except Timeout:
            raise StoreError("another process holds the WHOOP token lock; try again") from None
        return revoked


def expires_in_s(expires_at: datetime | None) -> float | None:
    """Seconds until ``expires_at`` (negative when past), or None."""
    if expires_at is None:
        return None
    return (expires_at - datetime.now(timezone.utc)).total_seconds()
