"""A WHOOP token refresh that survives the death of the process asking for it.

Once WHOOP has answered a refresh, the old refresh token is spent (refresh tokens rotate, WHOOP
developer docs "OAuth 2.0": https://developer.whoop.com/docs/developing/oauth), so the answer
must reach the disk whatever happens to the process that asked. A ``kill -9`` of a sync (or of the
app) between WHOOP's answer and the durable write would lose the pair were that process the one
sending the request. So the request is sent by a small helper process,
``python -m whoop.token_refresh``, started in its own session: a signal to the sync (or to its
terminal's process group) does not reach it. It

1. reads the database's location from stdin (one JSON line: the DuckDB file or the PostgreSQL
   URL, which may hold a password, so never on its command line), takes the in-flight lock
   ``store.lock("tokens.inflight")`` of that database (:func:`whoop.token_sidecar.inflight_lock`:
   the file ``<db>.tokens.inflight.lock``, or a PostgreSQL advisory lock) and says ``locked``;
2. reads one JSON request from stdin (settings, the refresh token, the key, where to write the
   pending pair); at end of input (its requester died before asking) it exits without sending
   anything;
3. refreshes (:func:`whoop.oauth.refresh`, which retries once after an unreadable reply);
4. writes the new pair, encrypted, as the pending pair (:mod:`whoop.token_sidecar`): on a DuckDB
   file to ``<db>.tokens-<id>.pending`` (fsync file + folder); on PostgreSQL to the
   ``token_pending`` row, committed (retried for up to ``PENDING_WRITE_S``);
5. only then reports ``{"ok": true}`` or ``{"error": ..., "message": ...}`` on stdout (a dead
   requester is ignored) and exits, which releases the in-flight lock.

The requester (:func:`refresh_detached`, called by ``whoop.tokens`` under the refresh lock)
waits for the report and commits the pending pair to the connection row. If it dies instead,
the pending pair is read and committed by the next process that needs the token: every refresh
decision first waits for the in-flight lock, so nobody sends the old refresh token while a
helper may still be spending it. What is left: a ``kill -9`` of the helper itself, or the
machine losing power, during the milliseconds between WHOOP's answer and the durable write.

Secrets (tokens, the key, a database password) travel only over the pipes (never argv, nor an
environment the helper is given beyond its requester's own); the helper logs nothing and its
messages never contain a token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tenacity import Retrying, stop_after_delay, wait_exponential

from whoop.config import WhoopSettings
from whoop.crypto import fernet_from_key
from whoop.errors import AuthError, NetworkError, ReconnectNeeded
from whoop.token_sidecar import inflight_lock, seal_pair, write_sidecar

LOCK_TIMEOUT_S = 120.0     # another helper's refresh: at most two token requests of 30 s, plus startup
DEFAULT_LIFETIME_S = 3600  # WHOOP's documented expires_in, used when a reply has none
PENDING_WRITE_S = 20.0     # how long the helper retries writing a pending pair to PostgreSQL
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def refresh_detached(settings: WhoopSettings, location: str, key: bytes, athlete_id: int,
                     refresh_token: str, pending: dict) -> None:
    """Refresh ``refresh_token`` in a helper process; on return the new pair is the pending pair
    of ``athlete_id``, written where ``pending`` says (``PendingPairs.target``: a file, or the
    database at ``location``, a DuckDB file path or a ``postgresql://`` URL).

    The caller holds the refresh lock of the database. If the caller dies while this runs, the
    helper still finishes and leaves the pending pair.

    Raises:
        ReconnectNeeded: WHOOP refused the refresh token (``invalid_grant``).
        AuthError: any other failure (the message says which; ``reconnect`` as WHOOP implied).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "whoop.token_refresh"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env, text=True, start_new_session=True,
                                close_fds=True)
    except OSError as exc:
        raise AuthError(f"could not start the token refresh ({exc.__class__.__name__}); try again") from None
    with proc:
        stdin, stdout = proc.stdin, proc.stdout
        if stdin is None or stdout is None:     # both are pipes (PIPE above)
            raise AuthError("the token refresh started without its pipes; try again")
        try:
            stdin.write(json.dumps({"location": str(location)}) + "\n")
            stdin.flush()
        except BrokenPipeError:
            pass                # it died at once: said below, as it never says "locked"
        ready = stdout.readline().strip()
        if ready != "locked":
            stdin.close()
            raise AuthError("the token refresh could not start (another refresh of this database did not "
                            "finish in time, or the database could not be reached); the stored tokens are "
                            "kept: try again later")
        request = {"base_url": settings.base_url, "client_id": settings.client_id,
                   "client_secret": settings.client_secret, "redirect_uri": settings.redirect_uri,
                   "refresh_token": refresh_token, "key": key.decode("ascii"), "pending": pending,
                   "location": str(location), "athlete_id": int(athlete_id)}
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.close()
        except BrokenPipeError:
            raise AuthError("the token refresh stopped before it was sent; try again") from None
        report = stdout.readline()
    try:
        outcome = json.loads(report)
    except ValueError:
        raise AuthError(f"the token refresh ended without a report (exit status {proc.returncode}); "
                        f"if WHOOP answered, its new tokens are kept as a pending pair") from None
    if outcome.get("ok"):
        return
    message = str(outcome.get("message") or "the token refresh failed")
    if outcome.get("error") == "reconnect":
        raise ReconnectNeeded(message)
    if outcome.get("error") == "network":
        raise NetworkError(message)
    raise AuthError(message, reconnect=bool(outcome.get("reconnect")))


