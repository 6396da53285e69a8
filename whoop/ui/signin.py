"""The front door of a served deployment: nobody sees a page until they have signed in.

app.py runs :func:`gate` on every script run, before the sidebar or any page reads health data.
Sign-in is required when :func:`whoop.config.sign_in_required` says so (a PostgreSQL store, an
``[auth]`` section, ``WHOOP_SIGN_IN=1``); the personal localhost default goes straight through as
:data:`whoop.accounts.OWNER`.

Ways in, each a well-kept library's, none hand-rolled:

* **built-in accounts**: user name and password, checked by :func:`whoop.accounts.sign_in`
  (argon2id, constant-time verify, lockout after repeated failures);
* **OIDC** when secrets.toml has ``[auth]``: Streamlit's ``st.login``; the identity provider's
  e-mail must have an account here (:func:`whoop.accounts.oidc_sign_in`);
* **an invite link** (``?invite=<token>``, :mod:`whoop.invites`): the token leaves the address
  bar at once and waits in the session while the athlete picks a user name and password;
* **back from WHOOP**: a Connect started by a signed-in person remembers their account with its
  single-use OAuth state, so the browser WHOOP sends back is signed in as them again
  (:func:`whoop.ui.connect.handle_oauth_return`).

The session keeps only the account id (server side, in Streamlit's session state); each run
reads the account again, so a removed account or a changed role takes effect on the next click.
Built-in sign-in lasts as long as the browser tab's session: reloading the page asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from whoop import config, escape
from whoop.accounts import OWNER, Viewer, oidc_sign_in, sign_in, viewer_of
from whoop.crypto import invite_key
from whoop.errors import InputError, SignInError, WhoopError
from whoop.invites import check_invite, redeem_invite
from whoop.store import Store
from whoop.ui import data, origin
from whoop.ui.session import ACCOUNT_KEY, remember_account, set_viewer

log = logging.getLogger("whoop.ui")
INVITE_KEY = "_whoop_invite"       # the invite token of this session, moved out of the address bar


def gate() -> Viewer:
    """Who this session is; stops the script run with the sign-in page when nobody is signed
    in and sign-in is required (see the module docstring).

    Raises:
        StoreError, DatabaseBusyError: the accounts cannot be read (app.py's guard shows it).
    """
    if not _required():
        set_viewer(None)
        return OWNER
    _take_invite_from_url()
    who = _signed_in()
    if who is None and ("code" in st.query_params or "error" in st.query_params):
        from whoop.ui.connect import handle_oauth_return  # back from WHOOP: resume who started it
        handle_oauth_return()
    if who is None:
        set_viewer(None)
        _alone(_front_door)
    set_viewer(who)
    return who


def anonymous() -> bool:
    """True when sign-in is required and this session claims nobody (no account id kept, no
    identity provider's sign-in): app.py then runs :func:`gate` without opening the page's
    unit of work, so the sign-in page does not open the database. Reads no database."""
    if not _required():
        return False
    if st.session_state.get(ACCOUNT_KEY) is not None:
        return False
    return not (origin.auth_settings() and st.user.get("is_logged_in"))


def _required() -> bool:
    """:func:`whoop.config.sign_in_required`, or an ``[auth]`` in any secrets file Streamlit
    reads; a malformed secrets file stops the run (``origin.enforce`` has refused it already)."""
    try:
        return config.sign_in_required() or bool(origin.auth_settings())
    except WhoopError:
        st.stop()
        raise AssertionError("unreachable") from None     # st.stop raises


def _alone(draw: Callable[[], None]) -> NoReturn:
    """Draw ``draw`` as the app's only page (no menu) and stop the script run. Going through
    ``st.navigation`` keeps Streamlit out of its legacy ``pages/`` folder mode, which a run
    that never calls it falls back to (whoop/ui/navigation.py)."""
    st.navigation([st.Page(draw, title="Sign in", icon=":material/login:", default=True)],
                  position="hidden").run()
    st.stop()
    raise AssertionError("unreachable")     # st.stop raises


def _take_invite_from_url() -> None:
    """Move ``?invite=`` into the session (the token must not stay in the address bar)."""
    token = st.query_params.get("invite")
    if token:
        st.session_state[INVITE_KEY] = str(token)[:512]
        del st.query_params["invite"]


def _signed_in() -> Viewer | None:
    """The session's account, read again (None: nobody, or the account is gone). The database
    is opened only when the session claims someone."""
    account_id = st.session_state.get(ACCOUNT_KEY)
    if account_id is not None:
        row = data.get_store().account(account_id=int(account_id))
        if row is not None:
            return viewer_of(row)
        st.session_state.pop(ACCOUNT_KEY, None)     # removed meanwhile: signed out
    auth = origin.auth_settings()
    if not auth or not st.user.get("is_logged_in"):
        return None
    email = st.user.get("email")
    try:
        who = oidc_sign_in(data.get_store(), str(email) if email else None)
    except SignInError as exc:
        message = str(exc)

        def refused() -> None:
            st.title("WHOOP dashboard")
            st.error(escape.markdown(message), icon=":material/block:")
            st.button("Sign out", key="sign_out_oidc", on_click=_sign_out, icon=":material/logout:")
        _alone(refused)
    remember_account(who.account_id)
    return who


def _front_door() -> None:
    """The sign-in page: the invite's sign-up form when this session holds an invite, else one
    button per OIDC provider (an ``[auth]`` section) or the built-in accounts' form. Nothing is
    read from the database before a form is sent (or an invite checked)."""
    st.title("WHOOP dashboard")
    token = st.session_state.get(INVITE_KEY)
    if token:
        _sign_up(data.get_store(), token)
        return
    st.write("This dashboard holds health data: sign in to see it.")
    auth = origin.auth_settings()
    if auth:
        origin.oidc_buttons(auth)
        return
    _sign_in_form()
    st.caption("Accounts are made on the server (`python -m whoop user add`), or by an invite "
               "link from your coach.")


def _sign_in_form() -> None:
    with st.form("sign_in_form"):
        name = st.text_input("User name", key="sign_in_name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password",
                                 autocomplete="current-password")
        go = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if not go:
        return
    try:
        who = sign_in(data.get_store(), name, password)
    except SignInError as exc:
        log.info("a sign-in was refused")
        st.error(escape.markdown(exc), icon=":material/block:")
        return
    remember_account(who.account_id)
    st.rerun()


def _sign_up(store: Store, token: str) -> None:
    """The invite's page: who it is for, and the form that creates the athlete's account."""
    try:
        invite = check_invite(store, token, invite_key(store.path))
    except SignInError as exc:
        st.error(escape.markdown(exc), icon=":material/link_off:")
        if st.button("Sign in instead", key="invite_drop"):
            st.session_state.pop(INVITE_KEY, None)
            st.rerun()
        return
    as_whom = f" as **{escape.markdown(invite.athlete_name)}**" if invite.athlete_name else ""
    st.write(f"You are invited to join this team{as_whom}. Create your account: you will see only "
             f"your own data, and then connect your WHOOP account.")
    with st.form("sign_up_form"):
        name = st.text_input("User name (or your e-mail address)", key="sign_up_name",
                             autocomplete="username")
        password = st.text_input("Password (at least 8 characters)", type="password",
                                 key="sign_up_password", autocomplete="new-password")
        again = st.text_input("Password again", type="password", key="sign_up_again",
                              autocomplete="new-password")
        go = st.form_submit_button("Create account", type="primary", icon=":material/person_add:")
    if not go:
        return
    if password != again:
        st.error("The two passwords differ.", icon=":material/error:")
        return
    try:
        who = redeem_invite(store, token, invite_key(store.path), name, password)
    except (SignInError, InputError) as exc:
        st.error(escape.markdown(exc), icon=":material/error:")
        return
    st.session_state.pop(INVITE_KEY, None)
    remember_account(who.account_id)
    st.rerun()


def badge(who: Viewer) -> None:
    """The sidebar's "signed in as" line and **Sign out** (app.py draws it below the sidebar's
    controls); nothing for the personal deployment's owner, who never signs in."""
    if who.account_id is None:
        return
    with st.sidebar:
        st.caption(f"Signed in as **{escape.markdown(who.username)}** ({who.role})")
        st.button("Sign out", key="sign_out", on_click=_sign_out, icon=":material/logout:")


def _sign_out() -> None:
    """Forget everything of this session (its picks included), and end an OIDC sign-in."""
    oidc = bool(st.user.get("is_logged_in")) if origin.auth_settings() else False
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if oidc:
        st.logout()
