"""The one HTTP stack every request to WHOOP goes through: the API client
(:class:`whoop.client.WhoopClient`), the OAuth token endpoint and revocation (:mod:`whoop.oauth`).

One :class:`httpx.Client` factory, so every WHOOP request has the same User-Agent, timeout,
transport rule and the same refusal of plain http to a non-loopback host (bearer tokens and the
client secret travel in these requests). ``transport`` is injectable (an ``httpx.MockTransport``
or ``httpx.WSGITransport`` in a test); None is the real network.
"""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from whoop.config import is_loopback
from whoop.errors import ConfigError

USER_AGENT = "whoop-dashboard/1 (+self-hosted)"
TIMEOUT_S = 30.0


def require_secure(base_url: str) -> str:
    """``base_url`` without a trailing slash, when it is https:// or http:// to a loopback host.

    Raises:
        ConfigError: any other scheme, or plain http to a host that is not loopback.
    """
    url = urlparse(base_url)
    if url.scheme == "https" or (url.scheme == "http" and is_loopback(url.hostname)):
        return base_url.rstrip("/")
    raise ConfigError(f"WHOOP's address must be https:// (plain http only for a loopback sandbox), "
                      f"not {url.scheme or 'no scheme'}://{url.hostname or ''}")


def whoop_http(base_url: str, *, transport: httpx.BaseTransport | None = None,
               timeout_s: float = TIMEOUT_S, accept_json: bool = True) -> httpx.Client:
    """A new :class:`httpx.Client` for ``base_url`` (a URL prefix of WHOOP's, checked by
    :func:`require_secure`); the caller closes it (``with whoop_http(...) as http``).

    Raises:
        ConfigError: ``base_url`` is not https (nor http to loopback).
    """
    headers = {"User-Agent": USER_AGENT}
    if accept_json:
        headers["Accept"] = "application/json"
    return httpx.Client(base_url=require_secure(base_url), transport=transport,
                        timeout=httpx.Timeout(timeout_s), headers=headers)