def _run(request: dict) -> dict:
    """Refresh and write the pending pair; returns the report (never containing a token)."""
    from whoop import oauth

    settings = WhoopSettings(request["client_id"], request["client_secret"], request["redirect_uri"],
                             request["base_url"])
    try:
        token = oauth.refresh(settings, request["refresh_token"])
    except ReconnectNeeded as exc:
        return {"error": "reconnect", "message": str(exc)}
    except AuthError as exc:
        return {"error": "auth", "message": str(exc), "reconnect": exc.reconnect}
    except NetworkError as exc:
        return {"error": "network", "message": str(exc)}
    at = datetime.now(UTC)
    try:
        lifetime = float(token.get("expires_in") or DEFAULT_LIFETIME_S)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME_S
    token["expires_in"] = lifetime
    fernet = fernet_from_key(request["key"].encode("ascii"))
    target = request["pending"]
    if target.get("kind") == "file":
        try:
            write_sidecar(Path(target["path"]), fernet, token, at + timedelta(seconds=lifetime), at)
        except OSError as exc:
            return {"error": "reconnect",
                    "message": f"WHOOP refreshed access but the new tokens could not be "
                    f"saved beside the database ({exc.strerror or exc.__class__.__name__}); connect again"}
        return {"ok": True}
    try:
        _save_pending_row(request["location"], int(request["athlete_id"]),
                          seal_pair(fernet, token, at + timedelta(seconds=lifetime), at), at)
    except Exception as exc:  # noqa: BLE001 - any failure after the retries: said, without details
        return {"error": "reconnect", "message": f"WHOOP refreshed access but the new tokens could not be "
                f"saved in the database ({exc.__class__.__name__}); connect again"}
    return {"ok": True}


def _save_pending_row(location: str, athlete_id: int, sealed: str, at: datetime) -> None:
    """Commit the sealed pair to the ``token_pending`` row of the database at ``location``,
    retrying for up to ``PENDING_WRITE_S`` (the old refresh token is spent: this is the pair).

    Raises:
        the last failure (StoreError, DatabaseBusyError, a driver error) once the time is up.
    """
    from whoop.store import Store

    store = Store(location)
    for attempt in Retrying(stop=stop_after_delay(PENDING_WRITE_S), wait=wait_exponential(0.1, max=2.0),
                            reraise=True):
        with attempt:
            store.save_pending_token(athlete_id, sealed, at)


def main() -> int:
    """The helper process: ``python -m whoop.token_refresh``, location and request on stdin (see
    the module docstring). Exit status 0, or 1 when no location came or the in-flight lock
    stayed taken or unreachable (nothing was sent)."""
    try:
        location = str(json.loads(sys.stdin.readline())["location"])
        if not location:
            return 1
        lock = inflight_lock(location)
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - no location (requester died), Timeout, OSError, StoreError
        return 1
    try:
        _say("locked")
        line = sys.stdin.readline()
        if not line.strip():
            return 0          # the requester died before asking: nothing was sent
        try:
            report = _run(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - a report, never a traceback with a token in it
            report = {"error": "auth", "message": f"the token refresh failed ({exc.__class__.__name__})"}
        _say(json.dumps(report))
        return 0
    finally:
        lock.release()


def _say(line: str) -> None:
    """One line to the requester; a requester that died is not an error."""
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
