"""WHOOP connections: encrypted token pairs in ``whoop_connections``, refresh under a lock that
holds across processes, connect completion, disconnect.

Refresh rules (WHOOP developer docs "OAuth 2.0", https://developer.whoop.com/docs/developing/oauth):
refresh tokens rotate and a second refresh with the same token fails, so exactly one refresh may
run at a time for a database: it runs under the database's lock ``store.lock("tokens")`` (a
``filelock`` ``<db>.tokens.lock`` beside a DuckDB file, a session advisory lock on PostgreSQL;
app, CLI, workers and cron share it). Inside the lock the pair is read again (another process may have
refreshed already) and the refresh runs only if still needed. ``invalid_grant`` marks the connection
``reconnect_needed`` instead of retrying; an unreadable refresh reply is retried once with the old token
(``whoop.oauth.refresh``).

When to refresh (:func:`refresh_margin_s`): when the access token has less than
``min(300 s, 20 % of its lifetime)`` left. The 300 s cap is the usual clock-skew and in-flight
allowance for WHOOP's 1-hour tokens (its "OAuth 2.0" page: ``expires_in`` 3600); the 20 % keeps
the margin below the lifetime when tokens are short-lived, so a token is used for at least 80 %
of its life instead of being refreshed before every request (each refresh spends a refresh
token and opens a window in which a crash could lose the new one). A 401 from the API forces
one refresh in any case (``whoop.client``).

Durability of a rotated pair: once WHOOP answers a refresh, the old refresh token is dead, so
the new pair must not be lost, whether the process is killed (``kill -9``) between WHOOP's answer
and the database commit or the database cannot be written right then (another process holds
DuckDB's file lock past ``busy_timeout_s``). Holding the refresh lock, the request is sent by a
helper process in its own session (``whoop.token_refresh``) that holds the in-flight lock
``store.lock("tokens.inflight")`` from before the request until it has written the new pair,
encrypted (Fernet, as in the database), as the athlete's pending pair (``whoop.token_sidecar``):
on a DuckDB file, a file beside it, ``<db>.tokens-<athlete_id>.pending`` (mode 0600, a
temporary file, fsynced, renamed over atomically, folder fsynced); on PostgreSQL, which is
always writable and has no folder, the ``token_pending`` row, in its own committed transaction.
A kill of the requester therefore cannot land between WHOOP's answer and the durable write.
The requester then commits the pair to ``whoop_connections`` and removes the pending pair.
Every read (:meth:`TokenStore.access_token`, the refresh inside the lock,
:meth:`TokenStore.disconnect`), in this process or another, prefers a pending pair written after
the row's ``updated_at`` (so also when the commit never happened) and, holding the lock, commits
it; every refresh decision first waits for the in-flight lock, so a helper whose requester died
is finished before anyone could send the old refresh token again. Connect and disconnect remove
the pending pair.

The Fernet key: ``WHOOP_TOKEN_KEY`` (environment or secrets), else, on a DuckDB file only, a key
file beside it (``whoop.crypto.fernet_key_for``); on PostgreSQL a missing key is a ConfigError.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from whoop import oauth
from whoop.config import WhoopSettings
from whoop.crypto import decrypt, encrypt, fernet_from_key, fernet_key_for, remember_secret
from whoop.errors import AuthError, NetworkError, ReconnectNeeded, TokenLockTimeout, WhoopError
from whoop.store import LockTimeout, Store, utcnow
from whoop.token_refresh import DEFAULT_LIFETIME_S, refresh_detached
from whoop.token_sidecar import (
    INFLIGHT_LOCK,
    REFRESH_LOCK,
    FilePendingPairs,
    PendingPairs,
    StorePendingPairs,
    sidecar_path,
)

if TYPE_CHECKING:
    from filelock import FileLock

    from whoop.client import WhoopClient
    from whoop.store.backend import Connection as StoreConnection
    from whoop.store.base import AdvisoryLock

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 300          # at most 5 minutes before expiry (see refresh_margin_s)
REFRESH_FRACTION = 0.2          # ... and at most 20 % of the token's lifetime
LOCK_TIMEOUT_S = 150.0          # > one helper refresh (two token requests of 30 s each, see whoop.oauth)

CONNECTED, RECONNECT, DISCONNECTED = "connected", "reconnect_needed", "disconnected"


def refresh_margin_s(lifetime_s: float | None) -> float:
    """Seconds before expiry at which an access token of ``lifetime_s`` seconds is refreshed:
    ``min(300, 0.2 * lifetime_s)`` (see the module docstring for the rule and its reason);
    an unknown lifetime counts as WHOOP's documented 3600 s."""
    life = float(lifetime_s) if lifetime_s and lifetime_s > 0 else float(DEFAULT_LIFETIME_S)
    return min(float(REFRESH_MARGIN_S), REFRESH_FRACTION * life)


