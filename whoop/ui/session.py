"""Who this browser session is: the signed-in person's :class:`whoop.accounts.Viewer`.

The personal deployment (localhost, no sign-in) is always :data:`whoop.accounts.OWNER`, who sees
every athlete of their own database. A team deployment's sign-in gate (:mod:`whoop.ui.signin`)
stores the signed-in account's id in the session; every loader of :mod:`whoop.ui.data` and every
page asks :func:`viewer` which athletes the session may see.
"""

from __future__ import annotations

import streamlit as st

from whoop.accounts import OWNER, Viewer

_KEY = "whoop_viewer"
#: the signed-in account's id (the only sign-in fact a session keeps; :mod:`whoop.ui.signin`)
ACCOUNT_KEY = "_whoop_account_id"


def viewer() -> Viewer:
    """The signed-in person of this session (:data:`OWNER` when nobody needs to sign in)."""
    found = st.session_state.get(_KEY)
    return found if isinstance(found, Viewer) else OWNER


def set_viewer(who: Viewer | None) -> None:
    """Remember ``who`` as this session's signed-in person (None: sign out)."""
    if who is None:
        st.session_state.pop(_KEY, None)
    else:
        st.session_state[_KEY] = who


def remember_account(account_id: int | None) -> None:
    """Sign this session in as account ``account_id`` (from the next run on; None: nothing)."""
    if account_id is not None:
        st.session_state[ACCOUNT_KEY] = int(account_id)
