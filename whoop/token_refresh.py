"""A WHOOP token refresh that survives the death of the process asking for it.

Once WHOOP has answered a refresh, the old refresh token is spent (refresh tokens rotate, WHOOP
developer docs "OAuth 2.0": https://developer.whoop.com/docs/developing/oauth), so the answer
must reach the disk whatever happens to the process that asked. A ``kill -9`` of a sync (or of the
app) between WHOOP's answer and the durable write used to lose the pair. So the request is sent
by a small helper process, ``python -m whoop.token_refresh``, started in its own session: a
signal to the sync (or to its terminal's process group) does not reach it. It

1. takes the in-flight lock ``<db>.tokens.inflight.lock`` (:mod:`whoop.token_sidecar`) and says
   ``locked`` on stdout;
2. reads one JSON request from stdin (settings, the refresh token, the key, where to write); at
   end of input (its requester died before asking) it exits without sending anything;
3. refreshes (:func:`whoop.oauth.refresh`, which retries once after an unreadable reply);
4. writes the new pair, encrypted, to ``<db>.tokens-<id>.pending`` (fsync file + folder);
5. only then reports ``{"ok": true}`` or ``{"error": ..., "message": ...}`` on stdout (a dead
   requester is ignored) and exits, which releases the in-flight lock.

The requester (:func:`refresh_detached`, called by ``whoop.tokens`` under the refresh lock)
waits for the report and commits the pending file to the database. If it dies instead, the
pending file is read and committed by the next process that needs the token: every refresh
decision first waits for the in-flight lock, so nobody sends the old refresh token while a
helper may still be spending it. What is left: a ``kill -9`` of the helper itself, or the
machine losing power, during the milliseconds between WHOOP's answer and the fsync.

Secrets travel only over the pipes (never argv or the environment of the helper); the helper
logs nothing and its messages never contain a token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from whoop.config import WhoopSettings
from whoop.crypto import fernet_from_key
from whoop.errors import AuthError, ReconnectNeeded
from whoop.token_sidecar import inflight_lock_path, write_sidecar

LOCK_TIMEOUT_S = 120.0     # another helper's refresh: at most two token requests of 30 s, plus startup
DEFAULT_LIFETIME_S = 3600  # WHOOP's documented expires_in, used when a reply has none
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def refresh_detached(settings: WhoopSettings, db: Path, key: bytes, athlete_id: int,
                     refresh_token: str, sidecar: Path) -> None:
    """Refresh ``refresh_token`` in a helper process; on return the new pair is in ``sidecar``.

    The caller holds the refresh lock of ``db``. If the caller dies while this runs, the helper
    still finishes and leaves the pair in ``sidecar``.

    Raises:
        ReconnectNeeded: WHOOP refused the refresh token (``invalid_grant``).
        AuthError: any other failure (the message says which; ``reconnect`` as WHOOP implied).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "whoop.token_refresh", str(db)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env, text=True, start_new_session=True,
                                close_fds=True)
    except OSError as exc:
        raise AuthError(f"could not start the token refresh ({exc.__class__.__name__}); try again") from None
    with proc:
        ready = proc.stdout.readline().strip()
        if ready != "locked":
            proc.stdin.close()
            raise AuthError("the token refresh could not start (another refresh of this database did not "
                            "finish in time); the stored tokens are kept: try again later")
        request = {"base_url": settings.base_url, "client_id": settings.client_id,
                   "client_secret": settings.client_secret, "redirect_uri": settings.redirect_uri,
                   "refresh_token": refresh_token, "key": key.decode("ascii"), "sidecar": str(sidecar),
                   "db": str(db), "athlete_id": int(athlete_id)}
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.close()
        except BrokenPipeError:
            raise AuthError("the token refresh stopped before it was sent; try again") from None
        report = proc.stdout.readline()
    try:
        outcome = json.loads(report)
    except ValueError:
        raise AuthError(f"the token refresh ended without a report (exit status {proc.returncode}); "
                        f"if WHOOP answered, its new tokens are kept beside the database") from None
    if outcome.get("ok"):
        return
    message = str(outcome.get("message") or "the token refresh failed")
    if outcome.get("error") == "reconnect":
        raise ReconnectNeeded(message)
    raise AuthError(message, reconnect=bool(outcome.get("reconnect")))


def _run(request: dict) -> dict:
    """Refresh and write the pending file; returns the report (never containing a token)."""
    from whoop import oauth

    settings = WhoopSettings(request["client_id"], request["client_secret"], request["redirect_uri"],
                             request["base_url"])
    try:
        token = oauth.refresh(settings, request["refresh_token"])
    except ReconnectNeeded as exc:
        return {"error": "reconnect", "message": str(exc)}
    except AuthError as exc:
        return {"error": "auth", "message": str(exc), "reconnect": exc.reconnect}
    at = datetime.now(timezone.utc)
    try:
        lifetime = float(token.get("expires_in") or DEFAULT_LIFETIME_S)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME_S
    token["expires_in"] = lifetime
    try:
        write_sidecar(Path(request["sidecar"]), fernet_from_key(request["key"].encode("ascii")), token,
                      at + timedelta(seconds=lifetime), at)
    except OSError as exc:
        return {"error": "reconnect", "message": f"WHOOP refreshed access but the new tokens could not be "
                f"saved beside the database ({exc.strerror or exc.__class__.__name__}); connect again"}
    return {"ok": True}


def main(argv: list[str] | None = None) -> int:
    """The helper process: ``python -m whoop.token_refresh DB`` (see the module docstring).
    Exit status 0, or 1 when the in-flight lock stayed taken (nothing was sent)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        lock = FileLock(str(inflight_lock_path(Path(args[0]))), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except (IndexError, Timeout, OSError):
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
