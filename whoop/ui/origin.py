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
        why = hosts.serve_refusal(st.get_option("server.address"), config.auth_configured())
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


def require_sign_in() -> None:
    """When sign-in is configured (an ``[auth]`` table in ``.streamlit/secrets.toml``), every
    page needs a signed-in person: a session that is not signed in sees only a **Sign in**
    button (Streamlit's ``st.login``, https://docs.streamlit.io/develop/api-reference/user/st.login)
    and the script stops before anything reads the store. A signed-in person gets a sidebar line
    with their name and **Sign out** (``st.logout``). Without ``[auth]`` (the personal localhost
    app) this returns at once.
    """
    try:
        configured = config.auth_configured()
    except WhoopError:  # malformed secrets: refusal() has already refused this session
        configured = True
    if not configured:
        return
    if st.user.get("is_logged_in"):
        who = st.user.get("name") or st.user.get("email") or "signed in"
        with st.sidebar:
            st.caption(f"Signed in as **{escape.markdown(str(who))}**")
            st.button("Sign out", key="sign_out", on_click=st.logout, icon=":material/logout:")
        return
    st.title("WHOOP dashboard")
    st.write("This dashboard holds health data: sign in to see it.")
    if st.button("Sign in", type="primary", key="sign_in", icon=":material/login:"):
        st.login()
    st.stop()
