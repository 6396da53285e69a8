"""Files beside the database that keep a rotated WHOOP token pair safe until the database holds it.

* ``<db>.tokens-<athlete_id>.pending``: the newest pair of one athlete, encrypted with the
  database's Fernet key (``whoop.crypto``), mode 0600. Written to a temporary file, fsynced,
  renamed over the old one (atomic on POSIX, ``rename(2)``), then the folder is fsynced so the
  rename itself survives a crash. A reader sees the old file or the new one, never a torn one.
* ``<db>.tokens.inflight.lock``: held (``filelock``) by the process that is talking to WHOOP's
  token endpoint, from before the request is sent until the reply is in the pending file. Whoever
  decides whether to refresh waits for it first, so a refresh whose requester was killed is
  finished (and its pair read) before anyone sends the old refresh token again.

This module imports no database code: the refresh helper process (``whoop.token_refresh``)
uses it and must start fast.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet

from whoop.crypto import decrypt, encrypt
from whoop.errors import ReconnectNeeded


def sidecar_path(db: Path, athlete_id: int) -> Path:
    """``<db>.tokens-<athlete_id>.pending``."""
    return db.with_name(f"{db.name}.tokens-{int(athlete_id)}.pending")


def inflight_lock_path(db: Path) -> Path:
    """``<db>.tokens.inflight.lock``: held while a refresh request is between send and durable reply."""
    return db.with_name(f"{db.name}.tokens.inflight.lock")


def fsync_dir(folder: Path) -> None:
    """fsync a folder so a rename or unlink inside it is durable (a no-op where unsupported)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass          # a filesystem without directory fsync: the rename is still atomic
    finally:
        os.close(dfd)


def write_sidecar(path: Path, fernet: Fernet, token: dict, expires: datetime, at: datetime) -> None:
    """Durably write ``token`` (``access_token``, ``refresh_token``, ``scope``, ``expires_in``) with
    its expiry and the instant it was received (tz-aware UTC) to ``path``, encrypted, mode 0600.

    Raises:
        OSError: the file cannot be written (disk full, permissions).
    """
    body = encrypt(fernet, json.dumps({
        "access_token": token["access_token"], "refresh_token": token.get("refresh_token"),
        "scope": token.get("scope"), "expires_in": token.get("expires_in"),
        "expires_at": expires.isoformat(), "written_at": at.isoformat()}))
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, body.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read_sidecar(path: Path, fernet: Fernet) -> dict | None:
    """The pair in ``path`` (keys of :func:`write_sidecar`, ``expires_at``/``written_at`` as
    datetimes), or None when there is none or it cannot be read (another key, a foreign file)."""
    try:
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        side = json.loads(decrypt(fernet, text))
        side["expires_at"] = datetime.fromisoformat(side["expires_at"])
        side["written_at"] = datetime.fromisoformat(side["written_at"])
        return side
    except (ReconnectNeeded, ValueError, KeyError, TypeError):
        return None


def drop_sidecar(path: Path) -> None:
    """Remove ``path`` (and make the removal durable); missing is fine."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)
