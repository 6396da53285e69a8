"""Settings from the environment and ``.streamlit/secrets.toml``.

Precedence: environment variable, then ``.streamlit/secrets.toml`` (top-level keys), then the
default. Only names listed here are read.

==========================  ==========================================  =======================
name                        meaning                                     default
==========================  ==========================================  =======================
``WHOOP_DB``                a DuckDB file or a ``postgresql://`` URL    ``<repo>/data/whoop.duckdb``
                            (the team deployment's shared store)
``WHOOP_CLIENT_ID``         client id of your app at WHOOP              (none: Connect disabled)
``WHOOP_CLIENT_SECRET``     its client secret (server side only)        (none: Connect disabled)
``WHOOP_REDIRECT_URI``      the redirect URI registered for the app     ``http://localhost:8501/``
``WHOOP_BASE_URL``          WHOOP's API host (the sandbox in tests)     ``https://api.prod.whoop.com``
``WHOOP_TOKEN_KEY``         Fernet key for tokens at rest (required     a 0600 file beside the DB
                            on PostgreSQL)
``WHOOP_SYNC_MAX_AGE_MIN``  background sync when last sync is older     ``60``
``WHOOP_SYNC_OVERLAP_DAYS`` incremental re-check window                 ``7``
``WHOOP_RATE_WINDOW_S``     WHOOP's rate-limit minute window (seconds;  ``60``
                            the sandbox's ``--rate-window-s``)
``WHOOP_ALLOWED_HOSTS``     extra host names the app answers to (comma   (none: loopback names,
                            separated; see :mod:`whoop.hosts`)           the redirect URI's host)
``WHOOP_SIGN_IN``           ``1``: every page needs a signed-in person   on with a PostgreSQL
                            (built-in accounts, ``python -m whoop user``) store or ``[auth]``
``WHOOP_PUBLIC_URL``        the app's public address, for invite links   the redirect URI
==========================  ==========================================  =======================

Register an app at https://developer-dashboard.whoop.com (WHOOP developer docs, "Getting
started") with the redirect URI above and the scopes listed in ``whoop.oauth.SCOPES``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from whoop.errors import ConfigError

if TYPE_CHECKING:     # config is imported at CLI start-up: httpx only for the annotation
    import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO_ROOT / "data" / "whoop.duckdb"
SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"


def _secrets() -> dict:
    """Top-level keys of ``.streamlit/secrets.toml``, or {} when the file is absent.

    Raises:
        ConfigError: the file exists but is not valid TOML (the message names the file, never values).
    """
    path = Path(os.environ.get("WHOOP_SECRETS_FILE", SECRETS_FILE))
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc.__class__.__name__}); "
                          "fix or remove the file") from None


def setting(name: str, default: str | None = None) -> str | None:
    """The value of setting ``name``: environment first, then secrets.toml, then ``default``."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    value = _secrets().get(name)
    if value not in (None, ""):
        return str(value)
    return default


def db_location(override: str | os.PathLike | None = None) -> Path | str:
    """The database: ``override`` (e.g. a ``--db`` flag), else ``WHOOP_DB``, else the default
    file. A ``postgresql://`` (or ``postgres://``) URL is returned as the string; anything else
    is a DuckDB file path."""
    raw = override or setting("WHOOP_DB") or DEFAULT_DB
    if isinstance(raw, str) and raw.lower().startswith(("postgresql://", "postgres://")):
        return raw
    return Path(raw).expanduser()


DEFAULT_BASE_URL = "https://api.prod.whoop.com"
DEFAULT_REDIRECT_URI = "http://localhost:8501/"
REGISTER_URL = "https://developer-dashboard.whoop.com"


@dataclass(frozen=True)
class WhoopSettings:
    """The WHOOP OAuth app settings. ``repr`` never shows the secret.

    Attributes:
        client_id, client_secret: the app's credentials (None when not configured).
        redirect_uri: where WHOOP sends the person back (must match the registration exactly).
        base_url: scheme + host of WHOOP (``https://api.prod.whoop.com``), no trailing slash.
        transport: the httpx transport of the OAuth calls (:mod:`whoop.http`); None = network.
    """

    client_id: str | None
    client_secret: str | None = field(repr=False)
    redirect_uri: str
    base_url: str
    transport: httpx.BaseTransport | None = field(default=None, repr=False, compare=False)

    @property
    def configured(self) -> bool:
        """True when both client id and secret are set."""
        return bool(self.client_id and self.client_secret)

    def missing(self) -> list[str]:
        """Names of the settings still missing for Connect to work."""
        return [n for n, v in (("WHOOP_CLIENT_ID", self.client_id),
                               ("WHOOP_CLIENT_SECRET", self.client_secret)) if not v]

    def require(self) -> WhoopSettings:
        """Self, or ConfigError saying exactly what to set and where.

        Raises:
            ConfigError: client id or secret missing.
        """
        missing = self.missing()
        if missing:
            raise ConfigError(
                f"WHOOP is not configured: set {' and '.join(missing)} in the environment or in "
                f"{SECRETS_FILE.relative_to(REPO_ROOT)} (see .streamlit/secrets.toml.example); "
                f"register an app at {REGISTER_URL} with redirect URI {self.redirect_uri}")
        return self


