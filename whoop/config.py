"""Settings from the environment and ``.streamlit/secrets.toml``.

Precedence: environment variable, then ``.streamlit/secrets.toml`` (top-level keys), then the
default. Only names listed here are read.

==========================  ==========================================  =======================
name                        meaning                                     default
==========================  ==========================================  =======================
``WHOOP_DB``                the DuckDB file                             ``<repo>/data/whoop.duckdb``
==========================  ==========================================  =======================
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from whoop.errors import ConfigError

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
        raise ConfigError(f"{path}: not valid TOML ({exc.__class__.__name__}); fix or remove the file") from None


def setting(name: str, default: str | None = None) -> str | None:
    """The value of setting ``name``: environment first, then secrets.toml, then ``default``."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    value = _secrets().get(name)
    if value not in (None, ""):
        return str(value)
    return default


def db_path(override: str | os.PathLike | None = None) -> Path:
    """The database file: ``override`` (e.g. a ``--db`` flag), else ``WHOOP_DB``, else the default."""
    if override:
        return Path(override).expanduser()
    return Path(setting("WHOOP_DB") or DEFAULT_DB).expanduser()