def _due(expires: datetime | None, lifetime_s: float | None) -> bool:
    """True when a token expiring at ``expires`` is within its refresh margin (or has no expiry)."""
    return expires is None or (expires - utcnow()).total_seconds() <= refresh_margin_s(lifetime_s)


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
    account_id: int | None = None   # the signed-in account that started the connect


class TokenStore:
    """Token pairs of one database, encrypted with its Fernet key (``whoop.crypto.fernet_key_for``:
    WHOOP_TOKEN_KEY, else a key file beside a DuckDB file).

    Raises:
        ConfigError: (on creation) no key for a PostgreSQL database, or a key that is not a
            Fernet key; the message says how to make one.
    """

    def __init__(self, store: Store, settings: WhoopSettings) -> None:
        self.store = store
        self.settings = settings
        self._key = fernet_key_for(store.path)
        self._fernet = fernet_from_key(self._key)
        self.lock = store.lock(REFRESH_LOCK)
        self._inflight = store.lock(INFLIGHT_LOCK)
        self.pending: PendingPairs = (FilePendingPairs(store.path, self._fernet) if store.path is not None
                                      else StorePendingPairs(store, self._fernet))
        # athlete -> (access token, expiry, lifetime s)
        self._cache: dict[int, tuple[str, datetime | None, float]] = {}

    # -- rows ------------------------------------------------------------------------------
    def _save(self, con: StoreConnection, athlete_id: int, whoop_user_id: int, token: dict,
              expires: datetime | None = None, at: datetime | None = None) -> None:
        now = at or utcnow()
        lifetime = _lifetime(token)
        blob = encrypt(self._fernet, json.dumps({"access_token": token["access_token"],
                                                 "refresh_token": token.get("refresh_token"),
                                                 "expires_in": lifetime}))
        expires = expires or now + timedelta(seconds=lifetime)
        scope = (" ".join(token.get("scope") or []) if isinstance(token.get("scope"), list)
                 else token.get("scope"))
        Store.save_connection(con, athlete_id, whoop_user_id, blob, expires, scope, CONNECTED, now)

    # -- the pending pair of a rotated refresh (see the module docstring) -------------------
    def sidecar_path(self, athlete_id: int) -> Path | None:
        """``<db>.tokens-<athlete_id>.pending``: the file a rotated pair waits in on a DuckDB
        database; None on PostgreSQL (it waits in the ``token_pending`` table there)."""
        return sidecar_path(self.store.path, athlete_id) if self.store.path is not None else None

    def _read_pending(self, athlete_id: int) -> dict | None:
        return self.pending.read(athlete_id)

    def _drop_pending(self, athlete_id: int, upto: datetime | None = None) -> None:
        self.pending.drop(athlete_id, upto)

    def _wait_inflight(self) -> None:
        """Wait until no helper is between sending a refresh and writing its reply (one whose
        requester died included).

        Raises:
            TokenLockTimeout: it did not finish within the lock timeout.
        """
        try:
            with _holding(self._inflight, LOCK_TIMEOUT_S):
                pass
        except LockTimeout:
            raise TokenLockTimeout("a WHOOP token refresh of this database did not finish; "
                                   "try again") from None

    def _commit_pending(self, athlete_id: int, side: dict) -> bool:
        """Commit a pending pair to the row (caller holds the refresh lock); True when done."""
        try:
            with self.store.transaction() as con:
                row = Store.connection_stamp(con, athlete_id)
                if row is not None and (row[1] is None or row[1] < side["written_at"]):
                    self._save(con, athlete_id, row[0], side, side["expires_at"], side["written_at"])
        except WhoopError as exc:
            log.warning("the refreshed WHOOP tokens of athlete %s stay pending %s until the "
                        "database can be written (%s)", athlete_id, self.pending.where,
                        exc.__class__.__name__)
            return False
        try:
            self._drop_pending(athlete_id, side["written_at"])
        except WhoopError as exc:     # committed: a pending pair not newer than the row is ignored
            log.warning("the committed pending WHOOP tokens of athlete %s could not be removed (%s)",
                        athlete_id, exc.__class__.__name__)
        return True

    def _read(self, athlete_id: int) -> tuple[dict | None, datetime | None, str]:
        """The pair (``access_token``, ``refresh_token``, ``expires_in``), its expiry and the
        status: the row's, or a newer pending pair."""
        row = self.store.token_row(athlete_id)
        if row is None:
            raise AuthError("this athlete is not connected to WHOOP; connect first", reconnect=True)
        blob, expires, status, updated = row.token_enc, row.expires_at, row.status, row.updated_at
        pair = json.loads(decrypt(self._fernet, blob)) if blob else None
        side = self._read_pending(athlete_id) if blob else None
        if side and (updated is None or side["written_at"] > updated):
            pair, expires = {"access_token": side["access_token"], "refresh_token": side["refresh_token"],
                             "expires_in": side.get("expires_in")}, side["expires_at"]
        if pair:
            remember_secret(pair.get("access_token"))
            remember_secret(pair.get("refresh_token"))
        return pair, expires, status

    def connection(self, athlete_id: int) -> Connection | None:
        """The connection of ``athlete_id`` (no tokens), or None."""
        row = self.store.connection_row(athlete_id)
        return Connection(*row) if row else None

    def connections(self) -> pd.DataFrame:
        """All connections with athlete names: athlete_id, name, whoop_user_id, status,
        status_detail, connected_at, has_tokens (no token columns)."""
        return self.store.connections()

    def set_status(self, athlete_id: int, status: str, detail: str | None = None) -> None:
        """Set the connection status (and a person-readable detail, never a token)."""
        self.store.set_connection_status(athlete_id, status, detail, utcnow())

    # -- access tokens ---------------------------------------------------------------------
    def access_token(self, athlete_id: int, *, force: bool = False, stale: str | None = None) -> str:
        """A usable access token, refreshed first when it is within its refresh margin
        (:func:`refresh_margin_s`), or when ``force`` (after a 401 with token ``stale``; a newer
        token that another process got meanwhile is returned without a refresh).

        Raises:
            ReconnectNeeded: no tokens, or WHOOP refused the refresh token (status set to
                ``reconnect_needed``; the detail says why, e.g. an unreadable refresh reply
                whose retry was refused).
            AuthError: refresh failed for another reason (the pair is kept; retry later).
            NetworkError: WHOOP could not be reached (the pair is kept; retry later).
            TokenLockTimeout: another process held the token lock for the whole lock timeout.
        """
        cached = self._cache.get(athlete_id)
        if not force and cached and not _due(cached[1], cached[2]):
            return cached[0]
        if self.pending.present(athlete_id):           # a rotated pair still to commit
            try:
                with _holding(self.lock, 0):
                    self._flush_pending(athlete_id)
            except LockTimeout:
                pass                                   # the lock holder commits it
        pair, expires, status = self._read(athlete_id)
        if status == RECONNECT or not pair:
            raise ReconnectNeeded("WHOOP access for this athlete has ended: connect again")
        if not force and not _due(expires, pair.get("expires_in")):
            self._cache[athlete_id] = (pair["access_token"], expires, _lifetime(pair))
            return pair["access_token"]
        self._cache.pop(athlete_id, None)
        try:
            with _holding(self.lock, LOCK_TIMEOUT_S):
                return self._refresh_locked(athlete_id, force, stale)
        except LockTimeout:
            raise TokenLockTimeout("another process is refreshing WHOOP access and did not finish; try "
                                   "again") from None

    def _current(self, athlete_id: int) -> tuple[dict, datetime | None]:
        """Holding the refresh lock: wait for an in-flight refresh, commit a pending pair, read."""
        self._wait_inflight()
        self._flush_pending(athlete_id)
        pair, expires, status = self._read(athlete_id)
        if status == RECONNECT or not pair:
            raise ReconnectNeeded("WHOOP access for this athlete has ended: connect again")
        return pair, expires

    def _refresh_locked(self, athlete_id: int, force: bool, stale: str | None) -> str:
        pair, expires = self._current(athlete_id)     # another process may have refreshed
        if not _due(expires, pair.get("expires_in")) and (not force or pair["access_token"] != stale):
            return pair["access_token"]
        if not pair.get("refresh_token"):
            self.set_status(athlete_id, RECONNECT, "no refresh token; connect again")
            raise ReconnectNeeded("WHOOP access expired and there is no refresh token: connect again")
        try:
            refresh_detached(self.settings, self.store.url or str(self.store.path), self._key, athlete_id,
                             pair["refresh_token"], self.pending.target(athlete_id))
        except ReconnectNeeded as exc:
            again, _ = self._current(athlete_id)
            if again.get("refresh_token") != pair["refresh_token"]:
                return again["access_token"]       # a refresh whose requester died got there first
            self.set_status(athlete_id, RECONNECT, str(exc)[:500])
            raise
        # the old pair is dead now; the helper made the new one durable: commit it
        side = self._read_pending(athlete_id)
        if side is None:
            raise AuthError(f"the refreshed WHOOP tokens could not be read back ({self.pending.where}); "
                            "try again")
        self._commit_pending(athlete_id, side)
        remember_secret(side["access_token"])
        remember_secret(side["refresh_token"])
        return side["access_token"]

    def commit_pending(self) -> int:
        """Commit every athlete's pending pair (a rotated refresh not yet in its row) to the row,
        holding the refresh lock after waiting for any in-flight refresh: run it before copying
        the database elsewhere (a DuckDB database's pending pairs are files beside it, which a
        copy of its tables would miss). Returns how many pairs were pending.

        Raises:
            TokenLockTimeout: another process held the token lock for the whole lock timeout,
                or an in-flight refresh did not finish.
        """
        done = 0
        try:
            with _holding(self.lock, LOCK_TIMEOUT_S):
                self._wait_inflight()
                for athlete_id in self.store.connections()["athlete_id"].tolist():
                    if self.pending.present(int(athlete_id)):
                        self._flush_pending(int(athlete_id))
                        done += 1
        except LockTimeout:
            raise TokenLockTimeout("another process holds the WHOOP token lock; try again") from None
        return done

    def _flush_pending(self, athlete_id: int) -> None:
        """Holding the refresh lock: commit a pending pair left by an earlier failed commit (or a
        requester that died)."""
        side = self._read_pending(athlete_id)
        if side is not None:
            self._commit_pending(athlete_id, side)

    # -- connect / disconnect --------------------------------------------------------------
    def finish_connect(self, *, code: str | None, state: str | None, error: str | None = None,
                       client_factory: Callable[..., WhoopClient] | None = None) -> ConnectResult:
        """Complete a connect from WHOOP's redirect: check the state (single use, 10 minutes),
        exchange the code, read the profile, create or update the athlete by WHOOP user id (or
        link the chosen existing athlete), store the encrypted tokens.

        Raises:
            AuthError: bad/replayed/expired state, access denied, exchange refused; nothing stored.
            InputError: the chosen link athlete is already connected to another WHOOP account.
        """
        pending = oauth.consume_state(self.store, state)
        link = pending.link_athlete
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
            athlete_id, name, created = Store.link_whoop_account(con, uid, profile, link, full)
            self._save(con, athlete_id, uid, token)
            Store.set_connected_at(con, athlete_id, utcnow())
        self._drop_pending(athlete_id)      # an older grant's pending pair is void now
        self._cache.pop(athlete_id, None)
        return ConnectResult(athlete_id, name, uid, created, pending.account_id)

    def finish_connect_url(self, url: str, **kw: Any) -> ConnectResult:
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
            with _holding(self.lock, LOCK_TIMEOUT_S):
                try:
                    token = self.access_token(athlete_id)
                    revoked = oauth.revoke(self.settings, token)
                except (AuthError, NetworkError):   # refused or unreachable: forget the tokens anyway
                    revoked = False
                self.store.clear_tokens(athlete_id, DISCONNECTED, utcnow())
                self._drop_pending(athlete_id)
                self._cache.pop(athlete_id, None)
        except LockTimeout:
            raise TokenLockTimeout("another process holds the WHOOP token lock; try again") from None
        return revoked


@contextmanager
def _holding(lock: FileLock | AdvisoryLock, timeout_s: float) -> Iterator[None]:
    """Hold a ``store.lock`` for the block (acquire with ``timeout_s``, then release once).

    Raises:
        LockTimeout: another process held it for the whole ``timeout_s``.
    """
    lock.acquire(timeout=timeout_s)
    try:
        yield
    finally:
        lock.release()


def _lifetime(token: dict) -> float:
    """The lifetime (s) a token reply or stored pair declares: ``expires_in``, else 3600."""
    try:
        life = float(token.get("expires_in") or DEFAULT_LIFETIME_S)
    except (TypeError, ValueError):
        return float(DEFAULT_LIFETIME_S)
    return life if life > 0 else float(DEFAULT_LIFETIME_S)