def is_loopback(host: str | None) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (the only hosts plain http may reach:
    bearer tokens and the client secret travel in every request)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def whoop_settings() -> WhoopSettings:
    """The WHOOP_* settings (environment, then secrets.toml, then defaults).

    Raises:
        ConfigError: secrets.toml is invalid, or WHOOP_BASE_URL is not an https URL (plain http
            only for a loopback host: localhost, 127.0.0.0/8, ::1, e.g. the local sandbox).
    """
    base = (setting("WHOOP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError("WHOOP_BASE_URL must start with https:// (or http:// for a local sandbox)")
    try:
        host = urlsplit(base).hostname
    except ValueError:
        host = None
    if not host:
        raise ConfigError("WHOOP_BASE_URL has no host; use https://api.prod.whoop.com")
    if base.startswith("http://") and not is_loopback(host):
        raise ConfigError(f"WHOOP_BASE_URL uses plain http:// for {host}: tokens would travel unencrypted; "
                          f"use https:// (plain http is only for a sandbox on localhost/127.0.0.1/::1)")
    return WhoopSettings(
        client_id=setting("WHOOP_CLIENT_ID"),
        client_secret=setting("WHOOP_CLIENT_SECRET"),
        redirect_uri=setting("WHOOP_REDIRECT_URI") or DEFAULT_REDIRECT_URI,
        base_url=base,
    )


def int_setting(name: str, default: int) -> int:
    """An integer setting.

    Raises:
        ConfigError: the value is not an integer.
    """
    raw = setting(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer") from None


def allowed_hosts() -> list[str]:
    """``WHOOP_ALLOWED_HOSTS``: the extra host names a served deployment answers to, comma
    separated (``"dash.example.com, 192.168.1.20"``), as a list ([] when unset). Names only:
    the Host header's port is checked against the Origin, not listed here.

    Raises:
        ConfigError: an entry is a pattern (``*``), a URL or carries a port.
    """
    raw = setting("WHOOP_ALLOWED_HOSTS") or ""
    names = [n.strip() for n in raw.split(",") if n.strip()]
    for name in names:
        bare = name.strip("[]")
        if "*" in name or "/" in name or (":" in bare and not _is_ip(bare)):
            raise ConfigError(f"WHOOP_ALLOWED_HOSTS lists host names only (no '*', scheme, path or "
                              f"port): {name!r}")
    return names


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def auth_settings() -> dict:
    """The ``[auth]`` table of ``.streamlit/secrets.toml`` (the settings of Streamlit's sign-in,
    ``st.login``: https://docs.streamlit.io/develop/concepts/connections/authentication), or {}
    when there is none. A flat table is one provider; sub-tables (``[auth.google]``) are named
    providers.

    Raises:
        ConfigError: secrets.toml is not valid TOML.
    """
    auth = _secrets().get("auth")
    return auth if isinstance(auth, dict) else {}


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has a non-empty ``[auth]`` table (:func:`auth_settings`).

    Raises:
        ConfigError: secrets.toml is not valid TOML.
    """
    return bool(auth_settings())


def sign_in_required() -> bool:
    """True when every page needs a signed-in person: the team deployment (a PostgreSQL
    ``WHOOP_DB``), an ``[auth]`` section in secrets.toml (Streamlit's ``st.login``), or
    ``WHOOP_SIGN_IN=1`` (built-in accounts on a DuckDB file). False for the personal localhost
    default.

    Raises:
        ConfigError: secrets.toml is not valid TOML.
    """
    if isinstance(db_location(), str) or auth_configured():
        return True
    return (setting("WHOOP_SIGN_IN") or "").strip().lower() in ("1", "true", "yes", "on")


def public_url() -> str:
    """The app's public address, the base of invite links: ``WHOOP_PUBLIC_URL``, else the origin
    of ``WHOOP_REDIRECT_URI`` (the app's own address at WHOOP), without a trailing slash."""
    explicit = setting("WHOOP_PUBLIC_URL")
    if explicit:
        return explicit.rstrip("/")
    parts = urlsplit(setting("WHOOP_REDIRECT_URI", DEFAULT_REDIRECT_URI) or DEFAULT_REDIRECT_URI)
    return f"{parts.scheme}://{parts.netloc}"
