"""The app's front door, run first on every script run (app.py): refuse a browser session that
comes through another name (DNS rebinding) or from another origin (a page on another local port),
and refuse to serve at all on a non-loopback ``server.address`` without sign-in. A refusal is one
``st.error`` and ``st.stop()``: nothing is read from the store. The rules are in
:mod:`whoop.hosts`; this module only gathers their inputs (Streamlit options, the websocket's
headers, :mod:`whoop.config` settings).
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.errors import StreamlitAPIException

from whoop import config, escape, hosts
from whoop.errors import WhoopError

log = logging.getLogger("whoop.ui")
_warned: set[str] = set()


def app_allowed_names() -> frozenset[str]:
    """The host names the app answers to: loopback names, ``browser.serverAddress``, the host
    of ``WHOOP_REDIRECT_URI`` and ``WHOOP_ALLOWED_HOSTS`` (:func:`whoop.hosts.allowed_names`).

    Raises:
        ConfigError: ``WHOOP_ALLOWED_HOSTS`` or secrets.toml is malformed.
    """
    return hosts.allowed_names(server_address=st.get_option("browser.serverAddress"),
                               redirect_uri=config.setting("WHOOP_REDIRECT_URI"),
                               extra=config.allowed_hosts())


def _warn_streamlit_allow_list(names: frozenset[str]) -> None:
    """Log once per name the app allows that Streamlit's ``server.allowedHosts`` would refuse
    before the app runs (the operator must list it there too)."""
    listed = st.get_option("server.allowedHosts") or []
    patterns = [str(p).strip().lower().rstrip(".") for p in listed]
    if not patterns or "*" in patterns:
        return
    for name in sorted(names - _warned):
        _warned.add(name)
        if not any(name == p or (p.startswith("*.") and name.endswith(p[1:])) for p in patterns):
            log.warning("host name %r is allowed by the app but not listed in Streamlit's "
                        "server.allowedHosts, which refuses it first", name)


def refusal() -> str | None:
    """The plain-text reason to refuse this session, or None (serve it)."""
    try:
        why = hosts.serve_refusal(st.get_option("server.address"),
                                  bool(auth_settings()) or config.sign_in_required())
        if why is not None:
            return why
        names = app_allowed_names()
    except WhoopError as exc:  # a malformed setting: refuse, saying which
        return str(exc)
    _warn_streamlit_allow_list(names)
    return hosts.request_refusal(st.context.headers, names)


def enforce() -> None:
    """Stop the script run with one clear ``st.error`` when :func:`refusal` gives a reason,
    logging it (logger ``whoop.ui``); otherwise return at once."""
    why = refusal()
    if why is None:
        return
    log.warning("refused a session: %s", why)
    st.error(escape.markdown(why), icon=":material/block:")
    st.stop()


def auth_settings() -> dict:
    """The sign-in settings: the ``[auth]`` table of Streamlit's own secrets (``st.secrets``:
    ``.streamlit/secrets.toml`` in the working folder or the home folder, what ``st.login``
    reads), else the one of :func:`whoop.config.auth_settings`; {} when neither has one.

    Raises:
        ConfigError: the project's secrets.toml is not valid TOML.
    """
    try:
        found = st.secrets.get("auth")
    except Exception as exc:  # noqa: BLE001 - no secrets file at all, or one Streamlit cannot read
        log.debug("no sign-in settings in Streamlit's secrets: %s", exc.__class__.__name__)
        found = None
    if found:
        return {k: (dict(v) if hasattr(v, "items") else v) for k, v in dict(found).items()}
    return config.auth_settings()


def providers(auth: dict) -> list[str | None]:
    """The sign-in providers of an ``[auth]`` table: None for a flat table (``st.login()``),
    plus the name of each sub-table (``[auth.google]`` -> ``"google"``, ``st.login("google")``)."""
    named = [str(k) for k, v in auth.items() if isinstance(v, dict)]
    flat = "client_id" in auth or "server_metadata_url" in auth
    return ([None] if flat or not named else []) + sorted(named)


def oidc_buttons(auth: dict) -> None:
    """One **Sign in** button per ``[auth]`` provider (``st.login``,
    https://docs.streamlit.io/develop/api-reference/user/st.login; the sign-in page of
    :mod:`whoop.ui.signin`); a sign-in that Streamlit cannot start (settings incomplete) is one
    clear ``st.error``."""
    for provider in providers(auth):
        label = "Sign in" if provider is None else f"Sign in with {provider.title()}"
        if st.button(label, type="primary", key=f"sign_in_{provider or ''}",
                     icon=":material/login:"):
            try:
                if provider is None:
                    st.login()
                else:
                    st.login(provider)
            except StreamlitAPIException as exc:   # StreamlitAuthError and the missing Authlib
                log.warning("sign-in could not start: %s", exc.__class__.__name__)
                st.error("Sign-in could not start: the [auth] settings in "
                         ".streamlit/secrets.toml are incomplete or invalid "
                         f"({escape.markdown(exc.__class__.__name__)}). See "
                         "https://docs.streamlit.io/develop/concepts/connections/authentication",
                         icon=":material/error:")
