"""Who may talk to the app: the pure Host / Origin rules behind :mod:`whoop.ui.origin`.

Two attacks reach a dashboard that listens on localhost:

* DNS rebinding: a web page on ``http://evil.example:8501/`` whose name later resolves to
  127.0.0.1 is, for the browser, a page of evil.example talking to its own server; the request
  carries ``Host: evil.example:8501``. Refusing every Host that is not a known name of this app
  stops it (https://en.wikipedia.org/wiki/DNS_rebinding; Streamlit's ``server.allowedHosts``,
  https://docs.streamlit.io/develop/api-reference/configuration/config.toml).
* A page served by another program on another local port (``http://localhost:3000``) opening
  ``ws://localhost:8501/_stcore/stream``: the browser sends ``Origin: http://localhost:3000``.
  Streamlit compares only host names for loopback origins, so the app itself requires the
  Origin to be the same origin as the Host: scheme, host and port (RFC 6454, "The Web Origin
  Concept", sections 4 and 5, https://www.rfc-editor.org/rfc/rfc6454).

A third rule: the app refuses to serve on a non-loopback address (``0.0.0.0``, a LAN IP) unless
sign-in is configured. Nothing here reads settings; :mod:`whoop.config` and :mod:`whoop.ui.origin`
pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from whoop.config import is_loopback

#: the names of this machine a browser may use: RFC 6761 section 6.3 (localhost), the IPv4 and
#: IPv6 loopback addresses (RFC 5735, RFC 4291 section 2.5.3). ``::1`` without brackets: that is
#: how Streamlit's ``is_host_allowed`` and :func:`host_name` parse ``Host: [::1]:8501``.
LOOPBACK_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_name(name: str) -> str:
    """A host name as compared: lower case, without a trailing dot or IPv6 brackets."""
    return name.strip().strip("[]").lower().rstrip(".")


def host_name(host: str | None) -> tuple[str, int | None] | None:
    """``(name, port)`` of a ``Host`` header value (``"localhost:8501"``, ``"[::1]:8501"``,
    ``"example.com"``), or None when it is missing or not a bare host[:port] (user info, a path,
    a bad port), the way Streamlit's ``is_host_allowed`` parses it."""
    if not host:
        return None
    try:
        parts = urlsplit(f"//{host}")
        port = parts.port
    except ValueError:
        return None
    if (not parts.hostname or parts.username is not None or parts.password is not None
            or parts.path or parts.query or parts.fragment):
        return None
    return normalise_name(parts.hostname), port


def allowed_names(*, server_address: str | None = None, redirect_uri: str | None = None,
                  extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names the app answers to.

    Args:
        server_address: Streamlit's ``browser.serverAddress`` (the name people open); counted
            when it is not a loopback name.
        redirect_uri: ``WHOOP_REDIRECT_URI``; its host counts when it is not a loopback name
            (a served deployment registers its public address there).
        extra: names listed explicitly (``WHOOP_ALLOWED_HOSTS``).

    Returns:
        :data:`LOOPBACK_NAMES` plus those names, normalised (:func:`normalise_name`).
    """
    names = set(LOOPBACK_NAMES)
    if server_address and not is_loopback(normalise_name(server_address)):
        names.add(normalise_name(server_address))
    if redirect_uri:
        try:
            host = urlsplit(redirect_uri).hostname
        except ValueError:
            host = None
        if host and not is_loopback(host):
            names.add(normalise_name(host))
    names.update(normalise_name(n) for n in extra if n.strip())
    return frozenset(names)


def same_origin(origin: str | None, host: str | None) -> bool:
    """True when the ``Origin`` header names the same origin as the ``Host`` header: an http(s)
    origin with the same host name and the same port (RFC 6454 section 5; a missing port is the
    scheme's default, 80 or 443). A missing, ``null`` or non-http origin is never the same.

    The Host header carries no scheme; a same-origin page opens ``ws://`` from ``http://`` and
    ``wss://`` from ``https://``, so the Host's default port is taken from the Origin's scheme.
    """
    parsed_host = host_name(host)
    if not origin or parsed_host is None:
        return False
    try:
        parts = urlsplit(origin.strip())
        origin_port = parts.port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return False
    default = _DEFAULT_PORTS[scheme]
    name, port = parsed_host
    return (normalise_name(parts.hostname) == name
            and (origin_port or default) == (port or default))


def request_refusal(headers: Mapping[str, str], allowed: Iterable[str]) -> str | None:
    """Why a browser session must be refused, or None when it may proceed.

    Args:
        headers: the websocket handshake's headers (case-insensitive mapping, e.g.
            ``st.context.headers``); an empty mapping means no browser session (a script run
            without a connection, e.g. ``streamlit.testing``) and is not refused.
        allowed: the allowed host names (:func:`allowed_names`).

    Returns:
        A plain-text reason naming the header (escape it before showing it as Markdown), or None.
    """
    if not headers:
        return None
    host = headers.get("Host")
    parsed = host_name(host)
    allowed = {normalise_name(n) for n in allowed}
    if parsed is None or parsed[0] not in allowed:
        return (f"This app does not answer to the address {host!r}. Open it at the address it "
                f"is served on; a served deployment lists its public name in WHOOP_ALLOWED_HOSTS.")
    origin = headers.get("Origin")
    if not same_origin(origin, host):
        return (f"This page was opened from another site ({origin!r}), not from the app's own "
                f"address ({host}). Open the app directly.")
    return None


def serve_refusal(server_address: str | None, auth_configured: bool) -> str | None:
    """Why the app must not serve on ``server_address``, or None.

    Args:
        server_address: Streamlit's ``server.address``; None or empty means every interface.
        auth_configured: every page needs a signed-in person (an ``[auth]`` section for
            Streamlit's ``st.login``, a PostgreSQL store, or ``WHOOP_SIGN_IN=1`` with built-in
            accounts: :func:`whoop.config.sign_in_required`).

    Returns:
        A plain-text message naming the settings, or None for a loopback address or when sign-in
        is configured.
    """
    if server_address and is_loopback(normalise_name(server_address)):
        return None
    if auth_configured:
        return None
    where = f"'{server_address}'" if server_address else "every network interface"
    return (f"Refusing to serve health data on {where}: server.address is not a loopback address "
            f"(localhost, 127.0.0.1, ::1) and no sign-in is configured. Set server.address = "
            f"\"localhost\" in .streamlit/config.toml, or require sign-in: an [auth] section in "
            f".streamlit/secrets.toml (Streamlit's st.login) or WHOOP_SIGN_IN=1 with accounts made "
            f"by 'python -m whoop user add'.")
