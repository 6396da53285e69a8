"""The sign-in gate: who is looking, decided before any page reads health data (app.py).

* **Personal deployment** (a DuckDB file, no ``[auth]`` section, ``WHOOP_SIGN_IN`` unset): no
  sign-in; the owner (:data:`whoop.accounts.OWNER`) sees every athlete of their own database.
* **Team deployment** (:func:`whoop.config.sign_in_required`: a PostgreSQL store, an ``[auth]``
  section in ``.streamlit/secrets.toml``, or ``WHOOP_SIGN_IN=1``): every page needs a signed-in
  person. With ``[auth]``, Streamlit's OIDC sign-in (``st.login``; the identity provider's e-mail
  names the account, https://docs.streamlit.io/develop/api-reference/user/st.login); otherwise
  the built-in accounts (:mod:`whoop.accounts`: argon2id, lockout). An invite link
  (``?invite=...``, :mod:`whoop.invites`) shows the sign-up form instead.

The signed-in account is kept in the session (server side) by id and read again on every rerun,
so a removed account or a changed role takes effect at once. :func:`viewer` is what the data
layer (:mod:`whoop.ui.data`) scopes every query with.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import streamlit as st

from whoop import accounts, config, escape
from whoop.accounts import OWNER, Viewer
from whoop.crypto import invite_key
from whoop.errors import InputError, SignInError, WhoopError
from whoop.invites import check_invite, redeem_invite
from whoop.ui import origin

if TYPE_CHECKING:
    from whoop.store import Store

log = logging.getLogger("whoop.ui")
_VIEWER_KEY = "_whoop_viewer_id"
_CURRENT_KEY = "_whoop_viewer"


def required() -> bool:
    """True when every page needs a signed-in person (:func:`whoop.config.sign_in_required`, or
    an ``[auth]`` table in Streamlit's own secrets)."""
    return config.sign_in_required() or bool(origin.auth_settings())


def viewer() -> Viewer:
    """Who is looking in this run (set by :func:`gate`); the owner in a personal deployment.

    Raises:
        SignInError: the gate has not let anyone in (a page run without app.py).
    """
    found = st.session_state.get(_CURRENT_KEY)
    if found is None:
        if required():
            raise SignInError("sign in to see this page")
        return OWNER
    return found


def gate() -> Viewer:
    """Let the person in or stop the run: returns the :class:`Viewer`, or shows the sign-in (or
    invite sign-up) form and calls ``st.stop()``. Runs inside the rerun's unit of work."""
    from whoop.ui import data

    if not required():
        st.session_state[_CURRENT_KEY] = OWNER
        return OWNER
    store = data.get_store()
    st.session_state.pop(_CURRENT_KEY, None)
    token = st.query_params.get("invite")
    auth = origin.auth_settings()
    person = _signed_in(store, auth, token)
    if person is None and token:
        _invite_page(store, token, auth)
        st.stop()
    if person is None:
        _sign_in_page(store, auth)
        st.stop()
    if token:                                           # signed in already: the link is not needed
        st.query_params.pop("invite", None)
    st.session_state[_CURRENT_KEY] = person
    with st.sidebar:
        st.caption(f"Signed in as **{escape.markdown(person.username)}** ({person.role})")
        st.button("Sign out", key="sign_out", on_click=_sign_out, args=(bool(auth),),
                  icon=":material/logout:")
    return person


def _signed_in(store: Store, auth: dict, token: str | None) -> Viewer | None:
    """The person of this session: the OIDC user's account (created from an invite link when
    they have none yet), or the built-in account kept in the session (read again: a removed
    account is signed out)."""
    if auth and st.user.get("is_logged_in"):
        email = st.user.get("email")
        try:
            if token and store.account(_email_name(email)) is None:
                return redeem_invite(store, token, invite_key(store.path), str(email), None)
            return accounts.oidc_sign_in(store, email)
        except (InputError, SignInError) as exc:
            st.error(escape.markdown(str(exc)), icon=":material/block:")
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")
            st.stop()
    account_id = st.session_state.get(_VIEWER_KEY)
    if account_id is None:
        return None
    row = store.account(account_id=account_id)
    if row is None:
        st.session_state.pop(_VIEWER_KEY, None)
        return None
    return accounts.viewer_of(row)


def _email_name(email: object) -> str:
    try:
        return accounts.username(str(email or ""))
    except InputError:
        return ""


def _sign_out(oidc: bool) -> None:
    st.session_state.pop(_VIEWER_KEY, None)
    st.session_state.pop(_CURRENT_KEY, None)
    if oidc and st.user.get("is_logged_in"):
        st.logout()


def _sign_in_page(store: Store, auth: dict) -> None:
    """The sign-in page: OIDC buttons with ``[auth]``, else the built-in accounts' form."""
    st.title("WHOOP dashboard")
    st.write("This dashboard holds health data: sign in to see it.")
    if auth:
        origin.oidc_buttons(auth)
        return
    if store.count_accounts() == 0:
        st.info("No accounts yet. On the server, create the first one:\n\n"
                "`python -m whoop user add NAME --role admin`", icon=":material/person_add:")
        return
    with st.form("sign_in", enter_to_submit=True):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        sent = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if sent:
        try:
            person = accounts.sign_in(store, name, password)
        except SignInError as exc:
            st.error(escape.markdown(str(exc)), icon=":material/block:")
            return
        st.session_state[_VIEWER_KEY] = person.account_id
        st.rerun()


def _invite_page(store: Store, token: str, auth: dict) -> None:
    """The sign-up page of an invite link: create the athlete account, then land on Overview."""
    st.title("Join the team")
    try:
        key = invite_key(store.path)
        invite = check_invite(store, token, key)
    except WhoopError as exc:
        st.error(escape.markdown(str(exc)), icon=":material/link_off:")
        st.caption("Already have an account? Remove `?invite=...` from the address to sign in.")
        return
    who = f" for **{escape.markdown(invite.athlete_name)}**" if invite.athlete_name else ""
    st.write(f"Your coach invited you{who}. Create your account, then connect your WHOOP: you will see "
             f"only your own data, and your coach sees your team row.")
    if auth:
        st.write("Sign in with your identity provider first; your account is then created with its "
                 "e-mail address.")
        origin.oidc_buttons(auth)
        return
    with st.form("sign_up", enter_to_submit=True):
        name = st.text_input("Choose a user name", autocomplete="username")
        password = st.text_input(f"Password ({accounts.PASSWORD_MIN} characters or more)", type="password",
                                 autocomplete="new-password")
        again = st.text_input("Password again", type="password", autocomplete="new-password")
        sent = st.form_submit_button("Create my account", type="primary", icon=":material/person_add:")
    if not sent:
        return
    if password != again:
        st.error("The two passwords differ.", icon=":material/error:")
        return
    try:
        person = redeem_invite(store, token, key, name, password)
    except (InputError, SignInError) as exc:
        st.error(escape.markdown(str(exc)), icon=":material/error:")
        return
    st.session_state[_VIEWER_KEY] = person.account_id
    st.query_params.pop("invite", None)
    st.rerun()
