"""Where a rotated WHOOP token pair waits, encrypted, until the database row holds it: the
"pending pair" of :mod:`whoop.tokens`, behind one interface (:class:`PendingPairs`) with two
implementations.

* :class:`FilePendingPairs` (a DuckDB database, whose file another process may hold locked):
  ``<db>.tokens-<athlete_id>.pending``, the newest pair of one athlete, mode 0600. Written to a
  temporary file, fsynced, renamed over the old one (atomic on POSIX, ``rename(2)``), then the
  folder is fsynced so the rename itself survives a crash. A reader sees the old file or the new
  one, never a torn one.
* :class:`StorePendingPairs` (PostgreSQL, always writable, and with no folder to write beside):
  the row of ``athlete_id`` in the table ``token_pending``, written in its own committed
  transaction (``whoop.store.Store.save_pending_token``). No file anywhere.

Both hold the same text: the pair with its expiry and the instant WHOOP's answer was received
(``written_at``), encrypted with the database's Fernet key (``whoop.crypto``) like the row.

The in-flight lock, ``store.lock("tokens.inflight")`` (a file ``<db>.tokens.inflight.lock`` beside
a DuckDB file, a session advisory lock on PostgreSQL), is held by the process that is talking to
WHOOP's token endpoint, from before the request is sent until the reply is a pending pair.
Whoever decides whether to refresh waits for it first, so a refresh whose requester was killed is
finished (and its pair read) before anyone sends the old refresh token again.

This module imports no database code at import time: the refresh helper process
(``whoop.token_refresh``) uses it and must start fast on a DuckDB file.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet

from whoop.config import db_location
from whoop.crypto import decrypt, encrypt
from whoop.errors import ReconnectNeeded

if TYPE_CHECKING:
    from filelock import FileLock

    from whoop.store import Store
    from whoop.store.base import AdvisoryLock

REFRESH_LOCK = "tokens"             # store.lock name: one refresh at a time per database
INFLIGHT_LOCK = "tokens.inflight"   # store.lock name: a refresh request between send and durable reply


def sidecar_path(db: Path, athlete_id: int) -> Path:
    """``<db>.tokens-<athlete_id>.pending``."""
    return db.with_name(f"{db.name}.tokens-{int(athlete_id)}.pending")


def inflight_lock_path(db: Path) -> Path:
    """``<db>.tokens.inflight.lock``: the file of ``Store(db).lock("tokens.inflight")``."""
    return db.with_name(f"{db.name}.{INFLIGHT_LOCK}.lock")


def inflight_lock(location: str) -> FileLock | AdvisoryLock:
    """The in-flight lock of the database at ``location`` (a DuckDB file path or a
    ``postgresql://`` URL), as ``Store(location).lock("tokens.inflight")`` gives it: on a file,
    the same ``filelock`` without importing the store (the helper starts faster).

    Raises:
        StoreError: (PostgreSQL, on ``acquire``) the database cannot be reached.
    """
    where = db_location(location)
    if isinstance(where, str):
        from whoop.store import Store
        return Store(where).lock(INFLIGHT_LOCK)
    from filelock import FileLock
    return FileLock(str(inflight_lock_path(where)))


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


def seal_pair(fernet: Fernet, token: dict, expires: datetime, at: datetime) -> str:
    """The encrypted text of a pending pair: ``token`` (``access_token``, ``refresh_token``,
    ``scope``, ``expires_in`` s) with its expiry and the instant it was received (tz-aware UTC)."""
    return encrypt(fernet, json.dumps({
        "access_token": token["access_token"], "refresh_token": token.get("refresh_token"),
        "scope": token.get("scope"), "expires_in": token.get("expires_in"),
        "expires_at": expires.isoformat(), "written_at": at.isoformat()}))


def open_pair(fernet: Fernet, text: str | None) -> dict | None:
    """The pair sealed in ``text`` (keys of :func:`seal_pair`, ``expires_at``/``written_at`` as
    datetimes), or None when there is none or it cannot be read (another key, foreign text)."""
    if not text:
        return None
    try:
        side = json.loads(decrypt(fernet, text))
        side["expires_at"] = datetime.fromisoformat(side["expires_at"])
        side["written_at"] = datetime.fromisoformat(side["written_at"])
        return side
    except (ReconnectNeeded, ValueError, KeyError, TypeError):
        return None


def write_sidecar(path: Path, fernet: Fernet, token: dict, expires: datetime, at: datetime) -> None:
    """Durably write ``token`` (see :func:`seal_pair`) to ``path``, encrypted, mode 0600.

    Raises:
        OSError: the file cannot be written (disk full, permissions).
    """
    body = seal_pair(fernet, token, expires, at)
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
    """The pair in ``path`` (see :func:`open_pair`), or None when there is none or it cannot be read."""
    try:
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    return open_pair(fernet, text)


def drop_sidecar(path: Path) -> None:
    """Remove ``path`` (and make the removal durable); missing is fine."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)


class PendingPairs:
    """The pending pairs of one database (see the module docstring).

    Attributes:
        where: where they are kept, for messages (no secret).
    """

    where = ""

    def present(self, athlete_id: int) -> bool:
        """True when ``athlete_id`` may have a pending pair (a cheap check before the lock)."""
        raise NotImplementedError

    def read(self, athlete_id: int) -> dict | None:
        """The pending pair of ``athlete_id`` (see :func:`open_pair`), or None."""
        raise NotImplementedError

    def drop(self, athlete_id: int, upto: datetime | None = None) -> None:
        """Remove the pending pair of ``athlete_id`` (where it can be told apart: only one
        written at or before ``upto``)."""
        raise NotImplementedError

    def target(self, athlete_id: int) -> dict:
        """What the refresh helper process needs to write the pair (JSON, no secret):
        ``{"kind": "file", "path": ...}`` or ``{"kind": "database"}``."""
        raise NotImplementedError


class FilePendingPairs(PendingPairs):
    """Pending pairs in files beside the DuckDB file ``db`` (:func:`sidecar_path`)."""

    where = "in a file beside the database"

    def __init__(self, db: Path, fernet: Fernet) -> None:
        self.db, self.fernet = db, fernet

    def path(self, athlete_id: int) -> Path:
        """``<db>.tokens-<athlete_id>.pending``."""
        return sidecar_path(self.db, athlete_id)

    def present(self, athlete_id: int) -> bool:
        return self.path(athlete_id).exists()

    def read(self, athlete_id: int) -> dict | None:
        return read_sidecar(self.path(athlete_id), self.fernet)

    def drop(self, athlete_id: int, upto: datetime | None = None) -> None:
        drop_sidecar(self.path(athlete_id))

    def target(self, athlete_id: int) -> dict:
        return {"kind": "file", "path": str(self.path(athlete_id))}


class StorePendingPairs(PendingPairs):
    """Pending pairs in the ``token_pending`` table of ``store`` (a ``whoop.store.Store`` on
    PostgreSQL; its methods raise StoreError/DatabaseBusyError when it cannot be reached)."""

    where = "in the database (table token_pending)"

    def __init__(self, store: Store, fernet: Fernet) -> None:
        self.store, self.fernet = store, fernet

    def present(self, athlete_id: int) -> bool:
        return self.store.pending_token(athlete_id) is not None

    def read(self, athlete_id: int) -> dict | None:
        row = self.store.pending_token(athlete_id)
        return open_pair(self.fernet, row[0]) if row is not None else None

    def drop(self, athlete_id: int, upto: datetime | None = None) -> None:
        self.store.drop_pending_token(athlete_id, upto)

    def target(self, athlete_id: int) -> dict:
        return {"kind": "database"}
