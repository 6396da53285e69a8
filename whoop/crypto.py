"""Token encryption at rest (cryptography's Fernet) and log redaction.

The key comes from ``WHOOP_TOKEN_KEY`` (a urlsafe-base64 Fernet key, from the environment or
``.streamlit/secrets.toml``: ``whoop.config.setting``), never from inside the database. When it is
unset, a DuckDB database gets a key file created once beside it (``<db file>.key``, mode 0600);
a PostgreSQL database has no file to sit beside, so there the setting is required (every app and
worker process of one database needs the same key) and its absence is a ConfigError saying how
to make one. Losing the key only means connecting again: the tokens cannot be decrypted, nothing
else is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from whoop.config import setting
from whoop.errors import ConfigError, ReconnectNeeded


def key_path(db_file: Path) -> Path:
    """The key file used for ``db_file`` when WHOOP_TOKEN_KEY is unset: ``<db file>.key``."""
    return db_file.with_name(db_file.name + ".key")


def _read_or_create_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            data = path.read_bytes().strip()
            if data:
                return data
            time.sleep(0.05)  # another process is writing it right now
            continue
        key = Fernet.generate_key()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())     # tokens encrypted with it must not outlive it
        os.chmod(path, 0o600)
        return key
    raise ConfigError(f"the token key file {path} is empty; delete it and connect again")


#: How to make a key, for messages.
MAKE_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


def fernet_key_for(db_file: Path | None) -> bytes:
    """The Fernet key (urlsafe base64) for tokens of a database: WHOOP_TOKEN_KEY (environment or
    secrets.toml) when set, else the key file beside the DuckDB file ``db_file`` (created on
    first use). ``db_file`` None means a database without a file (PostgreSQL): the setting is
    then required.

    Raises:
        ConfigError: WHOOP_TOKEN_KEY is unset for a database without a file (the message says
            how to make a key), or the key file stays empty.
    """
    env_key = setting("WHOOP_TOKEN_KEY")
    if env_key:
        return env_key.strip().encode()
    if db_file is None:
        raise ConfigError(
            "WHOOP_TOKEN_KEY is not set: a PostgreSQL database has no folder for a token key file, so the "
            "key that encrypts WHOOP tokens must come from the environment or .streamlit/secrets.toml. "
            f"Make one with: {MAKE_KEY} and give the same WHOOP_TOKEN_KEY to every app and worker "
            "process of this database")
    return _read_or_create_key(key_path(db_file))


def invite_key(db_file: Path | None) -> bytes:
    """The HMAC-SHA256 key that signs invite links (:mod:`whoop.invites`), derived from the
    token key of the database (:func:`fernet_key_for`), so no second secret needs handing out.

    Raises:
        ConfigError: as :func:`fernet_key_for`.
    """
    return hmac.new(fernet_key_for(db_file), b"whoop-dashboard invite links v1", hashlib.sha256).digest()


def fernet_from_key(key: bytes) -> Fernet:
    """A Fernet for ``key``.

    Raises:
        ConfigError: ``key`` is not a valid Fernet key.
    """
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise ConfigError("WHOOP_TOKEN_KEY is not a Fernet key (32 urlsafe-base64 bytes); make one "
                          f"with: {MAKE_KEY}") from None


def encrypt(f: Fernet, text: str) -> str:
    """Encrypt ``text`` to a Fernet token (ASCII)."""
    return f.encrypt(text.encode()).decode("ascii")


def decrypt(f: Fernet, blob: str) -> str:
    """Decrypt a Fernet token.

    Raises:
        ReconnectNeeded: the key changed or the blob was tampered with.
    """
    try:
        return f.decrypt(blob.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise ReconnectNeeded("the stored WHOOP tokens cannot be decrypted (the token key changed); "
                              "connect again") from None


# -- logging hygiene ---------------------------------------------------------------------------
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)((?:access_token|refresh_token|client_secret|code|state)[\"']?\s*[:=]\s*[\"']?)"
               r"[^\s\"'&,}]+"),
]
_SECRETS: set[str] = set()


def remember_secret(value: str | None) -> None:
    """Add a literal (a token, a client secret) that the log filter must always redact."""
    if value and len(value) >= 6:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with bearer tokens, ``access_token=...``-style values and remembered secrets
    replaced by ``***``."""
    for secret in list(_SECRETS):
        if secret in text:
            text = text.replace(secret, "***")
    for pat in _PATTERNS:
        text = pat.sub(lambda m: m.group(1) + "***", text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that formats the record and redacts it (see :func:`redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the app
            return True
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, ()
        return True


_INSTALLED = False


def install_log_redaction() -> None:
    """Attach :class:`RedactingFilter` to the root handlers and to the loggers of the HTTP and
    OAuth libraries, and keep requests-oauthlib/oauthlib (which log token bodies at DEBUG) at INFO."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    filt = RedactingFilter()
    for name in ("", "whoop", "httpx", "httpcore", "requests_oauthlib", "oauthlib", "urllib3"):
        logger = logging.getLogger(name)
        logger.addFilter(filt)
        for h in logger.handlers:
            h.addFilter(filt)
    for name in ("requests_oauthlib", "oauthlib", "httpcore"):
        logging.getLogger(name).setLevel(logging.INFO)
