"""The project's exception tree. Every error a person can cause or meet is one of these.

::

    WhoopError                      root; ``str(err)`` is a complete, person-readable message
    ├── InputError                  bad input given by a person (CLI flag, form value, date)
    │   └── ExportFormatError       an export file WHOOP did not write, or one we cannot read;
    │                               carries ``file``, ``line`` (1-based, header = 1) and ``column``
    ├── StoreError                  the database cannot be used
    │   ├── DatabaseBusyError       another process holds the DuckDB write lock; retry later
    │   └── TokenLockTimeout        another process held the WHOOP token lock past the timeout
    ├── SyncRunningError            a sync of that athlete is already running; retry when it ends
    ├── ConfigError                 missing or invalid settings (env / .streamlit/secrets.toml)
    ├── SignInError                 a sign-in refused (wrong name or password, locked, no access)
    ├── AuthError                   OAuth failures; ``reconnect`` says whether reconnecting helps
    │   └── ReconnectNeeded         the refresh token is dead (``invalid_grant``) or access revoked
    └── ApiError                    WHOOP API answered with an error; ``status`` and ``retry_after_s``
        ├── RateLimitError          429s beyond the retry budget; ``retry_after_s`` says when to retry
        └── NetworkError            timeouts / dropped connections beyond the retry budget

Messages never contain tokens, secrets or health values beyond what the person typed.
"""

from __future__ import annotations


class WhoopError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(WhoopError):
    """A person gave input we cannot use (a flag, a date, a form value)."""


class ExportFormatError(InputError):
    """An export file is not in a format we can read.

    Attributes:
        file: the file name as the person knows it (e.g. ``my_whoop_data_2025_02_16.zip:sleeps.csv``).
        line: 1-based physical line in the file (the header is line 1), or None.
        column: the header name of the offending field, or None.
        reason: the message without the location prefix.
    """

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        where = []
        if file:
            where.append(file)
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)


class StoreError(WhoopError):
    """The database file cannot be opened, migrated or written."""


class DatabaseBusyError(StoreError):
    """Another process is writing the database; the caller may retry later."""


class TokenLockTimeout(StoreError):
    """Another process held the WHOOP token lock (a refresh, a connect) for the whole lock
    timeout; the stored tokens are unchanged, the caller may retry later."""


class SyncRunningError(WhoopError):
    """A sync of the athlete is already running (another process, thread or worker); the caller
    may retry when it ends."""


class SignInError(WhoopError):
    """A person could not sign in or may not see what they asked for; the message says what to do
    and never which of name or password was wrong."""


class ConfigError(WhoopError):
    """Settings are missing or invalid; the message says what to set and where."""


class AuthError(WhoopError):
    """OAuth went wrong. ``reconnect`` is True when connecting again is what helps."""

    def __init__(self, message: str, *, reconnect: bool = False) -> None:
        self.reconnect = reconnect
        super().__init__(message)


class ReconnectNeeded(AuthError):
    """The stored grant is no longer valid (refresh refused or access revoked)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reconnect=True)


class ApiError(WhoopError):
    """The WHOOP API returned an error we do not retry (or stopped retrying).

    Attributes:
        status: HTTP status code, or None when no response came.
        retry_after_s: seconds after which a retry makes sense, or None.
    """

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after_s: float | None = None) -> None:
        self.status = status
        self.retry_after_s = retry_after_s
        super().__init__(message)


class RateLimitError(ApiError):
    """WHOOP kept answering 429 beyond the client's retry budget."""


class NetworkError(ApiError):
    """Timeouts or dropped connections beyond the client's retry budget."""
